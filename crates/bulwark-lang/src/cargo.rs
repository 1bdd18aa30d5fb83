//! Rust: `Cargo.lock` (v1 with `[metadata]` checksums, v2, v3, v4).

use std::collections::{HashMap, HashSet};

use bulwark_catalog::{PackageKind, Relationship};

use crate::util::{pkg, text, tidy};
use crate::{file_name, FileResult, ParseError};

const KIND: PackageKind = PackageKind::Cargo;

/// Whether `path` is a `Cargo.lock` (outside the registry cache, where published crates'
/// lockfiles describe their own builds).
pub(crate) fn is_cargo_lock(path: &str) -> bool {
    file_name(path) == "Cargo.lock" && !path.contains("/.cargo/registry/")
}

/// `Cargo.lock`: every `[[package]]`. Packages without a `source` are the project's own
/// (path / workspace members) and are reported as [`Relationship::Root`]; packages they depend
/// on are direct, the rest indirect. Dependencies are `name`, `name version` or
/// `name version (source)`.
pub(crate) fn parse_cargo_lock(_path: &str, data: &[u8]) -> Result<FileResult, ParseError> {
    let doc: toml::Table = toml::from_str(&text(data))?;
    let list = doc
        .get("package")
        .and_then(toml::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut r = FileResult::default();
    let mut by_name: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut entries = Vec::new();
    for e in list {
        let name = e.get("name").and_then(toml::Value::as_str);
        let version = e.get("version").and_then(toml::Value::as_str);
        let (Some(name), Some(version)) = (name, version) else {
            r.warnings
                .push("[[package]] without name or version".to_string());
            continue;
        };
        by_name.entry(name).or_default().push(version);
        entries.push((name, version, e));
    }
    let resolve = |dep: &str| -> Option<String> {
        let mut f = dep.split_whitespace();
        let name = f.next()?;
        let version = match f.next() {
            Some(v) => v,
            None => by_name.get(name)?.first()?,
        };
        Some(format!("{name}@{version}"))
    };
    let mut members = HashSet::new();
    let mut direct = HashSet::new();
    for (name, version, e) in &entries {
        let mut p = pkg(KIND, name, version);
        let source = e.get("source").and_then(toml::Value::as_str);
        if let Some(s) = source {
            p.metadata.insert("source".into(), s.to_string());
        } else {
            members.insert(p.id());
        }
        let deps: Vec<String> = e
            .get("dependencies")
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|d| d.as_str().and_then(resolve))
                    .collect()
            })
            .unwrap_or_default();
        p.depends_on = tidy(deps);
        if source.is_none() {
            direct.extend(p.depends_on.iter().cloned());
        }
        r.packages.push(p);
    }
    for p in &mut r.packages {
        let id = p.id();
        p.relationship = Some(if members.contains(&id) {
            Relationship::Root
        } else if direct.contains(&id) {
            Relationship::Direct
        } else {
            Relationship::Indirect
        });
    }
    Ok(r)
}
