//! A second dockerd (own data root, exec root, pidfile and sockets, never the machine's main
//! daemon) listening on 127.0.0.1 with `--tlsverify`: the client reaches it over TCP+TLS with a
//! client certificate, and is refused without one. Needs root, dockerd, openssl and `ip`.
//!
//! Not `--bridge=none`: dockerd 20.10 then *deletes the host's docker0 interface*
//! (`removeDefaultBridgeInterface`), breaking the main daemon's default network. The second
//! daemon gets a bridge of its own (`bwt-h13-tls`, created and removed here) and
//! `--iptables=false --ip-forward=false --ip-masq=false`, so it changes nothing shared.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use bulwark_engine::{Client, Endpoint, TlsFiles};

const BRIDGE: &str = "bwt-h13-tls";

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The second daemon's own bridge, removed on drop.
struct Bridge;

impl Bridge {
    fn create() -> Bridge {
        let _ = Command::new("ip").args(["link", "del", BRIDGE]).output();
        for args in [
            vec!["link", "add", BRIDGE, "type", "bridge"],
            vec!["addr", "add", "10.213.13.1/24", "dev", BRIDGE],
            vec!["link", "set", BRIDGE, "up"],
        ] {
            let o = Command::new("ip").args(&args).output().expect("ip runs");
            assert!(
                o.status.success(),
                "ip {args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        Bridge
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["link", "del", BRIDGE]).output();
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let o = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// CA, server certificate for 127.0.0.1, client certificate, laid out as DOCKER_CERT_PATH.
fn make_certs(d: &Path) {
    std::fs::write(
        d.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .expect("write");
    std::fs::write(d.join("client.ext"), "extendedKeyUsage=clientAuth\n").expect("write");
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=bwt-host13-ca",
        ],
    );
    for who in ["server", "client"] {
        openssl(
            d,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &format!("{who}-key.pem"),
                "-out",
                &format!("{who}.csr"),
                "-subj",
                &format!("/CN={who}"),
            ],
        );
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{who}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-CAcreateserial",
                "-out",
                &format!("{who}-cert.pem"),
                "-days",
                "2",
                "-extfile",
                &format!("{who}.ext"),
            ],
        );
    }
    let c = d.join("client");
    std::fs::create_dir_all(&c).expect("mkdir");
    std::fs::copy(d.join("ca.pem"), c.join("ca.pem")).expect("copy");
    std::fs::copy(d.join("client-cert.pem"), c.join("cert.pem")).expect("copy");
    std::fs::copy(d.join("client-key.pem"), c.join("key.pem")).expect("copy");
}

#[test]
fn second_daemon_over_tcp_with_tls() {
    let have = |cmd: &str, arg: &str| {
        Command::new(cmd)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    if !(have("dockerd", "--version") && have("openssl", "version") && have("ip", "-V") && root) {
        assert!(
            std::env::var("BULWARK_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "dockerd, openssl and root are needed and BULWARK_REQUIRE_TOOLS=1"
        );
        eprintln!("skipping: needs dockerd, openssl and root");
        return;
    }
    let _bridge = Bridge::create();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    make_certs(d);
    std::fs::write(d.join("daemon.json"), "{}").expect("write");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let s = |p: &str| d.join(p).display().to_string();
    let log = std::fs::File::create(d.join("dockerd.log")).expect("log");
    let child = Command::new("dockerd")
        .args([
            "--config-file",
            &s("daemon.json"),
            "--data-root",
            &s("data"),
            "--exec-root",
            &s("exec"),
            "--pidfile",
            &s("dockerd.pid"),
            "-H",
            &format!("unix://{}", s("docker.sock")),
            "-H",
            &format!("tcp://127.0.0.1:{port}"),
            "--tlsverify",
            "--tlscacert",
            &s("ca.pem"),
            "--tlscert",
            &s("server-cert.pem"),
            "--tlskey",
            &s("server-key.pem"),
            "--bridge",
            BRIDGE,
            "--iptables=false",
            "--ip6tables=false",
            "--ip-forward=false",
            "--ip-masq=false",
            "--storage-driver",
            "vfs",
        ])
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("dockerd starts");
    let _daemon = Daemon(child);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let url = format!("tcp://127.0.0.1:{port}");
    let client = Client::new(
        Endpoint::parse(&url, Some(TlsFiles::from_dir(&d.join("client")))).expect("endpoint"),
    )
    .expect("client");
    assert_eq!(
        client.endpoint().to_string(),
        format!("https://127.0.0.1:{port}")
    );
    let start = Instant::now();
    let info = loop {
        match rt.block_on(client.info()) {
            Ok(i) => break i,
            Err(e) if start.elapsed() < Duration::from_secs(60) => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(300));
            }
            Err(e) => panic!(
                "second dockerd not reachable over TLS: {e}\n{}",
                std::fs::read_to_string(d.join("dockerd.log")).unwrap_or_default()
            ),
        }
    };
    assert_eq!(info.docker_root_dir, s("data"));
    assert_eq!(info.driver, "vfs");
    // Without a client certificate the daemon refuses the handshake.
    let no_cert = TlsFiles {
        ca: d.join("ca.pem"),
        cert: None,
        key: None,
    };
    let anon =
        Client::new(Endpoint::parse(&url, Some(no_cert)).expect("endpoint")).expect("client");
    assert!(rt.block_on(anon.info()).is_err());
    // A CA that did not sign the server's certificate fails verification.
    let other = tempfile::tempdir().expect("tempdir");
    make_certs(other.path());
    let wrong = Client::new(
        Endpoint::parse(&url, Some(TlsFiles::from_dir(&other.path().join("client"))))
            .expect("endpoint"),
    )
    .expect("client");
    let err = rt.block_on(wrong.info()).expect_err("unknown CA");
    assert!(err.to_string().contains("cannot connect"), "{err}");
}
