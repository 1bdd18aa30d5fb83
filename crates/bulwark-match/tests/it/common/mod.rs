//! Helpers shared by the matcher's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use bulwark_catalog::{Distro, Package, PackageKind, SourcePackage};
use bulwark_model::scan::{ScanReport, ScanTarget, Summary, VulnFinding, SCHEMA_VERSION};
use bulwark_model::Tool;
use bulwark_vulndb::{Builder, Db, SourceKind};

/// The test data directory.
pub fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
}

/// Build a database in `dir` from data-relative inputs.
pub fn build(dir: &Path, inputs: &[(SourceKind, &str)]) -> Db {
    let path = dir.join("db.sqlite");
    let mut builder = Builder::create(&path).unwrap();
    for (i, (kind, rel)) in inputs.iter().enumerate() {
        let report = builder
            .import(&format!("{kind}-{i}"), *kind, &data().join(rel), rel)
            .unwrap();
        // The real tracker excerpt has one record (chromium-browser) in a shape the importer
        // skips; everything else must import cleanly.
        let allowed = usize::from(rel.contains("tracker-excerpt"));
        assert!(
            report.skipped.len() <= allowed,
            "{rel}: {:?}",
            report.skipped
        );
    }
    builder.finish().unwrap();
    Db::open(&path).unwrap()
}

/// Every test input.
pub fn all_inputs() -> Vec<(SourceKind, &'static str)> {
    vec![
        (SourceKind::Osv, "pypa"),
        (SourceKind::Osv, "ghsa"),
        (SourceKind::Osv, "go"),
        (SourceKind::Rustsec, "rustsec"),
        (SourceKind::DebianTracker, "debian/tracker-excerpt.json"),
        (SourceKind::DebianTracker, "debian/tracker-handmade.json"),
        (SourceKind::DebianDsa, "debian/DSA-list"),
        (SourceKind::AlpineSecdb, "alpine/v3.10-main.yaml"),
        (SourceKind::Osv, "rocky"),
        (SourceKind::RedhatVex, "redhat"),
        (SourceKind::Nvd, "enrich/nvd-page.json"),
        (SourceKind::Epss, "enrich/epss.csv"),
        (
            SourceKind::Kev,
            "enrich/known_exploited_vulnerabilities.json",
        ),
    ]
}

/// An inventory-only report.
pub fn report(distro: Option<Distro>, packages: Vec<Package>) -> ScanReport {
    ScanReport {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "bulwark".into(),
            version: "test".into(),
            information_uri: None,
        },
        created_at: "2024-01-01T00:00:00Z".into(),
        target: ScanTarget {
            name: "test".into(),
            source: "rootfs".into(),
            distro,
            ..ScanTarget::default()
        },
        database: None,
        packages,
        vulnerabilities: Vec::new(),
        licenses: Vec::new(),
        notices: Vec::new(),
        warnings: Vec::new(),
        summary: Summary::default(),
        timings: None,
    }
}

/// A distribution.
pub fn distro(id: &str, release: &str, eol: Option<&str>) -> Distro {
    Distro {
        id: id.into(),
        family: match id {
            "debian" | "ubuntu" => "debian",
            "alpine" => "alpine",
            _ => "redhat",
        }
        .into(),
        version_id: Some(release.into()),
        release: Some(release.into()),
        eol: eol.map(str::to_string),
        found_in: "/etc/os-release".into(),
        ..Distro::default()
    }
}

/// A package with a source package.
pub fn pkg(kind: PackageKind, name: &str, version: &str, source: Option<(&str, &str)>) -> Package {
    let mut p = Package::new(
        kind,
        name,
        version,
        format!("pkg:x/{name}@{version}"),
        "/db",
    );
    p.source = source.map(|(n, v)| SourcePackage {
        name: n.into(),
        version: Some(v.into()),
    });
    p
}

/// One line per finding: `id [aliases] pkg@ver status fixed severity(source) sources fixes`.
pub fn line(f: &VulnFinding) -> String {
    format!(
        "{} [{}] {}@{} {} [{}] {}({}) {{{}}} <{}>",
        f.id,
        f.aliases.join(","),
        f.package.name,
        f.package.version,
        f.status.as_str(),
        f.fixed_versions.join(","),
        f.severity,
        f.severity_source.as_deref().unwrap_or("-"),
        f.data_sources.join(","),
        f.fix_advisories.join(","),
    )
}

/// Lines of all findings.
pub fn lines(r: &ScanReport) -> Vec<String> {
    r.vulnerabilities.iter().map(line).collect()
}
