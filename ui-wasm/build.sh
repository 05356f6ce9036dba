#!/usr/bin/env bash
# Builds the UI into ui-wasm/dist: cargo (wasm32), wasm-bindgen (the CLI version must equal
# the wasm-bindgen crate in Cargo.lock), then wasm-opt from npm's binaryen. `plexdl ui`
# serves ui-wasm/dist, and the Android build copies it into the app's assets.
#
# Installs what it needs when missing: the wasm32 target, wasm-bindgen-cli, binaryen.
# Prints the bundle size (wasm + js, raw and gzip) at the end.
#
# With --if-stale it builds only when ui-wasm/dist is missing or was built from other
# sources: every build writes the SHA-256 of its inputs (the UI's and the protocol crate's
# files, the workspace manifests and lock file, this script) to dist/inputs.sha256, and a
# build whose inputs hash the same is skipped. Contents, not times: a fresh clone or a
# checkout changes every file's time but not what the bundle is made of.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="ui-wasm/dist"
wasm_dir="target/wasm32-unknown-unknown/wasm-release"

inputs_hash() {
    find ui-wasm/src ui-wasm/static ui-wasm/Cargo.toml ui-wasm/package.json \
        ui-wasm/package-lock.json ui-wasm/build.sh state-machine/protocol/src \
        state-machine/protocol/Cargo.toml Cargo.toml Cargo.lock .cargo -type f -print0 |
        LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}
inputs="$(inputs_hash)"

if [ "${1:-}" = "--if-stale" ]; then
    if [ -f "$out/inputs.sha256" ] && [ "$(cat "$out/inputs.sha256")" = "$inputs" ] &&
        [ -f "$out/plexdl_ui_bg.wasm" ] && [ -f "$out/plexdl_ui.js" ]; then
        echo "The UI in $out is up to date with its sources; not building it again."
        exit 0
    fi
    echo "Building the UI into $out (it is missing or older than its sources)"
elif [ -n "${1:-}" ]; then
    echo "build.sh: unknown option $1 (the only option is --if-stale)" >&2
    exit 2
fi

rustup target add wasm32-unknown-unknown >/dev/null

version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$version" ]; then
    echo "build.sh: no wasm-bindgen in Cargo.lock" >&2
    exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $version"; then
    echo "Installing wasm-bindgen-cli $version (a few minutes, once)"
    # Without --locked: with it, the resolver asks for a crate version the registry lacks.
    cargo install wasm-bindgen-cli --version "$version"
fi

if [ ! -x ui-wasm/node_modules/.bin/wasm-opt ]; then
    (cd ui-wasm && npm ci --no-audit --no-fund --silent)
fi

cargo build -p plexdl-ui --target wasm32-unknown-unknown --profile wasm-release --locked

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$staging" --out-name plexdl_ui \
    "$wasm_dir/plexdl_ui.wasm"
ui-wasm/node_modules/.bin/wasm-opt -Oz \
    --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-multivalue --enable-mutable-globals \
    "$staging/plexdl_ui_bg.wasm" -o "$staging/plexdl_ui_bg.opt.wasm"
mv "$staging/plexdl_ui_bg.opt.wasm" "$staging/plexdl_ui_bg.wasm"
cp ui-wasm/static/* "$staging/"
echo "$inputs" >"$staging/inputs.sha256"

rm -rf "$out"
mkdir -p "$out"
cp "$staging"/* "$out/"

size() { wc -c <"$1" | tr -d ' '; }
gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
wasm="$out/plexdl_ui_bg.wasm"
js="$out/plexdl_ui.js"
echo "UI bundle in $out: wasm $(size "$wasm") bytes ($(gz "$wasm") gzip), js $(size "$js") bytes ($(gz "$js") gzip), together $(( $(gz "$wasm") + $(gz "$js") )) bytes gzip"
