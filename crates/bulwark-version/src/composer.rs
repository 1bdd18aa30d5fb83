//! Composer (Packagist) versions: normalised as Composer's `VersionParser::normalize` does, then
//! compared with PHP's `version_compare`, which is what `Composer\Semver\Comparator` runs.
//!
//! Hand-written after composer/semver's VersionParser (its regular expressions, including
//! possessive quantifiers and alternative order) and php-src's `php_version_compare`: no crate
//! implements either. Branch names (`dev-main`, `1.x-dev`) are refused: Composer itself never
//! orders a branch against a version.

use std::cmp::Ordering;

use crate::error::check_len;
use crate::macros::version_impls;
use crate::{Scheme, VersionError};

/// A Composer version.
///
/// ```
/// use bulwark_version::ComposerVersion;
/// let v = |s| ComposerVersion::parse(s).unwrap();
/// assert_eq!(v("v1.2").normalized(), "1.2.0.0");
/// assert_eq!(v("1.0.0-beta2").normalized(), "1.0.0.0-beta2");
/// assert!(v("1.0.0-beta2") < v("1.0.0-RC1"));
/// assert!(v("1.0.0-RC1") < v("1.0.0"));
/// assert!(v("1.0.0") < v("1.0.0-patch1"));
/// assert!(ComposerVersion::parse("dev-main").is_err());
/// ```
#[derive(Debug, Clone)]
pub struct ComposerVersion {
    original: String,
    normalized: String,
}

const STABILITIES: [&str; 9] = [
    "stable", "beta", "b", "RC", "alpha", "a", "patch", "pl", "p",
];

fn ci_at(s: &[u8], pos: usize, word: &str) -> bool {
    s.get(pos..pos + word.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()))
}

fn digit_run(s: &[u8], pos: usize) -> usize {
    s.get(pos..)
        .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// Captures of `$modifierRegex`: stability, its numbers, and the dev flag.
struct Modifier {
    stability: Option<String>,
    numbers: String,
    dev: bool,
}

/// Matches `[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?$`
/// (case-insensitive) against all of `s[pos..]`, trying alternatives in the regex's order.
fn match_modifier(s: &[u8], pos: usize) -> Option<Modifier> {
    let seps: Vec<usize> = if s.get(pos).is_some_and(|c| matches!(c, b'.' | b'_' | b'-')) {
        vec![pos + 1, pos]
    } else {
        vec![pos]
    };
    for p in seps {
        for stab in STABILITIES.iter().map(Some).chain([None]) {
            let mut q = p;
            let mut numbers = String::new();
            if let Some(word) = stab {
                if !ci_at(s, q, word) {
                    continue;
                }
                q += word.len();
                // Possessive: take every `[.-]?\d+` greedily, never give back.
                let start = q;
                loop {
                    let sep = usize::from(s.get(q).is_some_and(|c| matches!(c, b'.' | b'-')));
                    let n = digit_run(s, q + sep);
                    if n == 0 {
                        break;
                    }
                    q += sep + n;
                }
                numbers = String::from_utf8_lossy(s.get(start..q).unwrap_or(&[])).into_owned();
            }
            let mut dev_options = Vec::new();
            if s.get(q).is_some_and(|c| matches!(c, b'.' | b'-')) && ci_at(s, q + 1, "dev") {
                dev_options.push((true, q + 4));
            }
            if ci_at(s, q, "dev") {
                dev_options.push((true, q + 3));
            }
            dev_options.push((false, q));
            for (dev, end) in dev_options {
                if end == s.len() {
                    return Some(Modifier {
                        // The stability as written (its case matters: only `stable` is
                        // special-cased, case-sensitively).
                        stability: stab.map(|w| {
                            String::from_utf8_lossy(s.get(p..p + w.len()).unwrap_or(&[]))
                                .into_owned()
                        }),
                        numbers,
                        dev,
                    });
                }
            }
        }
    }
    None
}

/// Appends the modifier as `normalize` does.
fn with_modifier(mut version: String, m: Modifier) -> String {
    if let Some(stab) = m.stability.filter(|s| !s.is_empty()) {
        if stab == "stable" {
            return version;
        }
        let expanded = match stab.to_ascii_lowercase().as_str() {
            "a" => "alpha".to_owned(),
            "b" => "beta".to_owned(),
            "p" | "pl" => "patch".to_owned(),
            "rc" => "RC".to_owned(),
            other => other.to_owned(),
        };
        version.push('-');
        version.push_str(&expanded);
        version.push_str(m.numbers.trim_start_matches(['.', '-']));
    }
    if m.dev {
        version.push_str("-dev");
    }
    version
}

/// `^v?(\d{1,5})(\.\d++)?(\.\d++)?(\.\d++)?` + modifier + `$` (a longer first number never
/// matches: a digit would follow).
fn classical(s: &[u8]) -> Option<String> {
    let mut pos = usize::from(matches!(s.first(), Some(b'v' | b'V')));
    let n = digit_run(s, pos).min(5);
    if n == 0 {
        return None;
    }
    let mut parts = vec![String::from_utf8_lossy(s.get(pos..pos + n)?).into_owned()];
    pos += n;
    while parts.len() < 4 && s.get(pos) == Some(&b'.') {
        let n = digit_run(s, pos + 1);
        if n == 0 {
            break;
        }
        parts.push(String::from_utf8_lossy(s.get(pos + 1..pos + 1 + n)?).into_owned());
        pos += 1 + n;
    }
    let m = match_modifier(s, pos)?;
    while parts.len() < 4 {
        parts.push("0".to_owned());
    }
    Some(with_modifier(parts.join("."), m))
}

/// Candidate ends of `\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?` in the regex's order.
fn date_ends(s: &[u8], pos: usize, a: usize, out: &mut Vec<usize>) {
    let is_sep = |c: &u8| matches!(c, b'.' | b':' | b'-');
    if a < 6 {
        for p in [pos + 1, pos] {
            if p == pos + 1 && !s.get(pos).is_some_and(is_sep) {
                continue;
            }
            if digit_run(s, p) >= 2 {
                date_ends(s, p + 2, a + 1, out);
            }
        }
    }
    if a >= 1 {
        date_tail(s, pos, 0, out);
    }
}

fn date_tail(s: &[u8], pos: usize, b: usize, out: &mut Vec<usize>) {
    let is_sep = |c: &u8| matches!(c, b'.' | b':' | b'-');
    if b < 1 {
        for p in [pos + 1, pos] {
            if p == pos + 1 && !s.get(pos).is_some_and(is_sep) {
                continue;
            }
            let run = digit_run(s, p);
            for len in (1..=3).rev() {
                if run >= len {
                    date_tail(s, p + len, b + 1, out);
                }
            }
        }
    }
    out.push(pos);
}

/// `^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?)` + modifier + `$` (composer/semver 3).
fn date_based(s: &[u8]) -> Option<String> {
    let start = usize::from(matches!(s.first(), Some(b'v' | b'V')));
    if digit_run(s, start) < 4 {
        return None;
    }
    let mut ends = Vec::new();
    date_ends(s, start + 4, 0, &mut ends);
    for end in ends {
        if let Some(m) = match_modifier(s, end) {
            let date: String = s
                .get(start..end)?
                .iter()
                .map(|&c| {
                    if c.is_ascii_digit() {
                        char::from(c)
                    } else {
                        '.'
                    }
                })
                .collect();
            return Some(with_modifier(date, m));
        }
    }
    None
}

/// `(.*?)[.-]?dev$` followed by `normalizeBranch`: numeric branches such as `1.x-dev` become
/// `1.9999999.9999999.9999999-dev`; other branch names are not versions.
fn numeric_branch(v: &str) -> Option<String> {
    let lower = v.to_ascii_lowercase();
    let name = lower.strip_suffix("dev")?;
    let name = name
        .strip_suffix('.')
        .or_else(|| name.strip_suffix('-'))
        .unwrap_or(name);
    let name = name.trim_matches([' ', '\t', '\n', '\r', '\0', '\x0b']);
    let body = name.strip_prefix('v').unwrap_or(name);
    let mut parts = body.split('.');
    let first = parts.next()?;
    if first.is_empty() || !first.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut out = vec![first.to_owned()];
    for p in parts {
        let ok = (!p.is_empty() && p.bytes().all(|c| c.is_ascii_digit())) || p == "x" || p == "*";
        if !ok || out.len() == 4 {
            return None;
        }
        out.push(if p == "*" {
            "x".to_owned()
        } else {
            p.to_owned()
        });
    }
    while out.len() < 4 {
        out.push("x".to_owned());
    }
    Some(format!("{}-dev", out.join(".").replace('x', "9999999")))
}

impl ComposerVersion {
    /// Normalises a version as Composer does; branch names are an error.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Composer, input)?;
        let err = |reason| VersionError::invalid(Scheme::Composer, input, reason);
        let mut v = input.trim_matches([' ', '\t', '\n', '\r', '\0', '\x0b']);
        // Strip an alias (`1.0 as 2.0`) and a stability flag (`@beta`).
        if let Some((left, right)) = v.split_once(" as ") {
            let ok = |x: &str| !x.trim().is_empty() && !x.trim().contains([',', ' ', '\t']);
            if ok(left) && ok(right) {
                v = left.trim_end();
            }
        }
        if let Some((left, flag)) = v.rsplit_once('@') {
            let flag = flag.to_ascii_lowercase();
            if ["stable", "rc", "beta", "alpha", "dev"].contains(&flag.as_str()) {
                v = left;
            }
        }
        if ["master", "trunk", "default"].contains(&v) || v.to_ascii_lowercase().starts_with("dev-")
        {
            return Err(err("branch names have no order"));
        }
        // Strip build metadata.
        if let Some((left, right)) = v.split_once('+') {
            let bad = |c: char| c == ',' || c.is_whitespace();
            if !left.is_empty()
                && !left.contains(bad)
                && !right.is_empty()
                && !right.contains(char::is_whitespace)
            {
                v = left;
            }
        }
        let s = v.as_bytes();
        let normalized = classical(s)
            .or_else(|| date_based(s))
            .or_else(|| numeric_branch(v))
            .ok_or_else(|| {
                if v.to_ascii_lowercase().ends_with("dev") {
                    err("branch names have no order")
                } else {
                    err("invalid version string")
                }
            })?;
        Ok(ComposerVersion {
            original: input.to_owned(),
            normalized,
        })
    }

    /// The normalised form (`1.2.0.0-beta2`).
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    fn compare(&self, other: &Self) -> Ordering {
        php_version_compare(self.normalized.as_bytes(), other.normalized.as_bytes())
    }
}

version_impls!(ComposerVersion, compare);

/// php-src's `php_canonicalize_version`.
fn canonicalize(v: &[u8]) -> Vec<u8> {
    let Some((&first, rest)) = v.split_first() else {
        return Vec::new();
    };
    let isdig = |c: u8| c.is_ascii_digit();
    let isndig = |c: u8| !c.is_ascii_digit() && c != b'.';
    let mut out = vec![first];
    let mut lp = first;
    for &c in rest {
        let lq = out.last().copied().unwrap_or(0);
        if matches!(c, b'-' | b'_' | b'+') {
            if lq != b'.' {
                out.push(b'.');
            }
        } else if (isndig(lp) && isdig(c)) || (isdig(lp) && isndig(c)) {
            if lq != b'.' {
                out.push(b'.');
            }
            out.push(c);
        } else if !c.is_ascii_alphanumeric() {
            if lq != b'.' {
                out.push(b'.');
            }
        } else {
            out.push(c);
        }
        lp = c;
    }
    out
}

/// php-src's `compare_special_version_forms` (prefix matches, unknown forms lowest).
fn special_form(form: &[u8]) -> i32 {
    const FORMS: [(&[u8], i32); 10] = [
        (b"dev", 0),
        (b"alpha", 1),
        (b"a", 1),
        (b"beta", 2),
        (b"b", 2),
        (b"RC", 3),
        (b"rc", 3),
        (b"#", 4),
        (b"pl", 5),
        (b"p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| form.starts_with(name))
        .map_or(-1, |(_, order)| *order)
}

/// C `strtol` on a run of digits, saturating like glibc.
fn strtol(s: &[u8]) -> i64 {
    s.iter()
        .take_while(|c| c.is_ascii_digit())
        .fold(0i64, |acc, &c| {
            acc.checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(c - b'0')))
                .unwrap_or(i64::MAX)
        })
}

/// php-src's `php_version_compare`, step for step: elements are cut at each `.`, the loop
/// stops at the first difference or when either side has no further `.`, and a longer side is
/// then compared with the special form `#N#`.
pub(crate) fn php_version_compare(v1: &[u8], v2: &[u8]) -> Ordering {
    // C strings end at the first NUL.
    let cut = |v: &[u8]| -> Vec<u8> { v.iter().copied().take_while(|&c| c != 0).collect() };
    let (v1, v2) = (cut(v1), cut(v2));
    if v1.is_empty() || v2.is_empty() {
        return (!v1.is_empty()).cmp(&!v2.is_empty());
    }
    let b1 = if v1.first() == Some(&b'#') {
        v1
    } else {
        canonicalize(&v1)
    };
    let b2 = if v2.first() == Some(&b'#') {
        v2
    } else {
        canonicalize(&v2)
    };
    let at = |b: &[u8], i: usize| b.get(i).copied().unwrap_or(0);
    let dot = |b: &[u8], from: usize| {
        b.get(from..)
            .and_then(|r| r.iter().position(|&c| c == b'.'))
            .map(|k| from + k)
    };
    let (mut p1, mut p2) = (0usize, 0usize);
    let (mut n1, mut n2) = (Some(0usize), Some(0usize));
    let mut compare = Ordering::Equal;
    while at(&b1, p1) != 0 && at(&b2, p2) != 0 && n1.is_some() && n2.is_some() {
        n1 = dot(&b1, p1);
        n2 = dot(&b2, p2);
        let e1 = b1.get(p1..n1.unwrap_or(b1.len())).unwrap_or(&[]);
        let e2 = b2.get(p2..n2.unwrap_or(b2.len())).unwrap_or(&[]);
        let d1 = e1.first().is_some_and(u8::is_ascii_digit);
        let d2 = e2.first().is_some_and(u8::is_ascii_digit);
        compare = match (d1, d2) {
            (true, true) => strtol(e1).cmp(&strtol(e2)),
            (false, false) => special_form(e1).cmp(&special_form(e2)),
            (true, false) => special_form(b"#N#").cmp(&special_form(e2)),
            (false, true) => special_form(e1).cmp(&special_form(b"#N#")),
        };
        if compare != Ordering::Equal {
            break;
        }
        if let Some(n) = n1 {
            p1 = n + 1;
        }
        if let Some(n) = n2 {
            p2 = n + 1;
        }
    }
    if compare == Ordering::Equal {
        if n1.is_some() {
            if at(&b1, p1).is_ascii_digit() {
                compare = Ordering::Greater;
            } else {
                compare = php_version_compare(b1.get(p1..).unwrap_or(&[]), b"#N#");
            }
        } else if n2.is_some() {
            if at(&b2, p2).is_ascii_digit() {
                compare = Ordering::Less;
            } else {
                compare = php_version_compare(b"#N#", b2.get(p2..).unwrap_or(&[]));
            }
        }
    }
    compare
}
