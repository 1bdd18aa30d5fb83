//! The daemon's effective configuration: `daemon.json` merged with the running dockerd's
//! command line (`/proc/<pid>/cmdline`), or with the `ExecStart` of its systemd unit when
//! the process is not visible. Keys use daemon.json names; each records where it came from.

use std::collections::BTreeMap;

use bulwark_config::node::{Node, Value};
use serde_json::Value as J;

use crate::hostfs::{HostFs, Probe};

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A key of the daemon configuration file, at a line.
    File {
        /// Host path of the file.
        path: String,
        /// 1-based line of the key.
        line: u32,
    },
    /// The running daemon's command line.
    Cmdline {
        /// Pid of dockerd.
        pid: u32,
    },
    /// `ExecStart` of a systemd unit.
    Unit {
        /// Host path of the unit file.
        path: String,
    },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File { path, line } => write!(f, "{path}:{line}"),
            Source::Cmdline { pid } => write!(f, "/proc/{pid}/cmdline"),
            Source::Unit { path } => write!(f, "{path} ExecStart"),
        }
    }
}

/// One effective setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The value as daemon.json would hold it.
    pub value: J,
    /// Where.
    pub source: Source,
}

impl Setting {
    /// `key = value (source)` for evidence.
    pub fn evidence(&self, key: &str) -> String {
        format!("{key} = {} ({})", self.value, self.source)
    }
}

/// The effective configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DaemonConfig {
    /// Settings by daemon.json key.
    pub settings: BTreeMap<String, Setting>,
    /// What was read (for evidence and reasons).
    pub read: Vec<String>,
    /// Files that could not be read, with why.
    pub problems: Vec<String>,
}

impl DaemonConfig {
    /// The setting `key`.
    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.settings.get(key)
    }

    /// Boolean value of `key`.
    pub fn bool(&self, key: &str) -> Option<bool> {
        match &self.get(key)?.value {
            J::Bool(b) => Some(*b),
            J::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// String value of `key`.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.get(key)?.value.as_str()
    }

    /// String items of list `key` (a single string counts as one item).
    pub fn list(&self, key: &str) -> Vec<String> {
        match self.get(key).map(|s| &s.value) {
            Some(J::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(J::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    }
}

/// dockerd flags and their daemon.json keys; `true` for boolean flags.
const FLAGS: &[(&str, &str, bool)] = &[
    ("icc", "icc", true),
    ("log-level", "log-level", false),
    ("l", "log-level", false),
    ("iptables", "iptables", true),
    ("insecure-registry", "insecure-registries", false),
    ("storage-driver", "storage-driver", false),
    ("s", "storage-driver", false),
    ("storage-opt", "storage-opts", false),
    ("tls", "tls", true),
    ("tlsverify", "tlsverify", true),
    ("tlscacert", "tlscacert", false),
    ("tlscert", "tlscert", false),
    ("tlskey", "tlskey", false),
    ("host", "hosts", false),
    ("H", "hosts", false),
    ("default-ulimit", "default-ulimits", false),
    ("userns-remap", "userns-remap", false),
    ("cgroup-parent", "cgroup-parent", false),
    ("authorization-plugin", "authorization-plugins", false),
    ("log-driver", "log-driver", false),
    ("log-opt", "log-opts", false),
    ("no-new-privileges", "no-new-privileges", true),
    ("live-restore", "live-restore", true),
    ("userland-proxy", "userland-proxy", true),
    ("seccomp-profile", "seccomp-profile", false),
    ("experimental", "experimental", true),
    ("config-file", "config-file", false),
    ("data-root", "data-root", false),
    ("containerd", "containerd", false),
    ("selinux-enabled", "selinux-enabled", true),
];

/// Keys that are lists in daemon.json (repeated flags accumulate).
const LIST_KEYS: &[&str] = &[
    "insecure-registries",
    "storage-opts",
    "hosts",
    "default-ulimits",
    "authorization-plugins",
    "log-opts",
];

/// Parse dockerd arguments (after the program name) into settings.
pub fn parse_args(args: &[String], source: &Source) -> BTreeMap<String, Setting> {
    let mut out: BTreeMap<String, Setting> = BTreeMap::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        let Some(flag) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
            continue;
        };
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (flag, None),
        };
        let Some(&(_, key, boolean)) = FLAGS.iter().find(|(f, _, _)| *f == name) else {
            continue;
        };
        let value = if boolean {
            J::Bool(inline.as_deref().map(|v| v != "false").unwrap_or(true))
        } else {
            let v = match inline {
                Some(v) => v,
                None => match args.get(i) {
                    Some(v) => {
                        i += 1;
                        v.clone()
                    }
                    None => continue,
                },
            };
            J::String(v)
        };
        if LIST_KEYS.contains(&key) {
            let entry = out.entry(key.to_string()).or_insert_with(|| Setting {
                value: J::Array(Vec::new()),
                source: source.clone(),
            });
            if let J::Array(a) = &mut entry.value {
                a.push(value);
            }
        } else {
            out.insert(
                key.to_string(),
                Setting {
                    value,
                    source: source.clone(),
                },
            );
        }
    }
    out
}

/// Split an `ExecStart=` line into words (double and single quotes honoured).
fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for ch in s.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(ch);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The pid and arguments of the running dockerd, from the host's `/proc`.
pub fn find_dockerd(fs: &HostFs) -> Option<(u32, Vec<String>)> {
    let Probe::Found(names) = fs.list("/proc") else {
        return None;
    };
    let mut pids: Vec<u32> = names.iter().filter_map(|n| n.parse().ok()).collect();
    pids.sort_unstable();
    for pid in pids {
        let Probe::Found(comm) = fs.read(&format!("/proc/{pid}/comm")) else {
            continue;
        };
        if comm.trim() != "dockerd" {
            continue;
        }
        let Probe::Found(cmd) = fs.read(&format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmd
            .split('\0')
            .filter(|s| !s.is_empty())
            .skip(1)
            .map(str::to_string)
            .collect();
        return Some((pid, args));
    }
    None
}

/// Unit directories searched, most specific first.
pub const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
];

/// The host path of systemd unit `name`, if any.
pub fn unit_path(fs: &HostFs, name: &str) -> Option<String> {
    UNIT_DIRS
        .iter()
        .map(|d| format!("{d}/{name}"))
        .find(|p| matches!(fs.stat(p), Probe::Found(_)))
}

/// The `ExecStart` arguments of docker.service (drop-ins override the unit's last non-empty
/// `ExecStart`), with the file they came from.
fn unit_args(fs: &HostFs) -> Option<(String, Vec<String>)> {
    let mut files: Vec<String> = unit_path(fs, "docker.service").into_iter().collect();
    for d in UNIT_DIRS {
        let dir = format!("{d}/docker.service.d");
        if let Probe::Found(names) = fs.list(&dir) {
            files.extend(
                names
                    .into_iter()
                    .filter(|n| n.ends_with(".conf"))
                    .map(|n| format!("{dir}/{n}")),
            );
        }
    }
    let mut found = None;
    for f in files {
        let Probe::Found(text) = fs.read(&f) else {
            continue;
        };
        // Join continuation lines first.
        let joined = text.replace("\\\n", " ");
        for line in joined.lines() {
            if let Some(v) = line.trim().strip_prefix("ExecStart=") {
                let words = split_words(v.trim_start_matches(['-', '@', '+', '!', ':']));
                if words.is_empty() {
                    found = None;
                } else {
                    found = Some((f.clone(), words.into_iter().skip(1).collect()));
                }
            }
        }
    }
    found
}

/// Read daemon.json (at `path`) into settings keyed by top-level key, with lines.
pub fn parse_file(text: &str, path: &str) -> Result<BTreeMap<String, Setting>, String> {
    let docs = bulwark_config::yaml::parse_documents(text).map_err(|e| format!("{path}: {e}"))?;
    let mut out = BTreeMap::new();
    let Some(doc) = docs.first() else {
        return Ok(out);
    };
    if let Value::Map(entries) = &doc.value {
        for (k, v) in entries {
            let Some(key) = k.scalar() else { continue };
            out.insert(
                key,
                Setting {
                    value: Node::to_json(v),
                    source: Source::File {
                        path: path.to_string(),
                        line: k.span.start.line,
                    },
                },
            );
        }
    }
    Ok(out)
}

/// The effective configuration of the daemon on the host behind `fs`.
pub fn effective(fs: &HostFs) -> DaemonConfig {
    let mut cfg = DaemonConfig::default();
    let (args, source) = match find_dockerd(fs) {
        Some((pid, args)) => (args, Some(Source::Cmdline { pid })),
        None => match unit_args(fs) {
            Some((path, args)) => (args, Some(Source::Unit { path })),
            None => (Vec::new(), None),
        },
    };
    let flags = match &source {
        Some(src) => {
            cfg.read.push(src.to_string());
            parse_args(&args, src)
        }
        None => BTreeMap::new(),
    };
    let file = flags
        .get("config-file")
        .and_then(|s| s.value.as_str().map(str::to_string))
        .unwrap_or_else(|| "/etc/docker/daemon.json".to_string());
    match fs.read(&file) {
        Probe::Found(text) => match parse_file(&text, &file) {
            Ok(s) => {
                cfg.read.push(file.clone());
                cfg.settings = s;
            }
            Err(e) => cfg.problems.push(e),
        },
        Probe::Missing => {}
        Probe::Denied(why) => cfg.problems.push(why),
    }
    // dockerd refuses to start when a key is both a flag and in the file; flags win here.
    cfg.settings.extend(flags);
    cfg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_map_to_keys() {
        let args: Vec<String> = [
            "-H",
            "fd://",
            "--containerd=/run/containerd/containerd.sock",
            "--icc=false",
            "--insecure-registry",
            "reg:5000",
            "--insecure-registry=other:5000",
            "--live-restore",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let s = parse_args(&args, &Source::Cmdline { pid: 7 });
        assert_eq!(s["icc"].value, J::Bool(false));
        assert_eq!(s["live-restore"].value, J::Bool(true));
        assert_eq!(
            s["insecure-registries"].value,
            serde_json::json!(["reg:5000", "other:5000"])
        );
        assert_eq!(s["hosts"].value, serde_json::json!(["fd://"]));
    }

    #[test]
    fn exec_start_words() {
        assert_eq!(
            split_words(r#"/usr/bin/dockerd -H fd:// --log-opt "tag=a b""#),
            vec!["/usr/bin/dockerd", "-H", "fd://", "--log-opt", "tag=a b"]
        );
    }
}
