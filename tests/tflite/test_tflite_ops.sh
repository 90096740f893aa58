#!/usr/bin/env bash
# ctest tflite_ops: the single-operator .tflite catalogue (tests/tflite/make_op_models.py, generated
# here, nothing committed) compiles and runs bit-identical to the own-written reference of TFLite's
# integer rules (scripts/tflite_ref.py; float models within 1e-4 x output range): every case on the
# host (3 seeded inputs, two cases at a time), the chained models on QEMU Cortex-M4 (first input), two
# on Cortex-M55;
# the "refuse" cases must exit 2 naming the operator. No model files outside the repository needed.
# Usage: test_tflite_ops.sh FERRITE SOURCE_DIR
set -uo pipefail
FERRITE=$1
SRC=$2
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
have_qemu=0
command -v qemu-system-arm >/dev/null && command -v arm-none-eabi-g++ >/dev/null && have_qemu=1
"$PY" "$SRC/tests/tflite/make_op_models.py" "$T/m" || exit 1
"$PY" "$SRC/tests/tflite/ops_check.py" prepare "$T/m" 3 || exit 1
mkdir -p "$T/res"
# One case: writes its result lines to $T/res/<case> (checked below).
run_case() {
  local name=$1 kind=$2 expect=$3 m="$T/m/$1.tflite" out="$T/res/$1"
  if [ "$kind" = refuse ]; then
    local rc=0
    "$FERRITE" compile "$m" -o "$T/out_$name" > "$T/$name.msg" 2>&1 || rc=$?
    if [ $rc -ne 2 ] || ! grep -qF -- "$expect" "$T/$name.msg" || [ -e "$T/out_$name" ]; then
      echo "FAIL $name: exit $rc, expected 2 with '$expect': $(head -c 400 "$T/$name.msg")" > "$out"
    else
      echo "ok   $name refused: $(grep -o 'operator [0-9]* ([A-Z_0-9]*).*' "$T/$name.msg" | head -1 | cut -c1-150)" > "$out"
    fi
    return
  fi
  if ! "$FERRITE" run "$m" --input "$T/m/$name.in.npy" --dataset --output-dir "$T/$name.host" --quiet > "$T/$name.msg" 2>&1; then
    echo "FAIL $name: ferrite run: $(head -c 400 "$T/$name.msg")" > "$out"; return
  fi
  "$PY" "$SRC/tests/tflite/ops_check.py" compare "$T/$name.host" "$T/m/$name.ref.npy" "$name host" dataset > "$out" 2>&1
  if [ $have_qemu = 1 ] && [ "$kind" = chain ]; then  # the chains run every new kernel
    if ! "$FERRITE" run "$m" --input "$T/m/$name.in0.npy" --target qemu-cortex-m4 --output-dir "$T/$name.m4" --quiet > "$T/$name.msg" 2>&1; then
      echo "FAIL $name: QEMU run: $(head -c 400 "$T/$name.msg")" >> "$out"; return
    fi
    "$PY" "$SRC/tests/tflite/ops_check.py" compare "$T/$name.m4" "$T/m/$name.ref0.npy" "$name QEMU Cortex-M4" single >> "$out" 2>&1
  fi
}
names=()
while read -r name kind expect; do
  [ -n "$name" ] || continue
  names+=("$name")
  run_case "$name" "$kind" "$expect" &
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
done < "$T/m/cases.txt"
wait
# Cortex-M55 (the Helium *_mve_tfl kernels): a single depthwise layer and the PAD-folding chain.
if [ $have_qemu = 1 ]; then
  for name in dwconv_same_relu6 pad_fold_chain; do
    if ! "$FERRITE" run "$T/m/$name.tflite" --input "$T/m/$name.in0.npy" --target qemu-cortex-m55 --output-dir "$T/$name.m55" --quiet > "$T/$name.msg" 2>&1; then
      echo "FAIL $name: QEMU Cortex-M55 run: $(head -c 400 "$T/$name.msg")" >> "$T/res/$name"
    else
      "$PY" "$SRC/tests/tflite/ops_check.py" compare "$T/$name.m55" "$T/m/$name.ref0.npy" "$name QEMU Cortex-M55" single >> "$T/res/$name" 2>&1
    fi
  done
fi
fail=0
for name in "${names[@]}"; do
  if [ -s "$T/res/$name" ]; then cat "$T/res/$name"; else echo "FAIL $name: no result"; fail=1; fi
  grep -q '^FAIL' "$T/res/$name" 2>/dev/null && fail=1
done
[ $have_qemu = 1 ] || echo "note: qemu-system-arm / arm-none-eabi-g++ missing, the Cortex-M4 runs were skipped"
[ $fail = 0 ] && echo "tflite_ops: OK (${#names[@]} cases)"
exit $fail
