//! File names from server data. Titles come from the server and may contain anything:
//! separators, `..`, control characters, names hundreds of characters long. Every name is
//! cleaned to one safe path component, kept short, and made unique; every path stays inside
//! the download folder.

use std::path::{Component, Path, PathBuf};

use crate::plex::{Metadata, MetadataType, Stream};

/// The longest file name written, in bytes (most file systems allow 255).
pub const MAX_NAME_BYTES: usize = 150;

/// Characters that are not allowed in a name on at least one of the file systems the
/// download folder may be on (Android's FAT-formatted SD cards included).
/// Bidirectional controls go too, so a name cannot read as something it is not.
fn is_forbidden(c: char) -> bool {
    crate::plain_text::is_hidden_control(c)
        || matches!(
            c,
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '\0'
        )
}

/// Cleans text into one safe path component of at most `max_bytes` bytes: forbidden
/// characters become spaces, runs of spaces collapse, leading and trailing dots and spaces go
/// (so no hidden names and no `.` or `..`), and an empty result becomes "download".
pub fn sanitize(text: &str, max_bytes: usize) -> String {
    let replaced: String = text
        .chars()
        .map(|c| if is_forbidden(c) { ' ' } else { c })
        .collect();
    let collapsed = replaced.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = collapsed.trim_matches(|c: char| c == '.' || c == ' ');
    let mut out = String::new();
    for c in trimmed.chars() {
        if out.len() + c.len_utf8() > max_bytes {
            break;
        }
        out.push(c);
    }
    let out = out.trim_end_matches(['.', ' ']).to_string();
    if out.is_empty() {
        "download".to_string()
    } else {
        out
    }
}

/// A file extension from a container name: letters and digits only, at most 5, `mkv` if
/// nothing usable is given.
pub fn extension(container: Option<&str>) -> String {
    let clean: String = container
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(5)
        .collect();
    if clean.is_empty() {
        "mkv".to_string()
    } else {
        clean.to_ascii_lowercase()
    }
}

/// The base name (without extension) for an item: "Title (Year)" for a movie, "Show -
/// S01E02 - Title" for an episode, with " - part N" for one part of several.
pub fn base_name(item: &Metadata, part_index: u32, part_count: usize) -> String {
    let title = item.title();
    let mut name = match item.kind {
        MetadataType::Episode => {
            let show = item.grandparent_title.as_deref().unwrap_or("");
            let code = match (item.parent_index, item.index) {
                (Some(season), Some(episode)) => format!("S{season:02}E{episode:02}"),
                _ => String::new(),
            };
            [show, code.as_str(), title]
                .iter()
                .filter(|part| !part.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" - ")
        }
        _ => match item.year {
            Some(year) => format!("{title} ({year})"),
            None => title.to_string(),
        },
    };
    if part_count > 1 {
        name.push_str(&format!(" - part {}", part_index + 1));
    }
    name
}

/// The name an external subtitle is saved as beside the video whose name without its
/// extension is `stem`: "Reign of Fire (2002).eng.1.srt" (the language code, the stream's
/// position among the part's external subtitles from 1, and its format).
pub fn subtitle_name(stem: &str, stream: &Stream, position: usize) -> String {
    let language = stream.language_code.as_deref().unwrap_or("und");
    let extension = extension(
        stream
            .format
            .as_deref()
            .or(stream.codec.as_deref())
            .or(Some("srt")),
    );
    sanitize(
        &format!("{stem}.{language}.{}.{extension}", position + 1),
        MAX_NAME_BYTES + 20,
    )
}

/// A unique, safe file name in the download folder: `taken` says whether a name is already
/// used (by a file or by another download); " (2)", " (3)" ... are added until one is free.
pub fn unique_name(base: &str, extension: &str, taken: impl Fn(&str) -> bool) -> String {
    let ext = sanitize(extension, 8);
    let room = MAX_NAME_BYTES.saturating_sub(ext.len() + 1 + 6);
    let base = sanitize(base, room);
    let first = format!("{base}.{ext}");
    if !taken(&first) {
        return first;
    }
    (2..10_000)
        .map(|number| format!("{base} ({number}).{ext}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| format!("{base} ({}).{ext}", crate::manifest::now_ms()))
}

/// The path of a name inside the download folder, refusing anything that is not one plain
/// component.
pub fn inside(folder: &Path, name: &str) -> Option<PathBuf> {
    let mut components = Path::new(name).components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(part)), None) if part.to_str() == Some(name) => {
            Some(folder.join(part))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_one_safe_component() {
        for hostile in [
            "../../etc/passwd",
            "a/b\\c",
            "name\0with nul",
            "..",
            ".",
            "...hidden",
            "CON:*?\"<>|",
            "\u{7}bell\n",
        ] {
            let clean = sanitize(hostile, MAX_NAME_BYTES);
            assert!(
                !clean.contains('/') && !clean.contains('\\') && !clean.contains('\0'),
                "{clean:?}"
            );
            assert!(!clean.starts_with('.'), "{clean:?}");
            assert!(clean != ".." && clean != "." && !clean.is_empty());
            let folder = Path::new("/downloads");
            let path =
                inside(folder, &clean).unwrap_or_else(|| panic!("{clean:?} is one component"));
            assert!(
                path.starts_with(folder) && path.parent() == Some(folder),
                "{path:?}"
            );
        }
        assert_eq!(sanitize("../../etc/passwd", 100), "etc passwd");
        // A right-to-left override would make "Film\u{202e}vkm.exe" read as "Filmexe.mkv".
        assert_eq!(sanitize("Film\u{202e}vkm.exe\u{2066}", 100), "Film vkm.exe");
    }

    #[test]
    fn long_names_are_cut_on_a_character_boundary() {
        let long = "é".repeat(300);
        let clean = sanitize(&long, MAX_NAME_BYTES);
        assert!(clean.len() <= MAX_NAME_BYTES);
        assert!(clean.chars().all(|c| c == 'é'));
        let name = unique_name(&"x".repeat(300), "mkv", |_| false);
        assert!(
            name.len() <= MAX_NAME_BYTES && name.ends_with(".mkv"),
            "{name}"
        );
    }

    #[test]
    fn names_are_made_unique() {
        let taken = ["Movie.mkv", "Movie (2).mkv"];
        assert_eq!(
            unique_name("Movie", "mkv", |name| taken.contains(&name)),
            "Movie (3).mkv"
        );
        assert_eq!(
            unique_name("Other", "mkv", |name| taken.contains(&name)),
            "Other.mkv"
        );
    }

    #[test]
    fn inside_refuses_anything_but_one_component() {
        let folder = Path::new("/d");
        assert!(inside(folder, "a.mkv").is_some());
        for bad in ["../a", "/etc/passwd", "a/b", "", ".."] {
            assert!(inside(folder, bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn base_names_follow_the_item_kind() {
        let movie = Metadata {
            title: Some("Sintel".into()),
            year: Some(2010),
            kind: MetadataType::Movie,
            ..Metadata::default()
        };
        assert_eq!(base_name(&movie, 0, 1), "Sintel (2010)");
        assert_eq!(base_name(&movie, 1, 2), "Sintel (2010) - part 2");
        let episode = Metadata {
            title: Some("Pilot".into()),
            kind: MetadataType::Episode,
            grandparent_title: Some("The 100".into()),
            parent_index: Some(1),
            index: Some(1),
            ..Metadata::default()
        };
        assert_eq!(base_name(&episode, 0, 1), "The 100 - S01E01 - Pilot");
        assert_eq!(extension(Some("m/k v")), "mkv");
        assert_eq!(extension(None), "mkv");
        assert_eq!(extension(Some("MP4")), "mp4");
    }
}
