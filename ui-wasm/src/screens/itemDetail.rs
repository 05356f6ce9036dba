//! The detail of one item: a movie or episode with its facts, its summary, every version
//! (resolution, codecs, bitrate, size) with its audio and subtitle tracks and the subtitle
//! files a download saves beside the video, and a Download button; a show with its
//! seasons; a season with its episodes. A whole season (or show) is queued with
//! one button, and a show or season can keep its next episodes downloaded ("Keep next
//! episodes", a rule the core applies from then on).

use leptos::prelude::*;
use leptos::task::spawn_local;
use plexdl_protocol::methods::{LibraryChildren, LibraryItem};
use plexdl_protocol::{ErrorBody, ItemDetail, ItemRef, ItemSummary, MediaVersion, closest_version};

use crate::bridge_client;
use crate::format;
use crate::screens::download_dialog::DownloadDialog;
use crate::screens::keep_dialog::KeepDialog;
use crate::widgets::{ErrorBox, Loading, Poster};

/// What the download dialog (or the keep dialog, with one key) is open for: rating keys,
/// a title, and the versions of a single movie or episode (empty for a season or show,
/// whose episodes each get their default version).
#[derive(Debug, Clone, PartialEq)]
struct Choice {
    keys: Vec<String>,
    title: String,
    versions: Vec<MediaVersion>,
}

/// The item's facts in one line; the size only when no versions are shown (they say
/// their own).
fn facts(item: &ItemSummary, versions_shown: bool) -> String {
    let mut parts = Vec::new();
    if let Some(show) = &item.show_title {
        parts.push(show.clone());
    }
    if let (Some(season), Some(episode)) = (item.parent_index, item.index)
        && item.kind == "episode"
    {
        parts.push(format!("Season {season}, episode {episode}"));
    }
    if let Some(year) = item.year {
        parts.push(year.to_string());
    }
    if let Some(ms) = item.duration_ms {
        parts.push(format::running_time(ms));
    }
    if let Some(size) = item.size.filter(|_| !versions_shown) {
        parts.push(format::bytes(size));
    }
    if let Some(count) = item.leaf_count {
        parts.push(format!("{count} episodes"));
    }
    parts.join(" · ")
}

/// The list of a show's seasons or a season's episodes, each with its own Download button.
#[component]
fn Children(
    server: String,
    parent: String,
    choose: WriteSignal<Option<Choice>>,
    keep: WriteSignal<Option<Choice>>,
) -> impl IntoView {
    let children = RwSignal::new(None::<Result<Vec<ItemSummary>, ErrorBody>>);
    let load = {
        let server = server.clone();
        move || {
            children.set(None);
            let params = ItemRef {
                server_id: server.clone(),
                rating_key: parent.clone(),
            };
            spawn_local(async move {
                let answer = bridge_client::call::<LibraryChildren>(params).await;
                let _ = children.try_set(Some(answer));
            });
        }
    };
    load();
    move || {
        match children.get() {
        None => view! { <Loading what="the list"/> }.into_any(),
        Some(Err(failure)) => {
            let load = load.clone();
            view! { <ErrorBox error=failure on_retry=Callback::new(move |_| load())/> }.into_any()
        }
        Some(Ok(list)) => view! {
            <ul class="children">
                {list.into_iter().map(|child| {
                    let open = RwSignal::new(false);
                    let is_season = child.kind == "season";
                    let title = match (child.kind.as_str(), child.index) {
                        ("episode", Some(n)) => format!("{n}. {}", child.title),
                        _ => child.title.clone(),
                    };
                    let choice = Choice { keys: vec![child.rating_key.clone()], title: title.clone(), versions: Vec::new() };
                    let keep_choice = choice.clone();
                    let key = child.rating_key.clone();
                    let server = server.clone();
                    view! {
                        <li class="child">
                            <div class="child-row">
                                <div class="child-text">
                                    <span class="row-title">{title.clone()}</span>
                                    <span class="row-detail">{facts(&child, false)}</span>
                                </div>
                                {is_season.then(|| view! {
                                    <button class="button" aria-expanded=move || open.get().to_string()
                                        on:click=move |_| open.update(|o| *o = !*o)>
                                        {move || if open.get() { "Hide episodes" } else { "Episodes" }}
                                    </button>
                                })}
                                {is_season.then(|| view! {
                                    <button class="button" on:click=move |_| keep.set(Some(keep_choice.clone()))>
                                        "Keep next"
                                    </button>
                                })}
                                <button class="button primary" on:click=move |_| choose.set(Some(choice.clone()))>
                                    {if is_season { "Download season" } else { "Download" }}
                                </button>
                            </div>
                            <Show when=move || open.get()>
                                <Children server=server.clone() parent=key.clone() choose=choose keep=keep/>
                            </Show>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }.into_any(),
    }
    }
}

/// A version's facts and tracks; `several` when the item has more than one version (each
/// is then headed by its facts), `preferred` for the one a download gets by default on
/// this device (the closest to its screen).
#[component]
fn Version(version: MediaVersion, several: bool, preferred: bool) -> impl IntoView {
    let audio: Vec<String> = version.audio.iter().map(format::audio_label).collect();
    let subtitles: Vec<String> = version
        .subtitles
        .iter()
        .map(format::subtitle_label)
        .collect();
    let saved: Vec<String> = version
        .subtitles
        .iter()
        .filter_map(|track| track.saved_as.clone())
        .collect();
    view! {
        <div class="version">
            // With several versions the line is the version's heading (it starts with
            // the resolution); with one it is a plain line.
            {if several {
                view! {
                    <h4 class="version-line">{format::version_line(&version)}</h4>
                    {preferred.then(|| view! { <p class="badge preferred">"Downloaded by default on this device"</p> })}
                }.into_any()
            } else {
                view! { <p class="version-line">{format::version_line(&version)}</p> }.into_any()
            }}
            <p class="tracks audio-tracks">
                <span class="track-kind">"Audio: "</span>
                {if audio.is_empty() { "not listed by the server".to_string() } else { audio.join(", ") }}
            </p>
            <p class="tracks subtitle-tracks">
                <span class="track-kind">"Subtitles: "</span>
                {if subtitles.is_empty() { "none on the server".to_string() } else { subtitles.join(", ") }}
            </p>
            {(!saved.is_empty()).then(|| view! {
                <p class="tracks saved-subtitles">
                    <span class="track-kind">"Saved beside the video: "</span>
                    {saved.join(", ")}
                </p>
            })}
        </div>
    }
}

/// The Item detail pane.
#[component]
pub fn ItemDetail(server: String, rating_key: String) -> impl IntoView {
    let item = RwSignal::new(None::<Result<ItemDetail, ErrorBody>>);
    let (choice, choose) = signal(None::<Choice>);
    let (kept, keep) = signal(None::<Choice>);
    let load = {
        let server = server.clone();
        let rating_key = rating_key.clone();
        move || {
            item.set(None);
            let params = ItemRef {
                server_id: server.clone(),
                rating_key: rating_key.clone(),
            };
            spawn_local(async move {
                let answer = bridge_client::call::<LibraryItem>(params).await;
                let _ = item.try_set(Some(answer));
            });
        }
    };
    load();
    let server_for_dialog = server.clone();
    let server_for_keep = server.clone();
    view! {
        <article class="item-detail">
            <button class="back" aria-label="Back" on:click=|_| bridge_client::back()>"Back"</button>
            {move || match item.get() {
                None => view! { <Loading what="the item"/> }.into_any(),
                Some(Err(failure)) => {
                    let load = load.clone();
                    view! { <ErrorBox error=failure on_retry=Callback::new(move |_| load())/> }.into_any()
                }
                Some(Ok(detail)) => {
                    let found = detail.item.clone();
                    let has_children = matches!(found.kind.as_str(), "show" | "season");
                    let whole = Choice {
                        keys: vec![found.rating_key.clone()],
                        title: found.title.clone(),
                        versions: detail.versions.clone(),
                    };
                    let several = detail.versions.len() > 1;
                    let preferred = closest_version(&detail.versions, bridge_client::screen_pixels())
                        .map(|version| version.media_id);
                    let keep_whole = whole.clone();
                    let button = match found.kind.as_str() {
                        "show" => "Download every episode",
                        "season" => "Download season",
                        _ => "Download",
                    };
                    view! {
                        <div class="item-head">
                            <Poster server=server.clone() path=found.thumb.clone() alt=found.title.clone()/>
                            <div class="item-facts">
                                <h2>{found.title.clone()}</h2>
                                <p class="row-detail">{facts(&found, !detail.versions.is_empty())}</p>
                                <div class="item-buttons">
                                    <button class="button primary" on:click=move |_| choose.set(Some(whole.clone()))>
                                        {button}
                                    </button>
                                    {has_children.then(|| view! {
                                        <button class="button" on:click=move |_| keep.set(Some(keep_whole.clone()))>
                                            "Keep next episodes"
                                        </button>
                                    })}
                                </div>
                            </div>
                        </div>
                        {detail.summary.clone().map(|summary| view! { <p class="summary">{summary}</p> })}
                        {(!detail.versions.is_empty()).then(|| view! {
                            <section class="versions" aria-label="Versions">
                                <h3>{if several { format!("{} versions", detail.versions.len()) } else { "The file".to_string() }}</h3>
                                {detail.versions.clone().into_iter().map(|version| {
                                    let preferred = Some(version.media_id) == preferred;
                                    view! { <Version version=version several=several preferred=preferred/> }
                                }).collect_view()}
                            </section>
                        })}
                        {has_children.then(|| view! {
                            <h3>{if found.kind == "show" { "Seasons" } else { "Episodes" }}</h3>
                            <Children server=server.clone() parent=found.rating_key.clone() choose=choose keep=keep/>
                        })}
                    }.into_any()
                }
            }}
            {move || choice.get().map(|chosen| view! {
                <DownloadDialog
                    server=server_for_dialog.clone()
                    rating_keys=chosen.keys
                    title=chosen.title
                    versions=chosen.versions
                    on_close=Callback::new(move |_| choose.set(None))
                />
            })}
            {move || kept.get().and_then(|chosen| {
                let rating_key = chosen.keys.into_iter().next()?;
                Some(view! {
                    <KeepDialog
                        server=server_for_keep.clone()
                        rating_key=rating_key
                        title=chosen.title
                        on_close=Callback::new(move |_| keep.set(None))
                    />
                })
            })}
        </article>
    }
}
