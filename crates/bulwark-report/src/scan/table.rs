//! The scan as a table for people.
//!
//! Layout, top to bottom: notices (loud, first, so an end-of-life release or a stale database
//! is not missed), a header (target, image id, OS with its end-of-life state, base image,
//! database age), then the active findings grouped by the file their package was read from
//! (package database, installed packages directory, lockfile, archive, binary), most severe
//! first, then license findings, then one totals line split by severity and by base image vs
//! own layers. Suppressed findings are not listed, only counted (JSON, SARIF and HTML list
//! them with their reasons).
//!
//! Columns are aligned across all groups. Titles are cut to fit [`TableOptions::width`]
//! (60 characters when no width is given). Colours are ANSI escapes, only when
//! [`TableOptions::color`] is set.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::util::{self, Group};
use super::{FixStatus, NoticeLevel, Origin, ScanReport, SeverityCounts, VulnFinding};
use crate::Severity;

/// How to render the table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// Colour severities, notices and markers with ANSI escapes (terminals only).
    pub color: bool,
    /// Terminal width in columns; titles are cut so rows fit. `None`: titles are cut at 60
    /// characters.
    pub width: Option<usize>,
}

/// Title length when no width is given.
const DEFAULT_TITLE: usize = 60;
/// Shortest title kept when the terminal is narrow (rows then wrap).
const MIN_TITLE: usize = 16;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";

fn sev_colour(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical => "\x1b[1;31m",
        Severity::High => "\x1b[31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[34m",
        Severity::Unknown => DIM,
    }
}

/// Text with an optional colour; width counts the text only.
struct Cell {
    text: String,
    colour: Option<&'static str>,
}

impl Cell {
    fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: safe(&text.into()),
            colour: None,
        }
    }
}

/// Report data without control characters: a title or path carrying an escape sequence must
/// not be able to drive the reader's terminal.
fn safe(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// Paints `text` with `colour` when colours are on.
fn paint(on: bool, colour: &str, text: &str) -> String {
    if on && !text.is_empty() {
        format!("{colour}{text}{RESET}")
    } else {
        text.to_string()
    }
}

/// Writes rows with columns padded to `widths`; the last column is not padded.
fn write_rows(out: &mut String, rows: &[Vec<Cell>], widths: &[usize], colour: bool) {
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let last = i + 1 == row.len();
            let pad = if last {
                0
            } else {
                widths[i].saturating_sub(cell.text.chars().count())
            };
            match cell.colour {
                Some(c) => line.push_str(&paint(colour, c, &cell.text)),
                None => line.push_str(&cell.text),
            }
            if !last {
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn widths_of(rows: &[Vec<Cell>], columns: usize) -> Vec<usize> {
    let mut w = vec![0; columns];
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            w[i] = w[i].max(c.text.chars().count());
        }
    }
    w
}

/// `CRITICAL: 1, HIGH: 3` (zero counts left out).
fn counts_text(c: &SeverityCounts) -> String {
    let parts: Vec<String> = util::SEVERITIES
        .iter()
        .map(|s| (s, count_of(c, *s)))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{}: {n}", s.as_str()))
        .collect();
    parts.join(", ")
}

fn count_of(c: &SeverityCounts, s: Severity) -> usize {
    match s {
        Severity::Critical => c.critical,
        Severity::High => c.high,
        Severity::Medium => c.medium,
        Severity::Low => c.low,
        Severity::Unknown => c.unknown,
    }
}

fn header(report: &ScanReport, out: &mut String, colour: bool) {
    let t = &report.target;
    let mut rows: Vec<(&str, String)> = Vec::new();
    rows.push(("Target", safe(&format!("{} ({})", t.name, t.source))));
    if let Some(id) = &t.image_id {
        rows.push(("Image ID", safe(id)));
    }
    if let Some(d) = &t.distro {
        let name = d.pretty_name.clone().unwrap_or_else(|| {
            format!("{} {}", d.id, d.version_id.as_deref().unwrap_or(""))
                .trim()
                .to_string()
        });
        let eol = match &d.eol {
            Some(eol) if is_past(eol, &report.created_at) => {
                format!(
                    "  {}",
                    paint(colour, "\x1b[1;31m", &format!("END OF LIFE since {eol}"))
                )
            }
            Some(eol) => format!("  (supported until {eol})"),
            None => String::new(),
        };
        rows.push(("OS", format!("{}{eol}", safe(&name))));
    }
    if let Some(b) = &t.base_image {
        let mut text = b.name.clone().unwrap_or_else(|| "(unnamed)".to_string());
        if let Some(d) = &b.digest {
            let _ = write!(text, "@{}", short_digest(d));
        }
        let layers = match b.layers {
            Some(1) => "bottom layer".to_string(),
            Some(n) => format!("bottom {n} layers"),
            None => "layers unknown".to_string(),
        };
        let _ = write!(text, " ({layers}, from {})", b.evidence);
        rows.push(("Base image", safe(&text)));
    }
    if let Some(db) = &report.database {
        let age = match db.age_days {
            0 => "built today".to_string(),
            1 => "1 day old".to_string(),
            n => format!("{n} days old"),
        };
        rows.push(("Database", safe(&format!("{} ({age})", db.built_at))));
    }
    rows.push(("Packages", report.packages.len().to_string()));
    for (k, v) in rows {
        let pad = " ".repeat(12usize.saturating_sub(k.len()));
        let _ = writeln!(out, "{}{pad}{v}", paint(colour, BOLD, k));
    }
    out.push('\n');
}

/// Whether the ISO date `eol` is before the scan date (the date part of `created_at`).
fn is_past(eol: &str, created_at: &str) -> bool {
    let today = created_at.get(..10).unwrap_or(created_at);
    !today.is_empty() && eol.get(..10).unwrap_or(eol) < today
}

/// `sha256:` and the first 12 hex digits.
fn short_digest(d: &str) -> String {
    match d.split_once(':') {
        Some((alg, hex)) => format!("{alg}:{}", hex.get(..12).unwrap_or(hex)),
        None => d.to_string(),
    }
}

fn notices(report: &ScanReport, out: &mut String, colour: bool) {
    let mut list: Vec<_> = report.notices.iter().collect();
    // Warnings first, in the order given.
    list.sort_by_key(|n| std::cmp::Reverse(n.level));
    for n in &list {
        let (label, c) = match n.level {
            NoticeLevel::Warning => ("WARNING", "\x1b[1;33m"),
            NoticeLevel::Info => ("NOTE", "\x1b[36m"),
        };
        let _ = writeln!(
            out,
            "{}{} {} [{}]",
            paint(colour, c, label),
            " ".repeat(8 - label.len()),
            safe(&n.message),
            safe(n.code.as_str())
        );
    }
    if !list.is_empty() {
        out.push('\n');
    }
}

fn finding_row(v: &VulnFinding) -> Vec<Cell> {
    let mut id = safe(&v.id);
    if v.kev {
        id.push_str(" KEV");
    }
    let status = match v.status {
        FixStatus::Fixed => String::new(),
        s => s.as_str().to_string(),
    };
    vec![
        Cell::plain(&v.package.name),
        Cell::plain(&v.package.version),
        Cell::plain(v.fixed_versions.join(", ")),
        Cell::plain(if status.is_empty() { "fixed" } else { &status }),
        Cell {
            text: v.severity.as_str().to_string(),
            colour: Some(sev_colour(v.severity)),
        },
        Cell {
            text: id,
            colour: v.kev.then_some("\x1b[1;35m"),
        },
        Cell::plain(util::origin_short(v.origin, v.layer.as_ref())),
        Cell::plain(util::one_line(v.title.as_deref().unwrap_or(""))),
    ]
}

/// Render the scan as a table.
pub fn write(report: &ScanReport, opts: &TableOptions) -> String {
    let colour = opts.color;
    let mut out = String::new();
    notices(report, &mut out, colour);
    header(report, &mut out, colour);

    // Active findings by group.
    let mut groups: BTreeMap<Group, Vec<&VulnFinding>> = BTreeMap::new();
    let mut suppressed_in: BTreeMap<Group, usize> = BTreeMap::new();
    for v in &report.vulnerabilities {
        let g = Group::of_ref(&v.package);
        if v.suppression.is_some() {
            *suppressed_in.entry(g).or_default() += 1;
        } else {
            groups.entry(g).or_default().push(v);
        }
    }
    for g in suppressed_in.keys() {
        groups.entry(g.clone()).or_default();
    }
    for list in groups.values_mut() {
        list.sort_by(|a, b| util::finding_order(a, b));
    }
    // Package kinds per group, for the group heading.
    let mut kinds: BTreeMap<Group, BTreeSet<String>> = BTreeMap::new();
    for p in &report.packages {
        kinds
            .entry(Group::of(p.kind, &p.found_in))
            .or_default()
            .insert(util::kind_label(p.kind));
    }
    for v in &report.vulnerabilities {
        kinds
            .entry(Group::of_ref(&v.package))
            .or_default()
            .insert(util::kind_label(v.package.kind));
    }

    let head = [
        "PACKAGE",
        "INSTALLED",
        "FIXED",
        "STATUS",
        "SEVERITY",
        "ID",
        "ORIGIN",
        "TITLE",
    ];
    let mut all_rows: Vec<Vec<Cell>> = vec![head.iter().map(|h| Cell::plain(*h)).collect()];
    for list in groups.values() {
        all_rows.extend(list.iter().map(|v| finding_row(v)));
    }
    let mut widths = widths_of(&all_rows, head.len());
    let used: usize = widths[..head.len() - 1].iter().map(|w| w + 2).sum();
    let title_max = match opts.width {
        Some(w) => w.saturating_sub(used).max(MIN_TITLE),
        None => DEFAULT_TITLE,
    };
    widths[head.len() - 1] = widths[head.len() - 1].min(title_max);

    if groups.is_empty() {
        let _ = writeln!(
            out,
            "No vulnerabilities found in {} packages.\n",
            report.packages.len()
        );
    }
    for (g, list) in &groups {
        let kind_text = kinds
            .get(g)
            .map(|k| k.iter().cloned().collect::<Vec<_>>().join(", "))
            .unwrap_or_default();
        let mut heading = format!("{} ({} {})", safe(&g.path), kind_text, g.kind.label());
        let n = list.len();
        let _ = write!(
            heading,
            " - {n} vulnerabilit{}",
            if n == 1 { "y" } else { "ies" }
        );
        if let Some(s) = suppressed_in.get(g) {
            let _ = write!(heading, ", {s} suppressed");
        }
        let _ = writeln!(out, "{}", paint(colour, BOLD, &heading));
        let _ = writeln!(
            out,
            "{}",
            "─".repeat(
                heading
                    .chars()
                    .count()
                    .min(opts.width.unwrap_or(usize::MAX))
            )
        );
        if list.is_empty() {
            out.push('\n');
            continue;
        }
        let mut rows: Vec<Vec<Cell>> = vec![head.iter().map(|h| Cell::plain(*h)).collect()];
        for v in list {
            let mut row = finding_row(v);
            if let Some(last) = row.last_mut() {
                last.text = util::truncate(&last.text, title_max);
            }
            rows.push(row);
        }
        if colour {
            for c in &mut rows[0] {
                c.colour = Some(DIM);
            }
        }
        write_rows(&mut out, &rows, &widths, colour);
        out.push('\n');
    }

    let active_licenses: Vec<_> = report.active_licenses().collect();
    if !active_licenses.is_empty() {
        let heading = format!("License policy - {} finding(s)", active_licenses.len());
        let _ = writeln!(out, "{}", paint(colour, BOLD, &heading));
        let _ = writeln!(out, "{}", "─".repeat(heading.chars().count()));
        let mut rows: Vec<Vec<Cell>> = vec![[
            "PACKAGE", "VERSION", "LICENSE", "VERDICT", "SEVERITY", "RULE", "ORIGIN", "FOUND IN",
        ]
        .iter()
        .map(|h| Cell {
            text: h.to_string(),
            colour: colour.then_some(DIM),
        })
        .collect()];
        let mut list = active_licenses.clone();
        list.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.package.name.cmp(&b.package.name))
        });
        for l in list {
            rows.push(vec![
                Cell::plain(&l.package.name),
                Cell::plain(&l.package.version),
                Cell::plain(&l.license),
                Cell::plain(format!("{:?}", l.verdict).to_lowercase()),
                Cell {
                    text: l.severity.as_str().to_string(),
                    colour: Some(sev_colour(l.severity)),
                },
                Cell::plain(&l.rule),
                Cell::plain(util::origin_short(l.origin, l.layer.as_ref())),
                Cell::plain(&l.package.found_in),
            ]);
        }
        let w = widths_of(&rows, 8);
        write_rows(&mut out, &rows, &w, colour);
        out.push('\n');
    }

    for w in &report.warnings {
        let _ = writeln!(
            out,
            "{}: {}: {} ({})",
            paint(colour, "\x1b[33m", "warning"),
            safe(&w.path),
            safe(&w.message),
            safe(&w.cataloger)
        );
    }
    if !report.warnings.is_empty() {
        out.push('\n');
    }

    let s = &report.summary;
    let total = s.vulnerabilities.total();
    let mut line = format!("Total: {total}");
    if total > 0 {
        let _ = write!(line, " ({})", counts_text(&s.vulnerabilities));
    }
    let mut split = vec![
        format!("base image: {}", s.base.total()),
        format!("your layers: {}", s.own.total()),
    ];
    if s.unknown_origin.total() > 0 {
        split.push(format!("unknown origin: {}", s.unknown_origin.total()));
    }
    let _ = write!(
        line,
        " — {}; fixable: {}; suppressed: {}",
        split.join(", "),
        s.fixable,
        s.suppressed
    );
    let _ = writeln!(out, "{}", paint(colour, BOLD, &line));
    if s.licenses.total() > 0 {
        let _ = writeln!(
            out,
            "License findings: {} ({})",
            s.licenses.total(),
            counts_text(&s.licenses)
        );
    }
    // Which origins a reader might expect and not see explained.
    if report.target.base_image.is_none()
        && report
            .active_vulnerabilities()
            .any(|v| v.origin == Origin::Unknown)
        && !report.target.layers.is_empty()
    {
        let _ = writeln!(
            out,
            "Base image unknown: pass --base-image IMAGE to split base-image findings from your own."
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eol_date_comparison() {
        assert!(is_past("2022-09-10", "2024-06-01T12:00:00Z"));
        assert!(!is_past("2026-06-30", "2024-06-01T12:00:00Z"));
        assert!(!is_past("2022-09-10", ""));
    }

    #[test]
    fn narrow_width_cuts_titles() {
        let report = super::super::testdata::sample();
        let out = write(
            &report,
            &TableOptions {
                color: false,
                width: Some(130),
            },
        );
        let rows: Vec<&str> = out
            .lines()
            .filter(|l| l.contains("  CVE-") || l.contains("  TEMP-"))
            .collect();
        assert_eq!(rows.len(), 9);
        for line in rows {
            assert!(line.chars().count() <= 130, "{line}");
        }
        assert!(out.contains('…'));
    }

    #[test]
    fn control_characters_cannot_reach_the_terminal() {
        let mut report = super::super::testdata::sample();
        let evil = "x\x1b]0;owned\x07\x1b[2J\ry";
        report.vulnerabilities[0].title = Some(evil.into());
        report.vulnerabilities[0].package.name = evil.into();
        report.vulnerabilities[0].id = evil.into();
        report.target.name = evil.into();
        report.notices[0].message = evil.into();
        report.warnings[0].message = evil.into();
        report.licenses[0].license = evil.into();
        let out = write(&report, &TableOptions::default());
        assert!(!out.contains('\x1b') && !out.contains('\x07') && !out.contains('\r'));
        assert!(out.contains("x]0;owned[2Jy"));
    }

    #[test]
    fn empty_report() {
        let mut report = super::super::testdata::sample();
        report.vulnerabilities.clear();
        report.licenses.clear();
        report.notices.clear();
        report.summarize();
        let out = write(&report, &TableOptions::default());
        assert!(
            out.contains("No vulnerabilities found in 14 packages."),
            "{out}"
        );
        assert!(out.contains("Total: 0 — base image: 0, your layers: 0; fixable: 0; suppressed: 0"));
    }
}
