//! Servers: the list from plex.tv's resources (each server with its own access token), a
//! server added directly by address and token, and the choice of connection: every address
//! is probed at once with a short timeout, and the best one that answers wins (local, then
//! remote, then relay). The winner is remembered; when it stops answering, the addresses are
//! probed again.

use std::fmt;
use std::sync::{Arc, Mutex};

use futures_util::future::join_all;
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::auth::PlexAccount;
use super::error::{ConnectionFailure, PlexError};
use super::models::{Envelope, Resource};
use super::transport::{Call, Transport};
use plexdl_protocol::FailureKind;

/// How a connection reaches the server, in order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionKind {
    Local,
    Remote,
    Relay,
}

/// One address of a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerConnection {
    pub uri: String,
    pub kind: ConnectionKind,
}

/// A server from the resources list.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerInfo {
    pub name: String,
    pub machine_id: String,
    pub owned: bool,
    pub version: Option<String>,
    pub connections: Vec<ServerConnection>,
    /// The server accepts only secure connections ("Secure connections: Required"; the
    /// resources list's `httpsRequired`): plain http is never used for it.
    pub https_required: bool,
    /// The server's own token (never shown or logged).
    pub access_token: String,
}

impl fmt::Debug for ServerInfo {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("ServerInfo")
            .field("name", &self.name)
            .field("machine_id", &self.machine_id)
            .field("owned", &self.owned)
            .field("version", &self.version)
            .field("connections", &self.connections)
            .field("https_required", &self.https_required)
            .field("access_token", &plexdl_redact::REDACTED)
            .finish()
    }
}

/// Rules for which addresses may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectionPolicy {
    /// Use plain http for remote and relay addresses too. Off by default: the token would
    /// travel unencrypted over the internet. Tests against a local replay server turn it on.
    pub allow_plain_http_remote: bool,
}

impl PlexAccount {
    /// The servers of the signed-in account (`/api/v2/resources` with https, relay and IPv6
    /// addresses). Each server's access token is registered for redaction.
    pub async fn servers(&self, token: &str) -> Result<Vec<ServerInfo>, PlexError> {
        let call = Call::get(&self.plex_tv, "/api/v2/resources")
            .token(Some(token))
            .arg("includeHttps", "1")
            .arg("includeRelay", "1")
            .arg("includeIPv6", "1");
        let resources: Vec<Resource> = self.transport.json(&call).await?;
        let servers: Vec<ServerInfo> = resources
            .into_iter()
            .filter(Resource::is_server)
            .filter_map(server_info)
            .collect();
        tracing::info!(servers = servers.len(), "server list read");
        Ok(servers)
    }
}

fn server_info(resource: Resource) -> Option<ServerInfo> {
    let access_token = resource
        .access_token
        .clone()
        .filter(|token| !token.is_empty())?;
    plexdl_redact::register_secret(&access_token);
    let https_required = resource.https_required.unwrap_or(false);
    let mut connections: Vec<ServerConnection> = Vec::new();
    for connection in &resource.connections {
        let Some(uri) = connection.uri.as_deref() else {
            continue;
        };
        let kind = if connection.relay == Some(true) {
            ConnectionKind::Relay
        } else if connection.local == Some(true) {
            ConnectionKind::Local
        } else {
            ConnectionKind::Remote
        };
        connections.push(ServerConnection {
            uri: uri.trim_end_matches('/').to_string(),
            kind,
        });
    }
    // Routers with DNS rebinding protection do not resolve `*.plex.direct` names on the
    // LAN, so each local connection is also tried as plain http at its address and port,
    // as python-plexapi does (realServerFindings.md section 5). Not for a server that
    // requires secure connections.
    if !https_required {
        for connection in &resource.connections {
            if connection.local != Some(true) || connection.relay == Some(true) {
                continue;
            }
            if let (Some(address), Some(port)) = (connection.address.as_deref(), connection.port)
                && let Some(host) = plain_host(address)
            {
                let uri = format!("http://{host}:{port}");
                let listed = connections
                    .iter()
                    .any(|known| known.uri == uri && known.kind != ConnectionKind::Relay);
                if !listed {
                    connections.push(ServerConnection {
                        uri,
                        kind: ConnectionKind::Local,
                    });
                }
            }
        }
    }
    Some(ServerInfo {
        name: resource
            .name
            .unwrap_or_else(|| "Plex Media Server".to_string()),
        machine_id: resource.client_identifier.unwrap_or_default(),
        owned: resource.owned.unwrap_or(false),
        version: resource.product_version,
        connections,
        https_required,
        access_token,
    })
}

/// An address from the resources list as the host of a URL (IPv6 in brackets); `None` for
/// anything that is not an IP address, since a name is what may not resolve.
fn plain_host(address: &str) -> Option<String> {
    match address.trim().parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(ip) => Some(ip.to_string()),
        std::net::IpAddr::V6(ip) => Some(format!("[{ip}]")),
    }
}

/// One Plex Media Server and the connection in use.
#[derive(Clone)]
pub struct PlexServer {
    pub(crate) transport: Transport,
    name: String,
    machine_id: Option<String>,
    token: String,
    connections: Vec<ServerConnection>,
    /// Added by the user: plain http is allowed on its one address.
    direct: bool,
    /// Plain http is never used (the server requires secure connections).
    https_required: bool,
    policy: ConnectionPolicy,
    current: Arc<Mutex<Option<ServerConnection>>>,
}

impl fmt::Debug for PlexServer {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("PlexServer")
            .field("name", &self.name)
            .field("machine_id", &self.machine_id)
            .field("connections", &self.connections)
            .field("token", &plexdl_redact::REDACTED)
            .finish()
    }
}

impl PlexServer {
    /// A server from the resources list.
    pub fn from_info(
        transport: Transport,
        info: ServerInfo,
        policy: ConnectionPolicy,
    ) -> PlexServer {
        plexdl_redact::register_secret(&info.access_token);
        PlexServer {
            transport,
            name: info.name,
            machine_id: Some(info.machine_id).filter(|id| !id.is_empty()),
            token: info.access_token,
            connections: info.connections,
            direct: false,
            https_required: info.https_required,
            policy,
            current: Arc::new(Mutex::new(None)),
        }
    }

    /// A server added by address and token (on the local network, or for tests).
    pub fn direct(
        transport: Transport,
        url: &str,
        token: &str,
        name: &str,
    ) -> Result<PlexServer, PlexError> {
        let parsed = Url::parse(url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        let Some(parsed) = parsed else {
            return Err(PlexError::Unreachable {
                attempts: vec![ConnectionFailure {
                    uri: plexdl_redact::redact_text(url).into_owned(),
                    reason: "not an http or https address".to_string(),
                }],
            });
        };
        plexdl_redact::register_secret(token);
        let uri = parsed.as_str().trim_end_matches('/').to_string();
        Ok(PlexServer {
            transport,
            name: name.to_string(),
            machine_id: None,
            token: token.to_string(),
            connections: vec![ServerConnection {
                uri,
                kind: ConnectionKind::Local,
            }],
            direct: true,
            https_required: false,
            policy: ConnectionPolicy::default(),
            current: Arc::new(Mutex::new(None)),
        })
    }

    /// The server's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The server's machine identifier, when known.
    pub fn machine_id(&self) -> Option<&str> {
        self.machine_id.as_deref()
    }

    /// Every known address.
    pub fn connections(&self) -> &[ServerConnection] {
        &self.connections
    }

    /// The connection in use, if one was chosen.
    pub fn current_connection(&self) -> Option<ServerConnection> {
        self.current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    fn allowed(&self, connection: &ServerConnection) -> Result<(), String> {
        let plain = connection.uri.starts_with("http://");
        if plain && self.https_required {
            return Err(
                "the server requires secure connections, so plain http is not used".to_string(),
            );
        }
        if plain
            && !self.direct
            && connection.kind != ConnectionKind::Local
            && !self.policy.allow_plain_http_remote
        {
            return Err(
                "plain http is only used for local addresses; this one is not local".to_string(),
            );
        }
        Ok(())
    }

    /// Probes every address at once and keeps the best one that answers.
    pub async fn probe(&self) -> Result<ServerConnection, PlexError> {
        let timeout = self.transport.settings().probe_timeout;
        let probes = self.connections.iter().map(|connection| async move {
            if let Err(reason) = self.allowed(connection) {
                return (connection.clone(), Err(reason));
            }
            let call = Call::get(&connection.uri, "/identity")
                .token(Some(&self.token))
                .timeout(timeout);
            let result = match self.transport.json::<Envelope>(&call).await {
                Ok(envelope) => match (&self.machine_id, envelope.container.machine_identifier) {
                    (Some(expected), Some(found)) if *expected != found => {
                        Err("a different Plex server answers at this address".to_string())
                    }
                    _ => Ok(()),
                },
                Err(PlexError::Unreachable { attempts }) => Err(attempts
                    .first()
                    .map(|failure| failure.reason.clone())
                    .unwrap_or_default()),
                Err(PlexError::Tls { reason, .. }) => {
                    Err(format!("secure connection failed: {reason}"))
                }
                Err(other) => Err(other.to_string()),
            };
            (connection.clone(), result)
        });
        let results = join_all(probes).await;
        let mut failures = Vec::new();
        let mut best: Option<ServerConnection> = None;
        for (connection, result) in results {
            match result {
                Ok(()) => {
                    if best
                        .as_ref()
                        .is_none_or(|chosen| connection.kind < chosen.kind)
                    {
                        best = Some(connection);
                    }
                }
                Err(reason) => {
                    tracing::debug!(server = %self.name, uri = %connection.uri, %reason, "address did not answer");
                    failures.push(ConnectionFailure {
                        uri: plexdl_redact::redact_text(&connection.uri).into_owned(),
                        reason,
                    });
                }
            }
        }
        match best {
            Some(chosen) => {
                tracing::info!(server = %self.name, uri = %chosen.uri, kind = ?chosen.kind, "connection chosen");
                *self
                    .current
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(chosen.clone());
                Ok(chosen)
            }
            None => {
                tracing::warn!(server = %self.name, addresses = failures.len(), "no address of the server answered");
                Err(PlexError::Unreachable { attempts: failures })
            }
        }
    }

    /// After the connection in use broke (during a transfer, say): forgets it, probes every
    /// address again, and returns the new winner when it is a different address. `None`
    /// when the same address won again or nothing answers, so the caller treats the break
    /// as an ordinary failure.
    pub async fn reconnect(&self) -> Option<ServerConnection> {
        let broken = self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        match self.probe().await {
            Ok(next) if broken.as_ref().is_none_or(|old| old.uri != next.uri) => {
                tracing::info!(server = %self.name, from = ?broken.map(|c| c.uri), to = %next.uri, "the connection broke; going on with another address");
                Some(next)
            }
            Ok(_) => None,
            Err(error) => {
                tracing::info!(server = %self.name, %error, "no other address answers");
                None
            }
        }
    }

    /// The address in use, probing first if none was chosen yet.
    pub async fn base_url(&self) -> Result<String, PlexError> {
        if let Some(current) = self.current_connection() {
            return Ok(current.uri);
        }
        Ok(self.probe().await?.uri)
    }

    /// Runs a call on the connection in use; if the connection fails, probes again and tries
    /// once more on the new winner.
    pub(crate) async fn call_json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: Vec<(&str, String)>,
        headers: Vec<(&str, String)>,
    ) -> Result<T, PlexError> {
        let base = self.base_url().await?;
        let make = |base: &str| {
            let mut call = Call::new(method.clone(), "", path).token(Some(&self.token));
            call.query = query.clone();
            call.headers = headers.clone();
            (base.to_string(), call)
        };
        let (first_base, mut call) = make(&base);
        call.base = &first_base;
        match self.transport.json(&call).await {
            Err(error) if connection_failed(&error) => {
                tracing::info!(server = %self.name, error = %error, "connection failed; probing the server's addresses again");
                *self
                    .current
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
                let next = self.probe().await?;
                let (second_base, mut retry) = make(&next.uri);
                retry.base = &second_base;
                self.transport.json(&retry).await
            }
            other => other,
        }
    }

    /// Like [`PlexServer::call_json`] for calls whose answer has no useful body.
    pub(crate) async fn call_empty(
        &self,
        method: Method,
        path: &str,
        query: Vec<(&str, String)>,
    ) -> Result<(), PlexError> {
        let base = self.base_url().await?;
        let mut call = Call::new(method, &base, path).token(Some(&self.token));
        call.query = query;
        self.transport.empty(&call).await
    }

    /// The client identifier this server is called with.
    pub fn client_id(&self) -> &str {
        &self.transport.identity().client_id
    }

    /// A GET of a server path, parsed as a MediaContainer with hoisted attributes.
    pub(crate) async fn container(
        &self,
        path: &str,
        query: Vec<(&str, String)>,
    ) -> Result<super::models::MediaContainer, PlexError> {
        let mut container = self
            .call_json::<Envelope>(Method::GET, path, query, Vec::new())
            .await?
            .container;
        container.hoist();
        Ok(container)
    }

    /// A full URL on the connection in use, without the token (the token goes in a header;
    /// see [`PlexServer::media_request`]).
    pub async fn url(&self, path: &str, query: Vec<(&str, String)>) -> Result<Url, PlexError> {
        let base = self.base_url().await?;
        let mut call = Call::get(&base, path);
        call.query = query;
        Transport::url(&call)
    }

    /// A request for a media URL with the identity headers and the token (for transfers);
    /// a converted file (the live transcoder, a queue item's media) also names the client
    /// profile.
    pub fn media_request(&self, url: Url) -> reqwest::RequestBuilder {
        self.media_request_as(Method::GET, url)
    }

    /// Like [`PlexServer::media_request`] with another method (HEAD, to read a file's
    /// headers without its body).
    pub fn media_request_as(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        let needs_profile = super::identity::needs_client_profile(url.path());
        let mut builder = self.transport.media_client().request(method, url);
        for (name, value) in self.transport.identity().headers() {
            builder = builder.header(name, value);
        }
        if needs_profile {
            let (name, value) = super::identity::CLIENT_PROFILE_NAME;
            builder = builder.header(name, value);
        }
        builder.header("X-Plex-Token", &self.token)
    }
}

/// Whether an error means the connection itself failed (so another address may work).
fn connection_failed(error: &PlexError) -> bool {
    is_connection_failure(error.kind())
}

/// Whether a failure of this kind is the connection's (another address may work).
pub fn is_connection_failure(kind: FailureKind) -> bool {
    matches!(
        kind,
        FailureKind::Unreachable | FailureKind::Timeout | FailureKind::ConnectionLost
    )
}

/// Checks that a key from a caller is one path segment (no slashes, dots or query), so it
/// cannot change which endpoint is called.
pub(crate) fn segment(key: &str) -> Result<&str, PlexError> {
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(key)
    } else {
        Err(PlexError::NotFound {
            path: format!("(invalid key {:?})", plexdl_redact::redact_text(key)),
        })
    }
}
