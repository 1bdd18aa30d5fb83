//! Licenses of Debian packages from `/usr/share/doc/<pkg>/copyright`: the `License:` fields of
//! machine-readable (DEP-5) files and references to `/usr/share/common-licenses/<name>` in
//! free-form ones, normalised to SPDX identifiers where the Debian short name has one.

/// Licenses named in a copyright file, normalised, deduplicated, in first-seen order.
pub fn from_copyright(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |id: String| {
        if !id.is_empty() && !out.contains(&id) {
            out.push(id);
        }
    };
    for line in text.lines() {
        // DEP-5: "License: GPL-2+" (the first line of the field is the short name or an
        // expression; continuation lines hold the text).
        if let Some(rest) = strip_prefix_ci(line, "license:") {
            for name in split_expression(rest) {
                push(normalize(name));
            }
        }
        let mut s = line;
        while let Some(pos) = s.find("/usr/share/common-licenses/") {
            let after = s.get(pos.saturating_add(27)..).unwrap_or("");
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '+'))
                .collect();
            let name = name.trim_end_matches('.');
            if !name.is_empty() {
                push(normalize(name));
            }
            s = after;
        }
    }
    out
}

fn strip_prefix_ci<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let head = line.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        line.get(prefix.len()..)
    } else {
        None
    }
}

/// Split a DEP-5 license expression (`GPL-2+ or Artistic`, `MIT and BSD-3-clause`,
/// `GPL-3+ with GCC-exception-3.1 exception`) into its license names; exceptions are dropped.
fn split_expression(expr: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut skip_next = false;
    for tok in expr.split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')') {
        if tok.is_empty() {
            continue;
        }
        if skip_next {
            skip_next = false;
            continue;
        }
        match tok.to_ascii_lowercase().as_str() {
            "or" | "and" | "exception" => {}
            "with" => skip_next = true,
            _ => out.push(tok),
        }
    }
    out
}

/// Debian short license name -> SPDX identifier; unknown names are kept as found.
pub fn normalize(name: &str) -> String {
    let (base, later) = match name.strip_suffix('+') {
        Some(b) => (b, true),
        None => (name, false),
    };
    let lower = base.to_ascii_lowercase();
    let versioned = |family: &str, v: &str| {
        let v = if v.contains('.') {
            v.to_string()
        } else {
            format!("{v}.0")
        };
        format!("{family}-{v}-{}", if later { "or-later" } else { "only" })
    };
    for family in ["lgpl", "agpl", "gfdl", "gpl"] {
        if let Some(v) = lower.strip_prefix(family).and_then(|r| r.strip_prefix('-')) {
            if !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.') {
                return versioned(&family.to_ascii_uppercase(), v);
            }
        }
    }
    let spdx = match lower.as_str() {
        "expat" | "mit" => "MIT",
        "apache-2" | "apache-2.0" => "Apache-2.0",
        "artistic" | "artistic-1" => "Artistic-1.0-Perl",
        "artistic-2" | "artistic-2.0" => "Artistic-2.0",
        "bsd-2-clause" => "BSD-2-Clause",
        "bsd-3-clause" => "BSD-3-Clause",
        "bsd-4-clause" => "BSD-4-Clause",
        "isc" => "ISC",
        "zlib" => "Zlib",
        "mpl-1.1" => "MPL-1.1",
        "mpl-2.0" | "mpl-2" => "MPL-2.0",
        "cc0" | "cc0-1.0" => "CC0-1.0",
        "psf-2" | "psf-2.0" => "PSF-2.0",
        "python-2.0" => "Python-2.0",
        "openssl" => "OpenSSL",
        "curl" => "curl",
        "bsl-1.0" | "boost-1.0" => "BSL-1.0",
        "x11" => "X11",
        "unicode-dfs-2016" => "Unicode-DFS-2016",
        _ => return name.to_string(),
    };
    if later {
        format!("{spdx}+")
    } else {
        spdx.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep5_and_common_licenses() {
        let dep5 = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2+ or Artistic\n\nFiles: x\nLicense: BSD-3-clause\n\nLicense: GPL-2+\n On Debian systems see /usr/share/common-licenses/GPL-2.\n\nLicense: GPL-3+ with GCC-exception-3.1 exception\n";
        assert_eq!(
            from_copyright(dep5),
            vec![
                "GPL-2.0-or-later",
                "Artistic-1.0-Perl",
                "BSD-3-Clause",
                "GPL-2.0-only",
                "GPL-3.0-or-later"
            ]
        );
        let free = "see `/usr/share/common-licenses/LGPL-2.1' and /usr/share/common-licenses/Apache-2.0.\n";
        assert_eq!(from_copyright(free), vec!["LGPL-2.1-only", "Apache-2.0"]);
        assert_eq!(normalize("public-domain"), "public-domain");
        assert_eq!(normalize("Expat"), "MIT");
    }
}
