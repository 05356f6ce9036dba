//! Downloads end to end against the replay server: every fixture file direct and queued,
//! byte-identical; pause and resume; faults; restarts; hostile names.

#[path = "shared/logCapture.rs"]
mod log_capture;

#[path = "downloads/support.rs"]
mod support;

#[path = "downloads/direct.rs"]
mod direct;

#[path = "downloads/queued.rs"]
mod queued;

#[path = "downloads/control.rs"]
mod control;

#[path = "downloads/faultMatrix.rs"]
mod fault_matrix;

#[path = "downloads/restarts.rs"]
mod restarts;

#[path = "downloads/hostileNames.rs"]
mod hostile_names;

#[path = "downloads/liveAndPolicy.rs"]
mod live_and_policy;

#[path = "downloads/liveTranscode.rs"]
mod live_transcode;

#[path = "downloads/connections.rs"]
mod connections;

#[path = "downloads/permission.rs"]
mod permission;

#[path = "downloads/verification.rs"]
mod verification;

#[path = "downloads/tokenStaysHome.rs"]
mod token_stays_home;

#[path = "downloads/rebuild.rs"]
mod rebuild;

#[path = "downloads/versions.rs"]
mod versions;

#[path = "downloads/realServerParts.rs"]
mod real_server_parts;

#[path = "downloads/queueRun.rs"]
mod queue_run;

#[path = "downloads/watched.rs"]
mod watched;

#[path = "downloads/keepRules.rs"]
mod keep_rules;
