//! Every example in fixtures/bridge parses into the protocol types and prints back to the
//! same JSON, every method has an example, and docs/bridgeProtocol.md names every method.

use std::path::PathBuf;

use plexdl_protocol::{
    Diagnostics, DownloadSnapshot, Estimate, ItemPage, ItemSummary, METHODS, PinInfo, Push,
    Request, Response, SectionSummary, ServerSummary, SettingsView, SignInState,
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
            if push["event"] == "downloads" {
                round_trip::<Vec<DownloadSnapshot>>(&push["data"], name);
            } else {
                round_trip::<SignInState>(&push["data"], name);
            }
            continue;
        }
        round_trip::<Request>(&example["request"], name);
        round_trip::<Response>(&example["response"], name);
        let result = &example["response"]["result"];
        if result.is_null() {
            continue;
        }
        match example["request"]["method"].as_str().unwrap_or_default() {
            "downloads.list" => round_trip::<Vec<DownloadSnapshot>>(result, name),
            "downloads.pause" | "downloads.resume" | "downloads.cancel" | "downloads.retry" => {
                round_trip::<DownloadSnapshot>(result, name)
            }
            "servers.list" => round_trip::<Vec<ServerSummary>>(result, name),
            "library.sections" => round_trip::<Vec<SectionSummary>>(result, name),
            "library.items" => round_trip::<ItemPage>(result, name),
            "library.item" => round_trip::<ItemSummary>(result, name),
            "library.children" => round_trip::<Vec<ItemSummary>>(result, name),
            "signIn.start" => round_trip::<PinInfo>(result, name),
            "downloads.estimate" => round_trip::<Estimate>(result, name),
            "settings.get" | "settings.set" => round_trip::<SettingsView>(result, name),
            "diagnostics.get" => round_trip::<Diagnostics>(result, name),
            "signIn.status" | "signIn.poll" => round_trip::<SignInState>(result, name),
            _ => {}
        }
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
    for method in METHODS {
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
