//! bulwark-host integration tests: the real engine (live.rs) and fixtures (fixtures.rs).

mod fixtures;
mod live;

/// Whether the Docker Engine answers; with BULWARK_REQUIRE_TOOLS=1 a missing engine fails.
pub fn docker_available() -> bool {
    let ok = std::process::Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok && std::env::var("BULWARK_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!("docker engine not available and BULWARK_REQUIRE_TOOLS=1");
    }
    ok
}
