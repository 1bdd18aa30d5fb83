//! `bulwark scan`: vulnerability scan (filled in by the scan work).

use std::process::ExitCode;

use clap::Args;

/// Arguments of `bulwark scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// What to scan (see `bulwark --help` for the TARGET syntax).
    pub target: String,
}

/// Run `bulwark scan`.
pub fn run(_global: &super::GlobalArgs, _args: ScanArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`bulwark scan` is not implemented yet")
}
