//! rpm cataloger against the corpus databases in all three formats, compared with what Debian's
//! rpm 4.18 (`rpm -qa`) lists for them and with the peers' assertions.

use std::collections::BTreeSet;

use crate::common::{expected, fixture, pkg, run, s};
use bulwark_catalog::Inventory;

type Row = (String, u64, String, String, String, String, String);

/// (name, epoch (0 = none), version, release, arch, source rpm, license) as `rpm -qa --qf
/// '%{NAME} %{EPOCHNUM} %{VERSION} %{RELEASE} %{ARCH} %{SOURCERPM} %{LICENSE}'` prints them.
fn reference(exp: &serde_json::Value) -> BTreeSet<Row> {
    exp["reference_dump_rpm_cli"]["packages"]
        .as_array()
        .expect("reference dump")
        .iter()
        .map(|p| {
            (
                s(p, "name").into(),
                p["epoch"].as_u64().unwrap(),
                s(p, "version").into(),
                s(p, "release").into(),
                s(p, "arch").into(),
                s(p, "source_rpm").into(),
                s(p, "license").into(),
            )
        })
        .collect()
}

/// The inventory's packages as comparable rows.
pub fn rows(inv: &Inventory) -> BTreeSet<Row> {
    inv.packages
        .iter()
        .map(|p| {
            let (v, r) = p.version.rsplit_once('-').expect("version-release");
            (
                p.name.clone(),
                u64::from(p.epoch.unwrap_or(0)),
                v.to_string(),
                r.to_string(),
                p.arch.clone().unwrap_or_default(),
                p.metadata.get("source_rpm").cloned().unwrap_or_default(),
                p.licenses.first().cloned().unwrap_or_default(),
            )
        })
        .collect()
}

fn check(db_path: &str, fixture_rel: &str, expected_rel: &str) -> Inventory {
    let inv = run(&[(db_path, fixture(fixture_rel))]);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let exp = expected(expected_rel);
    let want = reference(&exp);
    assert_eq!(rows(&inv), want);
    assert_eq!(
        inv.packages.len(),
        exp["reference_dump_rpm_cli"]["count"].as_u64().unwrap() as usize
    );
    inv
}

#[test]
fn bdb_dive_matches_rpm_and_syft() {
    let inv = check(
        "/var/lib/rpm/Packages",
        "rpm/bdb/centos8-dive/Packages",
        "rpm/bdb/centos8-dive/Packages.expected.json",
    );
    let dive = pkg(&inv, "dive");
    assert_eq!(dive.version, "0.9.2-1");
    assert_eq!(dive.epoch, None);
    assert_eq!(dive.files, vec!["/usr/local/bin/dive"]);
    assert_eq!(dive.metadata["size"], "12406784");
    assert_eq!(dive.metadata["digest_algorithm"], "sha256");
    assert!(
        !dive.metadata.contains_key("vendor"),
        "empty vendor is left out"
    );
    assert_eq!(
        dive.purl,
        "pkg:rpm/dive@0.9.2-1?arch=x86_64&upstream=dive-0.9.2-1.src.rpm"
    );
    assert_eq!(dive.source.as_ref().unwrap().name, "dive");
    assert_eq!(dive.found_in, "/var/lib/rpm/Packages");
}

#[test]
fn bdb_epoch() {
    let inv = run(&[
        (
            "/var/lib/rpm/Packages",
            fixture("rpm/bdb/fedora32-epoch/Packages"),
        ),
        ("/etc/os-release", b"ID=fedora\nVERSION_ID=32\n".to_vec()),
    ]);
    let exp = expected("rpm/bdb/fedora32-epoch/Packages.expected.json");
    assert_eq!(rows(&inv), reference(&exp));
    let hello = pkg(&inv, "hello");
    assert_eq!(hello.epoch, Some(1));
    assert_eq!(
        hello.purl,
        "pkg:rpm/fedora/hello@0.0.1-rls?arch=x86_64&distro=fedora-32&epoch=1&upstream=hello-0.0.1-rls.src.rpm"
    );
}

#[test]
fn bdb_libuuid_matches_go_rpmdb() {
    let inv = check(
        "/var/lib/rpm/Packages",
        "rpm/bdb/libuuid-el8/Packages",
        "rpm/bdb/libuuid-el8/Packages.expected.json",
    );
    let exp = expected("rpm/bdb/libuuid-el8/Packages.expected.json");
    let peer = &exp["packages"][0];
    let p = pkg(&inv, "libuuid");
    assert_eq!(
        p.metadata["size"],
        peer["size"].as_u64().unwrap().to_string()
    );
    assert_eq!(p.metadata["vendor"], s(peer, "vendor"));
    assert_eq!(
        p.metadata["install_time"],
        peer["install_time"].as_u64().unwrap().to_string()
    );
    assert_eq!(p.metadata["digest_algorithm"], "sha256");
    let src = p.source.as_ref().unwrap();
    assert_eq!(
        (src.name.as_str(), src.version.as_deref()),
        ("util-linux", Some("2.32.1-42.el8_8"))
    );
}

#[test]
fn ndb_sle15_matches_go_rpmdb() {
    let inv = run(&[(
        "/usr/lib/sysimage/rpm/Packages.db",
        fixture("rpm/ndb/sle15-bci/Packages.db.gz"),
    )]);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let exp = expected("rpm/ndb/sle15-bci/Packages.db.expected.json");
    let peer = exp["packages"].as_array().unwrap();
    assert_eq!(peer.len(), 35);
    assert_eq!(inv.packages.len(), 35);
    for p in peer {
        let ours = inv
            .packages
            .iter()
            .find(|q| {
                q.name == s(p, "name")
                    && q.version == s(p, "evr").rsplit_once(':').map_or(s(p, "evr"), |x| x.1)
            })
            .unwrap_or_else(|| panic!("{}", s(p, "name")));
        assert_eq!(
            ours.version,
            format!("{}-{}", s(p, "version"), s(p, "release"))
        );
        assert_eq!(ours.epoch.map(u64::from), p["epoch"].as_u64());
        assert_eq!(ours.arch.as_deref(), Some(s(p, "arch")));
        assert_eq!(
            ours.metadata
                .get("source_rpm")
                .map(String::as_str)
                .unwrap_or(""),
            s(p, "source_rpm")
        );
        assert_eq!(
            ours.metadata["size"],
            p["size"].as_u64().unwrap().to_string()
        );
        assert_eq!(ours.licenses, vec![s(p, "license").to_string()]);
        assert_eq!(
            ours.metadata
                .get("vendor")
                .map(String::as_str)
                .unwrap_or(""),
            s(p, "vendor")
        );
        assert_eq!(
            ours.metadata
                .get("modularity_label")
                .map(String::as_str)
                .unwrap_or(""),
            s(p, "modularitylabel")
        );
    }
}

#[test]
fn sqlite_mariner_matches_rpm_cli_and_go_rpmdb() {
    let inv = check(
        "/var/lib/rpm/rpmdb.sqlite",
        "rpm/sqlite/cbl-mariner-2.0/rpmdb.sqlite.gz",
        "rpm/sqlite/cbl-mariner-2.0/rpmdb.sqlite.expected.json",
    );
    let exp = expected("rpm/sqlite/cbl-mariner-2.0/rpmdb.sqlite.expected.json");
    let peer = &exp["packages"][0];
    let curl = pkg(&inv, "curl");
    assert_eq!(curl.version, "7.76.0-6.cm2");
    assert_eq!(
        curl.metadata["size"],
        peer["size"].as_u64().unwrap().to_string()
    );
    assert_eq!(curl.metadata["vendor"], "Microsoft Corporation");
    assert_eq!(curl.metadata["digest_algorithm"], "sha256");
    assert_eq!(curl.metadata["install_time"], "1643279454");
    assert!(
        curl.files.iter().any(|f| f == "/usr/bin/curl"),
        "{:?}",
        curl.files
    );
    // Every file of every package is recorded as OS-owned: spot-check through a second
    // package.
    assert!(pkg(&inv, "bash").files.iter().any(|f| f == "/bin/bash"));
}

#[test]
fn layers_and_preferred_database() {
    let sqlite = fixture("rpm/sqlite/cbl-mariner-2.0/rpmdb.sqlite.gz");
    let bdb = fixture("rpm/bdb/libuuid-el8/Packages");
    let layers = vec![
        vec![("/var/lib/rpm/Packages".to_string(), bdb.clone())],
        vec![("/var/lib/rpm/rpmdb.sqlite".to_string(), sqlite)],
        vec![("/var/lib/rpm/Packages".to_string(), bdb)],
    ];
    let inv = crate::common::run_layers(&layers);
    // Both are visible; sqlite is the one rpm >= 4.16 reads.
    assert_eq!(inv.packages.len(), 129);
    assert!(inv.packages.iter().all(|p| p.layer == Some(1)));
    assert!(inv
        .packages
        .iter()
        .all(|p| p.found_in == "/var/lib/rpm/rpmdb.sqlite"));
}

#[test]
fn corrupt_records_are_reported_and_skipped() {
    let mut bdb = fixture("rpm/bdb/libuuid-el8/Packages");
    // Garbage over the start of the header (page 3 is the first overflow page): the header
    // must be rejected, never read out of bounds.
    for b in bdb.iter_mut().skip(3 * 4096 + 26).take(64) {
        *b = 0xff;
    }
    let inv = run(&[("/var/lib/rpm/Packages", bdb)]);
    assert!(inv.packages.is_empty());
    assert!(!inv.warnings.is_empty());
    assert!(inv.warnings.iter().all(|w| w.cataloger == "rpm"));
    let inv = run(&[("/var/lib/rpm/Packages", b"not a database".to_vec())]);
    assert!(inv.packages.is_empty());
    assert_eq!(inv.warnings.len(), 1);
}

/// An SQLite database built in memory by `sql`, as file bytes.
fn sqlite_bytes(sql: &str) -> Vec<u8> {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(sql).unwrap();
    conn.serialize(rusqlite::DatabaseName::Main)
        .unwrap()
        .to_vec()
}

#[test]
fn hostile_sqlite_databases() {
    // An endless recursive view named Packages must not be queried.
    let endless = sqlite_bytes(
        "CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
         SELECT x AS hnum, x AS blob FROM c;",
    );
    let err = bulwark_os::rpm::read_db(&endless).unwrap_err();
    assert_eq!(err.to_string(), "no Packages table");
    // A real table with a garbage blob: the record is a warning, the good one is kept.
    let good = fixture("rpm/built/rpmdb.sqlite.gz");
    let mut db = bulwark_os::rpm::read_db(&good).unwrap();
    assert_eq!(db.packages.len(), 3);
    let bad = sqlite_bytes(
        "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL); \
         INSERT INTO Packages (blob) VALUES (x'0000000100000010deadbeef');",
    );
    db = bulwark_os::rpm::read_db(&bad).unwrap();
    assert!(db.packages.is_empty());
    assert_eq!(
        db.warnings,
        vec!["record 0: corrupt header, skipped: header blob is 12 bytes, its index declares 40"]
    );
}
