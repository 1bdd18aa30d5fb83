//! A hand-built scan report with realistic packages and findings, shared by the tests.
#![allow(dead_code)]

use bulwark_catalog::{Distro, LayerInfo, Package, PackageKind, SourcePackage};
use bulwark_model::scan::{
    BaseImageRef, FixStatus, Origin, PackageRef, ScanReport, ScanTarget, Summary, VulnFinding,
};
use bulwark_model::{Severity, Tool};

#[allow(clippy::too_many_arguments)] // a row of the package table
pub fn package(
    kind: PackageKind,
    name: &str,
    version: &str,
    purl: &str,
    found_in: &str,
    layer: usize,
    source: Option<&str>,
    licenses: &[&str],
) -> Package {
    let mut p = Package::new(kind, name, version, purl, found_in);
    p.layer = Some(layer);
    p.source = source.map(|s| SourcePackage {
        name: s.to_string(),
        version: None,
    });
    p.licenses = licenses.iter().map(|l| l.to_string()).collect();
    p
}

pub fn finding(
    id: &str,
    aliases: &[&str],
    p: &Package,
    severity: Severity,
    status: FixStatus,
    fixed: &[&str],
) -> VulnFinding {
    VulnFinding {
        id: id.to_string(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        package: PackageRef::of(p),
        fixed_versions: fixed.iter().map(|f| f.to_string()).collect(),
        status,
        severity,
        severity_source: Some("nvd".to_string()),
        cvss: Vec::new(),
        epss: None,
        kev: false,
        title: None,
        description: None,
        references: Vec::new(),
        data_sources: vec!["osv".to_string()],
        fix_advisories: Vec::new(),
        note: None,
        layer: None,
        origin: Origin::Unknown,
        suppression: None,
    }
}

pub const IMAGE_ID: &str =
    "sha256:4f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a";

/// Packages: index -> (name) for readability in tests.
pub fn packages() -> Vec<Package> {
    use PackageKind::*;
    let dpkg = "/var/lib/dpkg/status";
    vec![
        // 0: trusty ESM curl, which Ubuntu's VEX says is not affected.
        package(Deb, "curl", "7.35.0-1ubuntu2.20+esm19", "pkg:deb/ubuntu/curl@7.35.0-1ubuntu2.20%2Besm19?arch=amd64&distro=ubuntu-14.04", dpkg, 0, Some("curl"), &["curl"]),
        // 1: jammy libcurl4 at the fixed version Ubuntu lists.
        package(Deb, "libcurl4", "7.81.0-1ubuntu1.24", "pkg:deb/ubuntu/libcurl4@7.81.0-1ubuntu1.24?arch=amd64&distro=ubuntu-22.04", dpkg, 0, Some("curl"), &["curl"]),
        // 2: jammy libcurl4 before the fix.
        package(Deb, "libcurl4", "7.81.0-1ubuntu1.13", "pkg:deb/ubuntu/libcurl4@7.81.0-1ubuntu1.13?arch=amd64&distro=ubuntu-22.04", dpkg, 0, Some("curl"), &["curl"]),
        // 3: xenial curl, affected.
        package(Deb, "curl", "7.47.0-1ubuntu2.19", "pkg:deb/ubuntu/curl@7.47.0-1ubuntu2.19?arch=amd64&distro=ubuntu-16.04", dpkg, 0, Some("curl"), &["curl"]),
        // 4: RHEL samba-client (Red Hat says not affected by CVE-2023-4154).
        package(Rpm, "samba-client", "4.18.6-1.el9", "pkg:rpm/redhat/samba-client@4.18.6-1.el9?arch=x86_64&distro=rhel-9.3", "/var/lib/rpm/rpmdb.sqlite", 0, Some("samba"), &["GPLv3+ and LGPLv3+"]),
        // 5: cri-tools at the version Red Hat lists as fixed.
        package(Rpm, "cri-tools", "1.29.0-3.1.el9", "pkg:rpm/redhat/cri-tools@1.29.0-3.1.el9?arch=aarch64&distro=rhel-9.3", "/var/lib/rpm/rpmdb.sqlite", 1, Some("cri-tools"), &["ASL 2.0"]),
        // 6: cri-tools at an older version.
        package(Rpm, "cri-tools", "1.28.0-1.el9", "pkg:rpm/redhat/cri-tools@1.28.0-1.el9?arch=aarch64&distro=rhel-9.3", "/var/lib/rpm/rpmdb.sqlite", 1, Some("cri-tools"), &["ASL 2.0"]),
        // 7: npm lodash in the app layer.
        package(Npm, "lodash", "4.17.20", "pkg:npm/lodash@4.17.20", "app/package-lock.json", 2, None, &["MIT"]),
        // 8: log4j-core in the app layer.
        package(Maven, "org.apache.logging.log4j:log4j-core", "2.14.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "app/lib/log4j-core-2.14.1.jar", 2, None, &["Apache License, Version 2.0"]),
        // 9: Django in the app layer.
        package(Python, "Django", "4.2.1", "pkg:pypi/django@4.2.1", "usr/lib/python3/dist-packages/Django-4.2.1.dist-info/METADATA", 2, None, &["BSD-3-Clause"]),
        // 10: zlib.
        package(Deb, "zlib1g", "1:1.2.11.dfsg-2ubuntu9.2", "pkg:deb/ubuntu/zlib1g@1:1.2.11.dfsg-2ubuntu9.2?arch=amd64&distro=ubuntu-22.04", dpkg, 0, Some("zlib"), &["Zlib"]),
        // 11: nghttp2.
        package(Deb, "libnghttp2-14", "1.43.0-1build3", "pkg:deb/ubuntu/libnghttp2-14@1.43.0-1build3?arch=amd64&distro=ubuntu-22.04", dpkg, 0, Some("nghttp2"), &["MIT"]),
        // 12: readline (GPL-3) in the base.
        package(Deb, "libreadline8", "8.1.2-1", "pkg:deb/ubuntu/libreadline8@8.1.2-1?arch=amd64&distro=ubuntu-22.04", dpkg, 0, Some("readline"), &["GPL-3+"]),
        // 13: an npm package with a dual license, one branch denied.
        package(Npm, "node-forge", "1.3.1", "pkg:npm/node-forge@1.3.1", "app/package-lock.json", 2, None, &["(BSD-3-Clause OR GPL-2.0)"]),
        // 14: a gem with a license nobody recognises.
        package(Gem, "acme-internal", "0.3.0", "pkg:gem/acme-internal@0.3.0", "usr/lib/ruby/gems/3.1.0/specifications/acme-internal-0.3.0.gemspec", 2, None, &["Acme Corp Internal Use"]),
        // 15: a Python package without license metadata.
        package(Python, "mystery", "1.0", "pkg:pypi/mystery@1.0", "usr/lib/python3/dist-packages/mystery-1.0.dist-info/METADATA", 3, None, &[]),
        // 16: AGPL in the app layer.
        package(Python, "ghostscript-py", "0.7", "pkg:pypi/ghostscript-py@0.7", "usr/lib/python3/dist-packages/ghostscript_py-0.7.dist-info/METADATA", 2, None, &["License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)"]),
    ]
}

pub fn report() -> ScanReport {
    use FixStatus::*;
    use Severity::*;
    let p = packages();
    let vulns = vec![
        finding(
            "CVE-2023-38545",
            &["USN-6429-1"],
            &p[0],
            Critical,
            Fixed,
            &["7.35.0-1ubuntu2.20+esm20"],
        ),
        finding(
            "CVE-2023-38545",
            &["USN-6429-1"],
            &p[1],
            Critical,
            Fixed,
            &["7.81.0-1ubuntu1.14"],
        ),
        finding(
            "CVE-2023-38545",
            &["USN-6429-1"],
            &p[2],
            Critical,
            Fixed,
            &["7.81.0-1ubuntu1.14"],
        ),
        finding("CVE-2023-38545", &[], &p[3], Critical, Affected, &[]),
        finding("CVE-2023-4154", &[], &p[4], Medium, Affected, &[]),
        finding(
            "CVE-2024-24786",
            &["GHSA-8r3f-844c-mc37", "GO-2024-2611"],
            &p[5],
            Medium,
            Fixed,
            &["1.29.0-3.1.el9"],
        ),
        finding(
            "CVE-2024-24786",
            &["GHSA-8r3f-844c-mc37", "GO-2024-2611"],
            &p[6],
            Medium,
            Fixed,
            &["1.29.0-3.1.el9"],
        ),
        finding(
            "CVE-2021-23337",
            &["GHSA-35jh-r3h4-6jhm"],
            &p[7],
            High,
            Fixed,
            &["4.17.21"],
        ),
        finding(
            "CVE-2021-44228",
            &["GHSA-jfh8-c2jp-5v3q"],
            &p[8],
            Critical,
            Fixed,
            &["2.15.0"],
        ),
        finding(
            "CVE-2023-36053",
            &["GHSA-jh3w-4vvf-mjgr", "PYSEC-2023-100"],
            &p[9],
            High,
            Fixed,
            &["4.2.3"],
        ),
        finding("CVE-2023-45853", &[], &p[10], Critical, WillNotFix, &[]),
        finding(
            "CVE-2022-37434",
            &[],
            &p[10],
            Critical,
            Fixed,
            &["1:1.2.11.dfsg-2ubuntu9.1"],
        ),
        finding("CVE-2023-44487", &[], &p[11], High, NoDsa, &[]),
        finding("CVE-2022-1271", &[], &p[12], Low, FixStatus::Unknown, &[]),
    ];
    let layers = (0..4)
        .map(|i| LayerInfo {
            index: i,
            digest: Some(format!("sha256:{:064x}", i + 1)),
            diff_id: None,
            media_type: None,
            size: None,
            created_by: Some(format!("step {i}")),
            is_base: i < 2,
        })
        .collect();
    ScanReport {
        schema_version: bulwark_model::scan::SCHEMA_VERSION,
        tool: Tool {
            name: "bulwark".to_string(),
            version: "0.1.0".to_string(),
            information_uri: None,
        },
        created_at: "2025-01-01T00:00:00Z".to_string(),
        target: ScanTarget {
            name: "ghcr.io/acme/app:1.4.2".to_string(),
            source: "docker-archive".to_string(),
            names: vec!["ghcr.io/acme/app:1.4.2".to_string()],
            image_id: Some(IMAGE_ID.to_string()),
            manifest_digest: None,
            distro: Some(Distro {
                id: "rhel".to_string(),
                family: "redhat".to_string(),
                release: Some("9".to_string()),
                version_id: Some("9.3".to_string()),
                found_in: "etc/os-release".to_string(),
                ..Distro::default()
            }),
            base_image: Some(BaseImageRef {
                name: Some("registry.access.redhat.com/ubi9".to_string()),
                digest: None,
                layers: Some(2),
                evidence: "history".to_string(),
            }),
            layers,
        },
        database: None,
        packages: p,
        vulnerabilities: vulns,
        licenses: Vec::new(),
        notices: Vec::new(),
        warnings: Vec::new(),
        summary: Summary::default(),
        timings: None,
    }
}

/// `(id, package name, package version)` of the active (unsuppressed) findings.
pub fn active(r: &ScanReport) -> Vec<(String, String, String)> {
    r.active_vulnerabilities()
        .map(|v| {
            (
                v.id.clone(),
                v.package.name.clone(),
                v.package.version.clone(),
            )
        })
        .collect()
}

pub fn data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}
