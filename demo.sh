#!/usr/bin/env bash
# The demo in one command, from a fresh clone: sets up what the screens need (the wasm32
# target, wasm-bindgen-cli and npm's binaryen, through ui-wasm/build.sh), builds the UI only
# when ui-wasm/dist is missing or older than its sources, builds plexdl, and runs
# `plexdl demo`: a replay Plex server in the process, a film and an episode queued, and the
# screens served at the address it prints (http://127.0.0.1:8787/ unless --listen says
# otherwise). Ctrl-C stops it. Arguments go to `plexdl demo` (for example --listen
# 127.0.0.1:0 for a port the system picks).
#
# The debug build is used: it compiles in about half the time of --release and is the one
# the tests build as well, and the demo's files are small.
set -euo pipefail
cd "$(dirname "$0")"

need() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "demo.sh: $1 is not installed. $2" >&2
        exit 1
    fi
}
need rustup "Install Rust with rustup (https://rustup.rs), then run this again."
need cargo "Install Rust with rustup (https://rustup.rs), then run this again."
need npm "Install Node.js 18 or later with npm (the UI build takes its wasm-opt from npm), then run this again."

bash ui-wasm/build.sh --if-stale

echo "Building plexdl (a few minutes the first time)"
cargo build -p plexdl-desktop --bin plexdl --locked
exec "${CARGO_TARGET_DIR:-target}/debug/plexdl" demo "$@"
