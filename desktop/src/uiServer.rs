//! The desktop's UI host: the same bridge the Android WebView uses, over HTTP on the local
//! machine. `POST /bridge` answers bridge requests through the core's dispatcher,
//! `GET /events` pushes download snapshots and the sign-in state (server-sent events) when
//! they change,
//! `GET /thumb` fetches a thumbnail with the server's token added here (the UI never sees a
//! token), `POST /play` hands a finished download to the system's opener (the host message
//! `{"play": ID}` that the Android app gets through its WebView channel), and everything
//! else is served from the built UI folder.
//!
//! It listens on 127.0.0.1 by default and answers only requests whose Host is a loopback
//! name, so a web page elsewhere cannot reach it through DNS rebinding.
//!
//! The bridge belongs to the app's own page. Other pages in the user's browser can send
//! requests to 127.0.0.1 too (a form's `text/plain` POST needs no CORS preflight), so
//! `/bridge`, `/events`, `/thumb` and `/play` answer only requests that
//! - carry the per-launch secret: the page gets it as a cookie with SameSite=Strict and
//!   HttpOnly when it is served, so a request started by another site never carries it, and
//!   no script can read it (RFC 6265bis, the SameSite attribute);
//! - come from the app's own origin when the browser says where they come from: an Origin
//!   header other than `http://<Host>` (a page on another local port is the same site, so it
//!   would carry the cookie) or a Sec-Fetch-Site other than `same-origin` or `none` is
//!   refused;
//! - and, for `POST /bridge` and `POST /play`, have the type `application/json`, which no
//!   form can send and which makes a browser ask the server first (a CORS preflight, never
//!   answered here).
//!
//! With `--allow-remote`, `/play` is refused: it would start a player on this machine for
//! someone elsewhere.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
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
    /// This launch's secret (see the module documentation).
    pub secret: Arc<str>,
    /// Listening beyond this machine (`--allow-remote`): any Host is answered, and a page
    /// gets the secret only when its address carries it (`/?key=SECRET`), since anyone who
    /// can reach the port could load a page.
    pub remote: bool,
}

/// Connections open at once; more are closed as soon as they are accepted.
pub const MAX_CONNECTIONS: usize = 64;

/// A request's headers must arrive within this time (also the longest a kept-alive
/// connection waits for its next request), and a bridge request's body too.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves `router` on `listener` until `stop` completes: at most [`MAX_CONNECTIONS`] at
/// once, each closed if a request's headers take longer than [`READ_TIMEOUT`], so idle or
/// slow connections, however many, cannot stop the bridge for longer than that.
pub async fn serve_bounded(
    listener: tokio::net::TcpListener,
    router: Router,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => accepted?,
            () = &mut stop => return Ok(()),
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::info!(%peer, "connection closed: {MAX_CONNECTIONS} are open already");
            drop(stream);
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(READ_TIMEOUT);
            if let Err(error) = builder
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%peer, %error, "connection ended");
            }
            drop(permit);
        });
    }
}

/// The name of the cookie that carries the launch secret.
pub const SESSION_COOKIE: &str = "plexdl_session";

/// A new launch secret: 32 random bytes from the system, as hex.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// The routes of the UI server.
pub fn router(state: UiState) -> Router {
    let app_only = Router::new()
        .route("/bridge", post(bridge))
        .route("/events", get(events))
        .route("/thumb", get(thumbnail))
        .route("/play", post(play))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            from_the_app_only,
        ));
    Router::new()
        .merge(app_only)
        .fallback(static_file)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            loopback_only,
        ))
        .with_state(state)
}

/// The secret a request carries: in the session cookie (the app's page) or in the
/// X-Plexdl-Secret header (tools that were given it).
fn carried_secret(headers: &HeaderMap) -> Option<&str> {
    if let Some(value) = headers
        .get("x-plexdl-secret")
        .and_then(|value| value.to_str().ok())
    {
        return Some(value.trim());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

/// Compares without stopping at the first difference, so the time taken does not tell how
/// much of a guess was right.
fn same_secret(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

/// The Sec-Fetch-Site values of a request the app's own page makes (`none`: typed or
/// bookmarked by the user).
const SAME_ORIGIN_SITES: [&str; 2] = ["same-origin", "none"]; // not the protocol's vocabulary: HTTP values

/// Why a request to the bridge, the events or the thumbnails is refused, if it is.
fn refusal(headers: &HeaderMap, secret: &str) -> Option<&'static str> {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    if let Some(origin) = headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        && origin != format!("http://{host}")
    {
        return Some("This request comes from another web page.");
    }
    if let Some(site) = headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok())
        && !SAME_ORIGIN_SITES.contains(&site)
    {
        return Some("This request comes from another web page.");
    }
    match carried_secret(headers) {
        Some(given) if same_secret(given, secret) => None,
        _ => Some("This request does not come from the app's page; open the app's address again."),
    }
}

async fn from_the_app_only(
    State(state): State<UiState>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    match refusal(request.headers(), &state.secret) {
        None => next.run(request).await,
        Some(reason) => {
            tracing::info!(path = %request.uri().path(), reason, "local request refused");
            (StatusCode::FORBIDDEN, reason).into_response()
        }
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn loopback_only(
    State(state): State<UiState>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    if state.remote {
        return next.run(request).await;
    }
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

async fn bridge(State(state): State<UiState>, headers: HeaderMap, body: Body) -> Response {
    let body = match json_body(&headers, body).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let text = String::from_utf8_lossy(&body);
    json_response(StatusCode::OK, state.app.dispatch(&text).await)
}

/// The body of a `POST /bridge` or `POST /play`: read within [`READ_TIMEOUT`], at most
/// `MAX_REQUEST_BYTES` long, and of the type `application/json`; otherwise the answer that
/// refuses it (the body is read first, as before, so a refusal never leaves it unread).
async fn json_body(headers: &HeaderMap, body: Body) -> Result<axum::body::Bytes, Response> {
    let body = read_body(body).await?;
    match not_json(headers) {
        Some(refused) => Err(refused),
        None => Ok(body),
    }
}

/// A request's body, read within [`READ_TIMEOUT`] and at most `MAX_REQUEST_BYTES` long,
/// or the answer that refuses it.
async fn read_body(body: Body) -> Result<axum::body::Bytes, Response> {
    match tokio::time::timeout(READ_TIMEOUT, axum::body::to_bytes(body, MAX_REQUEST_BYTES)).await {
        Err(_) => Err((
            StatusCode::REQUEST_TIMEOUT,
            "The request's body did not arrive in time.",
        )
            .into_response()),
        Ok(Err(_)) => Err(error_answer(
            StatusCode::PAYLOAD_TOO_LARGE,
            plexdl_protocol::ErrorBody::new(
                plexdl_protocol::FailureKind::TooLarge,
                "The request is too large.",
            ),
        )),
        Ok(Ok(body)) => Ok(body),
    }
}

/// The refusal of a request whose type is not `application/json` (see the module
/// documentation), or `None` when it is.
fn not_json(headers: &HeaderMap) -> Option<Response> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("application/json"));
    (!json).then(|| {
        error_answer(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            plexdl_protocol::ErrorBody::new(
                plexdl_protocol::FailureKind::BadRequest,
                "The bridge accepts only requests of type application/json.",
            ),
        )
    })
}

/// An error answer in the bridge's shape (request id 0).
fn error_answer(status: StatusCode, error: plexdl_protocol::ErrorBody) -> Response {
    let answer = plexdl_protocol::Response::error(0, error);
    json_response(status, serde_json::to_string(&answer).unwrap_or_default())
}

/// `POST /play` with `{"play": ID}`: hands the finished file of download ID to the
/// system's opener and answers `{"played": ID}` in the bridge's shape, or its failure.
async fn play(State(state): State<UiState>, headers: HeaderMap, body: Body) -> Response {
    use plexdl_protocol::{ErrorBody, FailureKind, PlayMessage};
    let body = match json_body(&headers, body).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    if state.remote {
        return error_answer(
            StatusCode::FORBIDDEN,
            ErrorBody::new(
                FailureKind::BadRequest,
                "Play opens the file on the computer that runs plexdl, so it is off when the app is reached from another machine.",
            ),
        );
    }
    let Ok(message) = serde_json::from_slice::<PlayMessage>(&body) else {
        return error_answer(
            StatusCode::BAD_REQUEST,
            ErrorBody::new(FailureKind::BadRequest, "Play needs {\"play\": ID}."),
        );
    };
    let file = match state.app.core().finished_file(message.play) {
        Ok(file) => file,
        Err(refused) => {
            let public = refused.public();
            tracing::info!(download_id = message.play, kind = %public.kind, "play refused");
            return error_answer(StatusCode::CONFLICT, public);
        }
    };
    match crate::opener::open(&file) {
        Ok(()) => json_response(
            StatusCode::OK,
            serde_json::to_string(&plexdl_protocol::Response::ok(
                0,
                serde_json::json!({ "played": message.play }),
            ))
            .unwrap_or_default(),
        ),
        Err(error) => {
            tracing::warn!(download_id = message.play, %error, opener = %crate::opener::opener().to_string_lossy(), "the opener did not start");
            error_answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorBody::new(FailureKind::Internal, crate::opener::not_started(&error)),
            )
        }
    }
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
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
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
    let keyed = request
        .uri()
        .query()
        .into_iter()
        .flat_map(|query| query.split('&'))
        .filter_map(|pair| pair.split_once('='))
        .any(|(name, value)| name == "key" && same_secret(value, &state.secret));
    let mut response = static_answer(&state, request).await;
    response.headers_mut().insert(
        "x-content-type-options",
        header::HeaderValue::from_static("nosniff"),
    );
    // Every page of the app carries the launch secret back to the bridge (see above); beyond
    // this machine only a page whose address carried the key gets it.
    if state.remote && !keyed {
        return response;
    }
    if let Ok(cookie) = header::HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={}; Path=/; SameSite=Strict; HttpOnly",
        state.secret
    )) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

async fn static_answer(state: &UiState, request: Request) -> Response {
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
