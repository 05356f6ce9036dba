//! The Diagnostics screen: versions, the bridge in use, the download folder, the recent log
//! lines (already redacted by the core), a copy button, and a check of the downloaded files.
//! When the core reports that the list of downloads cannot be used, the screen says why and
//! offers to rebuild it from the files beside the downloads.

use leptos::prelude::*;
use leptos::task::spawn_local;
use plexdl_protocol::VerifyOptions;
use plexdl_protocol::methods::{DiagnosticsGet, DownloadsRebuild, DownloadsVerify, NoParams};
use plexdl_protocol::{Diagnostics as Report, ErrorBody, RebuildReport, VerifyReport};

use crate::bridge_client;
use crate::widgets::{ErrorBox, Heading, Loading};

fn as_text(report: &Report) -> String {
    let mut text = format!(
        "PlexDownloader {}\nBridge protocol {}\nPlatform {}\nBridge {}\nDownload folder {}\n\n",
        report.version,
        report.protocol_version,
        report.platform,
        bridge_client::carrier_name(),
        report.download_dir
    );
    for line in &report.log_lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn verify_sentence(result: &VerifyReport) -> String {
    format!(
        "{} files checked: {} missing, {} damaged, {} repaired, {} found again, {} leftovers removed.",
        result.checked,
        result.missing,
        result.corrupt,
        result.repaired,
        result.adopted,
        result.orphans_removed
    )
}

fn rebuild_sentence(result: &RebuildReport) -> String {
    let kept = match &result.kept_as {
        Some(path) => format!(" The old list was kept as {path}."),
        None => String::new(),
    };
    format!(
        "The list of downloads was rebuilt: {} finished downloads are back, {} unfinished ones start again from the beginning.{kept}",
        result.finished, result.queued_again
    )
}

/// The Diagnostics screen.
#[component]
pub fn Diagnostics() -> impl IntoView {
    let report = RwSignal::new(None::<Result<Report, ErrorBody>>);
    let copied = RwSignal::new(None::<String>);
    let verified = RwSignal::new(None::<Result<String, ErrorBody>>);
    let rebuilt = RwSignal::new(None::<Result<String, ErrorBody>>);
    let rebuilding = RwSignal::new(false);
    let load = move || {
        report.set(None);
        spawn_local(async move {
            let answer = bridge_client::call::<DiagnosticsGet>(NoParams {}).await;
            let _ = report.try_set(Some(answer));
        });
    };
    load();
    let copy = move || {
        if let Some(Ok(found)) = report.get_untracked() {
            spawn_local(async move {
                let said = match bridge_client::copy_text(&as_text(&found)).await {
                    Ok(()) => "Copied. Paste it into a message to whoever helps you.".to_string(),
                    Err(reason) => reason,
                };
                let _ = copied.try_set(Some(said));
            });
        }
    };
    let verify = move || {
        verified.set(None);
        spawn_local(async move {
            // The screen's check reads every finished file (the deep check).
            let answer = bridge_client::call::<DownloadsVerify>(VerifyOptions { deep: true })
                .await
                .map(|result| verify_sentence(&result));
            let _ = verified.try_set(Some(answer));
        });
    };
    let rebuild = move || {
        rebuilt.set(None);
        rebuilding.set(true);
        spawn_local(async move {
            let answer = bridge_client::call::<DownloadsRebuild>(NoParams {})
                .await
                .map(|result| rebuild_sentence(&result));
            let _ = rebuilding.try_set(false);
            let _ = rebuilt.try_set(Some(answer));
            // The problem is gone (or still there): show what the core says now.
            load();
        });
    };
    view! {
        <section class="diagnostics">
            <Heading title="Diagnostics" back=true/>
            {move || match report.get() {
                None => view! { <Loading what="the diagnostics"/> }.into_any(),
                Some(Err(failure)) => {
                    view! { <ErrorBox error=failure on_retry=Callback::new(move |_| load())/> }.into_any()
                }
                Some(Ok(found)) => view! {
                    {found.list_problem.clone().map(|problem| view! {
                        <div class="notice" role="alert">
                            <p>{problem}</p>
                            <button
                                class="button primary"
                                disabled=move || rebuilding.get()
                                on:click=move |_| rebuild()
                            >
                                "Rebuild the list of downloads"
                            </button>
                        </div>
                    })}
                    <dl class="facts">
                        <dt>"Version"</dt><dd>{found.version.clone()}</dd>
                        <dt>"Bridge protocol"</dt><dd>{found.protocol_version.to_string()}</dd>
                        <dt>"Platform"</dt><dd>{found.platform.clone()}</dd>
                        <dt>"Bridge"</dt><dd>{bridge_client::carrier_name()}</dd>
                        <dt>"Download folder"</dt><dd>{found.download_dir.clone()}</dd>
                    </dl>
                    <h2>"Recent log lines"</h2>
                    <pre class="log" role="log" tabindex="0">
                        {if found.log_lines.is_empty() {
                            "No log lines yet.".to_string()
                        } else {
                            found.log_lines.join("\n")
                        }}
                    </pre>
                }.into_any(),
            }}
            <div class="setting">
                <button class="button primary" on:click=move |_| copy()>"Copy to clipboard"</button>
                <button class="button" on:click=move |_| load()>"Reload"</button>
                <button class="button" on:click=move |_| verify()>"Check downloaded files"</button>
            </div>
            {move || rebuilding.get().then(|| view! { <Loading what="the rebuilt list of downloads"/> })}
            {move || match rebuilt.get() {
                None => ().into_any(),
                Some(Ok(sentence)) => view! { <p role="status">{sentence}</p> }.into_any(),
                Some(Err(failure)) => {
                    view! { <ErrorBox error=failure on_retry=Callback::new(move |_| rebuild())/> }.into_any()
                }
            }}
            {move || copied.get().map(|said| view! { <p role="status">{said}</p> })}
            {move || match verified.get() {
                None => ().into_any(),
                Some(Ok(sentence)) => view! { <p role="status">{sentence}</p> }.into_any(),
                Some(Err(failure)) => {
                    view! { <ErrorBox error=failure on_retry=Callback::new(move |_| verify())/> }.into_any()
                }
            }}
        </section>
    }
}
