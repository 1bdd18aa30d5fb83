//! apk cataloger against the corpus fixtures.

use crate::common::{expected, fixture, pkg, run, s};

const INSTALLED: &str = "/lib/apk/db/installed";

#[test]
fn alpine_318_matches_scalibr() {
    let os_release = b"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.0\nPRETTY_NAME=\"Alpine Linux v3.18\"\n".to_vec();
    let inv = run(&[
        (INSTALLED, fixture("apk/alpine-3.18/installed")),
        ("/etc/os-release", os_release),
    ]);
    let exp = expected("apk/alpine-3.18/installed.expected.json");
    let peer = exp["packages"].as_array().unwrap();
    assert_eq!(inv.packages.len(), peer.len());
    assert_eq!(peer.len(), 15);
    for p in peer {
        let ours = pkg(&inv, s(p, "name"));
        assert_eq!(ours.version, s(p, "version"));
        assert_eq!(ours.source.as_ref().unwrap().name, s(p, "origin"));
        assert_eq!(ours.metadata["origin"], s(p, "origin"));
        assert_eq!(ours.metadata["maintainer"], s(p, "maintainer"));
        assert_eq!(ours.metadata["commit"], s(p, "commit"));
        assert_eq!(ours.arch.as_deref(), Some(s(p, "arch")));
        assert_eq!(ours.licenses, vec![s(p, "license").to_string()]);
        assert_eq!(
            ours.purl,
            format!(
                "pkg:apk/alpine/{}@{}?arch={}&distro=alpine-3.18.0",
                bulwark_os::purl::encode(&ours.name),
                bulwark_os::purl::encode(&ours.version),
                s(p, "arch")
            )
        );
    }
    let musl = pkg(&inv, "musl");
    assert_eq!(musl.metadata["build_time"], "1682999359");
    let d = inv.distro.as_ref().unwrap();
    assert_eq!(
        (d.family.as_str(), d.release.as_deref(), d.eol.as_deref()),
        ("alpine", Some("3.18"), Some("2025-05-09"))
    );
    assert!(inv.warnings.is_empty());
    assert!(inv.packages.iter().all(|p| p.layer == Some(0)));
}

#[test]
fn alpine_34_matches_trivy_and_skips_the_broken_stanza() {
    let inv = run(&[(INSTALLED, fixture("apk/alpine-3.4/installed"))]);
    let exp = expected("apk/alpine-3.4/installed.expected.json");
    let peer = exp["packages"].as_array().unwrap();
    assert_eq!(inv.packages.len(), 15);
    assert_eq!(peer.len(), 15);
    for p in peer {
        let ours = pkg(&inv, s(p, "name"));
        assert_eq!(ours.version, s(p, "version"));
        assert_eq!(ours.source.as_ref().unwrap().name, s(p, "src_name"));
        assert_eq!(ours.metadata["maintainer"], s(p, "maintainer"));
        assert_eq!(ours.metadata["checksum"], s(p, "digest"));
        // libc-utils owns no files (trivy leaves the key out).
        let files: Vec<String> = p["installed_files"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| format!("/{}", f.as_str().unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(ours.files, files, "{}", ours.name);
        for f in &files {
            assert!(inv.packages.iter().any(|q| q.files.contains(f)));
        }
        let deps: Vec<&str> = p["depends_on"]
            .as_array()
            .map(|a| a.iter().filter_map(|d| d.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(ours.depends_on, deps, "{}", ours.name);
    }
    assert_eq!(inv.warnings.len(), 1);
    assert!(inv.warnings[0]
        .message
        .contains("invalidPackageWithoutAVersion"));
    assert_eq!(inv.warnings[0].cataloger, "apk");
}

#[test]
fn layer_of_each_package() {
    let l0 = "P:musl\nV:1.2.4-r1\nA:x86_64\n\nP:zlib\nV:1.3-r0\nA:x86_64\n";
    let l1 = "P:musl\nV:1.2.4-r1\nA:x86_64\n\nP:zlib\nV:1.3-r1\nA:x86_64\n\nP:curl\nV:8.5.0-r0\nA:x86_64\nD:musl so:libz.so.1\n";
    let l2 = "P:musl\nV:1.2.4-r1\nA:x86_64\n\nP:zlib\nV:1.3-r1\nA:x86_64\np:so:libz.so.1=1\n\nP:curl\nV:8.5.0-r0\nA:x86_64\nD:musl so:libz.so.1\n";
    let layers: Vec<Vec<(String, Vec<u8>)>> = [l0, l1, l2]
        .iter()
        .map(|t| vec![(INSTALLED.to_string(), t.as_bytes().to_vec())])
        .collect();
    let inv = crate::common::run_layers(&layers);
    assert_eq!(pkg(&inv, "musl").layer, Some(0));
    assert_eq!(pkg(&inv, "zlib").layer, Some(1), "upgraded in layer 1");
    assert_eq!(pkg(&inv, "curl").layer, Some(1));
    assert_eq!(
        pkg(&inv, "curl").depends_on,
        vec!["musl@1.2.4-r1", "zlib@1.3-r1"],
        "so: dependency resolved through provides"
    );
    // A later layer that empties the database leaves no package visible.
    let mut gone = layers.clone();
    gone.push(vec![("/lib/apk/db/installed".to_string(), Vec::new())]);
    let inv = crate::common::run_layers(&gone);
    assert!(inv.packages.is_empty());
}
