//! Pre-flight, before any byte moves: read the item again, choose the route, notice a file
//! that changed on the server, choose the file name, check free space, and check whether the
//! server is already busy converting.

use super::file_names;
use super::sidecar::{self, Sidecar};
use super::transfer::plex_failure;
use super::{BusyPolicy, CoreError, DownloadCore, Loaded};
use crate::machine::{Failure, Route};
use crate::manifest::{DownloadRow, now_ms, rows};
use crate::plex::{Metadata, PlexError, PlexServer, QualityPreset};
use plexdl_protocol::FailureKind;

/// A failure of `kind` now, with a sentence of its own (retried when the kind's row says so).
pub(super) fn failure(kind: FailureKind, message: impl Into<String>) -> Failure {
    Failure::new(kind, message, now_ms())
}

/// The free space a download needs before it starts: what is left to fetch, plus a margin
/// of 5% of that (the file system's own blocks, the sidecar, subtitles and poster, and room
/// for the rest of the device), and never less than `floor`. A 40 GB film needs 2 GB more;
/// a 300 MB episode only the floor.
pub fn space_needed(left: u64, floor: u64) -> u64 {
    left.saturating_add((left / 20).max(floor))
}

/// Free bytes on the file system holding `folder`, when the platform can tell.
pub fn available_space(folder: &std::path::Path) -> Option<u64> {
    #[cfg(unix)]
    {
        let stats = rustix::fs::statvfs(folder).ok()?;
        Some(stats.f_bavail.saturating_mul(stats.f_frsize))
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        None
    }
}

/// The container of the part a row downloads (of the row's version).
fn container_of(item: &Metadata, row: &DownloadRow) -> Option<String> {
    let media_id = row.tracks.media_id;
    item.parts_of(media_id)
        .nth(row.part_index as usize)
        .and_then(|part| part.container.clone())
        .or_else(|| {
            item.version(media_id)
                .and_then(|media| media.container.clone())
        })
}

/// The route for a download: the original file when the device plays its container; a
/// stream copy through the transcoder when it does not; the server's queue for other
/// qualities, or the live transcoder when the server has no queue.
async fn choose_route(
    core: &DownloadCore,
    server: &PlexServer,
    item: &Metadata,
    row: &DownloadRow,
) -> Result<Route, Failure> {
    let quality = QualityPreset::from_name(&row.quality).unwrap_or(QualityPreset::Original);
    if quality == QualityPreset::Original {
        let container = container_of(item, row)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let playable = container.is_empty()
            || core
                .settings
                .playable_containers
                .iter()
                .any(|c| c.eq_ignore_ascii_case(&container));
        return Ok(if playable {
            Route::Direct
        } else {
            Route::LiveTranscode
        });
    }
    match server.download_queue().await {
        Ok(Some(_)) => Ok(Route::ServerQueue),
        Ok(None) => Ok(Route::LiveTranscode),
        Err(error) => Err(plex_failure(&error)),
    }
}

/// The busy check before a conversion.
async fn busy_check(
    core: &DownloadCore,
    server: &PlexServer,
    override_busy: bool,
) -> Result<(), Failure> {
    let policy = core.busy_policy();
    if policy == BusyPolicy::Ignore || override_busy {
        return Ok(());
    }
    let activity = match server.activity().await {
        Ok(activity) => activity,
        // The sessions list needs an admin token; a shared user cannot see it. Go on.
        Err(PlexError::Unauthorized { .. } | PlexError::Forbidden { .. }) => return Ok(()),
        Err(error) => return Err(plex_failure(&error)),
    };
    if !activity.is_busy() {
        return Ok(());
    }
    Err(match policy {
        BusyPolicy::Wait => failure(
            FailureKind::ServerBusy,
            format!(
                "{} The download waits until it is free.",
                activity.describe()
            ),
        ),
        _ => Failure::held(
            FailureKind::ServerBusy,
            format!(
                "{} Press Retry to start the download anyway.",
                activity.describe()
            ),
            now_ms(),
        ),
    })
}

/// Runs pre-flight for a download.
pub(super) async fn run(
    core: &DownloadCore,
    loaded: &Loaded,
) -> Result<Result<Route, Failure>, CoreError> {
    let row = &loaded.row;
    let id = row.id;
    let Some(server) = core.server(&row.server_identifier) else {
        return Ok(Err(failure(
            FailureKind::Unreachable,
            "The server of this download is not connected. Connect to it again to continue.",
        )));
    };
    let item = match server.metadata(&row.media_rating_key).await {
        Ok(item) => item,
        Err(error) => return Ok(Err(plex_failure(&error))),
    };
    // The version chosen when the download was queued can be gone (the owner replaced the
    // file or removed a copy): that is said as it is, not as some other file.
    if row.tracks.media_id.is_some() && item.version_index(row.tracks.media_id).is_none() {
        tracing::warn!(media_id = ?row.tracks.media_id, "the chosen version is no longer on the server");
        return Ok(Err(failure(
            FailureKind::NotFound,
            "The version chosen for this download is no longer on the server. Delete this download and download the item again to choose one of its versions.",
        )));
    }
    let route = match choose_route(core, &server, &item, row).await {
        Ok(route) => route,
        Err(failure) => return Ok(Err(failure)),
    };
    if route != Route::Direct
        && let Err(failure) = busy_check(core, &server, loaded.data.override_busy).await
    {
        return Ok(Err(failure));
    }
    let (size, key) = if route == Route::Direct {
        let Some(part) = item
            .parts_of(row.tracks.media_id)
            .nth(row.part_index as usize)
            .cloned()
        else {
            return Ok(Err(plex_failure(&PlexError::NotFound {
                path: format!(
                    "/library/metadata/{} part {}",
                    row.media_rating_key,
                    row.part_index + 1
                ),
            })));
        };
        (part.size, part.key)
    } else {
        (None, None)
    };

    // Resume only when the server's file is the one the partial file came from: the part key
    // carries the changestamp, and the size must match.
    let changed = route == Route::Direct
        && row.bytes_done > 0
        && (row.part_key.as_deref() != key.as_deref()
            || (row.bytes_total.is_some() && row.bytes_total != size));
    if changed {
        tracing::warn!(old_key = ?row.part_key, new_key = ?key, "the file changed on the server; starting again from zero");
        core.delete_partial(id)?;
    }

    let left = size
        .unwrap_or(0)
        .saturating_sub(if changed { 0 } else { row.bytes_done });
    let needed = space_needed(left, core.settings.free_space_margin);
    if let Some(free) = available_space(&core.settings.download_dir)
        && free < needed
    {
        return Ok(Err(failure(
            FailureKind::DiskFull,
            format!(
                "Not enough free space: {} MB are needed and {} MB are free. Free some space and the download continues.",
                needed / 1_000_000,
                free / 1_000_000
            ),
        )));
    }

    let extension = if route == Route::Direct {
        file_names::extension(container_of(&item, row).as_deref())
    } else {
        core.settings.output_container().to_string()
    };
    let folder = core.settings.download_dir.clone();
    let metadata_json =
        serde_json::to_string(&item).unwrap_or_else(|_| row.cached_metadata_json.clone());
    let (name, row) = core.manifest.write(|tx| {
        let name = match &row.local_file_path {
            Some(name) => name.clone(),
            None => {
                let name = file_names::unique_name(&row.title, &extension, |candidate| {
                    let on_disk = folder.join(candidate).exists()
                        || folder.join(format!("{candidate}.part")).exists();
                    on_disk || rows::file_in_use(tx, candidate, id).unwrap_or(true)
                });
                rows::set_file(tx, id, &name, key.as_deref())?;
                name
            }
        };
        // A converted file's size is known only when the server sends it; an original's
        // comes from the library.
        let size = if route == Route::Direct {
            rows::KnownSize::Library(size)
        } else {
            rows::KnownSize::FromTheServer
        };
        rows::record_preflight(tx, id, key.as_deref(), size, &metadata_json)?;
        Ok((name, rows::get(tx, id)?))
    })?;
    if let Err(error) = sidecar::write(&folder, &name, &Sidecar::from_row(&row, Vec::new(), None)) {
        tracing::warn!(%error, "could not write the sidecar file");
    }
    tracing::info!(file = %name, ?route, "pre-flight passed");
    Ok(Ok(route))
}

#[cfg(test)]
mod tests {
    use super::space_needed;

    #[test]
    fn the_margin_grows_with_what_is_left_to_fetch() {
        const MIB: u64 = 1024 * 1024;
        // Small downloads need the floor beyond their size, large ones 5% more.
        assert_eq!(space_needed(300 * MIB, 32 * MIB), 332 * MIB);
        assert_eq!(space_needed(40_000 * MIB, 32 * MIB), 42_000 * MIB);
        assert_eq!(space_needed(0, 32 * MIB), 32 * MIB);
        assert_eq!(space_needed(u64::MAX - 1, 32 * MIB), u64::MAX);
    }
}
