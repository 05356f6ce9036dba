//! plexdl-core: the PlexDownloader core library. It knows nothing of Android or browsers;
//! hosts (the desktop program, the Android app through JNI) call it.
//!
//! - [`plex`]: the Plex client (sign-in, servers, library, activity, transcoder, queue).
//! - [`app`]: what hosts hold: data folder, account, saved servers, core, and the bridge
//!   dispatcher.
//! - [`engine`]: the public API (enqueue, list, pause, run a step...) and the transfer engine.
//! - [`fuzz_checks`]: the checks the fuzzers and their regression tests run.
//! - [`logging`]: installs log output that can never carry a token.
//! - [`machine`]: the download state machine (statig), pure: it records effects.
//! - [`manifest`]: the SQLite manifest, the source of truth for downloads.
//! - [`plain_text`]: server text made safe for terminals and file names.

pub mod app;
pub mod engine;
#[path = "fuzzChecks.rs"]
pub mod fuzz_checks;
pub mod logging;
pub mod machine;
pub mod manifest;
#[path = "plainText.rs"]
pub mod plain_text;
pub mod plex;
