//! The core's run of the queue, as every host uses it: several downloads within the slot
//! limits, a stop that keeps progress, the wake signal that starts new work at once, and
//! the network the host reports (Wi-Fi only on mobile data moves no byte).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use plexdl_core::engine::queue_run::{QueueObserver, Unobserved};
use plexdl_core::engine::signals::StopSignal;
use plexdl_core::engine::{CoreError, DownloadCore, NetworkFact, StepResult};
use plexdl_core::plex::QualityPreset;
use plexdl_protocol::{DownloadStatus, QueueEnd, QueueRunOptions, QueueRunReport};
use plexdl_replay::{Fault, FaultRule, Scenario};

use crate::support::{SERVER, rig, rig_with};

/// Every part file sent at `bytes_per_second`.
fn throttled(bytes_per_second: u64) -> Scenario {
    Scenario {
        faults: vec![FaultRule::new(
            "/library/parts/",
            Fault::Throttle { bytes_per_second },
        )],
        ..Scenario::default()
    }
}

/// Big Buck Bunny's part answers 503 with Retry-After 30 s once: its download waits 30 s.
fn busy_for_30_seconds() -> Scenario {
    Scenario {
        faults: vec![
            FaultRule::new(
                "/library/parts/46/",
                Fault::StatusSequence {
                    statuses: vec![503],
                    retry_after: Some(30),
                },
            )
            .times(1),
        ],
        ..Scenario::default()
    }
}

/// One run of the queue to its end, lingering up to a minute.
async fn run_once(core: &Arc<DownloadCore>) -> QueueRunReport {
    core.clone()
        .run_queue(Arc::new(StopSignal::new()), lingering(60), &Unobserved)
        .await
        .expect("the run ends")
}

/// A run of the queue in a task of its own, so the test can act while it goes on.
fn spawn_run(
    core: &Arc<DownloadCore>,
    stop: Arc<StopSignal>,
    linger_seconds: u64,
) -> tokio::task::JoinHandle<Result<QueueRunReport, CoreError>> {
    let core = core.clone();
    tokio::spawn(async move {
        core.run_queue(stop, lingering(linger_seconds), &Unobserved)
            .await
    })
}

/// The report of a run started with [`spawn_run`], within `seconds`.
async fn joined(
    run: tokio::task::JoinHandle<Result<QueueRunReport, CoreError>>,
    seconds: u64,
) -> QueueRunReport {
    tokio::time::timeout(Duration::from_secs(seconds), run)
        .await
        .expect("the run ends")
        .expect("joined")
        .expect("no error")
}

/// Queues one item at original quality and returns its download's id.
async fn enqueue_one(core: &DownloadCore, rating_key: &str) -> i64 {
    core.enqueue(SERVER, &[rating_key], QualityPreset::Original)
        .await
        .expect("enqueued")[0]
}

fn lingering(seconds: u64) -> QueueRunOptions {
    QueueRunOptions {
        budget_millis: None,
        linger_millis: seconds * 1000,
    }
}

/// Counts the most transfers that moved bytes at once, as seen at each look.
struct MostAtOnce {
    core: Arc<DownloadCore>,
    most: AtomicUsize,
    ended: Mutex<Vec<i64>>,
}

impl QueueObserver for MostAtOnce {
    fn step_ended(&self, id: i64, _result: Result<&StepResult, &CoreError>) {
        self.ended.lock().expect("lock").push(id);
    }

    fn looked(&self, _running: &[i64]) {
        let now = self.core.transferring_now().len();
        self.most.fetch_max(now, Ordering::Relaxed);
    }
}

async fn wait_for_bytes(core: &DownloadCore, id: i64) {
    let started = Instant::now();
    while core.get(id).expect("row").bytes_done == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no byte arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_queue_run_finishes_every_download_within_the_slot_limits() {
    let rig = rig_with(throttled(6_000_000), |settings| {
        settings.max_transfers = 2;
        settings.max_transfers_per_server = 2;
    });
    let ids = rig
        .core
        .enqueue(SERVER, &["55", "56", "90"], QualityPreset::Original)
        .await
        .expect("enqueued");
    assert_eq!(ids.len(), 3);
    let core = Arc::new(rig.core);
    let observer = MostAtOnce {
        core: core.clone(),
        most: AtomicUsize::new(0),
        ended: Mutex::new(Vec::new()),
    };
    let report = core
        .clone()
        .run_queue(Arc::new(StopSignal::new()), lingering(60), &observer)
        .await
        .expect("the run ends");
    assert_eq!(report.ended, QueueEnd::Idle, "{report:?}");
    assert_eq!(report.next_wake_millis, None);
    assert_eq!(report.failed_steps, 0);
    for id in &ids {
        assert_eq!(
            core.get(*id).expect("row").download_status,
            DownloadStatus::Completed,
            "download {id}"
        );
    }
    assert_eq!(
        observer.most.load(Ordering::Relaxed),
        2,
        "two transfers at once, never three"
    );
    assert!(observer.ended.lock().expect("lock").len() >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_queue_run_ends_within_seconds_and_keeps_the_progress() {
    let rig = rig(throttled(2_000_000));
    let id = enqueue_one(&rig.core, "55").await;
    let core = Arc::new(rig.core);
    let stop = Arc::new(StopSignal::new());
    let run = spawn_run(&core, stop.clone(), 60);
    wait_for_bytes(&core, id).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let second = run_once(&core).await;
    assert_eq!(second.ended, QueueEnd::AlreadyRunning, "one run at a time");
    let asked = Instant::now();
    stop.raise();
    let report = joined(run, 10).await;
    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "ended {took:?} after the stop"
    );
    assert_eq!(report.ended, QueueEnd::Stopped);
    assert_eq!(
        report.next_wake_millis,
        Some(0),
        "it wants to go on at once"
    );
    let kept = core.get(id).expect("row").bytes_done;
    assert!(kept > 0 && kept < 13_400_382, "progress kept: {kept}");
    let fetched_before = rig.server.counters().part_bytes(46);
    let report = run_once(&core).await;
    assert_eq!(report.ended, QueueEnd::Idle);
    assert_eq!(
        core.get(id).expect("row").download_status,
        DownloadStatus::Completed
    );
    let again = rig.server.counters().part_bytes(46) - fetched_before;
    assert!(
        again + kept <= 13_400_382 + 4 * 1024 * 1024,
        "resumed from what was kept: {again} fetched after the stop"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_added_while_the_run_waits_starts_at_once() {
    let rig = rig(busy_for_30_seconds());
    let waiting = enqueue_one(&rig.core, "55").await;
    let core = Arc::new(rig.core);
    assert!(
        core.wake_signal().host_should_start_run(),
        "adding a download asks the host to run the queue"
    );
    let run = spawn_run(&core, Arc::new(StopSignal::new()), 120);
    let started = Instant::now();
    while core.get(waiting).expect("row").download_status != DownloadStatus::Backoff {
        assert!(started.elapsed() < Duration::from_secs(20), "no backoff");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let added_at = Instant::now();
    let added = core
        .enqueue(SERVER, &["56"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    assert!(
        !core.wake_signal().host_should_start_run(),
        "the run in progress carries the wake out, not the host"
    );
    while core.get(added).expect("row").download_status != DownloadStatus::Completed {
        assert!(
            added_at.elapsed() < Duration::from_secs(15),
            "the added download waited for the first one's wake"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        core.get(waiting).expect("row").download_status,
        DownloadStatus::Backoff,
        "the first one still waits"
    );
    core.wake(waiting).expect("woken");
    let report = joined(run, 60).await;
    assert_eq!(report.ended, QueueEnd::Idle, "{report:?}");
    assert_eq!(
        core.get(waiting).expect("row").download_status,
        DownloadStatus::Completed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_waits_longer_than_it_may_linger_says_when_to_run_again() {
    let rig = rig(busy_for_30_seconds());
    rig.core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued");
    let core = Arc::new(rig.core);
    let report = core
        .clone()
        .run_queue(Arc::new(StopSignal::new()), lingering(5), &Unobserved)
        .await
        .expect("the run ends");
    assert_eq!(report.ended, QueueEnd::Waiting, "{report:?}");
    let next = report.next_wake_millis.expect("a time");
    assert!((25_000..=31_000).contains(&next), "next wake in {next} ms");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wifi_only_on_mobile_data_moves_no_byte_and_goes_on_on_wifi() {
    let rig = rig(throttled(2_000_000));
    let id = enqueue_one(&rig.core, "55").await;
    let core = Arc::new(rig.core);
    let mobile = NetworkFact {
        connected: true,
        unmetered: false,
    };
    let wifi = NetworkFact {
        connected: true,
        unmetered: true,
    };
    core.set_wifi_only(true).expect("set");
    core.set_network(mobile).expect("set");
    let report = run_once(&core).await;
    assert_eq!(report.ended, QueueEnd::WaitingForNetwork, "{report:?}");
    assert!(report.wifi_only);
    assert_eq!(
        rig.server.counters().part_bytes(46),
        0,
        "no byte on mobile data"
    );
    // A step run directly (not through the queue) checks the network too.
    let step = core
        .run_step(id, Arc::new(std::sync::atomic::AtomicBool::new(false)))
        .await
        .expect("step");
    assert_eq!(step, StepResult::WaitForNetwork);
    assert_eq!(rig.server.counters().part_bytes(46), 0);

    let _ = core.wake_signal().host_should_start_run();
    core.set_network(wifi).expect("set");
    assert!(
        core.wake_signal().host_should_start_run(),
        "Wi-Fi back asks the host to run the queue"
    );
    let run = spawn_run(&core, Arc::new(StopSignal::new()), 60);
    wait_for_bytes(&core, id).await;
    // Off Wi-Fi in the middle of the transfer: the step stops and keeps what it has.
    let moved_at = Instant::now();
    core.set_network(mobile).expect("set");
    let report = joined(run, 10).await;
    assert!(moved_at.elapsed() < Duration::from_secs(5));
    assert_eq!(report.ended, QueueEnd::WaitingForNetwork, "{report:?}");
    let row = core.get(id).expect("row");
    assert_eq!(row.download_status, DownloadStatus::WaitingForNetwork);
    assert!(row.bytes_done > 0, "progress kept");
    core.set_network(wifi).expect("set");
    let report = run_once(&core).await;
    assert_eq!(report.ended, QueueEnd::Idle);
    assert_eq!(
        core.get(id).expect("row").download_status,
        DownloadStatus::Completed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_downloads_folder_that_is_not_there_holds_the_queue_and_loses_nothing() {
    let rig = rig(Scenario::default());
    let finished = crate::support::download_first(&rig.core, "56").await;
    assert_eq!(finished.download_status, DownloadStatus::Completed);
    let id = enqueue_one(&rig.core, "55").await;
    let folder = rig.dir.path().join("downloads");
    let card = rig.dir.path().join("card out");
    std::fs::rename(&folder, &card).expect("the card is taken out");
    let core = Arc::new(rig.core);
    let report = run_once(&core).await;
    assert_eq!(report.ended, QueueEnd::StorageMissing, "{report:?}");
    assert_eq!(rig.server.counters().part_bytes(46), 0, "nothing fetched");
    assert!(
        core.verify().is_err(),
        "nothing is judged without the folder"
    );
    assert_eq!(
        core.get(finished.id).expect("row").download_status,
        DownloadStatus::Completed,
        "the finished download is not marked lost"
    );
    std::fs::rename(&card, &folder).expect("the card is back");
    let report = run_once(&core).await;
    assert_eq!(report.ended, QueueEnd::Idle);
    assert_eq!(
        core.get(id).expect("row").download_status,
        DownloadStatus::Completed
    );
    assert_eq!(core.verify().expect("checked").missing, 0);
}

/// The most steps a run had going at once, as seen at each look.
#[derive(Default)]
struct MostSteps {
    most: AtomicUsize,
}

impl QueueObserver for MostSteps {
    fn looked(&self, running: &[i64]) {
        self.most.fetch_max(running.len(), Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_that_find_every_slot_taken_wait_for_one_instead_of_trying_every_second() {
    // One slot; the first transfer holds it for the whole run (13.4 MB at 1 MB/s).
    let rig = rig_with(throttled(1_000_000), |settings| {
        settings.max_transfers = 1;
        settings.max_transfers_per_server = 1;
    });
    let ids = rig
        .core
        .enqueue(SERVER, &["55", "56", "90", "33"], QualityPreset::Original)
        .await
        .expect("enqueued");
    assert_eq!(ids.len(), 6, "three films and a season of three episodes");
    let core = Arc::new(rig.core);
    let observer = MostSteps::default();
    let report = core
        .clone()
        .run_queue(
            Arc::new(StopSignal::new()),
            QueueRunOptions {
                budget_millis: Some(5_000),
                linger_millis: 60_000,
            },
            &observer,
        )
        .await
        .expect("the run ends");
    assert_eq!(report.ended, QueueEnd::OutOfTime, "{report:?}");
    assert!(
        observer.most.load(Ordering::Relaxed) <= 3,
        "one step per slot and two more, never all six at once: {}",
        observer.most.load(Ordering::Relaxed)
    );
    // The transfer, and each other download tried once: it found the slot taken and waited
    // for it to be freed (tried every second, five seconds would have given about 25).
    assert!(report.steps <= 6, "{report:?}");
    assert_eq!(report.failed_steps, 0);
}
