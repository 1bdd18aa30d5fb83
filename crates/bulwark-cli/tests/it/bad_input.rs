//! Issue 21: every verb refuses bad input with exit code 2, a message naming the input, and
//! promptly: a table of verbs × bad-input classes (device files, FIFO, directory, empty,
//! truncated, binary garbage, deeply nested, huge sparse file, wrong format, UTF-16, symlink
//! loop, unreadable). Each run is killed after a deadline, so a hang fails the test instead of
//! blocking CI; this bounds time, it does not measure speed.
//!
//! Tests run as root in CI, where `chmod 000` does not stop reads: the unreadable case is
//! checked only when the file really is unreadable (see `unreadable_when_not_root`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::common::repo;

/// Long enough for a loaded 2-core CI machine; a hang runs into it, a refusal never does.
const DEADLINE: Duration = Duration::from_secs(30);

/// Run bulwark with `args`, stdin closed, killing it at [`DEADLINE`]: (exit code, stderr), or
/// `None` when it had to be killed.
fn run(args: &[String]) -> Option<(i32, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .args(args)
        .env_remove("BULWARK_MAX_INPUT_SIZE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning bulwark");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("waiting for bulwark") {
            let err = reader.join().unwrap_or_default();
            return Some((status.code().unwrap_or(-1), err));
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The bad inputs, made once per test process.
struct Fixtures {
    dir: PathBuf,
}

impl Fixtures {
    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("bwt-bad21-")
            .tempdir()
            .expect("temp dir")
            .keep();
        let w = |name: &str, data: &[u8]| std::fs::write(dir.join(name), data).expect("write");
        let st = Command::new("mkfifo")
            .arg(dir.join("fifo"))
            .status()
            .expect("mkfifo");
        assert!(st.success());
        std::fs::create_dir(dir.join("dir")).expect("mkdir");
        w("empty", b"");
        w(
            "truncated.json",
            b"{\"bomFormat\": \"CycloneDX\", \"components\": [{\"name\": ",
        );
        // Deterministic garbage with NULs and invalid UTF-8.
        let mut x: u32 = 0x2545_F491;
        let garbage: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect();
        w("garbage.bin", &garbage);
        w(
            "nested.json",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).as_bytes(),
        );
        // Block nesting: a recursive YAML loader overflows its stack on this.
        w(
            "nested.yaml",
            format!("{}x\n", "- ".repeat(20_000)).as_bytes(),
        );
        let huge = std::fs::File::create(dir.join("huge.json")).expect("create");
        huge.set_len(1 << 30).expect("sparse 1 GiB");
        w("wrong.json", b"{\"hello\": \"world\"}\n");
        let mut u16 = vec![0xFF, 0xFE];
        for c in "{\"bomFormat\": \"CycloneDX\"}".encode_utf16() {
            u16.extend_from_slice(&c.to_le_bytes());
        }
        w("utf16.json", &u16);
        std::os::unix::fs::symlink(dir.join("loop"), dir.join("loop")).expect("symlink");
        let demo = std::fs::read(repo().join("examples/demo/demo-image.tar")).expect("demo tar");
        w(
            "truncated.tar",
            demo.get(..demo.len() / 2).unwrap_or_default(),
        );
        w("Dockerfile", b"FROM scratch\n");
        Fixtures { dir }
    })
}

/// A small, valid advisory database.
fn db() -> &'static str {
    static DB: OnceLock<String> = OnceLock::new();
    DB.get_or_init(|| {
        let path = fixtures().path("good.sqlite");
        let adv = repo().join("examples/demo/advisories/pypa");
        let args: Vec<String> = ["-q", "db", "build", "--db", &path, "--source"]
            .iter()
            .map(|s| s.to_string())
            .chain([format!("osv:{}", adv.display())])
            .collect();
        let (code, err) = run(&args).expect("db build finished");
        assert_eq!(code, 0, "db build: {err}");
        path
    })
}

/// Every bad-input class, by fixture name. `dev-*` name device files directly.
const CLASSES: &[&str] = &[
    "/dev/zero",
    "/dev/urandom",
    "fifo",
    "dir",
    "empty",
    "truncated.json",
    "garbage.bin",
    "nested.json",
    "nested.yaml",
    "huge.json",
    "wrong.json",
    "utf16.json",
    "loop",
];

fn input(class: &str) -> String {
    if class.starts_with('/') {
        class.to_string()
    } else {
        fixtures().path(class)
    }
}

/// The verbs that read a user document, as argument lists with `{}` where the input goes.
/// Classes a verb legitimately accepts are left out (a directory is a valid `config` or OSV
/// feed input).
fn verbs() -> Vec<(&'static str, Vec<String>, Vec<&'static str>)> {
    let db = db().to_string();
    let dockerfile = fixtures().path("Dockerfile");
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        ("sbom sbom:FILE", s(&["sbom", "sbom:{}"]), vec![]),
        (
            "scan sbom:FILE",
            s(&["scan", "--db", &db, "sbom:{}"]),
            vec![],
        ),
        (
            "scan --db FILE",
            s(&["scan", "--db", "{}", "sbom:/nonexistent"]),
            vec![],
        ),
        (
            "scan --vex FILE",
            s(&["scan", "--db", &db, "--vex", "{}", "sbom:/nonexistent"]),
            vec![],
        ),
        (
            "scan --ignore-file FILE",
            s(&[
                "scan",
                "--db",
                &db,
                "--ignore-file",
                "{}",
                "sbom:/nonexistent",
            ]),
            // An empty exception file is a valid empty list.
            vec!["empty"],
        ),
        (
            "scan --license-policy FILE",
            s(&[
                "scan",
                "--db",
                &db,
                "--license-policy",
                "{}",
                "sbom:/nonexistent",
            ]),
            vec!["empty"],
        ),
        ("config FILE", s(&["config", "{}"]), vec!["dir"]),
        (
            "config --ignore-file FILE",
            s(&["config", "--ignore-file", "{}", &dockerfile]),
            vec!["empty"],
        ),
        (
            "db build --source osv:FILE",
            s(&[
                "db",
                "build",
                "--db",
                &fixtures().path("out.sqlite"),
                "--source",
                "osv:{}",
            ]),
            vec!["dir", "empty"],
        ),
        (
            "db import osv:FILE",
            s(&[
                "db",
                "import",
                "--db",
                &fixtures().path("imp.sqlite"),
                "osv:{}",
            ]),
            vec!["dir", "empty"],
        ),
        (
            "inspect docker-archive:FILE",
            s(&["inspect", "docker-archive:{}"]),
            vec![],
        ),
        ("inspect oci:FILE", s(&["inspect", "oci:{}"]), vec!["dir"]),
    ]
}

/// Every verb × class: exit code 2, the input named on standard error, no hang.
#[test]
fn bad_input_every_verb_every_class() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for (verb, template, skip) in verbs() {
        for class in CLASSES.iter().copied().chain(["truncated.tar"]) {
            if skip.contains(&class) {
                continue;
            }
            let path = input(class);
            let args: Vec<String> = template.iter().map(|a| a.replace("{}", &path)).collect();
            ran += 1;
            match run(&args) {
                None => failures.push(format!(
                    "{verb} × {class}: still running after {DEADLINE:?}"
                )),
                Some((code, err)) => {
                    if code != 2 {
                        failures.push(format!("{verb} × {class}: exit {code}, want 2: {err}"));
                    } else if !err.contains(&path) {
                        failures.push(format!(
                            "{verb} × {class}: message does not name {path}: {err}"
                        ));
                    }
                }
            }
        }
    }
    assert!(ran > 100, "only {ran} cases ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The exact refusals users see for the inputs issue 21 reported.
#[test]
fn bad_input_messages_say_what_and_what_to_do() {
    let f = fixtures();
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec!["sbom".into(), "sbom:/dev/urandom".into()],
            "SBOM /dev/urandom: is a device file, not a regular file; name a regular file".into(),
        ),
        (
            vec!["config".into(), f.path("fifo")],
            format!(
                "error: {}: is a named pipe (FIFO), not a regular file; to read a stream, pass `-` and pipe it to standard input",
                f.path("fifo")
            ),
        ),
        (
            vec!["scan".into(), "--db".into(), "/etc/passwd".into(), "sbom:/x".into()],
            "/etc/passwd: not a Bulwark advisory database (no SQLite header)".into(),
        ),
        (
            vec!["scan".into(), "--db".into(), f.path("huge.json"), "sbom:/x".into()],
            "not a Bulwark advisory database (no SQLite header)".into(),
        ),
        (
            vec!["sbom".into(), format!("sbom:{}", f.path("huge.json"))],
            format!(
                "SBOM {}: 1073741824 bytes is over the 268435456-byte bound for this kind of document; if the document is genuine, raise the bound with --max-input-size (or BULWARK_MAX_INPUT_SIZE)",
                f.path("huge.json")
            ),
        ),
        (
            vec!["sbom".into(), format!("sbom:{}", f.path("wrong.json"))],
            "not a recognised SBOM (a JSON object with keys hello); supported: CycloneDX JSON 1.2-1.6, SPDX 2.2/2.3 JSON or tag-value, Syft JSON".into(),
        ),
        (
            vec!["sbom".into(), format!("sbom:{}", f.path("utf16.json"))],
            "UTF-16 text; convert it to UTF-8".into(),
        ),
        (
            vec!["inspect".into(), format!("docker-archive:{}", f.path("truncated.tar"))],
            "archive is truncated: member `".into(),
        ),
        (
            vec!["sbom".into(), format!("sbom:{}", f.path("loop"))],
            "symbolic links loop".into(),
        ),
        (
            vec!["--max-input-size".into(), "1K".into(), "config".into(), "--kind".into(),
                 "compose".into(), f.path("nested.json")],
            "over the 1024-byte bound".into(),
        ),
    ];
    for (args, want) in cases {
        let (code, err) = run(&args).unwrap_or_else(|| panic!("{args:?} hung"));
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(&want), "{args:?}: want {want:?} in:\n{err}");
    }
}

/// A file the user cannot read. As root (CI) `chmod 000` does not stop reads, so the case
/// only asserts when the file really is unreadable; otherwise it checks the file was read.
#[test]
fn bad_input_unreadable_when_not_root() {
    use std::os::unix::fs::PermissionsExt;
    let path = fixtures().path("secret.json");
    std::fs::write(&path, b"{}").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let readable = std::fs::File::open(Path::new(&path)).is_ok();
    let (code, err) = run(&["sbom".into(), format!("sbom:{path}")]).expect("finished");
    assert_eq!(code, 2, "{err}");
    if readable {
        // Root: the file was read and refused for its content.
        assert!(err.contains("not a recognised SBOM"), "{err}");
    } else {
        assert!(err.contains("permission denied"), "{err}");
    }
}
