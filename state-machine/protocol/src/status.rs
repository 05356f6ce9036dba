//! Where a download stands, and what the user can do with it now.
//!
//! The core derives a [`DownloadStatus`] from the machine's state in one place
//! (`From<&State>` in the machine module) and stores it in the manifest's status column
//! under the names below. The commands a download allows are computed by the core and sent
//! in every snapshot; the UI shows exactly those and keeps no copy of the transitions.

use serde::{Deserialize, Serialize};

/// A download's state, as stored, listed and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DownloadStatus {
    Queued,
    Preflight,
    Transferring,
    Verifying,
    Enqueuing,
    WaitingForServer,
    Fetching,
    LiveTranscode,
    Paused,
    Backoff,
    WaitingForNetwork,
    Completed,
    Failed,
    Cancelled,
}

impl DownloadStatus {
    /// Every status.
    pub const ALL: [DownloadStatus; 14] = [
        DownloadStatus::Queued,
        DownloadStatus::Preflight,
        DownloadStatus::Transferring,
        DownloadStatus::Verifying,
        DownloadStatus::Enqueuing,
        DownloadStatus::WaitingForServer,
        DownloadStatus::Fetching,
        DownloadStatus::LiveTranscode,
        DownloadStatus::Paused,
        DownloadStatus::Backoff,
        DownloadStatus::WaitingForNetwork,
        DownloadStatus::Completed,
        DownloadStatus::Failed,
        DownloadStatus::Cancelled,
    ];

    /// The stored name (`transferring`, `waitingForServer`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DownloadStatus::Queued => "queued",
            DownloadStatus::Preflight => "preflight",
            DownloadStatus::Transferring => "transferring",
            DownloadStatus::Verifying => "verifying",
            DownloadStatus::Enqueuing => "enqueuing",
            DownloadStatus::WaitingForServer => "waitingForServer",
            DownloadStatus::Fetching => "fetching",
            DownloadStatus::LiveTranscode => "liveTranscode",
            DownloadStatus::Paused => "paused",
            DownloadStatus::Backoff => "backoff",
            DownloadStatus::WaitingForNetwork => "waitingForNetwork",
            DownloadStatus::Completed => "completed",
            DownloadStatus::Failed => "failed",
            DownloadStatus::Cancelled => "cancelled",
        }
    }

    /// The status with this stored name, if there is one.
    pub fn from_name(name: &str) -> Option<DownloadStatus> {
        DownloadStatus::ALL
            .into_iter()
            .find(|status| status.name() == name)
    }

    /// The state in plain words, as the Downloads list and the notification show it. The
    /// words say what is happening, not the machine's name for it: "Connecting" while no
    /// byte has come yet, "Waiting for the server" while the server converts, "Checking the
    /// file" after the last byte. [`DownloadStatus::phase_with`] adds what the bytes done
    /// tell.
    pub fn phase(self) -> &'static str {
        match self {
            DownloadStatus::Queued => "Waiting to start",
            DownloadStatus::Preflight => DownloadStatus::CONNECTING,
            DownloadStatus::Transferring => "Downloading",
            DownloadStatus::Verifying => "Checking the file",
            DownloadStatus::Enqueuing => "Waiting for the server",
            DownloadStatus::WaitingForServer => "Waiting for the server to convert it",
            DownloadStatus::Fetching => "Downloading the converted file",
            DownloadStatus::LiveTranscode => "Downloading while the server converts it",
            DownloadStatus::Paused => "Paused",
            DownloadStatus::Backoff => "Waiting to try again",
            DownloadStatus::WaitingForNetwork => "Waiting for a network connection",
            DownloadStatus::Completed => "Downloaded",
            DownloadStatus::Failed => "Failed",
            DownloadStatus::Cancelled => "Cancelled",
        }
    }

    /// The state in plain words for a download that has `bytes_done` bytes: a transfer
    /// state that has not had its first byte yet is still connecting (the request is out,
    /// no answer has come), so it says so instead of "Downloading" at 0%.
    pub fn phase_with(self, bytes_done: u64) -> &'static str {
        if self.moves_bytes() && bytes_done == 0 {
            DownloadStatus::CONNECTING
        } else {
            self.phase()
        }
    }

    /// What a download shows before the server has answered.
    pub const CONNECTING: &'static str = "Connecting";

    /// What a download in a transfer state shows while it waits for a free transfer slot.
    pub const WAITING_FOR_SLOT: &'static str = "Waiting for a free transfer slot";

    /// Whether the download still has work to do by itself (not finished, failed,
    /// cancelled or paused).
    pub fn needs_work(self) -> bool {
        !matches!(
            self,
            DownloadStatus::Completed
                | DownloadStatus::Failed
                | DownloadStatus::Cancelled
                | DownloadStatus::Paused
        )
    }

    /// Whether the download has ended one way or another.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            DownloadStatus::Completed | DownloadStatus::Failed | DownloadStatus::Cancelled
        )
    }

    /// Whether the download moves bytes in this state (and needs a transfer slot).
    pub fn moves_bytes(self) -> bool {
        matches!(
            self,
            DownloadStatus::Transferring | DownloadStatus::Fetching | DownloadStatus::LiveTranscode
        )
    }
}

impl std::fmt::Display for DownloadStatus {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

/// Something the user can do with a download; each is one bridge method (Play is a host
/// message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Command {
    Pause,
    Resume,
    Cancel,
    Retry,
    /// Delete the download and its files.
    Remove,
    /// Open the finished file in a player (shown where the host can play files).
    Play,
    /// Record that the item was watched (sent to its server when it can be reached).
    MarkWatched,
    /// Record that the item was not watched.
    MarkUnwatched,
}

impl Command {
    /// Every command, in the order the UI shows their buttons.
    pub const ALL: [Command; 8] = [
        Command::Pause,
        Command::Resume,
        Command::Cancel,
        Command::Play,
        Command::Retry,
        Command::MarkWatched,
        Command::MarkUnwatched,
        Command::Remove,
    ];

    /// The button text.
    pub fn label(self) -> &'static str {
        match self {
            Command::Pause => "Pause",
            Command::Resume => "Resume",
            Command::Cancel => "Cancel",
            Command::Retry => "Retry",
            Command::Remove => "Delete",
            Command::Play => "Play",
            Command::MarkWatched => "Mark as watched",
            Command::MarkUnwatched => "Mark as unwatched",
        }
    }
}

/// Compares with a stored name, so tests and logs can say `status == "completed"`.
impl PartialEq<&str> for DownloadStatus {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_names_and_every_status_has_words() {
        for status in DownloadStatus::ALL {
            assert_eq!(
                serde_json::to_value(status).expect("serializes"),
                serde_json::Value::String(status.name().to_string())
            );
            assert_eq!(DownloadStatus::from_name(status.name()), Some(status));
            assert!(!status.phase().is_empty());
            if status.is_finished() {
                assert!(!status.moves_bytes());
            }
        }
        assert_eq!(DownloadStatus::from_name("exploded"), None);
        let names: std::collections::HashSet<_> = Command::ALL.iter().map(|c| c.label()).collect();
        assert_eq!(names.len(), Command::ALL.len());
    }

    #[test]
    fn a_transfer_without_its_first_byte_says_it_is_connecting() {
        for status in DownloadStatus::ALL {
            let waiting = status.phase_with(0);
            let started = status.phase_with(1);
            assert_eq!(started, status.phase());
            if status.moves_bytes() {
                assert_eq!(waiting, "Connecting");
                assert!(started.starts_with("Downloading"), "{status}: {started}");
            } else {
                assert_eq!(waiting, status.phase());
            }
        }
        assert_eq!(DownloadStatus::Preflight.phase_with(0), "Connecting");
        assert_eq!(DownloadStatus::Verifying.phase(), "Checking the file");
        assert!(
            DownloadStatus::WaitingForServer
                .phase()
                .starts_with("Waiting for the server")
        );
    }
}
