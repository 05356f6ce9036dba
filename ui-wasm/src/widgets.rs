//! Small pieces several screens use: the error box with its action, the loading line, the
//! page heading with a back button, the poster image, and the quality choices of the
//! download and keep dialogs.

use leptos::prelude::*;
use plexdl_protocol::{Action, ErrorBody, QualityEstimate};

use crate::bridge_client;
use crate::format;
use crate::routes::Route;

/// A failure: what happened, what to do, and a button for it.
#[component]
pub fn ErrorBox(error: ErrorBody, #[prop(into)] on_retry: Callback<()>) -> impl IntoView {
    let action = error.action;
    let button = match action {
        Action::SignIn => view! {
            <a class="button" href=format!("#{}", Route::SignIn.hash())>"Sign in again"</a>
        }
        .into_any(),
        Action::Report => view! {
            <a class="button" href=format!("#{}", Route::Diagnostics.hash())>"Open diagnostics"</a>
        }
        .into_any(),
        Action::None => ().into_any(),
        _ => view! {
            <button class="button" on:click=move |_| on_retry.run(())>
                {format::action_label(Action::Retry)}
            </button>
        }
        .into_any(),
    };
    view! {
        <div class="error" role="alert" data-kind=error.kind.name()>
            <p class="error-message">{error.message.clone()}</p>
            <p class="hint">{format::action_hint(action)}</p>
            {button}
        </div>
    }
}

/// A line saying something is loading.
#[component]
pub fn Loading(#[prop(into)] what: String) -> impl IntoView {
    view! { <p class="loading" role="status">{format!("Loading {what}...")}</p> }
}

/// A screen heading with a back button.
#[component]
pub fn Heading(#[prop(into)] title: String, #[prop(optional)] back: bool) -> impl IntoView {
    view! {
        <header class="heading">
            {back.then(|| view! {
                <button class="back" aria-label="Back" on:click=|_| bridge_client::back()>"Back"</button>
            })}
            <h1>{title}</h1>
        </header>
    }
}

/// A poster, fetched by the host with the server's token added on its side.
#[component]
pub fn Poster(server: String, path: Option<String>, #[prop(into)] alt: String) -> impl IntoView {
    match path {
        Some(path) => view! {
            <img class="poster" loading="lazy" alt=alt src=bridge_client::thumb_url(&server, &path, 240, 360)/>
        }
        .into_any(),
        None => view! { <div class="poster empty" aria-label=alt>"No image"</div> }.into_any(),
    }
}

/// The quality presets as radio choices, each with its estimated size: of the whole
/// download, or with `per_episode` (the number of episodes the estimate covers) of one
/// episode, as a keep rule thinks.
#[component]
pub fn QualityChoices(
    qualities: Vec<QualityEstimate>,
    chosen: RwSignal<String>,
    #[prop(optional)] per_episode: Option<u64>,
) -> impl IntoView {
    view! {
        <fieldset class="choices">
            <legend>"Quality"</legend>
            {qualities.into_iter().map(|q| {
                let name = q.quality.clone();
                let value = name.clone();
                let size = match (q.bytes, per_episode) {
                    (Some(bytes), Some(episodes)) => {
                        format!("about {} an episode", format::bytes(bytes / episodes.max(1)))
                    }
                    (Some(bytes), None) if q.quality == "original" => format::bytes(bytes),
                    (Some(bytes), None) => format!("about {}", format::bytes(bytes)),
                    (None, _) => "size unknown".to_string(),
                };
                view! {
                    <label class="choice">
                        <input type="radio" name="quality" value=name.clone()
                            prop:checked=move || chosen.get() == name
                            on:change=move |_| chosen.set(value.clone())/>
                        <span class="choice-label">{format::quality_label(&q.quality)}</span>
                        <span class="choice-size">{size}</span>
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}
