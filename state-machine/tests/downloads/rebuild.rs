//! The list of downloads rebuilt inside a running core (the Diagnostics screen's button):
//! a running step ends before the database is swapped and never writes into the new list,
//! every finished download comes back, an unfinished one is queued again, and the rebuilt
//! list downloads as before.

use std::sync::Arc;
use std::time::Duration;

use plexdl_core::plex::QualityPreset;
use plexdl_protocol::DownloadStatus;
use plexdl_replay::{Fault, FaultRule, Scenario};

use crate::support::{
    SERVER, download_first, finished_file, rig, run_to_end, sha256_file, spawn_step,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_in_the_running_core_stops_the_step_and_brings_back_every_download() {
    let rig = rig(Scenario {
        faults: vec![FaultRule::new(
            "/library/parts/46/",
            Fault::Throttle {
                bytes_per_second: 2_000_000,
            },
        )],
        ..Scenario::default()
    });
    let finished: Vec<_> = [
        download_first(&rig.core, "56").await,
        download_first(&rig.core, "33").await,
    ]
    .into_iter()
    .map(|row| {
        assert_eq!(row.download_status, DownloadStatus::Completed);
        let path = finished_file(&rig, &row);
        (row.title, sha256_file(&path))
    })
    .collect();
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    let core = Arc::new(rig.core);
    let stepping = spawn_step(&core, id);
    let waiting = std::time::Instant::now();
    while core.get(id).expect("row").bytes_done == 0 {
        assert!(
            waiting.elapsed() < Duration::from_secs(20),
            "the download never saved progress"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let report = tokio::time::timeout(Duration::from_secs(20), core.rebuild_manifest())
        .await
        .expect("the rebuild ends")
        .expect("rebuilt");
    // The step ended before the swap (the rebuild waits for it); what it says is the old
    // list's business.
    assert!(
        stepping.is_finished(),
        "the step ended before the rebuild did"
    );
    let _ = stepping.await.expect("task");
    assert_eq!(report.finished, 2, "{report:?}");
    assert_eq!(report.queued_again, 1, "{report:?}");
    let kept = std::path::PathBuf::from(report.kept_as.expect("the old list was kept"));
    assert!(kept.exists(), "{}", kept.display());
    assert!(
        kept.file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with("manifest.damaged-")),
        "{}",
        kept.display()
    );

    let rows = core.list().expect("the new list");
    assert_eq!(rows.len(), 3, "{rows:?}");
    for (title, sha) in &finished {
        let row = rows
            .iter()
            .find(|row| &row.title == title)
            .expect("finished one back");
        assert_eq!(row.download_status, DownloadStatus::Completed);
        let path = core.final_path(row).expect("file name");
        assert_eq!(
            &sha256_file(&path),
            sha,
            "{title}: the file was not touched"
        );
    }
    let again = rows
        .iter()
        .find(|row| row.download_status == DownloadStatus::Queued)
        .expect("the unfinished one is queued again");
    assert_eq!(
        again.bytes_done, 0,
        "no step wrote into the new list: {again:?}"
    );
    assert!(!core.manifest_stopped());
    assert_eq!(core.manifest_problem(), None);

    // The rebuilt list downloads as before: the film queued again finishes byte-identical.
    let done = run_to_end(&core, again.id).await;
    assert_eq!(done.download_status, DownloadStatus::Completed);
    assert_eq!(
        sha256_file(&core.final_path(&done).expect("file name")),
        rig.server.part_content(46).expect("content").sha256_hex()
    );
}
