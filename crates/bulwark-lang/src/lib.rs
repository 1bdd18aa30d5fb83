//! Language package inventory: the packages a language ecosystem's own tools would list, read
//! from installed package metadata and from lockfiles found in an image or directory.
//!
//! Covered: Python (`*.dist-info`, `*.egg-info`, `*.egg` zipped or not, `Pipfile.lock`,
//! `poetry.lock`, `uv.lock`, pinned `requirements*.txt`), Node.js
//! (`node_modules/**/package.json`, `package-lock.json` v1-v3, `yarn.lock` classic and berry,
//! `pnpm-lock.yaml` 5/6/9), Go (`go.mod`, plus `go.sum` for pre-1.17 modules), Rust
//! (`Cargo.lock`), Ruby (installed `*.gemspec`, `Gemfile.lock`), PHP (`composer.lock`,
//! `vendor/composer/installed.json`) and .NET (`packages.lock.json`, `*.deps.json`).
//!
//! Each cataloger implements [`bulwark_catalog::Cataloger`] at [`Stage::Language`]: `read`
//! parses one file into packages (no image-wide state), `finish` keeps only the copies a
//! container would see, skips files an OS package owns (a Python module shipped as a Debian
//! package is the OS cataloger's), stamps the file and layer, and turns parse failures into
//! warnings. No input makes a parser panic: malformed entries are skipped, malformed files
//! become warnings, and files above a per-format size limit are refused with a warning.
//!
//! What it does not do: compiled binaries (Go build info, Rust `cargo auditable`), Java archives
//! and language runtimes (another crate), vulnerability matching, version comparison, or
//! resolving manifests (`package.json` outside `node_modules`, `Gemfile`, `pyproject.toml`)
//! into versions: only files that pin exact versions are read.

mod cargo;
mod dotnet;
mod golang;
mod npm;
mod php;
mod python;
mod ruby;
mod util;

use bulwark_catalog::{CatalogContext, Cataloger, EntryMeta, Hit, Package, Parsed, Stage};

pub use golang::GoModCataloger;
pub use npm::NpmLockCataloger;
pub use python::{pep503_normalize, PythonInstalledCataloger};
pub use util::{normalize_license, purl};

/// Every language cataloger, ready to be put in a [`bulwark_catalog::CatalogSet`].
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![
        Box::new(PythonInstalledCataloger),
        Box::new(FileCataloger::new(
            "python-lockfile",
            python::is_lockfile,
            python::parse_lockfile,
            LOCKFILE_LIMIT,
        )),
        Box::new(FileCataloger::new(
            "npm-installed",
            npm::is_installed_package_json,
            npm::parse_installed_package_json,
            PACKAGE_JSON_LIMIT,
        )),
        Box::new(NpmLockCataloger),
        Box::new(GoModCataloger),
        Box::new(FileCataloger::new(
            "cargo-lock",
            cargo::is_cargo_lock,
            cargo::parse_cargo_lock,
            LOCKFILE_LIMIT,
        )),
        Box::new(FileCataloger::new(
            "ruby",
            ruby::is_ruby_file,
            ruby::parse_ruby_file,
            MANIFEST_LIMIT,
        )),
        Box::new(FileCataloger::new(
            "php-composer",
            php::is_composer_file,
            php::parse_composer_file,
            LOCKFILE_LIMIT,
        )),
        Box::new(FileCataloger::new(
            "dotnet",
            dotnet::is_dotnet_file,
            dotnet::parse_dotnet_file,
            LOCKFILE_LIMIT,
        )),
    ]
}

/// Largest lockfile read (bytes). Real monorepo lockfiles reach tens of MiB; anything beyond
/// this is refused with a warning rather than parsed into a huge in-memory tree.
pub const LOCKFILE_LIMIT: u64 = 64 << 20;
/// Largest installed `package.json` read. They are small, but old npm versions inlined the
/// README, so allow some room.
pub const PACKAGE_JSON_LIMIT: u64 = 4 << 20;
/// Largest small manifest (go.mod, gemspec, METADATA, RECORD) read.
pub const MANIFEST_LIMIT: u64 = 16 << 20;

/// Per-entry warnings reported for one file before the rest are only counted.
pub const MAX_WARNINGS_PER_FILE: usize = 20;

/// Errors a parser reports for a whole file; they become [`bulwark_catalog::Warning`]s.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file is larger than the format's limit.
    #[error("file is {size} bytes, over the {limit}-byte limit for this format; not parsed")]
    TooLarge {
        /// Declared size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// JSON syntax error.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// TOML syntax error.
    #[error("invalid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    /// YAML syntax error.
    #[error("invalid YAML: {0}")]
    Yaml(String),
    /// The file parsed but is not of the expected shape.
    #[error("{0}")]
    Format(String),
}

/// What one parser returns for one file: packages (without `found_in`/`layer`, which the
/// cataloger stamps) and warnings about entries it skipped.
#[derive(Debug, Default)]
pub struct FileResult {
    /// Packages found.
    pub packages: Vec<Package>,
    /// Problems with single entries that did not stop the file.
    pub warnings: Vec<String>,
}

/// Parser signature shared by the one-file-at-a-time formats.
pub type ParseFn = fn(path: &str, data: &[u8]) -> Result<FileResult, ParseError>;

/// A cataloger for formats where each file stands alone (lockfiles, installed `package.json`,
/// gemspecs): `read` parses, `finish` filters and stamps.
pub struct FileCataloger {
    name: &'static str,
    matches: fn(&str) -> bool,
    parse: ParseFn,
    limit: u64,
}

impl FileCataloger {
    /// A cataloger named `name` that parses files whose path `matches` with `parse`, refusing
    /// files above `limit` bytes.
    pub fn new(name: &'static str, matches: fn(&str) -> bool, parse: ParseFn, limit: u64) -> Self {
        FileCataloger {
            name,
            matches,
            parse,
            limit,
        }
    }
}

/// Parse with a size check; shared by every cataloger's `read`.
fn guarded_parse(
    entry: &EntryMeta<'_>,
    data: &[u8],
    limit: u64,
    parse: ParseFn,
) -> Result<FileResult, ParseError> {
    let size = entry.size.max(data.len() as u64);
    if size > limit {
        return Err(ParseError::TooLarge { size, limit });
    }
    parse(entry.path, data)
}

impl Cataloger for FileCataloger {
    fn name(&self) -> &'static str {
        self.name
    }

    fn stage(&self) -> Stage {
        Stage::Language
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        // Over-limit files are still wanted so `finish` can say they were skipped; `read`
        // refuses them without looking at the bytes.
        (self.matches)(entry.path)
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        Box::new(guarded_parse(entry, data, self.limit, self.parse))
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<Hit>) {
        for hit in hits {
            if !hit.visible || ctx.is_os_owned(&hit.path) {
                continue;
            }
            let Ok(result) = hit.parsed.downcast::<Result<FileResult, ParseError>>() else {
                continue;
            };
            match *result {
                Ok(FileResult { packages, warnings }) => {
                    // A hostile file can have a malformed entry per line: report a few and a
                    // count, not one warning each.
                    let extra = warnings.len().saturating_sub(MAX_WARNINGS_PER_FILE);
                    for w in warnings.into_iter().take(MAX_WARNINGS_PER_FILE) {
                        ctx.warn(self.name, &hit.path, w);
                    }
                    if extra > 0 {
                        ctx.warn(
                            self.name,
                            &hit.path,
                            format!("{extra} more malformed entries"),
                        );
                    }
                    for mut p in packages {
                        p.found_in = hit.path.clone();
                        p.layer = Some(hit.layer);
                        ctx.packages.push(p);
                    }
                }
                Err(e) => ctx.warn(self.name, &hit.path, e.to_string()),
            }
        }
    }
}

/// The file name (last path component).
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
