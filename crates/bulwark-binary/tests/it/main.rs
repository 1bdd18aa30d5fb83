//! Integration tests of bulwark-binary, one binary (links once).

mod formats;
mod go_binaries;
mod hostile;
mod java_archives;
mod runtimes;
mod rust_binaries;
