//! SARIF 2.1.0 output (OASIS Static Analysis Results Interchange Format).
//!
//! One run; the driver lists every rule of the report with `shortDescription`,
//! `fullDescription`, `help` (text and markdown), `helpUri`, a default level and the
//! `security-severity` property GitHub code scanning reads. Each finding becomes a result with a
//! physical location (`artifactLocation.uri` + `region`) and, when known, a logical location.
//! Suppressed findings carry a `suppressions` entry (`inSource` for inline comments, `external`
//! for suppression files).

use serde_json::{json, Map, Value};

use crate::{Finding, Report, Severity};

/// URI of the SARIF 2.1.0 schema written into `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

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

fn result(report: &Report, f: &Finding) -> Value {
    let mut region = Map::new();
    let loc = &f.location;
    if let Some(l) = loc.line.filter(|l| *l > 0) {
        region.insert("startLine".into(), json!(l));
        if let Some(c) = loc.column.filter(|c| *c > 0) {
            region.insert("startColumn".into(), json!(c));
        }
        if let Some(el) = loc.end_line.filter(|el| *el >= l) {
            region.insert("endLine".into(), json!(el));
            if let Some(ec) = loc.end_column.filter(|c| *c > 0) {
                region.insert("endColumn".into(), json!(ec));
            }
        }
    }
    let mut physical = Map::new();
    physical.insert("artifactLocation".into(), json!({ "uri": uri(&loc.file) }));
    if !region.is_empty() {
        physical.insert("region".into(), Value::Object(region));
    }
    let mut location = Map::new();
    location.insert("physicalLocation".into(), Value::Object(physical));
    if let Some(logical) = &loc.logical {
        location.insert(
            "logicalLocations".into(),
            json!([{ "fullyQualifiedName": logical }]),
        );
    }
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(f.rule_id));
    if let Some(idx) = report.rules.iter().position(|rule| rule.id == f.rule_id) {
        r.insert("ruleIndex".into(), json!(idx));
    }
    r.insert("level".into(), json!(level(f.severity)));
    r.insert("message".into(), json!({ "text": f.message }));
    r.insert("locations".into(), json!([Value::Object(location)]));
    if let Some(s) = &f.suppression {
        let kind = if s.kind == "inline" {
            "inSource"
        } else {
            "external"
        };
        r.insert(
            "suppressions".into(),
            json!([{ "kind": kind, "justification": s.reason }]),
        );
    }
    let mut props = Map::new();
    props.insert("severity".into(), json!(f.severity.as_str()));
    for (k, v) in &f.properties {
        props.insert(k.clone(), v.clone());
    }
    r.insert("properties".into(), Value::Object(props));
    Value::Object(r)
}

/// Render `report` as a SARIF 2.1.0 log (pretty-printed JSON).
pub fn write(report: &Report) -> String {
    let rules: Vec<Value> = report
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
            let mut v = json!({
                "id": rule.id,
                "name": rule.id.replace('-', ""),
                "shortDescription": { "text": rule.title },
                "fullDescription": { "text": rule.rationale },
                "help": {
                    "text": format!("{}\nRemediation: {}", rule.rationale, rule.remediation),
                    "markdown": help_md,
                },
                "defaultConfiguration": { "level": level(rule.severity) },
                "properties": {
                    "tags": ["security", report.scan_kind.as_str()],
                    "precision": "very-high",
                    "security-severity": security_severity(rule.severity),
                    "references": rule.references,
                },
            });
            if let (Some(uri), Some(obj)) = (&rule.help_uri, v.as_object_mut()) {
                obj.insert("helpUri".into(), json!(uri));
            }
            v
        })
        .collect();
    let results: Vec<Value> = report.findings.iter().map(|f| result(report, f)).collect();
    let mut driver = json!({
        "name": report.tool.name,
        "version": report.tool.version,
        "semanticVersion": report.tool.version,
        "rules": rules,
    });
    if let (Some(uri), Some(obj)) = (&report.tool.information_uri, driver.as_object_mut()) {
        obj.insert("informationUri".into(), json!(uri));
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
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
