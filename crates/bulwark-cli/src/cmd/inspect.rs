//! `bulwark inspect`: an image's summary (platform, digests, config, layers), with every layer
//! read once and verified against its digests unless `--no-verify`.

use std::fmt::Write as _;
use std::process::ExitCode;

use bulwark_source::ImageMeta;
use bulwark_walk::{EntryMeta, LayerStats, Visitor};
use clap::Args;
use serde::Serialize;

use super::image::{ImageArgs, Progress};
use super::Format;

/// Arguments of `bulwark inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub image: ImageArgs,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// Only read manifests and config; do not read and verify the layers.
    #[arg(long)]
    pub no_verify: bool,
}

/// A visitor that wants nothing: reading the layers verifies and counts them.
struct NoFiles;

impl Visitor for NoFiles {
    type Output = ();
    fn wants(&self, _: &EntryMeta<'_>) -> bool {
        false
    }
    fn visit(&self, _: &EntryMeta<'_>, _: &[u8]) {}
}

/// The JSON document `inspect --format json` prints (schema in docs/json-schema.md).
#[derive(Serialize)]
struct InspectReport<'a> {
    schema_version: u32,
    #[serde(flatten)]
    image: &'a ImageMeta,
    /// Per-layer statistics, present when the layers were read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    layer_stats: Vec<LayerStatsJson>,
    /// Number of paths visible in the final filesystem, when the layers were read.
    #[serde(skip_serializing_if = "Option::is_none")]
    files: Option<usize>,
    /// Whether every digest was verified.
    verified: bool,
}

#[derive(Serialize)]
struct LayerStatsJson {
    index: usize,
    entries: u64,
    uncompressed_bytes: u64,
}

/// Run `bulwark inspect`.
pub fn run(global: &super::GlobalArgs, args: InspectArgs) -> anyhow::Result<ExitCode> {
    let image = args.image.open()?;
    let (meta, stats, files, verified) = if args.no_verify {
        (image.meta, Vec::new(), None, false)
    } else {
        let progress = Progress::start(global.quiet, "reading layers");
        let walked = image.walk(&NoFiles, &args.image.limits());
        progress.finish();
        let walked = walked?;
        let files = walked.walk.view.len();
        (walked.meta, walked.stats, Some(files), true)
    };
    let text = match args.format {
        Format::Json => {
            let report = InspectReport {
                schema_version: 1,
                image: &meta,
                layer_stats: stats
                    .iter()
                    .enumerate()
                    .map(|(index, s)| LayerStatsJson {
                        index,
                        entries: s.entries,
                        uncompressed_bytes: s.tar_bytes,
                    })
                    .collect(),
                files,
                verified,
            };
            serde_json::to_string_pretty(&report)?
        }
        Format::Table => table(&meta, &stats, files, verified),
    };
    super::write_output(args.output.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

fn short(d: &str) -> &str {
    let hex = d.split_once(':').map_or(d, |(_, h)| h);
    hex.get(..12).unwrap_or(hex)
}

fn table(meta: &ImageMeta, stats: &[LayerStats], files: Option<usize>, verified: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Target:     {}", meta.target);
    if !meta.names.is_empty() {
        let _ = writeln!(out, "Names:      {}", meta.names.join(", "));
    }
    if let Some(p) = &meta.platform {
        let _ = writeln!(out, "Platform:   {p}");
    }
    if let Some(d) = &meta.manifest_digest {
        let _ = writeln!(out, "Manifest:   {d}");
    }
    if let Some(d) = &meta.config_digest {
        let _ = writeln!(out, "Config:     {d}");
    }
    if let Some(c) = &meta.config {
        let cc = &c.config;
        let user = cc
            .user
            .as_deref()
            .filter(|u| !u.is_empty())
            .unwrap_or("(root: no USER set)");
        let _ = writeln!(out, "User:       {user}");
        if !cc.entrypoint.is_empty() {
            let _ = writeln!(
                out,
                "Entrypoint: {}",
                serde_json::to_string(&cc.entrypoint).unwrap_or_default()
            );
        }
        if !cc.cmd.is_empty() {
            let _ = writeln!(
                out,
                "Cmd:        {}",
                serde_json::to_string(&cc.cmd).unwrap_or_default()
            );
        }
        if let Some(w) = cc.working_dir.as_deref().filter(|w| !w.is_empty()) {
            let _ = writeln!(out, "WorkingDir: {w}");
        }
        let env: Vec<&str> = cc
            .env
            .iter()
            .map(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k))
            .collect();
        if !env.is_empty() {
            let _ = writeln!(out, "Env:        {}", env.join(", "));
        }
        if !cc.exposed_ports.is_empty() {
            let ports: Vec<&str> = cc.exposed_ports.keys().map(String::as_str).collect();
            let _ = writeln!(out, "Ports:      {}", ports.join(", "));
        }
        let hc = match &cc.healthcheck {
            Some(h) if h.test.first().map(String::as_str) == Some("NONE") => "disabled".to_string(),
            Some(h) => h.test.join(" "),
            None => "none".to_string(),
        };
        let _ = writeln!(out, "Healthcheck: {hc}");
        for (k, v) in &cc.labels {
            let _ = writeln!(out, "Label:      {k}={v}");
        }
    }
    if let Some(b) = &meta.base {
        let name = b.name.as_deref().unwrap_or("(unnamed)");
        let layers = b
            .layers
            .map(|n| format!("{n} layer(s)"))
            .unwrap_or_else(|| "layers unknown".into());
        let _ = writeln!(
            out,
            "Base image: {name}, {layers} (evidence: {:?})",
            b.evidence
        );
    }
    if let Some(f) = files {
        let _ = writeln!(out, "Files:      {f} visible paths");
    }
    let _ = writeln!(
        out,
        "Verified:   {}",
        if verified {
            "all digests checked"
        } else {
            "no (--no-verify)"
        }
    );
    if !meta.layers.is_empty() {
        let _ = writeln!(
            out,
            "\n  #  {:<12}  {:>10}  {:>10}  {:>8}  {:<4}  CREATED BY",
            "DIGEST", "SIZE", "UNPACKED", "ENTRIES", "BASE"
        );
        for l in &meta.layers {
            let s = stats.get(l.index);
            let digest = l
                .digest
                .as_deref()
                .or(l.diff_id.as_deref())
                .map(short)
                .unwrap_or("-");
            let size = l.size.map(human).unwrap_or_else(|| "-".into());
            let unpacked = s.map(|s| human(s.tar_bytes)).unwrap_or_else(|| "-".into());
            let entries = s
                .map(|s| s.entries.to_string())
                .unwrap_or_else(|| "-".into());
            let mut by = l.created_by.clone().unwrap_or_default().replace('\n', " ");
            if by.len() > 70 {
                let mut cut = 67;
                while !by.is_char_boundary(cut) {
                    cut -= 1;
                }
                by.truncate(cut);
                by.push_str("...");
            }
            let base = if l.is_base { "yes" } else { "no" };
            let _ = writeln!(
                out,
                "{:>3}  {digest:<12}  {size:>10}  {unpacked:>10}  {entries:>8}  {base:<4}  {by}",
                l.index
            );
        }
    }
    out
}
