//! Importers: each turns one feed's native format into [`Advisory`]/[`Enrichment`] records.
//!
//! Every importer is tolerant: a record that cannot be read is listed in the [`ImportReport`]
//! (file, id, reason) and the rest are still imported. Only I/O failures on the input as a whole
//! (missing path, unreadable archive) are errors.

pub mod alpine;
pub mod debian;
pub mod enrich;
pub mod osv;
pub mod redhat;
pub mod rustsec;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::model::{Advisory, Enrichment};

/// Largest single input file (or archive member) read, so a hostile archive cannot exhaust
/// memory. The biggest real feed file (Debian tracker JSON, NVD pages) is well under this.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Errors that stop an import as a whole.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input was refused before reading (a device, FIFO, over the feed size bound...).
    #[error(transparent)]
    Input(#[from] bulwark_input::InputError),
    /// The input could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A zip archive could not be opened.
    #[error("reading zip archive {path}: {message}")]
    Zip {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The kind of an input could not be guessed.
    #[error("cannot tell what kind of advisory feed {0} is; say it with KIND:PATH")]
    UnknownKind(PathBuf),
    /// The sink (store) failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Which feed format an input is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// OSV JSON or YAML, any ecosystem: files, directories or `all.zip`.
    Osv,
    /// Debian security tracker JSON (`/tracker/data/json`).
    DebianTracker,
    /// Debian security tracker DSA/DLA `list` text files.
    DebianDsa,
    /// Alpine secdb JSON or YAML (also Wolfi `security.json`).
    AlpineSecdb,
    /// Red Hat CSAF VEX JSON (one file per CVE, or a directory of them).
    RedhatVex,
    /// RustSec advisory database (Markdown with TOML front matter).
    Rustsec,
    /// NVD CVE API 2.0 JSON pages.
    Nvd,
    /// FIRST EPSS CSV, optionally gzipped.
    Epss,
    /// CISA Known Exploited Vulnerabilities JSON.
    Kev,
}

impl SourceKind {
    /// Every kind, in the order the CLI documents them.
    pub const ALL: [SourceKind; 9] = [
        SourceKind::Osv,
        SourceKind::DebianTracker,
        SourceKind::DebianDsa,
        SourceKind::AlpineSecdb,
        SourceKind::RedhatVex,
        SourceKind::Rustsec,
        SourceKind::Nvd,
        SourceKind::Epss,
        SourceKind::Kev,
    ];

    /// The name used on the command line and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Osv => "osv",
            SourceKind::DebianTracker => "debian-tracker",
            SourceKind::DebianDsa => "debian-dsa",
            SourceKind::AlpineSecdb => "alpine-secdb",
            SourceKind::RedhatVex => "redhat-vex",
            SourceKind::Rustsec => "rustsec",
            SourceKind::Nvd => "nvd",
            SourceKind::Epss => "epss",
            SourceKind::Kev => "kev",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SourceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        SourceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = SourceKind::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "unknown source kind `{s}` (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

/// One record that was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// File (or `archive.zip!member`) the record came from.
    pub file: String,
    /// Record id, when it could be read.
    pub id: Option<String>,
    /// Why it was skipped.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Files read.
    pub files: usize,
    /// Advisories imported.
    pub advisories: usize,
    /// Enrichment records imported.
    pub enrichments: usize,
    /// Records skipped, with reasons.
    pub skipped: Vec<Skipped>,
}

impl ImportReport {
    /// Record a skipped record.
    pub fn skip(&mut self, file: &str, id: Option<&str>, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            file: file.to_string(),
            id: id.map(str::to_string),
            reason: reason.into(),
        });
    }

    /// Add another report's counts and skips to this one.
    pub fn merge(&mut self, other: ImportReport) {
        self.files += other.files;
        self.advisories += other.advisories;
        self.enrichments += other.enrichments;
        self.skipped.extend(other.skipped);
    }
}

/// Where importers put what they read (the store's builder, or a `Vec` in tests).
pub trait Sink {
    /// Take one advisory.
    fn advisory(&mut self, advisory: Advisory) -> Result<(), crate::store::StoreError>;
    /// Take one enrichment record (merged with what the sink already has for the CVE).
    fn enrichment(&mut self, enrichment: Enrichment) -> Result<(), crate::store::StoreError>;
}

/// A sink that keeps everything in memory.
#[derive(Debug, Default)]
pub struct VecSink {
    /// Advisories received.
    pub advisories: Vec<Advisory>,
    /// Enrichment records received.
    pub enrichments: Vec<Enrichment>,
}

impl Sink for VecSink {
    fn advisory(&mut self, advisory: Advisory) -> Result<(), crate::store::StoreError> {
        self.advisories.push(advisory);
        Ok(())
    }
    fn enrichment(&mut self, enrichment: Enrichment) -> Result<(), crate::store::StoreError> {
        self.enrichments.push(enrichment);
        Ok(())
    }
}

/// Counts what passes through to the inner sink.
struct Counting<'a> {
    inner: &'a mut dyn Sink,
    advisories: usize,
    enrichments: usize,
}

impl Sink for Counting<'_> {
    fn advisory(&mut self, advisory: Advisory) -> Result<(), crate::store::StoreError> {
        self.advisories += 1;
        self.inner.advisory(advisory)
    }
    fn enrichment(&mut self, enrichment: Enrichment) -> Result<(), crate::store::StoreError> {
        self.enrichments += 1;
        self.inner.enrichment(enrichment)
    }
}

/// Import one input (file, directory, or zip archive) of the given kind into `sink`.
pub fn import_path(
    kind: SourceKind,
    path: &Path,
    sink: &mut dyn Sink,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let mut counting = Counting {
        inner: sink,
        advisories: 0,
        enrichments: 0,
    };
    for_each_input(path, &mut |name, data| {
        report.files += 1;
        import_bytes(kind, name, data, &mut counting, &mut report)
    })?;
    report.advisories = counting.advisories;
    report.enrichments = counting.enrichments;
    Ok(report)
}

/// Import one file's content, already read. `name` is used in the report and to tell formats
/// apart (`.yaml`, `.gz`...).
pub fn import_bytes(
    kind: SourceKind,
    name: &str,
    data: &[u8],
    sink: &mut dyn Sink,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    match kind {
        SourceKind::Osv => osv::import(name, data, sink, report),
        SourceKind::DebianTracker => debian::import_tracker_json(name, data, sink, report),
        SourceKind::DebianDsa => debian::import_list(name, data, sink, report),
        SourceKind::AlpineSecdb => alpine::import(name, data, sink, report),
        SourceKind::RedhatVex => redhat::import(name, data, sink, report),
        SourceKind::Rustsec => rustsec::import(name, data, sink, report),
        SourceKind::Nvd => enrich::import_nvd(name, data, sink, report),
        SourceKind::Epss => enrich::import_epss(name, data, sink, report),
        SourceKind::Kev => enrich::import_kev(name, data, sink, report),
    }
}

/// Guess a feed kind from a path (used by `db import` without KIND:).
pub fn detect_kind(path: &Path) -> Result<SourceKind, ImportError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let guess = if name.ends_with(".md") {
        Some(SourceKind::Rustsec)
    } else if name.starts_with("epss") || name.ends_with(".csv") || name.ends_with(".csv.gz") {
        Some(SourceKind::Epss)
    } else if name.contains("known_exploited") {
        Some(SourceKind::Kev)
    } else if name == "list" {
        Some(SourceKind::DebianDsa)
    } else if name.ends_with(".zip") || name.ends_with(".yaml") || name.ends_with(".yml") {
        Some(SourceKind::Osv)
    } else {
        None
    };
    if let Some(kind) = guess {
        return Ok(kind);
    }
    if path.is_dir() {
        // A directory of OSV records is by far the most common case; RustSec trees hold .md.
        let mut md = false;
        for_each_input_names(path, &mut |n| md |= n.ends_with(".md"));
        return Ok(if md {
            SourceKind::Rustsec
        } else {
            SourceKind::Osv
        });
    }
    // Sniff the start of a JSON file.
    let mut head = vec![0u8; 4096];
    let mut file = bulwark_input::open(path, bulwark_input::DocKind::Feed)?;
    let n = file.read(&mut head).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let head = String::from_utf8_lossy(head.get(..n).unwrap_or_default());
    let kind = if head.contains("\"csaf_version\"") {
        SourceKind::RedhatVex
    } else if head.contains("\"vulnerabilities\"") && head.contains("\"resultsPerPage\"") {
        SourceKind::Nvd
    } else if head.contains("catalogVersion") || head.contains("cisa") {
        SourceKind::Kev
    } else if head.contains("\"secfixes\"") || head.contains("\"apkurl\"") {
        SourceKind::AlpineSecdb
    } else if head.contains("\"releases\"") && head.contains("\"status\"") {
        SourceKind::DebianTracker
    } else if head.contains("\"id\"") {
        SourceKind::Osv
    } else {
        return Err(ImportError::UnknownKind(path.to_path_buf()));
    };
    Ok(kind)
}

fn for_each_input_names(path: &Path, f: &mut dyn FnMut(&str)) {
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            for_each_input_names(&p, f);
        } else if let Some(n) = p.file_name().and_then(|n| n.to_str()) {
            f(n);
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ImportError + '_ {
    move |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Callback of [`for_each_input`]: file name and content.
pub type InputVisitor<'a> = dyn FnMut(&str, &[u8]) -> Result<(), ImportError> + 'a;

/// Call `f` with the name and content of every input file under `path`: the file itself, every
/// file of a directory tree (sorted, so imports are deterministic), or every member of a zip.
pub fn for_each_input(path: &Path, f: &mut InputVisitor<'_>) -> Result<(), ImportError> {
    let meta = std::fs::metadata(path).map_err(io_err(path))?;
    if meta.is_dir() {
        let mut files = Vec::new();
        collect_files(path, &mut files).map_err(io_err(path))?;
        files.sort();
        for file in files {
            let name = file.to_string_lossy().into_owned();
            if is_zip_name(&name) {
                for_each_zip_member(&file, f)?;
            } else if is_data_name(&name) {
                let data = read_limited(&file)?;
                f(&name, &data)?;
            }
        }
        Ok(())
    } else if is_zip_name(&path.to_string_lossy()) {
        for_each_zip_member(path, f)
    } else {
        let data = read_limited(path)?;
        f(&path.to_string_lossy(), &data)
    }
}

fn is_zip_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
}

/// Files in a directory tree that may hold records (skips READMEs, licenses, scripts, VCS).
fn is_data_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    if base.starts_with("readme") || base.starts_with("license") || base.starts_with("contributing")
    {
        return false;
    }
    [".json", ".yaml", ".yml", ".md", ".csv", ".gz", ".toml"]
        .iter()
        .any(|ext| base.ends_with(ext))
        || base == "list"
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let ft = entry.file_type()?;
        if ft.is_dir() {
            collect_files(&entry.path(), out)?;
        } else if ft.is_file() {
            out.push(entry.path());
        }
    }
    Ok(())
}

/// A feed file under Bulwark's input policy: a regular file within the feed bound (a larger
/// one is an error, not silently cut short).
fn read_limited(path: &Path) -> Result<Vec<u8>, ImportError> {
    Ok(bulwark_input::read(path, bulwark_input::DocKind::Feed)?)
}

fn for_each_zip_member(path: &Path, f: &mut InputVisitor<'_>) -> Result<(), ImportError> {
    // Members are bounded one by one below; the archive itself may be large.
    let file = bulwark_input::open_unbounded(path, bulwark_input::DocKind::Feed)?;
    let zip_err = |e: zip::result::ZipError| ImportError::Zip {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(zip_err)?;
    let mut data = Vec::new();
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).map_err(zip_err)?;
        if !member.is_file() {
            continue;
        }
        let Ok(member_name) = member.name().map(|n| n.into_owned()) else {
            continue;
        };
        let name = format!("{}!{}", path.display(), member_name);
        if !is_data_name(&name) {
            continue;
        }
        data.clear();
        (&mut member)
            .take(MAX_FILE_BYTES)
            .read_to_end(&mut data)
            .map_err(io_err(path))?;
        drop(member);
        f(&name, &data)?;
    }
    Ok(())
}

/// Decompress gzip input when it starts with the gzip magic, bounded by [`MAX_FILE_BYTES`].
pub(crate) fn maybe_gunzip(data: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, String> {
    if data.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .take(MAX_FILE_BYTES)
            .read_to_end(&mut out)
            .map_err(|e| format!("gzip: {e}"))?;
        Ok(std::borrow::Cow::Owned(out))
    } else {
        Ok(std::borrow::Cow::Borrowed(data))
    }
}

/// Trim and drop empty strings; `None` for nothing left.
pub(crate) fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

// The builder takes imports here, so the store does not depend on the importers (the module
// dependency runs one way: import -> store).
impl crate::store::Builder {
    /// Import one input into the database and record it as a source named `name`.
    pub fn import(
        &mut self,
        name: &str,
        kind: SourceKind,
        path: &Path,
        location: &str,
    ) -> Result<ImportReport, ImportError> {
        let report = import_path(kind, path, self)?;
        self.record_source(crate::store::SourceInfo {
            name: name.to_string(),
            kind: kind.as_str().to_string(),
            location: location.to_string(),
            fetched_at: crate::store::now_unix(),
            advisories: i64::try_from(report.advisories).unwrap_or(i64::MAX),
            enrichments: i64::try_from(report.enrichments).unwrap_or(i64::MAX),
            skipped: i64::try_from(report.skipped.len()).unwrap_or(i64::MAX),
            etag: None,
            last_modified: None,
        });
        Ok(report)
    }
}

impl Sink for crate::store::Builder {
    fn advisory(&mut self, advisory: Advisory) -> Result<(), crate::store::StoreError> {
        self.insert_advisory(advisory)
    }
    fn enrichment(&mut self, enrichment: Enrichment) -> Result<(), crate::store::StoreError> {
        self.insert_enrichment(enrichment)
    }
}
