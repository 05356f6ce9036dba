//! The Downloads screen, read from the manifest only: each download's phase in plain words,
//! progress, speed and time left, why it waits, and its error with the action for it.
//! Pause, resume, cancel, retry and delete. Episodes are grouped under their show.

use leptos::prelude::*;
use leptos::task::spawn_local;
use plexdl_protocol::{Action, DownloadSnapshot, ErrorBody};
use serde_json::json;

use crate::bridge_client;
use crate::format;
use crate::routes::Route;
use crate::store::{Store, use_store};
use crate::widgets::Heading;

/// Sends a download command and puts the answer into the list.
fn command(store: Store, method: &'static str, id: i64, failed: RwSignal<Option<ErrorBody>>) {
    spawn_local(async move {
        match method {
            "downloads.remove" => match bridge_client::request(method, json!({"id": id})).await {
                Ok(_) => {
                    store.downloads.update(|list| list.retain(|d| d.id != id));
                    store.tell("The download and its file were deleted.");
                }
                Err(failure) => {
                    let _ = failed.try_set(Some(failure));
                }
            },
            _ => match bridge_client::call::<DownloadSnapshot>(method, json!({"id": id})).await {
                Ok(snapshot) => store.put_download(snapshot),
                Err(failure) => {
                    let _ = failed.try_set(Some(failure));
                }
            },
        }
    });
}

/// One download.
#[component]
pub fn DownloadCard(download: DownloadSnapshot) -> impl IntoView {
    let store = use_store();
    let id = download.id;
    let failed = RwSignal::new(None::<ErrorBody>);
    let confirm_delete = RwSignal::new(false);
    let current = Memo::new(move |_| store.downloads.get().into_iter().find(|d| d.id == id));
    let status = move || current.get().map(|d| d.status).unwrap_or_default();
    let run = move |method: &'static str| {
        failed.set(None);
        command(store, method, id, failed);
    };
    let on_action = move |action: Action| match action {
        Action::SignIn => bridge_client::go(&Route::SignIn.hash()),
        _ => bridge_client::go(&Route::Diagnostics.hash()),
    };
    let details = move || {
        let snapshot = current.get()?;
        let meter = store.meters.get().get(&snapshot.id).copied();
        let mut lines = Vec::new();
        let wake = snapshot.next_wake_at.map(bridge_client::time_of_day);
        if let Some(reason) = format::waiting_reason(&snapshot, wake) {
            lines.push(reason);
        }
        if format::is_moving(&snapshot)
            && let Some(meter) = meter
            && meter.bytes_per_second > 0.0
        {
            let mut line = format::speed(meter.bytes_per_second);
            if let Some(left) = snapshot
                .bytes_total
                .map(|total| total.saturating_sub(snapshot.bytes_done))
                .and_then(|remaining| meter.seconds_left(remaining))
            {
                line.push_str(&format!(", {} left", format::duration_left(left)));
            }
            lines.push(line);
        }
        Some(lines.join(" "))
    };

    view! {
        <li class="download" data-status=status>
            {move || current.get().map(|d| {
                let percent = format::percent(&d);
                let error = d.error_message.clone().map(|message| {
                    let action = d.action.unwrap_or(Action::Retry);
                    view! {
                        <div class="error" role="alert" data-kind=d.error_kind.clone().unwrap_or_default()>
                            <p class="error-message">{message}</p>
                            <p class="hint">{format::action_hint(action)}</p>
                            {format::error_has_button(action).then(|| view! {
                                <button class="button" on:click=move |_| on_action(action)>
                                    {format::action_label(action)}
                                </button>
                            })}
                        </div>
                    }
                });
                view! {
                    <div class="download-head">
                        <span class="row-title">{d.title.clone()}</span>
                        <span class="row-detail">{format::quality_label(&d.quality)}</span>
                    </div>
                    <p class="phase">{d.phase.clone()}</p>
                    <div class="progress" role="progressbar" aria-label=format!("Progress of {}", d.title)
                        aria-valuemin="0" aria-valuemax="100"
                        aria-valuenow=percent.map(|p| p.to_string()).unwrap_or_default()>
                        <div class="progress-bar" style=format!("width: {}%", percent.unwrap_or(0))></div>
                    </div>
                    <p class="row-detail">
                        {format::progress_text(&d)}
                        {percent.map(|p| format!(" ({p}%)"))}
                    </p>
                    {(d.status == "completed").then(|| d.local_file_path.clone().map(|file| view! {
                        <p class="row-detail">{format!("Saved as {file}")}</p>
                    }))}
                    {error}
                }
            })}
            <p class="row-detail">{details}</p>
            {move || failed.get().map(|failure| view! {
                <p class="error-message" role="alert">{failure.message}</p>
            })}
            <div class="download-buttons">
                <Show when=move || format::is_active(&status())>
                    <button class="button" on:click=move |_| run("downloads.pause")>"Pause"</button>
                </Show>
                <Show when=move || status() == "paused">
                    <button class="button primary" on:click=move |_| run("downloads.resume")>"Resume"</button>
                </Show>
                <Show when=move || !format::is_finished(&status())>
                    <button class="button" on:click=move |_| run("downloads.cancel")>"Cancel"</button>
                </Show>
                <Show when=move || status() == "completed" && bridge_client::can_play()>
                    <button class="button primary" on:click=move |_| {
                        if let Err(failure) = bridge_client::play(id) {
                            failed.set(Some(failure));
                        }
                    }>"Play"</button>
                </Show>
                <Show when=move || matches!(status().as_str(), "failed" | "cancelled")>
                    <button class="button primary" on:click=move |_| run("downloads.retry")>"Retry"</button>
                </Show>
                <button class="button danger" on:click=move |_| {
                    if confirm_delete.get_untracked() {
                        run("downloads.remove");
                    } else {
                        confirm_delete.set(true);
                    }
                }>
                    {move || if confirm_delete.get() { "Press again to delete the file" } else { "Delete" }}
                </button>
            </div>
        </li>
    }
}

/// The Downloads screen.
#[component]
pub fn Downloads() -> impl IntoView {
    let store = use_store();
    spawn_local(async move { store.refresh_downloads().await });
    let summary = move || {
        let list = store.downloads.get();
        let count =
            |test: &dyn Fn(&DownloadSnapshot) -> bool| list.iter().filter(|d| test(d)).count();
        let moving = count(&format::is_moving);
        let waiting = count(&|d| format::is_active(&d.status)) - moving;
        let done = count(&|d| d.status == "completed");
        let failed = count(&|d| d.status == "failed");
        format!("{moving} downloading, {waiting} waiting, {done} downloaded, {failed} failed")
    };
    // The groups change only when downloads come or go, not with every progress push.
    let groups = Memo::new(move |_| {
        format::grouped(&store.downloads.get())
            .into_iter()
            .map(|(name, members)| (name, members.iter().map(|d| d.id).collect::<Vec<_>>()))
            .collect::<Vec<_>>()
    });
    view! {
        <section class="downloads">
            <Heading title="Downloads"/>
            <Show
                when=move || !store.downloads.get().is_empty()
                fallback=|| view! {
                    <div class="empty-state">
                        <p>"Nothing downloaded yet. Choose a movie or an episode in the library."</p>
                        <a class="button primary" href=format!("#{}", Route::Servers.hash())>"Open the library"</a>
                    </div>
                }
            >
                <p class="count">{summary}</p>
                <For
                    each=move || groups.get()
                    key=|(name, ids)| (name.clone(), ids.clone())
                    children=move |(name, ids)| {
                        view! {
                            <section class="group">
                                <h2>{name}</h2>
                                <ul class="download-list">
                                    {ids.into_iter().filter_map(|id| {
                                        store.downloads.get_untracked().into_iter().find(|d| d.id == id)
                                    }).map(|d| view! { <DownloadCard download=d/> }).collect_view()}
                                </ul>
                            </section>
                        }
                    }
                />
            </Show>
        </section>
    }
}
