//! The Servers screen (every server of the account, the address in use and whether it
//! answers) and the Libraries screen (the sections of one server).

use leptos::prelude::*;
use leptos::task::spawn_local;
use plexdl_protocol::methods::LibrarySections;
use plexdl_protocol::{ErrorBody, SectionSummary, ServerRef};

use crate::bridge_client;
use crate::routes::Route;
use crate::store::use_store;
use crate::widgets::{ErrorBox, Heading, Loading};

/// The Servers screen.
#[component]
pub fn Servers() -> impl IntoView {
    let store = use_store();
    let refreshing = RwSignal::new(false);
    let refresh = move || {
        refreshing.set(true);
        spawn_local(async move {
            store.refresh_servers().await;
            let _ = refreshing.try_set(false);
        });
    };
    view! {
        <section class="servers">
            <Heading title="Servers"/>
            {move || {
                let servers = store.servers.get();
                if servers.is_empty() {
                    return view! {
                        <div class="empty-state">
                            <p>"No server yet. Sign in to see the servers of your Plex account."</p>
                            <a class="button primary" href=format!("#{}", Route::SignIn.hash())>"Sign in"</a>
                        </div>
                    }.into_any();
                }
                view! {
                    <ul class="rows">
                        {servers.into_iter().map(|server| {
                            let target = Route::Sections { server: server.id.clone() }.hash();
                            view! {
                                <li>
                                    <a class="row" href=format!("#{target}")>
                                        <span class="row-title">{server.name.clone()}</span>
                                        <span class="row-detail">
                                            {server.connection.clone().unwrap_or_else(|| "No address answered".to_string())}
                                        </span>
                                        <span class="badge" class:bad=!server.reachable>
                                            {if server.reachable { "Reachable" } else { "Not reachable" }}
                                        </span>
                                    </a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <button class="button" disabled=move || refreshing.get() on:click=move |_| refresh()>
                {move || if refreshing.get() { "Checking the servers..." } else { "Check the servers again" }}
            </button>
        </section>
    }
}

/// The Libraries screen of one server.
#[component]
pub fn Sections(server: String) -> impl IntoView {
    let store = use_store();
    let sections = RwSignal::new(None::<Result<Vec<SectionSummary>, ErrorBody>>);
    let load = {
        let server = server.clone();
        move || {
            sections.set(None);
            let server = server.clone();
            spawn_local(async move {
                let answer =
                    bridge_client::call::<LibrarySections>(ServerRef { server_id: server }).await;
                let _ = sections.try_set(Some(answer));
            });
        }
    };
    load();
    let name = {
        let server = server.clone();
        move || {
            store
                .servers
                .get()
                .into_iter()
                .find(|s| s.id == server)
                .map(|s| s.name)
                .unwrap_or_else(|| "Libraries".to_string())
        }
    };
    view! {
        <section class="sections">
            <Heading title=name() back=true/>
            {move || match sections.get() {
                None => view! { <Loading what="the libraries"/> }.into_any(),
                Some(Err(failure)) => {
                    let load = load.clone();
                    view! { <ErrorBox error=failure on_retry=Callback::new(move |_| load())/> }.into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="empty-state">"This server shares no library with you."</p> }.into_any()
                }
                Some(Ok(list)) => view! {
                    <ul class="rows">
                        {list.into_iter().map(|section| {
                            let target = Route::Library {
                                server: server.clone(),
                                section: section.key.clone(),
                                item: None,
                            };
                            view! {
                                <li>
                                    <a class="row" href=format!("#{}", target.hash())>
                                        <span class="row-title">{section.title.clone()}</span>
                                        <span class="row-detail">{kind_words(&section.kind)}</span>
                                    </a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

fn kind_words(kind: &str) -> &'static str {
    match kind {
        "movie" => "Movies",
        "show" => "TV shows",
        "artist" => "Music",
        "photo" => "Photos",
        _ => "Other videos",
    }
}
