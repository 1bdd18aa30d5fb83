//! The layer walker: reads every layer of an image exactly once, decompressing layers in
//! parallel, hands the files that a [`Visitor`] asks for to it, and merges the layers into the
//! final [`FileView`] (whiteouts and opaque directories applied in layer order).
//!
//! What it does not do: find or fetch images (that is `bulwark-source`), or know what a package
//! is (that is `bulwark-catalog` and the catalogers). Nothing is written to disk.

// A walk fails at most once, so a large error value costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

mod digest;
mod dir;
mod error;
pub mod glob;
mod view;
mod walker;

pub use digest::{Algorithm, Digest, DigestParseError, Hasher, HashingReader};
pub use dir::walk_dir;
pub use error::{WalkError, WalkErrorKind};
pub use view::{normalize_entry_path, FileView, Node, NodeKind, MAX_SYMLINK_HOPS};
pub use walker::{
    merge, walk_layer, walk_layers, Budget, Compression, LayerInput, LayerStats, LayerWalk, Limits,
};

use serde::Serialize;

/// What the walker knows about one layer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LayerInfo {
    /// Position in the image, 0 = bottom layer.
    pub index: usize,
    /// Digest of the layer blob as stored (compressed), e.g. `sha256:...`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Digest of the uncompressed tar (the config's `rootfs.diff_ids` entry), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
    /// Media type of the blob, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Size of the blob in bytes, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The history entry's `created_by` (the Dockerfile instruction), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Whether this layer belongs to the base image (see `bulwark-source`'s base detection).
    pub is_base: bool,
}

/// A file offered to a [`Visitor`] while a layer is being read.
#[derive(Debug, Clone, Copy)]
pub struct EntryMeta<'a> {
    /// Absolute, normalised path inside the image (`/var/lib/dpkg/status`).
    pub path: &'a str,
    /// Size in bytes as declared by the archive.
    pub size: u64,
    /// Permission bits (`0o755`).
    pub mode: u32,
    /// Index of the layer being read.
    pub layer: usize,
}

impl EntryMeta<'_> {
    /// Whether any execute bit is set.
    pub fn is_executable(&self) -> bool {
        self.mode & 0o111 != 0
    }

    /// The last path component.
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

/// Receives files from the walker. Implementations are called concurrently from the threads that
/// read different layers, so they must be `Sync`.
pub trait Visitor: Sync {
    /// What `visit` returns; kept by the walker until the walk ends.
    type Output: Send;

    /// Cheap filter called for every regular file of every layer: does the visitor want this
    /// file's content?
    fn wants(&self, entry: &EntryMeta<'_>) -> bool;

    /// Called with the whole content of a wanted file (at most the configured entry limit).
    /// Keep the returned value small: it lives until the walk ends.
    fn visit(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Self::Output;
}

/// The output of one `visit` call, with where the file was found.
#[derive(Debug)]
pub struct Captured<T> {
    /// Path of the file inside the image.
    pub path: String,
    /// Layer the file was read from.
    pub layer: usize,
    /// Whether this copy is the one visible in the final view (not shadowed or deleted by a
    /// later layer).
    pub visible: bool,
    /// What the visitor returned.
    pub output: T,
}

/// Everything a walk produced.
#[derive(Debug)]
pub struct WalkResult<T> {
    /// The layers, bottom first.
    pub layers: Vec<LayerInfo>,
    /// The merged, final file view.
    pub view: FileView,
    /// Every file a visitor asked for, from every layer, in layer order.
    pub captured: Vec<Captured<T>>,
}
