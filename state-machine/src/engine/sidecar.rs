//! The small metadata file written beside every download (`<file>.plexdl.json`). If the
//! manifest is lost (a reinstall, a damaged database), verification adopts finished files
//! again from their sidecars, so a file on disk is never forgotten.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use plexdl_protocol::TrackChoice;

use crate::manifest::DownloadRow;

/// The sidecar format version.
pub const SIDECAR_FORMAT: u32 = 1;

/// The name ending of sidecar files.
pub const SIDECAR_SUFFIX: &str = ".plexdl.json";

/// What a sidecar holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sidecar {
    pub format: u32,
    pub server_identifier: String,
    pub media_rating_key: String,
    pub part_index: u32,
    pub quality: String,
    pub title: String,
    pub bytes_total: Option<u64>,
    pub part_key: Option<String>,
    pub created_at_timestamp: i64,
    /// Subtitle files saved beside the video.
    #[serde(default)]
    pub subtitles: Vec<String>,
    /// The poster image saved beside the video.
    #[serde(default)]
    pub artwork: Option<String>,
    /// The item's metadata as the server sent it.
    pub metadata: serde_json::Value,
    /// The SHA-256 of the finished file (absent before it is finished, and in sidecars
    /// written before hashes were recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The version, audio track and subtitles the file was downloaded with (absent for
    /// the first version with the server's default tracks, and in older sidecars).
    #[serde(default, skip_serializing_if = "is_default_tracks")]
    pub tracks: TrackChoice,
}

fn is_default_tracks(tracks: &TrackChoice) -> bool {
    *tracks == TrackChoice::default()
}

impl Sidecar {
    /// The sidecar of a download row.
    pub fn from_row(row: &DownloadRow, subtitles: Vec<String>, artwork: Option<String>) -> Sidecar {
        Sidecar {
            format: SIDECAR_FORMAT,
            server_identifier: row.server_identifier.clone(),
            media_rating_key: row.media_rating_key.clone(),
            part_index: row.part_index,
            quality: row.quality.clone(),
            title: row.title.clone(),
            bytes_total: row.bytes_total,
            part_key: row.part_key.clone(),
            created_at_timestamp: row.created_at_timestamp,
            subtitles,
            artwork,
            metadata: serde_json::from_str(&row.cached_metadata_json)
                .unwrap_or(serde_json::Value::Null),
            sha256: None,
            tracks: row.tracks.clone(),
        }
    }
}

impl Sidecar {
    /// The download a sidecar describes, as a new row (the manifest rebuilt or adopting).
    pub fn new_download(&self) -> crate::manifest::NewDownload {
        crate::manifest::NewDownload {
            media_rating_key: self.media_rating_key.clone(),
            server_identifier: self.server_identifier.clone(),
            part_index: self.part_index,
            title: self.title.clone(),
            quality: self.quality.clone(),
            cached_metadata_json: self.metadata.to_string(),
            bytes_total: self.bytes_total,
            part_key: self.part_key.clone(),
            // A rebuilt download counts as the user's own: a rule never deletes it.
            rule_id: None,
            tracks: self.tracks.clone(),
        }
    }
}

/// The sidecar's path for a media file name.
pub fn path_for(folder: &Path, file_name: &str) -> PathBuf {
    folder.join(format!("{file_name}{SIDECAR_SUFFIX}"))
}

/// Writes a sidecar (to a temporary name, then renamed, so it is never half written).
pub fn write(folder: &Path, file_name: &str, sidecar: &Sidecar) -> std::io::Result<()> {
    let path = path_for(folder, file_name);
    let temporary = path.with_extension("tmp");
    let text = serde_json::to_string_pretty(sidecar).map_err(std::io::Error::other)?;
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, &path)
}

/// Reads a sidecar; `None` if it is missing or unreadable.
pub fn read(path: &Path) -> Option<Sidecar> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}
