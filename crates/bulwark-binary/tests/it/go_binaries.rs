//! Go build info against the reference, `go version -m`: a program built here with Debian's Go
//! (ELF, PE and Mach-O, a local `replace`, `-ldflags -X main.version`), the same binary rewritten
//! into the pre-1.18 pointer layout, and every Go binary installed in /usr/bin and /usr/local/bin
//! (skopeo at least: `apt-get install golang-go skopeo`).

use std::path::{Path, PathBuf};
use std::process::Command;

use bulwark_binary::golang::{self, BuildInfo};
use bulwark_catalog::{catalog_memory_files, CatalogSet, PackageKind, Relationship};

/// Where installed Go binaries are looked for (the missing ones are skipped).
const GO_BINARY_DIRS: [&str; 4] = [
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/lib/google-cloud-sdk/bin",
];

fn go_command() -> Command {
    let mut cmd = Command::new("go");
    cmd.env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOWORK", "off")
        .env("GOTOOLCHAIN", "local");
    cmd
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} (install Debian's golang-go): {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A main module `example.com/hello` depending on `example.com/greet`, replaced by `./greet`.
fn write_program(dir: &Path) {
    std::fs::create_dir_all(dir.join("greet")).expect("mkdir");
    std::fs::write(
        dir.join("go.mod"),
        "module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v0.0.0-00010101000000-000000000000\n\nreplace example.com/greet => ./greet\n",
    )
    .expect("write go.mod");
    std::fs::write(
        dir.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n)\n\nvar version = \"dev\"\n\nfunc main() { fmt.Println(greet.Hello(), version) }\n",
    )
    .expect("write main.go");
    std::fs::write(dir.join("greet/go.mod"), "module example.com/greet\n").expect("write");
    std::fs::write(
        dir.join("greet/greet.go"),
        "package greet\n\nfunc Hello() string { return \"hi\" }\n",
    )
    .expect("write");
}

fn build(dir: &Path, goos: &str, goarch: &str, out: &str) -> PathBuf {
    let target = dir.join(out);
    run(go_command()
        .current_dir(dir)
        .env("GOOS", goos)
        .env("GOARCH", goarch)
        .env("CGO_ENABLED", "0")
        .args(["build", "-ldflags", "-X main.version=1.2.3", "-o"])
        .arg(&target)
        .arg("."));
    target
}

/// One binary's `go version -m` output as comparable lines: `(kind, fields...)` with build
/// values unquoted and trailing empty fields dropped.
#[derive(Debug)]
struct Reference {
    path: String,
    go_version: String,
    lines: Vec<Vec<String>>,
}

/// Undo `strconv.Quote` for the escapes build settings use.
fn unquote(v: &str) -> String {
    let Some(inner) = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return v.to_string();
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn parse_reference(output: &str) -> Vec<Reference> {
    let mut refs: Vec<Reference> = Vec::new();
    for line in output.lines() {
        if let Some(rest) = line.strip_prefix('\t') {
            let Some(current) = refs.last_mut() else {
                continue;
            };
            let mut fields: Vec<String> = rest.split('\t').map(str::to_string).collect();
            if fields.first().map(String::as_str) == Some("build") {
                if let Some((k, v)) = fields.get(1).and_then(|s| s.split_once('=')) {
                    fields = vec!["build".into(), k.to_string(), unquote(v)];
                }
            }
            while fields.last().is_some_and(String::is_empty) {
                fields.pop();
            }
            if !fields.is_empty() {
                current.lines.push(fields);
            }
        } else if let Some((path, version)) = line.rsplit_once(": ") {
            refs.push(Reference {
                path: path.to_string(),
                go_version: version.to_string(),
                lines: Vec::new(),
            });
        }
    }
    refs
}

fn module_line(kind: &str, m: &golang::Module) -> Vec<String> {
    let mut v = vec![
        kind.to_string(),
        m.path.clone(),
        m.version.clone(),
        m.sum.clone(),
    ];
    while v.last().is_some_and(String::is_empty) {
        v.pop();
    }
    v
}

/// Our build info formatted like the reference lines.
fn our_lines(info: &BuildInfo) -> Vec<Vec<String>> {
    let mut lines = Vec::new();
    if !info.path.is_empty() {
        lines.push(vec!["path".to_string(), info.path.clone()]);
    }
    let mut push_module = |kind: &str, m: &golang::Module| {
        lines.push(module_line(kind, m));
        if let Some(r) = &m.replace {
            lines.push(module_line("=>", r));
        }
    };
    if let Some(m) = &info.main {
        push_module("mod", m);
    }
    for d in &info.deps {
        push_module("dep", d);
    }
    for (k, v) in &info.settings {
        let mut line = vec!["build".to_string(), k.clone(), v.clone()];
        while line.last().is_some_and(String::is_empty) {
            line.pop();
        }
        lines.push(line);
    }
    lines
}

fn assert_matches_reference(reference: &Reference, data: &[u8]) {
    let info = golang::build_info(data)
        .unwrap_or_else(|e| panic!("{}: {e}", reference.path))
        .unwrap_or_else(|| panic!("{}: no build info found", reference.path));
    assert_eq!(info.go_version, reference.go_version, "{}", reference.path);
    assert_eq!(info.malformed_lines, 0, "{}", reference.path);
    assert_eq!(our_lines(&info), reference.lines, "{}", reference.path);
}

fn go_version() -> String {
    run(go_command().args(["env", "GOVERSION"]))
        .trim()
        .to_string()
}

#[test]
fn built_program_matches_go_version_m_in_elf_pe_and_macho() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_program(dir.path());
    for (goos, goarch, name) in [
        ("linux", "amd64", "hello"),
        ("linux", "386", "hello-386"),
        ("linux", "s390x", "hello-s390x"),
        ("windows", "amd64", "hello.exe"),
        ("darwin", "amd64", "hello-mac"),
    ] {
        let bin = build(dir.path(), goos, goarch, name);
        let data = std::fs::read(&bin).expect("read binary");
        let expected_format = match goos {
            "linux" => bulwark_binary::Format::Elf,
            "windows" => bulwark_binary::Format::Pe,
            _ => bulwark_binary::Format::MachO,
        };
        assert_eq!(
            bulwark_binary::detect_executable(&data),
            Some(expected_format)
        );
        let reference = parse_reference(&run(Command::new("go").args(["version", "-m"]).arg(&bin)));
        assert_eq!(reference.len(), 1, "{goos}");
        assert_matches_reference(&reference[0], &data);
        // The reference shows the replacement and the stamped version we rely on below.
        assert!(reference[0].lines.contains(&vec![
            "=>".into(),
            "./greet".into(),
            "(devel)".into()
        ]));
    }
}

#[test]
fn built_program_packages_end_to_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_program(dir.path());
    let bin = build(dir.path(), "linux", "amd64", "hello");
    let data = std::fs::read(&bin).expect("read binary");
    let stdlib = go_version()
        .strip_prefix("go")
        .expect("go version")
        .to_string();

    let set = CatalogSet::new(bulwark_binary::catalogers());
    let inv = catalog_memory_files(&set, &[("/app/hello", &data)]);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let got: Vec<(PackageKind, &str, &str, &str)> = inv
        .packages
        .iter()
        .map(|p| (p.kind, p.name.as_str(), p.version.as_str(), p.purl.as_str()))
        .collect();
    let stdlib_purl = format!("pkg:golang/stdlib@{stdlib}");
    assert_eq!(
        got,
        vec![
            (
                PackageKind::Go,
                "example.com/greet",
                "v0.0.0-00010101000000-000000000000",
                "pkg:golang/example.com/greet@v0.0.0-00010101000000-000000000000"
            ),
            (
                PackageKind::Go,
                "example.com/hello",
                "v1.2.3",
                "pkg:golang/example.com/hello@v1.2.3"
            ),
            (
                PackageKind::Go,
                "stdlib",
                stdlib.as_str(),
                stdlib_purl.as_str()
            ),
        ]
    );
    let main = &inv.packages[1];
    assert_eq!(main.relationship, Some(Relationship::Root));
    assert_eq!(main.found_in, "/app/hello");
    assert_eq!(main.layer, Some(0));
    assert_eq!(
        main.metadata.get("version_source").map(String::as_str),
        Some("ldflags")
    );
    assert_eq!(
        main.metadata.get("build:-ldflags").map(String::as_str),
        Some("-X main.version=1.2.3")
    );
    assert_eq!(
        inv.packages[0]
            .metadata
            .get("replaced_by")
            .map(String::as_str),
        Some("./greet")
    );
}

/// Rewrite an inline (Go 1.18+) build info header into the older pointer layout, with the
/// binary's own pointer size and byte order: the header points at two Go string headers, which
/// point at the version and module strings, all placed in the same mapped data segment.
fn to_pointer_format(data: &[u8]) -> Vec<u8> {
    use object::{Object, ObjectSection};
    let file = object::File::parse(data).expect("parse ELF");
    let (ps, big_endian) = (if file.is_64() { 8 } else { 4 }, !file.is_little_endian());
    let section = file.section_by_name(".go.buildinfo").expect("section");
    let (offset, _) = section.file_range().expect("file range");
    let (offset, addr) = (offset as usize, section.address());
    let mut pos = offset + 32;
    let mut read = |data: &[u8]| -> Vec<u8> {
        let (mut len, mut shift) = (0usize, 0);
        loop {
            let b = data[pos];
            pos += 1;
            len |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        let s = data[pos..pos + len].to_vec();
        pos += len;
        s
    };
    let version = read(data);
    let modinfo = read(data);
    let word = |blob: &mut Vec<u8>, v: u64| {
        let bytes = if big_endian {
            v.to_be_bytes()[8 - ps..].to_vec()
        } else {
            v.to_le_bytes()[..ps].to_vec()
        };
        blob.extend_from_slice(&bytes);
    };
    let strings_at = 80u64;
    let mut blob = Vec::new();
    blob.extend_from_slice(b"\xff Go buildinf:");
    blob.push(ps as u8);
    blob.push(u8::from(big_endian)); // pointer format: flag bit 2 clear
    word(&mut blob, addr + 48);
    word(&mut blob, addr + 64);
    blob.resize(48, 0);
    word(&mut blob, addr + strings_at);
    word(&mut blob, version.len() as u64);
    blob.resize(64, 0);
    word(&mut blob, addr + strings_at + version.len() as u64);
    word(&mut blob, modinfo.len() as u64);
    blob.resize(strings_at as usize, 0);
    blob.extend_from_slice(&version);
    blob.extend_from_slice(&modinfo);
    let mut out = data.to_vec();
    out[offset..offset + blob.len()].copy_from_slice(&blob);
    out
}

#[test]
fn pointer_format_build_info_decodes_like_inline() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_program(dir.path());
    // 64-bit little endian, 32-bit little endian, 64-bit big endian, 32-bit big endian.
    for goarch in ["amd64", "386", "s390x", "mips"] {
        let bin = build(dir.path(), "linux", goarch, &format!("hello-{goarch}"));
        let data = std::fs::read(&bin).expect("read binary");
        let inline = golang::build_info(&data).expect("inline").expect("some");
        let old = to_pointer_format(&data);
        assert_ne!(old, data);
        let pointer = golang::build_info(&old).expect("pointer").expect("some");
        assert_eq!(pointer, inline, "{goarch}");

        // A version pointer past every segment is a clear error, not a panic.
        let mut broken = old.clone();
        let at = memchr::memmem::find(&old, b"\xff Go buildinf:").expect("magic");
        let ps = usize::from(old[at + 14]);
        broken[at + 16..at + 16 + ps].fill(0xff);
        let expected = if ps == 8 {
            u64::MAX
        } else {
            u64::from(u32::MAX)
        };
        assert_eq!(
            golang::build_info(&broken),
            Err(golang::GoError::BadPointer(expected)),
            "{goarch}"
        );
    }
}

/// Every Go binary `go version -m` recognises in [`GO_BINARY_DIRS`]: same toolchain,
/// path, main module, dependencies (sums included), replacements and build settings.
#[test]
fn installed_go_binaries_match_go_version_m() {
    let dirs: Vec<&str> = GO_BINARY_DIRS
        .into_iter()
        .filter(|d| Path::new(d).is_dir())
        .collect();
    let refs = parse_reference(&run(Command::new("go").args(["version", "-m"]).args(&dirs)));
    assert!(
        refs.iter().any(|r| r.path == "/usr/bin/skopeo"),
        "skopeo must be installed (apt-get install skopeo): {:?}",
        refs.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    let mut deps_checked = 0;
    for reference in &refs {
        let data = std::fs::read(&reference.path).expect("read");
        assert_matches_reference(reference, &data);
        deps_checked += reference.lines.iter().filter(|l| l[0] == "dep").count();
    }
    eprintln!(
        "compared {} Go binaries, {deps_checked} dependencies",
        refs.len()
    );
}

/// The packages reported for installed Go binaries: one per dependency with replacements
/// applied, the main module, and `stdlib` at the toolchain version.
#[test]
fn installed_go_binaries_packages() {
    let dirs: Vec<&str> = GO_BINARY_DIRS
        .into_iter()
        .filter(|d| Path::new(d).is_dir())
        .collect();
    let refs = parse_reference(&run(Command::new("go").args(["version", "-m"]).args(&dirs)));
    assert!(
        !refs.is_empty(),
        "no Go binaries installed (apt-get install skopeo)"
    );
    let set = CatalogSet::new(bulwark_binary::catalogers());
    for reference in &refs {
        let data = std::fs::read(&reference.path).expect("read");
        let inv = catalog_memory_files(&set, &[(reference.path.as_str(), &data)]);
        let mut expected: Vec<(String, String)> = Vec::new();
        let mut lines = reference.lines.iter().peekable();
        while let Some(line) = lines.next() {
            if line[0] != "dep" {
                continue;
            }
            let mut name = line[1].clone();
            let mut version = line.get(2).cloned().unwrap_or_default();
            if let Some(next) = lines.peek() {
                if next[0] == "=>" && !next[1].starts_with('.') && !next[1].starts_with('/') {
                    name = next[1].clone();
                    version = next.get(2).cloned().unwrap_or_default();
                }
            }
            expected.push((name, version));
        }
        let toolchain = reference.go_version.split_whitespace().next().unwrap_or("");
        let stdlib = toolchain.trim_start_matches("go").to_string();
        expected.push(("stdlib".into(), stdlib));
        let main = reference.lines.iter().find(|l| l[0] == "mod");
        let mut got: Vec<(String, String)> = inv
            .packages
            .iter()
            .filter(|p| p.kind == PackageKind::Go && Some(&p.name) != main.map(|m| &m[1]))
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{}", reference.path);
    }
}

/// A universal (fat) Mach-O holding the darwin build: not parsed by headers, found by the magic
/// scan, decoded the same.
#[test]
fn fat_macho_build_info_is_found_by_scanning() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_program(dir.path());
    let bin = build(dir.path(), "darwin", "amd64", "hello-mac");
    let thin = std::fs::read(&bin).expect("read binary");
    let mut fat = Vec::new();
    fat.extend_from_slice(&0xcafe_babe_u32.to_be_bytes());
    fat.extend_from_slice(&1u32.to_be_bytes()); // one architecture
    fat.extend_from_slice(&0x0100_0007_u32.to_be_bytes()); // CPU_TYPE_X86_64
    fat.extend_from_slice(&3u32.to_be_bytes()); // CPU_SUBTYPE_X86_64_ALL
    fat.extend_from_slice(&4096u32.to_be_bytes()); // offset
    fat.extend_from_slice(&(thin.len() as u32).to_be_bytes());
    fat.extend_from_slice(&12u32.to_be_bytes()); // 2^12 alignment
    fat.resize(4096, 0);
    fat.extend_from_slice(&thin);
    assert_eq!(
        bulwark_binary::detect_executable(&fat),
        Some(bulwark_binary::Format::MachOFat)
    );
    assert_eq!(
        golang::build_info(&fat).expect("fat"),
        golang::build_info(&thin).expect("thin")
    );
    assert!(golang::build_info(&fat).expect("fat").is_some());
}
