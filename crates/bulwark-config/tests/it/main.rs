//! The integration tests of bulwark-config, one binary.

mod buildkit;
mod silent;
