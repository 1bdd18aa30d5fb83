//! The container runtime rules, once: a typed model of how a container runs
//! ([`RuntimeSettings`]) and one evaluator ([`evaluate`]) that finds what is risky in it.
//!
//! Compose services ([`crate::checks::compose`]), live containers (the host audit maps Engine
//! inspect data, in `bulwark-host`) and other front ends fill in a [`RuntimeSettings`], each
//! field carrying an anchor `A` that says where the setting came from (a YAML node and path,
//! an inspect field); the evaluator returns [`Violation`]s with the anchor of the setting at
//! fault, and each front end turns them into its own findings. So a misconfiguration reads
//! the same in a file and on a host, and each rule maps to one CIS Docker Benchmark id
//! ([`RuntimeRule::cis_id`]).
//!
//! What it does not do: know file formats or rule ids of a front end, or judge images.

use crate::checks::{dangerous_cap, runtime_socket, sensitive_path};

/// A setting with the anchor of where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct At<T, A> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub at: A,
}

/// Convenience constructor for [`At`].
pub fn at<T, A>(value: T, at: A) -> At<T, A> {
    At { value, at }
}

/// A host path mounted into the container.
#[derive(Debug, Clone, PartialEq)]
pub struct Mount<A> {
    /// Host path (bind mounts only; named and anonymous volumes are not listed).
    pub source: String,
    /// Mount propagation (`shared`, `rshared`, `private`...), when known.
    pub propagation: Option<String>,
    /// Where it came from.
    pub at: A,
}

/// A published port.
#[derive(Debug, Clone, PartialEq)]
pub struct Port<A> {
    /// Host address bound (None or `0.0.0.0`/`::`: all interfaces).
    pub host_ip: Option<String>,
    /// First host port published (None: chosen at run time).
    pub host_port: Option<u32>,
    /// Where it came from.
    pub at: A,
}

/// How a container runs. `None`/empty means "not set" (the runtime's default).
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeSettings<A> {
    /// Anchor for findings about missing settings (the service or container itself).
    pub subject: A,
    /// Memory limit set.
    pub memory_limit: Option<A>,
    /// CPU limit (or weight) set.
    pub cpu_limit: Option<A>,
    /// PIDs limit set.
    pub pids_limit: Option<A>,
    /// User the process runs as (`uid[:gid]` or name), when known. Empty means root.
    pub user: Option<At<String, A>>,
    /// Privileged mode.
    pub privileged: Option<At<bool, A>>,
    /// Capabilities added.
    pub cap_add: Vec<At<String, A>>,
    /// Capabilities dropped.
    pub cap_drop: Vec<At<String, A>>,
    /// Network mode (`host` shares the host's).
    pub network_mode: Option<At<String, A>>,
    /// PID namespace mode.
    pub pid_mode: Option<At<String, A>>,
    /// IPC namespace mode.
    pub ipc_mode: Option<At<String, A>>,
    /// UTS namespace mode.
    pub uts_mode: Option<At<String, A>>,
    /// User namespace mode.
    pub userns_mode: Option<At<String, A>>,
    /// Host paths mounted.
    pub mounts: Vec<Mount<A>>,
    /// Security options (`no-new-privileges:true`, `seccomp=unconfined`...).
    pub security_opt: Vec<At<String, A>>,
    /// Where the security options are declared, when they are (anchor for "not set").
    pub security_opt_at: Option<A>,
    /// Read-only root filesystem.
    pub read_only: Option<At<bool, A>>,
    /// Published ports.
    pub ports: Vec<Port<A>>,
    /// Host devices mapped in.
    pub devices: Vec<At<String, A>>,
}

impl<A: Clone> RuntimeSettings<A> {
    /// Nothing set, findings about missing settings anchored at `subject`.
    pub fn new(subject: A) -> Self {
        RuntimeSettings {
            subject,
            memory_limit: None,
            cpu_limit: None,
            pids_limit: None,
            user: None,
            privileged: None,
            cap_add: Vec::new(),
            cap_drop: Vec::new(),
            network_mode: None,
            pid_mode: None,
            ipc_mode: None,
            uts_mode: None,
            userns_mode: None,
            mounts: Vec::new(),
            security_opt: Vec::new(),
            security_opt_at: None,
            read_only: None,
            ports: Vec::new(),
            devices: Vec::new(),
        }
    }
}

/// The runtime rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuntimeRule {
    /// No memory limit.
    MemoryLimit,
    /// No CPU limit.
    CpuLimit,
    /// No PIDs limit.
    PidsLimit,
    /// Runs as root.
    RootUser,
    /// Privileged.
    Privileged,
    /// A capability outside the safe baseline added.
    DangerousCapability,
    /// `ALL` capabilities not dropped.
    CapabilitiesNotDropped,
    /// Host network namespace.
    HostNetwork,
    /// Host PID namespace.
    HostPid,
    /// Host IPC namespace.
    HostIpc,
    /// Host UTS namespace.
    HostUts,
    /// Host user namespace.
    HostUserns,
    /// A container runtime socket mounted.
    RuntimeSocket,
    /// A sensitive host directory mounted.
    SensitiveMount,
    /// Mount propagation shared.
    SharedPropagation,
    /// no-new-privileges not set.
    NoNewPrivileges,
    /// Seccomp disabled.
    SeccompUnconfined,
    /// AppArmor disabled.
    AppArmorUnconfined,
    /// Root filesystem writable.
    WritableRootfs,
    /// A host port below 1024 published (any interface).
    PrivilegedPort,
    /// A port published on all host interfaces.
    AllInterfaces,
    /// A port below 1024 published on all interfaces (both of the above at once).
    PrivilegedPortAllInterfaces,
    /// A host device mapped in.
    HostDevice,
}

impl RuntimeRule {
    /// Every runtime rule.
    pub const ALL: &'static [RuntimeRule] = &[
        RuntimeRule::MemoryLimit,
        RuntimeRule::CpuLimit,
        RuntimeRule::PidsLimit,
        RuntimeRule::RootUser,
        RuntimeRule::Privileged,
        RuntimeRule::DangerousCapability,
        RuntimeRule::CapabilitiesNotDropped,
        RuntimeRule::HostNetwork,
        RuntimeRule::HostPid,
        RuntimeRule::HostIpc,
        RuntimeRule::HostUts,
        RuntimeRule::HostUserns,
        RuntimeRule::RuntimeSocket,
        RuntimeRule::SensitiveMount,
        RuntimeRule::SharedPropagation,
        RuntimeRule::NoNewPrivileges,
        RuntimeRule::SeccompUnconfined,
        RuntimeRule::AppArmorUnconfined,
        RuntimeRule::WritableRootfs,
        RuntimeRule::PrivilegedPort,
        RuntimeRule::AllInterfaces,
        RuntimeRule::PrivilegedPortAllInterfaces,
        RuntimeRule::HostDevice,
    ];

    /// The CIS Docker Benchmark v1.6.0 recommendation, as docker-bench-security numbers it.
    pub fn cis_id(self) -> &'static str {
        use RuntimeRule::*;
        match self {
            MemoryLimit => "5.11",
            CpuLimit => "5.12",
            PidsLimit => "5.29",
            RootUser => "4.1",
            Privileged => "5.5",
            DangerousCapability | CapabilitiesNotDropped => "5.4",
            HostNetwork => "5.10",
            HostPid => "5.16",
            HostIpc => "5.17",
            HostUts => "5.21",
            HostUserns => "5.31",
            RuntimeSocket => "5.32",
            SensitiveMount => "5.6",
            SharedPropagation => "5.20",
            NoNewPrivileges => "5.26",
            SeccompUnconfined => "5.22",
            AppArmorUnconfined => "5.2",
            WritableRootfs => "5.13",
            PrivilegedPort | PrivilegedPortAllInterfaces => "5.8",
            AllInterfaces => "5.14",
            HostDevice => "5.18",
        }
    }
}

/// One rule broken, with the anchor of the setting at fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation<A> {
    /// Which rule.
    pub rule: RuntimeRule,
    /// What is wrong, as a predicate for "service `x` ..." / "container `x` ..."
    /// (`is privileged`, `adds capability `SYS_ADMIN``).
    pub message: String,
    /// Where.
    pub at: A,
}

fn is_all_interfaces(ip: Option<&str>) -> bool {
    ip.is_none_or(|ip| ip == "0.0.0.0" || ip == "::" || ip == "[::]" || ip.is_empty())
}

/// Whether a security option turns no-new-privileges on.
pub fn is_no_new_privileges(opt: &str) -> bool {
    let s = opt.replace(' ', "");
    s == "no-new-privileges" || s == "no-new-privileges:true" || s == "no-new-privileges=true"
}

/// Evaluate every runtime rule. Violations come in the order of the fields above.
pub fn evaluate<A: Clone>(s: &RuntimeSettings<A>) -> Vec<Violation<A>> {
    use RuntimeRule::*;
    let mut out = Vec::new();
    let mut push = |rule, message: String, at: &A| {
        out.push(Violation {
            rule,
            message,
            at: at.clone(),
        })
    };
    if s.memory_limit.is_none() {
        push(MemoryLimit, "has no memory limit".into(), &s.subject);
    }
    if s.cpu_limit.is_none() {
        push(CpuLimit, "has no CPU limit".into(), &s.subject);
    }
    if s.pids_limit.is_none() {
        push(PidsLimit, "has no PIDs limit".into(), &s.subject);
    }
    if let Some(u) = &s.user {
        let first = u.value.split(':').next().unwrap_or("");
        if first.is_empty() || first == "root" || first == "0" {
            let shown = if u.value.is_empty() { "root" } else { &u.value };
            push(RootUser, format!("runs as `{shown}`"), &u.at);
        }
    }
    if let Some(p) = s.privileged.as_ref().filter(|p| p.value) {
        push(Privileged, "is privileged".into(), &p.at);
    }
    for c in &s.cap_add {
        if dangerous_cap(&c.value) {
            push(
                DangerousCapability,
                format!("adds capability `{}`", c.value),
                &c.at,
            );
        }
    }
    if !s
        .cap_drop
        .iter()
        .any(|c| c.value.eq_ignore_ascii_case("all"))
    {
        push(
            CapabilitiesNotDropped,
            "does not drop ALL capabilities".into(),
            &s.subject,
        );
    }
    for (field, rule, what) in [
        (&s.network_mode, HostNetwork, "network"),
        (&s.pid_mode, HostPid, "PID"),
        (&s.ipc_mode, HostIpc, "IPC"),
        (&s.uts_mode, HostUts, "UTS"),
        (&s.userns_mode, HostUserns, "user"),
    ] {
        if let Some(f) = field.as_ref().filter(|f| f.value == "host") {
            push(rule, format!("shares the host {what} namespace"), &f.at);
        }
    }
    for m in &s.mounts {
        if runtime_socket(&m.source) {
            push(
                RuntimeSocket,
                format!("mounts the container runtime socket `{}`", m.source),
                &m.at,
            );
        } else if sensitive_path(&m.source) {
            push(
                SensitiveMount,
                format!("mounts the host path `{}`", m.source),
                &m.at,
            );
        }
        if let Some(p) = m
            .propagation
            .as_deref()
            .filter(|p| *p == "shared" || *p == "rshared")
        {
            push(
                SharedPropagation,
                format!("mounts `{}` with `{p}` propagation", m.source),
                &m.at,
            );
        }
    }
    if !s
        .security_opt
        .iter()
        .any(|o| is_no_new_privileges(&o.value))
    {
        let at = s.security_opt_at.as_ref().unwrap_or(&s.subject);
        push(NoNewPrivileges, "does not set no-new-privileges".into(), at);
    }
    for o in &s.security_opt {
        let v = o.value.replace('=', ":");
        if v == "seccomp:unconfined" {
            push(SeccompUnconfined, format!("sets `{v}`"), &o.at);
        } else if v == "apparmor:unconfined" {
            push(AppArmorUnconfined, format!("sets `{v}`"), &o.at);
        }
    }
    match &s.read_only {
        Some(r) if r.value => {}
        Some(r) => push(
            WritableRootfs,
            "has a writable root filesystem".into(),
            &r.at,
        ),
        None => push(
            WritableRootfs,
            "has a writable root filesystem".into(),
            &s.subject,
        ),
    }
    for p in &s.ports {
        let all = is_all_interfaces(p.host_ip.as_deref());
        let privileged = p.host_port.filter(|n| *n > 0 && *n < 1024);
        if let Some(n) = privileged {
            push(
                PrivilegedPort,
                format!("publishes privileged port {n}"),
                &p.at,
            );
            if all {
                push(
                    PrivilegedPortAllInterfaces,
                    format!("publishes privileged port {n} on all interfaces"),
                    &p.at,
                );
            }
        }
        if all {
            let what = match p.host_port {
                Some(n) => format!("port {n}"),
                None => "a port".to_string(),
            };
            push(
                AllInterfaces,
                format!("publishes {what} on all interfaces"),
                &p.at,
            );
        }
    }
    for d in &s.devices {
        push(HostDevice, format!("maps host device `{}`", d.value), &d.at);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_rules_map_to_cis_ids() {
        use crate::catalogue::cis_docker;
        assert_eq!(cis_docker("BW-DC-005"), Some("5.5"));
        assert_eq!(cis_docker("BW-DC-012"), Some("5.32"));
        assert_eq!(cis_docker("BW-DC-016"), Some("5.22"));
        assert_eq!(cis_docker("BW-DC-021"), Some("5.8"));
        assert_eq!(cis_docker("BW-DC-017"), None);
    }

    #[test]
    fn hardened_settings_pass() {
        let mut s = RuntimeSettings::new("c");
        s.memory_limit = Some("m");
        s.cpu_limit = Some("c");
        s.pids_limit = Some("p");
        s.user = Some(at("1000:1000".to_string(), "u"));
        s.cap_drop = vec![at("ALL".to_string(), "d")];
        s.security_opt = vec![at("no-new-privileges:true".to_string(), "o")];
        s.read_only = Some(at(true, "r"));
        s.ports = vec![Port {
            host_ip: Some("127.0.0.1".into()),
            host_port: Some(8080),
            at: "p",
        }];
        assert_eq!(evaluate(&s), vec![]);
    }

    #[test]
    fn risky_settings_each_fire_once() {
        let mut s = RuntimeSettings::new("c");
        s.user = Some(at(String::new(), "u"));
        s.privileged = Some(at(true, "priv"));
        s.cap_add = vec![at("SYS_ADMIN".into(), "cap0"), at("CHOWN".into(), "cap1")];
        s.network_mode = Some(at("host".into(), "net"));
        s.mounts = vec![Mount {
            source: "/var/run/docker.sock".into(),
            propagation: Some("rshared".into()),
            at: "m0",
        }];
        s.security_opt = vec![at("seccomp=unconfined".into(), "o0")];
        s.ports = vec![Port {
            host_ip: None,
            host_port: Some(80),
            at: "p0",
        }];
        let got: Vec<(&str, &str, String)> = evaluate(&s)
            .into_iter()
            .map(|v| (v.rule.cis_id(), v.at, v.message))
            .collect();
        let want: Vec<(&str, &str, String)> = vec![
            ("5.11", "c", "has no memory limit".into()),
            ("5.12", "c", "has no CPU limit".into()),
            ("5.29", "c", "has no PIDs limit".into()),
            ("4.1", "u", "runs as `root`".into()),
            ("5.5", "priv", "is privileged".into()),
            ("5.4", "cap0", "adds capability `SYS_ADMIN`".into()),
            ("5.4", "c", "does not drop ALL capabilities".into()),
            ("5.10", "net", "shares the host network namespace".into()),
            (
                "5.32",
                "m0",
                "mounts the container runtime socket `/var/run/docker.sock`".into(),
            ),
            (
                "5.20",
                "m0",
                "mounts `/var/run/docker.sock` with `rshared` propagation".into(),
            ),
            ("5.26", "c", "does not set no-new-privileges".into()),
            ("5.22", "o0", "sets `seccomp:unconfined`".into()),
            ("5.13", "c", "has a writable root filesystem".into()),
            ("5.8", "p0", "publishes privileged port 80".into()),
            (
                "5.8",
                "p0",
                "publishes privileged port 80 on all interfaces".into(),
            ),
            ("5.14", "p0", "publishes port 80 on all interfaces".into()),
        ];
        assert_eq!(got, want);
    }
}
