//! Walking a directory on disk (`rootfs:` and `fs:` targets) as a single layer.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::error::{WalkError, WalkErrorKind};
use crate::view::{FileView, Node, NodeKind};
use crate::walker::Limits;
use crate::{Captured, EntryMeta, LayerInfo, Visitor, WalkResult};

/// Walk the tree under `root` as if it were a one-layer image whose root is `root`. Symlinks are
/// recorded, never followed; nothing outside `root` is read.
pub fn walk_dir<V: Visitor>(
    visitor: &V,
    limits: &Limits,
    root: &Path,
) -> Result<WalkResult<V::Output>, WalkError> {
    let mut view = FileView::new();
    let mut captured = Vec::new();
    let mut count: u64 = 0;
    let mut stack = vec![(root.to_path_buf(), String::new())];
    let io_err =
        |path: &str, e: std::io::Error| WalkError::new(WalkErrorKind::Io(e)).at_entry(path);
    while let Some((dir, rel)) = stack.pop() {
        let mut children: Vec<_> = fs::read_dir(&dir)
            .map_err(|e| io_err(if rel.is_empty() { "/" } else { &rel }, e))?
            .collect::<Result<_, _>>()
            .map_err(|e| io_err(&rel, e))?;
        children.sort_by_key(|c| c.file_name());
        for child in children {
            count += 1;
            if count > limits.max_entries {
                return Err(WalkErrorKind::TooManyEntries(limits.max_entries).into());
            }
            let name = child.file_name().to_string_lossy().into_owned();
            let path = format!("{rel}/{name}");
            let meta = fs::symlink_metadata(child.path()).map_err(|e| io_err(&path, e))?;
            let mode = mode_of(&meta);
            let ft = meta.file_type();
            let kind = if ft.is_dir() {
                stack.push((child.path(), path.clone()));
                NodeKind::Dir
            } else if ft.is_symlink() {
                let target = fs::read_link(child.path()).map_err(|e| io_err(&path, e))?;
                NodeKind::Symlink(target.to_string_lossy().into_owned())
            } else if ft.is_file() {
                NodeKind::File
            } else {
                NodeKind::Other
            };
            let size = if kind == NodeKind::File {
                meta.len()
            } else {
                0
            };
            if kind == NodeKind::File {
                let entry = EntryMeta {
                    path: &path,
                    size,
                    mode,
                    layer: 0,
                };
                if size <= limits.max_read_bytes && visitor.wants(&entry) {
                    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                    fs::File::open(child.path())
                        .and_then(|f| f.take(limits.max_read_bytes).read_to_end(&mut data))
                        .map_err(|e| io_err(&path, e))?;
                    let output = visitor.visit(&entry, &data);
                    captured.push(Captured {
                        path: path.clone(),
                        layer: 0,
                        visible: true,
                        output,
                    });
                }
            }
            view.insert(
                path,
                Node {
                    kind,
                    size,
                    mode,
                    layer: 0,
                },
            );
        }
    }
    Ok(WalkResult {
        layers: vec![LayerInfo {
            index: 0,
            ..LayerInfo::default()
        }],
        view,
        captured,
    })
}

#[cfg(unix)]
fn mode_of(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(meta: &fs::Metadata) -> u32 {
    if meta.permissions().readonly() {
        0o444
    } else {
        0o644
    }
}
