//! apk packages pinned to tagged repositories (`/etc/apk/world` `name@tag`, declared in
//! `/etc/apk/repositories`) carry `repository_tag` and `repository` metadata.

use std::collections::BTreeMap;

use crate::common::{fixture, run, run_layers};
use bulwark_catalog::Inventory;
use proptest::prelude::*;

const INSTALLED: &str = "/lib/apk/db/installed";
const WORLD: &str = "/etc/apk/world";
const REPOSITORIES: &str = "/etc/apk/repositories";

const REPOS: &str = "https://dl-cdn.alpinelinux.org/alpine/v3.18/main
https://dl-cdn.alpinelinux.org/alpine/v3.18/community
@edge https://dl-cdn.alpinelinux.org/alpine/edge/main
@corp https://apk.example.com/alpine
";

/// `name -> (repository_tag, repository)` for every package with a tag.
fn tagged(inv: &Inventory) -> BTreeMap<&str, (&str, Option<&str>)> {
    inv.packages
        .iter()
        .filter_map(|p| {
            let tag = p.metadata.get("repository_tag")?;
            Some((
                p.name.as_str(),
                (
                    tag.as_str(),
                    p.metadata.get("repository").map(String::as_str),
                ),
            ))
        })
        .collect()
}

#[test]
fn tagged_world_entries_mark_their_packages() {
    // `so:libz.so.1@corp` names zlib through what it provides; `nginx@edge` is not installed;
    // `missing@nowhere` has no declared repository (tag only); `!busybox@edge` is a conflict.
    let world = "alpine-baselayout\nalpine-keys\napk-tools\nbusybox\nlibc-utils\n\
                 libssl3@edge\nso:libz.so.1@corp\nnginx@edge\nscanelf@nowhere>=1.3\n\
                 !busybox@edge\n";
    let inv = run(&[
        (INSTALLED, fixture("apk/alpine-3.18/installed")),
        (WORLD, world.as_bytes().to_vec()),
        (REPOSITORIES, REPOS.as_bytes().to_vec()),
    ]);
    assert_eq!(inv.packages.len(), 15);
    assert_eq!(
        tagged(&inv),
        BTreeMap::from([
            (
                "libssl3",
                (
                    "edge",
                    Some("https://dl-cdn.alpinelinux.org/alpine/edge/main")
                )
            ),
            ("scanelf", ("nowhere", None)),
            ("zlib", ("corp", Some("https://apk.example.com/alpine"))),
        ])
    );
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
}

#[test]
fn only_the_visible_world_counts_and_problems_are_warnings() {
    let installed = fixture("apk/alpine-3.18/installed");
    // Layer 1 replaces layer 0's world: the pin is gone.
    let inv = run_layers(&[
        vec![
            (INSTALLED.to_string(), installed.clone()),
            (WORLD.to_string(), b"libssl3@edge\n".to_vec()),
            (REPOSITORIES.to_string(), REPOS.as_bytes().to_vec()),
        ],
        vec![(WORLD.to_string(), b"libssl3\n".to_vec())],
    ]);
    assert!(tagged(&inv).is_empty());
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);

    // Malformed entries, a double pin and an oversized repositories file.
    let inv = run(&[
        (INSTALLED, installed),
        (
            WORLD,
            b"zlib@corp zlib@edge @x libssl3@ \xff\xfe@bad\n".to_vec(),
        ),
        (REPOSITORIES, vec![b'#'; 2 * 1024 * 1024]),
    ]);
    assert_eq!(tagged(&inv), BTreeMap::from([("zlib", ("corp", None))]));
    let warnings: Vec<(&str, &str)> = inv
        .warnings
        .iter()
        .map(|w| (w.path.as_str(), w.message.as_str()))
        .collect();
    assert_eq!(
        warnings,
        [
            (
                REPOSITORIES,
                "larger than 1048576 bytes: not read; repository tags unknown"
            ),
            (WORLD, "skipped world entry \"@x\": empty name or tag"),
            (WORLD, "skipped world entry \"libssl3@\": empty name or tag"),
            (
                WORLD,
                "zlib is pinned to both @corp and @edge; keeping @corp"
            ),
        ]
    );
}

/// World entries built from real names, tags, conflicts and version constraints.
fn world_entry() -> impl Strategy<Value = (bool, &'static str, &'static str, &'static str)> {
    (
        any::<bool>(),
        prop::sample::select(vec!["zlib", "libssl3", "busybox", "nginx", ""]),
        prop::sample::select(vec!["", "@edge", "@corp", "@", "@a@b"]),
        prop::sample::select(vec!["", ">=1.0", "=1.2.13-r1", "~1", "><Q1x="]),
    )
}

proptest! {
    /// Arbitrary bytes never panic and leave the 15 packages in place.
    #[test]
    fn hostile_world_and_repositories(
        world in proptest::collection::vec(any::<u8>(), 0..512),
        repos in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let inv = run(&[
            (INSTALLED, fixture("apk/alpine-3.18/installed")),
            (WORLD, world),
            (REPOSITORIES, repos),
        ]);
        prop_assert_eq!(inv.packages.len(), 15);
    }

    /// Tags follow a simple model: the first well-formed, non-conflict `name@tag` entry of an
    /// installed package pins it.
    #[test]
    fn tags_follow_the_first_pin(entries in proptest::collection::vec(world_entry(), 0..12)) {
        let world: Vec<String> = entries
            .iter()
            .map(|(conflict, n, t, v)| format!("{}{n}{t}{v}", if *conflict { "!" } else { "" }))
            .collect();
        let inv = run(&[
            (INSTALLED, fixture("apk/alpine-3.18/installed")),
            (WORLD, world.join("\n").into_bytes()),
            (REPOSITORIES, REPOS.as_bytes().to_vec()),
        ]);
        let mut want: BTreeMap<&str, (&str, Option<&str>)> = BTreeMap::new();
        for (conflict, n, t, _) in &entries {
            let tag = t.trim_start_matches('@');
            if *conflict || n.is_empty() || *n == "nginx" || tag.is_empty() || tag.contains('@') {
                continue;
            }
            let url = match tag {
                "edge" => "https://dl-cdn.alpinelinux.org/alpine/edge/main",
                _ => "https://apk.example.com/alpine",
            };
            want.entry(n).or_insert((tag, Some(url)));
        }
        prop_assert_eq!(tagged(&inv), want, "{:?}", world);
    }
}
