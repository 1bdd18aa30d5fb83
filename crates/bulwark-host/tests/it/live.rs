//! Containers on the machine's real engine, one per risky setting, and one hardened one,
//! from images built FROM scratch with Debian's busybox-static. `--privileged` is refused by
//! this sandbox's runtime, so privileged containers are tested on inspect data
//! (fixtures.rs); everything else runs for real.

use std::collections::BTreeMap;
use std::process::Command;

use bulwark_host::{Options, Outcome};

const P: &str = "bwt-host13";

fn docker(args: &[&str]) -> String {
    let o = Command::new("docker")
        .args(args)
        .output()
        .expect("docker runs");
    assert!(
        o.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Removes what the test created, even when it fails.
struct Cleanup(Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = Command::new("docker").args(["rm", "-f", name]).output();
        }
        let _ = Command::new("docker")
            .args(["network", "rm", &format!("{P}-net")])
            .output();
        for img in ["bb", "hard"] {
            let _ = Command::new("docker")
                .args(["rmi", "-f", &format!("{P}-{img}:1")])
                .output();
        }
    }
}

fn build_images() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::copy("/bin/busybox", d.join("busybox"))
        .expect("busybox-static is installed (/bin/busybox)");
    std::fs::write(
        d.join("sshd"),
        "#!/bin/sh\nwhile :; do /bin/busybox sleep 1000; done\n",
    )
    .expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(d.join("sshd"), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    std::fs::write(
        d.join("Dockerfile.bb"),
        "FROM scratch\nCOPY busybox /bin/busybox\nCOPY busybox /bin/sh\nCOPY sshd /usr/sbin/sshd\nENV DB_PASSWORD=hunter2hunter2\nENTRYPOINT [\"/bin/busybox\"]\nCMD [\"sleep\", \"3600\"]\n",
    )
    .expect("write");
    std::fs::write(
        d.join("Dockerfile.hard"),
        "FROM scratch\nCOPY busybox /bin/busybox\nUSER 1000:1000\nHEALTHCHECK --interval=5s CMD [\"/bin/busybox\", \"true\"]\nENTRYPOINT [\"/bin/busybox\"]\nCMD [\"sleep\", \"3600\"]\n",
    )
    .expect("write");
    let ctx = d.to_string_lossy().to_string();
    for img in ["bb", "hard"] {
        docker(&[
            "build",
            "-q",
            "-f",
            &format!("{ctx}/Dockerfile.{img}"),
            "-t",
            &format!("{P}-{img}:1"),
            &ctx,
        ]);
    }
}

/// (container suffix, extra `docker run` arguments, image, command)
fn cases() -> Vec<(
    &'static str,
    Vec<&'static str>,
    &'static str,
    Vec<&'static str>,
)> {
    vec![
        ("root", vec![], "bb", vec![]),
        ("hostnet", vec!["--network", "host"], "bb", vec![]),
        ("hostpid", vec!["--pid", "host"], "bb", vec![]),
        (
            "sock",
            vec!["-v", "/var/run/docker.sock:/var/run/docker.sock"],
            "bb",
            vec![],
        ),
        ("etc", vec!["-v", "/etc:/host-etc:ro"], "bb", vec![]),
        ("caps", vec!["--cap-add", "SYS_ADMIN"], "bb", vec![]),
        ("ports", vec!["-p", "989:80"], "bb", vec![]),
        ("sshd", vec!["--entrypoint", "/usr/sbin/sshd"], "bb", vec![]),
        (
            "hardened",
            vec![
                "--user",
                "1000:1000",
                "--read-only",
                "--memory",
                "64m",
                "--cpus",
                "0.5",
                "--pids-limit",
                "64",
                "--cap-drop",
                "ALL",
                "--security-opt",
                "no-new-privileges",
                "--restart",
                "on-failure:3",
                "--ulimit",
                "nofile=1024:1024",
                "--network",
                "bwt-host13-net",
                "-p",
                "127.0.0.1:0:8080",
            ],
            "hard",
            vec![],
        ),
    ]
}

/// Every per-container check, in report order.
const IDS: &[&str] = &[
    "4.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7", "5.8", "5.9", "5.10", "5.11", "5.12", "5.13",
    "5.14", "5.15", "5.16", "5.17", "5.18", "5.19", "5.20", "5.21", "5.22", "5.25", "5.26", "5.27",
    "5.29", "5.30", "5.31", "5.32",
];

/// What a plain `docker run IMAGE` gets on this engine (no AppArmor, no SELinux).
fn baseline() -> BTreeMap<&'static str, Outcome> {
    use Outcome::*;
    let mut m: BTreeMap<&str, Outcome> = IDS.iter().map(|id| (*id, Pass)).collect();
    for id in ["4.1", "5.11", "5.12", "5.13", "5.26", "5.27", "5.29"] {
        m.insert(id, Warn);
    }
    for id in ["5.2", "5.3", "5.19", "5.30"] {
        m.insert(id, Info);
    }
    m
}

fn expected(case: &str) -> BTreeMap<&'static str, Outcome> {
    use Outcome::*;
    let mut m = baseline();
    let set = |m: &mut BTreeMap<&'static str, Outcome>, changes: &[(&'static str, Outcome)]| {
        for (id, o) in changes {
            m.insert(id, *o);
        }
    };
    match case {
        "root" => {}
        "hostnet" => set(&mut m, &[("5.10", Warn), ("5.30", Pass)]),
        "hostpid" => set(&mut m, &[("5.16", Warn)]),
        "sock" => set(&mut m, &[("5.32", Warn)]),
        "etc" => set(&mut m, &[("5.6", Warn)]),
        "caps" => set(&mut m, &[("5.4", Warn)]),
        "ports" => set(&mut m, &[("5.8", Warn), ("5.9", Info), ("5.14", Warn)]),
        "sshd" => set(&mut m, &[("5.7", Warn)]),
        "hardened" => {
            m = IDS.iter().map(|id| (*id, Pass)).collect();
            set(&mut m, &[("5.2", Info), ("5.3", Info), ("5.9", Info)]);
        }
        other => panic!("no expectation for {other}"),
    }
    m
}

#[test]
fn live_engine_containers_get_exact_results() {
    if !crate::docker_available() {
        eprintln!("skipping: no docker engine");
        return;
    }
    // Leftovers of an interrupted run would make `docker run --name` fail.
    drop(Cleanup(
        cases().iter().map(|c| format!("{P}-{}", c.0)).collect(),
    ));
    let mut cleanup = Cleanup(Vec::new());
    build_images();
    docker(&["network", "create", &format!("{P}-net")]);
    let mut names = Vec::new();
    for (suffix, args, img, cmd) in cases() {
        let name = format!("{P}-{suffix}");
        cleanup.0.push(name.clone());
        let mut a = vec!["run", "-d", "--name", name.as_str()];
        if suffix == "hardened" {
            a.extend(["--health-interval", "2s"]);
        }
        a.extend(args.iter());
        let image = format!("{P}-{img}:1");
        a.push(&image);
        a.extend(cmd.iter());
        docker(&a);
        names.push(name);
    }
    let opts = Options {
        host_root: None,
        sections: vec![4, 5],
        checks: Vec::new(),
        containers: names.clone(),
        content_trust: None,
    };
    let client = bulwark_engine::Client::from_env().expect("endpoint");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let report = rt
        .block_on(bulwark_host::audit(&client, &opts))
        .expect("audit runs");

    for (suffix, ..) in cases() {
        let name = format!("{P}-{suffix}");
        let got: BTreeMap<&str, Outcome> = report
            .results
            .iter()
            .filter(|r| r.container.as_ref().is_some_and(|c| c.name == name))
            .map(|r| (r.id.as_str(), r.result))
            .collect();
        let want = expected(suffix);
        assert_eq!(got, want, "container {name}: results differ");
    }
    // Evidence names the setting: the socket mount and the added capability.
    let ev = |name: &str, id: &str| -> Vec<String> {
        report
            .results
            .iter()
            .find(|r| {
                r.id == id
                    && r.container
                        .as_ref()
                        .is_some_and(|c| c.name == format!("{P}-{name}"))
            })
            .map(|r| r.evidence.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        ev("sock", "5.32"),
        vec!["mounts the container runtime socket `/var/run/docker.sock` (Mounts[0] /var/run/docker.sock:/var/run/docker.sock)".to_string()]
    );
    assert_eq!(
        ev("caps", "5.4"),
        vec!["adds capability `CAP_SYS_ADMIN` (HostConfig.CapAdd)".to_string()]
    );
    assert_eq!(
        ev("ports", "5.8"),
        vec![
            "publishes privileged port 989 (HostConfig.PortBindings 0.0.0.0:989->80/tcp)"
                .to_string()
        ]
    );
    // Every container result names its container id, and Compose rule ids are linked.
    let sock = report
        .results
        .iter()
        .find(|r| {
            r.id == "5.32"
                && r.container
                    .as_ref()
                    .is_some_and(|c| c.name == format!("{P}-sock"))
        })
        .expect("5.32 result");
    assert_eq!(sock.config_rule.as_deref(), Some("BW-DC-012"));
    assert_eq!(sock.container.as_ref().map(|c| c.id.len()), Some(64));
    // Image checks on the two test images.
    let img = |tag: &str, id: &str| {
        report
            .results
            .iter()
            .find(|r| {
                r.id == id
                    && r.image
                        .as_ref()
                        .is_some_and(|i| i.name == format!("{P}-{tag}:1"))
            })
            .map(|r| r.result)
    };
    assert_eq!(img("bb", "4.6"), Some(Outcome::Warn));
    assert_eq!(img("bb", "4.10"), Some(Outcome::Warn));
    assert_eq!(img("hard", "4.6"), Some(Outcome::Pass));
    assert_eq!(img("hard", "4.10"), Some(Outcome::Pass));
    drop(cleanup);
}
