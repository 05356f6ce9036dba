//! What the core tells its hosts outside the bridge requests: what to schedule after a step,
//! the wakes to schedule at start, how a run of the queue ended and when to run it again
//! (and what the host passes in: the run's options, the network it sees), the verification
//! report, and the host message that asks to play a finished file. The Android host reads these as JSON; the names it reads are
//! kept in one Java class that a test checks against these types.

use serde::{Deserialize, Serialize};

use crate::DownloadStatus;

/// What the scheduler should do after a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "next")]
pub enum StepResult {
    /// Finished, failed, cancelled or paused: nothing to schedule.
    Idle { status: DownloadStatus },
    /// Run the download again after this many milliseconds.
    WakeAfter { millis: u64 },
    /// Run it again when the network is back.
    WaitForNetwork,
}

/// A wake the host should schedule at start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Wake {
    pub download_id: i64,
    pub after_millis: u64,
}

/// How a run of the queue ([`QueueRunReport`]) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QueueEnd {
    /// No download wants work: finished, failed, paused or cancelled, all of them.
    Idle,
    /// Downloads wait for a time (`nextWakeMillis`): a retry after a pause, a server that
    /// prepares the file.
    Waiting,
    /// Downloads wait for a network the user allows (any network, or Wi-Fi only). The host
    /// runs the queue again when one is back.
    WaitingForNetwork,
    /// The host asked the run to stop; every step saved its progress first.
    Stopped,
    /// The run used the time it was given (a host that may only run for a while, such as
    /// Android's ordinary background work); the steps saved their progress and the queue
    /// wants to go on at once.
    OutOfTime,
    /// Another run of the queue is going on in this process; it carries on with the work.
    AlreadyRunning,
    /// The download folder is not there (a storage card taken out); nothing runs until it
    /// is back and the queue is run again (the app opened, the periodic check).
    StorageMissing,
}

/// What a host passes to a run of the queue, as JSON from Java. Every field may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueueRunOptions {
    /// The run ends after this long, its steps checkpointed (none: no limit).
    #[serde(default)]
    pub budget_millis: Option<u64>,
    /// A download due within this long is waited for inside the run instead of ending it
    /// (a host that cannot start work again whenever it likes keeps its run alive).
    #[serde(default)]
    pub linger_millis: u64,
}

/// What one run of the queue did and when to run it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueRunReport {
    pub ended: QueueEnd,
    /// When the queue wants to run again, in milliseconds from now; `None` when no download
    /// waits for a time.
    pub next_wake_millis: Option<u64>,
    /// Whether downloads may use only unmetered networks (the user's Wi-Fi only setting);
    /// the host sets its network condition from it.
    pub wifi_only: bool,
    /// Steps run, and of those the ones that ended in an error (logged).
    pub steps: u32,
    pub failed_steps: u32,
}

/// The network as the host sees it, passed to the core whenever it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NetworkFact {
    /// A network is connected.
    pub connected: bool,
    /// It is not metered (Wi-Fi, Ethernet; not mobile data).
    pub unmetered: bool,
}

impl Default for NetworkFact {
    /// Until a host says otherwise: connected, without a meter (a desktop).
    fn default() -> NetworkFact {
        NetworkFact {
            connected: true,
            unmetered: true,
        }
    }
}

/// Why the host runs the queue in a way that is slower than it could be, as the Android
/// host reports it (`NativeBridge.setBackgroundLimit`). The sentence and what helps are the
/// core's ([`BackgroundLimit::sentence`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BackgroundLimit {
    /// Android refused to run the downloads in the foreground (the app was not on screen
    /// when they started), so they run as ordinary background work: at most 10 minutes at a
    /// time, when the system allows.
    ForegroundRefused,
    /// Android 15's limit of 6 hours a day for foreground data transfers is used up.
    DataSyncTimeLimit,
}

impl BackgroundLimit {
    pub const ALL: &[BackgroundLimit] = &[
        BackgroundLimit::ForegroundRefused,
        BackgroundLimit::DataSyncTimeLimit,
    ];

    /// The name on the wire (what Java passes).
    pub fn name(self) -> &'static str {
        match self {
            BackgroundLimit::ForegroundRefused => "foregroundRefused",
            BackgroundLimit::DataSyncTimeLimit => "dataSyncTimeLimit",
        }
    }

    pub fn from_name(name: &str) -> Option<BackgroundLimit> {
        BackgroundLimit::ALL
            .iter()
            .copied()
            .find(|limit| limit.name() == name)
    }

    /// What the user reads: why downloads are slower, and what helps.
    pub fn sentence(self) -> &'static str {
        match self {
            BackgroundLimit::ForegroundRefused => {
                "Downloads go on in short turns while the app is closed, because Android did not let them run in the foreground. Opening the app lets them run at full speed. So that they keep going when it is closed, set the app's battery use to Unrestricted (on Samsung, also add it to Never sleeping apps)."
            }
            BackgroundLimit::DataSyncTimeLimit => {
                "Android allows downloads to run in the foreground for 6 hours a day, and today's time is used up. They go on in short turns; opening the app gives the time back."
            }
        }
    }
}

/// The answer of `downloads.background`: what the Downloads screen says about how
/// downloads run right now, beyond each download's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackgroundState {
    /// Why downloads are slower than they could be, and what helps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slower: Option<String>,
    /// The downloads folder is not there (a storage card taken out), with what to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_missing: Option<String>,
}

/// The queue as one notification shows it (`NativeBridge.queueProgress`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueProgress {
    /// Downloads that want work (running or waiting).
    pub active: u32,
    /// The notification's title ("Downloading 2 of 5").
    pub title: String,
    /// Its text: the titles of what moves now, or why nothing does.
    pub text: String,
    /// Bytes done and expected over the active downloads (0 expected: unknown yet).
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Why downloads are slower than they could be, and what helps (as on the Downloads
    /// screen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slower: Option<String>,
}

/// What one verification pass found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    pub checked: usize,
    pub missing: usize,
    pub corrupt: usize,
    pub repaired: usize,
    pub adopted: usize,
    pub orphans_removed: usize,
}

/// What a rebuild of the list of downloads did (`downloads.rebuild`, `plexdl doctor`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RebuildReport {
    /// Where the old database was kept, if there was one.
    pub kept_as: Option<String>,
    /// Finished downloads brought back from the files beside them.
    pub finished: u64,
    /// Unfinished downloads queued again from the start.
    pub queued_again: u64,
}

/// A host message from the UI (not a bridge request): play this finished download,
/// `{"play": ID}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlayMessage {
    pub play: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn host_messages_have_their_documented_shapes() {
        assert_eq!(
            serde_json::to_value(StepResult::Idle {
                status: DownloadStatus::Completed
            })
            .expect("json"),
            json!({"next": "idle", "status": "completed"})
        );
        assert_eq!(
            serde_json::to_value(StepResult::WakeAfter { millis: 5 }).expect("json"),
            json!({"next": "wakeAfter", "millis": 5})
        );
        assert_eq!(
            serde_json::to_value(StepResult::WaitForNetwork).expect("json"),
            json!({"next": "waitForNetwork"})
        );
        assert_eq!(
            serde_json::to_value(Wake {
                download_id: 1,
                after_millis: 0
            })
            .expect("json"),
            json!({"downloadId": 1, "afterMillis": 0})
        );
        let play: PlayMessage = serde_json::from_str(r#"{"play":7}"#).expect("play");
        assert_eq!(play.play, 7);
        assert!(serde_json::from_str::<PlayMessage>(r#"{"v":1,"id":7}"#).is_err());
    }
}
