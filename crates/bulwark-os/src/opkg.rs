//! OpenWrt (and other opkg/ipkg systems) packages: `/usr/lib/opkg/status` or
//! `/var/lib/opkg/status`, in dpkg's stanza syntax with the license inline, and the file lists
//! in `info/<name>.list`.
//!
//! What it does not do: match vulnerabilities (no advisory feed covers OpenWrt packages; they
//! are reported so the inventory and SBOMs are complete).

use std::collections::HashMap;

use bulwark_catalog::{
    CatalogContext, Cataloger, EntryMeta, Hit, Package, PackageKind, Parsed, Stage,
};

use crate::dpkg::{parse_status, StatusFile};
use crate::purl;

/// The status databases opkg writes (OpenWrt uses the first; other opkg systems the second),
/// each with its `info/` directory of file lists.
const STATUS: [(&str, &str); 2] = [
    ("/usr/lib/opkg/status", "/usr/lib/opkg/info/"),
    ("/var/lib/opkg/status", "/var/lib/opkg/info/"),
];
/// Largest status or file list read.
const MAX_FILE: u64 = 64 * 1024 * 1024;

/// What `read` keeps from each file.
enum OpkgFile {
    Status(StatusFile),
    /// Absolute paths listed by `info/<name>.list`.
    Files(Vec<String>),
}

/// `info/` directory of a status database path.
fn info_dir(status: &str) -> String {
    format!("{}/info/", status.trim_end_matches("/status"))
}

/// The opkg cataloger ([`Stage::Os`]).
#[derive(Debug, Default)]
pub struct OpkgCataloger;

impl Cataloger for OpkgCataloger {
    fn name(&self) -> &'static str {
        "opkg"
    }

    fn stage(&self) -> Stage {
        Stage::Os
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        if entry.size > MAX_FILE {
            return false;
        }
        // Called for every file of every layer: prefix checks only, no allocation.
        STATUS.iter().any(|(status, info)| {
            entry.path == *status
                || entry
                    .path
                    .strip_prefix(info)
                    .is_some_and(|n| n.ends_with(".list") && !n.contains('/'))
        })
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        let text = String::from_utf8_lossy(data);
        if entry.path.ends_with("/status") {
            Box::new(OpkgFile::Status(parse_status(&text)))
        } else {
            let files = text
                .lines()
                .map(|l| l.split('\t').next().unwrap_or("").trim())
                .filter(|l| l.starts_with('/'))
                .map(str::to_string)
                .collect();
            Box::new(OpkgFile::Files(files))
        }
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<Hit>) {
        let mut dbs = Vec::new();
        let mut lists: HashMap<String, Vec<String>> = HashMap::new();
        for hit in hits {
            if !hit.visible {
                continue;
            }
            let Ok(parsed) = hit.parsed.downcast::<OpkgFile>() else {
                continue;
            };
            match *parsed {
                OpkgFile::Status(s) => dbs.push((hit.path, hit.layer, s)),
                OpkgFile::Files(f) => {
                    lists.insert(hit.path, f);
                }
            }
        }
        let distro = ctx.distro.clone();
        let namespace = purl::namespace("opkg", distro.as_ref())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "openwrt".to_string());
        let distro_q = purl::distro_qualifier(distro.as_ref());
        for (path, layer, db) in dbs {
            for w in &db.warnings {
                ctx.warn(self.name(), &path, w.clone());
            }
            let versions: HashMap<&str, &str> = db
                .entries
                .iter()
                .map(|e| (e.name.as_str(), e.version.as_str()))
                .collect();
            let info = info_dir(&path);
            for e in &db.entries {
                let mut pkg = Package::new(
                    PackageKind::Opkg,
                    &e.name,
                    &e.version,
                    purl::build(
                        "opkg",
                        Some(&namespace),
                        &e.name,
                        &e.version,
                        &[("arch", e.arch.clone()), ("distro", distro_q.clone())],
                    ),
                    path.as_str(),
                );
                pkg.arch = e.arch.clone();
                pkg.layer = Some(layer);
                if let Some(l) = &e.license {
                    pkg.licenses = vec![l.clone()];
                }
                let mut deps: Vec<String> = e
                    .depends
                    .iter()
                    .filter_map(|g| {
                        g.iter()
                            .find_map(|n| versions.get(n.as_str()).map(|v| format!("{n}@{v}")))
                    })
                    .collect();
                deps.sort();
                deps.dedup();
                pkg.depends_on = deps;
                if let Some(files) = lists.get(&format!("{info}{}.list", e.name)) {
                    pkg.files = files.clone();
                    ctx.os_owned_files.extend(files.iter().cloned());
                }
                ctx.packages.push(pkg);
            }
        }
    }
}
