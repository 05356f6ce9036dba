//! Titles from the server that try to escape the download folder or break the file system
//! end up as safe names inside it.

use plexdl_core::plex::QualityPreset;
use plexdl_replay::ReplayServer;
use serde_json::Value;

use crate::support::{SERVER, open_core, run_to_end};

fn write_hostile_fixtures(dir: &std::path::Path) {
    for (name, text) in plexdl_replay::fixture_store::built_in_files() {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        let mut text = text.to_string();
        if name == "server/library/sections/1/allAuthored.json"
            || name.starts_with("server/library/metadata/1036")
            || name.starts_with("server/library/metadata/159637")
        {
            let mut doc: Value = serde_json::from_str(&text).expect("JSON");
            for item in doc["MediaContainer"]["Metadata"]
                .as_array_mut()
                .expect("items")
            {
                let title = match item["ratingKey"].as_str() {
                    Some("109") => "../../etc/passwd".to_string(),
                    Some("1036") => "a/b\\c\u{0}d:e".to_string(),
                    Some("159637") => "W".repeat(300),
                    _ => continue,
                };
                item["title"] = Value::from(title);
            }
            text = doc.to_string();
        }
        std::fs::write(path, text).expect("write");
    }
}

#[tokio::test]
async fn hostile_titles_stay_inside_the_download_folder() {
    let fixtures = tempfile::tempdir().expect("temp dir");
    write_hostile_fixtures(fixtures.path());
    let server = ReplayServer::builder()
        .fixtures_dir(fixtures.path())
        .start()
        .expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let core = open_core(dir.path(), &server);
    let downloads = dir.path().join("downloads");
    let ids = core
        .enqueue(SERVER, &["109", "1036", "159637"], QualityPreset::Original)
        .await
        .expect("enqueued");
    assert_eq!(ids.len(), 4, "two parts and two single files");
    for id in ids {
        let row = run_to_end(&core, id).await;
        assert_eq!(row.download_status, "completed", "{row:?}");
        let name = row.local_file_path.clone().expect("name");
        assert!(
            !name.contains('/')
                && !name.contains('\\')
                && !name.contains('\0')
                && !name.starts_with('.'),
            "{name:?}"
        );
        assert!(name.len() <= 150, "{} bytes", name.len());
        let path = core.final_path(&row).expect("path");
        assert_eq!(
            path.parent(),
            Some(downloads.as_path()),
            "{}",
            path.display()
        );
        assert!(path.exists());
    }
    // Nothing was written outside the download folder.
    assert!(!dir.path().join("etc").exists());
    let names: Vec<String> = core
        .list()
        .expect("list")
        .into_iter()
        .filter_map(|row| row.local_file_path)
        .collect();
    assert!(
        names.contains(&"etc passwd (2008) - part 1.mkv".to_string()),
        "{names:?}"
    );
}
