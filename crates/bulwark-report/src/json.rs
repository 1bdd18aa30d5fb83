//! Versioned JSON report.
//!
//! Schema (version [`SCHEMA_VERSION`]): an object with `schema_version` (integer), `tool`
//! (`name`, `version`, `information_uri`?), `scan_kind`, `targets` (array of file paths),
//! `summary` (`total`, `suppressed`, and `by_severity`: counts of *unsuppressed* findings per
//! severity name), `rules` (array of [`crate::Rule`]), `findings` (array of [`crate::Finding`])
//! and `errors` (array of `{file, message}`). Optional fields are omitted when absent. A new
//! field may be added without a version bump; renaming or removing one bumps the version.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Finding, Report, ReportError, Rule, Tool};

/// Version of the JSON layout written by [`write`].
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Summary {
    total: usize,
    suppressed: usize,
    by_severity: BTreeMap<&'static str, usize>,
}

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: &'a Tool,
    scan_kind: &'a str,
    targets: &'a [String],
    summary: Summary,
    rules: &'a [Rule],
    findings: &'a [Finding],
    errors: &'a [ReportError],
}

/// Render `report` as pretty-printed JSON.
pub fn write(report: &Report) -> String {
    crate::to_string(|out| write_to(report, out))
}

/// Stream [`write`]'s document to `out`.
pub fn write_to(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut by_severity = BTreeMap::new();
    for f in report.active() {
        *by_severity.entry(f.severity.as_str()).or_insert(0) += 1;
    }
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: &report.tool,
        scan_kind: &report.scan_kind,
        targets: &report.targets,
        summary: Summary {
            total: report.findings.len(),
            suppressed: report
                .findings
                .iter()
                .filter(|f| f.suppression.is_some())
                .count(),
            by_severity,
        },
        rules: &report.rules,
        findings: &report.findings,
        errors: &report.errors,
    };
    serde_json::to_writer_pretty(out, &doc).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_golden() {
        let out = super::write(&crate::testdata::sample());
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["schema_version"], 1);
        assert_eq!(v["summary"]["total"], 2);
        assert_eq!(v["summary"]["suppressed"], 1);
        assert_eq!(v["summary"]["by_severity"]["HIGH"], 1);
        insta::assert_snapshot!(out);
    }
}
