//! Time and memory for one large `package-lock.json` (v3): N packages, each with a nested copy
//! and three dependencies, parsed through the catalog path.
//!
//! `cargo run --release -p bulwark-lang --example big_lockfile_bench -- [N]` (default 100000);
//! run under `/usr/bin/time -v` for peak memory.

use std::fmt::Write;
use std::time::Instant;

use bulwark_catalog::{catalog_memory_files, CatalogSet};

/// Nanoseconds this thread has spent on a CPU (Linux `/proc/thread-self/schedstat`), so the
/// numbers mean something on a loaded machine where wall time does not; 0 elsewhere.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mut s = String::from(
        r#"{"name":"big","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"big","version":"1.0.0","dependencies":{"#,
    );
    for i in 0..n.min(1000) {
        let _ = write!(s, r#"{}"p{i}":"^1.0.0""#, if i == 0 { "" } else { "," });
    }
    s.push_str("}}");
    for i in 0..n {
        let _ = write!(
            s,
            r#","node_modules/p{i}":{{"version":"1.0.{}","resolved":"https://registry.npmjs.org/p{i}/-/p{i}-1.0.0.tgz","integrity":"sha512-{}","license":"MIT","dependencies":{{"p{}":"^1","p{}":"^1","q":"^2"}}}}"#,
            i % 50,
            "x".repeat(86),
            (i + 1) % n,
            (i + 7) % n
        );
        if i % 10 == 0 {
            let _ = write!(
                s,
                r#","node_modules/p{i}/node_modules/q":{{"version":"2.0.{}","dev":true}}"#,
                i % 9
            );
        }
    }
    s.push_str(r#","node_modules/q":{"version":"2.1.0"}}}"#);
    let set = CatalogSet::new(bulwark_lang::catalogers());
    let start = Instant::now();
    let cpu0 = cpu_ns();
    let inv = catalog_memory_files(&set, &[("/app/package-lock.json", s.as_bytes())]);
    let took = start.elapsed();
    let cpu = cpu_ns().saturating_sub(cpu0);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    println!(
        "package-lock.json of {:.1} MiB, {} entries: {:.0} ms wall, {:.0} ms CPU, {} packages",
        s.len() as f64 / (1 << 20) as f64,
        n + n / 10 + 1,
        took.as_secs_f64() * 1e3,
        cpu as f64 / 1e6,
        inv.packages.len()
    );
}
