//! Bulwark's policy stage: what happens to a [`ScanReport`] between matching and writing.
//!
//! - [`filter::Filter`] drops findings the user asked not to see (`--severity`,
//!   `--ignore-unfixed`, `--pkg-types`).
//! - [`license::LicensePolicy`] judges every package's licenses and adds license findings.
//! - [`ignore::IgnoreFile`] (`.bulwarkignore.yaml`, the same file `bulwark config` reads) marks
//!   findings suppressed, with a reason, an owner and an expiry date.
//! - [`vex::VexDocument`] (OpenVEX, CycloneDX VEX, CSAF VEX) marks findings the supplier says do
//!   not apply.
//!
//! Suppressed findings stay in the report with their [`bulwark_model::Suppression`], so JSON
//! output shows what was hidden and why. The intended order is: license evaluation, filter,
//! ignore file, VEX (the filter removes low-severity license findings too, and the ignore file
//! can suppress license findings only once they exist).
//!
//! [`ScanReport`]: bulwark_model::scan::ScanReport

#![warn(missing_docs)]

pub mod filter;
pub mod ignore;
pub mod license;
mod purl;
pub mod vex;

use bulwark_model::scan::{LayerRef, Origin, ScanReport};

/// Why a policy input (ignore file, VEX document, license policy) could not be used. Every
/// variant names the file and the cause.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The file was refused before parsing (not a regular file, too large, not UTF-8).
    #[error(transparent)]
    Input(#[from] bulwark_input::InputError),
    /// The file is not valid YAML / JSON, or an entry is malformed.
    #[error("{origin}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Parse {
        /// The file (or the name the caller gave the text).
        origin: String,
        /// Line of the offending entry, when known.
        line: Option<u32>,
        /// What is wrong.
        message: String,
    },
    /// An entry has keys the format does not define (a typo must not silently fail to apply).
    #[error("{origin}:{line}: unknown key(s) {}; allowed: {}", keys.join(", "), allowed.join(", "))]
    UnknownKeys {
        /// The file.
        origin: String,
        /// Line of the entry.
        line: u32,
        /// The unknown keys, in document order.
        keys: Vec<String>,
        /// The keys the format allows there.
        allowed: Vec<String>,
    },
    /// A VEX file is none of the supported formats.
    #[error("{origin}: not a recognised VEX document ({reason}); supported: OpenVEX JSON, CycloneDX JSON with `vulnerabilities`, CSAF 2.0 JSON")]
    UnknownVexFormat {
        /// The file.
        origin: String,
        /// What the file looked like.
        reason: String,
    },
}

impl PolicyError {
    pub(crate) fn parse(origin: &str, line: Option<u32>, message: impl Into<String>) -> Self {
        PolicyError::Parse {
            origin: origin.to_string(),
            line,
            message: message.into(),
        }
    }
}

/// Read a policy file as text under Bulwark's input policy (regular file or `-`, size bound of
/// `kind`, UTF-8), naming the file on failure.
pub(crate) fn read_file(
    path: &std::path::Path,
    kind: bulwark_input::DocKind,
) -> Result<String, PolicyError> {
    Ok(bulwark_input::read_text(path, kind)?)
}

/// Parse YAML with positions, mapping the parser's error to one naming `origin` (the parser's
/// message carries the line and column).
pub(crate) fn parse_yaml(
    text: &str,
    origin: &str,
) -> Result<Option<bulwark_yaml::node::Node>, PolicyError> {
    let docs = bulwark_yaml::parse_documents(text)
        .map_err(|e| PolicyError::parse(origin, None, e.to_string()))?;
    if docs.len() > 1 {
        let line = docs.get(1).map(|d| d.span.start.line);
        return Err(PolicyError::parse(
            origin,
            line,
            "more than one YAML document; put everything in one",
        ));
    }
    Ok(docs.into_iter().next())
}

/// Check that a mapping has only `allowed` keys.
pub(crate) fn check_keys(
    node: &bulwark_yaml::node::Node,
    allowed: &[&str],
    origin: &str,
) -> Result<(), PolicyError> {
    let keys: Vec<String> = node
        .entries()
        .iter()
        .filter_map(|(k, _)| k.scalar())
        .filter(|k| !allowed.contains(&k.as_str()))
        .collect();
    if keys.is_empty() {
        Ok(())
    } else {
        Err(PolicyError::UnknownKeys {
            origin: origin.to_string(),
            line: node.span.start.line,
            keys,
            allowed: allowed.iter().map(|s| s.to_string()).collect(),
        })
    }
}

/// The layer reference and base/own origin of a package introduced by layer `index`, computed
/// as for vulnerability findings: the base image's layer count is the boundary.
pub(crate) fn layer_and_origin(
    report: &ScanReport,
    index: Option<usize>,
) -> (Option<LayerRef>, Origin) {
    let Some(index) = index else {
        return (None, Origin::Unknown);
    };
    let origin = Origin::of_layer(
        Some(index),
        report.target.base_image.as_ref().and_then(|b| b.layers),
    );
    (Some(LayerRef::of(&report.target.layers, index)), origin)
}
