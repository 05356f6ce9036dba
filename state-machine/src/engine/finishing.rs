//! Finishing a download: check the partial file's size, move it to its final name, save the
//! external subtitles and the poster beside it, and write the sidecar that lets the download
//! be adopted again if the manifest is ever lost.

use std::path::Path;

use super::file_names;
use super::preflight::failure;
use super::sidecar::{self, Sidecar};
use super::transfer::io_failure;
use super::{CoreError, DownloadCore};
use crate::machine::Failure;
use crate::manifest::{DownloadRow, rows};
use crate::plex::{Metadata, PlexServer};
use plexdl_protocol::FailureKind;

/// Verifies and finishes a download.
pub(super) async fn verify(
    core: &DownloadCore,
    row: &DownloadRow,
) -> Result<Result<(), Failure>, CoreError> {
    let id = row.id;
    let (Some(part_path), Some(final_path)) = (core.partial_path(row), core.final_path(row)) else {
        return Ok(Err(failure(
            FailureKind::Internal,
            "The download has no file name.",
        )));
    };
    // Finishing is one step that can be repeated: the machine stays in Verifying until the
    // end of it is recorded, so a step killed anywhere in here (before the rename, after it,
    // before the extras are saved) does the rest when it runs again.
    let size = match std::fs::metadata(&part_path) {
        Ok(metadata) => {
            let size = metadata.len();
            let expected = row.bytes_total.unwrap_or(size);
            if expected != size || size != row.bytes_done || size == 0 {
                tracing::warn!(
                    size,
                    expected,
                    recorded = row.bytes_done,
                    "finished file has the wrong size"
                );
                core.delete_partial(id)?;
                return Ok(Err(failure(
                    FailureKind::VerifyFailed,
                    "The finished file did not have the expected size. It is downloaded again.",
                )));
            }
            if let Err(error) = std::fs::rename(&part_path, &final_path) {
                return Ok(Err(io_failure("rename", &part_path, &error)));
            }
            sync_folder(&final_path);
            size
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            // Renamed already by a step that stopped after the rename: go on from there.
            match std::fs::metadata(&final_path) {
                Ok(metadata)
                    if metadata.len() > 0
                        && row.bytes_total.is_none_or(|total| total == metadata.len()) =>
                {
                    tracing::info!(file = %final_path.display(), "finishing a download renamed before a stop");
                    metadata.len()
                }
                _ => {
                    core.delete_partial(id)?;
                    return Ok(Err(failure(
                        FailureKind::VerifyFailed,
                        "The partial file disappeared; the download starts again.",
                    )));
                }
            }
        }
        Err(error) => return Ok(Err(io_failure("check", &part_path, &error))),
    };
    let row = core.manifest.write(|tx| {
        rows::checkpoint(tx, id, size, Some(size), row.validator.as_deref())?;
        rows::get(tx, id)
    })?;
    tracing::info!(file = %final_path.display(), bytes = size, "download verified");

    let (subtitles, artwork) = match core.server(&row.server_identifier) {
        Some(server) => save_extras(core, &server, &row).await,
        None => (Vec::new(), None),
    };
    let car = Sidecar {
        sha256: core.manifest.read(|tx| rows::content_hash(tx, id))?,
        ..Sidecar::from_row(&row, subtitles, artwork)
    };
    if let Some(name) = row.local_file_path.as_deref()
        && let Err(error) = sidecar::write(&core.settings.download_dir, name, &car)
    {
        tracing::warn!(%error, "could not write the sidecar file");
    }
    Ok(Ok(()))
}

fn sync_folder(file: &Path) {
    if let Some(folder) = file.parent()
        && let Ok(handle) = std::fs::File::open(folder)
    {
        let _ = handle.sync_all();
    }
}

/// Saves the external subtitle streams of the downloaded part and the item's poster beside
/// the video, so both work offline. Failures are logged and do not fail the download.
async fn save_extras(
    core: &DownloadCore,
    server: &PlexServer,
    row: &DownloadRow,
) -> (Vec<String>, Option<String>) {
    let Some(name) = row.local_file_path.as_deref() else {
        return (Vec::new(), None);
    };
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let item: Metadata = serde_json::from_str(&row.cached_metadata_json).unwrap_or_default();
    let folder = &core.settings.download_dir;
    let mut subtitles = Vec::new();
    if let Some(part) = item
        .parts_of(row.tracks.media_id)
        .nth(row.part_index as usize)
    {
        for (position, stream) in part.external_subtitles().enumerate() {
            let Some(key) = stream.key.as_deref() else {
                continue;
            };
            let file = file_names::subtitle_name(stem, stream, position);
            match fetch_to(server, key, Vec::new(), folder, &file, SUBTITLE_LIMIT).await {
                Ok(()) => subtitles.push(file),
                Err(reason) => {
                    tracing::warn!(%reason, stream = ?stream.id, "could not save a subtitle")
                }
            }
        }
    }
    let artwork = match item.thumb.as_deref() {
        Some(thumb) => {
            let file =
                file_names::sanitize(&format!("{stem}.poster"), file_names::MAX_NAME_BYTES + 20);
            let query = vec![
                ("url", thumb.to_string()),
                ("width", "400".to_string()),
                ("height", "600".to_string()),
            ];
            match fetch_to(
                server,
                "/photo/:/transcode",
                query,
                folder,
                &file,
                crate::app::thumbnails::MAX_IMAGE_BYTES,
            )
            .await
            {
                Ok(()) => Some(file),
                Err(reason) => {
                    tracing::warn!(%reason, "could not save the poster");
                    None
                }
            }
        }
        None => None,
    };
    (subtitles, artwork)
}

/// The largest subtitle file saved beside a download.
const SUBTITLE_LIMIT: usize = 32 * 1024 * 1024;

/// Fetches a small server resource (at most `limit` bytes) into a file in the download
/// folder.
async fn fetch_to(
    server: &PlexServer,
    path: &str,
    query: Vec<(&str, String)>,
    folder: &Path,
    file: &str,
    limit: usize,
) -> Result<(), String> {
    let target =
        file_names::inside(folder, file).ok_or_else(|| "not a plain file name".to_string())?;
    let url = server
        .url(path, query)
        .await
        .map_err(|error| error.to_string())?;
    let response = server
        .media_request(url)
        .send()
        .await
        .map_err(|error| plexdl_redact::redact_text(&error.to_string()).into_owned())?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status().as_u16()));
    }
    // Read in pieces up to the limit, so a huge answer never fills memory.
    let bytes = crate::plex::transport::read_limited(response, limit).await?;
    std::fs::write(&target, &bytes).map_err(|error| error.to_string())
}
