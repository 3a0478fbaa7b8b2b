#!/usr/bin/env bash
# The Kotlin bindings on the JVM (STYLE item 9): build the library, generate, compile the
# generated code with the tests, start a real platform with the demo data, run JUnit.
# Needs KOTLINC, KOTLIN_COROUTINES_JAR, JNA_JAR, JUNIT_JAR (the Makefile exports them).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
: "${KOTLINC:?run through make kotlin-test}" "${JNA_JAR:?}" "${JUNIT_JAR:?}" "${KOTLIN_COROUTINES_JAR:?}"

bindings/generate.sh debug
cargo build -q -p seatline-platform

work=$(mktemp -d /tmp/seatline-kotlin.XXXXXX)
platform_pid=
cleanup() {
  [ -n "$platform_pid" ] && kill "$platform_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A platform of our own on a free port, with the demo enterprise.
db="sqlite://$work/platform.db"
target/debug/seatline-platform seed-demo --db "$db" >/dev/null
target/debug/seatline-platform serve --db "$db" --listen 127.0.0.1:0 >"$work/platform.out" 2>"$work/platform.err" &
platform_pid=$!
for _ in $(seq 100); do
  grep -q '^listening on ' "$work/platform.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$work/platform.out" | head -1)
[ -n "$url" ] || { echo "platform did not start"; cat "$work/platform.err"; exit 1; }

classes="$work/classes"
echo "kotlin-test: compiling the generated bindings and the tests"
if ! "$KOTLINC" -nowarn -cp "$JNA_JAR:$KOTLIN_COROUTINES_JAR:$JUNIT_JAR" -d "$classes" \
     bindings/out/kotlin bindings/kotlin/src/test/kotlin >"$work/kotlinc.log" 2>&1; then
  cat "$work/kotlinc.log"
  echo "kotlin-test: kotlinc failed"
  exit 1
fi

echo "kotlin-test: running against $url"
SEATLINE_PLATFORM_URL="$url" SEATLINE_TEST_DIR="$work" \
java -Djna.library.path="$root/target/debug" \
  -jar "$JUNIT_JAR" \
  --class-path "$classes:$JNA_JAR:$KOTLIN_COROUTINES_JAR:$KOTLIN_STDLIB_JAR" \
  --select-package io.seatline \
  --details=tree --disable-banner --fail-if-no-tests
