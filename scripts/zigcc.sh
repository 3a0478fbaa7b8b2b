#!/usr/bin/env bash
# zig cc as the C/C++ cross-compiler for `make check-mobile` (type-checking only).
#
# This machine has no Android NDK and no Xcode, yet the core depends on crates whose
# build scripts compile C for the target: libsqlite3-sys (rusqlite "bundled"), ring
# (rustls) and, later maybe, cmake-built libraries. cc-rs calls this script as
# CC_<target> (and cmake through scripts/cmake/<target>.cmake); we hand the job to
# `zig cc`, which carries clang plus libc headers for many targets.
#
# The objects this produces are good enough for `cargo check`, never for shipping:
# Android gets musl's headers, not bionic's (see docs/adr/0002-mobile-checks-without-ndk.md).
#
# Environment:
#   ZIG            path to the zig binary (the Makefile exports it; required)
#   ZIGCC_TARGET   the Rust target triple being checked (scripts/check-mobile.sh sets it);
#                  if unset we infer it from the --target flag cc-rs passes
#   ZIGCC_LANG     "cc" (default) or "c++" (scripts/zigcxx.sh sets it)
#   ZIGCC_LOG      if set, append each original and rewritten command line to that file
set -euo pipefail

if [ -z "${ZIG:-}" ] || [ ! -x "$ZIG" ]; then
  echo "zigcc.sh: ZIG is not set or not executable (${ZIG:-unset}); run 'make setup-zig'" >&2
  exit 2
fi
lang=${ZIGCC_LANG:-cc}
target=${ZIGCC_TARGET:-}

# --- pass 1: drop the flags that would fight with the target we choose ------------------
out=()
seen_target=""
skip=""
for a in "$@"; do
  if [ -n "$skip" ]; then
    # argument of a two-word flag we are dropping
    [ "$skip" = target ] && seen_target=$a
    skip=""
    continue
  fi
  case "$a" in
    # cc-rs adds --target=<clang triple> (e.g. aarch64-linux-android21, arm64-apple-ios).
    # zig has no bionic or Apple SDK behind those triples, and for clang the *last*
    # --target wins, so ours would be overridden: drop every one of them.
    --target=*) seen_target=${a#--target=}; continue ;;
    -target|--target) skip=target; continue ;;
    # Apple: cc-rs points -isysroot at $SDKROOT (an empty folder here, set so that cc-rs
    # does not run xcrun). The headers come from zig instead, so the sysroot must go.
    -isysroot) skip=1; continue ;;
    -isysroot*) continue ;;
    # Apple: -arch arm64 is a Darwin-driver spelling of the target; zig's -target says it.
    -arch) skip=1; continue ;;
    # Apple: -miphoneos-version-min=, -mios-simulator-version-min=, -mmacosx-version-min=:
    # zig derives the OS version from -target and rejects a second opinion.
    -m*-version-min=*|-mtargetos=*) continue ;;
    # ring (and cc-rs) pass -march=armv8-a / armv8.2-a+crypto: zig reads -march as a CPU
    # model name and rejects these. Spell them as zig's -mcpu=generic+v8a / +v8_2a+crypto.
    -march=armv8*|-march=armv9*)
      spec=${a#-march=}          # armv8.2-a+crypto
      base=${spec%%+*}           # armv8.2-a
      feats=""
      case "$spec" in *+*) feats="+${spec#*+}" ;; esac
      ver=${base#armv}           # 8.2-a
      ver=${ver%-a}              # 8.2
      ver=${ver//./_}            # 8_2
      out+=("-mcpu=generic+v${ver}a${feats}")
      continue ;;
    *) out+=("$a") ;;
  esac
done

# If nobody told us the target, infer it from the clang triple cc-rs passed.
if [ -z "$target" ]; then
  case "$seen_target" in
    aarch64*-linux-android*) target=aarch64-linux-android ;;
    x86_64*-linux-android*) target=x86_64-linux-android ;;
    arm64-apple-ios*|aarch64-apple-ios*) target=aarch64-apple-ios ;;
  esac
fi

# --- pass 2: the flags zig needs for this target ------------------------------------------
zig_lib=${ZIG_LIB_DIR:-$(dirname "$(readlink -f "$ZIG")")/lib}
case "$target" in
  aarch64-linux-android|x86_64-linux-android)
    # zig ships no bionic headers; musl's are the closest Linux libc it has (same LP64
    # layout, same kernel ABI). musl hides BSD/GNU extensions (e.g. some of what SQLite and
    # ring use) unless a feature macro asks for them, where bionic shows them by default:
    # -D_DEFAULT_SOURCE asks.
    pre=(-target "${target%%-*}-linux-musl" -D_DEFAULT_SOURCE)
    ;;
  aarch64-apple-ios)
    # zig knows the iOS target but has no iOS SDK; its generic Darwin libc headers
    # (any-darwin-any) are enough for the C in our dependencies to compile.
    pre=(-target aarch64-ios -isystem "$zig_lib/libc/include/any-darwin-any")
    ;;
  *)
    echo "zigcc.sh: unknown target '${target}' (set ZIGCC_TARGET; seen --target=${seen_target})" >&2
    exit 2
    ;;
esac

if [ -n "${ZIGCC_LOG:-}" ]; then
  {
    printf 'IN :'; printf ' %q' "$@"; echo
    printf 'OUT:'; printf ' %q' "$ZIG" "$lang" "${pre[@]}" "${out[@]}"; echo
  } >>"$ZIGCC_LOG"
fi
exec "$ZIG" "$lang" "${pre[@]}" "${out[@]}"
