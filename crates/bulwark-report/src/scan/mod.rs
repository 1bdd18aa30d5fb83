//! Writers of the vulnerability scan's result ([`ScanReport`], from `bulwark-model`, re-exported
//! here): a table, JSON, SARIF, JUnit and HTML. CycloneDX and SPDX are `bulwark-sbom`'s.

pub use bulwark_model::scan::*;

pub mod html;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod table;
#[cfg(test)]
mod testdata {
    //! The realistic sample report the writers' tests share (also included by
    //! `tests/scan_reports.rs`).
    use super::*;
    use crate::{Severity, Suppression, Tool};
    use bulwark_catalog::{Distro, LayerInfo, Package, PackageKind, SourcePackage, Warning};
    include!("testdata.rs");
}
mod util;
