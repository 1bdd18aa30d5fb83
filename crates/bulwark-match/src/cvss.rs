//! CVSS base scores computed from vectors, for feeds that give a vector without a score.
//!
//! CVSS v3.0/v3.1 follow the FIRST specification's formulas (section 7 of
//! <https://www.first.org/cvss/v3.1/specification-document>, including 3.1's `Roundup` that
//! avoids floating-point surprises); CVSS v2 follows the v2 guide
//! (<https://www.first.org/cvss/v2/guide>, section 3.2.1). CVSS v4 has no closed formula (it
//! is a lookup over macro vectors), so v4 vectors are only used when the feed stores a score.

use bulwark_model::Severity;

/// The CVSS version a vector is written in: `3.1`, `3.0`, `4.0` or `2.0` (vectors without a
/// `CVSS:` prefix are v2).
pub fn version_of(vector: &str) -> &'static str {
    if vector.starts_with("CVSS:3.1/") {
        "3.1"
    } else if vector.starts_with("CVSS:3.0/") {
        "3.0"
    } else if vector.starts_with("CVSS:4.0/") {
        "4.0"
    } else {
        "2.0"
    }
}

/// Metric values of a vector, by metric name. `None` when a metric appears twice or a part
/// is not `NAME:VALUE`.
fn metrics(body: &str) -> Option<Vec<(&str, &str)>> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for part in body.trim_matches(|c| c == '(' || c == ')').split('/') {
        let (k, v) = part.split_once(':')?;
        if out.iter().any(|(name, _)| *name == k) {
            return None;
        }
        out.push((k, v));
    }
    Some(out)
}

fn get<'a>(m: &[(&str, &'a str)], key: &str) -> Option<&'a str> {
    m.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// CVSS 3.1 `Roundup`: the smallest number with one decimal that is >= the input, computed on
/// integers so that `4.000000001` does not become 4.1.
fn roundup_31(x: f64) -> f64 {
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

/// CVSS 3.0 `Roundup`: ceiling to one decimal.
fn roundup_30(x: f64) -> f64 {
    (x * 10.0).ceil() / 10.0
}

/// The base score of a CVSS v3.0 or v3.1 vector (`CVSS:3.1/AV:N/AC:L/...`); `None` when the
/// vector is not a complete, valid v3 base vector.
pub fn v3_base_score(vector: &str) -> Option<f64> {
    let (roundup, body): (fn(f64) -> f64, &str) = if let Some(b) = vector.strip_prefix("CVSS:3.1/")
    {
        (roundup_31, b)
    } else if let Some(b) = vector.strip_prefix("CVSS:3.0/") {
        (roundup_30, b)
    } else {
        return None;
    };
    let m = metrics(body)?;
    let scope_changed = match get(&m, "S")? {
        "U" => false,
        "C" => true,
        _ => return None,
    };
    let av = match get(&m, "AV")? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match get(&m, "AC")? {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (get(&m, "PR")?, scope_changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match get(&m, "UI")? {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let cia = |k: &str| -> Option<f64> {
        match get(&m, k)? {
            "H" => Some(0.56),
            "L" => Some(0.22),
            "N" => Some(0.0),
            _ => None,
        }
    };
    let (c, i, a) = (cia("C")?, cia("I")?, cia("A")?);
    let iss = 1.0 - ((1.0 - c) * (1.0 - i) * (1.0 - a));
    let impact = if scope_changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Some(0.0);
    }
    Some(if scope_changed {
        roundup((1.08 * (impact + exploitability)).min(10.0))
    } else {
        roundup((impact + exploitability).min(10.0))
    })
}

/// The base score of a CVSS v2 vector (`AV:N/AC:L/Au:N/C:P/I:P/A:P`, parentheses allowed).
pub fn v2_base_score(vector: &str) -> Option<f64> {
    let m = metrics(vector.strip_prefix("CVSS:2.0/").unwrap_or(vector))?;
    let av = match get(&m, "AV")? {
        "L" => 0.395,
        "A" => 0.646,
        "N" => 1.0,
        _ => return None,
    };
    let ac = match get(&m, "AC")? {
        "H" => 0.35,
        "M" => 0.61,
        "L" => 0.71,
        _ => return None,
    };
    let au = match get(&m, "Au")? {
        "M" => 0.45,
        "S" => 0.56,
        "N" => 0.704,
        _ => return None,
    };
    let cia = |k: &str| -> Option<f64> {
        match get(&m, k)? {
            "N" => Some(0.0),
            "P" => Some(0.275),
            "C" => Some(0.660),
            _ => None,
        }
    };
    let (c, i, a) = (cia("C")?, cia("I")?, cia("A")?);
    let impact = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
    let exploitability = 20.0 * av * ac * au;
    let f = if impact == 0.0 { 0.0 } else { 1.176 };
    let score = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f;
    Some((score * 10.0).round() / 10.0)
}

/// The base score of any vector whose score can be computed (v2, v3.0, v3.1).
pub fn base_score(vector: &str) -> Option<f64> {
    match version_of(vector) {
        "3.1" | "3.0" => v3_base_score(vector),
        "2.0" => v2_base_score(vector),
        _ => None,
    }
}

/// The qualitative rating of a score: v3/v4 (`None` 0.0 is reported as Low: a scored
/// vulnerability is still a finding) and v2 (no Critical band in v2).
pub fn rating(version: &str, score: f64) -> Severity {
    if version == "2.0" {
        return if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else {
            Severity::Low
        };
    }
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else {
        Severity::Low
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_scores_match_first_calculator() {
        // Expected scores from the `cvss` Python library (Red Hat), which implements FIRST's spec.
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:H", 6.6),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:N/A:N", 6.8),
            ("CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 4.0),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0),
            ("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:C/C:L/I:N/A:N", 2.3),
        ];
        for (v, want) in cases {
            assert_eq!(v3_base_score(v), Some(want), "{v}");
        }
        assert_eq!(v3_base_score("CVSS:3.1/AV:N/AC:L"), None);
        assert_eq!(
            v3_base_score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            None
        );
        assert_eq!(
            v3_base_score("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"),
            None
        );
    }

    #[test]
    fn v2_scores() {
        assert_eq!(v2_base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P"), Some(7.5));
        assert_eq!(v2_base_score("AV:N/AC:M/Au:N/C:N/I:P/A:N"), Some(4.3));
        assert_eq!(v2_base_score("(AV:L/AC:L/Au:N/C:C/I:C/A:C)"), Some(7.2));
        assert_eq!(v2_base_score("AV:N/AC:L/Au:N/C:N/I:N/A:N"), Some(0.0));
    }

    #[test]
    fn ratings() {
        assert_eq!(rating("3.1", 9.8), Severity::Critical);
        assert_eq!(rating("3.1", 7.0), Severity::High);
        assert_eq!(rating("3.1", 6.9), Severity::Medium);
        assert_eq!(rating("3.1", 3.9), Severity::Low);
        assert_eq!(rating("2.0", 10.0), Severity::High);
    }
}
