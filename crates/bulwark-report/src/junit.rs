//! JUnit XML output, the format CI systems show as test results.
//!
//! One `<testsuite>` per target file. Each unsuppressed finding is a failing `<testcase>`
//! (`classname` = file, `name` = `RULE-ID line:column`); each suppressed finding is a
//! `<testcase>` with `<skipped>`; a file without findings gets one passing testcase so it still
//! shows up.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::{Finding, Report};

/// Escape text for XML attribute values and character data.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters even escaped: drop them.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn case_name(f: &Finding) -> String {
    match (f.location.line, f.location.column) {
        (Some(l), Some(c)) => format!("{} {}:{}", f.rule_id, l, c),
        (Some(l), None) => format!("{} {}", f.rule_id, l),
        _ => f.rule_id.clone(),
    }
}

/// Render `report` as JUnit XML.
pub fn write(report: &Report) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for t in &report.targets {
        by_file.entry(t.as_str()).or_default();
    }
    for f in &report.findings {
        by_file.entry(f.location.file.as_str()).or_default().push(f);
    }
    let total_tests: usize = by_file.values().map(|v| v.len().max(1)).sum();
    let total_fail = report.active().count();
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\">",
        esc(&report.tool.name),
        total_tests,
        total_fail
    );
    for (file, findings) in &by_file {
        let failures = findings.iter().filter(|f| f.suppression.is_none()).count();
        let skipped = findings.len() - failures;
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
            esc(file),
            findings.len().max(1),
            failures,
            skipped
        );
        if findings.is_empty() {
            let _ = writeln!(
                out,
                "    <testcase classname=\"{}\" name=\"{} no findings\"/>",
                esc(file),
                esc(&report.scan_kind)
            );
        }
        for f in findings {
            let _ = writeln!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\">",
                esc(file),
                esc(&case_name(f))
            );
            match &f.suppression {
                Some(s) => {
                    let _ = writeln!(out, "      <skipped message=\"{}\"/>", esc(&s.reason));
                }
                None => {
                    let mut body = format!("{}: {}", f.title, f.message);
                    if let Some(rule) = report.rule(&f.rule_id) {
                        body.push_str(&format!("\nRemediation: {}", rule.remediation));
                    }
                    let _ = writeln!(
                        out,
                        "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                        esc(&f.message),
                        f.severity.as_str(),
                        esc(&body)
                    );
                }
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn junit_golden() {
        let out = super::write(&crate::testdata::sample());
        assert!(out.contains(
            "<failure message=\"bad &lt;thing&gt; &amp; &quot;quoted&quot;\" type=\"HIGH\">"
        ));
        assert!(out.contains("<skipped message=\"accepted\"/>"));
        insta::assert_snapshot!(out);
    }
}
