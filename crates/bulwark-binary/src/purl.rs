//! Package URL and CPE building for the packages this crate reports.
//!
//! Hand-written because the three purl types used here (`golang`, `cargo`, `maven`, `generic`)
//! only need percent-encoding of path segments and versions; a purl crate would add parsing and
//! validation nobody here uses.

/// Percent-encode one purl component (a namespace segment, a name or a version): everything
/// outside the unreserved set `A-Z a-z 0-9 . - _ ~` is escaped, as the purl spec asks.
pub(crate) fn encode(component: &str) -> String {
    let mut out = String::with_capacity(component.len());
    for b in component.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Encode a `/`-separated path (namespace plus name) segment by segment.
fn encode_path(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// `pkg:golang/<module path>@<version>`.
pub(crate) fn golang(path: &str, version: &str) -> String {
    with_version(format!("pkg:golang/{}", encode_path(path)), version)
}

/// `pkg:cargo/<name>@<version>`.
pub(crate) fn cargo(name: &str, version: &str) -> String {
    with_version(format!("pkg:cargo/{}", encode(name)), version)
}

/// `pkg:maven/<group>/<artifact>@<version>` (no namespace when the group is unknown).
pub(crate) fn maven(group: Option<&str>, artifact: &str, version: &str) -> String {
    let base = match group {
        Some(g) if !g.is_empty() => format!("pkg:maven/{}/{}", encode(g), encode(artifact)),
        _ => format!("pkg:maven/{}", encode(artifact)),
    };
    with_version(base, version)
}

/// `pkg:generic/<name>@<version>`.
pub(crate) fn generic(name: &str, version: &str) -> String {
    with_version(format!("pkg:generic/{}", encode(name)), version)
}

fn with_version(base: String, version: &str) -> String {
    if version.is_empty() {
        base
    } else {
        format!("{base}@{}", encode(version))
    }
}

/// A CPE 2.3 formatted string for an application, with the version quoted as the CPE spec
/// requires (`:` and other specials escaped by a backslash).
pub(crate) fn cpe(vendor: &str, product: &str, version: &str, update: &str) -> String {
    let quote = |s: &str| {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-' {
                out.push(c);
            } else {
                out.push('\\');
                out.push(c);
            }
        }
        out
    };
    let update = if update.is_empty() {
        "*".to_string()
    } else {
        quote(update)
    };
    format!(
        "cpe:2.3:a:{vendor}:{product}:{}:{update}:*:*:*:*:*:*",
        quote(version)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_escape_what_the_spec_reserves() {
        assert_eq!(
            golang("github.com/x/y", "v1.2.3+incompatible"),
            "pkg:golang/github.com/x/y@v1.2.3%2Bincompatible"
        );
        assert_eq!(
            maven(Some("org.apache"), "commons-io", "2.11.0"),
            "pkg:maven/org.apache/commons-io@2.11.0"
        );
        assert_eq!(maven(None, "foo", "1"), "pkg:maven/foo@1");
        assert_eq!(cargo("itoa", "1.0.9"), "pkg:cargo/itoa@1.0.9");
        assert_eq!(generic("node", ""), "pkg:generic/node");
        assert_eq!(
            cpe("nodejs", "node.js", "20.1.0", ""),
            "cpe:2.3:a:nodejs:node.js:20.1.0:*:*:*:*:*:*:*"
        );
        assert_eq!(
            cpe("oracle", "jdk", "1.8.0", "update392"),
            "cpe:2.3:a:oracle:jdk:1.8.0:update392:*:*:*:*:*:*"
        );
    }
}
