//! Watched state: the changes this device records (a download marked watched or unwatched,
//! the position a player handed back) and sends to the item's server, in order, once; the
//! rules that keep the next episodes of a show downloaded; and the space downloads take.

use serde::{Deserialize, Serialize};

/// One change of an item's watched state, as the outbox keeps it (stored under its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WatchChange {
    /// Watched to the end (`/:/scrobble` on the server).
    Watched,
    /// Not watched (`/:/unscrobble`).
    Unwatched,
    /// Stopped at a position (`/:/timeline`).
    Position,
}

impl WatchChange {
    /// Every change.
    pub const ALL: [WatchChange; 3] = [
        WatchChange::Watched,
        WatchChange::Unwatched,
        WatchChange::Position,
    ];

    /// The stored and wire name.
    pub fn name(self) -> &'static str {
        match self {
            WatchChange::Watched => "watched",
            WatchChange::Unwatched => "unwatched",
            WatchChange::Position => "position",
        }
    }

    /// The change with this name.
    pub fn from_name(name: &str) -> Option<WatchChange> {
        WatchChange::ALL
            .into_iter()
            .find(|change| change.name() == name)
    }
}

impl std::fmt::Display for WatchChange {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

/// The parameters of `downloads.setPosition`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionParams {
    pub id: i64,
    /// Where playback stopped, in seconds from the start.
    pub seconds: u64,
}

/// What a keep rule does with an episode it downloaded once it was watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WhenWatched {
    /// Keep the file.
    Keep,
    /// Delete it one day after it was watched.
    DeleteAfterADay,
    /// Delete it as soon as it was watched.
    DeleteAtOnce,
}

impl WhenWatched {
    /// Every choice, in the order the screens offer them.
    pub const ALL: [WhenWatched; 3] = [
        WhenWatched::Keep,
        WhenWatched::DeleteAfterADay,
        WhenWatched::DeleteAtOnce,
    ];

    /// The stored and wire name.
    pub fn name(self) -> &'static str {
        match self {
            WhenWatched::Keep => "keep",
            WhenWatched::DeleteAfterADay => "deleteAfterADay",
            WhenWatched::DeleteAtOnce => "deleteAtOnce",
        }
    }

    /// The choice with this name.
    pub fn from_name(name: &str) -> Option<WhenWatched> {
        WhenWatched::ALL
            .into_iter()
            .find(|when| when.name() == name)
    }

    /// The words on the screens.
    pub fn label(self) -> &'static str {
        match self {
            WhenWatched::Keep => "Keep watched episodes",
            WhenWatched::DeleteAfterADay => "Delete watched episodes after a day",
            WhenWatched::DeleteAtOnce => "Delete watched episodes at once",
        }
    }
}

/// The most episodes a rule keeps ahead when it is given a number.
pub const MOST_KEPT_AHEAD: u32 = 10;

/// A rule that keeps the next unwatched episodes of a show or season downloaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeepRule {
    pub id: i64,
    pub server_id: String,
    /// The show or season.
    pub rating_key: String,
    pub title: String,
    /// How many unwatched episodes to keep ahead (1 to 10); `None`: every unwatched one.
    pub keep_next: Option<u32>,
    pub quality: String,
    pub when_watched: WhenWatched,
    /// Why the rule queues nothing more now, in a sentence ("Stopped at the storage limit
    /// of 20 GB"); `None` while it works.
    pub stopped_reason: Option<String>,
}

/// The parameters of `rules.set`: a new rule for a show or season, or new settings for
/// the rule it already has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeepRuleParams {
    pub server_id: String,
    pub rating_key: String,
    /// 1 to 10, or `None` for every unwatched episode.
    pub keep_next: Option<u32>,
    pub quality: String,
    pub when_watched: WhenWatched,
}

/// The parameters of `rules.remove` (the downloads it queued stay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleId {
    pub id: i64,
}

/// The space downloads take, for the storage bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageUse {
    /// Bytes the downloads take now (finished files and partial ones).
    pub used_bytes: u64,
    /// Free space where downloads go, when the host can tell.
    pub free_bytes: Option<u64>,
    /// The storage limit for rules, if the user set one.
    pub budget_bytes: Option<u64>,
    /// Why rules stopped queuing, if one did (the first such rule's sentence).
    pub stopped_reason: Option<String>,
}

/// The parameters of `storage.setBudget`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetParams {
    /// The limit in GB (10^9 bytes), or `None` for no limit.
    pub gigabytes: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_names() {
        for change in WatchChange::ALL {
            assert_eq!(
                serde_json::to_value(change).expect("serializes"),
                serde_json::Value::String(change.name().to_string())
            );
            assert_eq!(WatchChange::from_name(change.name()), Some(change));
        }
        assert_eq!(WatchChange::from_name("rewatched"), None);
        for when in WhenWatched::ALL {
            assert_eq!(
                serde_json::to_value(when).expect("serializes"),
                serde_json::Value::String(when.name().to_string())
            );
            assert_eq!(WhenWatched::from_name(when.name()), Some(when));
        }
    }
}
