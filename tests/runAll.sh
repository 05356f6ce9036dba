#!/usr/bin/env bash
# Runs every check and every test of the project. Developers, .ci/run and the GitHub workflow
# all run this same script. It stops at the first failure:
#   1. formatting (rustfmt),
#   2. lints and compiler warnings (clippy, warnings are errors),
#   3. the bridge protocol crate builds for WebAssembly,
#   4. every test of every crate (unit, integration, doc tests),
#   5. the UI: its WebAssembly build (ui-wasm/build.sh), its components in Chromium
#      (wasm-bindgen-test) and the whole app end to end in Chromium (tests/ui, Playwright),
#      which also writes screenshots of every screen to tests/output/screenshots,
#   6. Android: the JNI bridge called from a JVM on this machine (JUnit 5), the bridge crate
#      checked for aarch64-linux-android, the app's Java sources type-checked against stubs,
#   7. the fuzzers (30 s each; FUZZ_SECONDS changes it).
# Each step's line says how long the script had run when it started, so a slow step shows.
# The UI steps need Chromium and chromedriver (Debian: apt-get install chromium
# chromium-driver) and Node with npm; the Android steps need Java 17, JUnit 5 (junit5), and
# clang, llvm and the arm64 C headers (clang lld llvm libc6-dev-arm64-cross); .ci/run
# installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

step() {
  echo "== [$((SECONDS / 60))m$((SECONDS % 60))s] $*"
}

step "rustfmt"
cargo fmt --all --check

step "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "the bridge protocol compiles for WebAssembly (the UI uses it)"
rustup target add wasm32-unknown-unknown
cargo check -p plexdl-protocol --target wasm32-unknown-unknown --locked

step "tests"
cargo test --workspace --locked

step "UI: lints for WebAssembly (warnings are errors)"
cargo clippy -p plexdl-ui --target wasm32-unknown-unknown --all-targets --locked -- -D warnings

step "UI: build into ui-wasm/dist (cargo, wasm-bindgen, wasm-opt)"
bash ui-wasm/build.sh

chromium="${CHROMIUM:-/usr/bin/chromium}"
chromedriver="${CHROMEDRIVER:-/usr/bin/chromedriver}"
if [ ! -x "$chromium" ] || [ ! -x "$chromedriver" ]; then
  echo "The UI tests need Chromium and chromedriver ($chromium, $chromedriver)." >&2
  echo "On Debian: apt-get install chromium chromium-driver" >&2
  exit 1
fi

step "UI: components in Chromium (wasm-bindgen-test)"
CHROMEDRIVER="$chromedriver" cargo test -p plexdl-ui --target wasm32-unknown-unknown --locked

step "UI: end to end in Chromium against plexdl ui and the replay server"
cargo build -p plexdl-desktop -p plexdl-replay --locked
(cd tests/ui && npm ci --no-audit --no-fund --silent && CHROMIUM="$chromium" npm test)

step "Android: the JNI bridge on this machine's JVM (JUnit 5 against the replay server)"
bash android/hostTests/run.sh

step "Android: the bridge crate compiles (cargo check, with lints) for aarch64-linux-android (no NDK here)"
rustup target add aarch64-linux-android
CC_aarch64_linux_android=clang AR_aarch64_linux_android=llvm-ar \
  CFLAGS_aarch64_linux_android='--target=aarch64-linux-android24 -isystem /usr/aarch64-linux-gnu/include -D_GNU_SOURCE' \
  cargo clippy -p plexdl-android --target aarch64-linux-android --locked -- -D warnings

step "Android: the app's Java sources type-check against the stubs"
bash android/checkJava.sh

step "fuzzing: each target for ${FUZZ_SECONDS:-30} s (cargo fuzz, nightly toolchain)"
rustup toolchain install nightly --profile minimal
if ! cargo fuzz --version 2>/dev/null | grep -q "0.13.1"; then
  cargo install cargo-fuzz --version 0.13.1 --locked
fi
for target in plexParsers bridgeDispatch fileNames; do
  # Seeds and earlier finds from fixtures/fuzz; new inputs go to a scratch copy. A crash
  # stops the script; copy the crash file from tests/fuzz/artifacts into
  # fixtures/fuzz/<target>/ so the regression tests keep it.
  corpus="$(mktemp -d)"
  cp fixtures/fuzz/"$target"/* "$corpus"/
  (cd tests/fuzz && cargo +nightly fuzz run "$target" --fuzz-dir . "$corpus" -- -max_total_time="${FUZZ_SECONDS:-30}" -print_final_stats=1)
  rm -rf "$corpus"
done
step "all checks and tests passed"
