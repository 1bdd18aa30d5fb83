//! Walk errors: every one names the layer, and the entry where there is one.

use std::fmt;
use std::io;

/// What went wrong while reading a layer.
#[derive(Debug, thiserror::Error)]
pub enum WalkErrorKind {
    /// Reading failed.
    #[error("I/O error: {0}")]
    Io(#[source] io::Error),
    /// The stream ended in the middle of the compressed data, a tar header or an entry.
    #[error("archive is truncated ({0})")]
    Truncated(String),
    /// The content does not hash to the digest it was announced with.
    #[error("{what} digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// `blob` (as stored) or `diff_id` (uncompressed tar).
        what: &'static str,
        /// The announced digest.
        expected: String,
        /// What the content hashes to.
        actual: String,
    },
    /// An announced digest could not be parsed or uses an unsupported algorithm.
    #[error("bad digest: {0}")]
    BadDigest(String),
    /// An entry path climbs above the image root (`../`).
    #[error("path escapes the image root")]
    PathTraversal,
    /// An entry path is absolute (`/etc/passwd`): layer tars hold relative paths only.
    #[error("absolute path in layer")]
    AbsolutePath,
    /// A relative symlink whose target climbs above the image root (Docker refuses these too).
    #[error("symlink target `{0}` escapes the image root")]
    SymlinkEscape(String),
    /// A hard link whose target is outside the image root or was never seen.
    #[error("hard link target `{0}` is outside the image or missing")]
    HardLinkEscape(String),
    /// More entries than `Limits::max_entries`.
    #[error("more than {0} entries (limit; raise it with --max-entries)")]
    TooManyEntries(u64),
    /// More decompressed bytes than `Limits::max_total_bytes`.
    #[error("more than {0} decompressed bytes (limit; raise it with --max-bytes)")]
    TooLarge(u64),
    /// One entry larger than `Limits::max_entry_bytes`.
    #[error("entry of {size} bytes exceeds the {limit}-byte entry limit")]
    EntryTooLarge {
        /// Declared size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Decompressed size grows far beyond compressed size: a decompression bomb.
    #[error("decompression ratio above {0}:1 (decompression bomb?)")]
    Bomb(u64),
    /// The walk was abandoned because another layer failed.
    #[error("cancelled")]
    Cancelled,
    /// Malformed archive structure.
    #[error("malformed archive: {0}")]
    Malformed(String),
}

/// An error while walking an image, located as precisely as possible.
#[derive(Debug)]
pub struct WalkError {
    /// Index of the layer (None for errors outside any layer).
    pub layer: Option<usize>,
    /// Digest of the layer, when known.
    pub digest: Option<String>,
    /// The entry inside the layer, when the error concerns one.
    pub entry: Option<String>,
    /// What happened.
    pub kind: WalkErrorKind,
}

impl WalkError {
    pub(crate) fn new(kind: WalkErrorKind) -> Self {
        WalkError {
            layer: None,
            digest: None,
            entry: None,
            kind,
        }
    }

    pub(crate) fn at_entry(mut self, entry: &str) -> Self {
        self.entry = Some(entry.to_string());
        self
    }
}

impl From<WalkErrorKind> for WalkError {
    fn from(kind: WalkErrorKind) -> Self {
        WalkError::new(kind)
    }
}

impl fmt::Display for WalkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.layer, &self.digest) {
            (Some(l), Some(d)) => write!(f, "layer {l} ({d})")?,
            (Some(l), None) => write!(f, "layer {l}")?,
            (None, Some(d)) => write!(f, "blob {d}")?,
            (None, None) => write!(f, "image")?,
        }
        if let Some(e) = &self.entry {
            write!(f, ", entry `{e}`")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for WalkError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.kind.source()
    }
}

/// Map an I/O error from the decompress/tar chain to the most telling kind.
pub(crate) fn classify_io(err: io::Error) -> WalkErrorKind {
    // Limit violations travel through the reader chain as io::Error with our kind inside.
    if err.get_ref().is_some_and(|e| e.is::<LimitExceeded>()) {
        if let Some(inner) = err.into_inner() {
            if let Ok(limit) = inner.downcast::<LimitExceeded>() {
                return limit.0;
            }
        }
        return WalkErrorKind::Malformed("limit exceeded".into());
    }
    match err.kind() {
        io::ErrorKind::UnexpectedEof => WalkErrorKind::Truncated(err.to_string()),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::Other => {
            let msg = err.to_string();
            if msg.contains("unexpected EOF")
                || msg.contains("failed to read entire block")
                || msg.contains("corrupt deflate stream") && msg.contains("EOF")
            {
                WalkErrorKind::Truncated(msg)
            } else {
                WalkErrorKind::Malformed(msg)
            }
        }
        _ => WalkErrorKind::Io(err),
    }
}

/// A limit violation carried through `io::Error` from inside a reader.
#[derive(Debug)]
pub(crate) struct LimitExceeded(pub WalkErrorKind);

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for LimitExceeded {}
