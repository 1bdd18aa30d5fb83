//! Distribution detection: `os-release` and the older release files, Ubuntu Pro/ESM markers,
//! distroless images, and a small end-of-life table.

use std::collections::BTreeMap;

use bulwark_catalog::distro::debian_release_of;
use bulwark_catalog::{CatalogContext, Cataloger, Distro, EntryMeta, Hit, Parsed, Stage};

/// Family, release and end-of-life rules live next to [`Distro`] in `bulwark-catalog`, so the
/// SBOM readers apply the same ones without depending on this crate; re-exported here for
/// callers of the old paths.
pub use bulwark_catalog::distro::{eol_of, finalize};

/// The files this cataloger reads, in order of preference for the release itself.
const OS_RELEASE: &str = "/etc/os-release";
const USR_OS_RELEASE: &str = "/usr/lib/os-release";
const FALLBACK_FILES: &[&str] = &[
    "/etc/alpine-release",
    "/etc/redhat-release",
    "/etc/system-release",
    "/etc/SuSE-release",
    "/etc/debian_version",
];
const UA_STATUS: &str = "/var/lib/ubuntu-advantage/status.json";
const APT_SOURCES_DIR: &str = "/etc/apt/sources.list.d/";

/// Release files are small; anything bigger is not one.
const MAX_RELEASE_FILE: u64 = 64 * 1024;
/// The Ubuntu Pro status file can list many services but stays small.
const MAX_UA_STATUS: u64 = 4 * 1024 * 1024;

/// What `read` keeps from each file.
#[derive(Debug, Clone)]
enum DistroFile {
    /// `KEY=value` pairs of an os-release file.
    OsRelease(BTreeMap<String, String>),
    /// First line of an older release file.
    Line(String),
    /// Ubuntu Pro status: attached, and the enabled ESM services.
    UaStatus {
        attached: bool,
        enabled: Vec<String>,
    },
    /// An apt source list that points at Ubuntu ESM.
    EsmSource,
    /// Nothing usable.
    Unusable,
}

/// Finds the distribution ([`Stage::Distro`]).
#[derive(Debug, Default)]
pub struct DistroCataloger;

impl Cataloger for DistroCataloger {
    fn name(&self) -> &'static str {
        "distro"
    }

    fn stage(&self) -> Stage {
        Stage::Distro
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        let p = entry.path;
        if p == OS_RELEASE || p == USR_OS_RELEASE || FALLBACK_FILES.contains(&p) {
            return entry.size <= MAX_RELEASE_FILE;
        }
        if p == UA_STATUS {
            return entry.size <= MAX_UA_STATUS;
        }
        if let Some(name) = p.strip_prefix(APT_SOURCES_DIR) {
            return name.contains("esm") && entry.size <= MAX_RELEASE_FILE;
        }
        false
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        let text = String::from_utf8_lossy(data);
        let parsed = if entry.path == OS_RELEASE || entry.path == USR_OS_RELEASE {
            DistroFile::OsRelease(parse_os_release(&text))
        } else if entry.path == UA_STATUS {
            parse_ua_status(data)
        } else if entry.path.starts_with(APT_SOURCES_DIR) {
            if text.contains("esm.ubuntu.com") {
                DistroFile::EsmSource
            } else {
                DistroFile::Unusable
            }
        } else {
            match text.lines().map(str::trim).find(|l| !l.is_empty()) {
                Some(line) => DistroFile::Line(line.to_string()),
                None => DistroFile::Unusable,
            }
        };
        Box::new(parsed)
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<Hit>) {
        let mut files: BTreeMap<String, DistroFile> = BTreeMap::new();
        for hit in hits {
            if !hit.visible {
                continue;
            }
            if let Ok(f) = hit.parsed.downcast::<DistroFile>() {
                files.insert(hit.path, *f);
            }
        }
        // /etc/os-release is usually a symlink to ../usr/lib/os-release: whichever file the view
        // resolves it to is the one a container sees.
        let visible_os_release = ctx
            .view
            .resolve(OS_RELEASE)
            .map(|(p, _)| p)
            .filter(|p| files.contains_key(p))
            .or_else(|| {
                // No resolution (a view without directory nodes, or a dangling link): prefer
                // /etc, as os-release(5) tells readers to.
                [OS_RELEASE, USR_OS_RELEASE]
                    .into_iter()
                    .find(|p| files.contains_key(*p))
                    .map(str::to_string)
            });
        let mut distro = visible_os_release.and_then(|path| match files.get(&path) {
            Some(DistroFile::OsRelease(map)) => from_os_release(map, &path),
            _ => None,
        });
        if distro.is_none() {
            distro = FALLBACK_FILES
                .iter()
                .find_map(|path| match files.get(*path) {
                    Some(DistroFile::Line(line)) => from_release_line(path, line),
                    _ => None,
                });
        }
        let has_status_d = ctx
            .view
            .iter_under("/var/lib/dpkg/status.d")
            .next()
            .is_some();
        let has_status = ctx.view.get("/var/lib/dpkg/status").is_some();
        if distro.is_none() && has_status_d {
            distro = Some(finalize(Distro {
                id: "debian".into(),
                found_in: "/var/lib/dpkg/status.d".into(),
                ..Distro::default()
            }));
        }
        let Some(mut d) = distro else {
            return;
        };
        if has_status_d && !has_status && d.family == "debian" {
            push_marker(&mut d, "distroless");
        }
        if d.pretty_name
            .as_deref()
            .is_some_and(|p| p.contains("Distroless"))
        {
            push_marker(&mut d, "distroless");
        }
        for (path, f) in &files {
            match f {
                DistroFile::UaStatus { attached, enabled } if path == UA_STATUS => {
                    if *attached {
                        push_marker(&mut d, "ubuntu-pro");
                    }
                    for s in enabled {
                        push_marker(&mut d, s);
                    }
                }
                DistroFile::EsmSource => push_marker(&mut d, "esm"),
                _ => {}
            }
        }
        ctx.distro = Some(d);
    }
}

fn push_marker(d: &mut Distro, m: &str) {
    if !d.markers.iter().any(|x| x == m) {
        d.markers.push(m.to_string());
        d.markers.sort();
    }
}

/// Parse `KEY=value` lines (values optionally quoted, shell-style escapes for `"`, `\`, `$`,
/// backquote), as os-release(5) specifies. Hand-written: the format is a few lines of shell
/// assignments and no maintained crate handles its quoting rules exactly.
pub fn parse_os_release(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let value = if let Some(inner) = v
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .filter(|_| v.len() >= 2)
        {
            let mut s = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        s.push(n);
                    }
                } else {
                    s.push(c);
                }
            }
            s
        } else if let Some(inner) = v
            .strip_prefix('\'')
            .and_then(|s| s.strip_suffix('\''))
            .filter(|_| v.len() >= 2)
        {
            inner.to_string()
        } else {
            v.to_string()
        };
        out.insert(k.trim().to_string(), value);
    }
    out
}

fn parse_ua_status(data: &[u8]) -> DistroFile {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else {
        return DistroFile::Unusable;
    };
    let attached = v
        .get("attached")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    let mut enabled = Vec::new();
    if let Some(services) = v.get("services").and_then(|s| s.as_array()) {
        for s in services {
            let name = s.get("name").and_then(|n| n.as_str()).unwrap_or("");
            let status = s.get("status").and_then(|n| n.as_str()).unwrap_or("");
            if name.starts_with("esm-") && status == "enabled" {
                enabled.push(name.to_string());
            }
        }
    }
    DistroFile::UaStatus { attached, enabled }
}

fn from_os_release(map: &BTreeMap<String, String>, path: &str) -> Option<Distro> {
    let id = map.get("ID")?.trim().to_ascii_lowercase();
    if id.is_empty() {
        return None;
    }
    let nonempty = |k: &str| map.get(k).filter(|v| !v.is_empty()).cloned();
    let mut d = Distro {
        id,
        id_like: map
            .get("ID_LIKE")
            .map(|s| s.split_whitespace().map(str::to_ascii_lowercase).collect())
            .unwrap_or_default(),
        version_id: nonempty("VERSION_ID"),
        codename: nonempty("VERSION_CODENAME").or_else(|| nonempty("UBUNTU_CODENAME")),
        pretty_name: nonempty("PRETTY_NAME"),
        found_in: path.to_string(),
        ..Distro::default()
    };
    // Debian testing/sid os-release has no VERSION_ID; the codename is in VERSION_CODENAME or
    // only in PRETTY_NAME ("Debian GNU/Linux trixie/sid").
    if d.id == "debian" && d.codename.is_none() {
        d.codename = d.pretty_name.as_deref().and_then(|p| {
            let last = p.split_whitespace().last()?;
            let code = last.split('/').next()?;
            debian_release_of(code).map(|_| code.to_string())
        });
    }
    Some(finalize(d))
}

/// Distribution from the first line of a pre-os-release file.
fn from_release_line(path: &str, line: &str) -> Option<Distro> {
    let lower = line.to_ascii_lowercase();
    let version = first_version(line);
    let (id, version_id, codename) = match path {
        "/etc/alpine-release" => ("alpine", version, None),
        "/etc/debian_version" => {
            if version.is_some() {
                ("debian", version, None)
            } else {
                // "bookworm/sid": testing, known only by codename.
                let code = line.split('/').next().map(str::trim).map(str::to_string);
                ("debian", None, code)
            }
        }
        "/etc/SuSE-release" if lower.contains("opensuse") => ("opensuse-leap", version, None),
        "/etc/SuSE-release" => ("sles", version, None),
        _ if lower.starts_with("red hat enterprise linux") => ("rhel", version, None),
        _ if lower.starts_with("centos") => ("centos", version, None),
        _ if lower.starts_with("rocky") => ("rocky", version, None),
        _ if lower.starts_with("almalinux") => ("almalinux", version, None),
        _ if lower.starts_with("oracle linux") => ("ol", version, None),
        _ if lower.starts_with("fedora") => ("fedora", version, None),
        _ if lower.starts_with("amazon linux") => ("amzn", version, None),
        _ => return None,
    };
    Some(finalize(Distro {
        id: id.to_string(),
        version_id,
        codename,
        pretty_name: Some(line.to_string()),
        found_in: path.to_string(),
        ..Distro::default()
    }))
}

/// The first token that starts with a digit (`8.9` in `Rocky Linux release 8.9 (Green
/// Obsidian)`).
fn first_version(line: &str) -> Option<String> {
    line.split_whitespace()
        .find(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        .map(|t| t.trim_end_matches([',', ')']).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_lines() {
        let d = from_release_line(
            "/etc/redhat-release",
            "Rocky Linux release 8.9 (Green Obsidian)",
        )
        .unwrap();
        assert_eq!(
            (d.id.as_str(), d.family.as_str(), d.release.as_deref()),
            ("rocky", "redhat", Some("8"))
        );
        assert_eq!(d.eol.as_deref(), Some("2029-05-31"));
        let d =
            from_release_line("/etc/system-release", "Amazon Linux AMI release 2018.03").unwrap();
        assert_eq!((d.id.as_str(), d.release.as_deref()), ("amzn", Some("1")));
        let d = from_release_line("/etc/debian_version", "bookworm/sid").unwrap();
        assert_eq!(
            (d.codename.as_deref(), d.release.as_deref()),
            (Some("bookworm"), Some("12"))
        );
        let d = from_release_line("/etc/alpine-release", "3.18.4").unwrap();
        assert_eq!(
            (d.release.as_deref(), d.eol.as_deref()),
            (Some("3.18"), Some("2025-05-09"))
        );
    }

    #[test]
    fn debian_testing_without_version_id() {
        let m = parse_os_release(
            "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nNAME=\"Debian GNU/Linux\"\nID=debian\n",
        );
        let d = from_os_release(&m, OS_RELEASE).unwrap();
        assert_eq!(
            (
                d.codename.as_deref(),
                d.release.as_deref(),
                d.eol.as_deref()
            ),
            (Some("trixie"), Some("13"), Some("2028-08-09"))
        );
        let m = parse_os_release("ID=alpine\nVERSION_ID=3.20.0_alpha20240329\n");
        let d = from_os_release(&m, OS_RELEASE).unwrap();
        assert_eq!(d.release.as_deref(), Some("edge"));
        let m = parse_os_release("ID=linuxmint\nID_LIKE=\"ubuntu debian\"\nVERSION_ID=21.3\n");
        let d = from_os_release(&m, OS_RELEASE).unwrap();
        assert_eq!(d.family, "debian");
        assert!(from_os_release(&parse_os_release("NAME=x\n"), OS_RELEASE).is_none());
    }

    #[test]
    fn os_release_quoting() {
        let m = parse_os_release("ID=\"rhel\"\nVERSION_ID='9.2'\n# c\nNAME=\"a \\\"b\\\"\"\n");
        assert_eq!(m.get("ID").map(String::as_str), Some("rhel"));
        assert_eq!(m.get("VERSION_ID").map(String::as_str), Some("9.2"));
        assert_eq!(m.get("NAME").map(String::as_str), Some("a \"b\""));
    }
}
