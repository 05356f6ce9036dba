//! Watched state, recorded here and sent to the servers.
//!
//! A user's change (a download marked watched or unwatched, the position a player handed
//! back) is written with its outbox entry in one transaction (manifest/watch.rs) and counts
//! on this device at once. The queue run sends the entries of every connected server, in
//! the order they were made, when the server answers; a try that fails waits 5 s, then
//! 10 s, 20 s and so on up to an hour, and holds back the server's later entries so the
//! order holds.
//!
//! Each change reaches the server once, whatever point a kill stops the process at:
//!
//! 1. the item's state is read from the server (`viewCount`, `viewOffset`, `lastViewedAt`);
//! 2. the entry is marked as being sent, with the `viewCount` read in 1;
//! 3. the request goes out;
//! 4. the entry is removed.
//!
//! A kill before 2 leaves the entry as it was. After 2 the entry is in doubt: the next pass
//! reads the item again and counts the change as arrived when the server shows it (a
//! scrobble: a `viewCount` above the one read in 1; an unscrobble: `viewCount` 0; a
//! position: that `viewOffset`, or a `viewCount` that grew because the position passed
//! the server's played share), and sends it again only when it does not.
//!
//! When the server is newer: a change made elsewhere after this device's change (a
//! `lastViewedAt` later than the change, with a `viewCount` this device did not see last)
//! wins; this device's change is dropped and the server's state taken. An item the server
//! no longer has drops its changes. Device and server clocks are compared here, so a clock
//! that is far off can misjudge which is newer.

use std::time::Duration;

use plexdl_protocol::WatchChange;
use tracing::Instrument;

use super::{CoreError, DownloadCore};
use crate::manifest::watch::{self, OutboxEntry, WatchState};
use crate::manifest::{DownloadRow, now_ms};
use crate::plex::{PlexError, PlexServer, WatchFacts};

/// The first pause after a failed try; each later one is twice as long.
const FIRST_PAUSE: Duration = Duration::from_secs(5);

/// The longest pause between tries.
const LONGEST_PAUSE: Duration = Duration::from_secs(3_600);

/// How far apart a position the server reports may be from the one sent and still be
/// that one (servers may keep whole seconds).
const POSITION_TOLERANCE_MS: u64 = 1_000;

/// What became of one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// The request went out and was answered.
    Delivered,
    /// It was in doubt, and the server already shows it.
    AlreadyThere,
    /// The server has a newer change from elsewhere, which this device took.
    ServerNewer,
    /// The server no longer has the item.
    ItemGone,
}

/// What one pass over the outbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxPass {
    pub settled: Vec<(i64, Sent)>,
    /// Entries whose try failed (they wait for their next try).
    pub failed: u32,
}

/// The pause before the next try of an entry that failed `attempts` times before.
fn pause_after(attempts: u32) -> Duration {
    FIRST_PAUSE
        .saturating_mul(1u32 << attempts.min(16))
        .min(LONGEST_PAUSE)
}

/// Whether the server shows an entry that was being sent.
fn arrived(entry: &OutboxEntry, facts: &WatchFacts) -> bool {
    let before = entry.view_count_before.unwrap_or(0);
    match entry.change {
        WatchChange::Watched => facts.view_count > before,
        WatchChange::Unwatched => facts.view_count == 0,
        WatchChange::Position => {
            let wanted = entry.position_ms.unwrap_or(0);
            let at = facts.view_offset_ms.unwrap_or(0);
            at.abs_diff(wanted) <= POSITION_TOLERANCE_MS || facts.view_count > before
        }
    }
}

/// Whether another client changed the item after this device's change.
fn server_is_newer(entry: &OutboxEntry, facts: &WatchFacts, known: Option<&WatchState>) -> bool {
    let changed_elsewhere = known
        .and_then(|state| state.server_view_count)
        .is_none_or(|seen| seen != facts.view_count);
    let later = facts
        .last_viewed_at
        .is_some_and(|at| at.saturating_mul(1_000) > entry.changed_at);
    changed_elsewhere && later
}

/// The item's duration in milliseconds, from the metadata cached with the download.
fn duration_of(row: &DownloadRow) -> Option<u64> {
    serde_json::from_str::<serde_json::Value>(&row.cached_metadata_json)
        .ok()
        .and_then(|metadata| metadata["duration"].as_u64())
        .filter(|duration| *duration > 0)
}

impl DownloadCore {
    /// Records that a download's item was watched (`watched`) or not: on this device at
    /// once, and on its server when it can be reached.
    pub fn mark_watched(&self, id: i64, watched: bool) -> Result<DownloadRow, CoreError> {
        let change = if watched {
            WatchChange::Watched
        } else {
            WatchChange::Unwatched
        };
        self.record_watch_change(id, change, None)
    }

    /// Records where playback of a download stopped, in seconds from the start (what a
    /// player handed back).
    pub fn set_position(&self, id: i64, seconds: u64) -> Result<DownloadRow, CoreError> {
        self.record_watch_change(
            id,
            WatchChange::Position,
            Some(seconds.saturating_mul(1_000)),
        )
    }

    fn record_watch_change(
        &self,
        id: i64,
        change: WatchChange,
        position_ms: Option<u64>,
    ) -> Result<DownloadRow, CoreError> {
        let row = self.get(id)?;
        let duration = duration_of(&row);
        let entry = self.manifest.write(|tx| {
            let entry = watch::record(
                tx,
                &row.server_identifier,
                &row.media_rating_key,
                change,
                position_ms,
                duration,
                now_ms(),
            )?;
            // The rules see the change at their next look.
            crate::manifest::keep_rules::touch(tx)?;
            Ok(entry)
        })?;
        tracing::info!(download_id = id, server = %row.server_identifier, rating_key = %row.media_rating_key, %change, position_ms, entry, "watched state recorded");
        self.queue_changed();
        Ok(row)
    }

    /// What this device knows of a download's item.
    pub fn watch_state(&self, row: &DownloadRow) -> Result<Option<WatchState>, CoreError> {
        Ok(self
            .manifest
            .read(|tx| watch::state(tx, &row.server_identifier, &row.media_rating_key))?)
    }

    /// Every item's known state, by server and rating key.
    pub fn watch_states(
        &self,
    ) -> Result<std::collections::HashMap<(String, String), WatchState>, CoreError> {
        Ok(self.manifest.read(watch::states)?)
    }

    /// Changes not yet told to their server, oldest first.
    pub fn watch_outbox(&self) -> Result<Vec<OutboxEntry>, CoreError> {
        Ok(self.manifest.read(watch::all_pending)?)
    }

    /// Whether the outbox has entries to send now for a connected server, and when the
    /// next later one is due (milliseconds since 1970). Servers that are not connected
    /// wait until they are.
    pub(crate) fn watch_outbox_due(&self, now: i64) -> Result<(bool, Option<i64>), CoreError> {
        if !self.network_connected() {
            return Ok((false, None));
        }
        let mut due_now = false;
        let mut later: Option<i64> = None;
        for (server, at) in self.manifest.read(watch::servers_due)? {
            if self.server(&server).is_none() {
                continue;
            }
            if at <= now {
                due_now = true;
            } else {
                later = Some(later.map_or(at, |soonest| soonest.min(at)));
            }
        }
        Ok((due_now, later))
    }

    /// One pass over the outbox: every connected server's due entries, in order (see the
    /// module documentation). A server whose try fails keeps its later entries for the
    /// next try.
    pub async fn send_watch_changes(&self) -> Result<OutboxPass, CoreError> {
        let mut pass = OutboxPass::default();
        let now = now_ms();
        for (server_id, at) in self.manifest.read(watch::servers_due)? {
            if at > now {
                continue;
            }
            let Some(server) = self.server(&server_id) else {
                continue;
            };
            let entries = self.manifest.read(|tx| watch::pending(tx, &server_id))?;
            for entry in entries {
                if entry.next_try_at.is_some_and(|at| at > now) {
                    break;
                }
                let span = tracing::info_span!("watch_outbox", entry = entry.id, server = %server_id, rating_key = %entry.media_rating_key, change = %entry.change);
                let went_on = self
                    .try_entry(&server, &entry, &mut pass)
                    .instrument(span)
                    .await?;
                if !went_on {
                    break;
                }
            }
        }
        Ok(pass)
    }

    /// Tries one entry and records what became of it; false when it failed (the server's
    /// later entries wait behind it).
    async fn try_entry(
        &self,
        server: &PlexServer,
        entry: &OutboxEntry,
        pass: &mut OutboxPass,
    ) -> Result<bool, CoreError> {
        match self.send_entry(server, entry).await {
            Ok(outcome) => {
                tracing::info!(?outcome, "watched state settled with the server");
                pass.settled.push((entry.id, outcome));
                Ok(true)
            }
            Err(error) => {
                let pause = pause_after(entry.attempts);
                let kind = error.public().kind;
                let text = plexdl_redact::redact_text(&error.to_string()).into_owned();
                self.manifest.write(|tx| {
                    watch::failed(tx, entry.id, &text, now_ms() + pause.as_millis() as i64)
                })?;
                tracing::warn!(%kind, error = %text, attempts = entry.attempts + 1, pause_s = pause.as_secs(), "watched state not sent; tried again later");
                pass.failed += 1;
                Ok(false)
            }
        }
    }

    async fn send_entry(
        &self,
        server: &PlexServer,
        entry: &OutboxEntry,
    ) -> Result<Sent, CoreError> {
        let key = &entry.media_rating_key;
        let facts = match server.watch_facts(key).await {
            Ok(facts) => facts,
            Err(PlexError::NotFound { .. }) => {
                self.manifest.write(|tx| watch::settle(tx, entry, None))?;
                return Ok(Sent::ItemGone);
            }
            Err(error) => return Err(error.into()),
        };
        if entry.sending_since.is_some() {
            if arrived(entry, &facts) {
                self.manifest
                    .write(|tx| watch::settle(tx, entry, Some(facts.view_count)))?;
                return Ok(Sent::AlreadyThere);
            }
            tracing::info!(
                view_count = facts.view_count,
                "a change that was being sent did not arrive; sending it again"
            );
        } else {
            let known = self
                .manifest
                .read(|tx| watch::state(tx, &entry.server_identifier, key))?;
            if server_is_newer(entry, &facts, known.as_ref()) {
                self.manifest.write(|tx| {
                    watch::settle(tx, entry, Some(facts.view_count))?;
                    watch::adopt_server_state(
                        tx,
                        &entry.server_identifier,
                        key,
                        facts.view_count > 0,
                        facts.view_offset_ms,
                        facts.view_count,
                        now_ms(),
                    )
                })?;
                return Ok(Sent::ServerNewer);
            }
            self.manifest
                .write(|tx| watch::mark_sending(tx, entry.id, Some(facts.view_count), now_ms()))?;
        }
        let before = entry.view_count_before.unwrap_or(facts.view_count);
        let after = match entry.change {
            WatchChange::Watched => {
                server.mark_watched(key, true).await?;
                before + 1
            }
            WatchChange::Unwatched => {
                server.mark_watched(key, false).await?;
                0
            }
            WatchChange::Position => {
                server
                    .report_position(
                        key,
                        entry.position_ms.unwrap_or(0),
                        entry.duration_ms,
                        entry.changed_at / 1_000,
                    )
                    .await?;
                facts.view_count
            }
        };
        self.manifest
            .write(|tx| watch::settle(tx, entry, Some(after)))?;
        Ok(Sent::Delivered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(change: WatchChange) -> OutboxEntry {
        OutboxEntry {
            id: 1,
            server_identifier: "s".to_string(),
            media_rating_key: "7".to_string(),
            change,
            position_ms: Some(60_000),
            duration_ms: Some(100_000),
            changed_at: 2_000_000,
            attempts: 0,
            next_try_at: None,
            sending_since: Some(2_000_100),
            view_count_before: Some(1),
            last_error: None,
        }
    }

    fn facts(view_count: u64, view_offset_ms: Option<u64>) -> WatchFacts {
        WatchFacts {
            view_count,
            view_offset_ms,
            last_viewed_at: None,
        }
    }

    #[test]
    fn a_change_in_doubt_counts_as_arrived_only_when_the_server_shows_it() {
        let watched = entry(WatchChange::Watched);
        assert!(!arrived(&watched, &facts(1, None)));
        assert!(arrived(&watched, &facts(2, None)));
        let unwatched = entry(WatchChange::Unwatched);
        assert!(!arrived(&unwatched, &facts(1, None)));
        assert!(arrived(&unwatched, &facts(0, None)));
        let position = entry(WatchChange::Position);
        assert!(!arrived(&position, &facts(1, Some(30_000))));
        assert!(arrived(&position, &facts(1, Some(60_400))), "whole seconds");
        assert!(arrived(&position, &facts(2, None)), "past the played share");
    }

    #[test]
    fn the_server_is_newer_only_after_a_change_this_device_did_not_see() {
        let change = OutboxEntry {
            sending_since: None,
            ..entry(WatchChange::Unwatched)
        };
        let later = WatchFacts {
            view_count: 2,
            view_offset_ms: None,
            last_viewed_at: Some(2_100),
        };
        assert!(server_is_newer(&change, &later, None));
        let seen = WatchState {
            watched: true,
            position_ms: None,
            changed_at: 0,
            server_view_count: Some(2),
        };
        // The count is the one this device left there itself: not a change from elsewhere.
        assert!(!server_is_newer(&change, &later, Some(&seen)));
        let earlier = WatchFacts {
            last_viewed_at: Some(1_900),
            ..later
        };
        assert!(!server_is_newer(&change, &earlier, None));
    }

    #[test]
    fn pauses_double_up_to_an_hour() {
        assert_eq!(pause_after(0), Duration::from_secs(5));
        assert_eq!(pause_after(3), Duration::from_secs(40));
        assert_eq!(pause_after(40), LONGEST_PAUSE);
    }
}
