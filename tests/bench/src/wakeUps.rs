//! What waiting costs a phone: how often the core's run of the queue wakes on its own
//! timer, how often it asks the server about a queue item, and whether an idle host is woken
//! at all.
//!
//! - The run's wake-ups come from the core itself ([`QueueObserver::woke`]): a wait that
//!   its timer ended. A wait ended by a step (the server's answer already woke the process)
//!   or by a signal is not one of them; the table gives all waits beside.
//! - The idle `plexdl ui` is measured from outside: the context switches of all its threads
//!   (/proc/PID/task/*/status), which count every time a thread went to sleep and was woken
//!   again, timer or not. No browser is connected, so nothing it does is counted.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use plexdl_core::engine::queue_run::{QueueObserver, Woken};
use plexdl_core::engine::signals::StopSignal;
use plexdl_core::engine::{DownloadCore, EngineSettings};
use plexdl_core::plex::QualityPreset;
use plexdl_protocol::QueueRunOptions;
use plexdl_replay::{Fault, FaultRule, QueueClock, QueueSettings, ReplayServer, Scenario};

use crate::Figure;
use crate::measures::{connected, core_for};

/// Counts the run's waits by what ended them.
#[derive(Debug, Default)]
struct WakeCount {
    timer: AtomicU32,
    all: AtomicU32,
}

impl QueueObserver for WakeCount {
    fn woke(&self, by: Woken) {
        self.all.fetch_add(1, Ordering::Relaxed);
        if by == Woken::Timer {
            self.timer.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A replay server playing `scenario`, and a core in a new folder with film 55 queued at
/// `quality`: (the server, the folder, the core, the download's id).
async fn film_queued(
    scenario: Scenario,
    quality: QualityPreset,
) -> Result<(ReplayServer, tempfile::TempDir, Arc<DownloadCore>, i64), String> {
    let server = ReplayServer::builder()
        .scenario(scenario)
        .start()
        .map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let core = Arc::new(core_for(
        &server,
        dir.path(),
        EngineSettings::new(dir.path().join("downloads")),
    )?);
    let id = core
        .enqueue("replay", &["55"], quality)
        .await
        .map_err(|e| e.to_string())?[0];
    Ok((server, dir, core, id))
}

/// Runs the queue as the Android worker does (lingering a minute for what is due soon) for
/// at most `budget`, and gives the report's end with the wake-ups counted.
async fn run_counted(
    core: Arc<DownloadCore>,
    budget: Duration,
) -> Result<(plexdl_protocol::QueueEnd, u32, u32, Duration), String> {
    let count = WakeCount::default();
    let started = Instant::now();
    let report = core
        .run_queue(
            Arc::new(StopSignal::new()),
            QueueRunOptions {
                budget_millis: Some(budget.as_millis() as u64),
                linger_millis: 60_000,
            },
            &count,
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok((
        report.ended,
        count.timer.load(Ordering::Relaxed),
        count.all.load(Ordering::Relaxed),
        started.elapsed(),
    ))
}

/// A queue item the server prepares for 30 s: the polls the server counts and the run's own
/// wake-ups, both per minute; then the requests of an idle `plexdl run`.
pub async fn while_prepared(plexdl_bin: &Path) -> Result<Vec<Figure>, String> {
    let preparing = Duration::from_secs(30);
    let queue = QueueSettings {
        clock: QueueClock::Millis,
        deciding_for: 0,
        waiting_for: 0,
        processing_for: preparing.as_millis() as u64,
        retry_after_seconds: None,
        ..QueueSettings::default()
    };
    let (server, _dir, core, id) = film_queued(
        Scenario {
            queue,
            ..Scenario::default()
        },
        QualityPreset::Hd720,
    )
    .await?;
    let (ended, timer, all, took) = run_counted(core.clone(), Duration::from_secs(120)).await?;
    let status = core.get(id).map_err(|e| e.to_string())?.download_status;
    if status.name() != "completed" {
        return Err(format!(
            "the queued download ended {} (run {ended:?})",
            status.name()
        ));
    }
    let polls = server
        .counters()
        .requests_to("GET /downloadQueue/{id}/items/{id}");
    // The last poll found the item ready; the others fell inside the preparing time.
    let per_minute = (polls.saturating_sub(1)) as f64 * 60.0 / preparing.as_secs_f64();
    let minutes = took.as_secs_f64() / 60.0;
    let wakes_per_minute = f64::from(timer) / minutes;

    let idle_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data = connected(plexdl_bin, &server, idle_dir.path())?;
    server.reset_counters();
    let mut child = Command::new(plexdl_bin)
        .arg("--data-dir")
        .arg(&data)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    std::thread::sleep(Duration::from_secs(10));
    let _ = child.kill();
    let _ = child.wait();
    let idle = server.counters().total_requests();
    Ok(vec![
        Figure {
            name: "Server polls per minute while a queue item is prepared (30 s)".to_string(),
            value: format!("{per_minute:.0}"),
            goal: "<= 12".to_string(),
            met: per_minute <= 12.0,
        },
        Figure {
            name: "Wake-ups of the queue run per minute on its own timer, while a queue item is prepared".to_string(),
            value: format!(
                "{wakes_per_minute:.1} ({timer} in {:.1} s; {all} waits ended in all, the others by a step's answer)",
                took.as_secs_f64()
            ),
            goal: "<= 12".to_string(),
            // No wake-up at all would mean the count is broken: the run must poll.
            met: wakes_per_minute <= 12.0 && timer > 0,
        },
        Figure {
            name: "Requests to the server while `plexdl run` is idle (10 s)".to_string(),
            value: idle.to_string(),
            goal: "0".to_string(),
            met: idle == 0,
        },
    ])
}

/// A download the server asked to come back in an hour (503 with Retry-After): the run's
/// wake-ups over 10 s while it waits for it.
pub async fn while_nothing_is_due() -> Result<Figure, String> {
    let busy = FaultRule::new(
        "/library/parts/",
        Fault::StatusSequence {
            statuses: vec![503],
            retry_after: Some(3600),
        },
    );
    let (_server, _dir, core, id) = film_queued(
        Scenario {
            faults: vec![busy],
            ..Scenario::default()
        },
        QualityPreset::Original,
    )
    .await?;
    // The first run meets the 503 and ends waiting for the hour (longer than it lingers).
    let (first_end, ..) = run_counted(core.clone(), Duration::from_secs(30)).await?;
    let row = core.get(id).map_err(|e| e.to_string())?;
    let due_in = row
        .next_wake_at
        .map(|at| at - plexdl_core::manifest::now_ms())
        .unwrap_or(0);
    if due_in < 600_000 {
        return Err(format!(
            "the download was not asked to wait (status {}, run {first_end:?}, due in {due_in} ms)",
            row.download_status.name()
        ));
    }
    // A run told to linger for two hours waits inside for it; the stop ends it after 10
    // seconds of that wait (a signal, not the run's timer).
    let lingering = QueueRunOptions {
        budget_millis: None,
        linger_millis: 2 * 3600 * 1000,
    };
    let stop = Arc::new(StopSignal::new());
    let stopper = {
        let stop = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(10)).await;
            stop.raise();
        })
    };
    let count = WakeCount::default();
    let started = Instant::now();
    let report = core
        .clone()
        .run_queue(stop, lingering, &count)
        .await
        .map_err(|e| e.to_string())?;
    let _ = stopper.await;
    let took = started.elapsed();
    if report.ended != plexdl_protocol::QueueEnd::Stopped {
        return Err(format!("the lingering run ended {:?}", report.ended));
    }
    let wakes = count.timer.load(Ordering::Relaxed);
    let per_minute = f64::from(wakes) * 60.0 / took.as_secs_f64();
    Ok(Figure {
        name: "Wake-ups of the queue run per minute while nothing is due (a download due in an hour, 10 s)".to_string(),
        value: format!("{per_minute:.0} ({wakes} in {:.1} s)", took.as_secs_f64()),
        goal: "0".to_string(),
        met: wakes == 0 && took >= Duration::from_secs(9),
    })
}

/// Context switches of every thread of a process, by thread id.
fn switches(pid: u32) -> std::collections::HashMap<String, u64> {
    let mut found = std::collections::HashMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return found;
    };
    for task in tasks.flatten() {
        let Ok(status) = std::fs::read_to_string(task.path().join("status")) else {
            continue;
        };
        let total: u64 = status
            .lines()
            .filter(|line| {
                line.starts_with("voluntary_ctxt_switches:")
                    || line.starts_with("nonvoluntary_ctxt_switches:")
            })
            .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum();
        found.insert(task.file_name().to_string_lossy().into_owned(), total);
    }
    found
}

/// An idle `plexdl ui` (a connected server, no download, no browser) over 60 s: how often
/// any of its threads was woken.
pub fn idle_ui(plexdl_bin: &Path) -> Result<Figure, String> {
    let server = ReplayServer::start_default().map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data = connected(plexdl_bin, &server, dir.path())?;
    let mut child = Command::new(plexdl_bin)
        .arg("--data-dir")
        .arg(&data)
        .args(["ui", "--listen", "127.0.0.1:0", "--ui-dir"])
        .arg(dir.path().join("no-ui"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    // Start-up, and the runtime's spare threads, which end after 10 idle seconds.
    std::thread::sleep(Duration::from_secs(15));
    let before = switches(child.id());
    std::thread::sleep(Duration::from_secs(60));
    let after = switches(child.id());
    let alive = child.try_wait().map_err(|e| e.to_string())?.is_none();
    let _ = child.kill();
    let _ = child.wait();
    if !alive || before.is_empty() {
        return Err("the idle plexdl ui ended before it was measured".to_string());
    }
    let mut woken = 0;
    for (thread, count) in &after {
        woken += count - before.get(thread).copied().unwrap_or(0).min(*count);
    }
    let ended = before
        .keys()
        .filter(|thread| !after.contains_key(*thread))
        .count();
    Ok(Figure {
        name: "Wake-ups of an idle `plexdl ui` over 60 s (context switches of all its threads, no browser)".to_string(),
        value: format!(
            "{woken} ({} threads{})",
            after.len(),
            if ended > 0 {
                format!(", {ended} ended while measured")
            } else {
                String::new()
            }
        ),
        goal: "0".to_string(),
        met: woken == 0 && ended == 0,
    })
}

/// The polls and every wake-up figure, in the order of the table.
pub async fn all(plexdl_bin: &Path) -> Result<Vec<Figure>, String> {
    let mut figures = while_prepared(plexdl_bin).await?;
    figures.push(while_nothing_is_due().await?);
    figures.push(idle_ui(plexdl_bin)?);
    Ok(figures)
}
