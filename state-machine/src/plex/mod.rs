//! The Plex client: plex.tv sign-in and server list, and the calls to a Plex Media Server
//! that browsing and downloading need. One file per concern; one error type
//! ([`PlexError`]) whose kinds the UI and the scheduler act on.

pub mod activity;
pub mod auth;
#[path = "downloadQueue.rs"]
pub mod download_queue;
pub mod error;
pub mod identity;
mod lenient;
pub mod library;
pub mod models;
pub mod permission;
pub mod probe;
pub mod servers;
#[path = "tokenStore.rs"]
pub mod token_store;
pub mod transcode;
pub mod transport;
pub mod watched;

pub use activity::{ServerActivity, SessionSummary};
pub use auth::{PLEX_TV, Pin, PlexAccount, auth_url};
pub use error::{ConnectionFailure, PlexError};
pub use identity::ClientIdentity;
pub use library::{ItemQuery, Page};
pub use models::{Directory, Envelope, MediaContainer, Metadata, MetadataType, Part, Stream};
pub use servers::{ConnectionKind, ConnectionPolicy, PlexServer, ServerConnection, ServerInfo};
pub use token_store::{FileTokenStore, MemoryTokenStore, TokenStore};
pub use transcode::{QualityPreset, TrackRequest, TranscodeDecision, client_profile_extra};
pub use transport::{Transport, TransportSettings};
pub use watched::WatchFacts;
