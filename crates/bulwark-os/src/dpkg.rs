//! Debian packages: `/var/lib/dpkg/status`, distroless `status.d/*`, file lists from
//! `info/*.list` (and `status.d/*.md5sums`), licenses from `/usr/share/doc/<pkg>/copyright`.

use std::collections::{BTreeSet, HashMap};

use bulwark_catalog::{
    CatalogContext, Cataloger, EntryMeta, Hit, NodeKind, Package, PackageKind, Parsed,
    SourcePackage, Stage,
};

use crate::layers::DbHistory;
use crate::{deb822, license, purl};

const STATUS: &str = "/var/lib/dpkg/status";
const STATUS_D: &str = "/var/lib/dpkg/status.d/";
const INFO: &str = "/var/lib/dpkg/info/";
const DOC: &str = "/usr/share/doc/";

/// Largest status file read (real ones are a few MiB).
const MAX_STATUS: u64 = 256 * 1024 * 1024;
/// Largest file list or copyright file read.
const MAX_AUX: u64 = 32 * 1024 * 1024;

/// Package states whose files are (at least partly) on disk: dpkg-query lists them, and so do
/// we. `not-installed` and `config-files` (only conffiles left after `remove`) are skipped.
const PRESENT_STATES: &[&str] = &[
    "installed",
    "half-configured",
    "unpacked",
    "half-installed",
    "triggers-awaited",
    "triggers-pending",
];

/// One installed package from a status stanza.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpkgEntry {
    /// `Package`.
    pub name: String,
    /// `Version`, with epoch.
    pub version: String,
    /// `Architecture`.
    pub arch: Option<String>,
    /// Source name (`Source:` or the package name).
    pub source_name: String,
    /// Source version (from `Source: name (version)`, else the binary version).
    pub source_version: String,
    /// `Maintainer`.
    pub maintainer: Option<String>,
    /// `Installed-Size` in KiB, as written.
    pub installed_size: Option<String>,
    /// Third word of `Status`.
    pub state: String,
    /// `Depends` and `Pre-Depends`, as alternative groups of package names.
    pub depends: Vec<Vec<String>>,
    /// `Provides` names.
    pub provides: Vec<String>,
    /// `License` (opkg writes it inline; dpkg never does).
    pub license: Option<String>,
}

/// A parsed status file: its packages and the stanzas that were rejected.
#[derive(Debug, Clone, Default)]
pub struct StatusFile {
    /// Installed packages.
    pub entries: Vec<DpkgEntry>,
    /// Problems, for `ctx.warn`.
    pub warnings: Vec<String>,
}

/// What `read` keeps from each file.
#[derive(Debug)]
enum DpkgFile {
    Status(StatusFile),
    /// Files listed by `info/*.list` or `status.d/*.md5sums`, absolute.
    Files(Vec<String>),
    /// Licenses from a copyright file.
    Licenses(Vec<String>),
}

/// Parse a dpkg status file (or a `status.d` entry). Stanzas that are malformed or lack a name
/// or version are reported in [`StatusFile::warnings`] and skipped; packages that are not
/// present on disk (`config-files`, `not-installed`) are left out.
pub fn parse_status(text: &str) -> StatusFile {
    let mut out = StatusFile::default();
    for st in deb822::parse(text) {
        let st = match st {
            Ok(st) => st,
            Err(e) => {
                out.warnings.push(format!("skipped malformed stanza: {e}"));
                continue;
            }
        };
        // vcpkg writes a "status" file in the same syntax (claircore's TestNotDB): its ports
        // have an Abi field and "Type: Port", which no dpkg package has.
        if st.get("Abi").is_some() || st.get("Type").is_some_and(|t| t == "Port") {
            out.entries.clear();
            out.warnings
                .push("not a dpkg database (vcpkg port stanzas)".to_string());
            return out;
        }
        let name = st.get("Package").unwrap_or("").trim();
        if name.is_empty() {
            out.warnings
                .push(format!("line {}: stanza without Package, skipped", st.line));
            continue;
        }
        // Distroless status.d entries may omit Status: they only hold installed packages.
        let status = st.get("Status").unwrap_or("install ok installed");
        let state = status.split_whitespace().nth(2).unwrap_or("");
        if !PRESENT_STATES.contains(&state) {
            continue;
        }
        let version = st.get("Version").unwrap_or("").trim();
        if version.is_empty() {
            out.warnings.push(format!(
                "line {}: package {name} has no Version, skipped",
                st.line
            ));
            continue;
        }
        let (source_name, source_version) = match st.get("Source").map(str::trim) {
            Some(src) if !src.is_empty() => match src.split_once('(') {
                Some((n, v)) => (
                    n.trim().to_string(),
                    v.trim().trim_end_matches(')').trim().to_string(),
                ),
                None => (src.to_string(), version.to_string()),
            },
            _ => (name.to_string(), version.to_string()),
        };
        let mut depends = Vec::new();
        for field in ["Pre-Depends", "Depends"] {
            if let Some(v) = st.get(field) {
                depends.extend(parse_relations(v));
            }
        }
        let provides = st
            .get("Provides")
            .map(|v| {
                parse_relations(v)
                    .into_iter()
                    .filter_map(|g| g.into_iter().next())
                    .collect()
            })
            .unwrap_or_default();
        out.entries.push(DpkgEntry {
            name: name.to_string(),
            version: version.to_string(),
            arch: st
                .get("Architecture")
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string),
            source_name,
            source_version,
            maintainer: st.get("Maintainer").map(str::to_string),
            installed_size: st.get("Installed-Size").map(str::to_string),
            state: state.to_string(),
            depends,
            provides,
            license: st
                .get("License")
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        });
    }
    out
}

/// `a (>= 1) | b:any, c` -> `[[a, b], [c]]`.
fn parse_relations(v: &str) -> Vec<Vec<String>> {
    v.split(',')
        .map(|group| {
            group
                .split('|')
                .filter_map(|alt| {
                    let name = alt.split_whitespace().next()?;
                    let name = name.split(['(', '[', '<']).next()?;
                    let name = name.split(':').next()?;
                    (!name.is_empty()).then(|| name.to_string())
                })
                .collect::<Vec<_>>()
        })
        .filter(|g| !g.is_empty())
        .collect()
}

/// Lines of a `.list` file, or the paths of a `.md5sums` file (`<md5>  <path>`), absolute.
fn parse_file_list(text: &str, md5sums: bool) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let p = if md5sums {
                l.split_once(char::is_whitespace)?.1.trim_start()
            } else {
                l
            };
            let p = p.trim_end_matches('\r');
            if p.is_empty() || p == "/." {
                return None;
            }
            Some(if p.starts_with('/') {
                p.to_string()
            } else {
                format!("/{p}")
            })
        })
        .collect()
}

/// The dpkg cataloger ([`Stage::Os`]).
#[derive(Debug, Default)]
pub struct DpkgCataloger;

impl Cataloger for DpkgCataloger {
    fn name(&self) -> &'static str {
        "dpkg"
    }

    fn stage(&self) -> Stage {
        Stage::Os
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        let p = entry.path;
        if p == STATUS || p.strip_prefix(STATUS_D).is_some_and(|n| !n.contains('/')) {
            return entry.size <= MAX_STATUS;
        }
        if let Some(rest) = p.strip_prefix(INFO) {
            return rest.ends_with(".list") && !rest.contains('/') && entry.size <= MAX_AUX;
        }
        if let Some(rest) = p.strip_prefix(DOC) {
            return rest
                .strip_suffix("/copyright")
                .is_some_and(|pkg| !pkg.is_empty() && !pkg.contains('/'))
                && entry.size <= MAX_AUX;
        }
        false
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        let text = String::from_utf8_lossy(data);
        let p = entry.path;
        let parsed = if p.starts_with(INFO) {
            DpkgFile::Files(parse_file_list(&text, false))
        } else if p.starts_with(DOC) {
            DpkgFile::Licenses(license::from_copyright(&text))
        } else if p.starts_with(STATUS_D) && p.ends_with(".md5sums") {
            DpkgFile::Files(parse_file_list(&text, true))
        } else {
            DpkgFile::Status(parse_status(&text))
        };
        Box::new(parsed)
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<Hit>) {
        // Status databases by path: every copy (for layer attribution) and the visible one.
        let mut dbs: HashMap<String, Vec<(usize, bool, StatusFile)>> = HashMap::new();
        let mut lists: HashMap<String, (usize, Vec<String>)> = HashMap::new();
        let mut md5sums: HashMap<String, Vec<String>> = HashMap::new();
        let mut licenses: HashMap<String, Vec<String>> = HashMap::new();
        for hit in hits {
            let Ok(parsed) = hit.parsed.downcast::<DpkgFile>() else {
                continue;
            };
            match *parsed {
                DpkgFile::Status(s) => {
                    dbs.entry(hit.path)
                        .or_default()
                        .push((hit.layer, hit.visible, s));
                }
                DpkgFile::Files(f) if hit.visible => {
                    if let Some(stem) = hit
                        .path
                        .strip_prefix(INFO)
                        .and_then(|n| n.strip_suffix(".list"))
                    {
                        lists.insert(stem.to_string(), (hit.layer, f));
                    } else if let Some(stem) = hit
                        .path
                        .strip_prefix(STATUS_D)
                        .and_then(|n| n.strip_suffix(".md5sums"))
                    {
                        md5sums.insert(stem.to_string(), f);
                    }
                }
                DpkgFile::Licenses(l) if hit.visible => {
                    licenses.insert(hit.path, l);
                }
                _ => {}
            }
        }
        let distro = ctx.distro.clone();
        let namespace = purl::namespace("deb", distro.as_ref());
        let distro_q = purl::distro_qualifier(distro.as_ref());
        let mut paths: Vec<&String> = dbs.keys().collect();
        paths.sort();
        // (database path, layer from the database history if known, layer of the visible
        // database, entry)
        let mut found: Vec<(String, Option<usize>, usize, DpkgEntry)> = Vec::new();
        for path in paths {
            let Some(copies) = dbs.get(path) else {
                continue;
            };
            let Some((vis_layer, _, visible)) = copies.iter().find(|(_, v, _)| *v) else {
                continue;
            };
            for w in &visible.warnings {
                ctx.warn(self.name(), path, w.clone());
            }
            let history = DbHistory::new(
                copies
                    .iter()
                    .filter(|(l, _, _)| l <= vis_layer)
                    .map(|(l, _, s)| {
                        (
                            *l,
                            s.entries
                                .iter()
                                .map(|e| ((e.name.clone(), e.arch.clone()), e.version.clone()))
                                .collect(),
                        )
                    })
                    .collect(),
            );
            for e in &visible.entries {
                let key = (e.name.clone(), e.arch.clone());
                let layer = history.layer_of(&key, &e.version);
                found.push((path.clone(), layer, *vis_layer, e.clone()));
            }
        }
        // Installed names and what they provide, to resolve dependencies to package ids.
        let mut by_name: HashMap<&str, &str> = HashMap::new();
        let mut providers: HashMap<&str, &str> = HashMap::new();
        for (_, _, _, e) in &found {
            by_name.insert(&e.name, &e.name);
            for p in &e.provides {
                providers.entry(p).or_insert(&e.name);
            }
        }
        let versions: HashMap<&str, &str> = found
            .iter()
            .map(|(_, _, _, e)| (e.name.as_str(), e.version.as_str()))
            .collect();
        let mut packages = Vec::with_capacity(found.len());
        for (path, layer, vis_layer, e) in &found {
            let mut pkg = Package::new(
                PackageKind::Deb,
                &e.name,
                &e.version,
                purl::build(
                    "deb",
                    namespace.as_deref(),
                    &e.name,
                    &e.version,
                    &[("arch", e.arch.clone()), ("distro", distro_q.clone())],
                ),
                path,
            );
            pkg.arch = e.arch.clone();
            pkg.source = Some(SourcePackage {
                name: e.source_name.clone(),
                version: Some(e.source_version.clone()),
            });
            pkg.layer = *layer;
            if let Some(m) = &e.maintainer {
                pkg.metadata.insert("maintainer".into(), m.clone());
            }
            if let Some(s) = &e.installed_size {
                pkg.metadata.insert("installed_size".into(), s.clone());
            }
            if e.state != "installed" {
                pkg.metadata.insert("state".into(), e.state.clone());
            }
            let mut deps = BTreeSet::new();
            for group in &e.depends {
                let hit = group.iter().find_map(|alt| {
                    by_name
                        .get(alt.as_str())
                        .or_else(|| providers.get(alt.as_str()))
                        .copied()
                });
                if let Some(dep) = hit.filter(|d| *d != e.name) {
                    if let Some(v) = versions.get(dep) {
                        deps.insert(format!("{dep}@{v}"));
                    }
                }
            }
            pkg.depends_on = deps.into_iter().collect();
            // Files: info/<name>:<arch>.list (multi-arch same), info/<name>.list, or the
            // distroless status.d/<name>.md5sums.
            let with_arch = e.arch.as_ref().map(|a| format!("{}:{a}", e.name));
            let list = with_arch
                .as_ref()
                .and_then(|k| lists.get(k))
                .or_else(|| lists.get(&e.name));
            let files = if let Some((list_layer, files)) = list {
                // Fallback when the database history cannot tell: the layer that wrote the
                // package's file list.
                if pkg.layer.is_none() {
                    pkg.layer = Some(*list_layer);
                }
                Some(files)
            } else if path.starts_with(STATUS_D) {
                let stem = path.strip_prefix(STATUS_D).unwrap_or("");
                md5sums.get(stem).or_else(|| md5sums.get(&e.name))
            } else {
                None
            };
            if let Some(files) = files {
                pkg.files = files
                    .iter()
                    .filter(|f| {
                        !ctx.view
                            .get(f)
                            .is_some_and(|n| matches!(n.kind, NodeKind::Dir))
                    })
                    .cloned()
                    .collect();
            }
            // /usr/share/doc/<pkg> is often a symlink to the doc directory of the package's
            // source sibling (libgcc-s1 -> gcc-12-base): follow it through the view.
            let copyright = format!("{DOC}{}/copyright", e.name);
            let l = licenses.get(&copyright).or_else(|| {
                let (resolved, _) = ctx.view.resolve(&copyright)?;
                licenses.get(&resolved)
            });
            if let Some(l) = l {
                pkg.licenses = l.clone();
            }
            if pkg.layer.is_none() {
                pkg.layer = Some(*vis_layer);
            }
            packages.push(pkg);
        }
        for p in &packages {
            ctx.os_owned_files.extend(p.files.iter().cloned());
        }
        ctx.packages.extend(packages);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_with_version_and_states() {
        let text = "Package: a\nStatus: install ok installed\nVersion: 1:2-3+b1\nSource: src (2-3)\nArchitecture: amd64\nDepends: b (>= 1) | c, d:any\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n\nPackage: half\nStatus: install reinstreq half-installed\nVersion: 2\n\nPackage: nov\nStatus: install ok installed\n";
        let s = parse_status(text);
        assert_eq!(s.entries.len(), 2);
        let a = &s.entries[0];
        assert_eq!(
            (a.source_name.as_str(), a.source_version.as_str()),
            ("src", "2-3")
        );
        assert_eq!(
            a.depends,
            vec![vec!["b".to_string(), "c".into()], vec!["d".into()]]
        );
        assert_eq!(s.entries[1].state, "half-installed");
        assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    }
}
