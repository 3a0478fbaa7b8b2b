#!/usr/bin/env bash
# `make bench`: the project's benchmarks, each run only if it exists yet.
#
#   core/benches/library_search.rs       cargo bench -p seatline-core --bench library_search
#   platform/examples/lease_bench.rs     cargo run --release -p seatline-platform --example lease_bench
#   media/benches/media.rs               cargo bench -p seatline-media --bench media (short runs)
#   bench/ (voice_bench)                 the voice figures beside real peers: mouth-to-ear delay
#                                        and CPU per call-minute (baresip), relay CPU per call
#                                        (rtpengine), B2BUA CPU per call at 500 calls/s
#                                        (Kamailio), size of the release core library;
#                                        a table at the end (bench/README.md has the method)
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

if [ -f media/benches/media.rs ]; then
  section "media per frame (seatline-media, criterion: Opus, G.711, resample, jitter)"
  nice -n 10 cargo bench -p seatline-media --bench media -- --warm-up-time 1 --measurement-time 3 \
    2>&1 | tee "${TMPDIR:-/tmp}/seatline-bench-media.txt"
  ran=$((ran + 1))
fi

if [ -f bench/voice.sh ]; then
  section "voice figures beside baresip, rtpengine and Kamailio (bench/voice.sh)"
  bash bench/voice.sh
  ran=$((ran + 1))
fi

echo
echo "bench: $ran benchmark(s) ran"
