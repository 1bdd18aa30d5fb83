//! Helpers shared by the `bulwark` CLI integration tests: where the repository and the demo
//! image are, running the binary, the optional-tool gate (`BULWARK_REQUIRE_TOOLS`) and the
//! all-ecosystems image fixture. Each test binary uses only some of them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The workspace root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Path of the demo image archive kept in the repository (no `docker-archive:` prefix).
pub fn demo() -> String {
    repo()
        .join("examples/demo/demo-image.tar")
        .display()
        .to_string()
}

/// Runs `bulwark args` in the test's own directory and environment: (exit code, stdout, stderr).
pub fn bulwark(args: &[&str]) -> (i32, String, String) {
    output(Command::new(env!("CARGO_BIN_EXE_bulwark")).args(args))
}

/// Runs `bulwark args` with `CI` unset (so the output does not depend on whether the tests run
/// in CI), in `dir` when given: (exit code, stdout, stderr).
pub fn bulwark_no_ci(dir: Option<&Path>, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bulwark"));
    cmd.args(args).env_remove("CI");
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    output(&mut cmd)
}

fn output(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("running bulwark");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether optional tools are required (CI sets `BULWARK_REQUIRE_TOOLS=1`): then a missing
/// tool fails the test instead of skipping it. Unset, empty or `0` means not required.
pub fn require_tools() -> bool {
    std::env::var_os("BULWARK_REQUIRE_TOOLS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Skips (printing why) or, when tools are required, fails the test.
pub fn skip(why: &str) {
    assert!(!require_tools(), "BULWARK_REQUIRE_TOOLS is set but {why}");
    eprintln!("skipping: {why}");
}

/// Whether `cmd args` runs and exits successfully.
pub fn tool_works(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether the tool `what` is there (`probe` runs and succeeds); if not, [`skip`]s.
pub fn have_tool(what: &str, probe: &mut Command) -> bool {
    let ok = probe.output().is_ok_and(|o| o.status.success());
    if !ok {
        skip(&format!("{what} is not installed"));
    }
    ok
}

/// Whether `python3` can import `module`; if not, [`skip`]s.
pub fn python_has(module: &str) -> bool {
    have_tool(
        &format!("python module {module}"),
        Command::new("python3").args(["-c", &format!("import {module}")]),
    )
}

/// The all-ecosystems image as `tests/images/build-all-ecosystems.sh` left it.
pub struct AllEcosystems {
    /// The docker archive the script wrote.
    pub tar: PathBuf,
    /// The Go toolchain version the image's Go binary was built with, without `go` (`1.19.8`).
    pub go_version: String,
}

/// The script that builds (or reuses) the all-ecosystems image.
pub fn all_ecosystems_script() -> PathBuf {
    repo().join("tests/images/build-all-ecosystems.sh")
}

/// Builds the all-ecosystems image (on `rootfs` when given, else the script's default) and
/// reads its facts; `Err` is the script's output when it fails.
pub fn build_all_ecosystems(rootfs: Option<&Path>) -> Result<AllEcosystems, Output> {
    let mut cmd = Command::new("bash");
    cmd.arg(all_ecosystems_script());
    if let Some(rootfs) = rootfs {
        cmd.env("BULWARK_DEBIAN_ROOTFS", rootfs);
    }
    let out = cmd.output().expect("run bash");
    if !out.status.success() {
        return Err(out);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .last()
        .expect("the script prints the tar path");
    let tar = PathBuf::from(line.trim_end_matches(" (cached)"));
    let facts: Value =
        serde_json::from_slice(&std::fs::read(format!("{}.facts.json", tar.display())).unwrap())
            .unwrap();
    let go_version = facts["go_version"]
        .as_str()
        .unwrap()
        .trim_start_matches("go")
        .to_string();
    Ok(AllEcosystems { tar, go_version })
}
