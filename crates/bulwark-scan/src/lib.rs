//! Bulwark's scan pipeline as one library call: target → layers → catalogers → inventory →
//! matcher → policy → report model ([`ScanReport`]).
//!
//! The CLI's `scan` and `sbom` verbs and every service (registry scan-on-push, rescans, the
//! admission webhook) call this crate and add no scanning logic of their own. Two entry points:
//!
//! - [`Scanner::scan`]: the whole pipeline against an advisory database, with the policy stage
//!   applied in its one order (license policy, filters, exceptions, VEX; see [`Scanner::scan`]);
//! - [`inventory`] / [`inventory_report`]: what is inside a target, without a database (`sbom`).
//!
//! What it does not do: print, exit the process, choose an output format or read policy files
//! from default locations (callers load [`ScanOptions`]' policy inputs and render the report
//! with `bulwark-report` / `bulwark-sbom`). Work is blocking I/O on the calling thread (the layer
//! walk uses its own worker threads); from tokio, call it inside `spawn_blocking`. Progress goes
//! to a [`Progress`] callback, and a [`CancelToken`] stops a scan between stages and between
//! layers (for layer blobs and Engine streams also inside a layer, at the next read).

mod control;
mod error;
mod inventory;

use std::time::Instant;

use bulwark_policy::filter::Filter;
use bulwark_policy::ignore::IgnoreFile;
use bulwark_policy::license::LicensePolicy;
use bulwark_policy::vex::VexDocument;
use bulwark_source::SourceOptions;
use bulwark_vulndb::Db;

pub use bulwark_model::scan::{ScanReport, Timings};
pub use control::{CancelToken, Control, Event, Progress, Stage};
pub use error::ScanError;
pub use inventory::{
    all_catalogers, inventory, inventory_report, open_target, Inventoried, SBOM_PREFIX,
};

/// Everything a scan needs besides the target and the database.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// How to open the target (platform, registry TLS, walker limits). Its `base_diff_ids` is
    /// overwritten when [`ScanOptions::base_image`] is set.
    pub source: SourceOptions,
    /// A base image (any TARGET) whose layers are the base; the rest are the image's own.
    /// `None`: the image's base annotations, else its history.
    pub base_image: Option<String>,
    /// "Now" as Unix seconds: the report's `created_at`, the database's age, end-of-life dates
    /// and exception expiry all refer to it.
    pub now_unix: i64,
    /// A database older than this many days gets a `stale-database` notice.
    pub max_db_age_days: i64,
    /// Findings removed from the report (`--severity`, `--ignore-unfixed`, `--pkg-types`).
    pub filter: Filter,
    /// Exceptions (`.bulwarkignore.yaml`).
    pub ignore: Option<IgnoreFile>,
    /// VEX documents, applied in order.
    pub vex: Vec<VexDocument>,
    /// License policy.
    pub license_policy: Option<LicensePolicy>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        let matching = bulwark_match::MatchOptions::default();
        ScanOptions {
            source: SourceOptions::default(),
            base_image: None,
            now_unix: matching.now_unix,
            max_db_age_days: matching.max_db_age_days,
            filter: Filter::default(),
            ignore: None,
            vex: Vec::new(),
            license_policy: None,
        }
    }
}

/// Runs the whole pipeline against one advisory database.
pub struct Scanner {
    db: Db,
    options: ScanOptions,
    control: Control,
}

impl Scanner {
    /// A scanner over `db` with `options`, no progress callback and a fresh cancel token.
    pub fn new(db: Db, options: ScanOptions) -> Self {
        Scanner {
            db,
            options,
            control: Control::default(),
        }
    }

    /// Send progress [`Event`]s to `progress`.
    pub fn with_progress(mut self, progress: impl Progress + 'static) -> Self {
        self.control = self.control.with_progress(progress);
        self
    }

    /// Stop when `token` is cancelled (the scan then returns [`ScanError::Cancelled`]).
    pub fn with_cancel(mut self, token: CancelToken) -> Self {
        self.control = self.control.with_cancel(token);
        self
    }

    /// Use `control`'s progress callback and cancel token.
    pub fn with_control(mut self, control: Control) -> Self {
        self.control = control;
        self
    }

    /// The advisory database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The options.
    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// Scan `target` (the CLI's TARGET syntax, `sbom:FILE` included).
    ///
    /// The policy stage runs in this order, which the exit code and every report rely on: the
    /// license policy adds license findings; the filter removes what the user asked not to see;
    /// exceptions then VEX statements mark what remains as suppressed; the summary is counted
    /// last. The report's `timings` holds the stages' wall times (`report_ms` is the caller's).
    pub fn scan(&self, target: &str) -> Result<ScanReport, ScanError> {
        let control = &self.control;
        let opts = &self.options;
        let mut source = opts.source.clone();
        if let Some(base) = &opts.base_image {
            control.check()?;
            source.base_diff_ids = Some(base_diff_ids(base, &opts.source)?);
        }
        let mut report = inventory::inventory_report_at(target, &source, opts.now_unix, control)?;
        let mut timings = report.timings.take().unwrap_or_default();

        control.check()?;
        control.stage_started(Stage::Match);
        let started = Instant::now();
        let matching = bulwark_match::MatchOptions {
            now_unix: opts.now_unix,
            max_db_age_days: opts.max_db_age_days,
        };
        bulwark_match::match_report(&mut report, &self.db, &matching).map_err(|source| {
            ScanError::Match {
                db: self.db.path().display().to_string(),
                source: Box::new(source),
            }
        })?;
        timings.match_ms = ms_since(started);
        control.stage_finished(Stage::Match);

        control.check()?;
        control.stage_started(Stage::Policy);
        let started = Instant::now();
        if let Some(policy) = &opts.license_policy {
            policy.evaluate(&mut report);
        }
        opts.filter.apply(&mut report);
        if let Some(ignore) = &opts.ignore {
            ignore.apply(&mut report, &date_of(opts.now_unix));
        }
        for doc in &opts.vex {
            doc.apply(&mut report);
        }
        report.summarize();
        timings.policy_ms = ms_since(started);
        control.stage_finished(Stage::Policy);

        report.timings = Some(timings);
        Ok(report)
    }
}

/// The layer diff ids of the base image `base` (any TARGET).
fn base_diff_ids(base: &str, source: &SourceOptions) -> Result<Vec<String>, ScanError> {
    let opts = SourceOptions {
        base_diff_ids: None,
        ..source.clone()
    };
    let image = open_target(base, &opts).map_err(|e| ScanError::BaseImage {
        base: base.to_string(),
        source: Box::new(e),
    })?;
    let config = image
        .meta
        .config
        .as_ref()
        .ok_or_else(|| ScanError::BaseImageConfig {
            base: base.to_string(),
        })?;
    Ok(config.rootfs.diff_ids.clone())
}

/// `YYYY-MM-DD` (UTC) of `unix`, the form exception expiry dates compare against.
fn date_of(unix: i64) -> String {
    let text = bulwark_vulndb::store::format_unix(unix);
    text.get(..10).unwrap_or(&text).to_string()
}

fn ms_since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}
