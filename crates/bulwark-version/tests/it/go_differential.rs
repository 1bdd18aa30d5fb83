//! Differential test: `GoVersion` against `golang.org/x/mod/semver` (Debian's
//! golang-golang-x-mod-dev, built offline in GOPATH mode by a tiny Go program).

use crate::common;

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

const PSEUDO_TOKENS: &[&str] = &[
    "v0.0.0-",
    "v1.2.4-0.",
    "v1.2.3-pre.0.",
    "v2.0.0-",
    "v1.2.3-",
    "v10.20.30-rc.1.0.",
    "0.",
    "pre.0.",
    "20191109021931",
    "20191109021931",
    "2019110902193",
    "-daa7c04131f5",
    "-DAA7C04131F5",
    "-abc",
    "-daa7c04131f5",
    "+incompatible",
    "+meta.1",
    ".",
    "-",
    "x",
    "0",
];

const PSEUDO_PROGRAM: &str = r#"package main

import (
	"bufio"
	"fmt"
	"os"

	"golang.org/x/mod/module"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		if module.IsPseudoVersion(in.Text()) {
			fmt.Fprintln(out, "1")
		} else {
			fmt.Fprintln(out, "0")
		}
	}
}
"#;

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

const GOPATH: &str = "/usr/share/gocode";

/// Runs a Go program (GOPATH mode, offline, against Debian's x/mod) on `input`.
fn go_run(name: &str, program: &str, input: &str) -> Vec<String> {
    assert!(
        std::path::Path::new(GOPATH)
            .join("src/golang.org/x/mod/semver")
            .exists(),
        "golang.org/x/mod is missing: install Debian's golang-golang-x-mod-dev"
    );
    let dir: PathBuf =
        std::env::temp_dir().join(format!("bulwark-version-go-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let main = dir.join("main.go");
    std::fs::write(&main, program).expect("write main.go");
    let main_s = main.display().to_string();
    let cache_s = dir.join("cache").display().to_string();
    let out = run_reference(
        "go",
        &["run", &main_s],
        input,
        &[
            ("GO111MODULE", "off"),
            ("GOPATH", GOPATH),
            ("GOFLAGS", ""),
            ("GOCACHE", &cache_s),
            ("GOPROXY", "off"),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn agrees_with_x_mod_semver() {
    let mut rng = Rng::new(0x0060_0001);
    let real = real_versions("go");
    let mut pairs = real_pairs(&mut rng, &real, 2000);
    let mut pool: Vec<String> = (0..2500).map(|_| gen_string(&mut rng, TOKENS, 7)).collect();
    pool.extend((0..2500).map(|_| gen_semver_like(&mut rng, true)));
    pool.extend(real);
    pairs.extend(pairs_from(&mut rng, &pool, TOKENS, 8000));
    // (s, s) pairs check validity one string at a time.
    pairs.extend(pool.iter().take(2000).map(|s| (s.clone(), s.clone())));
    pairs.retain(|(a, b)| !a.contains('\n') && !b.contains('\n'));

    let out = go_run("compare", PROGRAM, &tab_lines(&pairs));
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

/// `GoVersion::is_pseudo` against `module.IsPseudoVersion`.
#[test]
fn pseudo_versions_agree_with_module_is_pseudo_version() {
    let mut rng = Rng::new(0x0060_0002);
    let mut pool: Vec<String> = (0..3000)
        .map(|_| gen_string(&mut rng, PSEUDO_TOKENS, 5))
        .collect();
    pool.extend(real_versions("go"));
    pool.retain(|s| !s.contains('\n') && !s.is_empty());
    let input: String = pool.iter().map(|s| format!("{s}\n")).collect();
    let out = go_run("pseudo", PSEUDO_PROGRAM, &input);
    assert_eq!(out.len(), pool.len());
    let mut pseudo = 0;
    let bad: Vec<String> = pool
        .iter()
        .zip(&out)
        .filter_map(|(s, theirs)| {
            let theirs = theirs == "1";
            pseudo += usize::from(theirs);
            let ours = GoVersion::parse(s).map(|v| v.is_pseudo()).unwrap_or(false);
            (ours != theirs).then(|| format!("{s:?}: ours {ours}, x/mod {theirs}"))
        })
        .collect();
    println!(
        "Go pseudo-versions (module.IsPseudoVersion): {} strings ({pseudo} pseudo), {} disagreements",
        pool.len(),
        bad.len()
    );
    assert!(
        bad.is_empty(),
        "{}",
        bad.iter().take(25).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(
        pseudo > 100,
        "too few pseudo-versions in the sample: {pseudo}"
    );
}
