#!/usr/bin/env bash
# The whole test suite: install dependencies, build, run every ctest test (unit, bad-input CLI,
# ONNX node-test conformance, samples vs ONNX Runtime, Cortex-M in QEMU, Fashion-MNIST accuracy).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FERRITE_BUILD_DIR:-$ROOT/build}
bash "$ROOT/scripts/install_deps.sh"
bash "$ROOT/scripts/build.sh"
cd "$BUILD"
# Two tests at a time (the suite's tests are mostly single-threaded: QEMU, one g++ per model); the
# ones that check wall-clock limits run alone (RUN_SERIAL in tests/CMakeLists.txt).
ctest --output-on-failure --timeout 1800 -j "${FERRITE_TEST_JOBS:-2}"
