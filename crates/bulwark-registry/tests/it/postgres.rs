//! Two registry processes on one PostgreSQL database and one shared blob directory, behind
//! "one address" (the test talks to either): each serves the other's pushes bit for bit, tags,
//! catalog, referrers, users, tokens and upload sessions are shared, the audit chain written by
//! both stays intact, and a conformance subset holds on the pair. The test starts a throwaway
//! PostgreSQL cluster (Debian's `postgresql`: initdb + pg_ctl, as the `postgres` user when run
//! as root) on a free loopback port, once for the whole test. Without PostgreSQL the test skips,
//! unless `BULWARK_REQUIRE_TOOLS=1`, which makes it a failure. The registry processes are this
//! test binary re-run as `postgres::pg_child_server`.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use bulwark_registry::Config;

use crate::common::*;

const CHILD_ROOT: &str = "BWT_REGISTRY_PG_ROOT";
const CHILD_URL: &str = "BWT_REGISTRY_PG_URL";
const CHILD_STORAGE: &str = "BWT_REGISTRY_S3_URL";

/// Not a test on its own: a registry process on PostgreSQL metadata.
#[test]
fn pg_child_server() {
    let (Ok(root), Ok(url)) = (std::env::var(CHILD_ROOT), std::env::var(CHILD_URL)) else {
        return;
    };
    let mut cfg = Config::new(root);
    cfg.admin_password = Some(ADMIN_PW.to_string());
    cfg.metadata = Some(url);
    cfg.storage = std::env::var(CHILD_STORAGE).ok();
    bulwark_registry::server::serve_blocking(cfg, "127.0.0.1:0", |addr| {
        println!("LISTEN {addr}");
        let _ = std::io::stdout().flush();
    })
    .expect("serve");
}

/// A registry child process, killed on drop.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(root: &Path, url: &str, storage: Option<&str>) -> Server {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "postgres::pg_child_server", "--nocapture"])
        .env(CHILD_ROOT, root)
        .env(CHILD_URL, url);
    if let Some(s) = storage {
        cmd.env(CHILD_STORAGE, s)
            .env("AWS_ACCESS_KEY_ID", "bwt-key")
            .env("AWS_SECRET_ACCESS_KEY", "bwt-secret")
            .env("AWS_REGION", "us-east-1");
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("child output").unwrap();
        if let Some(a) = line.strip_prefix("LISTEN ") {
            break a.to_string();
        }
    };
    Server {
        child,
        base: format!("http://{addr}"),
    }
}

/// A throwaway PostgreSQL cluster, stopped on drop.
struct Pg {
    bin: PathBuf,
    dir: PathBuf,
    url: String,
}

/// The directory of Debian's PostgreSQL server programs (newest version), or `pg_config`'s.
fn pg_bindir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("pg_ctl").exists() && p.join("initdb").exists())
        .collect();
    dirs.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop().or_else(|| {
        let out = Command::new("pg_config").arg("--bindir").output().ok()?;
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        p.join("pg_ctl").exists().then_some(p)
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A PostgreSQL program, as the `postgres` user when we are root (initdb refuses root).
fn pg_cmd(bin: &Path, prog: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(prog));
        c
    } else {
        Command::new(bin.join(prog))
    }
}

impl Pg {
    fn start() -> Option<Pg> {
        let Some(bin) = pg_bindir() else {
            assert!(
                std::env::var("BULWARK_REQUIRE_TOOLS").as_deref() != Ok("1"),
                "PostgreSQL (initdb, pg_ctl) is required: apt-get install postgresql"
            );
            eprintln!("skipping: PostgreSQL server programs are not installed");
            return None;
        };
        // Under /tmp, not $TMPDIR: the postgres user must reach it (and its socket path must
        // stay short).
        let dir = tempfile::Builder::new()
            .prefix("bwt-reg16-pg")
            .tempdir_in("/tmp")
            .unwrap()
            .keep();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let data = dir.join("data");
        let st = pg_cmd(&bin, "initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "bulwark",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success(), "initdb failed");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let st = pg_cmd(&bin, "pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .arg("-o")
            .arg(format!(
                "-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
                dir.display()
            ))
            .args(["-w", "start"])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(
            st.success(),
            "pg_ctl start failed: {}",
            std::fs::read_to_string(dir.join("log")).unwrap_or_default()
        );
        Some(Pg {
            bin,
            url: format!("postgres://bulwark@127.0.0.1:{port}/postgres"),
            dir,
        })
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = pg_cmd(&self.bin, "pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An S3 server from PyPI (`moto[server]`) on a free loopback port, killed on drop.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    fn start() -> Option<Moto> {
        let have = Command::new("python3")
            .args(["-c", "import moto.server, flask"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !have {
            assert!(
                std::env::var("BULWARK_REQUIRE_TOOLS").as_deref() != Ok("1"),
                "the S3 test server is required: python3 -m pip install 'moto[server]'"
            );
            eprintln!("skipping: python3 -m pip install 'moto[server]'");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(moto);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("moto server did not start on port {port}");
    }
}

#[test]
fn two_processes_share_one_postgres() {
    let Some(pg) = Pg::start() else {
        return;
    };
    let blobs = tempfile::tempdir().unwrap();
    let a = spawn(blobs.path(), &pg.url, None);
    let b = spawn(blobs.path(), &pg.url, None);
    scenario(&a.base, &b.base);
}

/// The pair on PostgreSQL and S3 with separate local roots: nothing is shared but the
/// database and the bucket.
#[test]
fn two_processes_share_postgres_and_s3() {
    let Some(pg) = Pg::start() else {
        return;
    };
    let Some(moto) = Moto::start() else {
        return;
    };
    let mk = send(&moto.endpoint, "PUT", "/bwt-reg16", None, &[], b"");
    assert_eq!(mk.status, 200, "{}", String::from_utf8_lossy(&mk.body));
    let storage = format!(
        "s3://bwt-reg16/registry?endpoint={}&region=us-east-1",
        moto.endpoint
    );
    let (ra, rb) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = spawn(ra.path(), &pg.url, Some(&storage));
    let b = spawn(rb.path(), &pg.url, Some(&storage));
    scenario(&a.base, &b.base);
    // The blobs are in the bucket, none under either root; no upload leftovers.
    for root in [ra.path(), rb.path()] {
        let local: Vec<_> = std::fs::read_dir(root.join("blobs/sha256"))
            .unwrap()
            .collect();
        assert!(local.is_empty(), "blobs stored locally under {root:?}");
    }
    let list = send(
        &moto.endpoint,
        "GET",
        "/bwt-reg16?list-type=2&prefix=registry/_",
        None,
        &[],
        b"",
    );
    let text = String::from_utf8_lossy(&list.body);
    assert!(!text.contains("<Key>"), "leftover upload objects: {text}");
    let blob = send(
        &moto.endpoint,
        "GET",
        "/bwt-reg16?list-type=2&prefix=registry/blobs/",
        None,
        &[],
        b"",
    );
    // config x2, layer x2, two image manifests, the empty blob, the artifact, the big blob.
    assert_eq!(
        String::from_utf8_lossy(&blob.body).matches("<Key>").count(),
        9,
        "{}",
        String::from_utf8_lossy(&blob.body)
    );
}

fn scenario(a: &str, b: &str) {
    let adm = admin();

    // A project made on A; an image pushed through A is pulled through B bit for bit.
    project(a, "pg", false);
    let d1 = push_image(a, &adm, "pg/app", "v1", "one");
    let config = br#"{"architecture":"amd64","os":"linux","seed":"one"}"#;
    let layer = b"layer bytes one";
    let m1 = image_manifest(config, layer, serde_json::json!({}));
    let got = send(b, "GET", "/v2/pg/app/manifests/v1", Some(&adm), &[], b"");
    assert_eq!(got.status, 200);
    assert_eq!(got.body, m1);
    assert_eq!(got.h("docker-content-digest"), Some(d1.as_str()));
    for blob in [&config[..], &layer[..]] {
        let r = send(
            b,
            "GET",
            &format!("/v2/pg/app/blobs/{}", digest(blob)),
            Some(&adm),
            &[],
            b"",
        );
        assert_eq!((r.status, r.body.as_slice()), (200, blob));
    }

    // A tag pushed through B is listed by A, the catalog is the same on both.
    let d2 = push_image(b, &adm, "pg/app", "v2", "two");
    for base in [a, b] {
        let t = send(base, "GET", "/v2/pg/app/tags/list", Some(&adm), &[], b"");
        assert_eq!(
            t.json(),
            serde_json::json!({"name": "pg/app", "tags": ["v1", "v2"]})
        );
        let c = send(base, "GET", "/v2/_catalog", Some(&adm), &[], b"");
        assert_eq!(c.json(), serde_json::json!({"repositories": ["pg/app"]}));
    }

    // A referrer pushed through B is found through A, with artifactType filtering.
    let empty = b"{}";
    push_blob(b, &adm, "pg/app", empty);
    let art = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.example.sbom",
        "config": { "mediaType": "application/vnd.oci.empty.v1+json", "digest": digest(empty), "size": 2 },
        "layers": [ { "mediaType": "application/vnd.oci.empty.v1+json", "digest": digest(empty), "size": 2 } ],
        "subject": { "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d1, "size": m1.len() }
    }))
    .unwrap();
    let put = send(
        b,
        "PUT",
        &format!("/v2/pg/app/manifests/{}", digest(&art)),
        Some(&adm),
        &[("content-type", "application/vnd.oci.image.manifest.v1+json")],
        &art,
    );
    assert_eq!((put.status, put.h("oci-subject")), (201, Some(d1.as_str())));
    let refs = send(
        a,
        "GET",
        &format!("/v2/pg/app/referrers/{d1}"),
        Some(&adm),
        &[],
        b"",
    );
    assert_eq!(refs.status, 200);
    let list = refs.json()["manifests"].clone();
    assert_eq!(
        list,
        serde_json::json!([{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest(&art),
            "size": art.len(),
            "artifactType": "application/vnd.example.sbom"
        }])
    );
    let none = send(
        a,
        "GET",
        &format!("/v2/pg/app/referrers/{d1}?artifactType=application/x-other"),
        Some(&adm),
        &[],
        b"",
    );
    assert_eq!(none.json()["manifests"], serde_json::json!([]));

    // An upload session started on A is resumed and finished on B.
    let data: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let dd = digest(&data);
    let s = send(a, "POST", "/v2/pg/app/blobs/uploads/", Some(&adm), &[], b"");
    assert_eq!(s.status, 202);
    let loc = s.h("location").unwrap().to_string();
    let p1 = send(
        a,
        "PATCH",
        &loc,
        Some(&adm),
        &[("content-range", "0-99999")],
        &data[..100_000],
    );
    assert_eq!(p1.status, 202);
    let st = send(b, "GET", &loc, Some(&adm), &[], b"");
    assert_eq!((st.status, st.h("range")), (204, Some("0-99999")));
    let p2 = send(
        b,
        "PATCH",
        &loc,
        Some(&adm),
        &[("content-range", "100000-299999")],
        &data[100_000..],
    );
    assert_eq!(p2.status, 202);
    let sep = if loc.contains('?') { '&' } else { '?' };
    let fin = send(
        b,
        "PUT",
        &format!("{loc}{sep}digest={dd}"),
        Some(&adm),
        &[],
        b"",
    );
    assert_eq!(fin.status, 201, "{}", String::from_utf8_lossy(&fin.body));
    let back = send(
        a,
        "GET",
        &format!("/v2/pg/app/blobs/{dd}"),
        Some(&adm),
        &[],
        b"",
    );
    assert_eq!(back.status, 200);
    assert!(back.body == data, "resumed blob differs");

    // A user made on A, made a member on B, gets a token from A that B accepts.
    user(a, "dev1", "dev1-password");
    member(b, "pg", "dev1", "developer");
    let t = send(
        a,
        "GET",
        "/token?service=bulwark-registry&scope=repository:pg/app:pull",
        Some(&basic("dev1", "dev1-password")),
        &[],
        b"",
    );
    assert_eq!(t.status, 200);
    let bearer = format!("Bearer {}", t.json()["token"].as_str().unwrap());
    let r = send(b, "GET", "/v2/pg/app/manifests/v2", Some(&bearer), &[], b"");
    assert_eq!(
        (r.status, r.h("docker-content-digest")),
        (200, Some(d2.as_str()))
    );

    // Conformance subset on the pair.
    let unknown = format!("sha256:{}", "0".repeat(64));
    let r = send(
        b,
        "GET",
        &format!("/v2/pg/app/blobs/{unknown}"),
        Some(&adm),
        &[],
        b"",
    );
    assert_eq!((r.status, r.code()), (404, "BLOB_UNKNOWN".to_string()));
    let r = send(a, "GET", "/v2/pg/app/manifests/nope", Some(&adm), &[], b"");
    assert_eq!((r.status, r.code()), (404, "MANIFEST_UNKNOWN".to_string()));
    let r = send(
        b,
        "POST",
        &format!("/v2/pg/app/blobs/uploads/?digest={unknown}"),
        Some(&adm),
        &[],
        b"not these bytes",
    );
    assert_eq!((r.status, r.code()), (400, "DIGEST_INVALID".to_string()));
    let r = send(a, "GET", "/v2/pg/app/tags/list?n=1", Some(&adm), &[], b"");
    assert_eq!(
        r.json(),
        serde_json::json!({"name": "pg/app", "tags": ["v1"]})
    );
    assert!(r.h("link").is_some_and(|l| l.contains("last=v1")));
    let r = send(
        b,
        "GET",
        "/v2/pg/app/tags/list?n=1&last=v1",
        Some(&adm),
        &[],
        b"",
    );
    assert_eq!(
        r.json(),
        serde_json::json!({"name": "pg/app", "tags": ["v2"]})
    );
    let del = send(
        a,
        "DELETE",
        &format!("/v2/pg/app/manifests/{d2}"),
        Some(&adm),
        &[],
        b"",
    );
    assert_eq!(del.status, 202);
    let r = send(
        b,
        "GET",
        &format!("/v2/pg/app/manifests/{d2}"),
        Some(&adm),
        &[],
        b"",
    );
    assert_eq!((r.status, r.code()), (404, "MANIFEST_UNKNOWN".to_string()));
    let r = send(b, "GET", "/v2/pg/app/tags/list", Some(&adm), &[], b"");
    assert_eq!(
        r.json(),
        serde_json::json!({"name": "pg/app", "tags": ["v1"]})
    );

    // Quota usage counts each blob linked in the project once (the deleted manifest's own
    // link is gone; the layers it used stay linked until garbage collection), and a collection
    // with the default grace period finds nothing to remove.
    let used = 2 * config.len() + 2 * layer.len() + m1.len() + empty.len() + art.len() + data.len();
    let u = send(b, "GET", "/api/v1/projects/pg/usage", Some(&adm), &[], b"");
    assert_eq!(
        u.json(),
        serde_json::json!({"project": "pg", "quota_bytes": null, "used_bytes": used})
    );
    let g = send(
        a,
        "POST",
        "/api/v1/gc",
        Some(&adm),
        &[("content-type", "application/json")],
        br#"{"grace_seconds": 3600}"#,
    );
    assert_eq!(
        g.json(),
        serde_json::json!({"dry_run": false, "unlinked": [], "deleted": [], "freed_bytes": 0, "stale_uploads": []})
    );

    // Both processes appended to one audit chain; it verifies from either side.
    let export = send(a, "GET", "/api/v1/audit", Some(&adm), &[], b"");
    let n = String::from_utf8(export.body).unwrap().lines().count();
    assert!(n > 10, "only {n} audit entries");
    for base in [a, b] {
        let v = send(base, "GET", "/api/v1/audit/verify", Some(&adm), &[], b"");
        assert_eq!(v.json(), serde_json::json!({"entries": n, "problems": []}));
    }
}
