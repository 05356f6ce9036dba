//! Every input the fuzzers keep in fixtures/fuzz (seeds, and any crash found) is replayed
//! here through the same checks, so a fixed crash stays fixed without the fuzzer.

use std::path::PathBuf;

use plexdl_core::app::{App, AppSettings};
use plexdl_core::fuzz_checks;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/fuzz")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| {
            let path = entry.expect("entry").path();
            (
                path.display().to_string(),
                std::fs::read(&path).expect("readable"),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs for {target}");
    out
}

#[test]
fn plex_parser_inputs_still_pass() {
    for (name, data) in inputs("plexParsers") {
        let result = std::panic::catch_unwind(|| fuzz_checks::plex_parsers(&data));
        assert!(result.is_ok(), "{name}");
    }
}

#[test]
fn file_name_inputs_still_pass() {
    for (name, data) in inputs("fileNames") {
        let result = std::panic::catch_unwind(|| fuzz_checks::file_names(&data));
        assert!(result.is_ok(), "{name}");
    }
}

#[tokio::test]
async fn bridge_inputs_still_pass() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = AppSettings::new(dir.path().join("data"));
    settings.plex_tv = "http://127.0.0.1:9".to_string();
    let app = App::open(settings).expect("app");
    for (_name, data) in inputs("bridgeDispatch") {
        fuzz_checks::bridge(&app, &data).await;
    }
}
