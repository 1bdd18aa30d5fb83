//! bulwark-source integration tests: one test binary, one module per area.

mod archive;
mod engine;
mod registry;
