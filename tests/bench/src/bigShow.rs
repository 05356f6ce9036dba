//! A show of 1,000 episodes queued at once, as a user does who queues a long-running series:
//! how long `plexdl download SHOW` takes, the peak memory of `plexdl run` while it works
//! through all of them against that of a run with one of the same episodes, and the
//! downloads list with those rows.

use std::path::Path;
use std::time::{Duration, Instant};

use plexdl_core::engine::{DownloadCore, EngineSettings};
use plexdl_replay::ReplayServer;
use serde_json::{Value, json};

use crate::Figure;
use crate::measures::{connected, plexdl, run_peak};

/// The show's rating key; its seasons are SHOW + 1 ..= SHOW + SEASONS.
const SHOW: u64 = 910_000;
const SEASONS: u64 = 20;
const EPISODES_PER_SEASON: u64 = 50;
/// Episode n (from 0) has rating key and part id FIRST_EPISODE + n.
const FIRST_EPISODE: u64 = 920_000;
/// Each episode's size: small, so that the run's cost per download shows, not its bytes.
const EPISODE_BYTES: u64 = 64 * 1024;

/// Writes the show, its seasons and its episodes into a fixture folder, and names each
/// document in its index.json.
pub fn add_show(fixtures: &Path) -> Result<(), String> {
    let index_path = fixtures.join("index.json");
    let mut index: Value =
        serde_json::from_str(&std::fs::read_to_string(&index_path).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let mut served = Vec::new();
    let mut write = |path: String, document: Value| -> Result<(), String> {
        let at = format!(
            "/{}",
            path.trim_start_matches("server/").trim_end_matches(".json")
        );
        served.push((at, path.clone()));
        let path = fixtures.join(path);
        std::fs::create_dir_all(path.parent().ok_or("no parent")?).map_err(|e| e.to_string())?;
        std::fs::write(&path, document.to_string()).map_err(|e| e.to_string())
    };
    let show = json!({
        "ratingKey": SHOW.to_string(), "key": format!("/library/metadata/{SHOW}/children"),
        "type": "show", "title": "Benchmark Show", "year": 2026, "childCount": SEASONS,
        "leafCount": SEASONS * EPISODES_PER_SEASON,
    });
    write(
        format!("server/library/metadata/{SHOW}.json"),
        json!({"MediaContainer": {"size": 1, "Metadata": [show]}}),
    )?;
    let seasons: Vec<Value> = (1..=SEASONS)
        .map(|season| {
            json!({
                "ratingKey": (SHOW + season).to_string(),
                "key": format!("/library/metadata/{}/children", SHOW + season),
                "parentRatingKey": SHOW.to_string(), "type": "season",
                "title": format!("Season {season}"), "index": season,
                "leafCount": EPISODES_PER_SEASON,
            })
        })
        .collect();
    write(
        format!("server/library/metadata/{SHOW}/children.json"),
        json!({"MediaContainer": {"size": SEASONS, "Metadata": seasons}}),
    )?;
    for season in 1..=SEASONS {
        let episodes: Vec<Value> = (1..=EPISODES_PER_SEASON)
            .map(|episode| {
                let id = FIRST_EPISODE + (season - 1) * EPISODES_PER_SEASON + (episode - 1);
                json!({
                    "ratingKey": id.to_string(), "key": format!("/library/metadata/{id}"),
                    "parentRatingKey": (SHOW + season).to_string(),
                    "grandparentRatingKey": SHOW.to_string(), "type": "episode",
                    "title": format!("Episode {episode}"), "grandparentTitle": "Benchmark Show",
                    "parentTitle": format!("Season {season}"), "index": episode,
                    "parentIndex": season, "duration": 60_000,
                    "Media": [{"id": id, "duration": 60_000, "bitrate": 1_000, "container": "mkv",
                        "Part": [{"id": id, "key": format!("/library/parts/{id}/1700000000/file.mkv"),
                                  "duration": 60_000, "file": format!("/bench/show/{id}.mkv"),
                                  "size": EPISODE_BYTES, "container": "mkv"}]}],
                })
            })
            .collect();
        write(
            format!("server/library/metadata/{}/children.json", SHOW + season),
            json!({"MediaContainer": {"size": EPISODES_PER_SEASON, "Metadata": episodes}}),
        )?;
    }
    let documents = index["server"]["documents"]
        .as_object_mut()
        .ok_or("the fixtures' index has no documents")?;
    for (at, file) in served {
        documents.insert(at, Value::String(file));
    }
    std::fs::write(&index_path, index.to_string()).map_err(|e| e.to_string())
}

/// The three figures of the 1,000-episode show (the server's fixtures hold it: `add_show`).
pub fn all(plexdl_bin: &Path, server: &ReplayServer) -> Result<Vec<Figure>, String> {
    let episodes = SEASONS * EPISODES_PER_SEASON;
    // One episode alone: the baseline of the same run.
    let one = tempfile::tempdir().map_err(|e| e.to_string())?;
    let one_data = connected(plexdl_bin, server, one.path())?;
    plexdl(
        plexdl_bin,
        &one_data,
        server,
        &["download", &FIRST_EPISODE.to_string()],
    )?;
    let (single_peak, _) = run_peak(plexdl_bin, &one_data)?;

    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data = connected(plexdl_bin, server, dir.path())?;
    let started = Instant::now();
    let queued = plexdl(plexdl_bin, &data, server, &["download", &SHOW.to_string()])?;
    let enqueue = started.elapsed();
    if !queued.status.success() {
        return Err(format!(
            "queueing the show: {}",
            String::from_utf8_lossy(&queued.stderr)
        ));
    }
    let (show_peak, run_took) = run_peak(plexdl_bin, &data)?;

    let core = DownloadCore::open(&data, EngineSettings::new(data.join("downloads")))
        .map_err(|e| e.to_string())?;
    let mut list_times = Vec::new();
    let mut completed = 0;
    for _ in 0..7 {
        let started = Instant::now();
        let rows = core.summaries().map_err(|e| e.to_string())?;
        list_times.push(started.elapsed().as_secs_f64() * 1000.0);
        completed = rows
            .iter()
            .filter(|row| row.download_status.name() == "completed")
            .count();
    }
    if completed as u64 != episodes {
        return Err(format!(
            "{completed} of the show's {episodes} episodes completed"
        ));
    }
    list_times.sort_by(|a, b| a.total_cmp(b));
    let list = list_times[list_times.len() / 2];
    let above = (show_peak as f64 - single_peak as f64) / 1024.0;
    Ok(vec![
        Figure {
            name: format!(
                "A {episodes}-episode show queued at once: `plexdl download SHOW` from start to exit"
            ),
            value: format!("{:.2} s", enqueue.as_secs_f64()),
            goal: "<= 2 s".to_string(),
            met: enqueue <= Duration::from_secs(2),
        },
        Figure {
            name: format!(
                "Peak memory of `plexdl run` through the {episodes} episodes, above one episode alone"
            ),
            value: format!(
                "{above:+.1} MiB ({:.1} MiB / {:.1} MiB; the run took {:.0} s)",
                show_peak as f64 / 1024.0,
                single_peak as f64 / 1024.0,
                run_took.as_secs_f64()
            ),
            goal: "<= 10 MiB above".to_string(),
            met: above <= 10.0 && single_peak > 0,
        },
        Figure {
            name: format!("Downloads list with the show's {episodes} rows (median of 7)"),
            value: format!("{list:.1} ms"),
            goal: "<= 10 ms".to_string(),
            met: list <= 10.0,
        },
    ])
}
