//! `docker:` against the machine's real Docker Engine: images built here from generated files
//! (an imported root filesystem with a static busybox, then `docker build` steps that add,
//! delete and link files) are read through the Engine API and compared with the same image
//! exported by `docker save` and read as `docker-archive:`.
//!
//! Needs: a running Docker Engine the test user may use, the `docker` CLI, and a static busybox
//! at `/bin/busybox` (Debian: `busybox-static`). Missing tools fail the tests with a message.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use bulwark_source::engine::{should_try_registry, DockerHost, Engine};
use bulwark_source::{open, ImageWalk, SourceError, SourceOptions, Target};
use bulwark_walk::{EntryMeta, NodeKind, Visitor};

/// Captures every small file whole.
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

/// Removes the images it names when dropped.
struct Images(Vec<String>);

impl Drop for Images {
    fn drop(&mut self) {
        for i in self.0.iter().rev() {
            let _ = Command::new("docker").args(["rmi", "-f", i]).output();
        }
    }
}

struct Fixture {
    tag: String,
    _images: Images,
    _dir: tempfile::TempDir,
}

fn build_fixture() -> Fixture {
    assert!(
        Path::new("/bin/busybox").is_file(),
        "these tests need a static /bin/busybox (apt-get install busybox-static)"
    );
    let dir = tempfile::tempdir().unwrap();
    let unique = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let base = format!("bulwark-test-engine-base:{unique}");
    let tag = format!("bulwark-test-engine:{unique}");
    let images = Images(vec![base.clone(), tag.clone()]);
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::copy("/bin/busybox", root.join("bin/busybox")).unwrap();
    for l in ["sh", "rm", "mkdir", "echo", "ln"] {
        std::os::unix::fs::symlink("busybox", root.join("bin").join(l)).unwrap();
    }
    std::fs::write(
        root.join("etc/os-release"),
        "ID=bulwarktest\nVERSION_ID=1\n",
    )
    .unwrap();
    run(Command::new("tar")
        .arg("-C")
        .arg(&root)
        .arg("-cf")
        .arg(dir.path().join("root.tar"))
        .arg("."));
    run(Command::new("docker")
        .arg("import")
        .arg(dir.path().join("root.tar"))
        .arg(&base));
    let ctx = dir.path().join("ctx");
    std::fs::create_dir_all(ctx.join("d")).unwrap();
    std::fs::write(ctx.join("a.txt"), "file a\n").unwrap();
    std::fs::write(ctx.join("b.txt"), "file b\n").unwrap();
    std::fs::write(ctx.join("d/x"), "x\n").unwrap();
    std::fs::write(ctx.join("d/y"), "y\n").unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        format!(
            "FROM {base}\n\
             COPY a.txt /data/a.txt\n\
             COPY d/ /data/d/\n\
             RUN rm /data/a.txt && rm /data/d/x && mkdir -p /new/sub && echo hello > /new/sub/f\n\
             COPY b.txt /data/b.txt\n\
             RUN ln -s /data/b.txt /link\n\
             ENV GREETING=hi\n"
        ),
    )
    .unwrap();
    run(Command::new("docker")
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "-q", "-t", &tag])
        .arg(&ctx));
    Fixture {
        tag,
        _images: images,
        _dir: dir,
    }
}

type Files = Vec<(String, usize, bool, Vec<u8>)>;

fn summary(w: &ImageWalk<Vec<u8>>) -> (Vec<(String, bulwark_walk::Node)>, Files) {
    let view = w
        .walk
        .view
        .iter()
        .map(|(p, n)| (p.to_string(), n.clone()))
        .collect();
    let files = w
        .walk
        .captured
        .iter()
        .map(|c| (c.path.clone(), c.layer, c.visible, c.output.clone()))
        .collect();
    (view, files)
}

fn walk(target: &Target) -> ImageWalk<Vec<u8>> {
    let opts = SourceOptions::default();
    let image = open(target, &opts).unwrap_or_else(|e| panic!("{target}: {e}"));
    image.walk(&Capture, &opts.limits).unwrap()
}

/// One test builds the image, runs every check on it and removes it (a shared fixture in a
/// static would never be dropped, leaving images behind).
#[test]
fn engine_source_on_a_built_image() {
    let f = build_fixture();
    walk_equals_docker_save_archive(&f);
    by_id_and_over_tcp(&f);
    over_tcp_with_tls(&f);
}

fn walk_equals_docker_save_archive(f: &Fixture) {
    let opts = SourceOptions::default();
    let image = open(&Target::Docker(f.tag.clone()), &opts).unwrap();
    let id = run(Command::new("docker").args(["inspect", "-f", "{{.Id}}", &f.tag]));
    // Metadata from the inspect answer, before any layer is read.
    assert_eq!(image.meta.source, "docker");
    assert_eq!(image.meta.names, vec![f.tag.clone()]);
    assert_eq!(image.meta.config_digest.as_deref(), Some(id.as_str()));
    assert_eq!(image.meta.layers.len(), 6);
    let config = image.meta.config.clone().unwrap();
    assert!(config.config.env.contains(&"GREETING=hi".to_string()));
    let via_engine = image.walk(&Capture, &opts.limits).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("save.tar");
    run(Command::new("docker")
        .args(["save", "-o"])
        .arg(&archive)
        .arg(&f.tag));
    let via_save = walk(&Target::DockerArchive(archive));

    assert_eq!(via_engine.meta.config_digest.as_deref(), Some(id.as_str()));
    assert_eq!(via_engine.meta.config_digest, via_save.meta.config_digest);
    assert_eq!(via_engine.meta.names, vec![f.tag.clone()]);
    assert_eq!(via_engine.meta.source, "docker");
    let diff_ids = |w: &ImageWalk<Vec<u8>>| -> Vec<Option<String>> {
        w.meta.layers.iter().map(|l| l.diff_id.clone()).collect()
    };
    assert_eq!(diff_ids(&via_engine), diff_ids(&via_save));
    assert_eq!(via_engine.stats, via_save.stats);
    let (view_e, files_e) = summary(&via_engine);
    let (view_s, files_s) = summary(&via_save);
    assert_eq!(view_e, view_s);
    assert_eq!(files_e, files_s);

    // And the view is the one the Dockerfile makes.
    let v = &via_engine.walk.view;
    assert!(v.get("/data/a.txt").is_none(), "deleted by RUN rm");
    assert!(v.get("/data/d/x").is_none(), "deleted by RUN rm");
    assert_eq!(v.get("/data/d/y").map(|n| n.layer), Some(2));
    assert_eq!(v.get("/data/b.txt").map(|n| n.layer), Some(4));
    assert_eq!(
        v.get("/link").map(|n| n.kind.clone()),
        Some(NodeKind::Symlink("/data/b.txt".into()))
    );
    assert_eq!(v.get("/bin/busybox").map(|n| n.layer), Some(0));
    let visible = |path: &str| -> Vec<u8> {
        via_engine
            .walk
            .captured
            .iter()
            .find(|c| c.path == path && c.visible)
            .map(|c| c.output.clone())
            .unwrap_or_default()
    };
    assert_eq!(visible("/new/sub/f"), b"hello\n");
    assert_eq!(
        visible("/etc/os-release"),
        b"ID=bulwarktest\nVERSION_ID=1\n"
    );
    // The deleted file was captured from its layer but is not visible.
    let a: Vec<(usize, bool)> = via_engine
        .walk
        .captured
        .iter()
        .filter(|c| c.path == "/data/a.txt")
        .map(|c| (c.layer, c.visible))
        .collect();
    assert_eq!(a, vec![(1, false)]);
}

fn by_id_and_over_tcp(f: &Fixture) {
    let id = run(Command::new("docker").args(["inspect", "-f", "{{.Id}}", &f.tag]));
    // A TCP endpoint in front of the engine's socket, as `dockerd -H tcp://...` would offer.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(tcp) = conn else { return };
            let Ok(unix) = UnixStream::connect("/var/run/docker.sock") else {
                return;
            };
            pipe(tcp, unix);
        }
    });
    let engine = Engine::new(
        DockerHost::parse(Some(&format!("tcp://127.0.0.1:{port}")), false, None).unwrap(),
    )
    .unwrap();
    let opts = SourceOptions::default();
    let image = engine.open_image(&id, &opts).unwrap();
    assert_eq!(image.meta.names, vec![f.tag.clone()]);
    let w = image.walk(&Capture, &opts.limits).unwrap();
    assert_eq!(w.meta.config_digest.as_deref(), Some(id.as_str()));
    assert_eq!(summary(&w), summary(&walk(&Target::Docker(f.tag.clone()))));
}

fn pipe(tcp: std::net::TcpStream, unix: UnixStream) {
    let (mut t1, mut u1) = (tcp.try_clone().unwrap(), unix.try_clone().unwrap());
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut t1, &mut u1);
        let _ = u1.shutdown(std::net::Shutdown::Write);
    });
    let (mut t2, mut u2) = (tcp, unix);
    std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        loop {
            match u2.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if t2.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = t2.shutdown(std::net::Shutdown::Both);
    });
}

#[test]
fn missing_image_is_not_found() {
    let err = open(
        &Target::Docker("bulwark-no-such-image:never".into()),
        &SourceOptions::default(),
    )
    .err()
    .expect("no such image");
    assert!(
        matches!(&err, SourceError::NotFound { what } if what.contains("bulwark-no-such-image:never")),
        "{err}"
    );
    assert!(should_try_registry(&err));
}

#[test]
fn unreachable_engine_means_try_the_registry() {
    let engine = Engine::new(DockerHost::Unix("/nonexistent/docker.sock".into())).unwrap();
    let err = engine
        .open_image("alpine", &SourceOptions::default())
        .err()
        .expect("no engine there");
    assert!(
        matches!(&err, SourceError::Unsupported(m) if m.contains("no Docker Engine at unix:///nonexistent/docker.sock")),
        "{err}"
    );
    assert!(should_try_registry(&err));
    let err = open(&Target::Docker("a b".into()), &SourceOptions::default())
        .err()
        .expect("bad name");
    assert!(matches!(err, SourceError::Malformed { .. }), "{err}");
    assert!(!should_try_registry(&err));
}

/// Certificates as `dockerd --tlsverify` setups use them: a CA, a server certificate for
/// 127.0.0.1 and a client certificate, all signed by the CA; plus an unrelated CA.
fn gen_tls(dir: &Path) {
    let ssl = |args: &[&str]| {
        run(Command::new("openssl").current_dir(dir).args(args));
    };
    for ca in ["ca", "other-ca"] {
        ssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN=bulwark-test-{ca}"),
            "-keyout",
            &format!("{ca}-key.pem"),
            "-out",
            &format!("{ca}.pem"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
    }
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("client.ext"),
        "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    for (name, key, cert, ext) in [
        ("server", "server-key.pem", "server.pem", "server.ext"),
        ("client", "key.pem", "cert.pem", "client.ext"),
    ] {
        ssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            key,
            "-out",
            &format!("{name}.csr"),
        ]);
        ssl(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            cert,
            "-extfile",
            ext,
        ]);
    }
}

/// A TLS endpoint in front of the engine's socket that requires a client certificate signed
/// by the test CA (as `dockerd --tlsverify` does). One request per connection: the client
/// sends `Connection: close` and no body.
fn start_tls_proxy(dir: &Path) -> u16 {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(dir.join("ca.pem")).unwrap())
        .unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let certs = vec![CertificateDer::from_pem_file(dir.join("server.pem")).unwrap()];
    let key = PrivateKeyDer::from_pem_file(dir.join("server-key.pem")).unwrap();
    let cfg = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(certs, key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(tcp) = conn else { return };
            let cfg = Arc::clone(&cfg);
            std::thread::spawn(move || {
                let Ok(server) = rustls::ServerConnection::new(cfg) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(server, tcp);
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match tls.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let Ok(mut unix) = UnixStream::connect("/var/run/docker.sock") else {
                    return;
                };
                if unix.write_all(&head).is_err() {
                    return;
                }
                let _ = std::io::copy(&mut unix, &mut tls);
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    port
}

fn over_tcp_with_tls(f: &Fixture) {
    let dir = tempfile::tempdir().unwrap();
    gen_tls(dir.path());
    let port = start_tls_proxy(dir.path());
    let host = format!("tcp://127.0.0.1:{port}");
    let engine =
        Engine::new(DockerHost::parse(Some(&host), true, Some(dir.path())).unwrap()).unwrap();
    let opts = SourceOptions::default();
    let w = engine
        .open_image(&f.tag, &opts)
        .unwrap()
        .walk(&Capture, &opts.limits)
        .unwrap();
    assert_eq!(summary(&w), summary(&walk(&Target::Docker(f.tag.clone()))));

    // An engine whose certificate the configured CA did not sign is refused.
    std::fs::copy(dir.path().join("other-ca.pem"), dir.path().join("ca.pem")).unwrap();
    let engine =
        Engine::new(DockerHost::parse(Some(&host), true, Some(dir.path())).unwrap()).unwrap();
    let err = engine
        .open_image(&f.tag, &opts)
        .err()
        .expect("untrusted engine");
    assert!(
        matches!(&err, SourceError::Remote { what, reason } if what.contains("(TLS)") && reason.contains("certificate")),
        "{err}"
    );
    // Missing client files: a clear error naming the file.
    let err =
        Engine::new(DockerHost::parse(Some(&host), true, Some(Path::new("/nonexistent"))).unwrap())
            .err()
            .expect("no certificates");
    assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
}

/// A fake engine on a unix socket answering every request with `answer`.
fn fake_engine(answer: Vec<u8>) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("fake.sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            // Read the request head, then answer and close.
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match conn.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let _ = conn.write_all(&answer);
        }
    });
    let engine = Engine::new(DockerHost::Unix(sock)).unwrap();
    (dir, engine)
}

/// Broken or hostile engine answers give errors, never panics or hangs.
#[test]
fn broken_engine_answers_are_errors() {
    let inspect = br#"{"Id":"sha256:0000000000000000000000000000000000000000000000000000000000000000","RepoTags":["x:1"],"Os":"linux","Architecture":"amd64","RootFS":{"Type":"layers","Layers":[]}}"#;
    let ok_head = |body: &[u8]| {
        let mut v = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        v.extend_from_slice(body);
        v
    };
    // A well-formed answer opens; its export (same answer: JSON, not a tar) fails in the walk.
    let (_d, engine) = fake_engine(ok_head(inspect));
    let opts = SourceOptions::default();
    let image = engine.open_image("x:1", &opts).unwrap();
    assert_eq!(image.meta.names, vec!["x:1".to_string()]);
    assert!(image.walk(&Capture, &opts.limits).is_err());

    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("garbage", b"\x16\x03\x01garbage\r\n\r\n".to_vec()),
        ("not json", ok_head(b"<html>")),
        (
            "short body",
            b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"Id\":".to_vec(),
        ),
        (
            "bad length",
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}".to_vec(),
        ),
        (
            "bad chunks",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}".to_vec(),
        ),
        (
            "truncated chunks",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\n{}".to_vec(),
        ),
        ("huge head", {
            let mut v = b"HTTP/1.1 200 OK\r\n".to_vec();
            v.extend(std::iter::repeat_n(b'a', 100_000));
            v
        }),
        (
            "server error",
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 19\r\n\r\n{\"message\":\"boom\"}\n".to_vec(),
        ),
    ];
    for (what, answer) in cases {
        let (_d, engine) = fake_engine(answer);
        let err = engine
            .open_image("x:1", &opts)
            .err()
            .unwrap_or_else(|| panic!("{what}: accepted"));
        assert!(
            matches!(
                err,
                SourceError::Remote { .. } | SourceError::Malformed { .. }
            ),
            "{what}: {err}"
        );
        if what == "server error" {
            assert!(err.to_string().contains("HTTP 500: boom"), "{err}");
        }
    }
}
