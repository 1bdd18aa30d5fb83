//! Target → inventory: open the target, walk its layers once with every cataloger, finish the
//! inventory; or read an SBOM file in its place.

use std::path::Path;
use std::time::Instant;

use bulwark_catalog::{CatalogSet, Cataloger, Inventory};
use bulwark_model::scan::{BaseImageRef, ScanReport, ScanTarget, Summary, Timings};
use bulwark_model::Tool;
use bulwark_source::{Image, ImageMeta, LayerPlan, SourceOptions, Target};

use crate::control::{CancelRead, Control, Event, Stage};
use crate::{ms_since, ScanError};

/// The prefix that names an SBOM file as the target (`sbom:FILE`).
pub const SBOM_PREFIX: &str = "sbom:";

/// Every cataloger Bulwark has, in one set.
pub fn all_catalogers() -> Vec<Box<dyn Cataloger>> {
    let mut all = bulwark_os::catalogers();
    all.extend(bulwark_lang::catalogers());
    all.extend(bulwark_binary::catalogers());
    all
}

/// Parse `target` and open it (metadata read and verified; layers not yet read). A bare image
/// name goes to the local Docker Engine first, as `docker run` would, then to its registry when
/// the engine is absent or does not have it.
pub fn open_target(target: &str, opts: &SourceOptions) -> Result<Image, ScanError> {
    let parsed = Target::parse(target)?;
    match bulwark_source::open(&parsed, opts) {
        Err(err)
            if matches!(parsed, Target::Docker(_))
                && !target.starts_with("docker:")
                && bulwark_source::engine::should_try_registry(&err) =>
        {
            tracing::debug!("{parsed}: {err}; trying the registry");
            let remote = Target::Registry(target.to_string());
            bulwark_source::open(&remote, opts).map_err(|source| ScanError::OpenRemote {
                target: target.to_string(),
                engine: Box::new(err),
                source: Box::new(source),
            })
        }
        Err(source) => Err(ScanError::Open {
            target: parsed.to_string(),
            source: Box::new(source),
        }),
        Ok(image) => Ok(image),
    }
}

/// What [`inventory`] found, with the image's metadata.
#[derive(Debug)]
pub struct Inventoried {
    /// The image's metadata (layer digests filled in by the walk).
    pub meta: ImageMeta,
    /// The inventory, package file lists included.
    pub inventory: Inventory,
    /// `walk_catalog_ms` and `catalog_finish_ms` filled.
    pub timings: Timings,
}

/// Walk an image target once with every cataloger and return its metadata and inventory.
/// `sbom:` targets are not images: use [`inventory_report`] for any target.
pub fn inventory(
    target: &str,
    opts: &SourceOptions,
    control: &Control,
) -> Result<Inventoried, ScanError> {
    control.check()?;
    control.stage_started(Stage::Open);
    let mut image = open_target(target, opts)?;
    control.stage_finished(Stage::Open);
    control.check()?;
    watch_layers(&mut image, control);

    let set = CatalogSet::new(all_catalogers());
    control.stage_started(Stage::Walk);
    let started = Instant::now();
    let walked = image.walk(&set, &opts.limits);
    let walk_ms = ms_since(started);
    control.check()?;
    let walked = walked.map_err(|e| ScanError::Walk(Box::new(e)))?;
    control.stage_finished(Stage::Walk);

    control.stage_started(Stage::Catalog);
    let started = Instant::now();
    let mut inventory = set.finish(walked.walk);
    let finish_ms = ms_since(started);
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
    control.stage_finished(Stage::Catalog);
    Ok(Inventoried {
        meta: walked.meta,
        inventory,
        timings: Timings {
            walk_catalog_ms: walk_ms,
            catalog_finish_ms: finish_ms,
            ..Timings::default()
        },
    })
}

/// Report each layer as it starts, and make its reader fail once the scan is cancelled.
fn watch_layers(image: &mut Image, control: &Control) {
    match &mut image.plan {
        LayerPlan::Blobs(inputs) => {
            let count = inputs.len();
            for input in inputs.iter_mut() {
                let index = input.info.index;
                let control = control.clone();
                let open = std::mem::replace(
                    &mut input.open,
                    Box::new(|| Err(std::io::Error::other("layer opened twice"))),
                );
                input.open = Box::new(move || {
                    if control.cancel_token().is_cancelled() {
                        return Err(std::io::Error::other("scan cancelled"));
                    }
                    control.emit(Event::LayerStarted { index, count });
                    let inner = open()?;
                    Ok(Box::new(CancelRead {
                        inner,
                        cancel: control.cancel_token().clone(),
                    }) as Box<dyn std::io::Read + Send>)
                });
            }
        }
        LayerPlan::SaveStream(open) => {
            let cancel = control.cancel_token().clone();
            let inner = std::mem::replace(
                open,
                Box::new(|| Err(std::io::Error::other("stream opened twice"))),
            );
            *open = Box::new(move || {
                let inner = inner()?;
                Ok(Box::new(CancelRead { inner, cancel }) as Box<dyn std::io::Read + Send>)
            });
        }
        // A directory is one layer read by the walker itself: checked before and after.
        LayerPlan::Dir(_) => {}
    }
}

/// The inventory-only [`ScanReport`] of any target: an image through [`inventory`], or
/// `sbom:FILE` through `bulwark_sbom::read`. Package file lists are cleared, `created_at` is
/// now, and `timings` has `walk_catalog_ms` (for an SBOM: reading it) and `catalog_finish_ms`.
pub fn inventory_report(
    target: &str,
    opts: &SourceOptions,
    control: &Control,
) -> Result<ScanReport, ScanError> {
    inventory_report_at(target, opts, bulwark_vulndb::store::now_unix(), control)
}

/// [`inventory_report`] created at `now_unix`.
pub(crate) fn inventory_report_at(
    target: &str,
    opts: &SourceOptions,
    now_unix: i64,
    control: &Control,
) -> Result<ScanReport, ScanError> {
    let created_at = bulwark_vulndb::store::format_unix(now_unix);
    if let Some(path) = target.strip_prefix(SBOM_PREFIX) {
        control.check()?;
        control.stage_started(Stage::Open);
        let started = Instant::now();
        let mut report = bulwark_sbom::read(Path::new(path)).map_err(|source| ScanError::Sbom {
            target: target.to_string(),
            source: Box::new(source),
        })?;
        report.timings = Some(Timings {
            walk_catalog_ms: ms_since(started),
            ..Timings::default()
        });
        report.target.name = target.to_string();
        report.created_at = created_at;
        report.tool = tool();
        control.stage_finished(Stage::Open);
        return Ok(report);
    }
    let Inventoried {
        meta,
        mut inventory,
        timings,
    } = inventory(target, opts, control)?;
    for p in &mut inventory.packages {
        p.files.clear();
    }
    let mut report = ScanReport {
        schema_version: bulwark_model::scan::SCHEMA_VERSION,
        tool: tool(),
        created_at,
        target: target_of(&meta, &inventory),
        database: None,
        packages: inventory.packages,
        vulnerabilities: Vec::new(),
        licenses: Vec::new(),
        notices: Vec::new(),
        warnings: inventory.warnings,
        summary: Summary::default(),
        timings: Some(timings),
    };
    report.summarize();
    Ok(report)
}

/// The producing tool: this build of Bulwark.
fn tool() -> Tool {
    Tool {
        name: "bulwark".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        information_uri: None,
    }
}

/// The scan target of a walked image.
fn target_of(meta: &ImageMeta, inventory: &Inventory) -> ScanTarget {
    ScanTarget {
        name: meta.target.clone(),
        source: meta.source.to_string(),
        names: meta.names.clone(),
        image_id: meta.config_digest.clone(),
        manifest_digest: meta.manifest_digest.clone(),
        distro: inventory.distro.clone(),
        base_image: meta.base.as_ref().map(|b| BaseImageRef {
            name: b.name.clone(),
            digest: b.digest.clone(),
            layers: b.layers,
            evidence: b.evidence.as_str().to_string(),
        }),
        layers: inventory.layers.clone(),
    }
}
