//! `daemon.json` and image config checks.

use crate::node::{Node, Value};

use super::{secret_name, secret_value, Ctx};
use crate::catalogue::RuleId;

/// Checks on a Docker daemon configuration (`/etc/docker/daemon.json`).
pub fn check_daemon(doc: &Node, ctx: &mut Ctx<'_>) {
    let tlsverify = doc.get("tlsverify").and_then(Node::as_bool) == Some(true);
    for (i, h) in doc
        .get("hosts")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let host = h.scalar().unwrap_or_default();
        if host.starts_with("tcp://") && !tlsverify {
            ctx.at(
                RuleId::Dd001,
                format!("the daemon listens on `{host}` without tlsverify"),
                h,
                &format!("hosts[{i}]"),
            );
        }
    }
    let flag = |k: &str| doc.entry(k);
    match flag("icc") {
        Some((_, v)) if v.as_bool() == Some(false) => {}
        Some((_, v)) => ctx.at(
            RuleId::Dd002,
            "inter-container communication is enabled".to_string(),
            v,
            "icc",
        ),
        None => ctx.at(
            RuleId::Dd002,
            "`icc` is not set to false (default: enabled)".to_string(),
            doc,
            "",
        ),
    }
    match flag("userns-remap") {
        Some((_, v)) if v.scalar().is_some_and(|s| !s.is_empty()) => {}
        Some((_, v)) => ctx.at(
            RuleId::Dd003,
            "`userns-remap` is empty".to_string(),
            v,
            "userns-remap",
        ),
        None => ctx.at(
            RuleId::Dd003,
            "`userns-remap` is not set".to_string(),
            doc,
            "",
        ),
    }
    match flag("live-restore") {
        Some((_, v)) if v.as_bool() == Some(true) => {}
        Some((_, v)) => ctx.at(
            RuleId::Dd004,
            "`live-restore` is off".to_string(),
            v,
            "live-restore",
        ),
        None => ctx.at(
            RuleId::Dd004,
            "`live-restore` is not set".to_string(),
            doc,
            "",
        ),
    }
    for (i, r) in doc
        .get("insecure-registries")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let reg = r.scalar().unwrap_or_default();
        ctx.at(
            RuleId::Dd005,
            format!("insecure registry `{reg}`"),
            r,
            &format!("insecure-registries[{i}]"),
        );
    }
    match flag("no-new-privileges") {
        Some((_, v)) if v.as_bool() == Some(true) => {}
        Some((_, v)) => ctx.at(
            RuleId::Dd006,
            "`no-new-privileges` is off".to_string(),
            v,
            "no-new-privileges",
        ),
        None => ctx.at(
            RuleId::Dd006,
            "`no-new-privileges` is not set".to_string(),
            doc,
            "",
        ),
    }
}

/// Checks on an image configuration (the OCI/Docker image config JSON, or its `config`).
pub fn check_image_config(doc: &Node, ctx: &mut Ctx<'_>) {
    let (cfg, prefix) = match doc.get("config").or_else(|| doc.get("container_config")) {
        Some(c) if c.is_map() => (c, "config."),
        _ => (doc, ""),
    };
    let p = |k: &str| format!("{prefix}{k}");
    match cfg.entry("User") {
        Some((_, v)) => {
            let u = v.scalar().unwrap_or_default();
            let name = u.split(':').next().unwrap_or("");
            if name.is_empty() || name == "root" || name == "0" {
                ctx.at(
                    RuleId::Img001,
                    format!(
                        "the image runs as `{}`",
                        if u.is_empty() {
                            "root (User is empty)"
                        } else {
                            &u
                        }
                    ),
                    v,
                    &p("User"),
                );
            }
        }
        None => ctx.at(
            RuleId::Img001,
            "the image sets no User, so it runs as root".to_string(),
            cfg,
            prefix.trim_end_matches('.'),
        ),
    }
    match cfg.entry("Healthcheck") {
        Some((_, v)) => {
            let none = v
                .get("Test")
                .map(Node::items)
                .and_then(|t| t.first())
                .and_then(Node::scalar)
                .as_deref()
                == Some("NONE");
            if none || v.value == Value::Null {
                ctx.at(
                    RuleId::Img002,
                    "the health check is disabled".to_string(),
                    v,
                    &p("Healthcheck"),
                );
            }
        }
        None => ctx.at(
            RuleId::Img002,
            "the image has no Healthcheck".to_string(),
            cfg,
            prefix.trim_end_matches('.'),
        ),
    }
    for (i, e) in cfg
        .get("Env")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let s = e.scalar().unwrap_or_default();
        let (k, v) = s.split_once('=').unwrap_or((&s, ""));
        let path = format!("{prefix}Env[{i}]");
        if let Some(what) = secret_value(v) {
            ctx.at(
                RuleId::Img004,
                format!("Env `{k}` has a value that looks like a secret ({what})"),
                e,
                &path,
            );
        } else if secret_name(k) && !v.is_empty() {
            ctx.at(
                RuleId::Img003,
                format!("Env `{k}` looks like it holds a secret"),
                e,
                &path,
            );
        }
    }
    for (k, v) in cfg.get("Labels").map(Node::entries).unwrap_or(&[]) {
        let key = k.scalar().unwrap_or_default();
        if let Some(what) = v.scalar().as_deref().and_then(secret_value) {
            ctx.at(
                RuleId::Img004,
                format!("label `{key}` has a value that looks like a secret ({what})"),
                v,
                &format!("{prefix}Labels.{key}"),
            );
        }
    }
    for (k, _) in cfg.get("ExposedPorts").map(Node::entries).unwrap_or(&[]) {
        let port = k.scalar().unwrap_or_default();
        if port.split('/').next() == Some("22") {
            ctx.at(
                RuleId::Img005,
                "port 22 (SSH) is exposed".to_string(),
                k,
                &format!("{prefix}ExposedPorts"),
            );
        }
    }
}

/// Whether a JSON document looks like an image config.
pub fn is_image_config(doc: &Node) -> bool {
    let cfg_like = |n: &Node| {
        [
            "User",
            "Env",
            "ExposedPorts",
            "Healthcheck",
            "Cmd",
            "Entrypoint",
            "Labels",
            "WorkingDir",
        ]
        .iter()
        .any(|k| n.get(k).is_some())
    };
    match doc.get("config") {
        Some(c) if c.is_map() => cfg_like(c) || doc.get("rootfs").is_some(),
        _ => cfg_like(doc),
    }
}
