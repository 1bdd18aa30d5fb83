//! Debian security tracker: the JSON dump (`security-tracker.debian.org/tracker/data/json`) and
//! the DSA/DLA `list` text files from the tracker's repository.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{non_empty, ImportError, ImportReport, Sink};
use crate::model::{Advisory, Affected, Event, Range, RangeKind, Severity, SeverityKind, Status};

/// Debian release number for a codename, as OSV spells Debian ecosystems (`Debian:12`), from
/// [`bulwark_catalog::distro::DEBIAN_RELEASES`]. `sid` (unstable) has no number and stays
/// `sid`; unknown codenames are kept as they are so no data is lost when Debian names a new
/// release.
pub fn release_number(codename: &str) -> &str {
    match bulwark_catalog::distro::debian_release(codename) {
        Some(r) if r.codename == codename => r.number,
        _ => codename,
    }
}

/// The OSV ecosystem for a Debian codename.
pub fn ecosystem(codename: &str) -> String {
    format!("Debian:{}", release_number(codename))
}

#[derive(Debug, Deserialize)]
struct TrackerCve {
    description: Option<String>,
    releases: Option<BTreeMap<String, TrackerRelease>>,
}

#[derive(Debug, Deserialize)]
struct TrackerRelease {
    status: Option<String>,
    fixed_version: Option<String>,
    urgency: Option<String>,
    nodsa: Option<String>,
    nodsa_reason: Option<String>,
}

/// Import the tracker JSON: package -> CVE -> releases. Records are grouped by CVE, so each CVE
/// becomes one advisory listing every (release, source package) it touches.
pub fn import_tracker_json(
    name: &str,
    data: &[u8],
    sink: &mut dyn Sink,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let root: BTreeMap<String, serde_json::Value> = match serde_json::from_slice(data) {
        Ok(r) => r,
        Err(e) => {
            report.skip(name, None, format!("invalid tracker JSON: {e}"));
            return Ok(());
        }
    };
    let mut by_cve: BTreeMap<String, Advisory> = BTreeMap::new();
    for (package, cves) in root {
        let serde_json::Value::Object(cves) = cves else {
            report.skip(name, None, format!("package {package}: not an object"));
            continue;
        };
        for (cve, value) in cves {
            let record: TrackerCve = match serde_json::from_value(value) {
                Ok(r) => r,
                Err(e) => {
                    report.skip(name, Some(&cve), format!("package {package}: {e}"));
                    continue;
                }
            };
            let adv = by_cve.entry(cve.clone()).or_insert_with(|| Advisory {
                id: cve.clone(),
                source: "debian-tracker".into(),
                ..Advisory::default()
            });
            if adv.details.is_none() {
                adv.details = non_empty(record.description);
            }
            for (codename, rel) in record.releases.unwrap_or_default() {
                adv.affected
                    .push(tracker_affected(&package, &codename, rel));
            }
        }
    }
    for (_, adv) in by_cve {
        sink.advisory(adv)?;
    }
    Ok(())
}

fn tracker_affected(package: &str, codename: &str, rel: TrackerRelease) -> Affected {
    let status_word = rel.status.unwrap_or_default();
    let fixed = non_empty(rel.fixed_version);
    let urgency = non_empty(rel.urgency);
    let nodsa_reason = non_empty(rel.nodsa_reason);
    let status = match status_word.as_str() {
        // "0" is the tracker's way to say the release never had the flaw.
        "resolved" if fixed.as_deref() == Some("0") => Status::NotAffected,
        "resolved" if fixed.is_some() => Status::Fixed,
        "resolved" => Status::NotAffected,
        "open" | "undetermined" => {
            if nodsa_reason.as_deref() == Some("ignored") {
                Status::Ignored
            } else if rel.nodsa.is_some() || nodsa_reason.is_some() {
                Status::NoDsa
            } else if urgency.as_deref() == Some("end-of-life") {
                Status::EndOfLife
            } else {
                Status::Open
            }
        }
        _ => Status::Unknown,
    };
    let mut entry = Affected::new(ecosystem(codename), package, status);
    match status {
        Status::Fixed => {
            if let Some(v) = &fixed {
                entry.ranges.push(Range {
                    kind: RangeKind::Ecosystem,
                    repo: None,
                    events: vec![Event::Introduced("0".into()), Event::Fixed(v.clone())],
                });
                entry.fixed.push(v.clone());
            }
        }
        Status::NotAffected => {}
        _ => entry.ranges.push(Range {
            kind: RangeKind::Ecosystem,
            repo: None,
            events: vec![Event::Introduced("0".into())],
        }),
    }
    entry.severity = urgency;
    entry.note = match (non_empty(rel.nodsa), nodsa_reason) {
        (Some(n), Some(r)) => Some(format!("{r}: {n}")),
        (Some(n), None) => Some(n),
        (None, Some(r)) => Some(r),
        (None, None) if status_word == "undetermined" => Some("undetermined".into()),
        (None, None) => None,
    };
    entry
}

/// Import a DSA or DLA `list` file. Hand-written parser: the format is the tracker's own
/// line-oriented text with no published grammar or crate. Layout:
///
/// ```text
/// [29 Mar 2023] DSA-5380-1 xorg-server - security update
///     {CVE-2023-1393}
///     [bullseye] - xorg-server 2:1.20.11-1+deb11u6
/// ```
pub fn import_list(
    name: &str,
    data: &[u8],
    sink: &mut dyn Sink,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let text = String::from_utf8_lossy(data);
    let mut current: Option<Advisory> = None;
    for (lineno, line) in text.lines().enumerate() {
        let lineno = lineno.saturating_add(1);
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with('[') {
            if let Some(done) = current.take() {
                sink.advisory(done)?;
            }
            match parse_header(line) {
                Some(adv) => current = Some(adv),
                None => report.skip(name, None, format!("line {lineno}: unreadable header")),
            }
            continue;
        }
        let Some(adv) = current.as_mut() else {
            continue;
        };
        let body = line.trim();
        if let Some(inner) = body.strip_prefix('{').and_then(|b| b.strip_suffix('}')) {
            adv.aliases
                .extend(inner.split_whitespace().map(str::to_string));
        } else if body.starts_with('[') {
            match parse_release_line(body, &adv.id) {
                Some(a) => adv.affected.push(a),
                None => report.skip(
                    name,
                    Some(&adv.id),
                    format!("line {lineno}: unreadable release line"),
                ),
            }
        }
        // NOTE: lines and anything else carry no matchable data.
    }
    if let Some(done) = current.take() {
        sink.advisory(done)?;
    }
    Ok(())
}

fn parse_header(line: &str) -> Option<Advisory> {
    let close = line.find(']')?;
    let date = line.get(1..close)?;
    let rest = line.get(close.checked_add(1)?..)?.trim();
    let (id, rest) = rest.split_once(char::is_whitespace)?;
    let debian_bundle = matches!(
        crate::id::AdvisoryId::parse(id).kind,
        crate::id::IdKind::Bundle {
            prefix: "DSA" | "DLA" | "DTSA",
            ..
        }
    );
    if !debian_bundle {
        return None;
    }
    Some(Advisory {
        id: id.to_string(),
        summary: non_empty(Some(rest.to_string())),
        published: parse_date(date),
        source: "debian-dsa".into(),
        ..Advisory::default()
    })
}

/// `29 Mar 2023` -> `2023-03-29`; `None` for anything that is not a real calendar date.
fn parse_date(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    jiff::civil::Date::strptime("%d %b %Y", &s)
        .ok()
        .map(|d| d.to_string())
}

/// `[bullseye] - xorg-server 2:1.20.11-1+deb11u6` (also `<not-affected>`, `<unfixed>`...).
fn parse_release_line(body: &str, id: &str) -> Option<Affected> {
    let close = body.find(']')?;
    let codename = body.get(1..close)?.trim();
    let rest = body.get(close.checked_add(1)?..)?.trim();
    let rest = rest.strip_prefix('-')?.trim();
    let mut words = rest.split_whitespace();
    let package = words.next()?;
    let version = words.next();
    let (status, fixed) = match version {
        Some(v) if v.starts_with('<') => {
            let word = v.trim_start_matches('<').trim_end_matches('>');
            let status = match word {
                "not-affected" => Status::NotAffected,
                "unfixed" => Status::Open,
                "no-dsa" | "postponed" => Status::NoDsa,
                "ignored" => Status::Ignored,
                "end-of-life" => Status::EndOfLife,
                _ => Status::Unknown,
            };
            (status, None)
        }
        Some(v) => (Status::Fixed, Some(v.to_string())),
        None => return None,
    };
    let mut entry = Affected::new(ecosystem(codename), package, status);
    if let Some(v) = fixed {
        entry.ranges.push(Range {
            kind: RangeKind::Ecosystem,
            repo: None,
            events: vec![Event::Introduced("0".into()), Event::Fixed(v.clone())],
        });
        entry.fixed.push(v);
    }
    entry.fix_advisory = Some(id.to_string());
    Some(entry)
}

/// Urgency words are the tracker's vendor severity; also exposed for enrichment of advisories.
pub fn urgency_severity(urgency: &str) -> Severity {
    Severity {
        source: "debian".into(),
        kind: SeverityKind::Vendor,
        value: urgency.to_string(),
        score: None,
    }
}
