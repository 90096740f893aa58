#!/usr/bin/env bash
# ctest tflite_cli: everything the CLI does for ONNX works on a .tflite model (issue 14, item 3):
# `ops --check`, `compile`, `report` (--json, --sram-budget gate exit codes, --baseline diff), `run`
# with the planner options (--patch off / RxC / auto, --inplace-depthwise on|off) and --quantized-io,
# each run bit-identical to the committed golden of the own TFLite reference (first seeded input).
# Models: VWW (patches) and KWS (in-place depthwise) from ../shared/models/tflite (exit 77 when
# absent), and the generated mixed_io model (float interface around an int8 model) for --quantized-io.
# Usage: test_tflite_cli.sh FERRITE SOURCE_DIR [MODEL_DIR]
set -uo pipefail
FERRITE=$1
SRC=$2
MODELS=${3:-$SRC/../shared/models/tflite}
PY=/usr/bin/python3
if [ ! -d "$MODELS" ]; then
  echo "SKIP: $MODELS is missing (the MLPerf Tiny .tflite models are not part of the repository)"
  exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() {  # check LABEL EXPECTED_EXIT CMD...: runs CMD, compares its exit code
  local label=$1 want=$2 rc=0
  shift 2
  "$@" > "$T/last.txt" 2>&1 || rc=$?
  if [ "$rc" = "$want" ]; then
    echo "ok   $label (exit $rc)"
  else
    echo "FAIL $label: exit $rc, expected $want: $(head -c 400 "$T/last.txt")"
    fail=1
  fi
}
same() {  # same OUTDIR REF.npy LABEL: the run's one .npy against the reference, bit for bit
  local out
  out=$(ls "$1"/*.npy 2>/dev/null | head -1)
  if [ -z "$out" ]; then echo "FAIL $3: no output"; fail=1; return; fi
  if "$PY" - "$out" "$2" "$3" <<'PYEOF'; then :; else fail=1; fi
import sys, numpy as np
a = np.load(sys.argv[1]).astype(np.int64).ravel(); b = np.load(sys.argv[2]).astype(np.int64).ravel()
ok = a.size == b.size and (a == b).all()
print(f"{'ok  ' if ok else 'FAIL'} {sys.argv[3]}: {a.size} elements, {'identical' if ok else 'DIFFERENT'} to the reference")
sys.exit(0 if ok else 1)
PYEOF
}
arena_of() { "$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['arena_bytes'])" "$1"; }

for name in vww_96_int8 kws_ref_model; do
  m=$MODELS/$name.tflite
  "$PY" "$SRC/tests/tflite/tflite_inputs.py" inputs "$m" 1 "$T/$name.in1.npy"
  "$PY" -c "import numpy as np; np.save('$T/$name.in.npy', np.load('$T/$name.in1.npy')[0]); \
np.save('$T/$name.ref.npy', np.load('$SRC/tests/data/tflite/${name}_ref.npy')[0])"
  check "$name ops --check" 0 "$FERRITE" ops --check "$m"
  check "$name compile" 0 "$FERRITE" compile "$m" -o "$T/$name.gen" --name "$name"
  for f in "$name.h" "$name.cpp" "${name}_weights.cpp"; do
    [ -s "$T/$name.gen/$f" ] || { echo "FAIL $name compile: $f missing"; fail=1; }
  done
  check "$name report --json" 0 "$FERRITE" report "$m" --json
  cp "$T/last.txt" "$T/$name.json"
  arena=$(arena_of "$T/$name.json") || { echo "FAIL $name: no arena in the JSON report"; fail=1; continue; }
  check "$name report --sram-budget $arena (fits)" 0 "$FERRITE" report "$m" --sram-budget "$arena"
  # (a budget just below the default arena can still be met: the planner then looks for a patch
  # plan that fits; 1 KiB cannot be)
  check "$name report --sram-budget 1KiB (exceeded)" 1 "$FERRITE" report "$m" --sram-budget 1KiB
  check "$name report --baseline (no growth)" 0 "$FERRITE" report "$m" --baseline "$T/$name.json"
  run() {  # run LABEL OPTIONS...: host run on the first input, compared with the golden
    local label=$1
    shift
    check "$name run $label" 0 "$FERRITE" run "$m" --input "$T/$name.in.npy" --output-dir "$T/$name.$label" --quiet "$@"
    same "$T/$name.$label" "$T/$name.ref.npy" "$name run $label"
  }
  run default
  run patch_off --patch off
  run inplace_dw_off --inplace-depthwise off --patch off
  run quantized_io --quantized-io
  if [ $name = vww_96_int8 ]; then
    run patch_2x2 --patch 2x2
    check "$name report --patch 2x2" 0 "$FERRITE" report "$m" --patch 2x2 --json
    a2=$(arena_of "$T/last.txt")
    check "$name report --patch off" 0 "$FERRITE" report "$m" --patch off --json
    a0=$(arena_of "$T/last.txt")
    check "$name report --patch off --inplace-depthwise off" 0 "$FERRITE" report "$m" --patch off --inplace-depthwise off --json
    a3=$(arena_of "$T/last.txt")
    echo "     $name arena: auto $arena B, --patch 2x2 $a2 B, --patch off $a0 B, --patch off --inplace-depthwise off $a3 B"
    [ "$a3" -ge "$a0" ] || { echo "FAIL $name: --inplace-depthwise off gives a smaller arena"; fail=1; }
  else
    check "$name report --inplace-depthwise off" 0 "$FERRITE" report "$m" --inplace-depthwise off --patch off --json
    a1=$(arena_of "$T/last.txt")
    echo "     $name arena: default $arena B, --inplace-depthwise off $a1 B"
    [ "$a1" -ge "$arena" ] || { echo "FAIL $name: --inplace-depthwise off gives a smaller arena"; fail=1; }
  fi
done

# --quantized-io on a TFLite int8 model with a float interface (QUANTIZE in, DEQUANTIZE out): the
# API becomes int8; the int8 output dequantized equals the float reference exactly.
"$PY" "$SRC/tests/tflite/make_op_models.py" "$T/ops" > /dev/null || { echo "FAIL make_op_models"; exit 1; }
mi=$T/ops/mixed_io.tflite
"$PY" - "$mi" "$T" "$SRC" <<'PYEOF' || fail=1
import sys, numpy as np
sys.path.insert(0, sys.argv[3] + "/scripts")
import tflite_ref
m = tflite_ref.Model(sys.argv[1])
x = (np.random.default_rng(3).standard_normal(m.tensors[m.inputs[0]]["shape"]) * 2).astype(np.float32)
q = m.tensors[m.ops[0]["outputs"][0]]
s, z = np.float32(q["scale"][0]), int(q["zp"][0])
v = x / s
xq = np.clip(np.sign(v) * np.floor(np.abs(v) + np.float32(0.5)) + z, -128, 127).astype(np.int8)  # TFLite's rounding
np.save(sys.argv[2] + "/mi.in.npy", xq)
np.save(sys.argv[2] + "/mi.ref.npy", tflite_ref.run(m, x))
PYEOF
check "mixed_io compile --quantized-io" 0 "$FERRITE" compile "$mi" --quantized-io -o "$T/mi.gen" --name mi
if grep -q "int8_t" "$T/mi.gen/mi.h" && grep -qi "scale" "$T/mi.gen/mi.h"; then
  echo "ok   mixed_io --quantized-io: int8 API with scale in mi.h"
else
  echo "FAIL mixed_io --quantized-io: mi.h has no int8 API"; fail=1
fi
check "mixed_io run --quantized-io" 0 "$FERRITE" run "$mi" --quantized-io --input "$T/mi.in.npy" --output-dir "$T/mi.run" --quiet
"$PY" - "$T" "$mi" "$SRC" <<'PYEOF' || fail=1
import glob, sys, numpy as np
sys.path.insert(0, sys.argv[3] + "/scripts")
import tflite_ref
m = tflite_ref.Model(sys.argv[2])
d = m.tensors[m.ops[-1]["inputs"][0]]
out = np.load(sorted(glob.glob(sys.argv[1] + "/mi.run/*.npy"))[0])
ref = np.load(sys.argv[1] + "/mi.ref.npy")
ok = out.dtype == np.int8
y = (out.astype(np.int32) - int(d["zp"][0])).astype(np.float32) * np.float32(d["scale"][0])
y = np.moveaxis(y, -3, -1) if y.ndim == 4 else y
ok = ok and y.shape == ref.shape and (y == ref).all()
print(f"{'ok  ' if ok else 'FAIL'} mixed_io run --quantized-io: {out.dtype} output, dequantized {'identical' if ok else 'DIFFERENT'} to the float reference")
sys.exit(0 if ok else 1)
PYEOF
[ $fail = 0 ] && echo "tflite_cli: OK"
exit $fail
