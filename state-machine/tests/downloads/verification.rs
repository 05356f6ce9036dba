//! The verification routine: lost and damaged files are reported, orphans removed, and
//! finished files adopted again from their sidecars when the manifest is lost.

use std::time::Duration;

use plexdl_core::plex::QualityPreset;
use plexdl_replay::Scenario;

use crate::support::{
    SERVER, download_first, finished_file, open_core, rig, rig_with, run_to_end, sha256_file,
};

#[tokio::test]
async fn missing_and_damaged_files_are_reported_and_can_be_downloaded_again() {
    let rig = rig(Scenario::default());
    let ids = rig
        .core
        .enqueue(SERVER, &["55", "56"], QualityPreset::Original)
        .await
        .expect("enqueued");
    for id in &ids {
        run_to_end(&rig.core, *id).await;
    }
    let gone = finished_file(&rig, &rig.core.get(ids[0]).expect("row"));
    std::fs::remove_file(&gone).expect("removed by someone else");
    let damaged = finished_file(&rig, &rig.core.get(ids[1]).expect("row"));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&damaged)
        .expect("open")
        .set_len(1_000)
        .expect("cut");

    let report = rig.core.verify().expect("verified");
    assert_eq!((report.missing, report.corrupt), (1, 1), "{report:?}");
    let missing = rig.core.get(ids[0]).expect("row");
    assert_eq!(
        (
            missing.download_status.name(),
            missing.error_kind.map(|kind| kind.name())
        ),
        ("failed", Some("missing"))
    );
    assert!(
        missing
            .error_message
            .as_deref()
            .is_some_and(|m| m.contains("Download it again"))
    );
    assert_eq!(
        rig.core
            .get(ids[1])
            .expect("row")
            .error_kind
            .map(|kind| kind.name()),
        Some("corrupt")
    );
    assert_eq!(
        rig.core.list().expect("list").len(),
        2,
        "rows are never dropped"
    );

    for id in &ids {
        rig.core.retry(*id).expect("retried");
        let row = run_to_end(&rig.core, *id).await;
        assert_eq!(row.download_status, "completed");
    }
    assert_eq!(
        sha256_file(&gone),
        rig.server.part_content(46).expect("content").sha256_hex()
    );
    assert_eq!(
        sha256_file(&damaged),
        rig.server.part_content(47).expect("content").sha256_hex()
    );
}

#[tokio::test]
async fn orphans_are_removed_and_a_lost_manifest_is_rebuilt_from_sidecars() {
    let rig = rig_with(Scenario::default(), |settings| {
        settings.orphan_grace = Duration::ZERO
    });
    let folder = rig.dir.path().join("downloads");
    std::fs::write(folder.join("Leftover.mkv.part"), b"half a file").expect("orphan");
    // A download of plexdl's whose row is gone still has the sidecar pre-flight wrote.
    let claim = plexdl_core::engine::sidecar::Sidecar {
        format: plexdl_core::engine::sidecar::SIDECAR_FORMAT,
        server_identifier: SERVER.to_string(),
        media_rating_key: "1".to_string(),
        part_index: 0,
        quality: "original".to_string(),
        title: "Leftover".to_string(),
        bytes_total: Some(1000),
        part_key: None,
        created_at_timestamp: 0,
        subtitles: Vec::new(),
        artwork: None,
        metadata: serde_json::json!({}),
        sha256: None,
        tracks: Default::default(),
    };
    plexdl_core::engine::sidecar::write(&folder, "Leftover.mkv", &claim).expect("sidecar");
    // Another program's partial file in the same folder, three days old.
    let notes = folder.join("notes.docx.part");
    std::fs::write(&notes, b"someone else's work").expect("notes");
    let three_days_ago = std::time::SystemTime::now() - Duration::from_secs(3 * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&notes)
        .and_then(|file| file.set_modified(three_days_ago))
        .expect("old");
    let ids = rig
        .core
        .enqueue(SERVER, &["57", "90"], QualityPreset::Original)
        .await
        .expect("enqueued");
    let mut names = Vec::new();
    for id in &ids {
        names.push(
            run_to_end(&rig.core, *id)
                .await
                .local_file_path
                .expect("name"),
        );
    }
    let report = rig.core.verify().expect("verified");
    assert_eq!(report.orphans_removed, 1);
    assert!(!folder.join("Leftover.mkv.part").exists());
    assert_eq!(
        std::fs::read(&notes).expect("notes.docx.part survives"),
        b"someone else's work"
    );

    // The database is lost (a reinstall); the files and their sidecars are still there.
    drop(rig.core);
    for file in [
        "manifest.sqlite",
        "manifest.sqlite-wal",
        "manifest.sqlite-shm",
    ] {
        let _ = std::fs::remove_file(rig.dir.path().join("data").join(file));
    }
    let core = open_core(rig.dir.path(), &rig.server);
    assert!(core.list().expect("list").is_empty());
    let report = core.verify().expect("verified");
    assert_eq!(report.adopted, 2, "{report:?}");
    let rows = core.list().expect("list");
    assert!(rows.iter().all(|row| row.download_status == "completed"));
    let mut adopted: Vec<String> = rows
        .iter()
        .filter_map(|row| row.local_file_path.clone())
        .collect();
    adopted.sort();
    names.sort();
    assert_eq!(adopted, names);
    assert_eq!(
        core.verify().expect("again").adopted,
        0,
        "adopting is done once"
    );
}

#[tokio::test]
async fn the_deep_check_finds_a_file_that_changed_on_disk_after_a_resumed_download() {
    // The first answer breaks after 3 MB, so the file is finished by a resume: its hash is
    // carried across the two transfers.
    let drop_once = plexdl_replay::FaultRule::new(
        "/library/parts/46/",
        plexdl_replay::Fault::DropAfterBytes { bytes: 3_000_000 },
    )
    .times(1);
    let rig = rig(Scenario {
        faults: vec![drop_once],
        ..Scenario::default()
    });
    let row = download_first(&rig.core, "55").await;
    let id = row.id;
    assert_eq!(row.download_status, "completed", "{row:?}");
    let part_requests = rig.server.counters().requests_to("GET /library/parts/{id}");
    assert!(
        part_requests >= 2,
        "the download was resumed ({part_requests} requests)"
    );
    let path = finished_file(&rig, &row);
    let served = rig.server.part_content(46).expect("content").sha256_hex();
    let recorded = rig
        .core
        .manifest()
        .read(|tx| plexdl_core::manifest::rows::content_hash(tx, id))
        .expect("read");
    assert_eq!(
        recorded.as_deref(),
        Some(served.as_str()),
        "the hash of what was written"
    );
    assert_eq!(sha256_file(&path), served);
    let folder = rig.dir.path().join("downloads");
    let car = plexdl_core::engine::sidecar::read(&plexdl_core::engine::sidecar::path_for(
        &folder,
        row.local_file_path.as_deref().expect("name"),
    ))
    .expect("sidecar");
    assert_eq!(car.sha256.as_deref(), Some(served.as_str()));

    // One byte in the middle changes; the size stays.
    let mut bytes = std::fs::read(&path).expect("file");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&path, &bytes).expect("changed");
    let sizes = rig.core.verify().expect("verified");
    assert_eq!(sizes.corrupt, 0, "a size check cannot see it: {sizes:?}");
    let deep = rig.core.verify_deep().expect("verified");
    assert_eq!(deep.corrupt, 1, "{deep:?}");
    let row = rig.core.get(id).expect("row");
    assert_eq!(row.download_status, "failed");
    assert_eq!(
        row.error_kind,
        Some(plexdl_protocol::FailureKind::Corrupt),
        "{row:?}"
    );
    assert_eq!(
        plexdl_protocol::FailureKind::Corrupt.action(),
        plexdl_protocol::Action::Retry
    );
    // Downloading it again gives the server's file and its hash again.
    rig.core.retry(id).expect("retry");
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    assert_eq!(sha256_file(&finished_file(&rig, &row)), served);
    assert_eq!(rig.core.verify_deep().expect("verified").corrupt, 0);
}
