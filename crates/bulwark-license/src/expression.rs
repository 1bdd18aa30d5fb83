//! Checking that text already is an SPDX license expression, and spelling one the list's way.
//! Unlike [`crate::normalize`], nothing is reinterpreted: deprecated ids stay, free text is not
//! an expression. SBOM writers use this to decide between an expression, a license id and a
//! license name.

use crate::ids::spdx_id;

/// Whether `text` is an SPDX license expression Bulwark can pass on as one: identifiers from
/// the list (a trailing `+` allowed), `LicenseRef-`/`DocumentRef-` references, `AND`/`OR`/`WITH`
/// and balanced parentheses.
pub fn is_expression(text: &str) -> bool {
    let spaced = text.replace('(', " ( ").replace(')', " ) ");
    let mut depth = 0i32;
    let mut expect_operand = true;
    let mut tokens = 0;
    for tok in spaced.split_whitespace() {
        tokens += 1;
        match tok {
            "(" => {
                if !expect_operand {
                    return false;
                }
                depth += 1;
            }
            ")" => {
                if expect_operand {
                    return false;
                }
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            "AND" | "OR" | "WITH" | "and" | "or" | "with" => {
                if expect_operand {
                    return false;
                }
                expect_operand = true;
            }
            id => {
                if !expect_operand || !is_simple(id) {
                    return false;
                }
                expect_operand = false;
            }
        }
    }
    tokens > 0 && depth == 0 && !expect_operand
}

/// An identifier that can stand alone in an expression.
fn is_simple(id: &str) -> bool {
    let valid_ref = |r: &str| {
        !r.is_empty()
            && r.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    if let Some(r) = id.strip_prefix("LicenseRef-") {
        return valid_ref(r);
    }
    if id.starts_with("DocumentRef-") {
        return id
            .split_once(":LicenseRef-")
            .is_some_and(|(d, r)| valid_ref(&d["DocumentRef-".len()..]) && valid_ref(r));
    }
    spdx_id(id.strip_suffix('+').unwrap_or(id)).is_some()
}

/// Whether `text` is a compound expression (has an operator), not a single identifier.
pub fn is_compound(text: &str) -> bool {
    text.split_whitespace()
        .any(|t| matches!(t, "AND" | "OR" | "WITH" | "and" | "or" | "with"))
}

/// An expression with identifiers in the list's spelling and upper-case operators.
pub fn canonical(expr: &str) -> String {
    let spaced = expr.replace('(', " ( ").replace(')', " ) ");
    let mut out = String::new();
    for tok in spaced.split_whitespace() {
        let t = match tok {
            "and" => "AND".to_string(),
            "or" => "OR".to_string(),
            "with" => "WITH".to_string(),
            t if t.starts_with("LicenseRef-") || t.starts_with("DocumentRef-") => t.to_string(),
            t => {
                let (base, plus) = match t.strip_suffix('+') {
                    Some(b) => (b, "+"),
                    None => (t, ""),
                };
                match spdx_id(base) {
                    Some(id) => format!("{id}{plus}"),
                    None => t.to_string(),
                }
            }
        };
        if !out.is_empty() && !out.ends_with('(') && t != ")" {
            out.push(' ');
        }
        out.push_str(&t);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions() {
        assert!(is_expression("MIT"));
        assert!(is_expression(
            "GPL-2.0-or-later WITH Classpath-exception-2.0"
        ));
        assert!(is_expression("(MIT OR Apache-2.0) AND BSD-3-Clause"));
        assert!(is_expression("LicenseRef-foo.bar"));
        assert!(is_expression("gpl-2.0+"));
        assert!(!is_expression("GPL"));
        assert!(!is_expression("MIT OR"));
        assert!(!is_expression("(MIT"));
        assert!(!is_expression("public domain"));
        assert!(!is_expression(""));
    }

    #[test]
    fn canonical_spelling() {
        assert_eq!(
            canonical("(mit or apache-2.0) and gpl-2.0+ with classpath-exception-2.0"),
            "(MIT OR Apache-2.0) AND GPL-2.0+ WITH Classpath-exception-2.0"
        );
        assert!(is_compound("MIT or X"));
        assert!(!is_compound("MIT"));
    }
}
