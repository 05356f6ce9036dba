//! The desktop's UI host: the same bridge the Android WebView uses, over HTTP on the local
//! machine. `POST /bridge` answers bridge requests through the core's dispatcher,
//! `GET /events` pushes download snapshots and the sign-in state (server-sent events) when
//! they change,
//! `GET /thumb` fetches a thumbnail with the server's token added here (the UI never sees a
//! token), and everything else is served from the built UI folder.
//!
//! It listens on 127.0.0.1 by default and answers only requests whose Host is a loopback
//! name, so a web page elsewhere cannot reach it through DNS rebinding.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use plexdl_core::app::App;
use plexdl_core::app::pushes::PushTracker;
use plexdl_protocol::MAX_REQUEST_BYTES;
use serde::Deserialize;

/// What the UI server needs.
#[derive(Debug, Clone)]
pub struct UiState {
    pub app: Arc<App>,
    /// The built UI (index.html and its files), if there is one.
    pub ui_dir: Option<PathBuf>,
}

/// The routes of the UI server.
pub fn router(state: UiState) -> Router {
    Router::new()
        .route("/bridge", post(bridge))
        .route("/events", get(events))
        .route("/thumb", get(thumbnail))
        .fallback(static_file)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn(loopback_only))
        .with_state(state)
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn loopback_only(request: Request, next: axum::middleware::Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    if matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            "This server answers only on the local machine.",
        )
            .into_response()
    }
}

async fn bridge(
    State(state): State<UiState>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let Ok(body) = body else {
        let answer = plexdl_protocol::Response::error(
            0,
            plexdl_protocol::ErrorBody::new(
                plexdl_protocol::FailureKind::TooLarge,
                "The request is too large.",
            ),
        );
        return json_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            serde_json::to_string(&answer).unwrap_or_default(),
        );
    };
    let _ = headers;
    let text = String::from_utf8_lossy(&body);
    json_response(StatusCode::OK, state.app.dispatch(&text).await)
}

/// Server-sent events: `downloads` (snapshots) and `signIn`, each sent when it changes.
async fn events(
    State(state): State<UiState>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let start = (state.app, PushTracker::new(), true);
    let stream = futures_util::stream::unfold(start, |(app, mut tracker, first)| async move {
        loop {
            if let Some((event, push)) = tracker.next(&app) {
                let event = Event::default().event(event.name()).data(push);
                return Some((Ok(event), (app, tracker, false)));
            }
            if first {
                return Some((
                    Ok(Event::default().comment("no change")),
                    (app, tracker, false),
                ));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[derive(Debug, Deserialize)]
struct ThumbQuery {
    server: String,
    path: String,
    #[serde(default = "default_width")]
    width: u32,
    #[serde(default = "default_height")]
    height: u32,
}

fn default_width() -> u32 {
    200
}

fn default_height() -> u32 {
    300
}

async fn thumbnail(State(state): State<UiState>, Query(query): Query<ThumbQuery>) -> Response {
    match state
        .app
        .thumbnail(&query.server, &query.path, query.width, query.height)
        .await
    {
        Ok(image) => (
            [
                (header::CONTENT_TYPE, image.content_type),
                (header::CACHE_CONTROL, "max-age=3600".to_string()),
            ],
            image.bytes,
        )
            .into_response(),
        Err(refused) => (
            StatusCode::from_u16(refused.status).unwrap_or(StatusCode::BAD_GATEWAY),
            refused.message,
        )
            .into_response(),
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

async fn static_file(State(state): State<UiState>, request: Request) -> Response {
    let Some(dir) = state
        .ui_dir
        .as_ref()
        .filter(|dir| dir.join("index.html").is_file())
    else {
        return (
            StatusCode::NOT_FOUND,
            "The user interface is not built in this checkout. The bridge answers at POST /bridge.",
        )
            .into_response();
    };
    let path = request.uri().path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    // Only plain names inside the UI folder.
    if path
        .split('/')
        .any(|part| part.is_empty() || part == ".." || part.starts_with('.'))
    {
        return (StatusCode::NOT_FOUND, "Not found.").into_response();
    }
    match tokio::fs::read(dir.join(path)).await {
        Ok(bytes) => (
            [(header::CONTENT_TYPE, content_type(path))],
            Body::from(bytes),
        )
            .into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "Not found.").into_response(),
    }
}
