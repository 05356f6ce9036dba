//! The converted file's real extension.
//!
//! For a download through the server's queue, the server chooses the container, not us:
//! with only a codec in the static target real servers chose MP4 (realServerFindings.md
//! section 2). It names the container in the item's `TranscodeSession.container` while it
//! converts, and the file name in the `Content-Disposition` of `/media` (MQ reads it from a
//! HEAD). Pre-flight has to choose a name before either is known, from the container we ask
//! for; once the server tells, the name takes the server's extension. Before the first byte
//! only the row and the sidecar change; after it, the partial file is renamed with them.

use super::file_names;
use super::sidecar::{self, Sidecar};
use super::{CoreError, DownloadCore};
use crate::manifest::rows;

/// The extension a container name stands for (`mpegts` is saved as `.ts`, `matroska` as
/// `.mkv`); `None` for an empty name.
pub fn container_extension(container: &str) -> Option<String> {
    let name = container.trim().to_ascii_lowercase();
    match name.as_str() {
        "" => None,
        "mpegts" => Some("ts".to_string()),
        "matroska" => Some("mkv".to_string()),
        other => Some(file_names::extension(Some(other))),
    }
}

/// The extension of the file name in a Content-Disposition value: `filename*=UTF-8''...`
/// (RFC 6266) when present, else `filename="..."` or a bare `filename=...`.
pub fn disposition_extension(value: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for parameter in value.split(';').map(str::trim) {
        let Some((name, text)) = parameter.split_once('=') else {
            continue;
        };
        let text = text.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "filename*" => {
                extended = text.rsplit_once('\'').map(|(_, name)| name.to_string());
            }
            "filename" => plain = Some(text.trim_matches('"').to_string()),
            _ => {}
        }
    }
    let name = extended.or(plain)?;
    let (stem, extension) = name.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    container_extension(extension)
}

/// Gives download `id` the extension of `container`, as the server named it. Nothing
/// changes when the name already has it, or when the download has no name yet. The partial
/// file, if any, is renamed first (if that fails, the old name is kept); the row then
/// records the new name (the file is renamed back if the row cannot be written), and the
/// sidecar follows.
pub(super) fn settle(core: &DownloadCore, id: i64, container: &str) -> Result<(), CoreError> {
    let Some(wanted) = container_extension(container) else {
        return Ok(());
    };
    let row = core.get(id)?;
    let Some(old) = row.local_file_path.clone() else {
        return Ok(());
    };
    let current = old
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase());
    if current.as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    let folder = core.settings.download_dir.clone();
    let name = core.manifest.read(|tx| {
        Ok(file_names::unique_name(&row.title, &wanted, |candidate| {
            let on_disk = folder.join(candidate).exists()
                || folder.join(format!("{candidate}.part")).exists();
            on_disk || rows::file_in_use(tx, candidate, id).unwrap_or(true)
        }))
    })?;
    let old_part = folder.join(format!("{old}.part"));
    let new_part = folder.join(format!("{name}.part"));
    let moved = old_part.exists();
    if moved && let Err(error) = std::fs::rename(&old_part, &new_part) {
        // The download goes on under its old name, which plays as well in most players.
        tracing::warn!(%error, old_name = %old, new_name = %name, "could not rename the partial file; keeping its name");
        return Ok(());
    }
    if let Err(error) = core
        .manifest
        .write(|tx| rows::set_file(tx, id, &name, None))
    {
        if moved && let Err(back) = std::fs::rename(&new_part, &old_part) {
            tracing::warn!(error = %back, "could not give the partial file its old name back");
        }
        return Err(error.into());
    }
    tracing::info!(old_name = %old, new_name = %name, %container, "the server chose another container; the file takes its extension");
    let _ = std::fs::remove_file(sidecar::path_for(&folder, &old));
    let row = core.get(id)?;
    if let Err(error) = sidecar::write(&folder, &name, &Sidecar::from_row(&row, Vec::new(), None)) {
        tracing::warn!(%error, "could not write the sidecar file");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_come_from_either_form_of_content_disposition() {
        let cases = [
            ("attachment; filename=\"queue-item-4.mp4\"", Some("mp4")),
            ("attachment; filename=Film.MKV", Some("mkv")),
            (
                "attachment; filename=\"fallback.mkv\"; filename*=UTF-8''Le%20film.mp4",
                Some("mp4"),
            ),
            ("attachment; filename=\"stream.mpegts\"", Some("ts")),
            ("attachment; filename=\"no extension\"", None),
            ("attachment; filename=\".mp4\"", None),
            ("inline", None),
        ];
        for (value, expected) in cases {
            assert_eq!(disposition_extension(value).as_deref(), expected, "{value}");
        }
        assert_eq!(container_extension(" MP4 ").as_deref(), Some("mp4"));
        assert_eq!(container_extension("").as_deref(), None);
    }
}
