//! Moving bytes into `<final name>.part`, resumably.
//!
//! A resume sends `Range: bytes=N-` with `If-Range` (the stored ETag, else Last-Modified),
//! closed (`bytes=N-(size-1)`) when the size is known: real servers log closed ranges as
//! 206, while an open-ended one was seen answered 200 with exactly the tail
//! (realServerFindings.md section 4). 206 with a Content-Range that starts at N and has the
//! expected total: append. 200 without Content-Range whose length is exactly what is left
//! (size - N), with no changed validator: that is the tail asked for: append. Any other
//! 200: the server sent the whole file (its file changed, or it ignores ranges): start
//! again from zero, never append. 416: the file may already be complete: check its size. A
//! Content-Range that does not match the request: start again from zero and log it. A 500
//! on a library part is the server refusing the file (a remote streaming or conversion
//! limit; findings section 4), which retrying does not cure: `fileRefused`.
//!
//! Progress is checkpointed every 3 MiB or 2 seconds (the engine's settings), never per
//! chunk: the buffer is written out, a sync of the file starts on a blocking thread while
//! the transfer goes on, and the manifest records the length once that sync is done, so a
//! row never claims bytes a power loss could take. Every end of a transfer (done, stopped,
//! failed) syncs and records at once. Memory stays flat: one fixed write buffer and the
//! network's own chunks; nothing reads the whole file.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{
    CONTENT_LENGTH, CONTENT_RANGE, ETAG, HeaderMap, IF_RANGE, LAST_MODIFIED, RANGE,
};

use crate::machine::Failure;
use crate::manifest::now_ms;
use crate::plex::PlexError;
use crate::plex::transport::{map_send_error, status_error};
use plexdl_protocol::FailureKind;

/// The size of the write buffer. Chunks from the network of at least this size go to the
/// file as they are (on a fast connection most chunks are larger); smaller ones are
/// gathered, so that a slow connection does not cost a system call per few kilobytes. It
/// is small enough to stay in the processor's cache while the kernel copies it.
pub const WRITE_BUFFER: usize = 64 << 10;

/// How often a transfer looks at its stop flag and deadline while no data arrives (when
/// data arrives, it looks at every chunk).
const STOP_CHECK: Duration = Duration::from_millis(500);

/// How a transfer is to be done.
pub struct TransferSpec<'a> {
    /// Whether the source supports ranges. A live transcode does not: it is asked to start at
    /// a time offset instead, and its answer is appended to the bytes kept.
    pub ranges: bool,
    /// Whether the source is a library part (not a converted file): there a 500 means the
    /// server refuses the file.
    pub is_part: bool,
    /// Builds the request (URL, identity headers, token); Range and If-Range are added here.
    pub request: &'a (dyn Fn() -> reqwest::RequestBuilder + Send + Sync),
    /// For logs and errors (no token).
    pub label: &'a str,
    pub part_path: &'a Path,
    /// Bytes recorded as done in the manifest (flushed to disk at that checkpoint).
    pub resume_from: u64,
    /// The validator the partial file was fetched with.
    pub validator: Option<String>,
    /// The size the file must have, when known beforehand (Part.size).
    pub expected_size: Option<u64>,
    /// No byte for this long is a (retryable) failure...
    pub stall_timeout: Duration,
    /// ...unless this says the source is still working (a live transcode whose session is
    /// still converting on the server): then the wait goes on.
    pub still_converting: Option<&'a (dyn Fn() -> StillConverting + Send + Sync)>,
    pub checkpoint_bytes: u64,
    pub checkpoint_interval: Duration,
    pub stop: &'a AtomicBool,
    /// For tests: writes that would make the partial file larger than this fail with "no
    /// space left on the device", as on a full disk.
    pub simulated_capacity: Option<u64>,
    /// Stop (and checkpoint) at this time, so a worker's time slice is respected.
    pub deadline: Instant,
}

impl std::fmt::Debug for TransferSpec<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TransferSpec")
            .field("label", &self.label)
            .field("part_path", &self.part_path)
            .field("resume_from", &self.resume_from)
            .field("expected_size", &self.expected_size)
            .finish()
    }
}

/// The answer to "is the server still converting?", asked when no byte came for the stall
/// timeout.
pub type StillConverting = std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>;

/// How a transfer ended when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferEnd {
    /// Every byte is in the partial file.
    Complete {
        size: u64,
        validator: Option<String>,
        /// The SHA-256 of the whole file, computed while it was written (`None` if the
        /// hash could not be computed; the deep check computes it then).
        sha256: Option<String>,
    },
    /// Stopped on request or at the deadline, after a checkpoint.
    Stopped { bytes: u64 },
}

/// Receives checkpoints: bytes done, total when known, validator.
pub type CheckpointFn<'a> =
    dyn FnMut(u64, Option<u64>, Option<&str>) -> Result<(), String> + Send + 'a;

fn failure(kind: FailureKind, message: impl Into<String>) -> Failure {
    Failure::new(kind, message, now_ms())
}

/// A PlexError as a machine failure (the kind, and so whether it is retried, from the
/// client's one mapping).
pub fn plex_failure(error: &PlexError) -> Failure {
    Failure {
        retry_after: error.retry_after(),
        ..Failure::new(error.kind(), error.user_message(), now_ms())
    }
}

/// A file system error as a machine failure; a full disk is its own kind and retryable
/// (the download resumes when space returns), the partial file is kept.
pub fn io_failure(action: &str, path: &Path, error: &std::io::Error) -> Failure {
    let full = error.kind() == std::io::ErrorKind::StorageFull || error.raw_os_error() == Some(28);
    if full {
        failure(FailureKind::DiskFull, FailureKind::DiskFull.sentence())
    } else {
        failure(
            FailureKind::Storage,
            format!(
                "The download could not {action} its file ({}): {error}.",
                path.display()
            ),
        )
    }
}

fn validator_of(headers: &HeaderMap) -> Option<String> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|value: &reqwest::header::HeaderValue| value.to_str().ok())
            .map(str::to_string)
    };
    text(ETAG)
        .filter(|etag| !etag.starts_with("W/"))
        .or_else(|| text(LAST_MODIFIED))
}

/// Parses `bytes a-b/total` into (a, b, total).
pub fn parse_content_range(value: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let total = if total.trim() == "*" {
        None
    } else {
        Some(total.trim().parse().ok()?)
    };
    Some((first.trim().parse().ok()?, last.trim().parse().ok()?, total))
}

/// Runs one transfer until it completes, fails, is stopped or reaches its deadline.
///
/// On a multi-threaded runtime the transfer runs on a single-threaded runtime of its own,
/// on the calling thread (which hands its other work to the rest of the runtime). The
/// HTTP connection's task then reads the socket on the same thread that writes the file.
/// On the shared runtime those two were often on different cores, every chunk crossed
/// between them, and the copy into the page cache read memory that was no longer in the
/// processor's cache: the transfer ran at 0.55 to 0.65 of curl's speed on the same file.
/// A single-threaded runtime (the tests') already keeps everything on one thread.
pub async fn transfer(
    spec: &TransferSpec<'_>,
    checkpoint: &mut CheckpointFn<'_>,
) -> Result<TransferEnd, Failure> {
    let shared = tokio::runtime::Handle::try_current()
        .is_ok_and(|handle| handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if !shared {
        return transfer_here(spec, checkpoint).await;
    }
    tokio::task::block_in_place(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("plexdl-transfer")
            .build()
            .map_err(|error| {
                failure(
                    FailureKind::Internal,
                    format!("The transfer could not start its own runtime: {error}."),
                )
            })?;
        runtime.block_on(transfer_here(spec, checkpoint))
    })
}

async fn transfer_here(
    spec: &TransferSpec<'_>,
    checkpoint: &mut CheckpointFn<'_>,
) -> Result<TransferEnd, Failure> {
    let path = spec.part_path;
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|error| io_failure("open", path, &error))?;
    let on_disk = file
        .metadata()
        .map_err(|error| io_failure("read", path, &error))?
        .len();
    // Bytes past the last checkpoint were never confirmed on disk: they are fetched again
    // (at most one checkpoint's worth).
    let mut offset = spec.resume_from.min(on_disk);
    if on_disk != offset {
        file.set_len(offset)
            .map_err(|error| io_failure("trim", path, &error))?;
    }
    let mut restarted = false;

    loop {
        let mut request = (spec.request)();
        if offset > 0 && spec.ranges {
            request = request.header(RANGE, range_header(offset, spec.expected_size));
            if let Some(validator) = &spec.validator {
                request = request.header(IF_RANGE, validator.as_str());
            }
        }
        let response = request
            .send()
            .await
            .map_err(|error| plex_failure(&map_send_error(&error, spec.label, spec.label)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let validator = validator_of(&headers);
        let length: Option<u64> = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        tracing::debug!(target_file = %path.display(), status, offset, "transfer answered");

        let total = match status {
            206 => {
                let range = headers
                    .get(CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_content_range);
                let fits = match range {
                    Some((first, _, total)) => {
                        first == offset
                            && spec
                                .expected_size
                                .is_none_or(|expected| total.is_none_or(|t| t == expected))
                    }
                    None => false,
                };
                if !fits {
                    tracing::warn!(asked = offset, content_range = ?headers.get(CONTENT_RANGE), "the server answered a different range; starting again from zero");
                    if restarted {
                        return Err(failure(
                            FailureKind::WrongRange,
                            "The server keeps answering with the wrong part of the file."
                                .to_string(),
                        ));
                    }
                    restarted = true;
                    offset = 0;
                    file.set_len(0)
                        .map_err(|error| io_failure("reset", path, &error))?;
                    checkpoint(0, spec.expected_size, None)
                        .map_err(|message| failure(FailureKind::Manifest, message))?;
                    continue;
                }
                range.and_then(|(_, _, total)| total).or(spec.expected_size)
            }
            200 if offset > 0
                && spec.ranges
                && is_the_tail(&headers, length, offset, spec, validator.as_deref()) =>
            {
                tracing::info!(
                    offset,
                    "the server answered 200 with exactly the rest of the file; appending it"
                );
                spec.expected_size
            }
            200 => {
                if offset > 0 && spec.ranges {
                    let changed = spec.validator.is_some() && validator != spec.validator;
                    if changed {
                        tracing::warn!("the file changed on the server; starting again from zero");
                    } else {
                        tracing::warn!(
                            "the server sent the whole file instead of the rest; starting again from zero"
                        );
                    }
                    offset = 0;
                    file.set_len(0)
                        .map_err(|error| io_failure("reset", path, &error))?;
                    checkpoint(0, spec.expected_size, validator.as_deref())
                        .map_err(|message| failure(FailureKind::Manifest, message))?;
                }
                if let (Some(expected), Some(length)) = (spec.expected_size, length)
                    && expected != length
                {
                    return Err(failure(FailureKind::FileChanged, "The file on the server is not the size the library lists; the library is read again before the next try."
                            .to_string()));
                }
                length.or(spec.expected_size)
            }
            416 => {
                let size = file
                    .metadata()
                    .map_err(|error| io_failure("read", path, &error))?
                    .len();
                if spec.expected_size == Some(size) {
                    // Complete from an earlier step: its bytes are hashed here, once.
                    return Ok(TransferEnd::Complete {
                        size,
                        validator: spec.validator.clone(),
                        sha256: super::content_hash::hash_file(path).ok(),
                    });
                }
                if restarted {
                    return Err(failure(
                        FailureKind::WrongRange,
                        "The server refuses every range of the file.".to_string(),
                    ));
                }
                restarted = true;
                offset = 0;
                file.set_len(0)
                    .map_err(|error| io_failure("reset", path, &error))?;
                continue;
            }
            500 if spec.is_part => {
                tracing::info!(
                    status,
                    "the server refused the file (a streaming or conversion limit)"
                );
                return Err(plex_failure(&PlexError::FileRefused {
                    path: spec.label.to_string(),
                }));
            }
            _ => {
                let status_code = response.status();
                let body = response
                    .bytes()
                    .await
                    .map(|b| b.to_vec())
                    .unwrap_or_default();
                return Err(plex_failure(&status_error(
                    status_code,
                    &headers,
                    &body,
                    spec.label,
                )));
            }
        };
        return stream_body(
            spec, &mut file, response, offset, total, validator, checkpoint,
        )
        .await;
    }
}

/// The Range of a resume from `offset`: closed when the size is known.
fn range_header(offset: u64, expected_size: Option<u64>) -> String {
    match expected_size {
        Some(size) if size > offset => format!("bytes={offset}-{}", size - 1),
        _ => format!("bytes={offset}-"),
    }
}

/// Whether a 200 answer to a range request is exactly the rest of the file: no
/// Content-Range, a length of size - `offset` for a known size, and no validator that
/// differs from the one the partial file was fetched with.
fn is_the_tail(
    headers: &HeaderMap,
    length: Option<u64>,
    offset: u64,
    spec: &TransferSpec<'_>,
    validator: Option<&str>,
) -> bool {
    let unchanged = match (spec.validator.as_deref(), validator) {
        (Some(kept), Some(now)) => kept == now,
        _ => true,
    };
    headers.get(CONTENT_RANGE).is_none()
        && unchanged
        && matches!((spec.expected_size, length), (Some(size), Some(length)) if size > offset && length == size - offset)
}

/// Syncs of the partial file that run on a blocking thread while the transfer goes on.
///
/// A checkpoint row is written only once its bytes are synced, so the manifest never
/// claims bytes that a power loss could take away. A synced write costs milliseconds, in
/// which a fast network delivers megabytes; running it beside the transfer keeps the
/// transfer moving. At most one sync runs at a time.
struct Syncs<'a> {
    handle: Arc<File>,
    path: &'a Path,
    running: Option<(u64, tokio::task::JoinHandle<std::io::Result<()>>)>,
}

impl<'a> Syncs<'a> {
    fn new(file: &File, path: &'a Path) -> Result<Syncs<'a>, Failure> {
        Ok(Syncs {
            handle: Arc::new(
                file.try_clone()
                    .map_err(|error| io_failure("open", path, &error))?,
            ),
            path,
            running: None,
        })
    }

    /// Starts syncing the first `done` bytes (already written to the file), unless a sync
    /// is still running; returns whether one started.
    fn start(&mut self, done: u64) -> bool {
        if self.running.is_some() {
            return false;
        }
        let handle = self.handle.clone();
        self.running = Some((
            done,
            tokio::task::spawn_blocking(move || handle.sync_data()),
        ));
        true
    }

    /// The length a sync made durable, once it has finished.
    fn finished(&mut self) -> Result<Option<u64>, Failure> {
        if !self
            .running
            .as_ref()
            .is_some_and(|(_, task)| task.is_finished())
        {
            return Ok(None);
        }
        let Some((done, task)) = self.running.take() else {
            return Ok(None);
        };
        // The task has finished, so its result is ready without waiting.
        match futures_util::FutureExt::now_or_never(task) {
            Some(Ok(Ok(()))) => Ok(Some(done)),
            Some(Ok(Err(error))) => Err(io_failure("sync", self.path, &error)),
            _ => Err(failure(
                FailureKind::Storage,
                "The check that the file reached the disk did not finish.".to_string(),
            )),
        }
    }

    /// Writes out the buffer, syncs everything written and records it, now.
    fn finish_now(
        &mut self,
        writer: &mut BufWriter<File>,
        done: u64,
        record: &mut dyn FnMut(u64) -> Result<(), String>,
    ) -> Result<(), Failure> {
        // A sync still running covers less than this one; it is left to end on its own.
        self.running = None;
        writer
            .flush()
            .map_err(|error| io_failure("write", self.path, &error))?;
        writer
            .get_ref()
            .sync_data()
            .map_err(|error| io_failure("sync", self.path, &error))?;
        record(done).map_err(|message| failure(FailureKind::Manifest, message))
    }
}

async fn stream_body(
    spec: &TransferSpec<'_>,
    file: &mut File,
    mut response: reqwest::Response,
    offset: u64,
    total: Option<u64>,
    validator: Option<String>,
    checkpoint: &mut CheckpointFn<'_>,
) -> Result<TransferEnd, Failure> {
    let path = spec.part_path;
    file.seek(SeekFrom::Start(offset))
        .map_err(|error| io_failure("seek in", path, &error))?;
    let handle = file
        .try_clone()
        .map_err(|error| io_failure("open", path, &error))?;
    let mut writer = BufWriter::with_capacity(WRITE_BUFFER, handle);
    let mut syncs = Syncs::new(file, path)?;
    let hasher = super::content_hash::ContentHasher::start(path, offset);
    let mut done = offset;
    let mut since_checkpoint = 0u64;
    let mut last_checkpoint = Instant::now();

    // The synchronous checkpoint, for every end of the transfer: what was written is synced
    // and recorded before the transfer reports anything.
    macro_rules! save {
        () => {
            syncs.finish_now(&mut writer, done, &mut |bytes| {
                checkpoint(bytes, total, validator.as_deref())
            })
        };
    }

    // One timer for the stall timeout, re-armed only when it fires early: arming a timer
    // per chunk would cost more than the copy of the chunk. It fires at least every
    // STOP_CHECK, so that a stop request or the deadline is noticed while no data arrives.
    let stall = tokio::time::sleep(spec.stall_timeout.min(STOP_CHECK));
    tokio::pin!(stall);
    let mut last_data = Instant::now();
    loop {
        if spec.stop.load(Ordering::Relaxed) || Instant::now() >= spec.deadline {
            save!()?;
            return Ok(TransferEnd::Stopped { bytes: done });
        }
        let next = tokio::select! {
            biased;
            chunk = response.chunk() => Ok(chunk),
            () = &mut stall => Err(()),
        };
        if next.is_err() && last_data.elapsed() < spec.stall_timeout {
            let next_check = (last_data + spec.stall_timeout).min(Instant::now() + STOP_CHECK);
            stall.as_mut().reset(next_check.into());
            // The top of the loop looks at the stop flag and the deadline.
            continue;
        }
        if next.is_err()
            && let Some(still_converting) = spec.still_converting
            && still_converting().await
        {
            last_data = Instant::now();
            stall.as_mut().reset((last_data + STOP_CHECK).into());
            continue;
        }
        match next {
            Err(_) => {
                save!()?;
                let message = if spec.still_converting.is_some() {
                    format!(
                        "No data arrived for {} seconds and the server is no longer converting the file.",
                        spec.stall_timeout.as_secs()
                    )
                } else {
                    format!(
                        "No data arrived for {} seconds. It will be tried again.",
                        spec.stall_timeout.as_secs()
                    )
                };
                return Err(failure(FailureKind::Timeout, message));
            }
            Ok(Err(error)) => {
                save!()?;
                tracing::info!(bytes = done, "the connection broke during the transfer");
                return Err(plex_failure(&map_send_error(
                    &error, spec.label, spec.label,
                )));
            }
            Ok(Ok(None)) => {
                save!()?;
                return match total {
                    Some(total) if done != total => Err(failure(FailureKind::ConnectionLost, "The server ended the file early. It will be tried again from where it stopped.".to_string())),
                    _ => {
                        let sha256 = hasher
                            .finish()
                            .inspect_err(|error| tracing::warn!(%error, "the file's hash could not be computed"))
                            .ok();
                        Ok(TransferEnd::Complete { size: done, validator, sha256 })
                    }
                };
            }
            Ok(Ok(Some(chunk))) => {
                last_data = Instant::now();
                let len = chunk.len() as u64;
                if total.is_some_and(|total| done + len > total) {
                    save!()?;
                    return Err(failure(
                        FailureKind::FileChanged,
                        "The server sent more bytes than the file has.".to_string(),
                    ));
                }
                let full = spec
                    .simulated_capacity
                    .is_some_and(|capacity| done + len > capacity);
                let written = if full {
                    Err(std::io::Error::from_raw_os_error(28))
                } else {
                    writer.write_all(&chunk)
                };
                if let Err(error) = written {
                    let result = io_failure("write", path, &error);
                    // What reached the file is kept, and recorded, for the resume.
                    let _ = save!();
                    return Err(result);
                }
                hasher.feed(&chunk);
                done += len;
                since_checkpoint += len;
                if let Some(synced) = syncs.finished()? {
                    checkpoint(synced, total, validator.as_deref())
                        .map_err(|message| failure(FailureKind::Manifest, message))?;
                }
                if since_checkpoint >= spec.checkpoint_bytes
                    || last_checkpoint.elapsed() >= spec.checkpoint_interval
                {
                    writer
                        .flush()
                        .map_err(|error| io_failure("write", path, &error))?;
                    if syncs.start(done) {
                        since_checkpoint = 0;
                        last_checkpoint = Instant::now();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resumes_ask_for_a_closed_range_when_the_size_is_known() {
        assert_eq!(range_header(1000, Some(5000)), "bytes=1000-4999");
        assert_eq!(range_header(1000, None), "bytes=1000-");
        assert_eq!(range_header(5000, Some(5000)), "bytes=5000-");
    }

    #[test]
    fn content_range_is_parsed() {
        assert_eq!(
            parse_content_range("bytes 100-199/1000"),
            Some((100, 199, Some(1000)))
        );
        assert_eq!(parse_content_range("bytes 0-9/*"), Some((0, 9, None)));
        assert_eq!(parse_content_range("bytes */1000"), None);
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }

    #[test]
    fn a_full_disk_is_its_own_retryable_kind() {
        let full = std::io::Error::from_raw_os_error(28);
        let failure = io_failure("write", Path::new("/d/a.part"), &full);
        assert_eq!(failure.kind, FailureKind::DiskFull);
        assert!(failure.retryable);
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(
            io_failure("write", Path::new("/d/a.part"), &denied).kind,
            FailureKind::Storage
        );
    }
}
