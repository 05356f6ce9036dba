//! Watched state: the changes this device records (a download marked watched or unwatched,
//! the position a player handed back) and sends to the item's server, in order, once.

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
    }
}
