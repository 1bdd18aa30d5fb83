//! apk packages pinned to a tagged repository outside the release's branch are not matched
//! against the release's secdb: the real Alpine 3.18 installed database, catalogued by
//! `bulwark-os` with an `/etc/apk/world` pinning `libssl3@edge` and `zlib@corp`, against a
//! small v3.18 secdb (see `tests/data/PROVENANCE.md`).

use crate::common;

use bulwark_catalog::{catalog_memory_files, CatalogSet};
use bulwark_match::{match_report, MatchOptions};
use bulwark_model::scan::{NoticeLevel, ScanReport};
use bulwark_vulndb::SourceKind;
use common::*;

/// 2024-01-01T00:00:00Z (Alpine 3.18 is supported until 2025-05-09).
const NOW: i64 = 1_704_067_200;

const OS_RELEASE: &[u8] = b"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.0\n\
PRETTY_NAME=\"Alpine Linux v3.18\"\n";

fn image(world: Option<&str>, repositories: &str) -> ScanReport {
    let dir = data().join("alpine/alpine-3.18-image");
    let installed = std::fs::read(dir.join("installed")).unwrap();
    let mut files: Vec<(&str, &[u8])> = vec![
        ("/etc/os-release", OS_RELEASE),
        ("/lib/apk/db/installed", &installed),
        ("/etc/apk/repositories", repositories.as_bytes()),
    ];
    if let Some(w) = world {
        files.push(("/etc/apk/world", w.as_bytes()));
    }
    let set = CatalogSet::new(bulwark_os::catalogers());
    let inv = catalog_memory_files(&set, &files);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    assert_eq!(inv.packages.len(), 15);
    report(inv.distro, inv.packages)
}

fn scan(world: Option<&str>, repositories: &str) -> (Vec<String>, ScanReport) {
    let dir = tempfile::tempdir().unwrap();
    let db = build(
        dir.path(),
        &[(SourceKind::AlpineSecdb, "alpine/v3.18-handmade.yaml")],
    );
    let mut r = image(world, repositories);
    match_report(
        &mut r,
        &db,
        &MatchOptions {
            now_unix: NOW,
            max_db_age_days: 100_000,
        },
    )
    .unwrap();
    let mut got = lines(&r);
    got.sort();
    (got, r)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(data().join("alpine/alpine-3.18-image").join(name)).unwrap()
}

const BUSYBOX: [&str; 3] = [
    "CVE-2022-48174 [] busybox-binsh@1.36.0-r9 fixed [1.36.1-r1] UNKNOWN(-) {alpine-secdb} <>",
    "CVE-2022-48174 [] busybox@1.36.0-r9 fixed [1.36.1-r1] UNKNOWN(-) {alpine-secdb} <>",
    "CVE-2022-48174 [] ssl_client@1.36.0-r9 fixed [1.36.1-r1] UNKNOWN(-) {alpine-secdb} <>",
];
const LIBCRYPTO: &str =
    "CVE-2023-2650 [] libcrypto3@3.1.0-r4 fixed [3.1.1-r0] UNKNOWN(-) {alpine-secdb} <>";
const LIBSSL: &str =
    "CVE-2023-2650 [] libssl3@3.1.0-r4 fixed [3.1.1-r0] UNKNOWN(-) {alpine-secdb} <>";
const ZLIB: &str =
    "CVE-2023-45853 [] zlib@1.2.13-r1 fixed [1.2.13-r2] UNKNOWN(-) {alpine-secdb} <>";

#[test]
fn without_pins_every_package_is_matched() {
    let (got, r) = scan(None, &read("repositories"));
    let mut want = vec![BUSYBOX[0], BUSYBOX[1], BUSYBOX[2], LIBCRYPTO, LIBSSL, ZLIB];
    want.sort();
    assert_eq!(got, want);
    assert!(r.notices.is_empty(), "{:?}", r.notices);
}

#[test]
fn packages_pinned_to_other_repositories_are_skipped() {
    let (got, r) = scan(Some(&read("world")), &read("repositories"));
    // libssl3 (@edge) and zlib (@corp) are gone; libcrypto3, from the same origin as libssl3
    // but not pinned, is still matched.
    let mut want = vec![BUSYBOX[0], BUSYBOX[1], BUSYBOX[2], LIBCRYPTO];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(r.notices.len(), 1, "{:?}", r.notices);
    let n = &r.notices[0];
    assert_eq!(n.code, "third-party-packages");
    assert_eq!(n.level, NoticeLevel::Info);
    assert_eq!(
        n.message,
        "2 OS package(s) come from third-party repositories (rpm vendor not the distribution's, \
         or apk pinned to a tagged repository outside the release's branch) and were not \
         matched against the distribution's advisories"
    );
    let zlib = r.packages.iter().find(|p| p.name == "zlib").unwrap();
    assert_eq!(zlib.metadata["repository_tag"], "corp");
    assert_eq!(
        zlib.metadata["repository"],
        "https://apk.example.com/alpine/v3.18"
    );
}

#[test]
fn a_tag_on_the_release_branch_is_still_matched() {
    // `@corp` now names a mirror of the release's own main repository; `@edge` is undeclared
    // (tag only), which counts as another repository.
    let repositories = "https://dl-cdn.alpinelinux.org/alpine/v3.18/main\n\
                        @corp http://mirror.example.org/alpine/v3.18/main\n";
    let (got, r) = scan(Some(&read("world")), repositories);
    let mut want = vec![BUSYBOX[0], BUSYBOX[1], BUSYBOX[2], LIBCRYPTO, ZLIB];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(r.notices.len(), 1, "{:?}", r.notices);
    assert!(r.notices[0].message.starts_with("1 OS package(s)"));
}
