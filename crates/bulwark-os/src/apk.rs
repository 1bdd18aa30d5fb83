//! Alpine / Wolfi packages from `/lib/apk/db/installed`.
//!
//! Hand-written parser: the installed database is a line-oriented `X:value` format documented
//! only by apk-tools' source (<https://wiki.alpinelinux.org/wiki/Apk_spec>); no maintained crate
//! reads it.
//!
//! The installed database does not say which repository a package came from. A package pinned
//! to a *tagged* repository is visible in `/etc/apk/world` as `name@tag` (the tag is declared in
//! `/etc/apk/repositories` as `@tag URL`); such packages get the metadata `repository_tag` and,
//! when the tag is declared, `repository` (the URL). Dependencies apk pulled from the tagged
//! repository on the pinned package's behalf are not identified: apk records that nowhere.

use std::collections::{BTreeSet, HashMap};

use bulwark_catalog::{
    CatalogContext, Cataloger, EntryMeta, Hit, Package, PackageKind, Parsed, SourcePackage, Stage,
};

use crate::layers::DbHistory;
use crate::purl;

const INSTALLED: &str = "/lib/apk/db/installed";
/// Real databases are a few MiB.
const MAX_INSTALLED: u64 = 256 * 1024 * 1024;
const WORLD: &str = "/etc/apk/world";
const REPOSITORIES: &str = "/etc/apk/repositories";
/// Real world and repositories files are a few KiB; anything larger is not read (and said so).
const MAX_CONFIG: u64 = 1024 * 1024;
/// Warnings kept per parsed configuration file; the rest are counted.
const MAX_CONFIG_WARNINGS: usize = 20;
/// Tags and URLs longer than this are not real and are rejected.
const MAX_TOKEN: usize = 4096;

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

/// A `/etc/apk/world` entry pinned to a tagged repository (`name@tag`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedDependency {
    /// The name asked for (a package name or a name a package provides).
    pub name: String,
    /// The repository tag, without `@`.
    pub tag: String,
}

/// The tagged entries of a parsed `/etc/apk/world`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApkWorld {
    /// Tagged entries, in file order (untagged and conflict `!name` entries are left out).
    pub tagged: Vec<TaggedDependency>,
    /// Rejected entries.
    pub warnings: Vec<String>,
}

/// Parse `/etc/apk/world`: whitespace-separated dependencies `[!]name[@tag][op version]` (op one
/// of `<`, `>`, `=`, `~` and their combinations), as apk-tools' `apk_blob_pull_dep` reads them.
/// Only tagged entries are kept; an entry with an empty name or tag, or an over-long one, is
/// reported and skipped.
pub fn parse_world(text: &str) -> ApkWorld {
    let mut world = ApkWorld::default();
    let mut rejected = 0usize;
    for token in text.split_whitespace() {
        // A conflict (`!name@tag`) forbids a package; it installs nothing.
        if token.starts_with('!') {
            continue;
        }
        let name_tag = token.split(['<', '>', '=', '~']).next().unwrap_or_default();
        let Some((name, tag)) = name_tag.split_once('@') else {
            continue;
        };
        let problem = if name.is_empty() || tag.is_empty() {
            Some("empty name or tag")
        } else if tag.contains('@') {
            Some("more than one tag")
        } else if token.len() > MAX_TOKEN {
            Some("entry too long")
        } else {
            None
        };
        match problem {
            Some(p) => {
                rejected += 1;
                if world.warnings.len() < MAX_CONFIG_WARNINGS {
                    world
                        .warnings
                        .push(format!("skipped world entry {:?}: {p}", short(token)));
                }
            }
            None => world.tagged.push(TaggedDependency {
                name: name.to_string(),
                tag: tag.to_string(),
            }),
        }
    }
    if rejected > world.warnings.len() {
        world.warnings.push(format!(
            "{} more malformed world entries skipped",
            rejected - world.warnings.len()
        ));
    }
    world
}

/// The tagged repositories of a parsed `/etc/apk/repositories`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApkRepositories {
    /// `(tag without @, repository)` in file order; the repository is the rest of the line
    /// (normally one URL or path), whitespace collapsed.
    pub tagged: Vec<(String, String)>,
    /// Rejected lines.
    pub warnings: Vec<String>,
}

impl ApkRepositories {
    /// The repository declared for `tag` (the first declaration, as apk uses).
    pub fn repository(&self, tag: &str) -> Option<&str> {
        self.tagged
            .iter()
            .find(|(t, _)| t == tag)
            .map(|(_, r)| r.as_str())
    }
}

/// Parse `/etc/apk/repositories`: one repository a line, `#` comments, tagged repositories
/// written `@tag URL`. Untagged lines are the default repositories and are not kept.
pub fn parse_repositories(text: &str) -> ApkRepositories {
    let mut repos = ApkRepositories::default();
    let mut rejected = 0usize;
    for (idx, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let Some(rest) = line.strip_prefix('@') else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let tag = words.next().unwrap_or_default();
        let repo = words.collect::<Vec<_>>().join(" ");
        let problem = if tag.is_empty() || repo.is_empty() {
            Some("a tag needs a name and a repository")
        } else if tag.len() > MAX_TOKEN || repo.len() > MAX_TOKEN {
            Some("line too long")
        } else {
            None
        };
        match problem {
            Some(p) => {
                rejected += 1;
                if repos.warnings.len() < MAX_CONFIG_WARNINGS {
                    repos.warnings.push(format!(
                        "line {}: skipped {:?}: {p}",
                        idx.saturating_add(1),
                        short(line)
                    ));
                }
            }
            None => repos.tagged.push((tag.to_string(), repo)),
        }
    }
    if rejected > repos.warnings.len() {
        repos.warnings.push(format!(
            "{} more malformed repository lines skipped",
            rejected - repos.warnings.len()
        ));
    }
    repos
}

/// What [`ApkCataloger::read`] returns for each wanted file.
enum ApkFile {
    Installed(ApkDb),
    World(ApkWorld),
    Repositories(ApkRepositories),
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
        match entry.path {
            INSTALLED => entry.size <= MAX_INSTALLED,
            WORLD | REPOSITORIES => entry.size <= MAX_CONFIG,
            _ => false,
        }
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        let text = String::from_utf8_lossy(data);
        Box::new(match entry.path {
            WORLD => ApkFile::World(parse_world(&text)),
            REPOSITORIES => ApkFile::Repositories(parse_repositories(&text)),
            _ => ApkFile::Installed(parse_installed(&text)),
        })
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<Hit>) {
        let mut copies: Vec<(usize, bool, ApkDb)> = Vec::new();
        // Only the copies a container sees count: apk reads the final world and repositories.
        let mut world: Option<ApkWorld> = None;
        let mut repos: Option<ApkRepositories> = None;
        for h in hits {
            let (layer, visible) = (h.layer, h.visible);
            let Ok(file) = h.parsed.downcast::<ApkFile>() else {
                continue;
            };
            match *file {
                ApkFile::Installed(db) => copies.push((layer, visible, db)),
                ApkFile::World(w) if visible => world = Some(w),
                ApkFile::Repositories(r) if visible => repos = Some(r),
                _ => {}
            }
        }
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
        for path in [WORLD, REPOSITORIES] {
            if ctx.view.get(path).is_some_and(|n| n.size > MAX_CONFIG) {
                ctx.warn(
                    self.name(),
                    path,
                    format!("larger than {MAX_CONFIG} bytes: not read; repository tags unknown"),
                );
            }
        }
        let world = world.unwrap_or_default();
        let repos = repos.unwrap_or_default();
        for w in &world.warnings {
            ctx.warn(self.name(), WORLD, w.clone());
        }
        for w in &repos.warnings {
            ctx.warn(self.name(), REPOSITORIES, w.clone());
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
        // Package name -> the tag its world entry pins it to (the first entry wins).
        let mut tags: HashMap<&str, &str> = HashMap::new();
        for t in &world.tagged {
            let Some(p) = provider.get(t.name.as_str()) else {
                // A world entry that is not installed (yet) has nothing to mark.
                continue;
            };
            match tags.get(p.name.as_str()) {
                Some(old) if *old != t.tag => ctx.warn(
                    self.name(),
                    WORLD,
                    format!(
                        "{} is pinned to both @{old} and @{}; keeping @{old}",
                        p.name, t.tag
                    ),
                ),
                Some(_) => {}
                None => {
                    tags.insert(&p.name, &t.tag);
                }
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
            if let Some(tag) = tags.get(e.name.as_str()) {
                pkg.metadata
                    .insert("repository_tag".to_string(), tag.to_string());
                if let Some(repo) = repos.repository(tag) {
                    pkg.metadata
                        .insert("repository".to_string(), repo.to_string());
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

    #[test]
    fn world_entries_with_tags() {
        let w = parse_world(
            "alpine-base busybox\nnginx@edge\tfoo@testing>=1.2-r0 bar@corp=2.0-r1\n\
             !old@edge so:libz.so.1@corp baz~1.0 pinned@t><Q1abc= @notag empty@ a@b@c\n",
        );
        let got: Vec<(&str, &str)> = w
            .tagged
            .iter()
            .map(|t| (t.name.as_str(), t.tag.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("nginx", "edge"),
                ("foo", "testing"),
                ("bar", "corp"),
                ("so:libz.so.1", "corp"),
                ("pinned", "t"),
            ]
        );
        assert_eq!(
            w.warnings,
            [
                "skipped world entry \"@notag\": empty name or tag",
                "skipped world entry \"empty@\": empty name or tag",
                "skipped world entry \"a@b@c\": more than one tag",
            ]
        );
    }

    #[test]
    fn repositories_with_tags() {
        let r = parse_repositories(
            "# comment\nhttps://dl-cdn.alpinelinux.org/alpine/v3.18/main\n\
             @edge https://dl-cdn.alpinelinux.org/alpine/edge/main\n  @corp   https://apk.example.com/repo  \n\
             @edge https://other.example/edge\n@lonely\n",
        );
        assert_eq!(
            r.tagged,
            [
                (
                    "edge".to_string(),
                    "https://dl-cdn.alpinelinux.org/alpine/edge/main".to_string()
                ),
                (
                    "corp".to_string(),
                    "https://apk.example.com/repo".to_string()
                ),
                ("edge".to_string(), "https://other.example/edge".to_string()),
            ]
        );
        assert_eq!(
            r.repository("edge"),
            Some("https://dl-cdn.alpinelinux.org/alpine/edge/main")
        );
        assert_eq!(r.repository("testing"), None);
        assert_eq!(
            r.warnings,
            ["line 6: skipped \"@lonely\": a tag needs a name and a repository"]
        );
    }

    #[test]
    fn warnings_are_bounded() {
        let text = "@x ".repeat(1000);
        let w = parse_world(&text);
        assert!(w.tagged.is_empty());
        assert_eq!(w.warnings.len(), MAX_CONFIG_WARNINGS + 1);
        assert_eq!(
            w.warnings.last().map(String::as_str),
            Some("980 more malformed world entries skipped")
        );
        let r = parse_repositories(&"@\n".repeat(50));
        assert_eq!(r.warnings.len(), MAX_CONFIG_WARNINGS + 1);
        assert_eq!(
            r.warnings.last().map(String::as_str),
            Some("30 more malformed repository lines skipped")
        );
    }
}
