//! Progress events and cancellation: how a caller watches and stops a scan.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::ScanError;

/// A stage of the pipeline, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Reading and verifying the target's metadata (manifest, config), or reading an SBOM file.
    Open,
    /// Reading every layer once with every cataloger.
    Walk,
    /// Cross-cataloger work after the walk (the inventory is complete at its end).
    Catalog,
    /// Matching the inventory against the advisory database.
    Match,
    /// License policy, filters, exceptions and VEX.
    Policy,
}

/// Something a scan reports while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A stage starts.
    StageStarted(Stage),
    /// A stage ended successfully.
    StageFinished(Stage),
    /// The walk starts reading a layer (layer blobs run in parallel, so out of order).
    LayerStarted {
        /// Index of the layer, bottom first.
        index: usize,
        /// Number of layers in the image.
        count: usize,
    },
}

/// Receives progress [`Event`]s. Called from the scanning thread and, for
/// [`Event::LayerStarted`], from the walker's threads: keep it quick and non-blocking.
pub trait Progress: Send + Sync {
    /// One event.
    fn event(&self, event: &Event);
}

impl<F: Fn(&Event) + Send + Sync> Progress for F {
    fn event(&self, event: &Event) {
        self(event)
    }
}

/// Asks a running scan to stop. Clones share one flag: keep one, hand another to the scan.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask the scan to stop; it returns [`ScanError::Cancelled`] at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// A progress callback and a cancel token, as the pipeline's stages see them.
#[derive(Clone, Default)]
pub struct Control {
    progress: Option<Arc<dyn Progress>>,
    cancel: CancelToken,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl Control {
    /// Send events to `progress`.
    pub fn with_progress(mut self, progress: impl Progress + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Stop when `token` is cancelled.
    pub fn with_cancel(mut self, token: CancelToken) -> Self {
        self.cancel = token;
        self
    }

    /// The cancel token.
    pub fn cancel_token(&self) -> &CancelToken {
        &self.cancel
    }

    /// `Err(Cancelled)` once the token is cancelled.
    pub(crate) fn check(&self) -> Result<(), ScanError> {
        if self.cancel.is_cancelled() {
            Err(ScanError::Cancelled)
        } else {
            Ok(())
        }
    }

    pub(crate) fn emit(&self, event: Event) {
        if let Some(p) = &self.progress {
            p.event(&event);
        }
    }

    pub(crate) fn stage_started(&self, stage: Stage) {
        self.emit(Event::StageStarted(stage));
    }

    pub(crate) fn stage_finished(&self, stage: Stage) {
        self.emit(Event::StageFinished(stage));
    }
}

/// A layer reader that fails at its next read once the scan is cancelled, so a walk stops
/// inside a layer instead of reading it to the end.
pub(crate) struct CancelRead<R> {
    pub(crate) inner: R,
    pub(crate) cancel: CancelToken,
}

impl<R: Read> Read for CancelRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.is_cancelled() {
            // Not `Interrupted`: readers retry on that.
            return Err(io::Error::other("scan cancelled"));
        }
        self.inner.read(buf)
    }
}
