//! The image configuration document (OCI image config with Docker's extensions).
//!
//! Own serde types rather than `oci-spec`'s: Docker's `Healthcheck`, `OnBuild` and `null`s
//! where the OCI spec says "absent" must be read as they are written by real engines, and a
//! malformed field must not reject the whole image.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An image configuration (`application/vnd.oci.image.config.v1+json` or Docker's
/// `application/vnd.docker.container.image.v1+json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// CPU architecture (`amd64`, `arm64`).
    #[serde(default)]
    pub architecture: String,
    /// Operating system (`linux`).
    #[serde(default)]
    pub os: String,
    /// CPU variant (`v8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Creation time (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The runtime defaults for containers.
    #[serde(default, deserialize_with = "null_default")]
    pub config: ContainerConfig,
    /// Layer diff ids.
    #[serde(default, deserialize_with = "null_default")]
    pub rootfs: RootFs,
    /// Build history, one entry per instruction (layer or metadata-only).
    #[serde(default, deserialize_with = "null_default")]
    pub history: Vec<History>,
}

/// `rootfs` of an image config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RootFs {
    /// Always `layers`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Digests of the uncompressed layer tars, bottom first.
    #[serde(default, deserialize_with = "null_default")]
    pub diff_ids: Vec<String>,
}

/// One history entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// When the step ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The instruction (`/bin/sh -c #(nop)  CMD ["bash"]`, `RUN /bin/sh -c apt-get ...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Comment (`buildkit.dockerfile.v0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// True when the step produced no layer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

/// Container defaults (`config` of an image config). Field names are Docker's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    /// `USER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `ENV`, as `NAME=value`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub env: Vec<String>,
    /// `EXPOSE` ports (`80/tcp`).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
    /// `ENTRYPOINT`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub entrypoint: Vec<String>,
    /// `CMD`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cmd: Vec<String>,
    /// `WORKDIR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// `LABEL`s.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    /// `VOLUME`s.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub volumes: BTreeMap<String, serde_json::Value>,
    /// `STOPSIGNAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    /// `HEALTHCHECK` (Docker extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    /// `ONBUILD` triggers (Docker extension).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub on_build: Vec<String>,
    /// `SHELL` (Docker extension).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub shell: Vec<String>,
}

/// Docker's `Healthcheck` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    /// `["CMD", ...]`, `["CMD-SHELL", "..."]` or `["NONE"]`.
    #[serde(default, deserialize_with = "null_default")]
    pub test: Vec<String>,
    /// Nanoseconds between checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<i64>,
    /// Nanoseconds before a check is considered hung.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    /// Consecutive failures before unhealthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i64>,
}

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl ImageConfig {
    /// The platform the config declares.
    pub fn platform(&self) -> crate::Platform {
        crate::Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone(),
        }
    }

    /// The `created_by` of each layer, bottom first: history entries that are not
    /// `empty_layer`, matched in order with `rootfs.diff_ids`. Missing entries give `None`.
    pub fn layer_history(&self) -> Vec<Option<&History>> {
        let mut out: Vec<Option<&History>> = self
            .history
            .iter()
            .filter(|h| !h.empty_layer)
            .map(Some)
            .collect();
        out.resize(self.rootfs.diff_ids.len().max(out.len()), None);
        out.truncate(self.rootfs.diff_ids.len());
        out
    }

    /// What the walker is told about layer `index` of an image with this config: the blob's
    /// `digest`, `media_type` and `size` as the source knows them, the config's diff_id and the
    /// `created_by` of its history line (`history` is [`ImageConfig::layer_history`]). The one
    /// routine the docker archive, OCI layout and registry readers build layers with.
    pub(crate) fn layer_info(
        &self,
        history: &[Option<&History>],
        index: usize,
        digest: Option<String>,
        media_type: Option<String>,
        size: Option<u64>,
    ) -> bulwark_walk::LayerInfo {
        bulwark_walk::LayerInfo {
            index,
            digest,
            diff_id: self.rootfs.diff_ids.get(index).cloned(),
            media_type,
            size,
            created_by: history
                .get(index)
                .copied()
                .flatten()
                .and_then(|h| h.created_by.clone()),
            is_base: false,
        }
    }
}

/// The walker's input for a layer blob: verified against the layer's digest and diff_id,
/// opened by `open`.
pub(crate) fn blob_input(
    info: &bulwark_walk::LayerInfo,
    open: Box<dyn FnOnce() -> std::io::Result<Box<dyn std::io::Read + Send>> + Send>,
) -> bulwark_walk::LayerInput {
    bulwark_walk::LayerInput {
        info: info.clone(),
        expected_digest: info.digest.clone(),
        expected_diff_id: info.diff_id.clone(),
        open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_docker_config_with_nulls() {
        let json = r#"{"architecture":"amd64","os":"linux","config":{"User":"","Env":["PATH=/bin"],
            "Cmd":["bash"],"Entrypoint":null,"Labels":null,"Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":30000000000}},
            "rootfs":{"type":"layers","diff_ids":["sha256:a","sha256:b"]},
            "history":[{"created_by":"ADD x /"},{"created_by":"CMD [\"bash\"]","empty_layer":true},{"created_by":"RUN y"}]}"#;
        let c: ImageConfig = serde_json::from_str(json).unwrap();
        assert_eq!(c.config.cmd, vec!["bash"]);
        assert!(c.config.entrypoint.is_empty());
        assert_eq!(c.config.healthcheck.as_ref().unwrap().test[0], "CMD-SHELL");
        let h: Vec<_> = c
            .layer_history()
            .iter()
            .map(|h| h.and_then(|h| h.created_by.clone()))
            .collect();
        assert_eq!(
            h,
            vec![Some("ADD x /".to_string()), Some("RUN y".to_string())]
        );
    }
}
