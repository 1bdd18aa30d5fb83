//! Differential test: `SemverVersion` against the `semver` crate (Cargo's SemVer
//! implementation): `Version::parse` for validity and `cmp_precedence` for order. Our parser
//! also takes one leading `v`, so the reference sees the string without it.

use crate::common;

use std::cmp::Ordering;

use bulwark_version::SemverVersion;
use common::*;

const TOKENS: &[&str] = &[
    "v",
    "0",
    "1",
    "2",
    "9",
    "10",
    "01",
    "00",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999",
    ".",
    ".",
    ".",
    "-",
    "-",
    "+",
    "alpha",
    "beta",
    "rc",
    "A",
    "Z",
    "a-b",
    "x.7.z.92",
    "build.5",
    "--",
    "..",
    "é",
    " ",
];

fn reference(a: &str, b: &str) -> Verdict {
    let strip = |s: &str| s.strip_prefix('v').unwrap_or(s).to_owned();
    match (
        semver::Version::parse(&strip(a)),
        semver::Version::parse(&strip(b)),
    ) {
        (Ok(x), Ok(y)) => Verdict::Order(x.cmp_precedence(&y)),
        _ => Verdict::Invalid,
    }
}

#[test]
fn agrees_with_semver_crate() {
    let mut rng = Rng::new(0x5e5e_0001);
    let real = real_versions("semver");
    let mut pairs = real_pairs(&mut rng, &real, 2000);
    let mut pool: Vec<String> = (0..3000).map(|_| gen_string(&mut rng, TOKENS, 8)).collect();
    pool.extend((0..3000).map(|_| gen_semver_like(&mut rng, false)));
    pool.extend(real);
    pairs.extend(pairs_from(&mut rng, &pool, TOKENS, 9000));
    pairs.extend(pool.iter().map(|s| (s.clone(), s.clone())));
    let theirs: Vec<Verdict> = pairs.iter().map(|(a, b)| reference(a, b)).collect();
    let mine: Vec<Verdict> = pairs
        .iter()
        .map(
            |(a, b)| match (SemverVersion::parse(a), SemverVersion::parse(b)) {
                (Ok(x), Ok(y)) => Verdict::Order(x.cmp(&y)),
                _ => Verdict::Invalid,
            },
        )
        .collect();
    assert_agree("SemVer (semver crate)", &pairs, &mine, &theirs);
    // Sanity: the sample exercises all outcomes.
    assert!(theirs.contains(&Verdict::Order(Ordering::Less)));
    assert!(theirs.contains(&Verdict::Order(Ordering::Equal)));
    assert!(theirs.contains(&Verdict::Invalid));
}
