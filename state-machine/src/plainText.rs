//! Text from a server shown where invisible characters do harm. A title may carry terminal
//! escape sequences (ESC [ ... that move the cursor, rewrite earlier lines or set the window
//! title) and bidirectional controls (U+202E turns `Film[U+202E]vkm.exe` into what reads as
//! `Filmexe.mkv`, the trick of CVE-2021-42574, "Trojan Source"). Both are removed before
//! such text reaches a terminal or becomes a file name.

use std::borrow::Cow;

/// The bidirectional formatting characters of Unicode (UAX #9): embeddings, overrides,
/// isolates and the implicit marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Whether a character is one that must not pass: a control character (C0, DEL, C1) or a
/// bidirectional control.
pub fn is_hidden_control(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Server text made safe for a terminal line: every control character (escape sequences
/// included, whose ESC is one) and every bidirectional control becomes a space.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_hidden_control) {
        Cow::Owned(
            text.chars()
                .map(|c| if is_hidden_control(c) { ' ' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bidi_controls_do_not_reach_the_terminal() {
        assert_eq!(for_terminal("Plain title (2008)"), "Plain title (2008)");
        let hostile = "Film\u{1b}]0;owned\u{7}\u{1b}[2J\r\u{9b}31m\u{202e}vkm.exe";
        let shown = for_terminal(hostile);
        assert!(
            !shown.chars().any(|c| c.is_control() || is_bidi_control(c)),
            "{shown:?}"
        );
        assert!(
            shown.starts_with("Film ") && shown.ends_with("vkm.exe"),
            "{shown:?}"
        );
    }
}
