//! Normalising what packages declare (`Apache 2.0`, `GPLv2+`, `MIT/Apache-2.0`, PyPI
//! classifiers, rpm `License:` tags, Maven POM names and URLs) into SPDX expressions.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::ids::{exception_id, license_id, license_ids_listed};
use crate::idstring;

/// [`key`], so case, punctuation, word order, `License`/`Version`/`the`/`Software` and `v`
/// prefixes do not matter.
const ALIASES: &[(&str, &str)] = &[
    ("MIT License", "MIT"),
    ("Expat", "MIT"),
    ("MIT/X11", "MIT"),
    ("MIT-style", "MIT"),
    ("Bouncy Castle Licence", "MIT"),
    ("Apache", "Apache-2.0"),
    ("Apache 2", "Apache-2.0"),
    ("ASL 2.0", "Apache-2.0"),
    ("ASF 2.0", "Apache-2.0"),
    ("Apache Software License", "Apache-2.0"),
    ("Apache License Version 2.0, January 2004", "Apache-2.0"),
    ("Apache 1.1", "Apache-1.1"),
    ("BSD", "BSD-3-Clause"),
    ("New BSD", "BSD-3-Clause"),
    ("Modified BSD", "BSD-3-Clause"),
    ("Revised BSD", "BSD-3-Clause"),
    ("3-clause BSD", "BSD-3-Clause"),
    ("BSD 3", "BSD-3-Clause"),
    ("BSD-3", "BSD-3-Clause"),
    ("BSD New", "BSD-3-Clause"),
    ("Go License", "BSD-3-Clause"),
    ("Eclipse Distribution License 1.0", "BSD-3-Clause"),
    ("EDL 1.0", "BSD-3-Clause"),
    ("Simplified BSD", "BSD-2-Clause"),
    ("FreeBSD", "BSD-2-Clause"),
    ("2-clause BSD", "BSD-2-Clause"),
    ("2-clause BSDL", "BSD-2-Clause"),
    ("BSD-2", "BSD-2-Clause"),
    ("BSD 4-clause", "BSD-4-Clause"),
    ("Original BSD", "BSD-4-Clause"),
    ("ISCL", "ISC"),
    ("Mozilla Public License 1.1", "MPL-1.1"),
    ("Mozilla Public License 2.0", "MPL-2.0"),
    ("MPL2", "MPL-2.0"),
    ("Eclipse Public License 1.0", "EPL-1.0"),
    ("Eclipse Public License 2.0", "EPL-2.0"),
    ("Eclipse", "EPL-1.0"),
    ("Common Public License 1.0", "CPL-1.0"),
    ("CDDL", "CDDL-1.0"),
    ("Common Development and Distribution License", "CDDL-1.0"),
    (
        "Common Development and Distribution License 1.0",
        "CDDL-1.0",
    ),
    (
        "Common Development and Distribution License 1.1",
        "CDDL-1.1",
    ),
    (
        "CDDL + GPLv2 with classpath exception",
        "CDDL-1.0 OR GPL-2.0-only WITH Classpath-exception-2.0",
    ),
    (
        "CDDL+GPL License",
        "CDDL-1.0 OR GPL-2.0-only WITH Classpath-exception-2.0",
    ),
    (
        "CDDL/GPLv2+CE",
        "CDDL-1.0 OR GPL-2.0-only WITH Classpath-exception-2.0",
    ),
    ("GPL2 w/ CPE", "GPL-2.0-only WITH Classpath-exception-2.0"),
    ("GPLv2+CE", "GPL-2.0-only WITH Classpath-exception-2.0"),
    ("Python Software Foundation License", "PSF-2.0"),
    ("PSF", "PSF-2.0"),
    ("PSFL", "PSF-2.0"),
    ("PSF-2", "PSF-2.0"),
    ("Python", "Python-2.0"),
    ("Python License 2.0", "Python-2.0"),
    ("Perl", "Artistic-1.0-Perl OR GPL-1.0-or-later"),
    ("Same as Perl", "Artistic-1.0-Perl OR GPL-1.0-or-later"),
    ("Artistic", "Artistic-1.0-Perl"),
    ("Artistic 2", "Artistic-2.0"),
    ("Artistic License 2.0", "Artistic-2.0"),
    ("Ruby", "Ruby"),
    ("Ruby's", "Ruby"),
    ("Zope", "ZPL-2.1"),
    ("ZPL", "ZPL-2.1"),
    ("Zope Public License 2.1", "ZPL-2.1"),
    ("zlib/libpng", "Zlib"),
    ("zlib/libpng License", "Zlib"),
    ("zlib License", "Zlib"),
    ("libpng", "Libpng"),
    ("Boost", "BSL-1.0"),
    ("Boost Software License 1.0", "BSL-1.0"),
    ("Boost 1.0", "BSL-1.0"),
    ("CC0", "CC0-1.0"),
    ("CC0 1.0 Universal", "CC0-1.0"),
    ("Creative Commons Zero", "CC0-1.0"),
    ("Public Domain, per Creative Commons CC0", "CC0-1.0"),
    ("CC-BY-SA", "CC-BY-SA-4.0"),
    ("CC-BY", "CC-BY-4.0"),
    (
        "Creative Commons Attribution 4.0 International",
        "CC-BY-4.0",
    ),
    (
        "Creative Commons Attribution-ShareAlike 4.0 International",
        "CC-BY-SA-4.0",
    ),
    ("Unlicense", "Unlicense"),
    ("The Unlicense", "Unlicense"),
    ("WTFPL", "WTFPL"),
    ("Do What The F*ck You Want To Public License", "WTFPL"),
    ("Universal Permissive License 1.0", "UPL-1.0"),
    ("UPL", "UPL-1.0"),
    ("European Union Public Licence 1.1", "EUPL-1.1"),
    ("European Union Public Licence 1.2", "EUPL-1.2"),
    ("Historical Permission Notice and Disclaimer", "HPND"),
    ("ICU License", "ICU"),
    ("Unicode/ICU License", "Unicode-3.0"),
    ("JSON License", "JSON"),
    ("Server Side Public License", "SSPL-1.0"),
    ("Business Source License 1.1", "BUSL-1.1"),
    ("Elastic License 2.0", "Elastic-2.0"),
    ("Academic Free License", "AFL-3.0"),
    ("Academic Free License 3.0", "AFL-3.0"),
    ("Open Software License 3.0", "OSL-3.0"),
    ("SIL Open Font License 1.1", "OFL-1.1"),
    ("OFL", "OFL-1.1"),
    ("PostgreSQL License", "PostgreSQL"),
    ("University of Illinois/NCSA Open Source License", "NCSA"),
    ("Microsoft Public License", "MS-PL"),
    ("W3C Software Notice and License", "W3C"),
    ("Vim License", "Vim"),
    ("OpenSSL License", "OpenSSL"),
    ("SSLeay", "SSLeay-standalone"),
    ("curl License", "curl"),
    ("TCL/TK", "TCL"),
    ("Sleepycat License", "Sleepycat"),
    ("Public Domain", "LicenseRef-Public-Domain"),
    ("SUSE-Public-Domain", "LicenseRef-Public-Domain"),
    ("OpenLDAP", "OLDAP-2.8"),
    ("public-domain", "LicenseRef-Public-Domain"),
    ("PD", "LicenseRef-Public-Domain"),
    ("Proprietary", "LicenseRef-Proprietary"),
    ("Other/Proprietary License", "LicenseRef-Proprietary"),
    ("Commercial", "LicenseRef-Proprietary"),
    ("UNLICENSED", "LicenseRef-Proprietary"),
];

/// Words that carry no meaning in a license name (`the`, `license`, `version`...).
const STOPWORDS: &[&str] = &[
    "the", "license", "licenses", "licensed", "version", "ver", "v", "software", "vers",
];

/// A lookup key for a license name: lower case, `licence` = `license`, punctuation dropped,
/// letter-digit runs split (`GPLv2` = `GPL 2`), `x.0` = `x`, `or later` = `+`, stopwords
/// dropped, words sorted.
fn key(text: &str) -> String {
    let lower = text.to_lowercase().replace("licence", "license");
    let mut spaced = String::with_capacity(lower.len() + 8);
    let chars: Vec<char> = lower.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i > 0 {
            chars.get(i - 1).copied()
        } else {
            None
        };
        if c.is_ascii_digit() && prev.is_some_and(|p| p.is_alphabetic()) {
            // `gplv2` -> `gpl 2`: the `v` before a version number is dropped with the split.
            if prev == Some('v') {
                spaced.pop();
            }
            spaced.push(' ');
        }
        if c.is_alphanumeric() || c == '.' {
            spaced.push(c);
        } else if c == '+' {
            spaced.push_str(" + ");
        } else {
            spaced.push(' ');
        }
    }
    let raw: Vec<String> = spaced
        .split_whitespace()
        .map(|t| t.trim_matches('.').to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let mut toks: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(t) = raw.get(i) {
        if t == "or" {
            let mut j = i + 1;
            if raw.get(j).is_some_and(|n| n == "any") {
                j += 1;
            }
            if raw
                .get(j)
                .is_some_and(|n| matches!(n.as_str(), "later" | "newer" | "greater"))
            {
                toks.push("+".to_string());
                i = j + 1;
                continue;
            }
        }
        let t = match t.strip_suffix(".0") {
            Some(base) if !base.is_empty() && base.chars().all(|c| c.is_ascii_digit()) => {
                base.to_string()
            }
            _ => t.clone(),
        };
        if !STOPWORDS.contains(&t.as_str()) {
            toks.push(t);
        }
        i += 1;
    }
    toks.sort();
    toks.dedup();
    toks.join(" ")
}

fn alias_table() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = HashMap::new();
        // SPDX ids by key first, so `Apache License 2.0` finds `Apache-2.0`; the GNU family is
        // left to `gnu_family`, which knows `-only` from `-or-later`.
        for id in license_ids_listed() {
            if !id.contains("GPL") && !id.starts_with("GFDL") {
                m.insert(key(id), id.to_string());
            }
        }
        for (alias, id) in ALIASES {
            m.insert(key(alias), id.to_string());
        }
        m
    })
}

/// The GNU licenses (GPL, LGPL, AGPL, GFDL) from a key: family, version and `+`/`only`, with
/// nothing else in the name.
fn gnu_family(k: &str) -> Option<String> {
    let toks: Vec<&str> = k.split(' ').filter(|t| !t.is_empty()).collect();
    let has = |w: &str| toks.contains(&w);
    let family = if has("agpl") || has("affero") {
        "AGPL"
    } else if has("lgpl") || has("lesser") || has("library") {
        "LGPL"
    } else if has("gfdl") || has("fdl") || has("documentation") {
        "GFDL"
    } else if has("gpl") || (has("general") && has("public")) {
        "GPL"
    } else {
        return None;
    };
    let mut version: Option<&str> = None;
    let mut later = false;
    for t in &toks {
        match *t {
            "gnu" | "general" | "public" | "lesser" | "library" | "affero" | "gpl" | "lgpl"
            | "agpl" | "gfdl" | "fdl" | "free" | "documentation" | "only" | "or" | "any" => {}
            "+" | "later" | "newer" | "plus" => later = true,
            v if v.chars().all(|c| c.is_ascii_digit() || c == '.') => {
                if version.is_some_and(|old| old != v) {
                    return None;
                }
                version = Some(v);
            }
            _ => return None,
        }
    }
    // An unversioned name means "any version" (the GPL's own wording).
    let (v, later) = match version {
        Some(v) => (v, later),
        None => match family {
            "GPL" => ("1", true),
            "LGPL" => ("2", true),
            "AGPL" => ("3", true),
            _ => ("1.1", true),
        },
    };
    let v = match (family, v) {
        ("GPL", "1" | "2" | "3") | ("LGPL", "2" | "3") | ("AGPL", "1" | "3") => format!("{v}.0"),
        ("LGPL", "2.1") => v.to_string(),
        ("GFDL", "1.1" | "1.2" | "1.3") => v.to_string(),
        ("GFDL", "1") => "1.1".to_string(),
        _ => return None,
    };
    Some(format!(
        "{family}-{v}-{}",
        if later { "or-later" } else { "only" }
    ))
}

/// License URLs (Maven POMs often give only the URL) to ids.
fn from_url(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_lowercase();
    if !t.contains("://") {
        return None;
    }
    let path = t
        .split_once("://")
        .map(|(_, p)| p)
        .unwrap_or(&t)
        .trim_start_matches("www.")
        .trim_end_matches('/')
        .trim_end_matches(".html")
        .trim_end_matches(".txt")
        .trim_end_matches(".php");
    let known: &[(&str, &str)] = &[
        ("apache.org/licenses/license-2.0", "Apache-2.0"),
        ("opensource.org/licenses/mit", "MIT"),
        ("opensource.org/licenses/mit-license", "MIT"),
        ("opensource.org/licenses/bsd-license", "BSD-2-Clause"),
        ("opensource.org/licenses/bsd-3-clause", "BSD-3-Clause"),
        ("opensource.org/licenses/bsd-2-clause", "BSD-2-Clause"),
        ("gnu.org/licenses/gpl-2.0", "GPL-2.0-only"),
        ("gnu.org/licenses/old-licenses/gpl-2.0", "GPL-2.0-only"),
        ("gnu.org/licenses/gpl-3.0", "GPL-3.0-only"),
        ("gnu.org/licenses/lgpl-2.1", "LGPL-2.1-only"),
        ("gnu.org/licenses/old-licenses/lgpl-2.1", "LGPL-2.1-only"),
        ("gnu.org/licenses/lgpl-3.0", "LGPL-3.0-only"),
        ("gnu.org/licenses/agpl-3.0", "AGPL-3.0-only"),
        ("eclipse.org/legal/epl-v10", "EPL-1.0"),
        ("eclipse.org/legal/epl-2.0", "EPL-2.0"),
        ("eclipse.org/legal/epl-v20", "EPL-2.0"),
        ("eclipse.org/org/documents/edl-v10", "BSD-3-Clause"),
        ("mozilla.org/mpl/2.0", "MPL-2.0"),
        ("creativecommons.org/publicdomain/zero/1.0", "CC0-1.0"),
        ("opensource.org/licenses/isc", "ISC"),
        ("json.org/license", "JSON"),
    ];
    if let Some((_, id)) = known.iter().find(|(u, _)| *u == path) {
        return Some(id.to_string());
    }
    // `opensource.org/licenses/<SPDX id>` and `spdx.org/licenses/<SPDX id>`.
    for prefix in ["opensource.org/licenses/", "spdx.org/licenses/"] {
        if let Some(id) = path.strip_prefix(prefix) {
            if let Some(r) = resolve_leaf(id) {
                return Some(r);
            }
        }
    }
    None
}

/// One license name to an SPDX id (or a small expression for names that mean one, such as
/// Debian's `Perl`), when it is recognised.
fn resolve_leaf(text: &str) -> Option<String> {
    let t = text
        .trim()
        .trim_matches(|c| matches!(c, '"' | '\'' | '`'))
        .trim_end_matches(['.', ',', ';'])
        .trim();
    if t.is_empty() {
        return None;
    }
    if let Some(id) = license_id(t) {
        return Some(id.to_string());
    }
    if t.len() > 11
        && t.get(..11)
            .is_some_and(|p| p.eq_ignore_ascii_case("LicenseRef-"))
    {
        return Some(format!(
            "LicenseRef-{}",
            idstring(t.get(11..).unwrap_or(""))
        ));
    }
    // `MPL-1.1+`: SPDX's grammar allows `+` on any id, but validators (license-expression,
    // hence spdx-tools) reject it outside the deprecated GNU ids, so the `+` is dropped; the
    // category and policy verdict are the same.
    if let Some(base) = t.strip_suffix('+') {
        if let Some(id) = license_id(base.trim()).filter(|id| !id.contains("GPL")) {
            return Some(id.to_string());
        }
    }
    if let Some(u) = from_url(t) {
        return Some(u);
    }
    let k = key(t);
    if k.is_empty() {
        return None;
    }
    if let Some(id) = alias_table().get(&k) {
        return Some(id.clone());
    }
    if let Some(g) = gnu_family(&k) {
        return Some(g);
    }
    // A parenthesised abbreviation inside a name (`Common Development and Distribution License
    // (CDDL) v1.0`): try without it.
    if t.contains('(') {
        let mut stripped = String::new();
        let mut depth = 0usize;
        for c in t.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                c if depth == 0 => stripped.push(c),
                _ => {}
            }
        }
        let stripped = stripped.trim();
        if !stripped.is_empty() && stripped != t {
            return resolve_leaf(stripped);
        }
    }
    None
}

/// An exception name (`Classpath Exception`, `GCC-exception-3.1`) for `base`; `None` when
/// SPDX has no such exception (it is then dropped, which judges the license as the stricter
/// base license).
fn resolve_exception(text: &str, base: &str) -> Option<String> {
    let t = text.trim().trim_end_matches(['.', ',']);
    if let Some(id) = exception_id(t) {
        return Some(id.to_string());
    }
    let k = key(t);
    let gpl3 = base.starts_with("GPL-3");
    let id = if k.contains("classpath") {
        "Classpath-exception-2.0"
    } else if k.contains("gcc") {
        if gpl3 {
            "GCC-exception-3.1"
        } else {
            "GCC-exception-2.0"
        }
    } else if k.contains("autoconf") {
        if gpl3 {
            "Autoconf-exception-3.0"
        } else {
            "Autoconf-exception-2.0"
        }
    } else if k.contains("bison") {
        "Bison-exception-2.2"
    } else if k.contains("font") {
        "Font-exception-2.0"
    } else if k.contains("llvm") {
        "LLVM-exception"
    } else if k.contains("libtool") {
        "Libtool-exception"
    } else if k.contains("syscall") {
        "Linux-syscall-note"
    } else if k.contains("ocaml") {
        "OCaml-LGPL-linking-exception"
    } else if k.contains("wxwindows") {
        "WxWindows-exception-3.1"
    } else if k.contains("universal") && k.contains("foss") {
        "Universal-FOSS-exception-1.0"
    } else {
        return None;
    };
    Some(id.to_string())
}

/// Text to the idstring of a `LicenseRef-`: letters, digits, `.` and `-` only.
/// A license expression tree, as [`normalize_expr`] builds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// One license, optionally with an exception.
    Leaf {
        /// An SPDX license id, `LicenseRef-...` or `NOASSERTION`.
        id: String,
        /// The SPDX exception id after `WITH`.
        exception: Option<String>,
    },
    /// Any one of the branches applies (dual licensing).
    Or(Vec<Expr>),
    /// All of them apply.
    And(Vec<Expr>),
}

impl Expr {
    /// The SPDX expression text (`MIT OR (Apache-2.0 AND BSD-2-Clause)`).
    pub fn render(&self) -> String {
        self.render_nested(false)
    }

    fn render_nested(&self, nested: bool) -> String {
        match self {
            Expr::Leaf { id, exception } => match exception {
                Some(e) => format!("{id} WITH {e}"),
                None => id.clone(),
            },
            Expr::Or(items) | Expr::And(items) => {
                let op = if matches!(self, Expr::Or(_)) {
                    " OR "
                } else {
                    " AND "
                };
                let inner: Vec<String> = items.iter().map(|i| i.render_nested(true)).collect();
                let s = inner.join(op);
                if nested {
                    format!("({s})")
                } else {
                    s
                }
            }
        }
    }

    /// `items` joined by `OR` (`or`) or `AND`: nested operators of the same kind are flattened
    /// and duplicates dropped; one item is returned as is.
    pub fn combine(or: bool, items: Vec<Expr>) -> Expr {
        let mut flat = Vec::new();
        for i in items {
            match i {
                Expr::Or(inner) if or => flat.extend(inner),
                Expr::And(inner) if !or => flat.extend(inner),
                other => {
                    if !flat.contains(&other) {
                        flat.push(other)
                    }
                }
            }
        }
        let mut dedup: Vec<Expr> = Vec::new();
        for i in flat {
            if !dedup.contains(&i) {
                dedup.push(i);
            }
        }
        if dedup.len() == 1 {
            dedup.pop().unwrap_or(Expr::Leaf {
                id: "NOASSERTION".to_string(),
                exception: None,
            })
        } else if or {
            Expr::Or(dedup)
        } else {
            Expr::And(dedup)
        }
    }

    /// Push every [`Expr::Leaf`] of the tree onto `out`, left to right.
    pub fn leaves<'a>(&'a self, out: &mut Vec<&'a Expr>) {
        match self {
            Expr::Leaf { .. } => out.push(self),
            Expr::Or(items) | Expr::And(items) => items.iter().for_each(|i| i.leaves(out)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Open,
    Close,
    And,
    Or,
    With,
}

fn tokenize(text: &str) -> Vec<Tok> {
    let mut words: Vec<Tok> = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<Tok>| {
        if !cur.is_empty() {
            out.push(Tok::Word(std::mem::take(cur)));
        }
    };
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '(' | '[' => {
                flush(&mut cur, &mut words);
                words.push(Tok::Open);
            }
            ')' | ']' => {
                flush(&mut cur, &mut words);
                words.push(Tok::Close);
            }
            '|' => {
                flush(&mut cur, &mut words);
                if chars.get(i + 1) == Some(&'|') {
                    i += 1;
                }
                words.push(Tok::Or);
            }
            '&' => {
                flush(&mut cur, &mut words);
                if chars.get(i + 1) == Some(&'&') {
                    i += 1;
                }
                words.push(Tok::And);
            }
            c if c.is_whitespace() => flush(&mut cur, &mut words),
            c => cur.push(c),
        }
        i += 1;
    }
    flush(&mut cur, &mut words);
    // Operators are whole words; `or later` / `or any later version` is not an operator but
    // the `+` of the preceding license; `and/or` is OR.
    let mut out: Vec<Tok> = Vec::new();
    let mut i = 0;
    let word_at = |i: usize| match words.get(i) {
        Some(Tok::Word(w)) => Some(w.trim_end_matches([',', '.', ';']).to_ascii_lowercase()),
        _ => None,
    };
    while let Some(t) = words.get(i) {
        let lw = word_at(i);
        match lw.as_deref() {
            Some("or") => {
                let mut j = i + 1;
                if word_at(j).as_deref() == Some("any") {
                    j += 1;
                }
                if matches!(word_at(j).as_deref(), Some("later" | "newer" | "greater")) {
                    if let Some(Tok::Word(prev)) = out.last_mut() {
                        prev.push('+');
                    }
                    j += 1;
                    if word_at(j).as_deref() == Some("version") {
                        j += 1;
                    }
                    i = j;
                    continue;
                }
                out.push(Tok::Or);
            }
            Some("and/or") => out.push(Tok::Or),
            Some("and") => out.push(Tok::And),
            Some("with") => out.push(Tok::With),
            _ => out.push(t.clone()),
        }
        i += 1;
    }
    out
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn parse_or(&mut self, depth: usize) -> Expr {
        let mut items = vec![self.parse_and(depth)];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            items.push(self.parse_and(depth));
        }
        Expr::combine(true, items)
    }

    fn parse_and(&mut self, depth: usize) -> Expr {
        let mut items = vec![self.parse_with(depth)];
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            items.push(self.parse_with(depth));
        }
        Expr::combine(false, items)
    }

    fn parse_with(&mut self, depth: usize) -> Expr {
        let base = self.parse_atom(depth);
        if self.peek() != Some(&Tok::With) {
            return base;
        }
        self.pos += 1;
        let words = self.take_words();
        match base {
            Expr::Leaf {
                id,
                exception: None,
            } => {
                let exception = resolve_exception(&words, &id);
                Expr::Leaf { id, exception }
            }
            other => other,
        }
    }

    fn take_words(&mut self) -> String {
        let mut words = Vec::new();
        while let Some(Tok::Word(w)) = self.peek() {
            words.push(w.clone());
            self.pos += 1;
        }
        words.join(" ")
    }

    fn parse_atom(&mut self, depth: usize) -> Expr {
        if self.peek() == Some(&Tok::Open) && depth < 16 {
            self.pos += 1;
            let inner = self.parse_or(depth + 1);
            if self.peek() == Some(&Tok::Close) {
                self.pos += 1;
            }
            return inner;
        }
        let words = self.take_words();
        let mut leaf = if words.is_empty() {
            None
        } else {
            Some(words.clone())
        };
        // A parenthesised group right after a name is an annotation (`ISC License (ISCL)`,
        // `GNU General Public License v2 (GPLv2)`): the name wins when it is recognised.
        let mut annotation: Option<Expr> = None;
        while leaf.is_some() && self.peek() == Some(&Tok::Open) && depth < 16 {
            self.pos += 1;
            let inner = self.parse_or(depth + 1);
            if self.peek() == Some(&Tok::Close) {
                self.pos += 1;
            }
            annotation.get_or_insert(inner);
            // Words after the annotation belong to the same name (`BSD (3 clause) License`).
            let more = self.take_words();
            if let Some(l) = leaf.as_mut() {
                if !more.is_empty() {
                    l.push(' ');
                    l.push_str(&more);
                }
            }
        }
        match leaf {
            None => {
                // Stray operator or close paren: skip it so parsing always advances.
                if self.peek().is_some() && !matches!(self.peek(), Some(Tok::Close)) {
                    self.pos += 1;
                }
                Expr::Leaf {
                    id: "NOASSERTION".to_string(),
                    exception: None,
                }
            }
            Some(text) => match (leaf_expr(&text, false), annotation) {
                (Some(e), _) => e,
                (None, Some(a)) if !has_unknown(&a) => a,
                (None, _) => leaf_expr(&text, true).unwrap_or(Expr::Leaf {
                    id: format!("LicenseRef-{}", idstring(&text)),
                    exception: None,
                }),
            },
        }
    }
}

fn has_unknown(e: &Expr) -> bool {
    let mut leaves = Vec::new();
    e.leaves(&mut leaves);
    leaves.iter().any(|l| match l {
        Expr::Leaf { id, .. } => id.starts_with("LicenseRef-") || id == "NOASSERTION",
        _ => false,
    })
}

/// A leaf's text to an expression: the whole text when recognised, else a split on `/`
/// (dual licensing, `MIT/Apache-2.0`), `,` or `;` (several licenses) when every part is
/// recognised. With `fallback`, unrecognised text becomes a `LicenseRef-`.
fn leaf_expr(text: &str, fallback: bool) -> Option<Expr> {
    if let Some(r) = resolve_leaf(text) {
        return Some(parse_normalised(&r));
    }
    for (sep, or) in [('/', true), (',', false), (';', false)] {
        if !text.contains(sep) || text.contains("://") {
            continue;
        }
        let parts: Vec<&str> = text
            .split(sep)
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() < 2 {
            continue;
        }
        let resolved: Option<Vec<Expr>> = parts
            .iter()
            .map(|p| resolve_leaf(p).map(|r| parse_normalised(&r)))
            .collect();
        if let Some(items) = resolved {
            return Some(Expr::combine(or, items));
        }
    }
    if fallback {
        return Some(Expr::Leaf {
            id: format!("LicenseRef-{}", idstring(text)),
            exception: None,
        });
    }
    None
}

/// Parse text that is already an SPDX expression of known ids (alias targets).
fn parse_normalised(text: &str) -> Expr {
    if !text.contains(' ') {
        return Expr::Leaf {
            id: text.to_string(),
            exception: None,
        };
    }
    let mut p = Parser {
        toks: tokenize(text),
        pos: 0,
    };
    p.parse_or(0)
}

/// Parse and normalise free license text into an expression tree.
pub fn normalize_expr(raw: &str) -> Expr {
    let mut t = raw.trim();
    // PyPI classifiers: `License :: OSI Approved :: MIT License`.
    if t.contains("::") {
        t = t.rsplit("::").next().unwrap_or(t).trim();
    }
    let noassertion = Expr::Leaf {
        id: "NOASSERTION".to_string(),
        exception: None,
    };
    if t.is_empty()
        || [
            "unknown",
            "none",
            "noassertion",
            "n/a",
            "undefined",
            "other",
        ]
        .iter()
        .any(|u| t.eq_ignore_ascii_case(u))
    {
        return noassertion;
    }
    if let Some(r) = resolve_leaf(t) {
        return parse_normalised(&r);
    }
    let mut p = Parser {
        toks: tokenize(t),
        pos: 0,
    };
    let mut items = vec![p.parse_or(0)];
    // Trailing tokens the grammar did not consume (unbalanced parens): keep them, ANDed.
    while p.pos < p.toks.len() {
        let before = p.pos;
        if p.peek() == Some(&Tok::Close) {
            p.pos += 1;
            continue;
        }
        items.push(p.parse_or(0));
        if p.pos == before {
            p.pos += 1;
        }
    }
    let e = Expr::combine(false, items);
    if matches!(&e, Expr::Leaf { id, .. } if id == "NOASSERTION") {
        return Expr::Leaf {
            id: format!("LicenseRef-{}", idstring(t)),
            exception: None,
        };
    }
    e
}

/// Normalise a license as found in package metadata to an SPDX expression: `Apache 2.0`,
/// `Apache License, Version 2.0` -> `Apache-2.0`; `GPLv2+`, `GPL-2+` -> `GPL-2.0-or-later`;
/// `MIT/Apache-2.0` -> `MIT OR Apache-2.0`; `LGPL-2.1 or later` -> `LGPL-2.1-or-later`; PyPI
/// classifiers by their last part. Text that is not recognised becomes
/// `LicenseRef-<sanitised text>`; empty or `UNKNOWN` becomes `NOASSERTION`.
pub fn normalize(raw: &str) -> String {
    normalize_expr(raw).render()
}

/// Every license id (exceptions excluded) in an SPDX expression.
pub fn license_ids(expression: &str) -> Vec<String> {
    let e = parse_normalised(expression.trim());
    let mut leaves = Vec::new();
    e.leaves(&mut leaves);
    leaves
        .into_iter()
        .filter_map(|l| match l {
            Expr::Leaf { id, .. } => Some(id.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_spelling() {
        assert_eq!(key("Apache License, Version 2.0"), key("apache-2.0"));
        assert_eq!(key("GPLv2+"), "+ 2 gpl");
        assert_eq!(key("GNU GPL v2 or any later version"), "+ 2 gnu gpl");
        assert_eq!(key("3-clause BSD"), key("BSD 3-Clause"));
    }

    #[test]
    fn hostile_text_terminates() {
        for raw in [
            "((((",
            "))",
            "OR AND WITH",
            "(MIT",
            "MIT)",
            "MIT WITH",
            "and/or",
            "(((MIT OR (Apache-2.0)) AND",
            "Lizenz für den internen Gebrauch",
        ] {
            let n = normalize(raw);
            assert!(!n.is_empty(), "{raw}");
        }
        assert_eq!(normalize("(MIT"), "MIT");
        assert_eq!(normalize("MIT)"), "MIT");
        let deep = format!("{}MIT{}", "(".repeat(500), ")".repeat(500));
        assert_eq!(normalize(&deep), "MIT");
        assert_eq!(
            normalize("Lizenz für den internen Gebrauch"),
            "LicenseRef-Lizenz-f-r-den-internen-Gebrauch"
        );
    }

    #[test]
    fn ids_of_expressions() {
        assert_eq!(
            license_ids("(MIT OR Apache-2.0) AND GPL-2.0-only WITH Classpath-exception-2.0"),
            vec!["MIT", "Apache-2.0", "GPL-2.0-only"]
        );
    }
}
