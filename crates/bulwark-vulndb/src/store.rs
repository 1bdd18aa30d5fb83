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

use crate::import::{self, ImportReport, Sink, SourceKind};
use crate::model::{
    Advisory, Affected, Enrichment, Event, Range, RangeKind, Reference, Severity, SeverityKind,
    Status,
};

/// Version of the table layout. A database with another version is refused by [`Db::open`].
pub const SCHEMA_VERSION: i64 = 2;

/// Text longer than this is stored compressed when that is smaller.
const COMPRESS_OVER: usize = 256;

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

const SCHEMA: &str = r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (
    name TEXT PRIMARY KEY, kind TEXT NOT NULL, location TEXT NOT NULL,
    fetched_at INTEGER NOT NULL, advisories INTEGER NOT NULL, enrichments INTEGER NOT NULL,
    skipped INTEGER NOT NULL, etag TEXT, last_modified TEXT
) WITHOUT ROWID;
CREATE TABLE advisories (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, source TEXT NOT NULL, summary TEXT,
    details, published TEXT, modified TEXT, withdrawn TEXT, cwes TEXT, refs,
    UNIQUE (name, source)
);
CREATE TABLE aliases (
    advisory INTEGER NOT NULL, alias TEXT NOT NULL, related INTEGER NOT NULL,
    PRIMARY KEY (advisory, alias)
) WITHOUT ROWID;
CREATE TABLE severities (
    advisory INTEGER NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
    score REAL, PRIMARY KEY (advisory, source, kind, value)
) WITHOUT ROWID;
CREATE TABLE packages (
    id INTEGER PRIMARY KEY, ecosystem TEXT NOT NULL, name TEXT NOT NULL,
    UNIQUE (ecosystem, name)
);
CREATE TABLE affected (
    id INTEGER PRIMARY KEY, package INTEGER NOT NULL, advisory INTEGER NOT NULL,
    status TEXT NOT NULL, fixed TEXT, severity TEXT, note TEXT, fix_advisory TEXT,
    versions, ecosystem_specific, database_specific
);
CREATE TABLE ranges (
    affected INTEGER NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, repo TEXT,
    events TEXT NOT NULL, PRIMARY KEY (affected, seq)
) WITHOUT ROWID;
CREATE TABLE enrichment (
    cve TEXT PRIMARY KEY, description, cwes TEXT, epss REAL, epss_percentile REAL,
    kev INTEGER NOT NULL DEFAULT 0, kev_date_added TEXT, kev_due_date TEXT, kev_ransomware TEXT
) WITHOUT ROWID;
CREATE TABLE enrichment_severities (
    cve TEXT NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
    score REAL, PRIMARY KEY (cve, source, kind, value)
) WITHOUT ROWID;
"#;

/// Indexes created after the bulk insert (faster than maintaining them row by row).
const INDEXES: &str = r#"
CREATE INDEX IF NOT EXISTS affected_package ON affected (package);
CREATE INDEX IF NOT EXISTS affected_advisory ON affected (advisory);
CREATE INDEX IF NOT EXISTS aliases_alias ON aliases (alias);
"#;

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

/// Store text, compressed when long and compressible.
fn pack_text(text: &str) -> SqlValue {
    if text.len() > COMPRESS_OVER {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        if enc.write_all(text.as_bytes()).is_ok() {
            if let Ok(bytes) = enc.finish() {
                if bytes.len() < text.len() {
                    return SqlValue::Blob(bytes);
                }
            }
        }
    }
    SqlValue::Text(text.to_string())
}

fn pack_opt(text: Option<&str>) -> SqlValue {
    text.map(pack_text).unwrap_or(SqlValue::Null)
}

/// Largest decompressed value accepted (guards against a hostile database file).
const MAX_UNPACKED: u64 = 64 * 1024 * 1024;

fn unpack_text(v: ValueRef<'_>) -> Result<Option<String>, StoreError> {
    match v {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => Ok(Some(String::from_utf8_lossy(t).into_owned())),
        ValueRef::Blob(b) => {
            let mut out = String::new();
            flate2::read::ZlibDecoder::new(b)
                .take(MAX_UNPACKED)
                .read_to_string(&mut out)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok(Some(out))
        }
        other => Err(StoreError::Corrupt(format!(
            "unexpected value type {:?}",
            other.data_type()
        ))),
    }
}

fn join_lines(items: &[String]) -> Option<String> {
    if items.is_empty() {
        None
    } else {
        // Versions never contain newlines; replace them so the encoding stays unambiguous.
        Some(
            items
                .iter()
                .map(|s| s.replace('\n', " "))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }
}

fn split_lines(s: Option<String>) -> Vec<String> {
    s.map(|s| s.split('\n').map(str::to_string).collect())
        .unwrap_or_default()
}

fn encode_events(events: &[Event]) -> String {
    let mut out = String::new();
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push(match e {
            Event::Introduced(_) => 'I',
            Event::Fixed(_) => 'F',
            Event::LastAffected(_) => 'L',
            Event::Limit(_) => 'X',
        });
        out.push_str(&e.version().replace('\n', " "));
    }
    out
}

fn decode_events(s: &str) -> Result<Vec<Event>, StoreError> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split('\n')
        .map(|line| {
            let mut chars = line.chars();
            let tag = chars.next();
            let v = chars.as_str().to_string();
            match tag {
                Some('I') => Ok(Event::Introduced(v)),
                Some('F') => Ok(Event::Fixed(v)),
                Some('L') => Ok(Event::LastAffected(v)),
                Some('X') => Ok(Event::Limit(v)),
                _ => Err(StoreError::Corrupt(format!("range event `{line}`"))),
            }
        })
        .collect()
}

/// References as `TYPE url` lines (one compressible value per advisory instead of a row per
/// link: links are the largest part of OSV records).
fn encode_refs(refs: &[Reference]) -> Option<String> {
    let lines: Vec<String> = refs
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r.kind.replace([' ', '\n'], "_"),
                r.url.replace('\n', " ")
            )
        })
        .collect();
    join_lines(&lines)
}

fn decode_refs(s: Option<String>) -> Vec<Reference> {
    split_lines(s)
        .into_iter()
        .filter_map(|l| {
            let (kind, url) = l.split_once(' ')?;
            Some(Reference {
                kind: kind.to_string(),
                url: url.to_string(),
            })
        })
        .collect()
}

fn json_text(v: &Option<serde_json::Value>) -> Option<String> {
    v.as_ref()
        .filter(|v| !v.is_null())
        .and_then(|v| serde_json::to_string(v).ok())
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

/// Builds a database into a temporary file beside the target, then swaps it in atomically.
pub struct Builder {
    conn: Connection,
    temp: tempfile::TempPath,
    target: PathBuf,
    packages: HashMap<(String, String), i64>,
    /// Affected rows written in this session, by (advisory, package): a record imported again
    /// replaces its rows for that package instead of duplicating them.
    session_rows: HashMap<(i64, i64), Vec<i64>>,
    extending: bool,
    affected_rows: i64,
    sources: Vec<SourceInfo>,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// Start a new, empty database that will replace `target` on [`Builder::finish`].
    pub fn create(target: &Path) -> Result<Self, StoreError> {
        Self::start(target, false)
    }

    /// Start from a copy of the database at `target` (which must exist), to add records to it.
    pub fn extend(target: &Path) -> Result<Self, StoreError> {
        Self::start(target, true)
    }

    fn start(target: &Path, copy_existing: bool) -> Result<Self, StoreError> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(io_ctx(format!("creating {}", dir.display())))?;
        let temp = tempfile::Builder::new()
            .prefix(".bulwark-db-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(io_ctx(format!(
                "creating a temporary file in {}",
                dir.display()
            )))?
            .into_temp_path();
        if copy_existing {
            // Check it is ours before copying.
            Db::open(target)?;
            std::fs::copy(target, &temp)
                .map_err(io_ctx(format!("copying {}", target.display())))?;
        }
        let conn = Connection::open(&temp)?;
        // The temp file is disposable until verified and renamed, so no journal and no syncs
        // while building; durability comes from the fsync before the rename.
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -65536;",
        )?;
        let mut builder = Builder {
            conn,
            temp,
            target: target.to_path_buf(),
            packages: HashMap::new(),
            session_rows: HashMap::new(),
            extending: copy_existing,
            affected_rows: 0,
            sources: Vec::new(),
        };
        if copy_existing {
            builder.affected_rows =
                builder
                    .conn
                    .query_row("SELECT count(*) FROM affected", [], |r| r.get(0))?;
            builder.sources = read_sources(&builder.conn)?;
        } else {
            builder.conn.execute_batch(SCHEMA)?;
        }
        builder.conn.execute_batch("BEGIN")?;
        Ok(builder)
    }

    /// Import one input into the database and record it as a source named `name`.
    pub fn import(
        &mut self,
        name: &str,
        kind: SourceKind,
        path: &Path,
        location: &str,
    ) -> Result<ImportReport, import::ImportError> {
        let report = import::import_path(kind, path, self)?;
        self.record_source(SourceInfo {
            name: name.to_string(),
            kind: kind.as_str().to_string(),
            location: location.to_string(),
            fetched_at: now_unix(),
            advisories: i64::try_from(report.advisories).unwrap_or(i64::MAX),
            enrichments: i64::try_from(report.enrichments).unwrap_or(i64::MAX),
            skipped: i64::try_from(report.skipped.len()).unwrap_or(i64::MAX),
            etag: None,
            last_modified: None,
        });
        Ok(report)
    }

    /// Record (or replace) a source's metadata row.
    pub fn record_source(&mut self, info: SourceInfo) {
        self.sources.retain(|s| s.name != info.name);
        self.sources.push(info);
    }

    /// Set HTTP validators on an already recorded source.
    pub fn set_validators(
        &mut self,
        name: &str,
        etag: Option<String>,
        last_modified: Option<String>,
    ) {
        if let Some(s) = self.sources.iter_mut().find(|s| s.name == name) {
            s.etag = etag;
            s.last_modified = last_modified;
        }
    }

    fn package_id(&mut self, ecosystem: &str, name: &str) -> Result<i64, StoreError> {
        let name = &*canonical_name(ecosystem, name);
        if let Some(id) = self
            .packages
            .get(&(ecosystem.to_string(), name.to_string()))
        {
            return Ok(*id);
        }
        let id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO packages (ecosystem, name) VALUES (?1, ?2)
                 ON CONFLICT (ecosystem, name) DO UPDATE SET name = excluded.name RETURNING id",
            )?
            .query_row(params![ecosystem, name], |r| r.get(0))?;
        self.packages
            .insert((ecosystem.to_string(), name.to_string()), id);
        Ok(id)
    }

    fn insert_advisory(&mut self, a: Advisory) -> Result<(), StoreError> {
        let cwes = join_lines(&a.cwes);
        // Same (id, source) twice (a CVE in several tracker files): merge into one row.
        let adv_id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO advisories (name, source, summary, details, published, modified,
                                         withdrawn, cwes, refs)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (name, source) DO UPDATE SET
                    summary = coalesce(advisories.summary, excluded.summary),
                    details = coalesce(advisories.details, excluded.details),
                    published = coalesce(advisories.published, excluded.published),
                    modified = coalesce(excluded.modified, advisories.modified),
                    withdrawn = coalesce(excluded.withdrawn, advisories.withdrawn),
                    cwes = coalesce(advisories.cwes, excluded.cwes),
                    refs = coalesce(advisories.refs, excluded.refs)
                 RETURNING id",
            )?
            .query_row(
                params![
                    a.id,
                    a.source,
                    a.summary,
                    pack_opt(a.details.as_deref()),
                    a.published,
                    a.modified,
                    a.withdrawn,
                    cwes,
                    pack_opt(encode_refs(&a.references).as_deref())
                ],
                |r| r.get(0),
            )?;
        {
            let mut st = self.conn.prepare_cached(
                "INSERT OR IGNORE INTO aliases (advisory, alias, related) VALUES (?1, ?2, ?3)",
            )?;
            for alias in &a.aliases {
                if alias != &a.id {
                    st.execute(params![adv_id, alias, 0])?;
                }
            }
            for rel in &a.related {
                if rel != &a.id {
                    st.execute(params![adv_id, rel, 1])?;
                }
            }
            let mut st = self.conn.prepare_cached(
                "INSERT OR IGNORE INTO severities (advisory, source, kind, value, score)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for s in &a.severities {
                st.execute(params![adv_id, s.source, s.kind.as_str(), s.value, s.score])?;
            }
        }
        // Replace, per package, what an earlier import of the same (id, feed) said.
        let mut pkgs = Vec::with_capacity(a.affected.len());
        for aff in &a.affected {
            pkgs.push(self.package_id(&aff.ecosystem, &aff.package)?);
        }
        let mut cleared = std::collections::HashSet::new();
        for &pkg in &pkgs {
            if cleared.insert(pkg) {
                self.clear_rows(adv_id, pkg)?;
            }
        }
        for (aff, pkg) in a.affected.into_iter().zip(pkgs) {
            let versions = join_lines(&aff.versions);
            let aff_id: i64 = self
                .conn
                .prepare_cached(
                    "INSERT INTO affected (package, advisory, status, fixed, severity, note,
                        fix_advisory, versions, ecosystem_specific, database_specific)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
                )?
                .query_row(
                    params![
                        pkg,
                        adv_id,
                        aff.status.as_str(),
                        join_lines(&aff.fixed),
                        aff.severity,
                        aff.note,
                        aff.fix_advisory,
                        pack_opt(versions.as_deref()),
                        pack_opt(json_text(&aff.ecosystem_specific).as_deref()),
                        pack_opt(json_text(&aff.database_specific).as_deref()),
                    ],
                    |r| r.get(0),
                )?;
            self.affected_rows = self.affected_rows.saturating_add(1);
            self.session_rows
                .entry((adv_id, pkg))
                .or_default()
                .push(aff_id);
            let mut st = self.conn.prepare_cached(
                "INSERT INTO ranges (affected, seq, kind, repo, events) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (seq, r) in aff.ranges.iter().enumerate() {
                st.execute(params![
                    aff_id,
                    i64::try_from(seq).unwrap_or(i64::MAX),
                    r.kind.as_str(),
                    r.repo,
                    encode_events(&r.events)
                ])?;
            }
        }
        Ok(())
    }

    fn clear_rows(&mut self, adv_id: i64, pkg: i64) -> Result<(), StoreError> {
        let mut ids = self.session_rows.remove(&(adv_id, pkg)).unwrap_or_default();
        if self.extending && ids.is_empty() {
            // Rows from the database being extended (its indexes exist, so this is a lookup).
            let mut st = self
                .conn
                .prepare_cached("SELECT id FROM affected WHERE advisory = ?1 AND package = ?2")?;
            ids = st
                .query_map(params![adv_id, pkg], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
        }
        for id in ids {
            self.conn
                .prepare_cached("DELETE FROM ranges WHERE affected = ?1")?
                .execute([id])?;
            let n = self
                .conn
                .prepare_cached("DELETE FROM affected WHERE id = ?1")?
                .execute([id])?;
            self.affected_rows = self
                .affected_rows
                .saturating_sub(i64::try_from(n).unwrap_or(0));
        }
        Ok(())
    }

    fn insert_enrichment(&mut self, e: Enrichment) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO enrichment (cve, description, cwes, epss, epss_percentile, kev,
                    kev_date_added, kev_due_date, kev_ransomware)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (cve) DO UPDATE SET
                    description = coalesce(excluded.description, enrichment.description),
                    cwes = coalesce(excluded.cwes, enrichment.cwes),
                    epss = coalesce(excluded.epss, enrichment.epss),
                    epss_percentile = coalesce(excluded.epss_percentile, enrichment.epss_percentile),
                    kev = max(excluded.kev, enrichment.kev),
                    kev_date_added = coalesce(excluded.kev_date_added, enrichment.kev_date_added),
                    kev_due_date = coalesce(excluded.kev_due_date, enrichment.kev_due_date),
                    kev_ransomware = coalesce(excluded.kev_ransomware, enrichment.kev_ransomware)",
            )?
            .execute(params![
                e.cve,
                pack_opt(e.description.as_deref()),
                join_lines(&e.cwes),
                e.epss,
                e.epss_percentile,
                i64::from(e.kev),
                e.kev_date_added,
                e.kev_due_date,
                e.kev_ransomware
            ])?;
        let mut st = self.conn.prepare_cached(
            "INSERT OR REPLACE INTO enrichment_severities (cve, source, kind, value, score)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for s in &e.severities {
            st.execute(params![e.cve, s.source, s.kind.as_str(), s.value, s.score])?;
        }
        Ok(())
    }

    /// Commit, index, verify and atomically replace the target. On any error the temporary
    /// file is removed and the target is untouched.
    pub fn finish(self) -> Result<BuildSummary, StoreError> {
        let Builder {
            conn,
            temp,
            target,
            affected_rows,
            sources,
            ..
        } = self;
        conn.execute_batch(INDEXES)?;
        let built_at = now_unix();
        {
            conn.execute("DELETE FROM sources", [])?;
            let mut st = conn.prepare(
                "INSERT INTO sources (name, kind, location, fetched_at, advisories, enrichments,
                    skipped, etag, last_modified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for s in &sources {
                st.execute(params![
                    s.name,
                    s.kind,
                    s.location,
                    s.fetched_at,
                    s.advisories,
                    s.enrichments,
                    s.skipped,
                    s.etag,
                    s.last_modified
                ])?;
            }
            let mut st =
                conn.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?;
            st.execute(params!["schema_version", SCHEMA_VERSION.to_string()])?;
            st.execute(params!["built_at", built_at.to_string()])?;
            st.execute(params![
                "builder",
                concat!("bulwark-vulndb ", env!("CARGO_PKG_VERSION"))
            ])?;
        }
        conn.execute_batch("COMMIT; ANALYZE;")?;
        // Verify before anything replaces the live database.
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Verify(format!("integrity_check: {check}")));
        }
        let summary = BuildSummary {
            advisories: conn.query_row("SELECT count(*) FROM advisories", [], |r| r.get(0))?,
            affected: conn.query_row("SELECT count(*) FROM affected", [], |r| r.get(0))?,
            packages: conn.query_row("SELECT count(*) FROM packages", [], |r| r.get(0))?,
            enrichments: conn.query_row("SELECT count(*) FROM enrichment", [], |r| r.get(0))?,
            built_at,
        };
        if summary.affected != affected_rows {
            return Err(StoreError::Verify(format!(
                "{} affected rows stored, {affected_rows} written",
                summary.affected
            )));
        }
        let imported: i64 = sources.iter().map(|s| s.advisories).sum();
        if imported > 0 && summary.advisories == 0 {
            return Err(StoreError::Verify("no advisories stored".into()));
        }
        {
            let mut st =
                conn.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?;
            st.execute(params!["advisories", summary.advisories.to_string()])?;
            st.execute(params!["affected", summary.affected.to_string()])?;
        }
        conn.execute_batch("PRAGMA journal_mode = DELETE;")?;
        conn.close().map_err(|(_, e)| StoreError::Sql(e))?;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&temp)
            .map_err(io_ctx("reopening the new database"))?;
        file.sync_all()
            .map_err(io_ctx("syncing the new database"))?;
        drop(file);
        temp.persist(&target).map_err(|e| StoreError::Io {
            context: format!("replacing {}", target.display()),
            source: e.error,
        })?;
        if let Some(dir) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            // Make the rename itself durable; failure to open a directory is not fatal.
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(summary)
    }
}

impl Sink for Builder {
    fn advisory(&mut self, advisory: Advisory) -> Result<(), StoreError> {
        self.insert_advisory(advisory)
    }
    fn enrichment(&mut self, enrichment: Enrichment) -> Result<(), StoreError> {
        self.insert_enrichment(enrichment)
    }
}

/// Counts of a finished build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildSummary {
    /// Advisories stored.
    pub advisories: i64,
    /// Affected-package rows stored.
    pub affected: i64,
    /// Distinct (ecosystem, package) pairs.
    pub packages: i64,
    /// CVEs with enrichment.
    pub enrichments: i64,
    /// Build time (Unix seconds).
    pub built_at: i64,
}

fn read_sources(conn: &Connection) -> Result<Vec<SourceInfo>, StoreError> {
    let mut st = conn.prepare(
        "SELECT name, kind, location, fetched_at, advisories, enrichments, skipped, etag,
                last_modified FROM sources ORDER BY name",
    )?;
    let rows = st.query_map([], |r| {
        Ok(SourceInfo {
            name: r.get(0)?,
            kind: r.get(1)?,
            location: r.get(2)?,
            fetched_at: r.get(3)?,
            advisories: r.get(4)?,
            enrichments: r.get(5)?,
            skipped: r.get(6)?,
            etag: r.get(7)?,
            last_modified: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What the matcher gets for one affected package: the affected entry and the advisory facts
/// needed to report it.
#[derive(Debug, Clone, PartialEq)]
pub struct AffectedRecord {
    /// Advisory id (`GHSA-...`, `CVE-...`).
    pub advisory: String,
    /// Feed the advisory came from.
    pub source: String,
    /// Aliases of the advisory.
    pub aliases: Vec<String>,
    /// Related ids of the advisory (OSV `related`: AlmaLinux and Rocky list the CVEs an
    /// ALSA/RLSA fixes there), sorted.
    pub related: Vec<String>,
    /// Summary line.
    pub summary: Option<String>,
    /// Severities of the advisory.
    pub severities: Vec<Severity>,
    /// Set when the advisory was withdrawn (the matcher should ignore it).
    pub withdrawn: Option<String>,
    /// The affected entry: ranges, versions, status, fixed versions.
    pub affected: Affected,
}

/// A database's state, for `bulwark db status`.
#[derive(Debug, Clone, PartialEq)]
pub struct DbStatus {
    /// Schema version.
    pub schema_version: i64,
    /// Build time (Unix seconds).
    pub built_at: i64,
    /// Advisory count.
    pub advisories: i64,
    /// Affected-package rows.
    pub affected: i64,
    /// Distinct packages.
    pub packages: i64,
    /// CVEs with enrichment.
    pub enrichments: i64,
    /// Inputs the database was built from.
    pub sources: Vec<SourceInfo>,
}

/// A read-only handle on a built database.
pub struct Db {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

impl Db {
    /// Open a database read-only and check its schema version.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.set_prepared_statement_cache_capacity(32);
        // The build runs ANALYZE, and with STAT4 statistics SQLite re-prepares a statement each
        // time a parameter compared with an indexed column gets a new value (the plan could
        // depend on it); for `affected`'s queries that re-preparing cost more than running them.
        // Our queries have one good plan whatever the values: keep it.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        let version: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .unwrap_or(None);
        if version.as_deref() != Some(&SCHEMA_VERSION.to_string()) {
            return Err(StoreError::Schema {
                path: path.to_path_buf(),
                found: version,
            });
        }
        Ok(Db {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The file this handle reads.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Everything known about one package in one ecosystem (`Debian:12`/`openssl`,
    /// `PyPI`/`django`...), ordered by advisory id. Names are compared by [`canonical_name`],
    /// as they were stored.
    pub fn affected(
        &self,
        ecosystem: &str,
        package: &str,
    ) -> Result<Vec<AffectedRecord>, StoreError> {
        // Most lookups miss (most installed packages have no advisory): answer those with one
        // probe of the (ecosystem, name) index before running the join.
        let pkg: Option<i64> = self
            .conn
            .prepare_cached("SELECT id FROM packages WHERE ecosystem = ?1 AND name = ?2")?
            .query_row(
                params![ecosystem, canonical_name(ecosystem, package).as_ref()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(pkg) = pkg else {
            return Ok(Vec::new());
        };
        let mut st = self.conn.prepare_cached(
            "SELECT a.id, ad.id, ad.name, ad.source, ad.summary, ad.withdrawn, a.status, a.fixed,
                    a.severity, a.note, a.fix_advisory, a.versions, a.ecosystem_specific,
                    a.database_specific
             FROM affected a
             JOIN advisories ad ON ad.id = a.advisory
             WHERE a.package = ?1
             ORDER BY ad.name, a.id",
        )?;
        // Ranges, aliases and severities of every row are fetched with one query each for the
        // whole package (not one per row): packages with hundreds of advisories stay fast.
        let mut ranges: HashMap<i64, Vec<Range>> = HashMap::new();
        {
            let mut rs = self.conn.prepare_cached(
                "SELECT r.affected, r.kind, r.repo, r.events FROM affected a
                 JOIN ranges r ON r.affected = a.id WHERE a.package = ?1
                 ORDER BY r.affected, r.seq",
            )?;
            let mut rows = rs.query([pkg])?;
            while let Some(r) = rows.next()? {
                let kind: String = r.get(1)?;
                ranges.entry(r.get(0)?).or_default().push(Range {
                    kind: RangeKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("range kind `{kind}`")))?,
                    repo: r.get(2)?,
                    events: decode_events(&r.get::<_, String>(3)?)?,
                });
            }
        }
        // Aliases and related ids come in one query: the matcher needs `related` to expand
        // AlmaLinux/Rocky bundles into their CVEs, and a second lookup per bundle cost more
        // than the whole package query.
        let mut aliases: HashMap<i64, Vec<String>> = HashMap::new();
        let mut related: HashMap<i64, Vec<String>> = HashMap::new();
        {
            let mut st = self.conn.prepare_cached(
                "SELECT advisory, alias, related FROM aliases WHERE advisory IN
                    (SELECT advisory FROM affected WHERE package = ?1)
                 ORDER BY advisory, alias",
            )?;
            let mut rows = st.query([pkg])?;
            while let Some(r) = rows.next()? {
                let target = if r.get::<_, i64>(2)? != 0 {
                    &mut related
                } else {
                    &mut aliases
                };
                target.entry(r.get(0)?).or_default().push(r.get(1)?);
            }
        }
        let mut severities: HashMap<i64, Vec<Severity>> = HashMap::new();
        {
            let mut st = self.conn.prepare_cached(
                "SELECT advisory, source, kind, value, score FROM severities WHERE advisory IN
                    (SELECT advisory FROM affected WHERE package = ?1)
                 ORDER BY advisory, source, kind, value",
            )?;
            let mut rows = st.query([pkg])?;
            while let Some(r) = rows.next()? {
                let kind: String = r.get(2)?;
                severities.entry(r.get(0)?).or_default().push(Severity {
                    source: r.get(1)?,
                    kind: SeverityKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("severity kind `{kind}`")))?,
                    value: r.get(3)?,
                    score: r.get(4)?,
                });
            }
        }
        let mut rows = st.query([pkg])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let aff_id: i64 = r.get(0)?;
            let adv_id: i64 = r.get(1)?;
            let mut affected =
                Affected::new(ecosystem, package, Status::parse(&r.get::<_, String>(6)?));
            affected.fixed = split_lines(r.get(7)?);
            affected.severity = r.get(8)?;
            affected.note = r.get(9)?;
            affected.fix_advisory = r.get(10)?;
            affected.versions = split_lines(unpack_text(r.get_ref(11)?)?);
            affected.ecosystem_specific = parse_json_opt(unpack_text(r.get_ref(12)?)?)?;
            affected.database_specific = parse_json_opt(unpack_text(r.get_ref(13)?)?)?;
            affected.ranges = ranges.remove(&aff_id).unwrap_or_default();
            out.push(AffectedRecord {
                advisory: r.get(2)?,
                source: r.get(3)?,
                summary: r.get(4)?,
                withdrawn: r.get(5)?,
                // An advisory can have several rows for one package: clone, don't take.
                aliases: aliases.get(&adv_id).cloned().unwrap_or_default(),
                related: related.get(&adv_id).cloned().unwrap_or_default(),
                severities: severities.get(&adv_id).cloned().unwrap_or_default(),
                affected,
            });
        }
        Ok(out)
    }

    fn alias_list(&self, advisory: i64, related: bool) -> Result<Vec<String>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT alias FROM aliases WHERE advisory = ?1 AND related = ?2 ORDER BY alias",
        )?;
        let rows = st.query_map(params![advisory, i64::from(related)], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn severities(&self, advisory: i64) -> Result<Vec<Severity>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT source, kind, value, score FROM severities WHERE advisory = ?1
             ORDER BY source, kind, value",
        )?;
        let mut rows = st.query([advisory])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let kind: String = r.get(1)?;
            out.push(Severity {
                source: r.get(0)?,
                kind: SeverityKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("severity kind `{kind}`")))?,
                value: r.get(2)?,
                score: r.get(3)?,
            });
        }
        Ok(out)
    }

    /// Every stored advisory with this id (one per feed that has it), complete.
    pub fn advisory(&self, id: &str) -> Result<Vec<Advisory>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, source, summary, details, published, modified, withdrawn, cwes, refs
             FROM advisories WHERE name = ?1 ORDER BY source",
        )?;
        let mut rows = st.query([id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let adv_id: i64 = r.get(0)?;
            let mut adv = Advisory {
                id: id.to_string(),
                source: r.get(1)?,
                summary: r.get(2)?,
                details: unpack_text(r.get_ref(3)?)?,
                published: r.get(4)?,
                modified: r.get(5)?,
                withdrawn: r.get(6)?,
                cwes: split_lines(r.get(7)?),
                aliases: self.alias_list(adv_id, false)?,
                related: self.alias_list(adv_id, true)?,
                severities: self.severities(adv_id)?,
                references: decode_refs(unpack_text(r.get_ref(8)?)?),
                ..Advisory::default()
            };
            let mut ps = self.conn.prepare_cached(
                "SELECT p.ecosystem, p.name FROM affected a JOIN packages p ON p.id = a.package
                 WHERE a.advisory = ?1 GROUP BY p.id ORDER BY min(a.id)",
            )?;
            let pkgs: Vec<(String, String)> = ps
                .query_map([adv_id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            for (eco, name) in pkgs {
                for rec in self.affected(&eco, &name)? {
                    if rec.advisory == adv.id && rec.source == adv.source {
                        adv.affected.push(rec.affected);
                    }
                }
            }
            out.push(adv);
        }
        Ok(out)
    }

    /// Every id that names the same vulnerability as `id`: the aliases of the advisories with
    /// that id, and the advisories that list `id` as an alias. Sorted, without `id` itself.
    pub fn aliases(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT al.alias FROM advisories ad JOIN aliases al ON al.advisory = ad.id
               WHERE ad.name = ?1 AND al.related = 0
             UNION
             SELECT ad.name FROM aliases al JOIN advisories ad ON ad.id = al.advisory
               WHERE al.alias = ?1 AND al.related = 0
             UNION
             SELECT al2.alias FROM aliases al JOIN aliases al2 ON al2.advisory = al.advisory
               WHERE al.alias = ?1 AND al.related = 0 AND al2.related = 0",
        )?;
        let rows = st.query_map([id], |r| r.get::<_, String>(0))?;
        let mut out: Vec<String> = rows
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|a| a != id)
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// NVD/EPSS/KEV facts about one CVE.
    pub fn enrichment(&self, cve: &str) -> Result<Option<Enrichment>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT description, cwes, epss, epss_percentile, kev, kev_date_added, kev_due_date,
                    kev_ransomware FROM enrichment WHERE cve = ?1",
        )?;
        let mut rows = st.query([cve])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        let mut e = Enrichment {
            cve: cve.to_string(),
            description: unpack_text(r.get_ref(0)?)?,
            cwes: split_lines(r.get(1)?),
            epss: r.get(2)?,
            epss_percentile: r.get(3)?,
            kev: r.get::<_, i64>(4)? != 0,
            kev_date_added: r.get(5)?,
            kev_due_date: r.get(6)?,
            kev_ransomware: r.get(7)?,
            severities: Vec::new(),
        };
        let mut st = self.conn.prepare_cached(
            "SELECT source, kind, value, score FROM enrichment_severities WHERE cve = ?1
             ORDER BY source, kind, value",
        )?;
        let mut rows = st.query([cve])?;
        while let Some(r) = rows.next()? {
            let kind: String = r.get(1)?;
            e.severities.push(Severity {
                source: r.get(0)?,
                kind: SeverityKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("severity kind `{kind}`")))?,
                value: r.get(2)?,
                score: r.get(3)?,
            });
        }
        Ok(Some(e))
    }

    /// Build time (Unix seconds) and the inputs the database was built from: what a scan
    /// reports about its database, without [`Db::status`]'s row counts (which read every
    /// table).
    pub fn provenance(&self) -> Result<(i64, Vec<SourceInfo>), StoreError> {
        let built_at: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'built_at'", [], |r| {
                r.get(0)
            })
            .optional()?;
        Ok((
            built_at.and_then(|v| v.parse().ok()).unwrap_or(0),
            read_sources(&self.conn)?,
        ))
    }

    /// Schema, build time, row counts and inputs, for `bulwark db status`.
    pub fn status(&self) -> Result<DbStatus, StoreError> {
        let meta = |k: &str| -> Result<i64, StoreError> {
            let v: Option<String> = self
                .conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0))
                .optional()?;
            Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
        };
        let count = |t: &str| -> Result<i64, StoreError> {
            Ok(self
                .conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?)
        };
        Ok(DbStatus {
            schema_version: meta("schema_version")?,
            built_at: meta("built_at")?,
            advisories: count("advisories")?,
            affected: count("affected")?,
            packages: count("packages")?,
            enrichments: count("enrichment")?,
            sources: read_sources(&self.conn)?,
        })
    }

    /// The distinct ecosystems stored (`Debian:12`, `PyPI`...), sorted. One walk of the
    /// (ecosystem, name) index that jumps from one ecosystem to the next, so it costs a few
    /// index probes per ecosystem however many packages there are.
    pub fn ecosystems(&self) -> Result<Vec<String>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "WITH RECURSIVE e(x) AS (
                 SELECT min(ecosystem) FROM packages
                 UNION ALL
                 SELECT (SELECT min(ecosystem) FROM packages WHERE ecosystem > e.x)
                 FROM e WHERE e.x IS NOT NULL
             )
             SELECT x FROM e WHERE x IS NOT NULL",
        )?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every (ecosystem, package) pair stored, for benchmarks and diagnostics.
    pub fn packages(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT ecosystem, name FROM packages ORDER BY ecosystem, name")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn parse_json_opt(s: Option<String>) -> Result<Option<serde_json::Value>, StoreError> {
    s.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

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
