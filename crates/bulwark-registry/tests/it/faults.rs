//! `kill -9` of a registry process in the middle of a chunked upload, then a restart on the
//! same root: the upload resumes from the offset the registry reports, and no partial or
//! unverified blob is ever served. The registry process is this test binary re-run as
//! `faults::child_server`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use bulwark_registry::Config;

use crate::common::*;

const CHILD_ENV: &str = "BWT_REGISTRY_CHILD_ROOT";

/// Not a test on its own: the registry process the fault test starts and kills.
#[test]
fn child_server() {
    let Ok(root) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut cfg = Config::new(root);
    cfg.admin_password = Some(ADMIN_PW.to_string());
    bulwark_registry::server::serve_blocking(cfg, "127.0.0.1:0", |addr| {
        println!("LISTEN {addr}");
        let _ = std::io::stdout().flush();
    })
    .expect("serve");
}

fn spawn(root: &Path) -> (Child, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "faults::child_server", "--nocapture"])
        .env(CHILD_ENV, root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("child output").unwrap();
        if let Some(a) = line.strip_prefix("LISTEN ") {
            break a.to_string();
        }
    };
    (child, format!("http://{addr}"))
}

/// Every stored blob's bytes hash to its name.
fn all_blobs_verified(root: &Path) -> usize {
    let mut n = 0;
    for d in std::fs::read_dir(root.join("blobs/sha256")).unwrap() {
        for f in std::fs::read_dir(d.unwrap().path()).unwrap() {
            let f = f.unwrap();
            let bytes = std::fs::read(f.path()).unwrap();
            assert_eq!(
                digest(&bytes),
                format!("sha256:{}", f.file_name().to_string_lossy()),
                "partial blob on disk"
            );
            n += 1;
        }
    }
    n
}

#[test]
fn kill_9_during_chunked_upload_then_resume() {
    let root = tempfile::tempdir().unwrap().keep();
    let (mut child, base) = spawn(&root);
    project(&base, "fault", false);
    let a = admin();
    let data: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let d = digest(&data);
    let s = send(
        &base,
        "POST",
        "/v2/fault/app/blobs/uploads/",
        Some(&a),
        &[],
        b"",
    );
    let loc = s.h("location").unwrap().to_string();
    assert_eq!(
        send(
            &base,
            "PATCH",
            &loc,
            Some(&a),
            &[("content-range", "0-49999")],
            &data[..50_000]
        )
        .status,
        202
    );
    // Half of the next chunk arrives, then the process dies.
    let host = base.trim_start_matches("http://");
    let mut sock = std::net::TcpStream::connect(host).unwrap();
    write!(
        sock,
        "PATCH {loc} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {a}\r\nContent-Range: 50000-149999\r\nContent-Length: 100000\r\n\r\n"
    )
    .unwrap();
    sock.write_all(&data[50_000..100_000]).unwrap();
    sock.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    drop(sock);
    all_blobs_verified(&root);

    let (mut child, base) = spawn(&root);
    // Nothing of the unfinished blob is visible.
    let g = send(
        &base,
        "GET",
        &format!("/v2/fault/app/blobs/{d}"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!((g.status, g.code().as_str()), (404, "BLOB_UNKNOWN"));
    // The session survived; its offset is what reached the disk.
    let st = send(&base, "GET", &loc, Some(&a), &[], b"");
    assert_eq!(st.status, 204);
    let end: usize = st
        .h("range")
        .unwrap()
        .split('-')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let offset = end + 1;
    assert!((50_000..=100_000).contains(&offset), "offset {offset}");
    let range = format!("{offset}-{}", data.len() - 1);
    assert_eq!(
        send(
            &base,
            "PATCH",
            &loc,
            Some(&a),
            &[("content-range", &range)],
            &data[offset..]
        )
        .status,
        202
    );
    let fin = send(
        &base,
        "PUT",
        &format!("{loc}?digest={d}"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(fin.status, 201, "{}", String::from_utf8_lossy(&fin.body));
    assert_eq!(
        send(
            &base,
            "GET",
            &format!("/v2/fault/app/blobs/{d}"),
            Some(&a),
            &[],
            b""
        )
        .body,
        data
    );
    assert_eq!(all_blobs_verified(&root), 1);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn kill_9_during_gc_loses_no_referenced_blob() {
    let root = tempfile::tempdir().unwrap().keep();
    let (mut child, base) = spawn(&root);
    project(&base, "gcf", false);
    let a = admin();
    let kept = push_image(&base, &a, "gcf/app", "v1", "kept");
    // Many unreferenced blobs, so the collection is still deleting when the process dies.
    for i in 0..400 {
        push_blob(&base, &a, "gcf/junk", format!("junk {i}").as_bytes());
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let gc_base = base.clone();
    let gc_auth = a.clone();
    let gc = std::thread::spawn(move || {
        let body = r#"{"grace_seconds":0}"#;
        send(
            &gc_base,
            "POST",
            "/api/v1/gc",
            Some(&gc_auth),
            &[("content-type", "application/json")],
            body.as_bytes(),
        )
    });
    // Kill as soon as files start to disappear: the links are gone, the deletes under way.
    let count = || {
        std::fs::read_dir(root.join("blobs/sha256"))
            .unwrap()
            .map(|d| std::fs::read_dir(d.unwrap().path()).map_or(0, |f| f.count()))
            .sum::<usize>()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while count() >= 403 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = gc.join();
    let left_after_kill = all_blobs_verified(&root);
    eprintln!("{left_after_kill} blob files on disk after kill -9 during GC (403 before)");

    let (mut child, base) = spawn(&root);
    // The image is whole: manifest, config and layer all served and verified.
    let m = send(&base, "GET", "/v2/gcf/app/manifests/v1", Some(&a), &[], b"");
    assert_eq!((m.status, digest(&m.body)), (200, kept.clone()));
    let man: serde_json::Value = serde_json::from_slice(&m.body).unwrap();
    for d in [
        man["config"]["digest"].as_str().unwrap(),
        man["layers"][0]["digest"].as_str().unwrap(),
    ] {
        let b = send(
            &base,
            "GET",
            &format!("/v2/gcf/app/blobs/{d}"),
            Some(&a),
            &[],
            b"",
        );
        assert_eq!((b.status, digest(&b.body)), (200, d.to_string()));
    }
    // A second run finishes the job: only the image's three blobs remain.
    let g = send(
        &base,
        "POST",
        "/api/v1/gc",
        Some(&a),
        &[("content-type", "application/json")],
        br#"{"grace_seconds":0}"#,
    );
    assert_eq!(g.status, 200);
    assert_eq!(
        all_blobs_verified(&root),
        3,
        "{left_after_kill} blobs were left after the kill"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
