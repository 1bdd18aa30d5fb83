//! `db update` against a loopback HTTP server (a std::net thread serving fixture-built files):
//! download, conditional requests (ETag -> 304), 404 feeds, and a server that dies mid-download
//! (the previous database must stay intact and the error must be reported).

use crate::common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use bulwark_vulndb::update::{default_feeds, update, FeedOutcome, UpdateError, UpdateOptions};
use bulwark_vulndb::Db;
use common::fixtures;

#[derive(Clone)]
enum Route {
    /// 200 with this body and ETag (304 when the client sends the same ETag).
    Ok { body: Vec<u8>, etag: String },
    /// Announce the full length, send half of the body, close the connection.
    DiesMidway { body: Vec<u8> },
    /// Answer with this status and no body.
    Status(u16),
}

type Routes = Arc<Mutex<HashMap<String, Route>>>;
type Log = Arc<Mutex<Vec<(String, Option<String>)>>>;

fn serve(routes: Routes, log: Log) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = handle(stream, &routes, &log);
        }
    });
    format!("http://{addr}")
}

fn handle(mut stream: TcpStream, routes: &Routes, log: &Log) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let mut if_none_match = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("if-none-match") {
                if_none_match = Some(v.trim().to_string());
            }
        }
    }
    log.lock()
        .unwrap()
        .push((path.clone(), if_none_match.clone()));
    let route = routes.lock().unwrap().get(&path).cloned();
    match route {
        None => write!(
            stream,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?,
        Some(Route::Status(code)) => write!(
            stream,
            "HTTP/1.1 {code} Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?,
        Some(Route::Ok { body, etag }) => {
            if if_none_match.as_deref() == Some(etag.as_str()) {
                write!(
                    stream,
                    "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
                )?;
            } else {
                write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\nLast-Modified: Sat, 01 Jun 2024 00:00:00 GMT\r\nConnection: close\r\n\r\n",
                    body.len()
                )?;
                stream.write_all(&body)?;
            }
        }
        Some(Route::DiesMidway { body }) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: \"v2\"\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(body.get(..body.len() / 2).unwrap_or_default())?;
            stream.flush()?;
            // Dropping the stream closes the connection mid-body.
        }
    }
    Ok(())
}

fn osv_zip() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for rel in ["osv/pypa/PYSEC-2021-76.yaml", "osv/go/GO-2020-0001.json"] {
            let name = rel.rsplit('/').next().unwrap();
            zip.start_file(name, opts).unwrap();
            zip.write_all(&std::fs::read(fixtures().join(rel)).unwrap())
                .unwrap();
        }
        zip.finish().unwrap();
    }
    buf.into_inner()
}

fn options(mirror: &str, cache: &std::path::Path) -> UpdateOptions {
    UpdateOptions {
        mirror: Some(mirror.to_string()),
        only: vec!["osv-PyPI".into(), "kev".into(), "alpine-v3.18-main".into()],
        progress: false,
        cache_dir: Some(cache.to_path_buf()),
        nvd_api_key: None,
    }
}

#[test]
fn update_conditional_and_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("db.sqlite");
    let cache = dir.path().join("feeds");
    let zip = osv_zip();
    let routes: Routes = Arc::new(Mutex::new(HashMap::new()));
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    routes.lock().unwrap().insert(
        "/osv/PyPI/all.zip".into(),
        Route::Ok {
            body: zip.clone(),
            etag: "\"v1\"".into(),
        },
    );
    routes.lock().unwrap().insert(
        "/kev/known_exploited_vulnerabilities.json".into(),
        Route::Ok {
            body: std::fs::read(fixtures().join("enrich/known_exploited_vulnerabilities.json"))
                .unwrap(),
            etag: "\"k1\"".into(),
        },
    );
    let base = serve(routes.clone(), log.clone());
    let feeds = default_feeds();

    // 1. First update: everything downloaded; the missing Alpine feed is skipped.
    let report = update(&db_path, &feeds, &options(&base, &cache)).unwrap();
    assert_eq!(
        report.feeds,
        [
            (
                "osv-PyPI".to_string(),
                FeedOutcome::Downloaded {
                    bytes: zip.len() as u64
                }
            ),
            ("alpine-v3.18-main".to_string(), FeedOutcome::Missing),
            (
                "kev".to_string(),
                FeedOutcome::Downloaded {
                    bytes: std::fs::metadata(
                        fixtures().join("enrich/known_exploited_vulnerabilities.json")
                    )
                    .unwrap()
                    .len()
                }
            ),
        ]
    );
    assert_eq!(report.summary.advisories, 2);
    let db = Db::open(&db_path).unwrap();
    assert_eq!(db.affected("PyPI", "aiohttp").unwrap().len(), 1);
    assert_eq!(
        db.affected("Go", "github.com/gin-gonic/gin").unwrap().len(),
        1
    );
    assert!(db.enrichment("CVE-2021-44228").unwrap().unwrap().kev);
    let status = db.status().unwrap();
    let osv = status
        .sources
        .iter()
        .find(|s| s.name == "osv-PyPI")
        .unwrap();
    assert_eq!(osv.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        osv.last_modified.as_deref(),
        Some("Sat, 01 Jun 2024 00:00:00 GMT")
    );
    assert_eq!(osv.location, format!("{base}/osv/PyPI/all.zip"));
    assert_eq!(osv.advisories, 2);
    drop(db);

    // 2. Second update: the client sends the ETag, the server says 304, the cached file is used.
    log.lock().unwrap().clear();
    let report = update(&db_path, &feeds, &options(&base, &cache)).unwrap();
    assert_eq!(
        report.feeds[0],
        ("osv-PyPI".to_string(), FeedOutcome::NotModified)
    );
    assert_eq!(
        report.feeds[2],
        ("kev".to_string(), FeedOutcome::NotModified)
    );
    assert!(log
        .lock()
        .unwrap()
        .contains(&("/osv/PyPI/all.zip".to_string(), Some("\"v1\"".to_string()))));
    assert_eq!(report.summary.advisories, 2);
    let before = std::fs::read(&db_path).unwrap();

    // 3. The server dies halfway through a new version: error, previous database intact.
    routes.lock().unwrap().insert(
        "/osv/PyPI/all.zip".into(),
        Route::DiesMidway {
            body: zip.repeat(3),
        },
    );
    let err = update(&db_path, &feeds, &options(&base, &cache)).unwrap_err();
    assert!(matches!(err, UpdateError::Download { .. }), "{err}");
    assert!(err.to_string().contains("/osv/PyPI/all.zip"), "{err}");
    assert_eq!(std::fs::read(&db_path).unwrap(), before);
    let db = Db::open(&db_path).unwrap();
    assert_eq!(db.affected("PyPI", "aiohttp").unwrap().len(), 1);
    drop(db);
    // No partial download and no temporary database left behind; the cached feed is intact.
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .chain(std::fs::read_dir(&cache).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".part") || n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(std::fs::read(cache.join("osv-PyPI.zip")).unwrap(), zip);

    // 4. A server error is an error too.
    routes
        .lock()
        .unwrap()
        .insert("/osv/PyPI/all.zip".into(), Route::Status(500));
    let err = update(&db_path, &feeds, &options(&base, &cache)).unwrap_err();
    assert!(err.to_string().contains("HTTP status 500"), "{err}");
    assert_eq!(std::fs::read(&db_path).unwrap(), before);
}

#[test]
fn update_with_nothing_reachable_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let routes: Routes = Arc::new(Mutex::new(HashMap::new()));
    let base = serve(routes, Arc::new(Mutex::new(Vec::new())));
    let db_path = dir.path().join("db.sqlite");
    let err = update(
        &db_path,
        &default_feeds(),
        &options(&base, &dir.path().join("feeds")),
    )
    .unwrap_err();
    assert!(matches!(err, UpdateError::NothingFetched));
    assert!(!db_path.exists());
}
