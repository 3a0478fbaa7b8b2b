#!/usr/bin/env bash
# ranlib for the cmake toolchain files of `make check-mobile` (see scripts/zigar.sh).
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/zigar.sh" ranlib "$@"
