#!/usr/bin/env bash
# Runs every check and every test of the project. Developers, .ci/run and the GitHub workflow
# all run this same script. It stops at the first failure:
#   1. formatting (rustfmt),
#   2. lints and compiler warnings (clippy, warnings are errors),
#   3. the bridge protocol crate builds for WebAssembly,
#   4. every test of every crate (unit, integration, doc tests).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== rustfmt"
cargo fmt --all --check

echo "== clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== the bridge protocol compiles for WebAssembly (the UI uses it)"
rustup target add wasm32-unknown-unknown
cargo check -p plexdl-protocol --target wasm32-unknown-unknown --locked

echo "== tests"
cargo test --workspace --locked
