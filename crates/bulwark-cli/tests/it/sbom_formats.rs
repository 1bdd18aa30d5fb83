//! `bulwark sbom --format cyclonedx|spdx-json` on the demo image, checked by the reference
//! validators, and `sbom:FILE` targets read back to the same inventory.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{bulwark, demo, have_tool, repo};

const CDX_VALIDATE: &str = "import sys\n\
from cyclonedx.validation.json import JsonStrictValidator\n\
from cyclonedx.schema import SchemaVersion\n\
e = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\n\
print(repr(e) if e else 'VALID')\n\
sys.exit(1 if e else 0)";

fn validate_cyclonedx(path: &Path) {
    let out = Command::new("python3")
        .args(["-c", CDX_VALIDATE])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "CycloneDX validation failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn validate_spdx(path: &Path) {
    let out = Command::new("pyspdxtools")
        .arg("-i")
        .arg(path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !err.contains("invalid"),
        "SPDX validation failed: {}{err}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// (kind, name, version, purl) of the packages in `sbom --format json` output.
fn package_set(json: &str) -> BTreeSet<(String, String, String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            (s("kind"), s("name"), s("version"), s("purl"))
        })
        .collect()
}

/// Write the demo image's SBOM in `format` to a file in `dir`.
fn write_sbom(dir: &Path, format: &str) -> PathBuf {
    let path = dir.join(format!("demo.{format}.json"));
    let (code, out, err) = bulwark(&[
        "-q",
        "sbom",
        &demo(),
        "--format",
        format,
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    path
}

#[test]
fn demo_image_sboms_pass_the_reference_validators() {
    let dir = tempfile::tempdir().unwrap();
    let cdx = write_sbom(dir.path(), "cyclonedx");
    let spdx = write_sbom(dir.path(), "spdx-json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&cdx).unwrap()).unwrap();
    assert_eq!(v["specVersion"], "1.6");
    assert_eq!(v["metadata"]["component"]["type"], "container");
    assert_eq!(v["metadata"]["component"]["name"], "bulwark-demo/app:1");
    assert_eq!(
        v["metadata"]["component"]["version"],
        "sha256:89a379b7d13a1347e4ccb1567b5355c4789f5d9ccc2fba68b37b45158e32938b"
    );
    // 133 packages (88 deb, 32 npm with the project as the root component, 9 cargo, 4 python)
    // plus the operating system.
    let components = v["components"].as_array().unwrap();
    assert_eq!(components.len(), 134);
    let os: Vec<_> = components
        .iter()
        .filter(|c| c["type"] == "operating-system")
        .collect();
    assert_eq!(os.len(), 1);
    assert_eq!(os[0]["name"], "debian");
    assert_eq!(os[0]["version"], "12");
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(&spdx).unwrap()).unwrap();
    assert_eq!(s["spdxVersion"], "SPDX-2.3");
    // The image, the OS and the 133 packages.
    assert_eq!(s["packages"].as_array().unwrap().len(), 135);

    if have_tool(
        "cyclonedx-python-lib[json-validation] (pip)",
        Command::new("python3").args(["-c", "import cyclonedx.validation.json"]),
    ) {
        validate_cyclonedx(&cdx);
    }
    if have_tool(
        "spdx-tools (pip, pyspdxtools)",
        Command::new("pyspdxtools").arg("--help"),
    ) {
        validate_spdx(&spdx);
    }
}

#[test]
fn sbom_targets_read_back_to_the_image_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let (code, direct, err) = bulwark(&["-q", "sbom", "--format", "json", &demo()]);
    assert_eq!(code, 0, "{err}");
    let want = package_set(&direct);
    assert_eq!(want.len(), 133);
    for format in ["cyclonedx", "spdx-json"] {
        let file = write_sbom(dir.path(), format);
        let target = format!("sbom:{}", file.display());
        let (code, out, err) = bulwark(&["-q", "sbom", "--format", "json", &target]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(package_set(&out), want, "{format}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["image"]["source"], "sbom");
        assert_eq!(v["image"]["target"], target.as_str());
        assert_eq!(v["distro"]["id"], "debian");
        assert_eq!(v["distro"]["release"], "12");
    }
}

#[test]
fn sbom_files_convert_between_formats() {
    let dir = tempfile::tempdir().unwrap();
    let cdx = write_sbom(dir.path(), "cyclonedx");
    let spdx = dir.path().join("converted.spdx.json");
    let (code, _, err) = bulwark(&[
        "-q",
        "sbom",
        &format!("sbom:{}", cdx.display()),
        "--format",
        "spdx-json",
        "--output",
        spdx.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(&spdx).unwrap()).unwrap();
    assert_eq!(s["packages"].as_array().unwrap().len(), 135);
    // The layer facts survive CycloneDX -> SPDX.
    let bash = s["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "bash")
        .unwrap();
    assert!(bash["comment"]
        .as_str()
        .unwrap()
        .starts_with("bulwark:layer=0; bulwark:layer-digest=sha256:"));
    if have_tool(
        "spdx-tools (pip, pyspdxtools)",
        Command::new("pyspdxtools").arg("--help"),
    ) {
        validate_spdx(&spdx);
    }
}

#[test]
fn a_syft_sbom_is_a_target() {
    let fixture = repo().join("crates/bulwark-sbom/tests/data/syft/demo-image.syft.json");
    let target = format!("sbom:{}", fixture.display());
    let (code, out, err) = bulwark(&["-q", "sbom", &target]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(format!("Target: {target}").as_str()));
    assert_eq!(lines.next(), Some("OS:     Debian GNU/Linux 12 (bookworm)"));
    assert_eq!(lines.next(), Some("Packages: 88"));
    assert!(out.contains("\ndeb       bash "));
    // A missing file is an error naming it.
    let (code, _, err) = bulwark(&["-q", "sbom", "sbom:/nonexistent/x.json"]);
    assert_ne!(code, 0);
    assert!(err.contains("/nonexistent/x.json"), "{err}");
}
