//! `bulwark scan` end to end on a real image built by the real Docker Engine: the debootstrap'd
//! Debian base plus own layers of Python, Node.js, Java, Rust, Go, Ruby, PHP and .NET packages
//! at known vulnerable versions (`tests/images/build-all-ecosystems.sh`), against a database
//! built from real advisories copied into `tests/data/advisories` (PyPA, RustSec, Go vulndb;
//! provenance in `tests/data/PROVENANCE.md`) and the demo's Debian tracker entries.
//!
//! Expected findings come from the ecosystems' own tools wherever one exists: Python
//! `packaging` over the PyPA ranges, `cargo audit` over the same RustSec advisories, and a
//! golden list (reviewed) for the Go standard library.
//!
//! The image needs docker, the rootfs and the build tools: without them the tests print why
//! and pass, unless `BULWARK_REQUIRE_TOOLS` is set: then they fail.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{python_has, repo, skip, tool_works};

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/advisories")
}

/// `bulwark args` with `CI` unset.
fn bulwark(args: &[&str]) -> (i32, String, String) {
    crate::common::bulwark_no_ci(None, args)
}

struct Fixture {
    _dir: tempfile::TempDir,
    /// `scan --format json` of the docker archive.
    report: Value,
    /// The Go toolchain version the image's Go binary was built with (`1.19.8`).
    go_version: String,
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(build).as_ref()
}

fn build() -> Option<Fixture> {
    if !tool_works("docker", &["info"]) {
        skip("the Docker Engine is not reachable");
        return None;
    }
    let crate::common::AllEcosystems { tar, go_version } =
        match crate::common::build_all_ecosystems(None) {
            Ok(image) => image,
            Err(out) => {
                skip(&format!(
                    "{} failed:\n{}",
                    crate::common::all_ecosystems_script().display(),
                    String::from_utf8_lossy(&out.stderr)
                ));
                return None;
            }
        };

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("image.sqlite");
    let tracker = repo().join("examples/demo/advisories/debian/tracker.json");
    let (code, _, err) = bulwark(&[
        "-q",
        "db",
        "build",
        "--db",
        db.to_str().unwrap(),
        "--source",
        &format!("osv:{}", data().join("pypa").display()),
        "--source",
        &format!("rustsec:{}", data().join("rustsec").display()),
        "--source",
        &format!("osv:{}", data().join("govulndb").display()),
        "--source",
        &format!("debian-tracker:{}", tracker.display()),
    ]);
    assert_eq!(code, 0, "db build: {err}");
    let (code, out, err) = bulwark(&[
        "scan",
        &format!("docker-archive:{}", tar.display()),
        "--db",
        db.to_str().unwrap(),
        "--max-db-age",
        "36500",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "scan: {err}");
    Some(Fixture {
        report: serde_json::from_str(&out).unwrap(),
        go_version,
        _dir: dir,
    })
}

fn vulns(report: &Value) -> &Vec<Value> {
    report["vulnerabilities"].as_array().unwrap()
}

/// Every id of a finding: its primary id and its aliases.
fn ids(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::from([v["id"].as_str().unwrap().to_string()]);
    for a in v["aliases"].as_array().into_iter().flatten() {
        out.insert(a.as_str().unwrap().to_string());
    }
    out
}

#[test]
fn python_findings_agree_with_packaging() {
    let Some(f) = fixture() else { return };
    if !python_has("packaging") || !python_has("yaml") {
        return;
    }
    let requirements = repo().join("tests/images/all-ecosystems/python/requirements.txt");
    let script = r#"
import glob, os, re, sys, yaml
from packaging.version import Version
from packaging.utils import canonicalize_name
pins = {}
for line in open(sys.argv[2]):
    m = re.match(r'^([A-Za-z0-9_.-]+)==(\S+)', line)
    if m:
        pins[canonicalize_name(m.group(1))] = m.group(2)
hits = set()
for pkg, ver in pins.items():
    v = Version(ver)
    for f in glob.glob(os.path.join(sys.argv[1], pkg, '*.yaml')):
        d = yaml.safe_load(open(f))
        if d.get('withdrawn'):
            continue
        hit = False
        for a in d['affected']:
            hit = hit or ver in a.get('versions', [])
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
            print(pkg, d['id'])
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(data().join("pypa"))
        .arg(&requirements)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // packaging names each advisory by its PyPA id; Bulwark merges aliases and names the
    // finding by its CVE: compare each expected (package, PYSEC id) with the finding that has it.
    let expected: BTreeSet<(String, String)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(p, id)| (p.to_string(), id.to_string()))
        .collect();
    assert!(expected.len() > 30, "too few expected: {expected:?}");
    let ours: Vec<&Value> = vulns(&f.report)
        .iter()
        .filter(|v| v["package"]["kind"] == "python")
        .collect();
    // The image holds the pins twice: installed (dist-info) and in the app's requirements.txt.
    // Each place must give exactly packaging's set.
    let site = "/usr/local/lib/python3.11/site-packages/";
    for in_place in [
        |p: &str| p.starts_with("/usr/local/lib/python3.11/site-packages/"),
        |p: &str| p == "/app/python/requirements.txt",
    ] {
        let here: Vec<&&Value> = ours
            .iter()
            .filter(|v| in_place(v["package"]["found_in"].as_str().unwrap()))
            .collect();
        let mut covered = BTreeSet::new();
        for (pkg, id) in &expected {
            let hit = here.iter().find(|v| {
                v["package"]["name"].as_str().unwrap().to_lowercase() == *pkg && ids(v).contains(id)
            });
            let Some(hit) = hit else {
                panic!("missing {pkg} {id}")
            };
            covered.insert((pkg.clone(), ids(hit)));
        }
        // ... and nothing more: every finding is one packaging expects.
        assert_eq!(covered.len(), here.len(), "extra Python findings");
    }
    assert_eq!(
        ours.len(),
        2 * ours
            .iter()
            .filter(|v| v["package"]["found_in"].as_str().unwrap().starts_with(site))
            .count()
    );
    for v in &ours {
        assert_eq!(v["origin"], "own");
        assert!(v["layer"]["created_by"].as_str().unwrap().contains("COPY"));
    }
}

#[test]
fn rust_findings_agree_with_cargo_audit() {
    let Some(f) = fixture() else { return };
    let lock = repo().join("tests/images/all-ecosystems/rust/Cargo.lock");
    let out = Command::new("cargo")
        .args(["audit", "--no-fetch", "--stale", "--json", "--db"])
        .arg(data().join("rustsec"))
        .arg("-f")
        .arg(&lock)
        .output();
    let Some(out) = out.ok().filter(|o| !o.stdout.is_empty()) else {
        skip("cargo-audit is not installed");
        return;
    };
    let audit: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "cargo audit output: {e}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let expected: BTreeSet<String> = audit["vulnerabilities"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["advisory"]["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!expected.is_empty());
    // The lockfile and the cargo-auditable binary built from it must both give cargo audit's set.
    let mut by_file: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for v in vulns(&f.report)
        .iter()
        .filter(|v| v["package"]["kind"] == "cargo")
    {
        let rustsec: Vec<String> = ids(v)
            .into_iter()
            .filter(|i| i.starts_with("RUSTSEC-"))
            .collect();
        by_file
            .entry(v["package"]["found_in"].as_str().unwrap().to_string())
            .or_default()
            .extend(rustsec);
    }
    assert_eq!(by_file.len(), 2, "{by_file:?}");
    for (file, got) in &by_file {
        assert_eq!(got, &expected, "{file}");
    }
}

#[test]
fn go_stdlib_findings_golden() {
    let Some(f) = fixture() else { return };
    let mut lines: Vec<String> = vulns(&f.report)
        .iter()
        .filter(|v| v["package"]["name"] == "stdlib")
        .map(|v| {
            assert_eq!(v["package"]["version"], f.go_version.as_str());
            let go_id = ids(v)
                .into_iter()
                .find(|i| i.starts_with("GO-"))
                .unwrap_or_default();
            format!(
                "{go_id} {} fixed={}",
                v["id"].as_str().unwrap(),
                v["fixed_versions"][0].as_str().unwrap_or("-")
            )
        })
        .collect();
    lines.sort();
    lines.dedup();
    // An independent reading of the same OSV records (Go's version order is simple enough to
    // state in a few lines of Python): the GO- ids must be the same set.
    if python_has("json") {
        let script = r#"
import glob, json, os, re, sys
def key(v):
    m = re.match(r'(\d+)\.(\d+)(?:\.(\d+))?(?:-?(rc|beta)(\d+))?', v)
    a, b, c, pre, n = m.groups()
    return (int(a), int(b), int(c or 0), 0 if pre else 1, int(n or 0))
v = key(sys.argv[2])
hits = set()
for f in glob.glob(os.path.join(sys.argv[1], '*.json')):
    d = json.load(open(f))
    if d.get('withdrawn'):
        continue
    for a in d['affected']:
        if a['package']['name'] != 'stdlib':
            continue
        for r in a.get('ranges', []):
            intro = None
            for e in r['events']:
                if 'introduced' in e:
                    intro = (0,) if e['introduced'] == '0' else key(e['introduced'])
                elif 'fixed' in e:
                    if intro is not None and intro <= v < key(e['fixed']):
                        hits.add(d['id'])
                    intro = None
            if intro is not None and intro <= v:
                hits.add(d['id'])
print('\n'.join(sorted(hits)))
"#;
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(data().join("govulndb"))
            .arg(&f.go_version)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(String::from)
            .collect();
        let ours: Vec<String> = lines
            .iter()
            .map(|l| l.split(' ').next().unwrap_or_default().to_string())
            .collect();
        assert_eq!(ours, expected);
    }
    // The golden list holds for the Go that Debian bookworm ships (1.19.8).
    if f.go_version != "1.19.8" {
        skip(&format!(
            "Go {} is not the golden list's 1.19.8",
            f.go_version
        ));
        return;
    }
    insta::assert_snapshot!("image_go_stdlib", lines.join("\n"));
}

#[test]
fn base_findings_come_from_the_base_layer_and_own_from_own_layers() {
    let Some(f) = fixture() else { return };
    let all = vulns(&f.report);
    let debian: Vec<&Value> = all
        .iter()
        .filter(|v| v["package"]["kind"] == "deb")
        .collect();
    // The demo tracker's `open` entries apply to whatever bookworm versions debootstrap gave.
    assert!(debian.len() >= 10, "{}", debian.len());
    for v in &debian {
        if v["package"]["name"] == "python3-six" {
            continue;
        }
        assert_eq!(v["origin"], "base", "{v}");
        assert_eq!(v["layer"]["index"], 0);
    }
    for v in all.iter().filter(|v| v["package"]["kind"] != "deb") {
        assert_eq!(v["origin"], "own", "{v}");
        assert!(v["layer"]["index"].as_u64().unwrap() > 0);
    }
    let s = &f.report["summary"];
    let total = |c: &Value| -> u64 {
        ["critical", "high", "medium", "low", "unknown"]
            .iter()
            .map(|k| c[k].as_u64().unwrap())
            .sum()
    };
    assert_eq!(total(&s["base"]), debian.len() as u64);
    assert_eq!(
        total(&s["own"]) + total(&s["base"]),
        total(&s["vulnerabilities"])
    );
}
