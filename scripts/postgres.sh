#!/usr/bin/env bash
# A throwaway PostgreSQL for the platform's tests, on 127.0.0.1:54329.
#
#   scripts/postgres.sh start   # install (apt, once), initdb, start; prints the URL
#   scripts/postgres.sh url     # prints the URL
#   scripts/postgres.sh stop    # stops the server this script started
#   scripts/postgres.sh status
#
# Tests read the URL from SEATLINE_TEST_PG_URL, e.g.
#   export SEATLINE_TEST_PG_URL=$(scripts/postgres.sh start)
# and create a fresh database per test from it.
#
# Idempotent: `start` on a running server only prints the URL. Data lives under
# $SEATLINE_PG_DIR (default /tmp/seatline-pg); `stop` signals only the postmaster whose
# pid is in that directory's postmaster.pid.
set -euo pipefail

PG_DIR="${SEATLINE_PG_DIR:-/tmp/seatline-pg}"
PG_PORT="${SEATLINE_PG_PORT:-54329}"
PG_DB="seatline"
DATA="$PG_DIR/data"
LOG="$PG_DIR/server.log"
URL="postgres://postgres@127.0.0.1:${PG_PORT}/${PG_DB}"

log() { echo "postgres.sh: $*" >&2; }

# The server binaries: Debian keeps them out of PATH, under /usr/lib/postgresql/N/bin.
find_bindir() {
    local d
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v pg_ctl)")"
        return 0
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

install_if_missing() {
    if find_bindir >/dev/null; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        log "PostgreSQL is not installed and this is not root: install the 'postgresql' package"
        exit 1
    fi
    log "installing postgresql from apt"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    # Debian's package creates and starts its own cluster on 5432; ours is separate and
    # that one is left as the package set it up.
}

# Runs a command as the database owner: `postgres` when we are root (initdb refuses
# root), ourselves otherwise.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

is_running() {
    local bindir
    bindir="$(find_bindir)" || return 1
    [ -f "$DATA/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
    install_if_missing
    local bindir
    bindir="$(find_bindir)"
    if is_running; then
        echo "$URL"
        return 0
    fi
    mkdir -p "$PG_DIR"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$PG_DIR"
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        log "initdb in $DATA"
        as_owner "$bindir/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 \
            --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || {
            cat "$PG_DIR/initdb.log" >&2
            exit 1
        }
    fi
    # Only loopback TCP and a socket in our own directory: nothing else on the machine
    # is touched. Trust authentication: a test cluster on loopback only.
    as_owner "$bindir/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_DIR -c max_connections=300" \
        >&2 || {
        tail -n 30 "$LOG" >&2 || true
        exit 1
    }
    if ! as_owner "$bindir/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1; then
        as_owner "$bindir/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc \
            "CREATE DATABASE $PG_DB" >&2
    fi
    echo "$URL"
}

stop() {
    local bindir
    if ! bindir="$(find_bindir)"; then
        return 0
    fi
    if [ -f "$DATA/postmaster.pid" ]; then
        # pg_ctl stops the postmaster named in our own data directory's pid file.
        as_owner "$bindir/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) echo "$URL" ;;
    status)
        if is_running; then echo "running: $URL"; else echo "stopped"; exit 3; fi
        ;;
    *)
        echo "usage: $0 start|stop|url|status" >&2
        exit 2
        ;;
esac
