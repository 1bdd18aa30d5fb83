//! OCI image layouts (directory or tar) and the manifest/index documents shared with registries.

use std::collections::BTreeMap;

use bulwark_walk::Digest;
use serde::Deserialize;

use crate::store::BlobStore;
use crate::{Platform, SourceError};

/// `application/vnd.oci.image.index.v1+json`.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// `application/vnd.oci.image.manifest.v1+json`.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker's manifest list.
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker's schema 2 manifest.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// A content descriptor.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type of the referenced content.
    #[serde(default)]
    pub media_type: String,
    /// Digest of the referenced content.
    pub digest: String,
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
    /// Platform (index entries).
    #[serde(default)]
    pub platform: Option<DescriptorPlatform>,
    /// Annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// The platform of an index entry.
#[derive(Debug, Clone, Deserialize)]
pub struct DescriptorPlatform {
    /// CPU architecture.
    #[serde(default)]
    pub architecture: String,
    /// Operating system.
    #[serde(default)]
    pub os: String,
    /// CPU variant.
    #[serde(default)]
    pub variant: Option<String>,
}

/// An image index or a manifest: the fields of both, told apart by `mediaType` or by which
/// fields are present.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestOrIndex {
    /// `mediaType`, when the document states one.
    #[serde(default)]
    pub media_type: Option<String>,
    /// Index entries.
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
    /// The config (manifests).
    #[serde(default)]
    pub config: Option<Descriptor>,
    /// The layers (manifests).
    #[serde(default)]
    pub layers: Option<Vec<Descriptor>>,
    /// Annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl ManifestOrIndex {
    /// Parse a manifest or index document.
    pub fn parse(data: &[u8], what: &str) -> Result<Self, SourceError> {
        serde_json::from_slice(data).map_err(|e| SourceError::Malformed {
            what: what.to_string(),
            reason: e.to_string(),
        })
    }

    /// Whether this is an index (list of manifests).
    pub fn is_index(&self) -> bool {
        match self.media_type.as_deref() {
            Some(OCI_INDEX) | Some(DOCKER_LIST) => true,
            Some(OCI_MANIFEST) | Some(DOCKER_MANIFEST) => false,
            _ => self.manifests.is_some() && self.layers.is_none(),
        }
    }
}

/// Pick the index entry for `platform` (exact os/arch, variant when both state one). Entries
/// without platform (attestations have `unknown/unknown`) are never chosen by platform.
pub fn select_platform<'a>(
    entries: &'a [Descriptor],
    platform: &Platform,
) -> Option<&'a Descriptor> {
    let matches = |d: &&Descriptor| {
        d.platform.as_ref().is_some_and(|p| {
            p.os == platform.os
                && p.architecture == platform.architecture
                && match (&platform.variant, &p.variant) {
                    (Some(want), Some(have)) => want == have,
                    _ => true,
                }
        })
    };
    let mut candidates: Vec<&Descriptor> = entries.iter().filter(matches).collect();
    // Prefer an exact variant match (arm64/v8 over arm64 with no variant, for example).
    candidates.sort_by_key(|d| {
        let v = d.platform.as_ref().and_then(|p| p.variant.clone());
        (v != platform.variant) as u8
    });
    candidates.first().copied()
}

/// What an OCI layout reference resolves to.
pub struct Resolved {
    /// The manifest document.
    pub manifest: ManifestOrIndex,
    /// Its digest.
    pub manifest_digest: Digest,
    /// Annotations of the index entry that pointed at it (ref names live there).
    pub entry_annotations: BTreeMap<String, String>,
}

fn parse_digest(s: &str, what: &str) -> Result<Digest, SourceError> {
    Digest::parse(s).map_err(|e| SourceError::Malformed {
        what: what.to_string(),
        reason: e.to_string(),
    })
}

/// Resolve the manifest an OCI layout reference names: a tag (`org.opencontainers.image.ref.name`
/// annotation), a digest, or the only/first image when none is given; nested indexes are
/// followed (to a depth of 4) choosing `platform`.
pub fn resolve_layout(
    store: &BlobStore,
    reference: Option<&str>,
    platform: &Platform,
) -> Result<Resolved, SourceError> {
    let loc = store.location();
    if !store.exists("oci-layout") {
        tracing::debug!("{loc}: no oci-layout file");
    }
    let index_bytes = store.read_small("index.json", None)?;
    let index = ManifestOrIndex::parse(&index_bytes, &format!("{loc}:index.json"))?;
    let entries = index.manifests.unwrap_or_default();
    let chosen = match reference {
        Some(r) if r.contains(':') && Digest::parse(r).is_ok() => {
            entries.iter().find(|d| d.digest == r).cloned()
        }
        Some(tag) => entries
            .iter()
            .find(|d| {
                d.annotations
                    .get("org.opencontainers.image.ref.name")
                    .is_some_and(|n| n == tag || n.rsplit(':').next() == Some(tag))
                    || d.annotations
                        .get("io.containerd.image.name")
                        .is_some_and(|n| n.ends_with(&format!(":{tag}")))
            })
            .cloned(),
        None => {
            if entries.len() > 1 && entries.iter().all(|d| d.platform.is_some()) {
                select_platform(&entries, platform).cloned()
            } else {
                entries.first().cloned()
            }
        }
    };
    let mut desc = chosen.ok_or_else(|| SourceError::NotFound {
        what: format!(
            "{loc}: no image {}",
            reference.map(|r| format!("`{r}`")).unwrap_or_default()
        ),
    })?;
    let entry_annotations = desc.annotations.clone();
    for _depth in 0..4 {
        let digest = parse_digest(&desc.digest, &loc)?;
        let data = store.read_small(&BlobStore::blob_name(&digest), Some(&digest))?;
        let doc = ManifestOrIndex::parse(&data, &format!("{loc}:{digest}"))?;
        if doc.is_index() {
            let entries = doc.manifests.clone().unwrap_or_default();
            desc = select_platform(&entries, platform)
                .or_else(|| {
                    if entries.len() == 1 {
                        entries.first()
                    } else {
                        None
                    }
                })
                .cloned()
                .ok_or_else(|| SourceError::NotFound {
                    what: format!("{loc}: no manifest for platform {platform} in index {digest}"),
                })?;
            continue;
        }
        return Ok(Resolved {
            manifest: doc,
            manifest_digest: digest,
            entry_annotations,
        });
    }
    Err(SourceError::Hostile {
        image: loc,
        reason: "image indexes nested more than 4 deep".into(),
    })
}
