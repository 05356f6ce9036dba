//! Library browsing: sections, items with paging, sort and a title filter, one item's full
//! metadata, children, the expansion of a show or season into its episodes for a batch
//! download, and image URLs for thumbnails (built for the native side, which adds the token;
//! the UI never sees one).

use super::error::PlexError;
use super::models::{Directory, Metadata, MetadataType};
use super::servers::{PlexServer, segment};

/// What part of a section to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemQuery {
    pub start: u64,
    pub size: u64,
    /// A Plex sort such as `titleSort`, `addedAt:desc`, `year`.
    pub sort: Option<String>,
    /// Only items whose title contains this text.
    pub title: Option<String>,
}

impl Default for ItemQuery {
    fn default() -> Self {
        ItemQuery {
            start: 0,
            size: 50,
            sort: None,
            title: None,
        }
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub offset: u64,
    /// Items in the whole listing (after the filter).
    pub total: u64,
}

impl<T> Page<T> {
    /// Whether items follow this page.
    pub fn has_more(&self) -> bool {
        self.offset + (self.items.len() as u64) < self.total
    }
}

/// The most items asked for in one page.
pub const MAX_PAGE: u64 = 500;

impl PlexServer {
    /// The library sections.
    pub async fn sections(&self) -> Result<Vec<Directory>, PlexError> {
        Ok(self
            .container("/library/sections", Vec::new())
            .await?
            .directories)
    }

    /// One page of a section's items.
    pub async fn items(
        &self,
        section_key: &str,
        query: &ItemQuery,
    ) -> Result<Page<Metadata>, PlexError> {
        let path = format!("/library/sections/{}/all", segment(section_key)?);
        let mut args = vec![
            ("X-Plex-Container-Start", query.start.to_string()),
            (
                "X-Plex-Container-Size",
                query.size.clamp(1, MAX_PAGE).to_string(),
            ),
        ];
        if let Some(sort) = query.sort.as_ref().filter(|sort| !sort.is_empty()) {
            args.push(("sort", sort.clone()));
        }
        if let Some(title) = query.title.as_ref().filter(|title| !title.is_empty()) {
            args.push(("title", title.clone()));
        }
        let container = self.container(&path, args).await?;
        let offset = container.offset.unwrap_or(query.start);
        let count = container.metadata.len() as u64;
        // Servers may leave totalSize out; then the page size is all that is known.
        let total = container.total_size.unwrap_or(offset + count);
        Ok(Page {
            items: container.metadata,
            offset,
            total,
        })
    }

    /// Every item of a section, page by page.
    pub async fn all_items(
        &self,
        section_key: &str,
        page_size: u64,
    ) -> Result<Vec<Metadata>, PlexError> {
        let mut query = ItemQuery {
            size: page_size.clamp(1, MAX_PAGE),
            ..ItemQuery::default()
        };
        let mut items = Vec::new();
        loop {
            let page = self.items(section_key, &query).await?;
            let got = page.items.len() as u64;
            let more = page.has_more() && got > 0;
            items.extend(page.items);
            if !more {
                return Ok(items);
            }
            query.start += got;
        }
    }

    /// One item with its full media, part and stream details.
    pub async fn metadata(&self, rating_key: &str) -> Result<Metadata, PlexError> {
        let path = format!("/library/metadata/{}", segment(rating_key)?);
        self.container(&path, Vec::new())
            .await?
            .metadata
            .into_iter()
            .next()
            .ok_or(PlexError::NotFound { path })
    }

    /// The children of an item: the seasons of a show, the episodes of a season.
    pub async fn children(&self, rating_key: &str) -> Result<Vec<Metadata>, PlexError> {
        let path = format!("/library/metadata/{}/children", segment(rating_key)?);
        Ok(self.container(&path, Vec::new()).await?.metadata)
    }

    /// The playable items behind a key: a movie or episode itself, every episode of a
    /// season, or every episode of every season of a show, in order.
    pub async fn expand_for_download(&self, rating_key: &str) -> Result<Vec<Metadata>, PlexError> {
        self.expand_item(self.metadata(rating_key).await?).await
    }

    /// Like [`PlexServer::expand_for_download`] for an item already read.
    pub async fn expand_item(&self, item: Metadata) -> Result<Vec<Metadata>, PlexError> {
        let rating_key = item.rating_key().to_string();
        let rating_key = rating_key.as_str();
        match item.kind {
            MetadataType::Show => {
                let mut episodes = Vec::new();
                for season in self.children(rating_key).await? {
                    if season.kind == MetadataType::Season {
                        episodes.extend(self.playable_children(season.rating_key()).await?);
                    } else if season.kind.is_playable() {
                        episodes.push(season);
                    }
                }
                Ok(episodes)
            }
            MetadataType::Season => self.playable_children(rating_key).await,
            ref kind if kind.is_playable() => Ok(vec![item]),
            other => Err(PlexError::NotFound {
                path: format!(
                    "/library/metadata/{rating_key} (a {other:?} has nothing to download)"
                ),
            }),
        }
    }

    async fn playable_children(&self, rating_key: &str) -> Result<Vec<Metadata>, PlexError> {
        Ok(self
            .children(rating_key)
            .await?
            .into_iter()
            .filter(|child| child.kind.is_playable())
            .collect())
    }

    /// A URL for an image (thumb, art) scaled by the server, with the token in the query
    /// string. For the native side only: it fetches the image and hands the bytes to the UI.
    pub async fn image_url(
        &self,
        image_path: &str,
        width: u32,
        height: u32,
    ) -> Result<String, PlexError> {
        // The server's image transcoder fetches `url` itself; only a path on the server
        // keeps it from fetching another host's address.
        if !image_path.starts_with('/') || image_path.starts_with("//") || image_path.contains("..")
        {
            return Err(PlexError::NotFound {
                path: plexdl_redact::redact_text(image_path).into_owned(),
            });
        }
        let url = self
            .url(
                "/photo/:/transcode",
                vec![
                    ("url", image_path.to_string()),
                    ("width", width.clamp(1, 2048).to_string()),
                    ("height", height.clamp(1, 2048).to_string()),
                    ("minSize", "1".to_string()),
                    ("X-Plex-Token", self.token().to_string()),
                ],
            )
            .await?;
        Ok(url.to_string())
    }
}
