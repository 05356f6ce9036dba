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
# The app's plain classes: the native bridge and every class with the app's policy (what
# to schedule, how a worker runs the queue, how a failure becomes an answer). They must
# stay free of android.* so that they compile and run here; the classes that touch Android
# only adapt them.
plain=(NativeBridge BridgeException NativeBridgeNames CoreCalls QueueRun QueueScheduling PlayerResult)
main_sources=()
for name in "${plain[@]}"; do
    main_sources+=("android/app/src/main/java/net/plexdownloader/$name.java")
done
if grep -n "import android" "${main_sources[@]}"; then
    echo "the plain classes (${plain[*]}) must not import android classes" >&2
    exit 1
fi
javac -Xlint:all -Werror -d "$out/main" "${main_sources[@]}"
javac -Xlint:all -d "$out/test" -cp "$out/main:$junit" android/hostTests/java/net/plexdownloader/*.java
java -Djava.library.path="$root/target/debug" \
     -Dplexdl.replay="$root/target/debug/plexdl-replay" \
     -jar "$junit" -cp "$out/main:$out/test" --select-package net.plexdownloader \
     --disable-banner --details=tree
