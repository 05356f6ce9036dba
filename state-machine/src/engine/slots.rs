//! Transfer slots: at most N transfers at once in all and M per server. A step that cannot
//! get a slot ends and is woken again shortly; nothing waits inside the core.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_server: HashMap<String, usize>,
    /// The downloads holding a slot now.
    holders: HashSet<i64>,
}

/// The slots of one core.
#[derive(Debug)]
pub struct Slots {
    limit: AtomicUsize,
    per_server_limit: AtomicUsize,
    counts: Arc<Mutex<Counts>>,
}

/// A held slot; dropping it frees the slot.
#[derive(Debug)]
pub struct Slot {
    server: String,
    download: i64,
    counts: Arc<Mutex<Counts>>,
}

impl Slots {
    pub fn new(limit: usize, per_server_limit: usize) -> Slots {
        Slots {
            limit: AtomicUsize::new(limit.max(1)),
            per_server_limit: AtomicUsize::new(per_server_limit.max(1)),
            counts: Arc::new(Mutex::new(Counts::default())),
        }
    }

    /// Changes the limits. Transfers already running keep their slots; new ones follow the
    /// new limits.
    pub fn set_limits(&self, limit: usize, per_server_limit: usize) {
        self.limit.store(limit.max(1), Ordering::Relaxed);
        self.per_server_limit
            .store(per_server_limit.max(1), Ordering::Relaxed);
    }

    /// The limits in force (in all, per server).
    pub fn limits(&self) -> (usize, usize) {
        (
            self.limit.load(Ordering::Relaxed),
            self.per_server_limit.load(Ordering::Relaxed),
        )
    }

    /// The downloads transferring now (holding a slot).
    pub fn holders(&self) -> HashSet<i64> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .holders
            .clone()
    }

    /// Takes a slot for download `download` from `server`, if one is free.
    pub fn try_take(&self, server: &str, download: i64) -> Option<Slot> {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let on_server = counts.per_server.get(server).copied().unwrap_or(0);
        let (limit, per_server_limit) = self.limits();
        if counts.total >= limit || on_server >= per_server_limit {
            return None;
        }
        counts.total += 1;
        counts.per_server.insert(server.to_string(), on_server + 1);
        counts.holders.insert(download);
        Some(Slot {
            server: server.to_string(),
            download,
            counts: self.counts.clone(),
        })
    }
}

impl Slots {
    /// The slots free now: in all, and for `server`. The queue run starts no step for a
    /// download that would move bytes while it would find none (it would end at once).
    pub fn free(&self, server: &str) -> (usize, usize) {
        let counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (limit, per_server_limit) = self.limits();
        let on_server = counts.per_server.get(server).copied().unwrap_or(0);
        (
            limit.saturating_sub(counts.total),
            per_server_limit.saturating_sub(on_server),
        )
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        counts.total = counts.total.saturating_sub(1);
        counts.holders.remove(&self.download);
        if let Some(count) = counts.per_server.get_mut(&self.server) {
            *count = count.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_apply_in_all_and_per_server() {
        let slots = Slots::new(2, 1);
        let a = slots.try_take("a", 1).expect("first slot");
        assert!(slots.try_take("a", 2).is_none(), "one per server");
        let b = slots.try_take("b", 3).expect("another server");
        assert!(slots.try_take("c", 4).is_none(), "two in all");
        assert_eq!(slots.holders(), HashSet::from([1, 3]));
        drop(a);
        assert_eq!(slots.holders(), HashSet::from([3]));
        assert!(slots.try_take("a", 2).is_some(), "freed on drop");
        drop(b);
        assert_eq!(slots.free("a"), (2, 1));
        let held = slots.try_take("a", 2).expect("a is free");
        assert_eq!(slots.free("a"), (1, 0), "one left in all, none for a");
        assert_eq!(slots.free("b"), (1, 1));
        drop(held);
        assert_eq!(slots.free("a"), (2, 1));
        slots.set_limits(3, 3);
        assert_eq!(slots.limits(), (3, 3));
    }
}
