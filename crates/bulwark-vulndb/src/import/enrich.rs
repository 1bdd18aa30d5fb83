//! Enrichment feeds keyed by CVE: NVD CVE API 2.0 pages (CVSS, CWE, description), FIRST EPSS
//! CSV (optionally gzipped) and CISA KEV JSON.

use serde_json::Value;

use super::{maybe_gunzip, ImportError, ImportReport, Sink};
use crate::model::{Enrichment, Severity, SeverityKind};

fn parse_json(name: &str, data: &[u8], report: &mut ImportReport) -> Option<Value> {
    let data = match maybe_gunzip(data) {
        Ok(d) => d,
        Err(e) => {
            report.skip(name, None, e);
            return None;
        }
    };
    match serde_json::from_slice(&data) {
        Ok(v) => Some(v),
        Err(e) => {
            report.skip(name, None, format!("invalid JSON: {e}"));
            None
        }
    }
}

/// The top-level `vulnerabilities` array of a JSON feed (NVD CVE API pages and the KEV catalog
/// both keep their entries there). `None`, with the file recorded as skipped, when the document
/// is unreadable or has no such array.
fn vulnerabilities(name: &str, data: &[u8], report: &mut ImportReport) -> Option<Vec<Value>> {
    let mut doc = parse_json(name, data, report)?;
    match doc.get_mut("vulnerabilities").map(Value::take) {
        Some(Value::Array(vulns)) => Some(vulns),
        _ => {
            report.skip(name, None, "no vulnerabilities array");
            None
        }
    }
}

fn is_cve(id: &str) -> bool {
    crate::id::AdvisoryId::parse(id).is_valid_cve()
}

/// Import one NVD CVE API 2.0 response page.
pub fn import_nvd(
    name: &str,
    data: &[u8],
    sink: &mut dyn Sink,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let Some(vulns) = vulnerabilities(name, data, report) else {
        return Ok(());
    };
    for v in &vulns {
        let cve = v.get("cve");
        let Some(id) = cve.and_then(|c| c.get("id")).and_then(Value::as_str) else {
            report.skip(name, None, "entry without cve.id");
            continue;
        };
        if !is_cve(id) {
            report.skip(name, Some(id), "not a CVE id");
            continue;
        }
        let Some(cve) = cve else { continue };
        let mut e = Enrichment {
            cve: id.to_string(),
            ..Enrichment::default()
        };
        e.description = cve
            .get("descriptions")
            .and_then(Value::as_array)
            .and_then(|d| {
                d.iter()
                    .find(|x| x.get("lang").and_then(Value::as_str) == Some("en"))
            })
            .and_then(|x| x.get("value"))
            .and_then(Value::as_str)
            .map(str::to_string);
        for (key, kind) in [
            ("cvssMetricV40", SeverityKind::CvssV4),
            ("cvssMetricV31", SeverityKind::CvssV3),
            ("cvssMetricV30", SeverityKind::CvssV3),
            ("cvssMetricV2", SeverityKind::CvssV2),
        ] {
            for m in cve
                .get("metrics")
                .and_then(|m| m.get(key))
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let data = m.get("cvssData");
                let Some(vector) = data
                    .and_then(|d| d.get("vectorString"))
                    .and_then(Value::as_str)
                else {
                    continue;
                };
                // NVD's own score is "Primary"; CNA scores are kept under their source.
                let source = match m.get("type").and_then(Value::as_str) {
                    Some("Primary") => "nvd".to_string(),
                    _ => m
                        .get("source")
                        .and_then(Value::as_str)
                        .map(|s| format!("nvd-cna:{s}"))
                        .unwrap_or_else(|| "nvd".into()),
                };
                e.severities.push(Severity {
                    source,
                    kind,
                    value: vector.to_string(),
                    score: data
                        .and_then(|d| d.get("baseScore"))
                        .and_then(Value::as_f64),
                });
            }
        }
        for w in cve
            .get("weaknesses")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            for d in w
                .get("description")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if let Some(c) = d.get("value").and_then(Value::as_str) {
                    if c.starts_with("CWE-") && !e.cwes.iter().any(|x| x == c) {
                        e.cwes.push(c.to_string());
                    }
                }
            }
        }
        sink.enrichment(e)?;
    }
    Ok(())
}

/// Import one EPSS CSV (`cve,epss,percentile`, after a `#model_version...` comment line).
/// Hand-split rather than a CSV crate: the file is three unquoted numeric/id columns.
pub fn import_epss(
    name: &str,
    data: &[u8],
    sink: &mut dyn Sink,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let data = match maybe_gunzip(data) {
        Ok(d) => d,
        Err(e) => {
            report.skip(name, None, e);
            return Ok(());
        }
    };
    let text = String::from_utf8_lossy(&data);
    let mut header_seen = false;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen && line.starts_with("cve,") {
            header_seen = true;
            continue;
        }
        let mut cols = line.split(',');
        let (Some(cve), Some(epss), Some(pct)) = (cols.next(), cols.next(), cols.next()) else {
            report.skip(
                name,
                None,
                format!("line {}: expected 3 columns", n.saturating_add(1)),
            );
            continue;
        };
        let (Ok(epss), Ok(pct)) = (epss.trim().parse::<f64>(), pct.trim().parse::<f64>()) else {
            report.skip(
                name,
                Some(cve),
                format!("line {}: bad numbers", n.saturating_add(1)),
            );
            continue;
        };
        if !is_cve(cve) || !(0.0..=1.0).contains(&epss) || !(0.0..=1.0).contains(&pct) {
            report.skip(
                name,
                Some(cve),
                format!("line {}: out of range", n.saturating_add(1)),
            );
            continue;
        }
        sink.enrichment(Enrichment {
            cve: cve.to_string(),
            epss: Some(epss),
            epss_percentile: Some(pct),
            ..Enrichment::default()
        })?;
    }
    Ok(())
}

/// Import the CISA KEV catalog JSON.
pub fn import_kev(
    name: &str,
    data: &[u8],
    sink: &mut dyn Sink,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let Some(vulns) = vulnerabilities(name, data, report) else {
        return Ok(());
    };
    for v in &vulns {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let Some(cve) = s("cveID").filter(|c| is_cve(c)) else {
            report.skip(name, None, "entry without a valid cveID");
            continue;
        };
        sink.enrichment(Enrichment {
            cve,
            kev: true,
            kev_date_added: s("dateAdded"),
            kev_due_date: s("dueDate"),
            kev_ransomware: s("knownRansomwareCampaignUse"),
            ..Enrichment::default()
        })?;
    }
    Ok(())
}
