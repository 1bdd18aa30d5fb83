//! License strings as the two formats want them: SPDX identifiers, expressions, or free text.
//!
//! Whether a string is a listed SPDX id or a valid expression comes from `bulwark-license`
//! (whose id list is the enum of CycloneDX's `spdx.schema.json`, so the strict CycloneDX
//! validator accepts every `license.id` written); this module only decides how each format
//! carries it.

use bulwark_license::{canonical, idstring, is_compound, is_expression, spdx_id};
use serde_json::{json, Value};

/// The CycloneDX `licenses` array for a package's license strings: one `expression` when any
/// entry is a compound expression (the schema forbids mixing expressions with license
/// objects), else one object per license, by `id` when listed and by `name` otherwise.
pub(crate) fn cyclonedx(licenses: &[String]) -> Option<Value> {
    let licenses: Vec<&str> = licenses
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    if licenses.is_empty() {
        return None;
    }
    let any_compound = licenses.iter().any(|l| is_compound(l));
    if any_compound && licenses.iter().all(|l| is_expression(l)) {
        return Some(json!([{ "expression": join_and(&licenses) }]));
    }
    let items: Vec<Value> = licenses
        .iter()
        .map(|l| match spdx_id(l) {
            Some(id) => json!({ "license": { "id": id } }),
            None => json!({ "license": { "name": l } }),
        })
        .collect();
    Some(Value::Array(items))
}

/// Join license expressions with `AND`, parenthesising compound ones.
fn join_and(parts: &[&str]) -> String {
    if parts.len() == 1 {
        return parts[0].to_string();
    }
    parts
        .iter()
        .map(|p| {
            if is_compound(p) {
                format!("({p})")
            } else {
                (*p).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// A license text that is not an SPDX expression, carried in SPDX as a `LicenseRef-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Extracted {
    /// `LicenseRef-...`.
    pub id: String,
    /// The text as found.
    pub text: String,
}

/// The SPDX `licenseDeclared` for a package's license strings: `NOASSERTION` without any,
/// else the entries joined by `AND`, each either kept (a valid expression, identifiers in the
/// list's spelling) or replaced by a `LicenseRef-` recorded in `extracted`.
pub(crate) fn spdx_declared(licenses: &[String], extracted: &mut Vec<Extracted>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for l in licenses.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
        if is_expression(l) {
            parts.push(canonical(l));
        } else {
            let id = format!("LicenseRef-{}", idstring(l));
            if !extracted.iter().any(|e| e.id == id) {
                extracted.push(Extracted {
                    id: id.clone(),
                    text: l.to_string(),
                });
            }
            parts.push(id);
        }
    }
    parts.dedup();
    if parts.is_empty() {
        return "NOASSERTION".into();
    }
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    join_and(&refs)
}

/// License strings from a CycloneDX `licenses` array.
pub(crate) fn from_cyclonedx(v: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    for item in v.and_then(Value::as_array).into_iter().flatten() {
        if let Some(e) = item.get("expression").and_then(Value::as_str) {
            out.push(e.to_string());
        } else if let Some(l) = item.get("license") {
            if let Some(s) = l
                .get("id")
                .or_else(|| l.get("name"))
                .and_then(Value::as_str)
            {
                out.push(s.to_string());
            }
        }
    }
    out
}

/// License strings from an SPDX `licenseDeclared`/`licenseConcluded` value: nothing for
/// `NOASSERTION`/`NONE`, `LicenseRef-`s replaced by their extracted text when the document has
/// it.
pub(crate) fn from_spdx(value: Option<&str>, extracted: &[(String, String)]) -> Vec<String> {
    let Some(v) = value.map(str::trim) else {
        return Vec::new();
    };
    if v.is_empty() || v == "NOASSERTION" || v == "NONE" {
        return Vec::new();
    }
    // The writer joins a package's licenses with top-level `AND`; split them again so a round
    // trip gives the same list.
    split_top_and(v)
        .into_iter()
        .map(|part| match extracted.iter().find(|(id, _)| id == part) {
            Some((_, text)) => text.clone(),
            None => part.to_string(),
        })
        .collect()
}

/// The operands of the top-level `AND`s of an expression, outer parentheses removed.
fn split_top_and(expr: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let bytes = expr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b' ' if depth == 0 && expr[i..].starts_with(" AND ") => {
                parts.push(&expr[start..i]);
                i += 5;
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&expr[start..]);
    parts
        .into_iter()
        .map(|p| {
            let p = p.trim();
            match p.strip_prefix('(').and_then(|q| q.strip_suffix(')')) {
                // Only when the parentheses wrap the whole operand: `(A) OR (B)` stays.
                Some(inner) if balanced(inner) => inner.trim(),
                _ => p,
            }
        })
        .filter(|p| !p.is_empty())
        .collect()
}

fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyclonedx_license_choice() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            cyclonedx(&s(&["MIT", "Custom thing"])).unwrap(),
            json!([{"license": {"id": "MIT"}}, {"license": {"name": "Custom thing"}}])
        );
        assert_eq!(
            cyclonedx(&s(&["MIT OR Apache-2.0", "BSD-3-Clause"])).unwrap(),
            json!([{"expression": "(MIT OR Apache-2.0) AND BSD-3-Clause"}])
        );
        // A compound expression next to free text: no valid expression, so names.
        assert_eq!(
            cyclonedx(&s(&["MIT OR Apache-2.0", "Custom"])).unwrap(),
            json!([{"license": {"name": "MIT OR Apache-2.0"}}, {"license": {"name": "Custom"}}])
        );
        assert_eq!(cyclonedx(&[]), None);
    }

    #[test]
    fn spdx_declared_refs() {
        let mut ex = Vec::new();
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            spdx_declared(
                &s(&["mit", "GPL-2.0-only or LGPL-2.1-only", "Public Domain"]),
                &mut ex
            ),
            "MIT AND (GPL-2.0-only OR LGPL-2.1-only) AND LicenseRef-Public-Domain"
        );
        assert_eq!(
            ex,
            vec![Extracted {
                id: "LicenseRef-Public-Domain".into(),
                text: "Public Domain".into()
            }]
        );
        assert_eq!(spdx_declared(&[], &mut ex), "NOASSERTION");
        let ex = vec![(
            "LicenseRef-Public-Domain".to_string(),
            "Public Domain".to_string(),
        )];
        assert_eq!(
            from_spdx(
                Some("MIT AND (GPL-2.0-only OR LGPL-2.1-only) AND LicenseRef-Public-Domain"),
                &ex
            ),
            ["MIT", "GPL-2.0-only OR LGPL-2.1-only", "Public Domain"]
        );
        assert_eq!(
            from_spdx(Some("(MIT) OR (BSD-3-Clause)"), &ex),
            ["(MIT) OR (BSD-3-Clause)"]
        );
        assert_eq!(from_spdx(Some("NOASSERTION"), &ex), Vec::<String>::new());
    }
}
