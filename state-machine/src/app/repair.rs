//! The repair of a damaged or lost manifest (`plexdl doctor`). The damaged database is kept
//! under a dated name, a new one is started, and everything that can be known from the files
//! beside the downloads is put back: each finished file with its sidecar becomes a finished
//! download again, and each partial file with its sidecar a queued one (from zero).
//!
//! The repair holds the data folder's runner lock from before it moves the database until
//! it has rebuilt it, so no other process works on the folder meanwhile.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{App, AppError, AppSettings};
use crate::engine::runner_lock::RunnerLock;
use crate::engine::{CoreError, DownloadCore};

/// What the repair did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RepairReport {
    /// Where the old database was kept, if there was one.
    pub kept_as: Option<String>,
    /// Finished downloads brought back from their sidecars.
    pub finished: u64,
    /// Unfinished downloads queued again from their sidecars.
    pub queued_again: u64,
}

/// The manifest's file names in the data folder (the database and its WAL files).
const MANIFEST: &str = "manifest.sqlite";

impl App {
    /// Rebuilds the manifest of the data folder in `settings` from the sidecars beside the
    /// downloads. Run it without an open App (the damaged manifest may not open at all);
    /// fails with `otherRunner` while another process runs the downloads.
    pub fn repair_manifest(settings: &AppSettings) -> Result<RepairReport, AppError> {
        let data_dir = settings.data_dir.clone();
        std::fs::create_dir_all(&data_dir).map_err(|error| AppError::DataDir {
            path: data_dir.display().to_string(),
            reason: error.to_string(),
        })?;
        let lock = RunnerLock::acquire(&data_dir, "plexdl doctor").map_err(CoreError::from)?;
        let kept_as = keep_damaged(&data_dir)?;
        let (engine_settings, _, _) = App::engine_settings(settings);
        let core = DownloadCore::open(&data_dir, engine_settings)?;
        core.adopt_runner_lock(lock);
        let queued_again = core.requeue_unfinished_from_sidecars()?;
        let report = core.verify()?;
        tracing::info!(kept_as = ?kept_as, finished = report.adopted, queued_again, "manifest rebuilt from the sidecars");
        Ok(RepairReport {
            kept_as: kept_as.map(|path| path.display().to_string()),
            finished: report.adopted as u64,
            queued_again,
        })
    }
}

/// Moves the database and its WAL file to `manifest.damaged-<date>-<time>.sqlite` (and
/// `...-wal`), so what was in them stays there for a closer look. The shared-memory file is
/// removed: SQLite makes it again.
fn keep_damaged(data_dir: &Path) -> Result<Option<PathBuf>, AppError> {
    let database = data_dir.join(MANIFEST);
    if !database.exists() {
        return Ok(None);
    }
    let kept = data_dir.join(format!(
        "manifest.damaged-{}.sqlite",
        stamp(crate::manifest::now_ms())
    ));
    let moved = |from: &Path, to: &Path| {
        std::fs::rename(from, to).map_err(|error| AppError::DataDir {
            path: from.display().to_string(),
            reason: format!("it cannot be moved aside ({error})"),
        })
    };
    moved(&database, &kept)?;
    let wal = data_dir.join(format!("{MANIFEST}-wal"));
    if wal.exists() {
        moved(&wal, &PathBuf::from(format!("{}-wal", kept.display())))?;
    }
    let _ = std::fs::remove_file(data_dir.join(format!("{MANIFEST}-shm")));
    Ok(Some(kept))
}

/// `2026-12-01-143512` for a time in milliseconds since 1970 (UTC).
fn stamp(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (the algorithm of H. Hinnant's chrono notes).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}-{:02}{:02}{:02}",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::stamp;

    #[test]
    fn stamps_are_civil_dates() {
        assert_eq!(stamp(0), "1970-01-01-000000");
        assert_eq!(stamp(951_782_400_000), "2000-02-29-000000");
        assert_eq!(stamp(1_796_135_712_000), "2026-12-01-143512");
    }
}
