//! Arbitrary-size non-negative integers, compared without parsing.
//!
//! Several schemes (PEP 440, Maven, RubyGems, Go) compare numeric components of any length
//! exactly (Python ints, `BigInteger`, Ruby `Integer`, Go compares digit strings). Keeping the
//! digits and comparing by length, then lexically, is exact and cannot overflow.

use std::cmp::Ordering;

/// A non-negative integer kept as its decimal digits without leading zeros (`""` is zero).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(crate) struct Digits(String);

impl Digits {
    /// Builds from ASCII digits (callers guarantee the input is all `0-9`).
    pub(crate) fn new(digits: &str) -> Self {
        Digits(digits.trim_start_matches('0').to_owned())
    }

    /// The digits without leading zeros (`""` for zero).
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the value is zero.
    pub(crate) fn is_zero(&self) -> bool {
        self.0.is_empty()
    }
}

impl Ord for Digits {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.as_bytes().cmp(other.0.as_bytes()))
    }
}

impl PartialOrd for Digits {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_by_value() {
        assert_eq!(Digits::new("010").cmp(&Digits::new("9")), Ordering::Greater);
        assert_eq!(Digits::new("000").cmp(&Digits::new("")), Ordering::Equal);
        assert!(Digits::new("0000").is_zero());
        assert_eq!(
            Digits::new("123456789012345678901234567890")
                .cmp(&Digits::new("123456789012345678901234567891")),
            Ordering::Less
        );
    }
}
