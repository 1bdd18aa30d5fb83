//! Never silent: files that are found but cannot be parsed are errors in the report (the
//! CLI exits non-zero on them), and Helm charts are rendered or reported as skipped.

use std::path::{Path, PathBuf};

use bulwark_config::{audit, Options};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bw-cfg20-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn opts() -> Options {
    Options {
        ignore_file: Some(PathBuf::from("tests/corpus/empty.bulwarkignore.yaml")),
        ..Options::default()
    }
}

fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn unparsable_found_files_are_errors() {
    let d = tmp("silent");
    write(
        &d.join("deploy/broken.yaml"),
        "apiVersion: v1\nkind: Pod\nspec: [\n",
    );
    write(
        &d.join("app/Dockerfile"),
        "FROM alpine:3.19\nENV ONLY_A_NAME\n",
    );
    write(&d.join("app/Dockerfile.empty"), "# nothing but a comment\n");
    let a = audit(std::slice::from_ref(&d), &opts()).unwrap();
    let mut errs: Vec<String> = a
        .report
        .errors
        .iter()
        .map(|e| {
            let f = e
                .file
                .strip_prefix(d.to_str().unwrap())
                .unwrap_or(&e.file)
                .to_string();
            let first = e.message.lines().next().unwrap_or("").to_string();
            format!("{f}: {}", first.split(" at ").next().unwrap_or(""))
        })
        .collect();
    errs.sort();
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert_eq!(
        errs[0],
        "/app/Dockerfile.empty: parse error: line 1: file with no instructions"
    );
    assert_eq!(
        errs[1],
        "/app/Dockerfile: parse error: line 2: ENV must have two arguments"
    );
    assert!(
        errs[2].starts_with("/deploy/broken.yaml: parse error: "),
        "{errs:?}"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn helm_charts_rendered_or_reported_skipped() {
    let d = tmp("helm");
    let chart = d.join("chart");
    write(
        &chart.join("Chart.yaml"),
        "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    );
    write(
        &chart.join("templates/pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n",
    );
    // No helm on the PATH: a warning, not a parse error per template.
    let empty = d.join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    std::env::set_var("PATH", &empty);
    let a = audit(std::slice::from_ref(&chart), &opts()).unwrap();
    assert!(a.report.errors.is_empty(), "{:?}", a.report.errors);
    assert_eq!(a.warnings.len(), 1);
    assert!(
        a.warnings[0].contains("Helm chart templates skipped"),
        "{:?}",
        a.warnings
    );
    // A `helm` on the PATH renders the chart (a stand-in script that prints a manifest).
    let bin = d.join("bin");
    write(
        &bin.join("helm"),
        "#!/bin/sh\ncat <<'EOF'\n---\n# Source: demo/templates/pod.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: bulwark-audit\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n      securityContext:\n        privileged: true\nEOF\n",
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("helm"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::env::set_var("PATH", format!("{}:/usr/bin:/bin", bin.display()));
    let a = audit(std::slice::from_ref(&chart), &opts()).unwrap();
    assert!(a.report.errors.is_empty(), "{:?}", a.report.errors);
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(
        a.report.targets,
        [format!("{} (helm template)", chart.display())]
    );
    let privileged: Vec<Option<u32>> = a
        .report
        .findings
        .iter()
        .filter(|f| f.rule_id == "BW-K8S-007")
        .map(|f| f.location.line)
        .collect();
    assert_eq!(privileged, [Some(12)]);
    std::fs::remove_dir_all(&d).unwrap();
}
