//! Image sources: turn a TARGET (`docker-archive:`, `oci:`, `docker:`, `registry:`, `rootfs:`,
//! `fs:`) into image metadata plus layer streams for the walker, verifying every digest.
//!
//! What it does: parse targets, read manifests, indexes and configs (choosing a platform),
//! verify their digests, find out which layers belong to the base image, and hand the layers to
//! `bulwark-walk`. What it does not do: look inside layers (the walker) or know about packages.

// A source fails at most once per image, so large error values cost nothing worth boxing for.
#![allow(clippy::result_large_err)]

pub mod auth;
mod base;
mod config;
mod docker_archive;
pub mod engine;
pub mod oci;
pub mod registry;
mod store;
mod target;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

pub use base::{detect_base, BaseEvidence, BaseImage};
pub use config::{ContainerConfig, Healthcheck, History, ImageConfig, RootFs};
pub use docker_archive::walk_docker_save_stream;
pub use store::{BlobStore, TarIndex, MAX_JSON_BYTES};
pub use target::{Target, TargetError};

use bulwark_walk::{LayerInfo, LayerInput, LayerStats, Limits, Visitor, WalkError, WalkResult};
use serde::Serialize;

/// An error from a source, naming the image or file concerned.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or member.
        path: String,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A document or archive does not have the expected structure.
    #[error("{what}: malformed: {reason}")]
    Malformed {
        /// The document.
        what: String,
        /// Why.
        reason: String,
    },
    /// Content does not match its digest.
    #[error("{what}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// The document or blob.
        what: String,
        /// Announced digest.
        expected: String,
        /// Actual digest.
        actual: String,
    },
    /// The input is hostile or over a limit.
    #[error("{image}: refused: {reason}")]
    Hostile {
        /// The image.
        image: String,
        /// Why.
        reason: String,
    },
    /// The named image, tag or platform does not exist.
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// The target string is wrong.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// Reading a layer failed.
    #[error("{image}: {source}")]
    Walk {
        /// The image.
        image: String,
        /// The layer error (names layer, digest and entry).
        #[source]
        source: WalkError,
    },
    /// The source kind is not available in this build or on this machine.
    #[error("{0}")]
    Unsupported(String),
    /// Talking to the Docker Engine or a registry failed.
    #[error("{what}: {reason}")]
    Remote {
        /// The engine or registry and the request.
        what: String,
        /// Why.
        reason: String,
    },
}

impl SourceError {
    pub(crate) fn io(path: &Path, source: io::Error) -> Self {
        SourceError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    pub(crate) fn archive(path: &Path, source: io::Error) -> Self {
        if source.kind() == io::ErrorKind::UnexpectedEof {
            return SourceError::Malformed {
                what: path.display().to_string(),
                reason: format!("archive is truncated ({source})"),
            };
        }
        SourceError::Malformed {
            what: path.display().to_string(),
            reason: source.to_string(),
        }
    }
}

/// An OS/architecture pair (`linux/amd64`, `linux/arm64/v8`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Platform {
    /// Operating system.
    pub os: String,
    /// Architecture in Go's naming (`amd64`, `arm64`, `arm`, `386`, `s390x`, `ppc64le`).
    pub architecture: String,
    /// Variant (`v7`, `v8`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    /// The platform this binary runs on.
    pub fn host() -> Self {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            other => other,
        };
        Platform {
            os: "linux".into(),
            architecture: architecture.into(),
            variant: None,
        }
    }

    /// Parse `os/arch[/variant]`.
    pub fn parse(s: &str) -> Result<Self, TargetError> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_string(),
                architecture: arch.to_string(),
                variant: None,
            }),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_string(),
                architecture: arch.to_string(),
                variant: Some(variant.to_string()),
            }),
            _ => Err(TargetError::BadPlatform(s.to_string())),
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// Options for opening a target.
#[derive(Debug, Clone)]
pub struct SourceOptions {
    /// Platform to choose from multi-platform indexes (default: the host's).
    pub platform: Platform,
    /// Allow plain HTTP and unverified TLS to non-loopback registries.
    pub insecure: bool,
    /// Walker limits.
    pub limits: Limits,
    /// Diff ids of a base image the user named with `--base-image` (exact base detection).
    pub base_diff_ids: Option<Vec<String>>,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            platform: Platform::host(),
            insecure: false,
            limits: Limits::default(),
            base_diff_ids: None,
        }
    }
}

/// Everything known about an image before its layers are read.
#[derive(Debug, Clone, Serialize)]
pub struct ImageMeta {
    /// The target as the user gave it.
    pub target: String,
    /// Source kind (`docker-archive`, `oci`, `docker`, `registry`, `rootfs`, `fs`).
    pub source: &'static str,
    /// Names the image is known by (`debian:bookworm`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// Digest of the manifest, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Digest of the config (the image id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    /// The image's platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// The image configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<ImageConfig>,
    /// Manifest annotations.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The layers, bottom first.
    pub layers: Vec<LayerInfo>,
    /// What is known about the base image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<BaseImage>,
}

/// How the layers of an opened image are read.
pub enum LayerPlan {
    /// Independent blobs, read in parallel.
    Blobs(Vec<LayerInput>),
    /// A directory read as one layer.
    Dir(PathBuf),
    /// A `docker save` stream read front to back (the Docker Engine's export), layers walked as
    /// they pass.
    SaveStream(Box<dyn FnOnce() -> io::Result<Box<dyn io::Read + Send>> + Send>),
}

/// An opened image: metadata now, layers on [`Image::walk`].
pub struct Image {
    /// Metadata.
    pub meta: ImageMeta,
    /// How to read the layers.
    pub plan: LayerPlan,
}

/// What a walk of an image produced, plus per-layer statistics.
pub struct ImageWalk<T> {
    /// Metadata, with layer digests filled in where the walk learned them.
    pub meta: ImageMeta,
    /// The walk.
    pub walk: WalkResult<T>,
    /// Per-layer statistics (empty for directories).
    pub stats: Vec<LayerStats>,
}

impl Image {
    /// Read every layer once, handing wanted files to `visitor`.
    pub fn walk<V: Visitor>(
        self,
        visitor: &V,
        limits: &Limits,
    ) -> Result<ImageWalk<V::Output>, SourceError> {
        let Image { mut meta, plan } = self;
        let image = meta.target.clone();
        let wrap = |source: WalkError| SourceError::Walk {
            image: image.clone(),
            source,
        };
        match plan {
            LayerPlan::Blobs(inputs) => {
                let (mut walk, stats) =
                    bulwark_walk::walk_layers(visitor, limits, inputs).map_err(wrap)?;
                walk.layers.clone_from(&meta.layers);
                Ok(ImageWalk { meta, walk, stats })
            }
            LayerPlan::Dir(dir) => {
                let walk = bulwark_walk::walk_dir(visitor, limits, &dir).map_err(wrap)?;
                meta.layers.clone_from(&walk.layers);
                Ok(ImageWalk {
                    meta,
                    walk,
                    stats: Vec::new(),
                })
            }
            LayerPlan::SaveStream(open) => {
                let reader = open().map_err(|e| SourceError::Io {
                    path: image.clone(),
                    source: e,
                })?;
                let ImageWalk {
                    meta: stream_meta,
                    mut walk,
                    stats,
                } = walk_docker_save_stream(reader, &image, visitor, limits)?;
                // The engine's inspect data named the image and decided the base split; the
                // stream carries the verified config and layers.
                let names = std::mem::take(&mut meta.names);
                let base = meta.base.take();
                meta = stream_meta;
                meta.target = image.clone();
                meta.source = "docker";
                if !names.is_empty() {
                    meta.names = names;
                }
                // The inspect data may name the base (a label) without knowing where it ends;
                // the stream's verified config has the history that places the boundary.
                meta.base = match (base, detect_base(&meta, None)) {
                    (Some(b), Some(d)) if b.layers.is_none() && d.layers.is_some() => Some(d),
                    (Some(b), _) => Some(b),
                    (None, d) => d,
                };
                if let Some(n) = meta.base.as_ref().and_then(|b| b.layers) {
                    for l in meta.layers.iter_mut() {
                        l.is_base = l.index < n;
                    }
                }
                for l in walk.layers.iter_mut() {
                    l.is_base = meta.layers.get(l.index).is_some_and(|m| m.is_base);
                }
                Ok(ImageWalk { meta, walk, stats })
            }
        }
    }
}

/// Open a target: read and verify its metadata, and prepare its layers.
pub fn open(target: &Target, opts: &SourceOptions) -> Result<Image, SourceError> {
    let mut image = match target {
        Target::DockerArchive(path) => docker_archive::open_archive(path, opts)?,
        Target::Oci { path, reference } => open_oci(path, reference.as_deref(), opts)?,
        Target::Rootfs(dir) | Target::Fs(dir) => {
            if !dir.is_dir() {
                return Err(SourceError::NotFound {
                    what: format!("directory {}", dir.display()),
                });
            }
            Image {
                meta: ImageMeta {
                    target: target.to_string(),
                    source: if matches!(target, Target::Rootfs(_)) {
                        "rootfs"
                    } else {
                        "fs"
                    },
                    names: Vec::new(),
                    manifest_digest: None,
                    config_digest: None,
                    platform: None,
                    config: None,
                    annotations: BTreeMap::new(),
                    layers: Vec::new(),
                    base: None,
                },
                plan: LayerPlan::Dir(dir.clone()),
            }
        }
        Target::Docker(name) => engine::open_docker(name, opts)?,
        Target::Registry(reference) => registry::open_registry(reference, opts)?,
    };
    apply_base(&mut image.meta, opts);
    Ok(image)
}

/// Fill in base-image facts and mark base layers.
pub(crate) fn apply_base(meta: &mut ImageMeta, opts: &SourceOptions) {
    if meta.config.is_none() {
        return;
    }
    let base = detect_base(meta, opts.base_diff_ids.as_deref());
    if let Some(n) = base.as_ref().and_then(|b| b.layers) {
        for l in meta.layers.iter_mut() {
            l.is_base = l.index < n;
        }
    }
    meta.base = base;
}

fn open_oci(
    path: &Path,
    reference: Option<&str>,
    opts: &SourceOptions,
) -> Result<Image, SourceError> {
    let store = if path.is_dir() {
        BlobStore::Dir(path.to_path_buf())
    } else {
        BlobStore::Tar(TarIndex::build(path)?)
    };
    let resolved = oci::resolve_layout(&store, reference, &opts.platform)?;
    let target = format!(
        "oci:{}{}",
        path.display(),
        reference
            .map(|r| if r.starts_with("sha") {
                format!("@{r}")
            } else {
                format!(":{r}")
            })
            .unwrap_or_default()
    );
    let mut names = Vec::new();
    if let Some(n) = resolved
        .entry_annotations
        .get("org.opencontainers.image.ref.name")
    {
        names.push(n.clone());
    }
    image_from_manifest(
        store,
        target,
        "oci",
        names,
        resolved.manifest,
        Some(resolved.manifest_digest.to_string()),
    )
}

/// Build an [`Image`] from a manifest whose blobs live in `store`: read and verify the config,
/// describe the layers, prepare their streams.
pub(crate) fn image_from_manifest(
    store: BlobStore,
    target: String,
    source: &'static str,
    names: Vec<String>,
    manifest: oci::ManifestOrIndex,
    manifest_digest: Option<String>,
) -> Result<Image, SourceError> {
    let loc = store.location();
    let config_desc = manifest
        .config
        .as_ref()
        .ok_or_else(|| SourceError::Malformed {
            what: format!("{loc}: manifest"),
            reason: "no config descriptor".into(),
        })?;
    let config_digest =
        bulwark_walk::Digest::parse(&config_desc.digest).map_err(|e| SourceError::Malformed {
            what: format!("{loc}: manifest config"),
            reason: e.to_string(),
        })?;
    let config_bytes =
        store.read_small(&BlobStore::blob_name(&config_digest), Some(&config_digest))?;
    let config: ImageConfig =
        serde_json::from_slice(&config_bytes).map_err(|e| SourceError::Malformed {
            what: format!("{loc}: config {config_digest}"),
            reason: e.to_string(),
        })?;
    let layers = manifest.layers.clone().unwrap_or_default();
    if layers.len() != config.rootfs.diff_ids.len() {
        return Err(SourceError::Malformed {
            what: format!(
                "{loc}: manifest {}",
                manifest_digest.clone().unwrap_or_default()
            ),
            reason: format!(
                "{} layers but the config lists {} diff_ids",
                layers.len(),
                config.rootfs.diff_ids.len()
            ),
        });
    }
    let history = config.layer_history();
    let store = std::sync::Arc::new(store);
    let mut infos = Vec::new();
    let mut inputs = Vec::new();
    for (index, desc) in layers.iter().enumerate() {
        let digest =
            bulwark_walk::Digest::parse(&desc.digest).map_err(|e| SourceError::Malformed {
                what: format!("{loc}: layer {index}"),
                reason: e.to_string(),
            })?;
        let name = BlobStore::blob_name(&digest);
        if !store.exists(&name) {
            return Err(SourceError::NotFound {
                what: format!("{loc}: layer {index} blob {digest}"),
            });
        }
        let info = config.layer_info(
            &history,
            index,
            Some(desc.digest.clone()),
            Some(desc.media_type.clone()).filter(|m| !m.is_empty()),
            store.size(&name).or(Some(desc.size)),
        );
        let s = std::sync::Arc::clone(&store);
        inputs.push(config::blob_input(&info, Box::new(move || s.open(&name))));
        infos.push(info);
    }
    let platform = Some(config.platform());
    Ok(Image {
        meta: ImageMeta {
            target,
            source,
            names,
            manifest_digest,
            config_digest: Some(config_digest.to_string()),
            platform,
            config: Some(config),
            annotations: manifest.annotations.clone(),
            layers: infos,
            base: None,
        },
        plan: LayerPlan::Blobs(inputs),
    })
}
