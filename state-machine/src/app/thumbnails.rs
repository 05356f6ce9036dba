//! Thumbnails for the UI, fetched by the host with the server's token added here, so the UI
//! never holds a token (desktop: `GET /thumb`; Android: `shouldInterceptRequest`).

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
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("image/jpeg")
            .to_string();
        let bytes = response
            .bytes()
            .await
            .map_err(|_| refused(502, "The image could not be read."))?;
        Ok(Thumbnail {
            content_type,
            bytes: bytes.to_vec(),
        })
    }
}
