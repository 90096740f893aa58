#!/usr/bin/env bash
# ONNX Runtime ('all') vs Ferrite's compiled code on a model of scripts/quantize/train_models.py:
# quantizes MODEL_DIR/model.onnx with the defaults from MODEL_DIR/cal.npy, runs the int8 model over
# all of MODEL_DIR/test.npy with onnxruntime-node 1.30 (scripts/samples/node_modules) and with
# `ferrite run --dataset` (the generated C++ on the host), and prints how many outputs are identical.
# usage: scripts/quantize/check_ort.sh MODEL_DIR [FERRITE] [WORK]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
M=$1; FERRITE=${2:-$ROOT/build/ferrite}; WORK=${3:-$(mktemp -d)}
mkdir -p "$WORK"
"$FERRITE" quantize "$M/model.onnx" --calibration "$M/cal.npy" -o "$WORK/q.onnx" --evaluate "$M/test.npy" \
  --labels "$M/labels.npy" --json "$WORK/q.json" -q | grep -E "ranges|evaluation"
/usr/bin/python3 -c "import numpy as np; x = np.load('$M/test.npy'); np.save('$WORK/test5.npy', x.reshape((x.shape[0], 1) + x.shape[1:]))"
echo "{\"jobs\": [{\"model\": \"$WORK/q.onnx\", \"inputs\": \"$WORK/test5.npy\", \"batch\": 1, \"outputs\": {\"all\": \"$WORK/ort_all.npy\"}}]}" > "$WORK/jobs.json"
node "$ROOT/scripts/samples/ort_reference_int8.mjs" "$WORK/jobs.json" > /dev/null
"$FERRITE" run "$WORK/q.onnx" --name m --dataset --input "$WORK/test5.npy" --output-dir "$WORK/run" --quiet
/usr/bin/python3 - "$WORK/run/output.npy" "$WORK/ort_all.npy" "$M/labels.npy" <<'PYEOF'
import sys
import numpy as np
f, r, y = np.load(sys.argv[1]), np.load(sys.argv[2]), np.load(sys.argv[3])
f = f.reshape(r.shape)
n = r.shape[0]
print(f"ONNX Runtime 'all' vs Ferrite: {(f == r).mean() * 100:.2f} % of {f.size} output values identical "
      f"({sum(np.array_equal(f[i], r[i]) for i in range(n))}/{n} inputs), max |diff| {np.abs(f - r).max():g}; "
      f"top-1 Ferrite {(f.reshape(n, -1).argmax(1) == y[:n]).mean() * 100:.2f} %, ONNX Runtime {(r.reshape(n, -1).argmax(1) == y[:n]).mean() * 100:.2f} %")
sys.exit(0 if np.array_equal(f, r) else 1)
PYEOF
