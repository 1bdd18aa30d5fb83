//! Bulwark's report model: the plain data every producer fills and every writer reads.
//!
//! Two models:
//!
//! - generic rule findings ([`Report`], [`Finding`], [`Rule`]), filled by the configuration
//!   audit (and later the host audit and the doors);
//! - the vulnerability scan's result ([`scan::ScanReport`]), filled by the matcher
//!   (`bulwark-match`), the policy stage (`bulwark-policy`) and the pipeline (`bulwark-scan`).
//!
//! What it does not do: render anything (the writers live in `bulwark-report` and
//! `bulwark-sbom`), decide what is a finding, filter by severity or apply suppressions (callers
//! do that and record the outcome in [`Finding::suppression`]). The JSON form of both models is
//! the documented, versioned schema (`docs/json-schema.md`).

pub mod scan;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How bad a finding is. Ordered: `Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// Severity not known (sorted lowest).
    Unknown,
    /// Hygiene or defence-in-depth issue.
    Low,
    /// Weakens isolation or hardening.
    Medium,
    /// Directly exploitable weakness or secret exposure.
    High,
    /// Host compromise or equivalent.
    Critical,
}

impl Severity {
    /// Upper-case name (`"HIGH"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "UNKNOWN",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }

    /// Parse a severity name, case-insensitively.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_uppercase().as_str() {
            "UNKNOWN" => Some(Severity::Unknown),
            "LOW" => Some(Severity::Low),
            "MEDIUM" => Some(Severity::Medium),
            "HIGH" => Some(Severity::High),
            "CRITICAL" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Description of a rule (check) that findings refer to by [`Rule::id`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Stable identifier (`BW-DF-001`).
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Default severity of the rule's findings.
    pub severity: Severity,
    /// Why this matters.
    pub rationale: String,
    /// How to fix it.
    pub remediation: String,
    /// Link to the rule's documentation, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// External references (CIS benchmark ids, linter ids, standards).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
}

/// Where a finding is. Lines and columns are 1-based; columns count characters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// File path as the user gave it (or relative to the scanned directory).
    pub file: String,
    /// First line, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// First column, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Last line, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// Column just past the end, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    /// Logical location inside the file: a YAML path
    /// (`spec.template.spec.containers[0].securityContext`) or a Dockerfile instruction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logical: Option<String>,
}

/// Why a finding is not counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// `inline` (a comment in the file) or `file` (a suppression file entry).
    pub kind: String,
    /// The justification given.
    pub reason: String,
    /// Who owns the exception, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Expiry date (`YYYY-MM-DD`), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// One result of one rule at one location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The [`Rule::id`] this finding belongs to.
    pub rule_id: String,
    /// Severity of this finding (usually the rule's).
    pub severity: Severity,
    /// Rule title, repeated so each finding reads on its own.
    pub title: String,
    /// What exactly is wrong here.
    pub message: String,
    /// Where.
    pub location: Location,
    /// Set when the finding is suppressed; suppressed findings stay in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
    /// Extra data (file kind, package, CVSS…); written as SARIF result properties.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
}

/// A problem that kept part of the input from being checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportError {
    /// File concerned.
    pub file: String,
    /// What went wrong.
    pub message: String,
}

/// The tool that produced a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// Name (`bulwark`).
    pub name: String,
    /// Version string.
    pub version: String,
    /// Home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<String>,
}

/// Everything a writer needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Producing tool.
    pub tool: Tool,
    /// What kind of scan (`config`, `vulnerability`); free text.
    pub scan_kind: String,
    /// Every file that was checked, in order, including those without findings.
    pub targets: Vec<String>,
    /// Rules referenced by findings (writers that need rule metadata look them up here).
    pub rules: Vec<Rule>,
    /// Findings, suppressed ones included.
    pub findings: Vec<Finding>,
    /// Non-fatal problems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ReportError>,
}

impl Report {
    /// Findings that are not suppressed.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppression.is_none())
    }

    /// The rule with this id, if listed.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
