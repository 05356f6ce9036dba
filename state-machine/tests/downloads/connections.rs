//! A server with several addresses (LAN, remote, relay): when the one in use dies during a
//! download, the download goes on over another one, from its checkpoint.

use plexdl_core::plex::QualityPreset;
use plexdl_core::plex::{
    ConnectionKind, ConnectionPolicy, PlexServer, ServerConnection, ServerInfo,
};
use plexdl_replay::{ConnectionKind as Kind, DyingConnection, Scenario};

use crate::support::{SERVER, finished_file, rig, run_to_end, sha256_file, transport};

/// The size of Big Buck Bunny's file.
const SIZE: u64 = 13_400_382;

/// A rig whose server dies on its local address after `after_bytes` of the first file, and
/// that server registered as the account's list gives it: its LAN address (127.0.0.1) and a
/// remote one (localhost), both answering at first.
fn two_addresses(after_bytes: u64) -> (crate::support::Rig, PlexServer) {
    let rig = rig(Scenario {
        dying_connection: Some(DyingConnection {
            kind: Kind::Local,
            after_bytes,
        }),
        ..Scenario::default()
    });
    let port = rig.server.port();
    let info = ServerInfo {
        name: "Replay".to_string(),
        machine_id: rig.server.fixtures().machine_identifier(),
        owned: true,
        version: None,
        connections: vec![
            ServerConnection {
                uri: format!("http://127.0.0.1:{port}"),
                kind: ConnectionKind::Local,
            },
            ServerConnection {
                uri: format!("http://localhost:{port}"),
                kind: ConnectionKind::Remote,
            },
        ],
        https_required: false,
        access_token: rig.server.token().to_string(),
    };
    let policy = ConnectionPolicy {
        allow_plain_http_remote: true,
    };
    let plex = PlexServer::from_info(transport(), info, policy);
    rig.core.register_server(SERVER, plex.clone());
    (rig, plex)
}

#[tokio::test]
async fn a_connection_that_dies_mid_download_is_replaced_by_another_one() {
    let (rig, plex) = two_addresses(5_000_000);
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    assert_eq!(
        plex.current_connection().map(|c| c.kind),
        Some(ConnectionKind::Local)
    );
    // The first step goes as far as the break, and ends ready to go on at once.
    let step = rig
        .core
        .run_step(id, std::sync::Arc::new(Default::default()))
        .await
        .expect("step");
    let after_break = rig.core.get(id).expect("row");
    assert_eq!(
        step,
        plexdl_core::engine::StepResult::WakeAfter { millis: 0 }
    );
    assert_eq!(
        after_break.download_status, "transferring",
        "{after_break:?}"
    );
    assert_eq!(
        after_break.error_kind, None,
        "the switch is not a failure: {after_break:?}"
    );
    assert!(after_break.bytes_done > 0);
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    assert_eq!(
        plex.current_connection().map(|c| c.kind),
        Some(ConnectionKind::Remote),
        "the download finished over the remote address"
    );
    assert_eq!(
        sha256_file(&finished_file(&rig, &row)),
        rig.server.part_content(46).expect("content").sha256_hex()
    );
    let again = rig.server.counters().part_bytes(46).saturating_sub(SIZE);
    assert!(
        again <= 4 * 1024 * 1024,
        "it went on from its checkpoint: {again} bytes fetched again"
    );
}

/// A connection that breaks before it moved a byte is not replaced at once: the download
/// waits its backoff like any failure (its next try probes the addresses again), so two
/// addresses that both fail cannot make the engine ask again and again without a pause.
#[tokio::test]
async fn a_connection_that_gave_nothing_waits_for_the_backoff() {
    let (rig, _plex) = two_addresses(0);
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    let step = rig
        .core
        .run_step(id, std::sync::Arc::new(Default::default()))
        .await
        .expect("step");
    let row = rig.core.get(id).expect("row");
    assert_eq!(row.download_status, "backoff", "{step:?} {row:?}");
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    assert_eq!(
        sha256_file(&finished_file(&rig, &row)),
        rig.server.part_content(46).expect("content").sha256_hex()
    );
}
