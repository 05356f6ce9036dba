//! The default data folder: `$XDG_DATA_HOME/plexdl` or `~/.local/share/plexdl` on Linux,
//! `~/Library/Application Support/plexdl` on macOS.

use std::path::PathBuf;

/// The platform's data folder for plexdl, if a home folder is known.
pub fn default_data_dir() -> Option<PathBuf> {
    if cfg!(target_os = "macos") {
        let home = std::env::var_os("HOME")?;
        return Some(
            PathBuf::from(home)
                .join("Library")
                .join("Application Support")
                .join("plexdl"),
        );
    }
    if let Some(data) = std::env::var_os("XDG_DATA_HOME").filter(|value| !value.is_empty()) {
        return Some(PathBuf::from(data).join("plexdl"));
    }
    let home = std::env::var_os("HOME")?;
    Some(
        PathBuf::from(home)
            .join(".local")
            .join("share")
            .join("plexdl"),
    )
}
