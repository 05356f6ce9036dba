//! Fuzzes the bridge dispatcher: arbitrary bytes as a bridge request to a real app (in a
//! temporary data folder, no server connected).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use plexdl_core::app::{App, AppSettings};

struct Fixture {
    runtime: tokio::runtime::Runtime,
    app: App,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut settings = AppSettings::new(dir.path().join("data"));
        // A closed local port: sign-in requests fail at once instead of waiting on a network.
        settings.plex_tv = "http://127.0.0.1:9".to_string();
        let app = App::open(settings).expect("app opens");
        Fixture {
            runtime,
            app,
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    fixture
        .runtime
        .block_on(plexdl_core::fuzz_checks::bridge(&fixture.app, data));
});
