//! `bulwark db`: build, update, extend and inspect the advisory database (`bulwark-vulndb`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use bulwark_vulndb::import::ImportReport;
use bulwark_vulndb::store::format_unix;
use bulwark_vulndb::update::{default_feeds, FeedOutcome, UpdateOptions};
use bulwark_vulndb::{Builder, Db, SourceKind};
use clap::{Args, Subcommand};

/// Arguments of `bulwark db`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// Database file [default: $XDG_CACHE_HOME/bulwark/db.sqlite or ~/.cache/bulwark/db.sqlite].
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: DbCommand,
}

/// `bulwark db` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Build a new database from local feed files (replaces the output atomically).
    Build(BuildArgs),
    /// Download the upstream feeds (conditionally) and rebuild the database.
    Update(UpdateArgs),
    /// Add local feed files or directories to the existing database.
    Import(ImportArgs),
    /// Show the database's age, sources and counts.
    Status(StatusArgs),
}

/// `bulwark db build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// An input as KIND:PATH (repeatable). KIND: osv, debian-tracker, debian-dsa, alpine-secdb,
    /// redhat-vex, rustsec, nvd, epss, kev. PATH: a file, a directory, or an OSV all.zip.
    #[arg(long = "source", value_name = "KIND:PATH", required = true)]
    pub sources: Vec<String>,

    /// Where to write the database [default: the --db path].
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `bulwark db update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Base URL replacing every upstream (files laid out as osv/ECOSYSTEM/all.zip,
    /// debian/tracker.json, alpine/vX.Y/main.json, nvd/cves.json, epss/..., kev/...).
    #[arg(long, value_name = "URL")]
    pub mirror: Option<String>,

    /// Only the feeds whose name starts with this (repeatable; e.g. osv-PyPI, debian, kev).
    #[arg(long = "feed", value_name = "NAME")]
    pub feeds: Vec<String>,

    /// List the configured feeds and exit.
    #[arg(long)]
    pub list_feeds: bool,
}

/// `bulwark db import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files or directories, optionally as KIND:PATH (the kind is guessed otherwise).
    #[arg(required = true, value_name = "[KIND:]PATH")]
    pub inputs: Vec<String>,
}

/// `bulwark db status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Warn when the database is older than this many days.
    #[arg(long, default_value_t = 7, value_name = "DAYS")]
    pub max_age: u64,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: super::Format,
}

/// The default database path: `$XDG_CACHE_HOME/bulwark/db.sqlite`, else
/// `~/.cache/bulwark/db.sqlite`.
pub fn default_db_path() -> anyhow::Result<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
        return Ok(PathBuf::from(x).join("bulwark").join("db.sqlite"));
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .context("neither XDG_CACHE_HOME nor HOME is set; pass --db FILE")?;
    Ok(PathBuf::from(home)
        .join(".cache")
        .join("bulwark")
        .join("db.sqlite"))
}

/// Run `bulwark db`.
pub fn run(global: &super::GlobalArgs, args: DbArgs) -> anyhow::Result<ExitCode> {
    let db_path = match args.db {
        Some(p) => p,
        None => default_db_path()?,
    };
    match args.command {
        DbCommand::Build(b) => build(global, &db_path, b),
        DbCommand::Update(u) => update(global, &db_path, u),
        DbCommand::Import(i) => import(global, &db_path, i),
        DbCommand::Status(s) => status(&db_path, s),
    }
}

fn parse_input(spec: &str, guess: bool) -> anyhow::Result<(SourceKind, PathBuf)> {
    if let Some((kind, path)) = spec.split_once(':') {
        if let Ok(kind) = kind.parse::<SourceKind>() {
            return Ok((kind, PathBuf::from(path)));
        }
        if !guess {
            anyhow::bail!("{}", kind.parse::<SourceKind>().err().unwrap_or_default());
        }
    } else if !guess {
        anyhow::bail!("expected KIND:PATH, got `{spec}`");
    }
    let path = PathBuf::from(spec);
    let kind = bulwark_vulndb::import::detect_kind(&path)?;
    Ok((kind, path))
}

/// A short unique source name: `KIND:FILE-NAME`, with `#N` added when already taken.
fn source_name(kind: SourceKind, path: &Path, taken: &mut Vec<String>) -> String {
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut name = format!("{kind}:{base}");
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{kind}:{base}#{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// A single feed file (not a directory or zip of many) from which nothing could be imported is
/// the wrong file, not an empty feed: refuse it with the first reason.
fn check_not_all_skipped(path: &Path, r: &ImportReport) -> anyhow::Result<()> {
    if path.is_file() && r.advisories == 0 && r.enrichments == 0 {
        if let Some(first) = r.skipped.first() {
            anyhow::bail!(
                "{}: nothing could be imported ({} record(s) skipped, first: {}); check the feed \
                 kind (KIND:PATH) and that this is the right file",
                path.display(),
                r.skipped.len(),
                first.reason
            );
        }
    }
    Ok(())
}

fn print_report(global: &super::GlobalArgs, label: &str, r: &ImportReport) {
    if global.quiet {
        return;
    }
    eprintln!(
        "{label}: {} files, {} advisories, {} enrichment records, {} skipped",
        r.files,
        r.advisories,
        r.enrichments,
        r.skipped.len()
    );
    let limit = if global.verbose > 0 { usize::MAX } else { 5 };
    for s in r.skipped.iter().take(limit) {
        eprintln!(
            "  skipped {}{}: {}",
            s.file,
            s.id.as_deref()
                .map(|i| format!(" ({i})"))
                .unwrap_or_default(),
            s.reason
        );
    }
    if r.skipped.len() > limit {
        eprintln!("  ... {} more (-v lists them all)", r.skipped.len() - limit);
    }
}

fn build(global: &super::GlobalArgs, db_path: &Path, args: BuildArgs) -> anyhow::Result<ExitCode> {
    let output = args.output.unwrap_or_else(|| db_path.to_path_buf());
    let inputs: Vec<(SourceKind, PathBuf)> = args
        .sources
        .iter()
        .map(|s| parse_input(s, false))
        .collect::<anyhow::Result<_>>()?;
    let mut builder = Builder::create(&output)?;
    let mut names = Vec::new();
    for (kind, path) in &inputs {
        let name = source_name(*kind, path, &mut names);
        let report = builder
            .import(&name, *kind, path, &path.display().to_string())
            .with_context(|| format!("importing {}", path.display()))?;
        print_report(global, &format!("{kind}:{}", path.display()), &report);
        check_not_all_skipped(path, &report)?;
    }
    let summary = builder.finish()?;
    if !global.quiet {
        eprintln!(
            "wrote {}: {} advisories, {} affected packages, {} enriched CVEs",
            output.display(),
            summary.advisories,
            summary.affected,
            summary.enrichments
        );
    }
    Ok(ExitCode::from(crate::exit::OK))
}

fn import(
    global: &super::GlobalArgs,
    db_path: &Path,
    args: ImportArgs,
) -> anyhow::Result<ExitCode> {
    let inputs: Vec<(SourceKind, PathBuf)> = args
        .inputs
        .iter()
        .map(|s| parse_input(s, true))
        .collect::<anyhow::Result<_>>()?;
    let mut builder = if db_path.exists() {
        Builder::extend(db_path)?
    } else {
        Builder::create(db_path)?
    };
    // Names are not checked against the database's: importing the same file again replaces
    // its source row (its records are merged by advisory id and feed).
    let mut names = Vec::new();
    for (kind, path) in &inputs {
        let location = std::fs::canonicalize(path)
            .unwrap_or_else(|_| path.clone())
            .display()
            .to_string();
        let name = source_name(*kind, path, &mut names);
        let report = builder
            .import(&name, *kind, path, &location)
            .with_context(|| format!("importing {}", path.display()))?;
        print_report(global, &format!("{kind}:{}", path.display()), &report);
        check_not_all_skipped(path, &report)?;
    }
    let summary = builder.finish()?;
    if !global.quiet {
        eprintln!(
            "updated {}: {} advisories, {} affected packages",
            db_path.display(),
            summary.advisories,
            summary.affected
        );
    }
    Ok(ExitCode::from(crate::exit::OK))
}

fn update(
    global: &super::GlobalArgs,
    db_path: &Path,
    args: UpdateArgs,
) -> anyhow::Result<ExitCode> {
    let feeds = default_feeds();
    if args.list_feeds {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for f in &feeds {
            writeln!(out, "{:<24} {:<15} {}", f.name, f.kind, f.url)?;
        }
        return Ok(ExitCode::from(crate::exit::OK));
    }
    let opts = UpdateOptions {
        mirror: args.mirror,
        only: args.feeds,
        progress: !global.quiet && std::io::stderr().is_terminal(),
        cache_dir: None,
        nvd_api_key: std::env::var("NVD_API_KEY").ok().filter(|k| !k.is_empty()),
    };
    let report = bulwark_vulndb::update::update(db_path, &feeds, &opts)
        .context("update failed; the previous database was left as it was")?;
    if !global.quiet {
        for (name, outcome) in &report.feeds {
            match outcome {
                FeedOutcome::Downloaded { bytes } => eprintln!("{name}: downloaded {bytes} bytes"),
                FeedOutcome::NotModified => eprintln!("{name}: not modified"),
                FeedOutcome::Missing => eprintln!("{name}: not found upstream, skipped"),
            }
        }
        for (name, r) in &report.imports {
            print_report(global, name, r);
        }
        eprintln!(
            "updated {}: {} advisories, {} affected packages, {} enriched CVEs",
            db_path.display(),
            report.summary.advisories,
            report.summary.affected,
            report.summary.enrichments
        );
    }
    Ok(ExitCode::from(crate::exit::OK))
}

fn status(db_path: &Path, args: StatusArgs) -> anyhow::Result<ExitCode> {
    let db = Db::open(db_path)?;
    let st = db.status()?;
    let now = bulwark_vulndb::store::now_unix();
    let age_secs = now.saturating_sub(st.built_at).max(0);
    let max_secs = i64::try_from(args.max_age.saturating_mul(86_400)).unwrap_or(i64::MAX);
    let stale = age_secs > max_secs;
    match args.format {
        super::Format::Json => {
            let sources: Vec<serde_json::Value> = st
                .sources
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "name": s.name, "kind": s.kind, "location": s.location,
                        "fetched_at": format_unix(s.fetched_at), "advisories": s.advisories,
                        "enrichments": s.enrichments, "skipped": s.skipped,
                        "etag": s.etag, "last_modified": s.last_modified,
                    })
                })
                .collect();
            let v = serde_json::json!({
                "path": db_path.display().to_string(),
                "schema_version": st.schema_version,
                "built_at": format_unix(st.built_at),
                "age_seconds": age_secs,
                "stale": stale,
                "advisories": st.advisories,
                "affected": st.affected,
                "packages": st.packages,
                "enriched_cves": st.enrichments,
                "sources": sources,
            });
            super::write_output(None, &serde_json::to_string_pretty(&v)?)?;
        }
        super::Format::Table => {
            let mut out = String::new();
            out.push_str(&format!("database:   {}\n", db_path.display()));
            out.push_str(&format!("schema:     {}\n", st.schema_version));
            out.push_str(&format!(
                "built:      {} ({:.1} days ago)\n",
                format_unix(st.built_at),
                age_secs as f64 / 86_400.0
            ));
            out.push_str(&format!(
                "records:    {} advisories, {} affected packages, {} packages, {} enriched CVEs\n",
                st.advisories, st.affected, st.packages, st.enrichments
            ));
            out.push_str("sources:\n");
            for s in &st.sources {
                out.push_str(&format!(
                    "  {:<28} {:<15} {:>7} adv {:>7} enr {:>5} skipped  {}  {}\n",
                    s.name,
                    s.kind,
                    s.advisories,
                    s.enrichments,
                    s.skipped,
                    format_unix(s.fetched_at),
                    s.location
                ));
            }
            super::write_output(None, &out)?;
        }
    }
    if stale {
        eprintln!(
            "warning: the advisory database is {:.1} days old (more than {} days); run `bulwark db update`",
            age_secs as f64 / 86_400.0,
            args.max_age
        );
    }
    Ok(ExitCode::from(crate::exit::OK))
}
