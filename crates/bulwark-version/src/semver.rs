//! SemVer 2.0.0 versions (npm, crates.io, OSV `SEMVER` ranges), compared by SemVer precedence.
//!
//! Hand-written rather than the `semver` crate: that crate's `Ord` also orders build metadata
//! (SemVer precedence ignores it, as npm and OSV do) and it rejects the `v` prefix that npm and
//! Go-derived OSV data carry. The tests check this parser against the `semver` crate's
//! `cmp_precedence` on thousands of pairs.

use std::cmp::Ordering;

use crate::error::check_len;
use crate::macros::version_impls;
use crate::num::Digits;
use crate::{Scheme, VersionError};

/// One dot-separated pre-release identifier: numeric identifiers sort before alphanumeric ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ident {
    Num(Digits),
    Alnum(String),
}

/// A SemVer 2.0.0 version.
///
/// ```
/// use bulwark_version::SemverVersion;
/// let v = |s| SemverVersion::parse(s).unwrap();
/// assert!(v("1.0.0-alpha") < v("1.0.0-alpha.1"));
/// assert!(v("1.0.0-alpha.1") < v("1.0.0-alpha.beta"));
/// assert!(v("1.0.0-rc.1") < v("1.0.0"));
/// assert_eq!(v("v1.2.3+build.5"), v("1.2.3")); // build metadata is ignored
/// assert!(SemverVersion::parse("1.2").is_err());
/// ```
#[derive(Debug, Clone)]
pub struct SemverVersion {
    original: String,
    major: Digits,
    minor: Digits,
    patch: Digits,
    pre: Vec<Ident>,
    build: Vec<String>,
}

/// Parses a numeric identifier: ASCII digits without leading zero (except `0` itself).
pub(crate) fn numeric(s: &str) -> Option<Digits> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    Some(Digits::new(s))
}

/// Parses dot-separated pre-release identifiers (`[0-9A-Za-z-]+`, numeric without leading zero).
pub(crate) fn prerelease(s: &str) -> Option<Vec<Ident>> {
    s.split('.')
        .map(|id| {
            if id.is_empty() || !id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') {
                None
            } else if id.bytes().all(|c| c.is_ascii_digit()) {
                numeric(id).map(Ident::Num)
            } else {
                Some(Ident::Alnum(id.to_owned()))
            }
        })
        .collect()
}

/// Validates dot-separated build identifiers (`[0-9A-Za-z-]+`, leading zeros allowed).
pub(crate) fn build(s: &str) -> Option<Vec<String>> {
    s.split('.')
        .map(|id| {
            (!id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
                .then(|| id.to_owned())
        })
        .collect()
}

/// Compares pre-release identifier lists: none (a release) is greater than any.
pub(crate) fn compare_pre(a: &[Ident], b: &[Ident]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.cmp(b),
    }
}

impl SemverVersion {
    /// Parses `[v]MAJOR.MINOR.PATCH[-PRE][+BUILD]`. A single leading `v` (npm, Go-derived data)
    /// is accepted; nothing else is loose.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Semver, input)?;
        let err = |reason| VersionError::invalid(Scheme::Semver, input, reason);
        let s = input.strip_prefix('v').unwrap_or(input);
        let (s, build) = match s.split_once('+') {
            Some((s, b)) => (
                s,
                self::build(b).ok_or_else(|| err("invalid build metadata"))?,
            ),
            None => (s, Vec::new()),
        };
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) => (c, prerelease(p).ok_or_else(|| err("invalid pre-release"))?),
            None => (s, Vec::new()),
        };
        let mut parts = core.split('.');
        // Like Cargo's `semver` crate, MAJOR.MINOR.PATCH must fit in 64 bits (npm is stricter
        // still, 2^53 - 1; no real package comes near either).
        let mut next = || {
            parts
                .next()
                .filter(|p| p.parse::<u64>().is_ok())
                .and_then(numeric)
                .ok_or_else(|| err("expected MAJOR.MINOR.PATCH, each a 64-bit number"))
        };
        let (major, minor, patch) = (next()?, next()?, next()?);
        if parts.next().is_some() {
            return Err(err("more than three numeric components"));
        }
        Ok(SemverVersion {
            original: input.to_owned(),
            major,
            minor,
            patch,
            pre,
            build,
        })
    }

    /// Whether the version has a pre-release part.
    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    /// Build metadata identifiers (ignored by comparisons).
    pub fn build(&self) -> &[String] {
        &self.build
    }

    fn compare(&self, other: &Self) -> Ordering {
        self.major
            .cmp(&other.major)
            .then_with(|| self.minor.cmp(&other.minor))
            .then_with(|| self.patch.cmp(&other.patch))
            .then_with(|| compare_pre(&self.pre, &other.pre))
    }
}

version_impls!(SemverVersion, compare);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_order() {
        // The precedence example from semver.org, section 11.
        let order = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for w in order.windows(2) {
            let (a, b) = (w.first().unwrap(), w.get(1).unwrap());
            assert!(
                SemverVersion::parse(a).unwrap() < SemverVersion::parse(b).unwrap(),
                "{a} < {b}"
            );
        }
    }

    #[test]
    fn rejects() {
        for bad in [
            "1",
            "1.2",
            "01.2.3",
            "1.2.3-",
            "1.2.3-01",
            "1.2.3+",
            "1.2.3-a..b",
            "vv1.2.3",
            " 1.2.3",
        ] {
            assert!(SemverVersion::parse(bad).is_err(), "{bad:?}");
        }
    }
}
