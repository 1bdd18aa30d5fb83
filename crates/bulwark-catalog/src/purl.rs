//! Package URLs (<https://github.com/package-url/purl-spec>): the one type every stage builds,
//! renders and parses purls with, and the one percent-encoder. Catalogers still decide each
//! ecosystem's spelling (namespace, qualifiers); the encoding rules live here only.
//!
//! Encoding follows the spec's character-encoding section: RFC 3986 unreserved characters
//! (`A-Z a-z 0-9 - . _ ~`) and the colon `:` (which "shall not be percent-encoded, whether used
//! as a separator or otherwise") are kept; everything else, `@` `+` `/` `?` `#` `%` included,
//! is `%XX`-escaped in namespace segments, names and versions. Qualifier values also keep `/`
//! (`repository_url=ghcr.io/acme/app`, as the spec's examples write them). Qualifiers with an
//! empty value are dropped and the rest are sorted by key (the canonical form).

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

    /// A purl of type `ty` (lower-cased) naming `name`, without namespace, version or
    /// qualifiers; add them with the `with_*` methods and render it with `to_string()`.
    ///
    /// ```
    /// use bulwark_catalog::purl::Purl;
    /// let p = Purl::new("deb", "libc6")
    ///     .with_namespace("debian")
    ///     .with_version("2.36-9+deb12u4")
    ///     .with_qualifier("distro", "debian-12")
    ///     .with_qualifier("arch", "amd64");
    /// assert_eq!(
    ///     p.to_string(),
    ///     "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
    /// );
    /// ```
    pub fn new(ty: &str, name: impl Into<String>) -> Purl {
        Purl {
            ty: ty.to_ascii_lowercase(),
            name: name.into(),
            ..Purl::default()
        }
    }

    /// With namespace `ns` (segments separated by `/`); an empty one is no namespace.
    pub fn with_namespace(mut self, ns: impl Into<String>) -> Purl {
        let ns = ns.into();
        self.namespace = (!ns.is_empty()).then_some(ns);
        self
    }

    /// With version `v`; an empty one is no version.
    pub fn with_version(mut self, v: impl Into<String>) -> Purl {
        let v = v.into();
        self.version = (!v.is_empty()).then_some(v);
        self
    }

    /// With qualifier `key` (lower-cased) set to `value`; an empty value is not written.
    pub fn with_qualifier(mut self, key: &str, value: impl Into<String>) -> Purl {
        self.qualifiers
            .insert(key.to_ascii_lowercase(), value.into());
        self
    }

    /// A purl whose namespace and name come from one `/`-separated path: the last segment is
    /// the name (`github.com/gin-gonic/gin` → namespace `github.com/gin-gonic`, name `gin`).
    pub fn from_path(ty: &str, path: &str) -> Purl {
        match path.rsplit_once('/') {
            Some((ns, name)) => Purl::new(ty, name).with_namespace(ns),
            None => Purl::new(ty, path),
        }
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

impl std::fmt::Display for Purl {
    /// The canonical form: `pkg:type/namespace/name@version?k=v&...`, components encoded by
    /// [`encode`], qualifiers sorted by key and empty ones dropped.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::with_capacity(64);
        out.push_str("pkg:");
        out.push_str(&self.ty);
        out.push('/');
        if let Some(ns) = &self.namespace {
            for segment in ns.split('/').filter(|s| !s.is_empty()) {
                encode_into(&mut out, segment, false);
                out.push('/');
            }
        }
        encode_into(&mut out, &self.name, false);
        if let Some(v) = self.version.as_deref().filter(|v| !v.is_empty()) {
            out.push('@');
            encode_into(&mut out, v, false);
        }
        let mut first = true;
        for (k, v) in self.qualifiers.iter().filter(|(_, v)| !v.is_empty()) {
            out.push(if first { '?' } else { '&' });
            first = false;
            out.push_str(k);
            out.push('=');
            encode_into(&mut out, v, true);
        }
        f.write_str(&out)
    }
}

/// Percent-encode one purl component (a namespace segment, a name or a version) as the spec
/// asks: RFC 3986 unreserved characters and `:` kept, every other byte `%XX`.
pub fn encode(component: &str) -> String {
    let mut out = String::with_capacity(component.len());
    encode_into(&mut out, component, false);
    out
}

/// The one percent-encoder; `keep_slash` for qualifier values.
fn encode_into(out: &mut String, s: &str, keep_slash: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b':')
            || (keep_slash && b == b'/')
        {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
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

    #[test]
    fn renders_the_canonical_form() {
        // `:` is kept everywhere (spec: never encoded), `+`, `@`, `/` and blanks are escaped.
        let deb = Purl::new("deb", "attr")
            .with_namespace("debian")
            .with_version("1:2.5.1-4");
        assert_eq!(deb.to_string(), "pkg:deb/debian/attr@1:2.5.1-4");
        let rpm = Purl::new("rpm", "bash")
            .with_namespace("redhat")
            .with_version("5.1.8-6.el9")
            .with_qualifier("epoch", "1")
            .with_qualifier("upstream", "")
            .with_qualifier("arch", "x86_64")
            .with_qualifier("distro", "rhel-9.2");
        assert_eq!(
            rpm.to_string(),
            "pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.2&epoch=1"
        );
        let npm = Purl::from_path("npm", "@babel/core").with_version("7.0.0");
        assert_eq!(npm.to_string(), "pkg:npm/%40babel/core@7.0.0");
        let go = Purl::from_path("golang", "github.com/x/y").with_version("v1.2.3+incompatible");
        assert_eq!(
            go.to_string(),
            "pkg:golang/github.com/x/y@v1.2.3%2Bincompatible"
        );
        // The spec's own example of a qualifier value with `+`, `:`, `/` and `@`.
        let vcs = Purl::new("generic", "bitwarderl").with_qualifier(
            "vcs_url",
            "git+https://git.fsfe.org/dxtr/bitwarderl@cc55108da32",
        );
        assert_eq!(
            vcs.to_string(),
            "pkg:generic/bitwarderl?vcs_url=git%2Bhttps://git.fsfe.org/dxtr/bitwarderl%40cc55108da32"
        );
        assert_eq!(encode("a b/c@d?e:f"), "a%20b%2Fc%40d%3Fe:f");
        assert_eq!(Purl::new("generic", "node").to_string(), "pkg:generic/node");
    }

    #[test]
    fn render_then_parse_round_trips() {
        for text in [
            "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12",
            "pkg:npm/%40babel/core@7.0.0",
            "pkg:golang/github.com/a/b@v1.2.3",
            "pkg:oci/app@sha256:ab?repository_url=localhost:5000/app&tag=1.2",
            "pkg:pypi/a%20b@1.0%231?x=%26%3D%3F",
        ] {
            let p = Purl::parse(text).unwrap();
            assert_eq!(p.to_string(), text);
            assert_eq!(Purl::parse(&p.to_string()), Some(p));
        }
    }
}
