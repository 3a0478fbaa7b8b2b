#!/usr/bin/env bash
# Archiver for `make check-mobile` (cc-rs calls it as AR_<target>, cmake as CMAKE_AR).
# Debian's GNU ar would archive the ELF (Android) objects but cannot index Mach-O (iOS)
# ones; zig's llvm-ar handles both. Called as `zigar.sh ranlib LIB` it runs zig ranlib.
set -euo pipefail
if [ -z "${ZIG:-}" ] || [ ! -x "$ZIG" ]; then
  echo "zigar.sh: ZIG is not set or not executable (${ZIG:-unset}); run 'make setup-zig'" >&2
  exit 2
fi
if [ "${1:-}" = ranlib ]; then
  shift
  exec "$ZIG" ranlib "$@"
fi
exec "$ZIG" ar "$@"
