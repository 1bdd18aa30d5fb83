//! The TARGET syntax shared by every verb.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A parsed target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `docker-archive:PATH`.
    DockerArchive(PathBuf),
    /// `oci:PATH[:tag|@digest]`.
    Oci {
        /// Layout directory or tar.
        path: PathBuf,
        /// Tag or digest inside the layout.
        reference: Option<String>,
    },
    /// `docker:NAME`, an image in the local Docker Engine.
    Docker(String),
    /// `registry:HOST/REPO[:tag|@digest]`.
    Registry(String),
    /// `rootfs:DIR`.
    Rootfs(PathBuf),
    /// `fs:DIR`.
    Fs(PathBuf),
}

/// Why a target string was refused.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// Empty after the prefix.
    #[error("target `{0}` names nothing after its prefix")]
    Empty(String),
    /// No prefix, not a path, and not an image reference.
    #[error("cannot tell what `{0}` is: give a prefix (docker-archive:, oci:, docker:, registry:, rootfs:, fs:)")]
    Unknown(String),
    /// A `--platform` that is not `os/arch[/variant]`.
    #[error("platform `{0}` is not os/arch[/variant]")]
    BadPlatform(String),
}

impl Target {
    /// Parse a target, guessing the kind from what the path is when no prefix is given.
    pub fn parse(s: &str) -> Result<Self, TargetError> {
        let nonempty = |rest: &str| {
            if rest.is_empty() {
                Err(TargetError::Empty(s.to_string()))
            } else {
                Ok(rest.to_string())
            }
        };
        if let Some(rest) = s.strip_prefix("docker-archive:") {
            return Ok(Target::DockerArchive(nonempty(rest)?.into()));
        }
        if let Some(rest) = s.strip_prefix("oci:") {
            let rest = nonempty(rest)?;
            return Ok(split_oci(&rest));
        }
        if let Some(rest) = s.strip_prefix("docker:") {
            return Ok(Target::Docker(nonempty(rest)?));
        }
        if let Some(rest) = s.strip_prefix("registry:") {
            return Ok(Target::Registry(nonempty(rest)?));
        }
        if let Some(rest) = s.strip_prefix("rootfs:") {
            return Ok(Target::Rootfs(nonempty(rest)?.into()));
        }
        if let Some(rest) = s.strip_prefix("fs:") {
            return Ok(Target::Fs(nonempty(rest)?.into()));
        }
        if s.is_empty() {
            return Err(TargetError::Empty(s.to_string()));
        }
        let path = Path::new(s);
        if path.is_dir() {
            if path.join("oci-layout").is_file() || path.join("index.json").is_file() {
                return Ok(Target::Oci {
                    path: path.into(),
                    reference: None,
                });
            }
            let looks_like_root = ["etc", "usr", "bin", "var"]
                .iter()
                .filter(|d| path.join(d).is_dir())
                .count()
                >= 2;
            return Ok(if looks_like_root {
                Target::Rootfs(path.into())
            } else {
                Target::Fs(path.into())
            });
        }
        if path.is_file() {
            return Ok(match sniff_tar(path) {
                Some(TarKind::OciLayout) => Target::Oci {
                    path: path.into(),
                    reference: None,
                },
                _ => Target::DockerArchive(path.into()),
            });
        }
        if looks_like_reference(s) {
            // The engine first, as `docker run` would; the CLI falls back to the registry.
            return Ok(Target::Docker(s.to_string()));
        }
        Err(TargetError::Unknown(s.to_string()))
    }
}

fn split_oci(rest: &str) -> Target {
    if Path::new(rest).exists() {
        return Target::Oci {
            path: rest.into(),
            reference: None,
        };
    }
    if let Some((p, d)) = rest.rsplit_once('@') {
        return Target::Oci {
            path: p.into(),
            reference: Some(d.to_string()),
        };
    }
    if let Some((p, t)) = rest.rsplit_once(':') {
        if !t.contains('/') && Path::new(p).exists() {
            return Target::Oci {
                path: p.into(),
                reference: Some(t.to_string()),
            };
        }
    }
    Target::Oci {
        path: rest.into(),
        reference: None,
    }
}

enum TarKind {
    DockerSave,
    OciLayout,
}

/// Look at the first members of a tar to tell `docker save` from an OCI layout tar.
fn sniff_tar(path: &Path) -> Option<TarKind> {
    let file = bulwark_input::open_unbounded(path, bulwark_input::DocKind::ImageArchive).ok()?;
    let mut archive = tar::Archive::new(file.take(64 << 20));
    let mut oci = false;
    for entry in archive.entries().ok()?.take(10_000) {
        let entry = entry.ok()?;
        let name = String::from_utf8_lossy(&entry.path_bytes())
            .trim_start_matches("./")
            .to_string();
        match name.as_str() {
            "manifest.json" => return Some(TarKind::DockerSave),
            "oci-layout" | "index.json" => oci = true,
            _ => {}
        }
    }
    oci.then_some(TarKind::OciLayout)
}

fn looks_like_reference(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('/')
        && !s.starts_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "./:-_@".contains(c))
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::DockerArchive(p) => write!(f, "docker-archive:{}", p.display()),
            Target::Oci { path, reference } => {
                write!(f, "oci:{}", path.display())?;
                match reference {
                    Some(r) if r.contains(':') => write!(f, "@{r}"),
                    Some(r) => write!(f, ":{r}"),
                    None => Ok(()),
                }
            }
            Target::Docker(n) => write!(f, "docker:{n}"),
            Target::Registry(r) => write!(f, "registry:{r}"),
            Target::Rootfs(p) => write!(f, "rootfs:{}", p.display()),
            Target::Fs(p) => write!(f, "fs:{}", p.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(
            Target::parse("docker:alpine:3").unwrap(),
            Target::Docker("alpine:3".into())
        );
        assert_eq!(
            Target::parse("registry:localhost:5000/a/b@sha256:00").unwrap(),
            Target::Registry("localhost:5000/a/b@sha256:00".into())
        );
        assert_eq!(
            Target::parse("oci:/nonexistent/x:v1").unwrap(),
            Target::Oci {
                path: "/nonexistent/x:v1".into(),
                reference: None
            }
        );
        assert_eq!(
            Target::parse("oci:/nonexistent/x@sha256:ab").unwrap(),
            Target::Oci {
                path: "/nonexistent/x".into(),
                reference: Some("sha256:ab".into())
            }
        );
        assert!(matches!(
            Target::parse("docker:"),
            Err(TargetError::Empty(_))
        ));
        assert_eq!(
            Target::parse("debian:12").unwrap(),
            Target::Docker("debian:12".into())
        );
        assert!(matches!(
            Target::parse("/no/such/path"),
            Err(TargetError::Unknown(_))
        ));
    }

    #[test]
    fn oci_tag_on_existing_dir() {
        let dir = tempfile::tempdir().unwrap();
        let arg = format!("oci:{}:v1", dir.path().display());
        assert_eq!(
            Target::parse(&arg).unwrap(),
            Target::Oci {
                path: dir.path().into(),
                reference: Some("v1".into())
            }
        );
        let _ = TarKind::DockerSave;
    }
}
