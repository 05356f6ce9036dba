//! Originals the device cannot play (copied through the live transcoder), the busy server
//! policy, free space, transfer slots, subtitles and posters.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use plexdl_core::engine::{BusyPolicy, StepResult};
use plexdl_core::plex::QualityPreset;
use plexdl_replay::{Fault, FaultRule, Scenario, transcoded_content};

use crate::support::{SERVER, finished_file, rig, rig_with, run_to_end, sha256_file, spawn_step};

#[tokio::test]
async fn an_original_the_device_cannot_play_is_copied_into_a_playable_container() {
    let rig = rig_with(Scenario::default(), |settings| {
        settings.playable_containers = vec!["mp4".to_string()]
    });
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    // Big Buck Bunny is an MKV at 21178 kbps: copied, not converted, through the transcoder.
    let expected = transcoded_content("live:55:21178:", 5_062, 21_178);
    assert_eq!(
        sha256_file(&finished_file(&rig, &row)),
        expected.sha256_hex()
    );
    assert_eq!(
        rig.server.counters().part_bytes(46),
        0,
        "the MKV itself was not fetched"
    );
    assert_eq!(
        row.local_file_path.as_deref(),
        Some("Big Buck Bunny (2008).mp4"),
        "saved in a container the device plays"
    );
}

#[tokio::test]
async fn a_busy_server_warns_and_a_retry_starts_anyway() {
    let rig = rig(Scenario {
        busy: true,
        ..Scenario::default()
    });
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Hd720)
        .await
        .expect("enqueued")[0];
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "failed");
    assert_eq!(row.error_kind.map(|kind| kind.name()), Some("serverBusy"));
    assert!(
        row.error_message
            .as_deref()
            .is_some_and(|m| m.contains("Retry")),
        "{row:?}"
    );
    rig.core.retry(id).expect("retried");
    assert_eq!(run_to_end(&rig.core, id).await.download_status, "completed");

    let waiting = rig_with(
        Scenario {
            busy: true,
            ..Scenario::default()
        },
        |s| s.busy_policy = BusyPolicy::Wait,
    );
    let id = waiting
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Hd720)
        .await
        .expect("enqueued")[0];
    let step = waiting
        .core
        .run_step(id, Arc::new(AtomicBool::new(false)))
        .await
        .expect("step");
    assert!(
        matches!(step, StepResult::WakeAfter { millis } if millis > 0),
        "{step:?}"
    );
    assert_eq!(
        waiting
            .core
            .get(id)
            .expect("row")
            .error_kind
            .map(|kind| kind.name()),
        Some("serverBusy")
    );

    let ignoring = rig_with(
        Scenario {
            busy: true,
            ..Scenario::default()
        },
        |s| s.busy_policy = BusyPolicy::Ignore,
    );
    let id = ignoring
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Hd720)
        .await
        .expect("enqueued")[0];
    assert_eq!(
        run_to_end(&ignoring.core, id).await.download_status,
        "completed"
    );
}

#[tokio::test]
async fn not_enough_space_stops_before_any_byte() {
    let rig = rig_with(Scenario::default(), |settings| {
        settings.free_space_margin = u64::MAX / 4
    });
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    let step = rig
        .core
        .run_step(id, Arc::new(AtomicBool::new(false)))
        .await
        .expect("step");
    assert!(matches!(step, StepResult::WakeAfter { .. }), "{step:?}");
    let row = rig.core.get(id).expect("row");
    assert_eq!(row.download_status, "backoff");
    assert_eq!(row.error_kind.map(|kind| kind.name()), Some("diskFull"));
    assert_eq!(
        rig.server.counters().part_bytes(46),
        0,
        "no byte was fetched"
    );
}

#[tokio::test]
async fn one_transfer_per_server_at_a_time() {
    let slow = FaultRule::new(
        "/library/parts/",
        Fault::Throttle {
            bytes_per_second: 3_000_000,
        },
    );
    let rig = rig(Scenario {
        faults: vec![slow],
        ..Scenario::default()
    });
    let ids = rig
        .core
        .enqueue(SERVER, &["55", "56"], QualityPreset::Original)
        .await
        .expect("enqueued");
    let core = Arc::new(rig.core);
    let first = spawn_step(&core, ids[0]);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let second = core
        .run_step(ids[1], Arc::new(AtomicBool::new(false)))
        .await
        .expect("step");
    assert_eq!(
        second,
        StepResult::WakeAfter { millis: 1_000 },
        "the second transfer waits for a slot"
    );
    assert_eq!(rig.server.counters().part_bytes(47), 0);
    core.pause(ids[0]).expect("paused");
    first.await.expect("task").expect("step");
    let done = run_to_end(&core, ids[1]).await;
    assert_eq!(done.download_status, "completed");
}

#[tokio::test]
async fn subtitles_and_poster_are_saved_beside_the_video_and_deleted_with_it() {
    let rig = rig(Scenario::default());
    let id = rig
        .core
        .enqueue(SERVER, &["1036"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "completed");
    let folder = rig.dir.path().join("downloads");
    let name = row.local_file_path.clone().expect("name");
    let stem = name
        .rsplit_once('.')
        .map(|(stem, _)| stem.to_string())
        .expect("extension");
    let subtitle = folder.join(format!("{stem}.und.1.srt"));
    assert!(
        std::fs::read_to_string(&subtitle)
            .expect("subtitle saved")
            .contains(" --> ")
    );
    let poster = folder.join(format!("{stem}.poster"));
    assert_eq!(&std::fs::read(&poster).expect("poster saved")[1..4], b"PNG");
    let sidecar = folder.join(format!("{name}.plexdl.json"));
    let car: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sidecar).expect("sidecar")).expect("JSON");
    assert_eq!(car["mediaRatingKey"], "1036");
    assert_eq!(car["subtitles"][0], format!("{stem}.und.1.srt"));
    rig.core.delete(id).expect("deleted");
    for path in [folder.join(&name), subtitle, poster, sidecar] {
        assert!(!path.exists(), "{} removed", path.display());
    }
}
