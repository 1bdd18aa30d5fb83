//! Differential test: `RpmVersion` against rpm 4.18's own comparison (`rpm.ver` objects from
//! Debian's python3-rpm, which split EVR with `rpmverParse` and compare with `rpmverCmp`).

use crate::common;

use bulwark_version::RpmVersion;
use common::*;

const TOKENS: &[&str] = &[
    "0",
    "1",
    "2",
    "9",
    "10",
    "01",
    "00",
    "007",
    "123",
    "18446744073709551616",
    ".",
    ".",
    ".",
    "-",
    "-",
    ":",
    "~",
    "~",
    "^",
    "^",
    "_",
    "+",
    "a",
    "b",
    "z",
    "A",
    "Z",
    "el8",
    "el9_2",
    "fc38",
    "git",
    "rc",
    "1:",
    "0:",
    "é",
    "..",
];

#[test]
fn agrees_with_rpm_labelcompare() {
    let mut rng = Rng::new(0x0e0e_0001);
    let real = real_versions("rpm");
    let mut pairs = real_pairs(&mut rng, &real, 1500);
    let mut pool: Vec<String> = (0..1500).map(|_| gen_string(&mut rng, TOKENS, 7)).collect();
    pool.extend(real);
    pairs.extend(pairs_from(&mut rng, &pool, TOKENS, 3500));
    let script = r#"
import sys, rpm
for line in sys.stdin.buffer:
    a, b = line.rstrip(b"\n").split(b"\t")
    try:
        x, y = rpm.ver(a.decode()), rpm.ver(b.decode())
        print(-1 if x < y else (1 if x > y else 0))
    except Exception:
        print("X")
"#;
    let out = run_reference("/usr/bin/python3", &["-c", script], &tab_lines(&pairs), &[]);
    let theirs: Vec<Verdict> = out.iter().map(|l| parse_verdict(l)).collect();
    let mine: Vec<Verdict> = pairs
        .iter()
        .map(
            |(a, b)| match (RpmVersion::parse(a), RpmVersion::parse(b)) {
                (Ok(x), Ok(y)) => Verdict::Order(x.cmp(&y)),
                _ => Verdict::Invalid,
            },
        )
        .collect();
    assert_agree("rpm (python3-rpm rpm.ver)", &pairs, &mine, &theirs);
}
