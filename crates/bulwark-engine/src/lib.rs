//! A small async client for the Docker Engine API: hyper 1 (HTTP/1.1) over the daemon's unix
//! socket, plain TCP, or TCP with TLS (rustls with `ring`, client certificates as
//! `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH` or a `~/.docker` context give them).
//!
//! - [`Endpoint`] says where the daemon is: [`Endpoint::parse`] for a `unix://` or `tcp://` URL,
//!   [`Endpoint::from_env`] for the Docker CLI's rules (`DOCKER_HOST`, `DOCKER_CONTEXT`, the
//!   current context of `~/.docker/config.json`, then the default socket).
//! - [`Client`] sends requests: typed helpers for what Bulwark reads ([`Client::info`],
//!   [`Client::containers`], [`Client::inspect_container`], [`Client::top`], images, networks,
//!   volumes, swarm), [`Client::get_json`] for anything else, [`Client::get_stream`] for
//!   streaming endpoints such as `/events`.
//! - [`models`] holds serde types for the fields Bulwark uses; unknown fields are ignored and
//!   missing ones default, so older and newer daemons both parse.
//!
//! What it does not do: create, start or change anything (the client is read-only by design:
//! GET only), pool connections (each request opens its own connection, which on a unix socket
//! costs microseconds), or talk HTTP/2. The older blocking client in `bulwark-source` serves
//! image export for scans; this one serves the host audit, the monitor and the doors.

#![warn(missing_docs)]

pub mod endpoint;
pub mod models;

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde::de::DeserializeOwned;

pub use endpoint::{Endpoint, TlsFiles, Transport};

/// Largest response body read into memory (inspect data of a busy daemon stays far below).
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// Errors of the Engine API client.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The endpoint URL or environment is not usable.
    #[error("docker endpoint: {0}")]
    Endpoint(String),
    /// Reading TLS material failed.
    #[error("docker TLS: {0}")]
    Tls(String),
    /// Connecting to the daemon failed.
    #[error("cannot connect to the Docker daemon at {endpoint}: {source}")]
    Connect {
        /// The endpoint as text.
        endpoint: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// HTTP-level failure.
    #[error("docker API request {path}: {message}")]
    Http {
        /// Request path.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The daemon answered with an error status.
    #[error("docker API {path}: HTTP {status}: {message}")]
    Status {
        /// Request path.
        path: String,
        /// HTTP status code.
        status: u16,
        /// The daemon's `message`, or the body.
        message: String,
    },
    /// The response was not the JSON expected.
    #[error("docker API {path}: unexpected response: {source}")]
    Decode {
        /// Request path.
        path: String,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The request took longer than the client's timeout.
    #[error("docker API {0}: timed out")]
    Timeout(String),
}

/// A Docker Engine API client. Cheap to clone; every request opens its own connection.
#[derive(Clone)]
pub struct Client {
    endpoint: Endpoint,
    tls: Option<Arc<rustls::ClientConfig>>,
    api_version: Option<String>,
    timeout: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint.to_string())
            .field("api_version", &self.api_version)
            .finish()
    }
}

trait Io: hyper::rt::Read + hyper::rt::Write + Unpin + Send {}
impl<T: hyper::rt::Read + hyper::rt::Write + Unpin + Send> Io for T {}

impl Client {
    /// A client for `endpoint` (TLS material is read now, so errors surface early).
    pub fn new(endpoint: Endpoint) -> Result<Client, Error> {
        let tls = match &endpoint.transport {
            Transport::Tcp {
                tls: Some(files), ..
            } => Some(Arc::new(files.client_config()?)),
            _ => None,
        };
        Ok(Client {
            endpoint,
            tls,
            api_version: None,
            timeout: Duration::from_secs(60),
        })
    }

    /// A client for the endpoint the Docker CLI would use ([`Endpoint::from_env`]).
    pub fn from_env() -> Result<Client, Error> {
        Client::new(Endpoint::from_env()?)
    }

    /// Pin the API version (`"1.41"`): paths are sent as `/v1.41/...`. Unpinned paths get the
    /// daemon's own version.
    pub fn with_api_version(mut self, version: impl Into<String>) -> Client {
        self.api_version = Some(version.into());
        self
    }

    /// Per-request timeout (default 60 s; not applied to [`Client::get_stream`] bodies).
    pub fn with_timeout(mut self, timeout: Duration) -> Client {
        self.timeout = timeout;
        self
    }

    /// The endpoint this client talks to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    async fn connect(&self) -> Result<Box<dyn Io>, Error> {
        let err = |source| Error::Connect {
            endpoint: self.endpoint.to_string(),
            source,
        };
        match &self.endpoint.transport {
            Transport::Unix(path) => {
                let s = tokio::net::UnixStream::connect(path).await.map_err(err)?;
                Ok(Box::new(TokioIo::new(s)))
            }
            Transport::Tcp { host, port, .. } => {
                let s = tokio::net::TcpStream::connect((host.as_str(), *port))
                    .await
                    .map_err(err)?;
                let _ = s.set_nodelay(true);
                match &self.tls {
                    None => Ok(Box::new(TokioIo::new(s))),
                    Some(cfg) => {
                        let name = rustls_pki_types::ServerName::try_from(host.clone())
                            .map_err(|e| Error::Tls(format!("server name `{host}`: {e}")))?;
                        let tls = tokio_rustls::TlsConnector::from(cfg.clone())
                            .connect(name, s)
                            .await
                            .map_err(err)?;
                        Ok(Box::new(TokioIo::new(tls)))
                    }
                }
            }
        }
    }

    fn full_path(&self, path: &str) -> String {
        match &self.api_version {
            Some(v) => format!("/v{v}{path}"),
            None => path.to_string(),
        }
    }

    /// Send `GET path` and return the status and the response body (the body of a success
    /// is returned as is; an error status becomes [`Error::Status`]).
    async fn send(&self, path: &str) -> Result<hyper::Response<Incoming>, Error> {
        let http = |message: String| Error::Http {
            path: path.to_string(),
            message,
        };
        let io = self.connect().await?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
            .await
            .map_err(|e| http(e.to_string()))?;
        // The connection task ends when the response body is done or dropped.
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let req = Request::get(self.full_path(path))
            .header(hyper::header::HOST, "docker")
            .header(hyper::header::USER_AGENT, "bulwark")
            .body(Empty::<Bytes>::new())
            .map_err(|e| http(e.to_string()))?;
        sender
            .send_request(req)
            .await
            .map_err(|e| http(e.to_string()))
    }

    async fn read_body(path: &str, body: Incoming) -> Result<Bytes, Error> {
        Ok(Limited::new(body, MAX_BODY)
            .collect()
            .await
            .map_err(|e| Error::Http {
                path: path.to_string(),
                message: format!("reading body: {e}"),
            })?
            .to_bytes())
    }

    /// `GET path` (with query string), returning the raw body of a 2xx response.
    pub async fn get(&self, path: &str) -> Result<Bytes, Error> {
        let fut = async {
            let resp = self.send(path).await?;
            let status = resp.status();
            let body = Self::read_body(path, resp.into_body()).await?;
            if !status.is_success() {
                return Err(status_error(path, status, &body));
            }
            Ok(body)
        };
        tokio::time::timeout(self.timeout, fut)
            .await
            .map_err(|_| Error::Timeout(path.to_string()))?
    }

    /// `GET path` and decode the JSON answer as `T`.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        let body = self.get(path).await?;
        serde_json::from_slice(&body).map_err(|source| Error::Decode {
            path: path.to_string(),
            source,
        })
    }

    /// `GET path` and hand back the streaming body of a 2xx response (for `/events`, logs).
    /// Only connecting and the response head are bounded by the timeout.
    pub async fn get_stream(&self, path: &str) -> Result<Incoming, Error> {
        let resp = tokio::time::timeout(self.timeout, self.send(path))
            .await
            .map_err(|_| Error::Timeout(path.to_string()))??;
        let status = resp.status();
        if !status.is_success() {
            let body = Self::read_body(path, resp.into_body()).await?;
            return Err(status_error(path, status, &body));
        }
        Ok(resp.into_body())
    }

    /// `GET /_ping`: `Ok` when the daemon answers.
    pub async fn ping(&self) -> Result<(), Error> {
        self.get("/_ping").await.map(|_| ())
    }

    /// `GET /info`.
    pub async fn info(&self) -> Result<models::Info, Error> {
        self.get_json("/info").await
    }

    /// `GET /version`.
    pub async fn version(&self) -> Result<models::Version, Error> {
        self.get_json("/version").await
    }

    /// `GET /containers/json` (`all`: stopped ones too).
    pub async fn containers(&self, all: bool) -> Result<Vec<models::ContainerSummary>, Error> {
        self.get_json(&format!("/containers/json?all={all}")).await
    }

    /// `GET /containers/{id}/json`.
    pub async fn inspect_container(&self, id: &str) -> Result<models::ContainerInspect, Error> {
        self.get_json(&format!("/containers/{}/json", escape(id)))
            .await
    }

    /// `GET /containers/{id}/top` (processes as `ps -ef` shows them).
    pub async fn top(&self, id: &str) -> Result<models::Top, Error> {
        self.get_json(&format!("/containers/{}/top", escape(id)))
            .await
    }

    /// `GET /images/json`.
    pub async fn images(&self) -> Result<Vec<models::ImageSummary>, Error> {
        self.get_json("/images/json").await
    }

    /// `GET /images/{id}/json`.
    pub async fn inspect_image(&self, id: &str) -> Result<models::ImageInspect, Error> {
        self.get_json(&format!("/images/{}/json", escape(id))).await
    }

    /// `GET /images/{id}/history`.
    pub async fn image_history(&self, id: &str) -> Result<Vec<models::HistoryItem>, Error> {
        self.get_json(&format!("/images/{}/history", escape(id)))
            .await
    }

    /// `GET /networks`.
    pub async fn networks(&self) -> Result<Vec<models::Network>, Error> {
        self.get_json("/networks").await
    }

    /// `GET /volumes`.
    pub async fn volumes(&self) -> Result<models::VolumeList, Error> {
        self.get_json("/volumes").await
    }

    /// `GET /swarm` (an error status when the node is not a swarm manager).
    pub async fn swarm(&self) -> Result<models::Swarm, Error> {
        self.get_json("/swarm").await
    }

    /// `GET /nodes` (swarm managers only).
    pub async fn nodes(&self) -> Result<Vec<models::Node>, Error> {
        self.get_json("/nodes").await
    }

    /// `GET /services` (swarm managers only).
    pub async fn services(&self) -> Result<Vec<models::Service>, Error> {
        self.get_json("/services").await
    }
}

fn status_error(path: &str, status: StatusCode, body: &[u8]) -> Error {
    #[derive(serde::Deserialize)]
    struct Msg {
        message: String,
    }
    let message = serde_json::from_slice::<Msg>(body)
        .map(|m| m.message)
        .unwrap_or_else(|_| String::from_utf8_lossy(body).trim().to_string());
    Error::Status {
        path: path.to_string(),
        status: status.as_u16(),
        message,
    }
}

/// Percent-encode a path segment (container names and image references may hold `/` and `:`).
fn escape(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_segments() {
        assert_eq!(super::escape("ghcr.io/a/b:1"), "ghcr.io%2Fa%2Fb:1");
        assert_eq!(super::escape("abc 1?"), "abc%201%3F");
    }
}
