//! The measurements. Each returns figures with the goal the project set for it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use plexdl_core::engine::{DownloadCore, EngineSettings, StepResult};
use plexdl_core::machine::{self, Event, Route};
use plexdl_core::manifest::{Manifest, NewDownload, rows};
use plexdl_core::plex::{ClientIdentity, PlexServer, QualityPreset, Transport, TransportSettings};
use plexdl_replay::{Fault, FaultRule, ReplayServer, Scenario};
use serde_json::{Value, json};

use crate::Figure;

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;

/// (rating key, size) of the benchmark files added to the replay library.
const ONE_GIB: (&str, u64) = ("900001", GIB);
const TWO_GIB: (&str, u64) = ("900002", 2 * GIB);
const TWO_HUNDRED_MIB: (&str, u64) = ("900003", 200 * MIB);

fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z ^ (z >> 31)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// A fixture folder: the built-in library plus three large movies.
fn bench_fixtures() -> Result<tempfile::TempDir, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    for (name, text) in plexdl_replay::fixture_store::built_in_files() {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().ok_or("no parent")?).map_err(|e| e.to_string())?;
        let mut text = text.to_string();
        if name == "server/library/sections/1/allAuthored.json" {
            let mut doc: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            let items = doc["MediaContainer"]["Metadata"]
                .as_array_mut()
                .ok_or("no items")?;
            for (key, size) in [ONE_GIB, TWO_GIB, TWO_HUNDRED_MIB] {
                items.push(json!({
                    "ratingKey": key, "key": format!("/library/metadata/{key}"), "type": "movie",
                    "title": format!("Benchmark {} MiB", size / MIB), "year": 2026, "duration": 600_000,
                    "Media": [{"id": key.parse::<u64>().unwrap_or(0), "duration": 600_000, "bitrate": 14_000, "container": "mkv",
                        "Part": [{"id": key.parse::<u64>().unwrap_or(0), "key": format!("/library/parts/{key}/1700000000/file.mkv"),
                                  "duration": 600_000, "file": format!("/bench/{key}.mkv"), "size": size, "container": "mkv"}]}]
                }));
            }
            text = doc.to_string();
        }
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
    }
    crate::big_show::add_show(dir.path())?;
    Ok(dir)
}

fn transport() -> Transport {
    Transport::new(
        ClientIdentity::new("plexdl-bench-0000000001"),
        TransportSettings::default(),
    )
    .expect("client")
}

pub fn core_for(
    server: &ReplayServer,
    dir: &Path,
    settings: EngineSettings,
) -> Result<DownloadCore, String> {
    let core = DownloadCore::open(&dir.join("data"), settings).map_err(|e| e.to_string())?;
    let plex = PlexServer::direct(transport(), server.base_url(), server.token(), "Replay")
        .map_err(|e| e.to_string())?;
    core.register_server("replay", plex);
    Ok(core)
}

async fn run_to_end(core: &DownloadCore, id: i64) -> Result<String, String> {
    loop {
        match core
            .run_step(id, Arc::new(AtomicBool::new(false)))
            .await
            .map_err(|e| e.to_string())?
        {
            StepResult::Idle { status } => return Ok(status.name().to_string()),
            StepResult::WakeAfter { millis } => {
                tokio::time::sleep(Duration::from_millis(millis.min(10_000))).await
            }
            StepResult::WaitForNetwork => {
                return Err("the download waited for a network".to_string());
            }
        }
    }
}

/// Whose CPU time [`cpu_seconds`] reads.
#[derive(Debug, Clone, Copy)]
enum CpuOf {
    /// This process, all its threads.
    ThisProcess,
    /// Its children that ended and were waited for.
    EndedChildren,
}

/// CPU seconds (user and system) used so far, from /proc/self/stat (utime and stime, or
/// cutime and cstime, in clock ticks of 1/100 s: Linux's USER_HZ on every architecture).
fn cpu_seconds(of: CpuOf) -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command's closing parenthesis start with field 3 (the state).
    let fields: Vec<u64> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or("")
        .split_whitespace()
        .map(|field| field.parse().unwrap_or(0))
        .collect();
    let first = match of {
        CpuOf::ThisProcess => 14 - 3,
        CpuOf::EndedChildren => 16 - 3,
    };
    let ticks =
        fields.get(first).copied().unwrap_or(0) + fields.get(first + 1).copied().unwrap_or(0);
    ticks as f64 / 100.0
}

/// What SHA-256 costs per GiB on this machine, in CPU seconds (the engine hashes every
/// file it writes; curl does not).
fn sha256_cpu_per_gib() -> f64 {
    use sha2::Digest;
    let block = vec![0x5au8; 4 * MIB as usize];
    let before = cpu_seconds(CpuOf::ThisProcess);
    let mut hasher = sha2::Sha256::new();
    for _ in 0..(GIB / (4 * MIB)) {
        hasher.update(&block);
    }
    std::hint::black_box(hasher.finalize());
    cpu_seconds(CpuOf::ThisProcess) - before
}

/// The engine and curl download the same 1 GiB file, five times each, in alternation: the
/// rate of each, and the CPU time each spends per GiB.
async fn throughput(base: &str, token: &str) -> Result<Vec<Figure>, String> {
    let (key, size) = ONE_GIB;
    let url = format!("{base}/library/parts/{key}/1700000000/file.mkv?download=1");
    let mut engine = Vec::new();
    let mut curl = Vec::new();
    let mut engine_cpu = Vec::new();
    let mut curl_cpu = Vec::new();
    for _ in 0..5 {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut settings = EngineSettings::new(dir.path().join("downloads"));
        if std::env::var("BENCH_NO_CHECKPOINT").is_ok() {
            settings.checkpoint_bytes = u64::MAX;
            settings.checkpoint_interval = Duration::from_secs(3600);
        }
        let core =
            DownloadCore::open(&dir.path().join("data"), settings).map_err(|e| e.to_string())?;
        core.register_server(
            "replay",
            PlexServer::direct(transport(), base, token, "Replay").map_err(|e| e.to_string())?,
        );
        let id = core
            .enqueue("replay", &[key], QualityPreset::Original)
            .await
            .map_err(|e| e.to_string())?[0];
        let started = Instant::now();
        // The replay server is a process of its own: this process's CPU time is the
        // engine's (its transfer, hash and sync threads; the bench's own threads sleep).
        let cpu_before = cpu_seconds(CpuOf::ThisProcess);
        let status = run_to_end(&core, id).await?;
        engine.push(size as f64 / started.elapsed().as_secs_f64() / 1e6);
        engine_cpu.push((cpu_seconds(CpuOf::ThisProcess) - cpu_before) * GIB as f64 / size as f64);
        if status != "completed" {
            return Err(format!("the engine's download ended {status}"));
        }
        drop(dir);

        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let started = Instant::now();
        let cpu_before = cpu_seconds(CpuOf::EndedChildren);
        let status = Command::new("curl")
            .args(["-s", "-f", "-o"])
            .arg(dir.path().join("file.mkv"))
            .arg("-H")
            .arg(format!("X-Plex-Token: {token}"))
            .arg(&url)
            .status()
            .map_err(|e| format!("curl: {e}"))?;
        if !status.success() {
            return Err("curl failed".to_string());
        }
        curl.push(size as f64 / started.elapsed().as_secs_f64() / 1e6);
        curl_cpu.push((cpu_seconds(CpuOf::EndedChildren) - cpu_before) * GIB as f64 / size as f64);
    }
    let (engine, curl) = (median(engine), median(curl));
    let ratio = engine / curl;
    let (engine_cpu, curl_cpu) = (median(engine_cpu), median(curl_cpu));
    let hash_cpu = sha256_cpu_per_gib();
    Ok(vec![
        Figure {
            name: "Throughput, 1 GiB from a replay server process: engine / curl (median of 5 each, alternating)".to_string(),
            value: format!("{ratio:.2} ({engine:.0} MB/s / {curl:.0} MB/s)"),
            goal: ">= 0.95".to_string(),
            met: ratio >= 0.95,
        },
        Figure {
            name: "CPU seconds per GiB downloaded, engine / curl (same runs, median of 5 each)".to_string(),
            value: format!(
                "{:.2} ({engine_cpu:.2} s / {curl_cpu:.2} s; SHA-256 alone: {hash_cpu:.2} s)",
                engine_cpu / curl_cpu
            ),
            goal: "<= 1.00".to_string(),
            met: engine_cpu <= curl_cpu && curl_cpu > 0.0,
        },
    ])
}

pub fn plexdl(
    plexdl: &Path,
    data: &Path,
    server: &ReplayServer,
    args: &[&str],
) -> Result<std::process::Output, String> {
    Command::new(plexdl)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("PLEXDL_TOKEN", server.token())
        .output()
        .map_err(|e| format!("plexdl: {e}"))
}

fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// A new data folder connected to the server, under `dir`.
pub fn connected(
    plexdl_bin: &Path,
    server: &ReplayServer,
    dir: &Path,
) -> Result<std::path::PathBuf, String> {
    let data = dir.join("data");
    let output = plexdl(
        plexdl_bin,
        &data,
        server,
        &["connect", "--url", server.base_url()],
    )?;
    if !output.status.success() {
        return Err(format!(
            "connect: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(data)
}

/// Peak resident memory of `plexdl run --until-idle` on a data folder, in KiB, and how
/// long it ran (read from /proc every 10 ms).
pub fn run_peak(plexdl_bin: &Path, data: &Path) -> Result<(u64, Duration), String> {
    let started = Instant::now();
    let mut child = Command::new(plexdl_bin)
        .arg("--data-dir")
        .arg(data)
        .args(["run", "--until-idle"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = peak_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if !status.success() {
        return Err(format!("plexdl run ended with {status}"));
    }
    Ok((peak, started.elapsed()))
}

/// Peak resident memory of `plexdl run` for one download of a given size.
fn peak_rss(
    plexdl_bin: &Path,
    server: &ReplayServer,
    (key, size): (&str, u64),
) -> Result<Figure, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data = connected(plexdl_bin, server, dir.path())?;
    plexdl(plexdl_bin, &data, server, &["download", key])?;
    let (peak, _) = run_peak(plexdl_bin, &data)?;
    let mib = peak as f64 / 1024.0;
    Ok(Figure {
        name: format!(
            "Peak memory of `plexdl run`, one {} MiB download",
            size / MIB
        ),
        value: format!("{mib:.1} MiB"),
        goal: "<= 40 MiB".to_string(),
        met: mib <= 40.0 && peak > 0,
    })
}

/// SIGKILL at 20 seeded moments during one download; the largest amount fetched again.
fn kills(plexdl_bin: &Path, server: &ReplayServer) -> Result<Figure, String> {
    let (key, _) = TWO_HUNDRED_MIB;
    let part: u64 = key.parse().unwrap_or(0);
    let throttle = FaultRule::new(
        &format!("/library/parts/{key}/"),
        Fault::Throttle {
            bytes_per_second: 25_000_000,
        },
    );
    server
        .set_scenario(Scenario {
            faults: vec![throttle],
            ..Scenario::default()
        })
        .map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data = connected(plexdl_bin, server, dir.path())?;
    plexdl(plexdl_bin, &data, server, &["download", key])?;
    let served_at_start = server.counters().part_bytes(part);
    let (mut served_before, mut kept_before, mut worst, mut kills) =
        (served_at_start, 0u64, 0u64, 0);
    for seed in 0..20u64 {
        let mut child = Command::new(plexdl_bin)
            .arg("--data-dir")
            .arg(&data)
            .args(["run", "--until-idle"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        std::thread::sleep(Duration::from_millis(150 + mix(seed) % 300));
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            break;
        }
        let _ = child.kill();
        let _ = child.wait();
        kills += 1;
        let served = server.counters().part_bytes(part);
        let status: Value = serde_json::from_slice(
            &plexdl(plexdl_bin, &data, server, &["status", "--json"])?.stdout,
        )
        .map_err(|e| e.to_string())?;
        let kept = status[0]["bytesDone"].as_u64().unwrap_or(0);
        worst =
            worst.max((served - served_before).saturating_sub(kept.saturating_sub(kept_before)));
        served_before = served;
        kept_before = kept;
    }
    let finish = plexdl(plexdl_bin, &data, server, &["run", "--until-idle"])?;
    server
        .set_scenario(Scenario::default())
        .map_err(|e| e.to_string())?;
    if !finish.status.success() {
        return Err("the download did not finish after the kills".to_string());
    }
    Ok(Figure {
        name: format!(
            "Bytes fetched again per SIGKILL ({kills} kills at seeded moments, 200 MiB at 25 MB/s)"
        ),
        value: format!("at most {:.2} MiB", worst as f64 / MIB as f64),
        goal: "<= 4 MiB each".to_string(),
        met: worst <= 4 * MIB && kills >= 20,
    })
}

/// A data folder whose manifest holds `count` finished downloads, each with its 1 KiB file in
/// the download folder: (the temporary folder, its data folder, its download folder).
pub fn finished_downloads(
    count: u64,
) -> Result<(tempfile::TempDir, std::path::PathBuf, std::path::PathBuf), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data = dir.path().join("data");
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&downloads).map_err(|e| e.to_string())?;
    // Each row carries a full item document as cached metadata (the fixtures' Reign of Fire,
    // 17 KB with its streams), as rows do in use: the list must stay fast although every row
    // holds kilobytes it does not show.
    let document: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../fixtures/plex/server/library/metadata/1036.json"),
        )
        .map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let metadata = document["MediaContainer"]["Metadata"][0].to_string();
    {
        let manifest = Manifest::open(&data.join("manifest.sqlite")).map_err(|e| e.to_string())?;
        manifest
            .write(|tx| {
                for n in 0..count {
                    let new = NewDownload {
                        media_rating_key: n.to_string(),
                        server_identifier: "bench".to_string(),
                        part_index: 0,
                        title: format!("Item {n}"),
                        quality: "original".to_string(),
                        cached_metadata_json: metadata.clone(),
                        bytes_total: Some(1024),
                        part_key: Some(format!("/library/parts/{n}/1/file.mkv")),
                        rule_id: None,
                        tracks: Default::default(),
                    };
                    let id = rows::insert(tx, &new, n)?;
                    let mut done = machine::new_machine(n);
                    for event in [
                        Event::Start,
                        Event::PreflightPassed {
                            route: Route::Direct,
                        },
                        Event::TransferComplete,
                        Event::VerifyPassed,
                    ] {
                        machine::handle(&mut done, &event);
                    }
                    rows::save_machine(tx, id, &done)?;
                    rows::set_file(tx, id, &format!("item{n}.mkv"), None)?;
                    rows::checkpoint(tx, id, 1024, Some(1024), None)?;
                }
                Ok(())
            })
            .map_err(|e| e.to_string())?;
    }
    for n in 0..count {
        std::fs::write(downloads.join(format!("item{n}.mkv")), [0u8; 1024])
            .map_err(|e| e.to_string())?;
    }
    Ok((dir, data, downloads))
}

/// The downloads list and a verification pass over 10,000 finished downloads.
fn manifest_queries() -> Result<Vec<Figure>, String> {
    let (_dir, data, downloads) = finished_downloads(10_000)?;
    let core =
        DownloadCore::open(&data, EngineSettings::new(&downloads)).map_err(|e| e.to_string())?;
    let mut list_times = Vec::new();
    for _ in 0..7 {
        let started = Instant::now();
        // The query behind the screens' Downloads list (downloads.list and the pushes).
        let rows = core.summaries().map_err(|e| e.to_string())?;
        list_times.push(started.elapsed().as_secs_f64() * 1000.0);
        if rows.len() != 10_000 {
            return Err(format!("the list had {} rows", rows.len()));
        }
    }
    let mut verify_times = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let report = core.verify().map_err(|e| e.to_string())?;
        verify_times.push(started.elapsed().as_secs_f64() * 1000.0);
        if report.checked != 10_000 || report.missing + report.corrupt != 0 {
            return Err(format!("verification found {report:?}"));
        }
    }
    let (list, verify) = (median(list_times), median(verify_times));
    Ok(vec![
        Figure {
            name: "Downloads list with 10,000 rows (median of 7)".to_string(),
            value: format!("{list:.1} ms"),
            goal: "<= 10 ms".to_string(),
            met: list <= 10.0,
        },
        Figure {
            name: "Verification pass over 10,000 finished downloads (median of 3)".to_string(),
            value: format!("{verify:.0} ms"),
            goal: "<= 1000 ms".to_string(),
            met: verify <= 1000.0,
        },
    ])
}

/// Every measurement, in the order of the table.
pub async fn all(plexdl_bin: &Path) -> Result<Vec<Figure>, String> {
    // BENCH_ONLY=manifest measures only the manifest queries (a few seconds),
    // BENCH_ONLY=throughput only the throughput, BENCH_ONLY=memory only the peak memory and
    // BENCH_ONLY=wakes only the polls and wake-ups, BENCH_ONLY=bridge only the bridge's
    // latency and start, BENCH_ONLY=show only the 1,000-episode show and BENCH_ONLY=ui only
    // the UI's first render, for work on one of them.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only == "manifest" {
        return manifest_queries();
    }
    if only == "wakes" {
        return crate::wake_ups::all(plexdl_bin).await;
    }
    if only == "bridge" {
        return crate::bridge_latency::all(plexdl_bin);
    }
    if only == "ui" {
        return Ok(vec![crate::first_render::first_render(plexdl_bin)?]);
    }
    let fixtures = bench_fixtures()?;
    let server = ReplayServer::builder()
        .fixtures_dir(fixtures.path())
        .start()
        .map_err(|e| e.to_string())?;
    if only == "show" {
        return crate::big_show::all(plexdl_bin, &server);
    }
    if only == "memory" {
        let mut figures = Vec::new();
        for file in [TWO_HUNDRED_MIB, TWO_GIB] {
            figures.push(peak_rss(plexdl_bin, &server, file)?);
        }
        return Ok(figures);
    }
    // The throughput is measured against a replay server in a process of its own, as a real
    // server would be, so that serving and downloading do not share one process.
    let replay_bin = plexdl_bin.with_file_name("plexdl-replay");
    let mut replay = Command::new(&replay_bin)
        .arg("--fixtures")
        .arg(fixtures.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            format!(
                "{}: {e} (build it with cargo build --release -p plexdl-replay)",
                replay_bin.display()
            )
        })?;
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(replay.stdout.take().ok_or("no output")?),
        &mut first,
    )
    .map_err(|e| e.to_string())?;
    let mut words = first.split_whitespace();
    let (base, token) = (
        words.next().unwrap_or("").to_string(),
        words.next().unwrap_or("").to_string(),
    );
    let measured = throughput(&base, &token).await;
    let _ = replay.kill();
    let _ = replay.wait();
    let mut figures = measured?;
    if std::env::var("BENCH_NO_CHECKPOINT").is_ok() || only == "throughput" {
        return Ok(figures);
    }
    for file in [TWO_HUNDRED_MIB, TWO_GIB] {
        figures.push(peak_rss(plexdl_bin, &server, file)?);
    }
    figures.push(kills(plexdl_bin, &server)?);
    figures.extend(crate::big_show::all(plexdl_bin, &server)?);
    figures.extend(manifest_queries()?);
    figures.extend(crate::bridge_latency::all(plexdl_bin)?);
    figures.push(crate::first_render::first_render(plexdl_bin)?);
    figures.extend(crate::wake_ups::all(plexdl_bin).await?);
    Ok(figures)
}
