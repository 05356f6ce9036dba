//! Signing in to plex.tv with a PIN (strong code, linked in the browser at app.plex.tv),
//! checking a token, and signing out.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

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
    /// When the PIN stops working, on this device's monotonic clock: from `expiresIn` when
    /// plex.tv sends it (immune to a wrong device clock), else from `expiresAt`. plex.tv's
    /// answer to a poll after expiry is not documented, so the expiry is checked here
    /// (realServerFindings.md section 5).
    pub valid_until: Option<Instant>,
}

impl Pin {
    /// Whether the PIN has expired by its own times.
    pub fn has_expired(&self) -> bool {
        self.valid_until
            .is_some_and(|until| Instant::now() >= until)
    }
}

/// The monotonic instant a PIN received now stops working.
fn valid_until(expires_in: Option<u64>, expires_at: Option<&str>) -> Option<Instant> {
    let now = Instant::now();
    if let Some(seconds) = expires_in {
        return Some(now + Duration::from_secs(seconds));
    }
    let at = parse_utc(expires_at?)?;
    Some(match at.duration_since(SystemTime::now()) {
        Ok(left) => now + left,
        Err(_) => now,
    })
}

/// Parses `YYYY-MM-DDTHH:MM:SS` with an optional fraction and a `Z` or `+00:00` zone, as
/// plex.tv writes `expiresAt`; anything else is `None`.
fn parse_utc(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let body = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix("+00:00"))?;
    let (date, time) = body.split_once('T')?;
    let mut date = date.split('-').map(|part| part.parse::<i64>().ok());
    let (year, month, day) = (date.next()??, date.next()??, date.next()??);
    let time = time.split('.').next()?;
    let mut time = time.split(':').map(|part| part.parse::<i64>().ok());
    let (hour, minute, second) = (time.next()??, time.next()??, time.next()??);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    let seconds = u64::try_from(seconds).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds))
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
            valid_until: valid_until(document.expires_in, document.expires_at.as_deref()),
            expires_at: document.expires_at,
            expires_in: document.expires_in,
        })
    }

    /// Polls a PIN once. Returns the token (already saved) once the user confirmed it,
    /// `None` while waiting, and `SignInExpired` when the PIN is gone: by its own expiry
    /// time (then nothing is asked), or when plex.tv no longer knows it.
    pub async fn poll_sign_in(&self, pin: &Pin) -> Result<Option<String>, PlexError> {
        if pin.has_expired() {
            tracing::info!(pin_id = pin.id, "the PIN expired; a new sign-in is needed");
            return Err(PlexError::SignInExpired);
        }
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

    #[test]
    fn expiry_times_are_read_as_plex_tv_writes_them() {
        let at = |text| {
            parse_utc(text).map(|time| {
                time.duration_since(SystemTime::UNIX_EPOCH)
                    .expect("after 1970")
                    .as_secs()
            })
        };
        assert_eq!(at("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(at("2026-12-01T21:20:05Z"), Some(1_796_160_005));
        assert_eq!(at("2026-12-01T21:20:05.123Z"), Some(1_796_160_005));
        assert_eq!(at("2026-12-01T21:20:05+00:00"), Some(1_796_160_005));
        assert_eq!(at("2000-02-29T12:00:00Z"), Some(951_825_600));
        assert_eq!(at("2026-13-01T00:00:00Z"), None);
        assert_eq!(at("2026-12-01T21:20:05+01:00"), None, "only UTC is read");
        assert_eq!(at("soon"), None);
    }

    #[test]
    fn a_pin_expires_by_expires_in_before_expires_at() {
        // A past expiresAt (a device clock that is ahead) does not win over expiresIn.
        let relative = valid_until(Some(900), Some("1970-01-01T00:00:10Z")).expect("time");
        assert!(relative > Instant::now() + Duration::from_secs(890));
        let past = valid_until(None, Some("1970-01-01T00:00:10Z")).expect("time");
        assert!(past <= Instant::now());
        assert_eq!(valid_until(None, Some("not a time")), None);
        assert_eq!(valid_until(None, None), None);
    }
}
