//! Writers of Bulwark's reports (the data types are `bulwark-model`'s):
//!
//! - generic rule findings ([`Report`]), used by the configuration audit: a [`table`] for
//!   people, versioned [`json`], [`sarif`] 2.1.0 for code-scanning dashboards and [`junit`] XML
//!   for CI test views;
//! - the vulnerability scan's result ([`scan::ScanReport`]) with its own writers under [`scan`].
//!
//! What it does not do: decide what is a finding, filter or suppress (producers do that, on
//! the model). The model's types are re-exported here so writers' callers need one import.

pub mod json;
pub mod junit;
pub mod sarif;
pub mod scan;
pub mod table;

/// Run a streaming writer into a `String` (writers' `write` functions; a `Vec` cannot fail).
pub(crate) fn to_string(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> String {
    let mut out = Vec::new();
    let _ = write(&mut out);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

pub use bulwark_model::{
    Finding, Location, Report, ReportError, Rule, Severity, Suppression, Tool,
};

#[cfg(test)]
pub(crate) mod testdata {
    use std::collections::BTreeMap;

    use super::*;

    /// A small report used by every writer's tests.
    pub fn sample() -> Report {
        let rule = |id: &str, sev| Rule {
            id: id.to_string(),
            title: format!("title of {id}"),
            severity: sev,
            rationale: "because".to_string(),
            remediation: "fix <it> & \"now\"".to_string(),
            help_uri: Some(format!("https://example.invalid/rules#{id}")),
            references: vec!["CIS-4.1".to_string()],
        };
        let loc = |file: &str, line| Location {
            file: file.to_string(),
            line: Some(line),
            column: Some(1),
            end_line: Some(line),
            end_column: Some(10),
            logical: Some("FROM".to_string()),
        };
        Report {
            tool: Tool {
                name: "bulwark".to_string(),
                version: "0.1.0".to_string(),
                information_uri: None,
            },
            scan_kind: "config".to_string(),
            targets: vec![
                "a/Dockerfile".to_string(),
                "b/pod.yaml".to_string(),
                "c/clean.yaml".to_string(),
            ],
            rules: vec![rule("R-1", Severity::High), rule("R-2", Severity::Low)],
            findings: vec![
                Finding {
                    rule_id: "R-1".to_string(),
                    severity: Severity::High,
                    title: "title of R-1".to_string(),
                    message: "bad <thing> & \"quoted\"".to_string(),
                    location: loc("a/Dockerfile", 3),
                    suppression: None,
                    properties: BTreeMap::new(),
                },
                Finding {
                    rule_id: "R-2".to_string(),
                    severity: Severity::Low,
                    title: "title of R-2".to_string(),
                    message: "minor".to_string(),
                    location: loc("b/pod.yaml", 7),
                    suppression: Some(Suppression {
                        kind: "inline".to_string(),
                        reason: "accepted".to_string(),
                        owner: None,
                        expires: None,
                    }),
                    properties: BTreeMap::new(),
                },
            ],
            errors: vec![],
        }
    }
}
