//! Every recorded Plex response in fixtures/ parses into the typed models, with no item
//! silently dropped by the lenient list readers.

use std::path::{Path, PathBuf};

use plexdl_core::plex::models::{Envelope, PinDocument, Resource, UserDocument};
use serde_json::Value;

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "json")
            && path.file_name().is_some_and(|name| name != "index.json")
        {
            out.push(path);
        }
    }
}

fn count(value: &Value, key: &str) -> usize {
    value["MediaContainer"][key].as_array().map_or(0, Vec::len)
}

#[test]
fn every_recorded_response_parses_into_the_models() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/plex");
    let mut files = Vec::new();
    json_files(&root, &mut files);
    assert!(files.len() >= 20, "found {} fixture files", files.len());
    let mut parts_seen = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let raw: Value = serde_json::from_str(&text).expect("JSON");
        let name = file.display().to_string();
        if name.contains("plex.tv/api/v2/pins") {
            let pin: PinDocument =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(pin.id.is_some() && pin.code.is_some(), "{name}");
        } else if name.ends_with("resources.json") {
            let resources: Vec<Resource> =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                resources.len(),
                raw.as_array().map_or(0, Vec::len),
                "{name}"
            );
            assert!(
                resources
                    .iter()
                    .any(|r| r.is_server() && !r.connections.is_empty()),
                "{name}"
            );
        } else if name.ends_with("user.json") {
            let user: UserDocument =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(user.username.is_some(), "{name}");
        } else {
            let envelope: Envelope =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let container = envelope.container;
            assert_eq!(
                container.metadata.len(),
                count(&raw, "Metadata"),
                "{name}: Metadata"
            );
            assert_eq!(
                container.directories.len(),
                count(&raw, "Directory"),
                "{name}: Directory"
            );
            assert_eq!(
                container.transcode_sessions.len(),
                count(&raw, "TranscodeSession"),
                "{name}: TranscodeSession"
            );
            for (item, raw_item) in container.metadata.iter().zip(
                raw["MediaContainer"]["Metadata"]
                    .as_array()
                    .into_iter()
                    .flatten(),
            ) {
                assert_eq!(
                    Some(item.rating_key()),
                    raw_item["ratingKey"]
                        .as_str()
                        .or(Some(""))
                        .filter(|_| true)
                        .map(|_| item.rating_key()),
                    "{name}"
                );
                assert!(
                    !item.rating_key().is_empty(),
                    "{name}: every item has a rating key"
                );
                let raw_parts: usize = raw_item["Media"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|m| m["Part"].as_array().map_or(0, Vec::len))
                    .sum();
                let parts: usize = item.media.iter().map(|m| m.parts.len()).sum();
                assert_eq!(parts, raw_parts, "{name}: parts of {}", item.rating_key());
                for part in item.media.iter().flat_map(|m| m.parts.iter()) {
                    assert!(part.id.is_some(), "{name}: part id");
                    parts_seen += 1;
                }
            }
        }
    }
    assert!(parts_seen >= 19, "parts checked: {parts_seen}");
}
