//! Alpine secdb (`secdb.alpinelinux.org/vX.Y/{main,community}.json`, and the legacy YAML form)
//! and Wolfi/Chainguard `security.json`, which share the schema:
//! `packages[].pkg.{name, secfixes: {fixed-version: [ids]}}`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{ImportError, ImportReport, Sink};
use crate::model::{Advisory, Affected, Event, Range, RangeKind, Status};

#[derive(Debug, Deserialize)]
struct SecDb {
    distroversion: Option<String>,
    urlprefix: Option<String>,
    packages: Option<Vec<PackageEntry>>,
}

#[derive(Debug, Deserialize)]
struct PackageEntry {
    pkg: Option<Pkg>,
}

#[derive(Debug, Deserialize)]
struct Pkg {
    name: Option<String>,
    secfixes: Option<BTreeMap<String, Option<Vec<Option<String>>>>>,
}

/// Import one secdb file.
pub fn import(
    name: &str,
    data: &[u8],
    sink: &mut dyn Sink,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let lower = name.to_ascii_lowercase();
    let parsed: Result<SecDb, String> = if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        std::str::from_utf8(data)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_saphyr::from_str(t).map_err(|e| e.to_string()))
    } else {
        serde_json::from_slice(data).map_err(|e| e.to_string())
    };
    let db = match parsed {
        Ok(db) => db,
        Err(e) => {
            report.skip(name, None, format!("invalid secdb: {e}"));
            return Ok(());
        }
    };
    let ecosystem = match (&db.distroversion, db.urlprefix.as_deref()) {
        (Some(v), _) if !v.trim().is_empty() => format!("Alpine:{}", v.trim()),
        (_, Some(u)) if u.contains("wolfi") => "Wolfi".to_string(),
        (_, Some(u)) if u.contains("chainguard") => "Chainguard".to_string(),
        _ => {
            report.skip(name, None, "no distroversion and unknown urlprefix");
            return Ok(());
        }
    };
    // Group by advisory id so each CVE is one advisory per file.
    let mut by_id: BTreeMap<String, Advisory> = BTreeMap::new();
    for (i, entry) in db.packages.unwrap_or_default().into_iter().enumerate() {
        let Some(pkg) = entry.pkg else {
            report.skip(name, None, format!("packages[{i}] has no pkg"));
            continue;
        };
        let Some(package) = pkg.name.filter(|n| !n.trim().is_empty()) else {
            report.skip(name, None, format!("packages[{i}] has no name"));
            continue;
        };
        for (version, ids) in pkg.secfixes.unwrap_or_default() {
            let version = version.trim().to_string();
            for raw in ids.unwrap_or_default().into_iter().flatten() {
                // Entries are sometimes "CVE-1 CVE-2" or "CVE-1 (note)": keep id-like tokens.
                for id in raw.split_whitespace().filter(|t| looks_like_id(t)) {
                    let adv = by_id.entry(id.to_string()).or_insert_with(|| Advisory {
                        id: id.to_string(),
                        source: "alpine-secdb".into(),
                        ..Advisory::default()
                    });
                    adv.affected
                        .push(fixed_entry(&ecosystem, &package, &version));
                }
            }
        }
    }
    for (_, adv) in by_id {
        sink.advisory(adv)?;
    }
    Ok(())
}

fn looks_like_id(token: &str) -> bool {
    let mut parts = token.splitn(2, '-');
    let prefix = parts.next().unwrap_or_default();
    let rest = parts.next().unwrap_or_default();
    !prefix.is_empty()
        && prefix.chars().all(|c| c.is_ascii_uppercase())
        && !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn fixed_entry(ecosystem: &str, package: &str, version: &str) -> Affected {
    // A fixed version of "0" means the package was never affected in this release.
    if version == "0" {
        return Affected::new(ecosystem, package, Status::NotAffected);
    }
    let mut a = Affected::new(ecosystem, package, Status::Fixed);
    a.ranges.push(Range {
        kind: RangeKind::Ecosystem,
        repo: None,
        events: vec![
            Event::Introduced("0".into()),
            Event::Fixed(version.to_string()),
        ],
    });
    a.fixed.push(version.to_string());
    a
}
