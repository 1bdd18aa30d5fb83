//! Issue 12: Java archive identity (embedded pom.xml, Jenkins plugins, instrumentation jars),
//! Oracle's commercial JDK, and declared Maven `pom.xml` files, against real files from Syft's
//! test data (see ../fixtures/PROVENANCE.md), with the exact packages expected.

use std::io::Write;
use std::path::{Path, PathBuf};

use bulwark_catalog::{catalog_memory_files, CatalogSet, Inventory, Relationship};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn run(files: &[(&str, &[u8])]) -> Inventory {
    catalog_memory_files(&CatalogSet::new(bulwark_binary::catalogers()), files)
}

/// A zip of every file under `dir` (the way Syft's fixture Makefile jars its directories).
fn zip_dir(dir: &Path) -> Vec<u8> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p
                    .strip_prefix(base)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        w.start_file(name, opts).unwrap_or_else(|e| panic!("{e}"));
        w.write_all(&data).unwrap_or_else(|e| panic!("{e}"));
    }
    w.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

fn summary(inv: &Inventory) -> Vec<String> {
    inv.packages
        .iter()
        .map(|p| {
            let rel = match p.relationship {
                Some(Relationship::Root) => "root",
                Some(Relationship::Direct) => "direct",
                Some(Relationship::Indirect) => "indirect",
                None => "-",
            };
            format!(
                "{} {} {}{}{} {}",
                p.id(),
                rel,
                if p.dev { "dev" } else { "prod" },
                if p.declared { " declared" } else { "" },
                p.metadata
                    .get("evidence")
                    .map(|e| format!(" evidence={e}"))
                    .unwrap_or_default(),
                p.purl
            )
        })
        .collect()
}

fn read(rel: &str) -> Vec<u8> {
    let p = fixtures().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn quiet(files: &[(&str, &[u8])]) -> Inventory {
    let inv = run(files);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    inv
}

/// A jar without pom.properties and with a dotted, sbt-style file name: the embedded pom.xml
/// names it (not `com.fasterxml.jackson.core.jackson-core`, and with its group).
#[test]
fn embedded_pom_xml_names_the_jar() {
    let jar =
        zip_dir(&fixtures().join("jar-metadata/com.fasterxml.jackson.core.jackson-core-2.15.2"));
    let inv = quiet(&[(
        "/app/lib/com.fasterxml.jackson.core.jackson-core-2.15.2.jar",
        &jar,
    )]);
    assert_eq!(
        summary(&inv),
        ["com.fasterxml.jackson.core:jackson-core@2.15.2 - prod evidence=pom.xml pkg:maven/com.fasterxml.jackson.core/jackson-core@2.15.2"]
    );
    assert_eq!(
        inv.packages[0].metadata.get("pom_xml").map(String::as_str),
        Some("META-INF/maven/com.fasterxml.jackson.core/jackson-core/pom.xml")
    );
}

/// New Relic's instrumentation modules (`Weave-Classes` in the manifest) only weave classes
/// into other libraries: no package, not even from the file name.
#[test]
fn instrumentation_jars_are_not_packages() {
    let jar = zip_dir(&fixtures().join("jar-metadata/spring-instrumentation-4.3.0-1.0"));
    let inv = quiet(&[(
        "/opt/newrelic/instrumentation/spring-instrumentation-4.3.0-1.0.jar",
        &jar,
    )]);
    assert_eq!(summary(&inv), Vec::<String>::new());
}

/// A Jenkins plugin is named by its manifest's Group-Id, Short-Name and Plugin-Version.
#[test]
fn jenkins_plugins_from_their_manifest() {
    let hpi = zip_dir(&fixtures().join("jar-metadata/jenkins-plugins/gradle/2.11"));
    for path in [
        "/var/jenkins_home/plugins/gradle.hpi",
        "/var/jenkins_home/plugins/gradle.jpi",
    ] {
        let inv = quiet(&[(path, &hpi)]);
        assert_eq!(
            summary(&inv),
            ["org.jenkins-ci.plugins:gradle@2.11 - prod evidence=manifest pkg:maven/org.jenkins-ci.plugins/gradle@2.11"]
        );
    }
}

/// Oracle's commercial JDK 8: the identifiers NVD files it under, the full runtime version.
#[test]
fn oracle_jdk_release() {
    let release = read("jvm/oracle-jdk-se-8/release");
    let inv = quiet(&[("/usr/lib/jvm/jdk-1.8-oracle-x64/release", &release)]);
    assert_eq!(
        summary(&inv),
        ["jdk@1.8.0_411-b25 - prod evidence=java-release-file pkg:generic/oracle/jdk@1.8.0_411-b25"]
    );
    assert_eq!(
        inv.packages[0].cpes,
        [
            "cpe:2.3:a:oracle:java_se:1.8.0:update411:*:*:*:*:*:*",
            "cpe:2.3:a:oracle:jre:1.8.0:update411:*:*:*:*:*:*",
            "cpe:2.3:a:oracle:jdk:1.8.0:update411:*:*:*:*:*:*"
        ]
    );
    assert_eq!(
        inv.packages[0]
            .metadata
            .get("java_version")
            .map(String::as_str),
        Some("1.8.0_411")
    );
}

/// Declared Maven dependencies: properties resolved (`${commons.lang3.version}`...), test
/// scope is dev, a version only a remote parent/BOM defines stays empty; the project is the
/// root component and everything is marked declared.
#[test]
fn pom_xml_declared_dependencies() {
    let pom = read("pom/commons-text-1.10.0/pom.xml");
    let inv = quiet(&[("/src/commons-text/pom.xml", &pom)]);
    assert_eq!(
        summary(&inv),
        [
            "commons-io:commons-io@2.11.0 direct dev declared pkg:maven/commons-io/commons-io@2.11.0",
            "org.apache.commons:commons-lang3@3.12.0 direct prod declared pkg:maven/org.apache.commons/commons-lang3@3.12.0",
            "org.apache.commons:commons-rng-simple@1.4 direct dev declared pkg:maven/org.apache.commons/commons-rng-simple@1.4",
            "org.apache.commons:commons-text@1.10.0 root prod declared pkg:maven/org.apache.commons/commons-text@1.10.0",
            "org.assertj:assertj-core@3.23.1 direct dev declared pkg:maven/org.assertj/assertj-core@3.23.1",
            "org.graalvm.js:js@22.0.0.2 direct dev declared pkg:maven/org.graalvm.js/js@22.0.0.2",
            "org.graalvm.js:js-scriptengine@22.0.0.2 direct dev declared pkg:maven/org.graalvm.js/js-scriptengine@22.0.0.2",
            "org.junit.jupiter:junit-jupiter@ direct dev declared pkg:maven/org.junit.jupiter/junit-jupiter",
            "org.mockito:mockito-inline@4.8.0 direct dev declared pkg:maven/org.mockito/mockito-inline@4.8.0",
            "org.openjdk.jmh:jmh-core@1.35 direct dev declared pkg:maven/org.openjdk.jmh/jmh-core@1.35",
            "org.openjdk.jmh:jmh-generator-annprocess@1.35 direct dev declared pkg:maven/org.openjdk.jmh/jmh-generator-annprocess@1.35",
        ]
    );
    let pom = read("pom/example-java-app-maven/pom.xml");
    let inv = quiet(&[("/src/app/pom.xml", &pom)]);
    assert_eq!(
        summary(&inv),
        [
            "com.joda:joda-time@2.9.2 direct prod declared pkg:maven/com.joda/joda-time@2.9.2",
            "junit:junit@4.12 direct dev declared pkg:maven/junit/junit@4.12",
            "org.anchore:example-java-app-maven@0.1.0 root prod declared pkg:maven/org.anchore/example-java-app-maven@0.1.0",
        ]
    );
    let root = inv
        .packages
        .iter()
        .find(|p| p.relationship == Some(Relationship::Root));
    assert_eq!(
        root.map(|p| p.depends_on.clone()),
        Some(vec![
            "com.joda:joda-time@2.9.2".to_string(),
            "junit:junit@4.12".to_string()
        ])
    );
}

/// A parent pom in the same image gives the child its managed versions and properties.
#[test]
fn pom_xml_parent_in_the_image() {
    let parent = br#"<project><groupId>org.ex</groupId><artifactId>parent</artifactId><version>7</version>
      <properties><guava.version>32.1.2-jre</guava.version></properties>
      <dependencyManagement><dependencies>
        <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.9</version></dependency>
      </dependencies></dependencyManagement></project>"#;
    let child = br#"<project><parent><groupId>org.ex</groupId><artifactId>parent</artifactId><version>7</version></parent>
      <artifactId>svc</artifactId>
      <dependencies>
        <dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId><version>${guava.version}</version></dependency>
        <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId></dependency>
      </dependencies></project>"#;
    let inv = quiet(&[("/src/pom.xml", parent), ("/src/svc/pom.xml", child)]);
    let got: Vec<String> = inv
        .packages
        .iter()
        .filter(|p| p.found_in == "/src/svc/pom.xml")
        .map(|p| p.id())
        .collect();
    assert_eq!(
        got,
        [
            "com.google.guava:guava@32.1.2-jre",
            "org.ex:svc@7",
            "org.slf4j:slf4j-api@2.0.9"
        ]
    );
    let bad = run(&[("/src/broken/pom.xml", b"<project><artifactId>x</art")]);
    assert_eq!(bad.packages.len(), 0);
    assert_eq!(bad.warnings.len(), 1);
    assert!(
        bad.warnings[0].message.starts_with("invalid XML"),
        "{:?}",
        bad.warnings
    );
}

/// Bitnami component SBOMs (Syft's fixtures): SPDX JSON and tag-value; only `pkg:bitnami`
/// purls are Bitnami packages (the Maven jars pljava bundles are the jar cataloger's); the
/// described component contains the rest.
#[test]
fn bitnami_spdx() {
    let json = read("bitnami/postgresql/.spdx-postgresql.spdx");
    let inv = quiet(&[("/opt/bitnami/postgresql/.spdx-postgresql.spdx", &json)]);
    let got: Vec<String> = inv
        .packages
        .iter()
        .map(|p| format!("{} {} {}", p.kind.as_str(), p.id(), p.licenses.join(",")))
        .collect();
    assert_eq!(
        got,
        [
            "bitnami gdal@3.10.1 MIT",
            "bitnami geos@3.13.0 LGPL-2.1-only",
            "bitnami json-c@0.16.20220414 MIT",
            "bitnami nss-wrapper@1.1.16 BSD-3-Clause",
            "bitnami orafce@4.14.1 0BSD",
            "bitnami pgaudit@17.0.0 PostgreSQL",
            "bitnami pgbackrest@2.54.2 MIT",
            "bitnami pljava@1.6.8 BSD-3-Clause",
            "bitnami postgis@3.4.4 GPL-2.0-or-later",
            "bitnami postgresql@17.2.0-8 PostgreSQL",
            "bitnami proj@6.3.2 MIT",
            "bitnami protobuf@3.21.12 BSD-3-Clause",
            "bitnami protobuf-c@1.5.1 BSD-2-Clause",
            "bitnami psqlodbc@16.0.0 LGPL-3.0-only",
            "bitnami unixodbc@2.3.12 LGPL-2.1-only",
            "bitnami wal2json@2.6.0 BSD-3-Clause",
        ]
    );
    let pg = inv.packages.iter().find(|p| p.name == "postgresql");
    assert_eq!(
        pg.map(|p| p.purl.as_str()),
        Some("pkg:bitnami/postgresql@17.2.0-8?arch=arm64&distro=debian-12")
    );
    assert_eq!(pg.map(|p| p.depends_on.len()), Some(15));
    let nss = inv.packages.iter().find(|p| p.name == "nss-wrapper");
    assert_eq!(
        nss.map(|p| p.purl.as_str()),
        Some("pkg:bitnami/nss_wrapper@1.1.16?arch=arm64&distro=debian-12")
    );

    let tv = read("bitnami/redis/.spdx-apache.spdx");
    let inv = quiet(&[("/opt/bitnami/redis/.spdx-apache.spdx", &tv)]);
    let got: Vec<String> = inv
        .packages
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {:?}",
                p.id(),
                p.purl,
                p.licenses.join(","),
                p.cpes
            )
        })
        .collect();
    assert_eq!(
        got,
        ["redis@7.4.1-0 pkg:bitnami/redis@7.4.1-0?arch=arm64&distro=debian-12 RSALv2 [\"cpe:2.3:*:redis:redis:7.4.1:*:*:*:*:*:*:*\"]"]
    );
    let bad = run(&[("/opt/bitnami/x/.spdx-x.spdx", b"not an sbom")]);
    assert_eq!(bad.packages.len(), 0);
    assert_eq!(
        bad.warnings
            .iter()
            .map(|w| w.message.as_str())
            .collect::<Vec<_>>(),
        ["neither SPDX JSON nor SPDX tag-value"]
    );
}
