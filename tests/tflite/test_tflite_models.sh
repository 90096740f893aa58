#!/usr/bin/env bash
# ctest tflite_models: the MLPerf Tiny int8 .tflite models (../shared/models/tflite, not committed)
# compile and run with TFLite numerics, bit-identical to the own-written reference of TFLite's integer
# rules (scripts/tflite_ref.py; goldens tests/data/tflite/*_ref.npy made by tflite_inputs.py goldens)
# on the host (4 seeded inputs per model) and on QEMU Cortex-M4, M7, M33 (first input; the DSP
# variants with TFLite requantization) and Cortex-M55 (the Helium *_mve_tfl variants, also compared
# with the host); prints each arena.
# Usage: test_tflite_models.sh FERRITE SOURCE_DIR [MODEL_DIR]     exit 77 = skipped
set -euo pipefail
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
have_qemu=0
command -v qemu-system-arm >/dev/null && command -v arm-none-eabi-g++ >/dev/null && have_qemu=1
compare() {  # compare OUT.npy REF.npy LABEL: prints % identical and max LSB; fails unless identical
  "$PY" - "$1" "$2" "$3" <<'PYEOF'
import sys, numpy as np
a = np.load(sys.argv[1]).astype(np.int64).ravel(); b = np.load(sys.argv[2]).astype(np.int64).ravel()
if a.size != b.size:
    sys.exit(f"{sys.argv[3]}: {a.size} elements, reference has {b.size}")
d = np.abs(a - b)
print(f"{sys.argv[3]}: {100.0 * (d == 0).mean():.2f} % of {a.size} elements identical, max {d.max()} LSB")
sys.exit(0 if d.max() == 0 else 1)
PYEOF
}
for name in kws_ref_model vww_96_int8 pretrainedResnet_quant ad01_int8; do
  model=$MODELS/$name.tflite
  [ -f "$model" ] || { echo "FAIL: $model missing"; exit 1; }
  "$FERRITE" ops --check "$model" > "$T/ops.txt" || { cat "$T/ops.txt"; echo "FAIL: ops --check $name"; exit 1; }
  "$PY" "$SRC/tests/tflite/tflite_inputs.py" inputs "$model" 4 "$T/$name.in.npy"
  # The reference itself reproduces the committed goldens.
  "$PY" -c "
import sys, numpy as np; sys.path.insert(0, '$SRC/scripts'); import tflite_ref
m = tflite_ref.Model('$model'); x = np.load('$T/$name.in.npy')
np.save('$T/$name.ref.npy', np.stack([tflite_ref.run(m, x[i]) for i in range(x.shape[0])]))"
  compare "$T/$name.ref.npy" "$SRC/tests/data/tflite/${name}_ref.npy" "$name reference vs committed golden"
  "$FERRITE" run "$model" --input "$T/$name.in.npy" --dataset --output-dir "$T/$name.host" --quiet >/dev/null
  out=$(ls "$T/$name.host"/*.npy | head -1)
  compare "$out" "$SRC/tests/data/tflite/${name}_ref.npy" "$name host vs TFLite reference"
  if [ $have_qemu = 1 ]; then
    "$PY" -c "import numpy as np; np.save('$T/$name.in0.npy', np.load('$T/$name.in.npy')[0])"
    "$PY" -c "import numpy as np; np.save('$T/$name.ref0.npy', np.load('$SRC/tests/data/tflite/${name}_ref.npy')[0])"
    "$FERRITE" run "$model" --input "$T/$name.in0.npy" --target qemu-cortex-m4 --output-dir "$T/$name.m4" --quiet >/dev/null
    out=$(ls "$T/$name.m4"/*.npy | head -1)
    compare "$out" "$T/$name.ref0.npy" "$name QEMU Cortex-M4 vs TFLite reference"
    # M7 and M33: the same DSP variants with TFLite requantization, other cores' code generation.
    for core in m7 m33; do
      "$FERRITE" run "$model" --input "$T/$name.in0.npy" --target qemu-cortex-$core --output-dir "$T/$name.$core" --quiet >/dev/null
      out=$(ls "$T/$name.$core"/*.npy | head -1)
      compare "$out" "$T/$name.ref0.npy" "$name QEMU Cortex-${core^^} vs TFLite reference"
    done
    # Cortex-M55: the Helium variants with TFLite requantization (*_mve_tfl), bit-identical to the
    # reference and to the host's portable kernels.
    "$FERRITE" run "$model" --input "$T/$name.in0.npy" --target qemu-cortex-m55 --output-dir "$T/$name.m55" --quiet >/dev/null
    out=$(ls "$T/$name.m55"/*.npy | head -1)
    compare "$out" "$T/$name.ref0.npy" "$name QEMU Cortex-M55 vs TFLite reference"
    "$PY" -c "import numpy as np; np.save('$T/$name.host0.npy', np.load('$(ls "$T/$name.host"/*.npy | head -1)')[0])"
    compare "$out" "$T/$name.host0.npy" "$name QEMU Cortex-M55 vs host"
    "$FERRITE" compile "$model" --target cortex-m55 -o "$T/$name.gen55" > /dev/null
    n=$(cat "$T/$name.gen55"/*.cpp | grep -o 'ferrite_rt::[a-z0-9_]*_mve_tfl(' | sort -u | sed 's/ferrite_rt:://; s/(//' | tr '\n' ' ')
    [ -n "$n" ] || { echo "FAIL: $name: no Helium TFLite variant selected for cortex-m55"; exit 1; }
    echo "$name cortex-m55 kernels: $n"
  fi
  "$FERRITE" report "$model" > "$T/$name.report.txt"
  echo "$name: $(grep -m1 '^ *arena ' "$T/$name.report.txt" | sed 's/^ *//')"
done
# The float KWS model (float activations, int8 "dynamic range" conv weights that the frontend
# dequantizes): host (4 seeded inputs) and QEMU Cortex-M4 (first input) within 1e-4 x the output
# range of the float reference (scripts/tflite_ref.py computes in float64).
F=$MODELS/kws_ref_model_float32.tflite
if [ -f "$F" ]; then
  "$FERRITE" ops --check "$F" > "$T/ops.txt" || { cat "$T/ops.txt"; echo "FAIL: ops --check on the float model"; exit 1; }
  "$PY" -c "
import sys, numpy as np; sys.path.insert(0, '$SRC/scripts'); import tflite_ref
m = tflite_ref.Model('$F'); x = (np.random.default_rng(7).standard_normal([4] + m.tensors[m.inputs[0]]['shape']) * 20).astype(np.float32)
np.save('$T/f.in.npy', x); np.save('$T/f.in0.npy', x[0])
r = np.stack([tflite_ref.run(m, x[i]) for i in range(4)]); np.save('$T/f.ref.npy', r); np.save('$T/f.ref0.npy', r[0])"
  "$FERRITE" run "$F" --input "$T/f.in.npy" --dataset --output-dir "$T/f.host" --quiet >/dev/null
  "$PY" "$SRC/tests/tflite/ops_check.py" compare "$T/f.host" "$T/f.ref.npy" "kws_ref_model_float32 host vs float reference" dataset
  if [ $have_qemu = 1 ]; then
    "$FERRITE" run "$F" --input "$T/f.in0.npy" --target qemu-cortex-m4 --output-dir "$T/f.m4" --quiet >/dev/null
    "$PY" "$SRC/tests/tflite/ops_check.py" compare "$T/f.m4" "$T/f.ref0.npy" "kws_ref_model_float32 QEMU Cortex-M4 vs float reference" single
  fi
  "$FERRITE" report "$F" > "$T/f.report.txt"
  echo "kws_ref_model_float32: $(grep -m1 '^ *arena ' "$T/f.report.txt" | sed 's/^ *//')"
fi
# The KWS model with a uint8 interface, as TFLite's converter makes it with inference_input_type /
# inference_output_type = tf.uint8 (tests/tflite/make_u8_io.py rewrites the flatbuffer into $T):
# QUANTIZE uint8 -> int8 first, QUANTIZE int8 -> uint8 last, both the exact offset. Its output for
# the seeded inputs xor 0x80 must be the committed int8 golden xor 0x80 (the reference agrees), on
# the host (4 inputs) and QEMU Cortex-M4 (first input); the generated API takes and gives uint8.
U=$T/kws_u8.tflite
"$PY" "$SRC/tests/tflite/make_u8_io.py" "$MODELS/kws_ref_model.tflite" "$U"
"$PY" "$SRC/tests/tflite/tflite_inputs.py" inputs "$MODELS/kws_ref_model.tflite" 4 "$T/kws.in.npy"
"$PY" -c "
import sys, numpy as np; sys.path.insert(0, '$SRC/scripts'); import tflite_ref
x = np.load('$T/kws.in.npy').view(np.uint8) ^ 0x80
g = np.load('$SRC/tests/data/tflite/kws_ref_model_ref.npy').view(np.uint8) ^ 0x80
m = tflite_ref.Model('$U'); r = np.stack([tflite_ref.run(m, x[i]) for i in range(4)])
assert r.dtype == np.uint8 and (r.reshape(g.shape) == g).all(), 'reference of the uint8 model != int8 golden xor 0x80'
np.save('$T/u8.in.npy', x); np.save('$T/u8.in0.npy', x[0]); np.save('$T/u8.ref.npy', g); np.save('$T/u8.ref0.npy', g[0])"
"$FERRITE" compile "$U" -o "$T/u8.gen" > /dev/null
grep -q 'uint8_t\* input0' "$T/u8.gen"/*.h && grep -q 'uint8_t\* output0' "$T/u8.gen"/*.h ||
  { echo "FAIL: kws uint8 I/O: the generated API is not uint8"; exit 1; }
"$FERRITE" run "$U" --input "$T/u8.in.npy" --dataset --output-dir "$T/u8.host" --quiet >/dev/null
"$PY" "$SRC/tests/tflite/ops_check.py" compare "$T/u8.host" "$T/u8.ref.npy" "kws_ref_model uint8 I/O host" dataset
if [ $have_qemu = 1 ]; then
  "$FERRITE" run "$U" --input "$T/u8.in0.npy" --target qemu-cortex-m4 --output-dir "$T/u8.m4" --quiet >/dev/null
  "$PY" "$SRC/tests/tflite/ops_check.py" compare "$T/u8.m4" "$T/u8.ref0.npy" "kws_ref_model uint8 I/O QEMU Cortex-M4" single
fi
[ $have_qemu = 1 ] || echo "note: qemu-system-arm / arm-none-eabi-g++ missing, the Cortex-M4 runs were skipped"
echo "tflite_models: OK"
