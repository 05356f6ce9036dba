//! Log output for hosts. Every line goes through the redaction writer, so no formatter,
//! library or panic message can write a token, whatever it logs.

use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use plexdl_redact::RedactingWriter;
use tracing_subscriber::EnvFilter;

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

/// The most recent log lines, oldest first. They were redacted before they were kept.
pub fn recent_lines() -> Vec<String> {
    RECENT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .iter()
        .cloned()
        .collect()
}

/// A writer that passes text on and also keeps each whole line in the recent-lines ring.
/// Placed inside a [`RedactingWriter`], it only ever sees redacted text.
#[derive(Debug)]
pub struct RememberingWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> RememberingWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        RememberingWriter {
            inner,
            pending: Vec::new(),
        }
    }
}

impl<W: Write> Write for RememberingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write_all(buf)?;
        self.pending.extend_from_slice(buf);
        while let Some(end) = self.pending.iter().position(|byte| *byte == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            remember(String::from_utf8_lossy(&line[..end]).trim_end());
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Drop for RememberingWriter<W> {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            remember(String::from_utf8_lossy(&self.pending).trim_end());
        }
    }
}

/// Installs the global log subscriber writing to stderr at `filter` (such as `info` or
/// `plexdl_core=debug`). Returns false if a subscriber was already installed.
pub fn install_stderr(filter: &str) -> bool {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(|| RedactingWriter::new(RememberingWriter::new(std::io::stderr())))
        .with_ansi(false)
        .try_init()
        .is_ok()
}

/// Installs the global log subscriber appending to a file. Returns an error if the file
/// cannot be opened; false if a subscriber was already installed.
pub fn install_file(filter: &str, path: &Path) -> std::io::Result<bool> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let file = std::sync::Arc::new(file);
    Ok(tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(move || RedactingWriter::new(RememberingWriter::new(file.clone())))
        .with_ansi(false)
        .try_init()
        .is_ok())
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
        let mut out = Vec::new();
        {
            let mut writer = RedactingWriter::new(RememberingWriter::new(&mut out));
            writer
                .write_all(format!("first line X-Plex-Token={secret}\nsecond ").as_bytes())
                .expect("write");
            writer.write_all(b"half\n").expect("write");
            for n in 0..RECENT_LINES {
                writer
                    .write_all(format!("filler {n}\n").as_bytes())
                    .expect("write");
            }
            writer.write_all(b"tail without newline").expect("write");
        }
        let lines = recent_lines();
        assert!(lines.len() <= RECENT_LINES);
        assert_eq!(
            lines.last().map(String::as_str),
            Some("tail without newline")
        );
        assert!(lines.iter().all(|line| !line.contains(secret)));
        let written = String::from_utf8(out).expect("utf-8");
        assert!(!written.contains(secret));
        assert!(written.starts_with("first line X-Plex-Token=[redacted]\nsecond half\n"));
    }
}
