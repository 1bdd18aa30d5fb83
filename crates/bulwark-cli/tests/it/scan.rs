//! End-to-end checks of `bulwark scan` on the demo image kept in the repository, against a
//! database built (by the binary itself) from the advisories kept next to it
//! (`examples/demo/advisories`, provenance in `examples/demo/PROVENANCE.md`).
//!
//! The expected findings are the advisories' own statements about the demo's packages: every
//! PyPA advisory for django 3.2.0, jinja2 2.11.2, pyyaml 5.3 and requests 2.25.0 whose ranges
//! cover those versions, and the Debian tracker entries open for bookworm, reported once per
//! binary package built from the affected source package. `regex 1.7.3` is past its only
//! advisory's fix and must not appear.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{python_has, repo, require_tools};

fn demo() -> String {
    format!("docker-archive:{}", crate::common::demo())
}

/// `bulwark args` run from the repository root, with `CI` unset.
fn bulwark(args: &[&str]) -> (i32, String, String) {
    bulwark_in(&repo(), args)
}

fn bulwark_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    crate::common::bulwark_no_ci(Some(dir), args)
}

/// Scratch directory for this test process (kept until the process ends).
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("tempdir"))
        .path()
}

/// The demo database, built once per test process with `bulwark db build`.
fn db() -> String {
    static DB: OnceLock<String> = OnceLock::new();
    DB.get_or_init(|| {
        let adv = repo().join("examples/demo/advisories");
        let path = scratch().join("demo.sqlite");
        let (code, _, err) = bulwark(&[
            "-q",
            "db",
            "build",
            "--db",
            path.to_str().expect("utf-8 temp path"),
            "--source",
            &format!("osv:{}", adv.join("pypa").display()),
            "--source",
            &format!("rustsec:{}", adv.join("rustsec").display()),
            "--source",
            &format!(
                "debian-tracker:{}",
                adv.join("debian/tracker.json").display()
            ),
        ]);
        assert_eq!(code, 0, "db build failed: {err}");
        path.display().to_string()
    })
    .clone()
}

/// `bulwark scan` of the demo with the demo database and `extra` arguments.
fn scan(extra: &[&str]) -> (i32, String, String) {
    let db = db();
    let target = demo();
    let mut args = vec![
        "scan",
        target.as_str(),
        "--db",
        &db,
        "--max-db-age",
        "36500",
    ];
    args.extend_from_slice(extra);
    bulwark(&args)
}

fn scan_json(extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = scan(&args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("scan JSON")
}

/// One line per finding: what a person checks first.
fn finding_lines(report: &Value) -> Vec<String> {
    report["vulnerabilities"]
        .as_array()
        .expect("vulnerabilities")
        .iter()
        .map(|v| {
            let fixed: Vec<&str> = v["fixed_versions"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let supp = v["suppression"]["kind"].as_str().unwrap_or("-");
            format!(
                "{} {}@{} [{}] fixed={} {} {} layer={} supp={}",
                v["id"].as_str().unwrap_or("?"),
                v["package"]["name"].as_str().unwrap_or("?"),
                v["package"]["version"].as_str().unwrap_or("?"),
                v["package"]["kind"].as_str().unwrap_or("?"),
                fixed.join(","),
                v["status"].as_str().unwrap_or("?"),
                v["origin"].as_str().unwrap_or("?"),
                v["layer"]["index"],
                supp
            )
        })
        .collect()
}

#[test]
fn demo_scan_finds_exactly_the_advisories_that_apply() {
    let report = scan_json(&[]);
    assert_eq!(report["schema_version"], 1);
    insta::assert_snapshot!("demo_findings", finding_lines(&report).join("\n"));
    // Base/own split: the Debian findings come from the base layer, the Python ones from the
    // application layer the demo's Dockerfile added.
    let s = &report["summary"];
    assert_eq!(s["packages"], 133);
    assert_eq!(s["base"]["low"], 16);
    assert_eq!(s["own"]["unknown"], 29);
    assert_eq!(s["fixable"], 29);
    assert_eq!(s["suppressed"], 0);
    // The regex crate is past RUSTSEC-2022-0013's fix: no Rust finding at all.
    assert!(!finding_lines(&report).iter().any(|l| l.contains("[cargo]")));
    // Every finding names the layer that introduced its package and the instruction behind it.
    for v in report["vulnerabilities"].as_array().unwrap() {
        let layer = &v["layer"];
        // A classic `docker save` archive names layers by diff id (no compressed blob).
        assert!(layer["diff_id"].as_str().unwrap().starts_with("sha256:"));
        if v["origin"] == "own" {
            assert!(layer["created_by"].as_str().unwrap().contains("COPY"));
        }
    }
    let notices: Vec<&str> = report["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["code"].as_str())
        .collect();
    assert!(notices.contains(&"eol-release"), "{notices:?}");
}

#[test]
fn demo_table_golden() {
    let (code, out, err) = scan(&[]);
    assert_eq!(code, 0, "{err}");
    // The database's build time is the only moving part.
    let out: Vec<String> = out
        .lines()
        .map(|l| {
            if l.ends_with("[eol-release]") {
                // Its wording follows the calendar (standard support, then LTS, then none).
                "WARNING  [end-of-life notice] [eol-release]".to_string()
            } else if l.starts_with("Database") {
                "Database    [built at test time]".to_string()
            } else if l.starts_with("Target") {
                "Target      [demo image path]".to_string()
            } else {
                l.trim_end().to_string()
            }
        })
        .collect();
    insta::assert_snapshot!("demo_table", out.join("\n"));
}

#[test]
fn exit_code_follows_remaining_findings_and_severity() {
    let (code, _, err) = scan(&["-q", "--exit-code", "5"]);
    assert_eq!(code, 5, "{err}");
    // Nothing at or above HIGH is known in the demo's advisories (PyPA gives no severities, the
    // Debian entries are `unimportant`).
    let (code, out, err) = scan(&["-q", "--exit-code", "5", "--severity", "HIGH"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Total: 0"), "{out}");
    // 2 is the error code: refused.
    let (code, _, err) = scan(&["--exit-code", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("reserved for errors"), "{err}");
}

#[test]
fn missing_database_is_an_error_that_says_what_to_do() {
    let (code, _, err) = bulwark(&[
        "scan",
        &demo(),
        "--db",
        scratch().join("nope.sqlite").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("bulwark db update"), "{err}");
}

#[test]
fn filters_remove_findings() {
    let fixable = scan_json(&["--ignore-unfixed"]);
    assert_eq!(fixable["vulnerabilities"].as_array().unwrap().len(), 29);
    let os = scan_json(&["--pkg-types", "os"]);
    let kinds: Vec<&str> = os["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["package"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 16);
    assert!(kinds.iter().all(|k| *k == "deb"));
    let lib = scan_json(&["--pkg-types", "library", "--severity", "LOW"]);
    assert_eq!(lib["vulnerabilities"].as_array().unwrap().len(), 0);
}

#[test]
fn exceptions_and_vex_suppress_but_stay_visible() {
    let dir = scratch().join("exceptions");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(".bulwarkignore.yaml"),
        "ignores:\n\
         \x20 - id: CVE-2023-32681\n\
         \x20   package: requests\n\
         \x20   reason: no proxies with credentials\n\
         \x20   owner: team-web\n\
         \x20 - id: CVE-2011-3374\n\
         \x20   purl: pkg:deb/debian/apt\n\
         \x20   reason: accepted long ago\n\
         \x20   expires: 2020-01-31\n",
    )
    .unwrap();
    let vex = dir.join("pyyaml.openvex.json");
    std::fs::write(
        &vex,
        r#"{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.invalid/vex/demo-1",
  "author": "demo security team",
  "timestamp": "2026-11-01T00:00:00Z",
  "version": 1,
  "statements": [
    {
      "vulnerability": {"name": "CVE-2020-14343"},
      "products": [{"@id": "pkg:pypi/pyyaml@5.3"}],
      "status": "not_affected",
      "justification": "vulnerable_code_not_in_execute_path",
      "impact_statement": "the app only calls yaml.safe_load"
    }
  ]
}"#,
    )
    .unwrap();
    let (code, out, err) = bulwark_in(
        &dir,
        &[
            "scan",
            &demo(),
            "--db",
            &db(),
            "--max-db-age",
            "36500",
            "--format",
            "json",
            "--vex",
            vex.to_str().unwrap(),
            "--exit-code",
            "4",
        ],
    );
    assert_eq!(code, 4, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let suppressed: Vec<String> = finding_lines(&report)
        .into_iter()
        .filter(|l| !l.ends_with("supp=-"))
        .collect();
    assert_eq!(
        suppressed,
        [
            "CVE-2020-14343 pyyaml@5.3 [python] fixed=5.4 fixed own layer=1 supp=vex",
            "CVE-2023-32681 requests@2.25.0 [python] fixed=2.31.0 fixed own layer=1 supp=ignore-file",
        ]
    );
    let vuln = |id: &str| {
        report["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(vuln("CVE-2023-32681")["suppression"]["owner"], "team-web");
    assert!(vuln("CVE-2020-14343")["suppression"]["reason"]
        .as_str()
        .unwrap()
        .contains("vulnerable_code_not_in_execute_path"));
    assert_eq!(report["summary"]["suppressed"], 2);
    // The expired apt exception no longer suppresses, and says so.
    assert!(vuln("CVE-2011-3374")["suppression"].is_null());
    let expired: Vec<&Value> = report["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["code"] == "expired-exception")
        .collect();
    assert_eq!(expired.len(), 1, "{:?}", report["notices"]);
    assert!(err.contains("expired"), "notices go to stderr too: {err}");
}

#[test]
fn license_policy_findings_are_findings() {
    let policy = scratch().join("licenses.yaml");
    std::fs::write(
        &policy,
        "deny:\n  - category: strong-copyleft\nno_license: warn\n",
    )
    .unwrap();
    let report = scan_json(&["--license-policy", policy.to_str().unwrap()]);
    let licenses = report["licenses"].as_array().unwrap();
    // The demo's packages declare no licenses (no copyright files in the image, lockfiles
    // without license fields): every package is a `no_license` warning.
    assert_eq!(licenses.len(), 132);
    assert!(licenses
        .iter()
        .all(|l| l["verdict"] == "unknown" && l["rule"].as_str().unwrap().contains("no_license")));
    assert_eq!(report["summary"]["licenses"]["low"], 132);
}

#[test]
fn base_image_flag_overrides_the_annotation() {
    // Naming the image itself as its own base makes every layer a base layer.
    let report = scan_json(&["--base-image", &demo()]);
    assert_eq!(report["summary"]["own"]["unknown"], 0);
    assert_eq!(report["summary"]["base"]["unknown"], 29);
    assert_eq!(report["target"]["base_image"]["evidence"], "explicit");
}

#[test]
fn an_sbom_scans_like_the_image_it_describes() {
    let cdx = scratch().join("demo.cdx.json");
    let (code, _, err) = bulwark(&[
        "-q",
        "sbom",
        &demo(),
        "--format",
        "cyclonedx",
        "-o",
        cdx.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let from_image = scan_json(&[]);
    let db = db();
    let target = format!("sbom:{}", cdx.display());
    let (code, out, err) = bulwark(&[
        "scan",
        &target,
        "--db",
        &db,
        "--max-db-age",
        "36500",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let from_sbom: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(from_sbom["target"]["source"], "sbom");
    assert_eq!(finding_lines(&from_sbom), finding_lines(&from_image));
}

fn python(script: &str, arg: &Path) -> (bool, String) {
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(arg)
        .output()
        .expect("python3");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn every_format_passes_its_reference_validator() {
    let write = |format: &str, name: &str| {
        let path = scratch().join(name);
        let (code, _, err) = scan(&["-q", "--format", format, "-o", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{format}: {err}");
        path
    };
    // HTML: self-contained, every finding present.
    let html = std::fs::read_to_string(write("html", "demo.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    for id in ["CVE-2020-14343", "CVE-2011-3374", "CVE-2024-27351"] {
        assert!(html.contains(id), "{id} missing from the HTML report");
    }
    assert!(!html.contains("<script src="), "HTML must not load scripts");
    assert!(
        !html.contains("<link rel=\"stylesheet\""),
        "HTML must not load CSS"
    );

    let sarif = write("sarif", "demo.sarif");
    if python_has("jsonschema") {
        let schema = repo().join("crates/bulwark-report/tests/fixtures/sarif-schema-2.1.0.json");
        let script = format!(
            "import json,sys,jsonschema\n\
             s=json.load(open({schema:?}))\n\
             d=json.load(open(sys.argv[1]))\n\
             jsonschema.validate(d,s)\n\
             print(len(d['runs'][0]['results']))",
            schema = schema.display().to_string()
        );
        let (ok, out) = python(&script, &sarif);
        assert!(ok, "SARIF invalid: {out}");
        assert_eq!(out.trim(), "45");
    }
    let junit = write("junit", "demo.xml");
    if python_has("junitparser") {
        let (ok, out) = python(
            "import sys\nfrom junitparser import JUnitXml\n\
             x=JUnitXml.fromfile(sys.argv[1])\n\
             print(sum(1 for s in x for c in s for r in c.result if r._tag=='failure'))",
            &junit,
        );
        assert!(ok, "JUnit unreadable: {out}");
        assert!(out.trim().parse::<usize>().unwrap() > 0, "{out}");
    }
    let cdx = write("cyclonedx", "demo.cdx.json");
    if python_has("cyclonedx.validation.json") {
        let (ok, out) = python(
            "import sys\nfrom cyclonedx.validation.json import JsonStrictValidator\n\
             from cyclonedx.schema import SchemaVersion\n\
             e=JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\n\
             print(e or 'ok')\nsys.exit(1 if e else 0)",
            &cdx,
        );
        assert!(ok, "CycloneDX invalid: {out}");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&cdx).unwrap()).unwrap();
        assert_eq!(doc["vulnerabilities"].as_array().unwrap().len(), 45);
    }
    let spdx = write("spdx-json", "demo.spdx.json");
    let have_pyspdx = Command::new("pyspdxtools")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(have_pyspdx || !require_tools(), "pyspdxtools missing");
    if have_pyspdx {
        let out = Command::new("pyspdxtools")
            .arg("-i")
            .arg(&spdx)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "SPDX invalid: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Differential check of the Python findings against PyPA's own reading: Python `packaging`
/// evaluates the same advisories' OSV ranges for the demo's pins.
#[test]
fn python_findings_agree_with_packaging() {
    if !python_has("packaging") || !python_has("yaml") {
        return;
    }
    let script = r#"
import glob, os, sys, yaml
from packaging.version import Version
inst = {'django': '3.2.0', 'requests': '2.25.0', 'pyyaml': '5.3', 'jinja2': '2.11.2'}
hits = set()
for pkg, v in inst.items():
    v = Version(v)
    for f in glob.glob(os.path.join(sys.argv[1], pkg, '*.yaml')):
        d = yaml.safe_load(open(f))
        if d.get('withdrawn'):
            continue
        ids = [d['id']] + d.get('aliases', [])
        hit = False
        for a in d['affected']:
            hit = hit or str(v) in a.get('versions', [])
            for r in a.get('ranges', []):
                if r['type'] != 'ECOSYSTEM':
                    continue
                intro = None
                for e in r['events']:
                    if 'introduced' in e:
                        intro = Version(e['introduced'])
                    elif 'fixed' in e:
                        hit = hit or (intro is not None and intro <= v < Version(e['fixed']))
                        intro = None
                    elif 'last_affected' in e:
                        hit = hit or (intro is not None and intro <= v <= Version(e['last_affected']))
                        intro = None
                hit = hit or (intro is not None and intro <= v)
        if hit:
            cves = sorted(i for i in ids if i.startswith('CVE-'))
            hits.add(pkg + ' ' + (cves[0] if cves else d['id']))
print('\n'.join(sorted(hits)))
"#;
    let (ok, out) = python(script, &repo().join("examples/demo/advisories/pypa"));
    assert!(ok, "{out}");
    let expected: Vec<&str> = out.lines().collect();
    let report = scan_json(&["--pkg-types", "library"]);
    let mut ours: Vec<String> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{} {}",
                v["package"]["name"].as_str().unwrap(),
                v["id"].as_str().unwrap()
            )
        })
        .collect();
    ours.sort();
    assert_eq!(ours, expected);
    assert_eq!(ours.len(), 29);
}
