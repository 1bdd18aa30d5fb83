//! Built-in checks, one module per file kind, plus the helpers they share (image references,
//! secret detection, the finding collector).

pub mod compose;
pub mod daemon;
pub mod docker;
pub mod ecs;
pub mod k8s;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use bulwark_model::{Finding, Location};
use regex::Regex;

use crate::catalogue;
use crate::node::{Node, Span};

/// Collects the findings of one file.
pub struct Ctx<'a> {
    /// Display path of the file.
    pub file: &'a str,
    /// Registries images may come from (empty: every registry is trusted).
    pub trusted: &'a [String],
    /// Findings so far.
    pub findings: Vec<Finding>,
}

impl<'a> Ctx<'a> {
    /// A collector for `file`.
    pub fn new(file: &'a str, trusted: &'a [String]) -> Self {
        Ctx {
            file,
            trusted,
            findings: Vec::new(),
        }
    }

    /// Record a finding of built-in rule `id`.
    pub fn add(
        &mut self,
        id: impl catalogue::RuleKey,
        message: String,
        span: Span,
        logical: String,
    ) {
        let Some(def) = catalogue::get(id.key()) else {
            return;
        };
        let mut properties = BTreeMap::new();
        properties.insert("source".to_string(), serde_json::json!("builtin"));
        self.findings.push(Finding {
            rule_id: def.id.to_string(),
            severity: def.severity,
            title: def.title.to_string(),
            message,
            location: Location {
                file: self.file.to_string(),
                line: Some(span.start.line),
                column: Some(span.start.col),
                end_line: span.end.map(|e| e.line),
                end_column: span.end.map(|e| e.col),
                logical: Some(logical),
            },
            suppression: None,
            properties,
        });
    }

    /// Record a finding at a node.
    pub fn at(&mut self, id: impl catalogue::RuleKey, message: String, node: &Node, path: &str) {
        self.add(id, message, node.span, path.to_string());
    }
}

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host (`docker.io` when none is given).
    pub registry: String,
    /// Repository path.
    pub repo: String,
    /// Tag, if any.
    pub tag: Option<String>,
    /// Digest, if any.
    pub digest: Option<String>,
}

/// Split an image reference into registry, repository, tag and digest.
pub fn parse_image(s: &str) -> ImageRef {
    let (name, digest) = match s.split_once('@') {
        Some((n, d)) => (n, Some(d.to_string())),
        None => (s, None),
    };
    let last_slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (name, tag) = match name.get(last_slash..).and_then(|t| t.rfind(':')) {
        Some(i) => (
            name.get(..last_slash + i).unwrap_or(name),
            name.get(last_slash + i + 1..).map(str::to_string),
        ),
        None => (name, None),
    };
    let (registry, repo) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_string(), rest.to_string())
        }
        _ => ("docker.io".to_string(), name.to_string()),
    };
    ImageRef {
        registry,
        repo,
        tag,
        digest,
    }
}

/// Whether `image` comes from one of `trusted` (registry host, or host/path prefix).
pub fn is_trusted(image: &ImageRef, trusted: &[String]) -> bool {
    if trusted.is_empty() {
        return true;
    }
    let norm = |r: &str| -> String {
        match r {
            "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
                "docker.io".to_string()
            }
            other => other.to_ascii_lowercase(),
        }
    };
    let full = format!("{}/{}", norm(&image.registry), image.repo);
    trusted.iter().any(|t| {
        let t = t.trim().trim_end_matches('/');
        let (host, path) = match t.split_once('/') {
            Some((h, p)) => (norm(h), Some(p)),
            None => (norm(t), None),
        };
        match path {
            None => host == norm(&image.registry),
            Some(p) => full.starts_with(&format!("{host}/{p}/")) || full == format!("{host}/{p}"),
        }
    })
}

/// Whether an image reference has unresolved variables (nothing to judge then).
pub fn has_vars(s: &str) -> bool {
    s.contains('$')
}

/// The image checks shared by every kind: (untagged-or-latest message, digest message,
/// untrusted message), each `None` when fine.
pub fn image_problems(s: &str, trusted: &[String]) -> [Option<String>; 3] {
    let img = parse_image(s);
    let tag = match (&img.tag, &img.digest) {
        (None, None) => Some(format!("image `{s}` has no tag")),
        (Some(t), None) if t == "latest" => Some(format!("image `{s}` uses the `latest` tag")),
        _ => None,
    };
    let digest = img
        .digest
        .is_none()
        .then(|| format!("image `{s}` is not pinned by digest"));
    let untrusted = (!is_trusted(&img, trusted)).then(|| {
        format!(
            "image `{s}` comes from registry `{}`, which is not trusted",
            img.registry
        )
    });
    [tag, digest, untrusted]
}

fn re(cell: &'static OnceLock<Option<Regex>>, pat: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pat).ok()).as_ref()
}

/// Whether a variable name looks like it holds a secret.
pub fn secret_name(name: &str) -> bool {
    static NAME: OnceLock<Option<Regex>> = OnceLock::new();
    static NOT: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(yes) = re(
        &NAME,
        r"(?i)(passw(or)?d|passwd|(^|_)(pwd|pass|pw)($|_)|secret|token|api_?key|apikey|private_?key|access_?key|credential|auth_?key|client_?secret|signing_?key|encryption_?key)",
    ) else {
        return false;
    };
    let Some(no) = re(
        &NOT,
        r"(?i)(_file|_path|_dir|_url|_uri|_enabled|_length|_ttl|_expir\w*|_header|_name|_type|_id|public\w*)$",
    ) else {
        return false;
    };
    yes.is_match(name) && !no.is_match(name)
}

/// Whether a value is a reference to another variable rather than a literal.
pub fn is_reference(value: &str) -> bool {
    let v = value.trim();
    (v.starts_with("${") && v.ends_with('}') && v.matches('}').count() == 1)
        || (v.starts_with('$')
            && v.get(1..)
                .is_some_and(|r| r.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')))
}

/// If `value` looks like a credential, a short description of what it looks like.
pub fn secret_value(value: &str) -> Option<&'static str> {
    static PATTERNS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    let pats = PATTERNS.get_or_init(|| {
        [
            (r"\bAKIA[0-9A-Z]{16}\b", "AWS access key id"),
            (r"\bgh[pousr]_[A-Za-z0-9]{36,}\b", "GitHub token"),
            (
                r"\bgithub_pat_[A-Za-z0-9_]{40,}\b",
                "GitHub fine-grained token",
            ),
            (r"\bglpat-[A-Za-z0-9_\-]{20,}\b", "GitLab token"),
            (r"\bxox[abposr]-[A-Za-z0-9-]{10,}", "Slack token"),
            (r"\bAIza[0-9A-Za-z_\-]{35}\b", "Google API key"),
            (r"\b[sr]k_live_[0-9A-Za-z]{20,}\b", "Stripe live key"),
            (
                r"-----BEGIN ((RSA|EC|DSA|OPENSSH|PGP) )?PRIVATE KEY",
                "private key",
            ),
            (
                r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
                "JSON web token",
            ),
            (
                r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:[^/\s@]+@",
                "URL with embedded password",
            ),
        ]
        .into_iter()
        .filter_map(|(p, d)| Regex::new(p).ok().map(|r| (r, d)))
        .collect()
    });
    if let Some((_, d)) = pats.iter().find(|(r, _)| r.is_match(value)) {
        return Some(d);
    }
    if high_entropy(value) {
        return Some("high-entropy string");
    }
    None
}

/// A long random-looking token: no spaces, mixed classes, Shannon entropy >= 4.2 bits/char.
fn high_entropy(v: &str) -> bool {
    let v = v.trim();
    if v.len() < 24
        || v.len() > 512
        || v.contains(char::is_whitespace)
        || v.contains('/') && !v.contains('+')
    {
        return false;
    }
    let has = |f: fn(&char) -> bool| v.chars().any(|c| f(&c));
    if !(has(char::is_ascii_lowercase)
        && has(char::is_ascii_uppercase)
        && has(char::is_ascii_digit))
    {
        return false;
    }
    let mut counts = std::collections::HashMap::new();
    for c in v.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = v.chars().count() as f64;
    let h: f64 = counts
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum();
    h >= 4.2
}

/// Capabilities outside the Pod Security Standards baseline set that allow escapes or host
/// interference.
pub fn dangerous_cap(cap: &str) -> bool {
    let c = cap.trim().to_ascii_uppercase();
    let c = c.strip_prefix("CAP_").unwrap_or(&c);
    !matches!(
        c,
        "AUDIT_WRITE"
            | "CHOWN"
            | "DAC_OVERRIDE"
            | "FOWNER"
            | "FSETID"
            | "KILL"
            | "MKNOD"
            | "NET_BIND_SERVICE"
            | "SETFCAP"
            | "SETGID"
            | "SETPCAP"
            | "SETUID"
            | "SYS_CHROOT"
    )
}

/// Whether a host path is a container runtime socket.
pub fn runtime_socket(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    [
        "docker.sock",
        "containerd.sock",
        "crio.sock",
        "podman.sock",
        "dockershim.sock",
    ]
    .iter()
    .any(|s| p.ends_with(s))
        || matches!(
            p,
            "/var/run" | "/run" | "/var/run/docker" | "/run/containerd" | "/var/lib/docker"
        )
}

/// Whether a host path exposes host system state.
pub fn sensitive_path(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    if p.is_empty() {
        return true; // "/" itself
    }
    [
        "/etc",
        "/proc",
        "/sys",
        "/boot",
        "/dev",
        "/root",
        "/var/run",
        "/run",
        "/var/lib/docker",
        "/var/lib/kubelet",
        "/lib/modules",
        "/usr",
        "/bin",
        "/sbin",
        "/lib",
        "/var/log",
    ]
    .iter()
    .any(|s| p == *s || p.starts_with(&format!("{s}/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_refs() {
        let i = parse_image("ghcr.io/org/app:1.2@sha256:abc");
        assert_eq!(
            (
                i.registry.as_str(),
                i.repo.as_str(),
                i.tag.as_deref(),
                i.digest.as_deref()
            ),
            ("ghcr.io", "org/app", Some("1.2"), Some("sha256:abc"))
        );
        let i = parse_image("localhost:5000/app");
        assert_eq!(
            (i.registry.as_str(), i.repo.as_str(), i.tag),
            ("localhost:5000", "app", None)
        );
        let i = parse_image("nginx");
        assert_eq!(
            (i.registry.as_str(), i.repo.as_str()),
            ("docker.io", "nginx")
        );
        let t = vec!["docker.io".to_string(), "ghcr.io/org".to_string()];
        assert!(is_trusted(&parse_image("nginx:1"), &t));
        assert!(is_trusted(&parse_image("ghcr.io/org/x:1"), &t));
        assert!(!is_trusted(&parse_image("ghcr.io/other/x:1"), &t));
        assert!(!is_trusted(&parse_image("quay.io/x:1"), &t));
    }

    #[test]
    fn secrets() {
        assert!(secret_name("DB_PASSWORD"));
        assert!(secret_name("GITHUB_TOKEN"));
        assert!(secret_name("api_key"));
        assert!(secret_name("MYSQL_ROOT_PASS"));
        assert!(secret_name("REDIS_PASSWD"));
        assert!(secret_name("DB_PW"));
        assert!(!secret_name("PASSENGER_VERSION"));
        assert!(!secret_name("BYPASS_CACHE"));
        assert!(!secret_name("DB_PASSWORD_FILE"));
        assert!(!secret_name("PATH"));
        assert!(!secret_name("TOKEN_URL"));
        assert_eq!(
            secret_value("AKIAABCDEFGHIJKLMNOP"),
            Some("AWS access key id")
        );
        assert_eq!(
            secret_value("postgres://u:p4ss@db/x"),
            Some("URL with embedded password")
        );
        assert_eq!(
            secret_value("Zx8kQ2pL9vN4mR7tY1wE5sA3dF6gH0jK"),
            Some("high-entropy string")
        );
        assert_eq!(secret_value("/usr/local/bin:/usr/bin"), None);
        assert_eq!(secret_value("hello world"), None);
        assert!(is_reference("${DB_PASS}"));
        assert!(is_reference("$DB_PASS"));
        assert!(!is_reference("${A}x${B}"));
    }
}
