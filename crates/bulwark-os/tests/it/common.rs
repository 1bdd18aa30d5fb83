//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};

use bulwark_catalog::{catalog_memory_layers, CatalogSet, Inventory, Package};

/// Path of a fixture.
pub fn fixture_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Bytes of a fixture; `.gz` fixtures are decompressed.
pub fn fixture(rel: &str) -> Vec<u8> {
    let path = fixture_path(rel);
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if rel.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .expect("gunzip");
        out
    } else {
        raw
    }
}

/// A fixture's expected.json.
pub fn expected(rel: &str) -> serde_json::Value {
    serde_json::from_slice(&fixture(rel)).expect("expected json")
}

/// Catalogue owned in-memory layers with every cataloger of the crate.
pub fn run_layers(layers: &[Vec<(String, Vec<u8>)>]) -> Inventory {
    let set = CatalogSet::new(bulwark_os::catalogers());
    let borrowed: Vec<Vec<(&str, &[u8])>> = layers
        .iter()
        .map(|l| l.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect())
        .collect();
    catalog_memory_layers(&set, &borrowed)
}

/// Catalogue one layer.
pub fn run(files: &[(&str, Vec<u8>)]) -> Inventory {
    run_layers(&[files
        .iter()
        .map(|(p, d)| (p.to_string(), d.clone()))
        .collect()])
}

/// The single package named `name`.
pub fn pkg<'a>(inv: &'a Inventory, name: &str) -> &'a Package {
    let found: Vec<&Package> = inv.packages.iter().filter(|p| p.name == name).collect();
    assert_eq!(found.len(), 1, "exactly one package {name}");
    found[0]
}

/// A string field of a JSON object, or "".
pub fn s<'a>(v: &'a serde_json::Value, k: &str) -> &'a str {
    v.get(k).and_then(|x| x.as_str()).unwrap_or("")
}
