//! The SQLite store: schema, atomic builder, and the query API.
//!
//! Layout (schema version [`SCHEMA_VERSION`]): `packages` interns (ecosystem, name) pairs and is
//! the lookup index; `affected` rows point at a package and an advisory; `ranges` hold the range
//! events as compact text (`I0\nF1.2.3`: one event per line, first letter = kind), never JSON.
//! Long text (details, long explicit-version lists, JSON kept from feeds) is stored
//! zlib-compressed as a BLOB when that saves space; short text stays TEXT. A value's SQLite type
//! says which.
//!
//! Building never touches the live file: a [`Builder`] writes a temporary file in the same
//! directory, verifies it (`PRAGMA integrity_check` and row counts) and renames it over the
//! target, so a failed or interrupted build leaves the previous database intact.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::model::{
    Advisory, Affected, Enrichment, Event, Range, RangeKind, Reference, Severity, SeverityKind,
    Status,
};

mod build;
mod codec;
mod query;
mod schema;

pub use build::{BuildSummary, Builder};
use codec::*;
use query::*;
pub use query::{AffectedRecord, Db, DbStatus};
use schema::*;

/// Version of the table layout. A database with another version is refused by [`Db::open`].
pub const SCHEMA_VERSION: i64 = 2;

/// Store errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// File system failure.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a Bulwark database of a version this build reads.
    #[error("{path}: schema version {found:?}, this build reads version {SCHEMA_VERSION}; run `bulwark db update`")]
    Schema {
        /// The database.
        path: PathBuf,
        /// What the file says.
        found: Option<String>,
    },
    /// The path is not a regular file (a device, FIFO, directory...): refused before SQLite
    /// opens it.
    #[error(transparent)]
    Input(#[from] bulwark_input::InputError),
    /// The file is not an SQLite database, or an SQLite database without Bulwark's schema
    /// marker (the `meta` table's `schema_version`).
    #[error("{path}: not a Bulwark advisory database ({reason}); pass the file `bulwark db update` or `bulwark db build` wrote")]
    NotBulwark {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        reason: String,
    },
    /// There is no database file at the path.
    #[error("no advisory database at {0}; run `bulwark db update` (or `bulwark db build`)")]
    Missing(PathBuf),
    /// Verification of a freshly built database failed; the previous database is untouched.
    #[error("verification of the new database failed: {0}")]
    Verify(String),
    /// A stored value could not be decoded.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
}

fn io_ctx(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> StoreError {
    let context = context.into();
    move |source| StoreError::Io { context, source }
}

pub use bulwark_version::name::canonical_name;

/// Seconds since the Unix epoch (the store keeps times as Unix seconds).
pub fn now_unix() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Format Unix seconds as RFC 3339 UTC (`2026-11-28T21:00:00Z`); seconds outside jiff's range
/// (years beyond ±9999) are clamped to its ends.
pub fn format_unix(secs: i64) -> String {
    let secs = secs.clamp(
        jiff::Timestamp::MIN.as_second(),
        jiff::Timestamp::MAX.as_second(),
    );
    jiff::Timestamp::from_second(secs)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_string()
}

/// One input of a build: what it was, where it came from, and HTTP validators when downloaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// Unique name (`osv-PyPI`, `debian-tracker`...).
    pub name: String,
    /// Feed kind.
    pub kind: String,
    /// Path or URL it was read from.
    pub location: String,
    /// When it was fetched or read (Unix seconds).
    pub fetched_at: i64,
    /// Advisories imported.
    pub advisories: i64,
    /// Enrichment records imported.
    pub enrichments: i64,
    /// Records skipped.
    pub skipped: i64,
    /// HTTP `ETag`, for conditional requests.
    pub etag: Option<String>,
    /// HTTP `Last-Modified`, for conditional requests.
    pub last_modified: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Sink;

    fn adv(id: &str, aliases: &[&str], related: &[&str], pkgs: &[(&str, &str)]) -> Advisory {
        Advisory {
            id: id.into(),
            source: "osv".into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            related: related.iter().map(|s| s.to_string()).collect(),
            affected: pkgs
                .iter()
                .map(|(e, n)| Affected::new(*e, *n, Status::Affected))
                .collect(),
            ..Advisory::default()
        }
    }

    #[test]
    fn ecosystems_and_related_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let mut b = Builder::create(&path).unwrap();
        for a in [
            adv(
                "ALSA-2024:1",
                &[],
                &["CVE-2024-2", "CVE-2024-1"],
                &[("AlmaLinux:9", "curl"), ("AlmaLinux:9", "libcurl")],
            ),
            adv(
                "GHSA-x",
                &["CVE-2024-3"],
                &["GHSA-y"],
                &[("PyPI", "django")],
            ),
            adv("GHSA-z", &[], &[], &[("PyPI", "flask"), ("npm", "a")]),
            adv("RUSTSEC-1", &[], &[], &[("crates.io", "b")]),
        ] {
            Sink::advisory(&mut b, a).unwrap();
        }
        b.finish().unwrap();
        let db = Db::open(&path).unwrap();
        assert_eq!(
            db.ecosystems().unwrap(),
            ["AlmaLinux:9", "PyPI", "crates.io", "npm"]
        );
        let curl = db.affected("AlmaLinux:9", "curl").unwrap();
        assert_eq!(curl.len(), 1);
        assert!(curl[0].aliases.is_empty());
        assert_eq!(curl[0].related, ["CVE-2024-1", "CVE-2024-2"]);
        let django = db.affected("PyPI", "django").unwrap();
        assert_eq!(django[0].aliases, ["CVE-2024-3"]);
        assert_eq!(django[0].related, ["GHSA-y"]);
        assert!(db.affected("PyPI", "flask").unwrap()[0].related.is_empty());
    }

    #[test]
    fn ecosystems_of_an_empty_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        Builder::create(&path).unwrap().finish().unwrap();
        assert!(Db::open(&path).unwrap().ecosystems().unwrap().is_empty());
    }

    #[test]
    fn unix_formatting() {
        assert_eq!(format_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_unix(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(format_unix(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn events_round_trip() {
        let ev = vec![
            Event::Introduced("0".into()),
            Event::Fixed("1:2.3-4".into()),
            Event::LastAffected("x".into()),
            Event::Limit("abc".into()),
        ];
        assert_eq!(decode_events(&encode_events(&ev)).unwrap(), ev);
        assert!(decode_events("Z1").is_err());
    }

    #[test]
    fn text_packing() {
        let long = "a".repeat(1000);
        let packed = pack_text(&long);
        assert!(matches!(packed, SqlValue::Blob(_)));
        if let SqlValue::Blob(b) = &packed {
            assert_eq!(unpack_text(ValueRef::Blob(b)).unwrap().unwrap(), long);
        }
        assert!(matches!(pack_text("short"), SqlValue::Text(_)));
        assert!(unpack_text(ValueRef::Blob(b"garbage")).is_err());
    }
}
