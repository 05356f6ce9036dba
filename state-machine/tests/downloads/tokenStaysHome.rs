//! The token stays with its server: a server that redirects API calls or parts to another
//! port, and one whose Part keys name another host, never get the token delivered there.
//! A second listener on another port logs every request head it receives; it must see none.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use plexdl_core::plex::PlexServer;
use plexdl_protocol::FailureKind;
use plexdl_replay::{Fault, FaultRule, ReplayServer, Scenario};
use serde_json::Value;

use crate::support::{download_first, open_core, rig, sha256_file, transport};

/// A plain HTTP listener on another port that records the head of every request and
/// answers 200, as a host that wants the token would.
struct HeaderLog {
    base: String,
    heads: Arc<Mutex<Vec<String>>>,
}

impl HeaderLog {
    fn start() -> HeaderLog {
        let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let kept = heads.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => break,
                    }
                }
                kept.lock()
                    .expect("log")
                    .push(String::from_utf8_lossy(&head).into_owned());
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
                );
            }
        });
        HeaderLog { base, heads }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().expect("log").clone()
    }
}

fn redirect_to(to: &str, path: &str, status: u16) -> FaultRule {
    FaultRule::new(
        path,
        Fault::Redirect {
            to: to.to_string(),
            status: Some(status),
        },
    )
}

#[tokio::test]
async fn api_calls_redirected_to_another_port_are_not_followed() {
    let other = HeaderLog::start();
    for status in [301, 302, 303, 307, 308] {
        let server = ReplayServer::builder()
            .scenario(Scenario {
                faults: vec![redirect_to(&other.base, "/library/sections", status)],
                ..Scenario::default()
            })
            .start()
            .expect("server");
        let plex = PlexServer::direct(transport(), server.base_url(), server.token(), "Replay")
            .expect("server");
        let error = plex.sections().await.expect_err("redirected elsewhere");
        assert_eq!(error.kind(), FailureKind::ForeignAddress, "{error}");
        assert!(error.to_string().contains(&other.base), "{error}");
        assert!(!error.to_string().contains(server.token()), "{error}");
    }
    assert_eq!(
        other.heads(),
        Vec::<String>::new(),
        "nothing reached the other port"
    );
}

#[tokio::test]
async fn parts_redirected_to_another_port_fail_without_the_token_going_there() {
    let other = HeaderLog::start();
    let rig = rig(Scenario {
        faults: vec![redirect_to(&other.base, "/library/parts/", 302)],
        ..Scenario::default()
    });
    let row = download_first(&rig.core, "1036").await;
    assert_eq!(row.download_status, "failed", "{row:?}");
    assert_eq!(row.error_kind, Some(FailureKind::ForeignAddress), "{row:?}");
    assert_eq!(
        other.heads(),
        Vec::<String>::new(),
        "nothing reached the other port"
    );
}

#[tokio::test]
async fn a_redirect_on_the_same_server_is_followed_with_the_token() {
    let rig = rig(Scenario::default());
    rig.server
        .set_scenario(Scenario {
            faults: vec![redirect_to(rig.server.base_url(), "/library/parts/", 307).times(1)],
            ..Scenario::default()
        })
        .expect("scenario");
    let row = download_first(&rig.core, "1036").await;
    assert_eq!(row.download_status, "completed", "{row:?}");
    let file = rig.core.final_path(&row).expect("path");
    assert!(!sha256_file(&file).is_empty());
}

/// The fixtures with every Part key of item 1036 turned into `@HOST:PORT/...`, which a
/// careless client glues onto its base address as user info and a new host.
fn fixtures_with_part_keys_on(other: &str, dir: &std::path::Path) {
    for (name, text) in plexdl_replay::fixture_store::built_in_files() {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        let mut text = text.to_string();
        if name.starts_with("server/library/metadata/1036") {
            let mut doc: Value = serde_json::from_str(&text).expect("JSON");
            for item in doc["MediaContainer"]["Metadata"]
                .as_array_mut()
                .expect("items")
            {
                for media in item["Media"].as_array_mut().into_iter().flatten() {
                    for part in media["Part"].as_array_mut().into_iter().flatten() {
                        let key = part["key"].as_str().expect("key").to_string();
                        part["key"] = Value::from(format!("@{other}{key}"));
                    }
                }
            }
            text = doc.to_string();
        }
        std::fs::write(path, text).expect("write");
    }
}

#[tokio::test]
async fn part_keys_that_name_another_host_are_refused() {
    let other = HeaderLog::start();
    let fixtures = tempfile::tempdir().expect("temp dir");
    fixtures_with_part_keys_on(other.base.trim_start_matches("http://"), fixtures.path());
    let server = ReplayServer::builder()
        .fixtures_dir(fixtures.path())
        .start()
        .expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let core = open_core(dir.path(), &server);
    let row = download_first(&core, "1036").await;
    assert_eq!(row.download_status, "failed", "{row:?}");
    assert_eq!(row.error_kind, Some(FailureKind::ForeignAddress), "{row:?}");
    assert_eq!(
        other.heads(),
        Vec::<String>::new(),
        "nothing reached the other host"
    );
}
