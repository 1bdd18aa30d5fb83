//! Differential test: `DpkgVersion` against dpkg itself (`dpkg --compare-versions`) and,
//! for a larger sample of valid versions, against python3-apt's `apt_pkg.version_compare`.

use crate::common;

use bulwark_version::DpkgVersion;
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
    "4294967296",
    "99999999999999999999",
    ".",
    ".",
    ".",
    "-",
    "-",
    ":",
    "+",
    "~",
    "~",
    "~~",
    "a",
    "b",
    "z",
    "A",
    "Z",
    "rc",
    "dfsg",
    "ubuntu",
    "deb12u",
    "+b1",
    "~rc1",
    "1:",
    "0:",
    "_",
    "%",
    "é",
];

fn ours(a: &str, b: &str) -> Verdict {
    match (DpkgVersion::parse(a), DpkgVersion::parse(b)) {
        (Ok(x), Ok(y)) => Verdict::Order(x.cmp(&y)),
        _ => Verdict::Invalid,
    }
}

fn pool(rng: &mut Rng, generated: usize) -> Vec<String> {
    let mut pool: Vec<String> = (0..generated).map(|_| gen_string(rng, TOKENS, 7)).collect();
    pool.extend(real_versions("dpkg"));
    pool
}

/// dpkg costs one process per comparison, so this sample is kept to about 1,200 pairs.
#[test]
fn agrees_with_dpkg_compare_versions() {
    let mut rng = Rng::new(0xd9c6_0001);
    let real = real_versions("dpkg");
    let mut pairs = real_pairs(&mut rng, &real, 400);
    let pool = pool(&mut rng, 400);
    pairs.extend(pairs_from(&mut rng, &pool, TOKENS, 800));
    // dpkg reads argv: a leading '-' would be taken for an option, and an empty argument means
    // "no version" to dpkg (DpkgVersion rejects it by design). White space never appears.
    pairs.retain(|(a, b)| ![a, b].iter().any(|s| s.is_empty() || s.starts_with('-')));
    let script = r#"
while IFS="$(printf '\t')" read -r a b; do
  dpkg --compare-versions "$a" lt "$b" 2>/dev/null; r=$?
  if [ $r -eq 0 ]; then echo -1
  elif [ $r -eq 1 ]; then
    if dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo 0; else echo 1; fi
  else echo X; fi
done"#;
    let out = run_reference("sh", &["-c", script], &tab_lines(&pairs), &[]);
    let theirs: Vec<Verdict> = out.iter().map(|l| parse_verdict(l)).collect();
    let mine: Vec<Verdict> = pairs.iter().map(|(a, b)| ours(a, b)).collect();
    assert_agree("dpkg (dpkg --compare-versions)", &pairs, &mine, &theirs);
}

/// apt's comparison is dpkg's algorithm in C++; it does not validate, so only pairs that dpkg
/// accepts (checked above on the same generator) are sent.
#[test]
fn agrees_with_apt_pkg_on_valid_versions() {
    let mut rng = Rng::new(0xd9c6_0002);
    let real = real_versions("dpkg");
    let mut pairs = real_pairs(&mut rng, &real, 2500);
    let pool = pool(&mut rng, 1500);
    pairs.extend(pairs_from(&mut rng, &pool, TOKENS, 4000));
    pairs.retain(|(a, b)| DpkgVersion::parse(a).is_ok() && DpkgVersion::parse(b).is_ok());
    let script = r#"
import sys, apt_pkg
apt_pkg.init_system()
for line in sys.stdin.buffer:
    a, b = line.rstrip(b"\n").split(b"\t")
    r = apt_pkg.version_compare(a.decode("utf-8", "surrogateescape"), b.decode("utf-8", "surrogateescape"))
    print(-1 if r < 0 else (1 if r > 0 else 0))
"#;
    let out = run_reference("/usr/bin/python3", &["-c", script], &tab_lines(&pairs), &[]);
    let theirs: Vec<Verdict> = out.iter().map(|l| parse_verdict(l)).collect();
    let mine: Vec<Verdict> = pairs.iter().map(|(a, b)| ours(a, b)).collect();
    assert_agree("dpkg (apt_pkg.version_compare)", &pairs, &mine, &theirs);
}
