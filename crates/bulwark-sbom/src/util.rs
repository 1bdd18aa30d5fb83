//! Helpers shared by the writers and readers.

use bulwark_catalog::{Package, PackageKind, SourcePackage};
use sha2::{Digest, Sha256};

use bulwark_catalog::purl::{kind_of_type, Purl};

/// A UUID (RFC 4122 layout, version 5, variant 1) from the sha256 of `parts`: deterministic
/// for the same content, and within the version range CycloneDX's `serialNumber` pattern
/// accepts.
pub(crate) fn uuid_from(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// The serialised name of a package kind (`deb`, `python`...).
pub(crate) fn kind_name(kind: PackageKind) -> String {
    bulwark_model::scan::kind_name(kind)
}

/// The `pkg:oci/...` purl of an image, when its digest is known: name = the repository's last
/// path segment (lower case), version = the digest, `repository_url` and `tag` from the first
/// name the image is known by.
pub(crate) fn oci_purl(names: &[String], digest: Option<&str>) -> Option<String> {
    let digest = digest?;
    let name = names.first();
    let (repo, tag) = match name {
        Some(n) => {
            let n = n.split('@').next().unwrap_or(n);
            // A `:` after the last `/` is a tag; one before it is a registry port.
            match n.rfind(':') {
                Some(i) if !n[i..].contains('/') => (Some(&n[..i]), Some(&n[i + 1..])),
                _ => (Some(n), None),
            }
        }
        None => (None, None),
    };
    let last = repo
        .and_then(|r| r.rsplit('/').next())
        .filter(|s| !s.is_empty())
        .unwrap_or("image")
        .to_ascii_lowercase();
    let mut purl = Purl::new("oci", last).with_version(digest);
    if let Some(r) = repo.filter(|r| r.contains('/')) {
        purl = purl.with_qualifier("repository_url", r);
    }
    if let Some(t) = tag {
        purl = purl.with_qualifier("tag", t);
    }
    Some(purl.to_string())
}

/// What a reader learned about one package, before it becomes an inventory [`Package`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    /// Name as the SBOM gives it.
    pub name: String,
    /// CycloneDX `group` (Maven group id, npm scope).
    pub group: Option<String>,
    /// Version as the SBOM gives it.
    pub version: String,
    /// Package URL.
    pub purl: String,
    /// Licenses.
    pub licenses: Vec<String>,
    /// CPEs.
    pub cpes: Vec<String>,
    /// The file the writing tool read it from.
    pub found_in: Option<String>,
    /// Layer index.
    pub layer: Option<usize>,
    /// Source package (name, version) the writing tool recorded.
    pub source: Option<(String, Option<String>)>,
    /// The writing tool's own package type (Syft's `type`), used without a purl.
    pub type_hint: Option<String>,
    /// rpm epoch the writing tool recorded outside the purl.
    pub epoch: Option<u32>,
}

/// Syft package types for packages without a purl.
fn kind_of_syft_type(t: &str) -> PackageKind {
    match t {
        "deb" => PackageKind::Deb,
        "apk" => PackageKind::Apk,
        "rpm" => PackageKind::Rpm,
        "python" => PackageKind::Python,
        "npm" => PackageKind::Npm,
        "go-module" => PackageKind::Go,
        "rust-crate" => PackageKind::Cargo,
        "java-archive" | "jenkins-plugin" => PackageKind::Maven,
        "gem" => PackageKind::Gem,
        "php-composer" => PackageKind::Composer,
        "dotnet" => PackageKind::Nuget,
        other => kind_of_type(other),
    }
}

impl Draft {
    /// The inventory package. `origin` (the SBOM file) stands in for `found_in` when the SBOM
    /// does not say where the package was found.
    pub fn into_package(self, origin: &str) -> Package {
        let purl = Purl::parse(&self.purl);
        let kind = match (&purl, &self.type_hint) {
            (Some(p), _) => p.kind(),
            (None, Some(t)) => kind_of_syft_type(t),
            (None, None) => PackageKind::Binary,
        };
        let ns = self
            .group
            .clone()
            .filter(|g| !g.is_empty())
            .or_else(|| purl.as_ref().and_then(|p| p.namespace.clone()));
        let mut name = if self.name.trim().is_empty() {
            purl.as_ref().map(|p| p.name.clone()).unwrap_or_default()
        } else {
            self.name.trim().to_string()
        };
        match (kind, ns) {
            (PackageKind::Maven, Some(ns)) if !name.contains(':') => name = format!("{ns}:{name}"),
            (PackageKind::Npm | PackageKind::Composer | PackageKind::Go, Some(ns))
                if !name.contains('/') =>
            {
                name = format!("{ns}/{name}")
            }
            _ => {}
        }
        let mut version = if self.version.trim().is_empty() {
            purl.as_ref()
                .and_then(|p| p.version.clone())
                .unwrap_or_default()
        } else {
            self.version.trim().to_string()
        };
        let qual = |k: &str| purl.as_ref().and_then(|p| p.qualifiers.get(k).cloned());
        let mut epoch = self
            .epoch
            .or_else(|| qual("epoch").and_then(|e| e.parse().ok()));
        if kind == PackageKind::Rpm {
            // Bulwark keeps rpm versions as VERSION-RELEASE with the epoch apart; Syft writes
            // `EPOCH:VERSION-RELEASE`.
            if let Some((e, rest)) = version.split_once(':') {
                if let Ok(e) = e.parse::<u32>() {
                    epoch = epoch.or(Some(e));
                    version = rest.to_string();
                }
            }
        }
        let source = self
            .source
            .clone()
            .filter(|(n, _)| !n.is_empty())
            .or_else(|| qual("upstream").and_then(|u| upstream(kind, &u)))
            .or_else(|| match kind {
                // dpkg and apk name the source after the binary when they record none.
                PackageKind::Deb | PackageKind::Apk => Some((name.clone(), Some(version.clone()))),
                _ => None,
            })
            .map(|(n, v)| SourcePackage {
                name: n,
                version: v.or_else(|| match kind {
                    PackageKind::Deb | PackageKind::Apk => Some(version.clone()),
                    _ => None,
                }),
            });
        let mut p = Package::new(
            kind,
            name,
            version,
            self.purl.trim(),
            self.found_in
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| origin.to_string()),
        );
        p.epoch = epoch;
        p.arch = qual("arch").filter(|a| !a.is_empty());
        p.source = source;
        p.licenses = self.licenses;
        p.licenses.dedup();
        p.cpes = self.cpes;
        p.layer = self.layer;
        p
    }
}

/// The source package named by a purl `upstream=` qualifier: `name` or `name@version` for
/// deb/apk, the source rpm file name (`bash-5.1.8-6.el9.src.rpm`) for rpm.
pub(crate) fn upstream(kind: PackageKind, text: &str) -> Option<(String, Option<String>)> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if kind == PackageKind::Rpm {
        return Some(srpm(text));
    }
    match text.split_once('@') {
        Some((n, v)) if !n.is_empty() => Some((n.to_string(), Some(v.to_string()))),
        _ => Some((text.to_string(), None)),
    }
}

/// Name and `VERSION-RELEASE` of a source rpm file name.
pub(crate) fn srpm(file: &str) -> (String, Option<String>) {
    let stem = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))
        .unwrap_or(file);
    let mut parts = stem.rsplitn(3, '-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(rel), Some(ver), Some(name)) if !name.is_empty() => {
            (name.to_string(), Some(format!("{ver}-{rel}")))
        }
        _ => (stem.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_is_stable_and_versioned() {
        let u = uuid_from(&["a", "b"]);
        assert_eq!(u, uuid_from(&["a", "b"]));
        assert_ne!(u, uuid_from(&["ab", ""]));
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "5");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn oci_purls() {
        assert_eq!(
            oci_purl(&["ghcr.io/acme/app:1.2".into()], Some("sha256:ab")).unwrap(),
            "pkg:oci/app@sha256:ab?repository_url=ghcr.io/acme/app&tag=1.2"
        );
        assert_eq!(
            oci_purl(&["localhost:5000/app".into()], Some("sha256:ab")).unwrap(),
            "pkg:oci/app@sha256:ab?repository_url=localhost:5000/app"
        );
        assert_eq!(
            oci_purl(&[], Some("sha256:ab")).unwrap(),
            "pkg:oci/image@sha256:ab"
        );
        assert_eq!(oci_purl(&[], None), None);
    }

    #[test]
    fn drafts_become_packages() {
        let p = Draft {
            name: "bash".into(),
            version: "1:5.1.8-6.el9".into(),
            purl: "pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&upstream=bash-5.1.8-6.el9.src.rpm"
                .into(),
            ..Draft::default()
        }
        .into_package("x.json");
        assert_eq!(p.kind, PackageKind::Rpm);
        assert_eq!(p.version, "5.1.8-6.el9");
        assert_eq!(p.epoch, Some(1));
        assert_eq!(p.arch.as_deref(), Some("x86_64"));
        let s = p.source.unwrap();
        assert_eq!(
            (s.name.as_str(), s.version.as_deref()),
            ("bash", Some("5.1.8-6.el9"))
        );
        assert_eq!(p.found_in, "x.json");

        let p = Draft {
            name: "jackson-databind".into(),
            group: Some("com.fasterxml.jackson.core".into()),
            version: "2.15.0".into(),
            purl: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.0".into(),
            ..Draft::default()
        }
        .into_package("x");
        assert_eq!(p.name, "com.fasterxml.jackson.core:jackson-databind");
        assert_eq!(p.kind, PackageKind::Maven);

        let p = Draft {
            name: "libstdc++6".into(),
            version: "12.2.0-14".into(),
            purl: "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?upstream=gcc-12%4012.2.0-14".into(),
            ..Draft::default()
        }
        .into_package("x");
        let s = p.source.unwrap();
        assert_eq!(
            (s.name.as_str(), s.version.as_deref()),
            ("gcc-12", Some("12.2.0-14"))
        );
    }
}
