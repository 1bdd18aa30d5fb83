//! bulwark-vulndb integration tests: one test binary, one module per area.

mod common;
mod corpus;
mod importers;
mod store;
mod update;
