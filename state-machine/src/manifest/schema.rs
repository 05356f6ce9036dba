//! The manifest's schema and its migrations, keyed on SQLite's `user_version`. Each step
//! runs in its own transaction; a database newer than this program is refused rather than
//! touched.

use rusqlite::{Connection, Transaction};

/// The schema version this program writes.
pub const SCHEMA_VERSION: i64 = 7;

/// Step `n` upgrades version `n` to `n + 1`.
const STEPS: [&str; SCHEMA_VERSION as usize] = [
    // 0 -> 1: the downloads table. The first six columns are the ones the manifest was
    // designed around; the rest are what the state machine and the engine need.
    "CREATE TABLE downloads (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        media_rating_key TEXT NOT NULL,
        server_identifier TEXT NOT NULL,
        local_file_path TEXT,
        cached_metadata_json TEXT NOT NULL,
        download_status TEXT NOT NULL,
        created_at_timestamp INTEGER NOT NULL,
        part_index INTEGER NOT NULL DEFAULT 0,
        title TEXT NOT NULL,
        quality TEXT NOT NULL,
        machine_json TEXT NOT NULL,
        machine_format INTEGER NOT NULL,
        bytes_done INTEGER NOT NULL DEFAULT 0,
        bytes_total INTEGER,
        validator TEXT,
        part_key TEXT,
        queue_id INTEGER,
        queue_item_id INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        error_kind TEXT,
        error_message TEXT,
        next_wake_at INTEGER,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX downloads_by_item ON downloads (server_identifier, media_rating_key, part_index, quality);
    CREATE INDEX downloads_by_status ON downloads (download_status);",
    // 1 -> 2: the show an episode belongs to, so lists can group a season without reading
    // the cached metadata. Rows written before this step get it from that metadata.
    "ALTER TABLE downloads ADD COLUMN group_title TEXT;
    UPDATE downloads SET group_title = json_extract(cached_metadata_json, '$.grandparentTitle')
        WHERE json_valid(cached_metadata_json);",
    // 2 -> 3: the downloads list reads this index alone. Rows hold the item's cached
    // metadata (often over 10 KB) before most list columns, so reading the list from the
    // table walks every row's overflow pages: 50 ms for 10,000 rows instead of a few.
    "CREATE INDEX downloads_list ON downloads (id, media_rating_key, server_identifier,
        local_file_path, download_status, created_at_timestamp, part_index, title, quality,
        machine_format, bytes_done, bytes_total, validator, part_key, queue_id, queue_item_id,
        attempts, error_kind, error_message, next_wake_at, updated_at, group_title);",
    // 3 -> 4: the SHA-256 of each finished file, for the deep check. It is the last column
    // and in no index: only that check and the finishing step read it.
    "ALTER TABLE downloads ADD COLUMN content_sha256 TEXT;",
    // 4 -> 5: watched state and the rules that keep the next episodes. `watch_state` is
    // what this device knows of an item (kept when its download is deleted, so a rule never
    // downloads a watched episode again); `watch_outbox` holds each change until its server
    // has it. An entry with `sending_since` set was being sent when the process stopped:
    // whether the server got it is read back from the server before it is sent again
    // (engine/watchOutbox.rs). `keep_rules` are the rules; a download a rule queued names
    // it in `rule_id` (the list's index gets that column, so the list still reads the index
    // alone); `core_settings` holds the storage limit, which every process reads.
    "CREATE TABLE watch_state (
        server_identifier TEXT NOT NULL,
        media_rating_key TEXT NOT NULL,
        watched INTEGER NOT NULL DEFAULT 0,
        position_ms INTEGER,
        changed_at INTEGER NOT NULL,
        server_view_count INTEGER,
        PRIMARY KEY (server_identifier, media_rating_key)
    );
    CREATE TABLE watch_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        server_identifier TEXT NOT NULL,
        media_rating_key TEXT NOT NULL,
        change TEXT NOT NULL,
        position_ms INTEGER,
        duration_ms INTEGER,
        changed_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try_at INTEGER,
        sending_since INTEGER,
        view_count_before INTEGER,
        last_error TEXT
    );
    CREATE INDEX watch_outbox_by_server ON watch_outbox (server_identifier, id);
    CREATE TABLE keep_rules (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        server_identifier TEXT NOT NULL,
        rating_key TEXT NOT NULL,
        title TEXT NOT NULL,
        keep_next INTEGER,
        quality TEXT NOT NULL,
        when_watched TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        apply_after INTEGER,
        stopped_reason TEXT,
        UNIQUE (server_identifier, rating_key)
    );
    CREATE TABLE core_settings (
        name TEXT PRIMARY KEY,
        value INTEGER
    );
    ALTER TABLE downloads ADD COLUMN rule_id INTEGER;
    DROP INDEX downloads_list;
    CREATE INDEX downloads_list ON downloads (id, media_rating_key, server_identifier,
        local_file_path, download_status, created_at_timestamp, part_index, title, quality,
        machine_format, bytes_done, bytes_total, validator, part_key, queue_id, queue_item_id,
        attempts, error_kind, error_message, next_wake_at, updated_at, group_title, rule_id);",
    // 5 -> 6: the episodes a user deleted from a keep rule, which the rule then passes over.
    "CREATE TABLE rule_skips (
        rule_id INTEGER NOT NULL,
        rating_key TEXT NOT NULL,
        skipped_at INTEGER NOT NULL,
        PRIMARY KEY (rule_id, rating_key)
    );",
    // 6 -> 7: the version, audio track and subtitles chosen for a download (a JSON
    // TrackChoice; NULL for rows from before, which download the item's first version with
    // the server's default tracks, as they always did). In no index: only the engine and
    // the sidecar read it.
    "ALTER TABLE downloads ADD COLUMN tracks_json TEXT;",
];

/// Why the manifest cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "the manifest was written by a newer version of the app (schema {found}, this app knows {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error("manifest upgrade from schema {from} failed: {source}")]
    Step { from: i64, source: rusqlite::Error },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

/// The schema version stored in the database.
pub fn version(connection: &Connection) -> Result<i64, rusqlite::Error> {
    connection.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Brings the database to [`SCHEMA_VERSION`], one step at a time.
pub fn migrate(connection: &mut Connection) -> Result<(), SchemaError> {
    let found = version(connection)?;
    if found > SCHEMA_VERSION {
        return Err(SchemaError::TooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for from in found..SCHEMA_VERSION {
        let step = |transaction: &Transaction<'_>| -> Result<(), rusqlite::Error> {
            transaction.execute_batch(STEPS[from as usize])?;
            transaction.pragma_update(None, "user_version", from + 1)?;
            Ok(())
        };
        let transaction = connection
            .transaction()
            .map_err(|source| SchemaError::Step { from, source })?;
        step(&transaction).map_err(|source| SchemaError::Step { from, source })?;
        transaction
            .commit()
            .map_err(|source| SchemaError::Step { from, source })?;
        tracing::info!(from, to = from + 1, "manifest schema upgraded");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_text(connection: &Connection) -> Vec<String> {
        let mut statement = connection
            .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
            .expect("query");
        statement
            .query_map([], |row| row.get(0))
            .expect("rows")
            .map(|row| row.expect("text"))
            .collect()
    }

    #[test]
    fn creating_from_scratch_equals_upgrading_from_every_version() {
        let mut fresh = Connection::open_in_memory().expect("memory database");
        migrate(&mut fresh).expect("created");
        assert_eq!(version(&fresh).expect("version"), SCHEMA_VERSION);
        for start in 0..SCHEMA_VERSION {
            let mut old = Connection::open_in_memory().expect("memory database");
            for step in 0..start {
                old.execute_batch(STEPS[step as usize]).expect("old step");
            }
            old.pragma_update(None, "user_version", start)
                .expect("set version");
            migrate(&mut old).expect("upgraded");
            assert_eq!(
                schema_text(&old),
                schema_text(&fresh),
                "upgrade from {start}"
            );
        }
        // Migrating again changes nothing.
        migrate(&mut fresh).expect("no-op");
        assert_eq!(version(&fresh).expect("version"), SCHEMA_VERSION);
    }

    #[test]
    fn rows_written_at_version_1_get_their_show_from_the_metadata() {
        let mut old = Connection::open_in_memory().expect("memory database");
        old.execute_batch(STEPS[0]).expect("version 1");
        old.pragma_update(None, "user_version", 1)
            .expect("set version");
        for (key, metadata) in [
            ("90", r#"{"ratingKey":"90","grandparentTitle":"The 100"}"#),
            ("55", r#"{"ratingKey":"55"}"#),
            ("56", "not json"),
        ] {
            old.execute(
                "INSERT INTO downloads (media_rating_key, server_identifier, cached_metadata_json,
                    download_status, created_at_timestamp, title, quality, machine_json,
                    machine_format, updated_at)
                 VALUES (?1, 's', ?2, 'queued', 0, 't', 'original', '{}', 1, 0)",
                [key, metadata],
            )
            .expect("old row");
        }
        migrate(&mut old).expect("upgraded");
        let groups: Vec<(String, Option<String>)> = old
            .prepare("SELECT media_rating_key, group_title FROM downloads ORDER BY id")
            .expect("query")
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("rows")
            .map(|row| row.expect("row"))
            .collect();
        assert_eq!(
            groups,
            vec![
                ("90".to_string(), Some("The 100".to_string())),
                ("55".to_string(), None),
                ("56".to_string(), None),
            ]
        );
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut connection = Connection::open_in_memory().expect("memory database");
        connection
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("set");
        assert!(matches!(
            migrate(&mut connection),
            Err(SchemaError::TooNew { .. })
        ));
    }
}
