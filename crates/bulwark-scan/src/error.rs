//! The one error type of a scan. Its messages read as the CLI always printed them: a context
//! ("opening docker-archive:x.tar") whose cause follows in the error's source chain.

use bulwark_match::MatchError;
use bulwark_sbom::SbomError;
use bulwark_source::{SourceError, TargetError};

/// Why a scan or an inventory did not produce a report.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The target or the platform is not valid syntax.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// The target could not be opened (missing, malformed, refused, unreachable).
    #[error("opening {target}")]
    Open {
        /// The target as given.
        target: String,
        /// The cause.
        #[source]
        source: Box<SourceError>,
    },
    /// A bare name was neither in the local Docker Engine nor in its registry.
    #[error("opening {target} (not in the local Docker Engine: {engine})")]
    OpenRemote {
        /// The target as given.
        target: String,
        /// Why the engine did not have it.
        engine: Box<SourceError>,
        /// Why the registry did not either.
        #[source]
        source: Box<SourceError>,
    },
    /// Reading the layers failed (the error names image, layer and entry).
    #[error(transparent)]
    Walk(Box<SourceError>),
    /// An `sbom:FILE` target could not be read.
    #[error("reading {target}")]
    Sbom {
        /// The target as given.
        target: String,
        /// The cause.
        #[source]
        source: Box<SbomError>,
    },
    /// The base image named in the options could not be opened.
    #[error("opening the base image {base}")]
    BaseImage {
        /// The base image as given.
        base: String,
        /// The cause.
        #[source]
        source: Box<ScanError>,
    },
    /// The base image named in the options has no configuration to take layers from.
    #[error("the base image {base} has no image configuration")]
    BaseImageConfig {
        /// The base image as given.
        base: String,
    },
    /// Matching against the advisory database failed.
    #[error("matching against {db}")]
    Match {
        /// The database file.
        db: String,
        /// The cause.
        #[source]
        source: Box<MatchError>,
    },
    /// The scan was cancelled through its [`crate::CancelToken`].
    #[error("scan cancelled")]
    Cancelled,
}
