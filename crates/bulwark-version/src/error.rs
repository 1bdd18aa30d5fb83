//! The crate's single error type.

use crate::Scheme;

/// Longest version string any parser accepts, in bytes.
///
/// Real versions are far shorter (the longest rpm releases and Go pseudo-versions are under 100
/// bytes). The cap bounds the work and the nesting depth (Maven list items) that hostile input can
/// cause.
pub const MAX_VERSION_LEN: usize = 1024;

/// Why a version string or an OSV range could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The string is not a valid version of the scheme.
    #[error("invalid {scheme} version {input:?}: {reason}")]
    Invalid {
        /// Scheme whose rules were applied.
        scheme: Scheme,
        /// The offending input (cut to 128 characters).
        input: String,
        /// What rule it broke.
        reason: &'static str,
    },
    /// The string is longer than [`MAX_VERSION_LEN`].
    #[error("{scheme} version is {len} bytes long, more than the {MAX_VERSION_LEN} allowed")]
    TooLong {
        /// Scheme whose rules were applied.
        scheme: Scheme,
        /// Length of the input in bytes.
        len: usize,
    },
    /// An OSV range that cannot be evaluated (no events, a `GIT` range...).
    #[error("invalid OSV range: {0}")]
    InvalidRange(&'static str),
}

impl VersionError {
    /// An [`VersionError::Invalid`] for `input`, keeping at most 128 characters of it.
    pub(crate) fn invalid(scheme: Scheme, input: &str, reason: &'static str) -> Self {
        VersionError::Invalid {
            scheme,
            input: input.chars().take(128).collect(),
            reason,
        }
    }
}

/// Rejects inputs longer than [`MAX_VERSION_LEN`].
pub(crate) fn check_len(scheme: Scheme, input: &str) -> Result<(), VersionError> {
    if input.len() > MAX_VERSION_LEN {
        Err(VersionError::TooLong {
            scheme,
            len: input.len(),
        })
    } else {
        Ok(())
    }
}
