//! RubyGems versions, compared as `Gem::Version#<=>` does (RubyGems 3.3).
//!
//! Hand-written after rubygems/version.rb: no crate implements Gem::Version's canonical
//! segments (trailing zeros dropped separately before and after the first letter segment) and
//! its `-` to `.pre.` rewrite.

use std::cmp::Ordering;

use crate::error::check_len;
use crate::macros::version_impls;
use crate::num::Digits;
use crate::{Scheme, VersionError};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Num(Digits),
    Str(String),
}

/// A RubyGems version.
///
/// ```
/// use bulwark_version::GemVersion;
/// let v = |s| GemVersion::parse(s).unwrap();
/// assert!(v("1.0.a") < v("1.0"));
/// assert!(v("1.0.0.rc1") < v("1.0.0"));
/// assert_eq!(v("1.0-1"), v("1.0.pre.1")); // `-` means `.pre.`
/// assert_eq!(v("1.0.0"), v("1"));
/// assert_eq!(v(""), v("0"));
/// ```
#[derive(Debug, Clone)]
pub struct GemVersion {
    original: String,
    canonical: Vec<Segment>,
}

/// Ruby's `\s`: space, `\t`, `\n`, `\v`, `\f`, `\r`.
fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// `[0-9]+(?>\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`
fn is_valid(s: &str) -> bool {
    let (main, pre) = match s.split_once('-') {
        Some((m, p)) => (m, Some(p)),
        None => (s, None),
    };
    let mut parts = main.split('.');
    let first_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()));
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|p| {
        p.split('.')
            .all(|x| !x.is_empty() && x.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
    });
    first_ok && rest_ok && pre_ok
}

impl GemVersion {
    /// Parses a version that `Gem::Version.correct?` accepts (blank means `0`).
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_len(Scheme::RubyGems, input)?;
        let trimmed = input.trim_matches(is_ruby_space);
        if !trimmed.is_empty() && !is_valid(trimmed) {
            return Err(VersionError::invalid(
                Scheme::RubyGems,
                input,
                "malformed version number string",
            ));
        }
        let text = if trimmed.is_empty() {
            "0".to_owned()
        } else {
            trimmed.replace('-', ".pre.")
        };
        Ok(GemVersion {
            original: input.to_owned(),
            canonical: canonical_segments(&text),
        })
    }

    /// Whether the version contains a letter (RubyGems' `prerelease?`).
    pub fn is_prerelease(&self) -> bool {
        self.canonical.iter().any(|s| matches!(s, Segment::Str(_)))
    }

    fn compare(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.canonical, &other.canonical);
        let zero = Segment::Num(Digits::default());
        for i in 0..a.len().max(b.len()) {
            let l = a.get(i).unwrap_or(&zero);
            let r = b.get(i).unwrap_or(&zero);
            let ord = match (l, r) {
                (Segment::Num(x), Segment::Num(y)) => x.cmp(y),
                (Segment::Str(x), Segment::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
                (Segment::Str(_), Segment::Num(_)) => Ordering::Less,
                (Segment::Num(_), Segment::Str(_)) => Ordering::Greater,
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}

/// `scan(/[0-9]+|[a-z]+/i)`, then drop trailing zeros from the numeric part and from the part
/// starting at the first letter segment, and concatenate.
fn canonical_segments(text: &str) -> Vec<Segment> {
    let mut segs = Vec::new();
    let b = text.as_bytes();
    let mut i = 0usize;
    while i < b.len() {
        let start = i;
        let class = |c: &u8| {
            if b.get(start).is_some_and(u8::is_ascii_digit) {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        if !b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
            i += 1;
            continue;
        }
        while b.get(i).is_some_and(class) {
            i += 1;
        }
        let s = text.get(start..i).unwrap_or("");
        segs.push(if s.bytes().all(|c| c.is_ascii_digit()) {
            Segment::Num(Digits::new(s))
        } else {
            Segment::Str(s.to_owned())
        });
    }
    let split = segs
        .iter()
        .position(|s| matches!(s, Segment::Str(_)))
        .unwrap_or(segs.len());
    let strings = segs.split_off(split);
    let mut out = strip_trailing_zeros(segs);
    out.extend(strip_trailing_zeros(strings));
    out
}

fn strip_trailing_zeros(mut v: Vec<Segment>) -> Vec<Segment> {
    while matches!(v.last(), Some(Segment::Num(d)) if d.is_zero()) {
        v.pop();
    }
    v
}

version_impls!(GemVersion, compare);
