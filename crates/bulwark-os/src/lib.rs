//! OS package inventory: the distribution (`os-release` and older release files) and the
//! packages of the OS package managers, dpkg (`/var/lib/dpkg/status`, distroless `status.d`),
//! apk (`/lib/apk/db/installed`), rpm (Berkeley DB, SQLite and NDB databases, read in pure
//! Rust and in memory; CBL-Mariner's distroless `container-manifest-2`) and opkg (OpenWrt), as
//! [`bulwark_catalog::Cataloger`]s.
//!
//! Each package gets its purl, source package, licenses, owned files (also recorded in
//! `CatalogContext::os_owned_files` so language catalogers can skip them), architecture, rpm
//! epoch, metadata and the layer that installed it.
//!
//! What it does not do: read images or layers (`bulwark-walk`), compare versions
//! (`bulwark-version`) or match vulnerabilities (`bulwark-vulndb`). It never writes to disk.
//! Input is treated as hostile: malformed records are reported through `CatalogContext::warn`
//! and skipped, never trusted for memory access.

pub mod apk;
mod deb822;
pub mod distro;
pub mod dpkg;
mod layers;
pub mod license;
pub mod opkg;
pub mod purl;
pub mod rpm;

use bulwark_catalog::Cataloger;

pub use apk::ApkCataloger;
pub use distro::DistroCataloger;
pub use dpkg::DpkgCataloger;
pub use opkg::OpkgCataloger;
pub use rpm::manifest::RpmManifestCataloger;
pub use rpm::RpmCataloger;

/// Every cataloger of this crate: distribution detection, dpkg, apk, rpm, the rpm manifest of
/// distroless CBL-Mariner/Azure Linux images (after rpm: a database wins) and opkg.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![
        Box::new(DistroCataloger),
        Box::new(DpkgCataloger),
        Box::new(ApkCataloger),
        Box::new(RpmCataloger),
        Box::new(RpmManifestCataloger),
        Box::new(OpkgCataloger),
    ]
}
