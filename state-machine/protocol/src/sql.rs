//! The statuses and failure kinds in SQLite, stored under their wire names (the same text the
//! manifest has always held, so no data migration is needed). Only with the `sql` feature:
//! the UI, built for WebAssembly, has no SQLite.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::{DownloadStatus, FailureKind, WatchChange, WhenWatched};

fn named<T>(value: ValueRef<'_>, parse: fn(&str) -> Option<T>, what: &str) -> FromSqlResult<T> {
    let text = value.as_str()?;
    parse(text).ok_or_else(|| FromSqlError::Other(format!("unknown {what} {text:?}").into()))
}

impl ToSql for DownloadStatus {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.name()))
    }
}

impl FromSql for DownloadStatus {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        named(value, DownloadStatus::from_name, "download status")
    }
}

impl ToSql for FailureKind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.name()))
    }
}

impl FromSql for FailureKind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        named(value, FailureKind::from_name, "failure kind")
    }
}

impl ToSql for WatchChange {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.name()))
    }
}

impl FromSql for WatchChange {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        named(value, WatchChange::from_name, "watch change")
    }
}

impl ToSql for WhenWatched {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.name()))
    }
}

impl FromSql for WhenWatched {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        named(value, WhenWatched::from_name, "watched setting")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_and_kind_is_stored_under_its_name_and_read_back() {
        let db = rusqlite::Connection::open_in_memory().expect("db");
        for status in DownloadStatus::ALL {
            let (text, back): (String, DownloadStatus) = db
                .query_row("SELECT ?1, ?1", [status], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .expect("round trip");
            assert_eq!((text.as_str(), back), (status.name(), status));
        }
        for kind in FailureKind::ALL {
            let back: FailureKind = db
                .query_row("SELECT ?1", [kind], |row| row.get(0))
                .expect("round trip");
            assert_eq!(back, kind);
        }
        for change in WatchChange::ALL {
            let back: WatchChange = db
                .query_row("SELECT ?1", [change], |row| row.get(0))
                .expect("round trip");
            assert_eq!(back, change);
        }
        let unknown = db.query_row("SELECT 'exploded'", [], |row| {
            row.get::<_, DownloadStatus>(0)
        });
        assert!(
            unknown.is_err(),
            "an unknown name is an error, never a guess"
        );
    }
}
