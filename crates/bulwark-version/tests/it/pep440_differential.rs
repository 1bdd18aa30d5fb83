//! Differential test: `Pep440Version` against `packaging.version.Version` (pip's own parser).

use crate::common;

use bulwark_version::Pep440Version;
use common::*;

const TOKENS: &[&str] = &[
    "0",
    "1",
    "2",
    "9",
    "10",
    "01",
    "00",
    "123",
    "99999999999999999999999",
    ".",
    ".",
    ".",
    "-",
    "_",
    "!",
    "1!",
    "+",
    "+local",
    "+abc.5",
    "a",
    "b",
    "c",
    "rc",
    "alpha",
    "beta",
    "pre",
    "preview",
    "post",
    "rev",
    "r",
    "dev",
    "v",
    "V",
    "RC",
    "Post",
    "DEV",
    ".post",
    ".dev",
    "-1",
    " ",
    "x",
    "é",
];

#[test]
fn agrees_with_packaging_version() {
    let mut rng = Rng::new(0x0440_0001);
    let real = real_versions("pep440");
    let mut pairs = real_pairs(&mut rng, &real, 1500);
    let mut pool: Vec<String> = (0..2500).map(|_| gen_string(&mut rng, TOKENS, 7)).collect();
    pool.extend((0..2500).map(|_| gen_pep440_like(&mut rng)));
    pool.extend(real);
    pairs.extend(pairs_from(&mut rng, &pool, TOKENS, 8500));
    let script = r#"
import sys
from packaging.version import Version, InvalidVersion
for line in sys.stdin.buffer:
    a, b = line.rstrip(b"\n").split(b"\t")
    try:
        x, y = Version(a.decode()), Version(b.decode())
        print(-1 if x < y else (1 if x > y else 0))
    except InvalidVersion:
        print("X")
"#;
    let out = run_reference("python3", &["-c", script], &tab_lines(&pairs), &[]);
    let theirs: Vec<Verdict> = out.iter().map(|l| parse_verdict(l)).collect();
    let mine: Vec<Verdict> = pairs
        .iter()
        .map(
            |(a, b)| match (Pep440Version::parse(a), Pep440Version::parse(b)) {
                (Ok(x), Ok(y)) => Verdict::Order(x.cmp(&y)),
                _ => Verdict::Invalid,
            },
        )
        .collect();
    assert_agree("PEP 440 (packaging.version)", &pairs, &mine, &theirs);
}

/// `str(Version(s))` and our normalised form agree for every valid string above.
#[test]
fn normalisation_agrees_with_packaging() {
    let mut rng = Rng::new(0x0440_0002);
    let mut pool: Vec<String> = (0..3000).map(|_| gen_string(&mut rng, TOKENS, 7)).collect();
    pool.extend((0..3000).map(|_| gen_pep440_like(&mut rng)));
    pool.extend(real_versions("pep440"));
    pool.retain(|s| Pep440Version::parse(s).is_ok());
    let script = r#"
import sys
from packaging.version import Version
for line in sys.stdin.buffer:
    print(str(Version(line.rstrip(b"\n").decode())))
"#;
    let input: String = pool.iter().map(|s| format!("{s}\n")).collect();
    let out = run_reference("python3", &["-c", script], &input, &[]);
    assert_eq!(out.len(), pool.len());
    let bad: Vec<String> = pool
        .iter()
        .zip(&out)
        .filter_map(|(s, theirs)| {
            let ours = Pep440Version::parse(s).ok()?.normalized();
            (ours != *theirs).then(|| format!("{s:?}: ours {ours:?}, packaging {theirs:?}"))
        })
        .collect();
    println!(
        "PEP 440 normalisation: {} versions, {} disagreements",
        pool.len(),
        bad.len()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
