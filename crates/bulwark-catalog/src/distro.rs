//! What a distribution's identity means for matching: the family whose advisories and version
//! rules apply, the release the advisory feeds key on, and the end of standard support. Pure
//! functions of the os-release `ID`, `ID_LIKE`, `VERSION_ID` and codename, shared by the
//! os-release reader (`bulwark-os`) and the SBOM readers (`bulwark-sbom`), which only see those
//! fields.

use crate::Distro;

/// Fill `family`, `release` and `eol` from `id`, `id_like`, `version_id` and `codename`
/// (overwriting what was there); every reader of a distribution's identity calls this so the
/// same release gets the same keys wherever it was read from.
pub fn finalize(mut d: Distro) -> Distro {
    d.family = family_of(&d.id, &d.id_like).to_string();
    d.release = release_of(&d);
    d.eol = d
        .release
        .as_deref()
        .and_then(|r| eol_of(&d.id, r))
        .map(str::to_string);
    d
}

/// The family used for matching: the lineage whose advisories and version rules apply
/// (`debian`, `alpine`, `wolfi`, `redhat`, `amazon`, `suse`, `mariner`; `unknown` otherwise).
pub fn family_of(id: &str, id_like: &[String]) -> &'static str {
    match id {
        "debian" | "ubuntu" => "debian",
        "alpine" => "alpine",
        "wolfi" | "chainguard" => "wolfi",
        // `redhat`, `oracle` and `amazonlinux` are not os-release ids, but SBOM writers use them
        // as the OS component's name.
        "rhel" | "redhat" | "centos" | "rocky" | "almalinux" | "ol" | "oracle" | "fedora" => {
            "redhat"
        }
        "amzn" | "amazonlinux" => "amazon",
        "sles"
        | "sles_sap"
        | "sled"
        | "sle-micro"
        | "opensuse"
        | "opensuse-leap"
        | "opensuse-tumbleweed" => "suse",
        "mariner" | "azurelinux" => "mariner",
        _ => {
            for like in id_like {
                match like.as_str() {
                    "debian" | "ubuntu" => return "debian",
                    "alpine" => return "alpine",
                    "rhel" | "fedora" | "centos" => return "redhat",
                    "suse" | "sles" | "opensuse" => return "suse",
                    _ => {}
                }
            }
            "unknown"
        }
    }
}

/// One release of a distribution as its maker's own data lists it: the number advisory feeds
/// key on, the codename and the support dates (ISO `YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    /// Release number (`12`, `3.1`; Ubuntu `22.04`).
    pub number: &'static str,
    /// Codename, lower case (`bookworm`, `jammy`).
    pub codename: &'static str,
    /// End of regular (standard) security support.
    pub eol: Option<&'static str>,
    /// End of the extension after it: Debian LTS, Ubuntu ESM (Ubuntu Pro).
    pub extended_end: Option<&'static str>,
}

const fn rel(
    number: &'static str,
    codename: &'static str,
    eol: Option<&'static str>,
    extended_end: Option<&'static str>,
) -> Release {
    Release {
        number,
        codename,
        eol,
        extended_end,
    }
}

/// Every Debian release, from Debian's distro-info data (`/usr/share/distro-info/debian.csv`
/// of the `distro-info-data` package, 0.58+deb12u6: `release`, `eol` and `eol-lts` columns;
/// numbers spelt as the advisory feeds spell them, `4` not `4.0`). The test suite checks this
/// table against that file when it is installed.
pub const DEBIAN_RELEASES: &[Release] = &[
    rel("1.1", "buzz", Some("1997-06-05"), None),
    rel("1.2", "rex", Some("1998-06-05"), None),
    rel("1.3", "bo", Some("1999-03-09"), None),
    rel("2.0", "hamm", Some("2000-03-09"), None),
    rel("2.1", "slink", Some("2000-10-30"), None),
    rel("2.2", "potato", Some("2003-06-30"), None),
    rel("3.0", "woody", Some("2006-06-30"), None),
    rel("3.1", "sarge", Some("2008-03-31"), None),
    rel("4", "etch", Some("2010-02-15"), None),
    rel("5", "lenny", Some("2012-02-06"), None),
    rel("6", "squeeze", Some("2014-05-31"), Some("2016-02-29")),
    rel("7", "wheezy", Some("2016-04-25"), Some("2018-05-31")),
    rel("8", "jessie", Some("2018-06-17"), Some("2020-06-30")),
    rel("9", "stretch", Some("2020-07-18"), Some("2022-06-30")),
    rel("10", "buster", Some("2022-09-10"), Some("2024-06-30")),
    rel("11", "bullseye", Some("2024-08-14"), Some("2026-08-31")),
    rel("12", "bookworm", Some("2026-07-11"), Some("2028-06-30")),
    rel("13", "trixie", Some("2028-08-09"), Some("2030-06-30")),
    rel("14", "forky", None, None),
    rel("15", "duke", None, None),
];

/// Ubuntu's LTS releases, from Ubuntu's distro-info data (`/usr/share/distro-info/ubuntu.csv`:
/// `eol` is the end of standard support, `eol-esm` the end of ESM); checked against that file
/// by the test suite when it is installed.
pub const UBUNTU_LTS_RELEASES: &[Release] = &[
    rel("14.04", "trusty", Some("2019-04-25"), Some("2024-04-25")),
    rel("16.04", "xenial", Some("2021-04-30"), Some("2026-04-23")),
    rel("18.04", "bionic", Some("2023-05-31"), Some("2028-04-26")),
    rel("20.04", "focal", Some("2025-05-29"), Some("2030-04-23")),
    rel("22.04", "jammy", Some("2027-06-01"), Some("2032-04-21")),
    rel("24.04", "noble", Some("2029-05-31"), Some("2034-04-25")),
    rel("26.04", "resolute", Some("2031-05-29"), Some("2036-04-23")),
];

/// The Debian release with this codename or number (`bookworm` or `12`).
pub fn debian_release(codename_or_number: &str) -> Option<&'static Release> {
    DEBIAN_RELEASES
        .iter()
        .find(|r| r.codename == codename_or_number || r.number == codename_or_number)
}

/// Debian codename -> release number (`bookworm` -> `12`, `sid` -> `unstable`).
pub fn debian_release_of(codename: &str) -> Option<&'static str> {
    if codename == "sid" {
        return Some("unstable");
    }
    DEBIAN_RELEASES
        .iter()
        .find(|r| r.codename == codename)
        .map(|r| r.number)
}

/// End of Debian LTS (the volunteer-maintained extension after regular security support) for
/// a Debian release number (`12` -> `2028-06-30`).
pub fn debian_lts_end(release: &str) -> Option<&'static str> {
    debian_release(release).and_then(|r| r.extended_end)
}

/// The release advisory feeds key on (`12`, `3.18`, `edge`, `8`, `2023`), from `id`,
/// `version_id` and (Debian) `codename`; `None` for rolling releases.
pub fn release_of(d: &Distro) -> Option<String> {
    let v = d.version_id.as_deref();
    let major = || v.and_then(|v| v.split('.').next()).map(str::to_string);
    let major_minor = || {
        v.map(|v| {
            let mut parts = v.split('.');
            match (parts.next(), parts.next()) {
                (Some(a), Some(b)) => format!("{a}.{b}"),
                (Some(a), None) => a.to_string(),
                _ => v.to_string(),
            }
        })
    };
    match d.id.as_str() {
        "debian" => major().or_else(|| {
            d.codename
                .as_deref()
                .and_then(debian_release_of)
                .map(str::to_string)
        }),
        "alpine" => {
            // Edge snapshots carry versions like 3.19_alpha20230901.
            if v.is_some_and(|v| v.contains("_alpha") || v.contains("edge")) {
                Some("edge".to_string())
            } else {
                major_minor()
            }
        }
        "rhel" | "centos" | "rocky" | "almalinux" | "ol" => major(),
        // Amazon Linux AMI (v1) has VERSION_ID 2018.03; its advisories use "1".
        "amzn" => v.map(|v| {
            if v.starts_with("20") && v.contains('.') {
                "1".to_string()
            } else {
                v.to_string()
            }
        }),
        "wolfi" | "chainguard" | "opensuse-tumbleweed" => None,
        "mariner" | "azurelinux" => major_minor(),
        _ => v.map(str::to_string),
    }
}

/// End of standard support, ISO date, by (id, release), for distributions other than Debian
/// and Ubuntu (those are [`DEBIAN_RELEASES`] and [`UBUNTU_LTS_RELEASES`]). Sources (checked
/// 2026): Alpine <https://alpinelinux.org/releases/>; RHEL
/// <https://access.redhat.com/support/policy/updates/errata> (end of maintenance support),
/// AlmaLinux/Rocky follow RHEL's dates (<https://wiki.almalinux.org/release-notes/>,
/// <https://wiki.rockylinux.org/rocky/version/>); Amazon Linux
/// <https://aws.amazon.com/amazon-linux-2/faqs/> and
/// <https://docs.aws.amazon.com/linux/al2023/ug/release-cadence.html>; SLES
/// <https://www.suse.com/lifecycle/> (general support); Fedora
/// <https://docs.fedoraproject.org/en-US/releases/eol/>; all cross-checked with
/// <https://endoflife.date>.
const EOL: &[(&str, &str, &str)] = &[
    ("alpine", "3.14", "2023-05-01"),
    ("alpine", "3.15", "2023-11-01"),
    ("alpine", "3.16", "2024-05-23"),
    ("alpine", "3.17", "2024-11-22"),
    ("alpine", "3.18", "2025-05-09"),
    ("alpine", "3.19", "2025-11-01"),
    ("alpine", "3.20", "2026-04-01"),
    ("alpine", "3.21", "2026-11-01"),
    ("alpine", "3.22", "2027-05-01"),
    ("rhel", "7", "2024-06-30"),
    ("rhel", "8", "2029-05-31"),
    ("rhel", "9", "2032-05-31"),
    ("centos", "7", "2024-06-30"),
    ("centos", "8", "2021-12-31"),
    ("almalinux", "8", "2029-03-01"),
    ("almalinux", "9", "2032-05-31"),
    ("rocky", "8", "2029-05-31"),
    ("rocky", "9", "2032-05-31"),
    ("amzn", "1", "2023-12-31"),
    ("amzn", "2", "2026-06-30"),
    ("amzn", "2023", "2029-06-30"),
    ("sles", "12.5", "2024-10-31"),
    ("sles", "15.4", "2023-12-31"),
    ("sles", "15.5", "2024-12-31"),
    ("sles", "15.6", "2025-12-31"),
    ("fedora", "38", "2024-05-21"),
    ("fedora", "39", "2024-11-26"),
    ("fedora", "40", "2025-05-13"),
    ("fedora", "41", "2025-12-15"),
];

/// End of standard support for a release, when known.
pub fn eol_of(id: &str, release: &str) -> Option<&'static str> {
    match id {
        "debian" => return debian_release(release).and_then(|r| r.eol),
        "ubuntu" => {
            return UBUNTU_LTS_RELEASES
                .iter()
                .find(|r| r.number == release)
                .and_then(|r| r.eol)
        }
        _ => {}
    }
    EOL.iter()
        .find(|(i, r, _)| *i == id && *r == release)
        .map(|(_, _, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distro(id: &str, version: Option<&str>, codename: Option<&str>) -> Distro {
        finalize(Distro {
            id: id.to_string(),
            version_id: version.map(str::to_string),
            codename: codename.map(str::to_string),
            ..Distro::default()
        })
    }

    #[test]
    fn family_release_and_eol() {
        let d = distro("debian", None, Some("bookworm"));
        assert_eq!(
            (d.family.as_str(), d.release.as_deref(), d.eol.as_deref()),
            ("debian", Some("12"), Some("2026-07-11"))
        );
        let d = distro("rocky", Some("8.9"), None);
        assert_eq!(
            (d.family.as_str(), d.release.as_deref()),
            ("redhat", Some("8"))
        );
        let d = distro("amzn", Some("2018.03"), None);
        assert_eq!(
            (d.family.as_str(), d.release.as_deref(), d.eol.as_deref()),
            ("amazon", Some("1"), Some("2023-12-31"))
        );
        // SBOM writers' names for the OS component.
        assert_eq!(distro("redhat", Some("9.2"), None).family, "redhat");
        assert_eq!(distro("oracle", Some("9"), None).family, "redhat");
        assert_eq!(distro("amazonlinux", Some("2023"), None).family, "amazon");
        assert_eq!(family_of("pop", &["ubuntu".to_string()]), "debian");
        assert_eq!(family_of("nixos", &[]), "unknown");
        assert_eq!(distro("wolfi", Some("20230201"), None).release, None);
        assert_eq!(
            distro("alpine", Some("3.19_alpha1"), None)
                .release
                .as_deref(),
            Some("edge")
        );
    }
}
