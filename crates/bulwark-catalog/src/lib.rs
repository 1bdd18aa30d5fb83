//! The inventory stage: the [`Cataloger`] contract, the package data types, and the glue that
//! runs every cataloger in one pass of the layer walker.
//!
//! A cataloger says which files it wants ([`Cataloger::wants`]), turns each wanted file into a
//! small parsed value while the layer is being read ([`Cataloger::read`], called concurrently
//! from the layer threads), and, once the walk is over and the final file view is known, turns
//! the parsed values into packages ([`Cataloger::finish`]). Catalogers finish in [`Stage`] order:
//! the distribution first, then OS package managers (whose owned files the language catalogers
//! then skip), then language ecosystems.
//!
//! What it does not do: read images (`bulwark-walk`, `bulwark-source`) or parse any particular
//! package format (`bulwark-os`, `bulwark-lang`).

pub mod distro;
mod package;
pub mod purl;

use std::any::Any;
use std::collections::HashSet;

pub use bulwark_walk::{
    Captured, EntryMeta, FileView, LayerInfo, Node, NodeKind, Visitor, WalkResult,
};
pub use package::{Distro, Package, PackageKind, Relationship, SourcePackage, Warning};
use serde::Serialize;

/// What [`Cataloger::read`] returns: any value the cataloger wants back in `finish`.
pub type Parsed = Box<dyn Any + Send>;

/// When a cataloger's `finish` runs relative to the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Distribution detection (os-release and friends).
    Distro,
    /// OS package managers (dpkg, apk, rpm): they record the files they own.
    Os,
    /// Language ecosystems and binaries: they skip files that OS packages own.
    Language,
}

/// One file a cataloger asked for, as found in one layer.
pub struct Hit {
    /// Absolute path inside the image.
    pub path: String,
    /// Layer the file was read from.
    pub layer: usize,
    /// Whether this copy is the one a container would see (later layers neither replaced nor
    /// deleted it).
    pub visible: bool,
    /// What [`Cataloger::read`] returned for it.
    pub parsed: Parsed,
}

impl std::fmt::Debug for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hit")
            .field("path", &self.path)
            .field("layer", &self.layer)
            .field("visible", &self.visible)
            .finish_non_exhaustive()
    }
}

/// A package cataloger.
pub trait Cataloger: Send + Sync {
    /// Short stable name (`dpkg`, `rpm`, `python-installed`...), used in warnings.
    fn name(&self) -> &'static str;

    /// When `finish` runs.
    fn stage(&self) -> Stage;

    /// Cheap filter called for every regular file in every layer.
    fn wants(&self, entry: &EntryMeta<'_>) -> bool;

    /// Parse one wanted file's content. Called from the layer threads, concurrently. Keep the
    /// result small (parsed records, not the raw bytes, for anything large).
    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed;

    /// Turn the parsed files (from every layer, in layer order, each marked visible or not) into
    /// packages, distribution facts and warnings recorded in `ctx`.
    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<Hit>);
}

/// Shared state handed to each cataloger's `finish`, in stage order.
pub struct CatalogContext<'a> {
    /// The final file view.
    pub view: &'a FileView,
    /// The image's layers, bottom first.
    pub layers: &'a [LayerInfo],
    /// The distribution, once a [`Stage::Distro`] cataloger has found it.
    pub distro: Option<Distro>,
    /// Packages found so far.
    pub packages: Vec<Package>,
    /// Files owned by OS packages (absolute paths), filled by [`Stage::Os`] catalogers.
    pub os_owned_files: HashSet<String>,
    /// Problems that did not stop the scan.
    pub warnings: Vec<Warning>,
}

impl CatalogContext<'_> {
    /// Record a warning.
    pub fn warn(&mut self, cataloger: &str, path: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            cataloger: cataloger.to_string(),
            path: path.to_string(),
            message: message.into(),
        });
    }

    /// Whether an OS package owns `path`.
    pub fn is_os_owned(&self, path: &str) -> bool {
        self.os_owned_files.contains(path)
    }

    /// Whether the layer at `index` belongs to the base image.
    pub fn is_base_layer(&self, index: usize) -> bool {
        self.layers.get(index).is_some_and(|l| l.is_base)
    }
}

/// The result of cataloguing an image: what is inside it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inventory {
    /// The distribution, when one was detected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distro: Option<Distro>,
    /// The layers, bottom first (packages refer to them by index).
    pub layers: Vec<LayerInfo>,
    /// Every package found, sorted by kind, name, version and location.
    pub packages: Vec<Package>,
    /// Problems that did not stop the scan.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// A set of catalogers run together in one walk; it is the walker's [`Visitor`].
pub struct CatalogSet {
    catalogers: Vec<Box<dyn Cataloger>>,
}

/// The per-file output of a [`CatalogSet`] visit: the parsed value of each cataloger that
/// wanted the file.
pub type SetOutput = Vec<(usize, Parsed)>;

impl CatalogSet {
    /// A set running the given catalogers.
    pub fn new(catalogers: Vec<Box<dyn Cataloger>>) -> Self {
        CatalogSet { catalogers }
    }

    /// The catalogers in the set.
    pub fn catalogers(&self) -> &[Box<dyn Cataloger>] {
        &self.catalogers
    }

    /// Run every cataloger's `finish` over a finished walk, in stage order, and build the
    /// inventory.
    pub fn finish(&self, walk: WalkResult<SetOutput>) -> Inventory {
        let WalkResult {
            layers,
            view,
            captured,
        } = walk;
        let mut per_cataloger: Vec<Vec<Hit>> =
            (0..self.catalogers.len()).map(|_| Vec::new()).collect();
        for c in captured {
            for (idx, parsed) in c.output {
                if let Some(bucket) = per_cataloger.get_mut(idx) {
                    bucket.push(Hit {
                        path: c.path.clone(),
                        layer: c.layer,
                        visible: c.visible,
                        parsed,
                    });
                }
            }
        }
        let mut ctx = CatalogContext {
            view: &view,
            layers: &layers,
            distro: None,
            packages: Vec::new(),
            os_owned_files: HashSet::new(),
            warnings: Vec::new(),
        };
        let mut order: Vec<usize> = (0..self.catalogers.len()).collect();
        order.sort_by_key(|&i| self.catalogers[i].stage());
        let mut buckets: Vec<Option<Vec<Hit>>> = per_cataloger.into_iter().map(Some).collect();
        for i in order {
            let hits = buckets[i].take().unwrap_or_default();
            self.catalogers[i].finish(&mut ctx, hits);
        }
        let mut packages = ctx.packages;
        packages.sort_by(|a, b| {
            (a.kind, &a.name, &a.version, &a.found_in).cmp(&(
                b.kind,
                &b.name,
                &b.version,
                &b.found_in,
            ))
        });
        Inventory {
            distro: ctx.distro,
            layers: layers.clone(),
            packages,
            warnings: ctx.warnings,
        }
    }
}

impl Visitor for CatalogSet {
    type Output = SetOutput;

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        self.catalogers.iter().any(|c| c.wants(entry))
    }

    fn visit(&self, entry: &EntryMeta<'_>, data: &[u8]) -> SetOutput {
        self.catalogers
            .iter()
            .enumerate()
            .filter(|(_, c)| c.wants(entry))
            .map(|(i, c)| (i, c.read(entry, data)))
            .collect()
    }
}

/// Catalogue in-memory layers, each a list of `(path, content)` regular files (no whiteouts).
/// Meant for tests of catalogers: it exercises the same `wants`/`read`/`finish` path as a real
/// walk. Paths may be given with or without the leading `/`.
pub fn catalog_memory_layers(set: &CatalogSet, layers: &[Vec<(&str, &[u8])>]) -> Inventory {
    let mut view = FileView::new();
    let mut captured = Vec::new();
    let mut infos = Vec::new();
    for (index, files) in layers.iter().enumerate() {
        infos.push(LayerInfo {
            index,
            ..LayerInfo::default()
        });
        for (raw_path, data) in files {
            let Some(path) = bulwark_walk::normalize_entry_path(raw_path) else {
                continue;
            };
            view.insert(
                path.clone(),
                Node {
                    kind: NodeKind::File,
                    size: data.len() as u64,
                    mode: 0o755,
                    layer: index,
                },
            );
            let entry = EntryMeta {
                path: &path,
                size: data.len() as u64,
                mode: 0o755,
                layer: index,
            };
            if set.wants(&entry) {
                let output = set.visit(&entry, data);
                captured.push(Captured {
                    path: path.clone(),
                    layer: index,
                    visible: false,
                    output,
                });
            }
        }
    }
    for c in &mut captured {
        c.visible = view.is_visible(&c.path, c.layer);
    }
    set.finish(WalkResult {
        layers: infos,
        view,
        captured,
    })
}

/// Catalogue a single in-memory layer; see [`catalog_memory_layers`].
pub fn catalog_memory_files(set: &CatalogSet, files: &[(&str, &[u8])]) -> Inventory {
    catalog_memory_layers(set, &[files.to_vec()])
}
