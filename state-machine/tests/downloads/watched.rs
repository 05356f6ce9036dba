//! Watched state against the replay server: changes count here at once and reach the server
//! in order, once; a change that was being sent when the process stopped is read back from
//! the server before it is sent again; a watch done elsewhere later wins; a server that
//! does not answer holds its changes back until it does, through the queue run.

use std::sync::Arc;

use plexdl_core::engine::queue_run::Unobserved;
use plexdl_core::engine::signals::StopSignal;
use plexdl_core::engine::watch_outbox::Sent;
use plexdl_core::manifest::{now_ms, watch};
use plexdl_core::plex::QualityPreset;
use plexdl_protocol::{QueueEnd, QueueRunOptions, WatchChange};
use plexdl_replay::{Fault, FaultRule, Scenario};

use crate::support::{SERVER, rig, scrobble_elsewhere};

/// Queues the three episodes of season 2 (34, 35, 36); returns their ids by rating key.
async fn season(core: &plexdl_core::engine::DownloadCore) -> [i64; 3] {
    let ids = core
        .enqueue(SERVER, &["33"], QualityPreset::Original)
        .await
        .expect("queued");
    let key_of = |id: i64| core.get(id).expect("row").media_rating_key;
    let find = |key: &str| {
        *ids.iter()
            .find(|id| key_of(**id) == key)
            .unwrap_or_else(|| panic!("episode {key} queued"))
    };
    [find("34"), find("35"), find("36")]
}

#[tokio::test]
async fn changes_count_here_at_once_and_reach_the_server_in_order_once() {
    let rig = rig(Scenario::default());
    let [first, second, third] = season(&rig.core).await;
    rig.core.mark_watched(second, true).expect("marked");
    rig.core.set_position(third, 2).expect("position");
    rig.core.mark_watched(second, false).expect("marked");
    rig.core.mark_watched(first, true).expect("marked");
    // Known here before any server hears of it.
    let state = |id| {
        rig.core
            .watch_state(&rig.core.get(id).expect("row"))
            .expect("read")
            .expect("known")
    };
    assert!(state(first).watched);
    assert!(!state(second).watched);
    assert_eq!(state(third).position_ms, Some(2_000));
    assert_eq!(rig.server.watch_state("35"), None, "nothing sent yet");

    let pass = rig.core.send_watch_changes().await.expect("sent");
    assert_eq!(pass.failed, 0);
    assert_eq!(pass.settled.len(), 4);
    assert!(
        pass.settled
            .iter()
            .all(|(_, sent)| *sent == Sent::Delivered)
    );
    // 35 was watched, then unwatched: sent in that order, it ends unwatched.
    let record = rig.server.watch_state("35").expect("changed");
    assert_eq!(
        (record.scrobbles, record.unscrobbles, record.view_count),
        (1, 1, 0)
    );
    let record = rig.server.watch_state("36").expect("changed");
    assert_eq!((record.timelines, record.view_offset), (1, Some(2_000)));
    assert_eq!(rig.server.watch_state("34").expect("changed").scrobbles, 1);
    assert!(rig.core.watch_outbox().expect("outbox").is_empty());

    // Nothing is sent twice.
    let again = rig.core.send_watch_changes().await.expect("sent");
    assert!(again.settled.is_empty());
    assert_eq!(rig.server.watch_state("34").expect("changed").scrobbles, 1);
    assert_eq!(rig.server.watch_state("36").expect("changed").timelines, 1);
}

#[tokio::test]
async fn a_change_in_doubt_is_sent_again_only_when_the_server_does_not_have_it() {
    let rig = rig(Scenario::default());
    let [first, second, _] = season(&rig.core).await;
    rig.core.mark_watched(first, true).expect("marked");
    rig.core.mark_watched(second, true).expect("marked");
    let entries = rig.core.watch_outbox().expect("outbox");
    // Both were marked as going out when the process stopped (step 2 of the outbox).
    rig.core
        .manifest()
        .write(|tx| {
            for entry in &entries {
                watch::mark_sending(tx, entry.id, Some(0), now_ms())?;
            }
            Ok(())
        })
        .expect("marked as sending");
    // The request for 35 had reached the server; the one for 34 had not.
    scrobble_elsewhere(&rig.server, "35").await;

    let pass = rig.core.send_watch_changes().await.expect("sent");
    assert_eq!(
        pass.settled,
        [
            (entries[0].id, Sent::Delivered),
            (entries[1].id, Sent::AlreadyThere)
        ]
    );
    assert_eq!(rig.server.watch_state("34").expect("changed").scrobbles, 1);
    assert_eq!(rig.server.watch_state("35").expect("changed").scrobbles, 1);
}

#[tokio::test]
async fn a_watch_done_elsewhere_later_wins_over_an_older_change_here() {
    let rig = rig(Scenario::default());
    season(&rig.core).await;
    // Marked unwatched here ten seconds ago, while offline.
    rig.core
        .manifest()
        .write(|tx| {
            watch::record(
                tx,
                SERVER,
                "35",
                WatchChange::Unwatched,
                None,
                None,
                now_ms() - 10_000,
            )
        })
        .expect("recorded");
    // Since then another client watched it to the end.
    scrobble_elsewhere(&rig.server, "35").await;

    let pass = rig.core.send_watch_changes().await.expect("sent");
    assert_eq!(pass.settled.len(), 1);
    assert_eq!(pass.settled[0].1, Sent::ServerNewer);
    let record = rig.server.watch_state("35").expect("changed");
    assert_eq!((record.unscrobbles, record.view_count), (0, 1));
    let known = rig
        .core
        .manifest()
        .read(|tx| watch::state(tx, SERVER, "35"))
        .expect("read")
        .expect("known");
    assert!(known.watched, "the server's state was taken");
}

#[tokio::test]
async fn a_server_that_does_not_answer_holds_its_changes_until_the_queue_run_sends_them() {
    let rig = rig(Scenario {
        faults: vec![
            FaultRule::new(
                "/library/metadata/35",
                Fault::StatusSequence {
                    statuses: vec![503],
                    retry_after: None,
                },
            )
            .times(1),
        ],
        ..Scenario::default()
    });
    let [_, second, _] = season(&rig.core).await;
    rig.core.mark_watched(second, true).expect("marked");
    rig.core.mark_watched(second, false).expect("marked");
    let pass = rig.core.send_watch_changes().await.expect("tried");
    assert_eq!((pass.failed, pass.settled.len()), (1, 0));
    let waiting = rig.core.watch_outbox().expect("outbox");
    assert_eq!(
        waiting.len(),
        2,
        "the later change waits behind the failed one"
    );
    assert_eq!(waiting[0].attempts, 1);
    assert!(waiting[0].last_error.is_some());
    // Not due again before its pause.
    let early = rig.core.send_watch_changes().await.expect("tried");
    assert!(early.settled.is_empty() && early.failed == 0);
    assert_eq!(rig.server.watch_state("35"), None);

    // A run of the queue (which also downloads the season) sends them once the pause is
    // over, and ends when nothing is left.
    let core = Arc::new(rig.core);
    let report = core
        .clone()
        .run_queue(
            Arc::new(StopSignal::new()),
            QueueRunOptions {
                budget_millis: None,
                linger_millis: 60_000,
            },
            &Unobserved,
        )
        .await
        .expect("the run ends");
    assert_eq!(report.ended, QueueEnd::Idle);
    assert!(core.watch_outbox().expect("outbox").is_empty());
    let record = rig.server.watch_state("35").expect("changed");
    assert_eq!(
        (record.scrobbles, record.unscrobbles, record.view_count),
        (1, 1, 0)
    );
}
