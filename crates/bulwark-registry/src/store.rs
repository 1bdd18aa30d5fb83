//! Content-addressed blob storage on the filesystem, and upload sessions.
//!
//! Layout under the root: `blobs/sha256/<2 hex>/<64 hex>` (immutable, written once by rename),
//! `uploads/<id>` (bytes received so far for one upload session). A blob becomes visible only
//! through `rename(2)` of a fully written and verified file in the same filesystem, so a reader
//! never sees a partial blob, even after `kill -9`. Concurrent pushes of one blob both rename
//! identical bytes onto the same name, which is safe.

use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::{io_err, RegistryError};
use crate::names::Digest;

/// The blob store rooted at one directory.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    /// Open (creating directories) a store under `root`.
    pub fn open(root: &Path) -> Result<BlobStore, RegistryError> {
        for sub in ["blobs/sha256", "uploads"] {
            let p = root.join(sub);
            std::fs::create_dir_all(&p).map_err(io_err("creating", &p))?;
        }
        Ok(BlobStore {
            root: root.to_path_buf(),
        })
    }

    /// Where a blob lives.
    pub fn blob_path(&self, d: &Digest) -> PathBuf {
        self.root
            .join("blobs/sha256")
            .join(&d.hex()[..2])
            .join(d.hex())
    }

    /// Where an upload session's bytes live.
    pub fn upload_path(&self, id: &str) -> PathBuf {
        self.root.join("uploads").join(id)
    }

    /// The size of a stored blob, or `None`.
    pub async fn stat(&self, d: &Digest) -> Option<u64> {
        tokio::fs::metadata(self.blob_path(d))
            .await
            .ok()
            .map(|m| m.len())
    }

    /// Read a whole (small) blob, such as a manifest.
    pub async fn read(&self, d: &Digest) -> Result<Vec<u8>, RegistryError> {
        let p = self.blob_path(d);
        tokio::fs::read(&p).await.map_err(io_err("reading", &p))
    }

    /// Store bytes already held in memory, verifying nothing (the caller computed the digest
    /// from these very bytes).
    pub async fn put_bytes(&self, d: &Digest, bytes: &[u8]) -> Result<(), RegistryError> {
        let tmp = self.upload_path(&format!("tmp-{}", crate::auth::random_hex(16)));
        let mut f = tokio::fs::File::create(&tmp)
            .await
            .map_err(io_err("creating", &tmp))?;
        f.write_all(bytes).await.map_err(io_err("writing", &tmp))?;
        f.sync_all().await.map_err(io_err("syncing", &tmp))?;
        drop(f);
        self.commit_file(&tmp, d).await
    }

    /// Create an empty upload session file.
    pub async fn create_upload(&self, id: &str) -> Result<(), RegistryError> {
        let p = self.upload_path(id);
        tokio::fs::File::create(&p)
            .await
            .map_err(io_err("creating", &p))?;
        Ok(())
    }

    /// Bytes received so far for an upload, or `None` when the session has no file.
    pub async fn upload_len(&self, id: &str) -> Option<u64> {
        tokio::fs::metadata(self.upload_path(id))
            .await
            .ok()
            .map(|m| m.len())
    }

    /// Open an upload's file for appending.
    pub async fn append_upload(&self, id: &str) -> Result<tokio::fs::File, RegistryError> {
        let p = self.upload_path(id);
        tokio::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .await
            .map_err(io_err("opening", &p))
    }

    /// Remove an upload session's file.
    pub async fn remove_upload(&self, id: &str) {
        let _ = tokio::fs::remove_file(self.upload_path(id)).await;
    }

    /// Hash an upload's bytes and, when they match `expected`, move them into place as the blob.
    /// Returns the digest and size actually found, and whether it matched.
    pub async fn finish_upload(
        &self,
        id: &str,
        expected: &Digest,
    ) -> Result<(Digest, u64, bool), RegistryError> {
        let p = self.upload_path(id);
        let (actual, size) = hash_file(&p).await?;
        if &actual != expected {
            return Ok((actual, size, false));
        }
        let f = tokio::fs::File::open(&p)
            .await
            .map_err(io_err("opening", &p))?;
        f.sync_all().await.map_err(io_err("syncing", &p))?;
        self.commit_file(&p, expected).await?;
        Ok((actual, size, true))
    }

    /// Rename a verified file into its content address (atomic within one filesystem).
    async fn commit_file(&self, tmp: &Path, d: &Digest) -> Result<(), RegistryError> {
        let dest = self.blob_path(d);
        if let Some(dir) = dest.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(io_err("creating", dir))?;
        }
        tokio::fs::rename(tmp, &dest)
            .await
            .map_err(io_err("renaming into", &dest))?;
        Ok(())
    }

    /// Delete a blob's bytes (garbage collection only).
    pub async fn delete_blob(&self, d: &Digest) -> Result<(), RegistryError> {
        let p = self.blob_path(d);
        match tokio::fs::remove_file(&p).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err("removing", &p)(e)),
        }
    }

    /// Every blob digest on disk (for garbage collection).
    pub fn list_blobs(&self) -> Vec<Digest> {
        let mut out = Vec::new();
        let base = self.root.join("blobs/sha256");
        let Ok(dirs) = std::fs::read_dir(&base) else {
            return out;
        };
        for d in dirs.flatten() {
            let Ok(files) = std::fs::read_dir(d.path()) else {
                continue;
            };
            for f in files.flatten() {
                if let Some(dg) = f
                    .file_name()
                    .to_str()
                    .and_then(|n| Digest::parse(&format!("sha256:{n}")))
                {
                    out.push(dg);
                }
            }
        }
        out.sort();
        out
    }
}

/// The sha256 digest and size of a file, read in 1 MiB pieces.
pub async fn hash_file(p: &Path) -> Result<(Digest, u64), RegistryError> {
    let mut f = tokio::fs::File::open(p)
        .await
        .map_err(io_err("opening", p))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).await.map_err(io_err("reading", p))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    Ok((Digest::from_hasher(h), size))
}
