//! Which layers came from the base image.
//!
//! Evidence, strongest first: the diff ids of a base image the user names (`--base-image`), then
//! the `org.opencontainers.image.base.*` annotations or labels together with the build history,
//! then the history alone. Each result says which evidence it rests on, so reports can tell an
//! exact split from a heuristic one. New kinds of evidence plug in as another step of
//! [`detect_base`].

use serde::Serialize;

use crate::ImageMeta;

/// What decided the base/own split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaseEvidence {
    /// The user named the base image; its diff ids prefix this image's.
    Explicit,
    /// Base annotations or labels name a base; the history gives the boundary.
    Annotation,
    /// The build history alone (the base's final `CMD`/`ENTRYPOINT` before this image's own
    /// layers): a heuristic.
    History,
}

impl BaseEvidence {
    /// The serialised spelling (`explicit`, `annotation`, `history`).
    pub fn as_str(self) -> &'static str {
        match self {
            BaseEvidence::Explicit => "explicit",
            BaseEvidence::Annotation => "annotation",
            BaseEvidence::History => "history",
        }
    }
}

/// The base image, as far as it is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseImage {
    /// Base image name (`org.opencontainers.image.base.name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Base image manifest digest (`org.opencontainers.image.base.digest`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Number of bottom layers that belong to the base, when the boundary is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<usize>,
    /// What the split rests on.
    pub evidence: BaseEvidence,
}

const BASE_NAME: &str = "org.opencontainers.image.base.name";
const BASE_DIGEST: &str = "org.opencontainers.image.base.digest";

/// Work out the base image of `meta`. `base_diff_ids` are the layers of a base image the user
/// named explicitly.
pub fn detect_base(meta: &ImageMeta, base_diff_ids: Option<&[String]>) -> Option<BaseImage> {
    let config = meta.config.as_ref()?;
    let diff_ids = &config.rootfs.diff_ids;
    let annotation = |key: &str| {
        meta.annotations
            .get(key)
            .or_else(|| config.config.labels.get(key))
            .cloned()
    };
    let name = annotation(BASE_NAME);
    let digest = annotation(BASE_DIGEST);
    if let Some(base) = base_diff_ids {
        let n = base.len();
        let prefix = n <= diff_ids.len() && diff_ids.iter().zip(base).all(|(a, b)| a == b);
        return Some(BaseImage {
            name,
            digest,
            layers: Some(if prefix { n } else { 0 }),
            evidence: BaseEvidence::Explicit,
        });
    }
    let boundary = history_boundary(config);
    if name.is_some() || digest.is_some() {
        return Some(BaseImage {
            name,
            digest,
            layers: boundary,
            evidence: BaseEvidence::Annotation,
        });
    }
    boundary.map(|n| BaseImage {
        name: None,
        digest: None,
        layers: Some(n),
        evidence: BaseEvidence::History,
    })
}

/// The number of layers before the last base-image `CMD`/`ENTRYPOINT` that is followed by more
/// layers: base images end with such a metadata-only step, and the derived image's own steps
/// come after it.
fn history_boundary(config: &crate::ImageConfig) -> Option<usize> {
    let mut layers_so_far = 0usize;
    let mut candidate = None;
    let mut boundary = None;
    for h in &config.history {
        if h.empty_layer {
            let by = h.created_by.as_deref().unwrap_or("");
            let step = by.trim_start_matches("/bin/sh -c #(nop) ").trim_start();
            if step.starts_with("CMD") || step.starts_with("ENTRYPOINT") {
                candidate = Some(layers_so_far);
            }
        } else {
            layers_so_far += 1;
            // A CMD/ENTRYPOINT followed by a layer ends a base image.
            if candidate.is_some() {
                boundary = candidate.take();
            }
        }
    }
    // Only a boundary with own layers after it splits anything.
    boundary
        .filter(|&b| b > 0 && b < layers_so_far && layers_so_far == config.rootfs.diff_ids.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{History, ImageConfig};

    fn h(by: &str, empty: bool) -> History {
        History {
            created_by: Some(by.into()),
            empty_layer: empty,
            ..History::default()
        }
    }

    fn meta(history: Vec<History>, layers: usize) -> ImageMeta {
        let config = ImageConfig {
            history,
            rootfs: crate::RootFs {
                kind: "layers".into(),
                diff_ids: (0..layers).map(|i| format!("sha256:{i}")).collect(),
            },
            ..ImageConfig::default()
        };
        ImageMeta {
            target: "t".into(),
            source: "oci",
            names: vec![],
            manifest_digest: None,
            config_digest: None,
            platform: None,
            config: Some(config),
            annotations: Default::default(),
            layers: vec![],
            base: None,
        }
    }

    #[test]
    fn history_boundary_after_base_cmd() {
        let m = meta(
            vec![
                h("/bin/sh -c #(nop) ADD file:abc in / ", false),
                h("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
                h("RUN /bin/sh -c apt-get install -y curl", false),
                h("COPY app /app", false),
                h("CMD [\"/app\"]", true),
            ],
            3,
        );
        let b = detect_base(&m, None).unwrap();
        assert_eq!(b.layers, Some(1));
        assert_eq!(b.evidence, BaseEvidence::History);
    }

    #[test]
    fn no_boundary_without_own_layers() {
        let m = meta(vec![h("ADD x /", false), h("CMD [\"bash\"]", true)], 1);
        assert!(detect_base(&m, None).is_none());
    }

    #[test]
    fn explicit_prefix() {
        let m = meta(vec![], 3);
        let b = detect_base(&m, Some(&["sha256:0".to_string(), "sha256:1".to_string()])).unwrap();
        assert_eq!(b.layers, Some(2));
        let b = detect_base(&m, Some(&["sha256:9".to_string()])).unwrap();
        assert_eq!(b.layers, Some(0));
    }
}
