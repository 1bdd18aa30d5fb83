//! `registry:` against real registries started here: Debian's `docker-registry` (the CNCF
//! distribution registry) on free loopback ports, without auth, with htpasswd basic auth and
//! with token auth (a token server in this test issues RS256 JWTs signed with `openssl`),
//! all three sharing one storage directory. Images are built with the real Docker Engine and
//! pushed with `skopeo`; a multi-platform OCI index is written by hand and pushed with
//! `skopeo copy --all`. A fake registry in the test serves tampered documents and redirects.
//!
//! Needs: `docker-registry`, `skopeo`, `htpasswd` (apache2-utils), `openssl`, a Docker Engine
//! and a static `/bin/busybox` (busybox-static). Missing tools fail the tests with a message.

// The library's own error type, returned once per pull.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bulwark_source::auth::{Credential, DockerConfig};
use bulwark_source::registry::open_registry_with;
use bulwark_source::{open, ImageWalk, Platform, SourceError, SourceOptions, Target};
use bulwark_walk::{Algorithm, Digest, EntryMeta, Visitor, WalkErrorKind};

struct Capture;

impl Visitor for Capture {
    type Output = Vec<u8>;
    fn wants(&self, e: &EntryMeta<'_>) -> bool {
        e.size <= 64 << 10
    }
    fn visit(&self, _e: &EntryMeta<'_>, data: &[u8]) -> Vec<u8> {
        data.to_vec()
    }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (is the tool installed?)"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "registry on port {port} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A `docker-registry serve` process, killed when dropped.
struct Registry {
    child: Child,
    port: u16,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_registry(dir: &Path, name: &str, storage: &Path, auth: &str) -> Registry {
    let port = free_port();
    let config = dir.join(format!("{name}.yml"));
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: false\nhttp:\n  addr: 127.0.0.1:{port}\n{auth}",
            storage.display()
        ),
    )
    .unwrap();
    let child = Command::new("/usr/bin/docker-registry")
        .arg("serve")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("these tests need Debian's docker-registry (apt-get install docker-registry)");
    wait_for_port(port);
    Registry { child, port }
}

/// Removes the images it names when dropped.
struct Images(Vec<String>);

impl Drop for Images {
    fn drop(&mut self) {
        for i in self.0.iter().rev() {
            let _ = Command::new("docker").args(["rmi", "-f", i]).output();
        }
    }
}

fn unique() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// Build an image with the engine (imported busybox root, then COPY and RUN rm steps), save it
/// to `save.tar` for comparison, push it as Docker schema 2 and as OCI, and remove it.
fn build_and_push(dir: &Path, port: u16) -> PathBuf {
    assert!(
        Path::new("/bin/busybox").is_file(),
        "these tests need a static /bin/busybox (apt-get install busybox-static)"
    );
    let u = unique();
    let base = format!("bulwark-test-registry-base:{u}");
    let tag = format!("bulwark-test-registry:{u}");
    let _images = Images(vec![base.clone(), tag.clone()]);
    let root = dir.join("root");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::copy("/bin/busybox", root.join("bin/busybox")).unwrap();
    for l in ["sh", "rm", "mkdir", "echo"] {
        std::os::unix::fs::symlink("busybox", root.join("bin").join(l)).unwrap();
    }
    run(Command::new("tar")
        .arg("-C")
        .arg(&root)
        .arg("-cf")
        .arg(dir.join("root.tar"))
        .arg("."));
    run(Command::new("docker")
        .arg("import")
        .arg(dir.join("root.tar"))
        .arg(&base));
    let ctx = dir.join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("a.txt"), "file a\n").unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        format!(
            "FROM {base}\nCOPY a.txt /a.txt\nRUN rm /a.txt && mkdir /made && echo made > /made/f\nCOPY a.txt /b.txt\n"
        ),
    )
    .unwrap();
    run(Command::new("docker")
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "-q", "-t", &tag])
        .arg(&ctx));
    let save = dir.join("save.tar");
    run(Command::new("docker")
        .args(["save", "-o"])
        .arg(&save)
        .arg(&tag));
    for (dest, format) in [("t/img:v2s2", "v2s2"), ("t/img:oci", "oci")] {
        run(Command::new("skopeo").args([
            "copy",
            "--quiet",
            "--dest-tls-verify=false",
            "--format",
            format,
            &format!("docker-daemon:{tag}"),
            &format!("docker://127.0.0.1:{port}/{dest}"),
        ]));
    }
    save
}

fn sha256(data: &[u8]) -> String {
    Digest::of(Algorithm::Sha256, data).to_string()
}

/// Write an OCI layout holding an index of two single-layer images (linux/amd64 and
/// linux/arm64/v8, each with its own `/arch` file), tagged `multi`.
fn write_multi_platform_layout(dir: &Path) {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let put = |data: &[u8]| -> (String, usize) {
        let d = sha256(data);
        std::fs::write(blobs.join(d.trim_start_matches("sha256:")), data).unwrap();
        (d, data.len())
    };
    let mut entries = Vec::new();
    for (arch, variant) in [("amd64", None), ("arm64", Some("v8"))] {
        let mut tar = tar::Builder::new(Vec::new());
        let content = format!("{arch}\n");
        let mut h = tar::Header::new_gnu();
        h.set_size(content.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, "arch", content.as_bytes()).unwrap();
        let layer_tar = tar.into_inner().unwrap();
        let diff_id = sha256(&layer_tar);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&layer_tar).unwrap();
        let (layer, layer_size) = put(&gz.finish().unwrap());
        let variant_json = variant
            .map(|v| format!(",\"variant\":\"{v}\""))
            .unwrap_or_default();
        let config = format!(
            "{{\"architecture\":\"{arch}\",\"os\":\"linux\"{variant_json},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{diff_id}\"]}},\"config\":{{}}}}"
        );
        let (config, config_size) = put(config.as_bytes());
        let manifest = format!(
            "{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{config}\",\"size\":{config_size}}},\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"{layer}\",\"size\":{layer_size}}}]}}"
        );
        let (m, m_size) = put(manifest.as_bytes());
        entries.push(format!(
            "{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{m}\",\"size\":{m_size},\"platform\":{{\"architecture\":\"{arch}\",\"os\":\"linux\"{variant_json}}}}}"
        ));
    }
    let index = format!(
        "{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{}]}}",
        entries.join(",")
    );
    let (i, i_size) = put(index.as_bytes());
    std::fs::write(dir.join("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}").unwrap();
    std::fs::write(
        dir.join("index.json"),
        format!(
            "{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"{i}\",\"size\":{i_size},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"multi\"}}}}]}}"
        ),
    )
    .unwrap();
}

type Summary = (
    Vec<(String, bulwark_walk::Node)>,
    Vec<(String, usize, bool, Vec<u8>)>,
);

fn summary(w: &ImageWalk<Vec<u8>>) -> Summary {
    (
        w.walk
            .view
            .iter()
            .map(|(p, n)| (p.to_string(), n.clone()))
            .collect(),
        w.walk
            .captured
            .iter()
            .map(|c| (c.path.clone(), c.layer, c.visible, c.output.clone()))
            .collect(),
    )
}

fn pull(
    reference: &str,
    opts: &SourceOptions,
    cred: Option<Credential>,
) -> Result<ImageWalk<Vec<u8>>, SourceError> {
    open_registry_with(reference, opts, cred)?.walk(&Capture, &opts.limits)
}

/// The digest the registry reports for a manifest (`Docker-Content-Digest`), read with skopeo.
fn skopeo_digest(port: u16, r: &str) -> String {
    let raw = Command::new("skopeo")
        .args([
            "inspect",
            "--tls-verify=false",
            "--raw",
            &format!("docker://127.0.0.1:{port}/{r}"),
        ])
        .output()
        .unwrap()
        .stdout;
    sha256(&raw)
}

fn alice() -> Credential {
    Credential::Basic {
        username: "alice".into(),
        password: "wonder land".into(),
    }
}

fn mallory() -> Credential {
    Credential::Basic {
        username: "alice".into(),
        password: "guess".into(),
    }
}

/// A token server for the registry's `auth.token` mode: checks basic credentials, grants the
/// scopes asked for, and signs an RS256 JWT with `openssl dgst -sha256 -sign`.
struct TokenServer {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

fn b64url(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

fn start_token_server(key: PathBuf, cert_der: Vec<u8>) -> TokenServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&requests);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let (target, headers) = read_request(&conn);
            log.lock().unwrap().push(target.clone());
            let good = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("alice:wonder land")
            );
            if headers.get("authorization") != Some(&good) {
                respond(&conn, 401, &[], b"{\"details\":\"bad credentials\"}");
                continue;
            }
            let query = target.split_once('?').map(|(_, q)| q).unwrap_or_default();
            let mut access = Vec::new();
            for kv in query.split('&') {
                if let Some(v) = kv.strip_prefix("scope=") {
                    let v = percent_decode(v);
                    let mut parts = v.splitn(3, ':');
                    let (Some(kind), Some(name), Some(actions)) =
                        (parts.next(), parts.next(), parts.next())
                    else {
                        continue;
                    };
                    let actions: Vec<String> =
                        actions.split(',').map(|a| format!("\"{a}\"")).collect();
                    access.push(format!(
                        "{{\"type\":\"{kind}\",\"name\":\"{name}\",\"actions\":[{}]}}",
                        actions.join(",")
                    ));
                }
            }
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let header = format!(
                "{{\"typ\":\"JWT\",\"alg\":\"RS256\",\"x5c\":[\"{}\"]}}",
                base64::engine::general_purpose::STANDARD.encode(&cert_der)
            );
            let claims = format!(
                "{{\"iss\":\"bulwark-test-issuer\",\"sub\":\"alice\",\"aud\":\"bulwark-test-registry\",\"exp\":{},\"nbf\":{},\"iat\":{now},\"jti\":\"{}\",\"access\":[{}]}}",
                now + 600,
                now - 60,
                unique(),
                access.join(",")
            );
            let signing_input = format!(
                "{}.{}",
                b64url(header.as_bytes()),
                b64url(claims.as_bytes())
            );
            let mut openssl = Command::new("openssl")
                .args(["dgst", "-sha256", "-sign"])
                .arg(&key)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            openssl
                .stdin
                .take()
                .unwrap()
                .write_all(signing_input.as_bytes())
                .unwrap();
            let sig = openssl.wait_with_output().unwrap().stdout;
            let jwt = format!("{signing_input}.{}", b64url(&sig));
            // `access_token` (OAuth2 style) rather than `token`: the client must read both.
            let body = format!("{{\"access_token\":\"{jwt}\",\"expires_in\":600}}");
            respond(&conn, 200, &[], body.as_bytes());
        }
    });
    TokenServer { port, requests }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&String::from_utf8_lossy(&b[i + 1..i + 3]), 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// Read a request head: the target and lower-cased headers.
fn read_request(conn: &TcpStream) -> (String, HashMap<String, String>) {
    let mut reader = BufReader::new(conn);
    // Bytes, not `read_line`: a TLS hello (the client tries https first) is not UTF-8.
    let mut raw = Vec::new();
    let _ = reader.read_until(b'\n', &mut raw);
    let line = String::from_utf8_lossy(&raw).into_owned();
    let target = line.split(' ').nth(1).unwrap_or_default().to_string();
    let mut headers = HashMap::new();
    let mut content_length = 0usize;
    loop {
        let mut raw = Vec::new();
        if reader.read_until(b'\n', &mut raw).unwrap_or(0) == 0 {
            break;
        }
        let h = String::from_utf8_lossy(&raw).into_owned();
        if h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            if k == "content-length" {
                content_length = v.trim().parse().unwrap_or(0);
            }
            headers.insert(k, v.trim().to_string());
        }
    }
    let mut body = vec![0; content_length];
    let _ = reader.read_exact(&mut body);
    // A request body (the refresh-token form) is logged with the target.
    let target = if body.is_empty() {
        target
    } else {
        format!("{target}#{}", String::from_utf8_lossy(&body))
    };
    (target, headers)
}

fn respond(mut conn: &TcpStream, status: u16, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(body);
}

fn gen_token_cert(dir: &Path) -> (PathBuf, PathBuf, Vec<u8>) {
    let key = dir.join("token.key");
    let cert = dir.join("token.pem");
    run(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=bulwark-test-token-issuer", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert));
    let der = dir.join("token.der");
    run(Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&cert)
        .arg("-out")
        .arg(&der));
    let der = std::fs::read(der).unwrap();
    (key, cert, der)
}

#[test]
fn real_registries_with_each_auth_flow() {
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("storage");
    let open_reg = start_registry(dir.path(), "open", &storage, "");
    let save = build_and_push(dir.path(), open_reg.port);
    let layout = dir.path().join("layout");
    write_multi_platform_layout(&layout);
    run(Command::new("skopeo").args([
        "copy",
        "--quiet",
        "--all",
        "--dest-tls-verify=false",
        &format!("oci:{}:multi", layout.display()),
        &format!("docker://127.0.0.1:{}/t/multi:1", open_reg.port),
    ]));

    // Basic auth: htpasswd -B, as `docker-registry` requires bcrypt.
    let htpasswd = run(Command::new("htpasswd").args(["-Bbn", "alice", "wonder land"]));
    std::fs::write(dir.path().join("htpasswd"), format!("{htpasswd}\n")).unwrap();
    let basic_reg = start_registry(
        dir.path(),
        "basic",
        &storage,
        &format!(
            "auth:\n  htpasswd:\n    realm: bulwark-test\n    path: {}\n",
            dir.path().join("htpasswd").display()
        ),
    );
    // Token auth: the registry trusts tokens signed by this certificate's key.
    let (key, cert, der) = gen_token_cert(dir.path());
    let tokens = start_token_server(key, der);
    let token_reg = start_registry(
        dir.path(),
        "token",
        &storage,
        &format!(
            "auth:\n  token:\n    realm: http://127.0.0.1:{}/token\n    service: bulwark-test-registry\n    issuer: bulwark-test-issuer\n    rootcertbundle: {}\n",
            tokens.port,
            cert.display()
        ),
    );

    let opts = SourceOptions::default();
    let reference = |port: u16, r: &str| format!("127.0.0.1:{port}/{r}");
    let expected = open(&Target::DockerArchive(save), &opts)
        .unwrap()
        .walk(&Capture, &opts.limits)
        .unwrap();
    let want = summary(&expected);

    // (a) Anonymous, Docker schema 2 and OCI manifests: the same files as `docker save`.
    let v2 = pull(&reference(open_reg.port, "t/img:v2s2"), &opts, None).unwrap();
    assert_eq!(summary(&v2), want);
    assert_eq!(v2.meta.config_digest, expected.meta.config_digest);
    assert_eq!(v2.meta.source, "registry");
    assert_eq!(v2.meta.names, vec![reference(open_reg.port, "t/img:v2s2")]);
    let v2_digest = skopeo_digest(open_reg.port, "t/img:v2s2");
    assert_eq!(v2.meta.manifest_digest.as_deref(), Some(v2_digest.as_str()));
    assert_eq!(
        v2.meta.layers[0].media_type.as_deref(),
        Some("application/vnd.docker.image.rootfs.diff.tar.gzip")
    );
    let oci = pull(&reference(open_reg.port, "t/img:oci"), &opts, None).unwrap();
    assert_eq!(summary(&oci), want);
    assert_eq!(
        oci.meta.layers[0].media_type.as_deref(),
        Some("application/vnd.oci.image.layer.v1.tar+gzip")
    );
    let visible: Vec<&str> = v2
        .walk
        .captured
        .iter()
        .filter(|c| c.visible)
        .map(|c| c.path.as_str())
        .collect();
    assert_eq!(visible, vec!["/made/f", "/b.txt"]);
    // By digest (verified), and through `open` with the prefix-form target.
    let by_digest = pull(
        &reference(open_reg.port, &format!("t/img@{v2_digest}")),
        &opts,
        None,
    )
    .unwrap();
    assert_eq!(summary(&by_digest), want);
    let via_open = open(
        &Target::parse(&format!(
            "registry:{}",
            reference(open_reg.port, "t/img:oci")
        ))
        .unwrap(),
        &opts,
    )
    .unwrap();
    assert_eq!(via_open.meta.layers.len(), 4);
    // Unknown tag: NotFound.
    let missing = pull(&reference(open_reg.port, "t/img:nope"), &opts, None)
        .err()
        .unwrap();
    assert!(matches!(missing, SourceError::NotFound { .. }), "{missing}");

    // Multi-platform index: the platform asked for.
    for (platform, arch) in [
        ("linux/amd64", "amd64"),
        ("linux/arm64", "arm64"),
        ("linux/arm64/v8", "arm64"),
    ] {
        let o = SourceOptions {
            platform: Platform::parse(platform).unwrap(),
            ..SourceOptions::default()
        };
        let w = pull(&reference(open_reg.port, "t/multi:1"), &o, None).unwrap();
        assert_eq!(w.meta.platform.as_ref().unwrap().architecture, arch);
        let (_, files) = summary(&w);
        assert_eq!(
            files,
            vec![(
                "/arch".to_string(),
                0,
                true,
                format!("{arch}\n").into_bytes()
            )]
        );
    }
    let s390 = SourceOptions {
        platform: Platform::parse("linux/s390x").unwrap(),
        ..SourceOptions::default()
    };
    let err = pull(&reference(open_reg.port, "t/multi:1"), &s390, None)
        .err()
        .unwrap();
    assert!(
        matches!(&err, SourceError::NotFound { what } if what.contains("linux/amd64, linux/arm64/v8")),
        "{err}"
    );

    // (b) Basic auth: credentials from a config.json, then wrong and missing ones.
    let cfg_dir = dir.path().join("docker-config");
    std::fs::create_dir_all(&cfg_dir).unwrap();
    std::fs::write(
        cfg_dir.join("config.json"),
        format!(
            "{{\"auths\":{{\"127.0.0.1:{}\":{{\"auth\":\"{}\"}}}}}}",
            basic_reg.port,
            base64::engine::general_purpose::STANDARD.encode("alice:wonder land")
        ),
    )
    .unwrap();
    let from_config = DockerConfig::load(&cfg_dir)
        .unwrap()
        .credential_for(&format!("127.0.0.1:{}", basic_reg.port))
        .unwrap();
    assert_eq!(from_config, Some(alice()));
    let w = pull(&reference(basic_reg.port, "t/img:v2s2"), &opts, from_config).unwrap();
    assert_eq!(summary(&w), want);
    let err = pull(
        &reference(basic_reg.port, "t/img:v2s2"),
        &opts,
        Some(mallory()),
    )
    .err()
    .unwrap();
    assert!(
        matches!(&err, SourceError::Remote { reason, .. } if reason.contains("unauthorized") && reason.contains("configured credentials")),
        "{err}"
    );
    let err = pull(&reference(basic_reg.port, "t/img:v2s2"), &opts, None)
        .err()
        .unwrap();
    assert!(
        matches!(&err, SourceError::Remote { reason, .. } if reason.contains("docker login")),
        "{err}"
    );

    // (c) Token auth: the bearer challenge, a token for the repository's pull scope.
    let w = pull(
        &reference(token_reg.port, "t/img:oci"),
        &opts,
        Some(alice()),
    )
    .unwrap();
    assert_eq!(summary(&w), want);
    let asked = tokens.requests.lock().unwrap().clone();
    assert!(
        asked
            .iter()
            .any(|r| r.contains("scope=repository%3At%2Fimg%3Apull")
                && r.contains("service=bulwark%2Dtest%2Dregistry")),
        "{asked:?}"
    );
    let err = pull(
        &reference(token_reg.port, "t/img:oci"),
        &opts,
        Some(mallory()),
    )
    .err()
    .unwrap();
    assert!(
        matches!(&err, SourceError::Remote { reason, .. } if reason.contains("token server refused")),
        "{err}"
    );
}

/// A fake registry: fixed answers per request target, every request logged with its
/// `Authorization` header.
struct Fake {
    port: u16,
    log: Arc<Log>,
}

/// Requests seen: target and `Authorization` header.
type Log = Mutex<Vec<(String, Option<String>)>>;

type Routes = HashMap<String, (u16, Vec<(&'static str, String)>, Vec<u8>)>;

/// With `auth` (required `Authorization`, challenge), other requests get a 401 and the
/// challenge.
fn start_fake(routes: Arc<Mutex<Routes>>, auth: Option<(String, String)>) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = Arc::clone(&log);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let (target, headers) = read_request(&conn);
            l.lock()
                .unwrap()
                .push((target.clone(), headers.get("authorization").cloned()));
            let path = target
                .split(['?', '#'])
                .next()
                .unwrap_or_default()
                .to_string();
            if let Some((want, challenge)) = &auth {
                if headers.get("authorization") != Some(want) {
                    respond(
                        &conn,
                        401,
                        &[("WWW-Authenticate", challenge.clone())],
                        b"{}",
                    );
                    continue;
                }
            }
            let routes = routes.lock().unwrap();
            match routes.get(&path) {
                Some((status, h, body)) => respond(&conn, *status, h, body),
                None => respond(
                    &conn,
                    404,
                    &[],
                    b"{\"errors\":[{\"code\":\"NOT_FOUND\",\"message\":\"no\"}]}",
                ),
            }
        }
    });
    Fake { port, log }
}

/// Tampered documents, the `token` answer field, and redirects to another host.
#[test]
fn fake_registry_tampering_tokens_and_redirects() {
    let mut tar = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(3);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append_data(&mut h, "etc/x", &b"xyz"[..]).unwrap();
    let layer = tar.into_inner().unwrap();
    let layer_digest = sha256(&layer);
    let config = format!(
        "{{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{layer_digest}\"]}}}}"
    );
    let config_digest = sha256(config.as_bytes());
    let manifest = format!(
        "{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"{config_digest}\",\"size\":{}}},\"layers\":[{{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar\",\"digest\":\"{layer_digest}\",\"size\":{}}}]}}",
        config.len(),
        layer.len()
    );
    let manifest_digest = sha256(manifest.as_bytes());
    let other_digest = sha256(b"other content");

    // Blob storage on "another host": `localhost` rather than `127.0.0.1`.
    let storage_routes = Arc::new(Mutex::new(Routes::new()));
    let storage = start_fake(Arc::clone(&storage_routes), None);
    storage_routes
        .lock()
        .unwrap()
        .insert("/layer".into(), (200, vec![], layer.clone()));

    let token_routes = Arc::new(Mutex::new(Routes::new()));
    let tok = start_fake(Arc::clone(&token_routes), None);
    token_routes.lock().unwrap().insert(
        "/auth".into(),
        (200, vec![], b"{\"token\":\"T0KEN\"}".to_vec()),
    );
    let challenge = format!(
        "Bearer realm=\"http://127.0.0.1:{}/auth\",service=\"fake\"",
        tok.port
    );
    let routes = Arc::new(Mutex::new(Routes::new()));
    let reg = start_fake(
        Arc::clone(&routes),
        Some(("Bearer T0KEN".to_string(), challenge.clone())),
    );
    let manifest_headers = |digest: &str| {
        vec![
            (
                "Content-Type",
                "application/vnd.docker.distribution.manifest.v2+json".to_string(),
            ),
            ("Docker-Content-Digest", digest.to_string()),
        ]
    };
    {
        let mut r = routes.lock().unwrap();
        r.insert("/v2/".into(), (200, vec![], b"{}".to_vec()));
        r.insert(
            "/v2/a/b/manifests/good".into(),
            (
                200,
                manifest_headers(&manifest_digest),
                manifest.clone().into_bytes(),
            ),
        );
        // Pulled by a digest that is not the content's.
        r.insert(
            format!("/v2/a/b/manifests/{other_digest}"),
            (
                200,
                manifest_headers(&other_digest),
                manifest.clone().into_bytes(),
            ),
        );
        // The registry announces a digest the bytes do not have.
        r.insert(
            "/v2/a/b/manifests/lying".into(),
            (
                200,
                manifest_headers(&other_digest),
                manifest.clone().into_bytes(),
            ),
        );
        r.insert(
            format!("/v2/a/b/blobs/{config_digest}"),
            (200, vec![], config.clone().into_bytes()),
        );
        r.insert(
            format!("/v2/a/b/blobs/{layer_digest}"),
            (
                307,
                vec![(
                    "Location",
                    format!("http://localhost:{}/layer", storage.port),
                )],
                vec![],
            ),
        );
    }
    let opts = SourceOptions::default();
    let reference = |r: &str| format!("127.0.0.1:{}/a/b{r}", reg.port);
    let w = pull(&reference(":good"), &opts, Some(alice())).unwrap();
    assert_eq!(
        w.meta.manifest_digest.as_deref(),
        Some(manifest_digest.as_str())
    );
    assert_eq!(
        summary(&w).1,
        vec![("/etc/x".to_string(), 0, true, b"xyz".to_vec())]
    );
    let reg_log = reg.log.lock().unwrap().clone();
    let storage_log = storage.log.lock().unwrap().clone();
    let tok_log = tok.log.lock().unwrap().clone();
    // The first request met the challenge; the token server got alice's basic credentials.
    assert_eq!(tok_log.len(), 1, "{tok_log:?}");
    assert!(tok_log[0]
        .0
        .starts_with("/auth?scope=repository%3Aa%2Fb%3Apull&service=fake"));
    assert_eq!(tok_log[0].1.as_deref(), alice().basic_header().as_deref());
    // The blob request carried the token; the redirected one to another host carried nothing.
    assert!(reg_log
        .iter()
        .any(|(t, a)| t == &format!("/v2/a/b/blobs/{layer_digest}")
            && a.as_deref() == Some("Bearer T0KEN")));
    assert_eq!(storage_log, vec![("/layer".to_string(), None)]);

    // An identity token (OAuth2 refresh token from `docker login` with SSO) is exchanged with
    // a POST, never sent as basic auth.
    let w = pull(
        &reference(":good"),
        &opts,
        Some(Credential::IdentityToken("refresh me".into())),
    )
    .unwrap();
    assert_eq!(
        w.meta.manifest_digest.as_deref(),
        Some(manifest_digest.as_str())
    );
    let tok_log = tok.log.lock().unwrap().clone();
    assert_eq!(
        tok_log.get(1),
        Some(&(
            "/auth#grant_type=refresh_token&refresh_token=refresh%20me&client_id=bulwark&scope=repository%3Aa%2Fb%3Apull&service=fake".to_string(),
            None
        )),
        "{tok_log:?}"
    );

    // Tampering.
    let err = pull(&reference(&format!("@{other_digest}")), &opts, None)
        .err()
        .unwrap();
    assert!(
        matches!(&err, SourceError::DigestMismatch { expected, actual, .. } if expected == &other_digest && actual == &manifest_digest),
        "{err}"
    );
    let err = pull(&reference(":lying"), &opts, None).err().unwrap();
    assert!(
        matches!(&err, SourceError::DigestMismatch { what, .. } if what.contains("Docker-Content-Digest")),
        "{err}"
    );
    routes.lock().unwrap().insert(
        format!("/v2/a/b/blobs/{config_digest}"),
        (200, vec![], config.replace("amd64", "arm64").into_bytes()),
    );
    let err = pull(&reference(":good"), &opts, None).err().unwrap();
    assert!(
        matches!(&err, SourceError::DigestMismatch { expected, .. } if expected == &config_digest),
        "{err}"
    );
    routes.lock().unwrap().insert(
        format!("/v2/a/b/blobs/{config_digest}"),
        (200, vec![], config.clone().into_bytes()),
    );
    storage_routes
        .lock()
        .unwrap()
        .insert("/layer".into(), (200, vec![], layer.repeat(2)));
    let err = pull(&reference(":good"), &opts, None).err().unwrap();
    assert!(
        matches!(&err, SourceError::Walk { source, .. } if matches!(source.kind, WalkErrorKind::DigestMismatch { .. })),
        "{err}"
    );
}

/// Hostile or broken registry answers are errors naming what went wrong.
#[test]
fn fake_registry_hostile_documents() {
    let routes = Arc::new(Mutex::new(Routes::new()));
    let reg = start_fake(Arc::clone(&routes), None);
    let manifest_route = |r: &mut Routes, name: &str, body: Vec<u8>, media: &str| {
        r.insert(
            format!("/v2/h/i/manifests/{name}"),
            (200, vec![("Content-Type", media.to_string())], body),
        );
    };
    let oci_index = "application/vnd.oci.image.index.v1+json";
    {
        let mut r = routes.lock().unwrap();
        r.insert("/v2/".into(), (200, vec![], b"{}".to_vec()));
        manifest_route(
            &mut r,
            "garbage",
            b"{\"layers\": 7".to_vec(),
            "application/json",
        );
        manifest_route(
            &mut r,
            "huge",
            vec![b' '; 17 << 20],
            "application/vnd.oci.image.manifest.v1+json",
        );
        manifest_route(
            &mut r,
            "schema1",
            b"{\"schemaVersion\":1}".to_vec(),
            "application/vnd.docker.distribution.manifest.v1+prettyjws",
        );
        manifest_route(
            &mut r,
            "noconfig",
            b"{\"schemaVersion\":2,\"layers\":[]}".to_vec(),
            "application/vnd.oci.image.manifest.v1+json",
        );
        // Five indexes, each pointing at the next.
        let mut child = b"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:00\"}}".to_vec();
        for level in 0..6 {
            let digest = sha256(&child);
            manifest_route(&mut r, &digest, child.clone(), oci_index);
            if level == 5 {
                manifest_route(&mut r, "deep", child.clone(), oci_index);
            }
            child = format!(
                "{{\"schemaVersion\":2,\"mediaType\":\"{oci_index}\",\"manifests\":[{{\"digest\":\"{digest}\",\"size\":1}}]}}"
            )
            .into_bytes();
        }
    }
    let opts = SourceOptions::default();
    let pull_err = |tag: &str| {
        pull(&format!("127.0.0.1:{}/h/i:{tag}", reg.port), &opts, None)
            .err()
            .unwrap_or_else(|| panic!("{tag}: accepted"))
    };
    let err = pull_err("garbage");
    assert!(matches!(err, SourceError::Malformed { .. }), "{err}");
    let err = pull_err("huge");
    assert!(
        matches!(&err, SourceError::Remote { reason, .. } if reason.contains("exceeds")),
        "{err}"
    );
    let err = pull_err("schema1");
    assert!(
        matches!(&err, SourceError::Unsupported(m) if m.contains("schema 1")),
        "{err}"
    );
    let err = pull_err("noconfig");
    assert!(
        matches!(&err, SourceError::Malformed { reason, .. } if reason.contains("no config")),
        "{err}"
    );
    let err = pull_err("deep");
    assert!(
        matches!(&err, SourceError::Hostile { reason, .. } if reason.contains("nested")),
        "{err}"
    );
    let err = pull_err("absent");
    assert!(matches!(err, SourceError::NotFound { .. }), "{err}");
    // Nothing listens there.
    let port = free_port();
    let err = pull(&format!("127.0.0.1:{port}/h/i:1"), &opts, None)
        .err()
        .unwrap();
    assert!(
        matches!(&err, SourceError::Remote { reason, .. } if reason.contains("cannot reach")),
        "{err}"
    );
}

/// A one-layer Docker schema 2 image: (manifest, its digest, routes serving it under `a/b`).
fn tiny_image_routes() -> (String, Routes) {
    let mut tar = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(3);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append_data(&mut h, "etc/x", &b"xyz"[..]).unwrap();
    let layer = tar.into_inner().unwrap();
    let layer_digest = sha256(&layer);
    let config = format!(
        "{{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{layer_digest}\"]}}}}"
    );
    let config_digest = sha256(config.as_bytes());
    let manifest = format!(
        "{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"{config_digest}\",\"size\":{}}},\"layers\":[{{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar\",\"digest\":\"{layer_digest}\",\"size\":{}}}]}}",
        config.len(),
        layer.len()
    );
    let manifest_digest = sha256(manifest.as_bytes());
    let mut r = Routes::new();
    r.insert("/v2/".into(), (200, vec![], b"{}".to_vec()));
    r.insert(
        "/v2/a/b/manifests/good".into(),
        (
            200,
            vec![(
                "Content-Type",
                "application/vnd.docker.distribution.manifest.v2+json".to_string(),
            )],
            manifest.into_bytes(),
        ),
    );
    r.insert(
        format!("/v2/a/b/blobs/{config_digest}"),
        (200, vec![], config.into_bytes()),
    );
    r.insert(
        format!("/v2/a/b/blobs/{layer_digest}"),
        (200, vec![], layer),
    );
    (manifest_digest, r)
}

/// Run only as a child of `docker_config_from_the_environment`, with the environment it sets:
/// `open(registry:...)` as the CLI calls it, credentials found through `DOCKER_CONFIG`.
#[test]
#[ignore = "run by docker_config_from_the_environment with its environment"]
fn child_open_with_environment_credentials() {
    let target = std::env::var("BULWARK_TEST_TARGET").expect("run by the parent test");
    let want = std::env::var("BULWARK_TEST_DIGEST").unwrap();
    let image = open(&Target::parse(&target).unwrap(), &SourceOptions::default()).unwrap();
    assert_eq!(image.meta.manifest_digest.as_deref(), Some(want.as_str()));
    let w = image
        .walk(&Capture, &SourceOptions::default().limits)
        .unwrap();
    assert_eq!(
        summary(&w).1,
        vec![("/etc/x".to_string(), 0, true, b"xyz".to_vec())]
    );
}

/// `$DOCKER_CONFIG/config.json` with an `auths` entry, then with a `credsStore` helper found
/// on `PATH`, both against a registry that wants basic auth. The environment is set for a
/// child process (this test binary again), never in this multi-threaded one.
#[test]
fn docker_config_from_the_environment() {
    let (digest, routes) = tiny_image_routes();
    let basic = alice().basic_header().unwrap();
    let reg = start_fake(
        Arc::new(Mutex::new(routes)),
        Some((basic.clone(), "Basic realm=\"fake\"".to_string())),
    );
    let host = format!("127.0.0.1:{}", reg.port);
    let dir = tempfile::tempdir().unwrap();
    let auths = dir.path().join("auths");
    std::fs::create_dir_all(&auths).unwrap();
    std::fs::write(
        auths.join("config.json"),
        format!(
            "{{\"auths\":{{\"http://{host}\":{{\"auth\":\"{}\"}}}}}}",
            base64::engine::general_purpose::STANDARD.encode("alice:wonder land")
        ),
    )
    .unwrap();
    let store = dir.path().join("store");
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(
        store.join("config.json"),
        "{\"credsStore\":\"bulwarktest\"}",
    )
    .unwrap();
    let helper = bin.join("docker-credential-bulwarktest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\nread addr\n[ \"$1 $addr\" = \"get {host}\" ] || exit 1\necho '{{\"ServerURL\":\"{host}\",\"Username\":\"alice\",\"Secret\":\"wonder land\"}}'\n"
        ),
    )
    .unwrap();
    let mut perms = std::fs::metadata(&helper).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&helper, perms).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    for (config_dir, should_pass) in [(&auths, true), (&store, true), (&empty, false)] {
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "registry::child_open_with_environment_credentials",
                "--ignored",
                "--nocapture",
            ])
            .env("DOCKER_CONFIG", config_dir)
            .env("PATH", &path)
            .env("BULWARK_TEST_TARGET", format!("registry:{host}/a/b:good"))
            .env("BULWARK_TEST_DIGEST", &digest)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("1 passed") || text.contains("1 failed"),
            "{text}"
        );
        assert_eq!(
            out.status.success(),
            should_pass,
            "{}: {text}",
            config_dir.display()
        );
        if !should_pass {
            assert!(text.contains("docker login"), "{text}");
        }
    }
}
