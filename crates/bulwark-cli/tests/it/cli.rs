//! End-to-end checks of the `bulwark` binary on the demo image kept in the repository.

use std::process::Command;

use crate::common::{bulwark, demo, repo};

#[test]
fn inspect_json_describes_the_demo_image() {
    let (code, out, err) = bulwark(&["-q", "inspect", "--format", "json", &demo()]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["source"], "docker-archive");
    assert_eq!(v["names"], serde_json::json!(["bulwark-demo/app:1"]));
    assert_eq!(v["verified"], true);
    assert_eq!(v["platform"]["os"], "linux");
    let layers = v["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    assert_eq!(layers[0]["is_base"], true);
    assert_eq!(layers[1]["is_base"], false);
    assert!(layers[1]["created_by"]
        .as_str()
        .unwrap()
        .contains("COPY dir:"));
    assert_eq!(v["base"]["name"], "bulwark-demo/base:1");
    assert_eq!(v["base"]["evidence"], "annotation");
    assert_eq!(
        v["config"]["config"]["ExposedPorts"],
        serde_json::json!({"8080/tcp": {}})
    );
    assert_eq!(v["layer_stats"][0]["entries"], 10);
    assert_eq!(v["files"], 14);
    // The config digest is the sha256 of the config document, as docker names it.
    assert_eq!(
        v["config_digest"],
        "sha256:89a379b7d13a1347e4ccb1567b5355c4789f5d9ccc2fba68b37b45158e32938b"
    );
}

#[test]
fn sbom_json_lists_os_and_language_packages() {
    let (code, out, err) = bulwark(&["-q", "sbom", "--format", "json", &demo()]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["distro"]["id"], "debian");
    assert_eq!(v["distro"]["version_id"], "12");
    assert_eq!(v["distro"]["codename"], "bookworm");
    let pkgs = v["packages"].as_array().unwrap();
    let count = |kind: &str| pkgs.iter().filter(|p| p["kind"] == kind).count();
    // 88 installed packages, as `dpkg-query -W` reports on the same status file.
    assert_eq!(count("deb"), 88);
    assert_eq!(count("python"), 4);
    let find = |name: &str| {
        pkgs.iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    let bash = find("bash");
    assert_eq!(bash["version"], "5.2.15-2+b13");
    assert_eq!(bash["layer"], 0);
    assert_eq!(
        bash["purl"],
        "pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12"
    );
    let django = find("django");
    assert_eq!(django["version"], "3.2.0");
    assert_eq!(django["layer"], 1);
    assert_eq!(django["found_in"], "/app/requirements.txt");
}

#[test]
fn errors_exit_with_code_2_and_name_the_input() {
    let (code, _, err) = bulwark(&["inspect", "docker-archive:/nonexistent/image.tar"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/image.tar"), "{err}");

    // A tar that is not an image.
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("bogus.tar");
    let status = Command::new("tar")
        .arg("-cf")
        .arg(&bogus)
        .arg("-C")
        .arg(repo())
        .arg("README.md")
        .status()
        .unwrap();
    assert!(status.success());
    let (code, _, err) = bulwark(&["inspect", &format!("docker-archive:{}", bogus.display())]);
    assert_eq!(code, 2);
    assert!(err.contains("not a docker save archive"), "{err}");

    // Unknown target kinds.
    let (code, _, err) = bulwark(&["inspect", "/no/such/thing"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot tell what"), "{err}");
}

#[test]
fn rootfs_targets_are_walked_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for d in ["etc", "usr/lib", "var/lib/dpkg", "bin"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(
        root.join("usr/lib/os-release"),
        "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("../usr/lib/os-release", root.join("etc/os-release")).unwrap();
    std::fs::copy(
        repo().join("examples/demo/base/var/lib/dpkg/status"),
        root.join("var/lib/dpkg/status"),
    )
    .unwrap();
    let (code, out, err) = bulwark(&["-q", "sbom", "--format", "json", root.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["image"]["source"], "rootfs");
    assert_eq!(v["distro"]["codename"], "bookworm");
    assert_eq!(
        v["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["kind"] == "deb")
            .count(),
        88
    );
}

/// `bulwark ... | head`: when the reader of standard output goes away, bulwark stops quietly
/// with success instead of printing an I/O error and exiting 2.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .args(["sbom", "--format", "json", "--files", &demo()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bulwark");
    // Close the read end before bulwark writes anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for bulwark");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("error"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// The TARGET syntax is a table in `--help`, one prefix per line (clap folds doc comments into
/// paragraphs unless told not to).
#[test]
fn help_lists_targets_one_per_line() {
    let (code, out, err) = bulwark(&["--help"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    for prefix in [
        "docker-archive:PATH ",
        "oci:PATH[:TAG|@DIGEST] ",
        "docker:NAME ",
        "registry:HOST/REPO[:TAG|@DIGEST] ",
        "rootfs:DIR ",
        "fs:DIR ",
        "sbom:FILE ",
    ] {
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.trim_start().starts_with(prefix))
                .count(),
            1,
            "{prefix} on a line of its own:\n{out}"
        );
    }
    // `-h` keeps the one-line summary.
    let (code, out, _) = bulwark(&["-h"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Bulwark: find what is inside container images"),
        "{out}"
    );
}

/// `bulwark host` (issue 13): exit codes, selection and the JSON shape on the real engine.
#[test]
fn host_audit_selects_checks_and_sets_exit_codes() {
    let (code, _, err) = bulwark(&[
        "-q",
        "host",
        "--docker-host",
        "unix:///nonexistent/bulwark.sock",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot connect to the Docker daemon"), "{err}");
    if !crate::common::tool_works("docker", &["version"]) {
        crate::common::skip("docker engine not available");
        return;
    }
    let run = |trust: Option<&str>, args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bulwark"));
        cmd.args(args).env_remove("DOCKER_CONTENT_TRUST");
        if let Some(t) = trust {
            cmd.env("DOCKER_CONTENT_TRUST", t);
        }
        let o = cmd.output().expect("running bulwark");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let args = [
        "-q",
        "host",
        "--check",
        "4.5",
        "--format",
        "json",
        "--exit-code",
        "3",
    ];
    let (code, out) = run(None, &args);
    assert_eq!(code, 3);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["benchmark"], "CIS Docker Benchmark v1.6.0");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["id"], "4.5");
    assert_eq!(results[0]["result"], "WARN");
    assert_eq!(
        results[0]["evidence"],
        serde_json::json!(["DOCKER_CONTENT_TRUST not set"])
    );
    let (code, out) = run(Some("1"), &args);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["results"][0]["result"], "PASS");
    assert_eq!(v["summary"]["score"], 1);
    // Sections select whole groups: section 6 is exactly 6.1 and 6.2.
    let (code, out) = run(None, &["-q", "host", "--section", "6", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["6.1", "6.2"]);
    let (code, _) = run(
        None,
        &["-q", "host", "--container", "bwt-host13-no-such-container"],
    );
    assert_eq!(code, 2);
}
