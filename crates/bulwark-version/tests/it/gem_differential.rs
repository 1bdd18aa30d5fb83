//! Differential test: `GemVersion` against RubyGems' `Gem::Version` (Debian's `ruby`).

use crate::common;

use bulwark_version::GemVersion;
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
    "-",
    "a",
    "b",
    "z",
    "A",
    "Z",
    "rc",
    "pre",
    "beta",
    "alpha",
    "x",
    "..",
    " ",
    "_",
    "+",
];

#[test]
fn agrees_with_gem_version() {
    let mut rng = Rng::new(0x6e3_0001);
    let mut real = real_versions("gem");
    for other in ["semver", "pep440", "maven", "nuget", "composer"] {
        real.extend(real_versions(other));
    }
    real.sort();
    real.dedup();
    let mut pairs = real_pairs(&mut rng, &real, 2000);
    let mut pool: Vec<String> = (0..2500).map(|_| gen_string(&mut rng, TOKENS, 8)).collect();
    pool.extend(real);
    pairs.extend(pairs_from(&mut rng, &pool, TOKENS, 4000));
    let script = r#"
STDOUT.sync = false
STDIN.each_line do |line|
  a, b = line.chomp("\n").split("\t", -1)
  begin
    puts(Gem::Version.new(a) <=> Gem::Version.new(b))
  rescue ArgumentError
    puts "X"
  end
end
"#;
    let out = run_reference("ruby", &["-e", script], &tab_lines(&pairs), &[]);
    let theirs: Vec<Verdict> = out.iter().map(|l| parse_verdict(l)).collect();
    let mine: Vec<Verdict> = pairs
        .iter()
        .map(
            |(a, b)| match (GemVersion::parse(a), GemVersion::parse(b)) {
                (Ok(x), Ok(y)) => Verdict::Order(x.cmp(&y)),
                _ => Verdict::Invalid,
            },
        )
        .collect();
    assert_agree("RubyGems (Gem::Version)", &pairs, &mine, &theirs);
}

/// `GemVersion::is_prerelease` against `Gem::Version#prerelease?`.
#[test]
fn prerelease_agrees_with_gem_version() {
    let mut rng = Rng::new(0x6e3_0002);
    let mut pool: Vec<String> = (0..2000).map(|_| gen_string(&mut rng, TOKENS, 6)).collect();
    pool.extend(real_versions("semver"));
    pool.extend(real_versions("gem"));
    pool.retain(|s| GemVersion::parse(s).is_ok() && !s.contains('\n'));
    let script = r#"
STDIN.each_line do |line|
  puts(Gem::Version.new(line.chomp("\n")).prerelease? ? "1" : "0")
end
"#;
    let input: String = pool.iter().map(|s| format!("{s}\n")).collect();
    let out = run_reference("ruby", &["-e", script], &input, &[]);
    assert_eq!(out.len(), pool.len());
    let mut pre = 0;
    let bad: Vec<String> = pool
        .iter()
        .zip(&out)
        .filter_map(|(s, theirs)| {
            let theirs = theirs == "1";
            pre += usize::from(theirs);
            let ours = GemVersion::parse(s).ok()?.is_prerelease();
            (ours != theirs).then(|| format!("{s:?}: ours {ours}, ruby {theirs}"))
        })
        .collect();
    println!(
        "RubyGems prerelease?: {} versions ({pre} pre-releases), {} disagreements",
        pool.len(),
        bad.len()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(pre > 50);
}
