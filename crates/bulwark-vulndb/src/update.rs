//! `db update`: download the configured upstream feeds and rebuild the database atomically.
//!
//! Downloads are kept in a feed cache beside the database (`<db dir>/feeds/`), so the next
//! update can send conditional requests (`If-None-Match` / `If-Modified-Since` from the
//! validators stored in the database's `sources` table) and reuse the cached file on `304`.
//! A download goes to `NAME.part` and is renamed only when complete (length checked against
//! `Content-Length`). Any failure other than a `404` stops the update before the database is
//! touched: the previous database stays as it was.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::import::{ImportError, ImportReport, SourceKind};
use crate::store::{now_unix, BuildSummary, Builder, Db, StoreError};

/// Update errors.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// A download failed.
    #[error("downloading {url}: {message}")]
    Download {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// Local file handling failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Importing a downloaded feed failed.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// Building the database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Nothing could be downloaded at all.
    #[error("no feed could be downloaded; the database was left as it was")]
    NothingFetched,
}

/// One upstream feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// Unique name (`osv-PyPI`, `debian-tracker`...), also the cache file name.
    pub name: String,
    /// Format of what it serves.
    pub kind: SourceKind,
    /// Upstream URL.
    pub url: String,
    /// Path under a `--mirror` base URL that replaces `url`.
    pub mirror_path: String,
    /// Cache file name (keeps the extension importers look at: `.zip`, `.json`, `.csv.gz`).
    pub file_name: String,
}

/// OSV ecosystems downloaded by default (each is one `all.zip`).
pub const OSV_ECOSYSTEMS: &[&str] = &[
    "AlmaLinux",
    "Alpine",
    "Chainguard",
    "Debian",
    "Go",
    "Hex",
    "Maven",
    "npm",
    "NuGet",
    "Packagist",
    "Pub",
    "PyPI",
    "Rocky Linux",
    "RubyGems",
    "crates.io",
    "Ubuntu",
    "Wolfi",
];

/// Alpine releases whose secdb is downloaded by default.
pub const ALPINE_RELEASES: &[&str] = &["v3.18", "v3.19", "v3.20", "v3.21", "v3.22", "edge"];

/// The default feed list.
pub fn default_feeds() -> Vec<Feed> {
    let mut feeds = Vec::new();
    for eco in OSV_ECOSYSTEMS {
        let enc = eco.replace(' ', "%20");
        feeds.push(Feed {
            name: format!("osv-{}", eco.replace(' ', "-")),
            kind: SourceKind::Osv,
            url: format!("https://osv-vulnerabilities.storage.googleapis.com/{enc}/all.zip"),
            mirror_path: format!("osv/{enc}/all.zip"),
            file_name: format!("osv-{}.zip", eco.replace(' ', "-")),
        });
    }
    feeds.push(Feed {
        name: "debian-tracker".into(),
        kind: SourceKind::DebianTracker,
        url: "https://security-tracker.debian.org/tracker/data/json".into(),
        mirror_path: "debian/tracker.json".into(),
        file_name: "debian-tracker.json".into(),
    });
    for rel in ALPINE_RELEASES {
        for repo in ["main", "community"] {
            feeds.push(Feed {
                name: format!("alpine-{rel}-{repo}"),
                kind: SourceKind::AlpineSecdb,
                url: format!("https://secdb.alpinelinux.org/{rel}/{repo}.json"),
                mirror_path: format!("alpine/{rel}/{repo}.json"),
                file_name: format!("alpine-{rel}-{repo}.json"),
            });
        }
    }
    feeds.push(Feed {
        name: "nvd".into(),
        kind: SourceKind::Nvd,
        url: "https://services.nvd.nist.gov/rest/json/cves/2.0".into(),
        mirror_path: "nvd/cves.json".into(),
        file_name: "nvd".into(),
    });
    feeds.push(Feed {
        name: "epss".into(),
        kind: SourceKind::Epss,
        url: "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz".into(),
        mirror_path: "epss/epss_scores-current.csv.gz".into(),
        file_name: "epss.csv.gz".into(),
    });
    feeds.push(Feed {
        name: "kev".into(),
        kind: SourceKind::Kev,
        url: "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
            .into(),
        mirror_path: "kev/known_exploited_vulnerabilities.json".into(),
        file_name: "kev.json".into(),
    });
    feeds
}

/// How to update.
#[derive(Debug, Clone, Default)]
pub struct UpdateOptions {
    /// Base URL replacing every upstream (`{mirror}/{feed.mirror_path}`).
    pub mirror: Option<String>,
    /// Only feeds whose name starts with one of these (empty = all).
    pub only: Vec<String>,
    /// Show progress bars (the CLI sets this only on a terminal without `--quiet`).
    pub progress: bool,
    /// Directory for downloaded feeds; default `<db dir>/feeds`.
    pub cache_dir: Option<PathBuf>,
    /// NVD API key (raises NVD's rate limit); the CLI reads `NVD_API_KEY`.
    pub nvd_api_key: Option<String>,
}

/// What happened to one feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedOutcome {
    /// Downloaded anew.
    Downloaded {
        /// Bytes received.
        bytes: u64,
    },
    /// The server said `304 Not Modified`; the cached copy was used.
    NotModified,
    /// The server said `404`; the feed was left out.
    Missing,
}

/// Result of an update.
#[derive(Debug)]
pub struct UpdateReport {
    /// Per-feed outcome, in feed order.
    pub feeds: Vec<(String, FeedOutcome)>,
    /// Per-feed import reports.
    pub imports: Vec<(String, ImportReport)>,
    /// The new database's counts.
    pub summary: BuildSummary,
}

fn io_ctx(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> UpdateError {
    let context = context.into();
    move |source| UpdateError::Io { context, source }
}

struct Validators {
    etag: Option<String>,
    last_modified: Option<String>,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_body(Some(Duration::from_secs(120)))
        .http_status_as_error(false)
        .user_agent(concat!("bulwark/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Outcome of one HTTP GET into a file.
struct Fetched {
    outcome: FeedOutcome,
    etag: Option<String>,
    last_modified: Option<String>,
}

fn fetch(
    agent: &ureq::Agent,
    url: &str,
    dest: &Path,
    validators: Option<&Validators>,
    headers: &[(&str, &str)],
    progress: Option<&indicatif::MultiProgress>,
    label: &str,
) -> Result<Fetched, UpdateError> {
    let dl_err = |message: String| UpdateError::Download {
        url: url.to_string(),
        message,
    };
    let mut req = agent.get(url);
    if let Some(v) = validators.filter(|_| dest.is_file()) {
        if let Some(e) = &v.etag {
            req = req.header("If-None-Match", e);
        }
        if let Some(m) = &v.last_modified {
            req = req.header("If-Modified-Since", m);
        }
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.call().map_err(|e| dl_err(e.to_string()))?;
    let status = resp.status().as_u16();
    let header = |k: &str| {
        resp.headers()
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let etag = header("etag");
    let last_modified = header("last-modified");
    match status {
        304 => {
            return Ok(Fetched {
                outcome: FeedOutcome::NotModified,
                etag: validators.and_then(|v| v.etag.clone()).or(etag),
                last_modified: validators
                    .and_then(|v| v.last_modified.clone())
                    .or(last_modified),
            })
        }
        404 => {
            return Ok(Fetched {
                outcome: FeedOutcome::Missing,
                etag: None,
                last_modified: None,
            })
        }
        200 => {}
        other => return Err(dl_err(format!("HTTP status {other}"))),
    }
    let expected: Option<u64> = header("content-length").and_then(|l| l.parse().ok());
    let part = dest.with_extension("part");
    let mut out =
        std::fs::File::create(&part).map_err(io_ctx(format!("creating {}", part.display())))?;
    let bar = progress.map(|m| {
        let bar = m.add(match expected {
            Some(n) => indicatif::ProgressBar::new(n),
            None => indicatif::ProgressBar::new_spinner(),
        });
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{prefix:>24} {bar:30} {bytes:>10}/{total_bytes:<10} {bytes_per_sec}",
        ) {
            bar.set_style(style);
        }
        bar.set_prefix(label.to_string());
        bar
    });
    let mut reader = resp.into_body().into_reader();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total: u64 = 0;
    let result: Result<(), UpdateError> = loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) => {
                break Err(dl_err(format!(
                    "connection failed after {total} bytes: {e}"
                )))
            }
        };
        let Some(chunk) = buf.get(..n) else {
            break Err(dl_err("read past the buffer".into()));
        };
        if let Err(e) = out.write_all(chunk) {
            break Err(UpdateError::Io {
                context: format!("writing {}", part.display()),
                source: e,
            });
        }
        total = total.saturating_add(n as u64);
        if let Some(b) = &bar {
            b.set_position(total);
        }
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let result = result.and_then(|()| match expected {
        Some(n) if n != total => Err(dl_err(format!(
            "connection closed after {total} of {n} bytes"
        ))),
        _ => Ok(()),
    });
    if let Err(e) = result {
        drop(out);
        let _ = std::fs::remove_file(&part);
        return Err(e);
    }
    out.sync_all()
        .map_err(io_ctx(format!("syncing {}", part.display())))?;
    drop(out);
    std::fs::rename(&part, dest).map_err(io_ctx(format!("renaming {}", part.display())))?;
    Ok(Fetched {
        outcome: FeedOutcome::Downloaded { bytes: total },
        etag,
        last_modified,
    })
}

/// Page through the NVD CVE API 2.0 into `dir/page-N.json`.
fn fetch_nvd_pages(
    agent: &ureq::Agent,
    base: &str,
    dir: &Path,
    api_key: Option<&str>,
    progress: Option<&indicatif::MultiProgress>,
) -> Result<Fetched, UpdateError> {
    const PAGE: u64 = 2000;
    let tmp = dir.with_extension("part");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io_ctx(format!("clearing {}", tmp.display())))?;
    }
    std::fs::create_dir_all(&tmp).map_err(io_ctx(format!("creating {}", tmp.display())))?;
    let headers: Vec<(&str, &str)> = api_key.map(|k| vec![("apiKey", k)]).unwrap_or_default();
    // NVD's published rate limits: 5 requests / 30 s without a key, 50 with one.
    let pause = if api_key.is_some() {
        Duration::from_millis(700)
    } else {
        Duration::from_secs(6)
    };
    let mut start: u64 = 0;
    let mut bytes: u64 = 0;
    let mut page: u64 = 0;
    loop {
        let url = format!("{base}?resultsPerPage={PAGE}&startIndex={start}");
        let file = tmp.join(format!("page-{page:05}.json"));
        let f = fetch(
            agent,
            &url,
            &file,
            None,
            &headers,
            progress,
            &format!("nvd page {page}"),
        )?;
        if let FeedOutcome::Downloaded { bytes: b } = f.outcome {
            bytes = bytes.saturating_add(b);
        } else {
            return Err(UpdateError::Download {
                url,
                message: "NVD page missing".into(),
            });
        }
        let data = std::fs::read(&file).map_err(io_ctx(format!("reading {}", file.display())))?;
        let v: serde_json::Value =
            serde_json::from_slice(&data).map_err(|e| UpdateError::Download {
                url: url.clone(),
                message: format!("invalid JSON page: {e}"),
            })?;
        let total = v
            .get("totalResults")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        start = start.saturating_add(PAGE);
        page = page.saturating_add(1);
        if start >= total {
            break;
        }
        std::thread::sleep(pause);
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io_ctx(format!("replacing {}", dir.display())))?;
    }
    std::fs::rename(&tmp, dir).map_err(io_ctx(format!("renaming {}", tmp.display())))?;
    Ok(Fetched {
        outcome: FeedOutcome::Downloaded { bytes },
        etag: None,
        last_modified: None,
    })
}

/// Download the feeds (conditionally) and rebuild the database at `db_path` from them.
pub fn update(
    db_path: &Path,
    feeds: &[Feed],
    opts: &UpdateOptions,
) -> Result<UpdateReport, UpdateError> {
    let cache = match &opts.cache_dir {
        Some(d) => d.clone(),
        None => db_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join("feeds"),
    };
    std::fs::create_dir_all(&cache).map_err(io_ctx(format!("creating {}", cache.display())))?;
    // Validators from the current database, when there is one we can read.
    let mut validators: HashMap<String, Validators> = HashMap::new();
    if let Ok(db) = Db::open(db_path) {
        if let Ok(st) = db.status() {
            for s in st.sources {
                validators.insert(
                    s.name,
                    Validators {
                        etag: s.etag,
                        last_modified: s.last_modified,
                    },
                );
            }
        }
    }
    let agent = agent();
    let multi = opts.progress.then(indicatif::MultiProgress::new);
    let selected: Vec<&Feed> = feeds
        .iter()
        .filter(|f| {
            opts.only.is_empty() || opts.only.iter().any(|o| f.name.starts_with(o.as_str()))
        })
        .collect();
    let mut outcomes = Vec::new();
    let mut ready: Vec<(&Feed, PathBuf, Fetched)> = Vec::new();
    for feed in selected {
        let dest = cache.join(&feed.file_name);
        let url = match &opts.mirror {
            Some(m) => format!("{}/{}", m.trim_end_matches('/'), feed.mirror_path),
            None => feed.url.clone(),
        };
        let fetched = if feed.kind == SourceKind::Nvd && opts.mirror.is_none() {
            fetch_nvd_pages(
                &agent,
                &url,
                &dest,
                opts.nvd_api_key.as_deref(),
                multi.as_ref(),
            )?
        } else {
            fetch(
                &agent,
                &url,
                &dest,
                validators.get(&feed.name),
                &[],
                multi.as_ref(),
                &feed.name,
            )?
        };
        tracing::info!(feed = %feed.name, outcome = ?fetched.outcome, "fetched");
        outcomes.push((feed.name.clone(), fetched.outcome.clone()));
        if fetched.outcome != FeedOutcome::Missing {
            ready.push((feed, dest, fetched));
        }
    }
    if ready.is_empty() {
        return Err(UpdateError::NothingFetched);
    }
    let mut builder = Builder::create(db_path)?;
    let mut imports = Vec::new();
    for (feed, path, fetched) in ready {
        let location = match &opts.mirror {
            Some(m) => format!("{}/{}", m.trim_end_matches('/'), feed.mirror_path),
            None => feed.url.clone(),
        };
        let report = builder.import(&feed.name, feed.kind, &path, &location)?;
        builder.set_validators(&feed.name, fetched.etag, fetched.last_modified);
        imports.push((feed.name.clone(), report));
    }
    let _ = now_unix;
    let summary = builder.finish()?;
    Ok(UpdateReport {
        feeds: outcomes,
        imports,
        summary,
    })
}
