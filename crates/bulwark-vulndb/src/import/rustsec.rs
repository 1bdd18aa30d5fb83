//! RustSec advisories (`rustsec/advisory-db`): Markdown files whose front matter is a fenced
//! TOML block (`[advisory]`, `[versions]`, `[affected]`), read with the `toml` crate.
//!
//! RustSec states which versions are *patched* or *unaffected* as semver requirements; OSV (and
//! this store) wants *affected* ranges. The conversion is the one RustSec's own OSV export does:
//! the affected set is the complement of the union of patched and unaffected requirements,
//! emitted as SEMVER `introduced`/`fixed` events. Exclusive bounds are normalised with the
//! smallest greater semver (`> 1.2.3` == `>= 1.2.4-0`), so the events stay exact.

use semver::{Comparator, Op, Prerelease, Version, VersionReq};
use serde::Deserialize;

use super::{non_empty, ImportError, ImportReport, Sink};
use crate::model::{
    Advisory, Affected, Event, Range, RangeKind, Reference, Severity, SeverityKind, Status,
};

#[derive(Debug, Deserialize)]
struct Front {
    advisory: AdvisorySection,
    #[serde(default)]
    versions: Option<VersionsSection>,
    #[serde(default)]
    affected: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
struct AdvisorySection {
    id: String,
    package: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    cvss: Option<String>,
    date: Option<toml::Value>,
    url: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    informational: Option<String>,
    withdrawn: Option<toml::Value>,
    title: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct VersionsSection {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// Import one RustSec advisory file. Non-`.md` files (the repo's TOML config etc.) are ignored.
pub fn import(
    name: &str,
    data: &[u8],
    sink: &mut dyn Sink,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    if !name.to_ascii_lowercase().ends_with(".md") {
        return Ok(());
    }
    let text = String::from_utf8_lossy(data);
    match parse(name, &text) {
        Ok(adv) => sink.advisory(adv)?,
        Err((id, reason)) => report.skip(name, id.as_deref(), reason),
    }
    Ok(())
}

/// Split `` ```toml ... ``` `` front matter from the Markdown body.
fn split_front(text: &str) -> Option<(&str, &str)> {
    let start = text.find("```toml")?;
    let after = text.get(start.checked_add("```toml".len())?..)?;
    let end = after.find("\n```")?;
    let front = after.get(..end)?;
    let body = after.get(end.checked_add(4)?..).unwrap_or_default();
    Some((front, body))
}

fn toml_date(v: Option<toml::Value>) -> Option<String> {
    v.map(|v| match v {
        toml::Value::String(s) => s,
        toml::Value::Datetime(d) => d.to_string(),
        other => format!("{other:?}"),
    })
}

fn parse(name: &str, text: &str) -> Result<Advisory, (Option<String>, String)> {
    let Some((front, body)) = split_front(text) else {
        return Err((None, "no ```toml front matter".into()));
    };
    let front: Front =
        toml::from_str(front).map_err(|e| (None, format!("invalid front matter: {e}")))?;
    let a = front.advisory;
    let id = a.id.clone();
    let err = |reason: String| (Some(id.clone()), reason);
    // Markdown body: "# Title" then the description.
    let body = body.trim();
    let (title, details) = match body.strip_prefix("# ") {
        Some(rest) => match rest.split_once('\n') {
            Some((t, d)) => (Some(t.trim().to_string()), Some(d.trim().to_string())),
            None => (Some(rest.trim().to_string()), None),
        },
        None => (None, Some(body.to_string())),
    };
    let versions = front.versions.unwrap_or_default();
    let mut safe = Vec::new();
    for req in versions.patched.iter().chain(versions.unaffected.iter()) {
        let parsed =
            VersionReq::parse(req).map_err(|e| err(format!("bad requirement `{req}`: {e}")))?;
        safe.push(req_interval(&parsed).map_err(err)?);
    }
    let events = affected_events(safe);
    // advisory-db layout: crates/<crate>/<id>.md, and rust/<component>/<id>.md for the
    // toolchain (std, cargo, rustdoc), which is not a crates.io package.
    let parts: Vec<&str> = name.rsplit(['/', '\\']).collect();
    let ecosystem = if parts.get(2) == Some(&"rust") {
        "Rust"
    } else {
        "crates.io"
    };
    let mut entry = Affected::new(ecosystem, a.package.clone(), Status::Affected);
    entry.ranges.push(Range {
        kind: RangeKind::Semver,
        repo: None,
        events,
    });
    if let Some(aff) = front.affected {
        entry.ecosystem_specific = serde_json::to_value(&aff)
            .ok()
            .map(|v| serde_json::json!({ "affects": v }));
    }
    let mut db = serde_json::Map::new();
    if !a.categories.is_empty() {
        db.insert("categories".into(), a.categories.clone().into());
    }
    if !a.keywords.is_empty() {
        db.insert("keywords".into(), a.keywords.clone().into());
    }
    if let Some(i) = &a.informational {
        db.insert("informational".into(), i.clone().into());
    }
    db.insert("patched".into(), versions.patched.clone().into());
    if !versions.unaffected.is_empty() {
        db.insert("unaffected".into(), versions.unaffected.clone().into());
    }
    entry.database_specific = Some(serde_json::Value::Object(db));
    let mut severities = Vec::new();
    if let Some(v) = non_empty(a.cvss) {
        let kind = if v.starts_with("CVSS:4") {
            SeverityKind::CvssV4
        } else if v.starts_with("CVSS:3") {
            SeverityKind::CvssV3
        } else {
            SeverityKind::CvssV2
        };
        severities.push(Severity {
            source: "rustsec".into(),
            kind,
            value: v,
            score: None,
        });
    }
    let mut references = Vec::new();
    if let Some(u) = non_empty(a.url) {
        references.push(Reference {
            kind: "REPORT".into(),
            url: u,
        });
    }
    references.extend(a.references.into_iter().map(|url| Reference {
        kind: "WEB".into(),
        url,
    }));
    Ok(Advisory {
        id: a.id,
        aliases: a.aliases,
        related: a.related,
        summary: non_empty(title).or(non_empty(a.title)),
        details: non_empty(details).or(non_empty(a.description)),
        published: toml_date(a.date),
        modified: None,
        withdrawn: toml_date(a.withdrawn),
        severities,
        references,
        cwes: Vec::new(),
        affected: vec![entry],
        source: "rustsec".into(),
    })
}

/// A half-open interval `[lo, hi)`; `None` = unbounded.
#[derive(Debug, Clone)]
struct Interval {
    lo: Option<Version>,
    hi: Option<Version>,
}

fn version(major: u64, minor: u64, patch: u64, pre: &Prerelease) -> Version {
    let mut v = Version::new(major, minor, patch);
    v.pre = pre.clone();
    v
}

/// The smallest version greater than `v` (`1.2.3` -> `1.2.4-0`; `1.2.3-alpha` -> `1.2.3-alpha.0`).
fn successor(v: &Version) -> Result<Version, String> {
    if v.pre.is_empty() {
        let patch = v.patch.checked_add(1).ok_or("version overflow")?;
        let mut n = Version::new(v.major, v.minor, patch);
        n.pre = Prerelease::new("0").map_err(|e| e.to_string())?;
        Ok(n)
    } else {
        let mut n = v.clone();
        n.pre = Prerelease::new(&format!("{}.0", v.pre)).map_err(|e| e.to_string())?;
        n.build = semver::BuildMetadata::EMPTY;
        Ok(n)
    }
}

fn zero_pre() -> Result<Prerelease, String> {
    Prerelease::new("0").map_err(|e| e.to_string())
}

fn inc(x: u64) -> Result<u64, String> {
    x.checked_add(1)
        .ok_or_else(|| "version overflow".to_string())
}

/// The interval one comparator allows.
fn comparator_interval(c: &Comparator) -> Result<Interval, String> {
    let minor = c.minor.unwrap_or(0);
    let patch = c.patch.unwrap_or(0);
    let exact = version(c.major, minor, patch, &c.pre);
    // Upper end of a partial version (`1.2` covers up to `1.3.0-0`).
    let partial_end = || -> Result<Version, String> {
        match (c.minor, c.patch) {
            (None, _) => Ok(version(inc(c.major)?, 0, 0, &zero_pre()?)),
            (Some(m), None) => Ok(version(c.major, inc(m)?, 0, &zero_pre()?)),
            (Some(_), Some(_)) => successor(&exact),
        }
    };
    let end = partial_end()?;
    Ok(match c.op {
        Op::GreaterEq => Interval {
            lo: Some(exact),
            hi: None,
        },
        Op::Greater => Interval {
            lo: Some(end),
            hi: None,
        },
        Op::Less => Interval {
            lo: None,
            hi: Some(exact),
        },
        Op::LessEq => Interval {
            lo: None,
            hi: Some(end),
        },
        Op::Exact | Op::Wildcard => Interval {
            lo: Some(exact),
            hi: Some(end),
        },
        Op::Tilde => {
            let hi = match c.minor {
                None => version(inc(c.major)?, 0, 0, &zero_pre()?),
                Some(m) => version(c.major, inc(m)?, 0, &zero_pre()?),
            };
            Interval {
                lo: Some(exact),
                hi: Some(hi),
            }
        }
        Op::Caret => {
            let hi = match (c.major, c.minor, c.patch) {
                (0, None, _) => version(1, 0, 0, &zero_pre()?),
                (0, Some(0), None) => version(0, 1, 0, &zero_pre()?),
                (0, Some(0), Some(p)) => version(0, 0, inc(p)?, &zero_pre()?),
                (0, Some(m), _) => version(0, inc(m)?, 0, &zero_pre()?),
                (maj, _, _) => version(inc(maj)?, 0, 0, &zero_pre()?),
            };
            Interval {
                lo: Some(exact),
                hi: Some(hi),
            }
        }
        _ => return Err(format!("unsupported comparator `{c}`")),
    })
}

/// Intersection of a requirement's comparators.
fn req_interval(req: &VersionReq) -> Result<Interval, String> {
    let mut out = Interval { lo: None, hi: None };
    for c in &req.comparators {
        let i = comparator_interval(c)?;
        out.lo = match (out.lo, i.lo) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        out.hi = match (out.hi, i.hi) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    Ok(out)
}

/// Complement of the union of `safe` intervals, as OSV events.
fn affected_events(mut safe: Vec<Interval>) -> Vec<Event> {
    // Drop empty intervals, sort by lower bound (unbounded first).
    safe.retain(|i| match (&i.lo, &i.hi) {
        (Some(l), Some(h)) => l < h,
        _ => true,
    });
    safe.sort_by(|a, b| a.lo.cmp(&b.lo));
    let mut events = Vec::new();
    // `cursor`: start of the current affected stretch (None = from the beginning).
    let mut cursor: Option<Option<Version>> = Some(None);
    for i in safe {
        if let Some(start) = cursor.clone() {
            // Affected from `start` up to this interval's lower bound, if non-empty.
            let nonempty = match (&start, &i.lo) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(s), Some(l)) => s < l,
            };
            if nonempty {
                events.push(Event::Introduced(
                    start.map(|v| v.to_string()).unwrap_or_else(|| "0".into()),
                ));
                if let Some(l) = &i.lo {
                    events.push(Event::Fixed(l.to_string()));
                }
            }
        }
        // Next affected stretch starts where this safe interval ends (if it ends later).
        cursor = match (cursor, i.hi) {
            (_, None) => None,
            (Some(Some(s)), Some(h)) => Some(Some(s.max(h))),
            (Some(None), Some(h)) => Some(Some(h)),
            (None, Some(_)) => None,
        };
    }
    if let Some(start) = cursor {
        events.push(Event::Introduced(
            start.map(|v| v.to_string()).unwrap_or_else(|| "0".into()),
        ));
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(reqs: &[&str]) -> Vec<String> {
        let safe = reqs
            .iter()
            .map(|r| req_interval(&VersionReq::parse(r).unwrap()).unwrap())
            .collect();
        affected_events(safe)
            .iter()
            .map(|e| format!("{}:{}", e.kind(), e.version()))
            .collect()
    }

    #[test]
    fn patched_only() {
        assert_eq!(events(&[">= 0.9.1"]), ["introduced:0", "fixed:0.9.1"]);
    }

    #[test]
    fn backports_and_unaffected() {
        assert_eq!(
            events(&[">= 1.2.5, < 1.3.0", ">= 1.3.2", "< 0.5.0"]),
            [
                "introduced:0.5.0",
                "fixed:1.2.5",
                "introduced:1.3.0",
                "fixed:1.3.2"
            ]
        );
        assert_eq!(
            events(&["^0.8.6", ">= 0.9.2"]),
            [
                "introduced:0",
                "fixed:0.8.6",
                "introduced:0.9.0-0",
                "fixed:0.9.2"
            ]
        );
    }

    #[test]
    fn nothing_patched_means_all_affected() {
        assert_eq!(events(&[]), ["introduced:0"]);
        assert_eq!(events(&["> 1.2.3"]), ["introduced:0", "fixed:1.2.4-0"]);
    }
}
