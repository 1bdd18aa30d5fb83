//! Reading the host's files through a host root (`/` on the host itself, `/host` in a
//! container started with `-v /:/host:ro`). Absolute symlinks are resolved inside the root,
//! so `/host/var/run -> /run` reads the host's `/run`, not the container's.

use std::io::ErrorKind;
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};

/// Owner and mode of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// Owner uid.
    pub uid: u32,
    /// Group gid.
    pub gid: u32,
    /// Permission bits (`0o644`).
    pub mode: u32,
    /// Whether it is a directory.
    pub dir: bool,
}

/// What looking at a host file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe<T> {
    /// Found.
    Found(T),
    /// Not there.
    Missing,
    /// There, maybe, but not readable by this user (the reason).
    Denied(String),
}

/// The host's filesystem seen through a root directory.
#[derive(Debug, Clone)]
pub struct HostFs {
    root: PathBuf,
}

impl HostFs {
    /// Files under `root`.
    pub fn new(root: impl Into<PathBuf>) -> HostFs {
        HostFs { root: root.into() }
    }

    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where host path `p` is, symlinks resolved inside the root (at most 40 of them).
    pub fn resolve(&self, p: &str) -> PathBuf {
        let mut stack: Vec<String> = Vec::new();
        let mut pending: Vec<String> = components(p).into_iter().rev().collect();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            if part == ".." {
                stack.pop();
                continue;
            }
            stack.push(part);
            let here = self.join(&stack);
            let Ok(target) = std::fs::read_link(&here) else {
                continue;
            };
            hops += 1;
            if hops > 40 {
                break;
            }
            stack.pop();
            let t = target.to_string_lossy().to_string();
            if t.starts_with('/') {
                stack.clear();
            }
            for c in components(&t).into_iter().rev() {
                pending.push(c);
            }
        }
        self.join(&stack)
    }

    fn join(&self, parts: &[String]) -> PathBuf {
        let mut out = self.root.clone();
        for p in parts {
            out.push(p);
        }
        out
    }

    /// Owner and mode of host path `p`.
    pub fn stat(&self, p: &str) -> Probe<Stat> {
        match std::fs::metadata(self.resolve(p)) {
            Ok(m) => Probe::Found(Stat {
                uid: m.uid(),
                gid: m.gid(),
                mode: m.mode() & 0o7777,
                dir: m.is_dir(),
            }),
            Err(e) if e.kind() == ErrorKind::NotFound => Probe::Missing,
            Err(e) => Probe::Denied(format!("{p}: {e}")),
        }
    }

    /// Text of host file `p`.
    pub fn read(&self, p: &str) -> Probe<String> {
        match std::fs::read(self.resolve(p)) {
            Ok(b) => Probe::Found(String::from_utf8_lossy(&b).into_owned()),
            Err(e) if e.kind() == ErrorKind::NotFound => Probe::Missing,
            Err(e) => Probe::Denied(format!("{p}: {e}")),
        }
    }

    /// Names in host directory `p`, sorted.
    pub fn list(&self, p: &str) -> Probe<Vec<String>> {
        match std::fs::read_dir(self.resolve(p)) {
            Ok(rd) => {
                let mut v: Vec<String> = rd
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                v.sort();
                Probe::Found(v)
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Probe::Missing,
            Err(e) => Probe::Denied(format!("{p}: {e}")),
        }
    }
}

fn components(p: &str) -> Vec<String> {
    Path::new(p)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_symlinks_stay_inside_the_root() {
        let Ok(dir) = tempfile::tempdir() else { return };
        let r = dir.path();
        std::fs::create_dir_all(r.join("run")).ok();
        std::fs::create_dir_all(r.join("var")).ok();
        std::fs::write(r.join("run/x.sock"), "").ok();
        std::os::unix::fs::symlink("/run", r.join("var/run")).ok();
        let fs = HostFs::new(r);
        assert_eq!(fs.resolve("/var/run/x.sock"), r.join("run/x.sock"));
        assert_eq!(fs.resolve("/var/../../../etc"), r.join("etc"));
        assert!(matches!(fs.stat("/var/run/x.sock"), Probe::Found(_)));
        assert_eq!(fs.stat("/nope"), Probe::Missing);
    }
}
