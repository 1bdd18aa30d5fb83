//! Package URLs for OS packages (<https://github.com/package-url/purl-spec>).

use bulwark_catalog::Distro;

pub use bulwark_catalog::purl::encode;

/// Build `pkg:<ty>/<namespace>/<name>@<version>?<qualifiers>` with
/// [`bulwark_catalog::purl::Purl`] (its one encoder; empty qualifiers dropped, the rest sorted
/// by key, as the spec's canonical form requires).
pub fn build(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, Option<String>)],
) -> String {
    let mut purl = bulwark_catalog::purl::Purl::new(ty, name)
        .with_namespace(namespace.unwrap_or_default())
        .with_version(version);
    for (k, v) in qualifiers {
        if let Some(v) = v {
            purl = purl.with_qualifier(k, v.as_str());
        }
    }
    purl.to_string()
}

/// The `distro` qualifier: `<id>-<version_id>` (`debian-12`, `alpine-3.18.4`), or the id with
/// the codename when there is no version (Debian testing), or `None` without a distribution.
pub fn distro_qualifier(distro: Option<&Distro>) -> Option<String> {
    let d = distro?;
    match (&d.version_id, &d.codename) {
        (Some(v), _) => Some(format!("{}-{}", d.id, v)),
        (None, Some(c)) => Some(format!("{}-{}", d.id, c)),
        (None, None) => Some(d.id.clone()),
    }
}

/// The purl namespace (the vendor) for a package of type `ty` on `distro`.
pub fn namespace(ty: &str, distro: Option<&Distro>) -> Option<String> {
    let id = distro.map(|d| d.id.as_str()).unwrap_or("");
    let ns = match (ty, id) {
        ("deb", "") => "debian",
        ("apk", "") => "alpine",
        ("rpm", "") => return None,
        ("rpm", "rhel") => "redhat",
        ("rpm", "ol") => "oracle",
        ("rpm", "opensuse-leap" | "opensuse-tumbleweed" | "opensuse") => "opensuse",
        ("rpm", "sles" | "sles_sap" | "sle-micro" | "sled") => "sles",
        ("rpm", "azurelinux") => "azurelinux",
        (_, other) => other,
    };
    Some(ns.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_the_spec() {
        assert_eq!(
            build(
                "deb",
                Some("debian"),
                "libc6",
                "2.36-9+deb12u4",
                &[
                    ("distro", Some("debian-12".into())),
                    ("arch", Some("amd64".into())),
                ]
            ),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
        );
        assert_eq!(
            build(
                "rpm",
                Some("redhat"),
                "bash",
                "5.1.8-6.el9",
                &[
                    ("arch", Some("x86_64".into())),
                    ("epoch", Some("1".into())),
                    ("distro", Some("rhel-9.2".into())),
                    ("upstream", None),
                ]
            ),
            "pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.2&epoch=1"
        );
        assert_eq!(
            build("deb", Some("debian"), "attr", "1:2.5.1-4", &[]),
            "pkg:deb/debian/attr@1:2.5.1-4"
        );
        assert_eq!(encode("a b/c@d?e"), "a%20b%2Fc%40d%3Fe");
    }
}
