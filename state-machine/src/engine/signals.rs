//! The two signals between the core and the hosts that run its queue.
//!
//! - [`WakeSignal`]: "run the queue now". The core raises it whenever something it was
//!   told changes what should run (a download added, resumed, retried or woken, a setting,
//!   the network back), so no host has to know which commands those are. A run of the queue
//!   in progress sees it and looks at the queue again at once; a host with no run in
//!   progress learns from [`WakeSignal::host_should_start_run`] that it must start one.
//! - [`StopSignal`]: "end this run of the queue", raised by the host (Ctrl-C, WorkManager
//!   stopping the worker). The run asks each of its steps to save its progress and end.
//!
//! Both wake a waiting run at once (a `Notify`), so a run that waits for a download due in
//! an hour sleeps for that hour, without a timer that comes round to look.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use tokio::sync::Notify;

#[derive(Debug, Default)]
struct WakeState {
    /// Something changed since a run of the queue last looked at it.
    pending: bool,
    /// A run of the queue is going on in this process.
    run_active: bool,
}

/// "Run the queue now" (see the module documentation).
#[derive(Debug, Default)]
pub struct WakeSignal {
    state: Mutex<WakeState>,
    notify: Notify,
}

/// What [`WakeSignal::finish_run`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// The run is over; a wake that comes now is the host's to carry out.
    Ended,
    /// A wake came after the run last looked: it must look again before it ends.
    LookAgain,
}

impl WakeSignal {
    fn state(&self) -> MutexGuard<'_, WakeState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Something changed what should run.
    pub fn raise(&self) {
        self.state().pending = true;
        self.notify.notify_one();
    }

    /// For a host after it passed on a request: true when the queue must be run and no run
    /// is going on to see it (the wake is then the host's, and is cleared). While a run goes
    /// on, the run carries the wake out itself, and this answers false.
    pub fn host_should_start_run(&self) -> bool {
        let mut state = self.state();
        if state.pending && !state.run_active {
            state.pending = false;
            return true;
        }
        false
    }

    /// A run of the queue starts; false when one is going on already.
    pub(crate) fn begin_run(&self) -> bool {
        let mut state = self.state();
        if state.run_active {
            return false;
        }
        state.run_active = true;
        state.pending = false;
        true
    }

    /// The run is about to look at the queue: what changed until now, it will see.
    pub(crate) fn looking(&self) {
        self.state().pending = false;
    }

    /// The run wants to end. Under the same lock as [`WakeSignal::host_should_start_run`]:
    /// either the run sees a wake that came after its last look (and looks again), or the
    /// host sees the run has ended (and starts another). A wake is never left to nobody.
    pub(crate) fn finish_run(&self) -> RunEnd {
        let mut state = self.state();
        if state.pending {
            state.pending = false;
            return RunEnd::LookAgain;
        }
        state.run_active = false;
        RunEnd::Ended
    }

    /// Ends a run without a last look (it stopped or failed); a wake that came stays
    /// pending for the host.
    pub(crate) fn abandon_run(&self) {
        self.state().run_active = false;
    }

    /// Waits until the signal is raised (returns at once if it was raised while nobody
    /// waited).
    pub async fn raised(&self) {
        self.notify.notified().await;
    }
}

/// "End this run of the queue" (see the module documentation).
#[derive(Debug, Default)]
pub struct StopSignal {
    flag: AtomicBool,
    notify: Notify,
}

impl StopSignal {
    pub fn new() -> StopSignal {
        StopSignal::default()
    }

    /// Asks the run to end.
    pub fn raise(&self) {
        self.flag.store(true, Ordering::Relaxed);
        self.notify.notify_waiters();
        self.notify.notify_one();
    }

    pub fn is_raised(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    /// Waits until the signal is raised (at once if it is).
    pub async fn raised(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_raised() {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wake_during_a_run_is_the_runs_and_after_it_the_hosts() {
        let wake = WakeSignal::default();
        assert!(!wake.host_should_start_run(), "nothing asked for yet");
        wake.raise();
        assert!(wake.host_should_start_run());
        assert!(!wake.host_should_start_run(), "a wake is carried out once");

        assert!(wake.begin_run());
        assert!(!wake.begin_run(), "one run at a time");
        wake.raise();
        assert!(
            !wake.host_should_start_run(),
            "the run in progress carries it out"
        );
        assert_eq!(wake.finish_run(), RunEnd::LookAgain);
        assert_eq!(wake.finish_run(), RunEnd::Ended);
        wake.raise();
        assert!(
            wake.host_should_start_run(),
            "after the run it is the host's"
        );
    }

    #[test]
    fn a_stopped_run_leaves_its_wake_to_the_host() {
        let wake = WakeSignal::default();
        assert!(wake.begin_run());
        wake.raise();
        wake.abandon_run();
        assert!(wake.host_should_start_run());
    }

    #[tokio::test]
    async fn a_raised_stop_wakes_a_waiting_run() {
        let stop = std::sync::Arc::new(StopSignal::new());
        let waiter = {
            let stop = stop.clone();
            tokio::spawn(async move { stop.raised().await })
        };
        tokio::task::yield_now().await;
        stop.raise();
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("woken")
            .expect("joined");
        assert!(stop.is_raised());
        stop.raised().await;
    }
}
