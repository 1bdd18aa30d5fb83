//! Package URL parsing and comparison, as the exception file and VEX matching need it.

/// The parts of a purl that identify a package (qualifiers other than `arch` and the subpath
/// are dropped), percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Purl {
    /// Type, lower case (`deb`, `npm`).
    pub ty: String,
    /// Namespace (`debian`, `@babel`, `org.apache.commons`), empty when none.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Version, when given.
    pub version: Option<String>,
    /// The `arch` qualifier, lower case: `source` / `src` marks a source package.
    pub arch: Option<String>,
    /// Every qualifier by lower-case key, values decoded (`distro`, `epoch`...).
    pub qualifiers: std::collections::BTreeMap<String, String>,
}

impl Purl {
    /// Parse `pkg:type/namespace/name@version?qualifiers#subpath` (with
    /// [`bulwark_catalog::purl::Purl::parse`]) into the identity exceptions and VEX compare:
    /// namespaces of case-insensitive types lower-cased, names folded as their ecosystem
    /// compares them ([`bulwark_version::Scheme::fold_name`]: PEP 503 for PyPI); `None` when it is not a purl.
    pub fn parse(text: &str) -> Option<Purl> {
        let p = bulwark_catalog::purl::Purl::parse(text)?;
        let arch = p.qualifier("arch").map(str::to_ascii_lowercase);
        let name = match bulwark_version::Scheme::for_purl_type(&p.ty) {
            Some(scheme) => scheme.fold_name(&p.name).into_owned(),
            None => p.name,
        };
        let namespace = p.namespace.unwrap_or_default();
        Some(Purl {
            namespace: if matches!(
                p.ty.as_str(),
                "deb" | "rpm" | "apk" | "pypi" | "npm" | "github"
            ) {
                namespace.to_ascii_lowercase()
            } else {
                namespace
            },
            ty: p.ty,
            name,
            version: p.version,
            arch,
            qualifiers: p.qualifiers,
        })
    }

    /// The qualifier `key` (lower case), when present and not empty.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether this purl names a source package (`arch=source` in Debian/Ubuntu feeds,
    /// `arch=src` in Red Hat's).
    pub fn is_source(&self) -> bool {
        matches!(self.arch.as_deref(), Some("source" | "src"))
    }

    /// `pkg:type/namespace/name` (decoded), without version.
    pub fn versionless(&self) -> String {
        if self.namespace.is_empty() {
            format!("pkg:{}/{}", self.ty, self.name)
        } else {
            format!("pkg:{}/{}/{}", self.ty, self.namespace, self.name)
        }
    }

    /// `pkg:type/namespace/name@version` (decoded), without qualifiers.
    pub fn without_qualifiers(&self) -> String {
        match &self.version {
            Some(v) => format!("{}@{v}", self.versionless()),
            None => self.versionless(),
        }
    }
}

pub(crate) use bulwark_catalog::purl::decode;

/// Whether a statement's purl `pattern` covers an installed package. Qualifiers are ignored
/// (they describe the build, not the identity); a pattern without a version covers every
/// version. A source-package pattern (`arch=source`/`src`) covers every binary package built
/// from that source: `source` is the package's source name and version, when known.
pub(crate) fn covers(pattern: &Purl, package: &Purl, source: Option<(&str, Option<&str>)>) -> bool {
    if pattern.ty != package.ty || pattern.namespace != package.namespace {
        return false;
    }
    let version_ok = |installed: Option<&str>| match (&pattern.version, installed) {
        (None, _) => true,
        (Some(want), Some(have)) => versions_equal(&pattern.ty, want, have),
        (Some(_), None) => false,
    };
    if pattern.name == package.name && version_ok(package.version.as_deref()) {
        return true;
    }
    if pattern.is_source() {
        if let Some((src_name, src_version)) = source {
            return pattern.name == src_name
                && version_ok(src_version.or(package.version.as_deref()));
        }
    }
    false
}

/// Version equality; for rpm an explicit `0:` epoch equals no epoch.
fn versions_equal(ty: &str, a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if ty == "rpm" || ty == "deb" {
        let strip = |v: &str| v.strip_prefix("0:").unwrap_or(v).to_string();
        return strip(a) == strip(b);
    }
    false
}

/// A purl glob against a package's purl: qualifiers and subpath are ignored on both sides,
/// percent-escapes decoded; a pattern without `@version` covers every version.
pub(crate) fn purl_glob(pattern: &str, purl: &str) -> bool {
    let strip = |s: &str| -> String {
        let s = s.trim();
        let s = s.split('#').next().unwrap_or(s);
        decode(s.split('?').next().unwrap_or(s))
    };
    let pat = strip(pattern);
    let tail = pat.rsplit('/').next().unwrap_or(&pat);
    let pattern_has_version = tail.contains('@');
    let target = match Purl::parse(purl) {
        Some(p) if pattern_has_version => p.without_qualifiers(),
        Some(p) => p.versionless(),
        None => strip(purl),
    };
    bulwark_walk::glob::glob_match(&pat, &target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_purls() {
        let p = Purl::parse("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12")
            .unwrap();
        assert_eq!(
            (p.ty.as_str(), p.namespace.as_str(), p.name.as_str()),
            ("deb", "debian", "libc6")
        );
        assert_eq!(p.version.as_deref(), Some("2.36-9+deb12u4"));
        assert_eq!(p.arch.as_deref(), Some("amd64"));
        let n = Purl::parse("pkg:npm/%40babel/core@7.22.0").unwrap();
        assert_eq!((n.namespace.as_str(), n.name.as_str()), ("@babel", "core"));
        let n2 = Purl::parse("pkg:npm/@babel/core@7.22.0").unwrap();
        assert_eq!(n, n2);
        let r = Purl::parse("pkg:rpm/redhat/samba?arch=src").unwrap();
        assert!(r.is_source() && r.version.is_none());
        let m = Purl::parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1").unwrap();
        assert_eq!(
            m.without_qualifiers(),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        );
        let g = Purl::parse("pkg:golang/github.com/gin-gonic/gin@v1.9.0").unwrap();
        assert_eq!(g.namespace, "github.com/gin-gonic");
        assert_eq!(Purl::parse("pkg:pypi/PyYAML@6.0").unwrap().name, "pyyaml");
        // PEP 503 folds a run of separators into one dash (this copy used to give `foo--bar`).
        assert_eq!(
            Purl::parse("pkg:pypi/Foo__Bar@1.0").unwrap().name,
            "foo-bar"
        );
        assert_eq!(
            Purl::parse("pkg:pypi/foo-bar").unwrap(),
            Purl::parse("pkg:pypi/Foo._Bar").unwrap()
        );
        assert!(Purl::parse("not a purl").is_none());
        assert!(Purl::parse("pkg:deb").is_none());
    }

    #[test]
    fn coverage() {
        let pkg = Purl::parse(
            "pkg:deb/ubuntu/libcurl4@7.81.0-1ubuntu1.13?arch=amd64&distro=ubuntu-22.04",
        )
        .unwrap();
        let src = Some(("curl", Some("7.81.0-1ubuntu1.13")));
        let p = |s: &str| Purl::parse(s).unwrap();
        assert!(covers(&p("pkg:deb/ubuntu/libcurl4"), &pkg, src));
        assert!(covers(
            &p("pkg:deb/ubuntu/libcurl4@7.81.0-1ubuntu1.13?arch=arm64"),
            &pkg,
            src
        ));
        assert!(!covers(
            &p("pkg:deb/ubuntu/libcurl4@7.81.0-1ubuntu1.24?arch=amd64"),
            &pkg,
            src
        ));
        assert!(!covers(&p("pkg:deb/debian/libcurl4"), &pkg, src));
        assert!(covers(
            &p("pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.13?arch=source"),
            &pkg,
            src
        ));
        // A binary purl named like the source does not cover other binaries of that source.
        assert!(!covers(
            &p("pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.13?arch=amd64"),
            &pkg,
            src
        ));
        let rpm = p("pkg:rpm/redhat/samba-client@4.18.6-1.el9?arch=x86_64&epoch=0");
        assert!(covers(&p("pkg:rpm/redhat/samba-client"), &rpm, None));
        assert!(covers(
            &p("pkg:rpm/redhat/samba?arch=src"),
            &rpm,
            Some(("samba", None))
        ));
    }
}
