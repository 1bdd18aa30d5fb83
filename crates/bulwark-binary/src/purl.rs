//! Package URL and CPE building for the packages this crate reports; the purl spelling and
//! encoding are [`bulwark_catalog::purl::Purl`]'s.

use bulwark_catalog::purl::Purl;

/// `pkg:golang/<module path>@<version>`.
pub(crate) fn golang(path: &str, version: &str) -> String {
    let path = path.trim_matches('/');
    Purl::from_path("golang", path)
        .with_version(version)
        .to_string()
}

/// `pkg:cargo/<name>@<version>`.
pub(crate) fn cargo(name: &str, version: &str) -> String {
    Purl::new("cargo", name).with_version(version).to_string()
}

/// `pkg:maven/<group>/<artifact>@<version>` (no namespace when the group is unknown).
pub(crate) fn maven(group: Option<&str>, artifact: &str, version: &str) -> String {
    Purl::new("maven", artifact)
        .with_namespace(group.unwrap_or_default())
        .with_version(version)
        .to_string()
}

/// `pkg:generic/<name>@<version>`.
pub(crate) fn generic(name: &str, version: &str) -> String {
    Purl::new("generic", name).with_version(version).to_string()
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
