//! `plexdl ui` and `plexdl demo` as child processes: the bridge over HTTP, server-sent
//! events, the thumbnail route, refusals, and the demo run headless to the end.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use plexdl_replay::{Content, ReplayServer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const PLEXDL: &str = env!("CARGO_BIN_EXE_plexdl");

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads server-sent events into `seen` until `needle` appears (5 s per chunk at most).
async fn read_until(events: &mut reqwest::Response, seen: &mut String, needle: &str) {
    while !seen.contains(needle) {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), events.chunk())
            .await
            .expect("an event in time")
            .expect("chunk")
            .expect("open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

fn sha256_file(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    Sha256::digest(&bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[test]
fn demo_runs_headless_to_the_end() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("demo");
    let output = Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(&data)
        .args(["demo", "--exit-when-done"])
        .output()
        .expect("demo runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Downloaded"), "{stdout}");
    let movie = data.join("downloads").join("Big Buck Bunny (2008).mkv");
    assert_eq!(
        sha256_file(&movie),
        Content::part(46, 13_400_382, 0).sha256_hex()
    );
    let episode = data.join("downloads").join("The 100 - S01E01 - Pilot.mkv");
    assert_eq!(
        sha256_file(&episode),
        Content::part(76, 13_400_382, 0).sha256_hex()
    );
}

#[tokio::test]
async fn ui_host_serves_the_bridge_events_and_thumbnails() {
    let server = ReplayServer::start_default().expect("replay server");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let connected = Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(&data)
        .args(["connect", "--url", server.base_url()])
        .env("PLEXDL_TOKEN", server.token())
        .output()
        .expect("connect");
    assert!(connected.status.success());
    let mut child = Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(&data)
        .args([
            "ui",
            "--listen",
            "127.0.0.1:0",
            "--ui-dir",
            dir.path().join("no-ui").to_str().expect("path"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ui starts");
    let stdout = child.stdout.take().expect("stdout");
    let _running = Running(child);
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("first line");
    let base = first
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .expect("address")
        .trim_end_matches('/')
        .to_string();
    let client = reqwest::Client::new();
    let post = |body: String| client.post(format!("{base}/bridge")).body(body).send();

    let servers: Value = post(json!({"v": 1, "id": 1, "method": "servers.list"}).to_string())
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    let server_id = servers["result"][0]["id"]
        .as_str()
        .expect("a server")
        .to_string();
    let enqueued: Value = post(json!({"v": 1, "id": 2, "method": "downloads.enqueue", "params": {"serverId": server_id, "ratingKeys": ["56"], "quality": "original"}}).to_string())
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(enqueued["result"]["ids"], json!([1]), "{enqueued}");
    let garbage: Value = post("garbage".to_string())
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(garbage["error"]["kind"], "badRequest");
    let unknown: Value = post(json!({"v": 1, "id": 3, "method": "nope"}).to_string())
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(unknown["error"]["kind"], "unknownMethod");
    let large = post("x".repeat(300 * 1024)).await.expect("answered");
    assert_eq!(large.status(), 413);
    let still: Value = post(json!({"v": 1, "id": 4, "method": "downloads.list"}).to_string())
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        still["result"].as_array().map(Vec::len),
        Some(1),
        "the host keeps serving"
    );

    let mut events = client
        .get(format!("{base}/events"))
        .send()
        .await
        .expect("events");
    let mut seen = String::new();
    read_until(&mut events, &mut seen, "event: downloads").await;
    assert!(seen.contains("\"ratingKey\":\"56\""), "{seen}");
    read_until(&mut events, &mut seen, "event: signIn").await;
    assert!(seen.contains("\"signedIn\":false"), "{seen}");

    let thumb = client
        .get(format!(
            "{base}/thumb?server={server_id}&path=/library/metadata/56/thumb/1&width=40&height=60"
        ))
        .send()
        .await
        .expect("thumb");
    assert_eq!(thumb.status(), 200);
    assert_eq!(&thumb.bytes().await.expect("body")[1..4], b"PNG");

    let page = client.get(format!("{base}/")).send().await.expect("page");
    assert_eq!(page.status(), 404);
    let rebinding = client
        .post(format!("{base}/bridge"))
        .header("Host", "evil.example")
        .body("{}")
        .send()
        .await
        .expect("answered");
    assert_eq!(rebinding.status(), 403);

    // The scheduler of the UI host finishes the download.
    let mut done = false;
    for _ in 0..100 {
        let list: Value = post(json!({"v": 1, "id": 5, "method": "downloads.list"}).to_string())
            .await
            .expect("answered")
            .json()
            .await
            .expect("JSON");
        if list["result"][0]["status"] == "completed" {
            done = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(done, "the UI host's scheduler finished the download");
}
