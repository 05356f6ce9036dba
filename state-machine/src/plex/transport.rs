//! The HTTP layer under every Plex call: builds requests with the X-Plex-* headers and the
//! token, asks for JSON, reads bodies with a size limit, turns every failure into a
//! `PlexError` of the right kind, and logs each request (method, path with tokens removed,
//! status, duration) at debug level.
//!
//! The token stays with its server. Every URL is the connection's own scheme, host and
//! port followed by a path ([`Transport::url`] refuses a key that is not a path, such as
//! `@other:8080/x` or `//other/x`), and a redirect is followed only within that origin. A
//! redirect elsewhere comes back as its 3xx answer and becomes `PlexError::ForeignAddress`.
//! reqwest by itself would follow it with our headers: it drops only Authorization, Cookie,
//! Proxy-Authorization and WWW-Authenticate on a cross-host redirect (reqwest 0.12
//! `redirect::remove_sensitive_headers`), not X-Plex-Token, and keeps the query string.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use super::error::{ConnectionFailure, PlexError};
use super::identity::ClientIdentity;

/// Timeouts and limits of the HTTP layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportSettings {
    /// Time to open a connection.
    pub connect_timeout: Duration,
    /// Time for a whole API call (not used for media transfers, which have a stall timeout).
    pub request_timeout: Duration,
    /// Time a connection probe may take.
    pub probe_timeout: Duration,
    /// The largest API answer read (protects memory from a broken server).
    pub max_body_bytes: usize,
}

impl Default for TransportSettings {
    fn default() -> Self {
        TransportSettings {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            probe_timeout: Duration::from_secs(4),
            max_body_bytes: 32 * 1024 * 1024,
        }
    }
}

/// One API call.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    pub method: Method,
    /// Scheme, host and port, such as `http://192.168.1.20:32400`.
    pub base: &'a str,
    /// The path, possibly with a query string (`/library/sections/1/all?sort=title`).
    pub path: &'a str,
    pub query: Vec<(&'a str, String)>,
    pub headers: Vec<(&'a str, String)>,
    pub token: Option<&'a str>,
    /// A shorter timeout than the default (connection probes).
    pub timeout: Option<Duration>,
}

impl<'a> Call<'a> {
    /// A GET of `path` on `base`.
    pub fn get(base: &'a str, path: &'a str) -> Call<'a> {
        Call {
            method: Method::GET,
            base,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            token: None,
            timeout: None,
        }
    }

    /// A call with another method.
    pub fn new(method: Method, base: &'a str, path: &'a str) -> Call<'a> {
        Call {
            method,
            ..Call::get(base, path)
        }
    }

    /// Adds the token.
    pub fn token(mut self, token: Option<&'a str>) -> Call<'a> {
        self.token = token;
        self
    }

    /// Adds a query argument.
    pub fn arg(mut self, name: &'a str, value: impl Into<String>) -> Call<'a> {
        self.query.push((name, value.into()));
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &'a str, value: impl Into<String>) -> Call<'a> {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets a timeout for this call.
    pub fn timeout(mut self, timeout: Duration) -> Call<'a> {
        self.timeout = Some(timeout);
        self
    }

    /// The path with tokens removed, for logs and errors.
    pub fn logged_path(&self) -> String {
        plexdl_redact::redact_text(self.path).into_owned()
    }
}

/// The shared HTTP client.
#[derive(Debug, Clone)]
pub struct Transport {
    client: reqwest::Client,
    /// The client for media transfers: no connection is kept between transfers.
    media: reqwest::Client,
    identity: Arc<ClientIdentity>,
    settings: TransportSettings,
}

impl Transport {
    /// Builds the client (rustls with the webpki root certificates).
    pub fn new(
        identity: ClientIdentity,
        settings: TransportSettings,
    ) -> Result<Transport, PlexError> {
        let builder = || {
            reqwest::Client::builder()
                .connect_timeout(settings.connect_timeout)
                .redirect(same_origin_redirects())
                .use_rustls_tls()
        };
        let setup_failed = |error: reqwest::Error| PlexError::Tls {
            path: "(client setup)".to_string(),
            reason: error.to_string(),
        };
        let client = builder().build().map_err(setup_failed)?;
        // A transfer opens its own connection and closes it at the end. The connection's
        // task runs where the transfer runs (see engine::transfer), so a connection kept
        // from an API call, whose task lives on another thread, is never used for one.
        let media = builder()
            .pool_max_idle_per_host(0)
            .build()
            .map_err(setup_failed)?;
        Ok(Transport {
            client,
            media,
            identity: Arc::new(identity),
            settings,
        })
    }

    /// The identity sent with every request.
    pub fn identity(&self) -> &ClientIdentity {
        &self.identity
    }

    /// The settings in force.
    pub fn settings(&self) -> &TransportSettings {
        &self.settings
    }

    /// The client for media transfers that stream their bodies. It keeps no connection
    /// between requests.
    pub fn media_client(&self) -> &reqwest::Client {
        &self.media
    }

    /// The full URL of a call, with its query arguments. The path must be a path on the
    /// base's scheme, host and port: one that does not start with a single `/`, or that
    /// ends up on another origin or with user info, is refused as a foreign address.
    pub fn url(call: &Call<'_>) -> Result<Url, PlexError> {
        let text = format!("{}{}", call.base.trim_end_matches('/'), call.path);
        let invalid = |error: String| PlexError::Unreachable {
            attempts: vec![ConnectionFailure {
                uri: plexdl_redact::redact_text(&text).into_owned(),
                reason: format!("not a valid address: {error}"),
            }],
        };
        let foreign = || PlexError::ForeignAddress {
            path: call.logged_path(),
            target: plexdl_redact::redact_text(&text).into_owned(),
        };
        let is_path = call.path.starts_with('/')
            && !call.path.starts_with("//")
            && !call.path.starts_with("/\\");
        if !is_path {
            return Err(foreign());
        }
        let base = Url::parse(call.base).map_err(|error| invalid(error.to_string()))?;
        let mut url = Url::parse(&text).map_err(|error| invalid(error.to_string()))?;
        if url.origin() != base.origin() || !url.username().is_empty() || url.password().is_some() {
            return Err(foreign());
        }
        if !call.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &call.query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    /// A request builder with the identity headers, the token and Accept: application/json.
    pub fn request(&self, call: &Call<'_>) -> Result<reqwest::RequestBuilder, PlexError> {
        let url = Transport::url(call)?;
        let mut builder = self
            .client
            .request(call.method.clone(), url)
            .header(ACCEPT, "application/json");
        for (name, value) in self.identity.headers() {
            builder = builder.header(name, value);
        }
        if super::identity::needs_client_profile(call.path) {
            let (name, value) = super::identity::CLIENT_PROFILE_NAME;
            builder = builder.header(name, value);
        }
        for (name, value) in &call.headers {
            builder = builder.header(*name, value);
        }
        if let Some(token) = call.token {
            builder = builder.header("X-Plex-Token", token);
        }
        Ok(builder)
    }

    /// Sends a call and returns the response if its status is a success; any other status
    /// becomes the matching error.
    pub async fn send(&self, call: &Call<'_>) -> Result<reqwest::Response, PlexError> {
        let started = Instant::now();
        let path = call.logged_path();
        let timeout = call.timeout.unwrap_or(self.settings.request_timeout);
        let result = self.request(call)?.timeout(timeout).send().await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                let mapped = map_send_error(&error, call.base, &path);
                // Failed requests are logged at info, so they reach the Diagnostics screen.
                tracing::info!(method = %call.method, path = %path, elapsed_ms, kind = %mapped.kind(), error = %mapped, "plex request failed");
                return Err(mapped);
            }
        };
        let status = response.status();
        tracing::debug!(method = %call.method, path = %path, status = status.as_u16(), elapsed_ms, "plex request");
        if status.is_success() {
            return Ok(response);
        }
        let headers = response.headers().clone();
        let body = read_limited(response, 4096).await.unwrap_or_default();
        let refused = status_error(status, &headers, &body, &path);
        tracing::info!(method = %call.method, path = %path, status = status.as_u16(), elapsed_ms, kind = %refused.kind(), "plex request refused");
        Err(refused)
    }

    /// Sends a call and parses its JSON answer.
    pub async fn json<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T, PlexError> {
        let path = call.logged_path();
        let response = self.send(call).await?;
        let status = response.status();
        let content_type = content_type(response.headers());
        let body = read_limited(response, self.settings.max_body_bytes)
            .await
            .map_err(|reason| PlexError::ConnectionLost {
                path: path.clone(),
                reason,
            })?;
        parse_json(&body, status, &content_type, &path)
    }

    /// Sends a call whose answer has no useful body (restart, delete).
    pub async fn empty(&self, call: &Call<'_>) -> Result<(), PlexError> {
        let response = self.send(call).await?;
        let _ = read_limited(response, 64 * 1024).await;
        Ok(())
    }
}

/// The redirect policy of both clients: follow at most 5 redirects, and only to the origin
/// (scheme, host and port) of the first request. Any other redirect is not followed; its 3xx
/// answer is returned and [`status_error`] turns it into `ForeignAddress`.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(Url::origin);
        if first.as_ref() != Some(&attempt.url().origin()) {
            attempt.stop()
        } else if attempt.previous().len() > 5 {
            attempt.error("more than 5 redirects")
        } else {
            attempt.follow()
        }
    })
}

/// Parses a JSON body; anything else (HTML, XML, a truncated document) is a BadResponse.
pub fn parse_json<T: DeserializeOwned>(
    body: &[u8],
    status: StatusCode,
    content_type: &str,
    path: &str,
) -> Result<T, PlexError> {
    let first = body
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .copied();
    let looks_like_json = matches!(first, Some(b'{') | Some(b'['));
    let bad = |expected: String| PlexError::BadResponse {
        path: path.to_string(),
        expected,
        status: status.as_u16(),
        content_type: if content_type.is_empty() {
            "(no content type)".to_string()
        } else {
            content_type.to_string()
        },
        body_start: body_start(body),
    };
    if !looks_like_json {
        return Err(bad(format!(
            "a JSON document ({})",
            std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or("value")
        )));
    }
    serde_json::from_slice(body).map_err(|error| bad(format!("a readable JSON document ({error})")))
}

/// The first bytes of a body as text, with tokens and control characters removed.
pub fn body_start(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    plexdl_redact::redact_text(clean.trim()).into_owned()
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Reads a body up to `limit` bytes, chunk by chunk: one that announces or reaches more is
/// refused as soon as that is known, so a huge answer never fills memory.
pub async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, String> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(format!("the answer is larger than {limit} bytes"));
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(format!("the answer is larger than {limit} bytes"));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(error) => return Err(plexdl_redact::redact_text(&error_chain(&error)).into_owned()),
        }
    }
}

/// The Retry-After header in seconds (-1, meaning "unknown", and dates give `None`).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<i64>()
        .ok()?;
    (value >= 0).then(|| Duration::from_secs(value as u64))
}

/// The error for a non-success status.
pub fn status_error(status: StatusCode, headers: &HeaderMap, body: &[u8], path: &str) -> PlexError {
    let path = path.to_string();
    match status.as_u16() {
        401 => PlexError::Unauthorized { path },
        403 => PlexError::Forbidden { path },
        404 | 410 => PlexError::NotFound { path },
        // Only a redirect to another origin comes back (see `same_origin_redirects`).
        301 | 302 | 303 | 307 | 308 => PlexError::ForeignAddress {
            path,
            target: headers
                .get(LOCATION)
                .and_then(|value| value.to_str().ok())
                .map(|location| plexdl_redact::redact_text(location).into_owned())
                .unwrap_or_else(|| "(no Location header)".to_string()),
        },
        429 => PlexError::RateLimited {
            path,
            retry_after: retry_after(headers),
        },
        500 | 502 | 503 | 504 | 509 => PlexError::ServerOverloaded {
            path,
            status: status.as_u16(),
            retry_after: retry_after(headers),
        },
        other => PlexError::BadResponse {
            path,
            expected: "a successful answer".to_string(),
            status: other,
            content_type: content_type(headers),
            body_start: body_start(body),
        },
    }
}

/// Every message in an error's source chain, joined.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        source = inner.source();
    }
    parts.join(": ")
}

/// Whether a TLS (rustls) error is somewhere in the chain. I/O errors hide the error they
/// wrap from `source()`, so each one is opened with `get_ref()` as well; the TLS layer may
/// also hand up only rustls's message as an I/O error of kind InvalidData, which on an https
/// address counts as a TLS failure too.
fn tls_failure(error: &(dyn std::error::Error + 'static), https: bool) -> Option<String> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(inner) = current {
        if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
            return Some(tls.to_string());
        }
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            if https && io.kind() == std::io::ErrorKind::InvalidData {
                return Some(
                    io.get_ref()
                        .map_or_else(|| io.to_string(), |wrapped| wrapped.to_string()),
                );
            }
            if let Some(wrapped) = io.get_ref() {
                current = Some(wrapped);
                continue;
            }
        }
        current = inner.source();
    }
    None
}

/// The plain reason of a connection failure.
fn connect_reason(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(inner) = current {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".to_string(),
                std::io::ErrorKind::ConnectionReset => "connection reset".to_string(),
                std::io::ErrorKind::TimedOut => "timed out".to_string(),
                std::io::ErrorKind::HostUnreachable => "host unreachable".to_string(),
                std::io::ErrorKind::NetworkUnreachable => "network unreachable".to_string(),
                _ => io.to_string(),
            };
        }
        current = inner.source();
    }
    let chain = error_chain(error);
    if chain.contains("dns error") || chain.contains("failed to lookup") {
        "the name could not be resolved".to_string()
    } else {
        chain
    }
}

/// Maps a reqwest failure (no status received) to the matching error.
pub fn map_send_error(error: &reqwest::Error, base: &str, path: &str) -> PlexError {
    let path = path.to_string();
    if let Some(reason) = tls_failure(error, base.starts_with("https://")) {
        return PlexError::Tls { path, reason };
    }
    if error.is_timeout() {
        let phase = if error.is_connect() {
            "while connecting"
        } else {
            "while waiting for the answer"
        };
        return PlexError::Timeout {
            path,
            phase: phase.to_string(),
        };
    }
    if error.is_connect() {
        return PlexError::Unreachable {
            attempts: vec![ConnectionFailure {
                uri: plexdl_redact::redact_text(base).into_owned(),
                reason: connect_reason(error),
            }],
        };
    }
    PlexError::ConnectionLost {
        path,
        reason: plexdl_redact::redact_text(&error_chain(error)).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn statuses_map_to_kinds() {
        use plexdl_protocol::FailureKind;
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        let kind = |status: u16| {
            status_error(
                StatusCode::from_u16(status).expect("status"),
                &headers,
                b"",
                "/x",
            )
            .kind()
        };
        assert_eq!(kind(401), FailureKind::Unauthorized);
        assert_eq!(kind(403), FailureKind::Forbidden);
        assert_eq!(kind(404), FailureKind::NotFound);
        assert_eq!(kind(429), FailureKind::RateLimited);
        assert_eq!(kind(500), FailureKind::ServerOverloaded);
        assert_eq!(kind(509), FailureKind::ServerOverloaded);
        assert_eq!(kind(418), FailureKind::BadResponse);
        let overloaded = status_error(StatusCode::SERVICE_UNAVAILABLE, &headers, b"", "/x");
        assert_eq!(overloaded.retry_after(), Some(Duration::from_secs(7)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("-1"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn a_key_that_is_not_a_path_on_the_connection_is_refused() {
        let base = "http://192.168.1.20:32400";
        let url = |path: &str| Transport::url(&Call::get(base, path));
        for foreign in [
            "@127.0.0.1:9/library/parts/1/file.mkv",
            "//127.0.0.1:9/library/parts/1/file.mkv",
            "/\\127.0.0.1:9/x",
            "http://127.0.0.1:9/x",
            ":9/x",
            ".evil.example/x",
            "",
        ] {
            match url(foreign) {
                Err(PlexError::ForeignAddress { .. }) => {}
                other => panic!("{foreign:?} gave {other:?}"),
            }
        }
        let kept = url("/library/parts/1/a@b.mkv?X-Plex-Token=secret12345").expect("a path");
        assert_eq!(kept.host_str(), Some("192.168.1.20"));
        assert_eq!(kept.port(), Some(32400));
        assert_eq!(kept.path(), "/library/parts/1/a@b.mkv");
        let refused = url("@evil:9/x?X-Plex-Token=secret12345").expect_err("refused");
        assert!(!refused.to_string().contains("secret12345"), "{refused}");
        assert_eq!(refused.kind(), plexdl_protocol::FailureKind::ForeignAddress);
    }

    #[test]
    fn a_redirect_that_comes_back_is_a_foreign_address_without_the_token() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LOCATION,
            HeaderValue::from_static("http://10.0.0.9:8080/x?X-Plex-Token=secret12345"),
        );
        for status in [301, 302, 303, 307, 308] {
            let error = status_error(
                StatusCode::from_u16(status).expect("status"),
                &headers,
                b"",
                "/library/sections",
            );
            assert_eq!(error.kind(), plexdl_protocol::FailureKind::ForeignAddress);
            let text = error.to_string();
            assert!(
                text.contains("10.0.0.9:8080") && !text.contains("secret12345"),
                "{text}"
            );
        }
    }

    #[test]
    fn html_and_xml_bodies_are_bad_responses_with_a_redacted_excerpt() {
        let html = b"<html><body>login here ?X-Plex-Token=secret12345</body></html>";
        let error =
            parse_json::<serde_json::Value>(html, StatusCode::OK, "text/html", "/library/sections")
                .expect_err("not JSON");
        match &error {
            PlexError::BadResponse {
                body_start,
                content_type,
                ..
            } => {
                assert!(body_start.starts_with("<html>"));
                assert!(!body_start.contains("secret12345"));
                assert_eq!(content_type, "text/html");
            }
            other => panic!("unexpected {other:?}"),
        }
        let xml = b"<?xml version=\"1.0\"?><MediaContainer size=\"0\"/>";
        assert!(parse_json::<serde_json::Value>(xml, StatusCode::OK, "text/xml", "/").is_err());
        let truncated = b"{\"MediaContainer\": {\"size\": 1, ";
        let error =
            parse_json::<serde_json::Value>(truncated, StatusCode::OK, "application/json", "/")
                .expect_err("truncated");
        assert!(error.to_string().contains("readable JSON"), "{error}");
    }
}
