//! bulwark-engine against the machine's real Docker Engine (skipped without one, failing with
//! BULWARK_REQUIRE_TOOLS=1), plus endpoint and TLS errors that need no engine.

mod tls;

use bulwark_engine::{Client, Endpoint, Error, TlsFiles};

fn engine() -> Option<Client> {
    let up = std::process::Command::new("docker")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !up {
        assert!(
            std::env::var("BULWARK_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "docker engine not available and BULWARK_REQUIRE_TOOLS=1"
        );
        eprintln!("skipping: no docker engine");
        return None;
    }
    Client::from_env().ok()
}

fn docker_format(args: &[&str]) -> String {
    let o = std::process::Command::new("docker")
        .args(args)
        .output()
        .expect("docker");
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[test]
fn reads_what_the_docker_cli_reads() {
    let Some(client) = engine() else { return };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        client.ping().await.expect("ping");
        let info = client.info().await.expect("info");
        assert_eq!(info.id, docker_format(&["info", "--format", "{{.ID}}"]));
        assert_eq!(
            info.driver,
            docker_format(&["info", "--format", "{{.Driver}}"])
        );
        let v = client.version().await.expect("version");
        assert_eq!(
            v.api_version,
            docker_format(&["version", "--format", "{{.Server.APIVersion}}"])
        );
        let nets = client.networks().await.expect("networks");
        assert!(nets
            .iter()
            .any(|n| n.name == "bridge" && n.driver == "bridge"));
        let images = client.images().await.expect("images");
        let cli_images = docker_format(&["images", "-q", "--no-trunc"]);
        for id in cli_images.lines() {
            assert!(images.iter().any(|i| i.id == id), "{id} missing");
        }
        // A missing object is an HTTP status error carrying the daemon's message.
        match client.inspect_container("bulwark-no-such-container").await {
            Err(Error::Status {
                status, message, ..
            }) => {
                assert_eq!(status, 404);
                assert!(message.contains("No such container"), "{message}");
            }
            other => panic!("expected a 404, got {other:?}"),
        }
    });
}

#[test]
fn connection_and_tls_errors_name_the_cause() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client =
        Client::new(Endpoint::parse("unix:///nonexistent/docker.sock", None).expect("parse"))
            .expect("client");
    let err = rt.block_on(client.ping()).expect_err("no socket");
    assert!(
        err.to_string()
            .starts_with("cannot connect to the Docker daemon at unix:///nonexistent/docker.sock"),
        "{err}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let files = TlsFiles::from_dir(dir.path());
    let err = files.client_config().expect_err("no ca.pem");
    assert!(err.to_string().contains("ca.pem"), "{err}");
    std::fs::write(dir.path().join("ca.pem"), "not a certificate").expect("write");
    let err = files.client_config().expect_err("no certificate in ca.pem");
    assert!(err.to_string().contains("no certificate"), "{err}");
}
