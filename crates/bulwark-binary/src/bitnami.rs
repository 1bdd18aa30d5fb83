//! Bitnami images: each component under `/opt/bitnami/<name>/` ships an SPDX document,
//! `.spdx-<name>.spdx`, in SPDX JSON or tag-value, describing the component and what it
//! bundles. Every package with a `pkg:bitnami/...` purl becomes a [`PackageKind::Bitnami`]
//! package (OSV's `Bitnami` ecosystem keys on these names); other purls in the document
//! (Maven jars a component bundles) are left to the catalogers that read those files.
//!
//! Hand-parsed: only the package fields, external references and relationships are needed,
//! and the SPDX reader of `bulwark-sbom` sits downstream of the inventory.

use std::collections::BTreeMap;

use bulwark_catalog::{Package, PackageKind};
use serde_json::Value;

/// Whether `path` is a Bitnami component SBOM (`/opt/bitnami/**/.spdx-*.spdx`).
pub fn is_bitnami_spdx(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.starts_with("/opt/bitnami/") && name.starts_with(".spdx-") && name.ends_with(".spdx")
}

/// One SPDX package, as far as needed here.
#[derive(Debug, Default, Clone)]
struct SpdxPackage {
    id: String,
    name: String,
    version: String,
    purl: Option<String>,
    cpes: Vec<String>,
    license: Option<String>,
}

/// The packages of a Bitnami SPDX document (JSON or tag-value): found_in is `path`; the
/// described component depends on what it `CONTAINS`.
pub fn parse_bitnami_spdx(path: &str, data: &[u8]) -> Result<Vec<Package>, String> {
    let text = String::from_utf8_lossy(data);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let (packages, relationships) = if trimmed.starts_with('{') {
        from_json(trimmed)?
    } else if trimmed.starts_with("SPDXVersion:") || trimmed.contains("\nPackageName:") {
        from_tag_value(trimmed)
    } else {
        return Err("neither SPDX JSON nor SPDX tag-value".into());
    };
    let by_id: BTreeMap<&str, &SpdxPackage> = packages.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut out = Vec::new();
    for p in &packages {
        let Some(purl) = p.purl.as_deref().filter(|u| u.starts_with("pkg:bitnami/")) else {
            continue;
        };
        if p.name.is_empty() || p.version.is_empty() {
            continue;
        }
        let mut pkg = Package::new(PackageKind::Bitnami, &p.name, &p.version, purl, path);
        pkg.cpes = p.cpes.clone();
        if let Some(l) = &p.license {
            pkg.licenses = vec![l.clone()];
        }
        let mut deps: Vec<String> = relationships
            .iter()
            .filter(|(from, ty, _)| from == &p.id && ty == "CONTAINS")
            .filter_map(|(_, _, to)| by_id.get(to.as_str()))
            .filter(|d| {
                d.purl
                    .as_deref()
                    .is_some_and(|u| u.starts_with("pkg:bitnami/"))
            })
            .map(|d| format!("{}@{}", d.name, d.version))
            .collect();
        deps.sort();
        deps.dedup();
        pkg.depends_on = deps;
        if let Some(arch) = purl_qualifier(purl, "arch") {
            pkg.arch = Some(arch);
        }
        out.push(pkg);
    }
    Ok(out)
}

fn purl_qualifier(purl: &str, key: &str) -> Option<String> {
    let (_, q) = purl.split_once('?')?;
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_string())
}

fn useful_license(l: &str) -> Option<String> {
    let l = l.trim();
    (!l.is_empty() && l != "NONE" && l != "NOASSERTION").then(|| l.to_string())
}

type Parsed = (Vec<SpdxPackage>, Vec<(String, String, String)>);

fn from_json(text: &str) -> Result<Parsed, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("invalid SPDX JSON: {e}"))?;
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut packages = Vec::new();
    for p in v
        .get("packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mut sp = SpdxPackage {
            id: s(p, "SPDXID"),
            name: s(p, "name"),
            version: s(p, "versionInfo"),
            license: useful_license(&s(p, "licenseConcluded"))
                .or_else(|| useful_license(&s(p, "licenseDeclared"))),
            ..SpdxPackage::default()
        };
        for r in p
            .get("externalRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let loc = s(r, "referenceLocator");
            match s(r, "referenceType").as_str() {
                "purl" => sp.purl = Some(loc),
                "cpe23Type" | "cpe22Type" => sp.cpes.push(loc),
                _ => {}
            }
        }
        packages.push(sp);
    }
    let relationships = v
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| {
            (
                s(r, "spdxElementId"),
                s(r, "relationshipType"),
                s(r, "relatedSpdxElement"),
            )
        })
        .collect();
    Ok((packages, relationships))
}

fn from_tag_value(text: &str) -> Parsed {
    let mut packages: Vec<SpdxPackage> = Vec::new();
    let mut relationships = Vec::new();
    for line in text.lines() {
        let Some((tag, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match tag.trim() {
            "PackageName" => packages.push(SpdxPackage {
                name: value.to_string(),
                ..SpdxPackage::default()
            }),
            "Relationship" => {
                let f: Vec<&str> = value.split_whitespace().collect();
                if let [a, ty, b] = f.as_slice() {
                    relationships.push((a.to_string(), ty.to_string(), b.to_string()));
                }
            }
            t => {
                let Some(p) = packages.last_mut() else {
                    continue;
                };
                match t {
                    "SPDXID" => p.id = value.to_string(),
                    "PackageVersion" => p.version = value.to_string(),
                    "PackageLicenseConcluded" => p.license = useful_license(value),
                    "PackageLicenseDeclared" if p.license.is_none() => {
                        p.license = useful_license(value)
                    }
                    "ExternalRef" => {
                        let f: Vec<&str> = value.split_whitespace().collect();
                        match f.as_slice() {
                            [_, "purl", loc] => p.purl = Some(loc.to_string()),
                            [_, "cpe23Type" | "cpe22Type", loc] => p.cpes.push(loc.to_string()),
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    (packages, relationships)
}
