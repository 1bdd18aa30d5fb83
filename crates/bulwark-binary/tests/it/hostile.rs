//! Hostile input never panics: arbitrary bytes, bytes behind each magic, mutated and truncated
//! real structures (a Go binary built here, zip archives, cargo-auditable sections).

use std::io::Write;
use std::sync::OnceLock;

use bulwark_binary::{golang, java, read_binary, read_java_archive, runtime, rust_audit};
use proptest::prelude::*;

/// A real Go ELF binary, built once with Debian's Go (apt `golang-go`).
fn go_binary() -> &'static [u8] {
    static BIN: OnceLock<Vec<u8>> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("go.mod"),
            "module example.com/h\n\ngo 1.19\n",
        )
        .expect("go.mod");
        std::fs::write(
            dir.path().join("main.go"),
            "package main\n\nfunc main() { println(\"hi\") }\n",
        )
        .expect("main.go");
        let out = std::process::Command::new("go")
            .current_dir(dir.path())
            .env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off")
            .env("CGO_ENABLED", "0")
            .args(["build", "-ldflags=-s -w", "-o", "h", "."])
            .output()
            .expect("go is required (apt-get install golang-go)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(dir.path().join("h")).expect("read")
    })
}

fn buildinfo_offset(data: &[u8]) -> usize {
    memchr::memmem::find(data, b"\xff Go buildinf:").expect("magic")
}

fn small_zip() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("META-INF/MANIFEST.MF", opts).expect("start");
    w.write_all(b"Implementation-Title: t\nImplementation-Version: 1\n")
        .expect("write");
    w.start_file("META-INF/maven/g/a/pom.properties", opts)
        .expect("start");
    w.write_all(b"groupId=g\nartifactId=a\nversion=1\n")
        .expect("write");
    w.start_file("lib/inner.jar", opts).expect("start");
    w.write_all(b"PK\x03\x04 not really").expect("write");
    w.finish().expect("finish").into_inner()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).expect("zlib");
    enc.finish().expect("zlib")
}

#[test]
fn go_binary_truncated_everywhere_around_build_info() {
    let data = go_binary();
    assert!(golang::build_info(data).expect("ok").is_some());
    let at = buildinfo_offset(data);
    for cut in (at..(at + 400).min(data.len())).chain([0, 4, 16, 64, data.len() / 2]) {
        let _ = read_binary("/t", &data[..cut]);
        let _ = golang::build_info(&data[..cut]);
    }
}

#[test]
fn huge_varint_lengths_are_refused() {
    let mut data = go_binary().to_vec();
    let at = buildinfo_offset(&data);
    // Inline format: the version length varint right after the 32-byte header.
    data[at + 32..at + 42]
        .copy_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    let err = golang::build_info(&data).expect_err("must fail");
    assert_eq!(err, golang::GoError::TooLong(u64::MAX));
    let found = read_binary("/usr/local/bin/x", &data);
    assert!(found.packages.is_empty());
    assert_eq!(
        found.warnings,
        vec![format!("Go {}", golang::GoError::TooLong(u64::MAX))]
    );

    data[at + 32..at + 37].copy_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x01]);
    assert_eq!(
        golang::build_info(&data),
        Err(golang::GoError::TooLong(1 << 28))
    );
}

#[test]
fn corrupt_elf_header_is_a_warning() {
    let mut data = go_binary()[..4096].to_vec();
    // e_shoff far past the end.
    data[0x28..0x30].copy_from_slice(&u64::MAX.to_le_bytes());
    let found = read_binary("/bin/x", &data);
    assert!(found.packages.is_empty());
    assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
    assert!(
        found.warnings[0].starts_with("corrupt Elf headers: "),
        "{:?}",
        found.warnings
    );
}

#[test]
fn dep_v0_zip_bomb_is_refused() {
    let bomb = zlib(&vec![b'['; 64 << 20]);
    assert!(matches!(
        rust_audit::decode(&bomb),
        Err(rust_audit::AuditError::TooLarge)
    ));
}

proptest! {
    // 256 cases by default; PROPTEST_CASES=N for a longer run.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read_binary("/x/node", &bytes);
        let _ = read_binary("/x/libpython3.11.so.1.0", &bytes);
        let _ = read_java_archive("/x/a.jar", &bytes, java::Limits::default());
        let _ = rust_audit::decode(&bytes);
        let _ = golang::parse_modinfo(&bytes);
        let _ = java::parse_gradle_lockfile(&bytes);
        let _ = java::parse_manifest(&bytes);
        let _ = runtime::parse_java_release(&bytes);
        let _ = runtime::parse_go_version_file(&bytes);
        let _ = bulwark_binary::pom::parse_pom(&bytes);
        let _ = bulwark_binary::bitnami::parse_bitnami_spdx("/opt/bitnami/x/.spdx-x.spdx", &bytes);
        let mut json = b"{\"packages\":".to_vec();
        json.extend_from_slice(&bytes);
        let _ = bulwark_binary::bitnami::parse_bitnami_spdx("/opt/bitnami/x/.spdx-x.spdx", &json);
    }

    #[test]
    fn bytes_behind_each_magic_never_panic(
        magic in prop::sample::select(vec![
            &b"\x7fELF\x02\x01\x01\x00"[..],
            &b"\x7fELF\x01\x02\x01\x00"[..],
            &b"MZ\x90\x00"[..],
            &[0xcf, 0xfa, 0xed, 0xfe][..],
            &[0xfe, 0xed, 0xfa, 0xce][..],
            &[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2][..],
            &b"PK\x03\x04"[..],
        ]),
        tail in proptest::collection::vec(any::<u8>(), 0..2048),
        plant in any::<bool>(),
        flags in any::<u8>(),
        ptr_size in any::<u8>(),
    ) {
        let mut data = magic.to_vec();
        data.extend_from_slice(&tail);
        if plant {
            // A build info header at a 16-aligned offset, followed by the random tail.
            data.resize(data.len().next_multiple_of(16), 0);
            data.extend_from_slice(b"\xff Go buildinf:");
            data.push(ptr_size);
            data.push(flags);
            data.extend_from_slice(&tail);
        }
        let _ = read_binary("/x/a.exe", &data);
        let _ = golang::build_info(&data);
        let _ = rust_audit::audit_data(&data);
        let _ = read_java_archive("/x/a.war", &data, java::Limits::default());
    }

    #[test]
    fn mutated_go_binary_never_panics(
        edits in proptest::collection::vec((0usize..512, any::<u8>()), 1..16),
    ) {
        let mut data = go_binary().to_vec();
        let at = buildinfo_offset(&data);
        for (offset, byte) in edits {
            if let Some(b) = data.get_mut(at + offset) {
                *b = byte;
            }
        }
        let _ = read_binary("/x/h", &data);
    }

    #[test]
    fn mutated_elf_headers_never_panic(
        edits in proptest::collection::vec((0usize..256, any::<u8>()), 1..8),
    ) {
        let mut data = go_binary()[..65536].to_vec();
        for (offset, byte) in edits {
            data[offset] = byte;
        }
        let _ = read_binary("/x/h", &data);
    }

    #[test]
    fn mutated_zip_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut data = small_zip();
        for (index, byte) in edits {
            let i = index.index(data.len());
            data[i] = byte;
        }
        let _ = read_java_archive("/x/a.jar", &data, java::Limits::default());
        let end = cut.index(data.len());
        let _ = read_java_archive("/x/a.jar", &data[..end], java::Limits::default());
    }

    #[test]
    fn mutated_audit_json_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let mut json = br#"{"packages":[{"name":"a","version":"1.0.0","source":"local","dependencies":[1,99],"root":true},{"name":"b","version":"2.0.0","kind":"build"}]}"#.to_vec();
        for (index, byte) in edits {
            let i = index.index(json.len());
            json[i] = byte;
        }
        if let Ok(pkgs) = rust_audit::decode(&zlib(&json)) {
            let mut out = Vec::new();
            bulwark_binary::cargo_packages("/x", &pkgs, &mut out);
            prop_assert!(out.len() <= pkgs.len());
        }
    }
}
