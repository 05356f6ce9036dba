//! The bridge protocol: every message between the UI (in a WebView or a browser), the hosts
//! (the Android app, the desktop program) and the core, and the one vocabulary they share:
//! download statuses and commands (`status`), failure kinds with their table (`failure`),
//! the methods (`methods`) and the host messages (`host`).
//!
//! - A request is `{"v": 1, "id": 7, "method": "downloads.list", "params": {...}}`.
//! - A response is `{"v": 1, "id": 7, "result": ...}` or
//!   `{"v": 1, "id": 7, "error": {"kind": ..., "message": ..., "action": ...}}`.
//! - A pushed event is `{"v": 1, "event": "downloads", "data": [...]}`.
//!
//! Only serde types live here (and, with the `sql` feature, their SQLite conversions), so the
//! same definitions compile into the core, the WebAssembly UI and the tests on every side.
//! docs/bridgeProtocol.md lists every method with an example; the same examples are in
//! fixtures/bridge/.

pub mod failure;
pub mod host;
pub mod media;
pub mod methods;
#[cfg(feature = "sql")]
mod sql;
pub mod status;
pub mod watch;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use failure::{Action, FailureKind, KindInfo, LogLevel};
pub use host::{
    BackgroundLimit, BackgroundState, NetworkFact, PlayMessage, QueueEnd, QueueProgress,
    QueueRunOptions, QueueRunReport, RebuildReport, StepResult, VerifyReport, Wake,
};
pub use media::{
    AudioTrack, ItemDetail, MediaVersion, SubtitleMode, SubtitleTrack, TrackChoice,
    closest_by_height, closest_version, label_height,
};
pub use methods::{METHODS, Method};
pub use status::{Command, DownloadStatus};
pub use watch::{
    BudgetParams, KeepRule, KeepRuleParams, MOST_KEPT_AHEAD, PositionParams, RuleId, StorageUse,
    WatchChange, WhenWatched,
};

/// The protocol version in every message.
pub const VERSION: u32 = 1;

/// The largest request accepted, in bytes.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// A request from the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub v: u32,
    pub id: u64,
    pub method: String,
    #[serde(default)]
    pub params: Value,
}

/// An error answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong, as a kind the UI can act on.
    pub kind: FailureKind,
    /// A plain sentence for the user.
    pub message: String,
    pub action: Action,
}

impl ErrorBody {
    /// An error of `kind` with a sentence of its own; the action is the kind's.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            kind,
            message: message.into(),
            action: kind.action(),
        }
    }

    /// An error of `kind` with the table's sentence.
    pub fn of(kind: FailureKind) -> ErrorBody {
        ErrorBody::new(kind, kind.sentence())
    }
}

/// An answer to a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub v: u32,
    pub id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

impl Response {
    /// A successful answer.
    pub fn ok(id: u64, result: Value) -> Response {
        Response {
            v: VERSION,
            id,
            result: Some(result),
            error: None,
        }
    }

    /// An error answer: the kind, a plain sentence, and the kind's action from the table.
    pub fn error(id: u64, error: ErrorBody) -> Response {
        Response {
            v: VERSION,
            id,
            result: None,
            error: Some(error),
        }
    }
}

/// A successful answer written straight from its result's type: the same JSON as
/// [`Response::ok`] with the result as a [`Value`], without building that `Value` first
/// (for a list of a thousand downloads, the `Value` cost more than the query).
#[derive(Debug, Serialize)]
pub struct ResultAnswer<'a, T: Serialize> {
    pub v: u32,
    pub id: u64,
    pub result: &'a T,
}

impl<'a, T: Serialize> ResultAnswer<'a, T> {
    pub fn new(id: u64, result: &'a T) -> ResultAnswer<'a, T> {
        ResultAnswer {
            v: VERSION,
            id,
            result,
        }
    }
}

/// What a pushed event carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PushEvent {
    /// Every download, as a list of [`DownloadSnapshot`].
    Downloads,
    /// The [`SignInState`].
    SignIn,
}

impl PushEvent {
    /// Every event.
    pub const ALL: [PushEvent; 2] = [PushEvent::Downloads, PushEvent::SignIn];

    /// The event's name (the server-sent event's name on the desktop).
    pub fn name(self) -> &'static str {
        match self {
            PushEvent::Downloads => "downloads",
            PushEvent::SignIn => "signIn",
        }
    }
}

/// A message the core pushes without being asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Push {
    pub v: u32,
    pub event: PushEvent,
    pub data: Value,
}

/// One download as the UI shows it, read from the manifest alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DownloadSnapshot {
    pub id: i64,
    pub server_id: String,
    pub rating_key: String,
    pub title: String,
    pub quality: String,
    /// The machine state.
    pub status: DownloadStatus,
    /// The state in plain words ("Downloading", "Waiting to try again", ...).
    pub phase: String,
    pub bytes_done: u64,
    pub bytes_total: Option<u64>,
    pub local_file_path: Option<String>,
    pub error_kind: Option<FailureKind>,
    pub error_message: Option<String>,
    /// What the user can do about the error, if there is one.
    pub action: Option<Action>,
    /// When the download runs again (milliseconds since 1970), if it waits.
    pub next_wake_at: Option<i64>,
    pub part_index: u32,
    /// The show an episode belongs to, so the UI can group a season's downloads.
    #[serde(default)]
    pub group_title: Option<String>,
    /// True when the download is in a transfer state but waits for a free transfer slot
    /// (set by the host that runs the downloads; false from a list read elsewhere).
    #[serde(default)]
    pub waiting_for_slot: bool,
    /// The keep rule that queued the download (`None`: the user did). Only such downloads
    /// are ever deleted by a rule.
    #[serde(default)]
    pub rule_id: Option<i64>,
    /// Whether the item was watched, as this device knows it (changes made here count at
    /// once, before the server hears of them).
    #[serde(default)]
    pub watched: bool,
    /// Where playback stopped, in seconds, if it stopped before the end.
    #[serde(default)]
    pub position_seconds: Option<u64>,
    /// What the user can do with the download now, in the order of their buttons.
    #[serde(default)]
    pub commands: Vec<Command>,
}

/// Where sign-in stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInState {
    pub signed_in: bool,
    pub username: Option<String>,
    /// A PIN waiting to be confirmed.
    pub pin: Option<PinInfo>,
}

/// A PIN the user confirms at the link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PinInfo {
    pub id: u64,
    pub code: String,
    pub auth_url: String,
    pub expires_at: Option<String>,
}

/// A connected server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerSummary {
    pub id: String,
    pub name: String,
    /// The address in use, if one answered.
    pub connection: Option<String>,
    pub reachable: bool,
}

/// A library section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SectionSummary {
    pub key: String,
    pub title: String,
    /// `movie`, `show`, ...
    pub kind: String,
}

/// An item in a listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemSummary {
    pub rating_key: String,
    pub title: String,
    pub kind: String,
    pub year: Option<u64>,
    pub index: Option<u64>,
    pub parent_index: Option<u64>,
    pub show_title: Option<String>,
    /// The image path on the server; the UI asks the native thumbnail route for it.
    pub thumb: Option<String>,
    pub duration_ms: Option<u64>,
    /// The original size of every part together, when known.
    pub size: Option<u64>,
    pub child_count: Option<u64>,
    pub leaf_count: Option<u64>,
}

/// A page of items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemPage {
    pub items: Vec<ItemSummary>,
    pub offset: u64,
    pub total: u64,
}

/// Parameters of `downloads.verify`: with `deep`, every finished file is read and its
/// SHA-256 compared with the one recorded when it was written (sizes only otherwise).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyOptions {
    #[serde(default)]
    pub deep: bool,
}

/// Parameters naming one download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DownloadId {
    pub id: i64,
}

/// Parameters naming a server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServerRef {
    pub server_id: String,
}

/// Parameters naming an item on a server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemRef {
    pub server_id: String,
    pub rating_key: String,
}

/// Parameters of `library.items`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemsParams {
    pub server_id: String,
    pub section_key: String,
    #[serde(default)]
    pub start: u64,
    #[serde(default = "default_page_size")]
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

fn default_page_size() -> u64 {
    50
}

/// Parameters of `downloads.enqueue`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnqueueParams {
    pub server_id: String,
    pub rating_keys: Vec<String>,
    /// `original`, `1080p`, `720p` or `480p`.
    pub quality: String,
    /// The version, audio track and subtitles chosen in the dialog (for one item; a
    /// season or show queues each episode with its default version).
    #[serde(default, skip_serializing_if = "is_default_choice")]
    pub tracks: TrackChoice,
    /// The shorter side of the device's screen in pixels: an item queued without a chosen
    /// version gets the version closest to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_pixels: Option<u32>,
}

fn is_default_choice(choice: &TrackChoice) -> bool {
    *choice == TrackChoice::default()
}

/// Parameters of `signIn.poll`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PinRef {
    pub pin_id: u64,
}

/// Parameters of `downloads.estimate`: what the download dialog is about to queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EstimateParams {
    pub server_id: String,
    pub rating_keys: Vec<String>,
    /// The version the sizes are for (one item); without it, each item's default version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_id: Option<u64>,
    /// As in [`EnqueueParams`]: picks each item's default version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_pixels: Option<u32>,
}

/// The estimated size of a download at one quality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QualityEstimate {
    /// `original`, `1080p`, `720p` or `480p`.
    pub quality: String,
    /// The estimated bytes of every item together; `None` when no item states its length.
    pub bytes: Option<u64>,
}

/// What the download dialog shows before anything is queued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    /// Movies and episodes the request covers (a season counts its episodes).
    pub items: u64,
    pub qualities: Vec<QualityEstimate>,
    /// Free space in the download folder, when the system reports it.
    pub free_bytes: Option<u64>,
    /// A sentence when the server is already converting (a conversion would compete).
    pub busy_warning: Option<String>,
}

/// The settings the user changes on the Settings screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSettings {
    /// Download only on unmetered networks (the Android host turns this into a constraint).
    pub wifi_only: bool,
    /// Transfers at once (1 to 4).
    pub max_transfers: u32,
    /// `warn`, `wait` or `ignore`: what a conversion does when the server is busy.
    pub busy_policy: String,
    /// The folder chosen for downloads; `None` for the app's own folder.
    pub storage_dir: Option<String>,
}

/// The answer of `settings.get` and `settings.set`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub settings: UserSettings,
    /// The folder downloads go to now.
    pub download_dir: String,
    /// Free space there, when the system reports it.
    pub free_bytes: Option<u64>,
    /// True when a changed storage folder takes effect at the next start.
    pub restart_needed: bool,
    /// The places the host offers for downloads (Android: the phone's storage and an SD
    /// card); empty where any folder can be typed in (the desktop).
    #[serde(default)]
    pub storage_choices: Vec<StorageChoice>,
}

/// A place for downloads that the host offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageChoice {
    /// "Phone storage", "SD card", ...
    pub label: String,
    pub path: String,
    /// Free space there, when the system reports it.
    pub free_bytes: Option<u64>,
}

/// Parameters of `settings.set`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wifi_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_transfers: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub busy_policy: Option<String>,
    /// A folder path, or an empty string for the app's own folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_dir: Option<String>,
}

/// The answer of `diagnostics.get`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostics {
    /// The core's version.
    pub version: String,
    pub protocol_version: u32,
    /// The host's operating system and architecture.
    pub platform: String,
    pub download_dir: String,
    /// The most recent log lines, oldest first, already redacted.
    pub log_lines: Vec<String>,
    /// Why the list of downloads cannot be used (damaged, or stopped after repeated
    /// failures), with what to do; absent while it works. The screen offers its rebuild
    /// (`downloads.rebuild`) then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_problem: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelopes_round_trip() {
        let request: Request =
            serde_json::from_value(json!({"v": 1, "id": 3, "method": "downloads.list"}))
                .expect("request");
        assert_eq!(request.params, Value::Null);
        let ok = Response::ok(3, json!([]));
        assert_eq!(
            serde_json::to_value(&ok).expect("json"),
            json!({"v": 1, "id": 3, "result": []})
        );
        let error = Response::error(
            4,
            ErrorBody::new(FailureKind::UnknownMethod, "No such method."),
        );
        let text = serde_json::to_string(&error).expect("json");
        assert_eq!(
            serde_json::from_str::<Response>(&text).expect("parse"),
            error
        );
        assert!(!text.contains("result"));
    }

    #[test]
    fn a_result_answer_is_written_as_the_response_it_stands_for() {
        let result = DownloadId { id: 7 };
        let direct = serde_json::to_string(&ResultAnswer::new(9, &result)).expect("json");
        let through_value = serde_json::to_string(&Response::ok(
            9,
            serde_json::to_value(&result).expect("value"),
        ))
        .expect("json");
        assert_eq!(direct, through_value);
        assert_eq!(
            serde_json::from_str::<Response>(&direct).expect("parse"),
            Response::ok(9, json!({"id": 7}))
        );
    }

    #[test]
    fn params_refuse_unknown_fields() {
        assert!(serde_json::from_value::<DownloadId>(json!({"id": 1, "idd": 2})).is_err());
        let items: ItemsParams =
            serde_json::from_value(json!({"serverId": "s", "sectionKey": "1"})).expect("defaults");
        assert_eq!((items.start, items.size), (0, 50));
    }
}
