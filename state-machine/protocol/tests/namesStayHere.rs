//! The vocabulary is written once: no download status, failure kind, action or method name
//! appears as a string literal in the sources of the core, the hosts or the UI. They use the
//! protocol's types instead. Exempt are this crate, the fixtures, the tests (test folders,
//! `*Tests.rs` files and `#[cfg(test)]` modules) and NativeBridgeNames.java, the Java mirror
//! that android/bridge/tests/javaNames.rs checks against the protocol.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use plexdl_protocol::{Action, DownloadStatus, FailureKind, METHODS};

fn vocabulary() -> HashSet<String> {
    let actions = [
        Action::Retry,
        Action::SignIn,
        Action::AskServerOwner,
        Action::ChooseAnother,
        Action::CheckConnection,
        Action::FreeSpace,
        Action::CheckStorage,
        Action::Report,
        Action::FixRequest,
        Action::None,
    ];
    DownloadStatus::ALL
        .iter()
        .map(|status| status.name().to_string())
        .chain(FailureKind::ALL.iter().map(|kind| kind.name().to_string()))
        .chain(actions.iter().map(|action| {
            serde_json::to_value(action)
                .expect("json")
                .as_str()
                .expect("a name")
                .to_string()
        }))
        .chain(METHODS.iter().map(|method| method.to_string()))
        .collect()
}

fn sources(folder: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if path.is_dir() {
            if !matches!(name.as_str(), "tests" | "hostTests" | "stubs" | "target") {
                sources(&path, into);
            }
        } else if (name.ends_with(".rs") || name.ends_with(".java") || name.ends_with(".mjs"))
            && !name.ends_with("Tests.rs")
            && name != "NativeBridgeNames.java"
        {
            into.push(path);
        }
    }
}

/// The string literals of a source, without its comments and its test module.
fn literals(text: &str) -> Vec<(usize, String)> {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut found = Vec::new();
    for (number, line) in code.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") || trimmed.starts_with('*') || trimmed.starts_with("/*") {
            continue;
        }
        // A line may say that its literal only looks like a name (an HTTP header's value).
        if line.contains("// not the protocol's vocabulary:") {
            continue;
        }
        let mut chars = line.chars();
        let mut current: Option<String> = None;
        while let Some(c) = chars.next() {
            match (&mut current, c) {
                (None, '"') => current = Some(String::new()),
                (Some(text), '"') => {
                    found.push((number + 1, std::mem::take(text)));
                    current = None;
                }
                (Some(text), '\\') => {
                    text.push('\\');
                    if let Some(next) = chars.next() {
                        text.push(next);
                    }
                }
                (Some(text), other) => text.push(other),
                (None, '/') if chars.clone().next() == Some('/') => break,
                (None, _) => {}
            }
        }
    }
    found
}

#[test]
fn no_status_kind_action_or_method_is_spelled_outside_the_protocol() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for folder in [
        "state-machine/src",
        "desktop/src",
        "android/bridge/src",
        "android/app/src",
        "ui-wasm/src",
        "ui-wasm/static",
    ] {
        sources(&root.join(folder), &mut files);
    }
    assert!(files.len() > 50, "sources found: {}", files.len());
    let names = vocabulary();
    let mut stray = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        for (line, literal) in literals(&text) {
            if names.contains(&literal) {
                stray.push(format!("{}:{line}: {literal:?}", file.display()));
            }
        }
    }
    assert!(
        stray.is_empty(),
        "use the protocol's types for these names:\n{}",
        stray.join("\n")
    );
}

#[test]
fn the_scanner_finds_a_name_in_code_but_not_in_comments() {
    let found = literals(
        "let a = \"downloads.list\"; // \"paused\"\n// \"failed\"\nlet b = \"x\\\"y\";\n#[cfg(test)]\n\"completed\"",
    );
    let texts: Vec<&str> = found.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(texts, ["downloads.list", "x\\\"y"]);
}
