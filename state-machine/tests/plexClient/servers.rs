//! The server list and the choice of connection.

use plexdl_core::plex::{
    ConnectionKind, ConnectionPolicy, PlexServer, ServerConnection, ServerInfo,
};
use plexdl_protocol::FailureKind;
use plexdl_replay::{ConnectionKind as Dead, Scenario};

use crate::support::{account, assert_token_not_logged, replay, transport};

async fn server_info(scenario: Scenario) -> (plexdl_replay::ReplayServer, ServerInfo) {
    let server = replay(scenario);
    let servers = account(&server)
        .servers(server.token())
        .await
        .expect("server list");
    assert_eq!(servers.len(), 1, "the replay account has one server");
    let info = servers.into_iter().next().expect("one server");
    (server, info)
}

fn open_policy() -> ConnectionPolicy {
    ConnectionPolicy {
        allow_plain_http_remote: true,
    }
}

#[tokio::test]
async fn resources_give_the_server_with_its_token_and_three_connections() {
    let (server, info) = server_info(Scenario::default()).await;
    assert_eq!(info.access_token, server.token());
    assert_eq!(info.machine_id, server.fixtures().machine_identifier());
    let kinds: Vec<ConnectionKind> = info.connections.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            ConnectionKind::Local,
            ConnectionKind::Remote,
            ConnectionKind::Relay
        ]
    );
    assert!(
        !format!("{info:?}").contains(server.token()),
        "Debug output hides the token"
    );
    let plex = PlexServer::from_info(transport(), info, open_policy());
    assert_eq!(
        plex.probe().await.expect("probe").kind,
        ConnectionKind::Local
    );
    assert_token_not_logged(server.token());
}

#[tokio::test]
async fn probing_prefers_local_then_remote_then_relay() {
    let (_server, info) = server_info(Scenario {
        dead_connections: vec![Dead::Local],
        ..Scenario::default()
    })
    .await;
    let plex = PlexServer::from_info(transport(), info, open_policy());
    assert_eq!(
        plex.probe().await.expect("probe").kind,
        ConnectionKind::Remote
    );

    let (_server, info) = server_info(Scenario {
        dead_connections: vec![Dead::Local, Dead::Remote],
        ..Scenario::default()
    })
    .await;
    let plex = PlexServer::from_info(transport(), info, open_policy());
    assert_eq!(
        plex.probe().await.expect("probe").kind,
        ConnectionKind::Relay
    );
    assert_eq!(
        plex.current_connection().map(|c| c.kind),
        Some(ConnectionKind::Relay),
        "the winner is remembered"
    );
}

#[tokio::test]
async fn no_answering_address_is_unreachable_with_each_reason() {
    let (_server, info) = server_info(Scenario {
        dead_connections: vec![Dead::Local, Dead::Remote, Dead::Relay],
        ..Scenario::default()
    })
    .await;
    let plex = PlexServer::from_info(transport(), info, open_policy());
    let error = plex.sections().await.expect_err("nothing answers");
    assert_eq!(error.kind(), FailureKind::Unreachable);
    match &error {
        plexdl_core::plex::PlexError::Unreachable { attempts } => {
            assert_eq!(attempts.len(), 3);
            assert!(
                attempts
                    .iter()
                    .all(|failure| failure.reason.contains("refused")),
                "{attempts:?}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.retryable());
}

#[tokio::test]
async fn plain_http_is_used_only_for_local_addresses_by_default() {
    let (_server, info) = server_info(Scenario {
        dead_connections: vec![Dead::Local],
        ..Scenario::default()
    })
    .await;
    let plex = PlexServer::from_info(transport(), info, ConnectionPolicy::default());
    let error = plex.probe().await.expect_err("remote http refused");
    match error {
        plexdl_core::plex::PlexError::Unreachable { attempts } => {
            assert!(
                attempts
                    .iter()
                    .filter(|f| f.reason.contains("plain http"))
                    .count()
                    >= 2,
                "{attempts:?}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// A router with DNS rebinding protection does not resolve the local `*.plex.direct` name;
/// the local connection's address and port, as plain http, still reach the server
/// (realServerFindings.md section 5).
#[tokio::test]
async fn a_local_name_that_does_not_resolve_is_reached_at_its_address() {
    let (server, info) = server_info(Scenario {
        dns_rebinding_protection: true,
        ..Scenario::default()
    })
    .await;
    let local: Vec<&str> = info
        .connections
        .iter()
        .filter(|c| c.kind == ConnectionKind::Local)
        .map(|c| c.uri.as_str())
        .collect();
    assert_eq!(local.len(), 2, "{local:?}");
    assert!(local[0].starts_with("https://127-0-0-1.") && local[0].contains(".plex.direct"));
    assert_eq!(
        local[1],
        server.base_url(),
        "http at the listed address and port"
    );
    let plex = PlexServer::from_info(transport(), info, ConnectionPolicy::default());
    let chosen = plex.probe().await.expect("probe");
    assert_eq!(chosen.kind, ConnectionKind::Local);
    assert_eq!(chosen.uri, server.base_url());
}

/// A server that requires secure connections is never called over plain http, not even on
/// the LAN, and says why.
#[tokio::test]
async fn a_server_that_requires_secure_connections_is_never_called_over_plain_http() {
    let (server, info) = server_info(Scenario {
        https_required: true,
        dns_rebinding_protection: true,
        ..Scenario::default()
    })
    .await;
    assert!(info.https_required);
    assert!(
        info.connections
            .iter()
            .all(|c| c.kind != ConnectionKind::Local || c.uri.starts_with("https://")),
        "no plain http address is added: {:?}",
        info.connections
    );
    let before = server.counters().requests_to("GET /identity");
    let plex = PlexServer::from_info(transport(), info, open_policy());
    let error = plex.probe().await.expect_err("nothing secure answers");
    match &error {
        plexdl_core::plex::PlexError::Unreachable { attempts } => {
            let refused = attempts
                .iter()
                .filter(|f| f.reason.contains("requires secure connections"))
                .count();
            assert_eq!(refused, 2, "the two http addresses: {attempts:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        server.counters().requests_to("GET /identity"),
        before,
        "no request went out over plain http"
    );
}

#[tokio::test]
async fn a_failing_winner_is_replaced_by_probing_again() {
    let main = replay(Scenario::default());
    let local = replay(Scenario::default());
    let token = main.token().to_string();
    // Both replay servers must accept the same token: the second one gets the first's.
    let local_same_token = plexdl_replay::ReplayServer::builder()
        .token(token.clone())
        .start()
        .expect("second server");
    drop(local);
    let info = ServerInfo {
        name: "Replay".to_string(),
        machine_id: main.fixtures().machine_identifier(),
        owned: true,
        version: None,
        connections: vec![
            ServerConnection {
                uri: local_same_token.base_url().to_string(),
                kind: ConnectionKind::Local,
            },
            ServerConnection {
                uri: main.base_url().to_string(),
                kind: ConnectionKind::Remote,
            },
        ],
        https_required: false,
        access_token: token.clone(),
    };
    let plex = PlexServer::from_info(transport(), info, open_policy());
    assert_eq!(
        plex.probe().await.expect("probe").kind,
        ConnectionKind::Local
    );
    local_same_token.shutdown();
    let sections = plex.sections().await.expect("works after probing again");
    assert_eq!(sections.len(), 2);
    assert_eq!(
        plex.current_connection().map(|c| c.kind),
        Some(ConnectionKind::Remote)
    );
    assert_token_not_logged(&token);
}

#[tokio::test]
async fn direct_server_needs_a_valid_address() {
    let error = PlexServer::direct(transport(), "ftp://example.invalid", "SomeToken123", "Bad")
        .expect_err("bad scheme");
    assert_eq!(error.kind(), FailureKind::Unreachable);
    let server = replay(Scenario::default());
    let plex = PlexServer::direct(
        transport(),
        &format!("{}/", server.base_url()),
        server.token(),
        "Replay",
    )
    .expect("valid");
    assert_eq!(plex.sections().await.expect("sections").len(), 2);
}
