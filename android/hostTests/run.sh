#!/usr/bin/env bash
# The host JVM tests of the JNI bridge: builds the bridge for this machine (with the
# test-hooks feature), compiles the app's NativeBridge class with the tests, and runs them
# with JUnit 5 against the replay server. Needs Java 17 and Debian's junit5 package
# (/usr/share/java/junit-platform-console-standalone.jar).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

junit="${JUNIT_CONSOLE:-/usr/share/java/junit-platform-console-standalone.jar}"
if [ ! -f "$junit" ]; then
    echo "JUnit 5 is missing ($junit). On Debian: apt-get install junit5" >&2
    exit 1
fi

cargo build -p plexdl-android -p plexdl-replay --features plexdl-android/test-hooks --locked

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
main_sources=(android/app/src/main/java/net/plexdownloader/NativeBridge.java
              android/app/src/main/java/net/plexdownloader/BridgeException.java
              android/app/src/main/java/net/plexdownloader/NativeBridgeNames.java)
# NativeBridge, BridgeException and NativeBridgeNames must stay free of android.* so that
# they compile and run here.
if grep -n "import android" "${main_sources[@]}"; then
    echo "NativeBridge, BridgeException and NativeBridgeNames must not import android classes" >&2
    exit 1
fi
javac -Xlint:all -Werror -d "$out/main" "${main_sources[@]}"
javac -Xlint:all -d "$out/test" -cp "$out/main:$junit" android/hostTests/java/net/plexdownloader/*.java
java -Djava.library.path="$root/target/debug" \
     -Dplexdl.replay="$root/target/debug/plexdl-replay" \
     -jar "$junit" -cp "$out/main:$out/test" --select-package net.plexdownloader \
     --disable-banner --details=tree
