//! Differential test: `ComposerVersion` against Composer itself: `VersionParser::normalize`
//! from Debian's php-composer-semver, then PHP's `version_compare` (what
//! `Composer\Semver\Comparator` runs), in one `php` process.

use crate::common;

use bulwark_version::ComposerVersion;
use common::*;

const AUTOLOAD: &str = "/usr/share/php/Composer/Semver/autoload.php";

const TOKENS: &[&str] = &[
    "v",
    "V",
    "0",
    "1",
    "2",
    "9",
    "10",
    "01",
    "00",
    "123456",
    "2023",
    "20230115",
    "99999999999999999999",
    ".",
    ".",
    ".",
    "-",
    "-",
    "_",
    "+",
    ":",
    "alpha",
    "a",
    "beta",
    "b",
    "RC",
    "rc",
    "patch",
    "pl",
    "p",
    "stable",
    "dev",
    "-dev",
    ".x",
    "x",
    "*",
    "@beta",
    "foo",
    "é",
    "#",
];

#[test]
fn agrees_with_composer_normalize_and_version_compare() {
    assert!(
        std::path::Path::new(AUTOLOAD).exists(),
        "{AUTOLOAD} is missing: install Debian's php-cli and php-composer-semver"
    );
    let mut rng = Rng::new(0xc0c0_0001);
    let mut real = real_versions("composer");
    for other in ["semver", "pep440", "gem", "nuget", "maven"] {
        real.extend(real_versions(other));
    }
    real.sort();
    real.dedup();
    let mut pairs = real_pairs(&mut rng, &real, 2500);
    let mut pool: Vec<String> = (0..3000).map(|_| gen_string(&mut rng, TOKENS, 7)).collect();
    pool.extend(real);
    pairs.extend(pairs_from(&mut rng, &pool, TOKENS, 4500));
    pairs.extend(pool.iter().take(2000).map(|s| (s.clone(), s.clone())));
    let script = format!(
        r#"
require '{AUTOLOAD}';
$p = new Composer\Semver\VersionParser();
while (($line = fgets(STDIN)) !== false) {{
    $f = explode("\t", rtrim($line, "\n"), 2);
    try {{
        $a = $p->normalize($f[0]);
        $b = $p->normalize($f[1]);
    }} catch (\Exception $e) {{
        echo "X\n";
        continue;
    }}
    if (strpos($a, 'dev-') === 0 || strpos($b, 'dev-') === 0) {{
        echo "X\n";
        continue;
    }}
    echo version_compare($a, $b), "\n";
}}
"#
    );
    let out = run_reference("php", &["-r", &script], &tab_lines(&pairs), &[]);
    let theirs: Vec<Verdict> = out.iter().map(|l| parse_verdict(l)).collect();
    let mine: Vec<Verdict> = pairs
        .iter()
        .map(
            |(a, b)| match (ComposerVersion::parse(a), ComposerVersion::parse(b)) {
                (Ok(x), Ok(y)) => Verdict::Order(x.cmp(&y)),
                _ => Verdict::Invalid,
            },
        )
        .collect();
    assert_agree(
        "Composer (normalize + version_compare)",
        &pairs,
        &mine,
        &theirs,
    );
}

/// Our normalised strings are Composer's, byte for byte.
#[test]
fn normalisation_agrees_with_composer() {
    let mut rng = Rng::new(0xc0c0_0002);
    let mut pool: Vec<String> = (0..3000).map(|_| gen_string(&mut rng, TOKENS, 7)).collect();
    pool.extend(real_versions("composer"));
    pool.extend(real_versions("semver"));
    pool.retain(|s| ComposerVersion::parse(s).is_ok());
    let script = format!(
        r#"
require '{AUTOLOAD}';
$p = new Composer\Semver\VersionParser();
while (($line = fgets(STDIN)) !== false) {{
    echo $p->normalize(rtrim($line, "\n")), "\n";
}}
"#
    );
    let input: String = pool.iter().map(|s| format!("{s}\n")).collect();
    let out = run_reference("php", &["-r", &script], &input, &[]);
    assert_eq!(out.len(), pool.len());
    let bad: Vec<String> = pool
        .iter()
        .zip(&out)
        .filter_map(|(s, theirs)| {
            let v = ComposerVersion::parse(s).ok()?;
            (v.normalized() != theirs)
                .then(|| format!("{s:?}: ours {:?}, composer {theirs:?}", v.normalized()))
        })
        .collect();
    println!(
        "Composer normalisation: {} versions, {} disagreements",
        pool.len(),
        bad.len()
    );
    assert!(
        bad.is_empty(),
        "{}",
        bad.iter().take(25).cloned().collect::<Vec<_>>().join("\n")
    );
}
