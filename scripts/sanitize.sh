#!/usr/bin/env bash
# Builds Ferrite with AddressSanitizer + UndefinedBehaviorSanitizer and runs, under the sanitizers,
# the bad-input suite:
#   1. ferrite_cli_tests (ctest cli_bad_input: bad input, error messages, issue 12's hostile models),
#   2. the hostile .tflite catalogue (ctest tflite_hostile; skipped when ../shared/models/tflite is absent),
#   3. tests/fuzz/run_fuzz.sh: the fuzz regressions (tests/fuzz/regressions, --strict), then the
#      deterministic fuzzer for SECONDS (default 60) over models, .npy and .pb files,
# and, with --conformance, 4. the ONNX node-test conformance suite (ctest conformance_node_tests).
# Any sanitizer report fails the run: reports are written to $BUILD/sanitizer-logs/ (every process,
# including the ones the tests and the conformance runner start) and the run fails if one appears.
# Prints each step's time and result.
#
# usage: scripts/sanitize.sh [SECONDS] [--conformance] [--clang]
#   default: g++, build-asan/ (or $FERRITE_ASAN_DIR)
#   --clang: clang++ with scripts/fuzz.sh's flags in build-libfuzzer/ (or $FERRITE_LIBFUZZER_DIR):
#            one ASan + UBSan build of the compiler serves the libFuzzer targets and these tests
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=60
CONFORMANCE=0
CLANG=0
for a in "$@"; do
  case $a in
    --conformance) CONFORMANCE=1 ;;
    --clang) CLANG=1 ;;
    *[!0-9]*|"") echo "usage: scripts/sanitize.sh [SECONDS] [--conformance] [--clang]"; exit 2 ;;
    *) SECS=$a ;;
  esac
done
if [ $CLANG = 1 ]; then
  BUILD=${FERRITE_LIBFUZZER_DIR:-$ROOT/build-libfuzzer}
  # exactly scripts/fuzz.sh's configuration (a different one would rebuild everything)
  CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFERRITE_LIBFUZZER=ON -DFERRITE_WERROR=OFF \
      -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" > /dev/null || exit 1
  # (fuzz.sh runs UBSan recoverable with halt_on_error; the same here)
else
  BUILD=${FERRITE_ASAN_DIR:-$ROOT/build-asan}
  # (GCC 12 sees uninitialized std::function members in <regex> under ASan: a false positive)
  FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -Wno-error=maybe-uninitialized"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$FLAGS" \
        -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null || exit 1
fi
cmake --build "$BUILD" -j "${FERRITE_JOBS:-$(nproc)}" --target ferrite ferrite_cli_tests ferrite_fuzz || exit 1
LOGS="$BUILD/sanitizer-logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"
# protobuf/onnx are not instrumented; leaks at exit are not errors of the compiler's logic
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=1:log_path=$LOGS/asan
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$LOGS/ubsan
# ASan reserves terabytes of shadow address space: no RLIMIT_AS in the tests and the fuzzer
export FERRITE_TEST_NO_RLIMIT=1 FERRITE_FUZZ_MEMORY_MIB=0
# the hostile tests' time limits x5: ASan + UBSan (+ coverage in the clang build) slow the compiler 3-12x
export FERRITE_TEST_TIME_SCALE=${FERRITE_TEST_TIME_SCALE:-5}
status=0
step() {  # step NAME COMMAND...: runs it, prints its time and exit code, remembers a failure
  local name=$1 t0 rc
  shift
  echo "== sanitize: $name"
  t0=$(date +%s)
  "$@"
  rc=$?
  [ $rc -eq 77 ] && echo "== sanitize: $name skipped" && return
  echo "== sanitize: $name: exit $rc, $(( $(date +%s) - t0 )) s"
  [ $rc -eq 0 ] || status=1
}
step "ferrite_cli_tests" "$BUILD/tests/ferrite_cli_tests"
step "tflite_hostile" bash "$ROOT/tests/tflite/test_tflite_hostile.sh" "$BUILD/ferrite" "$ROOT"
step "fuzz regressions + run_fuzz.sh $SECS s" \
     bash "$ROOT/tests/fuzz/run_fuzz.sh" "$BUILD/tests/ferrite_fuzz" "$ROOT" "$BUILD/fuzz" "$SECS"
if [ $CONFORMANCE = 1 ]; then
  step "conformance" /usr/bin/python3 "$ROOT/tests/conformance/run_node_tests.py" --ferrite "$BUILD/ferrite" \
       --data /usr/share/libonnx-testdata/data/node --jobs "${FERRITE_JOBS:-2}"
fi
if [ -n "$(ls -A "$LOGS")" ]; then
  echo "sanitize: SANITIZER REPORTS in $LOGS:"
  for f in "$LOGS"/*; do echo "--- $f"; head -40 "$f"; done
  exit 1
fi
[ $status = 0 ] && echo "sanitize: all steps passed, no sanitizer reports" || echo "sanitize: a step failed (no sanitizer reports)"
exit $status
