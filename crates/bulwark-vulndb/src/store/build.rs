//! Building a database: a temporary file beside the target, filled, verified and renamed
//! over it.

#[allow(unused_imports)]
use super::*;

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

    pub(crate) fn insert_advisory(&mut self, a: Advisory) -> Result<(), StoreError> {
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

    pub(crate) fn insert_enrichment(&mut self, e: Enrichment) -> Result<(), StoreError> {
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
