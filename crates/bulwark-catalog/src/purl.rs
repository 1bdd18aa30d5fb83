//! Package URL parsing (<https://github.com/package-url/purl-spec>): one reader for every stage
//! that receives purls from outside (SBOM readers, VEX documents, exception files). Building
//! purls stays with the catalogers that know each ecosystem's spelling.

use std::collections::BTreeMap;

use crate::PackageKind;

/// A parsed purl, components percent-decoded, type and qualifier keys lower case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purl {
    /// Type, lower case (`deb`, `pypi`).
    pub ty: String,
    /// Namespace segments joined by `/` (`debian`, `@babel`, `github.com/gin-gonic`).
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// Version, when given and not empty.
    pub version: Option<String>,
    /// Qualifiers by lower-case key, values decoded.
    pub qualifiers: BTreeMap<String, String>,
}

impl Purl {
    /// Parse `pkg:type/namespace/name@version?qualifiers#subpath`; `None` when it is not a
    /// purl (no `pkg:` scheme, no type or no name).
    pub fn parse(text: &str) -> Option<Purl> {
        let rest = text.trim().strip_prefix("pkg:")?;
        let rest = rest.trim_start_matches('/');
        let rest = rest.split_once('#').map_or(rest, |(a, _)| a);
        let (path, quals) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let mut qualifiers = BTreeMap::new();
        for pair in quals.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            if let Some((k, v)) = pair.split_once('=') {
                qualifiers.insert(k.to_ascii_lowercase(), decode(v));
            }
        }
        let (ty, path) = path.split_once('/')?;
        // The version separator is the last `@` after the last `/`: an unencoded npm scope
        // (`pkg:npm/@babel/core`) starts with one.
        let last_slash = path.rfind('/').map_or(0, |i| i + 1);
        let (path, version) = match path.get(last_slash..).and_then(|tail| tail.rfind('@')) {
            Some(at) => {
                let at = last_slash + at;
                (
                    path.get(..at).unwrap_or(path),
                    path.get(at + 1..).map(decode),
                )
            }
            None => (path, None),
        };
        let mut segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode)
            .collect();
        let name = segments.pop().filter(|n| !n.is_empty())?;
        if ty.is_empty() {
            return None;
        }
        Some(Purl {
            ty: ty.to_ascii_lowercase(),
            namespace: (!segments.is_empty()).then(|| segments.join("/")),
            name,
            version: version.filter(|v| !v.is_empty()),
            qualifiers,
        })
    }

    /// The package kind this purl's type belongs to; unknown types are binaries.
    pub fn kind(&self) -> PackageKind {
        kind_of_type(&self.ty)
    }

    /// The qualifier `key` (lower case), if present.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers.get(key).map(String::as_str)
    }
}

/// The package kind of a purl type.
pub fn kind_of_type(ty: &str) -> PackageKind {
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
        "opkg" => PackageKind::Opkg,
        "bitnami" => PackageKind::Bitnami,
        _ => PackageKind::Binary,
    }
}

/// Decode `%XX` escapes; malformed escapes are kept as written.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
        let p = Purl::parse("pkg:npm/@babel/core").unwrap();
        assert_eq!((p.namespace.as_deref(), p.version), (Some("@babel"), None));
        let p = Purl::parse("pkg:golang/github.com/a/b@v1.2.3").unwrap();
        assert_eq!(p.namespace.as_deref(), Some("github.com/a"));
        assert_eq!(p.kind(), PackageKind::Go);
        let p = Purl::parse("pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&epoch=1").unwrap();
        assert_eq!(p.qualifier("epoch"), Some("1"));
        let p = Purl::parse("pkg:generic/openssl").unwrap();
        assert_eq!(p.version, None);
        assert_eq!(p.kind(), PackageKind::Binary);
        assert_eq!(Purl::parse("cpe:2.3:a"), None);
        assert_eq!(Purl::parse("pkg:deb"), None);
        assert_eq!(Purl::parse("pkg:/x@1"), None);
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(decode("%zz%41"), "%zzA");
    }
}
