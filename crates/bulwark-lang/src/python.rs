//! Python: installed distributions (`*.dist-info`, `*.egg-info`) and lockfiles (`Pipfile.lock`,
//! `poetry.lock`, `uv.lock`, pinned `requirements*.txt`).
//!
//! The core-metadata format (RFC 822-style headers) and requirements files are parsed by hand:
//! both are line formats with a handful of rules, and the mail-parsing crates bring much more
//! than needed (and reject the invalid UTF-8 real files contain).

use std::collections::{BTreeMap, HashMap, HashSet};

use bulwark_catalog::{
    CatalogContext, Cataloger, EntryMeta, Hit, Package, PackageKind, Parsed, Relationship, Stage,
};
use serde_json::Value;

use crate::util::{normalize_license, pkg, text, tidy};
use crate::{file_name, FileResult, ParseError, MANIFEST_LIMIT};

const KIND: PackageKind = PackageKind::Python;

/// PEP 503 name normalisation (`Foo__Bar.baz` → `foo-bar-baz`), owned by bulwark-version.
pub use bulwark_version::name::pep503 as pep503_normalize;

// ---------------------------------------------------------------------------------------------
// Installed distributions
// ---------------------------------------------------------------------------------------------

/// Catalogs installed Python distributions: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO`,
/// `*.egg-info` files, `*.egg/EGG-INFO/PKG-INFO` and zipped `*.egg` files, with `RECORD` /
/// `installed-files.txt` for file ownership and `direct_url.json` for VCS installs.
pub struct PythonInstalledCataloger;

/// What `read` returns for one file of an installed distribution.
enum PyFile {
    Metadata(Result<Box<Package>, String>),
    /// Files listed in RECORD / installed-files.txt, as absolute paths.
    Files(Vec<String>),
    /// `vcs_url` purl qualifier from direct_url.json.
    DirectUrl(Option<String>),
    TooLarge(u64),
}

/// Which file of an installed distribution `path` is, and the metadata directory it belongs
/// to (or the `.egg-info` file itself).
fn installed_role(path: &str) -> Option<(&'static str, &str)> {
    let (dir, name) = path.rsplit_once('/')?;
    // CPython's own `lib-dynload/Python-X.Y.egg-info` describes the interpreter (a runtime,
    // found by its binary), not a PyPI distribution called `python`.
    if file_name(dir) == "lib-dynload" && name.starts_with("Python-") {
        return None;
    }
    if name.ends_with(".egg-info") {
        return Some(("egg-file", path));
    }
    // Zipped eggs live in Python's package directories; elsewhere `.egg` is someone else's.
    if name.ends_with(".egg") && (path.contains("-packages/") || path.contains("/python")) {
        return Some(("egg-zip", path));
    }
    let dir_name = file_name(dir);
    if dir_name == "EGG-INFO" && name == "PKG-INFO" {
        let parent = dir.rsplit_once('/').map_or("", |(p, _)| p);
        if parent.ends_with(".egg") {
            return Some(("metadata", dir));
        }
    }
    if dir_name.ends_with(".dist-info") {
        return match name {
            "METADATA" => Some(("metadata", dir)),
            "RECORD" => Some(("record", dir)),
            "direct_url.json" => Some(("direct_url", dir)),
            _ => None,
        };
    }
    if dir_name.ends_with(".egg-info") {
        return match name {
            "PKG-INFO" => Some(("metadata", dir)),
            "RECORD" => Some(("record", dir)),
            "installed-files.txt" => Some(("installed-files", dir)),
            _ => None,
        };
    }
    None
}

impl Cataloger for PythonInstalledCataloger {
    fn name(&self) -> &'static str {
        "python-installed"
    }

    fn stage(&self) -> Stage {
        Stage::Language
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        installed_role(entry.path).is_some()
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        let Some((role, dir)) = installed_role(entry.path) else {
            return Box::new(PyFile::Files(Vec::new()));
        };
        let size = entry.size.max(data.len() as u64);
        let limit = if role == "egg-zip" {
            crate::LOCKFILE_LIMIT
        } else {
            MANIFEST_LIMIT
        };
        if size > limit {
            return Box::new(PyFile::TooLarge(size));
        }
        let out = match role {
            "metadata" | "egg-file" => PyFile::Metadata(parse_metadata(data).map(Box::new)),
            "egg-zip" => PyFile::Metadata(
                egg_zip_metadata(data).and_then(|m| parse_metadata(&m).map(Box::new)),
            ),
            "record" => {
                let base = dir.rsplit_once('/').map_or("", |(b, _)| b);
                PyFile::Files(parse_record(data, base))
            }
            "installed-files" => PyFile::Files(parse_record(data, dir)),
            _ => PyFile::DirectUrl(parse_direct_url(data)),
        };
        Box::new(out)
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<Hit>) {
        let mut files: HashMap<String, Vec<String>> = HashMap::new();
        let mut vcs: HashMap<String, String> = HashMap::new();
        let mut metas = Vec::new();
        for hit in hits {
            if !hit.visible {
                continue;
            }
            let Some((_, dir)) = installed_role(&hit.path) else {
                continue;
            };
            let dir = dir.to_string();
            let Ok(parsed) = hit.parsed.downcast::<PyFile>() else {
                continue;
            };
            match *parsed {
                PyFile::Metadata(m) => metas.push((hit.path, hit.layer, dir, m)),
                PyFile::Files(f) => {
                    files.entry(dir).or_default().extend(f);
                }
                PyFile::DirectUrl(Some(u)) => {
                    vcs.insert(dir, u);
                }
                PyFile::DirectUrl(None) => {}
                PyFile::TooLarge(size) => ctx.warn(
                    self.name(),
                    &hit.path,
                    format!("file is {size} bytes, over the size limit for its format"),
                ),
            }
        }
        for (path, layer, dir, meta) in metas {
            if ctx.is_os_owned(&path) {
                continue;
            }
            match meta {
                Ok(mut p) => {
                    if let Some(u) = vcs.get(&dir) {
                        if let Some(purl) = bulwark_catalog::purl::Purl::parse(&p.purl) {
                            p.purl = purl.with_qualifier("vcs_url", u.as_str()).to_string();
                        }
                    }
                    p.files = files.remove(&dir).unwrap_or_default();
                    p.found_in = path;
                    p.layer = Some(layer);
                    ctx.packages.push(*p);
                }
                Err(e) => ctx.warn(self.name(), &path, e),
            }
        }
    }
}

/// `EGG-INFO/PKG-INFO` from a zipped egg, read with a size cap (the declared size of a zip
/// member is not trusted).
fn egg_zip_metadata(data: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(data))
        .map_err(|e| format!("not a readable egg zip: {e}"))?;
    let member = z
        .by_name("EGG-INFO/PKG-INFO")
        .map_err(|e| format!("egg has no EGG-INFO/PKG-INFO: {e}"))?;
    let mut out = Vec::new();
    member
        .take(MANIFEST_LIMIT)
        .read_to_end(&mut out)
        .map_err(|e| format!("EGG-INFO/PKG-INFO unreadable: {e}"))?;
    Ok(out)
}

/// Core-metadata headers: `Name: value`, continuation lines start with whitespace, the body
/// starts after the first empty line. Repeated headers keep every value.
pub(crate) fn parse_headers(data: &[u8]) -> BTreeMap<String, Vec<String>> {
    let t = text(data);
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut last: Option<String> = None;
    for line in t.lines() {
        // An empty line ends the headers, except inside a legacy multi-line `Description:`
        // header (setuptools < 36 wrote empty lines into it and more headers after it).
        if line.trim().is_empty() {
            if last.as_deref() == Some("description") {
                continue;
            }
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(k) = &last {
                if let Some(v) = out.get_mut(k).and_then(|v| v.last_mut()) {
                    v.push('\n');
                    v.push_str(line.trim());
                }
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            out.entry(k.clone()).or_default().push(v.trim().to_string());
            last = Some(k);
        }
    }
    out
}

/// One installed distribution from METADATA / PKG-INFO.
fn parse_metadata(data: &[u8]) -> Result<Package, String> {
    let h = parse_headers(data);
    let first = |k: &str| {
        h.get(k)
            .and_then(|v| v.first())
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
    };
    let name = first("name").ok_or("no Name header")?;
    let version = first("version").ok_or("no Version header")?;
    let mut p = pkg(KIND, name, version);
    p.licenses = python_licenses(&h);
    if let Some(a) = first("author") {
        p.metadata.insert("author".into(), a.to_string());
    }
    if let Some(r) = first("requires-python") {
        p.metadata.insert("requires_python".into(), r.to_string());
    }
    Ok(p)
}

/// License precedence: `License-Expression` (PEP 639), a one-line `License` that says
/// something, then `License ::` classifiers (their last segment).
fn python_licenses(h: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    if let Some(e) = h.get("license-expression").and_then(|v| v.first()) {
        if !e.is_empty() {
            return vec![e.clone()];
        }
    }
    if let Some(l) = h.get("license").and_then(|v| v.first()) {
        let l = l.trim();
        let useless = l.is_empty() || l.eq_ignore_ascii_case("UNKNOWN") || l.contains('\n');
        if !useless && l.len() <= 200 {
            return vec![normalize_license(l)];
        }
    }
    let mut out = Vec::new();
    for c in h.get("classifier").into_iter().flatten() {
        let mut parts = c.split("::").map(str::trim);
        if parts.next() != Some("License") {
            continue;
        }
        if let Some(last) = parts.last() {
            if last != "OSI Approved" && !last.is_empty() {
                out.push(normalize_license(last));
            }
        }
    }
    out
}

/// RECORD (CSV: path,hash,size) or installed-files.txt (one path a line), paths relative to
/// `base`, made absolute and normalised.
fn parse_record(data: &[u8], base: &str) -> Vec<String> {
    let t = text(data);
    let mut out = Vec::new();
    for line in t.lines() {
        // Paths with commas are quoted in RECORD; they are rare and the quoted form is kept
        // whole by splitting at the last two commas.
        let mut path = line;
        let mut it = line.rsplitn(3, ',');
        if let (Some(_), Some(_), Some(p)) = (it.next(), it.next(), it.next()) {
            path = p;
        }
        let path = path.trim().trim_matches('"');
        if path.is_empty() {
            continue;
        }
        let joined = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("{base}/{path}")
        };
        if let Some(n) = bulwark_catalog_normalize(&joined) {
            out.push(n);
        }
    }
    out
}

/// Resolve `.` and `..` in an absolute path.
fn bulwark_catalog_normalize(p: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// `vcs_url` qualifier (`git+https://host/repo@commit`) from direct_url.json, if a VCS install.
fn parse_direct_url(data: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(data).ok()?;
    let url = v.get("url")?.as_str()?;
    let vcs = v.get("vcs_info")?;
    let kind = vcs.get("vcs").and_then(Value::as_str).unwrap_or("git");
    let mut s = format!("{kind}+{url}");
    if let Some(c) = vcs.get("commit_id").and_then(Value::as_str) {
        s.push('@');
        s.push_str(c);
    }
    Some(s)
}

// ---------------------------------------------------------------------------------------------
// Lockfiles
// ---------------------------------------------------------------------------------------------

/// Whether `path` is a Python lockfile this crate reads.
pub(crate) fn is_lockfile(path: &str) -> bool {
    // Lockfiles shipped inside installed packages describe those packages' development, not
    // what is installed.
    if path.contains("/site-packages/") || path.contains("/dist-packages/") {
        return false;
    }
    let name = file_name(path);
    if name == "setup.py" {
        // Build scripts of packages vendored by other ecosystems are not the project's.
        return !path.contains("/node_modules/");
    }
    matches!(
        name,
        "Pipfile.lock" | "poetry.lock" | "uv.lock" | "pdm.lock"
    ) || (name.starts_with("requirements") && name.ends_with(".txt"))
}

/// Parse a Python lockfile, chosen by file name.
pub(crate) fn parse_lockfile(path: &str, data: &[u8]) -> Result<FileResult, ParseError> {
    match file_name(path) {
        "Pipfile.lock" => parse_pipfile_lock(data),
        "poetry.lock" => parse_poetry_lock(data),
        "uv.lock" => parse_uv_lock(data),
        "pdm.lock" => parse_pdm_lock(data),
        "setup.py" => Ok(parse_setup_py(data)),
        _ => Ok(parse_requirements(data)),
    }
}

/// `Pipfile.lock`: `default` and `develop` maps of name to `{"version": "==x"}`.
fn parse_pipfile_lock(data: &[u8]) -> Result<FileResult, ParseError> {
    let v: Value = serde_json::from_slice(data)?;
    let mut r = FileResult::default();
    for (section, dev) in [("default", false), ("develop", true)] {
        let Some(map) = v.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, e) in map {
            let Some(ver) = e.get("version").and_then(Value::as_str) else {
                // git/path dependencies have no version: nothing to report.
                continue;
            };
            let ver = ver.trim_start_matches("===").trim_start_matches("==");
            let mut p = pkg(KIND, name, ver);
            p.dev = dev;
            r.packages.push(p);
        }
    }
    Ok(r)
}

/// A TOML string field.
fn tstr<'a>(v: &'a toml::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(toml::Value::as_str)
}

/// `poetry.lock` 1.x (`category = "dev"`) and 2.x (`groups = [...]`).
fn parse_poetry_lock(data: &[u8]) -> Result<FileResult, ParseError> {
    let doc: toml::Table = toml::from_str(&text(data))?;
    let mut r = FileResult::default();
    let list = doc
        .get("package")
        .and_then(toml::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    // Dependencies name packages by name; resolve to the (first) locked version.
    let mut versions: HashMap<String, String> = HashMap::new();
    for e in list {
        if let (Some(n), Some(v)) = (tstr(e, "name"), tstr(e, "version")) {
            versions
                .entry(pep503_normalize(n))
                .or_insert_with(|| v.to_string());
        }
    }
    for e in list {
        let (Some(name), Some(version)) = (tstr(e, "name"), tstr(e, "version")) else {
            r.warnings
                .push("poetry.lock package without name or version".into());
            continue;
        };
        let mut p = pkg(KIND, name, version);
        p.dev = match e.get("groups").and_then(toml::Value::as_array) {
            Some(groups) => !groups.iter().any(|g| g.as_str() == Some("main")),
            None => tstr(e, "category") == Some("dev"),
        };
        if let Some(deps) = e.get("dependencies").and_then(toml::Value::as_table) {
            let ids = deps
                .keys()
                .filter_map(|d| {
                    let n = pep503_normalize(d);
                    versions.get(&n).map(|v| format!("{n}@{v}"))
                })
                .collect();
            p.depends_on = tidy(ids);
        }
        p.name = pep503_normalize(name);
        r.packages.push(p);
    }
    Ok(r)
}

/// `uv.lock`: the root is the package whose source is `editable`/`virtual` `.`; direct
/// dependencies are its dependencies, optional dependencies and dev dependencies; packages
/// reachable only through dev dependencies are dev.
fn parse_uv_lock(data: &[u8]) -> Result<FileResult, ParseError> {
    let doc: toml::Table = toml::from_str(&text(data))?;
    let list = doc
        .get("package")
        .and_then(toml::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
    for e in list {
        if let (Some(n), Some(v)) = (tstr(e, "name"), tstr(e, "version")) {
            by_name
                .entry(pep503_normalize(n))
                .or_default()
                .push(v.to_string());
        }
    }
    let resolve = |d: &toml::Value| -> Option<String> {
        let n = pep503_normalize(tstr(d, "name")?);
        let versions = by_name.get(&n)?;
        let v = match tstr(d, "version") {
            Some(v) => v.to_string(),
            None => versions.first()?.clone(),
        };
        Some(format!("{n}@{v}"))
    };
    let dep_lists = |e: &toml::Value, which: &[&str]| -> Vec<String> {
        let mut ids = Vec::new();
        for key in which {
            match e.get(*key) {
                Some(toml::Value::Array(a)) => ids.extend(a.iter().filter_map(resolve)),
                Some(toml::Value::Table(t)) => {
                    for group in t.values() {
                        if let Some(a) = group.as_array() {
                            ids.extend(a.iter().filter_map(resolve));
                        }
                    }
                }
                _ => {}
            }
        }
        tidy(ids)
    };
    let mut r = FileResult::default();
    let mut root: Option<String> = None;
    let mut graph: HashMap<String, Vec<String>> = HashMap::new();
    let mut root_prod = Vec::new();
    let mut root_dev = Vec::new();
    for e in list {
        let (Some(name), Some(version)) = (tstr(e, "name"), tstr(e, "version")) else {
            continue;
        };
        let n = pep503_normalize(name);
        let id = format!("{n}@{version}");
        let is_root = e
            .get("source")
            .is_some_and(|s| tstr(s, "editable") == Some(".") || tstr(s, "virtual") == Some("."));
        let all = dep_lists(
            e,
            &["dependencies", "optional-dependencies", "dev-dependencies"],
        );
        if is_root && root.is_none() {
            root = Some(id.clone());
            root_prod = dep_lists(e, &["dependencies", "optional-dependencies"]);
            root_dev = dep_lists(e, &["dev-dependencies"]);
        }
        let mut p = pkg(KIND, &n, version);
        p.depends_on = all.clone();
        graph.insert(id, all);
        r.packages.push(p);
    }
    let Some(root) = root else {
        return Ok(r);
    };
    let prod = reachable(&graph, &root_prod);
    let dev_reach = reachable(&graph, &root_dev);
    let direct: HashSet<&String> = root_prod.iter().chain(root_dev.iter()).collect();
    for p in &mut r.packages {
        let id = p.id();
        p.relationship = Some(if id == root {
            Relationship::Root
        } else if direct.contains(&id) {
            Relationship::Direct
        } else {
            Relationship::Indirect
        });
        p.dev = !prod.contains(&id) && dev_reach.contains(&id);
    }
    Ok(r)
}

/// `pdm.lock`: every `[[package]]` with its `groups` (the lock alone does not say which groups
/// are optional extras and which are development groups, so none is marked dev); dependencies
/// are PEP 508 strings resolved by name to the locked version.
fn parse_pdm_lock(data: &[u8]) -> Result<FileResult, ParseError> {
    let doc: toml::Table = toml::from_str(&text(data))?;
    let list = doc
        .get("package")
        .and_then(toml::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut versions: HashMap<String, String> = HashMap::new();
    for e in list {
        if let (Some(n), Some(v)) = (tstr(e, "name"), tstr(e, "version")) {
            versions
                .entry(pep503_normalize(n))
                .or_insert_with(|| v.to_string());
        }
    }
    let mut r = FileResult::default();
    for e in list {
        let (Some(name), Some(version)) = (tstr(e, "name"), tstr(e, "version")) else {
            r.warnings
                .push("pdm.lock package without name or version".into());
            continue;
        };
        let mut p = pkg(KIND, &pep503_normalize(name), version);
        if let Some(groups) = e.get("groups").and_then(toml::Value::as_array) {
            let g: Vec<&str> = groups.iter().filter_map(toml::Value::as_str).collect();
            if !g.is_empty() {
                p.metadata.insert("groups".into(), g.join(","));
            }
        }
        if let Some(deps) = e.get("dependencies").and_then(toml::Value::as_array) {
            let ids = deps
                .iter()
                .filter_map(toml::Value::as_str)
                .filter_map(|d| {
                    let n = pep508_name(d)?;
                    versions.get(&n).map(|v| format!("{n}@{v}"))
                })
                .collect();
            p.depends_on = tidy(ids);
        }
        r.packages.push(p);
    }
    Ok(r)
}

/// The normalised project name at the start of a PEP 508 requirement string.
fn pep508_name(req: &str) -> Option<String> {
    let req = req.trim();
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    let name = req.get(..end)?;
    valid_dist_name(name).then(|| pep503_normalize(name))
}

/// `setup.py`: every string literal that is an exact pin (`"name==1.2"`, optionally with a
/// marker), as Syft reads it. The script is not run, so computed requirements are not seen;
/// the packages are marked declared (what the project asks for, not what is installed).
fn parse_setup_py(data: &[u8]) -> FileResult {
    let t = text(data);
    let mut r = FileResult::default();
    let mut seen = HashSet::new();
    for line in t.lines() {
        let code = line.split('#').next().unwrap_or("");
        let mut rest = code;
        while let Some(start) = rest.find(['"', '\'']) {
            let Some(quote) = rest.get(start..start + 1) else {
                break;
            };
            let after = rest.get(start + 1..).unwrap_or("");
            let Some(end) = after.find(quote) else {
                break;
            };
            let literal = after.get(..end).unwrap_or("");
            rest = after.get(end + 1..).unwrap_or("");
            let spec = literal.split(';').next().unwrap_or("").trim();
            let Some((name, version)) = spec.split_once("==") else {
                continue;
            };
            let (name, version) = (name.trim(), version.trim());
            let simple_version = !version.is_empty()
                && version
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_' | '!'));
            if !valid_dist_name(name) || !simple_version {
                continue;
            }
            let mut p = pkg(KIND, name, version);
            p.declared = true;
            if seen.insert(p.id()) {
                r.packages.push(p);
            }
        }
    }
    r
}

/// Every id reachable from `start` (inclusive) in `graph`.
pub(crate) fn reachable(graph: &HashMap<String, Vec<String>>, start: &[String]) -> HashSet<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut stack: Vec<&String> = start.iter().collect();
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        if let Some(next) = graph.get(id) {
            stack.extend(next.iter());
        }
    }
    seen
}

/// Pinned `requirements*.txt`: `name[extras]==version ; markers --hash=...`. Unpinned lines,
/// options (`-r`, `-c`, `-e`, `--index-url`), URLs and wildcard pins are skipped; files named
/// by `-r` are catalogued on their own when they are named `requirements*.txt`.
fn parse_requirements(data: &[u8]) -> FileResult {
    let t = text(data);
    let mut r = FileResult::default();
    let mut logical = String::new();
    let mut start = 0;
    let take = |full: &str, line_no: usize, r: &mut FileResult| match requirement_line(full) {
        Ok(Some(p)) => r.packages.push(p),
        Ok(None) => {}
        Err(why) => r.warnings.push(format!(
            "line {line_no}: pip would reject {:?}: {why}",
            full.trim()
        )),
    };
    for (i, raw) in t.lines().enumerate() {
        if logical.is_empty() {
            start = i + 1;
        }
        let line = match raw.find(" #").or_else(|| raw.starts_with('#').then_some(0)) {
            Some(i) => raw.get(..i).unwrap_or(""),
            None => raw,
        };
        if let Some(cont) = line.trim_end().strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let full = std::mem::take(&mut logical);
        take(&full, start, &mut r);
    }
    if !logical.is_empty() {
        take(&logical.clone(), start, &mut r);
    }
    r
}

/// Whether `name` is a valid distribution name (PEP 508: letters, digits, `-_.`, starting and
/// ending with a letter or digit).
fn valid_dist_name(name: &str) -> bool {
    let ok_end = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    ok_end(name.chars().next())
        && ok_end(name.chars().last())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// One logical requirements line: `Ok(Some)` for an exact pin, `Ok(None)` for a line pip
/// accepts that pins nothing (options, ranges, URLs, paths), `Err` for a line pip rejects.
fn requirement_line(line: &str) -> Result<Option<Package>, &'static str> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('-') {
        return Ok(None);
    }
    // Drop markers and per-requirement options.
    let spec = line.split(';').next().unwrap_or("");
    let spec = spec.split(" --").next().unwrap_or("").trim();
    // Paths, archives and URLs are accepted by pip and pin nothing by name.
    if spec.starts_with(['.', '/'])
        || spec.contains("://")
        || spec.starts_with("file:")
        || spec.ends_with(".whl")
        || spec.ends_with(".tar.gz")
        || spec.ends_with(".zip")
    {
        return Ok(None);
    }
    let name_end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = spec.get(..name_end).unwrap_or("");
    if !valid_dist_name(name) {
        return Err("no valid project name");
    }
    let mut rest = spec.get(name_end..).unwrap_or("").trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        let Some(close) = after.find(']') else {
            return Err("unclosed extras bracket");
        };
        rest = after.get(close + 1..).unwrap_or("").trim_start();
    }
    if rest.is_empty() {
        return Ok(None);
    }
    if let Some(url) = rest.strip_prefix('@') {
        return if url.trim().is_empty() {
            Err("`@` without a URL")
        } else {
            Ok(None)
        };
    }
    let rest = rest.trim_start_matches('(').trim_end_matches(')');
    let mut pin = None;
    let clauses: Vec<&str> = rest.split(',').map(str::trim).collect();
    for clause in &clauses {
        let op = ["===", "==", "!=", "<=", ">=", "~=", "<", ">"]
            .into_iter()
            .find(|op| clause.starts_with(op));
        let Some(op) = op else {
            return Err("not a version specifier");
        };
        let v = clause.get(op.len()..).unwrap_or("").trim();
        let valid_version = !v.is_empty()
            && v.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '-' | '_' | '!')
            });
        if !valid_version {
            return Err("malformed version");
        }
        if matches!(op, "==" | "===") && clauses.len() == 1 && !v.contains('*') {
            pin = Some(v);
        }
    }
    Ok(pin.map(|v| pkg(KIND, name, v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503() {
        assert_eq!(pep503_normalize("Foo__Bar.baz"), "foo-bar-baz");
        assert_eq!(pep503_normalize("zope.interface"), "zope-interface");
        assert_eq!(pep503_normalize("A"), "a");
    }

    #[test]
    fn requirements() {
        let data = b"# comment\nrequests==2.31.0 # pinned\nflask>=2\nDjango[argon2]==4.2.1 ; python_version >= \"3.8\" \\\n    --hash=sha256:abc\n-r other.txt\n-e git+https://x/y#egg=z\nfoo==1.*\nbar===1.0-custom\nbaz @ https://x/baz.whl\nqux==1.0,<2\n";
        let r = parse_requirements(data);
        let got: Vec<_> = r.packages.iter().map(|p| p.id()).collect();
        assert_eq!(
            got,
            ["requests@2.31.0", "Django@4.2.1", "bar@1.0-custom"],
            "{got:?}"
        );
        assert_eq!(r.packages[1].purl, "pkg:pypi/django@4.2.1");
        assert_eq!(r.warnings, Vec::<String>::new());
        let bad = parse_requirements(
            b"ok==1.0\n==1.0\nfoo bar\nbaz==\nqux[extra==1\n./local/dir\nhttps://x/y.whl\nname @ \n_bad==1\n",
        );
        let got: Vec<_> = bad.packages.iter().map(|p| p.id()).collect();
        assert_eq!(got, ["ok@1.0"]);
        assert_eq!(
            bad.warnings,
            [
                "line 2: pip would reject \"==1.0\": no valid project name",
                "line 3: pip would reject \"foo bar\": not a version specifier",
                "line 4: pip would reject \"baz==\": malformed version",
                "line 5: pip would reject \"qux[extra==1\": unclosed extras bracket",
                "line 8: pip would reject \"name @\": `@` without a URL",
                "line 9: pip would reject \"_bad==1\": no valid project name",
            ]
        );
    }

    #[test]
    fn record_paths() {
        let f = parse_record(
            b"../../../bin/x,sha256=a,1\nfoo/__init__.py,,\n\"a,b.py\",sha256=x,2\n",
            "/usr/lib/python3/site-packages",
        );
        assert_eq!(
            f,
            [
                "/usr/bin/x",
                "/usr/lib/python3/site-packages/foo/__init__.py",
                "/usr/lib/python3/site-packages/a,b.py"
            ]
        );
    }
}
