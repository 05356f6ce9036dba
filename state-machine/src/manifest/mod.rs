//! The manifest: the SQLite database that is the source of truth for downloads. One
//! connection, opened with WAL, a busy timeout and foreign keys; every read and write runs in
//! a transaction through [`Manifest::read`] and [`Manifest::write`]. A state change and its
//! row are one write.
//!
//! `synchronous = NORMAL` with WAL: a committed transaction survives the app being killed
//! (the case that matters on Android); after a power loss the last transactions may be lost,
//! which costs at most a checkpoint of progress, because the bytes on disk are checked again
//! when a download resumes and the verification routine repairs rows from the files.

#[path = "keepRules.rs"]
pub mod keep_rules;
pub mod rows;
pub mod schema;
#[path = "setAside.rs"]
pub mod set_aside;
pub mod watch;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, Transaction};

pub use rows::{DownloadRow, DownloadSummary, NewDownload};

/// A manifest failure.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot open the manifest {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Schema(#[from] schema::SchemaError),
    #[error("manifest query failed: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("no download with id {0}")]
    NoSuchDownload(i64),
    #[error("cannot move the list of downloads {path} aside: {source}")]
    SetAside {
        path: String,
        source: std::io::Error,
    },
}

/// The manifest's file name in the data folder.
pub const MANIFEST_FILE: &str = "manifest.sqlite";

impl ManifestError {
    /// The manifest's one mapping to the public kind: an unknown id is the caller's
    /// mistake, everything else a manifest that cannot be read or written.
    pub fn kind(&self) -> plexdl_protocol::FailureKind {
        match self {
            ManifestError::NoSuchDownload(_) => plexdl_protocol::FailureKind::NoSuchDownload,
            _ => plexdl_protocol::FailureKind::Manifest,
        }
    }

    /// Whether the database itself is damaged (SQLite finds a corrupted page or no
    /// database at all, or a stored machine no longer parses): trying again cannot help,
    /// rebuilding from the sidecars can.
    pub fn is_damage(&self) -> bool {
        let sqlite = match self {
            ManifestError::Open { source, .. } | ManifestError::Sql(source) => source,
            _ => return false,
        };
        match sqlite {
            rusqlite::Error::SqliteFailure(failure, _) => matches!(
                failure.code,
                rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase
            ),
            rusqlite::Error::FromSqlConversionFailure(..) => true,
            _ => false,
        }
    }

    /// A plain sentence for the user.
    pub fn user_message(&self) -> String {
        match self {
            ManifestError::NoSuchDownload(id) => format!("There is no download with id {id}."),
            other if other.is_damage() => format!(
                "The list of downloads is damaged ({other}). Rebuild it (the Rebuild button on the Diagnostics screen, or `plexdl doctor`): every finished download comes back from the small file beside it."
            ),
            other => format!("The list of downloads could not be read or written: {other}."),
        }
    }
}

/// The open manifest.
#[derive(Debug)]
pub struct Manifest {
    connection: Mutex<Connection>,
}

impl Manifest {
    /// Opens (creating if needed) the manifest at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Manifest, ManifestError> {
        Ok(Manifest {
            connection: Mutex::new(open_connection(path)?),
        })
    }

    /// Closes the database at `path` (which this manifest has open), moves it aside (see
    /// [`set_aside::set_aside`]) and opens a new, empty one in its place; every later read
    /// and write goes to the new one. Returns where the old database went.
    ///
    /// If it cannot be moved, the old database is opened again and the error returned. If
    /// no database can be opened at `path` afterwards, the manifest is left on an empty
    /// in-memory database without tables, so every later read and write fails (and steps
    /// stop after a few) instead of recording downloads where they would be lost.
    pub fn replace_with_new(&self, path: &Path) -> Result<Option<PathBuf>, ManifestError> {
        let mut connection = self
            .connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let old = std::mem::replace(&mut *connection, Connection::open_in_memory()?);
        // A damaged database may fail to close cleanly; dropping it closes it anyway.
        if let Err((old, error)) = old.close() {
            tracing::warn!(%error, "the old list of downloads did not close cleanly");
            drop(old);
        }
        let kept = match set_aside::set_aside(path) {
            Ok(kept) => kept,
            Err(error) => {
                if let Ok(reopened) = open_connection(path) {
                    *connection = reopened;
                }
                return Err(error);
            }
        };
        *connection = open_connection(path)?;
        tracing::info!(kept_as = ?kept, "a new list of downloads was started");
        Ok(kept)
    }

    /// A manifest in memory (tests).
    pub fn open_in_memory() -> Result<Manifest, ManifestError> {
        let mut connection = Connection::open_in_memory()?;
        configure(&connection)?;
        schema::migrate(&mut connection)?;
        Ok(Manifest {
            connection: Mutex::new(connection),
        })
    }

    /// Runs `work` in a read transaction.
    pub fn read<R>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<R, ManifestError>,
    ) -> Result<R, ManifestError> {
        self.run(rusqlite::TransactionBehavior::Deferred, work)
    }

    /// Runs `work` in a write transaction (IMMEDIATE, so it never has to upgrade a lock); the
    /// transaction commits only if `work` succeeds.
    pub fn write<R>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<R, ManifestError>,
    ) -> Result<R, ManifestError> {
        self.run(rusqlite::TransactionBehavior::Immediate, work)
    }

    fn run<R>(
        &self,
        behavior: rusqlite::TransactionBehavior,
        work: impl FnOnce(&Transaction<'_>) -> Result<R, ManifestError>,
    ) -> Result<R, ManifestError> {
        let mut connection = self
            .connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let transaction = connection.transaction_with_behavior(behavior)?;
        let result = work(&transaction)?;
        transaction.commit()?;
        Ok(result)
    }
}

/// Opens the database at `path`, configured, with its schema brought up to date.
fn open_connection(path: &Path) -> Result<Connection, ManifestError> {
    let open_error = |source| ManifestError::Open {
        path: path.display().to_string(),
        source,
    };
    let mut connection = Connection::open(path).map_err(open_error)?;
    configure(&connection).map_err(open_error)?;
    schema::migrate(&mut connection)?;
    Ok(connection)
}

fn configure(connection: &Connection) -> Result<(), rusqlite::Error> {
    connection.busy_timeout(Duration::from_secs(5))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // 8 MiB of page cache: the downloads list of a large library stays in memory.
    connection.pragma_update(None, "cache_size", -8_192)?;
    Ok(())
}

/// Milliseconds since 1970 now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as i64)
        .unwrap_or(0)
}
