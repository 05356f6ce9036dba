//! The "Keep next episodes" dialog of a show or season: how many unwatched episodes to keep
//! downloaded ahead (1 to 10, or every one), at which quality, and what happens to an
//! episode once it was watched. The core keeps the rule in the manifest and queues the
//! episodes itself from then on (`rules.set`); a rule the show already has is shown with
//! its settings, and can be changed or stopped (`rules.remove`, which leaves the files).

use leptos::prelude::*;
use leptos::task::spawn_local;
use plexdl_protocol::methods::{DownloadsEstimate, NoParams, RulesList, RulesRemove, RulesSet};
use plexdl_protocol::{
    ErrorBody, Estimate, EstimateParams, KeepRule, KeepRuleParams, MOST_KEPT_AHEAD, RuleId,
    WhenWatched,
};

use crate::bridge_client;
use crate::format;
use crate::store::use_store;
use crate::widgets::{ErrorBox, Loading, QualityChoices};

/// The value of the "every unwatched episode" choice in the number list.
const EVERY_ONE: &str = "all";

/// What the dialog needs before it can be filled in: the rule this show or season has (if
/// any) and the qualities with their sizes.
#[derive(Debug, Clone)]
struct Loaded {
    rule: Option<KeepRule>,
    estimate: Estimate,
}

/// The dialog for keeping the next episodes of `rating_key` (a show or a season).
#[component]
pub fn KeepDialog(
    server: String,
    rating_key: String,
    title: String,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let store = use_store();
    let loaded = RwSignal::new(None::<Result<Loaded, ErrorBody>>);
    let keep_next = RwSignal::new("3".to_string());
    let quality = RwSignal::new("original".to_string());
    let when_watched = RwSignal::new(WhenWatched::DeleteAfterADay);
    let save_error = RwSignal::new(None::<ErrorBody>);
    let saving = RwSignal::new(false);
    let load = {
        let server = server.clone();
        let rating_key = rating_key.clone();
        move || {
            loaded.set(None);
            let params = EstimateParams {
                server_id: server.clone(),
                rating_keys: vec![rating_key.clone()],
                // A rule downloads each episode's first version.
                media_id: None,
                screen_pixels: None,
            };
            let (server, rating_key) = (server.clone(), rating_key.clone());
            spawn_local(async move {
                let rules = bridge_client::call::<RulesList>(NoParams {}).await;
                let estimate = bridge_client::call::<DownloadsEstimate>(params).await;
                let answer = rules.and_then(|rules| {
                    let rule = rules
                        .into_iter()
                        .find(|rule| rule.server_id == server && rule.rating_key == rating_key);
                    estimate.map(|estimate| Loaded { rule, estimate })
                });
                if let Ok(Loaded {
                    rule: Some(rule), ..
                }) = &answer
                {
                    let _ = keep_next.try_set(
                        rule.keep_next
                            .map(|next| next.to_string())
                            .unwrap_or_else(|| EVERY_ONE.to_string()),
                    );
                    let _ = quality.try_set(rule.quality.clone());
                    let _ = when_watched.try_set(rule.when_watched);
                }
                let _ = loaded.try_set(Some(answer));
            });
        }
    };
    load();
    let existing = move || {
        loaded
            .get()
            .and_then(|answer| answer.ok())
            .and_then(|found| found.rule)
    };
    let save = {
        let server = server.clone();
        let rating_key = rating_key.clone();
        let title = title.clone();
        move || {
            saving.set(true);
            save_error.set(None);
            let chosen = keep_next.get_untracked();
            let params = KeepRuleParams {
                server_id: server.clone(),
                rating_key: rating_key.clone(),
                keep_next: chosen.parse::<u32>().ok(),
                quality: quality.get_untracked(),
                when_watched: when_watched.get_untracked(),
            };
            let title = title.clone();
            spawn_local(async move {
                match bridge_client::call::<RulesSet>(params).await {
                    Ok(rule) => {
                        store.refresh_downloads().await;
                        store.tell(format!(
                            "Keeping {} of {title}. Follow them on the Downloads screen.",
                            format::kept_ahead(rule.keep_next)
                        ));
                        on_close.run(());
                    }
                    Err(failure) => {
                        let _ = save_error.try_set(Some(failure));
                        let _ = saving.try_set(false);
                    }
                }
            });
        }
    };
    let stop = {
        let title = title.clone();
        move |id: i64| {
            saving.set(true);
            save_error.set(None);
            let title = title.clone();
            spawn_local(async move {
                match bridge_client::call::<RulesRemove>(RuleId { id }).await {
                    Ok(_) => {
                        store.refresh_downloads().await;
                        store.tell(format!(
                            "{title} is no longer kept. Its downloads stay until you delete them."
                        ));
                        on_close.run(());
                    }
                    Err(failure) => {
                        let _ = save_error.try_set(Some(failure));
                        let _ = saving.try_set(false);
                    }
                }
            });
        }
    };

    view! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-label="Keep next episodes">
                <h2>{format!("Keep next episodes of {title}")}</h2>
                <p class="explain">
                    "The app downloads the next unwatched episodes by itself, in order, whenever \
                     the server can be reached, and keeps that many ahead as you watch."
                </p>
                {move || match loaded.get() {
                    None => view! { <Loading what="the episodes"/> }.into_any(),
                    Some(Err(failure)) => {
                        let load = load.clone();
                        view! { <ErrorBox error=failure on_retry=Callback::new(move |_| load())/> }.into_any()
                    }
                    Some(Ok(found)) => {
                        view! {
                            <label class="field">
                                <span>"Episodes to keep ahead"</span>
                                <select name="keepNext"
                                    prop:value=move || keep_next.get()
                                    on:change=move |event| keep_next.set(event_target_value(&event))>
                                    {(1..=MOST_KEPT_AHEAD).map(|next| view! {
                                        <option value=next.to_string()>{format::kept_ahead(Some(next))}</option>
                                    }).collect_view()}
                                    <option value=EVERY_ONE>{format::kept_ahead(None)}</option>
                                </select>
                            </label>
                            // The estimate covers the whole show or season; a rule
                            // thinks in episodes.
                            <QualityChoices qualities=found.estimate.qualities.clone() chosen=quality
                                per_episode=found.estimate.items/>
                            <fieldset class="choices">
                                <legend>"When an episode was watched"</legend>
                                {WhenWatched::ALL.into_iter().map(|when| view! {
                                    <label class="choice">
                                        <input type="radio" name="whenWatched" value=when.name()
                                            prop:checked=move || when_watched.get() == when
                                            on:change=move |_| when_watched.set(when)/>
                                        <span class="choice-label">{when.label()}</span>
                                    </label>
                                }).collect_view()}
                            </fieldset>
                            <p class="hint">
                                "Nothing you downloaded yourself is deleted by a rule. A storage \
                                 limit for rules can be set in Settings."
                            </p>
                        }.into_any()
                    }
                }}
                {move || save_error.get().map(|failure| view! {
                    <div class="error" role="alert" data-kind=failure.kind.name()>
                        <p class="error-message">{failure.message.clone()}</p>
                        <p class="hint">{format::action_hint(failure.action)}</p>
                    </div>
                })}
                <div class="dialog-buttons">
                    {move || existing().map(|rule| {
                        let stop = stop.clone();
                        view! {
                            <button class="button danger" disabled=move || saving.get()
                                on:click=move |_| stop(rule.id)>"Stop keeping"</button>
                        }
                    })}
                    <button class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button class="button primary"
                        disabled=move || saving.get() || loaded.get().is_none_or(|a| a.is_err())
                        on:click=move |_| save()>
                        {move || match (saving.get(), existing().is_some()) {
                            (true, _) => "Saving...",
                            (false, true) => "Save",
                            (false, false) => "Keep these episodes",
                        }}
                    </button>
                </div>
            </div>
        </div>
    }
}
