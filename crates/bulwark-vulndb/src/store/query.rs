//! Reading a built database: the lookups the matcher and `bulwark db` make.

#[allow(unused_imports)]
use super::*;

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
        if !path.exists() && std::fs::symlink_metadata(path).is_err() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        // Identity before use: a regular file (a FIFO would block SQLite's open), with SQLite's
        // header (else SQLite's "file is not a database" comes later, from some query), and
        // Bulwark's schema marker below.
        bulwark_input::check(path, bulwark_input::DocKind::Database)?;
        if !bulwark_input::is_sqlite(path)? {
            return Err(StoreError::NotBulwark {
                path: path.to_path_buf(),
                reason: "no SQLite header".into(),
            });
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
        let version: Option<String> = match conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
        {
            Ok(v) => v,
            Err(e) => {
                return Err(StoreError::NotBulwark {
                    path: path.to_path_buf(),
                    reason: format!("an SQLite database without Bulwark's `meta` table: {e}"),
                })
            }
        };
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

pub(super) fn read_sources(conn: &Connection) -> Result<Vec<SourceInfo>, StoreError> {
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
