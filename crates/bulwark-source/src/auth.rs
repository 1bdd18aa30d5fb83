//! Registry credentials and authentication challenges: Docker's `config.json` (`auths`,
//! `credHelpers`, `credsStore`) and the `WWW-Authenticate` header.
//!
//! Only reading is supported: nothing here writes `config.json` or stores credentials.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde::Deserialize;

use crate::SourceError;

/// The address Docker uses for Docker Hub in `config.json` and with credential helpers.
pub const DOCKER_HUB_AUTH_ADDRESS: &str = "https://index.docker.io/v1/";

/// Credentials for one registry.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A user name and password (or personal access token), sent as HTTP basic auth or to the
    /// token server.
    Basic {
        /// User name.
        username: String,
        /// Password or access token.
        password: String,
    },
    /// An OAuth2 refresh token (`identitytoken` in `config.json`, or a helper answering with
    /// the user name `<token>`), exchanged at the token server.
    IdentityToken(String),
}

// Secrets stay out of logs and error messages.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Basic { username, .. } => {
                write!(
                    f,
                    "Basic {{ username: {username:?}, password: <redacted> }}"
                )
            }
            Credential::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

impl Credential {
    /// The `Authorization` header value for HTTP basic auth, when this is a user/password pair.
    pub fn basic_header(&self) -> Option<String> {
        match self {
            Credential::Basic { username, password } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
            )),
            Credential::IdentityToken(_) => None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperAnswer {
    #[serde(default)]
    username: String,
    #[serde(default)]
    secret: String,
}

/// Docker's client configuration, as far as credentials go.
#[derive(Debug, Default)]
pub struct DockerConfig {
    file: ConfigFile,
    /// Directory to look for `docker-credential-*` programs in; `None` searches `PATH`.
    helper_dir: Option<PathBuf>,
}

impl DockerConfig {
    /// The configuration of the current user: `$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json`. A missing file means no credentials; a malformed one is an
    /// error (silently pulling anonymously would hide the problem).
    pub fn from_env() -> Result<Self, SourceError> {
        let dir = match std::env::var_os("DOCKER_CONFIG") {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => match std::env::var_os("HOME") {
                Some(h) if !h.is_empty() => PathBuf::from(h).join(".docker"),
                _ => return Ok(DockerConfig::default()),
            },
        };
        Self::load(&dir)
    }

    /// Read `DIR/config.json` (absent file: no credentials).
    pub fn load(dir: &Path) -> Result<Self, SourceError> {
        let path = dir.join("config.json");
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(DockerConfig::default())
            }
            Err(e) => return Err(SourceError::io(&path, e)),
        };
        Self::parse(&data, &path.display().to_string())
    }

    /// Parse the text of a `config.json`.
    pub fn parse(data: &[u8], what: &str) -> Result<Self, SourceError> {
        let file = serde_json::from_slice(data).map_err(|e| SourceError::Malformed {
            what: what.to_string(),
            reason: e.to_string(),
        })?;
        Ok(DockerConfig {
            file,
            helper_dir: None,
        })
    }

    /// Look for `docker-credential-*` helpers in `dir` instead of on `PATH`.
    pub fn with_helper_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.helper_dir = Some(dir.into());
        self
    }

    /// The credentials for a registry host (`ghcr.io`, `localhost:5000`; Docker Hub under any
    /// of its names). Order as in Docker: `credHelpers[host]`, then `credsStore`, then `auths`.
    pub fn credential_for(&self, host: &str) -> Result<Option<Credential>, SourceError> {
        let hub = is_docker_hub(host);
        let address = if hub {
            DOCKER_HUB_AUTH_ADDRESS.to_string()
        } else {
            host.to_string()
        };
        let helper = self
            .file
            .cred_helpers
            .iter()
            .find(|(k, _)| same_registry(k, host))
            .map(|(_, v)| v)
            .or(self.file.creds_store.as_ref());
        if let Some(helper) = helper.filter(|h| !h.is_empty()) {
            if let Some(c) = self.run_helper(helper, &address)? {
                return Ok(Some(c));
            }
        }
        for (key, entry) in &self.file.auths {
            if !same_registry(key, host) {
                continue;
            }
            if let Some(token) = entry.identitytoken.as_ref().filter(|t| !t.is_empty()) {
                return Ok(Some(Credential::IdentityToken(token.clone())));
            }
            if let Some(auth) = entry.auth.as_ref().filter(|a| !a.is_empty()) {
                return decode_auth(auth, key).map(Some);
            }
            if let (Some(u), Some(p)) = (&entry.username, &entry.password) {
                return Ok(Some(Credential::Basic {
                    username: u.clone(),
                    password: p.clone(),
                }));
            }
        }
        Ok(None)
    }

    /// `docker-credential-<helper> get`, server address on stdin, JSON on stdout. A helper
    /// that has nothing for the address exits non-zero ("credentials not found"): no
    /// credential. A helper that cannot be started is an error naming it.
    fn run_helper(&self, helper: &str, address: &str) -> Result<Option<Credential>, SourceError> {
        // The helper name comes from a file and becomes a program name: no path tricks.
        if !helper
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            || helper.starts_with('.')
        {
            return Err(SourceError::Malformed {
                what: "docker config".into(),
                reason: format!("credential helper name `{helper}` is not a plain name"),
            });
        }
        let program = format!("docker-credential-{helper}");
        let path = match &self.helper_dir {
            Some(d) => d.join(&program),
            None => PathBuf::from(&program),
        };
        let fail = |reason: String| SourceError::Remote {
            what: format!("credential helper {program}"),
            reason,
        };
        let mut child = Command::new(&path)
            .arg("get")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| fail(format!("cannot run: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(address.as_bytes())
                .map_err(|e| fail(format!("writing to it: {e}")))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| fail(format!("waiting for it: {e}")))?;
        if !out.status.success() {
            tracing::debug!(
                "{program}: no credentials for {address}: {}",
                String::from_utf8_lossy(&out.stdout).trim()
            );
            return Ok(None);
        }
        let answer: HelperAnswer = serde_json::from_slice(&out.stdout)
            .map_err(|e| fail(format!("unreadable answer: {e}")))?;
        if answer.secret.is_empty() {
            return Ok(None);
        }
        Ok(Some(if answer.username == "<token>" {
            Credential::IdentityToken(answer.secret)
        } else {
            Credential::Basic {
                username: answer.username,
                password: answer.secret,
            }
        }))
    }
}

fn decode_auth(auth: &str, key: &str) -> Result<Credential, SourceError> {
    let bad = |reason: &str| SourceError::Malformed {
        what: format!("docker config: auths entry for {key}"),
        reason: reason.to_string(),
    };
    let raw = base64::engine::general_purpose::STANDARD
        .decode(auth.trim())
        .map_err(|_| bad("`auth` is not base64"))?;
    let text = String::from_utf8(raw).map_err(|_| bad("`auth` is not UTF-8"))?;
    let (username, password) = text
        .split_once(':')
        .ok_or_else(|| bad("`auth` is not user:password"))?;
    Ok(Credential::Basic {
        username: username.to_string(),
        password: password.to_string(),
    })
}

/// Whether a host is Docker Hub's registry.
pub fn is_docker_hub(host: &str) -> bool {
    matches!(
        host,
        "docker.io" | "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com"
    )
}

/// Whether a `config.json` key (`https://host/v1/`, `host`, `http://host:5000`) names `host`.
fn same_registry(key: &str, host: &str) -> bool {
    let k = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let k = k.split('/').next().unwrap_or(k);
    k.eq_ignore_ascii_case(host) || (is_docker_hub(k) && is_docker_hub(host))
}

/// One challenge of a `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme, lower-cased (`bearer`, `basic`).
    pub scheme: String,
    /// Parameters with lower-cased names (`realm`, `service`, `scope`).
    pub params: BTreeMap<String, String>,
}

/// Parse a `WWW-Authenticate` header value.
///
/// Hand-written: the grammar used by registries is one scheme followed by comma-separated
/// `name=value` or `name="quoted value"` pairs, and no small crate parses just that; a
/// malformed header yields whatever was parsed before the damage (the flow then fails with an
/// authentication error naming the registry rather than a parser error).
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = match header.find(' ') {
        Some(i) => (header.get(..i)?, header.get(i + 1..)?),
        None => (header, ""),
    };
    if scheme.is_empty() {
        return None;
    }
    let mut params = BTreeMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' {
                break;
            }
            name.push(c);
            chars.next();
        }
        if name.is_empty() {
            break;
        }
        if chars.next() != Some('=') {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        params.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    Some(Challenge {
        scheme: scheme.to_ascii_lowercase(),
        params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_bearer() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.docker.io/token");
        assert_eq!(c.params["service"], "registry.docker.io");
        assert_eq!(c.params["scope"], "repository:library/alpine:pull,push");
        let b = parse_challenge(r#"Basic realm="Registry Realm""#).unwrap();
        assert_eq!(b.scheme, "basic");
        assert_eq!(b.params["realm"], "Registry Realm");
        let q = parse_challenge(r#"Bearer realm=http://x/t, error="a\"b""#).unwrap();
        assert_eq!(q.params["realm"], "http://x/t");
        assert_eq!(q.params["error"], "a\"b");
        assert_eq!(parse_challenge(""), None);
        // Garbage does not panic.
        for s in [
            "Bearer =",
            "Bearer a",
            "Bearer a=\"",
            "Bearer ,,,=,",
            "\u{e9} \u{e9}=\"",
        ] {
            let _ = parse_challenge(s);
        }
    }

    #[test]
    fn config_auths_and_hub_aliases() {
        let cfg = DockerConfig::parse(
            br#"{"auths":{
                "https://index.docker.io/v1/":{"auth":"aHViOnNlY3JldA=="},
                "localhost:5000":{"auth":"dTpwOnE="},
                "http://reg.example:8080/v2/":{"identitytoken":"tok"},
                "bad.example":{"auth":"!!!"}
            }}"#,
            "t",
        )
        .unwrap();
        assert_eq!(
            cfg.credential_for("registry-1.docker.io").unwrap(),
            Some(Credential::Basic {
                username: "hub".into(),
                password: "secret".into()
            })
        );
        // The password may contain colons.
        assert_eq!(
            cfg.credential_for("localhost:5000").unwrap(),
            Some(Credential::Basic {
                username: "u".into(),
                password: "p:q".into()
            })
        );
        assert_eq!(
            cfg.credential_for("reg.example:8080").unwrap(),
            Some(Credential::IdentityToken("tok".into()))
        );
        assert_eq!(cfg.credential_for("ghcr.io").unwrap(), None);
        assert!(matches!(
            cfg.credential_for("bad.example"),
            Err(SourceError::Malformed { .. })
        ));
        assert_eq!(
            Credential::Basic {
                username: "u".into(),
                password: "p".into()
            }
            .basic_header()
            .unwrap(),
            "Basic dTpw"
        );
        assert!(!format!("{:?}", cfg.credential_for("localhost:5000").unwrap()).contains("p:q"));
    }

    #[cfg(unix)]
    #[test]
    fn credential_helpers() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // A helper that knows one server and records what it was asked.
        let script = format!(
            "#!/bin/sh\nread addr\necho \"$1 $addr\" >> {log}\ncase \"$addr\" in\n  reg.example) echo '{{\"ServerURL\":\"reg.example\",\"Username\":\"alice\",\"Secret\":\"s3\"}}';;\n  https://index.docker.io/v1/) echo '{{\"Username\":\"<token>\",\"Secret\":\"refresh\"}}';;\n  *) echo 'credentials not found in native keychain'; exit 1;;\nesac\n",
            log = dir.path().join("log").display()
        );
        let helper = dir.path().join("docker-credential-fake");
        std::fs::write(&helper, script).unwrap();
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let cfg = DockerConfig::parse(
            br#"{"credHelpers":{"reg.example":"fake"},"credsStore":"fake",
                 "auths":{"other.example":{"auth":"bzpw"}}}"#,
            "t",
        )
        .unwrap()
        .with_helper_dir(dir.path());
        assert_eq!(
            cfg.credential_for("reg.example").unwrap(),
            Some(Credential::Basic {
                username: "alice".into(),
                password: "s3".into()
            })
        );
        assert_eq!(
            cfg.credential_for("docker.io").unwrap(),
            Some(Credential::IdentityToken("refresh".into()))
        );
        // The store has nothing: fall back to `auths`.
        assert_eq!(
            cfg.credential_for("other.example").unwrap(),
            Some(Credential::Basic {
                username: "o".into(),
                password: "p".into()
            })
        );
        let log = std::fs::read_to_string(dir.path().join("log")).unwrap();
        assert_eq!(
            log,
            "get reg.example\nget https://index.docker.io/v1/\nget other.example\n"
        );
        let evil = DockerConfig::parse(br#"{"credsStore":"../x"}"#, "t").unwrap();
        assert!(matches!(
            evil.credential_for("a.example"),
            Err(SourceError::Malformed { .. })
        ));
        let missing = DockerConfig::parse(br#"{"credsStore":"nonexistent-zz"}"#, "t")
            .unwrap()
            .with_helper_dir(dir.path());
        let err = missing.credential_for("a.example").unwrap_err().to_string();
        assert!(err.contains("docker-credential-nonexistent-zz"), "{err}");
    }
}
