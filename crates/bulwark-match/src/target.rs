//! Which advisory-database lookups one installed package needs: the ecosystems a distribution
//! release is published under, the name each feed keys on, and the version to compare.

use bulwark_catalog::{Distro, Package, PackageKind};
use bulwark_version::Scheme;

/// One `Db::affected` lookup and how to compare its answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Query {
    /// Ecosystem as stored (`Debian:12`, `PyPI`...).
    pub ecosystem: String,
    /// Package name as stored.
    pub name: String,
}

/// How one package is matched: its lookups, the version to compare and the ordering.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Lookups (distinct).
    pub queries: Vec<Query>,
    /// The version compared with the advisories' ranges.
    pub version: String,
    /// The ordering of [`Plan::version`].
    pub scheme: Scheme,
}

/// What the distribution is, for matching OS packages.
#[derive(Debug, Clone, Default)]
pub(crate) struct DistroEcosystems {
    /// Exact ecosystems whose advisories apply to the release.
    pub exact: Vec<String>,
    /// Ecosystem prefixes (Red Hat's per-repository CPE ecosystems): an ecosystem applies when
    /// it equals the prefix or continues it with `:`.
    pub prefixes: Vec<String>,
    /// Vendor strings (rpm `Vendor`) that belong to the distribution; a package with another
    /// vendor is third-party and not matched against the distribution's advisories.
    pub vendors: Vec<&'static str>,
    /// The OSV scheme of the distribution's packages.
    pub scheme: Option<Scheme>,
}

/// The ecosystems a distribution release publishes advisories under. Empty when the
/// distribution (or its release) is not one the feeds cover.
pub(crate) fn distro_ecosystems(d: &Distro) -> DistroEcosystems {
    let release = d.release.as_deref().unwrap_or_default();
    let major = release.split('.').next().unwrap_or_default();
    let mut out = DistroEcosystems::default();
    let pro = d
        .markers
        .iter()
        .any(|m| m == "ubuntu-pro" || m == "esm" || m.starts_with("esm-"));
    match d.id.as_str() {
        "debian" if !release.is_empty() => {
            // The Debian tracker calls unstable `sid`; bulwark-os calls it `unstable`.
            let rel = if release == "unstable" { "sid" } else { major };
            out.exact.push(format!("Debian:{rel}"));
            out.scheme = Some(Scheme::Dpkg);
        }
        "ubuntu" if !release.is_empty() => {
            // Ubuntu OSV: `Ubuntu:22.04:LTS`, `Ubuntu:24.10`, `Ubuntu:Pro:16.04:LTS`.
            out.exact.push(format!("Ubuntu:{release}:LTS"));
            out.exact.push(format!("Ubuntu:{release}"));
            if pro {
                out.exact.push(format!("Ubuntu:Pro:{release}:LTS"));
                out.exact.push(format!("Ubuntu:Pro:{release}"));
            }
            out.scheme = Some(Scheme::Dpkg);
        }
        "alpine" if !release.is_empty() => {
            let rel = if release == "edge" {
                "edge".to_string()
            } else {
                format!("v{release}")
            };
            out.exact.push(format!("Alpine:{rel}"));
            out.scheme = Some(Scheme::Apk);
        }
        "wolfi" => {
            out.exact.push("Wolfi".into());
            out.scheme = Some(Scheme::Apk);
        }
        "chainguard" => {
            out.exact.push("Chainguard".into());
            out.scheme = Some(Scheme::Apk);
        }
        "rhel" | "centos" if !major.is_empty() => {
            // Red Hat CSAF VEX: `Red Hat:enterprise_linux:9`, `...:9::appstream`, and the
            // EUS/AUS streams of the same major.
            out.prefixes
                .push(format!("Red Hat:enterprise_linux:{major}"));
            out.vendors = vec!["Red Hat", "CentOS"];
            out.scheme = Some(Scheme::Rpm);
        }
        "almalinux" if !major.is_empty() => {
            out.exact.push(format!("AlmaLinux:{major}"));
            out.vendors = vec!["AlmaLinux"];
            out.scheme = Some(Scheme::Rpm);
        }
        "rocky" if !major.is_empty() => {
            out.exact.push(format!("Rocky Linux:{major}"));
            out.vendors = vec!["Rocky"];
            out.scheme = Some(Scheme::Rpm);
        }
        "ol" if !major.is_empty() => {
            out.exact.push(format!("Oracle Linux:{major}"));
            out.vendors = vec!["Oracle"];
            out.scheme = Some(Scheme::Rpm);
        }
        "fedora" if !major.is_empty() => {
            out.exact.push(format!("Fedora:{major}"));
            out.vendors = vec!["Fedora"];
            out.scheme = Some(Scheme::Rpm);
        }
        "amzn" if !release.is_empty() => {
            out.exact.push(format!("Amazon Linux:{release}"));
            out.vendors = vec!["Amazon"];
            out.scheme = Some(Scheme::Rpm);
        }
        "mariner" | "azurelinux" if !release.is_empty() => {
            out.exact.push(format!("CBL-Mariner:{release}"));
            out.exact.push(format!("Azure Linux:{release}"));
            out.vendors = vec!["Microsoft"];
            out.scheme = Some(Scheme::Rpm);
        }
        "opensuse-leap" if !release.is_empty() => {
            out.exact.push(format!("openSUSE:Leap {release}"));
            out.vendors = vec!["SUSE", "openSUSE"];
            out.scheme = Some(Scheme::Rpm);
        }
        _ => {}
    }
    out
}

/// Whether an ecosystem is one of the distribution's.
pub(crate) fn ecosystem_applies(eco: &DistroEcosystems, ecosystem: &str) -> bool {
    eco.exact.iter().any(|e| e == ecosystem)
        || eco.prefixes.iter().any(|p| {
            ecosystem
                .strip_prefix(p.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
        })
}

/// Why a package is not matched at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    /// The package comes from a third-party repository (rpm vendor not the distribution's, or
    /// an apk package pinned to a tagged repository outside the release's branch).
    ThirdParty,
    /// No advisory feed covers this kind of package, or the distribution is unknown.
    Unsupported,
    /// The package is not installed (dpkg `config-files` state...).
    NotInstalled,
}

/// The lookups for one package.
pub(crate) fn plan(
    p: &Package,
    distro: Option<&DistroEcosystems>,
    ecos: &[String],
) -> Result<Plan, Skip> {
    match p.kind {
        PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm => {
            let Some(d) = distro else {
                return Err(Skip::Unsupported);
            };
            let Some(scheme) = d.scheme else {
                return Err(Skip::Unsupported);
            };
            if p.kind == PackageKind::Deb
                && p.metadata
                    .get("state")
                    .is_some_and(|s| s == "config-files" || s == "not-installed")
            {
                return Err(Skip::NotInstalled);
            }
            if p.kind == PackageKind::Rpm && !d.vendors.is_empty() {
                if let Some(v) = p.metadata.get("vendor") {
                    if !d.vendors.iter().any(|dv| v.contains(dv)) {
                        return Err(Skip::ThirdParty);
                    }
                }
            }
            // Names: Debian and Ubuntu key on the source package; Alpine on the origin; rpm
            // feeds on binary names (AlmaLinux, Red Hat VEX) or source names (Rocky), so rpm
            // asks both.
            let source = p.source.as_ref().map(|s| s.name.as_str());
            let mut names: Vec<&str> = match p.kind {
                PackageKind::Deb | PackageKind::Apk => vec![source.unwrap_or(&p.name)],
                _ => vec![p.name.as_str()],
            };
            if p.kind == PackageKind::Rpm {
                if let Some(s) = source {
                    if s != p.name {
                        names.push(s);
                    }
                }
            }
            // Version: dpkg feeds give source versions (a binNMU `+b1` binary is the same
            // source); rpm gets its epoch back; apk subpackages share their origin's version.
            let version = match p.kind {
                PackageKind::Deb => p
                    .source
                    .as_ref()
                    .and_then(|s| s.version.clone())
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| p.version.clone()),
                PackageKind::Rpm => match p.epoch {
                    Some(e) => format!("{e}:{}", p.version),
                    None => p.version.clone(),
                },
                _ => p.version.clone(),
            };
            let mut queries = Vec::new();
            for e in ecos.iter().filter(|e| ecosystem_applies(d, e)) {
                for n in &names {
                    queries.push(Query {
                        ecosystem: e.clone(),
                        name: n.to_string(),
                    });
                }
            }
            Ok(Plan {
                queries,
                version,
                scheme,
            })
        }
        PackageKind::Binary => {
            // The Go toolchain binary: govulndb's `toolchain` entries (cmd/go and friends).
            // No feed in the store covers node, CPython or the JDK as runtimes.
            if p.name == "go" {
                Ok(Plan {
                    queries: vec![Query {
                        ecosystem: "Go".into(),
                        name: "toolchain".into(),
                    }],
                    version: p.version.trim_start_matches("go").to_string(),
                    scheme: Scheme::Go,
                })
            } else {
                Err(Skip::Unsupported)
            }
        }
        kind => {
            let Some(ecosystem) = kind.osv_ecosystem() else {
                return Err(Skip::Unsupported);
            };
            let Some(scheme) = Scheme::for_ecosystem(ecosystem) else {
                return Err(Skip::Unsupported);
            };
            let version = if kind == PackageKind::Go && p.name == "stdlib" {
                p.version.trim_start_matches("go").to_string()
            } else {
                p.version.clone()
            };
            Ok(Plan {
                // The store folds names of case-insensitive ecosystems (PEP 503 for PyPI...):
                // one query, whatever spelling the package and the feeds use.
                queries: vec![Query {
                    ecosystem: ecosystem.to_string(),
                    name: p.name.clone(),
                }],
                version,
                scheme,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_hat_prefixes() {
        let d = Distro {
            id: "rhel".into(),
            family: "redhat".into(),
            release: Some("9".into()),
            ..Distro::default()
        };
        let e = distro_ecosystems(&d);
        assert!(ecosystem_applies(&e, "Red Hat:enterprise_linux:9"));
        assert!(ecosystem_applies(
            &e,
            "Red Hat:enterprise_linux:9::appstream"
        ));
        assert!(!ecosystem_applies(&e, "Red Hat:enterprise_linux:8"));
        assert!(!ecosystem_applies(&e, "Red Hat:enterprise_linux:90"));
    }
}
