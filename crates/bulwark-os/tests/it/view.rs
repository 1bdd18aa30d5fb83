//! Behaviour that needs a real file view (directories and symlinks), which the in-memory
//! helpers do not build: the walk result is assembled by hand exactly as the walker would.

use bulwark_catalog::{
    Captured, CatalogSet, EntryMeta, FileView, Inventory, LayerInfo, Node, NodeKind, Visitor,
    WalkResult,
};

enum E<'a> {
    Dir(&'a str),
    File(&'a str, &'a [u8]),
    Link(&'a str, &'a str),
}

fn walk(entries: &[E<'_>]) -> Inventory {
    let set = CatalogSet::new(bulwark_os::catalogers());
    let mut view = FileView::new();
    let mut captured = Vec::new();
    for e in entries {
        let (path, kind, data): (&str, NodeKind, &[u8]) = match e {
            E::Dir(p) => (p, NodeKind::Dir, b""),
            E::File(p, d) => (p, NodeKind::File, d),
            E::Link(p, t) => (p, NodeKind::Symlink(t.to_string()), b""),
        };
        view.insert(
            path.to_string(),
            Node {
                kind: kind.clone(),
                size: data.len() as u64,
                mode: 0o644,
                layer: 0,
            },
        );
        if kind == NodeKind::File {
            let meta = EntryMeta {
                path,
                size: data.len() as u64,
                mode: 0o644,
                layer: 0,
            };
            if set.wants(&meta) {
                captured.push(Captured {
                    path: path.to_string(),
                    layer: 0,
                    visible: true,
                    output: set.visit(&meta, data),
                });
            }
        }
    }
    set.finish(WalkResult {
        layers: vec![LayerInfo::default()],
        view,
        captured,
    })
}

const STATUS: &[u8] = b"Package: libfoo\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: m\n";

#[test]
fn os_release_symlink_doc_symlink_and_directories() {
    let inv = walk(&[
        E::Dir("/etc"),
        E::Dir("/usr"),
        E::Dir("/usr/lib"),
        E::Dir("/usr/share"),
        E::Dir("/usr/share/doc"),
        E::Dir("/usr/share/doc/foo-common"),
        E::Link("/etc/os-release", "../usr/lib/os-release"),
        E::File(
            "/usr/lib/os-release",
            b"ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\n",
        ),
        E::File("/var/lib/dpkg/status", STATUS),
        E::File(
            "/var/lib/dpkg/info/libfoo:amd64.list",
            b"/.\n/usr\n/usr/lib\n/usr/lib/libfoo.so.1\n",
        ),
        E::Link("/usr/share/doc/libfoo", "foo-common"),
        E::File(
            "/usr/share/doc/foo-common/copyright",
            b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: BSD-3-clause\n",
        ),
        E::File("/usr/lib/libfoo.so.1", b"\x7fELF"),
    ]);
    let d = inv.distro.as_ref().unwrap();
    assert_eq!(d.found_in, "/usr/lib/os-release");
    assert_eq!(
        (
            d.id.as_str(),
            d.family.as_str(),
            d.release.as_deref(),
            d.eol.as_deref()
        ),
        ("ubuntu", "debian", Some("22.04"), Some("2027-06-01"))
    );
    assert_eq!(inv.packages.len(), 1);
    let p = &inv.packages[0];
    assert_eq!(p.licenses, vec!["BSD-3-Clause"]);
    assert_eq!(
        p.files,
        vec!["/usr/lib/libfoo.so.1"],
        "directories are not owned"
    );
    assert_eq!(
        p.purl,
        "pkg:deb/ubuntu/libfoo@1.0-1?arch=amd64&distro=ubuntu-22.04"
    );
}

#[test]
fn etc_os_release_wins_over_usr_lib() {
    let inv = walk(&[
        E::Dir("/etc"),
        E::Dir("/usr"),
        E::Dir("/usr/lib"),
        E::File("/etc/os-release", b"ID=rocky\nVERSION_ID=\"9.3\"\n"),
        E::File("/usr/lib/os-release", b"ID=centos\nVERSION_ID=\"9\"\n"),
        E::File("/etc/redhat-release", b"CentOS Stream release 9\n"),
    ]);
    let d = inv.distro.as_ref().unwrap();
    assert_eq!((d.id.as_str(), d.release.as_deref()), ("rocky", Some("9")));
    assert_eq!(d.version_id.as_deref(), Some("9.3"));
}

#[test]
fn ubuntu_pro_markers() {
    let inv = walk(&[
        E::Dir("/etc"),
        E::File("/etc/os-release", b"ID=ubuntu\nVERSION_ID=\"20.04\"\n"),
        E::File(
            "/var/lib/ubuntu-advantage/status.json",
            br#"{"attached": true, "services": [{"name": "esm-infra", "status": "enabled"}, {"name": "esm-apps", "status": "disabled"}, {"name": "livepatch", "status": "enabled"}]}"#,
        ),
        E::File(
            "/etc/apt/sources.list.d/ubuntu-esm-apps.list",
            b"deb https://esm.ubuntu.com/apps/ubuntu focal-apps-security main\n",
        ),
    ]);
    let d = inv.distro.as_ref().unwrap();
    assert_eq!(d.markers, vec!["esm", "esm-infra", "ubuntu-pro"]);
    assert_eq!(d.eol.as_deref(), Some("2025-05-29"));
}

#[test]
fn release_files_without_os_release() {
    /// (path, content, id, release, family)
    type Case<'a> = (&'a str, &'a [u8], &'a str, Option<&'a str>, &'a str);
    let cases: &[Case<'_>] = &[
        (
            "/etc/alpine-release",
            b"3.19.1\n",
            "alpine",
            Some("3.19"),
            "alpine",
        ),
        (
            "/etc/redhat-release",
            b"Red Hat Enterprise Linux release 8.9 (Ootpa)\n",
            "rhel",
            Some("8"),
            "redhat",
        ),
        (
            "/etc/system-release",
            b"Amazon Linux release 2 (Karoo)\n",
            "amzn",
            Some("2"),
            "amazon",
        ),
        (
            "/etc/debian_version",
            b"11.8\n",
            "debian",
            Some("11"),
            "debian",
        ),
        (
            "/etc/SuSE-release",
            b"SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\n",
            "sles",
            Some("12"),
            "suse",
        ),
    ];
    for (path, data, id, release, family) in cases {
        let inv = walk(&[E::Dir("/etc"), E::File(path, data)]);
        let d = inv.distro.as_ref().unwrap_or_else(|| panic!("{path}"));
        assert_eq!(
            (d.id.as_str(), d.release.as_deref(), d.family.as_str()),
            (*id, *release, *family),
            "{path}"
        );
    }
    for (id, family, release) in [
        ("wolfi", "wolfi", None),
        ("chainguard", "wolfi", None),
        ("mariner", "mariner", Some("2.0")),
        ("azurelinux", "mariner", Some("3.0")),
        ("opensuse-leap", "suse", Some("15.5")),
        ("amzn", "amazon", Some("2023")),
    ] {
        let version = match id {
            "mariner" => "2.0.20240123",
            "azurelinux" => "3.0",
            "opensuse-leap" => "15.5",
            "amzn" => "2023",
            _ => "20230201",
        };
        let text = format!("ID={id}\nVERSION_ID={version}\n");
        let inv = walk(&[E::Dir("/etc"), E::File("/etc/os-release", text.as_bytes())]);
        let d = inv.distro.as_ref().unwrap();
        assert_eq!(
            (d.family.as_str(), d.release.as_deref()),
            (family, release),
            "{id}"
        );
    }
}
