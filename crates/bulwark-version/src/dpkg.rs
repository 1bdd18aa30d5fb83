//! Debian package versions (`[epoch:]upstream[-revision]`), compared as dpkg does.
//!
//! Hand-written after dpkg's `parseversion()` and `verrevcmp()` (lib/dpkg/parsehelp.c,
//! lib/dpkg/version.c): the Rust crates for Debian versions differ from dpkg on edge cases
//! (epoch syntax, invalid characters, non-ASCII bytes), and every scheme here has the same API.
//!
//! What dpkg only warns about (a version not starting with a digit, characters outside the
//! allowed set) is accepted, as `dpkg --compare-versions` does; what dpkg rejects is an error.

use std::cmp::Ordering;

use crate::error::check_len;
use crate::macros::version_impls;
use crate::{Scheme, VersionError};

/// A Debian version.
///
/// ```
/// use bulwark_version::DpkgVersion;
/// let a = DpkgVersion::parse("1:2.30-1~deb12u1").unwrap();
/// let b = DpkgVersion::parse("1:2.30-1").unwrap();
/// assert!(a < b); // `~` sorts before everything, even the end of the string
/// assert_eq!(DpkgVersion::parse("1.0").unwrap(), DpkgVersion::parse("0:1.00").unwrap());
/// ```
#[derive(Debug, Clone)]
pub struct DpkgVersion {
    original: String,
    epoch: u32,
    upstream: String,
    revision: String,
}

impl DpkgVersion {
    /// Parses a version with dpkg's rules.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Dpkg, input)?;
        let err = |reason| VersionError::invalid(Scheme::Dpkg, input, reason);
        // dpkg trims leading blanks (space, tab) and trailing white space, and rejects embedded
        // white space.
        let s = input.trim_start_matches([' ', '\t']);
        if s.is_empty() {
            return Err(err("version string is empty"));
        }
        let end = s
            .find(|c: char| c.is_ascii_whitespace() || c == '\x0b')
            .unwrap_or(s.len());
        let (s, rest) = s.split_at(end);
        if !rest
            .bytes()
            .all(|b| b.is_ascii_whitespace() || b == b'\x0b')
        {
            return Err(err("version string has embedded spaces"));
        }
        let (epoch, version) = match s.split_once(':') {
            Some((epoch, version)) => {
                let epoch = parse_epoch(epoch).map_err(err)?;
                if version.is_empty() {
                    return Err(err("nothing after colon in version number"));
                }
                (epoch, version)
            }
            None => (0, s),
        };
        let (upstream, revision) = match version.rsplit_once('-') {
            Some((_, "")) => return Err(err("revision number is empty")),
            Some((upstream, revision)) => (upstream, revision),
            None => (version, ""),
        };
        if upstream.is_empty() {
            return Err(err("version number is empty"));
        }
        Ok(DpkgVersion {
            original: input.to_owned(),
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.to_owned(),
        })
    }

    /// The epoch (0 when absent).
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The upstream version.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// The Debian revision (`""` when absent).
    pub fn revision(&self) -> &str {
        &self.revision
    }

    fn compare(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| verrevcmp(&self.revision, &other.revision))
    }
}

version_impls!(DpkgVersion, compare);

/// The epoch as C `strtol` reads it, with dpkg's checks: an optional sign and digits that must
/// end exactly at the colon, not negative, at most `INT_MAX`.
fn parse_epoch(s: &str) -> Result<u32, &'static str> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..).unwrap_or("")),
        Some(b'+') => (false, s.get(1..).unwrap_or("")),
        _ => (false, s),
    };
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        // strtol converted nothing.
        return Err("epoch in version is empty");
    }
    if n != digits.len() {
        // strtol stopped before the colon.
        return Err("epoch in version is not number");
    }
    let trimmed = digits.trim_start_matches('0');
    let value: u64 = if trimmed.len() > 10 {
        u64::MAX
    } else {
        trimmed.parse().unwrap_or(0)
    };
    if negative && value != 0 {
        return Err("epoch in version is negative");
    }
    u32::try_from(value)
        .ok()
        .filter(|v| *v <= i32::MAX as u32)
        .ok_or("epoch in version is too big")
}

/// dpkg's character weight: digits 0 (never reached in the non-digit loop), letters their ASCII
/// value, `~` below everything including the end of string, other bytes above all letters.
/// Other bytes go through C's signed `char` as dpkg does on x86 and arm.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c as i8) + 256,
    }
}

/// dpkg's `verrevcmp`: alternating non-digit and digit runs.
pub(crate) fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0usize, 0usize);
    let is_digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !is_digit(a, i)) || (j < b.len() && !is_digit(b, j)) {
            let ac = order(a.get(i).copied());
            let bc = order(b.get(j).copied());
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while is_digit(a, i) && is_digit(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a.get(i).cmp(&b.get(j));
            }
            i += 1;
            j += 1;
        }
        if is_digit(a, i) {
            return Ordering::Greater;
        }
        if is_digit(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        DpkgVersion::parse(a)
            .unwrap()
            .cmp(&DpkgVersion::parse(b).unwrap())
    }

    #[test]
    fn policy_examples() {
        assert_eq!(cmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0~~", "1.0~"), Ordering::Less);
        assert_eq!(cmp("1.0+b1", "1.0"), Ordering::Greater);
        assert_eq!(cmp("1:0.1", "2.0"), Ordering::Greater);
        assert_eq!(cmp("1.0-1", "1.0-1"), Ordering::Equal);
        assert_eq!(cmp("1.0a", "1.0+"), Ordering::Less);
        assert_eq!(cmp("2.30-1~deb12u1", "2.30-1"), Ordering::Less);
    }

    #[test]
    fn parse_errors() {
        for bad in [
            "",
            "  ",
            "a:1",
            "1:",
            "1.0-",
            "-1",
            "1 2",
            "-1:2",
            "99999999999:1",
        ] {
            assert!(
                DpkgVersion::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
        let v = DpkgVersion::parse(" 3:1.2-3-4 ").unwrap();
        assert_eq!((v.epoch(), v.upstream(), v.revision()), (3, "1.2-3", "4"));
    }
}
