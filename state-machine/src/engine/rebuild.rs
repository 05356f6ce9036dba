//! Rebuilding the list of downloads from the sidecars beside the downloads, inside a running
//! app (the Diagnostics screen's button) or before anything runs (`plexdl doctor`).
//!
//! Each finished file with its sidecar becomes a finished download again, and each partial
//! file with its sidecar a queued one, from zero (without the lost row it is not known which
//! of its bytes reached the disk). The damaged database is kept under a dated name.
//!
//! Inside a running app no step may run while the database is swapped: a step that read
//! download 5 from the old list would otherwise write its progress into whatever download 5
//! is in the new one. So the rebuild first marks the core as rebuilding (a step that starts
//! now ends at once), asks every running step to checkpoint and end, waits until none is
//! left, and only then swaps the database.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use plexdl_protocol::RebuildReport;

use super::{CoreError, DownloadCore};
use crate::manifest::MANIFEST_FILE;

/// How long the rebuild waits for running steps to end. A step stops at its next chunk
/// or its next look at the flag; one waiting for a server's answer ends when that request
/// does (at most the stall timeout, 30 s).
const STEPS_END_WITHIN: Duration = Duration::from_secs(45);

/// Clears the core's rebuilding mark when the rebuild ends, also when its future is
/// dropped half-way (a bridge call given up).
struct Rebuilding<'a>(&'a DownloadCore);

impl Drop for Rebuilding<'_> {
    fn drop(&mut self) {
        self.0.rebuilding.store(false, Ordering::SeqCst);
    }
}

impl DownloadCore {
    /// Rebuilds the list of downloads in this running core: running steps end first, the
    /// database is moved aside, a new one takes its place, and the downloads come back from
    /// their sidecars. Fails with `otherRunner` while another process runs the downloads
    /// (only the runner may touch partial files).
    pub async fn rebuild_manifest(&self) -> Result<RebuildReport, CoreError> {
        self.ensure_runner()?;
        self.rebuilding.store(true, Ordering::SeqCst);
        let _mark = Rebuilding(self);
        let deadline = Instant::now() + STEPS_END_WITHIN;
        loop {
            let running = self.stops.ids();
            if running.is_empty() {
                break;
            }
            if Instant::now() > deadline {
                return Err(CoreError::StepsStillRunning(running.len()));
            }
            for id in running {
                self.stops.raise(id);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let kept_as = self
            .manifest
            .replace_with_new(&self.data_dir.join(MANIFEST_FILE))?;
        self.forget_manifest_failures();
        let report = self.restore_from_sidecars(kept_as)?;
        tracing::info!(
            kept_as = ?report.kept_as,
            finished = report.finished,
            queued_again = report.queued_again,
            "list of downloads rebuilt in the running app"
        );
        Ok(report)
    }

    /// Puts back into a new, empty list what the sidecars tell: the unfinished downloads
    /// queued again, then the finished ones (verification adopts them). `kept_as` is where
    /// the old database went.
    pub fn restore_from_sidecars(
        &self,
        kept_as: Option<std::path::PathBuf>,
    ) -> Result<RebuildReport, CoreError> {
        let queued_again = self.requeue_unfinished_from_sidecars()?;
        let report = self.verify()?;
        Ok(RebuildReport {
            kept_as: kept_as.map(|path| path.display().to_string()),
            finished: report.adopted as u64,
            queued_again,
        })
    }

    /// Whether a rebuild is under way (steps end at once meanwhile).
    pub(crate) fn is_rebuilding(&self) -> bool {
        self.rebuilding.load(Ordering::SeqCst)
    }
}
