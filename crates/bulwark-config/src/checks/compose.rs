//! Compose file checks (Compose Specification).

use crate::node::{Node, Value};
use crate::runtime::{self, at, Mount, Port, RuntimeRule, RuntimeSettings};

use super::{has_vars, image_problems, is_reference, secret_name, secret_value, Ctx};

/// Where a Compose setting is: its node and its logical path.
pub type Anchor<'n> = (&'n Node, String);

/// The Compose rule of a runtime rule (None: no Compose rule for it).
pub fn rule_id(rule: RuntimeRule) -> Option<&'static str> {
    use RuntimeRule::*;
    Some(match rule {
        MemoryLimit => "BW-DC-001",
        CpuLimit => "BW-DC-002",
        PidsLimit => "BW-DC-003",
        RootUser => "BW-DC-004",
        Privileged => "BW-DC-005",
        DangerousCapability => "BW-DC-006",
        CapabilitiesNotDropped => "BW-DC-007",
        HostNetwork => "BW-DC-008",
        HostPid => "BW-DC-009",
        HostIpc => "BW-DC-010",
        HostUts => "BW-DC-011",
        RuntimeSocket => "BW-DC-012",
        SensitiveMount => "BW-DC-013",
        NoNewPrivileges => "BW-DC-014",
        WritableRootfs => "BW-DC-015",
        SeccompUnconfined | AppArmorUnconfined => "BW-DC-016",
        PrivilegedPortAllInterfaces => "BW-DC-021",
        HostUserns | SharedPropagation | PrivilegedPort | AllInterfaces | HostDevice => {
            return None
        }
    })
}

/// Map one Compose service (`key: svc`, at logical path `base`) to runtime settings.
pub fn runtime_settings<'n>(
    svc: &'n Node,
    key: &'n Node,
    base: &str,
) -> RuntimeSettings<Anchor<'n>> {
    let p = |s: &str| format!("{base}.{s}");
    let mut rs = RuntimeSettings::new((key, base.to_string()));
    let limits = svc.at_path("deploy.resources.limits");
    let lim = |k: &str| {
        limits
            .and_then(|l| l.get(k))
            .filter(|n| n.value != Value::Null)
    };
    let set = |n: Option<&'n Node>, path: String| n.map(|n| (n, path));
    rs.memory_limit = set(lim("memory"), p("deploy.resources.limits.memory"))
        .or_else(|| set(svc.get("mem_limit"), p("mem_limit")));
    rs.cpu_limit = set(lim("cpus"), p("deploy.resources.limits.cpus"))
        .or_else(|| set(svc.get("cpus"), p("cpus")))
        .or_else(|| set(svc.get("cpu_quota"), p("cpu_quota")));
    rs.pids_limit = set(lim("pids"), p("deploy.resources.limits.pids"))
        .or_else(|| set(svc.get("pids_limit"), p("pids_limit")));
    // An unset or empty `user:` means the image's USER, which a Compose file cannot judge.
    rs.user = svc.get("user").and_then(|u| {
        u.scalar()
            .filter(|s| !s.is_empty())
            .map(|s| at(s, (u, p("user"))))
    });
    rs.privileged = svc
        .get("privileged")
        .map(|n| at(n.as_bool() == Some(true), (n, p("privileged"))));
    let list = |field: &str| -> Vec<runtime::At<String, Anchor<'n>>> {
        svc.get(field)
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(|(i, n)| {
                at(
                    n.scalar().unwrap_or_default(),
                    (n, format!("{base}.{field}[{i}]")),
                )
            })
            .collect()
    };
    rs.cap_add = list("cap_add");
    rs.cap_drop = list("cap_drop");
    rs.security_opt = list("security_opt");
    rs.security_opt_at = svc
        .entry("security_opt")
        .map(|(k, _)| (k, p("security_opt")));
    let mode = |field: &str| {
        svc.get(field)
            .and_then(|n| n.scalar().map(|s| at(s, (n, p(field)))))
    };
    rs.network_mode = mode("network_mode");
    rs.pid_mode = mode("pid");
    rs.ipc_mode = mode("ipc");
    rs.uts_mode = mode("uts");
    rs.userns_mode = mode("userns_mode");
    rs.read_only = svc
        .entry("read_only")
        .map(|(_, v)| at(v.as_bool() == Some(true), (v, p("read_only"))));
    for (i, v) in svc
        .get("volumes")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let (source, propagation) = match &v.value {
            // `SRC:DST[:OPTS]`; a lone `/data` is an anonymous volume, not a host path.
            Value::Str(s) => {
                let parts: Vec<&str> = s.split(':').collect();
                let src = parts.first().copied().unwrap_or("");
                let host = parts.len() > 1 && (src.starts_with('/') || src.starts_with('~'));
                let prop = parts.get(2).and_then(|o| {
                    o.split(',')
                        .find(|x| {
                            x.ends_with("shared") || x.ends_with("slave") || x.ends_with("private")
                        })
                        .map(str::to_string)
                });
                (host.then(|| src.to_string()), prop)
            }
            Value::Map(_) => {
                let bind = v.get("type").and_then(Node::scalar).as_deref() == Some("bind");
                (
                    v.get("source")
                        .and_then(Node::scalar)
                        .filter(|s| bind && s.starts_with('/')),
                    v.at_path("bind.propagation").and_then(Node::scalar),
                )
            }
            _ => (None, None),
        };
        if let Some(source) = source {
            rs.mounts.push(Mount {
                source,
                propagation,
                at: (v, format!("{base}.volumes[{i}]")),
            });
        }
    }
    for (i, port) in svc
        .get("ports")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let (host_ip, published) = match &port.value {
            Value::Map(_) => (
                port.get("host_ip").and_then(Node::scalar),
                port.get("published").and_then(Node::scalar),
            ),
            _ => match port.scalar() {
                Some(s) => parse_short_port(&s),
                None => (None, None),
            },
        };
        let Some(published) = published else { continue };
        rs.ports.push(Port {
            host_ip,
            host_port: published
                .split('-')
                .next()
                .and_then(|p| p.trim().parse().ok()),
            at: (port, format!("{base}.ports[{i}]")),
        });
    }
    rs
}

/// Run every Compose check on one document.
pub fn check(doc: &Node, ctx: &mut Ctx<'_>) {
    let Some(services) = doc.get("services") else {
        return;
    };
    for (key, svc) in services.entries() {
        let name = key.scalar().unwrap_or_default();
        let base = format!("services.{name}");
        let p = |s: &str| format!("{base}.{s}");
        if !svc.is_map() {
            continue;
        }
        let settings = runtime_settings(svc, key, &base);
        for v in runtime::evaluate(&settings) {
            if let Some(id) = rule_id(v.rule) {
                ctx.at(
                    id,
                    format!("service `{name}` {}", v.message),
                    v.at.0,
                    &v.at.1,
                );
            }
        }
        if let Some(img) = svc.get("image") {
            let s = img.scalar().unwrap_or_default();
            if !s.is_empty() && !has_vars(&s) {
                let [tag, digest, untrusted] = image_problems(&s, ctx.trusted);
                for (m, id) in [
                    (tag, "BW-DC-017"),
                    (digest, "BW-DC-018"),
                    (untrusted, "BW-DC-019"),
                ] {
                    if let Some(m) = m {
                        ctx.at(id, m, img, &p("image"));
                    }
                }
            }
        }
        if let Some(env) = svc.get("environment") {
            let pairs: Vec<(String, Option<String>, &Node, String)> = match &env.value {
                Value::Map(e) => e
                    .iter()
                    .map(|(k, v)| {
                        let kn = k.scalar().unwrap_or_default();
                        (
                            kn.clone(),
                            v.scalar(),
                            v,
                            format!("{base}.environment.{kn}"),
                        )
                    })
                    .collect(),
                Value::Seq(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| {
                        let s = n.scalar().unwrap_or_default();
                        let (k, v) = match s.split_once('=') {
                            Some((k, v)) => (k.to_string(), Some(v.to_string())),
                            None => (s, None),
                        };
                        (k, v, n, format!("{base}.environment[{i}]"))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for (k, v, n, path) in pairs {
                let Some(v) = v.filter(|v| !v.is_empty() && !is_reference(v)) else {
                    continue;
                };
                if secret_name(&k) {
                    ctx.at(
                        "BW-DC-020",
                        format!("service `{name}` sets `{k}` to a literal secret"),
                        n,
                        &path,
                    );
                } else if let Some(what) = secret_value(&v) {
                    ctx.at(
                        "BW-DC-020",
                        format!("service `{name}` sets `{k}` to a value that looks like a secret ({what})"),
                        n,
                        &path,
                    );
                }
            }
        }
    }
}

/// Split `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]` into (host ip, published port).
fn parse_short_port(s: &str) -> (Option<String>, Option<String>) {
    let s = s.split('/').next().unwrap_or(s);
    // IPv6 host addresses are bracketed: `[::1]:80:80`.
    if let Some(rest) = s.strip_prefix('[') {
        if let Some((ip, tail)) = rest.split_once(']') {
            let parts: Vec<&str> = tail.trim_start_matches(':').split(':').collect();
            return (
                Some(ip.to_string()),
                parts
                    .first()
                    .map(|p| p.to_string())
                    .filter(|p| !p.is_empty() && parts.len() > 1),
            );
        }
    }
    let parts: Vec<&str> = s.split(':').collect();
    match parts.as_slice() {
        [_container] => (None, None),
        [host, _container] => (None, Some(host.to_string()).filter(|h| !h.is_empty())),
        [ip, host, _container] => (
            Some(ip.to_string()),
            Some(host.to_string()).filter(|h| !h.is_empty()),
        ),
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_ports() {
        use super::parse_short_port as p;
        assert_eq!(p("80:80"), (None, Some("80".into())));
        assert_eq!(
            p("127.0.0.1:80:80/tcp"),
            (Some("127.0.0.1".into()), Some("80".into()))
        );
        assert_eq!(p("8080"), (None, None));
        assert_eq!(p("[::1]:80:80"), (Some("::1".into()), Some("80".into())));
        assert_eq!(p("127.0.0.1::80"), (Some("127.0.0.1".into()), None));
    }
}
