//! The scan as JSON: the documented, versioned schema (`docs/json-schema.md`, section "scan
//! report").
//!
//! The document is [`ScanReport`] serialised as is, pretty-printed, keys in the order the
//! structs declare them (stable across runs), absent optional fields omitted rather than
//! `null`. Suppressed findings are included with their `suppression`. [`ScanReport::summary`]
//! is written as given: call [`ScanReport::summarize`] first.

use super::ScanReport;

/// Render the scan as pretty-printed JSON (ends with a newline).
pub fn write(report: &ScanReport) -> String {
    // Plain structs of strings, numbers and maps with string keys: serialising cannot fail.
    // Non-finite floats (a NaN score) become `null` in serde_json, which is still valid JSON.
    let mut out = serde_json::to_string_pretty(report).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::super::{testdata, ScanReport};

    #[test]
    fn round_trips() {
        let report = testdata::sample();
        let out = super::write(&report);
        let back: ScanReport = serde_json::from_str(&out).unwrap();
        assert_eq!(back, report);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["schema_version"], 1);
        assert_eq!(v["summary"]["vulnerabilities"]["critical"], 2);
        assert_eq!(v["summary"]["suppressed"], 1);
        assert_eq!(v["vulnerabilities"][7]["suppression"]["kind"], "vex");
        // Key order is the declaration order.
        assert!(out.starts_with("{\n  \"schema_version\": 1,\n  \"tool\": {"));
    }
}
