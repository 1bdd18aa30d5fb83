//! The demo image through the library: the same findings as the CLI's golden.

use bulwark_scan::{ScanOptions, Scanner};

use crate::common::{db, demo, finding_lines, repo, snapshot_body};

fn options() -> ScanOptions {
    ScanOptions {
        max_db_age_days: 36_500,
        ..ScanOptions::default()
    }
}

#[test]
fn library_scan_matches_the_cli_golden() {
    let report = Scanner::new(db(), options())
        .scan(&demo())
        .expect("scan the demo");
    let json = serde_json::to_value(&report).expect("report as JSON");
    let golden = snapshot_body(
        &repo().join("crates/bulwark-cli/tests/it/snapshots/it__scan__demo_findings.snap"),
    );
    assert_eq!(finding_lines(&json).join("\n"), golden);
    // 133: the npm project itself is the root component (issue 12).
    assert_eq!(report.summary.packages, 133);
    assert_eq!(report.summary.fixable, 29);
    assert_eq!(report.target.layers.len(), 2);
    // The library measures every stage; the caller decides whether to show them.
    let timings = report.timings.expect("timings");
    assert!(timings.walk_catalog_ms > 0.0);
    assert_eq!(timings.report_ms, 0.0);
    let codes: Vec<&str> = report.notices.iter().map(|n| n.code.as_str()).collect();
    assert!(codes.contains(&"eol-release"), "{codes:?}");
}

#[test]
fn filters_run_inside_the_library() {
    let mut opts = options();
    opts.filter.ignore_unfixed = true;
    let report = Scanner::new(db(), opts).scan(&demo()).expect("scan");
    assert_eq!(report.vulnerabilities.len(), 29);
    assert!(report
        .vulnerabilities
        .iter()
        .all(|v| !v.fixed_versions.is_empty()));
}

#[test]
fn inventory_report_has_no_database_and_no_file_lists() {
    let report = bulwark_scan::inventory_report(
        &demo(),
        &Default::default(),
        &bulwark_scan::Control::default(),
    )
    .expect("inventory");
    assert_eq!(report.packages.len(), 133);
    assert!(report.database.is_none());
    assert!(report.vulnerabilities.is_empty());
    assert!(report.packages.iter().all(|p| p.files.is_empty()));
    assert_eq!(report.target.source, "docker-archive");
}

#[test]
fn bad_targets_name_the_input() {
    let err = bulwark_scan::inventory_report(
        "docker-archive:/nonexistent/bwt-s11a.tar",
        &Default::default(),
        &bulwark_scan::Control::default(),
    )
    .expect_err("missing archive");
    assert!(
        matches!(err, bulwark_scan::ScanError::Open { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "opening docker-archive:/nonexistent/bwt-s11a.tar"
    );
}
