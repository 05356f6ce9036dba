//! Rows of the downloads table and the queries on them.

use plexdl_protocol::{DownloadStatus, FailureKind, TrackChoice};
use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Serialize;

use super::{ManifestError, now_ms};
use crate::machine::{self, Machine};

/// One download as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DownloadRow {
    pub id: i64,
    pub media_rating_key: String,
    pub server_identifier: String,
    /// The finished file, relative to the download folder (set when the name is chosen).
    pub local_file_path: Option<String>,
    /// The item's metadata as the server sent it (empty in rows from [`list`]).
    pub cached_metadata_json: String,
    /// The machine's status (stored under its name: `transferring`, `backoff`, ...).
    pub download_status: DownloadStatus,
    pub created_at_timestamp: i64,
    /// Which part of a multi-part item this row downloads (0 for most items).
    pub part_index: u32,
    pub title: String,
    pub quality: String,
    /// The stored machine (empty in rows from [`list`]).
    #[serde(skip)]
    pub machine_json: String,
    pub machine_format: u32,
    pub bytes_done: u64,
    pub bytes_total: Option<u64>,
    /// The ETag (or Last-Modified) the partial file was fetched with.
    pub validator: Option<String>,
    pub part_key: Option<String>,
    pub queue_id: Option<u64>,
    pub queue_item_id: Option<u64>,
    pub attempts: u32,
    pub error_kind: Option<FailureKind>,
    pub error_message: Option<String>,
    /// When the download wants to be woken (milliseconds since 1970).
    pub next_wake_at: Option<i64>,
    pub updated_at: i64,
    /// The show of an episode (from the metadata when the row was added).
    pub group_title: Option<String>,
    /// The keep rule that queued this download (`None`: the user did); only such
    /// downloads are ever deleted by a rule.
    pub rule_id: Option<i64>,
    /// The version, audio track and subtitles chosen (default for rows from before the
    /// choice was kept, and in rows from [`list`]).
    pub tracks: TrackChoice,
}

/// A download to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDownload {
    pub media_rating_key: String,
    pub server_identifier: String,
    pub part_index: u32,
    pub title: String,
    pub quality: String,
    pub cached_metadata_json: String,
    pub bytes_total: Option<u64>,
    pub part_key: Option<String>,
    /// The keep rule that queues it, if a rule does.
    pub rule_id: Option<i64>,
    /// The version, audio track and subtitles.
    pub tracks: TrackChoice,
}

const COLUMNS: &str = "id, media_rating_key, server_identifier, local_file_path, cached_metadata_json, \
    download_status, created_at_timestamp, part_index, title, quality, machine_json, machine_format, \
    bytes_done, bytes_total, validator, part_key, queue_id, queue_item_id, attempts, error_kind, \
    error_message, next_wake_at, updated_at, group_title, rule_id, tracks_json";

/// The same columns without the two large ones (the stored machine and the cached
/// metadata), for lists: the downloads list is read often and needs neither.
const LIST_COLUMNS: &str = "id, media_rating_key, server_identifier, local_file_path, '' AS cached_metadata_json, \
    download_status, created_at_timestamp, part_index, title, quality, '' AS machine_json, machine_format, \
    bytes_done, bytes_total, validator, part_key, queue_id, queue_item_id, attempts, error_kind, \
    error_message, next_wake_at, updated_at, group_title, rule_id, NULL AS tracks_json";

/// A stored track choice; text that does not read as one (damaged) counts as the
/// default, with a warning, rather than making the row unreadable.
fn tracks_from(text: Option<String>) -> TrackChoice {
    match text {
        None => TrackChoice::default(),
        Some(text) => serde_json::from_str(&text).unwrap_or_else(|error| {
            tracing::warn!(%error, "a stored track choice could not be read; using the defaults");
            TrackChoice::default()
        }),
    }
}

/// The stored form of a track choice: NULL for the default.
fn tracks_to(tracks: &TrackChoice) -> Option<String> {
    (*tracks != TrackChoice::default()).then(|| serde_json::to_string(tracks).unwrap_or_default())
}

fn from_row(row: &Row<'_>) -> Result<DownloadRow, rusqlite::Error> {
    Ok(DownloadRow {
        id: row.get(0)?,
        media_rating_key: row.get(1)?,
        server_identifier: row.get(2)?,
        local_file_path: row.get(3)?,
        cached_metadata_json: row.get(4)?,
        download_status: row.get(5)?,
        created_at_timestamp: row.get(6)?,
        part_index: row.get(7)?,
        title: row.get(8)?,
        quality: row.get(9)?,
        machine_json: row.get(10)?,
        machine_format: row.get(11)?,
        bytes_done: row.get::<_, i64>(12)?.max(0) as u64,
        bytes_total: row
            .get::<_, Option<i64>>(13)?
            .map(|total| total.max(0) as u64),
        validator: row.get(14)?,
        part_key: row.get(15)?,
        queue_id: row.get::<_, Option<i64>>(16)?.map(|id| id as u64),
        queue_item_id: row.get::<_, Option<i64>>(17)?.map(|id| id as u64),
        attempts: row.get(18)?,
        error_kind: row.get(19)?,
        error_message: row.get(20)?,
        next_wake_at: row.get(21)?,
        updated_at: row.get(22)?,
        group_title: row.get(23)?,
        rule_id: row.get(24)?,
        tracks: tracks_from(row.get(25)?),
    })
}

/// Adds a download in the Queued state; returns its id.
pub fn insert(
    transaction: &Transaction<'_>,
    new: &NewDownload,
    jitter_seed: u64,
) -> Result<i64, ManifestError> {
    let machine = machine::new_machine(jitter_seed);
    let now = now_ms();
    transaction.execute(
        "INSERT INTO downloads (media_rating_key, server_identifier, cached_metadata_json, download_status,
            created_at_timestamp, part_index, title, quality, machine_json, machine_format, bytes_total, part_key, updated_at,
            group_title, rule_id, tracks_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?5,
            CASE WHEN json_valid(?3) THEN json_extract(?3, '$.grandparentTitle') END, ?13, ?14)",
        params![
            new.media_rating_key,
            new.server_identifier,
            new.cached_metadata_json,
            DownloadStatus::from(machine.state()),
            now,
            new.part_index,
            new.title,
            new.quality,
            machine::to_json(&machine),
            machine::MACHINE_FORMAT,
            new.bytes_total.map(|total| total as i64),
            new.part_key,
            new.rule_id,
            tracks_to(&new.tracks),
        ],
    )?;
    Ok(transaction.last_insert_rowid())
}

/// One download.
pub fn get(transaction: &Transaction<'_>, id: i64) -> Result<DownloadRow, ManifestError> {
    transaction
        .query_row(
            &format!("SELECT {COLUMNS} FROM downloads WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or(ManifestError::NoSuchDownload(id))
}

/// Every download, oldest first, without the stored machine and the cached metadata (both
/// are empty in these rows; [`get`] reads them).
pub fn list(transaction: &Transaction<'_>) -> Result<Vec<DownloadRow>, ManifestError> {
    let mut statement =
        transaction.prepare_cached(&format!("SELECT {LIST_COLUMNS} FROM downloads ORDER BY id"))?;
    let rows = statement
        .query_map([], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// A download as lists show it: only the columns the screens read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DownloadSummary {
    pub id: i64,
    pub media_rating_key: String,
    pub server_identifier: String,
    pub local_file_path: Option<String>,
    pub download_status: DownloadStatus,
    pub part_index: u32,
    pub title: String,
    pub quality: String,
    pub bytes_done: u64,
    pub bytes_total: Option<u64>,
    pub error_kind: Option<FailureKind>,
    pub error_message: Option<String>,
    pub next_wake_at: Option<i64>,
    pub group_title: Option<String>,
    pub rule_id: Option<i64>,
}

impl From<&DownloadRow> for DownloadSummary {
    fn from(row: &DownloadRow) -> DownloadSummary {
        DownloadSummary {
            id: row.id,
            media_rating_key: row.media_rating_key.clone(),
            server_identifier: row.server_identifier.clone(),
            local_file_path: row.local_file_path.clone(),
            download_status: row.download_status,
            part_index: row.part_index,
            title: row.title.clone(),
            quality: row.quality.clone(),
            bytes_done: row.bytes_done,
            bytes_total: row.bytes_total,
            error_kind: row.error_kind,
            error_message: row.error_message.clone(),
            next_wake_at: row.next_wake_at,
            group_title: row.group_title.clone(),
            rule_id: row.rule_id,
        }
    }
}

/// The query of [`summaries`]; SQLite answers it from the `downloads_list` index.
const SUMMARY_QUERY: &str = "SELECT id, media_rating_key, server_identifier, local_file_path,
    download_status, part_index, title, quality, bytes_done, bytes_total, error_kind,
    error_message, next_wake_at, group_title, rule_id FROM downloads ORDER BY id";

/// Every download as lists show it, oldest first. Read from the `downloads_list` index
/// alone, never from the rows with their large columns.
pub fn summaries(transaction: &Transaction<'_>) -> Result<Vec<DownloadSummary>, ManifestError> {
    let mut statement = transaction.prepare_cached(SUMMARY_QUERY)?;
    let rows = statement
        .query_map([], |row| {
            Ok(DownloadSummary {
                id: row.get(0)?,
                media_rating_key: row.get(1)?,
                server_identifier: row.get(2)?,
                local_file_path: row.get(3)?,
                download_status: row.get(4)?,
                part_index: row.get(5)?,
                title: row.get(6)?,
                quality: row.get(7)?,
                bytes_done: row.get::<_, i64>(8)?.max(0) as u64,
                bytes_total: row
                    .get::<_, Option<i64>>(9)?
                    .map(|total| total.max(0) as u64),
                error_kind: row.get(10)?,
                error_message: row.get(11)?,
                next_wake_at: row.get(12)?,
                group_title: row.get(13)?,
                rule_id: row.get(14)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// How many downloads there are (SQLite counts them from its smallest index).
pub fn count(transaction: &Transaction<'_>) -> Result<u64, ManifestError> {
    Ok(
        transaction.query_row("SELECT count(*) FROM downloads", [], |row| {
            row.get::<_, i64>(0)
        })? as u64,
    )
}

/// Records the SHA-256 of a download's file (`None` forgets it, for a file fetched again).
pub fn set_content_hash(
    transaction: &Transaction<'_>,
    id: i64,
    sha256: Option<&str>,
) -> Result<(), ManifestError> {
    transaction.execute(
        "UPDATE downloads SET content_sha256 = ?2 WHERE id = ?1",
        params![id, sha256],
    )?;
    Ok(())
}

/// The recorded SHA-256 of a download's file, if there is one.
pub fn content_hash(
    transaction: &Transaction<'_>,
    id: i64,
) -> Result<Option<String>, ManifestError> {
    Ok(transaction
        .query_row(
            "SELECT content_sha256 FROM downloads WHERE id = ?1",
            [id],
            |row| row.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

/// The status of a download, if it is still there (a cheap read for the runner's look at
/// changes from other processes).
pub fn status_of(
    transaction: &Transaction<'_>,
    id: i64,
) -> Result<Option<DownloadStatus>, ManifestError> {
    Ok(transaction
        .query_row(
            "SELECT download_status FROM downloads WHERE id = ?1",
            [id],
            |row| row.get(0),
        )
        .optional()?)
}

/// Cancelled downloads that still record partial bytes (their partial file is still to be
/// removed by the runner).
pub fn cancelled_with_bytes(transaction: &Transaction<'_>) -> Result<Vec<i64>, ManifestError> {
    let mut statement = transaction.prepare_cached(
        "SELECT id FROM downloads WHERE download_status = ?1 AND bytes_done > 0 ORDER BY id",
    )?;
    let ids = statement
        .query_map([DownloadStatus::Cancelled], |row| row.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(ids)
}

/// The download of the same item part at the same quality on the same server with the
/// same tracks, if any. `first_media_id` is the item's first version, which a row without
/// a chosen version (from before versions could be chosen) downloads.
pub fn find(
    transaction: &Transaction<'_>,
    server_identifier: &str,
    rating_key: &str,
    part_index: u32,
    quality: &str,
    tracks: &TrackChoice,
    first_media_id: Option<u64>,
) -> Result<Option<DownloadRow>, ManifestError> {
    let mut statement = transaction.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM downloads WHERE server_identifier = ?1 AND media_rating_key = ?2 \
         AND part_index = ?3 AND quality = ?4 ORDER BY id"
    ))?;
    let resolved = |choice: &TrackChoice| TrackChoice {
        media_id: choice.media_id.or(first_media_id),
        ..choice.clone()
    };
    let wanted = resolved(tracks);
    let rows = statement
        .query_map(
            params![server_identifier, rating_key, part_index, quality],
            from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows.into_iter().find(|row| resolved(&row.tracks) == wanted))
}

/// Stores a machine after a transition, with the columns derived from it.
pub fn save_machine(
    transaction: &Transaction<'_>,
    id: i64,
    machine: &Machine,
) -> Result<(), ManifestError> {
    let state = machine.state();
    let data = machine.inner();
    let (error_kind, error_message, next_wake_at) = match state {
        machine::State::Failed { kind, message, .. } => (Some(*kind), Some(message.clone()), None),
        machine::State::Backoff {
            kind,
            reason,
            retry_at_ms,
            ..
        } => (Some(*kind), Some(reason.clone()), Some(*retry_at_ms)),
        _ => (None, None, None),
    };
    let changed = transaction.execute(
        "UPDATE downloads SET machine_json = ?2, machine_format = ?3, download_status = ?4, attempts = ?5,
            error_kind = ?6, error_message = ?7, next_wake_at = ?8, queue_id = ?9, queue_item_id = ?10, updated_at = ?11
         WHERE id = ?1",
        params![
            id,
            machine::to_json(machine),
            machine::MACHINE_FORMAT,
            DownloadStatus::from(state),
            data.attempts,
            error_kind,
            error_message,
            next_wake_at,
            data.queue.map(|queue| queue.queue_id as i64),
            data.queue.map(|queue| queue.item_id as i64),
            now_ms(),
        ],
    )?;
    if changed == 0 {
        return Err(ManifestError::NoSuchDownload(id));
    }
    Ok(())
}

/// Records progress (after the bytes were flushed to disk).
pub fn checkpoint(
    transaction: &Transaction<'_>,
    id: i64,
    bytes_done: u64,
    bytes_total: Option<u64>,
    validator: Option<&str>,
) -> Result<(), ManifestError> {
    transaction.execute(
        "UPDATE downloads SET bytes_done = ?2, bytes_total = COALESCE(?3, bytes_total), validator = ?4, updated_at = ?5
         WHERE id = ?1",
        params![id, bytes_done as i64, bytes_total.map(|total| total as i64), validator, now_ms()],
    )?;
    Ok(())
}

/// What pre-flight knows of a download's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownSize {
    /// An original file: the size the library lists (kept as it was when it lists none).
    Library(Option<u64>),
    /// A converted file: its size is known only when the server sends it.
    FromTheServer,
}

/// Records what pre-flight read from the server: the part key (kept when there is none),
/// the size, and the item's metadata.
pub fn record_preflight(
    transaction: &Transaction<'_>,
    id: i64,
    part_key: Option<&str>,
    size: KnownSize,
    metadata_json: &str,
) -> Result<(), ManifestError> {
    let (direct, size) = match size {
        KnownSize::Library(size) => (true, size),
        KnownSize::FromTheServer => (false, None),
    };
    transaction.execute(
        "UPDATE downloads SET part_key = COALESCE(?2, part_key),
            bytes_total = CASE WHEN ?5 THEN COALESCE(?3, bytes_total) ELSE NULL END,
            cached_metadata_json = ?4, updated_at = ?6 WHERE id = ?1",
        params![
            id,
            part_key,
            size.map(|s| s as i64),
            metadata_json,
            direct,
            now_ms()
        ],
    )?;
    Ok(())
}

/// Records the finished file's name (relative to the download folder) and the part key.
pub fn set_file(
    transaction: &Transaction<'_>,
    id: i64,
    local_file_path: &str,
    part_key: Option<&str>,
) -> Result<(), ManifestError> {
    transaction.execute(
        "UPDATE downloads SET local_file_path = ?2, part_key = COALESCE(?3, part_key), updated_at = ?4 WHERE id = ?1",
        params![id, local_file_path, part_key, now_ms()],
    )?;
    Ok(())
}

/// Whether another download already uses this file name.
pub fn file_in_use(
    transaction: &Transaction<'_>,
    local_file_path: &str,
    except_id: i64,
) -> Result<bool, ManifestError> {
    let count: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM downloads WHERE local_file_path = ?1 AND id != ?2",
        params![local_file_path, except_id],
        |row| row.get(0),
    )?;
    Ok(count > 0)
}

/// Removes a download's row.
pub fn delete(transaction: &Transaction<'_>, id: i64) -> Result<(), ManifestError> {
    transaction.execute("DELETE FROM downloads WHERE id = ?1", [id])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::{Event, Failure, Route, handle};
    use crate::manifest::Manifest;

    fn new_download(key: &str) -> NewDownload {
        NewDownload {
            media_rating_key: key.to_string(),
            server_identifier: "server-1".to_string(),
            part_index: 0,
            title: "Big Buck Bunny".to_string(),
            quality: "original".to_string(),
            cached_metadata_json: "{}".to_string(),
            bytes_total: Some(1_000),
            part_key: Some("/library/parts/46/1/file.mkv".to_string()),
            rule_id: None,
            tracks: TrackChoice::default(),
        }
    }

    #[test]
    fn a_chosen_version_is_stored_and_tells_downloads_apart() {
        let manifest = Manifest::open_in_memory().expect("manifest");
        let chosen = TrackChoice {
            media_id: Some(12),
            audio_stream_id: Some(7),
            subtitle_stream_id: None,
            subtitles: Some(plexdl_protocol::SubtitleMode::None),
        };
        let (default_id, chosen_id) = manifest
            .write(|tx| {
                let default_id = insert(tx, &new_download("55"), 1)?;
                let chosen_id = insert(
                    tx,
                    &NewDownload {
                        tracks: chosen.clone(),
                        ..new_download("55")
                    },
                    2,
                )?;
                Ok((default_id, chosen_id))
            })
            .expect("inserted");
        let row = manifest.read(|tx| get(tx, chosen_id)).expect("row");
        assert_eq!(row.tracks, chosen);
        assert_eq!(
            manifest.read(|tx| get(tx, default_id)).expect("row").tracks,
            TrackChoice::default()
        );
        let found = |tracks: TrackChoice, first: Option<u64>| {
            manifest
                .write(|tx| find(tx, "server-1", "55", 0, "original", &tracks, first))
                .expect("found")
                .map(|row| row.id)
        };
        // The row without a choice downloads the first version: asking for that version by
        // its id finds it, asking for another does not.
        let first = TrackChoice {
            media_id: Some(11),
            ..TrackChoice::default()
        };
        assert_eq!(found(first.clone(), Some(11)), Some(default_id));
        assert_eq!(found(TrackChoice::default(), Some(11)), Some(default_id));
        assert_eq!(found(chosen.clone(), Some(11)), Some(chosen_id));
        let other_audio = TrackChoice {
            audio_stream_id: Some(8),
            ..chosen
        };
        assert_eq!(found(other_audio, Some(11)), None);
        // Text that is not a choice reads as the default instead of breaking the row.
        manifest
            .write(|tx| {
                tx.execute(
                    "UPDATE downloads SET tracks_json = '{\"mediaId\": \"twelve\"}' WHERE id = ?1",
                    [chosen_id],
                )?;
                Ok(())
            })
            .expect("updated");
        assert_eq!(
            manifest.read(|tx| get(tx, chosen_id)).expect("row").tracks,
            TrackChoice::default()
        );
    }

    #[test]
    fn summaries_carry_the_same_values_as_full_rows() {
        let manifest = super::super::Manifest::open_in_memory().expect("manifest");
        manifest
            .write(|tx| {
                let first = insert(tx, &new_download("55"), 1)?;
                insert(tx, &new_download("56"), 2)?;
                checkpoint(tx, first, 4096, Some(8192), Some("\"etag\""))?;
                set_file(tx, first, "Big Buck Bunny (2008).mkv", None)?;
                Ok(())
            })
            .expect("rows");
        let (full, listed) = manifest
            .read(|tx| Ok((list(tx)?, summaries(tx)?)))
            .expect("lists");
        assert_eq!(full.len(), 2);
        assert_eq!(listed.len(), 2);
        for (row, summary) in full.iter().zip(&listed) {
            assert_eq!(*summary, DownloadSummary::from(row));
        }
        assert_eq!(listed[0].bytes_done, 4096);
        // The list never touches the rows with their large columns.
        let plan: String = manifest
            .read(|tx| {
                Ok(
                    tx.query_row(&format!("EXPLAIN QUERY PLAN {SUMMARY_QUERY}"), [], |row| {
                        row.get::<_, String>(3)
                    })?,
                )
            })
            .expect("plan");
        assert!(plan.contains("COVERING INDEX downloads_list"), "{plan}");
    }

    #[test]
    fn rows_are_added_found_updated_and_removed() {
        let manifest = Manifest::open_in_memory().expect("manifest");
        let id = manifest
            .write(|tx| insert(tx, &new_download("55"), 1))
            .expect("inserted");
        let row = manifest.read(|tx| get(tx, id)).expect("row");
        assert_eq!(row.download_status, "queued");
        assert_eq!(row.bytes_total, Some(1_000));
        let found = manifest
            .read(|tx| {
                find(
                    tx,
                    "server-1",
                    "55",
                    0,
                    "original",
                    &TrackChoice::default(),
                    None,
                )
            })
            .expect("query");
        assert_eq!(found.map(|row| row.id), Some(id));

        let (mut machine, _) = machine::from_json(&row.machine_json).expect("machine");
        handle(&mut machine, &Event::Start);
        handle(
            &mut machine,
            &Event::PreflightPassed {
                route: Route::Direct,
            },
        );
        let failure = Failure {
            kind: FailureKind::Timeout,
            message: "slow".into(),
            retryable: true,
            retry_after: None,
            at_ms: 5,
        };
        handle(&mut machine, &Event::Failed(failure));
        manifest
            .write(|tx| save_machine(tx, id, &machine))
            .expect("saved");
        manifest
            .write(|tx| checkpoint(tx, id, 400, None, Some("\"46-v0\"")))
            .expect("checkpoint");
        let row = manifest.read(|tx| get(tx, id)).expect("row");
        assert_eq!(row.download_status, "backoff");
        assert_eq!(row.error_kind, Some(FailureKind::Timeout));
        assert!(row.next_wake_at.is_some());
        assert_eq!(row.attempts, 1);
        assert_eq!((row.bytes_done, row.bytes_total), (400, Some(1_000)));
        assert_eq!(row.validator.as_deref(), Some("\"46-v0\""));

        manifest
            .write(|tx| set_file(tx, id, "Big Buck Bunny (2008).mkv", None))
            .expect("file");
        let other = manifest
            .write(|tx| insert(tx, &new_download("56"), 2))
            .expect("second");
        assert!(
            manifest
                .read(|tx| file_in_use(tx, "Big Buck Bunny (2008).mkv", other))
                .expect("query")
        );
        assert!(
            !manifest
                .read(|tx| file_in_use(tx, "Big Buck Bunny (2008).mkv", id))
                .expect("query")
        );
        manifest.write(|tx| delete(tx, id)).expect("deleted");
        assert!(matches!(
            manifest.read(|tx| get(tx, id)),
            Err(ManifestError::NoSuchDownload(_))
        ));
        assert_eq!(manifest.read(list).expect("list").len(), 1);
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let manifest = Manifest::open_in_memory().expect("manifest");
        let result: Result<(), ManifestError> = manifest.write(|tx| {
            insert(tx, &new_download("55"), 1)?;
            Err(ManifestError::NoSuchDownload(-1))
        });
        assert!(result.is_err());
        assert!(
            manifest.read(list).expect("list").is_empty(),
            "the insert was rolled back"
        );
    }
}
