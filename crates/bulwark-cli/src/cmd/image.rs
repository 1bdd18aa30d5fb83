//! Options and helpers shared by the verbs that read an image (`inspect`, `sbom`, `scan`).

use std::io::IsTerminal;
use std::time::Duration;

use bulwark_source::{Image, Platform, SourceOptions};
use bulwark_walk::Limits;
use clap::Args;

/// How to find and read the target image.
#[derive(Debug, Args)]
pub struct ImageArgs {
    /// What to read (see `bulwark --help` for the TARGET syntax).
    pub target: String,

    /// Platform to pick from a multi-platform image (`linux/arm64`, `linux/arm/v7`).
    /// Default: the host's.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,

    /// Allow plain HTTP and unverified TLS for non-loopback registries.
    #[arg(long)]
    pub insecure: bool,

    /// Refuse images whose layers decompress to more than this many bytes in total.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_total_bytes)]
    pub max_bytes: u64,

    /// Refuse images with more than this many layer entries in total.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_entries)]
    pub max_entries: u64,

    /// Refuse any single layer entry larger than this.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_entry_bytes)]
    pub max_entry_bytes: u64,
}

impl ImageArgs {
    /// Walker limits from the flags.
    pub fn limits(&self) -> Limits {
        Limits {
            max_total_bytes: self.max_bytes,
            max_entries: self.max_entries,
            max_entry_bytes: self.max_entry_bytes,
            ..Limits::default()
        }
    }

    /// Source options from the flags.
    pub fn source_options(&self) -> anyhow::Result<SourceOptions> {
        let platform = match &self.platform {
            Some(p) => Platform::parse(p)?,
            None => Platform::host(),
        };
        Ok(SourceOptions {
            platform,
            insecure: self.insecure,
            limits: self.limits(),
            base_diff_ids: None,
        })
    }

    /// Parse the target and open it (metadata read and verified; layers not yet read).
    pub fn open(&self) -> anyhow::Result<Image> {
        let opts = self.source_options()?;
        Ok(bulwark_scan::open_target(&self.target, &opts)?)
    }
}

/// A spinner on standard error while layers are read, only on a terminal and without `--quiet`.
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// Start a spinner with `message`.
    pub fn start(quiet: bool, message: &str) -> Self {
        if quiet || !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress(Some(bar))
    }

    /// Stop and clear the spinner.
    pub fn finish(self) {
        if let Some(bar) = self.0 {
            bar.finish_and_clear();
        }
    }
}

/// A [`Progress`] spinner driven by a scan's events: shown while the layers are read.
pub struct WalkSpinner {
    quiet: bool,
    bar: std::sync::Mutex<Option<Progress>>,
}

impl WalkSpinner {
    /// A spinner that stays hidden with `quiet` (or off a terminal, or in CI).
    pub fn new(quiet: bool) -> std::sync::Arc<Self> {
        std::sync::Arc::new(WalkSpinner {
            quiet,
            bar: std::sync::Mutex::new(None),
        })
    }

    /// The scan's progress callback.
    pub fn control(self: &std::sync::Arc<Self>) -> bulwark_scan::Control {
        let me = std::sync::Arc::clone(self);
        bulwark_scan::Control::default().with_progress(move |event: &bulwark_scan::Event| {
            use bulwark_scan::{Event, Stage};
            match event {
                Event::StageStarted(Stage::Walk) => {
                    if let Ok(mut bar) = me.bar.lock() {
                        *bar = Some(Progress::start(me.quiet, "reading layers"));
                    }
                }
                Event::StageFinished(Stage::Walk) => me.finish(),
                _ => {}
            }
        })
    }

    /// Stop and clear the spinner (also when the walk failed).
    pub fn finish(&self) {
        if let Some(bar) = self.bar.lock().ok().and_then(|mut b| b.take()) {
            bar.finish();
        }
    }
}
