//! Components rendered in a real browser (Chromium through wasm-bindgen-test-runner): what a
//! download card shows for each kind of state, the error box, and the grouping by show.

#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use plexdl_protocol::{Action, Command, DownloadSnapshot, DownloadStatus, ErrorBody, FailureKind};
use plexdl_ui::routes::Route;
use plexdl_ui::screens::downloads::{DownloadCard, Downloads};
use plexdl_ui::store::Store;
use plexdl_ui::widgets::ErrorBox;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The commands the core sends with a download in each of these states (the core's rule
/// and its check against the machine are in state-machine/src/machine/commands.rs); the card
/// must show exactly their buttons.
fn commands_for(status: DownloadStatus) -> Vec<Command> {
    match status {
        DownloadStatus::Paused => vec![Command::Resume, Command::Cancel, Command::Remove],
        DownloadStatus::Failed | DownloadStatus::Cancelled => {
            vec![Command::Retry, Command::Remove]
        }
        DownloadStatus::Completed => vec![Command::Play, Command::Remove],
        _ => vec![Command::Pause, Command::Cancel, Command::Remove],
    }
}

fn snapshot(id: i64, title: &str, status: &str, group: Option<&str>) -> DownloadSnapshot {
    let status = DownloadStatus::from_name(status).expect("a status");
    DownloadSnapshot {
        id,
        server_id: "5e1f0c9d4a3b2e7c8d6a5f4e3d2c1b0a9f8e7d6c".to_string(),
        rating_key: id.to_string(),
        title: title.to_string(),
        quality: "original".to_string(),
        status,
        phase: "Downloading".to_string(),
        bytes_done: 4_200_000,
        bytes_total: Some(13_400_382),
        local_file_path: None,
        error_kind: None,
        error_message: None,
        action: None,
        next_wake_at: None,
        part_index: 0,
        group_title: group.map(str::to_string),
        rule_id: None,
        waiting_for_slot: false,
        watched: false,
        position_seconds: None,
        commands: commands_for(status),
    }
}

/// Mounts `view` into a fresh element and returns the element.
fn mount(store: Store, view: impl Fn() -> AnyView + 'static) -> web_sys::HtmlElement {
    let document = web_sys::window()
        .expect("window")
        .document()
        .expect("document");
    let host: web_sys::HtmlElement = document
        .create_element("div")
        .expect("div")
        .dyn_into()
        .expect("an HTML element");
    document
        .body()
        .expect("body")
        .append_child(&host)
        .expect("appended");
    let handle = leptos::mount::mount_to(host.clone(), move || {
        provide_context(store);
        view()
    });
    handle.forget();
    host
}

fn texts(host: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let found = host.query_selector_all(selector).expect("selector");
    (0..found.length())
        .filter_map(|i| found.item(i))
        .map(|node| node.text_content().unwrap_or_default().trim().to_string())
        .collect()
}

#[wasm_bindgen_test]
fn a_transferring_download_shows_progress_and_pause() {
    let store = Store::new(Route::Downloads);
    let download = snapshot(1, "Big Buck Bunny (2008)", "transferring", None);
    store.downloads.set(vec![download.clone()]);
    let host = mount(store, move || {
        view! { <DownloadCard download=download.clone()/> }.into_any()
    });
    let buttons = texts(&host, "button");
    assert!(buttons.contains(&"Pause".to_string()), "{buttons:?}");
    assert!(!buttons.contains(&"Resume".to_string()), "{buttons:?}");
    assert!(!buttons.contains(&"Retry".to_string()), "{buttons:?}");
    let bar = host
        .query_selector("[role=progressbar]")
        .expect("query")
        .expect("a progress bar");
    assert_eq!(bar.get_attribute("aria-valuenow").as_deref(), Some("31"));
    assert!(
        host.text_content()
            .unwrap_or_default()
            .contains("4.2 MB of 13.4 MB")
    );
}

#[wasm_bindgen_test]
fn a_failed_download_shows_its_message_hint_and_action() {
    let store = Store::new(Route::Downloads);
    let mut download = snapshot(2, "Sintel (2010)", "failed", None);
    download.error_kind = Some(FailureKind::Unauthorized);
    download.error_message = Some("Plex did not accept the saved sign-in.".to_string());
    download.action = Some(Action::SignIn);
    store.downloads.set(vec![download.clone()]);
    let host = mount(store, move || {
        view! { <DownloadCard download=download.clone()/> }.into_any()
    });
    assert_eq!(
        texts(&host, ".error-message"),
        vec!["Plex did not accept the saved sign-in.".to_string()]
    );
    let error = host
        .query_selector(".error")
        .expect("query")
        .expect("an error box");
    assert_eq!(
        error.get_attribute("data-kind").as_deref(),
        Some("unauthorized")
    );
    let buttons = texts(&host, "button");
    assert!(
        buttons.contains(&"Sign in again".to_string()),
        "{buttons:?}"
    );
    assert!(buttons.contains(&"Retry".to_string()), "{buttons:?}");
    assert!(!buttons.contains(&"Pause".to_string()), "{buttons:?}");
}

#[wasm_bindgen_test]
fn a_paused_download_offers_resume() {
    let store = Store::new(Route::Downloads);
    let download = snapshot(3, "Elephants Dream (2006)", "paused", None);
    store.downloads.set(vec![download.clone()]);
    let host = mount(store, move || {
        view! { <DownloadCard download=download.clone()/> }.into_any()
    });
    let buttons = texts(&host, "button");
    assert!(buttons.contains(&"Resume".to_string()), "{buttons:?}");
    assert!(!buttons.contains(&"Pause".to_string()), "{buttons:?}");
}

#[wasm_bindgen_test]
fn the_error_box_names_the_problem_and_the_way_out() {
    let store = Store::new(Route::Servers);
    let error = ErrorBody {
        kind: FailureKind::Unreachable,
        message: "No address of the server answered.".to_string(),
        action: Action::CheckConnection,
    };
    let host = mount(store, move || {
        view! { <ErrorBox error=error.clone() on_retry=Callback::new(|_| {})/> }.into_any()
    });
    assert_eq!(
        texts(&host, ".error-message"),
        vec!["No address of the server answered.".to_string()]
    );
    assert!(texts(&host, ".hint")[0].contains("reach the server"));
    assert_eq!(texts(&host, "button"), vec!["Retry".to_string()]);
}

#[wasm_bindgen_test]
fn downloads_are_grouped_by_show() {
    let store = Store::new(Route::Downloads);
    store.downloads.set(vec![
        snapshot(
            1,
            "Game of Thrones - S01E01",
            "completed",
            Some("Game of Thrones"),
        ),
        snapshot(2, "Sintel (2010)", "queued", None),
        snapshot(
            3,
            "Game of Thrones - S01E02",
            "queued",
            Some("Game of Thrones"),
        ),
    ]);
    let host = mount(store, || view! { <Downloads/> }.into_any());
    assert_eq!(
        texts(&host, "section.group > h2"),
        vec![
            "Game of Thrones".to_string(),
            "Movies and other videos".to_string()
        ]
    );
    let first_group = host
        .query_selector("section.group")
        .expect("query")
        .expect("a group");
    assert_eq!(
        first_group
            .query_selector_all("li.download")
            .expect("cards")
            .length(),
        2
    );
}

#[wasm_bindgen_test]
fn a_download_waiting_for_a_slot_says_so() {
    let store = Store::new(Route::Downloads);
    let mut download = snapshot(4, "Lord Snow", "transferring", Some("Game of Thrones"));
    download.waiting_for_slot = true;
    download.phase = "Waiting for a free transfer slot".to_string();
    store.downloads.set(vec![download.clone()]);
    let host = mount(store, move || {
        view! { <DownloadCard download=download.clone()/> }.into_any()
    });
    let text = host.text_content().unwrap_or_default();
    assert!(text.contains("Waiting for a free transfer slot"), "{text}");
    assert!(text.contains("starts when it is free"), "{text}");
    assert!(
        !text.contains("/s,"),
        "no speed for a download that does not move: {text}"
    );
}

#[wasm_bindgen_test]
fn a_download_waiting_for_its_first_byte_shows_its_phase_and_no_percent() {
    let store = Store::new(Route::Downloads);
    let mut download = snapshot(7, "Big Buck Bunny (2008)", "transferring", None);
    download.bytes_done = 0;
    download.phase = "Connecting".to_string();
    store.downloads.set(vec![download.clone()]);
    let host = mount(store, move || {
        view! { <DownloadCard download=download.clone()/> }.into_any()
    });
    assert_eq!(texts(&host, ".phase"), vec!["Connecting".to_string()]);
    let bar = host
        .query_selector("[role=progressbar]")
        .expect("query")
        .expect("a progress bar");
    assert_eq!(bar.get_attribute("aria-valuenow").as_deref(), Some(""));
    let text = host.text_content().unwrap_or_default();
    assert!(!text.contains('%'), "{text}");
    assert!(text.contains("13.4 MB to download"), "{text}");
}

#[wasm_bindgen_test]
fn a_notice_about_a_screen_goes_when_the_screen_is_left() {
    let owner = Owner::new();
    owner.with(|| {
        let store = Store::new(Route::Servers);
        let sections = Route::Sections {
            server: "5e1f0c9d".to_string(),
        };
        store.tell_on(Route::Servers, "Signed in. Choose a server to browse.");
        assert!(!store.notice_outlived(&Route::SignIn, &Route::Servers));
        assert!(store.notice_outlived(&Route::Servers, &sections));
        // A plain notice stays while the user moves within its tab.
        store.tell("1 download queued.");
        assert!(!store.notice_outlived(&Route::Servers, &sections));
        assert!(store.notice_outlived(&sections, &Route::Downloads));
        store.dismiss_notice();
        assert_eq!(store.notice.get_untracked(), None);
    });
}
