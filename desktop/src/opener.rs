//! Plays a finished download on the desktop: the file goes to the system's opener, which
//! starts the player the user chose for that kind of file (`xdg-open` on Linux, from
//! freedesktop.org's xdg-utils; `open` on macOS). `PLEXDL_OPENER` names another program
//! (a player, or a script in the tests); it gets the file's path as its only argument.
//!
//! The path comes from the manifest (the download's row), never from the request, and is
//! passed as one argument without a shell, so a file name cannot run anything.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};

/// The environment variable that names the program used instead of the system's opener.
pub const OPENER_VARIABLE: &str = "PLEXDL_OPENER";

/// The program that opens files: `PLEXDL_OPENER` when it is set, otherwise the system's.
pub fn opener() -> OsString {
    match std::env::var_os(OPENER_VARIABLE) {
        Some(program) if !program.is_empty() => program,
        _ if cfg!(target_os = "macos") => OsString::from("open"),
        _ => OsString::from("xdg-open"),
    }
}

/// Hands `file` to the opener and returns once it started; the opener's exit is waited
/// for on a thread of its own, so that no finished child is left behind.
pub fn open(file: &Path) -> std::io::Result<()> {
    let program = opener();
    let mut child = Command::new(&program)
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    tracing::info!(opener = %program.to_string_lossy(), file = %file.display(), "file handed to the opener");
    std::thread::spawn(move || {
        if let Ok(status) = child.wait()
            && !status.success()
        {
            tracing::info!(%status, "the opener ended with a failure");
        }
    });
    Ok(())
}

/// What the user reads when the opener did not start.
pub fn not_started(error: &std::io::Error) -> String {
    format!(
        "No program to open the file was found ({}: {error}). Install a video player, or set {OPENER_VARIABLE} to one.",
        opener().to_string_lossy()
    )
}
