//! The Plex client against the replay server: every call, every error kind (driven by the
//! replay server's fault scenarios), the recorded fixtures parsed into the typed models, a
//! crawl of the whole replay library, and a capturing log subscriber that proves no token
//! reaches the logs.

#[path = "shared/logCapture.rs"]
mod log_capture;

#[path = "plexClient/support.rs"]
mod support;

#[path = "plexClient/signIn.rs"]
mod sign_in;

#[path = "plexClient/servers.rs"]
mod servers;

#[path = "plexClient/library.rs"]
mod library;

#[path = "plexClient/errors.rs"]
mod errors;

#[path = "plexClient/transcodeAndQueue.rs"]
mod transcode_and_queue;

#[path = "plexClient/recordedModels.rs"]
mod recorded_models;
