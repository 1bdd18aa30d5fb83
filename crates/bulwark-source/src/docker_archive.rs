//! `docker save` archives: the classic layout (`manifest.json`, `<id>/layer.tar`) and the OCI
//! layout Docker 25+ writes (`manifest.json` and `index.json` over `blobs/sha256/...`), read
//! either from a file (random access, layers in parallel) or as a stream (the Docker Engine's
//! export, layers walked as they pass).

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use bulwark_walk::{
    merge, normalize_entry_path, walk_layer, Budget, Digest, LayerInfo, LayerWalk, Limits, Visitor,
};
use serde::Deserialize;

use crate::store::{BlobStore, TarIndex, MAX_JSON_BYTES};
use crate::{ImageConfig, ImageMeta, ImageWalk, LayerPlan, SourceError, SourceOptions};

/// One entry of `manifest.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SaveManifest {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

/// The digest a member name states: `blobs/sha256/<hex>` or `<hex>.json` (classic configs).
fn digest_from_name(name: &str) -> Option<Digest> {
    if let Some(rest) = name.strip_prefix("blobs/") {
        let (alg, hex) = rest.split_once('/')?;
        return Digest::parse(&format!("{alg}:{hex}")).ok();
    }
    let stem = name.strip_suffix(".json")?;
    Digest::parse(&format!("sha256:{stem}")).ok()
}

fn parse_save_manifest(data: &[u8], what: &str) -> Result<SaveManifest, SourceError> {
    let mut list: Vec<SaveManifest> =
        serde_json::from_slice(data).map_err(|e| SourceError::Malformed {
            what: what.to_string(),
            reason: e.to_string(),
        })?;
    if list.len() > 1 {
        tracing::warn!(
            "{what}: {} images in the archive; reading the first",
            list.len()
        );
    }
    if list.is_empty() {
        return Err(SourceError::Malformed {
            what: what.to_string(),
            reason: "no image in manifest.json".into(),
        });
    }
    Ok(list.swap_remove(0))
}

fn parse_config(data: &[u8], what: &str) -> Result<ImageConfig, SourceError> {
    serde_json::from_slice(data).map_err(|e| SourceError::Malformed {
        what: what.to_string(),
        reason: e.to_string(),
    })
}

fn layer_infos(
    config: &ImageConfig,
    names: &[String],
    sizes: impl Fn(&str) -> Option<u64>,
) -> Vec<LayerInfo> {
    let history = config.layer_history();
    names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            config.layer_info(
                &history,
                index,
                digest_from_name(name).map(|d| d.to_string()),
                None,
                sizes(name),
            )
        })
        .collect()
}

fn meta_for(
    target: String,
    source: &'static str,
    config: ImageConfig,
    config_digest: Digest,
    names: Vec<String>,
    layers: Vec<LayerInfo>,
) -> ImageMeta {
    ImageMeta {
        target,
        source,
        names,
        manifest_digest: None,
        config_digest: Some(config_digest.to_string()),
        platform: Some(config.platform()),
        config: Some(config),
        annotations: BTreeMap::new(),
        layers,
        base: None,
    }
}

/// Open a `docker save` tar file.
pub(crate) fn open_archive(path: &Path, opts: &SourceOptions) -> Result<crate::Image, SourceError> {
    let index = TarIndex::build(path)?;
    let store = BlobStore::Tar(index);
    let target = format!("docker-archive:{}", path.display());
    if !store.exists("manifest.json") {
        if store.exists("index.json") {
            let resolved = crate::oci::resolve_layout(&store, None, &opts.platform)?;
            return crate::image_from_manifest(
                store,
                target,
                "docker-archive",
                Vec::new(),
                resolved.manifest,
                Some(resolved.manifest_digest.to_string()),
            );
        }
        return Err(SourceError::Malformed {
            what: path.display().to_string(),
            reason: "neither manifest.json nor index.json: not a docker save archive".into(),
        });
    }
    let what = format!("{}:manifest.json", path.display());
    let manifest = parse_save_manifest(&store.read_small("manifest.json", None)?, &what)?;
    let config_digest_named = digest_from_name(&manifest.config);
    let config_bytes = store.read_small(&manifest.config, config_digest_named.as_ref())?;
    let config_digest = config_digest_named
        .unwrap_or_else(|| Digest::of(bulwark_walk::Algorithm::Sha256, &config_bytes));
    let config = parse_config(
        &config_bytes,
        &format!("{}:{}", path.display(), manifest.config),
    )?;
    if manifest.layers.len() != config.rootfs.diff_ids.len() {
        return Err(SourceError::Malformed {
            what,
            reason: format!(
                "{} layers but the config lists {} diff_ids",
                manifest.layers.len(),
                config.rootfs.diff_ids.len()
            ),
        });
    }
    for name in &manifest.layers {
        if !store.exists(name) {
            return Err(SourceError::NotFound {
                what: format!("{}: layer member `{name}`", path.display()),
            });
        }
    }
    let infos = layer_infos(&config, &manifest.layers, |n| store.size(n));
    let store = Arc::new(store);
    let inputs = infos
        .iter()
        .zip(&manifest.layers)
        .map(|(info, name)| {
            let s = Arc::clone(&store);
            let name = name.clone();
            crate::config::blob_input(info, Box::new(move || s.open(&name)))
        })
        .collect();
    let names = manifest.repo_tags.unwrap_or_default();
    Ok(crate::Image {
        meta: meta_for(
            target,
            "docker-archive",
            config,
            config_digest,
            names,
            infos,
        ),
        plan: LayerPlan::Blobs(inputs),
    })
}

/// Whether a member of a save stream is a layer blob (as opposed to JSON, VERSION files...).
fn is_layer_member(name: &str) -> bool {
    name.ends_with("/layer.tar") || name.ends_with(".tar") || name.starts_with("blobs/")
}

/// Walk a `docker save` stream front to back: layers are walked as they pass (no temp files),
/// JSON documents are kept, and once `manifest.json` has been seen the layers are ordered and
/// verified against the config's diff ids.
pub fn walk_docker_save_stream<V: Visitor>(
    reader: impl Read,
    image: &str,
    visitor: &V,
    limits: &Limits,
) -> Result<ImageWalk<V::Output>, SourceError> {
    let budget = Budget::new();
    let mut archive = tar::Archive::new(reader);
    let mut walks: HashMap<String, LayerWalk<V::Output>> = HashMap::new();
    let mut small: HashMap<String, Vec<u8>> = HashMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    let stream_err = |e: io::Error| SourceError::Malformed {
        what: image.to_string(),
        reason: format!("export stream: {e}"),
    };
    let entries = archive.entries().map_err(stream_err)?;
    let mut sequence = 0usize;
    for entry in entries {
        let mut entry = entry.map_err(stream_err)?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(name) = normalize_entry_path(&raw) else {
            return Err(SourceError::Hostile {
                image: image.to_string(),
                reason: format!("archive member `{raw}` escapes the archive root"),
            });
        };
        let name = name.trim_start_matches('/').to_string();
        let kind = entry.header().entry_type();
        if kind == tar::EntryType::Symlink || kind == tar::EntryType::Link {
            let target = entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let joined = if kind == tar::EntryType::Symlink && !target.starts_with('/') {
                match name.rfind('/') {
                    Some(i) => format!("{}/{}", &name[..i], target),
                    None => target,
                }
            } else {
                target
            };
            match normalize_entry_path(&joined) {
                Some(t) => links.push((name, t.trim_start_matches('/').to_string())),
                None => {
                    return Err(SourceError::Hostile {
                        image: image.to_string(),
                        reason: format!("archive member `{name}` links outside the archive"),
                    })
                }
            }
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        // Peek at the content: Docker 25+ keeps configs and manifests under blobs/ next to the
        // layers, and only the bytes tell them apart.
        let mut head = Vec::with_capacity(512);
        (&mut entry)
            .take(512)
            .read_to_end(&mut head)
            .map_err(stream_err)?;
        let json = head
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b == b'{' || b == b'[');
        if is_layer_member(&name) && !json {
            let expected = digest_from_name(&name).map(|d| d.to_string());
            let reader = io::Cursor::new(head).chain(&mut entry);
            let walk = walk_layer(
                visitor,
                limits,
                &budget,
                sequence,
                reader,
                expected.as_deref(),
                None,
            )
            .map_err(|source| SourceError::Walk {
                image: image.to_string(),
                source,
            })?;
            sequence += 1;
            walks.insert(name, walk);
        } else if entry.size() <= MAX_JSON_BYTES {
            let mut data = head;
            entry.read_to_end(&mut data).map_err(stream_err)?;
            small.insert(name, data);
        }
    }
    // Linked members: JSON documents are copied under the link's name; linked layers are
    // looked up through `layer_links` when the manifest is ordered.
    let mut layer_links: HashMap<String, String> = HashMap::new();
    for (name, target) in links {
        if let Some(d) = small.get(&target).cloned() {
            small.insert(name, d);
        } else if walks.contains_key(&target) {
            layer_links.insert(name, target);
        }
    }
    let manifest_bytes = small
        .get("manifest.json")
        .ok_or_else(|| SourceError::Malformed {
            what: image.to_string(),
            reason: "export stream has no manifest.json".into(),
        })?;
    let manifest = parse_save_manifest(manifest_bytes, &format!("{image}:manifest.json"))?;
    let config_named = digest_from_name(&manifest.config);
    let config_bytes = small
        .get(&manifest.config)
        .ok_or_else(|| SourceError::Malformed {
            what: image.to_string(),
            reason: format!(
                "config `{}` missing from the export stream",
                manifest.config
            ),
        })?;
    let config_digest = Digest::of(
        config_named
            .as_ref()
            .map(Digest::algorithm)
            .unwrap_or(bulwark_walk::Algorithm::Sha256),
        config_bytes,
    );
    if let Some(want) = &config_named {
        if want != &config_digest {
            return Err(SourceError::DigestMismatch {
                what: format!("{image}: config"),
                expected: want.to_string(),
                actual: config_digest.to_string(),
            });
        }
    }
    let config = parse_config(config_bytes, &format!("{image}: config"))?;
    if manifest.layers.len() != config.rootfs.diff_ids.len() {
        return Err(SourceError::Malformed {
            what: format!("{image}:manifest.json"),
            reason: "layer count differs from the config's diff_ids".into(),
        });
    }
    let mut ordered = Vec::new();
    for (i, name) in manifest.layers.iter().enumerate() {
        let real = layer_links.get(name).unwrap_or(name);
        let walk = walks.remove(real).ok_or_else(|| SourceError::Malformed {
            what: image.to_string(),
            reason: format!("layer `{name}` missing from the export stream (or repeated)"),
        })?;
        let want = config.rootfs.diff_ids.get(i).cloned().unwrap_or_default();
        let got = walk.stats.diff_id.clone().unwrap_or_default();
        if want != got {
            return Err(SourceError::Walk {
                image: image.to_string(),
                source: bulwark_walk::WalkError {
                    layer: Some(i),
                    digest: Some(want.clone()),
                    entry: None,
                    kind: bulwark_walk::WalkErrorKind::DigestMismatch {
                        what: "diff_id",
                        expected: want,
                        actual: got,
                    },
                },
            });
        }
        ordered.push(walk);
    }
    let mut infos = layer_infos(&config, &manifest.layers, |_| None);
    for (info, w) in infos.iter_mut().zip(&ordered) {
        info.size = Some(w.stats.blob_bytes);
    }
    let stats = ordered.iter().map(|w| w.stats.clone()).collect();
    let walk = merge(infos.clone(), ordered);
    let names = manifest.repo_tags.unwrap_or_default();
    Ok(ImageWalk {
        meta: meta_for(
            image.to_string(),
            "docker-archive",
            config,
            config_digest,
            names,
            infos,
        ),
        walk,
        stats,
    })
}
