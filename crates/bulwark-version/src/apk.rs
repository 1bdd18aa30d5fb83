//! Alpine / Wolfi package versions, compared as apk-tools does.
//!
//! Hand-written after apk-tools 3's `src/version.c` (the tokenizer with `TOKEN_INITIAL_DIGIT`
//! and `~hash` commit tokens): no crate implements these rules. apk-tools 2.12–2.14 (Alpine's
//! stable releases) order every well-formed version the same way; they differ only in
//! tolerating a few malformed ones (`1.0_`, `1.0-r`, `1.`) that apk-tools 3 and this parser
//! reject, and in not knowing `~hash`.
//!
//! Grammar: `digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}`. Suffixes order as
//! `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p`. Digits after the first
//! component that start with `0` compare as strings (Gentoo's rule). apk falls back to an
//! unspecified order for strings its grammar rejects; [`ApkVersion::parse`] rejects them
//! instead, so a scanner never guesses.

use std::cmp::Ordering;

use crate::error::check_len;
use crate::macros::version_impls;
use crate::{Scheme, VersionError};

/// Token kinds, in apk-tools' order (the order matters: see [`compare_tokens`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
}

/// Suffix weights; `None` (no suffix) is the pivot between pre- and post-release suffixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    Alpha,
    Beta,
    Pre,
    Rc,
    None,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    /// Raw text of the token (digits, letter, suffix name or hash).
    text: String,
    /// Numeric value (wrapping like apk's `uint64_t` for absurd lengths).
    number: u64,
    suffix: Suffix,
}

/// An apk package version.
///
/// ```
/// use bulwark_version::ApkVersion;
/// let v = |s| ApkVersion::parse(s).unwrap();
/// assert!(v("1.2_rc1-r0") < v("1.2-r0"));
/// assert!(v("1.2_p1-r0") > v("1.2-r0"));
/// assert!(v("1.2a") > v("1.2"));
/// assert!(v("1.2.3-r10") > v("1.2.3-r9"));
/// assert!(ApkVersion::parse("1.0bc").is_err()); // two letters: not an apk version
/// ```
#[derive(Debug, Clone)]
pub struct ApkVersion {
    original: String,
    tokens: Vec<Token>,
}

fn digits(s: &[u8], pos: &mut usize) -> (String, u64) {
    let start = *pos;
    let mut n: u64 = 0;
    while let Some(c) = s.get(*pos).filter(|c| c.is_ascii_digit()) {
        n = n.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
        *pos += 1;
    }
    let text = s
        .get(start..*pos)
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .unwrap_or_default();
    (text, n)
}

fn suffix_value(s: &str) -> Option<Suffix> {
    Some(match s {
        "alpha" => Suffix::Alpha,
        "beta" => Suffix::Beta,
        "pre" => Suffix::Pre,
        "rc" => Suffix::Rc,
        "cvs" => Suffix::Cvs,
        "svn" => Suffix::Svn,
        "git" => Suffix::Git,
        "hg" => Suffix::Hg,
        "p" => Suffix::P,
        _ => return None,
    })
}

impl ApkVersion {
    /// Parses a version that apk's `apk_version_validate` accepts.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Apk, input)?;
        let err = |reason| VersionError::invalid(Scheme::Apk, input, reason);
        let s = input.as_bytes();
        let mut pos = 0usize;
        let mut tokens = Vec::new();
        let (text, number) = digits(s, &mut pos);
        if text.is_empty() {
            return Err(err("must start with a digit"));
        }
        let mut kind = Kind::InitialDigit;
        tokens.push(Token {
            kind,
            text,
            number,
            suffix: Suffix::None,
        });
        while let Some(&c) = s.get(pos) {
            let mut token = Token {
                kind,
                text: String::new(),
                number: 0,
                suffix: Suffix::None,
            };
            match c {
                b'a'..=b'z' => {
                    if kind > Kind::Digit {
                        return Err(err("letter in the wrong place"));
                    }
                    token.kind = Kind::Letter;
                    token.text = char::from(c).to_string();
                    pos += 1;
                }
                b'.' | b'0'..=b'9' => {
                    if c == b'.' {
                        if kind > Kind::Digit {
                            return Err(err("'.' in the wrong place"));
                        }
                        pos += 1;
                    }
                    token.kind = match kind {
                        Kind::InitialDigit | Kind::Digit => Kind::Digit,
                        Kind::Suffix => Kind::SuffixNo,
                        _ => return Err(err("digit in the wrong place")),
                    };
                    let (text, number) = digits(s, &mut pos);
                    if text.is_empty() {
                        return Err(err("'.' not followed by a digit"));
                    }
                    token.text = text;
                    token.number = number;
                }
                b'_' => {
                    if kind > Kind::SuffixNo {
                        return Err(err("suffix in the wrong place"));
                    }
                    pos += 1;
                    let start = pos;
                    while s.get(pos).is_some_and(u8::is_ascii_lowercase) {
                        pos += 1;
                    }
                    let name = input.get(start..pos).unwrap_or("");
                    token.suffix = suffix_value(name).ok_or_else(|| err("unknown suffix"))?;
                    token.kind = Kind::Suffix;
                    token.text = name.to_owned();
                }
                b'~' => {
                    if kind >= Kind::CommitHash {
                        return Err(err("commit hash in the wrong place"));
                    }
                    pos += 1;
                    let start = pos;
                    while s
                        .get(pos)
                        .is_some_and(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
                    {
                        pos += 1;
                    }
                    let hash = input.get(start..pos).unwrap_or("");
                    if hash.is_empty() {
                        return Err(err("empty commit hash"));
                    }
                    token.kind = Kind::CommitHash;
                    token.text = hash.to_owned();
                }
                b'-' => {
                    if kind >= Kind::RevisionNo {
                        return Err(err("second revision"));
                    }
                    if s.get(pos + 1) != Some(&b'r') {
                        return Err(err("'-' not followed by 'r'"));
                    }
                    pos += 2;
                    let (text, number) = digits(s, &mut pos);
                    if text.is_empty() {
                        return Err(err("revision without a number"));
                    }
                    token.kind = Kind::RevisionNo;
                    token.text = text;
                    token.number = number;
                }
                _ => return Err(err("invalid character")),
            }
            kind = token.kind;
            tokens.push(token);
        }
        Ok(ApkVersion {
            original: input.to_owned(),
            tokens,
        })
    }

    fn compare(&self, other: &Self) -> Ordering {
        let mut a = self.tokens.iter();
        let mut b = other.tokens.iter();
        loop {
            match (a.next(), b.next()) {
                (Some(ta), Some(tb)) if ta.kind == tb.kind => {
                    let r = compare_tokens(ta, tb);
                    if r != Ordering::Equal {
                        return r;
                    }
                }
                (ta, tb) => {
                    let ka = ta.map_or(Kind::End, |t| t.kind);
                    let kb = tb.map_or(Kind::End, |t| t.kind);
                    if ka == kb {
                        return Ordering::Equal;
                    }
                    // The longer version is newer, unless what follows is a pre-release suffix.
                    if ta.is_some_and(|t| t.kind == Kind::Suffix && t.suffix < Suffix::None) {
                        return Ordering::Less;
                    }
                    if tb.is_some_and(|t| t.kind == Kind::Suffix && t.suffix < Suffix::None) {
                        return Ordering::Greater;
                    }
                    return kb.cmp(&ka);
                }
            }
        }
    }
}

/// apk's `token_cmp` for two tokens of the same kind.
fn compare_tokens(a: &Token, b: &Token) -> Ordering {
    match a.kind {
        Kind::Digit if a.text.starts_with('0') || b.text.starts_with('0') => {
            a.text.as_bytes().cmp(b.text.as_bytes())
        }
        Kind::InitialDigit | Kind::Digit | Kind::SuffixNo | Kind::RevisionNo => {
            a.number.cmp(&b.number)
        }
        Kind::Letter => a.text.as_bytes().cmp(b.text.as_bytes()),
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        Kind::CommitHash | Kind::End => a.text.as_bytes().cmp(b.text.as_bytes()),
    }
}

version_impls!(ApkVersion, compare);

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        ApkVersion::parse(a)
            .unwrap()
            .cmp(&ApkVersion::parse(b).unwrap())
    }

    #[test]
    fn rules() {
        assert_eq!(cmp("1.0_alpha", "1.0_beta"), Ordering::Less);
        assert_eq!(cmp("1.0_rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0_cvs"), Ordering::Less);
        assert_eq!(cmp("1.0_hg", "1.0_p"), Ordering::Less);
        assert_eq!(cmp("1.0-r1", "1.0"), Ordering::Greater);
        assert_eq!(cmp("1.01", "1.1"), Ordering::Less); // string compare with leading zero
        assert_eq!(cmp("1.0~abc-r0", "1.0-r0"), Ordering::Greater);
        assert_eq!(cmp("1.0~abc", "1.0~abd"), Ordering::Less);
        assert_eq!(cmp("01", "1"), Ordering::Equal); // first component is numeric
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "a1",
            "1..2",
            "1.0-1",
            "1.0_foo",
            "1.0-r1-r2",
            "1.0~",
            "1.0~ABC",
            "1.0 ",
            "1.0_",
            "1.0-r",
            "1.",
        ] {
            assert!(ApkVersion::parse(bad).is_err(), "{bad:?}");
        }
    }
}
