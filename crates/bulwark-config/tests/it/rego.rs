//! Custom Rego policies (Conftest conventions) through `bulwark_config::audit`.

use std::path::PathBuf;

use bulwark_config::{audit, Options};
use bulwark_model::Severity;

fn opts() -> Options {
    Options {
        policy_dirs: vec![PathBuf::from("tests/policies")],
        data_dirs: vec![PathBuf::from("tests/policy-data")],
        ignore_file: Some(PathBuf::from("tests/corpus/empty.bulwarkignore.yaml")),
        ..Options::default()
    }
}

fn rego_findings(path: &str) -> Vec<(String, Severity, u32, u32, String)> {
    let a = audit(&[PathBuf::from(path)], &opts()).unwrap();
    assert!(a.report.errors.is_empty(), "{:?}", a.report.errors);
    a.report
        .findings
        .iter()
        .filter(|f| f.properties.get("source").and_then(|s| s.as_str()) == Some("rego"))
        .map(|f| {
            (
                f.rule_id.clone(),
                f.severity,
                f.location.line.unwrap_or(0),
                f.location.column.unwrap_or(0),
                f.message.clone(),
            )
        })
        .collect()
}

#[test]
fn dockerfile_policies_v0_syntax() {
    let got = rego_findings("tests/corpus/dockerfile/bad-basic/Dockerfile");
    assert_eq!(
        got,
        vec![
            (
                "rego:main.deny".to_string(),
                Severity::High,
                1,
                1,
                "base image ubuntu is not allowed".to_string()
            ),
            (
                "rego:main.warn".to_string(),
                Severity::Medium,
                1,
                1,
                "line 10: prefer COPY of vendored artifacts over curl".to_string()
            ),
            (
                "rego:main.warn".to_string(),
                Severity::Medium,
                1,
                1,
                "line 12: prefer COPY of vendored artifacts over curl".to_string()
            ),
            (
                "ORG-DF-1".to_string(),
                Severity::Low,
                2,
                1,
                "MAINTAINER is not allowed".to_string()
            ),
        ]
    );
}

#[test]
fn kubernetes_policies_with_data_and_paths() {
    let got = rego_findings("tests/corpus/kubernetes/bad/pod.yaml");
    assert_eq!(
        got,
        vec![(
            "ORG-K8S-7".to_string(),
            Severity::High,
            15,
            14,
            "container app uses image nginx from a registry outside the allow list".to_string()
        )]
    );
    let got = rego_findings("tests/corpus/kubernetes/bad/workloads.yaml");
    assert_eq!(
        got,
        vec![(
            "rego:kubernetes.workloads.deny".to_string(),
            Severity::High,
            1,
            1,
            "Deployment web must set runAsNonRoot on the pod".to_string()
        )]
    );
    // The clean deployment passes the custom policies too.
    assert_eq!(
        rego_findings("tests/corpus/kubernetes/good/deployment.yaml"),
        vec![]
    );
}

#[test]
fn broken_policy_is_an_error() {
    let dir = std::env::temp_dir().join(format!("bw-rego-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("bad.rego"),
        "package main\ndeny[msg] {{ this is not rego",
    )
    .unwrap();
    let o = Options {
        policy_dirs: vec![dir.clone()],
        ..Options::default()
    };
    let err = audit(&[PathBuf::from("tests/corpus/daemon/good/daemon.json")], &o).unwrap_err();
    assert!(err.to_string().contains("bad.rego"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
