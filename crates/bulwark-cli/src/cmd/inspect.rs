//! `bulwark inspect`: an image's summary.

use std::process::ExitCode;

use clap::Args;

/// Arguments of `bulwark inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The image to inspect (see `bulwark --help` for the TARGET syntax).
    pub target: String,
}

/// Run `bulwark inspect`.
pub fn run(_global: &super::GlobalArgs, _args: InspectArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`bulwark inspect` is not implemented yet")
}
