//! Build from the FULL RustSec + PyPA + Go vulndb + AlmaLinux sets when `BULWARK_CORPUS` points
//! at the corpus directory (the one holding `advisories/`). CI sets it; without it this test
//! says so loudly and does nothing else.

use std::path::{Path, PathBuf};

use bulwark_vulndb::{Builder, Db, SourceKind};

fn count_files(dir: &Path, ext: &[&str]) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            n += count_files(&p, ext);
        } else if ext.iter().any(|x| p.to_string_lossy().ends_with(x)) {
            n += 1;
        }
    }
    n
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.to_string_lossy().ends_with(ext) {
            out.push(p);
        }
    }
}

/// Distinct advisory ids (file stems) over the four sets: AlmaLinux publishes some ids
/// (ALBA/ALEA) for several majors, and those merge into one advisory.
fn distinct_ids(dirs: &[(&Path, &str)]) -> usize {
    let mut ids = std::collections::HashSet::new();
    for (d, ext) in dirs {
        let mut v = Vec::new();
        files(d, ext, &mut v);
        for p in v {
            ids.insert(p.file_stem().unwrap().to_string_lossy().into_owned());
        }
    }
    ids.len()
}

#[test]
fn full_corpus_builds_without_skips() {
    let Some(root) = std::env::var_os("BULWARK_CORPUS") else {
        eprintln!();
        eprintln!("################################################################");
        eprintln!("## SKIPPED: BULWARK_CORPUS is not set.                        ##");
        eprintln!("## The full-corpus build test (RustSec + PyPA + Go + Alma)    ##");
        eprintln!("## did NOT run. Set BULWARK_CORPUS=<corpus dir> to run it.    ##");
        eprintln!("################################################################");
        return;
    };
    let adv = PathBuf::from(root).join("advisories");
    assert!(
        adv.is_dir(),
        "BULWARK_CORPUS has no advisories/ dir: {}",
        adv.display()
    );
    let inputs = [
        (
            "rustsec",
            SourceKind::Rustsec,
            adv.join("rustsec"),
            count_files(&adv.join("rustsec"), &[".md"]),
        ),
        (
            "pypa",
            SourceKind::Osv,
            adv.join("pypa"),
            count_files(&adv.join("pypa"), &[".yaml"]),
        ),
        (
            "go",
            SourceKind::Osv,
            adv.join("govulndb/osv"),
            count_files(&adv.join("govulndb/osv"), &[".json"]),
        ),
        (
            "alma",
            SourceKind::Osv,
            adv.join("almalinux-osv"),
            count_files(&adv.join("almalinux-osv"), &[".json"]),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let mut b = Builder::create(&path).unwrap();
    let mut total = 0usize;
    for (name, kind, p, expected) in &inputs {
        let r = b.import(name, *kind, p, name).unwrap();
        assert!(
            r.skipped.is_empty(),
            "{name}: {:?}",
            &r.skipped[..r.skipped.len().min(5)]
        );
        // Every advisory file is one advisory (the README counts: 1225, 2661, 4291, 318).
        assert_eq!(r.advisories, *expected, "{name}");
        assert!(
            *expected > 300,
            "{name}: corpus looks truncated ({expected} files)"
        );
        total += r.advisories;
    }
    let summary = b.finish().unwrap();
    assert!(summary.advisories as usize <= total);
    assert_eq!(
        summary.advisories as usize,
        distinct_ids(&[
            (&adv.join("rustsec"), ".md"),
            (&adv.join("pypa"), ".yaml"),
            (&adv.join("govulndb/osv"), ".json"),
            (&adv.join("almalinux-osv"), ".json"),
        ])
    );
    let db = Db::open(&path).unwrap();
    let abi = db.affected("crates.io", "abi_stable").unwrap();
    assert!(abi.iter().any(|r| r.advisory == "RUSTSEC-2020-0105"));
    let gin = db.affected("Go", "github.com/gin-gonic/gin").unwrap();
    assert!(gin.iter().any(|r| r.advisory == "GO-2020-0001"));
    let aio = db.affected("PyPI", "aiohttp").unwrap();
    assert!(aio.iter().any(|r| r.advisory == "PYSEC-2021-76"));
    assert!(db
        .aliases("CVE-2021-21330")
        .unwrap()
        .contains(&"PYSEC-2021-76".to_string()));
    let dbi = db.affected("AlmaLinux:9", "perl-DBI").unwrap();
    assert!(dbi.iter().any(|r| r.advisory == "ALSA-2026:38512"));
    eprintln!(
        "full corpus: {} advisories, {} affected rows, {} packages, {} bytes",
        summary.advisories,
        summary.affected,
        summary.packages,
        std::fs::metadata(&path).unwrap().len()
    );
}
