//! The integration tests of bulwark-config, one binary: the corpus with exact expected
//! findings, golden reports, peers (hadolint, SARIF/JUnit readers), Rego policies, BuildKit's
//! parser conformance suite, and the never-silent error paths.

mod buildkit;
mod corpus;
mod golden;
mod interop;
mod rego;
mod silent;
