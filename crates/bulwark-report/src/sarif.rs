//! SARIF 2.1.0 output (OASIS Static Analysis Results Interchange Format).
//!
//! One run; the driver lists every rule of the report with `shortDescription`,
//! `fullDescription`, `help` (text and markdown), `helpUri`, a default level and the
//! `security-severity` property GitHub code scanning reads. Each finding becomes a result with a
//! physical location (`artifactLocation.uri` + `region`) and, when known, a logical location.
//! Suppressed findings carry a `suppressions` entry (`inSource` for inline comments, `external`
//! for suppression files).

use serde_json::json;

pub mod model;

use model::{
    suppression_kind, ArtifactLocation, Configuration, Driver, Help, Location, Log,
    LogicalLocation, Message, PhysicalLocation, Properties, Region, Rule, Run, SarifResult, Tool,
};

pub use model::SCHEMA_URI;

use crate::{Finding, Report, Severity};

pub(crate) fn level(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Unknown => "note",
    }
}

/// Numeric score in the CVSS-like scale GitHub uses to bucket `security-severity`.
pub(crate) fn security_severity(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Unknown => "0.0",
    }
}

/// Turn a file path into a relative URI reference: forward slashes, percent-encoded spaces and
/// other characters that are not allowed in URIs.
pub(crate) fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for ch in path.chars() {
        let ch = if ch == '\\' { '/' } else { ch };
        if ch.is_ascii_alphanumeric() || "-._~/:@!$&'()*+,;=".contains(ch) {
            out.push(ch);
        } else {
            let mut buf = [0u8; 4];
            for b in ch.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn result(report: &Report, f: &Finding) -> SarifResult {
    let loc = &f.location;
    let mut region = Region::default();
    if let Some(l) = loc.line.filter(|l| *l > 0) {
        region.start_line = Some(l);
        region.start_column = loc.column.filter(|c| *c > 0);
        if let Some(el) = loc.end_line.filter(|el| *el >= l) {
            region.end_line = Some(el);
            region.end_column = loc.end_column.filter(|c| *c > 0);
        }
    }
    let location = Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri(&loc.file),
            },
            region: region.start_line.is_some().then_some(region),
        },
        logical_locations: loc.logical.as_ref().map(|logical| {
            vec![LogicalLocation {
                name: None,
                fully_qualified_name: logical.clone(),
                kind: None,
            }]
        }),
    };
    let mut properties = Properties::new();
    properties.insert("severity".into(), json!(f.severity.as_str()));
    for (k, v) in &f.properties {
        properties.insert(k.clone(), v.clone());
    }
    SarifResult {
        rule_id: f.rule_id.clone(),
        rule_index: report.rules.iter().position(|rule| rule.id == f.rule_id),
        level: level(f.severity),
        message: Message::new(f.message.as_str()),
        locations: vec![location],
        partial_fingerprints: None,
        suppressions: f.suppression.as_ref().map(|s| {
            vec![model::Suppression {
                kind: suppression_kind(&s.kind),
                status: None,
                justification: s.reason.clone(),
                properties: None,
            }]
        }),
        properties,
    }
}

/// Render the report as a SARIF 2.1.0 log (pretty-printed JSON).
pub fn write(report: &Report) -> String {
    log(report).to_pretty()
}

/// Stream [`write`]'s log to `out`.
pub fn write_to(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    log(report).write_to(out)
}

/// The report as a typed SARIF log.
pub fn log(report: &Report) -> Log {
    let rules: Vec<Rule> = report
        .rules
        .iter()
        .map(|rule| {
            let mut help_md = format!(
                "{}\n\n**Remediation:** {}",
                rule.rationale, rule.remediation
            );
            if !rule.references.is_empty() {
                help_md.push_str(&format!(
                    "\n\n**References:** {}",
                    rule.references.join(", ")
                ));
            }
            let mut properties = Properties::new();
            properties.insert(
                "tags".into(),
                json!(["security", report.scan_kind.as_str()]),
            );
            properties.insert("precision".into(), json!("very-high"));
            properties.insert(
                "security-severity".into(),
                json!(security_severity(rule.severity)),
            );
            properties.insert("references".into(), json!(rule.references));
            Rule {
                id: rule.id.clone(),
                name: rule.id.replace('-', ""),
                short_description: Message::new(rule.title.as_str()),
                full_description: Message::new(rule.rationale.as_str()),
                help: Help {
                    text: format!("{}\nRemediation: {}", rule.rationale, rule.remediation),
                    markdown: Some(help_md),
                },
                help_uri: rule.help_uri.clone(),
                default_configuration: Configuration {
                    level: level(rule.severity),
                },
                properties,
            }
        })
        .collect();
    let results = report.findings.iter().map(|f| result(report, f)).collect();
    Log::single(Run {
        tool: Tool {
            driver: Driver {
                name: report.tool.name.clone(),
                version: report.tool.version.clone(),
                semantic_version: Some(report.tool.version.clone()),
                information_uri: report.tool.information_uri.clone(),
                rules,
            },
        },
        results,
        column_kind: Some("unicodeCodePoints"),
        properties: None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn sarif_golden() {
        let out = super::write(&crate::testdata::sample());
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let res = &v["runs"][0]["results"];
        assert_eq!(res[0]["ruleIndex"], 0);
        assert_eq!(
            res[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
            3
        );
        assert_eq!(res[1]["suppressions"][0]["kind"], "inSource");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn uri_escapes() {
        assert_eq!(super::uri("a dir\\x%.yaml"), "a%20dir/x%25.yaml");
    }
}
