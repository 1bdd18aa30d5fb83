//! Images in the local Docker Engine (`docker:` targets), read through the Engine API.
//!
//! `GET /images/{name}/json` gives the metadata at open time; the layers come from
//! `GET /images/{name}/get` (the `docker save` export), streamed straight into the walker:
//! nothing is copied to a temporary file. The engine is found as the Docker CLI finds it:
//! `DOCKER_HOST` (`unix://PATH`, `tcp://HOST:PORT`) with TLS when `DOCKER_TLS_VERIFY` is set
//! (`ca.pem`, `cert.pem`, `key.pem` from `DOCKER_CERT_PATH` or `~/.docker`), else
//! `/var/run/docker.sock`. Docker contexts, `ssh://` and named pipes are not supported.
//!
//! Client: a small blocking HTTP/1.1 client over `UnixStream`/`TcpStream` (rustls with ring for
//! TLS, the stack the registry client's `ureq` already builds), rather than `bollard`, which
//! needs tokio and hyper and would then need a sync bridge to feed the blocking walker. The
//! engine's API is a few GETs on one connection each; the client sends `Connection: close`,
//! parses headers with `httparse` and decodes `Content-Length` and chunked bodies.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bulwark_walk::LayerInfo;
use serde::Deserialize;

use crate::{
    ContainerConfig, Image, ImageConfig, ImageMeta, LayerPlan, Platform, RootFs, SourceError,
    SourceOptions,
};

/// The Engine API version requested: Docker 20.10's, served by every engine since (newer
/// engines accept versions down to 1.24).
pub const API_VERSION: &str = "1.41";

/// Where the Docker Engine listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DockerHost {
    /// A unix socket.
    Unix(PathBuf),
    /// A TCP address, optionally with TLS.
    Tcp {
        /// Host name or IP address.
        host: String,
        /// Port.
        port: u16,
        /// TLS client files, when TLS is on.
        tls: Option<TlsFiles>,
    },
}

/// The TLS files Docker uses for `DOCKER_TLS_VERIFY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// CA certificates that sign the engine's certificate (`ca.pem`).
    pub ca: PathBuf,
    /// Client certificate (`cert.pem`).
    pub cert: PathBuf,
    /// Client key (`key.pem`).
    pub key: PathBuf,
}

impl TlsFiles {
    /// `ca.pem`, `cert.pem` and `key.pem` in `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        TlsFiles {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }
}

fn unsupported(reason: String) -> SourceError {
    SourceError::Unsupported(reason)
}

impl DockerHost {
    /// The engine the environment names, as the Docker CLI reads it.
    pub fn from_env() -> Result<Self, SourceError> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let host = var("DOCKER_HOST");
        let tls_verify = var("DOCKER_TLS_VERIFY").is_some();
        let cert_dir = var("DOCKER_CERT_PATH")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".docker")));
        Self::parse(host.as_deref(), tls_verify, cert_dir.as_deref())
    }

    /// Parse a `DOCKER_HOST` value (`None`: the default socket).
    pub fn parse(
        host: Option<&str>,
        tls_verify: bool,
        cert_dir: Option<&Path>,
    ) -> Result<Self, SourceError> {
        let Some(host) = host else {
            return Ok(DockerHost::Unix("/var/run/docker.sock".into()));
        };
        if let Some(path) = host.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(unsupported(format!("DOCKER_HOST `{host}` names no socket")));
            }
            return Ok(DockerHost::Unix(path.into()));
        }
        if let Some(addr) = host.strip_prefix("tcp://") {
            let addr = addr.trim_end_matches('/');
            let default_port = if tls_verify { 2376 } else { 2375 };
            let (h, port) = split_host_port(addr, default_port).ok_or_else(|| {
                unsupported(format!("DOCKER_HOST `{host}` is not tcp://HOST[:PORT]"))
            })?;
            let tls = if tls_verify {
                let dir = cert_dir.ok_or_else(|| {
                    unsupported(
                        "DOCKER_TLS_VERIFY is set but neither DOCKER_CERT_PATH nor HOME is".into(),
                    )
                })?;
                Some(TlsFiles::in_dir(dir))
            } else {
                None
            };
            return Ok(DockerHost::Tcp { host: h, port, tls });
        }
        Err(unsupported(format!(
            "DOCKER_HOST `{host}`: only unix:// and tcp:// engines are supported"
        )))
    }
}

fn split_host_port(addr: &str, default_port: u16) -> Option<(String, u16)> {
    if addr.is_empty() {
        return None;
    }
    if let Some(rest) = addr.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        return Some((h.to_string(), port));
    }
    match addr.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && !h.contains(':') => Some((h.to_string(), p.parse().ok()?)),
        Some(_) => None,
        None => Some((addr.to_string(), default_port)),
    }
}

/// The byte stream to the engine.
enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
            Stream::Tls(s) => match s.read(buf) {
                // The engine closes after the body without a TLS close_notify; the body framing
                // (length or chunks) already tells whether anything is missing.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                r => r,
            },
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.write(buf),
            Stream::Tcp(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.flush(),
            Stream::Tcp(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// A response: status, the headers the client needs, and the body as a stream.
struct Response {
    status: u16,
    body: Box<dyn Read + Send>,
}

/// Longest response head (status line and headers) accepted.
const MAX_HEAD: usize = 64 << 10;
/// Longest chunk-size or trailer line accepted.
const MAX_LINE: u64 = 4096;

/// A client for one Docker Engine.
pub struct Engine {
    host: DockerHost,
    tls: Option<Arc<rustls::ClientConfig>>,
}

fn engine_err(host: &DockerHost, reason: String) -> SourceError {
    SourceError::Remote {
        what: format!("Docker Engine at {}", describe(host)),
        reason,
    }
}

fn describe(host: &DockerHost) -> String {
    match host {
        DockerHost::Unix(p) => format!("unix://{}", p.display()),
        DockerHost::Tcp { host, port, tls } => {
            format!(
                "tcp://{host}:{port}{}",
                if tls.is_some() { " (TLS)" } else { "" }
            )
        }
    }
}

fn load_tls(files: &TlsFiles) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let mut roots = rustls::RootCertStore::empty();
    let cas = CertificateDer::pem_file_iter(&files.ca)
        .map_err(|e| format!("{}: {e}", files.ca.display()))?;
    for ca in cas {
        let ca = ca.map_err(|e| format!("{}: {e}", files.ca.display()))?;
        roots
            .add(ca)
            .map_err(|e| format!("{}: {e}", files.ca.display()))?;
    }
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| format!("{}: {e}", files.cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", files.cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| format!("{}: {e}", files.key.display()))?;
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_client_auth_cert(certs, key)
        .map_err(|e| format!("client certificate: {e}"))
}

/// `GET /images/{name}/json`, the fields used.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Inspect {
    id: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    repo_digests: Option<Vec<String>>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    config: Option<ContainerConfig>,
    #[serde(default, rename = "RootFS")]
    root_fs: Option<InspectRootFs>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InspectRootFs {
    #[serde(default, rename = "Type")]
    kind: String,
    #[serde(default)]
    layers: Option<Vec<String>>,
}

/// Image names the engine accepts in a URL path: references and ids, nothing that could
/// change the request (`?`, `#`, spaces, `..`).
fn check_name(name: &str) -> Result<(), SourceError> {
    let ok = !name.is_empty()
        && name.len() <= 1024
        && !name.starts_with('/')
        && !name.contains("..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "./:-_@".contains(c));
    if ok {
        Ok(())
    } else {
        Err(SourceError::Malformed {
            what: format!("docker:{name}"),
            reason: "not an image name or id".into(),
        })
    }
}

impl Engine {
    /// A client for the engine at `host` (TLS files are read now).
    pub fn new(host: DockerHost) -> Result<Self, SourceError> {
        let tls = match &host {
            DockerHost::Tcp {
                tls: Some(files), ..
            } => Some(Arc::new(load_tls(files).map_err(|e| engine_err(&host, e))?)),
            _ => None,
        };
        Ok(Engine { host, tls })
    }

    /// A client for the engine the environment names.
    pub fn from_env() -> Result<Self, SourceError> {
        Self::new(DockerHost::from_env()?)
    }

    fn connect(&self) -> io::Result<Stream> {
        match &self.host {
            DockerHost::Unix(p) => Ok(Stream::Unix(UnixStream::connect(p)?)),
            DockerHost::Tcp { host, port, .. } => {
                let tcp = TcpStream::connect((host.as_str(), *port))?;
                tcp.set_nodelay(true)?;
                match &self.tls {
                    None => Ok(Stream::Tcp(tcp)),
                    Some(cfg) => {
                        let name = rustls::pki_types::ServerName::try_from(host.clone())
                            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
                        let conn = rustls::ClientConnection::new(Arc::clone(cfg), name)
                            .map_err(io::Error::other)?;
                        Ok(Stream::Tls(Box::new(rustls::StreamOwned::new(conn, tcp))))
                    }
                }
            }
        }
    }

    /// Send `GET path` and read the response head; the body is left to the caller.
    fn get(&self, path: &str) -> io::Result<Response> {
        let stream = self
            .connect()
            .map_err(|e| io::Error::new(e.kind(), Unreachable(format!("cannot connect: {e}"))))?;
        self.request(stream, path)
    }

    fn request(&self, mut stream: Stream, path: &str) -> io::Result<Response> {
        // A stuck engine should not hang a scan forever; the export can pause while the engine
        // assembles big layers, hence the generous bound.
        let timeout = Some(Duration::from_secs(600));
        match &stream {
            Stream::Unix(s) => s.set_read_timeout(timeout)?,
            Stream::Tcp(s) => s.set_read_timeout(timeout)?,
            Stream::Tls(s) => s.sock.set_read_timeout(timeout)?,
        }
        let host_header = match &self.host {
            DockerHost::Unix(_) => "docker".to_string(),
            DockerHost::Tcp { host, port, .. } => format!("{host}:{port}"),
        };
        write!(
            stream,
            "GET /v{API_VERSION}{path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: bulwark/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        )?;
        stream.flush()?;
        let mut reader = BufReader::with_capacity(64 << 10, stream);
        let head = read_head(&mut reader)?;
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Response::new(&mut headers);
        match parsed.parse(&head) {
            Ok(httparse::Status::Complete(_)) => {}
            Ok(httparse::Status::Partial) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "truncated response head",
                ))
            }
            Err(e) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad response head: {e}"),
                ))
            }
        }
        let status = parsed.code.unwrap_or(0);
        let header = |name: &str| {
            parsed
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
        };
        let body: Box<dyn Read + Send> = if header("transfer-encoding")
            .is_some_and(|te| te.rsplit(',').next().is_some_and(|l| l.trim() == "chunked"))
        {
            Box::new(Chunked::new(reader))
        } else if let Some(len) = header("content-length") {
            let len: u64 = len
                .parse()
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad Content-Length"))?;
            Box::new(Exact {
                inner: reader.take(len),
                remaining: len,
            })
        } else {
            Box::new(reader)
        };
        Ok(Response { status, body })
    }

    /// The engine's error message for a failed request.
    fn error_text(resp: Response) -> String {
        #[derive(Deserialize)]
        struct Msg {
            message: String,
        }
        let mut data = Vec::new();
        let _ = resp.body.take(64 << 10).read_to_end(&mut data);
        match serde_json::from_slice::<Msg>(&data) {
            Ok(m) => format!("HTTP {}: {}", resp.status, m.message),
            Err(_) => format!(
                "HTTP {}: {}",
                resp.status,
                String::from_utf8_lossy(&data).trim()
            ),
        }
    }

    /// Open an image by name or id. A missing image is [`SourceError::NotFound`] and an
    /// engine that cannot be reached (no socket, no permission) is
    /// [`SourceError::Unsupported`]: see [`should_try_registry`]. Failures after connecting
    /// are [`SourceError::Remote`]. The engine keeps one platform per name, so
    /// `opts.platform` is not consulted.
    pub fn open_image(self, name: &str, opts: &SourceOptions) -> Result<Image, SourceError> {
        let _ = opts;
        check_name(name)?;
        let path = format!("/images/{name}/json");
        let resp = self.get(&path).map_err(|e| {
            if e.get_ref().is_some_and(|i| i.is::<Unreachable>()) {
                SourceError::Unsupported(format!(
                    "no Docker Engine at {}: {e} (is it running, and may you use it?)",
                    describe(&self.host)
                ))
            } else {
                engine_err(&self.host, format!("GET {path}: {e}"))
            }
        })?;
        match resp.status {
            200 => {}
            404 => {
                return Err(SourceError::NotFound {
                    what: format!("image `{name}` in the Docker Engine"),
                })
            }
            _ => {
                return Err(engine_err(
                    &self.host,
                    format!("GET {path}: {}", Self::error_text(resp)),
                ))
            }
        }
        let mut data = Vec::new();
        resp.body
            .take(crate::MAX_JSON_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| engine_err(&self.host, format!("GET {path}: {e}")))?;
        if data.len() as u64 > crate::MAX_JSON_BYTES {
            return Err(SourceError::Hostile {
                image: format!("docker:{name}"),
                reason: "image inspect document exceeds the size limit".into(),
            });
        }
        let inspect: Inspect =
            serde_json::from_slice(&data).map_err(|e| SourceError::Malformed {
                what: format!("docker:{name}: image inspect"),
                reason: e.to_string(),
            })?;
        Ok(self.image_from_inspect(name, inspect))
    }

    fn image_from_inspect(self, name: &str, inspect: Inspect) -> Image {
        let diff_ids = inspect
            .root_fs
            .as_ref()
            .and_then(|r| r.layers.clone())
            .unwrap_or_default();
        let layers = diff_ids
            .iter()
            .enumerate()
            .map(|(index, d)| LayerInfo {
                index,
                digest: None,
                diff_id: Some(d.clone()),
                media_type: None,
                size: None,
                created_by: None,
                is_base: false,
            })
            .collect();
        // The real config (with history) arrives in the export; this one is assembled from the
        // inspect answer so that metadata is available before the layers are read.
        let config = ImageConfig {
            architecture: inspect.architecture.clone(),
            os: inspect.os.clone(),
            variant: inspect.variant.clone(),
            created: inspect.created.clone(),
            author: inspect.author.clone().filter(|a| !a.is_empty()),
            config: inspect.config.clone().unwrap_or_default(),
            rootfs: RootFs {
                kind: inspect
                    .root_fs
                    .as_ref()
                    .map(|r| r.kind.clone())
                    .unwrap_or_else(|| "layers".into()),
                diff_ids,
            },
            history: Vec::new(),
        };
        let mut names = inspect.repo_tags.clone().unwrap_or_default();
        names.retain(|n| n != "<none>:<none>");
        names.extend(
            inspect
                .repo_digests
                .clone()
                .unwrap_or_default()
                .into_iter()
                .filter(|d| d != "<none>@<none>"),
        );
        // Export by id: the name may be a tag that is moved while the export runs.
        let id = inspect.id.clone();
        let engine = self;
        let open = move || -> io::Result<Box<dyn Read + Send>> {
            let path = format!("/images/{id}/get");
            let resp = engine.get(&path)?;
            if resp.status != 200 {
                return Err(io::Error::other(format!(
                    "GET {path}: {}",
                    Engine::error_text(resp)
                )));
            }
            Ok(resp.body)
        };
        Image {
            meta: ImageMeta {
                target: format!("docker:{name}"),
                source: "docker",
                names,
                manifest_digest: None,
                config_digest: Some(inspect.id.clone()),
                platform: Some(Platform {
                    os: inspect.os,
                    architecture: inspect.architecture,
                    variant: inspect.variant,
                }),
                config: Some(config),
                annotations: Default::default(),
                layers,
                base: None,
            },
            plan: LayerPlan::SaveStream(Box::new(open)),
        }
    }
}

/// Why a connection to the engine failed before any request was sent.
#[derive(Debug)]
struct Unreachable(String);

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreachable {}

/// Whether opening a prefix-less target (`alpine:3.19`) in the engine failed in a way that
/// means "try the registry instead", as `docker run` would pull: the engine does not have the
/// image ([`SourceError::NotFound`]) or there is no engine to ask
/// ([`SourceError::Unsupported`]). Anything else (a broken engine, a malformed name) is
/// reported as is.
pub fn should_try_registry(err: &SourceError) -> bool {
    matches!(
        err,
        SourceError::NotFound { .. } | SourceError::Unsupported(_)
    )
}

/// Open `docker:NAME` in the engine the environment names.
pub fn open_docker(name: &str, opts: &SourceOptions) -> Result<Image, SourceError> {
    Engine::from_env()?.open_image(name, opts)
}

/// Read up to and including the blank line that ends the response head.
fn read_head(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let n = reader
            .by_ref()
            .take(MAX_HEAD as u64)
            .read_until(b'\n', &mut head)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed before a response",
            ));
        }
        if head.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "response head too large",
            ));
        }
        let line = head.get(before..).unwrap_or_default();
        if line == b"\r\n" || line == b"\n" {
            return Ok(head);
        }
    }
}

/// A `Content-Length` body: a short body is an error, not a silent end.
struct Exact<R> {
    inner: io::Take<R>,
    remaining: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("body ended {} bytes early", self.remaining),
            ));
        }
        self.remaining = self.remaining.saturating_sub(n as u64);
        Ok(n)
    }
}

/// A chunked (`Transfer-Encoding: chunked`) body decoder.
///
/// Hand-written: the format is a hex size line, that many bytes and a CRLF, repeated until a
/// zero size and optional trailers; the HTTP crates that decode it (hyper, ureq's internals)
/// come with a whole client and do not speak over a unix socket without a runtime or an
/// unstable transport API.
pub struct Chunked<R> {
    inner: R,
    /// Bytes left in the current chunk.
    remaining: u64,
    done: bool,
}

impl<R: BufRead> Chunked<R> {
    /// Decode the chunked body that `inner` is positioned at.
    pub fn new(inner: R) -> Self {
        Chunked {
            inner,
            remaining: 0,
            done: false,
        }
    }

    fn line(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        let n = (&mut self.inner)
            .take(MAX_LINE)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "chunked body truncated",
            ));
        }
        if line.last() != Some(&b'\n') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "chunk line too long",
            ));
        }
        Ok(String::from_utf8_lossy(&line).trim().to_string())
    }
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.remaining == 0 {
            let line = self.line()?;
            let size = line.split(';').next().unwrap_or_default().trim();
            let size = u64::from_str_radix(size, 16).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "bad chunk size line `{}`",
                        line.chars().take(40).collect::<String>()
                    ),
                )
            })?;
            if size == 0 {
                // Trailers, up to the blank line.
                for _ in 0..1000 {
                    if self.line()?.is_empty() {
                        self.done = true;
                        return Ok(0);
                    }
                }
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "too many trailers",
                ));
            }
            self.remaining = size;
        }
        let want = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.inner.read(buf.get_mut(..want).unwrap_or_default())?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "chunked body truncated",
            ));
        }
        self.remaining = self.remaining.saturating_sub(n as u64);
        if self.remaining == 0 && !self.line()?.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "chunk not followed by CRLF",
            ));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(input: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Chunked::new(io::Cursor::new(input.to_vec())).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn chunked_decoding() {
        assert_eq!(
            decode(b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-T: 1\r\n\r\nNEXT").unwrap(),
            b"hello, world"
        );
        assert_eq!(decode(b"0\r\n\r\n").unwrap(), b"");
        assert_eq!(
            decode(b"A\r\n0123456789\r\n0\r\n\r\n").unwrap(),
            b"0123456789"
        );
        for bad in [
            &b"5\r\nhel"[..],
            b"5\r\nhelloXX0\r\n\r\n",
            b"zz\r\n",
            b"5\r\nhello\r\n",
            b"ffffffffffffffffff\r\n",
            b"",
        ] {
            assert!(decode(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let long = vec![b'1'; 10_000];
        assert!(decode(&long).is_err());
    }

    #[test]
    fn docker_host_parsing() {
        assert_eq!(
            DockerHost::parse(None, false, None).unwrap(),
            DockerHost::Unix("/var/run/docker.sock".into())
        );
        assert_eq!(
            DockerHost::parse(Some("unix:///run/user/1000/docker.sock"), false, None).unwrap(),
            DockerHost::Unix("/run/user/1000/docker.sock".into())
        );
        assert_eq!(
            DockerHost::parse(Some("tcp://10.0.0.2"), false, None).unwrap(),
            DockerHost::Tcp {
                host: "10.0.0.2".into(),
                port: 2375,
                tls: None
            }
        );
        assert_eq!(
            DockerHost::parse(Some("tcp://h.example:1234/"), true, Some(Path::new("/c"))).unwrap(),
            DockerHost::Tcp {
                host: "h.example".into(),
                port: 1234,
                tls: Some(TlsFiles::in_dir(Path::new("/c")))
            }
        );
        assert_eq!(
            DockerHost::parse(Some("tcp://[::1]"), true, Some(Path::new("/c"))).unwrap(),
            DockerHost::Tcp {
                host: "::1".into(),
                port: 2376,
                tls: Some(TlsFiles::in_dir(Path::new("/c")))
            }
        );
        for bad in [
            "ssh://u@h",
            "npipe:////./pipe/docker_engine",
            "unix://",
            "tcp://",
            "tcp://h:x",
            "tcp://h:99999",
        ] {
            assert!(DockerHost::parse(Some(bad), false, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_that_could_change_the_request_are_refused() {
        for bad in [
            "",
            "a b",
            "a?x",
            "a#b",
            "../../containers/json",
            "/etc",
            "a\r\nX: y",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        for good in [
            "alpine",
            "alpine:3.19",
            "localhost:5000/a/b@sha256:00",
            "sha256:abcd",
        ] {
            assert!(check_name(good).is_ok(), "{good}");
        }
    }
}
