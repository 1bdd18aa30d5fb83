//! Differential test: `GoVersion` against `golang.org/x/mod/semver` (Debian's
//! golang-golang-x-mod-dev, built offline in GOPATH mode by a tiny Go program).

mod common;

use std::path::PathBuf;

use bulwark_version::GoVersion;
use common::*;

const TOKENS: &[&str] = &[
    "v",
    "v",
    "v0",
    "v1",
    "v2",
    "0",
    "1",
    "9",
    "10",
    "01",
    "00",
    "99999999999999999999999",
    ".",
    ".",
    "-",
    "-",
    "+",
    "+incompatible",
    "incompatible",
    "0.20191109021931-daa7c04131f5",
    "20191109021931",
    "-daa7c04131f5",
    "pre",
    "rc.1",
    "alpha",
    "beta.2",
    "A-Z",
    "x",
    "..",
    "é",
];

const PROGRAM: &str = r#"package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		f := strings.SplitN(in.Text(), "\t", 2)
		if !semver.IsValid(f[0]) || !semver.IsValid(f[1]) {
			fmt.Fprintln(out, "X")
			continue
		}
		fmt.Fprintln(out, semver.Compare(f[0], f[1]))
	}
}
"#;

#[test]
fn agrees_with_x_mod_semver() {
    let gopath = "/usr/share/gocode";
    assert!(
        std::path::Path::new(gopath)
            .join("src/golang.org/x/mod/semver")
            .exists(),
        "golang.org/x/mod is missing: install Debian's golang-golang-x-mod-dev"
    );
    let mut rng = Rng::new(0x0060_0001);
    let real = real_versions("go");
    let mut pairs = real_pairs(&mut rng, &real, 2000);
    let mut pool: Vec<String> = (0..2500).map(|_| gen_string(&mut rng, TOKENS, 7)).collect();
    pool.extend(real);
    pairs.extend(pairs_from(&mut rng, &pool, TOKENS, 4000));
    // (s, s) pairs check validity one string at a time.
    pairs.extend(pool.iter().take(2000).map(|s| (s.clone(), s.clone())));
    pairs.retain(|(a, b)| !a.contains('\n') && !b.contains('\n'));

    let dir: PathBuf =
        std::env::temp_dir().join(format!("bulwark-version-go-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let main = dir.join("main.go");
    std::fs::write(&main, PROGRAM).expect("write main.go");
    let cache = dir.join("cache");
    let main_s = main.display().to_string();
    let cache_s = cache.display().to_string();
    let out = run_reference(
        "go",
        &["run", &main_s],
        &tab_lines(&pairs),
        &[
            ("GO111MODULE", "off"),
            ("GOPATH", gopath),
            ("GOFLAGS", ""),
            ("GOCACHE", &cache_s),
            ("GOPROXY", "off"),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
    let theirs: Vec<Verdict> = out.iter().map(|l| parse_verdict(l)).collect();
    let mine: Vec<Verdict> = pairs
        .iter()
        .map(|(a, b)| match (GoVersion::parse(a), GoVersion::parse(b)) {
            (Ok(x), Ok(y)) => Verdict::Order(x.cmp(&y)),
            _ => Verdict::Invalid,
        })
        .collect();
    assert_agree("Go (x/mod/semver)", &pairs, &mine, &theirs);
}
