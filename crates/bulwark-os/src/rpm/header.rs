//! Decoder for rpm header blobs, as stored in every rpmdb backend.
//!
//! Layout (all big-endian): `il: u32` index entries, `dl: u32` data bytes, `il` entries of
//! `{tag: i32, type: u32, offset: i32, count: u32}`, then the `dl`-byte data store. Every entry is
//! checked against the store before it is read: type known, offset aligned for its type and
//! inside the store, `count` elements (or NUL-terminated strings) ending inside the store. A
//! header that fails any check is rejected as a whole, never read out of bounds.

/// Limits rpm itself applies (`hdrchkTags`, `hdrchkData` in rpm's header.c).
const MAX_TAGS: u32 = 0xffff;
const MAX_DATA: u32 = 256 * 1024 * 1024;

// Tag numbers from rpm's rpmtag.h.
const TAG_NAME: i32 = 1000;
const TAG_VERSION: i32 = 1001;
const TAG_RELEASE: i32 = 1002;
const TAG_EPOCH: i32 = 1003;
const TAG_BUILDTIME: i32 = 1006;
const TAG_INSTALLTIME: i32 = 1008;
const TAG_SIZE: i32 = 1009;
const TAG_VENDOR: i32 = 1011;
const TAG_LICENSE: i32 = 1014;
const TAG_ARCH: i32 = 1022;
const TAG_OLDFILENAMES: i32 = 1027;
const TAG_SOURCERPM: i32 = 1044;
const TAG_DIRINDEXES: i32 = 1116;
const TAG_BASENAMES: i32 = 1117;
const TAG_DIRNAMES: i32 = 1118;
const TAG_LONGSIZE: i32 = 5009;
const TAG_FILEDIGESTALGO: i32 = 5011;
const TAG_MODULARITYLABEL: i32 = 5096;

/// Region tags (HEADERIMAGE, HEADERSIGNATURES, HEADERIMMUTABLE): the first entry of a header
/// may describe the immutable region, its data being the region trailer.
const REGION_TAGS: [i32; 3] = [61, 62, 63];

// Data types from rpm's header.h.
const TYPE_NULL: u32 = 0;
const TYPE_CHAR: u32 = 1;
const TYPE_INT8: u32 = 2;
const TYPE_INT16: u32 = 3;
const TYPE_INT32: u32 = 4;
const TYPE_INT64: u32 = 5;
const TYPE_STRING: u32 = 6;
const TYPE_BIN: u32 = 7;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// Why a header was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// Fewer bytes than the header's own sizes require, or more.
    #[error("header blob is {actual} bytes, its index declares {declared}")]
    Size {
        /// Bytes the index and data sizes add up to.
        declared: u64,
        /// Bytes present.
        actual: u64,
    },
    /// Index count or data size beyond rpm's own limits.
    #[error("header declares {il} index entries and {dl} data bytes, over rpm's limits")]
    Limits {
        /// Index entries.
        il: u32,
        /// Data bytes.
        dl: u32,
    },
    /// One entry disagrees with the data store.
    #[error("tag {tag}: {problem}")]
    Entry {
        /// Tag number.
        tag: i32,
        /// What is wrong.
        problem: String,
    },
    /// A required tag is missing or has the wrong type.
    #[error("required tag {0} missing")]
    Missing(&'static str),
}

/// One decoded index entry: where its data lies in the store.
#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: i32,
    ty: u32,
    count: u32,
    start: usize,
    end: usize,
}

/// The fields Bulwark uses from an installed package's header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmHeader {
    /// `NAME`.
    pub name: String,
    /// `EPOCH`, when present.
    pub epoch: Option<u32>,
    /// `VERSION`.
    pub version: String,
    /// `RELEASE`.
    pub release: String,
    /// `ARCH` (absent for `gpg-pubkey`).
    pub arch: Option<String>,
    /// `SOURCERPM`.
    pub source_rpm: Option<String>,
    /// `LICENSE`.
    pub license: Option<String>,
    /// `VENDOR`.
    pub vendor: Option<String>,
    /// `MODULARITYLABEL`.
    pub modularity_label: Option<String>,
    /// `LONGSIZE` or `SIZE`: installed size in bytes.
    pub size: Option<u64>,
    /// `BUILDTIME` (Unix seconds).
    pub build_time: Option<u32>,
    /// `INSTALLTIME` (Unix seconds).
    pub install_time: Option<u32>,
    /// File digest algorithm name (`md5` when the header has no `FILEDIGESTALGO`).
    pub digest_algorithm: Option<String>,
    /// Installed file paths.
    pub files: Vec<String>,
}

/// Checked big-endian `u32` at `at`.
fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(s.try_into().ok()?))
}

/// Decode a header blob. See the module doc for what is checked.
pub fn decode(blob: &[u8]) -> Result<RpmHeader, HeaderError> {
    let il = be32(blob, 0).ok_or(HeaderError::Size {
        declared: 8,
        actual: blob.len() as u64,
    })?;
    let dl = be32(blob, 4).ok_or(HeaderError::Size {
        declared: 8,
        actual: blob.len() as u64,
    })?;
    if il == 0 || il > MAX_TAGS || dl > MAX_DATA {
        return Err(HeaderError::Limits { il, dl });
    }
    // Both are bounded above, so this cannot overflow u64.
    let declared = 8 + u64::from(il) * 16 + u64::from(dl);
    if declared != blob.len() as u64 {
        return Err(HeaderError::Size {
            declared,
            actual: blob.len() as u64,
        });
    }
    let il = il as usize;
    let dl = dl as usize;
    let store_start = 8 + il * 16;
    let store = blob
        .get(store_start..store_start + dl)
        .ok_or(HeaderError::Size {
            declared,
            actual: blob.len() as u64,
        })?;
    let mut entries: Vec<Entry> = Vec::with_capacity(il);
    // As rpm's hdrblobVerifyInfo: after the optional region entry, data ranges must come in
    // index order without overlapping. Besides rejecting forged headers, this bounds the work
    // to one pass over the store (overlapping string arrays could otherwise rescan it for every
    // entry).
    let mut prev_end = 0usize;
    for i in 0..il {
        let at = 8 + i * 16;
        let (Some(tag), Some(ty), Some(off), Some(count)) = (
            be32(blob, at),
            be32(blob, at + 4),
            be32(blob, at + 8),
            be32(blob, at + 12),
        ) else {
            return Err(HeaderError::Size {
                declared,
                actual: blob.len() as u64,
            });
        };
        let tag = tag as i32;
        let is_region = i == 0 && REGION_TAGS.contains(&tag);
        if !is_region {
            let start = off as i32;
            if usize::try_from(start).is_ok_and(|s| s < prev_end) {
                return Err(entry_err(tag, "data overlaps the previous entry"));
            }
        }
        let e = check_entry(store, tag, ty, off as i32, count)?;
        if !is_region {
            prev_end = e.end;
        }
        entries.push(e);
    }
    build(store, &entries)
}

fn entry_err(tag: i32, problem: impl Into<String>) -> HeaderError {
    HeaderError::Entry {
        tag,
        problem: problem.into(),
    }
}

/// Validate one index entry against the store and compute its byte range.
fn check_entry(
    store: &[u8],
    tag: i32,
    ty: u32,
    off: i32,
    count: u32,
) -> Result<Entry, HeaderError> {
    let start =
        usize::try_from(off).map_err(|_| entry_err(tag, format!("negative offset {off}")))?;
    if start > store.len() {
        return Err(entry_err(
            tag,
            format!("offset {start} beyond data store {}", store.len()),
        ));
    }
    if count == 0 && ty != TYPE_NULL {
        return Err(entry_err(tag, "count 0"));
    }
    let fixed = |size: usize| -> Result<usize, HeaderError> {
        if start % size != 0 {
            return Err(entry_err(
                tag,
                format!("offset {start} not aligned for its type"),
            ));
        }
        (count as usize)
            .checked_mul(size)
            .and_then(|n| start.checked_add(n))
            .filter(|end| *end <= store.len())
            .ok_or_else(|| entry_err(tag, format!("{count} elements overrun the data store")))
    };
    let strings = |n: u32| -> Result<usize, HeaderError> {
        let mut pos = start;
        for _ in 0..n {
            let rest = store.get(pos..).unwrap_or(&[]);
            let nul = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or_else(|| entry_err(tag, "string not terminated inside the data store"))?;
            pos = pos.saturating_add(nul).saturating_add(1);
        }
        Ok(pos)
    };
    let end = match ty {
        TYPE_NULL => start,
        TYPE_CHAR | TYPE_INT8 | TYPE_BIN => fixed(1)?,
        TYPE_INT16 => fixed(2)?,
        TYPE_INT32 => fixed(4)?,
        TYPE_INT64 => fixed(8)?,
        TYPE_STRING => {
            if count != 1 {
                return Err(entry_err(tag, format!("STRING with count {count}")));
            }
            strings(1)?
        }
        TYPE_STRING_ARRAY | TYPE_I18NSTRING => {
            // Each string takes at least one byte: a larger count cannot fit.
            if count as usize > store.len().saturating_sub(start) {
                return Err(entry_err(
                    tag,
                    format!("{count} strings overrun the data store"),
                ));
            }
            strings(count)?
        }
        other => return Err(entry_err(tag, format!("unknown type {other}"))),
    };
    Ok(Entry {
        tag,
        ty,
        count,
        start,
        end,
    })
}

/// Values of the validated entries. Later entries win, as rpm's headerImport lets "dribble"
/// entries appended after the immutable region replace region entries.
struct Tags<'a> {
    store: &'a [u8],
    entries: &'a [Entry],
}

impl<'a> Tags<'a> {
    fn find(&self, tag: i32) -> Option<&'a Entry> {
        self.entries.iter().rev().find(|e| e.tag == tag)
    }

    fn bytes(&self, e: &Entry) -> &'a [u8] {
        self.store.get(e.start..e.end).unwrap_or(&[])
    }

    fn strings(&self, tag: i32) -> Result<Option<Vec<String>>, HeaderError> {
        let Some(e) = self.find(tag) else {
            return Ok(None);
        };
        if !matches!(e.ty, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) {
            return Err(entry_err(
                tag,
                format!("expected strings, found type {}", e.ty),
            ));
        }
        let mut out: Vec<String> = self
            .bytes(e)
            .split(|&b| b == 0)
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect();
        // The range ends just after the last NUL, so split leaves one empty tail.
        out.pop();
        // An i18n string holds one string per locale; the first is the default (C) one.
        if e.ty == TYPE_I18NSTRING {
            out.truncate(1);
        }
        Ok(Some(out))
    }

    fn string(&self, tag: i32) -> Result<Option<String>, HeaderError> {
        Ok(self.strings(tag)?.and_then(|v| v.into_iter().next()))
    }

    fn ints(&self, tag: i32) -> Result<Option<Vec<u64>>, HeaderError> {
        let Some(e) = self.find(tag) else {
            return Ok(None);
        };
        let b = self.bytes(e);
        let v: Vec<u64> = match e.ty {
            TYPE_INT8 | TYPE_CHAR => b.iter().map(|&x| u64::from(x)).collect(),
            TYPE_INT16 => b
                .chunks_exact(2)
                .filter_map(|c| c.try_into().ok().map(u16::from_be_bytes))
                .map(u64::from)
                .collect(),
            TYPE_INT32 => b
                .chunks_exact(4)
                .filter_map(|c| c.try_into().ok().map(u32::from_be_bytes))
                .map(u64::from)
                .collect(),
            TYPE_INT64 => b
                .chunks_exact(8)
                .filter_map(|c| c.try_into().ok().map(u64::from_be_bytes))
                .collect(),
            other => {
                return Err(entry_err(
                    tag,
                    format!("expected integers, found type {other}"),
                ))
            }
        };
        if v.len() != e.count as usize {
            return Err(entry_err(tag, "integer count mismatch"));
        }
        Ok(Some(v))
    }

    fn int32(&self, tag: i32) -> Result<Option<u32>, HeaderError> {
        match self.ints(tag)?.and_then(|v| v.first().copied()) {
            Some(v) => u32::try_from(v)
                .map(Some)
                .map_err(|_| entry_err(tag, "value out of range")),
            None => Ok(None),
        }
    }
}

fn build(store: &[u8], entries: &[Entry]) -> Result<RpmHeader, HeaderError> {
    let t = Tags { store, entries };
    let name = t.string(TAG_NAME)?.ok_or(HeaderError::Missing("NAME"))?;
    let version = t
        .string(TAG_VERSION)?
        .ok_or(HeaderError::Missing("VERSION"))?;
    let release = t
        .string(TAG_RELEASE)?
        .ok_or(HeaderError::Missing("RELEASE"))?;
    let epoch = t.int32(TAG_EPOCH)?;
    let size = match t.ints(TAG_LONGSIZE)?.and_then(|v| v.first().copied()) {
        Some(s) => Some(s),
        None => t.int32(TAG_SIZE)?.map(u64::from),
    };
    let digest_algorithm = Some(
        match t.int32(TAG_FILEDIGESTALGO)? {
            None | Some(1) => "md5",
            Some(2) => "sha1",
            Some(3) => "ripemd160",
            Some(8) => "sha256",
            Some(9) => "sha384",
            Some(10) => "sha512",
            Some(11) => "sha224",
            Some(_) => "unknown",
        }
        .to_string(),
    );
    let mut files = Vec::new();
    if let Some(base) = t.strings(TAG_BASENAMES)? {
        let dirs = t.strings(TAG_DIRNAMES)?.unwrap_or_default();
        let idx = t.ints(TAG_DIRINDEXES)?.unwrap_or_default();
        if idx.len() != base.len() {
            return Err(entry_err(
                TAG_DIRINDEXES,
                format!("{} dir indexes for {} basenames", idx.len(), base.len()),
            ));
        }
        files.reserve(base.len());
        for (b, i) in base.iter().zip(idx) {
            let dir = usize::try_from(i)
                .ok()
                .and_then(|i| dirs.get(i))
                .ok_or_else(|| entry_err(TAG_DIRINDEXES, format!("dir index {i} out of range")))?;
            files.push(format!("{dir}{b}"));
        }
    } else if let Some(old) = t.strings(TAG_OLDFILENAMES)? {
        files = old;
    }
    Ok(RpmHeader {
        name,
        epoch,
        version,
        release,
        arch: t.string(TAG_ARCH)?,
        source_rpm: t.string(TAG_SOURCERPM)?,
        license: t.string(TAG_LICENSE)?,
        vendor: t.string(TAG_VENDOR)?,
        modularity_label: t.string(TAG_MODULARITYLABEL)?,
        size,
        build_time: t.int32(TAG_BUILDTIME)?,
        install_time: t.int32(TAG_INSTALLTIME)?,
        digest_algorithm,
        files,
    })
}

/// Build a header blob from `(tag, type, count, data)` entries, packing data with the
/// alignment rpm uses. For tests.
#[cfg(test)]
pub(crate) fn encode(entries: &[(i32, u32, u32, Vec<u8>)]) -> Vec<u8> {
    let mut store = Vec::new();
    let mut index = Vec::new();
    for (tag, ty, count, data) in entries {
        let align = match *ty {
            TYPE_INT16 => 2,
            TYPE_INT32 => 4,
            TYPE_INT64 => 8,
            _ => 1,
        };
        while store.len() % align != 0 {
            store.push(0);
        }
        index.extend_from_slice(&tag.to_be_bytes());
        index.extend_from_slice(&ty.to_be_bytes());
        index.extend_from_slice(&(store.len() as u32).to_be_bytes());
        index.extend_from_slice(&count.to_be_bytes());
        store.extend_from_slice(data);
    }
    let mut out = Vec::new();
    out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
    out.extend_from_slice(&(store.len() as u32).to_be_bytes());
    out.extend_from_slice(&index);
    out.extend_from_slice(&store);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn s(v: &str) -> Vec<u8> {
        let mut b = v.as_bytes().to_vec();
        b.push(0);
        b
    }

    pub(crate) fn sample() -> Vec<u8> {
        encode(&[
            (TAG_NAME, TYPE_STRING, 1, s("bash")),
            (TAG_VERSION, TYPE_STRING, 1, s("5.1.8")),
            (TAG_RELEASE, TYPE_STRING, 1, s("6.el9")),
            (TAG_EPOCH, TYPE_INT32, 1, 1u32.to_be_bytes().to_vec()),
            (TAG_ARCH, TYPE_STRING, 1, s("x86_64")),
            (TAG_LICENSE, TYPE_STRING, 1, s("GPLv3+")),
            (TAG_SIZE, TYPE_INT32, 1, 1234u32.to_be_bytes().to_vec()),
            (
                TAG_DIRINDEXES,
                TYPE_INT32,
                2,
                [0u32.to_be_bytes(), 1u32.to_be_bytes()].concat(),
            ),
            (
                TAG_BASENAMES,
                TYPE_STRING_ARRAY,
                2,
                [s("bash"), s("bashrc")].concat(),
            ),
            (
                TAG_DIRNAMES,
                TYPE_STRING_ARRAY,
                2,
                [s("/usr/bin/"), s("/etc/")].concat(),
            ),
            (
                TAG_FILEDIGESTALGO,
                TYPE_INT32,
                1,
                8u32.to_be_bytes().to_vec(),
            ),
        ])
    }

    #[test]
    fn decodes_and_rejects() {
        let h = decode(&sample()).unwrap();
        assert_eq!(
            (
                h.name.as_str(),
                h.epoch,
                h.version.as_str(),
                h.release.as_str()
            ),
            ("bash", Some(1), "5.1.8", "6.el9")
        );
        assert_eq!(h.files, vec!["/usr/bin/bash", "/etc/bashrc"]);
        assert_eq!(h.size, Some(1234));
        assert_eq!(h.digest_algorithm.as_deref(), Some("sha256"));

        // Truncated blob.
        let b = sample();
        assert!(matches!(
            decode(&b[..b.len() - 1]),
            Err(HeaderError::Size { .. })
        ));
        // Count too large for the store.
        let bad = encode(&[
            (TAG_NAME, TYPE_STRING, 1, s("x")),
            (TAG_SIZE, TYPE_INT32, 99, 1u32.to_be_bytes().to_vec()),
        ]);
        assert!(matches!(
            decode(&bad),
            Err(HeaderError::Entry { tag: TAG_SIZE, .. })
        ));
        // Unterminated string.
        let bad = encode(&[(TAG_NAME, TYPE_STRING, 1, b"x".to_vec())]);
        assert!(matches!(
            decode(&bad),
            Err(HeaderError::Entry { tag: TAG_NAME, .. })
        ));
        // Dir index out of range.
        let bad = encode(&[
            (TAG_NAME, TYPE_STRING, 1, s("x")),
            (TAG_VERSION, TYPE_STRING, 1, s("1")),
            (TAG_RELEASE, TYPE_STRING, 1, s("1")),
            (TAG_DIRINDEXES, TYPE_INT32, 1, 5u32.to_be_bytes().to_vec()),
            (TAG_BASENAMES, TYPE_STRING_ARRAY, 1, s("f")),
            (TAG_DIRNAMES, TYPE_STRING_ARRAY, 1, s("/")),
        ]);
        assert!(matches!(
            decode(&bad),
            Err(HeaderError::Entry {
                tag: TAG_DIRINDEXES,
                ..
            })
        ));
        // Overlapping data (two entries sharing bytes), as rpm refuses.
        let mut overlap = encode(&[
            (TAG_NAME, TYPE_STRING, 1, s("x")),
            (TAG_VERSION, TYPE_STRING, 1, s("1")),
            (TAG_RELEASE, TYPE_STRING, 1, s("1")),
        ]);
        // Point RELEASE (third index entry, offset field at 8 + 2*16 + 8) at offset 0.
        overlap[48..52].copy_from_slice(&0u32.to_be_bytes());
        assert!(matches!(
            decode(&overlap),
            Err(HeaderError::Entry {
                tag: TAG_RELEASE,
                ..
            })
        ));
        // Wrong type for NAME.
        let bad = encode(&[(TAG_NAME, TYPE_INT32, 1, 1u32.to_be_bytes().to_vec())]);
        assert!(decode(&bad).is_err());
    }
}
