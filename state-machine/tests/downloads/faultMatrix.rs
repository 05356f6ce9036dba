//! The fault matrix: seeded trials over the replay server's fault kinds. Each trial must end
//! byte-identical or in the failure kind its fault implies; none may stop in a state that
//! waits with nothing scheduled; a dropped connection may cost at most one checkpoint
//! (4 MiB) of bytes fetched again.

use std::time::Duration;

use plexdl_core::engine::{DownloadCore, EngineSettings};
use plexdl_core::plex::{PlexServer, QualityPreset};
use plexdl_replay::{Fault, FaultRule, ReplayServer, Scenario, Validators};

use crate::support::{SERVER, run_to_end, sha256_file, transport};

/// Trials run (at least 200).
const TRIALS: u64 = 200;
/// The episode used: one part of 5 MiB.
const RATING_KEY: &str = "75";
const PART_ID: u64 = 86;
const PART: &str = "/library/parts/86/";
const SIZE: u64 = 5_242_880;
const CHECKPOINT: u64 = 4 * 1024 * 1024;

fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// What a trial must end in.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    /// Completed and byte-identical; `drops` connections were cut (each may cost one
    /// checkpoint of bytes fetched again), or `None` when the fault restarts the whole file.
    Complete { drops: Option<u64> },
    /// Failed with this kind.
    Fail(&'static str),
}

fn trial(seed: u64) -> (Scenario, Expect, &'static str) {
    let r = mix(seed);
    let offset = 1 + r % (SIZE - 1);
    let times = 1 + (r >> 20) as u32 % 3;
    let rule = |fault| FaultRule::new(PART, fault);
    let scenario = |faults: Vec<FaultRule>| Scenario {
        faults,
        ..Scenario::default()
    };
    match seed % 14 {
        0 => (
            scenario(vec![
                rule(Fault::DropAfterBytes { bytes: offset }).times(times),
            ]),
            Expect::Complete {
                drops: Some(times as u64),
            },
            "drop",
        ),
        1 => (
            scenario(vec![
                rule(Fault::DropAtRandomOffsets { seed: r }).times(times + 2),
            ]),
            Expect::Complete {
                drops: Some(times as u64 + 2),
            },
            "random drops",
        ),
        2 => (
            scenario(vec![rule(Fault::StatusSequence {
                statuses: vec![503; times as usize],
                retry_after: Some(0),
            })]),
            Expect::Complete { drops: Some(0) },
            "503 then ok",
        ),
        3 => (
            scenario(vec![rule(Fault::StatusSequence {
                statuses: vec![503; 20],
                retry_after: None,
            })]),
            Expect::Fail("serverOverloaded"),
            "always busy",
        ),
        4 => (
            scenario(vec![
                rule(Fault::Stall {
                    after_bytes: offset,
                    millis: 700,
                })
                .times(1),
            ]),
            Expect::Complete { drops: Some(1) },
            "stall",
        ),
        5 => (
            scenario(vec![rule(Fault::Throttle {
                bytes_per_second: 40_000_000,
            })]),
            Expect::Complete { drops: Some(0) },
            "throttle",
        ),
        6 => (
            // Changed in place under the same key: only validators can show it, so this
            // server sends them (no real server is known to).
            Scenario {
                validators: Validators::Both,
                ..scenario(vec![
                    rule(Fault::DropAfterBytes { bytes: offset }).times(1),
                    rule(Fault::ChangeContent).skip(1).times(1),
                ])
            },
            Expect::Complete { drops: None },
            "file changed, with validators",
        ),
        7 => (
            scenario(vec![
                rule(Fault::DropAfterBytes { bytes: offset }).times(1),
                rule(Fault::IgnoreRange).skip(1).times(1),
            ]),
            Expect::Complete { drops: None },
            "range ignored",
        ),
        8 => (
            scenario(vec![
                rule(Fault::DropAfterBytes { bytes: offset }).times(1),
                rule(Fault::WrongContentRange).skip(1).times(1),
            ]),
            Expect::Complete { drops: None },
            "wrong range",
        ),
        9 => (
            scenario(vec![
                rule(Fault::Truncate {
                    after_bytes: offset,
                })
                .times(times),
            ]),
            Expect::Complete {
                drops: Some(times as u64),
            },
            "truncated",
        ),
        10 => (
            // Replaced as an upgrade does on a real server: a new part key, the old one 404
            // (realServerFindings.md section 4), and no validators (the default).
            scenario(vec![
                rule(Fault::DropAfterBytes { bytes: offset }).times(1),
                rule(Fault::ReplaceFile).skip(1).times(1),
            ]),
            Expect::Complete { drops: None },
            "file replaced",
        ),
        11 => (
            scenario(vec![rule(Fault::StatusSequence {
                statuses: vec![403],
                retry_after: None,
            })]),
            Expect::Fail("forbidden"),
            "forbidden",
        ),
        12 => (
            scenario(vec![rule(Fault::StatusSequence {
                statuses: vec![404],
                retry_after: None,
            })]),
            Expect::Fail("notFound"),
            "not found",
        ),
        _ => (
            // The first metadata request is the one enqueue makes (it checks the permission
            // and reads the item); pre-flight gets the HTML page.
            scenario(vec![
                FaultRule::new("/library/metadata/", Fault::HtmlPage)
                    .skip(1)
                    .times(1),
            ]),
            Expect::Fail("badResponse"),
            "HTML instead of JSON",
        ),
    }
}

#[tokio::test]
async fn seeded_fault_trials_end_identical_or_in_the_implied_failure() {
    let mut completed = 0;
    let mut failed = 0;
    for seed in 0..TRIALS {
        let (scenario, expect, name) = trial(seed);
        let server = ReplayServer::builder()
            .scenario(scenario)
            .start()
            .expect("replay server");
        let dir = tempfile::tempdir().expect("temp dir");
        let settings = EngineSettings {
            stall_timeout: Duration::from_millis(300),
            poll_interval: Duration::from_millis(10),
            ..EngineSettings::new(dir.path().join("downloads"))
        };
        let core = DownloadCore::open(&dir.path().join("data"), settings).expect("core");
        crate::support::watch_token(server.token());
        core.register_server(
            SERVER,
            PlexServer::direct(transport(), server.base_url(), server.token(), "Replay")
                .expect("server"),
        );
        let id = core
            .enqueue(SERVER, &[RATING_KEY], QualityPreset::Original)
            .await
            .expect("enqueued")[0];
        let row = run_to_end(&core, id).await;
        match expect {
            Expect::Complete { drops } => {
                assert_eq!(
                    row.download_status, "completed",
                    "trial {seed} ({name}): {row:?}"
                );
                let path = core.final_path(&row).expect("file");
                let content = server.part_content(PART_ID).expect("content");
                assert_eq!(
                    sha256_file(&path),
                    content.sha256_hex(),
                    "trial {seed} ({name})"
                );
                if let Some(drops) = drops {
                    let again = server.counters().part_bytes(PART_ID).saturating_sub(SIZE);
                    assert!(
                        again <= drops.max(1) * CHECKPOINT,
                        "trial {seed} ({name}): fetched again {again} for {drops} drops"
                    );
                }
                completed += 1;
            }
            Expect::Fail(kind) => {
                assert_eq!(
                    row.download_status, "failed",
                    "trial {seed} ({name}): {row:?}"
                );
                assert_eq!(
                    row.error_kind.map(|kind| kind.name()),
                    Some(kind),
                    "trial {seed} ({name})"
                );
                assert!(row.error_message.as_deref().is_some_and(|m| !m.is_empty()));
                failed += 1;
            }
        }
    }
    assert_eq!(completed + failed, TRIALS);
    assert!(completed > failed, "completed {completed}, failed {failed}");
}
