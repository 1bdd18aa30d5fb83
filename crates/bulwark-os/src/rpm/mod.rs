//! rpm packages from the rpm database in any of its three on-disk formats: Berkeley DB hash
//! (`Packages`), SQLite (`rpmdb.sqlite`) and NDB (`Packages.db`).
//!
//! Hand-written, in pure Rust: there is no maintained pure-Rust rpmdb reader (the `rpm` crate
//! reads package files, not the database), and linking librpm would drag in a C toolchain,
//! Berkeley DB and the host's rpm configuration. The formats are detected from the file's magic
//! bytes, not its name.

mod bdb;
pub mod header;
pub mod manifest;
mod ndb;
mod sqlite;

use bulwark_catalog::{
    CatalogContext, Cataloger, EntryMeta, Hit, Package, PackageKind, Parsed, SourcePackage, Stage,
};

pub use header::{decode as decode_header, HeaderError, RpmHeader};

use crate::layers::DbHistory;
use crate::purl;

/// Database locations, in the order preferred when more than one is visible.
const DB_PATHS: &[&str] = &[
    "/usr/lib/sysimage/rpm/rpmdb.sqlite",
    "/var/lib/rpm/rpmdb.sqlite",
    "/usr/lib/sysimage/rpm/Packages.db",
    "/var/lib/rpm/Packages.db",
    "/usr/lib/sysimage/rpm/Packages",
    "/var/lib/rpm/Packages",
];

/// A real rpmdb is rarely above a few hundred MiB.
const MAX_DB: u64 = 1024 * 1024 * 1024;

/// Raw header blobs from a database, with problems met on the way.
#[derive(Debug, Default)]
pub struct Blobs {
    /// Header blobs, in storage order.
    pub blobs: Vec<Vec<u8>>,
    /// Records that could not be read.
    pub warnings: Vec<String>,
}

/// Why a database could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpmDbError {
    /// Not the format it claims, or its structure is broken.
    #[error("{0}")]
    Format(String),
    /// SQLite refused the database.
    #[error("sqlite: {0}")]
    Sqlite(String),
}

/// The on-disk format of an rpm database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbFormat {
    /// Berkeley DB hash.
    Bdb,
    /// SQLite.
    Sqlite,
    /// NDB.
    Ndb,
}

/// Detect the format from the first bytes.
pub fn detect(data: &[u8]) -> Option<DbFormat> {
    if sqlite::looks_like(data) {
        Some(DbFormat::Sqlite)
    } else if ndb::looks_like(data) {
        Some(DbFormat::Ndb)
    } else if bdb::looks_like(data) {
        Some(DbFormat::Bdb)
    } else {
        None
    }
}

/// A database's decoded packages.
#[derive(Debug, Default)]
pub struct RpmDb {
    /// Decoded headers, in storage order.
    pub packages: Vec<RpmHeader>,
    /// Records skipped, with why.
    pub warnings: Vec<String>,
}

/// Read every package of an rpm database held in memory. Records whose structure or header
/// is inconsistent are skipped and reported in [`RpmDb::warnings`].
pub fn read_db(data: &[u8]) -> Result<RpmDb, RpmDbError> {
    let blobs = match detect(data) {
        Some(DbFormat::Sqlite) => sqlite::read(data)?,
        Some(DbFormat::Ndb) => ndb::read(data)?,
        Some(DbFormat::Bdb) => bdb::read(data)?,
        None => return Err(RpmDbError::Format("unknown rpm database format".into())),
    };
    let mut db = RpmDb {
        packages: Vec::with_capacity(blobs.blobs.len()),
        warnings: blobs.warnings,
    };
    for (i, blob) in blobs.blobs.iter().enumerate() {
        match header::decode(blob) {
            Ok(h) => db.packages.push(h),
            Err(e) => db
                .warnings
                .push(format!("record {i}: corrupt header, skipped: {e}")),
        }
    }
    Ok(db)
}

/// `bash-5.1.8-6.el9.src.rpm` -> (`bash`, `5.1.8-6.el9`).
pub fn split_source_rpm(s: &str) -> Option<(String, String)> {
    let base = s
        .strip_suffix(".src.rpm")
        .or_else(|| s.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = base.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    Some((name.to_string(), format!("{version}-{release}")))
}

/// `epoch:version-release`, the identity used for layer attribution.
fn evr(h: &RpmHeader) -> String {
    match h.epoch {
        Some(e) => format!("{e}:{}-{}", h.version, h.release),
        None => format!("{}-{}", h.version, h.release),
    }
}

/// The rpm cataloger ([`Stage::Os`]).
#[derive(Debug, Default)]
pub struct RpmCataloger;

type RpmKey = (String, Option<String>, String);

impl Cataloger for RpmCataloger {
    fn name(&self) -> &'static str {
        "rpm"
    }

    fn stage(&self) -> Stage {
        Stage::Os
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        DB_PATHS.contains(&entry.path) && entry.size <= MAX_DB
    }

    fn read(&self, _entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        Box::new(read_db(data))
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<Hit>) {
        let mut by_path: Vec<(String, usize, bool, Result<RpmDb, RpmDbError>)> = hits
            .into_iter()
            .filter_map(|h| {
                let db = h.parsed.downcast::<Result<RpmDb, RpmDbError>>().ok()?;
                Some((h.path, h.layer, h.visible, *db))
            })
            .collect();
        by_path.sort_by_key(|(_, l, _, _)| *l);
        // The preferred visible database that could be read.
        let chosen = DB_PATHS.iter().find(|p| {
            by_path
                .iter()
                .any(|(path, _, vis, db)| path == *p && *vis && db.is_ok())
        });
        for (path, _, vis, db) in &by_path {
            if let (true, Err(e)) = (*vis, db) {
                ctx.warn(self.name(), path, format!("rpm database unreadable: {e}"));
            }
        }
        let Some(chosen) = chosen else {
            return;
        };
        let copies: Vec<&(String, usize, bool, Result<RpmDb, RpmDbError>)> =
            by_path.iter().filter(|(p, _, _, _)| p == chosen).collect();
        let Some((_, vis_layer, _, Ok(db))) = copies.iter().find(|c| c.2).copied() else {
            return;
        };
        for w in &db.warnings {
            ctx.warn(self.name(), chosen, w.clone());
        }
        let history: DbHistory<RpmKey> = DbHistory::new(
            copies
                .iter()
                .filter(|c| c.1 <= *vis_layer)
                .filter_map(|c| {
                    let db = c.3.as_ref().ok()?;
                    Some((
                        c.1,
                        db.packages
                            .iter()
                            .map(|h| ((h.name.clone(), h.arch.clone(), evr(h)), evr(h)))
                            .collect(),
                    ))
                })
                .collect(),
        );
        let distro = ctx.distro.clone();
        let namespace = purl::namespace("rpm", distro.as_ref());
        let distro_q = purl::distro_qualifier(distro.as_ref());
        for h in &db.packages {
            let version = format!("{}-{}", h.version, h.release);
            let mut pkg = Package::new(
                PackageKind::Rpm,
                &h.name,
                &version,
                purl::build(
                    "rpm",
                    namespace.as_deref(),
                    &h.name,
                    &version,
                    &[
                        ("arch", h.arch.clone()),
                        ("epoch", h.epoch.map(|e| e.to_string())),
                        ("distro", distro_q.clone()),
                        ("upstream", h.source_rpm.clone()),
                    ],
                ),
                *chosen,
            );
            pkg.epoch = h.epoch;
            pkg.arch = h.arch.clone();
            pkg.source =
                h.source_rpm
                    .as_deref()
                    .and_then(split_source_rpm)
                    .map(|(name, version)| SourcePackage {
                        name,
                        version: Some(version),
                    });
            pkg.licenses = h.license.iter().cloned().collect();
            let e = evr(h);
            pkg.layer = Some(
                history
                    .layer_of(&(h.name.clone(), h.arch.clone(), e.clone()), &e)
                    .unwrap_or(*vis_layer),
            );
            let meta = [
                ("vendor", h.vendor.clone()),
                ("modularity_label", h.modularity_label.clone()),
                ("source_rpm", h.source_rpm.clone()),
                ("size", h.size.map(|s| s.to_string())),
                ("build_time", h.build_time.map(|s| s.to_string())),
                ("install_time", h.install_time.map(|s| s.to_string())),
                ("digest_algorithm", h.digest_algorithm.clone()),
            ];
            for (k, v) in meta {
                if let Some(v) = v.filter(|v| !v.is_empty()) {
                    pkg.metadata.insert(k.to_string(), v);
                }
            }
            pkg.files = h.files.clone();
            ctx.os_owned_files.extend(pkg.files.iter().cloned());
            ctx.packages.push(pkg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_rpm_names() {
        assert_eq!(
            split_source_rpm("util-linux-2.32.1-42.el8.src.rpm"),
            Some(("util-linux".into(), "2.32.1-42.el8".into()))
        );
        assert_eq!(split_source_rpm("garbage"), None);
        assert_eq!(split_source_rpm("-1-2.src.rpm"), None);
    }
}
