//! Properties every scheme must have, whatever the input: no panics on hostile strings, and a
//! comparison that is a total order (antisymmetric, transitive, reflexive) over real versions.
//! These matter most for apk and NuGet, which have no reference tool on the test machines.

use crate::common;

use std::cmp::Ordering;

use bulwark_version::{Event, OsvRange, RangeType, Scheme};
use common::{real_versions, Rng};
use proptest::prelude::*;

const SCHEMES: [Scheme; 10] = [
    Scheme::Dpkg,
    Scheme::Rpm,
    Scheme::Apk,
    Scheme::Pep440,
    Scheme::Semver,
    Scheme::Go,
    Scheme::Maven,
    Scheme::RubyGems,
    Scheme::NuGet,
    Scheme::Composer,
];

/// Strings built from version-ish fragments and arbitrary characters.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9a-zA-Z.~^:+_!@#*-]{0,40}",
        proptest::collection::vec(
            prop_oneof![
                Just("0".to_owned()),
                Just("99999999999999999999999999".to_owned()),
                Just(".".to_owned()),
                Just("-".to_owned()),
                Just("~".to_owned()),
                Just("_".to_owned()),
                Just("+".to_owned()),
                Just(":".to_owned()),
                Just("rc".to_owned()),
                Just("dev".to_owned()),
                Just("é".to_owned()),
                Just("\u{0}".to_owned()),
            ],
            0..60
        )
        .prop_map(|v| v.concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn never_panics(a in hostile(), b in hostile()) {
        for scheme in SCHEMES {
            let ab = scheme.compare(&a, &b);
            let ba = scheme.compare(&b, &a);
            // Errors are symmetric and orders are antisymmetric.
            match (ab, ba) {
                (Ok(x), Ok(y)) => prop_assert_eq!(x, y.reverse()),
                (Err(_), Err(_)) => {}
                (x, y) => prop_assert!(false, "{scheme}: {a:?} vs {b:?}: {x:?} / {y:?}"),
            }
        }
        let range = OsvRange {
            kind: RangeType::Ecosystem,
            events: vec![Event::Introduced(a.clone()), Event::Fixed(b.clone())],
        };
        for scheme in SCHEMES {
            let _ = range.affects(scheme, &a);
        }
    }
}

/// Sorting real versions with each scheme gives a consistent total order: every adjacent
/// pair is ordered, equal strings compare equal, and sampled triples are transitive.
#[test]
fn total_order_over_real_versions() {
    let lists = [
        (Scheme::Dpkg, "dpkg"),
        (Scheme::Rpm, "rpm"),
        (Scheme::Apk, "apk"),
        (Scheme::Pep440, "pep440"),
        (Scheme::Semver, "semver"),
        (Scheme::Go, "go"),
        (Scheme::Maven, "semver"),
        (Scheme::RubyGems, "semver"),
        (Scheme::NuGet, "semver"),
        (Scheme::Composer, "semver"),
    ];
    let mut rng = Rng::new(0x7070_0001);
    let mut checked = 0usize;
    for (scheme, list) in lists {
        let mut versions: Vec<String> = real_versions(list)
            .into_iter()
            .filter(|v| scheme.validate(v).is_ok())
            .collect();
        assert!(
            versions.len() > 100,
            "{scheme}: only {} valid real versions",
            versions.len()
        );
        versions.sort_by(|a, b| scheme.compare(a, b).unwrap_or(Ordering::Equal));
        for w in versions.windows(2) {
            assert_ne!(
                scheme.compare(&w[0], &w[1]),
                Ok(Ordering::Greater),
                "{scheme}: {w:?}"
            );
        }
        for _ in 0..3000 {
            let (a, b, c) = (
                rng.pick(&versions),
                rng.pick(&versions),
                rng.pick(&versions),
            );
            let ab = scheme.compare(a, b).unwrap();
            let bc = scheme.compare(b, c).unwrap();
            let ac = scheme.compare(a, c).unwrap();
            assert_eq!(scheme.compare(a, a), Ok(Ordering::Equal));
            if ab == bc {
                assert_eq!(ac, ab, "{scheme}: {a} {b} {c} not transitive");
            }
            if ab != Ordering::Greater && bc != Ordering::Greater {
                assert_ne!(
                    ac,
                    Ordering::Greater,
                    "{scheme}: {a} <= {b} <= {c} but {a} > {c}"
                );
            }
            checked += 1;
        }
    }
    println!("total order: {checked} triples checked over 10 schemes");
}

/// The longest accepted inputs, built to maximise nesting (Maven lists), backtracking (PEP 440,
/// Composer) and token counts, still parse and compare quickly and without overflowing the
/// stack.
#[test]
fn worst_case_inputs_are_cheap() {
    let patterns = [
        "1-", "a1", "1.a-", "_alpha", "-r1", ".0", "a-", "~", "^", "1!", "+a.", "a.1-",
    ];
    let start = std::time::Instant::now();
    let mut compared = 0;
    for p in patterns {
        let long: String = p.repeat(bulwark_version::MAX_VERSION_LEN / p.len());
        let long = &long[..long.len().min(bulwark_version::MAX_VERSION_LEN)];
        let other = format!("1{}", &long[1..]);
        for scheme in SCHEMES {
            let _ = scheme.compare(long, &other);
            let _ = scheme.compare(long, long);
            compared += 2;
        }
    }
    let elapsed = start.elapsed();
    println!("worst-case inputs: {compared} comparisons in {elapsed:?}");
    assert!(elapsed.as_secs() < 10, "too slow: {elapsed:?}");
}
