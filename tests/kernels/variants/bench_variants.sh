#!/usr/bin/env bash
# Instruction counts of the Arm DSP-extension int8 kernel variants vs the portable kernels on the
# MobileNetV2-0.35-96 layer shapes: QEMU -icount shift=0 (one instruction = 1 ns of virtual time),
# SysTick on the processor clock (instructions per tick: 40 on mps2-an386/an500, 50 on mps2-an505).
#
# Usage: tests/kernels/variants/bench_variants.sh <output-dir> [board...]   (default: mps2-an386)
# Prints, per variant and shape: MACs, retired instructions and instructions per MAC of the portable
# kernel and of the DSP variant (pointwise: also the int8-weight variant).
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: $0 <output-dir> [board...]" >&2
  exit 2
fi
OUT_DIR=$(mkdir -p "$1" && cd "$1" && pwd)
shift
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HARNESS="$ROOT/runtime_templates/harness"
SRC="$ROOT/tests/kernels/variants/test_variants_dsp.cpp"
CROSS_CXX=${CROSS_CXX:-arm-none-eabi-g++}
QEMU=${QEMU:-qemu-system-arm}
BOARDS=("$@")
[[ ${#BOARDS[@]} -eq 0 ]] && BOARDS=(mps2-an386)
status=0
for b in "${BOARDS[@]}"; do
  case $b in
    mps2-an386) cpu="-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard"; tick=40; core=M4 ;;
    mps2-an500) cpu="-mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard"; tick=40; core=M7 ;;
    mps2-an505) cpu="-mcpu=cortex-m33 -mthumb -mfpu=fpv5-sp-d16 -mfloat-abi=hard"; tick=50; core=M33 ;;
    *) echo "unknown board $b" >&2; exit 2 ;;
  esac
  dir="$OUT_DIR/$b"
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  "$CROSS_CXX" $cpu -std=c++17 -O2 -ffp-contract=off -fno-exceptions -fno-rtti -Wall -Wextra -Werror \
    -ffunction-sections -fdata-sections -DFE_BENCH -DFE_TICK_INSNS=$tick ${FE_BENCH_FLAGS:-} \
    -I"$ROOT/runtime_templates" -I"$ROOT/compiler" -I"$HARNESS" \
    -nostartfiles --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections -T "$HARNESS/boards/$b.ld" \
    "$HARNESS/startup_cortex_m.cpp" "$HARNESS/io_semihost.cpp" "$SRC" -o "$dir/bench.elf"
  echo "== $b ($core)"
  rc=0
  (cd "$dir" && timeout 300 "$QEMU" -M "$b" -nographic -icount shift=0 \
      -semihosting-config enable=on,target=native -kernel bench.elf) 2>&1 | tee "$dir/bench.log" || rc=$?
  [[ $rc -eq 0 ]] || status=1
done
exit $status
