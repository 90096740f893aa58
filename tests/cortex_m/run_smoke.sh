#!/usr/bin/env bash
# Ferrite Cortex-M board-support smoke test.
#
# Usage: tests/cortex_m/run_smoke.sh <output-dir>
#
# For every supported QEMU board: cross-compiles tests/cortex_m/smoke.cpp with
# the harness (startup_cortex_m.cpp + io_semihost.cpp + boards/<board>.ld)
# using -Werror, runs it in qemu-system-arm under `timeout 60`, and checks
#   - QEMU's exit status is 7 (main's return value via SYS_EXIT_EXTENDED),
#   - the semihosted file smoke_out.bin has the expected 16 bytes,
#   - `arm-none-eabi-size -A` lists .bss.arena (300 KB) and
#     .rodata.weights (1 MB) with exactly the expected sizes,
#   - a -DFE_SMOKE_FAULT variant (undefined instruction) exits with 3 and
#     prints "ferrite: hard fault".
# Also builds and runs the same smoke.cpp on the host with io_host.cpp.
# Prints one line per target and a final "N passed, M failed" line; exits
# non-zero if anything failed.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 <output-dir>" >&2
  exit 2
fi

OUT_DIR=$(mkdir -p "$1" && cd "$1" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HARNESS="$ROOT/runtime_templates/harness"
SMOKE="$ROOT/tests/cortex_m/smoke.cpp"

CROSS_CXX=${CROSS_CXX:-arm-none-eabi-g++}
CROSS_SIZE=${CROSS_SIZE:-arm-none-eabi-size}
HOST_CXX=${HOST_CXX:-g++}
QEMU=${QEMU:-qemu-system-arm}

CXXFLAGS=(-std=c++17 -O2 -ffp-contract=off -fno-exceptions -fno-rtti
          -Wall -Wextra -Werror -ffunction-sections -fdata-sections)
LDFLAGS=(-nostartfiles --specs=nano.specs --specs=nosys.specs
         -Wl,--gc-sections)

# board|cpu flags (the linker script is boards/<board>.ld, the QEMU machine
# is -M <board>)
BOARDS=(
  "mps2-an385|-mcpu=cortex-m3 -mthumb -mfloat-abi=soft"
  "mps2-an386|-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard"
  "mps2-an500|-mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard"
  "mps2-an505|-mcpu=cortex-m33 -mthumb -mfpu=fpv5-sp-d16 -mfloat-abi=hard"
  "mps3-an547|-mcpu=cortex-m55 -mthumb -mfloat-abi=hard"
)

EXPECTED_EXIT=7
FAULT_EXIT=3
ARENA_BYTES=307200      # 300 KB
WEIGHTS_BYTES=1048576   # 1 MB

EXPECTED_BIN="$OUT_DIR/expected_smoke_out.bin"
printf 'FESM\x01\x02\x03\x04\x00\x7f\x80\xff\x0a\x0d\x1a\x55' > "$EXPECTED_BIN"

passed=0
failed=0

# Section size from `size -A` (empty if absent).
section_size() {  # elf section
  "$CROSS_SIZE" -A "$1" | awk -v s="$2" '$1 == s { print $2 }'
}

# Runs one test target; prints "PASS ..." or "FAIL ...: reason".
# Detailed logs stay in $OUT_DIR/<target>/.
run_board() {  # board "cpu flags"
  local board=$1
  local -a cpu
  read -r -a cpu <<< "$2"
  local dir="$OUT_DIR/$board"
  rm -rf "$dir" && mkdir -p "$dir"
  local ld="$HARNESS/boards/$board.ld"
  local srcs=("$HARNESS/startup_cortex_m.cpp" "$HARNESS/io_semihost.cpp"
              "$SMOKE")

  if ! "$CROSS_CXX" "${cpu[@]}" "${CXXFLAGS[@]}" -I"$HARNESS" \
        "${LDFLAGS[@]}" -T "$ld" -Wl,-Map="$dir/smoke.map" \
        "${srcs[@]}" -o "$dir/smoke.elf" > "$dir/build.log" 2>&1; then
    echo "FAIL $board: build failed (see $dir/build.log)"
    return 1
  fi
  if ! "$CROSS_CXX" "${cpu[@]}" "${CXXFLAGS[@]}" -DFE_SMOKE_FAULT \
        -I"$HARNESS" "${LDFLAGS[@]}" -T "$ld" \
        "${srcs[@]}" -o "$dir/smoke_fault.elf" > "$dir/build_fault.log" 2>&1; then
    echo "FAIL $board: fault-variant build failed (see $dir/build_fault.log)"
    return 1
  fi

  local arena weights
  arena=$(section_size "$dir/smoke.elf" .bss.arena)
  weights=$(section_size "$dir/smoke.elf" .rodata.weights)
  if [[ "$arena" != "$ARENA_BYTES" ]]; then
    echo "FAIL $board: .bss.arena size '${arena}' != $ARENA_BYTES"
    return 1
  fi
  if [[ "$weights" != "$WEIGHTS_BYTES" ]]; then
    echo "FAIL $board: .rodata.weights size '${weights}' != $WEIGHTS_BYTES"
    return 1
  fi

  # Semihosted file paths are relative to QEMU's working directory.
  local rc=0
  (cd "$dir" && timeout 60 "$QEMU" -M "$board" -nographic \
      -semihosting-config enable=on,target=native \
      -kernel smoke.elf) > "$dir/run.log" 2>&1 || rc=$?
  if [[ $rc -ne $EXPECTED_EXIT ]]; then
    echo "FAIL $board: exit code $rc, expected $EXPECTED_EXIT (see $dir/run.log)"
    return 1
  fi
  if ! grep -q "ferrite smoke: done" "$dir/run.log"; then
    echo "FAIL $board: missing output (see $dir/run.log)"
    return 1
  fi
  if ! cmp -s "$dir/smoke_out.bin" "$EXPECTED_BIN"; then
    echo "FAIL $board: smoke_out.bin missing or wrong"
    return 1
  fi

  rc=0
  (cd "$dir" && timeout 60 "$QEMU" -M "$board" -nographic \
      -semihosting-config enable=on,target=native \
      -kernel smoke_fault.elf) > "$dir/run_fault.log" 2>&1 || rc=$?
  if [[ $rc -ne $FAULT_EXIT ]] || ! grep -q "ferrite: hard fault" "$dir/run_fault.log"; then
    echo "FAIL $board: fault variant exit $rc, expected $FAULT_EXIT + message (see $dir/run_fault.log)"
    return 1
  fi

  echo "PASS $board: exit=$EXPECTED_EXIT, file ok, .bss.arena=$arena .rodata.weights=$weights, fault->exit $FAULT_EXIT"
  return 0
}

run_host() {
  local dir="$OUT_DIR/host"
  rm -rf "$dir" && mkdir -p "$dir"
  if ! "$HOST_CXX" "${CXXFLAGS[@]}" -I"$HARNESS" "$SMOKE" \
        "$HARNESS/io_host.cpp" -o "$dir/smoke" > "$dir/build.log" 2>&1; then
    echo "FAIL host: build failed (see $dir/build.log)"
    return 1
  fi
  local rc=0
  (cd "$dir" && timeout 60 ./smoke) > "$dir/run.log" 2>&1 || rc=$?
  if [[ $rc -ne $EXPECTED_EXIT ]]; then
    echo "FAIL host: exit code $rc, expected $EXPECTED_EXIT (see $dir/run.log)"
    return 1
  fi
  if ! cmp -s "$dir/smoke_out.bin" "$EXPECTED_BIN"; then
    echo "FAIL host: smoke_out.bin missing or wrong"
    return 1
  fi
  echo "PASS host: exit=$EXPECTED_EXIT, file ok ($HOST_CXX + io_host.cpp)"
  return 0
}

for entry in "${BOARDS[@]}"; do
  if run_board "${entry%%|*}" "${entry#*|}"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
if run_host; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
