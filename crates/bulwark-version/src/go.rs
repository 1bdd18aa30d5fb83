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
            build: build_text.to_owned(),
        })
    }

    /// Whether the version ends in `+incompatible` (a v2+ module without a go.mod).
    pub fn is_incompatible(&self) -> bool {
        self.build == "incompatible"
    }

    /// Whether this is a pseudo-version, exactly as `module.IsPseudoVersion` decides: at least
    /// two `-`, and `vN.0.0-yyyymmddhhmmss-rev` or `vN.N.N-[pre.]0.yyyymmddhhmmss-rev` (with
    /// optional build metadata), where `rev` is alphanumeric.
    pub fn is_pseudo(&self) -> bool {
        let s = self.original.as_str();
        if s.matches('-').count() < 2 {
            return false;
        }
        let r = s.split('+').next().unwrap_or(s);
        let Some((head_time, rev)) = r.rsplit_once('-') else {
            return false;
        };
        if rev.is_empty() || !rev.bytes().all(|c| c.is_ascii_alphanumeric()) {
            return false;
        }
        let Some(split) = head_time.len().checked_sub(14) else {
            return false;
        };
        let (Some(head), Some(time)) = (head_time.get(..split), head_time.get(split..)) else {
            return false;
        };
        if !time.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
        let digits = |t: &str| t.bytes().take_while(u8::is_ascii_digit).count();
        let Some(rest) = head.strip_prefix('v') else {
            return false;
        };
        let n = digits(rest);
        let Some(rest) = rest
            .get(n..)
            .filter(|_| n > 0)
            .and_then(|r| r.strip_prefix('.'))
        else {
            return false;
        };
        if rest == "0.0-" {
            return true;
        }
        // `\d+\.\d+-([^+]*\.)?0\.`
        let Some(body) = rest.strip_suffix("0.") else {
            return false;
        };
        let n = digits(body);
        let Some(body) = body
            .get(n..)
            .filter(|_| n > 0)
            .and_then(|b| b.strip_prefix('.'))
        else {
            return false;
        };
        let n = digits(body);
        let Some(extra) = body
            .get(n..)
            .filter(|_| n > 0)
            .and_then(|b| b.strip_prefix('-'))
        else {
            return false;
        };
        extra.is_empty() || extra.ends_with('.')
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
        for p in [
            "v1.2.3",
            "v1.2.3-pre",
            "v0.0.0-2019110902193-daa7c04131f5",
            "v1.2.3-20191109021931-daa7c04131f5",
        ] {
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
