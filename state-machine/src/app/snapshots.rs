//! Download rows as the UI shows them: the state in plain words and the action for an error.

use std::collections::HashSet;

use plexdl_protocol::{Action, DownloadSnapshot, ItemSummary};

use crate::manifest::{DownloadRow, DownloadSummary};
use crate::plex::{Metadata, MetadataType};

/// The state of a download in plain words.
pub fn phase(status: &str) -> &'static str {
    match status {
        "queued" => "Waiting to start",
        "preflight" => "Checking the item on the server",
        "transferring" => "Downloading",
        "verifying" => "Checking the downloaded file",
        "enqueuing" => "Asking the server to prepare it",
        "waitingForServer" => "The server is preparing it",
        "fetching" => "Downloading the prepared file",
        "liveTranscode" => "Downloading while the server converts it",
        "paused" => "Paused",
        "backoff" => "Waiting to try again",
        "waitingForNetwork" => "Waiting for a network connection",
        "completed" => "Downloaded",
        "failed" => "Failed",
        "cancelled" => "Cancelled",
        _ => "Unknown state",
    }
}

/// What the user can do about an error kind.
pub fn action_for(kind: &str) -> Action {
    match kind {
        "unauthorized" | "signInExpired" | "tokenStorage" => Action::SignIn,
        "forbidden" | "downloadsNotAllowed" => Action::AskServerOwner,
        "notFound" | "transcodeRefused" => Action::ChooseAnother,
        "unreachable" | "tls" => Action::CheckConnection,
        "diskFull" => Action::FreeSpace,
        "badResponse" => Action::Report,
        _ => Action::Retry,
    }
}

/// A manifest row as the UI shows it (from any process: no transfer slots are known).
pub fn snapshot(row: &DownloadRow) -> DownloadSnapshot {
    shown(DownloadSummary::from(row), false)
}

/// The states in which a download moves bytes (and needs a transfer slot).
pub fn is_transfer_state(status: &str) -> bool {
    matches!(status, "transferring" | "fetching" | "liveTranscode")
}

/// A listed download as the UI shows it, from the process that runs the downloads: a
/// download in a transfer state that holds no transfer slot is shown as waiting for one.
pub fn live_snapshot(row: DownloadSummary, transferring: &HashSet<i64>) -> DownloadSnapshot {
    let waiting_for_slot =
        is_transfer_state(&row.download_status) && !transferring.contains(&row.id);
    shown(row, waiting_for_slot)
}

fn shown(row: DownloadSummary, waiting_for_slot: bool) -> DownloadSnapshot {
    let phase = if waiting_for_slot {
        "Waiting for a free transfer slot"
    } else {
        phase(&row.download_status)
    };
    DownloadSnapshot {
        action: row.error_kind.as_deref().map(action_for),
        id: row.id,
        server_id: row.server_identifier,
        rating_key: row.media_rating_key,
        title: row.title,
        quality: row.quality,
        phase: phase.to_string(),
        status: row.download_status,
        bytes_done: row.bytes_done,
        bytes_total: row.bytes_total,
        local_file_path: row.local_file_path,
        error_kind: row.error_kind,
        error_message: row.error_message,
        next_wake_at: row.next_wake_at,
        part_index: row.part_index,
        group_title: row.group_title,
        waiting_for_slot,
    }
}

/// A library item as the UI lists it.
pub fn item_summary(item: &Metadata) -> ItemSummary {
    let kind = match &item.kind {
        MetadataType::Other(name) => name.clone(),
        other => format!("{other:?}").to_lowercase(),
    };
    ItemSummary {
        rating_key: item.rating_key().to_string(),
        title: item.title().to_string(),
        kind,
        year: item.year,
        index: item.index,
        parent_index: item.parent_index,
        show_title: item.grandparent_title.clone(),
        thumb: item.thumb.clone(),
        duration_ms: item.duration,
        size: item.total_size(),
        child_count: item.child_count,
        leaf_count: item.leaf_count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_words_and_errors_have_actions() {
        for status in [
            "queued",
            "preflight",
            "transferring",
            "verifying",
            "enqueuing",
            "waitingForServer",
            "fetching",
            "liveTranscode",
            "paused",
            "backoff",
            "waitingForNetwork",
            "completed",
            "failed",
            "cancelled",
        ] {
            assert_ne!(phase(status), "Unknown state", "{status}");
        }
        assert_eq!(action_for("diskFull"), Action::FreeSpace);
        assert_eq!(action_for("missing"), Action::Retry);
        assert_eq!(action_for("unauthorized"), Action::SignIn);
    }

    fn row(id: i64, status: &str) -> DownloadSummary {
        DownloadSummary {
            id,
            media_rating_key: "55".to_string(),
            server_identifier: "s".to_string(),
            local_file_path: None,
            download_status: status.to_string(),
            part_index: 0,
            title: "Big Buck Bunny (2008)".to_string(),
            quality: "original".to_string(),
            bytes_done: 0,
            bytes_total: None,
            error_kind: Some("connectionLost".to_string()),
            error_message: None,
            next_wake_at: None,
            group_title: None,
        }
    }

    #[test]
    fn a_transfer_without_a_slot_is_shown_as_waiting_for_one() {
        let moving = HashSet::from([1]);
        let shown = live_snapshot(row(1, "transferring"), &moving);
        assert!(!shown.waiting_for_slot);
        assert_eq!(shown.phase, "Downloading");
        assert_eq!(shown.action, Some(Action::Retry));
        let shown = live_snapshot(row(2, "fetching"), &moving);
        assert!(shown.waiting_for_slot);
        assert_eq!(shown.phase, "Waiting for a free transfer slot");
        let shown = live_snapshot(row(3, "paused"), &moving);
        assert!(!shown.waiting_for_slot);
        assert_eq!(shown.phase, "Paused");
    }
}
