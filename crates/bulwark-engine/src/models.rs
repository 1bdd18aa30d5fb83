//! Serde models of the Engine API answers, limited to the fields Bulwark reads. Every struct
//! defaults missing fields and ignores unknown ones, so daemons of other API versions parse.
//! Field names follow the API (PascalCase on the wire).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `GET /info`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Info {
    /// Daemon id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Host name.
    pub name: String,
    /// Daemon version.
    pub server_version: String,
    /// Storage driver (`overlay2`, `aufs`, ...).
    pub driver: String,
    /// Data root (`/var/lib/docker`).
    pub docker_root_dir: String,
    /// Default logging driver.
    pub logging_driver: String,
    /// Cgroup driver.
    pub cgroup_driver: String,
    /// `name=seccomp,profile=default`, `name=userns`, `name=rootless`, ...
    pub security_options: Vec<String>,
    /// Experimental features on.
    pub experimental_build: bool,
    /// live-restore on.
    pub live_restore_enabled: bool,
    /// Number of containers.
    pub containers: u64,
    /// Running containers.
    pub containers_running: u64,
    /// Stopped containers.
    pub containers_stopped: u64,
    /// Number of images.
    pub images: u64,
    /// Registry settings (insecure registries).
    pub registry_config: Option<RegistryConfig>,
    /// Plugins by type.
    pub plugins: Plugins,
    /// Swarm state of this node.
    pub swarm: SwarmInfo,
    /// Default runtime.
    pub default_runtime: String,
}

/// Registry settings in [`Info`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RegistryConfig {
    /// CIDRs whose registries are reached without TLS verification.
    #[serde(rename = "InsecureRegistryCIDRs")]
    pub insecure_registry_cidrs: Vec<String>,
    /// Per-registry settings.
    pub index_configs: BTreeMap<String, IndexConfig>,
}

/// One registry in [`RegistryConfig`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IndexConfig {
    /// Registry name.
    pub name: String,
    /// Whether TLS is verified.
    pub secure: bool,
    /// Official index.
    pub official: bool,
}

/// Plugins in [`Info`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Plugins {
    /// Authorization plugins in use.
    pub authorization: Option<Vec<String>>,
    /// Log drivers available.
    pub log: Vec<String>,
}

/// Swarm part of [`Info`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SwarmInfo {
    /// `inactive`, `pending`, `active`, `error`, `locked`.
    pub local_node_state: String,
    /// Whether this node is a manager.
    pub control_available: bool,
    /// Manager count (managers only).
    pub managers: u64,
    /// Node count (managers only).
    pub nodes: u64,
}

/// `GET /version`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Version {
    /// Engine version.
    pub version: String,
    /// API version.
    pub api_version: String,
    /// OS.
    pub os: String,
    /// Architecture.
    pub arch: String,
    /// Kernel version.
    pub kernel_version: String,
}

/// One entry of `GET /containers/json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ContainerSummary {
    /// Full id.
    pub id: String,
    /// Names, each with a leading `/`.
    pub names: Vec<String>,
    /// Image as given.
    pub image: String,
    /// Image id.
    #[serde(rename = "ImageID")]
    pub image_id: String,
    /// `running`, `exited`, ...
    pub state: String,
}

/// `GET /containers/{id}/json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ContainerInspect {
    /// Full id.
    pub id: String,
    /// Name with a leading `/`.
    pub name: String,
    /// Image id.
    pub image: String,
    /// Run state.
    pub state: ContainerState,
    /// Container config.
    pub config: ContainerConfig,
    /// Host config.
    pub host_config: HostConfig,
    /// Mounts as set up.
    pub mounts: Vec<MountPoint>,
    /// AppArmor profile applied (empty: none).
    pub app_armor_profile: String,
    /// Networking.
    pub network_settings: NetworkSettings,
}

impl ContainerInspect {
    /// The name without its leading `/`.
    pub fn short_name(&self) -> &str {
        self.name.strip_prefix('/').unwrap_or(&self.name)
    }
}

/// `State` of [`ContainerInspect`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ContainerState {
    /// `running`, `exited`, ...
    pub status: String,
    /// Running now.
    pub running: bool,
    /// Host pid of the init process.
    pub pid: i64,
    /// Health, when a health check is configured.
    pub health: Option<Health>,
}

/// Health state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Health {
    /// `starting`, `healthy`, `unhealthy`.
    pub status: String,
}

/// `Config` of a container or image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ContainerConfig {
    /// `USER` (empty: root).
    pub user: String,
    /// Environment `K=V`.
    pub env: Option<Vec<String>>,
    /// Image reference the container was created from.
    pub image: String,
    /// Health check.
    pub healthcheck: Option<HealthConfig>,
    /// Exposed ports (`80/tcp` keys).
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    /// Labels.
    pub labels: Option<BTreeMap<String, String>>,
    /// Command.
    pub cmd: Option<Vec<String>>,
    /// Entrypoint.
    pub entrypoint: Option<Vec<String>>,
}

/// A health check definition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HealthConfig {
    /// `["CMD", ...]`, `["CMD-SHELL", ...]`, `["NONE"]`.
    pub test: Option<Vec<String>>,
}

/// `HostConfig` of [`ContainerInspect`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HostConfig {
    /// `--privileged`.
    pub privileged: bool,
    /// `--cap-add`.
    pub cap_add: Option<Vec<String>>,
    /// `--cap-drop`.
    pub cap_drop: Option<Vec<String>>,
    /// `--network` (`default`, `bridge`, `host`, `container:<id>`, a network name).
    pub network_mode: String,
    /// `--pid`.
    pub pid_mode: String,
    /// `--ipc`.
    pub ipc_mode: String,
    /// `--uts`.
    #[serde(rename = "UTSMode")]
    pub uts_mode: String,
    /// `--userns`.
    pub userns_mode: String,
    /// Memory limit in bytes (0: none).
    pub memory: i64,
    /// CPU limit in units of 1e-9 CPUs (0: none).
    pub nano_cpus: i64,
    /// Relative CPU weight (0: default 1024).
    pub cpu_shares: i64,
    /// CFS quota (0: none).
    pub cpu_quota: i64,
    /// CPUs the container may use.
    pub cpuset_cpus: String,
    /// PIDs limit (None, 0 or -1: none).
    pub pids_limit: Option<i64>,
    /// `--read-only`.
    pub readonly_rootfs: bool,
    /// `--security-opt`.
    pub security_opt: Option<Vec<String>>,
    /// Published ports: `80/tcp` -> bindings.
    pub port_bindings: Option<BTreeMap<String, Option<Vec<PortBinding>>>>,
    /// Restart policy.
    pub restart_policy: RestartPolicy,
    /// `--device`.
    pub devices: Option<Vec<DeviceMapping>>,
    /// `--ulimit`.
    pub ulimits: Option<Vec<Ulimit>>,
    /// `--cgroup-parent`.
    pub cgroup_parent: String,
    /// `-v` binds as given (`src:dst[:opts]`).
    pub binds: Option<Vec<String>>,
}

/// One host binding of a published port.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PortBinding {
    /// Host address (empty: all).
    pub host_ip: String,
    /// Host port (empty: chosen by the daemon).
    pub host_port: String,
}

/// Restart policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RestartPolicy {
    /// `no`, `always`, `unless-stopped`, `on-failure` (or empty).
    pub name: String,
    /// Retries for `on-failure`.
    pub maximum_retry_count: i64,
}

/// A device mapped into a container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeviceMapping {
    /// Host device.
    pub path_on_host: String,
    /// Path inside the container.
    pub path_in_container: String,
    /// `rwm` subset.
    pub cgroup_permissions: String,
}

/// A resource limit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Ulimit {
    /// `nofile`, `nproc`, ...
    pub name: String,
    /// Soft limit.
    pub soft: i64,
    /// Hard limit.
    pub hard: i64,
}

/// A mount of [`ContainerInspect`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MountPoint {
    /// `bind`, `volume`, `tmpfs`, `npipe`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// Volume name.
    pub name: String,
    /// Host path (for volumes: the volume's data directory).
    pub source: String,
    /// Path in the container.
    pub destination: String,
    /// Options as given (`ro`, `z`, ...).
    pub mode: String,
    /// Writable.
    #[serde(rename = "RW")]
    pub rw: bool,
    /// `rprivate`, `shared`, `rshared`, ...
    pub propagation: String,
}

/// `NetworkSettings` of [`ContainerInspect`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NetworkSettings {
    /// Networks the container is attached to, by name.
    pub networks: Option<BTreeMap<String, EndpointSettings>>,
}

/// A container's attachment to one network.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EndpointSettings {
    /// Network id.
    #[serde(rename = "NetworkID")]
    pub network_id: String,
}

/// `GET /containers/{id}/top`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Top {
    /// Column titles (`UID`, `PID`, ..., `CMD`).
    pub titles: Vec<String>,
    /// One row per process.
    pub processes: Option<Vec<Vec<String>>>,
}

/// One entry of `GET /images/json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ImageSummary {
    /// Image id (`sha256:...`).
    pub id: String,
    /// Tags.
    pub repo_tags: Option<Vec<String>>,
    /// Containers using it (-1: not computed).
    pub containers: i64,
    /// Creation time (Unix seconds).
    pub created: i64,
}

/// `GET /images/{id}/json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ImageInspect {
    /// Image id.
    pub id: String,
    /// Tags.
    pub repo_tags: Option<Vec<String>>,
    /// Config.
    pub config: Option<ContainerConfig>,
    /// Layers.
    #[serde(rename = "RootFS")]
    pub root_fs: Option<RootFs>,
}

/// Layer list of an image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RootFs {
    /// Diff ids.
    pub layers: Option<Vec<String>>,
}

/// One entry of `GET /images/{id}/history`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HistoryItem {
    /// Layer id or `<missing>`.
    pub id: String,
    /// The build step.
    pub created_by: String,
    /// Size in bytes.
    pub size: i64,
}

/// One entry of `GET /networks`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Network {
    /// Name.
    pub name: String,
    /// Id.
    pub id: String,
    /// Driver (`bridge`, `overlay`, ...).
    pub driver: String,
    /// Scope (`local`, `swarm`).
    pub scope: String,
    /// Driver options (`com.docker.network.bridge.enable_icc`, `encrypted`, ...).
    pub options: Option<BTreeMap<String, String>>,
}

/// `GET /volumes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct VolumeList {
    /// Volumes.
    pub volumes: Option<Vec<Volume>>,
}

/// A volume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Volume {
    /// Name.
    pub name: String,
    /// Driver.
    pub driver: String,
    /// Where its data lives on the host.
    pub mountpoint: String,
}

/// `GET /swarm`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Swarm {
    /// Cluster id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Cluster settings.
    pub spec: SwarmSpec,
    /// Root CA rotation in progress.
    pub root_rotation_in_progress: bool,
}

/// `Spec` of [`Swarm`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SwarmSpec {
    /// Auto-lock.
    pub encryption_config: EncryptionConfig,
    /// CA settings.
    #[serde(rename = "CAConfig")]
    pub ca_config: CaConfig,
}

/// Swarm encryption settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EncryptionConfig {
    /// Whether managers lock their keys.
    pub auto_lock_managers: bool,
}

/// Swarm CA settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CaConfig {
    /// Node certificate lifetime in nanoseconds.
    pub node_cert_expiry: i64,
}

/// One entry of `GET /nodes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Node {
    /// Node id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Manager state, for managers.
    pub manager_status: Option<serde_json::Value>,
}

/// One entry of `GET /services`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Service {
    /// Service id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Published ports.
    pub endpoint: Option<serde_json::Value>,
}
