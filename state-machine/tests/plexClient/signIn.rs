//! PIN sign-in, token check, sign-out.

use std::time::Duration;

use plexdl_core::plex::{FileTokenStore, TokenStore};
use plexdl_protocol::FailureKind;
use plexdl_replay::{Fault, FaultRule, Scenario};

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
