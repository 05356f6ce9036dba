//! The JNI functions of `net.plexdownloader.NativeBridge`. Each is one line: it converts the
//! arguments, calls `bridge`, and hands the outcome to [`ThrowBridgeException`], which turns
//! an error or a panic into a `net.plexdownloader.BridgeException` with the message
//! `kind: sentence` (panics get the kind `panic`, with the panic message redacted).
//!
//! The function names follow the JNI rule `Java_<package>_<class>_<method>`; the package has
//! no underscores, so nothing needs escaping.

// JNI needs unmangled exported symbols, which the compiler counts as unsafe code.
#![allow(unsafe_code)]

use jni::errors::ErrorPolicy;
use jni::objects::{JByteArray, JClass, JString};
use jni::sys::{jboolean, jint, jlong};
use jni::{Env, EnvUnowned, jni_str};

use plexdl_protocol::FailureKind;

use crate::bridge::{self, BridgeError};

/// Throws `net.plexdownloader.BridgeException` for every error and panic and returns the
/// type's default value (null, 0) to Java, which sees only the exception.
#[derive(Debug)]
pub struct ThrowBridgeException;

fn throw(env: &mut Env<'_>, kind: FailureKind, message: &str) {
    if env.exception_check() {
        return;
    }
    let text = plexdl_redact::redact_text(&format!("{kind}: {message}")).into_owned();
    let _ = env.throw_new(
        jni_str!("net/plexdownloader/BridgeException"),
        jni::strings::JNIString::from(text),
    );
}

impl<T: Default> ErrorPolicy<T, BridgeError> for ThrowBridgeException {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        error: BridgeError,
    ) -> jni::errors::Result<T> {
        plexdl_core::logging::failure(error.kind, &error.message, "bridge call failed");
        throw(env, error.kind, &error.message);
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        let message = payload
            .downcast_ref::<&str>()
            .map(|text| (*text).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        tracing::error!(message = %plexdl_redact::redact_text(&message), "panic in the core");
        throw(env, FailureKind::Panic, &message);
        Ok(T::default())
    }
}

impl From<jni::errors::Error> for BridgeError {
    fn from(error: jni::errors::Error) -> BridgeError {
        BridgeError {
            kind: FailureKind::Jni,
            message: error.to_string(),
        }
    }
}

fn text(env: &Env<'_>, value: &JString<'_>) -> Result<String, BridgeError> {
    value.try_to_string(env).map_err(BridgeError::from)
}

fn string<'local>(env: &mut Env<'local>, value: String) -> Result<JString<'local>, BridgeError> {
    env.new_string(value).map_err(BridgeError::from)
}

/// Called by the VM when the library loads: logging (with redaction) starts here.
#[unsafe(no_mangle)]
pub extern "system" fn JNI_OnLoad(
    _vm: *mut jni::sys::JavaVM,
    _reserved: *mut std::ffi::c_void,
) -> jint {
    crate::bridge::install_logging();
    jni::sys::JNI_VERSION_1_6
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_init<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    data_dir: JString<'caller>,
    settings_json: JString<'caller>,
) {
    env.with_env(|env| bridge::init(&text(env, &data_dir)?, &text(env, &settings_json)?))
        .resolve::<ThrowBridgeException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_dispatch<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    request_json: JString<'caller>,
) -> JString<'caller> {
    env.with_env(|env| {
        let answer = bridge::dispatch(&text(env, &request_json)?)?;
        string(env, answer)
    })
    .resolve::<ThrowBridgeException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_runQueue<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    handle: jlong,
    options_json: JString<'caller>,
) -> JString<'caller> {
    env.with_env(|env| {
        let report = bridge::run_queue(handle, &text(env, &options_json)?)?;
        string(env, report)
    })
    .resolve::<ThrowBridgeException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_stopQueueRun<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    handle: jlong,
) {
    env.with_env(|_env| bridge::stop_queue_run(handle))
        .resolve::<ThrowBridgeException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_takeWakeNow<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
) -> jboolean {
    env.with_env(|_env| bridge::take_wake_now())
        .resolve::<ThrowBridgeException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_networkChanged<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    connected: jboolean,
    unmetered: jboolean,
) {
    env.with_env(|_env| bridge::network_changed(connected, unmetered))
        .resolve::<ThrowBridgeException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_setBackgroundLimit<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    name: JString<'caller>,
) {
    env.with_env(|env| bridge::set_background_limit(&text(env, &name)?))
        .resolve::<ThrowBridgeException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_queueProgress<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
) -> JString<'caller> {
    env.with_env(|env| {
        let progress = bridge::queue_progress()?;
        string(env, progress)
    })
    .resolve::<ThrowBridgeException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_pauseAll<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
) -> jint {
    env.with_env(|_env| bridge::pause_all())
        .resolve::<ThrowBridgeException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_cancelMoving<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
) -> jint {
    env.with_env(|_env| bridge::cancel_moving())
        .resolve::<ThrowBridgeException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_verify<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
) -> JString<'caller> {
    env.with_env(|env| {
        let report = bridge::verify()?;
        string(env, report)
    })
    .resolve::<ThrowBridgeException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_nextPush<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    timeout_ms: jlong,
) -> JString<'caller> {
    env.with_env(|env| {
        let push = bridge::next_push(timeout_ms)?;
        string(env, push)
    })
    .resolve::<ThrowBridgeException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_thumbnail<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    server_id: JString<'caller>,
    path: JString<'caller>,
    width: jint,
    height: jint,
) -> JByteArray<'caller> {
    env.with_env(|env| {
        let bytes = bridge::thumbnail(&text(env, &server_id)?, &text(env, &path)?, width, height)?;
        env.byte_array_from_slice(&bytes).map_err(BridgeError::from)
    })
    .resolve::<ThrowBridgeException>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_finishedFile<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    download_id: jlong,
) -> JString<'caller> {
    env.with_env(|env| {
        let path = bridge::finished_file(download_id)?;
        string(env, path)
    })
    .resolve::<ThrowBridgeException>()
}

/// Panics on purpose (only in builds with the `test-hooks` feature), so the host tests can
/// check that a panic reaches Java as a `BridgeException` and the process goes on.
#[cfg(feature = "test-hooks")]
#[unsafe(no_mangle)]
pub extern "system" fn Java_net_plexdownloader_NativeBridge_panicForTest<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    message: JString<'caller>,
) {
    env.with_env(|env| -> Result<(), BridgeError> {
        let message = text(env, &message)?;
        panic!("{message}")
    })
    .resolve::<ThrowBridgeException>()
}
