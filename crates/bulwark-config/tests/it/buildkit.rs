//! BuildKit's own parser tests (`frontend/dockerfile/parser/testfiles*`, Apache-2.0, see
//! `tests/buildkit/PROVENANCE.md`) as a conformance suite: Bulwark's parse tree, dumped in
//! BuildKit's `Node.Dump()` format, must equal each `result` file, and every negative case
//! must be rejected with an error naming a line.

use std::path::PathBuf;

use bulwark_config::dockerfile::{buildkit_dump, parse_strict};

fn dirs(root: &str) -> Vec<PathBuf> {
    let mut d: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    d.sort();
    d
}

#[test]
fn buildkit_positive_cases_match_result_files() {
    let cases = dirs("tests/buildkit/testfiles");
    assert_eq!(cases.len(), 33);
    let mut disagree = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
        let want = std::fs::read_to_string(dir.join("result")).unwrap();
        let got = parse_strict(&text).and_then(|df| buildkit_dump(&df));
        match got {
            Ok(g) if g == want => {}
            Ok(g) => {
                if std::env::var_os("BULWARK_DEBUG_BUILDKIT").is_some() {
                    eprintln!("== {name}\n--- want\n{want}--- got\n{g}");
                }
                disagree.push(name)
            }
            Err(e) => disagree.push(format!("{name} ({e})")),
        }
    }
    eprintln!(
        "BuildKit parser conformance: {}/{} agree",
        cases.len() - disagree.len(),
        cases.len()
    );
    let expected: [&str; 0] = [];
    assert_eq!(disagree, expected);
}

#[test]
fn buildkit_negative_cases_are_rejected_with_a_line() {
    let mut got = Vec::new();
    for dir in dirs("tests/buildkit/testfiles-negative") {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
        match parse_strict(&text) {
            Ok(_) => got.push(format!("{name}: accepted")),
            Err(e) => got.push(format!("{name}: {e}")),
        }
    }
    assert_eq!(
        got,
        [
            "empty_dockerfile: line 1: file with no instructions",
            "env_no_value: line 3: ENV must have two arguments",
            "only_comments: line 3: file with no instructions",
            "shykes-nested-json: line 1: when using JSON array syntax, arrays must be comprised of strings only",
        ]
    );
}
