//! Original-quality downloads.

use plexdl_core::plex::QualityPreset;
use plexdl_replay::Scenario;

use crate::support::{SERVER, finished_file, rig, run_to_end, sha256_file};

#[tokio::test]
async fn every_fixture_file_downloads_byte_identical() {
    let rig = rig(Scenario::default());
    let sections = ["1", "2"];
    let mut keys = Vec::new();
    // An item with several versions gets its first by default; its other versions are
    // queued by their ids, so every file of the library is downloaded once.
    let mut other_versions = Vec::new();
    for section in sections {
        let listing = plexdl_core::plex::PlexServer::direct(
            crate::support::transport(),
            rig.server.base_url(),
            rig.server.token(),
            "x",
        )
        .expect("server")
        .all_items(section, 50)
        .await
        .expect("items");
        for item in &listing {
            for media in item.media.iter().skip(1) {
                other_versions.push((item.rating_key().to_string(), media.id));
            }
        }
        keys.extend(
            listing
                .into_iter()
                .map(|item| item.rating_key().to_string()),
        );
    }
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut ids = rig
        .core
        .enqueue(SERVER, &key_refs, QualityPreset::Original)
        .await
        .expect("enqueued");
    assert!(
        !other_versions.is_empty(),
        "the library has an item with two versions"
    );
    for (key, media_id) in other_versions {
        let choice = plexdl_core::engine::VersionChoice {
            tracks: plexdl_protocol::TrackChoice {
                media_id,
                ..Default::default()
            },
            screen_pixels: None,
        };
        ids.extend(
            rig.core
                .enqueue_with(SERVER, &[key.as_str()], QualityPreset::Original, &choice)
                .await
                .expect("enqueued"),
        );
    }
    let parts: Vec<u64> = rig.server.library().parts().map(|part| part.id).collect();
    assert_eq!(ids.len(), parts.len(), "one download per file part");
    for id in ids {
        let row = run_to_end(&rig.core, id).await;
        assert_eq!(row.download_status, "completed", "{row:?}");
        let key = row.part_key.clone().expect("part key");
        let part_id: u64 = key
            .split('/')
            .nth(3)
            .and_then(|id| id.parse().ok())
            .expect("part id");
        let expected = rig.server.part_content(part_id).expect("part content");
        let path = finished_file(&rig, &row);
        assert!(path.starts_with(rig.dir.path().join("downloads")));
        assert_eq!(std::fs::metadata(&path).expect("file").len(), expected.size);
        assert_eq!(
            sha256_file(&path),
            expected.sha256_hex(),
            "{}",
            path.display()
        );
        assert!(
            !path
                .with_extension(format!(
                    "{}.part",
                    path.extension().and_then(|e| e.to_str()).unwrap_or("")
                ))
                .exists()
        );
    }
    let names: Vec<String> = rig
        .core
        .list()
        .expect("list")
        .iter()
        .filter_map(|row| row.local_file_path.clone())
        .collect();
    assert!(
        names.contains(&"Big Buck Bunny (2008).mkv".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"Paper Satellites (2008) - part 2.mkv".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"The 100 - S01E01 - Pilot.mkv".to_string()),
        "{names:?}"
    );
}

#[tokio::test]
async fn enqueueing_the_same_item_twice_gives_the_same_download() {
    let rig = rig(Scenario::default());
    let first = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued");
    let second = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued");
    assert_eq!(first, second);
    let season = rig
        .core
        .enqueue(SERVER, &["69"], QualityPreset::Original)
        .await
        .expect("season");
    assert_eq!(season.len(), 3);
    let show = rig
        .core
        .enqueue(SERVER, &["68"], QualityPreset::Original)
        .await
        .expect("show");
    assert_eq!(show.len(), 5, "a show queues every episode");
    assert!(season.iter().all(|id| show.contains(id)));
    assert!(
        rig.core
            .enqueue("nope", &["55"], QualityPreset::Original)
            .await
            .is_err()
    );
}
