//! Syft's own JSON format (`syft -o syft-json`, schema 16.x): artifacts, the distro, the
//! image's layers, and the `dependency-of` relationships.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bulwark_catalog::LayerInfo;
use bulwark_model::scan::ScanReport;
use serde_json::Value;

use crate::util::Draft;
use crate::SbomError;

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Read a Syft JSON document into an inventory-only report.
pub(crate) fn read_json(v: &Value, origin: &str) -> Result<ScanReport, SbomError> {
    let Some(artifacts) = v.get("artifacts").and_then(Value::as_array) else {
        return Err(SbomError::Invalid {
            origin: origin.to_string(),
            format: "Syft JSON",
            reason: "`artifacts` is not an array".into(),
        });
    };
    let mut report = crate::empty_report(origin);
    if let Some(src) = v.get("source") {
        let meta = src.get("metadata");
        if str_of(src, "type") == Some("image") {
            if let Some(m) = meta {
                report.target.names = m
                    .get("tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect();
                report.target.image_id = str_of(m, "imageID").map(String::from);
                report.target.manifest_digest = str_of(m, "manifestDigest").map(String::from);
                // Syft lists layers by their diff id (the uncompressed digest).
                report.target.layers = m
                    .get("layers")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .map(|(index, l)| LayerInfo {
                        index,
                        diff_id: str_of(l, "digest").map(String::from),
                        media_type: str_of(l, "mediaType").map(String::from),
                        size: l.get("size").and_then(Value::as_u64),
                        ..LayerInfo::default()
                    })
                    .collect();
            }
        }
    }
    if let Some(d) = v.get("distro") {
        let id_like: Vec<String> = d
            .get("idLike")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect();
        report.target.distro = crate::distro::from_fields(
            str_of(d, "id").unwrap_or(""),
            str_of(d, "versionID"),
            str_of(d, "versionCodename"),
            str_of(d, "prettyName"),
            &id_like,
            origin,
        );
    }
    let layer_index: HashMap<&str, usize> = report
        .target
        .layers
        .iter()
        .filter_map(|l| Some((l.diff_id.as_deref()?, l.index)))
        .collect();
    let layer_index: HashMap<String, usize> = layer_index
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();

    let mut by_id: HashMap<String, usize> = HashMap::new();
    for a in artifacts {
        let Some(name) = str_of(a, "name") else {
            continue;
        };
        let location = a
            .get("locations")
            .and_then(Value::as_array)
            .and_then(|l| l.first());
        let meta = a.get("metadata");
        let meta_str = |k: &str| {
            meta.and_then(|m| str_of(m, k))
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let source = meta_str("source")
            .map(|s| (s, meta_str("sourceVersion")))
            .or_else(|| meta_str("sourceRpm").map(|s| crate::util::srpm(&s)))
            .or_else(|| meta_str("originPackage").map(|s| (s, None)));
        // Licenses: objects with `value`/`spdxExpression` (schema 7+) or bare strings.
        let licenses = a
            .get("licenses")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|l| match l {
                Value::String(s) => Some(s.clone()),
                Value::Object(_) => str_of(l, "spdxExpression")
                    .filter(|s| !s.is_empty())
                    .or_else(|| str_of(l, "value"))
                    .map(String::from),
                _ => None,
            })
            .collect();
        let cpes = a
            .get("cpes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| match c {
                Value::String(s) => Some(s.clone()),
                Value::Object(_) => str_of(c, "cpe").map(String::from),
                _ => None,
            })
            .collect();
        let pkg = Draft {
            name: name.to_string(),
            group: None,
            version: str_of(a, "version").unwrap_or("").to_string(),
            purl: str_of(a, "purl").unwrap_or("").to_string(),
            licenses,
            cpes,
            found_in: location.and_then(|l| str_of(l, "path")).map(String::from),
            layer: location
                .and_then(|l| str_of(l, "layerID"))
                .and_then(|d| layer_index.get(d).copied()),
            source,
            type_hint: str_of(a, "type").map(String::from),
            epoch: meta
                .and_then(|m| m.get("epoch"))
                .and_then(Value::as_u64)
                .and_then(|e| u32::try_from(e).ok()),
        }
        .into_package(origin);
        if let Some(id) = str_of(a, "id") {
            by_id.insert(id.to_string(), report.packages.len());
        }
        report.packages.push(pkg);
    }

    // `parent dependency-of child`: the child depends on the parent.
    let mut deps: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for r in v
        .get("artifactRelationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if str_of(r, "type") != Some("dependency-of") {
            continue;
        }
        let (Some(&parent), Some(&child)) = (
            str_of(r, "parent").and_then(|p| by_id.get(p)),
            str_of(r, "child").and_then(|c| by_id.get(c)),
        ) else {
            continue;
        };
        if parent != child {
            deps.entry(child)
                .or_default()
                .insert(report.packages[parent].id());
        }
    }
    for (i, ids) in deps {
        report.packages[i].depends_on = ids.into_iter().collect();
    }
    crate::finish_report(&mut report);
    Ok(report)
}
