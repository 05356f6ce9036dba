//! plexdl: the desktop host of PlexDownloader. It runs the same core as the Android app and
//! plays the part WorkManager plays there (`plexdl run`).
//!
//! Exit codes: 0 ok, 1 another error, 2 usage (bad arguments or input), 3 not signed in,
//! 4 server unreachable, 5 a download failed, 6 another process runs the downloads of this
//! data folder (`plexdl run` beside a running `plexdl run` or `plexdl ui`).

mod commands;
mod opener;
mod paths;
#[path = "probeReport.rs"]
mod probe_report;
mod progress;
mod scheduler;
mod terminal;
#[path = "uiServer.rs"]
mod ui_server;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code: another error.
pub const EXIT_ERROR: u8 = 1;
/// Exit code: bad arguments or input.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: not signed in (or the token was refused).
pub const EXIT_NOT_SIGNED_IN: u8 = 3;
/// Exit code: the server could not be reached.
pub const EXIT_UNREACHABLE: u8 = 4;
/// Exit code: a download failed.
pub const EXIT_DOWNLOAD_FAILED: u8 = 5;
/// Exit code: another process holds the data folder's runner lock.
pub const EXIT_OTHER_RUNNER: u8 = 6;

#[derive(Debug, Parser)]
#[command(
    name = "plexdl",
    version,
    about = "Download media from your Plex Media Server for offline playback"
)]
pub struct Cli {
    /// The data folder (manifest, settings, downloads); default: the platform data folder.
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Write logs to this file (tokens are always removed).
    #[arg(long, global = true)]
    pub log_file: Option<PathBuf>,
    /// More detail in the logs (-v: info, -vv: debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in to Plex with a PIN (prints the code and the link, waits, keeps the token).
    Login,
    /// Forget the Plex sign-in.
    Logout,
    /// List the connected servers.
    Servers {
        #[arg(long)]
        json: bool,
    },
    /// Add a server by address. The token comes from PLEXDL_TOKEN or --token-file, never
    /// from the command line (it would show in the process list).
    Connect {
        #[arg(long)]
        url: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        token_file: Option<PathBuf>,
    },
    /// Browse a server's library.
    Browse {
        #[command(subcommand)]
        what: Browse,
        /// The server (needed when more than one is connected).
        #[arg(long, global = true)]
        server: Option<String>,
        #[arg(long, global = true)]
        json: bool,
    },
    /// Queue downloads; a show or season key queues every episode. Prints the new ids.
    Download {
        #[arg(required = true)]
        keys: Vec<String>,
        /// original, 1080p, 720p or 480p.
        #[arg(long, default_value = "original")]
        quality: String,
        #[arg(long)]
        server: Option<String>,
    },
    /// Show every download.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Pause a download.
    Pause { id: i64 },
    /// Resume a paused download.
    Resume { id: i64 },
    /// Cancel a download (its partial file is removed).
    Cancel { id: i64 },
    /// Try a failed or cancelled download again.
    Retry { id: i64 },
    /// Remove a download and its files.
    Remove { id: i64 },
    /// Mark a download's item as watched; its server is told when it can be reached (by
    /// `plexdl run` or `plexdl ui`).
    Watched { id: i64 },
    /// Mark a download's item as not watched.
    Unwatched { id: i64 },
    /// Record where playback of a download stopped, in seconds from the start.
    Position { id: i64, seconds: u64 },
    /// Open a finished download in the system's player (`xdg-open`, `open` on macOS, or
    /// the program in `PLEXDL_OPENER`).
    Play { id: i64 },
    /// Keep the next unwatched episodes of a show or season downloaded: a rule, applied now
    /// and again by `plexdl run` as episodes are watched. `--list` shows the rules,
    /// `--remove RULE_ID` removes one (its downloads stay).
    Keep {
        /// The show or season (its rating key).
        key: Option<String>,
        /// How many unwatched episodes to keep ahead: 1 to 10, or "all".
        #[arg(long)]
        next: Option<String>,
        /// original, 1080p, 720p or 480p.
        #[arg(long, default_value = "original")]
        quality: String,
        /// What becomes of a watched episode: keep, day (deleted a day after it was
        /// watched) or now (deleted at once).
        #[arg(long, default_value = "keep")]
        watched: String,
        #[arg(long)]
        server: Option<String>,
        #[arg(long, conflicts_with_all = ["key", "remove"])]
        list: bool,
        #[arg(long, conflicts_with = "key")]
        remove: Option<i64>,
    },
    /// Set the storage limit for keep rules, in GB, or "none". Above it, watched episodes
    /// that rules downloaded are deleted first, then rules stop queuing.
    Budget { limit: String },
    /// Compare the downloads with the files on disk and repair what differs. With --deep,
    /// read every finished file and compare its SHA-256 with the one recorded.
    Verify {
        #[arg(long)]
        deep: bool,
    },
    /// Rebuild a damaged or lost list of downloads from the small files beside the
    /// downloads (the damaged one is kept under a dated name).
    Doctor,
    /// Check what your own server does for downloads, without changing anything: version,
    /// permission, the download queue, the headers of a part (HEAD, a one-byte range, an
    /// open-ended range) and a conversion decision. Prints a table; --out also writes a
    /// report with every token, address, identifier and name removed, which
    /// `plexdl-replay --scenario` loads.
    Probe {
        #[arg(long)]
        server: Option<String>,
        /// The item to probe with (a rating key); default: the first film.
        #[arg(long)]
        item: Option<String>,
        /// Also send one short conversion through the download queue (it is added,
        /// fetched for 1 MiB and removed again).
        #[arg(long)]
        queue: bool,
        /// Write the report here.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Run downloads: the scheduler. With --until-idle, stop when nothing is left to do.
    Run {
        #[arg(long)]
        until_idle: bool,
    },
    /// Serve the app's screens and bridge on this machine, and run downloads.
    Ui {
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: std::net::SocketAddr,
        /// The built UI (default: ui-wasm/dist).
        #[arg(long, default_value = "ui-wasm/dist")]
        ui_dir: PathBuf,
        /// Allow a --listen address other machines can reach (prints the key to open it).
        #[arg(long)]
        allow_remote: bool,
    },
    /// Start a built-in replay Plex server, connect to it, queue a film and an episode, and
    /// serve the app (data goes to a new temporary folder unless --data-dir is given).
    Demo {
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: std::net::SocketAddr,
        #[arg(long, default_value = "ui-wasm/dist")]
        ui_dir: PathBuf,
        /// Do not serve: run the downloads, print their state and exit (0 when all finished).
        #[arg(long)]
        exit_when_done: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum Browse {
    /// The library sections.
    Sections,
    /// The items of a section.
    Items { section: String },
    /// One item.
    Item { key: String },
    /// The children of an item (seasons, episodes).
    Children { key: String },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    plexdl_core::logging::install_panic_redaction();
    let filter = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    match &cli.log_file {
        Some(path) => match plexdl_core::logging::install_file(filter, path) {
            Ok(_) => {}
            Err(error) => {
                eprintln!(
                    "plexdl: cannot write the log file {}: {error}",
                    path.display()
                );
                return ExitCode::from(EXIT_USAGE);
            }
        },
        None => {
            plexdl_core::logging::install_stderr(filter);
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("plexdl: cannot start: {error}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    ExitCode::from(runtime.block_on(commands::run(cli)))
}
