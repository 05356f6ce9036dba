//! Shared set-up: a replay server, a client for it, and the log capture.

use std::sync::Arc;
use std::time::Duration;

use plexdl_core::plex::{
    ClientIdentity, MemoryTokenStore, PlexAccount, PlexServer, Transport, TransportSettings,
};
use plexdl_replay::{ReplayServer, Scenario};

/// Installs the log capture.
pub fn capture() {
    crate::log_capture::install();
}

/// The captured log text so far.
pub fn captured() -> String {
    crate::log_capture::captured()
}

/// Asserts that a token never appeared in the captured logs.
pub fn assert_token_not_logged(token: &str) {
    let text = captured();
    assert_eq!(
        text.matches(token).count(),
        0,
        "the token appeared in the logs"
    );
}

/// Timeouts short enough for tests.
pub fn settings() -> TransportSettings {
    TransportSettings {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        probe_timeout: Duration::from_secs(2),
        max_body_bytes: 8 * 1024 * 1024,
    }
}

/// A transport with a fixed identity.
pub fn transport() -> Transport {
    capture();
    Transport::new(ClientIdentity::new("plexdl-core-tests-0001"), settings())
        .expect("client builds")
}

/// A replay server with a scenario.
pub fn replay(scenario: Scenario) -> ReplayServer {
    capture();
    ReplayServer::builder()
        .scenario(scenario)
        .start()
        .expect("replay server starts")
}

/// A server handle for the replay server, added directly by address and token.
pub fn direct(server: &ReplayServer) -> PlexServer {
    PlexServer::direct(transport(), server.base_url(), server.token(), "Replay")
        .expect("valid address")
}

/// The plex.tv side of the replay server, with a token kept in memory.
pub fn account(server: &ReplayServer) -> PlexAccount {
    PlexAccount::new(
        transport(),
        server.base_url(),
        Arc::new(MemoryTokenStore::default()),
    )
}
