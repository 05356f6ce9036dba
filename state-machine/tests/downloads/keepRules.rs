//! Keep rules against the replay server (show 22: season 1 is 90, 91, 92 at 13.4 MB each,
//! season 2 is 34, 35, 36): a rule keeps 3 ahead as episodes are watched one by one and
//! deletes the watched ones as its setting says, picks up a watch done on another client,
//! evicts watched rule downloads first under the storage limit and then stops with its
//! sentence, and never deletes a download the user made.

use std::sync::Arc;

use plexdl_core::engine::DownloadCore;
use plexdl_core::engine::queue_run::Unobserved;
use plexdl_core::engine::signals::StopSignal;
use plexdl_core::plex::QualityPreset;
use plexdl_protocol::{KeepRuleParams, QueueRunOptions, WhenWatched};
use plexdl_replay::Scenario;

use crate::support::{SERVER, rig, scrobble_elsewhere};

fn rule(keep_next: Option<u32>, when_watched: WhenWatched) -> KeepRuleParams {
    KeepRuleParams {
        server_id: SERVER.to_string(),
        rating_key: "22".to_string(),
        keep_next,
        quality: "original".to_string(),
        when_watched,
    }
}

/// Runs the queue until nothing is due (downloads, the outbox, the rules).
async fn settle(core: &Arc<DownloadCore>) {
    core.clone()
        .run_queue(
            Arc::new(StopSignal::new()),
            QueueRunOptions {
                budget_millis: Some(60_000),
                linger_millis: 5_000,
            },
            &Unobserved,
        )
        .await
        .expect("the run ends");
}

/// The rating keys with a download, and which of them a rule queued.
fn kept(core: &DownloadCore) -> Vec<(String, bool)> {
    core.summaries()
        .expect("list")
        .into_iter()
        .map(|row| (row.media_rating_key, row.rule_id.is_some()))
        .collect()
}

fn id_of(core: &DownloadCore, key: &str) -> i64 {
    core.summaries()
        .expect("list")
        .into_iter()
        .find(|row| row.media_rating_key == key)
        .unwrap_or_else(|| panic!("{key} has a download"))
        .id
}

fn keys(list: &[(&str, bool)]) -> Vec<(String, bool)> {
    list.iter()
        .map(|(key, rule)| (key.to_string(), *rule))
        .collect()
}

#[tokio::test]
async fn a_rule_keeps_three_ahead_as_episodes_are_watched_and_never_deletes_a_hand_made_one() {
    let rig = rig(Scenario::default());
    let core = Arc::new(rig.core);
    // The user downloaded 91 by hand before the rule.
    core.enqueue(SERVER, &["91"], QualityPreset::Original)
        .await
        .expect("queued");
    let set = core
        .set_rule(&rule(Some(3), WhenWatched::DeleteAtOnce))
        .await
        .expect("rule");
    assert_eq!(set.title, "The 100");
    assert_eq!(
        kept(&core),
        keys(&[("91", false), ("90", true), ("92", true)])
    );
    settle(&core).await;

    for (watched, expected) in [
        ("90", vec![("91", false), ("92", true), ("34", true)]),
        // 91 is the user's own: watched, it stays, and the rule keeps 3 unwatched ahead.
        (
            "91",
            vec![("91", false), ("92", true), ("34", true), ("35", true)],
        ),
        (
            "92",
            vec![("91", false), ("34", true), ("35", true), ("36", true)],
        ),
    ] {
        core.mark_watched(id_of(&core, watched), true)
            .expect("marked");
        settle(&core).await;
        assert_eq!(kept(&core), keys(&expected), "after {watched} was watched");
        assert_eq!(
            rig.server.watch_state(watched).expect("sent").scrobbles,
            1,
            "{watched} reached the server once"
        );
    }
}

#[tokio::test]
async fn a_watch_done_elsewhere_is_picked_up_and_kept_per_the_setting() {
    let rig = rig(Scenario::default());
    let core = Arc::new(rig.core);
    core.set_rule(&rule(Some(2), WhenWatched::Keep))
        .await
        .expect("rule");
    assert_eq!(kept(&core), keys(&[("90", true), ("91", true)]));
    // Another client watched 90 to the end.
    scrobble_elsewhere(&rig.server, "90").await;
    let pass = core.apply_rules().await.expect("applied");
    assert_eq!(
        pass.deleted,
        Vec::<i64>::new(),
        "the setting keeps watched ones"
    );
    assert_eq!(
        kept(&core),
        keys(&[("90", true), ("91", true), ("92", true)])
    );
    let row = core.get(id_of(&core, "90")).expect("row");
    assert!(
        core.watch_state(&row)
            .expect("read")
            .expect("known")
            .watched
    );
    // The same rule set to delete at once removes it now.
    core.set_rule(&rule(Some(2), WhenWatched::DeleteAtOnce))
        .await
        .expect("rule");
    assert_eq!(kept(&core), keys(&[("91", true), ("92", true)]));
}

#[tokio::test]
async fn the_storage_limit_evicts_watched_rule_downloads_first_then_stops_with_its_sentence() {
    let rig = rig(Scenario::default());
    let core = Arc::new(rig.core);
    // A film the user downloads by hand: 13.4 MB that no rule may touch.
    core.enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("queued");
    core.set_storage_budget(Some(45_000_000)).expect("limit");
    let set = core
        .set_rule(&rule(None, WhenWatched::Keep))
        .await
        .expect("rule");
    // 13.4 + 13.4 + 13.4 = 40.2 MB; a third episode would take it to 53.6 MB.
    assert_eq!(
        kept(&core),
        keys(&[("55", false), ("90", true), ("91", true)])
    );
    assert_eq!(
        set.stopped_reason.as_deref(),
        Some("Stopped at the storage limit of 45 MB")
    );
    assert_eq!(
        core.storage_use()
            .expect("storage")
            .stopped_reason
            .as_deref(),
        Some("Stopped at the storage limit of 45 MB")
    );
    // Watched, 90 goes first (although the rule keeps watched ones), and 92 takes its room.
    core.mark_watched(id_of(&core, "90"), true).expect("marked");
    core.mark_watched(id_of(&core, "55"), true).expect("marked");
    let pass = core.apply_rules().await.expect("applied");
    assert_eq!(pass.deleted.len(), 1);
    assert_eq!(
        kept(&core),
        keys(&[("55", false), ("91", true), ("92", true)])
    );
    let storage = core.storage_use().expect("storage");
    assert!(storage.used_bytes <= 45_000_000, "{storage:?}");
    assert_eq!(storage.budget_bytes, Some(45_000_000));
    // No limit: the rule queues every unwatched episode and says nothing.
    core.set_storage_budget(None).expect("no limit");
    core.apply_rules().await.expect("applied");
    assert_eq!(core.rules().expect("rules")[0].stopped_reason, None);
    assert_eq!(kept(&core).len(), 6);
}

#[tokio::test]
async fn an_episode_the_user_deletes_from_a_rule_is_skipped_not_queued_again() {
    let rig = rig(Scenario::default());
    let core = Arc::new(rig.core);
    let set = core
        .set_rule(&rule(Some(2), WhenWatched::Keep))
        .await
        .expect("rule");
    assert_eq!(kept(&core), keys(&[("90", true), ("91", true)]));
    // The user deletes 90, which the rule queued: the rule moves on to 92 and never brings
    // 90 back, also when it is applied again later or its settings change.
    core.delete(id_of(&core, "90")).expect("deleted");
    core.apply_rules().await.expect("applied");
    assert_eq!(kept(&core), keys(&[("91", true), ("92", true)]));
    core.apply_rules().await.expect("applied again");
    core.set_rule(&rule(Some(3), WhenWatched::Keep))
        .await
        .expect("new settings");
    assert_eq!(
        kept(&core),
        keys(&[("91", true), ("92", true), ("34", true)])
    );
    // A new rule on the show (after the old one was removed) starts with nothing skipped.
    core.remove_rule(set.id).expect("removed");
    core.set_rule(&rule(Some(4), WhenWatched::Keep))
        .await
        .expect("a new rule");
    assert_eq!(
        kept(&core),
        keys(&[("91", false), ("92", false), ("34", false), ("90", true)]),
        "the old rule's downloads are the user's now, and 90 is wanted again"
    );
}
