//! One runner per data folder. The process that runs downloads (`plexdl run`, `plexdl ui`,
//! the demo, the Android worker) holds an exclusive OS lock on `<data folder>/runner.lock`
//! for as long as it lives; the kernel releases it when the process ends, however it ends
//! (std's `File::try_lock`, flock(2) on Linux, macOS and Android). Only the lock's holder
//! runs steps, so only it ever opens a partial file for writing: two processes can no
//! longer take the same download and cut each other's file back to a checkpoint.
//!
//! The holder writes who it is (process id, what it runs, since when) into the file, so a
//! second process can say who holds the lock. The file is never removed: removing it
//! would let a third process lock a new file of the same name while the holder keeps the
//! old one.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The lock file's name inside the data folder.
pub const LOCK_FILE: &str = "runner.lock";

/// Who holds the lock, as its holder wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    /// The holder's process id.
    pub pid: u32,
    /// What it runs, in plain words (`plexdl run`, `plexdl ui at http://127.0.0.1:8787/`).
    pub what: String,
    /// When it took the lock (milliseconds since the Unix epoch).
    pub since_ms: i64,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{} (process {})", self.what, self.pid)
    }
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it. `None` when it has not written who it is yet.
    #[error("another process runs the downloads of this data folder: {}", describe(.0))]
    Held(Option<Holder>),
    #[error("the runner lock {path} cannot be used: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

fn describe(holder: &Option<Holder>) -> String {
    holder.as_ref().map_or_else(
        || "a process that is starting".to_string(),
        Holder::to_string,
    )
}

/// The held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct RunnerLock {
    file: File,
    path: PathBuf,
    holder: Holder,
}

impl RunnerLock {
    /// Takes the lock of `data_dir` without waiting, and writes `what` into it.
    pub fn acquire(data_dir: &Path, what: &str) -> Result<RunnerLock, LockError> {
        let path = data_dir.join(LOCK_FILE);
        let io = |source: std::io::Error| LockError::Io {
            path: path.display().to_string(),
            source,
        };
        // Never truncate on open: the file holds the current holder's name until the lock
        // is ours.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(LockError::Held(read_holder(&mut file))),
            Err(TryLockError::Error(source)) => return Err(io(source)),
        }
        let holder = Holder {
            pid: std::process::id(),
            what: what.to_string(),
            since_ms: crate::manifest::now_ms(),
        };
        let text = serde_json::to_string(&holder).unwrap_or_default();
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.flush().map_err(io)?;
        tracing::info!(pid = holder.pid, what = %holder.what, lock = %path.display(), "runner lock taken");
        Ok(RunnerLock { file, path, holder })
    }

    /// Who holds the lock of `data_dir` now, if anyone (a process that cannot take it).
    pub fn holder(data_dir: &Path) -> Option<Holder> {
        match RunnerLock::acquire(data_dir, "a look at the runner lock") {
            Ok(_released) => None,
            Err(LockError::Held(holder)) => holder,
            Err(LockError::Io { .. }) => None,
        }
    }

    /// What this process wrote into the lock.
    pub fn held_by(&self) -> &Holder {
        &self.holder
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RunnerLock {
    fn drop(&mut self) {
        // The kernel releases the lock when the file closes; the unlock only makes it
        // explicit. The file is kept (see the module documentation).
        let _ = self.file.unlock();
        tracing::info!(lock = %self.path.display(), "runner lock released");
    }
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(4096).read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_one_folder_is_refused_and_names_the_holder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = RunnerLock::acquire(dir.path(), "plexdl run").expect("first lock");
        assert_eq!(first.held_by().pid, std::process::id());
        // Locks taken with flock belong to the open file, so a second open in the same
        // process is refused just as another process would be.
        match RunnerLock::acquire(dir.path(), "plexdl ui") {
            Err(LockError::Held(Some(holder))) => {
                assert_eq!(holder.what, "plexdl run");
                assert_eq!(holder.pid, std::process::id());
            }
            other => panic!("a second lock was not refused: {other:?}"),
        }
        assert_eq!(
            RunnerLock::holder(dir.path()).map(|holder| holder.what),
            Some("plexdl run".to_string())
        );
        drop(first);
        let second = RunnerLock::acquire(dir.path(), "plexdl ui").expect("free again");
        assert_eq!(second.held_by().what, "plexdl ui");
        assert_eq!(
            RunnerLock::holder(dir.path()).map(|holder| holder.what),
            Some("plexdl ui".to_string())
        );
        drop(second);
        assert_eq!(RunnerLock::holder(dir.path()), None, "nobody holds it");
    }
}
