//! Integration tests of `bulwark-sbom`, one binary: writers against goldens and reference
//! validators, readers against the writers and against SBOMs other tools wrote.

mod common;
mod formats;
