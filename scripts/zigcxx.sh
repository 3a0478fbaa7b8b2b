#!/usr/bin/env bash
# C++ twin of scripts/zigcc.sh (cc-rs calls it as CXX_<target>; cmake as CMAKE_CXX_COMPILER).
# Same rewrites, but `zig c++` so libc++ headers are on the include path.
set -euo pipefail
ZIGCC_LANG=c++ exec "$(dirname "${BASH_SOURCE[0]}")/zigcc.sh" "$@"
