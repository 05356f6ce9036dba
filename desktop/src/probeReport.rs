//! `plexdl probe`'s output: a table a person can read, and a report file that our replay
//! server loads as a scenario (`plexdl-replay --scenario FILE`), so a server's behaviour can
//! be played back in tests. The report holds the scenario settings that follow from what
//! the probe saw (validators, the queue, permission, the queue's container, how ranges are
//! answered) and, under `probe`, the observations themselves.
//!
//! Before the file is written, every token, the server's addresses, its machine identifier
//! and its name are replaced by the recorder's rules (plexdl_replay::scrubber); a report
//! that still holds one of them is refused, never written.

use std::path::Path;

use plexdl_core::engine::output_name::disposition_extension;
use plexdl_core::plex::PlexServer;
use plexdl_core::plex::probe::{Answer, ProbeReport, QueueTrial};
use plexdl_replay::scrubber::{RECORDED_HOST, RECORDED_MACHINE_ID, Scrubber};
use plexdl_replay::{Fault, FaultRule, Scenario, Validators};

/// The name written in place of the server's own.
const RECORDED_NAME: &str = "Recorded Server";

fn shown(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("-")
}

fn answer_line(answer: &Option<Answer>) -> String {
    let Some(answer) = answer else {
        return "not asked".to_string();
    };
    if let Some(error) = &answer.error {
        return format!("failed: {error}");
    }
    let mut parts = vec![format!(
        "HTTP {}",
        answer.status.map_or("-".to_string(), |s| s.to_string())
    )];
    let mut add = |name: &str, value: &Option<String>| {
        if let Some(value) = value {
            parts.push(format!("{name}: {value}"));
        }
    };
    add("Accept-Ranges", &answer.accept_ranges);
    add("Content-Range", &answer.content_range);
    add("ETag", &answer.etag);
    add("Last-Modified", &answer.last_modified);
    add("Content-Disposition", &answer.content_disposition);
    if let Some(length) = answer.content_length {
        parts.push(format!("Content-Length: {length}"));
    }
    parts.join(", ")
}

/// The container of the queue's conversion: named while converting, or in the
/// Content-Disposition of its media.
fn queue_container(trial: &QueueTrial) -> Option<String> {
    let from_header = trial
        .media_head
        .as_ref()
        .and_then(|answer| answer.content_disposition.as_deref())
        .and_then(disposition_extension);
    trial.container.clone().or(from_header)
}

/// The rows of the table: what was checked, what the server answered.
pub fn table(report: &ProbeReport) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        (
            "server",
            format!(
                "version {}, {}",
                shown(&report.server_version),
                shown(&report.server_platform)
            ),
        ),
        (
            "connection",
            format!(
                "{}{}",
                shown(&report.connection),
                if report.secure {
                    ", https"
                } else {
                    ", plain http"
                }
            ),
        ),
        ("permission to download", report.permission.clone()),
        (
            "/media/providers",
            if report.media_providers {
                "answers"
            } else {
                "missing (404)"
            }
            .to_string(),
        ),
        (
            "download queue",
            match report.queue_api {
                Some(true) => "answers".to_string(),
                Some(false) => "missing (404)".to_string(),
                None => "did not answer".to_string(),
            },
        ),
        (
            "item",
            format!(
                "{} ({}, {} bytes)",
                shown(&report.item_key),
                shown(&report.item_container),
                report
                    .part_size
                    .map_or("size unknown".to_string(), |s| s.to_string())
            ),
        ),
        ("part HEAD", answer_line(&report.part_head)),
        ("part bytes=0-0", answer_line(&report.one_byte_range)),
        (
            "part open-ended range",
            match report.open_ended_from {
                Some(from) => format!("bytes={from}-: {}", answer_line(&report.open_ended_range)),
                None => "not asked".to_string(),
            },
        ),
    ];
    if let Some(decision) = &report.decision {
        rows.push((
            "decision at 720p",
            format!(
                "{} (code {}): {}",
                decision.outcome,
                decision
                    .general_code
                    .map_or("-".to_string(), |c| c.to_string()),
                decision.text
            ),
        ));
    }
    if let Some(trial) = &report.queue_trial {
        rows.push(("queue trial", trial.statuses.join(" -> ")));
        rows.push((
            "queue container",
            shown(&queue_container(trial)).to_string(),
        ));
        if let Some(error) = &trial.error {
            rows.push(("queue error", error.clone()));
        }
        rows.push(("queue media HEAD", answer_line(&trial.media_head)));
        rows.push((
            "queue media 1 MiB",
            format!(
                "{} ({} bytes)",
                answer_line(&trial.media_range),
                trial.media_range_bytes
            ),
        ));
        rows.push((
            "queue item removed",
            shown(&trial.delete_status).to_string(),
        ));
    }
    rows
}

/// The replay scenario that plays what the probe saw.
pub fn scenario(report: &ProbeReport) -> Scenario {
    let mut scenario = Scenario::default();
    let headers = report
        .part_head
        .as_ref()
        .filter(|answer| answer.status.is_some_and(|s| s < 400))
        .or(report.one_byte_range.as_ref());
    if let Some(answer) = headers {
        scenario.validators = match (answer.etag.is_some(), answer.last_modified.is_some()) {
            (true, true) => Validators::Both,
            (true, false) => Validators::EtagOnly,
            (false, true) => Validators::LastModifiedOnly,
            (false, false) => Validators::None,
        };
    }
    if let Some(found) = report.queue_api {
        scenario.queue_api = found;
    }
    scenario.downloads_allowed = report.permission == "allowed";
    scenario.media_providers = report.media_providers;
    if let Some(container) = report.queue_trial.as_ref().and_then(queue_container) {
        scenario.queue.container = container;
    }
    // A one-byte range answered 200: the whole file (ranges ignored) or just the byte.
    if let Some(answer) = &report.one_byte_range
        && answer.status == Some(200)
    {
        let fault = if answer.content_length == Some(1) {
            Fault::RangeAs200
        } else {
            Fault::IgnoreRange
        };
        scenario
            .faults
            .push(FaultRule::new("/library/parts/", fault));
    }
    scenario.probe = serde_json::to_value(report).ok();
    scenario
}

/// Writes the report to `path` with the server's token, addresses, machine identifier and
/// name removed (and `server_id`, the id plexdl knows the server by, which is its machine
/// identifier when known); refuses (and writes nothing) if any of them would remain.
pub fn write(
    report: &ProbeReport,
    server: &PlexServer,
    server_id: &str,
    path: &Path,
) -> Result<(), String> {
    let first = server
        .connections()
        .first()
        .and_then(|connection| reqwest::Url::parse(&connection.uri).ok());
    let Some(first) = first else {
        return Err("the server has no address to remove from the report".to_string());
    };
    let mut scrubber = Scrubber::new("", &first);
    for connection in server.connections() {
        if let Ok(url) = reqwest::Url::parse(&connection.uri) {
            if let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) {
                scrubber
                    .add_replacement(&format!("{host}:{port}"), &format!("{RECORDED_HOST}:32400"));
            }
            if let Some(host) = url.host_str() {
                scrubber.add_replacement(host, RECORDED_HOST);
            }
        }
    }
    for machine in server.machine_id().into_iter().chain([server_id]) {
        scrubber.add_replacement(machine, RECORDED_MACHINE_ID);
    }
    scrubber.add_replacement(server.name(), RECORDED_NAME);
    let mut value = serde_json::to_value(scenario(report)).map_err(|error| error.to_string())?;
    scrubber.learn_secrets(&value);
    scrubber.value(&mut value);
    let text = serde_json::to_string_pretty(&value).map_err(|error| error.to_string())?;
    let still_secret = plexdl_redact::redact_text(&text) != text;
    if scrubber.leaks(&text) || still_secret {
        return Err(format!(
            "refusing to write {}: it would still contain a token or the server's address, identifier or name",
            path.display()
        ));
    }
    std::fs::write(path, text + "\n")
        .map_err(|error| format!("cannot write {}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use plexdl_core::plex::probe::DecisionSeen;
    use plexdl_core::plex::{ClientIdentity, Transport, TransportSettings};

    #[test]
    fn the_report_file_keeps_no_token_address_identifier_or_name() {
        let token = "SecretTokenValue123";
        let transport = Transport::new(
            ClientIdentity::new("plexdl-probe-tests-000001"),
            TransportSettings::default(),
        )
        .expect("client");
        let server = PlexServer::direct(
            transport,
            "http://192.168.1.20:32400",
            token,
            "Living Room Server",
        )
        .expect("server");
        let machine = "0123456789abcdef0123456789abcdef01234567";
        let report = ProbeReport {
            permission: "allowed".to_string(),
            part_head: Some(Answer {
                error: Some(format!(
                    "error sending request for url (http://192.168.1.20:32400/library/parts/1/2/file.mkv?X-Plex-Token={token})"
                )),
                ..Answer::default()
            }),
            decision: Some(DecisionSeen {
                outcome: "ok".to_string(),
                general_code: Some(1001),
                text: format!("Living Room Server {machine} says: conversion OK"),
            }),
            ..ProbeReport::default()
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.json");
        write(&report, &server, machine, &path).expect("written");
        let text = std::fs::read_to_string(&path).expect("read");
        for secret in [token, "192.168.1.20", machine, "Living Room Server"] {
            assert!(!text.contains(secret), "{secret} left in:\n{text}");
        }
        assert!(text.contains(RECORDED_HOST) && text.contains(RECORDED_MACHINE_ID));
        Scenario::from_json(&text, "the report").expect("a scenario");
    }
}
