//! Shared set-up: a replay server, a client for it, and the log capture.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use plexdl_core::plex::{
    ClientIdentity, MemoryTokenStore, PlexAccount, PlexServer, Transport, TransportSettings,
};
use plexdl_replay::{ReplayServer, Scenario};

/// Everything every test logged (raw: no redaction on this writer, so the test sees what
/// the client itself wrote).
static CAPTURE: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct CaptureWriter(Arc<Mutex<Vec<u8>>>);

impl Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber once for the whole test binary.
pub fn capture() -> Arc<Mutex<Vec<u8>>> {
    CAPTURE
        .get_or_init(|| {
            let buffer = Arc::new(Mutex::new(Vec::new()));
            let writer = CaptureWriter(buffer.clone());
            let subscriber = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new("plexdl_core=debug"))
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .finish();
            tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");
            buffer
        })
        .clone()
}

/// The captured log text so far.
pub fn captured() -> String {
    String::from_utf8_lossy(
        &capture()
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    )
    .into_owned()
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
