//! Every test named in docs/security.md exists, so a claim cannot outlive the test behind it.

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

#[test]
fn every_test_named_in_the_security_doc_exists() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let doc = std::fs::read_to_string(root.join("docs/security.md")).expect("docs/security.md");
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
    assert!(names.len() >= 25, "the doc names {} tests", names.len());
    for name in names {
        if name == "register_secret" {
            continue;
        }
        let declared = format!("fn {name}(");
        assert!(
            sources.iter().any(|source| source.contains(&declared)),
            "docs/security.md names {name}, which does not exist"
        );
    }
}
