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
cargo build -q -p seatline-testpeers --bin customer-phone

work=$(mktemp -d /tmp/seatline-kotlin.XXXXXX)
platform_pid=
phone_pid=
cleanup() {
  [ -n "$platform_pid" ] && kill "$platform_pid" 2>/dev/null || true
  [ -n "$phone_pid" ] && kill "$phone_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The customer's phone (baresip, answers by itself) that the platform's trunk routes to.
calls_dir="$work/calls"
mkdir -p "$calls_dir"
target/debug/customer-phone --tone 1000 --record-dir "$calls_dir" >"$work/phone.out" 2>"$work/phone.err" &
phone_pid=$!
for _ in $(seq 100); do
  grep -q '^customer-phone sip ' "$work/phone.out" 2>/dev/null && break
  sleep 0.1
done
phone_sip=$(sed -n 's/^customer-phone sip //p' "$work/phone.out" | head -1)
[ -n "$phone_sip" ] || { echo "customer-phone did not start"; cat "$work/phone.err"; exit 1; }

# A platform of our own on a free port, with the demo enterprise, trunking every number
# to the customer's phone.
db="sqlite://$work/platform.db"
target/debug/seatline-platform seed-demo --db "$db" >/dev/null
target/debug/seatline-platform serve --db "$db" --listen 127.0.0.1:0 \
  --sip-listen 127.0.0.1:0 --rtp-ports 42000-42199 --trunk-route "=$phone_sip" \
  >"$work/platform.out" 2>"$work/platform.err" &
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
SEATLINE_PLATFORM_URL="$url" SEATLINE_TEST_DIR="$work" SEATLINE_CALLS_DIR="$calls_dir" \
java -Djna.library.path="$root/target/debug" \
  -jar "$JUNIT_JAR" \
  --class-path "$classes:$JNA_JAR:$KOTLIN_COROUTINES_JAR:$KOTLIN_STDLIB_JAR" \
  --select-package io.seatline \
  --details=tree --disable-banner --fail-if-no-tests
