//! A registry on loopback for the tests, and a small HTTP helper.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use bulwark_registry::{Config, Registry};
use sha2::{Digest as _, Sha256};

pub const ADMIN_PW: &str = "admin-password-1";

/// A running registry.
pub struct TestReg {
    pub base: String,
    pub root: PathBuf,
}

/// Start a registry on `root` in a background runtime; returns its base URL.
pub fn start(root: PathBuf) -> String {
    let mut cfg = Config::new(&root);
    cfg.admin_password = Some(ADMIN_PW.to_string());
    let reg = Registry::open(cfg).expect("open registry");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(l.local_addr().expect("addr")).expect("send");
            reg.serve(l, std::future::pending()).await.expect("serve");
        });
    });
    let addr = rx.recv().expect("address");
    format!("http://{addr}")
}

/// The registry of this test process (started on first use).
pub fn reg() -> &'static TestReg {
    static REG: OnceLock<TestReg> = OnceLock::new();
    REG.get_or_init(|| {
        let root = tempfile::tempdir().expect("tempdir").keep();
        let base = start(root.clone());
        TestReg { base, root }
    })
}

/// An answer.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn h(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
    /// The first error code of an OCI error body.
    pub fn code(&self) -> String {
        self.json()
            .pointer("/errors/0/code")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    }
}

/// Send one request.
pub fn send(
    base: &str,
    method: &str,
    path: &str,
    auth: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let url = if path.starts_with("http") {
        path.to_string()
    } else {
        format!("{base}{path}")
    };
    let mut b = ureq::http::Request::builder().method(method).uri(&url);
    if let Some(a) = auth {
        b = b.header("authorization", a);
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let req = b.body(body.to_vec()).expect("request");
    let mut resp = agent.run(req).expect("transport");
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = resp
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_vec()
        .unwrap_or_default();
    Resp {
        status,
        headers,
        body,
    }
}

/// Basic auth header for the system admin.
pub fn admin() -> String {
    bulwark_registry::auth::basic_header("admin", ADMIN_PW)
}

pub fn basic(u: &str, p: &str) -> String {
    bulwark_registry::auth::basic_header(u, p)
}

pub fn digest(b: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(b)))
}

/// Create a project via the admin API.
pub fn project(base: &str, name: &str, public: bool) {
    let body = serde_json::json!({ "name": name, "public": public }).to_string();
    let r = send(
        base,
        "POST",
        "/api/v1/projects",
        Some(&admin()),
        &[("content-type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
}

/// Create a user via the admin API.
pub fn user(base: &str, name: &str, pw: &str) {
    let body = serde_json::json!({ "name": name, "password": pw }).to_string();
    let r = send(
        base,
        "POST",
        "/api/v1/users",
        Some(&admin()),
        &[("content-type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
}

/// Add a member via the admin API.
pub fn member(base: &str, project: &str, user: &str, role: &str) {
    let body = serde_json::json!({ "user": user, "role": role }).to_string();
    let r = send(
        base,
        "POST",
        &format!("/api/v1/projects/{project}/members"),
        Some(&admin()),
        &[("content-type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
}

/// Push a blob monolithically; returns its digest.
pub fn push_blob(base: &str, auth: &str, repo: &str, bytes: &[u8]) -> String {
    let d = digest(bytes);
    let r = send(
        base,
        "POST",
        &format!("/v2/{repo}/blobs/uploads/?digest={d}"),
        Some(auth),
        &[("content-type", "application/octet-stream")],
        bytes,
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    d
}

/// An OCI image manifest over one config and one layer already pushed.
pub fn image_manifest(config: &[u8], layer: &[u8], extra: serde_json::Value) -> Vec<u8> {
    let mut m = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": { "mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(config), "size": config.len() },
        "layers": [ { "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest(layer), "size": layer.len() } ]
    });
    if let (Some(o), Some(e)) = (m.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            o.insert(k.clone(), v.clone());
        }
    }
    serde_json::to_vec(&m).expect("json")
}

/// Push an image (config + layer + manifest) under `tag`; returns the manifest digest.
pub fn push_image(base: &str, auth: &str, repo: &str, tag: &str, seed: &str) -> String {
    let config =
        format!("{{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\"{seed}\"}}").into_bytes();
    let layer = format!("layer bytes {seed}").into_bytes();
    push_blob(base, auth, repo, &config);
    push_blob(base, auth, repo, &layer);
    let m = image_manifest(&config, &layer, serde_json::json!({}));
    let r = send(
        base,
        "PUT",
        &format!("/v2/{repo}/manifests/{tag}"),
        Some(auth),
        &[("content-type", "application/vnd.oci.image.manifest.v1+json")],
        &m,
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    digest(&m)
}
