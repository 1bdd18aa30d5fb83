//! The README's Layout table is the crate dependency graph: every crate is listed, and every
//! crate's (normal) dependencies on other workspace crates are listed below it.

use crate::common::repo;

/// Crate names in the README's Layout table, top first.
fn layout() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("read README.md");
    let section = readme
        .split("## Layout")
        .nth(1)
        .expect("README has a Layout section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `bulwark-"))
        .filter_map(|l| l.split('`').next())
        .map(|n| format!("bulwark-{n}"))
        .collect()
}

/// The workspace crates `name` depends on in its `[dependencies]` table.
fn deps(name: &str) -> Vec<String> {
    let path = repo().join("crates").join(name).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).expect("read Cargo.toml");
    let mut in_deps = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('[') {
            in_deps = line.trim() == "[dependencies]";
            continue;
        }
        if in_deps && line.starts_with("bulwark-") {
            let dep: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            out.push(dep);
        }
    }
    out
}

#[test]
fn readme_layout_lists_every_crate_above_its_dependencies() {
    let table = layout();
    let mut crates: Vec<String> = std::fs::read_dir(repo().join("crates"))
        .expect("crates/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    crates.sort();
    let mut listed = table.clone();
    listed.sort();
    assert_eq!(listed, crates, "README Layout table vs crates/");
    for (i, name) in table.iter().enumerate() {
        for dep in deps(name) {
            let at = table.iter().position(|n| *n == dep);
            assert!(
                at.is_some_and(|at| at > i),
                "{name} depends on {dep}, which the README lists above it (or not at all)"
            );
        }
    }
}
