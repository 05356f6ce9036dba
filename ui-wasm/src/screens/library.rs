//! The items of one library: a poster grid with sort, title filter and "show more" paging.
//! With an item chosen, its detail shows beside the grid on a tablet and instead of it on a
//! phone.

use leptos::prelude::*;
use leptos::task::spawn_local;
use plexdl_protocol::methods::{LibraryItems, LibrarySections};
use plexdl_protocol::{ErrorBody, ItemSummary, ItemsParams, ServerRef};

use crate::bridge_client;
use crate::routes::Route;
use crate::screens::item_detail::ItemDetail;
use crate::store::use_store;
use crate::widgets::{ErrorBox, Loading, Poster};

/// Items asked for at a time.
const PAGE: u64 = 30;

/// The sort orders offered, as (Plex sort key, label).
const SORTS: [(&str, &str); 3] = [
    ("titleSort", "Title"),
    ("addedAt:desc", "Recently added"),
    ("year:desc", "Newest first"),
];

/// The Library items screen.
#[component]
pub fn Library(server: String, section: String) -> impl IntoView {
    let store = use_store();
    let selected = Memo::new(move |_| match store.route.get() {
        Route::Library { item, .. } => item,
        _ => None,
    });
    let items = RwSignal::new(Vec::<ItemSummary>::new());
    let total = RwSignal::new(None::<u64>);
    let error = RwSignal::new(None::<ErrorBody>);
    let loading = RwSignal::new(false);
    let sort = RwSignal::new(SORTS[0].0.to_string());
    let filter = RwSignal::new(String::new());
    // Each new search gets a number; answers to older ones are dropped.
    let generation = StoredValue::new(0u64);

    let load = {
        let server = server.clone();
        let section = section.clone();
        move |more: bool| {
            let start = if more {
                items.get_untracked().len() as u64
            } else {
                0
            };
            if !more {
                generation.update_value(|g| *g += 1);
            }
            let mine = generation.get_value();
            loading.set(true);
            error.set(None);
            let title = filter.get_untracked().trim().to_string();
            let params = ItemsParams {
                server_id: server.clone(),
                section_key: section.clone(),
                start,
                size: PAGE,
                sort: Some(sort.get_untracked()),
                title: if title.is_empty() { None } else { Some(title) },
            };
            spawn_local(async move {
                let answer = bridge_client::call::<LibraryItems>(params).await;
                if generation.try_get_value() != Some(mine) {
                    return;
                }
                match answer {
                    Ok(page) => {
                        let _ = total.try_set(Some(page.total));
                        let _ = items.try_update(|list| {
                            if !more {
                                list.clear();
                            }
                            list.extend(page.items);
                        });
                    }
                    Err(failure) => {
                        let _ = error.try_set(Some(failure));
                    }
                }
                let _ = loading.try_set(false);
            });
        }
    };
    load(false);

    // The library's name for the heading (the list of sections is small and cached by
    // nobody, so it is simply asked for again).
    let heading = RwSignal::new("Library".to_string());
    {
        let params = ServerRef {
            server_id: server.clone(),
        };
        let section = section.clone();
        spawn_local(async move {
            if let Ok(sections) = bridge_client::call::<LibrarySections>(params).await
                && let Some(found) = sections.into_iter().find(|s| s.key == section)
            {
                let _ = heading.try_set(found.title);
            }
        });
    }

    let on_filter = {
        let load = load.clone();
        move |text: String| {
            filter.set(text.clone());
            let load = load.clone();
            // Wait for a pause in typing before asking the server.
            spawn_local(async move {
                bridge_client::sleep(350).await;
                if filter.try_get_untracked().as_deref() == Some(text.as_str()) {
                    load(false);
                }
            });
        }
    };
    let on_sort = {
        let load = load.clone();
        move |value: String| {
            sort.set(value);
            load(false);
        }
    };
    let load_more = load.clone();
    let retry = load.clone();
    let server_for_grid = server.clone();
    let section_for_grid = section.clone();

    view! {
        <div class="split" class:has-detail=move || selected.get().is_some()>
            <section class="list-pane">
                <header class="heading">
                    <button class="back" aria-label="Back" on:click=|_| bridge_client::back()>"Back"</button>
                    <h1>{move || heading.get()}</h1>
                </header>
                <div class="filters">
                    <label class="field">
                        <span>"Find by title"</span>
                        <input type="search" placeholder="Title"
                            prop:value=move || filter.get()
                            on:input=move |ev| on_filter(event_target_value(&ev))/>
                    </label>
                    <label class="field">
                        <span>"Sort by"</span>
                        <select on:change=move |ev| on_sort(event_target_value(&ev))>
                            {SORTS.iter().map(|(key, label)| view! {
                                <option value=*key selected=move || sort.get() == *key>{*label}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                {move || total.get().map(|count| view! {
                    <p class="count">{format!("{count} items")}</p>
                })}
                <ul class="grid">
                    <For
                        each=move || items.get()
                        key=|item| item.rating_key.clone()
                        children={
                            let server = server_for_grid.clone();
                            let section = section_for_grid.clone();
                            move |item: ItemSummary| {
                                let target = Route::Library {
                                    server: server.clone(),
                                    section: section.clone(),
                                    item: Some(item.rating_key.clone()),
                                };
                                let key = item.rating_key.clone();
                                let label = match item.year {
                                    Some(year) => format!("{} ({year})", item.title),
                                    None => item.title.clone(),
                                };
                                view! {
                                    <li>
                                        <a class="tile" href=format!("#{}", target.hash())
                                            class:chosen=move || selected.get().as_deref() == Some(key.as_str())>
                                            <Poster server=server.clone() path=item.thumb.clone() alt=label.clone()/>
                                            <span class="tile-title">{label}</span>
                                        </a>
                                    </li>
                                }
                            }
                        }
                    />
                </ul>
                {move || error.get().map(|failure| {
                    let retry = retry.clone();
                    view! { <ErrorBox error=failure on_retry=Callback::new(move |_| retry(false))/> }
                })}
                <Show when=move || loading.get()>
                    <Loading what="items"/>
                </Show>
                <Show when=move || {
                    !loading.get() && total.get().is_some_and(|t| (items.get().len() as u64) < t)
                }>
                    {
                        let load_more = load_more.clone();
                        view! {
                            <button class="button" on:click=move |_| load_more(true)>"Show more"</button>
                        }
                    }
                </Show>
                <Show when=move || !loading.get() && total.get() == Some(0)>
                    <p class="empty-state">"Nothing matches."</p>
                </Show>
            </section>
            <section class="detail-pane">
                {move || selected.get().map(|key| view! {
                    <ItemDetail server=server.clone() rating_key=key/>
                })}
            </section>
        </div>
    }
}
