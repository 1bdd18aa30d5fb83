//! The HTTP service: shared state, the router, authentication of each request, and the
//! per-request authorisation decision. OCI endpoints live in `v2`, the token endpoint and admin
//! API in `admin`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;

use crate::access::{self, Action, Principal};
use crate::audit;
use crate::auth::{self, Grant, VerifyCache};
use crate::error::{ApiError, Code, RegistryError};
use crate::meta::{now, Meta};
use crate::store::BlobStore;

/// How to run a registry.
#[derive(Debug, Clone)]
pub struct Config {
    /// Directory holding blobs, upload sessions and the SQLite database.
    pub root: PathBuf,
    /// The token service name (`service=` in challenges, `aud`/`iss` in tokens).
    pub service: String,
    /// Lifetime of issued tokens, seconds.
    pub token_ttl: i64,
    /// Accept manifests with foreign (non-distributable) layers whose bytes are elsewhere.
    pub allow_foreign_layers: bool,
    /// Password of the system admin `admin`, needed on the first start only.
    pub admin_password: Option<String>,
    /// Serve HTTPS with this PEM certificate chain and PEM private key.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Keep the metadata in this PostgreSQL database (`postgres://...`) instead of SQLite
    /// under `root`, so several registry processes can share it.
    pub metadata: Option<String>,
    /// Keep blobs and upload sessions in this S3-compatible bucket
    /// (`s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION]`) instead of under `root`.
    pub storage: Option<String>,
}

impl Config {
    /// Defaults for a registry under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Config {
        Config {
            root: root.into(),
            service: "bulwark-registry".to_string(),
            token_ttl: 300,
            allow_foreign_layers: false,
            admin_password: None,
            tls: None,
            metadata: None,
            storage: None,
        }
    }
}

/// Counters exported at `/metrics` in Prometheus text format.
#[derive(Debug, Default)]
pub struct Metrics {
    pub(crate) requests: AtomicU64,
    pub(crate) bytes_in: AtomicU64,
    pub(crate) bytes_out: AtomicU64,
    pub(crate) manifests_pushed: AtomicU64,
    pub(crate) manifests_pulled: AtomicU64,
    pub(crate) auth_failures: AtomicU64,
    pub(crate) denied: AtomicU64,
    pub(crate) uploads_started: AtomicU64,
}

impl Metrics {
    fn render(&self) -> String {
        let rows = [
            (
                "bulwark_registry_http_requests_total",
                "HTTP requests served",
                &self.requests,
            ),
            (
                "bulwark_registry_received_bytes_total",
                "Blob bytes received",
                &self.bytes_in,
            ),
            (
                "bulwark_registry_sent_bytes_total",
                "Blob bytes sent",
                &self.bytes_out,
            ),
            (
                "bulwark_registry_manifests_pushed_total",
                "Manifests pushed",
                &self.manifests_pushed,
            ),
            (
                "bulwark_registry_manifests_pulled_total",
                "Manifests pulled",
                &self.manifests_pulled,
            ),
            (
                "bulwark_registry_auth_failures_total",
                "Failed authentications",
                &self.auth_failures,
            ),
            (
                "bulwark_registry_denied_total",
                "Requests denied by access control",
                &self.denied,
            ),
            (
                "bulwark_registry_uploads_started_total",
                "Blob upload sessions started",
                &self.uploads_started,
            ),
        ];
        let mut out = String::new();
        for (name, help, v) in rows {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}\n",
                v.load(Ordering::Relaxed)
            ));
        }
        out
    }
}

/// Everything a request handler needs.
#[derive(Debug)]
pub struct AppState {
    pub(crate) cfg: Config,
    pub(crate) store: BlobStore,
    pub(crate) meta: Meta,
    pub(crate) secret: Vec<u8>,
    pub(crate) cache: VerifyCache,
    pub(crate) metrics: Metrics,
    /// Shared by commits and manifest pushes, exclusive for garbage collection (see `gc`).
    pub(crate) gc_lock: tokio::sync::RwLock<()>,
    /// Upload sessions with a request writing to them right now (one writer per session).
    pub(crate) busy_uploads: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Recent failed logins per (client address, name): count and window start.
    pub(crate) failures:
        std::sync::Mutex<std::collections::HashMap<(String, String), (u32, std::time::Instant)>>,
}

/// Shared state handle.
pub type Shared = Arc<AppState>;

/// A registry: opened storage and metadata, ready to serve.
#[derive(Debug, Clone)]
pub struct Registry {
    state: Shared,
}

impl Registry {
    /// Open storage and metadata under `cfg.root`; on the first start create the system admin
    /// `admin` with `cfg.admin_password` (an error when it is missing).
    pub fn open(cfg: Config) -> Result<Registry, RegistryError> {
        std::fs::create_dir_all(&cfg.root).map_err(crate::error::io_err("creating", &cfg.root))?;
        let store = match cfg.storage.as_deref() {
            Some(url) => BlobStore::open_s3(&cfg.root, url)?,
            None => BlobStore::open(&cfg.root)?,
        };
        let meta = match cfg.metadata.as_deref() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Meta::open_postgres(url)?
            }
            Some(other) => {
                return Err(RegistryError::Config(format!(
                    "metadata {other}: expected postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME"
                )))
            }
            None => Meta::open(&cfg.root.join("registry.db"))?,
        };
        let secret = meta
            .setting_init("token_secret", &auth::random_hex(32))?
            .into_bytes();
        if meta.user("admin")?.is_none() {
            let Some(pw) = cfg.admin_password.as_deref().filter(|p| !p.is_empty()) else {
                return Err(RegistryError::Config(
                    "first start: set BULWARK_REGISTRY_ADMIN_PASSWORD to the password of the system admin `admin`".into(),
                ));
            };
            meta.create_user("admin", &auth::hash_password(pw)?, true)?;
            audit::record(
                &meta,
                &audit::Event {
                    actor: "system",
                    addr: "",
                    action: "user-create",
                    resource: "admin",
                    reference: Some("system-admin"),
                    digest: None,
                },
            )?;
        }
        let state = AppState {
            cfg,
            store,
            meta,
            secret,
            cache: VerifyCache::default(),
            metrics: Metrics::default(),
            gc_lock: tokio::sync::RwLock::new(()),
            busy_uploads: std::sync::Mutex::default(),
            failures: std::sync::Mutex::default(),
        };
        Ok(Registry {
            state: Arc::new(state),
        })
    }

    /// The metadata database (for offline commands such as `audit verify`).
    pub fn meta(&self) -> &Meta {
        &self.state.meta
    }

    /// The axum router serving every endpoint.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/v2", any(crate::v2::handle))
            .route("/v2/", any(crate::v2::handle))
            .route("/v2/{*rest}", any(crate::v2::handle))
            .route("/token", get(crate::admin::token))
            .route("/healthz", get(healthz))
            .route("/metrics", get(metrics))
            .route(
                "/api/v1/projects",
                post(crate::admin::create_project).get(crate::admin::list_projects),
            )
            .route(
                "/api/v1/projects/{project}/members",
                post(crate::admin::add_member).get(crate::admin::list_members),
            )
            .route(
                "/api/v1/projects/{project}/robots",
                post(crate::admin::create_robot),
            )
            .route(
                "/api/v1/projects/{project}/rules",
                axum::routing::put(crate::admin::set_rules),
            )
            .route("/api/v1/projects/{project}/usage", get(crate::admin::usage))
            .route(
                "/api/v1/projects/{project}/retention",
                post(crate::admin::retention),
            )
            .route("/api/v1/gc", post(crate::admin::gc))
            .route("/api/v1/users", post(crate::admin::create_user))
            .route("/api/v1/audit", get(crate::admin::audit_export))
            .route("/api/v1/audit/verify", get(crate::admin::audit_verify))
            .layer(axum::middleware::map_response(api_version_header))
            .layer(axum::middleware::from_fn(log_request))
            .with_state(self.state.clone())
    }

    /// Serve HTTPS on `listener` until `shutdown` completes, then finish in-flight requests.
    pub async fn serve_tls(
        self,
        listener: crate::tls::TlsListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        use axum::serve::ListenerExt;
        let app = self
            .router()
            .into_make_service_with_connect_info::<SocketAddr>();
        // `tap_io` only to get axum's peer-address plumbing for a custom listener.
        axum::serve(listener.tap_io(|_| {}), app)
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// Serve on `listener` until `shutdown` completes, then finish in-flight requests.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let app = self
            .router()
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

/// One structured log line per request (`RUST_LOG=bulwark_registry=info` to see them).
async fn log_request(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let started = std::time::Instant::now();
    let resp = next.run(req).await;
    tracing::info!(
        target: "bulwark_registry::access",
        %method,
        path,
        peer,
        status = resp.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    resp
}

async fn api_version_header(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        "docker-distribution-api-version",
        HeaderValue::from_static("registry/2.0"),
    );
    resp
}

async fn healthz(State(st): State<Shared>) -> Response {
    match st.meta.setting("token_secret") {
        Ok(Some(_)) => (StatusCode::OK, "ok\n").into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "metadata unavailable\n").into_response(),
    }
}

async fn metrics(State(st): State<Shared>) -> Response {
    (
        [("content-type", "text/plain; version=0.0.4")],
        st.metrics.render(),
    )
        .into_response()
}

/// How a request authenticated.
#[derive(Debug, Clone)]
pub enum Auth {
    /// No credentials.
    Anonymous,
    /// HTTP Basic credentials that verified.
    Basic(Principal),
    /// A valid bearer token: who, and what the token grants.
    Bearer(Principal, Vec<Grant>),
}

impl Auth {
    /// The principal.
    pub fn principal(&self) -> &Principal {
        match self {
            Auth::Anonymous => &Principal::Anonymous,
            Auth::Basic(p) | Auth::Bearer(p, _) => p,
        }
    }
}

/// The client address as text.
pub fn client_addr(ci: &ConnectInfo<SocketAddr>) -> String {
    ci.0.ip().to_string()
}

/// The `WWW-Authenticate` challenge for `scope` (empty for none).
pub fn challenge(st: &AppState, headers: &HeaderMap, scope: &str) -> String {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if st.cfg.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let mut c = format!(
        "Bearer realm=\"{scheme}://{host}/token\",service=\"{}\"",
        st.cfg.service
    );
    if !scope.is_empty() {
        c.push_str(&format!(",scope=\"{scope}\""));
    }
    c
}

/// The outcome of a password check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// The credentials are right.
    Ok(Principal),
    /// Unknown name, wrong password or expired robot.
    Bad,
    /// Too many recent failures for this name from this address: refused without checking.
    Throttled,
}

/// Failed logins allowed per client address and name within [`THROTTLE_WINDOW`].
pub const THROTTLE_FAILURES: u32 = 10;
/// The window for [`THROTTLE_FAILURES`].
pub const THROTTLE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// Check name and password of a user or robot (`robot$...`) from client address `addr`.
/// After [`THROTTLE_FAILURES`] failures for one (address, name) within [`THROTTLE_WINDOW`],
/// further attempts are refused until the window ends (keyed by address too, so nobody can
/// lock an account out from elsewhere).
pub fn check_password(
    st: &AppState,
    addr: &str,
    name: &str,
    password: &str,
) -> Result<Login, RegistryError> {
    let key = (addr.to_string(), name.to_string());
    {
        let mut f = st.failures.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((n, since)) = f.get(&key) {
            if since.elapsed() >= THROTTLE_WINDOW {
                f.remove(&key);
            } else if *n >= THROTTLE_FAILURES {
                return Ok(Login::Throttled);
            }
        }
    }
    let found = verify_account(st, name, password)?;
    let mut f = st.failures.lock().unwrap_or_else(|p| p.into_inner());
    match found {
        Some(p) => {
            f.remove(&key);
            Ok(Login::Ok(p))
        }
        None => {
            if f.len() > 100_000 {
                f.retain(|_, (_, since)| since.elapsed() < THROTTLE_WINDOW);
            }
            let e = f.entry(key).or_insert((0, std::time::Instant::now()));
            e.0 += 1;
            Ok(Login::Bad)
        }
    }
}

fn verify_account(
    st: &AppState,
    name: &str,
    password: &str,
) -> Result<Option<Principal>, RegistryError> {
    if name.starts_with("robot$") {
        let Some(r) = st.meta.robot(name)? else {
            return Ok(None);
        };
        if r.expires.is_some_and(|e| e <= now()) || !st.cache.verify(name, password, &r.hash) {
            return Ok(None);
        }
        return Ok(Some(robot_principal(&r)));
    }
    let Some(u) = st.meta.user(name)? else {
        return Ok(None);
    };
    if !st.cache.verify(name, password, &u.hash) {
        return Ok(None);
    }
    Ok(Some(Principal::User {
        name: u.name,
        admin: u.admin,
    }))
}

fn robot_principal(r: &crate::meta::RobotRow) -> Principal {
    Principal::Robot {
        name: r.name.clone(),
        project: r.project.clone(),
        scopes: r.scopes.split(',').filter_map(Action::parse).collect(),
        expires: r.expires,
    }
}

/// Who a token's subject is now (a deleted or expired account loses its tokens at once).
fn principal_of_subject(st: &AppState, sub: &str) -> Result<Option<Principal>, RegistryError> {
    if sub.is_empty() {
        return Ok(Some(Principal::Anonymous));
    }
    if sub.starts_with("robot$") {
        return Ok(st
            .meta
            .robot(sub)?
            .filter(|r| r.expires.is_none_or(|e| e > now()))
            .map(|r| robot_principal(&r)));
    }
    Ok(st.meta.user(sub)?.map(|u| Principal::User {
        name: u.name,
        admin: u.admin,
    }))
}

/// Authenticate a request from its `Authorization` header. Bad credentials are a 401 with a
/// challenge for `scope`.
pub fn authenticate(
    st: &AppState,
    headers: &HeaderMap,
    scope: &str,
    addr: &str,
) -> Result<Auth, ApiError> {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Ok(Auth::Anonymous);
    };
    let fail = |msg: &str| {
        st.metrics.auth_failures.fetch_add(1, Ordering::Relaxed);
        ApiError::new(Code::Unauthorized, msg).with_challenge(challenge(st, headers, scope))
    };
    if let Some(token) = value.strip_prefix("Bearer ") {
        let Some(claims) = auth::verify(token.trim(), &st.secret, &st.cfg.service) else {
            return Err(fail("invalid or expired token"));
        };
        let Some(p) = principal_of_subject(st, &claims.sub)? else {
            return Err(fail("token subject no longer exists"));
        };
        return Ok(Auth::Bearer(p, claims.access));
    }
    let Some((name, password)) = auth::parse_basic(value) else {
        return Err(fail("unsupported authorization scheme"));
    };
    match check_password(st, addr, &name, &password)? {
        Login::Ok(p) => Ok(Auth::Basic(p)),
        Login::Bad => Err(fail("invalid username or password")),
        Login::Throttled => Err(throttled()),
    }
}

/// The answer to a throttled login.
pub fn throttled() -> ApiError {
    ApiError::new(
        Code::TooManyRequests,
        "too many failed logins; try again in a minute",
    )
}

/// Decide whether the authenticated request may do `action` on `repo`: RBAC always, and for a
/// bearer token also the token's grant. Anonymous or under-scoped requests get a 401 challenge
/// (so clients fetch a token), authenticated ones a 403.
pub fn authorize(
    st: &AppState,
    auth: &Auth,
    headers: &HeaderMap,
    repo: &str,
    action: Action,
) -> Result<(), ApiError> {
    let rbac = access::allowed(&st.meta, auth.principal(), repo, action)?;
    let scope_actions = match action {
        Action::Pull => "pull",
        Action::Delete => "delete",
        _ => "pull,push",
    };
    let scope = format!("repository:{repo}:{scope_actions}");
    // A request that came with a token gets `error="insufficient_scope"` (Docker token spec):
    // clients then report "denied" at once, where a bare 401 to a HEAD request (no body to
    // read the code from) makes Docker retry for a minute.
    let unauthorized = |with_token: bool| {
        st.metrics.denied.fetch_add(1, Ordering::Relaxed);
        let mut ch = challenge(st, headers, &scope);
        if with_token {
            ch.push_str(",error=\"insufficient_scope\"");
        }
        ApiError::new(Code::Unauthorized, "authentication required").with_challenge(ch)
    };
    let denied = || {
        st.metrics.denied.fetch_add(1, Ordering::Relaxed);
        ApiError::new(
            Code::Denied,
            format!("requested access to {repo} ({action}) is denied"),
        )
    };
    match auth {
        Auth::Anonymous if rbac => Ok(()),
        Auth::Anonymous => Err(unauthorized(false)),
        Auth::Basic(_) if rbac => Ok(()),
        Auth::Basic(_) => Err(denied()),
        Auth::Bearer(p, grants) => {
            if !rbac {
                return Err(if *p == Principal::Anonymous {
                    unauthorized(true)
                } else {
                    denied()
                });
            }
            if grants.iter().any(|g| g.covers(repo, action))
                || (action == Action::Pull && public_pull(st, repo))
            {
                Ok(())
            } else {
                Err(unauthorized(true))
            }
        }
    }
}

fn public_pull(st: &AppState, repo: &str) -> bool {
    st.meta
        .project_public(crate::names::project_of(repo))
        .ok()
        .flatten()
        .unwrap_or(false)
}

/// Record an audit event, logging (not failing the request) when the log cannot be written.
pub fn audit_event(st: &AppState, ev: audit::Event<'_>) {
    if let Err(e) = audit::record(&st.meta, &ev) {
        tracing::error!("audit log write failed: {e}");
    }
}

/// Run a registry until SIGINT or SIGTERM on its own multi-threaded runtime, then finish the
/// requests in flight. `on_listening` is told the bound address (useful with port 0).
pub fn serve_blocking(
    cfg: Config,
    listen: &str,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), RegistryError> {
    let tls = match &cfg.tls {
        Some((cert, key)) => Some(crate::tls::acceptor(cert, key)?),
        None => None,
    };
    let reg = Registry::open(cfg)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| RegistryError::Config(format!("starting the runtime: {e}")))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| RegistryError::Config(format!("listening on {listen}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| RegistryError::Config(format!("listening on {listen}: {e}")))?;
        on_listening(addr);
        let served = match tls {
            Some(acceptor) => {
                let tls_listener = crate::tls::TlsListener::new(listener, acceptor)
                    .map_err(|e| RegistryError::Config(format!("listening on {listen}: {e}")))?;
                reg.serve_tls(tls_listener, shutdown_signal()).await
            }
            None => reg.serve(listener, shutdown_signal()).await,
        };
        served.map_err(|e| RegistryError::Config(format!("serving on {addr}: {e}")))
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
