//! Where the Docker daemon is, following the Docker CLI's rules.

use std::path::{Path, PathBuf};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

use crate::Error;

/// The default daemon socket.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// Client TLS material: the CA that signed the daemon's certificate and the client's own
/// certificate and key (files named `ca.pem`, `cert.pem`, `key.pem` in a directory, as
/// `DOCKER_CERT_PATH` and contexts lay them out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// CA certificate(s) the daemon's certificate must chain to.
    pub ca: PathBuf,
    /// Client certificate, when the daemon wants one.
    pub cert: Option<PathBuf>,
    /// Client key.
    pub key: Option<PathBuf>,
}

impl TlsFiles {
    /// `ca.pem`, `cert.pem`, `key.pem` in `dir` (cert and key only if present).
    pub fn from_dir(dir: &Path) -> TlsFiles {
        let opt = |n: &str| Some(dir.join(n)).filter(|p| p.exists());
        TlsFiles {
            ca: dir.join("ca.pem"),
            cert: opt("cert.pem"),
            key: opt("key.pem"),
        }
    }

    /// A rustls client configuration (ring provider) that verifies the daemon against
    /// [`TlsFiles::ca`] and presents the client certificate when given.
    pub fn client_config(&self) -> Result<rustls::ClientConfig, Error> {
        let tls = |p: &Path, e: &dyn std::fmt::Display| Error::Tls(format!("{}: {e}", p.display()));
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(&self.ca).map_err(|e| tls(&self.ca, &e))? {
            let cert = cert.map_err(|e| tls(&self.ca, &e))?;
            roots.add(cert).map_err(|e| tls(&self.ca, &e))?;
        }
        if roots.is_empty() {
            return Err(tls(&self.ca, &"no certificate"));
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Tls(e.to_string()))?
            .with_root_certificates(roots);
        match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => {
                let chain = CertificateDer::pem_file_iter(cert)
                    .map_err(|e| tls(cert, &e))?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| tls(cert, &e))?;
                let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| tls(key, &e))?;
                builder
                    .with_client_auth_cert(chain, key_der)
                    .map_err(|e| tls(cert, &e))
            }
            _ => Ok(builder.with_no_client_auth()),
        }
    }
}

/// How to reach the daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// A unix socket.
    Unix(PathBuf),
    /// TCP, with TLS when `tls` is set.
    Tcp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
        /// TLS material (None: plain HTTP).
        tls: Option<TlsFiles>,
    },
}

/// A daemon endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The transport.
    pub transport: Transport,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.transport {
            Transport::Unix(p) => write!(f, "unix://{}", p.display()),
            Transport::Tcp { host, port, tls } => {
                let scheme = if tls.is_some() { "https" } else { "tcp" };
                if host.contains(':') {
                    write!(f, "{scheme}://[{host}]:{port}")
                } else {
                    write!(f, "{scheme}://{host}:{port}")
                }
            }
        }
    }
}

impl Endpoint {
    /// The default unix socket.
    pub fn default_socket() -> Endpoint {
        Endpoint {
            transport: Transport::Unix(PathBuf::from(DEFAULT_SOCKET)),
        }
    }

    /// Parse `unix:///path`, `tcp://host:port` (or `https://`, `http://`); a bare absolute
    /// path is a socket. `tls` applies to TCP only (`https://` without it is an error).
    pub fn parse(url: &str, tls: Option<TlsFiles>) -> Result<Endpoint, Error> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(Error::Endpoint(format!("`{url}`: empty socket path")));
            }
            return Ok(Endpoint {
                transport: Transport::Unix(PathBuf::from(path)),
            });
        }
        if url.starts_with('/') {
            return Ok(Endpoint {
                transport: Transport::Unix(PathBuf::from(url)),
            });
        }
        let (rest, https) = if let Some(r) = url.strip_prefix("tcp://") {
            (r, false)
        } else if let Some(r) = url.strip_prefix("http://") {
            (r, false)
        } else if let Some(r) = url.strip_prefix("https://") {
            (r, true)
        } else {
            return Err(Error::Endpoint(format!(
                "`{url}`: unsupported scheme (unix://, tcp://, http://, https://)"
            )));
        };
        let hostport = rest.split('/').next().unwrap_or(rest);
        let (host, port) = split_host_port(hostport)
            .ok_or_else(|| Error::Endpoint(format!("`{url}`: expected host:port")))?;
        let port = port.unwrap_or(if tls.is_some() { 2376 } else { 2375 });
        if https && tls.is_none() {
            return Err(Error::Endpoint(format!(
                "`{url}`: https needs a CA (DOCKER_CERT_PATH or a context's TLS files)"
            )));
        }
        Ok(Endpoint {
            transport: Transport::Tcp { host, port, tls },
        })
    }

    /// The endpoint the Docker CLI would use: `DOCKER_HOST` (TLS from `DOCKER_TLS_VERIFY`
    /// and `DOCKER_CERT_PATH`, default `~/.docker`), else the context named by
    /// `DOCKER_CONTEXT` or `currentContext` in `~/.docker/config.json` (`DOCKER_CONFIG`
    /// moves that directory), else the default socket.
    pub fn from_env() -> Result<Endpoint, Error> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let config_dir = var("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| Path::new(&h).join(".docker")));
        if let Some(host) = var("DOCKER_HOST") {
            let tls = var("DOCKER_TLS_VERIFY").filter(|v| v != "0").and_then(|_| {
                var("DOCKER_CERT_PATH")
                    .map(PathBuf::from)
                    .or_else(|| config_dir.clone())
                    .map(|d| TlsFiles::from_dir(&d))
            });
            return Endpoint::parse(&host, tls);
        }
        let Some(dir) = config_dir else {
            return Ok(Endpoint::default_socket());
        };
        let context = var("DOCKER_CONTEXT").or_else(|| current_context(&dir));
        match context.as_deref() {
            None | Some("default") => Ok(Endpoint::default_socket()),
            Some(name) => Endpoint::from_context(&dir, name),
        }
    }

    /// The endpoint of Docker CLI context `name` stored under `config_dir` (`~/.docker`):
    /// `contexts/meta/<sha256(name)>/meta.json`, TLS files in `contexts/tls/<sha256(name)>/docker/`.
    pub fn from_context(config_dir: &Path, name: &str) -> Result<Endpoint, Error> {
        let id = hex::encode(Sha256::digest(name.as_bytes()));
        let meta_path = config_dir.join("contexts/meta").join(&id).join("meta.json");
        let text = std::fs::read_to_string(&meta_path).map_err(|e| {
            Error::Endpoint(format!("context `{name}`: {}: {e}", meta_path.display()))
        })?;
        let meta: ContextMeta = serde_json::from_str(&text).map_err(|e| {
            Error::Endpoint(format!("context `{name}`: {}: {e}", meta_path.display()))
        })?;
        let docker = meta
            .endpoints
            .docker
            .ok_or_else(|| Error::Endpoint(format!("context `{name}` has no docker endpoint")))?;
        if docker.skip_tls_verify {
            return Err(Error::Endpoint(format!(
                "context `{name}` skips TLS verification, which Bulwark refuses"
            )));
        }
        let tls_dir = config_dir.join("contexts/tls").join(&id).join("docker");
        let tls = tls_dir
            .join("ca.pem")
            .exists()
            .then(|| TlsFiles::from_dir(&tls_dir));
        Endpoint::parse(&docker.host, tls)
    }
}

fn current_context(dir: &Path) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Config {
        #[serde(rename = "currentContext", default)]
        current_context: Option<String>,
    }
    let text = std::fs::read_to_string(dir.join("config.json")).ok()?;
    serde_json::from_str::<Config>(&text)
        .ok()?
        .current_context
        .filter(|c| !c.is_empty())
}

#[derive(serde::Deserialize)]
struct ContextMeta {
    #[serde(rename = "Endpoints", default)]
    endpoints: ContextEndpoints,
}

#[derive(serde::Deserialize, Default)]
struct ContextEndpoints {
    #[serde(default)]
    docker: Option<ContextDocker>,
}

#[derive(serde::Deserialize)]
struct ContextDocker {
    #[serde(rename = "Host")]
    host: String,
    #[serde(rename = "SkipTLSVerify", default)]
    skip_tls_verify: bool,
}

/// Split `host:port`, `[v6]:port`, `host`.
fn split_host_port(s: &str) -> Option<(String, Option<u16>)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, tail) = rest.split_once(']')?;
        let port = match tail.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if tail.is_empty() => None,
            None => return None,
        };
        return Some((host.to_string(), port));
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() => Some((h.to_string(), Some(p.parse().ok()?))),
        Some(_) => None,
        None if !s.is_empty() => Some((s.to_string(), None)),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        assert_eq!(
            Endpoint::parse("unix:///run/docker.sock", None).ok(),
            Some(Endpoint {
                transport: Transport::Unix(PathBuf::from("/run/docker.sock"))
            })
        );
        let e = Endpoint::parse("tcp://10.0.0.1:2376", None).ok();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("tcp://10.0.0.1:2376")
        );
        let e = Endpoint::parse("tcp://[::1]", None).ok();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("tcp://[::1]:2375")
        );
        assert!(Endpoint::parse("ssh://host", None).is_err());
        assert!(Endpoint::parse("https://host:1", None).is_err());
        assert!(Endpoint::parse("tcp://host:notaport", None).is_err());
    }

    #[test]
    fn reads_contexts() {
        let dir = tempfile::tempdir().ok();
        let Some(dir) = dir else { return };
        let id = hex::encode(Sha256::digest(b"remote"));
        let meta = dir.path().join("contexts/meta").join(&id);
        std::fs::create_dir_all(&meta).ok();
        std::fs::write(
            meta.join("meta.json"),
            r#"{"Name":"remote","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://build.example:2375","SkipTLSVerify":false}}}"#,
        )
        .ok();
        let e = Endpoint::from_context(dir.path(), "remote").ok();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("tcp://build.example:2375")
        );
        assert!(Endpoint::from_context(dir.path(), "missing").is_err());
    }
}
