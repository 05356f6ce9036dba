//! Every failure the user can see, and the one table that says what each means.
//!
//! Each layer of the core (the Plex client, the engine, the manifest, the app's bridge) keeps
//! its own internal error with the details it needs, and turns it into a [`FailureKind`]
//! through one function of its own. Everything else about a kind, whether the scheduler
//! tries again by itself, what the user can do, the plain sentence and the log level, comes
//! from [`FailureKind::info`], the table below, and nowhere else.

use serde::{Deserialize, Serialize};

/// What the user can do about a failure; the UI shows it as a button or a hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// Try again (now, or after the wait the failure names).
    Retry,
    /// Sign in to Plex again.
    SignIn,
    /// Ask the server owner (a permission or setting on the server).
    AskServerOwner,
    /// Choose another quality or item.
    ChooseAnother,
    /// Check the network or the server's address.
    CheckConnection,
    /// Free space on the device.
    FreeSpace,
    /// Check that the download folder's storage is there and can be written.
    CheckStorage,
    /// Nothing the user can do; report it with the diagnostics.
    Report,
    /// The request itself was wrong (a bug in the caller).
    FixRequest,
    /// Nothing to do.
    None,
}

/// How loudly a failure is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

/// A failure the user can see, from any part of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FailureKind {
    // The Plex client.
    Unauthorized,
    SignInExpired,
    DownloadsNotAllowed,
    Forbidden,
    NotFound,
    ServerOverloaded,
    TranscodeRefused,
    /// A library part answered 500: real servers send that when a remote streaming or
    /// conversion limit refuses the file, and trying again does not cure it.
    FileRefused,
    Unreachable,
    ConnectionLost,
    Tls,
    Timeout,
    RateLimited,
    BadResponse,
    TokenStorage,
    /// The server named an address on another scheme, host or port (a redirect, or a key
    /// that is not a path); the token was not sent there.
    ForeignAddress,
    // The engine.
    DiskFull,
    Storage,
    ServerBusy,
    FileChanged,
    WrongRange,
    QueueItemLost,
    VerifyFailed,
    Missing,
    Corrupt,
    Internal,
    /// Another process holds the data folder's runner lock and runs its downloads.
    OtherRunner,
    // The manifest.
    Manifest,
    // The app's bridge.
    BadRequest,
    UnknownMethod,
    UnsupportedVersion,
    TooLarge,
    UnknownServer,
    NoSuchDownload,
    // The hosts.
    NotStarted,
    NotFinished,
    Panic,
    Jni,
    HostUnreachable,
    /// The server has no such image (a host answers HTTP 404).
    #[serde(rename = "http404")]
    ImageNotFound,
    /// The image could not be fetched (a host answers HTTP 502).
    #[serde(rename = "http502")]
    ImageUnavailable,
}

/// What the table says about one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    /// Whether the scheduler tries again by itself (with backoff) after this failure.
    pub retryable: bool,
    /// What the user can do.
    pub action: Action,
    /// The log level of the event that reports it.
    pub level: LogLevel,
    /// What happened and what to do, in plain words, when nothing more specific is known.
    pub sentence: &'static str,
}

const fn row(retryable: bool, action: Action, level: LogLevel, sentence: &'static str) -> KindInfo {
    KindInfo {
        retryable,
        action,
        level,
        sentence,
    }
}

impl FailureKind {
    /// Every kind, in the order of the table.
    pub const ALL: [FailureKind; 41] = [
        FailureKind::Unauthorized,
        FailureKind::SignInExpired,
        FailureKind::DownloadsNotAllowed,
        FailureKind::Forbidden,
        FailureKind::NotFound,
        FailureKind::ServerOverloaded,
        FailureKind::TranscodeRefused,
        FailureKind::FileRefused,
        FailureKind::Unreachable,
        FailureKind::ConnectionLost,
        FailureKind::Tls,
        FailureKind::Timeout,
        FailureKind::RateLimited,
        FailureKind::BadResponse,
        FailureKind::TokenStorage,
        FailureKind::ForeignAddress,
        FailureKind::DiskFull,
        FailureKind::Storage,
        FailureKind::ServerBusy,
        FailureKind::FileChanged,
        FailureKind::WrongRange,
        FailureKind::QueueItemLost,
        FailureKind::VerifyFailed,
        FailureKind::Missing,
        FailureKind::Corrupt,
        FailureKind::Internal,
        FailureKind::OtherRunner,
        FailureKind::Manifest,
        FailureKind::BadRequest,
        FailureKind::UnknownMethod,
        FailureKind::UnsupportedVersion,
        FailureKind::TooLarge,
        FailureKind::UnknownServer,
        FailureKind::NoSuchDownload,
        FailureKind::NotStarted,
        FailureKind::NotFinished,
        FailureKind::Panic,
        FailureKind::Jni,
        FailureKind::HostUnreachable,
        FailureKind::ImageNotFound,
        FailureKind::ImageUnavailable,
    ];

    /// The table: for each kind, whether it is retried by itself, the user's next action,
    /// the log level and the plain sentence.
    pub const fn info(self) -> KindInfo {
        use Action::*;
        use LogLevel::*;
        match self {
            FailureKind::Unauthorized => row(
                false,
                SignIn,
                Warn,
                "Plex did not accept the saved sign-in. Sign in again to continue.",
            ),
            FailureKind::SignInExpired => row(
                false,
                SignIn,
                Info,
                "The sign-in code expired before it was confirmed. Start the sign-in again.",
            ),
            FailureKind::DownloadsNotAllowed => row(
                false,
                AskServerOwner,
                Warn,
                "The server does not allow downloads for your account. Ask the server owner to allow downloads (Plex Pass and the download setting).",
            ),
            FailureKind::Forbidden => row(
                false,
                AskServerOwner,
                Warn,
                "The server refused access to this item. Ask the server owner to check your permissions.",
            ),
            FailureKind::NotFound => row(
                false,
                ChooseAnother,
                Warn,
                "The item is no longer on the server (it was removed or replaced). Choose it again from the library.",
            ),
            FailureKind::ServerOverloaded => row(
                true,
                Retry,
                Info,
                "The server is busy and cannot handle this now. It will be tried again.",
            ),
            FailureKind::TranscodeRefused => row(
                false,
                ChooseAnother,
                Warn,
                "The server refused to convert this item. Choose another quality, or Original.",
            ),
            FailureKind::FileRefused => row(
                false,
                AskServerOwner,
                Warn,
                "The server refused this file. A limit its owner set for remote streaming or conversion is the usual cause: download it on the same network as the server, or ask the owner to raise the limit.",
            ),
            FailureKind::Unreachable => row(
                true,
                CheckConnection,
                Info,
                "None of the server's addresses answered. Check that the server is on and that this device has a network connection.",
            ),
            FailureKind::ConnectionLost => row(
                true,
                Retry,
                Info,
                "The connection to the server broke. It will be tried again.",
            ),
            FailureKind::Tls => row(
                false,
                CheckConnection,
                Warn,
                "A secure connection to the server could not be made (certificate or encryption problem). Check the server's address and its secure connection setting.",
            ),
            FailureKind::Timeout => row(
                true,
                Retry,
                Info,
                "The server did not answer in time. It will be tried again.",
            ),
            FailureKind::RateLimited => row(
                true,
                Retry,
                Info,
                "Plex asked to slow down (too many requests). It will be tried again later.",
            ),
            FailureKind::BadResponse => row(
                false,
                Report,
                Warn,
                "The server sent an answer this app cannot read. If this keeps happening, report it with the diagnostics.",
            ),
            FailureKind::TokenStorage => row(
                false,
                SignIn,
                Error,
                "The saved sign-in could not be read or written on this device. Sign in again.",
            ),
            FailureKind::ForeignAddress => row(
                false,
                CheckConnection,
                Warn,
                "The server sent this app to an address on another host or port. Your sign-in was not sent there; check the server's address and its proxy settings.",
            ),
            FailureKind::DiskFull => row(
                true,
                FreeSpace,
                Warn,
                "The device is out of space. The part already downloaded is kept; free some space and the download continues.",
            ),
            FailureKind::Storage => row(
                false,
                CheckStorage,
                Error,
                "The download folder could not be read or written. Check that its storage is present and can be written, then try again.",
            ),
            FailureKind::ServerBusy => row(
                true,
                Retry,
                Info,
                "The server is already converting for someone else. The download waits until it is free.",
            ),
            FailureKind::FileChanged => row(
                true,
                Retry,
                Info,
                "The file on the server is not the one the library listed; the library is read again before the next try.",
            ),
            FailureKind::WrongRange => row(
                true,
                Retry,
                Warn,
                "The server keeps answering with the wrong part of the file. It will be tried again.",
            ),
            FailureKind::QueueItemLost => row(
                true,
                Retry,
                Info,
                "The server no longer has this item in its download queue. It is prepared again.",
            ),
            FailureKind::VerifyFailed => row(
                true,
                Retry,
                Warn,
                "The finished file did not have the expected size. It is downloaded again.",
            ),
            FailureKind::Missing => row(
                false,
                Retry,
                Warn,
                "The downloaded file is no longer on this device (it was deleted or its storage was removed). Download it again.",
            ),
            FailureKind::Corrupt => row(
                false,
                Retry,
                Warn,
                "The downloaded file is damaged: its size or its content is not what was downloaded. Download it again.",
            ),
            FailureKind::Internal => row(
                true,
                Report,
                Error,
                "Something went wrong inside the app. It will be tried again; if it keeps happening, report it with the diagnostics.",
            ),
            FailureKind::OtherRunner => row(
                false,
                None,
                Info,
                "Another plexdl process runs the downloads of this data folder. Commands given here reach it within 2 seconds; to run downloads here instead, stop that process first.",
            ),
            FailureKind::Manifest => row(
                false,
                Report,
                Error,
                "The list of downloads could not be read or written. Report it with the diagnostics.",
            ),
            FailureKind::BadRequest => row(false, FixRequest, Info, "The request was not valid."),
            FailureKind::UnknownMethod => row(
                false,
                FixRequest,
                Warn,
                "The request named a method this app does not have.",
            ),
            FailureKind::UnsupportedVersion => row(
                false,
                FixRequest,
                Warn,
                "The request uses a bridge version this app does not speak.",
            ),
            FailureKind::TooLarge => row(false, FixRequest, Warn, "The request is too large."),
            FailureKind::UnknownServer => row(
                false,
                CheckConnection,
                Info,
                "The server is not connected. Connect to it first.",
            ),
            FailureKind::NoSuchDownload => {
                row(false, FixRequest, Info, "There is no such download.")
            }
            FailureKind::NotStarted => row(
                false,
                Report,
                Error,
                "The app's background part was not started.",
            ),
            FailureKind::NotFinished => {
                row(false, None, Info, "The download has not finished yet.")
            }
            FailureKind::Panic => row(
                false,
                Report,
                Error,
                "Something went wrong inside the app. Report it with the diagnostics.",
            ),
            FailureKind::Jni => row(
                false,
                Report,
                Error,
                "The app could not pass a value between its parts. Report it with the diagnostics.",
            ),
            FailureKind::HostUnreachable => row(
                true,
                Retry,
                Warn,
                "The app could not reach its own background part. Try again.",
            ),
            FailureKind::ImageNotFound => row(false, None, Debug, "The server has no such image."),
            FailureKind::ImageUnavailable => row(
                true,
                None,
                Info,
                "The image could not be fetched from the server.",
            ),
        }
    }

    /// Whether the scheduler tries again by itself.
    pub const fn retryable(self) -> bool {
        self.info().retryable
    }

    /// What the user can do.
    pub const fn action(self) -> Action {
        self.info().action
    }

    /// The plain sentence.
    pub const fn sentence(self) -> &'static str {
        self.info().sentence
    }

    /// Whether the failure is the server's queue item itself (a refused conversion, or an
    /// item the queue lost): a retry then needs a new item, not the old one again.
    pub const fn is_queue_item_failure(self) -> bool {
        matches!(
            self,
            FailureKind::TranscodeRefused
                | FailureKind::DownloadsNotAllowed
                | FailureKind::QueueItemLost
        )
    }

    /// The log level.
    pub const fn level(self) -> LogLevel {
        self.info().level
    }

    /// The name on the wire and in the manifest (`diskFull`, `http404`, ...).
    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// The kind with this name, if there is one.
    pub fn from_name(name: &str) -> Option<FailureKind> {
        NAMES
            .iter()
            .position(|known| *known == name)
            .map(|index| FailureKind::ALL[index])
    }
}

/// The wire names, in the order of [`FailureKind::ALL`] (a test checks them against serde).
const NAMES: [&str; 41] = [
    "unauthorized",
    "signInExpired",
    "downloadsNotAllowed",
    "forbidden",
    "notFound",
    "serverOverloaded",
    "transcodeRefused",
    "fileRefused",
    "unreachable",
    "connectionLost",
    "tls",
    "timeout",
    "rateLimited",
    "badResponse",
    "tokenStorage",
    "foreignAddress",
    "diskFull",
    "storage",
    "serverBusy",
    "fileChanged",
    "wrongRange",
    "queueItemLost",
    "verifyFailed",
    "missing",
    "corrupt",
    "internal",
    "otherRunner",
    "manifest",
    "badRequest",
    "unknownMethod",
    "unsupportedVersion",
    "tooLarge",
    "unknownServer",
    "noSuchDownload",
    "notStarted",
    "notFinished",
    "panic",
    "jni",
    "hostUnreachable",
    "http404",
    "http502",
];

impl std::fmt::Display for FailureKind {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

/// Compares with a stored name, so tests and logs can say `status == "completed"`.
impl PartialEq<&str> for FailureKind {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_sentence_an_action_and_its_serde_name() {
        let mut seen = std::collections::HashSet::new();
        for (index, kind) in FailureKind::ALL.iter().enumerate() {
            assert_eq!(*kind as usize, index, "ALL is in declaration order");
            assert!(seen.insert(*kind), "{kind} listed twice");
            let info = kind.info();
            assert!(
                info.sentence.ends_with('.') && info.sentence.len() > 15,
                "{kind}: {}",
                info.sentence
            );
            assert_eq!(
                serde_json::to_value(kind).expect("serializes"),
                serde_json::Value::String(kind.name().to_string())
            );
            assert_eq!(FailureKind::from_name(kind.name()), Some(*kind));
            let parsed: FailureKind =
                serde_json::from_value(serde_json::json!(kind.name())).expect("parses");
            assert_eq!(parsed, *kind);
        }
        assert_eq!(FailureKind::from_name("nonsense"), None);
    }

    #[test]
    fn the_scheduler_retries_only_what_can_pass_by_itself() {
        let retried: Vec<&str> = FailureKind::ALL
            .iter()
            .filter(|kind| kind.retryable())
            .map(|kind| kind.name())
            .collect();
        assert_eq!(
            retried,
            [
                "serverOverloaded",
                "unreachable",
                "connectionLost",
                "timeout",
                "rateLimited",
                "diskFull",
                "serverBusy",
                "fileChanged",
                "wrongRange",
                "queueItemLost",
                "verifyFailed",
                "internal",
                "hostUnreachable",
                "http502"
            ]
        );
        assert_eq!(FailureKind::DiskFull.action(), Action::FreeSpace);
        assert_eq!(FailureKind::Storage.action(), Action::CheckStorage);
        assert_eq!(FailureKind::Unauthorized.action(), Action::SignIn);
        assert_eq!(FailureKind::Missing.action(), Action::Retry);
    }
}
