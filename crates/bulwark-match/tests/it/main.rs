//! bulwark-match integration tests: one test binary, one module per area.

mod apk_repository_tags;
mod cargo_audit_differential;
mod common;
mod dpkg_differential;
mod matching;
mod timing;
