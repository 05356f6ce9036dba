//! What the engine tells a download machine, and the routes a download can take.

use std::time::Duration;

use plexdl_protocol::FailureKind;
use serde::{Deserialize, Serialize};

/// How the bytes of a download are obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Route {
    /// The original file (`/library/parts/...`), resumable with ranges.
    Direct,
    /// Converted by the server's download queue, then fetched like a file.
    ServerQueue,
    /// Converted live by the transcoder; resumed with a time offset.
    LiveTranscode,
}

/// A failure as the machine sees it: what kind, what to tell the user, whether retrying can
/// help, how long the server asked to wait, and when it happened (the machine is pure, so
/// the time comes with the event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    pub kind: FailureKind,
    /// A plain sentence for the user.
    pub message: String,
    /// Whether the machine waits and tries again by itself: the kind's row in the table,
    /// except for a failure held for the user (see [`Failure::held`]).
    pub retryable: bool,
    pub retry_after: Option<Duration>,
    /// Milliseconds since 1970 when the failure happened.
    pub at_ms: i64,
}

impl Failure {
    /// A failure of `kind` at `at_ms`, retried by itself when the table says so.
    pub fn new(kind: FailureKind, message: impl Into<String>, at_ms: i64) -> Failure {
        Failure {
            kind,
            message: message.into(),
            retryable: kind.retryable(),
            retry_after: None,
            at_ms,
        }
    }

    /// A failure that waits for the user although its kind could pass by itself: the
    /// busy-server policy "warn" asks the user before a conversion competes with others.
    pub fn held(kind: FailureKind, message: impl Into<String>, at_ms: i64) -> Failure {
        Failure {
            retryable: false,
            ..Failure::new(kind, message, at_ms)
        }
    }
}

/// Something that happened to a download.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The scheduler picked up a queued download.
    Start,
    /// Pre-flight passed (metadata read, space checked); take this route.
    PreflightPassed {
        route: Route,
    },
    /// All bytes are in the partial file.
    TransferComplete,
    /// The finished file has the expected size and was moved to its final name.
    VerifyPassed,
    /// The server's queue accepted the item.
    Enqueued {
        queue_id: u64,
        item_id: u64,
    },
    /// The server is still preparing the item (percent done).
    ServerProgress {
        progress: f64,
        at_ms: i64,
    },
    /// The server's converted file is ready to fetch.
    ServerReady,
    /// The server lost or expired the converted file: it has to be prepared again.
    ServerItemExpired,
    /// Something failed; the machine decides between waiting and giving up.
    Failed(Failure),
    /// A scheduled wake-up came (backoff over, network back).
    Wake,
    Pause,
    Resume,
    Cancel,
    /// The user asked to try again (from Failed, or during a backoff).
    Retry,
    /// Verification found a finished file missing or damaged (`missing` or `corrupt`).
    FileLost {
        kind: FailureKind,
        message: String,
    },
    NetworkLost,
    NetworkBack,
}
