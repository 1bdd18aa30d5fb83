//! Store behaviour: atomic replacement, extension, schema checks, hostile files.

use crate::common;

use bulwark_vulndb::{Builder, Db, SourceKind, StoreError};
use common::fixtures;

#[test]
fn failed_build_leaves_previous_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let mut b = Builder::create(&path).unwrap();
    b.import("osv", SourceKind::Osv, &fixtures().join("osv/go"), "go")
        .unwrap();
    b.finish().unwrap();
    let before = std::fs::read(&path).unwrap();

    // A build that fails part-way (missing input) and is dropped: nothing replaced.
    let mut b = Builder::create(&path).unwrap();
    b.import("osv", SourceKind::Osv, &fixtures().join("osv/pypa"), "pypa")
        .unwrap();
    assert!(b
        .import("x", SourceKind::Osv, &dir.path().join("missing"), "missing")
        .is_err());
    drop(b);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["db.sqlite"]);
}

#[test]
fn extend_adds_to_existing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let mut b = Builder::create(&path).unwrap();
    b.import("go", SourceKind::Osv, &fixtures().join("osv/go"), "go")
        .unwrap();
    b.finish().unwrap();
    let mut b = Builder::extend(&path).unwrap();
    b.import(
        "rustsec",
        SourceKind::Rustsec,
        &fixtures().join("rustsec"),
        "rustsec",
    )
    .unwrap();
    let summary = b.finish().unwrap();
    assert_eq!(summary.advisories, 5);
    let db = Db::open(&path).unwrap();
    assert_eq!(
        db.affected("Go", "github.com/gin-gonic/gin").unwrap().len(),
        1
    );
    assert_eq!(db.affected("crates.io", "abi_stable").unwrap().len(), 1);
    let st = db.status().unwrap();
    assert_eq!(
        st.sources
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["go", "rustsec"]
    );
    assert_eq!(st.schema_version, 2); // 2: package names stored folded (canonical_name)
    assert_eq!(st.advisories, 5);
    assert!(st.built_at > 1_700_000_000);
}

#[test]
fn refuses_foreign_and_garbage_files() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.sqlite");
    std::fs::write(&garbage, b"this is not a database at all, just text").unwrap();
    assert!(Db::open(&garbage).is_err());
    let other = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('schema_version', '999');")
        .unwrap();
    assert!(matches!(Db::open(&other), Err(StoreError::Schema { .. })));
    assert!(Db::open(&dir.path().join("missing.sqlite")).is_err());
}

#[test]
fn importing_the_same_feed_twice_replaces_instead_of_duplicating() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let mut b = Builder::create(&path).unwrap();
    b.import("a", SourceKind::Osv, &fixtures().join("osv"), "osv")
        .unwrap();
    b.import("b", SourceKind::Osv, &fixtures().join("osv/go"), "go")
        .unwrap();
    let s = b.finish().unwrap();
    assert_eq!((s.advisories, s.affected), (5, 6));
    let mut b = Builder::extend(&path).unwrap();
    b.import("c", SourceKind::Osv, &fixtures().join("osv/pypa"), "pypa")
        .unwrap();
    let s = b.finish().unwrap();
    assert_eq!((s.advisories, s.affected), (5, 6));
    let db = Db::open(&path).unwrap();
    let recs = db.affected("PyPI", "aiohttp").unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].affected.ranges.len(), 2);
}
