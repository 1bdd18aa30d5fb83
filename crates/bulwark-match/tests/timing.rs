//! Prints how long matching takes against a real database given by `BULWARK_MATCH_DB` (built
//! from the corpus with `bulwark db build`). Measures only; asserts nothing about time.

mod common;

use bulwark_catalog::PackageKind;
use bulwark_match::{match_report, MatchOptions};
use common::*;

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
    let n = db.packages().unwrap().len();
    eprintln!("Db::packages() alone: {n} rows in {:?}", t.elapsed());
}
