//! `plexdl probe`: what does this user's own server do? The answers our replay server can
//! only guess (realServerFindings.md lists what is known and what is not): the server's
//! version, whether this account may download, whether the download queue answers, the
//! headers of a part under HEAD, a one-byte range and an open-ended range, and a decision
//! for the item with our client profile. With `queue`, one short conversion goes through
//! the queue: added, followed to `available`, 1 MiB fetched by range, and deleted.
//!
//! Nothing changes on the server, except that `POST /downloadQueue` creates this client's
//! (empty) queue if it has none (it is "get or create"), and what `queue` adds and deletes.
//! No body is read beyond 1 MiB.

use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{
    ACCEPT_RANGES, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG,
    HeaderMap, LAST_MODIFIED, RANGE,
};
use serde::Serialize;

use super::error::PlexError;
use super::models::{Metadata, MetadataType, QueueItemStatus};
use super::servers::PlexServer;
use super::transcode::QualityPreset;

/// The headers of one answer that matter for downloads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// The HTTP status, or `None` when the request failed.
    pub status: Option<u16>,
    /// Why the request failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub accept_ranges: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_range: Option<String>,
    pub content_disposition: Option<String>,
    pub content_length: Option<u64>,
    pub content_type: Option<String>,
}

impl Answer {
    fn from_headers(status: u16, headers: &HeaderMap) -> Answer {
        let text = |name| {
            headers
                .get(name)
                .and_then(|value: &reqwest::header::HeaderValue| value.to_str().ok())
                .map(str::to_string)
        };
        Answer {
            status: Some(status),
            error: None,
            accept_ranges: text(ACCEPT_RANGES),
            etag: text(ETAG),
            last_modified: text(LAST_MODIFIED),
            content_range: text(CONTENT_RANGE),
            content_disposition: text(CONTENT_DISPOSITION),
            content_length: text(CONTENT_LENGTH).and_then(|length| length.parse().ok()),
            content_type: text(CONTENT_TYPE),
        }
    }

    fn failed(error: &reqwest::Error) -> Answer {
        Answer {
            error: Some(plexdl_redact::redact_text(&error.to_string()).into_owned()),
            ..Answer::default()
        }
    }
}

/// The decision for the item with our profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionSeen {
    /// "ok", or the error kind when the server refused or failed.
    pub outcome: String,
    pub general_code: Option<u64>,
    pub text: String,
}

/// What one trip of a short item through the download queue showed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueTrial {
    /// The statuses seen, in order, each once.
    pub statuses: Vec<String>,
    /// The container named in `TranscodeSession.container` while converting.
    pub container: Option<String>,
    /// The error text of an item in error.
    pub error: Option<String>,
    /// HEAD of the item's media once available.
    pub media_head: Option<Answer>,
    /// A 1 MiB range of the media: its answer and how many bytes came.
    pub media_range: Option<Answer>,
    pub media_range_bytes: u64,
    /// The status of the DELETE of the item.
    pub delete_status: Option<String>,
}

/// Everything a probe saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeReport {
    pub server_version: Option<String>,
    pub server_platform: Option<String>,
    /// The kind of connection in use (local, remote, relay) and whether it is https.
    pub connection: Option<String>,
    pub secure: bool,
    /// Whether `/media/providers` answers.
    pub media_providers: bool,
    /// "allowed", or the reason downloads are refused.
    pub permission: String,
    /// Whether `POST /downloadQueue` gave a queue (`None`: it failed otherwise than 404).
    pub queue_api: Option<bool>,
    pub item_key: Option<String>,
    pub item_container: Option<String>,
    pub part_size: Option<u64>,
    pub part_head: Option<Answer>,
    /// `Range: bytes=0-0`.
    pub one_byte_range: Option<Answer>,
    /// `Range: bytes=N-` with N half the size.
    pub open_ended_range: Option<Answer>,
    pub open_ended_from: Option<u64>,
    pub decision: Option<DecisionSeen>,
    pub queue_trial: Option<QueueTrial>,
}

/// How long `queue` follows an item before it gives up.
const QUEUE_PATIENCE: Duration = Duration::from_secs(600);

/// The bytes fetched from a converted item.
const QUEUE_SAMPLE: u64 = 1 << 20;

impl PlexServer {
    /// Runs the probe (see the module documentation). `item` is a rating key; without it the
    /// first film of the first film library is used.
    pub async fn probe_downloads(
        &self,
        item: Option<&str>,
        queue: bool,
    ) -> Result<ProbeReport, PlexError> {
        let mut report = ProbeReport::default();
        let chosen = self.probe().await?;
        report.connection = Some(format!("{:?}", chosen.kind).to_ascii_lowercase());
        report.secure = chosen.uri.starts_with("https://");
        let root = self.container("/", Vec::new()).await?;
        report.server_version = root.version.clone();
        report.server_platform = root.platform.clone();
        report.media_providers = !matches!(
            self.container("/media/providers", Vec::new()).await,
            Err(PlexError::NotFound { .. })
        );
        report.queue_api = match self.download_queue().await {
            Ok(found) => Some(found.is_some()),
            Err(PlexError::NotFound { .. }) => Some(false),
            Err(error) => {
                tracing::info!(%error, "the download queue did not answer");
                None
            }
        };
        let item = match item {
            Some(key) => Some(self.metadata(key).await?),
            None => self.first_film().await?,
        };
        let Some(item) = item else {
            report.permission = "no film to probe with".to_string();
            return Ok(report);
        };
        let key = item.rating_key().to_string();
        report.item_key = Some(key.clone());
        report.permission = match self.check_download_permission(&key).await {
            Ok(_) => "allowed".to_string(),
            Err(error) => error.user_message(),
        };
        let part = item.parts().next().cloned();
        report.item_container = part
            .as_ref()
            .and_then(|part| part.container.clone())
            .or_else(|| item.media.first().and_then(|media| media.container.clone()));
        report.part_size = part.as_ref().and_then(|part| part.size);
        if let Some(part_key) = part.as_ref().and_then(|part| part.key.clone()) {
            let url = self
                .url(&part_key, vec![("download", "1".to_string())])
                .await?;
            report.part_head = Some(self.answer(Method::HEAD, &url, None).await.0);
            report.one_byte_range = Some(
                self.answer(Method::GET, &url, Some("bytes=0-0".to_string()))
                    .await
                    .0,
            );
            let from = report.part_size.unwrap_or(2) / 2;
            report.open_ended_from = Some(from);
            report.open_ended_range = Some(
                self.answer(Method::GET, &url, Some(format!("bytes={from}-")))
                    .await
                    .0,
            );
        }
        let session = format!("{}-probe", self.client_id());
        report.decision = Some(
            match self
                .transcode_decision(
                    &key,
                    QualityPreset::Hd720,
                    None,
                    &session,
                    &Default::default(),
                )
                .await
            {
                Ok(decision) => DecisionSeen {
                    outcome: "ok".to_string(),
                    general_code: decision.codes.general_decision_code,
                    text: super::transcode::decision_text(&decision.codes),
                },
                Err(error) => DecisionSeen {
                    outcome: error.kind().to_string(),
                    general_code: None,
                    text: error.user_message(),
                },
            },
        );
        if queue && report.queue_api == Some(true) {
            report.queue_trial = Some(self.queue_trial(&key).await?);
        }
        Ok(report)
    }

    /// The first film of the first film library, if there is one.
    async fn first_film(&self) -> Result<Option<Metadata>, PlexError> {
        for section in self.sections().await? {
            if section.kind != MetadataType::Movie {
                continue;
            }
            let Some(section_key) = section.key.as_deref() else {
                continue;
            };
            let query = super::library::ItemQuery {
                start: 0,
                size: 1,
                ..Default::default()
            };
            if let Some(film) = self
                .items(section_key, &query)
                .await?
                .items
                .into_iter()
                .next()
            {
                return Ok(Some(self.metadata(film.rating_key()).await?));
            }
        }
        Ok(None)
    }

    /// One request's answer (headers only; at most `QUEUE_SAMPLE` bytes of the body are
    /// read, and only when `range` asks for a sample) and the bytes read.
    async fn answer(
        &self,
        method: Method,
        url: &reqwest::Url,
        range: Option<String>,
    ) -> (Answer, u64) {
        let mut request = self
            .media_request_as(method, url.clone())
            .timeout(Duration::from_secs(30));
        if let Some(range) = &range {
            request = request.header(RANGE, range);
        }
        match request.send().await {
            Ok(mut response) => {
                let answer = Answer::from_headers(response.status().as_u16(), response.headers());
                let mut read = 0;
                if range.as_deref().is_some_and(|r| r.starts_with("bytes=0-")) {
                    while read < QUEUE_SAMPLE {
                        match response.chunk().await {
                            Ok(Some(chunk)) => read += chunk.len() as u64,
                            _ => break,
                        }
                    }
                }
                (answer, read)
            }
            Err(error) => (Answer::failed(&error), 0),
        }
    }

    /// Adds the item at 480p to the queue, follows it, fetches 1 MiB and deletes it.
    async fn queue_trial(&self, key: &str) -> Result<QueueTrial, PlexError> {
        let mut trial = QueueTrial::default();
        let Some(queue) = self.download_queue().await?.and_then(|queue| queue.id) else {
            return Ok(trial);
        };
        let added = self
            .queue_add(queue, &[key], QualityPreset::Sd480, &Default::default())
            .await?;
        let Some(item_id) = added.first().and_then(|item| item.id) else {
            return Ok(trial);
        };
        let started = Instant::now();
        loop {
            let items = self.queue_items(queue, Some(&[item_id])).await?;
            let Some(item) = items.into_iter().find(|item| item.id == Some(item_id)) else {
                trial.statuses.push("gone".to_string());
                break;
            };
            let name = format!("{:?}", item.status).to_ascii_lowercase();
            if trial.statuses.last() != Some(&name) {
                trial.statuses.push(name);
            }
            if let Some(container) = item.transcode.as_ref().and_then(|t| t.container.clone()) {
                trial.container = Some(container);
            }
            match item.status {
                QueueItemStatus::Available => {
                    let url = self.queue_item_media_url(queue, item_id).await?;
                    trial.media_head = Some(self.answer(Method::HEAD, &url, None).await.0);
                    let range = format!("bytes=0-{}", QUEUE_SAMPLE - 1);
                    let (answer, read) = self.answer(Method::GET, &url, Some(range)).await;
                    trial.media_range = Some(answer);
                    trial.media_range_bytes = read;
                    break;
                }
                QueueItemStatus::Error | QueueItemStatus::Expired => {
                    trial.error = item
                        .error
                        .clone()
                        .or_else(|| item.decision.as_ref().map(super::transcode::decision_text));
                    break;
                }
                _ if started.elapsed() > QUEUE_PATIENCE => {
                    trial.error = Some("still not available after 10 minutes".to_string());
                    break;
                }
                _ => tokio::time::sleep(Duration::from_secs(2)).await,
            }
        }
        trial.delete_status = Some(match self.queue_delete(queue, &[item_id]).await {
            Ok(()) => "removed".to_string(),
            Err(error) => error.kind().to_string(),
        });
        Ok(trial)
    }
}
