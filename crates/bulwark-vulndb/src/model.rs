//! The advisory data model every importer produces and the store keeps.
//!
//! Shaped after OSV (and the RustSec crate's types): ranges are kept as data (event lists), never
//! evaluated here; version comparison belongs to the matcher.

use serde::{Deserialize, Serialize};

/// One advisory (an OSV record, a distro tracker entry for one CVE, a RustSec advisory...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// Identifier in its own database (`GHSA-...`, `PYSEC-...`, `CVE-...`, `RUSTSEC-...`).
    pub id: String,
    /// Other identifiers of the same vulnerability.
    pub aliases: Vec<String>,
    /// Identifiers of related but distinct vulnerabilities.
    pub related: Vec<String>,
    /// One-line summary.
    pub summary: Option<String>,
    /// Longer description (Markdown in most feeds).
    pub details: Option<String>,
    /// RFC 3339 publication time (or date) as the feed gives it.
    pub published: Option<String>,
    /// RFC 3339 last-modified time as the feed gives it.
    pub modified: Option<String>,
    /// RFC 3339 withdrawal time, when the advisory was withdrawn.
    pub withdrawn: Option<String>,
    /// Severity scores, by who assigned them.
    pub severities: Vec<Severity>,
    /// Links.
    pub references: Vec<Reference>,
    /// CWE identifiers (`CWE-79`).
    pub cwes: Vec<String>,
    /// What the advisory affects.
    pub affected: Vec<Affected>,
    /// The feed this record was imported from (`osv`, `debian-tracker`, `rustsec`...).
    pub source: String,
}

/// How a severity is expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SeverityKind {
    /// A CVSS v2 vector.
    CvssV2,
    /// A CVSS v3.x vector.
    CvssV3,
    /// A CVSS v4 vector.
    CvssV4,
    /// A vendor's word (`Important`, `high`, `unimportant`...).
    Vendor,
}

impl SeverityKind {
    /// Stable text form, as stored (OSV's spelling for the CVSS kinds).
    pub fn as_str(self) -> &'static str {
        match self {
            SeverityKind::CvssV2 => "CVSS_V2",
            SeverityKind::CvssV3 => "CVSS_V3",
            SeverityKind::CvssV4 => "CVSS_V4",
            SeverityKind::Vendor => "vendor",
        }
    }

    /// Parse [`SeverityKind::as_str`]'s output (and OSV's `type` values).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "CVSS_V2" => Some(SeverityKind::CvssV2),
            "CVSS_V3" => Some(SeverityKind::CvssV3),
            "CVSS_V4" => Some(SeverityKind::CvssV4),
            "vendor" | "Ubuntu" => Some(SeverityKind::Vendor),
            _ => None,
        }
    }
}

/// One severity assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    /// Who assigned it (`osv`, `nvd`, `debian`, `redhat`, `ghsa`...).
    pub source: String,
    /// What kind of value [`Severity::value`] is.
    pub kind: SeverityKind,
    /// The vector or the vendor's word.
    pub value: String,
    /// Numeric base score, when the feed gives one.
    pub score: Option<f64>,
}

/// A link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// OSV reference type (`ADVISORY`, `FIX`, `WEB`...), `WEB` when the feed gives none.
    pub kind: String,
    /// The URL.
    pub url: String,
}

/// What kind of versions a [`Range`]'s events hold: [`bulwark_version::RangeType`], the one
/// OSV range type (the name kept for the store's callers).
pub use bulwark_version::RangeType as RangeKind;

/// One event of a range, in the order the feed gives them: [`bulwark_version::Event`], the one
/// OSV event type.
pub use bulwark_version::Event;

/// A version range as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// What kind of versions the events hold.
    pub kind: RangeKind,
    /// The repository, for GIT ranges.
    pub repo: Option<String>,
    /// The events, in feed order.
    pub events: Vec<Event>,
}

/// Where an advisory stands for one package in one distribution release (distro trackers), or
/// `Affected` for ecosystem feeds whose ranges say it all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    /// Affected versions are given by the ranges/versions (OSV, RustSec...).
    Affected,
    /// Fixed in the release (fixed version known).
    Fixed,
    /// Affected, no fix yet.
    Open,
    /// Affected, the distribution will not issue an advisory (Debian `no-dsa`).
    NoDsa,
    /// Affected, ignored by the distribution (Debian `<ignored>`).
    Ignored,
    /// Affected, release no longer supported for this package (Debian `<end-of-life>`).
    EndOfLife,
    /// Affected, the vendor will not fix it (Red Hat `no_fix_planned`).
    WillNotFix,
    /// Affected, a fix is deferred (Red Hat `Fix deferred`).
    Deferred,
    /// Not affected at all.
    NotAffected,
    /// The tracker says something this tool does not know.
    Unknown,
}

impl Status {
    /// Stable text form, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Affected => "affected",
            Status::Fixed => "fixed",
            Status::Open => "open",
            Status::NoDsa => "no-dsa",
            Status::Ignored => "ignored",
            Status::EndOfLife => "end-of-life",
            Status::WillNotFix => "will-not-fix",
            Status::Deferred => "deferred",
            Status::NotAffected => "not-affected",
            Status::Unknown => "unknown",
        }
    }

    /// Parse [`Status::as_str`]'s output.
    pub fn parse(s: &str) -> Self {
        match s {
            "affected" => Status::Affected,
            "fixed" => Status::Fixed,
            "open" => Status::Open,
            "no-dsa" => Status::NoDsa,
            "ignored" => Status::Ignored,
            "end-of-life" => Status::EndOfLife,
            "will-not-fix" => Status::WillNotFix,
            "deferred" => Status::Deferred,
            "not-affected" => Status::NotAffected,
            _ => Status::Unknown,
        }
    }
}

/// One affected package of an advisory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// OSV ecosystem name, with the release for distributions (`Debian:12`, `Alpine:v3.18`,
    /// `AlmaLinux:9`, `PyPI`, `crates.io`, `Go`, `Red Hat:enterprise_linux:9`).
    pub ecosystem: String,
    /// Package name as the ecosystem spells it (source package for Debian).
    pub package: String,
    /// Version ranges as data.
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions.
    pub versions: Vec<String>,
    /// Where the advisory stands for this package.
    pub status: Status,
    /// Fixed versions the feed names outright (distro trackers); OSV fixed events stay in ranges.
    pub fixed: Vec<String>,
    /// Distribution urgency or vendor severity for this package (`high**`, `Important`...).
    pub severity: Option<String>,
    /// Free-text note (Debian `nodsa_reason`, Red Hat remediation details...).
    pub note: Option<String>,
    /// The distribution advisory that ships the fix (`DSA-5380-1`, `RHSA-2024:0010`...).
    pub fix_advisory: Option<String>,
    /// OSV `ecosystem_specific`, kept as JSON.
    pub ecosystem_specific: Option<serde_json::Value>,
    /// OSV `database_specific`, kept as JSON.
    pub database_specific: Option<serde_json::Value>,
}

impl Affected {
    /// An entry with nothing but the package and status.
    pub fn new(ecosystem: impl Into<String>, package: impl Into<String>, status: Status) -> Self {
        Affected {
            ecosystem: ecosystem.into(),
            package: package.into(),
            ranges: Vec::new(),
            versions: Vec::new(),
            status,
            fixed: Vec::new(),
            severity: None,
            note: None,
            fix_advisory: None,
            ecosystem_specific: None,
            database_specific: None,
        }
    }
}

/// Enrichment of one CVE from NVD, EPSS and CISA KEV. Every field is optional: each feed fills
/// its own part.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Enrichment {
    /// The CVE id.
    pub cve: String,
    /// NVD description (English).
    pub description: Option<String>,
    /// NVD CWE ids.
    pub cwes: Vec<String>,
    /// NVD CVSS scores.
    pub severities: Vec<Severity>,
    /// EPSS probability of exploitation in the next 30 days (0..1).
    pub epss: Option<f64>,
    /// EPSS percentile (0..1).
    pub epss_percentile: Option<f64>,
    /// Whether the CVE is in CISA's Known Exploited Vulnerabilities catalog.
    pub kev: bool,
    /// KEV `dateAdded`.
    pub kev_date_added: Option<String>,
    /// KEV `dueDate`.
    pub kev_due_date: Option<String>,
    /// KEV `knownRansomwareCampaignUse`.
    pub kev_ransomware: Option<String>,
}
