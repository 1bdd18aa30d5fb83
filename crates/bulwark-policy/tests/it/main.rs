//! bulwark-policy integration tests: one test binary, one module per area.

mod common;
mod policy;
mod vex_versions;
