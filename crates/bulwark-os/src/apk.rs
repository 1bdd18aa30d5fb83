//! Alpine / Wolfi packages from `/lib/apk/db/installed`.
//!
//! Hand-written parser: the installed database is a line-oriented `X:value` format documented
//! only by apk-tools' source (<https://wiki.alpinelinux.org/wiki/Apk_spec>); no maintained crate
//! reads it.

use std::collections::{BTreeSet, HashMap};

use bulwark_catalog::{
    CatalogContext, Cataloger, EntryMeta, Hit, Package, PackageKind, Parsed, SourcePackage, Stage,
};

use crate::layers::DbHistory;
use crate::purl;

const INSTALLED: &str = "/lib/apk/db/installed";
/// Real databases are a few MiB.
const MAX_INSTALLED: u64 = 256 * 1024 * 1024;

/// One package stanza.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApkEntry {
    /// `P:`.
    pub name: String,
    /// `V:`.
    pub version: String,
    /// `A:`.
    pub arch: Option<String>,
    /// `L:`, raw.
    pub license: Option<String>,
    /// `o:` (source package).
    pub origin: Option<String>,
    /// `m:`.
    pub maintainer: Option<String>,
    /// `c:` (aports commit).
    pub commit: Option<String>,
    /// `t:` (build time, Unix seconds).
    pub build_time: Option<String>,
    /// `C:` as `sha1:<hex>` when it is the usual `Q1` + base64 SHA-1, else raw.
    pub checksum: Option<String>,
    /// `D:` entries (names, `so:` and `cmd:` names, without version constraints; conflicts
    /// `!x` dropped).
    pub depends: Vec<String>,
    /// `p:` entries, without versions.
    pub provides: Vec<String>,
    /// Files: `F:` directory + `R:` name, absolute.
    pub files: Vec<String>,
}

/// A parsed installed database.
#[derive(Debug, Clone, Default)]
pub struct ApkDb {
    /// Packages.
    pub entries: Vec<ApkEntry>,
    /// Rejected stanzas.
    pub warnings: Vec<String>,
}

/// Parse an installed database. A stanza with a malformed line or without `P:`/`V:` is
/// reported and skipped.
pub fn parse_installed(text: &str) -> ApkDb {
    let mut db = ApkDb::default();
    let mut cur = ApkEntry::default();
    let mut dir = String::new();
    let mut start = 0usize;
    let mut bad: Option<String> = None;
    let mut any = false;
    let finish = |db: &mut ApkDb,
                  cur: &mut ApkEntry,
                  bad: &mut Option<String>,
                  any: &mut bool,
                  start: usize| {
        let e = std::mem::take(cur);
        if let Some(b) = bad.take() {
            db.warnings
                .push(format!("line {start}: skipped malformed stanza: {b}"));
        } else if *any {
            if e.name.is_empty() || e.version.is_empty() {
                db.warnings.push(format!(
                    "line {start}: skipped stanza without name or version ({:?})",
                    e.name
                ));
            } else {
                db.entries.push(e);
            }
        }
        *any = false;
    };
    for (idx, raw) in text.lines().enumerate() {
        let lineno = idx.saturating_add(1);
        let line = raw.trim_end_matches('\r');
        if line.is_empty() {
            finish(&mut db, &mut cur, &mut bad, &mut any, start);
            dir.clear();
            continue;
        }
        if !any {
            start = lineno;
            any = true;
        }
        if bad.is_some() {
            continue;
        }
        let mut chars = line.chars();
        let (Some(key), Some(':')) = (chars.next(), chars.next()) else {
            bad = Some(format!("line {lineno} is not a field: {:?}", short(line)));
            continue;
        };
        let value = chars.as_str();
        let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
        match key {
            'P' => cur.name = value.to_string(),
            'V' => cur.version = value.to_string(),
            'A' => cur.arch = opt(value),
            'L' => cur.license = opt(value),
            'o' => cur.origin = opt(value),
            'm' => cur.maintainer = opt(value),
            'c' => cur.commit = opt(value),
            't' => cur.build_time = opt(value),
            'C' => cur.checksum = opt(value).map(|c| checksum(&c)),
            'D' => cur.depends.extend(
                value
                    .split_whitespace()
                    .filter(|d| !d.starts_with('!'))
                    .map(strip_constraint),
            ),
            'p' => cur
                .provides
                .extend(value.split_whitespace().map(strip_constraint)),
            'F' => dir = value.trim_matches('/').to_string(),
            'R' => cur.files.push(if dir.is_empty() {
                format!("/{value}")
            } else {
                format!("/{dir}/{value}")
            }),
            _ => {}
        }
    }
    finish(&mut db, &mut cur, &mut bad, &mut any, start);
    db
}

fn short(s: &str) -> String {
    s.chars().take(60).collect()
}

/// `so:libc.musl-x86_64.so.1=1` / `musl>=1.2` -> the name.
fn strip_constraint(d: &str) -> String {
    d.split(['=', '<', '>', '~'])
        .next()
        .unwrap_or(d)
        .to_string()
}

/// `Q1<base64 sha1>` -> `sha1:<hex>`; anything else is kept as found.
fn checksum(c: &str) -> String {
    c.strip_prefix("Q1")
        .and_then(base64_decode)
        .filter(|b| b.len() == 20)
        .map(|b| {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            format!("sha1:{hex}")
        })
        .unwrap_or_else(|| c.to_string())
}

/// Standard base64 with padding; `None` on any invalid character. Twelve lines do not justify a
/// dependency.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in s.bytes() {
        acc = (acc << 6) | val(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The apk cataloger ([`Stage::Os`]).
#[derive(Debug, Default)]
pub struct ApkCataloger;

impl Cataloger for ApkCataloger {
    fn name(&self) -> &'static str {
        "apk"
    }

    fn stage(&self) -> Stage {
        Stage::Os
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        entry.path == INSTALLED && entry.size <= MAX_INSTALLED
    }

    fn read(&self, _entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        Box::new(parse_installed(&String::from_utf8_lossy(data)))
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<Hit>) {
        let mut copies: Vec<(usize, bool, ApkDb)> = hits
            .into_iter()
            .filter_map(|h| {
                let db = h.parsed.downcast::<ApkDb>().ok()?;
                Some((h.layer, h.visible, *db))
            })
            .collect();
        copies.sort_by_key(|(l, _, _)| *l);
        let Some(vis_idx) = copies.iter().position(|(_, v, _)| *v) else {
            return;
        };
        let history = DbHistory::new(
            copies
                .iter()
                .take(vis_idx.saturating_add(1))
                .map(|(l, _, db)| {
                    (
                        *l,
                        db.entries
                            .iter()
                            .map(|e| (e.name.clone(), e.version.clone()))
                            .collect(),
                    )
                })
                .collect(),
        );
        let Some((vis_layer, _, db)) = copies.get(vis_idx) else {
            return;
        };
        for w in &db.warnings {
            ctx.warn(self.name(), INSTALLED, w.clone());
        }
        let distro = ctx.distro.clone();
        let namespace = purl::namespace("apk", distro.as_ref());
        let distro_q = purl::distro_qualifier(distro.as_ref());
        let mut provider: HashMap<&str, &ApkEntry> = HashMap::new();
        for e in &db.entries {
            provider.insert(&e.name, e);
        }
        for e in &db.entries {
            for p in &e.provides {
                provider.entry(p).or_insert(e);
            }
        }
        for e in &db.entries {
            let mut pkg = Package::new(
                PackageKind::Apk,
                &e.name,
                &e.version,
                purl::build(
                    "apk",
                    namespace.as_deref(),
                    &e.name,
                    &e.version,
                    &[("arch", e.arch.clone()), ("distro", distro_q.clone())],
                ),
                INSTALLED,
            );
            pkg.arch = e.arch.clone();
            pkg.source = Some(SourcePackage {
                name: e.origin.clone().unwrap_or_else(|| e.name.clone()),
                version: Some(e.version.clone()),
            });
            pkg.licenses = e.license.iter().cloned().collect();
            pkg.layer = Some(history.layer_of(&e.name, &e.version).unwrap_or(*vis_layer));
            pkg.files = e.files.clone();
            let meta = [
                ("origin", &e.origin),
                ("maintainer", &e.maintainer),
                ("commit", &e.commit),
                ("build_time", &e.build_time),
                ("checksum", &e.checksum),
            ];
            for (k, v) in meta {
                if let Some(v) = v {
                    pkg.metadata.insert(k.to_string(), v.clone());
                }
            }
            let deps: BTreeSet<String> = e
                .depends
                .iter()
                .filter_map(|d| provider.get(d.as_str()))
                .filter(|p| p.name != e.name)
                .map(|p| format!("{}@{}", p.name, p.version))
                .collect();
            pkg.depends_on = deps.into_iter().collect();
            ctx.os_owned_files.extend(pkg.files.iter().cloned());
            ctx.packages.push(pkg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stanzas_files_and_errors() {
        let text = "C:Q11otALzX1d1D0kVawy06IairTXS0=\nP:musl\nV:1.1.14-r10\nF:lib\nR:a.so\nF:usr/lib\nR:b\n\nP:noversion\n\nP:x\nV:1\nbroken\n\nR:top\nP:y\nV:2\nD:musl so:z !w\n";
        let db = parse_installed(text);
        assert_eq!(db.entries.len(), 2, "{:?}", db.entries);
        let m = &db.entries[0];
        assert_eq!(m.files, vec!["/lib/a.so", "/usr/lib/b"]);
        assert_eq!(
            m.checksum.as_deref(),
            Some("sha1:d68b402f35f57750f49156b0cb4e886a2ad35d2d")
        );
        assert_eq!(db.entries[1].files, vec!["/top"]);
        assert_eq!(db.entries[1].depends, vec!["musl", "so:z"]);
        assert_eq!(db.warnings.len(), 2);
    }
}
