//! Random access to the files of an image archive: a directory, or a tar file indexed once so
//! that each member can be opened (and layers read in parallel) without extracting anything.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use bulwark_walk::{normalize_entry_path, Digest};

use crate::SourceError;

/// Largest JSON document (index, manifest, config) read into memory.
pub const MAX_JSON_BYTES: u64 = 16 << 20;

/// Where the members of an image archive live.
pub enum BlobStore {
    /// An OCI layout directory.
    Dir(PathBuf),
    /// A tar file with an index of its members.
    Tar(TarIndex),
}

/// Offsets of the members of a tar file.
pub struct TarIndex {
    path: PathBuf,
    members: HashMap<String, (u64, u64)>,
}

impl TarIndex {
    /// Index the members of the tar at `path`, reading only headers (members are skipped with
    /// seeks). Symlinked members (`docker save` links repeated layers) point at their targets.
    pub fn build(path: &Path) -> Result<Self, SourceError> {
        // A regular file only: a FIFO or device named as an archive must be refused, not read
        // (or waited on) forever.
        let file = bulwark_input::open_unbounded(path, bulwark_input::DocKind::ImageArchive)
            .map_err(|e| SourceError::io(path, std::io::Error::other(e.reason())))?;
        let file_len = file.metadata().map(|m| m.len()).ok();
        let mut archive = tar::Archive::new(file);
        let mut members = HashMap::new();
        let mut links = Vec::new();
        let entries = archive
            .entries_with_seek()
            .map_err(|e| SourceError::archive(path, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| SourceError::archive(path, e))?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(name) = normalize_entry_path(&raw) else {
                return Err(SourceError::Hostile {
                    image: path.display().to_string(),
                    reason: format!("archive member `{raw}` escapes the archive root"),
                });
            };
            let name = name.trim_start_matches('/').to_string();
            match entry.header().entry_type() {
                tar::EntryType::Symlink | tar::EntryType::Link => {
                    let target = entry
                        .link_name_bytes()
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default();
                    links.push((name, entry.header().entry_type(), target));
                }
                t if t.is_file() => {
                    // Seeking over members never reads them, so an archive cut short inside a
                    // member would otherwise look complete: compare with the file's length.
                    let (pos, size) = (entry.raw_file_position(), entry.size());
                    let end = pos.saturating_add(size);
                    if let Some(len) = file_len.filter(|&len| end > len) {
                        return Err(SourceError::Malformed {
                            what: path.display().to_string(),
                            reason: format!(
                                "archive is truncated: member `{name}` needs bytes {pos}..{end}, \
                                 the file ends at byte {len}"
                            ),
                        });
                    }
                    members.insert(name, (pos, size));
                }
                _ => {}
            }
        }
        for (name, kind, target) in links {
            let joined = if kind == tar::EntryType::Symlink && !target.starts_with('/') {
                match name.rfind('/') {
                    Some(i) => format!("{}/{}", &name[..i], target),
                    None => target.clone(),
                }
            } else {
                target.clone()
            };
            let Some(resolved) = normalize_entry_path(&joined) else {
                return Err(SourceError::Hostile {
                    image: path.display().to_string(),
                    reason: format!(
                        "archive member `{name}` links outside the archive (`{target}`)"
                    ),
                });
            };
            if let Some(&loc) = members.get(resolved.trim_start_matches('/')) {
                members.insert(name, loc);
            }
        }
        Ok(TarIndex {
            path: path.to_path_buf(),
            members,
        })
    }

    /// Whether the archive has a member of that name.
    pub fn contains(&self, name: &str) -> bool {
        self.members.contains_key(name)
    }
}

impl BlobStore {
    /// Human-readable location, for errors.
    pub fn location(&self) -> String {
        match self {
            BlobStore::Dir(p) => p.display().to_string(),
            BlobStore::Tar(t) => t.path.display().to_string(),
        }
    }

    fn dir_member(root: &Path, name: &str) -> Option<PathBuf> {
        let norm = normalize_entry_path(name)?;
        Some(root.join(norm.trim_start_matches('/')))
    }

    /// Whether a member exists.
    pub fn exists(&self, name: &str) -> bool {
        match self {
            BlobStore::Dir(root) => Self::dir_member(root, name).is_some_and(|p| p.is_file()),
            BlobStore::Tar(t) => t.contains(name),
        }
    }

    /// Size of a member in bytes.
    pub fn size(&self, name: &str) -> Option<u64> {
        match self {
            BlobStore::Dir(root) => Self::dir_member(root, name)
                .and_then(|p| std::fs::metadata(p).ok())
                .map(|m| m.len()),
            BlobStore::Tar(t) => t.members.get(name).map(|&(_, s)| s),
        }
    }

    /// Open a member for streaming.
    pub fn open(&self, name: &str) -> io::Result<Box<dyn Read + Send>> {
        match self {
            BlobStore::Dir(root) => {
                let p = Self::dir_member(root, name).ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("bad member name `{name}`"),
                    )
                })?;
                Ok(Box::new(File::open(p)?))
            }
            BlobStore::Tar(t) => {
                let &(offset, size) = t.members.get(name).ok_or_else(|| {
                    io::Error::new(io::ErrorKind::NotFound, format!("no member `{name}`"))
                })?;
                let mut f = File::open(&t.path)?;
                f.seek(SeekFrom::Start(offset))?;
                Ok(Box::new(f.take(size)))
            }
        }
    }

    /// A member's path for a blob digest (`blobs/sha256/<hex>`).
    pub fn blob_name(digest: &Digest) -> String {
        let s = digest.to_string();
        let (alg, hex) = s.split_once(':').unwrap_or(("sha256", &s));
        format!("blobs/{alg}/{hex}")
    }

    /// Read a small member (JSON documents) fully, refusing anything over [`MAX_JSON_BYTES`],
    /// and verify it against `digest` when one is given.
    pub fn read_small(&self, name: &str, digest: Option<&Digest>) -> Result<Vec<u8>, SourceError> {
        let loc = || format!("{}:{name}", self.location());
        if let Some(size) = self.size(name) {
            if size > MAX_JSON_BYTES {
                return Err(SourceError::Hostile {
                    image: loc(),
                    reason: format!(
                        "document of {size} bytes exceeds the {MAX_JSON_BYTES}-byte limit"
                    ),
                });
            }
        }
        let mut data = Vec::new();
        self.open(name)
            .and_then(|r| r.take(MAX_JSON_BYTES + 1).read_to_end(&mut data))
            .map_err(|e| SourceError::Io {
                path: loc(),
                source: e,
            })?;
        if data.len() as u64 > MAX_JSON_BYTES {
            return Err(SourceError::Hostile {
                image: loc(),
                reason: "document exceeds the size limit".into(),
            });
        }
        if let Some(want) = digest {
            let got = Digest::of(want.algorithm(), &data);
            if &got != want {
                return Err(SourceError::DigestMismatch {
                    what: loc(),
                    expected: want.to_string(),
                    actual: got.to_string(),
                });
            }
        }
        Ok(data)
    }
}
