//! Compose file checks (Compose Specification).

use crate::node::{Node, Value};

use super::{
    dangerous_cap, has_vars, image_problems, is_reference, runtime_socket, secret_name,
    secret_value, sensitive_path, Ctx,
};

fn is_true(n: Option<&Node>) -> bool {
    n.and_then(Node::as_bool) == Some(true)
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
        let limits = svc.at_path("deploy.resources.limits");
        let lim = |k: &str| {
            limits
                .and_then(|l| l.get(k))
                .filter(|n| n.value != Value::Null)
        };
        if lim("memory").is_none() && svc.get("mem_limit").is_none() {
            ctx.at(
                "BW-DC-001",
                format!("service `{name}` has no memory limit"),
                key,
                &base,
            );
        }
        if lim("cpus").is_none() && svc.get("cpus").is_none() && svc.get("cpu_quota").is_none() {
            ctx.at(
                "BW-DC-002",
                format!("service `{name}` has no CPU limit"),
                key,
                &base,
            );
        }
        if lim("pids").is_none() && svc.get("pids_limit").is_none() {
            ctx.at(
                "BW-DC-003",
                format!("service `{name}` has no PIDs limit"),
                key,
                &base,
            );
        }
        if let Some(u) = svc.get("user") {
            let user = u.scalar().unwrap_or_default();
            let first = user.split(':').next().unwrap_or("");
            if first == "root" || first == "0" {
                ctx.at(
                    "BW-DC-004",
                    format!("service `{name}` runs as `{user}`"),
                    u,
                    &p("user"),
                );
            }
        }
        if let Some(n) = svc.get("privileged").filter(|n| n.as_bool() == Some(true)) {
            ctx.at(
                "BW-DC-005",
                format!("service `{name}` is privileged"),
                n,
                &p("privileged"),
            );
        }
        for (i, c) in svc
            .get("cap_add")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let cap = c.scalar().unwrap_or_default();
            if dangerous_cap(&cap) {
                ctx.at(
                    "BW-DC-006",
                    format!("service `{name}` adds capability `{cap}`"),
                    c,
                    &format!("{base}.cap_add[{i}]"),
                );
            }
        }
        let drops_all = svc
            .get("cap_drop")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .any(|c| c.scalar().is_some_and(|s| s.eq_ignore_ascii_case("all")));
        if !drops_all {
            ctx.at(
                "BW-DC-007",
                format!("service `{name}` does not drop ALL capabilities"),
                key,
                &base,
            );
        }
        for (field, id, what) in [
            ("network_mode", "BW-DC-008", "network"),
            ("pid", "BW-DC-009", "PID"),
            ("ipc", "BW-DC-010", "IPC"),
            ("uts", "BW-DC-011", "UTS"),
        ] {
            if let Some(n) = svc
                .get(field)
                .filter(|n| n.scalar().as_deref() == Some("host"))
            {
                ctx.at(
                    id,
                    format!("service `{name}` shares the host {what} namespace"),
                    n,
                    &p(field),
                );
            }
        }
        for (i, v) in svc
            .get("volumes")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let vpath = format!("{base}.volumes[{i}]");
            let source = match &v.value {
                Value::Str(s) => {
                    let src = s.split(':').next().unwrap_or("");
                    (src.starts_with('/') || src.starts_with('~')).then(|| src.to_string())
                }
                Value::Map(_) => {
                    let bind = v.get("type").and_then(Node::scalar).as_deref() == Some("bind");
                    v.get("source")
                        .and_then(Node::scalar)
                        .filter(|s| bind && s.starts_with('/'))
                }
                _ => None,
            };
            let Some(src) = source else { continue };
            if runtime_socket(&src) {
                ctx.at(
                    "BW-DC-012",
                    format!("service `{name}` mounts the container runtime socket `{src}`"),
                    v,
                    &vpath,
                );
            } else if sensitive_path(&src) {
                ctx.at(
                    "BW-DC-013",
                    format!("service `{name}` mounts the host path `{src}`"),
                    v,
                    &vpath,
                );
            }
        }
        let opts = svc.get("security_opt").map(Node::items).unwrap_or(&[]);
        let nnp = opts.iter().any(|o| {
            o.scalar().is_some_and(|s| {
                let s = s.replace(' ', "");
                s == "no-new-privileges"
                    || s == "no-new-privileges:true"
                    || s == "no-new-privileges=true"
            })
        });
        if !nnp {
            let (at, path) = match svc.entry("security_opt") {
                Some((k, _)) => (k, p("security_opt")),
                None => (key, base.clone()),
            };
            ctx.at(
                "BW-DC-014",
                format!("service `{name}` does not set no-new-privileges"),
                at,
                &path,
            );
        }
        for (i, o) in opts.iter().enumerate() {
            let s = o.scalar().unwrap_or_default().replace('=', ":");
            if s == "seccomp:unconfined" || s == "apparmor:unconfined" {
                ctx.at(
                    "BW-DC-016",
                    format!("service `{name}` sets `{s}`"),
                    o,
                    &format!("{base}.security_opt[{i}]"),
                );
            }
        }
        if !is_true(svc.get("read_only")) {
            let (at, path) = match svc.entry("read_only") {
                Some((_, v)) => (v, p("read_only")),
                None => (key, base.clone()),
            };
            ctx.at(
                "BW-DC-015",
                format!("service `{name}` has a writable root filesystem"),
                at,
                &path,
            );
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
                        format!("service `{name}` sets `{k}` to a value that looks like a {what}"),
                        n,
                        &path,
                    );
                }
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
            let first: Option<u32> = published
                .split('-')
                .next()
                .and_then(|p| p.trim().parse().ok());
            let all_ifaces = host_ip
                .as_deref()
                .is_none_or(|ip| ip == "0.0.0.0" || ip == "::" || ip == "[::]" || ip.is_empty());
            if let Some(pn) = first.filter(|p| *p > 0 && *p < 1024) {
                if all_ifaces {
                    ctx.at(
                        "BW-DC-021",
                        format!(
                            "service `{name}` publishes privileged port {pn} on all interfaces"
                        ),
                        port,
                        &format!("{base}.ports[{i}]"),
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
