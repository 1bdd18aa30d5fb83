//! SBOM formats: Bulwark's [`cyclonedx`] 1.6 and [`spdx`] 2.3 JSON writers, and a reader
//! ([`read`], [`parse`]) that turns an SBOM written by any tool into an inventory-only
//! [`ScanReport`] the matcher can scan.
//!
//! Readers understand CycloneDX JSON 1.2 to 1.6, SPDX 2.2/2.3 JSON and tag-value, and Syft's
//! own JSON. Package kinds come from the purl type; OS package details that vulnerability
//! matching needs (rpm epoch, Debian source package, Alpine origin) come from purl qualifiers
//! (`epoch=`, `upstream=`) or from the properties the writing tool records (Bulwark's
//! `bulwark:*`, Syft's `syft:metadata:*`).
//!
//! Writers are deterministic: the same report gives the same bytes (the serial number and the
//! SPDX namespace are derived from a hash of the content, timestamps are the report's
//! `created_at`).
//!
//! What it does not do: validate SBOMs against their schemas (the tests use the reference
//! validators for that), read CycloneDX XML, or keep file-level SBOM data (files, snippets).

#![warn(missing_docs)]

pub mod cyclonedx;
mod distro;
mod licenses;
pub mod spdx;
mod syft;
mod util;

use std::path::Path;

use bulwark_catalog::Package;
use bulwark_model::scan::{ScanReport, ScanTarget, Summary};
use bulwark_model::Tool;

/// Why an SBOM could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file was refused before parsing (not a regular file, too large, unreadable).
    #[error(transparent)]
    Input(#[from] bulwark_input::InputError),
    /// The document is not valid JSON.
    #[error("{origin}: not valid JSON: {source}")]
    Json {
        /// The file.
        origin: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// The document is none of the supported formats.
    #[error("{origin}: not a recognised SBOM ({reason}); supported: CycloneDX JSON 1.2-1.6, SPDX 2.2/2.3 JSON or tag-value, Syft JSON")]
    UnknownFormat {
        /// The file.
        origin: String,
        /// What was seen instead.
        reason: String,
    },
    /// The format was recognised but the document breaks its rules.
    #[error("{origin}: invalid {format} document: {reason}")]
    Invalid {
        /// The file.
        origin: String,
        /// The format it claims to be.
        format: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// Read the SBOM at `path` (any supported format, detected from the content) into an
/// inventory-only report whose `target.name` is the path.
pub fn read(path: &Path) -> Result<ScanReport, SbomError> {
    // Regular files (or `-`) within the SBOM size bound: `sbom:/dev/urandom` must not read
    // forever.
    let bytes = bulwark_input::read(path, bulwark_input::DocKind::Sbom)?;
    parse(&bytes, &path.display().to_string())
}

/// Parse an SBOM from memory. `origin` names it in errors and becomes `target.name`.
pub fn parse(bytes: &[u8], origin: &str) -> Result<ScanReport, SbomError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    match bytes.get(start) {
        Some(b'{') => {
            let v: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|source| SbomError::Json {
                    origin: origin.to_string(),
                    source,
                })?;
            if v.get("bomFormat").and_then(|f| f.as_str()) == Some("CycloneDX") {
                cyclonedx::read_json(&v, origin)
            } else if v.get("spdxVersion").is_some() {
                spdx::read_json(&v, origin)
            } else if v.get("artifacts").is_some() {
                syft::read_json(&v, origin)
            } else {
                let keys: Vec<&str> = v
                    .as_object()
                    .map(|o| o.keys().map(String::as_str).take(6).collect())
                    .unwrap_or_default();
                Err(unknown(
                    origin,
                    format!("a JSON object with keys {}", keys.join(", ")),
                ))
            }
        }
        Some(b'<') => Err(unknown(
            origin,
            "XML (CycloneDX XML is not read yet)".into(),
        )),
        Some(_) if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") => {
            Err(unknown(
                origin,
                "UTF-16 text; convert it to UTF-8, e.g. `iconv -f UTF-16 -t UTF-8`".into(),
            ))
        }
        Some(_) if bytes.iter().take(1024).any(|&b| b == 0) => {
            Err(unknown(origin, "binary data".into()))
        }
        Some(_) => {
            let text = String::from_utf8_lossy(&bytes[start..]);
            if text
                .lines()
                .take(50)
                .any(|l| l.trim_start().starts_with("SPDXVersion:"))
            {
                spdx::read_tag_value(&text, origin)
            } else {
                Err(unknown(
                    origin,
                    "text without an `SPDXVersion:` line".into(),
                ))
            }
        }
        None => Err(unknown(origin, "an empty file".into())),
    }
}

fn unknown(origin: &str, reason: String) -> SbomError {
    SbomError::UnknownFormat {
        origin: origin.to_string(),
        reason,
    }
}

/// An empty inventory-only report for an SBOM read from `origin`.
pub(crate) fn empty_report(origin: &str) -> ScanReport {
    ScanReport {
        schema_version: bulwark_model::scan::SCHEMA_VERSION,
        tool: Tool {
            name: "bulwark".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            information_uri: None,
        },
        created_at: String::new(),
        target: ScanTarget {
            name: origin.to_string(),
            source: "sbom".into(),
            ..ScanTarget::default()
        },
        database: None,
        packages: Vec::new(),
        vulnerabilities: Vec::new(),
        licenses: Vec::new(),
        notices: Vec::new(),
        warnings: Vec::new(),
        summary: Summary::default(),
        timings: None,
    }
}

/// Sort packages the way the catalogers do (kind, name, version, location) and fill the
/// distribution from the OS packages' purls when the SBOM has no OS component.
pub(crate) fn finish_report(report: &mut ScanReport) {
    report.packages.sort_by(|a: &Package, b: &Package| {
        (a.kind, &a.name, &a.version, &a.found_in).cmp(&(b.kind, &b.name, &b.version, &b.found_in))
    });
    if report.target.distro.is_none() {
        report.target.distro = distro::from_purls(&report.packages);
    }
    report.summarize();
}
