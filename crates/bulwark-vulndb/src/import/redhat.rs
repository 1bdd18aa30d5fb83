//! Red Hat CSAF VEX documents (`security.access.redhat.com/data/csaf/v2/vex/YYYY/cve-*.json`).
//!
//! Each document is about one CVE. Its product tree names components (rpm purls) and platforms
//! (CPEs); relationships join them into product ids, which the vulnerability's
//! `product_status` lists as fixed / known_affected / known_not_affected. Remediations give
//! the RHSA that ships a fix (`vendor_fix`) or say no fix will come (`no_fix_planned`); threats
//! give the per-product impact. Everything is read through `serde_json::Value` because only a
//! small part of the large CSAF schema matters here.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::{ImportError, ImportReport, Sink};
use crate::model::{
    Advisory, Affected, Event, Range, RangeKind, Reference, Severity, SeverityKind, Status,
};

#[derive(Debug, Default)]
struct Component {
    name: String,
    purl: Option<String>,
}

#[derive(Debug, Default)]
struct Tree {
    components: HashMap<String, Component>,
    platforms: HashMap<String, String>,
    relationships: HashMap<String, (String, String)>,
}

fn walk_branches(branches: &Value, tree: &mut Tree, depth: usize) {
    // CSAF trees are a few levels deep; the bound stops hostile nesting.
    if depth > 32 {
        return;
    }
    let Some(list) = branches.as_array() else {
        return;
    };
    for b in list {
        if let Some(sub) = b.get("branches") {
            walk_branches(sub, tree, depth.saturating_add(1));
        }
        let Some(product) = b.get("product") else {
            continue;
        };
        let Some(id) = product.get("product_id").and_then(Value::as_str) else {
            continue;
        };
        let helper = product.get("product_identification_helper");
        if let Some(cpe) = helper.and_then(|h| h.get("cpe")).and_then(Value::as_str) {
            tree.platforms.insert(id.to_string(), cpe.to_string());
        } else {
            let purl = helper
                .and_then(|h| h.get("purl"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let name = product
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(id)
                .to_string();
            tree.components
                .insert(id.to_string(), Component { name, purl });
        }
    }
}

fn read_tree(doc: &Value) -> Tree {
    let mut tree = Tree::default();
    let Some(pt) = doc.get("product_tree") else {
        return tree;
    };
    if let Some(b) = pt.get("branches") {
        walk_branches(b, &mut tree, 0);
    }
    for rel in pt
        .get("relationships")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let full = rel
            .get("full_product_name")
            .and_then(|f| f.get("product_id"))
            .and_then(Value::as_str);
        let comp = rel.get("product_reference").and_then(Value::as_str);
        let plat = rel
            .get("relates_to_product_reference")
            .and_then(Value::as_str);
        if let (Some(full), Some(comp), Some(plat)) = (full, comp, plat) {
            tree.relationships
                .insert(full.to_string(), (comp.to_string(), plat.to_string()));
        }
    }
    tree
}

/// What an rpm purl says: name and EVR (`pkg:rpm/redhat/NAME@V-R?arch=..&epoch=E`).
fn parse_rpm_purl(purl: &str) -> Option<(String, Option<String>)> {
    let rest = purl.strip_prefix("pkg:rpm/")?;
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let (path, version) = match path.split_once('@') {
        Some((p, v)) => (p, Some(v)),
        None => (path, None),
    };
    let name = path.rsplit('/').next()?.to_string();
    if name.is_empty() {
        return None;
    }
    let epoch = query.and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("epoch="))
            .map(str::to_string)
    });
    let evr = version.map(|v| match epoch.as_deref() {
        Some(e) if e != "0" && !e.is_empty() => format!("{e}:{v}"),
        _ => v.to_string(),
    });
    Some((name, evr))
}

/// `cpe:/o:redhat:enterprise_linux:9::baseos` -> `Red Hat:enterprise_linux:9::baseos`.
fn platform_ecosystem(cpe: &str) -> String {
    let stripped = cpe
        .strip_prefix("cpe:/")
        .and_then(|s| s.get(2..))
        .and_then(|s| s.strip_prefix("redhat:"))
        .unwrap_or(cpe);
    format!("Red Hat:{stripped}")
}

/// Last path segment of a vendor_fix URL when it names an advisory (`RHSA-2024:0010`).
fn advisory_from_url(url: &str) -> Option<String> {
    let last = url.rsplit('/').next()?;
    let id = last.split(['?', '#']).next()?;
    let red_hat = matches!(
        crate::id::AdvisoryId::parse(id).kind,
        crate::id::IdKind::Bundle {
            prefix: "RHSA" | "RHBA" | "RHEA",
            ..
        }
    );
    red_hat.then(|| id.to_string())
}

fn str_list(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Import one CSAF VEX document.
pub fn import(
    name: &str,
    data: &[u8],
    sink: &mut dyn Sink,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let doc: Value = match serde_json::from_slice(data) {
        Ok(d) => d,
        Err(e) => {
            report.skip(name, None, format!("invalid JSON: {e}"));
            return Ok(());
        }
    };
    let tree = read_tree(&doc);
    let aggregate = doc
        .get("document")
        .and_then(|d| d.get("aggregate_severity"))
        .and_then(|s| s.get("text"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let title = doc
        .get("document")
        .and_then(|d| d.get("title"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let Some(vulns) = doc.get("vulnerabilities").and_then(Value::as_array) else {
        report.skip(name, None, "no vulnerabilities array");
        return Ok(());
    };
    for v in vulns {
        match convert(v, &tree, aggregate.as_deref(), title.as_deref()) {
            Ok(adv) => sink.advisory(adv)?,
            Err((id, reason)) => report.skip(name, id.as_deref(), reason),
        }
    }
    Ok(())
}

fn convert(
    v: &Value,
    tree: &Tree,
    aggregate: Option<&str>,
    title: Option<&str>,
) -> Result<Advisory, (Option<String>, String)> {
    let Some(cve) = v.get("cve").and_then(Value::as_str) else {
        return Err((None, "vulnerability without cve".into()));
    };
    let mut adv = Advisory {
        id: cve.to_string(),
        source: "redhat-vex".into(),
        summary: title.map(str::to_string),
        published: v
            .get("release_date")
            .and_then(Value::as_str)
            .map(str::to_string),
        ..Advisory::default()
    };
    for note in v
        .get("notes")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        if note.get("category").and_then(Value::as_str) == Some("description") {
            adv.details = note.get("text").and_then(Value::as_str).map(str::to_string);
        }
    }
    if let Some(cwe) = v
        .get("cwe")
        .and_then(|c| c.get("id"))
        .and_then(Value::as_str)
    {
        adv.cwes.push(cwe.to_string());
    }
    for score in v
        .get("scores")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        for (key, kind) in [
            ("cvss_v3", SeverityKind::CvssV3),
            ("cvss_v2", SeverityKind::CvssV2),
            ("cvss_v4", SeverityKind::CvssV4),
        ] {
            if let Some(c) = score.get(key) {
                if let Some(vector) = c.get("vectorString").and_then(Value::as_str) {
                    let sev = Severity {
                        source: "redhat".into(),
                        kind,
                        value: vector.to_string(),
                        score: c.get("baseScore").and_then(Value::as_f64),
                    };
                    if !adv.severities.contains(&sev) {
                        adv.severities.push(sev);
                    }
                }
            }
        }
    }
    if let Some(a) = aggregate {
        adv.severities.push(Severity {
            source: "redhat".into(),
            kind: SeverityKind::Vendor,
            value: a.to_string(),
            score: None,
        });
    }
    for r in v
        .get("references")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        if let Some(url) = r.get("url").and_then(Value::as_str) {
            let kind = match r.get("category").and_then(Value::as_str) {
                Some("self") => "ADVISORY",
                _ => "WEB",
            };
            adv.references.push(Reference {
                kind: kind.into(),
                url: url.to_string(),
            });
        }
    }
    // Per-product facts from remediations and threats.
    let mut fix_advisory: HashMap<&str, String> = HashMap::new();
    let mut remediation: HashMap<&str, (Status, Option<String>)> = HashMap::new();
    for r in v
        .get("remediations")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let category = r
            .get("category")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let details = r.get("details").and_then(Value::as_str).map(str::to_string);
        let ids = str_list(r.get("product_ids"));
        match category {
            "vendor_fix" => {
                if let Some(rhsa) = r
                    .get("url")
                    .and_then(Value::as_str)
                    .and_then(advisory_from_url)
                {
                    for id in &ids {
                        fix_advisory.insert(id, rhsa.clone());
                    }
                }
            }
            "no_fix_planned" => {
                for id in &ids {
                    remediation.insert(id, (Status::WillNotFix, details.clone()));
                }
            }
            "none_available" => {
                let status = if details.as_deref().is_some_and(|d| d.contains("deferred")) {
                    Status::Deferred
                } else {
                    Status::Open
                };
                for id in &ids {
                    remediation.insert(id, (status, details.clone()));
                }
            }
            _ => {}
        }
    }
    let mut impact: HashMap<&str, &str> = HashMap::new();
    for t in v
        .get("threats")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        if t.get("category").and_then(Value::as_str) != Some("impact") {
            continue;
        }
        if let Some(d) = t.get("details").and_then(Value::as_str) {
            for id in str_list(t.get("product_ids")) {
                impact.insert(id, d);
            }
        }
    }
    let status_lists = v.get("product_status");
    // (ecosystem, package, status, fixed) -> entry; arches collapse into one row.
    let mut seen: BTreeMap<(String, String, &'static str, Option<String>), Affected> =
        BTreeMap::new();
    let mut rhsas = BTreeSet::new();
    for (key, base_status) in [
        ("fixed", Status::Fixed),
        ("known_affected", Status::Open),
        ("known_not_affected", Status::NotAffected),
        ("under_investigation", Status::Open),
    ] {
        for pid in str_list(status_lists.and_then(|s| s.get(key))) {
            let Some((comp_id, plat_id)) = tree.relationships.get(pid) else {
                continue;
            };
            let Some(comp) = tree.components.get(comp_id) else {
                continue;
            };
            let Some(cpe) = tree.platforms.get(plat_id) else {
                continue;
            };
            // Only rpm components matter for package matching (containers, modules skipped).
            let (pkg, evr) = match comp.purl.as_deref() {
                Some(p) if p.starts_with("pkg:rpm/") => match parse_rpm_purl(p) {
                    Some(x) => x,
                    None => continue,
                },
                Some(_) => continue,
                None => (comp.name.clone(), None),
            };
            let mut status = base_status;
            let mut note = None;
            if status == Status::Open {
                if let Some((s, d)) = remediation.get(pid) {
                    status = *s;
                    note = d.clone();
                }
            }
            if key == "under_investigation" {
                note = Some("under investigation".into());
            }
            let fixed = if status == Status::Fixed { evr } else { None };
            let ecosystem = platform_ecosystem(cpe);
            let k = (
                ecosystem.clone(),
                pkg.clone(),
                status.as_str(),
                fixed.clone(),
            );
            if seen.contains_key(&k) {
                continue;
            }
            let mut entry = Affected::new(ecosystem, pkg, status);
            match (&fixed, status) {
                (Some(f), _) => {
                    entry.ranges.push(Range {
                        kind: RangeKind::Ecosystem,
                        repo: None,
                        events: vec![Event::Introduced("0".into()), Event::Fixed(f.clone())],
                    });
                    entry.fixed.push(f.clone());
                }
                (None, Status::NotAffected) => {}
                (None, _) => entry.ranges.push(Range {
                    kind: RangeKind::Ecosystem,
                    repo: None,
                    events: vec![Event::Introduced("0".into())],
                }),
            }
            entry.severity = impact.get(pid).map(|s| s.to_string());
            entry.note = note;
            entry.fix_advisory = fix_advisory.get(pid).cloned();
            if let Some(r) = &entry.fix_advisory {
                rhsas.insert(r.clone());
            }
            seen.insert(k, entry);
        }
    }
    adv.affected = seen.into_values().collect();
    adv.aliases.extend(rhsas);
    Ok(adv)
}
