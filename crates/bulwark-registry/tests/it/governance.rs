//! Quotas (shared blobs counted once), immutable tags, retention (dry run first) and online
//! garbage collection that keeps everything a manifest or a young upload references.

use std::collections::BTreeSet;

use serde_json::json;

use crate::common::*;

fn put_json(base: &str, method: &str, path: &str, body: serde_json::Value) -> Resp {
    send(
        base,
        method,
        path,
        Some(&admin()),
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    )
}

fn push_manifest(
    base: &str,
    repo: &str,
    tag: &str,
    config: &[u8],
    layers: &[&[u8]],
) -> (u16, String) {
    let m = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": { "mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(config), "size": config.len() },
        "layers": layers.iter().map(|l| json!({ "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest(l), "size": l.len() })).collect::<Vec<_>>()
    }))
    .unwrap();
    let r = send(
        base,
        "PUT",
        &format!("/v2/{repo}/manifests/{tag}"),
        Some(&admin()),
        &[("content-type", "application/vnd.oci.image.manifest.v1+json")],
        &m,
    );
    (r.status, digest(&m))
}

#[test]
fn quota_counts_shared_blobs_once() {
    let base = reg().base.as_str();
    project(base, "quo", false);
    assert_eq!(
        put_json(
            base,
            "PUT",
            "/api/v1/projects/quo/rules",
            json!({ "quota_bytes": 150 })
        )
        .status,
        200
    );
    let a = vec![b'a'; 100];
    push_blob(base, &admin(), "quo/one", &a);
    // The same blob in a second repository of the project costs nothing.
    push_blob(base, &admin(), "quo/two", &a);
    let d = digest(&a);
    assert_eq!(
        send(
            base,
            "POST",
            &format!("/v2/quo/three/blobs/uploads/?mount={d}&from=quo/one"),
            Some(&admin()),
            &[],
            b""
        )
        .status,
        201
    );
    let u = send(
        base,
        "GET",
        "/api/v1/projects/quo/usage",
        Some(&admin()),
        &[],
        b"",
    );
    assert_eq!(
        u.json(),
        json!({ "project": "quo", "quota_bytes": 150, "used_bytes": 100 })
    );
    // A new 100-byte blob would exceed it.
    let b = vec![b'b'; 100];
    let r = send(
        base,
        "POST",
        &format!("/v2/quo/one/blobs/uploads/?digest={}", digest(&b)),
        Some(&admin()),
        &[],
        &b,
    );
    assert_eq!((r.status, r.code().as_str()), (403, "DENIED"));
    assert_eq!(
        send(
            base,
            "GET",
            "/api/v1/projects/quo/usage",
            Some(&admin()),
            &[],
            b""
        )
        .json()["used_bytes"],
        json!(100)
    );
    assert_eq!(
        send(
            base,
            "GET",
            &format!("/v2/quo/one/blobs/{}", digest(&b)),
            Some(&admin()),
            &[],
            b""
        )
        .status,
        404
    );
}

#[test]
fn immutable_tags_cannot_move_or_go() {
    let base = reg().base.as_str();
    project(base, "imm", false);
    assert_eq!(
        put_json(
            base,
            "PUT",
            "/api/v1/projects/imm/rules",
            json!({ "immutable_tags": ["v*"] })
        )
        .status,
        200
    );
    let (c1, c2, l) = (
        b"{\"c\":1}".to_vec(),
        b"{\"c\":2}".to_vec(),
        b"layer".to_vec(),
    );
    for b in [&c1, &c2, &l] {
        push_blob(base, &admin(), "imm/app", b);
    }
    let (s, d1) = push_manifest(base, "imm/app", "v1", &c1, &[&l]);
    assert_eq!(s, 201);
    assert_eq!(
        push_manifest(base, "imm/app", "v1", &c1, &[&l]).0,
        201,
        "same content again is fine"
    );
    let r = push_manifest(base, "imm/app", "v1", &c2, &[&l]);
    assert_eq!(r.0, 403);
    assert_eq!(
        send(
            base,
            "GET",
            "/v2/imm/app/manifests/v1",
            Some(&admin()),
            &[],
            b""
        )
        .h("docker-content-digest"),
        Some(d1.as_str())
    );
    assert_eq!(push_manifest(base, "imm/app", "latest", &c1, &[&l]).0, 201);
    assert_eq!(
        push_manifest(base, "imm/app", "latest", &c2, &[&l]).0,
        201,
        "other tags move"
    );
    assert_eq!(
        send(
            base,
            "DELETE",
            "/v2/imm/app/manifests/v1",
            Some(&admin()),
            &[],
            b""
        )
        .status,
        403
    );
    assert_eq!(
        send(
            base,
            "DELETE",
            &format!("/v2/imm/app/manifests/{d1}"),
            Some(&admin()),
            &[],
            b""
        )
        .status,
        403
    );
    assert_eq!(
        send(
            base,
            "DELETE",
            "/v2/imm/app/manifests/latest",
            Some(&admin()),
            &[],
            b""
        )
        .status,
        202
    );
}

#[test]
fn retention_dry_run_then_apply() {
    let r = reg();
    let base = r.base.as_str();
    project(base, "ret", false);
    for t in ["t1", "t2", "t3", "t4"] {
        push_image(base, &admin(), "ret/app", t, t);
    }
    let db = rusqlite::Connection::open(r.root.join("registry.db")).unwrap();
    for (i, t) in ["t1", "t2", "t3", "t4"].iter().enumerate() {
        db.execute(
            "UPDATE tags SET updated = ?1 WHERE repo = 'ret/app' AND tag = ?2",
            rusqlite::params![1000 + i as i64, t],
        )
        .unwrap();
    }
    let dry = put_json(
        base,
        "POST",
        "/api/v1/projects/ret/retention",
        json!({ "keep_last": 2 }),
    );
    let tags = |v: &serde_json::Value| {
        v["expired"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["tag"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        (dry.json()["dry_run"].clone(), tags(&dry.json())),
        (json!(true), vec!["t2".to_string(), "t1".to_string()])
    );
    assert_eq!(
        send(
            base,
            "GET",
            "/v2/ret/app/tags/list",
            Some(&admin()),
            &[],
            b""
        )
        .json()["tags"],
        json!(["t1", "t2", "t3", "t4"])
    );
    let applied = put_json(
        base,
        "POST",
        "/api/v1/projects/ret/retention",
        json!({ "keep_last": 2, "dry_run": false }),
    );
    assert_eq!(
        tags(&applied.json()),
        vec!["t2".to_string(), "t1".to_string()]
    );
    assert_eq!(
        send(
            base,
            "GET",
            "/v2/ret/app/tags/list",
            Some(&admin()),
            &[],
            b""
        )
        .json()["tags"],
        json!(["t3", "t4"])
    );
}

#[test]
fn online_gc_keeps_referenced_and_young_blobs() {
    let r = reg();
    let base = r.base.as_str();
    project(base, "gcp", false);
    let (ca, cb, shared, la, lone) = (
        b"{\"a\":1}".to_vec(),
        b"{\"b\":1}".to_vec(),
        b"shared layer".to_vec(),
        b"layer of a".to_vec(),
        b"in flight".to_vec(),
    );
    for b in [&ca, &cb, &shared, &la, &lone] {
        push_blob(base, &admin(), "gcp/app", b);
    }
    let (s, da) = push_manifest(base, "gcp/app", "a", &ca, &[&shared, &la]);
    assert_eq!(s, 201);
    let (s, _db) = push_manifest(base, "gcp/app", "b", &cb, &[&shared]);
    assert_eq!(s, 201);
    assert_eq!(
        send(
            base,
            "DELETE",
            &format!("/v2/gcp/app/manifests/{da}"),
            Some(&admin()),
            &[],
            b""
        )
        .status,
        202
    );
    // Within the grace period nothing goes (the lone blob could be an upload in progress).
    let g = put_json(base, "POST", "/api/v1/gc", json!({ "grace_seconds": 3600 }));
    assert_eq!(
        g.json(),
        json!({ "dry_run": false, "unlinked": [], "deleted": [], "freed_bytes": 0, "stale_uploads": [] })
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let expect: BTreeSet<String> = [digest(&ca), digest(&la), digest(&lone)]
        .into_iter()
        .collect();
    let expect_deleted: BTreeSet<String> = expect.iter().cloned().chain([da.clone()]).collect();
    let set = |v: &serde_json::Value, k: &str| {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect::<BTreeSet<_>>()
    };
    let dry = put_json(
        base,
        "POST",
        "/api/v1/gc",
        json!({ "grace_seconds": 0, "dry_run": true }),
    )
    .json();
    assert_eq!(set(&dry, "deleted"), expect_deleted);
    assert_eq!(
        set(&dry, "unlinked"),
        expect.iter().map(|d| format!("gcp/app@{d}")).collect()
    );
    assert_eq!(
        send(
            base,
            "GET",
            &format!("/v2/gcp/app/blobs/{}", digest(&la)),
            Some(&admin()),
            &[],
            b""
        )
        .status,
        200,
        "dry run changed nothing"
    );
    let real = put_json(base, "POST", "/api/v1/gc", json!({ "grace_seconds": 0 })).json();
    assert_eq!(set(&real, "deleted"), expect_deleted);
    // Image b is whole; the rest is gone from the API and from the disk.
    let m = send(
        base,
        "GET",
        "/v2/gcp/app/manifests/b",
        Some(&admin()),
        &[],
        b"",
    );
    assert_eq!(m.status, 200);
    for b in [&cb, &shared] {
        assert_eq!(
            &send(
                base,
                "GET",
                &format!("/v2/gcp/app/blobs/{}", digest(b)),
                Some(&admin()),
                &[],
                b""
            )
            .body,
            b
        );
    }
    for d in &expect_deleted {
        assert!(
            !r.root
                .join("blobs/sha256")
                .join(&d[7..9])
                .join(&d[7..])
                .exists(),
            "{d} still on disk"
        );
    }
    assert_eq!(
        send(
            base,
            "GET",
            &format!("/v2/gcp/app/blobs/{}", digest(&lone)),
            Some(&admin()),
            &[],
            b""
        )
        .status,
        404
    );
    // An upload session abandoned for more than a week is removed; a fresh one stays.
    let old = send(
        base,
        "POST",
        "/v2/gcp/app/blobs/uploads/",
        Some(&admin()),
        &[],
        b"",
    );
    let fresh = send(
        base,
        "POST",
        "/v2/gcp/app/blobs/uploads/",
        Some(&admin()),
        &[],
        b"",
    );
    let old_id = old.h("docker-upload-uuid").unwrap().to_string();
    let db = rusqlite::Connection::open(r.root.join("registry.db")).unwrap();
    db.execute("UPDATE uploads SET started = 1 WHERE id = ?1", [&old_id])
        .unwrap();
    let g = put_json(base, "POST", "/api/v1/gc", json!({ "grace_seconds": 3600 })).json();
    assert_eq!(g["stale_uploads"], json!([old_id]));
    assert_eq!(
        send(
            base,
            "GET",
            old.h("location").unwrap(),
            Some(&admin()),
            &[],
            b""
        )
        .status,
        404
    );
    assert!(!r.root.join("uploads").join(&old_id).exists());
    assert_eq!(
        send(
            base,
            "GET",
            fresh.h("location").unwrap(),
            Some(&admin()),
            &[],
            b""
        )
        .status,
        204
    );
}
