//! The desktop scheduler: what WorkManager does on Android. It asks the core which downloads
//! want to run, runs the due steps (each its own task), remembers when each wants to run
//! again, and sleeps until the next one is due. The manifest stays the truth: a killed
//! scheduler loses nothing, and the next one picks up from `reconcile`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use plexdl_core::app::App;
use plexdl_core::engine::StepResult;
use plexdl_protocol::DownloadStatus;
use tracing::Instrument;

/// How the scheduler ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing is left to do and every download finished (or was paused or cancelled).
    AllDone,
    /// Nothing is left to do and at least one download failed.
    SomeFailed,
    /// Stopped by the user.
    Stopped,
}

/// The longest sleep between looks at the manifest (new downloads are noticed this fast).
const MAX_SLEEP: Duration = Duration::from_secs(2);

/// How long a download whose step failed waits before its next step.
const FAILED_STEP_PAUSE: Duration = Duration::from_secs(5);

/// Runs due downloads until stopped, or until nothing is left when `until_idle`.
///
/// On a damaged or unwritable manifest a scheduler ends with that error, except when
/// `rebuild_here` (a host that serves the screens, whose Diagnostics screen rebuilds the
/// list in this process): then it waits, looking every 2 seconds, and goes on once the
/// list works again.
pub async fn run(
    app: Arc<App>,
    until_idle: bool,
    stop: Arc<AtomicBool>,
    runner_name: String,
    rebuild_here: bool,
) -> Result<Outcome, plexdl_core::engine::CoreError> {
    let mut next_run: HashMap<i64, Instant> = HashMap::new();
    let mut display = crate::progress::Display::new();
    // Each running step has its own stop flag: the core sets it when the user pauses or
    // cancels that download, so it must never be the scheduler's own flag.
    let mut running: HashMap<i64, (tokio::task::JoinHandle<()>, Arc<AtomicBool>)> = HashMap::new();
    let (finished_tx, mut finished_rx) =
        tokio::sync::mpsc::unbounded_channel::<(i64, Option<StepResult>)>();
    // Only the data folder's runner runs steps. A host that is not the runner yet (`plexdl
    // ui` beside a `plexdl run`) waits here, looking again every 2 seconds, and takes over
    // when the other process ends.
    let mut told = false;
    let mut waiting_for_rebuild = false;
    while !app.core().is_runner() {
        match app.core().become_runner(&runner_name) {
            Ok(()) => {}
            Err(error) => {
                if !told {
                    crate::say!("{}", error.public().message);
                    told = true;
                }
                if stop.load(Ordering::Relaxed) {
                    return Ok(Outcome::Stopped);
                }
                tokio::time::sleep(MAX_SLEEP).await;
            }
        }
    }
    if told {
        crate::say!("The other process ended; this one runs the downloads now.");
    }
    let report = match app.core().verify() {
        Ok(report) => report,
        Err(error) if rebuild_here => {
            tracing::warn!(error = %plexdl_redact::redact_text(&error.to_string()), "the downloads could not be checked at start");
            Default::default()
        }
        Err(error) => return Err(error),
    };
    if report.missing + report.corrupt + report.adopted + report.orphans_removed + report.repaired
        > 0
    {
        crate::say!(
            "checked the downloads folder: {} missing, {} damaged, {} adopted again, {} leftover partial files removed",
            report.missing,
            report.corrupt,
            report.adopted,
            report.orphans_removed
        );
    }
    loop {
        if stop.load(Ordering::Relaxed) {
            // Ask every step to checkpoint and end, and wait for them, so their progress
            // is saved.
            for (_, step_stop) in running.values() {
                step_stop.store(true, Ordering::Relaxed);
            }
            for (_, (handle, _)) in running.drain() {
                let _ = handle.await;
            }
            return Ok(Outcome::Stopped);
        }
        while let Ok((id, result)) = finished_rx.try_recv() {
            running.remove(&id);
            match result {
                Some(StepResult::WakeAfter { millis }) => {
                    next_run.insert(id, Instant::now() + Duration::from_millis(millis));
                }
                Some(StepResult::WaitForNetwork) => {
                    // A desktop is assumed to have its network back soon; look again.
                    let _ = app.core().network_changed(true);
                    next_run.insert(id, Instant::now() + Duration::from_secs(5));
                }
                Some(StepResult::Idle { .. }) => {
                    next_run.remove(&id);
                }
                None => {
                    // A step that failed (its error is logged) is tried again later, never
                    // at once: a failure that repeats must not become a busy loop.
                    next_run.insert(id, Instant::now() + FAILED_STEP_PAUSE);
                }
            }
            // One line per change: a download waiting for a transfer slot is not news.
            display.step_done(&app, id);
        }
        // Steps stopped on a damaged or unwritable manifest: end with that error, after the
        // running steps have ended (or wait for the screens' rebuild).
        if app.core().manifest_stopped() {
            for (_, step_stop) in running.values() {
                step_stop.store(true, Ordering::Relaxed);
            }
            for (_, (handle, _)) in running.drain() {
                let _ = handle.await;
            }
            if !rebuild_here {
                return Err(plexdl_core::engine::CoreError::ManifestStopped(
                    "see the log for each failure".to_string(),
                ));
            }
            if !waiting_for_rebuild {
                tracing::warn!("downloads stopped until the list of downloads is rebuilt");
                crate::complain!(
                    "{}",
                    plexdl_core::engine::CoreError::ManifestStopped(String::new())
                        .public()
                        .message
                );
                waiting_for_rebuild = true;
            }
            // The downloads' ids of the old list mean nothing in a rebuilt one.
            next_run.clear();
            tokio::time::sleep(MAX_SLEEP).await;
            continue;
        }
        waiting_for_rebuild = false;
        // Pauses, cancels and removals from other processes reach running steps here
        // (this loop comes round at least every MAX_SLEEP).
        let looked = app
            .core()
            .notice_other_processes()
            .and_then(|_| app.core().reconcile());
        let wakes = match looked {
            Ok(wakes) => wakes,
            Err(error) if rebuild_here => {
                // The screens show the problem (diagnostics.get) and offer the rebuild;
                // reading the list again every 2 seconds asks no server anything.
                tracing::warn!(error = %plexdl_redact::redact_text(&error.to_string()), "the list of downloads cannot be read");
                tokio::time::sleep(MAX_SLEEP).await;
                continue;
            }
            Err(error) => return Err(error),
        };
        let now = Instant::now();
        for wake in &wakes {
            next_run
                .entry(wake.download_id)
                .or_insert(now + Duration::from_millis(wake.after_millis));
        }
        next_run.retain(|id, _| wakes.iter().any(|wake| wake.download_id == *id));
        if wakes.is_empty() && running.is_empty() {
            if until_idle {
                let rows = app.core().list()?;
                let failed = rows
                    .iter()
                    .any(|row| row.download_status == DownloadStatus::Failed);
                return Ok(if failed {
                    Outcome::SomeFailed
                } else {
                    Outcome::AllDone
                });
            }
            tokio::time::sleep(MAX_SLEEP).await;
            continue;
        }
        let due: Vec<i64> = next_run
            .iter()
            .filter(|(id, at)| **at <= now && !running.contains_key(id))
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            next_run.insert(id, now + Duration::from_secs(3600));
            let app = app.clone();
            let tx = finished_tx.clone();
            let step_stop = Arc::new(AtomicBool::new(false));
            let flag = step_stop.clone();
            running.insert(
                id,
                (
                    tokio::spawn(
                        async move {
                            let result = match app.core().run_step(id, flag).await {
                                Ok(result) => Some(result),
                                Err(error) => {
                                    let public = error.public();
                                    plexdl_core::logging::failure(
                                        public.kind,
                                        &public.message,
                                        "download step failed",
                                    );
                                    crate::complain!(
                                        "download {id}: {}",
                                        plexdl_redact::redact_text(&error.to_string())
                                    );
                                    None
                                }
                            };
                            tracing::debug!(?result, "step ended");
                            let _ = tx.send((id, result));
                        }
                        .instrument(tracing::info_span!("scheduler", download_id = id)),
                    ),
                    step_stop,
                ),
            );
        }
        let active: Vec<i64> = running.keys().copied().collect();
        display.refresh(&app, &active);
        let soonest = next_run
            .iter()
            .filter(|(id, _)| !running.contains_key(id))
            .map(|(_, at)| at.saturating_duration_since(Instant::now()))
            .min()
            .unwrap_or(MAX_SLEEP)
            .min(MAX_SLEEP);
        tokio::select! {
            received = finished_rx.recv() => {
                if let Some((id, result)) = received {
                    // Put it back so the top of the loop handles it with the others.
                    let _ = finished_tx.send((id, result));
                }
            }
            _ = tokio::time::sleep(soonest.max(Duration::from_millis(20))) => {}
        }
    }
}
