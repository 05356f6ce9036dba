//! Every error kind, driven by the replay server's faults.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use plexdl_core::plex::{PlexError, PlexServer, QualityPreset, TransportSettings};
use plexdl_protocol::FailureKind;
use plexdl_replay::{Fault, FaultRule, Refusal, Scenario};

use crate::support::{assert_token_not_logged, direct, replay, transport};

fn with_fault(path: &str, fault: Fault) -> plexdl_replay::ReplayServer {
    replay(Scenario {
        faults: vec![FaultRule::new(path, fault)],
        ..Scenario::default()
    })
}

#[tokio::test]
async fn html_instead_of_json_is_a_bad_response() {
    let server = with_fault("/library/sections", Fault::HtmlPage);
    let error = direct(&server).sections().await.expect_err("HTML");
    assert_eq!(error.kind(), FailureKind::BadResponse);
    match &error {
        PlexError::BadResponse {
            body_start,
            content_type,
            status,
            ..
        } => {
            assert!(body_start.starts_with("<html>"));
            assert!(content_type.starts_with("text/html"));
            assert_eq!(*status, 200);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_token_not_logged(server.token());
}

#[tokio::test]
async fn busy_statuses_are_server_overloaded_with_the_wait() {
    for status in [503, 509, 500] {
        let server = with_fault(
            "/library/sections",
            Fault::StatusSequence {
                statuses: vec![status],
                retry_after: Some(3),
            },
        );
        let error = direct(&server).sections().await.expect_err("busy");
        assert_eq!(error.kind(), FailureKind::ServerOverloaded, "HTTP {status}");
        assert_eq!(error.retry_after(), Some(Duration::from_secs(3)));
        assert!(error.retryable());
    }
}

#[tokio::test]
async fn forbidden_not_found_and_unauthorized() {
    let server = with_fault(
        "/library/sections",
        Fault::StatusSequence {
            statuses: vec![403],
            retry_after: None,
        },
    );
    assert_eq!(
        direct(&server).sections().await.expect_err("403").kind(),
        FailureKind::Forbidden
    );

    let server = replay(Scenario::default());
    let plex = direct(&server);
    let missing = plex.metadata("424242").await.expect_err("404");
    assert_eq!(missing.kind(), FailureKind::NotFound);
    assert!(!missing.retryable());
    let hostile = plex
        .metadata("../../library/sections")
        .await
        .expect_err("not a key");
    assert_eq!(hostile.kind(), FailureKind::NotFound);

    let wrong = PlexServer::direct(transport(), server.base_url(), "WrongTokenValue1", "Replay")
        .expect("valid");
    assert_eq!(
        wrong.sections().await.expect_err("401").kind(),
        FailureKind::Unauthorized
    );
    assert_token_not_logged(server.token());
}

#[tokio::test]
async fn a_server_that_does_not_answer_in_time_is_a_timeout() {
    let server = with_fault(
        "/library/sections",
        Fault::Stall {
            after_bytes: 0,
            millis: 3_000,
        },
    );
    let settings = TransportSettings {
        request_timeout: Duration::from_millis(400),
        ..crate::support::settings()
    };
    let transport = plexdl_core::plex::Transport::new(
        plexdl_core::plex::ClientIdentity::new("plexdl-core-tests-0001"),
        settings,
    )
    .expect("client");
    let plex =
        PlexServer::direct(transport, server.base_url(), server.token(), "Replay").expect("valid");
    // The probe (/identity) is not stalled; the sections call is, twice (first try and the
    // try after probing again).
    let error = plex.sections().await.expect_err("stalled");
    assert_eq!(error.kind(), FailureKind::Timeout);
    assert!(error.retryable());
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_a_tls_error() {
    let server = replay(Scenario::default());
    let address = server.base_url().replace("http://", "https://");
    let plex = PlexServer::direct(transport(), &address, server.token(), "Replay").expect("valid");
    let error = plex.sections().await.expect_err("no TLS there");
    match &error {
        PlexError::Unreachable { attempts } => {
            // The probe runs first and reports the TLS failure as the address's reason.
            assert!(
                attempts[0]
                    .reason
                    .to_lowercase()
                    .contains("secure connection"),
                "{attempts:?}"
            );
        }
        PlexError::Tls { .. } => {}
        other => panic!("unexpected {other:?}"),
    }
    let direct_call = plexdl_core::plex::transport::Call::get(&address, "/identity");
    let tls = transport()
        .json::<serde_json::Value>(&direct_call)
        .await
        .expect_err("TLS");
    assert_eq!(tls.kind(), FailureKind::Tls);
    assert!(tls.user_message().contains("secure connection"));
}

#[tokio::test]
async fn a_body_cut_short_is_a_lost_connection() {
    // A server that promises 1000 bytes and closes after 10.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        if let Ok((mut socket, _)) = listener.accept() {
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request);
            let _ = socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"MediaCon");
        }
    });
    let call = plexdl_core::plex::transport::Call::get(&address, "/library/sections");
    let error = transport()
        .json::<serde_json::Value>(&call)
        .await
        .expect_err("cut short");
    assert_eq!(error.kind(), FailureKind::ConnectionLost);
    assert!(error.retryable());
}

#[tokio::test]
async fn refused_transcodes_name_the_reason() {
    let server = replay(Scenario {
        refuse_transcodes: true,
        ..Scenario::default()
    });
    let error = direct(&server)
        .transcode_decision("55", QualityPreset::Hd720, None, "s1", &Default::default())
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), FailureKind::DownloadsNotAllowed);
    assert!(error.user_message().contains("server owner"));

    let other = Refusal {
        code: 4001,
        text: "Codec not supported".to_string(),
    };
    let server = replay(Scenario {
        refuse_transcodes: true,
        refusal: other,
        ..Scenario::default()
    });
    let error = direct(&server)
        .transcode_decision("55", QualityPreset::Hd720, None, "s1", &Default::default())
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), FailureKind::TranscodeRefused);
    assert!(error.user_message().contains("Codec not supported"));
    assert_token_not_logged(server.token());
}
