//! Maven versions, compared as Maven 3.8's `ComparableVersion` does.
//!
//! Hand-written after `org.apache.maven.artifact.versioning.ComparableVersion` (maven-artifact
//! 3.8.7, the version Debian 12 ships and the tests compare against): no crate reproduces its
//! list items, qualifier aliases and the integer item kinds (`int`/`long`/`BigInteger`, chosen by
//! digit count) that make `1-000000000000` compare above `1-5`.
//!
//! Any string is a valid Maven version. Only ASCII digits are digits here (Java also treats
//! other Unicode decimal digits as digits).

use std::cmp::Ordering;

use crate::error::check_len;
use crate::macros::version_impls;
use crate::num::Digits;
use crate::{Scheme, VersionError};

/// Well-known qualifiers in order; `""` (release) is index 5.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_INDEX: &str = "5";

#[derive(Debug, Clone)]
enum Item {
    /// A number; `kind` is 0/1/2 for Java's `IntItem`/`LongItem`/`BigIntegerItem`.
    Int {
        kind: u8,
        value: Digits,
    },
    /// A qualifier, already aliased, with its comparable form.
    Str {
        comparable: String,
    },
    List(Vec<Item>),
}

/// A Maven artifact version.
///
/// ```
/// use bulwark_version::MavenVersion;
/// let v = |s| MavenVersion::parse(s).unwrap();
/// assert!(v("1.0-alpha-1") < v("1.0-beta"));
/// assert!(v("1.0-rc1") < v("1.0"));
/// assert_eq!(v("1.0-cr1"), v("1.0-rc1"));
/// assert_eq!(v("1.0.0.ga"), v("1"));
/// assert!(v("1.0-SNAPSHOT") < v("1.0"));
/// assert!(v("1.0") < v("1.0-sp1"));
/// assert!(v("1.0-sp1") < v("1.0-1"));
/// ```
#[derive(Debug, Clone)]
pub struct MavenVersion {
    original: String,
    items: Vec<Item>,
}

fn comparable_qualifier(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

/// Java's `String.compareTo` (UTF-16 code units).
fn java_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let mut v = value;
    if followed_by_digit && value.len() == 1 {
        v = match value {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            _ => value,
        };
    }
    let v = match v {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str {
        comparable: comparable_qualifier(v),
    }
}

fn int_item(buf: &str) -> Item {
    // Java's stripLeadingZeroes keeps an all-zero string whole; its length picks the kind.
    let stripped = match buf.find(|c| c != '0') {
        Some(i) => buf.get(i..).unwrap_or(buf),
        None => buf,
    };
    let kind = match stripped.len() {
        0..=9 => 0,
        10..=18 => 1,
        _ => 2,
    };
    Item::Int {
        kind,
        value: Digits::new(stripped),
    }
}

fn parse_item(is_digit: bool, buf: &str) -> Item {
    if is_digit {
        int_item(buf)
    } else {
        string_item(buf, false)
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int { value, .. } => value.is_zero(),
            Item::Str { comparable } => comparable == RELEASE_INDEX,
            Item::List(l) => l.is_empty(),
        }
    }

    /// `compareTo(null)`: how the item compares with a missing one.
    fn cmp_null(&self) -> Ordering {
        match self {
            Item::Int { value, .. } => {
                if value.is_zero() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            Item::Str { comparable } => java_cmp(comparable, RELEASE_INDEX),
            Item::List(l) => l
                .iter()
                .map(Item::cmp_null)
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal),
        }
    }

    fn cmp_item(&self, other: &Item) -> Ordering {
        match (self, other) {
            (
                Item::Int {
                    kind: k1,
                    value: v1,
                },
                Item::Int {
                    kind: k2,
                    value: v2,
                },
            ) => k1.cmp(k2).then_with(|| v1.cmp(v2)),
            (Item::Int { .. }, _) => Ordering::Greater,
            (Item::Str { .. }, Item::Int { .. }) => Ordering::Less,
            (Item::Str { comparable: a }, Item::Str { comparable: b }) => java_cmp(a, b),
            (Item::Str { .. }, Item::List(_)) => Ordering::Less,
            (Item::List(_), Item::Int { .. }) => Ordering::Less,
            (Item::List(_), Item::Str { .. }) => Ordering::Greater,
            (Item::List(a), Item::List(b)) => cmp_lists(a, b),
        }
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let r = match (a.get(i), b.get(i)) {
            (Some(l), Some(r)) => l.cmp_item(r),
            (Some(l), None) => l.cmp_null(),
            (None, Some(r)) => r.cmp_null().reverse(),
            (None, None) => Ordering::Equal,
        };
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

/// `ListItem.normalize()`: drop trailing null items, looking past non-null sub-lists.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        let (null, is_list) = match list.get(i) {
            Some(item) => (item.is_null(), matches!(item, Item::List(_))),
            None => break,
        };
        if null {
            list.remove(i);
        } else if !is_list {
            break;
        }
    }
}

/// Builds the nested lists. Java keeps a stack of open lists, each the last element of its
/// parent, and normalises them innermost first; here the chain is a `Vec` of lists that is
/// folded back from the innermost one.
fn build(version: &str) -> Vec<Item> {
    let lower = version.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    // chain[0] is the top list; each later list is appended to the previous one when closed.
    let mut chain: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0usize;
    let sub = |from: usize, to: usize| -> String {
        chars
            .get(from..to)
            .map(|c| c.iter().collect())
            .unwrap_or_default()
    };
    let push = |chain: &mut Vec<Vec<Item>>, item: Item| {
        if let Some(last) = chain.last_mut() {
            last.push(item);
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        if c == '.' || c == '-' {
            if i == start {
                push(&mut chain, int_item("0"));
            } else {
                push(&mut chain, parse_item(is_digit, &sub(start, i)));
            }
            start = i + 1;
            if c == '-' {
                chain.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                // 3.8: a qualifier that is not first in its list opens a list of its own
                // (`1.0.0.x1 < 1.0.0-x2`).
                if chain.last().is_some_and(|l| !l.is_empty()) {
                    chain.push(Vec::new());
                }
                push(&mut chain, string_item(&sub(start, i), true));
                start = i;
                chain.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                push(&mut chain, parse_item(true, &sub(start, i)));
                start = i;
                chain.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if chars.len() > start {
        // Same rule for a trailing qualifier: `.X` is treated as `-X`.
        if !is_digit && chain.last().is_some_and(|l| !l.is_empty()) {
            chain.push(Vec::new());
        }
        push(&mut chain, parse_item(is_digit, &sub(start, chars.len())));
    }
    // Normalise innermost first, then attach each list to its parent.
    let mut inner: Option<Vec<Item>> = None;
    while let Some(mut list) = chain.pop() {
        if let Some(child) = inner.take() {
            list.push(Item::List(child));
        }
        normalize(&mut list);
        inner = Some(list);
    }
    inner.unwrap_or_default()
}

impl MavenVersion {
    /// Parses any string (Maven accepts every version string).
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Maven, input)?;
        Ok(MavenVersion {
            original: input.to_owned(),
            items: build(input),
        })
    }

    fn compare(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

version_impls!(MavenVersion, compare);
