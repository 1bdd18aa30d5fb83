//! Exact version ordering for every ecosystem Bulwark matches, and OSV range evaluation.
//!
//! # What it does
//!
//! One type per versioning scheme, each with the same API — `parse(&str) -> Result<Self,
//! VersionError>`, `Ord`/`Eq` following the scheme's own comparison (so equal means "the
//! ecosystem considers them the same version", e.g. `1.0 == 1.0.0` in PEP 440), `Display` of the
//! original text and `FromStr`:
//!
//! | type | scheme | reference it reproduces |
//! |---|---|---|
//! | [`DpkgVersion`] | Debian, Ubuntu | dpkg `--compare-versions` |
//! | [`RpmVersion`] | Red Hat, AlmaLinux, Rocky, openSUSE, ... | rpm 4.18 `rpmvercmp` / `labelCompare` |
//! | [`ApkVersion`] | Alpine, Wolfi, Chainguard | apk-tools `version.c` |
//! | [`Pep440Version`] | PyPI | `packaging.version.Version` |
//! | [`SemverVersion`] | npm, crates.io, OSV `SEMVER` ranges | SemVer 2.0.0 precedence |
//! | [`GoVersion`] | Go modules | `golang.org/x/mod/semver` |
//! | [`MavenVersion`] | Maven | maven-artifact 3.8 `ComparableVersion` |
//! | [`GemVersion`] | RubyGems | `Gem::Version` |
//! | [`NugetVersion`] | NuGet | NuGet.Versioning `VersionComparer` |
//! | [`ComposerVersion`] | Packagist | Composer `VersionParser::normalize` + PHP `version_compare` |
//!
//! The comparison rules are hand-written: the existing crates cover only some of these schemes,
//! each differs from the reference tool on edge cases (epochs, `~`/`^`, qualifiers, integer
//! widths), and a matcher needs one uniform API over all of them. Each scheme is tested
//! against its reference implementation (differential tests in `tests/`) or, where none runs
//! on Linux, against the upstream project's own test vectors.
//!
//! On top, a small dispatch API for the vulnerability matcher:
//!
//! - [`Scheme::for_purl_type`] maps a package URL type (`deb`, `pypi`, `golang`...) to a
//!   [`Scheme`];
//! - [`Scheme::for_ecosystem`] maps OSV ecosystem names (`"PyPI"`, `"Debian:12"`, `"Alpine:v3.19"`,
//!   `"Red Hat"`...) to a [`Scheme`];
//! - [`compare`] / [`Scheme::compare`] compare two version strings under a scheme;
//! - [`OsvRange::affects`] evaluates an OSV `ECOSYSTEM` or `SEMVER` range for a version.
//!
//! ```
//! use std::cmp::Ordering;
//! use bulwark_version::{compare, Event, OsvRange, RangeType, Scheme};
//!
//! let debian = Scheme::for_ecosystem("Debian:12").unwrap();
//! assert_eq!(debian, Scheme::Dpkg);
//! assert_eq!(compare(debian, "1:2.3-1~deb12u1", "1:2.3-1"), Ok(Ordering::Less));
//!
//! let pypi = Scheme::for_ecosystem("PyPI").unwrap();
//! let range = OsvRange {
//!     kind: RangeType::Ecosystem,
//!     events: vec![Event::Introduced("0".into()), Event::Fixed("2.0.1".into())],
//! };
//! assert!(range.affects(pypi, "2.0.1rc1").unwrap());
//! assert!(!range.affects(pypi, "2.0.1").unwrap());
//!
//! // Garbage is an error value, never a panic.
//! assert!(compare(Scheme::Semver, "1.2.3", "not-a-version").is_err());
//! ```
//!
//! # What it does not do
//!
//! - No version *constraints* (`^1.2`, `~> 2.0`, `[1.0,2.0)`): OSV ranges are event lists, and
//!   constraint syntaxes belong to the lockfile parsers.
//! - No `GIT` ranges (they need the repository's history).
//! - No guessing: a string the scheme rejects is a [`VersionError`], including strings the
//!   reference tool would order by an arbitrary fallback (apk's string sort of invalid
//!   versions, Go's "invalid is lowest", Composer branch names).

mod apk;
mod composer;
mod dpkg;
mod error;
mod gem;
mod go;
mod macros;
mod maven;
pub mod name;
mod nuget;
mod num;
mod osv;
mod pep440;
mod rpm;
mod semver;

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use apk::ApkVersion;
pub use composer::ComposerVersion;
pub use dpkg::DpkgVersion;
pub use error::{VersionError, MAX_VERSION_LEN};
pub use gem::GemVersion;
pub use go::GoVersion;
pub use maven::MavenVersion;
pub use nuget::NugetVersion;
pub use osv::{Event, OsvRange, RangeType};
pub use pep440::{Pep440Version, PreLabel};
pub use rpm::{rpmvercmp, RpmVersion};
pub use semver::SemverVersion;

/// A versioning scheme: how one ecosystem orders its versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Debian package versions ([`DpkgVersion`]).
    Dpkg,
    /// RPM EVR ([`RpmVersion`]).
    Rpm,
    /// apk-tools versions ([`ApkVersion`]).
    Apk,
    /// PEP 440 ([`Pep440Version`]).
    Pep440,
    /// SemVer 2.0.0 ([`SemverVersion`]).
    Semver,
    /// Go module versions ([`GoVersion`]).
    Go,
    /// Maven `ComparableVersion` ([`MavenVersion`]).
    Maven,
    /// RubyGems `Gem::Version` ([`GemVersion`]).
    RubyGems,
    /// NuGet versions ([`NugetVersion`]).
    NuGet,
    /// Composer versions ([`ComposerVersion`]).
    Composer,
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::Dpkg => "dpkg",
            Scheme::Rpm => "rpm",
            Scheme::Apk => "apk",
            Scheme::Pep440 => "PEP 440",
            Scheme::Semver => "SemVer",
            Scheme::Go => "Go",
            Scheme::Maven => "Maven",
            Scheme::RubyGems => "RubyGems",
            Scheme::NuGet => "NuGet",
            Scheme::Composer => "Composer",
        })
    }
}

impl Scheme {
    /// The scheme for an OSV ecosystem name. A `:release` suffix (`Debian:12`,
    /// `Alpine:v3.19`, `Red Hat:enterprise_linux:9`) is ignored. Returns `None` for ecosystems
    /// whose versions this crate does not order (`GitHub Actions`, `Linux`, `OSS-Fuzz`...).
    ///
    /// ```
    /// use bulwark_version::Scheme;
    /// assert_eq!(Scheme::for_ecosystem("Ubuntu:22.04:LTS"), Some(Scheme::Dpkg));
    /// assert_eq!(Scheme::for_ecosystem("Rocky Linux:9"), Some(Scheme::Rpm));
    /// assert_eq!(Scheme::for_ecosystem("crates.io"), Some(Scheme::Semver));
    /// assert_eq!(Scheme::for_ecosystem("OSS-Fuzz"), None);
    /// ```
    pub fn for_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem).trim();
        Some(match base {
            "Debian" | "Ubuntu" | "Echo" => Scheme::Dpkg,
            "AlmaLinux" | "Rocky Linux" | "Rocky" | "Red Hat" | "openSUSE" | "SUSE" | "Mageia"
            | "Azure Linux" | "CBL-Mariner" | "Amazon Linux" | "Oracle Linux" | "Fedora"
            | "CentOS" | "openEuler" | "Photon OS" => Scheme::Rpm,
            "Alpine" | "Wolfi" | "Chainguard" | "Alpaquita" | "BellSoft Hardened Containers" => {
                Scheme::Apk
            }
            "PyPI" => Scheme::Pep440,
            "npm" | "crates.io" | "Hex" | "Pub" | "SwiftURL" => Scheme::Semver,
            "Go" => Scheme::Go,
            "Maven" => Scheme::Maven,
            "RubyGems" => Scheme::RubyGems,
            "NuGet" => Scheme::NuGet,
            "Packagist" => Scheme::Composer,
            _ => return None,
        })
    }

    /// The scheme for a package-URL type (`deb`, `rpm`, `apk`, `pypi`, `npm`, `cargo`,
    /// `golang`, `maven`, `gem`, `nuget`, `composer`), for packages found in an image.
    ///
    /// ```
    /// use bulwark_version::Scheme;
    /// assert_eq!(Scheme::for_purl_type("golang"), Some(Scheme::Go));
    /// assert_eq!(Scheme::for_purl_type("generic"), None);
    /// ```
    pub fn for_purl_type(purl_type: &str) -> Option<Scheme> {
        Some(match purl_type.to_ascii_lowercase().as_str() {
            "deb" => Scheme::Dpkg,
            "rpm" => Scheme::Rpm,
            "apk" => Scheme::Apk,
            "pypi" => Scheme::Pep440,
            "npm" | "cargo" => Scheme::Semver,
            "golang" => Scheme::Go,
            "maven" => Scheme::Maven,
            "gem" => Scheme::RubyGems,
            "nuget" => Scheme::NuGet,
            "composer" => Scheme::Composer,
            _ => return None,
        })
    }

    /// Checks that `version` parses under this scheme.
    pub fn validate(self, version: &str) -> Result<(), VersionError> {
        self.compare(version, version).map(|_| ())
    }

    /// Compares two version strings under this scheme.
    ///
    /// For [`Scheme::Go`], a version without the `v` prefix (as OSV `Go` data writes them) is
    /// read with one; every other scheme takes the strings as they are.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        fn cmp<T: Ord>(
            parse: fn(&str) -> Result<T, VersionError>,
            a: &str,
            b: &str,
        ) -> Result<Ordering, VersionError> {
            Ok(parse(a)?.cmp(&parse(b)?))
        }
        match self {
            Scheme::Dpkg => cmp(DpkgVersion::parse, a, b),
            Scheme::Rpm => cmp(RpmVersion::parse, a, b),
            Scheme::Apk => cmp(ApkVersion::parse, a, b),
            Scheme::Pep440 => cmp(Pep440Version::parse, a, b),
            Scheme::Semver => cmp(SemverVersion::parse, a, b),
            Scheme::Go => {
                let with_v = |s: &str| {
                    if s.starts_with(|c: char| c.is_ascii_digit()) {
                        format!("v{s}")
                    } else {
                        s.to_owned()
                    }
                };
                cmp(GoVersion::parse, &with_v(a), &with_v(b))
            }
            Scheme::Maven => cmp(MavenVersion::parse, a, b),
            Scheme::RubyGems => cmp(GemVersion::parse, a, b),
            Scheme::NuGet => cmp(NugetVersion::parse, a, b),
            Scheme::Composer => cmp(ComposerVersion::parse, a, b),
        }
    }
}

/// Compares two version strings under `scheme`; see [`Scheme::compare`].
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, VersionError> {
    scheme.compare(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems() {
        let cases = [
            ("PyPI", Some(Scheme::Pep440)),
            ("npm", Some(Scheme::Semver)),
            ("crates.io", Some(Scheme::Semver)),
            ("Go", Some(Scheme::Go)),
            ("Maven", Some(Scheme::Maven)),
            ("RubyGems", Some(Scheme::RubyGems)),
            ("NuGet", Some(Scheme::NuGet)),
            ("Packagist", Some(Scheme::Composer)),
            ("Debian", Some(Scheme::Dpkg)),
            ("Debian:12", Some(Scheme::Dpkg)),
            ("Ubuntu:24.04:LTS", Some(Scheme::Dpkg)),
            ("Alpine:v3.20", Some(Scheme::Apk)),
            ("Wolfi", Some(Scheme::Apk)),
            ("AlmaLinux:9", Some(Scheme::Rpm)),
            ("Rocky Linux:8", Some(Scheme::Rpm)),
            ("Red Hat:enterprise_linux:9::appstream", Some(Scheme::Rpm)),
            ("openSUSE:Leap 15.5", Some(Scheme::Rpm)),
            ("GIT", None),
            ("", None),
        ];
        for (eco, want) in cases {
            assert_eq!(Scheme::for_ecosystem(eco), want, "{eco}");
        }
    }

    #[test]
    fn scheme_serialises_lowercase() {
        let names: Vec<String> = [Scheme::Pep440, Scheme::RubyGems, Scheme::NuGet]
            .iter()
            .map(|s| serde_json::to_string(s).unwrap_or_default())
            .collect();
        assert_eq!(names, ["\"pep440\"", "\"rubygems\"", "\"nuget\""]);
    }

    #[test]
    fn purl_types() {
        let cases = [
            ("deb", Some(Scheme::Dpkg)),
            ("rpm", Some(Scheme::Rpm)),
            ("apk", Some(Scheme::Apk)),
            ("pypi", Some(Scheme::Pep440)),
            ("npm", Some(Scheme::Semver)),
            ("cargo", Some(Scheme::Semver)),
            ("golang", Some(Scheme::Go)),
            ("maven", Some(Scheme::Maven)),
            ("gem", Some(Scheme::RubyGems)),
            ("nuget", Some(Scheme::NuGet)),
            ("composer", Some(Scheme::Composer)),
            ("alpm", None),
            ("generic", None),
        ];
        for (t, want) in cases {
            assert_eq!(Scheme::for_purl_type(t), want, "{t}");
        }
    }

    #[test]
    fn go_accepts_osv_style_versions() {
        assert_eq!(compare(Scheme::Go, "1.2.3", "v1.2.4"), Ok(Ordering::Less));
    }

    #[test]
    fn too_long_is_an_error() {
        let long = "1".repeat(MAX_VERSION_LEN + 1);
        for scheme in [
            Scheme::Dpkg,
            Scheme::Rpm,
            Scheme::Apk,
            Scheme::Pep440,
            Scheme::Semver,
            Scheme::Go,
            Scheme::Maven,
            Scheme::RubyGems,
            Scheme::NuGet,
            Scheme::Composer,
        ] {
            assert!(
                matches!(scheme.validate(&long), Err(VersionError::TooLong { .. })),
                "{scheme}"
            );
        }
    }
}
