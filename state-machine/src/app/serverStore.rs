//! The servers the user connected, kept between runs: `servers.json` in the data folder
//! holds names and addresses; each server's token is kept in its own owner-only file
//! (`servers/<id>.token`), never in the JSON.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::plex::{ConnectionKind, FileTokenStore, PlexError, ServerConnection, TokenStore};

/// One saved server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedServer {
    /// The id downloads refer to (the server's machine identifier when known).
    pub id: String,
    pub name: String,
    /// Added by address (plain http allowed) rather than from the account's list.
    pub direct: bool,
    pub machine_id: Option<String>,
    pub connections: Vec<SavedConnection>,
    /// The server requires secure connections (kept from the resources list).
    #[serde(default)]
    pub https_required: bool,
}

/// A saved address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedConnection {
    pub uri: String,
    pub kind: String,
}

impl SavedConnection {
    /// From a live connection.
    pub fn from_connection(connection: &ServerConnection) -> SavedConnection {
        let kind = match connection.kind {
            ConnectionKind::Local => "local",
            ConnectionKind::Remote => "remote",
            ConnectionKind::Relay => "relay",
        };
        SavedConnection {
            uri: connection.uri.clone(),
            kind: kind.to_string(),
        }
    }

    /// Back to a live connection.
    pub fn to_connection(&self) -> ServerConnection {
        let kind = match self.kind.as_str() {
            "remote" => ConnectionKind::Remote,
            "relay" => ConnectionKind::Relay,
            _ => ConnectionKind::Local,
        };
        ServerConnection {
            uri: self.uri.clone(),
            kind,
        }
    }
}

/// The saved servers of one data folder.
#[derive(Debug)]
pub struct ServerStore {
    file: PathBuf,
    token_dir: PathBuf,
    servers: Mutex<Vec<SavedServer>>,
}

fn storage(reason: String) -> PlexError {
    PlexError::TokenStorage { reason }
}

impl ServerStore {
    /// Loads the saved servers (none if the file does not exist yet).
    pub fn open(data_dir: &Path) -> Result<ServerStore, PlexError> {
        let file = data_dir.join("servers.json");
        let servers = match std::fs::read_to_string(&file) {
            Ok(text) => serde_json::from_str(&text).map_err(|error| {
                storage(format!(
                    "the server list {} is damaged: {error}",
                    file.display()
                ))
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(error) => return Err(storage(format!("cannot read {}: {error}", file.display()))),
        };
        Ok(ServerStore {
            file,
            token_dir: data_dir.join("servers"),
            servers: Mutex::new(servers),
        })
    }

    /// Every saved server.
    pub fn list(&self) -> Vec<SavedServer> {
        self.servers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The token store of a server.
    pub fn token_store(&self, id: &str) -> FileTokenStore {
        let safe: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        FileTokenStore::new(self.token_dir.join(format!("{safe}.token")))
    }

    /// Adds or replaces a server with its token.
    pub fn save(&self, server: SavedServer, token: &str) -> Result<(), PlexError> {
        self.token_store(&server.id).save(token)?;
        let mut servers = self
            .servers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        servers.retain(|saved| saved.id != server.id);
        servers.push(server);
        let text =
            serde_json::to_string_pretty(&*servers).map_err(|error| storage(error.to_string()))?;
        if let Some(parent) = self.file.parent() {
            std::fs::create_dir_all(parent).map_err(|error| storage(error.to_string()))?;
        }
        let temporary = self.file.with_extension("tmp");
        std::fs::write(&temporary, text)
            .map_err(|error| storage(format!("cannot write {}: {error}", temporary.display())))?;
        std::fs::rename(&temporary, &self.file)
            .map_err(|error| storage(format!("cannot write {}: {error}", self.file.display())))
    }
}
