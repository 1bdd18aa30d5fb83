//! Shared pieces of the differential tests: a seeded generator of tricky version strings, the
//! real version lists in `fixtures/versions/`, and a runner that feeds pairs to a reference
//! tool in one process.

#![allow(dead_code)]

use std::cmp::Ordering;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Deterministic xorshift generator (no `rand` dependency; the seed makes failures
/// reproducible).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.below(items.len());
        &items[i]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Builds a string from 1..=max_tokens tokens.
pub fn gen_string(rng: &mut Rng, tokens: &[&str], max_tokens: usize) -> String {
    let n = 1 + rng.below(max_tokens);
    (0..n).map(|_| *rng.pick(tokens)).collect()
}

/// A small random edit of `s`: change a digit, insert or delete a token, swap case.
pub fn mutate(rng: &mut Rng, s: &str, tokens: &[&str]) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return rng.pick(tokens).to_string();
    }
    let at = rng.below(chars.len() + 1);
    let (head, tail): (String, String) =
        (chars[..at].iter().collect(), chars[at..].iter().collect());
    match rng.below(6) {
        0 => format!("{head}{}{tail}", rng.pick(tokens)),
        1 => {
            let tail: String = tail.chars().skip(1).collect();
            format!("{head}{tail}")
        }
        2 => {
            // Replace one digit by another digit.
            let mut out: Vec<char> = chars.clone();
            if let Some(i) = (0..out.len())
                .map(|k| (k + at) % out.len())
                .find(|&k| out[k].is_ascii_digit())
            {
                out[i] = char::from(b'0' + rng.below(10) as u8);
            }
            out.into_iter().collect()
        }
        3 => s.to_uppercase(),
        4 => format!("{s}{}", rng.pick(tokens)),
        _ => format!(
            "{}{s}",
            if rng.chance(50) {
                ""
            } else {
                *rng.pick(tokens)
            }
        ),
    }
}

/// Reads `fixtures/versions/<name>.txt`.
pub fn real_versions(name: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/versions")
        .join(format!("{name}.txt"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Pairs over a pool: for each string, one pair with a mutation of itself (close versions are
/// the interesting ones) and one with a random other member.
pub fn pairs_from(
    rng: &mut Rng,
    pool: &[String],
    tokens: &[&str],
    count: usize,
) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(count);
    while out.len() < count && !pool.is_empty() {
        let a = rng.pick(pool).clone();
        let b = if rng.chance(50) {
            mutate(rng, &a, tokens)
        } else {
            rng.pick(pool).clone()
        };
        out.push((a, b));
    }
    out
}

/// Pairs of neighbours in a sorted list of real versions plus random pairs among them.
pub fn real_pairs(rng: &mut Rng, versions: &[String], count: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = versions
        .windows(2)
        .map(|w| (w[0].clone(), w[1].clone()))
        .collect();
    while out.len() < count && !versions.is_empty() {
        out.push((rng.pick(versions).clone(), rng.pick(versions).clone()));
    }
    out.truncate(count.max(versions.len().saturating_sub(1)));
    out
}

/// Runs `program args...` once, writes `input` to its stdin and returns its stdout lines.
/// Panics with a clear message when the tool is missing: these tests must fail, not pass
/// silently, on a machine without the reference implementation.
pub fn run_reference(
    program: &str,
    args: &[&str],
    input: &str,
    envs: &[(&str, &str)],
) -> Vec<String> {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!("reference tool `{program}` is not available ({e}); install it (see the crate's tests/README.md)")
    });
    let mut stdin = child.stdin.take().expect("stdin");
    let input_owned = input.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input_owned.as_bytes());
    });
    let out = child.wait_with_output().expect("reference tool output");
    let _ = writer.join();
    assert!(
        out.status.success(),
        "reference tool `{program}` failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A reference verdict: an ordering, or "one of the two is invalid".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Order(Ordering),
    Invalid,
}

pub fn verdict_of<E>(r: Result<Ordering, E>) -> Verdict {
    match r {
        Ok(o) => Verdict::Order(o),
        Err(_) => Verdict::Invalid,
    }
}

/// Parses the reference's `-1`/`0`/`1`/`X` lines.
pub fn parse_verdict(line: &str) -> Verdict {
    match line.trim() {
        "-1" => Verdict::Order(Ordering::Less),
        "0" => Verdict::Order(Ordering::Equal),
        "1" => Verdict::Order(Ordering::Greater),
        "X" => Verdict::Invalid,
        other => panic!("unexpected reference output {other:?}"),
    }
}

/// Compares our verdicts with the reference's, prints the counts, and fails listing the first
/// disagreements.
pub fn assert_agree(
    scheme: &str,
    pairs: &[(String, String)],
    ours: &[Verdict],
    theirs: &[Verdict],
) {
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{scheme}: reference returned {} answers for {} pairs",
        theirs.len(),
        ours.len()
    );
    let disagreements: Vec<String> = pairs
        .iter()
        .zip(ours.iter().zip(theirs))
        .filter(|(_, (o, t))| o != t)
        .map(|((a, b), (o, t))| format!("{a:?} vs {b:?}: ours {o:?}, reference {t:?}"))
        .collect();
    let invalid = theirs.iter().filter(|t| **t == Verdict::Invalid).count();
    let less = theirs
        .iter()
        .filter(|t| **t == Verdict::Order(Ordering::Less))
        .count();
    let equal = theirs
        .iter()
        .filter(|t| **t == Verdict::Order(Ordering::Equal))
        .count();
    println!(
        "{scheme}: {} pairs compared ({less} <, {equal} =, {} >, {invalid} invalid), {} disagreements",
        pairs.len(),
        pairs.len() - less - equal - invalid,
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{scheme}: {} of {} pairs disagree with the reference; first ones:\n{}",
        disagreements.len(),
        pairs.len(),
        disagreements
            .iter()
            .take(25)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Formats pairs one per line, separated by a tab.
pub fn tab_lines(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect()
}

/// A SemVer-shaped string with tricky parts (leading zeros, 64-bit limits, mixed identifiers):
/// most are valid, so ordering is exercised and not only validation.
pub fn gen_semver_like(rng: &mut Rng, v_prefix: bool) -> String {
    const NUMS: &[&str] = &[
        "0",
        "1",
        "2",
        "9",
        "10",
        "11",
        "01",
        "18446744073709551615",
        "99999999999999999999",
    ];
    const IDS: &[&str] = &[
        "alpha", "beta", "rc", "0", "1", "2", "10", "11", "01", "a-b", "-", "x1", "ALPHA", "0a",
    ];
    let mut s = String::new();
    if v_prefix || rng.chance(10) {
        s.push('v');
    }
    let parts = if rng.chance(90) { 3 } else { 1 + rng.below(4) };
    let nums: Vec<&str> = (0..parts).map(|_| *rng.pick(NUMS)).collect();
    s.push_str(&nums.join("."));
    for sep in ['-', '+'] {
        if rng.chance(50) {
            s.push(sep);
            let n = 1 + rng.below(4);
            let ids: Vec<&str> = (0..n).map(|_| *rng.pick(IDS)).collect();
            s.push_str(&ids.join("."));
        }
    }
    s
}

/// A PEP 440-shaped string: epoch, release, pre/post/dev in their spellings, local label.
pub fn gen_pep440_like(rng: &mut Rng) -> String {
    const NUMS: &[&str] = &["0", "1", "2", "10", "01", "00", "99999999999999999999"];
    const SEPS: &[&str] = &["", "", ".", "-", "_"];
    const PRE: &[&str] = &[
        "a", "alpha", "b", "beta", "c", "rc", "pre", "preview", "RC", "Alpha",
    ];
    const POST: &[&str] = &["post", "rev", "r", "POST"];
    const LOCAL: &[&str] = &["ubuntu", "1", "abc", "01", "x", "Z9"];
    let mut s = String::new();
    if rng.chance(10) {
        s.push('v');
    }
    if rng.chance(15) {
        s.push_str(pick_str(rng, NUMS));
        s.push('!');
    }
    let n = 1 + rng.below(4);
    let rel: Vec<&str> = (0..n).map(|_| *rng.pick(NUMS)).collect();
    s.push_str(&rel.join("."));
    if rng.chance(40) {
        s.push_str(pick_str(rng, SEPS));
        s.push_str(pick_str(rng, PRE));
        s.push_str(pick_str(rng, SEPS));
        if rng.chance(70) {
            s.push_str(pick_str(rng, NUMS));
        }
    }
    if rng.chance(30) {
        if rng.chance(30) {
            s.push('-');
            s.push_str(pick_str(rng, NUMS));
        } else {
            s.push_str(pick_str(rng, SEPS));
            s.push_str(pick_str(rng, POST));
            s.push_str(pick_str(rng, SEPS));
            if rng.chance(70) {
                s.push_str(pick_str(rng, NUMS));
            }
        }
    }
    if rng.chance(30) {
        s.push_str(pick_str(rng, SEPS));
        s.push_str(if rng.chance(80) { "dev" } else { "DEV" });
        if rng.chance(70) {
            s.push_str(pick_str(rng, NUMS));
        }
    }
    if rng.chance(20) {
        s.push('+');
        let n = 1 + rng.below(3);
        let parts: Vec<&str> = (0..n).map(|_| *rng.pick(LOCAL)).collect();
        s.push_str(&parts.join(*rng.pick(&[".", "-", "_"])));
    }
    s
}

/// `Rng::pick` for string tables (fixes the element type for inference).
pub fn pick_str<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    let i = rng.below(items.len());
    items.get(i).copied().unwrap_or("")
}
