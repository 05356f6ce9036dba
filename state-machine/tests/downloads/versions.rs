//! Versions and tracks against the replay server's Harbour Lights (a 4K and a 1080p
//! version, each with an English and a French audio track): the version a download gets
//! is the one asked for, or the one closest to the screen; it is kept in the manifest and
//! the sidecar; and a conversion with a chosen audio track gets that track whichever way
//! the server takes the choice (the scenario's `audioChoice`), or fails and says so.

use plexdl_core::engine::VersionChoice;
use plexdl_core::engine::sidecar;
use plexdl_core::plex::QualityPreset;
use plexdl_protocol::{DownloadStatus, FailureKind, SubtitleMode, TrackChoice};
use plexdl_replay::{AudioChoice, Scenario};

use crate::support::{Rig, SERVER, finished_file, rig, run_to_end};

const ITEM: &str = "121";
const UHD: u64 = 121;
const FULL_HD: u64 = 122;
const FRENCH_1080: u64 = 122_003;
const SELECT: &str = "PUT /library/parts/{id}";

async fn enqueue(rig: &Rig, quality: QualityPreset, choice: VersionChoice) -> i64 {
    rig.core
        .enqueue_with(SERVER, &[ITEM], quality, &choice)
        .await
        .expect("enqueued")[0]
}

fn screen(pixels: u32) -> VersionChoice {
    VersionChoice {
        screen_pixels: Some(pixels),
        ..VersionChoice::default()
    }
}

#[tokio::test]
async fn a_phone_gets_the_1080p_file_and_the_sidecar_knows_it() {
    let rig = rig(Scenario::default());
    let id = enqueue(&rig, QualityPreset::Original, screen(1080)).await;
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, DownloadStatus::Completed, "{row:?}");
    assert_eq!(row.tracks.media_id, Some(FULL_HD));
    let counters = rig.server.counters();
    assert!(
        counters.part_bytes(FULL_HD) > 0,
        "the 1080p file was fetched"
    );
    assert_eq!(counters.part_bytes(UHD), 0, "the 4K file was not");
    let file = finished_file(&rig, &row);
    assert_eq!(
        std::fs::metadata(&file).expect("file").len(),
        rig.server.part(FULL_HD).expect("part").size
    );
    assert!(
        file.to_string_lossy().ends_with(".mp4"),
        "{}",
        file.display()
    );
    let name = row.local_file_path.clone().expect("name");
    let car = sidecar::read(&sidecar::path_for(&rig.core.settings().download_dir, &name))
        .expect("sidecar");
    assert_eq!(car.tracks.media_id, Some(FULL_HD));
    // The external English subtitle of that version is saved beside it.
    assert_eq!(car.subtitles.len(), 1, "{car:?}");
    assert!(
        car.subtitles[0].ends_with(".eng.1.srt"),
        "{:?}",
        car.subtitles
    );
}

#[tokio::test]
async fn a_chosen_version_wins_over_the_screen_and_is_its_own_download() {
    let rig = rig(Scenario::default());
    let uhd = VersionChoice {
        tracks: TrackChoice {
            media_id: Some(UHD),
            ..TrackChoice::default()
        },
        screen_pixels: Some(1080),
    };
    let first = enqueue(&rig, QualityPreset::Original, uhd.clone()).await;
    let row = run_to_end(&rig.core, first).await;
    assert_eq!(row.download_status, DownloadStatus::Completed, "{row:?}");
    assert_eq!(row.tracks.media_id, Some(UHD));
    assert!(rig.server.counters().part_bytes(UHD) > 0);
    // Asking again for the same version is the same download; the other version is not.
    assert_eq!(enqueue(&rig, QualityPreset::Original, uhd).await, first);
    let other = enqueue(&rig, QualityPreset::Original, screen(1080)).await;
    assert_ne!(other, first);
}

/// A 720p conversion of the 1080p version with its French audio, on a server without a
/// queue (the live route, which asks the decision first).
async fn french_720p(audio_choice: AudioChoice) -> (Rig, i64) {
    let rig = rig(Scenario {
        queue_api: false,
        live_idle_gap: None,
        audio_choice,
        ..Scenario::default()
    });
    let choice = VersionChoice {
        tracks: TrackChoice {
            media_id: Some(FULL_HD),
            audio_stream_id: Some(FRENCH_1080),
            subtitle_stream_id: None,
            subtitles: Some(SubtitleMode::None),
        },
        screen_pixels: Some(1080),
    };
    let id = enqueue(&rig, QualityPreset::Hd720, choice).await;
    (rig, id)
}

#[tokio::test]
async fn a_server_that_passes_the_parameter_over_gets_the_part_selection() {
    let (rig, id) = french_720p(AudioChoice::PartSelection).await;
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, DownloadStatus::Completed, "{row:?}");
    assert_eq!(row.tracks.audio_stream_id, Some(FRENCH_1080));
    assert_eq!(rig.server.counters().requests_to(SELECT), 1);
}

#[tokio::test]
async fn a_server_that_takes_the_parameter_is_not_asked_twice() {
    let (rig, id) = french_720p(AudioChoice::Parameter).await;
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, DownloadStatus::Completed, "{row:?}");
    assert_eq!(rig.server.counters().requests_to(SELECT), 0);
}

#[tokio::test]
async fn a_server_that_keeps_its_default_track_fails_the_download_and_says_so() {
    let (rig, id) = french_720p(AudioChoice::DefaultOnly).await;
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, DownloadStatus::Failed, "{row:?}");
    assert_eq!(row.error_kind, Some(FailureKind::TranscodeRefused));
    assert!(
        row.error_message
            .as_deref()
            .is_some_and(|message| message.contains("audio track")),
        "{row:?}"
    );
    let counters = rig.server.counters();
    assert_eq!(counters.requests_to(SELECT), 1, "the selection was tried");
    assert_eq!(
        counters.requests_to("GET /video/:/transcode/universal/start.mkv"),
        0,
        "no conversion was started"
    );
}
