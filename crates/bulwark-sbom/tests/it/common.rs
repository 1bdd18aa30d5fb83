//! Shared by the integration tests: a hand-built report and the external-tool gate.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::process::Command;

use bulwark_catalog::{Distro, LayerInfo, Package, PackageKind, SourcePackage};
use bulwark_model::scan::{
    BaseImageRef, Cvss, Epss, FixStatus, LayerRef, Origin, PackageRef, ScanReport, ScanTarget,
    Summary, VulnFinding,
};
use bulwark_model::{Severity, Suppression, Tool};

/// Whether an external tool can run; without it the test is skipped (printing why), unless
/// `BULWARK_REQUIRE_TOOLS` is set, where a missing tool fails the test.
pub fn have_tool(what: &str, probe: &mut Command) -> bool {
    let ok = probe.output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        if std::env::var_os("BULWARK_REQUIRE_TOOLS").is_some() {
            panic!("{what} is required (BULWARK_REQUIRE_TOOLS is set) but not installed");
        }
        eprintln!("SKIP: {what} not installed (set BULWARK_REQUIRE_TOOLS=1 to fail instead)");
    }
    ok
}

/// `cyclonedx-python-lib` with its JSON validation extra.
pub fn have_cyclonedx_validator() -> bool {
    have_tool(
        "cyclonedx-python-lib[json-validation] (pip)",
        Command::new("python3").args([
            "-c",
            "from cyclonedx.validation.json import JsonStrictValidator; \
             from cyclonedx.schema import SchemaVersion; JsonStrictValidator(SchemaVersion.V1_6)",
        ]),
    )
}

/// `spdx-tools` (pyspdxtools).
pub fn have_pyspdxtools() -> bool {
    have_tool(
        "spdx-tools (pip, pyspdxtools)",
        Command::new("pyspdxtools").arg("--help"),
    )
}

/// Validate CycloneDX 1.6 JSON with cyclonedx-python-lib's strict validator; `Err` carries
/// the validator's complaint.
pub fn validate_cyclonedx(text: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("bom.json");
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys\n\
             from cyclonedx.validation.json import JsonStrictValidator\n\
             from cyclonedx.schema import SchemaVersion\n\
             e = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\n\
             print(repr(e) if e else 'VALID')\n\
             sys.exit(1 if e else 0)",
        ])
        .arg(&path)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "VALID" {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Validate SPDX JSON with pyspdxtools; `Err` carries its complaints.
pub fn validate_spdx(text: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("doc.spdx.json");
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    let out = Command::new("pyspdxtools")
        .arg("-i")
        .arg(&path)
        .output()
        .map_err(|e| e.to_string())?;
    let err = String::from_utf8_lossy(&out.stderr);
    if out.status.success() && !err.contains("invalid") {
        Ok(())
    } else {
        Err(format!("{}{err}", String::from_utf8_lossy(&out.stdout)))
    }
}

/// (kind, name, version, purl) of every package.
pub fn package_set(r: &ScanReport) -> BTreeSet<(String, String, String, String)> {
    r.packages
        .iter()
        .map(|p| {
            (
                bulwark_model::scan::kind_name(p.kind),
                p.name.clone(),
                p.version.clone(),
                p.purl.clone(),
            )
        })
        .collect()
}

fn layer(index: usize, digest: &str, created_by: &str, is_base: bool) -> LayerInfo {
    LayerInfo {
        index,
        digest: Some(format!("sha256:{}", digest.repeat(32))),
        diff_id: Some(format!(
            "sha256:{}",
            digest.chars().rev().collect::<String>().repeat(32)
        )),
        created_by: Some(created_by.into()),
        is_base,
        ..LayerInfo::default()
    }
}

/// A small report that exercises every writer feature: OS packages with source packages and
/// an rpm epoch, scoped npm and Maven names, license ids, expressions and free text, CPEs,
/// a dependency graph, base/own layers, and findings with CVSS, EPSS, KEV, a VEX suppression
/// and an ignore-file suppression.
pub fn sample() -> ScanReport {
    let layers = vec![
        layer(0, "a1", "/bin/sh -c #(nop) ADD file:abc in / ", true),
        layer(1, "b2", "RUN apt-get install -y curl # buildkit", false),
        layer(2, "c3", "COPY app /app # buildkit", false),
    ];
    let dpkg = "/var/lib/dpkg/status";
    let mut openssl = Package::new(
        PackageKind::Deb,
        "libssl3",
        "3.0.11-1~deb12u2",
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
        dpkg,
    );
    openssl.arch = Some("amd64".into());
    openssl.source = Some(SourcePackage {
        name: "openssl".into(),
        version: Some("3.0.11-1~deb12u2".into()),
    });
    openssl.licenses = vec!["Apache-2.0".into()];
    openssl.layer = Some(0);
    let mut curl = Package::new(
        PackageKind::Deb,
        "curl",
        "7.88.1-10+deb12u5",
        "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12",
        dpkg,
    );
    curl.arch = Some("amd64".into());
    curl.source = Some(SourcePackage {
        name: "curl".into(),
        version: Some("7.88.1-10+deb12u5".into()),
    });
    curl.licenses = vec![
        "curl".into(),
        "BSD-4-Clause-UC".into(),
        "public-domain".into(),
    ];
    curl.layer = Some(1);
    curl.depends_on = vec!["libssl3@3.0.11-1~deb12u2".into(), "missing@1".into()];
    let mut bash = Package::new(
        PackageKind::Rpm,
        "bash",
        "5.1.8-6.el9",
        "pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&epoch=1&upstream=bash-5.1.8-6.el9.src.rpm",
        "/var/lib/rpm/rpmdb.sqlite",
    );
    bash.epoch = Some(1);
    bash.arch = Some("x86_64".into());
    bash.source = Some(SourcePackage {
        name: "bash".into(),
        version: Some("5.1.8-6.el9".into()),
    });
    bash.licenses = vec!["GPL-3.0-or-later".into()];
    bash.layer = Some(1);
    let mut jinja = Package::new(
        PackageKind::Python,
        "Jinja2",
        "2.11.2",
        "pkg:pypi/jinja2@2.11.2",
        "/usr/lib/python3/dist-packages/Jinja2-2.11.2.dist-info/METADATA",
    );
    jinja.licenses = vec!["BSD-3-Clause".into()];
    jinja.layer = Some(2);
    let mut babel = Package::new(
        PackageKind::Npm,
        "@babel/core",
        "7.21.0",
        "pkg:npm/%40babel/core@7.21.0",
        "/app/package-lock.json",
    );
    babel.licenses = vec!["MIT OR Apache-2.0".into()];
    babel.layer = Some(2);
    babel.depends_on = vec!["ms@2.0.0".into()];
    let mut ms = Package::new(
        PackageKind::Npm,
        "ms",
        "2.0.0",
        "pkg:npm/ms@2.0.0",
        "/app/package-lock.json",
    );
    ms.licenses = vec!["MIT".into()];
    ms.layer = Some(2);
    ms.dev = true;
    let mut jackson = Package::new(
        PackageKind::Maven,
        "com.fasterxml.jackson.core:jackson-databind",
        "2.9.8",
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.8",
        "/app/lib/app.jar!/BOOT-INF/lib/jackson-databind-2.9.8.jar",
    );
    jackson.licenses = vec!["The Apache Software License, Version 2.0".into()];
    jackson.layer = Some(2);
    let mut node = Package::new(
        PackageKind::Binary,
        "node",
        "18.17.1",
        "pkg:generic/node@18.17.1",
        "/usr/local/bin/node",
    );
    node.cpes = vec![
        "cpe:2.3:a:nodejs:node.js:18.17.1:*:*:*:*:*:*:*".into(),
        "cpe:2.3:a:nodejs:nodejs:18.17.1:*:*:*:*:*:*:*".into(),
    ];
    node.layer = Some(2);
    let packages = vec![openssl, curl, bash, jinja, babel, ms, jackson, node];

    let finding = |id: &str, p: &Package, sev: Severity| VulnFinding {
        id: id.into(),
        aliases: Vec::new(),
        package: PackageRef::of(p),
        fixed_versions: Vec::new(),
        status: FixStatus::Affected,
        severity: sev,
        severity_source: None,
        cvss: Vec::new(),
        epss: None,
        kev: false,
        title: None,
        description: None,
        references: Vec::new(),
        data_sources: vec!["osv".into()],
        fix_advisories: Vec::new(),
        note: None,
        layer: p.layer.map(|i| LayerRef::of(&layers, i)),
        origin: match p.layer {
            Some(0) => Origin::Base,
            Some(_) => Origin::Own,
            None => Origin::Unknown,
        },
        suppression: None,
    };
    let mut v1 = finding("CVE-2023-5678", &packages[0], Severity::Medium);
    v1.aliases = vec!["DSA-5532-1".into()];
    v1.fixed_versions = vec!["3.0.13-1~deb12u1".into()];
    v1.status = FixStatus::Fixed;
    v1.severity_source = Some("debian".into());
    v1.cvss = vec![Cvss {
        source: "nvd".into(),
        version: "3.1".into(),
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L".into(),
        score: Some(5.3),
    }];
    v1.epss = Some(Epss {
        score: 0.00123,
        percentile: 0.45,
    });
    v1.title = Some("Excessive time spent in DH check / generation".into());
    v1.references = vec![
        "https://www.openssl.org/news/secadv/20231106.txt".into(),
        "https://security-tracker.debian.org/tracker/CVE-2023-5678".into(),
    ];
    v1.data_sources = vec!["debian-tracker".into()];
    v1.fix_advisories = vec!["DSA-5532-1".into()];
    let mut v2 = finding("CVE-2023-38545", &packages[1], Severity::Critical);
    v2.cvss = vec![
        Cvss {
            source: "nvd".into(),
            version: "3.1".into(),
            vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
            score: Some(9.8),
        },
        Cvss {
            source: "nvd".into(),
            version: "2.0".into(),
            vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P".into(),
            score: Some(7.5),
        },
    ];
    v2.kev = true;
    v2.severity_source = Some("nvd".into());
    v2.description = Some("SOCKS5 heap buffer overflow".into());
    v2.note = Some("postponed".into());
    v2.status = FixStatus::NoDsa;
    v2.suppression = Some(Suppression {
        kind: "vex".into(),
        reason:
            "not_affected: vulnerable_code_not_in_execute_path: curl never uses a SOCKS5 proxy here"
                .into(),
        owner: Some("platform-team".into()),
        expires: None,
    });
    let mut v3 = finding("GHSA-57j2-w4cx-62h2", &packages[6], Severity::High);
    v3.aliases = vec!["CVE-2020-36518".into()];
    v3.fixed_versions = vec!["2.12.6.1".into(), "2.13.2.1".into()];
    v3.status = FixStatus::Fixed;
    v3.severity_source = Some("ghsa".into());
    v3.suppression = Some(Suppression {
        kind: "ignore-file".into(),
        reason: "deep nesting is rejected upstream of the service".into(),
        owner: Some("app-team".into()),
        expires: Some("2030-01-01".into()),
    });
    let mut v4 = finding("GHSA-xxxx-unscored", &packages[4], Severity::Unknown);
    v4.status = FixStatus::Unknown;

    let mut report = ScanReport {
        schema_version: bulwark_model::scan::SCHEMA_VERSION,
        tool: Tool {
            name: "bulwark".into(),
            version: "0.1.0".into(),
            information_uri: None,
        },
        created_at: "2024-05-01T12:00:00Z".into(),
        target: ScanTarget {
            name: "ghcr.io/acme/app:1.4".into(),
            source: "registry".into(),
            names: vec!["ghcr.io/acme/app:1.4".into()],
            image_id: Some(
                "sha256:89a379b7d13a1347e4ccb1567b5355c4789f5d9ccc2fba68b37b45158e32938b".into(),
            ),
            manifest_digest: Some(
                "sha256:09ef2029ef57fede83c3e5fc1558778147cafc46df0d11d467e4f4dbdcda6b0e".into(),
            ),
            distro: Some(Distro {
                id: "debian".into(),
                family: "debian".into(),
                version_id: Some("12".into()),
                release: Some("12".into()),
                codename: Some("bookworm".into()),
                pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
                eol: Some("2026-06-10".into()),
                found_in: "/usr/lib/os-release".into(),
                ..Distro::default()
            }),
            base_image: Some(BaseImageRef {
                name: Some("debian:bookworm".into()),
                digest: None,
                layers: Some(1),
                evidence: "annotation".into(),
            }),
            layers,
        },
        database: None,
        packages,
        vulnerabilities: vec![v1, v2, v3, v4],
        licenses: Vec::new(),
        notices: Vec::new(),
        warnings: Vec::new(),
        summary: Summary::default(),
        timings: None,
    };
    report.summarize();
    report
}
