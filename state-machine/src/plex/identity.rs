//! The app's identity towards Plex: one client identifier created once per install and kept,
//! and the standard X-Plex-* headers sent with every request. Plex lists each client
//! identifier as a device in the user's account, so a new identifier on every start would
//! fill that list and can get sign-ins rate limited.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::PlexError;

/// The product name shown in the user's list of authorized devices.
pub const PRODUCT: &str = "PlexDownloader";

/// The client profile asked for on every transcoder and download-queue request. A real
/// server picks the profile from the platform and device otherwise, and has none for a
/// desktop-like identity: every conversion then fails at once with DecisionResult 2004
/// "Could not construct decision request". `Generic` works in exactly this case;
/// `generic` fails (realServerFindings.md section 1, measured on PMS 1.43).
pub const CLIENT_PROFILE_NAME: (&str, &str) = ("X-Plex-Client-Profile-Name", "Generic");

/// Whether a server path is a transcoder or download-queue request, the ones that need
/// [`CLIENT_PROFILE_NAME`].
pub fn needs_client_profile(path: &str) -> bool {
    path.starts_with("/video/:/transcode/") || path.starts_with("/downloadQueue")
}

/// Who is calling: sent as X-Plex-* headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientIdentity {
    pub client_id: String,
    pub product: String,
    pub version: String,
    pub platform: String,
    pub platform_version: String,
    pub device: String,
    pub device_name: String,
}

impl ClientIdentity {
    /// An identity with a given client identifier and this platform's defaults.
    pub fn new(client_id: impl Into<String>) -> ClientIdentity {
        ClientIdentity {
            client_id: client_id.into(),
            product: PRODUCT.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            platform: platform_name().to_string(),
            platform_version: String::new(),
            device: platform_name().to_string(),
            device_name: format!("{PRODUCT} on {}", platform_name()),
        }
    }

    /// Reads the client identifier kept in `file`, or creates one and keeps it there.
    pub fn load_or_create(file: &Path) -> Result<ClientIdentity, PlexError> {
        let storage = |action: &str, error: std::io::Error| PlexError::TokenStorage {
            reason: format!(
                "cannot {action} the client identifier file {}: {error}",
                file.display()
            ),
        };
        match std::fs::read_to_string(file) {
            Ok(text) if is_valid_client_id(text.trim()) => {
                return Ok(ClientIdentity::new(text.trim()));
            }
            Ok(_) => {
                tracing::warn!(file = %file.display(), "client identifier file is damaged; making a new identifier")
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(storage("read", error)),
        }
        let client_id = new_client_id();
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|error| storage("create the folder of", error))?;
        }
        let temporary = file.with_extension("tmp");
        std::fs::write(&temporary, &client_id).map_err(|error| storage("write", error))?;
        std::fs::rename(&temporary, file).map_err(|error| storage("write", error))?;
        tracing::info!(client_id = %client_id, "created a new client identifier");
        Ok(ClientIdentity::new(client_id))
    }

    /// The X-Plex-* headers for every request.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("X-Plex-Client-Identifier", self.client_id.clone()),
            ("X-Plex-Product", self.product.clone()),
            ("X-Plex-Version", self.version.clone()),
            ("X-Plex-Platform", self.platform.clone()),
            ("X-Plex-Device", self.device.clone()),
            ("X-Plex-Device-Name", self.device_name.clone()),
            ("X-Plex-Provides", "controller".to_string()),
        ];
        if !self.platform_version.is_empty() {
            headers.push(("X-Plex-Platform-Version", self.platform_version.clone()));
        }
        headers
    }
}

fn platform_name() -> &'static str {
    match std::env::consts::OS {
        "android" => "Android",
        "linux" => "Linux",
        "macos" => "macOS",
        "windows" => "Windows",
        other => other,
    }
}

fn is_valid_client_id(text: &str) -> bool {
    (16..=64).contains(&text.len()) && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A new random identifier in UUID form.
pub fn new_client_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos())
            .unwrap_or(0)
            ^ u128::from(std::process::id());
        bytes = seed.to_le_bytes();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_is_created_once_and_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("identity").join("clientId");
        let first = ClientIdentity::load_or_create(&file).expect("created");
        let second = ClientIdentity::load_or_create(&file).expect("read back");
        assert_eq!(first.client_id, second.client_id);
        assert_eq!(first.client_id.len(), 36);
        std::fs::write(&file, "x").expect("damage the file");
        let third = ClientIdentity::load_or_create(&file).expect("replaced");
        assert_ne!(third.client_id, first.client_id);
    }

    #[test]
    fn only_transcoder_and_queue_paths_ask_for_the_generic_profile() {
        assert_eq!(CLIENT_PROFILE_NAME.1, "Generic");
        for path in [
            "/video/:/transcode/universal/decision",
            "/video/:/transcode/universal/start.mkv",
            "/downloadQueue",
            "/downloadQueue/3/add",
            "/downloadQueue/3/item/9/media",
        ] {
            assert!(needs_client_profile(path), "{path}");
        }
        for path in [
            "/library/parts/46/1/file.mkv",
            "/identity",
            "/library/metadata/55",
        ] {
            assert!(!needs_client_profile(path), "{path}");
        }
    }

    #[test]
    fn headers_carry_the_identity() {
        let identity = ClientIdentity::new("0123456789abcdef");
        let headers = identity.headers();
        assert!(headers.contains(&("X-Plex-Client-Identifier", "0123456789abcdef".to_string())));
        assert!(
            headers
                .iter()
                .any(|(name, value)| *name == "X-Plex-Product" && value == PRODUCT)
        );
        assert_eq!(new_client_id().len(), 36);
        assert_ne!(new_client_id(), new_client_id());
    }
}
