//! CBL-Mariner / Azure Linux distroless images: no rpm database, but
//! `/var/lib/rpmmanifest/container-manifest-2`, one package a line, tab-separated:
//! name, version-release, install time, build time, vendor, epoch (`(none)` or a number),
//! size, arch, epoch number (`0` when none), source rpm: `rpm -qa --qf` with `%{EPOCH}` and
//! `%{EPOCHNUM}`.
//!
//! When the image also has an rpm database, the database (owned files, licenses, digests) is
//! the inventory and the manifest is not reported again.

use bulwark_catalog::{
    CatalogContext, Cataloger, EntryMeta, Hit, Package, PackageKind, Parsed, SourcePackage, Stage,
};

use crate::purl;

/// The manifest Syft and Trivy read (`container-manifest-1` lists names only).
pub const MANIFEST: &str = "/var/lib/rpmmanifest/container-manifest-2";
/// Largest manifest read.
const MAX_MANIFEST: u64 = 64 * 1024 * 1024;

/// One manifest line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// Package name.
    pub name: String,
    /// `VERSION-RELEASE`.
    pub version: String,
    /// Epoch, when not `(none)`.
    pub epoch: Option<u32>,
    /// Architecture.
    pub arch: Option<String>,
    /// Vendor.
    pub vendor: Option<String>,
    /// Source rpm file name.
    pub source_rpm: Option<String>,
    /// Install time (seconds since the epoch), as written.
    pub install_time: Option<String>,
    /// Size in bytes, as written.
    pub size: Option<String>,
}

/// Parse a `container-manifest-2`: entries and one warning per malformed line (line number
/// and cause).
pub fn parse_manifest(text: &str) -> (Vec<ManifestEntry>, Vec<String>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').map(str::trim).collect();
        let get = |i: usize| {
            f.get(i)
                .copied()
                .filter(|v| !v.is_empty() && *v != "(none)")
                .map(str::to_string)
        };
        let (Some(name), Some(version)) = (get(0), get(1)) else {
            warnings.push(format!("line {}: no name and version-release", i + 1));
            continue;
        };
        let epoch = match get(5) {
            None => None,
            Some(e) => match e.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    warnings.push(format!("line {}: epoch {e:?} is not a number", i + 1));
                    continue;
                }
            },
        };
        out.push(ManifestEntry {
            name,
            version,
            epoch,
            arch: get(7),
            vendor: get(4),
            source_rpm: get(9),
            install_time: get(2),
            size: get(6),
        });
    }
    (out, warnings)
}

/// The rpm manifest cataloger ([`Stage::Os`], after the rpm database cataloger).
#[derive(Debug, Default)]
pub struct RpmManifestCataloger;

impl Cataloger for RpmManifestCataloger {
    fn name(&self) -> &'static str {
        "rpm-manifest"
    }

    fn stage(&self) -> Stage {
        Stage::Os
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        entry.path == MANIFEST
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        let size = entry.size.max(data.len() as u64);
        if size > MAX_MANIFEST {
            return Box::new((
                Vec::<ManifestEntry>::new(),
                vec![format!(
                    "not read: {size} bytes is over the {MAX_MANIFEST}-byte limit"
                )],
            ));
        }
        Box::new(parse_manifest(&String::from_utf8_lossy(data)))
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<Hit>) {
        // An rpm database, when there is one, is the better record of the same packages.
        if ctx
            .packages
            .iter()
            .any(|p| p.kind == PackageKind::Rpm && p.found_in != MANIFEST)
        {
            return;
        }
        let distro = ctx.distro.clone();
        let namespace = purl::namespace("rpm", distro.as_ref());
        let distro_q = purl::distro_qualifier(distro.as_ref());
        for hit in hits {
            if !hit.visible {
                continue;
            }
            let Ok(parsed) = hit.parsed.downcast::<(Vec<ManifestEntry>, Vec<String>)>() else {
                continue;
            };
            let (entries, warnings) = *parsed;
            for w in warnings {
                ctx.warn(self.name(), &hit.path, w);
            }
            for e in entries {
                let mut pkg = Package::new(
                    PackageKind::Rpm,
                    &e.name,
                    &e.version,
                    purl::build(
                        "rpm",
                        namespace.as_deref(),
                        &e.name,
                        &e.version,
                        &[
                            ("arch", e.arch.clone()),
                            ("epoch", e.epoch.map(|n| n.to_string())),
                            ("distro", distro_q.clone()),
                            ("upstream", e.source_rpm.clone()),
                        ],
                    ),
                    hit.path.as_str(),
                );
                pkg.epoch = e.epoch;
                pkg.arch = e.arch.clone();
                pkg.layer = Some(hit.layer);
                pkg.source = e
                    .source_rpm
                    .as_deref()
                    .and_then(super::split_source_rpm)
                    .map(|(name, version)| SourcePackage {
                        name,
                        version: Some(version),
                    });
                for (k, v) in [
                    ("vendor", e.vendor),
                    ("source_rpm", e.source_rpm),
                    ("install_time", e.install_time),
                    ("size", e.size),
                ] {
                    if let Some(v) = v {
                        pkg.metadata.insert(k.to_string(), v);
                    }
                }
                ctx.packages.push(pkg);
            }
        }
    }
}
