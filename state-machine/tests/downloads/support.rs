//! A core wired to a replay server, and a scheduler loop for tests.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use plexdl_core::engine::{CoreError, DownloadCore, EngineSettings, StepResult};
use plexdl_core::manifest::DownloadRow;
use plexdl_core::plex::{ClientIdentity, PlexServer, Transport, TransportSettings};
use plexdl_replay::{ReplayServer, Scenario};
use sha2::{Digest, Sha256};

/// The tokens of every replay server started by these tests.
static TOKENS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Adds a server's token to the ones the log check looks for.
pub fn watch_token(token: &str) {
    crate::log_capture::install();
    TOKENS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(token.to_string());
}

/// Asserts that no token of any replay server appears in what was logged so far.
pub fn assert_no_token_logged() {
    let text = crate::log_capture::captured();
    assert!(!text.is_empty(), "the core logged something");
    for token in TOKENS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .iter()
    {
        assert_eq!(
            text.matches(token.as_str()).count(),
            0,
            "a token appeared in the logs"
        );
    }
}

/// The server id downloads are registered under.
pub const SERVER: &str = "replay";

/// A replay server, a core in a temporary folder, and the folder.
pub struct Rig {
    pub server: ReplayServer,
    pub core: DownloadCore,
    pub dir: tempfile::TempDir,
}

/// Settings fast enough for tests.
pub fn settings(download_dir: &Path) -> EngineSettings {
    EngineSettings {
        stall_timeout: Duration::from_secs(2),
        poll_interval: Duration::from_millis(10),
        ..EngineSettings::new(download_dir)
    }
}

pub fn transport() -> Transport {
    let settings = TransportSettings {
        request_timeout: Duration::from_secs(10),
        ..TransportSettings::default()
    };
    Transport::new(ClientIdentity::new("plexdl-download-tests-01"), settings).expect("client")
}

/// Opens a core on `dir` and registers the replay server.
pub fn open_core(dir: &Path, server: &ReplayServer) -> DownloadCore {
    watch_token(server.token());
    let core = DownloadCore::open(&dir.join("data"), settings(&dir.join("downloads")))
        .expect("core opens");
    let plex = PlexServer::direct(transport(), server.base_url(), server.token(), "Replay")
        .expect("server");
    core.register_server(SERVER, plex);
    core
}

pub fn rig(scenario: Scenario) -> Rig {
    rig_with(scenario, |_| {})
}

/// A rig whose engine settings are changed by `change` first.
pub fn rig_with(scenario: Scenario, change: impl FnOnce(&mut EngineSettings)) -> Rig {
    let server = ReplayServer::builder()
        .scenario(scenario)
        .start()
        .expect("replay server");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut engine_settings = settings(&dir.path().join("downloads"));
    change(&mut engine_settings);
    watch_token(server.token());
    let core = DownloadCore::open(&dir.path().join("data"), engine_settings).expect("core opens");
    let plex = PlexServer::direct(transport(), server.base_url(), server.token(), "Replay")
        .expect("server");
    core.register_server(SERVER, plex);
    Rig { server, core, dir }
}

/// Runs one step of a download in a task of its own, as a host's scheduler does, so that
/// the test can act on the download while the step runs.
pub fn spawn_step(
    core: &Arc<DownloadCore>,
    id: i64,
) -> tokio::task::JoinHandle<Result<StepResult, CoreError>> {
    let core = core.clone();
    tokio::spawn(async move { core.run_step(id, Arc::new(AtomicBool::new(false))).await })
}

/// Runs a download step by step until it needs the user (finished, failed, paused,
/// cancelled), waking it at once when it waits (so tests do not sleep through backoffs).
/// Panics if it makes no progress within the limits.
pub async fn run_to_end(core: &DownloadCore, id: i64) -> DownloadRow {
    let started = Instant::now();
    for _ in 0..500 {
        let result = core
            .run_step(id, Arc::new(AtomicBool::new(false)))
            .await
            .expect("step runs");
        match result {
            StepResult::Idle { .. } => {
                assert_no_token_logged();
                return core.get(id).expect("row");
            }
            StepResult::WakeAfter { millis } => {
                let row = core.get(id).expect("row");
                if row.download_status == "backoff" {
                    core.wake(id).expect("woken");
                } else if millis > 0 {
                    tokio::time::sleep(Duration::from_millis(millis.min(50))).await;
                }
            }
            StepResult::WaitForNetwork => panic!("download {id} waits for a network in a test"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "download {id} did not finish in time"
        );
    }
    panic!(
        "download {id} did not finish in 500 steps: {:?}",
        core.get(id)
    );
}

/// Queues one item at original quality and runs its first download to the end.
pub async fn download_first(core: &DownloadCore, rating_key: &str) -> DownloadRow {
    let ids = core
        .enqueue(
            SERVER,
            &[rating_key],
            plexdl_core::plex::QualityPreset::Original,
        )
        .await
        .expect("enqueued");
    run_to_end(core, ids[0]).await
}

/// The SHA-256 of a file, read in pieces.
pub fn sha256_file(path: &Path) -> String {
    use std::io::Read;
    let mut file =
        std::fs::File::open(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let count = file.read(&mut buf).expect("read");
        if count == 0 {
            break;
        }
        hasher.update(&buf[..count]);
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The finished file of a download.
pub fn finished_file(rig: &Rig, row: &DownloadRow) -> PathBuf {
    rig.core.final_path(row).expect("a file name")
}

/// Marks an item watched on the server as another client does (`/:/scrobble`).
pub async fn scrobble_elsewhere(server: &ReplayServer, rating_key: &str) {
    let answer = reqwest::Client::new()
        .put(format!(
            "{}/:/scrobble?key={rating_key}&identifier=com.plexapp.plugins.library",
            server.base_url()
        ))
        .header("X-Plex-Token", server.token())
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status(), 200);
}
