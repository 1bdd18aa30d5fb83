//! Exit codes, documented in `docs/cli.md`: 0 for success, [`ERROR`] when the command could
//! not run, and the user's `--exit-code` when findings remain.

/// The command could not run: bad arguments, unreadable or hostile input, I/O or network failure.
/// Distinct from any code a user picks with `--exit-code` for findings.
pub const ERROR: u8 = 2;

/// Success: the command ran and nothing it checks failed.
pub const OK: u8 = 0;
