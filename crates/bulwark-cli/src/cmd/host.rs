//! `bulwark host`: audit a live Docker host against the CIS Docker Benchmark (checks in
//! `bulwark-host`, options in `docs/host.md`). This module only parses arguments, picks the
//! endpoint and host root, and prints.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

/// Report formats of `bulwark host`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HostFormat {
    /// A table of the WARN results for people, then the summary.
    Table,
    /// Every result (PASS, WARN, INFO, NOTE, SKIP) as JSON (docs/host.md).
    Json,
    /// SARIF 2.1.0 (WARN results).
    Sarif,
    /// JUnit XML (WARN results as failures).
    Junit,
}

/// Arguments of `bulwark host`.
#[derive(Debug, Args)]
pub struct HostArgs {
    /// Engine endpoint (unix:///var/run/docker.sock, tcp://HOST:2376); default: DOCKER_HOST,
    /// then the current Docker context, then the local socket.
    #[arg(long, value_name = "URL")]
    pub docker_host: Option<String>,

    /// Only this section (1-7); repeatable.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=7))]
    pub section: Vec<u8>,

    /// Only this check (`5.4`) or group (`1.1`); repeatable.
    #[arg(long, value_name = "ID")]
    pub check: Vec<String>,

    /// Only this running container (name or id prefix) for container checks; repeatable.
    #[arg(long, value_name = "NAME|ID")]
    pub container: Vec<String>,

    /// Where the host's files are (`/host` when running in a container with `-v /:/host:ro`).
    /// Default: `/` for a local socket; file checks are skipped for remote engines.
    #[arg(long, value_name = "DIR")]
    pub host_root: Option<PathBuf>,

    /// Report format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: HostFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,

    /// Exit code when any check says WARN (as `bulwark config`: default 1; 0 reports only).
    #[arg(long, default_value_t = 1)]
    pub exit_code: u8,
}

/// Run `bulwark host`.
pub fn run(global: &super::GlobalArgs, args: HostArgs) -> anyhow::Result<ExitCode> {
    let endpoint = match &args.docker_host {
        Some(url) => {
            let tls = std::env::var_os("DOCKER_TLS_VERIFY")
                .filter(|v| !v.is_empty() && v != "0")
                .and_then(|_| {
                    std::env::var_os("DOCKER_CERT_PATH")
                        .map(PathBuf::from)
                        .or_else(|| {
                            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker"))
                        })
                })
                .map(|d| bulwark_engine::TlsFiles::from_dir(&d));
            bulwark_engine::Endpoint::parse(url, tls)?
        }
        None => bulwark_engine::Endpoint::from_env()?,
    };
    let local = matches!(endpoint.transport, bulwark_engine::Transport::Unix(_));
    let host_root = args
        .host_root
        .clone()
        .or_else(|| local.then(|| PathBuf::from("/")));
    let opts = bulwark_host::Options {
        host_root,
        sections: args.section.clone(),
        checks: args.check.clone(),
        containers: args.container.clone(),
        content_trust: std::env::var("DOCKER_CONTENT_TRUST").ok(),
    };
    let client = bulwark_engine::Client::new(endpoint)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let report = rt
        .block_on(bulwark_host::audit(&client, &opts))
        .context("host audit failed")?;
    let text = match args.format {
        HostFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report)?;
            s.push('\n');
            s
        }
        HostFormat::Table => {
            let colour = args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            let generic = bulwark_host::to_report(&report, env!("CARGO_PKG_VERSION"));
            let s = &report.summary;
            format!(
                "{}\n{} on {} (engine {}): {} PASS, {} WARN, {} INFO, {} NOTE, {} SKIP; score {} ({}% of automated checks pass)\n",
                bulwark_report::table::write(&generic, colour).trim_end(),
                report.benchmark,
                report.host,
                report.engine_version,
                s.pass,
                s.warn,
                s.info,
                s.note,
                s.skip,
                s.score,
                s.percent
            )
        }
        HostFormat::Sarif => bulwark_report::sarif::write(&bulwark_host::to_report(
            &report,
            env!("CARGO_PKG_VERSION"),
        )),
        HostFormat::Junit => bulwark_report::junit::write(&bulwark_host::to_report(
            &report,
            env!("CARGO_PKG_VERSION"),
        )),
    };
    super::write_output(args.output.as_deref(), &text)?;
    if !global.quiet {
        let skipped = report.summary.skip;
        if skipped > 0 && args.format == HostFormat::Table {
            eprintln!("note: {skipped} checks skipped (see --format json for why)");
        }
    }
    if report.summary.warn > 0 {
        return Ok(ExitCode::from(args.exit_code));
    }
    Ok(ExitCode::from(crate::exit::OK))
}
