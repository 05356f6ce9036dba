//! The Settings screen: Wi-Fi only, transfers at once, what to do when the server is busy,
//! the storage folder, the storage limit for keep rules, and signing out. Each change is
//! sent at once and the answer shown.

use leptos::prelude::*;
use leptos::task::spawn_local;
use plexdl_protocol::methods::{
    DownloadsStorage, NoParams, SettingsGet, SettingsSet, SignOut, StorageSetBudget,
};
use plexdl_protocol::{BudgetParams, ErrorBody, SettingsChange, SettingsView, StorageUse};

use crate::bridge_client;
use crate::format;
use crate::routes::Route;
use crate::store::use_store;
use crate::widgets::{ErrorBox, Heading, Loading};

const POLICIES: [(&str, &str, &str); 3] = [
    (
        "warn",
        "Ask me",
        "Stop with a warning; Retry on the download starts it anyway.",
    ),
    (
        "wait",
        "Wait",
        "Wait until the server has finished converting, then start.",
    ),
    (
        "ignore",
        "Start anyway",
        "Start at once, even if people are watching converted streams.",
    ),
];

/// The Settings screen.
#[component]
pub fn Settings() -> impl IntoView {
    let store = use_store();
    let view_state = RwSignal::new(None::<Result<SettingsView, ErrorBody>>);
    let change_error = RwSignal::new(None::<ErrorBody>);
    let folder = RwSignal::new(String::new());
    let load = move || {
        spawn_local(async move {
            let answer = bridge_client::call::<SettingsGet>(NoParams {}).await;
            if let Ok(found) = &answer {
                let _ = folder.try_set(found.settings.storage_dir.clone().unwrap_or_default());
            }
            let _ = view_state.try_set(Some(answer));
        });
    };
    load();
    let storage = RwSignal::new(None::<StorageUse>);
    let limit = RwSignal::new(String::new());
    let limit_error = RwSignal::new(None::<String>);
    spawn_local(async move {
        if let Ok(found) = bridge_client::call::<DownloadsStorage>(NoParams {}).await {
            let _ = limit.try_set(
                found
                    .budget_bytes
                    .map(format::gigabytes_typed)
                    .unwrap_or_default(),
            );
            let _ = storage.try_set(Some(found));
        }
    });
    let set_budget = move |gigabytes: Option<f64>| {
        limit_error.set(None);
        spawn_local(async move {
            match bridge_client::call::<StorageSetBudget>(BudgetParams { gigabytes }).await {
                Ok(found) => {
                    if found.budget_bytes.is_none() {
                        let _ = limit.try_set(String::new());
                    }
                    let _ = storage.try_set(Some(found));
                }
                Err(failure) => {
                    let _ = limit_error.try_set(Some(failure.message));
                }
            }
        });
    };
    let save_limit = move || {
        let typed = limit.get_untracked();
        if typed.trim().is_empty() {
            set_budget(None);
            return;
        }
        match format::parse_gigabytes(&typed) {
            Some(bytes) if bytes > 0 => set_budget(Some(bytes as f64 / 1e9)),
            _ => limit_error.set(Some(format!(
                "\"{}\" is not a size in GB. Type a number such as 20, or leave it empty for no limit.",
                typed.trim()
            ))),
        }
    };
    let change = move |params: SettingsChange| {
        change_error.set(None);
        spawn_local(async move {
            match bridge_client::call::<SettingsSet>(params).await {
                Ok(found) => {
                    let _ = view_state.try_set(Some(Ok(found)));
                }
                Err(failure) => {
                    let _ = change_error.try_set(Some(failure));
                }
            }
        });
    };
    let sign_out = move || {
        spawn_local(async move {
            match bridge_client::call::<SignOut>(NoParams {}).await {
                Ok(_) => {
                    store.sign_in.set(None);
                    store.tell("Signed out. Downloaded files stay on the device.");
                    bridge_client::go(&Route::SignIn.hash());
                }
                Err(failure) => {
                    let _ = change_error.try_set(Some(failure));
                }
            }
        });
    };

    view! {
        <section class="settings">
            <Heading title="Settings"/>
            {move || change_error.get().map(|failure| view! {
                <ErrorBox error=failure on_retry=Callback::new(move |_| change_error.set(None))/>
            })}
            {move || match view_state.get() {
                None => view! { <Loading what="the settings"/> }.into_any(),
                Some(Err(failure)) => {
                    view! { <ErrorBox error=failure on_retry=Callback::new(move |_| load())/> }.into_any()
                }
                Some(Ok(found)) => {
                    let current = found.settings.clone();
                    view! {
                        <div class="setting">
                            <label class="toggle">
                                <input type="checkbox" prop:checked=current.wifi_only
                                    on:change=move |ev| change(SettingsChange { wifi_only: Some(event_target_checked(&ev)), ..SettingsChange::default() })/>
                                <span>"Download only on Wi-Fi"</span>
                            </label>
                            <p class="hint">"On mobile data, downloads wait until Wi-Fi is back."</p>
                        </div>
                        <fieldset class="setting choices">
                            <legend>"Transfers at once"</legend>
                            <div class="segmented">
                                {(1..=4u32).map(|n| view! {
                                    <button class="button" class:primary=current.max_transfers == n
                                        aria-pressed=(current.max_transfers == n).to_string()
                                        on:click=move |_| change(SettingsChange { max_transfers: Some(n), ..SettingsChange::default() })>
                                        {n.to_string()}
                                    </button>
                                }).collect_view()}
                            </div>
                            <p class="hint">"Some servers are slower with several transfers at once."</p>
                        </fieldset>
                        <fieldset class="setting choices">
                            <legend>"When the server is busy converting for others"</legend>
                            {POLICIES.iter().map(|(key, label, hint)| {
                                let chosen = current.busy_policy == *key;
                                view! {
                                    <label class="choice">
                                        <input type="radio" name="busy" value=*key prop:checked=chosen
                                            on:change=move |_| change(SettingsChange { busy_policy: Some(key.to_string()), ..SettingsChange::default() })/>
                                        <span class="choice-label">{*label}</span>
                                        <span class="hint">{*hint}</span>
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                        {(!found.storage_choices.is_empty()).then(|| {
                            let chosen = found.download_dir.clone();
                            view! {
                                <fieldset class="setting choices">
                                    <legend>"Where downloads go"</legend>
                                    {found.storage_choices.iter().map(|place| {
                                        let path = place.path.clone();
                                        let free = place.free_bytes.map(|bytes| format!("{} free", format::bytes(bytes)));
                                        view! {
                                            <label class="choice">
                                                <input type="radio" name="storageChoice" value=path.clone()
                                                    prop:checked=chosen == place.path
                                                    on:change=move |_| change(SettingsChange { storage_dir: Some(path.clone()), ..SettingsChange::default() })/>
                                                <span class="choice-label">{place.label.clone()}</span>
                                                <span class="choice-size">{free}</span>
                                            </label>
                                        }
                                    }).collect_view()}
                                </fieldset>
                            }
                        })}
                        <div class="setting" class:hidden=!found.storage_choices.is_empty()>
                            <label class="field">
                                <span>"Storage folder (empty for the app's own folder)"</span>
                                <input type="text" prop:value=move || folder.get()
                                    on:input=move |ev| folder.set(event_target_value(&ev))/>
                            </label>
                            <button class="button" on:click=move |_| change(SettingsChange { storage_dir: Some(folder.get_untracked()), ..SettingsChange::default() })>
                                "Use this folder"
                            </button>
                        </div>
                        <div class="setting">
                            <p class="hint">{format!("Downloads go to {}.", found.download_dir)}</p>
                            <p class="hint">{match found.free_bytes {
                                Some(free) => format!("{} free there.", format::bytes(free)),
                                None => "The free space there is not known.".to_string(),
                            }}</p>
                            {found.restart_needed.then(|| view! {
                                <p class="warning" role="note">"The new folder is used the next time the app starts."</p>
                            })}
                        </div>
                    }.into_any()
                }
            }}
            <fieldset class="setting choices storage-limit">
                <legend>"Storage limit for keep rules"</legend>
                <p class="hint">{move || match storage.get().and_then(|found| found.budget_bytes) {
                    Some(bytes) => format!(
                        "Rules stop queuing episodes at {}: watched episodes they downloaded go first. \
                         Nothing you downloaded yourself is deleted.",
                        format::bytes(bytes)
                    ),
                    None => "No limit: rules queue episodes while there is free space.".to_string(),
                }}</p>
                <label class="field">
                    <span>"Limit in GB (empty for no limit)"</span>
                    <input type="text" name="budget" inputmode="decimal" autocomplete="off"
                        prop:value=move || limit.get()
                        on:input=move |ev| limit.set(event_target_value(&ev))/>
                </label>
                <div class="item-buttons">
                    <button class="button" on:click=move |_| save_limit()>"Set the limit"</button>
                    <button class="button" on:click=move |_| set_budget(None)>"No limit"</button>
                </div>
                {move || limit_error.get().map(|message| view! {
                    <p class="error-message" role="alert">{message}</p>
                })}
            </fieldset>
            <div class="setting">
                <a class="button" href=format!("#{}", Route::Diagnostics.hash())>"Diagnostics"</a>
                <button class="button danger" on:click=move |_| sign_out()>"Sign out"</button>
            </div>
        </section>
    }
}
