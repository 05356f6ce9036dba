//! The one entry for bridge requests: `dispatch(request JSON) -> response JSON`. The JNI
//! bridge and the desktop host call nothing else for the UI. Every failure becomes an error
//! answer with a kind, a plain message and the kind's action; nothing a request contains can
//! panic the core or stop the host.
//!
//! Each method is a type of the protocol crate ([`Method`]): its name, its parameters and its
//! result. Here each gets a [`Handler`], and [`route`] is the routing table from names to
//! handlers, so a method's name, its parameter type and its answer cannot drift apart.

use std::future::Future;

use plexdl_protocol::methods::{
    DiagnosticsGet, Done, DownloadsBackground, DownloadsCancel, DownloadsEnqueue,
    DownloadsEstimate, DownloadsList, DownloadsMarkUnwatched, DownloadsMarkWatched, DownloadsPause,
    DownloadsRebuild, DownloadsRemove, DownloadsResume, DownloadsRetry, DownloadsSetPosition,
    DownloadsStorage, DownloadsVerify, Enqueued, LibraryChildren, LibraryItem, LibraryItems,
    LibrarySections, NoParams, Removed, RulesList, RulesRemove, RulesSet, ServersList, SettingsGet,
    SettingsSet, SignInPoll, SignInStart, SignInStatus, SignOut, StorageSetBudget,
};
use plexdl_protocol::{
    DownloadId, ErrorBody, FailureKind, ItemPage, MAX_REQUEST_BYTES, METHODS, Method, PinInfo,
    Request, Response, ResultAnswer, SectionSummary, SignInState, VERSION,
};
use serde_json::json;
use tracing::Instrument;

use super::snapshots::{item_detail, item_summary};
use super::{App, AppError};
use crate::engine::CoreError;
use crate::plex::{ItemQuery, QualityPreset};

/// How the app answers one method.
trait Handler: Method {
    fn handle(
        app: &App,
        params: Self::Params,
    ) -> impl Future<Output = Result<Self::Result, AppError>> + Send;
}

fn params<M: Method>(request: &Request) -> Result<M::Params, ErrorBody> {
    let value = if request.params.is_null() {
        json!({})
    } else {
        request.params.clone()
    };
    serde_json::from_value(value).map_err(|error| {
        ErrorBody::new(
            FailureKind::BadRequest,
            format!("The parameters of {} are not valid: {error}.", M::NAME),
        )
    })
}

/// Reads the parameters, runs the handler, writes the result.
/// Answers a request with its method's handler: the whole answer's JSON, written straight
/// from the result's type (no `Value` in between; see [`ResultAnswer`]).
async fn call<M: Handler>(app: &App, request: &Request) -> Result<String, ErrorBody> {
    let params = params::<M>(request)?;
    let result = M::handle(app, params)
        .await
        .map_err(|error| error.public())?;
    serde_json::to_string(&ResultAnswer::new(request.id, &result)).map_err(|error| {
        tracing::error!(method = M::NAME, %error, "an answer could not be written");
        ErrorBody::new(FailureKind::Internal, "The answer could not be written.")
    })
}

/// The routing table: every method type, matched by its name.
macro_rules! route {
    ($app:expr, $request:expr; $($method:ty),* $(,)?) => {
        match $request.method.as_str() {
            $(<$method as Method>::NAME => call::<$method>($app, $request).await,)*
            other => Err(ErrorBody::new(
                FailureKind::UnknownMethod,
                format!(
                    "There is no method {other:?}. Known methods: {}.",
                    METHODS.join(", ")
                ),
            )),
        }
    };
}

impl App {
    /// Answers one bridge request (JSON in, JSON out). Never fails: every problem is an
    /// error answer.
    pub async fn dispatch(&self, request_json: &str) -> String {
        match self.dispatch_request(request_json).await {
            Ok(answer) => answer,
            Err(response) => serde_json::to_string(&response).unwrap_or_else(|_| {
                let fallback = Response::error(
                    0,
                    ErrorBody::new(FailureKind::Internal, "The answer could not be written."),
                );
                serde_json::to_string(&fallback).unwrap_or_default()
            }),
        }
    }

    /// The answer's JSON, or the error answer to write.
    async fn dispatch_request(&self, request_json: &str) -> Result<String, Response> {
        let refused = |id: u64, error: ErrorBody| {
            crate::logging::failure(error.kind, &error.message, "bridge request refused");
            Err(Response::error(id, error))
        };
        if request_json.len() > MAX_REQUEST_BYTES {
            return refused(
                0,
                ErrorBody::new(FailureKind::TooLarge, "The request is too large."),
            );
        }
        let request: Request = match serde_json::from_str(request_json) {
            Ok(request) => request,
            Err(error) => {
                return refused(
                    0,
                    ErrorBody::new(
                        FailureKind::BadRequest,
                        format!("The request is not a valid bridge message: {error}."),
                    ),
                );
            }
        };
        if request.v != VERSION {
            return refused(
                request.id,
                ErrorBody::new(
                    FailureKind::UnsupportedVersion,
                    format!(
                        "This app speaks bridge version {VERSION}, the request uses version {}.",
                        request.v
                    ),
                ),
            );
        }
        // The span goes with the future (never entered across an await), so it cannot leak
        // into other tasks that run on this thread while the request waits.
        let span = tracing::info_span!("bridge", method = %request.method, id = request.id);
        let answer = self.answer(&request).instrument(span.clone()).await;
        let _entered = span.enter();
        match answer {
            Ok(answer) => Ok(answer),
            Err(error) => refused(request.id, error),
        }
    }

    async fn answer(&self, request: &Request) -> Result<String, ErrorBody> {
        route!(self, request;
            SignInStatus, SignInStart, SignInPoll, SignOut, ServersList,
            LibrarySections, LibraryItems, LibraryItem, LibraryChildren,
            DownloadsEnqueue, DownloadsList, DownloadsPause, DownloadsResume, DownloadsCancel,
            DownloadsRetry, DownloadsRemove, DownloadsVerify, DownloadsRebuild, DownloadsEstimate,
            DownloadsBackground, DownloadsMarkWatched, DownloadsMarkUnwatched,
            DownloadsSetPosition, DownloadsStorage, StorageSetBudget, RulesList, RulesSet,
            RulesRemove,
            SettingsGet, SettingsSet, DiagnosticsGet,
        )
    }

    /// A user command on one download, answered with the download as it is now.
    fn command(
        &self,
        id: i64,
        run: impl FnOnce(
            &crate::engine::DownloadCore,
            i64,
        ) -> Result<crate::manifest::DownloadRow, CoreError>,
    ) -> Result<plexdl_protocol::DownloadSnapshot, AppError> {
        let row = run(&self.core, id)?;
        Ok(self.download_snapshot(&row))
    }
}

impl Handler for SignInStatus {
    async fn handle(app: &App, _: NoParams) -> Result<SignInState, AppError> {
        // A token store that cannot be read is an error the user must see.
        app.account.saved_token()?;
        Ok(app.sign_in_state())
    }
}

impl Handler for SignInStart {
    async fn handle(app: &App, _: NoParams) -> Result<PinInfo, AppError> {
        let pin = app.start_sign_in().await?;
        Ok(PinInfo {
            id: pin.id,
            code: pin.code,
            auth_url: pin.auth_url,
            expires_at: pin.expires_at,
        })
    }
}

impl Handler for SignInPoll {
    async fn handle(app: &App, pin: plexdl_protocol::PinRef) -> Result<SignInState, AppError> {
        let linked = app.poll_sign_in(pin.pin_id).await?;
        Ok(SignInState {
            signed_in: linked,
            username: None,
            pin: None,
        })
    }
}

impl Handler for SignOut {
    async fn handle(app: &App, _: NoParams) -> Result<Done, AppError> {
        app.account.sign_out()?;
        Ok(Done {})
    }
}

impl Handler for ServersList {
    async fn handle(
        app: &App,
        _: NoParams,
    ) -> Result<Vec<plexdl_protocol::ServerSummary>, AppError> {
        Ok(app.servers())
    }
}

impl Handler for LibrarySections {
    async fn handle(
        app: &App,
        server: plexdl_protocol::ServerRef,
    ) -> Result<Vec<SectionSummary>, AppError> {
        let sections = app.server(&server.server_id)?.sections().await?;
        Ok(sections
            .iter()
            .map(|s| SectionSummary {
                key: s.key.clone().unwrap_or_default(),
                title: s.title.clone().unwrap_or_default(),
                kind: format!("{:?}", s.kind).to_lowercase(),
            })
            .collect())
    }
}

impl Handler for LibraryItems {
    async fn handle(app: &App, p: plexdl_protocol::ItemsParams) -> Result<ItemPage, AppError> {
        let query = ItemQuery {
            start: p.start,
            size: p.size,
            sort: p.sort,
            title: p.title,
        };
        let page = app
            .server(&p.server_id)?
            .items(&p.section_key, &query)
            .await?;
        Ok(ItemPage {
            items: page.items.iter().map(item_summary).collect(),
            offset: page.offset,
            total: page.total,
        })
    }
}

impl Handler for LibraryItem {
    async fn handle(
        app: &App,
        p: plexdl_protocol::ItemRef,
    ) -> Result<plexdl_protocol::ItemDetail, AppError> {
        let item = app.server(&p.server_id)?.metadata(&p.rating_key).await?;
        Ok(item_detail(&item))
    }
}

impl Handler for LibraryChildren {
    async fn handle(
        app: &App,
        p: plexdl_protocol::ItemRef,
    ) -> Result<Vec<plexdl_protocol::ItemSummary>, AppError> {
        let children = app.server(&p.server_id)?.children(&p.rating_key).await?;
        Ok(children.iter().map(item_summary).collect())
    }
}

impl Handler for DownloadsEnqueue {
    async fn handle(app: &App, p: plexdl_protocol::EnqueueParams) -> Result<Enqueued, AppError> {
        let quality = QualityPreset::from_name(&p.quality).ok_or_else(|| {
            AppError::BadRequest(format!(
                "Unknown quality {:?}; use original, 1080p, 720p or 480p.",
                p.quality
            ))
        })?;
        if p.rating_keys.is_empty() {
            return Err(AppError::BadRequest("No item was named.".to_string()));
        }
        let keys: Vec<&str> = p.rating_keys.iter().map(String::as_str).collect();
        let choice = crate::engine::VersionChoice {
            tracks: p.tracks,
            screen_pixels: p.screen_pixels,
        };
        let ids = app
            .core
            .enqueue_with(&p.server_id, &keys, quality, &choice)
            .await?;
        Ok(Enqueued { ids })
    }
}

impl Handler for DownloadsList {
    async fn handle(
        app: &App,
        _: NoParams,
    ) -> Result<Vec<plexdl_protocol::DownloadSnapshot>, AppError> {
        app.download_snapshots()
    }
}

/// The user commands on one download, each answered with the download as it is now. An
/// entry names the core's method and its arguments after the download id
/// (`core.mark_watched(true)` calls `core.mark_watched(id, true)`).
macro_rules! command_handlers {
    ($($method:ty => $core:ident.$command:ident($($arg:expr),*)),* $(,)?) => {
        $(impl Handler for $method {
            async fn handle(
                app: &App,
                p: DownloadId,
            ) -> Result<plexdl_protocol::DownloadSnapshot, AppError> {
                app.command(p.id, |$core, id| $core.$command(id $(, $arg)*))
            }
        })*
    };
}

command_handlers!(
    DownloadsPause => core.pause(),
    DownloadsResume => core.resume(),
    DownloadsCancel => core.cancel(),
    DownloadsRetry => core.retry(),
    DownloadsMarkWatched => core.mark_watched(true),
    DownloadsMarkUnwatched => core.mark_watched(false),
);

impl Handler for DownloadsSetPosition {
    async fn handle(
        app: &App,
        p: plexdl_protocol::PositionParams,
    ) -> Result<plexdl_protocol::DownloadSnapshot, AppError> {
        app.command(p.id, |core, id| core.set_position(id, p.seconds))
    }
}

impl Handler for DownloadsStorage {
    async fn handle(app: &App, _: NoParams) -> Result<plexdl_protocol::StorageUse, AppError> {
        Ok(app.core.storage_use()?)
    }
}

impl Handler for StorageSetBudget {
    async fn handle(
        app: &App,
        p: plexdl_protocol::BudgetParams,
    ) -> Result<plexdl_protocol::StorageUse, AppError> {
        let bytes = match p.gigabytes {
            None => None,
            Some(gigabytes) if gigabytes.is_finite() && gigabytes > 0.0 && gigabytes < 1e9 => {
                Some((gigabytes * 1e9) as u64)
            }
            Some(_) => {
                return Err(AppError::BadRequest(
                    "The storage limit is a number of GB above 0, or none.".to_string(),
                ));
            }
        };
        Ok(app.core.set_storage_budget(bytes)?)
    }
}

impl Handler for RulesList {
    async fn handle(app: &App, _: NoParams) -> Result<Vec<plexdl_protocol::KeepRule>, AppError> {
        Ok(app.core.rules()?)
    }
}

impl Handler for RulesSet {
    async fn handle(
        app: &App,
        p: plexdl_protocol::KeepRuleParams,
    ) -> Result<plexdl_protocol::KeepRule, AppError> {
        Ok(app.core.set_rule(&p).await?)
    }
}

impl Handler for RulesRemove {
    async fn handle(app: &App, p: plexdl_protocol::RuleId) -> Result<Done, AppError> {
        app.core.remove_rule(p.id)?;
        Ok(Done {})
    }
}

impl Handler for DownloadsRemove {
    async fn handle(app: &App, p: DownloadId) -> Result<Removed, AppError> {
        app.core.delete(p.id)?;
        Ok(Removed { removed: p.id })
    }
}

impl Handler for DownloadsVerify {
    async fn handle(
        app: &App,
        p: plexdl_protocol::VerifyOptions,
    ) -> Result<plexdl_protocol::VerifyReport, AppError> {
        Ok(if p.deep {
            app.core.verify_deep()?
        } else {
            app.core.verify()?
        })
    }
}

impl Handler for DownloadsRebuild {
    async fn handle(app: &App, _: NoParams) -> Result<plexdl_protocol::RebuildReport, AppError> {
        Ok(app.core.rebuild_manifest().await?)
    }
}

impl Handler for DownloadsEstimate {
    async fn handle(
        app: &App,
        p: plexdl_protocol::EstimateParams,
    ) -> Result<plexdl_protocol::Estimate, AppError> {
        if p.rating_keys.is_empty() {
            return Err(AppError::BadRequest("No item was named.".to_string()));
        }
        app.estimate(&p.server_id, &p.rating_keys, p.media_id, p.screen_pixels)
            .await
    }
}

impl Handler for DownloadsBackground {
    async fn handle(app: &App, _: NoParams) -> Result<plexdl_protocol::BackgroundState, AppError> {
        Ok(app.background_state())
    }
}

impl Handler for SettingsGet {
    async fn handle(app: &App, _: NoParams) -> Result<plexdl_protocol::SettingsView, AppError> {
        Ok(app.settings_view())
    }
}

impl Handler for SettingsSet {
    async fn handle(
        app: &App,
        change: plexdl_protocol::SettingsChange,
    ) -> Result<plexdl_protocol::SettingsView, AppError> {
        app.change_settings(&change)
    }
}

impl Handler for DiagnosticsGet {
    async fn handle(app: &App, _: NoParams) -> Result<plexdl_protocol::Diagnostics, AppError> {
        Ok(app.diagnostics())
    }
}
