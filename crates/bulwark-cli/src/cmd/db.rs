//! `bulwark db`: the advisory database (filled in by the advisory-database work).

use std::process::ExitCode;

use clap::Args;

/// Arguments of `bulwark db`.
#[derive(Debug, Args)]
pub struct DbArgs {}

/// Run `bulwark db`.
pub fn run(_global: &super::GlobalArgs, _args: DbArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`bulwark db` is not implemented yet")
}
