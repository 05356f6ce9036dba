//! The commands of plexdl. Each one opens the app on the data folder, does its work through
//! the core, prints plain lines (or JSON with --json), and returns the exit code.

use std::sync::Arc;
use std::time::Duration;

use plexdl_core::app::snapshots::item_summary;
use plexdl_core::app::{App, AppError, AppSettings};
use plexdl_core::engine::CoreError;
use plexdl_core::plex::{PlexError, QualityPreset};
use plexdl_protocol::{FailureKind, KeepRule, KeepRuleParams, WhenWatched};

use crate::scheduler::{self, Outcome};
use crate::{
    Browse, Cli, Command, EXIT_DOWNLOAD_FAILED, EXIT_ERROR, EXIT_NOT_SIGNED_IN, EXIT_OTHER_RUNNER,
    EXIT_UNREACHABLE, EXIT_USAGE,
};
use plexdl_core::engine::signals::StopSignal;

/// A command's failure: the message for stderr and the exit code.
struct Failure {
    message: String,
    code: u8,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        code: EXIT_USAGE,
    }
}

impl From<AppError> for Failure {
    fn from(error: AppError) -> Failure {
        let plex = match &error {
            AppError::Plex(plex) | AppError::Core(CoreError::Plex(plex)) => Some(plex),
            _ => None,
        };
        let code = match (&error, plex.map(PlexError::kind)) {
            (_, Some(FailureKind::Unauthorized | FailureKind::SignInExpired)) => EXIT_NOT_SIGNED_IN,
            (
                _,
                Some(
                    FailureKind::Unreachable
                    | FailureKind::Timeout
                    | FailureKind::Tls
                    | FailureKind::ConnectionLost,
                ),
            ) => EXIT_UNREACHABLE,
            (AppError::UnknownServer(_) | AppError::Core(CoreError::UnknownServer(_)), _) => {
                EXIT_UNREACHABLE
            }
            (
                AppError::Core(CoreError::Manifest(
                    plexdl_core::manifest::ManifestError::NoSuchDownload(_),
                )),
                _,
            ) => EXIT_USAGE,
            (
                AppError::Core(CoreError::NothingToDownload(_) | CoreError::NotFinished(_))
                | AppError::DataDir { .. },
                _,
            ) => EXIT_USAGE,
            (_, Some(FailureKind::NotFound)) => EXIT_USAGE,
            _ => EXIT_ERROR,
        };
        let message = match (plex, &error) {
            (Some(plex), _) => format!("{} ({plex})", plex.user_message()),
            (None, AppError::Core(CoreError::Manifest(manifest))) => manifest.user_message(),
            (
                None,
                AppError::Core(
                    CoreError::ManifestStopped(_)
                    | CoreError::DownloadFolderMissing(_)
                    | CoreError::NotFinished(_)
                    | CoreError::NoFile(_),
                ),
            ) => error.public().message,
            (None, _) => error.to_string(),
        };
        Failure { message, code }
    }
}

impl From<CoreError> for Failure {
    fn from(error: CoreError) -> Failure {
        Failure::from(AppError::Core(error))
    }
}

impl From<PlexError> for Failure {
    fn from(error: PlexError) -> Failure {
        Failure::from(AppError::Plex(error))
    }
}

fn print_json<T: serde::Serialize>(value: &T) {
    crate::say!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

fn open(cli: &Cli) -> Result<App, Failure> {
    let data_dir = match cli.data_dir.clone().or_else(crate::paths::default_data_dir) {
        Some(dir) => dir,
        None => return Err(usage("no data folder: pass --data-dir or set HOME")),
    };
    open_at(data_dir)
}

fn open_at(data_dir: std::path::PathBuf) -> Result<App, Failure> {
    Ok(App::open(app_settings(data_dir))?)
}

fn app_settings(data_dir: std::path::PathBuf) -> AppSettings {
    let mut settings = AppSettings::new(data_dir);
    // For the demo and tests against a local replay server only.
    if let Some(plex_tv) = std::env::var("PLEXDL_PLEX_TV")
        .ok()
        .filter(|value| !value.is_empty())
    {
        settings.plex_tv = plex_tv;
    }
    settings.allow_plain_http_remote =
        std::env::var("PLEXDL_ALLOW_PLAIN_HTTP").is_ok_and(|value| value == "1");
    settings
}

/// `plexdl doctor`: the repair runs before any App is opened, since a damaged manifest may
/// not open at all.
fn doctor(cli: &Cli) -> Result<u8, Failure> {
    let data_dir = match cli.data_dir.clone().or_else(crate::paths::default_data_dir) {
        Some(dir) => dir,
        None => return Err(usage("no data folder: pass --data-dir or set HOME")),
    };
    let report = App::repair_manifest(&app_settings(data_dir)).map_err(|error| match &error {
        AppError::Core(CoreError::Runner(_)) => Failure {
            message: error.public().message,
            code: EXIT_OTHER_RUNNER,
        },
        _ => Failure::from(error),
    })?;
    match &report.kept_as {
        Some(path) => crate::say!("The old list of downloads was kept as {path}."),
        None => crate::say!("There was no list of downloads; a new one was started."),
    }
    crate::say!(
        "Rebuilt from the files beside the downloads: {} finished downloads back, {} unfinished ones queued again from the start.",
        report.finished,
        report.queued_again
    );
    Ok(0)
}

/// A server address must carry no credentials: a user name, a password or a token in the
/// URL would show in the process list and the shell's history, and would be printed back.
/// The message never repeats the address.
fn refuse_credentials_in(url: &str) -> Result<(), Failure> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|error| usage(format!("--url is not an address ({error}).")))?;
    let has_token = parsed
        .query_pairs()
        .any(|(name, _)| name.eq_ignore_ascii_case("X-Plex-Token"));
    if !parsed.username().is_empty() || parsed.password().is_some() || has_token {
        return Err(usage(
            "--url must not hold a user name, password or token; give the token through PLEXDL_TOKEN or --token-file.",
        ));
    }
    Ok(())
}

/// Picks the server a command is about: the one named, or the only one connected.
fn server_id(app: &App, named: &Option<String>) -> Result<String, Failure> {
    let servers = app.servers();
    match named {
        Some(id) => servers
            .iter()
            .find(|server| &server.id == id || &server.name == id)
            .map(|server| server.id.clone())
            .ok_or_else(|| {
                usage(format!(
                    "no server {id:?} is connected; see `plexdl servers`"
                ))
            }),
        None => match servers.as_slice() {
            [only] => Ok(only.id.clone()),
            [] => Err(Failure {
                message: "no server is connected: run `plexdl login` or `plexdl connect --url URL`"
                    .to_string(),
                code: EXIT_NOT_SIGNED_IN,
            }),
            _ => Err(usage(
                "more than one server is connected: name one with --server",
            )),
        },
    }
}

fn read_token(token_file: &Option<std::path::PathBuf>) -> Result<String, Failure> {
    let token = match token_file {
        Some(path) => std::fs::read_to_string(path).map_err(|error| {
            usage(format!(
                "cannot read the token file {}: {error}",
                path.display()
            ))
        })?,
        None => std::env::var("PLEXDL_TOKEN")
            .map_err(|_| usage("no token: set PLEXDL_TOKEN or pass --token-file FILE"))?,
    };
    let token = token.trim().to_string();
    if token.is_empty() {
        return Err(usage("the token is empty"));
    }
    plexdl_redact::register_secret(&token);
    Ok(token)
}

/// Runs the command and returns the exit code.
pub async fn run(cli: Cli) -> u8 {
    match execute(&cli).await {
        Ok(code) => code,
        Err(failure) => {
            crate::complain!("plexdl: {}", plexdl_redact::redact_text(&failure.message));
            failure.code
        }
    }
}

async fn execute(cli: &Cli) -> Result<u8, Failure> {
    if let Command::Demo {
        listen,
        ui_dir,
        exit_when_done,
    } = &cli.command
    {
        return demo(cli, *listen, ui_dir.clone(), *exit_when_done).await;
    }
    if let Command::Doctor = &cli.command {
        return doctor(cli);
    }
    let app = open(cli)?;
    match &cli.command {
        Command::Login => {
            let pin = app.start_sign_in().await?;
            crate::say!(
                "Open this link and confirm the sign-in:\n  {}\nThe code is {}",
                pin.auth_url,
                pin.code
            );
            loop {
                if app.poll_sign_in(pin.id).await? {
                    crate::say!("Signed in. Servers: {}", app.servers().len());
                    return Ok(0);
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Command::Logout => {
            app.account().sign_out()?;
            crate::say!("Signed out.");
        }
        Command::Servers { json } => {
            if app.account().saved_token()?.is_some()
                && let Err(error) = app.refresh_account_servers().await
            {
                crate::complain!(
                    "plexdl: the server list could not be refreshed: {}",
                    plexdl_redact::redact_text(&error.to_string())
                );
            }
            let servers = app.servers();
            if *json {
                print_json(&servers);
            } else if servers.is_empty() {
                crate::say!("No server is connected.");
            } else {
                for server in servers {
                    crate::say!(
                        "{}  {}  {}",
                        server.id,
                        server.name,
                        server
                            .connection
                            .unwrap_or_else(|| "not reachable now".to_string())
                    );
                }
            }
        }
        Command::Connect {
            url,
            name,
            token_file,
        } => {
            refuse_credentials_in(url)?;
            let token = read_token(token_file)?;
            let server = app.connect_direct(url, &token, name.as_deref()).await?;
            crate::say!(
                "Connected to {} ({}) at {}",
                server.name,
                server.id,
                server.connection.unwrap_or_default()
            );
        }
        Command::Browse { what, server, json } => {
            let id = server_id(&app, server)?;
            let plex = app.server(&id)?;
            match what {
                Browse::Sections => {
                    let sections = plex.sections().await?;
                    if *json {
                        print_json(&sections);
                    } else {
                        for section in sections {
                            crate::say!(
                                "{}  {}  {:?}",
                                section.key.unwrap_or_default(),
                                section.title.unwrap_or_default(),
                                section.kind
                            );
                        }
                    }
                }
                Browse::Items { section } => {
                    let items = plex.all_items(section, 100).await?;
                    let summaries: Vec<_> = items.iter().map(item_summary).collect();
                    print_items(&summaries, *json);
                }
                Browse::Item { key } => {
                    let item = plex.metadata(key).await?;
                    if *json {
                        print_json(&item);
                    } else {
                        print_items(&[item_summary(&item)], false);
                    }
                }
                Browse::Children { key } => {
                    let children = plex.children(key).await?;
                    let summaries: Vec<_> = children.iter().map(item_summary).collect();
                    print_items(&summaries, *json);
                }
            }
        }
        Command::Download {
            keys,
            quality,
            server,
        } => {
            let preset = QualityPreset::from_name(quality).ok_or_else(|| {
                usage(format!(
                    "unknown quality {quality:?}: use original, 1080p, 720p or 480p"
                ))
            })?;
            let id = server_id(&app, server)?;
            let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            let ids = app.core().enqueue(&id, &refs, preset).await?;
            for id in ids {
                crate::say!("{id}");
            }
        }
        Command::Status { json } => {
            let rows = app.core().list()?;
            if *json {
                print_json(
                    &rows
                        .iter()
                        .map(|row| app.download_snapshot(row))
                        .collect::<Vec<_>>(),
                );
            } else if rows.is_empty() {
                crate::say!("No downloads.");
            } else {
                for row in rows {
                    let snap = app.download_snapshot(&row);
                    let total = snap
                        .bytes_total
                        .map(|t| format!("{:.1} MB", t as f64 / 1e6))
                        .unwrap_or_else(|| "?".to_string());
                    let error = snap
                        .error_message
                        .map(|m| format!("  {m}"))
                        .unwrap_or_default();
                    let watched = if snap.watched {
                        "  watched".to_string()
                    } else {
                        snap.position_seconds
                            .map(|at| format!("  stopped at {}", clock_time(at)))
                            .unwrap_or_default()
                    };
                    crate::say!(
                        "{}  {}  {}  {:.1} of {total}{watched}{error}",
                        snap.id,
                        snap.title,
                        snap.phase,
                        snap.bytes_done as f64 / 1e6
                    );
                }
                let waiting = app.core().watch_outbox()?.len();
                if waiting > 0 {
                    crate::say!(
                        "{waiting} watched-state change(s) wait for their server; `plexdl run` sends them when it answers."
                    );
                }
            }
        }
        Command::Pause { id } => print_row(app.core().pause(*id)?),
        Command::Resume { id } => print_row(app.core().resume(*id)?),
        Command::Cancel { id } => print_row(app.core().cancel(*id)?),
        Command::Retry { id } => print_row(app.core().retry(*id)?),
        Command::Remove { id } => {
            app.core().delete(*id)?;
            crate::say!("Removed download {id} and its files.");
        }
        Command::Watched { id } | Command::Unwatched { id } => {
            let watched = matches!(cli.command, Command::Watched { .. });
            let row = app.core().mark_watched(*id, watched)?;
            let word = if watched { "watched" } else { "not watched" };
            crate::say!(
                "{}  {}  marked {word}; the server is told when it can be reached.",
                row.id,
                row.title
            );
        }
        Command::Keep {
            key,
            next,
            quality,
            watched,
            server,
            list,
            remove,
        } => {
            if let Some(rule) = remove {
                app.core().remove_rule(*rule)?;
                crate::say!("Removed rule {rule}; the episodes it downloaded stay.");
            } else if let Some(key) = key {
                let keep_next = match next.as_deref() {
                    None | Some("all") => None,
                    Some(number) => Some(number.parse::<u32>().map_err(|_| {
                        usage(format!(
                            "--next takes a number from 1 to 10, or all (not {number:?})"
                        ))
                    })?),
                };
                let when_watched = match watched.as_str() {
                    "keep" => WhenWatched::Keep,
                    "day" => WhenWatched::DeleteAfterADay,
                    "now" => WhenWatched::DeleteAtOnce,
                    other => {
                        return Err(usage(format!(
                            "--watched takes keep, day or now (not {other:?})"
                        )));
                    }
                };
                let params = KeepRuleParams {
                    server_id: server_id(&app, server)?,
                    rating_key: key.clone(),
                    keep_next,
                    quality: quality.clone(),
                    when_watched,
                };
                let rule = app.core().set_rule(&params).await?;
                print_rule(&rule);
            } else if *list || key.is_none() {
                let rules = app.core().rules()?;
                if rules.is_empty() {
                    crate::say!("No keep rules.");
                }
                for rule in rules {
                    print_rule(&rule);
                }
            }
        }
        Command::Budget { limit } => {
            let bytes = match limit.as_str() {
                "none" => None, // not the protocol's vocabulary: the word for no limit
                number => match number.parse::<f64>() {
                    Ok(gigabytes) if gigabytes.is_finite() && gigabytes > 0.0 => {
                        Some((gigabytes * 1e9) as u64)
                    }
                    _ => {
                        return Err(usage(format!(
                            "the limit is a number of GB above 0, or none (not {number:?})"
                        )));
                    }
                },
            };
            let storage = app.core().set_storage_budget(bytes)?;
            match storage.budget_bytes {
                Some(budget) => crate::say!(
                    "Keep rules stay under {}; downloads take {} now.",
                    plexdl_core::engine::keep_rules::gigabytes(budget),
                    plexdl_core::engine::keep_rules::gigabytes(storage.used_bytes)
                ),
                None => crate::say!("Keep rules have no storage limit."),
            }
        }
        Command::Position { id, seconds } => {
            let row = app.core().set_position(*id, *seconds)?;
            crate::say!(
                "{}  {}  stopped at {}; the server is told when it can be reached.",
                row.id,
                row.title,
                clock_time(*seconds)
            );
        }
        Command::Play { id } => {
            let file = app.core().finished_file(*id)?;
            crate::opener::open(&file).map_err(|error| Failure {
                message: crate::opener::not_started(&error),
                code: EXIT_ERROR,
            })?;
            crate::say!("{id}  {}  handed to the player.", file.display());
        }
        Command::Probe {
            server,
            item,
            queue,
            out,
        } => {
            let id = server_id(&app, server)?;
            let plex = app.server(&id)?;
            let report = plex
                .probe_downloads(item.as_deref(), *queue)
                .await
                .map_err(AppError::from)?;
            for (check, result) in crate::probe_report::table(&report) {
                crate::say!("{check:<24} {result}");
            }
            if let Some(out) = out {
                crate::probe_report::write(&report, &plex, &id, out).map_err(|message| {
                    Failure {
                        message,
                        code: EXIT_ERROR,
                    }
                })?;
                crate::say!("report written to {}", out.display());
            }
        }
        Command::Verify { deep } => {
            let report = if *deep {
                app.core().verify_deep()?
            } else {
                app.core().verify()?
            };
            print_json(&report);
        }
        Command::Run { until_idle } => {
            let stop = Arc::new(StopSignal::new());
            let watcher = stop.clone();
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    watcher.raise();
                }
            });
            // A second runner on one data folder says who holds it and exits.
            if let Err(error) = app.core().become_runner("plexdl run") {
                return Err(Failure {
                    message: error.public().message,
                    code: EXIT_OTHER_RUNNER,
                });
            }
            let outcome = scheduler::run(
                Arc::new(app),
                *until_idle,
                stop,
                "plexdl run".to_string(),
                false,
            )
            .await?;
            return Ok(match outcome {
                Outcome::AllDone | Outcome::Stopped => 0,
                Outcome::SomeFailed => EXIT_DOWNLOAD_FAILED,
            });
        }
        Command::Ui {
            listen,
            ui_dir,
            allow_remote,
        } => {
            return serve(Arc::new(app), *listen, ui_dir.clone(), *allow_remote).await;
        }
        Command::Demo { .. } | Command::Doctor => {}
    }
    Ok(0)
}

/// Serves the UI and the bridge and runs the scheduler until Ctrl-C.
async fn serve(
    app: Arc<App>,
    listen: std::net::SocketAddr,
    ui_dir: std::path::PathBuf,
    allow_remote: bool,
) -> Result<u8, Failure> {
    // Beyond this machine, anyone who reaches the port and has the key controls plexdl:
    // that takes a flag, never a listen address alone.
    let remote = !listen.ip().is_loopback();
    if remote && !allow_remote {
        return Err(usage(format!(
            "{listen} is reachable from other machines; plexdl ui listens on this machine only (127.0.0.1) unless --allow-remote is given as well."
        )));
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|error| usage(format!("cannot listen on {listen}: {error}")))?;
    let address = listener
        .local_addr()
        .map_err(|error| usage(error.to_string()))?;
    let secret = crate::ui_server::new_secret().map_err(|error| Failure {
        message: format!("no random numbers for the launch secret: {error}"),
        code: EXIT_ERROR,
    })?;
    crate::say!("Serving the app at http://{address}/ (bridge: POST http://{address}/bridge)");
    if remote {
        crate::say!(
            "This address is reachable from other machines. Open http://{address}/?key={secret} there (with this machine's name or address); anyone with that key controls plexdl until it stops."
        );
    }
    let stop = Arc::new(StopSignal::new());
    // If another process runs the downloads, this one shows them and passes commands on
    // through the manifest; its scheduler takes over when that process ends.
    let scheduler_task = tokio::spawn(scheduler::run(
        app.clone(),
        false,
        stop.clone(),
        format!("plexdl ui at http://{address}/"),
        true,
    ));
    let state = crate::ui_server::UiState {
        app,
        ui_dir: Some(ui_dir),
        secret: secret.into(),
        remote,
    };
    let shutdown = {
        let stop = stop.clone();
        async move {
            let _ = tokio::signal::ctrl_c().await;
            stop.raise();
        }
    };
    crate::ui_server::serve_bounded(listener, crate::ui_server::router(state), shutdown)
        .await
        .map_err(|error| Failure {
            message: format!("the server stopped: {error}"),
            code: EXIT_ERROR,
        })?;
    stop.raise();
    let _ = scheduler_task.await;
    Ok(0)
}

/// The demo: a replay Plex server in this process, connected, with a film and an episode
/// queued; then either serve the app or run until the downloads end.
async fn demo(
    cli: &Cli,
    listen: std::net::SocketAddr,
    ui_dir: std::path::PathBuf,
    exit_when_done: bool,
) -> Result<u8, Failure> {
    let replay = plexdl_replay::ReplayServer::start_default().map_err(|error| Failure {
        message: format!("the demo server could not start: {error}"),
        code: EXIT_ERROR,
    })?;
    let data_dir = match &cli.data_dir {
        Some(dir) => dir.clone(),
        None => {
            std::env::temp_dir().join(format!("plexdl-demo-{}", plexdl_core::manifest::now_ms()))
        }
    };
    let mut settings = AppSettings::new(&data_dir);
    settings.plex_tv = replay.base_url().to_string();
    settings.allow_plain_http_remote = true;
    let app = App::open(settings)?;
    let server = app
        .connect_direct(
            replay.base_url(),
            replay.token(),
            Some("Demo server (replay)"),
        )
        .await?;
    let mut ids = app
        .core()
        .enqueue(&server.id, &["55"], QualityPreset::Original)
        .await?;
    ids.extend(
        app.core()
            .enqueue(&server.id, &["90"], QualityPreset::Original)
            .await?,
    );
    crate::say!(
        "Demo: a replay Plex server runs at {}; data and downloads go to {}",
        replay.base_url(),
        data_dir.display()
    );
    crate::say!("Demo: queued downloads {ids:?} (a film and an episode)");
    let app = Arc::new(app);
    if !exit_when_done {
        return serve(app, listen, ui_dir, false).await;
    }
    let outcome = scheduler::run(
        app.clone(),
        true,
        Arc::new(StopSignal::new()),
        "plexdl demo".to_string(),
        false,
    )
    .await?;
    for row in app.core().list()? {
        let snap = app.download_snapshot(&row);
        crate::say!(
            "{}  {}  {}  {}",
            snap.id,
            snap.title,
            snap.phase,
            snap.local_file_path.unwrap_or_default()
        );
    }
    drop(replay);
    Ok(match outcome {
        Outcome::SomeFailed => EXIT_DOWNLOAD_FAILED,
        _ => 0,
    })
}

fn print_rule(rule: &KeepRule) {
    let ahead = rule
        .keep_next
        .map_or("every unwatched episode".to_string(), |next| {
            format!("the next {next} unwatched")
        });
    let stopped = rule
        .stopped_reason
        .as_ref()
        .map(|reason| format!("  {reason}."))
        .unwrap_or_default();
    crate::say!(
        "rule {}  {}  keeps {ahead} at {}; {}{stopped}",
        rule.id,
        rule.title,
        rule.quality,
        rule.when_watched.label().to_lowercase()
    );
}

/// Seconds as h:mm:ss (or m:ss under an hour).
fn clock_time(seconds: u64) -> String {
    let (hours, minutes, seconds) = (seconds / 3_600, seconds / 60 % 60, seconds % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}

fn print_row(row: plexdl_core::manifest::DownloadRow) {
    crate::say!(
        "{}  {}  {}",
        row.id,
        row.title,
        row.download_status.phase_with(row.bytes_done)
    );
}

fn print_items(items: &[plexdl_protocol::ItemSummary], json: bool) {
    if json {
        print_json(&items);
        return;
    }
    for item in items {
        let year = item.year.map(|y| format!(" ({y})")).unwrap_or_default();
        crate::say!("{}  {}{year}  {}", item.rating_key, item.title, item.kind);
    }
}
