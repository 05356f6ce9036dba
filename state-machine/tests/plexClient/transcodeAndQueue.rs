//! Server activity, transcoder decisions, the live transcode and the download queue.

use plexdl_core::plex::QualityPreset;
use plexdl_core::plex::models::QueueItemStatus;
use plexdl_replay::{Scenario, transcoded_content};
use sha2::{Digest, Sha256};

use crate::support::{assert_token_not_logged, direct, replay};

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[tokio::test]
async fn activity_reports_playback_and_transcodes() {
    let idle = replay(Scenario::default());
    let activity = direct(&idle).activity().await.expect("sessions");
    assert_eq!((activity.playing, activity.transcoding), (0, 0));
    assert!(!activity.is_busy());

    let busy = replay(Scenario {
        busy: true,
        ..Scenario::default()
    });
    let activity = direct(&busy).activity().await.expect("sessions");
    assert_eq!((activity.playing, activity.transcoding), (2, 1));
    assert!(activity.is_busy());
    assert!(
        activity
            .sessions
            .iter()
            .any(|s| s.title == "The 100: Earth Skills" && s.transcoding)
    );
    assert!(activity.describe().contains("converting 1"));
}

#[tokio::test]
async fn decisions_from_recordings_and_generated_ones() {
    let server = replay(Scenario::default());
    let plex = direct(&server);
    let converted = plex
        .transcode_decision(
            "55",
            QualityPreset::Hd720,
            None,
            "session-1",
            &Default::default(),
        )
        .await
        .expect("decision");
    assert_eq!(converted.codes.general_decision_code, Some(1001));
    assert!(!converted.is_direct_play());
    assert_eq!(
        converted
            .metadata
            .as_ref()
            .and_then(|m| m.parts().next())
            .and_then(|p| p.decision.clone())
            .as_deref(),
        Some("transcode")
    );
    // The recorded decision for Reign of Fire says the server would send the file as it is.
    let recorded = plex
        .transcode_decision(
            "1036",
            QualityPreset::Sd480,
            None,
            "session-2",
            &Default::default(),
        )
        .await
        .expect("decision");
    assert!(recorded.is_direct_play());
    let copied = plex
        .transcode_decision(
            "55",
            QualityPreset::Original,
            Some(21_178),
            "session-3",
            &Default::default(),
        )
        .await
        .expect("direct stream");
    assert_eq!(copied.codes.general_decision_code, Some(1001));
}

#[tokio::test]
async fn a_live_transcode_starts_at_zero_and_its_session_is_watched_and_stopped() {
    let server = replay(Scenario::default());
    let plex = direct(&server);
    let url = plex
        .live_transcode_url(
            "55",
            QualityPreset::Hd720,
            None,
            "session-live",
            "mkv",
            &Default::default(),
        )
        .await
        .expect("url");
    assert!(
        !url.as_str().contains(server.token()),
        "the token goes in a header, not the URL"
    );
    assert!(
        !url.query().unwrap_or_default().contains("offset="),
        "no offset: an offset stream cannot be appended (realServerFindings.md section 3)"
    );
    assert_eq!(
        plex.transcode_session("session-live").await.expect("asked"),
        None,
        "no session before the start"
    );
    let mut response = plex.media_request(url).send().await.expect("answered");
    let first = response.chunk().await.expect("chunk").expect("some bytes");
    let session = plex
        .transcode_session("session-live")
        .await
        .expect("asked")
        .expect("the session runs while its output is read");
    assert_eq!(session.container.as_deref(), Some("mkv"));
    assert!(
        session.progress.is_some_and(|p| p > 0.0 && p < 100.0),
        "{session:?}"
    );

    plex.stop_transcode("session-live").await.expect("stopped");
    assert_eq!(
        plex.transcode_session("session-live").await.expect("asked"),
        None,
        "gone once stopped"
    );
    let mut rest = first.len();
    let ended = loop {
        match response.chunk().await {
            Ok(Some(chunk)) => rest += chunk.len(),
            Ok(None) => break "ended",
            Err(_) => break "broke",
        }
    };
    let content = transcoded_content("live:55:4000:1280x720", 5_062, 4_000);
    assert!(
        (rest as u64) < content.size,
        "the stopped transcode sent no more ({ended} after {rest} bytes)"
    );
    // A stop of a session that is gone counts as done (real servers may answer 404).
    plex.stop_transcode("session-live")
        .await
        .expect("a 404 is fine");
    assert_token_not_logged(server.token());
}

#[tokio::test]
async fn queue_add_poll_fetch_restart_and_delete() {
    let server = replay(Scenario::default());
    let plex = direct(&server);
    let queue = plex
        .download_queue()
        .await
        .expect("queue call")
        .expect("the server has a queue");
    let queue_id = queue.id.expect("queue id");
    assert_eq!(
        plex.download_queue()
            .await
            .expect("again")
            .and_then(|q| q.id),
        Some(queue_id)
    );
    let added = plex
        .queue_add(
            queue_id,
            &["55", "56"],
            QualityPreset::Hd720,
            &Default::default(),
        )
        .await
        .expect("added");
    let ids: Vec<u64> = added.iter().filter_map(|item| item.id).collect();
    assert_eq!(ids.len(), 2);

    let mut statuses = Vec::new();
    for _ in 0..10 {
        let items = plex
            .queue_items(queue_id, Some(&ids[..1]))
            .await
            .expect("items");
        let status = items[0].status.clone();
        if statuses.last() != Some(&status) {
            statuses.push(status.clone());
        }
        if status == QueueItemStatus::Available {
            break;
        }
    }
    assert_eq!(
        statuses,
        [
            QueueItemStatus::Deciding,
            QueueItemStatus::Waiting,
            QueueItemStatus::Processing,
            QueueItemStatus::Available
        ]
    );

    let url = plex
        .queue_item_media_url(queue_id, ids[0])
        .await
        .expect("url");
    let body = plex
        .media_request(url)
        .send()
        .await
        .expect("answered")
        .bytes()
        .await
        .expect("body");
    let expected = server.queue_item_content(ids[0]).expect("item content");
    assert_eq!(body.len() as u64, expected.size);
    assert_eq!(sha256_hex(&body), expected.sha256_hex());

    plex.queue_restart(queue_id, &ids[..1])
        .await
        .expect("restarted");
    let items = plex.queue_items(queue_id, None).await.expect("items");
    assert_eq!(
        items
            .iter()
            .find(|i| i.id == Some(ids[0]))
            .map(|i| i.status.clone()),
        Some(QueueItemStatus::Deciding)
    );
    plex.queue_delete(queue_id, &ids).await.expect("deleted");
    assert!(
        plex.queue_items(queue_id, None)
            .await
            .expect("items")
            .is_empty()
    );
    assert_token_not_logged(server.token());
}

#[tokio::test]
async fn server_without_queue_api_gives_none() {
    let server = replay(Scenario {
        queue_api: false,
        ..Scenario::default()
    });
    assert!(
        direct(&server)
            .download_queue()
            .await
            .expect("call works")
            .is_none()
    );
}

#[tokio::test]
async fn logs_are_captured_and_hold_requests_but_no_token() {
    let server = replay(Scenario::default());
    let plex = direct(&server);
    plex.sections().await.expect("sections");
    let text = crate::support::captured();
    assert!(
        text.contains("plex request"),
        "debug request lines are captured"
    );
    assert!(text.contains("path=/library/sections"), "{text}");
    assert_token_not_logged(server.token());
}
