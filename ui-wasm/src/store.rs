//! What every screen shares: the current screen, sign-in, the servers, the downloads (kept
//! up to date by pushed events) and a speed meter per download.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use plexdl_protocol::methods::{DownloadsList, NoParams, ServersList, SignInStatus};
use plexdl_protocol::{DownloadSnapshot, PushEvent, ServerSummary, SignInState};

use crate::bridge_client;
use crate::format::SpeedMeter;
use crate::routes::Route;

/// How long a notice stays, in milliseconds.
const NOTICE_MS: i32 = 8000;

/// The shared state, handed to screens through the Leptos context.
#[derive(Debug, Clone, Copy)]
pub struct Store {
    pub route: RwSignal<Route>,
    pub sign_in: RwSignal<Option<SignInState>>,
    pub servers: RwSignal<Vec<ServerSummary>>,
    pub downloads: RwSignal<Vec<DownloadSnapshot>>,
    pub meters: RwSignal<HashMap<i64, SpeedMeter>>,
    /// A short message at the top of the screen ("2 downloads queued").
    pub notice: RwSignal<Option<String>>,
    /// Counts notices and tab changes, so that an old notice's timer does not hide a newer one.
    notice_age: StoredValue<u64>,
    /// The screen a notice is about, when it is about one ("Choose a server" is about the
    /// server list): leaving that screen means the user did what it asked, and it goes.
    notice_screen: StoredValue<Option<Route>>,
}

/// The store of the running app.
pub fn use_store() -> Store {
    expect_context::<Store>()
}

impl Store {
    /// A store on `route` with nothing loaded and nothing listening (components under test
    /// get their state from it directly).
    pub fn new(route: Route) -> Store {
        Store {
            route: RwSignal::new(route),
            sign_in: RwSignal::new(None),
            servers: RwSignal::new(Vec::new()),
            downloads: RwSignal::new(Vec::new()),
            meters: RwSignal::new(HashMap::new()),
            notice: RwSignal::new(None),
            notice_age: StoredValue::new(0),
            notice_screen: StoredValue::new(None),
        }
    }

    /// Creates the store, listens for pushes and address changes, and reads the first state.
    pub fn start() -> Store {
        let initial = Route::parse(&bridge_client::current_hash());
        let store = Store::new(initial.clone().unwrap_or(Route::Servers));
        bridge_client::on_hash_change(move |hash| {
            if let Some(route) = Route::parse(&hash) {
                // A notice belongs to the tab it was shown on: moving to another tab
                // dismisses it (moving within a tab, as sign-in does, keeps it). A notice
                // about one screen goes as soon as that screen is left.
                if store.notice_outlived(&store.route.get_untracked(), &route) {
                    store.dismiss_notice();
                }
                store.route.set(route);
            }
        });
        bridge_client::on_push(move |push| match push.event {
            PushEvent::Downloads => {
                if let Ok(list) = serde_json::from_value::<Vec<DownloadSnapshot>>(push.data.clone())
                {
                    store.set_downloads(list);
                }
            }
            PushEvent::SignIn => {
                if let Ok(state) = serde_json::from_value::<SignInState>(push.data.clone()) {
                    store.sign_in.set(Some(state));
                }
            }
        });
        spawn_local(async move {
            let sign_in = bridge_client::call::<SignInStatus>(NoParams {}).await;
            store.refresh_servers().await;
            store.refresh_downloads().await;
            let signed_in = sign_in.as_ref().is_ok_and(|state| state.signed_in);
            if let Ok(state) = sign_in {
                store.sign_in.set(Some(state));
            }
            // With no address, start where the user can do something.
            if initial.is_none() {
                let servers = store.servers.get_untracked();
                let start = match servers.as_slice() {
                    [] if !signed_in => Route::SignIn,
                    [only] => Route::Sections {
                        server: only.id.clone(),
                    },
                    _ => Route::Servers,
                };
                bridge_client::go(&start.hash());
            }
        });
        store
    }

    /// Reads the servers again.
    pub async fn refresh_servers(self) {
        if let Ok(servers) = bridge_client::call::<ServersList>(NoParams {}).await {
            self.servers.set(servers);
        }
    }

    /// Reads the downloads again (pushes keep them current in between).
    pub async fn refresh_downloads(self) {
        if let Ok(list) = bridge_client::call::<DownloadsList>(NoParams {}).await {
            self.set_downloads(list);
        }
    }

    /// Takes a new list of downloads and updates each one's speed meter.
    pub fn set_downloads(self, list: Vec<DownloadSnapshot>) {
        let now = bridge_client::now_ms();
        self.meters.update(|meters| {
            meters.retain(|id, _| list.iter().any(|d| d.id == *id));
            for download in &list {
                meters
                    .entry(download.id)
                    .and_modify(|meter| meter.add(download.bytes_done, now))
                    .or_insert_with(|| SpeedMeter::new(download.bytes_done, now));
            }
        });
        self.downloads.set(list);
    }

    /// Replaces one download in the list (from an answer to pause, resume, ...).
    pub fn put_download(self, snapshot: DownloadSnapshot) {
        self.downloads
            .update(|list| match list.iter_mut().find(|d| d.id == snapshot.id) {
                Some(existing) => *existing = snapshot,
                None => list.push(snapshot),
            });
    }

    /// Shows a short message at the top for a few seconds, or until the user moves to
    /// another tab.
    pub fn tell(self, message: impl Into<String>) {
        self.notice_screen.set_value(None);
        self.show_notice(message.into());
    }

    /// Shows a message about `screen` (what to do there): it goes when the user leaves
    /// that screen, when the few seconds are over, or when another notice comes.
    pub fn tell_on(self, screen: Route, message: impl Into<String>) {
        self.notice_screen.set_value(Some(screen));
        self.show_notice(message.into());
    }

    /// Whether a move from `from` to `to` ends the notice shown now.
    pub fn notice_outlived(self, from: &Route, to: &Route) -> bool {
        match self.notice_screen.get_value() {
            Some(screen) => *to != screen,
            None => from.tab() != to.tab(),
        }
    }

    /// Takes the notice away now.
    pub fn dismiss_notice(self) {
        self.notice_age.update_value(|age| *age += 1);
        self.notice_screen.set_value(None);
        self.notice.set(None);
    }

    fn show_notice(self, message: String) {
        self.notice_age.update_value(|age| *age += 1);
        let mine = self.notice_age.get_value();
        self.notice.set(Some(message));
        spawn_local(async move {
            bridge_client::sleep(NOTICE_MS).await;
            if self.notice_age.try_get_value() == Some(mine) {
                let _ = self.notice.try_set(None);
            }
        });
    }
}
