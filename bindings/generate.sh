#!/usr/bin/env bash
# Builds the FFI library and generates its Kotlin and Swift bindings into bindings/out/.
# Reproducible: the pinned uniffi-bindgen reads the metadata from the built library.
#   bindings/generate.sh [debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-debug}
flag=$([ "$profile" = release ] && echo --release || true)
cargo build -p seatline-ffi $flag
lib=target/$profile/libseatline_ffi.so
out=bindings/out
rm -rf "$out/kotlin" "$out/swift"
cargo run -q -p uniffi-bindgen -- generate --library "$lib" --language kotlin --out-dir "$out/kotlin" --no-format
cargo run -q -p uniffi-bindgen -- generate --library "$lib" --language swift --out-dir "$out/swift" --no-format
echo "bindings: Kotlin in $out/kotlin, Swift in $out/swift"
