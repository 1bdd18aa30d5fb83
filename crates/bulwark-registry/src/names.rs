//! Typed names at the edge: repository names, tags, digests, and the `/v2/` route a path means.
//!
//! The route parser is hand-written because repository names contain slashes: a router pattern
//! cannot match `/v2/<name>/manifests/<reference>` when `<name>` spans several segments.

use std::fmt;

use sha2::{Digest as _, Sha256};

/// A `sha256:<64 hex>` content digest (the only algorithm the registry stores; others are
/// refused as `DIGEST_INVALID` / `UNSUPPORTED` before anything is written).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

impl Digest {
    /// Parse `sha256:<64 lowercase hex>`.
    pub fn parse(s: &str) -> Option<Digest> {
        let hex = s.strip_prefix("sha256:")?;
        if hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Some(Digest(s.to_string()))
        } else {
            None
        }
    }

    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
    }

    /// The digest from a finished hasher.
    pub fn from_hasher(h: Sha256) -> Digest {
        Digest(format!("sha256:{}", hex::encode(h.finalize())))
    }

    /// The 64 hex digits.
    pub fn hex(&self) -> &str {
        &self.0[7..]
    }

    /// The digest as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `name` is a valid repository name per the spec:
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`, at most 255 bytes.
pub fn valid_repo(name: &str) -> bool {
    !name.is_empty() && name.len() <= 255 && name.split('/').all(valid_component)
}

fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    // Separators: '.', '_', '__', or any run of '-'; never mixed or longer runs.
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// Whether `tag` is a valid tag: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
pub fn valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'.' | b'-'))
}

/// The project a repository belongs to: its first path component.
pub fn project_of(repo: &str) -> &str {
    repo.split('/').next().unwrap_or(repo)
}

/// A manifest reference: a tag or a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// A tag.
    Tag(String),
    /// A digest.
    Digest(Digest),
}

impl Reference {
    /// Parse a reference; `None` when it is neither a valid tag nor a valid digest.
    pub fn parse(s: &str) -> Option<Reference> {
        if s.contains(':') {
            Digest::parse(s).map(Reference::Digest)
        } else if valid_tag(s) {
            Some(Reference::Tag(s.to_string()))
        } else {
            None
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Tag(t) => f.write_str(t),
            Reference::Digest(d) => f.write_str(d.as_str()),
        }
    }
}

/// What a path under `/v2/` addresses. Names and references are raw here; handlers validate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/v2/`
    Base,
    /// `/v2/_catalog`
    Catalog,
    /// `/v2/<name>/manifests/<reference>`
    Manifest(String, String),
    /// `/v2/<name>/blobs/<digest>`
    Blob(String, String),
    /// `/v2/<name>/blobs/uploads/`
    UploadStart(String),
    /// `/v2/<name>/blobs/uploads/<id>`
    Upload(String, String),
    /// `/v2/<name>/tags/list`
    Tags(String),
    /// `/v2/<name>/referrers/<digest>`
    Referrers(String, String),
}

impl Route {
    /// The route `path` (starting with `/v2/`) addresses, or `None`.
    pub fn parse(path: &str) -> Option<Route> {
        let rest = path.strip_prefix("/v2")?;
        if rest.is_empty() || rest == "/" {
            return Some(Route::Base);
        }
        let rest = rest.strip_prefix('/')?;
        if rest == "_catalog" {
            return Some(Route::Catalog);
        }
        if let Some(name) = rest.strip_suffix("/tags/list") {
            return Some(Route::Tags(name.to_string()));
        }
        if let Some(name) = rest
            .strip_suffix("/blobs/uploads/")
            .or_else(|| rest.strip_suffix("/blobs/uploads"))
        {
            return Some(Route::UploadStart(name.to_string()));
        }
        let (head, last) = rest.rsplit_once('/')?;
        let (name, kind) = head.rsplit_once('/')?;
        match kind {
            "manifests" => Some(Route::Manifest(name.to_string(), last.to_string())),
            "blobs" => Some(Route::Blob(name.to_string(), last.to_string())),
            "referrers" => Some(Route::Referrers(name.to_string(), last.to_string())),
            "uploads" => {
                let name = name.strip_suffix("/blobs")?;
                Some(Route::Upload(name.to_string(), last.to_string()))
            }
            _ => None,
        }
    }

    /// The repository the route is about, if any.
    pub fn repo(&self) -> Option<&str> {
        match self {
            Route::Base | Route::Catalog => None,
            Route::Manifest(n, _)
            | Route::Blob(n, _)
            | Route::UploadStart(n)
            | Route::Upload(n, _)
            | Route::Tags(n)
            | Route::Referrers(n, _) => Some(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_names() {
        for ok in ["a", "library/busybox", "a.b/c__d/e---f", "x0/y_z"] {
            assert!(valid_repo(ok), "{ok}");
        }
        for bad in [
            "", "A", "a//b", "-a", "a-", "a..b", "a___b", "a/", "/a", "a._b",
        ] {
            assert!(!valid_repo(bad), "{bad}");
        }
    }

    #[test]
    fn routes() {
        assert_eq!(Route::parse("/v2/"), Some(Route::Base));
        assert_eq!(
            Route::parse("/v2/a/b/manifests/latest"),
            Some(Route::Manifest("a/b".into(), "latest".into()))
        );
        assert_eq!(
            Route::parse("/v2/a/blobs/uploads/"),
            Some(Route::UploadStart("a".into()))
        );
        assert_eq!(
            Route::parse("/v2/a/b/blobs/uploads/xyz"),
            Some(Route::Upload("a/b".into(), "xyz".into()))
        );
        assert_eq!(
            Route::parse("/v2/a/tags/list"),
            Some(Route::Tags("a".into()))
        );
        assert_eq!(
            Route::parse("/v2/blobs/blobs/x"),
            Some(Route::Blob("blobs".into(), "x".into()))
        );
        assert_eq!(Route::parse("/v2/a/what/x"), None);
    }
}
