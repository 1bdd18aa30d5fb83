//! Differential test: `GemVersion` against RubyGems' `Gem::Version` (Debian's `ruby`).

mod common;

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
