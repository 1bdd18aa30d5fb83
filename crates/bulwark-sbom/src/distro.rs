//! The distribution an SBOM describes, with the family and release the matcher keys on.
//!
//! The family/release/end-of-life rules are `bulwark_catalog::distro::finalize`, the same ones
//! the os-release reader applies; an SBOM only gives the id, version and codename they need.

use bulwark_catalog::distro::finalize;
use bulwark_catalog::{Distro, Package};

use bulwark_catalog::purl::Purl;

/// A distribution from the fields an SBOM records.
pub(crate) fn from_fields(
    id: &str,
    version_id: Option<&str>,
    codename: Option<&str>,
    pretty_name: Option<&str>,
    id_like: &[String],
    found_in: &str,
) -> Option<Distro> {
    let id = id.trim().to_ascii_lowercase();
    if id.is_empty() {
        return None;
    }
    let nonempty = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    Some(finalize(Distro {
        id,
        id_like: id_like.to_vec(),
        version_id: nonempty(version_id),
        codename: nonempty(codename),
        pretty_name: nonempty(pretty_name),
        found_in: found_in.to_string(),
        ..Distro::default()
    }))
}

/// The distribution named by the `distro=` qualifier of the OS packages' purls
/// (`debian-12`, `alpine-3.18.4`, `rhel-9.2`, `ubuntu-22.04`), when they agree.
pub(crate) fn from_purls(packages: &[Package]) -> Option<Distro> {
    let mut seen: Option<String> = None;
    for p in packages.iter().filter(|p| p.kind.is_os()) {
        let Some(q) = Purl::parse(&p.purl).and_then(|u| u.qualifiers.get("distro").cloned()) else {
            continue;
        };
        match &seen {
            None => seen = Some(q),
            Some(s) if *s == q => {}
            Some(_) => return None,
        }
    }
    let q = seen?;
    // `<id>-<version>`; ids may contain `-` (`opensuse-leap-15.5`), versions start with a digit.
    let (id, version) = match q
        .char_indices()
        .find(|&(i, c)| c == '-' && q[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
    {
        Some((i, _)) => (&q[..i], Some(&q[i + 1..])),
        None => (q.as_str(), None),
    };
    // Debian testing writes `debian-trixie`-like codenames where there is no version.
    let (version, codename) = match version {
        Some(v) => (Some(v), None),
        None => match q.split_once('-') {
            Some((i, c)) if i == id || id.is_empty() => (None, Some(c)),
            _ => (None, None),
        },
    };
    from_fields(id, version, codename, None, &[], "purl distro qualifier")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulwark_catalog::PackageKind;

    #[test]
    fn distro_from_purl_qualifiers() {
        let pkg = |purl: &str| Package::new(PackageKind::Deb, "x", "1", purl, "");
        let d = from_purls(&[pkg("pkg:deb/debian/bash@5.2?arch=amd64&distro=debian-12")]).unwrap();
        assert_eq!(
            (d.id.as_str(), d.family.as_str(), d.release.as_deref()),
            ("debian", "debian", Some("12"))
        );
        let d = from_purls(&[pkg("pkg:rpm/opensuse/x@1?distro=opensuse-leap-15.5")]).unwrap();
        assert_eq!(d.id, "opensuse-leap");
        assert_eq!(d.version_id.as_deref(), Some("15.5"));
        assert_eq!(d.family, "suse");
        let d = from_purls(&[pkg("pkg:apk/alpine/musl@1?distro=alpine-3.18.4")]).unwrap();
        assert_eq!(d.release.as_deref(), Some("3.18"));
        // Disagreeing qualifiers: no guess.
        assert_eq!(
            from_purls(&[
                pkg("pkg:deb/debian/a@1?distro=debian-12"),
                pkg("pkg:deb/debian/b@1?distro=debian-11")
            ]),
            None
        );
    }
}
