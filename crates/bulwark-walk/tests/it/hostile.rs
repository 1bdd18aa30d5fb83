//! The hostile-archive suite: every malicious or broken layer is refused with the right error,
//! naming the layer and entry, without panicking and with bounded memory.

use std::io::{self, Read, Write};

use bulwark_walk::{walk_layers, EntryMeta, LayerInfo, LayerInput, Limits, Visitor, WalkErrorKind};
use flate2::write::GzEncoder;
use flate2::Compression;

/// Wants every file; returns its length.
struct All;

impl Visitor for All {
    type Output = usize;
    fn wants(&self, _: &EntryMeta<'_>) -> bool {
        true
    }
    fn visit(&self, _: &EntryMeta<'_>, data: &[u8]) -> usize {
        data.len()
    }
}

/// A raw ustar header with any name (the tar crate's builder refuses the hostile ones).
fn header(name: &str, kind: u8, size: u64, link: &str) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    let sz = format!("{size:011o}\0");
    h[124..136].copy_from_slice(sz.as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[156] = kind;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    // Checksum over the header with the checksum field as spaces.
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let ck = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(ck.as_bytes());
    h
}

fn tar_of(entries: &[(&str, u8, &[u8], &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, kind, data, link) in entries {
        out.extend_from_slice(&header(name, *kind, data.len() as u64, link));
        out.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        out.extend(std::iter::repeat_n(0u8, pad));
    }
    out.extend(std::iter::repeat_n(0u8, 1024));
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn input_of(bytes: Vec<u8>, digest: Option<String>) -> LayerInput {
    LayerInput {
        info: LayerInfo::default(),
        expected_digest: digest,
        expected_diff_id: None,
        open: Box::new(move || Ok(Box::new(io::Cursor::new(bytes)) as Box<dyn Read + Send>)),
    }
}

fn walk_err(bytes: Vec<u8>, limits: &Limits) -> bulwark_walk::WalkError {
    match walk_layers(&All, limits, vec![input_of(bytes, None)]) {
        Ok(_) => panic!("hostile layer accepted"),
        Err(e) => e,
    }
}

#[test]
fn path_traversal_is_refused() {
    let e = walk_err(
        tar_of(&[("../../etc/passwd", b'0', b"x", "")]),
        &Limits::default(),
    );
    assert!(matches!(e.kind, WalkErrorKind::PathTraversal), "{e}");
    assert_eq!(e.entry.as_deref(), Some("../../etc/passwd"));
    assert_eq!(e.layer, Some(0));
    assert!(e.to_string().contains("layer 0"), "{e}");
}

#[test]
fn absolute_path_is_refused() {
    let e = walk_err(
        tar_of(&[("/etc/passwd", b'0', b"x", "")]),
        &Limits::default(),
    );
    assert!(matches!(e.kind, WalkErrorKind::AbsolutePath), "{e}");
}

#[test]
fn symlink_escape_is_refused() {
    let e = walk_err(
        tar_of(&[("etc/evil", b'2', b"", "../../../../root")]),
        &Limits::default(),
    );
    assert!(matches!(e.kind, WalkErrorKind::SymlinkEscape(_)), "{e}");
    assert_eq!(e.entry.as_deref(), Some("etc/evil"));
}

#[test]
fn absolute_symlinks_are_normal() {
    // /usr/bin/awk -> /etc/alternatives/awk is everyday image content.
    let (w, _) = walk_layers(
        &All,
        &Limits::default(),
        vec![input_of(
            tar_of(&[("usr/bin/awk", b'2', b"", "/etc/alternatives/awk")]),
            None,
        )],
    )
    .unwrap();
    assert!(w.view.get("/usr/bin/awk").is_some());
}

#[test]
fn hard_link_outside_is_refused() {
    let e = walk_err(
        tar_of(&[("x", b'1', b"", "../../etc/shadow")]),
        &Limits::default(),
    );
    assert!(matches!(e.kind, WalkErrorKind::HardLinkEscape(_)), "{e}");
}

#[test]
fn gzip_bomb_is_refused() {
    // 1 GiB of zeros inside one tar entry compresses to about 1 MiB.
    let size: u64 = 1 << 30;
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(&header("bomb", b'0', size, "")).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..(size >> 20) {
        enc.write_all(&zeros).unwrap();
    }
    enc.write_all(&[0u8; 1024]).unwrap();
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 8 << 20);
    let e = walk_err(bomb, &Limits::default());
    assert!(matches!(e.kind, WalkErrorKind::Bomb(_)), "{e}");
}

/// A tar of `n` empty files generated on the fly, so the test needs no gigabyte buffer.
struct ManyEntries {
    n: u64,
    i: u64,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for ManyEntries {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.buf.len() {
            if self.i > self.n {
                return Ok(0);
            }
            self.buf = if self.i == self.n {
                vec![0u8; 1024]
            } else {
                header(&format!("f/{}", self.i), b'0', 0, "").to_vec()
            };
            self.pos = 0;
            self.i += 1;
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn a_million_entries_are_refused() {
    let input = LayerInput {
        info: LayerInfo::default(),
        expected_digest: None,
        expected_diff_id: None,
        open: Box::new(|| {
            Ok(Box::new(ManyEntries {
                n: 1_000_000,
                i: 0,
                buf: Vec::new(),
                pos: 0,
            }) as Box<dyn Read + Send>)
        }),
    };
    let e = walk_layers(&All, &Limits::default(), vec![input]).unwrap_err();
    assert!(
        matches!(e.kind, WalkErrorKind::TooManyEntries(500_000)),
        "{e}"
    );
}

#[test]
fn digest_mismatch_is_refused() {
    let layer = gzip(&tar_of(&[("a", b'0', b"hello", "")]));
    let wrong = format!("sha256:{}", "0".repeat(64));
    let e = walk_layers(
        &All,
        &Limits::default(),
        vec![input_of(layer.clone(), Some(wrong.clone()))],
    )
    .unwrap_err();
    match &e.kind {
        WalkErrorKind::DigestMismatch { what, expected, .. } => {
            assert_eq!(*what, "blob");
            assert_eq!(expected, &wrong);
        }
        other => panic!("{other}"),
    }
    // The right digest passes.
    let right = bulwark_walk::Digest::of(bulwark_walk::Algorithm::Sha256, &layer).to_string();
    let (w, stats) = walk_layers(
        &All,
        &Limits::default(),
        vec![input_of(layer, Some(right.clone()))],
    )
    .unwrap();
    assert_eq!(stats[0].digest.as_deref(), Some(right.as_str()));
    assert_eq!(w.captured.len(), 1);
    assert_eq!(w.captured[0].output, 5);
}

#[test]
fn truncated_layers_are_refused() {
    let tar = tar_of(&[("a", b'0', &[7u8; 5000], ""), ("b", b'0', b"x", "")]);
    // Cut inside the first entry's data.
    let e = walk_err(tar[..2000].to_vec(), &Limits::default());
    assert!(matches!(e.kind, WalkErrorKind::Truncated(_)), "{e}");
    // Cut inside the gzip stream.
    let gz = gzip(&tar);
    let e = walk_err(gz[..gz.len() / 2].to_vec(), &Limits::default());
    assert!(matches!(e.kind, WalkErrorKind::Truncated(_)), "{e}");
}

#[test]
fn entry_size_limit() {
    let limits = Limits {
        max_entry_bytes: 100,
        ..Limits::default()
    };
    let e = walk_err(tar_of(&[("big", b'0', &[1u8; 200], "")]), &limits);
    assert!(
        matches!(
            e.kind,
            WalkErrorKind::EntryTooLarge {
                size: 200,
                limit: 100
            }
        ),
        "{e}"
    );
}

#[test]
fn total_bytes_limit() {
    let limits = Limits {
        max_total_bytes: 4096,
        ..Limits::default()
    };
    let e = walk_err(tar_of(&[("big", b'0', &[1u8; 8192], "")]), &limits);
    assert!(matches!(e.kind, WalkErrorKind::TooLarge(4096)), "{e}");
}

#[test]
fn whiteouts_and_opaque_dirs_apply_in_layer_order() {
    let l0 = tar_of(&[
        ("etc/a", b'0', b"a0", ""),
        ("etc/b", b'0', b"b0", ""),
        ("opt/d/x", b'0', b"x0", ""),
        ("opt/d/y", b'0', b"y0", ""),
    ]);
    let l1 = tar_of(&[
        ("etc/.wh.a", b'0', b"", ""),
        ("opt/d/.wh..wh..opq", b'0', b"", ""),
        ("opt/d/z", b'0', b"z1", ""),
        ("etc/b", b'0', b"b1b1", ""),
    ]);
    let zstd_l1 = zstd::encode_all(&l1[..], 3).unwrap();
    let mut i0 = input_of(gzip(&l0), None);
    i0.info.index = 0;
    let mut i1 = input_of(zstd_l1, None);
    i1.info.index = 1;
    let (w, _) = walk_layers(&All, &Limits::default(), vec![i0, i1]).unwrap();
    let paths: Vec<&str> = w.view.iter().map(|(p, _)| p).collect();
    assert_eq!(paths, vec!["/etc/b", "/opt/d/z"]);
    assert_eq!(w.view.get("/etc/b").unwrap().layer, 1);
    let visible: Vec<(&str, usize, bool)> = w
        .captured
        .iter()
        .map(|c| (c.path.as_str(), c.layer, c.visible))
        .collect();
    assert_eq!(
        visible,
        vec![
            ("/etc/a", 0, false),
            ("/etc/b", 0, false),
            ("/opt/d/x", 0, false),
            ("/opt/d/y", 0, false),
            ("/opt/d/z", 1, true),
            ("/etc/b", 1, true),
        ]
    );
}

#[test]
fn garbage_never_panics() {
    use proptest::prelude::*;
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 512,
        ..Default::default()
    });
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..4096), |bytes| {
            let _ = walk_layers(
                &All,
                &Limits::default(),
                vec![input_of(bytes.clone(), None)],
            );
            let _ = walk_layers(&All, &Limits::default(), vec![input_of(gzip(&bytes), None)]);
            Ok(())
        })
        .unwrap();
    // Mutated real tars too.
    let tar = tar_of(&[("a/b", b'0', b"hello", ""), ("c", b'2', b"", "a/b")]);
    for i in 0..tar.len().min(2048) {
        let mut t = tar.clone();
        t[i] ^= 0xff;
        let _ = walk_layers(&All, &Limits::default(), vec![input_of(t, None)]);
    }
}
