//! Log output for hosts. Every line goes through the redaction writer, so no formatter,
//! library or panic message can write a token, whatever it logs.

use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use plexdl_redact::RedactingWriter;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// How many recent log lines are kept for the Diagnostics screen.
pub const RECENT_LINES: usize = 300;

static RECENT: Mutex<VecDeque<String>> = Mutex::new(VecDeque::new());

fn remember(line: &str) {
    let mut recent = RECENT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if recent.len() == RECENT_LINES {
        recent.pop_front();
    }
    recent.push_back(line.to_string());
}

/// Logs a failure the user sees at the level its kind's row in the table gives, with its
/// kind and sentence as fields (`what` says where it happened: "bridge request refused").
pub fn failure(kind: plexdl_protocol::FailureKind, message: &str, what: &str) {
    use plexdl_protocol::LogLevel;
    match kind.level() {
        LogLevel::Debug => tracing::debug!(%kind, message, "{what}"),
        LogLevel::Info => tracing::info!(%kind, message, "{what}"),
        LogLevel::Warn => tracing::warn!(%kind, message, "{what}"),
        LogLevel::Error => tracing::error!(%kind, message, "{what}"),
    }
}

/// The most recent log lines, oldest first. They were redacted before they were kept.
pub fn recent_lines() -> Vec<String> {
    RECENT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .iter()
        .cloned()
        .collect()
}

/// A writer that hands each whole line (without its line end) to `on_line`; a last line
/// without one is handed over when the writer is dropped. The recent-lines ring and
/// Android's logcat writer are both made of it.
pub struct LineWriter<F: FnMut(&str)> {
    pending: Vec<u8>,
    on_line: F,
}

impl<F: FnMut(&str)> std::fmt::Debug for LineWriter<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineWriter")
            .field("pending", &self.pending.len())
            .finish()
    }
}

impl<F: FnMut(&str)> LineWriter<F> {
    /// A writer calling `on_line` for every line.
    pub fn new(on_line: F) -> Self {
        LineWriter {
            pending: Vec::new(),
            on_line,
        }
    }
}

impl<F: FnMut(&str)> Write for LineWriter<F> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(end) = self.pending.iter().position(|byte| *byte == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            (self.on_line)(String::from_utf8_lossy(&line[..end]).trim_end());
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<F: FnMut(&str)> Drop for LineWriter<F> {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            (self.on_line)(String::from_utf8_lossy(&rest).trim_end());
        }
    }
}

/// A writer into the recent-lines ring. Placed inside a [`RedactingWriter`], it only ever
/// sees redacted text.
pub fn recent_lines_writer() -> LineWriter<fn(&str)> {
    LineWriter::new(remember)
}

/// What the recent-lines ring keeps, whatever the host's own filter: the core's events at
/// info and above, and only warnings from the HTTP libraries.
const RECENT_FILTER: &str = "info,hyper=warn,hyper_util=warn,reqwest=warn,h2=warn,rustls=warn";

fn filter(text: &str) -> EnvFilter {
    EnvFilter::try_new(text).unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Installs the global subscriber: `output` (already redacting) at `level`, and the
/// recent-lines ring for the Diagnostics screen. False if one was already installed.
pub fn install<W>(level: &str, output: W) -> bool
where
    W: for<'writer> tracing_subscriber::fmt::MakeWriter<'writer> + Send + Sync + 'static,
{
    let to_output = tracing_subscriber::fmt::layer()
        .with_writer(output)
        .with_ansi(false)
        .with_filter(filter(level));
    let to_ring = tracing_subscriber::fmt::layer()
        .with_writer(|| RedactingWriter::new(recent_lines_writer()))
        .with_ansi(false)
        .with_filter(filter(RECENT_FILTER));
    tracing_subscriber::registry()
        .with(to_output)
        .with(to_ring)
        .try_init()
        .is_ok()
}

/// Installs the global log subscriber writing to stderr at `filter` (such as `info` or
/// `plexdl_core=debug`). Returns false if a subscriber was already installed.
pub fn install_stderr(filter: &str) -> bool {
    install(filter, || RedactingWriter::new(std::io::stderr()))
}

/// Installs the global log subscriber appending to a file. Returns an error if the file
/// cannot be opened; false if a subscriber was already installed.
pub fn install_file(filter: &str, path: &Path) -> std::io::Result<bool> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let file = std::sync::Arc::new(file);
    Ok(install(filter, move || RedactingWriter::new(file.clone())))
}

/// Makes panic messages pass through redaction before they are printed.
pub fn install_panic_redaction() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("panic: {}", plexdl_redact::redact_text(&info.to_string()));
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_lines_are_kept_redacted_and_the_ring_is_bounded() {
        let secret = "remember-me-secret-4711";
        plexdl_redact::register_secret(secret);
        {
            let mut writer = RedactingWriter::new(recent_lines_writer());
            writer
                .write_all(format!("first line X-Plex-Token={secret}\nsecond ").as_bytes())
                .expect("write");
            writer.write_all(b"half\n").expect("write");
        }
        let lines = recent_lines();
        assert!(
            lines
                .windows(2)
                .any(|pair| pair[0] == "first line X-Plex-Token=[redacted]"
                    && pair[1] == "second half"),
            "{lines:?}"
        );
        {
            let mut writer = RedactingWriter::new(recent_lines_writer());
            for n in 0..RECENT_LINES {
                writer
                    .write_all(format!("filler {n}\n").as_bytes())
                    .expect("write");
            }
            writer.write_all(b"tail without newline").expect("write");
        }
        let lines = recent_lines();
        assert_eq!(lines.len(), RECENT_LINES);
        assert_eq!(
            lines.last().map(String::as_str),
            Some("tail without newline")
        );
        assert!(lines.iter().all(|line| !line.contains(secret)));
    }
}
