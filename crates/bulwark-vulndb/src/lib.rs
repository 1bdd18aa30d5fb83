//! Bulwark's advisory database.
//!
//! What it does: reads vulnerability advisories from their native feeds ([`import`]: OSV JSON
//! and YAML in any ecosystem, the Debian security tracker JSON and DSA/DLA lists, Alpine/Wolfi
//! secdb, Red Hat CSAF VEX, RustSec, and the NVD/EPSS/KEV enrichment feeds) into one data model
//! ([`model`]), stores them in one SQLite file ([`store`]) built atomically, answers the
//! matcher's lookups by (ecosystem, package) ([`Db::affected`]), and downloads upstream feeds
//! ([`update`]).
//!
//! What it does not do: compare versions or decide whether an installed version is affected.
//! Ranges are kept as data (OSV events); evaluating them is the matcher's job
//! (`bulwark-version`). It does not map installed packages to ecosystems either.
//!
//! HTTP: `ureq` (blocking, rustls) rather than `reqwest`: the downloads are a handful of large
//! sequential GETs, and ureq avoids building the tokio/hyper stack on a machine where build
//! time matters.

pub mod id;
pub mod import;
pub mod model;
pub mod store;
pub mod update;

pub use id::{AdvisoryId, IdKind};
pub use import::{import_path, ImportError, ImportReport, SourceKind};
pub use model::{
    Advisory, Affected, Enrichment, Event, Range, RangeKind, Severity, SeverityKind, Status,
};
pub use store::{AffectedRecord, Builder, Db, DbStatus, SourceInfo, StoreError};
