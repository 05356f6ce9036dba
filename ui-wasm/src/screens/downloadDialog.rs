//! The download dialog: for a movie or an episode, every version of it (resolution, video
//! codec, bitrate, container, size), the one closest to this device's screen chosen first;
//! the quality presets with the estimated size of each for the chosen version; for a
//! converted download, the audio track and what happens to subtitles; the free space and
//! the busy-server warning, before anything is queued.

use leptos::prelude::*;
use leptos::task::spawn_local;
use plexdl_protocol::methods::{DownloadsEnqueue, DownloadsEstimate};
use plexdl_protocol::{
    EnqueueParams, ErrorBody, Estimate, EstimateParams, MediaVersion, SubtitleMode, TrackChoice,
    closest_version,
};

use crate::bridge_client;
use crate::format;
use crate::routes::Route;
use crate::store::use_store;
use crate::widgets::{ErrorBox, Loading, QualityChoices};

/// The versions to choose from, each with its one-line facts; shown when there are two or
/// more.
#[component]
fn VersionChoices(versions: Vec<MediaVersion>, chosen: RwSignal<Option<u64>>) -> impl IntoView {
    view! {
        <fieldset class="choices versions-choice">
            <legend>"Version"</legend>
            {versions.into_iter().map(|version| {
                let id = version.media_id;
                view! {
                    <label class="choice">
                        <input type="radio" name="version" value=id.to_string()
                            prop:checked=move || chosen.get() == Some(id)
                            on:change=move |_| chosen.set(Some(id))/>
                        <span class="choice-label">{format::resolution_label(&version)}</span>
                        <span class="choice-size">{format::version_line(&version)}</span>
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// A drop-down of tracks by their stream ids; `none` names a first choice for no track.
#[component]
fn TrackSelect(
    label: &'static str,
    options: Vec<(u64, String)>,
    chosen: RwSignal<Option<u64>>,
    #[prop(optional)] none: Option<&'static str>,
    on_pick: Callback<Option<u64>>,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <select aria-label=label on:change=move |event| {
                on_pick.run(event_target_value(&event).parse().ok());
            }>
                {none.map(|words| view! {
                    <option value="" selected=move || chosen.get().is_none()>{words}</option>
                })}
                {options.into_iter().map(|(id, words)| view! {
                    <option value=id.to_string() selected=move || chosen.get() == Some(id)>{words}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// The audio track and the subtitles of a converted download. The original file keeps
/// every track, so these show only for the other qualities.
#[component]
fn TrackChoices(
    version: MediaVersion,
    audio: RwSignal<Option<u64>>,
    subtitle: RwSignal<Option<u64>>,
    mode: RwSignal<SubtitleMode>,
) -> impl IntoView {
    let tracks = StoredValue::new(version.subtitles.clone());
    // The ways the chosen subtitle can travel (a separate file only for one that has its
    // own file on the server).
    let modes = move || {
        let id = subtitle.get();
        tracks.with_value(|tracks| {
            tracks
                .iter()
                .find(|track| Some(track.stream_id) == id)
                .map(|track| {
                    SubtitleMode::ALL
                        .into_iter()
                        .filter(|mode| *mode != SubtitleMode::None && mode.can_carry(track))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    view! {
        {(version.audio.len() > 1).then(|| view! {
            <TrackSelect
                label="Audio track"
                options=version.audio.iter().map(|t| (t.stream_id, format::audio_label(t))).collect()
                chosen=audio
                on_pick=Callback::new(move |picked| audio.set(picked))
            />
        })}
        {(!version.subtitles.is_empty()).then(|| view! {
            <TrackSelect
                label="Subtitles"
                options=version.subtitles.iter().map(|t| (t.stream_id, format::subtitle_label(t))).collect()
                chosen=subtitle
                none="None"
                on_pick=Callback::new(move |picked: Option<u64>| {
                    subtitle.set(picked);
                    mode.set(if picked.is_some() { SubtitleMode::Embedded } else { SubtitleMode::None });
                })
            />
            <Show when=move || subtitle.get().is_some()>
                <fieldset class="choices subtitle-modes">
                    <legend>"Subtitles in the download"</legend>
                    {move || modes().into_iter().map(|offered| view! {
                        <label class="choice">
                            <input type="radio" name="subtitle-mode" value=offered.name()
                                prop:checked=move || mode.get() == offered
                                on:change=move |_| mode.set(offered)/>
                            <span class="choice-label">{offered.label()}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
            </Show>
        })}
    }
}

/// The dialog for downloading `rating_keys` (a movie, an episode, a season or a show);
/// `versions` are those of a single movie or episode (empty otherwise).
#[component]
pub fn DownloadDialog(
    server: String,
    rating_keys: Vec<String>,
    title: String,
    #[prop(optional)] versions: Vec<MediaVersion>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let store = use_store();
    let estimate = RwSignal::new(None::<Result<Estimate, ErrorBody>>);
    let quality = RwSignal::new("original".to_string());
    let queue_error = RwSignal::new(None::<ErrorBody>);
    let queuing = RwSignal::new(false);
    let screen = bridge_client::screen_pixels();
    let media_id = RwSignal::new(closest_version(&versions, screen).map(|v| v.media_id));
    let audio = RwSignal::new(None::<u64>);
    let subtitle = RwSignal::new(None::<u64>);
    let subtitle_mode = RwSignal::new(SubtitleMode::None);
    let chosen_version = {
        let versions = versions.clone();
        Memo::new(move |_| {
            let id = media_id.get();
            versions.iter().find(|v| Some(v.media_id) == id).cloned()
        })
    };
    // A new version has tracks of its own: its default audio, and no subtitles until
    // chosen.
    Effect::new(move |_| {
        let version = chosen_version.get();
        audio.set(version.as_ref().and_then(|v| {
            v.audio
                .iter()
                .find(|t| t.default)
                .or(v.audio.first())
                .map(|t| t.stream_id)
        }));
        subtitle.set(None);
        subtitle_mode.set(SubtitleMode::None);
    });
    let load = {
        let server = server.clone();
        let rating_keys = rating_keys.clone();
        move || {
            estimate.set(None);
            let params = EstimateParams {
                server_id: server.clone(),
                rating_keys: rating_keys.clone(),
                media_id: media_id.get_untracked(),
                screen_pixels: screen,
            };
            spawn_local(async move {
                let answer = bridge_client::call::<DownloadsEstimate>(params).await;
                let _ = estimate.try_set(Some(answer));
            });
        }
    };
    // The sizes are the chosen version's: read them again when it changes.
    {
        let load = load.clone();
        Effect::new(move |_| {
            media_id.track();
            load();
        });
    }
    let enqueue = {
        let server = server.clone();
        let rating_keys = rating_keys.clone();
        move || {
            queuing.set(true);
            queue_error.set(None);
            let converted = quality.get_untracked() != "original";
            let subtitle_chosen = subtitle.get_untracked().filter(|_| converted);
            let params = EnqueueParams {
                server_id: server.clone(),
                rating_keys: rating_keys.clone(),
                quality: quality.get_untracked(),
                tracks: TrackChoice {
                    media_id: media_id.get_untracked(),
                    audio_stream_id: audio.get_untracked().filter(|_| converted),
                    subtitle_stream_id: subtitle_chosen,
                    subtitles: converted.then(|| {
                        if subtitle_chosen.is_some() {
                            subtitle_mode.get_untracked()
                        } else {
                            SubtitleMode::None
                        }
                    }),
                },
                screen_pixels: screen,
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
                {(versions.len() > 1).then(|| view! { <VersionChoices versions=versions.clone() chosen=media_id/> })}
                {move || match estimate.get() {
                    None => view! { <Loading what="the sizes"/> }.into_any(),
                    Some(Err(failure)) => {
                        let load = load.clone();
                        view! { <ErrorBox error=failure on_retry=Callback::new(move |_| load())/> }.into_any()
                    }
                    Some(Ok(found)) => view! {
                        <p>{if found.items == 1 { "1 video".to_string() } else { format!("{} videos", found.items) }}</p>
                        <QualityChoices qualities=found.qualities.clone() chosen=quality/>
                        {move || {
                            let version = chosen_version.get()?;
                            let has_choices = version.audio.len() > 1 || !version.subtitles.is_empty();
                            Some(if quality.get() == "original" {
                                view! {
                                    <p class="hint tracks-note">
                                        "The original file keeps every audio track and the subtitles inside it; subtitles with a file of their own are saved beside it."
                                    </p>
                                }.into_any()
                            } else if has_choices {
                                view! {
                                    <TrackChoices version=version audio=audio subtitle=subtitle mode=subtitle_mode/>
                                }.into_any()
                            } else {
                                ().into_any()
                            })
                        }}
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
