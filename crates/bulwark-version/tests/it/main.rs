//! bulwark-version integration tests: one test binary, one module per area.

mod apk_vectors;
mod common;
mod composer_differential;
mod dpkg_differential;
mod gem_differential;
mod go_differential;
mod maven_differential;
mod nuget_vectors;
mod osv_real_advisories;
mod osv_vectors;
mod pep440_differential;
mod properties;
mod rpm_differential;
mod semver_differential;
