#!/usr/bin/env bash
# Builds Ferrite with AddressSanitizer + UndefinedBehaviorSanitizer (g++) into build-asan/ (or
# $FERRITE_ASAN_DIR) and runs, under the sanitizers: the bad-input and hostile-model CLI tests, the
# fuzzer for SECONDS (default 60), and, with --conformance, the ONNX node-test conformance suite.
# Any sanitizer report fails the run (halt_on_error). usage: scripts/sanitize.sh [SECONDS] [--conformance]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FERRITE_ASAN_DIR:-$ROOT/build-asan}
SECS=${1:-60}
# (GCC 12 sees uninitialized std::function members in <regex> under ASan: a false positive)
FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -Wno-error=maybe-uninitialized"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$FLAGS" \
      -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null
cmake --build "$BUILD" -j "${FERRITE_JOBS:-$(nproc)}" --target ferrite ferrite_cli_tests ferrite_fuzz
# protobuf/onnx are not instrumented; leaks at exit are not errors of the compiler's logic
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
"$BUILD/tests/ferrite_cli_tests"
bash "$ROOT/tests/fuzz/run_fuzz.sh" "$BUILD/tests/ferrite_fuzz" "$ROOT" "$BUILD/fuzz" "$SECS"
if [ "${2:-}" = "--conformance" ]; then
  /usr/bin/python3 "$ROOT/tests/conformance/run_node_tests.py" --ferrite "$BUILD/ferrite" \
    --data /usr/share/libonnx-testdata/data/node --jobs "${FERRITE_JOBS:-2}"
fi
echo "sanitize: no sanitizer reports"
