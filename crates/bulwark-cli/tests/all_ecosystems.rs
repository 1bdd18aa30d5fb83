//! End to end through `bulwark sbom`: the all-ecosystems image (`tests/images/`), built with the
//! real Docker Engine on a debootstrap'd Debian base, read as a docker archive and from the
//! engine. Asserts the exact language inventory put into the image (kind, name, version, file,
//! layer), the dpkg set against `dpkg-query` on the same root filesystem, the base/own layer
//! split with `created_by`, that no file dpkg owns is reported as a language package, and that
//! both sources give the same inventory.
//!
//! Needs docker, the rootfs (`BULWARK_DEBIAN_ROOTFS`, default
//! `~/.cache/bulwark-tests/bookworm-rootfs`) and the build script's tools (python3 + pip,
//! cargo-auditable, go, javac, jar, apt-get, dpkg-query). Without them the tests print why and
//! pass, unless `BULWARK_REQUIRE_TOOLS` is set: then they fail.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

mod common;

use common::{skip, tool_works};

const IMAGE: &str = "bulwark-test/all-ecosystems:1";

/// Layers of the image (see tests/images/README.md).
const L_BASE: u64 = 0;
const L_DEB: u64 = 2;
const L_PY: u64 = 3;
const L_NODE: u64 = 4;
const L_JAVA: u64 = 5;
const L_RUST: u64 = 6;
const L_GO: u64 = 7;
const L_RUBY: u64 = 8;
const L_PHP: u64 = 9;
const L_DOTNET: u64 = 10;

const SITE: &str = "/usr/local/lib/python3.11/site-packages";
const REQS: &str = "/app/python/requirements.txt";
const NM: &str = "/app/node/node_modules";
const NPM_LOCK: &str = "/app/node/package-lock.json";
const CARGO_LOCK: &str = "/app/rust/Cargo.lock";
const RUST_BIN: &str = "/usr/local/bin/rust-app";
const GO_BIN: &str = "/usr/local/bin/goapp";
const SPECS: &str = "/usr/local/lib/ruby/gems/3.1.0/specifications";
const GEMFILE_LOCK: &str = "/app/ruby/Gemfile.lock";
const PHP_INSTALLED: &str = "/app/php/vendor/composer/installed.json";
const DEPS_JSON: &str = "/app/dotnet/DotnetApp.deps.json";

/// (kind, name, version, found_in, layer) of one package.
type Row = (String, String, String, String, u64);

/// Every language package the image holds, as the catalogers should report it. The Go
/// toolchain's `stdlib` row is added from the build's facts (it is the host's Go).
fn expected_language_packages(go_version: &str) -> BTreeSet<Row> {
    let mut rows: Vec<(&str, &str, &str, String, u64)> = Vec::new();
    // Python: installed distributions (METADATA) and the pinned requirements file.
    for (name, version, dist_info) in [
        ("Django", "3.2", "Django-3.2"),
        ("Jinja2", "2.11.2", "Jinja2-2.11.2"),
        ("MarkupSafe", "2.0.1", "markupsafe-2.0.1"),
        ("PyYAML", "5.3.1", "pyyaml-5.3.1"),
        ("asgiref", "3.3.1", "asgiref-3.3.1"),
        ("certifi", "2020.12.5", "certifi-2020.12.5"),
        ("chardet", "3.0.4", "chardet-3.0.4"),
        ("idna", "2.10", "idna-2.10"),
        ("pytz", "2021.1", "pytz-2021.1"),
        ("requests", "2.25.0", "requests-2.25.0"),
        ("sqlparse", "0.4.1", "sqlparse-0.4.1"),
        ("urllib3", "1.26.4", "urllib3-1.26.4"),
    ] {
        rows.push((
            "python",
            name,
            version,
            format!("{SITE}/{dist_info}.dist-info/METADATA"),
            L_PY,
        ));
        rows.push(("python", name, version, REQS.into(), L_PY));
    }
    // Node.js: one row per installed package.json (nested copies included), one per distinct
    // name@version in the lockfile.
    for (dir, name, version) in [
        ("@hapi/hoek", "@hapi/hoek", "8.5.0"),
        ("body-parser", "body-parser", "1.19.0"),
        ("body-parser/node_modules/debug", "debug", "2.6.9"),
        ("body-parser/node_modules/ms", "ms", "2.0.0"),
        ("bytes", "bytes", "3.1.0"),
        ("cookie", "cookie", "0.4.0"),
        ("debug", "debug", "4.1.1"),
        ("express", "express", "4.17.1"),
        ("express/node_modules/debug", "debug", "2.6.9"),
        ("express/node_modules/ms", "ms", "2.0.0"),
        ("lodash", "lodash", "4.17.15"),
        ("minimist", "minimist", "1.2.0"),
        ("ms", "ms", "2.1.2"),
        ("qs", "qs", "6.7.0"),
    ] {
        rows.push((
            "npm",
            name,
            version,
            format!("{NM}/{dir}/package.json"),
            L_NODE,
        ));
        rows.push(("npm", name, version, NPM_LOCK.into(), L_NODE));
    }
    // The project itself, the lockfile's root component (`packages[""]`).
    rows.push(("npm", "node-app", "1.0.0", NPM_LOCK.into(), L_NODE));
    // Java: pom.properties of every archive, nested ones as `outer!/inner`.
    for (name, version, found_in) in [
        (
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            "/opt/app/lib/log4j-core-2.14.1.jar",
        ),
        (
            "org.apache.logging.log4j:log4j-api",
            "2.14.1",
            "/opt/app/lib/log4j-api-2.14.1.jar",
        ),
        ("com.example:fatapp", "1.0.0", "/opt/app/fatapp-1.0.0.jar"),
        (
            "com.fasterxml.jackson.core:jackson-databind",
            "2.9.8",
            "/opt/app/fatapp-1.0.0.jar!/BOOT-INF/lib/jackson-databind-2.9.8.jar",
        ),
        (
            "com.fasterxml.jackson.core:jackson-core",
            "2.9.8",
            "/opt/app/fatapp-1.0.0.jar!/BOOT-INF/lib/jackson-core-2.9.8.jar",
        ),
        ("com.example:shop", "2.0.0", "/opt/tomcat/webapps/shop.war"),
        (
            "commons-collections:commons-collections",
            "3.2.1",
            "/opt/tomcat/webapps/shop.war!/WEB-INF/lib/commons-collections-3.2.1.jar",
        ),
        (
            "org.springframework:spring-beans",
            "5.3.17",
            "/opt/tomcat/webapps/shop.war!/WEB-INF/lib/spring-beans-5.3.17.jar",
        ),
    ] {
        rows.push(("maven", name, version, found_in.into(), L_JAVA));
    }
    // Rust: the lockfile lists every package; the auditable binary only what was compiled for
    // Linux (no winapi).
    for (name, version, in_binary) in [
        ("libc", "0.2.191", true),
        ("regex", "1.5.4", true),
        ("regex-syntax", "0.6.29", true),
        ("rust-app", "0.3.1", true),
        ("smallvec", "1.6.0", true),
        ("time", "0.1.43", true),
        ("winapi", "0.3.9", false),
        ("winapi-i686-pc-windows-gnu", "0.4.0", false),
        ("winapi-x86_64-pc-windows-gnu", "0.4.0", false),
    ] {
        rows.push(("cargo", name, version, CARGO_LOCK.into(), L_RUST));
        if in_binary {
            rows.push(("cargo", name, version, RUST_BIN.into(), L_RUST));
        }
    }
    // Go: the main module (version from -X main.version) and the toolchain.
    rows.push((
        "go",
        "example.com/bulwark/goapp",
        "v1.2.3",
        GO_BIN.into(),
        L_GO,
    ));
    rows.push(("go", "stdlib", go_version, GO_BIN.into(), L_GO));
    // Ruby: installed gemspecs and the application's Gemfile.lock.
    rows.push((
        "gem",
        "rack",
        "2.2.3",
        format!("{SPECS}/rack-2.2.3.gemspec"),
        L_RUBY,
    ));
    rows.push((
        "gem",
        "nokogiri",
        "1.13.3",
        format!("{SPECS}/nokogiri-1.13.3-x86_64-linux.gemspec"),
        L_RUBY,
    ));
    for (name, version) in [
        ("mustermann", "1.1.1"),
        ("rack", "2.2.3"),
        ("rack-protection", "2.1.0"),
        ("ruby2_keywords", "0.0.5"),
        ("sinatra", "2.1.0"),
        ("tilt", "2.0.10"),
    ] {
        rows.push(("gem", name, version, GEMFILE_LOCK.into(), L_RUBY));
    }
    for (name, version) in [
        ("guzzlehttp/guzzle", "7.4.0"),
        ("guzzlehttp/promises", "1.5.1"),
        ("guzzlehttp/psr7", "2.1.0"),
        ("psr/http-client", "1.0.1"),
        ("psr/http-message", "1.0.1"),
    ] {
        rows.push(("composer", name, version, PHP_INSTALLED.into(), L_PHP));
    }
    for (name, version) in [
        ("Microsoft.Data.SqlClient", "2.1.1"),
        ("Microsoft.Identity.Client", "4.14.0"),
        ("Newtonsoft.Json", "12.0.1"),
        ("System.Text.Encodings.Web", "4.5.0"),
    ] {
        rows.push(("nuget", name, version, DEPS_JSON.into(), L_DOTNET));
    }
    // The application (`type: project`), the root component.
    rows.push(("nuget", "DotnetApp", "1.0.0", DEPS_JSON.into(), L_DOTNET));
    rows.into_iter()
        .map(|(k, n, v, f, l)| (k.into(), n.into(), v.into(), f, l))
        .collect()
}

/// The image, read both ways, and what the tests compare it with.
struct Fixture {
    rootfs: PathBuf,
    go_version: String,
    /// `sbom --format json --files` of the docker archive.
    archive: Value,
    /// `sbom --format json --files` of the image in the engine.
    engine: Value,
}

/// Skip the image tests (print why, return None) or, with BULWARK_REQUIRE_TOOLS set, fail.
fn missing(why: &str) -> Option<Fixture> {
    skip(&format!("the all-ecosystems image tests: {why}"));
    None
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(build).as_ref()
}

fn build() -> Option<Fixture> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let rootfs = std::env::var_os("BULWARK_DEBIAN_ROOTFS")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".cache/bulwark-tests/bookworm-rootfs"));
    if !rootfs.join("var/lib/dpkg/status").is_file() {
        return missing(&format!(
            "no Debian rootfs at {} (scripts/install-test-deps.sh makes it)",
            rootfs.display()
        ));
    }
    for (tool, args) in [
        ("docker", &["info"][..]),
        ("dpkg-query", &["--version"][..]),
        ("python3", &["-m", "pip", "--version"][..]),
        ("cargo", &["auditable", "--version"][..]),
        ("go", &["version"][..]),
        ("javac", &["-version"][..]),
        ("jar", &["--version"][..]),
        ("apt-get", &["--version"][..]),
    ] {
        if !tool_works(tool, args) {
            return missing(&format!("`{tool} {}` does not run", args.join(" ")));
        }
    }
    let common::AllEcosystems { tar, go_version } = common::build_all_ecosystems(Some(&rootfs))
        .unwrap_or_else(|out| {
            panic!(
                "{} failed:\n{}\n{}",
                common::all_ecosystems_script().display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
    Some(Fixture {
        rootfs,
        go_version,
        archive: sbom(&format!("docker-archive:{}", tar.display())),
        engine: sbom(&format!("docker:{IMAGE}")),
    })
}

fn sbom(target: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .args(["-q", "sbom", "--format", "json", "--files", target])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bulwark sbom {target}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn packages(v: &Value) -> &Vec<Value> {
    v["packages"].as_array().expect("packages")
}

fn row(p: &Value) -> Row {
    (
        p["kind"].as_str().unwrap().into(),
        p["name"].as_str().unwrap().into(),
        p["version"].as_str().unwrap().into(),
        p["found_in"].as_str().unwrap().into(),
        p["layer"].as_u64().expect("every package has a layer"),
    )
}

fn language_rows(v: &Value) -> BTreeSet<Row> {
    packages(v)
        .iter()
        .filter(|p| p["kind"] != "deb")
        .map(row)
        .collect()
}

fn assert_same_set(got: &BTreeSet<Row>, want: &BTreeSet<Row>, what: &str) {
    let missing: Vec<_> = want.difference(got).collect();
    let extra: Vec<_> = got.difference(want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}:\nmissing {missing:#?}\nextra {extra:#?}"
    );
}

#[test]
fn archive_language_inventory_is_exactly_what_the_image_holds() {
    let Some(f) = fixture() else { return };
    let got = language_rows(&f.archive);
    let want = expected_language_packages(&f.go_version);
    assert_same_set(&got, &want, "language packages of the docker archive");
    // No duplicates hidden by the set: one package per row.
    let all = packages(&f.archive).iter().filter(|p| p["kind"] != "deb");
    assert_eq!(all.count(), want.len());
    assert_eq!(f.archive["warnings"], Value::Null, "no warnings expected");
}

/// `dpkg-query -W` on the rootfs the base was imported from: (name, version, arch) of every
/// package whose files are present.
fn dpkg_query(root: &Path) -> BTreeSet<(String, String, String)> {
    let out = Command::new("dpkg-query")
        .arg(format!(
            "--admindir={}",
            root.join("var/lib/dpkg").display()
        ))
        .args([
            "-W",
            "-f",
            "${Package}\t${Version}\t${Architecture}\t${db:Status-Status}\n",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "{l}");
            (!matches!(f[3], "config-files" | "not-installed"))
                .then(|| (f[0].into(), f[1].into(), f[2].into()))
        })
        .collect()
}

#[test]
fn dpkg_set_is_the_rootfs_plus_the_package_installed_in_its_own_layer() {
    let Some(f) = fixture() else { return };
    let mut want: BTreeMap<(String, String, String), u64> = dpkg_query(&f.rootfs)
        .into_iter()
        .map(|k| (k, L_BASE))
        .collect();
    assert!(want.len() > 50, "a minbase rootfs has about 90 packages");
    want.insert(
        ("python3-six".into(), "1.16.0-4".into(), "all".into()),
        L_DEB,
    );
    let got: BTreeMap<(String, String, String), u64> = packages(&f.archive)
        .iter()
        .filter(|p| p["kind"] == "deb")
        .map(|p| {
            (
                (
                    p["name"].as_str().unwrap().into(),
                    p["version"].as_str().unwrap().into(),
                    p["arch"].as_str().unwrap().into(),
                ),
                p["layer"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn layers_split_base_from_own_with_created_by() {
    let Some(f) = fixture() else { return };
    check_layers(&f.archive);
}

/// The engine reads the same image: its layer split must be the archive's (the inspect data
/// names the base; the streamed config's history places the boundary).
#[test]
fn engine_layers_split_base_from_own_with_created_by() {
    let Some(f) = fixture() else { return };
    check_layers(&f.engine);
}

fn check_layers(v: &Value) {
    let layers = v["layers"].as_array().expect("layers");
    assert_eq!(layers.len(), 11);
    assert_eq!(
        v["image"]["base"]["name"], "bulwark-test/bookworm-base:1",
        "base named by the org.opencontainers.image.base.name label"
    );
    assert_eq!(v["image"]["base"]["layers"], 1);
    for (i, l) in layers.iter().enumerate() {
        assert_eq!(l["index"], i as u64);
        assert_eq!(l["is_base"], i == 0, "layer {i}");
        let by = l["created_by"].as_str().unwrap_or("");
        match i {
            0 => assert_eq!(by, "", "docker import records no command"),
            2 => assert_eq!(
                by,
                "/bin/sh -c dpkg --force-depends -i /tmp/debs/*.deb && rm -rf /tmp/debs"
            ),
            _ => assert!(
                by.starts_with("/bin/sh -c #(nop) COPY dir:"),
                "layer {i}: {by}"
            ),
        }
    }
    // Every package's layer exists, and base packages are exactly the layer-0 debs.
    for p in packages(v) {
        let layer = p["layer"].as_u64().unwrap() as usize;
        assert!(layer < layers.len());
        if layer == 0 {
            assert_eq!(p["kind"], "deb", "{p}");
        }
    }
}

#[test]
fn no_file_dpkg_owns_is_reported_as_a_language_package() {
    let Some(f) = fixture() else { return };
    let owned: BTreeSet<&str> = packages(&f.archive)
        .iter()
        .filter(|p| p["kind"] == "deb")
        .flat_map(|p| p["files"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    // python3-six's egg-info is in the dpkg file lists, so the check below can bite.
    assert!(owned.contains("/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"));
    for p in packages(&f.archive).iter().filter(|p| p["kind"] != "deb") {
        let found_in = p["found_in"].as_str().unwrap();
        let file = found_in.split('!').next().unwrap();
        assert!(!owned.contains(file), "{found_in} is dpkg's: {p}");
        assert!(!file.starts_with("/usr/lib/python3/dist-packages/"), "{p}");
    }
}

#[test]
fn engine_source_gives_the_same_inventory_as_the_archive() {
    let Some(f) = fixture() else { return };
    let all = |v: &Value| -> BTreeSet<Row> { packages(v).iter().map(row).collect() };
    assert_same_set(
        &all(&f.engine),
        &all(&f.archive),
        "docker: against docker-archive:",
    );
    assert_eq!(packages(&f.engine).len(), packages(&f.archive).len());
    assert_eq!(f.engine["distro"], f.archive["distro"]);
    assert_eq!(f.engine["image"]["names"], serde_json::json!([IMAGE]));
    assert_eq!(
        f.engine["image"]["config_digest"],
        f.archive["image"]["config_digest"]
    );
}

#[test]
fn lockfiles_mark_root_and_direct_dependencies_from_their_manifests() {
    let Some(f) = fixture() else { return };
    let marked = |file: &str| -> BTreeSet<(String, String, String)> {
        packages(&f.archive)
            .iter()
            .filter(|p| p["found_in"] == file)
            .filter(|p| matches!(p["relationship"].as_str(), Some("root" | "direct")))
            .map(|p| {
                (
                    p["name"].as_str().unwrap().into(),
                    p["version"].as_str().unwrap().into(),
                    p["relationship"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let set = |rows: &[(&str, &str, &str)]| -> BTreeSet<(String, String, String)> {
        rows.iter()
            .map(|(n, v, r)| (n.to_string(), v.to_string(), r.to_string()))
            .collect()
    };
    // package.json beside the lockfile names five dependencies; debug 2.6.9 is only nested.
    assert_eq!(
        marked(NPM_LOCK),
        set(&[
            ("node-app", "1.0.0", "root"),
            ("@hapi/hoek", "8.5.0", "direct"),
            ("debug", "4.1.1", "direct"),
            ("express", "4.17.1", "direct"),
            ("lodash", "4.17.15", "direct"),
            ("minimist", "1.2.0", "direct"),
        ])
    );
    assert_eq!(
        marked(GEMFILE_LOCK),
        set(&[("rack", "2.2.3", "direct"), ("sinatra", "2.1.0", "direct")])
    );
    assert_eq!(
        marked(CARGO_LOCK),
        set(&[
            ("rust-app", "0.3.1", "root"),
            ("regex", "1.5.4", "direct"),
            ("smallvec", "1.6.0", "direct"),
            ("time", "0.1.43", "direct"),
        ])
    );
    assert_eq!(marked(DEPS_JSON), set(&[("DotnetApp", "1.0.0", "root")]));
    assert_eq!(
        marked(GO_BIN),
        set(&[("example.com/bulwark/goapp", "v1.2.3", "root")])
    );
}
