//! The live transcode route (servers without a download queue) as real servers behave
//! (realServerFindings.md section 3): the decision comes first, `offset` would start a new
//! stream (the replay server's default `liveOffsets: fresh`), so a broken conversion starts
//! again from zero; the connection goes idle while the server converts; and the server's
//! transcode is stopped when the transfer ends early.

use std::sync::Arc;
use std::time::Duration;

use plexdl_core::engine::DownloadCore;
use plexdl_core::manifest::DownloadRow;
use plexdl_core::plex::QualityPreset;
use plexdl_protocol::FailureKind;
use plexdl_replay::{Fault, FaultRule, IdleGap, Scenario, transcoded_content};

use crate::support::{SERVER, finished_file, rig, run_to_end, sha256_file, spawn_step};

const LIVE: &str = "/video/:/transcode/universal/start";
const START: &str = "GET /video/:/transcode/universal/start.mkv";
const DECISION: &str = "GET /video/:/transcode/universal/decision";
const STOP: &str = "GET /video/:/transcode/universal/stop";
const SESSION: &str = "GET /transcode/sessions/{session}";

/// A server without a download queue, so converted downloads take the live route.
fn live_server(faults: Vec<FaultRule>, idle_gap: Option<IdleGap>) -> Scenario {
    Scenario {
        queue_api: false,
        live_idle_gap: idle_gap,
        faults,
        ..Scenario::default()
    }
}

/// Queues Big Buck Bunny at 720p.
async fn enqueue_720p(core: &DownloadCore) -> i64 {
    core.enqueue(SERVER, &["55"], QualityPreset::Hd720)
        .await
        .expect("enqueued")[0]
}

/// Runs one step and returns the row after it.
async fn first_step(core: &DownloadCore, id: i64) -> DownloadRow {
    core.run_step(id, Arc::new(Default::default()))
        .await
        .expect("step");
    core.get(id).expect("row")
}

/// Waits (at most 5 s) until a running step has written its first bytes.
async fn until_bytes_arrive(core: &DownloadCore, id: i64) {
    for _ in 0..100 {
        if core.get(id).expect("row").bytes_done > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The whole output of the 720p conversion of Big Buck Bunny, started at zero.
fn whole_720p() -> plexdl_replay::Content {
    transcoded_content("live:55:4000:1280x720", 5_062, 4_000)
}

#[tokio::test]
async fn a_broken_live_transcode_starts_again_from_zero() {
    let drops = FaultRule::new(LIVE, Fault::DropAtRandomOffsets { seed: 5 }).times(3);
    let rig = rig(live_server(vec![drops], None));
    let id = enqueue_720p(&rig.core).await;
    let broken = first_step(&rig.core, id).await;
    assert_eq!(broken.download_status, "backoff", "{broken:?}");
    assert!(
        broken
            .error_message
            .as_deref()
            .is_some_and(|m| m.contains("starts again from the beginning")),
        "the user is told the conversion starts again: {broken:?}"
    );

    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    let path = finished_file(&rig, &row);
    assert_eq!(
        sha256_file(&path),
        whole_720p().sha256_hex(),
        "the file is one whole stream, never pieces of several"
    );
    let counters = rig.server.counters();
    assert_eq!(counters.requests_to(START), 4, "three breaks, four starts");
    assert!(
        counters.requests_to(DECISION) >= 4,
        "a decision before every start"
    );
    assert!(
        counters.requests_to(STOP) >= 3,
        "each broken transcode is stopped on the server"
    );
}

#[tokio::test]
async fn a_slow_conversion_is_waited_for_while_its_session_runs() {
    // The output pauses for 3.5 s, longer than the tests' stall timeout of 2 s.
    let gap = IdleGap {
        after_bytes: 256 * 1024,
        millis: 3_500,
    };
    let rig = rig(live_server(Vec::new(), Some(gap)));
    let id = enqueue_720p(&rig.core).await;
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    assert_eq!(row.attempts, 0, "no try failed: {row:?}");
    let counters = rig.server.counters();
    assert_eq!(
        counters.requests_to(START),
        1,
        "one transcode, never cut off"
    );
    assert!(
        counters.requests_to(SESSION) >= 1,
        "the session was asked during the silence"
    );
    assert_eq!(
        sha256_file(&finished_file(&rig, &row)),
        whole_720p().sha256_hex()
    );
}

#[tokio::test]
async fn a_conversion_that_died_on_the_server_is_started_again() {
    let dies = FaultRule::new(
        LIVE,
        Fault::EndTranscode {
            after_bytes: 300_000,
        },
    )
    .times(1);
    let rig = rig(live_server(vec![dies], None));
    let id = enqueue_720p(&rig.core).await;
    let broken = first_step(&rig.core, id).await;
    assert_eq!(broken.error_kind, Some(FailureKind::Timeout), "{broken:?}");
    assert!(
        broken
            .error_message
            .as_deref()
            .is_some_and(|m| m.contains("no longer converting")),
        "{broken:?}"
    );
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    assert_eq!(rig.server.counters().requests_to(START), 2);
    assert_eq!(
        sha256_file(&finished_file(&rig, &row)),
        whole_720p().sha256_hex()
    );
}

#[tokio::test]
async fn a_refused_live_conversion_fails_before_any_byte() {
    let rig = rig(Scenario {
        refuse_transcodes: true,
        ..live_server(Vec::new(), None)
    });
    let id = enqueue_720p(&rig.core).await;
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "failed", "{row:?}");
    assert_eq!(row.error_kind, Some(FailureKind::DownloadsNotAllowed));
    let counters = rig.server.counters();
    assert_eq!(counters.requests_to(START), 0, "no transcode was started");
    assert!(counters.requests_to(DECISION) >= 1);
}

#[tokio::test]
async fn pausing_a_live_download_stops_the_servers_transcode() {
    let slow = FaultRule::new(
        LIVE,
        Fault::Throttle {
            bytes_per_second: 400_000,
        },
    )
    .times(1);
    let rig = rig(live_server(vec![slow], None));
    let id = enqueue_720p(&rig.core).await;
    let core = Arc::new(rig.core);
    let step = spawn_step(&core, id);
    until_bytes_arrive(&core, id).await;
    core.pause(id).expect("paused");
    step.await.expect("task").expect("step");
    assert_eq!(core.get(id).expect("row").download_status, "paused");
    assert_eq!(
        rig.server.counters().requests_to(STOP),
        1,
        "the pause stopped the server's transcode"
    );
    core.resume(id).expect("resumed");
    let row = run_to_end(&core, id).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    let rig_dir = rig.dir.path().join("downloads");
    let name = row.local_file_path.clone().expect("name");
    assert_eq!(
        sha256_file(&rig_dir.join(name)),
        whole_720p().sha256_hex(),
        "the resumed download is one whole stream"
    );
}

/// Cancel and delete end the server's transcode as a pause does.
#[tokio::test]
async fn cancelling_or_deleting_a_live_download_stops_the_servers_transcode() {
    for (action, expected) in [("cancel", Some("cancelled")), ("delete", None)] {
        let slow = FaultRule::new(
            LIVE,
            Fault::Throttle {
                bytes_per_second: 400_000,
            },
        );
        let rig = rig(live_server(vec![slow], None));
        let id = enqueue_720p(&rig.core).await;
        let core = Arc::new(rig.core);
        let step = spawn_step(&core, id);
        until_bytes_arrive(&core, id).await;
        match action {
            "cancel" => {
                core.cancel(id).expect("cancelled");
            }
            _ => core.delete(id).expect("deleted"),
        }
        step.await.expect("task").ok();
        assert_eq!(
            core.get(id).ok().map(|row| row.download_status.name()),
            expected,
            "{action}"
        );
        assert_eq!(
            rig.server.counters().requests_to(STOP),
            1,
            "{action} stopped the server's transcode"
        );
    }
}
