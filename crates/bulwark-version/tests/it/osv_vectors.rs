//! `OsvRange::affects` on the SEMVER cases of Go vulndb's `internal/osvutils/affects_test.go`
//! (golang/vulndb @ 2f29ed1a531761cf856c228c1371d21f61845473, BSD-3-Clause), plus cases for
//! `last_affected` and `limit` written from the OSV schema's evaluation rules.
//!
//! Two vulndb cases are left out on purpose: vulndb rejects unsorted events (the OSV schema
//! sorts them, as we do) and rejects a `v` prefix (we accept it: Go module versions carry one).

use bulwark_version::{Event, OsvRange, RangeType, Scheme};

fn ev(spec: &str) -> Event {
    let (kind, v) = spec.split_once('=').expect("kind=version");
    match kind {
        "i" => Event::Introduced(v.to_owned()),
        "f" => Event::Fixed(v.to_owned()),
        "la" => Event::LastAffected(v.to_owned()),
        "l" => Event::Limit(v.to_owned()),
        other => panic!("unknown event kind {other}"),
    }
}

#[test]
fn vulndb_affects_semver_cases() {
    let cases: &[(&[&str], &str, bool)] = &[
        (&["i=0"], "10.0.0", true),
        (&["i=0", "f=2.0.0"], "1.0.0", true),
        (&["i=0.0.1"], "1.0.0", true),
        (&["i=1.0.0"], "1.0.0", true),
        (&["i=1.0.0", "f=2.0.0"], "1.0.0", true),
        (&["i=0.0.1", "f=2.0.0"], "1.0.0", true),
        (&["i=1.0.0", "f=2.0.0"], "3.0.0", false),
        (&["i=2.0.0", "f=3.0.0"], "1.0.0", false),
        (&["i=1.0.0", "f=2.0.0", "i=3.0.0"], "3.0.0", true),
        (
            &["i=0", "f=1.18.6", "i=1.19.0", "f=1.19.1"],
            "1.18.6",
            false,
        ),
        (
            &["i=0.0.0-20210824120805-abcdef"],
            "0.0.0-20220824120805-4b6e5c587895",
            true,
        ),
    ];
    for (events, version, want) in cases {
        let range = OsvRange {
            kind: RangeType::Semver,
            events: events.iter().map(|e| ev(e)).collect(),
        };
        assert_eq!(
            range.affects(Scheme::Go, version),
            Ok(*want),
            "{events:?} {version}"
        );
    }
}

#[test]
fn last_affected_and_limit() {
    let cases: &[(&[&str], &str, bool)] = &[
        // last_affected is inclusive.
        (&["i=1.0", "la=1.5"], "1.5", true),
        (&["i=1.0", "la=1.5"], "1.5.post1", false),
        (&["i=0", "la=2.0"], "0.1", true),
        // A limit bounds the range from above (exclusive); "*" means no bound.
        (&["i=0", "l=2.0"], "1.9", true),
        (&["i=0", "l=2.0"], "2.0", false),
        (&["i=0", "l=*"], "99", true),
        // Unsorted events are sorted before evaluation.
        (&["f=2.0", "i=1.0"], "1.5", true),
        (&["f=2.0", "i=1.0"], "2.0", false),
        // Pre-releases of a fix are still affected.
        (&["i=0", "f=2.0"], "2.0rc1", true),
    ];
    for (events, version, want) in cases {
        let range = OsvRange {
            kind: RangeType::Ecosystem,
            events: events.iter().map(|e| ev(e)).collect(),
        };
        assert_eq!(
            range.affects(Scheme::Pep440, version),
            Ok(*want),
            "{events:?} {version}"
        );
    }
}
