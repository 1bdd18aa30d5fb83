//! `bulwark scan`: the whole pipeline on one target. The inventory comes from the `sbom` verb's
//! walk (or an SBOM file), the matcher adds vulnerabilities from the advisory database, the
//! policy stage filters and applies exceptions, VEX and the license policy, and one writer prints
//! the result. Options are documented in `docs/cli.md`; exit codes in [`crate::exit`].

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use bulwark_policy::filter::{Filter, PkgType};
use bulwark_report::scan::ScanReport;
use bulwark_report::Severity;
use clap::Args;

use super::image::ImageArgs;

/// Report formats of `bulwark scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    /// A table for people, grouped by the file packages came from.
    Table,
    /// Versioned JSON (docs/json-schema.md).
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// JUnit XML for CI test views.
    Junit,
    /// One self-contained HTML page.
    Html,
    /// CycloneDX 1.6 JSON with the vulnerabilities.
    Cyclonedx,
    /// SPDX 2.3 JSON (packages only: SPDX 2.3 has no place for vulnerabilities).
    SpdxJson,
}

/// Package types `--pkg-types` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PkgTypeArg {
    /// Operating-system packages (dpkg, apk, rpm).
    Os,
    /// Everything else: language packages, binaries' modules, runtimes.
    Library,
}

/// Arguments of `bulwark scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub image: ImageArgs,

    /// Report format.
    #[arg(long, short, value_enum, default_value_t = ScanFormat::Table)]
    pub format: ScanFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Advisory database [default: $XDG_CACHE_HOME/bulwark/db.sqlite or
    /// ~/.cache/bulwark/db.sqlite, as `bulwark db update` leaves it].
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// Report only findings at or above this severity (UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL);
    /// also the threshold for --exit-code.
    #[arg(long, value_parser = parse_severity, value_name = "SEVERITY")]
    pub severity: Option<Severity>,

    /// Leave out vulnerabilities that have no fixed version yet.
    #[arg(long)]
    pub ignore_unfixed: bool,

    /// Package types to report (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "TYPES")]
    pub pkg_types: Vec<PkgTypeArg>,

    /// Exception file [default: ./.bulwarkignore.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,

    /// VEX document (OpenVEX, CycloneDX VEX or CSAF VEX); repeatable.
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,

    /// License policy file (allow, deny and warn lists; see docs/policy.md).
    #[arg(long, value_name = "FILE")]
    pub license_policy: Option<PathBuf>,

    /// Exit with this code when findings remain after filters and exceptions (0: never).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub exit_code: u8,

    /// The base image (any TARGET): its layers are the base, the rest are your own. Default:
    /// the image's base annotations, else its history.
    #[arg(long, value_name = "TARGET")]
    pub base_image: Option<String>,

    /// Warn when the database is older than this.
    #[arg(long, default_value_t = 7, value_name = "DAYS")]
    pub max_db_age: i64,

    /// Print the time each stage took on standard error and add it to JSON reports.
    #[arg(long)]
    pub timings: bool,
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text).ok_or_else(|| {
        format!("unknown severity `{text}` (UNKNOWN, LOW, MEDIUM, HIGH or CRITICAL)")
    })
}

/// Run `bulwark scan`.
pub fn run(global: &super::GlobalArgs, mut args: ScanArgs) -> anyhow::Result<ExitCode> {
    if args.exit_code == crate::exit::ERROR {
        anyhow::bail!(
            "--exit-code {} is reserved for errors; pick another code",
            crate::exit::ERROR
        );
    }
    // Open the database before reading the image: a missing database should fail fast.
    let db_path = match &args.db {
        Some(p) => p.clone(),
        None => super::db::default_db_path()?,
    };
    let db = bulwark_vulndb::Db::open(&db_path).with_context(|| {
        format!(
            "opening the advisory database {} (run `bulwark db update`, or `bulwark db build` \
             offline, or pass --db FILE)",
            db_path.display()
        )
    })?;
    // Policy inputs are read up front too: a typo in an exception file must not cost a scan.
    let ignore_path = args
        .ignore_file
        .clone()
        .or_else(|| Some(PathBuf::from(".bulwarkignore.yaml")).filter(|p| p.is_file()));
    let ignore = ignore_path
        .as_deref()
        .map(bulwark_policy::ignore::IgnoreFile::load)
        .transpose()?;
    let vex = args
        .vex
        .iter()
        .map(|p| bulwark_policy::vex::VexDocument::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let license_policy = args
        .license_policy
        .as_deref()
        .map(bulwark_policy::license::LicensePolicy::load)
        .transpose()?;

    if let Some(base) = &args.base_image {
        args.image.base_diff_ids = Some(base_diff_ids(&args.image, base)?);
    }
    let (mut report, mut timings) = super::sbom::scan_input(&args.image, global.quiet)?;

    let started = Instant::now();
    let opts = bulwark_match::MatchOptions {
        max_db_age_days: args.max_db_age,
        ..bulwark_match::MatchOptions::default()
    };
    bulwark_match::match_report(&mut report, &db, &opts)
        .with_context(|| format!("matching against {}", db_path.display()))?;
    timings.match_ms = ms(started);

    let started = Instant::now();
    let filter = Filter {
        min_severity: args.severity,
        ignore_unfixed: args.ignore_unfixed,
        pkg_types: (!args.pkg_types.is_empty()).then(|| {
            args.pkg_types
                .iter()
                .map(|t| match t {
                    PkgTypeArg::Os => PkgType::Os,
                    PkgTypeArg::Library => PkgType::Library,
                })
                .collect()
        }),
    };
    if let Some(policy) = &license_policy {
        policy.evaluate(&mut report);
    }
    filter.apply(&mut report);
    if let Some(ignore) = &ignore {
        ignore.apply(&mut report, &today());
    }
    for doc in &vex {
        doc.apply(&mut report);
    }
    report.summarize();
    timings.policy_ms = ms(started);

    let started = Instant::now();
    let color = args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let mut text = write(&report, args.format, color);
    timings.report_ms = ms(started);
    if args.timings {
        report.timings = Some(timings);
        if args.format == ScanFormat::Json {
            text = bulwark_report::scan::json::write(&report);
        }
        eprintln!(
            "timings: walk+catalog {:.1} ms, catalog finish {:.1} ms, match {:.1} ms, \
             policy {:.1} ms, report {:.1} ms",
            timings.walk_catalog_ms,
            timings.catalog_finish_ms,
            timings.match_ms,
            timings.policy_ms,
            timings.report_ms
        );
    }

    // The table shows notices itself; other formats (or a file) would hide them from a person
    // watching the terminal.
    if !global.quiet && (args.format != ScanFormat::Table || args.output.is_some()) {
        for n in &report.notices {
            eprintln!("{}: {}", n.code, n.message);
        }
    }
    super::write_output(args.output.as_deref(), &text)?;

    let failing = report.active_vulnerabilities().count() + report.active_licenses().count();
    Ok(if args.exit_code != 0 && failing > 0 {
        ExitCode::from(args.exit_code)
    } else {
        ExitCode::SUCCESS
    })
}

/// Render `report` in `format`.
fn write(report: &ScanReport, format: ScanFormat, color: bool) -> String {
    use bulwark_report::scan;
    match format {
        ScanFormat::Table => {
            scan::table::write(report, &scan::table::TableOptions { color, width: None })
        }
        ScanFormat::Json => scan::json::write(report),
        ScanFormat::Sarif => scan::sarif::write(report),
        ScanFormat::Junit => scan::junit::write(report),
        ScanFormat::Html => scan::html::write(report),
        ScanFormat::Cyclonedx => bulwark_sbom::cyclonedx::write(report, true),
        ScanFormat::SpdxJson => bulwark_sbom::spdx::write(report),
    }
}

/// The layer diff ids of the base image the user named.
fn base_diff_ids(image: &ImageArgs, base: &str) -> anyhow::Result<Vec<String>> {
    let base_args = ImageArgs {
        target: base.to_string(),
        platform: image.platform.clone(),
        insecure: image.insecure,
        max_bytes: image.max_bytes,
        max_entries: image.max_entries,
        max_entry_bytes: image.max_entry_bytes,
        base_diff_ids: None,
    };
    let opened = base_args
        .open()
        .with_context(|| format!("opening the base image {base}"))?;
    let config = opened
        .meta
        .config
        .as_ref()
        .with_context(|| format!("the base image {base} has no image configuration"))?;
    Ok(config.rootfs.diff_ids.clone())
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// Today's date (UTC) as `YYYY-MM-DD`, for exception expiry.
fn today() -> String {
    bulwark_config::suppress::today().to_string()
}
