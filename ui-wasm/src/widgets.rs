//! Small pieces several screens use: the error box with its action, the loading line, the
//! page heading with a back button, and the poster image.

use leptos::prelude::*;
use plexdl_protocol::{Action, ErrorBody};

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
