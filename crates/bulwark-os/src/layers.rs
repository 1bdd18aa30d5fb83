//! Which layer introduced a package, from the copies of its database file in the layers.
//!
//! A package database (`/var/lib/dpkg/status`, `lib/apk/db/installed`, the rpmdb) is rewritten by
//! every layer that installs anything, so it appears in many layers. A package's layer is the
//! earliest layer `L` such that every copy of the database from `L` up to the visible one lists
//! the package at the same version: the layer that installed it, or last upgraded it.

use std::collections::HashMap;
use std::hash::Hash;

/// The copies of one database file, in layer order, each reduced to `key -> version`.
pub struct DbHistory<K> {
    copies: Vec<(usize, HashMap<K, String>)>,
}

impl<K: Eq + Hash> DbHistory<K> {
    /// A history from `(layer, key -> version)` copies. Copies above the visible one must
    /// already be excluded by the caller (they cannot exist unless the file was deleted).
    pub fn new(mut copies: Vec<(usize, HashMap<K, String>)>) -> Self {
        copies.sort_by_key(|(layer, _)| *layer);
        DbHistory { copies }
    }

    /// The layer that introduced `key` at `version`, or `None` when the newest copy does not
    /// list it at that version.
    pub fn layer_of(&self, key: &K, version: &str) -> Option<usize> {
        let mut found = None;
        for (layer, map) in self.copies.iter().rev() {
            if map.get(key).is_some_and(|v| v == version) {
                found = Some(*layer);
            } else {
                break;
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_unbroken_layer() {
        let m = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let h = DbHistory::new(vec![
            (3, m(&[("a", "1"), ("b", "2"), ("c", "1")])),
            (0, m(&[("a", "1"), ("b", "1")])),
            (1, m(&[("a", "1")])),
            (2, m(&[("a", "1"), ("b", "2")])),
        ]);
        assert_eq!(h.layer_of(&"a".to_string(), "1"), Some(0));
        // b was removed in layer 1 and re-installed at a new version in layer 2.
        assert_eq!(h.layer_of(&"b".to_string(), "2"), Some(2));
        assert_eq!(h.layer_of(&"c".to_string(), "1"), Some(3));
        assert_eq!(h.layer_of(&"c".to_string(), "9"), None);
    }
}
