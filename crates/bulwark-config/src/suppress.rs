//! Exceptions: inline `bulwark:ignore=ID[,ID...] reason` comments and the `.bulwarkignore.yaml`
//! suppression file. Suppressed findings are kept, marked with the reason.

use bulwark_model::{Finding, Suppression};

use crate::node::Node;
use crate::Error;

/// One entry of a suppression file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    /// Rule id (`*` for every rule).
    pub id: String,
    /// Glob over file paths (`**` crosses directories); `None` for every file.
    pub path: Option<String>,
    /// Justification (required).
    pub reason: String,
    /// Who owns the exception.
    pub owner: Option<String>,
    /// `YYYY-MM-DD` after which the entry stops suppressing.
    pub expires: Option<String>,
    /// Line of the entry in the suppression file.
    pub line: u32,
}

/// The keys an entry of `.bulwarkignore.yaml` may have. The file is shared with `bulwark scan`
/// (`bulwark_policy::ignore`), whose entries add `package`, `purl` and `type`/`kind`.
pub const ENTRY_KEYS: &[&str] = &[
    "id", "path", "reason", "owner", "expires", "package", "purl", "type", "kind",
];

/// Parse a suppression file: a YAML list of entries, or a mapping with an `ignores` list.
///
/// Only the entries for `bulwark config` are returned: entries that name a `package` or `purl`,
/// or whose `type`/`kind` is not `config`, are for scan findings and are skipped (an `id: "*"`
/// scoped to one package must not suppress every configuration finding). A key outside
/// [`ENTRY_KEYS`] is an error naming the line, so a typo (`expire:`) does not silently turn an
/// entry into something else.
pub fn parse_ignore_file(text: &str) -> Result<Vec<IgnoreEntry>, Error> {
    let docs = crate::yaml::parse_documents(text)?;
    let Some(doc) = docs.first() else {
        return Ok(Vec::new());
    };
    let list = match doc.get("ignores") {
        Some(l) => l,
        None => doc,
    };
    // A file of the wrong kind (a mapping without `ignores`, a bare scalar) must not pass as
    // "no suppressions".
    if !matches!(
        list.value,
        crate::node::Value::Seq(_) | crate::node::Value::Null
    ) {
        return Err(Error::Parse(format!(
            "line {}: expected a list of suppressions (or an `ignores:` list), found {}",
            list.span.start.line,
            match &list.value {
                crate::node::Value::Map(_) => "a mapping without `ignores`",
                _ => "a scalar",
            }
        )));
    }
    let mut out = Vec::new();
    for item in list.items() {
        let line = item.span.start.line;
        let unknown: Vec<String> = item
            .entries()
            .iter()
            .filter_map(|(k, _)| k.scalar())
            .filter(|k| !ENTRY_KEYS.contains(&k.as_str()))
            .map(|k| format!("`{k}`"))
            .collect();
        if !unknown.is_empty() {
            return Err(Error::Parse(format!(
                "suppression entry at line {line} has unknown key(s) {}; allowed: {}",
                unknown.join(", "),
                ENTRY_KEYS.join(", ")
            )));
        }
        let s = |k: &str| item.get(k).and_then(Node::scalar);
        if !is_for_config(item, line)? {
            continue;
        }
        let Some(id) = s("id") else {
            return Err(Error::Parse(format!(
                "suppression entry at line {line} has no `id`"
            )));
        };
        let Some(reason) = s("reason").filter(|r| !r.trim().is_empty()) else {
            return Err(Error::Parse(format!(
                "suppression entry at line {line} has no `reason`"
            )));
        };
        let expires = s("expires");
        if let Some(e) = &expires {
            if parse_date(e).is_none() {
                return Err(Error::Parse(format!(
                    "suppression entry at line {line}: `expires` must be YYYY-MM-DD, got `{e}`"
                )));
            }
        }
        out.push(IgnoreEntry {
            id,
            path: s("path"),
            reason,
            owner: s("owner"),
            expires,
            line,
        });
    }
    Ok(out)
}

/// Whether an entry is for configuration findings: no `package`/`purl`, and a `type`/`kind`
/// (synonyms) that is absent or `config`. The type values are the ones the scan accepts, so an
/// entry the scan would reject is rejected here too rather than silently skipped.
fn is_for_config(item: &Node, line: u32) -> Result<bool, Error> {
    let s = |k: &str| item.get(k).and_then(Node::scalar);
    let ty = match (s("type"), s("kind")) {
        (Some(a), Some(b)) if !a.eq_ignore_ascii_case(&b) => {
            return Err(Error::Parse(format!(
                "suppression entry at line {line}: `type: {a}` and `kind: {b}` disagree"
            )))
        }
        (Some(a), _) | (None, Some(a)) => Some(a.to_ascii_lowercase()),
        (None, None) => None,
    };
    let config_type = match ty.as_deref() {
        None | Some("config" | "misconfiguration") => true,
        Some("vulnerability" | "vuln" | "vulnerabilities" | "license" | "licence" | "licenses") => {
            false
        }
        Some(other) => {
            return Err(Error::Parse(format!(
                "suppression entry at line {line}: `type` must be vulnerability, license or config, got `{other}`"
            )))
        }
    };
    Ok(config_type && item.get("package").is_none() && item.get("purl").is_none())
}

/// Parse a `YYYY-MM-DD` calendar date (surrounding blanks ignored); `None` when it is not one
/// (`2026-02-30` included).
pub fn parse_date(s: &str) -> Option<jiff::civil::Date> {
    s.trim().parse().ok()
}

/// Today's UTC date from the system clock.
pub fn today() -> jiff::civil::Date {
    jiff::tz::Offset::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}

pub use bulwark_walk::glob::glob_match;
use bulwark_walk::glob::path_matches;

/// Parse an inline directive in one line: the ids and the reason.
fn inline_directive(line: &str) -> Option<(Vec<String>, String)> {
    let i = line.find("bulwark:ignore=")?;
    let rest = line.get(i + "bulwark:ignore=".len()..)?;
    let (ids, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let ids = ids
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let reason = reason.trim();
    Some((
        ids,
        if reason.is_empty() {
            "suppressed inline (no reason given)".to_string()
        } else {
            reason.to_string()
        },
    ))
}

/// Apply inline directives found in `text` (the file's content) to its findings: a directive on
/// the finding's line, or in the comment lines directly above it.
pub fn apply_inline(findings: &mut [Finding], text: &str) {
    if !text.contains("bulwark:ignore=") {
        return;
    }
    let lines: Vec<&str> = text.lines().collect();
    for f in findings.iter_mut().filter(|f| f.suppression.is_none()) {
        let Some(line) = f.location.line else {
            continue;
        };
        let mut idx = usize::try_from(line).unwrap_or(0).saturating_sub(1);
        let mut candidates = Vec::new();
        if let Some(l) = lines.get(idx) {
            candidates.push(*l);
        }
        while idx > 0 {
            idx -= 1;
            match lines.get(idx) {
                Some(l) if l.trim_start().starts_with('#') => candidates.push(*l),
                _ => break,
            }
        }
        for c in candidates {
            if let Some((ids, reason)) = inline_directive(c) {
                if ids.iter().any(|i| i == &f.rule_id || i == "*") {
                    f.suppression = Some(Suppression {
                        kind: "inline".to_string(),
                        reason,
                        owner: None,
                        expires: None,
                    });
                    break;
                }
            }
        }
    }
}

/// Apply suppression-file entries. Expired entries do not suppress; each expired entry that
/// would have matched produces one warning.
pub fn apply_file(
    findings: &mut [Finding],
    entries: &[IgnoreEntry],
    today: jiff::civil::Date,
    warnings: &mut Vec<String>,
) {
    let mut warned = std::collections::HashSet::new();
    for f in findings.iter_mut().filter(|f| f.suppression.is_none()) {
        for e in entries {
            if e.id != f.rule_id && e.id != "*" {
                continue;
            }
            if let Some(p) = &e.path {
                if !path_matches(p, &f.location.file) {
                    continue;
                }
            }
            let expired = e
                .expires
                .as_deref()
                .and_then(parse_date)
                .is_some_and(|d| d < today);
            if expired {
                if warned.insert(e.line) {
                    warnings.push(format!(
                        "suppression of {} (line {} of the ignore file) expired on {}; it no longer applies",
                        e.id,
                        e.line,
                        e.expires.as_deref().unwrap_or("")
                    ));
                }
                continue;
            }
            f.suppression = Some(Suppression {
                kind: "file".to_string(),
                reason: e.reason.clone(),
                owner: e.owner.clone(),
                expires: e.expires.clone(),
            });
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            parse_date(" 2024-10-04 "),
            Some(jiff::civil::date(2024, 10, 4))
        );
        // Not a calendar date: rejected (it used to be accepted and compared as a tuple).
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("tomorrow"), None);
        assert!(today() > jiff::civil::date(2026, 1, 1));
    }

    #[test]
    fn ignore_file() {
        let e = parse_ignore_file("ignores:\n  - id: BW-DF-001\n    path: '**/Dockerfile'\n    reason: base image sets the user\n    owner: team-a\n    expires: 2030-01-01\n").unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].expires.as_deref(), Some("2030-01-01"));
        assert!(parse_ignore_file("- id: X\n").is_err());
        assert!(parse_ignore_file("- id: X\n  reason: r\n  expires: soon\n").is_err());
    }

    /// The file is shared with `bulwark scan`: its entries are skipped, not applied to every
    /// configuration finding.
    #[test]
    fn ignore_file_skips_scan_entries() {
        let text = "ignores:
  - id: '*'
    package: foo
    reason: scan entry scoped to one package
  - id: CVE-2024-1
    purl: pkg:npm/lodash@4.17.*
    reason: scan entry by purl
  - id: '*'
    path: 'app/*.jar'
    type: vulnerability
    reason: typed for vulnerabilities
  - id: license:GPL-3.0*
    kind: license
    reason: typed for licenses
  - id: BW-DF-001
    type: config
    reason: typed for config
  - id: BW-K8S-002
    kind: misconfiguration
    path: k8s/*.yaml
    reason: synonym
  - id: '*'
    path: vendor/**
    reason: untyped config entry
";
        let e = parse_ignore_file(text).unwrap();
        let got: Vec<(&str, Option<&str>, u32)> = e
            .iter()
            .map(|e| (e.id.as_str(), e.path.as_deref(), e.line))
            .collect();
        assert_eq!(
            got,
            [
                ("BW-DF-001", None, 15),
                ("BW-K8S-002", Some("k8s/*.yaml"), 18),
                ("*", Some("vendor/**"), 22),
            ]
        );
        // Applied, the package-scoped `id: '*'` suppresses nothing.
        let e = parse_ignore_file("- id: '*'\n  package: foo\n  reason: r\n").unwrap();
        assert!(e.is_empty());
        let e = parse_ignore_file("- id: X\n  type: vulnerabilty\n  reason: r\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "parse error: suppression entry at line 1: `type` must be vulnerability, license or config, got `vulnerabilty`"
        );
        let e = parse_ignore_file("- id: X\n  type: config\n  kind: license\n  reason: r\n")
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("line 1: `type: config` and `kind: license` disagree"),
            "{e}"
        );
    }

    #[test]
    fn ignore_file_rejects_unknown_keys() {
        let e = parse_ignore_file(
            "ignores:\n  - id: BW-DF-001\n    reason: r\n  - id: BW-DF-002\n    reason: r\n    expire: 2030-01-01\n    pakage: x\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "parse error: suppression entry at line 4 has unknown key(s) `expire`, `pakage`; allowed: id, path, reason, owner, expires, package, purl, type, kind"
        );
        // Unknown keys are errors on scan entries too: the typo is the same mistake.
        assert!(parse_ignore_file("- id: X\n  purl: pkg:npm/a\n  reasn: r\n").is_err());
    }
}
