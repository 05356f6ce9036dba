//! PIN sign-in, token check, sign-out.

use std::time::Duration;

use plexdl_core::plex::{FileTokenStore, TokenStore};
use plexdl_protocol::FailureKind;
use plexdl_replay::{Fault, FaultRule, PinAfterExpiry, Scenario};

use crate::support::{account, assert_token_not_logged, replay};

#[tokio::test]
async fn pin_sign_in_links_checks_and_signs_out() {
    let server = replay(Scenario {
        pin_link_after_polls: Some(3),
        ..Scenario::default()
    });
    let account = account(&server);
    assert_eq!(account.saved_token().expect("store readable"), None);
    let pin = account.start_sign_in().await.expect("PIN created");
    assert_eq!(pin.code.len(), 25, "strong code");
    assert!(
        pin.auth_url
            .starts_with("https://app.plex.tv/auth#?clientID=plexdl-core-tests-0001&code=")
    );
    assert!(pin.auth_url.contains(&pin.code));
    assert_eq!(account.poll_sign_in(&pin).await.expect("polled"), None);
    let token = account
        .wait_for_sign_in(&pin, Duration::from_millis(10))
        .await
        .expect("linked");
    assert_eq!(token, server.token());
    assert_eq!(
        account.saved_token().expect("saved").as_deref(),
        Some(server.token())
    );
    let user = account.check_token(&token).await.expect("token accepted");
    assert_eq!(user.username.as_deref(), Some("replayuser"));
    account.sign_out().expect("signed out");
    assert_eq!(account.saved_token().expect("store readable"), None);
    assert_eq!(
        account.require_token().expect_err("not signed in").kind(),
        FailureKind::Unauthorized
    );
    assert_token_not_logged(server.token());
}

#[tokio::test]
async fn expired_pin_is_reported_as_such() {
    let server = replay(Scenario {
        pin_link_after_polls: None,
        pin_expires_in_seconds: Some(1),
        ..Scenario::default()
    });
    let account = account(&server);
    let pin = account.start_sign_in().await.expect("PIN created");
    let error = account
        .wait_for_sign_in(&pin, Duration::from_millis(200))
        .await
        .expect_err("expires");
    assert_eq!(error.kind(), FailureKind::SignInExpired);
    assert!(error.user_message().contains("Start the sign-in again"));
}

/// plex.tv's answer after expiry is not documented: whether it answers 404 or goes on as
/// if the PIN were waiting, the sign-in ends as expired, checked against the PIN's own
/// expiry time (no poll is sent once it has passed).
#[tokio::test]
async fn an_expired_pin_is_told_whatever_plex_tv_answers() {
    for after_expiry in [PinAfterExpiry::NotFound, PinAfterExpiry::Pending] {
        let server = replay(Scenario {
            pin_link_after_polls: None,
            pin_expires_in_seconds: Some(1),
            pin_after_expiry: after_expiry,
            ..Scenario::default()
        });
        let account = account(&server);
        let pin = account.start_sign_in().await.expect("PIN created");
        assert!(!pin.has_expired());
        let error = tokio::time::timeout(
            Duration::from_secs(10),
            account.wait_for_sign_in(&pin, Duration::from_millis(200)),
        )
        .await
        .expect("the wait ends")
        .expect_err("expires");
        assert_eq!(error.kind(), FailureKind::SignInExpired, "{after_expiry:?}");
        // plex.tv counts in whole seconds and may give up a little before the PIN's time.
        let until = pin.valid_until.expect("an expiry time");
        tokio::time::sleep(until.saturating_duration_since(std::time::Instant::now())).await;
        assert!(pin.has_expired());
        let polls = server.counters().requests_to("GET /api/v2/pins/{id}");
        account.poll_sign_in(&pin).await.expect_err("still expired");
        assert_eq!(
            server.counters().requests_to("GET /api/v2/pins/{id}"),
            polls,
            "an expired PIN is not polled"
        );
    }
}

#[tokio::test]
async fn wrong_token_is_unauthorized() {
    let server = replay(Scenario::default());
    let error = account(&server)
        .check_token("NotTheRightToken1")
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), FailureKind::Unauthorized);
    assert!(!error.retryable());
    assert_token_not_logged(server.token());
}

#[tokio::test]
async fn rate_limited_sign_in_reports_the_wait() {
    let fault = Fault::StatusSequence {
        statuses: vec![429],
        retry_after: Some(30),
    };
    let server = replay(Scenario {
        faults: vec![FaultRule::new("/api/v2/pins", fault)],
        ..Scenario::default()
    });
    let error = account(&server)
        .start_sign_in()
        .await
        .expect_err("rate limited");
    assert_eq!(error.kind(), FailureKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
    assert!(error.retryable());
}

#[test]
fn unusable_token_storage_is_a_token_storage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "a file where a folder should be").expect("write");
    let store = FileTokenStore::new(blocker.join("token"));
    let error = store
        .save("SomeTokenValue99")
        .expect_err("cannot write under a file");
    assert_eq!(error.kind(), FailureKind::TokenStorage);
    assert!(!error.to_string().contains("SomeTokenValue99"));
}
