//! rpm databases compared with what Debian's rpm 4.18 itself reads from them (`rpm -qa`), live:
//! the databases are written to a temporary directory only for the reference tool. Needs the
//! apt package `rpm`; fails if it is missing.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use crate::common::{fixture, pkg, run};

const QF: &str = "%{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\t%{VENDOR}\t[%{FILENAMES}\t]\n";

type Row = (String, u32, String, String, String, String, String, String);

/// `rpm -qa` over a database file, as rows and files per package.
fn rpm_qa(
    file_name: &str,
    data: &[u8],
    bdb: bool,
) -> (BTreeSet<Row>, BTreeMap<String, BTreeSet<String>>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(file_name), data).unwrap();
    let mut cmd = Command::new("rpm");
    if bdb {
        cmd.args(["--define", "_db_backend bdb_ro"]);
    }
    let out = cmd
        .arg("--dbpath")
        .arg(dir.path())
        .args(["-qa", "--qf", QF])
        .output()
        .expect("rpm must be installed (apt package rpm)");
    assert!(out.status.success(), "rpm failed: {out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows = BTreeSet::new();
    let mut files = BTreeMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        assert!(f.len() >= 8, "{line}");
        let none = |s: &str| {
            if s == "(none)" {
                String::new()
            } else {
                s.to_string()
            }
        };
        rows.insert((
            f[0].to_string(),
            f[1].parse().unwrap(),
            f[2].to_string(),
            f[3].to_string(),
            none(f[4]),
            none(f[5]),
            none(f[6]),
            none(f[7]),
        ));
        let fl: BTreeSet<String> = f[8..]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string())
            .collect();
        files.insert(format!("{}-{}-{}.{}", f[0], f[2], f[3], f[4]), fl);
    }
    (rows, files)
}

fn compare(db_path: &str, file_name: &str, data: Vec<u8>, bdb: bool) -> bulwark_catalog::Inventory {
    let (want, want_files) = rpm_qa(file_name, &data, bdb);
    let inv = run(&[(db_path, data)]);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let got: BTreeSet<Row> = inv
        .packages
        .iter()
        .map(|p| {
            let (v, r) = p.version.rsplit_once('-').unwrap();
            let m = |k: &str| p.metadata.get(k).cloned().unwrap_or_default();
            (
                p.name.clone(),
                p.epoch.unwrap_or(0),
                v.to_string(),
                r.to_string(),
                p.arch.clone().unwrap_or_default(),
                m("source_rpm"),
                p.licenses.first().cloned().unwrap_or_default(),
                m("vendor"),
            )
        })
        .collect();
    assert_eq!(got, want, "{file_name}");
    assert_eq!(inv.packages.len(), want.len(), "duplicates? {file_name}");
    for p in &inv.packages {
        let key = format!(
            "{}-{}.{}",
            p.name,
            p.version,
            p.arch.as_deref().unwrap_or("(none)")
        );
        let ours: BTreeSet<String> = p.files.iter().cloned().collect();
        assert_eq!(Some(&ours), want_files.get(&key), "files of {key}");
    }
    inv
}

#[test]
fn bdb_databases_match_rpm() {
    for rel in [
        "rpm/bdb/centos8-dive/Packages",
        "rpm/bdb/fedora32-epoch/Packages",
        "rpm/bdb/libuuid-el8/Packages",
    ] {
        compare("/var/lib/rpm/Packages", "Packages", fixture(rel), true);
    }
}

#[test]
fn mariner_sqlite_matches_rpm() {
    let inv = compare(
        "/var/lib/rpm/rpmdb.sqlite",
        "rpmdb.sqlite",
        fixture("rpm/sqlite/cbl-mariner-2.0/rpmdb.sqlite.gz"),
        false,
    );
    assert_eq!(inv.packages.len(), 129);
}

#[test]
fn built_sqlite_matches_rpm() {
    let inv = compare(
        "/usr/lib/sysimage/rpm/rpmdb.sqlite",
        "rpmdb.sqlite",
        fixture("rpm/built/rpmdb.sqlite.gz"),
        false,
    );
    assert_eq!(inv.packages.len(), 3);
    let hello = pkg(&inv, "hello");
    assert_eq!(hello.epoch, Some(2));
    assert_eq!(hello.version, "1.0-3.bw1");
    assert_eq!(hello.licenses, vec!["MIT AND Apache-2.0"]);
    assert_eq!(hello.metadata["vendor"], "Bulwark Test Vendor");
    assert_eq!(
        hello.files,
        vec!["/usr/share/hello/a.txt", "/usr/share/hello/sub/b.txt"]
    );
    assert_eq!(
        hello.purl,
        "pkg:rpm/hello@1.0-3.bw1?arch=noarch&epoch=2&upstream=hello-1.0-3.bw1.src.rpm"
    );
    let world = pkg(&inv, "world");
    assert_eq!(world.epoch, None);
    assert_eq!(
        world.metadata["modularity_label"],
        "bulwark:1.0:20240101:abcdef"
    );
    let plus = pkg(&inv, "libstdc++-fake");
    assert_eq!(
        plus.purl,
        "pkg:rpm/libstdc%2B%2B-fake@0.1%2Bgit20240101-0?arch=noarch&upstream=libstdc%2B%2B-fake-0.1%2Bgit20240101-0.src.rpm"
    );
    assert!(plus.files.is_empty());
    let src = plus.source.as_ref().unwrap();
    assert_eq!(
        (src.name.as_str(), src.version.as_deref()),
        ("libstdc++-fake", Some("0.1+git20240101-0"))
    );
}
