//! Golden outputs of every scan writer on one realistic report, and the outputs read back by
//! reference tools: SARIF validated against the official SARIF 2.1.0 JSON schema with Python
//! `jsonschema`, JUnit XML parsed with Python `junitparser`, the HTML parsed with Python's
//! `html.parser` (balanced elements, no external resources).
//!
//! The validator tests need `python3` with the PyPI packages `jsonschema` and `junitparser`
//! (installed by `scripts/install-test-deps.sh`). Without them they print why and pass, unless
//! `BULWARK_REQUIRE_TOOLS` is set (CI), where a missing tool fails the test.

use std::io::Write;
use std::process::{Command, Stdio};

use bulwark_report::scan::table::TableOptions;
use bulwark_report::scan::{html, json, junit, sarif, table};

mod testdata {
    use bulwark_catalog::{Distro, LayerInfo, Package, PackageKind, SourcePackage, Warning};
    use bulwark_report::scan::*;
    use bulwark_report::{Severity, Suppression, Tool};
    include!("../../src/scan/testdata.rs");
}

use testdata::sample;

#[test]
fn table_golden_plain() {
    let out = table::write(
        &sample(),
        &TableOptions {
            color: false,
            width: None,
        },
    );
    assert!(!out.contains('\x1b'));
    // Suppressed urllib3 finding is counted, not listed.
    assert!(!out.contains("CVE-2021-33503"));
    assert!(out.contains(
        "Total: 9 (CRITICAL: 2, HIGH: 2, MEDIUM: 3, LOW: 1, UNKNOWN: 1) — base image: 4, your layers: 5; fixable: 6; suppressed: 1"
    ), "{out}");
    insta::assert_snapshot!("scan_table_plain", out);
}

#[test]
fn table_golden_colour() {
    let out = table::write(
        &sample(),
        &TableOptions {
            color: true,
            width: Some(160),
        },
    );
    assert!(out.contains("\x1b[1;31mCRITICAL\x1b[0m"));
    assert!(out.contains("\x1b[31mHIGH\x1b[0m"));
    assert!(out.contains("\x1b[33mMEDIUM\x1b[0m"));
    assert!(out.contains("\x1b[34mLOW\x1b[0m"));
    assert!(out.contains("\x1b[2mUNKNOWN\x1b[0m"));
    assert!(out.contains("\x1b[1;35mCVE-2021-3156 KEV\x1b[0m"));
    insta::assert_snapshot!("scan_table_colour", out);
}

#[test]
fn json_golden() {
    insta::assert_snapshot!("scan_json", json::write(&sample()));
}

#[test]
fn sarif_golden() {
    insta::assert_snapshot!("scan_sarif", sarif::write(&sample()));
}

#[test]
fn junit_golden() {
    insta::assert_snapshot!("scan_junit", junit::write(&sample()));
}

#[test]
fn html_golden() {
    insta::assert_snapshot!("scan_html", html::write(&sample()));
}

/// Runs a Python script with `stdin` after importing `modules`; `None` (after printing why)
/// when python3 or a module is missing and tools are not required.
fn python(script: &str, stdin: &str, modules: &[&str]) -> Option<String> {
    let required = std::env::var_os("BULWARK_REQUIRE_TOOLS").is_some_and(|v| !v.is_empty());
    // One interpreter start per check: the import probe is part of the script.
    let full = format!(
        "import sys\ntry:\n    import {}\nexcept ImportError as e:\n    print('MISSING', e)\n    sys.exit(0)\n{script}",
        modules.join(", ")
    );
    let skip = |why: String| {
        assert!(!required, "BULWARK_REQUIRE_TOOLS is set: {why}");
        eprintln!("SKIPPED: {why} (scripts/install-test-deps.sh installs it)");
        None
    };
    let mut child = match Command::new("python3")
        .arg("-c")
        .arg(&full)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return skip(format!("python3 cannot run: {e}")),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    if let Some(why) = text.strip_prefix("MISSING ") {
        return skip(format!("python3 module missing: {}", why.trim()));
    }
    Some(text)
}

/// Validates each log of a JSON array of SARIF logs; one summary line per log.
const SARIF_CHECK: &str = r#"
import json
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft4Validator(schema)
for log in json.load(sys.stdin):
    errors = sorted(v.iter_errors(log), key=lambda e: list(e.path))
    for e in errors[:10]:
        print("ERROR", list(e.path), e.message)
    print("results", len(log["runs"][0]["results"]), "errors", len(errors))
"#;

#[test]
fn sarif_validates_against_official_schema() {
    let log = sarif::write(&sample());
    // A log the schema rejects is reported, so the validator is really running.
    let broken = log.replacen("\"level\": \"error\"", "\"level\": \"fatal\"", 1);
    // An empty scan is valid too.
    let mut empty = sample();
    empty.vulnerabilities.clear();
    empty.licenses.clear();
    empty.notices.clear();
    empty.warnings.clear();
    empty.summarize();
    let logs = format!("[{log},{broken},{}]", sarif::write(&empty));
    let schema = std::fs::canonicalize("tests/fixtures/sarif-schema-2.1.0.json").unwrap();
    let script = format!(
        "sys.argv = ['x', {:?}]\n{SARIF_CHECK}",
        schema.display().to_string()
    );
    let Some(out) = python(&script, &logs, &["jsonschema"]) else {
        return;
    };
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[0], "results 11 errors 0", "{out}");
    assert!(
        lines[1].starts_with("ERROR ['runs', 0, 'results', 0, 'level']"),
        "{out}"
    );
    assert_eq!(lines[2], "results 11 errors 1", "{out}");
    assert_eq!(lines[3], "results 0 errors 0", "{out}");
}

#[test]
fn junit_reads_back_with_junitparser() {
    let xml = junit::write(&sample());
    let script = r#"
from junitparser import JUnitXml
xml = JUnitXml.fromstring(sys.stdin.read())
for s in xml:
    print(f"{s.name}|{s.tests}|{s.failures}|{s.skipped}")
    for c in s:
        kinds = [type(r).__name__ for r in c.result]
        print(f"  {c.classname}|{c.name}|{','.join(kinds)}|" + ";".join((r.message or "") for r in c.result))
"#;
    let Some(out) = python(script, &xml, &["junitparser"]) else {
        return;
    };
    let expected = "\
/var/lib/dpkg/status (package database)|6|6|0
  /var/lib/dpkg/status|curl@7.64.0-4+deb10u2|Failure|1 vulnerability: CVE-2023-28321 (MEDIUM)
  /var/lib/dpkg/status|libc6@2.28-10+deb10u2|Failure|1 vulnerability: CVE-2019-1010022 (LOW)
  /var/lib/dpkg/status|libssl1.1@1.1.1n-0+deb10u3|Failure|1 vulnerability: CVE-2023-0286 (HIGH)
  /var/lib/dpkg/status|sudo@1.8.27-1+deb10u2|Failure|1 vulnerability: CVE-2021-3156 (HIGH)
  /var/lib/dpkg/status|tar@1.30+dfsg-6|Failure|1 vulnerability: TEMP-0290435-0B57B5 (UNKNOWN)
  /var/lib/dpkg/status|zlib1g@1:1.2.11.dfsg-1+deb10u1|Failure|1 vulnerability: CVE-2022-37434 (CRITICAL)
/usr/local/lib/python3.7/site-packages (installed packages)|2|1|1
  /usr/local/lib/python3.7/site-packages|requests@2.25.1|Failure|1 vulnerability: CVE-2023-32681 (MEDIUM)
  /usr/local/lib/python3.7/site-packages|urllib3@1.26.4|Skipped|suppressed: CVE-2021-33503: not_affected: vulnerable_code_not_in_execute_path (vex/api.openvex.json)
/app/Cargo.lock (lockfile)|1|1|0
  /app/Cargo.lock|time@0.1.43|Failure|1 vulnerability: CVE-2020-26235 (MEDIUM)
/usr/local/bin/app (binary)|1|1|0
  /usr/local/bin/app|smallvec@1.6.0|Failure|1 vulnerability: CVE-2021-25900 (CRITICAL)
license policy|1|1|0
  license policy|gnureadline@8.0.0 GPL-3.0-only|Failure|license GPL-3.0-only not allowed (deny: GPL-3.0-only)
scan notices|3|0|0
  scan notices|eol-release||
  scan notices|expired-exception||
  scan notices|no-advisories-for-ecosystem||
";
    assert_eq!(out, expected);

    // A clean file gets one passing testcase.
    let mut clean = sample();
    clean.vulnerabilities.retain(|v| v.package.kind.is_os());
    clean.licenses.clear();
    clean.notices.clear();
    clean.summarize();
    let out = python(script, &junit::write(&clean), &["junitparser"]).unwrap();
    assert!(out.contains(
        "/usr/local/lib/python3.7/site-packages (installed packages)|1|0|0\n  /usr/local/lib/python3.7/site-packages|4 packages, no known vulnerabilities||\n"
    ), "{out}");
}

#[test]
fn html_parses_balanced_and_self_contained() {
    let page = html::write(&sample());
    // Python's html.parser: every element we open is closed in order (void elements aside),
    // and no element loads anything from outside.
    let script = r#"
from html.parser import HTMLParser
VOID = {"meta", "br", "input", "img", "link", "hr", "wbr"}
# Elements whose end tags HTML lets a page omit; we always write them, so they must match too.
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.external, self.count = [], [], [], {}
    def handle_starttag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        for k, v in attrs:
            if k in ("src", "srcset", "poster", "data") or (tag == "link" and k == "href"):
                self.external.append((tag, k, v))
        if tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
            return
        self.stack.pop()
p = P()
p.feed(sys.stdin.read())
p.close()
print("errors", p.errors[:5], "open", p.stack, "external", p.external)
print("tr", p.count.get("tr"), "details", p.count.get("details"), "a", p.count.get("a"), "script", p.count.get("script"))
"#;
    let Some(out) = python(script, &page, &["html"]) else {
        return;
    };
    assert_eq!(
        out,
        "errors [] open [] external []\ntr 46 details 13 a 13 script 1\n"
    );
}
