//! A log writer for Android's logcat (tag `plexdl`). Each whole line becomes one log entry
//! at the level its text names; the text was redacted before it got here.

// Writing to logcat is a C call.
#![allow(unsafe_code)]

use plexdl_core::logging::LineWriter;
use std::ffi::CString;

use android_log_sys::{__android_log_write, LogPriority};

/// A writer that sends each line to logcat.
pub fn logcat_writer() -> LineWriter<fn(&str)> {
    LineWriter::new(write_line)
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

fn write_line(line: &str) {
    let text = line.replace('\0', " ");
    let (Ok(tag), Ok(message)) = (CString::new("plexdl"), CString::new(text.trim_end())) else {
        return;
    };
    // SAFETY: both pointers are valid NUL-terminated strings for the length of the call.
    unsafe {
        __android_log_write(priority(&text) as i32, tag.as_ptr(), message.as_ptr());
    }
}
