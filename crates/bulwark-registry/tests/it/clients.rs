//! Real clients against the loopback registry: skopeo (copy, inspect, delete) and the Docker
//! Engine (login, push, pull). Images round-trip bit for bit. Missing tools skip the test,
//! unless `BULWARK_REQUIRE_TOOLS=1`, which makes them a failure.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::*;

/// Whether `tool --version` runs; panics under BULWARK_REQUIRE_TOOLS=1 when it does not.
fn have(tool: &str, args: &[&str]) -> bool {
    let ok = Command::new(tool)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("BULWARK_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{tool} is required (BULWARK_REQUIRE_TOOLS=1)"
        );
        eprintln!("skipping: {tool} is not available");
    }
    ok
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write_blob(layout: &Path, bytes: &[u8]) -> String {
    let d = digest(bytes);
    let dir = layout.join("blobs/sha256");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(&d[7..]), bytes).unwrap();
    d
}

/// An OCI image layout with one gzip'd tar layer; returns the manifest bytes.
fn make_layout(layout: &Path) -> Vec<u8> {
    let work = layout.with_extension("src");
    std::fs::create_dir_all(work.join("etc")).unwrap();
    std::fs::write(
        work.join("etc/hello"),
        b"hello from bulwark-registry tests\n",
    )
    .unwrap();
    let tar = work.with_extension("tar");
    run(Command::new("tar")
        .arg("-C")
        .arg(&work)
        .arg("--sort=name")
        .arg("--mtime=@0")
        .arg("--owner=0")
        .arg("--group=0")
        .arg("-cf")
        .arg(&tar)
        .arg("etc"));
    let tar_bytes = std::fs::read(&tar).unwrap();
    run(Command::new("gzip").arg("-n").arg("-f").arg(&tar));
    let gz = std::fs::read(tar.with_extension("tar.gz")).unwrap();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": { "type": "layers", "diff_ids": [digest(&tar_bytes)] }
    }))
    .unwrap();
    let cd = write_blob(layout, &config);
    let ld = write_blob(layout, &gz);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": { "mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": config.len() },
        "layers": [ { "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ld, "size": gz.len() } ]
    }))
    .unwrap();
    let md = write_blob(layout, &manifest);
    std::fs::write(
        layout.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [ { "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": manifest.len(),
                         "annotations": { "org.opencontainers.image.ref.name": "v1" } } ]
    });
    std::fs::write(layout.join("index.json"), index.to_string()).unwrap();
    manifest
}

#[test]
fn skopeo_copy_inspect_delete_round_trip() {
    if !have("skopeo", &["--version"]) {
        return;
    }
    let r = reg();
    let base = r.base.as_str();
    let host = base.trim_start_matches("http://");
    project(base, "sko", false);
    user(base, "sko-dev", "sko-dev-pw");
    member(base, "sko", "sko-dev", "developer");
    user(base, "sko-reader", "sko-reader-pw");
    member(base, "sko", "sko-reader", "reader");
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("layout");
    let manifest = make_layout(&layout);
    let md = digest(&manifest);
    let dest = format!("docker://{host}/sko/app:v1");
    let src = format!("oci:{}:v1", layout.display());
    // A reader may not push.
    let denied = Command::new("skopeo")
        .args([
            "copy",
            "--dest-tls-verify=false",
            "--dest-creds",
            "sko-reader:sko-reader-pw",
            &src,
            &dest,
        ])
        .output()
        .unwrap();
    assert!(!denied.status.success());
    run(Command::new("skopeo").args([
        "copy",
        "--dest-tls-verify=false",
        "--dest-creds",
        "sko-dev:sko-dev-pw",
        &src,
        &dest,
    ]));
    // The registry serves the manifest byte for byte.
    let raw = run(Command::new("skopeo").args([
        "inspect",
        "--raw",
        "--tls-verify=false",
        "--creds",
        "sko-reader:sko-reader-pw",
        &dest,
    ]));
    assert_eq!(raw.as_bytes(), manifest.as_slice());
    let info = run(Command::new("skopeo").args([
        "inspect",
        "--tls-verify=false",
        "--creds",
        "sko-reader:sko-reader-pw",
        &dest,
    ]));
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["Digest"], serde_json::json!(md));
    // Copy back: every blob identical.
    let back = tmp.path().join("back");
    run(Command::new("skopeo").args([
        "copy",
        "--src-tls-verify=false",
        "--src-creds",
        "sko-reader:sko-reader-pw",
        &dest,
        &format!("oci:{}:v1", back.display()),
    ]));
    for e in std::fs::read_dir(layout.join("blobs/sha256")).unwrap() {
        let e = e.unwrap();
        assert_eq!(
            std::fs::read(e.path()).unwrap(),
            std::fs::read(back.join("blobs/sha256").join(e.file_name())).unwrap()
        );
    }
    // Anonymous pull of a private project fails; delete needs the right role.
    let anon = Command::new("skopeo")
        .args([
            "inspect",
            "--raw",
            "--tls-verify=false",
            "--no-creds",
            &dest,
        ])
        .output()
        .unwrap();
    assert!(!anon.status.success());
    let by_digest = format!("docker://{host}/sko/app@{md}");
    let nodelete = Command::new("skopeo")
        .args([
            "delete",
            "--tls-verify=false",
            "--creds",
            "sko-dev:sko-dev-pw",
            &by_digest,
        ])
        .output()
        .unwrap();
    assert!(!nodelete.status.success());
    run(Command::new("skopeo").args([
        "delete",
        "--tls-verify=false",
        "--creds",
        &format!("admin:{ADMIN_PW}"),
        &by_digest,
    ]));
    assert_eq!(
        send(
            base,
            "GET",
            &format!("/v2/sko/app/manifests/{md}"),
            Some(&admin()),
            &[],
            b""
        )
        .status,
        404
    );
}

#[test]
fn docker_login_push_pull_round_trip() {
    if !have("docker", &["version"]) {
        return;
    }
    let r = reg();
    let base = r.base.as_str();
    let host = base.trim_start_matches("http://");
    project(base, "dock", false);
    user(base, "dock-dev", "dock-dev-pw");
    member(base, "dock", "dock-dev", "developer");
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::copy("/bin/busybox", ctx.join("busybox")).expect("busybox-static at /bin/busybox");
    let unique = format!(
        "bwt-reg16-{}-{}",
        std::process::id(),
        bulwark_registry::auth::random_hex(4)
    );
    // A file unique to this run: the engine's build cache would otherwise give the same image id
    // as an earlier run's image still tagged elsewhere, `docker rmi` would only untag, and the
    // pull below would find the manifest locally (HEAD only) instead of fetching it.
    std::fs::write(ctx.join("run-id"), &unique).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nCOPY run-id /run-id\nCMD [\"/bin/busybox\", \"true\"]\n",
    )
    .unwrap();
    let image = format!("{host}/dock/{unique}:v1");
    let cfg = tmp.path().join("docker-config");
    std::fs::create_dir_all(&cfg).unwrap();
    let docker = || {
        let mut c = Command::new("docker");
        c.env("DOCKER_CONFIG", &cfg);
        c
    };
    // Remove the image even when an assertion below fails, so no run leaves it behind.
    struct RemoveImage(String);
    impl Drop for RemoveImage {
        fn drop(&mut self) {
            let _ = Command::new("docker").args(["rmi", "-f", &self.0]).output();
        }
    }
    let _cleanup = RemoveImage(image.clone());
    run(docker().args(["build", "-q", "-t", &image]).arg(&ctx));
    let id_before = run(docker().args(["image", "inspect", "--format", "{{.Id}}", &image]));
    // Push without login: refused.
    let anon = docker().args(["push", &image]).output().unwrap();
    assert!(!anon.status.success());
    let mut login = docker()
        .args(["login", "-u", "dock-dev", "--password-stdin", host])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    login
        .stdin
        .take()
        .unwrap()
        .write_all(b"dock-dev-pw")
        .unwrap();
    let out = login.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "docker login: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pushed = run(docker().args(["push", &image]));
    let repo_digest = pushed
        .lines()
        .find_map(|l| l.split("digest: ").nth(1))
        .and_then(|s| s.split_whitespace().next())
        .unwrap()
        .to_string();
    run(docker().args(["rmi", &image]));
    run(docker().args(["pull", &image]));
    let id_after = run(docker().args(["image", "inspect", "--format", "{{.Id}}", &image]));
    assert_eq!(id_before, id_after);
    let m = send(
        base,
        "GET",
        &format!("/v2/dock/{unique}/manifests/v1"),
        Some(&admin()),
        &[],
        b"",
    );
    assert_eq!(m.h("docker-content-digest"), Some(repo_digest.as_str()));
    assert_eq!(digest(&m.body), repo_digest);
    let _ = docker().args(["rmi", &image]).output();
    // The audit log saw the login, the push and the pull.
    let log = String::from_utf8(send(base, "GET", "/api/v1/audit", Some(&admin()), &[], b"").body)
        .unwrap();
    for action in ["\"login\"", "\"push\"", "\"pull\""] {
        assert!(
            log.lines()
                .any(|l| l.contains("\"dock-dev\"") && l.contains(action)),
            "{action} missing from audit log"
        );
    }
}
