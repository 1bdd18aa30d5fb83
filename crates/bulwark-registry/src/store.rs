//! Content-addressed blob storage, on the filesystem (the default) or on any S3-compatible
//! server through `object_store` (`--storage s3://...`), and upload sessions.
//!
//! On S3 the same keys are used under an optional prefix. A blob becomes visible only by a
//! single `PUT` (manifests) or by a server-side copy of a fully written and verified temporary
//! object (`_tmp/<id>`, written with a multipart upload), so no partial blob is ever visible.
//! Upload sessions keep each received chunk as an object `_uploads/<id>/<offset>` (staged in a
//! local file first, then stored in one `PUT` or multipart upload), so any registry process on
//! the same bucket can report the offset and resume the session after a restart.
//!
//! Layout under the root: `blobs/sha256/<2 hex>/<64 hex>` (immutable, written once by rename),
//! `uploads/<id>` (bytes received so far for one upload session). A blob becomes visible only
//! through `rename(2)` of a fully written and verified file in the same filesystem, so a reader
//! never sees a partial blob, even after `kill -9`. Concurrent pushes of one blob both rename
//! identical bytes onto the same name, which is safe.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use object_store::path::Path as OsPath;
use object_store::ObjectStore;

use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::error::{io_err, RegistryError};
use crate::names::Digest;

/// The blob store rooted at one directory (the upload staging area, and the blobs themselves
/// unless they live on S3).
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
    remote: Option<Remote>,
}

/// An S3-compatible bucket and key prefix.
#[derive(Clone)]
struct Remote {
    os: Arc<dyn ObjectStore>,
    prefix: String,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Remote({}, prefix {:?})", self.os, self.prefix)
    }
}

impl Remote {
    fn key(&self, k: &str) -> OsPath {
        OsPath::from(format!("{}{k}", self.prefix))
    }
    fn blob(&self, d: &Digest) -> OsPath {
        self.key(&format!("blobs/sha256/{}/{}", &d.hex()[..2], d.hex()))
    }
    fn chunks(&self, id: &str) -> OsPath {
        self.key(&format!("_uploads/{id}"))
    }
    /// The chunks of an upload as (offset, key, size), in order; `None` without a session.
    async fn chunk_list(&self, id: &str) -> Option<Vec<(u64, OsPath, u64)>> {
        let l = self
            .os
            .list_with_delimiter(Some(&self.chunks(id)))
            .await
            .ok()?;
        if l.objects.is_empty() {
            return None;
        }
        let mut out: Vec<(u64, OsPath, u64)> = l
            .objects
            .into_iter()
            .filter_map(|o| {
                let off = o.location.filename()?.parse::<u64>().ok()?;
                Some((off, o.location, o.size))
            })
            .collect();
        out.sort_by_key(|c| c.0);
        Some(out)
    }
    /// Store a local file as one object (multipart for large files, bounded memory).
    async fn put_file(&self, p: &Path, key: &OsPath) -> Result<(), RegistryError> {
        let mut f = tokio::fs::File::open(p)
            .await
            .map_err(io_err("opening", p))?;
        let up = self.os.put_multipart(key).await?;
        let mut w = object_store::WriteMultipart::new(up);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = f.read(&mut buf).await.map_err(io_err("reading", p))?;
            if n == 0 {
                break;
            }
            w.wait_for_capacity(4).await?;
            w.write(&buf[..n]);
        }
        w.finish().await?;
        Ok(())
    }
}

/// Parse `s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION]` into a store; credentials come
/// from the usual `AWS_*` environment variables.
fn open_s3(url: &str) -> Result<Remote, RegistryError> {
    let bad = |why: &str| {
        RegistryError::Config(format!(
            "storage {url}: {why} (expected s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION])"
        ))
    };
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| bad("not an s3:// URL"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (bucket, prefix) = path.split_once('/').unwrap_or((path, ""));
    if bucket.is_empty() {
        return Err(bad("no bucket"));
    }
    let mut b = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        let (k, v) = kv.split_once('=').ok_or_else(|| bad("malformed query"))?;
        let v = percent_encoding::percent_decode_str(v)
            .decode_utf8_lossy()
            .into_owned();
        match k {
            "endpoint" => {
                b = b.with_allow_http(v.starts_with("http://")).with_endpoint(v);
            }
            "region" => b = b.with_region(v),
            other => return Err(bad(&format!("unknown parameter {other}"))),
        }
    }
    let prefix = prefix.trim_matches('/');
    Ok(Remote {
        os: Arc::new(b.build()?),
        prefix: if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        },
    })
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
            remote: None,
        })
    }

    /// Open a store whose blobs and upload sessions live in an S3-compatible bucket
    /// (`s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION]`); `root` only stages chunks.
    pub fn open_s3(root: &Path, url: &str) -> Result<BlobStore, RegistryError> {
        let mut s = BlobStore::open(root)?;
        s.remote = Some(open_s3(url)?);
        Ok(s)
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
        if let Some(r) = &self.remote {
            return r.os.head(&r.blob(d)).await.ok().map(|m| m.size);
        }
        tokio::fs::metadata(self.blob_path(d))
            .await
            .ok()
            .map(|m| m.len())
    }

    /// Read a whole (small) blob, such as a manifest.
    pub async fn read(&self, d: &Digest) -> Result<Vec<u8>, RegistryError> {
        if let Some(r) = &self.remote {
            return Ok(r.os.get(&r.blob(d)).await?.bytes().await?.to_vec());
        }
        let p = self.blob_path(d);
        tokio::fs::read(&p).await.map_err(io_err("reading", &p))
    }

    /// Store bytes already held in memory, verifying nothing (the caller computed the digest
    /// from these very bytes).
    pub async fn put_bytes(&self, d: &Digest, bytes: &[u8]) -> Result<(), RegistryError> {
        if let Some(r) = &self.remote {
            // One PUT is atomic on S3: the object appears whole or not at all.
            r.os.put(&r.blob(d), bytes.to_vec().into()).await?;
            return Ok(());
        }
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
        if let Some(r) = &self.remote {
            // A marker so an empty session exists for every process.
            let k = OsPath::from(format!("{}/session", r.chunks(id)));
            r.os.put(&k, Vec::new().into()).await?;
            return Ok(());
        }
        let p = self.upload_path(id);
        tokio::fs::File::create(&p)
            .await
            .map_err(io_err("creating", &p))?;
        Ok(())
    }

    /// Bytes received so far for an upload, or `None` when the session has no file.
    pub async fn upload_len(&self, id: &str) -> Option<u64> {
        if let Some(r) = &self.remote {
            return r
                .chunk_list(id)
                .await
                .map(|c| c.iter().map(|(_, _, n)| n).sum());
        }
        tokio::fs::metadata(self.upload_path(id))
            .await
            .ok()
            .map(|m| m.len())
    }

    /// Open an upload's file for appending.
    pub async fn append_upload(&self, id: &str) -> Result<tokio::fs::File, RegistryError> {
        let p = self.upload_path(id);
        let mut o = tokio::fs::OpenOptions::new();
        if self.remote.is_some() {
            // A fresh local staging file for this one chunk.
            o.write(true).create(true).truncate(true);
        } else {
            o.append(true);
        }
        o.open(&p).await.map_err(io_err("opening", &p))
    }

    /// After a chunk was appended: on S3, store the staged chunk as the object at the session's
    /// current offset (nothing to do on the filesystem).
    pub async fn seal_chunk(&self, id: &str) -> Result<(), RegistryError> {
        let Some(r) = &self.remote else {
            return Ok(());
        };
        let p = self.upload_path(id);
        if tokio::fs::metadata(&p).await.map(|m| m.len()).unwrap_or(0) == 0 {
            let _ = tokio::fs::remove_file(&p).await;
            return Ok(());
        }
        let offset = self.upload_len(id).await.unwrap_or(0);
        let key = OsPath::from(format!("{}/{offset:020}", r.chunks(id)));
        let res = r.put_file(&p, &key).await;
        let _ = tokio::fs::remove_file(&p).await;
        res
    }

    /// Remove an upload session's file.
    pub async fn remove_upload(&self, id: &str) {
        let _ = tokio::fs::remove_file(self.upload_path(id)).await;
        if let Some(r) = &self.remote {
            if let Ok(l) = r.os.list_with_delimiter(Some(&r.chunks(id))).await {
                for o in l.objects {
                    let _ = r.os.delete(&o.location).await;
                }
            }
        }
    }

    /// A blob's bytes `start..start+len` as a response body stream.
    pub async fn body(
        &self,
        d: &Digest,
        start: u64,
        len: u64,
    ) -> Result<axum::body::Body, RegistryError> {
        if let Some(r) = &self.remote {
            let opts = object_store::GetOptions {
                range: Some((start..start + len).into()),
                ..Default::default()
            };
            let got = r.os.get_opts(&r.blob(d), opts).await?;
            return Ok(axum::body::Body::from_stream(got.into_stream()));
        }
        let p = self.blob_path(d);
        let mut f = tokio::fs::File::open(&p)
            .await
            .map_err(io_err("opening", &p))?;
        if start > 0 {
            f.seek(std::io::SeekFrom::Start(start))
                .await
                .map_err(io_err("seeking", &p))?;
        }
        let stream = tokio_util::io::ReaderStream::with_capacity(f.take(len), 256 << 10);
        Ok(axum::body::Body::from_stream(stream))
    }

    /// When a blob was last written, Unix seconds.
    pub async fn modified(&self, d: &Digest) -> Option<i64> {
        if let Some(r) = &self.remote {
            return r
                .os
                .head(&r.blob(d))
                .await
                .ok()
                .map(|m| m.last_modified.timestamp());
        }
        tokio::fs::metadata(self.blob_path(d))
            .await
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|t| t.as_secs() as i64)
    }

    /// Hash an upload's bytes and, when they match `expected`, move them into place as the blob.
    /// Returns the digest and size actually found, and whether it matched.
    pub async fn finish_upload(
        &self,
        id: &str,
        expected: &Digest,
    ) -> Result<(Digest, u64, bool), RegistryError> {
        if let Some(r) = &self.remote {
            return self.finish_remote(r, id, expected).await;
        }
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

    /// S3: hash the chunks in order while writing them to a temporary object, then copy that
    /// object to the blob's key only when the digest matches.
    async fn finish_remote(
        &self,
        r: &Remote,
        id: &str,
        expected: &Digest,
    ) -> Result<(Digest, u64, bool), RegistryError> {
        use futures_util::StreamExt as _;
        let chunks = r.chunk_list(id).await.unwrap_or_default();
        let tmp = r.key(&format!("_tmp/{id}-{}", crate::auth::random_hex(8)));
        let mut w = object_store::WriteMultipart::new(r.os.put_multipart(&tmp).await?);
        let mut h = Sha256::new();
        let mut size = 0u64;
        for (off, key, _) in &chunks {
            if *off != size {
                // A gap (a chunk lost): the session cannot be completed as it stands.
                w.abort().await?;
                return Ok((Digest::from_hasher(h), size, false));
            }
            let mut s = r.os.get(key).await?.into_stream();
            while let Some(b) = s.next().await {
                let b = b?;
                h.update(&b);
                size += b.len() as u64;
                w.wait_for_capacity(4).await?;
                w.write(&b);
            }
        }
        let actual = Digest::from_hasher(h);
        if &actual != expected {
            w.abort().await?;
            return Ok((actual, size, false));
        }
        w.finish().await?;
        // Server-side copy: the blob's key shows the whole verified object or nothing.
        let copied = r.os.copy(&tmp, &r.blob(expected)).await;
        let _ = r.os.delete(&tmp).await;
        copied?;
        self.remove_upload(id).await;
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
        if let Some(r) = &self.remote {
            return match r.os.delete(&r.blob(d)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(e.into()),
            };
        }
        let p = self.blob_path(d);
        match tokio::fs::remove_file(&p).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err("removing", &p)(e)),
        }
    }

    /// Every blob digest on disk (for garbage collection).
    pub async fn list_blobs(&self) -> Vec<Digest> {
        let mut out = Vec::new();
        if let Some(r) = &self.remote {
            let Ok(top) = r.os.list_with_delimiter(Some(&r.key("blobs/sha256"))).await else {
                return out;
            };
            for dir in top.common_prefixes {
                let Ok(l) = r.os.list_with_delimiter(Some(&dir)).await else {
                    continue;
                };
                out.extend(
                    l.objects.iter().filter_map(|o| {
                        Digest::parse(&format!("sha256:{}", o.location.filename()?))
                    }),
                );
            }
            out.sort();
            return out;
        }
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
