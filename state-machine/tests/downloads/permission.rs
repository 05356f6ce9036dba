//! An account that may not download is told so before anything is queued: by the server
//! (`allowSync`, the library provider's download feature), by a library, or by the root of a
//! server without `/media/providers` (realServerFindings.md section 5).

use plexdl_core::engine::CoreError;
use plexdl_core::plex::QualityPreset;
use plexdl_protocol::FailureKind;
use plexdl_replay::Scenario;

use crate::support::{SERVER, rig, run_to_end};

/// Enqueues `key` and returns the error, checking that nothing was queued or fetched.
async fn refused(scenario: Scenario, key: &str) -> CoreError {
    let rig = rig(scenario);
    let error = rig
        .core
        .enqueue(SERVER, &[key], QualityPreset::Original)
        .await
        .expect_err("refused");
    assert!(rig.core.list().expect("list").is_empty(), "nothing queued");
    let counters = rig.server.counters();
    assert_eq!(counters.requests_to("GET /library/parts/{id}"), 0);
    assert_eq!(counters.requests_to("POST /downloadQueue"), 0);
    error
}

#[tokio::test]
async fn an_account_without_download_permission_is_told_before_anything_is_queued() {
    let no_downloads = Scenario {
        downloads_allowed: false,
        ..Scenario::default()
    };
    let error = refused(no_downloads.clone(), "55").await;
    let public = error.public();
    assert_eq!(public.kind, FailureKind::DownloadsNotAllowed, "{error:?}");
    assert!(
        public
            .message
            .contains("does not allow downloads for this account"),
        "{}",
        public.message
    );

    // A server without /media/providers is judged by its root.
    let old_server = Scenario {
        media_providers: false,
        ..no_downloads
    };
    let error = refused(old_server, "55").await;
    assert_eq!(error.public().kind, FailureKind::DownloadsNotAllowed);

    // A /media/providers that refuses this account (403) does not stop a download the root
    // allows.
    let providers_refused = Scenario {
        faults: vec![plexdl_replay::FaultRule::new(
            "/media/providers",
            plexdl_replay::Fault::StatusSequence {
                statuses: vec![403; 5],
                retry_after: None,
            },
        )],
        ..Scenario::default()
    };
    let rig = rig(providers_refused);
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("the root allows it")[0];
    assert_eq!(run_to_end(&rig.core, id).await.download_status, "completed");
}

#[tokio::test]
async fn a_library_without_downloads_refuses_its_items_and_only_them() {
    let scenario = Scenario {
        sections_without_downloads: vec!["2".to_string()],
        ..Scenario::default()
    };
    let error = refused(scenario.clone(), "90").await;
    let public = error.public();
    assert_eq!(public.kind, FailureKind::DownloadsNotAllowed);
    assert!(public.message.contains("TV Shows"), "{}", public.message);

    // A film from the other library downloads.
    let rig = rig(scenario);
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("a film may be downloaded")[0];
    assert_eq!(run_to_end(&rig.core, id).await.download_status, "completed");
}

/// Without the check, the same download would only fail at the server's 403.
#[tokio::test]
async fn the_server_refuses_the_file_itself_when_downloads_are_off() {
    let rig = rig(Scenario::default());
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    rig.server
        .set_scenario(Scenario {
            downloads_allowed: false,
            ..Scenario::default()
        })
        .expect("scenario");
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "failed");
    assert_eq!(row.error_kind, Some(FailureKind::Forbidden), "{row:?}");
}
