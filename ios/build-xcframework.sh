#!/usr/bin/env bash
# Builds the Rust core for iOS devices, the iOS simulator and this Mac, generates the
# Swift bindings from it, and puts both where SeatlineKit expects them:
#   ios/SeatlineKit/Frameworks/SeatlineCoreFFI.xcframework   (static libraries + C header)
#   ios/SeatlineKit/Sources/SeatlineCore/SeatlineCore.swift  (UniFFI's Swift)
# macOS with Xcode only (xcodebuild -create-xcframework). The Mac slice lets `swift test`
# run SeatlineKit's tests on the Mac itself.
#   ios/build-xcframework.sh [release|debug]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
profile=${1:-release}
flag=$([ "$profile" = release ] && echo --release || true)
host=$(rustc -vV | sed -n 's/^host: //p')
export IPHONEOS_DEPLOYMENT_TARGET=${IPHONEOS_DEPLOYMENT_TARGET:-16.0}
export MACOSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-13.0}

slices=(aarch64-apple-ios aarch64-apple-ios-sim "$host")
for target in "${slices[@]}"; do
  cargo build $flag -p seatline-ffi --target "$target"
done

# UniFFI's library mode reads the metadata from a compiled library; every slice has the same.
work=target/ios-xcframework
rm -rf "$work" && mkdir -p "$work/swift" "$work/headers/SeatlineCoreFFI"
lib="target/$host/$profile/libseatline_ffi.dylib"
[ -f "$lib" ] || lib="target/$host/$profile/libseatline_ffi.a"
cargo run -q -p uniffi-bindgen -- generate --library "$lib" \
  --language swift --out-dir "$work/swift" --no-format

# The header with its module map, renamed so that clang finds it, in a folder of the
# module's name so that it cannot collide with another framework's module.modulemap.
cp "$work/swift/SeatlineCoreFFI.h" "$work/headers/SeatlineCoreFFI/"
cp "$work/swift/SeatlineCoreFFI.modulemap" "$work/headers/SeatlineCoreFFI/module.modulemap"

kit=ios/SeatlineKit
rm -rf "$kit/Frameworks/SeatlineCoreFFI.xcframework"
mkdir -p "$kit/Frameworks"
args=()
for target in "${slices[@]}"; do
  args+=(-library "target/$target/$profile/libseatline_ffi.a" -headers "$work/headers")
done
xcodebuild -create-xcframework "${args[@]}" -output "$kit/Frameworks/SeatlineCoreFFI.xcframework"
cp "$work/swift/SeatlineCore.swift" "$kit/Sources/SeatlineCore/SeatlineCore.swift"
echo "build-xcframework: $kit/Frameworks/SeatlineCoreFFI.xcframework and SeatlineCore.swift ($profile)"
