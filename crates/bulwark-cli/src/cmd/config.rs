//! `bulwark config`: configuration audit (filled in by the configuration-audit work).

use std::process::ExitCode;

use clap::Args;

/// Arguments of `bulwark config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Files or directories to audit.
    #[arg(required = true)]
    pub paths: Vec<std::path::PathBuf>,
}

/// Run `bulwark config`.
pub fn run(_global: &super::GlobalArgs, _args: ConfigArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`bulwark config` is not implemented yet")
}
