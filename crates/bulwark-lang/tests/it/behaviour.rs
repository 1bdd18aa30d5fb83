//! Image-level behaviour through the real cataloger path: visibility across layers, files owned
//! by OS packages, size limits and broken input becoming warnings, installed `node_modules`
//! trees agreeing with their lockfile, and the smaller formats (`installed.json`, `deps.json`,
//! `requirements.txt`) end to end.

use bulwark_catalog::{
    catalog_memory_files, catalog_memory_layers, CatalogContext, CatalogSet, Cataloger, EntryMeta,
    Hit, Inventory, PackageKind, Parsed, Relationship, Stage,
};
use bulwark_lang::catalogers;

fn run(files: &[(&str, &[u8])]) -> Inventory {
    catalog_memory_files(&CatalogSet::new(catalogers()), files)
}

fn ids(inv: &Inventory) -> Vec<String> {
    inv.packages
        .iter()
        .map(|p| format!("{}:{}@{}", p.found_in, p.name, p.version))
        .collect()
}

const METADATA: &[u8] =
    b"Metadata-Version: 2.1\nName: Flask\nVersion: 2.3.2\nLicense: BSD-3-Clause\n\nbody\n";

/// Pretends to be dpkg: owns one path.
struct FakeDpkg(&'static str);

impl Cataloger for FakeDpkg {
    fn name(&self) -> &'static str {
        "fake-dpkg"
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
        ctx.os_owned_files.insert(self.0.to_string());
    }
}

#[test]
fn os_owned_python_package_is_skipped() {
    let owned = "/usr/lib/python3/dist-packages/Flask-2.2.2.dist-info/METADATA";
    let mine = "/usr/local/lib/python3.11/site-packages/Flask-2.3.2.dist-info/METADATA";
    let mut cats = catalogers();
    cats.push(Box::new(FakeDpkg(owned)));
    let inv = catalog_memory_files(
        &CatalogSet::new(cats),
        &[(owned, METADATA), (mine, METADATA)],
    );
    assert_eq!(ids(&inv), [format!("{mine}:Flask@2.3.2")]);
    assert_eq!(inv.packages[0].purl, "pkg:pypi/flask@2.3.2");
    assert_eq!(inv.packages[0].licenses, ["BSD-3-Clause"]);
}

#[test]
fn os_owned_lockfile_is_skipped() {
    let lock = b"GEM\n  specs:\n    rake (13.0.6)\n\nDEPENDENCIES\n  rake\n";
    let mut cats = catalogers();
    cats.push(Box::new(FakeDpkg("/usr/share/app/Gemfile.lock")));
    let inv = catalog_memory_files(
        &CatalogSet::new(cats),
        &[
            ("/usr/share/app/Gemfile.lock", lock),
            ("/srv/Gemfile.lock", lock),
        ],
    );
    assert_eq!(ids(&inv), ["/srv/Gemfile.lock:rake@13.0.6"]);
    assert_eq!(inv.packages[0].relationship, Some(Relationship::Direct));
}

#[test]
fn only_visible_copies_count_and_layer_is_recorded() {
    let path = "/app/node_modules/lodash/package.json";
    let old: &[u8] = br#"{"name":"lodash","version":"4.17.20","license":"MIT"}"#;
    let new: &[u8] = br#"{"name":"lodash","version":"4.17.21","license":"MIT"}"#;
    let other: &[u8] = br#"{"name":"ms","version":"2.1.3"}"#;
    let inv = catalog_memory_layers(
        &CatalogSet::new(catalogers()),
        &[
            vec![(path, old), ("/app/node_modules/ms/package.json", other)],
            vec![(path, new)],
        ],
    );
    let got: Vec<_> = inv
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.layer))
        .collect();
    assert_eq!(
        got,
        [("lodash", "4.17.21", Some(1)), ("ms", "2.1.3", Some(0))]
    );
    assert_eq!(inv.packages[0].licenses, ["MIT"]);
}

#[test]
fn broken_files_become_warnings_and_the_scan_goes_on() {
    let inv = run(&[
        ("/a/package-lock.json", b"{ not json"),
        ("/b/Cargo.lock", b"[[package]\nname="),
        ("/c/pnpm-lock.yaml", b"packages: [\n  - : :"),
        ("/d/node_modules/x/package.json", b"\xff\xfe garbage"),
        (
            "/e/site-packages/x-1.dist-info/METADATA",
            b"Metadata-Version: 2.1\nSummary: no name\n",
        ),
        ("/f/go.mod", b"module m\nrequire x\n"),
        ("/g/composer.lock", b"[]"),
        (
            "/ok/node_modules/ok/package.json",
            br#"{"name":"ok","version":"1.0.0"}"#,
        ),
    ]);
    assert_eq!(
        ids(&inv),
        ["/ok/node_modules/ok/package.json:ok@1.0.0", "/f/go.mod:m@"]
    );
    let warned: Vec<&str> = inv.warnings.iter().map(|w| w.path.as_str()).collect();
    for p in [
        "/a/package-lock.json",
        "/b/Cargo.lock",
        "/c/pnpm-lock.yaml",
        "/d/node_modules/x/package.json",
        "/e/site-packages/x-1.dist-info/METADATA",
        "/f/go.mod",
    ] {
        assert!(
            warned.contains(&p),
            "no warning for {p}: {:?}",
            inv.warnings
        );
    }
}

#[test]
fn oversized_lockfile_is_refused_with_a_warning() {
    let big = vec![b' '; (bulwark_lang::LOCKFILE_LIMIT + 1) as usize];
    let inv = run(&[("/app/package-lock.json", &big)]);
    assert!(inv.packages.is_empty());
    assert_eq!(inv.warnings.len(), 1);
    assert!(
        inv.warnings[0].message.contains("limit"),
        "{:?}",
        inv.warnings
    );
}

#[test]
fn invalid_utf8_in_metadata_is_tolerated() {
    let data = b"Metadata-Version: 2.1\nName: caf\xe9\nVersion: 1.0\nAuthor: J\xf6rg\n";
    let inv = run(&[("/s/caf-1.0.dist-info/METADATA", data)]);
    assert_eq!(inv.packages.len(), 1);
    assert_eq!(inv.packages[0].name, "caf\u{fffd}");
    assert_eq!(inv.packages[0].version, "1.0");
}

/// A hand-written npm project as `npm install` lays it out: a v3 lockfile and the matching
/// `node_modules` tree (nested copy, scoped package, dev dependency). The installed view and
/// the lockfile view must agree on every name@version.
#[test]
fn node_modules_tree_agrees_with_its_lockfile() {
    let lock = br#"{
  "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
  "packages": {
    "": {"name": "app", "version": "1.0.0",
         "dependencies": {"debug": "^2.6.9", "@babel/helper-string-parser": "7.19.4"},
         "devDependencies": {"ms": "1.0.0"}},
    "node_modules/@babel/helper-string-parser": {"version": "7.19.4", "license": "MIT"},
    "node_modules/debug": {"version": "2.6.9", "dependencies": {"ms": "2.0.0"}},
    "node_modules/debug/node_modules/ms": {"version": "2.0.0"},
    "node_modules/ms": {"version": "1.0.0", "dev": true}
  }
}"#;
    let files: Vec<(&str, &[u8])> = vec![
        ("/app/package.json", br#"{"name":"app","version":"1.0.0"}"#),
        ("/app/package-lock.json", lock),
        (
            "/app/node_modules/@babel/helper-string-parser/package.json",
            br#"{"name":"@babel/helper-string-parser","version":"7.19.4","license":"MIT"}"#,
        ),
        (
            "/app/node_modules/debug/package.json",
            br#"{"name":"debug","version":"2.6.9","license":{"type":"MIT"}}"#,
        ),
        (
            "/app/node_modules/debug/node_modules/ms/package.json",
            br#"{"name":"ms","version":"2.0.0","licenses":[{"type":"MIT"}]}"#,
        ),
        (
            "/app/node_modules/ms/package.json",
            br#"{"name":"ms","version":"1.0.0"}"#,
        ),
        (
            "/app/node_modules/debug/src/package.json",
            br#"{"type":"module"}"#,
        ),
        (
            "/app/node_modules/.package-lock.json",
            br#"{"lockfileVersion":3,"packages":{}}"#,
        ),
    ];
    let inv = run(&files);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let mut installed: Vec<String> = inv
        .packages
        .iter()
        .filter(|p| p.found_in.contains("/node_modules/"))
        .map(|p| p.id())
        .collect();
    // The lockfile also names the project itself, as the root component.
    let root: Vec<(String, Vec<String>)> = inv
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
                "@babel/helper-string-parser@7.19.4".to_string(),
                "debug@2.6.9".to_string(),
                "ms@1.0.0".to_string()
            ]
        )]
    );
    let mut locked: Vec<String> = inv
        .packages
        .iter()
        .filter(|p| p.found_in == "/app/package-lock.json")
        .filter(|p| p.relationship != Some(Relationship::Root))
        .map(|p| p.id())
        .collect();
    installed.sort();
    locked.sort();
    assert_eq!(installed, locked);
    assert_eq!(
        installed,
        [
            "@babel/helper-string-parser@7.19.4",
            "debug@2.6.9",
            "ms@1.0.0",
            "ms@2.0.0"
        ]
    );
    let scoped = inv
        .packages
        .iter()
        .find(|p| p.name == "@babel/helper-string-parser")
        .map(|p| p.purl.clone());
    assert_eq!(
        scoped.as_deref(),
        Some("pkg:npm/%40babel/helper-string-parser@7.19.4")
    );
    let lock_debug = inv
        .packages
        .iter()
        .find(|p| p.found_in.ends_with("lock.json") && p.name == "debug");
    assert_eq!(
        lock_debug.map(|p| (p.relationship, p.depends_on.clone())),
        Some((Some(Relationship::Direct), vec!["ms@2.0.0".to_string()]))
    );
    let dev_ms = inv
        .packages
        .iter()
        .find(|p| p.found_in.ends_with("lock.json") && p.id() == "ms@1.0.0");
    assert_eq!(dev_ms.map(|p| p.dev), Some(true));
    for p in inv
        .packages
        .iter()
        .filter(|p| p.found_in.contains("/node_modules/"))
    {
        assert_eq!(
            p.licenses,
            ["MIT"].repeat(usize::from(p.id() != "ms@1.0.0"))
        );
    }
}

#[test]
fn composer_installed_json_v1_and_v2() {
    let v2 = br#"{"packages":[
        {"name":"psr/log","version":"1.1.4","license":["MIT"],"require":{"php":">=5.3.0"}},
        {"name":"phpunit/phpunit","version":"9.6.0","require":{"psr/log":"^1"}}],
        "dev":true,"dev-package-names":["phpunit/phpunit"]}"#;
    let v1 = br#"[{"name":"monolog/monolog","version":"2.9.1","license":["MIT"]}]"#;
    let inv = run(&[
        ("/app/vendor/composer/installed.json", v2),
        ("/old/vendor/composer/installed.json", v1),
    ]);
    let got: Vec<_> = inv
        .packages
        .iter()
        .map(|p| (p.id(), p.dev, p.depends_on.clone(), p.purl.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "monolog/monolog@2.9.1".to_string(),
                false,
                vec![],
                "pkg:composer/monolog/monolog@2.9.1".to_string()
            ),
            (
                "phpunit/phpunit@9.6.0".to_string(),
                true,
                vec!["psr/log@1.1.4".to_string()],
                "pkg:composer/phpunit/phpunit@9.6.0".to_string()
            ),
            (
                "psr/log@1.1.4".to_string(),
                false,
                vec![],
                "pkg:composer/psr/log@1.1.4".to_string()
            ),
        ]
    );
}

#[test]
fn dotnet_deps_json() {
    let deps = br#"{
      "runtimeTarget": {"name": ".NETCoreApp,Version=v6.0"},
      "targets": {".NETCoreApp,Version=v6.0": {
        "app/1.0.0": {"dependencies": {"Newtonsoft.Json": "13.0.1"}},
        "Newtonsoft.Json/13.0.1": {"dependencies": {"System.Memory": "4.5.5"}},
        "System.Memory/4.5.5": {}
      }},
      "libraries": {
        "app/1.0.0": {"type": "project"},
        "Newtonsoft.Json/13.0.1": {"type": "package"},
        "System.Memory/4.5.5": {"type": "package"}
      }
    }"#;
    let inv = run(&[("/app/app.deps.json", deps)]);
    let got: Vec<_> = inv
        .packages
        .iter()
        .map(|p| (p.id(), p.depends_on.clone(), p.kind))
        .collect();
    // The application (`type: project`) is the root component.
    let roots: Vec<_> = inv
        .packages
        .iter()
        .filter(|p| p.relationship == Some(Relationship::Root))
        .map(|p| p.id())
        .collect();
    assert_eq!(roots, ["app@1.0.0"]);
    assert_eq!(
        got,
        [
            (
                "Newtonsoft.Json@13.0.1".to_string(),
                vec!["System.Memory@4.5.5".to_string()],
                PackageKind::Nuget
            ),
            (
                "System.Memory@4.5.5".to_string(),
                vec![],
                PackageKind::Nuget
            ),
            (
                "app@1.0.0".to_string(),
                vec!["Newtonsoft.Json@13.0.1".to_string()],
                PackageKind::Nuget
            ),
        ]
    );
}

#[test]
fn requirements_files() {
    let inv = run(&[
        (
            "/app/requirements.txt",
            b"-r requirements-dev.txt\nrequests[socks]==2.31.0 --hash=sha256:00\nflask\n",
        ),
        (
            "/app/requirements-dev.txt",
            b"pytest==7.4.0 ; python_version > '3'\n",
        ),
        ("/app/notes.txt", b"django==4.2\n"),
    ]);
    assert_eq!(
        ids(&inv),
        [
            "/app/requirements-dev.txt:pytest@7.4.0",
            "/app/requirements.txt:requests@2.31.0"
        ]
    );
}

#[test]
fn egg_info_file_and_gemspec_version_object() {
    let inv = run(&[
        (
            "/usr/lib/python3/site-packages/six-1.16.0-py3.11.egg-info",
            b"Metadata-Version: 1.1\nName: six\nVersion: 1.16.0\nLicense: MIT\n",
        ),
        (
            "/usr/local/bundle/specifications/nokogiri-1.15.4-x86_64-linux.gemspec",
            b"Gem::Specification.new do |s|\n  s.name = \"nokogiri\".freeze\n  s.version = Gem::Version.new(\"1.15.4\")\n  s.license = \"MIT\".freeze\nend\n",
        ),
    ]);
    let got: Vec<_> = inv
        .packages
        .iter()
        .map(|p| (p.id(), p.licenses.clone(), p.purl.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "six@1.16.0".to_string(),
                vec!["MIT".to_string()],
                "pkg:pypi/six@1.16.0".to_string()
            ),
            (
                "nokogiri@1.15.4".to_string(),
                vec!["MIT".to_string()],
                "pkg:gem/nokogiri@1.15.4".to_string()
            ),
        ]
    );
}

#[test]
fn package_lock_alias_reports_the_real_package() {
    let lock = br#"{"lockfileVersion":3,"packages":{
        "": {"dependencies": {"strip-ansi-cjs": "npm:strip-ansi@^6.0.1", "x": "1"}},
        "node_modules/strip-ansi-cjs": {"name": "strip-ansi", "version": "6.0.1",
            "dependencies": {"ansi-regex": "^5.0.1"}},
        "node_modules/ansi-regex": {"version": "5.0.1"},
        "node_modules/x": {"version": "1.0.0", "dependencies": {"strip-ansi-cjs": "*"}}
    }}"#;
    let inv = run(&[("/app/package-lock.json", lock)]);
    let got: Vec<_> = inv
        .packages
        .iter()
        .map(|p| (p.id(), p.relationship, p.depends_on.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "ansi-regex@5.0.1".to_string(),
                Some(Relationship::Indirect),
                vec![]
            ),
            (
                "strip-ansi@6.0.1".to_string(),
                Some(Relationship::Direct),
                vec!["ansi-regex@5.0.1".to_string()]
            ),
            (
                "x@1.0.0".to_string(),
                Some(Relationship::Direct),
                vec!["strip-ansi@6.0.1".to_string()]
            ),
        ]
    );
}

#[test]
fn go_sum_fills_in_indirect_modules_before_go_1_17() {
    let old_mod = b"module example.com/old\n\ngo 1.16\n\nrequire github.com/pkg/errors v0.9.1\n";
    let new_mod = b"module example.com/new\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.1\n";
    let sum = b"github.com/pkg/errors v0.9.1 h1:x=\ngithub.com/pkg/errors v0.9.1/go.mod h1:y=\n\
golang.org/x/sys v0.0.0-2019 h1:a=\ngolang.org/x/sys v0.1.0/go.mod h1:b=\ngolang.org/x/sys v0.1.0 h1:c=\n";
    let inv = run(&[
        ("/old/go.mod", old_mod),
        ("/old/go.sum", sum),
        ("/new/go.mod", new_mod),
        ("/new/go.sum", sum),
    ]);
    let got: Vec<_> = inv
        .packages
        .iter()
        .map(|p| (p.found_in.as_str(), p.id(), p.relationship))
        .collect();
    use Relationship::*;
    assert_eq!(
        got,
        [
            ("/new/go.mod", "example.com/new@".to_string(), Some(Root)),
            ("/old/go.mod", "example.com/old@".to_string(), Some(Root)),
            (
                "/new/go.mod",
                "github.com/pkg/errors@v0.9.1".to_string(),
                Some(Direct)
            ),
            (
                "/old/go.mod",
                "github.com/pkg/errors@v0.9.1".to_string(),
                Some(Direct)
            ),
            (
                "/old/go.mod",
                "golang.org/x/sys@v0.1.0".to_string(),
                Some(Indirect)
            ),
            ("/old/go.mod", "stdlib@v1.16".to_string(), Some(Direct)),
            ("/new/go.mod", "stdlib@v1.21".to_string(), Some(Direct)),
        ]
    );
}

#[test]
fn python_eggs_zipped_and_unzipped() {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        z.start_file("simplejson/__init__.py", opts).expect("zip");
        z.write_all(b"pass\n").expect("zip");
        z.start_file("EGG-INFO/PKG-INFO", opts).expect("zip");
        z.write_all(
            b"Metadata-Version: 1.1\nName: simplejson\nVersion: 3.19.1\nLicense: MIT License\n",
        )
        .expect("zip");
        z.finish().expect("zip");
    }
    let egg = buf.into_inner();
    let inv = run(&[
        (
            "/usr/lib/python2.7/site-packages/simplejson-3.19.1-py2.7.egg",
            &egg,
        ),
        (
            "/usr/lib/python2.7/site-packages/pytz-2023.3-py2.7.egg/EGG-INFO/PKG-INFO",
            b"Metadata-Version: 1.1\nName: pytz\nVersion: 2023.3\n",
        ),
        (
            "/usr/lib/python2.7/site-packages/broken-1.0-py2.7.egg",
            b"PK\x03\x04 nope",
        ),
    ]);
    let got: Vec<_> = inv
        .packages
        .iter()
        .map(|p| (p.id(), p.licenses.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("pytz@2023.3".to_string(), vec![]),
            ("simplejson@3.19.1".to_string(), vec!["MIT".to_string()])
        ]
    );
    assert_eq!(inv.warnings.len(), 1, "{:?}", inv.warnings);
    assert!(inv.warnings[0].path.ends_with("broken-1.0-py2.7.egg"));
}

#[test]
fn lockfiles_shipped_inside_installed_packages_are_ignored() {
    let gem_lock: &[u8] = b"GEM\n  specs:\n    rake (13.0.6)\n";
    let req: &[u8] = b"requests==2.0.0\n";
    let composer: &[u8] = br#"{"packages":[{"name":"a/b","version":"1.0.0"}]}"#;
    let inv = run(&[
        ("/usr/local/bundle/gems/rack-3.0.0/Gemfile.lock", gem_lock),
        ("/usr/lib/python3/site-packages/foo/requirements.txt", req),
        ("/app/vendor/a/b/composer.lock", composer),
        (
            "/app/node_modules/x/package-lock.json",
            br#"{"lockfileVersion":3,"packages":{"node_modules/y":{"version":"1.0.0"}}}"#,
        ),
        ("/srv/app/Gemfile.lock", gem_lock),
    ]);
    assert_eq!(ids(&inv), ["/srv/app/Gemfile.lock:rake@13.0.6"]);
}

#[test]
fn many_malformed_entries_give_a_bounded_number_of_warnings() {
    let mut lock = String::from(r#"{"lockfileVersion":3,"packages":{"#);
    for i in 0..1000 {
        lock.push_str(&format!(r#""node_modules/p{i}":{{"version":{i}}},"#));
    }
    lock.push_str(r#""node_modules/ok":{"version":"1.0.0"}}}"#);
    let inv = run(&[("/app/package-lock.json", lock.as_bytes())]);
    assert_eq!(ids(&inv), ["/app/package-lock.json:ok@1.0.0"]);
    assert_eq!(
        inv.warnings.len(),
        bulwark_lang::MAX_WARNINGS_PER_FILE + 1,
        "{:?}",
        inv.warnings.last()
    );
    assert_eq!(
        inv.warnings.last().map(|w| w.message.as_str()),
        Some("980 more malformed entries")
    );
}
