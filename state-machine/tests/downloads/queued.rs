//! Converted downloads through the server's download queue.

use plexdl_core::plex::QualityPreset;
use plexdl_replay::{Fault, FaultRule, Scenario, transcoded_content};

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

/// A converted download of Elephants Dream at 720p whose queue media and restart answer
/// with the given statuses once each (an empty list leaves that route alone).
async fn queued_with_refusals(media: Vec<u16>, restart: Vec<u16>) -> crate::support::Rig {
    let mut faults = Vec::new();
    for (path, statuses) in [
        ("/downloadQueue/1/item/1/media", media),
        ("/downloadQueue/1/items/1/restart", restart),
    ] {
        if !statuses.is_empty() {
            let times = statuses.len() as u32;
            faults.push(
                FaultRule::new(
                    path,
                    Fault::StatusSequence {
                        statuses,
                        retry_after: None,
                    },
                )
                .method(if path.ends_with("/media") {
                    "GET"
                } else {
                    "POST"
                })
                .times(times),
            );
        }
    }
    rig(Scenario {
        faults,
        ..Scenario::default()
    })
}

/// The server's first conversion of Elephants Dream at 720p.
fn elephants_720p(rig: &crate::support::Rig) -> plexdl_replay::Content {
    transcoded_content(
        "queue:56:4000:1280x720",
        rig.server.library().duration_ms("56").expect("duration"),
        4_000,
    )
}

/// Queues Elephants Dream at 720p (through the server's queue) and runs it to the end.
async fn converted_to_end(rig: &crate::support::Rig) -> plexdl_core::manifest::DownloadRow {
    let id = rig
        .core
        .enqueue(SERVER, &["56"], QualityPreset::Hd720)
        .await
        .expect("enqueued")[0];
    run_to_end(&rig.core, id).await
}

/// The Plex documentation names no status for an expired item's media; a 404 there is
/// taken as expired: the item is restarted and the download finishes.
#[tokio::test]
async fn a_404_on_the_queue_media_is_handled_like_an_expired_item() {
    let rig = queued_with_refusals(vec![404], Vec::new()).await;
    let row = converted_to_end(&rig).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    assert_eq!(row.queue_item_id, Some(1), "the same item, restarted");
    let counters = rig.server.counters();
    assert_eq!(
        counters.requests_to("POST /downloadQueue/{id}/items/{id}/restart"),
        1
    );
}

/// An item the server no longer has (its restart answers 404) is forgotten, removed and
/// the download added again as a new item, which finishes.
#[tokio::test]
async fn a_queue_item_the_server_lost_is_added_again() {
    let rig = queued_with_refusals(vec![404], vec![404]).await;
    let row = converted_to_end(&rig).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    assert_eq!(row.queue_item_id, Some(2), "a new item");
    assert_eq!(
        sha256_file(&finished_file(&rig, &row)),
        elephants_720p(&rig).sha256_hex()
    );
}

/// The server, not the client, chooses a converted file's container (real servers chose
/// MP4; realServerFindings.md section 2). The name pre-flight chose from the settings (MKV
/// here) takes the server's extension: from the media's Content-Disposition, or from the
/// container named while converting when the HEAD is refused. The sidecar follows the name.
#[tokio::test]
async fn a_converted_file_takes_the_extension_the_server_chose() {
    let head_refused = FaultRule::new(
        "/downloadQueue/1/item/1/media",
        Fault::StatusSequence {
            statuses: vec![405; 20],
            retry_after: None,
        },
    )
    .method("HEAD");
    let mkv_server = Scenario {
        queue: plexdl_replay::QueueSettings {
            container: "mkv".to_string(),
            ..plexdl_replay::QueueSettings::default()
        },
        ..Scenario::default()
    };
    let cases = [
        (
            // No poll sees the item converting, so only the HEAD can tell.
            "mp4, told by the HEAD",
            Scenario {
                queue: plexdl_replay::QueueSettings {
                    processing_for: 0,
                    ..plexdl_replay::QueueSettings::default()
                },
                ..Scenario::default()
            },
            "Elephants Dream (2006).mp4",
        ),
        (
            "mp4, told while converting",
            Scenario {
                faults: vec![head_refused],
                ..Scenario::default()
            },
            "Elephants Dream (2006).mp4",
        ),
        ("mkv, as asked", mkv_server, "Elephants Dream (2006).mkv"),
    ];
    for (case, scenario, name) in cases {
        let rig = rig(scenario);
        let row = converted_to_end(&rig).await;
        assert_eq!(row.download_status, "completed", "{case}: {row:?}");
        assert_eq!(row.local_file_path.as_deref(), Some(name), "{case}");
        let folder = rig.dir.path().join("downloads");
        let mut files: Vec<String> = std::fs::read_dir(&folder)
            .expect("folder")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|file| !file.ends_with(".poster"))
            .collect();
        files.sort();
        assert_eq!(
            files,
            [name.to_string(), format!("{name}.plexdl.json")],
            "{case}: no file or sidecar left under the old name"
        );
        assert_eq!(
            sha256_file(&finished_file(&rig, &row)),
            elephants_720p(&rig).sha256_hex(),
            "{case}"
        );
    }
}

/// An item that expires after part of its file was fetched is converted again by its
/// restart, and nothing shows that a conversion gives the same bytes twice (the replay
/// server's default gives new ones). The bytes from before the restart are dropped, so the
/// file is the new conversion whole, never the start of one joined to the end of another.
#[tokio::test]
async fn bytes_from_before_a_restart_are_not_joined_to_the_new_conversion() {
    let rig = rig(Scenario {
        queue: plexdl_replay::QueueSettings {
            // The poll that sees it available, the HEAD and the GET: then it expires.
            expire_after: Some(3),
            ..plexdl_replay::QueueSettings::default()
        },
        faults: vec![
            FaultRule::new(
                "/downloadQueue/1/item/1/media",
                Fault::DropAfterBytes { bytes: 400_000 },
            )
            .method("GET")
            .times(1),
        ],
        ..Scenario::default()
    });
    let row = converted_to_end(&rig).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    let counters = rig.server.counters();
    assert_eq!(
        counters.requests_to("POST /downloadQueue/{id}/items/{id}/restart"),
        1,
        "the item expired once and was restarted"
    );
    let first = elephants_720p(&rig);
    let restarted = plexdl_replay::restarted_output("queue:56:4000:1280x720", 1, first.size);
    assert_ne!(restarted.sha256_hex(), first.sha256_hex());
    assert_eq!(
        sha256_file(&finished_file(&rig, &row)),
        restarted.sha256_hex(),
        "the file is the new conversion, whole"
    );
}
