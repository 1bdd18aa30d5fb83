//! The checks, section by section. Each pushes [`CheckResult`]s through [`Out`], which fills
//! in the catalogue's title, level and remediation and drops unselected checks.

use bulwark_config::checks::compose::rule_id as compose_rule;
use bulwark_config::checks::{is_reference, secret_name, secret_value};
use bulwark_config::runtime::{self, at, Mount, Port, RuntimeRule, RuntimeSettings};
use bulwark_engine::models::ContainerInspect;

use crate::catalog;
use crate::daemon::{self, DaemonConfig};
use crate::hostfs::{HostFs, Probe, Stat};
use crate::snapshot::{image_name, Container, Snapshot};
use crate::{CheckResult, Options, Outcome, Subject};

struct Out<'o> {
    opts: &'o Options,
    results: Vec<CheckResult>,
}

/// A result under construction.
struct R {
    outcome: Outcome,
    reason: Option<String>,
    evidence: Vec<String>,
    container: Option<Subject>,
    image: Option<Subject>,
    config_rule: Option<String>,
}

fn r(outcome: Outcome) -> R {
    R {
        outcome,
        reason: None,
        evidence: Vec::new(),
        container: None,
        image: None,
        config_rule: None,
    }
}

impl R {
    fn why(mut self, reason: impl Into<String>) -> R {
        self.reason = Some(reason.into());
        self
    }
    fn ev(mut self, evidence: Vec<String>) -> R {
        self.evidence = evidence;
        self
    }
}

impl Out<'_> {
    fn on(&self, id: &str) -> bool {
        self.opts.selected(id)
    }

    fn push(&mut self, id: &str, res: R) {
        if !self.on(id) {
            return;
        }
        let Some(def) = catalog::get(id) else { return };
        self.results.push(CheckResult {
            id: def.id.to_string(),
            title: def.title.to_string(),
            level: def.level,
            automated: def.automated,
            result: res.outcome,
            reason: res.reason,
            evidence: res.evidence,
            remediation: def.remediation.to_string(),
            container: res.container,
            image: res.image,
            config_rule: res.config_rule,
        });
    }

    /// The same SKIP for every selected check of `ids`.
    fn skip_all(&mut self, ids: &[&str], why: &str) {
        for id in ids {
            self.push(id, r(Outcome::Skip).why(why));
        }
    }
}

const NO_ROOT: &str = "host files not available (remote engine or no --host-root)";

/// Run every selected check.
pub(crate) fn run(snap: &Snapshot, fs: Option<&HostFs>, opts: &Options) -> Vec<CheckResult> {
    let mut out = Out {
        opts,
        results: Vec::new(),
    };
    let cfg = match fs {
        Some(fs) if opts.section(2) || opts.section(3) || opts.section(5) => daemon::effective(fs),
        _ => DaemonConfig::default(),
    };
    if opts.section(1) {
        section1(&mut out, snap, fs);
    }
    if opts.section(2) {
        section2(&mut out, snap, fs, &cfg);
    }
    if opts.section(3) {
        section3(&mut out, fs, &cfg);
    }
    if opts.section(4) {
        section4(&mut out, snap);
    }
    if opts.section(5) {
        section5(&mut out, snap, &cfg);
    }
    if opts.section(6) {
        section6(&mut out, snap);
    }
    if opts.section(7) {
        section7(&mut out, snap);
    }
    out.results
}

// ---------------------------------------------------------------------------------------
// Section 1: host configuration.

const AUDITED: &[(&str, &str)] = &[
    ("1.1.3", "/usr/bin/dockerd"),
    ("1.1.4", "/run/containerd"),
    ("1.1.5", "/var/lib/docker"),
    ("1.1.6", "/etc/docker"),
    ("1.1.7", "docker.service"),
    ("1.1.8", "/run/containerd/containerd.sock"),
    ("1.1.9", "docker.socket"),
    ("1.1.10", "/etc/default/docker"),
    ("1.1.11", "/etc/docker/daemon.json"),
    ("1.1.12", "/etc/containerd/config.toml"),
    ("1.1.13", "/etc/sysconfig/docker"),
    ("1.1.14", "/usr/bin/containerd"),
    ("1.1.15", "/usr/bin/containerd-shim"),
    ("1.1.16", "/usr/bin/containerd-shim-runc-v1"),
    ("1.1.17", "/usr/bin/containerd-shim-runc-v2"),
    ("1.1.18", "/usr/bin/runc"),
];

/// Audit rules from the rules files (and `auditctl -l` on the host itself when it answers).
fn audit_rules(fs: &HostFs) -> Result<(String, Vec<String>), String> {
    let mut text = String::new();
    let mut sources = Vec::new();
    match fs.read("/etc/audit/audit.rules") {
        Probe::Found(t) => {
            text.push_str(&t);
            text.push('\n');
            sources.push("/etc/audit/audit.rules".to_string());
        }
        Probe::Missing => {}
        Probe::Denied(why) => return Err(why),
    }
    match fs.list("/etc/audit/rules.d") {
        Probe::Found(names) => {
            for n in names.iter().filter(|n| n.ends_with(".rules")) {
                let p = format!("/etc/audit/rules.d/{n}");
                match fs.read(&p) {
                    Probe::Found(t) => {
                        text.push_str(&t);
                        text.push('\n');
                        sources.push(p);
                    }
                    Probe::Missing => {}
                    Probe::Denied(why) => return Err(why),
                }
            }
        }
        Probe::Missing => {}
        Probe::Denied(why) => return Err(why),
    }
    if fs.root() == std::path::Path::new("/") {
        if let Ok(o) = std::process::Command::new("auditctl").arg("-l").output() {
            if o.status.success() {
                text.push_str(&String::from_utf8_lossy(&o.stdout));
                sources.push("auditctl -l".to_string());
            }
        }
    }
    Ok((text, sources))
}

fn has_watch(rules: &str, path: &str) -> Option<String> {
    rules
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .find(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.windows(2).any(|w| w[0] == "-w" && w[1] == path)
                || words
                    .iter()
                    .any(|w| *w == format!("path={path}") || *w == format!("dir={path}"))
        })
        .map(str::to_string)
}

fn section1(out: &mut Out<'_>, snap: &Snapshot, fs: Option<&HostFs>) {
    let Some(fs) = fs else {
        let ids: Vec<&str> = std::iter::once("1.1.1")
            .chain(std::iter::once("1.1.2"))
            .chain(AUDITED.iter().map(|(id, _)| *id))
            .collect();
        out.skip_all(&ids, NO_ROOT);
        manual1(out, snap);
        return;
    };
    // 1.1.1: the data root is a mount point of its own.
    let root_dir = if snap.info.docker_root_dir.is_empty() {
        "/var/lib/docker".to_string()
    } else {
        snap.info.docker_root_dir.clone()
    };
    match fs.read("/proc/1/mountinfo") {
        Probe::Found(text) => {
            let hit = text
                .lines()
                .find(|l| l.split_whitespace().nth(4) == Some(root_dir.as_str()));
            let res = match hit {
                Some(l) => r(Outcome::Pass).ev(vec![format!("/proc/1/mountinfo: {l}")]),
                None => r(Outcome::Warn)
                    .why(format!("{root_dir} is not a separate mount point"))
                    .ev(vec![format!("no mount at {root_dir} in /proc/1/mountinfo")]),
            };
            out.push("1.1.1", res);
        }
        Probe::Missing => out.push(
            "1.1.1",
            r(Outcome::Skip).why("/proc/1/mountinfo not found under the host root"),
        ),
        Probe::Denied(why) => out.push("1.1.1", r(Outcome::Skip).why(why)),
    }
    // 1.1.2: docker group members.
    match fs.read("/etc/group") {
        Probe::Found(text) => {
            let line = text.lines().find(|l| l.split(':').next() == Some("docker"));
            let res = match line.and_then(|l| l.split(':').nth(3)) {
                Some(m) if !m.trim().is_empty() => r(Outcome::Info)
                    .why(
                        "members of the docker group are root on the host: confirm each is trusted",
                    )
                    .ev(vec![format!("/etc/group: docker:{m}")]),
                Some(_) => {
                    r(Outcome::Pass).ev(vec!["/etc/group: docker group has no members".into()])
                }
                None => r(Outcome::Pass).ev(vec!["/etc/group: no docker group".into()]),
            };
            out.push("1.1.2", res);
        }
        Probe::Missing => out.push(
            "1.1.2",
            r(Outcome::Skip).why("/etc/group not found under the host root"),
        ),
        Probe::Denied(why) => out.push("1.1.2", r(Outcome::Skip).why(why)),
    }
    // 1.1.3 - 1.1.18: audit rules.
    if AUDITED.iter().any(|(id, _)| out.on(id)) {
        match audit_rules(fs) {
            Err(why) => {
                let ids: Vec<&str> = AUDITED.iter().map(|(id, _)| *id).collect();
                out.skip_all(&ids, &format!("audit rules not readable: {why}"));
            }
            Ok((rules, sources)) => {
                for (id, path) in AUDITED {
                    let path = match *path {
                        "/usr/bin/dockerd" => [
                            "/usr/bin/dockerd",
                            "/usr/sbin/dockerd",
                            "/usr/local/bin/dockerd",
                        ]
                        .into_iter()
                        .find(|p| matches!(fs.stat(p), Probe::Found(_)))
                        .unwrap_or("/usr/bin/dockerd")
                        .to_string(),
                        "docker.service" | "docker.socket" => match daemon::unit_path(fs, path) {
                            Some(p) => p,
                            None => {
                                out.push(
                                    id,
                                    r(Outcome::Info).why(format!("{path} unit not found")),
                                );
                                continue;
                            }
                        },
                        "/var/lib/docker" => root_dir.clone(),
                        p => p.to_string(),
                    };
                    if let Probe::Missing = fs.stat(&path) {
                        out.push(
                            id,
                            r(Outcome::Info).why(format!("{path} does not exist on this host")),
                        );
                        continue;
                    }
                    let res = match has_watch(&rules, &path) {
                        Some(line) => r(Outcome::Pass).ev(vec![format!("audit rule: {line}")]),
                        None => r(Outcome::Warn)
                            .why(format!("no audit rule watches {path}"))
                            .ev(vec![if sources.is_empty() {
                                "no audit rules found (/etc/audit/audit.rules, /etc/audit/rules.d/*.rules)".to_string()
                            } else {
                                format!("searched: {}", sources.join(", "))
                            }]),
                    };
                    out.push(id, res);
                }
            }
        }
    }
    manual1(out, snap);
}

fn manual1(out: &mut Out<'_>, snap: &Snapshot) {
    out.push(
        "1.2.1",
        r(Outcome::Note).why("host hardening is not checked automatically"),
    );
    out.push(
        "1.2.2",
        r(Outcome::Info)
            .why("compare with the supported Docker Engine releases")
            .ev(vec![format!(
                "engine {} (API {}, kernel {})",
                snap.version.version, snap.version.api_version, snap.version.kernel_version
            )]),
    );
}

// ---------------------------------------------------------------------------------------
// Section 2: daemon configuration.

fn ev_key(cfg: &DaemonConfig, key: &str) -> Vec<String> {
    match cfg.get(key) {
        Some(s) => vec![s.evidence(key)],
        None if cfg.read.is_empty() => Vec::new(),
        None => vec![format!("{key} not set ({})", cfg.read.join(", "))],
    }
}

fn section2(out: &mut Out<'_>, snap: &Snapshot, fs: Option<&HostFs>, cfg: &DaemonConfig) {
    let info = &snap.info;
    let secopts = &info.security_options;
    let has_secopt = |name: &str| {
        secopts
            .iter()
            .any(|o| o.split(',').any(|p| p == format!("name={name}")))
    };
    let read = if fs.is_none() {
        "daemon configuration files not available (no host root)".to_string()
    } else if cfg.read.is_empty() {
        "no daemon.json and no dockerd command line found".to_string()
    } else {
        format!("read: {}", cfg.read.join(", "))
    };
    // Checks that need the configuration itself (not just /info) say SKIP without it.
    let cfg_known = fs.is_some() && !cfg.read.is_empty();
    let skip_cfg = |out: &mut Out<'_>, id: &str| {
        let why = if cfg.problems.is_empty() {
            read.clone()
        } else {
            cfg.problems.join("; ")
        };
        out.push(id, r(Outcome::Skip).why(why));
    };

    // 2.1 rootless.
    out.push(
        "2.1",
        if has_secopt("rootless") {
            r(Outcome::Pass).ev(vec!["/info SecurityOptions: name=rootless".into()])
        } else {
            r(Outcome::Info)
                .why("the daemon runs as root")
                .ev(vec![format!(
                    "/info SecurityOptions: {}",
                    secopts.join(" ")
                )])
        },
    );
    // 2.2 icc: the default bridge's own option is the truth.
    let bridge = snap.networks.iter().find(|n| n.name == "bridge");
    let icc = bridge
        .and_then(|b| b.options.as_ref())
        .and_then(|o| o.get("com.docker.network.bridge.enable_icc"))
        .cloned();
    let mut ev = ev_key(cfg, "icc");
    if let Some(v) = &icc {
        ev.push(format!(
            "network bridge: com.docker.network.bridge.enable_icc={v}"
        ));
    }
    out.push(
        "2.2",
        match (icc.as_deref(), cfg.bool("icc")) {
            (Some("false"), _) | (None, Some(false)) => r(Outcome::Pass).ev(ev),
            (None, None) if bridge.is_none() => {
                r(Outcome::Info).why("no default bridge network").ev(ev)
            }
            _ => r(Outcome::Warn)
                .why("inter-container communication is enabled on the default bridge")
                .ev(ev),
        },
    );
    // 2.3 log level.
    if cfg_known || cfg.get("log-level").is_some() {
        out.push(
            "2.3",
            match cfg.str("log-level") {
                None => r(Outcome::Pass).why("log-level not set (default info)"),
                Some("info") => r(Outcome::Pass).ev(ev_key(cfg, "log-level")),
                Some(l) => r(Outcome::Warn)
                    .why(format!("log level is `{l}`"))
                    .ev(ev_key(cfg, "log-level")),
            },
        );
    } else {
        skip_cfg(out, "2.3");
    }
    // 2.4 iptables.
    if cfg_known {
        out.push(
            "2.4",
            match cfg.bool("iptables") {
                Some(false) => r(Outcome::Warn)
                    .why("Docker may not change iptables")
                    .ev(ev_key(cfg, "iptables")),
                _ => r(Outcome::Pass).ev(ev_key(cfg, "iptables")),
            },
        );
    } else {
        skip_cfg(out, "2.4");
    }
    // 2.5 insecure registries: /info knows them all (flags, file and defaults).
    let mut insecure: Vec<String> = Vec::new();
    if let Some(rc) = &info.registry_config {
        insecure.extend(
            rc.insecure_registry_cidrs
                .iter()
                .filter(|c| *c != "127.0.0.0/8" && *c != "::1/128")
                .cloned(),
        );
        insecure.extend(
            rc.index_configs
                .values()
                .filter(|i| !i.secure)
                .map(|i| i.name.clone()),
        );
    }
    out.push(
        "2.5",
        if insecure.is_empty() {
            r(Outcome::Pass)
        } else {
            r(Outcome::Warn)
                .why("registries reached without TLS verification")
                .ev(insecure
                    .iter()
                    .map(|i| format!("/info RegistryConfig: insecure `{i}`"))
                    .collect())
        },
    );
    // 2.6 aufs.
    out.push(
        "2.6",
        if info.driver == "aufs" {
            r(Outcome::Warn).ev(vec!["/info Driver: aufs".into()])
        } else {
            r(Outcome::Pass).ev(vec![format!("/info Driver: {}", info.driver)])
        },
    );
    // 2.7 TLS on TCP listeners.
    if cfg_known {
        let tcp: Vec<String> = cfg
            .list("hosts")
            .into_iter()
            .filter(|h| h.starts_with("tcp://"))
            .collect();
        let res = if tcp.is_empty() {
            r(Outcome::Info)
                .why("the daemon does not listen on TCP")
                .ev(ev_key(cfg, "hosts"))
        } else {
            let missing: Vec<&str> = ["tlsverify", "tlscacert", "tlscert", "tlskey"]
                .into_iter()
                .filter(|k| match *k {
                    "tlsverify" => cfg.bool(k) != Some(true),
                    _ => cfg.get(k).is_none(),
                })
                .collect();
            let mut ev = ev_key(cfg, "hosts");
            for k in ["tlsverify", "tlscacert", "tlscert", "tlskey"] {
                ev.extend(ev_key(cfg, k));
            }
            if missing.is_empty() {
                r(Outcome::Pass).ev(ev)
            } else {
                r(Outcome::Warn)
                    .why(format!(
                        "TCP listener {} without {}",
                        tcp.join(", "),
                        missing.join(", ")
                    ))
                    .ev(ev)
            }
        };
        out.push("2.7", res);
    } else {
        skip_cfg(out, "2.7");
    }
    // 2.8 default ulimits (manual).
    if cfg_known {
        out.push(
            "2.8",
            if cfg.get("default-ulimits").is_some() {
                r(Outcome::Pass).ev(ev_key(cfg, "default-ulimits"))
            } else {
                r(Outcome::Info).why("default-ulimits not set (the host's limits apply)")
            },
        );
    } else {
        skip_cfg(out, "2.8");
    }
    // 2.9 user namespaces.
    out.push(
        "2.9",
        if has_secopt("userns") {
            r(Outcome::Pass).ev(vec!["/info SecurityOptions: name=userns".into()])
        } else {
            r(Outcome::Warn)
                .why("user namespace remapping is off")
                .ev(vec![format!(
                    "/info SecurityOptions: {}",
                    secopts.join(" ")
                )])
        },
    );
    // 2.10 cgroup parent.
    if cfg_known {
        out.push(
            "2.10",
            match cfg.str("cgroup-parent") {
                Some(p) if !p.is_empty() => r(Outcome::Info)
                    .why(format!(
                        "default cgroup parent is `{p}`: confirm it is intended"
                    ))
                    .ev(ev_key(cfg, "cgroup-parent")),
                _ => r(Outcome::Pass),
            },
        );
    } else {
        skip_cfg(out, "2.10");
    }
    // 2.11 base device size.
    if cfg_known {
        let opts = cfg.list("storage-opts");
        out.push(
            "2.11",
            match opts.iter().find(|o| o.starts_with("dm.basesize")) {
                Some(o) => r(Outcome::Warn)
                    .why(format!("`{o}` set"))
                    .ev(ev_key(cfg, "storage-opts")),
                None => r(Outcome::Pass),
            },
        );
    } else {
        skip_cfg(out, "2.11");
    }
    // 2.12 authorization plugins.
    let authz = info.plugins.authorization.clone().unwrap_or_default();
    out.push(
        "2.12",
        if authz.is_empty() {
            r(Outcome::Warn)
                .why("no authorization plugin")
                .ev(vec!["/info Plugins.Authorization: none".into()])
        } else {
            r(Outcome::Pass).ev(vec![format!(
                "/info Plugins.Authorization: {}",
                authz.join(", ")
            )])
        },
    );
    // 2.13 centralised logging.
    out.push(
        "2.13",
        match info.logging_driver.as_str() {
            "json-file" | "local" | "none" | "" => r(Outcome::Warn)
                .why(format!(
                    "log driver `{}` keeps logs on the host only",
                    info.logging_driver
                ))
                .ev(vec![format!(
                    "/info LoggingDriver: {}",
                    info.logging_driver
                )]),
            d => r(Outcome::Pass).ev(vec![format!("/info LoggingDriver: {d}")]),
        },
    );
    // 2.14 no-new-privileges.
    if cfg_known {
        out.push(
            "2.14",
            if cfg.bool("no-new-privileges") == Some(true) {
                r(Outcome::Pass).ev(ev_key(cfg, "no-new-privileges"))
            } else {
                r(Outcome::Warn)
                    .why("no-new-privileges is not the default")
                    .ev(ev_key(cfg, "no-new-privileges"))
            },
        );
    } else {
        skip_cfg(out, "2.14");
    }
    // 2.15 live restore.
    out.push(
        "2.15",
        if info.live_restore_enabled {
            r(Outcome::Pass).ev(vec!["/info LiveRestoreEnabled: true".into()])
        } else {
            r(Outcome::Warn)
                .why("live restore is off")
                .ev(vec!["/info LiveRestoreEnabled: false".into()])
        },
    );
    // 2.16 userland proxy.
    if cfg_known {
        out.push(
            "2.16",
            if cfg.bool("userland-proxy") == Some(false) {
                r(Outcome::Pass).ev(ev_key(cfg, "userland-proxy"))
            } else {
                r(Outcome::Warn)
                    .why("the userland proxy is enabled (default)")
                    .ev(ev_key(cfg, "userland-proxy"))
            },
        );
    } else {
        skip_cfg(out, "2.16");
    }
    // 2.17 seccomp profile.
    let seccomp = secopts.iter().find(|o| o.contains("name=seccomp"));
    out.push(
        "2.17",
        match seccomp {
            None => r(Outcome::Warn).why("seccomp is not enabled"),
            Some(o) if o.contains("profile=unconfined") => r(Outcome::Warn)
                .why("daemon-wide seccomp profile is unconfined")
                .ev(vec![format!("/info SecurityOptions: {o}")]),
            Some(o) if o.contains("profile=default") || o.contains("profile=builtin") => {
                r(Outcome::Pass)
                    .why("Docker's default seccomp profile is applied daemon-wide")
                    .ev(vec![format!("/info SecurityOptions: {o}")])
            }
            Some(o) => r(Outcome::Pass).ev(vec![format!("/info SecurityOptions: {o}")]),
        },
    );
    // 2.18 experimental.
    out.push(
        "2.18",
        if info.experimental_build {
            r(Outcome::Warn).ev(vec!["/info ExperimentalBuild: true".into()])
        } else {
            r(Outcome::Pass).ev(vec!["/info ExperimentalBuild: false".into()])
        },
    );
}

// ---------------------------------------------------------------------------------------
// Section 3: daemon configuration files.

fn mode_str(m: u32) -> String {
    format!("{m:o}")
}

/// Owner check (`want_gid` None: root group) and mode check (no bits outside `max`).
#[allow(clippy::too_many_arguments)]
fn file_pair(
    out: &mut Out<'_>,
    fs: &HostFs,
    owner_id: &str,
    mode_id: &str,
    path: Option<&str>,
    what: &str,
    want_gid: Option<(u32, &str)>,
    max: u32,
) {
    let Some(path) = path else {
        out.push(owner_id, r(Outcome::Info).why(format!("{what} not found")));
        out.push(mode_id, r(Outcome::Info).why(format!("{what} not found")));
        return;
    };
    match fs.stat(path) {
        Probe::Found(st) => {
            let (gid, gname) = want_gid.unwrap_or((0, "root"));
            let ev = vec![format!(
                "{path}: owner {}:{} mode {}",
                st.uid,
                st.gid,
                mode_str(st.mode)
            )];
            out.push(
                owner_id,
                if st.uid == 0 && st.gid == gid {
                    r(Outcome::Pass).ev(ev.clone())
                } else {
                    r(Outcome::Warn)
                        .why(format!(
                            "{path} is owned by {}:{}, not root:{gname}",
                            st.uid, st.gid
                        ))
                        .ev(ev.clone())
                },
            );
            out.push(
                mode_id,
                if st.mode & !max == 0 {
                    r(Outcome::Pass).ev(ev)
                } else {
                    r(Outcome::Warn)
                        .why(format!(
                            "{path} has mode {}, more than {}",
                            mode_str(st.mode),
                            mode_str(max)
                        ))
                        .ev(ev)
                },
            );
        }
        Probe::Missing => {
            out.push(owner_id, r(Outcome::Info).why(format!("{path} not found")));
            out.push(mode_id, r(Outcome::Info).why(format!("{path} not found")));
        }
        Probe::Denied(why) => {
            out.push(owner_id, r(Outcome::Skip).why(why.clone()));
            out.push(mode_id, r(Outcome::Skip).why(why));
        }
    }
}

fn group_gid(fs: &HostFs, name: &str) -> Option<u32> {
    let Probe::Found(text) = fs.read("/etc/group") else {
        return None;
    };
    text.lines()
        .find(|l| l.split(':').next() == Some(name))
        .and_then(|l| l.split(':').nth(2))
        .and_then(|g| g.parse().ok())
}

/// Every file below host directory `dir` (one level of subdirectories, as certs.d is laid out).
fn files_below(fs: &HostFs, dir: &str) -> Probe<Vec<(String, Stat)>> {
    let names = match fs.list(dir) {
        Probe::Found(n) => n,
        Probe::Missing => return Probe::Missing,
        Probe::Denied(w) => return Probe::Denied(w),
    };
    let mut out = Vec::new();
    for n in names {
        let p = format!("{dir}/{n}");
        match fs.stat(&p) {
            Probe::Found(st) if st.dir => {
                if let Probe::Found(inner) = fs.list(&p) {
                    for f in inner {
                        let fp = format!("{p}/{f}");
                        if let Probe::Found(s) = fs.stat(&fp) {
                            out.push((fp, s));
                        }
                    }
                }
            }
            Probe::Found(st) => out.push((p, st)),
            Probe::Denied(w) => return Probe::Denied(w),
            Probe::Missing => {}
        }
    }
    Probe::Found(out)
}

fn section3(out: &mut Out<'_>, fs: Option<&HostFs>, cfg: &DaemonConfig) {
    let Some(fs) = fs else {
        let ids: Vec<&str> = catalog::CHECKS
            .iter()
            .map(|c| c.id)
            .filter(|id| id.starts_with("3."))
            .collect();
        out.skip_all(&ids, NO_ROOT);
        return;
    };
    let service = daemon::unit_path(fs, "docker.service");
    file_pair(
        out,
        fs,
        "3.1",
        "3.2",
        service.as_deref(),
        "docker.service",
        None,
        0o644,
    );
    let socket = daemon::unit_path(fs, "docker.socket");
    file_pair(
        out,
        fs,
        "3.3",
        "3.4",
        socket.as_deref(),
        "docker.socket",
        None,
        0o644,
    );
    file_pair(
        out,
        fs,
        "3.5",
        "3.6",
        Some("/etc/docker"),
        "/etc/docker",
        None,
        0o755,
    );
    // 3.7/3.8 registry certificates.
    match files_below(fs, "/etc/docker/certs.d") {
        Probe::Found(files) if !files.is_empty() => {
            let bad_owner: Vec<String> = files
                .iter()
                .filter(|(_, s)| s.uid != 0 || s.gid != 0)
                .map(|(p, s)| format!("{p}: owner {}:{}", s.uid, s.gid))
                .collect();
            let bad_mode: Vec<String> = files
                .iter()
                .filter(|(_, s)| s.mode & !0o444 != 0)
                .map(|(p, s)| format!("{p}: mode {}", mode_str(s.mode)))
                .collect();
            out.push(
                "3.7",
                if bad_owner.is_empty() {
                    r(Outcome::Pass).ev(vec![format!(
                        "{} files under /etc/docker/certs.d",
                        files.len()
                    )])
                } else {
                    r(Outcome::Warn)
                        .why("registry certificates not owned by root:root")
                        .ev(bad_owner)
                },
            );
            out.push(
                "3.8",
                if bad_mode.is_empty() {
                    r(Outcome::Pass).ev(vec![format!(
                        "{} files under /etc/docker/certs.d",
                        files.len()
                    )])
                } else {
                    r(Outcome::Warn)
                        .why("registry certificates more permissive than 444")
                        .ev(bad_mode)
                },
            );
        }
        Probe::Found(_) | Probe::Missing => {
            out.push(
                "3.7",
                r(Outcome::Info).why("no registry certificates (/etc/docker/certs.d)"),
            );
            out.push(
                "3.8",
                r(Outcome::Info).why("no registry certificates (/etc/docker/certs.d)"),
            );
        }
        Probe::Denied(why) => out.skip_all(&["3.7", "3.8"], &why),
    }
    for (key, owner_id, mode_id, max) in [
        ("tlscacert", "3.9", "3.10", 0o444),
        ("tlscert", "3.11", "3.12", 0o444),
        ("tlskey", "3.13", "3.14", 0o400),
    ] {
        match cfg.str(key) {
            Some(p) => file_pair(out, fs, owner_id, mode_id, Some(p), key, None, max),
            None => {
                out.push(
                    owner_id,
                    r(Outcome::Info).why(format!("{key} not configured")),
                );
                out.push(
                    mode_id,
                    r(Outcome::Info).why(format!("{key} not configured")),
                );
            }
        }
    }
    let docker_gid = group_gid(fs, "docker");
    file_pair(
        out,
        fs,
        "3.15",
        "3.16",
        Some("/var/run/docker.sock"),
        "docker.sock",
        Some((docker_gid.unwrap_or(u32::MAX), "docker")),
        0o660,
    );
    let file = cfg
        .str("config-file")
        .unwrap_or("/etc/docker/daemon.json")
        .to_string();
    file_pair(
        out,
        fs,
        "3.17",
        "3.18",
        Some(&file),
        "daemon.json",
        None,
        0o644,
    );
    file_pair(
        out,
        fs,
        "3.19",
        "3.20",
        Some("/etc/default/docker"),
        "/etc/default/docker",
        None,
        0o644,
    );
    file_pair(
        out,
        fs,
        "3.22",
        "3.21",
        Some("/etc/sysconfig/docker"),
        "/etc/sysconfig/docker",
        None,
        0o644,
    );
    file_pair(
        out,
        fs,
        "3.23",
        "3.24",
        Some("/run/containerd/containerd.sock"),
        "containerd.sock",
        None,
        0o660,
    );
    // Results of 3.21/3.22 come out in id order.
    if let (Some(a), Some(b)) = (
        out.results.iter().position(|x| x.id == "3.22"),
        out.results.iter().position(|x| x.id == "3.21"),
    ) {
        out.results.swap(a, b);
    }
}

// ---------------------------------------------------------------------------------------
// Section 4: images.

fn container_subject(c: &ContainerInspect) -> Subject {
    Subject {
        name: c.short_name().to_string(),
        id: c.id.clone(),
    }
}

fn section4(out: &mut Out<'_>, snap: &Snapshot) {
    // 4.1 runs in section 5's container loop (it is about running containers).
    for c in &snap.containers {
        let s = settings(&c.inspect);
        let v: Vec<String> = runtime::evaluate(&s)
            .into_iter()
            .filter(|v| v.rule == RuntimeRule::RootUser)
            .map(|v| format!("{} ({})", v.message, v.at))
            .collect();
        let mut res = if v.is_empty() {
            r(Outcome::Pass).ev(vec![format!("Config.User = {}", c.inspect.config.user)])
        } else {
            r(Outcome::Warn).why("the container runs as root").ev(v)
        };
        res.container = Some(container_subject(&c.inspect));
        res.config_rule = compose_rule(RuntimeRule::RootUser).map(str::to_string);
        out.push("4.1", res);
    }
    if snap.containers.is_empty() {
        out.push("4.1", r(Outcome::Info).why("no running containers"));
    }
    out.push("4.2", r(Outcome::Note).why("base image provenance is not visible in the engine; `bulwark config --trusted-registries` checks Dockerfiles"));
    out.push(
        "4.3",
        r(Outcome::Note).why("list packages with `bulwark sbom docker:IMAGE`"),
    );
    out.push(
        "4.4",
        r(Outcome::Note).why("scan images with `bulwark scan docker:IMAGE`"),
    );
    out.push(
        "4.5",
        match out.opts.content_trust.as_deref() {
            Some("1") => r(Outcome::Pass).ev(vec!["DOCKER_CONTENT_TRUST=1".into()]),
            Some(v) => r(Outcome::Warn)
                .why("content trust is off")
                .ev(vec![format!("DOCKER_CONTENT_TRUST={v}")]),
            None => r(Outcome::Warn)
                .why("content trust is off")
                .ev(vec!["DOCKER_CONTENT_TRUST not set".into()]),
        },
    );
    for img in &snap.images {
        let subject = Subject {
            name: image_name(img),
            id: img.summary.id.clone(),
        };
        let cfg = img.inspect.config.clone().unwrap_or_default();
        let hc = cfg
            .healthcheck
            .as_ref()
            .and_then(|h| h.test.clone())
            .unwrap_or_default();
        let mut res = match hc.first().map(String::as_str) {
            None => r(Outcome::Warn)
                .why("the image has no HEALTHCHECK")
                .ev(vec!["Config.Healthcheck: none".into()]),
            Some("NONE") => r(Outcome::Warn)
                .why("the image disables its health check")
                .ev(vec!["Config.Healthcheck.Test: [\"NONE\"]".into()]),
            Some(_) => {
                r(Outcome::Pass).ev(vec![format!("Config.Healthcheck.Test: {}", hc.join(" "))])
            }
        };
        res.image = Some(subject.clone());
        out.push("4.6", res);
        // 4.10 secrets in Env and in the build history.
        let mut secrets = Vec::new();
        for e in cfg.env.as_deref().unwrap_or(&[]) {
            let (k, v) = e.split_once('=').unwrap_or((e.as_str(), ""));
            if v.is_empty() || is_reference(v) {
                continue;
            }
            if secret_name(k) {
                secrets.push(format!("Config.Env: `{k}` has a literal value"));
            } else if let Some(what) = secret_value(v) {
                secrets.push(format!("Config.Env: `{k}` looks like a {what}"));
            }
        }
        for (i, h) in img.history.iter().enumerate() {
            for word in h.created_by.split_whitespace() {
                let Some((k, v)) = word.split_once('=') else {
                    continue;
                };
                let k = k.trim_start_matches("|1").trim_start_matches('-');
                let v = v.trim_matches(['"', '\'']);
                if v.is_empty() || is_reference(v) {
                    continue;
                }
                if secret_name(k) {
                    secrets.push(format!("history[{i}]: `{k}` set to a literal value"));
                } else if let Some(what) = secret_value(v) {
                    secrets.push(format!("history[{i}]: `{k}` looks like a {what}"));
                }
            }
        }
        let mut res = if secrets.is_empty() {
            r(Outcome::Pass)
        } else {
            r(Outcome::Warn)
                .why("secrets in the image's environment or build history")
                .ev(secrets)
        };
        res.image = Some(subject);
        out.push("4.10", res);
    }
    if snap.images.is_empty() {
        out.push("4.6", r(Outcome::Info).why("no images"));
        out.push("4.10", r(Outcome::Info).why("no images"));
    }
    // 4.7 and 4.9 from the build history (newest first; the oldest step is the base image's
    // own root filesystem, which is always an ADD, so it is left out as docker-bench does).
    for img in &snap.images {
        let subject = Subject {
            name: image_name(img),
            id: img.summary.id.clone(),
        };
        let steps: Vec<&str> = img.history.iter().map(|h| h.created_by.as_str()).collect();
        let own = steps.len().saturating_sub(1);
        let lone_update: Vec<String> = steps
            .iter()
            .filter(|s| {
                let l = s.to_ascii_lowercase();
                let update = [
                    "apt-get update",
                    "apt update",
                    "apk update",
                    "yum update",
                    "dnf update",
                    "zypper refresh",
                ]
                .iter()
                .any(|u| l.contains(u));
                let install = ["install", "apk add", "upgrade"]
                    .iter()
                    .any(|i| l.contains(i));
                update && !install
            })
            .map(|s| format!("history: {s}"))
            .collect();
        let mut res = if lone_update.is_empty() {
            r(Outcome::Pass)
        } else {
            r(Outcome::Info)
                .why("a package index update runs in a step of its own")
                .ev(lone_update)
        };
        res.image = Some(subject.clone());
        out.push("4.7", res);
        let adds: Vec<String> = steps
            .iter()
            .take(own)
            .filter(|s| s.contains("#(nop) ADD") || s.starts_with("ADD "))
            .map(|s| format!("history: {s}"))
            .collect();
        let mut res = if adds.is_empty() {
            r(Outcome::Pass)
        } else {
            r(Outcome::Info).why("ADD used where COPY may do").ev(adds)
        };
        res.image = Some(subject);
        out.push("4.9", res);
    }
    out.push(
        "4.8",
        r(Outcome::Note).why(
            "setuid/setgid files: list them with `bulwark inspect docker:IMAGE`; not walked here",
        ),
    );
    out.push(
        "4.11",
        r(Outcome::Note).why("package verification happens at build time"),
    );
    out.push(
        "4.12",
        r(Outcome::Note).why("signature verification happens at pull time"),
    );
    // Keep 4.x in id order: 4.6/4.10 pairs were pushed per image.
    sort_section(out, "4.");
}

/// Stable-sort the results of one section by check id (numerically), keeping the order
/// of results within a check.
fn sort_section(out: &mut Out<'_>, prefix: &str) {
    let key = |id: &str| -> Vec<u32> { id.split('.').filter_map(|p| p.parse().ok()).collect() };
    let start = out.results.iter().position(|x| x.id.starts_with(prefix));
    if let Some(start) = start {
        out.results[start..].sort_by_key(|x| key(&x.id));
    }
}

// ---------------------------------------------------------------------------------------
// Section 5: container runtime.

/// Map Engine inspect data to the shared runtime model; anchors are inspect field paths.
pub fn settings(c: &ContainerInspect) -> RuntimeSettings<String> {
    let h = &c.host_config;
    let mut s = RuntimeSettings::new("Name".to_string());
    let f = |p: &str| p.to_string();
    s.memory_limit = (h.memory > 0).then(|| f("HostConfig.Memory"));
    s.cpu_limit = (h.nano_cpus > 0
        || h.cpu_quota > 0
        || (h.cpu_shares != 0 && h.cpu_shares != 1024)
        || !h.cpuset_cpus.is_empty())
    .then(|| f("HostConfig.NanoCpus"));
    s.pids_limit = h
        .pids_limit
        .filter(|p| *p > 0)
        .map(|_| f("HostConfig.PidsLimit"));
    s.user = Some(at(c.config.user.clone(), f("Config.User")));
    s.privileged = Some(at(h.privileged, f("HostConfig.Privileged")));
    s.cap_add = h
        .cap_add
        .iter()
        .flatten()
        .map(|x| at(x.clone(), f("HostConfig.CapAdd")))
        .collect();
    s.cap_drop = h
        .cap_drop
        .iter()
        .flatten()
        .map(|x| at(x.clone(), f("HostConfig.CapDrop")))
        .collect();
    let mode = |v: &str, p: &str| Some(at(v.to_string(), p.to_string()));
    s.network_mode = mode(&h.network_mode, "HostConfig.NetworkMode");
    s.pid_mode = mode(&h.pid_mode, "HostConfig.PidMode");
    s.ipc_mode = mode(&h.ipc_mode, "HostConfig.IpcMode");
    s.uts_mode = mode(&h.uts_mode, "HostConfig.UTSMode");
    s.userns_mode = mode(&h.userns_mode, "HostConfig.UsernsMode");
    for (i, m) in c.mounts.iter().enumerate() {
        if m.kind == "bind" {
            s.mounts.push(Mount {
                source: m.source.clone(),
                propagation: Some(m.propagation.clone()).filter(|p| !p.is_empty()),
                at: format!("Mounts[{i}] {}:{}", m.source, m.destination),
            });
        }
    }
    s.security_opt = h
        .security_opt
        .iter()
        .flatten()
        .map(|x| at(x.clone(), f("HostConfig.SecurityOpt")))
        .collect();
    s.read_only = Some(at(h.readonly_rootfs, f("HostConfig.ReadonlyRootfs")));
    for (port, binds) in h.port_bindings.iter().flatten() {
        for b in binds.iter().flatten() {
            s.ports.push(Port {
                host_ip: Some(b.host_ip.clone()).filter(|x| !x.is_empty()),
                host_port: b.host_port.parse().ok(),
                at: format!(
                    "HostConfig.PortBindings {}:{}->{port}",
                    if b.host_ip.is_empty() {
                        "0.0.0.0"
                    } else {
                        &b.host_ip
                    },
                    b.host_port
                ),
            });
        }
    }
    s.devices = h
        .devices
        .iter()
        .flatten()
        .map(|d| at(d.path_on_host.clone(), f("HostConfig.Devices")))
        .collect();
    s
}

/// Which CIS check a runtime rule reports under in section 5 (None: not a section 5 WARN).
fn section5_check(rule: RuntimeRule) -> Option<&'static str> {
    use RuntimeRule::*;
    match rule {
        RootUser | CapabilitiesNotDropped | PrivilegedPortAllInterfaces => None,
        r => Some(r.cis_id()),
    }
}

const RUNTIME_CHECKS: &[&str] = &[
    "5.2", "5.4", "5.5", "5.6", "5.8", "5.10", "5.11", "5.12", "5.13", "5.14", "5.16", "5.17",
    "5.18", "5.20", "5.21", "5.22", "5.26", "5.29", "5.31", "5.32",
];

fn section5(out: &mut Out<'_>, snap: &Snapshot, cfg: &DaemonConfig) {
    let swarm = &snap.info.swarm.local_node_state;
    out.push(
        "5.1",
        if swarm == "active" || swarm == "locked" {
            r(Outcome::Warn)
                .why("swarm mode is enabled")
                .ev(vec![format!("/info Swarm.LocalNodeState: {swarm}")])
        } else {
            r(Outcome::Pass).ev(vec![format!("/info Swarm.LocalNodeState: {swarm}")])
        },
    );
    if snap.containers.is_empty() {
        for id in catalog::CHECKS
            .iter()
            .map(|c| c.id)
            .filter(|i| i.starts_with("5.") && *i != "5.1")
        {
            out.push(id, r(Outcome::Info).why("no running containers"));
        }
        return;
    }
    let daemon_nnp = cfg.bool("no-new-privileges") == Some(true);
    let lsm = |name: &str| {
        snap.info
            .security_options
            .iter()
            .any(|o| o.split(',').any(|p| p == format!("name={name}")))
    };
    let host = HostLsm {
        apparmor: lsm("apparmor"),
        selinux: lsm("selinux"),
    };
    for c in &snap.containers {
        container_checks(out, c, daemon_nnp, host, cfg);
    }
    out.push(
        "5.23",
        r(Outcome::Note).why(
            "`docker exec --privileged` leaves no trace in the Engine API; audit the daemon log",
        ),
    );
    out.push(
        "5.24",
        r(Outcome::Note).why(
            "`docker exec --user root` leaves no trace in the Engine API; audit the daemon log",
        ),
    );
    out.push(
        "5.28",
        r(Outcome::Note).why("whether images were pulled before `docker run` is not visible"),
    );
    sort_section(out, "5.");
}

/// Which Linux security modules the daemon uses (from `/info` SecurityOptions).
#[derive(Clone, Copy)]
struct HostLsm {
    apparmor: bool,
    selinux: bool,
}

fn container_checks(
    out: &mut Out<'_>,
    c: &Container,
    daemon_nnp: bool,
    host: HostLsm,
    cfg: &DaemonConfig,
) {
    let i = &c.inspect;
    let subject = container_subject(i);
    let s = settings(i);
    let violations = runtime::evaluate(&s);
    let mut found: std::collections::BTreeMap<&str, (Vec<String>, Option<RuntimeRule>)> =
        Default::default();
    for v in &violations {
        let Some(id) = section5_check(v.rule) else {
            continue;
        };
        let e = found.entry(id).or_default();
        e.0.push(format!("{} ({})", v.message, v.at));
        e.1.get_or_insert(v.rule);
    }
    let emit = |out: &mut Out<'_>, id: &str, mut res: R, rule: Option<RuntimeRule>| {
        res.container = Some(subject.clone());
        res.config_rule = rule.and_then(compose_rule).map(str::to_string);
        out.push(id, res);
    };
    for id in RUNTIME_CHECKS {
        let (ev, rule) = found.remove(id).unwrap_or_default();
        let res = match *id {
            "5.2" if !host.apparmor && ev.is_empty() => {
                r(Outcome::Info).why("AppArmor is not enabled on this host (not applicable)")
            }
            "5.2" => {
                let p = &i.app_armor_profile;
                if !ev.is_empty() || p.is_empty() || p == "unconfined" {
                    let mut ev = ev;
                    ev.push(format!(
                        "AppArmorProfile = {}",
                        if p.is_empty() { "(none)" } else { p }
                    ));
                    r(Outcome::Warn).why("no AppArmor profile").ev(ev)
                } else {
                    r(Outcome::Pass).ev(vec![format!("AppArmorProfile = {p}")])
                }
            }
            "5.18" if !ev.is_empty() => r(Outcome::Info)
                .why("host devices are mapped in: confirm each is needed")
                .ev(ev),
            "5.26" if !ev.is_empty() && daemon_nnp => {
                r(Outcome::Pass).ev(ev_key(cfg, "no-new-privileges"))
            }
            _ if !ev.is_empty() => r(Outcome::Warn).ev(ev),
            _ => r(Outcome::Pass),
        };
        emit(out, id, res, rule);
        if *id == "5.2" {
            // 5.3 SELinux: a `label` security option.
            let opts = i.host_config.security_opt.clone().unwrap_or_default();
            // `label=disable` (which Docker adds for --pid/--ipc host) turns labelling off.
            let res = match opts
                .iter()
                .find(|o| o.starts_with("label") && !o.ends_with("disable"))
            {
                Some(o) => r(Outcome::Pass).ev(vec![format!("HostConfig.SecurityOpt: {o}")]),
                None if !host.selinux => {
                    r(Outcome::Info).why("SELinux is not enabled in the daemon (not applicable)")
                }
                None => r(Outcome::Warn)
                    .why("no SELinux label options")
                    .ev(vec![format!(
                        "HostConfig.SecurityOpt: [{}]",
                        opts.join(", ")
                    )]),
            };
            emit(out, "5.3", res, None);
        }
    }
    // 5.7 sshd.
    let res = match &c.top {
        None => r(Outcome::Skip).why("process list not available"),
        Some(top) => {
            let col = top
                .titles
                .iter()
                .position(|t| t == "CMD" || t == "COMMAND")
                .unwrap_or(top.titles.len().saturating_sub(1));
            let sshd: Vec<String> = top
                .processes
                .iter()
                .flatten()
                .filter_map(|p| p.get(col))
                .filter(|cmd| {
                    cmd.split(|ch: char| ch.is_whitespace() || ch == '/' || ch == ':')
                        .any(|w| w == "sshd")
                })
                .cloned()
                .collect();
            if sshd.is_empty() {
                r(Outcome::Pass)
            } else {
                r(Outcome::Warn)
                    .why("sshd runs in the container")
                    .ev(sshd.into_iter().map(|p| format!("process: {p}")).collect())
            }
        }
    };
    emit(out, "5.7", res, None);
    // 5.9 published ports (manual): list them.
    let ports: Vec<String> = s.ports.iter().map(|p| p.at.clone()).collect();
    emit(
        out,
        "5.9",
        if ports.is_empty() {
            r(Outcome::Pass)
        } else {
            r(Outcome::Info)
                .why("confirm each published port is needed")
                .ev(ports)
        },
        None,
    );
    // 5.15 restart policy.
    let rp = &i.host_config.restart_policy;
    let res = match rp.name.as_str() {
        "always" | "unless-stopped" => {
            r(Outcome::Warn).why(format!("restart policy `{}` retries forever", rp.name))
        }
        "on-failure" if rp.maximum_retry_count > 5 || rp.maximum_retry_count <= 0 => {
            r(Outcome::Warn).why(format!(
                "on-failure with {} retries",
                rp.maximum_retry_count
            ))
        }
        _ => r(Outcome::Pass),
    }
    .ev(vec![format!(
        "HostConfig.RestartPolicy = {}:{}",
        if rp.name.is_empty() { "no" } else { &rp.name },
        rp.maximum_retry_count
    )]);
    emit(out, "5.15", res, None);
    // 5.19 ulimits (manual).
    let ul: Vec<String> = i
        .host_config
        .ulimits
        .iter()
        .flatten()
        .map(|u| format!("{}={}:{}", u.name, u.soft, u.hard))
        .collect();
    emit(
        out,
        "5.19",
        if ul.is_empty() {
            r(Outcome::Info).why("no per-container ulimits (daemon defaults apply)")
        } else {
            r(Outcome::Pass).ev(ul)
        },
        None,
    );
    // 5.25 cgroup parent.
    let cg = &i.host_config.cgroup_parent;
    emit(
        out,
        "5.25",
        if cg.is_empty() {
            r(Outcome::Pass)
        } else {
            r(Outcome::Warn)
                .why("non-default cgroup parent")
                .ev(vec![format!("HostConfig.CgroupParent = {cg}")])
        },
        None,
    );
    // 5.27 health.
    let res = match &i.state.health {
        Some(h) => r(Outcome::Pass).ev(vec![format!("State.Health.Status = {}", h.status)]),
        None => r(Outcome::Warn).why("no health check"),
    };
    emit(out, "5.27", res, None);
    // 5.30 default bridge (manual).
    let on_bridge = i
        .network_settings
        .networks
        .as_ref()
        .is_some_and(|n| n.contains_key("bridge"));
    emit(
        out,
        "5.30",
        if on_bridge {
            r(Outcome::Info)
                .why("attached to the default bridge docker0")
                .ev(vec!["NetworkSettings.Networks: bridge".into()])
        } else {
            r(Outcome::Pass)
        },
        None,
    );
}

// ---------------------------------------------------------------------------------------
// Sections 6 and 7.

fn section6(out: &mut Out<'_>, snap: &Snapshot) {
    let unused: Vec<String> = snap
        .images
        .iter()
        .filter(|i| !snap.used_images.contains(&i.summary.id))
        .map(image_name)
        .collect();
    out.push(
        "6.1",
        r(Outcome::Info)
            .why(format!(
                "{} images, {} not used by any container",
                snap.images.len(),
                unused.len()
            ))
            .ev(unused
                .into_iter()
                .take(50)
                .map(|n| format!("unused: {n}"))
                .collect()),
    );
    let info = &snap.info;
    out.push(
        "6.2",
        r(Outcome::Info).why(format!(
            "{} containers, {} running, {} stopped",
            info.containers, info.containers_running, info.containers_stopped
        )),
    );
}

fn section7(out: &mut Out<'_>, snap: &Snapshot) {
    let state = &snap.info.swarm.local_node_state;
    if state != "active" && state != "locked" {
        for id in ["7.1", "7.2", "7.3", "7.5"] {
            out.push(id, r(Outcome::Pass).why("swarm mode not enabled"));
        }
        for id in ["7.4", "7.6", "7.7", "7.8", "7.9"] {
            out.push(
                id,
                r(Outcome::Pass).why("swarm mode not enabled (nothing to do)"),
            );
        }
        return;
    }
    let Some(sw) = &snap.swarm else {
        out.skip_all(
            &["7.1", "7.2", "7.3", "7.5", "7.7"],
            "this node is not a swarm manager",
        );
        for id in ["7.4", "7.6", "7.8", "7.9"] {
            out.push(
                id,
                r(Outcome::Note).why("not checkable through the Engine API"),
            );
        }
        return;
    };
    let managers = snap
        .nodes
        .iter()
        .filter(|n| n.manager_status.is_some())
        .count();
    out.push(
        "7.1",
        if managers % 2 == 1 && managers <= 7 {
            r(Outcome::Pass).ev(vec![format!("{managers} managers")])
        } else {
            r(Outcome::Warn)
                .why(format!(
                    "{managers} managers: keep an odd number, at most 7"
                ))
                .ev(vec![format!("{managers} managers")])
        },
    );
    out.push(
        "7.2",
        r(Outcome::Note).why("listening addresses are not visible through the Engine API"),
    );
    let plain: Vec<String> = snap
        .networks
        .iter()
        .filter(|n| n.driver == "overlay" && n.name != "ingress")
        .filter(|n| {
            !n.options
                .as_ref()
                .is_some_and(|o| o.contains_key("encrypted"))
        })
        .map(|n| format!("overlay network `{}` is not encrypted", n.name))
        .collect();
    out.push(
        "7.3",
        if plain.is_empty() {
            r(Outcome::Pass)
        } else {
            r(Outcome::Warn).ev(plain)
        },
    );
    out.push(
        "7.4",
        r(Outcome::Note).why("use `docker secret`; not checkable automatically"),
    );
    out.push(
        "7.5",
        if sw.spec.encryption_config.auto_lock_managers {
            r(Outcome::Pass).ev(vec![
                "Swarm.Spec.EncryptionConfig.AutoLockManagers = true".into()
            ])
        } else {
            r(Outcome::Warn).why("auto-lock is off").ev(vec![
                "Swarm.Spec.EncryptionConfig.AutoLockManagers = false".into(),
            ])
        },
    );
    out.push(
        "7.6",
        r(Outcome::Note).why("key rotation is not recorded in the Engine API"),
    );
    let days = sw.spec.ca_config.node_cert_expiry / 1_000_000_000 / 86_400;
    out.push(
        "7.7",
        r(Outcome::Info).why(format!("node certificates expire after {days} days")),
    );
    out.push(
        "7.8",
        r(Outcome::Note).why("CA rotation is not recorded in the Engine API"),
    );
    out.push(
        "7.9",
        r(Outcome::Note).why("data path separation is not checkable automatically"),
    );
}
