//! The Downloads screen, read from the manifest only: each download's phase in plain words,
//! progress, speed and time left, why it waits, and its error with the action for it.
//! The buttons are exactly the commands the core sends with each download (pause, resume,
//! cancel, play, retry, mark as watched or unwatched, delete); this screen keeps no copy of
//! the machine's transitions. A finished download says whether it was watched, or where
//! playback stopped.
//! Episodes are grouped under their show; a download a keep rule queued carries a badge.
//! Above the list: what the host says about how downloads run (slower because Android
//! limits the app, a storage card taken out), from `downloads.background`; the storage bar
//! (what downloads take, against the limit for rules when one is set, and the free space)
//! with the sentence of a rule that stopped at the limit, from `downloads.storage`; and the
//! keep rules, each with a button to stop it (`rules.list`, `rules.remove`). All three are
//! read again whenever the set of downloads changes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use plexdl_protocol::methods::{
    DownloadsBackground, DownloadsCancel, DownloadsMarkUnwatched, DownloadsMarkWatched,
    DownloadsPause, DownloadsRemove, DownloadsResume, DownloadsRetry, DownloadsStorage, NoParams,
    RulesList, RulesRemove,
};
use plexdl_protocol::{
    Action, BackgroundState, Command, DownloadId, DownloadSnapshot, DownloadStatus, ErrorBody,
    KeepRule, Method, RuleId, StorageUse,
};

use crate::bridge_client;
use crate::format;
use crate::routes::Route;
use crate::store::{Store, use_store};
use crate::widgets::Heading;

/// Sends a command that answers with the download as it is now, and puts it into the list.
fn command<M>(store: Store, id: i64, failed: RwSignal<Option<ErrorBody>>)
where
    M: Method<Params = DownloadId, Result = DownloadSnapshot> + 'static,
{
    spawn_local(async move {
        match bridge_client::call::<M>(DownloadId { id }).await {
            Ok(snapshot) => store.put_download(snapshot),
            Err(failure) => {
                let _ = failed.try_set(Some(failure));
            }
        }
    });
}

/// Deletes a download and its files, and takes it off the list.
fn remove(store: Store, id: i64, failed: RwSignal<Option<ErrorBody>>) {
    spawn_local(async move {
        match bridge_client::call::<DownloadsRemove>(DownloadId { id }).await {
            Ok(_) => {
                store.downloads.update(|list| list.retain(|d| d.id != id));
                store.tell("The download and its file were deleted.");
            }
            Err(failure) => {
                let _ = failed.try_set(Some(failure));
            }
        }
    });
}

/// One download; `rules` (when given) names the rule that queued it, if one did.
#[component]
pub fn DownloadCard(
    download: DownloadSnapshot,
    #[prop(optional)] rules: Option<RwSignal<Vec<KeepRule>>>,
) -> impl IntoView {
    let store = use_store();
    let id = download.id;
    let failed = RwSignal::new(None::<ErrorBody>);
    let confirm_delete = RwSignal::new(false);
    let current = Memo::new(move |_| store.downloads.get().into_iter().find(|d| d.id == id));
    let status = move || current.get().map(|d| d.status.name()).unwrap_or_default();
    // A memo, so that the buttons are drawn again only when the commands change, not with
    // every progress push.
    let commands = Memo::new(move |_| current.get().map(|d| d.commands).unwrap_or_default());
    let run = move |wanted: Command| {
        failed.set(None);
        match wanted {
            Command::Pause => command::<DownloadsPause>(store, id, failed),
            Command::Resume => command::<DownloadsResume>(store, id, failed),
            Command::Cancel => command::<DownloadsCancel>(store, id, failed),
            Command::Retry => command::<DownloadsRetry>(store, id, failed),
            Command::MarkWatched => command::<DownloadsMarkWatched>(store, id, failed),
            Command::MarkUnwatched => command::<DownloadsMarkUnwatched>(store, id, failed),
            Command::Remove => {
                if confirm_delete.get_untracked() {
                    remove(store, id, failed);
                } else {
                    confirm_delete.set(true);
                }
            }
            Command::Play => spawn_local(async move {
                if let Err(failure) = bridge_client::play(id).await {
                    let _ = failed.try_set(Some(failure));
                }
            }),
        }
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
                        <div class="error" role="alert" data-kind=d.error_kind.map(|kind| kind.name()).unwrap_or_default()>
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
                        {d.rule_id.map(|rule_id| {
                            let summary = move || rules.map(|rules| rules.get()).unwrap_or_default().into_iter()
                                .find(|rule| rule.id == rule_id)
                                .map(|rule| format!("{}: {}", rule.title, format::rule_summary(&rule)))
                                .unwrap_or_default();
                            view! { <span class="badge rule-badge" title=summary>"Kept by rule"</span> }
                        })}
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
                    {(d.status == DownloadStatus::Completed).then(|| d.local_file_path.clone().map(|file| view! {
                        <p class="row-detail">{format!("Saved as {file}")}</p>
                    }))}
                    {format::watched_text(&d).map(|text| view! {
                        <p class="row-detail watched">{text}</p>
                    })}
                    {error}
                }
            })}
            <p class="row-detail">{details}</p>
            {move || failed.get().map(|failure| view! {
                <p class="error-message" role="alert">{failure.message}</p>
            })}
            <div class="download-buttons">
                {move || commands.get().into_iter()
                    // Play needs a host that opens files in a player (both hosts do; a
                    // page outside them, as in the component tests, has none).
                    .filter(|offered| *offered != Command::Play || bridge_client::can_play())
                    .map(|offered| {
                        let class = match offered {
                            Command::Resume | Command::Play | Command::Retry => "button primary",
                            Command::Remove => "button danger",
                            Command::Pause
                            | Command::Cancel
                            | Command::MarkWatched
                            | Command::MarkUnwatched => "button",
                        };
                        view! {
                            <button class=class on:click=move |_| run(offered)>
                                {move || if offered == Command::Remove && confirm_delete.get() {
                                    "Press again to delete the file"
                                } else {
                                    offered.label()
                                }}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </li>
    }
}

/// The Downloads screen.
#[component]
pub fn Downloads() -> impl IntoView {
    let store = use_store();
    spawn_local(async move { store.refresh_downloads().await });
    let background = RwSignal::new(BackgroundState::default());
    // How many downloads want work and how many are done: when either changes, the way
    // downloads run may have changed too (a progress push alone changes neither).
    let shape = Memo::new(move |_| {
        let list = store.downloads.get();
        let working = list.iter().filter(|d| d.status.needs_work()).count();
        (working, list.len() - working)
    });
    let storage = RwSignal::new(None::<StorageUse>);
    let rules = RwSignal::new(Vec::<KeepRule>::new());
    let rule_failed = RwSignal::new(None::<ErrorBody>);
    let reload_rules = move || {
        spawn_local(async move {
            if let Ok(found) = bridge_client::call::<DownloadsStorage>(NoParams {}).await {
                let _ = storage.try_set(Some(found));
            }
            if let Ok(found) = bridge_client::call::<RulesList>(NoParams {}).await {
                let _ = rules.try_set(found);
            }
        });
    };
    Effect::new(move |_| {
        // The value is read, not only tracked: with `shape.track()` the effect never ran
        // again (a download that finished left the storage line at what it said before;
        // tests/ui/itemChoices.test.mjs), as the memo was not asked for its new value.
        let _ = shape.get();
        spawn_local(async move {
            if let Ok(state) = bridge_client::call::<DownloadsBackground>(NoParams {}).await {
                let _ = background.try_set(state);
            }
        });
        reload_rules();
    });
    let stop_rule = move |id: i64| {
        rule_failed.set(None);
        spawn_local(async move {
            match bridge_client::call::<RulesRemove>(RuleId { id }).await {
                Ok(_) => {
                    store.tell("The rule was stopped. Its downloads stay until you delete them.");
                    store.refresh_downloads().await;
                    reload_rules();
                }
                Err(failure) => {
                    let _ = rule_failed.try_set(Some(failure));
                }
            }
        });
    };
    let summary = move || {
        let list = store.downloads.get();
        let count =
            |test: &dyn Fn(&DownloadSnapshot) -> bool| list.iter().filter(|d| test(d)).count();
        let moving = count(&format::is_moving);
        let waiting = count(&|d| d.status.needs_work()) - moving;
        let done = count(&|d| d.status == DownloadStatus::Completed);
        let failed = count(&|d| d.status == DownloadStatus::Failed);
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
            {move || background.get().storage_missing.map(|missing| view! {
                <div class="notice" role="alert"><p>{missing}</p></div>
            })}
            {move || background.get().slower.map(|slower| view! {
                <div class="notice slower" role="status"><p>{slower}</p></div>
            })}
            {move || storage.get().map(|found| {
                let percent = format::storage_percent(&found);
                view! {
                    <div class="storage-use" aria-label="Storage">
                        <p class="storage-text">{format::storage_text(&found)}</p>
                        {percent.map(|percent| view! {
                            <div class={if percent >= 100 { "progress storage-bar full" } else { "progress storage-bar" }}
                                role="meter" aria-label="Space downloads take"
                                aria-valuemin="0" aria-valuemax="100" aria-valuenow=percent.to_string()>
                                <div class="progress-bar" style=format!("width: {percent}%")></div>
                            </div>
                        })}
                        {found.stopped_reason.map(|reason| view! {
                            <p class="warning stopped" role="status">
                                {format!("{reason}. Delete some downloads or raise the limit in Settings.")}
                            </p>
                        })}
                    </div>
                }
            })}
            <Show when=move || !rules.get().is_empty()>
                <section class="group rules">
                    <h2>"Kept ahead"</h2>
                    <ul class="rows">
                        // A plain list, drawn again when the rules change (there are
                        // few, and a keyed list would cost more code than it saves).
                        {move || rules.get().into_iter().map(|rule| {
                            let id = rule.id;
                            view! {
                                <li class="rule">
                                    <div class="child-text">
                                        <span class="row-title">{rule.title.clone()}</span>
                                        // Why a rule stopped is said once, with the storage bar.
                                        <span class="row-detail">{format::rule_summary(&rule)}</span>
                                    </div>
                                    <button class="button" on:click=move |_| stop_rule(id)>"Stop keeping"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {move || rule_failed.get().map(|failure| view! {
                        <p class="error-message" role="alert">{failure.message}</p>
                    })}
                </section>
            </Show>
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
                                    }).map(|d| view! { <DownloadCard download=d rules=rules/> }).collect_view()}
                                </ul>
                            </section>
                        }
                    }
                />
            </Show>
        </section>
    }
}
