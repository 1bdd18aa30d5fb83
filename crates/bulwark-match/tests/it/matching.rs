//! The matcher against a database built from real advisories (see `tests/data/PROVENANCE.md`),
//! with hand-built inventories of realistic packages. Every expected finding below was checked
//! by hand against the advisory text (and the PyPI ranges against `packaging`).

use crate::common;

use bulwark_catalog::{LayerInfo, PackageKind};
use bulwark_match::{match_report, MatchOptions};
use bulwark_model::scan::{BaseImageRef, FixStatus, Origin};
use bulwark_model::Severity;
use common::*;

/// 2024-01-01T00:00:00Z.
const NOW: i64 = 1_704_067_200;

fn opts() -> MatchOptions {
    MatchOptions {
        now_unix: NOW,
        max_db_age_days: 100_000,
    }
}

fn db() -> (tempfile::TempDir, bulwark_vulndb::Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = build(dir.path(), &all_inputs());
    (dir, db)
}

fn codes(r: &bulwark_model::scan::ScanReport) -> Vec<&str> {
    r.notices.iter().map(|n| n.code.as_str()).collect()
}

#[test]
fn debian_bullseye_source_packages_tracker_and_dsa() {
    let (_d, db) = db();
    let mut r = report(
        Some(distro("debian", "11", Some("2024-08-14"))),
        vec![
            pkg(
                PackageKind::Deb,
                "libssl1.1",
                "1.1.1n-0+deb11u3",
                Some(("openssl", "1.1.1n-0+deb11u3")),
            ),
            pkg(
                PackageKind::Deb,
                "xserver-common",
                "2:1.20.11-1+deb11u5",
                Some(("xorg-server", "2:1.20.11-1+deb11u5")),
            ),
            // Already at the DSA's fixed version: only the still-open issues remain.
            pkg(
                PackageKind::Deb,
                "openssl",
                "1.1.1n-0+deb11u4",
                Some(("openssl", "1.1.1n-0+deb11u4")),
            ),
        ],
    );
    match_report(&mut r, &db, &opts()).unwrap();
    let got = lines(&r);
    let mut expected = vec![
        // KEV-listed in the test KEV file; Debian urgency high wins over everything.
        "CVE-2023-0286 [] libssl1.1@1.1.1n-0+deb11u3 fixed [1.1.1n-0+deb11u4] HIGH(debian) {debian-dsa,debian-tracker} <DSA-5343-1>",
        "CVE-2023-1393 [] xserver-common@2:1.20.11-1+deb11u5 fixed [2:1.20.11-1+deb11u6] HIGH(debian) {debian-dsa,debian-tracker} <DSA-5380-1>",
        "CVE-2022-4304 [] libssl1.1@1.1.1n-0+deb11u3 fixed [1.1.1n-0+deb11u4] MEDIUM(debian) {debian-dsa,debian-tracker} <DSA-5343-1>",
        "CVE-2023-0464 [] libssl1.1@1.1.1n-0+deb11u3 affected [] LOW(debian) {debian-tracker} <>",
        "CVE-2023-0465 [] libssl1.1@1.1.1n-0+deb11u3 no-dsa [] LOW(debian) {debian-tracker} <>",
        "CVE-2023-0466 [] libssl1.1@1.1.1n-0+deb11u3 ignored [] LOW(debian) {debian-tracker} <>",
        "CVE-2023-0464 [] openssl@1.1.1n-0+deb11u4 affected [] LOW(debian) {debian-tracker} <>",
        "CVE-2023-0465 [] openssl@1.1.1n-0+deb11u4 no-dsa [] LOW(debian) {debian-tracker} <>",
        "CVE-2023-0466 [] openssl@1.1.1n-0+deb11u4 ignored [] LOW(debian) {debian-tracker} <>",
        // CVEs only the DSA names (no tracker record in the test data): expanded per CVE.
        "CVE-2022-2097 [] libssl1.1@1.1.1n-0+deb11u3 fixed [1.1.1n-0+deb11u4] UNKNOWN(-) {debian-dsa} <DSA-5343-1>",
        "CVE-2022-4450 [] libssl1.1@1.1.1n-0+deb11u3 fixed [1.1.1n-0+deb11u4] UNKNOWN(-) {debian-dsa} <DSA-5343-1>",
        "CVE-2023-0215 [] libssl1.1@1.1.1n-0+deb11u3 fixed [1.1.1n-0+deb11u4] UNKNOWN(-) {debian-dsa} <DSA-5343-1>",
    ];
    expected.sort();
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(sorted, expected, "{got:#?}");
    // Sorted by severity, then package, then id.
    assert_eq!(got[0].split(' ').next(), Some("CVE-2023-0286"));
    assert_eq!(got[1].split(' ').next(), Some("CVE-2023-1393"));
    let kev = &r.vulnerabilities[0];
    assert!(kev.kev);
    assert_eq!(kev.package.source_name.as_deref(), Some("openssl"));
    assert!(r
        .vulnerabilities
        .iter()
        .filter(|v| v.id != "CVE-2023-0286")
        .all(|v| !v.kev));
    let nodsa = r
        .vulnerabilities
        .iter()
        .find(|v| v.id == "CVE-2023-0465")
        .unwrap();
    assert_eq!(nodsa.note.as_deref(), Some("Minor issue"));
    assert_eq!(codes(&r), Vec::<&str>::new());
    let db_info = r.database.as_ref().unwrap();
    assert!(
        db_info
            .sources
            .contains(&"debian-dsa:debian-dsa-6".to_string()),
        "{:?}",
        db_info.sources
    );
}

#[test]
fn debian_bookworm_binnmu_uses_source_name_and_version() {
    let (_d, db) = db();
    let mut r = report(
        Some(distro("debian", "12", Some("2026-06-10"))),
        vec![pkg(
            PackageKind::Deb,
            "util-linux-extra",
            "2.38.1-5+b1",
            Some(("util-linux", "2.38.1-5")),
        )],
    );
    match_report(&mut r, &db, &opts()).unwrap();
    assert_eq!(
        lines(&r),
        [
            // `unimportant` open issue: affected, Low from Debian's urgency.
            "CVE-2022-0563 [] util-linux-extra@2.38.1-5+b1 affected [] LOW(debian) {debian-tracker} <>",
            // `not yet assigned` is no severity, and no other feed scores it.
            "CVE-2024-28085 [] util-linux-extra@2.38.1-5+b1 fixed [2.38.1-5+deb12u1] UNKNOWN(-) {debian-tracker} <>",
        ]
    );
    assert_eq!(
        r.vulnerabilities[0].package.source_name.as_deref(),
        Some("util-linux")
    );
}

#[test]
fn debian_buster_real_tracker_excerpt_and_eol_notice() {
    let (_d, db) = db();
    let mut r = report(
        Some(distro("debian", "10", Some("2022-09-10"))),
        vec![
            pkg(
                PackageKind::Deb,
                "txt2man",
                "1.5.5-4",
                Some(("txt2man", "1.5.5-4")),
            ),
            // Fixed version "0" for buster (CVE-2007-2383) and fixed below it (CVE-2008-7220).
            pkg(
                PackageKind::Deb,
                "libjs-prototype",
                "1.7.1-3",
                Some(("prototypejs", "1.7.1-3")),
            ),
        ],
    );
    match_report(&mut r, &db, &opts()).unwrap();
    assert_eq!(
        lines(&r),
        ["CVE-2013-1444 [] txt2man@1.5.5-4 fixed [1.5.5-4.1] LOW(debian) {debian-tracker} <>"]
    );
    assert_eq!(codes(&r), ["eol-release"]);
    // NOW (2024-01-01) is after buster's regular security support, within its LTS.
    assert_eq!(
        r.notices[0].message,
        "debian 10: regular security support ended on 2022-09-10; until 2024-06-30 only Debian \
         LTS updates follow (volunteer-maintained, not every package); plan the move to a \
         supported release"
    );
}

#[test]
fn alpine_origin_packages_against_secdb() {
    let (_d, db) = db();
    let mut r = report(
        Some(distro("alpine", "3.10", Some("2021-05-01"))),
        vec![
            // libcrypto1.1 is built from the openssl origin.
            pkg(
                PackageKind::Apk,
                "libcrypto1.1",
                "1.1.1c-r0",
                Some(("openssl", "1.1.1c-r0")),
            ),
            pkg(
                PackageKind::Apk,
                "musl",
                "1.1.22-r3",
                Some(("musl", "1.1.22-r3")),
            ),
        ],
    );
    match_report(&mut r, &db, &opts()).unwrap();
    let mut got = lines(&r);
    got.sort();
    assert_eq!(
        got,
        [
            "CVE-2019-1547 [] libcrypto1.1@1.1.1c-r0 fixed [1.1.1d-r0] UNKNOWN(-) {alpine-secdb} <>",
            "CVE-2019-1549 [] libcrypto1.1@1.1.1c-r0 fixed [1.1.1d-r0] UNKNOWN(-) {alpine-secdb} <>",
            "CVE-2019-1563 [] libcrypto1.1@1.1.1c-r0 fixed [1.1.1d-r0] UNKNOWN(-) {alpine-secdb} <>",
        ]
    );
    assert_eq!(codes(&r), ["eol-release"]);
    assert_eq!(
        r.notices[0].message,
        "alpine 3.10 reached its end of life on 2021-05-01: it gets no security fixes any more, \
         and the advisories for it are incomplete; move to a supported release"
    );
}

#[test]
fn rocky_epoch_is_respected_and_third_party_rpms_are_skipped() {
    let (_d, db) = db();
    let mut old = pkg(
        PackageKind::Rpm,
        "java-11-openjdk-headless",
        "11.0.12.0.7-0.el8_4",
        Some(("java-11-openjdk", "11.0.12.0.7-0.el8_4")),
    );
    old.epoch = Some(1);
    old.metadata.insert(
        "vendor".into(),
        "Rocky Enterprise Software Foundation".into(),
    );
    // Same version without its epoch would be below the fix's `1:` too; with epoch 2 it is
    // above every fix.
    let mut newer_epoch = old.clone();
    newer_epoch.name = "java-11-openjdk".into();
    newer_epoch.epoch = Some(2);
    let mut third = old.clone();
    third.name = "java-11-openjdk-devel".into();
    third
        .metadata
        .insert("vendor".into(), "Azul Systems, Inc.".into());
    let mut r = report(
        Some(distro("rocky", "8", Some("2029-05-31"))),
        vec![old, newer_epoch, third],
    );
    match_report(&mut r, &db, &opts()).unwrap();
    let got = lines(&r);
    assert_eq!(got.len(), 10, "{got:#?}");
    for l in &got {
        assert!(
            l.contains(
                "java-11-openjdk-headless@11.0.12.0.7-0.el8_4 fixed [1:11.0.13.0.8-1.el8_4]"
            ) && l.ends_with("{osv} <RLSA-2021:3891>"),
            "{l}"
        );
    }
    let ids: Vec<&str> = r.vulnerabilities.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "CVE-2021-35550",
            "CVE-2021-35556",
            "CVE-2021-35559",
            "CVE-2021-35561",
            "CVE-2021-35564",
            "CVE-2021-35565",
            "CVE-2021-35567",
            "CVE-2021-35578",
            "CVE-2021-35586",
            "CVE-2021-35603",
        ]
    );
    // The RLSA's CVSS (no vendor word, no NVD): rated from the computed 3.1 score (6.8).
    assert!(r
        .vulnerabilities
        .iter()
        .all(|v| v.severity == Severity::Medium
            && v.severity_source.as_deref() == Some("cvss:rlsa")
            && v.cvss[0].score == Some(6.8)));
    assert_eq!(codes(&r), ["third-party-packages"]);
}

#[test]
fn rhel_vex_not_affected_gives_nothing_and_unknown_releases_say_so() {
    let (_d, db) = db();
    let mut samba = pkg(
        PackageKind::Rpm,
        "samba-client",
        "4.17.5-102.el9",
        Some(("samba", "4.17.5-102.el9")),
    );
    samba
        .metadata
        .insert("vendor".into(), "Red Hat, Inc.".into());
    let mut r = report(
        Some(distro("rhel", "9", Some("2032-05-31"))),
        vec![samba.clone()],
    );
    match_report(&mut r, &db, &opts()).unwrap();
    assert!(r.vulnerabilities.is_empty());
    assert!(r.notices.is_empty(), "{:?}", r.notices);

    // AlmaLinux 9: no AlmaLinux advisories in this database.
    let mut r = report(Some(distro("almalinux", "9", None)), vec![samba.clone()]);
    match_report(&mut r, &db, &opts()).unwrap();
    assert_eq!(
        codes(&r),
        ["no-advisories-for-distro", "third-party-packages"]
    );

    // No distribution at all.
    let mut r = report(None, vec![samba]);
    match_report(&mut r, &db, &opts()).unwrap();
    assert_eq!(codes(&r), ["unsupported-distro"]);
}

#[test]
fn language_packages_aliases_and_severity_precedence() {
    let (_d, db) = db();
    let mut r = report(
        None,
        vec![
            pkg(PackageKind::Python, "Requests", "2.19.1", None),
            pkg(PackageKind::Python, "Jinja2", "2.10", None),
            pkg(PackageKind::Python, "Django", "3.2.10", None),
            pkg(PackageKind::Go, "stdlib", "1.21.5", None),
            pkg(PackageKind::Binary, "go", "1.21.5", None),
            pkg(PackageKind::Go, "golang.org/x/crypto", "v0.30.0", None),
            pkg(PackageKind::Cargo, "sized-chunks", "0.6.2", None),
            pkg(PackageKind::Cargo, "smallvec", "1.6.0", None),
            // Informational (unmaintained) and withdrawn RustSec advisories are not findings.
            pkg(PackageKind::Cargo, "ansi_term", "0.12.1", None),
            pkg(PackageKind::Cargo, "markdown", "0.3.0", None),
            // Not affected (fixed).
            pkg(PackageKind::Python, "requests", "2.31.0", None),
        ],
    );
    match_report(&mut r, &db, &opts()).unwrap();
    assert_eq!(
        lines(&r),
        [
            "CVE-2021-25900 [GHSA-43w2-9j62-hq99,RUSTSEC-2021-0003] smallvec@1.6.0 fixed [1.6.1] CRITICAL(cvss:rustsec) {rustsec} <>",
            "CVE-2018-18074 [GHSA-x84v-xcm2-53pg,PYSEC-2018-28] Requests@2.19.1 fixed [2.20.0] HIGH(nvd) {osv} <>",
            "CVE-2024-45337 [GHSA-v778-237x-gjrc,GO-2024-3321] golang.org/x/crypto@v0.30.0 fixed [0.31.0] HIGH(ghsa) {osv} <>",
            "CVE-2020-25791 [CVE-2020-25792,CVE-2020-25793,CVE-2020-25794,CVE-2020-25795,CVE-2020-25796,GHSA-64gv-qg2v-vxv6,GHSA-9p9m-9xww-qjcx,GHSA-fqpx-cq8x-9wp4,GHSA-mp6f-p9gp-vpj9,GHSA-rfgg-vccr-m46m,GHSA-x54v-qxxr-93qc,RUSTSEC-2020-0041] sized-chunks@0.6.2 fixed [0.6.3] HIGH(ghsa) {osv,rustsec} <>",
            "CVE-2021-45115 [GHSA-53qw-q765-4fww,PYSEC-2022-1] Django@3.2.10 fixed [3.2.11,4.0.1] UNKNOWN(-) {osv} <>",
            "CVE-2023-36053 [PYSEC-2023-100] Django@3.2.10 fixed [3.2.20,4.1.10,4.2.3] UNKNOWN(-) {osv} <>",
            "CVE-2019-10906 [GHSA-462w-v97r-4m45,PYSEC-2019-217] Jinja2@2.10 fixed [2.10.1] UNKNOWN(-) {osv} <>",
            "CVE-2020-28493 [GHSA-g3rq-g295-4j3m,PYSEC-2021-66,SNYK-PYTHON-JINJA2-1012994] Jinja2@2.10 fixed [2.11.3] UNKNOWN(-) {osv} <>",
            "CVE-2023-32681 [GHSA-j8r2-6x86-q33q,PYSEC-2023-74] Requests@2.19.1 fixed [2.31.0] UNKNOWN(-) {osv} <>",
            "CVE-2024-24787 [GO-2024-2825] go@1.21.5 fixed [1.21.10,1.22.3] UNKNOWN(-) {osv} <>",
            "CVE-2024-24783 [GO-2024-2598] stdlib@1.21.5 fixed [1.21.8,1.22.1] UNKNOWN(-) {osv} <>",
        ]
    );
    let req = &r.vulnerabilities[1];
    assert_eq!(req.epss.map(|e| e.score), Some(0.00532));
    assert_eq!(
        req.cvss
            .iter()
            .map(|c| (c.source.as_str(), c.version.as_str(), c.score))
            .collect::<Vec<_>>(),
        [("nvd", "2.0", Some(5.0)), ("nvd", "3.0", Some(7.5))]
    );
    assert!(req
        .description
        .as_deref()
        .unwrap()
        .starts_with("The Requests package before 2.20.0"));
}

#[test]
fn layers_and_base_origin() {
    let (_d, db) = db();
    let mut base = pkg(PackageKind::Python, "requests", "2.19.1", None);
    base.layer = Some(0);
    let mut own = pkg(PackageKind::Python, "jinja2", "2.10", None);
    own.layer = Some(2);
    let mut r = report(None, vec![base, own]);
    r.target.layers = (0..3)
        .map(|i| LayerInfo {
            index: i,
            digest: Some(format!("sha256:{i}")),
            diff_id: None,
            media_type: None,
            size: None,
            created_by: Some(format!("RUN step {i}")),
            is_base: i == 0,
        })
        .collect();
    r.target.base_image = Some(BaseImageRef {
        layers: Some(1),
        evidence: "explicit".into(),
        ..BaseImageRef::default()
    });
    match_report(&mut r, &db, &opts()).unwrap();
    for v in &r.vulnerabilities {
        let l = v.layer.as_ref().unwrap();
        if v.package.name == "requests" {
            assert_eq!(
                (v.origin, l.index, l.created_by.as_deref()),
                (Origin::Base, 0, Some("RUN step 0"))
            );
        } else {
            assert_eq!(
                (v.origin, l.index, l.digest.as_deref()),
                (Origin::Own, 2, Some("sha256:2"))
            );
        }
    }
    assert_eq!(r.vulnerabilities.len(), 4);
    // Unknown boundary: every finding's origin is unknown.
    r.target.base_image = None;
    match_report(&mut r, &db, &opts()).unwrap();
    assert!(r
        .vulnerabilities
        .iter()
        .all(|v| v.origin == Origin::Unknown && v.status == FixStatus::Fixed));
}

#[test]
fn stale_database_notice() {
    let (_d, db) = db();
    let mut r = report(None, vec![]);
    let o = MatchOptions {
        now_unix: bulwark_vulndb::store::now_unix() + 30 * 86_400,
        max_db_age_days: 7,
    };
    match_report(&mut r, &db, &o).unwrap();
    assert_eq!(codes(&r), ["stale-database"]);
    assert_eq!(r.database.as_ref().unwrap().age_days, 30);
}
