//! The exception file (`.bulwarkignore.yaml`) applied to scan findings.
//!
//! It is the file `bulwark config` reads (`bulwark_config::suppress`), with fields for
//! packages: one file serves both verbs. Entries are matched in file order; the first live entry
//! that matches a finding suppresses it. An entry past its `expires` date no longer suppresses,
//! and each expired entry that would have matched something produces one warning notice.

use std::path::Path;

use bulwark_model::scan::{
    LicenseFinding, Notice, NoticeCode, NoticeLevel, ScanReport, VulnFinding,
};
use bulwark_model::Suppression;
use bulwark_walk::glob::{glob_match, path_matches};
use bulwark_yaml::node::Node;

use crate::purl::purl_glob;
use crate::PolicyError;

/// Keys an entry may have.
const ENTRY_KEYS: &[&str] = &[
    "id", "path", "reason", "owner", "expires", "package", "purl", "type", "kind",
];

/// Which findings an entry is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingType {
    /// Vulnerability findings of `bulwark scan`.
    Vulnerability,
    /// License findings of `bulwark scan`.
    License,
    /// Configuration findings of `bulwark config` (ignored by the scan).
    Config,
}

/// One entry of the exception file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    /// Vulnerability id or any alias (`CVE-...`, `GHSA-...`), a glob over them, `*`, or
    /// `license:<SPDX id or glob>`.
    pub id: String,
    /// Glob over package names.
    pub package: Option<String>,
    /// Glob over package URLs, qualifiers ignored; without `@version` it covers every version.
    pub purl: Option<String>,
    /// Glob over the file the package was read from (`found_in`).
    pub path: Option<String>,
    /// Justification (required).
    pub reason: String,
    /// Who owns the exception.
    pub owner: Option<String>,
    /// `YYYY-MM-DD`: the last day the entry suppresses.
    pub expires: Option<String>,
    /// The findings the entry is for (`type:` or `kind:`); `None` for any that match.
    pub finding_type: Option<FindingType>,
    /// Line of the entry in the file.
    pub line: u32,
}

/// A parsed exception file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnoreFile {
    /// Where it came from (path or caller-given name), used in notices.
    pub origin: String,
    /// Entries in file order.
    pub entries: Vec<IgnoreEntry>,
}

impl IgnoreFile {
    /// Read and parse an exception file.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        let text = crate::read_file(path, bulwark_input::DocKind::IgnoreFile)?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parse exception-file text: a YAML list of entries, or a mapping with an `ignores` list.
    /// `origin` names the text in errors and notices.
    pub fn parse(text: &str, origin: &str) -> Result<Self, PolicyError> {
        let mut file = IgnoreFile {
            origin: origin.to_string(),
            entries: Vec::new(),
        };
        let Some(doc) = crate::parse_yaml(text, origin)? else {
            return Ok(file);
        };
        let list = if doc.is_map() {
            crate::check_keys(&doc, &["ignores"], origin)?;
            match doc.get("ignores") {
                Some(l) => l.clone(),
                None => return Ok(file),
            }
        } else {
            doc
        };
        if matches!(list.value, bulwark_yaml::node::Value::Null) {
            return Ok(file);
        }
        if !matches!(list.value, bulwark_yaml::node::Value::Seq(_)) {
            return Err(PolicyError::parse(
                origin,
                Some(list.span.start.line),
                "expected a list of entries (or a mapping with an `ignores:` list)",
            ));
        }
        for item in list.items() {
            file.entries.push(parse_entry(item, origin)?);
        }
        Ok(file)
    }

    /// Mark matching vulnerability and license findings suppressed (kind `ignore-file`, with
    /// the entry's reason, owner and expiry), and push a warning notice
    /// (`expired-exception`) for every expired entry that would have matched something.
    /// `today` is `YYYY-MM-DD` (the system date when it does not parse).
    pub fn apply(&self, report: &mut ScanReport, today_text: &str) {
        let now = parse_date(today_text).unwrap_or_else(today);
        // Per entry: how many findings an expired entry would have matched.
        let mut expired_hits = vec![0usize; self.entries.len()];
        for v in report.vulnerabilities.iter_mut() {
            let s = self.decide(|e| e.matches_vuln(v), now, &mut expired_hits);
            if v.suppression.is_none() {
                v.suppression = s;
            }
        }
        for l in report.licenses.iter_mut() {
            let s = self.decide(|e| e.matches_license(l), now, &mut expired_hits);
            if l.suppression.is_none() {
                l.suppression = s;
            }
        }
        for (e, hits) in self.entries.iter().zip(expired_hits) {
            if hits == 0 {
                continue;
            }
            report.notices.push(Notice {
                level: NoticeLevel::Warning,
                code: NoticeCode::ExpiredException,
                message: format!(
                    "{} line {}: the exception for {}{}{} expired on {}; it no longer suppresses {} finding{}",
                    self.origin,
                    e.line,
                    e.id,
                    e.package
                        .as_deref()
                        .or(e.purl.as_deref())
                        .map(|p| format!(" in {p}"))
                        .unwrap_or_default(),
                    e.owner
                        .as_deref()
                        .map(|o| format!(" (owner {o})"))
                        .unwrap_or_default(),
                    e.expires.as_deref().unwrap_or(""),
                    hits,
                    if hits == 1 { "" } else { "s" }
                ),
            });
        }
    }

    /// The suppression the first live matching entry gives, counting expired entries that
    /// match before it.
    fn decide(
        &self,
        matches: impl Fn(&IgnoreEntry) -> bool,
        now: jiff::civil::Date,
        expired_hits: &mut [usize],
    ) -> Option<Suppression> {
        for (i, e) in self.entries.iter().enumerate() {
            if !matches(e) {
                continue;
            }
            if e.expired(now) {
                if let Some(h) = expired_hits.get_mut(i) {
                    *h += 1;
                }
                continue;
            }
            return Some(Suppression {
                kind: "ignore-file".to_string(),
                reason: e.reason.clone(),
                owner: e.owner.clone(),
                expires: e.expires.clone(),
            });
        }
        None
    }
}

fn parse_entry(item: &Node, origin: &str) -> Result<IgnoreEntry, PolicyError> {
    let line = item.span.start.line;
    if !item.is_map() {
        return Err(PolicyError::parse(
            origin,
            Some(line),
            "an entry must be a mapping with at least `id` and `reason`",
        ));
    }
    crate::check_keys(item, ENTRY_KEYS, origin)?;
    let s = |k: &str| -> Result<Option<String>, PolicyError> {
        match item.get(k) {
            None => Ok(None),
            Some(n) if matches!(n.value, bulwark_yaml::node::Value::Null) => Ok(None),
            Some(n) => n.scalar().map(Some).ok_or_else(|| {
                PolicyError::parse(
                    origin,
                    Some(n.span.start.line),
                    format!("`{k}` must be a single value"),
                )
            }),
        }
    };
    let Some(id) = s("id")?
        .map(|i| i.trim().to_string())
        .filter(|i| !i.is_empty())
    else {
        return Err(PolicyError::parse(
            origin,
            Some(line),
            "entry has no `id` (use `*` for any)",
        ));
    };
    let Some(reason) = s("reason")?.filter(|r| !r.trim().is_empty()) else {
        return Err(PolicyError::parse(
            origin,
            Some(line),
            format!("entry for `{id}` has no `reason`"),
        ));
    };
    let expires = s("expires")?;
    if let Some(e) = &expires {
        if parse_date(e).is_none() {
            return Err(PolicyError::parse(
                origin,
                Some(line),
                format!("`expires` must be YYYY-MM-DD, got `{e}`"),
            ));
        }
    }
    let ty = match (s("type")?, s("kind")?) {
        (Some(a), Some(b)) if a != b => {
            return Err(PolicyError::parse(
                origin,
                Some(line),
                format!("`type: {a}` and `kind: {b}` disagree"),
            ))
        }
        (Some(a), _) | (None, Some(a)) => Some(match a.to_ascii_lowercase().as_str() {
            "vulnerability" | "vuln" | "vulnerabilities" => FindingType::Vulnerability,
            "license" | "licence" | "licenses" => FindingType::License,
            "config" | "misconfiguration" => FindingType::Config,
            other => {
                return Err(PolicyError::parse(
                    origin,
                    Some(line),
                    format!("`type` must be vulnerability, license or config, got `{other}`"),
                ))
            }
        }),
        (None, None) => None,
    };
    Ok(IgnoreEntry {
        id,
        package: s("package")?,
        purl: s("purl")?,
        path: s("path")?,
        reason,
        owner: s("owner")?,
        expires,
        finding_type: ty,
        line,
    })
}

impl IgnoreEntry {
    fn expired(&self, now: jiff::civil::Date) -> bool {
        self.expires
            .as_deref()
            .and_then(parse_date)
            .is_some_and(|d| d < now)
    }

    /// A bare `id: '*'` (no package, purl or type) is a `bulwark config` exception: applying it
    /// to the scan would hide every vulnerability.
    fn too_broad_for_scan(&self) -> bool {
        self.id == "*"
            && self.package.is_none()
            && self.purl.is_none()
            && self.finding_type.is_none()
    }

    fn package_matches(&self, name: &str, purl: &str, found_in: &str) -> bool {
        if let Some(p) = &self.package {
            if !glob_match(p, name) {
                return false;
            }
        }
        if let Some(p) = &self.purl {
            if !purl_glob(p, purl) {
                return false;
            }
        }
        if let Some(p) = &self.path {
            if !path_matches(p, found_in) {
                return false;
            }
        }
        true
    }

    /// Whether the entry covers a vulnerability finding (expiry not considered).
    pub fn matches_vuln(&self, v: &VulnFinding) -> bool {
        if !matches!(self.finding_type, None | Some(FindingType::Vulnerability))
            || self.too_broad_for_scan()
        {
            return false;
        }
        if self.id != "*" {
            let pat = self.id.to_ascii_uppercase();
            let hit = std::iter::once(&v.id)
                .chain(v.aliases.iter())
                .any(|i| glob_match(&pat, &i.to_ascii_uppercase()));
            if !hit {
                return false;
            }
        }
        self.package_matches(&v.package.name, &v.package.purl, &v.package.found_in)
    }

    /// Whether the entry covers a license finding (expiry not considered): `id` is `*` or
    /// `license:<glob>` matched against the whole expression or any license in it.
    pub fn matches_license(&self, l: &LicenseFinding) -> bool {
        if !matches!(self.finding_type, None | Some(FindingType::License))
            || self.too_broad_for_scan()
        {
            return false;
        }
        if self.id != "*" {
            let Some(pat) = strip_prefix_ci(&self.id, "license:").map(str::trim) else {
                return false;
            };
            let pat = pat.to_ascii_lowercase();
            let expr = l.license.to_ascii_lowercase();
            let hit = glob_match(&pat, &expr)
                || bulwark_license::license_ids(&l.license)
                    .iter()
                    .any(|id| glob_match(&pat, &id.to_ascii_lowercase()));
            if !hit {
                return false;
            }
        }
        self.package_matches(&l.package.name, &l.package.purl, &l.package.found_in)
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

/// `YYYY-MM-DD`, `None` when it is not a calendar date.
fn parse_date(s: &str) -> Option<jiff::civil::Date> {
    s.trim().parse().ok()
}

/// Today's UTC date from the system clock.
fn today() -> jiff::civil::Date {
    jiff::tz::Offset::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_globs() {
        let p = "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12";
        assert!(purl_glob("pkg:deb/debian/libssl3", p));
        assert!(purl_glob("pkg:deb/debian/libssl*", p));
        assert!(purl_glob("pkg:deb/debian/libssl3@3.0.*", p));
        assert!(purl_glob(
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=arm64",
            p
        ));
        assert!(!purl_glob("pkg:deb/debian/libssl3@3.1.*", p));
        assert!(!purl_glob("pkg:deb/ubuntu/libssl3", p));
        assert!(purl_glob("pkg:deb/**", p));
        assert!(purl_glob(
            "pkg:npm/@babel/*",
            "pkg:npm/%40babel/core@7.22.0"
        ));
        assert!(purl_glob("pkg:pypi/django@4.2.*", "pkg:pypi/django@4.2.1"));
        // Encoded `+` in the package's purl, plain in the pattern.
        assert!(purl_glob(
            "pkg:deb/debian/libc6@2.36-9+deb12u4",
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64"
        ));
    }

    #[test]
    fn paths() {
        assert!(path_matches(
            "/usr/lib/python3/**",
            "usr/lib/python3/dist-packages/x/METADATA"
        ));
        assert!(path_matches("package-lock.json", "app/package-lock.json"));
        assert!(path_matches("app/**", "/app/node_modules/a/package.json"));
        assert!(!path_matches("srv/**", "/app/node_modules/a/package.json"));
    }
}
