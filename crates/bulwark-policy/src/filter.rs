//! Removal filters: `--severity`, `--ignore-unfixed`, `--pkg-types`.

use bulwark_model::scan::{FixStatus, ScanReport, VulnFinding};
use bulwark_model::Severity;

/// A class of packages for `--pkg-types`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PkgType {
    /// The operating system's packages (deb, apk, rpm).
    Os,
    /// Everything else: language packages, binaries and runtimes found outside a package manager.
    Library,
}

impl PkgType {
    /// Parse `os` / `library` (case-insensitive; `lang` and `libraries` are accepted too).
    pub fn parse(text: &str) -> Option<PkgType> {
        match text.trim().to_ascii_lowercase().as_str() {
            "os" => Some(PkgType::Os),
            "library" | "libraries" | "lang" => Some(PkgType::Library),
            _ => None,
        }
    }
}

/// Which findings to keep. Unlike exceptions, the filter removes findings from the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Keep only findings at or above this severity (vulnerabilities and licenses).
    pub min_severity: Option<Severity>,
    /// Drop vulnerability findings without a fixed version.
    pub ignore_unfixed: bool,
    /// Keep only vulnerability findings in these package classes (`None` keeps all).
    pub pkg_types: Option<Vec<PkgType>>,
}

impl Filter {
    /// Whether a vulnerability finding passes.
    pub fn keeps(&self, v: &VulnFinding) -> bool {
        if self.min_severity.is_some_and(|min| v.severity < min) {
            return false;
        }
        // Only `fixed` has a version to upgrade to; `no-dsa`, `will-not-fix` and the rest are
        // unfixed by definition.
        if self.ignore_unfixed && (v.status != FixStatus::Fixed || v.fixed_versions.is_empty()) {
            return false;
        }
        if let Some(types) = &self.pkg_types {
            let ty = if v.package.kind.is_os() {
                PkgType::Os
            } else {
                PkgType::Library
            };
            if !types.contains(&ty) {
                return false;
            }
        }
        true
    }

    /// Remove the vulnerability findings that do not pass, and license findings below
    /// [`Filter::min_severity`].
    pub fn apply(&self, report: &mut ScanReport) {
        report.vulnerabilities.retain(|v| self.keeps(v));
        if let Some(min) = self.min_severity {
            report.licenses.retain(|l| l.severity >= min);
        }
    }
}
