//! docs/stateMachine.md against the code: every row of its transition table must be what the
//! machine does, and every transition the machine makes must have its row. The table is
//! read as written: a state cell may name several states ("Failed, Paused") or a superstate
//! ("Active (any)"); an event cell may list several events; "A / B / C" in both the event and
//! the next-state cell pairs them up in order.

use plexdl_protocol::FailureKind;

use super::*;

/// A machine in every state of the code, by the name the docs use, reached by the events a
/// download really gets.
fn machines() -> Vec<(&'static str, Machine)> {
    super::machine_tests::paths_to_every_state()
        .into_iter()
        .map(|(_, events)| {
            let mut machine = new_machine(3);
            for event in &events {
                handle(&mut machine, event);
            }
            (variant(machine.state()), machine)
        })
        .collect()
}

fn variant(state: &State) -> &'static str {
    match state {
        State::Queued {} => "Queued",
        State::Preflight {} => "Preflight",
        State::Transferring {} => "Transferring",
        State::DirectVerifying {} => "DirectVerifying",
        State::Enqueuing {} => "Enqueuing",
        State::WaitingForServer { .. } => "WaitingForServer",
        State::Fetching {} => "Fetching",
        State::PreparedVerifying {} => "PreparedVerifying",
        State::LiveTranscode { .. } => "LiveTranscode",
        State::Paused {} => "Paused",
        State::Backoff { .. } => "Backoff",
        State::WaitingForNetwork {} => "WaitingForNetwork",
        State::Completed {} => "Completed",
        State::Failed { .. } => "Failed",
        State::Cancelled {} => "Cancelled",
    }
}

const ACTIVE: [&str; 8] = [
    "Preflight",
    "Transferring",
    "DirectVerifying",
    "Enqueuing",
    "WaitingForServer",
    "Fetching",
    "PreparedVerifying",
    "LiveTranscode",
];
const SERVER_PREPARED: [&str; 4] = [
    "Enqueuing",
    "WaitingForServer",
    "Fetching",
    "PreparedVerifying",
];

/// The code's states a docs state cell names.
fn states_named(cell: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    for part in cell.split(',') {
        let name = part.trim();
        match name {
            "Active (any)" => out.extend(ACTIVE),
            "ServerPrepared (any)" => out.extend(SERVER_PREPARED),
            "Verifying" => out.extend(["DirectVerifying", "PreparedVerifying"]),
            other => out.push(
                machines()
                    .iter()
                    .map(|(known, _)| *known)
                    .find(|known| *known == other)
                    .unwrap_or_else(|| panic!("docs name a state the code does not have: {other}")),
            ),
        }
    }
    out
}

/// Every event the machine knows, by the name the docs use (one example of each, and both
/// kinds of failure).
fn events() -> Vec<(&'static str, Event)> {
    let retryable = Failure::new(FailureKind::Timeout, "slow", 0);
    let last = Failure::new(FailureKind::Forbidden, "no", 0);
    vec![
        ("Start", Event::Start),
        (
            "PreflightPassed(direct)",
            Event::PreflightPassed {
                route: Route::Direct,
            },
        ),
        (
            "PreflightPassed(serverQueue)",
            Event::PreflightPassed {
                route: Route::ServerQueue,
            },
        ),
        (
            "PreflightPassed(liveTranscode)",
            Event::PreflightPassed {
                route: Route::LiveTranscode,
            },
        ),
        ("TransferComplete", Event::TransferComplete),
        ("VerifyPassed", Event::VerifyPassed),
        (
            "Enqueued",
            Event::Enqueued {
                queue_id: 9,
                item_id: 8,
            },
        ),
        (
            "ServerProgress",
            Event::ServerProgress {
                progress: 42.0,
                at_ms: 0,
            },
        ),
        ("ServerReady", Event::ServerReady),
        ("ServerItemExpired", Event::ServerItemExpired),
        ("Failed(retryable)", Event::Failed(retryable)),
        ("Failed(final)", Event::Failed(last)),
        ("Wake", Event::Wake),
        ("Pause", Event::Pause),
        ("Resume", Event::Resume),
        ("Cancel", Event::Cancel),
        ("Retry", Event::Retry),
        (
            "FileLost",
            Event::FileLost {
                kind: FailureKind::Missing,
                message: "gone".into(),
            },
        ),
        ("NetworkLost", Event::NetworkLost),
        ("NetworkBack", Event::NetworkBack),
    ]
}

/// The events a docs event cell names: a list of names, each maybe with its data in braces
/// or a condition after it.
fn events_named(cell: &str) -> Vec<&'static str> {
    let known = events();
    let mut out = Vec::new();
    let mut depth = 0;
    let mut part = String::new();
    let mut parts = Vec::new();
    for c in cell.chars() {
        match c {
            '{' | '(' => depth += 1,
            '}' | ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut part));
                continue;
            }
            _ => {}
        }
        part.push(c);
    }
    parts.push(part);
    for part in parts {
        let part = part.trim();
        if part.is_empty() || !part.starts_with(|c: char| c.is_ascii_uppercase()) {
            // A condition that goes with the event before it ("no queue item yet").
            continue;
        }
        let found = known
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| part.starts_with(name))
            .max_by_key(|name| name.len());
        out.push(
            found.unwrap_or_else(|| panic!("docs name an event the code does not have: {part}")),
        );
    }
    out
}

/// Whether the state reached matches the docs' next-state cell.
fn matches_next(cell: &str, reached: &str, event: &str) -> bool {
    let cell = cell.trim();
    if cell.starts_with("as Failed") {
        return matches!(reached, "Backoff" | "Failed");
    }
    if let Some(rest) = cell.strip_prefix("Verifying") {
        return if rest.contains("direct") {
            reached == "DirectVerifying"
        } else if rest.contains("prepared") {
            reached == "PreparedVerifying"
        } else {
            reached.ends_with("Verifying")
        };
    }
    let name: String = cell
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let _ = event;
    name == reached
}

struct Row {
    states: Vec<&'static str>,
    events: Vec<&'static str>,
    next: String,
    /// The row's condition says the server's queue item is already known.
    queue_known: bool,
}

/// Pre-flight of a download whose queue item is known (it was added, then a retry came).
fn preflight_with_queue_item() -> Machine {
    let mut machine = new_machine(3);
    for event in [
        Event::Start,
        Event::PreflightPassed {
            route: Route::ServerQueue,
        },
        Event::Enqueued {
            queue_id: 1,
            item_id: 2,
        },
        Event::Failed(Failure::new(FailureKind::Timeout, "slow", 0)),
        Event::Wake,
    ] {
        handle(&mut machine, &event);
    }
    assert!(matches!(machine.state(), State::Preflight {}));
    assert!(machine.inner().queue.is_some());
    machine
}

fn rows() -> Vec<Row> {
    let docs = std::fs::read_to_string(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/stateMachine.md"),
    )
    .expect("docs/stateMachine.md");
    let table = docs
        .split("## Events, transitions and effects")
        .nth(1)
        .expect("the transition table");
    let mut rows = Vec::new();
    for line in table
        .lines()
        .skip_while(|line| !line.starts_with("| state"))
        .skip(2)
    {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let (state, event, next) = (cells[0], cells[1], cells[2]);
        let event_groups: Vec<&str> = event.split(" / ").collect();
        let next_groups: Vec<&str> = next.split(" / ").collect();
        assert_eq!(event_groups.len(), next_groups.len(), "row {line}");
        for (events, next) in event_groups.iter().zip(next_groups) {
            rows.push(Row {
                states: states_named(state),
                events: events_named(events),
                next: next.to_string(),
                queue_known: events.contains("queue item known"),
            });
        }
    }
    assert!(rows.len() > 20, "rows read: {}", rows.len());
    rows
}

/// "Failed(retryable) with attempts left" covers the retryable failure, "Failed(final) or
/// attempts used up" the final one.
fn event_of(name: &str) -> Event {
    events()
        .into_iter()
        .find(|(known, _)| *known == name)
        .map(|(_, event)| event)
        .expect("a known event")
}

#[test]
fn every_transition_in_the_docs_is_what_the_machine_does() {
    let machines = machines();
    for row in rows() {
        for state in &row.states {
            let (_, machine) = machines
                .iter()
                .find(|(name, _)| name == state)
                .expect("machine");
            for event in &row.events {
                let mut probe = if row.queue_known {
                    preflight_with_queue_item()
                } else {
                    machine.clone()
                };
                handle(&mut probe, &event_of(event));
                let reached = variant(probe.state());
                assert!(
                    matches_next(&row.next, reached, event),
                    "docs: {state} --{event}--> {}, but the machine goes to {reached}",
                    row.next
                );
            }
        }
    }
}

#[test]
fn every_transition_of_the_machine_is_in_the_docs() {
    let rows = rows();
    for (state, machine) in machines() {
        for (event_name, event) in events() {
            let mut probe = machine.clone();
            handle(&mut probe, &event);
            if probe.state() == machine.state() {
                continue;
            }
            let documented = rows
                .iter()
                .any(|row| row.states.contains(&state) && row.events.contains(&event_name));
            assert!(
                documented,
                "the machine goes {state} --{event_name}--> {}, and docs/stateMachine.md has no row for it",
                variant(probe.state())
            );
        }
    }
}
