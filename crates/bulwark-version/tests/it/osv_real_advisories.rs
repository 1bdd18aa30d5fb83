//! `OsvRange::affects` on real advisories.
//!
//! PyPA advisories carry, beside their ranges, the list of affected releases that OSV's own
//! tooling enumerated from PyPI; every listed release must be inside the ranges, and every
//! `fixed` release that is not listed must be outside. Go vulndb ranges (SEMVER, evaluated for
//! `v`-prefixed module versions) must include their `introduced` and `last_affected` versions
//! and exclude their `fixed` ones.

use bulwark_version::{Event, OsvRange, Scheme};
use serde::Deserialize;

#[derive(Deserialize)]
struct Advisory {
    id: String,
    affected: Vec<Affected>,
}

#[derive(Deserialize)]
struct Affected {
    ecosystem: String,
    ranges: Vec<OsvRange>,
    versions: Vec<String>,
}

fn load(name: &str) -> Vec<Advisory> {
    let text = match name {
        "pypa" => include_str!("../fixtures/osv-pypa.json"),
        _ => include_str!("../fixtures/osv-govulndb.json"),
    };
    serde_json::from_str(text).expect("fixture parses")
}

fn affected_by_any(ranges: &[OsvRange], scheme: Scheme, v: &str) -> Result<bool, String> {
    let mut any = false;
    for r in ranges {
        any |= r.affects(scheme, v).map_err(|e| e.to_string())?;
    }
    Ok(any)
}

/// Advisories whose `versions` list contradicts their own ranges. PYSEC-2023-61 (Django)
/// introduces at `3.2` and `4.2` but lists `3.2a1`, `3.2b1`, `3.2rc1`, `4.2a1`, `4.2b1`,
/// `4.2rc1`, which PEP 440 (and packaging) order *below* `3.2` / `4.2`. They are listed rather
/// than tolerated by count so a new disagreement cannot hide among them.
const INCONSISTENT_DATA: [&str; 6] = [
    "PYSEC-2023-61: listed 3.2a1 not affected",
    "PYSEC-2023-61: listed 3.2b1 not affected",
    "PYSEC-2023-61: listed 3.2rc1 not affected",
    "PYSEC-2023-61: listed 4.2a1 not affected",
    "PYSEC-2023-61: listed 4.2b1 not affected",
    "PYSEC-2023-61: listed 4.2rc1 not affected",
];

#[test]
fn pypa_listed_versions_are_affected_and_unlisted_fixes_are_not() {
    let (mut inside, mut outside, mut unparsable) = (0, 0, Vec::new());
    let mut wrong = Vec::new();
    for adv in load("pypa") {
        for a in &adv.affected {
            let scheme = Scheme::for_ecosystem(&a.ecosystem).expect("PyPI");
            for v in &a.versions {
                match affected_by_any(&a.ranges, scheme, v) {
                    Ok(true) => inside += 1,
                    Ok(false) => wrong.push(format!("{}: listed {v} not affected", adv.id)),
                    Err(e) => unparsable.push(format!("{}: {e}", adv.id)),
                }
            }
            for r in &a.ranges {
                for e in &r.events {
                    let Event::Fixed(f) = e else { continue };
                    let listed = a
                        .versions
                        .iter()
                        .any(|v| scheme.compare(v, f).ok() == Some(std::cmp::Ordering::Equal));
                    if listed {
                        continue;
                    }
                    match affected_by_any(&a.ranges, scheme, f) {
                        Ok(false) => outside += 1,
                        Ok(true) => wrong.push(format!("{}: unlisted fix {f} affected", adv.id)),
                        Err(e) => unparsable.push(format!("{}: {e}", adv.id)),
                    }
                }
            }
        }
    }
    println!(
        "PyPA OSV: {inside} listed versions inside, {outside} fixes outside, {} unparsable, {} contradicted by the advisory's own ranges",
        unparsable.len(),
        wrong.len()
    );
    let unexpected: Vec<&String> = wrong
        .iter()
        .filter(|w| !INCONSISTENT_DATA.contains(&w.as_str()))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    assert_eq!(wrong.len(), INCONSISTENT_DATA.len(), "{wrong:#?}");
    assert!(
        inside > 2000 && outside > 300,
        "sample too small: {inside} / {outside}"
    );
    // The sample holds 34 legacy strings that packaging also rejects (`0.1-bulbasaur`,
    // `2013-01-21T20:33:09+0100`): they are reported as errors, never guessed.
    assert_eq!(unparsable.len(), 34, "{}", unparsable.join("\n"));
}

#[test]
fn govulndb_events_bound_their_ranges() {
    let (mut checked, mut wrong) = (0, Vec::new());
    for adv in load("govulndb") {
        for a in &adv.affected {
            let scheme = Scheme::for_ecosystem(&a.ecosystem).expect("Go");
            for r in &a.ranges {
                for e in &r.events {
                    let (v, want) = match e {
                        Event::Introduced(v) if v != "0" => (v, true),
                        Event::LastAffected(v) => (v, true),
                        Event::Fixed(v) => (v, false),
                        _ => continue,
                    };
                    // Module versions carry the `v` prefix; OSV SEMVER events do not.
                    let module_version = format!("v{v}");
                    match r.affects(scheme, &module_version) {
                        Ok(got) if got == want => checked += 1,
                        other => wrong.push(format!("{}: {e:?} -> {other:?}", adv.id)),
                    }
                }
            }
        }
    }
    println!(
        "Go vulndb OSV: {checked} event versions checked, {} wrong",
        wrong.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(checked > 500, "sample too small: {checked}");
}
