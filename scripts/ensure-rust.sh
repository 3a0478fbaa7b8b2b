#!/usr/bin/env bash
# `make setup-rust`: rustup components and targets the project needs, and cargo-nextest.
# Asks rustup what is installed first (fast), so a second run downloads nothing.
set -euo pipefail

components=(rustfmt clippy)
# Phone targets for `make check-mobile`. The iOS simulator targets (aarch64-apple-ios-sim,
# x86_64-apple-ios) are left out on purpose: their standard library does not download on
# these machines (they are added in .github/workflows/ios.yml on a macOS runner).
targets=(aarch64-linux-android x86_64-linux-android aarch64-apple-ios)

if ! command -v rustup >/dev/null 2>&1; then
  echo "setup-rust: rustup not found; this project expects a rustup-managed toolchain" >&2
  exit 1
fi

have_components=$(rustup component list --installed)
missing=()
for c in "${components[@]}"; do
  grep -q "^$c" <<<"$have_components" || missing+=("$c")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-rust: rustup component add ${missing[*]}"
  rustup component add "${missing[@]}"
fi

have_targets=$(rustup target list --installed)
missing=()
for t in "${targets[@]}"; do
  grep -qx "$t" <<<"$have_targets" || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-rust: rustup target add ${missing[*]}"
  rustup target add "${missing[@]}"
fi

# cargo-nextest is preinstalled on these machines (/usr/local/bin); build it only if absent.
if ! command -v cargo-nextest >/dev/null 2>&1; then
  echo "setup-rust: cargo-nextest not found; cargo install --locked cargo-nextest (takes minutes)"
  cargo install --locked cargo-nextest
fi

echo "setup-rust: ok ($(rustc --version); components ${components[*]}; targets ${targets[*]}; $(cargo nextest --version 2>/dev/null | head -n1))"
