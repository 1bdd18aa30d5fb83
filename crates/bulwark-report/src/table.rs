//! Plain-text table for people, grouped by file, most severe first within each file.
//!
//! Colours (ANSI escapes on the severity column) are added only when the caller says the output
//! is a terminal; files and pipes get plain text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::{Finding, Report, Severity};

fn colour(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical => "\x1b[1;31m",
        Severity::High => "\x1b[31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[36m",
        Severity::Unknown => "\x1b[37m",
    }
}

/// Render `report` as a table. `colour` turns on ANSI severity colours.
pub fn write(report: &Report, colour_on: bool) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_file.entry(f.location.file.as_str()).or_default().push(f);
    }
    let mut out = String::new();
    for (file, mut findings) in by_file {
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.location.line.cmp(&b.location.line))
                .then(a.location.column.cmp(&b.location.column))
                .then(a.rule_id.cmp(&b.rule_id))
        });
        let active = findings.iter().filter(|f| f.suppression.is_none()).count();
        let _ = writeln!(
            out,
            "{file} ({active} finding{}, {} suppressed)",
            if active == 1 { "" } else { "s" },
            findings.len() - active
        );
        let _ = writeln!(out, "{}", "=".repeat(file.chars().count().clamp(8, 100)));
        for f in findings {
            let pos = match (f.location.line, f.location.column) {
                (Some(l), Some(c)) => format!("{l}:{c}"),
                (Some(l), None) => format!("{l}"),
                _ => "-".to_string(),
            };
            let sev = format!("{:<8}", f.severity.as_str());
            let sev = if colour_on {
                format!("{}{}\x1b[0m", colour(f.severity), sev)
            } else {
                sev
            };
            let _ = write!(out, "{sev} {:<12} {:>7}  {}", f.rule_id, pos, f.message);
            if let Some(s) = &f.suppression {
                let _ = write!(out, " [suppressed: {}]", s.reason);
            }
            out.push('\n');
        }
        out.push('\n');
    }
    let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
    for f in report.active() {
        *counts.entry(f.severity).or_insert(0) += 1;
    }
    let summary: Vec<String> = counts
        .iter()
        .rev()
        .map(|(s, n)| format!("{s}: {n}"))
        .collect();
    let _ = writeln!(
        out,
        "{} file(s) checked, {} finding(s){}{}",
        report.targets.len(),
        report.active().count(),
        if summary.is_empty() { "" } else { " - " },
        summary.join(", ")
    );
    for e in &report.errors {
        let _ = writeln!(out, "error: {}: {}", e.file, e.message);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_plain_and_colour() {
        let report = crate::testdata::sample();
        let plain = super::write(&report, false);
        assert!(!plain.contains('\x1b'));
        insta::assert_snapshot!(plain);
        let coloured = super::write(&report, true);
        assert!(coloured.contains("\x1b[31mHIGH"));
    }
}
