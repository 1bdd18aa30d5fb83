//! cargo-auditable data against the reference: a tiny crate with two crates.io dependencies and a
//! build dependency, built here with `cargo auditable build` (CI: `cargo install cargo-auditable
//! --locked`), compared with the `Cargo.lock` cargo wrote for it.

use std::path::Path;
use std::process::Command;

use bulwark_binary::rust_audit;
use bulwark_catalog::{catalog_memory_files, CatalogSet, PackageKind, Relationship};

fn write_crate(dir: &Path) {
    std::fs::create_dir_all(dir.join("src")).expect("mkdir");
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"hello-audit\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nitoa = \"1\"\nfnv = \"1\"\n\n[build-dependencies]\nautocfg = \"1\"\n\n[workspace]\n",
    )
    .expect("write Cargo.toml");
    std::fs::write(
        dir.join("src/main.rs"),
        "fn main() {\n    let mut b = itoa::Buffer::new();\n    let mut m = fnv::FnvHashMap::default();\n    m.insert(1, 2);\n    println!(\"{} {}\", b.format(42), m.len());\n}\n",
    )
    .expect("write main.rs");
    std::fs::write(
        dir.join("build.rs"),
        "fn main() {\n    let _ = autocfg::new();\n}\n",
    )
    .expect("write build.rs");
}

/// `(name, version, source)` of each `[[package]]` in a Cargo.lock.
fn lock_packages(lock: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
                .map(|v| v.trim_end_matches('"').to_string())
                .unwrap_or_default()
        };
        out.push((field("name"), field("version"), field("source")));
    }
    out
}

#[test]
fn cargo_auditable_binary_matches_cargo_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_crate(dir.path());
    let target = dir.path().join("target");
    let out = Command::new("cargo")
        .current_dir(dir.path())
        .env_remove("RUSTFLAGS")
        .env("CARGO_TARGET_DIR", &target)
        .args(["auditable", "build", "--quiet"])
        .output()
        .expect("cannot run cargo");
    assert!(
        out.status.success(),
        "cargo auditable build failed (CI must run `cargo install cargo-auditable --locked`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = std::fs::read(target.join("debug/hello-audit")).expect("read binary");

    let lock = std::fs::read_to_string(dir.path().join("Cargo.lock")).expect("Cargo.lock");
    let mut expected: Vec<(String, String)> = lock_packages(&lock)
        .into_iter()
        .filter(|(name, _, source)| {
            name == "hello-audit" || source.contains("github.com/rust-lang/crates.io-index")
        })
        .map(|(n, v, _)| (n, v))
        .collect();
    expected.sort();
    assert_eq!(expected.len(), 4, "{expected:?}");

    // The raw list: every locked crate, build dependency marked as such.
    let raw = rust_audit::audit_data(&data)
        .expect("decode")
        .expect("a .dep-v0 section");
    let autocfg = raw.iter().find(|p| p.name == "autocfg").expect("autocfg");
    assert_eq!(autocfg.kind, "build");
    assert_eq!(autocfg.source, "crates.io");

    let set = CatalogSet::new(bulwark_binary::catalogers());
    let inv = catalog_memory_files(&set, &[("/usr/local/bin/hello-audit", &data)]);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let mut got: Vec<(String, String)> = inv
        .packages
        .iter()
        .map(|p| {
            assert_eq!(p.kind, PackageKind::Cargo);
            assert_eq!(p.purl, format!("pkg:cargo/{}@{}", p.name, p.version));
            (p.name.clone(), p.version.clone())
        })
        .collect();
    got.sort();
    assert_eq!(got, expected);

    let root = inv
        .packages
        .iter()
        .find(|p| p.name == "hello-audit")
        .expect("root");
    assert_eq!(root.relationship, Some(Relationship::Root));
    let mut deps: Vec<String> = expected
        .iter()
        .filter(|(n, _)| n != "hello-audit")
        .map(|(n, v)| format!("{n}@{v}"))
        .collect();
    deps.sort();
    assert_eq!(root.depends_on, deps);
}
