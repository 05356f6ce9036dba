//! The server's download queue: get or create this client's queue, add items with a
//! preset's parameters, read items, the URL of an item's media, restart and delete.

use reqwest::{Method, Url};

use super::error::PlexError;
use super::models::{AddedQueueItem, DownloadQueue, DownloadQueueItem, Envelope};
use super::servers::{PlexServer, segment};
use super::transcode::{QualityPreset, TrackRequest, client_profile_extra};

/// Why a queue item ended in `error`, as the matching error: a refused decision from its
/// DecisionResult (2011 is "Downloads not allowed"; real servers put only a short code such
/// as `decisionError` in the item's `error` and the sentence in the DecisionResult,
/// realServerFindings.md section 2), or else that short code.
pub fn item_failure(item: &DownloadQueueItem) -> PlexError {
    if let Some(codes) = &item.decision
        && let Err(refused) = super::transcode::check_decision(codes)
    {
        return refused;
    }
    let text = match (&item.decision, item.error.as_deref()) {
        (Some(codes), Some(code)) if codes.general_decision_text.is_some() => {
            format!("{} ({code})", super::transcode::decision_text(codes))
        }
        (_, Some(code)) if !code.trim().is_empty() => code.trim().to_string(),
        _ => "no reason given".to_string(),
    };
    PlexError::TranscodeRefused { code: 0, text }
}

fn id_list(ids: &[u64]) -> String {
    ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
}

impl PlexServer {
    /// This client's queue, created if needed. `None` when the server has no queue API
    /// (servers before 1.41.9 answer 404): then the live transcode is the way to convert.
    pub async fn download_queue(&self) -> Result<Option<DownloadQueue>, PlexError> {
        match self
            .call_json::<Envelope>(Method::POST, "/downloadQueue", Vec::new(), Vec::new())
            .await
        {
            Ok(envelope) => {
                let queue = envelope.container.download_queues.into_iter().next();
                match queue {
                    Some(queue) if queue.id.is_some() => Ok(Some(queue)),
                    _ => Err(PlexError::BadResponse {
                        path: "/downloadQueue".to_string(),
                        expected: "a queue with an id".to_string(),
                        status: 200,
                        content_type: "application/json".to_string(),
                        body_start: String::new(),
                    }),
                }
            }
            Err(PlexError::NotFound { .. }) => {
                tracing::info!(server = %self.name(), "the server has no download queue");
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// Adds items (`/library/metadata/{key}` each) to the queue with a preset's parameters
    /// and the version and tracks (`mediaIndex`, `subtitles` and the stream ids, which
    /// `/add` takes as the transcoder does: REFERENCE.md 4.3).
    /// Adding the same item with the same parameters again returns the existing item.
    pub async fn queue_add(
        &self,
        queue_id: u64,
        rating_keys: &[&str],
        preset: QualityPreset,
        tracks: &TrackRequest,
    ) -> Result<Vec<AddedQueueItem>, PlexError> {
        let mut keys = Vec::new();
        for key in rating_keys {
            keys.push(format!("/library/metadata/{}", segment(key)?));
        }
        let mut args = vec![("keys", keys.join(","))];
        args.extend(preset.parameters());
        tracks.apply(&mut args);
        // As a query parameter: that is the only form seen working on `/add`; as a header
        // it is unproven (realServerFindings.md section 2).
        args.push(("X-Plex-Client-Profile-Extra", client_profile_extra()));
        let path = format!("/downloadQueue/{queue_id}/add");
        let container = self
            .call_json::<Envelope>(Method::POST, &path, args, Vec::new())
            .await?
            .container;
        tracing::info!(
            queue_id,
            items = container.added_queue_items.len(),
            preset = preset.name(),
            "added to the download queue"
        );
        Ok(container.added_queue_items)
    }

    /// The queue's items (all, or the given ids).
    pub async fn queue_items(
        &self,
        queue_id: u64,
        item_ids: Option<&[u64]>,
    ) -> Result<Vec<DownloadQueueItem>, PlexError> {
        let path = match item_ids {
            Some(ids) if !ids.is_empty() => {
                format!("/downloadQueue/{queue_id}/items/{}", id_list(ids))
            }
            _ => format!("/downloadQueue/{queue_id}/items"),
        };
        Ok(self
            .call_json::<Envelope>(Method::GET, &path, Vec::new(), Vec::new())
            .await?
            .container
            .download_queue_items)
    }

    /// The URL of an item's converted file (without the token; see `media_request`).
    pub async fn queue_item_media_url(
        &self,
        queue_id: u64,
        item_id: u64,
    ) -> Result<Url, PlexError> {
        self.url(
            &format!("/downloadQueue/{queue_id}/item/{item_id}/media"),
            Vec::new(),
        )
        .await
    }

    /// Converts items again with their earlier parameters (after an error or expiry).
    pub async fn queue_restart(&self, queue_id: u64, item_ids: &[u64]) -> Result<(), PlexError> {
        self.call_empty(
            Method::POST,
            &format!(
                "/downloadQueue/{queue_id}/items/{}/restart",
                id_list(item_ids)
            ),
            Vec::new(),
        )
        .await
    }

    /// Removes items from the queue (after their files were fetched, or on cancel).
    pub async fn queue_delete(&self, queue_id: u64, item_ids: &[u64]) -> Result<(), PlexError> {
        self.call_empty(
            Method::DELETE,
            &format!("/downloadQueue/{queue_id}/items/{}", id_list(item_ids)),
            Vec::new(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::item_failure;
    use crate::plex::error::PlexError;
    use crate::plex::models::DownloadQueueItem;

    fn item(json: serde_json::Value) -> DownloadQueueItem {
        serde_json::from_value(json).expect("an item")
    }

    #[test]
    fn an_error_item_is_told_with_the_decision_texts() {
        let refused = item(serde_json::json!({
            "id": 7, "status": "error", "error": "decisionError",
            "DecisionResult": {"generalDecisionCode": 2004, "generalDecisionText": "Could not construct decision request"}
        }));
        let failure = item_failure(&refused);
        assert!(
            matches!(&failure, PlexError::TranscodeRefused { code: 2004, text } if text == "Could not construct decision request"),
            "{failure:?}"
        );
        assert!(
            failure.user_message().contains("(code 2004)"),
            "{}",
            failure.user_message()
        );
        let not_allowed = item(serde_json::json!({
            "status": "error", "error": "decisionError",
            "DecisionResult": {"generalDecisionCode": 2011, "generalDecisionText": "Downloads not allowed"}
        }));
        assert!(matches!(
            item_failure(&not_allowed),
            PlexError::DownloadsNotAllowed { .. }
        ));
        let bare =
            item(serde_json::json!({"status": "error", "error": "Transcoder exited unexpectedly"}));
        let failure = item_failure(&bare);
        assert!(
            matches!(&failure, PlexError::TranscodeRefused { code: 0, text } if text == "Transcoder exited unexpectedly"),
            "{failure:?}"
        );
        assert!(
            !failure.user_message().contains("code 0"),
            "{}",
            failure.user_message()
        );
    }
}
