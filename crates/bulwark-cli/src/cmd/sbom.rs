//! `bulwark sbom`: the package inventory of a target, from one pass over its layers.

use std::fmt::Write as _;
use std::process::ExitCode;

use bulwark_catalog::{CatalogSet, Cataloger, Inventory};
use bulwark_source::ImageMeta;
use clap::Args;
use serde::Serialize;

use super::image::{ImageArgs, Progress};
use super::Format;

/// Arguments of `bulwark sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    #[command(flatten)]
    pub image: ImageArgs,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// Include the files each package owns in JSON output.
    #[arg(long)]
    pub files: bool,
}

/// Every cataloger Bulwark has, in one set.
pub fn all_catalogers() -> Vec<Box<dyn Cataloger>> {
    let mut all = bulwark_os::catalogers();
    all.extend(bulwark_lang::catalogers());
    all.extend(bulwark_binary::catalogers());
    all
}

/// Walk the image once with every cataloger and return its metadata and inventory.
pub fn inventory(args: &ImageArgs, quiet: bool) -> anyhow::Result<(ImageMeta, Inventory)> {
    let image = args.open()?;
    let set = CatalogSet::new(all_catalogers());
    let progress = Progress::start(quiet, "reading layers");
    let walked = image.walk(&set, &args.limits());
    progress.finish();
    let walked = walked?;
    let mut inventory = set.finish(walked.walk);
    inventory.layers.clone_from(&walked.meta.layers);
    for s in &walked.stats {
        for path in &s.skipped_large {
            inventory.warnings.push(bulwark_catalog::Warning {
                cataloger: "walker".into(),
                path: path.clone(),
                message: "file larger than the read limit; not catalogued".into(),
            });
        }
    }
    Ok((walked.meta, inventory))
}

/// The JSON document `sbom --format json` prints (schema in docs/json-schema.md).
#[derive(Serialize)]
struct SbomReport<'a> {
    schema_version: u32,
    image: &'a ImageMeta,
    #[serde(flatten)]
    inventory: &'a Inventory,
}

/// Run `bulwark sbom`.
pub fn run(global: &super::GlobalArgs, args: SbomArgs) -> anyhow::Result<ExitCode> {
    let (meta, mut inventory) = inventory(&args.image, global.quiet)?;
    if !args.files {
        for p in &mut inventory.packages {
            p.files.clear();
        }
    }
    if !global.quiet {
        for w in &inventory.warnings {
            tracing::warn!("{}: {}: {}", w.cataloger, w.path, w.message);
        }
    }
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&SbomReport {
            schema_version: 1,
            image: &meta,
            inventory: &inventory,
        })?,
        Format::Table => table(&meta, &inventory),
    };
    super::write_output(args.output.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

fn table(meta: &ImageMeta, inv: &Inventory) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Target: {}", meta.target);
    if let Some(d) = &inv.distro {
        let name = d
            .pretty_name
            .clone()
            .unwrap_or_else(|| format!("{} {}", d.id, d.version_id.clone().unwrap_or_default()));
        let _ = writeln!(out, "OS:     {name}");
    }
    let _ = writeln!(out, "Packages: {}\n", inv.packages.len());
    let wn = inv
        .packages
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(4)
        .clamp(4, 40);
    let wv = inv
        .packages
        .iter()
        .map(|p| p.version.len())
        .max()
        .unwrap_or(7)
        .clamp(7, 30);
    let _ = writeln!(
        out,
        "{:<8}  {:<wn$}  {:<wv$}  {:>5}  FOUND IN",
        "TYPE", "NAME", "VERSION", "LAYER"
    );
    for p in &inv.packages {
        let kind = serde_json::to_value(p.kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let layer = p.layer.map(|l| l.to_string()).unwrap_or_else(|| "-".into());
        let _ = writeln!(
            out,
            "{kind:<8}  {:<wn$}  {:<wv$}  {layer:>5}  {}",
            p.name, p.version, p.found_in
        );
    }
    out
}
