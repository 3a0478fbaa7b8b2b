#!/usr/bin/env bash
# The body of `make test`, after `make setup lint` (the Makefile runs those first):
#
#   1. PostgreSQL for the platform's store tests: scripts/postgres.sh start prints a URL,
#      exported as SEATLINE_TEST_PG_URL with SEATLINE_REQUIRE_PG=1 (so tests that need
#      it fail instead of skipping). If SEATLINE_TEST_PG_URL is already set, that server
#      is used and this script neither starts nor stops one.
#   2. cargo build --workspace --bins   (the end-to-end suites spawn these binaries)
#   3. cargo nextest run --workspace    (cargo test if nextest is missing)
#   4. make check-mobile                (core + bindings type-check for the phones)
#   5. make kotlin-test                 (JVM tests of the Kotlin bindings)
#   6. scripts/postgres.sh stop         (only if step 1 started it, i.e. it was not
#                                       already running; also on failure)
#
# The last line printed is the test runner's own summary line again, so that whoever
# reads the end of the log (CI does) sees the Rust suite's result, not a later step's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
make=${MAKE:-make}
log_dir=$root/target/test-logs
mkdir -p "$log_dir"
test_log=$log_dir/rust-tests.log

step() { echo; echo "==> test: $*"; }
fail() { echo "test: FAILED: $*" >&2; exit 1; }

started_pg=0
cleanup() {
  local rc=$?
  if [ "$started_pg" = 1 ]; then
    echo "==> test: stopping the PostgreSQL this run started"
    bash scripts/postgres.sh stop || echo "test: scripts/postgres.sh stop failed (ignored)" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT

# 1. PostgreSQL ---------------------------------------------------------------------------
if [ -n "${SEATLINE_TEST_PG_URL:-}" ]; then
  step "using the PostgreSQL given in SEATLINE_TEST_PG_URL (not started or stopped here)"
else
  step "starting PostgreSQL (scripts/postgres.sh start)"
  [ -f scripts/postgres.sh ] || fail "scripts/postgres.sh is missing: it starts the test database (SEATLINE_REQUIRE_PG=1 makes the store tests need it)"
  # postgres.sh start is idempotent (on a running server it only prints the URL): ask
  # first, so that a server someone else started is not stopped by this run.
  if bash scripts/postgres.sh status >/dev/null 2>&1; then
    echo "test: PostgreSQL was already running: it is used and left running"
  else
    started_pg=1
  fi
  pg_out=$(bash scripts/postgres.sh start) || fail "scripts/postgres.sh start exited non-zero"
  printf '%s\n' "$pg_out"
  # The URL is the last line that looks like one; anything else it prints is just shown.
  url=$(printf '%s\n' "$pg_out" | grep -E '^postgres(ql)?://' | tail -n 1 || true)
  [ -n "$url" ] || fail "scripts/postgres.sh start printed no postgres:// URL"
  export SEATLINE_TEST_PG_URL=$url
fi
export SEATLINE_REQUIRE_PG=1
echo "SEATLINE_TEST_PG_URL=$(sed -E 's#://[^@/]*@#://***@#' <<<"$SEATLINE_TEST_PG_URL") SEATLINE_REQUIRE_PG=1"

# 2. binaries -----------------------------------------------------------------------------
step "cargo build --workspace --bins"
cargo build --workspace --bins || fail "cargo build --workspace --bins"

# 3. the Rust test suites -----------------------------------------------------------------
if cargo nextest --version >/dev/null 2>&1; then
  step "cargo nextest run --workspace"
  runner="cargo nextest run --workspace --no-fail-fast"
else
  step "cargo test --workspace (cargo-nextest not installed)"
  runner="cargo test --workspace --no-fail-fast"
fi
set +e
$runner 2>&1 | tee "$test_log"
rc=${PIPESTATUS[0]}
set -e
# nextest: "     Summary [  12.3s] 42 tests run: 42 passed, 0 skipped"
# cargo test: one "test result: ok. N passed; M failed; ..." per test binary
summary=$(grep -E '^ *Summary \[' "$test_log" | tail -n 1 || true)
if [ -z "$summary" ]; then
  summary=$(grep -E '^test result: ' "$test_log" | tail -n 1 || true)
fi
[ "$rc" = 0 ] || { echo "${summary:-(no test summary)}"; fail "Rust tests (exit $rc); full log: $test_log"; }

# 4. phones -------------------------------------------------------------------------------
step "make check-mobile"
$make --no-print-directory check-mobile || fail "make check-mobile"

# 5. Kotlin bindings on the JVM -----------------------------------------------------------
step "make kotlin-test"
$make --no-print-directory kotlin-test || fail "make kotlin-test"

step "make swift-check"
$make --no-print-directory swift-check || fail "make swift-check"

# 6. stop PostgreSQL now rather than in the exit trap, so the summary stays the last line.
if [ "$started_pg" = 1 ]; then
  step "stopping the PostgreSQL this run started"
  started_pg=0
  bash scripts/postgres.sh stop || echo "test: scripts/postgres.sh stop failed (ignored)" >&2
fi

step "all steps passed; Rust test summary (from $test_log):"
echo "$summary"
