//! `bulwark config`: configuration audit of Dockerfiles, Compose files, Kubernetes manifests,
//! `daemon.json` and image configs (rules in `docs/rules.md`, options in `docs/config.md`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use bulwark_model::Severity;
use clap::Args;

/// Report formats of `bulwark config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConfigFormat {
    /// A table for people, grouped by file.
    Table,
    /// Versioned JSON (docs/config.md).
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// JUnit XML for CI test views.
    Junit,
}

/// Arguments of `bulwark config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Files or directories to audit (directories are searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,

    /// Report format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ConfigFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,

    /// Lowest severity reported and counted for the exit code (LOW, MEDIUM, HIGH, CRITICAL).
    #[arg(long, default_value = "LOW", value_parser = parse_severity)]
    pub severity: Severity,

    /// Exit code when unsuppressed findings at or above --severity remain.
    #[arg(long, default_value_t = 1)]
    pub exit_code: u8,

    /// Directory of Rego policies (Conftest conventions); repeatable.
    #[arg(long)]
    pub policy: Vec<PathBuf>,

    /// Directory of JSON/YAML files loaded as Rego `data`; repeatable.
    #[arg(long)]
    pub data: Vec<PathBuf>,

    /// Registries images may come from (comma-separated hosts or host/path prefixes).
    #[arg(long, value_delimiter = ',')]
    pub trusted_registries: Vec<String>,

    /// Suppression file (default: ./.bulwarkignore.yaml when present).
    #[arg(long)]
    pub ignore_file: Option<PathBuf>,

    /// Treat the given files as this kind (and only audit this kind in directories).
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<bulwark_config::Kind>,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s)
        .ok_or_else(|| format!("unknown severity `{s}` (LOW, MEDIUM, HIGH, CRITICAL)"))
}

fn parse_kind(s: &str) -> Result<bulwark_config::Kind, String> {
    bulwark_config::Kind::parse(s).ok_or_else(|| {
        format!("unknown kind `{s}` (dockerfile, compose, kubernetes, daemon, image-config)")
    })
}

/// Run `bulwark config`.
pub fn run(global: &super::GlobalArgs, args: ConfigArgs) -> anyhow::Result<ExitCode> {
    let opts = bulwark_config::Options {
        trusted_registries: args
            .trusted_registries
            .iter()
            .filter(|s| !s.trim().is_empty())
            .cloned()
            .collect(),
        policy_dirs: args.policy.clone(),
        data_dirs: args.data.clone(),
        ignore_file: args.ignore_file.clone(),
        kind: args.kind,
        today: None,
    };
    let audit = bulwark_config::audit(&args.paths, &opts).context("configuration audit failed")?;
    let mut report = audit.report;
    report.findings.retain(|f| f.severity >= args.severity);
    let used: std::collections::BTreeSet<String> =
        report.findings.iter().map(|f| f.rule_id.clone()).collect();
    report.rules.retain(|r| used.contains(&r.id));
    if !global.quiet {
        for w in &audit.warnings {
            eprintln!("warning: {w}");
        }
    }
    let text = match args.format {
        ConfigFormat::Table => {
            let colour = args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            bulwark_report::table::write(&report, colour)
        }
        ConfigFormat::Json => bulwark_report::json::write(&report),
        ConfigFormat::Sarif => bulwark_report::sarif::write(&report),
        ConfigFormat::Junit => bulwark_report::junit::write(&report),
    };
    super::write_output(args.output.as_deref(), &text)?;
    if !report.errors.is_empty() {
        for e in &report.errors {
            eprintln!("error: {}: {}", e.file, e.message);
        }
        return Ok(ExitCode::from(crate::exit::ERROR));
    }
    if report.active().next().is_some() {
        return Ok(ExitCode::from(args.exit_code));
    }
    Ok(ExitCode::from(crate::exit::OK))
}
