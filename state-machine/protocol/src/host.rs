//! What the core tells its hosts outside the bridge requests: what to schedule after a step,
//! the wakes to schedule at start, the verification report, and the host message that asks
//! to play a finished file. The Android host reads these as JSON; the names it reads are
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
