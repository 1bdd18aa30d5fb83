//! The distribution tables against Debian's and Ubuntu's own release data: the
//! `distro-info-data` package's `/usr/share/distro-info/{debian,ubuntu}.csv`. Skipped (with a
//! message) when the package is not installed, unless `BULWARK_REQUIRE_TOOLS=1`, which makes
//! that a failure (scripts/install-test-deps.sh installs it).

use bulwark_catalog::distro::{
    debian_release_of, eol_of, Release, DEBIAN_RELEASES, UBUNTU_LTS_RELEASES,
};

/// The CSV rows (header dropped) as field lists, or `None` when the file is missing.
fn csv(name: &str) -> Option<Vec<Vec<String>>> {
    let path = format!("/usr/share/distro-info/{name}");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(
            text.lines()
                .skip(1)
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.split(',').map(str::to_string).collect())
                .collect(),
        ),
        Err(e) => {
            let required = std::env::var("BULWARK_REQUIRE_TOOLS").is_ok_and(|v| v == "1");
            assert!(!required, "{path}: {e} (install distro-info-data)");
            eprintln!("skipping: {path}: {e} (install distro-info-data)");
            None
        }
    }
}

/// (number, codename, end of regular support, end of the extension).
type Row = (String, String, Option<String>, Option<String>);

fn rows_of(table: &[Release]) -> Vec<Row> {
    table
        .iter()
        .map(|r| {
            (
                r.number.to_string(),
                r.codename.to_string(),
                r.eol.map(str::to_string),
                r.extended_end.map(str::to_string),
            )
        })
        .collect()
}

fn field(row: &[String], i: usize) -> Option<&str> {
    row.get(i).map(String::as_str).filter(|s| !s.is_empty())
}

#[test]
fn debian_table_is_debians_data() {
    let Some(rows) = csv("debian.csv") else {
        return;
    };
    // version,codename,series,created,release,eol,eol-lts,eol-elts
    let expected: Vec<Row> = rows
        .iter()
        .filter_map(|row| {
            let number = field(row, 0)?; // sid and experimental have none
                                         // Advisory feeds spell 4.0-6.0 as `4`-`6` (1.x-3.x keep their minor).
            let number = match number.strip_suffix(".0") {
                Some(major) if major.parse::<u32>().is_ok_and(|m| m >= 4) => major,
                _ => number,
            };
            Some((
                number.to_string(),
                field(row, 2)?.to_string(),
                field(row, 5).map(str::to_string),
                field(row, 6).map(str::to_string),
            ))
        })
        .collect();
    assert_eq!(rows_of(DEBIAN_RELEASES), expected);
    // The disagreement issue 11 found: `duke` is Debian 15.
    assert_eq!(debian_release_of("duke"), Some("15"));
    assert_eq!(debian_release_of("sid"), Some("unstable"));
    assert_eq!(eol_of("debian", "12"), Some("2026-07-11"));
}

#[test]
fn ubuntu_lts_table_is_ubuntus_data() {
    let Some(rows) = csv("ubuntu.csv") else {
        return;
    };
    // version,codename,series,created,release,eol,eol-server,eol-esm
    let lts: Vec<Row> = rows
        .iter()
        .filter_map(|row| {
            let number = field(row, 0)?.strip_suffix(" LTS")?;
            Some((
                number.to_string(),
                field(row, 2)?.to_string(),
                field(row, 5).map(str::to_string),
                field(row, 7).map(str::to_string),
            ))
        })
        // Bulwark's table starts at 14.04 (older releases predate container images).
        .filter(|(n, ..)| {
            n.split('.')
                .next()
                .and_then(|major| major.parse::<u32>().ok())
                .is_some_and(|major| major >= 14)
        })
        .collect();
    let ours = rows_of(UBUNTU_LTS_RELEASES);
    assert_eq!(ours, lts);
    assert_eq!(eol_of("ubuntu", "22.04"), Some("2027-06-01"));
}
