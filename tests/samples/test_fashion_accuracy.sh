#!/usr/bin/env bash
# The trained sample's accuracy on the full Fashion-MNIST test set (Debian's dataset-fashion-mnist)
# must equal ONNX Runtime's: the generated code runs all 10,000 images in one batch on the host.
# usage: test_fashion_accuracy.sh FERRITE REPO_ROOT WORK_DIR
set -euo pipefail
FERRITE=$1; ROOT=$2; WORK=$3
PY=/usr/bin/python3
S="$ROOT/samples/fashion_cnn"
rm -rf "$WORK"; mkdir -p "$WORK"
$PY "$ROOT/scripts/samples/fashion_testset_to_npy.py" "$WORK"
"$FERRITE" run "$S/model.onnx" --name fashion --input-shape input=10000x1x28x28 \
  --input "input=$WORK/fashion_test_x.npy" --output-dir "$WORK/run" --quiet
$PY - "$WORK/run/output.npy" "$WORK/fashion_test_y.npy" "$S/ort_test_predictions.bin" "$S/meta.json" <<'PYEOF'
import json, sys
import numpy as np
out = np.load(sys.argv[1]); labels = np.load(sys.argv[2]).astype(np.int64)
ort = np.frombuffer(open(sys.argv[3], "rb").read(), dtype=np.uint8).astype(np.int64)
meta = json.load(open(sys.argv[4]))
pred = out.argmax(axis=1)
acc = float((pred == labels).mean()); ort_acc = float((ort == labels).mean())
diff = int((pred != ort).sum())
print(f"fashion_cnn test set: ferrite accuracy {acc:.4f} ({int((pred == labels).sum())}/10000), "
      f"ONNX Runtime {ort_acc:.4f} (meta.json: {meta['test_accuracy_ort']}), predictions differing from ORT: {diff}")
ok = acc == ort_acc and abs(ort_acc - meta["test_accuracy_ort"]) < 1e-9
print(("1 passed, 0 failed") if ok else ("0 passed, 1 failed"))
sys.exit(0 if ok else 1)
PYEOF
