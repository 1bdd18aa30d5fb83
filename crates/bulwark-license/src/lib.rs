//! SPDX license expressions: normalising what packages declare into SPDX expressions, the SPDX
//! license id list, and license categories.
//!
//! - [`normalize`] / [`normalize_expr`] turn free text from package metadata (`Apache 2.0`,
//!   `GPLv2+`, `MIT/Apache-2.0`, PyPI classifiers, rpm `License:` tags, Maven POM names and
//!   URLs) into an SPDX expression; [`license_ids`] lists the ids of one.
//! - [`spdx_id`], [`license_id`], [`exception_id`] look identifiers up in the SPDX license list
//!   (one copy, `src/spdx-license-ids.txt`).
//! - [`is_expression`], [`canonical`] check and spell text that already is an SPDX expression,
//!   without reinterpreting it (what SBOM writers need).
//! - [`category`] / [`Category`] say what a license asks of those who ship it.
//!
//! What it does not do: policy (allow/deny lists and findings live in `bulwark-policy`), or
//! reading license files (the catalogers do that).

#![warn(missing_docs)]

mod category;
mod expression;
mod ids;
mod normalize;

pub use category::{category, category_with, Category};
pub use expression::{canonical, is_compound, is_expression};
pub use ids::{exception_id, license_id, spdx_id};
pub use normalize::{license_ids, normalize, normalize_expr, Expr};

/// Longest idstring [`idstring`] keeps from the text before it shortens it.
const MAX_IDSTRING: usize = 64;

/// Text to the idstring of a `LicenseRef-` (letters, digits, `.` and `-` only; runs of anything
/// else become one `-`; `unknown` when nothing is left). Long text (a whole license pasted into
/// a metadata field) is cut to 64 characters and given a hash of the full text, so two texts
/// that start alike still get different ids.
pub fn idstring(text: &str) -> String {
    let text = text.trim();
    let mut out = String::new();
    let mut cut = false;
    for c in text.chars() {
        if out.len() >= MAX_IDSTRING {
            cut = true;
            break;
        }
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_matches(|c| c == '-' || c == '.').to_string();
    if cut {
        // FNV-1a: stable across platforms and releases, unlike std's hasher.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("-{:08x}", h & 0xffff_ffff));
    }
    if out.is_empty() {
        "unknown".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idstrings() {
        assert_eq!(idstring(" Public Domain "), "Public-Domain");
        assert_eq!(
            idstring("SEE LICENSE IN LICENSE.md"),
            "SEE-LICENSE-IN-LICENSE.md"
        );
        assert_eq!(idstring("(c) ACME."), "c-ACME");
        assert_eq!(idstring("***"), "unknown");
        let a = format!("MIT License {} Alice", "x".repeat(80));
        let b = format!("MIT License {} Bob", "x".repeat(80));
        let (ia, ib) = (idstring(&a), idstring(&b));
        assert_ne!(ia, ib);
        assert_eq!(ia.len(), 64 + 9);
        assert!(ia.starts_with("MIT-License-xxx"), "{ia}");
        assert_eq!(ia, idstring(&a));
    }
}
