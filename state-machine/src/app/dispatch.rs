//! The one entry for bridge requests: `dispatch(request JSON) -> response JSON`. The JNI
//! bridge and the desktop host call nothing else for the UI. Every failure becomes an error
//! answer with a kind, a plain message and an action; nothing a request contains can panic
//! the core or stop the host.

use plexdl_protocol::{
    Action, DownloadId, EnqueueParams, EstimateParams, ItemPage, ItemRef, ItemsParams,
    MAX_REQUEST_BYTES, METHODS, PinInfo, PinRef, Request, Response, SectionSummary, ServerRef,
    SettingsChange, SignInState, VERSION,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::snapshots::{item_summary, snapshot};
use super::{App, AppError};
use crate::engine::CoreError;
use crate::manifest::ManifestError;
use crate::plex::{ItemQuery, PlexError, QualityPreset};

/// An error answer's parts.
struct Refusal {
    kind: String,
    message: String,
    action: Action,
}

fn refusal(kind: &str, message: impl Into<String>, action: Action) -> Refusal {
    Refusal {
        kind: kind.to_string(),
        message: message.into(),
        action,
    }
}

fn from_plex(error: &PlexError) -> Refusal {
    let action = match error.next_action() {
        crate::plex::NextAction::Retry => Action::Retry,
        crate::plex::NextAction::SignIn => Action::SignIn,
        crate::plex::NextAction::AskServerOwner => Action::AskServerOwner,
        crate::plex::NextAction::ChooseAnother => Action::ChooseAnother,
        crate::plex::NextAction::CheckConnection => Action::CheckConnection,
        crate::plex::NextAction::Report => Action::Report,
    };
    refusal(&error.kind().to_string(), error.user_message(), action)
}

fn from_app(error: &AppError) -> Refusal {
    match error {
        AppError::Plex(plex) | AppError::Core(CoreError::Plex(plex)) => from_plex(plex),
        AppError::Core(CoreError::Manifest(ManifestError::NoSuchDownload(id))) => refusal(
            "notFound",
            format!("There is no download with id {id}."),
            Action::FixRequest,
        ),
        AppError::Core(CoreError::UnknownServer(id)) | AppError::UnknownServer(id) => refusal(
            "unknownServer",
            format!("The server {id} is not connected. Connect to it first."),
            Action::CheckConnection,
        ),
        AppError::Core(CoreError::NothingToDownload(key)) => refusal(
            "notFound",
            format!("There is nothing to download under {key}."),
            Action::ChooseAnother,
        ),
        AppError::Core(CoreError::Folder { .. }) | AppError::DataDir { .. } => refusal(
            "storage",
            plexdl_redact::redact_text(&error.to_string()).into_owned(),
            Action::FreeSpace,
        ),
        AppError::Settings(refused) => refusal("badRequest", refused.0.clone(), Action::FixRequest),
        AppError::Core(CoreError::Manifest(other)) => refusal(
            "storage",
            format!("The list of downloads could not be read or written: {other}."),
            Action::Report,
        ),
    }
}

fn params<T: DeserializeOwned>(request: &Request) -> Result<T, Refusal> {
    let value = if request.params.is_null() {
        json!({})
    } else {
        request.params.clone()
    };
    serde_json::from_value(value).map_err(|error| {
        refusal(
            "badRequest",
            format!(
                "The parameters of {} are not valid: {error}.",
                request.method
            ),
            Action::FixRequest,
        )
    })
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl App {
    /// Answers one bridge request (JSON in, JSON out). Never fails: every problem is an
    /// error answer.
    pub async fn dispatch(&self, request_json: &str) -> String {
        let response = self.dispatch_request(request_json).await;
        serde_json::to_string(&response).unwrap_or_else(|_| {
            r#"{"v":1,"id":0,"error":{"kind":"internal","message":"The answer could not be written.","action":"report"}}"#.to_string()
        })
    }

    async fn dispatch_request(&self, request_json: &str) -> Response {
        if request_json.len() > MAX_REQUEST_BYTES {
            return Response::error(
                0,
                "tooLarge",
                "The request is too large.",
                Action::FixRequest,
            );
        }
        let request: Request = match serde_json::from_str(request_json) {
            Ok(request) => request,
            Err(error) => {
                return Response::error(
                    0,
                    "badRequest",
                    &format!("The request is not a valid bridge message: {error}."),
                    Action::FixRequest,
                );
            }
        };
        if request.v != VERSION {
            return Response::error(
                request.id,
                "unsupportedVersion",
                &format!(
                    "This app speaks bridge version {VERSION}, the request uses version {}.",
                    request.v
                ),
                Action::FixRequest,
            );
        }
        let span = tracing::debug_span!("bridge", method = %request.method, id = request.id);
        let _entered = span.enter();
        match self.answer(&request).await {
            Ok(result) => Response::ok(request.id, result),
            Err(refused) => {
                tracing::debug!(kind = %refused.kind, "bridge request refused");
                Response::error(request.id, &refused.kind, &refused.message, refused.action)
            }
        }
    }

    async fn answer(&self, request: &Request) -> Result<Value, Refusal> {
        let app = |error: AppError| from_app(&error);
        let core = |error: CoreError| from_app(&AppError::Core(error));
        match request.method.as_str() {
            "signIn.status" => {
                // A token store that cannot be read is an error the user must see.
                self.account.saved_token().map_err(|e| from_plex(&e))?;
                Ok(to_value(&self.sign_in_state()))
            }
            "signIn.start" => {
                let pin = self.start_sign_in().await.map_err(app)?;
                Ok(to_value(&PinInfo {
                    id: pin.id,
                    code: pin.code,
                    auth_url: pin.auth_url,
                    expires_at: pin.expires_at,
                }))
            }
            "signIn.poll" => {
                let pin: PinRef = params(request)?;
                let linked = self.poll_sign_in(pin.pin_id).await.map_err(app)?;
                Ok(to_value(&SignInState {
                    signed_in: linked,
                    username: None,
                    pin: None,
                }))
            }
            "signOut" => {
                self.account.sign_out().map_err(|e| from_plex(&e))?;
                Ok(json!({}))
            }
            "servers.list" => Ok(to_value(&self.servers())),
            "library.sections" => {
                let server: ServerRef = params(request)?;
                let sections = self
                    .server(&server.server_id)
                    .map_err(app)?
                    .sections()
                    .await
                    .map_err(|e| from_plex(&e))?;
                let summaries: Vec<SectionSummary> = sections
                    .iter()
                    .map(|s| SectionSummary {
                        key: s.key.clone().unwrap_or_default(),
                        title: s.title.clone().unwrap_or_default(),
                        kind: format!("{:?}", s.kind).to_lowercase(),
                    })
                    .collect();
                Ok(to_value(&summaries))
            }
            "library.items" => {
                let p: ItemsParams = params(request)?;
                let query = ItemQuery {
                    start: p.start,
                    size: p.size,
                    sort: p.sort,
                    title: p.title,
                };
                let page = self
                    .server(&p.server_id)
                    .map_err(app)?
                    .items(&p.section_key, &query)
                    .await
                    .map_err(|e| from_plex(&e))?;
                Ok(to_value(&ItemPage {
                    items: page.items.iter().map(item_summary).collect(),
                    offset: page.offset,
                    total: page.total,
                }))
            }
            "library.item" => {
                let p: ItemRef = params(request)?;
                let item = self
                    .server(&p.server_id)
                    .map_err(app)?
                    .metadata(&p.rating_key)
                    .await
                    .map_err(|e| from_plex(&e))?;
                Ok(to_value(&item_summary(&item)))
            }
            "library.children" => {
                let p: ItemRef = params(request)?;
                let children = self
                    .server(&p.server_id)
                    .map_err(app)?
                    .children(&p.rating_key)
                    .await
                    .map_err(|e| from_plex(&e))?;
                Ok(to_value(
                    &children.iter().map(item_summary).collect::<Vec<_>>(),
                ))
            }
            "downloads.enqueue" => {
                let p: EnqueueParams = params(request)?;
                let quality = QualityPreset::from_name(&p.quality).ok_or_else(|| {
                    refusal(
                        "badRequest",
                        format!(
                            "Unknown quality {:?}; use original, 1080p, 720p or 480p.",
                            p.quality
                        ),
                        Action::FixRequest,
                    )
                })?;
                if p.rating_keys.is_empty() {
                    return Err(refusal(
                        "badRequest",
                        "No item was named.",
                        Action::FixRequest,
                    ));
                }
                let keys: Vec<&str> = p.rating_keys.iter().map(String::as_str).collect();
                let ids = self
                    .core
                    .enqueue(&p.server_id, &keys, quality)
                    .await
                    .map_err(core)?;
                Ok(json!({ "ids": ids }))
            }
            "downloads.list" => Ok(to_value(&self.download_snapshots().map_err(app)?)),
            "downloads.pause" | "downloads.resume" | "downloads.cancel" | "downloads.retry" => {
                let p: DownloadId = params(request)?;
                let row = match request.method.as_str() {
                    "downloads.pause" => self.core.pause(p.id),
                    "downloads.resume" => self.core.resume(p.id),
                    "downloads.cancel" => self.core.cancel(p.id),
                    _ => self.core.retry(p.id),
                }
                .map_err(core)?;
                Ok(to_value(&snapshot(&row)))
            }
            "downloads.remove" => {
                let p: DownloadId = params(request)?;
                self.core.delete(p.id).map_err(core)?;
                Ok(json!({ "removed": p.id }))
            }
            "downloads.verify" => Ok(to_value(&self.core.verify().map_err(core)?)),
            "downloads.estimate" => {
                let p: EstimateParams = params(request)?;
                if p.rating_keys.is_empty() {
                    return Err(refusal(
                        "badRequest",
                        "No item was named.",
                        Action::FixRequest,
                    ));
                }
                let estimate = self
                    .estimate(&p.server_id, &p.rating_keys)
                    .await
                    .map_err(app)?;
                Ok(to_value(&estimate))
            }
            "settings.get" => Ok(to_value(&self.settings_view())),
            "settings.set" => {
                let change: SettingsChange = params(request)?;
                Ok(to_value(&self.change_settings(&change).map_err(app)?))
            }
            "diagnostics.get" => Ok(to_value(&self.diagnostics())),
            other => Err(refusal(
                "unknownMethod",
                format!(
                    "There is no method {other:?}. Known methods: {}.",
                    METHODS.join(", ")
                ),
                Action::FixRequest,
            )),
        }
    }
}
