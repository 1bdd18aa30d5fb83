//! Hostile input never panics: arbitrary bytes and randomly corrupted real databases through
//! every parser (rpm BDB/NDB/SQLite readers and header decoder, dpkg, apk, os-release,
//! copyright) and through the whole cataloger path. Case counts follow `PROPTEST_CASES`.

use std::sync::OnceLock;

use crate::common::fixture;
use proptest::prelude::*;

struct Seeds {
    bdb: Vec<u8>,
    ndb: Vec<u8>,
    sqlite: Vec<u8>,
    /// A real header blob (the first package of the NDB database).
    header: Vec<u8>,
}

fn seeds() -> &'static Seeds {
    static S: OnceLock<Seeds> = OnceLock::new();
    S.get_or_init(|| {
        let bdb = fixture("rpm/bdb/centos8-dive/Packages");
        assert_eq!(bulwark_os::rpm::read_db(&bdb).unwrap().packages.len(), 1);
        let ndb = fixture("rpm/ndb/sle15-bci/Packages.db.gz");
        // First NDB blob: slot 0 at offset 32 points at block offset * 16; blob header is 16
        // bytes, then the header itself.
        let le = |at: usize| u32::from_le_bytes(ndb[at..at + 4].try_into().unwrap()) as usize;
        let start = le(32 + 8) * 16;
        let len = le(start + 12);
        let header = ndb[start + 16..start + 16 + len].to_vec();
        assert!(bulwark_os::rpm::decode_header(&header).is_ok());
        Seeds {
            bdb,
            // Keep the NDB seed small: the header page, the slot pages and the first blobs.
            ndb: ndb[..ndb.len().min(256 * 1024)].to_vec(),
            sqlite: fixture("rpm/built/rpmdb.sqlite.gz"),
            header,
        }
    })
}

/// Apply `(position, byte)` mutations, positions taken modulo the length.
fn mutate(seed: &[u8], muts: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    let mut v = seed.to_vec();
    for (pos, b) in muts {
        if !v.is_empty() {
            let i = pos % v.len();
            v[i] = *b;
        }
    }
    if let Some(c) = cut {
        let keep = c % (v.len() + 1);
        v.truncate(keep);
    }
    v
}

fn muts() -> impl Strategy<Value = (Vec<(usize, u8)>, Option<usize>)> {
    (
        prop::collection::vec((any::<usize>(), any::<u8>()), 1..16),
        prop::option::weighted(0.2, any::<usize>()),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn rpm_bdb_mutations((m, cut) in muts()) {
        let _ = bulwark_os::rpm::read_db(&mutate(&seeds().bdb, &m, cut));
    }

    #[test]
    fn rpm_ndb_mutations((m, cut) in muts()) {
        let _ = bulwark_os::rpm::read_db(&mutate(&seeds().ndb, &m, cut));
    }

    #[test]
    fn rpm_sqlite_mutations((m, cut) in muts()) {
        let _ = bulwark_os::rpm::read_db(&mutate(&seeds().sqlite, &m, cut));
    }

    #[test]
    fn rpm_header_mutations((m, cut) in muts()) {
        let _ = bulwark_os::rpm::decode_header(&mutate(&seeds().header, &m, cut));
    }

    #[test]
    fn rpm_arbitrary_bytes(prefix in 0usize..4, data in prop::collection::vec(any::<u8>(), 0..8192)) {
        // Give the format detector something to latch on to.
        let magic: &[u8] = match prefix {
            0 => b"SQLite format 3\0",
            1 => b"RpmP\0\0\0\0",
            2 => &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x61, 0x15, 0x06, 0],
            _ => b"",
        };
        let mut v = magic.to_vec();
        v.extend_from_slice(&data);
        let _ = bulwark_os::rpm::read_db(&v);
        let _ = bulwark_os::rpm::decode_header(&data);
    }

    #[test]
    fn text_parsers_arbitrary(data in prop::collection::vec(any::<u8>(), 0..4096)) {
        let text = String::from_utf8_lossy(&data);
        let _ = bulwark_os::dpkg::parse_status(&text);
        let _ = bulwark_os::apk::parse_installed(&text);
        let _ = bulwark_os::distro::parse_os_release(&text);
        let _ = bulwark_os::license::from_copyright(&text);
        let _ = bulwark_os::rpm::manifest::parse_manifest(&text);
        let inv = crate::common::run(&[
            ("/var/lib/rpmmanifest/container-manifest-2", data.clone()),
            ("/usr/lib/opkg/status", data.clone()),
        ]);
        let _ = inv.packages.len();
    }

    #[test]
    fn text_parsers_structured(lines in prop::collection::vec(
        prop::sample::select(vec![
            "Package: a", "Status: install ok installed", "Version: 1:2-3", "Source: s (1)",
            "Source: (", "Depends: a | b (>= 1), c:any", " continuation", "", "P:x", "V:1",
            "F:usr", "R:f", "D:so:x !y", "C:Q1@@@", "License: GPL-2+ with X exception",
            ":", "x", "ID=\"", "Provides: ", "Status: x y", "Architecture:",
        ]),
        0..64,
    )) {
        let text = lines.join("\n");
        let _ = bulwark_os::dpkg::parse_status(&text);
        let _ = bulwark_os::apk::parse_installed(&text);
        let _ = bulwark_os::license::from_copyright(&text);
        let inv = crate::common::run(&[
            ("/var/lib/dpkg/status", text.as_bytes().to_vec()),
            ("/lib/apk/db/installed", text.as_bytes().to_vec()),
            ("/etc/os-release", text.as_bytes().to_vec()),
            ("/var/lib/dpkg/status.d/x", text.as_bytes().to_vec()),
        ]);
        let _ = inv;
    }
}

/// Inputs built to make a naive parser quadratic: they must finish (the suite would hang).
#[test]
fn no_quadratic_blowups() {
    // One stanza with 200 000 distinct fields.
    let mut text = String::from("Package: a\nVersion: 1\n");
    for i in 0..200_000 {
        text.push_str(&format!("X-F{i}: v\n"));
    }
    let s = bulwark_os::dpkg::parse_status(&text);
    assert_eq!(s.entries.len(), 1);

    // 65 535 index entries, all string arrays over the same 1 MiB of data.
    let il: u32 = 0xffff;
    let store = vec![b'a'; 1 << 20];
    let mut blob = Vec::new();
    blob.extend_from_slice(&il.to_be_bytes());
    blob.extend_from_slice(&((store.len() + 1) as u32).to_be_bytes());
    for i in 0..il {
        blob.extend_from_slice(&(1000 + i as i32).to_be_bytes());
        blob.extend_from_slice(&8u32.to_be_bytes());
        blob.extend_from_slice(&0u32.to_be_bytes());
        blob.extend_from_slice(&1u32.to_be_bytes());
    }
    blob.extend_from_slice(&store);
    blob.push(0);
    let err = bulwark_os::rpm::decode_header(&blob).unwrap_err();
    assert!(err.to_string().contains("overlaps"), "{err}");
}
