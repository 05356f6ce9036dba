//! Whether this account may download from a server, a library and an item, checked before
//! anything is queued, so that a user without permission is told so at once instead of by a
//! failed download.
//!
//! The evidence (realServerFindings.md section 5, REFERENCE.md section 2.1): `allowSync` on
//! the server root, on each library section and on the containers of items; and in
//! `/media/providers` (the documented way for newer servers) the library provider's feature
//! `subscribe` with flavor `download`. A server whose `/media/providers` is missing (404),
//! refused (403) or unreadable is judged by its root. A field that is missing says nothing
//! and does not refuse.

use super::error::PlexError;
use super::models::{MediaContainer, Metadata};
use super::servers::{PlexServer, segment};

/// The server's own library among the media providers.
const LIBRARY_PROVIDER: &str = "com.plexapp.plugins.library";

/// Whether a provider list lets this account download from the server's library.
fn providers_allow(container: &MediaContainer) -> Result<(), String> {
    if container.allow_sync == Some(false) {
        return Err("The server does not allow downloads for this account.".to_string());
    }
    let library = container
        .media_providers
        .iter()
        .find(|provider| provider.identifier.as_deref() == Some(LIBRARY_PROVIDER));
    let Some(library) = library else {
        return Ok(());
    };
    let can_download = library.features.iter().any(|feature| {
        feature.kind.as_deref() == Some("subscribe")
            && feature.flavor.as_deref() == Some("download")
    });
    if can_download {
        Ok(())
    } else {
        Err("The server's library offers this account no downloads.".to_string())
    }
}

impl PlexServer {
    /// Checks that this account may download the item `rating_key`: the server (from
    /// `/media/providers`, or `/` where that is missing), the item's container and its
    /// library section. `NoDownloadPermission` names which one refuses. Returns the item as
    /// its container gave it, so the caller need not read it again.
    pub async fn check_download_permission(&self, rating_key: &str) -> Result<Metadata, PlexError> {
        let refused = |path: &str, reason: String| {
            tracing::info!(path, %reason, "downloads are not allowed");
            Err(PlexError::NoDownloadPermission {
                path: path.to_string(),
                reason,
            })
        };
        match self.container("/media/providers", Vec::new()).await {
            Ok(providers) => {
                if let Err(reason) = providers_allow(&providers) {
                    return refused("/media/providers", reason);
                }
            }
            // Missing on older servers; refused or unreadable is possible for an account
            // that is not the owner (no source says): the root then decides.
            Err(
                PlexError::NotFound { .. }
                | PlexError::Forbidden { .. }
                | PlexError::BadResponse { .. },
            ) => {
                let root = self.container("/", Vec::new()).await?;
                if root.allow_sync == Some(false) {
                    return refused(
                        "/",
                        "The server does not allow downloads for this account.".to_string(),
                    );
                }
            }
            Err(error) => return Err(error),
        }
        let path = format!("/library/metadata/{}", segment(rating_key)?);
        let mut item = self.container(&path, Vec::new()).await?;
        let section = item.library_section_id.clone().or_else(|| {
            item.metadata
                .first()
                .and_then(|found| found.library_section_id.clone())
        });
        let section_title = item
            .library_section_title
            .clone()
            .or_else(|| section.clone())
            .unwrap_or_default();
        if item.allow_sync == Some(false) {
            return refused(
                &path,
                format!("The library {section_title} does not allow downloads for this account."),
            );
        }
        if let Some(section) = section {
            let listed = self.sections().await?;
            let refuses = listed.iter().any(|directory| {
                directory.key.as_deref() == Some(section.as_str())
                    && directory.allow_sync == Some(false)
            });
            if refuses {
                return refused(
                    "/library/sections",
                    format!(
                        "The library {section_title} does not allow downloads for this account."
                    ),
                );
            }
        }
        item.metadata
            .drain(..)
            .next()
            .ok_or(PlexError::NotFound { path })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plex::models::Envelope;

    fn container(text: &str) -> MediaContainer {
        serde_json::from_str::<Envelope>(text)
            .expect("parses")
            .container
    }

    #[test]
    fn providers_grant_downloads_only_with_the_download_feature() {
        let with = container(
            r#"{"MediaContainer": {"allowSync": true, "MediaProvider": [{"identifier": "com.plexapp.plugins.library",
                "Feature": [{"type": "content", "key": "/library/sections"}, {"type": "subscribe", "flavor": "download"}]}]}}"#,
        );
        assert_eq!(providers_allow(&with), Ok(()));
        let without = container(
            r#"{"MediaContainer": {"allowSync": true, "MediaProvider": [{"identifier": "com.plexapp.plugins.library",
                "Feature": [{"type": "content"}, {"type": "subscribe", "flavor": "record"}]}]}}"#,
        );
        assert!(providers_allow(&without).is_err());
        let off = container(r#"{"MediaContainer": {"allowSync": "0", "MediaProvider": []}}"#);
        assert!(providers_allow(&off).is_err());
        // Nothing said: nothing refused.
        let silent = container(r#"{"MediaContainer": {"size": 0}}"#);
        assert_eq!(providers_allow(&silent), Ok(()));
    }
}
