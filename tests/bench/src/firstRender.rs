//! The UI's first render: the Downloads screen of `plexdl demo` opened in Debian's headless
//! Chromium at phone size, five times, each in a fresh browser context (no cache, no
//! cookie): the time from the start of the navigation to the first download row in the page
//! (tests/bench/firstRender.mjs). It needs the built UI (ui-wasm/build.sh), Chromium, and
//! the UI tests' playwright-core (`npm ci` in tests/ui).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::Figure;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What is missing to measure, with the command that provides it.
fn missing() -> Option<String> {
    let root = root();
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    if !root.join("ui-wasm/dist/index.html").is_file() {
        return Some("the UI is not built: bash ui-wasm/build.sh".to_string());
    }
    if !root.join("tests/ui/node_modules/playwright-core").is_dir() {
        return Some("playwright-core is missing: (cd tests/ui && npm ci)".to_string());
    }
    if !Path::new(&chromium).is_file() {
        return Some(format!(
            "Chromium is missing ({chromium}): apt-get install chromium"
        ));
    }
    None
}

/// The first render of the Downloads list, median of 5.
pub fn first_render(plexdl_bin: &Path) -> Result<Figure, String> {
    if let Some(missing) = missing() {
        return Err(format!(
            "the UI's first render cannot be measured: {missing}"
        ));
    }
    let root = root();
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut demo = Command::new(plexdl_bin)
        .arg("--data-dir")
        .arg(data.path())
        .args(["demo", "--listen", "127.0.0.1:0", "--ui-dir"])
        .arg(root.join("ui-wasm/dist"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("plexdl demo: {e}"))?;
    let mut url = None;
    let lines = std::io::BufReader::new(demo.stdout.take().ok_or("no output")?);
    for line in lines.lines().map_while(Result::ok) {
        if let Some(rest) = line.split("Serving the app at ").nth(1) {
            url = rest
                .split_whitespace()
                .next()
                .map(|url| url.trim_end_matches('/').to_string());
            break;
        }
    }
    let measured = url
        .ok_or_else(|| "plexdl demo did not say where it serves".to_string())
        .and_then(|url| {
            Command::new("node")
                .arg(root.join("tests/bench/firstRender.mjs"))
                .arg(&url)
                .arg("5")
                .output()
                .map_err(|e| format!("node: {e}"))
        });
    let _ = demo.kill();
    let _ = demo.wait();
    let output = measured?;
    if !output.status.success() {
        return Err(format!(
            "the first-render script failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let answer: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("the first-render script's answer: {e}"))?;
    let mut times: Vec<f64> = answer["firstRowMillis"]
        .as_array()
        .ok_or("no times in the first-render answer")?
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    if times.len() != 5 {
        return Err(format!(
            "the first-render script gave {} times",
            times.len()
        ));
    }
    let first = times[0];
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[2];
    Ok(Figure {
        name: "UI first render: navigation start to the first row of the Downloads list, headless Chromium at phone size against `plexdl demo` (median of 5 fresh contexts)".to_string(),
        value: format!(
            "{median:.0} ms (the first {first:.0} ms, the slowest {:.0} ms)",
            times[4]
        ),
        goal: "<= 300 ms".to_string(),
        met: median <= 300.0,
    })
}
