//! OSV records (<https://ossf.github.io/osv-schema/>), JSON or YAML (PyPA keeps YAML), any
//! ecosystem.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{non_empty, ImportError, ImportReport, Sink};
use crate::model::{
    Advisory, Affected, Event, Range, RangeKind, Reference, Severity, SeverityKind, Status,
};

#[derive(Debug, Deserialize)]
struct OsvRecord {
    id: Option<String>,
    aliases: Option<Vec<String>>,
    related: Option<Vec<String>>,
    summary: Option<String>,
    details: Option<String>,
    published: Option<String>,
    modified: Option<String>,
    withdrawn: Option<String>,
    severity: Option<Vec<OsvSeverity>>,
    references: Option<Vec<OsvReference>>,
    affected: Option<Vec<OsvAffected>>,
    database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct OsvSeverity {
    #[serde(rename = "type")]
    kind: Option<String>,
    score: Option<String>,
}

#[derive(Debug, Deserialize)]
struct OsvReference {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct OsvAffected {
    package: Option<OsvPackage>,
    severity: Option<Vec<OsvSeverity>>,
    ranges: Option<Vec<OsvRange>>,
    versions: Option<Vec<String>>,
    ecosystem_specific: Option<serde_json::Value>,
    database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct OsvPackage {
    ecosystem: Option<String>,
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct OsvRange {
    #[serde(rename = "type")]
    kind: Option<String>,
    repo: Option<String>,
    events: Option<Vec<BTreeMap<String, String>>>,
}

/// Import one OSV file: a single record, or a JSON array of records.
pub fn import(
    name: &str,
    data: &[u8],
    sink: &mut dyn Sink,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let lower = name.to_ascii_lowercase();
    let records: Vec<OsvRecord> = if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        let text = match std::str::from_utf8(data) {
            Ok(t) => t,
            Err(e) => {
                report.skip(name, None, format!("not UTF-8: {e}"));
                return Ok(());
            }
        };
        match serde_saphyr::from_str::<OsvRecord>(text) {
            Ok(r) => vec![r],
            Err(e) => {
                report.skip(name, None, format!("invalid OSV YAML: {e}"));
                return Ok(());
            }
        }
    } else {
        let trimmed = data.iter().position(|b| !b.is_ascii_whitespace());
        let is_array = trimmed.and_then(|i| data.get(i)) == Some(&b'[');
        if is_array {
            // An array: read each element on its own, so one bad record does not cost the rest.
            match serde_json::from_slice::<Vec<serde_json::Value>>(data) {
                Ok(values) => {
                    let mut out = Vec::new();
                    for v in values {
                        let id = v.get("id").and_then(|i| i.as_str()).map(str::to_string);
                        match serde_json::from_value::<OsvRecord>(v) {
                            Ok(r) => out.push(r),
                            Err(e) => {
                                report.skip(name, id.as_deref(), format!("invalid OSV record: {e}"))
                            }
                        }
                    }
                    out
                }
                Err(e) => {
                    report.skip(name, None, format!("invalid JSON: {e}"));
                    return Ok(());
                }
            }
        } else {
            match serde_json::from_slice::<OsvRecord>(data) {
                Ok(r) => vec![r],
                Err(e) => {
                    report.skip(name, None, format!("invalid OSV JSON: {e}"));
                    return Ok(());
                }
            }
        }
    };
    for record in records {
        match convert(record) {
            Ok(adv) => sink.advisory(adv)?,
            Err((id, reason)) => report.skip(name, id.as_deref(), reason),
        }
    }
    Ok(())
}

/// The severity source for an OSV record: its database, from the id prefix (`GHSA`, `PYSEC`,
/// `GO`, `ALSA`...), lower-cased.
fn severity_source(id: &str) -> String {
    id.split('-').next().unwrap_or(id).to_ascii_lowercase()
}

fn convert_severities(source: &str, list: Option<Vec<OsvSeverity>>, out: &mut Vec<Severity>) {
    for s in list.unwrap_or_default() {
        let (Some(kind), Some(score)) = (s.kind, non_empty(s.score)) else {
            continue;
        };
        let Some(kind) = SeverityKind::parse(&kind) else {
            continue;
        };
        out.push(Severity {
            source: source.to_string(),
            kind,
            value: score,
            score: None,
        });
    }
}

type ConvertError = (Option<String>, String);

fn convert(r: OsvRecord) -> Result<Advisory, ConvertError> {
    let Some(id) = non_empty(r.id) else {
        return Err((None, "record has no id".into()));
    };
    let source = severity_source(&id);
    let mut severities = Vec::new();
    convert_severities(&source, r.severity, &mut severities);
    let mut cwes = Vec::new();
    if let Some(db) = &r.database_specific {
        // GHSA: {"cwe_ids": [...], "severity": "HIGH"}.
        if let Some(ids) = db.get("cwe_ids").and_then(|v| v.as_array()) {
            cwes.extend(ids.iter().filter_map(|v| v.as_str()).map(str::to_string));
        }
        if let Some(sev) = db.get("severity").and_then(|v| v.as_str()) {
            severities.push(Severity {
                source: source.clone(),
                kind: SeverityKind::Vendor,
                value: sev.to_string(),
                score: None,
            });
        }
    }
    let references = r
        .references
        .unwrap_or_default()
        .into_iter()
        .filter_map(|x| {
            Some(Reference {
                kind: non_empty(x.kind).unwrap_or_else(|| "WEB".into()),
                url: non_empty(x.url)?,
            })
        })
        .collect();
    let mut affected = Vec::new();
    for (i, a) in r.affected.unwrap_or_default().into_iter().enumerate() {
        let Some(pkg) = a.package else {
            // OSV allows affected entries without a package (GIT-only ranges); nothing to
            // match on in a package database.
            continue;
        };
        let (Some(ecosystem), Some(package)) = (non_empty(pkg.ecosystem), non_empty(pkg.name))
        else {
            return Err((Some(id), format!("affected[{i}] lacks ecosystem or name")));
        };
        let mut ranges = Vec::new();
        for (j, range) in a.ranges.unwrap_or_default().into_iter().enumerate() {
            let kind = range
                .kind
                .as_deref()
                .and_then(RangeKind::parse)
                .ok_or_else(|| {
                    (
                        Some(id.clone()),
                        format!(
                            "affected[{i}].ranges[{j}]: unknown range type {:?}",
                            range.kind
                        ),
                    )
                })?;
            let mut events = Vec::new();
            for ev in range.events.unwrap_or_default() {
                for (k, v) in ev {
                    match Event::from_kind(&k, v) {
                        Some(e) => events.push(e),
                        None => {
                            return Err((
                                Some(id.clone()),
                                format!("affected[{i}].ranges[{j}]: unknown event `{k}`"),
                            ))
                        }
                    }
                }
            }
            ranges.push(Range {
                kind,
                repo: non_empty(range.repo),
                events,
            });
        }
        let mut sev = Vec::new();
        convert_severities(&source, a.severity, &mut sev);
        severities.extend(sev);
        let mut entry = Affected::new(ecosystem, package, Status::Affected);
        entry.ranges = ranges;
        entry.versions = a.versions.unwrap_or_default();
        entry.ecosystem_specific = a.ecosystem_specific;
        entry.database_specific = a.database_specific;
        affected.push(entry);
    }
    Ok(Advisory {
        aliases: r.aliases.unwrap_or_default(),
        related: r.related.unwrap_or_default(),
        summary: non_empty(r.summary),
        details: non_empty(r.details),
        published: non_empty(r.published),
        modified: non_empty(r.modified),
        withdrawn: non_empty(r.withdrawn),
        severities,
        references,
        cwes,
        affected,
        source: "osv".into(),
        id,
    })
}
