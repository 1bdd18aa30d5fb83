//! Differential test: `MavenVersion` against Maven's own `ComparableVersion`
//! (`/usr/share/maven/lib/maven-artifact-3.x.jar`, Debian's `maven` package), driven by a tiny
//! Java program compiled with `javac` at test time.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use bulwark_version::MavenVersion;
use common::*;

const JAR: &str = "/usr/share/maven/lib/maven-artifact-3.x.jar";

const TOKENS: &[&str] = &[
    "0",
    "1",
    "2",
    "9",
    "10",
    "01",
    "00",
    "0000000000",
    "000000000000000000000",
    "2147483648",
    "1234567890",
    "12345678901234567890",
    "999999999999999999",
    "1000000000000000000",
    ".",
    ".",
    ".",
    "-",
    "-",
    "alpha",
    "a",
    "beta",
    "b",
    "m",
    "milestone",
    "rc",
    "cr",
    "snapshot",
    "SNAPSHOT",
    "ga",
    "final",
    "release",
    "sp",
    "foo",
    "RC",
    "Final",
    "x",
    "é",
    "_",
    "..",
    "--",
];

const PROGRAM: &str = r#"
import java.io.*;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenCompare {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out), false, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            int tab = line.indexOf('\t');
            ComparableVersion a = new ComparableVersion(line.substring(0, tab));
            ComparableVersion b = new ComparableVersion(line.substring(tab + 1));
            out.println(Integer.signum(a.compareTo(b)));
        }
        out.flush();
    }
}
"#;

fn compile() -> PathBuf {
    assert!(
        std::path::Path::new(JAR).exists(),
        "{JAR} is missing: install Debian's `maven` package"
    );
    let dir = std::env::temp_dir().join(format!("bulwark-version-maven-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("MavenCompare.java"), PROGRAM).expect("write java");
    let status = Command::new("javac")
        .args(["-cp", JAR, "-d"])
        .arg(&dir)
        .arg(dir.join("MavenCompare.java"))
        .status()
        .unwrap_or_else(|e| panic!("javac is not available ({e}): install default-jdk-headless"));
    assert!(status.success(), "javac failed");
    dir
}

#[test]
fn agrees_with_comparable_version() {
    let mut rng = Rng::new(0x3a7e_0001);
    // Maven accepts any string: real versions of every ecosystem are realistic inputs.
    let mut real = real_versions("maven");
    for other in ["semver", "pep440", "gem", "nuget", "go", "composer"] {
        real.extend(real_versions(other));
    }
    real.sort();
    real.dedup();
    let mut pairs = real_pairs(&mut rng, &real, 2500);
    let mut pool: Vec<String> = (0..2500).map(|_| gen_string(&mut rng, TOKENS, 8)).collect();
    pool.extend(real);
    pairs.extend(pairs_from(&mut rng, &pool, TOKENS, 4000));
    let dir = compile();
    let cp = format!("{JAR}:{}", dir.display());
    let out = run_reference(
        "java",
        &["-cp", &cp, "MavenCompare"],
        &tab_lines(&pairs),
        &[],
    );
    let _ = std::fs::remove_dir_all(&dir);
    let theirs: Vec<Verdict> = out.iter().map(|l| parse_verdict(l)).collect();
    let mine: Vec<Verdict> = pairs
        .iter()
        .map(
            |(a, b)| match (MavenVersion::parse(a), MavenVersion::parse(b)) {
                (Ok(x), Ok(y)) => Verdict::Order(x.cmp(&y)),
                _ => Verdict::Invalid,
            },
        )
        .collect();
    assert_agree("Maven (ComparableVersion 3.8)", &pairs, &mine, &theirs);
}
