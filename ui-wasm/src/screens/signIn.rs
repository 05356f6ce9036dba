//! Sign in with a PIN: the app asks plex.tv for a code, the user confirms it on the Plex
//! page, and the app polls until plex.tv says the code was linked.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;
use leptos::task::spawn_local;
use plexdl_protocol::methods::{NoParams, SignInPoll, SignInStart};
use plexdl_protocol::{ErrorBody, PinInfo, PinRef};

use crate::bridge_client;
use crate::routes::Route;
use crate::store::use_store;
use crate::widgets::{ErrorBox, Heading};

/// How often the PIN is checked, in milliseconds.
const POLL_MS: i32 = 2000;

/// The Sign in screen.
#[component]
pub fn SignIn() -> impl IntoView {
    let store = use_store();
    let pin = RwSignal::new(None::<PinInfo>);
    let error = RwSignal::new(None::<ErrorBody>);
    let starting = RwSignal::new(false);
    let alive = Arc::new(AtomicBool::new(true));
    {
        let alive = alive.clone();
        on_cleanup(move || alive.store(false, Ordering::Relaxed));
    }

    let poll_until_linked = move |pin_id: u64, alive: Arc<AtomicBool>| {
        spawn_local(async move {
            loop {
                bridge_client::sleep(POLL_MS).await;
                if !alive.load(Ordering::Relaxed) {
                    return;
                }
                match bridge_client::call::<SignInPoll>(PinRef { pin_id }).await {
                    Ok(state) if state.signed_in => {
                        store.sign_in.set(Some(state));
                        store.refresh_servers().await;
                        store.tell_on(Route::Servers, "Signed in. Choose a server to browse.");
                        bridge_client::go(&Route::Servers.hash());
                        return;
                    }
                    Ok(_) => {}
                    Err(failure) => {
                        let _ = pin.try_set(None);
                        let _ = error.try_set(Some(failure));
                        return;
                    }
                }
            }
        });
    };
    let start = {
        let alive = alive.clone();
        Callback::new(move |()| {
            starting.set(true);
            error.set(None);
            let alive = alive.clone();
            spawn_local(async move {
                match bridge_client::call::<SignInStart>(NoParams {}).await {
                    Ok(new_pin) => {
                        let id = new_pin.id;
                        let _ = pin.try_set(Some(new_pin));
                        poll_until_linked(id, alive);
                    }
                    Err(failure) => {
                        let _ = error.try_set(Some(failure));
                    }
                }
                let _ = starting.try_set(false);
            });
        })
    };
    let signed_in = move || store.sign_in.get().is_some_and(|state| state.signed_in);

    view! {
        <section class="sign-in">
            <Heading title="Sign in to Plex"/>
            <Show
                when=move || !signed_in()
                fallback=|| view! {
                    <p>"You are signed in."</p>
                    <a class="button" href=format!("#{}", Route::Servers.hash())>"Show my servers"</a>
                }
            >
                <p class="explain">
                    "PlexDownloader signs in through the Plex website: you sign in there and allow this app, "
                    "and it never sees your password."
                </p>
                {
                    move || match pin.get() {
                        None => {
                            view! {
                                <button class="button primary" disabled=move || starting.get()
                                    on:click=move |_| start.run(())>
                                    {move || if starting.get() { "Asking Plex for a code..." } else { "Get a sign-in code" }}
                                </button>
                            }.into_any()
                        }
                        // The link carries the code (REFERENCE.md 1.2: the auth page takes
                        // `code` in its fragment), so the link is the one thing to do; the
                        // long code is there to compare, folded away, not to type.
                        Some(current) => view! {
                            <div class="pin">
                                <a class="button primary sign-in-link" href=current.auth_url.clone() target="_blank" rel="noopener">
                                    "Open the Plex sign-in page"
                                </a>
                                <p class="explain">
                                    "Sign in there and allow PlexDownloader. The page already knows this app's code: "
                                    "there is nothing to type."
                                </p>
                                <p class="waiting" role="status">"Waiting for you to confirm on the Plex page..."</p>
                                {current.expires_at.as_deref().and_then(bridge_client::local_time).map(|at| view! {
                                    <p class="hint">{format!("The link works until {at}.")}</p>
                                })}
                                <details class="pin-details">
                                    <summary>"The code the page will show"</summary>
                                    <p class="pin-code" aria-label="Sign-in code">{current.code.clone()}</p>
                                </details>
                            </div>
                        }.into_any(),
                    }
                }
                {move || error.get().map(|failure| {
                    view! { <ErrorBox error=failure on_retry=start/> }
                })}
            </Show>
        </section>
    }
}
