//! Each importer, end to end: fixture -> database -> query API, with exact expected records.

use crate::common;

use bulwark_vulndb::{RangeKind, SeverityKind, SourceKind, Status};
use common::{build, events, fixtures};

#[test]
fn osv_json_yaml_and_all_ecosystems() {
    let dir = tempfile::tempdir().unwrap();
    let (db, reports) = build(dir.path(), &[(SourceKind::Osv, "osv")]);
    assert_eq!(reports[0].files, 5);
    assert_eq!(reports[0].advisories, 5);
    assert!(reports[0].skipped.is_empty(), "{:?}", reports[0].skipped);

    // PyPA, YAML: a GIT range, an ECOSYSTEM range and 210 explicit versions.
    let recs = db.affected("PyPI", "aiohttp").unwrap();
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.advisory, "PYSEC-2021-76");
    assert_eq!(r.source, "osv");
    assert_eq!(r.aliases, ["CVE-2021-21330", "GHSA-v6wp-4m6f-gcjg"]);
    assert_eq!(r.affected.status, Status::Affected);
    assert_eq!(r.affected.ranges.len(), 2);
    assert_eq!(r.affected.ranges[0].kind, RangeKind::Git);
    assert_eq!(
        r.affected.ranges[0].repo.as_deref(),
        Some("https://github.com/aio-libs/aiohttp")
    );
    assert_eq!(
        events(&r.affected.ranges[0]),
        [
            "introduced:0",
            "fixed:2545222a3853e31ace15d87ae0e2effb7da0c96b"
        ]
    );
    assert_eq!(r.affected.ranges[1].kind, RangeKind::Ecosystem);
    assert_eq!(
        events(&r.affected.ranges[1]),
        ["introduced:0", "fixed:3.7.4"]
    );
    assert_eq!(r.affected.versions.len(), 210);
    assert_eq!(r.affected.versions.first().map(String::as_str), Some("0.1"));
    assert_eq!(
        r.affected.versions.last().map(String::as_str),
        Some("3.7.3")
    );
    assert!(r.affected.versions.contains(&"0.22.0b6".to_string()));

    // Go: SEMVER range and ecosystem_specific kept as JSON.
    let recs = db.affected("Go", "github.com/gin-gonic/gin").unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].advisory, "GO-2020-0001");
    assert_eq!(recs[0].aliases, ["CVE-2020-36567", "GHSA-6vm3-jj99-7229"]);
    assert_eq!(recs[0].affected.ranges[0].kind, RangeKind::Semver);
    assert_eq!(
        events(&recs[0].affected.ranges[0]),
        ["introduced:0", "fixed:1.6.0"]
    );
    let es = recs[0].affected.ecosystem_specific.as_ref().unwrap();
    assert_eq!(es["imports"][0]["path"], "github.com/gin-gonic/gin");
    assert_eq!(es["imports"][0]["symbols"][0], "Default");

    // AlmaLinux: distro release in the ecosystem, CVE as `related`.
    let recs = db.affected("AlmaLinux:9", "perl-DBI").unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].advisory, "ALSA-2026:38512");
    assert_eq!(
        events(&recs[0].affected.ranges[0]),
        ["introduced:0", "fixed:1.643-9.el9_8.1"]
    );
    let adv = db.advisory("ALSA-2026:38512").unwrap();
    assert_eq!(adv.len(), 1);
    assert_eq!(adv[0].related, ["CVE-2026-9698"]);
    assert_eq!(
        adv[0].summary.as_deref(),
        Some("Important: perl-DBI security update")
    );
    assert_eq!(adv[0].published.as_deref(), Some("2026-07-13T00:00:00Z"));
    assert_eq!(adv[0].references[0].kind, "ADVISORY");
    assert_eq!(
        adv[0].references[0].url,
        "https://access.redhat.com/errata/RHSA-2026:38512"
    );

    // GHSA: CVSS severity under the database's own name, database_specific kept.
    let recs = db.affected("Maven", "com.baomidou:mybatis-plus").unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(events(&recs[0].affected.ranges[0]), ["introduced:0"]);
    assert_eq!(recs[0].severities.len(), 2);
    assert_eq!(recs[0].severities[0].source, "ghsa");
    assert_eq!(recs[0].severities[0].kind, SeverityKind::CvssV3);
    assert_eq!(
        recs[0].severities[0].value,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    );
    assert_eq!(recs[0].severities[1].kind, SeverityKind::Vendor);
    assert_eq!(recs[0].severities[1].value, "CRITICAL");
    assert_eq!(
        recs[0].affected.database_specific.as_ref().unwrap()["last_known_affected_version_range"],
        "< 3.5.3.1"
    );
    let copy = db
        .affected("Maven", "com.baomidou:mybatis-plus-copy")
        .unwrap();
    assert_eq!(
        events(&copy[0].affected.ranges[0]),
        ["introduced:0", "fixed:3.5.0"]
    );

    // Debian OSV.
    let recs = db.affected("Debian:7", "nginx").unwrap();
    assert_eq!(recs[0].advisory, "DSA-3029-1");
    assert_eq!(
        events(&recs[0].affected.ranges[0]),
        ["introduced:0", "fixed:1.2.1-2.2+wheezy3"]
    );

    // Aliases both ways.
    assert_eq!(
        db.aliases("CVE-2021-21330").unwrap(),
        ["GHSA-v6wp-4m6f-gcjg", "PYSEC-2021-76"]
    );
    assert_eq!(
        db.aliases("PYSEC-2021-76").unwrap(),
        ["CVE-2021-21330", "GHSA-v6wp-4m6f-gcjg"]
    );
    assert!(db.affected("PyPI", "no-such-package").unwrap().is_empty());
}

#[test]
fn osv_all_zip_and_bad_records() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("all.zip");
    {
        let file = std::fs::File::create(&zip_path).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, rel) in [
            ("GO-2020-0001.json", "osv/go/GO-2020-0001.json"),
            ("DSA-3029-1.json", "osv/debian/DSA-3029-1.json"),
        ] {
            zip.start_file(name, opts).unwrap();
            zip.write_all(&std::fs::read(fixtures().join(rel)).unwrap())
                .unwrap();
        }
        zip.start_file("BROKEN-1.json", opts).unwrap();
        zip.write_all(b"{\"id\": \"BROKEN-1\", \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"x\"}, \"ranges\": [{\"type\": \"NOPE\", \"events\": []}]}]}")
            .unwrap();
        zip.start_file("garbage.json", opts).unwrap();
        zip.write_all(b"\x00\xff not json").unwrap();
        zip.finish().unwrap();
    }
    let db_path = dir.path().join("db.sqlite");
    let mut builder = bulwark_vulndb::Builder::create(&db_path).unwrap();
    let report = builder
        .import("zip", SourceKind::Osv, &zip_path, "all.zip")
        .unwrap();
    builder.finish().unwrap();
    assert_eq!(report.files, 4);
    assert_eq!(report.advisories, 2);
    assert_eq!(report.skipped.len(), 2);
    assert_eq!(report.skipped[0].id.as_deref(), Some("BROKEN-1"));
    assert!(report.skipped[0].file.ends_with("all.zip!BROKEN-1.json"));
    assert!(report.skipped[0].reason.contains("unknown range type"));
    assert!(report.skipped[1].file.ends_with("garbage.json"));
    let db = bulwark_vulndb::Db::open(&db_path).unwrap();
    assert_eq!(
        db.affected("Go", "github.com/gin-gonic/gin").unwrap().len(),
        1
    );
    assert_eq!(db.affected("Debian:7", "nginx").unwrap().len(), 1);
    assert!(db.affected("PyPI", "x").unwrap().is_empty());
}

#[test]
fn debian_tracker_json() {
    let dir = tempfile::tempdir().unwrap();
    let (db, reports) = build(
        dir.path(),
        &[(SourceKind::DebianTracker, "debian/tracker.json")],
    );
    // chromium-browser/CVE-2022-0358 has `"releases": []`: skipped, the rest imported.
    assert_eq!(reports[0].skipped.len(), 1);
    assert_eq!(reports[0].skipped[0].id.as_deref(), Some("CVE-2022-0358"));
    assert_eq!(reports[0].advisories, 6);

    let recs = db.affected("Debian:12", "chromium").unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].advisory, "CVE-2022-0456");
    assert_eq!(recs[0].source, "debian-tracker");
    assert_eq!(recs[0].affected.status, Status::Fixed);
    assert_eq!(recs[0].affected.fixed, ["98.0.4758.80-1"]);
    assert_eq!(
        recs[0].affected.severity.as_deref(),
        Some("not yet assigned")
    );
    assert_eq!(
        events(&recs[0].affected.ranges[0]),
        ["introduced:0", "fixed:98.0.4758.80-1"]
    );
    let eol = db.affected("Debian:10", "chromium").unwrap();
    assert_eq!(eol[0].affected.status, Status::EndOfLife);
    assert!(eol[0].affected.fixed.is_empty());
    assert_eq!(events(&eol[0].affected.ranges[0]), ["introduced:0"]);
    let bullseye = db.affected("Debian:11", "chromium").unwrap();
    assert_eq!(bullseye[0].affected.fixed, ["98.0.4758.80-1~deb11u1"]);
    assert_eq!(db.affected("Debian:sid", "chromium").unwrap().len(), 1);

    // fixed_version "0": never affected.
    let recs = db.affected("Debian:9", "prototypejs").unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].advisory, "CVE-2007-2383");
    assert_eq!(recs[0].affected.status, Status::NotAffected);
    assert!(recs[0].affected.ranges.is_empty());
    assert_eq!(recs[0].affected.severity.as_deref(), Some("unimportant"));
    assert_eq!(recs[1].advisory, "CVE-2008-7220");
    assert_eq!(recs[1].affected.fixed, ["1.6.0.2-1"]);
    assert_eq!(recs[1].affected.severity.as_deref(), Some("high**"));
    let adv = db.advisory("CVE-2008-7220").unwrap();
    assert!(adv[0]
        .details
        .as_deref()
        .unwrap()
        .starts_with("Unspecified vulnerability in Prototype"));
    assert_eq!(adv[0].affected.len(), 4);
    assert_eq!(
        db.affected("Debian:13", "sope").unwrap()[0].affected.fixed,
        ["5.12.1-2"]
    );
}

#[test]
fn debian_dsa_dla_lists() {
    let dir = tempfile::tempdir().unwrap();
    let (db, reports) = build(
        dir.path(),
        &[
            (SourceKind::DebianDsa, "debian/DSA-list"),
            (SourceKind::DebianDsa, "debian/DLA-list"),
        ],
    );
    assert!(reports.iter().all(|r| r.skipped.is_empty()));
    assert_eq!(reports[0].advisories, 14);
    assert_eq!(reports[1].advisories, 10);
    let recs = db.affected("Debian:11", "xorg-server").unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].advisory, "DSA-5380-1");
    assert_eq!(recs[0].aliases, ["CVE-2023-1393"]);
    assert_eq!(recs[0].affected.status, Status::Fixed);
    assert_eq!(recs[0].affected.fixed, ["2:1.20.11-1+deb11u6"]);
    assert_eq!(recs[0].affected.fix_advisory.as_deref(), Some("DSA-5380-1"));
    let adv = db.advisory("DSA-5380-1").unwrap();
    assert_eq!(adv[0].published.as_deref(), Some("2023-03-29"));
    assert_eq!(
        adv[0].summary.as_deref(),
        Some("xorg-server - security update")
    );
    // The same CVE fixed in buster by a DLA.
    let dla = db.affected("Debian:10", "xorg-server").unwrap();
    assert_eq!(dla[0].advisory, "DLA-3372-1");
    assert_eq!(dla[0].affected.fixed, ["2:1.20.4-1+deb10u9"]);
    assert_eq!(
        db.aliases("CVE-2023-1393").unwrap(),
        ["DLA-3372-1", "DSA-5380-1"]
    );
    // A regression update without CVEs.
    let sox = db.advisory("DSA-5356-2").unwrap();
    assert!(sox[0].aliases.is_empty());
    assert_eq!(sox[0].affected[0].fixed, ["14.4.2+git20190427-2+deb11u2"]);
    assert_eq!(
        db.affected("Debian:11", "chromium").unwrap()[0]
            .aliases
            .len(),
        24
    );
}

#[test]
fn alpine_and_wolfi_secdb() {
    let dir = tempfile::tempdir().unwrap();
    let (db, reports) = build(
        dir.path(),
        &[
            (SourceKind::AlpineSecdb, "alpine"),
            (SourceKind::AlpineSecdb, "wolfi/security.json"),
        ],
    );
    assert!(reports.iter().all(|r| r.skipped.is_empty()), "{reports:?}");
    assert_eq!(reports[0].files, 3);
    let recs = db.affected("Alpine:v3.11", "apache2").unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].advisory, "CVE-2018-1333");
    assert_eq!(recs[0].source, "alpine-secdb");
    assert_eq!(recs[0].affected.status, Status::Fixed);
    assert_eq!(recs[0].affected.fixed, ["2.4.34-r0"]);
    assert_eq!(
        events(&recs[0].affected.ranges[0]),
        ["introduced:0", "fixed:2.4.34-r0"]
    );
    let edge = db.affected("Alpine:edge", "apk-tools").unwrap();
    assert_eq!(
        edge.iter()
            .map(|r| (r.advisory.as_str(), r.affected.fixed[0].as_str()))
            .collect::<Vec<_>>(),
        [
            ("CVE-2021-30139", "2.12.5-r0"),
            ("CVE-2021-36159", "2.12.6-r0")
        ]
    );
    // Legacy YAML form.
    let ssl = db.affected("Alpine:v3.3", "openssl").unwrap();
    let r = ssl.iter().find(|r| r.advisory == "CVE-2016-2107").unwrap();
    assert_eq!(r.affected.fixed, ["1.0.2h-r0"]);
    // Wolfi: no distroversion; "0" means never affected.
    let bin = db.affected("Wolfi", "binutils").unwrap();
    assert_eq!(bin.len(), 3);
    assert_eq!(bin[0].advisory, "CVE-2022-38126");
    assert_eq!(bin[0].affected.fixed, ["2.39-r1"]);
    let cu = db.affected("Wolfi", "coreutils").unwrap();
    assert_eq!(cu[0].advisory, "CVE-2016-2781");
    assert_eq!(cu[0].affected.status, Status::NotAffected);
    assert!(cu[0].affected.ranges.is_empty());
}

#[test]
fn redhat_csaf_vex() {
    let dir = tempfile::tempdir().unwrap();
    let (db, reports) = build(dir.path(), &[(SourceKind::RedhatVex, "redhat")]);
    assert!(reports[0].skipped.is_empty(), "{:?}", reports[0].skipped);
    assert_eq!(reports[0].files, 3);

    let recs = db
        .affected("Red Hat:openshift:4.16::el9", "cri-tools")
        .unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].advisory, "CVE-2024-24786");
    assert_eq!(recs[0].source, "redhat-vex");
    assert_eq!(recs[0].affected.status, Status::Fixed);
    assert_eq!(recs[0].affected.fixed, ["1.29.0-3.1.el9"]);
    assert_eq!(recs[0].affected.severity.as_deref(), Some("Moderate"));
    let cvss = recs[0]
        .severities
        .iter()
        .find(|s| s.kind == SeverityKind::CvssV3)
        .unwrap();
    assert_eq!(cvss.value, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H");
    assert_eq!(cvss.score, Some(5.9));

    // known_not_affected, per platform; arches and .src collapse into one row per package.
    let samba = db.affected("Red Hat:enterprise_linux:9", "samba").unwrap();
    assert_eq!(samba.len(), 1);
    assert_eq!(samba[0].advisory, "CVE-2023-4154");
    assert_eq!(samba[0].affected.status, Status::NotAffected);
    let adv = db.advisory("CVE-2023-4154").unwrap();
    assert_eq!(adv[0].cwes, ["CWE-787"]);
    // 165 product ids; the six `.src` ids collapse into their binary package's row.
    assert_eq!(adv[0].affected.len(), 159);

    // An RHSA: fixed EVR from the purl, the RHSA from the vendor_fix remediation.
    let py = db
        .affected("Red Hat:enterprise_linux:9::appstream", "python3.9")
        .unwrap();
    assert_eq!(py.len(), 1);
    assert_eq!(py[0].advisory, "CVE-2024-8088");
    assert_eq!(py[0].affected.fixed, ["3.9.18-3.el9_4.5"]);
    assert_eq!(
        py[0].affected.fix_advisory.as_deref(),
        Some("RHSA-2024:6163")
    );
    assert_eq!(py[0].aliases, ["RHSA-2024:6163"]);
}

#[test]
fn rustsec_native() {
    let dir = tempfile::tempdir().unwrap();
    let (db, reports) = build(dir.path(), &[(SourceKind::Rustsec, "rustsec")]);
    assert!(reports[0].skipped.is_empty(), "{:?}", reports[0].skipped);
    assert_eq!(reports[0].advisories, 4);

    let recs = db.affected("crates.io", "abi_stable").unwrap();
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.advisory, "RUSTSEC-2020-0105");
    assert_eq!(
        r.aliases,
        [
            "CVE-2020-36212",
            "CVE-2020-36213",
            "GHSA-vq23-5h4f-vwpv",
            "GHSA-wqxc-qrq4-w5v4"
        ]
    );
    assert_eq!(r.affected.ranges[0].kind, RangeKind::Semver);
    assert_eq!(
        events(&r.affected.ranges[0]),
        ["introduced:0", "fixed:0.9.1"]
    );
    assert_eq!(r.severities[0].source, "rustsec");
    assert_eq!(r.severities[0].kind, SeverityKind::CvssV3);
    assert_eq!(
        r.severities[0].value,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
    );
    assert_eq!(
        r.summary.as_deref(),
        Some("Update unsound DrainFilter and RString::retain")
    );

    // patched = [">= 0.12.3, < 0.13.0", ">= 0.13.1"], unaffected = ["< 0.12"].
    let t = db.affected("crates.io", "tokio-rustls").unwrap();
    assert_eq!(
        events(&t[0].affected.ranges[0]),
        [
            "introduced:0.12.0",
            "fixed:0.12.3",
            "introduced:0.13.0",
            "fixed:0.13.1"
        ]
    );
    let ds = t[0].affected.database_specific.as_ref().unwrap();
    assert_eq!(ds["categories"][0], "denial-of-service");

    // Informational advisory without a patched version: every version affected.
    let b = db.affected("crates.io", "badge").unwrap();
    assert_eq!(events(&b[0].affected.ranges[0]), ["introduced:0"]);
    assert_eq!(
        b[0].affected.database_specific.as_ref().unwrap()["informational"],
        "unmaintained"
    );
    let adv = db.advisory("RUSTSEC-2022-0057").unwrap();
    assert_eq!(adv[0].published.as_deref(), Some("2022-08-31"));

    // Toolchain advisories live under rust/.
    let c = db.affected("Rust", "cargo").unwrap();
    assert_eq!(c[0].advisory, "CVE-2019-16760");
    assert_eq!(
        events(&c[0].affected.ranges[0]),
        ["introduced:0", "fixed:1.26.0"]
    );
}

#[test]
fn enrichment_nvd_epss_kev() {
    let dir = tempfile::tempdir().unwrap();
    let (db, reports) = build(
        dir.path(),
        &[
            (SourceKind::Nvd, "enrich/nvd-page.json"),
            (SourceKind::Epss, "enrich/epss-gz.csv.gz"),
            (
                SourceKind::Kev,
                "enrich/known_exploited_vulnerabilities.json",
            ),
        ],
    );
    assert_eq!(reports[0].enrichments, 1);
    assert_eq!(reports[0].skipped.len(), 1);
    assert_eq!(reports[1].enrichments, 3);
    assert_eq!(reports[1].skipped.len(), 1);
    assert_eq!(reports[1].skipped[0].id.as_deref(), Some("CVE-2023-0001"));
    assert_eq!(reports[2].enrichments, 1);
    assert_eq!(reports[2].skipped.len(), 1);

    let e = db.enrichment("CVE-2021-44228").unwrap().unwrap();
    assert_eq!(e.epss, Some(0.97565));
    assert_eq!(e.epss_percentile, Some(0.99996));
    assert!(e.kev);
    assert_eq!(e.kev_date_added.as_deref(), Some("2021-12-10"));
    assert_eq!(e.kev_due_date.as_deref(), Some("2021-12-24"));
    assert_eq!(e.kev_ransomware.as_deref(), Some("Known"));
    assert_eq!(e.cwes, ["CWE-502", "CWE-400", "CWE-20", "CWE-917"]);
    assert!(e
        .description
        .as_deref()
        .unwrap()
        .starts_with("Apache Log4j2 2.0-beta9"));
    assert_eq!(e.severities.len(), 2);
    assert_eq!(e.severities[0].source, "nvd");
    assert_eq!(e.severities[0].kind, SeverityKind::CvssV2);
    assert_eq!(e.severities[0].score, Some(9.3));
    assert_eq!(e.severities[1].kind, SeverityKind::CvssV3);
    assert_eq!(
        e.severities[1].value,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
    );
    assert_eq!(e.severities[1].score, Some(10.0));

    let only_epss = db.enrichment("CVE-2014-3616").unwrap().unwrap();
    assert_eq!(only_epss.epss, Some(0.00461));
    assert!(!only_epss.kev);
    assert!(db.enrichment("CVE-1999-0001").unwrap().is_none());
}

#[test]
fn detect_kinds() {
    use bulwark_vulndb::import::detect_kind;
    let f = fixtures();
    for (rel, kind) in [
        ("osv/go/GO-2020-0001.json", SourceKind::Osv),
        ("osv/pypa/PYSEC-2021-76.yaml", SourceKind::Osv),
        ("debian/tracker.json", SourceKind::DebianTracker),
        ("alpine/311-main.json", SourceKind::AlpineSecdb),
        ("wolfi/security.json", SourceKind::AlpineSecdb),
        ("redhat/cve-2024-24786-simple.json", SourceKind::RedhatVex),
        ("rustsec", SourceKind::Rustsec),
        ("osv", SourceKind::Osv),
        ("enrich/nvd-page.json", SourceKind::Nvd),
        ("enrich/epss.csv", SourceKind::Epss),
        (
            "enrich/known_exploited_vulnerabilities.json",
            SourceKind::Kev,
        ),
    ] {
        assert_eq!(detect_kind(&f.join(rel)).unwrap(), kind, "{rel}");
    }
}

/// Hostile input: every importer gets truncated and corrupted versions of every fixture, and
/// must report skips (or import what it can), never panic or fail as a whole.
#[test]
fn garbage_never_panics() {
    use bulwark_vulndb::import::{import_bytes, VecSink};
    use bulwark_vulndb::ImportReport;
    let mut inputs = Vec::new();
    let mut stack = vec![fixtures()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                inputs.push(p);
            }
        }
    }
    assert!(inputs.len() > 20);
    let mut skipped = 0usize;
    for path in inputs {
        let data = std::fs::read(&path).unwrap();
        let name = path.to_string_lossy().into_owned();
        let mut variants: Vec<Vec<u8>> = Vec::new();
        for cut in [1usize, 7, 3] {
            variants.push(
                data.get(..data.len() * cut / 8)
                    .unwrap_or_default()
                    .to_vec(),
            );
        }
        let mut flipped = data.clone();
        for i in (0..flipped.len()).step_by(97) {
            flipped[i] ^= 0x5a;
        }
        variants.push(flipped);
        variants.push(Vec::new());
        for v in &variants {
            for kind in SourceKind::ALL {
                let mut sink = VecSink::default();
                let mut report = ImportReport::default();
                import_bytes(kind, &name, v, &mut sink, &mut report).unwrap();
                skipped += report.skipped.len();
            }
        }
    }
    // Mismatched kinds and broken files are reported, not silently accepted.
    assert!(skipped > 100, "{skipped}");
}
