//! A real Debian root filesystem (made by `debootstrap`) catalogued through the in-memory path
//! and compared package by package with `dpkg-query` on the same database.
//!
//! The rootfs directory comes from `BULWARK_DEBIAN_ROOTFS`. Without it the test is skipped
//! locally but FAILS when `CI=true`, so CI cannot silently lose the check. CI creates it with:
//! `debootstrap --variant=minbase bookworm "$DIR" http://deb.debian.org/debian`.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use bulwark_catalog::{catalog_memory_files, CatalogSet, EntryMeta, Inventory, Visitor};

/// Every regular file under `root` that some cataloger wants, as (image path, bytes).
fn load_wanted(set: &CatalogSet, root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in rd.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(path);
                continue;
            }
            if !meta.is_file() {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap();
            let image_path = format!("/{}", rel.display());
            let em = EntryMeta {
                path: &image_path,
                size: meta.len(),
                mode: meta.permissions().mode() & 0o7777,
                layer: 0,
            };
            if set.wants(&em) {
                out.push((image_path, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn rootfs() -> Option<std::path::PathBuf> {
    match std::env::var_os("BULWARK_DEBIAN_ROOTFS") {
        Some(d) => Some(d.into()),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but BULWARK_DEBIAN_ROOTFS is not set: create the rootfs with debootstrap"
            )
        }
        None => {
            eprintln!("BULWARK_DEBIAN_ROOTFS not set: skipping the debootstrap comparison");
            None
        }
    }
}

fn dpkg_query(root: &Path, args: &[&str]) -> String {
    let admindir = root.join("var/lib/dpkg");
    let out = Command::new("dpkg-query")
        .arg(format!("--admindir={}", admindir.display()))
        .args(args)
        .output()
        .expect("dpkg-query must be installed (apt package dpkg)");
    assert!(out.status.success(), "dpkg-query failed: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

type Row = (String, String, String, String, String);

/// The inventory, the time to load the wanted files, the time to catalogue them, and how many
/// files were loaded.
fn catalogue(root: &Path) -> (Inventory, Duration, Duration, usize) {
    let set = CatalogSet::new(bulwark_os::catalogers());
    let start = Instant::now();
    let files = load_wanted(&set, root);
    let loaded = start.elapsed();
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_slice()))
        .collect();
    let start = Instant::now();
    let inv = catalog_memory_files(&set, &borrowed);
    (inv, loaded, start.elapsed(), files.len())
}

#[test]
fn debootstrap_rootfs_matches_dpkg_query() {
    let Some(root) = rootfs() else {
        return;
    };
    let (inv, loaded, catalogued, nfiles) = catalogue(&root);
    eprintln!(
        "inventory of {}: {} packages from {nfiles} wanted files; walk+load {loaded:?}, catalogue {catalogued:?}",
        root.display(),
        inv.packages.len()
    );
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);

    // What dpkg-query lists, minus the states whose files are gone.
    let listing = dpkg_query(
        &root,
        &[
            "-W",
            "-f",
            "${Package}\t${Version}\t${Source}\t${source:Package}\t${source:Version}\t${Architecture}\t${db:Status-Status}\n",
        ],
    );
    let mut want: BTreeSet<Row> = BTreeSet::new();
    for line in listing.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 7, "{line}");
        if matches!(f[6], "config-files" | "not-installed") {
            continue;
        }
        // ${Source} is empty when it equals the package; "name (version)" for binNMUs and
        // version mismatches. Normalise it by hand and check it agrees with dpkg's own
        // ${source:*} fields.
        let (src, src_ver) = match f[2].split_once(" (") {
            Some((n, v)) => (n.to_string(), v.trim_end_matches(')').to_string()),
            None if f[2].is_empty() => (f[0].to_string(), f[1].to_string()),
            None => (f[2].to_string(), f[1].to_string()),
        };
        assert_eq!((src.as_str(), src_ver.as_str()), (f[3], f[4]));
        want.insert((f[0].into(), f[1].into(), src, src_ver, f[5].into()));
    }
    let got: BTreeSet<Row> = inv
        .packages
        .iter()
        .map(|p| {
            let s = p.source.as_ref().unwrap();
            (
                p.name.clone(),
                p.version.clone(),
                s.name.clone(),
                s.version.clone().unwrap(),
                p.arch.clone().unwrap(),
            )
        })
        .collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}\nextra {extra:?}"
    );
    assert_eq!(inv.packages.len(), want.len());
    eprintln!(
        "dpkg-query lists {} present packages; differences: 0",
        want.len()
    );

    // Files: dpkg-query -L, without directories, equals what we attribute, for every package.
    let is_dir = |p: &str| {
        std::fs::symlink_metadata(root.join(p.trim_start_matches('/'))).is_ok_and(|m| m.is_dir())
    };
    let mut file_count = 0usize;
    for p in &inv.packages {
        let q = if p.arch.as_deref() == Some("all") {
            p.name.clone()
        } else {
            format!("{}:{}", p.name, p.arch.as_deref().unwrap())
        };
        let listed: BTreeSet<String> = dpkg_query(&root, &["-L", &q])
            .lines()
            .filter(|l| *l != "/." && !l.is_empty() && !l.starts_with("package diverts"))
            .filter(|l| !l.starts_with("diverted by") && !l.starts_with("locally diverted"))
            .filter(|l| !is_dir(l))
            .map(str::to_string)
            .collect();
        let ours: BTreeSet<String> = p.files.iter().filter(|f| !is_dir(f)).cloned().collect();
        assert_eq!(ours, listed, "files of {}", p.name);
        file_count += ours.len();
    }
    eprintln!("files owned (no directories): {file_count}, all equal to dpkg-query -L");

    let d = inv.distro.as_ref().expect("distro");
    assert_eq!(
        (d.id.as_str(), d.release.as_deref(), d.codename.as_deref()),
        ("debian", Some("12"), Some("bookworm"))
    );
    // Licenses: every package with a copyright file naming a license gets at least one.
    let licensed = inv
        .packages
        .iter()
        .filter(|p| !p.licenses.is_empty())
        .count();
    let by_name: BTreeMap<&str, &Vec<String>> = inv
        .packages
        .iter()
        .map(|p| (p.name.as_str(), &p.licenses))
        .collect();
    eprintln!("packages with licenses: {licensed}/{}", inv.packages.len());
    eprintln!(
        "e.g. bash {:?}, libc6 {:?}, zlib1g {:?}",
        by_name.get("bash"),
        by_name.get("libc6"),
        by_name.get("zlib1g")
    );
    assert!(by_name["bash"].contains(&"GPL-3.0-or-later".to_string()));
    assert!(by_name["zlib1g"].contains(&"Zlib".to_string()));
}
