//! One step of a download: load the stored machine (its state's entry effects come with it,
//! all safe to repeat), carry out effects, feed the results back as events, and stop when
//! the machine has to wait, is finished, or the step is told to stop.
//!
//! The step reads its download once when it starts, into a [`Loaded`] context, and every
//! event it applies reads it again in the transaction that saves the machine; the effects
//! in between work from that context instead of reading the row themselves.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tracing::Instrument;

use super::preflight::failure;
use super::transfer::{TransferEnd, TransferSpec, plex_failure, transfer};
use super::{CoreError, DownloadCore, Loaded, StepResult, finishing, preflight};
use crate::machine::{self, Effect, Event, Failure, Route};
use crate::manifest::{DownloadRow, now_ms, rows};
use crate::plex::models::QueueItemStatus;
use crate::plex::{PlexError, PlexServer, QualityPreset};
use plexdl_protocol::{DownloadStatus, FailureKind};

/// Effects carried out in one step at most (a guard against a machine that loops).
const MAX_EFFECTS_PER_STEP: usize = 200;

enum Next {
    /// Feed this event to the machine and go on with the effects it causes.
    Event(Event),
    /// Feed this event, then end the step with this result (the effects it causes are what
    /// the next step will do).
    EventThenStop(Event, StepResult),
    /// End the step.
    Stop(StepResult),
    /// Nothing to report; go on.
    Continue,
}

fn failed(failure: Failure) -> Next {
    Next::Event(Event::Failed(failure))
}

/// Runs one step.
pub(super) async fn run(
    core: &DownloadCore,
    id: i64,
    stop: &AtomicBool,
) -> Result<StepResult, CoreError> {
    let (loaded, machine, effects) = core.load(id)?;
    let span = tracing::info_span!("download", download_id = id, server = %loaded.row.server_identifier, state = %DownloadStatus::from(machine.state()));
    // The span is attached to the future (not entered), so it never leaks into other tasks
    // that run on this thread while the step waits.
    run_effects(core, id, stop, machine, loaded, effects)
        .instrument(span)
        .await
}

async fn run_effects(
    core: &DownloadCore,
    id: i64,
    stop: &AtomicBool,
    machine: machine::Machine,
    mut loaded: Loaded,
    mut effects: Vec<Effect>,
) -> Result<StepResult, CoreError> {
    if matches!(machine.state(), machine::State::Queued {}) {
        (effects, loaded) = core.apply_loaded(id, &Event::Start)?;
    }
    let deadline = Instant::now() + core.settings.step_budget;
    let mut carried_out = 0;
    while !effects.is_empty() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        carried_out += 1;
        if carried_out > MAX_EFFECTS_PER_STEP {
            tracing::warn!("step ended after too many effects; the next step goes on");
            return Ok(StepResult::WakeAfter { millis: 0 });
        }
        let effect = effects.remove(0);
        tracing::debug!(?effect, "carrying out");
        match execute(core, &loaded, &effect, stop, deadline).await? {
            Next::Event(event) => {
                let (mut caused, now) = core.apply_loaded(id, &event)?;
                loaded = now;
                caused.append(&mut effects);
                effects = caused;
            }
            Next::EventThenStop(event, result) => {
                core.apply(id, &event)?;
                return Ok(result);
            }
            Next::Stop(result) => return Ok(result),
            Next::Continue => {}
        }
    }
    result_now(core, id)
}

/// What to schedule for a download in its stored state (read now: a user command may have
/// changed it while the step ran).
fn result_now(core: &DownloadCore, id: i64) -> Result<StepResult, CoreError> {
    let row = core.get(id)?;
    let status = row.download_status;
    Ok(match status {
        _ if !status.needs_work() => StepResult::Idle { status },
        DownloadStatus::WaitingForNetwork => StepResult::WaitForNetwork,
        DownloadStatus::Backoff => StepResult::WakeAfter {
            millis: row
                .next_wake_at
                .map_or(0, |at| (at - now_ms()).max(0) as u64),
        },
        DownloadStatus::WaitingForServer => StepResult::WakeAfter {
            millis: core.settings.poll_interval.as_millis() as u64,
        },
        _ => StepResult::WakeAfter { millis: 0 },
    })
}

async fn execute(
    core: &DownloadCore,
    loaded: &Loaded,
    effect: &Effect,
    stop: &AtomicBool,
    deadline: Instant,
) -> Result<Next, CoreError> {
    let row = &loaded.row;
    let id = row.id;
    Ok(match effect {
        Effect::RunPreflight => match preflight::run(core, loaded).await? {
            Ok(route) => Next::Event(Event::PreflightPassed { route }),
            Err(failure) => failed(failure),
        },
        Effect::Transfer { route } => run_transfer(core, row, *route, stop, deadline).await?,
        Effect::Verify => match finishing::verify(core, row).await? {
            Ok(()) => Next::Event(Event::VerifyPassed),
            Err(failure) => failed(failure),
        },
        Effect::Enqueue => enqueue(core, row).await?,
        Effect::PollServer => poll(core, row).await?,
        Effect::RestartServerItem => {
            match (server_for(core, row), row.queue_id, row.queue_item_id) {
                (Ok(server), Some(queue), Some(item)) => {
                    match server.queue_restart(queue, &[item]).await {
                        Ok(()) => Next::Continue,
                        // The item is gone from the queue: it is added again (the failure
                        // forgets it).
                        Err(PlexError::NotFound { .. }) => failed(failure(
                            FailureKind::QueueItemLost,
                            "The server no longer has this item in its queue.",
                        )),
                        Err(error) => failed(plex_failure(&error)),
                    }
                }
                (Err(failure), _, _) => failed(failure),
                _ => Next::Continue,
            }
        }
        Effect::ScheduleWake { at_ms } => {
            let now = now_ms();
            if *at_ms <= now {
                Next::Event(Event::Wake)
            } else {
                Next::Stop(StepResult::WakeAfter {
                    millis: (*at_ms - now) as u64,
                })
            }
        }
        Effect::WaitForNetwork => Next::Stop(StepResult::WaitForNetwork),
        Effect::StopTransfer => Next::Continue,
        Effect::DeletePartial => {
            core.delete_partial(id)?;
            Next::Continue
        }
        Effect::RemoveFailedServerItem { queue_id, item_id } => {
            if let Ok(server) = server_for(core, row)
                && let Err(error) = server.queue_delete(*queue_id, &[*item_id]).await
            {
                // Gone already is fine; the new item is added either way.
                tracing::info!(%error, queue_id, item_id, "could not remove the failed item from the server's queue");
            }
            Next::Continue
        }
        Effect::RemoveServerItem => {
            if let (Ok(server), Some(queue), Some(item)) =
                (server_for(core, row), row.queue_id, row.queue_item_id)
                && let Err(error) = server.queue_delete(queue, &[item]).await
            {
                // The item may already be gone; a leftover item expires on the server anyway.
                tracing::info!(%error, "could not remove the item from the server's queue");
            }
            Next::Continue
        }
    })
}

fn server_for(core: &DownloadCore, row: &DownloadRow) -> Result<PlexServer, Failure> {
    core.server(&row.server_identifier).ok_or_else(|| {
        failure(
            FailureKind::Unreachable,
            "The server of this download is not connected. Connect to it again to continue.",
        )
    })
}

async fn run_transfer(
    core: &DownloadCore,
    row: &DownloadRow,
    route: Route,
    stop: &AtomicBool,
    deadline: Instant,
) -> Result<Next, CoreError> {
    let id = row.id;
    let server = match server_for(core, row) {
        Ok(server) => server,
        Err(failure) => return Ok(failed(failure)),
    };
    let Some(_slot) = core.slots.try_take(&row.server_identifier, id) else {
        tracing::debug!("no free transfer slot; trying again shortly");
        return Ok(Next::Stop(StepResult::WakeAfter { millis: 1_000 }));
    };
    let mut live_offset_ms = 0u64;
    // Where the transfer resumes: what the row records, or, for a live transcode, the byte
    // that matches the whole millisecond it restarts at.
    let mut resume_from = row.bytes_done;
    let url = match route {
        Route::Direct => match row.part_key.as_deref() {
            Some(key) => server.url(key, vec![("download", "1".to_string())]).await,
            None => {
                return Ok(Next::Event(Event::Failed(failure(
                    FailureKind::NotFound,
                    "The item has no file to download.",
                ))));
            }
        },
        Route::ServerQueue => match (row.queue_id, row.queue_item_id) {
            (Some(queue), Some(item)) => server.queue_item_media_url(queue, item).await,
            _ => return Ok(Next::Event(Event::ServerItemExpired)),
        },
        Route::LiveTranscode => {
            let plan = live_plan(row);
            if let Some(path) = core.partial_path(row) {
                // Start at a whole millisecond of the item and drop the bytes after the point
                // that corresponds to it, so the new stream joins up with the file.
                let resume = std::fs::metadata(&path)
                    .map_or(0, |m| m.len())
                    .min(row.bytes_done);
                let (offset_ms, start_byte) = plan.resume_point(resume);
                if start_byte != row.bytes_done {
                    core.manifest
                        .write(|tx| rows::checkpoint(tx, id, start_byte, None, None))?;
                }
                resume_from = start_byte;
                live_offset_ms = offset_ms;
            }
            server
                .live_transcode_url(
                    &row.media_rating_key,
                    plan.preset,
                    plan.source_kbps,
                    live_offset_ms as f64 / 1_000.0,
                    &format!("plexdl-{id}"),
                    core.settings.output_container(),
                )
                .await
        }
    };
    let url = match url {
        Ok(url) => url,
        Err(error) => return Ok(failed(plex_failure(&error))),
    };
    let Some(part_path) = core.partial_path(row) else {
        return Ok(failed(failure(
            FailureKind::Internal,
            "The download has no file name yet; it is chosen again.",
        )));
    };
    let label = format!("download {id}");
    let library = server.clone();
    let request = move || server.media_request(url.clone());
    tracing::debug!(live_offset_ms, "transfer starting");
    let spec = TransferSpec {
        ranges: route != Route::LiveTranscode,
        is_part: route == Route::Direct,
        request: &request,
        label: &label,
        part_path: &part_path,
        resume_from,
        validator: row.validator.clone(),
        expected_size: if route == Route::Direct {
            row.bytes_total
        } else {
            None
        },
        stall_timeout: core.settings.stall_timeout,
        checkpoint_bytes: core.settings.checkpoint_bytes,
        checkpoint_interval: core.settings.checkpoint_interval,
        stop,
        simulated_capacity: core.simulated_capacity(),
        deadline,
    };
    let mut checkpoint = |bytes: u64, total: Option<u64>, validator: Option<&str>| {
        core.manifest
            .write(|tx| rows::checkpoint(tx, id, bytes, total, validator))
            .map_err(|error| error.to_string())
    };
    Ok(match transfer(&spec, &mut checkpoint).await {
        Ok(TransferEnd::Complete { size, sha256, .. }) => {
            tracing::info!(
                bytes = size,
                sha256 = sha256.as_deref().unwrap_or("(none)"),
                "transfer complete"
            );
            core.manifest
                .write(|tx| rows::set_content_hash(tx, id, sha256.as_deref()))?;
            Next::Event(Event::TransferComplete)
        }
        Ok(TransferEnd::Stopped { bytes }) => {
            tracing::info!(bytes, "transfer stopped; progress saved");
            if stop.load(Ordering::Relaxed) {
                Next::Stop(result_now(core, id)?)
            } else {
                Next::Stop(StepResult::WakeAfter { millis: 0 })
            }
        }
        Err(failure) if route == Route::Direct && failure.kind == FailureKind::NotFound => {
            failed(after_part_not_found(&library, row, failure).await)
        }
        // The Plex documentation names no status for an expired item's media; a 404 there
        // is taken as expired, so the item is prepared again (realServerFindings.md
        // section 2 lists the statuses that are known).
        Err(failure) if route == Route::ServerQueue && failure.kind == FailureKind::NotFound => {
            tracing::info!("the queue item's media answered 404; it is prepared again");
            Next::Event(Event::ServerItemExpired)
        }
        Err(failure) => {
            tracing::info!(kind = %failure.kind, retryable = failure.retryable, "transfer failed");
            failed(failure)
        }
    })
}

/// What a 404 on a part means. A file replaced on the server (an upgrade) keeps its item
/// and rating key, and its part gets a new key while the old one answers 404
/// (realServerFindings.md section 4). So the item is read again: a different key for the
/// same part is a changed file, fetched again from zero on the next try (pre-flight sees
/// the new key); an item that is gone, or a part whose key is the same, stays not found.
async fn after_part_not_found(
    server: &PlexServer,
    row: &DownloadRow,
    not_found: Failure,
) -> Failure {
    match server.metadata(&row.media_rating_key).await {
        Ok(item) => {
            let key = item
                .parts()
                .nth(row.part_index as usize)
                .and_then(|part| part.key.clone());
            if key.is_some() && key != row.part_key {
                tracing::warn!(old_key = ?row.part_key, new_key = ?key, "the file was replaced on the server");
                failure(
                    FailureKind::FileChanged,
                    "The file changed on the server; downloading the new version.",
                )
            } else {
                tracing::info!("the part is missing on the server although its item is there");
                not_found
            }
        }
        Err(error) => plex_failure(&error),
    }
}

async fn enqueue(core: &DownloadCore, row: &DownloadRow) -> Result<Next, CoreError> {
    let server = match server_for(core, row) {
        Ok(server) => server,
        Err(failure) => return Ok(failed(failure)),
    };
    let quality = QualityPreset::from_name(&row.quality).unwrap_or(QualityPreset::Hd720);
    let queue = match server.download_queue().await {
        Ok(Some(queue)) => queue.id.unwrap_or_default(),
        Ok(None) => {
            return Ok(failed(failure(
                FailureKind::TranscodeRefused,
                "The server has no download queue.",
            )));
        }
        Err(error) => return Ok(failed(plex_failure(&error))),
    };
    Ok(
        match server
            .queue_add(queue, &[row.media_rating_key.as_str()], quality)
            .await
        {
            Ok(added) => match added.first().and_then(|item| item.id) {
                Some(item_id) => Next::Event(Event::Enqueued {
                    queue_id: queue,
                    item_id,
                }),
                None => failed(failure(
                    FailureKind::QueueItemLost,
                    "The server accepted the item but gave no queue id.",
                )),
            },
            Err(error) => failed(plex_failure(&error)),
        },
    )
}

async fn poll(core: &DownloadCore, row: &DownloadRow) -> Result<Next, CoreError> {
    let server = match server_for(core, row) {
        Ok(server) => server,
        Err(failure) => return Ok(failed(failure)),
    };
    let (Some(queue), Some(item_id)) = (row.queue_id, row.queue_item_id) else {
        return Ok(Next::Event(Event::ServerItemExpired));
    };
    let wait = StepResult::WakeAfter {
        millis: core.settings.poll_interval.as_millis() as u64,
    };
    let items = match server.queue_items(queue, Some(&[item_id])).await {
        Ok(items) => items,
        Err(error) => return Ok(failed(plex_failure(&error))),
    };
    let Some(item) = items.into_iter().find(|item| item.id == Some(item_id)) else {
        return Ok(failed(failure(
            FailureKind::QueueItemLost,
            "The server no longer has this item in its queue.",
        )));
    };
    Ok(match item.status {
        QueueItemStatus::Available => Next::Event(Event::ServerReady),
        QueueItemStatus::Expired => Next::Event(Event::ServerItemExpired),
        QueueItemStatus::Error => failed(plex_failure(&crate::plex::download_queue::item_failure(
            &item,
        ))),
        _ => {
            let progress = item.transcode.and_then(|t| t.progress).unwrap_or(0.0);
            Next::EventThenStop(
                Event::ServerProgress {
                    progress,
                    at_ms: now_ms(),
                },
                wait,
            )
        }
    })
}

/// How a live transcode of a download is asked for and how its bytes map to time.
struct LivePlan {
    preset: QualityPreset,
    /// For a stream copy (original quality in a container the device does not play): the
    /// source bitrate, sent so that the server copies rather than converts.
    source_kbps: Option<u64>,
    /// The item's duration.
    duration_ms: u64,
    /// The expected output size (bitrate times duration).
    estimate: u64,
}

impl LivePlan {
    /// The whole millisecond to restart at for `bytes` already on disk, and the byte that
    /// corresponds to it (where the file is cut before the new stream is appended).
    fn resume_point(&self, bytes: u64) -> (u64, u64) {
        if bytes == 0 || self.estimate == 0 || self.duration_ms == 0 {
            return (0, 0);
        }
        let offset_ms =
            ((u128::from(bytes) * u128::from(self.duration_ms)) / u128::from(self.estimate)) as u64;
        let offset_ms = offset_ms.min(self.duration_ms);
        let start = ((u128::from(self.estimate) * u128::from(offset_ms))
            / u128::from(self.duration_ms)) as u64;
        (offset_ms, start.min(bytes))
    }
}

fn live_plan(row: &DownloadRow) -> LivePlan {
    let item: crate::plex::Metadata =
        serde_json::from_str(&row.cached_metadata_json).unwrap_or_default();
    let preset = QualityPreset::from_name(&row.quality).unwrap_or(QualityPreset::Original);
    let duration_ms = item
        .duration
        .or_else(|| item.media.first().and_then(|m| m.duration))
        .unwrap_or(0);
    let source_kbps = if preset == QualityPreset::Original {
        Some(
            item.media
                .first()
                .and_then(|m| m.bitrate)
                .unwrap_or(crate::plex::transcode::COPY_FALLBACK_KBPS),
        )
    } else {
        None
    };
    let video_kbps = preset
        .video_kbps()
        .or(source_kbps)
        .unwrap_or(crate::plex::transcode::COPY_FALLBACK_KBPS);
    let estimate = (video_kbps + crate::plex::transcode::ESTIMATE_AUDIO_KBPS) * duration_ms / 8;
    LivePlan {
        preset,
        source_kbps,
        duration_ms,
        estimate,
    }
}
