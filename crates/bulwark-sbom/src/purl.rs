//! Package URL parsing (<https://github.com/package-url/purl-spec>): just what the readers need
//! to learn a package's kind, namespace and qualifiers.

use std::collections::BTreeMap;

use bulwark_catalog::PackageKind;

/// A parsed purl, components percent-decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Purl {
    /// Type, lower case (`deb`, `pypi`).
    pub ty: String,
    /// Namespace segments joined by `/`.
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// Qualifiers by key.
    pub qualifiers: BTreeMap<String, String>,
}

/// Decode `%XX` escapes; malformed escapes are kept as written.
pub(crate) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Purl {
    /// Parse `pkg:type/namespace/name@version?qualifiers#subpath`; `None` when it is not a purl.
    pub fn parse(s: &str) -> Option<Purl> {
        let rest = s.trim().strip_prefix("pkg:")?;
        let rest = rest.trim_start_matches('/');
        let rest = rest.split_once('#').map_or(rest, |(a, _)| a);
        let (rest, quals) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let mut qualifiers = BTreeMap::new();
        for pair in quals.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            if let Some((k, v)) = pair.split_once('=') {
                qualifiers.insert(k.to_ascii_lowercase(), decode(v));
            }
        }
        let (ty, path) = rest.split_once('/')?;
        // The version follows the last `@` of the path (npm scopes are `%40`-encoded, but
        // some writers leave them bare: `pkg:npm/@scope/name@1`).
        let path = path.trim_end_matches('/');
        let (path, version) = match path.rfind('@') {
            Some(at) if at > 0 && !path[..at].ends_with('/') => {
                (&path[..at], Some(decode(&path[at + 1..])))
            }
            _ => (path, None),
        };
        let mut segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode)
            .collect();
        let name = segments.pop()?;
        let namespace = if segments.is_empty() {
            None
        } else {
            Some(segments.join("/"))
        };
        Some(Purl {
            ty: ty.to_ascii_lowercase(),
            namespace,
            name,
            version,
            qualifiers,
        })
    }

    /// The package kind this purl type belongs to; unknown types are binaries.
    pub fn kind(&self) -> PackageKind {
        kind_of_type(&self.ty)
    }
}

/// The package kind of a purl type.
pub(crate) fn kind_of_type(ty: &str) -> PackageKind {
    match ty {
        "deb" => PackageKind::Deb,
        "apk" | "alpine" => PackageKind::Apk,
        "rpm" => PackageKind::Rpm,
        "pypi" => PackageKind::Python,
        "npm" => PackageKind::Npm,
        "golang" => PackageKind::Go,
        "cargo" => PackageKind::Cargo,
        "maven" => PackageKind::Maven,
        "gem" => PackageKind::Gem,
        "composer" => PackageKind::Composer,
        "nuget" => PackageKind::Nuget,
        _ => PackageKind::Binary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_examples() {
        let p = Purl::parse(
            "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=gcc-12",
        )
        .unwrap();
        assert_eq!(p.ty, "deb");
        assert_eq!(p.namespace.as_deref(), Some("debian"));
        assert_eq!(p.name, "libstdc++6");
        assert_eq!(p.version.as_deref(), Some("12.2.0-14+deb12u1"));
        assert_eq!(p.qualifiers["upstream"], "gcc-12");
        assert_eq!(p.kind(), PackageKind::Deb);

        let p = Purl::parse("pkg:npm/%40babel/core@7.0.0").unwrap();
        assert_eq!(p.namespace.as_deref(), Some("@babel"));
        assert_eq!(p.name, "core");
        let p = Purl::parse("pkg:npm/@babel/core@7.0.0").unwrap();
        assert_eq!(p.namespace.as_deref(), Some("@babel"));
        assert_eq!(p.version.as_deref(), Some("7.0.0"));
        let p = Purl::parse("pkg:golang/github.com/a/b@v1.2.3").unwrap();
        assert_eq!(p.namespace.as_deref(), Some("github.com/a"));
        assert_eq!(p.kind(), PackageKind::Go);
        let p = Purl::parse("pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&epoch=1").unwrap();
        assert_eq!(p.qualifiers["epoch"], "1");
        let p = Purl::parse("pkg:generic/openssl").unwrap();
        assert_eq!(p.version, None);
        assert_eq!(p.kind(), PackageKind::Binary);
        assert_eq!(Purl::parse("cpe:2.3:a"), None);
        assert_eq!(decode("a%2"), "a%2");
    }
}
