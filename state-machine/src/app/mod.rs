//! The application as hosts see it: the data folder, the client identity, the plex.tv
//! account, the saved servers and the download core, opened together. Hosts (the desktop
//! program, the Android JNI bridge) hold one `App` and talk to it through [`App::dispatch`]
//! (bridge requests from the UI) and the scheduling calls of the download core.

pub mod background;
pub mod dispatch;
pub mod pushes;
pub mod repair;
#[path = "serverStore.rs"]
pub mod server_store;
pub mod snapshots;
pub mod thumbnails;
#[path = "userSettings.rs"]
pub mod user_settings;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use plexdl_protocol::{
    Diagnostics, Estimate, QualityEstimate, ServerSummary, SettingsChange, SettingsView,
    UserSettings,
};

use crate::engine::{CoreError, DownloadCore, EngineSettings};
use crate::plex::{
    ClientIdentity, ConnectionPolicy, FileTokenStore, Pin, PlexAccount, PlexError, PlexServer,
    QualityPreset, ServerInfo, TokenStore, Transport, TransportSettings,
};
use server_store::{SavedConnection, SavedServer, ServerStore};

/// Where the app keeps its data and whom it talks to.
#[derive(Debug, Clone)]
pub struct AppSettings {
    pub data_dir: PathBuf,
    /// Where downloads go (default: `downloads` in the data folder).
    pub download_dir: Option<PathBuf>,
    /// plex.tv's address (changed only by tests and the demo).
    pub plex_tv: String,
    pub transport: TransportSettings,
    /// Plain http for remote addresses too (tests and the demo against a local server only).
    pub allow_plain_http_remote: bool,
    /// Places the host offers for downloads, as (label, folder); shown as choices on the
    /// Settings screen.
    pub storage_choices: Vec<(String, PathBuf)>,
}

impl AppSettings {
    /// Defaults for a data folder.
    pub fn new(data_dir: impl Into<PathBuf>) -> AppSettings {
        AppSettings {
            data_dir: data_dir.into(),
            download_dir: None,
            plex_tv: crate::plex::PLEX_TV.to_string(),
            transport: TransportSettings::default(),
            allow_plain_http_remote: false,
            storage_choices: Vec::new(),
        }
    }
}

/// A failure of an app operation.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Plex(#[from] PlexError),
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("the data folder {path} cannot be used: {reason}")]
    DataDir { path: String, reason: String },
    #[error("no server with id {0} is connected")]
    UnknownServer(String),
    #[error(transparent)]
    Settings(#[from] user_settings::Refused),
    /// A request the app cannot carry out as it was made.
    #[error("{0}")]
    BadRequest(String),
}

impl AppError {
    /// The app's one mapping to the public error (the bridge's error answers, the hosts'
    /// exceptions): the kind, whose row in the table gives the action and log level, and a
    /// plain sentence without tokens.
    pub fn public(&self) -> plexdl_protocol::ErrorBody {
        use plexdl_protocol::{ErrorBody, FailureKind};
        match self {
            AppError::Plex(plex) => ErrorBody::new(plex.kind(), plex.user_message()),
            AppError::Core(core) => core.public(),
            AppError::UnknownServer(id) => CoreError::UnknownServer(id.clone()).public(),
            AppError::DataDir { .. } => ErrorBody::new(
                FailureKind::Storage,
                plexdl_redact::redact_text(&self.to_string()).into_owned(),
            ),
            AppError::Settings(refused) => {
                ErrorBody::new(FailureKind::BadRequest, refused.0.clone())
            }
            AppError::BadRequest(message) => {
                ErrorBody::new(FailureKind::BadRequest, message.clone())
            }
        }
    }
}

/// The opened application.
#[derive(Debug)]
pub struct App {
    settings: AppSettings,
    transport: Transport,
    account: PlexAccount,
    core: Arc<DownloadCore>,
    servers: ServerStore,
    pending_pin: Mutex<Option<Pin>>,
    user: Mutex<UserSettings>,
    /// The download folder when there is no storage choice (the host's or the app's own).
    default_download_dir: PathBuf,
    /// What the host says limits the downloads now (see background.rs).
    background_limit: Mutex<Option<plexdl_protocol::BackgroundLimit>>,
}

impl App {
    /// Opens (creating if needed) the app's data folder.
    pub fn open(settings: AppSettings) -> Result<App, AppError> {
        let data_dir = settings.data_dir.clone();
        std::fs::create_dir_all(&data_dir).map_err(|error| AppError::DataDir {
            path: data_dir.display().to_string(),
            reason: error.to_string(),
        })?;
        let probe = data_dir.join(".writable");
        std::fs::write(&probe, b"ok").map_err(|error| AppError::DataDir {
            path: data_dir.display().to_string(),
            reason: format!("it is not writable ({error})"),
        })?;
        let _ = std::fs::remove_file(&probe);
        let identity = ClientIdentity::load_or_create(&data_dir.join("clientId"))?;
        let transport = Transport::new(identity, settings.transport.clone())?;
        let store = Arc::new(FileTokenStore::new(data_dir.join("account").join("token")));
        let account = PlexAccount::new(transport.clone(), settings.plex_tv.clone(), store);
        let (engine_settings, default_download_dir, user) = App::engine_settings(&settings);
        let core = Arc::new(DownloadCore::open(&data_dir, engine_settings)?);
        core.set_wifi_only(user.wifi_only)?;
        let servers = ServerStore::open(&data_dir)?;
        let app = App {
            settings,
            transport,
            account,
            core,
            servers,
            pending_pin: Mutex::new(None),
            user: Mutex::new(user),
            default_download_dir,
            background_limit: Mutex::new(None),
        };
        for saved in app.servers.list() {
            match app.build_server(&saved) {
                Ok(server) => app.register(&saved.id, server),
                Err(error) => {
                    tracing::warn!(server = %saved.id, %error, "a saved server could not be loaded")
                }
            }
        }
        Ok(app)
    }

    /// The engine's settings from the app's settings and the user's saved ones, with the
    /// default download folder and the user's settings they came from.
    fn engine_settings(
        settings: &AppSettings,
    ) -> (EngineSettings, PathBuf, plexdl_protocol::UserSettings) {
        let data_dir = &settings.data_dir;
        let default_download_dir = settings
            .download_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("downloads"));
        let user = user_settings::load(data_dir);
        let download_dir = user_settings::download_dir(&user, default_download_dir.clone());
        let mut engine_settings = EngineSettings::new(download_dir);
        engine_settings.busy_policy =
            user_settings::busy_policy(&user.busy_policy).unwrap_or(engine_settings.busy_policy);
        engine_settings.max_transfers = user.max_transfers as usize;
        engine_settings.max_transfers_per_server = user.max_transfers as usize;
        (engine_settings, default_download_dir, user)
    }

    /// A download as the UI shows it (after a command, from the manifest alone).
    pub fn download_snapshot(
        &self,
        row: &crate::manifest::DownloadRow,
    ) -> plexdl_protocol::DownloadSnapshot {
        // A watched state that cannot be read shows the download as not watched; the
        // failure is logged (the manifest's own errors reach the user through the list).
        let watch = self.core.watch_state(row).unwrap_or_else(|error| {
            tracing::warn!(download_id = row.id, %error, "the watched state could not be read");
            None
        });
        snapshots::snapshot(row, watch.as_ref())
    }

    /// The download core.
    pub fn core(&self) -> &DownloadCore {
        &self.core
    }

    /// The download core, shared: what a run of the queue needs (its steps are tasks of
    /// their own).
    pub fn shared_core(&self) -> Arc<DownloadCore> {
        self.core.clone()
    }

    /// The plex.tv account.
    pub fn account(&self) -> &PlexAccount {
        &self.account
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.settings.data_dir
    }

    fn policy(&self) -> ConnectionPolicy {
        ConnectionPolicy {
            allow_plain_http_remote: self.settings.allow_plain_http_remote,
        }
    }

    fn build_server(&self, saved: &SavedServer) -> Result<PlexServer, AppError> {
        let token = self
            .servers
            .token_store(&saved.id)
            .load()?
            .ok_or_else(|| AppError::UnknownServer(saved.id.clone()))?;
        if saved.direct {
            let uri = saved
                .connections
                .first()
                .map(|c| c.uri.clone())
                .unwrap_or_default();
            return Ok(PlexServer::direct(
                self.transport.clone(),
                &uri,
                &token,
                &saved.name,
            )?);
        }
        let info = ServerInfo {
            name: saved.name.clone(),
            machine_id: saved.machine_id.clone().unwrap_or_default(),
            owned: true,
            version: None,
            connections: saved
                .connections
                .iter()
                .map(SavedConnection::to_connection)
                .collect(),
            https_required: saved.https_required,
            access_token: token,
        };
        Ok(PlexServer::from_info(
            self.transport.clone(),
            info,
            self.policy(),
        ))
    }

    fn register(&self, id: &str, server: PlexServer) {
        self.core.register_server(id, server);
    }

    /// A connected server.
    pub fn server(&self, id: &str) -> Result<PlexServer, AppError> {
        self.core
            .server(id)
            .ok_or_else(|| AppError::UnknownServer(id.to_string()))
    }

    /// Every connected server.
    pub fn servers(&self) -> Vec<ServerSummary> {
        self.core
            .connected_servers()
            .into_iter()
            .map(|(id, server)| {
                let connection = server.current_connection().map(|c| c.uri);
                ServerSummary {
                    id,
                    name: server.name().to_string(),
                    reachable: connection.is_some(),
                    connection,
                }
            })
            .collect()
    }

    /// Adds a server by address and token (checked against the server first) and keeps it.
    pub async fn connect_direct(
        &self,
        url: &str,
        token: &str,
        name: Option<&str>,
    ) -> Result<ServerSummary, AppError> {
        let probe = PlexServer::direct(
            self.transport.clone(),
            url,
            token,
            name.unwrap_or("Plex Media Server"),
        )?;
        probe.probe().await?;
        // The sections call proves the token works (/identity answers without one).
        probe.sections().await?;
        let base = probe.base_url().await?;
        let identity: crate::plex::Envelope = self
            .transport
            .json(&crate::plex::transport::Call::get(&base, "/identity"))
            .await?;
        let machine_id = identity.container.machine_identifier.clone();
        let id = machine_id.clone().unwrap_or_else(|| base.clone());
        let display = name
            .map(str::to_string)
            .or_else(|| identity.container.friendly_name.clone())
            .unwrap_or_else(|| "Plex Media Server".to_string());
        let saved = SavedServer {
            id: id.clone(),
            name: display.clone(),
            direct: true,
            machine_id,
            connections: vec![SavedConnection {
                uri: base.clone(),
                kind: "local".to_string(),
            }],
            https_required: false,
        };
        self.servers.save(saved.clone(), token)?;
        let server = self.build_server(&saved)?;
        server.probe().await?;
        self.register(&id, server);
        tracing::info!(server = %id, "server connected by address");
        Ok(ServerSummary {
            id,
            name: display,
            connection: Some(base),
            reachable: true,
        })
    }

    /// Reads the account's servers from plex.tv and keeps them.
    pub async fn refresh_account_servers(&self) -> Result<Vec<ServerSummary>, AppError> {
        let token = self.account.require_token()?;
        for info in self.account.servers(&token).await? {
            let saved = SavedServer {
                id: info.machine_id.clone(),
                name: info.name.clone(),
                direct: false,
                machine_id: Some(info.machine_id.clone()),
                connections: info
                    .connections
                    .iter()
                    .map(SavedConnection::from_connection)
                    .collect(),
                https_required: info.https_required,
            };
            self.servers.save(saved.clone(), &info.access_token)?;
            let server = self.build_server(&saved)?;
            if let Err(error) = server.probe().await {
                tracing::warn!(server = %saved.id, %error, "server not reachable now");
            }
            self.register(&saved.id, server);
        }
        Ok(self.servers())
    }

    /// Starts a PIN sign-in (the PIN is kept until it is linked or expires).
    pub async fn start_sign_in(&self) -> Result<Pin, AppError> {
        let pin = self.account.start_sign_in().await?;
        *self
            .pending_pin
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(pin.clone());
        Ok(pin)
    }

    /// Polls the pending PIN; true once linked (the token is saved, the servers read).
    pub async fn poll_sign_in(&self, pin_id: u64) -> Result<bool, AppError> {
        let pin = self
            .pending_pin
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let Some(pin) = pin.filter(|pin| pin.id == pin_id) else {
            return Err(PlexError::SignInExpired.into());
        };
        match self.account.poll_sign_in(&pin).await? {
            Some(_) => {
                *self
                    .pending_pin
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
                self.refresh_account_servers().await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The PIN waiting to be linked, if any.
    pub fn pending_pin(&self) -> Option<Pin> {
        self.pending_pin
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Every download as the UI shows it, with the transfer slots of this process.
    pub fn download_snapshots(&self) -> Result<Vec<plexdl_protocol::DownloadSnapshot>, AppError> {
        let transferring = self.core.transferring_now();
        let watch = self.core.watch_states()?;
        Ok(self
            .core
            .summaries()?
            .into_iter()
            .map(|row| {
                // Most lists have no watched state at all: no key is built then.
                let state = if watch.is_empty() {
                    None
                } else {
                    watch.get(&(row.server_identifier.clone(), row.media_rating_key.clone()))
                };
                snapshots::live_snapshot(row, &transferring, state)
            })
            .collect())
    }

    /// The user's settings as saved.
    pub fn user_settings(&self) -> UserSettings {
        self.user
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The settings with the folder in use and its free space.
    pub fn settings_view(&self) -> SettingsView {
        let settings = self.user_settings();
        let in_use = self.core.settings().download_dir.clone();
        let chosen = user_settings::download_dir(&settings, self.default_download_dir.clone());
        SettingsView {
            restart_needed: chosen != in_use,
            download_dir: in_use.display().to_string(),
            free_bytes: self.core.free_space(),
            settings,
            storage_choices: self
                .settings
                .storage_choices
                .iter()
                .map(|(label, path)| plexdl_protocol::StorageChoice {
                    label: label.clone(),
                    path: path.display().to_string(),
                    free_bytes: crate::engine::available_space(path),
                })
                .collect(),
        }
    }

    /// Changes settings: checked, saved, and applied (a new folder at the next start).
    pub fn change_settings(&self, change: &SettingsChange) -> Result<SettingsView, AppError> {
        let mut user = self
            .user
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let next = user_settings::validate(&user, change)?;
        if next.storage_dir != user.storage_dir {
            let folder = user_settings::download_dir(&next, self.default_download_dir.clone());
            let downloads = self.core.list()?.len();
            if downloads > 0 && folder != self.core.settings().download_dir {
                return Err(user_settings::Refused(format!(
                    "There are {downloads} downloads in {}. Remove them before choosing another folder, so that no file is left behind.",
                    self.core.settings().download_dir.display()
                ))
                .into());
            }
            user_settings::check_folder(&folder)?;
        }
        user_settings::save(&self.settings.data_dir, &next).map_err(|error| AppError::DataDir {
            path: self.settings.data_dir.display().to_string(),
            reason: format!("the settings could not be saved ({error})"),
        })?;
        let transfers = next.max_transfers as usize;
        self.core.set_transfer_limits(transfers, transfers);
        self.core.set_wifi_only(next.wifi_only)?;
        if let Some(policy) = user_settings::busy_policy(&next.busy_policy) {
            self.core.set_busy_policy(policy);
        }
        tracing::info!(
            wifi_only = next.wifi_only,
            max_transfers = next.max_transfers,
            busy_policy = %next.busy_policy,
            "settings changed"
        );
        *user = next;
        drop(user);
        Ok(self.settings_view())
    }

    /// What the download dialog shows: how many items, the size at each quality, the free
    /// space, and a warning when the server is already converting. The sizes are those of
    /// the version each item would get (`media_id` for the item that has it, otherwise the
    /// one closest to the screen), as the download would.
    pub async fn estimate(
        &self,
        server_id: &str,
        rating_keys: &[String],
        media_id: Option<u64>,
        screen_pixels: Option<u32>,
    ) -> Result<Estimate, AppError> {
        let server = self.server(server_id)?;
        let mut items = Vec::new();
        for key in rating_keys {
            for item in server.expand_for_download(key).await? {
                // Listings may hold only part of the media details: read the item itself.
                items.push(if item.media.is_empty() {
                    server.metadata(item.rating_key()).await?
                } else {
                    item
                });
            }
        }
        let qualities = QualityPreset::ALL
            .iter()
            .map(|preset| QualityEstimate {
                quality: preset.name().to_string(),
                bytes: items
                    .iter()
                    .map(|item| {
                        let version = crate::engine::VersionChoice {
                            tracks: plexdl_protocol::TrackChoice {
                                media_id,
                                ..Default::default()
                            },
                            screen_pixels,
                        }
                        .for_item(item, *preset)
                        .media_id;
                        let duration = item
                            .version(version)
                            .and_then(|media| media.duration)
                            .or(item.duration);
                        preset.estimated_size(duration, item.size_of(version))
                    })
                    .sum::<Option<u64>>(),
            })
            .collect();
        let busy_warning = match server.activity().await {
            Ok(activity) if activity.is_busy() => Some(format!(
                "{} Original quality needs no conversion.",
                activity.describe()
            )),
            Ok(_) => None,
            Err(error) => {
                tracing::debug!(server = %server_id, %error, "server activity unknown");
                None
            }
        };
        Ok(Estimate {
            items: items.len() as u64,
            qualities,
            free_bytes: self.core.free_space(),
            busy_warning,
        })
    }

    /// Versions, folders and the recent (redacted) log lines.
    pub fn diagnostics(&self) -> Diagnostics {
        Diagnostics {
            version: env!("CARGO_PKG_VERSION").to_string(),
            protocol_version: plexdl_protocol::VERSION,
            platform: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            download_dir: self.core.settings().download_dir.display().to_string(),
            log_lines: crate::logging::recent_lines(),
            list_problem: self.core.manifest_problem(),
        }
    }
}
