//! The demo image and the demo advisory database, built once per test binary.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use bulwark_vulndb::{Builder, Db, SourceKind};
use serde_json::Value;

/// The workspace root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The demo image as a TARGET.
pub fn demo() -> String {
    format!(
        "docker-archive:{}",
        repo().join("examples/demo/demo-image.tar").display()
    )
}

/// The demo database (`examples/demo/advisories`), built once per test process with the
/// sources `bulwark db build` would name the same way.
pub fn db_path() -> &'static Path {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("demo.sqlite");
        let adv = repo().join("examples/demo/advisories");
        let mut builder = Builder::create(&path).expect("create database");
        for (name, kind, input) in [
            ("osv:pypa", SourceKind::Osv, adv.join("pypa")),
            ("rustsec:rustsec", SourceKind::Rustsec, adv.join("rustsec")),
            (
                "debian-tracker:tracker.json",
                SourceKind::DebianTracker,
                adv.join("debian/tracker.json"),
            ),
        ] {
            builder
                .import(name, kind, &input, &input.display().to_string())
                .expect("import demo advisories");
        }
        builder.finish().expect("finish database");
        (dir, path)
    });
    path
}

/// A fresh connection to the demo database.
pub fn db() -> Db {
    Db::open(db_path()).expect("open demo database")
}

/// One line per finding, as the CLI's `demo_findings` golden writes them.
pub fn finding_lines(report: &Value) -> Vec<String> {
    report["vulnerabilities"]
        .as_array()
        .expect("vulnerabilities")
        .iter()
        .map(|v| {
            let fixed: Vec<&str> = v["fixed_versions"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let supp = v["suppression"]["kind"].as_str().unwrap_or("-");
            format!(
                "{} {}@{} [{}] fixed={} {} {} layer={} supp={}",
                v["id"].as_str().unwrap_or("?"),
                v["package"]["name"].as_str().unwrap_or("?"),
                v["package"]["version"].as_str().unwrap_or("?"),
                v["package"]["kind"].as_str().unwrap_or("?"),
                fixed.join(","),
                v["status"].as_str().unwrap_or("?"),
                v["origin"].as_str().unwrap_or("?"),
                v["layer"]["index"],
                supp
            )
        })
        .collect()
}

/// The body of an insta snapshot file (after its `---` header).
pub fn snapshot_body(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("read snapshot");
    let mut parts = text.splitn(3, "---\n");
    parts.next();
    parts.next();
    parts.next().expect("snapshot body").trim_end().to_string()
}
