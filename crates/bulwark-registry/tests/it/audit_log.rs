//! The audit log records who did what from where, and `verify` finds edited and removed entries.

use bulwark_registry::audit;
use bulwark_registry::meta::Meta;

use crate::common::*;

#[test]
fn events_are_recorded_and_tampering_is_detected() {
    let r = reg();
    let base = r.base.as_str();
    project(base, "aud", false);
    user(base, "auditee", "auditee-pw");
    member(base, "aud", "auditee", "developer");
    let d = push_image(
        base,
        &basic("auditee", "auditee-pw"),
        "aud/app",
        "v1",
        "aud",
    );
    send(
        base,
        "GET",
        "/v2/aud/app/manifests/v1",
        Some(&admin()),
        &[],
        b"",
    );
    send(
        base,
        "DELETE",
        "/v2/aud/app/manifests/v1",
        Some(&admin()),
        &[],
        b"",
    );
    send(
        base,
        "GET",
        "/token?scope=repository:aud/app:pull",
        Some(&basic("auditee", "wrong-pw")),
        &[],
        b"",
    );
    let export = send(base, "GET", "/api/v1/audit", Some(&admin()), &[], b"");
    assert_eq!(
        (export.status, export.h("content-type")),
        (200, Some("application/x-ndjson"))
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(export.body)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<(String, String, String, String, String)> = lines
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or("").to_string();
            (
                s("actor"),
                s("action"),
                s("resource"),
                s("reference"),
                s("digest"),
            )
        })
        .collect();
    let t = |a: &str, b: &str, c: &str, d: &str, e: &str| {
        (
            a.to_string(),
            b.to_string(),
            c.to_string(),
            d.to_string(),
            e.to_string(),
        )
    };
    assert_eq!(
        summary,
        vec![
            t("system", "user-create", "admin", "system-admin", ""),
            t("admin", "project-create", "aud", "private", ""),
            t("admin", "user-create", "auditee", "user", ""),
            t("admin", "member-add", "aud", "auditee=developer", ""),
            t("auditee", "push", "aud/app", "v1", &d),
            t("admin", "pull", "aud/app", "v1", &d),
            t("admin", "delete", "aud/app", "v1", ""),
            t("auditee", "login-failed", "", "", ""),
        ]
    );
    assert!(lines.iter().skip(1).all(|e| e["addr"] == "127.0.0.1"));
    assert_eq!(
        lines
            .iter()
            .map(|e| e["seq"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );

    let v = send(
        base,
        "GET",
        "/api/v1/audit/verify",
        Some(&admin()),
        &[],
        b"",
    );
    assert_eq!(v.json(), serde_json::json!({"entries": 8, "problems": []}));

    // Edit an entry: its hash no longer matches.
    let db = rusqlite::Connection::open(r.root.join("registry.db")).unwrap();
    db.execute(
        "UPDATE audit SET entry = replace(entry, '\"auditee\"', '\"someone\"') WHERE seq = 5",
        [],
    )
    .unwrap();
    let meta = Meta::open(&r.root.join("registry.db")).unwrap();
    assert_eq!(
        audit::verify(&meta).unwrap().problems,
        vec!["entry 5: content does not match its hash (edited)"]
    );
    // Remove one: the sequence and the link break.
    db.execute(
        "UPDATE audit SET entry = replace(entry, '\"someone\"', '\"auditee\"') WHERE seq = 5",
        [],
    )
    .unwrap();
    db.execute("DELETE FROM audit WHERE seq = 3", []).unwrap();
    assert_eq!(
        audit::verify(&meta).unwrap().problems,
        vec![
            "entries 3..3 are missing",
            "entry 4: link to the previous entry is broken"
        ]
    );
    // Remove the newest: the head record catches it.
    db.execute("DELETE FROM audit WHERE seq = 8", []).unwrap();
    let p = audit::verify(&meta).unwrap().problems;
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(p[2].starts_with("head is 8:"), "{p:?}");
}
