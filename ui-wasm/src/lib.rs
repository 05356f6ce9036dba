//! The PlexDownloader screens: sign in, browse a server, queue downloads and watch them.
//!
//! A Leptos app rendered in the browser (client side only). It knows nothing of Android or
//! the desktop: everything goes through the bridge protocol (`plexdl-protocol`), carried by
//! [`bridge_client`], the one module that touches `window`. The same build runs in the
//! Android WebView and in the browser that `plexdl ui` serves.

#[path = "bridgeClient.rs"]
pub mod bridge_client;
pub mod format;
pub mod routes;
pub mod screens;
pub mod store;
pub mod widgets;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use routes::Route;
use store::Store;

/// The whole app: the navigation bar and the screen the address names.
#[component]
pub fn App() -> impl IntoView {
    let store = Store::start();
    provide_context(store);
    let tab = move || store.route.get().tab();
    // The screen to build: the chosen item is left out, so choosing one keeps the library
    // grid (its items, paging and scroll) and only its detail pane changes.
    let screen = Memo::new(move |_| match store.route.get() {
        Route::Library {
            server, section, ..
        } => Route::Library {
            server,
            section,
            item: None,
        },
        other => other,
    });
    let tab_link = move |name: &'static str, label: &'static str, target: Route| {
        view! {
            <a
                class="tab"
                class:current=move || tab() == name
                href=format!("#{}", target.hash())
                aria-current=move || if tab() == name { "page" } else { "false" }
            >
                {label}
            </a>
        }
    };
    view! {
        <div class="app">
            <nav class="tabs" aria-label="Main">
                {tab_link("browse", "Library", Route::Servers)}
                {tab_link("downloads", "Downloads", Route::Downloads)}
                {tab_link("settings", "Settings", Route::Settings)}
            </nav>
            <Show when=move || store.notice.get().is_some()>
                <div class="notice" role="status">
                    <span>{move || store.notice.get().unwrap_or_default()}</span>
                    <button class="plain" on:click=move |_| store.notice.set(None)>"Dismiss"</button>
                </div>
            </Show>
            <main class="screen">
                {move || match screen.get() {
                    Route::SignIn => view! { <screens::sign_in::SignIn/> }.into_any(),
                    Route::Servers => view! { <screens::servers::Servers/> }.into_any(),
                    Route::Sections { server } => {
                        view! { <screens::servers::Sections server=server/> }.into_any()
                    }
                    Route::Library { server, section, .. } => {
                        view! { <screens::library::Library server=server section=section/> }
                            .into_any()
                    }
                    Route::Downloads => view! { <screens::downloads::Downloads/> }.into_any(),
                    Route::Settings => view! { <screens::settings::Settings/> }.into_any(),
                    Route::Diagnostics => {
                        view! { <screens::diagnostics::Diagnostics/> }.into_any()
                    }
                }}
            </main>
        </div>
    }
}

/// The entry point the generated JavaScript calls.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    bridge_client::start();
    leptos::mount::mount_to_body(App);
}
