//! Log output for hosts. Every line goes through the redaction writer, so no formatter,
//! library or panic message can write a token, whatever it logs.

use std::path::Path;

use plexdl_redact::RedactingWriter;
use tracing_subscriber::EnvFilter;

/// Installs the global log subscriber writing to stderr at `filter` (such as `info` or
/// `plexdl_core=debug`). Returns false if a subscriber was already installed.
pub fn install_stderr(filter: &str) -> bool {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(|| RedactingWriter::new(std::io::stderr()))
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
        .with_writer(move || RedactingWriter::new(file.clone()))
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
