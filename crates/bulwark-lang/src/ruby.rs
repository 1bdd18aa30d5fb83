//! Ruby: installed `specifications/*.gemspec` and `Gemfile.lock` (bundler 1 and 2).
//!
//! Installed gemspecs are Ruby source; they are not evaluated. The assignments RubyGems
//! writes (`s.name = "x".freeze`, `s.version = "1.0"`, `Gem::Version.new("1.0")`,
//! `s.licenses = ["MIT".freeze]`) are matched line by line, which is what every scanner does
//! and needs no Ruby parser.

use std::collections::{HashMap, HashSet};

use bulwark_catalog::{PackageKind, Relationship};

use crate::util::{normalize_license, pkg, text, tidy};
use crate::{file_name, FileResult, ParseError};

const KIND: PackageKind = PackageKind::Gem;

/// Whether `path` is an installed gemspec (`…/specifications/x.gemspec`) or a `Gemfile.lock`.
pub(crate) fn is_ruby_file(path: &str) -> bool {
    let name = file_name(path);
    if name == "Gemfile.lock" {
        // Installed gems (`…/gems/<name>-<version>/Gemfile.lock`) ship their development
        // lockfile; it says nothing about what is installed.
        return !path.contains("/gems/");
    }
    name.ends_with(".gemspec") && path.contains("/specifications/")
}

/// Parse a gemspec or Gemfile.lock, chosen by file name.
pub(crate) fn parse_ruby_file(path: &str, data: &[u8]) -> Result<FileResult, ParseError> {
    if file_name(path) == "Gemfile.lock" {
        Ok(parse_gemfile_lock(data))
    } else {
        parse_gemspec(data)
    }
}

/// Every double- or single-quoted string literal in `s`, in order.
fn string_literals(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '"' && c != '\'' {
            continue;
        }
        let mut lit = String::new();
        let mut escaped = false;
        for d in chars.by_ref() {
            if escaped {
                lit.push(d);
                escaped = false;
            } else if d == '\\' {
                escaped = true;
            } else if d == c {
                break;
            } else {
                lit.push(d);
            }
        }
        out.push(lit);
    }
    out
}

/// The right-hand side of `<var>.<field> = …` if `line` assigns `field`.
fn assignment<'a>(line: &'a str, field: &str) -> Option<&'a str> {
    let line = line.trim();
    let (lhs, rhs) = line.split_once('=')?;
    let lhs = lhs.trim();
    let (_, f) = lhs.rsplit_once('.')?;
    (f == field).then_some(rhs)
}

fn parse_gemspec(data: &[u8]) -> Result<FileResult, ParseError> {
    let t = text(data);
    let mut name = None;
    let mut version = None;
    let mut licenses = Vec::new();
    for line in t.lines() {
        if name.is_none() {
            if let Some(rhs) = assignment(line, "name") {
                name = string_literals(rhs).into_iter().next();
            }
        }
        if version.is_none() {
            if let Some(rhs) = assignment(line, "version") {
                version = string_literals(rhs).into_iter().next();
            }
        }
        if let Some(rhs) = assignment(line, "licenses").or_else(|| assignment(line, "license")) {
            licenses.extend(string_literals(rhs).iter().map(|l| normalize_license(l)));
        }
    }
    let (Some(name), Some(version)) = (name, version) else {
        return Err(ParseError::Format(
            "gemspec without a literal name and version".into(),
        ));
    };
    let mut p = pkg(KIND, &name, &version);
    p.licenses = licenses;
    Ok(FileResult {
        packages: vec![p],
        warnings: Vec::new(),
    })
}

/// Gem version without a platform suffix (`1.13.6-x86_64-linux` → `1.13.6`): RubyGems
/// versions never contain `-`.
fn gem_version(v: &str) -> &str {
    v.split('-').next().unwrap_or(v)
}

/// `name (version)` or `name (constraint)` → (name, inside of the parentheses).
fn name_paren(s: &str) -> (&str, Option<&str>) {
    match s.split_once(" (") {
        Some((n, rest)) => (n.trim(), Some(rest.trim_end_matches(')').trim())),
        None => (s.trim().trim_end_matches('!'), None),
    }
}

/// `Gemfile.lock`: gems from every `specs:` list (GEM, GIT; PATH gems are the project's own
/// and reported as root), dependencies from the indented lines under each spec, direct ones
/// from `DEPENDENCIES`.
fn parse_gemfile_lock(data: &[u8]) -> FileResult {
    let t = text(data);
    let mut section = "";
    let mut in_specs = false;
    // (name, version, section, deps)
    let mut gems: Vec<(String, String, String, Vec<String>)> = Vec::new();
    let mut direct = HashSet::new();
    for line in t.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            section = line.trim();
            in_specs = false;
            continue;
        }
        match section {
            "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE" => {
                if indent == 2 {
                    in_specs = line.trim() == "specs:";
                } else if in_specs && indent == 4 {
                    let (n, v) = name_paren(line.trim());
                    if let Some(v) = v {
                        gems.push((
                            n.to_string(),
                            gem_version(v).to_string(),
                            section.to_string(),
                            Vec::new(),
                        ));
                    }
                } else if in_specs && indent == 6 {
                    if let Some(g) = gems.last_mut() {
                        g.3.push(name_paren(line.trim()).0.to_string());
                    }
                }
            }
            "DEPENDENCIES" if indent == 2 => {
                direct.insert(name_paren(line.trim()).0.to_string());
            }
            _ => {}
        }
    }
    let versions: HashMap<String, String> = gems
        .iter()
        .map(|(n, v, _, _)| (n.clone(), v.clone()))
        .collect();
    let mut r = FileResult::default();
    for (name, version, section, deps) in gems {
        let mut p = pkg(KIND, &name, &version);
        p.relationship = Some(if section == "PATH" {
            Relationship::Root
        } else if direct.contains(&name) {
            Relationship::Direct
        } else {
            Relationship::Indirect
        });
        p.depends_on = tidy(
            deps.iter()
                .filter_map(|d| versions.get(d).map(|v| format!("{d}@{v}")))
                .collect(),
        );
        r.packages.push(p);
    }
    r
}
