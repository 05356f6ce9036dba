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

/// `println!` for text that may hold server data.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        println!("{}", $crate::terminal::clean(&format!($($arg)*)))
    };
}

/// `eprintln!` for text that may hold server data.
#[macro_export]
macro_rules! complain {
    ($($arg:tt)*) => {
        eprintln!("{}", $crate::terminal::clean(&format!($($arg)*)))
    };
}

#[cfg(test)]
mod tests {
    use super::clean;

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
