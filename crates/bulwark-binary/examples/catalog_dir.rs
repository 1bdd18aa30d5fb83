//! Catalogue directories with this crate's catalogers through the real directory walker, and
//! print what was found and how long it took. For measurements:
//! `cargo run --release -p bulwark-binary --example catalog_dir -- /usr/share/java /usr/bin`
//! (wrap in `/usr/bin/time -v` for the peak memory).

use std::time::Instant;

use bulwark_catalog::{CatalogSet, PackageKind};

fn main() {
    // `--parse FILE...`: time the parsing alone (file already in memory), best of 5 runs.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--parse") {
        for file in &args[1..] {
            let Ok(data) = std::fs::read(file) else {
                eprintln!("{file}: unreadable");
                continue;
            };
            let mut best = f64::MAX;
            let mut count = 0;
            for _ in 0..5 {
                let start = Instant::now();
                count = if bulwark_binary::java::is_java_archive_name(file) {
                    bulwark_binary::read_java_archive(file, &data, Default::default())
                        .packages
                        .len()
                } else {
                    bulwark_binary::read_binary(file, &data).packages.len()
                };
                best = best.min(start.elapsed().as_secs_f64());
            }
            println!(
                "{file}: {} MiB, {count} packages, parse {:.2} ms ({:.0} MiB/s)",
                data.len() >> 20,
                best * 1000.0,
                data.len() as f64 / 1048576.0 / best
            );
        }
        return;
    }
    let set = CatalogSet::new(bulwark_binary::catalogers());
    for dir in std::env::args().skip(1) {
        let start = Instant::now();
        let walk = match bulwark_walk::walk_dir(
            &set,
            &bulwark_walk::Limits::default(),
            std::path::Path::new(&dir),
        ) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("{dir}: {e}");
                continue;
            }
        };
        let read_files = walk.captured.len();
        let inv = set.finish(walk);
        let count = |k: PackageKind| inv.packages.iter().filter(|p| p.kind == k).count();
        println!(
            "{dir}: {:.3}s, {read_files} files read, {} packages (go {}, cargo {}, maven {}, binary {}), {} warnings",
            start.elapsed().as_secs_f64(),
            inv.packages.len(),
            count(PackageKind::Go),
            count(PackageKind::Cargo),
            count(PackageKind::Maven),
            count(PackageKind::Binary),
            inv.warnings.len()
        );
        if std::env::var_os("CATALOG_VERBOSE").is_some() {
            for p in &inv.packages {
                println!("  {:?} {} {} {}", p.kind, p.name, p.version, p.found_in);
            }
        }
        for w in inv.warnings.iter().take(5) {
            println!("  warning {}: {}: {}", w.cataloger, w.path, w.message);
        }
    }
}
