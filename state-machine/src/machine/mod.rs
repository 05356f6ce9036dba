//! The download state machine (statig). One machine per download; its stored form (shared
//! storage plus the current state) lives in the manifest row and is written in the same
//! transaction as the row after every transition.
//!
//! ```text
//! Queued --Start--> Active[ Preflight --PreflightPassed-->
//!                           Direct[ Transferring --TransferComplete--> Verifying ]
//!                         | ServerPrepared[ Enqueuing -> WaitingForServer -> Fetching -> Verifying ]
//!                         | LiveTranscode --TransferComplete--> Verifying ]  --VerifyPassed--> Completed
//! Active --Failed(retryable, attempts left)--> Backoff{attempt, retry_at, reason} --Wake--> Preflight
//! Active --Failed(final)--> Failed{kind, message, retryable} --Retry--> Preflight
//! Active --Pause--> Paused --Resume--> Preflight;  Active --NetworkLost--> WaitingForNetwork
//! any but Completed --Cancel--> Cancelled
//! ```
//!
//! Handlers are pure: they change the machine's own data and record effects in the context;
//! the engine performs the effects and reports back with events.

pub mod commands;
pub mod effects;
pub mod events;
pub mod retry;

use plexdl_protocol::{DownloadStatus, FailureKind};
use serde::{Deserialize, Serialize};
use statig::prelude::*;

pub use commands::commands;
pub use effects::{Effect, Effects};
pub use events::{Event, Failure, Route};

/// The version of the stored machine format. Raise it when the stored form changes, and keep
/// a stored example of every earlier version in the tests.
pub const MACHINE_FORMAT: u32 = 1;

/// A queue item on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueRef {
    pub queue_id: u64,
    pub item_id: u64,
}

/// The data every state of a download shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Download {
    /// Failed attempts since the last success or user retry.
    pub attempts: u32,
    pub max_attempts: u32,
    /// Mixed into backoff jitter so that downloads do not retry in lockstep.
    pub jitter_seed: u64,
    /// The route chosen by pre-flight.
    pub route: Option<Route>,
    /// The server's queue item, once added.
    pub queue: Option<QueueRef>,
    /// The user chose to start a conversion although the server is busy.
    #[serde(default)]
    pub override_busy: bool,
}

impl Download {
    /// A new download's data.
    pub fn new(jitter_seed: u64) -> Download {
        Download {
            attempts: 0,
            max_attempts: retry::DEFAULT_MAX_ATTEMPTS,
            jitter_seed,
            route: None,
            queue: None,
            override_busy: false,
        }
    }

    fn enter_route(route: Option<Route>, queue: Option<QueueRef>) -> State {
        match route {
            Some(Route::ServerQueue) if queue.is_some() => State::waiting_for_server(0.0),
            Some(Route::ServerQueue) => State::enqueuing(),
            Some(Route::LiveTranscode) => State::live_transcode(0.0),
            _ => State::transferring(),
        }
    }

    /// A queue item that failed itself (a refused conversion, or an item the server lost)
    /// is no use to a retry: adding the same item with the same parameters gives the failed
    /// one back (realServerFindings.md section 2). It is forgotten and removed from the
    /// server, so the next try adds the download anew and the server decides again.
    fn forget_failed_queue_item(&mut self, context: &mut Effects, kind: FailureKind) {
        if kind.is_queue_item_failure()
            && let Some(queue) = self.queue.take()
        {
            // The new item converts anew: bytes of the old one do not belong to its file.
            context.push(Effect::DeletePartial);
            context.push(Effect::RemoveFailedServerItem {
                queue_id: queue.queue_id,
                item_id: queue.item_id,
            });
        }
    }

    fn on_failure(&mut self, failure: &Failure) -> Outcome<State> {
        self.attempts = self.attempts.saturating_add(1);
        if failure.retryable && self.attempts < self.max_attempts {
            let delay = retry::backoff_delay(self.attempts, failure.retry_after, self.jitter_seed);
            let retry_at_ms = failure.at_ms.saturating_add(delay.as_millis() as i64);
            Transition(State::backoff(
                self.attempts,
                retry_at_ms,
                failure.kind,
                failure.message.clone(),
            ))
        } else {
            Transition(State::failed(
                failure.kind,
                failure.message.clone(),
                failure.retryable,
            ))
        }
    }
}

#[state_machine(
    initial = "State::queued()",
    state(derive(Debug, Clone, PartialEq, Serialize, Deserialize)),
    superstate(derive(Debug)),
    after_transition = "Self::after_transition"
)]
impl Download {
    /// Queued: added, not started. Start, Resume or Retry go to Preflight; Pause to Paused;
    /// Cancel to Cancelled.
    #[state]
    fn queued(event: &Event) -> Outcome<State> {
        match event {
            Event::Start | Event::Resume | Event::Retry => Transition(State::preflight()),
            Event::Pause => Transition(State::paused()),
            Event::Cancel => Transition(State::cancelled()),
            _ => Handled,
        }
    }

    /// Active, every working state: Pause goes to Paused, Cancel to Cancelled, NetworkLost to
    /// WaitingForNetwork (each stops a running transfer); Failed and LiveInterrupted go to
    /// Backoff when the failure is retried and attempts are left, else to Failed. A failure
    /// of the server's queue item forgets that item and removes it (RemoveFailedServerItem).
    #[superstate]
    fn active(&mut self, context: &mut Effects, event: &Event) -> Outcome<State> {
        match event {
            Event::Pause => {
                context.push(Effect::StopTransfer);
                Transition(State::paused())
            }
            Event::Cancel => {
                context.push(Effect::StopTransfer);
                Transition(State::cancelled())
            }
            Event::NetworkLost => {
                context.push(Effect::StopTransfer);
                Transition(State::waiting_for_network())
            }
            Event::Failed(failure) => {
                self.forget_failed_queue_item(context, failure.kind);
                self.on_failure(failure)
            }
            _ => Handled,
        }
    }

    /// Preflight: the item is read again and the route chosen. PreflightPassed goes to
    /// Transferring (direct), Enqueuing or WaitingForServer (server queue, without or with a
    /// known queue item) or LiveTranscode (live). A new route forgets the old queue item.
    #[state(superstate = "active", entry_action = "enter_preflight")]
    fn preflight(&mut self, event: &Event) -> Outcome<State> {
        match event {
            Event::PreflightPassed { route } => {
                if self.route != Some(*route) {
                    // A different route makes the old queue item meaningless.
                    if self.route.is_some() {
                        self.queue = None;
                    }
                    self.route = Some(*route);
                }
                Transition(Download::enter_route(self.route, self.queue))
            }
            _ => Super,
        }
    }

    #[action]
    fn enter_preflight(context: &mut Effects) {
        context.push(Effect::RunPreflight);
    }

    /// Direct, the original file moved with ranges: no events of its own.
    #[superstate(superstate = "active")]
    fn direct(event: &Event) -> Outcome<State> {
        let _ = event;
        Super
    }

    /// Transferring: TransferComplete goes to Verifying (direct).
    #[state(superstate = "direct", entry_action = "enter_transferring")]
    fn transferring(event: &Event) -> Outcome<State> {
        match event {
            Event::TransferComplete => Transition(State::direct_verifying()),
            _ => Super,
        }
    }

    #[action]
    fn enter_transferring(context: &mut Effects) {
        context.push(Effect::Transfer {
            route: Route::Direct,
        });
    }

    /// Verifying (direct): VerifyPassed goes to Completed and resets the attempts.
    #[state(superstate = "direct", entry_action = "enter_verifying")]
    fn direct_verifying(&mut self, event: &Event) -> Outcome<State> {
        match event {
            Event::VerifyPassed => {
                self.attempts = 0;
                Transition(State::completed())
            }
            _ => Super,
        }
    }

    #[action]
    fn enter_verifying(context: &mut Effects) {
        context.push(Effect::Verify);
    }

    /// ServerPrepared, the server's download queue converts the file: ServerItemExpired goes
    /// to WaitingForServer (the item is prepared again); Cancel goes to Cancelled.
    #[superstate(superstate = "active")]
    fn server_prepared(&mut self, context: &mut Effects, event: &Event) -> Outcome<State> {
        match event {
            Event::ServerItemExpired => {
                // A restart converts again, and nothing shows that a conversion gives the
                // same bytes twice: bytes fetched before it are not joined to bytes after.
                context.push(Effect::DeletePartial);
                context.push(Effect::RestartServerItem);
                Transition(State::waiting_for_server(0.0))
            }
            Event::Cancel => {
                context.push(Effect::StopTransfer);
                Transition(State::cancelled())
            }
            _ => Super,
        }
    }

    /// Enqueuing: Enqueued (the queue item) goes to WaitingForServer.
    #[state(superstate = "server_prepared", entry_action = "enter_enqueuing")]
    fn enqueuing(&mut self, event: &Event) -> Outcome<State> {
        match event {
            Event::Enqueued { queue_id, item_id } => {
                self.queue = Some(QueueRef {
                    queue_id: *queue_id,
                    item_id: *item_id,
                });
                Transition(State::waiting_for_server(0.0))
            }
            _ => Super,
        }
    }

    #[action]
    fn enter_enqueuing(context: &mut Effects) {
        context.push(Effect::Enqueue);
    }

    /// WaitingForServer{progress}: ServerProgress stays here with the new progress (and
    /// polls again); ServerReady goes to Fetching.
    #[state(
        superstate = "server_prepared",
        entry_action = "enter_waiting_for_server"
    )]
    fn waiting_for_server(progress: &mut f64, event: &Event) -> Outcome<State> {
        match event {
            Event::ServerProgress { progress: now, .. } => {
                *progress = *now;
                Transition(State::waiting_for_server(*now))
            }
            Event::ServerReady => Transition(State::fetching()),
            _ => Super,
        }
    }

    #[action]
    fn enter_waiting_for_server(context: &mut Effects) {
        context.push(Effect::PollServer);
    }

    /// Fetching: TransferComplete goes to Verifying (prepared).
    #[state(superstate = "server_prepared", entry_action = "enter_fetching")]
    fn fetching(event: &Event) -> Outcome<State> {
        match event {
            Event::TransferComplete => Transition(State::prepared_verifying()),
            _ => Super,
        }
    }

    #[action]
    fn enter_fetching(context: &mut Effects) {
        context.push(Effect::Transfer {
            route: Route::ServerQueue,
        });
    }

    /// Verifying (prepared): VerifyPassed goes to Completed and resets the attempts.
    #[state(superstate = "server_prepared", entry_action = "enter_verifying")]
    fn prepared_verifying(&mut self, event: &Event) -> Outcome<State> {
        match event {
            Event::VerifyPassed => {
                self.attempts = 0;
                Transition(State::completed())
            }
            _ => Super,
        }
    }

    /// LiveTranscode: TransferComplete goes to Verifying (direct). A live transcode cannot
    /// be resumed (an `offset` starts a new stream with its own header), so every transfer
    /// starts it from zero. `offset_seconds` is always 0: it stays in the state only so that
    /// machines stored in format 1, when a resume at an offset was tried, still load.
    #[state(superstate = "active", entry_action = "enter_live_transcode")]
    fn live_transcode(offset_seconds: &mut f64, event: &Event) -> Outcome<State> {
        let _ = offset_seconds;
        match event {
            Event::TransferComplete => Transition(State::direct_verifying()),
            _ => Super,
        }
    }

    #[action]
    fn enter_live_transcode(context: &mut Effects) {
        context.push(Effect::Transfer {
            route: Route::LiveTranscode,
        });
    }

    /// Paused: Resume or Retry go to Preflight; Cancel to Cancelled.
    #[state]
    fn paused(event: &Event) -> Outcome<State> {
        match event {
            Event::Resume | Event::Retry => Transition(State::preflight()),
            Event::Cancel => Transition(State::cancelled()),
            _ => Handled,
        }
    }

    /// Backoff{attempt, retryAt, kind, reason}: Wake, Retry or Resume go to Preflight; Pause
    /// to Paused; Cancel to Cancelled; NetworkLost to WaitingForNetwork.
    #[state(entry_action = "enter_backoff")]
    fn backoff(
        attempt: &mut u32,
        retry_at_ms: &mut i64,
        kind: &mut FailureKind,
        reason: &mut String,
        event: &Event,
    ) -> Outcome<State> {
        let _ = (attempt, retry_at_ms, kind, reason);
        match event {
            Event::Wake | Event::Retry | Event::Resume => Transition(State::preflight()),
            Event::Pause => Transition(State::paused()),
            Event::Cancel => Transition(State::cancelled()),
            Event::NetworkLost => Transition(State::waiting_for_network()),
            _ => Handled,
        }
    }

    #[action]
    fn enter_backoff(retry_at_ms: &mut i64, context: &mut Effects) {
        context.push(Effect::ScheduleWake {
            at_ms: *retry_at_ms,
        });
    }

    /// WaitingForNetwork: NetworkBack, Wake, Resume or Retry go to Preflight; Pause to
    /// Paused; Cancel to Cancelled.
    #[state(entry_action = "enter_waiting_for_network")]
    fn waiting_for_network(event: &Event) -> Outcome<State> {
        match event {
            Event::NetworkBack | Event::Wake | Event::Resume | Event::Retry => {
                Transition(State::preflight())
            }
            Event::Pause => Transition(State::paused()),
            Event::Cancel => Transition(State::cancelled()),
            _ => Handled,
        }
    }

    #[action]
    fn enter_waiting_for_network(context: &mut Effects) {
        context.push(Effect::WaitForNetwork);
    }

    /// Completed: FileLost (verification found the file missing or damaged) goes to Failed.
    #[state(entry_action = "enter_completed")]
    fn completed(event: &Event) -> Outcome<State> {
        match event {
            Event::FileLost { kind, message } => {
                Transition(State::failed(*kind, message.clone(), false))
            }
            _ => Handled,
        }
    }

    #[action]
    fn enter_completed(&mut self, context: &mut Effects) {
        if self.queue.is_some() {
            context.push(Effect::RemoveServerItem);
        }
    }

    /// Failed{kind, message, retryable}: Retry or Resume go to Preflight with the attempts
    /// reset (a busy-server refusal is then started anyway); Cancel goes to Cancelled. A
    /// download whose server queue item failed has forgotten it already (see `active`);
    /// one stored before that still holds it, and forgets it here.
    #[state]
    fn failed(
        &mut self,
        context: &mut Effects,
        kind: &mut FailureKind,
        message: &mut String,
        retryable: &mut bool,
        event: &Event,
    ) -> Outcome<State> {
        let _ = (message, retryable);
        match event {
            Event::Retry | Event::Resume => {
                self.attempts = 0;
                // Retrying a download held back by a busy server means "start it anyway".
                self.override_busy = *kind == FailureKind::ServerBusy;
                // Failures stored before queue items were forgotten at once still hold one.
                self.forget_failed_queue_item(context, *kind);
                Transition(State::preflight())
            }
            Event::Cancel => Transition(State::cancelled()),
            _ => Handled,
        }
    }

    /// Cancelled: Retry goes to Preflight, from zero (queue item forgotten).
    #[state(entry_action = "enter_cancelled")]
    fn cancelled(&mut self, event: &Event) -> Outcome<State> {
        match event {
            Event::Retry => {
                self.attempts = 0;
                self.queue = None;
                Transition(State::preflight())
            }
            _ => Handled,
        }
    }

    #[action]
    fn enter_cancelled(&mut self, context: &mut Effects) {
        context.push(Effect::DeletePartial);
        if self.queue.is_some() {
            context.push(Effect::RemoveServerItem);
        }
    }
}

impl Download {
    fn after_transition(&mut self, source: &State, target: &State, _context: &mut Effects) {
        tracing::info!(
            from = state_name(source),
            to = state_name(target),
            attempts = self.attempts,
            "download state changed"
        );
    }
}

/// The one place where a machine state becomes the status stored in the manifest's status
/// column and shown everywhere else. Both verifying states are `verifying`.
impl From<&State> for DownloadStatus {
    fn from(state: &State) -> DownloadStatus {
        match state {
            State::Queued {} => DownloadStatus::Queued,
            State::Preflight {} => DownloadStatus::Preflight,
            State::Transferring {} => DownloadStatus::Transferring,
            State::DirectVerifying {} | State::PreparedVerifying {} => DownloadStatus::Verifying,
            State::Enqueuing {} => DownloadStatus::Enqueuing,
            State::WaitingForServer { .. } => DownloadStatus::WaitingForServer,
            State::Fetching {} => DownloadStatus::Fetching,
            State::LiveTranscode { .. } => DownloadStatus::LiveTranscode,
            State::Paused {} => DownloadStatus::Paused,
            State::Backoff { .. } => DownloadStatus::Backoff,
            State::WaitingForNetwork {} => DownloadStatus::WaitingForNetwork,
            State::Completed {} => DownloadStatus::Completed,
            State::Failed { .. } => DownloadStatus::Failed,
            State::Cancelled {} => DownloadStatus::Cancelled,
        }
    }
}

/// The stored name of a state's status (for logs and tests).
pub fn state_name(state: &State) -> &'static str {
    DownloadStatus::from(state).name()
}

/// Whether a state needs no more work (nothing will happen without the user).
pub fn is_terminal(state: &State) -> bool {
    !DownloadStatus::from(state).needs_work()
}

/// A machine that runs: stored, loaded, fed events.
pub type Machine = statig::blocking::InitializedStateMachine<Download>;

/// A stored machine, before its state is entered again.
pub type StoredMachine = statig::blocking::UninitializedStateMachine<Download>;

/// A new machine in Queued.
pub fn new_machine(jitter_seed: u64) -> Machine {
    let mut effects = Effects::default();
    Download::new(jitter_seed)
        .uninitialized_state_machine()
        .init_with_context(&mut effects)
}

/// The stored form of a machine.
pub fn to_json(machine: &Machine) -> String {
    serde_json::to_string(machine).unwrap_or_default()
}

/// Loads a stored machine and enters its state again; the entry effects (safe to repeat)
/// are returned with it.
pub fn from_json(text: &str) -> Result<(Machine, Vec<Effect>), serde_json::Error> {
    let stored: StoredMachine = serde_json::from_str(text)?;
    let mut effects = Effects::default();
    let machine = stored.init_with_context(&mut effects);
    Ok((machine, effects.take()))
}

/// Feeds an event and returns the effects it caused.
pub fn handle(machine: &mut Machine, event: &Event) -> Vec<Effect> {
    let mut effects = Effects::default();
    machine.handle_with_context(event, &mut effects);
    effects.take()
}

#[cfg(test)]
#[path = "machineTests.rs"]
mod machine_tests;

#[cfg(test)]
#[path = "docsTests.rs"]
mod docs_tests;
