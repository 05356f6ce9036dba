//! The dispatcher against the replay server: every example request in fixtures/bridge is
//! sent through `App::dispatch`, and the answer must have the example's shape (the same
//! fields with the same types, or the same error kind and action). Bad input gets error
//! answers and the app keeps answering.

use std::path::PathBuf;

use plexdl_core::app::{App, AppSettings};
use plexdl_replay::{ReplayServer, Scenario};
use serde_json::{Value, json};

fn example(name: &str) -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../fixtures/bridge/{name}.json"));
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .expect("JSON")
}

/// Whether `actual` has the shape of `expected`: the same fields, each of the same JSON type
/// (nulls match anything), arrays compared by their first elements.
fn same_shape(actual: &Value, expected: &Value, at: &str) {
    match (actual, expected) {
        (_, Value::Null) | (Value::Null, _) => {}
        (Value::Object(a), Value::Object(e)) => {
            let mut a_keys: Vec<&String> = a.keys().collect();
            let mut e_keys: Vec<&String> = e.keys().collect();
            a_keys.sort();
            e_keys.sort();
            assert_eq!(a_keys, e_keys, "fields at {at}");
            for (key, value) in e {
                same_shape(&a[key], value, &format!("{at}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if let (Some(first), Some(model)) = (a.first(), e.first()) {
                same_shape(first, model, &format!("{at}[0]"));
            }
        }
        (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_)) => {}
        (a, e) => panic!("type at {at}: got {a}, expected like {e}"),
    }
}

async fn check(app: &App, name: &str, request: Value) -> Value {
    let expected = example(name);
    let answer: Value = serde_json::from_str(&app.dispatch(&request.to_string()).await)
        .expect("the answer is JSON");
    assert_eq!(answer["v"], 1, "{name}");
    assert_eq!(answer["id"], request["id"], "{name}");
    match expected["response"].get("error") {
        Some(error) => {
            assert_eq!(answer["error"]["kind"], error["kind"], "{name}: {answer}");
            assert_eq!(
                answer["error"]["action"], error["action"],
                "{name}: {answer}"
            );
            assert!(
                answer["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.ends_with('.')),
                "{name}"
            );
        }
        None => {
            assert!(answer.get("error").is_none(), "{name}: {answer}");
            same_shape(&answer["result"], &expected["response"]["result"], name);
        }
    }
    answer
}

#[tokio::test]
async fn every_example_request_gets_an_answer_of_the_example_shape() {
    let server = ReplayServer::builder()
        .scenario(Scenario {
            pin_link_after_polls: Some(1),
            ..Scenario::default()
        })
        .start()
        .expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = AppSettings::new(dir.path().join("data"));
    settings.plex_tv = server.base_url().to_string();
    settings.allow_plain_http_remote = true;
    let app = App::open(settings).expect("app");
    app.connect_direct(server.base_url(), server.token(), Some("Replay"))
        .await
        .expect("connected");

    for name in [
        "signIn.status",
        "servers.list",
        "library.sections",
        "library.items",
        "library.item",
        "library.children",
        "downloads.enqueue",
        "downloads.list",
        "downloads.pause",
        "downloads.resume",
        "downloads.cancel",
        "downloads.retry",
        "downloads.verify",
        "downloads.estimate",
        "settings.get",
        "settings.set",
        "diagnostics.get",
        "downloads.remove",
        "error.unknownMethod",
        "error.badRequest",
        "error.notFound",
        // Last: the rebuild starts a new list, so the ids above mean nothing after it.
        "downloads.rebuild",
    ] {
        check(&app, name, example(name)["request"].clone()).await;
    }
    let pin = check(
        &app,
        "signIn.start",
        example("signIn.start")["request"].clone(),
    )
    .await;
    let mut poll = example("signIn.poll")["request"].clone();
    poll["params"]["pinId"] = pin["result"]["id"].clone();
    let linked = check(&app, "signIn.poll", poll).await;
    assert_eq!(linked["result"]["signedIn"], true);
    check(&app, "signOut", example("signOut")["request"].clone()).await;
}

#[tokio::test]
async fn bad_input_is_answered_and_the_app_keeps_answering() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = App::open(AppSettings::new(dir.path().join("data"))).expect("app");
    for (input, kind) in [
        ("not json".to_string(), "badRequest"),
        ("{\"v\": 1}".to_string(), "badRequest"),
        (json!({"v": 2, "id": 1, "method": "downloads.list"}).to_string(), "unsupportedVersion"),
        (json!({"v": 1, "id": 1, "method": "library.sections", "params": {"serverId": "nope"}}).to_string(), "unknownServer"),
        (json!({"v": 1, "id": 1, "method": "downloads.enqueue", "params": {"serverId": "x", "ratingKeys": [], "quality": "8k"}}).to_string(), "badRequest"),
        ("x".repeat(300 * 1024), "tooLarge"),
        (json!({"v": 1, "id": 1, "method": "settings.set", "params": {"maxTransfers": 0}}).to_string(), "badRequest"),
        (json!({"v": 1, "id": 1, "method": "settings.set", "params": {"busyPolicy": "often"}}).to_string(), "badRequest"),
        (json!({"v": 1, "id": 1, "method": "settings.set", "params": {"colour": "blue"}}).to_string(), "badRequest"),
        (json!({"v": 1, "id": 1, "method": "downloads.estimate", "params": {"serverId": "x", "ratingKeys": []}}).to_string(), "badRequest"),
    ] {
        let answer: Value = serde_json::from_str(&app.dispatch(&input).await).expect("JSON answer");
        assert_eq!(answer["error"]["kind"], kind, "{answer}");
    }
    let list: Value = serde_json::from_str(
        &app.dispatch(&json!({"v": 1, "id": 9, "method": "downloads.list"}).to_string())
            .await,
    )
    .expect("JSON");
    assert_eq!(list["result"], json!([]));
}

async fn call(app: &App, method: &str, params: Value) -> Value {
    let request = json!({"v": 1, "id": 1, "method": method, "params": params});
    serde_json::from_str(&app.dispatch(&request.to_string()).await).expect("JSON answer")
}

#[tokio::test]
async fn settings_apply_survive_a_restart_and_never_strand_downloaded_files() {
    let server = ReplayServer::builder().start().expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let open = || {
        let mut settings = AppSettings::new(dir.path().join("data"));
        settings.allow_plain_http_remote = true;
        App::open(settings).expect("app")
    };
    let app = open();
    let changed = call(
        &app,
        "settings.set",
        json!({"wifiOnly": true, "maxTransfers": 3, "busyPolicy": "wait"}),
    )
    .await;
    assert_eq!(
        changed["result"]["settings"],
        json!({"wifiOnly": true, "maxTransfers": 3, "busyPolicy": "wait", "storageDir": null}),
        "{changed}"
    );
    assert_eq!(app.core().transfer_limits(), (3, 3));
    assert_eq!(
        app.core().busy_policy(),
        plexdl_core::engine::BusyPolicy::Wait
    );
    // A refused change leaves everything as it was.
    let refused = call(
        &app,
        "settings.set",
        json!({"wifiOnly": false, "maxTransfers": 7}),
    )
    .await;
    assert_eq!(refused["error"]["kind"], "badRequest");
    drop(app);

    let app = open();
    let view = call(&app, "settings.get", json!({})).await;
    assert_eq!(view["result"]["settings"]["maxTransfers"], 3);
    assert_eq!(view["result"]["settings"]["wifiOnly"], true);
    assert_eq!(app.core().transfer_limits(), (3, 3));

    // With a download in the manifest, another storage folder is refused.
    app.connect_direct(server.base_url(), server.token(), Some("Replay"))
        .await
        .expect("connected");
    let server_id = app.servers()[0].id.clone();
    let queued = call(
        &app,
        "downloads.enqueue",
        json!({"serverId": server_id, "ratingKeys": ["55"], "quality": "original"}),
    )
    .await;
    assert!(queued.get("error").is_none(), "{queued}");
    let elsewhere = dir.path().join("card");
    let moved = call(
        &app,
        "settings.set",
        json!({"storageDir": elsewhere.display().to_string()}),
    )
    .await;
    assert_eq!(moved["error"]["kind"], "badRequest", "{moved}");
    assert!(
        moved["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Remove them")),
        "{moved}"
    );
    let id = queued["result"]["ids"][0].clone();
    call(&app, "downloads.remove", json!({"id": id})).await;
    let moved = call(
        &app,
        "settings.set",
        json!({"storageDir": elsewhere.display().to_string()}),
    )
    .await;
    assert_eq!(moved["result"]["restartNeeded"], true, "{moved}");
    drop(app);
    let app = open();
    assert_eq!(app.core().settings().download_dir, elsewhere);
    let view = call(&app, "settings.get", json!({})).await;
    assert_eq!(view["result"]["restartNeeded"], false);
}

#[tokio::test]
async fn the_estimate_covers_every_episode_of_a_season() {
    let server = ReplayServer::builder().start().expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = AppSettings::new(dir.path().join("data"));
    settings.allow_plain_http_remote = true;
    let app = App::open(settings).expect("app");
    app.connect_direct(server.base_url(), server.token(), Some("Replay"))
        .await
        .expect("connected");
    let server_id = app.servers()[0].id.clone();
    let children = call(
        &app,
        "library.children",
        json!({"serverId": server_id, "ratingKey": "69"}),
    )
    .await;
    let episodes = children["result"].as_array().expect("episodes");
    let estimate = call(
        &app,
        "downloads.estimate",
        json!({"serverId": server_id, "ratingKeys": ["69"]}),
    )
    .await;
    assert_eq!(estimate["result"]["items"], episodes.len(), "{estimate}");
    let original: u64 = episodes
        .iter()
        .map(|episode| episode["size"].as_u64().expect("size"))
        .sum();
    assert_eq!(estimate["result"]["qualities"][0]["quality"], "original");
    assert_eq!(estimate["result"]["qualities"][0]["bytes"], original);
    let smaller = estimate["result"]["qualities"][3]["bytes"]
        .as_u64()
        .expect("480p");
    assert!(smaller > 0 && smaller <= original, "{estimate}");
    // Nothing was queued.
    assert_eq!(
        call(&app, "downloads.list", json!({})).await["result"],
        json!([])
    );
}

#[tokio::test]
async fn a_thumbnail_that_is_not_an_image_or_too_large_is_not_served() {
    let server = ReplayServer::builder()
        .scenario(Scenario {
            faults: vec![plexdl_replay::FaultRule::new(
                "/photo/",
                plexdl_replay::Fault::HtmlPage,
            )],
            ..Scenario::default()
        })
        .start()
        .expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let app = App::open(AppSettings::new(dir.path().join("data"))).expect("app");
    let connected = app
        .connect_direct(server.base_url(), server.token(), Some("Replay"))
        .await
        .expect("connected");
    let html = app
        .thumbnail(&connected.id, "/library/metadata/56/thumb/1", 40, 60)
        .await
        .expect_err("HTML is not an image");
    assert_eq!(html.status, 502);
    assert!(html.message.contains("not an image"), "{}", html.message);
    // The same route serves a real image when the server sends one.
    server.set_scenario(Scenario::default()).expect("scenario");
    let image = app
        .thumbnail(&connected.id, "/library/metadata/56/thumb/1", 40, 60)
        .await
        .expect("an image");
    assert_eq!(image.content_type, "image/png");

    // A 1.5 GiB "thumbnail" is refused once 8 MiB have arrived, never held whole (the
    // memory of a whole host is measured in desktop/tests/uiHost.rs).
    server
        .set_scenario(Scenario {
            faults: vec![plexdl_replay::FaultRule::new(
                "/photo/",
                plexdl_replay::Fault::HugeImage {
                    bytes: 1536 * 1024 * 1024,
                },
            )],
            ..Scenario::default()
        })
        .expect("scenario");
    let huge = app
        .thumbnail(&connected.id, "/library/metadata/56/thumb/1", 40, 60)
        .await
        .expect_err("too large");
    assert_eq!(huge.status, 502);
    assert!(huge.message.contains("larger than"), "{}", huge.message);
}
