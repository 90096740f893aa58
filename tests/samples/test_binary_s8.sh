#!/usr/bin/env bash
# The int8 Add / Mul kernel variants inside a whole model: tests/data/binary_s8_int8.onnx
# (make_binary_models.py: residual Add, squeeze-excitation Mul x * s[c], per-channel constant Add,
# scalar Mul, Relu-clamped Add). For each core, the report must show the variants the selection
# rules are expected to pick (cortex-m4/m7/m33: qadd_s8_fpu / qmul_s8_fpu for every Add / Mul;
# cortex-m55: qadd_s8_mve / qmul_s8_mve), and the outputs on QEMU must be bit-identical to the host
# build (portable kernels).
# usage: test_binary_s8.sh FERRITE REPO_ROOT WORK_DIR
set -uo pipefail
FERRITE=$1; ROOT=$2; WORK=$3
PY=/usr/bin/python3
rm -rf "$WORK"; mkdir -p "$WORK"
pass=0; fail=0
ok() { echo "PASS $*"; pass=$((pass + 1)); }
ko() { echo "FAIL $*"; fail=$((fail + 1)); }
model="$ROOT/tests/data/binary_s8_int8.onnx"
input="$ROOT/tests/data/binary_s8_input.npy"

# Kernel names per Add / Mul layer, in graph order: "Add:qadd_s8_fpu Mul:qmul_s8_fpu ...".
kernels() {
  "$FERRITE" report "$model" --json --target "$1" | $PY -c '
import json, sys
r = json.load(sys.stdin)
print(" ".join(l["op"].replace("QLinear", "") + ":" + ",".join(l["kernels"])
               for l in r["layers"] if l["op"] in ("Add", "Mul", "QLinearAdd", "QLinearMul")))'
}

# Expected kernels (graph order: residual Add, SE Mul, channel Add, scalar Mul, Relu Add).
declare -A want=(
  [host]="Add:qadd_s8 Mul:qmul_s8 Add:qadd_s8 Mul:qmul_s8 Add:qadd_s8"
  [cortex-m4]="Add:qadd_s8_fpu Mul:qmul_s8_fpu Add:qadd_s8_fpu Mul:qmul_s8_fpu Add:qadd_s8_fpu"
  [cortex-m7]="Add:qadd_s8_fpu Mul:qmul_s8_fpu Add:qadd_s8_fpu Mul:qmul_s8_fpu Add:qadd_s8_fpu"
  [cortex-m33]="Add:qadd_s8_fpu Mul:qmul_s8_fpu Add:qadd_s8_fpu Mul:qmul_s8_fpu Add:qadd_s8_fpu"
  [cortex-m55]="Add:qadd_s8_mve Mul:qmul_s8_mve Add:qadd_s8_mve Mul:qmul_s8_mve Add:qadd_s8_mve"
)
for core in host cortex-m4 cortex-m7 cortex-m33 cortex-m55; do
  got=$(kernels $core)
  if [ "$got" = "${want[$core]}" ]; then
    ok "$core: kernels $got"
  else
    ko "$core: kernels '$got', expected '${want[$core]}'"
  fi
done

if ! "$FERRITE" run "$model" --name m --input "input=$input" --output-dir "$WORK/host" --quiet > "$WORK/host.log" 2>&1; then
  ko "host run"; cat "$WORK/host.log"
else
  ok "host run"
  for tgt in qemu-cortex-m4 qemu-cortex-m7 qemu-cortex-m33 qemu-cortex-m55; do
    if "$FERRITE" run "$model" --name m --input "input=$input" --target $tgt --output-dir "$WORK/$tgt" --quiet \
         > "$WORK/$tgt.log" 2>&1 && cmp -s "$WORK/host/output.npy" "$WORK/$tgt/output.npy"; then
      ok "$tgt: output bit-identical to the host"
    else
      ko "$tgt: output differs from the host or the run failed (see $WORK/$tgt.log)"
    fi
  done
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
