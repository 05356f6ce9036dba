//! The desktop scheduler: what WorkManager does on Android. It only keeps time: the core's
//! run of the queue (`DownloadCore::run_queue`) decides what runs and when, and says when it
//! wants to run again; this loop sleeps until then, or until the core's wake signal says
//! something changed (a download added from the screens, or by another process, which rings
//! the core's doorbell), and runs it again. The manifest stays the truth: a killed scheduler
//! loses nothing, and the next one picks up from it.
//!
//! While nothing is due, the loop sleeps without a timer: an idle `plexdl ui` or `plexdl
//! run` is not woken at all. Only where the core has no doorbell (a data folder whose path
//! is too long for a socket address) does the loop look every 2 seconds, so that downloads
//! another process adds are still seen; and while the download folder is missing it looks
//! every 2 seconds for it to come back.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use plexdl_core::app::App;
use plexdl_core::engine::queue_run::QueueObserver;
use plexdl_core::engine::signals::StopSignal;
use plexdl_core::engine::{CoreError, StepResult};
use plexdl_protocol::{DownloadStatus, QueueEnd, QueueRunOptions, QueueRunReport};

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

/// The longest sleep between looks at the manifest where it must be looked at (no doorbell,
/// a missing download folder, a manifest that cannot be read, another runner to wait for).
const MAX_SLEEP: Duration = Duration::from_secs(2);

/// The progress lines of `plexdl run`, fed by the core's run of the queue.
struct Progress {
    app: Arc<App>,
    display: Mutex<crate::progress::Display>,
}

impl Progress {
    fn display(&self) -> std::sync::MutexGuard<'_, crate::progress::Display> {
        self.display
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl QueueObserver for Progress {
    fn step_ended(&self, id: i64, result: Result<&StepResult, &CoreError>) {
        if let Err(error) = result {
            crate::complain!(
                "download {id}: {}",
                plexdl_redact::redact_text(&error.to_string())
            );
        }
        // One line per change: a download waiting for a transfer slot is not news.
        self.display().step_done(&self.app, id);
    }

    fn looked(&self, running: &[i64]) {
        self.display().refresh(&self.app, running);
    }
}

/// Sleeps for `wait` (for ever when `None`), or until the core's wake signal or the stop
/// signal is raised.
async fn sleep_unless_woken(app: &App, stop: &StopSignal, wait: impl Into<Option<Duration>>) {
    let timer = async {
        match wait.into() {
            Some(wait) => tokio::time::sleep(wait).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = timer => {}
        _ = app.core().wake_signal().raised() => {}
        _ = stop.raised() => {}
    }
}

/// How long to sleep after a run of the queue that ended as `report` says.
fn sleep_after(report: &QueueRunReport, hears_other_processes: bool) -> Option<Duration> {
    let next = report.next_wake_millis.map(Duration::from_millis);
    match report.ended {
        // The folder's return is seen by looking; nothing rings for it.
        QueueEnd::StorageMissing => Some(MAX_SLEEP),
        // Downloads from other processes ring the doorbell: sleep until the next one is
        // due, or until woken when none is.
        _ if hears_other_processes => next,
        _ => Some(next.map_or(MAX_SLEEP, |next| next.min(MAX_SLEEP))),
    }
}

/// Runs due downloads until stopped, or until nothing is left when `until_idle`.
///
/// On a damaged or unwritable manifest a scheduler ends with that error, except when
/// `rebuild_here` (a host that serves the screens, whose Diagnostics screen rebuilds the
/// list in this process): then it waits, looking every 2 seconds, and goes on once the
/// list works again.
pub async fn run(
    app: Arc<App>,
    until_idle: bool,
    stop: Arc<StopSignal>,
    runner_name: String,
    rebuild_here: bool,
) -> Result<Outcome, CoreError> {
    // Only the data folder's runner runs steps. A host that is not the runner yet (`plexdl
    // ui` beside a `plexdl run`) waits here, looking again every 2 seconds, and takes over
    // when the other process ends.
    let mut told = false;
    while !app.core().is_runner() {
        match app.core().become_runner(&runner_name) {
            Ok(()) => {}
            Err(error) => {
                if !told {
                    crate::say!("{}", error.public().message);
                    told = true;
                }
                if stop.is_raised() {
                    return Ok(Outcome::Stopped);
                }
                sleep_unless_woken(&app, &stop, MAX_SLEEP).await;
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
    let progress = Progress {
        app: app.clone(),
        display: Mutex::new(crate::progress::Display::new()),
    };
    // The run lingers no longer than MAX_SLEEP: a download due later is this loop's to wait
    // for (so that, without a doorbell, downloads another process adds are still seen).
    let options = QueueRunOptions {
        budget_millis: None,
        linger_millis: MAX_SLEEP.as_millis() as u64,
    };
    let mut waiting_for_rebuild = false;
    loop {
        if stop.is_raised() {
            return Ok(Outcome::Stopped);
        }
        let run = app
            .shared_core()
            .run_queue(stop.clone(), options.clone(), &progress)
            .await;
        let report = match run {
            Ok(report) => report,
            // Steps stopped on a damaged or unwritable manifest: end with that error (after
            // the run's steps ended), or wait for the screens' rebuild.
            Err(error @ CoreError::ManifestStopped(_)) => {
                if !rebuild_here {
                    return Err(error);
                }
                if !waiting_for_rebuild {
                    tracing::warn!("downloads stopped until the list of downloads is rebuilt");
                    crate::complain!(
                        "{}",
                        CoreError::ManifestStopped(String::new()).public().message
                    );
                    waiting_for_rebuild = true;
                }
                sleep_unless_woken(&app, &stop, MAX_SLEEP).await;
                continue;
            }
            Err(error) if rebuild_here => {
                // The screens show the problem (diagnostics.get) and offer the rebuild;
                // reading the list again every 2 seconds asks no server anything.
                tracing::warn!(error = %plexdl_redact::redact_text(&error.to_string()), "the list of downloads cannot be read");
                sleep_unless_woken(&app, &stop, MAX_SLEEP).await;
                continue;
            }
            Err(error) => return Err(error),
        };
        waiting_for_rebuild = false;
        match report.ended {
            QueueEnd::Stopped => return Ok(Outcome::Stopped),
            // Nothing can run until the folder is back; a run that should end when idle
            // ends with the reason instead of waiting for it.
            QueueEnd::StorageMissing if until_idle => {
                return Err(CoreError::DownloadFolderMissing(
                    app.core().settings().download_dir.display().to_string(),
                ));
            }
            QueueEnd::Idle if until_idle => {
                let failed = app
                    .core()
                    .list()?
                    .iter()
                    .any(|row| row.download_status == DownloadStatus::Failed);
                return Ok(if failed {
                    Outcome::SomeFailed
                } else {
                    Outcome::AllDone
                });
            }
            _ => {}
        }
        let wait = sleep_after(&report, app.core().hears_other_processes());
        tracing::debug!(ended = ?report.ended, wait_ms = wait.map(|wait| wait.as_millis() as u64), "scheduler sleeps");
        sleep_unless_woken(&app, &stop, wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ended(ended: QueueEnd, next_wake_millis: Option<u64>) -> QueueRunReport {
        QueueRunReport {
            ended,
            next_wake_millis,
            wifi_only: false,
            steps: 0,
            failed_steps: 0,
        }
    }

    #[test]
    fn with_a_doorbell_an_idle_scheduler_has_no_timer() {
        assert_eq!(sleep_after(&ended(QueueEnd::Idle, None), true), None);
        assert_eq!(
            sleep_after(&ended(QueueEnd::Waiting, Some(3_600_000)), true),
            Some(Duration::from_secs(3600)),
            "it sleeps until the next download is due"
        );
        assert_eq!(
            sleep_after(&ended(QueueEnd::StorageMissing, None), true),
            Some(MAX_SLEEP),
            "a missing folder is looked for"
        );
    }

    #[test]
    fn without_a_doorbell_the_scheduler_looks_every_two_seconds() {
        assert_eq!(
            sleep_after(&ended(QueueEnd::Idle, None), false),
            Some(MAX_SLEEP)
        );
        assert_eq!(
            sleep_after(&ended(QueueEnd::Waiting, Some(3_600_000)), false),
            Some(MAX_SLEEP)
        );
        assert_eq!(
            sleep_after(&ended(QueueEnd::Waiting, Some(500)), false),
            Some(Duration::from_millis(500))
        );
    }
}
