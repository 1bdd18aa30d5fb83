//! Rust dependency lists embedded by `cargo auditable`: a `.dep-v0` section holding
//! zlib-compressed JSON `{"packages":[{name, version, source, kind, dependencies, root}]}`.
//!
//! Decompression is capped ([`MAX_JSON`]) so a zip bomb in the section costs at most that much
//! memory; the JSON is parsed with serde into the few fields used.

use std::io::Read;

use serde::Deserialize;
use thiserror::Error;

use crate::exe::Exe;

/// Largest decompressed dependency list accepted (cargo-auditable's own reader defaults to
/// 8 MiB; real lists are a few KiB).
pub const MAX_JSON: u64 = 8 << 20;

/// Why the section could not be read.
#[derive(Debug, Error)]
pub enum AuditError {
    /// zlib stream corrupt or truncated.
    #[error("cannot decompress the .dep-v0 section: {0}")]
    Decompress(#[from] std::io::Error),
    /// Decompressed data over [`MAX_JSON`].
    #[error("the .dep-v0 section inflates past {MAX_JSON} bytes (zip bomb?)")]
    TooLarge,
    /// Not the expected JSON.
    #[error("the .dep-v0 section is not a cargo-auditable dependency list: {0}")]
    Json(#[from] serde_json::Error),
}

/// One crate of the embedded list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuditPackage {
    /// Crate name.
    pub name: String,
    /// Crate version.
    pub version: String,
    /// `crates.io`, `local`, `git`, `registry` or `other`.
    #[serde(default = "default_source")]
    pub source: String,
    /// `runtime` (default) or `build`.
    #[serde(default = "default_kind")]
    pub kind: String,
    /// Indices (into the package list) of the direct dependencies.
    #[serde(default)]
    pub dependencies: Vec<usize>,
    /// Whether this is the crate the binary was built from.
    #[serde(default)]
    pub root: bool,
}

fn default_source() -> String {
    "crates.io".to_string()
}

fn default_kind() -> String {
    "runtime".to_string()
}

#[derive(Deserialize)]
struct VersionInfo {
    packages: Vec<AuditPackage>,
}

/// The dependency list embedded in a file's bytes; `Ok(None)` when the file is not an executable
/// or has no `.dep-v0` section.
pub fn audit_data(data: &[u8]) -> Result<Option<Vec<AuditPackage>>, AuditError> {
    match Exe::parse(data) {
        Some(exe) => read_audit_data(&exe),
        None => Ok(None),
    }
}

/// The embedded dependency list, or `Ok(None)` when the binary has no `.dep-v0` section.
pub(crate) fn read_audit_data(exe: &Exe<'_>) -> Result<Option<Vec<AuditPackage>>, AuditError> {
    let Some(section) = exe.section(&[".dep-v0", "__dep-v0"]) else {
        return Ok(None);
    };
    decode(section).map(Some)
}

/// Inflate (bounded) and parse a `.dep-v0` payload.
pub fn decode(compressed: &[u8]) -> Result<Vec<AuditPackage>, AuditError> {
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_JSON + 1)
        .read_to_end(&mut json)?;
    if json.len() as u64 > MAX_JSON {
        return Err(AuditError::TooLarge);
    }
    let info: VersionInfo = serde_json::from_slice(&json)?;
    Ok(info.packages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = enc.write_all(data);
        enc.finish().unwrap_or_default()
    }

    #[test]
    fn decodes_defaults() {
        let json = br#"{"packages":[{"name":"app","version":"0.1.0","source":"local","dependencies":[1],"root":true},{"name":"itoa","version":"1.0.9"}]}"#;
        let pkgs = decode(&zlib(json)).map_err(|e| e.to_string());
        let pkgs = pkgs.as_deref().unwrap_or_default();
        assert_eq!(pkgs.len(), 2);
        assert_eq!(pkgs[1].source, "crates.io");
        assert_eq!(pkgs[1].kind, "runtime");
        assert!(pkgs[0].root);
        assert_eq!(pkgs[0].dependencies, vec![1]);
    }

    #[test]
    fn bomb_is_capped() {
        let bomb = zlib(&vec![b' '; (MAX_JSON + 10) as usize]);
        assert!(bomb.len() < 100_000);
        assert!(matches!(decode(&bomb), Err(AuditError::TooLarge)));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(matches!(
            decode(b"not zlib"),
            Err(AuditError::Decompress(_))
        ));
        assert!(matches!(decode(&zlib(b"{}")), Err(AuditError::Json(_))));
    }
}
