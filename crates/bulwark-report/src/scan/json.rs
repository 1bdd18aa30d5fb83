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
    crate::to_string(|out| write_to(report, out))
}

/// Stream [`write`]'s document (ending with a newline) to `out`. Plain structs of strings,
/// numbers and maps with string keys: only `out` can fail. Non-finite floats (a NaN score)
/// become `null` in serde_json, which is still valid JSON.
pub fn write_to(report: &ScanReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
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
