//! Real images built by the machine's Docker Engine, read back through `docker save`
//! (`docker-archive:`), OCI layouts written by skopeo (gzip and zstd layers) and umoci, and the
//! OCI-style `docker save` layout of Docker 25+: every route must give the same file view.
//!
//! Needs: docker (engine running), skopeo, umoci, busybox-static (`/bin/busybox`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use bulwark_source::{open, SourceOptions, Target};
use bulwark_walk::{EntryMeta, Limits, NodeKind, Visitor};

/// Wants every file under /opt and /etc; keeps its content.
struct Grab;

impl Visitor for Grab {
    type Output = Vec<u8>;
    fn wants(&self, e: &EntryMeta<'_>) -> bool {
        e.path.starts_with("/opt/") || e.path.starts_with("/etc/")
    }
    fn visit(&self, _: &EntryMeta<'_>, data: &[u8]) -> Vec<u8> {
        data.to_vec()
    }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Build (once per test process) the test images and return a temp dir holding their exports.
struct Fixture {
    dir: tempfile::TempDir,
}

const BASE: &str = "bulwark-test/archive-base:1";
const APP: &str = "bulwark-test/archive-app:1";

fn build() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A busybox root filesystem: the static binary plus the applets the Dockerfile uses.
    let root = d.join("rootfs");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::copy("/bin/busybox", root.join("bin/busybox"))
        .expect("busybox-static is needed: apt-get install busybox-static");
    for applet in ["sh", "rm", "mkdir", "echo", "ln", "cat"] {
        std::os::unix::fs::symlink("busybox", root.join("bin").join(applet)).unwrap();
    }
    std::fs::write(
        root.join("etc/os-release"),
        "ID=bulwarktest\nVERSION_ID=1\n",
    )
    .unwrap();
    run(Command::new("tar")
        .args(["-C"])
        .arg(&root)
        .args(["-cf"])
        .arg(d.join("rootfs.tar"))
        .arg("."));
    run(Command::new("docker")
        .args(["import"])
        .arg(d.join("rootfs.tar"))
        .arg("bulwark-test/archive-import:1"));
    std::fs::write(
        d.join("Dockerfile.base"),
        "FROM bulwark-test/archive-import:1\nCMD [\"sh\"]\n",
    )
    .unwrap();
    run(Command::new("docker")
        .args(["build", "-q", "-t", BASE, "-f"])
        .arg(d.join("Dockerfile.base"))
        .arg(d));
    std::fs::write(d.join("note.txt"), "copied in\n").unwrap();
    std::fs::write(
        d.join("Dockerfile.app"),
        format!(
            "FROM {BASE}\n\
             RUN mkdir -p /opt/app/cfg && echo one > /opt/app/cfg/a && echo b > /opt/app/cfg/b && echo gone > /etc/removed\n\
             RUN rm /etc/removed && rm -rf /opt/app/cfg && mkdir /opt/app/cfg && echo two > /opt/app/cfg/c && ln -s ../../etc/os-release /opt/app/osr\n\
             COPY note.txt /opt/app/note.txt\n\
             USER 1000\n"
        ),
    )
    .unwrap();
    run(Command::new("docker")
        .args(["build", "-q", "-t", APP, "-f"])
        .arg(d.join("Dockerfile.app"))
        .arg(d));
    run(Command::new("docker")
        .args(["save", "-o"])
        .arg(d.join("app.tar"))
        .arg(APP));
    Fixture { dir }
}

type View = BTreeMap<String, (String, usize)>;

/// The final view as (path -> (kind, layer)) and the visible captured contents.
fn read(target: Target) -> (View, BTreeMap<String, Vec<u8>>, bulwark_source::ImageMeta) {
    let image =
        open(&target, &SourceOptions::default()).unwrap_or_else(|e| panic!("{target}: {e}"));
    let walked = image
        .walk(&Grab, &Limits::default())
        .unwrap_or_else(|e| panic!("{target}: {e}"));
    let view = walked
        .walk
        .view
        .iter()
        .map(|(p, n)| {
            let kind = match &n.kind {
                NodeKind::File => format!("file:{}", n.size),
                NodeKind::Dir => "dir".to_string(),
                NodeKind::Symlink(t) => format!("link:{t}"),
                NodeKind::Other => "other".to_string(),
            };
            (p.to_string(), (kind, n.layer))
        })
        .collect();
    let files = walked
        .walk
        .captured
        .into_iter()
        .filter(|c| c.visible)
        .map(|c| (c.path, c.output))
        .collect();
    (view, files, walked.meta)
}

fn skopeo(args: &[&str], from: String, to: String) {
    run(Command::new("skopeo")
        .arg("copy")
        .args(args)
        .arg(from)
        .arg(to));
}

/// Rewrite an OCI layout as Docker 25+'s `docker save` output: manifest.json pointing into
/// blobs/, next to index.json and oci-layout.
fn docker25_archive(layout: &Path, out: &Path) {
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let mdigest = index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .replace("sha256:", "");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("blobs/sha256").join(&mdigest)).unwrap())
            .unwrap();
    let blob = |d: &serde_json::Value| {
        format!(
            "blobs/sha256/{}",
            d["digest"].as_str().unwrap().replace("sha256:", "")
        )
    };
    let layers: Vec<String> = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(blob)
        .collect();
    let save = serde_json::json!([{ "Config": blob(&manifest["config"]), "RepoTags": [APP], "Layers": layers }]);
    std::fs::write(
        layout.join("manifest.json"),
        serde_json::to_vec(&save).unwrap(),
    )
    .unwrap();
    run(Command::new("tar")
        .arg("-C")
        .arg(layout)
        .arg("-cf")
        .arg(out)
        .arg("."));
}

#[test]
fn every_route_gives_the_same_view() {
    let fx = build();
    let d = fx.dir.path();
    let archive = d.join("app.tar");
    let (view, files, meta) = read(Target::DockerArchive(archive.clone()));

    // The image as built: deletions and the opaque directory applied, symlink kept.
    assert!(!view.contains_key("/etc/removed"), "whiteout not applied");
    assert!(
        !view.contains_key("/opt/app/cfg/a") && !view.contains_key("/opt/app/cfg/b"),
        "opaque dir not applied"
    );
    assert_eq!(
        files.get("/opt/app/cfg/c").map(Vec::as_slice),
        Some(&b"two\n"[..])
    );
    assert_eq!(
        files.get("/opt/app/note.txt").map(Vec::as_slice),
        Some(&b"copied in\n"[..])
    );
    assert_eq!(view["/opt/app/osr"].0, "link:../../etc/os-release");
    assert_eq!(view["/opt/app/note.txt"].1, 3);
    assert_eq!(view["/bin/busybox"].1, 0);
    assert!(!files.contains_key("/etc/removed"));

    // Metadata: layers with history, base detection from the base's CMD.
    assert_eq!(meta.layers.len(), 4);
    assert!(meta.layers[1]
        .created_by
        .as_deref()
        .unwrap_or("")
        .contains("mkdir -p /opt/app/cfg"));
    let base: Vec<bool> = meta.layers.iter().map(|l| l.is_base).collect();
    assert_eq!(base, vec![true, false, false, false]);
    assert_eq!(
        meta.config.as_ref().unwrap().config.user.as_deref(),
        Some("1000")
    );
    assert_eq!(meta.names, vec![APP.to_string()]);

    // skopeo: OCI layout with gzip layers, then zstd layers; umoci repacks one more layer.
    let oci_gz = d.join("oci-gz");
    skopeo(
        &[],
        format!("docker-archive:{}", archive.display()),
        format!("oci:{}:v1", oci_gz.display()),
    );
    let (v2, f2, m2) = read(Target::Oci {
        path: oci_gz.clone(),
        reference: Some("v1".into()),
    });
    assert_eq!(v2, view);
    assert_eq!(f2, files);
    assert_eq!(
        m2.layers.iter().map(|l| l.is_base).collect::<Vec<_>>(),
        base
    );
    assert!(m2.manifest_digest.is_some());

    let oci_zstd = d.join("oci-zstd");
    skopeo(
        &["--dest-compress-format", "zstd", "--dest-compress"],
        format!("docker-archive:{}", archive.display()),
        format!("oci:{}:v1", oci_zstd.display()),
    );
    let (v3, f3, m3) = read(Target::parse(&format!("oci:{}:v1", oci_zstd.display())).unwrap());
    assert_eq!(v3, view);
    assert_eq!(f3, files);
    assert!(m3
        .layers
        .iter()
        .all(|l| l.media_type.as_deref().unwrap_or("").contains("zstd")));

    // OCI layout as a tar, auto-detected without a prefix.
    let oci_tar = d.join("oci.tar");
    run(Command::new("tar")
        .arg("-C")
        .arg(&oci_gz)
        .arg("-cf")
        .arg(&oci_tar)
        .arg("."));
    let (v4, f4, _) = read(Target::parse(oci_tar.to_str().unwrap()).unwrap());
    assert_eq!(v4, view);
    assert_eq!(f4, files);

    // Docker 25+ save layout (manifest.json over blobs/).
    let d25 = d.join("docker25.tar");
    docker25_archive(&oci_gz, &d25);
    let (v5, f5, m5) = read(Target::parse(d25.to_str().unwrap()).unwrap());
    assert_eq!(v5, view);
    assert_eq!(f5, files);
    assert_eq!(m5.names, vec![APP.to_string()]);

    // umoci: unpack, change, repack (a layer that adds a file and deletes one), then a
    // whiteout-only layer from `umoci insert --whiteout`. (umoci 0.4.7's `insert` of a file
    // writes a truncated tar, which GNU tar rejects too, so content goes through repack.)
    let um = d.join("oci-umoci");
    run(Command::new("cp").arg("-r").arg(&oci_gz).arg(&um));
    let bundle = d.join("bundle");
    run(Command::new("umoci")
        .args(["unpack", "--rootless", "--image"])
        .arg(format!("{}:v1", um.display()))
        .arg(&bundle));
    std::fs::write(bundle.join("rootfs/opt/app/umoci.txt"), "from umoci\n").unwrap();
    std::fs::remove_file(bundle.join("rootfs/opt/app/cfg/c")).unwrap();
    run(Command::new("umoci")
        .args(["repack", "--image"])
        .arg(format!("{}:v1", um.display()))
        .arg(&bundle));
    run(Command::new("umoci")
        .args(["insert", "--rootless", "--whiteout", "--image"])
        .arg(format!("{}:v1", um.display()))
        .arg("/opt/app/note.txt"));
    let (v6, f6, m6) = read(Target::Oci {
        path: um,
        reference: Some("v1".into()),
    });
    assert_eq!(m6.layers.len(), 6);
    assert_eq!(
        f6.get("/opt/app/umoci.txt").map(Vec::as_slice),
        Some(&b"from umoci\n"[..])
    );
    assert!(!v6.contains_key("/opt/app/note.txt"));
    assert!(!f6.contains_key("/opt/app/note.txt"));
    assert!(!v6.contains_key("/opt/app/cfg/c"));
    assert_eq!(v6["/opt/app/umoci.txt"].1, 4);
    assert_eq!(v6.len(), view.len() - 1);
}

#[test]
fn tampered_archives_are_refused() {
    let fx = build();
    let d = fx.dir.path();
    let layout = d.join("oci");
    skopeo(
        &[],
        format!("docker-archive:{}", d.join("app.tar").display()),
        format!("oci:{}:v1", layout.display()),
    );
    // Flip a byte in the biggest layer blob: its digest no longer matches.
    let blobs: Vec<PathBuf> = std::fs::read_dir(layout.join("blobs/sha256"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let biggest = blobs
        .iter()
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let mut bytes = std::fs::read(biggest).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(biggest, &bytes).unwrap();
    let image = open(
        &Target::Oci {
            path: layout.clone(),
            reference: Some("v1".into()),
        },
        &SourceOptions::default(),
    )
    .unwrap();
    let err = match image.walk(&Grab, &Limits::default()) {
        Ok(_) => panic!("tampered layer accepted"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("digest mismatch") || err.contains("malformed") || err.contains("corrupt"),
        "{err}"
    );
    assert!(err.contains("layer"), "{err}");

    // A tampered config is refused before any layer is read.
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let mdigest = index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .replace("sha256:", "");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("blobs/sha256").join(&mdigest)).unwrap())
            .unwrap();
    let cdigest = manifest["config"]["digest"]
        .as_str()
        .unwrap()
        .replace("sha256:", "");
    let cpath = layout.join("blobs/sha256").join(&cdigest);
    let mut config = std::fs::read(&cpath).unwrap();
    config.extend_from_slice(b" ");
    std::fs::write(&cpath, config).unwrap();
    let err = match open(
        &Target::Oci {
            path: layout,
            reference: Some("v1".into()),
        },
        &SourceOptions::default(),
    ) {
        Ok(_) => panic!("tampered config accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("digest mismatch"), "{err}");
}

/// Write a blob into a layout and return its descriptor.
fn put_blob(
    layout: &Path,
    media_type: &str,
    data: &[u8],
    platform: Option<(&str, &str)>,
) -> serde_json::Value {
    let digest = bulwark_walk::Digest::of(bulwark_walk::Algorithm::Sha256, data);
    std::fs::write(layout.join("blobs/sha256").join(digest.hex()), data).unwrap();
    let mut d = serde_json::json!({"mediaType": media_type, "digest": digest.to_string(), "size": data.len()});
    if let Some((os, arch)) = platform {
        d["platform"] = serde_json::json!({"os": os, "architecture": arch});
    }
    d
}

#[test]
fn multi_platform_indexes_choose_the_platform() {
    let fx = build();
    let d = fx.dir.path();
    // Two real single-platform layouts: the app image and its base.
    let app = d.join("app-oci");
    let base_tar = d.join("base.tar");
    run(Command::new("docker")
        .args(["save", "-o"])
        .arg(&base_tar)
        .arg(BASE));
    skopeo(
        &[],
        format!("docker-archive:{}", d.join("app.tar").display()),
        format!("oci:{}:app", app.display()),
    );
    skopeo(
        &[],
        format!("docker-archive:{}", base_tar.display()),
        format!("oci:{}:base", app.display()),
    );
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(app.join("index.json")).unwrap()).unwrap();
    let entry = |tag: &str| {
        index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
            .unwrap()
            .clone()
    };
    // A nested index: amd64 -> app, arm64 -> base, plus an attestation-like unknown entry.
    let mut amd = entry("app");
    amd["platform"] = serde_json::json!({"os": "linux", "architecture": "amd64"});
    let mut arm = entry("base");
    arm["platform"] = serde_json::json!({"os": "linux", "architecture": "arm64", "variant": "v8"});
    let mut unknown = entry("base");
    unknown["platform"] = serde_json::json!({"os": "unknown", "architecture": "unknown"});
    for e in [&mut amd, &mut arm, &mut unknown] {
        e.as_object_mut().unwrap().remove("annotations");
    }
    let inner = serde_json::json!({"schemaVersion": 2, "mediaType": bulwark_source::oci::OCI_INDEX, "manifests": [unknown, amd, arm]});
    let mut desc = put_blob(
        &app,
        bulwark_source::oci::OCI_INDEX,
        &serde_json::to_vec(&inner).unwrap(),
        None,
    );
    desc["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": "multi"});
    let mut top = index.clone();
    top["manifests"].as_array_mut().unwrap().push(desc);
    std::fs::write(app.join("index.json"), serde_json::to_vec(&top).unwrap()).unwrap();

    let layers_for = |platform: &str| {
        let opts = SourceOptions {
            platform: bulwark_source::Platform::parse(platform).unwrap(),
            ..SourceOptions::default()
        };
        let target = Target::Oci {
            path: app.clone(),
            reference: Some("multi".into()),
        };
        open(&target, &opts)
            .map(|i| i.meta.layers.len())
            .map_err(|e| e.to_string())
    };
    assert_eq!(layers_for("linux/amd64").unwrap(), 4);
    assert_eq!(layers_for("linux/arm64").unwrap(), 1);
    assert_eq!(layers_for("linux/arm64/v8").unwrap(), 1);
    let err = layers_for("linux/s390x").err().unwrap();
    assert!(
        err.contains("no manifest for platform linux/s390x"),
        "{err}"
    );
}
