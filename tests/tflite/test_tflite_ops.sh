#!/usr/bin/env bash
# ctest tflite_ops: the single-operator int8 .tflite catalogue (tests/tflite/make_op_models.py,
# generated here, nothing committed) compiles and runs bit-identical to the own-written reference of
# TFLite's integer rules (scripts/tflite_ref.py): every case on the host (3 seeded inputs), the chained
# models and one case per operator family on QEMU Cortex-M4 (first input); the "refuse" cases must
# exit 2 naming the operator. No model files outside the repository are needed.
# Usage: test_tflite_ops.sh FERRITE SOURCE_DIR
set -euo pipefail
FERRITE=$1
SRC=$2
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
have_qemu=0
command -v qemu-system-arm >/dev/null && command -v arm-none-eabi-g++ >/dev/null && have_qemu=1
"$PY" "$SRC/tests/tflite/make_op_models.py" "$T/m"
"$PY" "$SRC/tests/tflite/ops_check.py" prepare "$T/m" 3
QEMU_CASES="chain chain_data chain_act float_chain mixed_io patch_chain"  # chain + chain_data run every new kernel
fail=0
while read -r name kind expect; do
  [ -n "$name" ] || continue
  m="$T/m/$name.tflite"
  if [ "$kind" = refuse ]; then
    rc=0; "$FERRITE" compile "$m" -o "$T/out_$name" > "$T/msg" 2>&1 || rc=$?
    if [ $rc -ne 2 ] || ! grep -qF -- "$expect" "$T/msg" || [ -e "$T/out_$name" ]; then
      echo "FAIL $name: exit $rc, expected 2 with '$expect': $(head -c 400 "$T/msg")"; fail=1
    else
      echo "ok   $name refused: $(grep -o 'operator [0-9]* ([A-Z_0-9]*).*' "$T/msg" | head -1 | cut -c1-150)"
    fi
    continue
  fi
  if ! "$FERRITE" run "$m" --input "$T/m/$name.in.npy" --dataset --output-dir "$T/$name.host" --quiet > "$T/msg" 2>&1; then
    echo "FAIL $name: ferrite run: $(head -c 400 "$T/msg")"; fail=1; continue
  fi
  "$PY" "$SRC/tests/tflite/ops_check.py" compare "$T/$name.host" "$T/m/$name.ref.npy" "$name host" dataset || fail=1
  if [ $have_qemu = 1 ] && [[ " $QEMU_CASES " == *" $name "* ]]; then
    if ! "$FERRITE" run "$m" --input "$T/m/$name.in0.npy" --target qemu-cortex-m4 --output-dir "$T/$name.m4" --quiet > "$T/msg" 2>&1; then
      echo "FAIL $name: QEMU run: $(head -c 400 "$T/msg")"; fail=1; continue
    fi
    "$PY" "$SRC/tests/tflite/ops_check.py" compare "$T/$name.m4" "$T/m/$name.ref0.npy" "$name QEMU Cortex-M4" single || fail=1
  fi
done < "$T/m/cases.txt"
[ $have_qemu = 1 ] || echo "note: qemu-system-arm / arm-none-eabi-g++ missing, the Cortex-M4 runs were skipped"
[ $fail = 0 ] && echo "tflite_ops: OK"
exit $fail
