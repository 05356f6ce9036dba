//! The names the Java side shares with the core, checked against the protocol's types. Every
//! constant of NativeBridgeNames.java must be a real method, field, step result, failure
//! kind or start setting, and no other Java class may read a field or name a method with a
//! string of its own. A renamed field or method in the protocol fails this test, not the
//! app on a phone.

use std::collections::HashSet;
use std::path::PathBuf;

use plexdl_android::bridge::HostSettings;
use plexdl_protocol::{
    Action, BackgroundLimit, Command, DownloadSnapshot, DownloadStatus, ErrorBody, FailureKind,
    METHODS, PlayMessage, PositionParams, QueueEnd, QueueProgress, QueueRunOptions, QueueRunReport,
    Request, Response, SettingsView, StepResult, UserSettings, VERSION, Wake,
};
use serde_json::{Value, json};

const JAVA: &str = "app/src/main/java/net/plexdownloader";

fn source(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `static final String NAME = "value";` constants of a Java source.
fn string_constants(java: &str) -> Vec<(String, String)> {
    java.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("static final String ")?;
            let (name, value) = rest.split_once(" = \"")?;
            let value = value.strip_suffix("\";")?;
            Some((name.to_string(), value.replace("\\\"", "\"")))
        })
        .collect()
}

/// Every object key anywhere in `value`.
fn keys(value: &Value, into: &mut HashSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                into.insert(key.clone());
                keys(inner, into);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| keys(item, into)),
        _ => {}
    }
}

/// The field names of the answers and messages the Java side reads.
fn protocol_fields() -> HashSet<String> {
    let snapshot = DownloadSnapshot {
        id: 1,
        server_id: "s".into(),
        rating_key: "55".into(),
        title: "t".into(),
        quality: "original".into(),
        status: DownloadStatus::Transferring,
        phase: "Downloading".into(),
        bytes_done: 1,
        bytes_total: Some(2),
        local_file_path: None,
        error_kind: Some(FailureKind::Timeout),
        error_message: None,
        action: None,
        next_wake_at: None,
        part_index: 0,
        group_title: None,
        rule_id: None,
        waiting_for_slot: false,
        watched: false,
        position_seconds: None,
        commands: vec![Command::Pause],
    };
    let settings = SettingsView {
        settings: UserSettings {
            wifi_only: true,
            max_transfers: 2,
            busy_policy: "warn".into(),
            storage_dir: None,
        },
        download_dir: "/d".into(),
        free_bytes: None,
        restart_needed: false,
        storage_choices: Vec::new(),
    };
    let mut fields = HashSet::new();
    for value in [
        serde_json::to_value(Response::ok(1, json!([]))).expect("json"),
        serde_json::to_value(Request {
            v: VERSION,
            id: 1,
            method: "x".into(),
            params: json!({}),
        })
        .expect("json"),
        serde_json::to_value(&snapshot).expect("json"),
        serde_json::to_value(&settings).expect("json"),
        serde_json::to_value(StepResult::WakeAfter { millis: 1 }).expect("json"),
        serde_json::to_value(Wake {
            download_id: 1,
            after_millis: 0,
        })
        .expect("json"),
        serde_json::to_value(Response::error(1, ErrorBody::of(FailureKind::Internal)))
            .expect("json"),
        serde_json::to_value(QueueRunOptions {
            budget_millis: Some(1),
            linger_millis: 1,
        })
        .expect("json"),
        serde_json::to_value(QueueRunReport {
            ended: QueueEnd::Idle,
            next_wake_millis: Some(1),
            wifi_only: false,
            steps: 0,
            failed_steps: 0,
        })
        .expect("json"),
        serde_json::to_value(QueueProgress {
            slower: Some("s".into()),
            ..QueueProgress::default()
        })
        .expect("json"),
        serde_json::to_value(PositionParams { id: 1, seconds: 2 }).expect("json"),
    ] {
        keys(&value, &mut fields);
    }
    fields
}

fn step_results() -> HashSet<String> {
    [
        StepResult::Idle {
            status: DownloadStatus::Completed,
        },
        StepResult::WakeAfter { millis: 0 },
        StepResult::WaitForNetwork,
    ]
    .iter()
    .map(|result| {
        serde_json::to_value(result).expect("json")["next"]
            .as_str()
            .expect("tagged")
            .to_string()
    })
    .collect()
}

#[test]
fn every_java_name_is_a_name_of_the_protocol() {
    let java = source(&format!("{JAVA}/NativeBridgeNames.java"));
    let constants = string_constants(&java);
    assert!(constants.len() >= 20, "constants read: {constants:?}");
    let fields = protocol_fields();
    let nexts = step_results();
    let mut settings = serde_json::Map::new();
    for (name, value) in &constants {
        let prefix = name.split('_').next().unwrap_or_default();
        match prefix {
            "METHOD" => assert!(
                METHODS.contains(&value.as_str()),
                "{name} = {value:?} is no method"
            ),
            "FIELD" => assert!(
                fields.contains(value),
                "{name} = {value:?} is no field of the answers"
            ),
            "NEXT" => assert!(
                nexts.contains(value),
                "{name} = {value:?} is no step result"
            ),
            "KIND" => assert!(
                FailureKind::from_name(value).is_some(),
                "{name} = {value:?} is no failure kind"
            ),
            "ACTION" => assert!(
                serde_json::from_value::<Action>(json!(value)).is_ok(),
                "{name} = {value:?} is no action"
            ),
            "END" => assert!(
                serde_json::from_value::<QueueEnd>(json!(value)).is_ok(),
                "{name} = {value:?} is no end of a queue run"
            ),
            "LIMIT" => assert!(
                value.is_empty() || BackgroundLimit::from_name(value).is_some(),
                "{name} = {value:?} is no background limit"
            ),
            "SETTING" => {
                settings.insert(value.clone(), Value::Null);
            }
            "OBJECT" => assert!(
                source("../ui-wasm/src/bridgeClient.rs")
                    .contains(&format!("pub const ANDROID_OBJECT: &str = \"{value}\";")),
                "the UI looks for another object than {value:?}"
            ),
            "PLAY" => assert_eq!(
                format!("{value}7}}"),
                serde_json::to_string(&PlayMessage { play: 7 }).expect("json"),
                "{name}"
            ),
            _ => panic!("{name}: no rule says what kind of name this is"),
        }
    }
    assert!(
        java.contains(&format!("static final int VERSION = {VERSION};")),
        "the Java side speaks another bridge version"
    );
    // The start settings must be exactly what HostSettings accepts (it refuses unknown
    // fields), with one storage choice.
    let names: Vec<String> = settings.keys().cloned().collect();
    let pick = |wanted: &str| {
        names
            .iter()
            .find(|name| name.to_lowercase().contains(wanted))
            .cloned()
            .unwrap_or_else(|| panic!("no start setting for {wanted}"))
    };
    let mut choice = serde_json::Map::new();
    choice.insert(pick("label"), json!("SD card"));
    choice.insert(pick("path"), json!("/sd"));
    let mut start = serde_json::Map::new();
    start.insert(pick("dir"), json!("/downloads"));
    start.insert(pick("choices"), json!([choice]));
    let start = Value::Object(start);
    serde_json::from_value::<HostSettings>(start.clone())
        .unwrap_or_else(|error| panic!("{start}: {error}"));
}

/// Java source without its comments (documentation may show the protocol's JSON).
fn without_comments(java: &str) -> String {
    let mut code = String::new();
    let mut rest = java;
    while let Some(start) = rest.find("/*") {
        code.push_str(&rest[..start]);
        rest = rest[start..]
            .split_once("*/")
            .map_or("", |(_, after)| after);
    }
    code.push_str(rest);
    code.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_other_java_class_names_a_protocol_field_or_method_itself() {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(JAVA);
    let vocabulary: HashSet<String> = METHODS
        .iter()
        .map(|name| name.to_string())
        .chain(FailureKind::ALL.iter().map(|kind| kind.name().to_string()))
        .chain(
            DownloadStatus::ALL
                .iter()
                .map(|status| status.name().to_string()),
        )
        .chain(step_results())
        .chain(
            BackgroundLimit::ALL
                .iter()
                .map(|limit| limit.name().to_string()),
        )
        .collect();
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).expect("the Java sources") {
        let path = entry.expect("entry").path();
        if path
            .file_name()
            .is_some_and(|name| name == "NativeBridgeNames.java")
        {
            continue;
        }
        let text = without_comments(&std::fs::read_to_string(&path).expect("readable"));
        checked += 1;
        for (index, literal) in text.split('"').enumerate() {
            // Every odd piece is inside a string literal.
            if index % 2 == 1 {
                assert!(
                    !vocabulary.contains(literal),
                    "{}: the string {literal:?} belongs in NativeBridgeNames",
                    path.display()
                );
            }
        }
        for reader in [
            ".getString(\"",
            ".getLong(\"",
            ".optLong(\"",
            ".getBoolean(\"",
            ".getJSONObject(\"",
            ".getJSONArray(\"",
        ] {
            assert!(
                !text.contains(reader),
                "{}: reads a field named by a string of its own ({reader})",
                path.display()
            );
        }
    }
    assert!(checked >= 8, "Java sources checked: {checked}");
}
