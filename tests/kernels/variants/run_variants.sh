#!/usr/bin/env bash
# Bit-exactness tests of the Arm DSP-extension int8 kernel variants (test_variants_dsp.cpp) on QEMU.
#
# Usage: tests/kernels/variants/run_variants.sh <output-dir> [board...]
#   boards: mps2-an386 (Cortex-M4), mps2-an500 (Cortex-M7), mps2-an505 (Cortex-M33), host
#   (default: the three Cortex-M boards and the host build, whose kernels use the portable SIMD
#   emulation).
# Each target runs >= 200 randomized cases per variant against the portable kernels and prints
# "N passed, M failed"; this script prints one line per target and a final
# "N passed, M failed" line over all cases, and exits non-zero on any failure.
# Env: FE_CASES (cases per variant, default 250), CROSS_CXX, HOST_CXX, QEMU.
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
HOST_CXX=${HOST_CXX:-g++}
QEMU=${QEMU:-qemu-system-arm}
CASES=${FE_CASES:-250}

CXXFLAGS=(-std=c++17 -O2 -ffp-contract=off -fno-exceptions -fno-rtti -Wall -Wextra -Werror
          -ffunction-sections -fdata-sections -DFE_CASES="$CASES"
          -I"$ROOT/runtime_templates" -I"$ROOT/compiler" -I"$HARNESS")
LDFLAGS=(-nostartfiles --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections)

cpu_flags() {
  case $1 in
    mps2-an386) echo "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard" ;;
    mps2-an500) echo "-mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard" ;;
    mps2-an505) echo "-mcpu=cortex-m33 -mthumb -mfpu=fpv5-sp-d16 -mfloat-abi=hard" ;;
    *) return 1 ;;
  esac
}

BOARDS=("$@")
[[ ${#BOARDS[@]} -eq 0 ]] && BOARDS=(mps2-an386 mps2-an500 mps2-an505 host)

total_pass=0
total_fail=0
status=0
for b in "${BOARDS[@]}"; do
  dir="$OUT_DIR/$b"
  rm -rf "$dir" && mkdir -p "$dir"
  if [[ $b == host ]]; then
    if ! "$HOST_CXX" "${CXXFLAGS[@]}" "$SRC" "$HARNESS/io_host.cpp" -o "$dir/test" > "$dir/build.log" 2>&1; then
      echo "FAIL $b: build failed (see $dir/build.log)"; status=1; total_fail=$((total_fail + 1)); continue
    fi
    rc=0
    (cd "$dir" && timeout 120 ./test) > "$dir/run.log" 2>&1 || rc=$?
  else
    if ! cpu=$(cpu_flags "$b"); then
      echo "FAIL $b: unknown board"; status=1; total_fail=$((total_fail + 1)); continue
    fi
    # shellcheck disable=SC2086
    if ! "$CROSS_CXX" $cpu "${CXXFLAGS[@]}" "${LDFLAGS[@]}" -T "$HARNESS/boards/$b.ld" \
          "$HARNESS/startup_cortex_m.cpp" "$HARNESS/io_semihost.cpp" "$SRC" -o "$dir/test.elf" \
          > "$dir/build.log" 2>&1; then
      echo "FAIL $b: build failed (see $dir/build.log)"; status=1; total_fail=$((total_fail + 1)); continue
    fi
    rc=0
    (cd "$dir" && timeout 120 "$QEMU" -M "$b" -nographic -semihosting-config enable=on,target=native \
        -kernel test.elf) > "$dir/run.log" 2>&1 || rc=$?
  fi
  grep '^FAIL' "$dir/run.log" | head -20 || true
  last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$dir/run.log" | tail -1 || true)
  if [[ -z $last ]]; then
    echo "FAIL $b: no result line, exit $rc (see $dir/run.log)"; status=1; total_fail=$((total_fail + 1)); continue
  fi
  p=${last%% passed*}
  f=${last#*passed, }; f=${f%% failed}
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
  if [[ $rc -ne 0 || $f -ne 0 ]]; then
    echo "FAIL $b: $last (exit $rc)"; status=1
  else
    echo "PASS $b: $last"
  fi
done
echo "$total_pass passed, $total_fail failed"
exit $status
