//! Thumbnails for the UI, fetched by the host with the server's token added here, so the UI
//! never holds a token (desktop: `GET /thumb`; Android: `shouldInterceptRequest`).
//!
//! What comes back is handed to a web page, so it must be an image and nothing else: the
//! bytes are read up to [`MAX_IMAGE_BYTES`] (refused as soon as they pass it, so a huge
//! answer never fills memory), and the type comes from the file's own signature (PNG,
//! JPEG, WebP, GIF), never from the server's Content-Type. An HTML page from the server is
//! refused rather than served as part of the app's origin, where its script could reach
//! the bridge.

/// The largest image handed to the UI, and the largest poster saved beside a download.
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;

/// The image type of `bytes` from its signature, if it is one the UI shows.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else {
        None
    }
}

use super::App;

/// An image to hand to the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Why no image came back, with the HTTP status a host should answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ThumbnailError {
    pub status: u16,
    pub message: String,
}

impl ThumbnailError {
    /// The public kind: the host answers HTTP 404 for one, HTTP 502 for the other.
    pub fn kind(&self) -> plexdl_protocol::FailureKind {
        if self.status == 404 {
            plexdl_protocol::FailureKind::ImageNotFound
        } else {
            plexdl_protocol::FailureKind::ImageUnavailable
        }
    }
}

fn refused(status: u16, message: impl Into<String>) -> ThumbnailError {
    ThumbnailError {
        status,
        message: message.into(),
    }
}

impl App {
    /// Fetches an image of `server_id` (a path the server gave, such as
    /// `/library/metadata/55/thumb/1`) scaled to `width` x `height`. A failure is logged
    /// (at its kind's level) before it is returned.
    pub async fn thumbnail(
        &self,
        server_id: &str,
        path: &str,
        width: u32,
        height: u32,
    ) -> Result<Thumbnail, ThumbnailError> {
        let fetched = self.fetch_thumbnail(server_id, path, width, height).await;
        if let Err(refused) = &fetched {
            let _span = tracing::info_span!("thumbnail", server = %server_id).entered();
            crate::logging::failure(refused.kind(), &refused.message, "thumbnail not fetched");
        }
        fetched
    }

    async fn fetch_thumbnail(
        &self,
        server_id: &str,
        path: &str,
        width: u32,
        height: u32,
    ) -> Result<Thumbnail, ThumbnailError> {
        let server = self
            .server(server_id)
            .map_err(|_| refused(404, "No such server."))?;
        let url = server
            .image_url(path, width, height)
            .await
            .map_err(|_| refused(404, "No such image."))?;
        let parsed = reqwest::Url::parse(&url)
            .map_err(|_| refused(502, "The server gave an unusable image address."))?;
        let response = server
            .media_request(parsed)
            .send()
            .await
            .map_err(|_| refused(502, "The server could not be reached."))?;
        if !response.status().is_success() {
            return Err(refused(
                502,
                format!("The server answered HTTP {}.", response.status().as_u16()),
            ));
        }
        let bytes = crate::plex::transport::read_limited(response, MAX_IMAGE_BYTES)
            .await
            .map_err(|reason| refused(502, format!("The image could not be read: {reason}.")))?;
        let content_type = image_type(&bytes)
            .ok_or_else(|| refused(502, "The server sent something that is not an image."))?;
        Ok(Thumbnail {
            content_type: content_type.to_string(),
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_image_signatures_are_images() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(&[0xff, 0xd8, 0xff, 0xe0]), Some("image/jpeg"));
        assert_eq!(image_type(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"GIF89a.."), Some("image/gif"));
        for other in [
            &b"<html><script>fetch('/bridge')</script>"[..],
            b"<svg onload=alert(1)>",
            b"RIFF\x10\0\0\0WAVEfmt ",
            b"",
        ] {
            assert_eq!(image_type(other), None, "{other:?}");
        }
    }
}
