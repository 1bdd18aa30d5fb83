//! Prints how long matching takes against a real database given by `BULWARK_MATCH_DB` (built
//! from the corpus with `bulwark db build`). Measures only; asserts nothing about time.

use crate::common;

use bulwark_catalog::PackageKind;
use bulwark_match::{match_report, MatchOptions};
use common::*;

/// With `BULWARK_MATCH_REPORT` set to a scan report (`bulwark scan --format json` of a real
/// image), match its inventory again: the best of five runs, the first (cold cache) apart.
#[test]
fn time_real_inventory() {
    let (Some(path), Some(report)) = (
        std::env::var_os("BULWARK_MATCH_DB"),
        std::env::var_os("BULWARK_MATCH_REPORT"),
    ) else {
        eprintln!(
            "SKIPPED: set BULWARK_MATCH_DB and BULWARK_MATCH_REPORT to time a real inventory"
        );
        return;
    };
    let db = bulwark_vulndb::Db::open(std::path::Path::new(&path)).unwrap();
    let text = std::fs::read_to_string(&report).unwrap();
    let base: bulwark_model::scan::ScanReport = serde_json::from_str(&text).unwrap();
    let mut times = Vec::new();
    let mut findings = 0;
    for _ in 0..5 {
        let mut r = base.clone();
        r.vulnerabilities.clear();
        r.notices.clear();
        let t = std::time::Instant::now();
        match_report(&mut r, &db, &MatchOptions::default()).unwrap();
        times.push(t.elapsed());
        findings = r.vulnerabilities.len();
    }
    eprintln!(
        "real inventory: {} packages, {findings} findings: first {:?}, best of the rest {:?}",
        base.packages.len(),
        times[0],
        times[1..].iter().min().unwrap()
    );
}

#[test]
fn time_against_real_database() {
    let Some(path) = std::env::var_os("BULWARK_MATCH_DB") else {
        eprintln!("SKIPPED: set BULWARK_MATCH_DB to a database file to time matching");
        return;
    };
    let db = bulwark_vulndb::Db::open(std::path::Path::new(&path)).unwrap();
    let mut packages = Vec::new();
    for i in 0..300 {
        packages.push(pkg(
            PackageKind::Deb,
            &format!("lib{i}"),
            "1.0-1",
            Some((&format!("src{}", i % 120), "1.0-1")),
        ));
    }
    for (n, v) in [
        ("django", "3.2.10"),
        ("requests", "2.19.1"),
        ("Jinja2", "2.10"),
        ("urllib3", "1.24.1"),
    ] {
        packages.push(pkg(PackageKind::Python, n, v, None));
    }
    for i in 0..200 {
        packages.push(pkg(PackageKind::Cargo, &format!("crate{i}"), "0.1.0", None));
    }
    packages.push(pkg(PackageKind::Go, "stdlib", "1.21.5", None));
    packages.push(pkg(PackageKind::Cargo, "smallvec", "1.6.0", None));
    let mut r = report(Some(distro("debian", "10", None)), packages);
    let t = std::time::Instant::now();
    match_report(&mut r, &db, &MatchOptions::default()).unwrap();
    eprintln!(
        "matched {} packages in {:?}: {} findings",
        r.packages.len(),
        t.elapsed(),
        r.vulnerabilities.len()
    );
    let t = std::time::Instant::now();
    let all = db.packages().unwrap();
    eprintln!(
        "Db::packages() alone: {} rows in {:?}",
        all.len(),
        t.elapsed()
    );
    let t = std::time::Instant::now();
    let n = db.ecosystems().unwrap().len();
    eprintln!(
        "Db::ecosystems() alone: {n} ecosystems in {:?}",
        t.elapsed()
    );

    // Dense cases: every package the database has for a release, at a version below every fix
    // (each lookup hits, most records match): the most findings per package a scan can meet.
    for (id, release, eco, kind) in [
        ("debian", "10", "Debian:10", PackageKind::Deb),
        ("almalinux", "9", "AlmaLinux:9", PackageKind::Rpm),
    ] {
        let packages: Vec<_> = all
            .iter()
            .filter(|(e, _)| e == eco)
            .take(300)
            .map(|(_, name)| pkg(kind, name, "0.1-1", Some((name, "0.1-1"))))
            .collect();
        let mut r = report(Some(distro(id, release, None)), packages);
        let t = std::time::Instant::now();
        match_report(&mut r, &db, &MatchOptions::default()).unwrap();
        eprintln!(
            "{eco}: matched {} packages in {:?}: {} findings",
            r.packages.len(),
            t.elapsed(),
            r.vulnerabilities.len()
        );
    }
}
