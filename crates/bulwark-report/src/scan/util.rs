//! Helpers the scan writers share: grouping findings by the file they came from, ordering and
//! short labels.

use std::cmp::Ordering;

use bulwark_catalog::PackageKind;

use super::{kind_name, LayerRef, Origin, PackageRef, VulnFinding};
use crate::Severity;

/// File names that are lockfiles or dependency manifests (a package read from one of these was
/// declared, not necessarily installed).
const LOCKFILES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "poetry.lock",
    "Pipfile.lock",
    "pdm.lock",
    "uv.lock",
    "requirements.txt",
    "go.mod",
    "go.sum",
    "Gemfile.lock",
    "composer.lock",
    "packages.lock.json",
    "packages.config",
    "pom.xml",
    "gradle.lockfile",
    "conan.lock",
    "mix.lock",
    "pubspec.lock",
];

/// What kind of file a group of packages was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SourceKind {
    /// The operating system's package database (dpkg status, apk installed, rpmdb).
    PackageDb,
    /// Installed language packages (site-packages, node_modules, gem specifications).
    Installed,
    /// A lockfile or dependency manifest.
    Lockfile,
    /// An archive (jar, war, wheel, egg).
    Archive,
    /// A binary (embedded module or build info, or a runtime found outside package managers).
    Binary,
}

impl SourceKind {
    /// Label for people.
    pub(crate) fn label(self) -> &'static str {
        match self {
            SourceKind::PackageDb => "package database",
            SourceKind::Installed => "installed packages",
            SourceKind::Lockfile => "lockfile",
            SourceKind::Archive => "archive",
            SourceKind::Binary => "binary",
        }
    }
}

/// The group a package belongs to: installed language packages are grouped by their
/// `site-packages` / `node_modules` directory (one `METADATA` file per package would make one
/// group per package), everything else by the file it was read from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Group {
    /// What kind of file it is.
    pub kind: SourceKind,
    /// The file (or directory for installed packages).
    pub path: String,
}

impl Group {
    /// The group of a package read from `found_in`.
    pub(crate) fn of(kind: PackageKind, found_in: &str) -> Group {
        // Nested archives (`outer.jar!/inner.jar`) belong to the outermost file.
        let outer = found_in.split('!').next().unwrap_or(found_in);
        if kind.is_os() {
            return Group {
                kind: SourceKind::PackageDb,
                path: found_in.to_string(),
            };
        }
        for dir in [
            "site-packages",
            "dist-packages",
            "node_modules",
            "specifications",
        ] {
            let marker = format!("/{dir}/");
            if let Some(pos) = outer.find(&marker) {
                return Group {
                    kind: SourceKind::Installed,
                    path: outer[..pos + marker.len() - 1].to_string(),
                };
            }
        }
        let file = outer.rsplit('/').next().unwrap_or(outer);
        let lower = file.to_ascii_lowercase();
        let kind = if LOCKFILES.contains(&file) || lower.ends_with(".csproj") {
            SourceKind::Lockfile
        } else if [
            ".jar", ".war", ".ear", ".whl", ".egg", ".par", ".hpi", ".jpi", ".nupkg",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
        {
            SourceKind::Archive
        } else if matches!(
            file,
            "package.json" | "METADATA" | "PKG-INFO" | "composer.json"
        ) || lower.ends_with(".gemspec")
        {
            SourceKind::Installed
        } else {
            SourceKind::Binary
        };
        Group {
            kind,
            path: outer.to_string(),
        }
    }

    /// The group of a finding's package.
    pub(crate) fn of_ref(p: &PackageRef) -> Group {
        Group::of(p.kind, &p.found_in)
    }
}

/// Most severe first, then package, version, id: the order every writer lists findings in.
pub(crate) fn finding_order(a: &VulnFinding, b: &VulnFinding) -> Ordering {
    b.severity
        .cmp(&a.severity)
        .then(b.kev.cmp(&a.kev))
        .then_with(|| a.package.name.cmp(&b.package.name))
        .then_with(|| a.package.version.cmp(&b.package.version))
        .then_with(|| a.id.cmp(&b.id))
        .then_with(|| a.package.found_in.cmp(&b.package.found_in))
}

/// All severities, most severe first.
pub(crate) const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Unknown,
];

/// `base`, `own` or `unknown`.
pub(crate) fn origin_name(o: Origin) -> &'static str {
    match o {
        Origin::Base => "base",
        Origin::Own => "own",
        Origin::Unknown => "unknown",
    }
}

/// Short origin label with the layer index: `base L0`, `own L3`, `-`.
pub(crate) fn origin_short(o: Origin, layer: Option<&LayerRef>) -> String {
    let name = match o {
        Origin::Base => "base",
        Origin::Own => "own",
        Origin::Unknown => "",
    };
    match (name, layer) {
        ("", None) => "-".to_string(),
        ("", Some(l)) => format!("L{}", l.index),
        (n, None) => n.to_string(),
        (n, Some(l)) => format!("{n} L{}", l.index),
    }
}

/// The highest CVSS base score among a finding's assessments.
pub(crate) fn max_score(v: &VulnFinding) -> Option<f64> {
    v.cvss
        .iter()
        .filter_map(|c| c.score)
        .filter(|s| s.is_finite())
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
}

/// `deb`, `python`...
pub(crate) fn kind_label(kind: PackageKind) -> String {
    kind_name(kind)
}

/// Whether `s` is an absolute http(s) URL safe to turn into a link.
pub(crate) fn is_web_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Cut `s` to at most `max` characters, ending with `…` when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Collapse whitespace runs (titles sometimes carry newlines).
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups() {
        let g = Group::of(
            PackageKind::Python,
            "/usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA",
        );
        assert_eq!(g.kind, SourceKind::Installed);
        assert_eq!(g.path, "/usr/lib/python3/dist-packages");
        let g = Group::of(PackageKind::Cargo, "/src/Cargo.lock");
        assert_eq!(
            (g.kind, g.path.as_str()),
            (SourceKind::Lockfile, "/src/Cargo.lock")
        );
        let g = Group::of(PackageKind::Cargo, "/usr/local/bin/app");
        assert_eq!(g.kind, SourceKind::Binary);
        let g = Group::of(PackageKind::Maven, "/opt/app.war!/WEB-INF/lib/x.jar");
        assert_eq!(
            (g.kind, g.path.as_str()),
            (SourceKind::Archive, "/opt/app.war")
        );
        let g = Group::of(PackageKind::Deb, "/var/lib/dpkg/status");
        assert_eq!(g.kind, SourceKind::PackageDb);
    }

    #[test]
    fn truncation() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(one_line(" a\n b  c "), "a b c");
    }

    #[test]
    fn urls() {
        assert!(is_web_url("https://example.com/a?b=c"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("https://x y"));
    }
}
