//! Quality presets and the universal transcoder: the decision call (with a client profile
//! extra that limits audio to 2 channels), the live transcode URL with the same parameters,
//! its session's progress and its stop. A live transcode cannot be resumed: `offset` starts
//! a new stream with its own header (realServerFindings.md section 3), so a download that
//! broke off starts it again from zero.

use plexdl_protocol::{SubtitleMode, TrackChoice};
use reqwest::{Method, Url};
use serde::{Deserialize, Serialize};

use super::error::PlexError;
use super::models::{DecisionCodes, Metadata};
use super::servers::{PlexServer, segment};

/// A download quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QualityPreset {
    /// The original file, unchanged.
    Original,
    /// 1080p at 8 Mbps.
    Hd1080,
    /// 720p at 4 Mbps.
    Hd720,
    /// 480p at 1.5 Mbps.
    Sd480,
}

/// Audio bitrate assumed when estimating a converted file's size (kbps).
pub const ESTIMATE_AUDIO_KBPS: u64 = 192;

/// The video bitrate assumed for a stream copy when the item states none (kbps).
pub const COPY_FALLBACK_KBPS: u64 = 2_000;

impl QualityPreset {
    /// Every preset, best first.
    pub const ALL: [QualityPreset; 4] = [
        QualityPreset::Original,
        QualityPreset::Hd1080,
        QualityPreset::Hd720,
        QualityPreset::Sd480,
    ];

    /// Reads a preset name as the command line and the UI write it.
    pub fn from_name(name: &str) -> Option<QualityPreset> {
        match name.trim().to_ascii_lowercase().as_str() {
            "original" => Some(QualityPreset::Original),
            "1080p" | "1080" => Some(QualityPreset::Hd1080),
            "720p" | "720" => Some(QualityPreset::Hd720),
            "480p" | "480" => Some(QualityPreset::Sd480),
            _ => None,
        }
    }

    /// The preset's name.
    pub fn name(self) -> &'static str {
        match self {
            QualityPreset::Original => "original",
            QualityPreset::Hd1080 => "1080p",
            QualityPreset::Hd720 => "720p",
            QualityPreset::Sd480 => "480p",
        }
    }

    /// The video bitrate in kbps (`None` for Original).
    pub fn video_kbps(self) -> Option<u64> {
        match self {
            QualityPreset::Original => None,
            QualityPreset::Hd1080 => Some(8_000),
            QualityPreset::Hd720 => Some(4_000),
            QualityPreset::Sd480 => Some(1_500),
        }
    }

    /// The largest picture size, `WxH`.
    pub fn resolution(self) -> Option<&'static str> {
        match self {
            QualityPreset::Original => None,
            QualityPreset::Hd1080 => Some("1920x1080"),
            QualityPreset::Hd720 => Some("1280x720"),
            QualityPreset::Sd480 => Some("854x480"),
        }
    }

    /// The expected size of a download: the original size, or the bitrate times the
    /// duration (never more than the original, which the server would send instead).
    pub fn estimated_size(
        self,
        duration_ms: Option<u64>,
        original_size: Option<u64>,
    ) -> Option<u64> {
        match self.video_kbps() {
            None => original_size,
            Some(kbps) => {
                let estimate = duration_ms? * (kbps + ESTIMATE_AUDIO_KBPS) / 8;
                Some(original_size.map_or(estimate, |original| estimate.min(original)))
            }
        }
    }

    /// The transcoder parameters of the preset (shared by the decision, the queue and the
    /// live transcode).
    pub fn parameters(self) -> Vec<(&'static str, String)> {
        let mut args = vec![
            ("directPlay", "0".to_string()),
            ("directStream", "1".to_string()),
            ("directStreamAudio", "1".to_string()),
            ("protocol", "http".to_string()),
            ("context", "static".to_string()),
            ("location", "lan".to_string()),
            ("subtitles", "auto".to_string()),
            ("audioChannelCount", "2".to_string()),
        ];
        if let (Some(kbps), Some(resolution)) = (self.video_kbps(), self.resolution()) {
            args.push(("videoBitrate", kbps.to_string()));
            args.push(("maxVideoBitrate", kbps.to_string()));
            args.push(("videoResolution", resolution.to_string()));
            args.push(("videoQuality", "100".to_string()));
        }
        args
    }
}

/// The version and tracks a transcoder request is for (`mediaIndex`, `subtitles`,
/// `audioStreamID`, `subtitleStreamID`).
///
/// `mediaIndex` and `subtitles` are documented transcoder parameters (REFERENCE.md 5.2, and
/// for the queue's `/add`, 4.3). `audioStreamID` and `subtitleStreamID` are not in the
/// documentation: public clients send them on the transcoder's URL, and one reports that
/// servers honour them inconsistently; the proven way is the part's stream selection
/// (`PUT /library/parts/{id}?audioStreamID=&subtitleStreamID=&allParts=1`, python-plexapi
/// and the clients found with search). So they are sent, and the live route checks the
/// decision's selected audio stream and falls back to the part selection when the server
/// passed the parameter over (engine/stepper.rs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackRequest {
    /// The position of the version among the item's versions.
    pub media_index: usize,
    pub audio_stream_id: Option<u64>,
    pub subtitle_stream_id: Option<u64>,
    pub subtitles: Option<SubtitleMode>,
}

impl TrackRequest {
    /// The request for a download's choice on `item` (the first version when the chosen
    /// one is gone).
    pub fn for_choice(item: &super::Metadata, choice: &TrackChoice) -> TrackRequest {
        TrackRequest {
            media_index: item.version_index(choice.media_id).unwrap_or(0),
            audio_stream_id: choice.audio_stream_id,
            subtitle_stream_id: choice.subtitle_stream_id,
            subtitles: choice.subtitles,
        }
    }

    /// Sets these parameters in `args`, replacing the preset's `subtitles=auto`.
    pub fn apply(&self, args: &mut Vec<(&'static str, String)>) {
        let mut set =
            |name: &'static str, value: String| match args.iter_mut().find(|(key, _)| *key == name)
            {
                Some(existing) => existing.1 = value,
                None => args.push((name, value)),
            };
        set("mediaIndex", self.media_index.to_string());
        if let Some(mode) = self.subtitles {
            set("subtitles", mode.name().to_string());
        }
        if let Some(id) = self.audio_stream_id {
            set("audioStreamID", id.to_string());
        }
        if let Some(id) = self.subtitle_stream_id {
            set("subtitleStreamID", id.to_string());
        }
    }
}

/// The profile augmentation sent with transcoder requests: a static (download) MKV target
/// with H.264 and AAC, and at most 2 audio channels (multichannel audio conversions are the
/// ones most often reported to fail).
pub fn client_profile_extra() -> String {
    [
        "add-transcode-target(type=videoProfile&context=static&protocol=http&container=mkv&videoCodec=h264&audioCodec=aac&subtitleCodec=srt&replace=true)",
        "add-limitation(scope=videoAudioCodec&scopeName=*&type=upperBound&name=audio.channels&value=2)",
    ]
    .join("+")
}

/// A transcoder decision.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscodeDecision {
    pub codes: DecisionCodes,
    /// The item as the server would send it (selected media, part decisions).
    pub metadata: Option<Metadata>,
}

impl TranscodeDecision {
    /// Whether the server would send the original file as it is.
    pub fn is_direct_play(&self) -> bool {
        self.codes.general_decision_code == Some(1000)
    }

    /// The audio stream the server would use: the audio stream marked `selected` in the
    /// decision's part (recorded decisions mark it so: fixtures/plex transcode decisions);
    /// `None` when the decision does not say.
    pub fn selected_audio(&self) -> Option<u64> {
        self.metadata
            .as_ref()?
            .media
            .iter()
            .flat_map(|media| media.parts.iter())
            .flat_map(|part| part.streams.iter())
            .find(|stream| stream.stream_type == Some(2) && stream.selected == Some(true))?
            .id
    }
}

/// The server's reason for a decision in plain words: the general decision's text, and the
/// transcoder's (or else the direct play) text with its code where it says something else,
/// as in "Neither direct play nor conversion is available. No conversion profile found for
/// protocol http (transcoder code 4005)" (the shape real servers send; realServerFindings.md
/// section 2).
pub fn decision_text(codes: &DecisionCodes) -> String {
    let clean = |text: &Option<String>| {
        text.as_deref()
            .map(|text| text.trim().trim_end_matches('.').to_string())
            .filter(|text| !text.is_empty())
    };
    let general = clean(&codes.general_decision_text);
    let detail = match (
        clean(&codes.transcode_decision_text),
        clean(&codes.direct_play_decision_text),
    ) {
        (Some(text), _) => Some(("transcoder", text, codes.transcode_decision_code)),
        (None, Some(text)) => Some(("direct play", text, codes.direct_play_decision_code)),
        (None, None) => None,
    }
    .filter(|(_, text, _)| Some(text) != general.as_ref());
    let detail = detail.map(|(what, text, code)| match code {
        Some(code) => format!("{text} ({what} code {code})"),
        None => text,
    });
    match (general, detail) {
        (Some(general), Some(detail)) => format!("{general}. {detail}"),
        (Some(text), None) | (None, Some(text)) => text,
        (None, None) => "no reason given".to_string(),
    }
}

/// Turns a refused decision into the matching error: code 2011 is "Downloads not allowed";
/// any other code from 2000 up is a refusal with the server's text.
pub fn check_decision(codes: &DecisionCodes) -> Result<(), PlexError> {
    let code = codes
        .general_decision_code
        .or(codes.transcode_decision_code)
        .unwrap_or(1000);
    let text = decision_text(codes);
    match code {
        2011 => Err(PlexError::DownloadsNotAllowed {
            path: "/video/:/transcode/universal/decision".to_string(),
            detail: text,
        }),
        code if code >= 2000 => Err(PlexError::TranscodeRefused { code, text }),
        _ => Ok(()),
    }
}

impl PlexServer {
    /// Asks the server how it would deliver an item at a quality. `copy_source_kbps` asks
    /// for a direct stream (video and audio copied into a new container, no conversion, at
    /// the source's bitrate), used when the original container does not play on the device.
    /// The live route calls this first with the same parameters as its start, as Plex's own
    /// clients do (realServerFindings.md section 3), so a refusal is told before any byte.
    pub async fn transcode_decision(
        &self,
        rating_key: &str,
        preset: QualityPreset,
        copy_source_kbps: Option<u64>,
        session: &str,
        tracks: &TrackRequest,
    ) -> Result<TranscodeDecision, PlexError> {
        let key = segment(rating_key)?;
        let args = transcode_arguments(key, preset, copy_source_kbps, session, tracks);
        let container = self
            .call_json::<super::models::Envelope>(
                Method::GET,
                "/video/:/transcode/universal/decision",
                args,
                Vec::new(),
            )
            .await?
            .container;
        check_decision(&container.decision)?;
        tracing::debug!(rating_key = key, code = ?container.decision.general_decision_code, "transcode decision");
        Ok(TranscodeDecision {
            codes: container.decision,
            metadata: container.metadata.into_iter().next(),
        })
    }

    /// The live transcode URL (without the token; use [`PlexServer::media_request`]), from
    /// the start of the item. With `copy_source_kbps` the video and audio are copied into a
    /// new container (for an original the device cannot play); otherwise the preset's
    /// conversion is asked for. `container` is `mkv` or `mp4`. No offset is ever sent: an
    /// offset stream cannot be appended to a partial file (realServerFindings.md section 3).
    pub async fn live_transcode_url(
        &self,
        rating_key: &str,
        preset: QualityPreset,
        copy_source_kbps: Option<u64>,
        session: &str,
        container: &str,
        tracks: &TrackRequest,
    ) -> Result<Url, PlexError> {
        let container = if matches!(container, "mkv" | "mp4") {
            container
        } else {
            "mkv"
        };
        let key = segment(rating_key)?;
        let args = transcode_arguments(key, preset, copy_source_kbps, session, tracks);
        self.url(
            &format!("/video/:/transcode/universal/start.{container}"),
            args,
        )
        .await
    }

    /// The live transcode `session` while the server runs it, `None` once it is gone
    /// (`/transcode/sessions/{session}` answers 404; REFERENCE.md section 5.5).
    pub async fn transcode_session(
        &self,
        session: &str,
    ) -> Result<Option<super::models::TranscodeSession>, PlexError> {
        let key = segment(session)?;
        match self
            .container(&format!("/transcode/sessions/{key}"), Vec::new())
            .await
        {
            Ok(container) => Ok(container.transcode_sessions.into_iter().next()),
            Err(PlexError::NotFound { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Asks the server to end the live transcode `session` (REFERENCE.md section 5.4: it may
    /// answer 404 and still stop it, so a 404 counts as stopped).
    pub async fn stop_transcode(&self, session: &str) -> Result<(), PlexError> {
        let result = self
            .call_empty(
                Method::GET,
                "/video/:/transcode/universal/stop",
                vec![("session", session.to_string())],
            )
            .await;
        match result {
            Ok(()) | Err(PlexError::NotFound { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Sets the audio and subtitle streams the server uses for a part and every other part
    /// of its item (`PUT /library/parts/{id}?audioStreamID=&subtitleStreamID=&allParts=1`,
    /// the stream selection python-plexapi and other public clients use; the transcoder then
    /// converts with the selected streams). The selection is the account's on the server:
    /// it is also what this account's other players start with for the item.
    pub async fn select_streams(
        &self,
        part_id: u64,
        audio_stream_id: Option<u64>,
        subtitle_stream_id: Option<u64>,
    ) -> Result<(), PlexError> {
        let mut args = vec![("allParts", "1".to_string())];
        if let Some(id) = audio_stream_id {
            args.push(("audioStreamID", id.to_string()));
        }
        if let Some(id) = subtitle_stream_id {
            args.push(("subtitleStreamID", id.to_string()));
        }
        tracing::info!(
            part_id,
            ?audio_stream_id,
            ?subtitle_stream_id,
            "selecting the streams of a part"
        );
        self.call_empty(Method::PUT, &format!("/library/parts/{part_id}"), args)
            .await
    }
}

/// The session id of a download's live transcode: unique per install (the client
/// identifier) and per download, so two devices or two downloads never share a transcode
/// (realServerFindings.md section 3).
pub fn live_session_id(client_id: &str, download_id: i64) -> String {
    format!("{client_id}-dl{download_id}")
}

/// The parameters of a decision and of the live start, the same for both.
fn transcode_arguments(
    rating_key: &str,
    preset: QualityPreset,
    copy_source_kbps: Option<u64>,
    session: &str,
    tracks: &TrackRequest,
) -> Vec<(&'static str, String)> {
    let mut args = vec![
        ("path", format!("/library/metadata/{rating_key}")),
        ("mediaIndex", "0".to_string()),
        ("partIndex", "-1".to_string()),
        ("offlineTranscode", "1".to_string()),
        ("session", session.to_string()),
        ("transcodeSessionId", session.to_string()),
    ];
    match copy_source_kbps {
        Some(kbps) => {
            args.extend(QualityPreset::Original.parameters());
            // The source's own bitrate: nothing to reduce, so the server copies the streams.
            args.push(("videoBitrate", kbps.to_string()));
        }
        None => args.extend(preset.parameters()),
    }
    tracks.apply(&mut args);
    args.push(("X-Plex-Client-Profile-Extra", client_profile_extra()));
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_have_the_documented_bitrates() {
        let rates: Vec<_> = QualityPreset::ALL
            .iter()
            .map(|preset| preset.video_kbps())
            .collect();
        assert_eq!(rates, [None, Some(8_000), Some(4_000), Some(1_500)]);
        for preset in QualityPreset::ALL {
            assert_eq!(QualityPreset::from_name(preset.name()), Some(preset));
        }
        assert_eq!(QualityPreset::from_name("4k"), None);
    }

    #[test]
    fn estimates_follow_bitrate_and_never_exceed_the_original() {
        assert_eq!(
            QualityPreset::Hd720.estimated_size(Some(60_000), None),
            Some(60_000 * 4_192 / 8)
        );
        assert_eq!(
            QualityPreset::Hd1080.estimated_size(Some(60_000), Some(1_000)),
            Some(1_000)
        );
        assert_eq!(
            QualityPreset::Original.estimated_size(None, Some(5)),
            Some(5)
        );
    }

    #[test]
    fn profile_extra_limits_audio_to_two_channels() {
        let extra = client_profile_extra();
        assert!(extra.contains("add-limitation(scope=videoAudioCodec&scopeName=*&type=upperBound&name=audio.channels&value=2)"));
        assert_eq!(extra.matches('+').count(), 1);
    }

    #[test]
    fn decision_texts_name_the_transcoder_code_when_it_adds_something() {
        let refused = DecisionCodes {
            general_decision_code: Some(2000),
            general_decision_text: Some("Neither direct play nor conversion is available.".into()),
            transcode_decision_code: Some(4005),
            transcode_decision_text: Some("No conversion profile found for protocol http".into()),
            ..DecisionCodes::default()
        };
        assert_eq!(
            decision_text(&refused),
            "Neither direct play nor conversion is available. No conversion profile found for protocol http (transcoder code 4005)"
        );
        let same = DecisionCodes {
            general_decision_code: Some(2011),
            general_decision_text: Some("Downloads not allowed".into()),
            transcode_decision_code: Some(2011),
            transcode_decision_text: Some("Downloads not allowed".into()),
            ..DecisionCodes::default()
        };
        assert_eq!(decision_text(&same), "Downloads not allowed");
        assert_eq!(decision_text(&DecisionCodes::default()), "no reason given");
    }

    #[test]
    fn live_sessions_are_unique_per_install_and_download() {
        let ids = [
            live_session_id("3f2a-install-one", 7),
            live_session_id("3f2a-install-one", 8),
            live_session_id("9c1b-install-two", 7),
        ];
        assert_eq!(ids[0], "3f2a-install-one-dl7");
        assert!(ids[0] != ids[1] && ids[0] != ids[2] && ids[1] != ids[2]);
        // A session id is one path segment (`/transcode/sessions/{session}`).
        assert!(ids.iter().all(|id| super::segment(id).is_ok()));
    }

    #[test]
    fn a_chosen_version_and_tracks_become_transcoder_parameters() {
        let item: Metadata = serde_json::from_value(serde_json::json!({
            "ratingKey": "121", "Media": [{"id": 121}, {"id": 122}]
        }))
        .expect("item");
        let choice = TrackChoice {
            media_id: Some(122),
            audio_stream_id: Some(122003),
            subtitle_stream_id: Some(122004),
            subtitles: Some(SubtitleMode::Burn),
        };
        let tracks = TrackRequest::for_choice(&item, &choice);
        let args = transcode_arguments("121", QualityPreset::Hd720, None, "s", &tracks);
        let value = |name: &str| {
            let found: Vec<_> = args.iter().filter(|(key, _)| *key == name).collect();
            assert!(found.len() <= 1, "{name} is sent once");
            found.first().map(|(_, value)| value.clone())
        };
        assert_eq!(value("mediaIndex").as_deref(), Some("1"));
        assert_eq!(value("subtitles").as_deref(), Some("burn"));
        assert_eq!(value("audioStreamID").as_deref(), Some("122003"));
        assert_eq!(value("subtitleStreamID").as_deref(), Some("122004"));
        // Nothing chosen: the first version and the server's own subtitle choice.
        let plain = transcode_arguments(
            "121",
            QualityPreset::Hd720,
            None,
            "s",
            &TrackRequest::default(),
        );
        assert!(plain.contains(&("mediaIndex", "0".to_string())));
        assert!(plain.contains(&("subtitles", "auto".to_string())));
        assert!(!plain.iter().any(|(key, _)| *key == "audioStreamID"));
        // A version that is gone from the server falls back to the first.
        let gone = TrackChoice {
            media_id: Some(999),
            ..TrackChoice::default()
        };
        assert_eq!(TrackRequest::for_choice(&item, &gone).media_index, 0);
    }

    #[test]
    fn the_decision_tells_the_audio_it_would_use() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/plex/server/transcode/decision/159637.json"
        ))
        .expect("recorded decision");
        let container = serde_json::from_str::<super::super::models::Envelope>(&text)
            .expect("parses")
            .container;
        let decision = TranscodeDecision {
            codes: container.decision,
            metadata: container.metadata.into_iter().next(),
        };
        assert_eq!(decision.selected_audio(), Some(566_076));
        let silent = TranscodeDecision {
            codes: DecisionCodes::default(),
            metadata: None,
        };
        assert_eq!(silent.selected_audio(), None);
    }

    #[test]
    fn refused_decisions_become_errors() {
        let refused = DecisionCodes {
            general_decision_code: Some(2011),
            general_decision_text: Some("Downloads not allowed".into()),
            ..DecisionCodes::default()
        };
        assert!(matches!(
            check_decision(&refused),
            Err(PlexError::DownloadsNotAllowed { .. })
        ));
        let other = DecisionCodes {
            general_decision_code: Some(4005),
            general_decision_text: Some("Transcoder failed".into()),
            ..DecisionCodes::default()
        };
        assert!(matches!(
            check_decision(&other),
            Err(PlexError::TranscodeRefused { code: 4005, .. })
        ));
        let fine = DecisionCodes {
            general_decision_code: Some(1001),
            ..DecisionCodes::default()
        };
        assert!(check_decision(&fine).is_ok());
    }
}
