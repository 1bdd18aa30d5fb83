//! Formats and fixes of issue 12, each against a real file from the peer that reads it
//! (see ../fixtures/PROVENANCE.md), with the exact packages expected.

use std::path::Path;

use bulwark_catalog::{catalog_memory_files, CatalogSet, Inventory, Relationship};
use bulwark_lang::catalogers;

fn fixture(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

fn run(files: &[(&str, &[u8])]) -> Inventory {
    catalog_memory_files(&CatalogSet::new(catalogers()), files)
}

fn rel(r: Option<Relationship>) -> &'static str {
    match r {
        Some(Relationship::Root) => "root",
        Some(Relationship::Direct) => "direct",
        Some(Relationship::Indirect) => "indirect",
        None => "-",
    }
}

/// (id, relationship, dev, depends_on joined by ' ') of every package, in inventory order.
fn summary(inv: &Inventory) -> Vec<String> {
    inv.packages
        .iter()
        .map(|p| {
            format!(
                "{} {} {}{}{} [{}]",
                p.id(),
                rel(p.relationship),
                if p.dev { "dev" } else { "prod" },
                if p.declared { " declared" } else { "" },
                p.metadata
                    .get("alias")
                    .map(|a| format!(" alias={a}"))
                    .unwrap_or_default(),
                p.depends_on.join(" ")
            )
        })
        .collect()
}

fn one(path: &str, rel: &str) -> Inventory {
    let data = fixture(rel);
    let inv = run(&[(path, &data)]);
    assert!(inv.warnings.is_empty(), "{rel}: {:?}", inv.warnings);
    for p in &inv.packages {
        assert_eq!(p.found_in, path);
    }
    inv
}

fn purls(inv: &Inventory) -> Vec<&str> {
    inv.packages.iter().map(|p| p.purl.as_str()).collect()
}

/// npm v1 aliases install their target (Syft's alias fixture): `case-alias` is `case@1.6.3`,
/// `chai` is `@bundled-es-modules/chai@4.2.2`; the declared names stay as `alias`.
#[test]
fn package_lock_v1_aliases() {
    let inv = one("/app/package-lock.json", "npm/alias-v1/package-lock.json");
    assert_eq!(
        summary(&inv),
        [
            "@bundled-es-modules/chai@4.2.2 - prod alias=chai []",
            "alias-check@1.0.0 root prod []",
            "case@1.6.2 - prod []",
            "case@1.6.3 - prod alias=case-alias []",
        ]
    );
    assert_eq!(
        purls(&inv),
        [
            "pkg:npm/%40bundled-es-modules/chai@4.2.2",
            "pkg:npm/alias-check@1.0.0",
            "pkg:npm/case@1.6.2",
            "pkg:npm/case@1.6.3"
        ]
    );
}

/// A child nested under a dev-only parent, without its own `dev` flag, is dev-only; aliases
/// named in `requires` resolve to their targets.
#[test]
fn package_lock_v1_dev_parent_and_alias_requires() {
    let lock = br#"{"name":"x","version":"1.0.0","lockfileVersion":1,"dependencies":{
      "tool":{"version":"1.0.0","dev":true,"requires":{"helper":"^2"},
        "dependencies":{"helper":{"version":"2.0.0","requires":{"lib":"npm:@s/lib@^3"}}}},
      "lib":{"version":"npm:@s/lib@3.1.0"}}}"#;
    let inv = run(&[("/app/package-lock.json", lock)]);
    assert_eq!(
        summary(&inv),
        [
            "@s/lib@3.1.0 - prod alias=lib []",
            "helper@2.0.0 - dev [@s/lib@3.1.0]",
            "tool@1.0.0 - dev [helper@2.0.0]",
            "x@1.0.0 root prod []",
        ]
    );
}

/// pnpm 10+ writes its own `packageManagerDependencies` as a first YAML document (Syft's
/// fixture): every document is read.
#[test]
fn pnpm_multi_document() {
    let inv = one("/app/pnpm-lock.yaml", "pnpm/multi-doc/pnpm-lock.yaml");
    assert_eq!(
        summary(&inv),
        [
            "@pnpm/exe.linux-x64@12.0.0-rc.3 indirect prod []",
            "minimist@1.2.0 direct prod []",
            "pnpm@12.0.0-rc.3 direct prod [@pnpm/exe.linux-x64@12.0.0-rc.3]",
        ]
    );
}

/// yarn v1 aliases (Trivy's fixture): the registry tarball a block resolved to names the
/// installed package; the key's name is kept as `alias`. The `package.json` beside it names
/// the project, the root component.
#[test]
fn yarn_v1_resolved_identity() {
    let lock = fixture("yarn/alias/yarn.lock");
    let manifest = fixture("yarn/alias/package.json");
    let inv = run(&[("/app/yarn.lock", &lock), ("/app/package.json", &manifest)]);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    assert_eq!(
        summary(&inv),
        [
            "@types/jsonstream@0.8.33 direct dev alias=foo-json [@types/node@20.10.5]",
            "@types/node@20.10.5 indirect dev [undici-types@5.26.5]",
            "@types/uuid@9.0.7 direct dev alias=foo-uuid []",
            "debug@4.3.4 direct prod alias=foo-debug [ms@2.1.2]",
            "ms@2.1.2 indirect prod []",
            "ms@2.1.3 direct prod alias=foo-ms []",
            "test@1.0.0 root prod [@types/jsonstream@0.8.33 @types/uuid@9.0.7 debug@4.3.4 ms@2.1.3]",
            "undici-types@5.26.5 indirect dev []",
        ]
    );
}

/// A fork: the key names one package, the tarball another; and a git source, which names no
/// registry package, keeps the key's name.
#[test]
fn yarn_v1_fork_and_git() {
    let lock = b"# yarn lockfile v1\n\n\"left-pad@npm:@myorg/left-pad@^1.3.0\":\n  version \"1.3.1\"\n  resolved \"https://registry.yarnpkg.com/@myorg/left-pad/-/left-pad-1.3.1.tgz#abc\"\n\n\"x@https://github.com/o/x#deadbeef\":\n  version \"0.1.0\"\n  resolved \"https://codeload.github.com/o/x/tar.gz/deadbeef\"\n";
    let inv = run(&[("/app/yarn.lock", lock)]);
    assert_eq!(
        summary(&inv),
        [
            "@myorg/left-pad@1.3.1 - prod alias=left-pad []",
            "x@0.1.0 - prod []"
        ]
    );
}

/// `bun.lock` (Trivy's fixtures): JSONC with trailing commas; the workspace is the root
/// component, what it declares is direct, what only `devDependencies` reach is dev.
/// Trivy calls `undici-types` prod and so do we: `zod` (an optional dependency) needs it.
#[test]
fn bun_lock() {
    let inv = one("/app/bun.lock", "bun/happy/bun.lock");
    assert_eq!(
        summary(&inv),
        [
            "@types/bun@1.2.13 direct dev [bun-types@1.2.13]",
            "@types/node@22.15.18 indirect dev [undici-types@6.21.0]",
            "bun-types@1.2.13 indirect dev [@types/node@22.15.18]",
            "buntest@ root prod [@types/bun@1.2.13 typescript@5.8.3 zod@3.24.4]",
            "typescript@5.8.3 direct prod []",
            "undici-types@6.21.0 indirect prod []",
            "zod@3.24.4 direct prod [undici-types@6.21.0]",
        ]
    );
    let inv = one("/app/bun.lock", "bun/multiple-ws/bun.lock");
    assert_eq!(
        summary(&inv),
        [
            "buntest@ root prod []",
            "chalk@5.0.1 direct prod []",
            "lodash@4.17.21 direct prod []",
            "my-app@1.0.0 root prod [lodash@4.17.21]",
            "my-lib@1.0.0 root prod [chalk@5.0.1]",
        ]
    );
}

/// `deno.lock` v4 (Syft's fixture): npm packages (peer suffixes stripped), JSR packages and
/// versioned deno.land modules, with Syft's purls.
#[test]
fn deno_lock() {
    let inv = one("/app/deno.lock", "deno/v4/deno.lock");
    assert_eq!(
        summary(&inv),
        [
            "@algolia/autocomplete-preset-algolia@1.17.9 - prod []",
            "@std/bytes@1.0.2 - prod []",
            "@std/encoding@1.0.5 - prod [@std/bytes@1.0.2]",
            "chalk@5.3.0 - prod []",
            "deno.land/std@0.140.0 - prod []",
            "typedoc@0.28.19 - prod []",
        ]
    );
    assert_eq!(
        purls(&inv),
        [
            "pkg:npm/%40algolia/autocomplete-preset-algolia@1.17.9",
            "pkg:npm/%40std/bytes@1.0.2?repository_url=https%3A%2F%2Fjsr.io",
            "pkg:npm/%40std/encoding@1.0.5?repository_url=https%3A%2F%2Fjsr.io",
            "pkg:npm/chalk@5.3.0",
            "pkg:npm/deno.land%2Fstd@0.140.0?repository_url=https%3A%2F%2Fdeno.land",
            "pkg:npm/typedoc@0.28.19",
        ]
    );
}

/// `pdm.lock` (Syft's fixture): the ten locked packages, dependencies resolved by name.
#[test]
fn pdm_lock() {
    let inv = one("/app/pdm.lock", "pypi/pdm/pdm.lock");
    assert_eq!(
        summary(&inv),
        [
            "certifi@2025.1.31 - prod []",
            "chardet@3.0.4 - prod []",
            "charset-normalizer@2.0.12 - prod []",
            "colorama@0.3.9 - prod []",
            "idna@2.7 - prod []",
            "py@1.4.34 - prod []",
            "pytest@3.2.5 - prod [colorama@0.3.9 py@1.4.34 setuptools@39.2.0]",
            "requests@2.27.1 - prod [certifi@2025.1.31 chardet@3.0.4 charset-normalizer@2.0.12 idna@2.7 urllib3@1.26.20]",
            "setuptools@39.2.0 - prod []",
            "urllib3@1.26.20 - prod []",
        ]
    );
    let idna = inv.packages.iter().find(|p| p.name == "idna");
    assert_eq!(
        idna.and_then(|p| p.metadata.get("groups"))
            .map(String::as_str),
        Some("default,security")
    );
}

/// `setup.py` (Syft's fixture): exact pins in string literals, marked declared; ranges and
/// bare names pin nothing.
#[test]
fn setup_py() {
    let inv = one("/app/setup.py", "pypi/setup-py/setup.py");
    assert_eq!(
        summary(&inv),
        [
            "mypy@v0.770 - prod declared []",
            "mypy1@v0.770 - prod declared []",
            "mypy2@v0.770 - prod declared []",
            "mypy3@v0.770 - prod declared []",
            "pathlib3@2.2.0 - prod declared []",
        ]
    );
}

/// CPython's own `lib-dynload/Python-X.Y.egg-info` (Syft's fixture) is the interpreter, not a
/// PyPI package called `python`; the same file in site-packages would be a distribution.
#[test]
fn cpython_egg_info_is_not_a_package() {
    let data = fixture("pypi/cpython-lib-dynload/Python-2.7.egg-info");
    let inv = run(&[("/usr/lib/python2.7/lib-dynload/Python-2.7.egg-info", &data)]);
    assert_eq!(summary(&inv), Vec::<String>::new());
    let inv = run(&[(
        "/usr/lib/python2.7/site-packages/Python-2.7.egg-info",
        &data,
    )]);
    assert_eq!(summary(&inv), ["Python@2.7.13 - prod []"]);
}

/// go.mod: `exclude` drops the requirement (Go >= 1.16), an unknown directive warns and the
/// requirements after it are still read.
#[test]
fn go_mod_exclude_and_unknown_directive() {
    let data = b"module example.com/app\n\ngo 1.21\n\nfuturedirective something\n\nrequire (\n\tgithub.com/pkg/errors v0.9.1\n\tgolang.org/x/text v0.3.7\n)\n\nexclude golang.org/x/text v0.3.7\n";
    let inv = run(&[("/src/go.mod", data)]);
    assert_eq!(
        summary(&inv),
        [
            "example.com/app@ root prod [github.com/pkg/errors@v0.9.1 stdlib@v1.21]",
            "github.com/pkg/errors@v0.9.1 direct prod []",
            "stdlib@v1.21 direct prod []",
        ]
    );
    let w: Vec<&str> = inv.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        w,
        ["line 5: unknown directive \"futuredirective\"; skipped (the rest of the file is still read)"]
    );
}
