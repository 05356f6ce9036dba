//! Keep rules: "keep the next N unwatched episodes of this show (or season) downloaded".
//!
//! Applying a rule reads the show's episodes from its server (each with the watched state
//! the server keeps: `viewCount`, `viewOffset`, `lastViewedAt`) and then:
//!
//! 1. takes the server's state for every episode that has no change of this device waiting
//!    in the outbox (a watch done on another client is picked up here);
//! 2. deletes the episodes this rule downloaded that were watched, as its watched setting
//!    says (at once, or one day after they were watched; never for "keep"), with their
//!    files, as a user's delete does;
//! 3. queues the first N unwatched episodes in order (season, then episode) that have no
//!    download yet, at the rule's quality, as downloads of this rule. An episode already
//!    there at any quality, or watched, is never queued;
//! 4. with a storage limit: before an episode would take the downloads over it, watched
//!    episodes that rules downloaded are deleted first (watched longest ago first); when
//!    that is not enough the rule stops queuing and says so ("Stopped at the storage limit
//!    of 20 GB"). A download the user made is never deleted by a rule.
//!
//! The queue run applies the rules when one may keep something else: at its start, when a
//! server is connected, after the watched state changed, a download finished or was
//! removed, a rule or the limit changed (in any process: they count a change in the
//! manifest, see `keep_rules::touch`), and every 3 hours. A rule whose server does not
//! answer is tried again 5 minutes later.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use tracing::Instrument;

use plexdl_protocol::{KeepRule, KeepRuleParams, MOST_KEPT_AHEAD, StorageUse, WhenWatched};

use super::{CoreError, DownloadCore};
use crate::manifest::watch::{self, WatchState};
use crate::manifest::{DownloadSummary, keep_rules, now_ms};
use crate::plex::{Metadata, MetadataType, PlexServer, QualityPreset, WatchFacts};

/// How long a rule that was applied waits before it is applied again on its own.
pub const REAPPLY_EVERY_MS: i64 = 3 * 3_600 * 1_000;

/// How long a rule whose server did not answer waits.
const RETRY_AFTER_FAILURE_MS: i64 = 5 * 60 * 1_000;

/// How long a watched episode stays with "delete after a day".
const A_DAY_MS: i64 = 24 * 3_600 * 1_000;

/// What one application of the rules did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RulesPass {
    /// Downloads queued.
    pub queued: Vec<i64>,
    /// Downloads deleted because they were watched (or to make room under the limit).
    pub deleted: Vec<i64>,
    /// Rules that could not be applied (their server did not answer).
    pub failed: u32,
}

/// "20 GB", "1.5 GB"; under 1 GB in MB ("40 MB").
pub fn gigabytes(bytes: u64) -> String {
    if bytes < 1_000_000_000 {
        return format!("{} MB", (bytes as f64 / 1e6).round() as u64);
    }
    let gigabytes = bytes as f64 / 1e9;
    if (gigabytes - gigabytes.round()).abs() < 0.05 {
        format!("{} GB", gigabytes.round() as u64)
    } else {
        format!("{gigabytes:.1} GB")
    }
}

/// The sentence of a rule stopped by the limit.
pub fn stopped_at_limit(budget: u64) -> String {
    format!("Stopped at the storage limit of {}", gigabytes(budget))
}

/// The space a download takes or will take: a finished file its size, one under way the
/// larger of what it has and what it will have (a converted download's size is known only
/// as it arrives).
fn space_of(row: &DownloadSummary) -> u64 {
    row.bytes_total.unwrap_or(0).max(row.bytes_done)
}

/// Episodes in watching order: season, then episode.
fn in_order(mut episodes: Vec<Metadata>) -> Vec<Metadata> {
    episodes.sort_by_key(|episode| {
        (
            episode.parent_index.unwrap_or(0),
            episode.index.unwrap_or(0),
        )
    });
    episodes
}

impl DownloadCore {
    /// Adds a rule for a show or season, or gives its rule new settings, and applies it
    /// at once (this process queues what it keeps; the process that runs the downloads is
    /// told).
    pub async fn set_rule(&self, params: &KeepRuleParams) -> Result<KeepRule, CoreError> {
        if params
            .keep_next
            .is_some_and(|next| next == 0 || next > MOST_KEPT_AHEAD)
        {
            return Err(CoreError::BadRule(format!(
                "A rule keeps 1 to {MOST_KEPT_AHEAD} episodes ahead, or every unwatched one."
            )));
        }
        if QualityPreset::from_name(&params.quality).is_none() {
            return Err(CoreError::BadRule(format!(
                "There is no quality called {:?}; choose original, 1080p, 720p or 480p.",
                params.quality
            )));
        }
        let server = self
            .server(&params.server_id)
            .ok_or_else(|| CoreError::UnknownServer(params.server_id.clone()))?;
        let item = server.check_download_permission(&params.rating_key).await?;
        let title = match item.kind {
            MetadataType::Show => item.title().to_string(),
            MetadataType::Season => match item.parent_title.as_deref() {
                Some(show) if !show.is_empty() => format!("{show}, {}", item.title()),
                _ => item.title().to_string(),
            },
            _ => {
                return Err(CoreError::BadRule(format!(
                    "{} is not a show or a season: only those can keep their next episodes.",
                    item.title()
                )));
            }
        };
        let rule = self.manifest.write(|tx| {
            let rule = keep_rules::upsert(tx, params, &title, now_ms())?;
            keep_rules::touch(tx)?;
            Ok(rule)
        })?;
        tracing::info!(rule_id = rule.id, server = %rule.server_id, rating_key = %rule.rating_key, keep_next = rule.keep_next, quality = %rule.quality, when_watched = rule.when_watched.name(), "keep rule set");
        let applied = self.apply_rule(&rule, &server).await;
        self.record_application(&rule, applied)?;
        self.queue_changed();
        self.rule(rule.id)
    }

    /// One rule as stored now.
    fn rule(&self, id: i64) -> Result<KeepRule, CoreError> {
        self.manifest
            .read(|tx| keep_rules::get(tx, id))?
            .ok_or(CoreError::NoSuchRule(id))
    }

    /// Every rule.
    pub fn rules(&self) -> Result<Vec<KeepRule>, CoreError> {
        Ok(self.manifest.read(keep_rules::list)?)
    }

    /// Removes a rule; the downloads it queued stay, as the user's own.
    pub fn remove_rule(&self, id: i64) -> Result<(), CoreError> {
        if !self.manifest.write(|tx| keep_rules::remove(tx, id))? {
            return Err(CoreError::NoSuchRule(id));
        }
        tracing::info!(rule_id = id, "keep rule removed");
        Ok(())
    }

    /// Sets the storage limit for rules (`None`: no limit); every rule may queue again.
    pub fn set_storage_budget(&self, bytes: Option<u64>) -> Result<StorageUse, CoreError> {
        self.manifest.write(|tx| {
            keep_rules::set_budget(tx, bytes)?;
            keep_rules::touch(tx)
        })?;
        tracing::info!(budget_bytes = bytes, "storage limit set");
        self.queue_changed();
        self.storage_use()
    }

    /// The space downloads take, the free space and the limit.
    pub fn storage_use(&self) -> Result<StorageUse, CoreError> {
        let (rows, budget, rules) = self.manifest.read(|tx| {
            Ok((
                crate::manifest::rows::summaries(tx)?,
                keep_rules::budget(tx)?,
                keep_rules::list(tx)?,
            ))
        })?;
        Ok(StorageUse {
            used_bytes: rows.iter().map(space_of).sum(),
            free_bytes: self.free_space(),
            budget_bytes: budget,
            stopped_reason: rules.into_iter().find_map(|rule| rule.stopped_reason),
        })
    }

    /// Counts a change that may change what a rule keeps (see `keep_rules::touch`).
    pub(crate) fn rule_inputs_changed(&self) {
        if let Err(error) = self.manifest.write(keep_rules::touch) {
            tracing::warn!(%error, "a change for the keep rules was not counted");
        }
    }

    /// Whether the rules are to be applied now, and when they are next due otherwise
    /// (milliseconds since 1970).
    /// Only rules whose server is connected count: the others wait until it is.
    pub(crate) fn rules_due(&self, now: i64) -> Result<(bool, Option<i64>), CoreError> {
        let (schedule, changes) = self
            .manifest
            .read(|tx| Ok((keep_rules::schedule(tx)?, keep_rules::changes(tx)?)))?;
        let next = schedule
            .into_iter()
            .filter(|(server, _)| self.server(server).is_some())
            .map(|(_, at)| at)
            .min();
        let Some(next) = next else {
            return Ok((false, None));
        };
        if changes != self.rules_seen.load(Ordering::Relaxed) || next <= now {
            return Ok((true, None));
        }
        Ok((false, Some(next)))
    }

    /// Applies every rule whose server is connected (see the module documentation).
    pub async fn apply_rules(&self) -> Result<RulesPass, CoreError> {
        let changes = self.manifest.read(keep_rules::changes)?;
        self.rules_seen.store(changes, Ordering::Relaxed);
        let mut pass = RulesPass::default();
        for rule in self.rules()? {
            let Some(server) = self.server(&rule.server_id) else {
                continue;
            };
            let span = tracing::info_span!("keep_rule", rule_id = rule.id, server = %rule.server_id, rating_key = %rule.rating_key);
            let applied = self.apply_rule(&rule, &server).instrument(span).await;
            match &applied {
                Ok(done) => {
                    pass.queued.extend(&done.queued);
                    pass.deleted.extend(&done.deleted);
                }
                Err(_) => pass.failed += 1,
            }
            self.record_application(&rule, applied)?;
        }
        if !pass.queued.is_empty() {
            self.queue_changed();
        }
        Ok(pass)
    }

    /// Writes when a rule is next applied and why it stopped, after one application.
    fn record_application(
        &self,
        rule: &KeepRule,
        applied: Result<Applied, CoreError>,
    ) -> Result<(), CoreError> {
        let now = now_ms();
        let (next, stopped) = match applied {
            Ok(done) => {
                tracing::info!(queued = done.queued.len(), deleted = done.deleted.len(), stopped = ?done.stopped_reason, "keep rule applied");
                (
                    done.next_at.unwrap_or(now + REAPPLY_EVERY_MS),
                    done.stopped_reason,
                )
            }
            Err(error) => {
                error.log_failure("keep rule not applied");
                (now + RETRY_AFTER_FAILURE_MS, rule.stopped_reason.clone())
            }
        };
        self.manifest
            .write(|tx| keep_rules::applied(tx, rule.id, next, stopped.as_deref()))?;
        Ok(())
    }

    async fn apply_rule(&self, rule: &KeepRule, server: &PlexServer) -> Result<Applied, CoreError> {
        let quality = QualityPreset::from_name(&rule.quality).unwrap_or(QualityPreset::Original);
        let item = server.metadata(&rule.rating_key).await?;
        let episodes = in_order(server.expand_item(item).await?);
        let now = now_ms();
        let states = self.take_server_states(&rule.server_id, &episodes, now)?;
        let watched = |key: &str| {
            states
                .get(&(rule.server_id.clone(), key.to_string()))
                .filter(|state| state.watched)
        };
        let mut applied = Applied::default();

        // Watched episodes this rule downloaded go as its setting says.
        let mut rows = self.summaries()?;
        for row in rows.iter().filter(|row| row.rule_id == Some(rule.id)) {
            let Some(state) = watched(&row.media_rating_key) else {
                continue;
            };
            let delete_at = match rule.when_watched {
                WhenWatched::Keep => continue,
                WhenWatched::DeleteAtOnce => state.changed_at,
                WhenWatched::DeleteAfterADay => state.changed_at + A_DAY_MS,
            };
            if delete_at <= now {
                self.discard(row.id)?;
                tracing::info!(download_id = row.id, rating_key = %row.media_rating_key, "a watched episode kept by a rule was deleted");
                applied.deleted.push(row.id);
            } else {
                applied.next_at = Some(
                    applied
                        .next_at
                        .map_or(delete_at, |at: i64| at.min(delete_at)),
                );
            }
        }
        if !applied.deleted.is_empty() {
            rows = self.summaries()?;
        }

        // The next unwatched episodes without a download.
        let present: std::collections::HashSet<&str> = rows
            .iter()
            .filter(|row| row.server_identifier == rule.server_id)
            .map(|row| row.media_rating_key.as_str())
            .collect();
        // An episode the user deleted from this rule is passed over like a watched one.
        let skipped = self.manifest.read(|tx| keep_rules::skipped(tx, rule.id))?;
        let wanted: Vec<Metadata> = episodes
            .into_iter()
            .filter(|episode| {
                watched(episode.rating_key()).is_none() && !skipped.contains(episode.rating_key())
            })
            .take(rule.keep_next.map_or(usize::MAX, |next| next as usize))
            .filter(|episode| !present.contains(episode.rating_key()))
            .collect();
        drop(present);

        let budget = self.manifest.read(keep_rules::budget)?;
        let mut used: u64 = rows.iter().map(space_of).sum();
        for episode in wanted {
            if let Some(budget) = budget {
                let size = quality
                    .estimated_size(episode.duration, episode.total_size())
                    .unwrap_or(0);
                if used + size > budget {
                    used -= self.make_room(used + size - budget, &states, &mut applied)?;
                }
                if used + size > budget {
                    applied.stopped_reason = Some(stopped_at_limit(budget));
                    tracing::info!(budget, used, size, rating_key = %episode.rating_key(), "a rule stopped at the storage limit");
                    break;
                }
                used += size;
            }
            let ids = self
                .add_items(
                    &rule.server_id,
                    server,
                    vec![episode],
                    quality,
                    Some(rule.id),
                    // A rule has no screen to ask: each episode's first version.
                    &super::VersionChoice::default(),
                )
                .await?;
            applied.queued.extend(ids);
        }
        Ok(applied)
    }

    /// Deletes watched downloads that rules queued, watched longest ago first, until
    /// `needed` bytes are free or none is left. Returns the bytes freed.
    fn make_room(
        &self,
        needed: u64,
        states: &HashMap<(String, String), WatchState>,
        applied: &mut Applied,
    ) -> Result<u64, CoreError> {
        let mut candidates: Vec<(i64, DownloadSummary)> = self
            .summaries()?
            .into_iter()
            .filter(|row| row.rule_id.is_some())
            .filter_map(|row| {
                let state = states
                    .get(&(row.server_identifier.clone(), row.media_rating_key.clone()))
                    .filter(|state| state.watched)?;
                Some((state.changed_at, row))
            })
            .collect();
        candidates.sort_by_key(|(watched_at, row)| (*watched_at, row.id));
        let mut freed = 0;
        for (_, row) in candidates {
            if freed >= needed {
                break;
            }
            self.discard(row.id)?;
            tracing::info!(
                download_id = row.id,
                bytes = space_of(&row),
                "a watched episode was deleted to stay under the storage limit"
            );
            freed += space_of(&row);
            applied.deleted.push(row.id);
        }
        Ok(freed)
    }

    /// Takes the server's watched state for every episode without a change of this device
    /// waiting, and returns every known state afterwards.
    fn take_server_states(
        &self,
        server_id: &str,
        episodes: &[Metadata],
        now: i64,
    ) -> Result<HashMap<(String, String), WatchState>, CoreError> {
        let known = self.watch_states()?;
        self.manifest.write(|tx| {
            for episode in episodes {
                let facts = WatchFacts::from(episode);
                let key = (server_id.to_string(), episode.rating_key().to_string());
                let same = known.get(&key).is_some_and(|state| {
                    state.watched == (facts.view_count > 0)
                        && state.server_view_count == Some(facts.view_count)
                        && state.position_ms == facts.view_offset_ms
                });
                if same {
                    continue;
                }
                // When it was watched, as the server says; otherwise now.
                let changed_at = facts
                    .last_viewed_at
                    .filter(|_| facts.view_count > 0)
                    .map_or(now, |at| at.saturating_mul(1_000));
                watch::adopt_server_state(
                    tx,
                    server_id,
                    episode.rating_key(),
                    facts.view_count > 0,
                    facts.view_offset_ms,
                    facts.view_count,
                    changed_at,
                )?;
            }
            Ok(())
        })?;
        self.watch_states()
    }
}

/// What applying one rule did.
#[derive(Debug, Default)]
struct Applied {
    queued: Vec<i64>,
    deleted: Vec<i64>,
    stopped_reason: Option<String>,
    /// When the rule must be applied again before the usual time (an episode to delete a
    /// day after it was watched).
    next_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_told_in_whole_or_tenths_of_gigabytes() {
        assert_eq!(gigabytes(20_000_000_000), "20 GB");
        assert_eq!(gigabytes(1_500_000_000), "1.5 GB");
        assert_eq!(gigabytes(40_000_000), "40 MB");
        assert_eq!(
            stopped_at_limit(20_000_000_000),
            "Stopped at the storage limit of 20 GB"
        );
    }

    #[test]
    fn episodes_go_by_season_then_episode() {
        let episode = |season: u64, number: u64| Metadata {
            parent_index: Some(season),
            index: Some(number),
            rating_key: Some(format!("{season}x{number}")),
            ..Metadata::default()
        };
        let ordered = in_order(vec![episode(2, 1), episode(1, 3), episode(1, 1)]);
        let keys: Vec<&str> = ordered.iter().map(Metadata::rating_key).collect();
        assert_eq!(keys, ["1x1", "1x3", "2x1"]);
    }
}
