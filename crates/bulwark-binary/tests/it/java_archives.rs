//! Java archives: jars built here with `javac`/`jar` (apt `openjdk-17-jdk-headless`), nested in a
//! war inside an ear, a shaded jar with several `pom.properties`, manifest-only and
//! file-name-only jars; every jar Debian ships under /usr/share/java and /usr/share/maven/lib
//! compared with its `pom.properties` read by `unzip -p` (apt `unzip`); hostile archives (zip
//! bombs, deep nesting, budgets, corruption) built with the zip crate.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use bulwark_binary::java::{self, Limits};
use bulwark_catalog::{catalog_memory_files, CatalogSet, PackageKind};

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {cmd:?} (install a JDK: openjdk-17-jdk-headless): {e}")
    });
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(path: &Path, content: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, content).expect("write");
}

fn pom(dir: &Path, group: &str, artifact: &str, version: &str) {
    write(
        &dir.join(format!("META-INF/maven/{group}/{artifact}/pom.properties")),
        &format!("#Created by Apache Maven 3.9.6\ngroupId={group}\nartifactId={artifact}\nversion={version}\n"),
    );
}

/// `jar` over a staging directory; `manifest` None = no manifest at all (`M` flag).
fn jar(staging: &Path, out: &Path, manifest: Option<&Path>) {
    let mut cmd = Command::new("jar");
    match manifest {
        Some(m) => cmd.arg("cfm").arg(out).arg(m),
        None => cmd.arg("cfM").arg(out),
    };
    run(cmd.arg("-C").arg(staging).arg("."));
}

/// Build the fixture tree; returns the path of the ear.
fn build_fixtures(root: &Path) -> PathBuf {
    // One real compiled class, so the jars look like jars.
    let src = root.join("src/com/example/Hello.java");
    write(
        &src,
        "package com.example;\npublic class Hello { public static String hi() { return \"hi\"; } }\n",
    );
    let classes = root.join("classes");
    run(Command::new("javac").arg("-d").arg(&classes).arg(&src));

    let stage = |name: &str| {
        let dir = root.join("stage").join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        run(Command::new("cp")
            .arg("-r")
            .arg(classes.join("com"))
            .arg(&dir));
        dir
    };

    // inner-lib-1.0.0.jar: one pom.properties.
    let s = stage("inner");
    pom(&s, "com.example", "inner-lib", "1.0.0");
    let inner = root.join("inner-lib-1.0.0.jar");
    jar(&s, &inner, None);

    // shaded.jar: its own pom plus two shaded dependencies.
    let s = stage("shaded");
    pom(&s, "com.example", "shaded-app", "2.0.0");
    pom(&s, "org.dep", "dep-a", "1.1");
    pom(&s, "org.dep", "dep-b", "3.2.1");
    let shaded = root.join("shaded.jar");
    jar(&s, &shaded, None);

    // manifest-only.jar: no pom.properties, identity in the manifest.
    let s = stage("manifest");
    let mf = root.join("manifest.txt");
    write(
        &mf,
        "Implementation-Title: Manifest Only\nImplementation-Version: 5.4.3\nImplementation-Vendor-Id: org.manifest\n",
    );
    let manifest_only = root.join("manifest-only.jar");
    jar(&s, &manifest_only, Some(&mf));

    // plain-lib-4.5.6.jar: neither pom.properties nor manifest.
    let s = stage("plain");
    let plain = root.join("plain-lib-4.5.6.jar");
    jar(&s, &plain, None);

    // webapp.war: its own pom, the four jars in WEB-INF/lib.
    let s = root.join("stage/war");
    pom(&s, "com.example", "webapp", "0.9");
    let lib = s.join("WEB-INF/lib");
    std::fs::create_dir_all(&lib).expect("mkdir");
    for j in [&inner, &shaded, &manifest_only, &plain] {
        std::fs::copy(j, lib.join(j.file_name().expect("name"))).expect("copy");
    }
    let war = root.join("webapp.war");
    jar(&s, &war, None);

    // app.ear: the war.
    let s = root.join("stage/ear");
    std::fs::create_dir_all(&s).expect("mkdir");
    std::fs::copy(&war, s.join("webapp.war")).expect("copy");
    let ear = root.join("app.ear");
    jar(&s, &ear, None);
    ear
}

#[test]
fn nested_ear_war_jars_end_to_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ear = build_fixtures(dir.path());
    let data = std::fs::read(&ear).expect("read ear");
    let set = CatalogSet::new(bulwark_binary::catalogers());
    let inv = catalog_memory_files(&set, &[("/opt/app/app.ear", &data)]);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let got: Vec<(&str, &str, &str, &str, &str)> = inv
        .packages
        .iter()
        .map(|p| {
            assert_eq!(p.kind, PackageKind::Maven);
            (
                p.name.as_str(),
                p.version.as_str(),
                p.purl.as_str(),
                p.found_in.as_str(),
                p.metadata.get("evidence").map(String::as_str).unwrap_or(""),
            )
        })
        .collect();
    let war = "/opt/app/app.ear!/webapp.war";
    let lib = |j: &str| format!("{war}!/WEB-INF/lib/{j}");
    let (inner, shaded, manifest, plain) = (
        lib("inner-lib-1.0.0.jar"),
        lib("shaded.jar"),
        lib("manifest-only.jar"),
        lib("plain-lib-4.5.6.jar"),
    );
    assert_eq!(
        got,
        vec![
            (
                "com.example:inner-lib",
                "1.0.0",
                "pkg:maven/com.example/inner-lib@1.0.0",
                inner.as_str(),
                "pom.properties"
            ),
            (
                "com.example:shaded-app",
                "2.0.0",
                "pkg:maven/com.example/shaded-app@2.0.0",
                shaded.as_str(),
                "pom.properties"
            ),
            (
                "com.example:webapp",
                "0.9",
                "pkg:maven/com.example/webapp@0.9",
                war,
                "pom.properties"
            ),
            (
                "org.dep:dep-a",
                "1.1",
                "pkg:maven/org.dep/dep-a@1.1",
                shaded.as_str(),
                "pom.properties"
            ),
            (
                "org.dep:dep-b",
                "3.2.1",
                "pkg:maven/org.dep/dep-b@3.2.1",
                shaded.as_str(),
                "pom.properties"
            ),
            (
                "org.manifest:manifest-only",
                "5.4.3",
                "pkg:maven/org.manifest/manifest-only@5.4.3",
                manifest.as_str(),
                "manifest"
            ),
            (
                "plain-lib",
                "4.5.6",
                "pkg:maven/plain-lib@4.5.6",
                plain.as_str(),
                "file-name"
            ),
        ]
    );
    assert!(inv.packages.iter().all(|p| p.layer == Some(0)));
}

/// `(group:artifact, version)` from every pom.properties in a jar, read with `unzip -p`.
fn unzip_poms(jar: &Path) -> Vec<(String, String)> {
    let list = Command::new("unzip")
        .arg("-Z1")
        .arg(jar)
        .output()
        .expect("unzip is required (apt-get install unzip)");
    assert!(list.status.success(), "unzip -Z1 {jar:?}");
    let mut out = Vec::new();
    for name in String::from_utf8_lossy(&list.stdout).lines() {
        if !(name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties")) {
            continue;
        }
        let content = Command::new("unzip")
            .arg("-p")
            .arg(jar)
            .arg(name)
            .output()
            .expect("unzip -p");
        let text = String::from_utf8_lossy(&content.stdout);
        let get = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}=")))
                .map(|v| v.trim().to_string())
        };
        if let (Some(g), Some(a), Some(v)) = (get("groupId"), get("artifactId"), get("version")) {
            out.push((format!("{g}:{a}"), v));
        }
    }
    out
}

fn debian_jars() -> Vec<PathBuf> {
    let mut jars = Vec::new();
    for dir in ["/usr/share/java", "/usr/share/maven/lib"] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            // Symlinks are not files in an image layer walk; Debian's versionless names are links.
            let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
            if is_file && java::is_java_archive_name(&path.to_string_lossy()) {
                jars.push(path);
            }
        }
    }
    jars.sort();
    jars
}

#[test]
fn debian_jars_match_unzip() {
    let jars = debian_jars();
    assert!(
        jars.len() >= 20,
        "expected Debian's jars under /usr/share/java (apt-get install maven): {}",
        jars.len()
    );
    let (mut with_pom, mut without_pom) = (0, 0);
    for jar in &jars {
        let data = std::fs::read(jar).expect("read jar");
        let scan = java::scan_archive(
            &jar.file_name().expect("name").to_string_lossy(),
            &data,
            Limits::default(),
        );
        assert!(scan.warnings.is_empty(), "{jar:?}: {:?}", scan.warnings);
        let mut expected = unzip_poms(jar);
        let mut got: Vec<(String, String)> = scan
            .packages
            .iter()
            .filter(|p| p.evidence == java::Evidence::PomProperties && p.nested.is_empty())
            .map(|p| (p.name(), p.version.clone()))
            .collect();
        expected.sort();
        expected.dedup();
        got.sort();
        assert_eq!(got, expected, "{jar:?}");
        if !expected.is_empty() {
            with_pom += 1;
            continue;
        }
        // Without pom.properties: the manifest's version, else the file name's, else nothing.
        let manifest = Command::new("unzip")
            .arg("-p")
            .arg(jar)
            .arg("META-INF/MANIFEST.MF")
            .output()
            .expect("unzip -p");
        let manifest = String::from_utf8_lossy(&manifest.stdout).replace("\r\n ", "");
        let field = |k: &str| {
            manifest
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{k}: ")))
                .map(|v| v.trim().to_string())
        };
        let stem = jar.file_stem().expect("stem").to_string_lossy().to_string();
        let name_version = stem
            .char_indices()
            .find(|&(i, c)| c == '-' && stem[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
            .map(|(i, _)| stem[i + 1..].to_string());
        let expected_version = field("Implementation-Version")
            .or_else(|| field("Bundle-Version"))
            .or_else(|| field("Specification-Version"))
            .or(name_version);
        let got: Vec<&str> = scan.packages.iter().map(|p| p.version.as_str()).collect();
        match expected_version {
            Some(v) => assert_eq!(got, vec![v.as_str()], "{jar:?}"),
            None => assert!(got.is_empty(), "{jar:?}: {got:?}"),
        }
        without_pom += 1;
    }
    eprintln!("{with_pom} jars with pom.properties, {without_pom} without");
    assert!(with_pom >= 20, "{with_pom} jars with pom.properties");
}

// ---- hostile archives, built with the zip crate ----

fn zip_bytes(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data, deflate) in entries {
        let method = if *deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        w.start_file(*name, opts).expect("start");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

fn pom_bytes(artifact: &str) -> Vec<u8> {
    format!("groupId=g\nartifactId={artifact}\nversion=1\n").into_bytes()
}

#[test]
fn zip_bomb_entry_is_refused() {
    let zeros = vec![0u8; 20 << 20];
    let fine = zip_bytes(&[(
        "META-INF/maven/g/fine/pom.properties",
        &pom_bytes("fine"),
        true,
    )]);
    let outer = zip_bytes(&[
        (
            "META-INF/maven/g/outer/pom.properties",
            &pom_bytes("outer"),
            true,
        ),
        ("lib/zeros.jar", &zeros, true),
        ("lib/fine.jar", &fine, false),
    ]);
    assert!(outer.len() < 200_000, "{}", outer.len());
    let scan = java::scan_archive("outer.jar", &outer, Limits::default());
    let names: Vec<String> = scan.packages.iter().map(|p| p.name()).collect();
    assert_eq!(names, vec!["g:fine", "g:outer"]);
    assert_eq!(scan.warnings.len(), 1, "{:?}", scan.warnings);
    assert!(
        scan.warnings[0].starts_with("!/lib/zeros.jar: compression ratio"),
        "{:?}",
        scan.warnings
    );
}

#[test]
fn nesting_deeper_than_the_limit_is_cut() {
    let mut data = zip_bytes(&[(
        "META-INF/maven/g/a10/pom.properties",
        &pom_bytes("a10"),
        true,
    )]);
    for level in (0..10).rev() {
        let pom = pom_bytes(&format!("a{level}"));
        let pom_name = format!("META-INF/maven/g/a{level}/pom.properties");
        data = zip_bytes(&[(&pom_name, &pom, true), ("inner.jar", &data, false)]);
    }
    let scan = java::scan_archive("top.jar", &data, Limits::default());
    // Depth 0 (top) to 8 are opened; the archive at depth 9 is not.
    assert_eq!(scan.packages.len(), 9);
    assert_eq!(scan.warnings.len(), 1, "{:?}", scan.warnings);
    let expected_prefix = "!/inner.jar".repeat(9);
    assert!(
        scan.warnings[0].starts_with(&format!("{expected_prefix}: nested deeper than 8")),
        "{:?}",
        scan.warnings
    );
    let deepest = scan
        .packages
        .iter()
        .find(|p| p.artifact == "a8")
        .expect("a8");
    assert_eq!(deepest.nested, "!/inner.jar".repeat(8));
}

#[test]
fn byte_and_entry_budgets() {
    let inner = zip_bytes(&[("META-INF/maven/g/in/pom.properties", &pom_bytes("in"), true)]);
    let outer = zip_bytes(&[
        (
            "META-INF/maven/g/out/pom.properties",
            &pom_bytes("out"),
            true,
        ),
        ("a.jar", &inner, false),
    ]);
    let tight = Limits {
        max_total_bytes: 100,
        ..Limits::default()
    };
    let scan = java::scan_archive("o.jar", &outer, tight);
    assert_eq!(scan.packages.len(), 1);
    assert_eq!(scan.packages[0].artifact, "out");
    assert!(
        scan.warnings[0].starts_with("!/a.jar: "),
        "{:?}",
        scan.warnings
    );

    let few = Limits {
        max_entries: 2,
        ..Limits::default()
    };
    let scan = java::scan_archive("o.jar", &outer, few);
    assert_eq!(scan.packages.len(), 1);
    assert!(
        scan.warnings[0].contains("over the remaining entry budget"),
        "{:?}",
        scan.warnings
    );
}

#[test]
fn corrupt_archives_warn_and_go_on() {
    let good = zip_bytes(&[("META-INF/maven/g/ok/pom.properties", &pom_bytes("ok"), true)]);
    let truncated = good.get(..good.len() / 2).expect("half");
    let set = CatalogSet::new(bulwark_binary::catalogers());
    let inv = catalog_memory_files(
        &set,
        &[("/a/broken-1.0.jar", truncated), ("/a/ok.jar", &good)],
    );
    assert_eq!(inv.packages.len(), 1);
    assert_eq!(inv.packages[0].name, "g:ok");
    assert_eq!(inv.warnings.len(), 1);
    assert_eq!(inv.warnings[0].path, "/a/broken-1.0.jar");
    assert_eq!(inv.warnings[0].cataloger, "java-archive");
    assert!(inv.warnings[0]
        .message
        .starts_with("not a readable zip archive"));
}

#[test]
fn gradle_lockfile_end_to_end() {
    let lock = b"# This is a Gradle generated file for dependency locking.\n# Manual edits can break the build and are not advised.\n# This file is expected to be part of source control.\ncom.fasterxml.jackson.core:jackson-core:2.15.2=compileClasspath,runtimeClasspath\norg.junit.jupiter:junit-jupiter-api:5.10.0=testCompileClasspath,testRuntimeClasspath\nempty=annotationProcessor\n";
    let set = CatalogSet::new(bulwark_binary::catalogers());
    let inv = catalog_memory_files(&set, &[("/src/app/gradle.lockfile", lock)]);
    let got: Vec<(&str, &str, &str, &str)> = inv
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.purl.as_str(),
                p.metadata
                    .get("configurations")
                    .map(String::as_str)
                    .unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "com.fasterxml.jackson.core:jackson-core",
                "2.15.2",
                "pkg:maven/com.fasterxml.jackson.core/jackson-core@2.15.2",
                "compileClasspath,runtimeClasspath"
            ),
            (
                "org.junit.jupiter:junit-jupiter-api",
                "5.10.0",
                "pkg:maven/org.junit.jupiter/junit-jupiter-api@5.10.0",
                "testCompileClasspath,testRuntimeClasspath"
            ),
        ]
    );
}

/// Spring Boot "fully executable" jars start with a shell script before the zip data.
#[test]
fn launch_script_prefixed_jar() {
    let inner = zip_bytes(&[(
        "META-INF/maven/g/lib/pom.properties",
        &pom_bytes("lib"),
        true,
    )]);
    let zip = zip_bytes(&[
        (
            "META-INF/maven/g/boot/pom.properties",
            &pom_bytes("boot"),
            true,
        ),
        ("BOOT-INF/lib/lib-1.jar", &inner, false),
    ]);
    let mut data = b"#!/bin/bash\nexec java -jar \"$0\" \"$@\"\n".to_vec();
    data.extend_from_slice(&zip);
    let scan = java::scan_archive("app.jar", &data, Limits::default());
    assert!(scan.warnings.is_empty(), "{:?}", scan.warnings);
    let got: Vec<(String, &str)> = scan
        .packages
        .iter()
        .map(|p| (p.name(), p.nested.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("g:lib".to_string(), "!/BOOT-INF/lib/lib-1.jar"),
            ("g:boot".to_string(), "")
        ]
    );
}
