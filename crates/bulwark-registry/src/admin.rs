//! The Docker token endpoint (`/token`) and the JSON admin API under `/api/v1/` (documented in
//! docs/registry.md).

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::access::{self, Action, Principal, Role};
use crate::audit::{self, Event};
use crate::auth::{self, Claims, Grant};
use crate::error::{ApiError, Code};
use crate::meta::{now, RobotRow};
use crate::names::valid_repo;
use crate::server::{
    audit_event, authenticate, check_password, client_addr, throttled, Auth, Login, Shared,
};
use crate::v2::parse_query;

/// `GET /token?service=...&scope=...&account=...`: issue a short-lived token granting the
/// requested actions that access control allows (possibly none). Bad credentials are a 401.
pub async fn token(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    st.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let addr = client_addr(&ci);
    let query = parse_query(uri.query());
    let mut principal = Principal::Anonymous;
    if let Some((name, password)) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(auth::parse_basic)
    {
        match check_password(&st, &addr, &name, &password) {
            Ok(Login::Throttled) => return throttled().into_response(),
            Ok(Login::Ok(p)) => {
                audit_event(
                    &st,
                    Event {
                        actor: p.name(),
                        addr: &addr,
                        action: "login",
                        resource: "",
                        reference: None,
                        digest: None,
                    },
                );
                principal = p;
            }
            Ok(Login::Bad) => {
                st.metrics.auth_failures.fetch_add(1, Ordering::Relaxed);
                audit_event(
                    &st,
                    Event {
                        actor: &name,
                        addr: &addr,
                        action: "login-failed",
                        resource: "",
                        reference: None,
                        digest: None,
                    },
                );
                return ApiError::new(Code::Unauthorized, "invalid username or password")
                    .into_response();
            }
            Err(e) => return ApiError::from(e).into_response(),
        }
    }
    let mut access = Vec::new();
    for (_, v) in query.iter().filter(|(k, _)| k == "scope") {
        for scope in v.split(' ').filter(|s| !s.is_empty()) {
            let Some(g) = Grant::parse_scope(scope) else {
                continue;
            };
            if g.kind == "registry" && g.name == "catalog" {
                if principal != Principal::Anonymous {
                    access.push(Grant {
                        actions: vec!["*".into()],
                        ..g
                    });
                }
                continue;
            }
            if g.kind != "repository" || !valid_repo(&g.name) {
                continue;
            }
            let mut granted = Vec::new();
            for a in &g.actions {
                let wanted: Vec<Action> = if a == "*" {
                    vec![Action::Pull, Action::Push, Action::Delete]
                } else {
                    Action::parse(a)
                        .into_iter()
                        .filter(|a| matches!(a, Action::Pull | Action::Push | Action::Delete))
                        .collect()
                };
                for w in wanted {
                    match access::allowed(&st.meta, &principal, &g.name, w) {
                        Ok(true) if !granted.contains(&w.as_str().to_string()) => {
                            granted.push(w.as_str().to_string())
                        }
                        Ok(_) => {}
                        Err(e) => return ApiError::from(e).into_response(),
                    }
                }
            }
            access.push(Grant {
                actions: granted,
                ..g
            });
        }
    }
    let t = now();
    let claims = Claims {
        iss: st.cfg.service.clone(),
        sub: match &principal {
            Principal::Anonymous => String::new(),
            p => p.name().to_string(),
        },
        aud: st.cfg.service.clone(),
        exp: t + st.cfg.token_ttl,
        nbf: t - 1,
        iat: t,
        jti: auth::random_hex(12),
        access,
    };
    match auth::sign(&claims, &st.secret) {
        Ok(tok) => {
            Json(json!({ "token": tok, "access_token": tok, "expires_in": st.cfg.token_ttl }))
                .into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Authenticate an admin API request; anonymous callers get a Basic challenge.
fn signed_in(
    st: &Shared,
    headers: &HeaderMap,
    ci: &ConnectInfo<SocketAddr>,
) -> Result<Principal, ApiError> {
    let basic = || {
        ApiError::new(Code::Unauthorized, "sign in")
            .with_challenge("Basic realm=\"bulwark-registry\"".into())
    };
    match authenticate(st, headers, "", &client_addr(ci)) {
        Ok(Auth::Anonymous) => Err(basic()),
        Ok(a) => Ok(a.principal().clone()),
        Err(e) if e.code == Code::TooManyRequests => Err(e),
        Err(_) => Err(basic()),
    }
}

fn denied(what: &str) -> ApiError {
    ApiError::new(Code::Denied, format!("{what} is denied"))
}

fn conflict(what: String) -> ApiError {
    ApiError::new(Code::NameInvalid, what).with_status(StatusCode::CONFLICT)
}

/// Body of `POST /api/v1/projects`.
#[derive(Debug, Deserialize)]
pub struct NewProject {
    name: String,
    #[serde(default)]
    public: bool,
}

/// `POST /api/v1/projects` (system admin).
pub async fn create_project(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(p): Json<NewProject>,
) -> Result<Response, ApiError> {
    let who = signed_in(&st, &headers, &ci)?;
    if !who.is_admin() {
        return Err(denied("creating projects"));
    }
    if p.name.contains('/') || !valid_repo(&p.name) {
        return Err(ApiError::new(
            Code::NameInvalid,
            format!("invalid project name {:?}", p.name),
        ));
    }
    if !st.meta.create_project(&p.name, p.public)? {
        return Err(conflict(format!("project {} exists", p.name)));
    }
    let detail = if p.public { "public" } else { "private" };
    audit_event(
        &st,
        Event {
            actor: who.name(),
            addr: &client_addr(&ci),
            action: "project-create",
            resource: &p.name,
            reference: Some(detail),
            digest: None,
        },
    );
    Ok((
        StatusCode::CREATED,
        Json(json!({ "name": p.name, "public": p.public })),
    )
        .into_response())
}

/// `GET /api/v1/projects`: the projects the caller can see.
pub async fn list_projects(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let who = signed_in(&st, &headers, &ci)?;
    let mut out = Vec::new();
    for (name, public) in st.meta.projects()? {
        if public || access::allowed_in_project(&st.meta, &who, &name, Action::Pull)? {
            out.push(json!({ "name": name, "public": public }));
        }
    }
    Ok(Json(out).into_response())
}

/// Body of `POST /api/v1/users`.
#[derive(Debug, Deserialize)]
pub struct NewUser {
    name: String,
    password: String,
    #[serde(default)]
    admin: bool,
}

fn valid_user(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

/// `POST /api/v1/users` (system admin).
pub async fn create_user(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(u): Json<NewUser>,
) -> Result<Response, ApiError> {
    let who = signed_in(&st, &headers, &ci)?;
    if !who.is_admin() {
        return Err(denied("creating users"));
    }
    if !valid_user(&u.name) {
        return Err(ApiError::new(
            Code::NameInvalid,
            format!("invalid user name {:?} (a-z 0-9 . _ -)", u.name),
        ));
    }
    if u.password.len() < 8 {
        return Err(
            ApiError::new(Code::Denied, "password shorter than 8 characters")
                .with_status(StatusCode::BAD_REQUEST),
        );
    }
    let hash = auth::hash_password(&u.password)?;
    if !st.meta.create_user(&u.name, &hash, u.admin)? {
        return Err(conflict(format!("user {} exists", u.name)));
    }
    let detail = if u.admin { "system-admin" } else { "user" };
    audit_event(
        &st,
        Event {
            actor: who.name(),
            addr: &client_addr(&ci),
            action: "user-create",
            resource: &u.name,
            reference: Some(detail),
            digest: None,
        },
    );
    Ok((
        StatusCode::CREATED,
        Json(json!({ "name": u.name, "admin": u.admin })),
    )
        .into_response())
}

/// Body of `POST /api/v1/projects/{project}/members`.
#[derive(Debug, Deserialize)]
pub struct NewMember {
    user: String,
    role: String,
}

/// `POST /api/v1/projects/{project}/members` (system admin or project admin).
pub async fn add_member(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    Path(project): Path<String>,
    headers: HeaderMap,
    Json(m): Json<NewMember>,
) -> Result<Response, ApiError> {
    let who = signed_in(&st, &headers, &ci)?;
    if st.meta.project_public(&project)?.is_none() {
        return Err(ApiError::new(
            Code::NameUnknown,
            format!("project {project} does not exist"),
        ));
    }
    if !access::allowed_in_project(&st.meta, &who, &project, Action::Manage)? {
        return Err(denied("managing members"));
    }
    let role = Role::parse(&m.role).ok_or_else(|| {
        ApiError::new(
            Code::Unsupported,
            format!(
                "unknown role {:?} (admin, maintainer, developer, reader, limited-guest)",
                m.role
            ),
        )
        .with_status(StatusCode::BAD_REQUEST)
    })?;
    if st.meta.user(&m.user)?.is_none() {
        return Err(ApiError::new(
            Code::NameUnknown,
            format!("user {} does not exist", m.user),
        ));
    }
    st.meta.set_member(&project, &m.user, role.as_str())?;
    audit_event(
        &st,
        Event {
            actor: who.name(),
            addr: &client_addr(&ci),
            action: "member-add",
            resource: &project,
            reference: Some(&format!("{}={}", m.user, role.as_str())),
            digest: None,
        },
    );
    Ok((
        StatusCode::CREATED,
        Json(json!({ "project": project, "user": m.user, "role": role.as_str() })),
    )
        .into_response())
}

/// `GET /api/v1/projects/{project}/members`.
pub async fn list_members(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    Path(project): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let who = signed_in(&st, &headers, &ci)?;
    if !access::allowed_in_project(&st.meta, &who, &project, Action::ListMembers)? {
        return Err(denied("listing members"));
    }
    let out: Vec<_> = st
        .meta
        .members(&project)?
        .into_iter()
        .map(|(u, r)| json!({ "user": u, "role": r }))
        .collect();
    Ok(Json(out).into_response())
}

/// Body of `POST /api/v1/projects/{project}/robots`.
#[derive(Debug, Deserialize)]
pub struct NewRobot {
    name: String,
    scopes: Vec<String>,
    #[serde(default)]
    expires_in_days: Option<i64>,
}

/// `POST /api/v1/projects/{project}/robots` (system admin or project admin). The secret is in
/// this answer only; the registry keeps its argon2 hash.
pub async fn create_robot(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    Path(project): Path<String>,
    headers: HeaderMap,
    Json(r): Json<NewRobot>,
) -> Result<Response, ApiError> {
    let who = signed_in(&st, &headers, &ci)?;
    if st.meta.project_public(&project)?.is_none() {
        return Err(ApiError::new(
            Code::NameUnknown,
            format!("project {project} does not exist"),
        ));
    }
    if !access::allowed_in_project(&st.meta, &who, &project, Action::Manage)? {
        return Err(denied("creating robots"));
    }
    if !valid_user(&r.name) {
        return Err(ApiError::new(
            Code::NameInvalid,
            format!("invalid robot name {:?}", r.name),
        ));
    }
    let mut scopes = Vec::new();
    for s in r
        .scopes
        .iter()
        .flat_map(|s| s.split(','))
        .filter(|s| !s.is_empty())
    {
        match Action::parse(s) {
            Some(a @ (Action::Pull | Action::Push | Action::Delete)) => {
                if !scopes.contains(&a) {
                    scopes.push(a)
                }
            }
            _ => {
                return Err(ApiError::new(
                    Code::Unsupported,
                    format!("unknown robot scope {s:?} (pull, push, delete)"),
                )
                .with_status(StatusCode::BAD_REQUEST))
            }
        }
    }
    if scopes.is_empty() {
        return Err(
            ApiError::new(Code::Unsupported, "a robot needs at least one scope")
                .with_status(StatusCode::BAD_REQUEST),
        );
    }
    scopes.sort();
    let name = format!("robot${project}+{}", r.name);
    let secret = auth::random_hex(24);
    let expires = r
        .expires_in_days
        .filter(|d| *d > 0)
        .map(|d| now() + d * 86_400);
    let scope_text = scopes
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let row = RobotRow {
        name: name.clone(),
        project: project.clone(),
        hash: auth::hash_password(&secret)?,
        scopes: scope_text.clone(),
        expires,
    };
    if !st.meta.create_robot(&row)? {
        return Err(conflict(format!("robot {name} exists")));
    }
    audit_event(
        &st,
        Event {
            actor: who.name(),
            addr: &client_addr(&ci),
            action: "robot-create",
            resource: &project,
            reference: Some(&format!("{name}={scope_text}")),
            digest: None,
        },
    );
    Ok((StatusCode::CREATED, Json(json!({ "name": name, "secret": secret, "scopes": scopes.iter().map(|a| a.as_str()).collect::<Vec<_>>(), "expires": expires }))).into_response())
}

/// Query of `GET /api/v1/audit`.
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    after: i64,
    limit: Option<usize>,
}

/// `GET /api/v1/audit?after=SEQ&limit=N`: entries as JSON lines (system admin).
pub async fn audit_export(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    let who = signed_in(&st, &headers, &ci)?;
    if !who.is_admin() {
        return Err(denied("reading the audit log"));
    }
    let mut out = String::new();
    for e in audit::entries(&st.meta, q.after, q.limit)? {
        out.push_str(&serde_json::to_string(&e).map_err(ApiError::internal)?);
        out.push('\n');
    }
    Ok(([("content-type", "application/x-ndjson")], out).into_response())
}

/// `GET /api/v1/audit/verify`: check the hash chain (system admin).
pub async fn audit_verify(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let who = signed_in(&st, &headers, &ci)?;
    if !who.is_admin() {
        return Err(denied("verifying the audit log"));
    }
    Ok(Json(audit::verify(&st.meta)?).into_response())
}

/// Body of `PUT /api/v1/projects/{project}/rules`.
#[derive(Debug, Deserialize)]
pub struct Rules {
    #[serde(default)]
    quota_bytes: Option<u64>,
    #[serde(default)]
    immutable_tags: Vec<String>,
}

/// `PUT /api/v1/projects/{project}/rules`: storage quota and immutable tag patterns
/// (system admin).
pub async fn set_rules(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    Path(project): Path<String>,
    headers: HeaderMap,
    Json(r): Json<Rules>,
) -> Result<Response, ApiError> {
    let who = signed_in(&st, &headers, &ci)?;
    if !who.is_admin() {
        return Err(denied("changing project rules"));
    }
    if !st
        .meta
        .set_project_rules(&project, r.quota_bytes, &r.immutable_tags)?
    {
        return Err(ApiError::new(
            Code::NameUnknown,
            format!("project {project} does not exist"),
        ));
    }
    let detail = format!("quota={:?} immutable={:?}", r.quota_bytes, r.immutable_tags);
    audit_event(
        &st,
        Event {
            actor: who.name(),
            addr: &client_addr(&ci),
            action: "rules-set",
            resource: &project,
            reference: Some(&detail),
            digest: None,
        },
    );
    Ok(Json(json!({ "project": project, "quota_bytes": r.quota_bytes, "immutable_tags": r.immutable_tags })).into_response())
}

/// `GET /api/v1/projects/{project}/usage`: quota and bytes used, each shared blob counted once.
pub async fn usage(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    Path(project): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let who = signed_in(&st, &headers, &ci)?;
    if !access::allowed_in_project(&st.meta, &who, &project, Action::ListMembers)? {
        return Err(denied("reading usage"));
    }
    let (quota, used) = st.meta.project_usage(&project)?;
    Ok(
        Json(json!({ "project": project, "quota_bytes": quota, "used_bytes": used }))
            .into_response(),
    )
}

/// Body of `POST /api/v1/gc`.
#[derive(Debug, Deserialize)]
pub struct GcRequest {
    #[serde(default)]
    dry_run: bool,
    #[serde(default = "default_grace")]
    grace_seconds: i64,
}

fn default_grace() -> i64 {
    3600
}

/// `POST /api/v1/gc`: collect garbage while serving (system admin).
pub async fn gc(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(g): Json<GcRequest>,
) -> Result<Response, ApiError> {
    let who = signed_in(&st, &headers, &ci)?;
    if !who.is_admin() {
        return Err(denied("garbage collection"));
    }
    let report = crate::gc::collect(&st, g.grace_seconds.max(0), g.dry_run).await?;
    if !g.dry_run {
        let detail = format!(
            "deleted={} freed={}",
            report.deleted.len(),
            report.freed_bytes
        );
        audit_event(
            &st,
            Event {
                actor: who.name(),
                addr: &client_addr(&ci),
                action: "gc",
                resource: "",
                reference: Some(&detail),
                digest: None,
            },
        );
    }
    Ok(Json(report).into_response())
}

/// Body of `POST /api/v1/projects/{project}/retention`.
#[derive(Debug, Deserialize)]
pub struct RetentionRequest {
    #[serde(default)]
    keep_last: Option<usize>,
    #[serde(default)]
    keep_days: Option<i64>,
    #[serde(default = "yes")]
    dry_run: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v1/projects/{project}/retention`: remove tags beyond the rules; a dry run
/// unless `"dry_run": false` (system or project admin).
pub async fn retention(
    State(st): State<Shared>,
    ci: ConnectInfo<SocketAddr>,
    Path(project): Path<String>,
    headers: HeaderMap,
    Json(r): Json<RetentionRequest>,
) -> Result<Response, ApiError> {
    let who = signed_in(&st, &headers, &ci)?;
    if !access::allowed_in_project(&st.meta, &who, &project, Action::Manage)? {
        return Err(denied("retention"));
    }
    let expired = crate::gc::retention(&st, &project, r.keep_last, r.keep_days, r.dry_run)?;
    if !r.dry_run {
        for e in &expired {
            audit_event(
                &st,
                Event {
                    actor: who.name(),
                    addr: &client_addr(&ci),
                    action: "delete",
                    resource: &e.repo,
                    reference: Some(&e.tag),
                    digest: Some(&e.digest),
                },
            );
        }
    }
    Ok(Json(json!({ "dry_run": r.dry_run, "expired": expired })).into_response())
}
