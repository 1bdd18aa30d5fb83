//! PHP: `composer.lock` and `vendor/composer/installed.json` (Composer 1 array, Composer 2
//! `{"packages": [...]}`).

use std::collections::{HashMap, HashSet};

use bulwark_catalog::PackageKind;
use serde_json::Value;

use crate::util::{json_licenses, jstr, normalize_license, pkg, tidy};
use crate::{file_name, FileResult, ParseError};

const KIND: PackageKind = PackageKind::Composer;

/// Whether `path` is a `composer.lock` or Composer's `installed.json`.
pub(crate) fn is_composer_file(path: &str) -> bool {
    // A `composer.lock` inside `vendor/` belongs to an installed package's own development.
    (file_name(path) == "composer.lock" && !path.contains("/vendor/"))
        || path.ends_with("/vendor/composer/installed.json")
}

/// Whether a `require` key names a package rather than the platform (`php`, `ext-*`...).
fn is_platform(name: &str) -> bool {
    !name.contains('/')
}

/// Parse `composer.lock` (`packages`, `packages-dev`) or `installed.json`.
pub(crate) fn parse_composer_file(path: &str, data: &[u8]) -> Result<FileResult, ParseError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let v: Value = serde_json::from_slice(data)?;
    let mut entries: Vec<(&Value, bool)> = Vec::new();
    if file_name(path) == "composer.lock" {
        for (key, dev) in [("packages", false), ("packages-dev", true)] {
            if let Some(a) = v.get(key).and_then(Value::as_array) {
                entries.extend(a.iter().map(|e| (e, dev)));
            }
        }
    } else {
        let (list, dev_names): (Option<&Vec<Value>>, HashSet<&str>) = match &v {
            Value::Array(a) => (Some(a), HashSet::new()),
            Value::Object(_) => (
                v.get("packages").and_then(Value::as_array),
                v.get("dev-package-names")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default(),
            ),
            _ => (None, HashSet::new()),
        };
        for e in list.into_iter().flatten() {
            let dev = jstr(e, "name").is_some_and(|n| dev_names.contains(n));
            entries.push((e, dev));
        }
    }
    let mut versions: HashMap<String, String> = HashMap::new();
    for (e, _) in &entries {
        if let (Some(n), Some(ver)) = (jstr(e, "name"), jstr(e, "version")) {
            versions.insert(n.to_ascii_lowercase(), ver.to_string());
        }
    }
    let mut r = FileResult::default();
    for (e, dev) in entries {
        let (Some(name), Some(version)) = (jstr(e, "name"), jstr(e, "version")) else {
            r.warnings.push("package without name or version".into());
            continue;
        };
        let mut p = pkg(KIND, name, version);
        p.dev = dev;
        // Composer's free-text "MIT or BSD-2-Clause" means the same as its array form.
        p.licenses = json_licenses(e)
            .iter()
            .flat_map(|l| l.split(" or ").map(normalize_license))
            .collect();
        if let Some(req) = e.get("require").and_then(Value::as_object) {
            let ids = req
                .keys()
                .filter(|d| !is_platform(d))
                .filter_map(|d| {
                    let key = d.to_ascii_lowercase();
                    versions.get(&key).map(|ver| format!("{d}@{ver}"))
                })
                .collect();
            p.depends_on = tidy(ids);
        }
        r.packages.push(p);
    }
    Ok(r)
}
