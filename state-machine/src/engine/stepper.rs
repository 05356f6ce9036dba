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
use super::transfer::{StillConverting, TransferEnd, TransferSpec, plex_failure, transfer};
use super::{CoreError, DownloadCore, Loaded, StepResult, finishing, preflight};
use crate::machine::{self, Effect, Event, Failure, Route};
use crate::manifest::{DownloadRow, now_ms, rows};
use crate::plex::models::QueueItemStatus;
use crate::plex::servers::is_connection_failure;
use crate::plex::transcode::{TrackRequest, live_session_id};
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
    // Where the transfer resumes: what the row records; a live transcode always starts
    // from zero.
    let mut resume_from = row.bytes_done;
    let mut live_session = None;
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
            let session = live_session_id(server.client_id(), id);
            if row.bytes_done > 0 || row.attempts > 0 {
                // An earlier try may have left its transcode running (a killed process
                // cannot stop it): end it before a new one starts under the same session.
                if let Err(error) = server.stop_transcode(&session).await {
                    tracing::info!(%error, "could not stop an earlier transcode of this download");
                }
            }
            // The decision first, with the same parameters as the start, as Plex's own
            // clients do (realServerFindings.md section 3): a refusal is told before any byte.
            // It also says which audio track the server would use.
            if let Err(failure) = decide_with_tracks(&server, row, &plan, &session).await {
                return Ok(failed(failure));
            }
            if row.bytes_done > 0 {
                // A converted stream cannot be resumed: `offset` starts a new stream with its
                // own header (realServerFindings.md section 3), so the bytes kept are dropped.
                tracing::info!(
                    bytes = row.bytes_done,
                    "a conversion cannot be resumed; starting it again from the beginning"
                );
                core.delete_partial(id)?;
            }
            resume_from = 0;
            let url = server
                .live_transcode_url(
                    &row.media_rating_key,
                    plan.preset,
                    plan.source_kbps,
                    &session,
                    core.settings.output_container(),
                    &plan.tracks,
                )
                .await;
            live_session = Some(session);
            url
        }
    };
    let url = match url {
        Ok(url) => url,
        Err(error) => return Ok(failed(plex_failure(&error))),
    };
    let renamed;
    let row = if route == Route::ServerQueue
        && resume_from == 0
        && name_from_the_server(core, &server, row, &url).await?
    {
        renamed = core.get(id)?;
        &renamed
    } else {
        row
    };
    let Some(part_path) = core.partial_path(row) else {
        return Ok(failed(failure(
            FailureKind::Internal,
            "The download has no file name yet; it is chosen again.",
        )));
    };
    let label = format!("download {id}");
    let library = server.clone();
    let watcher = server.clone();
    let request = move || server.media_request(url.clone());
    // While a live transcode sends nothing, the server may still be converting: its session
    // tells "still converting" from "gone" (REFERENCE.md section 5.5), so no stall timeout
    // kills a slow conversion.
    let still_converting = |session: String| {
        let watcher = watcher.clone();
        move || -> StillConverting {
            let watcher = watcher.clone();
            let session = session.clone();
            Box::pin(async move {
                match watcher.transcode_session(&session).await {
                    Ok(Some(found)) => {
                        tracing::info!(progress = ?found.progress, "no data for a while; the server is still converting");
                        !found.error.unwrap_or(false)
                    }
                    Ok(None) => {
                        tracing::info!("the server's transcode session is gone");
                        false
                    }
                    Err(error) => {
                        tracing::info!(%error, "could not ask the server about its transcode");
                        false
                    }
                }
            })
        }
    };
    let watch = live_session.clone().map(still_converting);
    tracing::debug!(resume_from, "transfer starting");
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
        still_converting: watch
            .as_ref()
            .map(|watch| watch as &(dyn Fn() -> StillConverting + Send + Sync)),
        checkpoint_bytes: core.settings.checkpoint_bytes,
        checkpoint_interval: core.settings.checkpoint_interval,
        stop,
        simulated_capacity: core.simulated_capacity(),
        // A live transcode cannot be resumed, so it is not cut at the step's time slice:
        // only a stop request ends it before its end.
        deadline: if route == Route::LiveTranscode {
            Instant::now() + NO_DEADLINE
        } else {
            deadline
        },
    };
    let mut checkpoint = |bytes: u64, total: Option<u64>, validator: Option<&str>| {
        core.manifest
            .write(|tx| rows::checkpoint(tx, id, bytes, total, validator))
            .map_err(|error| error.to_string())
    };
    let ended = transfer(&spec, &mut checkpoint).await;
    // Whether this transfer moved bytes before it ended: a connection that worked and then
    // broke is worth replacing at once; one that gave nothing waits for the usual backoff,
    // so two addresses that both fail can never make the step ask again and again.
    let moved = core.get(id).is_ok_and(|now| now.bytes_done > resume_from);
    if let Some(session) = &live_session
        && !matches!(ended, Ok(TransferEnd::Complete { .. }))
    {
        // Paused, cancelled, removed or broken: the server's transcode is stopped, so it
        // does not go on converting for nobody (REFERENCE.md section 5.4).
        match library.stop_transcode(session).await {
            Ok(()) => tracing::info!("the server's transcode was stopped"),
            Err(error) => tracing::info!(%error, "could not stop the server's transcode"),
        }
    }
    Ok(match ended {
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
        // The connection in use broke after it had moved bytes: when another address of the
        // server answers, the transfer goes on there at once, from the checkpoint, with the
        // same checks (part key, size, validator); the break does not count as a failed
        // attempt.
        Err(failure)
            if moved
                && is_connection_failure(failure.kind)
                && library.reconnect().await.is_some() =>
        {
            tracing::info!(kind = %failure.kind, "the transfer goes on over another connection");
            Next::Stop(StepResult::WakeAfter { millis: 0 })
        }
        Err(failure) if route == Route::LiveTranscode && failure.retryable => {
            tracing::info!(kind = %failure.kind, "the conversion broke off");
            failed(Failure {
                message: format!(
                    "{} A conversion cannot be resumed, so it starts again from the beginning.",
                    failure.message
                ),
                ..failure
            })
        }
        Err(failure) => {
            tracing::info!(kind = %failure.kind, retryable = failure.retryable, "transfer failed");
            failed(failure)
        }
    })
}

/// Far enough away never to be reached (a live transcode has no time slice).
const NO_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10 * 365 * 24 * 3600);

/// Before the first byte of a queue item's file, its HEAD tells the file name the server
/// gives it (`Content-Disposition`, realServerFindings.md section 2): the download takes
/// that extension. Whether the name changed; a HEAD that fails changes nothing (the GET
/// that follows reports any real problem).
async fn name_from_the_server(
    core: &DownloadCore,
    server: &PlexServer,
    row: &DownloadRow,
    url: &reqwest::Url,
) -> Result<bool, CoreError> {
    let head = server
        .media_request_as(reqwest::Method::HEAD, url.clone())
        .timeout(std::time::Duration::from_secs(15))
        .send()
        .await;
    let extension = match head {
        Ok(response) if response.status().is_success() => response
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|value| value.to_str().ok())
            .and_then(super::output_name::disposition_extension),
        Ok(response) => {
            tracing::debug!(
                status = response.status().as_u16(),
                "HEAD of the queue item's file refused"
            );
            None
        }
        Err(error) => {
            tracing::debug!(error = %plexdl_redact::redact_text(&error.to_string()), "HEAD of the queue item's file failed");
            None
        }
    };
    let Some(extension) = extension else {
        return Ok(false);
    };
    let before = row.local_file_path.clone();
    super::output_name::settle(core, row.id, &extension)?;
    Ok(core.get(row.id)?.local_file_path != before)
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
                .parts_of(row.tracks.media_id)
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
    let plan = live_plan(row);
    // A chosen audio track is checked with a decision first, as on the live route: the
    // queue converts later, when nothing can be asked any more.
    if plan.tracks.audio_stream_id.is_some() {
        let session = live_session_id(server.client_id(), row.id);
        if let Err(failure) = decide_with_tracks(&server, row, &plan, &session).await {
            return Ok(failed(failure));
        }
    }
    Ok(
        match server
            .queue_add(
                queue,
                &[row.media_rating_key.as_str()],
                quality,
                &plan.tracks,
            )
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
            // The container the server chose, named while it converts: the file takes its
            // extension before any byte is written (realServerFindings.md section 2).
            if let Some(container) = item.transcode.as_ref().and_then(|t| t.container.as_deref())
                && row.bytes_done == 0
            {
                super::output_name::settle(core, row.id, container)?;
            }
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

/// Asks the transcoder's decision for a download and makes sure it converts with the
/// chosen audio track. `audioStreamID` on the request is not documented and is reported to
/// be honoured inconsistently (see `TrackRequest`), while the decision marks the audio
/// stream it would use as `selected` (the recorded decisions do). So: when the decision
/// names another track, the part's stream selection is set (`select_streams`) and the
/// decision asked again; when it still names another, the download fails and says so
/// rather than bring back a language the user did not choose. A decision that names no
/// audio stream is taken as it is.
async fn decide_with_tracks(
    server: &PlexServer,
    row: &DownloadRow,
    plan: &LivePlan,
    session: &str,
) -> Result<(), Failure> {
    let decide = || {
        server.transcode_decision(
            &row.media_rating_key,
            plan.preset,
            plan.source_kbps,
            session,
            &plan.tracks,
        )
    };
    let decision = decide().await.map_err(|error| {
        tracing::info!(%error, "the server refused the conversion");
        plex_failure(&error)
    })?;
    let Some(wanted) = plan.tracks.audio_stream_id else {
        return Ok(());
    };
    match decision.selected_audio() {
        None => {
            tracing::info!(
                wanted,
                "the decision names no audio stream; converting as asked"
            );
            return Ok(());
        }
        Some(used) if used == wanted => return Ok(()),
        Some(used) => {
            tracing::info!(
                wanted,
                used,
                "the server passed over audioStreamID; setting the part's stream selection"
            );
        }
    }
    let Some(part_id) = plan.part_id else {
        return Err(other_track());
    };
    server
        .select_streams(part_id, Some(wanted), plan.tracks.subtitle_stream_id)
        .await
        .map_err(|error| plex_failure(&error))?;
    let again = decide().await.map_err(|error| plex_failure(&error))?;
    match again.selected_audio() {
        Some(used) if used != wanted => {
            tracing::warn!(
                wanted,
                used,
                "the server converts another audio track even after the part's selection"
            );
            Err(other_track())
        }
        _ => Ok(()),
    }
}

/// The failure of a conversion whose server keeps to another audio track.
fn other_track() -> Failure {
    failure(
        FailureKind::TranscodeRefused,
        "The server would convert another audio track than the one chosen. Download the original quality, which keeps every track, or choose another audio track.",
    )
}

/// How a live transcode of a download is asked for.
struct LivePlan {
    preset: QualityPreset,
    /// For a stream copy (original quality in a container the device does not play): the
    /// source bitrate, sent so that the server copies rather than converts.
    source_kbps: Option<u64>,
    /// The version and tracks.
    tracks: TrackRequest,
    /// The first part of the version, whose stream selection the server can be given.
    part_id: Option<u64>,
}

fn live_plan(row: &DownloadRow) -> LivePlan {
    let item: crate::plex::Metadata =
        serde_json::from_str(&row.cached_metadata_json).unwrap_or_default();
    let preset = QualityPreset::from_name(&row.quality).unwrap_or(QualityPreset::Original);
    let source_kbps = (preset == QualityPreset::Original).then(|| {
        item.version(row.tracks.media_id)
            .and_then(|m| m.bitrate)
            .unwrap_or(crate::plex::transcode::COPY_FALLBACK_KBPS)
    });
    LivePlan {
        preset,
        source_kbps,
        tracks: TrackRequest::for_choice(&item, &row.tracks),
        part_id: item
            .parts_of(row.tracks.media_id)
            .next()
            .and_then(|part| part.id),
    }
}
