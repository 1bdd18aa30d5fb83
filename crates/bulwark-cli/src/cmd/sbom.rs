//! `bulwark sbom`: the package inventory of a target, from one pass over its layers or from an
//! SBOM file (`sbom:FILE`), as a table, Bulwark JSON, CycloneDX 1.6 or SPDX 2.3 JSON.

use std::fmt::Write as _;
use std::process::ExitCode;

use bulwark_catalog::Inventory;
use bulwark_model::scan::ScanReport;
use bulwark_source::ImageMeta;
use clap::Args;
use serde::Serialize;

use super::image::{ImageArgs, WalkSpinner};

/// Output formats of `bulwark sbom`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SbomFormat {
    /// A table for people.
    Table,
    /// Bulwark's inventory JSON (schema in docs/json-schema.md).
    Json,
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    SpdxJson,
}

/// Arguments of `bulwark sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    #[command(flatten)]
    pub image: ImageArgs,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = SbomFormat::Table)]
    pub format: SbomFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// Include the files each package owns in JSON output.
    #[arg(long)]
    pub files: bool,
}

/// Walk the image once with every cataloger and return its metadata and inventory.
pub fn inventory(args: &ImageArgs, quiet: bool) -> anyhow::Result<(ImageMeta, Inventory)> {
    let opts = args.source_options()?;
    let spinner = WalkSpinner::new(quiet);
    let result = bulwark_scan::inventory(&args.target, &opts, &spinner.control());
    spinner.finish();
    let walked = result?;
    Ok((walked.meta, walked.inventory))
}

/// The inventory-only report of any target (`bulwark_scan::inventory_report`), with a spinner
/// while the layers are read.
pub fn scan_input(args: &ImageArgs, quiet: bool) -> anyhow::Result<ScanReport> {
    let opts = args.source_options()?;
    let spinner = WalkSpinner::new(quiet);
    let result = bulwark_scan::inventory_report(&args.target, &opts, &spinner.control());
    spinner.finish();
    let mut report = result?;
    report.timings = None;
    Ok(report)
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
    let is_sbom = args.image.target.starts_with(bulwark_scan::SBOM_PREFIX);
    let text = match args.format {
        SbomFormat::Cyclonedx | SbomFormat::SpdxJson => {
            let mut report = scan_input(&args.image, global.quiet)?;
            warn_all(global, &report.warnings);
            report.summarize();
            if args.format == SbomFormat::Cyclonedx {
                bulwark_sbom::cyclonedx::write(&report, false)
            } else {
                bulwark_sbom::spdx::write(&report)
            }
        }
        SbomFormat::Table | SbomFormat::Json => {
            let (meta, inventory) = if is_sbom {
                let report = scan_input(&args.image, global.quiet)?;
                sbom_as_inventory(report)
            } else {
                let (meta, mut inventory) = inventory(&args.image, global.quiet)?;
                if !args.files {
                    for p in &mut inventory.packages {
                        p.files.clear();
                    }
                }
                (meta, inventory)
            };
            warn_all(global, &inventory.warnings);
            if args.format == SbomFormat::Json {
                serde_json::to_string_pretty(&SbomReport {
                    schema_version: 1,
                    image: &meta,
                    inventory: &inventory,
                })?
            } else {
                table(&meta, &inventory)
            }
        }
    };
    super::write_output(args.output.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

fn warn_all(global: &super::GlobalArgs, warnings: &[bulwark_catalog::Warning]) {
    if !global.quiet {
        for w in warnings {
            tracing::warn!("{}: {}: {}", w.cataloger, w.path, w.message);
        }
    }
}

/// An SBOM's report in the shape `table`/`json` print for images.
fn sbom_as_inventory(report: ScanReport) -> (ImageMeta, Inventory) {
    let t = report.target;
    let meta = ImageMeta {
        target: t.name,
        source: "sbom",
        names: t.names,
        manifest_digest: t.manifest_digest,
        config_digest: t.image_id,
        platform: None,
        config: None,
        annotations: Default::default(),
        layers: t.layers.clone(),
        base: None,
    };
    let inventory = Inventory {
        distro: t.distro,
        layers: t.layers,
        packages: report.packages,
        warnings: report.warnings,
    };
    (meta, inventory)
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
        let kind = p.kind.as_str();
        let layer = p.layer.map(|l| l.to_string()).unwrap_or_else(|| "-".into());
        let _ = writeln!(
            out,
            "{kind:<8}  {:<wn$}  {:<wv$}  {layer:>5}  {}",
            p.name, p.version, p.found_in
        );
    }
    out
}

#[cfg(test)]
mod tests {
    /// The formatter reports' `created_at` uses (the database's), on the dates that break naive
    /// ones.
    #[test]
    fn rfc3339_dates() {
        let rfc3339 = bulwark_vulndb::store::format_unix;
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        // 2000-02-29 (leap day of a century leap year) and 2024-12-31T23:59:59.
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_735_689_599), "2024-12-31T23:59:59Z");
        assert_eq!(rfc3339(4_107_542_400), "2100-03-01T00:00:00Z");
    }
}
