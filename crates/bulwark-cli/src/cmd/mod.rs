//! One module per verb, plus the options every verb shares.

pub mod config;
pub mod db;
pub mod host;
pub mod image;
pub mod inspect;
pub mod registry;
pub mod sbom;
pub mod scan;

use clap::Args;

/// Options shared by every verb.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print nothing but results and errors (no progress, no warnings).
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// More logging (-v: debug, -vv: trace). `RUST_LOG` overrides.
    #[arg(long, short, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Size bound for every document read (SBOMs, VEX, exception and policy files, config
    /// files, advisory feeds), replacing each kind's default (docs/cli.md, "Input limits"):
    /// bytes or K/M/G/T (binary units).
    #[arg(long, global = true, value_name = "SIZE", env = "BULWARK_MAX_INPUT_SIZE",
          value_parser = bulwark_input::parse_size)]
    pub max_input_size: Option<u64>,
}

/// Set up `tracing` according to `--quiet`/`--verbose` and `RUST_LOG`.
pub fn init_logging(global: &GlobalArgs) {
    let default = if global.quiet {
        "error"
    } else {
        match global.verbose {
            0 => "warn",
            1 => "debug",
            _ => "trace",
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Output format shared by the verbs that print a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// JSON for machines (schema documented in docs/json-schema.md).
    Json,
}

/// Write `text` to `--output FILE` or standard output.
pub fn write_output(output: Option<&std::path::Path>, text: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            if !text.ends_with('\n') {
                out.write_all(b"\n")?;
            }
            Ok(())
        }
    }
}
