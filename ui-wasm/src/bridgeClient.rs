//! The bridge client: the only module that touches `window`. It sends bridge requests and
//! receives pushed events over whichever carrier the page runs in, chosen once at start:
//!
//! - Android: the `plexdlBridge` object that `WebViewCompat.addWebMessageListener` injects.
//!   Requests go out with `plexdlBridge.postMessage(json)`; answers and pushed events come
//!   back as message events on the same object.
//! - Desktop (`plexdl ui`): `POST /bridge` for requests and server-sent events on
//!   `GET /events` for pushes; `POST /play` for the play host message.
//!
//! It also holds the few other browser calls the screens need (the address hash used for
//! navigation, the clipboard, the thumbnail address), so that the screens stay plain Rust.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use futures::channel::oneshot;
use plexdl_protocol::{
    ErrorBody, FailureKind, Method, PlayMessage, Push, PushEvent, Request, Response, VERSION,
};
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The name of the object the Android host injects.
pub const ANDROID_OBJECT: &str = "plexdlBridge";

#[derive(Clone)]
enum Carrier {
    Android(JsValue),
    Http,
}

type Listener = Box<dyn Fn(&Push)>;

thread_local! {
    static CARRIER: RefCell<Option<Carrier>> = const { RefCell::new(None) };
    static PENDING: RefCell<HashMap<u64, oneshot::Sender<Response>>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
    static LISTENERS: RefCell<Vec<Listener>> = RefCell::new(Vec::new());
}

/// Which carrier is in use, for the Diagnostics screen.
pub fn carrier_name() -> &'static str {
    match CARRIER.with(|c| c.borrow().clone()) {
        Some(Carrier::Android(_)) => "Android WebMessage channel",
        Some(Carrier::Http) => "Desktop HTTP bridge",
        None => "not started",
    }
}

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// An error answer made on this side (the host did not answer at all).
fn host_error(detail: &str) -> ErrorBody {
    ErrorBody::new(
        FailureKind::HostUnreachable,
        format!("The app could not reach its own background part ({detail}). Try again."),
    )
}

fn deliver(text: &str) {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return;
    };
    if value.get("event").is_some() {
        if let Ok(push) = serde_json::from_value::<Push>(value) {
            LISTENERS.with(|listeners| {
                for listener in listeners.borrow().iter() {
                    listener(&push);
                }
            });
        }
        return;
    }
    if let Ok(response) = serde_json::from_value::<Response>(value)
        && let Some(sender) = PENDING.with(|p| p.borrow_mut().remove(&response.id))
    {
        let _ = sender.send(response);
    }
}

/// Chooses the carrier and starts receiving pushes. Call once, before any request.
pub fn start() {
    let Some(window) = window() else {
        return;
    };
    let injected = js_sys::Reflect::get(&window, &JsValue::from_str(ANDROID_OBJECT))
        .ok()
        .filter(|object| object.is_object());
    let carrier = match injected {
        Some(object) => {
            let on_message = Closure::<dyn Fn(JsValue)>::new(|event: JsValue| {
                let data = js_sys::Reflect::get(&event, &JsValue::from_str("data"))
                    .ok()
                    .and_then(|data| data.as_string());
                if let Some(text) = data {
                    deliver(&text);
                }
            });
            let _ = js_sys::Reflect::set(
                &object,
                &JsValue::from_str("onmessage"),
                on_message.as_ref(),
            );
            on_message.forget();
            Carrier::Android(object)
        }
        None => {
            if let Ok(source) = web_sys::EventSource::new("/events") {
                for event in PushEvent::ALL {
                    let on_event = Closure::<dyn Fn(web_sys::MessageEvent)>::new(
                        |event: web_sys::MessageEvent| {
                            if let Some(text) = event.data().as_string() {
                                deliver(&text);
                            }
                        },
                    );
                    let _ = source.add_event_listener_with_callback(
                        event.name(),
                        on_event.as_ref().unchecked_ref(),
                    );
                    on_event.forget();
                }
            }
            Carrier::Http
        }
    };
    CARRIER.with(|c| *c.borrow_mut() = Some(carrier));
}

/// Calls `listener` for every pushed event from now on.
pub fn on_push(listener: impl Fn(&Push) + 'static) {
    LISTENERS.with(|listeners| listeners.borrow_mut().push(Box::new(listener)));
}

async fn post_http(path: &str, body: String) -> Result<String, ErrorBody> {
    let window = window().ok_or_else(|| host_error("no window"))?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&body));
    let headers = web_sys::Headers::new().map_err(|_| host_error("headers"))?;
    let _ = headers.set("Content-Type", "application/json");
    init.set_headers(&headers);
    let response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|_| host_error("the request did not reach the host"))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| host_error("not a response"))?;
    let text = JsFuture::from(response.text().map_err(|_| host_error("no body"))?)
        .await
        .map_err(|_| host_error("the answer could not be read"))?;
    text.as_string()
        .ok_or_else(|| host_error("the answer is not text"))
}

/// Whether the host can play a finished file: the Android app hands it to a video player,
/// the desktop to the system's opener.
pub fn can_play() -> bool {
    CARRIER.with(|c| c.borrow().is_some())
}

/// Asks the host to play a finished download. This is a host message, not a bridge
/// request: [`PlayMessage`], `{"play": ID}`, posted to the Android app (which answers
/// nothing; a failure shows as a message there) or to the desktop's `POST /play` (which
/// answers in the bridge's shape).
pub async fn play(download_id: i64) -> Result<(), ErrorBody> {
    let message = serde_json::to_string(&PlayMessage { play: download_id })
        .map_err(|_| host_error("the message could not be written"))?;
    match CARRIER.with(|c| c.borrow().clone()) {
        Some(Carrier::Android(object)) => {
            let post = js_sys::Reflect::get(&object, &JsValue::from_str("postMessage"))
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
                .ok_or_else(|| host_error("the Android bridge has no postMessage"))?;
            post.call1(&object, &JsValue::from_str(&message))
                .map(|_| ())
                .map_err(|_| host_error("the Android bridge refused the message"))
        }
        Some(Carrier::Http) => {
            let text = post_http("/play", message).await?;
            let answer = serde_json::from_str::<Response>(&text)
                .map_err(|_| host_error("the answer is not a bridge message"))?;
            answer.error.map_or(Ok(()), Err)
        }
        None => Err(host_error("the bridge is not started")),
    }
}

/// Sends one request and waits for its answer.
async fn request(method: &str, params: Value) -> Result<Value, ErrorBody> {
    let id = NEXT_ID.with(|next| {
        let id = next.get();
        next.set(id + 1);
        id
    });
    let body = serde_json::to_string(&Request {
        v: VERSION,
        id,
        method: method.to_string(),
        params,
    })
    .map_err(|_| host_error("the request could not be written"))?;
    let carrier = CARRIER
        .with(|c| c.borrow().clone())
        .unwrap_or(Carrier::Http);
    let response = match carrier {
        Carrier::Http => {
            let text = post_http("/bridge", body).await?;
            serde_json::from_str::<Response>(&text)
                .map_err(|_| host_error("the answer is not a bridge message"))?
        }
        Carrier::Android(object) => {
            let (sender, receiver) = oneshot::channel();
            PENDING.with(|p| p.borrow_mut().insert(id, sender));
            let post = js_sys::Reflect::get(&object, &JsValue::from_str("postMessage"))
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
                .ok_or_else(|| host_error("the Android bridge has no postMessage"))?;
            post.call1(&object, &JsValue::from_str(&body))
                .map_err(|_| host_error("the Android bridge refused the message"))?;
            receiver
                .await
                .map_err(|_| host_error("the Android bridge closed"))?
        }
    };
    match (response.result, response.error) {
        (_, Some(error)) => Err(error),
        (Some(result), None) => Ok(result),
        (None, None) => Ok(Value::Null),
    }
}

/// Calls the method `M` with its parameters and reads its answer as its result type.
pub async fn call<M: Method>(params: M::Params) -> Result<M::Result, ErrorBody> {
    let params = serde_json::to_value(&params)
        .map_err(|_| host_error("the parameters could not be written"))?;
    let value = request(M::NAME, params).await?;
    serde_json::from_value(value).map_err(|error| {
        ErrorBody::new(
            FailureKind::BadResponse,
            format!("The answer to {} was not understood ({error}).", M::NAME),
        )
    })
}

/// The address of a server image, fetched by the host with the token added on its side.
pub fn thumb_url(server_id: &str, path: &str, width: u32, height: u32) -> String {
    format!(
        "/thumb?server={}&path={}&width={width}&height={height}",
        js_sys::encode_uri_component(server_id),
        js_sys::encode_uri_component(path)
    )
}

/// The address hash without the leading `#`.
pub fn current_hash() -> String {
    window()
        .and_then(|w| w.location().hash().ok())
        .map(|hash| hash.trim_start_matches('#').to_string())
        .unwrap_or_default()
}

/// Calls `listener` with the new hash whenever it changes (links, back button).
pub fn on_hash_change(listener: impl Fn(String) + 'static) {
    let Some(window) = window() else {
        return;
    };
    let closure = Closure::<dyn Fn()>::new(move || listener(current_hash()));
    let _ = window.add_event_listener_with_callback("hashchange", closure.as_ref().unchecked_ref());
    closure.forget();
}

/// Goes to a screen; the previous one stays in the history for the back button.
pub fn go(hash: &str) {
    if let Some(window) = window() {
        let _ = window.location().set_hash(hash);
    }
}

/// Goes back one screen.
pub fn back() {
    if let Some(history) = window().and_then(|w| w.history().ok()) {
        let _ = history.back();
    }
}

/// Copies text to the clipboard.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let window = window().ok_or("no window")?;
    let promise = window.navigator().clipboard().write_text(text);
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| "The clipboard is not available here.".to_string())
}

/// The shorter side of the device's screen in device pixels (a Pixel 7a: 1080, a Galaxy
/// Tab S7: 1600), which picks the version a download gets by default.
pub fn screen_pixels() -> Option<u32> {
    let window = window()?;
    let screen = window.screen().ok()?;
    let shorter = screen.width().ok()?.min(screen.height().ok()?);
    let pixels = f64::from(shorter) * window.device_pixel_ratio();
    (pixels >= 1.0).then(|| pixels.round() as u32)
}

/// Milliseconds since 1970, from the browser's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A time of day ("14:05", local time) for a moment written as an RFC 3339 date, or
/// `None` when it cannot be read.
pub fn local_time(rfc3339: &str) -> Option<String> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then(|| time_of_day(ms as i64))
}

/// A time of day ("14:05") for a moment in milliseconds since 1970, in local time.
pub fn time_of_day(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// Waits `ms` milliseconds (a browser timer; nothing blocks).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}
