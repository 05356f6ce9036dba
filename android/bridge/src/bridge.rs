//! What the exports do, in plain Rust: open the app once per process, answer bridge
//! requests, run the core's queue with a stop signal per run (keyed by the worker's run
//! handle), pass on the core's wake-now signal, the network and the limits Android puts on
//! the app, give the queue's notification its text and buttons, verify, hand pushed events
//! to the WebView, and fetch thumbnails with the token added here.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::{Duration, Instant};

use plexdl_core::app::pushes::PushTracker;
use plexdl_core::app::{App, AppError, AppSettings};
use plexdl_core::engine::CoreError;
use plexdl_core::engine::queue_run::Unobserved;
use plexdl_core::engine::signals::StopSignal;
use plexdl_protocol::{BackgroundLimit, ErrorBody, FailureKind, NetworkFact, QueueRunOptions};
use serde::Deserialize;
use tracing::Instrument;

/// A failure the Java side gets as a `BridgeException`: a kind it can act on and a plain
/// sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct BridgeError {
    pub kind: FailureKind,
    pub message: String,
}

fn error(kind: FailureKind, message: impl Into<String>) -> BridgeError {
    BridgeError {
        kind,
        message: plexdl_redact::redact_text(&message.into()).into_owned(),
    }
}

impl From<ErrorBody> for BridgeError {
    fn from(public: ErrorBody) -> BridgeError {
        error(public.kind, public.message)
    }
}

/// The core's errors reach Java through the app's one mapping to the public error.
impl From<AppError> for BridgeError {
    fn from(failure: AppError) -> BridgeError {
        failure.public().into()
    }
}

impl From<CoreError> for BridgeError {
    fn from(failure: CoreError) -> BridgeError {
        failure.public().into()
    }
}

fn unwritable(failure: serde_json::Error) -> BridgeError {
    error(
        FailureKind::Internal,
        format!("The answer could not be written: {failure}."),
    )
}

/// What the host tells the core at start, as JSON. Every field may be left out.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HostSettings {
    /// Where downloads go when the user chose nothing (default: `downloads` in the data
    /// folder). Android passes its app-specific external storage here.
    #[serde(default)]
    pub download_dir: Option<String>,
    /// plex.tv's address (tests point it at the replay server).
    #[serde(default)]
    pub plex_tv: Option<String>,
    /// Plain http to remote addresses (tests against a local replay server only).
    #[serde(default)]
    pub allow_plain_http_remote: bool,
    /// Places offered for downloads on the Settings screen (the phone's storage, an SD card).
    #[serde(default)]
    pub storage_choices: Vec<HostStorage>,
}

/// A place for downloads the host offers.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HostStorage {
    pub label: String,
    pub path: String,
}

struct Core {
    data_dir: PathBuf,
    app: Arc<App>,
}

static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
static CORE: Mutex<Option<Core>> = Mutex::new(None);
static PUSHES: LazyLock<Mutex<PushTracker>> = LazyLock::new(Mutex::default);
/// Why the last `init` failed, for every call that needs the core (the page shows it).
static INIT_FAILURE: Mutex<Option<String>> = Mutex::new(None);
/// The stop signal of each run of the queue, by the run handle the worker chose. A stop
/// that arrives before its run starts is kept, so the run ends at once.
static RUNS: LazyLock<Mutex<HashMap<i64, Arc<StopSignal>>>> = LazyLock::new(Mutex::default);

fn run_stop(handle: i64) -> Arc<StopSignal> {
    RUNS.lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(handle)
        .or_default()
        .clone()
}

fn runtime() -> Result<&'static tokio::runtime::Runtime, BridgeError> {
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("plexdl-core")
        .enable_all()
        .build()
        .map_err(|e| {
            error(
                FailureKind::Internal,
                format!("The background runtime could not start: {e}."),
            )
        })?;
    Ok(RUNTIME.get_or_init(|| runtime))
}

fn app() -> Result<Arc<App>, BridgeError> {
    CORE.lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .as_ref()
        .map(|core| core.app.clone())
        .ok_or_else(|| {
            let failure = INIT_FAILURE
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone();
            error(
                FailureKind::NotStarted,
                match failure {
                    Some(reason) => format!("The app could not start: {reason}"),
                    None => "The core was not started; call init first.".to_string(),
                },
            )
        })
}

/// Opens the app in `data_dir` (once per process; a second call with the same folder does
/// nothing, with another folder it is refused). A failure is remembered and given as the
/// reason by every later call that needs the core.
pub fn init(data_dir: &str, settings_json: &str) -> Result<(), BridgeError> {
    let opened = open(data_dir, settings_json);
    if let Err(failure) = &opened {
        *INIT_FAILURE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(failure.message.clone());
    }
    opened
}

fn open(data_dir: &str, settings_json: &str) -> Result<(), BridgeError> {
    let host: HostSettings = if settings_json.trim().is_empty() {
        HostSettings::default()
    } else {
        serde_json::from_str(settings_json).map_err(|e| {
            error(
                FailureKind::BadRequest,
                format!("The start settings are not valid: {e}."),
            )
        })?
    };
    let mut core = CORE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let data_dir = PathBuf::from(data_dir);
    if let Some(open) = core.as_ref() {
        if open.data_dir == data_dir {
            return Ok(());
        }
        return Err(error(
            FailureKind::BadRequest,
            format!(
                "The core is already open on {}; it cannot also open {}.",
                open.data_dir.display(),
                data_dir.display()
            ),
        ));
    }
    let mut settings = AppSettings::new(&data_dir);
    settings.download_dir = host.download_dir.map(PathBuf::from);
    if let Some(plex_tv) = host.plex_tv {
        settings.plex_tv = plex_tv;
    }
    settings.allow_plain_http_remote = host.allow_plain_http_remote;
    settings.storage_choices = host
        .storage_choices
        .into_iter()
        .map(|place| (place.label, PathBuf::from(place.path)))
        .collect();
    // The app's HTTP client needs a runtime to exist while it is built.
    let _entered = runtime()?.enter();
    let app = App::open(settings)?;
    tracing::info!(data_dir = %data_dir.display(), "core started");
    *core = Some(Core {
        data_dir,
        app: Arc::new(app),
    });
    Ok(())
}

/// Answers one bridge request (never an error: problems are error answers).
pub fn dispatch(request_json: &str) -> Result<String, BridgeError> {
    let app = app()?;
    Ok(runtime()?.block_on(async move { app.dispatch(request_json).await }))
}

/// Runs the core's queue on the calling thread until it is idle, waits longer than it may
/// linger, is stopped (`stop_queue_run` with the same handle) or uses its budget. `options`
/// is a `QueueRunOptions` as JSON; the answer a `QueueRunReport` as JSON.
pub fn run_queue(handle: i64, options_json: &str) -> Result<String, BridgeError> {
    let options: QueueRunOptions = serde_json::from_str(options_json).map_err(|e| {
        error(
            FailureKind::BadRequest,
            format!("The queue run's options are not valid: {e}."),
        )
    })?;
    let app = app()?;
    let stop = run_stop(handle);
    let span = tracing::info_span!("worker", run = handle);
    let report = runtime()?.block_on(
        async move {
            app.shared_core()
                .run_queue(stop, options, &Unobserved)
                .await
        }
        .instrument(span),
    );
    RUNS.lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .remove(&handle);
    serde_json::to_string(&report?).map_err(unwritable)
}

/// Asks the run of the queue with this handle to save its progress and return
/// (WorkManager stopped the worker). Only that run is reached, never a newer one.
pub fn stop_queue_run(handle: i64) -> Result<(), BridgeError> {
    tracing::info!(run = handle, "stop requested by the host");
    run_stop(handle).raise();
    Ok(())
}

/// True once after the core asked for the queue to run while no run was going on: the host
/// must start one (a run in progress carries the wake out itself).
pub fn take_wake_now() -> Result<bool, BridgeError> {
    Ok(app()?.core().wake_signal().host_should_start_run())
}

/// The network as the host sees it now.
pub fn network_changed(connected: bool, unmetered: bool) -> Result<(), BridgeError> {
    app()?.core().set_network(NetworkFact {
        connected,
        unmetered,
    })?;
    Ok(())
}

/// What limits the downloads now, by its protocol name; empty for nothing.
pub fn set_background_limit(name: &str) -> Result<(), BridgeError> {
    let limit = match name {
        "" => None,
        name => Some(BackgroundLimit::from_name(name).ok_or_else(|| {
            error(
                FailureKind::BadRequest,
                format!("{name:?} is no background limit."),
            )
        })?),
    };
    app()?.set_background_limit(limit);
    Ok(())
}

/// The queue's notification (a `QueueProgress` as JSON).
pub fn queue_progress() -> Result<String, BridgeError> {
    serde_json::to_string(&app()?.queue_progress()?).map_err(unwritable)
}

/// Pauses every download that wants work; returns how many.
pub fn pause_all() -> Result<i32, BridgeError> {
    Ok(app()?.pause_all()? as i32)
}

/// Cancels the downloads that move bytes now; returns how many.
pub fn cancel_moving() -> Result<i32, BridgeError> {
    Ok(app()?.cancel_moving()? as i32)
}

/// Checks every finished file and repairs the manifest; returns the report as JSON.
pub fn verify() -> Result<String, BridgeError> {
    let report = app()?.core().verify()?;
    serde_json::to_string(&report).map_err(unwritable)
}

/// The next pushed event for the WebView (JSON), waiting up to `timeout_ms` for a change;
/// an empty string when nothing changed.
pub fn next_push(timeout_ms: i64) -> Result<String, BridgeError> {
    let app = app()?;
    let deadline = Instant::now() + Duration::from_millis(timeout_ms.clamp(0, 60_000) as u64);
    loop {
        let push = PUSHES
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .next(&app);
        if let Some((_, push)) = push {
            return Ok(push);
        }
        if Instant::now() >= deadline {
            return Ok(String::new());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// An image of a server, fetched with its token added here. Errors carry the HTTP status
/// the WebView should answer (`http404`, `http502`).
pub fn thumbnail(
    server_id: &str,
    path: &str,
    width: i32,
    height: i32,
) -> Result<Vec<u8>, BridgeError> {
    let app = app()?;
    let (width, height) = (width.clamp(1, 2000) as u32, height.clamp(1, 2000) as u32);
    runtime()?
        .block_on(async move { app.thumbnail(server_id, path, width, height).await })
        .map(|image| image.bytes)
        .map_err(|refused| error(refused.kind(), refused.message))
}

/// The full path of a finished download's file, for playing it.
pub fn finished_file(download_id: i64) -> Result<String, BridgeError> {
    let path = app()?.core().finished_file(download_id)?;
    Ok(path.display().to_string())
}

/// Starts logging once: to Android's log on a device, to stderr elsewhere (the host tests).
/// Lines pass through redaction either way, and the Diagnostics screen's ring is filled too.
pub fn install_logging() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(target_os = "android")]
        {
            plexdl_core::logging::install("info", || {
                plexdl_redact::RedactingWriter::new(crate::logcat::logcat_writer())
            });
        }
        #[cfg(not(target_os = "android"))]
        {
            plexdl_core::logging::install_stderr("info");
        }
        plexdl_core::logging::install_panic_redaction();
    });
}
