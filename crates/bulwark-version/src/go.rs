//! Go module versions, compared as `golang.org/x/mod/semver` does.
//!
//! Hand-written after x/mod's `semver.parse` and `Compare`: Go's semver differs from SemVer 2
//! (the `v` prefix is required, `v1` and `v1.2` are shorthands for `v1.0.0` and `v1.2.0`), and
//! no crate reproduces it. Pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`) are ordinary
//! pre-releases and `+incompatible` is build metadata, so both order correctly without special
//! cases; [`GoVersion::is_pseudo`] recognises the former as `module.IsPseudoVersion` does.

use std::cmp::Ordering;

use crate::error::check_len;
use crate::macros::version_impls;
use crate::num::Digits;
use crate::semver::{build, compare_pre, numeric, prerelease, Ident};
use crate::{Scheme, VersionError};

/// A Go module version.
///
/// ```
/// use bulwark_version::GoVersion;
/// let v = |s| GoVersion::parse(s).unwrap();
/// assert!(v("v0.0.0-20191109021931-daa7c04131f5") < v("v0.0.1"));
/// assert_eq!(v("v2.0.0+incompatible"), v("v2.0.0"));
/// assert_eq!(v("v1.2"), v("v1.2.0"));
/// assert!(v("v1.2.4-0.20191109021931-daa7c04131f5").is_pseudo());
/// assert!(GoVersion::parse("1.2.3").is_err()); // the `v` is required
/// ```
#[derive(Debug, Clone)]
pub struct GoVersion {
    original: String,
    major: Digits,
    minor: Digits,
    patch: Digits,
    pre: Vec<Ident>,
    pre_text: String,
    build: String,
}

impl GoVersion {
    /// Parses `vMAJOR[.MINOR[.PATCH[-PRE][+BUILD]]]` (shorthands take no suffix).
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Go, input)?;
        let err = |reason| VersionError::invalid(Scheme::Go, input, reason);
        let s = input
            .strip_prefix('v')
            .ok_or_else(|| err("missing 'v' prefix"))?;
        let (s, build_text) = match s.split_once('+') {
            Some((s, b)) => {
                build(b).ok_or_else(|| err("invalid build metadata"))?;
                (s, b)
            }
            None => (s, ""),
        };
        let (core, pre_text) = match s.split_once('-') {
            Some((c, p)) => (c, p),
            None => (s, ""),
        };
        let pre = if pre_text.is_empty() && core.len() == s.len() {
            Vec::new()
        } else {
            prerelease(pre_text).ok_or_else(|| err("invalid pre-release"))?
        };
        let parts: Vec<&str> = core.split('.').collect();
        let num = |p: Option<&&str>| {
            p.and_then(|p| numeric(p))
                .ok_or_else(|| err("invalid numeric component"))
        };
        let zero = Digits::default();
        let (major, minor, patch) = match parts.len() {
            1 | 2 if !pre.is_empty() || !build_text.is_empty() || s.len() != core.len() => {
                return Err(err("shorthand version with a suffix"));
            }
            1 => (num(parts.first())?, zero.clone(), zero),
            2 => (num(parts.first())?, num(parts.get(1))?, zero),
            3 => (num(parts.first())?, num(parts.get(1))?, num(parts.get(2))?),
            _ => return Err(err("more than three numeric components")),
        };
        if input.contains('+') && build_text.is_empty() {
            return Err(err("empty build metadata"));
        }
        Ok(GoVersion {
            original: input.to_owned(),
            major,
            minor,
            patch,
            pre,
            pre_text: pre_text.to_owned(),
            build: build_text.to_owned(),
        })
    }

    /// Whether the version ends in `+incompatible` (a v2+ module without a go.mod).
    pub fn is_incompatible(&self) -> bool {
        self.build == "incompatible"
    }

    /// Whether this is a pseudo-version: a pre-release ending in
    /// `yyyymmddhhmmss-abcdefabcdef` (module.IsPseudoVersion).
    pub fn is_pseudo(&self) -> bool {
        let pre = self.pre_text.as_str();
        let (head, rev) = match pre.rsplit_once('-') {
            Some(x) => x,
            None => return false,
        };
        let time = head.rsplit(['.', '-']).next().unwrap_or(head);
        // The time stamp is preceded by `-` (vX.0.0-...), `pre.0.` or `0.` (vX.Y.(Z+1)-0.).
        let prefix_ok = time.len() == head.len()
            || head.ends_with(&format!(".0.{time}"))
            || head == format!("0.{time}");
        time.len() == 14
            && time.bytes().all(|c| c.is_ascii_digit())
            && rev.len() >= 12
            && rev
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
            && prefix_ok
            && (time.len() != head.len() || (self.minor.is_zero() && self.patch.is_zero()))
    }

    fn compare(&self, other: &Self) -> Ordering {
        self.major
            .cmp(&other.major)
            .then_with(|| self.minor.cmp(&other.minor))
            .then_with(|| self.patch.cmp(&other.patch))
            .then_with(|| compare_pre(&self.pre, &other.pre))
    }
}

version_impls!(GoVersion, compare);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_versions() {
        for p in [
            "v0.0.0-20191109021931-daa7c04131f5",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.3-pre.0.20191109021931-daa7c04131f5",
            "v2.0.0-20191109021931-daa7c04131f5+incompatible",
        ] {
            assert!(GoVersion::parse(p).unwrap().is_pseudo(), "{p}");
        }
        for p in ["v1.2.3", "v1.2.3-pre", "v0.0.0-2019110902193-daa7c04131f5"] {
            assert!(!GoVersion::parse(p).unwrap().is_pseudo(), "{p}");
        }
    }

    #[test]
    fn rejects() {
        for bad in [
            "", "v", "1.2.3", "v1.2-pre", "v1+meta", "v01.2.3", "v1.2.3-", "v1.2.3+", "v1.2.3.4",
        ] {
            assert!(GoVersion::parse(bad).is_err(), "{bad:?}");
        }
    }
}
