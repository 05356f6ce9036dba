//! The one error type of the Plex client. Each variant names a failure the user and the
//! scheduler can act on, carries what is needed to explain it, and says whether trying again
//! can help. No variant ever carries a token: paths and body excerpts are redacted when the
//! error is built.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What the UI and the scheduler act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    Unauthorized,
    SignInExpired,
    DownloadsNotAllowed,
    Forbidden,
    NotFound,
    ServerOverloaded,
    TranscodeRefused,
    Unreachable,
    ConnectionLost,
    Tls,
    Timeout,
    RateLimited,
    BadResponse,
    TokenStorage,
}

/// What the user can do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NextAction {
    /// Try again (now or after the wait the error names).
    Retry,
    /// Sign in to Plex again.
    SignIn,
    /// Ask the server owner (a permission or setting on the server).
    AskServerOwner,
    /// Choose another quality or item.
    ChooseAnother,
    /// Check the network or the server's address.
    CheckConnection,
    /// Nothing the user can do; report it.
    Report,
}

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
    /// The kind the UI and scheduler act on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            PlexError::Unauthorized { .. } => ErrorKind::Unauthorized,
            PlexError::SignInExpired => ErrorKind::SignInExpired,
            PlexError::DownloadsNotAllowed { .. } => ErrorKind::DownloadsNotAllowed,
            PlexError::Forbidden { .. } => ErrorKind::Forbidden,
            PlexError::NotFound { .. } => ErrorKind::NotFound,
            PlexError::ServerOverloaded { .. } => ErrorKind::ServerOverloaded,
            PlexError::TranscodeRefused { .. } => ErrorKind::TranscodeRefused,
            PlexError::Unreachable { .. } => ErrorKind::Unreachable,
            PlexError::ConnectionLost { .. } => ErrorKind::ConnectionLost,
            PlexError::Tls { .. } => ErrorKind::Tls,
            PlexError::Timeout { .. } => ErrorKind::Timeout,
            PlexError::RateLimited { .. } => ErrorKind::RateLimited,
            PlexError::BadResponse { .. } => ErrorKind::BadResponse,
            PlexError::TokenStorage { .. } => ErrorKind::TokenStorage,
        }
    }

    /// Whether trying the same thing again later can succeed.
    pub fn retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::ServerOverloaded
                | ErrorKind::Unreachable
                | ErrorKind::ConnectionLost
                | ErrorKind::Timeout
                | ErrorKind::RateLimited
        )
    }

    /// The wait the server asked for (Retry-After), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            PlexError::ServerOverloaded { retry_after, .. }
            | PlexError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// What the user can do.
    pub fn next_action(&self) -> NextAction {
        match self.kind() {
            ErrorKind::Unauthorized | ErrorKind::SignInExpired | ErrorKind::TokenStorage => {
                NextAction::SignIn
            }
            ErrorKind::DownloadsNotAllowed | ErrorKind::Forbidden => NextAction::AskServerOwner,
            ErrorKind::NotFound | ErrorKind::TranscodeRefused => NextAction::ChooseAnother,
            ErrorKind::Unreachable | ErrorKind::Tls => NextAction::CheckConnection,
            ErrorKind::ServerOverloaded
            | ErrorKind::ConnectionLost
            | ErrorKind::Timeout
            | ErrorKind::RateLimited => NextAction::Retry,
            ErrorKind::BadResponse => NextAction::Report,
        }
    }

    /// A plain sentence for the user: what happened and what to do.
    pub fn user_message(&self) -> String {
        let wait = |retry_after: &Option<Duration>| match retry_after {
            Some(wait) if wait.as_secs() > 0 => {
                format!(" The server asked to wait {} seconds.", wait.as_secs())
            }
            _ => String::new(),
        };
        match self {
            PlexError::Unauthorized { .. } => {
                "Plex did not accept the saved sign-in. Sign in again to continue.".to_string()
            }
            PlexError::SignInExpired => {
                "The sign-in code expired before it was confirmed. Start the sign-in again.".to_string()
            }
            PlexError::DownloadsNotAllowed { .. } => {
                "The server does not allow downloads for your account. Ask the server owner to allow downloads \
                 (Plex Pass and the download setting)."
                    .to_string()
            }
            PlexError::Forbidden { .. } => {
                "The server refused access to this item. Ask the server owner to check your permissions.".to_string()
            }
            PlexError::NotFound { .. } => {
                "The item is no longer on the server (it was removed or replaced). Choose it again from the library."
                    .to_string()
            }
            PlexError::ServerOverloaded { retry_after, .. } => {
                format!("The server is busy and cannot handle this now. It will be tried again.{}", wait(retry_after))
            }
            PlexError::TranscodeRefused { code, text } => format!(
                "The server refused to convert this item ({text}, code {code}). Choose another quality, or Original."
            ),
            PlexError::Unreachable { .. } => {
                "None of the server's addresses answered. Check that the server is on and that this device has a \
                 network connection."
                    .to_string()
            }
            PlexError::ConnectionLost { .. } => {
                "The connection to the server broke. It will be tried again.".to_string()
            }
            PlexError::Tls { .. } => {
                "A secure connection to the server could not be made (certificate or encryption problem). Check the \
                 server's address and its secure connection setting."
                    .to_string()
            }
            PlexError::Timeout { .. } => {
                "The server did not answer in time. It will be tried again.".to_string()
            }
            PlexError::RateLimited { retry_after, .. } => {
                format!("Plex asked to slow down (too many requests). It will be tried again later.{}", wait(retry_after))
            }
            PlexError::BadResponse { .. } => {
                "The server sent an answer this app cannot read. If this keeps happening, report it with the \
                 diagnostics."
                    .to_string()
            }
            PlexError::TokenStorage { .. } => {
                "The saved sign-in could not be read or written on this device. Sign in again.".to_string()
            }
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = serde_json::to_value(self)
            .ok()
            .and_then(|value| value.as_str().map(str::to_string));
        formatter.write_str(name.as_deref().unwrap_or("unknown"))
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
            let _ = error.next_action();
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
                ErrorKind::ServerOverloaded,
                ErrorKind::Unreachable,
                ErrorKind::ConnectionLost,
                ErrorKind::Timeout,
                ErrorKind::RateLimited
            ]
        );
        assert_eq!(errors[5].retry_after(), Some(Duration::from_secs(5)));
        assert!(errors[5].user_message().contains("wait 5 seconds"));
        assert_eq!(
            ErrorKind::DownloadsNotAllowed.to_string(),
            "downloadsNotAllowed"
        );
    }
}
