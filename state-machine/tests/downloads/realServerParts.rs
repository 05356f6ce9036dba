//! Parts as real servers send them (realServerFindings.md section 4): a 200 that carries
//! exactly the rest of the file asked for by a range is appended, not fetched again; a 500
//! on a part is the server refusing the file, told at once and not retried as "busy".

use plexdl_core::plex::QualityPreset;
use plexdl_replay::{Fault, FaultRule, Scenario};

use crate::support::{SERVER, download_first, finished_file, rig, run_to_end, sha256_file};

const PART_46: &str = "/library/parts/46/";
const SIZE: u64 = 13_400_382;

/// A rig whose server answers every request for Big Buck Bunny's file with `status`.
fn answering_parts_with(status: u16) -> crate::support::Rig {
    rig(Scenario {
        faults: vec![FaultRule::new(
            PART_46,
            Fault::StatusSequence {
                statuses: vec![status],
                retry_after: None,
            },
        )],
        ..Scenario::default()
    })
}

#[tokio::test]
async fn a_200_with_the_rest_of_the_file_is_appended() {
    let rig = rig(Scenario {
        faults: vec![
            FaultRule::new(PART_46, Fault::DropAfterBytes { bytes: 6_000_000 }).times(1),
            FaultRule::new(PART_46, Fault::RangeAs200).skip(1),
        ],
        ..Scenario::default()
    });
    let row = download_first(&rig.core, "55").await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    assert_eq!(
        sha256_file(&finished_file(&rig, &row)),
        rig.server.part_content(46).expect("content").sha256_hex()
    );
    let served = rig.server.counters().part_bytes(46);
    // Starting again from zero would cost at least the 6 MB received before the drop.
    assert!(
        served - SIZE <= 4 * 1024 * 1024,
        "fetched again: {} bytes",
        served - SIZE
    );
}

#[tokio::test]
async fn a_500_on_a_part_is_a_refusal_told_at_once() {
    let rig = answering_parts_with(500);
    let row = download_first(&rig.core, "55").await;
    assert_eq!(row.download_status, "failed", "{row:?}");
    assert_eq!(row.error_kind.map(|kind| kind.name()), Some("fileRefused"));
    assert_eq!(row.attempts, 1, "not retried as a busy server");
    assert!(
        row.error_message
            .as_deref()
            .is_some_and(|message| message.contains("limit")),
        "{row:?}"
    );
    assert_eq!(
        rig.server.counters().requests_to("GET /library/parts/{id}"),
        1
    );
}

/// The new user: a file replaced on the server (an upgrade) after the first broken
/// transfer. Its old part key answers 404; the item is read again, has a new key, and the
/// new version is downloaded from zero, identical to the server's new bytes.
#[tokio::test]
async fn a_file_replaced_on_the_server_is_downloaded_in_its_new_version() {
    let rig = rig(Scenario {
        faults: vec![
            FaultRule::new(PART_46, Fault::DropAfterBytes { bytes: 5_000_000 }).times(1),
            FaultRule::new(PART_46, Fault::ReplaceFile).skip(1).times(1),
        ],
        ..Scenario::default()
    });
    let id = rig
        .core
        .enqueue(SERVER, &["55"], QualityPreset::Original)
        .await
        .expect("enqueued")[0];
    let first_key = rig.core.get(id).expect("row").part_key;
    let row = run_to_end(&rig.core, id).await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    assert_ne!(
        row.part_key, first_key,
        "the new key was taken from the item"
    );
    let new_content = rig.server.part_content(46).expect("content");
    assert_ne!(
        new_content,
        plexdl_replay::Content::part(46, SIZE, 0),
        "new bytes"
    );
    assert_eq!(
        sha256_file(&finished_file(&rig, &row)),
        new_content.sha256_hex(),
        "the new version, not a mix of old and new"
    );
}

/// A 404 on a part whose item still lists the same key: the file is missing on the server,
/// a final failure (nothing is fetched again and again).
#[tokio::test]
async fn a_part_missing_under_the_same_key_fails_as_not_found() {
    let rig = answering_parts_with(404);
    let row = download_first(&rig.core, "55").await;
    assert_eq!(row.download_status, "failed", "{row:?}");
    assert_eq!(row.error_kind.map(|kind| kind.name()), Some("notFound"));
    assert_eq!(row.attempts, 1);
}
