//! Every test named in docs/security.md and docs/plexBehaviour.md exists, so a claim cannot
//! outlive the test behind it.

use std::path::{Path, PathBuf};

fn rust_sources(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() && name != "target" && !name.starts_with('.') {
            rust_sources(&path, out);
        } else if name.ends_with(".rs") {
            out.push(std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
}

/// The snake_case names in backticks of a doc that are not declared as functions.
fn missing_names(doc_path: &str, minimum: usize) -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let doc = std::fs::read_to_string(root.join(doc_path)).expect("the doc");
    let mut sources = Vec::new();
    for dir in ["state-machine", "desktop", "fixtures", "android"] {
        rust_sources(&root.join(dir), &mut sources);
    }
    let names: Vec<&str> = doc
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|name| {
            name.contains('_')
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
        .collect();
    assert!(
        names.len() >= minimum,
        "{doc_path} names {} tests",
        names.len()
    );
    names
        .into_iter()
        .filter(|name| *name != "register_secret")
        .filter(|name| {
            let declared = format!("fn {name}(");
            !sources.iter().any(|source| source.contains(&declared))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_test_named_in_the_security_doc_exists() {
    let missing = missing_names("docs/security.md", 25);
    assert!(
        missing.is_empty(),
        "docs/security.md names {missing:?}, which do not exist"
    );
}

#[test]
fn every_test_named_in_the_plex_behaviour_doc_exists() {
    let missing = missing_names("docs/plexBehaviour.md", 30);
    assert!(
        missing.is_empty(),
        "docs/plexBehaviour.md names {missing:?}, which do not exist"
    );
}
