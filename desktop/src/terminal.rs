//! Everything plexdl prints goes through [`say!`] or [`complain!`], which remove what a
//! server could hide in a title or a message: escape sequences (their ESC, and every other
//! control character, becomes a space) and bidirectional controls. Only the line breaks of
//! the text itself are kept. JSON output needs nothing more: serde_json writes control
//! characters inside strings as `\u` escapes.

/// `text` with every control character except `\n`, and every bidirectional control,
/// replaced by a space.
pub fn clean(text: &str) -> String {
    text.split('\n')
        .map(|line| plexdl_core::plain_text::for_terminal(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes `text` and a line break to `out`; a failed write (the reader is gone) is dropped.
pub fn write_line(mut out: impl std::io::Write, text: &str) {
    let _ = writeln!(out, "{}", clean(text));
}

/// `println!` for text that may hold server data, which never panics.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::terminal::write_line(std::io::stdout().lock(), &format!($($arg)*))
    };
}

/// `eprintln!` for text that may hold server data, which never panics.
#[macro_export]
macro_rules! complain {
    ($($arg:tt)*) => {
        $crate::terminal::write_line(std::io::stderr().lock(), &format!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::{clean, write_line};

    /// A writer whose reader has gone, as stdout after its pipe closed.
    struct Gone;

    impl std::io::Write for Gone {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
    }

    #[test]
    fn a_closed_output_is_no_failure() {
        write_line(
            Gone,
            "The other process ended; this one runs the downloads now.",
        );
        let mut kept = Vec::new();
        write_line(&mut kept, "a\u{1b}b");
        assert_eq!(kept, b"a b\n");
    }

    #[test]
    fn line_breaks_stay_and_escapes_go() {
        let title = "Film\u{1b}[2J\u{1b}]0;owned\u{7}\r\u{202e}vkm.exe";
        let shown = clean(&format!("Downloaded:\n  {title}"));
        assert_eq!(shown.lines().count(), 2, "{shown:?}");
        assert!(
            !shown
                .chars()
                .any(|c| (c.is_control() && c != '\n')
                    || plexdl_core::plain_text::is_bidi_control(c)),
            "{shown:?}"
        );
    }
}
