//! Differential check of the Debian decisions against dpkg itself: for every fixed version the
//! test database holds for bullseye (tracker and DSA list), installed source versions just below,
//! at and just above it must give a `fixed` finding exactly when
//! `dpkg --compare-versions INSTALLED lt FIXED` says so.

use crate::common;

use std::process::Command;

use bulwark_catalog::PackageKind;
use bulwark_match::{match_report, MatchOptions};
use bulwark_model::scan::FixStatus;
use common::*;

fn dpkg_lt(a: &str, b: &str) -> Option<bool> {
    let st = Command::new("dpkg")
        .args(["--compare-versions", a, "lt", b])
        .status()
        .ok()?;
    Some(st.success())
}

#[test]
fn fixed_decisions_agree_with_dpkg() {
    if dpkg_lt("1", "2").is_none() {
        assert!(
            std::env::var_os("BULWARK_REQUIRE_TOOLS").is_none(),
            "dpkg is required (BULWARK_REQUIRE_TOOLS is set)"
        );
        eprintln!("SKIPPED: dpkg is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = build(dir.path(), &all_inputs());
    let mut checked = 0;
    for source in ["openssl", "xorg-server"] {
        let mut fixed: Vec<String> = db
            .affected("Debian:11", source)
            .unwrap()
            .into_iter()
            .flat_map(|r| r.affected.fixed)
            .collect();
        fixed.sort();
        fixed.dedup();
        assert!(!fixed.is_empty());
        for f in &fixed {
            for installed in [
                format!("{f}~1"),
                f.clone(),
                format!("{f}+b1"),
                format!("{f}.1"),
                f.replacen("deb11u", "deb11u0", 1),
            ] {
                let mut r = report(
                    Some(distro("debian", "11", None)),
                    vec![pkg(
                        PackageKind::Deb,
                        source,
                        &installed,
                        Some((source, &installed)),
                    )],
                );
                match_report(
                    &mut r,
                    &db,
                    &MatchOptions {
                        now_unix: 0,
                        max_db_age_days: i64::MAX,
                    },
                )
                .unwrap();
                let ours = r
                    .vulnerabilities
                    .iter()
                    .any(|v| v.status == FixStatus::Fixed && v.fixed_versions.contains(f));
                let theirs = dpkg_lt(&installed, f).unwrap();
                assert_eq!(ours, theirs, "{source} {installed} vs fixed {f}");
                checked += 1;
            }
        }
    }
    eprintln!("{checked} (installed, fixed) pairs agree with dpkg --compare-versions");
    assert!(checked >= 20);
}
