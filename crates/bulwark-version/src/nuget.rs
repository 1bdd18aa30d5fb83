//! NuGet package versions, compared as NuGet.Versioning's `VersionComparer.Default` does.
//!
//! Hand-written after NuGet.Versioning (`NuGetVersion.TryParse`, `VersionComparer`): SemVer 2
//! with up to four numeric parts (`1.0` = `1.0.0` = `1.0.0.0`), leading zeros allowed in them,
//! case-insensitive pre-release labels compared numerically when both parse as 32-bit integers,
//! and metadata ignored. No crate implements these rules; there is no .NET on the test machine,
//! so the tests use NuGet's own test vectors instead of a differential run.
//!
//! Stricter than NuGet on one point: numeric parts must be plain ASCII digits (.NET's
//! `Version.TryParse` would also take a sign or surrounding spaces inside a part).

use std::cmp::Ordering;

use crate::error::check_len;
use crate::macros::version_impls;
use crate::{Scheme, VersionError};

/// A NuGet version.
///
/// ```
/// use bulwark_version::NugetVersion;
/// let v = |s| NugetVersion::parse(s).unwrap();
/// assert_eq!(v("1.0"), v("1.0.0.0"));
/// assert_eq!(v("1.0.0-BETA"), v("1.0.0-beta"));
/// assert!(v("1.0.0-beta.2") < v("1.0.0-beta.10"));
/// assert!(v("1.0.0.1-rc") > v("1.0.0"));
/// assert_eq!(v("1.0.0+abc"), v("1.0.0"));
/// ```
#[derive(Debug, Clone)]
pub struct NugetVersion {
    original: String,
    parts: [u32; 4],
    labels: Vec<String>,
}

fn valid_part(s: &str, allow_leading_zeros: bool) -> bool {
    !s.is_empty()
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        && (allow_leading_zeros
            || !(s.len() > 1 && s.starts_with('0') && s.bytes().all(|c| c.is_ascii_digit())))
}

/// .NET `int.TryParse` for the characters a label may hold: optional `-`, digits, in range.
fn label_number(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: i64 = if digits.trim_start_matches('0').len() > 10 {
        return None;
    } else {
        digits.parse().ok()?
    };
    let v = if s.starts_with('-') { -v } else { v };
    (i64::from(i32::MIN)..=i64::from(i32::MAX))
        .contains(&v)
        .then_some(v)
}

fn compare_labels(a: &str, b: &str) -> Ordering {
    match (label_number(a), label_number(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a
            .bytes()
            .map(|c| c.to_ascii_uppercase())
            .cmp(b.bytes().map(|c| c.to_ascii_uppercase())),
    }
}

impl NugetVersion {
    /// Parses a version that `NuGetVersion.TryParse` accepts (surrounding white space trimmed).
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_len(Scheme::NuGet, input)?;
        let err = |reason| VersionError::invalid(Scheme::NuGet, input, reason);
        let s = input.trim();
        let (s, metadata) = match s.split_once('+') {
            Some((s, m)) => (s, Some(m)),
            None => (s, None),
        };
        let (core, labels) = match s.split_once('-') {
            Some((c, l)) => (c, Some(l)),
            None => (s, None),
        };
        let mut parts = [0u32; 4];
        let fields: Vec<&str> = core.split('.').collect();
        if fields.is_empty() || fields.len() > 4 {
            return Err(err("expected 1 to 4 numeric parts"));
        }
        for (slot, f) in parts.iter_mut().zip(&fields) {
            if f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err("invalid numeric part"));
            }
            let t = f.trim_start_matches('0');
            *slot = if t.is_empty() {
                0
            } else if t.len() > 10 {
                return Err(err("numeric part too large"));
            } else {
                t.parse::<u32>()
                    .ok()
                    .filter(|v| *v <= i32::MAX as u32)
                    .ok_or_else(|| err("numeric part too large"))?
            };
        }
        let labels: Vec<String> = match labels {
            Some(l) => {
                let l: Vec<&str> = l.split('.').collect();
                if !l.iter().all(|p| valid_part(p, false)) {
                    return Err(err("invalid pre-release label"));
                }
                l.into_iter().map(str::to_owned).collect()
            }
            None => Vec::new(),
        };
        if let Some(m) = metadata {
            if !m.split('.').all(|p| valid_part(p, true)) {
                return Err(err("invalid metadata"));
            }
        }
        Ok(NugetVersion {
            original: input.to_owned(),
            parts,
            labels,
        })
    }

    /// Whether the version has a pre-release label.
    pub fn is_prerelease(&self) -> bool {
        !self.labels.is_empty()
    }

    /// The normalised form NuGet prints (`1.0.0`, `1.0.0.1`, `1.0.0-beta`), without metadata.
    pub fn normalized(&self) -> String {
        let [a, b, c, d] = self.parts;
        let mut s = format!("{a}.{b}.{c}");
        if d > 0 {
            s.push_str(&format!(".{d}"));
        }
        if !self.labels.is_empty() {
            s.push('-');
            s.push_str(&self.labels.join("."));
        }
        s
    }

    fn compare(&self, other: &Self) -> Ordering {
        self.parts.cmp(&other.parts).then_with(|| {
            match (self.labels.is_empty(), other.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for i in 0..self.labels.len().max(other.labels.len()) {
                        let r = match (self.labels.get(i), other.labels.get(i)) {
                            (Some(a), Some(b)) => compare_labels(a, b),
                            (None, Some(_)) => Ordering::Less,
                            (Some(_), None) => Ordering::Greater,
                            (None, None) => Ordering::Equal,
                        };
                        if r != Ordering::Equal {
                            return r;
                        }
                    }
                    Ordering::Equal
                }
            }
        })
    }
}

version_impls!(NugetVersion, compare);
