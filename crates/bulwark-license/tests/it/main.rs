//! bulwark-license integration tests: one test binary, one module per area.

mod normalize;
