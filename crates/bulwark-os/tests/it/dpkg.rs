//! dpkg cataloger against the corpus fixtures: every package dpkg-query lists (minus
//! `config-files`), with the exact fields the peers assert.

use std::collections::BTreeSet;

use crate::common::{expected, fixture, pkg, run, s};

const STATUS: &str = "/var/lib/dpkg/status";

const DEBIAN12_OS_RELEASE: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";

/// (name, version, source name, source version, arch) of what dpkg-query lists as present.
fn reference(exp: &serde_json::Value) -> BTreeSet<(String, String, String, String, String)> {
    exp["reference_dump_dpkg_query"]["packages"]
        .as_array()
        .expect("reference dump")
        .iter()
        .filter(|p| s(p, "status_abbrev") != "rc")
        .map(|p| {
            (
                s(p, "name").into(),
                s(p, "version").into(),
                s(p, "source_name").into(),
                s(p, "source_version").into(),
                s(p, "arch").into(),
            )
        })
        .collect()
}

fn ours(inv: &bulwark_catalog::Inventory) -> BTreeSet<(String, String, String, String, String)> {
    inv.packages
        .iter()
        .map(|p| {
            let src = p.source.as_ref().expect("source");
            (
                p.name.clone(),
                p.version.clone(),
                src.name.clone(),
                src.version.clone().unwrap_or_default(),
                p.arch.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn check_against_dpkg_query(dir: &str) -> bulwark_catalog::Inventory {
    let inv = run(&[(STATUS, fixture(&format!("{dir}/status")))]);
    let exp = expected(&format!("{dir}/status.expected.json"));
    let want = reference(&exp);
    assert!(!want.is_empty());
    assert_eq!(ours(&inv), want, "{dir}");
    assert_eq!(inv.packages.len(), want.len());
    inv
}

#[test]
fn ubuntu_1804_matches_dpkg_query_and_trivy() {
    let inv = check_against_dpkg_query("dpkg/ubuntu-18.04");
    assert_eq!(
        pkg(&inv, "base-files").depends_on,
        vec!["mawk@1.3.3-17ubuntu3"],
        "awk via Provides"
    );
    assert_eq!(
        pkg(&inv, "bash").depends_on,
        vec![
            "base-files@10.1ubuntu2.2",
            "debianutils@4.8.4",
            "libc6@2.27-3ubuntu1",
            "libtinfo5@6.1-1ubuntu1.18.04"
        ],
        "Depends plus Pre-Depends"
    );
    let exp = expected("dpkg/ubuntu-18.04/status.expected.json");
    let peer = exp["packages"].as_array().unwrap();
    assert_eq!(peer.len(), 90);
    assert_eq!(inv.packages.len(), 90, "config-files entry (git) skipped");
    for p in peer {
        let ours = pkg(&inv, s(p, "name"));
        assert_eq!(ours.version, s(p, "full_version"));
        assert_eq!(
            ours.metadata.get("maintainer").map(String::as_str),
            Some(s(p, "maintainer"))
        );
        assert_eq!(ours.arch.as_deref(), Some(s(p, "arch")));
        let deps: Vec<&str> = p["depends_on"]
            .as_array()
            .map(|a| a.iter().filter_map(|d| d.as_str()).collect())
            .unwrap_or_default();
        // Trivy resolves only Depends, by package name; we also follow Pre-Depends and
        // virtual packages (Provides), so ours is a superset.
        for d in &deps {
            assert!(
                ours.depends_on.iter().any(|o| o == d),
                "{} -> {d}",
                ours.name
            );
        }
        // No os-release: the namespace defaults to debian, no distro qualifier.
        assert!(ours.purl.starts_with(&format!(
            "pkg:deb/debian/{}@",
            bulwark_os::purl::encode(&ours.name)
        )));
        assert_eq!(ours.layer, Some(0));
    }
}

#[test]
fn debian12_binnmu_epoch_and_purls() {
    let inv = run(&[
        (STATUS, fixture("dpkg/debian-12-binnmu/status")),
        ("/etc/os-release", DEBIAN12_OS_RELEASE.as_bytes().to_vec()),
    ]);
    let exp = expected("dpkg/debian-12-binnmu/status.expected.json");
    let want = reference(&exp);
    assert_eq!(ours(&inv), want);
    for p in exp["packages"].as_array().unwrap() {
        let ours = pkg(&inv, s(p, "name"));
        assert_eq!(ours.version, s(p, "version"));
        assert_eq!(ours.metadata["maintainer"], s(p, "maintainer"));
    }
    let ule = pkg(&inv, "util-linux-extra");
    assert_eq!(
        ule.purl,
        "pkg:deb/debian/util-linux-extra@2.38.1-5%2Bb1?arch=amd64&distro=debian-12"
    );
    assert_eq!(
        pkg(&inv, "attr").purl,
        "pkg:deb/debian/attr@1:2.5.1-4?arch=amd64&distro=debian-12"
    );
    let d = inv.distro.as_ref().unwrap();
    assert_eq!(
        (d.id.as_str(), d.release.as_deref(), d.eol.as_deref()),
        ("debian", Some("12"), Some("2026-07-11"))
    );
}

#[test]
fn source_with_version_in_parentheses() {
    let inv = check_against_dpkg_query("dpkg/debian-10-postgresql");
    let p = pkg(&inv, "postgresql-client");
    let src = p.source.as_ref().unwrap();
    assert_eq!(src.name, "postgresql-common");
    assert_eq!(src.version.as_deref(), Some("200+deb10u5"));
}

#[test]
fn large_texlive_status() {
    let inv = check_against_dpkg_query("dpkg/ubuntu-18.04-texlive");
    assert_eq!(inv.packages.len(), 357);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
}

#[test]
fn vcpkg_status_is_not_a_dpkg_database() {
    let inv = run(&[(STATUS, fixture("dpkg/negative-vcpkg/status"))]);
    assert!(inv.packages.is_empty());
    assert_eq!(inv.warnings.len(), 1);
    assert!(inv.warnings[0].message.contains("vcpkg"));
}

#[test]
fn distroless_status_d() {
    let apt_md5 = b"d41d8cd98f00b204e9800998ecf8427e  usr/bin/apt\nd41d8cd98f00b204e9800998ecf8427e  usr/lib/x86_64-linux-gnu/libapt-private.so.0.0.0\n".to_vec();
    let inv = run(&[
        (
            "/var/lib/dpkg/status.d/apt",
            fixture("dpkg/distroless-status.d/single"),
        ),
        ("/var/lib/dpkg/status.d/apt.md5sums", apt_md5),
        (
            "/var/lib/dpkg/status.d/multiple",
            fixture("dpkg/distroless-status.d/multiple"),
        ),
        (
            "/var/lib/dpkg/status.d/linux",
            fixture("dpkg/distroless-status.d/deinstall"),
        ),
    ]);
    let names: Vec<&str> = inv.packages.iter().map(|p| p.name.as_str()).collect();
    // syft also reports the version-less "no-version" stanza; dpkg itself rejects a package
    // without a version, and so do we (with a warning).
    assert_eq!(
        names,
        vec!["apt", "linux-image-6.14.0-1012-aws", "tzdata", "util-linux"]
    );
    let apt = pkg(&inv, "apt");
    assert_eq!(apt.version, "1.8.2");
    assert_eq!(apt.source.as_ref().unwrap().name, "apt-dev");
    assert_eq!(apt.metadata["installed_size"], "4064");
    assert_eq!(
        apt.metadata["maintainer"],
        "APT Development Team <deity@lists.debian.org>"
    );
    assert_eq!(
        apt.files,
        vec![
            "/usr/bin/apt",
            "/usr/lib/x86_64-linux-gnu/libapt-private.so.0.0.0"
        ]
    );
    assert!(apt.found_in.ends_with("status.d/apt"));
    let tz = pkg(&inv, "tzdata");
    assert_eq!(tz.source.as_ref().unwrap().name, "tzdata-dev");
    assert_eq!(tz.version, "2020a-0+deb10u1");
    let k = pkg(&inv, "linux-image-6.14.0-1012-aws");
    assert_eq!(k.source.as_ref().unwrap().name, "linux-signed-aws-6.14");
    // Two warnings from "multiple": the duplicated Package field and the version-less stanza.
    assert_eq!(inv.warnings.len(), 2, "{:?}", inv.warnings);
    let d = inv.distro.as_ref().expect("distroless -> debian");
    assert_eq!(d.id, "debian");
    assert_eq!(d.markers, vec!["distroless"]);
    assert!(inv.warnings.iter().all(|w| w.cataloger == "dpkg"));
}

#[test]
fn files_licenses_and_layers() {
    let v1 = "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nMaintainer: m\n\nPackage: b\nStatus: install ok installed\nVersion: 1\nArchitecture: all\nMaintainer: m\n";
    let v2 = "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nMaintainer: m\n\nPackage: b\nStatus: install ok installed\nVersion: 2\nArchitecture: all\nMaintainer: m\n";
    let v3 = format!("{v2}\nPackage: c\nStatus: install ok installed\nVersion: 3\nArchitecture: amd64\nMaintainer: m\nSource: csrc\n");
    let copyright = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: Expat\n\nFiles: debian/*\nLicense: GPL-2+\n";
    let layers = vec![
        vec![
            (STATUS.to_string(), v1.as_bytes().to_vec()),
            (
                "/var/lib/dpkg/info/a:amd64.list".to_string(),
                b"/.\n/usr\n/usr/bin/a\n".to_vec(),
            ),
            ("/usr/bin/a".to_string(), b"x".to_vec()),
        ],
        vec![
            (STATUS.to_string(), v2.as_bytes().to_vec()),
            (
                "/var/lib/dpkg/info/b.list".to_string(),
                b"/etc/b.conf\n".to_vec(),
            ),
            (
                "/usr/share/doc/b/copyright".to_string(),
                copyright.as_bytes().to_vec(),
            ),
        ],
        vec![(STATUS.to_string(), v3.into_bytes())],
        vec![("/unrelated".to_string(), b"y".to_vec())],
    ];
    let inv = crate::common::run_layers(&layers);
    let layer_of = |n: &str| pkg(&inv, n).layer;
    assert_eq!(layer_of("a"), Some(0));
    assert_eq!(layer_of("b"), Some(1), "upgraded in layer 1");
    assert_eq!(layer_of("c"), Some(2));
    // The view holds /usr as a directory only implicitly; "/." is dropped.
    assert_eq!(pkg(&inv, "a").files, vec!["/usr", "/usr/bin/a"]);
    assert_eq!(pkg(&inv, "b").files, vec!["/etc/b.conf"]);
    assert_eq!(pkg(&inv, "b").licenses, vec!["MIT", "GPL-2.0-or-later"]);
    assert_eq!(pkg(&inv, "c").source.as_ref().unwrap().name, "csrc");
    assert_eq!(
        pkg(&inv, "c").source.as_ref().unwrap().version.as_deref(),
        Some("3")
    );
    assert!(pkg(&inv, "a").purl.ends_with("?arch=amd64"));
}
