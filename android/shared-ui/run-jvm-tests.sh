#!/usr/bin/env bash
# The Android app's plain-Kotlin layer (view models, reducers, texts) on the JVM, with the
# toolchain of bindings/kotlin/run-tests.sh and no Gradle, Android SDK or platform: the
# tests drive the models through fakes of AgentCore and DialPadInterface.
#   KOTLINC, KOTLIN_STDLIB_JAR, KOTLIN_COROUTINES_JAR, JNA_JAR, JUNIT_JAR: the Makefile
#   exports them. Needs the generated bindings (bindings/generate.sh, or `make bindings`).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
: "${KOTLINC:?run through make (it exports KOTLINC)}" "${KOTLIN_STDLIB_JAR:?}" "${KOTLIN_COROUTINES_JAR:?}" \
  "${JNA_JAR:?}" "${JUNIT_JAR:?}"

bindings=bindings/out/kotlin
if [ ! -f "$bindings/io/seatline/core/seatline_ffi.kt" ]; then
  bindings/generate.sh debug
fi

work=$(mktemp -d /tmp/seatline-shared-ui.XXXXXX)
trap 'rm -rf "$work"' EXIT
classes="$work/classes"
cp="$JNA_JAR:$KOTLIN_COROUTINES_JAR"

# One kotlinc run for the bindings, the models and the tests: a JVM start per source set
# would cost more than the extra files.
echo "shared-ui: compiling the bindings, android/shared-ui and its tests"
if ! "$KOTLINC" -nowarn -cp "$cp:$JUNIT_JAR" -d "$classes" \
     "$bindings" android/shared-ui/src/main/kotlin android/shared-ui/src/test/kotlin \
     >"$work/kotlinc.log" 2>&1; then
  cat "$work/kotlinc.log"
  echo "shared-ui: kotlinc failed"
  exit 1
fi

echo "shared-ui: running JUnit"
java -jar "$JUNIT_JAR" \
  --class-path "$classes:$cp:$KOTLIN_STDLIB_JAR" \
  --select-package io.seatline.shell \
  --details=tree --disable-banner --fail-if-no-tests
