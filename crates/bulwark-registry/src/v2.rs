//! The OCI Distribution 1.1 endpoints under `/v2/`.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde_json::Value;
use tokio::io::AsyncWriteExt;

use crate::access::{self, Action};
use crate::audit::Event;
use crate::error::{ApiError, Code};
use crate::meta::NewManifest;
use crate::names::{valid_repo, Digest, Reference, Route};
use crate::server::{audit_event, authenticate, authorize, challenge, client_addr, Auth, Shared};

/// Largest manifest accepted (the spec asks registries to accept at least 4 MiB).
const MAX_MANIFEST: usize = 4 << 20;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const FOREIGN_LAYERS: [&str; 4] = [
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
];

type Res = Result<Response, ApiError>;

/// Everything about one request a handler needs.
struct Req {
    st: Shared,
    method: Method,
    headers: HeaderMap,
    query: Vec<(String, String)>,
    addr: String,
    auth: Auth,
}

impl Req {
    fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn allow(&self, repo: &str, action: Action) -> Result<(), ApiError> {
        authorize(&self.st, &self.auth, &self.headers, repo, action)
    }

    fn audit(&self, action: &str, repo: &str, reference: Option<&str>, digest: Option<&str>) {
        audit_event(
            &self.st,
            Event {
                actor: self.auth.principal().name(),
                addr: &self.addr,
                action,
                resource: repo,
                reference,
                digest,
            },
        );
    }
}

/// Parse a query string into decoded pairs (repeated keys kept, as `/token` needs).
pub fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    let dec = |s: &str| {
        let s = s.replace('+', " ");
        percent_encoding::percent_decode_str(&s)
            .decode_utf8_lossy()
            .into_owned()
    };
    q.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (dec(k), dec(v)),
            None => (dec(p), String::new()),
        })
        .collect()
}

/// Entry point for every `/v2/...` request.
pub async fn handle(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    st.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let Some(route) = Route::parse(uri.path()) else {
        return ApiError::new(Code::NameInvalid, "unknown endpoint")
            .with_status(StatusCode::NOT_FOUND)
            .into_response();
    };
    if let Some(repo) = route.repo() {
        if !valid_repo(repo) {
            return ApiError::new(
                Code::NameInvalid,
                format!("invalid repository name {repo:?}"),
            )
            .into_response();
        }
    }
    let scope = route
        .repo()
        .map(|r| format!("repository:{r}:pull"))
        .unwrap_or_default();
    let addr = client_addr(&ci);
    let auth = match authenticate(&st, &headers, &scope, &addr) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let req = Req {
        st,
        method,
        headers,
        query: parse_query(uri.query()),
        addr,
        auth,
    };
    let result = dispatch(&req, route, body).await;
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn dispatch(req: &Req, route: Route, body: Body) -> Res {
    let m = &req.method;
    match route {
        Route::Base => base(req),
        Route::Catalog if m == Method::GET => catalog(req),
        Route::Manifest(n, r) if m == Method::GET || m == Method::HEAD => {
            get_manifest(req, &n, &r).await
        }
        Route::Manifest(n, r) if m == Method::PUT => put_manifest(req, &n, &r, body).await,
        Route::Manifest(n, r) if m == Method::DELETE => delete_manifest(req, &n, &r),
        Route::Blob(n, d) if m == Method::GET || m == Method::HEAD => get_blob(req, &n, &d).await,
        Route::Blob(n, d) if m == Method::DELETE => delete_blob(req, &n, &d),
        Route::UploadStart(n) if m == Method::POST => start_upload(req, &n, body).await,
        Route::Upload(n, id) if m == Method::GET => upload_status(req, &n, &id).await,
        Route::Upload(n, id) if m == Method::PATCH => patch_upload(req, &n, &id, body).await,
        Route::Upload(n, id) if m == Method::PUT => put_upload(req, &n, &id, body).await,
        Route::Upload(n, id) if m == Method::DELETE => cancel_upload(req, &n, &id).await,
        Route::Tags(n) if m == Method::GET => tags(req, &n),
        Route::Referrers(n, d) if m == Method::GET => referrers(req, &n, &d),
        _ => Err(ApiError::new(
            Code::Unsupported,
            "method not allowed on this endpoint",
        )),
    }
}

fn base(req: &Req) -> Res {
    match &req.auth {
        Auth::Anonymous => Err(ApiError::new(Code::Unauthorized, "authentication required")
            .with_challenge(challenge(&req.st, &req.headers, ""))),
        Auth::Basic(p) => {
            req.audit("login", "", None, None);
            let _ = p;
            Ok(json_response(StatusCode::OK, &serde_json::json!({})))
        }
        Auth::Bearer(..) => Ok(json_response(StatusCode::OK, &serde_json::json!({}))),
    }
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        v.to_string(),
    )
        .into_response()
}

fn empty(status: StatusCode, headers: &[(&str, String)]) -> Response {
    let mut b = Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, v);
    }
    b.header("content-length", "0")
        .body(Body::empty())
        .unwrap_or_else(|_| status.into_response())
}

/// `n` from the query: `None` for absent, an error for non-numbers.
fn page_size(req: &Req) -> Result<Option<usize>, ApiError> {
    match req.param("n") {
        None | Some("") => Ok(None),
        Some(s) => s.parse::<usize>().map(Some).map_err(|_| {
            ApiError::new(Code::Unsupported, "n must be a number")
                .with_status(StatusCode::BAD_REQUEST)
        }),
    }
}

fn catalog(req: &Req) -> Res {
    let n = page_size(req)?;
    let last = req.param("last");
    let mut visible = Vec::new();
    for r in req.st.meta.repos_after(last)? {
        if access::allowed(&req.st.meta, req.auth.principal(), &r, Action::Pull)? {
            visible.push(r);
        }
    }
    let more = n.is_some_and(|n| visible.len() > n);
    if let Some(n) = n {
        visible.truncate(n);
    }
    let mut resp = json_response(
        StatusCode::OK,
        &serde_json::json!({ "repositories": visible }),
    );
    if let (true, Some(n), Some(l)) = (more, n, visible.last()) {
        if let Ok(v) = format!("</v2/_catalog?n={n}&last={l}>; rel=\"next\"").parse() {
            resp.headers_mut().insert("link", v);
        }
    }
    Ok(resp)
}

fn tags(req: &Req, repo: &str) -> Res {
    req.allow(repo, Action::Pull)?;
    if !req.st.meta.repo_exists(repo)? {
        return Err(ApiError::new(
            Code::NameUnknown,
            format!("repository {repo} is not known"),
        ));
    }
    let n = page_size(req)?;
    let last = req.param("last");
    // Ask for one more than the page to know whether a next page exists.
    let mut tags = req.st.meta.tags(repo, last, n.map(|n| n + 1))?;
    let more = n.is_some_and(|n| tags.len() > n);
    if let Some(n) = n {
        tags.truncate(n);
    }
    let mut resp = json_response(
        StatusCode::OK,
        &serde_json::json!({ "name": repo, "tags": tags }),
    );
    if let (true, Some(n), Some(l)) = (more, n, tags.last()) {
        if let Ok(v) = format!("</v2/{repo}/tags/list?n={n}&last={l}>; rel=\"next\"").parse() {
            resp.headers_mut().insert("link", v);
        }
    }
    Ok(resp)
}

/// Resolve a reference to a stored manifest, or the spec's 404.
fn resolve(req: &Req, repo: &str, reference: &str) -> Result<crate::meta::ManifestRow, ApiError> {
    let unknown = || {
        ApiError::new(
            Code::ManifestUnknown,
            format!("manifest {repo}:{reference} is not known"),
        )
    };
    let digest = match Reference::parse(reference) {
        None => {
            return Err(ApiError::new(
                Code::ManifestInvalid,
                format!("invalid reference {reference:?}"),
            ))
        }
        Some(Reference::Digest(d)) => d.to_string(),
        Some(Reference::Tag(t)) => match req.st.meta.tag_digest(repo, &t)? {
            Some(d) => d,
            None if !req.st.meta.repo_exists(repo)? => {
                return Err(ApiError::new(
                    Code::NameUnknown,
                    format!("repository {repo} is not known"),
                ))
            }
            None => return Err(unknown()),
        },
    };
    req.st.meta.manifest(repo, &digest)?.ok_or_else(unknown)
}

async fn get_manifest(req: &Req, repo: &str, reference: &str) -> Res {
    req.allow(repo, Action::Pull)?;
    let m = resolve(req, repo, reference)?;
    let headers = [
        ("content-type", m.media_type.clone()),
        ("docker-content-digest", m.digest.to_string()),
        ("content-length", m.size.to_string()),
        ("etag", format!("\"{}\"", m.digest)),
    ];
    if req.method == Method::HEAD {
        return Ok(empty_with_len(StatusCode::OK, &headers));
    }
    let bytes = req.st.store.read(&m.digest).await?;
    req.st
        .metrics
        .manifests_pulled
        .fetch_add(1, Ordering::Relaxed);
    let tag = (!reference.starts_with("sha256:")).then_some(reference);
    req.audit("pull", repo, tag, Some(m.digest.as_str()));
    let mut b = Response::builder().status(StatusCode::OK);
    for (k, v) in &headers {
        b = b.header(*k, v);
    }
    b.body(Body::from(bytes)).map_err(ApiError::internal)
}

/// A bodiless response that keeps the `content-length` it was given (for HEAD).
fn empty_with_len(status: StatusCode, headers: &[(&str, String)]) -> Response {
    let mut b = Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, v);
    }
    b.body(Body::empty())
        .unwrap_or_else(|_| status.into_response())
}

/// A descriptor inside a manifest, checked.
fn descriptor_digest(v: &Value, what: &str) -> Result<(Digest, String), ApiError> {
    let invalid = |m: String| ApiError::new(Code::ManifestInvalid, m);
    let d = v
        .get("digest")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("{what}: descriptor without digest")))?;
    let digest = Digest::parse(d)
        .ok_or_else(|| invalid(format!("{what}: invalid or unsupported digest {d:?}")))?;
    let mt = v
        .get("mediaType")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if v.get("size").and_then(Value::as_i64).is_none_or(|s| s < 0) {
        return Err(invalid(format!("{what}: descriptor without a valid size")));
    }
    Ok((digest, mt))
}

async fn put_manifest(req: &Req, repo: &str, reference: &str, body: Body) -> Res {
    req.allow(repo, Action::Push)?;
    // Held from the blob existence checks to the database write (see `gc`).
    let _shared = req.st.gc_lock.read().await;
    let reference = Reference::parse(reference).ok_or_else(|| {
        ApiError::new(
            Code::ManifestInvalid,
            format!("invalid reference {reference:?}"),
        )
    })?;
    let bytes = read_limited(body, MAX_MANIFEST).await?;
    let digest = Digest::of(&bytes);
    if let Reference::Digest(want) = &reference {
        if *want != digest {
            return Err(ApiError::new(
                Code::DigestInvalid,
                format!("manifest digest is {digest}, not {want}"),
            ));
        }
    }
    let invalid = |m: &str| ApiError::new(Code::ManifestInvalid, m.to_string());
    let doc: Value =
        serde_json::from_slice(&bytes).map_err(|e| invalid(&format!("not JSON: {e}")))?;
    let header_type = req
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_string())
        .filter(|v| !v.is_empty());
    let body_type = doc
        .get("mediaType")
        .and_then(Value::as_str)
        .map(str::to_string);
    let media_type = match (&header_type, &body_type) {
        (Some(h), Some(b)) if h != b => {
            return Err(invalid(
                "Content-Type differs from the manifest's mediaType",
            ))
        }
        (Some(h), _) => h.clone(),
        (None, Some(b)) => b.clone(),
        (None, None) => return Err(invalid("no media type in Content-Type or mediaType")),
    };
    if doc.get("schemaVersion").and_then(Value::as_i64) != Some(2) {
        return Err(invalid("schemaVersion must be 2"));
    }
    let mut children = Vec::new();
    let artifact_type: Option<String>;
    match media_type.as_str() {
        OCI_MANIFEST | DOCKER_MANIFEST => {
            let config = doc
                .get("config")
                .ok_or_else(|| invalid("manifest without config"))?;
            let (cd, cmt) = descriptor_digest(config, "config")?;
            let layers = doc
                .get("layers")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid("manifest without layers"))?;
            let mut blobs = vec![cd];
            for (i, l) in layers.iter().enumerate() {
                let (d, mt) = descriptor_digest(l, &format!("layer {i}"))?;
                if FOREIGN_LAYERS.contains(&mt.as_str()) {
                    if !req.st.cfg.allow_foreign_layers {
                        return Err(invalid(&format!(
                            "layer {i} is a foreign layer ({mt}); this registry refuses them"
                        )));
                    }
                    children.push(d.to_string());
                    continue;
                }
                blobs.push(d);
            }
            for d in blobs {
                if req.st.meta.blob_size(repo, &d)?.is_none() {
                    return Err(ApiError::new(
                        Code::ManifestBlobUnknown,
                        format!("blob {d} is not known in {repo}"),
                    ));
                }
                children.push(d.to_string());
            }
            artifact_type = doc
                .get("artifactType")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or(Some(cmt));
        }
        OCI_INDEX | DOCKER_LIST => {
            let list = doc
                .get("manifests")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid("index without manifests"))?;
            for (i, m) in list.iter().enumerate() {
                let (d, _) = descriptor_digest(m, &format!("manifest {i}"))?;
                if req.st.meta.manifest(repo, d.as_str())?.is_none() {
                    return Err(ApiError::new(
                        Code::ManifestBlobUnknown,
                        format!("manifest {d} is not known in {repo}"),
                    ));
                }
                children.push(d.to_string());
            }
            artifact_type = doc
                .get("artifactType")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        other => {
            return Err(invalid(&format!(
                "unsupported manifest media type {other:?}"
            )))
        }
    }
    let subject = match doc.get("subject") {
        Some(s) => Some(descriptor_digest(s, "subject")?.0),
        None => None,
    };
    let annotations = doc
        .get("annotations")
        .filter(|a| a.is_object())
        .map(Value::to_string);
    let tag = match &reference {
        Reference::Tag(t) => Some(t.as_str()),
        Reference::Digest(_) => None,
    };
    if let Some(t) = tag {
        let current = req.st.meta.tag_digest(repo, t)?;
        if current.is_some_and(|c| c != digest.as_str())
            && crate::gc::is_immutable(&req.st, repo, t)?
        {
            return Err(ApiError::new(
                Code::Denied,
                format!("tag {t} of {repo} is immutable"),
            ));
        }
    }
    if !crate::gc::within_quota(&req.st, repo, digest.as_str(), bytes.len() as u64)? {
        return Err(quota_exceeded(repo));
    }
    req.st.store.put_bytes(&digest, &bytes).await?;
    req.st.meta.put_manifest(&NewManifest {
        repo,
        digest: &digest,
        media_type: &media_type,
        size: bytes.len() as u64,
        artifact_type: artifact_type.as_deref(),
        subject: subject.as_ref().map(Digest::as_str),
        annotations,
        children,
        tag,
    })?;
    req.st
        .metrics
        .manifests_pushed
        .fetch_add(1, Ordering::Relaxed);
    req.audit("push", repo, tag, Some(digest.as_str()));
    let mut headers = vec![
        ("location", format!("/v2/{repo}/manifests/{digest}")),
        ("docker-content-digest", digest.to_string()),
    ];
    if let Some(s) = &subject {
        headers.push(("oci-subject", s.to_string()));
    }
    Ok(empty(StatusCode::CREATED, &headers))
}

fn delete_manifest(req: &Req, repo: &str, reference: &str) -> Res {
    req.allow(repo, Action::Delete)?;
    match Reference::parse(reference) {
        None => Err(ApiError::new(
            Code::ManifestInvalid,
            format!("invalid reference {reference:?}"),
        )),
        Some(Reference::Tag(t)) => {
            if crate::gc::is_immutable(&req.st, repo, &t)? {
                return Err(ApiError::new(
                    Code::Denied,
                    format!("tag {t} of {repo} is immutable"),
                ));
            }
            if !req.st.meta.delete_tag(repo, &t)? {
                return Err(ApiError::new(
                    Code::ManifestUnknown,
                    format!("tag {t} is not known in {repo}"),
                ));
            }
            req.audit("delete", repo, Some(&t), None);
            Ok(empty(StatusCode::ACCEPTED, &[]))
        }
        Some(Reference::Digest(d)) => {
            for t in req.st.meta.tags_of(repo, d.as_str())? {
                if crate::gc::is_immutable(&req.st, repo, &t)? {
                    return Err(ApiError::new(
                        Code::Denied,
                        format!("tag {t} of {repo} is immutable"),
                    ));
                }
            }
            if !req.st.meta.delete_manifest(repo, &d)? {
                return Err(ApiError::new(
                    Code::ManifestUnknown,
                    format!("manifest {d} is not known in {repo}"),
                ));
            }
            req.audit("delete", repo, None, Some(d.as_str()));
            Ok(empty(StatusCode::ACCEPTED, &[]))
        }
    }
}

fn parse_digest(d: &str) -> Result<Digest, ApiError> {
    Digest::parse(d).ok_or_else(|| {
        ApiError::new(
            Code::DigestInvalid,
            format!("invalid or unsupported digest {d:?}"),
        )
    })
}

/// Parse `Range: bytes=a-b` against a blob of `size` bytes: `Ok(None)` for no header,
/// `Err` for an unsatisfiable or malformed range.
fn parse_range(h: Option<&str>, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(h) = h else { return Ok(None) };
    let spec = h.strip_prefix("bytes=").ok_or(())?;
    let (a, b) = spec.split_once('-').ok_or(())?;
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().map_err(|_| ())?;
        if n == 0 {
            return Err(());
        }
        (size.saturating_sub(n), size.checked_sub(1).ok_or(())?)
    } else {
        let s: u64 = a.parse().map_err(|_| ())?;
        let e: u64 = if b.is_empty() {
            size.saturating_sub(1)
        } else {
            b.parse::<u64>()
                .map_err(|_| ())?
                .min(size.saturating_sub(1))
        };
        (s, e)
    };
    if start > end || start >= size {
        return Err(());
    }
    Ok(Some((start, end)))
}

async fn get_blob(req: &Req, repo: &str, digest: &str) -> Res {
    req.allow(repo, Action::Pull)?;
    let d = parse_digest(digest)?;
    let unknown = || {
        ApiError::new(
            Code::BlobUnknown,
            format!("blob {d} is not known in {repo}"),
        )
    };
    if req.st.meta.blob_size(repo, &d)?.is_none() {
        return Err(unknown());
    }
    let Some(size) = req.st.store.stat(&d).await else {
        return Err(unknown());
    };
    let range = parse_range(req.headers.get("range").and_then(|v| v.to_str().ok()), size).map_err(
        |()| {
            ApiError::new(Code::BlobUnknown, "requested range not satisfiable")
                .with_status(StatusCode::RANGE_NOT_SATISFIABLE)
        },
    )?;
    let (status, start, len) = match range {
        Some((s, e)) => (StatusCode::PARTIAL_CONTENT, s, e - s + 1),
        None => (StatusCode::OK, 0, size),
    };
    let mut headers = vec![
        ("content-type", "application/octet-stream".to_string()),
        ("docker-content-digest", d.to_string()),
        ("content-length", len.to_string()),
        ("accept-ranges", "bytes".to_string()),
        ("etag", format!("\"{d}\"")),
    ];
    if range.is_some() {
        headers.push((
            "content-range",
            format!("bytes {start}-{}/{size}", start + len - 1),
        ));
    }
    if req.method == Method::HEAD {
        return Ok(empty_with_len(status, &headers));
    }
    let body = req
        .st
        .store
        .body(&d, start, len)
        .await
        .map_err(|_| unknown())?;
    req.st.metrics.bytes_out.fetch_add(len, Ordering::Relaxed);
    let mut b = Response::builder().status(status);
    for (k, v) in &headers {
        b = b.header(*k, v);
    }
    b.body(body).map_err(ApiError::internal)
}

fn delete_blob(req: &Req, repo: &str, digest: &str) -> Res {
    req.allow(repo, Action::Delete)?;
    let d = parse_digest(digest)?;
    if !req.st.meta.unlink_blob(repo, &d)? {
        return Err(ApiError::new(
            Code::BlobUnknown,
            format!("blob {d} is not known in {repo}"),
        ));
    }
    req.audit("delete", repo, None, Some(d.as_str()));
    Ok(empty(StatusCode::ACCEPTED, &[]))
}

async fn read_limited(body: Body, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut body = body;
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| ApiError::new(Code::ManifestInvalid, format!("reading body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > limit {
                return Err(ApiError::new(
                    Code::ManifestInvalid,
                    format!("manifest larger than {limit} bytes"),
                )
                .with_status(StatusCode::PAYLOAD_TOO_LARGE));
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

/// Append a request body to an upload session's file; returns the bytes written.
async fn append_body(req: &Req, id: &str, body: Body) -> Result<u64, ApiError> {
    let mut f = req.st.store.append_upload(id).await?;
    let mut body = body;
    let mut n = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| ApiError::new(Code::BlobUploadInvalid, format!("reading body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            f.write_all(&data).await.map_err(ApiError::internal)?;
            n += data.len() as u64;
        }
    }
    f.flush().await.map_err(ApiError::internal)?;
    drop(f);
    req.st.store.seal_chunk(id).await?;
    req.st.metrics.bytes_in.fetch_add(n, Ordering::Relaxed);
    Ok(n)
}

fn upload_headers(repo: &str, id: &str, len: u64) -> Vec<(&'static str, String)> {
    vec![
        ("location", format!("/v2/{repo}/blobs/uploads/{id}")),
        ("range", format!("0-{}", len.saturating_sub(1))),
        ("docker-upload-uuid", id.to_string()),
    ]
}

async fn new_session(req: &Req, repo: &str) -> Result<String, ApiError> {
    let id = crate::auth::random_hex(16);
    req.st.store.create_upload(&id).await?;
    req.st.meta.create_upload(&id, repo)?;
    req.st
        .metrics
        .uploads_started
        .fetch_add(1, Ordering::Relaxed);
    Ok(id)
}

/// Commit a finished session as blob `d` of `repo`, or refuse it when the bytes differ.
fn quota_exceeded(repo: &str) -> ApiError {
    ApiError::new(
        Code::Denied,
        format!(
            "storage quota of project {} exceeded",
            crate::names::project_of(repo)
        ),
    )
}

async fn commit(req: &Req, repo: &str, id: &str, d: &Digest) -> Res {
    let _shared = req.st.gc_lock.read().await;
    let pending = req.st.store.upload_len(id).await.unwrap_or(0);
    if !crate::gc::within_quota(&req.st, repo, d.as_str(), pending)? {
        req.st.meta.delete_upload(id)?;
        req.st.store.remove_upload(id).await;
        return Err(quota_exceeded(repo));
    }
    let (actual, size, ok) = req.st.store.finish_upload(id, d).await?;
    req.st.meta.delete_upload(id)?;
    if !ok {
        req.st.store.remove_upload(id).await;
        return Err(ApiError::new(
            Code::DigestInvalid,
            format!("uploaded content has digest {actual}, not {d}"),
        ));
    }
    req.st.meta.link_blob(repo, d, size)?;
    Ok(empty(
        StatusCode::CREATED,
        &[
            ("location", format!("/v2/{repo}/blobs/{d}")),
            ("docker-content-digest", d.to_string()),
        ],
    ))
}

async fn start_upload(req: &Req, repo: &str, body: Body) -> Res {
    req.allow(repo, Action::Push)?;
    if let (Some(mount), Some(from)) = (req.param("mount"), req.param("from")) {
        if let (Some(d), true) = (Digest::parse(mount), valid_repo(from)) {
            let readable = access::allowed(&req.st.meta, req.auth.principal(), from, Action::Pull)?;
            if readable {
                if let (Some(size), Some(_)) = (
                    req.st.meta.blob_size(from, &d)?,
                    req.st.store.stat(&d).await,
                ) {
                    let _shared = req.st.gc_lock.read().await;
                    if !crate::gc::within_quota(&req.st, repo, d.as_str(), size)? {
                        return Err(quota_exceeded(repo));
                    }
                    req.st.meta.link_blob(repo, &d, size)?;
                    req.audit("mount", repo, Some(from), Some(d.as_str()));
                    return Ok(empty(
                        StatusCode::CREATED,
                        &[
                            ("location", format!("/v2/{repo}/blobs/{d}")),
                            ("docker-content-digest", d.to_string()),
                        ],
                    ));
                }
            }
        }
        // Not mountable: the spec says to fall back to an ordinary upload session.
        let id = new_session(req, repo).await?;
        return Ok(empty(StatusCode::ACCEPTED, &upload_headers(repo, &id, 0)));
    }
    if let Some(d) = req.param("digest") {
        let d = parse_digest(d)?;
        let id = new_session(req, repo).await?;
        append_body(req, &id, body).await?;
        return commit(req, repo, &id, &d).await;
    }
    let id = new_session(req, repo).await?;
    Ok(empty(StatusCode::ACCEPTED, &upload_headers(repo, &id, 0)))
}

/// The session's current length, after checking it exists and belongs to `repo`.
async fn session(req: &Req, repo: &str, id: &str) -> Result<u64, ApiError> {
    req.allow(repo, Action::Push)?;
    let unknown = || ApiError::new(Code::BlobUploadUnknown, format!("upload {id} is not known"));
    // Session ids are our own hex strings; anything else never reaches the filesystem.
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(unknown());
    }
    if req.st.meta.upload_repo(id)?.as_deref() != Some(repo) {
        return Err(unknown());
    }
    req.st.store.upload_len(id).await.ok_or_else(unknown)
}

async fn upload_status(req: &Req, repo: &str, id: &str) -> Res {
    let len = session(req, repo, id).await?;
    Ok(empty(
        StatusCode::NO_CONTENT,
        &upload_headers(repo, id, len),
    ))
}

/// Check `Content-Range: a-b` (and Content-Length) against the session length.
fn check_chunk(req: &Req, len: u64) -> Result<(), ApiError> {
    let Some(cr) = req
        .headers
        .get("content-range")
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let bad = || {
        ApiError::new(
            Code::BlobUploadInvalid,
            format!("chunk {cr:?} does not continue the upload at offset {len}"),
        )
        .with_status(StatusCode::RANGE_NOT_SATISFIABLE)
    };
    let spec = cr.trim().strip_prefix("bytes ").unwrap_or(cr.trim());
    let spec = spec.split('/').next().unwrap_or(spec);
    let (a, b) = spec.split_once('-').ok_or_else(bad)?;
    let (a, b): (u64, u64) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if a != len || b < a {
        return Err(bad());
    }
    let cl = req
        .headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if cl.is_some_and(|cl| cl != b - a + 1) {
        return Err(bad());
    }
    Ok(())
}

/// Marks an upload session busy for the life of one writing request.
struct Writer<'a> {
    st: &'a crate::server::AppState,
    id: String,
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        self.st
            .busy_uploads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }
}

/// Claim a session for one writer; a second concurrent writer would interleave bytes, so it is
/// refused like an out-of-order chunk.
fn claim<'a>(req: &'a Req, id: &str) -> Result<Writer<'a>, ApiError> {
    let fresh = req
        .st
        .busy_uploads
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id.to_string());
    if !fresh {
        return Err(ApiError::new(
            Code::BlobUploadInvalid,
            format!("upload {id} is being written by another request"),
        )
        .with_status(StatusCode::RANGE_NOT_SATISFIABLE));
    }
    Ok(Writer {
        st: &req.st,
        id: id.to_string(),
    })
}

async fn patch_upload(req: &Req, repo: &str, id: &str, body: Body) -> Res {
    let _writer = claim(req, id)?;
    let len = session(req, repo, id).await?;
    check_chunk(req, len)?;
    let n = append_body(req, id, body).await?;
    Ok(empty(
        StatusCode::ACCEPTED,
        &upload_headers(repo, id, len + n),
    ))
}

async fn put_upload(req: &Req, repo: &str, id: &str, body: Body) -> Res {
    let _writer = claim(req, id)?;
    let len = session(req, repo, id).await?;
    let d = parse_digest(req.param("digest").unwrap_or(""))?;
    check_chunk(req, len)?;
    append_body(req, id, body).await?;
    commit(req, repo, id, &d).await
}

async fn cancel_upload(req: &Req, repo: &str, id: &str) -> Res {
    session(req, repo, id).await?;
    req.st.meta.delete_upload(id)?;
    req.st.store.remove_upload(id).await;
    Ok(empty(StatusCode::NO_CONTENT, &[]))
}

fn referrers(req: &Req, repo: &str, digest: &str) -> Res {
    req.allow(repo, Action::Pull)?;
    let d = parse_digest(digest)?;
    let filter = req.param("artifactType").filter(|s| !s.is_empty());
    let rows = req.st.meta.referrers(repo, d.as_str(), filter)?;
    let manifests: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            let mut o = serde_json::json!({ "mediaType": r.media_type, "digest": r.digest, "size": r.size });
            if let Some(at) = r.artifact_type {
                o["artifactType"] = Value::String(at);
            }
            if let Some(a) = r.annotations.and_then(|a| serde_json::from_str::<Value>(&a).ok()) {
                o["annotations"] = a;
            }
            o
        })
        .collect();
    let body =
        serde_json::json!({ "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests });
    let mut resp = (
        StatusCode::OK,
        [("content-type", OCI_INDEX)],
        body.to_string(),
    )
        .into_response();
    if filter.is_some() {
        resp.headers_mut().insert(
            "oci-filters-applied",
            axum::http::HeaderValue::from_static("artifactType"),
        );
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 10), Ok(None));
        assert_eq!(parse_range(Some("bytes=0-3"), 10), Ok(Some((0, 3))));
        assert_eq!(parse_range(Some("bytes=5-"), 10), Ok(Some((5, 9))));
        assert_eq!(parse_range(Some("bytes=-4"), 10), Ok(Some((6, 9))));
        assert_eq!(parse_range(Some("bytes=8-100"), 10), Ok(Some((8, 9))));
        assert_eq!(parse_range(Some("bytes=10-12"), 10), Err(()));
        assert_eq!(parse_range(Some("bytes=4-2"), 10), Err(()));
        assert_eq!(parse_range(Some("items=0-1"), 10), Err(()));
    }
}
