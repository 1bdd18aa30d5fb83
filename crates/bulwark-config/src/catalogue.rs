//! The built-in rule catalogue: stable ids, severities, texts and references.
//!
//! Ids never change meaning once published; retired rules keep their id reserved. The
//! catalogue is rendered into `docs/rules.md` (a test checks the two agree).

use bulwark_model::{Rule, Severity};

use Severity::{Critical as C, High as H, Low as L, Medium as M};

/// One built-in rule.
#[derive(Debug, Clone, Copy)]
pub struct RuleDef {
    /// Stable id.
    pub id: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One-line title.
    pub title: &'static str,
    /// Why it matters.
    pub rationale: &'static str,
    /// How to fix it.
    pub remediation: &'static str,
    /// External references.
    pub refs: &'static [&'static str],
}

const fn r(
    id: &'static str,
    severity: Severity,
    title: &'static str,
    rationale: &'static str,
    remediation: &'static str,
    refs: &'static [&'static str],
) -> RuleDef {
    RuleDef {
        id,
        severity,
        title,
        rationale,
        remediation,
        refs,
    }
}

const ROOT_WHY: &str = "A process running as root inside a container is root on the host if it escapes the container (kernel bug, misconfigured mount or capability).";
const PIN_WHY: &str = "Unpinned packages make builds unreproducible and can silently pull in a broken or compromised version.";
const CACHE_WHY: &str =
    "Package manager caches left in a layer bloat the image and ship stale metadata.";
const IMAGE_TAG_WHY: &str = "Without an explicit tag (or with `latest`) the image that runs changes whenever the tag moves, so what was reviewed is not what runs.";
const DIGEST_WHY: &str = "Tags are mutable; only a digest guarantees the exact image content.";
const REGISTRY_WHY: &str = "Images from registries outside the trusted list bypass the organisation's image provenance controls.";
const SECRET_NAME_WHY: &str = "Values of ENV, ARG, labels and environment variables are stored in image metadata, build history or API objects readable by anyone who can pull or read them.";
const SECRET_VALUE_WHY: &str = "The value matches a known credential format or looks like a random secret; it is readable by anyone with access to the file or image.";

/// Every built-in rule.
pub const RULES: &[RuleDef] = &[
    // ---------------- Dockerfile ----------------
    r("BW-DF-001", H, "Image runs as root: no USER in the final stage", ROOT_WHY, "Add `USER <non-root uid>` to the final stage (create the user first).", &["CIS Docker 4.1", "Dockle CIS-DI-0001", "Checkov CKV_DOCKER_3"]),
    r("BW-DF-002", M, "Last USER of the final stage is root", ROOT_WHY, "Switch to a non-root user after the steps that need root.", &["hadolint DL3002", "Checkov CKV_DOCKER_8", "CIS Docker 4.1"]),
    r("BW-DF-003", M, "Base image has no tag", IMAGE_TAG_WHY, "Use an explicit version tag, ideally with a digest (`image:1.2@sha256:...`).", &["hadolint DL3006"]),
    r("BW-DF-004", M, "Base image uses the `latest` tag", IMAGE_TAG_WHY, "Use an explicit version tag, ideally with a digest.", &["hadolint DL3007", "Checkov CKV_DOCKER_7"]),
    r("BW-DF-005", L, "Base image not pinned by digest", DIGEST_WHY, "Append `@sha256:<digest>` to the image reference.", &["CIS Docker 4.2"]),
    r("BW-DF-006", H, "Base image from an untrusted registry", REGISTRY_WHY, "Pull base images only from registries listed in `--trusted-registries`.", &["CIS Docker 4.2"]),
    r("BW-DF-007", H, "Secret-like name in ENV, ARG or LABEL", SECRET_NAME_WHY, "Use BuildKit secrets (`RUN --mount=type=secret`) or inject at run time from a secret store.", &["hadolint DL3064", "CIS Docker 4.10", "Dockle CIS-DI-0010", "Docker build check SecretsUsedInArgOrEnv"]),
    r("BW-DF-008", C, "Secret value in ENV, ARG or LABEL", SECRET_VALUE_WHY, "Remove the value, rotate the credential, and inject secrets at build or run time instead.", &["CIS Docker 4.10", "Dockle CIS-DI-0010"]),
    r("BW-DF-009", M, "ADD downloads a remote URL", "ADD fetches URLs without integrity checking (unless `--checksum` is given) and hides the download from review.", "Download with `curl` and verify a checksum, or use `ADD --checksum=sha256:...`.", &["CIS Docker 4.9", "Dockle CIS-DI-0009", "Checkov CKV_DOCKER_4"]),
    r("BW-DF-010", L, "ADD of a local archive (auto-extracted)", "ADD silently extracts tar archives, which can drop unexpected files (including path traversal) into the image.", "Use COPY plus an explicit extraction step, or keep ADD deliberately and suppress.", &["CIS Docker 4.9"]),
    r("BW-DF-011", L, "ADD used for plain files", "COPY is explicit; ADD's extra behaviours (URL fetch, extraction) surprise reviewers.", "Use COPY for files and directories.", &["hadolint DL3020", "CIS Docker 4.9", "Dockle CIS-DI-0009"]),
    r("BW-DF-012", H, "Remote script piped into a shell", "`curl ... | sh` runs whatever the server returns, with no integrity check, as the build user (often root).", "Download to a file, verify its checksum or signature, then run it.", &["CIS Docker 4.9"]),
    r("BW-DF-013", L, "apt-get install without version pinning", PIN_WHY, "Pin versions: `apt-get install -y pkg=1.2.3-1`.", &["hadolint DL3008"]),
    r("BW-DF-014", L, "apt lists not removed after apt-get install", CACHE_WHY, "End the RUN with `rm -rf /var/lib/apt/lists/*`, or use a cache mount.", &["hadolint DL3009", "Dockle DKL-DI-0005"]),
    r("BW-DF-015", L, "apt-get install without --no-install-recommends", "Recommended packages add attack surface and size that nobody asked for.", "Add `--no-install-recommends`.", &["hadolint DL3015"]),
    r("BW-DF-016", L, "apk add without version pinning", PIN_WHY, "Pin versions: `apk add pkg=1.2.3-r0`.", &["hadolint DL3018"]),
    r("BW-DF-017", L, "apk add without --no-cache", CACHE_WHY, "Use `apk add --no-cache`.", &["hadolint DL3019", "Dockle DKL-DI-0005"]),
    r("BW-DF-018", L, "pip install without version pinning", PIN_WHY, "Pin versions (`pkg==1.2.3`) or install from a hashed requirements file.", &["hadolint DL3013"]),
    r("BW-DF-019", L, "pip install without --no-cache-dir", CACHE_WHY, "Use `pip install --no-cache-dir` or set `PIP_NO_CACHE_DIR=1`.", &["hadolint DL3042"]),
    r("BW-DF-020", L, "npm install of packages without version pinning", PIN_WHY, "Pin versions: `npm install pkg@1.2.3`.", &["hadolint DL3016"]),
    r("BW-DF-021", L, "yum/dnf/zypper install without version pinning", PIN_WHY, "Pin versions: `yum install pkg-1.2.3`, `zypper install pkg=1.2.3`.", &["hadolint DL3033", "hadolint DL3041", "hadolint DL3037"]),
    r("BW-DF-022", L, "yum/dnf/zypper cache not cleaned", CACHE_WHY, "End the RUN with `yum clean all` / `dnf clean all` / `zypper clean`.", &["hadolint DL3032", "hadolint DL3040", "hadolint DL3036"]),
    r("BW-DF-023", L, "No HEALTHCHECK in the final stage", "Without a health check the runtime cannot tell a hung service from a healthy one.", "Add a `HEALTHCHECK CMD ...` instruction.", &["CIS Docker 4.6", "Dockle CIS-DI-0006", "Checkov CKV_DOCKER_2"]),
    r("BW-DF-024", M, "sudo used in RUN", "sudo in an image means a tty-less privilege escalation path and unpredictable behaviour.", "Run the step as root (before USER) or use gosu in entrypoints.", &["hadolint DL3004"]),
    r("BW-DF-025", L, "WORKDIR is a relative path", "A relative WORKDIR depends on earlier instructions and breaks silently when they change.", "Use an absolute path.", &["hadolint DL3000"]),
    r("BW-DF-026", L, "cd used in RUN", "`cd` in RUN does not persist and obscures where later commands run.", "Use WORKDIR.", &["hadolint DL3003"]),
    r("BW-DF-027", L, "CMD or ENTRYPOINT in shell form", "Shell form runs under `/bin/sh -c`, so the process does not receive signals (no graceful stop).", "Use the JSON (exec) form: `CMD [\"app\", \"--flag\"]`.", &["hadolint DL3025"]),
    r("BW-DF-028", L, "Pipe in RUN without pipefail", "Without `pipefail` a failing command before a pipe is ignored and the build continues with bad output.", "Set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` or start the script with `set -o pipefail`.", &["hadolint DL4006"]),
    r("BW-DF-029", L, "Consecutive RUN instructions", "Each RUN adds a layer; consecutive ones usually belong together.", "Join them with `&&`.", &["hadolint DL3059"]),
    r("BW-DF-030", L, "MAINTAINER is deprecated", "MAINTAINER is deprecated and invisible to most tooling.", "Use `LABEL org.opencontainers.image.authors=...`.", &["hadolint DL4000"]),
    r("BW-DF-031", L, "Several CMD or ENTRYPOINT in one stage", "Only the last CMD/ENTRYPOINT takes effect; earlier ones mislead readers.", "Keep one CMD and one ENTRYPOINT per stage.", &["hadolint DL4003", "hadolint DL4004"]),
    r("BW-DF-032", L, "apt used instead of apt-get", "`apt` has no stable command-line interface for scripts.", "Use `apt-get` or `apt-cache`.", &["hadolint DL3027"]),
    r("BW-DF-033", L, "FROM --platform with a constant value", "A hard-coded platform breaks multi-platform builds.", "Use `--platform=$BUILDPLATFORM` (or omit the flag).", &["hadolint DL3029"]),
    r("BW-DF-034", M, "SSH port 22 exposed", "Running sshd in a container widens the attack surface; use `docker exec` instead.", "Remove `EXPOSE 22` and the SSH server.", &["Checkov CKV_DOCKER_1", "CIS Docker 4.8"]),
    r("BW-DF-035", H, "TLS or signature verification turned off", "With certificate or signature checks off, anyone on the network path (or a compromised mirror) can substitute what the build downloads and installs.", "Remove the option (`curl -k`, `wget --no-check-certificate`, `apk --allow-untrusted`, `pip --trusted-host`, `apt-get --allow-unauthenticated`/`--force-yes`, `--nogpgcheck`, `rpm --nosignature`, `strict-ssl false`, `http.sslVerify false`) or the variable (`GIT_SSL_NO_VERIFY`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`, `NPM_CONFIG_STRICT_SSL=false`, `PIP_TRUSTED_HOST`); install the right CA certificates or keys instead.", &["Checkov CKV2_DOCKER_2", "Checkov CKV2_DOCKER_3", "Checkov CKV2_DOCKER_4", "Checkov CKV2_DOCKER_5", "Checkov CKV2_DOCKER_6", "Checkov CKV2_DOCKER_7", "Checkov CKV2_DOCKER_8", "Checkov CKV2_DOCKER_9", "Checkov CKV2_DOCKER_10", "Checkov CKV2_DOCKER_11", "Checkov CKV2_DOCKER_12", "Checkov CKV2_DOCKER_13", "Checkov CKV2_DOCKER_14", "Checkov CKV2_DOCKER_15", "Checkov CKV2_DOCKER_16"]),
    r("BW-DF-036", L, "gem install without version pinning", PIN_WHY, "Pin versions: `gem install name:1.2.3` (or `-v 1.2.3`), or install from a Gemfile.lock with bundler.", &["hadolint DL3028"]),
    r("BW-DF-037", L, "go install without a version", PIN_WHY, "Pin versions: `go install example.com/cmd@v1.2.3` (`@latest` moves).", &["hadolint DL3062"]),
    // ---------------- Compose ----------------
    r("BW-DC-001", M, "No memory limit", "Without a memory limit one container can exhaust host memory and take down its neighbours.", "Set `deploy.resources.limits.memory` (or `mem_limit`).", &["CIS Docker 5.10"]),
    r("BW-DC-002", L, "No CPU limit", "Without a CPU limit one container can starve the others.", "Set `deploy.resources.limits.cpus` (or `cpus`).", &["CIS Docker 5.11"]),
    r("BW-DC-003", L, "No PIDs limit", "Without a PIDs limit a fork bomb in one container exhausts the host's process table.", "Set `deploy.resources.limits.pids` (or `pids_limit`).", &["CIS Docker 5.28"]),
    r("BW-DC-004", M, "Service runs as root", ROOT_WHY, "Set `user:` to a non-root uid:gid.", &["CIS Docker 4.1"]),
    r("BW-DC-005", C, "Privileged container", "A privileged container has all capabilities and all devices: it is root on the host.", "Remove `privileged: true`; add only the capabilities needed.", &["CIS Docker 5.4"]),
    r("BW-DC-006", H, "Dangerous capability added", "Capabilities such as SYS_ADMIN, SYS_PTRACE, SYS_MODULE or ALL allow container escape.", "Remove the capability from `cap_add`.", &["CIS Docker 5.3"]),
    r("BW-DC-007", L, "Capabilities not dropped", "Docker's default capability set includes NET_RAW and others most services never need.", "Add `cap_drop: [ALL]` and re-add only what is needed.", &["CIS Docker 5.3"]),
    r("BW-DC-008", H, "Host network namespace shared", "`network_mode: host` exposes host interfaces and lets the container bind any host port.", "Use a bridge network and publish needed ports.", &["CIS Docker 5.9"]),
    r("BW-DC-009", H, "Host PID namespace shared", "`pid: host` lets the container see and signal every host process.", "Remove `pid: host`.", &["CIS Docker 5.15"]),
    r("BW-DC-010", H, "Host IPC namespace shared", "`ipc: host` exposes host shared memory.", "Remove `ipc: host`.", &["CIS Docker 5.16"]),
    r("BW-DC-011", M, "Host UTS namespace shared", "`uts: host` lets the container change the host's hostname.", "Remove `uts: host`.", &["CIS Docker 5.20"]),
    r("BW-DC-012", C, "Docker socket mounted", "Access to the Docker socket is root on the host.", "Do not mount the Docker socket; use a restricted API proxy if unavoidable.", &["CIS Docker 5.31"]),
    r("BW-DC-013", H, "Sensitive host path mounted", "Mounting host system directories (/, /etc, /proc, /var/run, ...) allows reading secrets or changing the host.", "Mount only application data directories.", &["CIS Docker 5.5"]),
    r("BW-DC-014", M, "no-new-privileges not set", "Without `no-new-privileges`, setuid binaries in the container can gain privileges.", "Add `security_opt: [\"no-new-privileges:true\"]`.", &["CIS Docker 5.25"]),
    r("BW-DC-015", L, "Root filesystem is writable", "A writable root filesystem lets an attacker persist tools and modify binaries.", "Set `read_only: true` and use tmpfs/volumes for writable paths.", &["CIS Docker 5.12"]),
    r("BW-DC-016", H, "Seccomp or AppArmor disabled", "`seccomp:unconfined`/`apparmor:unconfined` removes kernel attack-surface filtering.", "Remove the `unconfined` security option.", &["CIS Docker 5.1", "CIS Docker 5.21"]),
    r("BW-DC-017", M, "Image untagged or `latest`", IMAGE_TAG_WHY, "Use an explicit version tag, ideally with a digest.", &["CIS Docker 5.27"]),
    r("BW-DC-018", L, "Image not pinned by digest", DIGEST_WHY, "Append `@sha256:<digest>`.", &["CIS Docker 4.2"]),
    r("BW-DC-019", H, "Image from an untrusted registry", REGISTRY_WHY, "Use images from registries listed in `--trusted-registries`.", &["CIS Docker 4.2"]),
    r("BW-DC-020", H, "Secret in environment", SECRET_NAME_WHY, "Use Compose `secrets:` or an external secret store.", &["CIS Docker 4.10"]),
    r("BW-DC-021", M, "Privileged port published on all interfaces", "Publishing a port below 1024 on 0.0.0.0 exposes a system service port on every host interface.", "Bind to a specific host IP (`127.0.0.1:80:80`) or use a high port.", &["CIS Docker 5.7", "CIS Docker 5.14"]),
    // ---------------- Kubernetes ----------------
    r("BW-K8S-001", M, "No memory limit", "Without a memory limit a container can exhaust node memory and evict its neighbours.", "Set `resources.limits.memory`.", &["Checkov CKV_K8S_13", "CIS Kubernetes 5.7"]),
    r("BW-K8S-002", L, "No CPU limit", "Without a CPU limit a container can starve others on the node.", "Set `resources.limits.cpu`.", &["Checkov CKV_K8S_11"]),
    r("BW-K8S-003", L, "No memory request", "Without requests the scheduler cannot place the pod safely.", "Set `resources.requests.memory`.", &["Checkov CKV_K8S_12"]),
    r("BW-K8S-004", L, "No CPU request", "Without requests the scheduler cannot place the pod safely.", "Set `resources.requests.cpu`.", &["Checkov CKV_K8S_10"]),
    r("BW-K8S-005", M, "runAsNonRoot not true", ROOT_WHY, "Set `securityContext.runAsNonRoot: true` (pod or container).", &["PSS restricted", "Checkov CKV_K8S_23"]),
    r("BW-K8S-006", H, "runAsUser is 0 (root)", ROOT_WHY, "Set `runAsUser` to a non-zero uid.", &["PSS restricted"]),
    r("BW-K8S-007", C, "Privileged container", "A privileged container has all capabilities and host devices: it is root on the node.", "Remove `privileged: true`.", &["PSS baseline", "Checkov CKV_K8S_16", "CIS Kubernetes 5.2.1"]),
    r("BW-K8S-008", M, "allowPrivilegeEscalation not false", "Setuid binaries can raise privileges unless escalation is disabled.", "Set `securityContext.allowPrivilegeEscalation: false`.", &["PSS restricted", "Checkov CKV_K8S_20"]),
    r("BW-K8S-009", H, "Dangerous capability added", "Capabilities beyond the baseline set (SYS_ADMIN, NET_ADMIN, ALL, ...) allow escape or host interference.", "Remove the capability from `capabilities.add`.", &["PSS baseline", "Checkov CKV_K8S_39"]),
    r("BW-K8S-010", L, "Capabilities: ALL not dropped", "The default capability set includes NET_RAW and others most workloads never need.", "Set `capabilities.drop: [ALL]`.", &["PSS restricted", "Checkov CKV_K8S_28", "Checkov CKV_K8S_37"]),
    r("BW-K8S-011", H, "hostNetwork enabled", "The pod shares the node's network stack and can sniff or bind host ports.", "Remove `hostNetwork: true`.", &["PSS baseline", "Checkov CKV_K8S_19"]),
    r("BW-K8S-012", H, "hostPID enabled", "The pod can see and signal every process on the node.", "Remove `hostPID: true`.", &["PSS baseline", "Checkov CKV_K8S_17"]),
    r("BW-K8S-013", H, "hostIPC enabled", "The pod shares the node's IPC namespace.", "Remove `hostIPC: true`.", &["PSS baseline", "Checkov CKV_K8S_18"]),
    r("BW-K8S-014", M, "hostPath volume", "hostPath volumes expose the node's filesystem to the pod.", "Use persistent volumes, configMaps or emptyDir.", &["PSS baseline"]),
    r("BW-K8S-015", C, "Container runtime socket mounted", "Access to the Docker/containerd/CRI-O socket is root on the node.", "Do not mount runtime sockets.", &["Checkov CKV_K8S_27", "PSS baseline"]),
    r("BW-K8S-016", L, "Root filesystem is writable", "A writable root filesystem lets an attacker persist tools and modify binaries.", "Set `readOnlyRootFilesystem: true`.", &["Checkov CKV_K8S_22"]),
    r("BW-K8S-017", M, "Seccomp profile not RuntimeDefault or Localhost", "Without a seccomp profile every syscall is allowed.", "Set `securityContext.seccompProfile.type: RuntimeDefault`.", &["PSS restricted", "PSS baseline (Unconfined)", "Checkov CKV_K8S_31", "Checkov CKV_K8S_32"]),
    r("BW-K8S-018", H, "AppArmor unconfined", "Disabling AppArmor removes mandatory access control around the container.", "Use `runtime/default` or a localhost profile.", &["PSS baseline"]),
    r("BW-K8S-019", M, "Image untagged or `latest`", IMAGE_TAG_WHY, "Use an explicit version tag, ideally with a digest.", &["Checkov CKV_K8S_14"]),
    r("BW-K8S-020", L, "Image not pinned by digest", DIGEST_WHY, "Append `@sha256:<digest>`.", &["Checkov CKV_K8S_43"]),
    r("BW-K8S-021", H, "Image from an untrusted registry", REGISTRY_WHY, "Use images from registries listed in `--trusted-registries`.", &["CIS Kubernetes 5.5.1"]),
    r("BW-K8S-022", H, "Secret in a literal env value", SECRET_NAME_WHY, "Use `valueFrom.secretKeyRef` or mounted secrets.", &["OWASP Kubernetes Top 10 K08 (secrets management)"]),
    r("BW-K8S-023", L, "Service account token automounted", "Every compromised pod gets API credentials unless automount is disabled.", "Set `automountServiceAccountToken: false` where the API is not needed.", &["Checkov CKV_K8S_38", "CIS Kubernetes 5.1.6"]),
    r("BW-K8S-024", M, "hostPort used", "hostPort binds a port on every node the pod lands on, bypassing network policy.", "Use a Service instead.", &["PSS baseline", "Checkov CKV_K8S_26"]),
    // ---------------- daemon.json ----------------
    r("BW-DD-001", C, "Docker API on TCP without TLS", "An unauthenticated Docker API on the network is remote root.", "Set `tlsverify: true` with `tlscacert`, `tlscert`, `tlskey`, or listen on the Unix socket only.", &["CIS Docker 2.6"]),
    r("BW-DD-002", M, "Inter-container communication enabled", "With `icc` on, every container on the default bridge can reach every other.", "Set `\"icc\": false`.", &["CIS Docker 2.1"]),
    r("BW-DD-003", L, "User namespace remapping off", "Without `userns-remap`, root in a container is root on the host.", "Set `\"userns-remap\": \"default\"`.", &["CIS Docker 2.8"]),
    r("BW-DD-004", L, "live-restore off", "Without live-restore, a daemon restart stops every container.", "Set `\"live-restore\": true`.", &["CIS Docker 2.13"]),
    r("BW-DD-005", H, "Insecure registries configured", "Pulls from insecure registries are open to tampering in transit.", "Remove `insecure-registries`; use TLS.", &["CIS Docker 2.4"]),
    r("BW-DD-006", L, "no-new-privileges not the default", "Containers can gain privileges through setuid binaries unless they opt out.", "Set `\"no-new-privileges\": true`.", &["CIS Docker 2.18"]),
    // ---------------- image config ----------------
    r("BW-IMG-001", H, "Image runs as root", ROOT_WHY, "Rebuild with `USER <non-root uid>`.", &["CIS Docker 4.1", "Dockle CIS-DI-0001"]),
    r("BW-IMG-002", L, "Image has no HEALTHCHECK", "Without a health check the runtime cannot tell a hung service from a healthy one.", "Rebuild with a `HEALTHCHECK`.", &["CIS Docker 4.6", "Dockle CIS-DI-0006"]),
    r("BW-IMG-003", H, "Secret-like name in image Env", SECRET_NAME_WHY, "Do not bake secrets into images.", &["CIS Docker 4.10", "Dockle CIS-DI-0010"]),
    r("BW-IMG-004", C, "Secret value in image Env or Labels", SECRET_VALUE_WHY, "Remove the value, rotate the credential, rebuild.", &["CIS Docker 4.10", "Dockle CIS-DI-0010"]),
    r("BW-IMG-005", M, "SSH port 22 exposed", "Running sshd in a container widens the attack surface.", "Remove port 22 from the image.", &["CIS Docker 4.8", "Checkov CKV_DOCKER_1"]),
    // Issue 13: Amazon ECS task definitions, the shared runtime rules (crate::runtime).
    r("BW-ECS-001", M, "No memory limit", "Without a memory limit one container can exhaust the instance's memory.", "Set `memory` on the container definition (or the task).", &["CIS Docker 5.11"]),
    r("BW-ECS-002", M, "Container runs as root", ROOT_WHY, "Set `user` to a non-root uid:gid.", &["CIS Docker 4.1"]),
    r("BW-ECS-003", C, "Privileged container", "A privileged container has all capabilities and all devices: it is root on the instance.", "Remove `privileged: true`.", &["CIS Docker 5.5"]),
    r("BW-ECS-004", H, "Dangerous capability added", "Capabilities such as SYS_ADMIN, SYS_PTRACE or NET_ADMIN allow container escape or host interference.", "Remove it from `linuxParameters.capabilities.add`.", &["CIS Docker 5.4"]),
    r("BW-ECS-005", L, "Capabilities not dropped", "Docker's default capability set includes NET_RAW and others most services never need.", "Set `linuxParameters.capabilities.drop: [\"ALL\"]`.", &["CIS Docker 5.4"]),
    r("BW-ECS-006", H, "Host network mode", "`networkMode: host` shares the instance's network stack.", "Use `awsvpc` or `bridge`.", &["CIS Docker 5.10"]),
    r("BW-ECS-007", H, "Host PID namespace shared", "`pidMode: host` lets containers see and signal every process on the instance.", "Remove `pidMode: host`.", &["CIS Docker 5.16"]),
    r("BW-ECS-008", H, "Host IPC namespace shared", "`ipcMode: host` exposes the instance's shared memory.", "Remove `ipcMode: host`.", &["CIS Docker 5.17"]),
    r("BW-ECS-009", C, "Docker socket mounted", "Access to the container runtime socket is root on the instance.", "Do not mount the Docker socket.", &["CIS Docker 5.32"]),
    r("BW-ECS-010", H, "Sensitive host path mounted", "Mounting host system directories allows reading secrets or changing the instance.", "Mount only application data directories.", &["CIS Docker 5.6"]),
    r("BW-ECS-011", M, "no-new-privileges not set", "Without `no-new-privileges`, setuid binaries in the container can gain privileges.", "Add `dockerSecurityOptions: [\"no-new-privileges\"]`.", &["CIS Docker 5.26"]),
    r("BW-ECS-012", L, "Root filesystem is writable", "A writable root filesystem lets an attacker persist tools and modify binaries.", "Set `readonlyRootFilesystem: true`.", &["CIS Docker 5.13"]),
    r("BW-ECS-013", H, "Seccomp or AppArmor disabled", "`seccomp:unconfined`/`apparmor:unconfined` removes kernel attack-surface filtering.", "Remove the `unconfined` security option.", &["CIS Docker 5.22", "CIS Docker 5.2"]),
    r("BW-ECS-014", M, "Privileged port published", "Publishing a port below 1024 on the instance exposes a system service port.", "Use a port above 1023 behind a load balancer.", &["CIS Docker 5.8"]),
    r("BW-ECS-015", M, "Host device mapped", "A host device inside the container bypasses the container boundary for that device.", "Remove `linuxParameters.devices` unless required.", &["CIS Docker 5.18"]),
    r("BW-ECS-016", H, "Secret in environment", SECRET_NAME_WHY, "Use `secrets` with Secrets Manager or SSM Parameter Store.", &["CIS Docker 4.10"]),
];

/// The ids of the built-in Dockerfile, daemon.json and image-config rules as a type: a check
/// that names an id the catalogue does not have does not compile. (Compose and Kubernetes
/// checks still name theirs as strings, looked up at run time; they move over with their
/// modules.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleId {
    /// `BW-DF-001`.
    Df001,
    /// `BW-DF-002`.
    Df002,
    /// `BW-DF-003`.
    Df003,
    /// `BW-DF-004`.
    Df004,
    /// `BW-DF-005`.
    Df005,
    /// `BW-DF-006`.
    Df006,
    /// `BW-DF-007`.
    Df007,
    /// `BW-DF-008`.
    Df008,
    /// `BW-DF-009`.
    Df009,
    /// `BW-DF-010`.
    Df010,
    /// `BW-DF-011`.
    Df011,
    /// `BW-DF-012`.
    Df012,
    /// `BW-DF-013`.
    Df013,
    /// `BW-DF-014`.
    Df014,
    /// `BW-DF-015`.
    Df015,
    /// `BW-DF-016`.
    Df016,
    /// `BW-DF-017`.
    Df017,
    /// `BW-DF-018`.
    Df018,
    /// `BW-DF-019`.
    Df019,
    /// `BW-DF-020`.
    Df020,
    /// `BW-DF-021`.
    Df021,
    /// `BW-DF-022`.
    Df022,
    /// `BW-DF-023`.
    Df023,
    /// `BW-DF-024`.
    Df024,
    /// `BW-DF-025`.
    Df025,
    /// `BW-DF-026`.
    Df026,
    /// `BW-DF-027`.
    Df027,
    /// `BW-DF-028`.
    Df028,
    /// `BW-DF-029`.
    Df029,
    /// `BW-DF-030`.
    Df030,
    /// `BW-DF-031`.
    Df031,
    /// `BW-DF-032`.
    Df032,
    /// `BW-DF-033`.
    Df033,
    /// `BW-DF-034`.
    Df034,
    /// `BW-DF-035`.
    Df035,
    /// `BW-DF-036`.
    Df036,
    /// `BW-DF-037`.
    Df037,
    /// `BW-DD-001`.
    Dd001,
    /// `BW-DD-002`.
    Dd002,
    /// `BW-DD-003`.
    Dd003,
    /// `BW-DD-004`.
    Dd004,
    /// `BW-DD-005`.
    Dd005,
    /// `BW-DD-006`.
    Dd006,
    /// `BW-IMG-001`.
    Img001,
    /// `BW-IMG-002`.
    Img002,
    /// `BW-IMG-003`.
    Img003,
    /// `BW-IMG-004`.
    Img004,
    /// `BW-IMG-005`.
    Img005,
}

impl RuleId {
    /// Every typed id, in catalogue order.
    pub const ALL: &'static [RuleId] = &[
        RuleId::Df001,
        RuleId::Df002,
        RuleId::Df003,
        RuleId::Df004,
        RuleId::Df005,
        RuleId::Df006,
        RuleId::Df007,
        RuleId::Df008,
        RuleId::Df009,
        RuleId::Df010,
        RuleId::Df011,
        RuleId::Df012,
        RuleId::Df013,
        RuleId::Df014,
        RuleId::Df015,
        RuleId::Df016,
        RuleId::Df017,
        RuleId::Df018,
        RuleId::Df019,
        RuleId::Df020,
        RuleId::Df021,
        RuleId::Df022,
        RuleId::Df023,
        RuleId::Df024,
        RuleId::Df025,
        RuleId::Df026,
        RuleId::Df027,
        RuleId::Df028,
        RuleId::Df029,
        RuleId::Df030,
        RuleId::Df031,
        RuleId::Df032,
        RuleId::Df033,
        RuleId::Df034,
        RuleId::Df035,
        RuleId::Df036,
        RuleId::Df037,
        RuleId::Dd001,
        RuleId::Dd002,
        RuleId::Dd003,
        RuleId::Dd004,
        RuleId::Dd005,
        RuleId::Dd006,
        RuleId::Img001,
        RuleId::Img002,
        RuleId::Img003,
        RuleId::Img004,
        RuleId::Img005,
    ];

    /// The published id (`BW-DF-001`).
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleId::Df001 => "BW-DF-001",
            RuleId::Df002 => "BW-DF-002",
            RuleId::Df003 => "BW-DF-003",
            RuleId::Df004 => "BW-DF-004",
            RuleId::Df005 => "BW-DF-005",
            RuleId::Df006 => "BW-DF-006",
            RuleId::Df007 => "BW-DF-007",
            RuleId::Df008 => "BW-DF-008",
            RuleId::Df009 => "BW-DF-009",
            RuleId::Df010 => "BW-DF-010",
            RuleId::Df011 => "BW-DF-011",
            RuleId::Df012 => "BW-DF-012",
            RuleId::Df013 => "BW-DF-013",
            RuleId::Df014 => "BW-DF-014",
            RuleId::Df015 => "BW-DF-015",
            RuleId::Df016 => "BW-DF-016",
            RuleId::Df017 => "BW-DF-017",
            RuleId::Df018 => "BW-DF-018",
            RuleId::Df019 => "BW-DF-019",
            RuleId::Df020 => "BW-DF-020",
            RuleId::Df021 => "BW-DF-021",
            RuleId::Df022 => "BW-DF-022",
            RuleId::Df023 => "BW-DF-023",
            RuleId::Df024 => "BW-DF-024",
            RuleId::Df025 => "BW-DF-025",
            RuleId::Df026 => "BW-DF-026",
            RuleId::Df027 => "BW-DF-027",
            RuleId::Df028 => "BW-DF-028",
            RuleId::Df029 => "BW-DF-029",
            RuleId::Df030 => "BW-DF-030",
            RuleId::Df031 => "BW-DF-031",
            RuleId::Df032 => "BW-DF-032",
            RuleId::Df033 => "BW-DF-033",
            RuleId::Df034 => "BW-DF-034",
            RuleId::Df035 => "BW-DF-035",
            RuleId::Df036 => "BW-DF-036",
            RuleId::Df037 => "BW-DF-037",
            RuleId::Dd001 => "BW-DD-001",
            RuleId::Dd002 => "BW-DD-002",
            RuleId::Dd003 => "BW-DD-003",
            RuleId::Dd004 => "BW-DD-004",
            RuleId::Dd005 => "BW-DD-005",
            RuleId::Dd006 => "BW-DD-006",
            RuleId::Img001 => "BW-IMG-001",
            RuleId::Img002 => "BW-IMG-002",
            RuleId::Img003 => "BW-IMG-003",
            RuleId::Img004 => "BW-IMG-004",
            RuleId::Img005 => "BW-IMG-005",
        }
    }
}

/// A rule id a check can name: a [`RuleId`], or (for checks not yet typed) its string.
pub trait RuleKey {
    /// The published id.
    fn key(&self) -> &str;
}

impl RuleKey for RuleId {
    fn key(&self) -> &str {
        self.as_str()
    }
}

impl RuleKey for &str {
    fn key(&self) -> &str {
        self
    }
}

/// The rule with this id.
pub fn get(id: &str) -> Option<&'static RuleDef> {
    RULES.iter().find(|r| r.id == id)
}

/// Documentation anchor for a rule.
pub fn help_uri(id: &str) -> String {
    format!(
        "https://example.invalid/bulwark/docs/rules.md#{}",
        id.to_ascii_lowercase()
    )
}

/// Convert to the report's rule type.
pub fn to_rule(def: &RuleDef) -> Rule {
    Rule {
        id: def.id.to_string(),
        title: def.title.to_string(),
        severity: def.severity,
        rationale: def.rationale.to_string(),
        remediation: def.remediation.to_string(),
        help_uri: Some(help_uri(def.id)),
        references: def.refs.iter().map(|s| s.to_string()).collect(),
    }
}

/// Render the catalogue as Markdown (the body of `docs/rules.md`).
pub fn markdown() -> String {
    let mut out = String::from("# Bulwark configuration rules\n\nGenerated from `crates/bulwark-config/src/catalogue.rs` (a test keeps this file in sync: `UPDATE_DOCS=1 cargo test -p bulwark-config docs_in_sync` rewrites it).\n\n| id | severity | title | references |\n|---|---|---|---|\n");
    for d in RULES {
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} |\n",
            d.id,
            d.id.to_ascii_lowercase(),
            d.severity,
            d.title,
            d.refs.join(", ")
        ));
    }
    for d in RULES {
        out.push_str(&format!(
            "\n## {}\n\n**{}** - severity {}\n\n{}\n\n**Remediation:** {}\n\n**References:** {}\n",
            d.id,
            d.title,
            d.severity,
            d.rationale,
            d.remediation,
            d.refs.join(", ")
        ));
    }
    out
}

/// The CIS Docker Benchmark v1.6.0 id (as docker-bench-security numbers it) of a Compose
/// runtime rule, from the shared runtime rules ([`crate::runtime::RuntimeRule::cis_id`]).
/// (The `refs` above cite the ids of older benchmark versions.)
pub fn cis_docker(id: &str) -> Option<&'static str> {
    crate::runtime::RuntimeRule::ALL
        .iter()
        .find(|r| crate::checks::compose::rule_id(**r) == Some(id))
        .map(|r| r.cis_id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_ids_match_the_catalogue() {
        for id in RuleId::ALL {
            assert!(get(id.as_str()).is_some(), "{id:?} has no catalogue entry");
        }
        let typed: Vec<&str> = RuleId::ALL.iter().map(|i| i.as_str()).collect();
        let families: Vec<&str> = RULES
            .iter()
            .map(|r| r.id)
            .filter(|id| {
                ["BW-DF-", "BW-DD-", "BW-IMG-"]
                    .iter()
                    .any(|p| id.starts_with(p))
            })
            .collect();
        assert_eq!(typed, families);
    }
}
