//! JUnit XML output, the format CI systems show as test results.
//!
//! One `<testsuite>` per target file. Each unsuppressed finding is a failing `<testcase>`
//! (`classname` = file, `name` = `RULE-ID line:column`); each suppressed finding is a
//! `<testcase>` with `<skipped>`; a file without findings gets one passing testcase so it still
//! shows up.

use std::collections::BTreeMap;
use std::io;

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
    suites(report).to_xml()
}

/// Stream [`write`]'s document to `out`.
pub fn write_to(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    suites(report).write_to(out)
}

/// The report as JUnit test suites: one per target file.
pub fn suites(report: &Report) -> Suites {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for t in &report.targets {
        by_file.entry(t.as_str()).or_default();
    }
    for f in &report.findings {
        by_file.entry(f.location.file.as_str()).or_default().push(f);
    }
    let suites = by_file
        .iter()
        .map(|(file, findings)| {
            let mut cases: Vec<Case> = findings
                .iter()
                .map(|f| {
                    let mut case = Case::new(*file, case_name(f));
                    match &f.suppression {
                        Some(s) => case.skipped = Some(s.reason.clone()),
                        None => {
                            let mut body = format!("{}: {}", f.title, f.message);
                            if let Some(rule) = report.rule(&f.rule_id) {
                                body.push_str(&format!("\nRemediation: {}", rule.remediation));
                            }
                            case.failure = Some(Failure {
                                message: f.message.clone(),
                                kind: f.severity.as_str().to_string(),
                                body,
                            });
                        }
                    }
                    case
                })
                .collect();
            if cases.is_empty() {
                cases.push(Case::new(
                    *file,
                    format!("{} no findings", report.scan_kind),
                ));
            }
            Suite {
                name: file.to_string(),
                timestamp: None,
                cases,
            }
        })
        .collect();
    Suites {
        name: report.tool.name.clone(),
        suites,
        full_totals: false,
    }
}

/// A JUnit `<testsuites>` document: what both JUnit writers (configuration audit and scan)
/// build, rendered in one place.
#[derive(Debug, Clone, Default)]
pub struct Suites {
    /// The document's name.
    pub name: String,
    /// The suites.
    pub suites: Vec<Suite>,
    /// Whether the root carries `errors` and `skipped` totals too (`tests` and `failures`
    /// always).
    pub full_totals: bool,
}

/// One `<testsuite>`.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    /// Its name.
    pub name: String,
    /// When it ran (ISO 8601 without zone), if stated.
    pub timestamp: Option<String>,
    /// The test cases.
    pub cases: Vec<Case>,
}

/// One `<testcase>`: passing, failing or skipped, with optional standard output.
#[derive(Debug, Clone, Default)]
pub struct Case {
    /// `classname` (the file).
    pub classname: String,
    /// `name`.
    pub name: String,
    /// The failure, when it fails.
    pub failure: Option<Failure>,
    /// Why it was skipped, when it was.
    pub skipped: Option<String>,
    /// `<system-out>` text.
    pub system_out: Option<String>,
}

impl Case {
    /// A passing case.
    pub fn new(classname: impl Into<String>, name: impl Into<String>) -> Self {
        Case {
            classname: classname.into(),
            name: name.into(),
            ..Case::default()
        }
    }
}

/// A `<failure>`.
#[derive(Debug, Clone, Default)]
pub struct Failure {
    /// `message`.
    pub message: String,
    /// `type` (the severity).
    pub kind: String,
    /// The element's text.
    pub body: String,
}

impl Suites {
    /// The document as a string (ends with a newline).
    pub fn to_xml(&self) -> String {
        let mut out = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = self.write_to(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Write the document to `out`.
    pub fn write_to(&self, out: &mut dyn io::Write) -> io::Result<()> {
        let count = |f: &dyn Fn(&Case) -> bool| -> usize {
            self.suites
                .iter()
                .map(|s| s.cases.iter().filter(|c| f(c)).count())
                .sum()
        };
        let tests = count(&|_| true);
        let failures = count(&|c| c.failure.is_some());
        let skipped = count(&|c| c.skipped.is_some());
        out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
        write!(
            out,
            "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\"",
            esc(&self.name)
        )?;
        if self.full_totals {
            write!(out, " errors=\"0\" skipped=\"{skipped}\"")?;
        }
        out.write_all(b">\n")?;
        for s in &self.suites {
            let f = s.cases.iter().filter(|c| c.failure.is_some()).count();
            let k = s.cases.iter().filter(|c| c.skipped.is_some()).count();
            write!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" errors=\"0\" skipped=\"{k}\"",
                esc(&s.name),
                s.cases.len(),
            )?;
            if let Some(t) = &s.timestamp {
                write!(out, " timestamp=\"{}\"", esc(t))?;
            }
            out.write_all(b">\n")?;
            for c in &s.cases {
                write!(
                    out,
                    "    <testcase classname=\"{}\" name=\"{}\"",
                    esc(&c.classname),
                    esc(&c.name)
                )?;
                if c.failure.is_none() && c.skipped.is_none() && c.system_out.is_none() {
                    out.write_all(b"/>\n")?;
                    continue;
                }
                out.write_all(b">\n")?;
                if let Some(failure) = &c.failure {
                    writeln!(
                        out,
                        "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                        esc(&failure.message),
                        esc(&failure.kind),
                        esc(&failure.body)
                    )?;
                }
                if let Some(reason) = &c.skipped {
                    writeln!(out, "      <skipped message=\"{}\"/>", esc(reason))?;
                }
                if let Some(text) = &c.system_out {
                    writeln!(out, "      <system-out>{}</system-out>", esc(text))?;
                }
                out.write_all(b"    </testcase>\n")?;
            }
            out.write_all(b"  </testsuite>\n")?;
        }
        out.write_all(b"</testsuites>\n")
    }
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
