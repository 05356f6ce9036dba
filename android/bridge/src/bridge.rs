//! What the exports do, in plain Rust: open the app once per process, answer bridge
//! requests, run download steps with a stop flag per step, reconcile, verify, hand pushed
//! events to the WebView, and fetch thumbnails with the token added here.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::{Duration, Instant};

use plexdl_core::app::pushes::PushTracker;
use plexdl_core::app::{App, AppError, AppSettings};
use plexdl_core::engine::CoreError;
use plexdl_protocol::{DownloadStatus, ErrorBody, FailureKind};
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
            error(
                FailureKind::NotStarted,
                "The core was not started; call init first.",
            )
        })
}

/// Opens the app in `data_dir` (once per process; a second call with the same folder does
/// nothing, with another folder it is refused).
pub fn init(data_dir: &str, settings_json: &str) -> Result<(), BridgeError> {
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

/// Runs one step of a download until it ends, checkpoints or `request_stop` is called.
/// Returns the step result as JSON (`{"next":"wakeAfter","millis":...}`, `{"next":"idle",...}`
/// or `{"next":"waitForNetwork"}`).
pub fn run_step(download_id: i64, stop_handle: i64) -> Result<String, BridgeError> {
    let app = app()?;
    // The core keeps the step's stop flag in its one registry of running steps, where
    // request_stop, pause and cancel find it.
    let flag = Arc::new(AtomicBool::new(false));
    let span = tracing::info_span!("worker", download_id, stop_handle);
    let result = runtime()?
        .block_on(async move { app.core().run_step(download_id, flag).await }.instrument(span));
    serde_json::to_string(&result?).map_err(unwritable)
}

/// Asks the running step of a download to checkpoint and return (WorkManager stopped it).
pub fn request_stop(download_id: i64) -> Result<(), BridgeError> {
    if app()?.core().request_stop(download_id) {
        tracing::info!(download_id, "stop requested by the host");
    }
    Ok(())
}

/// Compares the manifest with the files and returns the wakes to schedule, as JSON
/// (`[{"downloadId":1,"afterMillis":0}]`).
pub fn reconcile() -> Result<String, BridgeError> {
    let wakes = app()?.core().reconcile()?;
    serde_json::to_string(&wakes).map_err(unwritable)
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
    let app = app()?;
    let row = app.core().get(download_id)?;
    if row.download_status != DownloadStatus::Completed {
        return Err(error(
            FailureKind::NotFinished,
            format!("Download {download_id} has not finished yet."),
        ));
    }
    app.core()
        .final_path(&row)
        .map(|path| path.display().to_string())
        .ok_or_else(|| {
            error(
                FailureKind::NoSuchDownload,
                format!("Download {download_id} has no file."),
            )
        })
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
