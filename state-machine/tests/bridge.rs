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
        "downloads.remove",
        "error.unknownMethod",
        "error.badRequest",
        "error.notFound",
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
