//! Typed models of the Plex documents the app reads: the MediaContainer envelope, library
//! sections (Directory), items (Metadata) with their Media, Part and Stream, sessions, the
//! download queue and transcode decisions.
//!
//! Every field is optional and read leniently (see `lenient`): real servers send numbers as
//! strings, flags as `"1"`, leave fields out, and add fields no documentation mentions (which
//! are ignored). An unknown `type` is kept as `MetadataType::Other` with its name.

use serde::{Deserialize, Deserializer, Serialize};

use super::lenient::{list, opt_bool, opt_f64, opt_i64, opt_object, opt_string, opt_u64};

/// The outer object of every Plex Media Server answer: `{"MediaContainer": {...}}`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Envelope {
    #[serde(rename = "MediaContainer", default)]
    pub container: MediaContainer,
}

/// A MediaContainer: the attributes shared by the items it holds, and the items.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MediaContainer {
    #[serde(default, deserialize_with = "opt_u64")]
    pub size: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub total_size: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub offset: Option<u64>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub allow_sync: Option<bool>,
    #[serde(default, deserialize_with = "opt_string")]
    pub identifier: Option<String>,
    #[serde(default, rename = "librarySectionID", deserialize_with = "opt_string")]
    pub library_section_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub library_section_title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub library_section_uuid: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub title1: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub title2: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub view_group: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub parent_title: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub parent_index: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub grandparent_title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub grandparent_rating_key: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub grandparent_thumb: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub thumb: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub art: Option<String>,
    /// Server identity fields (`/identity`, `/`).
    #[serde(default, deserialize_with = "opt_string")]
    pub machine_identifier: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub version: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub platform: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub friendly_name: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub claimed: Option<bool>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub transcoder_active_video_sessions: Option<u64>,
    /// Decision fields (transcoder decisions and queue item decisions).
    #[serde(flatten)]
    pub decision: DecisionCodes,
    #[serde(default, rename = "Directory", deserialize_with = "list")]
    pub directories: Vec<Directory>,
    #[serde(default, rename = "Metadata", deserialize_with = "list")]
    pub metadata: Vec<Metadata>,
    #[serde(default, rename = "DownloadQueue", deserialize_with = "list")]
    pub download_queues: Vec<DownloadQueue>,
    #[serde(default, rename = "DownloadQueueItem", deserialize_with = "list")]
    pub download_queue_items: Vec<DownloadQueueItem>,
    #[serde(default, rename = "AddedQueueItems", deserialize_with = "list")]
    pub added_queue_items: Vec<AddedQueueItem>,
    #[serde(default, rename = "TranscodeSession", deserialize_with = "list")]
    pub transcode_sessions: Vec<TranscodeSession>,
    /// `/media/providers`: what the server offers this user.
    #[serde(default, rename = "MediaProvider", deserialize_with = "list")]
    pub media_providers: Vec<MediaProvider>,
}

/// A media provider of `/media/providers` (the server's own library is
/// `com.plexapp.plugins.library`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MediaProvider {
    #[serde(default, deserialize_with = "opt_string")]
    pub identifier: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub protocols: Option<String>,
    #[serde(default, rename = "Feature", deserialize_with = "list")]
    pub features: Vec<ProviderFeature>,
}

/// One feature of a media provider; `subscribe` with flavor `download` means the user may
/// download from it (REFERENCE.md section 2.1).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ProviderFeature {
    #[serde(default, rename = "type", deserialize_with = "opt_string")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub flavor: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub key: Option<String>,
}

impl MediaContainer {
    /// Copies attributes the container "hoists" onto items that lack them (section, parent
    /// and grandparent), as the Plex documentation asks clients to do.
    pub fn hoist(&mut self) {
        for item in &mut self.metadata {
            fill(&mut item.library_section_id, &self.library_section_id);
            fill(&mut item.library_section_title, &self.library_section_title);
            fill(&mut item.grandparent_title, &self.grandparent_title);
            fill(
                &mut item.grandparent_rating_key,
                &self.grandparent_rating_key,
            );
            fill(&mut item.grandparent_thumb, &self.grandparent_thumb);
            if item.parent_index.is_none() {
                item.parent_index = self.parent_index;
            }
            if matches!(item.kind, MetadataType::Episode) {
                fill(&mut item.parent_title, &self.title2);
            }
        }
    }
}

fn fill(target: &mut Option<String>, source: &Option<String>) {
    if target.as_deref().is_none_or(str::is_empty) && source.is_some() {
        target.clone_from(source);
    }
}

/// The decision codes and texts of a transcoder decision (also used by queue items).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DecisionCodes {
    #[serde(default, deserialize_with = "opt_u64")]
    pub general_decision_code: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub general_decision_text: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub direct_play_decision_code: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub direct_play_decision_text: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub transcode_decision_code: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub transcode_decision_text: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub available_bandwidth: Option<u64>,
}

/// The kind of a library section or item. Unknown names are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub enum MetadataType {
    Movie,
    Show,
    Season,
    Episode,
    Trailer,
    Clip,
    Artist,
    Album,
    Track,
    Photo,
    Collection,
    Playlist,
    /// A missing `type`.
    #[default]
    Unknown,
    /// A `type` this app does not know, kept as sent.
    Other(String),
}

impl MetadataType {
    /// Parses a Plex type name (`movie`, `show`, ...).
    pub fn from_name(name: &str) -> MetadataType {
        match name {
            "movie" => MetadataType::Movie,
            "show" => MetadataType::Show,
            "season" => MetadataType::Season,
            "episode" => MetadataType::Episode,
            "trailer" => MetadataType::Trailer,
            "clip" => MetadataType::Clip,
            "artist" => MetadataType::Artist,
            "album" => MetadataType::Album,
            "track" => MetadataType::Track,
            "photo" => MetadataType::Photo,
            "collection" => MetadataType::Collection,
            "playlist" => MetadataType::Playlist,
            "" => MetadataType::Unknown,
            other => MetadataType::Other(other.to_string()),
        }
    }

    /// Whether items of this kind have media that can be downloaded.
    pub fn is_playable(&self) -> bool {
        matches!(
            self,
            MetadataType::Movie
                | MetadataType::Episode
                | MetadataType::Clip
                | MetadataType::Trailer
        )
    }
}

impl<'de> Deserialize<'de> for MetadataType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(opt_string(deserializer)?
            .map(|name| MetadataType::from_name(&name))
            .unwrap_or_default())
    }
}

/// A library section (or a Directory entry such as "All episodes").
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Directory {
    #[serde(default, deserialize_with = "opt_string")]
    pub key: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: MetadataType,
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub uuid: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub thumb: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub art: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub allow_sync: Option<bool>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub leaf_count: Option<u64>,
}

/// One item: a movie, show, season, episode, or anything else the server lists.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    #[serde(default, deserialize_with = "opt_string")]
    pub rating_key: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub guid: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: MetadataType,
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub title_sort: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub content_rating: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub year: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub index: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub parent_index: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub parent_rating_key: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub parent_title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub grandparent_rating_key: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub grandparent_title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub thumb: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub art: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub parent_thumb: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub grandparent_thumb: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub duration: Option<u64>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub added_at: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub updated_at: Option<i64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub leaf_count: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub child_count: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub view_offset: Option<u64>,
    /// How often the account watched the item to the end (absent when never).
    #[serde(default, deserialize_with = "opt_u64")]
    pub view_count: Option<u64>,
    /// When the account last watched it to the end (seconds since 1970).
    #[serde(default, deserialize_with = "opt_i64")]
    pub last_viewed_at: Option<i64>,
    #[serde(default, deserialize_with = "opt_f64")]
    pub rating: Option<f64>,
    #[serde(default, rename = "librarySectionID", deserialize_with = "opt_string")]
    pub library_section_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub library_section_title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub session_key: Option<String>,
    #[serde(default, rename = "Media", deserialize_with = "list")]
    pub media: Vec<Media>,
    #[serde(default, rename = "User", deserialize_with = "opt_object")]
    pub user: Option<SessionUser>,
    #[serde(default, rename = "Player", deserialize_with = "opt_object")]
    pub player: Option<Player>,
    #[serde(default, rename = "Session", deserialize_with = "opt_object")]
    pub session: Option<Session>,
    #[serde(default, rename = "TranscodeSession", deserialize_with = "opt_object")]
    pub transcode_session: Option<TranscodeSession>,
}

impl Metadata {
    /// The rating key, or an empty string when the server sent none.
    pub fn rating_key(&self) -> &str {
        self.rating_key.as_deref().unwrap_or("")
    }

    /// The title, or an empty string.
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or("")
    }

    /// Every part of the first media version, in playing order.
    pub fn parts(&self) -> impl Iterator<Item = &Part> {
        self.parts_of(None)
    }

    /// The total size of the first media version's parts, when every part states its size.
    pub fn total_size(&self) -> Option<u64> {
        self.size_of(None)
    }

    /// The position of the version with `media_id` among the item's versions (the
    /// transcoder's `mediaIndex`, REFERENCE.md 5.2); `None` asks for the first one. A
    /// version that is no longer there (the file was replaced on the server) is `None`.
    pub fn version_index(&self, media_id: Option<u64>) -> Option<usize> {
        match media_id {
            None => (!self.media.is_empty()).then_some(0),
            Some(id) => self.media.iter().position(|media| media.id == Some(id)),
        }
    }

    /// The version with `media_id` (the first one for `None`).
    pub fn version(&self, media_id: Option<u64>) -> Option<&Media> {
        self.media.get(self.version_index(media_id)?)
    }

    /// Every part of the version with `media_id`, in playing order.
    pub fn parts_of(&self, media_id: Option<u64>) -> impl Iterator<Item = &Part> {
        self.version(media_id)
            .into_iter()
            .flat_map(|media| media.parts.iter())
    }

    /// The version a download gets when none was chosen: the one closest to a screen
    /// whose shorter side is `screen_pixels` (the first without a screen size).
    pub fn default_media_id(&self, screen_pixels: Option<u32>) -> Option<u64> {
        let height = |media: &Media| {
            media
                .video_resolution
                .as_deref()
                .and_then(plexdl_protocol::label_height)
                .or(media.height)
        };
        let position = plexdl_protocol::closest_by_height(&self.media, height, screen_pixels)?;
        self.media.get(position)?.id
    }

    /// The total size of a version's parts, when every part states its size.
    pub fn size_of(&self, media_id: Option<u64>) -> Option<u64> {
        self.version(media_id)?
            .parts
            .iter()
            .map(|part| part.size)
            .sum()
    }
}

/// One version of an item (a file set in one quality).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Media {
    #[serde(default, deserialize_with = "opt_u64")]
    pub id: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub duration: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub bitrate: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub width: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub height: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub container: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub video_codec: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub audio_codec: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub audio_channels: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub video_resolution: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub selected: Option<bool>,
    #[serde(default, rename = "Part", deserialize_with = "list")]
    pub parts: Vec<Part>,
}

/// One file of a media version.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    #[serde(default, deserialize_with = "opt_u64")]
    pub id: Option<u64>,
    /// The download path (`/library/parts/{id}/{changestamp}/file.ext`), used exactly as sent.
    #[serde(default, deserialize_with = "opt_string")]
    pub key: Option<String>,
    /// The file's path on the server (its last component is the original file name).
    #[serde(default, deserialize_with = "opt_string")]
    pub file: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub size: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub container: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub duration: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub decision: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub selected: Option<bool>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub accessible: Option<bool>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub exists: Option<bool>,
    #[serde(default, rename = "Stream", deserialize_with = "list")]
    pub streams: Vec<Stream>,
}

impl Part {
    /// The changestamp inside the key, which changes when the file changes on the server.
    pub fn changestamp(&self) -> Option<u64> {
        self.key.as_deref()?.split('/').nth(4)?.parse().ok()
    }

    /// External (sidecar) subtitle streams, the ones with their own download key.
    pub fn external_subtitles(&self) -> impl Iterator<Item = &Stream> {
        self.streams
            .iter()
            .filter(|stream| stream.stream_type == Some(3) && stream.key.is_some())
    }
}

/// A video, audio or subtitle stream of a part.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Stream {
    #[serde(default, deserialize_with = "opt_u64")]
    pub id: Option<u64>,
    /// 1 video, 2 audio, 3 subtitle, 4 lyrics.
    #[serde(default, deserialize_with = "opt_u64")]
    pub stream_type: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub codec: Option<String>,
    /// Present on external (sidecar) subtitle streams: where to download them.
    #[serde(default, deserialize_with = "opt_string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub language: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub language_code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub display_title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub format: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub selected: Option<bool>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub default: Option<bool>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub forced: Option<bool>,
    #[serde(default, deserialize_with = "opt_string")]
    pub decision: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub location: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub channels: Option<u64>,
}

/// The user of a playback session.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct SessionUser {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
}

/// The device of a playback session.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Player {
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub product: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub platform: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub local: Option<bool>,
}

/// Bandwidth and location of a playback session.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Session {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub bandwidth: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub location: Option<String>,
}

/// A transcoder job (in /status/sessions, /transcode/sessions and queue items).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TranscodeSession {
    #[serde(default, deserialize_with = "opt_string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub throttled: Option<bool>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub complete: Option<bool>,
    /// Percent done, 0 to 100.
    #[serde(default, deserialize_with = "opt_f64")]
    pub progress: Option<f64>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub size: Option<i64>,
    /// 1.0 is real time; below 1.0 the server cannot keep up.
    #[serde(default, deserialize_with = "opt_f64")]
    pub speed: Option<f64>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub error: Option<bool>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub duration: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub remaining: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub context: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub video_decision: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub audio_decision: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub offline_transcode: Option<bool>,
    /// The output container the server chose (`mp4`, `mkv`).
    #[serde(default, deserialize_with = "opt_string")]
    pub container: Option<String>,
}

/// A download queue (`POST /downloadQueue`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DownloadQueue {
    #[serde(default, deserialize_with = "opt_u64")]
    pub id: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub item_count: Option<u64>,
}

/// The state of a download queue item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub enum QueueItemStatus {
    Deciding,
    Waiting,
    Processing,
    Available,
    Error,
    Expired,
    #[default]
    Unknown,
    Other(String),
}

impl<'de> Deserialize<'de> for QueueItemStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match opt_string(deserializer)?.as_deref() {
            Some("deciding") => QueueItemStatus::Deciding,
            Some("waiting") => QueueItemStatus::Waiting,
            Some("processing") => QueueItemStatus::Processing,
            Some("available") => QueueItemStatus::Available,
            Some("error") => QueueItemStatus::Error,
            Some("expired") => QueueItemStatus::Expired,
            None | Some("") => QueueItemStatus::Unknown,
            Some(other) => QueueItemStatus::Other(other.to_string()),
        })
    }
}

/// One item of a download queue.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DownloadQueueItem {
    #[serde(default, deserialize_with = "opt_u64")]
    pub id: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub queue_id: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub key: Option<String>,
    #[serde(default)]
    pub status: QueueItemStatus,
    #[serde(default, deserialize_with = "opt_string")]
    pub error: Option<String>,
    #[serde(default, rename = "DecisionResult", deserialize_with = "opt_object")]
    pub decision: Option<DecisionCodes>,
    #[serde(default, rename = "TranscodeSession", deserialize_with = "opt_object")]
    pub transcode: Option<TranscodeSession>,
}

/// An item added to a download queue.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct AddedQueueItem {
    #[serde(default, deserialize_with = "opt_string")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub id: Option<u64>,
}

/// A device from plex.tv's resources list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub product: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub product_version: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub client_identifier: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub provides: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub access_token: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub owned: Option<bool>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub presence: Option<bool>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub https_required: Option<bool>,
    #[serde(default, deserialize_with = "opt_string")]
    pub source_title: Option<String>,
    #[serde(default, deserialize_with = "list")]
    pub connections: Vec<Connection>,
}

impl Resource {
    /// Whether the device is a Plex Media Server.
    pub fn is_server(&self) -> bool {
        self.provides
            .as_deref()
            .is_some_and(|provides| provides.split(',').any(|p| p.trim() == "server"))
    }
}

/// One way to reach a server.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    #[serde(default, deserialize_with = "opt_string")]
    pub protocol: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub address: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub port: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub uri: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub local: Option<bool>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub relay: Option<bool>,
    #[serde(default, rename = "IPv6", deserialize_with = "opt_bool")]
    pub ipv6: Option<bool>,
}

/// A plex.tv PIN.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PinDocument {
    #[serde(default, deserialize_with = "opt_u64")]
    pub id: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub client_identifier: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub expires_in: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub expires_at: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub auth_token: Option<String>,
}

/// The plex.tv account (`/api/v2/user`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UserDocument {
    #[serde(default, deserialize_with = "opt_u64")]
    pub id: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub uuid: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub thumb: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quirks_of_real_documents_are_accepted() {
        let text = r#"{"MediaContainer": {"size": "1", "allowSync": "1", "librarySectionID": "1",
            "generalDecisionCode": 1001, "unknownField": {"deep": [1, 2]},
            "Metadata": [{"ratingKey": 22, "type": "podcast", "title": "X",
              "Media": [{"id": "307380", "selected": true,
                "Part": [{"id": "320497", "size": "1000", "hasThumbnail": "1", "key": "/library/parts/320497/1675330657/file.mp4",
                  "Stream": [{"id": 1, "streamType": "3", "key": "/library/streams/1"}]}]}]}]}}"#;
        let envelope: Envelope = serde_json::from_str(text).expect("parses");
        let container = envelope.container;
        assert_eq!(container.size, Some(1));
        assert_eq!(container.allow_sync, Some(true));
        assert_eq!(container.library_section_id.as_deref(), Some("1"));
        assert_eq!(container.decision.general_decision_code, Some(1001));
        let item = &container.metadata[0];
        assert_eq!(item.rating_key(), "22");
        assert_eq!(item.kind, MetadataType::Other("podcast".to_string()));
        let part = item.parts().next().expect("a part");
        assert_eq!(part.id, Some(320_497));
        assert_eq!(part.size, Some(1000));
        assert_eq!(part.changestamp(), Some(1_675_330_657));
        assert_eq!(part.external_subtitles().count(), 1);
        assert_eq!(item.total_size(), Some(1000));
    }

    #[test]
    fn a_version_is_found_by_its_media_id() {
        let text = r#"{"MediaContainer": {"Metadata": [{"ratingKey": "7", "type": "movie", "Media": [
            {"id": "11", "videoResolution": "4k", "Part": [{"id": 1, "size": 9000}]},
            {"id": 12, "videoResolution": "1080", "Part": [{"id": 2, "size": 300}, {"id": 3, "size": 200}]}]}]}}"#;
        let envelope: Envelope = serde_json::from_str(text).expect("parses");
        let item = &envelope.container.metadata[0];
        assert_eq!(item.version_index(None), Some(0));
        assert_eq!(item.version_index(Some(12)), Some(1));
        assert_eq!(item.version_index(Some(99)), None);
        assert_eq!(item.size_of(None), Some(9000));
        assert_eq!(item.size_of(Some(12)), Some(500));
        assert_eq!(item.parts_of(Some(12)).count(), 2);
        assert_eq!(item.parts_of(Some(99)).count(), 0);
        assert_eq!(Metadata::default().version_index(None), None);
        assert_eq!(item.default_media_id(Some(1080)), Some(12));
        assert_eq!(item.default_media_id(Some(2160)), Some(11));
        assert_eq!(item.default_media_id(None), Some(11));
    }

    #[test]
    fn hoisting_fills_missing_item_fields_from_the_container() {
        let text = r#"{"MediaContainer": {"grandparentTitle": "The 100", "grandparentRatingKey": 22, "title2": "Season 1",
            "librarySectionID": 2, "Metadata": [{"ratingKey": "90", "type": "episode", "parentTitle": ""}]}}"#;
        let mut container = serde_json::from_str::<Envelope>(text)
            .expect("parses")
            .container;
        container.hoist();
        let item = &container.metadata[0];
        assert_eq!(item.grandparent_title.as_deref(), Some("The 100"));
        assert_eq!(item.grandparent_rating_key.as_deref(), Some("22"));
        assert_eq!(item.parent_title.as_deref(), Some("Season 1"));
        assert_eq!(item.library_section_id.as_deref(), Some("2"));
    }

    #[test]
    fn queue_item_statuses_are_read() {
        let text = r#"{"MediaContainer": {"DownloadQueueItem": [
            {"id": 1, "status": "processing", "TranscodeSession": {"progress": 37.5}},
            {"id": 2, "status": "paused"}]}}"#;
        let container = serde_json::from_str::<Envelope>(text)
            .expect("parses")
            .container;
        assert_eq!(
            container.download_queue_items[0].status,
            QueueItemStatus::Processing
        );
        assert_eq!(
            container.download_queue_items[0]
                .transcode
                .as_ref()
                .and_then(|t| t.progress),
            Some(37.5)
        );
        assert_eq!(
            container.download_queue_items[1].status,
            QueueItemStatus::Other("paused".to_string())
        );
    }
}
