//! The bridge as the Android app uses it, on this machine: the app's own `NativeBridge`
//! class in a host JVM, with the JNI library built for this machine (`cargo build --release
//! -p plexdl-android`), over a manifest the benchmark filled with finished downloads.
//!
//! - Latency: `downloads.list` answered 1,000 times (after 100 to warm up), with 100 and
//!   with 1,000 rows; p50 and p99 of the time each `dispatch` call took, measured in Java
//!   around the call (what the WebView's JavaScript bridge waits for, less the WebView's own
//!   hop).
//! - Start: from the moment this benchmark starts the JVM to the first `downloads.list`
//!   answer with 10,000 rows (the JVM's start, loading the library, opening the core and the
//!   first answer), and of that, the core's part (opening and answering); median of 3.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::Figure;
use crate::measures::finished_downloads;

/// The repository's root (the benchmark's crate is tests/bench).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Compiles the benchmark's Java main with the app's NativeBridge into a new folder.
fn compile() -> Result<tempfile::TempDir, String> {
    let classes = tempfile::tempdir().map_err(|e| e.to_string())?;
    let output = Command::new("javac")
        .arg("-d")
        .arg(classes.path())
        .arg("-sourcepath")
        .arg(root().join("android/app/src/main/java"))
        .arg(root().join("tests/bench/java/net/plexdownloader/bench/BridgeLatency.java"))
        .output()
        .map_err(|e| format!("javac (Java 17 is needed for the bridge figures): {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "javac failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(classes)
}

/// One JVM on a new manifest of `rows` finished downloads, `calls` timed calls; its JSON
/// line and when it was started (milliseconds since the epoch).
fn run_jvm(
    library_dir: &Path,
    classes: &Path,
    rows: u64,
    calls: u32,
) -> Result<(Value, i64), String> {
    let (_dir, data, downloads) = finished_downloads(rows)?;
    let started_ms = plexdl_core::manifest::now_ms();
    let output = Command::new("java")
        .arg(format!("-Djava.library.path={}", library_dir.display()))
        .arg("-cp")
        .arg(classes)
        .arg("net.plexdownloader.bench.BridgeLatency")
        .arg(&data)
        .arg(&downloads)
        .arg(calls.to_string())
        .arg(rows.to_string())
        .output()
        .map_err(|e| format!("java: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "the bridge benchmark's JVM failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let line = String::from_utf8_lossy(&output.stdout);
    let figures: Value =
        serde_json::from_str(line.trim()).map_err(|e| format!("the JVM's answer {line:?}: {e}"))?;
    Ok((figures, started_ms))
}

fn millis(figures: &Value, field: &str) -> f64 {
    figures[field].as_f64().unwrap_or(f64::NAN) / 1000.0
}

/// Latency at 100 and 1,000 rows, and the start with 10,000 rows.
pub fn all(plexdl_bin: &Path) -> Result<Vec<Figure>, String> {
    let library_dir = plexdl_bin.parent().ok_or("no folder")?;
    let library = library_dir.join(format!(
        "{}plexdl_android{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    if !library.is_file() {
        return Err(format!(
            "{} is missing: build it with cargo build --release -p plexdl-android",
            library.display()
        ));
    }
    let classes = compile()?;
    let mut figures = Vec::new();
    for (rows, goal_ms) in [(100u64, 1.0), (1000, 10.0)] {
        let (measured, _) = run_jvm(library_dir, classes.path(), rows, 1000)?;
        let (p50, p99) = (
            millis(&measured, "p50Micros"),
            millis(&measured, "p99Micros"),
        );
        figures.push(Figure {
            name: format!(
                "Bridge latency, `downloads.list` with {rows} rows through JNI from the host JVM (1,000 calls)"
            ),
            value: format!("p50 {p50:.3} ms, p99 {p99:.3} ms"),
            goal: format!("p99 <= {goal_ms} ms"),
            met: p99 <= goal_ms,
        });
    }
    // Three starts, each on a new manifest of 10,000 rows; the median by the whole time.
    let mut starts = Vec::new();
    for _ in 0..3 {
        let (measured, started_ms) = run_jvm(library_dir, classes.path(), 10_000, 0)?;
        let first = measured["firstAnswerMs"].as_i64().unwrap_or(i64::MAX);
        let jvm = measured["jvmStartMs"].as_i64().unwrap_or(i64::MAX);
        starts.push((
            (first - started_ms) as f64,
            (jvm - started_ms) as f64,
            millis(&measured, "initMicros"),
            millis(&measured, "coreStartMicros"),
        ));
    }
    starts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (whole, jvm, init, core) = starts[1];
    figures.push(Figure {
        name: "Start with 10,000 rows: from starting the process to the first `downloads.list` answer (host JVM, median of 3)".to_string(),
        value: format!(
            "{whole:.0} ms (the JVM's own start {jvm:.0} ms; loading the library and opening the core {init:.0} ms, the first answer {:.0} ms)",
            core - init
        ),
        goal: "<= 150 ms".to_string(),
        met: whole <= 150.0 && whole > 0.0,
    });
    Ok(figures)
}
