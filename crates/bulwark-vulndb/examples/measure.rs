//! Build a database from `KIND:PATH` inputs and measure build time, size and lookup latency.
//!
//! ```text
//! cargo run --release -p bulwark-vulndb --example measure -- OUT.sqlite \
//!     rustsec:$C/rustsec osv:$C/pypa osv:$C/govulndb/osv osv:$C/almalinux-osv
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use bulwark_vulndb::{Builder, Db, SourceKind};

fn dir_size(p: &Path) -> u64 {
    if p.is_file() {
        return p.metadata().map(|m| m.len()).unwrap_or(0);
    }
    std::fs::read_dir(p)
        .map(|rd| rd.flatten().map(|e| dir_size(&e.path())).sum())
        .unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .ok_or("usage: measure OUT.sqlite KIND:PATH...")?,
    );
    let inputs: Vec<String> = args.collect();
    let mut raw = 0u64;
    let start = Instant::now();
    let mut builder = Builder::create(&out)?;
    for (i, input) in inputs.iter().enumerate() {
        let (kind, path) = input.split_once(':').ok_or("expected KIND:PATH")?;
        let kind: SourceKind = kind.parse()?;
        raw += dir_size(Path::new(path));
        let report = builder.import(&format!("{kind}-{i}"), kind, Path::new(path), path)?;
        println!(
            "{input}: {} files, {} advisories, {} skipped",
            report.files,
            report.advisories,
            report.skipped.len()
        );
        for s in report.skipped.iter().take(5) {
            println!("  skipped {} {:?}: {}", s.file, s.id, s.reason);
        }
    }
    let summary = builder.finish()?;
    let build = start.elapsed();
    let size = out.metadata()?.len();
    println!(
        "build: {:.2} s; {} advisories, {} affected rows, {} packages",
        build.as_secs_f64(),
        summary.advisories,
        summary.affected,
        summary.packages
    );
    println!(
        "raw input: {:.1} MiB; db: {:.1} MiB ({:.0}% of input)",
        raw as f64 / 1048576.0,
        size as f64 / 1048576.0,
        size as f64 * 100.0 / raw.max(1) as f64
    );
    let db = Db::open(&out)?;
    let packages = db.packages()?;
    if packages.is_empty() {
        return Ok(());
    }
    // 1,000 lookups spread over every stored package (deterministic stride), plus misses.
    let n = 1000usize;
    let stride = (packages.len() / n).max(1);
    let picks: Vec<&(String, String)> = packages.iter().step_by(stride).cycle().take(n).collect();
    for (e, p) in picks.iter().take(50) {
        db.affected(e, p)?; // warm the statement cache and page cache
    }
    let t = Instant::now();
    let mut rows = 0usize;
    let mut lat = Vec::with_capacity(n);
    for (e, p) in &picks {
        let t1 = Instant::now();
        rows += db.affected(e, p)?.len();
        lat.push(t1.elapsed());
    }
    let total = t.elapsed();
    lat.sort();
    let miss = Instant::now();
    for i in 0..n {
        db.affected("PyPI", &format!("no-such-package-{i}"))?;
    }
    let miss = miss.elapsed();
    println!(
        "1000 lookups: total {:.2} ms, mean {:.1} µs, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs ({} records); 1000 misses: {:.2} ms",
        total.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e6 / n as f64,
        lat[n / 2].as_secs_f64() * 1e6,
        lat[n * 99 / 100].as_secs_f64() * 1e6,
        lat[n - 1].as_secs_f64() * 1e6,
        rows,
        miss.as_secs_f64() * 1e3
    );
    Ok(())
}
