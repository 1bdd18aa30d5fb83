//! Differential check against cargo-audit: the FULL RustSec advisory database (from the corpus
//! at `$BULWARK_CORPUS/advisories/rustsec`) and real `Cargo.lock` files, matched by Bulwark and
//! by `cargo audit --db <copy> --no-fetch --no-yanked --json`; the (advisory, crate, version)
//! sets must be equal.
//!
//! Needs `BULWARK_CORPUS` (skipped with a loud message when unset) and `cargo-audit` (skipped
//! when missing unless `BULWARK_REQUIRE_TOOLS` is set, which makes a missing tool a failure).

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use bulwark_catalog::PackageKind;
use bulwark_match::{match_report, MatchOptions};
use bulwark_vulndb::{Builder, Db, SourceKind};
use common::*;

type Triple = (String, String, String);

/// Registry packages of a Cargo.lock (`name`, `version`), the ones cargo-audit checks.
fn lock_packages(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for block in text.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block.lines().find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
            })
        };
        if let (Some(n), Some(v), Some(s)) = (field("name"), field("version"), field("source")) {
            if s.starts_with("registry+") || s.starts_with("sparse+") {
                out.push((n, v));
            }
        }
    }
    out
}

fn cargo_audit(db: &Path, lock: &Path) -> BTreeSet<Triple> {
    let out = Command::new("cargo")
        .args(["audit", "--db"])
        .arg(db)
        .args(["--no-fetch", "--no-yanked", "--stale", "--json", "-f"])
        .arg(lock)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "cargo audit output for {}: {e}: {}",
            lock.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v["vulnerabilities"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["advisory"]["id"].as_str().unwrap().to_string(),
                x["package"]["name"].as_str().unwrap().to_string(),
                x["package"]["version"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn bulwark(db: &Db, lock: &Path) -> BTreeSet<Triple> {
    let text = std::fs::read_to_string(lock).unwrap();
    let packages = lock_packages(&text)
        .into_iter()
        .map(|(n, v)| pkg(PackageKind::Cargo, &n, &v, None))
        .collect();
    let mut r = report(None, packages);
    match_report(&mut r, db, &MatchOptions::default()).unwrap();
    let mut out = BTreeSet::new();
    for f in &r.vulnerabilities {
        // A finding merges RustSec advisories that alias each other: count each one.
        for id in std::iter::once(&f.id).chain(f.aliases.iter()) {
            if id.starts_with("RUSTSEC-") {
                out.insert((
                    id.clone(),
                    f.package.name.clone(),
                    f.package.version.clone(),
                ));
            }
        }
    }
    out
}

fn have_cargo_audit() -> bool {
    Command::new("cargo")
        .args(["audit", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn agrees_with_cargo_audit_on_real_lockfiles() {
    let Some(corpus) = std::env::var_os("BULWARK_CORPUS") else {
        eprintln!("SKIPPED: BULWARK_CORPUS is not set: the cargo-audit differential needs the full RustSec database from the corpus");
        return;
    };
    if !have_cargo_audit() {
        assert!(
            std::env::var_os("BULWARK_REQUIRE_TOOLS").is_none(),
            "cargo-audit is required (BULWARK_REQUIRE_TOOLS is set): cargo install --locked cargo-audit"
        );
        eprintln!("SKIPPED: cargo-audit is not installed (cargo install --locked cargo-audit)");
        return;
    }
    let rustsec = PathBuf::from(corpus).join("advisories").join("rustsec");
    assert!(
        rustsec.join("crates").is_dir(),
        "no RustSec database at {}",
        rustsec.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("db.sqlite");
    let mut b = Builder::create(&db_path).unwrap();
    b.import("rustsec", SourceKind::Rustsec, &rustsec, "rustsec")
        .unwrap();
    b.finish().unwrap();
    let db = Db::open(&db_path).unwrap();

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let locks = [
        data().join("cargo/normal/Cargo.lock"),
        data().join("cargo/v3/Cargo.lock"),
        data().join("cargo/old-vulnerable/Cargo.lock"),
        // This workspace's own lockfile: hundreds of current crates.
        manifest.join("../../Cargo.lock"),
    ];
    let (mut total, mut agreed) = (0usize, 0usize);
    for lock in &locks {
        let theirs = cargo_audit(&rustsec, lock);
        let mine = bulwark(&db, lock);
        let only_theirs: Vec<_> = theirs.difference(&mine).collect();
        let only_mine: Vec<_> = mine.difference(&theirs).collect();
        eprintln!(
            "{}: cargo-audit {} findings, bulwark {}, common {}",
            lock.display(),
            theirs.len(),
            mine.len(),
            theirs.intersection(&mine).count()
        );
        total += theirs.union(&mine).count();
        agreed += theirs.intersection(&mine).count();
        assert!(
            only_theirs.is_empty() && only_mine.is_empty(),
            "{}: only cargo-audit: {only_theirs:?}; only bulwark: {only_mine:?}",
            lock.display()
        );
    }
    eprintln!("agreement: {agreed}/{total} (advisory, crate, version) triples");
    assert!(
        total >= 40,
        "the lockfiles should exercise many advisories, got {total}"
    );
}
