//! Go: `go.mod` require and replace directives, and the `go`/`toolchain` directive as the
//! `stdlib` package.
//!
//! `go.mod` is parsed by hand: its grammar is a few line-oriented directives and the only Rust
//! parsers for it are unmaintained single-purpose crates.

use std::collections::{HashMap, HashSet};

use bulwark_catalog::{
    CatalogContext, Cataloger, EntryMeta, Hit, PackageKind, Parsed, Relationship, Stage,
};

use crate::util::{pkg, text, tidy};
use crate::{file_name, FileResult, ParseError, MANIFEST_LIMIT};

const KIND: PackageKind = PackageKind::Go;

/// Whether `path` is a `go.mod` (outside the module cache and vendor trees, whose `go.mod`
/// files describe dependencies, not the project).
pub(crate) fn is_go_mod(path: &str) -> bool {
    file_name(path) == "go.mod" && !path.contains("/pkg/mod/") && !path.contains("/vendor/")
}

/// Strip a `//` comment, returning the code and whether the comment is `// indirect`.
fn split_comment(line: &str) -> (&str, bool) {
    match line.find("//") {
        Some(i) => {
            let comment = line.get(i + 2..).unwrap_or("").trim();
            let indirect = comment == "indirect" || comment.starts_with("indirect;");
            (line.get(..i).unwrap_or(""), indirect)
        }
        None => (line, false),
    }
}

/// Remove quotes around a module path.
fn unq(s: &str) -> &str {
    s.trim_matches(|c| c == '"' || c == '`')
}

struct Require {
    path: String,
    version: String,
    indirect: bool,
}

struct Replace {
    old: String,
    old_version: Option<String>,
    new: String,
    new_version: Option<String>,
}

/// `go.mod`: the module is the root, requires are direct unless `// indirect`; replace
/// directives re-point modules (local-path replacements drop the module: it is project
/// source, not a versioned dependency); `toolchain goX` (else `go X`) gives `stdlib@vX`.
/// Also returns the `go` directive's version.
fn parse_go_mod(data: &[u8]) -> Result<(FileResult, Option<String>), ParseError> {
    let t = text(data);
    let mut module = None;
    let mut go = None;
    let mut toolchain = None;
    let mut requires = Vec::new();
    let mut replaces = Vec::new();
    let mut excludes: HashSet<(String, String)> = HashSet::new();
    let mut block: Option<String> = None;
    let mut r = FileResult::default();
    for (number, raw) in t.lines().enumerate() {
        let (code, indirect) = split_comment(raw);
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let (verb, rest) = match &block {
            Some(b) => {
                if code == ")" {
                    block = None;
                    continue;
                }
                (b.clone(), code.to_string())
            }
            None => {
                let (v, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(v.to_string());
                    continue;
                }
                (v.to_string(), rest.to_string())
            }
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        match (verb.as_str(), f.as_slice()) {
            ("module", [m, ..]) => module = Some(unq(m).to_string()),
            ("go", [v, ..]) => go = Some(v.to_string()),
            ("toolchain", [v, ..]) => toolchain = Some(v.to_string()),
            ("require", [p, v, ..]) => requires.push(Require {
                path: unq(p).to_string(),
                version: v.to_string(),
                indirect,
            }),
            ("replace", parts) => {
                let Some(arrow) = parts.iter().position(|x| *x == "=>") else {
                    r.warnings.push(format!("replace without =>: {rest:?}"));
                    continue;
                };
                let (lhs, rhs) = parts.split_at(arrow);
                let rhs = rhs.get(1..).unwrap_or_default();
                match (lhs, rhs) {
                    ([old, ov @ ..], [new, nv @ ..]) => replaces.push(Replace {
                        old: unq(old).to_string(),
                        old_version: ov.first().map(|s| s.to_string()),
                        new: unq(new).to_string(),
                        new_version: nv.first().map(|s| s.to_string()),
                    }),
                    _ => r.warnings.push(format!("malformed replace: {rest:?}")),
                }
            }
            ("exclude", [p, v, ..]) => {
                excludes.insert((unq(p).to_string(), v.to_string()));
            }
            ("require", _) | ("module", _) | ("exclude", _) => {
                r.warnings
                    .push(format!("malformed {verb} directive: {rest:?}"));
            }
            // Directives that name no dependency.
            ("retract" | "godebug" | "tool" | "ignore", _) => {}
            _ => r.warnings.push(format!(
                "line {}: unknown directive {verb:?}; skipped (the rest of the file is still read)",
                number + 1
            )),
        }
    }
    let mut direct = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for req in requires {
        // Go >= 1.16: a requirement on an excluded version is dropped, not upgraded.
        if excludes.contains(&(req.path.clone(), req.version.clone())) {
            continue;
        }
        let rep = replaces.iter().find(|x| {
            x.old == req.path && x.old_version.as_deref().is_none_or(|v| v == req.version)
        });
        let (path, version) = match rep {
            Some(x) if x.new.starts_with('.') || x.new.starts_with('/') => continue,
            Some(x) => (
                x.new.clone(),
                x.new_version.clone().unwrap_or(req.version.clone()),
            ),
            None => (req.path, req.version),
        };
        let mut p = pkg(KIND, &path, &version);
        p.relationship = Some(if req.indirect {
            Relationship::Indirect
        } else {
            Relationship::Direct
        });
        if !req.indirect {
            direct.push(p.id());
        }
        if let Some(&i) = seen.get(&p.id()) {
            // A module required twice keeps the strongest relationship.
            if let Some(old) = r.packages.get_mut(i) {
                if !req.indirect {
                    old.relationship = Some(Relationship::Direct);
                }
            }
            continue;
        }
        seen.insert(p.id(), r.packages.len());
        r.packages.push(p);
    }
    let std_version = toolchain
        .as_deref()
        .and_then(|t| t.strip_prefix("go"))
        .map(str::to_string)
        .or(go.clone());
    if let Some(v) = std_version {
        let mut p = pkg(KIND, "stdlib", &format!("v{v}"));
        p.relationship = Some(Relationship::Direct);
        direct.push(p.id());
        r.packages.push(p);
    }
    if let Some(m) = module {
        let mut root = pkg(KIND, &m, "");
        root.relationship = Some(Relationship::Root);
        root.depends_on = tidy(direct);
        r.packages.insert(0, root);
    }
    Ok((r, go))
}

/// Whether a `go` directive version is before 1.17, when `go.mod` stopped listing every module
/// of the build (module graph pruning) and `go.sum` is needed for the indirect ones.
fn before_go_1_17(go: &str) -> bool {
    let mut it = go.split('.').map(|x| x.parse::<u32>().ok());
    match (it.next().flatten(), it.next().flatten()) {
        (Some(major), Some(minor)) => major < 1 || (major == 1 && minor < 17),
        _ => false,
    }
}

/// `go.sum`: module -> the last (highest: `go mod tidy` sorts by semver) version listed.
fn parse_go_sum(data: &[u8]) -> Vec<(String, String)> {
    let t = text(data);
    let mut out: Vec<(String, String)> = Vec::new();
    for line in t.lines() {
        let mut f = line.split_whitespace();
        let (Some(m), Some(v)) = (f.next(), f.next()) else {
            continue;
        };
        let v = v.strip_suffix("/go.mod").unwrap_or(v);
        match out.last_mut() {
            Some(last) if last.0 == m => last.1 = v.to_string(),
            _ => out.push((m.to_string(), v.to_string())),
        }
    }
    out
}

/// Catalogs `go.mod`, adding the modules of the neighbouring `go.sum` as indirect when the
/// module declares a Go version before 1.17 (such `go.mod` files omit indirect modules).
pub struct GoModCataloger;

enum GoFile {
    Mod(Result<(FileResult, Option<String>), ParseError>),
    Sum(Vec<(String, String)>),
}

impl Cataloger for GoModCataloger {
    fn name(&self) -> &'static str {
        "go-mod"
    }

    fn stage(&self) -> Stage {
        Stage::Language
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        is_go_mod(entry.path)
            || (file_name(entry.path) == "go.sum"
                && !entry.path.contains("/pkg/mod/")
                && !entry.path.contains("/vendor/"))
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        let size = entry.size.max(data.len() as u64);
        if size > MANIFEST_LIMIT {
            return Box::new(GoFile::Mod(Err(ParseError::TooLarge {
                size,
                limit: MANIFEST_LIMIT,
            })));
        }
        if file_name(entry.path) == "go.sum" {
            Box::new(GoFile::Sum(parse_go_sum(data)))
        } else {
            Box::new(GoFile::Mod(parse_go_mod(data)))
        }
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<Hit>) {
        let mut sums: HashMap<String, Vec<(String, String)>> = HashMap::new();
        let mut mods = Vec::new();
        for hit in hits {
            if !hit.visible || ctx.is_os_owned(&hit.path) {
                continue;
            }
            let dir = hit.path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
            let Ok(f) = hit.parsed.downcast::<GoFile>() else {
                continue;
            };
            match *f {
                GoFile::Sum(s) => {
                    sums.insert(dir, s);
                }
                GoFile::Mod(m) => mods.push((hit.path, hit.layer, dir, m)),
            }
        }
        for (path, layer, dir, m) in mods {
            let (mut r, go) = match m {
                Ok(x) => x,
                Err(e) => {
                    ctx.warn(self.name(), &path, e.to_string());
                    continue;
                }
            };
            if go.as_deref().is_some_and(before_go_1_17) {
                if let Some(sum) = sums.get(&dir) {
                    let known: HashSet<String> =
                        r.packages.iter().map(|p| p.name.clone()).collect();
                    for (module, version) in sum {
                        if !known.contains(module) {
                            let mut p = pkg(KIND, module, version);
                            p.relationship = Some(Relationship::Indirect);
                            r.packages.push(p);
                        }
                    }
                }
            }
            for w in r.warnings {
                ctx.warn(self.name(), &path, w);
            }
            for mut p in r.packages {
                p.found_in = path.clone();
                p.layer = Some(layer);
                ctx.packages.push(p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces() {
        let data = b"module x\n\ngo 1.21\n\nrequire (\n\ta v1.0.0\n\tb v1.0.0 // indirect\n\tc v1.0.0\n)\nreplace a => a2 v2.0.0\nreplace c v1.0.0 => ../c\n";
        let (r, go) = parse_go_mod(data).unwrap_or_default();
        assert_eq!(go.as_deref(), Some("1.21"));
        let ids: Vec<_> = r.packages.iter().map(|p| p.id()).collect();
        assert_eq!(ids, ["x@", "a2@v2.0.0", "b@v1.0.0", "stdlib@v1.21"]);
        assert_eq!(r.packages[0].depends_on, ["a2@v2.0.0", "stdlib@v1.21"]);
    }

    #[test]
    fn excludes_and_unknown_directives() {
        let data = b"module x\n\ngo 1.22\n\nfrobnicate y v1\nfrob (\n\tz v1\n)\nrequire (\n\ta v1.0.0\n\tb v1.2.0\n)\nexclude b v1.2.0\nexclude (\n\ta v0.9.0\n)\nretract v0.1.0\ngodebug default=go1.21\ntool golang.org/x/tools/cmd/stringer\n";
        let (r, _) = parse_go_mod(data).unwrap_or_default();
        let ids: Vec<_> = r.packages.iter().map(|p| p.id()).collect();
        assert_eq!(ids, ["x@", "a@v1.0.0", "stdlib@v1.22"]);
        assert_eq!(
            r.warnings,
            [
                "line 5: unknown directive \"frobnicate\"; skipped (the rest of the file is still read)",
                "line 7: unknown directive \"frob\"; skipped (the rest of the file is still read)"
            ]
        );
    }
}
