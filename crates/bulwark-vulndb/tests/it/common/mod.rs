//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use bulwark_vulndb::{Builder, Db, ImportReport, SourceKind};

/// The fixtures directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// Build a database in `dir` from fixture-relative inputs; returns it and the import reports.
pub fn build(dir: &Path, inputs: &[(SourceKind, &str)]) -> (Db, Vec<ImportReport>) {
    let path = dir.join("db.sqlite");
    let mut builder = Builder::create(&path).unwrap();
    let mut reports = Vec::new();
    for (i, (kind, rel)) in inputs.iter().enumerate() {
        let p = fixtures().join(rel);
        reports.push(
            builder
                .import(&format!("{kind}-{i}"), *kind, &p, rel)
                .unwrap(),
        );
    }
    builder.finish().unwrap();
    (Db::open(&path).unwrap(), reports)
}

/// Events of a range as `kind:version` strings.
pub fn events(r: &bulwark_vulndb::Range) -> Vec<String> {
    r.events
        .iter()
        .map(|e| format!("{}:{}", e.kind(), e.version()))
        .collect()
}
