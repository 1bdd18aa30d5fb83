//! `bulwark sbom`: the package inventory of a target.

use std::process::ExitCode;

use clap::Args;

/// Arguments of `bulwark sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// What to inventory (see `bulwark --help` for the TARGET syntax).
    pub target: String,
}

/// Run `bulwark sbom`.
pub fn run(_global: &super::GlobalArgs, _args: SbomArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`bulwark sbom` is not implemented yet")
}
