//! The one error type of the Plex client. Each variant names a failure the user and the
//! scheduler can act on and carries what is needed to explain it. [`PlexError::kind`] is the
//! client's one mapping to the public [`FailureKind`]; whether trying again can help, the
//! user's next action and the log level come from that kind's row in the protocol's table.
//! No variant ever carries a token: paths and body excerpts are redacted when the error is
//! built.

use std::time::Duration;

use plexdl_protocol::{Action, FailureKind};
use serde::{Deserialize, Serialize};

/// One failed attempt to reach a server address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionFailure {
    /// The address tried (tokens removed).
    pub uri: String,
    /// Why it failed, in plain words.
    pub reason: String,
}

/// A failure of a call to plex.tv or a Plex Media Server.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlexError {
    #[error("{path}: the token was refused (HTTP 401)")]
    Unauthorized { path: String },
    #[error("the sign-in code expired before it was linked")]
    SignInExpired,
    #[error("{path}: the server does not allow downloads for this account ({detail})")]
    DownloadsNotAllowed { path: String, detail: String },
    /// Found before any download starts: the server, the library or the item says this
    /// account may not download (`allowSync`, or no download feature in `/media/providers`).
    #[error("{path}: this account may not download here ({reason})")]
    NoDownloadPermission { path: String, reason: String },
    #[error("{path}: the server refused access (HTTP 403)")]
    Forbidden { path: String },
    #[error("{path}: not found on the server (HTTP 404)")]
    NotFound { path: String },
    #[error("{path}: the server is overloaded (HTTP {status})")]
    ServerOverloaded {
        path: String,
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("the server refused to convert the item: {text} (code {code})")]
    TranscodeRefused { code: u64, text: String },
    #[error("{path}: the server refused the file (HTTP 500)")]
    FileRefused { path: String },
    #[error("no address of the server answered: {}", describe_failures(.attempts))]
    Unreachable { attempts: Vec<ConnectionFailure> },
    #[error("{path}: the connection broke: {reason}")]
    ConnectionLost { path: String, reason: String },
    #[error("{path}: secure connection failed: {reason}")]
    Tls { path: String, reason: String },
    #[error("{path}: no answer in time ({phase})")]
    Timeout { path: String, phase: String },
    #[error("{path}: too many requests (HTTP 429)")]
    RateLimited {
        path: String,
        retry_after: Option<Duration>,
    },
    #[error(
        "{path}: unexpected answer: expected {expected}, got HTTP {status} {content_type}: {body_start}"
    )]
    BadResponse {
        path: String,
        expected: String,
        status: u16,
        content_type: String,
        body_start: String,
    },
    #[error("the sign-in could not be stored or read: {reason}")]
    TokenStorage { reason: String },
    /// A redirect or a key from the server named another scheme, host or port than the
    /// connection in use; the request was not sent there.
    #[error("{path}: the server named another address ({target}); nothing was sent there")]
    ForeignAddress { path: String, target: String },
}

fn describe_failures(attempts: &[ConnectionFailure]) -> String {
    if attempts.is_empty() {
        return "the server lists no addresses".to_string();
    }
    attempts
        .iter()
        .map(|failure| format!("{} ({})", failure.uri, failure.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

impl PlexError {
    /// The kind the UI and scheduler act on: the client's one mapping to the public kind.
    pub fn kind(&self) -> FailureKind {
        match self {
            PlexError::Unauthorized { .. } => FailureKind::Unauthorized,
            PlexError::SignInExpired => FailureKind::SignInExpired,
            PlexError::DownloadsNotAllowed { .. } | PlexError::NoDownloadPermission { .. } => {
                FailureKind::DownloadsNotAllowed
            }
            PlexError::Forbidden { .. } => FailureKind::Forbidden,
            PlexError::NotFound { .. } => FailureKind::NotFound,
            PlexError::ServerOverloaded { .. } => FailureKind::ServerOverloaded,
            PlexError::TranscodeRefused { .. } => FailureKind::TranscodeRefused,
            PlexError::FileRefused { .. } => FailureKind::FileRefused,
            PlexError::Unreachable { .. } => FailureKind::Unreachable,
            PlexError::ConnectionLost { .. } => FailureKind::ConnectionLost,
            PlexError::Tls { .. } => FailureKind::Tls,
            PlexError::Timeout { .. } => FailureKind::Timeout,
            PlexError::RateLimited { .. } => FailureKind::RateLimited,
            PlexError::BadResponse { .. } => FailureKind::BadResponse,
            PlexError::TokenStorage { .. } => FailureKind::TokenStorage,
            PlexError::ForeignAddress { .. } => FailureKind::ForeignAddress,
        }
    }

    /// Whether trying the same thing again later can succeed (the kind's row in the table).
    pub fn retryable(&self) -> bool {
        self.kind().retryable()
    }

    /// The wait the server asked for (Retry-After), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            PlexError::ServerOverloaded { retry_after, .. }
            | PlexError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// What the user can do (the kind's row in the table).
    pub fn next_action(&self) -> Action {
        self.kind().action()
    }

    /// A plain sentence for the user: what happened and what to do. It is the kind's
    /// sentence from the table, with the details this error knows added where they help.
    pub fn user_message(&self) -> String {
        let sentence = self.kind().sentence();
        let wait = |retry_after: &Option<Duration>| match retry_after {
            Some(wait) if wait.as_secs() > 0 => {
                format!(" The server asked to wait {} seconds.", wait.as_secs())
            }
            _ => String::new(),
        };
        match self {
            PlexError::ServerOverloaded { retry_after, .. }
            | PlexError::RateLimited { retry_after, .. } => {
                format!("{sentence}{}", wait(retry_after))
            }
            // The server's own words for a refused download (decision 2011), where it gave some.
            PlexError::DownloadsNotAllowed { detail, .. } if !detail.trim().is_empty() => {
                format!("{sentence} The server said: {} (code 2011).", detail.trim())
            }
            PlexError::NoDownloadPermission { reason, .. } => {
                format!("{sentence} {reason}")
            }
            // Code 0: the server gave no decision code, only its short error text.
            PlexError::TranscodeRefused { code: 0, text } => {
                format!("{sentence} The server said: {text}.")
            }
            PlexError::TranscodeRefused { code, text } => {
                format!("{sentence} The server said: {text} (code {code}).")
            }
            _ => sentence.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_error() -> Vec<PlexError> {
        let path = "/library/sections".to_string();
        vec![
            PlexError::Unauthorized { path: path.clone() },
            PlexError::SignInExpired,
            PlexError::DownloadsNotAllowed {
                path: path.clone(),
                detail: "decision 2011".into(),
            },
            PlexError::Forbidden { path: path.clone() },
            PlexError::NotFound { path: path.clone() },
            PlexError::ServerOverloaded {
                path: path.clone(),
                status: 503,
                retry_after: Some(Duration::from_secs(5)),
            },
            PlexError::TranscodeRefused {
                code: 4001,
                text: "Codec not supported".into(),
            },
            PlexError::FileRefused { path: path.clone() },
            PlexError::Unreachable {
                attempts: vec![ConnectionFailure {
                    uri: "http://a".into(),
                    reason: "refused".into(),
                }],
            },
            PlexError::ConnectionLost {
                path: path.clone(),
                reason: "reset".into(),
            },
            PlexError::Tls {
                path: path.clone(),
                reason: "bad certificate".into(),
            },
            PlexError::Timeout {
                path: path.clone(),
                phase: "connect".into(),
            },
            PlexError::RateLimited {
                path: path.clone(),
                retry_after: None,
            },
            PlexError::BadResponse {
                path,
                expected: "JSON".into(),
                status: 200,
                content_type: "text/html".into(),
                body_start: "<html>".into(),
            },
            PlexError::TokenStorage {
                reason: "read-only".into(),
            },
            PlexError::ForeignAddress {
                path: "/library/parts/1/2/file.mkv".into(),
                target: "http://192.168.1.9:8080".into(),
            },
        ]
    }

    #[test]
    fn every_kind_has_a_sentence_and_an_action() {
        let errors = every_error();
        let kinds: std::collections::HashSet<_> = errors.iter().map(PlexError::kind).collect();
        assert_eq!(kinds.len(), errors.len(), "one error per kind");
        for error in &errors {
            let message = error.user_message();
            assert!(message.ends_with('.') && message.len() > 30, "{message}");
            assert_eq!(error.next_action(), error.kind().action());
        }
    }

    #[test]
    fn retry_policy_follows_the_kind() {
        let errors = every_error();
        let retryable: Vec<_> = errors
            .iter()
            .filter(|e| e.retryable())
            .map(PlexError::kind)
            .collect();
        assert_eq!(
            retryable,
            [
                FailureKind::ServerOverloaded,
                FailureKind::Unreachable,
                FailureKind::ConnectionLost,
                FailureKind::Timeout,
                FailureKind::RateLimited
            ]
        );
        assert_eq!(errors[5].retry_after(), Some(Duration::from_secs(5)));
        assert!(errors[5].user_message().contains("wait 5 seconds"));
        assert_eq!(
            FailureKind::DownloadsNotAllowed.to_string(),
            "downloadsNotAllowed"
        );
        assert!(
            errors[6]
                .user_message()
                .contains("Codec not supported (code 4001)")
        );
    }

    #[test]
    fn a_missing_permission_names_what_refuses() {
        let error = PlexError::NoDownloadPermission {
            path: "/library/sections".into(),
            reason: "The library TV Shows does not allow downloads for this account.".into(),
        };
        assert_eq!(error.kind(), FailureKind::DownloadsNotAllowed);
        assert!(!error.retryable());
        let message = error.user_message();
        assert!(
            message.starts_with(FailureKind::DownloadsNotAllowed.sentence())
                && message
                    .ends_with("The library TV Shows does not allow downloads for this account."),
            "{message}"
        );
    }
}
