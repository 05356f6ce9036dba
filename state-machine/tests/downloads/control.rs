//! Pause, resume, cancel, delete, faults that a resume must survive, and hostile names.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use plexdl_core::engine::{DownloadCore, StepResult};
use plexdl_core::plex::QualityPreset;
use plexdl_protocol::DownloadStatus;
use plexdl_replay::{Fault, FaultRule, ReplayServer, Scenario};

use crate::support::{SERVER, finished_file, rig, rig_with, run_to_end, sha256_file, spawn_step};

const PART_46: &str = "/library/parts/46/";

/// A rig whose server sends Big Buck Bunny's file at `bytes_per_second`.
fn throttled_rig(bytes_per_second: u64) -> crate::support::Rig {
    rig(Scenario {
        faults: vec![FaultRule::new(
            PART_46,
            Fault::Throttle { bytes_per_second },
        )],
        ..Scenario::default()
    })
}

#[tokio::test]
async fn pause_mid_transfer_then_resume_fetches_little_again() {
    pause_then_resume().await;
}

/// The same on a multi-threaded runtime, as the hosts run it: there the transfer runs on a
/// runtime of its own, and a pause must still reach it and save its progress.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_mid_transfer_then_resume_fetches_little_again_on_a_shared_runtime() {
    pause_then_resume().await;
}

/// A pause reaches a transfer whose server has stopped sending at once, not after the stall
/// timeout; every byte that arrived is kept, and the resumed download is byte-identical.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_reaches_a_stalled_transfer_at_once() {
    const SENT: u64 = 2_000_000;
    let stall = FaultRule::new(
        PART_46,
        Fault::Stall {
            after_bytes: SENT,
            millis: 120_000,
        },
    )
    .times(1);
    let rig = rig_with(
        Scenario {
            faults: vec![stall],
            ..Scenario::default()
        },
        |settings| settings.stall_timeout = Duration::from_secs(60),
    );
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    let core = Arc::new(rig.core);
    let stepping = spawn_step(&core, id);
    let waiting = std::time::Instant::now();
    while rig.server.counters().part_bytes(46) < SENT {
        assert!(
            waiting.elapsed() < Duration::from_secs(20),
            "the server never sent the first bytes"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Time for the bytes in flight to arrive; the server now sends nothing for 2 minutes.
    tokio::time::sleep(Duration::from_millis(500)).await;
    core.pause(id).expect("paused");
    let result = tokio::time::timeout(Duration::from_secs(5), stepping)
        .await
        .expect("the step ended within 5 s of the pause, during the stall")
        .expect("task")
        .expect("step");
    assert_eq!(
        result,
        StepResult::Idle {
            status: DownloadStatus::Paused
        }
    );
    assert_eq!(
        core.get(id).expect("row").bytes_done,
        SENT,
        "every byte that arrived is kept"
    );

    resume_to_identical_file(&core, &rig.server, id).await;
}

async fn pause_then_resume() {
    let rig = throttled_rig(4_000_000);
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    let core = Arc::new(rig.core);
    let stepping = spawn_step(&core, id);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let paused = core.pause(id).expect("paused");
    assert_eq!(paused.download_status, "paused");
    let result = stepping.await.expect("task").expect("step");
    assert_eq!(
        result,
        StepResult::Idle {
            status: DownloadStatus::Paused
        }
    );
    let row = core.get(id).expect("row");
    assert!(
        row.bytes_done > 1_000_000 && row.bytes_done < 13_400_382,
        "progress was saved: {}",
        row.bytes_done
    );
    let served_before = rig.server.counters().part_bytes(46);

    resume_to_identical_file(&core, &rig.server, id).await;
    let served = rig.server.counters().part_bytes(46);
    let fetched_again = served - 13_400_382;
    assert!(
        fetched_again <= 4 * 1024 * 1024,
        "fetched again after the pause: {fetched_again} (served before: {served_before})"
    );
}

/// Resumes a paused download of Big Buck Bunny and runs it to the end: it completes, and its
/// file is byte-identical to the server's.
async fn resume_to_identical_file(core: &DownloadCore, server: &ReplayServer, id: i64) {
    core.resume(id).expect("resumed");
    let done = run_to_end(core, id).await;
    assert_eq!(done.download_status, "completed");
    let expected = server.part_content(46).expect("content");
    let path = core.final_path(&done).expect("file");
    assert_eq!(sha256_file(&path), expected.sha256_hex());
}

#[tokio::test]
async fn dropped_connections_resume_where_they_stopped() {
    let drops = FaultRule::new(PART_46, Fault::DropAtRandomOffsets { seed: 11 }).times(5);
    let rig = rig(Scenario {
        faults: vec![drops],
        ..Scenario::default()
    });
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    let path = finished_file(&rig, &row);
    assert_eq!(
        sha256_file(&path),
        rig.server.part_content(46).expect("content").sha256_hex()
    );
    let served = rig.server.counters().part_bytes(46);
    assert!(
        served - 13_400_382 <= 5 * 4 * 1024 * 1024,
        "fetched again: {}",
        served - 13_400_382
    );
}

#[tokio::test]
async fn a_file_that_changed_on_the_server_is_downloaded_again_whole() {
    // Changed in place under the same key: the stored validator in If-Range shows it, so
    // this server sends validators (no real server is known to; a real upgrade changes the
    // part key instead, see `a_file_replaced_on_the_server_is_downloaded_in_its_new_version`).
    let faults = vec![
        FaultRule::new(PART_46, Fault::DropAfterBytes { bytes: 5_000_000 }).times(1),
        FaultRule::new(PART_46, Fault::ChangeContent)
            .skip(1)
            .times(1),
    ];
    let rig = rig(Scenario {
        validators: plexdl_replay::Validators::Both,
        faults,
        ..Scenario::default()
    });
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    let path = finished_file(&rig, &row);
    // The new content, not a mix of old and new.
    assert_eq!(
        sha256_file(&path),
        rig.server.part_content(46).expect("content").sha256_hex()
    );
    assert_ne!(
        rig.server.part_content(46),
        Some(plexdl_replay::Content::part(46, 13_400_382, 0))
    );
}

#[tokio::test]
async fn cancel_removes_the_partial_file_and_delete_removes_everything() {
    let throttle = FaultRule::new(PART_46, Fault::DropAfterBytes { bytes: 2_000_000 }).times(1);
    let rig = rig(Scenario {
        faults: vec![throttle],
        ..Scenario::default()
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
    let partial = rig.dir.path().join("downloads").join(format!(
        "{}.part",
        row.local_file_path.clone().expect("name")
    ));
    assert!(partial.exists());
    let cancelled = rig.core.cancel(id).expect("cancelled");
    assert_eq!(cancelled.download_status, "cancelled");
    assert!(!partial.exists(), "the partial file is removed");
    assert_eq!(cancelled.bytes_done, 0);
    rig.core.retry(id).expect("retried");
    let done = run_to_end(&rig.core, id).await;
    assert_eq!(done.download_status, "completed");
    let path = finished_file(&rig, &done);
    assert!(path.exists());
    rig.core.delete(id).expect("deleted");
    assert!(!path.exists());
    assert!(rig.core.get(id).is_err());
}

#[tokio::test]
async fn final_errors_fail_with_their_kind() {
    let forbidden = FaultRule::new(
        PART_46,
        Fault::StatusSequence {
            statuses: vec![403],
            retry_after: None,
        },
    );
    let rig = rig(Scenario {
        faults: vec![forbidden],
        ..Scenario::default()
    });
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "failed");
    assert_eq!(row.error_kind.map(|kind| kind.name()), Some("forbidden"));
    assert_eq!(row.attempts, 1, "a final error is not retried");
}

#[tokio::test]
async fn busy_server_is_retried_until_it_answers() {
    let busy = FaultRule::new(
        PART_46,
        Fault::StatusSequence {
            statuses: vec![503, 503, 509],
            retry_after: Some(1),
        },
    );
    let rig = rig(Scenario {
        faults: vec![busy],
        ..Scenario::default()
    });
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
}

#[tokio::test]
async fn losing_the_network_parks_downloads_until_it_returns() {
    let rig = throttled_rig(3_000_000);
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    let core = Arc::new(rig.core);
    let stepping = spawn_step(&core, id);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(core.network_changed(false).expect("network lost"), vec![id]);
    assert_eq!(
        stepping.await.expect("task").expect("step"),
        StepResult::WaitForNetwork
    );
    assert_eq!(
        core.get(id).expect("row").download_status,
        "waitingForNetwork"
    );
    let kept = core.get(id).expect("row").bytes_done;
    assert!(kept > 0, "progress kept");
    assert_eq!(core.network_changed(true).expect("network back"), vec![id]);
    let row = run_to_end(&core, id).await;
    assert_eq!(row.download_status, "completed");
    assert_eq!(
        sha256_file(&core.final_path(&row).expect("file")),
        rig.server.part_content(46).expect("content").sha256_hex()
    );
}

#[tokio::test]
async fn a_full_disk_keeps_the_partial_file_and_resumes_when_space_returns() {
    let rig = rig(Scenario::default());
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    rig.core.set_simulated_disk_capacity(Some(5_000_000));
    let step = rig
        .core
        .run_step(id, Arc::new(AtomicBool::new(false)))
        .await
        .expect("step");
    assert!(matches!(step, StepResult::WakeAfter { .. }), "{step:?}");
    let row = rig.core.get(id).expect("row");
    assert_eq!(row.download_status, "backoff");
    assert_eq!(row.error_kind.map(|kind| kind.name()), Some("diskFull"));
    assert!(
        row.error_message
            .as_deref()
            .is_some_and(|m| m.contains("free some space")),
        "{row:?}"
    );
    let partial = rig.dir.path().join("downloads").join(format!(
        "{}.part",
        row.local_file_path.clone().expect("name")
    ));
    let kept = std::fs::metadata(&partial)
        .expect("the partial file is kept")
        .len();
    assert!(kept > 0 && kept <= 5_000_000, "{kept}");
    assert_eq!(row.bytes_done, kept, "what is on disk is recorded");

    // Space comes back: the download resumes from the kept bytes.
    let served_before = rig.server.counters().part_bytes(46);
    rig.core.set_simulated_disk_capacity(None);
    let done = run_to_end(&rig.core, id).await;
    assert_eq!(done.download_status, "completed");
    let path = rig.core.final_path(&done).expect("file");
    assert_eq!(
        sha256_file(&path),
        rig.server.part_content(46).expect("content").sha256_hex()
    );
    // The server may still count bytes of the first, abandoned answer after the step ended,
    // so allow one checkpoint's worth beyond what was missing.
    let resumed = rig.server.counters().part_bytes(46) - served_before;
    let missing = 13_400_382 - kept;
    assert!(
        resumed >= missing && resumed <= missing + 4 * 1024 * 1024,
        "resumed {resumed} for {missing} missing"
    );
}
