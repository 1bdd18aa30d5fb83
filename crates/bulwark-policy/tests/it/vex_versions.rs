//! VEX version semantics: a `fixed` statement covers its version and later ones of the same
//! package line (in the ecosystem's own order), `not_affected` only its exact version, and
//! CycloneDX `vers:` ranges are evaluated (or, when they cannot be, not applied with a notice).

use crate::common;

use bulwark_catalog::{Distro, PackageKind};
use bulwark_model::scan::{FixStatus, NoticeLevel, ScanReport};
use bulwark_model::Severity;
use bulwark_policy::vex::{VersionSpec, VexDocument};
use common::*;

const CVE: &str = "CVE-2024-0001";

/// An Ubuntu 22.04 (jammy) report with one finding of [`CVE`] per `(kind, name, version,
/// purl, source)`.
fn jammy_report(pkgs: &[(PackageKind, &str, &str, &str, Option<&str>)]) -> ScanReport {
    let mut r = report();
    r.target.distro = Some(Distro {
        id: "ubuntu".to_string(),
        family: "debian".to_string(),
        version_id: Some("22.04".to_string()),
        codename: Some("jammy".to_string()),
        found_in: "etc/os-release".to_string(),
        ..Distro::default()
    });
    r.packages = pkgs
        .iter()
        .map(|(kind, name, version, purl, source)| {
            package(*kind, name, version, purl, "x", 0, *source, &[])
        })
        .collect();
    r.vulnerabilities = r
        .packages
        .iter()
        .map(|p| finding(CVE, &[], p, Severity::High, FixStatus::Fixed, &[]))
        .collect();
    r
}

/// The installed versions whose finding got suppressed, in report order.
fn suppressed(r: &ScanReport) -> Vec<String> {
    r.vulnerabilities
        .iter()
        .filter(|v| v.suppression.is_some())
        .map(|v| v.package.version.clone())
        .collect()
}

fn openvex(status: &str, product: &str) -> VexDocument {
    let doc = format!(
        r#"{{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://acme.example/vex/2",
            "author": "Acme", "timestamp": "2024-06-01T00:00:00Z", "version": 1,
            "statements": [{{"vulnerability": {{"name": "{CVE}"}}, "products": [{{"@id": "{product}"}}],
              "status": "{status}", "justification": "vulnerable_code_not_present"}}]}}"#
    );
    VexDocument::parse(&doc, "v.json").unwrap()
}

fn deb(
    version: &str,
) -> (
    PackageKind,
    &'static str,
    String,
    String,
    Option<&'static str>,
) {
    (
        PackageKind::Deb,
        "libssl3",
        version.to_string(),
        format!(
            "pkg:deb/ubuntu/libssl3@{}?arch=amd64&distro=ubuntu-22.04",
            version.replace('+', "%2B")
        ),
        Some("openssl"),
    )
}

fn debs(versions: &[&str]) -> ScanReport {
    let rows: Vec<_> = versions.iter().map(|v| deb(v)).collect();
    let borrowed: Vec<_> = rows
        .iter()
        .map(|(k, n, v, p, s)| (*k, *n, v.as_str(), p.as_str(), *s))
        .collect();
    jammy_report(&borrowed)
}

const DEB_VERSIONS: [&str; 5] = [
    "3.0.2-0ubuntu1.9",    // older (a string sort would put it after 1.10)
    "3.0.2-0ubuntu1.10~1", // older: `~` sorts before the end of the version
    "3.0.2-0ubuntu1.10",   // the fixed version itself
    "3.0.2-0ubuntu1.15",   // newer
    "1:3.0.0-1",           // newer through the epoch
];

#[test]
fn deb_fixed_covers_equal_and_newer_versions_in_dpkg_order() {
    // Through the source package, as Ubuntu writes its statements.
    let mut r = debs(&DEB_VERSIONS);
    openvex(
        "fixed",
        "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10?arch=source&distro=jammy",
    )
    .apply(&mut r);
    assert_eq!(
        suppressed(&r),
        vec!["3.0.2-0ubuntu1.10", "3.0.2-0ubuntu1.15", "1:3.0.0-1"]
    );
    assert_eq!(
        r.vulnerabilities[3]
            .suppression
            .as_ref()
            .map(|s| s.reason.as_str()),
        Some("fixed: vulnerable_code_not_present (v.json)")
    );
    // Through the binary package, without a distro qualifier.
    let mut r = debs(&DEB_VERSIONS);
    openvex("fixed", "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.10").apply(&mut r);
    assert_eq!(
        suppressed(&r),
        vec!["3.0.2-0ubuntu1.10", "3.0.2-0ubuntu1.15", "1:3.0.0-1"]
    );
    // A fix in another release (focal) says nothing about jammy's package line: only the
    // exact version would match, and none is installed.
    let mut r = debs(&DEB_VERSIONS);
    openvex(
        "fixed",
        "pkg:deb/ubuntu/openssl@1.1.1f-1ubuntu2.20?arch=source&distro=focal",
    )
    .apply(&mut r);
    assert_eq!(suppressed(&r), Vec::<String>::new());
    // The distro qualifier in Bulwark's own spelling works too.
    let mut r = debs(&DEB_VERSIONS);
    openvex(
        "fixed",
        "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.15?distro=ubuntu-22.04",
    )
    .apply(&mut r);
    assert_eq!(suppressed(&r), vec!["3.0.2-0ubuntu1.15", "1:3.0.0-1"]);
}

#[test]
fn deb_not_affected_stays_exact() {
    let mut r = debs(&DEB_VERSIONS);
    openvex(
        "not_affected",
        "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10?arch=source&distro=jammy",
    )
    .apply(&mut r);
    assert_eq!(suppressed(&r), vec!["3.0.2-0ubuntu1.10"]);
    // Versionless: every version.
    let mut r = debs(&DEB_VERSIONS);
    openvex("not_affected", "pkg:deb/ubuntu/libssl3").apply(&mut r);
    assert_eq!(suppressed(&r).len(), 5);
    // `affected` and `under_investigation` never suppress, whatever the version.
    let mut r = debs(&DEB_VERSIONS);
    openvex("affected", "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.9").apply(&mut r);
    assert_eq!(suppressed(&r), Vec::<String>::new());
}

fn pypi_report(versions: &[&str]) -> ScanReport {
    let purls: Vec<String> = versions
        .iter()
        .map(|v| format!("pkg:pypi/requests@{v}"))
        .collect();
    let rows: Vec<_> = versions
        .iter()
        .zip(&purls)
        .map(|(v, p)| (PackageKind::Python, "requests", *v, p.as_str(), None))
        .collect();
    jammy_report(&rows)
}

const PYPI_VERSIONS: [&str; 7] = [
    "2.4.0",     // older (a string sort would put it after 2.31.0)
    "2.31.0rc1", // a pre-release of the fixed version: older
    "2.31.0",    // equal
    "2.31",      // equal in PEP 440
    "2.31.0.post1",
    "2.32.3",
    "3.0.0a1",
];

#[test]
fn pypi_fixed_covers_equal_and_newer_versions_in_pep440_order() {
    let mut r = pypi_report(&PYPI_VERSIONS);
    openvex("fixed", "pkg:pypi/requests@2.31.0").apply(&mut r);
    assert_eq!(
        suppressed(&r),
        vec!["2.31.0", "2.31", "2.31.0.post1", "2.32.3", "3.0.0a1"]
    );
    // not_affected: the exact version only (text equality, as written).
    let mut r = pypi_report(&PYPI_VERSIONS);
    openvex("not_affected", "pkg:pypi/requests@2.31.0").apply(&mut r);
    assert_eq!(suppressed(&r), vec!["2.31.0"]);
}

#[test]
fn unparseable_versions_fall_back_to_exact_match() {
    let mut r = pypi_report(&["not a version!", "2.32.3", "1.0"]);
    openvex("fixed", "pkg:pypi/requests@not a version!").apply(&mut r);
    assert_eq!(suppressed(&r), vec!["not a version!"]);
    let mut r = pypi_report(&["not a version!", "2.32.3"]);
    openvex("fixed", "pkg:pypi/requests@2.0").apply(&mut r);
    assert_eq!(suppressed(&r), vec!["2.32.3"]);
    // A purl type without a known order: exact only.
    let purls = ["pkg:generic/tool@1.0", "pkg:generic/tool@2.0"];
    let mut r = jammy_report(&[
        (PackageKind::Binary, "tool", "1.0", purls[0], None),
        (PackageKind::Binary, "tool", "2.0", purls[1], None),
    ]);
    openvex("fixed", "pkg:generic/tool@1.0").apply(&mut r);
    assert_eq!(suppressed(&r), vec!["1.0"]);
}

fn cyclonedx(state: &str, versions: &str) -> VexDocument {
    let doc = format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "metadata": {{"timestamp": "2024-06-01T00:00:00Z", "authors": [{{"name": "Acme"}}]}},
            "vulnerabilities": [{{"id": "{CVE}",
              "analysis": {{"state": "{state}", "justification": "code_not_reachable"}},
              "affects": [{{"ref": "pkg:pypi/requests", "versions": [{versions}]}}]}}]}}"#
    );
    VexDocument::parse(&doc, "c.json").unwrap()
}

const RANGE_VERSIONS: [&str; 10] = [
    "1.9", "2.0", "2.1", "2.3.1", "2.4.9", "2.5", "3.0", "3.0.5", "3.1", "4.0",
];

#[test]
fn vers_ranges_with_several_constraints_and_not_equal() {
    let mut r = pypi_report(&RANGE_VERSIONS);
    let d = cyclonedx(
        "not_affected",
        r#"{"range": "vers:pypi/>=2.0|<2.5|!=2.3.1|>3.0|<=3.1"}"#,
    );
    assert_eq!(
        d.statements[0].versions,
        Some(vec![VersionSpec::Range(
            "vers:pypi/>=2.0|<2.5|!=2.3.1|>3.0|<=3.1".to_string()
        )])
    );
    d.apply(&mut r);
    assert_eq!(suppressed(&r), vec!["2.0", "2.1", "2.4.9", "3.0.5", "3.1"]);
    assert_eq!(
        r.notices
            .iter()
            .map(|n| n.code.as_str())
            .collect::<Vec<_>>(),
        vec!["vex-applied"]
    );

    // Constraints in any order and with spaces; an exact version next to a range; `=`
    // without a comparator.
    let mut r = pypi_report(&RANGE_VERSIONS);
    cyclonedx(
        "resolved",
        r#"{"range": "vers:pypi/ <2.0 | 4.0"}, {"version": "2.5"}"#,
    )
    .apply(&mut r);
    // `resolved` with an exact version also covers later versions (fixed semantics).
    assert_eq!(
        suppressed(&r),
        vec!["1.9", "2.5", "3.0", "3.0.5", "3.1", "4.0"]
    );

    // `*` is every version; a range with only `!=` contains nothing (per the spec's
    // algorithm), so it suppresses nothing.
    let mut r = pypi_report(&RANGE_VERSIONS);
    cyclonedx("not_affected", r#"{"range": "vers:pypi/*"}"#).apply(&mut r);
    assert_eq!(suppressed(&r).len(), 10);
    let mut r = pypi_report(&RANGE_VERSIONS);
    cyclonedx("not_affected", r#"{"range": "vers:pypi/!=2.0"}"#).apply(&mut r);
    assert_eq!(suppressed(&r), Vec::<String>::new());
}

#[test]
fn vers_range_in_deb_order() {
    let mut r = debs(&DEB_VERSIONS);
    let doc = format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "vulnerabilities": [{{"id": "{CVE}", "analysis": {{"state": "not_affected", "detail": "built without the module"}},
              "affects": [{{"ref": "pkg:deb/ubuntu/libssl3",
                "versions": [{{"range": "vers:deb/>3.0.2-0ubuntu1.9|<3.0.2-0ubuntu1.15"}}]}}]}}]}}"#
    );
    VexDocument::parse(&doc, "d.json").unwrap().apply(&mut r);
    assert_eq!(
        suppressed(&r),
        vec!["3.0.2-0ubuntu1.10~1", "3.0.2-0ubuntu1.10"]
    );
}

#[test]
fn bad_ranges_are_not_applied_and_say_so() {
    for (range, why) in [
        (
            "vers:conan/<2.0",
            "`vers:conan/<2.0` (unknown versioning scheme `conan`)",
        ),
        ("pypi/<2.0", "`pypi/<2.0` (not a `vers:` range)"),
        (
            "vers:pypi/<2.0|>=not!valid",
            "`vers:pypi/<2.0|>=not!valid` (`not!valid` is not a PEP 440 version: ",
        ),
        (
            "vers:npm/<2.0.0",
            "`vers:npm/<2.0.0` (its scheme orders versions as SemVer, the package as PEP 440)",
        ),
        ("vers:pypi/<2.0|", "`vers:pypi/<2.0|` (bad constraint ``)"),
    ] {
        let mut r = pypi_report(&["1.9", "2.5"]);
        cyclonedx("not_affected", &format!(r#"{{"range": "{range}"}}"#)).apply(&mut r);
        assert_eq!(suppressed(&r), Vec::<String>::new(), "{range}");
        assert_eq!(r.notices.len(), 1, "{range}");
        let n = &r.notices[0];
        assert_eq!(
            (n.level, n.code.as_str()),
            (NoticeLevel::Warning, "vex-range-not-evaluated")
        );
        let prefix = format!(
            "c.json: statement(s) limited to version ranges that could not be evaluated are not applied ({CVE} in requests 1.9: {why}"
        );
        assert!(n.message.starts_with(&prefix), "{range}: {}", n.message);
        // One entry per finding the statement would otherwise have covered.
        assert!(
            n.message
                .contains(&format!("), {CVE} in requests 2.5: {why}")),
            "{}",
            n.message
        );
    }
    // A bad range next to a good one: the good one still decides.
    let mut r = pypi_report(&["1.9", "2.5"]);
    cyclonedx(
        "not_affected",
        r#"{"range": "vers:conan/<2.0"}, {"range": "vers:pypi/<2.0"}"#,
    )
    .apply(&mut r);
    assert_eq!(suppressed(&r), vec!["1.9"]);
    assert_eq!(
        r.notices
            .iter()
            .map(|n| n.code.as_str())
            .collect::<Vec<_>>(),
        vec!["vex-applied", "vex-range-not-evaluated"]
    );
    // An installed version the scheme cannot read: not applied, with the reason.
    let mut r = pypi_report(&["not a version!"]);
    cyclonedx("not_affected", r#"{"range": "vers:pypi/<2.0"}"#).apply(&mut r);
    assert_eq!(suppressed(&r), Vec::<String>::new());
    assert!(r.notices[0]
        .message
        .contains("(installed `not a version!` is not a PEP 440 version: "));
}
