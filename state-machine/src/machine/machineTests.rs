//! Tests of the download machine: every path, failure policy, and loading a stored machine in
//! every state.

use std::time::Duration;

use super::*;
use plexdl_protocol::FailureKind;

fn failure(retryable: bool, at_ms: i64) -> Failure {
    Failure {
        kind: if retryable {
            FailureKind::ConnectionLost
        } else {
            FailureKind::NotFound
        },
        message: "something happened".into(),
        retryable,
        retry_after: None,
        at_ms,
    }
}

fn drive(events: &[Event]) -> (Machine, Vec<Vec<Effect>>) {
    let mut machine = new_machine(42);
    let effects = events
        .iter()
        .map(|event| handle(&mut machine, event))
        .collect();
    (machine, effects)
}

#[test]
fn direct_download_runs_preflight_transfer_verify() {
    let (machine, effects) = drive(&[
        Event::Start,
        Event::PreflightPassed {
            route: Route::Direct,
        },
        Event::TransferComplete,
        Event::VerifyPassed,
    ]);
    assert_eq!(
        effects,
        vec![
            vec![Effect::RunPreflight],
            vec![Effect::Transfer {
                route: Route::Direct
            }],
            vec![Effect::Verify],
            vec![],
        ]
    );
    assert_eq!(state_name(machine.state()), "completed");
    assert!(is_terminal(machine.state()));
}

#[test]
fn queued_download_walks_the_server_states() {
    let (machine, effects) = drive(&[
        Event::Start,
        Event::PreflightPassed {
            route: Route::ServerQueue,
        },
        Event::Enqueued {
            queue_id: 4,
            item_id: 31,
        },
        Event::ServerProgress {
            progress: 37.5,
            at_ms: 1,
        },
        Event::ServerItemExpired,
        Event::ServerReady,
        Event::TransferComplete,
        Event::VerifyPassed,
    ]);
    assert_eq!(effects[1], vec![Effect::Enqueue]);
    assert_eq!(effects[2], vec![Effect::PollServer]);
    assert_eq!(effects[3], vec![Effect::PollServer]);
    assert_eq!(
        effects[4],
        vec![
            Effect::DeletePartial,
            Effect::RestartServerItem,
            Effect::PollServer
        ]
    );
    assert_eq!(
        effects[5],
        vec![Effect::Transfer {
            route: Route::ServerQueue
        }]
    );
    assert_eq!(effects[6], vec![Effect::Verify]);
    assert_eq!(effects[7], vec![Effect::RemoveServerItem]);
    assert_eq!(
        machine.inner().queue,
        Some(QueueRef {
            queue_id: 4,
            item_id: 31
        })
    );
    assert_eq!(state_name(machine.state()), "completed");
}

#[test]
fn retryable_failures_back_off_then_give_up_with_the_last_reason() {
    let mut machine = new_machine(9);
    handle(&mut machine, &Event::Start);
    handle(
        &mut machine,
        &Event::PreflightPassed {
            route: Route::Direct,
        },
    );
    let mut wakes = Vec::new();
    for attempt in 1..retry::DEFAULT_MAX_ATTEMPTS {
        let effects = handle(&mut machine, &Event::Failed(failure(true, 1_000)));
        let Some(Effect::ScheduleWake { at_ms }) = effects.first().cloned() else {
            panic!("attempt {attempt}: expected a wake, got {effects:?}");
        };
        let expected = 1_000 + retry::backoff_delay(attempt, None, 9).as_millis() as i64;
        assert_eq!(at_ms, expected);
        wakes.push(at_ms);
        assert_eq!(state_name(machine.state()), "backoff");
        assert_eq!(
            handle(&mut machine, &Event::Wake),
            vec![Effect::RunPreflight]
        );
        handle(
            &mut machine,
            &Event::PreflightPassed {
                route: Route::Direct,
            },
        );
    }
    assert!(wakes.windows(2).all(|pair| pair[1] >= pair[0]));
    handle(&mut machine, &Event::Failed(failure(true, 5_000)));
    match machine.state() {
        State::Failed {
            kind,
            message,
            retryable,
        } => {
            assert_eq!(*kind, FailureKind::ConnectionLost);
            assert_eq!(message, "something happened");
            assert!(*retryable);
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    // A user retry starts again with a fresh count.
    assert_eq!(
        handle(&mut machine, &Event::Retry),
        vec![Effect::RunPreflight]
    );
    assert_eq!(machine.inner().attempts, 0);
}

#[test]
fn retry_after_sets_the_wake() {
    let mut machine = new_machine(1);
    handle(&mut machine, &Event::Start);
    let mut busy = failure(true, 10_000);
    busy.retry_after = Some(Duration::from_secs(300));
    assert_eq!(
        handle(&mut machine, &Event::Failed(busy)),
        vec![Effect::ScheduleWake { at_ms: 310_000 }]
    );
}

#[test]
fn final_failures_stop_at_once() {
    let (machine, _) = drive(&[
        Event::Start,
        Event::PreflightPassed {
            route: Route::Direct,
        },
        Event::Failed(failure(false, 0)),
    ]);
    assert_eq!(state_name(machine.state()), "failed");
    assert_eq!(machine.inner().attempts, 1);
}

#[test]
fn pause_cancel_and_network_are_handled_in_the_superstate() {
    for route in [Route::Direct, Route::ServerQueue, Route::LiveTranscode] {
        let (mut machine, _) = drive(&[Event::Start, Event::PreflightPassed { route }]);
        assert_eq!(
            handle(&mut machine, &Event::Pause),
            vec![Effect::StopTransfer]
        );
        assert_eq!(state_name(machine.state()), "paused");
        assert_eq!(
            handle(&mut machine, &Event::Resume),
            vec![Effect::RunPreflight]
        );
        handle(&mut machine, &Event::PreflightPassed { route });
        assert_eq!(
            handle(&mut machine, &Event::NetworkLost),
            vec![Effect::StopTransfer, Effect::WaitForNetwork]
        );
        assert_eq!(
            handle(&mut machine, &Event::NetworkBack),
            vec![Effect::RunPreflight]
        );
        let cancel = handle(&mut machine, &Event::Cancel);
        assert_eq!(cancel[0], Effect::StopTransfer);
        assert!(cancel.contains(&Effect::DeletePartial));
        assert_eq!(state_name(machine.state()), "cancelled");
    }
    let (mut queued, _) = drive(&[
        Event::Start,
        Event::PreflightPassed {
            route: Route::ServerQueue,
        },
        Event::Enqueued {
            queue_id: 1,
            item_id: 2,
        },
    ]);
    let cancel = handle(&mut queued, &Event::Cancel);
    assert_eq!(
        cancel,
        vec![
            Effect::StopTransfer,
            Effect::DeletePartial,
            Effect::RemoveServerItem
        ]
    );
}

#[test]
fn a_broken_live_transcode_enters_its_state_again_from_zero() {
    let (mut machine, _) = drive(&[
        Event::Start,
        Event::PreflightPassed {
            route: Route::LiveTranscode,
        },
    ]);
    handle(&mut machine, &Event::Failed(failure(true, 0)));
    assert!(matches!(machine.state(), State::Backoff { .. }));
    handle(&mut machine, &Event::Wake);
    let effects = handle(
        &mut machine,
        &Event::PreflightPassed {
            route: Route::LiveTranscode,
        },
    );
    assert!(
        matches!(machine.state(), State::LiveTranscode { offset_seconds } if *offset_seconds == 0.0)
    );
    assert_eq!(
        effects,
        vec![Effect::Transfer {
            route: Route::LiveTranscode
        }]
    );
}

#[test]
fn a_machine_stored_at_a_live_offset_still_loads() {
    // Format 1 as stored when a live transcode was resumed at an offset.
    let stored = r#"{"state":{"LiveTranscode":{"offset_seconds":61.5}},"shared_storage":{"attempts":1,"maxAttempts":8,"jitterSeed":7,"route":"liveTranscode","queue":null,"liveOffsetSeconds":61.5,"overrideBusy":false}}"#;
    let (machine, effects) = from_json(stored).expect("loads");
    assert!(matches!(machine.state(), State::LiveTranscode { .. }));
    assert_eq!(machine.inner().attempts, 1);
    assert_eq!(
        effects,
        vec![Effect::Transfer {
            route: Route::LiveTranscode
        }]
    );
}

/// One event list per state, reaching it from a new machine (also used by the commands'
/// and the docs' tests).
pub(super) fn paths_to_every_state() -> Vec<(&'static str, Vec<Event>)> {
    let pre = |route| vec![Event::Start, Event::PreflightPassed { route }];
    let mut waiting = pre(Route::ServerQueue);
    waiting.push(Event::Enqueued {
        queue_id: 3,
        item_id: 7,
    });
    let mut fetching = waiting.clone();
    fetching.push(Event::ServerReady);
    let mut prepared_verify = fetching.clone();
    prepared_verify.push(Event::TransferComplete);
    let mut direct_verify = pre(Route::Direct);
    direct_verify.push(Event::TransferComplete);
    let mut completed = prepared_verify.clone();
    completed.push(Event::VerifyPassed);
    let mut backoff = pre(Route::Direct);
    backoff.push(Event::Failed(failure(true, 1_000)));
    let mut failed = pre(Route::Direct);
    failed.push(Event::Failed(failure(false, 1_000)));
    let mut network = pre(Route::Direct);
    network.push(Event::NetworkLost);
    let mut cancelled = waiting.clone();
    cancelled.push(Event::Cancel);
    vec![
        ("queued", vec![]),
        ("preflight", vec![Event::Start]),
        ("transferring", pre(Route::Direct)),
        ("verifying", direct_verify),
        ("enqueuing", pre(Route::ServerQueue)),
        ("waitingForServer", waiting),
        ("fetching", fetching),
        ("verifying", prepared_verify),
        ("liveTranscode", pre(Route::LiveTranscode)),
        ("paused", vec![Event::Pause]),
        ("backoff", backoff),
        ("waitingForNetwork", network),
        ("completed", completed),
        ("failed", failed),
        ("cancelled", cancelled),
    ]
}

/// The only effects a stored machine in each state may produce when loaded: all of them are
/// safe to repeat (resume a transfer from the bytes on disk, ask the server again, schedule
/// the same wake, delete a file that may already be gone).
fn allowed_on_load(state: &State) -> Vec<Effect> {
    match state {
        State::Preflight {} => vec![Effect::RunPreflight],
        State::Transferring {} => vec![Effect::Transfer {
            route: Route::Direct,
        }],
        State::DirectVerifying {} | State::PreparedVerifying {} => vec![Effect::Verify],
        State::Enqueuing {} => vec![Effect::Enqueue],
        State::WaitingForServer { .. } => vec![Effect::PollServer],
        State::Fetching {} => vec![Effect::Transfer {
            route: Route::ServerQueue,
        }],
        State::LiveTranscode { .. } => vec![Effect::Transfer {
            route: Route::LiveTranscode,
        }],
        State::Backoff { retry_at_ms, .. } => vec![Effect::ScheduleWake {
            at_ms: *retry_at_ms,
        }],
        State::WaitingForNetwork {} => vec![Effect::WaitForNetwork],
        State::Completed {} => vec![Effect::RemoveServerItem],
        State::Cancelled {} => vec![Effect::DeletePartial, Effect::RemoveServerItem],
        State::Queued {} | State::Paused {} | State::Failed { .. } => vec![],
    }
}

#[test]
fn every_state_survives_storage_and_loads_with_only_repeatable_effects() {
    let paths = paths_to_every_state();
    assert_eq!(paths.len(), 15, "one path per state");
    for (name, events) in paths {
        let (machine, _) = drive(&events);
        assert_eq!(state_name(machine.state()), name);
        let stored = to_json(&machine);
        let (loaded, effects) = from_json(&stored).expect("stored machine loads");
        assert_eq!(loaded.state(), machine.state(), "{name}");
        assert_eq!(loaded.inner(), machine.inner(), "{name}");
        let allowed = allowed_on_load(loaded.state());
        assert!(
            effects.iter().all(|effect| allowed.contains(effect)),
            "{name}: {effects:?} not in {allowed:?}"
        );
        // Loading again gives the same effects and the same state: loading is repeatable.
        let (again, effects_again) = from_json(&to_json(&loaded)).expect("loads again");
        assert_eq!(again.state(), machine.state());
        assert_eq!(effects_again, effects, "{name}");
    }
}

#[test]
fn stored_machines_of_format_1_still_load() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/machines/v1");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixtures/machines/v1") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("readable");
        let (machine, _) =
            from_json(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let expected = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("name")
            .to_string();
        assert_eq!(
            state_name(machine.state()),
            expected
                .trim_end_matches("Direct")
                .trim_end_matches("Prepared"),
            "{}",
            path.display()
        );
        names.push(expected);
    }
    assert!(names.len() >= 14, "stored examples: {names:?}");
}

#[test]
fn a_lost_file_turns_a_completed_download_into_a_failed_one() {
    let (mut machine, _) = drive(&[
        Event::Start,
        Event::PreflightPassed {
            route: Route::Direct,
        },
        Event::TransferComplete,
        Event::VerifyPassed,
    ]);
    handle(
        &mut machine,
        &Event::FileLost {
            kind: FailureKind::Missing,
            message: "The file is gone.".into(),
        },
    );
    assert!(
        matches!(machine.state(), State::Failed { kind, retryable: false, .. } if *kind == FailureKind::Missing)
    );
    assert_eq!(
        handle(&mut machine, &Event::Retry),
        vec![Effect::RunPreflight]
    );
}

#[test]
fn retrying_a_busy_refusal_overrides_the_busy_check_once() {
    let mut busy = failure(false, 0);
    busy.kind = FailureKind::ServerBusy;
    let (mut machine, _) = drive(&[Event::Start, Event::Failed(busy)]);
    handle(&mut machine, &Event::Retry);
    assert!(machine.inner().override_busy);
    let (mut other, _) = drive(&[Event::Start, Event::Failed(failure(false, 0))]);
    handle(&mut other, &Event::Retry);
    assert!(!other.inner().override_busy);
}

/// A queue item that failed itself is forgotten and removed when it fails, so the next try
/// (automatic for a lost item, Retry for a refused one) adds the download again instead of
/// polling the failed item; any other failure keeps the item.
#[test]
fn a_failed_queue_item_is_removed_and_the_download_added_again() {
    let queued = [
        Event::Start,
        Event::PreflightPassed {
            route: Route::ServerQueue,
        },
        Event::Enqueued {
            queue_id: 4,
            item_id: 31,
        },
    ];
    for (kind, removed) in [
        (FailureKind::TranscodeRefused, true),
        (FailureKind::DownloadsNotAllowed, true),
        (FailureKind::QueueItemLost, true),
        (FailureKind::DiskFull, false),
    ] {
        let (mut machine, _) = drive(&queued);
        let retryable = kind.info().retryable;
        let at_failure = handle(
            &mut machine,
            &Event::Failed(Failure {
                kind,
                retryable,
                ..failure(false, 1)
            }),
        );
        let expected_state = if retryable { "backoff" } else { "failed" };
        assert_eq!(state_name(machine.state()), expected_state, "{kind:?}");
        let retried = handle(&mut machine, &Event::Retry);
        assert_eq!(retried, vec![Effect::RunPreflight], "{kind:?}");
        let again = handle(
            &mut machine,
            &Event::PreflightPassed {
                route: Route::ServerQueue,
            },
        );
        if removed {
            assert!(
                at_failure.contains(&Effect::RemoveFailedServerItem {
                    queue_id: 4,
                    item_id: 31
                }),
                "{kind:?}: {at_failure:?}"
            );
            assert_eq!(machine.inner().queue, None, "{kind:?}");
            assert_eq!(again, vec![Effect::Enqueue], "{kind:?}: added again");
        } else {
            assert!(
                !at_failure
                    .iter()
                    .any(|effect| matches!(effect, Effect::RemoveFailedServerItem { .. })),
                "{kind:?}"
            );
            assert_eq!(again, vec![Effect::PollServer], "{kind:?}: the same item");
        }
    }
}
