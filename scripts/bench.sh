#!/usr/bin/env bash
# `make bench`: the project's benchmarks, each run only if it exists yet.
#
#   core/benches/library_search.rs       cargo bench -p seatline-core --bench library_search
#   platform/examples/lease_bench.rs     cargo run --release -p seatline-platform --example lease_bench
#
# Benchmarks run on this 2-core machine: compare numbers from the same machine only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ran=0
section() { echo; echo "==================== bench: $* ===================="; }

if [ -f core/benches/library_search.rs ]; then
  section "customer library search (seatline-core, library_search)"
  cargo bench -p seatline-core --bench library_search
  ran=$((ran + 1))
else
  section "customer library search: core/benches/library_search.rs not written yet, skipped"
fi

if [ -f platform/examples/lease_bench.rs ] || [ -f platform/examples/lease_bench/main.rs ]; then
  section "answer lease (seatline-platform, lease_bench)"
  cargo run --release -p seatline-platform --example lease_bench
  ran=$((ran + 1))
else
  section "answer lease: platform/examples/lease_bench.rs not written yet, skipped"
fi

echo
echo "bench: $ran benchmark(s) ran"
