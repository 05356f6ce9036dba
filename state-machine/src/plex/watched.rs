//! An item's watched state on the server: read it, mark an item watched or unwatched, and
//! report where playback stopped. The parameters are the ones public clients send
//! (docs/plexBehaviour.md, "Watched state"):
//!
//! - `PUT /:/scrobble?key={ratingKey}&identifier=com.plexapp.plugins.library` and the same
//!   for `/:/unscrobble` (the Plex OpenAPI description lists PUT; python-plexapi's
//!   `markPlayed` sends the same query as a GET);
//! - `POST /:/timeline` with `ratingKey`, `key=/library/metadata/{ratingKey}`, `state`,
//!   `time` and `duration` in milliseconds (python-plexapi's `updateTimeline`; the OpenAPI
//!   description lists POST, with `offline=1` and `updated` for clients that send what was
//!   played while offline).
//!
//! A real server answers them with 200 and an empty body.

use reqwest::Method;

use super::error::PlexError;
use super::servers::{PlexServer, segment};

/// The identifier of the library's media provider, which scrobbles name.
pub const LIBRARY_IDENTIFIER: &str = "com.plexapp.plugins.library";

/// An item's watched state as its server reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WatchFacts {
    /// How often it was watched to the end (0 when never).
    pub view_count: u64,
    /// Where playback stopped, in milliseconds.
    pub view_offset_ms: Option<u64>,
    /// When it was last watched to the end (seconds since 1970).
    pub last_viewed_at: Option<i64>,
}

impl From<&super::Metadata> for WatchFacts {
    fn from(item: &super::Metadata) -> WatchFacts {
        WatchFacts {
            view_count: item.view_count.unwrap_or(0),
            view_offset_ms: item.view_offset.filter(|offset| *offset > 0),
            last_viewed_at: item.last_viewed_at,
        }
    }
}

impl PlexServer {
    /// The item's watched state now.
    pub async fn watch_facts(&self, rating_key: &str) -> Result<WatchFacts, PlexError> {
        Ok(WatchFacts::from(&self.metadata(rating_key).await?))
    }

    /// Marks an item watched (`watched`) or not watched.
    pub async fn mark_watched(&self, rating_key: &str, watched: bool) -> Result<(), PlexError> {
        let path = if watched {
            "/:/scrobble"
        } else {
            "/:/unscrobble"
        };
        let query = vec![
            ("key", segment(rating_key)?.to_string()),
            ("identifier", LIBRARY_IDENTIFIER.to_string()),
        ];
        self.call_empty(Method::PUT, path, query).await
    }

    /// Tells the server that playback stopped at `position_ms`, while this device was
    /// offline, at `changed_at` (seconds since 1970).
    pub async fn report_position(
        &self,
        rating_key: &str,
        position_ms: u64,
        duration_ms: Option<u64>,
        changed_at: i64,
    ) -> Result<(), PlexError> {
        let rating_key = segment(rating_key)?;
        let mut query = vec![
            ("ratingKey", rating_key.to_string()),
            ("key", format!("/library/metadata/{rating_key}")),
            ("state", "stopped".to_string()),
            ("time", position_ms.to_string()),
            ("offline", "1".to_string()),
            ("updated", changed_at.to_string()),
        ];
        if let Some(duration) = duration_ms {
            query.push(("duration", duration.to_string()));
        }
        self.call_empty(Method::POST, "/:/timeline", query).await
    }
}
