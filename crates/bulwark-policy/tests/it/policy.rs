//! The policy stage on a hand-built report: exact outcomes of filters, the exception file,
//! VEX in the three formats (real Ubuntu and Red Hat documents), license normalisation and
//! license policy.

use crate::common;

use bulwark_model::scan::{LicenseVerdict, NoticeLevel, Origin, ScanReport};
use bulwark_model::{Severity, Suppression};
use bulwark_policy::filter::{Filter, PkgType};
use bulwark_policy::ignore::IgnoreFile;
use bulwark_policy::license::LicensePolicy;
use bulwark_policy::vex::{VexDocument, VexFormat};
use bulwark_policy::PolicyError;
use common::*;

fn t(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.to_string(), b.to_string(), c.to_string())
}

fn suppression_of(r: &ScanReport, id: &str, version: &str) -> Option<Suppression> {
    r.vulnerabilities
        .iter()
        .find(|v| v.id == id && v.package.version == version)
        .and_then(|v| v.suppression.clone())
}

// ------------------------------------------------------------------ filter

#[test]
fn filter_removes_by_severity_fix_and_package_type() {
    let mut r = report();
    Filter {
        min_severity: Some(Severity::High),
        ignore_unfixed: true,
        pkg_types: Some(vec![PkgType::Library]),
    }
    .apply(&mut r);
    assert_eq!(
        active(&r),
        vec![
            t("CVE-2021-23337", "lodash", "4.17.20"),
            t(
                "CVE-2021-44228",
                "org.apache.logging.log4j:log4j-core",
                "2.14.1"
            ),
            t("CVE-2023-36053", "Django", "4.2.1"),
        ]
    );

    let mut r = report();
    Filter {
        min_severity: None,
        ignore_unfixed: true,
        pkg_types: Some(vec![PkgType::Os]),
    }
    .apply(&mut r);
    // Affected, will-not-fix, no-dsa and unknown statuses have no fix to install.
    assert_eq!(
        active(&r),
        vec![
            t("CVE-2023-38545", "curl", "7.35.0-1ubuntu2.20+esm19"),
            t("CVE-2023-38545", "libcurl4", "7.81.0-1ubuntu1.24"),
            t("CVE-2023-38545", "libcurl4", "7.81.0-1ubuntu1.13"),
            t("CVE-2024-24786", "cri-tools", "1.29.0-3.1.el9"),
            t("CVE-2024-24786", "cri-tools", "1.28.0-1.el9"),
            t("CVE-2022-37434", "zlib1g", "1:1.2.11.dfsg-2ubuntu9.2"),
        ]
    );
    let mut r = report();
    Filter::default().apply(&mut r);
    assert_eq!(r.vulnerabilities.len(), 14);
    assert_eq!(PkgType::parse("OS"), Some(PkgType::Os));
    assert_eq!(PkgType::parse("library"), Some(PkgType::Library));
    assert_eq!(PkgType::parse("binary"), None);
}

// ------------------------------------------------------------------ ignore file

const IGNORE: &str = "\
ignores:
  - id: GHSA-35jh-r3h4-6jhm
    purl: pkg:npm/lodash@4.17.*
    reason: template() is never called with user input
    owner: team-web
    expires: 2099-12-31
  - id: CVE-2023-38545
    package: libcurl*
    path: /var/lib/dpkg/status
    reason: no SOCKS proxies configured
    owner: platform
    expires: 2024-01-31
  - id: \"*\"
    path: \"app/lib/*.jar\"
    type: vulnerability
    reason: jars are scanned by the Java team's pipeline
  - id: \"*\"
    reason: a bulwark config exception, too broad to apply to a scan
  - id: license:GPL-3.0*
    package: libreadline8
    reason: readline is linked only by bash in the base image
  - id: CVE-2024-24786
    purl: pkg:rpm/redhat/cri-tools
    kind: license
    reason: typed for license findings, never matches a vulnerability
  - id: cve-2022-37434
    purl: pkg:deb/ubuntu/zlib1g@1:1.2.11.dfsg-2ubuntu9.2?arch=arm64
    reason: inflateGetHeader is not used
    expires: 2025-03-01
";

#[test]
fn ignore_file_suppresses_by_alias_purl_path_and_expires() {
    let f = IgnoreFile::parse(IGNORE, ".bulwarkignore.yaml").unwrap();
    assert_eq!(f.entries.len(), 7);
    let mut r = report();
    f.apply(&mut r, "2025-03-01");
    assert_eq!(
        suppression_of(&r, "CVE-2021-23337", "4.17.20"),
        Some(Suppression {
            kind: "ignore-file".to_string(),
            reason: "template() is never called with user input".to_string(),
            owner: Some("team-web".to_string()),
            expires: Some("2099-12-31".to_string()),
        })
    );
    assert_eq!(
        suppression_of(&r, "CVE-2021-44228", "2.14.1").map(|s| s.reason),
        Some("jars are scanned by the Java team's pipeline".to_string())
    );
    // Expiry is inclusive: the entry still applies on its last day.
    assert_eq!(
        suppression_of(&r, "CVE-2022-37434", "1:1.2.11.dfsg-2ubuntu9.2").map(|s| s.expires),
        Some(Some("2025-03-01".to_string()))
    );
    assert_eq!(
        active(&r),
        vec![
            t("CVE-2023-38545", "curl", "7.35.0-1ubuntu2.20+esm19"),
            t("CVE-2023-38545", "libcurl4", "7.81.0-1ubuntu1.24"),
            t("CVE-2023-38545", "libcurl4", "7.81.0-1ubuntu1.13"),
            t("CVE-2023-38545", "curl", "7.47.0-1ubuntu2.19"),
            t("CVE-2023-4154", "samba-client", "4.18.6-1.el9"),
            t("CVE-2024-24786", "cri-tools", "1.29.0-3.1.el9"),
            t("CVE-2024-24786", "cri-tools", "1.28.0-1.el9"),
            t("CVE-2023-36053", "Django", "4.2.1"),
            t("CVE-2023-45853", "zlib1g", "1:1.2.11.dfsg-2ubuntu9.2"),
            t("CVE-2023-44487", "libnghttp2-14", "1.43.0-1build3"),
            t("CVE-2022-1271", "libreadline8", "8.1.2-1"),
        ]
    );
    assert_eq!(r.notices.len(), 1);
    assert_eq!(r.notices[0].level, NoticeLevel::Warning);
    assert_eq!(r.notices[0].code, "expired-exception");
    assert_eq!(
        r.notices[0].message,
        ".bulwarkignore.yaml line 7: the exception for CVE-2023-38545 in libcurl* (owner platform) \
         expired on 2024-01-31; it no longer suppresses 2 findings"
    );

    // A day later the zlib entry has expired too.
    let mut r = report();
    f.apply(&mut r, "2025-03-02");
    assert_eq!(
        suppression_of(&r, "CVE-2022-37434", "1:1.2.11.dfsg-2ubuntu9.2"),
        None
    );
    assert_eq!(r.notices.len(), 2);
    assert!(r.notices[1].message.starts_with(
        ".bulwarkignore.yaml line 26: the exception for cve-2022-37434 in pkg:deb/ubuntu/zlib1g@"
    ));
}

#[test]
fn ignore_file_is_the_config_verbs_file() {
    // `bulwark config` reads the same file: the scan fields must not break it, and it keeps
    // only the entries for configuration findings (here the bare `id: "*"`), so a scan entry
    // such as `{id: "*", package: ...}` cannot suppress every configuration finding.
    let entries = bulwark_config::suppress::parse_ignore_file(IGNORE).unwrap();
    let got: Vec<(&str, u32)> = entries.iter().map(|e| (e.id.as_str(), e.line)).collect();
    assert_eq!(got, [("*", 17)]);
    // The plain list form works too.
    let f = IgnoreFile::parse(
        "- id: BW-DF-001\n  path: '**/Dockerfile'\n  reason: base sets USER\n",
        "x",
    )
    .unwrap();
    assert_eq!(f.entries.len(), 1);
    // A config-only entry never touches scan findings.
    let mut r = report();
    f.apply(&mut r, "2025-01-01");
    assert_eq!(r.active_vulnerabilities().count(), 14);
    assert!(IgnoreFile::parse("", "x").unwrap().entries.is_empty());
    assert!(IgnoreFile::parse("ignores:\n", "x")
        .unwrap()
        .entries
        .is_empty());
}

#[test]
fn ignore_file_errors_name_file_line_and_cause() {
    let e = IgnoreFile::parse(
        "ignores:\n  - id: CVE-2023-1\n    reason: r\n    expire: 2025-01-01\n    pakage: x\n",
        "ci/.bulwarkignore.yaml",
    )
    .unwrap_err();
    assert!(
        matches!(&e, PolicyError::UnknownKeys { line: 2, keys, .. } if keys == &["expire", "pakage"])
    );
    assert_eq!(
        e.to_string(),
        "ci/.bulwarkignore.yaml:2: unknown key(s) expire, pakage; allowed: id, path, reason, owner, expires, package, purl, type, kind"
    );
    let msg = |text: &str| IgnoreFile::parse(text, "f.yaml").unwrap_err().to_string();
    assert_eq!(
        msg("- id: CVE-1\n"),
        "f.yaml:1: entry for `CVE-1` has no `reason`"
    );
    assert_eq!(
        msg("- reason: r\n"),
        "f.yaml:1: entry has no `id` (use `*` for any)"
    );
    assert_eq!(
        msg("- id: X\n  reason: r\n  expires: next week\n"),
        "f.yaml:1: `expires` must be YYYY-MM-DD, got `next week`"
    );
    assert_eq!(
        msg("- id: X\n  reason: r\n  type: secret\n"),
        "f.yaml:1: `type` must be vulnerability, license or config, got `secret`"
    );
    assert_eq!(
        msg("ignore:\n  - id: X\n"),
        "f.yaml:1: unknown key(s) ignore; allowed: ignores"
    );
    assert!(msg("- id: [unclosed\n").starts_with("f.yaml: parse error"));
    let io =
        IgnoreFile::load(std::path::Path::new("/nonexistent/.bulwarkignore.yaml")).unwrap_err();
    assert_eq!(
        io.to_string(),
        "exception file /nonexistent/.bulwarkignore.yaml: no such file; check the path"
    );
}

// ------------------------------------------------------------------ VEX

fn vex(file: &str) -> VexDocument {
    let text = std::fs::read_to_string(data(file)).unwrap();
    VexDocument::parse(&text, file).unwrap()
}

#[test]
fn openvex_ubuntu_not_affected_fixed_and_affected() {
    let d = vex("ubuntu-openvex-CVE-2023-38545.json");
    assert_eq!(d.format, VexFormat::OpenVex);
    assert_eq!(d.author.as_deref(), Some("Canonical Ltd."));
    assert_eq!(d.statements.len(), 3);
    let mut r = report();
    d.apply(&mut r);
    assert_eq!(
        suppression_of(&r, "CVE-2023-38545", "7.35.0-1ubuntu2.20+esm19"),
        Some(Suppression {
            kind: "vex".to_string(),
            reason: "not_affected: vulnerable_code_not_present; This package (for the given release), \
                     while related to the CVE in some way, is not affected by the issue. CVE Notes / \
                     justification: affects 7.69 and higher introduced in \
                     https://github.com/curl/curl/commit/4a4b63daaa (ubuntu-openvex-CVE-2023-38545.json)"
                .to_string(),
            owner: Some("Canonical Ltd.".to_string()),
            expires: None,
        })
    );
    assert_eq!(
        suppression_of(&r, "CVE-2023-38545", "7.81.0-1ubuntu1.24").map(|s| s.reason),
        Some(
            "fixed: This package (for the given release) was vulnerable, but an update has been \
             uploaded and published. (ubuntu-openvex-CVE-2023-38545.json)"
                .to_string()
        )
    );
    // Versions the document does not list, and the `affected` statement, leave findings alone.
    assert_eq!(
        suppression_of(&r, "CVE-2023-38545", "7.81.0-1ubuntu1.13"),
        None
    );
    assert_eq!(
        suppression_of(&r, "CVE-2023-38545", "7.47.0-1ubuntu2.19"),
        None
    );
    assert_eq!(
        r.vulnerabilities
            .iter()
            .filter(|v| v.suppression.is_some())
            .count(),
        2
    );
    assert_eq!(r.notices.len(), 1);
    assert_eq!(
        r.notices[0].message,
        "ubuntu-openvex-CVE-2023-38545.json: 2 finding(s) marked not affected or fixed, 0 under investigation"
    );
    // load() detects the format from the file.
    let loaded = VexDocument::load(&data("ubuntu-openvex-CVE-2023-38545.json")).unwrap();
    assert_eq!(loaded.statements, d.statements);
}

#[test]
fn csaf_red_hat_known_not_affected_and_fixed() {
    let d = vex("redhat-csaf-vex-cve-2023-4154.json");
    assert_eq!(d.format, VexFormat::Csaf);
    assert_eq!(d.statements.len(), 165);
    let mut r = report();
    d.apply(&mut r);
    assert_eq!(
        suppression_of(&r, "CVE-2023-4154", "4.18.6-1.el9"),
        Some(Suppression {
            kind: "vex".to_string(),
            // Red Hat's `impact` threat carries only its severity word, which is not a reason.
            reason:
                "not_affected: vulnerable_code_not_present (redhat-csaf-vex-cve-2023-4154.json)"
                    .to_string(),
            owner: Some("Red Hat Product Security".to_string()),
            expires: None,
        })
    );
    assert_eq!(
        r.vulnerabilities
            .iter()
            .filter(|v| v.suppression.is_some())
            .count(),
        1
    );

    let d = vex("redhat-csaf-vex-cve-2024-24786-simple.json");
    let mut r = report();
    d.apply(&mut r);
    assert_eq!(
        suppression_of(&r, "CVE-2024-24786", "1.29.0-3.1.el9").map(|s| s.reason),
        Some("fixed (redhat-csaf-vex-cve-2024-24786-simple.json)".to_string())
    );
    assert_eq!(suppression_of(&r, "CVE-2024-24786", "1.28.0-1.el9"), None);
}

#[test]
fn csaf_platform_must_be_the_images_release() {
    let doc = r#"{
      "document": {"category": "csaf_vex", "csaf_version": "2.0", "publisher": {"name": "Red Hat Product Security"},
                   "tracking": {"current_release_date": "2024-01-01T00:00:00Z"}},
      "product_tree": {
        "branches": [{"category": "vendor", "name": "Red Hat", "branches": [
          {"category": "product_name", "name": "Red Hat Enterprise Linux 8",
           "product": {"name": "Red Hat Enterprise Linux 8", "product_id": "red_hat_enterprise_linux_8",
                       "product_identification_helper": {"cpe": "cpe:/o:redhat:enterprise_linux:8"}}},
          {"category": "product_version", "name": "samba-client",
           "product": {"name": "samba-client", "product_id": "samba-client",
                       "product_identification_helper": {"purl": "pkg:rpm/redhat/samba-client"}}}]}],
        "relationships": [{"category": "default_component_of",
          "full_product_name": {"name": "samba-client as a component of RHEL 8", "product_id": "red_hat_enterprise_linux_8:samba-client"},
          "product_reference": "samba-client", "relates_to_product_reference": "red_hat_enterprise_linux_8"}]
      },
      "vulnerabilities": [{"cve": "CVE-2023-4154",
        "product_status": {"known_not_affected": ["red_hat_enterprise_linux_8:samba-client"]},
        "flags": [{"label": "component_not_present", "product_ids": ["red_hat_enterprise_linux_8:samba-client"]}]}]
    }"#;
    let d = VexDocument::parse(doc, "rhel8.json").unwrap();
    assert_eq!(d.statements[0].rhel_release.as_deref(), Some("8"));
    let mut r = report(); // RHEL 9
    d.apply(&mut r);
    assert_eq!(suppression_of(&r, "CVE-2023-4154", "4.18.6-1.el9"), None);
    let mut r = report();
    if let Some(distro) = r.target.distro.as_mut() {
        distro.release = Some("8".to_string());
    }
    d.apply(&mut r);
    assert_eq!(
        suppression_of(&r, "CVE-2023-4154", "4.18.6-1.el9").map(|s| s.reason),
        Some("not_affected: component_not_present (rhel8.json)".to_string())
    );
}

#[test]
fn cyclonedx_vex_states_aliases_bom_links_and_the_image_itself() {
    let d = vex("cyclonedx-vex.json");
    assert_eq!(d.format, VexFormat::CycloneDx);
    assert_eq!(d.author.as_deref(), Some("Acme Product Security"));
    let mut r = report();
    d.apply(&mut r);
    // GHSA statement, finding keyed by CVE: matched through the alias.
    assert_eq!(
        suppression_of(&r, "CVE-2021-23337", "4.17.20"),
        Some(Suppression {
            kind: "vex".to_string(),
            reason: "not_affected: code_not_reachable; The application never passes user input to \
                     _.template. (cyclonedx-vex.json)"
                .to_string(),
            owner: Some("Acme Product Security".to_string()),
            expires: None,
        })
    );
    // `affects` names the image (metadata.component): every package.
    assert_eq!(
        suppression_of(&r, "CVE-2023-45853", "1:1.2.11.dfsg-2ubuntu9.2").map(|s| s.reason),
        Some("not_affected: requires_environment; minizip is not built into this image's zlib. (cyclonedx-vex.json)".to_string())
    );
    // in_triage through a BOM-Link: active with a note.
    let log4j = r
        .vulnerabilities
        .iter()
        .find(|v| v.id == "CVE-2021-44228")
        .unwrap();
    assert_eq!(log4j.suppression, None);
    assert_eq!(
        log4j.note.as_deref(),
        Some("VEX (cyclonedx-vex.json): under investigation")
    );
    // `resolved` limited by `vers:deb/<1:1.2.13`: the range is evaluated in dpkg order and
    // the installed 1:1.2.11.dfsg-2ubuntu9.2 is inside it.
    assert_eq!(
        suppression_of(&r, "CVE-2022-37434", "1:1.2.11.dfsg-2ubuntu9.2").map(|s| s.reason),
        Some("fixed: Patched in our zlib build. (cyclonedx-vex.json)".to_string())
    );
    // exploitable, and not_affected without any justification: no effect.
    for (id, v) in [
        ("CVE-2023-36053", "4.2.1"),
        ("CVE-2023-44487", "1.43.0-1build3"),
    ] {
        assert_eq!(suppression_of(&r, id, v), None, "{id}");
    }
    let notices: Vec<(NoticeLevel, &str, &str)> = r
        .notices
        .iter()
        .map(|n| (n.level, n.code.as_str(), n.message.as_str()))
        .collect();
    assert_eq!(
        notices,
        vec![
            (NoticeLevel::Info, "vex-applied", "cyclonedx-vex.json: 3 finding(s) marked not affected or fixed, 1 under investigation"),
            (NoticeLevel::Warning, "vex-missing-justification", "cyclonedx-vex.json: not_affected without a justification or impact statement is not applied (CVE-2023-44487 in libnghttp2-14)"),
        ]
    );
}

#[test]
fn openvex_image_as_product_and_subcomponents() {
    let doc = |product: &str, subs: &str| {
        format!(
            r#"{{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://acme.example/vex/1",
               "author": "Acme", "timestamp": "2024-06-01T00:00:00Z", "version": 1,
               "statements": [{{"vulnerability": {{"name": "CVE-2023-45853"}},
                 "products": [{{"@id": "{product}" {subs}}}],
                 "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}},
                {{"vulnerability": {{"name": "GHSA-35jh-r3h4-6jhm"}},
                 "products": [{{"@id": "{product}", "subcomponents": [{{"@id": "pkg:npm/lodash"}}]}}],
                 "status": "under_investigation"}}]}}"#
        )
    };
    let image = format!(
        "pkg:oci/app@{}?repository_url=ghcr.io/acme/app",
        IMAGE_ID.replace(':', "%3A")
    );
    // The image as product, no subcomponents: every package.
    let mut r = report();
    VexDocument::parse(&doc(&image, ""), "a.json")
        .unwrap()
        .apply(&mut r);
    assert_eq!(
        suppression_of(&r, "CVE-2023-45853", "1:1.2.11.dfsg-2ubuntu9.2").map(|s| s.reason),
        Some("not_affected: vulnerable_code_not_in_execute_path (a.json)".to_string())
    );
    assert_eq!(
        r.vulnerabilities
            .iter()
            .find(|v| v.id == "CVE-2021-23337")
            .and_then(|v| v.note.clone()),
        Some("VEX (a.json): under investigation".to_string())
    );
    // The image by name and tag, narrowed to a subcomponent that is not zlib: no match.
    let mut r = report();
    VexDocument::parse(
        &doc(
            "ghcr.io/acme/app:1.4.2",
            r#", "subcomponents": [{"@id": "pkg:deb/ubuntu/zlib1g"}]"#,
        ),
        "b.json",
    )
    .unwrap()
    .apply(&mut r);
    assert!(suppression_of(&r, "CVE-2023-45853", "1:1.2.11.dfsg-2ubuntu9.2").is_some());
    // Another image's digest: nothing applies.
    let mut r = report();
    let other =
        "pkg:oci/app@sha256%3A0000000000000000000000000000000000000000000000000000000000000000";
    VexDocument::parse(
        &doc(
            other,
            r#", "subcomponents": [{"@id": "pkg:deb/ubuntu/zlib1g"}]"#,
        ),
        "c.json",
    )
    .unwrap()
    .apply(&mut r);
    assert_eq!(
        suppression_of(&r, "CVE-2023-45853", "1:1.2.11.dfsg-2ubuntu9.2"),
        None
    );
    assert!(r.notices.is_empty());
}

#[test]
fn vex_format_errors() {
    let e = VexDocument::parse("{\"hello\": 1}", "x.json").unwrap_err();
    assert!(matches!(e, PolicyError::UnknownVexFormat { .. }));
    assert!(e
        .to_string()
        .starts_with("x.json: not a recognised VEX document"));
    let e = VexDocument::parse("<bom/>", "x.xml").unwrap_err();
    assert!(e.to_string().contains("CycloneDX XML is not supported"));
    let e = VexDocument::parse("{\n  \"a\": ", "y.json").unwrap_err();
    assert!(e.to_string().starts_with("y.json:2: invalid JSON"), "{e}");
    let e = VexDocument::parse(
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "products": [], "status": "maybe"}]}"#,
        "z.json",
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "z.json: statement 1: status must be not_affected, affected, fixed or under_investigation, got maybe");
}

// ------------------------------------------------------------------ licenses

const POLICY: &str = "\
allow:
  - category: permissive
  - category: public-domain
  - LGPL-2.1-only
deny:
  - category: network-copyleft
  - GPL-2.0-*
warn:
  - category: strong-copyleft
  - category: weak-copyleft
unknown: deny
no_license: warn
severity:
  deny: CRITICAL
  warn: MEDIUM
ignore_packages:
  - pkg:rpm/redhat/cri-tools
";

/// (package, license, verdict, rule, severity, origin, layer index)
type Row<'a> = (
    &'a str,
    &'a str,
    LicenseVerdict,
    &'a str,
    Severity,
    Origin,
    Option<usize>,
);

#[test]
fn license_policy_findings() {
    let policy = LicensePolicy::parse(POLICY, "license-policy.yaml").unwrap();
    let mut r = report();
    let mut gcrypt = package(
        bulwark_catalog::PackageKind::Deb,
        "libgcrypt20",
        "1.10.1-2",
        "pkg:deb/ubuntu/libgcrypt20@1.10.1-2",
        "/var/lib/dpkg/status",
        0,
        None,
        &["LGPL-2.1"],
    );
    r.packages.push(gcrypt.clone());
    gcrypt.name = "libssh-gcrypt-4".to_string();
    gcrypt.purl = "pkg:deb/ubuntu/libssh-gcrypt-4@0.9.6-2".to_string();
    gcrypt.licenses = vec!["LGPL-2.1+".to_string()];
    r.packages.push(gcrypt.clone());
    gcrypt.name = "mysql-client".to_string();
    gcrypt.purl = "pkg:deb/ubuntu/mysql-client@8.0.36".to_string();
    gcrypt.licenses = vec!["GPL-2.0 WITH Universal-FOSS-exception-1.0".to_string()];
    gcrypt.layer = Some(3);
    r.packages.push(gcrypt);
    policy.evaluate(&mut r);
    let got: Vec<Row> = r
        .licenses
        .iter()
        .map(|l| {
            (
                l.package.name.as_str(),
                l.license.as_str(),
                l.verdict,
                l.rule.as_str(),
                l.severity,
                l.origin,
                l.layer.as_ref().map(|x| x.index),
            )
        })
        .collect();
    use LicenseVerdict::*;
    assert_eq!(
        got,
        vec![
            (
                "samba-client",
                "GPL-3.0-or-later AND LGPL-3.0-or-later",
                Warn,
                "warn: category strong-copyleft",
                Severity::Medium,
                Origin::Base,
                Some(0)
            ),
            (
                "libreadline8",
                "GPL-3.0-or-later",
                Warn,
                "warn: category strong-copyleft",
                Severity::Medium,
                Origin::Base,
                Some(0)
            ),
            (
                "acme-internal",
                "LicenseRef-Acme-Corp-Internal-Use",
                Unknown,
                "unknown: deny (LicenseRef-Acme-Corp-Internal-Use is not a recognised license)",
                Severity::Critical,
                Origin::Own,
                Some(2)
            ),
            (
                "mystery",
                "NOASSERTION",
                Unknown,
                "no_license: warn",
                Severity::Medium,
                Origin::Own,
                Some(3)
            ),
            (
                "ghostscript-py",
                "AGPL-3.0-or-later",
                Deny,
                "deny: category network-copyleft",
                Severity::Critical,
                Origin::Own,
                Some(2)
            ),
            (
                "libssh-gcrypt-4",
                "LGPL-2.1-or-later",
                Warn,
                "warn: category weak-copyleft",
                Severity::Medium,
                Origin::Base,
                Some(0)
            ),
            (
                "mysql-client",
                "GPL-2.0-only WITH Universal-FOSS-exception-1.0",
                Deny,
                "deny: GPL-2.0-*",
                Severity::Critical,
                Origin::Own,
                Some(3)
            ),
        ]
    );
    assert_eq!(
        r.licenses[0].layer.as_ref().and_then(|l| l.digest.clone()),
        Some(format!("sha256:{:064x}", 1))
    );

    // The exception file suppresses license findings by `license:` id.
    let ignore = IgnoreFile::parse(IGNORE, ".bulwarkignore.yaml").unwrap();
    ignore.apply(&mut r, "2025-03-01");
    let suppressed: Vec<&str> = r
        .licenses
        .iter()
        .filter(|l| l.suppression.is_some())
        .map(|l| l.package.name.as_str())
        .collect();
    assert_eq!(suppressed, vec!["libreadline8"]);

    // The severity filter drops license findings below it.
    Filter {
        min_severity: Some(Severity::High),
        ..Filter::default()
    }
    .apply(&mut r);
    assert_eq!(r.licenses.len(), 3);
}

#[test]
fn license_policy_allow_list_and_explicit_with_rules() {
    let p = LicensePolicy::parse(
        "allow: [MIT, Apache-2.0, \"GPL-2.0-only WITH Classpath-exception-2.0\"]\ndeny: [GPL-*]\n",
        "p.yaml",
    )
    .unwrap();
    let mut r = report();
    r.packages.truncate(0);
    let mk = |name: &str, lic: &str| {
        package(
            bulwark_catalog::PackageKind::Maven,
            name,
            "1",
            &format!("pkg:maven/x/{name}@1"),
            "app/x.jar",
            2,
            None,
            &[lic],
        )
    };
    r.packages = vec![
        mk("a", "MIT"),
        mk(
            "b",
            "GNU General Public License, version 2 (GPL2), with the classpath exception",
        ),
        mk("c", "GPLv3"),
        mk("d", "BSD-2-Clause"),
        mk("e", "MIT OR GPL-3.0-only"),
    ];
    p.evaluate(&mut r);
    let got: Vec<(&str, LicenseVerdict, &str)> = r
        .licenses
        .iter()
        .map(|l| (l.package.name.as_str(), l.verdict, l.rule.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("c", LicenseVerdict::Deny, "deny: GPL-*"),
            (
                "d",
                LicenseVerdict::Unknown,
                "unknown: warn (BSD-2-Clause is not on the allow list)"
            ),
        ]
    );
}

#[test]
fn license_policy_errors() {
    let msg = |t: &str| LicensePolicy::parse(t, "lp.yaml").unwrap_err().to_string();
    assert_eq!(msg("allow: [MIT]\nalow: [ISC]\n"), "lp.yaml:1: unknown key(s) alow; allowed: allow, deny, warn, unknown, no_license, severity, ignore_packages");
    assert_eq!(msg("deny:\n  - Apache-2.O-typo\n"), "lp.yaml:2: `Apache-2.O-typo` in `deny` is not an SPDX license id (use a glob like `GPL-*`, or `LicenseRef-...`)");
    assert_eq!(msg("deny:\n  - category: copyleft\n"), "lp.yaml:2: unknown category `copyleft` (permissive, weak-copyleft, strong-copyleft, network-copyleft, public-domain, proprietary, unknown)");
    assert_eq!(
        msg("unknown: maybe\n"),
        "lp.yaml:1: `unknown` must be allow, warn or deny"
    );
    assert_eq!(
        msg("severity:\n  deny: SEVERE\n"),
        "lp.yaml:2: `severity.deny` must be CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN"
    );
    assert_eq!(msg(""), "lp.yaml: empty license policy");
}

/// Normalisation moved to `bulwark-license`; the old paths still work and are the same items.
#[test]
fn license_reexports_keep_the_old_paths() {
    use bulwark_policy::license::{category, license_ids, normalize, Category};
    assert_eq!(normalize("GPLv2+ and MIT"), "GPL-2.0-or-later AND MIT");
    assert_eq!(license_ids("MIT OR Apache-2.0"), ["MIT", "Apache-2.0"]);
    assert_eq!(category("GPL-2.0-only"), Category::StrongCopyleft);
    assert_eq!(
        bulwark_license::category("MPL-2.0"),
        bulwark_policy::license::category("MPL-2.0")
    );
}
