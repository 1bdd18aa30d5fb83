//! Python package versions (PEP 440), compared as `packaging.version.Version` does.
//!
//! Hand-written after packaging's `VERSION_PATTERN` and `_cmpkey`: the `pep440_rs` crate is a
//! large dependency with its own normalisation choices; this parser follows packaging's regular
//! expression, including the order in which it tries alternatives, so every string packaging
//! accepts parses to the same components. Non-ASCII case folding (`K` for Kelvin sign) is not
//! reproduced.

use std::cmp::Ordering;

use crate::error::check_len;
use crate::macros::version_impls;
use crate::num::Digits;
use crate::{Scheme, VersionError};

/// Normalised pre-release label (`a`, `b`, `rc`, in that order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PreLabel {
    /// `a`, `alpha`.
    Alpha,
    /// `b`, `beta`.
    Beta,
    /// `rc`, `c`, `pre`, `preview`.
    Rc,
}

/// A segment of a local version label: numbers sort after strings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LocalPart {
    Str(String),
    Num(Digits),
}

/// Pre-release part of the sort key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum PreKey {
    /// Dev release without pre or post (`1.0.dev1 < 1.0a1`).
    NegInf,
    Some(PreLabel, Digits),
    /// No pre-release.
    Inf,
}

/// A PEP 440 version.
///
/// ```
/// use bulwark_version::Pep440Version;
/// let v = |s| Pep440Version::parse(s).unwrap();
/// assert!(v("1.0.dev1") < v("1.0a1"));
/// assert!(v("1.0a1") < v("1.0"));
/// assert!(v("1.0") < v("1.0.post1"));
/// assert!(v("1.0") < v("1.0+local"));
/// assert_eq!(v("1.0.0"), v("v1.0"));
/// assert_eq!(v("1!2.0RC1"), v("1!2.0c1"));
/// ```
#[derive(Debug, Clone)]
pub struct Pep440Version {
    original: String,
    epoch: Digits,
    release: Vec<Digits>,
    pre: Option<(PreLabel, Digits)>,
    post: Option<Digits>,
    dev: Option<Digits>,
    local: Option<Vec<LocalPart>>,
}

/// Components matched so far (`pos` is where matching continues).
#[derive(Clone, Default)]
struct Tail {
    pre: Option<(PreLabel, Digits)>,
    post: Option<Digits>,
    dev: Option<Digits>,
}

fn is_sep(c: u8) -> bool {
    matches!(c, b'-' | b'_' | b'.')
}

/// Python's `\s` for the ASCII range (plus the Unicode white space Rust knows).
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

fn starts_with_ci(s: &[u8], pos: usize, word: &str) -> bool {
    s.get(pos..pos + word.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()))
}

fn digit_run(s: &[u8], pos: usize) -> usize {
    s.get(pos..)
        .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
}

fn digits_at(s: &[u8], pos: usize, len: usize) -> Digits {
    Digits::new(std::str::from_utf8(s.get(pos..pos + len).unwrap_or(&[])).unwrap_or(""))
}

/// Candidate positions after an optional separator, in the regex's order (greedy first).
fn opt_sep(s: &[u8], pos: usize) -> Vec<usize> {
    if s.get(pos).copied().is_some_and(is_sep) {
        vec![pos + 1, pos]
    } else {
        vec![pos]
    }
}

/// Candidates for `[-_.]?[0-9]+` made optional as a whole, after a label: `(value, end)`.
fn opt_number(s: &[u8], pos: usize) -> Vec<(Option<Digits>, usize)> {
    let mut out = Vec::new();
    for p in opt_sep(s, pos) {
        let n = digit_run(s, p);
        if n > 0 {
            out.push((Some(digits_at(s, p, n)), p + n));
        }
        out.push((None, p));
    }
    out
}

impl Pep440Version {
    /// Parses a version that packaging's `Version()` accepts.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Pep440, input)?;
        let err = || VersionError::invalid(Scheme::Pep440, input, "not a PEP 440 version");
        let trimmed = input.trim_matches(is_py_space);
        let s = trimmed.as_bytes();
        let mut pos = 0usize;
        if matches!(s.first(), Some(b'v' | b'V')) {
            pos = 1;
        }
        // Epoch: digits followed by '!'.
        let n = digit_run(s, pos);
        let mut epoch = Digits::default();
        if n > 0 && s.get(pos + n) == Some(&b'!') {
            epoch = digits_at(s, pos, n);
            pos += n + 1;
        }
        // Release: N(.N)*
        let mut release = Vec::new();
        let n = digit_run(s, pos);
        if n == 0 {
            return Err(err());
        }
        release.push(digits_at(s, pos, n));
        pos += n;
        while s.get(pos) == Some(&b'.') {
            let n = digit_run(s, pos + 1);
            if n == 0 {
                break;
            }
            release.push(digits_at(s, pos + 1, n));
            pos += n + 1;
        }
        let (tail, end) = Self::match_pre(s, pos).ok_or_else(err)?;
        let local = match s.get(end) {
            None => None,
            Some(b'+') => Some(parse_local(s.get(end + 1..).unwrap_or(&[])).ok_or_else(err)?),
            Some(_) => return Err(err()),
        };
        Ok(Pep440Version {
            original: input.to_owned(),
            epoch,
            release,
            pre: tail.pre,
            post: tail.post,
            dev: tail.dev,
            local,
        })
    }

    /// Tries the pre-release alternatives in the regex's order, then post, dev and the end.
    fn match_pre(s: &[u8], pos: usize) -> Option<(Tail, usize)> {
        const PRE: [(&str, PreLabel); 8] = [
            ("alpha", PreLabel::Alpha),
            ("a", PreLabel::Alpha),
            ("beta", PreLabel::Beta),
            ("b", PreLabel::Beta),
            ("preview", PreLabel::Rc),
            ("pre", PreLabel::Rc),
            ("c", PreLabel::Rc),
            ("rc", PreLabel::Rc),
        ];
        for p in opt_sep(s, pos) {
            for (word, label) in PRE {
                if !starts_with_ci(s, p, word) {
                    continue;
                }
                for (num, q) in opt_number(s, p + word.len()) {
                    let tail = Tail {
                        pre: Some((label, num.unwrap_or_default())),
                        ..Tail::default()
                    };
                    if let Some(found) = Self::match_post(s, q, tail) {
                        return Some(found);
                    }
                }
            }
        }
        Self::match_post(s, pos, Tail::default())
    }

    fn match_post(s: &[u8], pos: usize, tail: Tail) -> Option<(Tail, usize)> {
        // `-N`
        if s.get(pos) == Some(&b'-') {
            let n = digit_run(s, pos + 1);
            if n > 0 {
                let t = Tail {
                    post: Some(digits_at(s, pos + 1, n)),
                    ..tail.clone()
                };
                if let Some(found) = Self::match_dev(s, pos + 1 + n, t) {
                    return Some(found);
                }
            }
        }
        // `[-_.]?(post|rev|r)[-_.]?N?`
        for p in opt_sep(s, pos) {
            for word in ["post", "rev", "r"] {
                if !starts_with_ci(s, p, word) {
                    continue;
                }
                for (num, q) in opt_number(s, p + word.len()) {
                    let t = Tail {
                        post: Some(num.unwrap_or_default()),
                        ..tail.clone()
                    };
                    if let Some(found) = Self::match_dev(s, q, t) {
                        return Some(found);
                    }
                }
            }
        }
        Self::match_dev(s, pos, tail)
    }

    fn match_dev(s: &[u8], pos: usize, tail: Tail) -> Option<(Tail, usize)> {
        for p in opt_sep(s, pos) {
            if !starts_with_ci(s, p, "dev") {
                continue;
            }
            for (num, q) in opt_number(s, p + 3) {
                if Self::at_end(s, q) {
                    let t = Tail {
                        dev: Some(num.unwrap_or_default()),
                        ..tail.clone()
                    };
                    return Some((t, q));
                }
            }
        }
        Self::at_end(s, pos).then_some((tail, pos))
    }

    /// Whether what is left is empty or a syntactically valid `+local` label.
    fn at_end(s: &[u8], pos: usize) -> bool {
        match s.get(pos) {
            None => true,
            Some(b'+') => parse_local(s.get(pos + 1..).unwrap_or(&[])).is_some(),
            Some(_) => false,
        }
    }

    /// The epoch, release, pre, post, dev and local parts as packaging's `_cmpkey` orders them.
    fn compare(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| strip_zeros(&self.release).cmp(strip_zeros(&other.release)))
            .then_with(|| self.pre_key().cmp(&other.pre_key()))
            .then_with(|| self.post.cmp(&other.post))
            .then_with(|| match (&self.dev, &other.dev) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
            .then_with(|| self.local.cmp(&other.local))
    }

    fn pre_key(&self) -> PreKey {
        match (&self.pre, &self.post, &self.dev) {
            (None, None, Some(_)) => PreKey::NegInf,
            (None, _, _) => PreKey::Inf,
            (Some((l, n)), _, _) => PreKey::Some(*l, n.clone()),
        }
    }

    /// Whether this is a pre-release (`a`, `b`, `rc` or `dev`), as packaging's `is_prerelease`.
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    /// The normalised form (`1!2.0rc1.post0.dev3+abc.5`), as `str(Version(...))` prints it.
    pub fn normalized(&self) -> String {
        let mut out = String::new();
        let show = |d: &Digits| -> String { digits_string(d) };
        if !self.epoch.is_zero() {
            out.push_str(&show(&self.epoch));
            out.push('!');
        }
        let rel: Vec<String> = self.release.iter().map(show).collect();
        out.push_str(&rel.join("."));
        if let Some((l, n)) = &self.pre {
            out.push_str(match l {
                PreLabel::Alpha => "a",
                PreLabel::Beta => "b",
                PreLabel::Rc => "rc",
            });
            out.push_str(&show(n));
        }
        if let Some(n) = &self.post {
            out.push_str(".post");
            out.push_str(&show(n));
        }
        if let Some(n) = &self.dev {
            out.push_str(".dev");
            out.push_str(&show(n));
        }
        if let Some(local) = &self.local {
            let parts: Vec<String> = local
                .iter()
                .map(|p| match p {
                    LocalPart::Str(s) => s.clone(),
                    LocalPart::Num(d) => show(d),
                })
                .collect();
            out.push('+');
            out.push_str(&parts.join("."));
        }
        out
    }
}

fn digits_string(d: &Digits) -> String {
    let s = d.as_str();
    if s.is_empty() {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

fn strip_zeros(release: &[Digits]) -> &[Digits] {
    let keep = release.len() - release.iter().rev().take_while(|d| d.is_zero()).count();
    release.get(..keep).unwrap_or(release)
}

/// `[a-z0-9]+([-_.][a-z0-9]+)*`, case-insensitive; digit-only parts become numbers.
fn parse_local(s: &[u8]) -> Option<Vec<LocalPart>> {
    let text = std::str::from_utf8(s).ok()?;
    let mut parts = Vec::new();
    for part in text.split(['-', '_', '.']) {
        if part.is_empty() || !part.bytes().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        parts.push(if part.bytes().all(|c| c.is_ascii_digit()) {
            LocalPart::Num(Digits::new(part))
        } else {
            LocalPart::Str(part.to_ascii_lowercase())
        });
    }
    Some(parts)
}

version_impls!(Pep440Version, compare);

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Pep440Version::parse(s).unwrap().normalized()
    }

    #[test]
    fn normalisation() {
        assert_eq!(norm("1.0a.1"), "1.0a1");
        assert_eq!(norm("1.0-1"), "1.0.post1");
        assert_eq!(norm("1.0a-1"), "1.0a1");
        assert_eq!(norm("1.0.a.-dev"), "1.0a0.dev0");
        assert_eq!(
            norm(" V1.0RC1.POST2.DEV3+Ubuntu-1 "),
            "1.0rc1.post2.dev3+ubuntu.1"
        );
        assert_eq!(norm("1.0r"), "1.0.post0");
        assert_eq!(norm("1.0preview2"), "1.0rc2");
        assert_eq!(norm("007!01.002"), "7!1.2");
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "v",
            "1.",
            "1.0+",
            "1.0+a..b",
            "1.0--1",
            "1.0.post.-",
            "a1",
            "1.0 1",
        ] {
            assert!(Pep440Version::parse(bad).is_err(), "{bad:?}");
        }
    }
}
