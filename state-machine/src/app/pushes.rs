//! What hosts push to the UI without being asked: the download snapshots and the sign-in
//! state, each sent when it changed since the last push to that UI. The desktop sends them
//! as server-sent events; Android hands them to the WebView's message channel.

use plexdl_protocol::{PinInfo, Push, PushEvent, SignInState, VERSION};

use super::App;

impl App {
    /// The sign-in state as the UI sees it.
    pub fn sign_in_state(&self) -> SignInState {
        let signed_in = self.account.saved_token().ok().flatten().is_some();
        let pin = self.pending_pin().map(|pin| PinInfo {
            id: pin.id,
            code: pin.code,
            auth_url: pin.auth_url,
            expires_at: pin.expires_at,
        });
        SignInState {
            signed_in,
            username: None,
            pin,
        }
    }
}

fn push_text(event: PushEvent, data: serde_json::Value) -> String {
    serde_json::to_string(&Push {
        v: VERSION,
        event,
        data,
    })
    .unwrap_or_default()
}

/// Remembers what one UI was last sent, so only changes are pushed.
#[derive(Debug, Default)]
pub struct PushTracker {
    last_downloads: String,
    last_sign_in: String,
}

impl PushTracker {
    /// A tracker for a UI that has been sent nothing yet.
    pub fn new() -> PushTracker {
        PushTracker::default()
    }

    /// The next push if something changed, as its event and its JSON text: the downloads
    /// first, then the sign-in state. `None` when the UI is up to date. When the downloads
    /// cannot be read, nothing is pushed for them (the UI keeps what it has) and the
    /// failure is logged.
    pub fn next(&mut self, app: &App) -> Option<(PushEvent, String)> {
        match app.download_snapshots() {
            Ok(snapshots) => {
                let downloads = push_text(
                    PushEvent::Downloads,
                    serde_json::to_value(&snapshots).unwrap_or_default(),
                );
                if downloads != self.last_downloads {
                    self.last_downloads = downloads.clone();
                    return Some((PushEvent::Downloads, downloads));
                }
            }
            Err(error) => {
                let public = error.public();
                crate::logging::failure(public.kind, &public.message, "downloads not pushed");
            }
        }
        let sign_in = push_text(
            PushEvent::SignIn,
            serde_json::to_value(app.sign_in_state()).unwrap_or_default(),
        );
        if sign_in != self.last_sign_in {
            self.last_sign_in = sign_in.clone();
            return Some((PushEvent::SignIn, sign_in));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::AppSettings;

    #[test]
    fn each_state_is_pushed_once_until_it_changes() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let app = App::open(AppSettings::new(dir.path())).expect("app");
        let mut tracker = PushTracker::new();
        let (event, first) = tracker.next(&app).expect("the downloads, at first");
        assert_eq!(event, PushEvent::Downloads);
        assert!(first.contains(r#""event":"downloads""#), "{first}");
        let (event, second) = tracker.next(&app).expect("the sign-in state, at first");
        assert_eq!(event, PushEvent::SignIn);
        assert!(second.contains(r#""event":"signIn""#), "{second}");
        assert_eq!(tracker.next(&app), None, "nothing changed");
        let mut other = PushTracker::new();
        assert!(other.next(&app).is_some(), "each UI has its own tracker");
    }
}
