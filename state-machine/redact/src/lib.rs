//! Redaction of Plex tokens and other secrets.
//!
//! Plex accepts its token as the `X-Plex-Token` header or as a query string argument, and
//! plex.tv returns tokens in JSON as `authToken` (PIN sign-in, user) and `accessToken`
//! (per-server token in the resources list). Any of these can end up in a log line, an error
//! message or a panic message. Every piece of text that leaves the process goes through one of
//! the functions here first:
//!
//! - [`redact_text`] for free text, log lines and URLs;
//! - [`redact_header`] for one HTTP header;
//! - [`redact_json`] for a parsed JSON document.
//!
//! Two mechanisms work together. Values that follow a known key name (`X-Plex-Token=...`,
//! `"authToken": "..."`, `X-Plex-Token: ...`) are replaced wherever the key appears, in any
//! letter case, including URL-encoded and backslash-escaped forms. And every token value the
//! program learns at run time is registered with [`register_secret`], so it is replaced even
//! where no key name announces it (for example inside a string built by another library).

use std::borrow::Cow;
use std::sync::RwLock;

use serde_json::Value;

/// The text that stands in place of a removed secret.
pub const REDACTED: &str = "[redacted]";

/// Key names (compared in lower case) whose values are secrets in text, URLs and JSON.
const SECRET_KEYS: [&str; 3] = ["x-plex-token", "authtoken", "accesstoken"];

/// Extra JSON object keys (compared in lower case) whose values are always secrets.
const SECRET_JSON_KEYS: [&str; 2] = ["token", "password"];

/// Header names (compared in lower case) whose whole value is a secret.
const SECRET_HEADERS: [&str; 5] = [
    "x-plex-token",
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Secrets shorter than this are not registered: replacing every occurrence of a very short
/// string would mangle ordinary text without protecting anything real.
pub const MIN_SECRET_LEN: usize = 6;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Registers a secret value so that [`redact_text`] removes it wherever it appears.
///
/// Call this as soon as a token is read from storage, received from plex.tv or typed in.
/// Registering the same value twice is harmless. Values shorter than [`MIN_SECRET_LEN`]
/// characters are ignored and `false` is returned.
pub fn register_secret(secret: &str) -> bool {
    let secret = secret.trim();
    if secret.len() < MIN_SECRET_LEN {
        return false;
    }
    let mut secrets = SECRETS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !secrets.iter().any(|known| known == secret) {
        secrets.push(secret.to_string());
        // Longest first, so that a secret containing another one is removed whole.
        secrets.sort_by_key(|known| std::cmp::Reverse(known.len()));
    }
    true
}

/// Forgets a secret registered earlier (after sign-out, for example).
pub fn forget_secret(secret: &str) {
    let mut secrets = SECRETS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    secrets.retain(|known| known != secret.trim());
}

/// Removes secrets from free text: log lines, error messages, URLs, header dumps, JSON text.
///
/// Returns the input unchanged (borrowed) when there is nothing to remove.
pub fn redact_text(input: &str) -> Cow<'_, str> {
    let named = redact_named_values(input);
    let secrets = SECRETS
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if secrets
        .iter()
        .all(|secret| !named.contains(secret.as_str()))
    {
        return named;
    }
    let mut text = named.into_owned();
    for secret in secrets.iter() {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), REDACTED);
        }
    }
    Cow::Owned(text)
}

/// Removes secrets from one HTTP header. Token, authorization and cookie headers lose their
/// whole value; any other header is treated as free text.
pub fn redact_header<'a>(name: &str, value: &'a str) -> Cow<'a, str> {
    let lower = name.to_ascii_lowercase();
    if SECRET_HEADERS.contains(&lower.as_str()) {
        Cow::Borrowed(REDACTED)
    } else {
        redact_text(value)
    }
}

/// Removes secrets from a JSON document in place: values of secret keys are replaced, and
/// every other string is passed through [`redact_text`].
pub fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if is_secret_json_key(key) && !child.is_null() {
                    *child = Value::String(REDACTED.to_string());
                } else {
                    redact_json(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        Value::String(text) => {
            if let Cow::Owned(clean) = redact_text(text) {
                *text = clean;
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Parses `text` as JSON, redacts it, and prints it back; text that is not JSON is treated as
/// free text.
pub fn redact_json_text(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(mut value) => {
            redact_json(&mut value);
            value.to_string()
        }
        Err(_) => redact_text(text).into_owned(),
    }
}

/// An `io::Write` wrapper that redacts everything written through it. Log formatters write
/// one whole line per call, so each line is redacted as a unit; wrap the log file or stderr in
/// this and no formatter, library or panic message can put a token on disk or on screen.
#[derive(Debug)]
pub struct RedactingWriter<W> {
    inner: W,
}

impl<W> RedactingWriter<W> {
    /// Wraps a writer.
    pub fn new(inner: W) -> Self {
        RedactingWriter { inner }
    }
}

impl<W: std::io::Write> std::io::Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.inner.write_all(redact_text(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn is_secret_json_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    SECRET_KEYS.contains(&lower.as_str()) || SECRET_JSON_KEYS.contains(&lower.as_str())
}

/// Characters that can be part of a token written without quotes (Plex tokens are letters and
/// digits; JSON Web Tokens add `-`, `_` and `.`; base64 adds `+`, `/` and `=`).
fn is_bare_token_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'=')
}

/// Replaces the value that follows each secret key name. The search runs on an ASCII
/// lower-case copy, which has the same byte offsets as the input.
fn redact_named_values(input: &str) -> Cow<'_, str> {
    let lower = input.to_ascii_lowercase();
    let bytes = input.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut search_from = 0;

    while let Some((key_start, key_len)) = find_next_key(&lower, search_from) {
        let key_end = key_start + key_len;
        search_from = key_end;
        let Some((value_start, value_end)) = locate_value(bytes, key_end) else {
            continue;
        };
        let value = &input[value_start..value_end];
        if value.is_empty() || value == "null" || value == REDACTED {
            continue;
        }
        let text = out.get_or_insert_with(|| String::with_capacity(input.len()));
        text.push_str(&input[copied..value_start]);
        text.push_str(REDACTED);
        copied = value_end;
        search_from = value_end;
    }

    match out {
        None => Cow::Borrowed(input),
        Some(mut text) => {
            text.push_str(&input[copied..]);
            Cow::Owned(text)
        }
    }
}

fn find_next_key(lower: &str, from: usize) -> Option<(usize, usize)> {
    SECRET_KEYS
        .iter()
        .filter_map(|key| lower[from..].find(key).map(|at| (from + at, key.len())))
        .min_by_key(|(at, _)| *at)
}

/// After a key name, finds the byte range of its value, or `None` when the key is not
/// followed by a separator (then it is just a word in a sentence).
fn locate_value(bytes: &[u8], key_end: usize) -> Option<(usize, usize)> {
    let mut at = key_end;
    // The closing quote of a quoted key, possibly escaped: "authToken" or \"authToken\".
    if bytes.get(at) == Some(&b'\\') && bytes.get(at + 1) == Some(&b'"') {
        at += 2;
    } else if matches!(bytes.get(at), Some(b'"') | Some(b'\'')) {
        at += 1;
    }
    at = skip_spaces(bytes, at);
    // The separator: '=' or ':' as is, or URL-encoded as %3D or %3A.
    match bytes.get(at) {
        Some(b'=') | Some(b':') => at += 1,
        Some(b'%')
            if bytes.len() >= at + 3
                && bytes[at + 1] == b'3'
                && matches!(bytes[at + 2], b'd' | b'D' | b'a' | b'A') =>
        {
            at += 3
        }
        _ => return None,
    }
    at = skip_spaces(bytes, at);
    // A quoted value: "value", 'value' or \"value\" (inside an escaped JSON string).
    let quote: Option<&[u8]> = if bytes.get(at) == Some(&b'\\') && bytes.get(at + 1) == Some(&b'"')
    {
        at += 2;
        Some(b"\\\"")
    } else if bytes.get(at) == Some(&b'"') {
        at += 1;
        Some(b"\"")
    } else if bytes.get(at) == Some(&b'\'') {
        at += 1;
        Some(b"'")
    } else {
        None
    };
    let start = at;
    match quote {
        Some(closing) => {
            let mut end = start;
            while end < bytes.len() && !bytes[end..].starts_with(closing) {
                // A backslash escapes the next character inside a plain JSON string.
                if closing == b"\"" && bytes[end] == b'\\' {
                    end += 1;
                }
                end += 1;
            }
            Some((start, end.min(bytes.len())))
        }
        None => {
            let mut end = start;
            while end < bytes.len() && is_bare_token_char(bytes[end]) {
                end += 1;
            }
            Some((start, end))
        }
    }
}

fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ') | Some(b'\t')) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_string_token_is_removed_in_any_case() {
        let url = "http://10.0.0.2:32400/library/parts/1/2/file.mkv?download=1&x-plex-token=AbC123xyz&a=b";
        assert_eq!(
            redact_text(url),
            "http://10.0.0.2:32400/library/parts/1/2/file.mkv?download=1&x-plex-token=[redacted]&a=b"
        );
        let url = "/library/sections?X-Plex-Token=AbC123xyz";
        assert_eq!(
            redact_text(url),
            "/library/sections?X-Plex-Token=[redacted]"
        );
    }

    #[test]
    fn url_encoded_token_inside_another_url_is_removed() {
        let url = "/photo/:/transcode?url=%2Flibrary%2Fmetadata%2F1%2Fthumb%3FX-Plex-Token%3DsecretTok9%26w%3D1";
        let clean = redact_text(url);
        assert!(!clean.contains("secretTok9"), "{clean}");
        assert!(clean.contains("X-Plex-Token%3D[redacted]%26w"), "{clean}");
    }

    #[test]
    fn header_line_and_debug_forms_are_removed() {
        assert_eq!(
            redact_text("X-Plex-Token: tok_9z8y7x"),
            "X-Plex-Token: [redacted]"
        );
        assert_eq!(
            redact_text(r#"{"x-plex-token": "tok_9z8y7x", "accept": "application/json"}"#),
            r#"{"x-plex-token": "[redacted]", "accept": "application/json"}"#
        );
    }

    #[test]
    fn json_text_and_escaped_json_are_removed() {
        let body = r#"{"id":1,"authToken":"abcdef123456","accessToken" : "zyx987","name":"Box"}"#;
        assert_eq!(
            redact_text(body),
            r#"{"id":1,"authToken":"[redacted]","accessToken" : "[redacted]","name":"Box"}"#
        );
        let escaped = r#"body was "{\"authToken\":\"abcdef123456\"}""#;
        assert_eq!(
            redact_text(escaped),
            r#"body was "{\"authToken\":\"[redacted]\"}""#
        );
    }

    #[test]
    fn null_tokens_and_plain_words_are_left_alone() {
        let body = r#"{"authToken":null,"newRegistration":null}"#;
        assert!(matches!(redact_text(body), Cow::Borrowed(_)));
        let sentence = "the accessToken field is missing";
        assert_eq!(redact_text(sentence), sentence);
    }

    #[test]
    fn registered_secret_is_removed_without_a_key_name() {
        assert!(register_secret("Zq9RegisteredSecret"));
        let line = "GET https://example.invalid/a/Zq9RegisteredSecret/b failed";
        assert_eq!(
            redact_text(line),
            "GET https://example.invalid/a/[redacted]/b failed"
        );
        forget_secret("Zq9RegisteredSecret");
        assert_eq!(redact_text(line), line);
        assert!(!register_secret("abc"), "too short to register");
    }

    #[test]
    fn header_values_are_removed_by_name() {
        assert_eq!(redact_header("X-Plex-Token", "abc123456"), REDACTED);
        assert_eq!(redact_header("Authorization", "Bearer abc"), REDACTED);
        assert_eq!(
            redact_header("Accept", "application/json"),
            "application/json"
        );
        assert_eq!(
            redact_header("Referer", "/a?X-Plex-Token=abc123"),
            "/a?X-Plex-Token=[redacted]"
        );
    }

    #[test]
    fn json_values_are_removed_by_key_and_inside_strings() {
        let mut doc = json!({
            "authToken": "abcdef123456",
            "devices": [{"accessToken": "srv123456", "name": "Box", "token": 42}],
            "thumb": "/library/metadata/1/thumb?X-Plex-Token=abcdef123456",
            "pending": {"authToken": null}
        });
        redact_json(&mut doc);
        assert_eq!(
            doc,
            json!({
                "authToken": REDACTED,
                "devices": [{"accessToken": REDACTED, "name": "Box", "token": REDACTED}],
                "thumb": "/library/metadata/1/thumb?X-Plex-Token=[redacted]",
                "pending": {"authToken": null}
            })
        );
    }

    #[test]
    fn writer_redacts_each_write() {
        use std::io::Write as _;
        let mut out = RedactingWriter::new(Vec::new());
        out.write_all(b"GET /library/sections?X-Plex-Token=abc1234567 200\n")
            .expect("write to memory");
        assert_eq!(
            String::from_utf8(out.inner).expect("utf8"),
            "GET /library/sections?X-Plex-Token=[redacted] 200\n"
        );
    }

    #[test]
    fn json_text_helper_falls_back_to_free_text() {
        assert_eq!(
            redact_json_text(r#"{"accessToken":"srv123456"}"#),
            r#"{"accessToken":"[redacted]"}"#
        );
        assert_eq!(
            redact_json_text("<html>X-Plex-Token=abc1234</html>"),
            "<html>X-Plex-Token=[redacted]</html>"
        );
    }
}
