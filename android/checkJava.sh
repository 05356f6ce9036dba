#!/usr/bin/env bash
# Type-checks the Android app's Java sources with javac against android/stubs: hand-written
# stubs of exactly the android, androidx, guava and org.json signatures the app uses, each
# copied from its official reference page (named at the top of the stub). No Android SDK is
# needed; the real APK is built by .github/workflows/android.yml.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
find android/stubs -name '*.java' > "$out/stubs.txt"
javac -nowarn -d "$out/stubs" @"$out/stubs.txt"
# The app's sources, without the stand-in for the generated R class.
javac -Xlint:all -Xlint:-serial -Werror -cp "$out/stubs" -d "$out/app" \
    $(find android/app/src/main/java -name '*.java')
echo "The Android app's Java sources type-check against the stubs."
