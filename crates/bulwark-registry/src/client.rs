//! A small blocking client for the admin API, used by the `bulwark registry` commands: finds
//! credentials (environment, then `~/.docker/config.json`) and sends JSON requests.

use base64::Engine as _;
use serde_json::Value;

/// Errors talking to a registry.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The request did not complete.
    #[error("{url}: {source}")]
    Transport {
        /// The URL.
        url: String,
        /// The cause.
        #[source]
        source: Box<ureq::Error>,
    },
    /// The registry answered with an error status.
    #[error("{url}: HTTP {status}: {message}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// The registry's error message.
        message: String,
    },
    /// The answer was not the JSON expected.
    #[error("{url}: unexpected answer: {detail}")]
    Answer {
        /// The URL.
        url: String,
        /// What was wrong.
        detail: String,
    },
}

/// Credentials for `server`: `BULWARK_REGISTRY_USER`/`BULWARK_REGISTRY_PASSWORD`, else the
/// `auths` entry for the server's host in `$DOCKER_CONFIG/config.json` or
/// `~/.docker/config.json` (as `docker login` writes it).
pub fn find_credentials(server: &str) -> Option<(String, String)> {
    if let (Ok(u), Ok(p)) = (
        std::env::var("BULWARK_REGISTRY_USER"),
        std::env::var("BULWARK_REGISTRY_PASSWORD"),
    ) {
        return Some((u, p));
    }
    let host = server
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".docker")))?;
    let text = std::fs::read_to_string(dir.join("config.json")).ok()?;
    let cfg: Value = serde_json::from_str(&text).ok()?;
    let auth = cfg.get("auths")?.get(host)?.get("auth")?.as_str()?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(auth)
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

/// A client for one registry.
#[derive(Debug)]
pub struct AdminClient {
    base: String,
    auth: Option<String>,
    agent: ureq::Agent,
}

impl AdminClient {
    /// A client for `server` (`http://host:port`), signing in with `creds`.
    pub fn new(server: &str, creds: Option<(String, String)>) -> AdminClient {
        let base = if server.contains("://") {
            server.to_string()
        } else {
            format!("http://{server}")
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        AdminClient {
            base: base.trim_end_matches('/').to_string(),
            auth: creds.map(|(u, p)| crate::auth::basic_header(&u, &p)),
            agent,
        }
    }

    fn finish(
        url: &str,
        resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<String, ClientError> {
        let mut resp = resp.map_err(|e| ClientError::Transport {
            url: url.to_string(),
            source: Box::new(e),
        })?;
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        if status >= 400 {
            let message = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| {
                    v.pointer("/errors/0/message")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .unwrap_or(text);
            return Err(ClientError::Status {
                url: url.to_string(),
                status,
                message,
            });
        }
        Ok(text)
    }

    /// POST JSON to `path`, returning the JSON answer.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value, ClientError> {
        self.send("POST", path, body)
    }

    /// Send JSON with `method` to `path`, returning the JSON answer.
    pub fn send(&self, method: &str, path: &str, body: &Value) -> Result<Value, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut b = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("content-type", "application/json");
        if let Some(a) = &self.auth {
            b = b.header("authorization", a);
        }
        let req = b.body(body.to_string()).map_err(|e| ClientError::Answer {
            url: url.clone(),
            detail: e.to_string(),
        })?;
        let text = Self::finish(&url, self.agent.run(req))?;
        serde_json::from_str(&text).map_err(|e| ClientError::Answer {
            url,
            detail: e.to_string(),
        })
    }

    /// GET `path` as text.
    pub fn get_text(&self, path: &str) -> Result<String, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut req = self.agent.get(&url);
        if let Some(a) = &self.auth {
            req = req.header("authorization", a);
        }
        Self::finish(&url, req.call())
    }
}
