//! The resolved file view of an image: what a container started from it would see.

use std::collections::BTreeMap;

use serde::Serialize;

/// Maximum symlink hops followed by [`FileView::resolve`] before giving up (the kernel's own
/// limit is 40).
pub const MAX_SYMLINK_HOPS: usize = 40;

/// The kind of a node in the file view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "target")]
pub enum NodeKind {
    /// A regular file (or a hard link resolved to one).
    File,
    /// A directory.
    Dir,
    /// A symbolic link with its (unresolved) target as stored in the archive.
    Symlink(String),
    /// Anything else a container filesystem may hold (devices, fifos).
    Other,
}

/// One visible path in the final view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// The kind of node.
    #[serde(flatten)]
    pub kind: NodeKind,
    /// Size in bytes (0 for anything but files).
    pub size: u64,
    /// Unix permission bits and type bits as stored (`0o755`, ...).
    pub mode: u32,
    /// Index of the layer that wrote this node last.
    pub layer: usize,
}

/// The final, merged view of all layers: whiteouts applied, opaque directories honoured.
///
/// Paths are absolute, normalised (`/usr/lib/os-release`), without trailing slash; the root is `/`.
#[derive(Debug, Clone, Default)]
pub struct FileView {
    nodes: BTreeMap<String, Node>,
}

impl FileView {
    /// An empty view (only the root directory).
    pub fn new() -> Self {
        Self::default()
    }

    /// Insert or replace a node (used by the walker while merging layers, and by tests).
    pub fn insert(&mut self, path: String, node: Node) {
        self.nodes.insert(path, node);
    }

    /// Remove one path and everything below it (a whiteout).
    pub fn remove_tree(&mut self, path: &str) {
        self.nodes.remove(path);
        self.remove_children(path);
    }

    /// Remove everything below `dir` but keep `dir` itself (an opaque directory).
    pub fn remove_children(&mut self, dir: &str) {
        let prefix = if dir == "/" {
            "/".to_string()
        } else {
            format!("{dir}/")
        };
        let doomed: Vec<String> = self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.nodes.remove(&k);
        }
    }

    /// The node stored at exactly `path`, without following symlinks.
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    /// Whether `path` (exactly, no symlink resolution) is visible and was written by `layer`.
    pub fn is_visible(&self, path: &str, layer: usize) -> bool {
        self.nodes.get(path).is_some_and(|n| n.layer == layer)
    }

    /// Resolve `path` by following symlinks in every component, never leaving the image root
    /// (`..` at the root stays at the root, absolute targets are taken relative to the image root,
    /// exactly as the kernel does inside a chroot). Returns the resolved path and its node, or
    /// `None` when the path does not exist or the link chain is too long.
    pub fn resolve(&self, path: &str) -> Option<(String, &Node)> {
        let resolved = self.resolve_path(path, 0)?;
        let node = self.nodes.get(&resolved)?;
        Some((resolved, node))
    }

    fn resolve_path(&self, path: &str, depth: usize) -> Option<String> {
        if depth > MAX_SYMLINK_HOPS {
            return None;
        }
        let mut current = String::from("/");
        let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        let mut hops = depth;
        let mut pending: Vec<String> = comps.iter().rev().map(|s| s.to_string()).collect();
        while let Some(comp) = pending.pop() {
            match comp.as_str() {
                "." => continue,
                ".." => {
                    current = parent_of(&current);
                    continue;
                }
                _ => {}
            }
            let candidate = join(&current, &comp);
            match self.nodes.get(&candidate).map(|n| &n.kind) {
                Some(NodeKind::Symlink(target)) => {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return None;
                    }
                    if target.starts_with('/') {
                        current = "/".to_string();
                    }
                    for c in target.split('/').filter(|c| !c.is_empty()).rev() {
                        pending.push(c.to_string());
                    }
                }
                Some(_) => current = candidate,
                // Missing: layer tars may omit parent directory entries, so a missing
                // intermediate component is taken as a plain directory; the final lookup
                // decides whether the path exists.
                None => current = candidate,
            }
        }
        Some(current)
    }

    /// Iterate over all visible nodes in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.nodes.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Iterate over visible nodes below `dir` (recursively), in path order.
    pub fn iter_under<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a str, &'a Node)> + 'a {
        let prefix = if dir == "/" || dir.is_empty() {
            "/".to_string()
        } else {
            format!("{}/", dir.trim_end_matches('/'))
        };
        self.nodes
            .range(prefix.clone()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .map(|(k, v)| (k.as_str(), v))
    }

    /// Number of visible nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the view holds no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

fn parent_of(path: &str) -> String {
    match path.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => path[..i].to_string(),
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// Normalise a path as found in an archive (`./usr//lib/`, `usr/lib`) to the view's form
/// (`/usr/lib`). Returns `None` when the path tries to climb above the root (`../etc/passwd`),
/// which the walker reports as a traversal attempt.
pub fn normalize_entry_path(raw: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for comp in raw.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            c => out.push(c),
        }
    }
    if out.is_empty() {
        return Some("/".to_string());
    }
    Some(format!("/{}", out.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(layer: usize) -> Node {
        Node {
            kind: NodeKind::File,
            size: 1,
            mode: 0o644,
            layer,
        }
    }
    fn link(t: &str) -> Node {
        Node {
            kind: NodeKind::Symlink(t.to_string()),
            size: 0,
            mode: 0o777,
            layer: 0,
        }
    }

    #[test]
    fn normalizes_and_rejects_traversal() {
        assert_eq!(
            normalize_entry_path("./usr//lib/").as_deref(),
            Some("/usr/lib")
        );
        assert_eq!(normalize_entry_path("a/../b").as_deref(), Some("/b"));
        assert_eq!(normalize_entry_path("../etc/passwd"), None);
        assert_eq!(normalize_entry_path("a/../../etc"), None);
        assert_eq!(normalize_entry_path("/").as_deref(), Some("/"));
    }

    #[test]
    fn resolves_symlinks_inside_root() {
        let mut v = FileView::new();
        v.insert("/usr/lib/os-release".into(), file(1));
        v.insert("/etc/os-release".into(), link("../usr/lib/os-release"));
        v.insert("/lib".into(), link("usr/lib"));
        v.insert("/escape".into(), link("../../../../usr/lib/os-release"));
        v.insert("/abs".into(), link("/usr/lib/os-release"));
        v.insert("/loop".into(), link("/loop"));
        assert_eq!(
            v.resolve("/etc/os-release").unwrap().0,
            "/usr/lib/os-release"
        );
        assert_eq!(
            v.resolve("/lib/os-release").unwrap().0,
            "/usr/lib/os-release"
        );
        assert_eq!(v.resolve("/escape").unwrap().0, "/usr/lib/os-release");
        assert_eq!(v.resolve("/abs").unwrap().0, "/usr/lib/os-release");
        assert!(v.resolve("/loop").is_none());
        assert!(v.resolve("/missing/x").is_none());
    }

    #[test]
    fn whiteouts_and_opaque() {
        let mut v = FileView::new();
        v.insert("/a".into(), file(0));
        v.insert("/a/b".into(), file(0));
        v.insert("/ab".into(), file(0));
        v.remove_children("/a");
        assert!(v.get("/a").is_some());
        assert!(v.get("/a/b").is_none());
        assert!(v.get("/ab").is_some());
        v.remove_tree("/ab");
        assert!(v.get("/ab").is_none());
    }
}
