//! The checks the fuzzers run (tests/fuzz) and the regression tests replay on every input
//! the fuzzers kept (fixtures/fuzz). Each takes arbitrary bytes and panics only when a
//! promise is broken: the Plex parsers never panic and never drop items silently, the file
//! name sanitizer always gives one safe name, and the bridge dispatcher always answers with
//! one valid response.

use plexdl_protocol::Response;

use crate::app::App;
use crate::engine::file_names;
use crate::plex::models::{Envelope, PinDocument, Resource, UserDocument};
use crate::plex::transport::parse_json;

/// Every Plex parser on the same bytes: none may panic, and a document that parses as JSON
/// keeps every Metadata item of its MediaContainer.
pub fn plex_parsers(data: &[u8]) {
    let _ = serde_json::from_slice::<Vec<Resource>>(data);
    let _ = serde_json::from_slice::<PinDocument>(data);
    let _ = serde_json::from_slice::<UserDocument>(data);
    let status = reqwest::StatusCode::OK;
    let _ = parse_json::<Envelope>(data, status, "application/json", "/fuzz");
    if let (Ok(envelope), Ok(raw)) = (
        serde_json::from_slice::<Envelope>(data),
        serde_json::from_slice::<serde_json::Value>(data),
    ) {
        let items = raw["MediaContainer"]["Metadata"]
            .as_array()
            .map_or(0, |items| {
                items.iter().filter(|item| item.is_object()).count()
            });
        assert!(
            envelope.container.metadata.len() <= items.max(1),
            "more items than the document holds"
        );
        let mut container = envelope.container;
        container.hoist();
        for item in &container.metadata {
            let _ = item.total_size();
            for part in item.parts() {
                let _ = part.changestamp();
                let _ = part.external_subtitles().count();
            }
        }
    }
}

/// The file name rules on arbitrary text: one plain component, no separators, no NUL, no
/// leading dot, within the length limit, inside the folder.
pub fn file_names(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let limit = 8 + usize::from(data.first().copied().unwrap_or(0));
    let clean = file_names::sanitize(&text, limit);
    assert!(!clean.is_empty());
    assert!(
        clean.len() <= limit.max(8),
        "{} bytes for a limit of {limit}",
        clean.len()
    );
    assert!(!clean.contains(['/', '\\', '\0']), "{clean:?}");
    assert!(
        !clean.starts_with('.') && !clean.starts_with(' '),
        "{clean:?}"
    );
    assert!(clean.chars().all(|c| !c.is_control()), "{clean:?}");
    let folder = std::path::Path::new("/downloads");
    let path = file_names::inside(folder, &clean)
        .unwrap_or_else(|| panic!("{clean:?} is not one component"));
    assert_eq!(path.parent(), Some(folder));
    let unique = file_names::unique_name(&text, &text, |name| name.len() % 3 == 0);
    assert!(
        unique.len() <= file_names::MAX_NAME_BYTES + 10,
        "{unique:?}"
    );
    assert!(file_names::inside(folder, &unique).is_some(), "{unique:?}");
}

/// One bridge request: the answer is always one valid response with either a result or an
/// error, and the dispatcher never panics.
pub async fn bridge(app: &App, data: &[u8]) {
    let request = String::from_utf8_lossy(data);
    let answer = app.dispatch(&request).await;
    let response: Response = serde_json::from_str(&answer)
        .unwrap_or_else(|error| panic!("not a response: {error}: {answer}"));
    assert!(
        response.result.is_some() != response.error.is_some(),
        "{answer}"
    );
    assert_eq!(response.v, plexdl_protocol::VERSION);
}
