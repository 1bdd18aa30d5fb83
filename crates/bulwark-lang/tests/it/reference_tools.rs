//! Agreement with the ecosystems' own tools on real installs:
//! - `pip list --path DIR` on packages really installed from PyPI with `pip install --target`
//!   (needs `python3` with pip and network access to PyPI) and on the interpreter's own
//!   site-packages;
//! - `cargo metadata --locked` on this workspace's own `Cargo.lock`.
//!
//! These tests fail (not skip) when the tool is missing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use bulwark_catalog::{
    catalog_memory_files, CatalogSet, EntryMeta, Inventory, PackageKind, Relationship, Visitor,
};
use bulwark_lang::{catalogers, pep503_normalize};
use serde_json::Value;

/// Every file under `root`, as (image path under `prefix`, content), keeping only what the
/// catalogers want (a real walk reads no more).
fn load_tree(set: &CatalogSet, root: &Path, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(p);
                continue;
            }
            if !ft.is_file() {
                continue;
            }
            let rel = p.strip_prefix(root).unwrap_or(&p).to_string_lossy();
            let image_path = format!("{prefix}/{rel}");
            let size = e.metadata().map(|m| m.len()).unwrap_or(0);
            let meta = EntryMeta {
                path: &image_path,
                size,
                mode: 0o644,
                layer: 0,
            };
            if set.wants(&meta) {
                let data = std::fs::read(&p).unwrap_or_default();
                out.push((image_path, data));
            }
        }
    }
    out
}

fn catalog_tree(root: &Path, prefix: &str) -> Inventory {
    let set = CatalogSet::new(catalogers());
    let files = load_tree(&set, root, prefix);
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_slice()))
        .collect();
    catalog_memory_files(&set, &refs)
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// `pip list --path dir --format json` as normalised name -> version.
fn pip_list(dir: &Path) -> BTreeMap<String, String> {
    let out = Command::new(python())
        .args(["-m", "pip", "list", "--format", "json", "--path"])
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("python3 -m pip is required for this test: {e}"));
    assert!(
        out.status.success(),
        "pip list failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("pip list JSON");
    v.as_array()
        .expect("array")
        .iter()
        .map(|e| {
            (
                pep503_normalize(e["name"].as_str().unwrap_or_default()),
                e["version"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Our Python packages whose metadata directory sits directly in `site` (what `pip list
/// --path site` covers). Distributions vendored inside other packages
/// (`setuptools/_vendor/*.dist-info`) are real code in the image and we report them too, but
/// pip does not list them: the test checks they are all under a `_vendor` directory.
fn ours_python(inv: &Inventory, site: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for p in inv
        .packages
        .iter()
        .filter(|p| p.kind == PackageKind::Python)
    {
        let meta_dir = p.found_in.rsplit_once('/').map_or("", |(d, _)| d);
        let parent = meta_dir.rsplit_once('/').map_or("", |(d, _)| d);
        let top = parent == site || (p.found_in.ends_with(".egg-info") && meta_dir == site);
        if top {
            out.insert(pep503_normalize(&p.name), p.version.clone());
        } else {
            assert!(
                p.found_in.contains("/_vendor/") || p.found_in.contains("/_vendored/"),
                "nested distribution outside a vendor dir: {}",
                p.found_in
            );
        }
    }
    out
}

#[test]
fn pip_install_target_matches_pip_list() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("site");
    let status = Command::new(python())
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-warn-script-location",
            "--target",
        ])
        .arg(&dir)
        .args([
            "requests==2.32.3",
            "flask==3.0.3",
            "cryptography==43.0.1",
            "django==5.1.1",
            "zope.interface==7.0.3",
            "PyYAML==6.0.2",
        ])
        .status()
        .unwrap_or_else(|e| panic!("python3 -m pip is required for this test: {e}"));
    assert!(status.success(), "pip install failed (PyPI reachable?)");
    let want = pip_list(&dir);
    assert!(want.len() >= 15, "pip list too short: {want:?}");
    let inv = catalog_tree(&dir, "/opt/app/site");
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    assert_eq!(ours_python(&inv, "/opt/app/site"), want);
    // File ownership from RECORD: the installed module files belong to their distribution.
    let requests = inv
        .packages
        .iter()
        .find(|p| p.name == "requests")
        .expect("requests");
    assert!(requests
        .files
        .contains(&"/opt/app/site/requests/__init__.py".to_string()));
    assert_eq!(requests.purl, "pkg:pypi/requests@2.32.3");
    assert_eq!(requests.licenses, ["Apache-2.0"]);
    let zope = inv
        .packages
        .iter()
        .find(|p| pep503_normalize(&p.name) == "zope-interface")
        .expect("zope.interface");
    assert_eq!(zope.purl, "pkg:pypi/zope-interface@7.0.3");
}

#[test]
fn interpreter_site_packages_match_pip_list() {
    let out = Command::new(python())
        // The directory pip itself is installed in: it exists wherever pip does (on Debian
        // `/usr/lib/python3/dist-packages`, where `sysconfig`'s purelib may not exist).
        .args([
            "-c",
            "import os, pip; print(os.path.dirname(os.path.dirname(pip.__file__)))",
        ])
        .output()
        .unwrap_or_else(|e| panic!("python3 is required for this test: {e}"));
    let site = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(site.is_dir(), "no site-packages at {}", site.display());
    let want = pip_list(&site);
    assert!(!want.is_empty());
    let inv = catalog_tree(&site, "/usr/lib/python3/site-packages");
    assert_eq!(ours_python(&inv, "/usr/lib/python3/site-packages"), want);
}

/// The workspace root: `BULWARK_LANG_WORKSPACE` if set, else two levels above this crate.
fn workspace_root() -> PathBuf {
    let root = match std::env::var_os("BULWARK_LANG_WORKSPACE") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."),
    };
    // Resolve symlinks so the lockfile read and the manifest cargo sees are the same files.
    root.canonicalize().unwrap_or(root)
}

#[test]
fn own_cargo_lock_matches_cargo_metadata() {
    let root = workspace_root();
    let lock = std::fs::read(root.join("Cargo.lock")).expect("workspace Cargo.lock");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        // Not --offline: cargo metadata reads the manifests of every locked package, including
        // platform-specific ones a Linux build never downloads (crates.io is reachable).
        .args(["metadata", "--format-version", "1", "--locked"])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .output()
        .unwrap_or_else(|e| panic!("cargo is required for this test: {e}"));
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let mut by_id: BTreeMap<&str, (String, bool)> = BTreeMap::new();
    for p in meta["packages"].as_array().expect("packages") {
        let id = p["id"].as_str().unwrap_or_default();
        let name = p["name"].as_str().unwrap_or_default();
        let version = p["version"].as_str().unwrap_or_default();
        by_id.insert(id, (format!("{name}@{version}"), p["source"].is_null()));
    }
    let mut want: BTreeMap<String, (bool, BTreeSet<String>)> = BTreeMap::new();
    for n in meta["resolve"]["nodes"].as_array().expect("resolve.nodes") {
        let (id, member) = by_id[n["id"].as_str().unwrap_or_default()].clone();
        let deps = n["deps"]
            .as_array()
            .expect("deps")
            .iter()
            .map(|d| by_id[d["pkg"].as_str().unwrap_or_default()].0.clone())
            .collect();
        want.insert(id, (member, deps));
    }
    let set = CatalogSet::new(catalogers());
    let inv = catalog_memory_files(&set, &[("/src/Cargo.lock", &lock)]);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let got: BTreeMap<String, (bool, BTreeSet<String>)> = inv
        .packages
        .iter()
        .map(|p| {
            (
                p.id(),
                (
                    p.relationship == Some(Relationship::Root),
                    p.depends_on.iter().cloned().collect(),
                ),
            )
        })
        .collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    assert_eq!(got, want);
}

/// npm's own installed tree (`$(npm root -g)/npm/node_modules`, ~200 packages, nested and
/// scoped) against `npm query '*'`, npm's view of the installed tree: the same package at every
/// location. Needs `npm` (Debian package `npm`); runs offline.
#[test]
fn npm_own_tree_matches_npm_query() {
    let npm = std::env::var("NPM").unwrap_or_else(|_| "npm".to_string());
    let out = Command::new(&npm)
        .args(["root", "-g"])
        .output()
        .unwrap_or_else(|e| panic!("npm is required for this test: {e}"));
    assert!(out.status.success(), "npm root -g failed");
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("npm");
    assert!(
        dir.join("node_modules").is_dir(),
        "no npm tree at {}",
        dir.display()
    );
    let out = Command::new(&npm)
        .args(["query", "*", "--offline"])
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("npm is required for this test: {e}"));
    assert!(
        out.status.success(),
        "npm query failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let q: Value = serde_json::from_slice(&out.stdout).expect("npm query JSON");
    let want: BTreeSet<(String, String)> = q
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|n| {
            let loc = n["location"].as_str()?;
            if loc.is_empty() {
                return None; // the project itself
            }
            Some((
                format!("{loc}/package.json"),
                format!(
                    "{}@{}",
                    n["name"].as_str().unwrap_or_default(),
                    n["version"].as_str().unwrap_or_default()
                ),
            ))
        })
        .collect();
    assert!(
        want.len() > 100,
        "npm's tree is unexpectedly small: {}",
        want.len()
    );
    let prefix = "/usr/lib/node_modules/npm";
    let inv = catalog_tree(&dir, prefix);
    // In the image, npm itself is a globally installed package
    // (`/usr/lib/node_modules/npm/package.json`); `npm query` run inside it treats it as the
    // project and leaves it out.
    let mut want = want;
    let root: Value =
        serde_json::from_slice(&std::fs::read(dir.join("package.json")).expect("npm package.json"))
            .expect("npm package.json");
    want.insert((
        "package.json".to_string(),
        format!("npm@{}", root["version"].as_str().unwrap_or_default()),
    ));
    let got: BTreeSet<(String, String)> = inv
        .packages
        .iter()
        .filter(|p| p.kind == PackageKind::Npm)
        .map(|p| {
            let rel = p.found_in.strip_prefix(prefix).unwrap_or(&p.found_in);
            (rel.trim_start_matches('/').to_string(), p.id())
        })
        .collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
}
