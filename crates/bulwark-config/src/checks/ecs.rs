//! Amazon ECS task definitions (JSON or YAML, as `aws ecs register-task-definition` takes
//! them): the shared runtime rules ([`crate::runtime`]) on every container definition.

use crate::node::{Node, Value};
use crate::runtime::{self, at, Mount, Port, RuntimeRule, RuntimeSettings};

use super::{is_reference, secret_name, secret_value, Ctx};

/// Where an ECS setting is: its node and its logical path.
pub type Anchor<'n> = (&'n Node, String);

/// Whether a document is an ECS task definition (a `containerDefinitions` list; the
/// `describe-task-definition` output wraps it in `taskDefinition`).
pub fn is_ecs(doc: &Node) -> bool {
    task(doc).is_some()
}

fn task(doc: &Node) -> Option<(&Node, &'static str)> {
    let has = |n: &Node| {
        n.get("containerDefinitions")
            .is_some_and(|c| matches!(c.value, Value::Seq(_)))
    };
    if has(doc) {
        return Some((doc, ""));
    }
    doc.get("taskDefinition")
        .filter(|t| has(t))
        .map(|t| (t, "taskDefinition."))
}

/// The ECS rule of a runtime rule (None: no ECS rule for it).
pub fn rule_id(rule: RuntimeRule) -> Option<&'static str> {
    use RuntimeRule::*;
    Some(match rule {
        MemoryLimit => "BW-ECS-001",
        RootUser => "BW-ECS-002",
        Privileged => "BW-ECS-003",
        DangerousCapability => "BW-ECS-004",
        CapabilitiesNotDropped => "BW-ECS-005",
        HostNetwork => "BW-ECS-006",
        HostPid => "BW-ECS-007",
        HostIpc => "BW-ECS-008",
        RuntimeSocket => "BW-ECS-009",
        SensitiveMount => "BW-ECS-010",
        NoNewPrivileges => "BW-ECS-011",
        WritableRootfs => "BW-ECS-012",
        SeccompUnconfined | AppArmorUnconfined => "BW-ECS-013",
        PrivilegedPortAllInterfaces => "BW-ECS-014",
        HostDevice => "BW-ECS-015",
        CpuLimit | PidsLimit | HostUts | HostUserns | SharedPropagation | PrivilegedPort
        | AllInterfaces => return None,
    })
}

/// Run every ECS check on one document.
pub fn check(doc: &Node, ctx: &mut Ctx<'_>) {
    let Some((t, prefix)) = task(doc) else { return };
    let family = t.get("family").and_then(Node::scalar).unwrap_or_default();
    // Host paths of the task's volumes, by name.
    let volumes: Vec<(String, String)> = t
        .get("volumes")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|v| {
            let name = v.get("name").and_then(Node::scalar)?;
            let src = v.at_path("host.sourcePath").and_then(Node::scalar)?;
            Some((name, src))
        })
        .collect();
    let task_mem = t.get("memory").is_some_and(|m| m.value != Value::Null);
    let task_mode = |field: &str, value: &str| {
        t.get(field)
            .filter(|n| n.scalar().as_deref() == Some(value))
            .map(|n| at("host".to_string(), (n, format!("{prefix}{field}"))))
    };
    for (i, c) in t
        .get("containerDefinitions")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let cp = format!("{prefix}containerDefinitions[{i}]");
        let name = c.get("name").and_then(Node::scalar).unwrap_or_default();
        let who = if family.is_empty() {
            format!("container `{name}`")
        } else {
            format!("container `{name}` of task `{family}`")
        };
        let p = |s: &str| format!("{cp}.{s}");
        let mut rs = RuntimeSettings::new((c, cp.clone()));
        rs.memory_limit = c
            .get("memory")
            .filter(|m| m.value != Value::Null)
            .map(|m| (m, p("memory")))
            .or_else(|| task_mem.then(|| (c, cp.clone())));
        rs.user = c.get("user").and_then(|u| {
            u.scalar()
                .filter(|s| !s.is_empty())
                .map(|s| at(s, (u, p("user"))))
        });
        rs.privileged = c
            .get("privileged")
            .map(|n| at(n.as_bool() == Some(true), (n, p("privileged"))));
        let caps = c.at_path("linuxParameters.capabilities");
        let list = |k: &str| -> Vec<runtime::At<String, Anchor<'_>>> {
            caps.and_then(|x| x.get(k))
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .map(|(j, n)| {
                    at(
                        n.scalar().unwrap_or_default(),
                        (n, format!("{cp}.linuxParameters.capabilities.{k}[{j}]")),
                    )
                })
                .collect()
        };
        rs.cap_add = list("add");
        rs.cap_drop = list("drop");
        rs.network_mode = task_mode("networkMode", "host");
        rs.pid_mode = task_mode("pidMode", "host");
        rs.ipc_mode = task_mode("ipcMode", "host");
        for (j, m) in c
            .get("mountPoints")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let vol = m
                .get("sourceVolume")
                .and_then(Node::scalar)
                .unwrap_or_default();
            if let Some((_, src)) = volumes.iter().find(|(n, _)| *n == vol) {
                rs.mounts.push(Mount {
                    source: src.clone(),
                    propagation: None,
                    at: (m, format!("{cp}.mountPoints[{j}]")),
                });
            }
        }
        rs.security_opt = c
            .get("dockerSecurityOptions")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(|(j, n)| {
                at(
                    n.scalar().unwrap_or_default(),
                    (n, format!("{cp}.dockerSecurityOptions[{j}]")),
                )
            })
            .collect();
        rs.security_opt_at = c
            .entry("dockerSecurityOptions")
            .map(|(k, _)| (k, p("dockerSecurityOptions")));
        rs.read_only = c
            .get("readonlyRootFilesystem")
            .map(|n| at(n.as_bool() == Some(true), (n, p("readonlyRootFilesystem"))));
        for (j, pm) in c
            .get("portMappings")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            // awsvpc and host modes publish the container port itself.
            let port = pm
                .get("hostPort")
                .or_else(|| pm.get("containerPort"))
                .and_then(Node::as_i64)
                .and_then(|n| u32::try_from(n).ok());
            rs.ports.push(Port {
                host_ip: None,
                host_port: port,
                at: (pm, format!("{cp}.portMappings[{j}]")),
            });
        }
        rs.devices = c
            .at_path("linuxParameters.devices")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(|(j, d)| {
                at(
                    d.get("hostPath").and_then(Node::scalar).unwrap_or_default(),
                    (d, format!("{cp}.linuxParameters.devices[{j}]")),
                )
            })
            .collect();
        for v in runtime::evaluate(&rs) {
            if let Some(id) = rule_id(v.rule) {
                ctx.at(id, format!("{who} {}", v.message), v.at.0, &v.at.1);
            }
        }
        for (j, e) in c
            .get("environment")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let k = e.get("name").and_then(Node::scalar).unwrap_or_default();
            let Some(vn) = e.get("value") else { continue };
            let v = vn.scalar().unwrap_or_default();
            if v.is_empty() || is_reference(&v) {
                continue;
            }
            let path = format!("{cp}.environment[{j}].value");
            if secret_name(&k) {
                ctx.at(
                    "BW-ECS-016",
                    format!("{who} sets `{k}` to a literal value"),
                    vn,
                    &path,
                );
            } else if let Some(what) = secret_value(&v) {
                ctx.at(
                    "BW-ECS-016",
                    format!("{who} sets `{k}` to a value that looks like a secret ({what})"),
                    vn,
                    &path,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::Ctx;

    #[test]
    fn task_definition_gets_the_runtime_rules() {
        let text = r#"{
  "family": "web",
  "networkMode": "host",
  "volumes": [{"name": "sock", "host": {"sourcePath": "/var/run/docker.sock"}}, {"name": "data", "host": {"sourcePath": "/srv/data"}}],
  "containerDefinitions": [
    {
      "name": "app",
      "image": "x:1",
      "privileged": true,
      "user": "0",
      "linuxParameters": {"capabilities": {"add": ["SYS_ADMIN", "NET_BIND_SERVICE"]}},
      "mountPoints": [{"sourceVolume": "sock", "containerPath": "/var/run/docker.sock"}, {"sourceVolume": "data", "containerPath": "/data"}],
      "portMappings": [{"containerPort": 80, "hostPort": 80}],
      "environment": [{"name": "DB_PASSWORD", "value": "hunter2hunter2"}, {"name": "MODE", "value": "prod"}]
    },
    {
      "name": "hardened",
      "image": "x:1",
      "memory": 256,
      "user": "1000:1000",
      "readonlyRootFilesystem": true,
      "dockerSecurityOptions": ["no-new-privileges"],
      "linuxParameters": {"capabilities": {"drop": ["ALL"]}}
    }
  ]
}"#;
        let docs = crate::yaml::parse_documents(text).expect("parses");
        assert!(super::is_ecs(&docs[0]));
        assert_eq!(
            crate::detect_kind(std::path::Path::new("task.json"), text, Some(&docs)),
            Some(crate::Kind::Ecs)
        );
        let mut ctx = Ctx::new("task.json", &[]);
        super::check(&docs[0], &mut ctx);
        let got: Vec<(String, String)> = ctx
            .findings
            .iter()
            .map(|f| (f.rule_id.clone(), f.message.clone()))
            .collect();
        let want: Vec<(&str, &str)> = vec![
            ("BW-ECS-001", "container `app` of task `web` has no memory limit"),
            ("BW-ECS-002", "container `app` of task `web` runs as `0`"),
            ("BW-ECS-003", "container `app` of task `web` is privileged"),
            ("BW-ECS-004", "container `app` of task `web` adds capability `SYS_ADMIN`"),
            ("BW-ECS-005", "container `app` of task `web` does not drop ALL capabilities"),
            ("BW-ECS-006", "container `app` of task `web` shares the host network namespace"),
            ("BW-ECS-009", "container `app` of task `web` mounts the container runtime socket `/var/run/docker.sock`"),
            ("BW-ECS-011", "container `app` of task `web` does not set no-new-privileges"),
            ("BW-ECS-012", "container `app` of task `web` has a writable root filesystem"),
            ("BW-ECS-014", "container `app` of task `web` publishes privileged port 80 on all interfaces"),
            ("BW-ECS-016", "container `app` of task `web` sets `DB_PASSWORD` to a literal value"),
            ("BW-ECS-006", "container `hardened` of task `web` shares the host network namespace"),
        ];
        let want: Vec<(String, String)> = want
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, want);
    }
}
