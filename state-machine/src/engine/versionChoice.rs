//! Which version of an item a new download gets, with which tracks. The download dialog
//! names a version (and, for a conversion, the audio track and the subtitles) for the one
//! item it shows; every other item (a season's episodes, a rule's next episodes, a command
//! line download) gets the version closest to the device's screen, or the first when the
//! screen is not known. The result is stored with the download, so every later step (the
//! file it fetches, the transcoder's `mediaIndex`, the subtitles saved beside it) and the
//! sidecar follow the same version.

use plexdl_protocol::TrackChoice;

use crate::plex::{Metadata, QualityPreset};

/// What the user chose beyond the quality.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionChoice {
    /// The version and tracks asked for; they apply to an item that has that version.
    pub tracks: TrackChoice,
    /// The shorter side of the device's screen in pixels.
    pub screen_pixels: Option<u32>,
}

impl VersionChoice {
    /// The choice stored for `item` downloaded at `quality`: always with the version
    /// resolved (so two requests for the same file are one download), and with tracks
    /// only when the version is the one they were chosen from and the file is converted
    /// (an original keeps every track).
    pub fn for_item(&self, item: &Metadata, quality: QualityPreset) -> TrackChoice {
        let chosen = self
            .tracks
            .media_id
            .filter(|id| item.version_index(Some(*id)).is_some());
        let media_id = chosen.or_else(|| item.default_media_id(self.screen_pixels));
        let tracks_apply = chosen.is_some() && quality != QualityPreset::Original;
        TrackChoice {
            media_id,
            audio_stream_id: self.tracks.audio_stream_id.filter(|_| tracks_apply),
            subtitle_stream_id: self.tracks.subtitle_stream_id.filter(|_| tracks_apply),
            subtitles: self.tracks.subtitles.filter(|_| tracks_apply),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plexdl_protocol::SubtitleMode;

    fn item(key: &str) -> Metadata {
        serde_json::from_value(serde_json::json!({
            "ratingKey": key,
            "Media": [
                {"id": 121, "videoResolution": "4k", "Part": [{"id": 121}]},
                {"id": 122, "videoResolution": "1080", "Part": [{"id": 122}]}
            ]
        }))
        .expect("item")
    }

    #[test]
    fn the_chosen_version_and_tracks_go_to_the_item_that_has_them() {
        let choice = VersionChoice {
            tracks: TrackChoice {
                media_id: Some(121),
                audio_stream_id: Some(5),
                subtitle_stream_id: Some(6),
                subtitles: Some(SubtitleMode::Burn),
            },
            screen_pixels: Some(1080),
        };
        let converted = choice.for_item(&item("121"), QualityPreset::Hd720);
        assert_eq!(converted, choice.tracks);
        // An original keeps every track: only the version is kept.
        let original = choice.for_item(&item("121"), QualityPreset::Original);
        assert_eq!(
            original,
            TrackChoice {
                media_id: Some(121),
                ..TrackChoice::default()
            }
        );
        // An item without that version gets the one closest to the screen, and no tracks.
        let other: Metadata = serde_json::from_value(serde_json::json!({
            "ratingKey": "9", "Media": [{"id": 1, "videoResolution": "4k"}, {"id": 2, "videoResolution": "720"}]
        }))
        .expect("item");
        assert_eq!(
            choice.for_item(&other, QualityPreset::Hd720),
            TrackChoice {
                media_id: Some(2),
                ..TrackChoice::default()
            }
        );
    }

    #[test]
    fn without_a_choice_a_phone_gets_1080p_and_an_unknown_screen_the_first() {
        let phone = VersionChoice {
            screen_pixels: Some(1080),
            ..VersionChoice::default()
        };
        assert_eq!(
            phone
                .for_item(&item("121"), QualityPreset::Original)
                .media_id,
            Some(122)
        );
        assert_eq!(
            VersionChoice::default()
                .for_item(&item("121"), QualityPreset::Original)
                .media_id,
            Some(121)
        );
        let nothing: Metadata =
            serde_json::from_value(serde_json::json!({"ratingKey": "1"})).expect("item");
        assert_eq!(
            VersionChoice::default().for_item(&nothing, QualityPreset::Original),
            TrackChoice::default()
        );
    }
}
