//! The SPDX license list: license and exception identifiers, deprecated ones marked.
//!
//! `spdx-license-ids.txt` has one identifier a line, followed by `exception` for license
//! exceptions (the right side of `WITH`) and `deprecated` for ids the SPDX list keeps only for
//! old documents (`GPL-2.0`, `GPL-2.0+`...). The identifiers are the enum of CycloneDX's
//! `spdx.schema.json` (SPDX license list 3.28.0, as bundled by cyclonedx-python-lib,
//! Apache-2.0), so every id Bulwark writes as a CycloneDX `license.id` passes the strict
//! validator; the flags follow the SPDX list (via the scancode-licensedb index that the
//! `license-expression` Python package bundles, CC-BY-4.0).

use std::collections::HashMap;
use std::sync::OnceLock;

const LIST: &str = include_str!("spdx-license-ids.txt");

/// One identifier of the list.
#[derive(Debug, Clone, Copy)]
struct Entry {
    id: &'static str,
    exception: bool,
    deprecated: bool,
}

struct List {
    entries: Vec<Entry>,
    /// Lower-cased id -> index in `entries` (SPDX ids are matched case-insensitively).
    by_lower: HashMap<String, usize>,
}

fn list() -> &'static List {
    static LIST_CELL: OnceLock<List> = OnceLock::new();
    LIST_CELL.get_or_init(|| {
        let mut entries: Vec<Entry> = LIST
            .lines()
            .filter_map(|line| {
                let mut words = line.split_whitespace();
                let id = words.next()?;
                let mut e = Entry {
                    id,
                    exception: false,
                    deprecated: false,
                };
                for flag in words {
                    match flag {
                        "exception" => e.exception = true,
                        "deprecated" => e.deprecated = true,
                        _ => {}
                    }
                }
                Some(e)
            })
            .collect();
        entries.sort_unstable_by_key(|e| e.id);
        let by_lower = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.to_ascii_lowercase(), i))
            .collect();
        List { entries, by_lower }
    })
}

fn lookup(id: &str) -> Option<Entry> {
    let l = list();
    l.by_lower
        .get(&id.to_ascii_lowercase())
        .and_then(|&i| l.entries.get(i))
        .copied()
}

/// The list's spelling of `id` (matched case-insensitively, as SPDX allows) when it is any
/// listed identifier: a license or an exception, deprecated ones included (they are still
/// valid in SPDX documents and CycloneDX `license.id`).
pub fn spdx_id(id: &str) -> Option<&'static str> {
    lookup(id).map(|e| e.id)
}

/// The list's spelling of `id` when it is a current (not deprecated) license identifier; the
/// ids the normaliser emits.
pub fn license_id(id: &str) -> Option<&'static str> {
    lookup(id)
        .filter(|e| !e.exception && !e.deprecated)
        .map(|e| e.id)
}

/// The list's spelling of `id` when it is a current (not deprecated) license exception
/// identifier (`Classpath-exception-2.0`).
pub fn exception_id(id: &str) -> Option<&'static str> {
    lookup(id)
        .filter(|e| e.exception && !e.deprecated)
        .map(|e| e.id)
}

/// Every current license identifier, sorted.
pub(crate) fn license_ids_listed() -> impl Iterator<Item = &'static str> {
    list()
        .entries
        .iter()
        .filter(|e| !e.exception && !e.deprecated)
        .map(|e| e.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_read_with_its_flags() {
        let l = list();
        assert_eq!(l.entries.len(), 811);
        // Case-insensitively unique, or lookups would be ambiguous.
        assert_eq!(l.by_lower.len(), l.entries.len());
        assert_eq!(spdx_id("gpl-2.0+"), Some("GPL-2.0+"));
        assert_eq!(license_id("gpl-2.0+"), None);
        assert_eq!(license_id("gpl-2.0-only"), Some("GPL-2.0-only"));
        assert_eq!(license_id("Classpath-exception-2.0"), None);
        assert_eq!(
            exception_id("classpath-exception-2.0"),
            Some("Classpath-exception-2.0")
        );
        assert_eq!(exception_id("MIT"), None);
        assert_eq!(
            spdx_id("Nokia-Qt-exception-1.1"),
            Some("Nokia-Qt-exception-1.1")
        );
        assert_eq!(exception_id("Nokia-Qt-exception-1.1"), None);
        assert_eq!(license_ids_listed().count(), 811 - 85 - 32);
    }
}
