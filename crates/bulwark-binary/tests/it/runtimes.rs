//! Runtimes outside package managers, against the runtimes themselves: the installed `node`
//! (`node --version`; apt `nodejs`), CPython's `python3.X` and `libpython3.X.so.1.0`
//! (`python3.X --version`; apt `python3 libpython3-dev`), the JDK `release` files under /usr/lib/jvm
//! (`bin/java -version`; apt `openjdk-17-jdk-headless`), Debian's Go `VERSION` (`go env
//! GOVERSION`), plus realistic fakes; OS ownership, layer visibility and the size limit.

use std::path::{Path, PathBuf};
use std::process::Command;

use bulwark_catalog::{
    catalog_memory_files, catalog_memory_layers, CatalogContext, CatalogSet, Cataloger, EntryMeta,
    Hit, PackageKind, Parsed, Stage,
};

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?} failed");
    // `java -version` and old `python --version` print on stderr.
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    s
}

fn binary_packages(path: &str, data: &[u8]) -> Vec<(String, String, String, Vec<String>)> {
    let set = CatalogSet::new(bulwark_binary::catalogers());
    let inv = catalog_memory_files(&set, &[(path, data)]);
    assert!(inv.warnings.is_empty(), "{path}: {:?}", inv.warnings);
    inv.packages
        .into_iter()
        .filter(|p| p.kind == PackageKind::Binary)
        .map(|p| (p.name, p.version, p.purl, p.cpes))
        .collect()
}

#[test]
fn node_binary_version_matches_node_version() {
    let node = Path::new("/usr/bin/node");
    let reference = stdout_of(Command::new(node).arg("--version"));
    let version = reference.trim().trim_start_matches('v').to_string();
    let data = std::fs::read(node).expect("read /usr/bin/node (apt-get install nodejs)");
    assert_eq!(
        binary_packages("/usr/local/bin/node", &data),
        vec![(
            "node".to_string(),
            version.clone(),
            format!("pkg:generic/node@{version}"),
            vec![format!("cpe:2.3:a:nodejs:node.js:{version}:*:*:*:*:*:*:*")]
        )]
    );
}

/// `/usr/bin/python3.X` interpreters (not `-config` scripts) and their libpython.
fn pythons() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/usr/bin").expect("/usr/bin").flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(minor) = name.strip_prefix("python") else {
            continue;
        };
        if minor.split('.').count() == 2 && minor.split('.').all(|p| p.parse::<u32>().is_ok()) {
            out.push((e.path(), minor.to_string()));
        }
    }
    out
}

#[test]
fn cpython_interpreter_and_libpython_match_python_version() {
    let pythons = pythons();
    assert!(
        !pythons.is_empty(),
        "no /usr/bin/python3.X (apt-get install python3)"
    );
    let mut libs_checked = 0;
    for (interpreter, minor) in pythons {
        let reference = stdout_of(Command::new(&interpreter).arg("--version"));
        let version = reference
            .trim()
            .strip_prefix("Python ")
            .expect("Python x.y.z")
            .to_string();
        let expected = vec![(
            "python".to_string(),
            version.clone(),
            format!("pkg:generic/python@{version}"),
            vec![format!("cpe:2.3:a:python:python:{version}:*:*:*:*:*:*:*")],
        )];
        let data = std::fs::read(&interpreter).expect("read interpreter");
        let path = format!("/usr/local/bin/python{minor}");
        assert_eq!(binary_packages(&path, &data), expected, "{interpreter:?}");

        for libdir in [
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu",
            "/usr/lib",
        ] {
            let lib = Path::new(libdir).join(format!("libpython{minor}.so.1.0"));
            if let Ok(data) = std::fs::read(&lib) {
                let path = format!("/usr/local/lib/libpython{minor}.so.1.0");
                assert_eq!(binary_packages(&path, &data), expected, "{lib:?}");
                libs_checked += 1;
            }
        }
    }
    assert!(
        libs_checked > 0,
        "no libpython3.X.so.1.0 (apt-get install libpython3-dev)"
    );
}

#[test]
fn jdk_release_files_match_java_version() {
    let mut checked = 0;
    for e in std::fs::read_dir("/usr/lib/jvm")
        .expect("/usr/lib/jvm (install a JDK)")
        .flatten()
    {
        let home = e.path();
        let is_dir = std::fs::symlink_metadata(&home).is_ok_and(|m| m.is_dir());
        let release = home.join("release");
        let java = home.join("bin/java");
        if !is_dir || !release.is_file() || !java.is_file() {
            continue;
        }
        let reference = stdout_of(Command::new(&java).arg("-version"));
        // openjdk version "17.0.15" 2025-04-15
        let version = reference
            .split('"')
            .nth(1)
            .expect("quoted version")
            .to_string();
        let data = std::fs::read(&release).expect("read release");
        let got = binary_packages("/opt/java/openjdk/release", &data);
        assert_eq!(got.len(), 1, "{release:?}");
        assert_eq!(got[0].0, "openjdk");
        assert_eq!(got[0].1, version, "{release:?}");
        assert_eq!(got[0].2, format!("pkg:generic/openjdk@{version}"));
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn fake_temurin_release_and_go_version_files() {
    let release = b"IMPLEMENTOR=\"Eclipse Adoptium\"\nIMPLEMENTOR_VERSION=\"Temurin-17.0.9+9\"\nJAVA_RUNTIME_VERSION=\"17.0.9+9\"\nJAVA_VERSION=\"17.0.9\"\nJAVA_VERSION_DATE=\"2023-10-17\"\nLIBC=\"gnu\"\nMODULES=\"java.base java.logging\"\nOS_ARCH=\"x86_64\"\nOS_NAME=\"Linux\"\nSOURCE=\".:git:2ad2b7e13d53\"\nBUILD_SOURCE=\"git:f9b1d8b\"\nIMAGE_TYPE=\"JRE\"\n";
    let go_version = b"go1.21.5\ntime 2023-11-29T21:21:50Z\n";
    let set = CatalogSet::new(bulwark_binary::catalogers());
    let inv = catalog_memory_files(
        &set,
        &[
            ("/opt/java/openjdk/release", release),
            ("/usr/local/go/VERSION", go_version),
            ("/srv/app/VERSION", b"1.0.0\n"),
        ],
    );
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let got: Vec<(&str, &str, &str, &str, Vec<&str>)> = inv
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.purl.as_str(),
                p.found_in.as_str(),
                p.cpes.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "go",
                "1.21.5",
                "pkg:generic/go@1.21.5",
                "/usr/local/go/VERSION",
                vec!["cpe:2.3:a:golang:go:1.21.5:*:*:*:*:*:*:*"]
            ),
            (
                "openjdk",
                "17.0.9",
                "pkg:generic/openjdk@17.0.9",
                "/opt/java/openjdk/release",
                vec![
                    "cpe:2.3:a:oracle:openjdk:17.0.9:*:*:*:*:*:*:*",
                    "cpe:2.3:a:eclipse:temurin:17.0.9:*:*:*:*:*:*:*"
                ]
            ),
        ]
    );
    let jdk = &inv.packages[1];
    assert_eq!(
        jdk.metadata.get("implementor").map(String::as_str),
        Some("Eclipse Adoptium")
    );
    assert_eq!(
        jdk.metadata.get("image_type").map(String::as_str),
        Some("JRE")
    );
}

#[test]
fn debian_go_version_file_matches_go_env() {
    let reference = stdout_of(Command::new("go").args(["env", "GOVERSION"]));
    let version = reference.trim().trim_start_matches("go").to_string();
    let goroot = stdout_of(Command::new("go").args(["env", "GOROOT"]));
    let data = std::fs::read(Path::new(goroot.trim()).join("VERSION")).expect("GOROOT/VERSION");
    assert_eq!(
        binary_packages("/usr/local/go/VERSION", &data),
        vec![(
            "go".to_string(),
            version.clone(),
            format!("pkg:generic/go@{version}"),
            vec![format!("cpe:2.3:a:golang:go:{version}:*:*:*:*:*:*:*")]
        )]
    );
}

/// Stands in for dpkg: owns the listed paths.
struct Owner(Vec<&'static str>);

impl Cataloger for Owner {
    fn name(&self) -> &'static str {
        "owner"
    }
    fn stage(&self) -> Stage {
        Stage::Os
    }
    fn wants(&self, _: &EntryMeta<'_>) -> bool {
        false
    }
    fn read(&self, _: &EntryMeta<'_>, _: &[u8]) -> Parsed {
        Box::new(())
    }
    fn finish(&self, ctx: &mut CatalogContext<'_>, _: Vec<Hit>) {
        ctx.os_owned_files
            .extend(self.0.iter().map(|p| p.to_string()));
    }
}

#[test]
fn os_owned_runtimes_are_skipped_but_go_modules_are_kept() {
    let node = std::fs::read("/usr/bin/node").expect("read node");
    let skopeo = std::fs::read("/usr/bin/skopeo").expect("read skopeo (apt-get install skopeo)");
    let mut catalogers = bulwark_binary::catalogers();
    catalogers.push(Box::new(Owner(vec!["/usr/bin/node", "/usr/bin/skopeo"])));
    let set = CatalogSet::new(catalogers);
    let inv = catalog_memory_files(
        &set,
        &[
            ("/usr/bin/node", &node),
            ("/usr/bin/skopeo", &skopeo),
            ("/usr/local/go/VERSION", b"go1.21.5\n"),
        ],
    );
    let kinds: Vec<(PackageKind, &str, Option<&str>)> = inv
        .packages
        .iter()
        .map(|p| {
            (
                p.kind,
                p.name.as_str(),
                p.metadata.get("os_owned").map(String::as_str),
            )
        })
        .collect();
    // No `node` runtime (dpkg reports nodejs); skopeo's stdlib is kept, marked OS-owned.
    assert_eq!(
        kinds,
        vec![
            (PackageKind::Go, "stdlib", Some("true")),
            (PackageKind::Binary, "go", None),
        ]
    );
}

#[test]
fn only_the_visible_copy_is_reported_with_its_layer() {
    let v1 = b"go1.20.1\n";
    let v2 = b"go1.21.5\n";
    let set = CatalogSet::new(bulwark_binary::catalogers());
    let inv = catalog_memory_layers(
        &set,
        &[
            vec![
                ("/usr/local/go/VERSION", &v1[..]),
                ("/opt/go/VERSION", &v1[..]),
            ],
            vec![("/usr/local/go/VERSION", &v2[..])],
        ],
    );
    let got: Vec<(&str, &str, Option<usize>)> = inv
        .packages
        .iter()
        .map(|p| (p.found_in.as_str(), p.version.as_str(), p.layer))
        .collect();
    assert_eq!(
        got,
        vec![
            ("/opt/go/VERSION", "1.20.1", Some(0)),
            ("/usr/local/go/VERSION", "1.21.5", Some(1)),
        ]
    );
}

#[test]
fn oversized_binaries_are_skipped_with_a_warning() {
    // calloc'd zeros: the pages are never touched because `wants` refuses the file.
    let huge = vec![0u8; (bulwark_binary::MAX_BINARY_SIZE + 1) as usize];
    let set = CatalogSet::new(bulwark_binary::catalogers());
    let inv = catalog_memory_files(&set, &[("/usr/local/bin/huge", &huge)]);
    assert!(inv.packages.is_empty());
    assert_eq!(inv.warnings.len(), 1);
    assert_eq!(inv.warnings[0].cataloger, "binary");
    assert_eq!(inv.warnings[0].path, "/usr/local/bin/huge");
    assert_eq!(
        inv.warnings[0].message,
        format!(
            "not read: {} bytes is over the {}-byte limit",
            bulwark_binary::MAX_BINARY_SIZE + 1,
            bulwark_binary::MAX_BINARY_SIZE
        )
    );
}

/// `openssl version` and `busybox` print the version their binaries carry (apt `openssl
/// busybox`).
#[test]
fn openssl_and_busybox_binaries_match_their_own_output() {
    for (tool, args, word) in [
        ("openssl", &["version"][..], "OpenSSL "),
        ("busybox", &[][..], "BusyBox v"),
    ] {
        let path = Path::new("/usr/bin").join(tool);
        let out = Command::new(&path)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {path:?} (apt-get install {tool}): {e}"));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let version: String = text
            .split_once(word)
            .map(|(_, rest)| rest)
            .unwrap_or_else(|| panic!("{tool}: no '{word}' in {text:?}"))
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        let data = std::fs::read(&path).expect("read");
        let got = binary_packages(&format!("/opt/bin/{tool}"), &data);
        assert_eq!(got.len(), 1, "{tool}: {got:?}");
        assert_eq!(got[0].0, tool);
        assert_eq!(got[0].1, version, "{tool}");
        assert_eq!(got[0].2, format!("pkg:generic/{tool}@{version}"));
    }
}
