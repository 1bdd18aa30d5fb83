//! How Bulwark opens a user document: one policy for every verb and service.
//!
//! - Regular files only, unless a stream is asked for (`-` is standard input). Devices
//!   (`/dev/zero`), FIFOs, sockets and directories are refused *before* opening, so nothing
//!   blocks or reads forever.
//! - A size bound per [`DocKind`], checked against the file's size before reading and enforced
//!   while reading (a file that grows, or a stream, cannot exceed it). [`set_max_size`] raises or
//!   lowers every bound at once (`bulwark --max-input-size`, `BULWARK_MAX_INPUT_SIZE`).
//! - Text must be UTF-8; UTF-16 (by its byte-order mark) is named as such with the fix.
//! - One error shape, [`InputError`]: what was read, what was wrong, where, and what to do.
//!
//! What it does not do: parse anything, or read image archives and layers (those are streamed
//! by `bulwark-source` with their own bounds). It is its own crate, with no Bulwark
//! dependencies, so the lowest crates (the advisory store, the SBOM readers, the config audit)
//! can all use it without depending on the report model.

use std::fmt;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// What kind of document is being read: names it in errors and picks its size bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// An SBOM (CycloneDX, SPDX or Syft JSON).
    Sbom,
    /// A VEX document (OpenVEX, CycloneDX VEX, CSAF).
    Vex,
    /// An exception/suppression file (`.bulwarkignore.yaml`).
    IgnoreFile,
    /// A license policy file.
    LicensePolicy,
    /// A Rego policy module.
    Rego,
    /// A JSON/YAML file loaded as Rego `data`.
    RegoData,
    /// A file audited by `bulwark config` (Dockerfile, Compose, Kubernetes, daemon.json).
    Config,
    /// An advisory feed file (`db build`, `db import`).
    Feed,
    /// An advisory database (SQLite): only its type is checked, it has no size bound.
    Database,
    /// A registry manifest or request body.
    Manifest,
    /// An image archive (`docker save` tar, OCI layout tar): only its type is checked, its
    /// members are bounded by `bulwark-source`.
    ImageArchive,
}

impl DocKind {
    /// The name used in messages ("SBOM", "VEX document"...).
    pub fn name(self) -> &'static str {
        match self {
            DocKind::Sbom => "SBOM",
            DocKind::Vex => "VEX document",
            DocKind::IgnoreFile => "exception file",
            DocKind::LicensePolicy => "license policy",
            DocKind::Rego => "Rego policy",
            DocKind::RegoData => "Rego data file",
            DocKind::Config => "configuration file",
            DocKind::Feed => "advisory feed",
            DocKind::Database => "advisory database",
            DocKind::Manifest => "manifest",
            DocKind::ImageArchive => "image archive",
        }
    }

    /// The default size bound in bytes (documented in `docs/cli.md`). Generous for real
    /// documents (a Syft SBOM of a large image is tens of MiB), small enough that a mistake
    /// fails fast instead of exhausting memory.
    pub fn default_limit(self) -> u64 {
        const MIB: u64 = 1024 * 1024;
        match self {
            DocKind::Sbom => 256 * MIB,
            DocKind::Vex => 64 * MIB,
            DocKind::IgnoreFile | DocKind::LicensePolicy | DocKind::Rego => 4 * MIB,
            DocKind::RegoData => 64 * MIB,
            DocKind::Config => 16 * MIB,
            DocKind::Feed => 512 * MIB,
            DocKind::Database | DocKind::ImageArchive => u64::MAX,
            DocKind::Manifest => 4 * MIB,
        }
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// 0 means "no override": each kind keeps its default bound.
static MAX_SIZE_OVERRIDE: AtomicU64 = AtomicU64::new(0);

/// Replace every kind's size bound with `bytes` (`None` restores the defaults). Process-wide:
/// set once at start-up from `--max-input-size` / `BULWARK_MAX_INPUT_SIZE`.
pub fn set_max_size(bytes: Option<u64>) {
    MAX_SIZE_OVERRIDE.store(bytes.unwrap_or(0), Ordering::Relaxed);
}

/// The size bound in force for `kind`.
pub fn limit(kind: DocKind) -> u64 {
    match MAX_SIZE_OVERRIDE.load(Ordering::Relaxed) {
        0 => kind.default_limit(),
        n if matches!(kind, DocKind::Database | DocKind::ImageArchive) => {
            n.max(kind.default_limit())
        }
        n => n,
    }
}

/// Parse a size such as `1048576`, `64K`, `16MiB`, `2G` (binary units; `B` and `iB` optional).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{text}` is not a size (examples: 1048576, 64K, 16MiB, 2G)"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("`{text}`: unknown unit (use K, M, G or T)")),
    };
    n.checked_mul(1u64 << shift)
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("`{text}` is out of range"))
}

/// What was wrong with an input.
#[derive(Debug)]
pub enum Problem {
    /// Nothing at the path.
    NotFound,
    /// A directory where a file was expected.
    Directory,
    /// A character or block device (`/dev/zero`, `/dev/urandom`...).
    Device,
    /// A named pipe: it could block forever; pipe through standard input (`-`) instead.
    Fifo,
    /// A Unix socket.
    Socket,
    /// Symbolic links that loop (or too many levels of them).
    SymlinkLoop,
    /// Permission denied.
    PermissionDenied,
    /// Larger than the bound.
    TooLarge {
        /// The size found (or "more than" when reading a stream).
        size: u64,
        /// The bound.
        limit: u64,
    },
    /// Not UTF-8 text.
    NotUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
        /// What the bytes look like instead, when known ("UTF-16LE", "UTF-16BE", "binary").
        looks_like: Option<&'static str>,
    },
    /// Any other I/O failure.
    Io(std::io::Error),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; {}", self.what(), self.hint())
    }
}

impl Problem {
    fn what(&self) -> String {
        match self {
            Problem::NotFound => "no such file".into(),
            Problem::Directory => "is a directory, a file was expected".into(),
            Problem::Device => "is a device file, not a regular file".into(),
            Problem::Fifo => "is a named pipe (FIFO), not a regular file".into(),
            Problem::Socket => "is a socket, not a regular file".into(),
            Problem::SymlinkLoop => "symbolic links loop (too many levels)".into(),
            Problem::PermissionDenied => "permission denied".into(),
            Problem::TooLarge { size, limit } => {
                format!("{size} bytes is over the {limit}-byte bound for this kind of document")
            }
            Problem::NotUtf8 { offset, looks_like } => match looks_like {
                Some(enc) => format!("not UTF-8 text: {enc} at byte {offset}"),
                None => format!("not UTF-8 text: invalid byte sequence at byte {offset}"),
            },
            Problem::Io(e) => e.to_string(),
        }
    }

    fn hint(&self) -> &'static str {
        match self {
            Problem::NotFound => "check the path",
            Problem::Directory => "name a file inside it",
            Problem::Device | Problem::Socket => "name a regular file",
            Problem::Fifo => "to read a stream, pass `-` and pipe it to standard input",
            Problem::SymlinkLoop => "fix the links or name the file itself",
            Problem::PermissionDenied => "check the file's permissions",
            Problem::TooLarge { .. } => {
                "if the document is genuine, raise the bound with --max-input-size \
                 (or BULWARK_MAX_INPUT_SIZE)"
            }
            Problem::NotUtf8 {
                looks_like: Some("UTF-16LE" | "UTF-16BE"),
                ..
            } => "convert it, e.g. `iconv -f UTF-16 -t UTF-8 FILE`",
            Problem::NotUtf8 { .. } => "check that this is the right file; it must be UTF-8 text",
            Problem::Io(_) => "check the file and try again",
        }
    }
}

/// A refused or unreadable input. Displays as
/// `{kind} {path}: {what was wrong}; {what to do}`.
#[derive(Debug, thiserror::Error)]
#[error("{kind} {path}: {}; {}", problem.what(), problem.hint())]
pub struct InputError {
    /// What was being read.
    pub kind: DocKind,
    /// The path as given (`-` for standard input).
    pub path: String,
    /// What was wrong.
    pub problem: Problem,
}

impl InputError {
    /// What was wrong and what to do, without the kind and path (for reports that already
    /// name the file).
    pub fn reason(&self) -> String {
        format!("{}; {}", self.problem.what(), self.problem.hint())
    }

    /// An error about `path`.
    pub fn new(kind: DocKind, path: &Path, problem: Problem) -> Self {
        InputError {
            kind,
            path: path.display().to_string(),
            problem,
        }
    }
}

fn io_problem(e: std::io::Error) -> Problem {
    match e.kind() {
        std::io::ErrorKind::NotFound => Problem::NotFound,
        std::io::ErrorKind::PermissionDenied => Problem::PermissionDenied,
        std::io::ErrorKind::IsADirectory => Problem::Directory,
        // ELOOP has no stable ErrorKind on the MSRV; its OS code is 40 on Linux, 62 on BSDs.
        _ if matches!(e.raw_os_error(), Some(40)) && cfg!(target_os = "linux") => {
            Problem::SymlinkLoop
        }
        _ if matches!(e.raw_os_error(), Some(62)) && cfg!(target_os = "macos") => {
            Problem::SymlinkLoop
        }
        _ => Problem::Io(e),
    }
}

/// The problem with `meta` as a document of `kind`, if any.
fn check_meta(meta: &Metadata, kind: DocKind) -> Result<(), Problem> {
    let ft = meta.file_type();
    if ft.is_dir() {
        return Err(Problem::Directory);
    }
    if !ft.is_file() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_fifo() {
                return Err(Problem::Fifo);
            }
            if ft.is_socket() {
                return Err(Problem::Socket);
            }
        }
        return Err(Problem::Device);
    }
    let bound = limit(kind);
    if meta.len() > bound {
        return Err(Problem::TooLarge {
            size: meta.len(),
            limit: bound,
        });
    }
    Ok(())
}

/// Check that `path` is a regular file within `kind`'s bound, without opening it (opening a
/// FIFO blocks). Symbolic links are followed.
pub fn check(path: &Path, kind: DocKind) -> Result<Metadata, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| InputError::new(kind, path, io_problem(e)))?;
    check_meta(&meta, kind).map_err(|p| InputError::new(kind, path, p))?;
    Ok(meta)
}

/// Open `path` as a document of `kind`: [`check`] first, then the opened handle is checked
/// again (the path could have been swapped in between).
pub fn open(path: &Path, kind: DocKind) -> Result<File, InputError> {
    check(path, kind)?;
    let file = File::open(path).map_err(|e| InputError::new(kind, path, io_problem(e)))?;
    let meta = file
        .metadata()
        .map_err(|e| InputError::new(kind, path, io_problem(e)))?;
    check_meta(&meta, kind).map_err(|p| InputError::new(kind, path, p))?;
    Ok(file)
}

/// Open `path` as a regular file of `kind` without its size bound: for containers that are
/// read member by member with their own bounds (zip feeds, image archives).
pub fn open_unbounded(path: &Path, kind: DocKind) -> Result<File, InputError> {
    let regular = |meta: &Metadata| {
        if meta.is_file() {
            Ok(())
        } else {
            // Any bound works here: only the file type is checked for non-files.
            check_meta(meta, kind)
        }
    };
    let meta = std::fs::metadata(path).map_err(|e| InputError::new(kind, path, io_problem(e)))?;
    regular(&meta).map_err(|p| InputError::new(kind, path, p))?;
    let file = File::open(path).map_err(|e| InputError::new(kind, path, io_problem(e)))?;
    let meta = file
        .metadata()
        .map_err(|e| InputError::new(kind, path, io_problem(e)))?;
    regular(&meta).map_err(|p| InputError::new(kind, path, p))?;
    Ok(file)
}

/// Whether `path` asks for standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Read the whole document at `path` (`-`: standard input), within `kind`'s bound.
pub fn read(path: &Path, kind: DocKind) -> Result<Vec<u8>, InputError> {
    if is_stdin(path) {
        return read_bounded(std::io::stdin().lock(), path, kind);
    }
    let file = open(path, kind)?;
    read_bounded(file, path, kind)
}

/// Read `reader` to its end, refusing more than `kind`'s bound.
pub fn read_bounded(reader: impl Read, path: &Path, kind: DocKind) -> Result<Vec<u8>, InputError> {
    let bound = limit(kind);
    let mut data = Vec::new();
    reader
        .take(bound.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| InputError::new(kind, path, io_problem(e)))?;
    if data.len() as u64 > bound {
        return Err(InputError::new(
            kind,
            path,
            Problem::TooLarge {
                size: data.len() as u64,
                limit: bound,
            },
        ));
    }
    Ok(data)
}

/// Read the document at `path` as UTF-8 text (a UTF-8 byte-order mark is dropped).
pub fn read_text(path: &Path, kind: DocKind) -> Result<String, InputError> {
    let bytes = read(path, kind)?;
    to_text(bytes).map_err(|p| InputError::new(kind, path, p))
}

/// `bytes` as UTF-8 text, or what they look like instead.
pub fn to_text(bytes: Vec<u8>) -> Result<String, Problem> {
    let looks_like = sniff_encoding(&bytes);
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..'\u{feff}'.len_utf8());
            }
            Ok(s)
        }
        Err(e) => Err(Problem::NotUtf8 {
            offset: e.utf8_error().valid_up_to(),
            looks_like,
        }),
    }
}

/// What non-UTF-8 bytes look like: UTF-16 by its byte-order mark (or NULs in every other
/// byte of ASCII text), else binary when a NUL appears early.
fn sniff_encoding(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xFE, ..] => return Some("UTF-16LE"),
        [0xFE, 0xFF, ..] => return Some("UTF-16BE"),
        [a, 0, b, 0, ..] if a.is_ascii() && b.is_ascii() && *a != 0 => return Some("UTF-16LE"),
        [0, a, 0, b, ..] if a.is_ascii() && b.is_ascii() && *a != 0 => return Some("UTF-16BE"),
        _ => {}
    }
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or_default();
    head.contains(&0).then_some("binary data")
}

/// The SQLite database header ("SQLite format 3\0"), checked before handing a file to SQLite.
pub const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Whether the regular file at `path` starts with the SQLite header. [`check`] it first.
pub fn is_sqlite(path: &Path) -> Result<bool, InputError> {
    let mut file = open(path, DocKind::Database)?;
    let mut head = [0u8; 16];
    let mut got = 0;
    while got < head.len() {
        let rest = head.get_mut(got..).unwrap_or_default();
        match file.read(rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(InputError::new(DocKind::Database, path, io_problem(e))),
        }
    }
    Ok(got == head.len() && &head == SQLITE_MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("1048576"), Ok(1_048_576));
        assert_eq!(parse_size("64K"), Ok(65_536));
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12Q").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn refuses_devices_and_directories() {
        let e = read(Path::new("/dev/zero"), DocKind::Sbom).unwrap_err();
        assert!(matches!(e.problem, Problem::Device), "{e}");
        assert_eq!(
            e.to_string(),
            "SBOM /dev/zero: is a device file, not a regular file; name a regular file"
        );
        let e = read(Path::new("/"), DocKind::Vex).unwrap_err();
        assert!(matches!(e.problem, Problem::Directory), "{e}");
    }

    #[test]
    fn utf16_and_binary_are_named() {
        let p = to_text(vec![0xFF, 0xFE, b'{', 0]).unwrap_err();
        assert!(matches!(
            p,
            Problem::NotUtf8 {
                offset: 0,
                looks_like: Some("UTF-16LE")
            }
        ));
        let p = to_text(b"ab\xC3(".to_vec()).unwrap_err();
        assert!(matches!(
            p,
            Problem::NotUtf8 {
                offset: 2,
                looks_like: None
            }
        ));
        assert_eq!(to_text(b"\xEF\xBB\xBFok".to_vec()).unwrap(), "ok");
    }

    #[test]
    fn size_bound_is_enforced_on_streams() {
        let e = read_bounded(&[0u8; 10][..], Path::new("-"), DocKind::Manifest);
        assert!(e.is_ok());
        let big = vec![b' '; (DocKind::Rego.default_limit() + 1) as usize];
        let e = read_bounded(&big[..], Path::new("-"), DocKind::Rego).unwrap_err();
        assert!(matches!(e.problem, Problem::TooLarge { .. }), "{e}");
    }

    #[test]
    fn sqlite_magic() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        std::fs::write(&p, b"root:x:0:0:root:/root:/bin/bash\n").unwrap();
        assert!(!is_sqlite(&p).unwrap());
        std::fs::write(&p, b"SQLite format 3\0rest").unwrap();
        assert!(is_sqlite(&p).unwrap());
    }
}
