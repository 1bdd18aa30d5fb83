//! Metadata: repositories, blob links, manifests, tags, upload sessions, users, projects,
//! members, robots, settings and the audit log, in SQLite (the default, a file under the root)
//! or PostgreSQL (`--metadata postgres://...`, shared by several registry processes).
//!
//! One connection per process behind a mutex; every call is one transaction, so a `kill -9`
//! leaves either the old or the new state. The SQL is written once in the dialect both engines
//! share (upserts with `ON CONFLICT`, `"user"` quoted, explicit casts); the PostgreSQL schema
//! only widens `INTEGER` to `BIGINT`. The synchronous `postgres` client runs each transaction
//! on a scoped thread outside the async runtime (it drives its own), just as SQLite calls
//! block the calling worker today.

use std::path::Path;
use std::sync::Mutex;

use postgres::types::{to_sql_checked, IsNull, ToSql as PgToSql, Type};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::Connection;

use crate::error::RegistryError;
use crate::names::Digest;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS repos (name TEXT PRIMARY KEY, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS repo_blobs (repo TEXT NOT NULL, digest TEXT NOT NULL, size INTEGER NOT NULL,
  linked INTEGER NOT NULL, PRIMARY KEY (repo, digest));
CREATE INDEX IF NOT EXISTS repo_blobs_digest ON repo_blobs (digest);
CREATE TABLE IF NOT EXISTS manifests (repo TEXT NOT NULL, digest TEXT NOT NULL, media_type TEXT NOT NULL,
  size INTEGER NOT NULL, artifact_type TEXT, subject TEXT, annotations TEXT, pushed INTEGER NOT NULL,
  PRIMARY KEY (repo, digest));
CREATE INDEX IF NOT EXISTS manifests_subject ON manifests (repo, subject);
CREATE TABLE IF NOT EXISTS manifest_refs (repo TEXT NOT NULL, manifest TEXT NOT NULL, child TEXT NOT NULL,
  PRIMARY KEY (repo, manifest, child));
CREATE TABLE IF NOT EXISTS tags (repo TEXT NOT NULL, tag TEXT NOT NULL, digest TEXT NOT NULL, updated INTEGER NOT NULL,
  PRIMARY KEY (repo, tag));
CREATE TABLE IF NOT EXISTS uploads (id TEXT PRIMARY KEY, repo TEXT NOT NULL, started INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, hash TEXT NOT NULL, admin INTEGER NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS projects (name TEXT PRIMARY KEY, public INTEGER NOT NULL, created INTEGER NOT NULL,
  quota INTEGER, immutable TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS members (project TEXT NOT NULL, "user" TEXT NOT NULL, role TEXT NOT NULL,
  PRIMARY KEY (project, "user"));
CREATE TABLE IF NOT EXISTS robots (name TEXT PRIMARY KEY, project TEXT NOT NULL, hash TEXT NOT NULL,
  scopes TEXT NOT NULL, expires INTEGER, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
"#;

/// The metadata database.
#[derive(Debug)]
pub struct Meta {
    db: Db,
}

/// Which engine holds the metadata.
enum Db {
    Sqlite(Mutex<Connection>),
    Postgres(Mutex<postgres::Client>),
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Db::Sqlite(_) => "Db::Sqlite",
            Db::Postgres(_) => "Db::Postgres",
        })
    }
}

/// One SQL value, bound or read, the same on both engines (booleans are stored as 0/1).
#[derive(Debug, Clone, PartialEq)]
enum V {
    N,
    I(i64),
    T(String),
}

impl V {
    fn i(&self) -> i64 {
        match self {
            V::I(i) => *i,
            _ => 0,
        }
    }
    fn oi(&self) -> Option<i64> {
        match self {
            V::I(i) => Some(*i),
            _ => None,
        }
    }
    fn t(&self) -> String {
        match self {
            V::T(s) => s.clone(),
            V::I(i) => i.to_string(),
            V::N => String::new(),
        }
    }
    fn ot(&self) -> Option<String> {
        match self {
            V::N => None,
            v => Some(v.t()),
        }
    }
}

impl From<i64> for V {
    fn from(i: i64) -> V {
        V::I(i)
    }
}
impl From<bool> for V {
    fn from(b: bool) -> V {
        V::I(i64::from(b))
    }
}
impl From<&str> for V {
    fn from(s: &str) -> V {
        V::T(s.to_string())
    }
}
impl From<&String> for V {
    fn from(s: &String) -> V {
        V::T(s.clone())
    }
}
impl From<String> for V {
    fn from(s: String) -> V {
        V::T(s)
    }
}
impl<T: Into<V>> From<Option<T>> for V {
    fn from(o: Option<T>) -> V {
        o.map_or(V::N, Into::into)
    }
}

impl rusqlite::ToSql for V {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            V::N => ToSqlOutput::Borrowed(ValueRef::Null),
            V::I(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            V::T(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

impl PgToSql for V {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            V::N => Ok(IsNull::Yes),
            V::I(i) if *ty == Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
            V::I(i) if *ty == Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
            V::I(i) if *ty == Type::BOOL => (*i != 0).to_sql(ty, out),
            V::I(i) => i.to_sql(ty, out),
            V::T(s) => s.as_str().to_sql(ty, out),
        }
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    to_sql_checked!();
}

/// A result row.
type Row = Vec<V>;

/// One open transaction on either engine. SQL uses `?N` placeholders (rewritten to `$N` for
/// PostgreSQL).
trait Sql {
    fn exec(&mut self, sql: &str, p: &[V]) -> Result<u64, RegistryError>;
    fn rows(&mut self, sql: &str, p: &[V]) -> Result<Vec<Row>, RegistryError>;
    fn row(&mut self, sql: &str, p: &[V]) -> Result<Option<Row>, RegistryError> {
        Ok(self.rows(sql, p)?.into_iter().next())
    }
}

impl Sql for rusqlite::Transaction<'_> {
    fn exec(&mut self, sql: &str, p: &[V]) -> Result<u64, RegistryError> {
        let mut st = self.prepare_cached(sql)?;
        Ok(st.execute(rusqlite::params_from_iter(p.iter()))? as u64)
    }
    fn rows(&mut self, sql: &str, p: &[V]) -> Result<Vec<Row>, RegistryError> {
        let mut st = self.prepare_cached(sql)?;
        let n = st.column_count();
        let mut rows = st.query(rusqlite::params_from_iter(p.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                row.push(match r.get_ref(i)? {
                    ValueRef::Null => V::N,
                    ValueRef::Integer(i) => V::I(i),
                    ValueRef::Real(f) => V::I(f as i64),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        V::T(String::from_utf8_lossy(t).into_owned())
                    }
                });
            }
            out.push(row);
        }
        Ok(out)
    }
}

/// `?N` placeholders to PostgreSQL's `$N`.
fn pg_sql(sql: &str) -> String {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    for (i, ch) in sql.char_indices() {
        if ch == '?' && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(ch);
        }
    }
    out
}

impl Sql for postgres::Transaction<'_> {
    fn exec(&mut self, sql: &str, p: &[V]) -> Result<u64, RegistryError> {
        let refs: Vec<&(dyn PgToSql + Sync)> = p.iter().map(|v| v as _).collect();
        Ok(self.execute(pg_sql(sql).as_str(), &refs)?)
    }
    fn rows(&mut self, sql: &str, p: &[V]) -> Result<Vec<Row>, RegistryError> {
        let refs: Vec<&(dyn PgToSql + Sync)> = p.iter().map(|v| v as _).collect();
        let rows = self.query(pg_sql(sql).as_str(), &refs)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut row = Vec::with_capacity(r.len());
            for (i, c) in r.columns().iter().enumerate() {
                let ty = c.type_();
                row.push(if *ty == Type::INT8 {
                    r.try_get::<_, Option<i64>>(i)?.into()
                } else if *ty == Type::INT4 {
                    r.try_get::<_, Option<i32>>(i)?.map(i64::from).into()
                } else if *ty == Type::INT2 {
                    r.try_get::<_, Option<i16>>(i)?.map(i64::from).into()
                } else if *ty == Type::BOOL {
                    r.try_get::<_, Option<bool>>(i)?.into()
                } else {
                    r.try_get::<_, Option<String>>(i)?.into()
                });
            }
            out.push(row);
        }
        Ok(out)
    }
}

/// A `LIMIT` value for an optional count (both engines accept a huge one; PostgreSQL refuses -1).
fn limit(n: Option<usize>) -> V {
    V::I(n.map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX)))
}

/// The `LIKE` pattern of the repositories under a project.
fn under(project: &str) -> String {
    format!("{}/%", project.replace('%', "").replace('_', "\\_"))
}

/// A stored manifest's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestRow {
    /// Its digest.
    pub digest: Digest,
    /// Its media type.
    pub media_type: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A manifest that refers to a subject (one entry of a referrers answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferrerRow {
    /// The referrer's digest.
    pub digest: String,
    /// Its media type.
    pub media_type: String,
    /// Its size.
    pub size: u64,
    /// Its artifact type (`artifactType`, else the config media type).
    pub artifact_type: Option<String>,
    /// Its annotations as JSON text.
    pub annotations: Option<String>,
}

/// A new manifest to record.
#[derive(Debug, Clone)]
pub struct NewManifest<'a> {
    /// Repository.
    pub repo: &'a str,
    /// Digest of the manifest bytes.
    pub digest: &'a Digest,
    /// Media type.
    pub media_type: &'a str,
    /// Size.
    pub size: u64,
    /// Artifact type for the referrers API.
    pub artifact_type: Option<&'a str>,
    /// Subject digest, if the manifest has one.
    pub subject: Option<&'a str>,
    /// Annotations as JSON text.
    pub annotations: Option<String>,
    /// Blobs and manifests it references (kept from garbage collection).
    pub children: Vec<String>,
    /// Tag to point at it.
    pub tag: Option<&'a str>,
}

/// A user account.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// Name.
    pub name: String,
    /// Argon2 PHC hash.
    pub hash: String,
    /// System administrator.
    pub admin: bool,
}

/// A robot account.
#[derive(Debug, Clone)]
pub struct RobotRow {
    /// Full name (`robot$project+name`).
    pub name: String,
    /// The one project it may act in.
    pub project: String,
    /// Argon2 PHC hash of its secret.
    pub hash: String,
    /// Comma-separated actions.
    pub scopes: String,
    /// Expiry, Unix seconds.
    pub expires: Option<i64>,
}

/// A stored audit entry with its chain fields.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// Sequence number (1-based, no gaps in an intact log).
    pub seq: i64,
    /// The entry as canonical JSON text.
    pub entry: String,
    /// Hash of the previous entry.
    pub prev: String,
    /// Hash of this entry.
    pub hash: String,
}

/// Current Unix time in seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Meta {
    /// Open or create the SQLite database at `path`.
    pub fn open(path: &Path) -> Result<Meta, RegistryError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Meta {
            db: Db::Sqlite(Mutex::new(conn)),
        })
    }

    /// Connect to PostgreSQL at `url` (`postgres://user:password@host:port/dbname`, plain TCP
    /// or a unix socket directory as `host`) and create the schema when missing. Several
    /// registry processes may share one database.
    pub fn open_postgres(url: &str) -> Result<Meta, RegistryError> {
        let schema = SCHEMA.replace("INTEGER", "BIGINT");
        // The client drives its own runtime, so it must not be created or used on a thread
        // of the caller's async runtime.
        let client = std::thread::scope(|s| {
            s.spawn(|| -> Result<postgres::Client, RegistryError> {
                let mut c = postgres::Client::connect(url, postgres::NoTls)?;
                let mut t = c.transaction()?;
                // Two processes starting at once would race on CREATE TABLE IF NOT EXISTS.
                t.batch_execute(&format!("SELECT pg_advisory_xact_lock(1601600);\n{schema}"))?;
                t.commit()?;
                Ok(c)
            })
            .join()
            .unwrap_or_else(|_| Err(RegistryError::Config("postgres connect panicked".into())))
        })?;
        Ok(Meta {
            db: Db::Postgres(Mutex::new(client)),
        })
    }

    /// Whether the metadata lives in PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Postgres(_))
    }

    /// Run `f` in one transaction; `exclusive` serialises it against every other exclusive
    /// transaction of every process (the audit chain).
    fn tx<R: Send>(
        &self,
        exclusive: bool,
        f: impl FnOnce(&mut dyn Sql) -> Result<R, RegistryError> + Send,
    ) -> Result<R, RegistryError> {
        match &self.db {
            Db::Sqlite(m) => {
                // A panic while holding the lock cannot leave SQLite inconsistent
                // (transactions roll back), so a poisoned lock is still usable.
                let mut c = m.lock().unwrap_or_else(|p| p.into_inner());
                let mut t = c.transaction_with_behavior(if exclusive {
                    rusqlite::TransactionBehavior::Immediate
                } else {
                    rusqlite::TransactionBehavior::Deferred
                })?;
                let r = f(&mut t)?;
                t.commit()?;
                Ok(r)
            }
            Db::Postgres(m) => {
                let mut c = m.lock().unwrap_or_else(|p| p.into_inner());
                let c = &mut *c;
                std::thread::scope(|s| {
                    s.spawn(move || -> Result<R, RegistryError> {
                        let mut t = c.transaction()?;
                        if exclusive {
                            t.batch_execute("LOCK TABLE audit IN EXCLUSIVE MODE")?;
                        }
                        let r = f(&mut t)?;
                        t.commit()?;
                        Ok(r)
                    })
                    .join()
                    .unwrap_or_else(|_| {
                        Err(RegistryError::Config(
                            "metadata transaction panicked".into(),
                        ))
                    })
                })
            }
        }
    }

    /// One statement in its own transaction; rows changed.
    fn exec(&self, sql: &str, p: &[V]) -> Result<u64, RegistryError> {
        self.tx(false, |t| t.exec(sql, p))
    }

    /// One query in its own transaction.
    fn rows(&self, sql: &str, p: &[V]) -> Result<Vec<Row>, RegistryError> {
        self.tx(false, |t| t.rows(sql, p))
    }

    /// The first row of one query.
    fn row(&self, sql: &str, p: &[V]) -> Result<Option<Row>, RegistryError> {
        self.tx(false, |t| t.row(sql, p))
    }

    /// The first column of every row.
    fn strings(&self, sql: &str, p: &[V]) -> Result<Vec<String>, RegistryError> {
        Ok(self.rows(sql, p)?.iter().map(|r| r[0].t()).collect())
    }

    /// Link a blob to a repository (creating the repository).
    pub fn link_blob(&self, repo: &str, d: &Digest, size: u64) -> Result<(), RegistryError> {
        self.tx(false, |t| {
            t.exec(
                "INSERT INTO repos VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                &[repo.into(), now().into()],
            )?;
            t.exec(
                "INSERT INTO repo_blobs VALUES (?1, ?2, ?3, ?4) ON CONFLICT (repo, digest) DO UPDATE SET linked = excluded.linked",
                &[repo.into(), d.as_str().into(), (size as i64).into(), now().into()],
            )?;
            Ok(())
        })
    }

    /// The size of a blob linked to `repo`, or `None`.
    pub fn blob_size(&self, repo: &str, d: &Digest) -> Result<Option<u64>, RegistryError> {
        Ok(self
            .row(
                "SELECT size FROM repo_blobs WHERE repo=?1 AND digest=?2",
                &[repo.into(), d.as_str().into()],
            )?
            .map(|r| r[0].i() as u64))
    }

    /// Unlink a blob from a repository; whether it was linked.
    pub fn unlink_blob(&self, repo: &str, d: &Digest) -> Result<bool, RegistryError> {
        Ok(self.exec(
            "DELETE FROM repo_blobs WHERE repo=?1 AND digest=?2",
            &[repo.into(), d.as_str().into()],
        )? > 0)
    }

    /// Whether a repository exists.
    pub fn repo_exists(&self, repo: &str) -> Result<bool, RegistryError> {
        Ok(self
            .row("SELECT 1 FROM repos WHERE name=?1", &[repo.into()])?
            .is_some())
    }

    /// Record a manifest (and its tag) in one transaction.
    pub fn put_manifest(&self, m: &NewManifest<'_>) -> Result<(), RegistryError> {
        self.tx(false, |tx| {
            let t = now();
            tx.exec(
                "INSERT INTO repos VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                &[m.repo.into(), t.into()],
            )?;
            tx.exec(
                "INSERT INTO manifests VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (repo, digest) DO UPDATE
                 SET media_type = excluded.media_type, size = excluded.size, artifact_type = excluded.artifact_type,
                 subject = excluded.subject, annotations = excluded.annotations, pushed = excluded.pushed",
                &[
                    m.repo.into(),
                    m.digest.as_str().into(),
                    m.media_type.into(),
                    (m.size as i64).into(),
                    m.artifact_type.into(),
                    m.subject.into(),
                    m.annotations.clone().into(),
                    t.into(),
                ],
            )?;
            tx.exec(
                "INSERT INTO repo_blobs VALUES (?1, ?2, ?3, ?4) ON CONFLICT (repo, digest) DO UPDATE SET linked = excluded.linked",
                &[m.repo.into(), m.digest.as_str().into(), (m.size as i64).into(), t.into()],
            )?;
            for child in &m.children {
                tx.exec(
                    "INSERT INTO manifest_refs VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                    &[m.repo.into(), m.digest.as_str().into(), child.into()],
                )?;
            }
            if let Some(tag) = m.tag {
                tx.exec(
                    "INSERT INTO tags VALUES (?1, ?2, ?3, ?4) ON CONFLICT (repo, tag) DO UPDATE
                     SET digest = excluded.digest, updated = excluded.updated",
                    &[m.repo.into(), tag.into(), m.digest.as_str().into(), t.into()],
                )?;
            }
            Ok(())
        })
    }

    /// The digest a tag points at.
    pub fn tag_digest(&self, repo: &str, tag: &str) -> Result<Option<String>, RegistryError> {
        Ok(self
            .row(
                "SELECT digest FROM tags WHERE repo=?1 AND tag=?2",
                &[repo.into(), tag.into()],
            )?
            .map(|r| r[0].t()))
    }

    /// A manifest by digest.
    pub fn manifest(&self, repo: &str, d: &str) -> Result<Option<ManifestRow>, RegistryError> {
        let row = self.row(
            "SELECT digest, media_type, size FROM manifests WHERE repo=?1 AND digest=?2",
            &[repo.into(), d.into()],
        )?;
        Ok(row.and_then(|r| {
            Digest::parse(&r[0].t()).map(|digest| ManifestRow {
                digest,
                media_type: r[1].t(),
                size: r[2].i() as u64,
            })
        }))
    }

    /// Delete a manifest and every tag pointing at it; whether it existed.
    pub fn delete_manifest(&self, repo: &str, d: &Digest) -> Result<bool, RegistryError> {
        self.tx(false, |tx| {
            let p = [V::from(repo), V::from(d.as_str())];
            let n = tx.exec("DELETE FROM manifests WHERE repo=?1 AND digest=?2", &p)?;
            tx.exec("DELETE FROM tags WHERE repo=?1 AND digest=?2", &p)?;
            tx.exec(
                "DELETE FROM manifest_refs WHERE repo=?1 AND manifest=?2",
                &p,
            )?;
            tx.exec("DELETE FROM repo_blobs WHERE repo=?1 AND digest=?2", &p)?;
            Ok(n > 0)
        })
    }

    /// Delete one tag; whether it existed.
    pub fn delete_tag(&self, repo: &str, tag: &str) -> Result<bool, RegistryError> {
        Ok(self.exec(
            "DELETE FROM tags WHERE repo=?1 AND tag=?2",
            &[repo.into(), tag.into()],
        )? > 0)
    }

    /// Tags of a repository in lexical order, after `last`, at most `n`.
    pub fn tags(
        &self,
        repo: &str,
        last: Option<&str>,
        n: Option<usize>,
    ) -> Result<Vec<String>, RegistryError> {
        self.strings(
            "SELECT tag FROM tags WHERE repo=?1 AND tag > ?2 ORDER BY tag LIMIT ?3",
            &[repo.into(), last.unwrap_or("").into(), limit(n)],
        )
    }

    /// Repository names in lexical order after `last`.
    pub fn repos_after(&self, last: Option<&str>) -> Result<Vec<String>, RegistryError> {
        self.strings(
            "SELECT name FROM repos WHERE name > ?1 ORDER BY name",
            &[last.unwrap_or("").into()],
        )
    }

    /// Manifests in `repo` whose subject is `subject`, optionally of one artifact type.
    pub fn referrers(
        &self,
        repo: &str,
        subject: &str,
        artifact_type: Option<&str>,
    ) -> Result<Vec<ReferrerRow>, RegistryError> {
        let rows = self.rows(
            "SELECT digest, media_type, size, artifact_type, annotations FROM manifests
             WHERE repo=?1 AND subject=?2 AND (CAST(?3 AS TEXT) IS NULL OR artifact_type=?3) ORDER BY digest",
            &[repo.into(), subject.into(), artifact_type.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| ReferrerRow {
                digest: r[0].t(),
                media_type: r[1].t(),
                size: r[2].i() as u64,
                artifact_type: r[3].ot(),
                annotations: r[4].ot(),
            })
            .collect())
    }

    /// Record a new upload session.
    pub fn create_upload(&self, id: &str, repo: &str) -> Result<(), RegistryError> {
        self.exec(
            "INSERT INTO uploads VALUES (?1, ?2, ?3)",
            &[id.into(), repo.into(), now().into()],
        )?;
        Ok(())
    }

    /// The repository an upload session belongs to.
    pub fn upload_repo(&self, id: &str) -> Result<Option<String>, RegistryError> {
        Ok(self
            .row("SELECT repo FROM uploads WHERE id=?1", &[id.into()])?
            .map(|r| r[0].t()))
    }

    /// Forget an upload session.
    pub fn delete_upload(&self, id: &str) -> Result<(), RegistryError> {
        self.exec("DELETE FROM uploads WHERE id=?1", &[id.into()])?;
        Ok(())
    }

    /// A setting's value.
    pub fn setting(&self, key: &str) -> Result<Option<String>, RegistryError> {
        Ok(self
            .row("SELECT value FROM settings WHERE key=?1", &[key.into()])?
            .map(|r| r[0].t()))
    }

    /// Set a setting only when it is absent; returns the value now stored.
    pub fn setting_init(&self, key: &str, value: &str) -> Result<String, RegistryError> {
        self.tx(false, |t| {
            t.exec(
                "INSERT INTO settings VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                &[key.into(), value.into()],
            )?;
            Ok(
                t.row("SELECT value FROM settings WHERE key=?1", &[key.into()])?
                    .map(|r| r[0].t())
                    .unwrap_or_default(),
            )
        })
    }

    /// Create a user; false when the name is taken.
    pub fn create_user(&self, name: &str, hash: &str, admin: bool) -> Result<bool, RegistryError> {
        Ok(self.exec(
            "INSERT INTO users VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            &[name.into(), hash.into(), admin.into(), now().into()],
        )? > 0)
    }

    /// A user by name.
    pub fn user(&self, name: &str) -> Result<Option<UserRow>, RegistryError> {
        Ok(self
            .row(
                "SELECT name, hash, admin FROM users WHERE name=?1",
                &[name.into()],
            )?
            .map(|r| UserRow {
                name: r[0].t(),
                hash: r[1].t(),
                admin: r[2].i() != 0,
            }))
    }

    /// Create a project; false when it exists.
    pub fn create_project(&self, name: &str, public: bool) -> Result<bool, RegistryError> {
        Ok(self.exec(
            "INSERT INTO projects (name, public, created) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            &[name.into(), public.into(), now().into()],
        )? > 0)
    }

    /// A project's public flag, or `None` when it does not exist.
    pub fn project_public(&self, name: &str) -> Result<Option<bool>, RegistryError> {
        Ok(self
            .row("SELECT public FROM projects WHERE name=?1", &[name.into()])?
            .map(|r| r[0].i() != 0))
    }

    /// All projects with their public flag.
    pub fn projects(&self) -> Result<Vec<(String, bool)>, RegistryError> {
        Ok(self
            .rows("SELECT name, public FROM projects ORDER BY name", &[])?
            .iter()
            .map(|r| (r[0].t(), r[1].i() != 0))
            .collect())
    }

    /// Set a member's role in a project.
    pub fn set_member(&self, project: &str, user: &str, role: &str) -> Result<(), RegistryError> {
        self.exec(
            r#"INSERT INTO members VALUES (?1, ?2, ?3) ON CONFLICT (project, "user") DO UPDATE SET role = excluded.role"#,
            &[project.into(), user.into(), role.into()],
        )?;
        Ok(())
    }

    /// A user's role name in a project.
    pub fn member_role(&self, project: &str, user: &str) -> Result<Option<String>, RegistryError> {
        Ok(self
            .row(
                r#"SELECT role FROM members WHERE project=?1 AND "user"=?2"#,
                &[project.into(), user.into()],
            )?
            .map(|r| r[0].t()))
    }

    /// Members of a project with their role names.
    pub fn members(&self, project: &str) -> Result<Vec<(String, String)>, RegistryError> {
        Ok(self
            .rows(
                r#"SELECT "user", role FROM members WHERE project=?1 ORDER BY "user""#,
                &[project.into()],
            )?
            .iter()
            .map(|r| (r[0].t(), r[1].t()))
            .collect())
    }

    /// Create a robot; false when the name is taken.
    pub fn create_robot(&self, r: &RobotRow) -> Result<bool, RegistryError> {
        Ok(self.exec(
            "INSERT INTO robots VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
            &[
                (&r.name).into(),
                (&r.project).into(),
                (&r.hash).into(),
                (&r.scopes).into(),
                r.expires.into(),
                now().into(),
            ],
        )? > 0)
    }

    /// A robot by full name.
    pub fn robot(&self, name: &str) -> Result<Option<RobotRow>, RegistryError> {
        Ok(self
            .row(
                "SELECT name, project, hash, scopes, expires FROM robots WHERE name=?1",
                &[name.into()],
            )?
            .map(|r| RobotRow {
                name: r[0].t(),
                project: r[1].t(),
                hash: r[2].t(),
                scopes: r[3].t(),
                expires: r[4].oi(),
            }))
    }

    /// Append to the audit log: `chain(prev_hash) -> (entry, hash)` is called inside the
    /// transaction with the last entry's hash, so concurrent appends (of any process sharing
    /// the database) cannot fork the chain.
    pub fn audit_append(
        &self,
        chain: impl FnOnce(i64, &str) -> (String, String) + Send,
    ) -> Result<i64, RegistryError> {
        self.tx(true, |tx| {
            let last = tx.row(
                "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                &[],
            )?;
            let (seq, prev) = match last {
                Some(r) => (r[0].i() + 1, r[1].t()),
                None => (1, String::new()),
            };
            let (entry, hash) = chain(seq, &prev);
            tx.exec(
                "INSERT INTO audit VALUES (?1, ?2, ?3, ?4)",
                &[seq.into(), entry.into(), prev.into(), (&hash).into()],
            )?;
            tx.exec(
                "INSERT INTO settings VALUES ('audit_head', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[format!("{seq}:{hash}").into()],
            )?;
            Ok(seq)
        })
    }

    /// Audit entries with `seq > after`, oldest first, at most `limit`.
    pub fn audit_rows(
        &self,
        after: i64,
        limit_n: Option<usize>,
    ) -> Result<Vec<AuditRow>, RegistryError> {
        Ok(self
            .rows(
                "SELECT seq, entry, prev, hash FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                &[after.into(), limit(limit_n)],
            )?
            .iter()
            .map(|r| AuditRow {
                seq: r[0].i(),
                entry: r[1].t(),
                prev: r[2].t(),
                hash: r[3].t(),
            })
            .collect())
    }

    /// Blob links older than `before` that no manifest in their repository is, or refers to:
    /// the garbage collector's candidates (repository, digest, size).
    pub fn unreferenced_links(
        &self,
        before: i64,
    ) -> Result<Vec<(String, String, u64)>, RegistryError> {
        Ok(self
            .rows(
                "SELECT rb.repo, rb.digest, rb.size FROM repo_blobs rb WHERE rb.linked < ?1
             AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repo = rb.repo AND m.digest = rb.digest)
             AND NOT EXISTS (SELECT 1 FROM manifest_refs r WHERE r.repo = rb.repo AND r.child = rb.digest)
             ORDER BY rb.repo, rb.digest",
                &[before.into()],
            )?
            .iter()
            .map(|r| (r[0].t(), r[1].t(), r[2].i() as u64))
            .collect())
    }

    /// Whether any repository still links a blob.
    pub fn blob_linked_anywhere(&self, d: &str) -> Result<bool, RegistryError> {
        Ok(self
            .row(
                "SELECT 1 FROM repo_blobs WHERE digest=?1 LIMIT 1",
                &[d.into()],
            )?
            .is_some())
    }

    /// A project's quota in bytes (`None`: unlimited) and its usage: the sizes of the distinct
    /// blobs (manifests included) linked in its repositories, each counted once however many
    /// repositories share it.
    pub fn project_usage(&self, project: &str) -> Result<(Option<u64>, u64), RegistryError> {
        self.tx(false, |t| {
            let quota = t
                .row("SELECT quota FROM projects WHERE name=?1", &[project.into()])?
                .and_then(|r| r[0].oi());
            let used = t
                .row(
                    "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM (SELECT digest, MAX(size) AS size
                     FROM repo_blobs WHERE repo = ?1 OR repo LIKE ?2 ESCAPE '\\' GROUP BY digest) AS u",
                    &[project.into(), under(project).into()],
                )?
                .map(|r| r[0].i())
                .unwrap_or(0);
            Ok((quota.map(|q| q as u64), used as u64))
        })
    }

    /// Whether blob `d` is already linked somewhere in `project`.
    pub fn linked_in_project(&self, project: &str, d: &str) -> Result<bool, RegistryError> {
        Ok(self
            .row(
                "SELECT 1 FROM repo_blobs WHERE digest = ?3 AND (repo = ?1 OR repo LIKE ?2 ESCAPE '\\') LIMIT 1",
                &[project.into(), under(project).into(), d.into()],
            )?
            .is_some())
    }

    /// Set a project's quota (`None`: unlimited) and immutable tag patterns.
    pub fn set_project_rules(
        &self,
        project: &str,
        quota: Option<u64>,
        immutable: &[String],
    ) -> Result<bool, RegistryError> {
        Ok(self.exec(
            "UPDATE projects SET quota=?2, immutable=?3 WHERE name=?1",
            &[
                project.into(),
                quota.map(|q| q as i64).into(),
                immutable.join("\n").into(),
            ],
        )? > 0)
    }

    /// A project's immutable tag patterns.
    pub fn immutable_patterns(&self, project: &str) -> Result<Vec<String>, RegistryError> {
        let text = self
            .row(
                "SELECT immutable FROM projects WHERE name=?1",
                &[project.into()],
            )?
            .map(|r| r[0].t());
        Ok(text
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// Tags of every repository with their digest and update time, for retention.
    pub fn all_tags(
        &self,
        project: &str,
    ) -> Result<Vec<(String, String, String, i64)>, RegistryError> {
        Ok(self
            .rows(
                "SELECT repo, tag, digest, updated FROM tags WHERE repo = ?1 OR repo LIKE ?2 ESCAPE '\\'
             ORDER BY repo, updated DESC, tag",
                &[project.into(), under(project).into()],
            )?
            .iter()
            .map(|r| (r[0].t(), r[1].t(), r[2].t(), r[3].i()))
            .collect())
    }

    /// How many repositories link a blob.
    pub fn link_count(&self, d: &str) -> Result<usize, RegistryError> {
        Ok(self
            .row(
                "SELECT COUNT(*) FROM repo_blobs WHERE digest=?1",
                &[d.into()],
            )?
            .map_or(0, |r| r[0].i() as usize))
    }

    /// Tags of `repo` pointing at digest `d`.
    pub fn tags_of(&self, repo: &str, d: &str) -> Result<Vec<String>, RegistryError> {
        self.strings(
            "SELECT tag FROM tags WHERE repo=?1 AND digest=?2 ORDER BY tag",
            &[repo.into(), d.into()],
        )
    }

    /// Upload sessions started before `before`.
    pub fn stale_uploads(&self, before: i64) -> Result<Vec<String>, RegistryError> {
        self.strings(
            "SELECT id FROM uploads WHERE started < ?1 ORDER BY id",
            &[before.into()],
        )
    }
}
