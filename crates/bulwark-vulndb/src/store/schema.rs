//! The table layout and the indexes created after a bulk insert.

#[allow(unused_imports)]
use super::*;

pub(super) const SCHEMA: &str = r#"
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
pub(super) const INDEXES: &str = r#"
CREATE INDEX IF NOT EXISTS affected_package ON affected (package);
CREATE INDEX IF NOT EXISTS affected_advisory ON affected (advisory);
CREATE INDEX IF NOT EXISTS aliases_alias ON aliases (alias);
"#;
