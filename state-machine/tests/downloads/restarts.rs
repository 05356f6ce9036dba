//! The core is dropped at random points (as when Android kills the app), reopened on the
//! same folder, and the downloads are finished: no row is lost and every file is identical.

use std::sync::Arc;
use std::time::Duration;

use plexdl_core::plex::QualityPreset;
use plexdl_replay::{Fault, FaultRule, ReplayServer, Scenario};

use crate::support::{SERVER, open_core, run_to_end, sha256_file, spawn_step};

fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z ^ (z >> 31)
}

#[tokio::test]
async fn killed_and_reopened_cores_finish_every_download() {
    // Slow enough that a random kill lands mid-transfer.
    let throttle = FaultRule::new(
        "/library/parts/",
        Fault::Throttle {
            bytes_per_second: 20_000_000,
        },
    );
    let server = ReplayServer::builder()
        .scenario(Scenario {
            faults: vec![throttle],
            ..Scenario::default()
        })
        .start()
        .expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = ["71", "72", "73", "74", "75"];
    let ids = {
        let core = open_core(dir.path(), &server);
        core.enqueue(SERVER, &keys, QualityPreset::Original)
            .await
            .expect("enqueued")
    };
    for round in 0..12u64 {
        let core = Arc::new(open_core(dir.path(), &server));
        let id = ids[(mix(round) % ids.len() as u64) as usize];
        let kill_after = Duration::from_millis(20 + mix(round ^ 7) % 400);
        let step = spawn_step(&core, id);
        tokio::time::sleep(kill_after).await;
        step.abort();
        let _ = step.await;
        drop(core);
    }
    let core = open_core(dir.path(), &server);
    assert_eq!(
        core.list().expect("list").len(),
        ids.len(),
        "no row was lost"
    );
    let wakes = core.reconcile().expect("reconcile");
    assert!(wakes.iter().all(|wake| ids.contains(&wake.download_id)));
    for id in &ids {
        let row = run_to_end(&core, *id).await;
        assert_eq!(row.download_status, "completed", "{row:?}");
        let part_id: u64 = row
            .part_key
            .as_deref()
            .and_then(|k| k.split('/').nth(3))
            .and_then(|p| p.parse().ok())
            .expect("part id");
        let path = core.final_path(&row).expect("file");
        assert_eq!(
            sha256_file(&path),
            server.part_content(part_id).expect("content").sha256_hex(),
            "{}",
            path.display()
        );
    }
    assert!(
        core.reconcile().expect("reconcile").is_empty(),
        "nothing left to schedule"
    );
}

#[tokio::test]
async fn a_stop_right_after_the_rename_is_finished_on_the_next_start() {
    use plexdl_core::engine::sidecar::{self, Sidecar};
    use plexdl_core::machine::{self, Event, Route};
    use plexdl_core::manifest::rows;

    let server = ReplayServer::start_default().expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("downloads");
    let (id, name, sha, artwork) = {
        let core = open_core(dir.path(), &server);
        let id = core
            .enqueue(SERVER, &["55"], QualityPreset::Original)
            .await
            .expect("enqueued")[0];
        let row = run_to_end(&core, id).await;
        assert_eq!(row.download_status, "completed");
        let name = row.local_file_path.clone().expect("name");
        let car = sidecar::read(&sidecar::path_for(&folder, &name)).expect("sidecar");
        let artwork = car.artwork.clone().expect("a poster was saved");
        let sha = sha256_file(&core.final_path(&row).expect("path"));
        // The state a kill right after the rename leaves: the file under its final name,
        // the machine still Verifying, the poster not saved, and the sidecar pre-flight
        // wrote (without extras).
        core.manifest()
            .write(|tx| {
                let mut verifying = machine::new_machine(1);
                for event in [
                    Event::Start,
                    Event::PreflightPassed {
                        route: Route::Direct,
                    },
                    Event::TransferComplete,
                ] {
                    machine::handle(&mut verifying, &event);
                }
                rows::save_machine(tx, id, &verifying)
            })
            .expect("back to verifying");
        std::fs::remove_file(folder.join(&artwork)).expect("poster removed");
        sidecar::write(
            &folder,
            &name,
            &Sidecar::from_row(&core.get(id).expect("row"), Vec::new(), None),
        )
        .expect("sidecar without extras");
        (id, name, sha, artwork)
    };
    // The next start: verification at start, then the download's next step.
    let core = open_core(dir.path(), &server);
    let report = core.verify().expect("verified");
    assert_eq!(
        report.repaired, 0,
        "the progress was not set back: {report:?}"
    );
    let before = core.get(id).expect("row");
    assert_eq!(before.download_status, "verifying");
    let row = run_to_end(&core, id).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    assert_eq!(
        (row.bytes_done, row.bytes_total),
        (13_400_382, Some(13_400_382)),
        "not Downloaded 0.0 of 13.4 MB"
    );
    assert_eq!(sha256_file(&folder.join(&name)), sha);
    assert!(
        folder.join(&artwork).exists(),
        "the poster was fetched then"
    );
    let car = sidecar::read(&sidecar::path_for(&folder, &name)).expect("sidecar");
    assert_eq!(car.artwork.as_deref(), Some(artwork.as_str()));
}
