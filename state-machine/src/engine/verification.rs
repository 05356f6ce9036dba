//! The verification routine, run at start and from time to time: the manifest is compared
//! with the files on disk, and every difference is repaired or reported, never silently
//! dropped.
//!
//! - A finished download whose file is missing or has the wrong size becomes Failed with the
//!   kind `missing` or `corrupt`, a plain message, and Retry as its action.
//! - An unfinished download whose partial file is shorter than recorded (or gone) has its
//!   progress set back to what is on disk, unless it was stopped after the rename to its
//!   final name (its next step finishes it).
//! - A partial file with no download is removed after a grace period, if its sidecar shows
//!   that plexdl wrote it; any other file is never touched.
//! - A finished file with no download but with its sidecar is adopted again as Completed.

use std::time::{Duration, SystemTime};

use plexdl_protocol::{DownloadStatus, FailureKind};

use super::sidecar::{self, SIDECAR_SUFFIX, Sidecar};
use super::{CoreError, DownloadCore};
use crate::machine::{self, Event, Route};
use crate::manifest::{NewDownload, rows};

pub use plexdl_protocol::VerifyReport;

impl DownloadCore {
    /// Compares the manifest with the download folder and repairs what differs (sizes only;
    /// [`DownloadCore::verify_deep`] reads every finished file as well).
    pub fn verify(&self) -> Result<VerifyReport, CoreError> {
        self.verify_with(false)
    }

    /// Like [`DownloadCore::verify`], and every finished file is read and its SHA-256
    /// compared with the one recorded when it was written: a file that differs is Corrupt,
    /// with download-again as its action. A finished download without a recorded hash (from
    /// before hashes were kept) gets the hash of its file now.
    pub fn verify_deep(&self) -> Result<VerifyReport, CoreError> {
        self.verify_with(true)
    }

    fn verify_with(&self, deep: bool) -> Result<VerifyReport, CoreError> {
        // Without the folder every finished file would look lost; nothing is judged.
        self.require_download_folder()?;
        let mut report = VerifyReport::default();
        let rows = self.list()?;
        for row in &rows {
            report.checked += 1;
            if row.download_status == DownloadStatus::Completed {
                let Some(path) = self.final_path(row) else {
                    continue;
                };
                let lost = match std::fs::metadata(&path) {
                    Err(_) => Some(FailureKind::Missing),
                    Ok(meta) if row.bytes_total.is_some_and(|total| total != meta.len()) => {
                        Some(FailureKind::Corrupt)
                    }
                    Ok(_) if deep => self.content_differs(row.id, &path)?,
                    Ok(_) => None,
                };
                if let Some(kind) = lost {
                    tracing::warn!(download_id = row.id, %kind, file = %path.display(), "finished file lost");
                    self.apply_outside_a_step(
                        row.id,
                        &Event::FileLost {
                            kind,
                            message: kind.sentence().to_string(),
                        },
                    )?;
                    if kind == FailureKind::Missing {
                        report.missing += 1;
                    } else {
                        report.corrupt += 1;
                    }
                }
            } else if row.bytes_done > 0 {
                let on_disk = self
                    .partial_path(row)
                    .and_then(|path| std::fs::metadata(path).ok())
                    .map_or(0, |meta| meta.len());
                // A download stopped right after its partial file was renamed has its bytes
                // under the final name; its next step finishes it.
                let renamed = row.download_status == DownloadStatus::Verifying
                    && self
                        .final_path(row)
                        .and_then(|path| std::fs::metadata(path).ok())
                        .is_some_and(|meta| meta.len() == row.bytes_done);
                if on_disk < row.bytes_done && !renamed {
                    tracing::warn!(
                        download_id = row.id,
                        recorded = row.bytes_done,
                        on_disk,
                        "partial file shorter than recorded; progress set back"
                    );
                    self.manifest.write(|tx| {
                        rows::checkpoint(tx, row.id, on_disk, None, row.validator.as_deref())
                    })?;
                    report.repaired += 1;
                }
            }
        }
        self.scan_folder(
            &rows
                .iter()
                .filter_map(|row| row.local_file_path.clone())
                .collect::<Vec<_>>(),
            &mut report,
        )?;
        tracing::info!(?report, "verification done");
        Ok(report)
    }

    /// Reads a finished file and compares its SHA-256 with the recorded one: `Corrupt` when
    /// they differ. A missing record is filled in; a file that cannot be read is `Missing`.
    fn content_differs(
        &self,
        id: i64,
        path: &std::path::Path,
    ) -> Result<Option<FailureKind>, CoreError> {
        let Ok(actual) = super::content_hash::hash_file(path) else {
            return Ok(Some(FailureKind::Missing));
        };
        match self.manifest.read(|tx| rows::content_hash(tx, id))? {
            Some(recorded) if recorded != actual => {
                tracing::warn!(download_id = id, %recorded, %actual, "the finished file changed on disk");
                Ok(Some(FailureKind::Corrupt))
            }
            Some(_) => Ok(None),
            None => {
                self.manifest
                    .write(|tx| rows::set_content_hash(tx, id, Some(&actual)))?;
                Ok(None)
            }
        }
    }

    fn scan_folder(&self, known: &[String], report: &mut VerifyReport) -> Result<(), CoreError> {
        let folder = self.settings.download_dir.clone();
        let entries = std::fs::read_dir(&folder).map_err(|source| CoreError::Folder {
            path: folder.display().to_string(),
            source,
        })?;
        let grace = self.settings.orphan_grace;
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if let Some(media) = name.strip_suffix(".part") {
                if known.iter().any(|known| known == media) || !older_than(&entry, grace) {
                    continue;
                }
                // Only a partial file plexdl wrote goes: pre-flight writes a download's
                // sidecar before its first byte, so a partial file without one (another
                // program's `notes.docx.part` in a shared folder) is left alone.
                if sidecar::read(&sidecar::path_for(&folder, media)).is_none() {
                    tracing::debug!(file = %name, "a partial file plexdl did not write is left alone");
                    continue;
                }
                tracing::info!(file = %name, "removing a partial file that belongs to no download");
                let _ = std::fs::remove_file(entry.path());
                if !folder.join(media).exists() {
                    let _ = std::fs::remove_file(sidecar::path_for(&folder, media));
                }
                report.orphans_removed += 1;
            } else if let Some(media) = name.strip_suffix(SIDECAR_SUFFIX) {
                if known.iter().any(|known| known == media) {
                    continue;
                }
                let Some(car) = sidecar::read(&entry.path()) else {
                    continue;
                };
                let size = std::fs::metadata(folder.join(media))
                    .map(|meta| meta.len())
                    .ok();
                match size {
                    Some(size) if car.bytes_total.is_none_or(|total| total == size) && size > 0 => {
                        self.adopt(media, &car, size)?;
                        report.adopted += 1;
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// After the manifest was rebuilt: every partial file that no download claims but whose
    /// sidecar shows plexdl wrote it becomes a queued download again, under the same file
    /// name. It starts from zero (its partial file is removed): without the lost row, which
    /// bytes were synced to disk is not known. Returns how many were queued again.
    pub fn requeue_unfinished_from_sidecars(&self) -> Result<u64, CoreError> {
        let folder = self.settings.download_dir.clone();
        let known: Vec<String> = self
            .list()?
            .into_iter()
            .filter_map(|row| row.local_file_path)
            .collect();
        let entries = std::fs::read_dir(&folder).map_err(|source| CoreError::Folder {
            path: folder.display().to_string(),
            source,
        })?;
        let mut queued = 0;
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let Some(media) = name.strip_suffix(".part") else {
                continue;
            };
            if known.iter().any(|known| known == media) || folder.join(media).exists() {
                continue;
            }
            let Some(car) = sidecar::read(&sidecar::path_for(&folder, media)) else {
                continue;
            };
            let new = car.new_download();
            let _ = std::fs::remove_file(entry.path());
            let id = self.manifest.write(|tx| {
                let id = rows::insert(tx, &new, queued)?;
                rows::set_file(tx, id, media, car.part_key.as_deref())?;
                Ok(id)
            })?;
            tracing::info!(download_id = id, file = %media, "queued again from its sidecar");
            queued += 1;
        }
        Ok(queued)
    }

    /// Adds a finished file found on disk (with its sidecar) back to the manifest.
    fn adopt(&self, file_name: &str, car: &Sidecar, size: u64) -> Result<(), CoreError> {
        let new = NewDownload {
            bytes_total: Some(size),
            ..car.new_download()
        };
        let id = self.manifest.write(|tx| {
            let id = rows::insert(tx, &new, size)?;
            let mut completed = machine::new_machine(size);
            for event in [
                Event::Start,
                Event::PreflightPassed {
                    route: Route::Direct,
                },
                Event::TransferComplete,
                Event::VerifyPassed,
            ] {
                machine::handle(&mut completed, &event);
            }
            rows::save_machine(tx, id, &completed)?;
            rows::set_file(tx, id, file_name, car.part_key.as_deref())?;
            rows::checkpoint(tx, id, size, Some(size), None)?;
            rows::set_content_hash(tx, id, car.sha256.as_deref())?;
            Ok(id)
        })?;
        tracing::info!(download_id = id, file = %file_name, "adopted a finished file from its sidecar");
        Ok(())
    }
}

fn older_than(entry: &std::fs::DirEntry, grace: Duration) -> bool {
    entry
        .metadata()
        .and_then(|meta| meta.modified())
        .ok()
        .and_then(|modified| SystemTime::now().duration_since(modified).ok())
        .is_some_and(|age| age >= grace)
}
