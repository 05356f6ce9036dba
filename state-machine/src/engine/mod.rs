//! The engine and the public API the hosts use: open the core, register servers, enqueue
//! (with show and season expansion), list, pause, resume, cancel, retry, delete, run one
//! step of a download, and reconcile at start.
//!
//! The engine carries out the machines' effects (HTTP, files, SQL) and feeds the results
//! back as events. Every event is applied to the machine as stored in the manifest, in the
//! same transaction that saves the result, so a pause from the user and a transfer that
//! ends at the same moment never overwrite each other.

#[path = "contentHash.rs"]
pub mod content_hash;
pub mod doorbell;
#[path = "fileNames.rs"]
pub mod file_names;
mod finishing;
#[path = "keepRules.rs"]
pub mod keep_rules;
#[path = "outputName.rs"]
pub mod output_name;
mod preflight;
#[path = "queueRun.rs"]
pub mod queue_run;
mod rebuild;
pub mod registry;
pub use preflight::available_space;
#[path = "runnerLock.rs"]
pub mod runner_lock;
pub mod sidecar;
pub mod signals;
mod slots;
mod stepper;
pub mod transfer;
pub mod verification;
#[path = "versionChoice.rs"]
pub mod version_choice;
#[path = "watchOutbox.rs"]
pub mod watch_outbox;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::machine::{self, Event};
use crate::manifest::{DownloadRow, Manifest, ManifestError, NewDownload, rows};
use crate::plex::{PlexError, PlexServer, QualityPreset};

/// Settings of the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineSettings {
    /// Where finished files and partial files go.
    pub download_dir: PathBuf,
    /// No byte for this long is a retryable failure.
    pub stall_timeout: Duration,
    /// Checkpoint at most every this many bytes (3 MiB: with the data still in flight in
    /// socket buffers, a kill then costs at most 4 MiB fetched again)...
    pub checkpoint_bytes: u64,
    /// ...or this much time, whichever comes first.
    pub checkpoint_interval: Duration,
    /// How long one step may transfer before it checkpoints and returns (a worker's slice).
    pub step_budget: Duration,
    /// The shortest time between two polls of a queue item on the server.
    pub poll_interval: Duration,
    /// A partial file that belongs to no download is removed when it is this old.
    pub orphan_grace: Duration,
    /// What to do when a conversion is asked of a server that is already converting.
    pub busy_policy: BusyPolicy,
    /// Transfers at once, in all.
    pub max_transfers: usize,
    /// Transfers at once from one server (some servers refuse parallel downloads).
    pub max_transfers_per_server: usize,
    /// The least space kept free on the device beyond what is left to fetch; the margin is
    /// 5% of what is left when that is more (see `preflight::space_needed`).
    pub free_space_margin: u64,
    /// Containers the device plays; an original in another container is converted with its
    /// video and audio copied.
    pub playable_containers: Vec<String>,
}

impl EngineSettings {
    /// The container of converted files: MKV when the device plays it, else MP4.
    pub fn output_container(&self) -> &'static str {
        let plays = |name: &str| {
            self.playable_containers
                .iter()
                .any(|c| c.eq_ignore_ascii_case(name))
        };
        if plays("mkv") || !plays("mp4") {
            "mkv"
        } else {
            "mp4"
        }
    }
}

/// What to do when a conversion is asked of a busy server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BusyPolicy {
    /// Stop with a warning; the user's Retry starts it anyway.
    Warn,
    /// Wait (retry later) until the server is no longer converting.
    Wait,
    /// Start it anyway.
    Ignore,
}

impl EngineSettings {
    /// Defaults for a download folder.
    pub fn new(download_dir: impl Into<PathBuf>) -> EngineSettings {
        EngineSettings {
            download_dir: download_dir.into(),
            stall_timeout: Duration::from_secs(30),
            checkpoint_bytes: 3 * 1024 * 1024,
            checkpoint_interval: Duration::from_secs(2),
            step_budget: Duration::from_secs(8 * 60),
            poll_interval: Duration::from_secs(6),
            orphan_grace: Duration::from_secs(24 * 3600),
            busy_policy: BusyPolicy::Warn,
            max_transfers: 2,
            max_transfers_per_server: 1,
            free_space_margin: 32 * 1024 * 1024,
            playable_containers: ["mkv", "mp4", "m4v", "mov", "webm", "ts", "3gp"]
                .iter()
                .map(|container| (*container).to_string())
                .collect(),
        }
    }
}

/// A failure of the core API.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Plex(#[from] PlexError),
    #[error("the server {0} is not connected; connect to it first")]
    UnknownServer(String),
    #[error("cannot use the download folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("nothing to download under {0}")]
    NothingToDownload(String),
    /// The download folder is not there (a storage card that was taken out): nothing is
    /// checked or written until it is back.
    #[error("the download folder {0} is not there")]
    DownloadFolderMissing(String),
    /// Another process holds the runner lock of the data folder.
    #[error(transparent)]
    Runner(#[from] runner_lock::LockError),
    /// Steps failed on the manifest [`MAX_MANIFEST_FAILURES`] times in a row; no step runs
    /// until the manifest is repaired (or the process starts again).
    #[error(
        "downloads are stopped: the manifest failed {MAX_MANIFEST_FAILURES} times in a row ({0})"
    )]
    ManifestStopped(String),
    /// A rebuild of the manifest is under way; steps wait for it.
    #[error("the list of downloads is being rebuilt")]
    Rebuilding,
    /// A rebuild gave up because running steps did not end in time.
    #[error("{0} downloads did not stop, so the list of downloads was not rebuilt")]
    StepsStillRunning(usize),
    /// A keep rule that cannot be: its sentence says why.
    #[error("{0}")]
    BadRule(String),
    #[error("no keep rule with id {0}")]
    NoSuchRule(i64),
    /// Play was asked for a download that has not finished.
    #[error("download {0} has not finished")]
    NotFinished(i64),
    /// A finished download whose file is not where its row says.
    #[error("download {0} has no file")]
    NoFile(i64),
}

/// What the user reads when the download folder is not there.
pub fn download_folder_missing(path: &str) -> String {
    format!(
        "The downloads folder {path} is not there: was a storage card taken out? Your downloads are kept and nothing is changed until it is back. Put the card back, or remove those downloads and choose another folder in Settings."
    )
}

/// Steps that fail on the manifest this many times in a row stop every further step: a
/// damaged or unwritable database must not turn the scheduler into a loop that asks the
/// server for the same thing thousands of times.
pub const MAX_MANIFEST_FAILURES: u32 = 3;

pub use plexdl_protocol::{NetworkFact, StepResult, Wake};
pub use version_choice::VersionChoice;

impl CoreError {
    /// Logs the error at its kind's level, with its public sentence and `what` failed.
    pub fn log_failure(&self, what: &str) {
        let public = self.public();
        crate::logging::failure(public.kind, &public.message, what);
    }

    /// The engine's one mapping to the public error: the kind (its action and log level
    /// from the table) and a plain sentence, with tokens removed.
    pub fn public(&self) -> plexdl_protocol::ErrorBody {
        use plexdl_protocol::{ErrorBody, FailureKind};
        match self {
            CoreError::Plex(plex) => ErrorBody::new(plex.kind(), plex.user_message()),
            CoreError::Manifest(manifest) => {
                ErrorBody::new(manifest.kind(), manifest.user_message())
            }
            CoreError::UnknownServer(id) => ErrorBody::new(
                FailureKind::UnknownServer,
                format!("The server {id} is not connected. Connect to it first."),
            ),
            CoreError::NothingToDownload(key) => ErrorBody::new(
                FailureKind::NotFound,
                format!("There is nothing to download under {key}."),
            ),
            CoreError::Folder { .. } => ErrorBody::new(
                FailureKind::Storage,
                plexdl_redact::redact_text(&self.to_string()).into_owned(),
            ),
            CoreError::Runner(runner_lock::LockError::Held(holder)) => ErrorBody::new(
                FailureKind::OtherRunner,
                match holder {
                    Some(holder) => format!(
                        "{holder} runs the downloads of this data folder. Commands given here reach it within 2 seconds; to run downloads here instead, stop that process first."
                    ),
                    None => FailureKind::OtherRunner.sentence().to_string(),
                },
            ),
            CoreError::ManifestStopped(_) => ErrorBody::new(
                FailureKind::Manifest,
                format!(
                    "Downloads are stopped because the list of downloads failed {MAX_MANIFEST_FAILURES} times in a row. If the disk is full, free some space and start again; otherwise rebuild the list (the Rebuild button on the Diagnostics screen, or `plexdl doctor`): every finished download comes back from the small file beside it."
                ),
            ),
            CoreError::DownloadFolderMissing(path) => ErrorBody::new(
                FailureKind::Storage,
                plexdl_redact::redact_text(&download_folder_missing(path)).into_owned(),
            ),
            CoreError::Rebuilding => ErrorBody::new(
                FailureKind::Manifest,
                "The list of downloads is being rebuilt. Downloads go on when that is done.",
            ),
            CoreError::StepsStillRunning(count) => ErrorBody::new(
                FailureKind::Manifest,
                format!(
                    "{count} downloads did not stop within a minute, so the list of downloads was not rebuilt. Try again."
                ),
            ),
            CoreError::BadRule(sentence) => {
                ErrorBody::new(FailureKind::BadRequest, sentence.clone())
            }
            CoreError::NoSuchRule(id) => ErrorBody::new(
                FailureKind::NotFound,
                format!("There is no keep rule with id {id}."),
            ),
            CoreError::Runner(runner_lock::LockError::Io { .. }) => ErrorBody::new(
                FailureKind::Storage,
                plexdl_redact::redact_text(&self.to_string()).into_owned(),
            ),
            CoreError::NotFinished(id) => ErrorBody::new(
                FailureKind::NotFinished,
                format!("Download {id} has not finished yet."),
            ),
            CoreError::NoFile(id) => ErrorBody::new(
                FailureKind::NoSuchDownload,
                format!(
                    "The file of download {id} is not there. Check the downloads on the Diagnostics screen."
                ),
            ),
        }
    }
}

/// What the data folder's runner holds. The doorbell is declared first so that it is
/// dropped first: its socket file is removed while the lock is still held (doorbell.rs).
#[derive(Debug)]
struct Runner {
    doorbell: Option<doorbell::Doorbell>,
    #[allow(dead_code, reason = "held for its Drop, which releases the lock")]
    lock: runner_lock::RunnerLock,
}

/// The core: the manifest, the engine and the connected servers.
#[derive(Debug)]
pub struct DownloadCore {
    manifest: Manifest,
    data_dir: PathBuf,
    /// The data folder's runner lock and doorbell, once this process runs downloads (see
    /// runner_lock and doorbell).
    runner: Mutex<Option<Runner>>,
    /// What this process says it runs, written into the lock when it takes it.
    runner_name: Mutex<String>,
    /// Steps that failed on the manifest in a row, and the last such failure.
    manifest_failures: Mutex<(u32, String)>,
    /// Set while the manifest is rebuilt in this process (see rebuild.rs).
    rebuilding: AtomicBool,
    settings: EngineSettings,
    servers: registry::Servers,
    stops: registry::StopFlags,
    slots: slots::Slots,
    /// The busy-server policy in force (starts as the settings' one; the user can change it).
    busy_policy: Mutex<BusyPolicy>,
    /// See [`DownloadCore::set_simulated_disk_capacity`]; 0 when not set.
    simulated_capacity: std::sync::atomic::AtomicU64,
    /// "Run the queue now" (see signals.rs); the doorbell's thread raises it too.
    wake: Arc<signals::WakeSignal>,
    /// The network as the host last described it.
    network: Mutex<NetworkFact>,
    /// The user's Wi-Fi only setting, as the queue and the steps apply it.
    wifi_only: AtomicBool,
    /// The count of changes for the keep rules when they were last applied here (-1: not
    /// since this process started, or since a server was connected; see keep_rules.rs).
    rules_seen: std::sync::atomic::AtomicI64,
}

impl DownloadCore {
    /// Opens the manifest in `data_dir` and prepares the download folder.
    pub fn open(data_dir: &Path, settings: EngineSettings) -> Result<DownloadCore, CoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| CoreError::Folder {
            path: data_dir.display().to_string(),
            source,
        })?;
        // A download folder that cannot be made (on a storage card that was taken out) does
        // not stop the core from opening: the screens must still work, and the downloads
        // wait for it (see `download_folder_present`).
        if let Err(error) = std::fs::create_dir_all(&settings.download_dir) {
            tracing::warn!(folder = %settings.download_dir.display(), %error, "the download folder is not there");
        }
        let manifest = Manifest::open(&data_dir.join(crate::manifest::MANIFEST_FILE))?;
        let slots = slots::Slots::new(settings.max_transfers, settings.max_transfers_per_server);
        Ok(DownloadCore {
            manifest,
            data_dir: data_dir.to_path_buf(),
            runner: Mutex::new(None),
            manifest_failures: Mutex::new((0, String::new())),
            rebuilding: AtomicBool::new(false),
            runner_name: Mutex::new(format!(
                "{} {}",
                env!("CARGO_PKG_NAME"),
                env!("CARGO_PKG_VERSION")
            )),
            servers: registry::Servers::default(),
            stops: registry::StopFlags::default(),
            slots,
            busy_policy: Mutex::new(settings.busy_policy),
            settings,
            simulated_capacity: std::sync::atomic::AtomicU64::new(0),
            wake: Arc::new(signals::WakeSignal::default()),
            network: Mutex::new(NetworkFact::default()),
            wifi_only: AtomicBool::new(false),
            rules_seen: std::sync::atomic::AtomicI64::new(-1),
        })
    }

    /// Makes this process the runner of the data folder: it takes the runner lock (and
    /// keeps it while the core lives) under `what`, the words another process shows. Steps
    /// take it themselves if a host did not; a host calls this first to learn at start,
    /// with the holder's name, that another process runs the downloads.
    pub fn become_runner(&self, what: &str) -> Result<(), CoreError> {
        *self
            .runner_name
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = what.to_string();
        self.ensure_runner()
    }

    /// Whether this process holds the runner lock.
    pub fn is_runner(&self) -> bool {
        self.runner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_some()
    }

    /// The process that holds the runner lock of the data folder, when it is another one.
    pub fn other_runner(&self) -> Option<runner_lock::Holder> {
        if self.is_runner() {
            return None;
        }
        runner_lock::RunnerLock::holder(&self.data_dir)
    }

    fn ensure_runner(&self) -> Result<(), CoreError> {
        let mut runner = self
            .runner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if runner.is_none() {
            let name = self
                .runner_name
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone();
            let lock = runner_lock::RunnerLock::acquire(&self.data_dir, &name)?;
            *runner = Some(self.runner_with(lock));
        }
        Ok(())
    }

    /// The runner's hold on the folder: its lock, and the doorbell it binds under it.
    fn runner_with(&self, lock: runner_lock::RunnerLock) -> Runner {
        let doorbell = match doorbell::Doorbell::listen(&self.data_dir, self.wake.clone()) {
            Ok(doorbell) => Some(doorbell),
            Err(error) => {
                tracing::warn!(%error, folder = %self.data_dir.display(), "no doorbell for other processes; the host looks at the manifest every few seconds instead");
                None
            }
        };
        Runner { doorbell, lock }
    }

    /// Whether this process is the runner and hears other processes' changes through the
    /// doorbell (see doorbell.rs). A host whose runner does not hear them looks at the
    /// manifest every few seconds.
    pub fn hears_other_processes(&self) -> bool {
        self.runner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .as_ref()
            .is_some_and(|runner| runner.doorbell.is_some())
    }

    /// Something changed what should run: this process's run of the queue looks again, and
    /// the data folder's runner, when it is another process, hears the doorbell.
    fn queue_changed(&self) {
        self.wake.raise();
        self.tell_runner();
    }

    /// Rings the runner's doorbell when the runner is another process (a pause or cancel
    /// made here reaches its running step at once).
    fn tell_runner(&self) {
        if !self.is_runner() {
            doorbell::Doorbell::ring(&self.data_dir);
        }
    }

    /// What the runner does about changes other processes made to the manifest (a pause,
    /// cancel or remove from `plexdl pause` while `plexdl ui` runs the download). A step
    /// whose row no longer wants work, or is gone, is told to stop; a cancelled download's
    /// partial file is removed here, by the one process that writes partial files. Hosts
    /// call it at least every 2 seconds while they run downloads. Returns the ids stopped.
    pub fn notice_other_processes(&self) -> Result<Vec<i64>, CoreError> {
        if !self.is_runner() {
            return Ok(Vec::new());
        }
        let running = self.stops.ids();
        let mut stopped = Vec::new();
        for id in &running {
            let status = self.manifest.read(|tx| rows::status_of(tx, *id))?;
            if status.is_none_or(|status| !status.needs_work()) && self.stops.raise(*id) {
                tracing::info!(download_id = id, status = ?status, "another process changed a running download; stopping its step");
                stopped.push(*id);
            }
        }
        for id in self.manifest.read(rows::cancelled_with_bytes)? {
            if !running.contains(&id) {
                self.delete_partial(id)?;
            }
        }
        Ok(stopped)
    }

    /// The settings in force.
    pub fn settings(&self) -> &EngineSettings {
        &self.settings
    }

    /// Free bytes in the download folder, when the system reports it.
    pub fn free_space(&self) -> Option<u64> {
        preflight::available_space(&self.settings.download_dir)
    }

    /// The busy-server policy in force.
    pub fn busy_policy(&self) -> BusyPolicy {
        *self
            .busy_policy
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Changes the busy-server policy for the pre-flight checks that run from now on.
    pub fn set_busy_policy(&self, policy: BusyPolicy) {
        *self
            .busy_policy
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = policy;
    }

    /// The downloads moving bytes now. A download in a transfer state that is not among them
    /// waits for a free transfer slot. Only this process's steps are known here.
    pub fn transferring_now(&self) -> std::collections::HashSet<i64> {
        self.slots.holders()
    }

    /// Transfers at once, in all and per server.
    pub fn transfer_limits(&self) -> (usize, usize) {
        self.slots.limits()
    }

    /// Changes how many transfers run at once, in all and per server (at least 1 each).
    pub fn set_transfer_limits(&self, total: usize, per_server: usize) {
        self.slots.set_limits(total, per_server);
        self.wake.raise();
    }

    /// The manifest (for hosts that answer lists and for tests).
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Makes a server usable by downloads that name its identifier.
    pub fn register_server(&self, server_id: &str, server: PlexServer) {
        self.servers.register(server_id, server);
        // The rules of this server can be applied now.
        self.rules_seen
            .store(-1, std::sync::atomic::Ordering::Relaxed);
        // Watched-state changes that waited for this server can go now.
        let waiting = self
            .manifest
            .read(crate::manifest::watch::servers_due)
            .is_ok_and(|due| due.iter().any(|(server, _)| server == server_id));
        if waiting {
            self.wake.raise();
        }
    }

    /// A connected server.
    pub fn server(&self, server_id: &str) -> Option<PlexServer> {
        self.servers.get(server_id)
    }

    /// Every connected server with its id, in the order they were connected.
    pub fn connected_servers(&self) -> Vec<(String, PlexServer)> {
        self.servers.all()
    }

    /// Asks the running step of a download (if any) to checkpoint and return, as when the
    /// host's scheduler stops it. True if a step was running.
    pub fn request_stop(&self, id: i64) -> bool {
        self.stops.raise(id)
    }

    /// Adds downloads for rating keys; a show or season key adds every episode. Original
    /// quality gets one download per file part; other qualities one per item. An item already
    /// in the manifest at the same quality is not added twice. Returns the download ids.
    pub async fn enqueue(
        &self,
        server_id: &str,
        rating_keys: &[&str],
        quality: QualityPreset,
    ) -> Result<Vec<i64>, CoreError> {
        self.enqueue_with(server_id, rating_keys, quality, &VersionChoice::default())
            .await
    }

    /// [`DownloadCore::enqueue`] with a chosen version and tracks: an item that has the
    /// chosen version gets it (with the audio and subtitles of a conversion); every other
    /// item gets the version closest to the screen.
    pub async fn enqueue_with(
        &self,
        server_id: &str,
        rating_keys: &[&str],
        quality: QualityPreset,
        choice: &VersionChoice,
    ) -> Result<Vec<i64>, CoreError> {
        let server = self
            .server(server_id)
            .ok_or_else(|| CoreError::UnknownServer(server_id.to_string()))?;
        let mut ids = Vec::new();
        for key in rating_keys {
            // A user without permission is told so now, before any download is added.
            let item = server.check_download_permission(key).await?;
            let items = server.expand_item(item).await?;
            if items.is_empty() {
                return Err(CoreError::NothingToDownload((*key).to_string()));
            }
            ids.extend(
                self.add_items(server_id, &server, items, quality, None, choice)
                    .await?,
            );
        }
        if !ids.is_empty() {
            self.queue_changed();
        }
        Ok(ids)
    }

    /// Adds a download for each playable item (see [`DownloadCore::enqueue`]), queued by
    /// `rule_id` when a keep rule adds it. Returns the download ids, new or already there.
    pub(crate) async fn add_items(
        &self,
        server_id: &str,
        server: &PlexServer,
        items: Vec<crate::plex::Metadata>,
        quality: QualityPreset,
        rule_id: Option<i64>,
        choice: &VersionChoice,
    ) -> Result<Vec<i64>, CoreError> {
        let mut ids = Vec::new();
        for item in items {
            // Listings may hold only part of the media details: read the item itself.
            let item = if item.media.is_empty() {
                server.metadata(item.rating_key()).await?
            } else {
                item
            };
            let tracks = choice.for_item(&item, quality);
            let part_count = if quality == QualityPreset::Original {
                item.parts_of(tracks.media_id).count().max(1)
            } else {
                1
            };
            let first_media_id = item.media.first().and_then(|media| media.id);
            let metadata_json = serde_json::to_string(&item).unwrap_or_else(|_| "{}".to_string());
            for part_index in 0..part_count {
                let part = item.parts_of(tracks.media_id).nth(part_index);
                let new = NewDownload {
                    media_rating_key: item.rating_key().to_string(),
                    server_identifier: server_id.to_string(),
                    part_index: part_index as u32,
                    title: file_names::base_name(&item, part_index as u32, part_count),
                    quality: quality.name().to_string(),
                    cached_metadata_json: metadata_json.clone(),
                    bytes_total: if quality == QualityPreset::Original {
                        part.and_then(|p| p.size)
                    } else {
                        None
                    },
                    part_key: part.and_then(|p| p.key.clone()),
                    rule_id,
                    tracks: tracks.clone(),
                };
                let seed = crate::manifest::now_ms() as u64 ^ (ids.len() as u64) << 32;
                let id = self.manifest.write(|tx| {
                    match rows::find(
                        tx,
                        &new.server_identifier,
                        &new.media_rating_key,
                        new.part_index,
                        &new.quality,
                        &new.tracks,
                        first_media_id,
                    )? {
                        Some(existing) => Ok(existing.id),
                        None => rows::insert(tx, &new, seed),
                    }
                })?;
                tracing::info!(download_id = id, rating_key = %new.media_rating_key, quality = %new.quality, media_id = ?new.tracks.media_id, rule_id, "download queued");
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Every download, from the manifest alone.
    pub fn list(&self) -> Result<Vec<DownloadRow>, CoreError> {
        Ok(self.manifest.read(rows::list)?)
    }

    /// Every download as lists show it (the screens' Downloads list), from the manifest
    /// alone and only the columns shown.
    pub fn summaries(&self) -> Result<Vec<crate::manifest::DownloadSummary>, CoreError> {
        Ok(self.manifest.read(rows::summaries)?)
    }

    /// One download.
    pub fn get(&self, id: i64) -> Result<DownloadRow, CoreError> {
        Ok(self.manifest.read(|tx| rows::get(tx, id))?)
    }

    /// Applies a user event to the stored machine (and stops a running step if it has to).
    fn command(&self, id: i64, event: Event) -> Result<DownloadRow, CoreError> {
        if matches!(event, Event::Pause | Event::Cancel) {
            self.stops.raise(id);
        }
        let effects = self.apply_outside_a_step(id, &event)?;
        // Cancel's file removal does not wait for the next step, unless another process runs
        // the downloads: then that process removes it (`notice_other_processes`), since it
        // may be writing the file right now.
        if effects.contains(&machine::Effect::DeletePartial) && self.other_runner().is_none() {
            self.delete_partial(id)?;
        }
        if matches!(event, Event::Pause | Event::Cancel) {
            self.tell_runner();
        }
        self.get(id)
    }

    /// Pauses a download.
    pub fn pause(&self, id: i64) -> Result<DownloadRow, CoreError> {
        self.command(id, Event::Pause)
    }

    /// Resumes a paused download.
    pub fn resume(&self, id: i64) -> Result<DownloadRow, CoreError> {
        let row = self.command(id, Event::Resume)?;
        self.queue_changed();
        Ok(row)
    }

    /// Cancels a download (its partial file is removed; the row stays, as Cancelled).
    pub fn cancel(&self, id: i64) -> Result<DownloadRow, CoreError> {
        self.command(id, Event::Cancel)
    }

    /// Tries a failed, cancelled or waiting download again, from the bytes it has.
    pub fn retry(&self, id: i64) -> Result<DownloadRow, CoreError> {
        let row = self.command(id, Event::Retry)?;
        self.queue_changed();
        Ok(row)
    }

    /// For tests and demonstrations: makes writes that would grow a partial file past
    /// `capacity` bytes fail as on a full disk (`None` gives the space back).
    pub fn set_simulated_disk_capacity(&self, capacity: Option<u64>) {
        self.simulated_capacity
            .store(capacity.unwrap_or(0), Ordering::Relaxed);
    }

    pub(crate) fn simulated_capacity(&self) -> Option<u64> {
        Some(self.simulated_capacity.load(Ordering::Relaxed)).filter(|capacity| *capacity > 0)
    }

    /// Tells the core that the network went away or came back. Working downloads stop and
    /// wait for the network; waiting ones are woken when it returns. Returns the ids whose
    /// state changed, for the host to schedule.
    pub fn network_changed(&self, available: bool) -> Result<Vec<i64>, CoreError> {
        let event = if available {
            Event::NetworkBack
        } else {
            Event::NetworkLost
        };
        let mut changed = Vec::new();
        for row in self.list()? {
            let before = row.download_status;
            if !before.needs_work() {
                continue;
            }
            if !available {
                self.stops.raise(row.id);
            }
            self.apply_outside_a_step(row.id, &event)?;
            if self.get(row.id)?.download_status != before {
                changed.push(row.id);
            }
        }
        tracing::info!(available, changed = changed.len(), "network changed");
        if available && !changed.is_empty() {
            self.wake.raise();
        }
        Ok(changed)
    }

    /// The network as the host sees it now (Android passes it whenever it changes; a
    /// desktop never does, and counts as connected without a meter). When downloads may no
    /// longer use it (gone, or metered with Wi-Fi only), working downloads stop and wait;
    /// when they may again, they go on.
    pub fn set_network(&self, fact: NetworkFact) -> Result<(), CoreError> {
        let before = self.network_usable();
        *self
            .network
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = fact;
        tracing::info!(
            connected = fact.connected,
            unmetered = fact.unmetered,
            "network as the host sees it"
        );
        self.usable_network_changed(before)
    }

    /// The user's Wi-Fi only setting (the app passes it at start and on every change).
    pub fn set_wifi_only(&self, wifi_only: bool) -> Result<(), CoreError> {
        let before = self.network_usable();
        self.wifi_only.store(wifi_only, Ordering::Relaxed);
        self.usable_network_changed(before)
    }

    fn usable_network_changed(&self, before: bool) -> Result<(), CoreError> {
        let now = self.network_usable();
        if now != before {
            self.network_changed(now)?;
            if now {
                // Queued downloads never left their state for the network, so nothing
                // above may have changed; they can start now all the same.
                self.wake.raise();
            }
        }
        Ok(())
    }

    /// Whether the download folder is there (it is not on a storage card that was taken
    /// out). Verification and steps refuse to run without it, so a missing card never makes
    /// finished downloads look lost.
    pub fn download_folder_present(&self) -> bool {
        self.settings.download_dir.is_dir()
    }

    /// The download folder's absence as an error.
    pub(crate) fn require_download_folder(&self) -> Result<(), CoreError> {
        if self.download_folder_present() {
            return Ok(());
        }
        Err(CoreError::DownloadFolderMissing(
            self.settings.download_dir.display().to_string(),
        ))
    }

    /// Whether downloads may use Wi-Fi only.
    pub fn wifi_only(&self) -> bool {
        self.wifi_only.load(Ordering::Relaxed)
    }

    /// Whether downloads may use the network the host reported: connected, and unmetered
    /// when the user chose Wi-Fi only.
    pub fn network_usable(&self) -> bool {
        let fact = *self
            .network
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        fact.connected && (fact.unmetered || !self.wifi_only())
    }

    /// Whether the host reports any network (the watch outbox's few bytes go over any,
    /// also where Wi-Fi only holds downloads back).
    pub fn network_connected(&self) -> bool {
        self.network
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .connected
    }

    /// Wakes a waiting download before its scheduled time (the network came back, or the
    /// host's alarm fired early). A download that is not waiting ignores it.
    pub fn wake(&self, id: i64) -> Result<DownloadRow, CoreError> {
        let row = self.command(id, Event::Wake)?;
        self.queue_changed();
        Ok(row)
    }

    /// The file of a finished download, for playing it: the host hands it to a player.
    pub fn finished_file(&self, id: i64) -> Result<PathBuf, CoreError> {
        let row = self.get(id)?;
        if row.download_status != plexdl_protocol::DownloadStatus::Completed {
            return Err(CoreError::NotFinished(id));
        }
        self.final_path(&row)
            .filter(|path| path.is_file())
            .ok_or(CoreError::NoFile(id))
    }

    /// The user's delete of a download (see [`DownloadCore::discard`]). An episode a keep
    /// rule queued is remembered as skipped in the same transaction as the row's removal,
    /// so the rule does not queue it again and keeps the next one instead.
    pub fn delete(&self, id: i64) -> Result<(), CoreError> {
        let row = self.discard_with(id, |tx, row| match row.rule_id {
            Some(rule_id) => crate::manifest::keep_rules::skip(
                tx,
                rule_id,
                &row.media_rating_key,
                crate::manifest::now_ms(),
            ),
            None => Ok(()),
        })?;
        if let Some(rule_id) = row.rule_id {
            tracing::info!(download_id = id, rule_id, rating_key = %row.media_rating_key, "an episode a rule keeps was deleted by the user; the rule skips it");
            self.rule_inputs_changed();
            self.queue_changed();
        }
        Ok(())
    }

    /// Removes a download: its files (video, partial file, subtitles, poster, sidecar) first,
    /// then its row (a crash in between leaves a row whose file is missing, which
    /// verification reports, never a file without a row). Keep rules remove what they
    /// queued this way; nothing is remembered for them.
    pub(crate) fn discard(&self, id: i64) -> Result<(), CoreError> {
        self.discard_with(id, |_, _| Ok(())).map(drop)
    }

    /// [`DownloadCore::discard`], with `also` written in the transaction that removes the
    /// row. Returns the row as it was.
    fn discard_with(
        &self,
        id: i64,
        also: impl FnOnce(&rusqlite::Transaction<'_>, &DownloadRow) -> Result<(), ManifestError>,
    ) -> Result<DownloadRow, CoreError> {
        let row = self.get(id)?;
        self.stops.raise(id);
        let mut paths: Vec<PathBuf> = [self.partial_path(&row), self.final_path(&row)]
            .into_iter()
            .flatten()
            .collect();
        if let Some(name) = row.local_file_path.as_deref() {
            let car_path = sidecar::path_for(&self.settings.download_dir, name);
            if let Some(car) = sidecar::read(&car_path) {
                for extra in car.subtitles.iter().chain(car.artwork.iter()) {
                    paths.extend(file_names::inside(&self.settings.download_dir, extra));
                }
            }
            paths.push(car_path);
        }
        for path in paths {
            remove_if_present(&path)?;
        }
        self.manifest.write(|tx| {
            rows::delete(tx, id)?;
            also(tx, &row)
        })?;
        self.tell_runner();
        tracing::info!(download_id = id, "download deleted");
        Ok(row)
    }

    /// The wakes to schedule at start: every download that is not finished, with when it
    /// wants to run.
    pub fn reconcile(&self) -> Result<Vec<Wake>, CoreError> {
        let now = crate::manifest::now_ms();
        let wakes = self
            .list()?
            .into_iter()
            .filter(|row| row.download_status.needs_work())
            .map(|row| Wake {
                download_id: row.id,
                after_millis: row.next_wake_at.map_or(0, |at| (at - now).max(0) as u64),
            })
            .collect();
        Ok(wakes)
    }

    /// Runs one step of a download: what its state asks for, until it has to wait, finishes,
    /// or `stop` is set. Returns what to schedule next.
    ///
    /// Only the runner of the data folder runs steps: the first step takes the runner lock
    /// if the host has not, and a step in a process that cannot take it fails with
    /// `otherRunner`, before it touches any file.
    ///
    /// After [`MAX_MANIFEST_FAILURES`] steps in a row failed on the manifest, every step
    /// fails at once with `ManifestStopped`, before any request to a server.
    pub async fn run_step(&self, id: i64, stop: Arc<AtomicBool>) -> Result<StepResult, CoreError> {
        self.ensure_runner()?;
        self.require_download_folder()?;
        {
            let failures = self
                .manifest_failures
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if failures.0 >= MAX_MANIFEST_FAILURES {
                return Err(CoreError::ManifestStopped(failures.1.clone()));
            }
        }
        // The network is checked at every step, not only by the host's own conditions: a
        // phone that moved from Wi-Fi to mobile data with Wi-Fi only moves no byte.
        if !self.network_usable() {
            self.apply_outside_a_step(id, &Event::NetworkLost)?;
            let status = self.get(id)?.download_status;
            return Ok(if status.needs_work() {
                StepResult::WaitForNetwork
            } else {
                StepResult::Idle { status }
            });
        }
        // Entered before the look at the rebuild mark, so a rebuild that starts now either
        // is seen here or sees this step and waits for it.
        self.stops.enter(id, stop.clone());
        if self.is_rebuilding() {
            self.stops.leave(id, &stop);
            return Err(CoreError::Rebuilding);
        }
        let result = stepper::run(self, id, &stop).await;
        self.stops.leave(id, &stop);
        self.count_manifest_failure(&result);
        // A cancel that came while the step wrote (from any process) leaves the partial
        // file to the step's own process, which removes it now that the writing is over.
        if self.get(id).is_ok_and(|row| {
            row.download_status == plexdl_protocol::DownloadStatus::Cancelled && row.bytes_done > 0
        }) {
            self.delete_partial(id)?;
        }
        result
    }

    fn count_manifest_failure(&self, result: &Result<StepResult, CoreError>) {
        let mut failures = self
            .manifest_failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match result {
            Err(CoreError::Manifest(error))
                if !matches!(error, ManifestError::NoSuchDownload(_)) =>
            {
                failures.0 += 1;
                failures.1 = plexdl_redact::redact_text(&error.to_string()).into_owned();
                tracing::warn!(failures = failures.0, error = %failures.1, "a step failed on the manifest");
            }
            Err(_) => {}
            Ok(_) => *failures = (0, String::new()),
        }
    }

    /// Starts counting manifest failures from zero (after a rebuild).
    pub(crate) fn forget_manifest_failures(&self) {
        *self
            .manifest_failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = (0, String::new());
    }

    /// Why the list of downloads cannot be used, in a sentence with what to do, or `None`
    /// while it works: steps stopped after repeated failures, or the list cannot be read.
    pub fn manifest_problem(&self) -> Option<String> {
        if self.manifest_stopped() {
            return Some(CoreError::ManifestStopped(String::new()).public().message);
        }
        match self.manifest.read(rows::count) {
            Ok(_) => None,
            Err(error) => Some(CoreError::from(error).public().message),
        }
    }

    /// Whether steps are stopped after repeated manifest failures (see `run_step`).
    pub fn manifest_stopped(&self) -> bool {
        self.manifest_failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .0
            >= MAX_MANIFEST_FAILURES
    }

    /// Makes this core the runner with a lock its process already holds (the repair takes
    /// the lock before it moves the damaged manifest aside, and keeps it while it rebuilds).
    pub fn adopt_runner_lock(&self, lock: runner_lock::RunnerLock) {
        let mut runner = self
            .runner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // An earlier hold goes first, so that its doorbell removes its own file and not the
        // one bound next.
        drop(runner.take());
        *runner = Some(self.runner_with(lock));
    }

    /// Applies an event from outside a step (a user command, the network, verification)
    /// inside a span that names the download, so its state change is logged with the id.
    pub(crate) fn apply_outside_a_step(
        &self,
        id: i64,
        event: &Event,
    ) -> Result<Vec<machine::Effect>, CoreError> {
        let _span = tracing::info_span!("download", download_id = id).entered();
        self.apply(id, event)
    }

    /// Applies an event to the stored machine and saves it, in one transaction. Returns the
    /// effects the event caused.
    pub(crate) fn apply(&self, id: i64, event: &Event) -> Result<Vec<machine::Effect>, CoreError> {
        Ok(self.manifest.write(|tx| Ok(apply_in(tx, id, event)?.0))?)
    }

    /// Applies an event as [`DownloadCore::apply`] does and reads the row back in the same
    /// transaction: what a step holds as its context until its next event.
    pub(crate) fn apply_loaded(
        &self,
        id: i64,
        event: &Event,
    ) -> Result<(Vec<machine::Effect>, Loaded), CoreError> {
        Ok(self.manifest.write(|tx| {
            let (effects, machine) = apply_in(tx, id, event)?;
            let loaded = Loaded {
                row: rows::get(tx, id)?,
                data: machine.inner().clone(),
            };
            Ok((effects, loaded))
        })?)
    }

    /// Reads a download and its stored machine, entered again: the machine and the entry
    /// effects of its state (safe to repeat) come with it.
    pub(crate) fn load(
        &self,
        id: i64,
    ) -> Result<(Loaded, machine::Machine, Vec<machine::Effect>), CoreError> {
        let row = self.get(id)?;
        let (machine, effects) = parse_machine(&row.machine_json)?;
        let data = machine.inner().clone();
        Ok((Loaded { row, data }, machine, effects))
    }

    /// Where the partial file of a download is (its final name plus `.part`).
    pub(crate) fn partial_path(&self, row: &DownloadRow) -> Option<PathBuf> {
        let name = row.local_file_path.as_deref()?;
        file_names::inside(&self.settings.download_dir, &format!("{name}.part"))
    }

    /// Where the finished file of a download is.
    pub fn final_path(&self, row: &DownloadRow) -> Option<PathBuf> {
        file_names::inside(&self.settings.download_dir, row.local_file_path.as_deref()?)
    }

    pub(crate) fn delete_partial(&self, id: i64) -> Result<(), CoreError> {
        let row = self.get(id)?;
        if let Some(path) = self.partial_path(&row) {
            remove_if_present(&path)?;
        }
        self.manifest
            .write(|tx| rows::checkpoint(tx, id, 0, None, None))?;
        Ok(())
    }
}

/// A download as one step sees it: its row and its machine's shared data, read once when the
/// step starts and read again by every event the step applies (in the transaction that saves
/// the machine), so the step's effects never read the row in between.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub row: DownloadRow,
    pub data: machine::Download,
}

/// Feeds an event to the machine as stored and saves it, inside the caller's transaction.
fn apply_in(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    event: &Event,
) -> Result<(Vec<machine::Effect>, machine::Machine), ManifestError> {
    let row = rows::get(tx, id)?;
    let (mut machine, _) = parse_machine(&row.machine_json)?;
    let effects = machine::handle(&mut machine, event);
    rows::save_machine(tx, id, &machine)?;
    Ok((effects, machine))
}

/// A stored machine, entered again; a stored form that does not parse is a manifest error.
fn parse_machine(text: &str) -> Result<(machine::Machine, Vec<machine::Effect>), ManifestError> {
    machine::from_json(text).map_err(|error| {
        ManifestError::Sql(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(error),
        ))
    })
}

/// Removes a file; one that is already gone is fine.
fn remove_if_present(path: &Path) -> Result<(), CoreError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(CoreError::Folder {
            path: path.display().to_string(),
            source,
        }),
    }
}
