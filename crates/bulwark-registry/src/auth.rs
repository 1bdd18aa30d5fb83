//! Authentication: argon2 password hashes, HTTP Basic credentials, Docker token-auth scopes and
//! the short-lived HS256 JWTs the `/token` endpoint issues (the registry both issues and checks
//! them, so a shared secret kept in the metadata database is enough; several processes on one
//! database share it).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::access::Action;
use crate::error::RegistryError;

/// `n` random bytes from the operating system, hex encoded.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // SystemRandom reads getrandom(2); it fails only when the kernel cannot supply entropy,
    // where no secret can be made safely at all.
    if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut buf).is_err() {
        tracing::error!("the operating system refused random bytes");
        std::process::abort();
    }
    hex::encode(buf)
}

/// Hash a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, RegistryError> {
    let salt_bytes = random_hex(16);
    let salt = SaltString::encode_b64(salt_bytes.as_bytes())
        .map_err(|e| RegistryError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| RegistryError::Hash(e.to_string()))
}

/// Check a password against a PHC hash.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Recently verified credentials, so that clients sending Basic credentials on every request
/// do not pay an argon2 computation each time. Keyed by a SHA-256 of name, password and
/// stored hash (a changed hash invalidates the entry); entries live one minute.
#[derive(Debug, Default)]
pub struct VerifyCache {
    seen: Mutex<HashMap<[u8; 32], Instant>>,
}

impl VerifyCache {
    /// Verify, consulting and filling the cache.
    pub fn verify(&self, name: &str, password: &str, phc: &str) -> bool {
        let key: [u8; 32] = Sha256::new()
            .chain_update(name.as_bytes())
            .chain_update([0])
            .chain_update(password.as_bytes())
            .chain_update([0])
            .chain_update(phc.as_bytes())
            .finalize()
            .into();
        {
            let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if seen
                .get(&key)
                .is_some_and(|t| t.elapsed() < Duration::from_secs(60))
            {
                return true;
            }
        }
        let ok = verify_password(password, phc);
        if ok {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if seen.len() > 4096 {
                seen.clear();
            }
            seen.insert(key, Instant::now());
        }
        ok
    }
}

/// Decode an `Authorization: Basic ...` value into name and password.
pub fn parse_basic(value: &str) -> Option<(String, String)> {
    let b64 = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

/// Encode name and password as an `Authorization: Basic ...` value.
pub fn basic_header(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// One access grant inside a token (Docker token spec `access` claim).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// `repository` or `registry`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Repository name (or `catalog`).
    pub name: String,
    /// Granted actions.
    pub actions: Vec<String>,
}

impl Grant {
    /// Parse a scope string `repository:NAME:ACTION[,ACTION...]`. The name may contain colons
    /// only before the last one (a registry host with port), so split from the right.
    pub fn parse_scope(scope: &str) -> Option<Grant> {
        let (rest, actions) = scope.rsplit_once(':')?;
        let (kind, name) = rest.split_once(':')?;
        Some(Grant {
            kind: kind.to_string(),
            name: name.to_string(),
            actions: actions
                .split(',')
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
        })
    }

    /// Whether the grant covers `action` on repository `repo`.
    pub fn covers(&self, repo: &str, action: Action) -> bool {
        self.kind == "repository"
            && self.name == repo
            && self
                .actions
                .iter()
                .any(|a| a == action.as_str() || a == "*")
    }
}

/// The claims of a registry token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer (the service name).
    pub iss: String,
    /// Subject: user or robot name, empty for anonymous.
    pub sub: String,
    /// Audience (the service name).
    pub aud: String,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Not before.
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
    /// Unique id.
    pub jti: String,
    /// Granted access.
    pub access: Vec<Grant>,
}

/// Sign claims with the registry's secret.
pub fn sign(claims: &Claims, secret: &[u8]) -> Result<String, RegistryError> {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .map_err(|e| RegistryError::Config(format!("signing token: {e}")))
}

/// Verify a token's signature, expiry, issuer and audience.
pub fn verify(token: &str, secret: &[u8], service: &str) -> Option<Claims> {
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.set_audience(&[service]);
    v.set_issuer(&[service]);
    v.leeway = 5;
    jsonwebtoken::decode::<Claims>(token, &jsonwebtoken::DecodingKey::from_secret(secret), &v)
        .ok()
        .map(|d| d.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        assert_eq!(
            Grant::parse_scope("repository:a/b:pull,push"),
            Some(Grant {
                kind: "repository".into(),
                name: "a/b".into(),
                actions: vec!["pull".into(), "push".into()]
            })
        );
        assert_eq!(
            Grant::parse_scope("registry:catalog:*").map(|g| g.name),
            Some("catalog".into())
        );
        assert_eq!(Grant::parse_scope("nonsense"), None);
    }

    #[test]
    fn passwords() {
        let h = hash_password("s3cret").unwrap();
        assert!(verify_password("s3cret", &h));
        assert!(!verify_password("s3cret!", &h));
        assert_eq!(
            parse_basic(&basic_header("u", "p:q")),
            Some(("u".into(), "p:q".into()))
        );
    }

    #[test]
    fn tokens() {
        let c = Claims {
            iss: "svc".into(),
            sub: "alice".into(),
            aud: "svc".into(),
            exp: crate::meta::now() + 60,
            nbf: crate::meta::now(),
            iat: crate::meta::now(),
            jti: "x".into(),
            access: vec![],
        };
        let t = sign(&c, b"k").unwrap();
        assert_eq!(verify(&t, b"k", "svc").map(|c| c.sub), Some("alice".into()));
        assert!(verify(&t, b"other", "svc").is_none());
        assert!(verify(&t, b"k", "other").is_none());
    }
}
