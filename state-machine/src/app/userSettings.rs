//! The settings the user changes on the Settings screen, kept in `settings.json` in the data
//! folder. The transfer limit and the busy-server policy apply at once; a new storage folder
//! applies at the next start, and only while no download exists (the files already
//! downloaded would otherwise be left behind in the old folder).

use std::path::{Path, PathBuf};

use plexdl_protocol::{SettingsChange, UserSettings};

use crate::engine::BusyPolicy;

const FILE_NAME: &str = "settings.json";

/// The most transfers at once the user can choose.
pub const MAX_TRANSFERS: u32 = 4;

/// Defaults for a new installation.
pub fn defaults() -> UserSettings {
    UserSettings {
        wifi_only: false,
        max_transfers: 2,
        busy_policy: "warn".to_string(),
        storage_dir: None,
    }
}

/// Reads the saved settings. A missing file gives the defaults; an unreadable one is kept
/// beside as `settings.json.unreadable` (nothing is lost) and the defaults are used.
pub fn load(data_dir: &Path) -> UserSettings {
    let path = data_dir.join(FILE_NAME);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return defaults(),
        Err(error) => {
            tracing::warn!(%error, "the settings file cannot be read; using the defaults");
            return defaults();
        }
    };
    match serde_json::from_str::<UserSettings>(&text)
        .map_err(|error| error.to_string())
        .and_then(|saved| validate(&defaults(), &change_from(&saved)).map_err(|e| e.to_string()))
    {
        Ok(settings) => settings,
        Err(error) => {
            tracing::warn!(%error, "the settings file is not valid; it is kept as settings.json.unreadable and the defaults are used");
            let _ = std::fs::rename(&path, data_dir.join("settings.json.unreadable"));
            defaults()
        }
    }
}

/// Writes the settings (to a temporary file first, so a crash never leaves half a file).
pub fn save(data_dir: &Path, settings: &UserSettings) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(settings).map_err(std::io::Error::other)?;
    let temporary = data_dir.join("settings.json.new");
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, data_dir.join(FILE_NAME))
}

fn change_from(settings: &UserSettings) -> SettingsChange {
    SettingsChange {
        wifi_only: Some(settings.wifi_only),
        max_transfers: Some(settings.max_transfers),
        busy_policy: Some(settings.busy_policy.clone()),
        storage_dir: Some(settings.storage_dir.clone().unwrap_or_default()),
    }
}

/// Why a change was refused, as a sentence for the user.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// The busy-server policy a setting names.
pub fn busy_policy(name: &str) -> Option<BusyPolicy> {
    match name {
        "warn" => Some(BusyPolicy::Warn),
        "wait" => Some(BusyPolicy::Wait),
        "ignore" => Some(BusyPolicy::Ignore),
        _ => None,
    }
}

/// Applies a change to `current`, checking every field; nothing changes if one is wrong.
pub fn validate(current: &UserSettings, change: &SettingsChange) -> Result<UserSettings, Refused> {
    let mut next = current.clone();
    if let Some(wifi_only) = change.wifi_only {
        next.wifi_only = wifi_only;
    }
    if let Some(max) = change.max_transfers {
        if !(1..=MAX_TRANSFERS).contains(&max) {
            return Err(Refused(format!(
                "Transfers at once must be between 1 and {MAX_TRANSFERS}, not {max}."
            )));
        }
        next.max_transfers = max;
    }
    if let Some(policy) = &change.busy_policy {
        if busy_policy(policy).is_none() {
            return Err(Refused(format!(
                "The busy-server choice must be warn, wait or ignore, not {policy:?}."
            )));
        }
        next.busy_policy = policy.clone();
    }
    if let Some(folder) = &change.storage_dir {
        let folder = folder.trim();
        next.storage_dir = if folder.is_empty() {
            None
        } else if !Path::new(folder).is_absolute() {
            return Err(Refused(format!(
                "The storage folder must be a full path (starting at the root), not {folder:?}."
            )));
        } else {
            Some(folder.to_string())
        };
    }
    Ok(next)
}

/// Checks that a chosen storage folder can be created and written.
pub fn check_folder(folder: &Path) -> Result<(), Refused> {
    let probe = folder.join(".plexdl-writable");
    std::fs::create_dir_all(folder)
        .and_then(|()| std::fs::write(&probe, b"ok"))
        .map_err(|error| {
            Refused(format!(
                "The folder {} cannot be used for downloads: {error}.",
                folder.display()
            ))
        })?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// The download folder the settings choose, given the host's default.
pub fn download_dir(settings: &UserSettings, host_default: PathBuf) -> PathBuf {
    settings
        .storage_dir
        .as_ref()
        .map_or(host_default, PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_checked_and_saved_settings_survive_a_restart() {
        let folder = tempfile::tempdir().expect("temporary folder");
        assert_eq!(load(folder.path()), defaults());
        let refused = [
            SettingsChange {
                max_transfers: Some(0),
                ..SettingsChange::default()
            },
            SettingsChange {
                max_transfers: Some(9),
                ..SettingsChange::default()
            },
            SettingsChange {
                busy_policy: Some("sometimes".to_string()),
                ..SettingsChange::default()
            },
            SettingsChange {
                storage_dir: Some("relative/folder".to_string()),
                ..SettingsChange::default()
            },
        ];
        for change in refused {
            assert!(validate(&defaults(), &change).is_err(), "{change:?}");
        }
        let next = validate(
            &defaults(),
            &SettingsChange {
                wifi_only: Some(true),
                max_transfers: Some(3),
                busy_policy: Some("wait".to_string()),
                storage_dir: Some("/media/card/Movies".to_string()),
            },
        )
        .expect("valid");
        save(folder.path(), &next).expect("saved");
        assert_eq!(load(folder.path()), next);
        let cleared = validate(
            &next,
            &SettingsChange {
                storage_dir: Some(String::new()),
                ..SettingsChange::default()
            },
        )
        .expect("valid");
        assert_eq!(cleared.storage_dir, None);
        assert!(cleared.wifi_only);
    }

    #[test]
    fn a_broken_settings_file_is_kept_aside() {
        let folder = tempfile::tempdir().expect("temporary folder");
        std::fs::write(folder.path().join(FILE_NAME), r#"{"wifiOnly": "#).expect("write");
        assert_eq!(load(folder.path()), defaults());
        let kept = std::fs::read_to_string(folder.path().join("settings.json.unreadable"))
            .expect("kept aside");
        assert_eq!(kept, r#"{"wifiOnly": "#);
        std::fs::write(
            folder.path().join(FILE_NAME),
            r#"{"wifiOnly":false,"maxTransfers":40,"busyPolicy":"warn","storageDir":null}"#,
        )
        .expect("write");
        assert_eq!(load(folder.path()), defaults());
    }
}
