//! HTTPS with rustls: a client that trusts the certificate gets the API and an `https` token
//! realm; certificate files that are not PEM are a clear error.

use std::process::Command;

use bulwark_registry::{Config, Registry};

use crate::common::*;

#[test]
fn https_serves_the_api() {
    let have = |t: &str| {
        Command::new(t)
            .arg(if t == "openssl" {
                "version"
            } else {
                "--version"
            })
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("openssl") || !have("curl") {
        assert!(
            std::env::var("BULWARK_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "openssl and curl are required"
        );
        eprintln!("skipping: openssl or curl missing");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (cert, key) = (tmp.path().join("cert.pem"), tmp.path().join("key.pem"));
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut cfg = Config::new(tmp.path().join("root"));
    cfg.admin_password = Some(ADMIN_PW.into());
    cfg.tls = Some((cert.clone(), key.clone()));
    let acceptor = bulwark_registry::tls::acceptor(&cert, &key).unwrap();
    let reg = Registry::open(cfg).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(l.local_addr().unwrap()).unwrap();
            let tl = bulwark_registry::tls::TlsListener::new(l, acceptor).unwrap();
            reg.serve_tls(tl, std::future::pending()).await.unwrap();
        });
    });
    let addr = rx.recv().unwrap();
    let url = format!("https://{addr}/v2/");
    let curl = |args: &[&str]| {
        Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-D", "-", "--cacert"])
            .arg(&cert)
            .args(args)
            .arg(&url)
            .output()
            .unwrap()
    };
    let anon = String::from_utf8(curl(&[]).stdout).unwrap().to_lowercase();
    assert!(anon.starts_with("http/1.1 401"), "{anon}");
    assert!(
        anon.contains(&format!(
            "www-authenticate: bearer realm=\"https://{addr}/token\""
        )),
        "{anon}"
    );
    let ok = String::from_utf8(curl(&["-u", &format!("admin:{ADMIN_PW}")]).stdout).unwrap();
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    // A client that does not trust the certificate fails the handshake.
    let untrusted = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", &url])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&untrusted.stdout), "000");
    // Not PEM: a clear error naming the file.
    let err = match bulwark_registry::tls::acceptor(&tmp.path().join("cert.pem.missing"), &key) {
        Ok(_) => panic!("a missing certificate file was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("cert.pem.missing"), "{err}");
}
