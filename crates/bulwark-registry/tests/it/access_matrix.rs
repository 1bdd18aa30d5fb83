//! The access matrix of docs/registry.md as a table test: every role and robot scope against
//! pull, push and delete, over HTTP Basic and over tokens from `/token`, plus anonymous access.

use crate::common::*;

/// (principal, pull, push, delete) in the private project `mx`.
const MATRIX: &[(&str, bool, bool, bool)] = &[
    ("admin", true, true, true), // system admin
    ("u-admin", true, true, true),
    ("u-maintainer", true, true, true),
    ("u-developer", true, true, false),
    ("u-reader", true, false, false),
    ("u-limited-guest", true, false, false),
    ("u-outsider", false, false, false),
    ("robot-pull", true, false, false),
    ("robot-push", true, true, false),
    ("robot-other", false, false, false), // a robot of another project
];

const PW: &str = "member-password";

#[test]
fn roles_and_robots_do_exactly_what_the_table_says() {
    let r = reg();
    let base = r.base.as_str();
    project(base, "mx", false);
    project(base, "other", false);
    push_image(base, &admin(), "mx/app", "v1", "mx");
    let mut creds = vec![("admin".to_string(), admin())];
    for role in [
        "admin",
        "maintainer",
        "developer",
        "reader",
        "limited-guest",
    ] {
        let name = format!("u-{role}");
        user(base, &name, PW);
        member(base, "mx", &name, role);
        creds.push((name.clone(), basic(&name, PW)));
    }
    user(base, "u-outsider", PW);
    creds.push(("u-outsider".into(), basic("u-outsider", PW)));
    for (label, project_name, scopes) in [
        ("robot-pull", "mx", vec!["pull"]),
        ("robot-push", "mx", vec!["pull", "push"]),
        ("robot-other", "other", vec!["pull", "push", "delete"]),
    ] {
        let body = serde_json::json!({ "name": label, "scopes": scopes }).to_string();
        let resp = send(
            base,
            "POST",
            &format!("/api/v1/projects/{project_name}/robots"),
            Some(&admin()),
            &[("content-type", "application/json")],
            body.as_bytes(),
        );
        assert_eq!(resp.status, 201, "{}", String::from_utf8_lossy(&resp.body));
        let j = resp.json();
        let (name, secret) = (
            j["name"].as_str().unwrap().to_string(),
            j["secret"].as_str().unwrap().to_string(),
        );
        assert_eq!(name, format!("robot${project_name}+{label}"));
        creds.push((label.to_string(), basic(&name, &secret)));
    }
    for &(who, pull, push, delete) in MATRIX {
        let auth = &creds.iter().find(|(n, _)| n == who).unwrap().1;
        let denied = 403;
        let got_pull = send(base, "GET", "/v2/mx/app/manifests/v1", Some(auth), &[], b"").status;
        assert_eq!(got_pull, if pull { 200 } else { denied }, "{who} pull");
        let got_push = send(
            base,
            "POST",
            "/v2/mx/app/blobs/uploads/",
            Some(auth),
            &[],
            b"",
        )
        .status;
        assert_eq!(got_push, if push { 202 } else { denied }, "{who} push");
        // Deleting a tag that does not exist: 404 when allowed, 403 when not (nothing changes).
        let got_delete = send(
            base,
            "DELETE",
            "/v2/mx/app/manifests/absent",
            Some(auth),
            &[],
            b"",
        )
        .status;
        assert_eq!(
            got_delete,
            if delete { 404 } else { denied },
            "{who} delete"
        );
        // The token endpoint grants exactly the allowed subset of what is asked.
        let t = send(
            base,
            "GET",
            "/token?service=bulwark-registry&scope=repository:mx/app:pull,push,delete",
            Some(auth),
            &[],
            b"",
        );
        assert_eq!(t.status, 200, "{who} token");
        let token = t.json()["token"].as_str().unwrap().to_string();
        let claims = decode_claims(&token);
        let want: Vec<&str> = [("pull", pull), ("push", push), ("delete", delete)]
            .iter()
            .filter(|x| x.1)
            .map(|x| x.0)
            .collect();
        assert_eq!(
            claims["access"][0]["actions"],
            serde_json::json!(want),
            "{who} token grants"
        );
        // The token works where the grant says, and nowhere else.
        let bearer = format!("Bearer {token}");
        let got_pull = send(
            base,
            "GET",
            "/v2/mx/app/manifests/v1",
            Some(&bearer),
            &[],
            b"",
        )
        .status;
        assert_eq!(got_pull == 200, pull, "{who} pull with token");
    }
    // Limited guests and outsiders do not see members; readers do.
    assert_eq!(
        send(
            base,
            "GET",
            "/api/v1/projects/mx/members",
            Some(&basic("u-reader", PW)),
            &[],
            b""
        )
        .status,
        200
    );
    assert_eq!(
        send(
            base,
            "GET",
            "/api/v1/projects/mx/members",
            Some(&basic("u-limited-guest", PW)),
            &[],
            b""
        )
        .status,
        403
    );
    // Only project admins manage members.
    let body = serde_json::json!({ "user": "u-outsider", "role": "reader" }).to_string();
    for (who, status) in [("u-maintainer", 403), ("u-admin", 201)] {
        let r = send(
            base,
            "POST",
            "/api/v1/projects/mx/members",
            Some(&basic(who, PW)),
            &[("content-type", "application/json")],
            body.as_bytes(),
        );
        assert_eq!(r.status, status, "{who} member add");
    }
}

#[test]
fn anonymous_reads_public_projects_only() {
    let r = reg();
    let base = r.base.as_str();
    project(base, "pubp", true);
    project(base, "privp", false);
    push_image(base, &admin(), "pubp/app", "v1", "pub");
    push_image(base, &admin(), "privp/app", "v1", "priv");
    assert_eq!(
        send(base, "GET", "/v2/pubp/app/manifests/v1", None, &[], b"").status,
        200
    );
    let p = send(base, "GET", "/v2/privp/app/manifests/v1", None, &[], b"");
    assert_eq!(p.status, 401);
    let host = base.trim_start_matches("http://");
    assert_eq!(
        p.h("www-authenticate"),
        Some(format!("Bearer realm=\"http://{host}/token\",service=\"bulwark-registry\",scope=\"repository:privp/app:pull\"").as_str())
    );
    assert_eq!(
        send(base, "POST", "/v2/pubp/app/blobs/uploads/", None, &[], b"").status,
        401
    );
    // An anonymous token grants public pulls only.
    let t = send(
        base,
        "GET",
        "/token?scope=repository:pubp/app:pull,push&scope=repository:privp/app:pull",
        None,
        &[],
        b"",
    );
    let claims = decode_claims(t.json()["token"].as_str().unwrap());
    assert_eq!(claims["access"][0]["actions"], serde_json::json!(["pull"]));
    assert_eq!(claims["access"][1]["actions"], serde_json::json!([]));
    // With that token, the private repository answers 401 with `insufficient_scope`, so
    // clients stop instead of retrying.
    let tok = format!("Bearer {}", t.json()["token"].as_str().unwrap());
    let p = send(
        base,
        "HEAD",
        "/v2/privp/app/manifests/v1",
        Some(&tok),
        &[],
        b"",
    );
    assert_eq!(p.status, 401);
    assert_eq!(
        p.h("www-authenticate"),
        Some(format!("Bearer realm=\"http://{host}/token\",service=\"bulwark-registry\",scope=\"repository:privp/app:pull\",error=\"insufficient_scope\"").as_str())
    );
    // A repository outside any project is denied to everyone but... nobody: no project, no access.
    assert_eq!(
        send(
            base,
            "POST",
            "/v2/noproject/app/blobs/uploads/",
            Some(&admin()),
            &[],
            b""
        )
        .status,
        403
    );
    // Catalog shows anonymous callers only public repositories.
    let c = send(base, "GET", "/v2/_catalog", None, &[], b"");
    assert_eq!(c.json(), serde_json::json!({"repositories":["pubp/app"]}));
    // Wrong passwords are refused at the token endpoint.
    assert_eq!(
        send(
            base,
            "GET",
            "/token?scope=repository:pubp/app:pull",
            Some(&basic("admin", "nope")),
            &[],
            b""
        )
        .status,
        401
    );
}

#[test]
fn expired_robots_are_refused() {
    let r = reg();
    let base = r.base.as_str();
    project(base, "exp", false);
    // A robot created with a negative lifetime is stored without expiry; so expire one by
    // editing the database directly, as time passing would.
    let body =
        serde_json::json!({ "name": "ci", "scopes": ["pull"], "expires_in_days": 1 }).to_string();
    let resp = send(
        base,
        "POST",
        "/api/v1/projects/exp/robots",
        Some(&admin()),
        &[("content-type", "application/json")],
        body.as_bytes(),
    );
    let j = resp.json();
    let (name, secret) = (
        j["name"].as_str().unwrap().to_string(),
        j["secret"].as_str().unwrap().to_string(),
    );
    push_image(base, &admin(), "exp/app", "v1", "exp");
    assert_eq!(
        send(
            base,
            "GET",
            "/v2/exp/app/manifests/v1",
            Some(&basic(&name, &secret)),
            &[],
            b""
        )
        .status,
        200
    );
    let db = rusqlite::Connection::open(r.root.join("registry.db")).unwrap();
    db.execute("UPDATE robots SET expires = 1 WHERE name = ?1", [&name])
        .unwrap();
    // The verified-password cache does not outlive the expiry check.
    assert_eq!(
        send(
            base,
            "GET",
            "/v2/exp/app/manifests/v1",
            Some(&basic(&name, &secret)),
            &[],
            b""
        )
        .status,
        401
    );
}

fn decode_claims(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

#[test]
fn repeated_failed_logins_are_throttled() {
    let r = reg();
    let base = r.base.as_str();
    user(base, "guessed", "right-password");
    for _ in 0..10 {
        assert_eq!(
            send(
                base,
                "GET",
                "/token?service=bulwark-registry",
                Some(&basic("guessed", "wrong")),
                &[],
                b""
            )
            .status,
            401
        );
    }
    // Now even the right password is refused for a while, at every door...
    let t = send(
        base,
        "GET",
        "/token?service=bulwark-registry",
        Some(&basic("guessed", "right-password")),
        &[],
        b"",
    );
    assert_eq!((t.status, t.code().as_str()), (429, "TOOMANYREQUESTS"));
    assert_eq!(
        send(
            base,
            "GET",
            "/v2/",
            Some(&basic("guessed", "right-password")),
            &[],
            b""
        )
        .status,
        429
    );
    assert_eq!(
        send(
            base,
            "GET",
            "/api/v1/projects",
            Some(&basic("guessed", "right-password")),
            &[],
            b""
        )
        .status,
        429
    );
    // ...while other accounts are unaffected.
    assert_eq!(
        send(base, "GET", "/v2/", Some(&admin()), &[], b"").status,
        200
    );
}
