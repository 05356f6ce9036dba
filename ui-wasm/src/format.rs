//! Plain-word formatting of sizes, speeds, times and download states. No browser calls, so
//! these are tested on the host as well as in the browser.

use plexdl_protocol::{
    Action, AudioTrack, DownloadSnapshot, DownloadStatus, KeepRule, MediaVersion, StorageUse,
    SubtitleTrack,
};

/// A size in bytes as people read it ("13.4 MB"), in powers of 1000 like phone storage
/// settings.
pub fn bytes(count: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    if count < 1000 {
        return format!("{count} bytes");
    }
    let mut value = count as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    let tenths = format!("{value:.1}");
    match tenths.strip_suffix(".0") {
        // "20 GB", not "20.0 GB" (the core writes the storage limit the same way).
        Some(whole) => format!("{whole} {}", UNITS[unit]),
        None if value >= 100.0 => format!("{value:.0} {}", UNITS[unit]),
        None => format!("{tenths} {}", UNITS[unit]),
    }
}

/// A transfer speed ("2.1 MB/s").
pub fn speed(bytes_per_second: f64) -> String {
    format!("{}/s", bytes(bytes_per_second.max(0.0) as u64))
}

/// A remaining time ("about 3 min", "about 1 h 20 min").
pub fn duration_left(seconds: f64) -> String {
    let seconds = seconds.max(0.0).round() as u64;
    if seconds < 60 {
        "less than a minute".to_string()
    } else if seconds < 3600 {
        format!("about {} min", seconds.div_ceil(60))
    } else {
        let minutes = seconds.div_ceil(60);
        format!("about {} h {} min", minutes / 60, minutes % 60)
    }
}

/// A running time ("1 h 42 min", "5 s").
pub fn running_time(ms: u64) -> String {
    let seconds = ms / 1000;
    if seconds < 60 {
        format!("{seconds} s")
    } else if seconds < 3600 {
        format!("{} min", seconds / 60)
    } else {
        format!("{} h {} min", seconds / 3600, (seconds % 3600) / 60)
    }
}

/// A version's resolution as people say it: "4K", "1080p", "SD", or the picture height.
pub fn resolution_label(version: &MediaVersion) -> String {
    match version.resolution.as_deref() {
        Some(label) if label.eq_ignore_ascii_case("4k") => "4K".to_string(),
        Some(label) if label.eq_ignore_ascii_case("sd") => "SD".to_string(),
        Some(label) if label.chars().all(|c| c.is_ascii_digit()) => format!("{label}p"),
        Some(label) => label.to_string(),
        None => match version.height {
            Some(height) => format!("{height}p"),
            None => "Unknown resolution".to_string(),
        },
    }
}

/// A codec name as it is usually written ("H.264", "HEVC", "AAC").
pub fn codec_label(codec: &str) -> String {
    match codec.to_ascii_lowercase().as_str() {
        "h264" => "H.264".to_string(),
        "hevc" | "h265" => "HEVC".to_string(),
        "mpeg4" => "MPEG-4".to_string(),
        "mpeg2video" => "MPEG-2".to_string(),
        "dca" => "DTS".to_string(),
        "eac3" => "E-AC3".to_string(),
        "subrip" => "SRT".to_string(),
        "hdmv_pgs_subtitle" | "pgs" => "PGS".to_string(),
        "dvd_subtitle" | "vobsub" => "VobSub".to_string(),
        other => other.to_ascii_uppercase(),
    }
}

/// A bitrate given in kilobits per second: "40 Mbps", "2.1 Mbps", "800 kbps".
pub fn bitrate(kbps: u64) -> String {
    if kbps >= 10_000 {
        format!("{} Mbps", (kbps as f64 / 1000.0).round())
    } else if kbps >= 1000 {
        format!("{:.1} Mbps", kbps as f64 / 1000.0)
    } else {
        format!("{kbps} kbps")
    }
}

/// One line about a version: "4K · HEVC · 40 Mbps · MKV · 25.3 GB".
pub fn version_line(version: &MediaVersion) -> String {
    let mut parts = vec![resolution_label(version)];
    parts.extend(version.video_codec.as_deref().map(codec_label));
    parts.extend(version.bitrate_kbps.map(bitrate));
    parts.extend(version.container.as_deref().map(str::to_ascii_uppercase));
    parts.extend(version.size.map(bytes));
    if version.parts > 1 {
        parts.push(format!("{} files", version.parts));
    }
    parts.join(" · ")
}

/// Channels as people say them: "mono", "stereo", "5.1", "7.1", or the number.
pub fn channels_label(channels: u64) -> String {
    match channels {
        1 => "mono".to_string(),
        2 => "stereo".to_string(),
        6 => "5.1".to_string(),
        8 => "7.1".to_string(),
        other => format!("{other} channels"),
    }
}

/// "English (AAC, stereo)": a track's language (or "Unknown language") with its details in
/// brackets, the codec first; the language alone when there are no details.
fn track_label(language: Option<&str>, codec: Option<&str>, more: Vec<String>) -> String {
    let language = language.unwrap_or("Unknown language");
    let mut details: Vec<String> = codec.map(codec_label).into_iter().collect();
    details.extend(more);
    if details.is_empty() {
        language.to_string()
    } else {
        format!("{language} ({})", details.join(", "))
    }
}

/// An audio track: "English (AAC, stereo)", or "Unknown language (AC3, 5.1)".
pub fn audio_label(track: &AudioTrack) -> String {
    let channels = track.channels.map(channels_label).into_iter().collect();
    track_label(track.language.as_deref(), track.codec.as_deref(), channels)
}

/// A subtitle track: "English (SRT, separate file)", "French (inside the video, forced)".
pub fn subtitle_label(track: &SubtitleTrack) -> String {
    let place = if track.external {
        "separate file"
    } else {
        "inside the video"
    };
    let mut more = vec![place.to_string()];
    if track.forced {
        more.push("forced".to_string());
    }
    track_label(track.language.as_deref(), track.codec.as_deref(), more)
}

/// The label of a quality preset.
pub fn quality_label(quality: &str) -> &'static str {
    match quality {
        "original" => "Original (no conversion)",
        "1080p" => "1080p (8 Mbps)",
        "720p" => "720p (4 Mbps)",
        "480p" => "480p (1.5 Mbps)",
        _ => "Unknown quality",
    }
}

/// The part of a download that is done, from 0 to 100, when the total is known and a byte
/// has come (a download that has not started is not at "0%": its phase says what it waits
/// for, and a finished one that took no bytes is whole).
pub fn percent(snapshot: &DownloadSnapshot) -> Option<u32> {
    if snapshot.status == DownloadStatus::Completed {
        return Some(100);
    }
    if snapshot.bytes_done == 0 {
        return None;
    }
    let total = snapshot.bytes_total.filter(|total| *total > 0)?;
    Some(((snapshot.bytes_done.min(total) as f64 / total as f64) * 100.0).floor() as u32)
}

/// "Watched", or "Stopped at 21:00" when playback stopped before the end; nothing for a
/// download never played.
pub fn watched_text(snapshot: &DownloadSnapshot) -> Option<String> {
    if snapshot.watched {
        return Some("Watched".to_string());
    }
    let at = snapshot.position_seconds.filter(|at| *at > 0)?;
    let (hours, minutes, seconds) = (at / 3_600, at / 60 % 60, at % 60);
    Some(if hours > 0 {
        format!("Stopped at {hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("Stopped at {minutes}:{seconds:02}")
    })
}

/// "4.2 MB of 13.4 MB", or just the bytes done when the total is not known; before the
/// first byte, the size to come ("13.4 MB to download") or nothing.
pub fn progress_text(snapshot: &DownloadSnapshot) -> String {
    if snapshot.bytes_done == 0 && snapshot.status != DownloadStatus::Completed {
        return snapshot
            .bytes_total
            .map(|total| format!("{} to download", bytes(total)))
            .unwrap_or_default();
    }
    match snapshot.bytes_total {
        Some(total) => format!("{} of {}", bytes(snapshot.bytes_done), bytes(total)),
        None => format!("{} so far", bytes(snapshot.bytes_done)),
    }
}

/// Whether bytes are flowing (speed and time left make sense): a transfer state, with a
/// transfer slot.
pub fn is_moving(snapshot: &DownloadSnapshot) -> bool {
    snapshot.status.moves_bytes() && !snapshot.waiting_for_slot
}

/// Whether the error box shows its own button for `action`. Retrying and deleting have
/// their buttons on every failed download already; signing in and the diagnostics are
/// elsewhere, so the error box links to them.
pub fn error_has_button(action: Action) -> bool {
    matches!(action, Action::SignIn | Action::Report)
}

/// The button text for an error's action.
pub fn action_label(action: Action) -> &'static str {
    match action {
        Action::SignIn => "Sign in again",
        Action::ChooseAnother => "Remove it",
        Action::Report => "Open diagnostics",
        Action::Retry
        | Action::AskServerOwner
        | Action::CheckConnection
        | Action::FreeSpace
        | Action::CheckStorage
        | Action::FixRequest
        | Action::None => "Retry",
    }
}

/// What the user should do, in a sentence, beside the action button.
pub fn action_hint(action: Action) -> &'static str {
    match action {
        Action::Retry => "It may work if you try again.",
        Action::SignIn => "Plex no longer accepts the saved sign-in.",
        Action::AskServerOwner => {
            "Ask the owner of the server to allow downloads for your account."
        }
        Action::ChooseAnother => {
            "Choose another quality or another item, and delete this download."
        }
        Action::CheckConnection => "Check that the phone can reach the server, then try again.",
        Action::FreeSpace => {
            "Free some space on the device, then try again. The part already downloaded is kept."
        }
        Action::CheckStorage => {
            "Check that the storage of the download folder is there (an SD card may have been removed) and can be written, then try again."
        }
        Action::Report => {
            "The server answered something unexpected. The diagnostics show the details."
        }
        Action::FixRequest => "The request was not valid.",
        Action::None => "",
    }
}

/// More about why a download waits than its phase says, when there is more to say: the
/// transfer slot it waits for, or the time of its next try (`wake_time`, from the
/// snapshot's `nextWakeAt`, which only a download waiting to try again has). The phase
/// itself comes from the core.
pub fn waiting_reason(snapshot: &DownloadSnapshot, wake_time: Option<String>) -> Option<String> {
    if snapshot.waiting_for_slot {
        return Some(
            "Another download is using the transfer slot; this one starts when it is free."
                .to_string(),
        );
    }
    wake_time.map(|at| format!("Waiting to try again at {at}."))
}

/// The heading a download is grouped under: its show, or "Movies and other videos".
pub fn group_of(snapshot: &DownloadSnapshot) -> String {
    snapshot
        .group_title
        .clone()
        .unwrap_or_else(|| "Movies and other videos".to_string())
}

/// Downloads grouped by show, groups in the order of their first download.
pub fn grouped(snapshots: &[DownloadSnapshot]) -> Vec<(String, Vec<DownloadSnapshot>)> {
    let mut groups: Vec<(String, Vec<DownloadSnapshot>)> = Vec::new();
    for snapshot in snapshots {
        let name = group_of(snapshot);
        match groups.iter_mut().find(|(group, _)| *group == name) {
            Some((_, members)) => members.push(snapshot.clone()),
            None => groups.push((name, vec![snapshot.clone()])),
        }
    }
    groups
}

/// A size typed in GB ("20", "0.5", "0,03": a comma as some keyboards give it) in bytes;
/// `None` when it is not such a number. Read by hand rather than as a float, which keeps the
/// float parser out of the bundle and gives exact bytes.
pub fn parse_gigabytes(text: &str) -> Option<u64> {
    const PER_GB: u64 = 1_000_000_000;
    let text = text.trim();
    let (whole, fraction) = match text.find(['.', ',']) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || !digits(whole)
        || !digits(fraction)
        || whole.len() > 9
        || fraction.len() > 9
    {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: u64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse::<u64>().ok()? * 10u64.pow(9 - fraction.len() as u32)
    };
    Some(whole * PER_GB + fraction)
}

/// Bytes as the number of GB a person would type back ("20", "0.03"): the reverse of
/// [`parse_gigabytes`].
pub fn gigabytes_typed(bytes: u64) -> String {
    const PER_GB: u64 = 1_000_000_000;
    let (whole, fraction) = (bytes / PER_GB, bytes % PER_GB);
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:09}");
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// How many episodes a rule keeps ahead, in words ("the next 3 episodes").
pub fn kept_ahead(keep_next: Option<u32>) -> String {
    match keep_next {
        Some(1) => "the next episode".to_string(),
        Some(next) => format!("the next {next} episodes"),
        None => "every unwatched episode".to_string(),
    }
}

/// What a keep rule does, in one line ("The next 3 episodes in Original (no conversion).
/// Delete watched episodes after a day.").
pub fn rule_summary(rule: &KeepRule) -> String {
    let mut ahead = kept_ahead(rule.keep_next);
    if let Some(first) = ahead.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    format!(
        "{ahead} in {}. {}.",
        quality_label(&rule.quality),
        rule.when_watched.label()
    )
}

/// The storage line above the downloads: what they take, against the limit when one is
/// set, and the free space when the host knows it.
pub fn storage_text(storage: &StorageUse) -> String {
    let mut text = match storage.budget_bytes {
        Some(budget) => format!(
            "Downloads take {} of the {} limit.",
            bytes(storage.used_bytes),
            bytes(budget)
        ),
        None => format!("Downloads take {}.", bytes(storage.used_bytes)),
    };
    if let Some(free) = storage.free_bytes {
        text.push_str(&format!(" {} free on this device.", bytes(free)));
    }
    text
}

/// How full the storage bar is, from 0 to 100: the share of the limit when one is set,
/// otherwise the share of the space downloads could have (what they take plus what is
/// free); `None` when neither is known.
pub fn storage_percent(storage: &StorageUse) -> Option<u32> {
    let whole = match (storage.budget_bytes, storage.free_bytes) {
        (Some(budget), _) => budget,
        (None, Some(free)) => storage.used_bytes.saturating_add(free),
        (None, None) => return None,
    };
    if whole == 0 {
        return Some(100);
    }
    Some(((storage.used_bytes.min(whole) as f64 / whole as f64) * 100.0).round() as u32)
}

/// A moving estimate of speed from successive readings of one download.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeedMeter {
    last_bytes: u64,
    last_ms: f64,
    /// Bytes per second, smoothed; 0 until two readings exist.
    pub bytes_per_second: f64,
}

impl SpeedMeter {
    /// A meter starting at a reading.
    pub fn new(bytes_done: u64, at_ms: f64) -> SpeedMeter {
        SpeedMeter {
            last_bytes: bytes_done,
            last_ms: at_ms,
            bytes_per_second: 0.0,
        }
    }

    /// Adds a reading. Readings closer than 200 ms are ignored; a drop in bytes (a restart)
    /// starts over.
    pub fn add(&mut self, bytes_done: u64, at_ms: f64) {
        let elapsed = (at_ms - self.last_ms) / 1000.0;
        if bytes_done < self.last_bytes {
            *self = SpeedMeter::new(bytes_done, at_ms);
            return;
        }
        if elapsed < 0.2 {
            return;
        }
        let sample = (bytes_done - self.last_bytes) as f64 / elapsed;
        self.bytes_per_second = if self.bytes_per_second == 0.0 {
            sample
        } else {
            0.7 * self.bytes_per_second + 0.3 * sample
        };
        self.last_bytes = bytes_done;
        self.last_ms = at_ms;
    }

    /// Seconds left for the remaining bytes at the current speed.
    pub fn seconds_left(&self, remaining: u64) -> Option<f64> {
        (self.bytes_per_second > 1.0).then(|| remaining as f64 / self.bytes_per_second)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(
        status: &str,
        done: u64,
        total: Option<u64>,
        group: Option<&str>,
    ) -> DownloadSnapshot {
        DownloadSnapshot {
            id: 1,
            server_id: "s".to_string(),
            rating_key: "55".to_string(),
            title: "Big Buck Bunny (2008)".to_string(),
            quality: "original".to_string(),
            status: DownloadStatus::from_name(status).expect("a status"),
            phase: "Downloading".to_string(),
            bytes_done: done,
            bytes_total: total,
            local_file_path: None,
            error_kind: None,
            error_message: None,
            action: None,
            next_wake_at: None,
            part_index: 0,
            group_title: group.map(str::to_string),
            rule_id: None,
            waiting_for_slot: false,
            watched: false,
            position_seconds: None,
            commands: Vec::new(),
        }
    }

    #[test]
    fn sizes_and_times_read_plainly() {
        assert_eq!(bytes(999), "999 bytes");
        assert_eq!(bytes(13_400_382), "13.4 MB");
        assert_eq!(bytes(1_073_741_824), "1.1 GB");
        assert_eq!(bytes(250_000_000_000), "250 GB");
        assert_eq!(bytes(20_000_000_000), "20 GB");
        assert_eq!(bytes(19_960_000_000), "20 GB");
        assert_eq!(bytes(100_400_000), "100 MB");
        assert_eq!(speed(2_100_000.0), "2.1 MB/s");
        assert_eq!(duration_left(30.0), "less than a minute");
        assert_eq!(duration_left(170.0), "about 3 min");
        assert_eq!(duration_left(4800.0), "about 1 h 20 min");
        assert_eq!(running_time(6_120_000), "1 h 42 min");
    }

    #[test]
    fn progress_needs_a_known_total() {
        assert_eq!(
            percent(&snapshot("transferring", 50, Some(200), None)),
            Some(25)
        );
        assert_eq!(percent(&snapshot("transferring", 50, None, None)), None);
        assert_eq!(
            percent(&snapshot("transferring", 500, Some(200), None)),
            Some(100)
        );
        assert_eq!(
            progress_text(&snapshot("transferring", 4_200_000, Some(13_400_382), None)),
            "4.2 MB of 13.4 MB"
        );
    }

    fn version(resolution: Option<&str>, height: Option<u64>) -> MediaVersion {
        MediaVersion {
            media_id: 1,
            resolution: resolution.map(str::to_string),
            width: None,
            height,
            video_codec: Some("hevc".to_string()),
            audio_codec: Some("eac3".to_string()),
            bitrate_kbps: Some(40_000),
            container: Some("mkv".to_string()),
            size: Some(25_300_000_000),
            duration_ms: None,
            parts: 1,
            audio: Vec::new(),
            subtitles: Vec::new(),
        }
    }

    #[test]
    fn versions_and_tracks_read_as_people_say_them() {
        assert_eq!(
            version_line(&version(Some("4k"), None)),
            "4K · HEVC · 40 Mbps · MKV · 25.3 GB"
        );
        assert_eq!(resolution_label(&version(Some("1080"), None)), "1080p");
        assert_eq!(resolution_label(&version(Some("sd"), None)), "SD");
        assert_eq!(resolution_label(&version(None, Some(576))), "576p");
        assert_eq!(resolution_label(&version(None, None)), "Unknown resolution");
        assert_eq!(bitrate(2108), "2.1 Mbps");
        assert_eq!(bitrate(800), "800 kbps");
        let audio = AudioTrack {
            stream_id: 1,
            language: Some("English".to_string()),
            codec: Some("aac".to_string()),
            channels: Some(6),
            title: None,
            default: true,
        };
        assert_eq!(audio_label(&audio), "English (AAC, 5.1)");
        let unknown = AudioTrack {
            language: None,
            codec: None,
            channels: None,
            ..audio
        };
        assert_eq!(audio_label(&unknown), "Unknown language");
        let subtitle = SubtitleTrack {
            stream_id: 2,
            language: Some("French".to_string()),
            codec: Some("srt".to_string()),
            title: None,
            external: true,
            forced: true,
            saved_as: Some("Film.fre.1.srt".to_string()),
        };
        assert_eq!(
            subtitle_label(&subtitle),
            "French (SRT, separate file, forced)"
        );
    }

    #[test]
    fn a_download_without_its_first_byte_shows_no_percent() {
        let waiting = snapshot("transferring", 0, Some(13_400_382), None);
        assert_eq!(percent(&waiting), None);
        assert_eq!(progress_text(&waiting), "13.4 MB to download");
        assert_eq!(progress_text(&snapshot("queued", 0, None, None)), "");
        assert_eq!(percent(&snapshot("completed", 0, Some(0), None)), Some(100));
    }

    #[test]
    fn downloads_group_by_show_in_first_seen_order() {
        let list = vec![
            snapshot("completed", 1, Some(1), Some("The 100")),
            snapshot("completed", 1, Some(1), None),
            snapshot("queued", 0, None, Some("The 100")),
        ];
        let groups = grouped(&list);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].0, "The 100");
        assert_eq!(groups[0].1.len(), 2);
        assert_eq!(groups[1].0, "Movies and other videos");
    }

    #[test]
    fn the_speed_meter_smooths_and_restarts() {
        let mut meter = SpeedMeter::new(0, 0.0);
        meter.add(1_000_000, 1000.0);
        assert_eq!(meter.bytes_per_second, 1_000_000.0);
        meter.add(1_000_001, 1100.0);
        assert_eq!(meter.bytes_per_second, 1_000_000.0, "too soon to count");
        meter.add(4_000_000, 2000.0);
        assert!(meter.bytes_per_second > 1_000_000.0 && meter.bytes_per_second < 3_000_000.0);
        assert!(meter.seconds_left(10_000_000).is_some());
        meter.add(0, 3000.0);
        assert_eq!(meter.bytes_per_second, 0.0);
        assert_eq!(meter.seconds_left(10), None);
    }

    #[test]
    fn waiting_states_say_why() {
        let mut waiting = snapshot("backoff", 0, None, None);
        assert_eq!(
            waiting_reason(&waiting, None),
            None,
            "the phase says it already"
        );
        assert_eq!(
            waiting_reason(&waiting, Some("14:05".to_string())).as_deref(),
            Some("Waiting to try again at 14:05.")
        );
        waiting.status = DownloadStatus::Transferring;
        assert_eq!(waiting_reason(&waiting, None), None);
        assert!(is_moving(&waiting));
        waiting.waiting_for_slot = true;
        assert!(!is_moving(&waiting));
        assert!(waiting_reason(&waiting, None).is_some_and(|reason| reason.contains("slot")));
        assert!(
            DownloadStatus::Backoff.needs_work()
                && !DownloadStatus::Paused.needs_work()
                && DownloadStatus::Failed.is_finished()
        );
    }

    #[test]
    fn watched_state_is_told_in_words() {
        let mut done = snapshot("completed", 10, Some(10), None);
        assert_eq!(watched_text(&done), None);
        done.position_seconds = Some(0);
        assert_eq!(
            watched_text(&done),
            None,
            "stopped at the start is never played"
        );
        done.position_seconds = Some(1_260);
        assert_eq!(watched_text(&done).as_deref(), Some("Stopped at 21:00"));
        done.position_seconds = Some(3_725);
        assert_eq!(watched_text(&done).as_deref(), Some("Stopped at 1:02:05"));
        done.watched = true;
        assert_eq!(watched_text(&done).as_deref(), Some("Watched"));
    }
    #[test]
    fn gigabytes_are_read_and_written_exactly() {
        assert_eq!(parse_gigabytes("20"), Some(20_000_000_000));
        assert_eq!(parse_gigabytes(" 0,03 "), Some(30_000_000));
        assert_eq!(parse_gigabytes("1.5"), Some(1_500_000_000));
        assert_eq!(parse_gigabytes(".5"), Some(500_000_000));
        assert_eq!(parse_gigabytes("2."), Some(2_000_000_000));
        for bad in ["", ".", "lots", "1.2.3", "-4", "1e3", "12 GB", "1234567890"] {
            assert_eq!(parse_gigabytes(bad), None, "{bad:?}");
        }
        assert_eq!(gigabytes_typed(20_000_000_000), "20");
        assert_eq!(gigabytes_typed(30_000_000), "0.03");
        assert_eq!(gigabytes_typed(1_500_000_001), "1.500000001");
        for bytes in [1, 999_999_999, 45_000_000, 7_250_000_000] {
            assert_eq!(parse_gigabytes(&gigabytes_typed(bytes)), Some(bytes));
        }
    }

    #[test]
    fn rules_and_storage_read_plainly() {
        assert_eq!(kept_ahead(Some(1)), "the next episode");
        assert_eq!(kept_ahead(Some(3)), "the next 3 episodes");
        assert_eq!(kept_ahead(None), "every unwatched episode");
        let rule = KeepRule {
            id: 1,
            server_id: "s".to_string(),
            rating_key: "10".to_string(),
            title: "The 100".to_string(),
            keep_next: Some(3),
            quality: "720p".to_string(),
            when_watched: plexdl_protocol::WhenWatched::DeleteAtOnce,
            stopped_reason: None,
        };
        assert_eq!(
            rule_summary(&rule),
            "The next 3 episodes in 720p (4 Mbps). Delete watched episodes at once."
        );
        let mut storage = StorageUse {
            used_bytes: 5_000_000_000,
            free_bytes: Some(15_000_000_000),
            budget_bytes: None,
            stopped_reason: None,
        };
        assert_eq!(
            storage_text(&storage),
            "Downloads take 5 GB. 15 GB free on this device."
        );
        assert_eq!(storage_percent(&storage), Some(25));
        storage.budget_bytes = Some(20_000_000_000);
        assert_eq!(
            storage_text(&storage),
            "Downloads take 5 GB of the 20 GB limit. 15 GB free on this device."
        );
        assert_eq!(storage_percent(&storage), Some(25));
        storage.used_bytes = 30_000_000_000;
        assert_eq!(
            storage_percent(&storage),
            Some(100),
            "over the limit fills the bar"
        );
        storage.free_bytes = None;
        storage.budget_bytes = None;
        assert_eq!(storage_percent(&storage), None);
        assert_eq!(storage_text(&storage), "Downloads take 30 GB.");
    }
}
