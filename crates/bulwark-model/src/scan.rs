//! The vulnerability scan's result: what a scan found in one target, as plain data.
//!
//! The matcher (`bulwark-match`) fills [`VulnFinding`]s, the policy stage (`bulwark-policy`)
//! marks suppressed ones and adds [`LicenseFinding`]s, and the writers (`bulwark-report`'s
//! `scan` module and `bulwark-sbom`) turn one [`ScanReport`] into a table, JSON, SARIF, JUnit,
//! HTML, CycloneDX or SPDX. The JSON form of [`ScanReport`] is the documented, versioned schema
//! (`docs/json-schema.md`); bump [`SCHEMA_VERSION`] on any incompatible change.

use std::collections::BTreeMap;

use bulwark_catalog::{Distro, LayerInfo, Package, PackageKind, Warning};
use serde::{Deserialize, Serialize};

use crate::{Severity, Suppression, Tool};

/// Version of the scan JSON schema.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything one scan of one target produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    /// [`SCHEMA_VERSION`] of the producer.
    pub schema_version: u32,
    /// Producing tool.
    pub tool: Tool,
    /// When the scan ran (RFC 3339, UTC).
    pub created_at: String,
    /// What was scanned.
    pub target: ScanTarget,
    /// The advisory database the findings come from (absent for inventory-only reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseInfo>,
    /// The target's inventory (package file lists left empty).
    pub packages: Vec<Package>,
    /// Vulnerabilities, suppressed ones included (see [`VulnFinding::suppression`]).
    pub vulnerabilities: Vec<VulnFinding>,
    /// License policy violations, suppressed ones included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseFinding>,
    /// Things the user must know about the scan as a whole (end-of-life release, stale database,
    /// expired exceptions...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<Notice>,
    /// Problems met while cataloguing that did not stop the scan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// Counts (recomputed by [`ScanReport::summarize`]).
    pub summary: Summary,
    /// Wall time per stage, when measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timings: Option<Timings>,
}

/// The scanned target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanTarget {
    /// The target as the user gave it.
    pub name: String,
    /// Source kind (`docker-archive`, `oci`, `docker`, `registry`, `rootfs`, `fs`, `sbom`).
    pub source: String,
    /// Names the image is known by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// Config digest (image id), when the target is an image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// Manifest digest, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Operating system release, when detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distro: Option<Distro>,
    /// The base image, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_image: Option<BaseImageRef>,
    /// Layers, bottom first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<LayerInfo>,
}

/// What is known about the base image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseImageRef {
    /// Base image name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Base image digest, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Number of bottom layers that belong to the base.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<usize>,
    /// What the split rests on (`explicit`, `annotation`, `history`).
    pub evidence: String,
}

/// The advisory database a scan used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatabaseInfo {
    /// File path.
    pub path: String,
    /// Build time (RFC 3339).
    pub built_at: String,
    /// Age in whole days at scan time.
    pub age_days: i64,
    /// The feeds it was built from (`osv:...`, `debian-tracker:...`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

/// The package a finding is about, as reports need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageRef {
    /// Name as the ecosystem spells it.
    pub name: String,
    /// Installed version.
    pub version: String,
    /// Packaging system.
    pub kind: PackageKind,
    /// Package URL.
    pub purl: String,
    /// The file the package was read from.
    pub found_in: String,
    /// Source package name, when the match went through it (Debian source, Alpine origin, rpm
    /// source rpm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
}

impl PackageRef {
    /// The reference to `p`.
    pub fn of(p: &Package) -> Self {
        PackageRef {
            name: p.name.clone(),
            version: p.version.clone(),
            kind: p.kind,
            purl: p.purl.clone(),
            found_in: p.found_in.clone(),
            source_name: p.source.as_ref().map(|s| s.name.clone()),
        }
    }
}

/// Where a fix stands for one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixStatus {
    /// A fixed version exists ([`VulnFinding::fixed_versions`]).
    Fixed,
    /// Affected, no fix published yet.
    Affected,
    /// Affected; the distribution will not issue an advisory (Debian `no-dsa`), a fix may come
    /// in a point release.
    NoDsa,
    /// Affected; the distribution ignores it (Debian `<ignored>`).
    Ignored,
    /// Affected; the vendor will not fix it.
    WillNotFix,
    /// Affected; the fix is deferred.
    Deferred,
    /// Affected; the release is out of support for this package.
    EndOfLife,
    /// Not known.
    Unknown,
}

impl FixStatus {
    /// Stable text form (the JSON spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            FixStatus::Fixed => "fixed",
            FixStatus::Affected => "affected",
            FixStatus::NoDsa => "no-dsa",
            FixStatus::Ignored => "ignored",
            FixStatus::WillNotFix => "will-not-fix",
            FixStatus::Deferred => "deferred",
            FixStatus::EndOfLife => "end-of-life",
            FixStatus::Unknown => "unknown",
        }
    }
}

/// Whether a finding comes from the base image or from the image's own layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Introduced by a base-image layer.
    Base,
    /// Introduced by one of the image's own layers.
    Own,
    /// No layer information (directories, SBOM input) or no base boundary known.
    Unknown,
}

impl Origin {
    /// The origin of something introduced by layer `layer` (0 = bottom) of an image whose
    /// first `base_layers` layers are the base image's: the one base/own rule every stage uses.
    pub fn of_layer(layer: Option<usize>, base_layers: Option<usize>) -> Origin {
        match (layer, base_layers) {
            (Some(i), Some(n)) if i < n => Origin::Base,
            (Some(_), Some(_)) => Origin::Own,
            _ => Origin::Unknown,
        }
    }
}

/// The layer that introduced a package.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRef {
    /// Position, 0 = bottom.
    pub index: usize,
    /// Blob digest, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Uncompressed digest (diff id), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
    /// The history instruction that made the layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

impl LayerRef {
    /// The reference to `layers[index]`, or a bare index when the layer list is shorter.
    pub fn of(layers: &[LayerInfo], index: usize) -> Self {
        match layers.get(index) {
            Some(l) => LayerRef {
                index,
                digest: l.digest.clone(),
                diff_id: l.diff_id.clone(),
                created_by: l.created_by.clone(),
            },
            None => LayerRef {
                index,
                ..LayerRef::default()
            },
        }
    }
}

/// One CVSS assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// Who scored it (`nvd`, `ghsa`, `redhat`, `debian`, `osv`...).
    pub source: String,
    /// CVSS version (`2.0`, `3.0`, `3.1`, `4.0`).
    pub version: String,
    /// The vector.
    pub vector: String,
    /// Base score, when known or computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// Exploit prediction (FIRST EPSS).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Epss {
    /// Probability of exploitation in the next 30 days (0..1).
    pub score: f64,
    /// Percentile (0..1).
    pub percentile: f64,
}

/// One vulnerability in one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnFinding {
    /// Primary id: the CVE when the vulnerability has one, else the advisory's own id.
    pub id: String,
    /// Every other id of the same vulnerability (GHSA, PYSEC, RUSTSEC, DSA...), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The vulnerable package.
    pub package: PackageRef,
    /// Versions that fix it (the nearest first), empty when there is no fix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed_versions: Vec<String>,
    /// Where the fix stands.
    pub status: FixStatus,
    /// Severity used for filtering and exit codes.
    pub severity: Severity,
    /// Who gave [`VulnFinding::severity`] (`debian`, `ghsa`, `nvd`, `cvss`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_source: Option<String>,
    /// CVSS assessments known for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<Cvss>,
    /// EPSS, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<Epss>,
    /// Listed in CISA's Known Exploited Vulnerabilities catalog.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kev: bool,
    /// One-line title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Links, most useful first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The feeds that reported it (`debian-tracker`, `osv`, `rustsec`...).
    pub data_sources: Vec<String>,
    /// Distribution advisories that ship the fix (`DSA-5380-1`, `RHSA-2024:0010`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fix_advisories: Vec<String>,
    /// Distribution note (Debian's no-dsa reason...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The layer that introduced the package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// Base image or own layers.
    pub origin: Origin,
    /// Set when an exception (suppression file, VEX) covers the finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
}

/// How a license policy judges a license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LicenseVerdict {
    /// Forbidden.
    Deny,
    /// Allowed with a warning.
    Warn,
    /// Not covered by the policy (reported when the policy says unknown licenses matter).
    Unknown,
}

/// A package whose license the policy does not allow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseFinding {
    /// The package.
    pub package: PackageRef,
    /// The package's license as an SPDX expression (or as found, when it could not be
    /// normalised).
    pub license: String,
    /// The policy's verdict.
    pub verdict: LicenseVerdict,
    /// The policy entry that decided (`deny: GPL-3.0-only`, `category: strong-copyleft`).
    pub rule: String,
    /// Severity used for filtering and exit codes.
    pub severity: Severity,
    /// The layer that introduced the package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// Base image or own layers.
    pub origin: Origin,
    /// Set when an exception covers the finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
}

/// How loud a [`Notice`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoticeLevel {
    /// Good to know.
    Info,
    /// The results may be incomplete or misleading.
    Warning,
}

/// What a [`Notice`] is about: a closed list, so a producer cannot invent a code no consumer
/// knows. The JSON form is the kebab-case name (`eol-release`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeCode {
    /// The advisory database is older than the configured maximum age.
    StaleDatabase,
    /// The target's distribution release is past its end of life.
    EolRelease,
    /// The target's distribution is not one the database covers.
    UnsupportedDistro,
    /// The database has no advisories for the target's distribution release.
    NoAdvisoriesForDistro,
    /// Packages come from third-party repositories the distribution's advisories do not cover.
    ThirdPartyPackages,
    /// The database has no advisories for an ecosystem the target has packages of.
    NoAdvisoriesForEcosystem,
    /// A VEX document changed findings.
    VexApplied,
    /// A VEX statement's version range could not be evaluated.
    VexRangeNotEvaluated,
    /// A VEX `not_affected` statement has no justification.
    VexMissingJustification,
    /// An exception has expired and no longer suppresses anything.
    ExpiredException,
}

impl NoticeCode {
    /// The stable kebab-case name (`eol-release`), as JSON and every writer spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeCode::StaleDatabase => "stale-database",
            NoticeCode::EolRelease => "eol-release",
            NoticeCode::UnsupportedDistro => "unsupported-distro",
            NoticeCode::NoAdvisoriesForDistro => "no-advisories-for-distro",
            NoticeCode::ThirdPartyPackages => "third-party-packages",
            NoticeCode::NoAdvisoriesForEcosystem => "no-advisories-for-ecosystem",
            NoticeCode::VexApplied => "vex-applied",
            NoticeCode::VexRangeNotEvaluated => "vex-range-not-evaluated",
            NoticeCode::VexMissingJustification => "vex-missing-justification",
            NoticeCode::ExpiredException => "expired-exception",
        }
    }
}

impl std::fmt::Display for NoticeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for NoticeCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for NoticeCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A fact about the scan as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// How loud.
    pub level: NoticeLevel,
    /// Stable code.
    pub code: NoticeCode,
    /// Text for people.
    pub message: String,
}

/// Finding counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    /// Critical.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
    /// Unknown.
    pub unknown: usize,
}

impl SeverityCounts {
    /// Count one finding of severity `s`.
    pub fn add(&mut self, s: Severity) {
        match s {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
            Severity::Unknown => self.unknown += 1,
        }
    }

    /// Sum of all counts.
    pub fn total(&self) -> usize {
        self.critical + self.high + self.medium + self.low + self.unknown
    }
}

/// Counts for people and CI gates. Suppressed findings are counted only in `suppressed`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Packages in the inventory.
    pub packages: usize,
    /// Active vulnerability findings by severity.
    pub vulnerabilities: SeverityCounts,
    /// Active vulnerability findings in base-image layers.
    pub base: SeverityCounts,
    /// Active vulnerability findings in the image's own layers.
    pub own: SeverityCounts,
    /// Active vulnerability findings whose origin is unknown.
    pub unknown_origin: SeverityCounts,
    /// Active vulnerability findings with a fixed version.
    pub fixable: usize,
    /// Active license findings by severity.
    pub licenses: SeverityCounts,
    /// Suppressed findings (vulnerabilities and licenses).
    pub suppressed: usize,
    /// Active findings per package kind (`deb`, `python`...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_kind: BTreeMap<String, usize>,
}

/// Wall time per stage, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Reading the layers and running the catalogers over them (one pass).
    pub walk_catalog_ms: f64,
    /// Finishing the inventory (cross-cataloger work after the walk).
    pub catalog_finish_ms: f64,
    /// Matching against the advisory database.
    pub match_ms: f64,
    /// Exceptions, VEX and license policy.
    pub policy_ms: f64,
    /// Writing the report.
    pub report_ms: f64,
}

impl ScanReport {
    /// Recompute [`ScanReport::summary`] from the findings.
    pub fn summarize(&mut self) {
        let mut s = Summary {
            packages: self.packages.len(),
            ..Summary::default()
        };
        for v in &self.vulnerabilities {
            if v.suppression.is_some() {
                s.suppressed += 1;
                continue;
            }
            s.vulnerabilities.add(v.severity);
            match v.origin {
                Origin::Base => s.base.add(v.severity),
                Origin::Own => s.own.add(v.severity),
                Origin::Unknown => s.unknown_origin.add(v.severity),
            }
            if v.status == FixStatus::Fixed {
                s.fixable += 1;
            }
            *s.by_kind.entry(kind_name(v.package.kind)).or_default() += 1;
        }
        for l in &self.licenses {
            if l.suppression.is_some() {
                s.suppressed += 1;
            } else {
                s.licenses.add(l.severity);
            }
        }
        self.summary = s;
    }

    /// Vulnerability findings not covered by an exception.
    pub fn active_vulnerabilities(&self) -> impl Iterator<Item = &VulnFinding> {
        self.vulnerabilities
            .iter()
            .filter(|v| v.suppression.is_none())
    }

    /// License findings not covered by an exception.
    pub fn active_licenses(&self) -> impl Iterator<Item = &LicenseFinding> {
        self.licenses.iter().filter(|l| l.suppression.is_none())
    }

    /// The highest severity among active findings, if any.
    pub fn max_active_severity(&self) -> Option<Severity> {
        self.active_vulnerabilities()
            .map(|v| v.severity)
            .chain(self.active_licenses().map(|l| l.severity))
            .max()
    }
}

/// The serialised name of a package kind (`deb`, `python`, `npm`...).
pub fn kind_name(kind: PackageKind) -> String {
    kind.as_str().to_string()
}
