//! Boilerplate shared by every version type: equality and ordering from the scheme's comparison
//! (so `1.0 == 1.00` where the scheme says so), `Display` of the original text, and `FromStr`.

/// Implements `PartialEq`, `Eq`, `PartialOrd`, `Ord` from `$cmp`, `Display` from the `original`
/// field and `FromStr` from `$ty::parse`.
macro_rules! version_impls {
    ($ty:ident, $cmp:ident) => {
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.$cmp(other) == std::cmp::Ordering::Equal
            }
        }
        impl Eq for $ty {}
        impl PartialOrd for $ty {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for $ty {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.$cmp(other)
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.original)
            }
        }
        impl std::str::FromStr for $ty {
            type Err = $crate::VersionError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::parse(s)
            }
        }
        impl $ty {
            /// The text the version was parsed from.
            pub fn as_str(&self) -> &str {
                &self.original
            }
        }
    };
}

pub(crate) use version_impls;
