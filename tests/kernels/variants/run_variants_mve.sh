#!/usr/bin/env bash
# Helium (MVE) int8 kernel variants on Cortex-M55 (QEMU mps3-an547).
#
# Usage: tests/kernels/variants/run_variants_mve.sh <output-dir> [--bench]
#
# Cross-compiles test_variants_mve.cpp with the harness (-Werror, the kernel flags of the emitted
# code) and runs it under QEMU: randomized bit-exactness tests of every MVE variant against the
# portable kernels; prints the failures and a final "N passed, M failed" line, exits non-zero on
# failure. With --bench it also builds the -DFE_BENCH program and runs it with -icount shift=0 to
# print instructions per MAC (portable vs MVE) for MobileNetV2-0.35-96 layer shapes.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 <output-dir> [--bench]" >&2
  exit 2
fi
OUT_DIR=$(mkdir -p "$1" && cd "$1" && pwd)
BENCH=${2:-}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HARNESS="$ROOT/runtime_templates/harness"
SRC="$ROOT/tests/kernels/variants/test_variants_mve.cpp"
CROSS_CXX=${CROSS_CXX:-arm-none-eabi-g++}
QEMU=${QEMU:-qemu-system-arm}
BOARD=mps3-an547

CXXFLAGS=(-mcpu=cortex-m55 -mthumb -mfloat-abi=hard -std=c++17 -O2 -ffp-contract=off -fno-exceptions -fno-rtti
          -Wall -Wextra -Werror -ffunction-sections -fdata-sections)
LDFLAGS=(-nostartfiles --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections)
INCS=(-I"$HARNESS" -I"$ROOT/runtime_templates" -I"$ROOT/compiler")
SRCS=("$HARNESS/startup_cortex_m.cpp" "$HARNESS/io_semihost.cpp" "$SRC")

build() {  # elf extra-flags...
  local elf=$1
  shift
  if ! "$CROSS_CXX" "${CXXFLAGS[@]}" "$@" "${INCS[@]}" "${LDFLAGS[@]}" -T "$HARNESS/boards/$BOARD.ld" \
       "${SRCS[@]}" -o "$elf" > "$elf.build.log" 2>&1; then
    cat "$elf.build.log" >&2
    echo "build of $elf failed" >&2
    exit 1
  fi
}

build "$OUT_DIR/test_variants_mve.elf"
rc=0
(cd "$OUT_DIR" && timeout 300 "$QEMU" -M "$BOARD" -nographic -semihosting-config enable=on,target=native \
   -kernel test_variants_mve.elf) > "$OUT_DIR/test.log" 2>&1 || rc=$?
grep -v '^$' "$OUT_DIR/test.log" || true
if ! tail -n 1 "$OUT_DIR/test.log" | grep -Eq '^[0-9]+ passed, 0 failed$'; then rc=1; fi

if [[ "$BENCH" == "--bench" ]]; then
  build "$OUT_DIR/bench_variants_mve.elf" -DFE_BENCH
  brc=0
  (cd "$OUT_DIR" && timeout 900 "$QEMU" -M "$BOARD" -nographic -icount shift=0 \
     -semihosting-config enable=on,target=native -kernel bench_variants_mve.elf) > "$OUT_DIR/bench.log" 2>&1 || brc=$?
  cat "$OUT_DIR/bench.log"
  if [[ $brc -ne 0 ]]; then rc=1; fi
fi
exit "$rc"
