//! No input makes a parser panic: arbitrary bytes, and mutated / truncated real fixtures, fed
//! to every format through the cataloger path.

use bulwark_catalog::{catalog_memory_files, CatalogSet};
use bulwark_lang::catalogers;
use proptest::prelude::*;

/// One image path per format.
const PATHS: &[&str] = &[
    "/s/x-1.dist-info/METADATA",
    "/s/x-1.dist-info/RECORD",
    "/s/x-1.dist-info/direct_url.json",
    "/s/x-1.egg-info/PKG-INFO",
    "/s/x-1.egg-info",
    "/s/site-packages/x-1.egg",
    "/s/x-1.egg/EGG-INFO/PKG-INFO",
    "/a/Pipfile.lock",
    "/a/poetry.lock",
    "/a/uv.lock",
    "/a/requirements.txt",
    "/a/node_modules/x/package.json",
    "/a/package-lock.json",
    "/a/package.json",
    "/a/yarn.lock",
    "/a/pnpm-lock.yaml",
    "/a/bun.lock",
    "/a/deno.lock",
    "/a/pdm.lock",
    "/a/setup.py",
    "/a/go.mod",
    "/a/go.sum",
    "/a/Cargo.lock",
    "/g/specifications/x.gemspec",
    "/a/Gemfile.lock",
    "/a/composer.lock",
    "/a/vendor/composer/installed.json",
    "/a/packages.lock.json",
    "/a/x.deps.json",
];

/// Real inputs to mutate, with the path they are read at.
const SEEDS: &[(&str, &str)] = &[
    ("npm/lockfile-v1/package-lock.json", "/a/package-lock.json"),
    (
        "npm/lockfile-v3-workspace/package-lock.json",
        "/a/package-lock.json",
    ),
    ("yarn/v1/yarn.lock", "/a/yarn.lock"),
    ("yarn/berry/yarn.lock", "/a/yarn.lock"),
    ("pnpm/v9/pnpm-lock.yaml", "/a/pnpm-lock.yaml"),
    ("pnpm/v5-many/pnpm-lock.yaml", "/a/pnpm-lock.yaml"),
    ("go/gomod-normal/go.mod", "/a/go.mod"),
    ("cargo/v3/Cargo.lock", "/a/Cargo.lock"),
    ("gem/bundler2/Gemfile.lock", "/a/Gemfile.lock"),
    (
        "gem/gemspec-normal/normal00.gemspec",
        "/g/specifications/x.gemspec",
    ),
    ("composer/happy/composer.lock", "/a/composer.lock"),
    (
        "nuget/multi-target/packages.lock.json",
        "/a/packages.lock.json",
    ),
    ("pypi/uv/uv.lock", "/a/uv.lock"),
    ("pypi/poetry-v2/poetry.lock", "/a/poetry.lock"),
    ("pypi/pipenv-many/Pipfile.lock", "/a/Pipfile.lock"),
    ("pnpm/multi-doc/pnpm-lock.yaml", "/a/pnpm-lock.yaml"),
    ("bun/happy/bun.lock", "/a/bun.lock"),
    ("deno/v4/deno.lock", "/a/deno.lock"),
    ("pypi/pdm/pdm.lock", "/a/pdm.lock"),
    ("pypi/setup-py/setup.py", "/a/setup.py"),
    ("yarn/alias/yarn.lock", "/a/yarn.lock"),
    ("npm/alias-v1/package-lock.json", "/a/package-lock.json"),
    (
        "pypi/egg-info-setuptools/PKG-INFO",
        "/s/x-1.egg-info/PKG-INFO",
    ),
];

fn seed(i: usize) -> (Vec<u8>, &'static str) {
    let (rel, path) = SEEDS[i % SEEDS.len()];
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    (std::fs::read(p).unwrap_or_default(), path)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let set = CatalogSet::new(catalogers());
        let files: Vec<(&str, &[u8])> = PATHS.iter().map(|p| (*p, data.as_slice())).collect();
        let inv = catalog_memory_files(&set, &files);
        for p in &inv.packages {
            prop_assert!(p.purl.starts_with("pkg:"));
        }
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..64,
        cut in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let (mut data, path) = seed(which);
        if !data.is_empty() {
            for (at, byte) in flips {
                let i = at.index(data.len());
                data[i] = byte;
            }
            let keep = cut.index(data.len() + 1);
            data.truncate(keep.max(data.len() / 2));
        }
        let set = CatalogSet::new(catalogers());
        let _ = catalog_memory_files(&set, &[(path, &data)]);
    }
}

#[test]
fn deep_nesting_is_bounded() {
    // 10k nested v1 dependencies: serde_json's recursion limit turns this into an error
    // rather than a stack overflow.
    let mut s = String::from(r#"{"lockfileVersion":1,"dependencies":"#);
    for _ in 0..10_000 {
        s.push_str(r#"{"a":{"version":"1","dependencies":"#);
    }
    s.push_str("{}");
    for _ in 0..10_000 {
        s.push_str("}}");
    }
    s.push('}');
    let set = CatalogSet::new(catalogers());
    let inv = catalog_memory_files(&set, &[("/a/package-lock.json", s.as_bytes())]);
    assert!(inv.packages.is_empty());
    assert_eq!(inv.warnings.len(), 1, "{:?}", inv.warnings);
}

#[test]
fn yaml_alias_bomb_and_deep_nesting_are_refused() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = if i == 1 {
            "a".to_string()
        } else {
            format!("a{}", i - 1)
        };
        bomb.push_str(&format!(
            "a{i}: &a{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
    }
    let deep = format!("packages: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let set = CatalogSet::new(catalogers());
    let started = std::time::Instant::now();
    let inv = catalog_memory_files(
        &set,
        &[
            ("/a/pnpm-lock.yaml", bomb.as_bytes()),
            ("/b/pnpm-lock.yaml", deep.as_bytes()),
        ],
    );
    assert!(started.elapsed().as_secs() < 10);
    assert!(inv.packages.is_empty());
    assert_eq!(inv.warnings.len(), 2, "{:?}", inv.warnings);
}
