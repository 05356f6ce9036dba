//! What a download machine asks the engine to do. Handlers only record effects; the engine
//! carries them out and reports back with events. Effects emitted on entering a state must be
//! safe to repeat, because loading a stored machine enters its state again.

use serde::{Deserialize, Serialize};

use super::events::Route;

/// One request from the machine to the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "effect")]
pub enum Effect {
    /// Read the item's metadata, choose the route, check free space and server load.
    RunPreflight,
    /// Move bytes (resuming from what is on disk).
    Transfer { route: Route },
    /// Check the finished file and move it to its final name.
    Verify,
    /// Add the item to the server's download queue.
    Enqueue,
    /// Ask the server how the prepared item is doing, at the interval the engine decides.
    PollServer,
    /// Prepare an expired item again on the server.
    RestartServerItem,
    /// Wake the download at this time (milliseconds since 1970).
    ScheduleWake { at_ms: i64 },
    /// Wait until the network is back.
    WaitForNetwork,
    /// Stop a transfer that is running.
    StopTransfer,
    /// Remove the partial file (cancel).
    DeletePartial,
    /// Remove the item from the server's queue (finished or cancelled).
    RemoveServerItem,
    /// Remove an item the download no longer uses from the server's queue: one that ended
    /// in error, before the download is added again (adding the same item with the same
    /// parameters would give the failed item back). It names the item, because the
    /// download has already forgotten it when the effect is carried out.
    RemoveFailedServerItem { queue_id: u64, item_id: u64 },
}

/// The effects collected while handling one event (the machine's external context).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Effects {
    pending: Vec<Effect>,
}

impl Effects {
    /// Records an effect.
    pub fn push(&mut self, effect: Effect) {
        self.pending.push(effect);
    }

    /// Takes the recorded effects, oldest first.
    pub fn take(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.pending)
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}
