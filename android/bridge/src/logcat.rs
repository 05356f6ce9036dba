//! A log writer for Android's logcat (tag `plexdl`). Each whole line becomes one log entry
//! at the level its text starts with; the text was redacted before it got here.

// Writing to logcat is a C call.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io::Write;

use android_log_sys::{__android_log_write, LogPriority};

/// Collects text and writes each line to logcat.
#[derive(Debug, Default)]
pub struct LogcatWriter {
    pending: Vec<u8>,
}

fn priority(line: &str) -> LogPriority {
    if line.contains(" ERROR ") {
        LogPriority::ERROR
    } else if line.contains(" WARN ") {
        LogPriority::WARN
    } else if line.contains(" DEBUG ") || line.contains(" TRACE ") {
        LogPriority::DEBUG
    } else {
        LogPriority::INFO
    }
}

fn write_line(line: &[u8]) {
    let text = String::from_utf8_lossy(line).replace('\0', " ");
    let (Ok(tag), Ok(message)) = (CString::new("plexdl"), CString::new(text.trim_end())) else {
        return;
    };
    // SAFETY: both pointers are valid NUL-terminated strings for the length of the call.
    unsafe {
        __android_log_write(priority(&text) as i32, tag.as_ptr(), message.as_ptr());
    }
}

impl Write for LogcatWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(end) = self.pending.iter().position(|byte| *byte == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            write_line(&line[..end]);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogcatWriter {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            write_line(&self.pending);
        }
    }
}
