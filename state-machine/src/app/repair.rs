//! The repair of a damaged or lost manifest before anything runs (`plexdl doctor`). The
//! damaged database is kept under a dated name, a new one is started, and everything that
//! can be known from the files beside the downloads is put back (engine/rebuild.rs; the
//! Diagnostics screen's rebuild inside a running app is `DownloadCore::rebuild_manifest`).
//!
//! The repair holds the data folder's runner lock from before it moves the database until
//! it has rebuilt it, so no other process works on the folder meanwhile.

use plexdl_protocol::RebuildReport;

use super::{App, AppError, AppSettings};
use crate::engine::runner_lock::RunnerLock;
use crate::engine::{CoreError, DownloadCore};
use crate::manifest::{MANIFEST_FILE, set_aside};

impl App {
    /// Rebuilds the manifest of the data folder in `settings` from the sidecars beside the
    /// downloads. Run it without an open App (the damaged manifest may not open at all);
    /// fails with `otherRunner` while another process runs the downloads.
    pub fn repair_manifest(settings: &AppSettings) -> Result<RebuildReport, AppError> {
        let data_dir = settings.data_dir.clone();
        std::fs::create_dir_all(&data_dir).map_err(|error| AppError::DataDir {
            path: data_dir.display().to_string(),
            reason: error.to_string(),
        })?;
        let lock = RunnerLock::acquire(&data_dir, "plexdl doctor").map_err(CoreError::from)?;
        let kept_as =
            set_aside::set_aside(&data_dir.join(MANIFEST_FILE)).map_err(CoreError::from)?;
        let (engine_settings, _, _) = App::engine_settings(settings);
        let core = DownloadCore::open(&data_dir, engine_settings)?;
        core.adopt_runner_lock(lock);
        let report = core.restore_from_sidecars(kept_as)?;
        tracing::info!(kept_as = ?report.kept_as, finished = report.finished, queued_again = report.queued_again, "manifest rebuilt from the sidecars");
        Ok(report)
    }
}
