//! Converted downloads through the server's download queue.

use plexdl_core::plex::QualityPreset;
use plexdl_replay::{Scenario, transcoded_content};

use crate::support::{SERVER, finished_file, rig, run_to_end, sha256_file};

#[tokio::test]
async fn queued_downloads_end_byte_identical() {
    let rig = rig(Scenario::default());
    // Every playable item of the library, at 480p (1500 kbps, 854x480).
    let mut keys: Vec<String> = rig
        .server
        .library()
        .parts()
        .map(|part| part.rating_key.clone())
        .collect();
    keys.sort();
    keys.dedup();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let ids = rig
        .core
        .enqueue(SERVER, &key_refs, QualityPreset::Sd480)
        .await
        .expect("enqueued");
    assert_eq!(
        ids.len(),
        keys.len(),
        "converted downloads are one per item, parts joined"
    );
    for (id, key) in ids.into_iter().zip(&keys) {
        let row = run_to_end(&rig.core, id).await;
        assert_eq!(row.download_status, "completed", "{row:?}");
        let duration = rig.server.library().duration_ms(key).expect("duration");
        // The same output the server generated for the item.
        let expected = transcoded_content(&format!("queue:{key}:1500:854x480"), duration, 1_500);
        let path = finished_file(&rig, &row);
        assert_eq!(
            std::fs::metadata(&path).expect("file").len(),
            expected.size,
            "{key}"
        );
        assert_eq!(sha256_file(&path), expected.sha256_hex(), "{key}");
        assert!(row.queue_item_id.is_some());
    }
    let left = rig
        .server
        .counters()
        .requests_to("DELETE /downloadQueue/{id}/items/{id}");
    assert_eq!(
        left,
        keys.len() as u64,
        "each finished item was removed from the server's queue"
    );
    let polls = rig
        .server
        .counters()
        .requests_to("GET /downloadQueue/{id}/items/{id}");
    assert!(polls >= 3, "the queue was polled: {polls}");
}

#[tokio::test]
async fn refused_conversion_fails_with_the_servers_reason() {
    let rig = rig(Scenario {
        refuse_transcodes: true,
        ..Scenario::default()
    });
    let id = rig
        .core
        .enqueue(SERVER, &["56"], QualityPreset::Hd1080)
        .await
        .expect("enqueued")[0];
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "failed");
    assert!(
        row.error_message
            .as_deref()
            .is_some_and(|m| m.contains("Downloads not allowed")),
        "{row:?}"
    );
}
