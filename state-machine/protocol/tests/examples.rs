//! Every example in fixtures/bridge parses into the protocol types and prints back to the
//! same JSON, every method has an example, and docs/bridgeProtocol.md names every method.

use std::path::PathBuf;

use plexdl_protocol::methods::*;
use plexdl_protocol::{
    DownloadSnapshot, METHODS, Method, Push, PushEvent, Request, Response, SignInState,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn examples() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bridge");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixtures/bridge") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name")
            .to_string();
        let value: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("readable")).expect("JSON");
        out.push((name, value));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn round_trip<T: DeserializeOwned + Serialize>(value: &Value, what: &str) {
    let typed: T =
        serde_json::from_value(value.clone()).unwrap_or_else(|error| panic!("{what}: {error}"));
    assert_eq!(
        serde_json::to_value(&typed).expect("prints"),
        *value,
        "{what} prints back the same"
    );
}

#[test]
fn every_example_round_trips_through_the_types() {
    let examples = examples();
    assert!(examples.len() >= METHODS.len());
    for (name, example) in &examples {
        if let Some(push) = example.get("push") {
            round_trip::<Push>(push, name);
            let event: PushEvent = serde_json::from_value(push["event"].clone()).expect("event");
            match event {
                PushEvent::Downloads => round_trip::<Vec<DownloadSnapshot>>(&push["data"], name),
                PushEvent::SignIn => round_trip::<SignInState>(&push["data"], name),
            }
            continue;
        }
        round_trip::<Request>(&example["request"], name);
        round_trip::<Response>(&example["response"], name);
        let method = example["request"]["method"].as_str().unwrap_or_default();
        let params = &example["request"]["params"];
        let result = &example["response"]["result"];
        // The parameters and the result of the example, read as the method's own types.
        macro_rules! check_as {
            ($($method:ty),*) => {
                match method {
                    $(<$method as Method>::NAME => {
                        if example["response"].get("error").is_none() {
                            round_trip::<<$method as Method>::Params>(params, name);
                            round_trip::<<$method as Method>::Result>(result, name);
                        }
                    })*
                    other => assert!(
                        example["response"].get("error").is_some(),
                        "{name}: {other} is no method, so its example must be an error"
                    ),
                }
            };
        }
        check_as!(
            SignInStatus,
            SignInStart,
            SignInPoll,
            SignOut,
            ServersList,
            LibrarySections,
            LibraryItems,
            LibraryItem,
            LibraryChildren,
            DownloadsEnqueue,
            DownloadsList,
            DownloadsPause,
            DownloadsResume,
            DownloadsCancel,
            DownloadsRetry,
            DownloadsRemove,
            DownloadsMarkWatched,
            DownloadsMarkUnwatched,
            DownloadsSetPosition,
            DownloadsStorage,
            StorageSetBudget,
            RulesList,
            RulesSet,
            RulesRemove,
            DownloadsVerify,
            DownloadsRebuild,
            DownloadsEstimate,
            DownloadsBackground,
            SettingsGet,
            SettingsSet,
            DiagnosticsGet
        );
    }
}

#[test]
fn every_method_has_an_example_and_is_documented() {
    let names: Vec<String> = examples().into_iter().map(|(name, _)| name).collect();
    let docs = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/bridgeProtocol.md"),
    )
    .expect("docs");
    for (name, example) in examples() {
        let parts: Vec<&Value> = match example.get("push") {
            Some(push) => vec![push],
            None => vec![&example["request"], &example["response"]],
        };
        for part in parts {
            let line = serde_json::to_string(part).expect("prints");
            assert!(
                docs.contains(&line),
                "docs/bridgeProtocol.md does not show the example {name}: {line}"
            );
        }
    }
    for method in METHODS.iter().copied() {
        assert!(
            names.iter().any(|name| name == method),
            "no example for {method}"
        );
        assert!(
            docs.contains(&format!("`{method}`")),
            "docs/bridgeProtocol.md does not list {method}"
        );
    }
}
