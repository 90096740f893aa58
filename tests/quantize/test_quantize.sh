#!/usr/bin/env bash
# `ferrite quantize` (docs/quantization.md), issue acceptance figures on the bundled float models:
#  1. the quantized models are the ones the ONNX Runtime references were made from (SHA-256; the
#     quantizer is deterministic: a second run writes the same bytes);
#  2. Fashion CNN: int8 top-1 on the full 10,000-image test set within 0.5 points of float;
#  3. ONNX Runtime ('all') vs Ferrite's compiled code: 100 % identical outputs (1,000 Fashion test
#     images, 16 MobileNetV2 inputs); Cortex-M4 in QEMU bit-identical to the host;
#  4. `ferrite compile` turns every quantized layer into an integer kernel (no float operator left);
#  5. bad calibration data (wrong shape, wrong dtype, empty folder, NaN, missing file) is refused with
#     exit 2 and nothing written.
# usage: test_quantize.sh FERRITE REPO_ROOT WORK_DIR
set -uo pipefail
FERRITE=$1; ROOT=$2; WORK=$3
PY=/usr/bin/python3
rm -rf "$WORK"; mkdir -p "$WORK"
pass=0; fail=0
ok() { echo "PASS $*"; pass=$((pass + 1)); }
ko() { echo "FAIL $*"; fail=$((fail + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else ko "$what"; fi; }

source "$ROOT/tests/quantize/cases.sh"
if ! quantize_cases "$FERRITE" "$ROOT" "$WORK"; then
  ko "ferrite quantize"; echo "$pass passed, $fail failed"; exit 1
fi
check "quantized models match the ONNX Runtime references' SHA-256 (else rerun scripts/quantize/make_refs.sh)" \
  bash -c "cd '$WORK' && sha256sum -c --quiet '$ROOT/tests/data/quantize/SHA256SUMS'"
mkdir -p "$WORK/again"
"$FERRITE" quantize "$ROOT/samples/mobilenetv2_035_96/model.onnx" --calibration "$WORK/mbv2_calib.npy" -o "$WORK/again/mbv2_q.onnx" -q > /dev/null 2>&1
check "deterministic: a second run writes the same bytes" cmp -s "$WORK/mbv2_q.onnx" "$WORK/again/mbv2_q.onnx"
sed -n '1,8p' "$WORK/fashion_q.log"; grep evaluation "$WORK/fashion_q.log"

check "Fashion CNN: int8 top-1 within 0.5 points of float on the 10,000 test images" $PY - "$WORK/fashion_q.json" <<'PYEOF'
import json, sys
e = json.load(open(sys.argv[1]))["evaluation"]
print(f"  float {100 * e['float_top1']:.2f} %, int8 {100 * e['int8_top1']:.2f} % over {e['samples']} images")
sys.exit(0 if e["samples"] == 10000 and e["int8_top1"] >= e["float_top1"] - 0.005 else 1)
PYEOF

$PY -c "import numpy as np; x = np.load('$WORK/fashion_eval_1000.npy'); np.save('$WORK/fashion_eval5.npy', x.reshape(1000, 1, 1, 28, 28)); np.save('$WORK/fashion_first4.npy', x[:4].reshape(4, 1, 1, 28, 28)); m = np.load('$WORK/mbv2_eval.npy'); np.save('$WORK/mbv2_first2.npy', m[:2])"
same_as_ort() {  # MODEL INPUTS REF
  "$FERRITE" run "$WORK/$1" --name m --dataset --input "input=$WORK/$2" --output-dir "$WORK/run_$1" --quiet > "$WORK/run_$1.log" 2>&1 ||
    { cat "$WORK/run_$1.log"; return 1; }
  $PY - "$WORK/run_$1/output.npy" "$ROOT/tests/data/quantize/$3" <<'PYEOF'
import sys
import numpy as np
f, r = np.load(sys.argv[1]), np.load(sys.argv[2])
f = f.reshape(r.shape)
print(f"  {(f == r).mean() * 100:.2f} % of {f.size} output values identical to ONNX Runtime, max |diff| {np.abs(f - r).max():g}")
sys.exit(0 if np.array_equal(f, r) else 1)
PYEOF
}
check "Fashion CNN int8: compiled code == ONNX Runtime 'all' (1,000 test images)" same_as_ort fashion_q.onnx fashion_eval5.npy fashion_ort_all.npy
check "MobileNetV2-0.35-96 int8: compiled code == ONNX Runtime 'all' (16 inputs)" same_as_ort mbv2_q.onnx mbv2_eval.npy mbv2_ort_all.npy
qemu_same() {  # MODEL INPUTS
  "$FERRITE" run "$WORK/$1" --name m --dataset --input "input=$WORK/$2" --output-dir "$WORK/m4_$1" --target qemu-cortex-m4 --quiet > "$WORK/m4_$1.log" 2>&1 &&
    "$FERRITE" run "$WORK/$1" --name m --dataset --input "input=$WORK/$2" --output-dir "$WORK/host_$1" --quiet > /dev/null 2>&1 &&
    cmp -s "$WORK/m4_$1/output.npy" "$WORK/host_$1/output.npy"
}
check "Fashion CNN int8: QEMU Cortex-M4 bit-identical to the host" qemu_same fashion_q.onnx fashion_first4.npy
check "MobileNetV2-0.35-96 int8: QEMU Cortex-M4 bit-identical to the host" qemu_same mbv2_q.onnx mbv2_first2.npy
no_float() {
  "$FERRITE" report "$WORK/$1" --json | $PY -c "
import json, sys
d = json.load(sys.stdin)
print('  float operators left:', d['float_ops'])
sys.exit(0 if not d['float_ops'] else 1)"
}
check "Fashion CNN int8 compiles to integer kernels only" no_float fashion_q.onnx
check "MobileNetV2 int8 compiles to integer kernels only" no_float mbv2_q.onnx

# One step: `ferrite compile --quantize DATA` and ferrite_add_model(... QUANTIZE DATA) quantize with the
# same defaults (their <name>_int8.onnx is the model `ferrite quantize` wrote) and compile it.
"$FERRITE" compile "$ROOT/samples/mobilenetv2_035_96/model.onnx" --quantize "$WORK/mbv2_calib.npy" -o "$WORK/onestep" \
  --name mbv2 -q > "$WORK/onestep.log" 2>&1
check "ferrite compile --quantize DATA compiles the model ferrite quantize makes" cmp -s "$WORK/onestep/mbv2_int8.onnx" "$WORK/mbv2_q.onnx"
fam() {
  local prefix="$WORK/prefix" proj="$WORK/fam"
  cmake --install "$(dirname "$FERRITE")" --prefix "$prefix" > "$WORK/fam_install.log" 2>&1 || return 1
  mkdir -p "$proj"
  cat > "$proj/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(fam_quantize CXX)
find_package(Ferrite REQUIRED)
ferrite_add_model(mbv2 MODEL "$ROOT/samples/mobilenetv2_035_96/model.onnx" QUANTIZE "$WORK/mbv2_calib.npy")
CMAKE
  cmake -S "$proj" -B "$proj/build" -DCMAKE_PREFIX_PATH="$prefix" > "$WORK/fam.log" 2>&1 &&
    cmake --build "$proj/build" >> "$WORK/fam.log" 2>&1 &&
    cmp -s "$proj/build/ferrite/mbv2/mbv2_int8.onnx" "$WORK/mbv2_q.onnx" || { tail -20 "$WORK/fam.log"; return 1; }
}
check "ferrite_add_model(... QUANTIZE DATA) builds the int8 library from the float model" fam

# The same 64 calibration images as one .npy, a folder of per-image .npy files, an .npz (stored) and
# an .npz (deflate) give the same model bytes.
$PY - "$WORK/forms" "$WORK/fashion_eval_1000.npy" <<'PYEOF'
import os, sys
import numpy as np
d, src = sys.argv[1], sys.argv[2]
x = np.load(src)[:64]
os.makedirs(d + "/folder", exist_ok=True)
np.save(d + "/cal.npy", x)
for i in range(64):
    np.save(f"{d}/folder/img_{i:03d}.npy", x[i:i + 1])
np.savez(d + "/cal.npz", input=x)
np.savez_compressed(d + "/cal_z.npz", input=x)
PYEOF
forms_agree() {
  local f
  for f in cal.npy folder cal.npz cal_z.npz; do
    "$FERRITE" quantize "$ROOT/samples/fashion_cnn/model.onnx" --input-shape input=1x1x28x28 --calibration "$WORK/forms/$f" \
      -o "$WORK/forms/$f.onnx" -q > "$WORK/forms/$f.log" 2>&1 || { cat "$WORK/forms/$f.log"; return 1; }
    cmp -s "$WORK/forms/cal.npy.onnx" "$WORK/forms/$f.onnx" || { echo "  $f gives another model"; return 1; }
  done
}
check "calibration data as .npy, a folder of .npy, .npz and compressed .npz: the same model" forms_agree
# --input-layout nhwc: the same images channels-last give the same model.
$PY -c "import numpy as np; x = np.load('$WORK/forms/cal.npy'); np.save('$WORK/forms/cal_nhwc.npy', x.transpose(0, 2, 3, 1).copy())"
"$FERRITE" quantize "$ROOT/samples/fashion_cnn/model.onnx" --input-shape input=1x1x28x28 --calibration "$WORK/forms/cal_nhwc.npy" \
  --input-layout nhwc -o "$WORK/forms/nhwc.onnx" -q > /dev/null 2>&1
check "--input-layout nhwc: channels-last calibration data gives the same model" cmp -s "$WORK/forms/cal.npy.onnx" "$WORK/forms/nhwc.onnx"

# Bad calibration data: exit 2, a message naming the problem, no output file.
$PY - "$WORK/bad" <<'PYEOF'
import os, sys
import numpy as np
d = sys.argv[1]
os.makedirs(d + "/empty", exist_ok=True)
np.save(d + "/shape.npy", np.zeros((3, 5), np.float32))
np.save(d + "/dtype.npy", np.zeros((2, 1, 28, 28), np.int32))
x = np.zeros((2, 1, 28, 28), np.float32); x[1, 0, 3, 4] = np.nan
np.save(d + "/nan.npy", x)
open(d + "/text.npy", "w").write("not an array\n")
PYEOF
bad() {  # DATA PATTERN
  local out="$WORK/bad/out.onnx"
  "$FERRITE" quantize "$ROOT/samples/fashion_cnn/model.onnx" --input-shape input=1x1x28x28 --calibration "$1" -o "$out" -q > "$WORK/bad/log" 2>&1
  local rc=$?
  echo "  exit $rc: $(head -c 300 "$WORK/bad/log")"
  [ $rc = 2 ] && [ ! -e "$out" ] && grep -q -- "$2" "$WORK/bad/log" && [ -z "$(ls -A "$WORK/bad" | grep ferrite-tmp)" ]
}
check "calibration data of the wrong shape is refused" bad "$WORK/bad/shape.npy" "has shape 3x5"
check "calibration data of the wrong dtype is refused" bad "$WORK/bad/dtype.npy" "int32"
check "an empty calibration folder is refused" bad "$WORK/bad/empty" "no .npy or .pb files"
check "NaN in the calibration data is refused" bad "$WORK/bad/nan.npy" "sample 1 holds a non-finite value"
check "a calibration file that is no array is refused" bad "$WORK/bad/text.npy" "not a"
check "a missing calibration path is refused" bad "$WORK/bad/missing.npz" "cannot open"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
