//! Golden JSON and SARIF reports for a few corpus files (`cargo insta review` to update), and
//! the rule catalogue document kept in sync with the code.

use std::path::PathBuf;

use bulwark_config::{audit, catalogue, Options};

fn report(path: &str) -> bulwark_report::Report {
    let o = Options {
        trusted_registries: vec!["docker.io".to_string()],
        ignore_file: Some(PathBuf::from("tests/corpus/empty.bulwarkignore.yaml")),
        ..Options::default()
    };
    let mut r = audit(&[PathBuf::from(path)], &o).unwrap().report;
    r.tool.version = "test".to_string();
    r
}

#[test]
fn golden_json_dockerfile() {
    insta::assert_snapshot!(bulwark_report::json::write(&report(
        "tests/corpus/dockerfile/ignored/Dockerfile"
    )));
}

#[test]
fn golden_sarif_dockerfile() {
    insta::assert_snapshot!(bulwark_report::sarif::write(&report(
        "tests/corpus/dockerfile/buildkit/Dockerfile"
    )));
}

#[test]
fn golden_json_daemon() {
    insta::assert_snapshot!(bulwark_report::json::write(&report(
        "tests/corpus/daemon/bad/daemon.json"
    )));
}

#[test]
fn golden_sarif_compose_suppressed() {
    insta::assert_snapshot!(bulwark_report::sarif::write(&report(
        "tests/corpus/compose/ignored/docker-compose.yaml"
    )));
}

#[test]
fn yaml_paths_in_findings() {
    let r = report("tests/corpus/kubernetes/bad/pod.yaml");
    let f = r
        .findings
        .iter()
        .find(|f| f.rule_id == "BW-K8S-007")
        .unwrap();
    assert_eq!(
        f.location.logical.as_deref(),
        Some("spec.containers[0].securityContext.privileged")
    );
    assert_eq!(
        (
            f.location.line,
            f.location.column,
            f.location.end_line,
            f.location.end_column
        ),
        (Some(17), Some(21), Some(17), Some(25))
    );
}

/// `docs/rules.md` is generated from the catalogue; `UPDATE_DOCS=1` rewrites it.
#[test]
fn docs_in_sync() {
    let path = PathBuf::from("../../docs/rules.md");
    let want = catalogue::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let got = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        got == want,
        "docs/rules.md is out of date: run UPDATE_DOCS=1 cargo test -p bulwark-config docs_in_sync"
    );
}

#[test]
fn catalogue_ids_unique_and_complete() {
    let mut ids: Vec<&str> = catalogue::RULES.iter().map(|r| r.id).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n);
    assert!(n >= 80, "{n}");
    for r in catalogue::RULES {
        assert!(
            !r.refs.is_empty() && !r.rationale.is_empty() && !r.remediation.is_empty(),
            "{}",
            r.id
        );
    }
}
