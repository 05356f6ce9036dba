//! Download rows as the UI shows them: the state in plain words, the action for an error
//! and the commands the download allows now. The words come from the protocol's status, the
//! action from the failure kind's row in the table, the commands from the machine module.

use std::collections::HashSet;

use plexdl_protocol::{
    AudioTrack, DownloadSnapshot, DownloadStatus, ItemDetail, ItemSummary, MediaVersion,
    SubtitleTrack,
};

use crate::engine::file_names;
use crate::machine;
use crate::manifest::watch::WatchState;
use crate::manifest::{DownloadRow, DownloadSummary};
use crate::plex::{Metadata, MetadataType};

/// A manifest row as the UI shows it (from any process: no transfer slots are known), with
/// what this device knows of its item's watched state.
pub fn snapshot(row: &DownloadRow, watch: Option<&WatchState>) -> DownloadSnapshot {
    shown(DownloadSummary::from(row), false, watch)
}

/// A listed download as the UI shows it, from the process that runs the downloads: a
/// download in a transfer state that holds no transfer slot is shown as waiting for one.
pub fn live_snapshot(
    row: DownloadSummary,
    transferring: &HashSet<i64>,
    watch: Option<&WatchState>,
) -> DownloadSnapshot {
    let waiting_for_slot = row.download_status.moves_bytes() && !transferring.contains(&row.id);
    shown(row, waiting_for_slot, watch)
}

fn shown(
    row: DownloadSummary,
    waiting_for_slot: bool,
    watch: Option<&WatchState>,
) -> DownloadSnapshot {
    let watched = watch.is_some_and(|state| state.watched);
    let phase = if waiting_for_slot {
        DownloadStatus::WAITING_FOR_SLOT
    } else {
        row.download_status.phase_with(row.bytes_done)
    };
    DownloadSnapshot {
        action: row.error_kind.map(|kind| kind.action()),
        commands: machine::commands(row.download_status, watched),
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
        rule_id: row.rule_id,
        waiting_for_slot,
        watched,
        position_seconds: watch
            .and_then(|state| state.position_ms)
            .map(|ms| ms / 1_000),
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

/// An item with its summary and every version, as the item detail shows it: each
/// version's resolution, codecs, size, audio tracks and subtitle tracks, and for an
/// external subtitle the file an original download saves beside the video (the name
/// `finishing` gives it, from the name the download would get).
pub fn item_detail(item: &Metadata) -> ItemDetail {
    let versions = item
        .media
        .iter()
        .filter_map(|media| {
            let media_id = media.id?;
            let part_count = media.parts.len();
            let mut audio = Vec::new();
            let mut subtitles = Vec::new();
            for (part_index, part) in media.parts.iter().enumerate() {
                let stem = file_names::base_name(item, part_index as u32, part_count);
                let external: Vec<_> = part.external_subtitles().filter_map(|s| s.id).collect();
                for stream in &part.streams {
                    let Some(stream_id) = stream.id else { continue };
                    let title = stream.display_title.clone().or(stream.title.clone());
                    match stream.stream_type {
                        // The audio of one part stands for the whole version's (a version's
                        // parts are one recording cut in pieces).
                        Some(2) if part_index == 0 => audio.push(AudioTrack {
                            stream_id,
                            language: stream.language.clone(),
                            codec: stream.codec.clone(),
                            channels: stream.channels,
                            title,
                            default: stream.default == Some(true) || stream.selected == Some(true),
                        }),
                        Some(3) => {
                            let position = external.iter().position(|id| *id == stream_id);
                            subtitles.push(SubtitleTrack {
                                stream_id,
                                language: stream.language.clone(),
                                codec: stream.codec.clone(),
                                title,
                                external: stream.key.is_some(),
                                forced: stream.forced == Some(true),
                                saved_as: position
                                    .map(|at| file_names::subtitle_name(&stem, stream, at)),
                            })
                        }
                        _ => {}
                    }
                }
            }
            Some(MediaVersion {
                media_id,
                resolution: media.video_resolution.clone(),
                width: media.width,
                height: media.height,
                video_codec: media.video_codec.clone(),
                audio_codec: media.audio_codec.clone(),
                bitrate_kbps: media.bitrate,
                container: media.container.clone(),
                size: media.parts.iter().map(|part| part.size).sum(),
                duration_ms: media.duration.or(item.duration),
                parts: part_count as u32,
                audio,
                subtitles,
            })
        })
        .collect();
    ItemDetail {
        item: item_summary(item),
        summary: item.summary.clone().filter(|text| !text.trim().is_empty()),
        versions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use plexdl_protocol::{Action, Command, FailureKind};

    fn row(id: i64, status: DownloadStatus) -> DownloadSummary {
        DownloadSummary {
            id,
            media_rating_key: "55".to_string(),
            server_identifier: "s".to_string(),
            local_file_path: None,
            download_status: status,
            part_index: 0,
            title: "Big Buck Bunny (2008)".to_string(),
            quality: "original".to_string(),
            bytes_done: 0,
            bytes_total: None,
            error_kind: Some(FailureKind::ConnectionLost),
            error_message: None,
            next_wake_at: None,
            group_title: None,
            rule_id: None,
        }
    }

    #[test]
    fn a_transfer_without_a_slot_is_shown_as_waiting_for_one() {
        let moving = HashSet::from([1]);
        let connecting = live_snapshot(row(1, DownloadStatus::Transferring), &moving, None);
        assert_eq!(connecting.phase, "Connecting");
        let started = DownloadSummary {
            bytes_done: 4096,
            ..row(1, DownloadStatus::Transferring)
        };
        let shown = live_snapshot(started, &moving, None);
        assert!(!shown.waiting_for_slot);
        assert_eq!(shown.phase, "Downloading");
        assert_eq!(shown.action, Some(Action::Retry));
        assert_eq!(
            shown.commands,
            [
                Command::Pause,
                Command::Cancel,
                Command::MarkWatched,
                Command::Remove
            ]
        );
        let shown = live_snapshot(row(2, DownloadStatus::Fetching), &moving, None);
        assert!(shown.waiting_for_slot);
        assert_eq!(shown.phase, "Waiting for a free transfer slot");
        let shown = live_snapshot(row(3, DownloadStatus::Paused), &moving, None);
        assert!(!shown.waiting_for_slot);
        assert_eq!(shown.phase, "Paused");
        let done = live_snapshot(row(4, DownloadStatus::Completed), &moving, None);
        assert_eq!(
            done.commands,
            [Command::Play, Command::MarkWatched, Command::Remove]
        );
        assert!(!done.watched);
        let watched = WatchState {
            watched: true,
            position_ms: Some(61_500),
            changed_at: 1,
            server_view_count: None,
        };
        let done = live_snapshot(row(4, DownloadStatus::Completed), &moving, Some(&watched));
        assert_eq!(
            done.commands,
            [Command::Play, Command::MarkUnwatched, Command::Remove]
        );
        assert_eq!((done.watched, done.position_seconds), (true, Some(61)));
    }
}
