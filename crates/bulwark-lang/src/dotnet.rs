//! .NET: NuGet `packages.lock.json` and `*.deps.json`.

use std::collections::HashMap;

use bulwark_catalog::{PackageKind, Relationship};
use serde_json::Value;

use crate::util::{jstr, pkg, tidy};
use crate::{file_name, FileResult, ParseError};

const KIND: PackageKind = PackageKind::Nuget;

/// Whether `path` is a `packages.lock.json` or a `*.deps.json`.
pub(crate) fn is_dotnet_file(path: &str) -> bool {
    let name = file_name(path);
    name == "packages.lock.json" || name.ends_with(".deps.json")
}

/// Parse either format, chosen by file name.
pub(crate) fn parse_dotnet_file(path: &str, data: &[u8]) -> Result<FileResult, ParseError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let v: Value = serde_json::from_slice(data)?;
    if file_name(path) == "packages.lock.json" {
        Ok(packages_lock(&v))
    } else {
        Ok(deps_json(&v))
    }
}

/// `packages.lock.json`: per target framework, `Direct` / `Transitive` / `CentralTransitive`
/// packages (`Project` entries are project references, not packages). A package in several
/// frameworks is reported once, direct if direct anywhere.
fn packages_lock(v: &Value) -> FileResult {
    let mut r = FileResult::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    let Some(frameworks) = v.get("dependencies").and_then(Value::as_object) else {
        r.warnings.push("no dependencies object".into());
        return r;
    };
    for deps in frameworks.values() {
        let Some(deps) = deps.as_object() else {
            continue;
        };
        let resolved: HashMap<&str, &str> = deps
            .iter()
            .filter_map(|(n, e)| Some((n.as_str(), jstr(e, "resolved")?)))
            .collect();
        for (name, e) in deps {
            let ty = jstr(e, "type").unwrap_or("");
            if ty == "Project" {
                continue;
            }
            let Some(version) = jstr(e, "resolved") else {
                r.warnings.push(format!("{name}: no resolved version"));
                continue;
            };
            let direct = ty == "Direct";
            let mut p = pkg(KIND, name, version);
            p.relationship = Some(if direct {
                Relationship::Direct
            } else {
                Relationship::Indirect
            });
            if let Some(d) = e.get("dependencies").and_then(Value::as_object) {
                p.depends_on = tidy(
                    d.keys()
                        .filter_map(|dn| resolved.get(dn.as_str()).map(|dv| format!("{dn}@{dv}")))
                        .collect(),
                );
            }
            match index.get(&p.id()).and_then(|&i| r.packages.get_mut(i)) {
                Some(old) => {
                    if direct {
                        old.relationship = Some(Relationship::Direct);
                    }
                    let mut all = std::mem::take(&mut old.depends_on);
                    all.extend(p.depends_on);
                    old.depends_on = tidy(all);
                }
                None => {
                    index.insert(p.id(), r.packages.len());
                    r.packages.push(p);
                }
            }
        }
    }
    r
}

/// `*.deps.json`: `libraries` of type `package`, with dependencies from the runtime target;
/// libraries of type `project` are the application itself (the root component and its project
/// references).
fn deps_json(v: &Value) -> FileResult {
    let mut r = FileResult::default();
    let target_name = v
        .get("runtimeTarget")
        .and_then(|t| jstr(t, "name"))
        .unwrap_or("");
    let target = v
        .get("targets")
        .and_then(|t| t.get(target_name))
        .and_then(Value::as_object);
    let Some(libs) = v.get("libraries").and_then(Value::as_object) else {
        r.warnings.push("no libraries object".into());
        return r;
    };
    for (key, lib) in libs {
        let project = match jstr(lib, "type") {
            Some("package") => false,
            Some("project") => true,
            _ => continue,
        };
        let Some((name, version)) = key.split_once('/') else {
            r.warnings
                .push(format!("library key {key:?} is not name/version"));
            continue;
        };
        let mut p = pkg(KIND, name, version);
        if project {
            p.relationship = Some(Relationship::Root);
        }
        if let Some(deps) = target
            .and_then(|t| t.get(key))
            .and_then(|e| e.get("dependencies"))
            .and_then(Value::as_object)
        {
            p.depends_on = tidy(
                deps.iter()
                    .filter_map(|(dn, dv)| Some(format!("{dn}@{}", dv.as_str()?)))
                    .collect(),
            );
        }
        r.packages.push(p);
    }
    r
}
