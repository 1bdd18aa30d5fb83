//! The scan as SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning, GitLab, Azure
//! DevOps, SonarQube...).
//!
//! One run. Rules: one per vulnerability id (`CVE-2023-0286`) with its title, description,
//! first reference as `helpUri`, a Markdown help listing every affected package, and the
//! `security-severity` property GitHub uses to bucket alerts (the highest CVSS base score of
//! the vulnerability, else a value in the severity's band), tagged `vulnerability`, `security`,
//! the severity and the package kinds; plus one rule per denied or warned license
//! (`license/GPL-3.0-only`). Results: one per finding, `level` from the severity (critical and
//! high: `error`, medium: `warning`, low and unknown: `note`), a message naming the package and
//! version, the fixed version and the layer, located at the file the package was read from
//! (`found_in` without its leading `/`, line 1 because code scanning requires a region) with
//! the package URL as logical location, and a `partialFingerprints` entry so dashboards track
//! one alert per vulnerability, package and file across scans. Suppressed findings stay in the
//! log with an `external` suppression carrying the reason. The run's properties carry the
//! target, OS, base image, database, summary, notices and cataloguing warnings.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::util::{self, max_score};
use super::{LicenseFinding, ScanReport, VulnFinding};
use crate::sarif::model::{
    self, suppression_kind, ArtifactLocation, Configuration, Driver, Help, Location, Log,
    LogicalLocation, Message, PhysicalLocation, Properties, Region, Rule, Run, SarifResult, Tool,
};
use crate::sarif::{level, security_severity, uri};
use crate::{Severity, Suppression};

/// The `artifactLocation.uri` of a package file: relative (no leading `/`), URI-escaped.
fn artifact_uri(found_in: &str, target: &str) -> String {
    let path = found_in.trim_start_matches('/');
    if path.is_empty() {
        uri(target)
    } else {
        uri(path)
    }
}

fn location(report: &ScanReport, p: &super::PackageRef) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: artifact_uri(&p.found_in, &report.target.name),
            },
            region: Some(Region {
                start_line: Some(1),
                ..Region::default()
            }),
        },
        logical_locations: Some(vec![LogicalLocation {
            name: Some(p.name.clone()),
            fully_qualified_name: p.purl.clone(),
            kind: Some("package"),
        }]),
    }
}

fn suppressions(s: &Suppression) -> Vec<model::Suppression> {
    let mut props = Properties::new();
    props.insert("source".into(), json!(s.kind));
    if let Some(o) = &s.owner {
        props.insert("owner".into(), json!(o));
    }
    if let Some(e) = &s.expires {
        props.insert("expires".into(), json!(e));
    }
    vec![model::Suppression {
        kind: suppression_kind(&s.kind),
        status: Some("accepted"),
        justification: s.reason.clone(),
        properties: Some(props),
    }]
}

/// `layer 1 (your layers): RUN apt-get install ...`, for messages.
fn layer_text(origin: super::Origin, layer: Option<&super::LayerRef>) -> Option<String> {
    let who = match origin {
        super::Origin::Base => " (base image)",
        super::Origin::Own => " (your layers)",
        super::Origin::Unknown => "",
    };
    let l = layer?;
    let mut t = format!("layer {}{who}", l.index);
    if let Some(c) = &l.created_by {
        t.push_str(": ");
        t.push_str(&util::truncate(&util::one_line(c), 200));
    }
    Some(t)
}

fn vuln_message(v: &VulnFinding) -> String {
    let p = &v.package;
    let mut m = format!(
        "{}@{} is affected by {} ({}",
        p.name,
        p.version,
        v.id,
        v.severity.as_str()
    );
    if v.kev {
        m.push_str(", known exploited");
    }
    m.push(')');
    if let Some(t) = &v.title {
        m.push_str(": ");
        m.push_str(&util::one_line(t));
    }
    if !m.ends_with('.') {
        m.push('.');
    }
    if v.fixed_versions.is_empty() {
        m.push_str(&format!(" No fixed version ({})", v.status.as_str()));
        if let Some(n) = &v.note {
            m.push_str(&format!(": {}", util::one_line(n)));
        }
        m.push('.');
    } else {
        m.push_str(&format!(" Fixed in {}.", v.fixed_versions.join(", ")));
    }
    m.push_str(&format!(" Found in {}", p.found_in));
    if let Some(l) = layer_text(v.origin, v.layer.as_ref()) {
        m.push_str(&format!(", introduced by {l}"));
    }
    m.push('.');
    m
}

fn layer_props(l: &super::LayerRef) -> Value {
    let mut o = Properties::new();
    o.insert("index".into(), json!(l.index));
    if let Some(d) = &l.digest {
        o.insert("digest".into(), json!(d));
    }
    if let Some(d) = &l.diff_id {
        o.insert("diff_id".into(), json!(d));
    }
    if let Some(c) = &l.created_by {
        o.insert("created_by".into(), json!(c));
    }
    Value::Object(o)
}

fn vuln_result(report: &ScanReport, v: &VulnFinding, rule_index: usize) -> SarifResult {
    let mut props = Properties::new();
    props.insert("severity".into(), json!(v.severity.as_str()));
    if let Some(s) = &v.severity_source {
        props.insert("severity_source".into(), json!(s));
    }
    props.insert("status".into(), json!(v.status.as_str()));
    props.insert("package".into(), json!(v.package.name));
    props.insert("installed_version".into(), json!(v.package.version));
    props.insert("fixed_versions".into(), json!(v.fixed_versions));
    props.insert("purl".into(), json!(v.package.purl));
    props.insert(
        "package_kind".into(),
        json!(util::kind_label(v.package.kind)),
    );
    props.insert("origin".into(), json!(util::origin_name(v.origin)));
    if let Some(l) = &v.layer {
        props.insert("layer".into(), layer_props(l));
    }
    if !v.aliases.is_empty() {
        props.insert("aliases".into(), json!(v.aliases));
    }
    if v.kev {
        props.insert("kev".into(), json!(true));
    }
    if let Some(e) = &v.epss {
        props.insert("epss".into(), json!(e.score));
    }
    SarifResult {
        rule_id: v.id.clone(),
        rule_index: Some(rule_index),
        level: level(v.severity),
        message: Message::new(vuln_message(v)),
        locations: vec![location(report, &v.package)],
        partial_fingerprints: Some(fingerprint(&v.id, &v.package)),
        suppressions: v.suppression.as_ref().map(suppressions),
        properties: props,
    }
}

/// The `partialFingerprints` of a finding: one alert per rule, package and file across scans.
fn fingerprint(rule: &str, p: &super::PackageRef) -> BTreeMap<String, String> {
    BTreeMap::from([(
        "bulwarkFinding/v1".to_string(),
        format!("{rule}|{}|{}", p.purl, p.found_in),
    )])
}

fn license_rule_id(l: &LicenseFinding) -> String {
    format!("license/{}", l.license)
}

fn license_result(report: &ScanReport, l: &LicenseFinding, rule_index: usize) -> SarifResult {
    let p = &l.package;
    let verdict = match l.verdict {
        super::LicenseVerdict::Deny => "denied",
        super::LicenseVerdict::Warn => "flagged",
        super::LicenseVerdict::Unknown => "not covered",
    };
    let mut text = format!(
        "{}@{} is licensed {}, {verdict} by the license policy ({}). Found in {}",
        p.name, p.version, l.license, l.rule, p.found_in
    );
    if let Some(t) = layer_text(l.origin, l.layer.as_ref()) {
        text.push_str(&format!(", introduced by {t}"));
    }
    text.push('.');
    let mut props = Properties::new();
    props.insert("severity".into(), json!(l.severity.as_str()));
    props.insert("license".into(), json!(l.license));
    props.insert(
        "verdict".into(),
        serde_json::to_value(l.verdict).unwrap_or(Value::Null),
    );
    props.insert("policy_rule".into(), json!(l.rule));
    props.insert("purl".into(), json!(p.purl));
    props.insert("origin".into(), json!(util::origin_name(l.origin)));
    if let Some(layer) = &l.layer {
        props.insert("layer".into(), layer_props(layer));
    }
    SarifResult {
        rule_id: license_rule_id(l),
        rule_index: Some(rule_index),
        level: level(l.severity),
        message: Message::new(text),
        locations: vec![location(report, p)],
        partial_fingerprints: Some(fingerprint(&license_rule_id(l), p)),
        suppressions: l.suppression.as_ref().map(suppressions),
        properties: props,
    }
}

/// Markdown cell text: no pipes or newlines.
fn md(s: &str) -> String {
    util::one_line(s).replace('|', "\\|")
}

fn vuln_rule(id: &str, findings: &[&VulnFinding]) -> Rule {
    // The first finding with a title/description speaks for the vulnerability.
    let title = findings
        .iter()
        .find_map(|v| v.title.as_deref())
        .map(util::one_line);
    let description = findings
        .iter()
        .find_map(|v| v.description.as_deref())
        .map(util::one_line);
    let severity = findings
        .iter()
        .map(|v| v.severity)
        .max()
        .unwrap_or(Severity::Unknown);
    let score = findings
        .iter()
        .filter_map(|v| max_score(v))
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
    let sec = match score {
        Some(s) => format!("{s:.1}"),
        None => security_severity(severity).to_string(),
    };
    let mut references: Vec<&str> = Vec::new();
    let mut aliases: Vec<&str> = Vec::new();
    let mut kinds: Vec<String> = Vec::new();
    for v in findings {
        for r in &v.references {
            if !references.contains(&r.as_str()) {
                references.push(r);
            }
        }
        for a in &v.aliases {
            if !aliases.contains(&a.as_str()) {
                aliases.push(a);
            }
        }
        let k = util::kind_label(v.package.kind);
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    aliases.sort_unstable();
    let short = title.clone().unwrap_or_else(|| id.to_string());
    let full = description
        .clone()
        .or(title)
        .unwrap_or_else(|| id.to_string());
    let mut markdown = format!("**{}** {}\n\n", md(id), md(&short));
    if let Some(d) = &description {
        markdown.push_str(d);
        markdown.push_str("\n\n");
    }
    markdown.push_str(
        "| Package | Installed | Fixed | Status | Severity | Found in |\n|---|---|---|---|---|---|\n",
    );
    for v in findings {
        markdown.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            md(&v.package.name),
            md(&v.package.version),
            md(&v.fixed_versions.join(", ")),
            v.status.as_str(),
            v.severity.as_str(),
            md(&v.package.found_in)
        ));
    }
    if !aliases.is_empty() {
        markdown.push_str(&format!("\nAliases: {}\n", aliases.join(", ")));
    }
    if !references.is_empty() {
        markdown.push_str("\nReferences:\n");
        for r in &references {
            if util::is_web_url(r) {
                markdown.push_str(&format!("- <{r}>\n"));
            } else {
                markdown.push_str(&format!("- {}\n", md(r)));
            }
        }
    }
    let mut text = format!("{id}: {short}");
    if let Some(d) = &description {
        text.push_str("\n\n");
        text.push_str(d);
    }
    let mut tags = vec![
        "vulnerability".to_string(),
        "security".to_string(),
        severity.as_str().to_string(),
    ];
    tags.extend(kinds);
    let mut properties = Properties::new();
    properties.insert("security-severity".into(), json!(sec));
    properties.insert("tags".into(), json!(tags));
    properties.insert("precision".into(), json!("very-high"));
    properties.insert("aliases".into(), json!(aliases));
    Rule {
        id: id.to_string(),
        name: id.to_string(),
        short_description: Message::new(short),
        full_description: Message::new(full),
        help: Help {
            text,
            markdown: Some(markdown),
        },
        help_uri: references
            .iter()
            .find(|r| util::is_web_url(r))
            .map(|r| r.to_string()),
        default_configuration: Configuration {
            level: level(severity),
        },
        properties,
    }
}

fn license_rule(id: &str, findings: &[&LicenseFinding]) -> Rule {
    let severity = findings
        .iter()
        .map(|l| l.severity)
        .max()
        .unwrap_or(Severity::Unknown);
    let license = id.trim_start_matches("license/");
    let rules: Vec<&str> = {
        let mut r: Vec<&str> = findings.iter().map(|l| l.rule.as_str()).collect();
        r.sort_unstable();
        r.dedup();
        r
    };
    let short = format!("License {license} is not allowed by the license policy");
    let full = format!(
        "Packages licensed {license} violate the license policy ({}).",
        rules.join("; ")
    );
    let mut properties = Properties::new();
    properties.insert(
        "security-severity".into(),
        json!(security_severity(severity)),
    );
    properties.insert("tags".into(), json!(["license", severity.as_str()]));
    Rule {
        id: id.to_string(),
        name: id.to_string(),
        short_description: Message::new(short),
        help: Help {
            text: format!(
                "{full} Replace the package, get an exception approved, or change the policy."
            ),
            markdown: None,
        },
        full_description: Message::new(full),
        help_uri: None,
        default_configuration: Configuration {
            level: level(severity),
        },
        properties,
    }
}

/// Render the scan as a SARIF 2.1.0 log (pretty-printed JSON, ends with a newline).
pub fn write(report: &ScanReport) -> String {
    crate::to_string(|out| write_to(report, out))
}

/// Stream [`write`]'s log (ending with a newline) to `out`.
pub fn write_to(report: &ScanReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    log(report).write_to(out)?;
    out.write_all(b"\n")
}

/// The scan as a typed SARIF log.
pub fn log(report: &ScanReport) -> Log {
    // Rules in a stable order: vulnerabilities by id, then licenses.
    let mut by_id: BTreeMap<&str, Vec<&VulnFinding>> = BTreeMap::new();
    for v in &report.vulnerabilities {
        by_id.entry(v.id.as_str()).or_default().push(v);
    }
    let mut by_license: BTreeMap<String, Vec<&LicenseFinding>> = BTreeMap::new();
    for l in &report.licenses {
        by_license.entry(license_rule_id(l)).or_default().push(l);
    }
    let mut rules: Vec<Rule> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (id, list) in &by_id {
        index.insert(id.to_string(), rules.len());
        rules.push(vuln_rule(id, list));
    }
    for (id, list) in &by_license {
        index.insert(id.clone(), rules.len());
        rules.push(license_rule(id, list));
    }

    let mut vulns: Vec<&VulnFinding> = report.vulnerabilities.iter().collect();
    vulns.sort_by(|a, b| util::finding_order(a, b));
    let mut results: Vec<SarifResult> = vulns
        .iter()
        .map(|v| vuln_result(report, v, index.get(&v.id).copied().unwrap_or(0)))
        .collect();
    for l in &report.licenses {
        let i = index.get(&license_rule_id(l)).copied().unwrap_or(0);
        results.push(license_result(report, l, i));
    }

    let driver = Driver {
        name: report.tool.name.clone(),
        version: report.tool.version.clone(),
        semantic_version: None,
        information_uri: report.tool.information_uri.clone(),
        rules,
    };
    let t = &report.target;
    let mut run_props = Properties::new();
    run_props.insert("target".into(), json!(t.name));
    run_props.insert("source".into(), json!(t.source));
    if let Some(id) = &t.image_id {
        run_props.insert("image_id".into(), json!(id));
    }
    if let Some(d) = &t.distro {
        run_props.insert(
            "distro".into(),
            json!({ "id": d.id, "version_id": d.version_id, "eol": d.eol }),
        );
    }
    if let Some(b) = &t.base_image {
        run_props.insert(
            "base_image".into(),
            serde_json::to_value(b).unwrap_or(Value::Null),
        );
    }
    if let Some(db) = &report.database {
        run_props.insert(
            "database".into(),
            json!({ "built_at": db.built_at, "age_days": db.age_days }),
        );
    }
    // Notices and cataloguing warnings belong in `invocations[].toolExecutionNotifications`,
    // but the schema subset the tests validate against (tests/fixtures) has no `invocation`
    // definition; run properties carry them instead.
    if !report.notices.is_empty() {
        run_props.insert(
            "notices".into(),
            serde_json::to_value(&report.notices).unwrap_or(Value::Null),
        );
    }
    if !report.warnings.is_empty() {
        run_props.insert(
            "warnings".into(),
            serde_json::to_value(&report.warnings).unwrap_or(Value::Null),
        );
    }
    run_props.insert("scanned_at".into(), json!(report.created_at));
    run_props.insert(
        "summary".into(),
        serde_json::to_value(&report.summary).unwrap_or(Value::Null),
    );
    Log::single(Run {
        tool: Tool { driver },
        results,
        column_kind: None,
        properties: Some(run_props),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testdata;

    #[test]
    fn rules_results_and_suppressions() {
        let out = super::write(&testdata::sample());
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        // 10 vulnerability ids + 1 license.
        assert_eq!(rules.len(), 11);
        let ssl = rules.iter().find(|r| r["id"] == "CVE-2023-0286").unwrap();
        assert_eq!(ssl["properties"]["security-severity"], "7.4");
        assert_eq!(
            ssl["helpUri"],
            "https://security-tracker.debian.org/tracker/CVE-2023-0286"
        );
        let tar = rules
            .iter()
            .find(|r| r["id"] == "TEMP-0290435-0B57B5")
            .unwrap();
        // No CVSS score: the severity band's value.
        assert_eq!(tar["properties"]["security-severity"], "0.0");
        assert!(rules.iter().any(|r| r["id"] == "license/GPL-3.0-only"));
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 11);
        // Most severe first; every ruleIndex points at its rule.
        for r in results {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
        }
        let first = &results[0];
        assert_eq!(first["level"], "error");
        let sudo = results
            .iter()
            .find(|r| r["ruleId"] == "CVE-2021-3156")
            .unwrap();
        assert_eq!(
            sudo["message"]["text"],
            "sudo@1.8.27-1+deb10u2 is affected by CVE-2021-3156 (HIGH, known exploited): sudo: \
             heap-based buffer overflow in sudoedit (Baron Samedit). Fixed in 1.8.27-1+deb10u3. \
             Found in /var/lib/dpkg/status, introduced by layer 1 (your layers): RUN /bin/sh -c \
             apt-get update && apt-get install -y --no-install-recommends curl sudo # buildkit."
        );
        assert_eq!(
            sudo["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "var/lib/dpkg/status"
        );
        assert_eq!(
            sudo["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "pkg:deb/debian/sudo@1.8.27-1+deb10u2?arch=amd64&distro=debian-10"
        );
        let urllib3 = results
            .iter()
            .find(|r| r["ruleId"] == "CVE-2021-33503")
            .unwrap();
        assert_eq!(urllib3["suppressions"][0]["kind"], "external");
        assert_eq!(
            urllib3["suppressions"][0]["justification"],
            "not_affected: vulnerable_code_not_in_execute_path (vex/api.openvex.json)"
        );
        let curl = results
            .iter()
            .find(|r| r["ruleId"] == "CVE-2023-28321")
            .unwrap();
        assert_eq!(curl["level"], "warning");
        let tar = results
            .iter()
            .find(|r| r["ruleId"] == "TEMP-0290435-0B57B5")
            .unwrap();
        assert_eq!(tar["level"], "note");
        let notes = run["properties"]["notices"].as_array().unwrap();
        assert_eq!(notes.len(), 3);
        assert_eq!(notes[0]["code"], "eol-release");
    }
}
