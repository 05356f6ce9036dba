//! The two registries of a running core: the connected servers, and the stop flags of the
//! steps running now. Each exists once, here; the app, the hosts and the engine all go
//! through them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::plex::PlexServer;

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The connected servers, by id, in the order they were connected.
#[derive(Debug, Default)]
pub struct Servers {
    known: Mutex<Vec<(String, PlexServer)>>,
}

impl Servers {
    /// Adds a server, or replaces the one with the same id (keeping its place).
    pub fn register(&self, id: &str, server: PlexServer) {
        let mut known = locked(&self.known);
        match known.iter_mut().find(|(known_id, _)| known_id == id) {
            Some(entry) => entry.1 = server,
            None => known.push((id.to_string(), server)),
        }
    }

    /// The server with this id.
    pub fn get(&self, id: &str) -> Option<PlexServer> {
        locked(&self.known)
            .iter()
            .find(|(known_id, _)| known_id == id)
            .map(|(_, server)| server.clone())
    }

    /// Every server with its id.
    pub fn all(&self) -> Vec<(String, PlexServer)> {
        locked(&self.known).clone()
    }
}

/// The stop flag of each running step, by download id.
#[derive(Debug, Default)]
pub struct StopFlags {
    running: Mutex<Vec<(i64, Arc<AtomicBool>)>>,
}

impl StopFlags {
    /// Records the flag of a step that starts now.
    pub fn enter(&self, id: i64, flag: Arc<AtomicBool>) {
        locked(&self.running).push((id, flag));
    }

    /// Forgets the flag of a step that ended. Only that very flag goes: a newer step of the
    /// same download that started meanwhile keeps its own.
    pub fn leave(&self, id: i64, flag: &Arc<AtomicBool>) {
        locked(&self.running)
            .retain(|(known_id, known)| !(*known_id == id && Arc::ptr_eq(known, flag)));
    }

    /// The downloads with a running step.
    pub fn ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = locked(&self.running).iter().map(|(id, _)| *id).collect();
        ids.dedup();
        ids
    }

    /// Asks every running step of a download to checkpoint and end; true if one was running.
    pub fn raise(&self, id: i64) -> bool {
        let running = locked(&self.running);
        let mut found = false;
        for (_, flag) in running.iter().filter(|(known_id, _)| *known_id == id) {
            flag.store(true, Ordering::Relaxed);
            found = true;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_step_leaving_keeps_the_flag_of_a_newer_one() {
        let flags = StopFlags::default();
        let old = Arc::new(AtomicBool::new(false));
        let new = Arc::new(AtomicBool::new(false));
        flags.enter(7, old.clone());
        flags.enter(7, new.clone());
        flags.leave(7, &old);
        assert!(flags.raise(7));
        assert!(
            new.load(Ordering::Relaxed),
            "the newer step is still reached"
        );
        assert!(!old.load(Ordering::Relaxed));
        flags.leave(7, &new);
        assert!(!flags.raise(7));
    }
}
