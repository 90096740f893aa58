#!/usr/bin/env bash
# Configures and builds Ferrite (compiler + tests) into build/ (or $FERRITE_BUILD_DIR).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FERRITE_BUILD_DIR:-$ROOT/build}
# -g1 (line tables, no variable info): a quarter less compile time than -g; configure your own build
# directory with -g for a debugger session.
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" > /dev/null
cmake --build "$BUILD" -j "$(nproc)"
