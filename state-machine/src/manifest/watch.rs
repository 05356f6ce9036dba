//! Watched state and its outbox: what this device knows of each item (`watch_state`) and
//! each change still to be told to the item's server (`watch_outbox`). A change and its
//! outbox entry are written in one transaction ([`record`]), so a change the user sees was
//! made is a change that will be sent. engine/watchOutbox.rs sends the entries.

use std::collections::HashMap;

use plexdl_protocol::WatchChange;
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::ManifestError;

/// What this device knows of an item's watched state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchState {
    pub watched: bool,
    /// Where playback stopped, in milliseconds (`None`: from the start).
    pub position_ms: Option<u64>,
    /// When it last changed here, or was read from the server (milliseconds since 1970).
    pub changed_at: i64,
    /// The server's `viewCount` as last seen (after a change this device sent, or read):
    /// a different count later means another client changed the item.
    pub server_view_count: Option<u64>,
}

/// One change waiting for its server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub server_identifier: String,
    pub media_rating_key: String,
    pub change: WatchChange,
    pub position_ms: Option<u64>,
    pub duration_ms: Option<u64>,
    /// When the user made the change (milliseconds since 1970).
    pub changed_at: i64,
    pub attempts: u32,
    /// Not sent before this time (milliseconds since 1970), after a failed try.
    pub next_try_at: Option<i64>,
    /// Set just before the request goes out: after a crash the entry is in doubt.
    pub sending_since: Option<i64>,
    /// The server's `viewCount` read just before the request went out.
    pub view_count_before: Option<u64>,
    pub last_error: Option<String>,
}

const ENTRY_COLUMNS: &str = "id, server_identifier, media_rating_key, change, position_ms, \
    duration_ms, changed_at, attempts, next_try_at, sending_since, view_count_before, last_error";

fn to_u64(value: Option<i64>) -> Option<u64> {
    value.map(|value| value.max(0) as u64)
}

fn from_i64(value: Option<u64>) -> Option<i64> {
    value.map(|value| value.min(i64::MAX as u64) as i64)
}

fn entry_from_row(row: &Row<'_>) -> Result<OutboxEntry, rusqlite::Error> {
    Ok(OutboxEntry {
        id: row.get(0)?,
        server_identifier: row.get(1)?,
        media_rating_key: row.get(2)?,
        change: row.get(3)?,
        position_ms: to_u64(row.get(4)?),
        duration_ms: to_u64(row.get(5)?),
        changed_at: row.get(6)?,
        attempts: row.get(7)?,
        next_try_at: row.get(8)?,
        sending_since: row.get(9)?,
        view_count_before: to_u64(row.get(10)?),
        last_error: row.get(11)?,
    })
}

/// Records a change the user made at `now`: the item's state here and an outbox entry for
/// its server. A position replaces the item's last entry when that one is a position not
/// yet being sent (the server keeps only the latest); every other change is an entry of
/// its own, sent in order. Returns the entry's id.
pub fn record(
    transaction: &Transaction<'_>,
    server: &str,
    rating_key: &str,
    change: WatchChange,
    position_ms: Option<u64>,
    duration_ms: Option<u64>,
    now: i64,
) -> Result<i64, ManifestError> {
    let (watched_sql, position) = match change {
        WatchChange::Watched => ("1", None),
        WatchChange::Unwatched => ("0", None),
        WatchChange::Position => (
            "COALESCE((SELECT watched FROM watch_state WHERE server_identifier = ?1 AND media_rating_key = ?2), 0)",
            position_ms,
        ),
    };
    transaction.execute(
        &format!(
            "INSERT INTO watch_state (server_identifier, media_rating_key, watched, position_ms, changed_at)
             VALUES (?1, ?2, {watched_sql}, ?3, ?4)
             ON CONFLICT (server_identifier, media_rating_key) DO UPDATE SET
                watched = excluded.watched, position_ms = excluded.position_ms,
                changed_at = excluded.changed_at"
        ),
        params![server, rating_key, from_i64(position), now],
    )?;
    if change == WatchChange::Position {
        let last: Option<(i64, WatchChange, Option<i64>)> = transaction
            .query_row(
                "SELECT id, change, sending_since FROM watch_outbox
                 WHERE server_identifier = ?1 AND media_rating_key = ?2
                 ORDER BY id DESC LIMIT 1",
                params![server, rating_key],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        if let Some((id, WatchChange::Position, None)) = last {
            transaction.execute(
                "UPDATE watch_outbox SET position_ms = ?2, duration_ms = ?3, changed_at = ?4
                 WHERE id = ?1",
                params![id, from_i64(position_ms), from_i64(duration_ms), now],
            )?;
            return Ok(id);
        }
    }
    transaction.execute(
        "INSERT INTO watch_outbox (server_identifier, media_rating_key, change, position_ms,
            duration_ms, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            server,
            rating_key,
            change,
            from_i64(position_ms),
            from_i64(duration_ms),
            now
        ],
    )?;
    Ok(transaction.last_insert_rowid())
}

fn state_from_row(row: &Row<'_>) -> Result<WatchState, rusqlite::Error> {
    Ok(WatchState {
        watched: row.get(0)?,
        position_ms: to_u64(row.get(1)?),
        changed_at: row.get(2)?,
        server_view_count: to_u64(row.get(3)?),
    })
}

/// What this device knows of one item.
pub fn state(
    transaction: &Transaction<'_>,
    server: &str,
    rating_key: &str,
) -> Result<Option<WatchState>, ManifestError> {
    Ok(transaction
        .query_row(
            "SELECT watched, position_ms, changed_at, server_view_count FROM watch_state
             WHERE server_identifier = ?1 AND media_rating_key = ?2",
            params![server, rating_key],
            state_from_row,
        )
        .optional()?)
}

/// Every item's known state, by server and rating key (for the downloads list).
pub fn states(
    transaction: &Transaction<'_>,
) -> Result<HashMap<(String, String), WatchState>, ManifestError> {
    let mut statement = transaction.prepare_cached(
        "SELECT watched, position_ms, changed_at, server_view_count, server_identifier,
            media_rating_key FROM watch_state",
    )?;
    let states = statement
        .query_map([], |row| {
            Ok(((row.get(4)?, row.get(5)?), state_from_row(row)?))
        })?
        .collect::<Result<HashMap<_, _>, _>>()?;
    Ok(states)
}

/// A server's waiting entries, oldest first.
pub fn pending(
    transaction: &Transaction<'_>,
    server: &str,
) -> Result<Vec<OutboxEntry>, ManifestError> {
    let mut statement = transaction.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM watch_outbox WHERE server_identifier = ?1 ORDER BY id"
    ))?;
    let entries = statement
        .query_map([server], entry_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(entries)
}

/// Every entry, oldest first (status and tests).
pub fn all_pending(transaction: &Transaction<'_>) -> Result<Vec<OutboxEntry>, ManifestError> {
    let mut statement = transaction.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM watch_outbox ORDER BY id"
    ))?;
    let entries = statement
        .query_map([], entry_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(entries)
}

/// Each server with waiting entries, and when its first entry may be sent (milliseconds
/// since 1970; 0 when it may be sent now). An entry waits for the server's earlier ones, so
/// a server is due when its oldest entry is.
pub fn servers_due(transaction: &Transaction<'_>) -> Result<Vec<(String, i64)>, ManifestError> {
    let mut statement = transaction.prepare_cached(
        "SELECT server_identifier, COALESCE(next_try_at, 0) FROM watch_outbox AS entry
         WHERE id = (SELECT MIN(id) FROM watch_outbox
                     WHERE server_identifier = entry.server_identifier)",
    )?;
    let due = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(due)
}

/// Marks an entry as going out now, with the server's count read just before.
pub fn mark_sending(
    transaction: &Transaction<'_>,
    id: i64,
    view_count_before: Option<u64>,
    now: i64,
) -> Result<(), ManifestError> {
    transaction.execute(
        "UPDATE watch_outbox SET sending_since = ?2, view_count_before = ?3 WHERE id = ?1",
        params![id, now, from_i64(view_count_before)],
    )?;
    Ok(())
}

/// The server has the change (or a newer one, or no longer has the item): the entry goes,
/// and the item's state remembers the server's count now.
pub fn settle(
    transaction: &Transaction<'_>,
    entry: &OutboxEntry,
    server_view_count: Option<u64>,
) -> Result<(), ManifestError> {
    transaction.execute("DELETE FROM watch_outbox WHERE id = ?1", [entry.id])?;
    if let Some(count) = server_view_count {
        transaction.execute(
            "UPDATE watch_state SET server_view_count = ?3
             WHERE server_identifier = ?1 AND media_rating_key = ?2",
            params![
                entry.server_identifier,
                entry.media_rating_key,
                from_i64(Some(count))
            ],
        )?;
    }
    Ok(())
}

/// A try failed: the entry waits until `next_try_at`.
pub fn failed(
    transaction: &Transaction<'_>,
    id: i64,
    error: &str,
    next_try_at: i64,
) -> Result<(), ManifestError> {
    transaction.execute(
        "UPDATE watch_outbox SET attempts = attempts + 1, last_error = ?2, next_try_at = ?3
         WHERE id = ?1",
        params![id, error, next_try_at],
    )?;
    Ok(())
}

/// Takes the server's state for an item that has no change waiting: another client
/// changed it later than this device did.
pub fn adopt_server_state(
    transaction: &Transaction<'_>,
    server: &str,
    rating_key: &str,
    watched: bool,
    position_ms: Option<u64>,
    server_view_count: u64,
    now: i64,
) -> Result<bool, ManifestError> {
    let waiting: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM watch_outbox WHERE server_identifier = ?1 AND media_rating_key = ?2",
        params![server, rating_key],
        |row| row.get(0),
    )?;
    if waiting > 0 {
        return Ok(false);
    }
    transaction.execute(
        "INSERT INTO watch_state (server_identifier, media_rating_key, watched, position_ms,
            changed_at, server_view_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (server_identifier, media_rating_key) DO UPDATE SET
            watched = excluded.watched, position_ms = excluded.position_ms,
            changed_at = excluded.changed_at, server_view_count = excluded.server_view_count",
        params![
            server,
            rating_key,
            watched,
            from_i64(position_ms),
            now,
            from_i64(Some(server_view_count))
        ],
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;

    #[test]
    fn changes_keep_their_order_and_positions_replace_an_unsent_position() {
        let manifest = Manifest::open_in_memory().expect("manifest");
        manifest
            .write(|tx| {
                record(
                    tx,
                    "s",
                    "7",
                    WatchChange::Position,
                    Some(1_000),
                    Some(9_000),
                    1,
                )?;
                // The server keeps only the latest position: this one replaces the first.
                record(
                    tx,
                    "s",
                    "7",
                    WatchChange::Position,
                    Some(2_000),
                    Some(9_000),
                    2,
                )?;
                record(tx, "s", "7", WatchChange::Watched, None, None, 3)?;
                record(tx, "s", "8", WatchChange::Watched, None, None, 4)?;
                let sent = record(tx, "s", "7", WatchChange::Position, Some(3_000), None, 5)?;
                mark_sending(tx, sent, Some(1), 6)?;
                // The last entry is being sent: a new position is an entry of its own.
                record(tx, "s", "7", WatchChange::Position, Some(4_000), None, 7)?;
                Ok(())
            })
            .expect("recorded");
        let entries = manifest.read(|tx| pending(tx, "s")).expect("entries");
        let shown: Vec<(&str, WatchChange, Option<u64>)> = entries
            .iter()
            .map(|entry| {
                (
                    entry.media_rating_key.as_str(),
                    entry.change,
                    entry.position_ms,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("7", WatchChange::Position, Some(2_000)),
                ("7", WatchChange::Watched, None),
                ("8", WatchChange::Watched, None),
                ("7", WatchChange::Position, Some(3_000)),
                ("7", WatchChange::Position, Some(4_000)),
            ]
        );
        let state = manifest
            .read(|tx| state(tx, "s", "7"))
            .expect("read")
            .expect("known");
        // A position after "watched" keeps the item watched, as a server does.
        assert_eq!((state.watched, state.position_ms), (true, Some(4_000)));
        assert_eq!(
            manifest.read(servers_due).expect("due"),
            [("s".to_string(), 0)]
        );
    }

    #[test]
    fn a_failed_entry_delays_its_server_and_a_settled_one_leaves() {
        let manifest = Manifest::open_in_memory().expect("manifest");
        let entries = manifest
            .write(|tx| {
                let first = record(tx, "s", "7", WatchChange::Watched, None, None, 1)?;
                record(tx, "s", "8", WatchChange::Unwatched, None, None, 2)?;
                failed(tx, first, "the server did not answer", 60_000)?;
                pending(tx, "s")
            })
            .expect("recorded");
        assert_eq!(entries[0].attempts, 1);
        assert_eq!(
            manifest.read(servers_due).expect("due"),
            [("s".to_string(), 60_000)]
        );
        manifest
            .write(|tx| settle(tx, &entries[0], Some(3)))
            .expect("settled");
        assert_eq!(
            manifest.read(servers_due).expect("due"),
            [("s".to_string(), 0)]
        );
        let state = manifest
            .read(|tx| state(tx, "s", "7"))
            .expect("read")
            .expect("known");
        assert_eq!(state.server_view_count, Some(3));
        // An item with a change waiting keeps its own state; one without takes the server's.
        let adopted = manifest
            .write(|tx| {
                Ok((
                    adopt_server_state(tx, "s", "8", true, None, 1, 9)?,
                    adopt_server_state(tx, "s", "7", false, Some(5), 0, 9)?,
                ))
            })
            .expect("adopted");
        assert_eq!(adopted, (false, true));
        let all = manifest.read(states).expect("states");
        assert_eq!(all.len(), 2);
        assert!(!all[&("s".to_string(), "7".to_string())].watched);
    }
}
