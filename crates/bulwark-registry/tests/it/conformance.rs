//! The OCI Distribution 1.1 conformance cases (pull, push, content discovery, content
//! management), one test per endpoint family, with the spec's status codes and error codes.

use crate::common::*;

fn setup(project_name: &str) -> (&'static str, String) {
    let r = reg();
    project(&r.base, project_name, false);
    (r.base.as_str(), admin())
}

#[test]
fn base_endpoint_challenges_and_accepts() {
    let r = reg();
    let a = send(&r.base, "GET", "/v2/", None, &[], b"");
    assert_eq!(a.status, 401);
    assert_eq!(a.code(), "UNAUTHORIZED");
    let host = r.base.trim_start_matches("http://");
    assert_eq!(
        a.h("www-authenticate"),
        Some(format!("Bearer realm=\"http://{host}/token\",service=\"bulwark-registry\"").as_str())
    );
    assert_eq!(a.h("docker-distribution-api-version"), Some("registry/2.0"));
    let b = send(&r.base, "GET", "/v2/", Some(&admin()), &[], b"");
    assert_eq!(b.status, 200);
    let c = send(
        &r.base,
        "GET",
        "/v2/",
        Some(&basic("admin", "wrong")),
        &[],
        b"",
    );
    assert_eq!(c.status, 401);
}

#[test]
fn monolithic_upload_and_blob_pull() {
    let (base, a) = setup("mono");
    let blob = b"hello blob".to_vec();
    let d = digest(&blob);
    let r = send(
        base,
        "POST",
        &format!("/v2/mono/app/blobs/uploads/?digest={d}"),
        Some(&a),
        &[],
        &blob,
    );
    assert_eq!(r.status, 201);
    assert_eq!(
        r.h("location"),
        Some(format!("/v2/mono/app/blobs/{d}").as_str())
    );
    assert_eq!(r.h("docker-content-digest"), Some(d.as_str()));
    // POST then PUT with the whole body.
    let blob2 = b"second blob".to_vec();
    let d2 = digest(&blob2);
    let s = send(
        base,
        "POST",
        "/v2/mono/app/blobs/uploads/",
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(s.status, 202);
    let loc = s.h("location").unwrap().to_string();
    let p = send(
        base,
        "PUT",
        &format!("{loc}?digest={d2}"),
        Some(&a),
        &[("content-type", "application/octet-stream")],
        &blob2,
    );
    assert_eq!(p.status, 201);
    // HEAD and GET.
    let h = send(
        base,
        "HEAD",
        &format!("/v2/mono/app/blobs/{d}"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(
        (
            h.status,
            h.h("content-length"),
            h.h("docker-content-digest")
        ),
        (200, Some("10"), Some(d.as_str()))
    );
    assert!(h.body.is_empty());
    let g = send(
        base,
        "GET",
        &format!("/v2/mono/app/blobs/{d2}"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!((g.status, g.body.as_slice()), (200, blob2.as_slice()));
    // Range requests.
    let rg = send(
        base,
        "GET",
        &format!("/v2/mono/app/blobs/{d}"),
        Some(&a),
        &[("range", "bytes=2-5")],
        b"",
    );
    assert_eq!(
        (rg.status, rg.body.as_slice(), rg.h("content-range")),
        (206, &b"llo "[..], Some("bytes 2-5/10"))
    );
    let bad = send(
        base,
        "GET",
        &format!("/v2/mono/app/blobs/{d}"),
        Some(&a),
        &[("range", "bytes=10-20")],
        b"",
    );
    assert_eq!(bad.status, 416);
    // Wrong digest: refused, nothing stored.
    let wrong = digest(b"other");
    let w = send(
        base,
        "POST",
        &format!("/v2/mono/app/blobs/uploads/?digest={wrong}"),
        Some(&a),
        &[],
        b"not other",
    );
    assert_eq!((w.status, w.code().as_str()), (400, "DIGEST_INVALID"));
    let gw = send(
        base,
        "GET",
        &format!("/v2/mono/app/blobs/{wrong}"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!((gw.status, gw.code().as_str()), (404, "BLOB_UNKNOWN"));
    assert!(!reg()
        .root
        .join("blobs/sha256")
        .join(&digest(b"not other")[7..9])
        .join(&digest(b"not other")[7..])
        .exists());
    // Malformed digest and name.
    let md = send(
        base,
        "GET",
        "/v2/mono/app/blobs/sha256:xyz",
        Some(&a),
        &[],
        b"",
    );
    assert_eq!((md.status, md.code().as_str()), (400, "DIGEST_INVALID"));
    let mn = send(
        base,
        "GET",
        &format!("/v2/Mono/App/blobs/{d}"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!((mn.status, mn.code().as_str()), (400, "NAME_INVALID"));
    // A blob is visible only in the repository it was pushed to.
    let other = send(
        base,
        "GET",
        &format!("/v2/mono/other/blobs/{d}"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!((other.status, other.code().as_str()), (404, "BLOB_UNKNOWN"));
}

#[test]
fn chunked_upload_in_order_only() {
    let (base, a) = setup("chunk");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let d = digest(&data);
    let s = send(
        base,
        "POST",
        "/v2/chunk/app/blobs/uploads/",
        Some(&a),
        &[],
        b"",
    );
    assert_eq!((s.status, s.h("range")), (202, Some("0-0")));
    let loc = s.h("location").unwrap().to_string();
    let id = s.h("docker-upload-uuid").unwrap().to_string();
    assert!(loc.ends_with(&id));
    let c1 = send(
        base,
        "PATCH",
        &loc,
        Some(&a),
        &[
            ("content-range", "0-99999"),
            ("content-type", "application/octet-stream"),
        ],
        &data[..100_000],
    );
    assert_eq!((c1.status, c1.h("range")), (202, Some("0-99999")));
    // Out of order: refused with 416, nothing appended.
    let bad = send(
        base,
        "PATCH",
        &loc,
        Some(&a),
        &[("content-range", "200000-299999")],
        &data[200_000..],
    );
    assert_eq!(
        (bad.status, bad.code().as_str()),
        (416, "BLOB_UPLOAD_INVALID")
    );
    let st = send(base, "GET", &loc, Some(&a), &[], b"");
    assert_eq!((st.status, st.h("range")), (204, Some("0-99999")));
    // A streamed chunk without Content-Range appends.
    let c2 = send(base, "PATCH", &loc, Some(&a), &[], &data[100_000..200_000]);
    assert_eq!((c2.status, c2.h("range")), (202, Some("0-199999")));
    let fin = send(
        base,
        "PUT",
        &format!("{loc}?digest={d}"),
        Some(&a),
        &[("content-range", "200000-299999")],
        &data[200_000..],
    );
    assert_eq!(fin.status, 201, "{}", String::from_utf8_lossy(&fin.body));
    let g = send(
        base,
        "GET",
        &format!("/v2/chunk/app/blobs/{d}"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(g.body, data);
    // The session is gone after completion.
    let gone = send(base, "GET", &loc, Some(&a), &[], b"");
    assert_eq!(
        (gone.status, gone.code().as_str()),
        (404, "BLOB_UPLOAD_UNKNOWN")
    );
    // Cancel a session.
    let s2 = send(
        base,
        "POST",
        "/v2/chunk/app/blobs/uploads/",
        Some(&a),
        &[],
        b"",
    );
    let loc2 = s2.h("location").unwrap().to_string();
    assert_eq!(send(base, "DELETE", &loc2, Some(&a), &[], b"").status, 204);
    assert_eq!(send(base, "GET", &loc2, Some(&a), &[], b"").status, 404);
    // A session belongs to its repository; path tricks never reach the filesystem.
    let s3 = send(
        base,
        "POST",
        "/v2/chunk/app/blobs/uploads/",
        Some(&a),
        &[],
        b"",
    );
    let id3 = s3.h("docker-upload-uuid").unwrap().to_string();
    assert_eq!(
        send(
            base,
            "GET",
            &format!("/v2/chunk/other/blobs/uploads/{id3}"),
            Some(&a),
            &[],
            b""
        )
        .status,
        404
    );
    assert_eq!(
        send(
            base,
            "GET",
            "/v2/chunk/app/blobs/uploads/..%2f..%2fregistry.db",
            Some(&a),
            &[],
            b""
        )
        .status,
        404
    );
}

#[test]
fn upload_resumes_after_restart() {
    let root = tempfile::tempdir().unwrap().keep();
    let base1 = start(root.clone());
    project(&base1, "resume", false);
    let a = admin();
    let data: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let d = digest(&data);
    let s = send(
        &base1,
        "POST",
        "/v2/resume/x/blobs/uploads/",
        Some(&a),
        &[],
        b"",
    );
    let loc = s.h("location").unwrap().to_string();
    send(
        &base1,
        "PATCH",
        &loc,
        Some(&a),
        &[("content-range", "0-19999")],
        &data[..20_000],
    );
    // A second process on the same root (the first one's state is only on disk).
    let base2 = start(root);
    let st = send(&base2, "GET", &loc, Some(&a), &[], b"");
    assert_eq!((st.status, st.h("range")), (204, Some("0-19999")));
    let fin = send(
        &base2,
        "PUT",
        &format!("{loc}?digest={d}"),
        Some(&a),
        &[("content-range", "20000-49999")],
        &data[20_000..],
    );
    assert_eq!(fin.status, 201);
    assert_eq!(
        send(
            &base2,
            "GET",
            &format!("/v2/resume/x/blobs/{d}"),
            Some(&a),
            &[],
            b""
        )
        .body,
        data
    );
}

#[test]
fn manifests_push_pull_and_errors() {
    let (base, a) = setup("man");
    let config = br#"{"architecture":"amd64","os":"linux"}"#.to_vec();
    let layer = b"layer".to_vec();
    let m = image_manifest(&config, &layer, serde_json::json!({}));
    let md = digest(&m);
    let ct = [("content-type", "application/vnd.oci.image.manifest.v1+json")];
    // Blobs missing: MANIFEST_BLOB_UNKNOWN.
    let r = send(base, "PUT", "/v2/man/img/manifests/v1", Some(&a), &ct, &m);
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "MANIFEST_BLOB_UNKNOWN")
    );
    push_blob(base, &a, "man/img", &config);
    push_blob(base, &a, "man/img", &layer);
    let r = send(base, "PUT", "/v2/man/img/manifests/v1", Some(&a), &ct, &m);
    assert_eq!(r.status, 201);
    assert_eq!(r.h("docker-content-digest"), Some(md.as_str()));
    assert_eq!(
        r.h("location"),
        Some(format!("/v2/man/img/manifests/{md}").as_str())
    );
    for reference in ["v1", md.as_str()] {
        let g = send(
            base,
            "GET",
            &format!("/v2/man/img/manifests/{reference}"),
            Some(&a),
            &[],
            b"",
        );
        assert_eq!(
            (g.status, g.h("content-type"), g.h("docker-content-digest")),
            (200, Some(ct[0].1), Some(md.as_str()))
        );
        assert_eq!(g.body, m);
        let h = send(
            base,
            "HEAD",
            &format!("/v2/man/img/manifests/{reference}"),
            Some(&a),
            &[],
            b"",
        );
        assert_eq!(
            (h.status, h.h("content-length")),
            (200, Some(m.len().to_string().as_str()))
        );
    }
    // Unknowns.
    let u = send(
        base,
        "GET",
        "/v2/man/img/manifests/nope",
        Some(&a),
        &[],
        b"",
    );
    assert_eq!((u.status, u.code().as_str()), (404, "MANIFEST_UNKNOWN"));
    let n = send(base, "GET", "/v2/man/none/manifests/v1", Some(&a), &[], b"");
    assert_eq!((n.status, n.code().as_str()), (404, "NAME_UNKNOWN"));
    // By digest, wrong digest.
    let wrong = digest(b"x");
    let w = send(
        base,
        "PUT",
        &format!("/v2/man/img/manifests/{wrong}"),
        Some(&a),
        &ct,
        &m,
    );
    assert_eq!((w.status, w.code().as_str()), (400, "DIGEST_INVALID"));
    // Not JSON, type mismatch, bad schema.
    for (body, ctype) in [
        (b"not json".to_vec(), ct[0].1),
        (m.clone(), "application/vnd.oci.image.index.v1+json"),
        (
            br#"{"schemaVersion":1,"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#
                .to_vec(),
            ct[0].1,
        ),
    ] {
        let r = send(
            base,
            "PUT",
            "/v2/man/img/manifests/bad",
            Some(&a),
            &[("content-type", ctype)],
            &body,
        );
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "MANIFEST_INVALID"),
            "{}",
            String::from_utf8_lossy(&body)
        );
    }
    // Docker v2 schema 2 manifest and an OCI index over both.
    let dm = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": { "mediaType": "application/vnd.docker.container.image.v1+json", "digest": digest(&config), "size": config.len() },
        "layers": [ { "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": digest(&layer), "size": layer.len() } ]
    })).unwrap();
    let r = send(
        base,
        "PUT",
        "/v2/man/img/manifests/docker",
        Some(&a),
        &[(
            "content-type",
            "application/vnd.docker.distribution.manifest.v2+json",
        )],
        &dm,
    );
    assert_eq!(r.status, 201);
    let idx = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            { "mediaType": ct[0].1, "digest": md, "size": m.len(), "platform": {"architecture":"amd64","os":"linux"} },
            { "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "digest": digest(&dm), "size": dm.len() }
        ]
    })).unwrap();
    let r = send(
        base,
        "PUT",
        "/v2/man/img/manifests/multi",
        Some(&a),
        &[("content-type", "application/vnd.oci.image.index.v1+json")],
        &idx,
    );
    assert_eq!(r.status, 201);
    // An index over an unknown manifest.
    let bad_idx = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [ { "mediaType": ct[0].1, "digest": wrong, "size": 1 } ]
    }))
    .unwrap();
    let r = send(
        base,
        "PUT",
        "/v2/man/img/manifests/badidx",
        Some(&a),
        &[("content-type", "application/vnd.oci.image.index.v1+json")],
        &bad_idx,
    );
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "MANIFEST_BLOB_UNKNOWN")
    );
    // Foreign layers are refused by default.
    let fm = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": { "mediaType": "application/vnd.docker.container.image.v1+json", "digest": digest(&config), "size": config.len() },
        "layers": [ { "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "digest": wrong, "size": 5, "urls": ["https://example.invalid/l"] } ]
    })).unwrap();
    let r = send(
        base,
        "PUT",
        "/v2/man/img/manifests/foreign",
        Some(&a),
        &[(
            "content-type",
            "application/vnd.docker.distribution.manifest.v2+json",
        )],
        &fm,
    );
    assert_eq!((r.status, r.code().as_str()), (400, "MANIFEST_INVALID"));
}

#[test]
fn tags_and_catalog_paginate() {
    let (base, a) = setup("pag");
    for t in ["t3", "t1", "t5", "t2", "t4"] {
        push_image(base, &a, "pag/one", t, "same");
    }
    push_image(base, &a, "pag/two", "x", "two");
    let all = send(base, "GET", "/v2/pag/one/tags/list", Some(&a), &[], b"");
    assert_eq!(
        all.json(),
        serde_json::json!({"name":"pag/one","tags":["t1","t2","t3","t4","t5"]})
    );
    assert_eq!(all.h("link"), None);
    let p1 = send(base, "GET", "/v2/pag/one/tags/list?n=2", Some(&a), &[], b"");
    assert_eq!(p1.json()["tags"], serde_json::json!(["t1", "t2"]));
    assert_eq!(
        p1.h("link"),
        Some("</v2/pag/one/tags/list?n=2&last=t2>; rel=\"next\"")
    );
    let p2 = send(
        base,
        "GET",
        "/v2/pag/one/tags/list?n=2&last=t2",
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(p2.json()["tags"], serde_json::json!(["t3", "t4"]));
    let p3 = send(
        base,
        "GET",
        "/v2/pag/one/tags/list?n=2&last=t4",
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(
        (p3.json()["tags"].clone(), p3.h("link")),
        (serde_json::json!(["t5"]), None)
    );
    let z = send(base, "GET", "/v2/pag/one/tags/list?n=0", Some(&a), &[], b"");
    assert_eq!(z.json()["tags"], serde_json::json!([]));
    let unknown = send(base, "GET", "/v2/pag/zzz/tags/list", Some(&a), &[], b"");
    assert_eq!(
        (unknown.status, unknown.code().as_str()),
        (404, "NAME_UNKNOWN")
    );
    let c = send(
        base,
        "GET",
        "/v2/_catalog?n=1&last=pag/one",
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(c.json(), serde_json::json!({"repositories":["pag/two"]}));
    let c = send(base, "GET", "/v2/_catalog?n=1&last=pag", Some(&a), &[], b"");
    assert_eq!(c.json(), serde_json::json!({"repositories":["pag/one"]}));
    assert_eq!(
        c.h("link"),
        Some("</v2/_catalog?n=1&last=pag/one>; rel=\"next\"")
    );
}

#[test]
fn deletes() {
    let (base, a) = setup("del");
    let d = push_image(base, &a, "del/app", "v1", "del");
    push_image(base, &a, "del/app", "v2", "del");
    // Delete a tag: only the tag goes.
    assert_eq!(
        send(
            base,
            "DELETE",
            "/v2/del/app/manifests/v2",
            Some(&a),
            &[],
            b""
        )
        .status,
        202
    );
    assert_eq!(
        send(base, "GET", "/v2/del/app/manifests/v2", Some(&a), &[], b"").status,
        404
    );
    assert_eq!(
        send(
            base,
            "GET",
            &format!("/v2/del/app/manifests/{d}"),
            Some(&a),
            &[],
            b""
        )
        .status,
        200
    );
    // Delete by digest: the manifest and its tags go.
    assert_eq!(
        send(
            base,
            "DELETE",
            &format!("/v2/del/app/manifests/{d}"),
            Some(&a),
            &[],
            b""
        )
        .status,
        202
    );
    let g = send(base, "GET", "/v2/del/app/manifests/v1", Some(&a), &[], b"");
    assert_eq!((g.status, g.code().as_str()), (404, "MANIFEST_UNKNOWN"));
    let again = send(
        base,
        "DELETE",
        &format!("/v2/del/app/manifests/{d}"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(
        (again.status, again.code().as_str()),
        (404, "MANIFEST_UNKNOWN")
    );
    // Blob delete.
    let b = push_blob(base, &a, "del/app", b"to delete");
    assert_eq!(
        send(
            base,
            "DELETE",
            &format!("/v2/del/app/blobs/{b}"),
            Some(&a),
            &[],
            b""
        )
        .status,
        202
    );
    let gb = send(
        base,
        "GET",
        &format!("/v2/del/app/blobs/{b}"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!((gb.status, gb.code().as_str()), (404, "BLOB_UNKNOWN"));
    // Unsupported method.
    let m = send(base, "POST", "/v2/del/app/tags/list", Some(&a), &[], b"");
    assert_eq!((m.status, m.code().as_str()), (405, "UNSUPPORTED"));
}

#[test]
fn cross_repository_mount() {
    let (base, a) = setup("mnt");
    let d = push_blob(base, &a, "mnt/src", b"shared layer");
    let r = send(
        base,
        "POST",
        &format!("/v2/mnt/dst/blobs/uploads/?mount={d}&from=mnt/src"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(
        (r.status, r.h("location")),
        (201, Some(format!("/v2/mnt/dst/blobs/{d}").as_str()))
    );
    assert_eq!(
        send(
            base,
            "GET",
            &format!("/v2/mnt/dst/blobs/{d}"),
            Some(&a),
            &[],
            b""
        )
        .body,
        b"shared layer"
    );
    // Not in the source repository: an ordinary upload session instead.
    let missing = digest(b"absent");
    let r = send(
        base,
        "POST",
        &format!("/v2/mnt/dst/blobs/uploads/?mount={missing}&from=mnt/src"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(r.status, 202);
    assert!(r
        .h("location")
        .unwrap()
        .starts_with("/v2/mnt/dst/blobs/uploads/"));
}

#[test]
fn referrers_with_artifact_type_filter() {
    let (base, a) = setup("refs");
    let subject = push_image(base, &a, "refs/app", "v1", "subj");
    let subject_size = send(base, "GET", "/v2/refs/app/manifests/v1", Some(&a), &[], b"")
        .body
        .len();
    let empty = b"{}".to_vec();
    push_blob(base, &a, "refs/app", &empty);
    let sig = b"signature".to_vec();
    push_blob(base, &a, "refs/app", &sig);
    let art = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.example.sig",
        "config": { "mediaType": "application/vnd.oci.empty.v1+json", "digest": digest(&empty), "size": 2 },
        "layers": [ { "mediaType": "application/octet-stream", "digest": digest(&sig), "size": sig.len() } ],
        "subject": { "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": subject, "size": subject_size },
        "annotations": { "org.example.k": "v" }
    })).unwrap();
    let ad = digest(&art);
    let r = send(
        base,
        "PUT",
        &format!("/v2/refs/app/manifests/{ad}"),
        Some(&a),
        &[("content-type", "application/vnd.oci.image.manifest.v1+json")],
        &art,
    );
    assert_eq!(
        (r.status, r.h("oci-subject")),
        (201, Some(subject.as_str()))
    );
    let l = send(
        base,
        "GET",
        &format!("/v2/refs/app/referrers/{subject}"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(
        (l.status, l.h("content-type")),
        (200, Some("application/vnd.oci.image.index.v1+json"))
    );
    assert_eq!(
        l.json(),
        serde_json::json!({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":ad,"size":art.len(),
             "artifactType":"application/vnd.example.sig","annotations":{"org.example.k":"v"}}]})
    );
    let f = send(
        base,
        "GET",
        &format!("/v2/refs/app/referrers/{subject}?artifactType=application/vnd.other"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(
        (f.json()["manifests"].clone(), f.h("oci-filters-applied")),
        (serde_json::json!([]), Some("artifactType"))
    );
    let f = send(
        base,
        "GET",
        &format!("/v2/refs/app/referrers/{subject}?artifactType=application/vnd.example.sig"),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(f.json()["manifests"].as_array().map(Vec::len), Some(1));
    // Unknown subject: an empty index, not an error.
    let none = send(
        base,
        "GET",
        &format!("/v2/refs/app/referrers/{}", digest(b"q")),
        Some(&a),
        &[],
        b"",
    );
    assert_eq!(
        (none.status, none.json()["manifests"].clone()),
        (200, serde_json::json!([]))
    );
}

#[test]
fn one_writer_per_upload_session() {
    use std::io::Write;
    let (base, a) = setup("conc");
    let s = send(
        base,
        "POST",
        "/v2/conc/app/blobs/uploads/",
        Some(&a),
        &[],
        b"",
    );
    let loc = s.h("location").unwrap().to_string();
    // A chunk that is still arriving...
    let host = base.trim_start_matches("http://");
    let mut sock = std::net::TcpStream::connect(host).unwrap();
    write!(sock, "PATCH {loc} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {a}\r\nContent-Length: 10\r\n\r\nhello").unwrap();
    sock.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    // ...so a second writer is refused rather than interleaved.
    let second = send(base, "PATCH", &loc, Some(&a), &[], b"other");
    assert_eq!(
        (second.status, second.code().as_str()),
        (416, "BLOB_UPLOAD_INVALID")
    );
    sock.write_all(b"world").unwrap();
    let mut buf = [0u8; 12];
    std::io::Read::read_exact(&mut sock, &mut buf).unwrap();
    assert_eq!(&buf, b"HTTP/1.1 202");
    let d = digest(b"helloworld");
    assert_eq!(
        send(
            base,
            "PUT",
            &format!("{loc}?digest={d}"),
            Some(&a),
            &[],
            b""
        )
        .status,
        201
    );
}
