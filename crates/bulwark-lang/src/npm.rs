//! Node.js: installed `node_modules/**/package.json`, `package-lock.json` (v1, v2, v3),
//! `yarn.lock` (classic v1 and berry) and `pnpm-lock.yaml` (5.x, 6.x, 9.x).
//!
//! `yarn.lock` is parsed by hand: the classic format is not YAML (and berry's is a small YAML
//! subset written by one tool), and one line-based parser handles both without pulling a
//! second YAML parser.

use std::collections::{BTreeMap, HashMap, HashSet};

use bulwark_catalog::{
    CatalogContext, Cataloger, EntryMeta, Hit, Package, PackageKind, Parsed, Relationship, Stage,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::python::reachable;
use crate::util::{json_licenses, jstr, pkg, text, tidy};
use crate::{file_name, FileResult, ParseError, LOCKFILE_LIMIT, PACKAGE_JSON_LIMIT};

const KIND: PackageKind = PackageKind::Npm;

// ---------------------------------------------------------------------------------------------
// Installed packages
// ---------------------------------------------------------------------------------------------

/// Whether `path` is the manifest of an installed package: `…/node_modules/<name>/package.json`
/// or `…/node_modules/@scope/<name>/package.json`. Manifests deeper inside a package (`lib/`,
/// test fixtures) and the project's own root `package.json` are not packages.
pub(crate) fn is_installed_package_json(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else {
        return false;
    };
    let mut parts = dir.rsplit('/');
    let (Some(name), Some(parent)) = (parts.next(), parts.next()) else {
        return false;
    };
    if name.is_empty() || name.starts_with('.') {
        return false;
    }
    if parent == "node_modules" {
        return !name.starts_with('@');
    }
    parent.starts_with('@') && parts.next() == Some("node_modules")
}

/// The fields read from an installed `package.json`; values are kept loose (`Value`) because
/// real manifests put objects, arrays and numbers where strings are expected.
#[derive(Deserialize)]
struct Manifest {
    name: Option<Value>,
    version: Option<Value>,
    license: Option<Value>,
    licenses: Option<Value>,
}

/// One installed package from its `package.json`.
pub(crate) fn parse_installed_package_json(
    _path: &str,
    data: &[u8],
) -> Result<FileResult, ParseError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let m: Manifest = serde_json::from_slice(data)?;
    let (Some(Value::String(name)), Some(Value::String(version))) = (&m.name, &m.version) else {
        // npm itself ignores nameless/versionless manifests; so do we, quietly.
        return Ok(FileResult::default());
    };
    if name.is_empty() || version.is_empty() {
        return Ok(FileResult::default());
    }
    let mut p = pkg(KIND, name, version);
    let mut lic = Map::new();
    if let Some(l) = m.license {
        lic.insert("license".into(), l);
    }
    if let Some(l) = m.licenses {
        lic.insert("licenses".into(), l);
    }
    p.licenses = json_licenses(&Value::Object(lic));
    Ok(FileResult {
        packages: vec![p],
        warnings: Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// Lockfiles
// ---------------------------------------------------------------------------------------------

/// Whether `path` is a Node.js lockfile (outside `node_modules`, where published packages'
/// stray lockfiles say nothing about what is installed).
pub(crate) fn is_lockfile(path: &str) -> bool {
    if path.contains("/node_modules/") {
        return false;
    }
    matches!(
        file_name(path),
        "package-lock.json"
            | "npm-shrinkwrap.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | "bun.lock"
            | "deno.lock"
    )
}

/// Whether `path` is a project's own `package.json` (outside `node_modules`), read to give
/// yarn and package-lock v1 packages their relationship.
fn is_project_manifest(path: &str) -> bool {
    file_name(path) == "package.json" && !path.contains("/node_modules/")
}

/// Dependencies of a manifest as (name, range).
type Deps = Vec<(String, String)>;

/// A project's own `package.json`: its name and version (the root component) and its runtime
/// and dev dependencies as (name, range).
#[derive(Default)]
struct ProjectManifest {
    name: Option<String>,
    version: Option<String>,
    prod: Deps,
    dev: Deps,
}

/// What the lockfile cataloger reads from one file.
enum NpmFile {
    /// A lockfile; `roots` maps how a manifest names a dependency (`name@range` for yarn, `name`
    /// for package-lock v1) to the locked id, when the lockfile itself has no relationships.
    Lock(Result<(FileResult, HashMap<String, String>), ParseError>),
    /// A project manifest.
    Manifest(ProjectManifest),
}

/// Parse a lockfile, chosen by file name.
fn read_lockfile(
    path: &str,
    data: &[u8],
) -> Result<(FileResult, HashMap<String, String>), ParseError> {
    match file_name(path) {
        "yarn.lock" => Ok(parse_yarn_lock(data)),
        "pnpm-lock.yaml" => parse_pnpm_lock(data).map(|r| (r, HashMap::new())),
        "bun.lock" => parse_bun_lock(data).map(|r| (r, HashMap::new())),
        "deno.lock" => parse_deno_lock(data).map(|r| (r, HashMap::new())),
        _ => {
            let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
            let top: LockTop = serde_json::from_slice(data)?;
            match top.packages {
                Some(packages) => Ok((package_lock_v2(&packages), HashMap::new())),
                None => parse_package_lock_v1(data),
            }
        }
    }
}

fn read_manifest(data: &[u8]) -> NpmFile {
    let pairs = |v: &Value, keys: &[&str]| -> Deps {
        let mut out = Vec::new();
        for k in keys {
            if let Some(m) = v.get(*k).and_then(Value::as_object) {
                for (n, r) in m {
                    out.push((n.clone(), r.as_str().unwrap_or("").to_string()));
                }
            }
        }
        out
    };
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    match serde_json::from_slice::<Value>(data) {
        Ok(v) => NpmFile::Manifest(ProjectManifest {
            name: jstr(&v, "name")
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            version: jstr(&v, "version").map(str::to_string),
            prod: pairs(
                &v,
                &["dependencies", "optionalDependencies", "peerDependencies"],
            ),
            dev: pairs(&v, &["devDependencies"]),
        }),
        // Not our business to complain about project manifests; no relationships then.
        Err(_) => NpmFile::Manifest(ProjectManifest::default()),
    }
}

/// Node.js lockfiles. For `yarn.lock` and package-lock v1, which do not record what the project
/// itself depends on, the `package.json` beside the lockfile gives direct dependencies, and dev
/// packages are those reachable only from `devDependencies`.
pub struct NpmLockCataloger;

impl Cataloger for NpmLockCataloger {
    fn name(&self) -> &'static str {
        "npm-lockfile"
    }

    fn stage(&self) -> Stage {
        Stage::Language
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        is_lockfile(entry.path) || is_project_manifest(entry.path)
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        let size = entry.size.max(data.len() as u64);
        let manifest = is_project_manifest(entry.path);
        let limit = if manifest {
            PACKAGE_JSON_LIMIT
        } else {
            LOCKFILE_LIMIT
        };
        if size > limit {
            if manifest {
                return Box::new(NpmFile::Manifest(ProjectManifest::default()));
            }
            return Box::new(NpmFile::Lock(Err(ParseError::TooLarge { size, limit })));
        }
        if manifest {
            Box::new(read_manifest(data))
        } else {
            Box::new(NpmFile::Lock(read_lockfile(entry.path, data)))
        }
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<Hit>) {
        let mut manifests: HashMap<String, ProjectManifest> = HashMap::new();
        let mut locks = Vec::new();
        for hit in hits {
            if !hit.visible || ctx.is_os_owned(&hit.path) {
                continue;
            }
            let dir = hit.path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
            let Ok(f) = hit.parsed.downcast::<NpmFile>() else {
                continue;
            };
            match *f {
                NpmFile::Manifest(m) => {
                    manifests.insert(dir, m);
                }
                NpmFile::Lock(l) => locks.push((hit.path, hit.layer, dir, l)),
            }
        }
        for (path, layer, dir, lock) in locks {
            let (mut r, roots) = match lock {
                Ok(x) => x,
                Err(e) => {
                    ctx.warn(self.name(), &path, e.to_string());
                    continue;
                }
            };
            if let Some(m) = manifests.get(&dir) {
                if !roots.is_empty() {
                    apply_manifest(&mut r.packages, &roots, &m.prod, &m.dev);
                }
                add_manifest_root(&mut r.packages, m);
            }
            let extra = r
                .warnings
                .len()
                .saturating_sub(crate::MAX_WARNINGS_PER_FILE);
            for w in r.warnings.into_iter().take(crate::MAX_WARNINGS_PER_FILE) {
                ctx.warn(self.name(), &path, w);
            }
            if extra > 0 {
                ctx.warn(
                    self.name(),
                    &path,
                    format!("{extra} more malformed entries"),
                );
            }
            for mut p in r.packages {
                p.found_in = path.clone();
                p.layer = Some(layer);
                ctx.packages.push(p);
            }
        }
    }
}

/// Set relationships (and, where the lockfile has no dev flags, dev) from the project manifest.
fn apply_manifest(
    packages: &mut [Package],
    roots: &HashMap<String, String>,
    prod: &[(String, String)],
    dev: &[(String, String)],
) {
    let resolve = |(name, range): &(String, String)| -> Option<String> {
        roots
            .get(&format!("{name}@{range}"))
            .or_else(|| roots.get(&format!("{name}@npm:{range}")))
            .or_else(|| roots.get(name))
            .cloned()
    };
    let prod_ids: Vec<String> = prod.iter().filter_map(resolve).collect();
    let dev_ids: Vec<String> = dev.iter().filter_map(resolve).collect();
    let graph: HashMap<String, Vec<String>> = packages
        .iter()
        .map(|p| (p.id(), p.depends_on.clone()))
        .collect();
    let prod_reach = reachable(&graph, &prod_ids);
    let dev_reach = reachable(&graph, &dev_ids);
    let direct: HashSet<&String> = prod_ids.iter().chain(dev_ids.iter()).collect();
    let has_dev_flags = packages.iter().any(|p| p.dev);
    for p in packages.iter_mut() {
        if p.relationship == Some(Relationship::Root) {
            continue;
        }
        let id = p.id();
        p.relationship = Some(if direct.contains(&id) {
            Relationship::Direct
        } else {
            Relationship::Indirect
        });
        if !has_dev_flags {
            p.dev = !prod_reach.contains(&id) && dev_reach.contains(&id);
        }
    }
}

/// The project as the root component, from the `package.json` beside a lockfile that does not
/// name its project itself (yarn, pnpm, package-lock v1): it depends on the direct packages.
fn add_manifest_root(packages: &mut Vec<Package>, m: &ProjectManifest) {
    let direct: Vec<String> = packages
        .iter()
        .filter(|p| p.relationship == Some(Relationship::Direct))
        .map(Package::id)
        .collect();
    let mut roots = packages
        .iter_mut()
        .filter(|p| p.relationship == Some(Relationship::Root))
        .peekable();
    if roots.peek().is_some() {
        // A root the lockfile named (package-lock v1) learns its direct dependencies here.
        for r in roots {
            if r.depends_on.is_empty() {
                r.depends_on = tidy(direct.clone());
            }
        }
        return;
    }
    let Some(name) = &m.name else { return };
    let mut root = pkg(KIND, name, m.version.as_deref().unwrap_or(""));
    root.relationship = Some(Relationship::Root);
    root.depends_on = tidy(direct);
    packages.insert(0, root);
}

/// Collects packages by id, merging duplicates (the same name@version installed at several
/// places): dev only if every copy is dev, the closest relationship wins, dependencies unite.
#[derive(Default)]
struct Collector {
    order: Vec<String>,
    by_id: HashMap<String, Package>,
}

impl Collector {
    fn add(&mut self, p: Package) {
        let id = p.id();
        match self.by_id.get_mut(&id) {
            Some(old) => {
                old.dev &= p.dev;
                old.relationship = match (old.relationship, p.relationship) {
                    (Some(Relationship::Root), _) | (_, Some(Relationship::Root)) => {
                        Some(Relationship::Root)
                    }
                    (Some(Relationship::Direct), _) | (_, Some(Relationship::Direct)) => {
                        Some(Relationship::Direct)
                    }
                    (a, b) => a.or(b),
                };
                let mut deps = std::mem::take(&mut old.depends_on);
                deps.extend(p.depends_on);
                old.depends_on = tidy(deps);
                if old.licenses.is_empty() {
                    old.licenses = p.licenses;
                }
            }
            None => {
                self.order.push(id.clone());
                self.by_id.insert(id, p);
            }
        }
    }

    fn finish(mut self) -> Vec<Package> {
        self.order
            .iter()
            .filter_map(|id| self.by_id.remove(id))
            .collect()
    }
}

/// Names of a `package.json`-style dependency map (`dependencies`, `devDependencies`...).
fn dep_names<'a>(v: &'a Value, keys: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    for k in keys {
        if let Some(m) = v.get(*k).and_then(Value::as_object) {
            out.extend(m.keys().map(String::as_str));
        }
    }
    out
}

const ALL_DEPS: &[&str] = &[
    "dependencies",
    "optionalDependencies",
    "peerDependencies",
    "devDependencies",
];
const RUNTIME_DEPS: &[&str] = &["dependencies", "optionalDependencies", "peerDependencies"];

/// One `packages` entry of a v2/v3 lockfile, reduced to what is used. Each entry is read
/// through a small `Value` and converted at once, so a large lockfile never exists as one
/// `Value` tree (which costs over ten times the file size), and wrong-typed fields only lose
/// themselves.
#[derive(Default)]
struct V2Entry {
    is_object: bool,
    name: Option<String>,
    version: Option<String>,
    resolved: Option<String>,
    link: bool,
    dev: bool,
    licenses: Vec<String>,
    /// `dependencies`, `optionalDependencies`, `peerDependencies` names.
    runtime_deps: Vec<String>,
    /// The above plus `devDependencies` (used for the root).
    all_deps: Vec<String>,
}

impl<'de> Deserialize<'de> for V2Entry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let own = |k: &str| jstr(&v, k).map(str::to_string);
        let names = |keys: &[&str]| {
            dep_names(&v, keys)
                .into_iter()
                .map(str::to_string)
                .collect()
        };
        Ok(V2Entry {
            is_object: v.is_object(),
            name: own("name"),
            version: own("version"),
            resolved: own("resolved"),
            link: v.get("link").and_then(Value::as_bool) == Some(true),
            dev: v.get("dev").and_then(Value::as_bool) == Some(true),
            licenses: json_licenses(&v),
            runtime_deps: names(RUNTIME_DEPS),
            all_deps: names(ALL_DEPS),
        })
    }
}

/// The top of a package-lock: only `packages` is kept (the v1-style `dependencies` tree that v2
/// files repeat is skipped unparsed).
#[derive(Deserialize)]
struct LockTop {
    packages: Option<BTreeMap<String, V2Entry>>,
}

/// v1 lockfile; also returns the top-level (hoisted) name -> id, which is where a project's
/// direct dependencies are installed.
fn parse_package_lock_v1(data: &[u8]) -> Result<(FileResult, HashMap<String, String>), ParseError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    // The nested tree is needed whole.
    let v: Value = serde_json::from_slice(data)?;
    let mut r = FileResult::default();
    let mut c = Collector::default();
    let mut top = HashMap::new();
    if let Some(deps) = v.get("dependencies").and_then(Value::as_object) {
        for (name, e) in deps {
            if let Some(ver) = jstr(e, "version") {
                let (n, v) = v1_identity(name, ver);
                top.insert(name.clone(), format!("{n}@{v}"));
            }
        }
        let mut scopes = vec![deps];
        package_lock_v1(deps, &mut scopes, &mut c, 0, false, &mut r.warnings);
    }
    r.packages = c.finish();
    // The lockfile names the project: the root component (what it depends on directly comes
    // from the package.json beside it, when there is one).
    if let Some(name) = jstr(&v, "name").filter(|n| !n.is_empty()) {
        let mut root = pkg(KIND, name, jstr(&v, "version").unwrap_or(""));
        root.relationship = Some(Relationship::Root);
        r.packages.insert(0, root);
    }
    Ok((r, top))
}

/// The installed package of a v1 entry: an alias (`"case-alias": {"version":
/// "npm:case@1.6.3"}`, scoped targets `npm:@scope/name@1.2.3`) installs its target.
fn v1_identity<'a>(key: &'a str, version: &'a str) -> (&'a str, &'a str) {
    let Some(target) = version.strip_prefix("npm:") else {
        return (key, version);
    };
    let start = usize::from(target.starts_with('@'));
    match target.get(start..).and_then(|t| t.rfind('@')) {
        Some(i) => (
            target.get(..i + start).unwrap_or(key),
            target.get(i + start + 1..).unwrap_or(version),
        ),
        None => (key, version),
    }
}

/// The package name from a `packages` key: the part after the last `node_modules/`.
fn name_from_path(path: &str) -> &str {
    match path.rfind("node_modules/") {
        Some(i) => path.get(i + "node_modules/".len()..).unwrap_or(path),
        None => path,
    }
}

/// Node's module resolution over lockfile paths: `from/node_modules/dep`, then each ancestor's
/// `node_modules/dep`, then the top `node_modules/dep`.
fn resolve_v2(packages: &HashMap<&str, &V2Entry>, from: &str, dep: &str) -> Option<String> {
    let mut base = from.to_string();
    loop {
        let candidate = if base.is_empty() {
            format!("node_modules/{dep}")
        } else {
            format!("{base}/node_modules/{dep}")
        };
        if packages.contains_key(candidate.as_str()) {
            return Some(candidate);
        }
        if base.is_empty() {
            return None;
        }
        base = match base.rfind("/node_modules/") {
            Some(i) => base.get(..i).unwrap_or("").to_string(),
            None => String::new(),
        };
    }
}

fn package_lock_v2(map: &BTreeMap<String, V2Entry>) -> FileResult {
    let empty = V2Entry::default();
    // Hash lookups: resolution probes several paths per dependency, and ordered
    // (string-comparing) lookups dominated on large lockfiles.
    let packages: HashMap<&str, &V2Entry> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let root = packages.get("").copied().unwrap_or(&empty);
    let root_direct: HashSet<&str> = root.all_deps.iter().map(String::as_str).collect();
    // The name, version and target path of the package at a lockfile path, following links to
    // their targets. An entry's own `name` (npm writes it for aliases, `"foo":
    // "npm:bar@1"`) is the real package; otherwise the path says it.
    let locate = |path: &str| -> Option<(String, String, String)> {
        let e = *packages.get(path)?;
        let target = if e.link {
            e.resolved.clone().unwrap_or_default()
        } else {
            path.to_string()
        };
        let te = packages.get(target.as_str()).copied().unwrap_or(&empty);
        let name = e.name.as_deref().unwrap_or_else(|| name_from_path(path));
        let version = te.version.clone().unwrap_or_default();
        Some((name.to_string(), version, target))
    };
    let id_at = |path: &str| locate(path).map(|(n, v, t)| (format!("{n}@{v}"), t));
    let mut c = Collector::default();
    let mut r = FileResult::default();
    let mut direct_ids = Vec::new();
    for (path, e) in map {
        if path.is_empty() || !path.contains("node_modules/") {
            // The root, and workspace members (reported through the links that point at them).
            continue;
        }
        if !e.is_object {
            r.warnings.push(format!("entry {path:?} is not an object"));
            continue;
        }
        let Some((name, version, target)) = locate(path) else {
            continue;
        };
        let te = if e.link {
            packages.get(target.as_str()).copied().unwrap_or(&empty)
        } else {
            e
        };
        let (name, version) = (name.as_str(), version.as_str());
        if version.is_empty() && !e.link {
            r.warnings.push(format!("entry {path:?} has no version"));
            continue;
        }
        let mut p = pkg(KIND, name, version);
        p.dev = te.dev;
        p.licenses = te.licenses.clone();
        let declared = name_from_path(path);
        if declared != name {
            p.metadata.insert("alias".into(), declared.to_string());
        }
        let top_level = path.len() == "node_modules/".len() + declared.len();
        // A link to a directory outside node_modules is a workspace member: the project.
        let workspace = e.link && !target.contains("node_modules/");
        p.relationship = Some(if workspace {
            Relationship::Root
        } else if e.link || (top_level && root_direct.contains(declared)) {
            Relationship::Direct
        } else {
            Relationship::Indirect
        });
        if workspace || (top_level && root_direct.contains(declared)) {
            direct_ids.push(p.id());
        }
        let deps = te
            .runtime_deps
            .iter()
            .filter_map(|d| resolve_v2(&packages, &target, d))
            .filter_map(|dp| id_at(&dp).map(|(id, _)| id))
            .collect();
        p.depends_on = tidy(deps);
        c.add(p);
    }
    r.packages = c.finish();
    // The project itself (`packages[""]`) is the root component.
    if let Some(name) = root.name.as_deref().filter(|n| !n.is_empty()) {
        let mut p = pkg(KIND, name, root.version.as_deref().unwrap_or(""));
        p.relationship = Some(Relationship::Root);
        p.licenses = root.licenses.clone();
        p.depends_on = tidy(direct_ids);
        r.packages.insert(0, p);
    }
    r
}

/// v1: nested `dependencies` objects; `requires` names are resolved through the enclosing
/// scopes, innermost first.
fn package_lock_v1<'a>(
    deps: &'a Map<String, Value>,
    scopes: &mut Vec<&'a Map<String, Value>>,
    c: &mut Collector,
    depth: usize,
    parent_dev: bool,
    warnings: &mut Vec<String>,
) {
    if depth > 256 {
        warnings.push("dependency nesting deeper than 256 levels; rest skipped".into());
        return;
    }
    for (name, e) in deps {
        let Some(version) = jstr(e, "version") else {
            warnings.push(format!("dependency {name:?} has no version"));
            continue;
        };
        let (real, real_version) = v1_identity(name, version);
        let mut p = pkg(KIND, real, real_version);
        if real != name {
            p.metadata.insert("alias".into(), name.clone());
        }
        // Whatever is nested under a dev-only package is installed only for it.
        p.dev = parent_dev || e.get("dev").and_then(Value::as_bool) == Some(true);
        let dev = p.dev;
        let nested = e.get("dependencies").and_then(Value::as_object);
        if let Some(n) = nested {
            scopes.push(n);
        }
        let mut ids = Vec::new();
        if let Some(req) = e.get("requires").and_then(Value::as_object) {
            for dep in req.keys() {
                let found = scopes
                    .iter()
                    .rev()
                    .find_map(|s| s.get(dep).and_then(|d| jstr(d, "version")));
                if let Some(v) = found {
                    let (n, v) = v1_identity(dep, v);
                    ids.push(format!("{n}@{v}"));
                }
            }
        }
        p.depends_on = tidy(ids);
        c.add(p);
        if let Some(n) = nested {
            package_lock_v1(n, scopes, c, depth + 1, dev, warnings);
            scopes.pop();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// yarn.lock
// ---------------------------------------------------------------------------------------------

/// One `yarn.lock` block.
#[derive(Default)]
struct YarnBlock {
    specs: Vec<String>,
    version: Option<String>,
    /// classic: the tarball URL.
    resolved: Option<String>,
    /// berry: the locator (`name@npm:1.2.3`, `name@workspace:.`).
    resolution: Option<String>,
    deps: Vec<(String, String)>,
}

/// The package a registry tarball URL names: `https://host/<name>/-/<base>-<version>.tgz`
/// (`<name>` may be `@scope/name` or `@scope%2fname`). `None` for other URLs (git, codeload).
fn registry_tarball_identity(url: &str) -> Option<(String, String)> {
    let url = url.split('#').next()?;
    let (before, file) = url.rsplit_once("/-/")?;
    let path = before.split_once("://").map_or(before, |(_, rest)| rest);
    let path = path.split_once('/').map(|(_, p)| p)?;
    let path = path.replace("%2f", "/").replace("%2F", "/");
    // The name is the last segment, or the last two when scoped.
    let mut segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let last = segs.pop()?;
    let name = match segs.pop() {
        Some(scope) if scope.starts_with('@') => format!("{scope}/{last}"),
        _ => last.to_string(),
    };
    let base = name.rsplit('/').next()?;
    let version = file
        .strip_suffix(".tgz")?
        .strip_prefix(base)?
        .strip_prefix('-')?;
    (!version.is_empty()).then(|| (name.clone(), version.to_string()))
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
}

/// Split `key value` (classic) or `key: value` (berry) into key and unquoted value.
fn yarn_kv(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    let (k, v) = if let Some(rest) = line.strip_prefix('"') {
        let end = rest.find('"')?;
        let k = rest.get(..end)?;
        let v = rest.get(end + 1..)?;
        (k, v.trim_start_matches(':'))
    } else {
        let i = line.find([' ', ':'])?;
        let k = line.get(..i)?;
        let v = line.get(i..)?.trim_start_matches(':');
        (k, v)
    };
    Some((k, unquote(v)))
}

/// The package name of a yarn descriptor `name@range` / `@scope/name@npm:range`.
fn yarn_spec_name(spec: &str) -> &str {
    let start = usize::from(spec.starts_with('@'));
    match spec.get(start..).and_then(|s| s.find('@')) {
        Some(i) => spec.get(..i + start).unwrap_or(spec),
        None => spec,
    }
}

/// Also returns descriptor (`name@range`) -> id, to resolve a project manifest's ranges.
fn parse_yarn_lock(data: &[u8]) -> (FileResult, HashMap<String, String>) {
    let t = text(data);
    let mut blocks: Vec<YarnBlock> = Vec::new();
    let mut cur: Option<YarnBlock> = None;
    let mut in_deps = false;
    for line in t.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            if let Some(b) = cur.take() {
                blocks.push(b);
            }
            let head = line.trim_end().trim_end_matches(':');
            if head == "__metadata" {
                continue;
            }
            let specs = head
                .split(", ")
                .map(|s| s.trim().trim_matches('"').to_string())
                .filter(|s| !s.is_empty())
                .collect();
            cur = Some(YarnBlock {
                specs,
                ..YarnBlock::default()
            });
            in_deps = false;
            continue;
        }
        let Some(b) = cur.as_mut() else { continue };
        if indent <= 2 {
            in_deps = false;
            let trimmed = line.trim().trim_end_matches(':');
            if matches!(
                trimmed,
                "dependencies" | "optionalDependencies" | "peerDependencies"
            ) {
                // peer dependencies are not installed by the package itself.
                in_deps = trimmed != "peerDependencies";
                continue;
            }
            match yarn_kv(line) {
                Some(("version", v)) => b.version = Some(v.to_string()),
                Some(("resolved", v)) => b.resolved = Some(v.to_string()),
                Some(("resolution", v)) => b.resolution = Some(v.to_string()),
                _ => {}
            }
        } else if in_deps {
            if let Some((k, v)) = yarn_kv(line) {
                b.deps.push((k.to_string(), v.to_string()));
            }
        }
    }
    if let Some(b) = cur.take() {
        blocks.push(b);
    }
    // descriptor -> id
    let mut by_spec: HashMap<String, String> = HashMap::new();
    let mut keep = Vec::new();
    for b in blocks {
        let Some(first) = b.specs.first() else {
            continue;
        };
        let Some(version) = b.version.clone() else {
            continue;
        };
        let declared = yarn_spec_name(first).to_string();
        let protocol = first.get(declared.len() + 1..).unwrap_or("");
        // Workspaces are the project (the root component); patches and links re-point
        // packages listed elsewhere.
        let workspace = protocol.starts_with("workspace:");
        if ["patch:", "link:", "portal:", "file:"]
            .iter()
            .any(|p| protocol.starts_with(p))
        {
            continue;
        }
        // What is installed: berry's resolution locator, else the registry tarball the
        // classic entry resolved to, else an `npm:` alias target, else the key's name.
        let mut name = declared.clone();
        let mut version = version;
        if let Some(res) = &b.resolution {
            name = yarn_spec_name(res).to_string();
        } else if let Some((n, v)) = b.resolved.as_deref().and_then(registry_tarball_identity) {
            name = n;
            version = v;
        } else if let Some(target) = protocol.strip_prefix("npm:") {
            let t = yarn_spec_name(target);
            if !t.is_empty() && !t.starts_with(|c: char| c.is_ascii_digit() || c == '^' || c == '~')
            {
                name = t.to_string();
            }
        }
        let id = format!("{name}@{version}");
        for s in &b.specs {
            by_spec.insert(s.clone(), id.clone());
        }
        let alias = (name != declared).then_some(declared);
        keep.push((name, version, b.deps, alias, workspace));
    }
    let mut c = Collector::default();
    for (name, version, deps, alias, workspace) in keep {
        let mut p = pkg(KIND, &name, &version);
        if let Some(a) = alias {
            p.metadata.insert("alias".into(), a);
        }
        if workspace {
            p.relationship = Some(Relationship::Root);
        }
        let ids = deps
            .iter()
            .filter_map(|(n, range)| {
                by_spec
                    .get(&format!("{n}@{range}"))
                    .or_else(|| by_spec.get(&format!("{n}@npm:{range}")))
                    .cloned()
            })
            .collect();
        p.depends_on = tidy(ids);
        c.add(p);
    }
    let r = FileResult {
        packages: c.finish(),
        warnings: Vec::new(),
    };
    (r, by_spec)
}

// ---------------------------------------------------------------------------------------------
// pnpm-lock.yaml
// ---------------------------------------------------------------------------------------------

/// A YAML scalar as text (pnpm writes most versions unquoted; numbers come back as numbers).
fn yscalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Strip the peer suffix of a pnpm version: `1.0.0(react@18.0.0)` (v6+) or `1.0.0_react@18.0.0`
/// (v5).
fn strip_peers(v: &str) -> &str {
    let v = v.split('(').next().unwrap_or(v);
    match v.find('_') {
        Some(i) if v.get(..i).is_some_and(|h| !h.contains(':')) => v.get(..i).unwrap_or(v),
        _ => v,
    }
}

/// Split a pnpm package key into name and version. v5: `/name/1.0.0`, `/@s/name/1.0.0_peer`;
/// v6: `/name@1.0.0(peer)`; v9: `name@1.0.0(peer)`. Registry-prefixed keys keep their tail.
fn pnpm_key(key: &str, v5: bool) -> Option<(String, String)> {
    let k = key.strip_prefix('/').unwrap_or(key);
    if v5 {
        let (name, ver) = k.rsplit_once('/')?;
        let name = match name.find("/@") {
            Some(i) => name.get(i + 1..)?,
            None if name.starts_with('@') || !name.contains('/') => name,
            None => name.rsplit_once('/').map_or(name, |(_, n)| n),
        };
        return Some((name.to_string(), strip_peers(ver).to_string()));
    }
    let start = usize::from(k.starts_with('@'));
    let at = k.get(start..)?.find('@')? + start;
    let name = k.get(..at)?;
    let ver = k.get(at + 1..)?;
    Some((name.to_string(), strip_peers(ver).to_string()))
}

/// `pnpm-lock.yaml`, every document of the stream: pnpm 10+ writes its own
/// `packageManagerDependencies` lock as a first document before the project's.
fn parse_pnpm_lock(data: &[u8]) -> Result<FileResult, ParseError> {
    let t = text(data);
    let docs: Vec<Value> =
        serde_saphyr::from_multiple(&t).map_err(|e| ParseError::Yaml(e.to_string()))?;
    let mut c = Collector::default();
    let mut warnings = Vec::new();
    for doc in &docs {
        if !doc.is_object() {
            continue;
        }
        let r = pnpm_document(doc);
        warnings.extend(r.warnings);
        for p in r.packages {
            c.add(p);
        }
    }
    Ok(FileResult {
        packages: c.finish(),
        warnings,
    })
}

/// One document of a `pnpm-lock.yaml`.
fn pnpm_document(doc: &Value) -> FileResult {
    let lock_version = doc
        .get("lockfileVersion")
        .and_then(yscalar)
        .unwrap_or_default();
    let major: u32 = lock_version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let v5 = major != 0 && major < 6;
    let mut r = FileResult::default();
    let empty = Map::new();
    let packages = doc
        .get("packages")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    // pnpm key (peer suffix stripped, no leading `/`) -> (name, version)
    let mut keys: HashMap<String, (String, String)> = HashMap::new();
    for (key, e) in packages {
        let Some((mut name, mut version)) = pnpm_key(key, v5) else {
            r.warnings.push(format!("unrecognised package key {key:?}"));
            continue;
        };
        if let Some(n) = e.get("name").and_then(yscalar) {
            name = n;
        }
        if let Some(v) = e.get("version").and_then(yscalar) {
            version = v;
        } else if version.contains(':') {
            // `file:dir`, `link:dir`, tarball URLs without a recorded version: the key holds
            // a location, not a version.
            version = String::new();
        }
        let norm = key.trim_start_matches('/').split('(').next().unwrap_or("");
        keys.insert(norm.to_string(), (name, version));
    }
    let resolve = |dep: &str, reference: &str| -> Option<String> {
        let reference = reference.split('(').next().unwrap_or(reference);
        let reference = reference.trim_start_matches('/');
        let candidates = if v5 {
            vec![format!("{dep}/{reference}"), reference.to_string()]
        } else {
            vec![format!("{dep}@{reference}"), reference.to_string()]
        };
        candidates.iter().find_map(|k| {
            keys.get(k)
                .or_else(|| keys.get(strip_peers(k)))
                .map(|(n, v)| format!("{n}@{v}"))
        })
    };
    // Dependencies of each package: v9 keeps them in `snapshots`, earlier in `packages`.
    let graph_src = if major >= 9 {
        doc.get("snapshots")
            .and_then(Value::as_object)
            .unwrap_or(&empty)
    } else {
        packages
    };
    let mut graph: HashMap<String, Vec<String>> = HashMap::new();
    for (key, e) in graph_src {
        let norm = key.trim_start_matches('/').split('(').next().unwrap_or("");
        let Some((n, v)) = keys.get(norm).or_else(|| keys.get(strip_peers(norm))) else {
            continue;
        };
        let mut ids = Vec::new();
        for section in ["dependencies", "optionalDependencies"] {
            if let Some(m) = e.get(section).and_then(Value::as_object) {
                for (dep, reference) in m {
                    if let Some(id) = yscalar(reference).and_then(|rf| resolve(dep, &rf)) {
                        ids.push(id);
                    }
                }
            }
        }
        graph
            .entry(format!("{n}@{v}"))
            .or_default()
            .extend(tidy(ids));
    }
    // Direct dependencies: every importer's (or, before workspaces, the top level's).
    let mut importers: Vec<&Value> = Vec::new();
    if let Some(m) = doc.get("importers").and_then(Value::as_object) {
        importers.extend(m.values());
    }
    importers.push(doc);
    let mut prod = Vec::new();
    let mut dev = Vec::new();
    for imp in importers {
        for (section, is_dev) in [
            ("dependencies", false),
            ("optionalDependencies", false),
            ("packageManagerDependencies", false),
            ("devDependencies", true),
        ] {
            let Some(m) = imp.get(section).and_then(Value::as_object) else {
                continue;
            };
            for (dep, spec) in m {
                let reference = match spec {
                    Value::Object(_) => spec.get("version").and_then(yscalar),
                    other => yscalar(other),
                };
                let Some(id) = reference.and_then(|rf| resolve(dep, &rf)) else {
                    continue;
                };
                if is_dev {
                    dev.push(id);
                } else {
                    prod.push(id);
                }
            }
        }
    }
    let prod_reach = reachable(&graph, &prod);
    let dev_reach = reachable(&graph, &dev);
    let direct: HashSet<&String> = prod.iter().chain(dev.iter()).collect();
    let mut c = Collector::default();
    let mut seen = HashSet::new();
    // Keep the lockfile's order for stable output.
    let ordered: BTreeMap<&String, &Value> = packages.iter().collect();
    for (key, e) in ordered {
        let norm = key.trim_start_matches('/').split('(').next().unwrap_or("");
        let Some((name, version)) = keys.get(norm) else {
            continue;
        };
        let mut p = pkg(KIND, name, version);
        let id = p.id();
        if !seen.insert(id.clone()) {
            continue;
        }
        p.dev = match e.get("dev").and_then(Value::as_bool) {
            Some(d) => d,
            None => !prod_reach.contains(&id) && dev_reach.contains(&id),
        };
        p.relationship = Some(if direct.contains(&id) {
            Relationship::Direct
        } else {
            Relationship::Indirect
        });
        p.depends_on = tidy(graph.get(&id).cloned().unwrap_or_default());
        c.add(p);
    }
    r.packages = c.finish();
    r
}

// ---------------------------------------------------------------------------------------------
// bun.lock
// ---------------------------------------------------------------------------------------------

/// Split `name@version` (`@scope/name@1.0.0`) at the version's `@`.
fn split_name_at(s: &str) -> Option<(&str, &str)> {
    let start = usize::from(s.starts_with('@'));
    let at = s.get(start..)?.find('@')? + start;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// `bun.lock` (text lockfile, Bun >= 1.2; JSONC): `workspaces` are the project (the root
/// component and its members), `packages` maps an install path (`name`, or `parent/name` for a
/// nested copy) to `["name@version", registry, {dependencies...}, integrity]`. Direct packages
/// are those a workspace declares; dev packages are reachable only from `devDependencies`.
fn parse_bun_lock(data: &[u8]) -> Result<FileResult, ParseError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let doc: Value = serde_json::from_slice(&crate::util::jsonc_to_json(data))?;
    let mut r = FileResult::default();
    let empty = Map::new();
    let packages = doc
        .get("packages")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    // install path -> (name, version) for registry packages.
    let mut at: HashMap<&str, (String, String)> = HashMap::new();
    for (key, e) in packages {
        let Some(ident) = e.get(0).and_then(Value::as_str) else {
            r.warnings
                .push(format!("package {key:?} is not [\"name@version\", ...]"));
            continue;
        };
        let Some((name, version)) = split_name_at(ident) else {
            r.warnings
                .push(format!("package {key:?}: {ident:?} is not name@version"));
            continue;
        };
        // workspace:, link:, file:, git and tarball sources name no registry version.
        if version.is_empty() || version.contains(':') || version.contains('/') {
            continue;
        }
        at.insert(key.as_str(), (name.to_string(), version.to_string()));
    }
    // Node's resolution over install paths: `parent/dep`, then each ancestor, then `dep`.
    let resolve = |from: &str, dep: &str| -> Option<String> {
        // The install path as package names (`@scope/name` is one).
        let mut chain: Vec<String> = Vec::new();
        let mut segs = from.split('/').filter(|s| !s.is_empty());
        while let Some(seg) = segs.next() {
            match (seg.starts_with('@'), segs.clone().next()) {
                (true, Some(n)) => {
                    chain.push(format!("{seg}/{n}"));
                    segs.next();
                }
                _ => chain.push(seg.to_string()),
            }
        }
        loop {
            let mut key = chain.join("/");
            if !key.is_empty() {
                key.push('/');
            }
            key.push_str(dep);
            if let Some((n, v)) = at.get(key.as_str()) {
                return Some(format!("{n}@{v}"));
            }
            chain.pop()?;
        }
    };
    let mut graph: HashMap<String, Vec<String>> = HashMap::new();
    for (key, (name, version)) in &at {
        // The info object follows the ident (and, for registry packages, the registry).
        let info = packages
            .get(*key)
            .and_then(Value::as_array)
            .and_then(|a| a.iter().skip(1).find(|x| x.is_object()));
        let mut ids = Vec::new();
        for section in ["dependencies", "optionalDependencies", "peerDependencies"] {
            if let Some(m) = info.and_then(|i| i.get(section)).and_then(Value::as_object) {
                ids.extend(m.keys().filter_map(|d| resolve(key, d)));
            }
        }
        graph
            .entry(format!("{name}@{version}"))
            .or_default()
            .extend(tidy(ids));
    }
    let mut prod = Vec::new();
    let mut dev = Vec::new();
    let mut roots = Vec::new();
    if let Some(ws) = doc.get("workspaces").and_then(Value::as_object) {
        for (path, w) in ws {
            let mut own = Vec::new();
            for (section, is_dev) in [
                ("dependencies", false),
                ("optionalDependencies", false),
                ("peerDependencies", false),
                ("devDependencies", true),
            ] {
                let Some(m) = w.get(section).and_then(Value::as_object) else {
                    continue;
                };
                for dep in m.keys() {
                    let Some(id) = resolve("", dep) else { continue };
                    own.push(id.clone());
                    if is_dev {
                        dev.push(id);
                    } else {
                        prod.push(id);
                    }
                }
            }
            let name = jstr(w, "name")
                .filter(|n| !n.is_empty())
                .unwrap_or(path.as_str());
            if name.is_empty() {
                continue;
            }
            let mut p = pkg(KIND, name, jstr(w, "version").unwrap_or(""));
            p.relationship = Some(Relationship::Root);
            p.depends_on = tidy(own);
            roots.push(p);
        }
    }
    let prod_reach = reachable(&graph, &prod);
    let dev_reach = reachable(&graph, &dev);
    let direct: HashSet<&String> = prod.iter().chain(dev.iter()).collect();
    let mut c = Collector::default();
    for p in roots {
        c.add(p);
    }
    let ordered: BTreeMap<&str, &(String, String)> = at.iter().map(|(k, v)| (*k, v)).collect();
    for (name, version) in ordered.values() {
        let mut p = pkg(KIND, name, version);
        let id = p.id();
        p.dev = !prod_reach.contains(&id) && dev_reach.contains(&id);
        p.relationship = Some(if direct.contains(&id) {
            Relationship::Direct
        } else {
            Relationship::Indirect
        });
        p.depends_on = graph.get(&id).cloned().unwrap_or_default();
        c.add(p);
    }
    r.packages = c.finish();
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// deno.lock
// ---------------------------------------------------------------------------------------------

/// A purl with a `repository_url` qualifier, for packages that come from JSR or deno.land
/// rather than the npm registry (Syft's spelling, so SBOMs agree).
fn purl_with_repository(name: &str, version: &str, repository: &str) -> String {
    let enc = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    let path = match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
        Some((scope, n)) => format!("%40{}/{}", enc(scope), enc(n)),
        None => enc(name),
    };
    format!(
        "pkg:npm/{path}@{}?repository_url={}",
        enc(version),
        enc(repository)
    )
}

/// `deno.lock` v3 (`packages.{specifiers,jsr,npm}`), v4 and v5 (the same maps at the top):
/// npm packages (peer suffixes `_peer@1` stripped), JSR packages and versioned `deno.land`
/// remote modules. The lockfile's `workspace` dependencies are the direct ones.
fn parse_deno_lock(data: &[u8]) -> Result<FileResult, ParseError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let doc: Value = serde_json::from_slice(data)?;
    let base = doc
        .get("packages")
        .filter(|p| p.get("specifiers").is_some())
        .unwrap_or(&doc);
    let empty = Map::new();
    let section = |k: &str| base.get(k).and_then(Value::as_object).unwrap_or(&empty);
    let specifiers = section("specifiers");
    // `jsr:@std/bytes@^1.0.0` -> `@std/bytes@1.0.2`; `npm:chalk@5` -> `chalk@5.3.0`.
    let resolve = |spec: &str| -> Option<String> {
        let target = specifiers.get(spec).and_then(Value::as_str)?;
        let bare = spec.split_once(':').map_or(spec, |(_, s)| s);
        let (name, _) = split_name_at(bare).unwrap_or((bare, ""));
        // v3 writes the full target (`npm:chalk@5.3.0`), v4 only the version.
        let target = target.split_once(':').map_or(target, |(_, t)| t);
        Some(match split_name_at(target) {
            Some((n, v)) if n == name => format!("{n}@{}", strip_deno_peers(v)),
            _ => format!("{name}@{}", strip_deno_peers(target)),
        })
    };
    let mut r = FileResult::default();
    let mut c = Collector::default();
    let npm = section("npm");
    let mut npm_by_name: HashMap<&str, String> = HashMap::new();
    for key in npm.keys() {
        if let Some((n, v)) = split_name_at(key) {
            npm_by_name.insert(n, format!("{n}@{}", strip_deno_peers(v)));
        }
    }
    let direct: HashSet<String> = doc
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter_map(resolve)
                .collect()
        })
        .unwrap_or_default();
    let relationship = |id: &str| {
        if direct.is_empty() {
            None
        } else if direct.contains(id) {
            Some(Relationship::Direct)
        } else {
            Some(Relationship::Indirect)
        }
    };
    let deps_of = |e: &Value| -> Vec<String> {
        let list = e.get("dependencies");
        let mut ids = Vec::new();
        match list {
            Some(Value::Array(a)) => {
                for d in a.iter().filter_map(Value::as_str) {
                    let id = resolve(d)
                        .or_else(|| npm_by_name.get(d).cloned())
                        .or_else(|| {
                            let (n, _) = split_name_at(d)?;
                            npm_by_name.get(n).cloned()
                        });
                    ids.extend(id);
                }
            }
            // v3 npm entries: {name: "name@version"}.
            Some(Value::Object(m)) => {
                for v in m.values().filter_map(Value::as_str) {
                    if let Some((n, ver)) = split_name_at(v) {
                        ids.push(format!("{n}@{}", strip_deno_peers(ver)));
                    }
                }
            }
            _ => {}
        }
        tidy(ids)
    };
    for (key, e) in section("jsr") {
        let Some((name, version)) = split_name_at(key) else {
            r.warnings
                .push(format!("jsr entry {key:?} is not name@version"));
            continue;
        };
        let mut p = pkg(KIND, name, version);
        p.purl = purl_with_repository(name, version, "https://jsr.io");
        p.metadata.insert("registry".into(), "jsr".into());
        p.relationship = relationship(&p.id());
        p.depends_on = deps_of(e);
        c.add(p);
    }
    for (key, e) in npm {
        let Some((name, version)) = split_name_at(key) else {
            r.warnings
                .push(format!("npm entry {key:?} is not name@version"));
            continue;
        };
        let mut p = pkg(KIND, name, strip_deno_peers(version));
        p.relationship = relationship(&p.id());
        p.depends_on = deps_of(e);
        c.add(p);
    }
    for url in section("remote").keys() {
        // https://deno.land/std@0.140.0/path/mod.ts, https://deno.land/x/oak@v12.6.1/mod.ts
        let Some(rest) = url.strip_prefix("https://deno.land/") else {
            continue;
        };
        let module = rest.split('/').take_while(|s| !s.contains('@')).count();
        let segs: Vec<&str> = rest.split('/').collect();
        let Some((last, version)) = segs.get(module).and_then(|s| s.split_once('@')) else {
            continue;
        };
        let mut name_parts: Vec<&str> = vec!["deno.land"];
        name_parts.extend(segs.iter().take(module));
        name_parts.push(last);
        let name = name_parts.join("/");
        let mut p = pkg(KIND, &name, version);
        p.purl = purl_with_repository(&name, version, "https://deno.land");
        p.metadata.insert("registry".into(), "deno.land".into());
        c.add(p);
    }
    r.packages = c.finish();
    Ok(r)
}

/// Strip deno's peer suffix: `0.28.19_typescript@6.0.3` -> `0.28.19`.
fn strip_deno_peers(v: &str) -> &str {
    v.split('_').next().unwrap_or(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_paths() {
        assert!(is_installed_package_json(
            "/app/node_modules/a/package.json"
        ));
        assert!(is_installed_package_json(
            "/app/node_modules/@s/a/package.json"
        ));
        assert!(is_installed_package_json(
            "/app/node_modules/a/node_modules/b/package.json"
        ));
        assert!(!is_installed_package_json("/app/package.json"));
        assert!(!is_installed_package_json(
            "/app/node_modules/a/lib/package.json"
        ));
        assert!(!is_installed_package_json(
            "/app/node_modules/@s/package.json"
        ));
        assert!(!is_installed_package_json(
            "/app/node_modules/.pnpm/package.json"
        ));
        assert!(!is_installed_package_json("/x/@s/a/package.json"));
    }

    #[test]
    fn pnpm_keys() {
        assert_eq!(
            pnpm_key("/@babel/runtime/7.18.3", true),
            Some(("@babel/runtime".into(), "7.18.3".into()))
        );
        assert_eq!(
            pnpm_key("/foo/1.0.0_react@18.0.0", true),
            Some(("foo".into(), "1.0.0".into()))
        );
        assert_eq!(
            pnpm_key("/@babel/runtime@7.22.3", false),
            Some(("@babel/runtime".into(), "7.22.3".into()))
        );
        assert_eq!(
            pnpm_key("debug@4.3.4(supports-color@8.1.1)", false),
            Some(("debug".into(), "4.3.4".into()))
        );
    }
}
