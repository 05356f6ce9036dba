//! The JNI bridge of the Android app: the core behind a handful of static methods of the
//! Java class `net.plexdownloader.NativeBridge`.
//!
//! - `bridge` holds the work, in plain Rust (one tokio runtime and one `App` per process).
//! - `exports` holds the JNI functions: each is one line into a wrapper that turns every
//!   error and every panic into one Java exception, `net.plexdownloader.BridgeException`,
//!   whose message is `kind: sentence`.
//! - `logcat` sends log lines (redacted like everywhere else) to Android's log.

pub mod bridge;
mod exports;
#[cfg(target_os = "android")]
mod logcat;

pub use bridge::BridgeError;
