//! The oras Python SDK (pip `oras`) pushes artifacts with chunked uploads and a subject, pulls
//! them back bit for bit, and the referrers API lists the attached artifact.

use std::process::Command;

use crate::common::*;

fn oras(args: &[&str]) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/data/oras_client.py");
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "oras {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn oras_artifacts_and_referrers() {
    let ok = Command::new("python3")
        .args(["-c", "import oras.client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("BULWARK_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "the oras Python SDK is required (pip install oras)"
        );
        eprintln!("skipping: python3 -m pip install oras");
        return;
    }
    let r = reg();
    let base = r.base.as_str();
    let host = base.trim_start_matches("http://");
    project(base, "orp", false);
    user(base, "oras-dev", "oras-dev-pw");
    member(base, "orp", "oras-dev", "developer");
    let work = tempfile::tempdir().unwrap();
    let w = work.path().to_str().unwrap();
    // An artifact larger than one chunk, so the SDK's chunked upload is exercised.
    let payload: Vec<u8> = (0..20_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(work.path().join("payload.bin"), &payload).unwrap();
    oras(&[
        "push",
        host,
        "oras-dev",
        "oras-dev-pw",
        w,
        "v1",
        "payload.bin",
        "application/vnd.example.payload",
        "application/vnd.example.thing",
    ]);
    let head = send(
        base,
        "HEAD",
        "/v2/orp/app/manifests/v1",
        Some(&admin()),
        &[],
        b"",
    );
    assert_eq!(head.status, 200);
    let subject = head.h("docker-content-digest").unwrap().to_string();
    let size = head.h("content-length").unwrap().to_string();
    std::fs::write(work.path().join("sig.txt"), b"signed by the tests").unwrap();
    oras(&[
        "push",
        host,
        "oras-dev",
        "oras-dev-pw",
        w,
        "sig",
        "sig.txt",
        "application/vnd.example.sig.layer",
        "application/vnd.example.signature",
        &subject,
        &size,
    ]);
    let out = work.path().join("out");
    oras(&[
        "pull",
        host,
        "oras-dev",
        "oras-dev-pw",
        w,
        "v1",
        out.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(out.join("payload.bin")).unwrap(), payload);
    let refs = send(
        base,
        "GET",
        &format!("/v2/orp/app/referrers/{subject}"),
        Some(&admin()),
        &[],
        b"",
    )
    .json();
    let sig = send(
        base,
        "GET",
        "/v2/orp/app/manifests/sig",
        Some(&admin()),
        &[],
        b"",
    );
    let types: Vec<(String, String)> = refs["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["digest"].as_str().unwrap().to_string(),
                m["artifactType"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        types,
        vec![(
            digest(&sig.body),
            "application/vnd.example.signature".to_string()
        )]
    );
}
