//! A run of the queue: the one loop every host uses to get downloads done (`plexdl run`,
//! `plexdl ui`, the Android worker). The hosts only keep time; what runs and when is
//! decided here, from the manifest.
//!
//! A run looks at the manifest, starts a step for every download that is due (each step is
//! its own task; the transfer slots decide how many of them move bytes at once), and looks
//! again whenever a step ends, the [`WakeSignal`] is raised, a download becomes due, or 2
//! seconds passed while steps run (so that pauses and cancels from other processes reach
//! the steps). It ends when:
//!
//! - nothing is running and no download wants work ([`QueueEnd::Idle`]), or the next one
//!   is due later than the run may linger ([`QueueEnd::Waiting`], with the time), or every
//!   download that wants work waits for a network the user allows
//!   ([`QueueEnd::WaitingForNetwork`]);
//! - the host raises the [`StopSignal`] ([`QueueEnd::Stopped`]) or the run's time budget is
//!   used ([`QueueEnd::OutOfTime`]): every step is asked to save its progress, and the run
//!   returns once they all have;
//! - the download folder is not there (a storage card taken out,
//!   [`QueueEnd::StorageMissing`]): nothing starts until it is back;
//! - the list of downloads cannot be used (an error, after the steps ended).
//!
//! A run has at most as many steps going as there are transfer slots, plus 2 for downloads
//! that only ask the server something; the oldest due downloads go first. A download whose
//! next step moves bytes is not started while its server has no free slot in this process
//! (the step would end at once); a step that ends may free one, and the run looks again. So
//! a thousand queued episodes cost one step each to get ready, then one transfer at a time,
//! not a thousand steps every second.
//!
//! A step that failed is tried again 5 seconds later at the earliest, so a failure that
//! repeats never becomes a loop without pauses. While the host reports a network the user
//! does not allow (mobile data with Wi-Fi only), no step starts.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use plexdl_protocol::{DownloadStatus, QueueEnd, QueueRunOptions, QueueRunReport, StepResult};
use tokio::task::JoinSet;
use tracing::Instrument;

use super::signals::{RunEnd, StopSignal, WakeSignal};
use super::{CoreError, DownloadCore};
use crate::manifest::DownloadSummary;

/// How often a run looks at the manifest while steps run, at the longest.
const ROUND: Duration = Duration::from_secs(2);

/// How long a download whose step failed waits before its next step, at the least.
pub const FAILED_STEP_PAUSE: Duration = Duration::from_secs(5);

/// How long a download that waits for the network waits before the run looks at it again.
const NETWORK_PAUSE: Duration = Duration::from_secs(5);

/// Steps a run has going at once beyond the transfer slots: room for downloads that only
/// ask the server something (a queue item's state) while every slot transfers. More would
/// only wait: a step that finds no free slot ends at once.
const STEPS_BEYOND_SLOTS: usize = 2;

/// What a host wants to hear while a run goes on (the desktop prints progress lines).
pub trait QueueObserver: Send + Sync {
    /// A step ended, with its result or its error (already logged).
    fn step_ended(&self, _id: i64, _result: Result<&StepResult, &CoreError>) {}
    /// The run looked at the queue; these downloads have a step running.
    fn looked(&self, _running: &[i64]) {}
    /// The run's wait ended, for this reason (the benchmarks count the timer's wake-ups).
    fn woke(&self, _by: Woken) {}
}

/// What ended a wait of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    /// Its own timer: a download became due, or a round passed while steps run. On a
    /// phone these are the wake-ups the run itself causes.
    Timer,
    /// A step ended (the step's own work woke the process: an answer, a transfer's end).
    StepEnded,
    /// The wake signal (a command, the doorbell) or the stop signal.
    Signal,
}

/// An observer that hears nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Unobserved;

impl QueueObserver for Unobserved {}

/// Marks the run as over in the wake signal if it ends in any way other than a clean end
/// (an error, a stop, a panic, a host that drops the run's future).
struct ActiveRun<'a> {
    wake: &'a WakeSignal,
    armed: bool,
}

impl Drop for ActiveRun<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.wake.abandon_run();
        }
    }
}

/// A step's download and how the step ended.
type StepOutcome = (i64, Result<StepResult, CoreError>);

/// The steps a run has going, with each step's own stop flag.
struct Steps {
    tasks: JoinSet<StepOutcome>,
    /// Which download each task runs (to know whose step panicked).
    tasks_to_ids: HashMap<tokio::task::Id, i64>,
    flags: HashMap<i64, Arc<AtomicBool>>,
}

impl Steps {
    fn ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.flags.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    fn raise_all(&self) {
        for flag in self.flags.values() {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

/// What a run counts and remembers between its looks.
struct Tally {
    steps: u32,
    failed_steps: u32,
    /// The earliest time each download may run again, from its last step's result.
    not_before: HashMap<i64, Instant>,
}

impl Tally {
    /// When a download may run: the time its row asks for, and not before its last step's
    /// result allows.
    fn due_at(&self, row: &DownloadSummary, now: Instant, now_ms: i64) -> Instant {
        let wanted = row.next_wake_at.map_or(0, |at| (at - now_ms).max(0) as u64);
        let at = now + Duration::from_millis(wanted);
        self.not_before
            .get(&row.id)
            .map_or(at, |earliest| at.max(*earliest))
    }
}

impl DownloadCore {
    /// "Run the queue now": raised by the core itself whenever something changes what
    /// should run. Hosts wait on it, or ask [`WakeSignal::host_should_start_run`] after
    /// passing on a request.
    pub fn wake_signal(&self) -> &WakeSignal {
        &self.wake
    }

    /// Runs the queue until nothing is due, the host stops it or its budget is used (see
    /// the module documentation). One run at a time per process: a second one returns
    /// [`QueueEnd::AlreadyRunning`] at once and the first one carries on with the work.
    pub async fn run_queue(
        self: Arc<Self>,
        stop: Arc<StopSignal>,
        options: QueueRunOptions,
        observer: &dyn QueueObserver,
    ) -> Result<QueueRunReport, CoreError> {
        if !self.wake.begin_run() {
            tracing::info!("the queue already runs in this process");
            return Ok(self.report(QueueEnd::AlreadyRunning, None, 0, 0));
        }
        let mut active = ActiveRun {
            wake: &self.wake,
            armed: true,
        };
        let span = tracing::info_span!(
            "queue",
            budget_ms = options.budget_millis,
            linger_ms = options.linger_millis
        );
        let report = self
            .clone()
            .rounds(&stop, &options, observer, &mut active)
            .instrument(span)
            .await;
        drop(active);
        if let Ok(report) = &report {
            tracing::info!(ended = ?report.ended, next_wake_ms = report.next_wake_millis, steps = report.steps, failed_steps = report.failed_steps, "queue run ended");
        }
        report
    }

    async fn rounds(
        self: Arc<Self>,
        stop: &StopSignal,
        options: &QueueRunOptions,
        observer: &dyn QueueObserver,
        active: &mut ActiveRun<'_>,
    ) -> Result<QueueRunReport, CoreError> {
        self.ensure_runner()?;
        let started = Instant::now();
        let budget_end = options
            .budget_millis
            .map(|millis| started + Duration::from_millis(millis));
        let linger = Duration::from_millis(options.linger_millis);
        let mut steps = Steps {
            tasks: JoinSet::new(),
            tasks_to_ids: HashMap::new(),
            flags: HashMap::new(),
        };
        let mut tally = Tally {
            steps: 0,
            failed_steps: 0,
            not_before: HashMap::new(),
        };
        // The pass over the watch outbox and the keep rules under way, if any (one at a
        // time).
        let mut outbox: Option<tokio::task::JoinHandle<()>> = None;
        loop {
            let out_of_time = budget_end.is_some_and(|end| Instant::now() >= end);
            if stop.is_raised() || out_of_time {
                steps.raise_all();
                self.finish_steps(&mut steps, &mut tally, observer).await;
                finish_outbox(&mut outbox).await;
                let (end, next) = if stop.is_raised() {
                    (QueueEnd::Stopped, self.next_due(&tally)?)
                } else {
                    (QueueEnd::OutOfTime, Some(0))
                };
                return Ok(self.report(end, next, tally.steps, tally.failed_steps));
            }
            if self.manifest_stopped() {
                steps.raise_all();
                self.finish_steps(&mut steps, &mut tally, observer).await;
                finish_outbox(&mut outbox).await;
                return Err(CoreError::ManifestStopped(
                    "see the log for each failure".to_string(),
                ));
            }
            // What changed until now, this look sees.
            self.wake.looking();
            let look = self.look(&steps, &mut tally);
            let look = match look {
                Ok(look) => look,
                Err(error) => {
                    steps.raise_all();
                    self.finish_steps(&mut steps, &mut tally, observer).await;
                    finish_outbox(&mut outbox).await;
                    return Err(error);
                }
            };
            if (look.outbox_due || look.rules_due) && outbox.is_none() {
                outbox = Some(
                    self.clone()
                        .start_server_pass(look.outbox_due, look.rules_due),
                );
            }
            // The oldest due downloads first; the others stay due for the next look, which
            // comes when a step ends.
            let most_steps = self.transfer_limits().0 + STEPS_BEYOND_SLOTS;
            for id in &look.due {
                if steps.flags.len() >= most_steps {
                    break;
                }
                self.clone().start_step(*id, &mut steps, &mut tally);
            }
            observer.looked(&steps.ids());
            let now = Instant::now();
            if steps.flags.is_empty() && outbox.is_none() {
                let wait = look.soonest.map(|at| at.saturating_duration_since(now));
                let end = match wait {
                    _ if look.folder_missing => Some(QueueEnd::StorageMissing),
                    None if look.waiting_for_network => Some(QueueEnd::WaitingForNetwork),
                    None => Some(QueueEnd::Idle),
                    Some(wait)
                        if wait > linger || budget_end.is_some_and(|end| now + wait > end) =>
                    {
                        Some(QueueEnd::Waiting)
                    }
                    Some(_) => None,
                };
                if let Some(end) = end {
                    match self.wake.finish_run() {
                        RunEnd::LookAgain => continue,
                        RunEnd::Ended => {
                            active.armed = false;
                            let next = wait.map(|wait| wait.as_millis() as u64);
                            return Ok(self.report(end, next, tally.steps, tally.failed_steps));
                        }
                    }
                }
            }
            let mut sleep = look
                .soonest
                .map_or(ROUND, |at| at.saturating_duration_since(now));
            if !steps.flags.is_empty() {
                sleep = sleep.min(ROUND);
            }
            if let Some(end) = budget_end {
                sleep = sleep.min(end.saturating_duration_since(now));
            }
            let woken = tokio::select! {
                joined = steps.tasks.join_next_with_id(), if !steps.tasks.is_empty() => {
                    if let Some(joined) = joined {
                        self.step_joined(joined, &mut steps, &mut tally, observer);
                    }
                    Woken::StepEnded
                }
                _ = async {
                    match outbox.as_mut() {
                        Some(pass) => {
                            let _ = pass.await;
                        }
                        None => std::future::pending::<()>().await,
                    }
                }, if outbox.is_some() => {
                    outbox = None;
                    Woken::StepEnded
                }
                _ = tokio::time::sleep(sleep) => Woken::Timer,
                _ = self.wake.raised() => Woken::Signal,
                _ = stop.raised() => Woken::Signal,
            };
            observer.woke(woken);
        }
    }

    /// One look at the manifest: passes on other processes' changes, finds every due
    /// download, and says when the next one is due.
    fn look(&self, steps: &Steps, tally: &mut Tally) -> Result<Look, CoreError> {
        self.notice_other_processes()?;
        // The lean rows of the screens' list: a look never reads the cached metadata, which
        // is kilobytes per download (with a thousand queued, a look per step end).
        let mut rows = self.summaries()?;
        let mut look = Look {
            due: Vec::new(),
            soonest: None,
            waiting_for_network: false,
            folder_missing: false,
            outbox_due: false,
            rules_due: false,
        };
        // Watched-state changes go to their servers, and the keep rules are applied,
        // whatever the downloads do (also while the download folder is missing).
        let now = Instant::now();
        let now_ms = crate::manifest::now_ms();
        let (outbox_due, outbox_later) = self.watch_outbox_due(now_ms)?;
        let (rules_due, rules_later) = self.rules_due(now_ms)?;
        look.outbox_due = outbox_due;
        look.rules_due = rules_due;
        look.soonest = [outbox_later, rules_later]
            .into_iter()
            .flatten()
            .min()
            .map(|at| now + Duration::from_millis((at - now_ms).max(0) as u64));
        if !self.download_folder_present() {
            // Nothing starts until the folder is back (see `download_folder_present`).
            look.folder_missing = rows.iter().any(|row| row.download_status.needs_work());
            return Ok(look);
        }
        let usable = self.network_usable();
        if usable
            && rows
                .iter()
                .any(|row| row.download_status == DownloadStatus::WaitingForNetwork)
        {
            // The host says a network the user allows is there: the downloads that waited
            // for it go on.
            self.network_changed(true)?;
            rows = self.summaries()?;
        }
        let known: std::collections::HashSet<i64> = rows.iter().map(|row| row.id).collect();
        tally.not_before.retain(|id, _| known.contains(id));
        // Slots this look gives to the downloads it starts (they take them once they run).
        let mut promised_total = 0;
        let mut promised: HashMap<String, usize> = HashMap::new();
        for row in rows {
            if !row.download_status.needs_work() || steps.flags.contains_key(&row.id) {
                continue;
            }
            if !usable {
                look.waiting_for_network = true;
                continue;
            }
            let at = tally.due_at(&row, now, now_ms);
            if at > now {
                look.soonest = Some(look.soonest.map_or(at, |soonest: Instant| soonest.min(at)));
                continue;
            }
            if row.download_status.moves_bytes() {
                // Its step would find no slot and end at once: it waits for a step that
                // ends (and may free one), which makes the run look again.
                let (free_total, free_here) = self.slots.free(&row.server_identifier);
                let here = promised.entry(row.server_identifier.clone()).or_insert(0);
                if free_total <= promised_total || free_here <= *here {
                    continue;
                }
                promised_total += 1;
                *here += 1;
            }
            look.due.push(row.id);
        }
        Ok(look)
    }

    /// Starts a pass over the watch outbox (first, so the rules see what was sent) and the
    /// keep rules, as a task of its own; failures are logged there (each outbox entry and
    /// each rule keeps its own next try).
    fn start_server_pass(
        self: Arc<Self>,
        outbox: bool,
        rules: bool,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(
            async move {
                let mut failed = false;
                if outbox {
                    match self.send_watch_changes().await {
                        Ok(pass) => tracing::debug!(
                            settled = pass.settled.len(),
                            failed = pass.failed,
                            "watch outbox pass ended"
                        ),
                        Err(error) => {
                            error.log_failure("watch outbox pass failed");
                            failed = true;
                        }
                    }
                }
                if rules {
                    match self.apply_rules().await {
                        Ok(pass) => tracing::debug!(
                            queued = pass.queued.len(),
                            deleted = pass.deleted.len(),
                            failed = pass.failed,
                            "keep rules applied"
                        ),
                        Err(error) => {
                            error.log_failure("keep rules not applied");
                            failed = true;
                        }
                    }
                }
                if failed {
                    // The pass ends after a pause, so a failure that repeats (the
                    // manifest) never becomes a loop without pauses.
                    tokio::time::sleep(FAILED_STEP_PAUSE).await;
                }
            }
            .instrument(tracing::info_span!("server_pass")),
        )
    }

    fn start_step(self: Arc<Self>, id: i64, steps: &mut Steps, tally: &mut Tally) {
        let flag = Arc::new(AtomicBool::new(false));
        steps.flags.insert(id, flag.clone());
        tally.steps += 1;
        let task = steps.tasks.spawn(
            async move {
                let result = self.run_step(id, flag).await;
                if let Err(error) = &result {
                    error.log_failure("download step failed");
                }
                tracing::debug!(ok = result.is_ok(), "step ended");
                (id, result)
            }
            .instrument(tracing::info_span!("queue_step", download_id = id)),
        );
        steps.tasks_to_ids.insert(task.id(), id);
    }

    fn step_joined(
        &self,
        joined: Result<(tokio::task::Id, StepOutcome), tokio::task::JoinError>,
        steps: &mut Steps,
        tally: &mut Tally,
        observer: &dyn QueueObserver,
    ) {
        let (id, result) = match joined {
            Ok((task, done)) => {
                steps.tasks_to_ids.remove(&task);
                done
            }
            Err(error) => {
                // A step that panicked: its download is tried again after the pause, as
                // after any failed step.
                tracing::error!(error = %plexdl_redact::redact_text(&error.to_string()), "a download step panicked");
                if let Some(id) = steps.tasks_to_ids.remove(&error.id()) {
                    steps.flags.remove(&id);
                    tally.failed_steps += 1;
                    tally
                        .not_before
                        .insert(id, Instant::now() + FAILED_STEP_PAUSE);
                }
                return;
            }
        };
        steps.flags.remove(&id);
        let now = Instant::now();
        match &result {
            Ok(StepResult::WakeAfter { millis }) => {
                tally
                    .not_before
                    .insert(id, now + Duration::from_millis(*millis));
            }
            Ok(StepResult::WaitForNetwork) => {
                tally.not_before.insert(id, now + NETWORK_PAUSE);
            }
            Ok(StepResult::Idle { status }) => {
                tally.not_before.remove(&id);
                if *status == DownloadStatus::Completed {
                    // A keep rule may want its next episode now.
                    self.rule_inputs_changed();
                }
            }
            Err(_) => {
                tally.failed_steps += 1;
                tally.not_before.insert(id, now + FAILED_STEP_PAUSE);
            }
        }
        observer.step_ended(id, result.as_ref());
    }

    /// Waits for every running step to end (each was asked to save its progress).
    async fn finish_steps(
        &self,
        steps: &mut Steps,
        tally: &mut Tally,
        observer: &dyn QueueObserver,
    ) {
        while let Some(joined) = steps.tasks.join_next_with_id().await {
            self.step_joined(joined, steps, tally, observer);
        }
        steps.flags.clear();
    }

    /// When the next download is due, in milliseconds from now (for a report after a stop).
    fn next_due(&self, tally: &Tally) -> Result<Option<u64>, CoreError> {
        let now = Instant::now();
        let now_ms = crate::manifest::now_ms();
        Ok(self
            .summaries()?
            .iter()
            .filter(|row| row.download_status.needs_work())
            .map(|row| {
                tally
                    .due_at(row, now, now_ms)
                    .saturating_duration_since(now)
                    .as_millis() as u64
            })
            .min())
    }

    fn report(
        &self,
        ended: QueueEnd,
        next_wake_millis: Option<u64>,
        steps: u32,
        failed_steps: u32,
    ) -> QueueRunReport {
        QueueRunReport {
            ended,
            next_wake_millis,
            wifi_only: self.wifi_only(),
            steps,
            failed_steps,
        }
    }
}

/// Waits for a pass over the watch outbox to end (its requests have timeouts of their own).
async fn finish_outbox(outbox: &mut Option<tokio::task::JoinHandle<()>>) {
    if let Some(pass) = outbox.take() {
        let _ = pass.await;
    }
}

/// What one look found.
struct Look {
    /// The downloads to start a step for now.
    due: Vec<i64>,
    /// When the next download that is not running now is due.
    soonest: Option<Instant>,
    /// Downloads wait for a network the user allows.
    waiting_for_network: bool,
    /// The download folder is not there.
    folder_missing: bool,
    /// The watch outbox has changes to send now.
    outbox_due: bool,
    /// The keep rules are to be applied now.
    rules_due: bool,
}
