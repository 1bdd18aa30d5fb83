//! Every fixture in `tests/fixtures` (copied from the shared corpus, see PROVENANCE.md) run
//! through the real cataloger path (`catalog_memory_files`) and compared with the peer's
//! assertions in its `*.expected.json`. Where we deliberately differ from the peer, the
//! difference is spelled out per case below (and in docs/inventory-languages.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use bulwark_catalog::{catalog_memory_files, CatalogSet, Inventory, Package, Relationship};
use bulwark_lang::{catalogers, normalize_license, pep503_normalize};
use serde_json::Value;

fn fixture(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

fn expected(rel: &str) -> Value {
    serde_json::from_slice(&fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn run(files: &[(&str, &[u8])]) -> Inventory {
    let set = CatalogSet::new(catalogers());
    catalog_memory_files(&set, files)
}

/// Differences from the peer allowed for one case.
#[derive(Default)]
struct Deviations {
    /// Compare names PEP 503-normalised (PyPI).
    pypi_names: bool,
    /// Packages we report that the peer drops: only if every one of them is `dev` (pnpm < 9:
    /// Trivy drops dev packages; we keep them, flagged).
    extra_dev_ok: bool,
    /// Expected depends_on overridden for these ids (name@version).
    deps_override: Vec<(&'static str, Vec<&'static str>)>,
    /// Expected licenses overridden for these names.
    licenses_override: Vec<(&'static str, Vec<&'static str>)>,
    /// The project's own packages (`name@version`): we report every project as the root
    /// component (docs/sbom.md), where the peer omits it or calls a workspace member direct.
    /// Exactly these are `Root`.
    roots: Vec<&'static str>,
}

fn relationship(s: &str) -> Option<Relationship> {
    match s {
        "Root" => Some(Relationship::Root),
        "Direct" => Some(Relationship::Direct),
        "Indirect" => Some(Relationship::Indirect),
        _ => None, // "Unknown": the file does not say.
    }
}

fn check(rel: &str, inv: &Inventory, dev: &Deviations) {
    let exp = expected(rel);
    assert!(
        inv.warnings.is_empty(),
        "{rel}: warnings {:?}",
        inv.warnings
    );
    let norm = |n: &str| {
        if dev.pypi_names {
            pep503_normalize(n)
        } else {
            n.to_string()
        }
    };
    let ours: BTreeMap<String, &Package> = inv
        .packages
        .iter()
        .map(|p| (format!("{}@{}", norm(&p.name), p.version), p))
        .collect();
    assert_eq!(ours.len(), inv.packages.len(), "{rel}: duplicate packages");
    let empty = Vec::new();
    let exp_pkgs = exp["packages"].as_array().unwrap_or(&empty);
    // Peer id -> our id.
    let mut idmap = BTreeMap::new();
    let mut want = BTreeSet::new();
    for e in exp_pkgs {
        let name = norm(e["name"].as_str().unwrap_or_default());
        let version = e["version"].as_str().unwrap_or_default();
        let id = format!("{name}@{version}");
        if let Some(pid) = e["id"].as_str() {
            idmap.insert(pid.to_string(), id.clone());
        }
        want.insert(id.clone());
        let p = ours
            .get(&id)
            .unwrap_or_else(|| panic!("{rel}: missing {id}; have {:?}", ours.keys()));
        if dev.roots.contains(&id.as_str()) {
            assert_eq!(
                p.relationship,
                Some(Relationship::Root),
                "{rel}: relationship of {id}"
            );
        } else if let Some(r) = e.get("relationship").and_then(Value::as_str) {
            assert_eq!(
                p.relationship,
                relationship(r),
                "{rel}: relationship of {id}"
            );
        }
        let dev_asserted = exp_pkgs.iter().any(|x| x.get("dev").is_some());
        if dev_asserted {
            let d = e.get("dev").and_then(Value::as_bool).unwrap_or(false);
            assert_eq!(p.dev, d, "{rel}: dev of {id}");
        }
        let lic_override = dev
            .licenses_override
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, l)| l.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        if let Some(l) = lic_override {
            assert_eq!(p.licenses, l, "{rel}: licenses of {id}");
        } else if let Some(l) = e.get("licenses").and_then(Value::as_array) {
            let l: Vec<String> = l
                .iter()
                .filter_map(Value::as_str)
                .map(normalize_license)
                .collect();
            assert_eq!(p.licenses, l, "{rel}: licenses of {id}");
        }
    }
    let roots: BTreeSet<&str> = ours
        .iter()
        .filter(|(_, p)| p.relationship == Some(Relationship::Root))
        .map(|(id, _)| id.as_str())
        .collect();
    let want_roots: BTreeSet<&str> = dev.roots.iter().copied().collect();
    let peer_roots: BTreeSet<&str> = exp_pkgs
        .iter()
        .filter(|e| e["relationship"].as_str() == Some("Root"))
        .filter_map(|e| e["id"].as_str())
        .collect();
    let mut all_roots = want_roots.clone();
    all_roots.extend(
        peer_roots
            .iter()
            .filter_map(|r| idmap.get(*r).map(String::as_str)),
    );
    assert_eq!(roots, all_roots, "{rel}: root components");
    for r in &dev.roots {
        want.insert(r.to_string());
    }
    let have: BTreeSet<String> = ours.keys().cloned().collect();
    let extra: Vec<&String> = have.difference(&want).collect();
    if dev.extra_dev_ok {
        for x in &extra {
            assert!(ours[*x].dev, "{rel}: extra non-dev package {x}");
        }
    } else {
        assert!(extra.is_empty(), "{rel}: unexpected packages {extra:?}");
    }
    let Some(deps) = exp.get("dependencies").and_then(Value::as_array) else {
        return;
    };
    let mut exp_deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in deps {
        let id = d["id"].as_str().unwrap_or_default();
        let id = idmap.get(id).cloned().unwrap_or_else(|| id.to_string());
        let on: Vec<String> = d["depends_on"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .filter_map(Value::as_str)
            .map(|x| idmap.get(x).cloned().unwrap_or_else(|| x.to_string()))
            .collect();
        exp_deps.insert(id, on);
    }
    for (id, on) in &dev.deps_override {
        exp_deps.insert(id.to_string(), on.iter().map(|s| s.to_string()).collect());
    }
    // A root component the peer does not list depends on what the peer calls direct.
    let peer_direct: Vec<String> = exp_pkgs
        .iter()
        .filter(|e| e["relationship"].as_str() == Some("Direct"))
        .map(|e| {
            format!(
                "{}@{}",
                norm(e["name"].as_str().unwrap_or_default()),
                e["version"].as_str().unwrap_or_default()
            )
        })
        .collect();
    for id in &want {
        let listed = exp_pkgs.iter().any(|e| {
            format!(
                "{}@{}",
                norm(e["name"].as_str().unwrap_or_default()),
                e["version"].as_str().unwrap_or_default()
            ) == *id
        });
        let overridden = dev.deps_override.iter().any(|(i, _)| i == id);
        let mut e = if !listed && !overridden && dev.roots.contains(&id.as_str()) {
            peer_direct.clone()
        } else {
            exp_deps.get(id).cloned().unwrap_or_default()
        };
        e.sort();
        let p = ours[id];
        let mut got: Vec<String> = p.depends_on.clone();
        if dev.pypi_names {
            got = got
                .iter()
                .map(|d| match d.rsplit_once('@') {
                    Some((n, v)) => format!("{}@{v}", pep503_normalize(n)),
                    None => d.clone(),
                })
                .collect();
        }
        got.sort();
        assert_eq!(got, e, "{rel}: depends_on of {id}");
    }
}

fn single(rel: &str, image_path: &str, dev: Deviations) -> Inventory {
    let data = fixture(rel);
    let inv = run(&[(image_path, &data)]);
    check(&format!("{rel}.expected.json"), &inv, &dev);
    for p in &inv.packages {
        assert_eq!(p.found_in, image_path);
        assert_eq!(p.layer, Some(0));
        assert!(p.purl.starts_with("pkg:"), "{}", p.purl);
    }
    inv
}

#[test]
fn cargo_lock_v1() {
    let inv = single(
        "cargo/normal/Cargo.lock",
        "/src/Cargo.lock",
        Deviations {
            roots: vec!["normal@0.1.0"],
            ..Deviations::default()
        },
    );
    let root = inv.packages.iter().find(|p| p.name == "normal");
    assert_eq!(root.and_then(|p| p.relationship), Some(Relationship::Root));
    let libc = inv.packages.iter().find(|p| p.name == "libc");
    assert_eq!(
        libc.and_then(|p| p.relationship),
        Some(Relationship::Direct)
    );
    assert_eq!(libc.map(|p| p.purl.as_str()), Some("pkg:cargo/libc@0.2.54"));
}

#[test]
fn cargo_lock_v3() {
    single(
        "cargo/v3/Cargo.lock",
        "/src/Cargo.lock",
        Deviations {
            roots: vec!["app@0.1.0"],
            ..Deviations::default()
        },
    );
}

#[test]
fn composer_lock() {
    let inv = single(
        "composer/happy/composer.lock",
        "/app/composer.lock",
        Deviations::default(),
    );
    assert!(inv
        .packages
        .iter()
        .any(|p| p.purl == "pkg:composer/guzzlehttp/guzzle@6.5.8"));
}

#[test]
fn gemfile_lock_bundler1() {
    single(
        "gem/bundler1/Gemfile.lock",
        "/app/Gemfile.lock",
        Deviations::default(),
    );
}

#[test]
fn gemfile_lock_bundler2() {
    single(
        "gem/bundler2/Gemfile.lock",
        "/app/Gemfile.lock",
        Deviations::default(),
    );
}

#[test]
fn gemspecs() {
    single(
        "gem/gemspec-multi-license/multiple_licenses.gemspec",
        "/usr/local/bundle/specifications/test-unit-3.3.7.gemspec",
        Deviations::default(),
    );
    single(
        "gem/gemspec-normal/normal00.gemspec",
        "/usr/local/lib/ruby/gems/3.0.0/specifications/rake-13.0.3.gemspec",
        Deviations::default(),
    );
}

#[test]
fn go_mod() {
    let inv = single(
        "go/gomod-normal/go.mod",
        "/src/go.mod",
        Deviations::default(),
    );
    let std = inv.packages.iter().find(|p| p.name == "stdlib");
    assert_eq!(
        std.map(|p| p.purl.as_str()),
        Some("pkg:golang/stdlib@v1.22.5")
    );
}

#[test]
fn package_lock_v1() {
    single(
        "npm/lockfile-v1/package-lock.json",
        "/app/package-lock.json",
        // The lockfile names the project; without the package.json beside it, what the
        // project depends on directly is unknown.
        Deviations {
            roots: vec!["node_v1@1.0.0"],
            deps_override: vec![("node_v1@1.0.0", vec![])],
            ..Deviations::default()
        },
    );
}

#[test]
fn package_lock_v2() {
    single(
        "npm/lockfile-v2/package-lock.json",
        "/app/package-lock.json",
        Deviations {
            roots: vec!["node_v1@1.0.0"],
            ..Deviations::default()
        },
    );
}

#[test]
fn package_lock_v3() {
    single(
        "npm/lockfile-v3/package-lock.json",
        "/app/package-lock.json",
        Deviations {
            roots: vec!["node_v1@1.0.0"],
            ..Deviations::default()
        },
    );
}

#[test]
fn package_lock_v3_peer() {
    single(
        "npm/lockfile-v3-peer/package-lock.json",
        "/app/package-lock.json",
        Deviations {
            roots: vec!["node_v3_with_peer@1.0.0"],
            ..Deviations::default()
        },
    );
}

#[test]
fn package_lock_v3_workspace() {
    single(
        "npm/lockfile-v3-workspace/package-lock.json",
        "/app/package-lock.json",
        // The workspace members are the project too.
        Deviations {
            roots: vec![
                "node_v3_with_workspace@1.0.0",
                "function1@",
                "nested_func@1.0.0",
            ],
            ..Deviations::default()
        },
    );
}

#[test]
fn nuget_lock() {
    single(
        "nuget/simple/packages.lock.json",
        "/src/packages.lock.json",
        Deviations::default(),
    );
    single(
        "nuget/multi-target/packages.lock.json",
        "/src/packages.lock.json",
        Deviations::default(),
    );
}

#[test]
fn pnpm_v5() {
    // Trivy drops `dev: true` packages from v5/v6 lockfiles (but keeps them, flagged, for
    // v9); we keep them everywhere, flagged dev.
    let inv = single(
        "pnpm/v5-many/pnpm-lock.yaml",
        "/app/pnpm-lock.yaml",
        Deviations {
            extra_dev_ok: true,
            ..Deviations::default()
        },
    );
    assert!(inv.packages.iter().any(|p| p.name == "mocha" && p.dev));
}

#[test]
fn pnpm_v6() {
    let inv = single(
        "pnpm/v6-dev/pnpm-lock.yaml",
        "/app/pnpm-lock.yaml",
        Deviations {
            extra_dev_ok: true,
            ..Deviations::default()
        },
    );
    assert!(inv.packages.iter().any(|p| p.name == "mocha" && p.dev));
}

#[test]
fn pnpm_v9() {
    single(
        "pnpm/v9/pnpm-lock.yaml",
        "/app/pnpm-lock.yaml",
        Deviations::default(),
    );
}

#[test]
fn yarn_v1() {
    single("yarn/v1/yarn.lock", "/app/yarn.lock", Deviations::default());
}

#[test]
fn yarn_berry() {
    single(
        "yarn/berry/yarn.lock",
        "/app/yarn.lock",
        Deviations {
            roots: vec!["code@0.0.0-use.local"],
            deps_override: vec![("code@0.0.0-use.local", vec!["async@3.2.0"])],
            ..Deviations::default()
        },
    );
}

#[test]
fn pipfile_lock() {
    single(
        "pypi/pipenv-many/Pipfile.lock",
        "/app/Pipfile.lock",
        Deviations::default(),
    );
}

#[test]
fn poetry_v1() {
    // Trivy's assertion for the 1.x file lists only two of pytest's eight dependencies
    // (it resolves dev-only packages differently per format); the file names all eight, as
    // the 2.x file of the same project does, and we report them all.
    single(
        "pypi/poetry-v1/poetry.lock",
        "/app/poetry.lock",
        Deviations {
            deps_override: vec![(
                "pytest@5.4.3",
                vec![
                    "atomicwrites@1.4.1",
                    "attrs@25.1.0",
                    "colorama@0.4.6",
                    "more-itertools@10.6.0",
                    "packaging@24.2",
                    "pluggy@0.13.1",
                    "py@1.11.0",
                    "wcwidth@0.2.13",
                ],
            )],
            ..Deviations::default()
        },
    );
}

#[test]
fn poetry_v2() {
    single(
        "pypi/poetry-v2/poetry.lock",
        "/app/poetry.lock",
        Deviations::default(),
    );
}

#[test]
fn uv_lock() {
    single("pypi/uv/uv.lock", "/app/uv.lock", Deviations::default());
}

const SITE: &str = "/usr/local/lib/python3.11/site-packages";

#[test]
fn dist_info_metadata() {
    // Trivy keeps the License header verbatim; we map it to SPDX where unambiguous.
    single(
        "pypi/dist-info-asyncssh/METADATA",
        &format!("{SITE}/asyncssh-2.14.2.dist-info/METADATA"),
        Deviations {
            licenses_override: vec![("asyncssh", vec!["EPL-2.0"])],
            ..Deviations::default()
        },
    );
    // Trivy reports `file://LICENSE.txt` from License-File; a file name is not a license, so
    // we report none.
    single(
        "pypi/dist-info-networkx/METADATA",
        &format!("{SITE}/networkx-3.0.dist-info/METADATA"),
        Deviations {
            licenses_override: vec![("networkx", vec![])],
            ..Deviations::default()
        },
    );
    // Trivy reports `License: UNKNOWN` as the license; we fall back to the classifier.
    single(
        "pypi/egg-info-setuptools/PKG-INFO",
        &format!("{SITE}/setuptools-51.3.3-py3.8.egg-info/PKG-INFO"),
        Deviations {
            licenses_override: vec![("setuptools", vec!["MIT"])],
            ..Deviations::default()
        },
    );
}

#[test]
fn site_packages_with_record() {
    // Syft's fixture uses directories named dist-info/egg-info; in a real site-packages they
    // are <name>-<version>.dist-info, which is what we look for.
    let base = "pypi/site-packages-nested";
    let d = |f: &str| fixture(&format!("{base}/dist-name/dist-info/{f}"));
    let e = |f: &str| fixture(&format!("{base}/egg-name/egg-info/{f}"));
    let (m, rec, du, top) = (
        d("METADATA"),
        d("RECORD"),
        d("direct_url.json"),
        d("top_level.txt"),
    );
    let (pi, bad, erec) = (e("PKG-INFO"), e("PKG-INFO-INVALID"), e("RECORD"));
    let dist = format!("{SITE}/Pygments-2.6.1.dist-info");
    let egg = format!("{SITE}/requests-2.22.0-py3.8.egg-info");
    let files: Vec<(String, &[u8])> = vec![
        (format!("{dist}/METADATA"), &m),
        (format!("{dist}/RECORD"), &rec),
        (format!("{dist}/direct_url.json"), &du),
        (format!("{dist}/top_level.txt"), &top),
        (format!("{egg}/PKG-INFO"), &pi),
        (format!("{egg}/PKG-INFO-INVALID"), &bad),
        (format!("{egg}/RECORD"), &erec),
    ];
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, d)| (p.as_str(), *d)).collect();
    let inv = run(&refs);
    check(
        "pypi/site-packages-nested.expected.json",
        &inv,
        &Deviations {
            pypi_names: true,
            licenses_override: vec![("requests", vec!["Apache-2.0"])],
            ..Deviations::default()
        },
    );
    let exp = expected("pypi/site-packages-nested.expected.json");
    let pyg = inv.packages.iter().find(|p| p.name == "Pygments");
    assert_eq!(
        pyg.map(|p| p.purl.as_str()),
        exp["packages"][0]["purl"].as_str()
    );
    let pyg_files = pyg.map(|p| p.files.clone()).unwrap_or_default();
    assert_eq!(
        pyg_files.len() as u64,
        exp["packages"][0]["record_file_count"]
            .as_u64()
            .unwrap_or(0)
    );
    assert!(pyg_files.contains(&"/usr/local/bin/pygmentize".to_string()));
}

/// package-lock v1 does not say what the project depends on; with the project's `package.json`
/// beside it (the root entry of the v2 lockfile of the same project), the relationships must
/// be exactly those the peer asserts for the v2 and v3 lockfiles.
#[test]
fn package_lock_v1_with_manifest_gets_v2_relationships() {
    let lock = fixture("npm/lockfile-v1/package-lock.json");
    let v2: Value =
        serde_json::from_slice(&fixture("npm/lockfile-v2/package-lock.json")).unwrap_or_default();
    let manifest = serde_json::to_vec(&v2["packages"][""]).unwrap_or_default();
    let inv = run(&[
        ("/app/package-lock.json", &lock),
        ("/app/package.json", &manifest),
    ]);
    let exp = expected("npm/lockfile-v2/package-lock.json.expected.json");
    let want: BTreeMap<String, Option<Relationship>> = exp["packages"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["id"].as_str().unwrap_or_default().to_string(),
                        relationship(e["relationship"].as_str().unwrap_or_default()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut want = want;
    want.insert("node_v1@1.0.0".into(), Some(Relationship::Root));
    let got: BTreeMap<String, Option<Relationship>> = inv
        .packages
        .iter()
        .map(|p| (p.id(), p.relationship))
        .collect();
    assert_eq!(got, want);
    // Packages, dev flags (the v1 file's own) and graph also equal the v2 assertion.
    check(
        "npm/lockfile-v2/package-lock.json.expected.json",
        &inv,
        &Deviations {
            roots: vec!["node_v1@1.0.0"],
            ..Deviations::default()
        },
    );
}

/// yarn.lock does not say what the project depends on either; with a `package.json` beside
/// it, direct dependencies come from it and dev packages are those reachable only from
/// `devDependencies`.
#[test]
fn yarn_v1_with_manifest() {
    let lock = fixture("yarn/v1/yarn.lock");
    let manifest = br#"{"name":"app","version":"1.0.0",
        "dependencies":{"@babel/helper-regex":"^7.4.4","promise":"^8.0.3","jquery":"^3.4.1"},
        "devDependencies":{"wide-align":"1.1.3"}}"#;
    let inv = run(&[("/app/yarn.lock", &lock), ("/app/package.json", manifest)]);
    let pick = |f: &dyn Fn(&bulwark_catalog::Package) -> bool| -> Vec<String> {
        inv.packages
            .iter()
            .filter(|p| f(p))
            .map(|p| p.id())
            .collect()
    };
    assert_eq!(
        pick(&|p| p.relationship == Some(Relationship::Direct)),
        [
            "@babel/helper-regex@7.4.4",
            "jquery@3.4.1",
            "promise@8.0.3",
            "wide-align@1.1.3"
        ]
    );
    assert_eq!(
        pick(&|p| p.dev),
        [
            "ansi-regex@3.0.0",
            "is-fullwidth-code-point@2.0.0",
            "string-width@2.1.1",
            "strip-ansi@4.0.0",
            "wide-align@1.1.3"
        ]
    );
    assert!(inv.packages.iter().all(|p| p.relationship.is_some()));
    // The manifest names the project: it is the root component, depending on the direct ones.
    let root: Vec<_> = inv
        .packages
        .iter()
        .filter(|p| p.relationship == Some(Relationship::Root))
        .map(|p| (p.id(), p.depends_on.clone()))
        .collect();
    assert_eq!(
        root,
        [(
            "app@1.0.0".to_string(),
            vec![
                "@babel/helper-regex@7.4.4".to_string(),
                "jquery@3.4.1".to_string(),
                "promise@8.0.3".to_string(),
                "wide-align@1.1.3".to_string()
            ]
        )]
    );
    // Everything the peer asserts still holds.
    check(
        "yarn/v1/yarn.lock.expected.json",
        &inv,
        &Deviations {
            roots: vec!["app@1.0.0"],
            deps_override: vec![(
                "app@1.0.0",
                vec![
                    "@babel/helper-regex@7.4.4",
                    "jquery@3.4.1",
                    "promise@8.0.3",
                    "wide-align@1.1.3",
                ],
            )],
            ..Deviations::default()
        },
    );
}
