//! Fixtures: a fake host root (daemon.json, dockerd command line, unit files, sockets, audit
//! rules, TLS files) and inspect data the sandbox cannot produce live (`--privileged`).

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use bulwark_engine::models::{ContainerInspect, IndexConfig, Info, RegistryConfig};
use bulwark_host::hostfs::HostFs;
use bulwark_host::snapshot::{Container, Snapshot};
use bulwark_host::{Options, Outcome};

fn write(root: &Path, p: &str, text: &str, mode: u32) {
    let path = root.join(p.trim_start_matches('/'));
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    std::fs::write(&path, text).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn fake_host() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = dir.path();
    write(
        r,
        "/etc/docker/daemon.json",
        r#"{
  "icc": false,
  "log-level": "debug",
  "insecure-registries": ["reg.example:5000"],
  "storage-opts": ["dm.basesize=20G"],
  "no-new-privileges": true,
  "userland-proxy": false,
  "tlscacert": "/etc/docker/tls/ca.pem",
  "tlscert": "/etc/docker/tls/cert.pem",
  "tlskey": "/etc/docker/tls/key.pem"
}
"#,
        0o644,
    );
    std::fs::set_permissions(r.join("etc/docker"), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    write(r, "/etc/docker/tls/ca.pem", "ca", 0o644);
    write(r, "/etc/docker/tls/cert.pem", "cert", 0o444);
    write(r, "/etc/docker/tls/key.pem", "key", 0o644);
    write(r, "/proc/4242/comm", "dockerd\n", 0o444);
    write(
        r,
        "/proc/4242/cmdline",
        "/usr/bin/dockerd\0-H\0tcp://0.0.0.0:2375\0-H\0fd://\0--iptables=false\0--cgroup-parent=/docker-custom\0",
        0o444,
    );
    write(
        r,
        "/proc/1/mountinfo",
        "25 1 8:2 / / rw - ext4 /dev/sda2 rw\n40 25 8:3 / /var/lib/docker rw - xfs /dev/sda3 rw\n",
        0o444,
    );
    write(
        r,
        "/etc/group",
        "root:x:0:\ndocker:x:998:alice,bob\n",
        0o644,
    );
    write(r, "/run/docker.sock", "", 0o666);
    std::os::unix::fs::symlink("/run", r.join("var/run")).ok();
    if !r.join("var/run").exists() {
        std::fs::create_dir_all(r.join("var")).expect("mkdir");
        std::os::unix::fs::symlink("/run", r.join("var/run")).expect("symlink");
    }
    write(
        r,
        "/lib/systemd/system/docker.service",
        "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n",
        0o644,
    );
    write(r, "/lib/systemd/system/docker.socket", "[Socket]\n", 0o664);
    write(
        r,
        "/etc/audit/rules.d/docker.rules",
        "-w /usr/bin/dockerd -k docker\n-w /etc/docker -k docker\n",
        0o640,
    );
    write(r, "/usr/bin/dockerd", "", 0o755);
    std::fs::create_dir_all(r.join("var/lib/docker")).expect("mkdir");
    dir
}

fn info() -> Info {
    let mut index = BTreeMap::new();
    index.insert(
        "reg.example:5000".to_string(),
        IndexConfig {
            name: "reg.example:5000".into(),
            secure: false,
            official: false,
        },
    );
    Info {
        name: "fixture".into(),
        server_version: "20.10.24".into(),
        driver: "overlay2".into(),
        docker_root_dir: "/var/lib/docker".into(),
        logging_driver: "syslog".into(),
        registry_config: Some(RegistryConfig {
            insecure_registry_cidrs: vec!["127.0.0.0/8".into()],
            index_configs: index,
        }),
        ..Info::default()
    }
}

fn results(report: &bulwark_host::HostReport, prefix: &str) -> Vec<(String, Outcome)> {
    report
        .results
        .iter()
        .filter(|r| r.id.starts_with(prefix))
        .map(|r| (r.id.clone(), r.result))
        .collect()
}

fn list(items: &[(&str, Outcome)]) -> Vec<(String, Outcome)> {
    items.iter().map(|(i, o)| (i.to_string(), *o)).collect()
}

#[test]
fn fake_host_root_daemon_and_file_checks() {
    use Outcome::*;
    let dir = fake_host();
    let fs = HostFs::new(dir.path());
    let snap = Snapshot {
        info: info(),
        ..Snapshot::default()
    };
    let opts = Options {
        sections: vec![1, 2, 3],
        ..Options::default()
    };
    let report = bulwark_host::evaluate(&snap, Some(&fs), &opts);
    assert_eq!(
        results(&report, "2."),
        list(&[
            ("2.1", Info),
            ("2.2", Pass),
            ("2.3", Warn),
            ("2.4", Warn),
            ("2.5", Warn),
            ("2.6", Pass),
            ("2.7", Warn),
            ("2.8", Info),
            ("2.9", Warn),
            ("2.10", Info),
            ("2.11", Warn),
            ("2.12", Warn),
            ("2.13", Pass),
            ("2.14", Pass),
            ("2.15", Warn),
            ("2.16", Pass),
            ("2.17", Warn),
            ("2.18", Pass),
        ])
    );
    let ev = |id: &str| {
        report
            .results
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.evidence.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        ev("2.3"),
        vec![r#"log-level = "debug" (/etc/docker/daemon.json:3)"#.to_string()]
    );
    assert_eq!(
        ev("2.4"),
        vec!["iptables = false (/proc/4242/cmdline)".to_string()]
    );
    assert_eq!(
        ev("2.7"),
        vec![
            r#"hosts = ["tcp://0.0.0.0:2375","fd://"] (/proc/4242/cmdline)"#.to_string(),
            "tlsverify not set (/proc/4242/cmdline, /etc/docker/daemon.json)".to_string(),
            r#"tlscacert = "/etc/docker/tls/ca.pem" (/etc/docker/daemon.json:8)"#.to_string(),
            r#"tlscert = "/etc/docker/tls/cert.pem" (/etc/docker/daemon.json:9)"#.to_string(),
            r#"tlskey = "/etc/docker/tls/key.pem" (/etc/docker/daemon.json:10)"#.to_string(),
        ]
    );
    // Owner checks pass only when the test runs as root (files are owned by whoever made them).
    let me_root = std::fs::metadata(dir.path())
        .map(|m| m.uid() == 0)
        .unwrap_or(false);
    let own = if me_root { Pass } else { Warn };
    assert_eq!(
        results(&report, "3."),
        list(&[
            ("3.1", own),
            ("3.2", Pass),
            ("3.3", own),
            ("3.4", Warn),
            ("3.5", own),
            ("3.6", Pass),
            ("3.7", Info),
            ("3.8", Info),
            ("3.9", own),
            ("3.10", Warn),
            ("3.11", own),
            ("3.12", Pass),
            ("3.13", own),
            ("3.14", Warn),
            ("3.15", Warn),
            ("3.16", Warn),
            ("3.17", own),
            ("3.18", Pass),
            ("3.19", Info),
            ("3.20", Info),
            ("3.21", Info),
            ("3.22", Info),
            ("3.23", Info),
            ("3.24", Info),
        ])
    );
    assert_eq!(
        results(&report, "1."),
        list(&[
            ("1.1.1", Pass),
            ("1.1.2", Info),
            ("1.1.3", Pass),
            ("1.1.4", Info),
            ("1.1.5", Warn),
            ("1.1.6", Pass),
            ("1.1.7", Warn),
            ("1.1.8", Info),
            ("1.1.9", Warn),
            ("1.1.10", Info),
            ("1.1.11", Warn),
            ("1.1.12", Info),
            ("1.1.13", Info),
            ("1.1.14", Info),
            ("1.1.15", Info),
            ("1.1.16", Info),
            ("1.1.17", Info),
            ("1.1.18", Info),
            ("1.2.1", Note),
            ("1.2.2", Info),
        ])
    );
    assert_eq!(
        ev("1.1.2"),
        vec!["/etc/group: docker:alice,bob".to_string()]
    );
}

#[test]
fn no_host_root_skips_file_checks() {
    let snap = Snapshot {
        info: info(),
        ..Snapshot::default()
    };
    let opts = Options {
        sections: vec![3],
        ..Options::default()
    };
    let report = bulwark_host::evaluate(&snap, None, &opts);
    assert_eq!(report.results.len(), 24);
    assert!(report.results.iter().all(|r| r.result == Outcome::Skip));
}

#[test]
fn privileged_container_on_inspect_data() {
    use Outcome::*;
    let text = include_str!("../fixtures/privileged.json");
    let inspect: ContainerInspect = serde_json::from_str(text).expect("fixture parses");
    let snap = Snapshot {
        info: info(),
        containers: vec![Container { inspect, top: None }],
        ..Snapshot::default()
    };
    let opts = Options {
        sections: vec![5],
        ..Options::default()
    };
    let report = bulwark_host::evaluate(&snap, None, &opts);
    let got: Vec<(String, Outcome)> = report
        .results
        .iter()
        .filter(|r| r.container.is_some())
        .map(|r| (r.id.clone(), r.result))
        .collect();
    assert_eq!(
        got,
        list(&[
            ("5.2", Info),
            ("5.3", Info),
            ("5.4", Pass),
            ("5.5", Warn),
            ("5.6", Warn),
            ("5.7", Skip),
            ("5.8", Pass),
            ("5.9", Pass),
            ("5.10", Pass),
            ("5.11", Warn),
            ("5.12", Warn),
            ("5.13", Warn),
            ("5.14", Pass),
            ("5.15", Warn),
            ("5.16", Pass),
            ("5.17", Warn),
            ("5.18", Info),
            ("5.19", Info),
            ("5.20", Warn),
            ("5.21", Warn),
            ("5.22", Warn),
            ("5.25", Warn),
            ("5.26", Warn),
            ("5.27", Warn),
            ("5.29", Warn),
            ("5.30", Info),
            ("5.31", Warn),
            ("5.32", Pass),
        ])
    );
    let priv5 = report.results.iter().find(|r| r.id == "5.5").expect("5.5");
    assert_eq!(
        priv5.evidence,
        vec!["is privileged (HostConfig.Privileged)".to_string()]
    );
    assert_eq!(priv5.config_rule.as_deref(), Some("BW-DC-005"));
    assert_eq!(
        priv5.container.as_ref().map(|c| c.name.as_str()),
        Some("priv")
    );
    // The same settings in a Compose file give the same rule ids.
    let compose = "services:\n  priv:\n    image: x:1@sha256:aa\n    privileged: true\n    volumes:\n      - /:/host:rshared\n      - /data\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("compose.yaml");
    std::fs::write(&f, compose).expect("write");
    let audit = bulwark_config::audit(&[f], &bulwark_config::Options::default()).expect("audit");
    let ids: Vec<&str> = audit
        .report
        .findings
        .iter()
        .map(|f| f.rule_id.as_str())
        .collect();
    assert!(ids.contains(&"BW-DC-005"), "{ids:?}");
    assert!(ids.contains(&"BW-DC-013"), "{ids:?}");
    // `- /data` is an anonymous volume: one host-path finding, for `/` only.
    assert_eq!(ids.iter().filter(|i| **i == "BW-DC-013").count(), 1);
}
