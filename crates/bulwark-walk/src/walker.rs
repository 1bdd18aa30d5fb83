//! Reading layer streams: decompress, verify, parse the tar, offer files to the visitor, then
//! merge the per-layer results in order.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::digest::{Digest, HashingReader};
use crate::error::{classify_io, LimitExceeded, WalkError, WalkErrorKind};
use crate::view::{normalize_entry_path, FileView, Node, NodeKind};
use crate::{Captured, EntryMeta, LayerInfo, Visitor, WalkResult};

/// Bounds on what one walk may consume. Defaults are generous for real images and stop bombs.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Total decompressed bytes over all layers.
    pub max_total_bytes: u64,
    /// Declared size of any single entry.
    pub max_entry_bytes: u64,
    /// Number of entries over all layers.
    pub max_entries: u64,
    /// Largest file handed to a visitor (bigger wanted files are skipped with a note).
    pub max_read_bytes: u64,
    /// Highest decompressed:compressed ratio tolerated once `ratio_floor` bytes were produced.
    pub max_ratio: u64,
    /// Decompressed bytes before the ratio check starts (small layers compress very well).
    pub ratio_floor: u64,
    /// Worker threads for parallel layer reading (0 = available cores).
    pub threads: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_bytes: 64 << 30,
            max_entry_bytes: 16 << 30,
            max_entries: 500_000,
            max_read_bytes: 256 << 20,
            max_ratio: 250,
            ratio_floor: 256 << 20,
            threads: 0,
        }
    }
}

/// Shared counters that enforce the image-wide limits across layer threads.
#[derive(Debug, Default)]
pub struct Budget {
    bytes: AtomicU64,
    entries: AtomicU64,
    cancelled: AtomicBool,
}

impl Budget {
    /// A fresh budget.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask every layer still being read to stop.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
}

/// A layer to read: where its bytes come from and what they must hash to.
pub struct LayerInput {
    /// What is known about the layer (index, digests, history).
    pub info: LayerInfo,
    /// Digest of the bytes `open` yields (the stored blob, compressed or not).
    pub expected_digest: Option<String>,
    /// Digest of the uncompressed tar (`rootfs.diff_ids`).
    pub expected_diff_id: Option<String>,
    /// Opens the blob.
    pub open: Box<dyn FnOnce() -> io::Result<Box<dyn Read + Send>> + Send>,
}

/// Statistics of one layer read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerStats {
    /// Bytes read from the blob.
    pub blob_bytes: u64,
    /// Decompressed tar bytes.
    pub tar_bytes: u64,
    /// Tar entries.
    pub entries: u64,
    /// Digest of the blob as read.
    pub digest: Option<String>,
    /// Digest of the tar stream as read.
    pub diff_id: Option<String>,
    /// Wanted files that were larger than `max_read_bytes` and so not read.
    pub skipped_large: Vec<String>,
}

/// What one layer contributed, before merging.
pub struct LayerWalk<T> {
    entries: Vec<(String, Node)>,
    whiteouts: Vec<String>,
    opaque: Vec<String>,
    captured: Vec<(String, T)>,
    /// Counters and digests.
    pub stats: LayerStats,
}

impl<T> std::fmt::Debug for LayerWalk<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LayerWalk")
            .field("entries", &self.entries.len())
            .field("whiteouts", &self.whiteouts)
            .field("opaque", &self.opaque)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// Compression of a layer blob, detected from its first bytes (media types lie; bytes do not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain tar.
    None,
    /// gzip.
    Gzip,
    /// zstd.
    Zstd,
}

fn detect(buf: &[u8]) -> Compression {
    if buf.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if buf.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

fn parse_expected(d: Option<&str>) -> Result<Option<Digest>, WalkErrorKind> {
    d.map(|s| Digest::parse(s).map_err(|e| WalkErrorKind::BadDigest(e.to_string())))
        .transpose()
}

/// Enforces byte limits and the bomb ratio on the decompressed stream.
struct LimitReader<'b, R> {
    inner: R,
    compressed: Arc<AtomicU64>,
    produced: u64,
    budget: &'b Budget,
    limits: &'b Limits,
}

impl<R: Read> Read for LimitReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.budget.cancelled.load(Ordering::Relaxed) {
            return Err(io::Error::other(LimitExceeded(WalkErrorKind::Cancelled)));
        }
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        let total = self.budget.bytes.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if total > self.limits.max_total_bytes {
            return Err(io::Error::other(LimitExceeded(WalkErrorKind::TooLarge(
                self.limits.max_total_bytes,
            ))));
        }
        if self.produced > self.limits.ratio_floor {
            let c = self.compressed.load(Ordering::Relaxed).max(1);
            if self.produced / c > self.limits.max_ratio {
                return Err(io::Error::other(LimitExceeded(WalkErrorKind::Bomb(
                    self.limits.max_ratio,
                ))));
            }
        }
        Ok(n)
    }
}

/// Read one layer stream completely: verify its digests, record its entries, hand wanted files to
/// the visitor. The result is only meaningful once this returns `Ok` (digests verified).
pub fn walk_layer<V: Visitor>(
    visitor: &V,
    limits: &Limits,
    budget: &Budget,
    index: usize,
    reader: impl Read,
    expected_digest: Option<&str>,
    expected_diff_id: Option<&str>,
) -> Result<LayerWalk<V::Output>, WalkError> {
    let locate = |mut e: WalkError| {
        e.layer = Some(index);
        if e.digest.is_none() {
            e.digest = expected_digest.or(expected_diff_id).map(str::to_string);
        }
        e
    };
    let want_blob = parse_expected(expected_digest).map_err(|k| locate(k.into()))?;
    let want_tar = parse_expected(expected_diff_id).map_err(|k| locate(k.into()))?;

    // Always hash the blob: sources that learn the expected digest only after the stream (the
    // engine's export) verify against `LayerStats::digest`.
    let blob_alg = want_blob
        .as_ref()
        .map_or(crate::Algorithm::Sha256, Digest::algorithm);
    let blob = HashingReader::new(reader, Some(blob_alg));
    let compressed = blob.counter();
    let mut blob = BufReader::with_capacity(256 << 10, blob);
    let head = blob.fill_buf().map_err(|e| locate(classify_io(e).into()))?;
    let compression = detect(head);
    // When the blob is not compressed, the blob digest and the diff_id are the same bytes.
    let tar_alg = match compression {
        Compression::None => None,
        _ => want_tar.as_ref().map(Digest::algorithm),
    };
    let decompressed: Box<dyn Read + '_> = match compression {
        Compression::None => Box::new(&mut blob),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(&mut blob)),
        Compression::Zstd => Box::new(
            zstd::stream::read::Decoder::with_buffer(&mut blob)
                .map_err(|e| locate(classify_io(e).into()))?,
        ),
    };
    let limited = LimitReader {
        inner: decompressed,
        compressed: Arc::clone(&compressed),
        produced: 0,
        budget,
        limits,
    };
    let mut tar_stream = HashingReader::new(limited, tar_alg);
    let walk = read_tar(visitor, limits, budget, index, &mut tar_stream).map_err(locate)?;
    // Hash everything up to the end of the stream, not just to the end-of-archive marker.
    io::copy(&mut tar_stream, &mut io::sink()).map_err(|e| locate(classify_io(e).into()))?;
    let tar_bytes = tar_stream.counter().load(Ordering::Relaxed);
    let tar_digest = tar_stream.finish();
    let blob_inner = blob.into_inner();
    let blob_bytes = compressed.load(Ordering::Relaxed);
    let blob_digest = blob_inner.finish();
    let tar_digest = match compression {
        Compression::None => blob_digest.clone(),
        _ => tar_digest,
    };
    let mut walk = walk;
    if let (Some(want), Some(got)) = (&want_blob, &blob_digest) {
        if want != got {
            return Err(locate(
                WalkErrorKind::DigestMismatch {
                    what: "blob",
                    expected: want.to_string(),
                    actual: got.to_string(),
                }
                .into(),
            ));
        }
    }
    if let Some(want) = &want_tar {
        let got = match compression {
            Compression::None => Some(match &blob_digest {
                Some(d) if d.algorithm() == want.algorithm() => d.clone(),
                _ => {
                    return Err(locate(
                        WalkErrorKind::BadDigest(
                            "diff_id algorithm differs from blob digest".into(),
                        )
                        .into(),
                    ))
                }
            }),
            _ => tar_digest.clone(),
        };
        if let Some(got) = got {
            if &got != want {
                return Err(locate(
                    WalkErrorKind::DigestMismatch {
                        what: "diff_id",
                        expected: want.to_string(),
                        actual: got.to_string(),
                    }
                    .into(),
                ));
            }
        }
    }
    walk.stats.blob_bytes = blob_bytes;
    walk.stats.tar_bytes = tar_bytes;
    walk.stats.digest = blob_digest.map(|d| d.to_string());
    walk.stats.diff_id = tar_digest.map(|d| d.to_string());
    Ok(walk)
}

fn read_tar<V: Visitor, R: Read>(
    visitor: &V,
    limits: &Limits,
    budget: &Budget,
    index: usize,
    reader: R,
) -> Result<LayerWalk<V::Output>, WalkError> {
    let mut archive = tar::Archive::new(reader);
    let mut walk = LayerWalk {
        entries: Vec::new(),
        whiteouts: Vec::new(),
        opaque: Vec::new(),
        captured: Vec::new(),
        stats: LayerStats::default(),
    };
    let entries = archive
        .entries()
        .map_err(|e| WalkError::new(classify_io(e)))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| WalkError::new(classify_io(e)))?;
        walk.stats.entries += 1;
        let seen = budget.entries.fetch_add(1, Ordering::Relaxed) + 1;
        if seen > limits.max_entries {
            return Err(WalkErrorKind::TooManyEntries(limits.max_entries).into());
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if raw.starts_with('/') {
            return Err(WalkError::new(WalkErrorKind::AbsolutePath).at_entry(&raw));
        }
        let path = normalize_entry_path(&raw)
            .ok_or_else(|| WalkError::new(WalkErrorKind::PathTraversal).at_entry(&raw))?;
        let header = entry.header();
        let size = entry.size();
        if size > limits.max_entry_bytes {
            return Err(WalkError::new(WalkErrorKind::EntryTooLarge {
                size,
                limit: limits.max_entry_bytes,
            })
            .at_entry(&raw));
        }
        let mode = header.mode().unwrap_or(0o644);
        let (parent, name) = match path.rfind('/') {
            Some(0) => ("/", &path[1..]),
            Some(i) => (&path[..i], &path[i + 1..]),
            None => ("/", path.as_str()),
        };
        if let Some(hidden) = name.strip_prefix(".wh.") {
            if hidden == ".wh..opq" {
                walk.opaque.push(parent.to_string());
            } else if hidden.is_empty() || hidden == "." || hidden == ".." {
                return Err(
                    WalkError::new(WalkErrorKind::Malformed("bad whiteout name".into()))
                        .at_entry(&raw),
                );
            } else {
                let target = if parent == "/" {
                    format!("/{hidden}")
                } else {
                    format!("{parent}/{hidden}")
                };
                walk.whiteouts.push(target);
            }
            continue;
        }
        let kind = header.entry_type();
        let node_kind = match kind {
            tar::EntryType::Directory => NodeKind::Dir,
            tar::EntryType::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                if !target.starts_with('/') {
                    // Relative: resolved against the link's directory, it must stay inside the
                    // root (Docker refuses to apply such layers as well).
                    let joined = format!("{parent}/{target}");
                    if normalize_entry_path(&joined).is_none() {
                        return Err(
                            WalkError::new(WalkErrorKind::SymlinkEscape(target)).at_entry(&raw)
                        );
                    }
                }
                NodeKind::Symlink(target)
            }
            tar::EntryType::Link => {
                let target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                let resolved = if target.starts_with('/') {
                    None
                } else {
                    normalize_entry_path(&target)
                };
                let Some(resolved) = resolved else {
                    return Err(
                        WalkError::new(WalkErrorKind::HardLinkEscape(target)).at_entry(&raw)
                    );
                };
                // The target's size, when it is in this layer (lower layers are resolved by
                // the merge, which keeps the File kind).
                let size = walk
                    .entries
                    .iter()
                    .rev()
                    .find(|(p, _)| *p == resolved)
                    .map(|(_, n)| n.size)
                    .unwrap_or(0);
                walk.entries.push((
                    path.clone(),
                    Node {
                        kind: NodeKind::File,
                        size,
                        mode,
                        layer: index,
                    },
                ));
                continue;
            }
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                NodeKind::File
            }
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => continue,
            _ => NodeKind::Other,
        };
        if node_kind == NodeKind::File {
            let meta = EntryMeta {
                path: &path,
                size,
                mode,
                layer: index,
            };
            if visitor.wants(&meta) {
                if size > limits.max_read_bytes {
                    walk.stats.skipped_large.push(path.clone());
                } else {
                    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                    (&mut entry)
                        .take(size)
                        .read_to_end(&mut data)
                        .map_err(|e| WalkError::new(classify_io(e)).at_entry(&raw))?;
                    if (data.len() as u64) < size {
                        return Err(WalkError::new(WalkErrorKind::Truncated(
                            "entry shorter than its header says".into(),
                        ))
                        .at_entry(&raw));
                    }
                    let output = visitor.visit(&meta, &data);
                    walk.captured.push((path.clone(), output));
                }
            }
        }
        walk.entries.push((
            path,
            Node {
                kind: node_kind,
                size,
                mode,
                layer: index,
            },
        ));
    }
    Ok(walk)
}

/// Merge per-layer results, bottom layer first, into the final view. `walks[i]` must be layer
/// `layers[i]`.
pub fn merge<T>(layers: Vec<LayerInfo>, walks: Vec<LayerWalk<T>>) -> WalkResult<T> {
    let mut view = FileView::new();
    let mut captured = Vec::new();
    for (index, walk) in walks.into_iter().enumerate() {
        // Opaque directories and whiteouts hide lower layers only, so they apply before this
        // layer's own entries.
        for dir in &walk.opaque {
            view.remove_children(dir);
        }
        for path in &walk.whiteouts {
            view.remove_tree(path);
        }
        for (path, mut node) in walk.entries {
            // Streamed sources learn a layer's position only after reading it.
            node.layer = index;
            let replaced_dir = view.get(&path).is_some_and(|n| n.kind == NodeKind::Dir);
            if replaced_dir && node.kind != NodeKind::Dir {
                view.remove_children(&path);
            }
            view.insert(path, node);
        }
        for (path, output) in walk.captured {
            captured.push(Captured {
                path,
                layer: index,
                visible: false,
                output,
            });
        }
    }
    for c in &mut captured {
        c.visible = view.is_visible(&c.path, c.layer);
    }
    // A path captured twice in one layer (duplicate tar entries): only the last copy is visible.
    let mut seen = std::collections::HashSet::new();
    for c in captured.iter_mut().rev() {
        if c.visible && !seen.insert((c.layer, c.path.clone())) {
            c.visible = false;
        }
    }
    WalkResult {
        layers,
        view,
        captured,
    }
}

/// Read all layers, in parallel across `limits.threads` workers, then merge them.
pub fn walk_layers<V: Visitor>(
    visitor: &V,
    limits: &Limits,
    inputs: Vec<LayerInput>,
) -> Result<(WalkResult<V::Output>, Vec<LayerStats>), WalkError> {
    let budget = Budget::new();
    let threads = match limits.threads {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2),
        n => n,
    }
    .min(inputs.len().max(1));
    let infos: Vec<LayerInfo> = inputs.iter().map(|i| i.info.clone()).collect();
    // Largest layers first, so one big layer does not start last and dominate wall time.
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(inputs[i].info.size.unwrap_or(0)));
    let slots: Vec<Mutex<Option<LayerInput>>> =
        inputs.into_iter().map(|i| Mutex::new(Some(i))).collect();
    type Slot<T> = Mutex<Option<Result<LayerWalk<T>, WalkError>>>;
    let results: Vec<Slot<V::Output>> = (0..slots.len()).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = order.get(n) else { break };
                let Some(input) = slots[i].lock().ok().and_then(|mut s| s.take()) else {
                    continue;
                };
                let LayerInput {
                    info,
                    expected_digest,
                    expected_diff_id,
                    open,
                } = input;
                let result = match open() {
                    Ok(reader) => walk_layer(
                        visitor,
                        limits,
                        &budget,
                        info.index,
                        reader,
                        expected_digest.as_deref(),
                        expected_diff_id.as_deref(),
                    ),
                    Err(e) => Err(WalkError {
                        layer: Some(info.index),
                        digest: expected_digest.clone(),
                        entry: None,
                        kind: WalkErrorKind::Io(e),
                    }),
                };
                if result.is_err() {
                    budget.cancel();
                }
                if let Ok(mut slot) = results[i].lock() {
                    *slot = Some(result);
                }
            });
        }
    });
    let mut walks = Vec::with_capacity(results.len());
    let mut first_error: Option<WalkError> = None;
    for slot in results {
        match slot.into_inner().ok().flatten() {
            Some(Ok(w)) => walks.push(w),
            Some(Err(e)) => {
                // Prefer the root cause over the cancellations it triggered.
                let replace = match &first_error {
                    None => true,
                    Some(prev) => {
                        matches!(prev.kind, WalkErrorKind::Cancelled)
                            && !matches!(e.kind, WalkErrorKind::Cancelled)
                    }
                };
                if replace {
                    first_error = Some(e);
                }
            }
            None => {
                if first_error.is_none() {
                    first_error = Some(WalkError::new(WalkErrorKind::Malformed(
                        "layer was not read".into(),
                    )));
                }
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let stats = walks.iter().map(|w| w.stats.clone()).collect();
    Ok((merge(infos, walks), stats))
}
