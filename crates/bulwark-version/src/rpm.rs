//! RPM versions (`[epoch:]version[-release]`), compared as rpm's `rpmvercmp()` and
//! `rpmverCmp()` do (rpm 4.18, including `~` and `^`).
//!
//! Hand-written after rpmio/rpmvercmp.c and lib/rpmver.c: no maintained crate implements the
//! caret operator and rpm's EVR splitting exactly, and every scheme here has the same API.

use std::cmp::Ordering;

use crate::error::check_len;
use crate::macros::version_impls;
use crate::{Scheme, VersionError};

/// An RPM EVR (`epoch:version-release`).
///
/// ```
/// use bulwark_version::RpmVersion;
/// let v = |s| RpmVersion::parse(s).unwrap();
/// assert!(v("1.0~rc1-1") < v("1.0-1"));  // `~`: pre-release
/// assert!(v("1.0^git1-1") > v("1.0-1")); // `^`: post-release snapshot
/// assert!(v("1:1.0-1") > v("2.0-1"));    // epoch first
/// assert_eq!(v("0:1.0-1"), v("1.0-1"));  // missing epoch is 0
/// ```
#[derive(Debug, Clone)]
pub struct RpmVersion {
    original: String,
    epoch: Option<String>,
    version: String,
    release: Option<String>,
}

impl RpmVersion {
    /// Splits an EVR string as rpm's `rpmverParse` does: leading digits followed by `:` are the
    /// epoch (an empty epoch is `0`), the text after the last `-` is the release.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Rpm, input)?;
        if input.is_empty() {
            return Err(VersionError::invalid(Scheme::Rpm, input, "empty version"));
        }
        let digits = input.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = match input.get(digits..).and_then(|r| r.strip_prefix(':')) {
            Some(rest) => {
                let e = input.get(..digits).unwrap_or("");
                (Some(if e.is_empty() { "0" } else { e }.to_owned()), rest)
            }
            None => (None, input),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, Some(r.to_owned())),
            None => (rest, None),
        };
        Ok(RpmVersion {
            original: input.to_owned(),
            epoch,
            version: version.to_owned(),
            release,
        })
    }

    /// Builds from separate fields, as rpm headers store them.
    pub fn from_parts(epoch: Option<u32>, version: &str, release: Option<&str>) -> Self {
        let mut original = String::new();
        if let Some(e) = epoch {
            original.push_str(&format!("{e}:"));
        }
        original.push_str(version);
        if let Some(r) = release {
            original.push('-');
            original.push_str(r);
        }
        RpmVersion {
            original,
            epoch: epoch.map(|e| e.to_string()),
            version: version.to_owned(),
            release: release.map(str::to_owned),
        }
    }

    /// The epoch text, when one was given.
    pub fn epoch(&self) -> Option<&str> {
        self.epoch.as_deref()
    }

    /// The version field.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The release field, when one was given.
    pub fn release(&self) -> Option<&str> {
        self.release.as_deref()
    }

    /// `rpmverCmp` (rpm 4.18): epochs (missing = `"0"`) with `rpmvercmp`, then versions, then
    /// releases; when only one side has a release (even an empty one), that side is newer.
    fn compare(&self, other: &Self) -> Ordering {
        let e1 = self.epoch.as_deref().unwrap_or("0");
        let e2 = other.epoch.as_deref().unwrap_or("0");
        rpmvercmp(e1, e2)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| match (&self.release, &other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (Some(_), None) => Ordering::Greater,
                (None, Some(_)) => Ordering::Less,
                (None, None) => Ordering::Equal,
            })
    }
}

version_impls!(RpmVersion, compare);

/// rpm's `rpmvercmp` on one field. A NUL byte ends the string, as in C.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let cut = |s: &str| -> Vec<u8> { s.bytes().take_while(|&c| c != 0).collect() };
    let (a, b) = (cut(a), cut(b));
    let at = |s: &[u8], k: usize| s.get(k).copied().unwrap_or(0);
    let is_sep = |c: u8| c != 0 && !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    let (mut i, mut j) = (0usize, 0usize);
    while at(&a, i) != 0 || at(&b, j) != 0 {
        while is_sep(at(&a, i)) {
            i += 1;
        }
        while is_sep(at(&b, j)) {
            j += 1;
        }
        let (ca, cb) = (at(&a, i), at(&b, j));
        if ca == b'~' || cb == b'~' {
            if ca != b'~' {
                return Ordering::Greater;
            }
            if cb != b'~' {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == b'^' || cb == b'^' {
            if ca == 0 {
                return Ordering::Less;
            }
            if cb == 0 {
                return Ordering::Greater;
            }
            if ca != b'^' {
                return Ordering::Greater;
            }
            if cb != b'^' {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == 0 || cb == 0 {
            break;
        }
        let (si, sj) = (i, j);
        let isnum = ca.is_ascii_digit();
        let class = |c: u8| {
            if isnum {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        while at(&a, i) != 0 && class(at(&a, i)) {
            i += 1;
        }
        while at(&b, j) != 0 && class(at(&b, j)) {
            j += 1;
        }
        let mut one = a.get(si..i).unwrap_or(&[]);
        let mut two = b.get(sj..j).unwrap_or(&[]);
        if one.is_empty() {
            // Cannot happen: `ca` is alphanumeric. rpm returns -1 here.
            return Ordering::Less;
        }
        if two.is_empty() {
            return if isnum {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        if isnum {
            while one.first() == Some(&b'0') {
                one = one.get(1..).unwrap_or(&[]);
            }
            while two.first() == Some(&b'0') {
                two = two.get(1..).unwrap_or(&[]);
            }
            match one.len().cmp(&two.len()) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        match one.cmp(two) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    match (at(&a, i), at(&b, j)) {
        (0, 0) => Ordering::Equal,
        (0, _) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpmvercmp_vectors() {
        // From rpm's tests/rpmvercmp.at.
        let cases = [
            ("1.0", "1.0", 0),
            ("1.0", "2.0", -1),
            ("2.0.1", "2.0", 1),
            ("5.5p1", "5.5p10", -1),
            ("10xyz", "10.1xyz", -1),
            ("xyz10", "xyz10.1", -1),
            ("1.0aa", "1.0a", 1),
            ("10b2", "10a1", 1),
            ("1b.fc17", "1.fc17", -1),
            ("1.0~rc1", "1.0", -1),
            ("1.0~rc1~git123", "1.0~rc1", -1),
            ("1.0^", "1.0", 1),
            ("1.0^git1", "1.0^git2", -1),
            ("1.0^git1", "1.01", -1),
            ("1.0^20160101^git1", "1.0^20160101", 1),
            ("1.0~rc1^git1", "1.0~rc1", 1),
            ("1.0^git1~pre", "1.0^git1", -1),
            ("1.0~rc1", "1.0^git1", -1),
            ("a", "1", -1),
            ("+", "_", 0),
        ];
        for (a, b, want) in cases {
            assert_eq!(rpmvercmp(a, b) as i32, want, "{a} vs {b}");
        }
    }

    #[test]
    fn evr_split() {
        let v = RpmVersion::parse("2:1.2-3.el9").unwrap();
        assert_eq!(
            (v.epoch(), v.version(), v.release()),
            (Some("2"), "1.2", Some("3.el9"))
        );
        let v = RpmVersion::parse(":1.2").unwrap();
        assert_eq!(
            (v.epoch(), v.version(), v.release()),
            (Some("0"), "1.2", None)
        );
        assert_eq!(
            RpmVersion::from_parts(Some(1), "2", Some("3")).as_str(),
            "1:2-3"
        );
        // rpm 4.18: a side with a release, even an empty one, is newer than one without.
        assert!(RpmVersion::parse("1.0").unwrap() < RpmVersion::parse("1.0-").unwrap());
        assert!(RpmVersion::parse("1.0-~").unwrap() > RpmVersion::parse("1.0").unwrap());
    }
}
