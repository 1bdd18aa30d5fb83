//! The inventory's data types: packages, distributions, warnings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The packaging system a package belongs to. Its serialised name is the OSV ecosystem family
/// where one exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageKind {
    /// Debian package (dpkg).
    Deb,
    /// Alpine / Wolfi package (apk).
    Apk,
    /// RPM package.
    Rpm,
    /// Python distribution (PyPI).
    Python,
    /// npm package (Node.js).
    Npm,
    /// Go module.
    Go,
    /// Rust crate (crates.io).
    Cargo,
    /// Java archive / Maven artifact.
    Maven,
    /// Ruby gem.
    Gem,
    /// PHP Composer package.
    Composer,
    /// .NET NuGet package.
    Nuget,
    /// A runtime or binary found outside any package manager (node, CPython, JDK, Go toolchain).
    Binary,
    /// OpenWrt package (opkg).
    Opkg,
    /// A Bitnami image's component (`/opt/bitnami/<name>/.spdx-<name>.spdx`).
    Bitnami,
}

impl PackageKind {
    /// The serialised name (`deb`, `python`, `npm`...).
    pub fn as_str(self) -> &'static str {
        match self {
            PackageKind::Deb => "deb",
            PackageKind::Apk => "apk",
            PackageKind::Rpm => "rpm",
            PackageKind::Python => "python",
            PackageKind::Npm => "npm",
            PackageKind::Go => "go",
            PackageKind::Cargo => "cargo",
            PackageKind::Maven => "maven",
            PackageKind::Gem => "gem",
            PackageKind::Composer => "composer",
            PackageKind::Nuget => "nuget",
            PackageKind::Binary => "binary",
            PackageKind::Opkg => "opkg",
            PackageKind::Bitnami => "bitnami",
        }
    }

    /// Whether the package belongs to the operating system's package manager.
    pub fn is_os(self) -> bool {
        matches!(
            self,
            PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm | PackageKind::Opkg
        )
    }

    /// The OSV ecosystem name for language packages (`PyPI`, `npm`, `crates.io`...).
    pub fn osv_ecosystem(self) -> Option<&'static str> {
        Some(match self {
            PackageKind::Python => "PyPI",
            PackageKind::Npm => "npm",
            PackageKind::Go => "Go",
            PackageKind::Cargo => "crates.io",
            PackageKind::Maven => "Maven",
            PackageKind::Gem => "RubyGems",
            PackageKind::Composer => "Packagist",
            PackageKind::Nuget => "NuGet",
            PackageKind::Bitnami => "Bitnami",
            _ => return None,
        })
    }
}

/// How a package relates to the project that declares it (lockfiles only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// The project itself (root of the lockfile).
    Root,
    /// A direct dependency of the root.
    Direct,
    /// A transitive dependency.
    Indirect,
}

/// The source package a binary package was built from (dpkg `Source:`, rpm source rpm, apk
/// origin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcePackage {
    /// Source package name.
    pub name: String,
    /// Source version, when it differs from or is not implied by the binary version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// One package found in the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Package name as the ecosystem spells it.
    pub name: String,
    /// Version as the ecosystem compares it. dpkg: the full version with epoch (`1:2.3-4`);
    /// rpm: `VERSION-RELEASE` (epoch in [`Package::epoch`]); apk: `1.2.3-r4`; others: as declared.
    pub version: String,
    /// Packaging system.
    pub kind: PackageKind,
    /// Package URL (<https://github.com/package-url/purl-spec>).
    pub purl: String,
    /// rpm epoch, when the header has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u32>,
    /// Architecture (`amd64`, `x86_64`, `noarch`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Source package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePackage>,
    /// Licenses, as SPDX identifiers where they could be normalised, else as found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// CPEs that identify the package (used for runtimes outside package managers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpes: Vec<String>,
    /// The file the package was read from (package database, lockfile, binary, archive; nested
    /// archives as `outer.jar!/inner.jar`).
    pub found_in: String,
    /// Index of the layer that introduced the package (see [`crate::Inventory::layers`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// Relationship to the declaring project (lockfiles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<Relationship>,
    /// Development-only dependency.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
    /// Declared by a manifest (`pom.xml`, `setup.py`) rather than read from a lockfile, an
    /// installed package or an archive: the version is what the project asks for, not proof
    /// that it is installed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub declared: bool,
    /// Ids (`name@version`) of the packages this one depends on, where the source records a graph.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Files the package owns (absolute paths inside the image). Not serialised by default
    /// reports; kept for ownership decisions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Extra facts from the source, by field name (`maintainer`, `vendor`, `modularity_label`,
    /// `commit`, `build_time`, `origin`...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

impl Package {
    /// A package with the required fields set and everything else empty.
    pub fn new(
        kind: PackageKind,
        name: impl Into<String>,
        version: impl Into<String>,
        purl: impl Into<String>,
        found_in: impl Into<String>,
    ) -> Self {
        Package {
            name: name.into(),
            version: version.into(),
            kind,
            purl: purl.into(),
            epoch: None,
            arch: None,
            source: None,
            licenses: Vec::new(),
            cpes: Vec::new(),
            found_in: found_in.into(),
            layer: None,
            relationship: None,
            dev: false,
            declared: false,
            depends_on: Vec::new(),
            files: Vec::new(),
            metadata: BTreeMap::new(),
        }
    }

    /// `name@version`, the id used in dependency lists.
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

/// The operating system release an image is built on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distro {
    /// `ID` from os-release, lower case (`debian`, `ubuntu`, `alpine`, `rhel`, `rocky`, `almalinux`,
    /// `amzn`, `sles`, `opensuse-leap`, `wolfi`, `chainguard`, `mariner`, `azurelinux`...).
    pub id: String,
    /// `ID_LIKE` entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_like: Vec<String>,
    /// The family used for matching (`debian`, `alpine`, `redhat`, `suse`, `wolfi`, `mariner`...).
    pub family: String,
    /// `VERSION_ID` (`12`, `3.18.4`, `8.9`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// The release the advisory feeds key on (`12`, `3.18`, `8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// `VERSION_CODENAME` (`bookworm`, `jammy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codename: Option<String>,
    /// `PRETTY_NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    /// End of (standard) support, ISO date, where the distribution publishes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eol: Option<String>,
    /// Extra markers (`ubuntu-pro`, `esm`, `distroless`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<String>,
    /// The file the release was read from.
    pub found_in: String,
}

/// A problem met while cataloguing that did not stop the scan (a malformed stanza, a corrupt
/// header, a file over a limit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The cataloger that reports it.
    pub cataloger: String,
    /// The file concerned.
    pub path: String,
    /// What went wrong, for a person.
    pub message: String,
}

#[cfg(test)]
mod kind_name_tests {
    use super::PackageKind;

    #[test]
    fn as_str_is_the_serialised_name() {
        use PackageKind::*;
        for k in [
            Deb, Apk, Rpm, Python, Npm, Go, Cargo, Maven, Gem, Composer, Nuget, Binary, Opkg,
            Bitnami,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
}
