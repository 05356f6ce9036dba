//! The download dialog: the quality presets with the estimated size of each, the free space,
//! and the busy-server warning, before anything is queued.

use leptos::prelude::*;
use leptos::task::spawn_local;
use plexdl_protocol::methods::{DownloadsEnqueue, DownloadsEstimate};
use plexdl_protocol::{EnqueueParams, ErrorBody, Estimate, EstimateParams};

use crate::bridge_client;
use crate::format;
use crate::routes::Route;
use crate::store::use_store;
use crate::widgets::{ErrorBox, Loading, QualityChoices};

/// The dialog for downloading `rating_keys` (a movie, an episode, a season or a show).
#[component]
pub fn DownloadDialog(
    server: String,
    rating_keys: Vec<String>,
    title: String,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let store = use_store();
    let estimate = RwSignal::new(None::<Result<Estimate, ErrorBody>>);
    let quality = RwSignal::new("original".to_string());
    let queue_error = RwSignal::new(None::<ErrorBody>);
    let queuing = RwSignal::new(false);
    let load = {
        let params = EstimateParams {
            server_id: server.clone(),
            rating_keys: rating_keys.clone(),
        };
        move || {
            estimate.set(None);
            let params = params.clone();
            spawn_local(async move {
                let answer = bridge_client::call::<DownloadsEstimate>(params).await;
                let _ = estimate.try_set(Some(answer));
            });
        }
    };
    load();
    let enqueue = {
        let server = server.clone();
        let rating_keys = rating_keys.clone();
        move || {
            queuing.set(true);
            queue_error.set(None);
            let params = EnqueueParams {
                server_id: server.clone(),
                rating_keys: rating_keys.clone(),
                quality: quality.get_untracked(),
            };
            spawn_local(async move {
                match bridge_client::call::<DownloadsEnqueue>(params).await {
                    Ok(answer) => {
                        let count = answer.ids.len();
                        store.refresh_downloads().await;
                        store.tell(if count == 1 {
                            "1 download queued. Follow it on the Downloads screen.".to_string()
                        } else {
                            format!(
                                "{count} downloads queued. Follow them on the Downloads screen."
                            )
                        });
                        on_close.run(());
                    }
                    Err(failure) => {
                        let _ = queue_error.try_set(Some(failure));
                        let _ = queuing.try_set(false);
                    }
                }
            });
        }
    };
    let chosen_bytes = move || {
        estimate
            .get()
            .and_then(|answer| answer.ok())
            .and_then(|found| {
                found
                    .qualities
                    .iter()
                    .find(|q| q.quality == quality.get())
                    .and_then(|q| q.bytes)
            })
    };
    let too_big = move || {
        let free = estimate
            .get()
            .and_then(|answer| answer.ok())
            .and_then(|found| found.free_bytes);
        matches!((chosen_bytes(), free), (Some(need), Some(free)) if need > free)
    };

    view! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-label="Download">
                <h2>{format!("Download {title}")}</h2>
                {move || match estimate.get() {
                    None => view! { <Loading what="the sizes"/> }.into_any(),
                    Some(Err(failure)) => {
                        let load = load.clone();
                        view! { <ErrorBox error=failure on_retry=Callback::new(move |_| load())/> }.into_any()
                    }
                    Some(Ok(found)) => view! {
                        <p>{if found.items == 1 { "1 video".to_string() } else { format!("{} videos", found.items) }}</p>
                        <QualityChoices qualities=found.qualities.clone() chosen=quality/>
                        <p class="free">{match found.free_bytes {
                            Some(free) => format!("{} free on this device.", format::bytes(free)),
                            None => "The free space on this device is not known.".to_string(),
                        }}</p>
                        {found.busy_warning.clone().map(|warning| view! {
                            <p class="warning" role="note" class:muted=move || quality.get() == "original">
                                {warning}
                            </p>
                        })}
                    }.into_any(),
                }}
                <Show when=too_big>
                    <p class="warning" role="alert">
                        "This is more than the free space. Choose a smaller quality or free some space first."
                    </p>
                </Show>
                {move || queue_error.get().map(|failure| {
                    let failure_action = failure.action;
                    view! {
                        <ErrorBox error=failure on_retry=Callback::new(move |_| {
                            if failure_action == plexdl_protocol::Action::SignIn {
                                bridge_client::go(&Route::SignIn.hash());
                            }
                        })/>
                    }
                })}
                <div class="dialog-buttons">
                    <button class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button class="button primary"
                        disabled=move || queuing.get() || estimate.get().is_none_or(|a| a.is_err())
                        on:click=move |_| enqueue()>
                        {move || if queuing.get() { "Queuing..." } else { "Download" }}
                    </button>
                </div>
            </div>
        </div>
    }
}
