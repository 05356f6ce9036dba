//! Where the plex.tv token is kept. The core defines the trait; hosts choose the store. The
//! file store keeps the token in a file only its owner can read (mode 0600 on Unix), which is
//! what the desktop host uses and what Android's app-private storage gives as well.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::error::PlexError;

/// Keeps the signed-in token between runs.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The saved token, if any.
    fn load(&self) -> Result<Option<String>, PlexError>;
    /// Saves a token, replacing any earlier one.
    fn save(&self, token: &str) -> Result<(), PlexError>;
    /// Forgets the token (sign out).
    fn clear(&self) -> Result<(), PlexError>;
}

/// A token kept in memory only (tests, or a host that does not want to keep it).
#[derive(Default)]
pub struct MemoryTokenStore {
    token: Mutex<Option<String>>,
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("MemoryTokenStore([redacted])")
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> Result<Option<String>, PlexError> {
        Ok(self
            .token
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone())
    }

    fn save(&self, token: &str) -> Result<(), PlexError> {
        *self
            .token
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(token.to_string());
        Ok(())
    }

    fn clear(&self) -> Result<(), PlexError> {
        *self
            .token
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        Ok(())
    }
}

/// A token kept in a file readable only by its owner.
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
}

impl FileTokenStore {
    /// A store at `path` (the folder is created when the token is first saved).
    pub fn new(path: impl Into<PathBuf>) -> FileTokenStore {
        FileTokenStore { path: path.into() }
    }

    /// Where the token is kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn failure(&self, action: &str, error: std::io::Error) -> PlexError {
        PlexError::TokenStorage {
            reason: format!("cannot {action} {}: {error}", self.path.display()),
        }
    }
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> Result<Option<String>, PlexError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => {
                let token = text.trim().to_string();
                if token.is_empty() {
                    return Ok(None);
                }
                plexdl_redact::register_secret(&token);
                Ok(Some(token))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(self.failure("read", error)),
        }
    }

    fn save(&self, token: &str) -> Result<(), PlexError> {
        plexdl_redact::register_secret(token);
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|error| self.failure("create the folder of", error))?;
        }
        // Written to a new file (created with owner-only permissions) and renamed over the
        // old one, so a crash never leaves half a token.
        let temporary = self.path.with_extension("tmp");
        let _ = std::fs::remove_file(&temporary);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options
            .open(&temporary)
            .map_err(|error| self.failure("write", error))?;
        file.write_all(token.as_bytes())
            .map_err(|error| self.failure("write", error))?;
        file.sync_all()
            .map_err(|error| self.failure("write", error))?;
        drop(file);
        std::fs::rename(&temporary, &self.path).map_err(|error| self.failure("write", error))?;
        Ok(())
    }

    fn clear(&self) -> Result<(), PlexError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(self.failure("remove", error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_saves_reads_and_clears() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FileTokenStore::new(dir.path().join("account").join("token"));
        assert_eq!(store.load().expect("empty"), None);
        store.save("TokenForTheFileStore1").expect("saved");
        assert_eq!(
            store.load().expect("read").as_deref(),
            Some("TokenForTheFileStore1")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(store.path())
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "only the owner may read the token");
        }
        store.save("TokenForTheFileStore2").expect("replaced");
        assert_eq!(
            store.load().expect("read").as_deref(),
            Some("TokenForTheFileStore2")
        );
        store.clear().expect("cleared");
        assert_eq!(store.load().expect("empty again"), None);
        store.clear().expect("clearing twice is fine");
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let store = MemoryTokenStore::default();
        store.save("VisibleTokenValue").expect("saved");
        assert!(!format!("{store:?}").contains("VisibleTokenValue"));
    }
}
