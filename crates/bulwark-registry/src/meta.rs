//! Metadata in SQLite: repositories, blob links, manifests, tags, upload sessions, users,
//! projects, members, robots, settings and the audit log. One connection behind a mutex, WAL
//! journal, every multi-row change in one transaction, so a `kill -9` leaves either the old or
//! the new state.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

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
CREATE TABLE IF NOT EXISTS members (project TEXT NOT NULL, user TEXT NOT NULL, role TEXT NOT NULL,
  PRIMARY KEY (project, user));
CREATE TABLE IF NOT EXISTS robots (name TEXT PRIMARY KEY, project TEXT NOT NULL, hash TEXT NOT NULL,
  scopes TEXT NOT NULL, expires INTEGER, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
"#;

/// The metadata database.
#[derive(Debug)]
pub struct Meta {
    conn: Mutex<Connection>,
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
    /// Open or create the database at `path`.
    pub fn open(path: &Path) -> Result<Meta, RegistryError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Meta {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll
        // back), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Link a blob to a repository (creating the repository).
    pub fn link_blob(&self, repo: &str, d: &Digest, size: u64) -> Result<(), RegistryError> {
        let c = self.lock();
        c.execute(
            "INSERT OR IGNORE INTO repos VALUES (?1, ?2)",
            params![repo, now()],
        )?;
        c.execute(
            "INSERT INTO repo_blobs VALUES (?1, ?2, ?3, ?4) ON CONFLICT (repo, digest) DO UPDATE SET linked = excluded.linked",
            params![repo, d.as_str(), size as i64, now()],
        )?;
        Ok(())
    }

    /// The size of a blob linked to `repo`, or `None`.
    pub fn blob_size(&self, repo: &str, d: &Digest) -> Result<Option<u64>, RegistryError> {
        let c = self.lock();
        let r: Option<i64> = c
            .query_row(
                "SELECT size FROM repo_blobs WHERE repo=?1 AND digest=?2",
                params![repo, d.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(r.map(|s| s as u64))
    }

    /// Unlink a blob from a repository; whether it was linked.
    pub fn unlink_blob(&self, repo: &str, d: &Digest) -> Result<bool, RegistryError> {
        let c = self.lock();
        Ok(c.execute(
            "DELETE FROM repo_blobs WHERE repo=?1 AND digest=?2",
            params![repo, d.as_str()],
        )? > 0)
    }

    /// Whether a repository exists.
    pub fn repo_exists(&self, repo: &str) -> Result<bool, RegistryError> {
        let c = self.lock();
        Ok(
            c.query_row("SELECT 1 FROM repos WHERE name=?1", params![repo], |_| {
                Ok(())
            })
            .optional()?
            .is_some(),
        )
    }

    /// Record a manifest (and its tag) in one transaction.
    pub fn put_manifest(&self, m: &NewManifest<'_>) -> Result<(), RegistryError> {
        let mut c = self.lock();
        let tx = c.transaction()?;
        let t = now();
        tx.execute(
            "INSERT OR IGNORE INTO repos VALUES (?1, ?2)",
            params![m.repo, t],
        )?;
        tx.execute(
            "INSERT OR REPLACE INTO manifests VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                m.repo,
                m.digest.as_str(),
                m.media_type,
                m.size as i64,
                m.artifact_type,
                m.subject,
                m.annotations,
                t
            ],
        )?;
        tx.execute(
            "INSERT INTO repo_blobs VALUES (?1, ?2, ?3, ?4) ON CONFLICT (repo, digest) DO UPDATE SET linked = excluded.linked",
            params![m.repo, m.digest.as_str(), m.size as i64, t],
        )?;
        for child in &m.children {
            tx.execute(
                "INSERT OR IGNORE INTO manifest_refs VALUES (?1, ?2, ?3)",
                params![m.repo, m.digest.as_str(), child],
            )?;
        }
        if let Some(tag) = m.tag {
            tx.execute(
                "INSERT OR REPLACE INTO tags VALUES (?1, ?2, ?3, ?4)",
                params![m.repo, tag, m.digest.as_str(), t],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The digest a tag points at.
    pub fn tag_digest(&self, repo: &str, tag: &str) -> Result<Option<String>, RegistryError> {
        let c = self.lock();
        Ok(c.query_row(
            "SELECT digest FROM tags WHERE repo=?1 AND tag=?2",
            params![repo, tag],
            |r| r.get(0),
        )
        .optional()?)
    }

    /// A manifest by digest.
    pub fn manifest(&self, repo: &str, d: &str) -> Result<Option<ManifestRow>, RegistryError> {
        let c = self.lock();
        let row: Option<(String, String, i64)> = c
            .query_row(
                "SELECT digest, media_type, size FROM manifests WHERE repo=?1 AND digest=?2",
                params![repo, d],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(row.and_then(|(d, m, s)| {
            Digest::parse(&d).map(|digest| ManifestRow {
                digest,
                media_type: m,
                size: s as u64,
            })
        }))
    }

    /// Delete a manifest and every tag pointing at it; whether it existed.
    pub fn delete_manifest(&self, repo: &str, d: &Digest) -> Result<bool, RegistryError> {
        let mut c = self.lock();
        let tx = c.transaction()?;
        let n = tx.execute(
            "DELETE FROM manifests WHERE repo=?1 AND digest=?2",
            params![repo, d.as_str()],
        )?;
        tx.execute(
            "DELETE FROM tags WHERE repo=?1 AND digest=?2",
            params![repo, d.as_str()],
        )?;
        tx.execute(
            "DELETE FROM manifest_refs WHERE repo=?1 AND manifest=?2",
            params![repo, d.as_str()],
        )?;
        tx.execute(
            "DELETE FROM repo_blobs WHERE repo=?1 AND digest=?2",
            params![repo, d.as_str()],
        )?;
        tx.commit()?;
        Ok(n > 0)
    }

    /// Delete one tag; whether it existed.
    pub fn delete_tag(&self, repo: &str, tag: &str) -> Result<bool, RegistryError> {
        let c = self.lock();
        Ok(c.execute(
            "DELETE FROM tags WHERE repo=?1 AND tag=?2",
            params![repo, tag],
        )? > 0)
    }

    /// Tags of a repository in lexical order, after `last`, at most `n`.
    pub fn tags(
        &self,
        repo: &str,
        last: Option<&str>,
        n: Option<usize>,
    ) -> Result<Vec<String>, RegistryError> {
        let c = self.lock();
        let mut st =
            c.prepare("SELECT tag FROM tags WHERE repo=?1 AND tag > ?2 ORDER BY tag LIMIT ?3")?;
        let limit = n.map(|n| n as i64).unwrap_or(-1);
        let rows = st.query_map(params![repo, last.unwrap_or(""), limit], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<String>, _>>()?)
    }

    /// Repository names in lexical order after `last`.
    pub fn repos_after(&self, last: Option<&str>) -> Result<Vec<String>, RegistryError> {
        let c = self.lock();
        let mut st = c.prepare("SELECT name FROM repos WHERE name > ?1 ORDER BY name")?;
        let rows = st.query_map(params![last.unwrap_or("")], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<String>, _>>()?)
    }

    /// Manifests in `repo` whose subject is `subject`, optionally of one artifact type.
    pub fn referrers(
        &self,
        repo: &str,
        subject: &str,
        artifact_type: Option<&str>,
    ) -> Result<Vec<ReferrerRow>, RegistryError> {
        let c = self.lock();
        let mut st = c.prepare(
            "SELECT digest, media_type, size, artifact_type, annotations FROM manifests
             WHERE repo=?1 AND subject=?2 AND (?3 IS NULL OR artifact_type=?3) ORDER BY digest",
        )?;
        let rows = st.query_map(params![repo, subject, artifact_type], |r| {
            Ok(ReferrerRow {
                digest: r.get(0)?,
                media_type: r.get(1)?,
                size: r.get::<_, i64>(2)? as u64,
                artifact_type: r.get(3)?,
                annotations: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Record a new upload session.
    pub fn create_upload(&self, id: &str, repo: &str) -> Result<(), RegistryError> {
        let c = self.lock();
        c.execute(
            "INSERT INTO uploads VALUES (?1, ?2, ?3)",
            params![id, repo, now()],
        )?;
        Ok(())
    }

    /// The repository an upload session belongs to.
    pub fn upload_repo(&self, id: &str) -> Result<Option<String>, RegistryError> {
        let c = self.lock();
        Ok(
            c.query_row("SELECT repo FROM uploads WHERE id=?1", params![id], |r| {
                r.get(0)
            })
            .optional()?,
        )
    }

    /// Forget an upload session.
    pub fn delete_upload(&self, id: &str) -> Result<(), RegistryError> {
        let c = self.lock();
        c.execute("DELETE FROM uploads WHERE id=?1", params![id])?;
        Ok(())
    }

    /// A setting's value.
    pub fn setting(&self, key: &str) -> Result<Option<String>, RegistryError> {
        let c = self.lock();
        Ok(c.query_row(
            "SELECT value FROM settings WHERE key=?1",
            params![key],
            |r| r.get(0),
        )
        .optional()?)
    }

    /// Set a setting only when it is absent; returns the value now stored.
    pub fn setting_init(&self, key: &str, value: &str) -> Result<String, RegistryError> {
        let c = self.lock();
        c.execute(
            "INSERT OR IGNORE INTO settings VALUES (?1, ?2)",
            params![key, value],
        )?;
        Ok(c.query_row(
            "SELECT value FROM settings WHERE key=?1",
            params![key],
            |r| r.get(0),
        )?)
    }

    /// Create a user; false when the name is taken.
    pub fn create_user(&self, name: &str, hash: &str, admin: bool) -> Result<bool, RegistryError> {
        let c = self.lock();
        Ok(c.execute(
            "INSERT OR IGNORE INTO users VALUES (?1, ?2, ?3, ?4)",
            params![name, hash, admin, now()],
        )? > 0)
    }

    /// A user by name.
    pub fn user(&self, name: &str) -> Result<Option<UserRow>, RegistryError> {
        let c = self.lock();
        Ok(c.query_row(
            "SELECT name, hash, admin FROM users WHERE name=?1",
            params![name],
            |r| {
                Ok(UserRow {
                    name: r.get(0)?,
                    hash: r.get(1)?,
                    admin: r.get(2)?,
                })
            },
        )
        .optional()?)
    }

    /// Create a project; false when it exists.
    pub fn create_project(&self, name: &str, public: bool) -> Result<bool, RegistryError> {
        let c = self.lock();
        Ok(c.execute(
            "INSERT OR IGNORE INTO projects (name, public, created) VALUES (?1, ?2, ?3)",
            params![name, public, now()],
        )? > 0)
    }

    /// A project's public flag, or `None` when it does not exist.
    pub fn project_public(&self, name: &str) -> Result<Option<bool>, RegistryError> {
        let c = self.lock();
        Ok(c.query_row(
            "SELECT public FROM projects WHERE name=?1",
            params![name],
            |r| r.get(0),
        )
        .optional()?)
    }

    /// All projects with their public flag.
    pub fn projects(&self) -> Result<Vec<(String, bool)>, RegistryError> {
        let c = self.lock();
        let mut st = c.prepare("SELECT name, public FROM projects ORDER BY name")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Set a member's role in a project.
    pub fn set_member(&self, project: &str, user: &str, role: &str) -> Result<(), RegistryError> {
        let c = self.lock();
        c.execute(
            "INSERT OR REPLACE INTO members VALUES (?1, ?2, ?3)",
            params![project, user, role],
        )?;
        Ok(())
    }

    /// A user's role name in a project.
    pub fn member_role(&self, project: &str, user: &str) -> Result<Option<String>, RegistryError> {
        let c = self.lock();
        Ok(c.query_row(
            "SELECT role FROM members WHERE project=?1 AND user=?2",
            params![project, user],
            |r| r.get(0),
        )
        .optional()?)
    }

    /// Members of a project with their role names.
    pub fn members(&self, project: &str) -> Result<Vec<(String, String)>, RegistryError> {
        let c = self.lock();
        let mut st = c.prepare("SELECT user, role FROM members WHERE project=?1 ORDER BY user")?;
        let rows = st.query_map(params![project], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Create a robot; false when the name is taken.
    pub fn create_robot(&self, r: &RobotRow) -> Result<bool, RegistryError> {
        let c = self.lock();
        Ok(c.execute(
            "INSERT OR IGNORE INTO robots VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![r.name, r.project, r.hash, r.scopes, r.expires, now()],
        )? > 0)
    }

    /// A robot by full name.
    pub fn robot(&self, name: &str) -> Result<Option<RobotRow>, RegistryError> {
        let c = self.lock();
        Ok(c.query_row(
            "SELECT name, project, hash, scopes, expires FROM robots WHERE name=?1",
            params![name],
            |r| {
                Ok(RobotRow {
                    name: r.get(0)?,
                    project: r.get(1)?,
                    hash: r.get(2)?,
                    scopes: r.get(3)?,
                    expires: r.get(4)?,
                })
            },
        )
        .optional()?)
    }

    /// Append to the audit log: `chain(prev_hash) -> (entry, hash)` is called inside the
    /// transaction with the last entry's hash, so concurrent appends cannot fork the chain.
    pub fn audit_append(
        &self,
        chain: impl FnOnce(i64, &str) -> (String, String),
    ) -> Result<i64, RegistryError> {
        let mut c = self.lock();
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let last: Option<(i64, String)> = tx
            .query_row(
                "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (seq, prev) = match last {
            Some((s, h)) => (s + 1, h),
            None => (1, String::new()),
        };
        let (entry, hash) = chain(seq, &prev);
        tx.execute(
            "INSERT INTO audit VALUES (?1, ?2, ?3, ?4)",
            params![seq, entry, prev, hash],
        )?;
        tx.execute(
            "INSERT OR REPLACE INTO settings VALUES ('audit_head', ?1)",
            params![format!("{seq}:{hash}")],
        )?;
        tx.commit()?;
        Ok(seq)
    }

    /// Audit entries with `seq > after`, oldest first, at most `limit`.
    pub fn audit_rows(
        &self,
        after: i64,
        limit: Option<usize>,
    ) -> Result<Vec<AuditRow>, RegistryError> {
        let c = self.lock();
        let mut st = c.prepare(
            "SELECT seq, entry, prev, hash FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = st.query_map(params![after, limit.map(|n| n as i64).unwrap_or(-1)], |r| {
            Ok(AuditRow {
                seq: r.get(0)?,
                entry: r.get(1)?,
                prev: r.get(2)?,
                hash: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Blob links older than `before` that no manifest in their repository is, or refers to:
    /// the garbage collector's candidates (repository, digest, size).
    pub fn unreferenced_links(
        &self,
        before: i64,
    ) -> Result<Vec<(String, String, u64)>, RegistryError> {
        let c = self.lock();
        let mut st = c.prepare(
            "SELECT rb.repo, rb.digest, rb.size FROM repo_blobs rb WHERE rb.linked < ?1
             AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repo = rb.repo AND m.digest = rb.digest)
             AND NOT EXISTS (SELECT 1 FROM manifest_refs r WHERE r.repo = rb.repo AND r.child = rb.digest)
             ORDER BY rb.repo, rb.digest",
        )?;
        let rows = st.query_map(params![before], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Whether any repository still links a blob.
    pub fn blob_linked_anywhere(&self, d: &str) -> Result<bool, RegistryError> {
        let c = self.lock();
        Ok(c.query_row(
            "SELECT 1 FROM repo_blobs WHERE digest=?1 LIMIT 1",
            params![d],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
    }

    /// A project's quota in bytes (`None`: unlimited) and its usage: the sizes of the distinct
    /// blobs (manifests included) linked in its repositories, each counted once however many
    /// repositories share it.
    pub fn project_usage(&self, project: &str) -> Result<(Option<u64>, u64), RegistryError> {
        let c = self.lock();
        let quota: Option<i64> = c
            .query_row(
                "SELECT quota FROM projects WHERE name=?1",
                params![project],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let like = format!("{}/%", project.replace('%', "").replace('_', "\\_"));
        let used: i64 = c.query_row(
            "SELECT COALESCE(SUM(size), 0) FROM (SELECT digest, MAX(size) AS size FROM repo_blobs
             WHERE repo = ?1 OR repo LIKE ?2 ESCAPE '\\' GROUP BY digest)",
            params![project, like],
            |r| r.get(0),
        )?;
        Ok((quota.map(|q| q as u64), used as u64))
    }

    /// Whether blob `d` is already linked somewhere in `project`.
    pub fn linked_in_project(&self, project: &str, d: &str) -> Result<bool, RegistryError> {
        let c = self.lock();
        let like = format!("{}/%", project.replace('%', "").replace('_', "\\_"));
        Ok(c
            .query_row(
                "SELECT 1 FROM repo_blobs WHERE digest = ?3 AND (repo = ?1 OR repo LIKE ?2 ESCAPE '\\') LIMIT 1",
                params![project, like, d],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Set a project's quota (`None`: unlimited) and immutable tag patterns.
    pub fn set_project_rules(
        &self,
        project: &str,
        quota: Option<u64>,
        immutable: &[String],
    ) -> Result<bool, RegistryError> {
        let c = self.lock();
        Ok(c.execute(
            "UPDATE projects SET quota=?2, immutable=?3 WHERE name=?1",
            params![project, quota.map(|q| q as i64), immutable.join("\n")],
        )? > 0)
    }

    /// A project's immutable tag patterns.
    pub fn immutable_patterns(&self, project: &str) -> Result<Vec<String>, RegistryError> {
        let c = self.lock();
        let text: Option<String> = c
            .query_row(
                "SELECT immutable FROM projects WHERE name=?1",
                params![project],
                |r| r.get(0),
            )
            .optional()?;
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
        let c = self.lock();
        let like = format!("{}/%", project.replace('%', "").replace('_', "\\_"));
        let mut st = c.prepare(
            "SELECT repo, tag, digest, updated FROM tags WHERE repo = ?1 OR repo LIKE ?2 ESCAPE '\\'
             ORDER BY repo, updated DESC, tag",
        )?;
        let rows = st.query_map(params![project, like], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// How many repositories link a blob.
    pub fn link_count(&self, d: &str) -> Result<usize, RegistryError> {
        let c = self.lock();
        let n: i64 = c.query_row(
            "SELECT COUNT(*) FROM repo_blobs WHERE digest=?1",
            params![d],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// Tags of `repo` pointing at digest `d`.
    pub fn tags_of(&self, repo: &str, d: &str) -> Result<Vec<String>, RegistryError> {
        let c = self.lock();
        let mut st = c.prepare("SELECT tag FROM tags WHERE repo=?1 AND digest=?2 ORDER BY tag")?;
        let rows = st.query_map(params![repo, d], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<String>, _>>()?)
    }

    /// Upload sessions started before `before`.
    pub fn stale_uploads(&self, before: i64) -> Result<Vec<String>, RegistryError> {
        let c = self.lock();
        let mut st = c.prepare("SELECT id FROM uploads WHERE started < ?1 ORDER BY id")?;
        let rows = st.query_map(params![before], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<String>, _>>()?)
    }
}
