//! Signing in to plex.tv with a PIN (strong code, linked in the browser at app.plex.tv),
//! checking a token, and signing out.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;

use super::error::PlexError;
use super::models::{PinDocument, UserDocument};
use super::token_store::TokenStore;
use super::transport::{Call, Transport};

/// plex.tv's address.
pub const PLEX_TV: &str = "https://plex.tv";

/// The page where the user confirms a PIN.
pub const AUTH_APP: &str = "https://app.plex.tv/auth#?";

/// A PIN waiting to be linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub id: u64,
    pub code: String,
    /// When the PIN stops working (ISO 8601, as plex.tv sends it).
    pub expires_at: Option<String>,
    /// Seconds the PIN is valid for, from its creation.
    pub expires_in: Option<u64>,
    /// The page the user opens to confirm the sign-in.
    pub auth_url: String,
}

/// The plex.tv account: sign-in, token check, sign-out, and the server list.
#[derive(Debug, Clone)]
pub struct PlexAccount {
    pub(crate) transport: Transport,
    pub(crate) plex_tv: String,
    store: Arc<dyn TokenStore>,
}

/// Builds the app.plex.tv link for a PIN code.
pub fn auth_url(client_id: &str, code: &str, product: &str) -> String {
    let encode =
        |value: &str| form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>();
    format!(
        "{AUTH_APP}clientID={}&code={}&context%5Bdevice%5D%5Bproduct%5D={}",
        encode(client_id),
        encode(code),
        encode(product)
    )
}

impl PlexAccount {
    /// An account client talking to `plex_tv` (normally [`PLEX_TV`]).
    pub fn new(
        transport: Transport,
        plex_tv: impl Into<String>,
        store: Arc<dyn TokenStore>,
    ) -> PlexAccount {
        PlexAccount {
            transport,
            plex_tv: plex_tv.into(),
            store,
        }
    }

    /// Creates a strong PIN and the link the user opens to confirm it.
    pub async fn start_sign_in(&self) -> Result<Pin, PlexError> {
        let call = Call::new(Method::POST, &self.plex_tv, "/api/v2/pins").arg("strong", "true");
        let document: PinDocument = self.transport.json(&call).await?;
        let (Some(id), Some(code)) = (document.id, document.code.clone()) else {
            return Err(PlexError::BadResponse {
                path: "/api/v2/pins".to_string(),
                expected: "a PIN with an id and a code".to_string(),
                status: 201,
                content_type: "application/json".to_string(),
                body_start: String::new(),
            });
        };
        let identity = self.transport.identity();
        tracing::info!(pin_id = id, "sign-in started");
        Ok(Pin {
            id,
            auth_url: auth_url(&identity.client_id, &code, &identity.product),
            code,
            expires_at: document.expires_at,
            expires_in: document.expires_in,
        })
    }

    /// Polls a PIN once. Returns the token (already saved) once the user confirmed it,
    /// `None` while waiting, and `SignInExpired` when the PIN is gone.
    pub async fn poll_sign_in(&self, pin: &Pin) -> Result<Option<String>, PlexError> {
        let path = format!("/api/v2/pins/{}", pin.id);
        let document: PinDocument =
            match self.transport.json(&Call::get(&self.plex_tv, &path)).await {
                Ok(document) => document,
                Err(PlexError::NotFound { .. }) => return Err(PlexError::SignInExpired),
                Err(other) => return Err(other),
            };
        match document.auth_token.filter(|token| !token.is_empty()) {
            Some(token) => {
                plexdl_redact::register_secret(&token);
                self.store.save(&token)?;
                tracing::info!(pin_id = pin.id, "sign-in confirmed");
                Ok(Some(token))
            }
            None => Ok(None),
        }
    }

    /// Polls every `interval` until the PIN is linked (the token, saved) or expired.
    pub async fn wait_for_sign_in(
        &self,
        pin: &Pin,
        interval: Duration,
    ) -> Result<String, PlexError> {
        loop {
            if let Some(token) = self.poll_sign_in(pin).await? {
                return Ok(token);
            }
            tokio::time::sleep(interval).await;
        }
    }

    /// Checks a token with plex.tv: the account on success, `Unauthorized` when plex.tv
    /// refuses it. Any other failure says nothing about the token.
    pub async fn check_token(&self, token: &str) -> Result<UserDocument, PlexError> {
        plexdl_redact::register_secret(token);
        self.transport
            .json(&Call::get(&self.plex_tv, "/api/v2/user").token(Some(token)))
            .await
    }

    /// The saved token, if signed in.
    pub fn saved_token(&self) -> Result<Option<String>, PlexError> {
        let token = self.store.load()?;
        if let Some(token) = &token {
            plexdl_redact::register_secret(token);
        }
        Ok(token)
    }

    /// The saved token, or `Unauthorized` when not signed in.
    pub fn require_token(&self) -> Result<String, PlexError> {
        self.saved_token()?.ok_or(PlexError::Unauthorized {
            path: "(not signed in)".to_string(),
        })
    }

    /// Forgets the saved token.
    pub fn sign_out(&self) -> Result<(), PlexError> {
        if let Some(token) = self.store.load()? {
            plexdl_redact::forget_secret(&token);
        }
        self.store.clear()?;
        tracing::info!("signed out");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_link_has_the_documented_form() {
        let link = auth_url("7f3c2a9e-51d4", "q8v2lx7kd0n4", "Plex Downloader");
        assert_eq!(
            link,
            "https://app.plex.tv/auth#?clientID=7f3c2a9e-51d4&code=q8v2lx7kd0n4&context%5Bdevice%5D%5Bproduct%5D=Plex+Downloader"
        );
    }
}
