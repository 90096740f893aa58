#!/usr/bin/env bash
# Helium (MVE) int8 kernel variants on Cortex-M55 (QEMU mps3-an547).
#
# Usage: tests/kernels/variants/run_variants_mve.sh <output-dir> [--bench]
#
# Cross-compiles test_variants_mve.cpp with the harness (-Werror, the kernel flags of the emitted
# code: -O2; also -Os and -O3) and runs it under QEMU: randomized bit-exactness tests of every MVE
# variant against the portable kernels; prints the failures and a final "N passed, M failed" line
# (all three builds), exits non-zero on failure. With --bench it also builds the -DFE_BENCH program and runs it with -icount shift=0 to
# print instructions per MAC (portable vs MVE) for MobileNetV2-0.35-96 layer shapes, and per output
# element for average pools (FE_BENCH_FLAGS=-DFE_PROFILE_POOL: the pools only).
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

CXXFLAGS=(-mcpu=cortex-m55 -mthumb -mfloat-abi=hard -std=c++17 -ffp-contract=off -fno-exceptions -fno-rtti
          -Wall -Wextra -Werror -ffunction-sections -fdata-sections)
LDFLAGS=(-nostartfiles --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections)
INCS=(-I"$HARNESS" -I"$ROOT/runtime_templates" -I"$ROOT/compiler")
SRCS=("$HARNESS/startup_cortex_m.cpp" "$HARNESS/io_semihost.cpp" "$SRC")

build() {  # elf -O<level> extra-flags...
  local elf=$1
  shift
  if ! "$CROSS_CXX" "${CXXFLAGS[@]}" "$@" "${INCS[@]}" "${LDFLAGS[@]}" -T "$HARNESS/boards/$BOARD.ld" \
       "${SRCS[@]}" -o "$elf" > "$elf.build.log" 2>&1; then
    cat "$elf.build.log" >&2
    echo "build of $elf failed" >&2
    exit 1
  fi
}

# The tests run at -O2 (the flags of the emitted code) and, for robustness against other
# optimization choices, at -Os and -O3; the last line sums the three runs.
total_pass=0
total_fail=0
rc=0
for opt in -O2 -Os -O3; do
  elf="$OUT_DIR/test_variants_mve$opt.elf"
  build "$elf" "$opt"
  run_rc=0
  (cd "$OUT_DIR" && timeout 300 "$QEMU" -M "$BOARD" -nographic -semihosting-config enable=on,target=native \
     -kernel "$(basename "$elf")") > "$OUT_DIR/test$opt.log" 2>&1 || run_rc=$?
  grep -v '^$' "$OUT_DIR/test$opt.log" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$' | sed "s/^/[$opt] /" || true
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT_DIR/test$opt.log" | tail -n 1 || true)
  if [[ -z "$line" || $run_rc -ne 0 && $run_rc -ne 1 ]]; then
    echo "[$opt] no result (QEMU exit $run_rc, see $OUT_DIR/test$opt.log)"
    total_fail=$((total_fail + 1))
    rc=1
    continue
  fi
  echo "[$opt] $line"
  total_pass=$((total_pass + ${line%% passed*}))
  f=${line#*passed, }
  total_fail=$((total_fail + ${f%% failed*}))
done
echo "$total_pass passed, $total_fail failed"
if [[ $total_fail -ne 0 ]]; then rc=1; fi

if [[ "$BENCH" == "--bench" ]]; then
  # shellcheck disable=SC2086
  build "$OUT_DIR/bench_variants_mve.elf" -O2 -DFE_BENCH ${FE_BENCH_FLAGS:-}
  brc=0
  (cd "$OUT_DIR" && timeout 900 "$QEMU" -M "$BOARD" -nographic -icount shift=0 \
     -semihosting-config enable=on,target=native -kernel bench_variants_mve.elf) > "$OUT_DIR/bench.log" 2>&1 || brc=$?
  cat "$OUT_DIR/bench.log"
  if [[ $brc -ne 0 ]]; then rc=1; fi
fi
exit "$rc"
