//! One step of a download: load the stored machine (its state's entry effects come with it,
//! all safe to repeat), carry out effects, feed the results back as events, and stop when
//! the machine has to wait, is finished, or the step is told to stop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::file_names;
use super::transfer::{TransferEnd, TransferSpec, io_failure, plex_failure, transfer};
use super::{CoreError, DownloadCore, StepResult};
use crate::machine::{self, Effect, Event, Failure, Route};
use crate::manifest::{DownloadRow, now_ms, rows};
use crate::plex::models::QueueItemStatus;
use crate::plex::{PlexError, PlexServer, QualityPreset};

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

fn simple_failure(kind: &str, message: &str, retryable: bool) -> Failure {
    Failure {
        kind: kind.to_string(),
        message: message.to_string(),
        retryable,
        retry_after: None,
        at_ms: now_ms(),
    }
}

/// Runs one step.
pub(super) async fn run(
    core: &DownloadCore,
    id: i64,
    stop: &AtomicBool,
) -> Result<StepResult, CoreError> {
    let row = core.get(id)?;
    let (machine, mut effects) = machine::from_json(&row.machine_json).map_err(|error| {
        CoreError::Manifest(crate::manifest::ManifestError::Sql(
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                Box::new(error),
            ),
        ))
    })?;
    let span = tracing::info_span!("download", download_id = id, server = %row.server_identifier, state = machine::state_name(machine.state()));
    let _entered = span.enter();
    if matches!(machine.state(), machine::State::Queued {}) {
        effects = core.apply(id, &Event::Start)?;
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
        match execute(core, id, &effect, stop, deadline).await? {
            Next::Event(event) => {
                let mut caused = core.apply(id, &event)?;
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

/// What to schedule for a download in its stored state.
fn result_now(core: &DownloadCore, id: i64) -> Result<StepResult, CoreError> {
    let row = core.get(id)?;
    Ok(match row.download_status.as_str() {
        "completed" | "failed" | "cancelled" | "paused" => StepResult::Idle {
            status: row.download_status,
        },
        "waitingForNetwork" => StepResult::WaitForNetwork,
        "backoff" => StepResult::WakeAfter {
            millis: row
                .next_wake_at
                .map_or(0, |at| (at - now_ms()).max(0) as u64),
        },
        "waitingForServer" => StepResult::WakeAfter {
            millis: core.settings.poll_interval.as_millis() as u64,
        },
        _ => StepResult::WakeAfter { millis: 0 },
    })
}

async fn execute(
    core: &DownloadCore,
    id: i64,
    effect: &Effect,
    stop: &AtomicBool,
    deadline: Instant,
) -> Result<Next, CoreError> {
    Ok(match effect {
        Effect::RunPreflight => match preflight(core, id).await? {
            Ok(route) => Next::Event(Event::PreflightPassed { route }),
            Err(failure) => failed(failure),
        },
        Effect::Transfer { route } => run_transfer(core, id, *route, stop, deadline).await?,
        Effect::Verify => match verify(core, id)? {
            Ok(()) => Next::Event(Event::VerifyPassed),
            Err(failure) => failed(failure),
        },
        Effect::Enqueue => enqueue(core, id).await?,
        Effect::PollServer => poll(core, id).await?,
        Effect::RestartServerItem => {
            let row = core.get(id)?;
            match (server_for(core, &row), row.queue_id, row.queue_item_id) {
                (Ok(server), Some(queue), Some(item)) => {
                    match server.queue_restart(queue, &[item]).await {
                        Ok(()) => Next::Continue,
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
        Effect::RemoveServerItem => {
            let row = core.get(id)?;
            if let (Ok(server), Some(queue), Some(item)) =
                (server_for(core, &row), row.queue_id, row.queue_item_id)
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
        simple_failure(
            "unreachable",
            "The server of this download is not connected. Connect to it again to continue.",
            true,
        )
    })
}

/// Reads the item again, chooses the route and the file name, and notices a file that
/// changed on the server (a new part key or size): then the partial file starts over.
async fn preflight(core: &DownloadCore, id: i64) -> Result<Result<Route, Failure>, CoreError> {
    let row = core.get(id)?;
    let server = match server_for(core, &row) {
        Ok(server) => server,
        Err(failure) => return Ok(Err(failure)),
    };
    let item = match server.metadata(&row.media_rating_key).await {
        Ok(item) => item,
        Err(error) => return Ok(Err(plex_failure(&error))),
    };
    let quality = QualityPreset::from_name(&row.quality).unwrap_or(QualityPreset::Original);
    let (route, size, key, container) = if quality == QualityPreset::Original {
        let Some(part) = item.parts().nth(row.part_index as usize).cloned() else {
            return Ok(Err(plex_failure(&PlexError::NotFound {
                path: format!(
                    "/library/metadata/{} part {}",
                    row.media_rating_key,
                    row.part_index + 1
                ),
            })));
        };
        let container = part
            .container
            .clone()
            .or_else(|| item.media.first().and_then(|m| m.container.clone()));
        (Route::Direct, part.size, part.key.clone(), container)
    } else {
        match server.download_queue().await {
            Ok(Some(_)) => (Route::ServerQueue, None, None, Some("mkv".to_string())),
            Ok(None) => {
                return Ok(Err(simple_failure(
                    "transcodeRefused",
                    "This server is too old to prepare converted downloads (it has no download queue). Choose Original quality.",
                    false,
                )));
            }
            Err(error) => return Ok(Err(plex_failure(&error))),
        }
    };

    let changed = route == Route::Direct
        && row.bytes_done > 0
        && (row.part_key.as_deref() != key.as_deref()
            || (row.bytes_total.is_some() && row.bytes_total != size));
    if changed {
        tracing::warn!(old_key = ?row.part_key, new_key = ?key, "the file changed on the server; starting again from zero");
        core.delete_partial(id)?;
    }
    if row.local_file_path.is_none() {
        let extension = file_names::extension(container.as_deref());
        let folder = core.settings.download_dir.clone();
        let name = core.manifest.write(|tx| {
            let name = file_names::unique_name(&row.title, &extension, |candidate| {
                let on_disk = folder.join(candidate).exists()
                    || folder.join(format!("{candidate}.part")).exists();
                on_disk || rows::file_in_use(tx, candidate, id).unwrap_or(true)
            });
            rows::set_file(tx, id, &name, key.as_deref())?;
            Ok(name)
        })?;
        tracing::info!(file = %name, "file name chosen");
    }
    let metadata_json =
        serde_json::to_string(&item).unwrap_or_else(|_| row.cached_metadata_json.clone());
    core.manifest.write(|tx| {
        tx.execute(
            "UPDATE downloads SET part_key = COALESCE(?2, part_key), bytes_total = COALESCE(?3, bytes_total), cached_metadata_json = ?4 WHERE id = ?1",
            rusqlite::params![id, key, size.map(|s| s as i64), metadata_json],
        )?;
        Ok(())
    })?;
    Ok(Ok(route))
}

async fn run_transfer(
    core: &DownloadCore,
    id: i64,
    route: Route,
    stop: &AtomicBool,
    deadline: Instant,
) -> Result<Next, CoreError> {
    let row = core.get(id)?;
    let server = match server_for(core, &row) {
        Ok(server) => server,
        Err(failure) => return Ok(failed(failure)),
    };
    let url = match route {
        Route::Direct => match row.part_key.as_deref() {
            Some(key) => server.url(key, vec![("download", "1".to_string())]).await,
            None => {
                return Ok(Next::Event(Event::Failed(simple_failure(
                    "notFound",
                    "The item has no file to download.",
                    false,
                ))));
            }
        },
        Route::ServerQueue => match (row.queue_id, row.queue_item_id) {
            (Some(queue), Some(item)) => server.queue_item_media_url(queue, item).await,
            _ => return Ok(Next::Event(Event::ServerItemExpired)),
        },
        Route::LiveTranscode => {
            return Ok(failed(simple_failure(
                "transcodeRefused",
                "Live conversion is not available for downloads yet. Choose Original quality.",
                false,
            )));
        }
    };
    let url = match url {
        Ok(url) => url,
        Err(error) => return Ok(failed(plex_failure(&error))),
    };
    let Some(part_path) = core.partial_path(&row) else {
        return Ok(failed(simple_failure(
            "storage",
            "The download has no file name yet; it is chosen again.",
            true,
        )));
    };
    let label = format!("download {id}");
    let request = move || server.media_request(url.clone());
    let spec = TransferSpec {
        request: &request,
        label: &label,
        part_path: &part_path,
        resume_from: row.bytes_done,
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
        deadline,
    };
    let mut checkpoint = |bytes: u64, total: Option<u64>, validator: Option<&str>| {
        core.manifest
            .write(|tx| rows::checkpoint(tx, id, bytes, total, validator))
            .map_err(|error| error.to_string())
    };
    Ok(match transfer(&spec, &mut checkpoint).await {
        Ok(TransferEnd::Complete { size, .. }) => {
            tracing::info!(bytes = size, "transfer complete");
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
        Err(failure) => {
            tracing::info!(kind = %failure.kind, retryable = failure.retryable, "transfer failed");
            failed(failure)
        }
    })
}

/// Checks the finished partial file against the expected size and moves it to its final
/// name.
fn verify(core: &DownloadCore, id: i64) -> Result<Result<(), Failure>, CoreError> {
    let row = core.get(id)?;
    let (Some(part_path), Some(final_path)) = (core.partial_path(&row), core.final_path(&row))
    else {
        return Ok(Err(simple_failure(
            "storage",
            "The download has no file name.",
            false,
        )));
    };
    let size = match std::fs::metadata(&part_path) {
        Ok(metadata) => metadata.len(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            // Verified and renamed already (a step that stopped right after the rename).
            if std::fs::metadata(&final_path).is_ok_and(|m| Some(m.len()) == row.bytes_total) {
                return Ok(Ok(()));
            }
            core.delete_partial(id)?;
            return Ok(Err(simple_failure(
                "verifyFailed",
                "The partial file disappeared; the download starts again.",
                true,
            )));
        }
        Err(error) => return Ok(Err(io_failure("check", &part_path, &error))),
    };
    if row.bytes_total.is_some_and(|expected| expected != size) || size != row.bytes_done {
        tracing::warn!(size, expected = ?row.bytes_total, recorded = row.bytes_done, "finished file has the wrong size");
        core.delete_partial(id)?;
        return Ok(Err(simple_failure(
            "verifyFailed",
            "The finished file did not have the expected size. It is downloaded again.",
            true,
        )));
    }
    if let Err(error) = std::fs::rename(&part_path, &final_path) {
        return Ok(Err(io_failure("rename", &part_path, &error)));
    }
    if let Some(folder) = final_path.parent()
        && let Ok(handle) = std::fs::File::open(folder)
    {
        let _ = handle.sync_all();
    }
    core.manifest
        .write(|tx| rows::checkpoint(tx, id, size, Some(size), row.validator.as_deref()))?;
    tracing::info!(file = %final_path.display(), bytes = size, "download verified");
    Ok(Ok(()))
}

async fn enqueue(core: &DownloadCore, id: i64) -> Result<Next, CoreError> {
    let row = core.get(id)?;
    let server = match server_for(core, &row) {
        Ok(server) => server,
        Err(failure) => return Ok(failed(failure)),
    };
    let quality = QualityPreset::from_name(&row.quality).unwrap_or(QualityPreset::Hd720);
    let queue = match server.download_queue().await {
        Ok(Some(queue)) => queue.id.unwrap_or_default(),
        Ok(None) => {
            return Ok(failed(simple_failure(
                "transcodeRefused",
                "The server has no download queue.",
                false,
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
                None => failed(simple_failure(
                    "badResponse",
                    "The server accepted the item but gave no queue id.",
                    true,
                )),
            },
            Err(error) => failed(plex_failure(&error)),
        },
    )
}

async fn poll(core: &DownloadCore, id: i64) -> Result<Next, CoreError> {
    let row = core.get(id)?;
    let server = match server_for(core, &row) {
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
        return Ok(failed(simple_failure(
            "notFound",
            "The server no longer has this item in its queue.",
            true,
        )));
    };
    Ok(match item.status {
        QueueItemStatus::Available => Next::Event(Event::ServerReady),
        QueueItemStatus::Expired => Next::Event(Event::ServerItemExpired),
        QueueItemStatus::Error => {
            let text = item.error.unwrap_or_else(|| "no reason given".to_string());
            failed(simple_failure(
                "transcodeRefused",
                &format!("The server could not prepare this item: {text}. Choose another quality."),
                false,
            ))
        }
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
