//! The scan as JUnit XML, the format CI systems (Jenkins, GitLab, Azure DevOps, CircleCI) show
//! as test results.
//!
//! One `<testsuite>` per file the packages were read from (package database, installed
//! packages directory, lockfile, archive, binary; the same groups as the table). In it, one
//! `<testcase>` per package with findings (`classname` = the file, `name` = `package@version`):
//! a `<failure>` (type = the highest severity) listing each active vulnerability with its
//! status, fixed version, title, first reference and the layer that introduced the package;
//! a package whose findings are all suppressed is `<skipped>` with the reasons. A file without
//! any finding gets one passing testcase (`N packages, no known vulnerabilities`), so clean
//! files show up without one testcase per package. License findings form a `license policy`
//! suite (suppressed ones skipped); notices form a `scan notices` suite of passing testcases
//! whose `<system-out>` carries the text.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::util::{self, Group};
use super::{PackageRef, ScanReport, VulnFinding};
use crate::junit::{Case, Failure, Suite, Suites};
use crate::Severity;

fn vuln_line(v: &VulnFinding) -> String {
    let mut line = format!("{} {}", v.id, v.severity.as_str());
    if v.kev {
        line.push_str(" KEV");
    }
    if v.fixed_versions.is_empty() {
        let _ = write!(line, " - no fix ({})", v.status.as_str());
    } else {
        let _ = write!(line, " - fixed in {}", v.fixed_versions.join(", "));
    }
    if let Some(t) = &v.title {
        let _ = write!(line, " - {}", util::one_line(t));
    }
    line
}

fn package_case(classname: &str, p: &PackageRef, findings: &[&VulnFinding]) -> Case {
    let name = format!("{}@{}", p.name, p.version);
    let active: Vec<&&VulnFinding> = findings
        .iter()
        .filter(|v| v.suppression.is_none())
        .collect();
    let suppressed: Vec<&&VulnFinding> = findings
        .iter()
        .filter(|v| v.suppression.is_some())
        .collect();
    let mut case = Case {
        classname: classname.to_string(),
        name,
        failure: None,
        skipped: None,
        system_out: None,
    };
    if active.is_empty() {
        let reasons: Vec<String> = suppressed
            .iter()
            .filter_map(|v| {
                v.suppression
                    .as_ref()
                    .map(|s| format!("{}: {}", v.id, s.reason))
            })
            .collect();
        case.skipped = Some(format!("suppressed: {}", reasons.join("; ")));
        return case;
    }
    let worst = active
        .iter()
        .map(|v| v.severity)
        .max()
        .unwrap_or(Severity::Unknown);
    let ids: Vec<String> = active
        .iter()
        .map(|v| format!("{} ({})", v.id, v.severity.as_str()))
        .collect();
    let message = format!(
        "{} vulnerabilit{}: {}",
        active.len(),
        if active.len() == 1 { "y" } else { "ies" },
        ids.join(", ")
    );
    let mut body = String::new();
    for v in &active {
        body.push_str(&vuln_line(v));
        body.push('\n');
        if let Some(r) = v.references.first() {
            let _ = writeln!(body, "  {r}");
        }
    }
    let first = active[0];
    if let Some(l) = &first.layer {
        let _ = write!(
            body,
            "Introduced by layer {} ({})",
            l.index,
            util::origin_name(first.origin)
        );
        if let Some(c) = &l.created_by {
            let _ = write!(body, ": {}", util::one_line(c));
        }
        body.push('\n');
    }
    if !suppressed.is_empty() {
        body.push_str("Suppressed:\n");
        for v in &suppressed {
            if let Some(s) = &v.suppression {
                let _ = writeln!(body, "  {} - {}", v.id, s.reason);
            }
        }
    }
    case.failure = Some(Failure {
        message,
        kind: worst.as_str().to_string(),
        body,
    });
    case
}

/// A package within a group: name, version, file.
type PackageKey = (String, String, String);

/// Render the scan as JUnit XML (ends with a newline).
pub fn write(report: &ScanReport) -> String {
    suites(report).to_xml()
}

/// Stream [`write`]'s document to `out`.
pub fn write_to(report: &ScanReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    suites(report).write_to(out)
}

/// The scan as JUnit test suites.
pub fn suites(report: &ScanReport) -> Suites {
    // Findings per group, then per package (name, version, file).
    let mut groups: BTreeMap<Group, BTreeMap<PackageKey, Vec<&VulnFinding>>> = BTreeMap::new();
    let mut clean_count: BTreeMap<Group, usize> = BTreeMap::new();
    let vulnerable: BTreeSet<(&str, &str)> = report
        .vulnerabilities
        .iter()
        .map(|v| (v.package.purl.as_str(), v.package.found_in.as_str()))
        .collect();
    for p in &report.packages {
        let g = Group::of(p.kind, &p.found_in);
        groups.entry(g.clone()).or_default();
        if !vulnerable.contains(&(p.purl.as_str(), p.found_in.as_str())) {
            *clean_count.entry(g).or_default() += 1;
        }
    }
    for v in &report.vulnerabilities {
        let p = &v.package;
        groups
            .entry(Group::of_ref(p))
            .or_default()
            .entry((p.name.clone(), p.version.clone(), p.found_in.clone()))
            .or_default()
            .push(v);
    }
    let mut suites: Vec<Suite> = Vec::new();
    for (g, packages) in &groups {
        let mut cases = Vec::new();
        for list in packages.values() {
            let mut list = list.clone();
            list.sort_by(|a, b| util::finding_order(a, b));
            cases.push(package_case(&g.path, &list[0].package, &list));
        }
        if packages.is_empty() {
            let n = clean_count.get(g).copied().unwrap_or(0);
            cases.push(Case {
                classname: g.path.clone(),
                name: format!(
                    "{n} package{}, no known vulnerabilities",
                    if n == 1 { "" } else { "s" }
                ),
                failure: None,
                skipped: None,
                system_out: None,
            });
        }
        suites.push(Suite {
            name: format!("{} ({})", g.path, g.kind.label()),
            timestamp: Some(report.created_at.trim_end_matches('Z').to_string()),
            cases,
        });
    }
    if !report.licenses.is_empty() {
        let mut list: Vec<_> = report.licenses.iter().collect();
        list.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.package.name.cmp(&b.package.name))
        });
        let cases = list
            .iter()
            .map(|l| {
                let mut c = Case {
                    classname: "license policy".to_string(),
                    name: format!("{}@{} {}", l.package.name, l.package.version, l.license),
                    failure: None,
                    skipped: None,
                    system_out: None,
                };
                match &l.suppression {
                    Some(s) => c.skipped = Some(format!("suppressed: {}", s.reason)),
                    None => {
                        c.failure = Some(Failure {
                            message: format!("license {} not allowed ({})", l.license, l.rule),
                            kind: l.severity.as_str().to_string(),
                            body: format!(
                                "{}@{} ({}) is licensed {}: {}\nFound in {}\n",
                                l.package.name,
                                l.package.version,
                                l.package.purl,
                                l.license,
                                l.rule,
                                l.package.found_in
                            ),
                        })
                    }
                }
                c
            })
            .collect();
        suites.push(Suite {
            name: "license policy".to_string(),
            timestamp: Some(report.created_at.trim_end_matches('Z').to_string()),
            cases,
        });
    }
    if !report.notices.is_empty() {
        let cases = report
            .notices
            .iter()
            .map(|n| Case {
                classname: "scan notices".to_string(),
                name: n.code.to_string(),
                failure: None,
                skipped: None,
                system_out: Some(format!(
                    "{}: {}",
                    if n.level == super::NoticeLevel::Warning {
                        "WARNING"
                    } else {
                        "NOTE"
                    },
                    n.message
                )),
            })
            .collect();
        suites.push(Suite {
            name: "scan notices".to_string(),
            timestamp: Some(report.created_at.trim_end_matches('Z').to_string()),
            cases,
        });
    }

    Suites {
        name: format!("bulwark scan {}", report.target.name),
        suites,
        full_totals: true,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testdata;

    #[test]
    fn suites_cases_and_escaping() {
        let mut report = testdata::sample();
        let out = super::write(&report);
        assert!(out.contains(
            "<testsuites name=\"bulwark scan registry.example.com/shop/api:1.4\" tests=\"14\" failures=\"10\" errors=\"0\" skipped=\"1\">"
        ), "{out}");
        assert!(out.contains("<testsuite name=\"/app/Cargo.lock (lockfile)\" tests=\"1\""));
        assert!(out.contains("<testcase classname=\"/usr/local/lib/python3.7/site-packages\" name=\"urllib3@1.26.4\">\n      <skipped message=\"suppressed: CVE-2021-33503: not_affected: vulnerable_code_not_in_execute_path (vex/api.openvex.json)\"/>"));
        report.vulnerabilities[0].title = Some("<script>\"&'".into());
        let out = super::write(&report);
        assert!(out.contains("&lt;script&gt;&quot;&amp;&apos;"));
        assert!(!out.contains("<script>"));
    }
}
