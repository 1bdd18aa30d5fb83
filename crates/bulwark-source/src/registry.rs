//! Pulling image metadata and layers from an OCI distribution registry (`registry:` targets).
//!
//! The manifest (or index, then the platform's manifest), the config and the layer blobs are
//! fetched over the distribution API. Authentication: anonymous, HTTP basic, and the bearer
//! token flow (`WWW-Authenticate: Bearer realm=...` answered by a token server), with
//! credentials from Docker's `config.json`. Manifests and configs are verified against their
//! digests here; layer blobs are streamed to the walker, which verifies them as they pass.
//! Nothing is cached or written to disk, and nothing is ever pushed.
//!
//! Client: `ureq` (blocking, rustls with ring, the same stack `bulwark-vulndb` already builds),
//! not `reqwest`, which would pull in tokio and hyper for what is a handful of sequential GETs
//! plus parallel blob streams that the walker's threads read anyway.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bulwark_walk::{Algorithm, Digest};
use serde::Deserialize;

use crate::auth::{is_docker_hub, parse_challenge, Challenge, Credential, DockerConfig};
use crate::oci::{self, ManifestOrIndex};
use crate::MAX_JSON_BYTES;
use crate::{Image, ImageConfig, ImageMeta, LayerPlan, SourceError, SourceOptions};

/// Media types asked for when fetching a manifest: both schema 2 and OCI, manifests and
/// indexes.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// Where Docker Hub's registry API lives.
const DOCKER_HUB_REGISTRY: &str = "registry-1.docker.io";

/// A parsed image reference: `HOST/REPO[:tag][@digest]`, normalised as Docker does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The registry host, with port (`registry-1.docker.io` for Docker Hub).
    pub host: String,
    /// The repository (`library/alpine`).
    pub repository: String,
    /// The tag (`latest` when neither tag nor digest is given).
    pub tag: Option<String>,
    /// The digest, when pinned.
    pub digest: Option<String>,
}

impl Reference {
    /// Parse and normalise a reference: `alpine` is
    /// `registry-1.docker.io/library/alpine:latest`, `user/app` is on Docker Hub too; the first
    /// component is a host when it contains `.` or `:` or is `localhost`.
    pub fn parse(s: &str) -> Result<Self, SourceError> {
        let bad = |reason: &str| SourceError::Malformed {
            what: format!("image reference `{s}`"),
            reason: reason.to_string(),
        };
        if s.is_empty() || s.len() > 4096 {
            return Err(bad("empty or too long"));
        }
        let (name_tag, digest) = match s.split_once('@') {
            Some((n, d)) => {
                Digest::parse(d).map_err(|e| bad(&e.to_string()))?;
                (n, Some(d.to_string()))
            }
            None => (s, None),
        };
        let last_slash = name_tag.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match name_tag.get(last_slash..).and_then(|t| t.rfind(':')) {
            Some(i) => {
                let split = last_slash + i;
                (
                    name_tag.get(..split).unwrap_or_default(),
                    name_tag.get(split + 1..).map(str::to_string),
                )
            }
            None => (name_tag, None),
        };
        if let Some(t) = &tag {
            let ok = !t.is_empty()
                && t.len() <= 128
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
                && !t.starts_with(['.', '-']);
            if !ok {
                return Err(bad(&format!("bad tag `{t}`")));
            }
        }
        let (host, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let (host, repository) = if is_docker_hub(&host) {
            let repo = if repository.contains('/') {
                repository
            } else {
                format!("library/{repository}")
            };
            (DOCKER_HUB_REGISTRY.to_string(), repo)
        } else {
            (host, repository)
        };
        let repo_ok = !repository.is_empty()
            && repository.split('/').all(|c| {
                !c.is_empty()
                    && c.chars().all(|ch| {
                        ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._-".contains(ch)
                    })
            });
        if !repo_ok {
            return Err(bad(&format!(
                "repository `{repository}` is not lower-case name components"
            )));
        }
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
        // A port, when given, is a number (`alpine:bad/tag` is not a host).
        let port = match host.strip_prefix('[') {
            Some(rest) => match rest.split_once(']') {
                Some((_, "")) => None,
                Some((_, after)) => Some(after.strip_prefix(':').unwrap_or("x")),
                None => Some("x"),
            },
            None => host.split_once(':').map(|(_, p)| p),
        };
        let port_ok = port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        if !host_ok || !port_ok {
            return Err(bad(&format!("bad registry host `{host}`")));
        }
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest".to_string())
        } else {
            tag
        };
        Ok(Reference {
            host,
            repository,
            tag,
            digest,
        })
    }

    /// What to ask the registry for: the digest when pinned, else the tag.
    pub fn manifest_reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// The host without its port (brackets of IPv6 literals removed).
    fn hostname(&self) -> &str {
        let h = &self.host;
        if let Some(rest) = h.strip_prefix('[') {
            return rest.split(']').next().unwrap_or(rest);
        }
        h.rsplit_once(':').map(|(n, _)| n).unwrap_or(h)
    }

    /// Whether the registry is on this machine (`localhost`, `127.0.0.0/8`, `::1`), where
    /// plain HTTP is allowed.
    pub fn is_loopback(&self) -> bool {
        let h = self.hostname();
        h.eq_ignore_ascii_case("localhost") || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let host = if self.host == DOCKER_HUB_REGISTRY {
            "docker.io"
        } else {
            &self.host
        };
        write!(f, "{host}/{}", self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// The token server's answer.
#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

/// A connection to one repository of one registry. Cheap to share between the walker's
/// threads: the agent pools connections and the current `Authorization` is behind a mutex.
pub struct RegistryClient {
    agent: ureq::Agent,
    /// `https://host` or `http://host`.
    base: String,
    reference: Reference,
    credential: Option<Credential>,
    allow_plain: bool,
    authorization: Mutex<Option<String>>,
}

fn remote(what: impl Into<String>, reason: impl Into<String>) -> SourceError {
    SourceError::Remote {
        what: what.into(),
        reason: reason.into(),
    }
}

impl RegistryClient {
    /// Connect to the registry of `reference`: https (verified unless `insecure`), falling back
    /// to plain http only for loopback hosts or when `insecure` is set, as Docker does.
    pub fn connect(
        reference: &Reference,
        credential: Option<Credential>,
        insecure: bool,
    ) -> Result<Self, SourceError> {
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(insecure)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .tls_config(tls)
            // Redirects to blob storage (S3, CDNs) must not carry the registry's credentials.
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::SameHost)
            .max_redirects(10)
            .timeout_connect(Some(Duration::from_secs(30)))
            // A registry that stops answering should not hang a scan; bodies may be slow.
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .user_agent(concat!("bulwark/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let allow_plain = insecure || reference.is_loopback();
        let mut client = RegistryClient {
            agent,
            base: String::new(),
            reference: reference.clone(),
            credential,
            allow_plain,
            authorization: Mutex::new(None),
        };
        // Ping `/v2/` to choose the scheme; any HTTP answer (401 included) settles it. A
        // loopback registry is tried over http first: that is what it nearly always speaks, and
        // a plain server may never answer a TLS hello. Elsewhere https comes first and http is
        // a fallback only with `insecure`.
        let schemes: &[&str] = if reference.is_loopback() {
            &["http", "https"]
        } else if insecure {
            &["https", "http"]
        } else {
            &["https"]
        };
        let mut failures = Vec::new();
        for (n, scheme) in schemes.iter().enumerate() {
            let base = format!("{scheme}://{}", reference.host);
            let ping = client
                .agent
                .get(format!("{base}/v2/"))
                .config()
                .timeout_global(Some(Duration::from_secs(30)))
                .build()
                .call();
            match ping {
                // An https server answering a plain request says so with a 400.
                Ok(r) if *scheme == "http" && r.status() == 400 && n + 1 < schemes.len() => {
                    failures.push(format!("{base}: HTTP 400"));
                }
                Ok(_) => {
                    tracing::debug!("registry {}: using {scheme}", reference.host);
                    client.base = base;
                    return Ok(client);
                }
                Err(e) => failures.push(format!("{base}: {e}")),
            }
        }
        Err(remote(
            format!("registry {}", reference.host),
            format!("cannot reach it ({})", failures.join("; ")),
        ))
    }

    fn what(&self, path: &str) -> String {
        format!("registry {}: GET {path}", self.reference.host)
    }

    /// GET `path` (relative to `/v2/<repo>/`), answering one authentication challenge.
    fn get(
        &self,
        path: &str,
        accept: Option<&str>,
    ) -> Result<ureq::http::Response<ureq::Body>, SourceError> {
        let url = format!("{}/v2/{}/{path}", self.base, self.reference.repository);
        let mut retried = false;
        loop {
            let mut req = self.agent.get(&url);
            if let Some(a) = accept {
                req = req.header("Accept", a);
            }
            let auth = self.authorization.lock().map(|g| g.clone()).unwrap_or(None);
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            let resp = req
                .call()
                .map_err(|e| remote(self.what(path), e.to_string()))?;
            if resp.status() != 401 {
                return Ok(resp);
            }
            let challenges: Vec<Challenge> = resp
                .headers()
                .get_all("www-authenticate")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .filter_map(parse_challenge)
                .collect();
            if retried {
                return Err(remote(
                    self.what(path),
                    format!(
                        "unauthorized: the registry refused {} ({})",
                        if self.credential.is_some() {
                            "the configured credentials"
                        } else {
                            "anonymous access; log in with `docker login`"
                        },
                        error_message(resp)
                    ),
                ));
            }
            retried = true;
            let header = self.answer_challenge(&challenges, path)?;
            if let Ok(mut g) = self.authorization.lock() {
                *g = Some(header);
            }
        }
    }

    /// The `Authorization` value answering the registry's challenge.
    fn answer_challenge(
        &self,
        challenges: &[Challenge],
        path: &str,
    ) -> Result<String, SourceError> {
        if let Some(bearer) = challenges.iter().find(|c| c.scheme == "bearer") {
            return self.fetch_token(bearer).map(|t| format!("Bearer {t}"));
        }
        if challenges.iter().any(|c| c.scheme == "basic") {
            return match self.credential.as_ref().and_then(Credential::basic_header) {
                Some(h) => Ok(h),
                None => Err(remote(
                    self.what(path),
                    "unauthorized: the registry wants a user name and password and none is configured (docker login)",
                )),
            };
        }
        Err(remote(
            self.what(path),
            "unauthorized, and the registry offers no authentication scheme bulwark knows",
        ))
    }

    /// The bearer-token flow: ask the challenge's realm for a token for the challenge's scope
    /// (or pull on this repository), with the user's credentials when there are any.
    fn fetch_token(&self, challenge: &Challenge) -> Result<String, SourceError> {
        let realm = challenge
            .params
            .get("realm")
            .ok_or_else(|| remote(self.what("token"), "bearer challenge without a realm"))?;
        let what = format!("registry {}: token server {realm}", self.reference.host);
        let realm_uri: ureq::http::Uri = realm
            .parse()
            .map_err(|e| remote(&what, format!("bad realm URL: {e}")))?;
        let plain = match realm_uri.scheme_str() {
            Some("https") => false,
            Some("http") => true,
            _ => return Err(remote(&what, "realm is not an http(s) URL")),
        };
        let realm_loopback = realm_uri.host().is_some_and(|h| {
            let h = h.trim_start_matches('[').trim_end_matches(']');
            h.eq_ignore_ascii_case("localhost")
                || h.parse::<IpAddr>().is_ok_and(|i| i.is_loopback())
        });
        // Never send a password in clear text over the network.
        let may_send_secret = !plain || realm_loopback || self.allow_plain;
        let default_scope = format!("repository:{}:pull", self.reference.repository);
        let scope = challenge
            .params
            .get("scope")
            .map(String::as_str)
            .unwrap_or(&default_scope);
        let service = challenge.params.get("service");
        let enc = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let mut query = vec![format!("scope={}", enc(scope))];
        if let Some(s) = service {
            query.push(format!("service={}", enc(s)));
        }
        let sep = if realm.contains('?') { '&' } else { '?' };
        let resp = match self.credential.as_ref().filter(|_| may_send_secret) {
            Some(Credential::IdentityToken(refresh)) => {
                let mut form = vec![
                    "grant_type=refresh_token".to_string(),
                    format!("refresh_token={}", enc(refresh)),
                    "client_id=bulwark".to_string(),
                ];
                form.extend(query);
                self.agent
                    .post(realm)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .send(form.join("&"))
            }
            Some(c) => {
                let mut req = self.agent.get(format!("{realm}{sep}{}", query.join("&")));
                if let Some(h) = c.basic_header() {
                    req = req.header("Authorization", h);
                }
                req.call()
            }
            None => self
                .agent
                .get(format!("{realm}{sep}{}", query.join("&")))
                .call(),
        }
        .map_err(|e| remote(&what, e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(remote(
                &what,
                format!(
                    "{}: {} ({})",
                    if status == 401 || status == 403 {
                        "unauthorized: the token server refused the credentials"
                    } else {
                        "token request failed"
                    },
                    status,
                    error_message(resp)
                ),
            ));
        }
        let body = read_limited(resp, 1 << 20).map_err(|e| remote(&what, e.to_string()))?;
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|e| remote(&what, format!("unreadable token answer: {e}")))?;
        answer
            .token
            .filter(|t| !t.is_empty())
            .or(answer.access_token.filter(|t| !t.is_empty()))
            .ok_or_else(|| remote(&what, "answer carries no token"))
    }

    /// Fetch a manifest or index by tag or digest and verify it: against the digest it was
    /// asked for, and against `Docker-Content-Digest` when the registry sends one.
    pub fn manifest(
        &self,
        reference: &str,
    ) -> Result<(ManifestOrIndex, Digest, Vec<u8>), SourceError> {
        let path = format!("manifests/{reference}");
        let resp = self.get(&path, Some(MANIFEST_ACCEPT))?;
        let what = format!(
            "{}/{}@{reference}",
            self.reference.host, self.reference.repository
        );
        check_status(&resp, &what, &self.what(&path))?;
        let announced = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = read_limited(resp, MAX_JSON_BYTES)
            .map_err(|e| remote(self.what(&path), e.to_string()))?;
        let computed = Digest::of(Algorithm::Sha256, &body);
        let verify = |want: &str, source: &str| -> Result<(), SourceError> {
            let want = Digest::parse(want).map_err(|e| SourceError::Malformed {
                what: format!("{what}: {source}"),
                reason: e.to_string(),
            })?;
            let got = Digest::of(want.algorithm(), &body);
            if got != want {
                return Err(SourceError::DigestMismatch {
                    what: format!("{what}: manifest ({source})"),
                    expected: want.to_string(),
                    actual: got.to_string(),
                });
            }
            Ok(())
        };
        if Digest::parse(reference).is_ok() {
            verify(reference, "requested digest")?;
        }
        if let Some(a) = &announced {
            verify(a, "Docker-Content-Digest")?;
        }
        if content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("application/vnd.docker.distribution.manifest.v1"))
        {
            return Err(SourceError::Unsupported(format!(
                "{what}: Docker schema 1 manifests are not supported (deprecated since 2017)"
            )));
        }
        let mut doc = ManifestOrIndex::parse(&body, &format!("{what}: manifest"))?;
        // The registry's Content-Type states the kind when the document does not.
        if doc.media_type.is_none() {
            doc.media_type = content_type
                .filter(|t| t.starts_with("application/vnd."))
                .map(|t| t.split(';').next().unwrap_or_default().trim().to_string());
        }
        Ok((doc, computed, body))
    }

    /// Fetch a small blob (a config) and verify it against its digest.
    pub fn small_blob(&self, digest: &Digest) -> Result<Vec<u8>, SourceError> {
        let path = format!("blobs/{digest}");
        let resp = self.get(&path, None)?;
        let what = format!(
            "{}/{}@{digest}",
            self.reference.host, self.reference.repository
        );
        check_status(&resp, &what, &self.what(&path))?;
        let body = read_limited(resp, MAX_JSON_BYTES)
            .map_err(|e| remote(self.what(&path), e.to_string()))?;
        let got = Digest::of(digest.algorithm(), &body);
        if &got != digest {
            return Err(SourceError::DigestMismatch {
                what: format!("{what}: blob"),
                expected: digest.to_string(),
                actual: got.to_string(),
            });
        }
        Ok(body)
    }

    /// Open a blob for streaming (redirects followed); the caller verifies the bytes.
    pub fn open_blob(&self, digest: &str) -> io::Result<Box<dyn Read + Send>> {
        let path = format!("blobs/{digest}");
        let resp = self.get(&path, None).map_err(io::Error::other)?;
        let what = format!(
            "{}/{}@{digest}",
            self.reference.host, self.reference.repository
        );
        check_status(&resp, &what, &self.what(&path)).map_err(io::Error::other)?;
        Ok(Box::new(resp.into_body().into_reader()))
    }
}

fn check_status(
    resp: &ureq::http::Response<ureq::Body>,
    what: &str,
    request: &str,
) -> Result<(), SourceError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    if status == 404 {
        return Err(SourceError::NotFound {
            what: what.to_string(),
        });
    }
    Err(remote(request, format!("HTTP {status}")))
}

/// The registry's error message from an error body (`{"errors":[{"message":...}]}`), for
/// error reports; empty when there is none.
fn error_message(resp: ureq::http::Response<ureq::Body>) -> String {
    #[derive(Deserialize)]
    struct Errors {
        #[serde(default)]
        errors: Vec<ErrorEntry>,
    }
    #[derive(Deserialize)]
    struct ErrorEntry {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    let status = resp.status();
    let body = read_limited(resp, 64 << 10).unwrap_or_default();
    match serde_json::from_slice::<Errors>(&body) {
        Ok(e) if !e.errors.is_empty() => e
            .errors
            .iter()
            .map(|x| format!("{}: {}", x.code, x.message))
            .collect::<Vec<_>>()
            .join("; "),
        _ => format!("HTTP {status}"),
    }
}

/// Read a response body, refusing more than `limit` bytes.
fn read_limited(resp: ureq::http::Response<ureq::Body>, limit: u64) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    resp.into_body()
        .into_reader()
        .take(limit + 1)
        .read_to_end(&mut data)?;
    if data.len() as u64 > limit {
        return Err(io::Error::other(format!(
            "document exceeds the {limit}-byte limit"
        )));
    }
    Ok(data)
}

/// Open `registry:REFERENCE` with the current user's Docker credentials.
pub fn open_registry(reference: &str, opts: &SourceOptions) -> Result<Image, SourceError> {
    let parsed = Reference::parse(reference)?;
    let credential = DockerConfig::from_env()?.credential_for(&parsed.host)?;
    open_registry_with(reference, opts, credential)
}

/// Open `registry:REFERENCE` with the given credential (or anonymously).
pub fn open_registry_with(
    reference: &str,
    opts: &SourceOptions,
    credential: Option<Credential>,
) -> Result<Image, SourceError> {
    let parsed = Reference::parse(reference)?;
    let client = Arc::new(RegistryClient::connect(&parsed, credential, opts.insecure)?);
    let (mut doc, mut digest, _) = client.manifest(parsed.manifest_reference())?;
    for _depth in 0..4 {
        if !doc.is_index() {
            return image_from_registry(client, &parsed, reference, doc, digest);
        }
        let entries = doc.manifests.clone().unwrap_or_default();
        let desc = oci::select_platform(&entries, &opts.platform)
            .or_else(|| {
                if entries.len() == 1 {
                    entries.first()
                } else {
                    None
                }
            })
            .ok_or_else(|| {
                let have: Vec<String> = entries
                    .iter()
                    .filter_map(|d| d.platform.as_ref())
                    .map(|p| match &p.variant {
                        Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
                        None => format!("{}/{}", p.os, p.architecture),
                    })
                    .collect();
                SourceError::NotFound {
                    what: format!(
                        "{parsed}: no manifest for platform {} in index {digest} (it has {})",
                        opts.platform,
                        have.join(", ")
                    ),
                }
            })?;
        Digest::parse(&desc.digest).map_err(|e| SourceError::Malformed {
            what: format!("{parsed}: index {digest}"),
            reason: e.to_string(),
        })?;
        (doc, digest, _) = client.manifest(&desc.digest)?;
    }
    Err(SourceError::Hostile {
        image: parsed.to_string(),
        reason: "image indexes nested more than 4 deep".into(),
    })
}

fn image_from_registry(
    client: Arc<RegistryClient>,
    parsed: &Reference,
    original: &str,
    manifest: ManifestOrIndex,
    manifest_digest: Digest,
) -> Result<Image, SourceError> {
    let what = format!("{parsed}: manifest {manifest_digest}");
    let malformed = |reason: String| SourceError::Malformed {
        what: what.clone(),
        reason,
    };
    let config_desc = manifest
        .config
        .as_ref()
        .ok_or_else(|| malformed("no config descriptor".into()))?;
    let config_digest =
        Digest::parse(&config_desc.digest).map_err(|e| malformed(format!("config: {e}")))?;
    let config_bytes = client.small_blob(&config_digest)?;
    let config: ImageConfig =
        serde_json::from_slice(&config_bytes).map_err(|e| SourceError::Malformed {
            what: format!("{parsed}: config {config_digest}"),
            reason: e.to_string(),
        })?;
    let layers = manifest.layers.clone().unwrap_or_default();
    if layers.len() != config.rootfs.diff_ids.len() {
        return Err(malformed(format!(
            "{} layers but the config lists {} diff_ids",
            layers.len(),
            config.rootfs.diff_ids.len()
        )));
    }
    let history = config.layer_history();
    let mut infos = Vec::new();
    let mut inputs = Vec::new();
    for (index, desc) in layers.iter().enumerate() {
        Digest::parse(&desc.digest).map_err(|e| malformed(format!("layer {index}: {e}")))?;
        let info = config.layer_info(
            &history,
            index,
            Some(desc.digest.clone()),
            Some(desc.media_type.clone()).filter(|m| !m.is_empty()),
            Some(desc.size),
        );
        let c = Arc::clone(&client);
        let digest = desc.digest.clone();
        inputs.push(crate::config::blob_input(
            &info,
            Box::new(move || c.open_blob(&digest)),
        ));
        infos.push(info);
    }
    let platform = Some(config.platform());
    let mut annotations: BTreeMap<String, String> = manifest.annotations.clone();
    annotations.retain(|k, _| !k.is_empty());
    Ok(Image {
        meta: ImageMeta {
            target: format!("registry:{original}"),
            source: "registry",
            names: vec![parsed.to_string()],
            manifest_digest: Some(manifest_digest.to_string()),
            config_digest: Some(config_digest.to_string()),
            platform,
            config: Some(config),
            annotations,
            layers: infos,
            base: None,
        },
        plan: LayerPlan::Blobs(inputs),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Reference {
        Reference::parse(s).unwrap()
    }

    #[test]
    fn docker_hub_normalisation() {
        let a = r("alpine");
        assert_eq!(
            (
                a.host.as_str(),
                a.repository.as_str(),
                a.tag.as_deref(),
                a.digest.as_deref()
            ),
            (
                "registry-1.docker.io",
                "library/alpine",
                Some("latest"),
                None
            )
        );
        assert_eq!(a.to_string(), "docker.io/library/alpine:latest");
        let b = r("docker.io/user/app:1.2");
        assert_eq!(
            (b.host.as_str(), b.repository.as_str(), b.tag.as_deref()),
            ("registry-1.docker.io", "user/app", Some("1.2"))
        );
        let c = r("index.docker.io/nginx");
        assert_eq!(c.repository, "library/nginx");
        let d = r("user/app");
        assert_eq!(d.host, "registry-1.docker.io");
        assert_eq!(d.repository, "user/app");
    }

    #[test]
    fn hosts_ports_tags_digests() {
        let dg = "sha256:".to_string() + &"ab".repeat(32);
        let a = r(&format!("localhost:5000/a/b@{dg}"));
        assert_eq!(
            (
                a.host.as_str(),
                a.repository.as_str(),
                a.tag.as_deref(),
                a.digest.as_deref()
            ),
            ("localhost:5000", "a/b", None, Some(dg.as_str()))
        );
        assert_eq!(a.manifest_reference(), dg);
        assert!(a.is_loopback());
        let b = r(&format!("ghcr.io/o/r:v1@{dg}"));
        assert_eq!(b.tag.as_deref(), Some("v1"));
        assert_eq!(b.manifest_reference(), dg);
        assert!(!b.is_loopback());
        assert!(r("127.0.0.7:80/x").is_loopback());
        assert!(r("[::1]:5000/x").is_loopback());
        assert!(!r("[2001:db8::1]:5000/x").is_loopback());
        assert!(!r("localhost.evil.example/x").is_loopback());
        assert_eq!(r("registry.example:5000/x:t").tag.as_deref(), Some("t"));
        for bad in [
            "",
            "Alpine",
            "alpine:",
            "alpine@sha256:12",
            "host.example/",
            "a//b",
            "alpine:bad/tag",
            "x:-t",
            "h\u{e9}st.example/a",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
    }

    /// Random references built from the characters that matter never panic the parser, and
    /// whatever it accepts prints back to something it accepts again, unchanged.
    #[test]
    fn random_references_do_not_panic() {
        let alphabet: Vec<char> = "aZ09./:@-_[]sha256:"
            .chars()
            .chain(['\u{e9}', ' '])
            .collect();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 24) as usize;
            let s: String = (0..len)
                .map(|i| alphabet[((x >> (i % 8 * 8)) as usize + i) % alphabet.len()])
                .collect();
            if let Ok(r) = Reference::parse(&s) {
                let again = Reference::parse(&r.to_string()).unwrap();
                assert_eq!(again, r, "{s}");
            }
        }
    }
}
