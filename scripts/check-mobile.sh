#!/usr/bin/env bash
# `make check-mobile`: type-check the shared core and the UniFFI crate for the phones.
#
#   cargo check -p seatline-core -p seatline-ffi --target <t>
#   for t in aarch64-linux-android x86_64-linux-android aarch64-apple-ios
#
# There is no Android NDK and no Xcode on these machines, so every build script that
# compiles C for the target (libsqlite3-sys, ring, cmake-built libraries) is given
# `zig cc` through scripts/zigcc.sh. This checks that the Rust code and the C parts of
# its dependencies compile for the phone targets; it does not produce anything that could
# run on a phone (docs/adr/0002-mobile-checks-without-ndk.md). The real Android and iOS
# builds run in .github/workflows/android.yml and ios.yml.
#
# Environment (the Makefile exports the first two):
#   ZIG                     zig binary (required)
#   TOOLS                   project tool folder (default: <repo>/.tools)
#   CHECK_MOBILE_TARGETS    override the target list (space separated)
#   CHECK_MOBILE_PACKAGES   override the package list (default: seatline-core seatline-ffi)
#   ZIGCC_LOG               file to log every compiler command line to (debugging)
# The iOS simulator targets are not checked: their standard library cannot be installed here.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
export TOOLS=${TOOLS:-$root/.tools}

if [ -z "${ZIG:-}" ] || [ ! -x "$ZIG" ]; then
  echo "check-mobile: ZIG is not set or not executable (${ZIG:-unset}); run 'make setup-zig' or 'make check-mobile'" >&2
  exit 2
fi

targets=${CHECK_MOBILE_TARGETS:-aarch64-linux-android x86_64-linux-android aarch64-apple-ios}
packages=${CHECK_MOBILE_PACKAGES:-seatline-core seatline-ffi}

pkg_args=()
for p in $packages; do pkg_args+=(-p "$p"); done

installed=$(rustup target list --installed)
for t in $targets; do
  if ! grep -qx "$t" <<<"$installed"; then
    echo "check-mobile: Rust target $t is not installed; run 'make setup-rust'" >&2
    exit 2
  fi
done

# cc-rs runs `xcrun --show-sdk-path` for Apple targets unless SDKROOT is set. There is no
# xcrun here; an empty folder satisfies cc-rs, and zigcc.sh drops the -isysroot it yields.
export SDKROOT=$TOOLS/empty-sdk
mkdir -p "$SDKROOT"
# Keep zig's caches inside the project's tool folder (`make clean-tools` removes them).
export ZIG_GLOBAL_CACHE_DIR=${ZIG_GLOBAL_CACHE_DIR:-$TOOLS/zig-cache}
export ZIG_LOCAL_CACHE_DIR=${ZIG_LOCAL_CACHE_DIR:-$TOOLS/zig-cache}

summary=()
all_start=$SECONDS
for t in $targets; do
  tu=${t//-/_}
  echo "==> check-mobile: cargo check ${pkg_args[*]} --target $t (C via zig cc)"
  start=$SECONDS
  # CC_/CXX_/AR_<target> are read by cc-rs, CMAKE_TOOLCHAIN_FILE_<target> by the cmake
  # crate; both only for this target, so host build scripts keep using the host gcc.
  if ! env \
      ZIGCC_TARGET="$t" \
      "CC_$tu=$root/scripts/zigcc.sh" \
      "CXX_$tu=$root/scripts/zigcxx.sh" \
      "AR_$tu=$root/scripts/zigar.sh" \
      "RANLIB_$tu=$root/scripts/zigranlib.sh" \
      "CMAKE_TOOLCHAIN_FILE_$tu=$root/scripts/cmake/$t.cmake" \
      cargo check "${pkg_args[@]}" --target "$t"; then
    echo "check-mobile: FAILED for $t after $((SECONDS - start))s" >&2
    echo "check-mobile: rerun with ZIGCC_LOG=/tmp/zigcc.log to see each compiler command line" >&2
    exit 1
  fi
  summary+=("$t: ok in $((SECONDS - start))s")
done

echo "==> check-mobile summary (${packages})"
for line in "${summary[@]}"; do echo "    $line"; done
echo "    total: $((SECONDS - all_start))s"
