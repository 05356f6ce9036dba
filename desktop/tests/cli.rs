//! plexdl as a child process against the replay server: connect, browse, download, run
//! until idle, status; bad input; and SIGKILL in the middle of transfers.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use plexdl_replay::{Fault, FaultRule, ReplayServer, Scenario};
#[path = "shared/recordingOpener.rs"]
mod recording_opener;
use recording_opener::RecordingOpener;
use serde_json::Value;
use sha2::{Digest, Sha256};

const PLEXDL: &str = env!("CARGO_BIN_EXE_plexdl");

fn plexdl(data: &Path, server: &ReplayServer, args: &[&str]) -> Output {
    Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("PLEXDL_TOKEN", server.token())
        .env("PLEXDL_PLEX_TV", server.base_url())
        .stdin(Stdio::null())
        .output()
        .expect("plexdl runs")
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn sha256_file(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    Sha256::digest(&bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn connect(data: &Path, server: &ReplayServer) {
    let output = plexdl(
        data,
        server,
        &["connect", "--url", server.base_url(), "--name", "Replay"],
    );
    assert!(
        output.status.success(),
        "connect: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn connect_browse_download_run_and_status() {
    let server = ReplayServer::start_default().expect("replay server");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    connect(&data, &server);

    let sections: Value = serde_json::from_str(&text(&plexdl(
        &data,
        &server,
        &["browse", "sections", "--json"],
    )))
    .expect("JSON");
    assert_eq!(sections.as_array().map(Vec::len), Some(2));
    let items: Value = serde_json::from_str(&text(&plexdl(
        &data,
        &server,
        &["browse", "items", "1", "--json"],
    )))
    .expect("JSON");
    assert!(
        items
            .as_array()
            .is_some_and(|items| items.iter().any(|item| item["ratingKey"] == "55"))
    );
    let children = text(&plexdl(&data, &server, &["browse", "children", "33"]));
    assert!(children.contains("Inclement Weather"), "{children}");

    let queued = plexdl(
        &data,
        &server,
        &["download", "55", "33", "--quality", "original"],
    );
    assert!(
        queued.status.success(),
        "{}",
        String::from_utf8_lossy(&queued.stderr)
    );
    let ids: Vec<i64> = text(&queued)
        .lines()
        .map(|line| line.trim().parse().expect("an id per line"))
        .collect();
    assert_eq!(
        ids.len(),
        4,
        "the movie and the three episodes of the season"
    );

    let run = plexdl(&data, &server, &["run", "--until-idle"]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "run: {}\n{}",
        text(&run),
        String::from_utf8_lossy(&run.stderr)
    );

    let status: Value =
        serde_json::from_str(&text(&plexdl(&data, &server, &["status", "--json"]))).expect("JSON");
    let rows = status.as_array().expect("rows");
    assert_eq!(rows.len(), 4);
    for row in rows {
        for field in [
            "id",
            "ratingKey",
            "title",
            "status",
            "bytesDone",
            "bytesTotal",
            "localFilePath",
            "errorKind",
            "errorMessage",
        ] {
            assert!(row.get(field).is_some(), "{field} in {row}");
        }
        assert_eq!(row["status"], "completed");
        let path = data
            .join("downloads")
            .join(row["localFilePath"].as_str().expect("file"));
        let part = server
            .library()
            .parts()
            .find(|part| part.rating_key == row["ratingKey"].as_str().unwrap_or_default())
            .expect("the item's part")
            .id;
        assert_eq!(
            sha256_file(&path),
            server.part_content(part).expect("content").sha256_hex(),
            "{}",
            path.display()
        );
    }

    // Play hands a finished file to the opener (a script that writes down what it got).
    let opener = RecordingOpener::new(dir.path());
    let unknown = Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(&data)
        .args(["play", "999"])
        .env("PLEXDL_OPENER", &opener.script)
        .output()
        .expect("plexdl runs");
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    assert!(
        !opener.was_run(),
        "nothing is opened for an unknown download"
    );
    let id = rows[0]["id"].to_string();
    let played = Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(&data)
        .args(["play", &id])
        .env("PLEXDL_OPENER", &opener.script)
        .output()
        .expect("plexdl runs");
    assert!(
        played.status.success(),
        "{}",
        String::from_utf8_lossy(&played.stderr)
    );
    let expected = data
        .join("downloads")
        .join(rows[0]["localFilePath"].as_str().expect("file"));
    assert_eq!(Path::new(&opener.opened()), expected);
}

#[test]
fn bad_input_gets_a_clear_message_and_the_documented_exit_code() {
    let server = ReplayServer::start_default().expect("replay server");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");

    let no_server = plexdl(&data, &server, &["browse", "sections"]);
    assert_eq!(
        no_server.status.code(),
        Some(3),
        "no server connected means not signed in"
    );

    let wrong_token = Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(&data)
        .args(["connect", "--url", server.base_url()])
        .env("PLEXDL_TOKEN", "WrongTokenValue12")
        .output()
        .expect("runs");
    assert_eq!(
        wrong_token.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&wrong_token.stderr)
    );

    let unreachable = plexdl(&data, &server, &["connect", "--url", "http://127.0.0.1:9"]);
    assert_eq!(
        unreachable.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&unreachable.stderr)
    );

    let no_token = Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(&data)
        .args(["connect", "--url", server.base_url()])
        .env_remove("PLEXDL_TOKEN")
        .output()
        .expect("runs");
    assert_eq!(no_token.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_token.stderr).contains("PLEXDL_TOKEN"));

    connect(&data, &server);
    let unknown_id = plexdl(&data, &server, &["pause", "4242"]);
    assert_eq!(unknown_id.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown_id.stderr).contains("4242"));
    let unknown_key = plexdl(&data, &server, &["download", "424242"]);
    assert_eq!(
        unknown_key.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&unknown_key.stderr)
    );
    let bad_quality = plexdl(&data, &server, &["download", "55", "--quality", "4k"]);
    assert_eq!(bad_quality.status.code(), Some(2));
    let usage = plexdl(&data, &server, &["frobnicate"]);
    assert_eq!(usage.status.code(), Some(2));

    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").expect("write");
    let bad_dir = Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(file.join("data"))
        .arg("status")
        .output()
        .expect("runs");
    assert_eq!(
        bad_dir.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&bad_dir.stderr)
    );

    // Credentials in --url are refused and never printed back.
    let address = server.base_url().trim_start_matches("http://");
    for url in [
        format!("http://plexuser:Secret-Password-1@{address}"),
        format!("http://{address}/?X-Plex-Token=Secret-Password-1"),
    ] {
        let refused = plexdl(&data, &server, &["connect", "--url", &url]);
        assert_eq!(refused.status.code(), Some(2));
        let said = String::from_utf8_lossy(&refused.stderr).into_owned()
            + &String::from_utf8_lossy(&refused.stdout);
        assert!(said.contains("PLEXDL_TOKEN"), "{said}");
        assert!(!said.contains("Secret-Password-1"), "{said}");
    }

    for output in [&wrong_token, &unreachable, &unknown_key] {
        assert!(!String::from_utf8_lossy(&output.stderr).contains(server.token()));
    }
}

#[test]
fn server_titles_reach_the_terminal_without_escape_sequences() {
    // A library whose film title moves the cursor, clears the screen, sets the window
    // title and reverses the text direction.
    let hostile = "Evil\u{1b}[2J\u{1b}]0;owned\u{7}\r\u{9b}31m\u{202e}vkm.exe";
    let fixtures = tempfile::tempdir().expect("temp dir");
    for (name, text) in plexdl_replay::fixture_store::built_in_files() {
        let path = fixtures.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        let mut text = text.to_string();
        if name.starts_with("server/library/metadata/55")
            || name == "server/library/sections/1/all.json"
            || name == "server/library/sections/1/allAuthored.json"
        {
            let mut doc: Value = serde_json::from_str(&text).expect("JSON");
            for item in doc["MediaContainer"]["Metadata"]
                .as_array_mut()
                .into_iter()
                .flatten()
            {
                if item["ratingKey"] == "55" {
                    item["title"] = Value::from(hostile);
                }
            }
            text = doc.to_string();
        }
        std::fs::write(path, text).expect("write");
    }
    let server = ReplayServer::builder()
        .fixtures_dir(fixtures.path())
        .start()
        .expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    connect(&data, &server);
    let outputs = [
        plexdl(&data, &server, &["browse", "items", "1"]),
        plexdl(&data, &server, &["browse", "item", "55"]),
        plexdl(&data, &server, &["download", "55"]),
        plexdl(&data, &server, &["status"]),
        plexdl(&data, &server, &["run", "--until-idle"]),
        plexdl(&data, &server, &["status"]),
    ];
    let mut shown = 0;
    for output in &outputs {
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        shown += text.matches("Evil").count();
        assert!(
            !text
                .chars()
                .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{text:?}"
        );
    }
    assert!(shown >= 3, "the title was shown {shown} times");
    // The file name lost them too.
    let names: Vec<String> = std::fs::read_dir(data.join("downloads"))
        .expect("folder")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|name| name.starts_with("Evil")
            && !name.chars().any(char::is_control)
            && !name.contains('\u{202e}')),
        "{names:?}"
    );
}

#[test]
fn a_failed_download_makes_run_exit_5() {
    let forbidden = FaultRule::new(
        "/library/parts/46/",
        Fault::StatusSequence {
            statuses: vec![403],
            retry_after: None,
        },
    );
    let (server, dir) = queued_with(vec![forbidden]);
    let data = dir.path().join("data");
    let run = plexdl(&data, &server, &["run", "--until-idle"]);
    assert_eq!(run.status.code(), Some(5));
    let status: Value =
        serde_json::from_str(&text(&plexdl(&data, &server, &["status", "--json"]))).expect("JSON");
    assert_eq!(status[0]["errorKind"], "forbidden");
    assert_eq!(status[0]["action"], "askServerOwner");
}

fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z ^ (z >> 31)
}

#[test]
fn killed_runs_resume_and_finish_byte_identical() {
    // 13.4 MB at 2 MB/s: about 7 seconds of transfer to interrupt.
    let (server, dir) = queued_throttled(2_000_000);
    let data = dir.path().join("data");
    let size = 13_400_382u64;
    let mut kills = 0u64;
    let (mut served_before, mut kept_before) = (0u64, 0u64);
    for seed in 0..10u64 {
        let mut child = Command::new(PLEXDL)
            .arg("--data-dir")
            .arg(&data)
            .args(["run", "--until-idle"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run starts");
        std::thread::sleep(Duration::from_millis(300 + mix(seed) % 500));
        if child.try_wait().expect("status").is_some() {
            break;
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        kills += 1;
        let served = server.counters().part_bytes(46);
        let status: Value =
            serde_json::from_str(&text(&plexdl(&data, &server, &["status", "--json"])))
                .expect("JSON");
        let kept = status[0]["bytesDone"].as_u64().unwrap_or(0);
        // What this run was sent but the manifest did not keep is fetched again by the next.
        let lost = (served - served_before).saturating_sub(kept.saturating_sub(kept_before));
        assert!(
            lost <= 4 * 1024 * 1024,
            "kill {kills}: {lost} bytes will be fetched again"
        );
        served_before = served;
        kept_before = kept;
    }
    let finish = plexdl(&data, &server, &["run", "--until-idle"]);
    assert_eq!(finish.status.code(), Some(0));
    let status: Value =
        serde_json::from_str(&text(&plexdl(&data, &server, &["status", "--json"]))).expect("JSON");
    assert_eq!(status[0]["status"], "completed");
    let path = data
        .join("downloads")
        .join(status[0]["localFilePath"].as_str().expect("file"));
    assert_eq!(
        sha256_file(&path),
        server.part_content(46).expect("content").sha256_hex()
    );
    let served = server.counters().part_bytes(46);
    let fetched_again = served - size;
    assert!(
        fetched_again <= kills * 4 * 1024 * 1024,
        "fetched again {fetched_again} bytes over {kills} kills"
    );
}

#[test]
fn login_lists_the_account_servers_and_logout_forgets_the_token() {
    let server = ReplayServer::builder()
        .scenario(Scenario {
            pin_link_after_polls: Some(2),
            ..Scenario::default()
        })
        .start()
        .expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let login = plexdl(&data, &server, &["login"]);
    assert_eq!(
        login.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&login.stderr)
    );
    let out = text(&login);
    assert!(out.contains("https://app.plex.tv/auth#?clientID="), "{out}");
    assert!(out.contains("Signed in. Servers: 1"), "{out}");
    let token_file = data.join("account").join("token");
    assert_eq!(
        std::fs::read_to_string(&token_file).expect("token kept"),
        server.token()
    );
    let servers: Value =
        serde_json::from_str(&text(&plexdl(&data, &server, &["servers", "--json"]))).expect("JSON");
    assert_eq!(servers[0]["id"], server.fixtures().machine_identifier());
    assert!(!text(&plexdl(&data, &server, &["servers"])).contains(server.token()));
    let saved = std::fs::read_to_string(data.join("servers.json")).expect("server list");
    assert!(
        !saved.contains(server.token()),
        "tokens are kept only in the owner-only token files"
    );
    let logout = plexdl(&data, &server, &["logout"]);
    assert!(logout.status.success());
    assert!(!token_file.exists());
}

/// A server with these faults, and film 55 (13.4 MB) connected and queued in a new data
/// folder (`<dir>/data`).
fn queued_with(faults: Vec<FaultRule>) -> (ReplayServer, tempfile::TempDir) {
    let server = ReplayServer::builder()
        .scenario(Scenario {
            faults,
            ..Scenario::default()
        })
        .start()
        .expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    connect(&data, &server);
    assert!(plexdl(&data, &server, &["download", "55"]).status.success());
    (server, dir)
}

/// A throttled server with film 55 queued (see [`queued_with`]).
fn queued_throttled(bytes_per_second: u64) -> (ReplayServer, tempfile::TempDir) {
    queued_with(vec![FaultRule::new(
        "/library/parts/",
        Fault::Throttle { bytes_per_second },
    )])
}

fn spawn_run(data: &Path) -> std::process::Child {
    Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(data)
        .args(["run", "--until-idle"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run starts")
}

fn finish_and_check(data: &Path, server: &ReplayServer) {
    let finish = plexdl(data, server, &["run", "--until-idle"]);
    assert_eq!(
        finish.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&finish.stderr)
    );
    let status: Value =
        serde_json::from_str(&text(&plexdl(data, server, &["status", "--json"]))).expect("JSON");
    assert_eq!(status[0]["status"], "completed", "{status}");
    let path = data
        .join("downloads")
        .join(status[0]["localFilePath"].as_str().expect("file"));
    assert_eq!(
        sha256_file(&path),
        server.part_content(46).expect("content").sha256_hex(),
        "the finished file differs from the server's"
    );
}

#[test]
fn two_runners_on_one_data_folder_never_give_a_file_that_differs() {
    // 13.4 MB at 3 MB/s: about 4.5 seconds of transfer in all, spread over the rounds.
    let (server, dir) = queued_throttled(3_000_000);
    let data = dir.path().join("data");
    let mut refusals = 0;
    for seed in 0..6u64 {
        let mut first = spawn_run(&data);
        std::thread::sleep(Duration::from_millis(150 + mix(seed) % 300));
        let mut second = spawn_run(&data);
        std::thread::sleep(Duration::from_millis(100 + mix(seed + 100) % 300));
        let first_alive = first.try_wait().expect("status").is_none();
        match second.try_wait().expect("status") {
            Some(code) if first_alive => {
                // The second runner was refused and said who runs the downloads.
                let mut said = String::new();
                std::io::Read::read_to_string(second.stderr.as_mut().expect("stderr"), &mut said)
                    .expect("read");
                assert_eq!(code.code(), Some(6), "{said}");
                assert!(
                    said.contains(&format!("plexdl run (process {})", first.id())),
                    "{said}"
                );
                refusals += 1;
            }
            Some(_) => {}
            None => {
                let _ = second.kill();
            }
        }
        let _ = second.wait();
        // Kill the first runner in some rounds, at a seeded moment; let it go on in others
        // while the next round's second runner tries again.
        if seed % 2 == 0 {
            let _ = first.kill();
        } else {
            std::thread::sleep(Duration::from_millis(mix(seed + 200) % 200));
            let _ = first.kill();
        }
        let _ = first.wait();
    }
    assert!(
        refusals >= 3,
        "only {refusals} of 6 second runners were refused"
    );
    finish_and_check(&data, &server);
}

#[test]
fn a_pause_from_another_process_stops_the_running_transfer() {
    let (server, dir) = queued_throttled(2_000_000);
    let data = dir.path().join("data");
    let mut runner = spawn_run(&data);
    std::thread::sleep(Duration::from_millis(1200));
    assert!(
        runner.try_wait().expect("status").is_none(),
        "still running"
    );
    let paused = plexdl(&data, &server, &["pause", "1"]);
    assert!(
        paused.status.success(),
        "{}",
        String::from_utf8_lossy(&paused.stderr)
    );
    let asked = std::time::Instant::now();
    // The runner notices within 2 seconds, stops the transfer, and (run --until-idle)
    // ends because nothing is left to do.
    let mut ended = None;
    while asked.elapsed() < Duration::from_secs(6) {
        if let Some(status) = runner.try_wait().expect("status") {
            ended = Some((status, asked.elapsed()));
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, after) = ended.unwrap_or_else(|| {
        let _ = runner.kill();
        panic!("the runner did not stop after the pause")
    });
    assert_eq!(status.code(), Some(0));
    assert!(after < Duration::from_secs(4), "stopped after {after:?}");
    let served = server.counters().part_bytes(46);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        server.counters().part_bytes(46),
        served,
        "no byte after the stop"
    );
    let row: Value =
        serde_json::from_str(&text(&plexdl(&data, &server, &["status", "--json"]))).expect("JSON");
    assert_eq!(row[0]["status"], "paused", "{row}");
    assert!(plexdl(&data, &server, &["resume", "1"]).status.success());
    finish_and_check(&data, &server);
}

#[test]
fn an_idle_runner_starts_a_download_another_process_adds() {
    let server = ReplayServer::start_default().expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    connect(&data, &server);
    let mut runner = Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(&data)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run starts");
    // The idle runner sleeps without a timer; only the doorbell it binds can wake it.
    let bell = data.join("wake.sock");
    let bound = std::time::Instant::now();
    while !bell.exists() && bound.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(bell.exists(), "the runner binds its doorbell");
    std::thread::sleep(Duration::from_millis(500));
    assert!(plexdl(&data, &server, &["download", "55"]).status.success());
    let asked = std::time::Instant::now();
    let mut status = Value::Null;
    while asked.elapsed() < Duration::from_secs(30) {
        status = serde_json::from_str(&text(&plexdl(&data, &server, &["status", "--json"])))
            .expect("JSON");
        if status[0]["status"] == "completed" {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = runner.kill();
    let _ = runner.wait();
    assert_eq!(status[0]["status"], "completed", "{status}");
}

#[test]
fn a_cancel_from_another_process_leaves_the_partial_file_to_the_runner() {
    let (server, dir) = queued_throttled(2_000_000);
    let data = dir.path().join("data");
    let mut runner = spawn_run(&data);
    std::thread::sleep(Duration::from_millis(1200));
    let cancelled = plexdl(&data, &server, &["cancel", "1"]);
    assert!(cancelled.status.success());
    let status = runner.wait().expect("runner ends");
    assert_eq!(status.code(), Some(0));
    let row: Value =
        serde_json::from_str(&text(&plexdl(&data, &server, &["status", "--json"]))).expect("JSON");
    assert_eq!(row[0]["status"], "cancelled", "{row}");
    assert_eq!(row[0]["bytesDone"], 0, "{row}");
    let leftovers: Vec<_> = std::fs::read_dir(data.join("downloads"))
        .expect("folder")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".part"))
        .collect();
    assert_eq!(
        leftovers,
        Vec::<String>::new(),
        "the runner removed the partial file"
    );
}

/// Runs `plexdl run --until-idle` and gives its output and how long it took; fails the test
/// if it is still running after 30 seconds.
fn run_within_30_seconds(data: &Path, server: &ReplayServer) -> (Output, Duration) {
    let started = std::time::Instant::now();
    let mut child = Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(data)
        .args(["run", "--until-idle"])
        .env("PLEXDL_TOKEN", server.token())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run starts");
    while child.try_wait().expect("status").is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("plexdl run did not end within 30 s on a damaged manifest");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child.wait_with_output().expect("output"), started.elapsed())
}

#[test]
fn an_unwritable_manifest_stops_the_run_after_a_handful_of_requests() {
    let server = ReplayServer::start_default().expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    connect(&data, &server);
    assert!(plexdl(&data, &server, &["download", "55"]).status.success());
    // From pre-flight on, every change to a download row fails, as on a database that can no
    // longer be written: each step asks the server about the item, then cannot record it.
    rusqlite::Connection::open(data.join("manifest.sqlite"))
        .and_then(|db| {
            db.execute_batch(
                "CREATE TRIGGER unwritable BEFORE UPDATE ON downloads
                 WHEN NEW.download_status NOT IN ('queued', 'preflight')
                 BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;",
            )
        })
        .expect("trigger");
    server.reset_counters();
    let (output, took) = run_within_30_seconds(&data, &server);
    let said = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_ne!(output.status.code(), Some(0), "{said}");
    assert!(said.contains("plexdl doctor"), "{said}");
    let requests = server.counters().total_requests();
    eprintln!("unwritable manifest: {requests} requests, ended after {took:?}: {said}");
    assert!(
        requests <= 12,
        "{requests} requests to the server in {took:?}"
    );
}

#[test]
fn a_damaged_manifest_ends_the_run_and_doctor_brings_back_the_finished_downloads() {
    let server = ReplayServer::start_default().expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good");
    connect(&good, &server);
    assert!(
        plexdl(&good, &server, &["download", "56", "33"])
            .status
            .success()
    );
    assert_eq!(
        plexdl(&good, &server, &["run", "--until-idle"])
            .status
            .code(),
        Some(0)
    );
    let finished: Value =
        serde_json::from_str(&text(&plexdl(&good, &server, &["status", "--json"]))).expect("JSON");
    let finished = finished.as_array().expect("rows").len();
    assert!(finished >= 2, "{finished} finished downloads");
    let database = std::fs::read(good.join("manifest.sqlite")).expect("database");
    let pages = database.len() / 4096;
    // Each page after the first in turn (the first is the header every open reads) is
    // overwritten with seeded noise, in a copy of the good data folder.
    for page in 1..pages {
        let seed = page as u64;
        let data = dir.path().join(format!("damaged-{page}"));
        copy_folder(&good, &data);
        let mut damaged = database.clone();
        for (offset, byte) in damaged[page * 4096..(page + 1) * 4096]
            .iter_mut()
            .enumerate()
        {
            *byte = mix(seed ^ (offset as u64) << 16) as u8;
        }
        std::fs::write(data.join("manifest.sqlite"), &damaged).expect("damage");
        server.reset_counters();
        let (_, took) = run_within_30_seconds(&data, &server);
        let requests = server.counters().total_requests();
        eprintln!("page {page} of {pages} damaged: {requests} requests, ended after {took:?}");
        assert!(
            requests <= 12,
            "page {page}: {requests} requests to the server in {took:?}"
        );
        let repaired = plexdl(&data, &server, &["doctor"]);
        assert_eq!(
            repaired.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&repaired.stderr)
        );
        assert!(
            text(&repaired).contains(&format!("{finished} finished downloads back")),
            "page {page}: {}",
            text(&repaired)
        );
        let kept = std::fs::read_dir(&data)
            .expect("data")
            .flatten()
            .any(|entry| {
                entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("manifest.damaged-")
            });
        assert!(kept, "the damaged database is kept");
        let rows: Value =
            serde_json::from_str(&text(&plexdl(&data, &server, &["status", "--json"])))
                .expect("JSON");
        let rows = rows.as_array().expect("rows");
        assert_eq!(rows.len(), finished);
        for row in rows {
            assert_eq!(row["status"], "completed", "{row}");
            let path = data
                .join("downloads")
                .join(row["localFilePath"].as_str().expect("file"));
            assert!(path.exists(), "{}", path.display());
        }
    }
}

#[test]
fn an_unreadable_manifest_leads_to_doctor_instead_of_a_fresh_start() {
    let server = ReplayServer::start_default().expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    connect(&data, &server);
    assert!(plexdl(&data, &server, &["download", "56"]).status.success());
    assert_eq!(
        plexdl(&data, &server, &["run", "--until-idle"])
            .status
            .code(),
        Some(0)
    );
    // The file's header is gone: SQLite no longer sees a database.
    let path = data.join("manifest.sqlite");
    let mut bytes = std::fs::read(&path).expect("database");
    bytes[..100].fill(0x5a);
    std::fs::write(&path, &bytes).expect("damage");
    for args in [&["status"][..], &["run", "--until-idle"]] {
        let refused = plexdl(&data, &server, args);
        assert_ne!(refused.status.code(), Some(0));
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains("plexdl doctor"), "{args:?}: {said}");
    }
    assert_eq!(
        std::fs::read(&path).expect("still there"),
        bytes,
        "the damaged database was not replaced by a fresh one"
    );
    let repaired = plexdl(&data, &server, &["doctor"]);
    assert!(
        text(&repaired).contains("1 finished downloads back"),
        "{}",
        text(&repaired)
    );
    let rows: Value =
        serde_json::from_str(&text(&plexdl(&data, &server, &["status", "--json"]))).expect("JSON");
    assert_eq!(rows[0]["status"], "completed", "{rows}");
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `plexdl probe` against the replay server: a table a person can read, and a report with
/// no token, address, machine identifier or server name, which the replay server loads as
/// a scenario (the function `plexdl-replay --scenario` uses) and then behaves by.
#[test]
fn probe_prints_a_table_and_writes_a_report_the_replay_server_loads() {
    let server = ReplayServer::builder()
        .scenario(Scenario {
            queue: plexdl_replay::QueueSettings {
                clock: plexdl_replay::QueueClock::Millis,
                deciding_for: 100,
                waiting_for: 100,
                processing_for: 300,
                ..plexdl_replay::QueueSettings::default()
            },
            ..Scenario::default()
        })
        .start()
        .expect("replay server");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    connect(&data, &server);
    let report_path = dir.path().join("report.json");
    let output = plexdl(
        &data,
        &server,
        &[
            "probe",
            "--queue",
            "--out",
            report_path.to_str().expect("path"),
        ],
    );
    let table = text(&output);
    assert!(
        output.status.success(),
        "{table}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for row in [
        "permission to download   allowed",
        "download queue           answers",
        "part bytes=0-0           HTTP 206",
        "queue container          mp4",
        "queue item removed       removed",
    ] {
        assert!(table.contains(row), "{row:?} missing from:\n{table}");
    }
    assert!(
        table.contains("queue trial") && table.contains("available"),
        "{table}"
    );

    let report = std::fs::read_to_string(&report_path).expect("report written");
    let machine = server.fixtures().machine_identifier();
    let address = server.base_url().trim_start_matches("http://");
    for secret in [server.token(), machine.as_str(), address, "Replay\""] {
        assert!(
            !report.contains(secret),
            "the report holds {secret:?}:\n{report}"
        );
    }
    assert_eq!(
        report.matches(server.token()).count(),
        0,
        "0 tokens in the report"
    );
    let scenario = Scenario::from_file(&report_path).expect("the replay server accepts the report");
    assert_eq!(scenario.validators, plexdl_replay::Validators::None);
    assert_eq!(scenario.queue.container, "mp4");
    assert!(scenario.downloads_allowed && scenario.queue_api);
    assert!(scenario.probe.is_some());
    let replayed = ReplayServer::builder()
        .scenario(scenario)
        .start()
        .expect("a server plays the report");
    drop(replayed);
    // Nothing was left in the server's queue.
    assert_eq!(
        server
            .counters()
            .requests_to("DELETE /downloadQueue/{id}/items/{id}"),
        1
    );
}

/// The item reads (`/library/metadata/{id}`) a test server has received so far.
fn metadata_reads(server: &ReplayServer) -> u64 {
    server.counters().requests_to("GET /library/metadata/{id}")
}

/// The watch requests a test server has received so far.
fn watch_requests(server: &ReplayServer) -> u64 {
    let counters = server.counters();
    ["PUT /:/scrobble", "PUT /:/unscrobble", "POST /:/timeline"]
        .iter()
        .map(|endpoint| counters.requests_to(endpoint))
        .sum()
}

#[test]
fn watched_changes_survive_kills_at_seeded_points_and_reach_the_server_once() {
    // Every watch request takes effect on the server, and its answer then takes 3 s: a
    // kill in that time leaves the change in doubt for the next run. Reads of the episodes
    // (34 to 36) are held up 300 ms, so a kill can come before a change is sent.
    let late = |path: &str| FaultRule::new(path, Fault::LateAnswer { millis: 3_000 });
    let server = ReplayServer::builder()
        .scenario(Scenario {
            faults: vec![
                late("/:/scrobble"),
                late("/:/unscrobble"),
                late("/:/timeline"),
                FaultRule::new(
                    "/library/metadata/3",
                    Fault::Stall {
                        after_bytes: 0,
                        millis: 300,
                    },
                ),
            ],
            ..Scenario::default()
        })
        .start()
        .expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    connect(&data, &server);
    assert!(plexdl(&data, &server, &["download", "33"]).status.success());
    let status: Value =
        serde_json::from_str(&text(&plexdl(&data, &server, &["status", "--json"]))).expect("JSON");
    let id_of = |key: &str| {
        status
            .as_array()
            .and_then(|rows| rows.iter().find(|row| row["ratingKey"] == key))
            .and_then(|row| row["id"].as_i64())
            .unwrap_or_else(|| panic!("episode {key} queued: {status}"))
            .to_string()
    };
    let (first, second, third) = (id_of("34"), id_of("35"), id_of("36"));
    for change in [
        vec!["watched", &first],
        vec!["watched", &second],
        vec!["position", &third, "2"],
        vec!["unwatched", &first],
    ] {
        let output = plexdl(&data, &server, &change);
        assert!(
            output.status.success(),
            "{change:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let listed = text(&plexdl(&data, &server, &["status"]));
    assert!(
        listed.contains("4 watched-state change(s) wait"),
        "{listed}"
    );

    // Each run is killed with SIGKILL at a point drawn from the seed: while it reads an
    // item from the server before sending (those reads are held up 300 ms), as soon as a
    // watch request reached the server (it took effect; its answer is held back), or after
    // a delay of up to a second. The runs go on until one ends with nothing left to send.
    let mut killed_at = [0u32; 3];
    for seed in 0..15u64 {
        let point = mix(seed) % 3;
        let (reads, sends) = (metadata_reads(&server), watch_requests(&server));
        let mut child = spawn_run(&data);
        let started = std::time::Instant::now();
        let delay = Duration::from_millis(mix(seed) % 1_000);
        loop {
            std::thread::sleep(Duration::from_millis(2));
            let reached = match point {
                0 => metadata_reads(&server) > reads,
                1 => watch_requests(&server) > sends,
                _ => started.elapsed() >= delay,
            };
            let ended = child.try_wait().expect("status").is_some();
            if reached || ended || started.elapsed() > Duration::from_secs(20) {
                break;
            }
        }
        if child.try_wait().expect("status").is_some() {
            if !text(&plexdl(&data, &server, &["status"])).contains("wait for their server") {
                break;
            }
            continue;
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        killed_at[point as usize] += 1;
    }
    assert!(
        killed_at.iter().all(|kills| *kills > 0),
        "kills at each point: {killed_at:?}"
    );

    // Without the held answers, a last run sends what is left and ends.
    server.set_scenario(Scenario::default()).expect("scenario");
    let finish = plexdl(&data, &server, &["run", "--until-idle"]);
    assert_eq!(
        finish.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&finish.stderr)
    );
    let listed = text(&plexdl(&data, &server, &["status"]));
    assert!(!listed.contains("wait for their server"), "{listed}");
    // Each change reached the server exactly once, and in order (34 ends unwatched).
    let record = |key: &str| {
        server
            .watch_state(key)
            .unwrap_or_else(|| panic!("{key} changed"))
    };
    let episode = record("34");
    assert_eq!(
        (episode.scrobbles, episode.unscrobbles, episode.view_count),
        (1, 1, 0),
        "{episode:?}"
    );
    let episode = record("35");
    assert_eq!(
        (episode.scrobbles, episode.view_count),
        (1, 1),
        "{episode:?}"
    );
    let episode = record("36");
    assert_eq!(
        (episode.timelines, episode.view_offset),
        (1, Some(2_000)),
        "{episode:?}"
    );
    let status: Value =
        serde_json::from_str(&text(&plexdl(&data, &server, &["status", "--json"]))).expect("JSON");
    let row = |key: &str| {
        status
            .as_array()
            .and_then(|rows| rows.iter().find(|row| row["ratingKey"] == key).cloned())
            .expect("listed")
    };
    assert_eq!(row("34")["watched"], false);
    assert_eq!(row("35")["watched"], true);
    assert_eq!(row("36")["positionSeconds"], 2);
}
