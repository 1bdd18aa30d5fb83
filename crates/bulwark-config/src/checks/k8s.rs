//! Kubernetes manifest checks (Pod Security Standards and the usual hardening advice).

use crate::node::{Node, Value};
use crate::runtime::{self, at, RuntimeRule, RuntimeSettings};

use super::{has_vars, image_problems, runtime_socket, secret_name, secret_value, Ctx};

/// Where the pod spec of a workload kind lives: (spec path, pod metadata path).
fn pod_paths(kind: &str) -> Option<(&'static str, &'static str)> {
    match kind {
        "Pod" => Some(("spec", "metadata")),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => Some(("spec.template.spec", "spec.template.metadata")),
        "CronJob" => Some((
            "spec.jobTemplate.spec.template.spec",
            "spec.jobTemplate.spec.template.metadata",
        )),
        "PodTemplate" => Some(("template.spec", "template.metadata")),
        _ => None,
    }
}

/// Whether a document looks like a Kubernetes object.
pub fn is_k8s(doc: &Node) -> bool {
    doc.get("apiVersion").and_then(Node::scalar).is_some()
        && doc.get("kind").and_then(Node::scalar).is_some()
}

/// Run every Kubernetes check on one document (recursing into `List` items).
pub fn check(doc: &Node, ctx: &mut Ctx<'_>) {
    check_at(doc, "", ctx, 0);
}

fn check_at(doc: &Node, prefix: &str, ctx: &mut Ctx<'_>, depth: usize) {
    let kind = doc.get("kind").and_then(Node::scalar).unwrap_or_default();
    if kind.ends_with("List") && depth < 8 {
        for (i, item) in doc
            .get("items")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            check_at(item, &format!("{prefix}items[{i}]."), ctx, depth + 1);
        }
        return;
    }
    let Some((spec_path, meta_path)) = pod_paths(&kind) else {
        return;
    };
    let Some(spec) = doc.at_path(spec_path).filter(|s| s.is_map()) else {
        return;
    };
    let obj = format!(
        "{kind}/{}",
        doc.at_path("metadata.name")
            .and_then(Node::scalar)
            .unwrap_or_default()
    );
    let annotations = doc.at_path(&format!("{meta_path}.annotations"));
    let sp = format!("{prefix}{spec_path}");
    // Anchor for "missing field" findings on the pod: the `spec` key of the pod template.
    let parent_path = spec_path.rsplit_once('.').map(|(p, _)| p).unwrap_or("");
    let spec_key = if parent_path.is_empty() {
        doc.entry("spec").map(|(k, _)| k)
    } else {
        doc.at_path(parent_path)
            .and_then(|p| p.entry("spec"))
            .map(|(k, _)| k)
    }
    .unwrap_or(spec);

    // Host namespaces are pod-wide: one runtime evaluation for the pod.
    let mut pod = RuntimeSettings::new((spec, sp.clone()));
    let host_ns = |field: &str| {
        spec.get(field).map(|n| {
            let v = if n.as_bool() == Some(true) {
                "host"
            } else {
                ""
            };
            at(v.to_string(), (n, format!("{sp}.{field}")))
        })
    };
    pod.network_mode = host_ns("hostNetwork");
    pod.pid_mode = host_ns("hostPID");
    pod.ipc_mode = host_ns("hostIPC");
    for v in runtime::evaluate(&pod) {
        let (id, field) = match v.rule {
            RuntimeRule::HostNetwork => ("BW-K8S-011", "hostNetwork"),
            RuntimeRule::HostPid => ("BW-K8S-012", "hostPID"),
            RuntimeRule::HostIpc => ("BW-K8S-013", "hostIPC"),
            _ => continue,
        };
        ctx.at(id, format!("{obj} sets {field}: true"), v.at.0, &v.at.1);
    }
    if spec
        .get("automountServiceAccountToken")
        .and_then(Node::as_bool)
        != Some(false)
    {
        let (at, path) = match spec.entry("automountServiceAccountToken") {
            Some((_, v)) => (v, format!("{sp}.automountServiceAccountToken")),
            None => (spec_key, sp.clone()),
        };
        ctx.at(
            "BW-K8S-023",
            format!("{obj} does not disable automountServiceAccountToken"),
            at,
            &path,
        );
    }
    for (i, vol) in spec
        .get("volumes")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let Some((hk, hp)) = vol.entry("hostPath") else {
            continue;
        };
        let path = hp.get("path").and_then(Node::scalar).unwrap_or_default();
        let vp = format!("{sp}.volumes[{i}].hostPath");
        if runtime_socket(&path) {
            ctx.at(
                "BW-K8S-015",
                format!("{obj} mounts the container runtime socket `{path}`"),
                hk,
                &vp,
            );
        } else {
            ctx.at(
                "BW-K8S-014",
                format!("{obj} uses a hostPath volume `{path}`"),
                hk,
                &vp,
            );
        }
    }
    let pod_sc = spec.get("securityContext");
    let ann = |key: &str| -> Option<&Node> { annotations.and_then(|a| a.get(key)) };
    let pod_seccomp_ann = ann("seccomp.security.alpha.kubernetes.io/pod");

    for (list, skip_resources) in [
        ("containers", false),
        ("initContainers", false),
        ("ephemeralContainers", true),
    ] {
        for (ci, c) in spec
            .get(list)
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let cp = format!("{sp}.{list}[{ci}]");
            let cname = c.get("name").and_then(Node::scalar).unwrap_or_default();
            let who = format!("container `{cname}` of {obj}");
            let sc = c.get("securityContext");
            let sc_get = |k: &str| sc.and_then(|s| s.get(k));
            let eff = |k: &str| -> Option<(&Node, String)> {
                sc_get(k)
                    .map(|n| (n, format!("{cp}.securityContext.{k}")))
                    .or_else(|| {
                        pod_sc
                            .and_then(|p| p.get(k))
                            .map(|n| (n, format!("{sp}.securityContext.{k}")))
                    })
            };
            let sc_anchor: (&Node, String) = match c.entry("securityContext") {
                Some((k, _)) => (k, format!("{cp}.securityContext")),
                None => (c, cp.clone()),
            };

            if !skip_resources {
                let res = |k: &str| {
                    c.at_path(&format!("resources.{k}"))
                        .filter(|n| n.value != Value::Null)
                };
                // Limits are runtime rules (below); requests are Kubernetes' own.
                for (k, id, what) in [
                    ("requests.memory", "BW-K8S-003", "memory request"),
                    ("requests.cpu", "BW-K8S-004", "CPU request"),
                ] {
                    if res(k).is_none() {
                        ctx.at(id, format!("{who} has no {what}"), c, &cp);
                    }
                }
            }
            match eff("runAsNonRoot") {
                Some((n, _)) if n.as_bool() == Some(true) => {}
                Some((n, path)) => ctx.at(
                    "BW-K8S-005",
                    format!("{who} sets runAsNonRoot to false"),
                    n,
                    &path,
                ),
                None => ctx.at(
                    "BW-K8S-005",
                    format!("{who} does not set runAsNonRoot: true"),
                    sc_anchor.0,
                    &sc_anchor.1,
                ),
            }
            if let Some((n, path)) = eff("runAsUser").filter(|(n, _)| n.as_i64() == Some(0)) {
                ctx.at("BW-K8S-006", format!("{who} runs as uid 0"), n, &path);
            }
            // The runtime rules, decided in one place (crate::runtime) for Compose, Kubernetes
            // and live containers; Kubernetes keeps its own ids, wording and anchors.
            let rs = container_settings(c, &cp, sc_anchor.clone());
            for v in runtime::evaluate(&rs) {
                let (at, path) = (v.at.0, v.at.1.as_str());
                match v.rule {
                    RuntimeRule::MemoryLimit | RuntimeRule::CpuLimit if !skip_resources => {
                        let (id, what) = if v.rule == RuntimeRule::MemoryLimit {
                            ("BW-K8S-001", "memory limit")
                        } else {
                            ("BW-K8S-002", "CPU limit")
                        };
                        ctx.at(id, format!("{who} has no {what}"), c, &cp);
                    }
                    RuntimeRule::Privileged => {
                        ctx.at("BW-K8S-007", format!("{who} is privileged"), at, path)
                    }
                    RuntimeRule::NoNewPrivileges => {
                        let m = if rs.security_opt_at.is_some() {
                            "allows privilege escalation"
                        } else {
                            "does not set allowPrivilegeEscalation: false"
                        };
                        ctx.at("BW-K8S-008", format!("{who} {m}"), at, path)
                    }
                    RuntimeRule::DangerousCapability => {
                        ctx.at("BW-K8S-009", format!("{who} {}", v.message), at, path)
                    }
                    RuntimeRule::CapabilitiesNotDropped => {
                        ctx.at("BW-K8S-010", format!("{who} {}", v.message), at, path)
                    }
                    RuntimeRule::WritableRootfs => {
                        let m = if rs.read_only.is_some() {
                            "has a writable root filesystem"
                        } else {
                            "does not set readOnlyRootFilesystem: true"
                        };
                        ctx.at("BW-K8S-016", format!("{who} {m}"), at, path)
                    }
                    _ => {}
                }
            }
            // Seccomp: field (container, then pod), then the legacy annotations.
            let seccomp_field = eff("seccompProfile")
                .and_then(|(n, path)| n.get("type").map(|t| (t, format!("{path}.type"))));
            let container_ann = ann(&format!(
                "container.seccomp.security.alpha.kubernetes.io/{cname}"
            ));
            match (seccomp_field, container_ann.or(pod_seccomp_ann)) {
                (Some((t, path)), _) => {
                    let v = t.scalar().unwrap_or_default();
                    if v != "RuntimeDefault" && v != "Localhost" {
                        ctx.at(
                            "BW-K8S-017",
                            format!("{who} uses seccomp profile type `{v}`"),
                            t,
                            &path,
                        );
                    }
                }
                (None, Some(a)) => {
                    let v = a.scalar().unwrap_or_default();
                    if v != "runtime/default"
                        && v != "docker/default"
                        && !v.starts_with("localhost/")
                    {
                        ctx.at(
                            "BW-K8S-017",
                            format!("{who} uses seccomp profile `{v}` (annotation)"),
                            a,
                            "metadata.annotations",
                        );
                    }
                }
                (None, None) => ctx.at(
                    "BW-K8S-017",
                    format!("{who} sets no seccomp profile"),
                    sc_anchor.0,
                    &sc_anchor.1,
                ),
            }
            // AppArmor: field (container, then pod) or annotation.
            if let Some((t, path)) = eff("appArmorProfile")
                .and_then(|(n, path)| n.get("type").map(|t| (t, format!("{path}.type"))))
            {
                if t.scalar().as_deref() == Some("Unconfined") {
                    ctx.at(
                        "BW-K8S-018",
                        format!("{who} runs AppArmor unconfined"),
                        t,
                        &path,
                    );
                }
            }
            if let Some(a) = ann(&format!(
                "container.apparmor.security.beta.kubernetes.io/{cname}"
            )) {
                if a.scalar().as_deref() == Some("unconfined") {
                    ctx.at(
                        "BW-K8S-018",
                        format!("{who} runs AppArmor unconfined (annotation)"),
                        a,
                        &format!("{prefix}{meta_path}.annotations"),
                    );
                }
            }
            if let Some(img) = c.get("image") {
                let s = img.scalar().unwrap_or_default();
                if !s.is_empty() && !has_vars(&s) {
                    let [tag, digest, untrusted] = image_problems(&s, ctx.trusted);
                    for (m, id) in [
                        (tag, "BW-K8S-019"),
                        (digest, "BW-K8S-020"),
                        (untrusted, "BW-K8S-021"),
                    ] {
                        if let Some(m) = m {
                            ctx.at(id, format!("{who}: {m}"), img, &format!("{cp}.image"));
                        }
                    }
                }
            }
            for (ei, e) in c
                .get("env")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let name = e.get("name").and_then(Node::scalar).unwrap_or_default();
                let Some(v) = e.get("value") else { continue };
                let value = v.scalar().unwrap_or_default();
                if value.is_empty() {
                    continue;
                }
                let path = format!("{cp}.env[{ei}].value");
                if secret_name(&name) {
                    ctx.at(
                        "BW-K8S-022",
                        format!("{who} sets `{name}` to a literal value"),
                        v,
                        &path,
                    );
                } else if let Some(what) = secret_value(&value) {
                    ctx.at(
                        "BW-K8S-022",
                        format!("{who} sets `{name}` to a value that looks like a secret ({what})"),
                        v,
                        &path,
                    );
                }
            }
            for (pi, port) in c
                .get("ports")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                if let Some(hp) = port
                    .get("hostPort")
                    .filter(|h| h.as_i64().is_some_and(|p| p != 0))
                {
                    ctx.at(
                        "BW-K8S-024",
                        format!("{who} uses hostPort {}", hp.scalar().unwrap_or_default()),
                        hp,
                        &format!("{cp}.ports[{pi}].hostPort"),
                    );
                }
            }
        }
    }
}

/// Where a Kubernetes setting is: its node and its logical path.
pub type Anchor<'n> = (&'n Node, String);

/// Map one container (`c` at path `cp`) to runtime settings; `subject` anchors findings about
/// settings that are missing (the container's securityContext, or the container).
pub fn container_settings<'n>(
    c: &'n Node,
    cp: &str,
    subject: Anchor<'n>,
) -> RuntimeSettings<Anchor<'n>> {
    let mut rs = RuntimeSettings::new(subject);
    let sc = c.get("securityContext");
    let sc_get = |k: &str| sc.and_then(|s| s.get(k));
    let sc_path = |k: &str| format!("{cp}.securityContext.{k}");
    let res = |k: &str| {
        c.at_path(&format!("resources.{k}"))
            .filter(|n| n.value != Value::Null)
            .map(|n| (n, format!("{cp}.resources.{k}")))
    };
    rs.memory_limit = res("limits.memory");
    rs.cpu_limit = res("limits.cpu");
    rs.privileged =
        sc_get("privileged").map(|n| at(n.as_bool() == Some(true), (n, sc_path("privileged"))));
    // allowPrivilegeEscalation: false is Kubernetes' no-new-privileges.
    if let Some(n) = sc_get("allowPrivilegeEscalation") {
        rs.security_opt_at = Some((n, sc_path("allowPrivilegeEscalation")));
        if n.as_bool() == Some(false) {
            rs.security_opt.push(at(
                "no-new-privileges:true".to_string(),
                (n, sc_path("allowPrivilegeEscalation")),
            ));
        }
    }
    let caps = sc_get("capabilities");
    let cap_list = |k: &str| -> Vec<runtime::At<String, Anchor<'n>>> {
        caps.and_then(|c| c.get(k))
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(|(i, n)| {
                at(
                    n.scalar().unwrap_or_default(),
                    (n, format!("{cp}.securityContext.capabilities.{k}[{i}]")),
                )
            })
            .collect()
    };
    rs.cap_add = cap_list("add");
    rs.cap_drop = cap_list("drop");
    rs.read_only = sc_get("readOnlyRootFilesystem").map(|n| {
        at(
            n.as_bool() == Some(true),
            (n, sc_path("readOnlyRootFilesystem")),
        )
    });
    rs
}
