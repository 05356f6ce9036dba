//! What a Plex user decides a download by: the versions of an item (a film can have a 4K
//! and a 1080p file), each version's audio and subtitle tracks, and the subtitle files a
//! download saves beside the video; and the choices for a converted download (which audio
//! track, and subtitles burned in, as a separate file, or none).
//!
//! The core builds these from the server's metadata (`Media`, `Part`, `Stream`:
//! REFERENCE.md 3.3) and the UI only shows them.

use serde::{Deserialize, Serialize};

use crate::ItemSummary;

/// The answer of `library.item`: the item as listed, its summary, and every version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemDetail {
    pub item: ItemSummary,
    /// The plot or description, when the server has one.
    pub summary: Option<String>,
    /// Every version, in the server's order (empty for shows and seasons).
    pub versions: Vec<MediaVersion>,
}

/// One version of an item: one set of files in one resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaVersion {
    /// The server's id for the version (`Media.id`); what the download dialog sends back.
    pub media_id: u64,
    /// The server's resolution label: `4k`, `1080`, `720`, `480`, `sd`.
    pub resolution: Option<String>,
    pub width: Option<u64>,
    pub height: Option<u64>,
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    /// Kilobits per second, as the server states it.
    pub bitrate_kbps: Option<u64>,
    pub container: Option<String>,
    /// The size of every file of the version together, when each states its size.
    pub size: Option<u64>,
    pub duration_ms: Option<u64>,
    /// How many files the version is made of (a film split in two parts has 2).
    pub parts: u32,
    pub audio: Vec<AudioTrack>,
    pub subtitles: Vec<SubtitleTrack>,
}

/// An audio track of a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioTrack {
    /// The server's stream id; what a converted download sends as its audio choice.
    pub stream_id: u64,
    /// The language in words ("English"), when the server knows it.
    pub language: Option<String>,
    pub codec: Option<String>,
    pub channels: Option<u64>,
    /// The server's own description ("English (AAC Stereo)").
    pub title: Option<String>,
    /// The track the server plays unless told otherwise.
    pub default: bool,
}

/// A subtitle track of a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubtitleTrack {
    pub stream_id: u64,
    pub language: Option<String>,
    pub codec: Option<String>,
    pub title: Option<String>,
    /// A file of its own on the server (an SRT beside the video); otherwise it is inside
    /// the video file.
    pub external: bool,
    pub forced: bool,
    /// The file name an original download saves it as beside the video; `None` for a
    /// track inside the video (it comes with the video itself).
    pub saved_as: Option<String>,
}

/// What a converted download does with subtitles (the transcoder's `subtitles` parameter,
/// REFERENCE.md 5.2, which lists `auto`, `burn`, `none`, `sidecar`, `embedded`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SubtitleMode {
    /// Drawn into the picture: they show in every player, and cannot be turned off.
    Burn,
    /// Not converted; a subtitle with a file of its own on the server is saved beside the
    /// video, as an original download does.
    Sidecar,
    /// Kept as a subtitle track inside the converted video.
    Embedded,
    /// No subtitles.
    None,
}

impl SubtitleMode {
    /// Every mode, in the order the dialog offers them.
    pub const ALL: [SubtitleMode; 4] = [
        SubtitleMode::Sidecar,
        SubtitleMode::Embedded,
        SubtitleMode::Burn,
        SubtitleMode::None,
    ];

    /// The value of the transcoder's `subtitles` parameter (and the stored name).
    pub fn name(self) -> &'static str {
        match self {
            SubtitleMode::Burn => "burn",
            SubtitleMode::Sidecar => "sidecar",
            SubtitleMode::Embedded => "embedded",
            SubtitleMode::None => "none",
        }
    }

    /// The mode with this stored name.
    pub fn from_name(name: &str) -> Option<SubtitleMode> {
        SubtitleMode::ALL
            .into_iter()
            .find(|mode| mode.name() == name)
    }

    /// The dialog's words for it.
    pub fn label(self) -> &'static str {
        match self {
            SubtitleMode::Burn => "Burned into the picture",
            SubtitleMode::Sidecar => "As a separate file",
            SubtitleMode::Embedded => "As a track inside the video",
            SubtitleMode::None => "No subtitles",
        }
    }

    /// Whether the mode can carry `track` (only a subtitle with a file of its own can be
    /// saved as a separate file).
    pub fn can_carry(self, track: &SubtitleTrack) -> bool {
        self != SubtitleMode::Sidecar || track.external
    }
}

/// The version, audio track and subtitles of one download, as chosen in the dialog (or
/// by default), kept in the manifest and the sidecar. Unknown fields are passed over, not
/// refused: a sidecar written by a newer app must still be read, or its file would be
/// forgotten when the manifest is rebuilt.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackChoice {
    /// The version (`Media.id`); `None` for the first one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_id: Option<u64>,
    /// The audio track of a converted download; `None` for the server's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_stream_id: Option<u64>,
    /// The subtitle track of a converted download; `None` for the server's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle_stream_id: Option<u64>,
    /// What a converted download does with subtitles; `None` for the server's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitles: Option<SubtitleMode>,
}

/// The height in pixels a resolution label stands for (`4k` is 2160), to compare versions
/// with a screen.
pub fn label_height(label: &str) -> Option<u64> {
    match label.to_ascii_lowercase().as_str() {
        "4k" => Some(2160),
        "sd" => Some(480),
        other => other.trim_end_matches('p').parse().ok(),
    }
}

impl MediaVersion {
    /// The height the version is known by: its resolution label, or else its height.
    pub fn nominal_height(&self) -> Option<u64> {
        self.resolution
            .as_deref()
            .and_then(label_height)
            .or(self.height)
    }
}

/// The version closest to a screen whose shorter side is `screen_pixels` (a Pixel 7a has
/// 1080, a Galaxy Tab S7 1600): a phone gets 1080p over 4K. Of two equally close, the
/// larger. `None` screen or no heights known: the first version.
pub fn closest_version(
    versions: &[MediaVersion],
    screen_pixels: Option<u32>,
) -> Option<&MediaVersion> {
    versions.get(closest_by_height(
        versions,
        MediaVersion::nominal_height,
        screen_pixels,
    )?)
}

/// The position of the entry closest to the screen by `height` (see [`closest_version`]);
/// the core uses it on the server's own version list.
pub fn closest_by_height<T>(
    entries: &[T],
    height: impl Fn(&T) -> Option<u64>,
    screen_pixels: Option<u32>,
) -> Option<usize> {
    if entries.is_empty() {
        return None;
    }
    let Some(screen) = screen_pixels.map(u64::from) else {
        return Some(0);
    };
    entries
        .iter()
        .enumerate()
        .filter_map(|(position, entry)| Some((position, height(entry)?)))
        .min_by_key(|(position, height)| (height.abs_diff(screen), u64::MAX - height, *position))
        .map(|(position, _)| position)
        .or(Some(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(media_id: u64, resolution: &str) -> MediaVersion {
        MediaVersion {
            media_id,
            resolution: Some(resolution.to_string()),
            width: None,
            height: None,
            video_codec: None,
            audio_codec: None,
            bitrate_kbps: None,
            container: None,
            size: None,
            duration_ms: None,
            parts: 1,
            audio: Vec::new(),
            subtitles: Vec::new(),
        }
    }

    #[test]
    fn a_phone_and_a_tablet_get_1080p_over_4k() {
        let versions = [version(1, "4k"), version(2, "1080"), version(3, "480")];
        let pick = |screen| closest_version(&versions, screen).map(|v| v.media_id);
        assert_eq!(pick(Some(1080)), Some(2));
        assert_eq!(pick(Some(1600)), Some(2));
        assert_eq!(pick(Some(2160)), Some(1));
        assert_eq!(pick(Some(600)), Some(3));
        assert_eq!(pick(None), Some(1));
        assert_eq!(closest_version(&[], Some(1080)), None);
        // Equally close: the larger.
        let tie = [version(1, "720"), version(2, "1080")];
        assert_eq!(
            closest_version(&tie, Some(900)).map(|v| v.media_id),
            Some(2)
        );
    }

    #[test]
    fn resolution_labels_read_as_heights() {
        assert_eq!(label_height("4k"), Some(2160));
        assert_eq!(label_height("4K"), Some(2160));
        assert_eq!(label_height("1080"), Some(1080));
        assert_eq!(label_height("720p"), Some(720));
        assert_eq!(label_height("sd"), Some(480));
        assert_eq!(label_height("huge"), None);
    }

    #[test]
    fn subtitle_modes_are_the_transcoder_values() {
        for mode in SubtitleMode::ALL {
            assert_eq!(
                serde_json::to_value(mode).expect("json"),
                serde_json::Value::String(mode.name().to_string())
            );
            assert_eq!(SubtitleMode::from_name(mode.name()), Some(mode));
        }
        let newer: TrackChoice =
            serde_json::from_value(serde_json::json!({"mediaId": 1, "angle": 2})).expect("read");
        assert_eq!(newer.media_id, Some(1));
    }
}
