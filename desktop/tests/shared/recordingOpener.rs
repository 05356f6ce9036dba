//! A stand-in for the system's opener in the tests: a shell script, given to plexdl as
//! `PLEXDL_OPENER`, that writes down the path it was handed.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct RecordingOpener {
    /// The script, for `PLEXDL_OPENER`.
    pub script: PathBuf,
    written: PathBuf,
}

impl RecordingOpener {
    /// Writes the script into `dir`.
    pub fn new(dir: &Path) -> RecordingOpener {
        let written = dir.join("opened.txt");
        let script = dir.join("opener.sh");
        std::fs::write(
            &script,
            format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", written.display()),
        )
        .expect("script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("mode");
        RecordingOpener { script, written }
    }

    /// Whether the script has run.
    pub fn was_run(&self) -> bool {
        self.written.exists()
    }

    /// The path the script was handed, waiting up to 5 s for it (the opener runs apart
    /// from plexdl); empty when it never ran.
    pub fn opened(&self) -> String {
        for _ in 0..100 {
            let given = std::fs::read_to_string(&self.written).unwrap_or_default();
            if !given.is_empty() {
                return given;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        String::new()
    }
}
