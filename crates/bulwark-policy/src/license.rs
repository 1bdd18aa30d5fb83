//! License normalisation to SPDX expressions, license categories, and the license policy.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use bulwark_catalog::PackageKind;
use bulwark_config::node::{Node, Value};
use bulwark_config::suppress::glob_match;
use bulwark_report::scan::{LicenseFinding, LicenseVerdict, PackageRef, ScanReport};
use bulwark_report::Severity;

use crate::PolicyError;

/// SPDX license identifiers this module emits, in their canonical case. Deprecated ids
/// (`GPL-2.0`, `GPL-2.0+`...) are not here: they normalise to their replacements.
const SPDX_IDS: &[&str] = &[
    "0BSD",
    "AAL",
    "AFL-1.1",
    "AFL-1.2",
    "AFL-2.0",
    "AFL-2.1",
    "AFL-3.0",
    "AGPL-1.0-only",
    "AGPL-1.0-or-later",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.0",
    "Apache-1.1",
    "Apache-2.0",
    "APSL-2.0",
    "Artistic-1.0",
    "Artistic-1.0-Perl",
    "Artistic-1.0-cl8",
    "Artistic-2.0",
    "Beerware",
    "BlueOak-1.0.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-2-Clause-Patent",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSD-3-Clause-LBNL",
    "BSD-3-Clause-Attribution",
    "BSD-4-Clause",
    "BSD-4-Clause-UC",
    "BSD-Source-Code",
    "BSL-1.0",
    "BUSL-1.1",
    "bzip2-1.0.6",
    "CAL-1.0",
    "CC-BY-1.0",
    "CC-BY-2.0",
    "CC-BY-2.5",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-2.0",
    "CC-BY-SA-2.5",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC-BY-NC-3.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-SA-3.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-ND-3.0",
    "CC-BY-ND-4.0",
    "CC-BY-NC-ND-3.0",
    "CC-BY-NC-ND-4.0",
    "CC0-1.0",
    "CC-PDDC",
    "CDDL-1.0",
    "CDDL-1.1",
    "CECILL-2.0",
    "CECILL-2.1",
    "CECILL-B",
    "CECILL-C",
    "CPAL-1.0",
    "CPL-1.0",
    "curl",
    "ECL-2.0",
    "EFL-2.0",
    "Elastic-2.0",
    "EPL-1.0",
    "EPL-2.0",
    "ErlPL-1.1",
    "EUPL-1.1",
    "EUPL-1.2",
    "FSFAP",
    "FSFUL",
    "FSFULLR",
    "FTL",
    "GFDL-1.1-only",
    "GFDL-1.1-or-later",
    "GFDL-1.2-only",
    "GFDL-1.2-or-later",
    "GFDL-1.3-only",
    "GFDL-1.3-or-later",
    "GFDL-1.2-no-invariants-only",
    "GFDL-1.2-no-invariants-or-later",
    "GFDL-1.3-no-invariants-only",
    "GFDL-1.3-no-invariants-or-later",
    "GPL-1.0-only",
    "GPL-1.0-or-later",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "HPND",
    "ICU",
    "IJG",
    "Imlib2",
    "Info-ZIP",
    "IPA",
    "IPL-1.0",
    "ISC",
    "JSON",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "libpng-2.0",
    "Libpng",
    "libtiff",
    "LPL-1.02",
    "LPPL-1.3a",
    "LPPL-1.3c",
    "MirOS",
    "MIT",
    "MIT-0",
    "MIT-CMU",
    "MIT-Modern-Variant",
    "MIT-open-group",
    "MPL-1.0",
    "MPL-1.1",
    "MPL-2.0",
    "MPL-2.0-no-copyleft-exception",
    "MS-PL",
    "MS-RL",
    "MulanPSL-2.0",
    "NCSA",
    "Net-SNMP",
    "NTP",
    "OFL-1.0",
    "OFL-1.1",
    "OLDAP-2.8",
    "OpenSSL",
    "OSL-1.0",
    "OSL-2.0",
    "OSL-2.1",
    "OSL-3.0",
    "PDDL-1.0",
    "PHP-3.0",
    "PHP-3.01",
    "PostgreSQL",
    "PSF-2.0",
    "Python-2.0",
    "Python-2.0.1",
    "QPL-1.0",
    "RPL-1.5",
    "Ruby",
    "SGI-B-2.0",
    "Sleepycat",
    "SMLNJ",
    "SSLeay-standalone",
    "SSPL-1.0",
    "TCL",
    "UPL-1.0",
    "Unicode-DFS-2015",
    "Unicode-DFS-2016",
    "Unicode-3.0",
    "Unicode-TOU",
    "Unlicense",
    "Vim",
    "W3C",
    "W3C-20150513",
    "WTFPL",
    "X11",
    "XFree86-1.1",
    "Zlib",
    "zlib-acknowledgement",
    "ZPL-2.0",
    "ZPL-2.1",
];

/// SPDX license exception identifiers (the right side of `WITH`).
const SPDX_EXCEPTIONS: &[&str] = &[
    "Autoconf-exception-2.0",
    "Autoconf-exception-3.0",
    "Bison-exception-2.2",
    "Classpath-exception-2.0",
    "eCos-exception-2.0",
    "FLTK-exception",
    "Font-exception-2.0",
    "GCC-exception-2.0",
    "GCC-exception-3.1",
    "LGPL-3.0-linking-exception",
    "Libtool-exception",
    "Linux-syscall-note",
    "LLVM-exception",
    "OCaml-LGPL-linking-exception",
    "openvpn-openssl-exception",
    "Qt-LGPL-exception-1.1",
    "Swift-exception",
    "u-boot-exception-2.0",
    "Universal-FOSS-exception-1.0",
    "WxWindows-exception-3.1",
];

/// Spellings seen in package metadata (dpkg copyright files, PyPI classifiers and `License`
/// fields, npm `license`, Maven POM `<name>`, gemspecs) and what they mean. Looked up by
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
        for id in SPDX_IDS {
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

fn canonical_id(text: &str) -> Option<&'static str> {
    SPDX_IDS
        .iter()
        .find(|id| id.eq_ignore_ascii_case(text))
        .copied()
}

fn canonical_exception(text: &str) -> Option<&'static str> {
    SPDX_EXCEPTIONS
        .iter()
        .find(|id| id.eq_ignore_ascii_case(text))
        .copied()
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
    if let Some(id) = canonical_id(t) {
        return Some(id.to_string());
    }
    if t.len() > 11
        && t.get(..11)
            .is_some_and(|p| p.eq_ignore_ascii_case("LicenseRef-"))
    {
        return Some(format!(
            "LicenseRef-{}",
            sanitise(t.get(11..).unwrap_or(""))
        ));
    }
    // `MPL-1.1+`: SPDX's grammar allows `+` on any id, but validators (license-expression,
    // hence spdx-tools) reject it outside the deprecated GNU ids, so the `+` is dropped; the
    // category and policy verdict are the same.
    if let Some(base) = t.strip_suffix('+') {
        if let Some(id) = canonical_id(base.trim()).filter(|id| !id.contains("GPL")) {
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
    if let Some(id) = canonical_exception(t) {
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
fn sanitise(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 64 {
            break;
        }
    }
    let out = out.trim_matches(|c| c == '-' || c == '.').to_string();
    if out.is_empty() {
        "unknown".to_string()
    } else {
        out
    }
}

/// A license expression tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expr {
    /// One license, optionally with an exception.
    Leaf {
        id: String,
        exception: Option<String>,
    },
    /// Any one of the branches applies (dual licensing).
    Or(Vec<Expr>),
    /// All of them apply.
    And(Vec<Expr>),
}

impl Expr {
    fn render(&self, nested: bool) -> String {
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
                let inner: Vec<String> = items.iter().map(|i| i.render(true)).collect();
                let s = inner.join(op);
                if nested {
                    format!("({s})")
                } else {
                    s
                }
            }
        }
    }

    fn combine(or: bool, items: Vec<Expr>) -> Expr {
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

    fn leaves<'a>(&'a self, out: &mut Vec<&'a Expr>) {
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
                    id: format!("LicenseRef-{}", sanitise(&text)),
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
            id: format!("LicenseRef-{}", sanitise(text)),
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
pub(crate) fn normalize_expr(raw: &str) -> Expr {
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
            id: format!("LicenseRef-{}", sanitise(t)),
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
    normalize_expr(raw).render(false)
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

/// What a license asks of those who ship it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Attribution only (MIT, BSD, Apache-2.0, ISC...).
    Permissive,
    /// Copyleft limited to the licensed files or library (LGPL, MPL, EPL, CDDL...).
    WeakCopyleft,
    /// Copyleft over the whole program that includes it (GPL...).
    StrongCopyleft,
    /// Copyleft that also triggers on network use (AGPL, SSPL, OSL-3.0...).
    NetworkCopyleft,
    /// No conditions (CC0, Unlicense, public domain).
    PublicDomain,
    /// Not an open source license (proprietary, non-commercial, source-available).
    Proprietary,
    /// Not recognised.
    Unknown,
}

impl Category {
    /// The policy-file spelling (`strong-copyleft`).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Permissive => "permissive",
            Category::WeakCopyleft => "weak-copyleft",
            Category::StrongCopyleft => "strong-copyleft",
            Category::NetworkCopyleft => "network-copyleft",
            Category::PublicDomain => "public-domain",
            Category::Proprietary => "proprietary",
            Category::Unknown => "unknown",
        }
    }

    /// Parse the policy-file spelling (`_` and spaces accepted for `-`).
    pub fn parse(text: &str) -> Option<Category> {
        let t = text.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        [
            Category::Permissive,
            Category::WeakCopyleft,
            Category::StrongCopyleft,
            Category::NetworkCopyleft,
            Category::PublicDomain,
            Category::Proprietary,
            Category::Unknown,
        ]
        .into_iter()
        .find(|c| c.as_str() == t)
    }
}

/// The category of one SPDX license id (`GPL-2.0-or-later`, `MIT`, `LicenseRef-...`). The
/// classification follows the usual one (OSI/FSF descriptions, Google's license types):
/// see `docs/policy.md` for the table.
pub fn category(spdx_id: &str) -> Category {
    let id = spdx_id.trim().trim_end_matches('+');
    let lower = id.to_ascii_lowercase();
    let starts = |p: &str| lower.starts_with(p);
    if starts("agpl-") || starts("sspl-") || starts("osl-3") || starts("cpal-") || starts("rpl-") {
        return Category::NetworkCopyleft;
    }
    if starts("lgpl-")
        || starts("mpl-")
        || starts("epl-")
        || starts("cddl-")
        || starts("cpl-")
        || starts("ofl-")
        || starts("ms-rl")
        || starts("ms-pl")
        || starts("apsl-")
        || starts("cecill-c")
        || starts("artistic-1")
        || starts("erlpl-")
        || starts("ipl-")
        || starts("lppl-")
    {
        return Category::WeakCopyleft;
    }
    if starts("gpl-")
        || starts("gfdl-")
        || starts("eupl-")
        || starts("osl-")
        || starts("cecill-2")
        || starts("cc-by-sa-")
        || lower == "sleepycat"
        || starts("qpl-")
    {
        return Category::StrongCopyleft;
    }
    if starts("cc-by-nc")
        || starts("cc-by-nd")
        || starts("busl-")
        || starts("elastic-")
        || lower == "json"
        || lower == "licenseref-proprietary"
        || lower == "licenseref-commercial"
    {
        return Category::Proprietary;
    }
    if matches!(
        lower.as_str(),
        "cc0-1.0" | "unlicense" | "cc-pddc" | "pddl-1.0" | "licenseref-public-domain"
    ) {
        return Category::PublicDomain;
    }
    let permissive_prefixes = [
        "mit",
        "bsd-",
        "0bsd",
        "apache-",
        "isc",
        "zlib",
        "x11",
        "curl",
        "psf-",
        "python-",
        "bsl-",
        "unicode-",
        "openssl",
        "ssleay",
        "libpng",
        "ncsa",
        "postgresql",
        "artistic-2",
        "w3c",
        "zpl-",
        "afl-",
        "blueoak-",
        "upl-",
        "hpnd",
        "icu",
        "wtfpl",
        "beerware",
        "vim",
        "ruby",
        "cc-by-",
        "ecl-",
        "efl-",
        "bzip2-",
        "cal-",
        "ftl",
        "ijg",
        "imlib2",
        "info-zip",
        "libtiff",
        "mulanpsl-",
        "net-snmp",
        "ntp",
        "oldap-",
        "php-",
        "sgi-b-",
        "smlnj",
        "tcl",
        "xfree86-",
        "fsfap",
        "fsful",
        "miros",
        "aal",
        "cecill-b",
        "ipa",
        "lpl-",
    ];
    if permissive_prefixes.iter().any(|p| starts(p)) {
        return Category::Permissive;
    }
    Category::Unknown
}

/// The category of a license with an exception: GPL with a linking exception (Classpath, GCC
/// runtime, LLVM...) lets non-GPL code link to it, which makes it weak copyleft.
fn category_with(id: &str, exception: Option<&str>) -> Category {
    let c = category(id);
    match (c, exception) {
        (Category::StrongCopyleft, Some(e))
            if [
                "Classpath-exception-2.0",
                "GCC-exception-2.0",
                "GCC-exception-3.1",
                "LLVM-exception",
                "Libtool-exception",
                "Linux-syscall-note",
                "Autoconf-exception-2.0",
                "Autoconf-exception-3.0",
                "Bison-exception-2.2",
                "Font-exception-2.0",
                "WxWindows-exception-3.1",
                "Universal-FOSS-exception-1.0",
                "eCos-exception-2.0",
            ]
            .contains(&e) =>
        {
            Category::WeakCopyleft
        }
        (c, _) => c,
    }
}

/// What the policy does with a license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// Allowed.
    Allow,
    /// Allowed with a warning finding.
    Warn,
    /// Forbidden.
    Deny,
}

impl Action {
    fn parse(text: &str) -> Option<Action> {
        match text.trim().to_ascii_lowercase().as_str() {
            "allow" => Some(Action::Allow),
            "warn" => Some(Action::Warn),
            "deny" => Some(Action::Deny),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Warn => "warn",
            Action::Deny => "deny",
        }
    }
}

/// One entry of an allow/deny/warn list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// An SPDX id or a glob over ids (`GPL-*`), matched case-insensitively.
    License(String),
    /// Every license of a category.
    Category(Category),
}

impl Rule {
    fn describe(&self, list: Action) -> String {
        match self {
            Rule::License(l) => format!("{}: {l}", list.as_str()),
            Rule::Category(c) => format!("{}: category {}", list.as_str(), c.as_str()),
        }
    }
}

/// A license policy (`--license-policy FILE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicensePolicy {
    /// Where it came from.
    pub origin: String,
    /// Allowed licenses. When not empty, licenses on no list are judged by
    /// [`LicensePolicy::unknown`].
    pub allow: Vec<Rule>,
    /// Forbidden licenses.
    pub deny: Vec<Rule>,
    /// Licenses that produce a warning.
    pub warn: Vec<Rule>,
    /// What to do with unrecognised licenses, and with licenses on no list when `allow` is not
    /// empty (default warn).
    pub unknown: Action,
    /// What to do with packages that declare no license (default: as `unknown`).
    pub no_license: Action,
    /// Severity of deny findings (default HIGH).
    pub deny_severity: Severity,
    /// Severity of warn findings (default LOW).
    pub warn_severity: Severity,
    /// Packages not evaluated (purl globs, qualifiers ignored).
    pub ignore_packages: Vec<String>,
}

const POLICY_KEYS: &[&str] = &[
    "allow",
    "deny",
    "warn",
    "unknown",
    "no_license",
    "severity",
    "ignore_packages",
];

impl LicensePolicy {
    /// Read and parse a policy file.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        let text = crate::read_file(path)?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parse policy YAML; `origin` names the text in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, PolicyError> {
        let mut p = LicensePolicy {
            origin: origin.to_string(),
            allow: Vec::new(),
            deny: Vec::new(),
            warn: Vec::new(),
            unknown: Action::Warn,
            no_license: Action::Warn,
            deny_severity: Severity::High,
            warn_severity: Severity::Low,
            ignore_packages: Vec::new(),
        };
        let Some(doc) = crate::parse_yaml(text, origin)? else {
            return Err(PolicyError::parse(origin, None, "empty license policy"));
        };
        if !doc.is_map() {
            return Err(PolicyError::parse(
                origin,
                Some(doc.span.start.line),
                "a license policy is a mapping (allow, deny, warn, unknown, no_license, severity, ignore_packages)",
            ));
        }
        crate::check_keys(&doc, POLICY_KEYS, origin)?;
        let action = |k: &str| -> Result<Option<Action>, PolicyError> {
            match doc.get(k) {
                None => Ok(None),
                Some(n) => n
                    .scalar()
                    .as_deref()
                    .and_then(Action::parse)
                    .map(Some)
                    .ok_or_else(|| {
                        PolicyError::parse(
                            origin,
                            Some(n.span.start.line),
                            format!("`{k}` must be allow, warn or deny"),
                        )
                    }),
            }
        };
        if let Some(a) = action("unknown")? {
            p.unknown = a;
        }
        p.no_license = action("no_license")?.unwrap_or(p.unknown);
        p.allow = rules(doc.get("allow"), "allow", origin)?;
        p.deny = rules(doc.get("deny"), "deny", origin)?;
        p.warn = rules(doc.get("warn"), "warn", origin)?;
        if let Some(sev) = doc.get("severity") {
            if !sev.is_map() {
                return Err(PolicyError::parse(
                    origin,
                    Some(sev.span.start.line),
                    "`severity` is a mapping: `deny: HIGH`, `warn: LOW`",
                ));
            }
            crate::check_keys(sev, &["deny", "warn"], origin)?;
            for (k, slot) in [
                ("deny", &mut p.deny_severity),
                ("warn", &mut p.warn_severity),
            ] {
                if let Some(n) = sev.get(k) {
                    *slot = n
                        .scalar()
                        .as_deref()
                        .and_then(Severity::parse)
                        .ok_or_else(|| {
                            PolicyError::parse(
                                origin,
                                Some(n.span.start.line),
                                format!(
                                    "`severity.{k}` must be CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN"
                                ),
                            )
                        })?;
                }
            }
        }
        if let Some(list) = doc.get("ignore_packages") {
            for item in seq(list, "ignore_packages", origin)? {
                let Some(s) = item.scalar() else {
                    return Err(PolicyError::parse(
                        origin,
                        Some(item.span.start.line),
                        "`ignore_packages` entries are purl globs",
                    ));
                };
                p.ignore_packages.push(s);
            }
        }
        Ok(p)
    }

    fn severity_of(&self, a: Action) -> Severity {
        match a {
            Action::Deny => self.deny_severity,
            _ => self.warn_severity,
        }
    }

    /// Judge one license (with its exception): the action, the rule that decided, and whether
    /// it was an "unknown" verdict.
    fn judge_leaf(&self, id: &str, exception: Option<&str>) -> (Action, String, bool) {
        let full = match exception {
            Some(e) => format!("{id} WITH {e}"),
            None => id.to_string(),
        };
        let base = id.trim_end_matches('+');
        let lists = [
            (Action::Deny, &self.deny),
            (Action::Warn, &self.warn),
            (Action::Allow, &self.allow),
        ];
        // An explicit license rule beats a category rule (`allow: [LGPL-2.1-only]` with
        // `deny: [category: weak-copyleft]` allows LGPL-2.1-only), and a rule naming the
        // exception beats one naming the bare license.
        let full_l = full.to_ascii_lowercase();
        let id_l = id.to_ascii_lowercase();
        let base_l = base.to_ascii_lowercase();
        for with_rules in [true, false] {
            for (action, list) in lists {
                for r in list.iter() {
                    let Rule::License(pat) = r else { continue };
                    let pat = pat.to_ascii_lowercase();
                    let hit = if with_rules {
                        exception.is_some() && pat.contains(" with ") && glob_match(&pat, &full_l)
                    } else {
                        !pat.contains(" with ")
                            && (glob_match(&pat, &id_l) || glob_match(&pat, &base_l))
                    };
                    if hit {
                        return (action, r.describe(action), false);
                    }
                }
            }
        }
        let cat = category_with(base, exception);
        for (action, list) in lists {
            for r in list.iter() {
                if *r == Rule::Category(cat) {
                    return (action, r.describe(action), false);
                }
            }
        }
        if cat == Category::Unknown {
            return (
                self.unknown,
                format!(
                    "unknown: {} ({full} is not a recognised license)",
                    self.unknown.as_str()
                ),
                true,
            );
        }
        if !self.allow.is_empty() {
            return (
                self.unknown,
                format!(
                    "unknown: {} ({full} is not on the allow list)",
                    self.unknown.as_str()
                ),
                true,
            );
        }
        (Action::Allow, String::new(), false)
    }

    /// Judge an expression: `OR` takes the best branch, `AND` the worst part.
    fn judge(&self, e: &Expr) -> (Action, String, bool) {
        match e {
            Expr::Leaf { id, exception } => self.judge_leaf(id, exception.as_deref()),
            // The first branch wins ties, so the rule reported is the leftmost deciding one.
            Expr::Or(items) => items
                .iter()
                .map(|i| self.judge(i))
                .reduce(|best, x| if x.0 < best.0 { x } else { best })
                .unwrap_or((Action::Allow, String::new(), false)),
            Expr::And(items) => items
                .iter()
                .map(|i| self.judge(i))
                .reduce(|worst, x| if x.0 > worst.0 { x } else { worst })
                .unwrap_or((Action::Allow, String::new(), false)),
        }
    }

    /// Evaluate every package's licenses and push a [`LicenseFinding`] for each package the
    /// policy denies or warns about (unknown licenses as `unknown` says). A package's license
    /// list is read as alternatives for npm and gems (their manifests list dual licenses) and as
    /// all-apply for everything else (a Debian copyright file lists the licenses of different
    /// files).
    pub fn evaluate(&self, report: &mut ScanReport) {
        let mut found = Vec::new();
        for p in &report.packages {
            if self
                .ignore_packages
                .iter()
                .any(|g| crate::ignore::purl_glob(g, &p.purl))
            {
                continue;
            }
            let (license, action, rule, unknown) = if p.licenses.is_empty() {
                (
                    "NOASSERTION".to_string(),
                    self.no_license,
                    format!("no_license: {}", self.no_license.as_str()),
                    true,
                )
            } else {
                let items: Vec<Expr> = p.licenses.iter().map(|l| normalize_expr(l)).collect();
                let or = matches!(p.kind, PackageKind::Npm | PackageKind::Gem);
                let e = Expr::combine(or, items);
                let (a, r, u) = self.judge(&e);
                (e.render(false), a, r, u)
            };
            if action == Action::Allow {
                continue;
            }
            let (layer, origin) = crate::layer_and_origin(report, p.layer);
            found.push(LicenseFinding {
                package: PackageRef::of(p),
                license,
                verdict: if unknown {
                    LicenseVerdict::Unknown
                } else if action == Action::Deny {
                    LicenseVerdict::Deny
                } else {
                    LicenseVerdict::Warn
                },
                rule,
                severity: self.severity_of(action),
                layer,
                origin,
                suppression: None,
            });
        }
        report.licenses.extend(found);
    }
}

fn seq<'a>(n: &'a Node, k: &str, origin: &str) -> Result<&'a [Node], PolicyError> {
    match &n.value {
        Value::Seq(items) => Ok(items),
        Value::Null => Ok(&[]),
        _ => Err(PolicyError::parse(
            origin,
            Some(n.span.start.line),
            format!("`{k}` must be a list"),
        )),
    }
}

fn rules(n: Option<&Node>, k: &str, origin: &str) -> Result<Vec<Rule>, PolicyError> {
    let Some(n) = n else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in seq(n, k, origin)? {
        let line = Some(item.span.start.line);
        if item.is_map() {
            crate::check_keys(item, &["category"], origin)?;
            let c = item
                .get("category")
                .and_then(Node::scalar)
                .unwrap_or_default();
            let cat = Category::parse(&c).ok_or_else(|| {
                PolicyError::parse(
                    origin,
                    line,
                    format!("unknown category `{c}` (permissive, weak-copyleft, strong-copyleft, network-copyleft, public-domain, proprietary, unknown)"),
                )
            })?;
            out.push(Rule::Category(cat));
            continue;
        }
        let Some(s) = item.scalar() else {
            return Err(PolicyError::parse(
                origin,
                line,
                format!("`{k}` entries are SPDX ids, globs or `category: NAME`"),
            ));
        };
        let s = s.trim().to_string();
        if s.contains(['*', '?']) || s.starts_with("LicenseRef-") {
            out.push(Rule::License(s));
            continue;
        }
        // A plain id must be one we know, so a typo does not silently match nothing.
        let norm = normalize(&s);
        if norm.starts_with("LicenseRef-")
            || norm == "NOASSERTION"
            || norm.contains(" OR ")
            || norm.contains(" AND ")
        {
            return Err(PolicyError::parse(
                origin,
                line,
                format!("`{s}` in `{k}` is not an SPDX license id (use a glob like `GPL-*`, or `LicenseRef-...`)"),
            ));
        }
        out.push(Rule::License(norm));
    }
    Ok(out)
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
