//! Exit codes, documented in `docs/cli.md`.

/// Success: the command ran and nothing it checks failed.
pub const OK: u8 = 0;
/// The command could not run: bad arguments, unreadable or hostile input, I/O or network failure.
/// Distinct from any code a user picks with `--exit-code` for findings.
pub const ERROR: u8 = 2;
