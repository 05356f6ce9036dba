//! `plexdl ui` and `plexdl demo` as child processes: the bridge over HTTP, server-sent
//! events, the thumbnail route, refusals, and the demo run headless to the end.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use plexdl_replay::{Content, Fault, FaultRule, ReplayServer, Scenario};
#[path = "shared/recordingOpener.rs"]
mod recording_opener;
use recording_opener::RecordingOpener;
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

/// `plexdl ui` on a data folder, with a client that carries the launch secret the way the
/// app's page gets it: in the cookie set on the first page.
struct UiHost {
    running: Running,
    base: String,
    client: reqwest::Client,
}

impl UiHost {
    async fn start(data: &Path, ui_dir: &Path) -> UiHost {
        UiHost::start_with(data, ui_dir, &[]).await
    }

    /// [`UiHost::start`] with more environment variables.
    async fn start_with(data: &Path, ui_dir: &Path, env: &[(&str, &Path)]) -> UiHost {
        let mut child = Command::new(PLEXDL)
            .arg("--data-dir")
            .arg(data)
            .args([
                "ui",
                "--listen",
                "127.0.0.1:0",
                "--ui-dir",
                ui_dir.to_str().expect("path"),
            ])
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("ui starts");
        let stdout = child.stdout.take().expect("stdout");
        let running = Running(child);
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
        let page = reqwest::get(format!("{base}/")).await.expect("page");
        let cookie = page
            .headers()
            .get("set-cookie")
            .and_then(|value| value.to_str().ok())
            .expect("the page sets the session cookie")
            .to_string();
        assert!(
            cookie.contains("SameSite=Strict") && cookie.contains("HttpOnly"),
            "{cookie}"
        );
        let session = cookie.split(';').next().expect("name=value").to_string();
        let mut app_headers = reqwest::header::HeaderMap::new();
        app_headers.insert(
            "cookie",
            reqwest::header::HeaderValue::from_str(&session).expect("header"),
        );
        let client = reqwest::Client::builder()
            .default_headers(app_headers)
            .build()
            .expect("client");
        UiHost {
            running,
            base,
            client,
        }
    }

    /// `plexdl ui` on `<dir>/data`, connected to `server` first (with no built UI).
    async fn connected_to(server: &ReplayServer, dir: &Path) -> UiHost {
        UiHost::connected_with(server, dir, &[]).await
    }

    /// [`UiHost::connected_to`] with more environment variables.
    async fn connected_with(server: &ReplayServer, dir: &Path, env: &[(&str, &Path)]) -> UiHost {
        let data = dir.join("data");
        let connected = Command::new(PLEXDL)
            .arg("--data-dir")
            .arg(&data)
            .args(["connect", "--url", server.base_url()])
            .env("PLEXDL_TOKEN", server.token())
            .output()
            .expect("connect");
        assert!(connected.status.success());
        UiHost::start_with(&data, &dir.join("no-ui"), env).await
    }

    /// A bridge request without parameters, answered as JSON.
    async fn call(&self, method: &str) -> Value {
        self.call_with(method, json!({})).await
    }

    /// A bridge request with `params`, answered as JSON.
    async fn call_with(&self, method: &str, params: Value) -> Value {
        self.client
            .post(format!("{}/bridge", self.base))
            .header("content-type", "application/json")
            .body(json!({"v": 1, "id": 1, "method": method, "params": params}).to_string())
            .send()
            .await
            .expect("answered")
            .json()
            .await
            .expect("JSON")
    }

    /// The most memory the host's process has used so far (VmHWM, Linux).
    fn peak_memory_bytes(&self) -> Option<u64> {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.running.0.id())).ok()?;
        let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    }
}

/// Posts `body` to the UI host's `/play` with `client` and reads the status and answer.
async fn post_play(
    client: &reqwest::Client,
    base: &str,
    content_type: &str,
    body: &str,
) -> (u16, Value) {
    let answer = client
        .post(format!("{base}/play"))
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .expect("answered");
    let status = answer.status().as_u16();
    let text = answer.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
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
    let host = UiHost::connected_to(&server, dir.path()).await;
    let (base, client) = (host.base.clone(), host.client.clone());
    let post = |body: String| {
        client
            .post(format!("{base}/bridge"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

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

    // Other web pages in the same browser change nothing: a form's text/plain POST, a
    // request from another origin (another local port is the same site and carries the
    // cookie), and any request without the launch secret.
    let count = |list: Value| list["result"].as_array().map(Vec::len);
    let remove =
        json!({"v": 1, "id": 9, "method": "downloads.remove", "params": {"id": 1}}).to_string();
    let plain = client
        .post(format!("{base}/bridge"))
        .header("content-type", "text/plain")
        .body(remove.clone())
        .send()
        .await
        .expect("answered");
    assert_eq!(plain.status(), 415);
    let other_origin = client
        .post(format!("{base}/bridge"))
        .header("content-type", "application/json")
        .header("origin", "http://127.0.0.1:9")
        .body(remove.clone())
        .send()
        .await
        .expect("answered");
    assert_eq!(other_origin.status(), 403);
    let cross_site = client
        .get(format!(
            "{base}/thumb?server={server_id}&path=/library/metadata/56/thumb/1"
        ))
        .header("sec-fetch-site", "same-site")
        .send()
        .await
        .expect("answered");
    assert_eq!(cross_site.status(), 403);
    let stranger = reqwest::Client::new();
    for (method, path) in [
        (reqwest::Method::POST, "/bridge"),
        (reqwest::Method::GET, "/events"),
        (reqwest::Method::GET, "/thumb?server=x&path=/x"),
    ] {
        let answer = stranger
            .request(method, format!("{base}{path}"))
            .header("content-type", "application/json")
            .header("cookie", "plexdl_session=guessed")
            .body(remove.clone())
            .send()
            .await
            .expect("answered");
        assert_eq!(answer.status(), 403, "{path}");
    }
    let after: Value = post(json!({"v": 1, "id": 10, "method": "downloads.list"}).to_string())
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(count(after), Some(1), "the download is still there");
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

#[tokio::test]
async fn a_huge_thumbnail_is_refused_and_the_host_stays_small() {
    let server = ReplayServer::builder()
        .scenario(Scenario {
            faults: vec![FaultRule::new(
                "/photo/",
                Fault::HugeImage {
                    bytes: 1536 * 1024 * 1024,
                },
            )],
            ..Scenario::default()
        })
        .start()
        .expect("replay server");
    let dir = tempfile::tempdir().expect("temp dir");
    let host = UiHost::connected_to(&server, dir.path()).await;
    let servers = host.call("servers.list").await;
    let server_id = servers["result"][0]["id"].as_str().expect("a server");
    for _ in 0..3 {
        let thumb = host
            .client
            .get(format!(
                "{}/thumb?server={server_id}&path=/library/metadata/56/thumb/1",
                host.base
            ))
            .send()
            .await
            .expect("answered");
        assert_eq!(thumb.status(), 502);
    }
    if let Some(peak) = host.peak_memory_bytes() {
        eprintln!("plexdl ui peak memory: {} KiB", peak / 1024);
        assert!(
            peak < 100 * 1024 * 1024,
            "plexdl ui peaked at {} MiB",
            peak / (1024 * 1024)
        );
    }
}

#[tokio::test]
async fn idle_connections_cannot_stop_the_bridge_for_long() {
    let dir = tempfile::tempdir().expect("temp dir");
    let host = UiHost::start(&dir.path().join("data"), &dir.path().join("no-ui")).await;
    let address = host.base.trim_start_matches("http://").to_string();
    // Far more connections than the host keeps, none of which ever sends a byte.
    let mut idle = Vec::new();
    for _ in 0..500 {
        if let Ok(stream) = tokio::net::TcpStream::connect(&address).await {
            idle.push(stream);
        }
    }
    // The host keeps at most its 64 connections open (Linux: count its open files).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    if let Ok(entries) = std::fs::read_dir(format!("/proc/{}/fd", host.running.0.id())) {
        let open = entries.count();
        eprintln!("the host has {open} files open with 500 idle connections");
        assert!(open < 150, "the host holds {open} open files");
    }
    let started = std::time::Instant::now();
    let mut answered = None;
    while started.elapsed() < std::time::Duration::from_secs(15) {
        let request = host
            .client
            .post(format!("{}/bridge", host.base))
            .header("content-type", "application/json")
            .body(json!({"v": 1, "id": 1, "method": "downloads.list"}).to_string())
            .timeout(std::time::Duration::from_secs(2))
            .send()
            .await;
        if let Ok(response) = request
            && response.status() == 200
        {
            answered = Some(started.elapsed());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let after = answered.expect("the bridge answered again");
    eprintln!("answered {after:?} after 500 idle connections were opened");
    assert!(
        after < std::time::Duration::from_secs(8),
        "the bridge was blocked for {after:?}"
    );
    drop(idle);
}

#[test]
fn listening_beyond_this_machine_needs_a_flag_and_a_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let no_ui = dir.path().join("no-ui");
    let refused = Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(&data)
        .args(["ui", "--listen", "0.0.0.0:0", "--ui-dir"])
        .arg(&no_ui)
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--allow-remote"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let mut child = Command::new(PLEXDL)
        .arg("--data-dir")
        .arg(&data)
        .args(["ui", "--listen", "0.0.0.0:0", "--allow-remote", "--ui-dir"])
        .arg(&no_ui)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ui starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let _running = Running(child);
    let _serving = lines.next().expect("a line").expect("text");
    let told = lines.next().expect("a line").expect("text");
    let opened = told
        .split_whitespace()
        .find(|word| word.contains("?key="))
        .expect("the address with its key");
    let (address, key) = opened.split_once("/?key=").expect("address and key");
    let port = address.rsplit(':').next().expect("port");
    let base = format!("http://127.0.0.1:{port}");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let without = reqwest::get(format!("{base}/")).await.expect("page");
        assert!(
            without.headers().get("set-cookie").is_none(),
            "no key, no secret"
        );
        let wrong = reqwest::get(format!("{base}/?key=guessed"))
            .await
            .expect("page");
        assert!(wrong.headers().get("set-cookie").is_none());
        let with = reqwest::get(format!("{base}/?key={key}"))
            .await
            .expect("page");
        let cookie = with
            .headers()
            .get("set-cookie")
            .and_then(|value| value.to_str().ok())
            .expect("the key gives the secret")
            .to_string();
        assert!(cookie.contains(key), "{cookie}");
    });
}

/// `plexdl ui` started beside a `plexdl run` that holds the data folder: it shows the other
/// process's download as it goes, and when that process is killed with SIGKILL in the
/// middle of the transfer, it takes over and finishes the file, identical to the server's.
#[tokio::test]
async fn a_ui_beside_a_runner_takes_over_when_the_runner_is_killed() {
    let server = ReplayServer::builder()
        .scenario(Scenario {
            faults: vec![FaultRule::new(
                "/library/parts/",
                // Slow enough that the runner is still at it when it is killed, also on
                // a loaded machine (13.4 MB take 13 s).
                Fault::Throttle {
                    bytes_per_second: 1_000_000,
                },
            )],
            ..Scenario::default()
        })
        .start()
        .expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let plexdl = |args: &[&str]| {
        Command::new(PLEXDL)
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .env("PLEXDL_TOKEN", server.token())
            .output()
            .expect("plexdl")
    };
    assert!(
        plexdl(&["connect", "--url", server.base_url()])
            .status
            .success()
    );
    assert!(plexdl(&["download", "55"]).status.success());
    let mut runner = Running(
        Command::new(PLEXDL)
            .arg("--data-dir")
            .arg(&data)
            .args(["run", "--until-idle"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run starts"),
    );
    // The ui starts beside a runner, so the runner must hold the data folder first (the
    // two processes start at once, and either could take it).
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(data.join("runner.lock"))
        .unwrap_or_default()
        .contains("plexdl run")
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the runner never took the data folder"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let host = UiHost::start(&data, &dir.path().join("no-ui")).await;
    let list = || async { host.call("downloads.list").await["result"][0].clone() };
    let started = std::time::Instant::now();
    // The ui shows the progress the other process records.
    while list().await["bytesDone"].as_u64().unwrap_or(0) < 2_000_000 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "no progress from the runner"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let status = runner.0.try_wait().expect("status");
    assert!(
        status.is_none(),
        "the runner still runs: {status:?}, {}",
        list().await
    );
    let _ = runner.0.kill();
    let _ = runner.0.wait();
    let killed_at = std::time::Instant::now();
    let done = loop {
        let download = list().await;
        if download["status"] == "completed" {
            break download;
        }
        assert!(
            killed_at.elapsed() < std::time::Duration::from_secs(30),
            "the ui did not take over: {download}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let path = data
        .join("downloads")
        .join(done["localFilePath"].as_str().expect("file"));
    assert_eq!(
        sha256_file(&path),
        server.part_content(46).expect("content").sha256_hex()
    );
    let holder = std::fs::read_to_string(data.join("runner.lock")).unwrap_or_default();
    assert!(
        holder.contains("plexdl ui"),
        "the ui holds the data folder: {holder}"
    );
}

#[tokio::test]
async fn play_hands_a_finished_file_to_the_opener_for_the_apps_page_only() {
    let server = ReplayServer::start_default().expect("replay server");
    let dir = tempfile::tempdir().expect("temp dir");
    // The opener here is a script that writes down the path it was given.
    let opener = RecordingOpener::new(dir.path());
    let host =
        UiHost::connected_with(&server, dir.path(), &[("PLEXDL_OPENER", &opener.script)]).await;
    let servers = host.call("servers.list").await;
    let server_id = servers["result"][0]["id"].as_str().expect("a server");
    let enqueued = host
        .call_with(
            "downloads.enqueue",
            json!({"serverId": server_id, "ratingKeys": ["56"], "quality": "original"}),
        )
        .await;
    let id = enqueued["result"]["ids"][0].as_i64().expect("an id");

    // Not finished yet, or no such download: refused with the kind and a sentence.
    let (status, unknown) = post_play(
        &host.client,
        &host.base,
        "application/json",
        r#"{"play": 999}"#,
    )
    .await;
    assert_eq!(status, 409, "{unknown}");
    assert_eq!(unknown["error"]["kind"], "noSuchDownload", "{unknown}");
    let mut finished = false;
    for _ in 0..200 {
        if host.call("downloads.list").await["result"][0]["status"] == "completed" {
            finished = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(finished, "the download finished");
    let message = json!({ "play": id }).to_string();

    // Another page cannot start a player: no secret, a form's text/plain, bad JSON.
    let stranger = reqwest::Client::new();
    let (status, _) = post_play(&stranger, &host.base, "application/json", &message).await;
    assert_eq!(status, 403);
    let (status, _) = post_play(&host.client, &host.base, "text/plain", &message).await;
    assert_eq!(status, 415);
    let (status, bad) = post_play(
        &host.client,
        &host.base,
        "application/json",
        r#"{"play":"1; rm -rf /"}"#,
    )
    .await;
    assert_eq!(status, 400, "{bad}");
    assert!(!opener.was_run(), "nothing was opened by a refused request");

    let (status, played) = post_play(&host.client, &host.base, "application/json", &message).await;
    assert_eq!(status, 200, "{played}");
    assert_eq!(played["result"]["played"], id);
    let path = opener.opened();
    let listed = host.call("downloads.list").await;
    let file = listed["result"][0]["localFilePath"]
        .as_str()
        .expect("a file");
    assert!(
        path.ends_with(file) && Path::new(&path).is_file(),
        "the opener got the finished file: {path:?} for {file:?}"
    );
}
