#!/usr/bin/env bash
# ONNX Runtime references of `ctest -R quantize`: quantizes the test's models exactly as the test
# does (tests/quantize/cases.sh), records their SHA-256 and runs them with onnxruntime-node 1.30
# (graph optimizations 'all': fused integer kernels) on the evaluation inputs:
#   tests/data/quantize/SHA256SUMS, fashion_ort_all.npy (1,000 x 10), mbv2_ort_all.npy (16 x 1000).
# Needs scripts/samples/node_modules (scripts/samples/make_all.sh installs onnxruntime-node).
# usage: scripts/quantize/make_refs.sh [FERRITE]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FERRITE=${1:-$ROOT/build/ferrite}
OUT=$ROOT/tests/data/quantize
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
source "$ROOT/tests/quantize/cases.sh"
quantize_cases "$FERRITE" "$ROOT" "$WORK"
/usr/bin/python3 -c "import numpy as np; x = np.load('$WORK/fashion_eval_1000.npy'); np.save('$WORK/fashion_eval5.npy', x.reshape(1000, 1, 1, 28, 28))"
cat > "$WORK/jobs.json" <<JSON
{"jobs": [
  {"model": "$WORK/fashion_q.onnx", "inputs": "$WORK/fashion_eval5.npy", "batch": 1, "outputs": {"all": "$OUT/fashion_ort_all.npy"}},
  {"model": "$WORK/mbv2_q.onnx", "inputs": "$WORK/mbv2_eval.npy", "batch": 1, "outputs": {"all": "$OUT/mbv2_ort_all.npy"}}
]}
JSON
mkdir -p "$OUT"
node "$ROOT/scripts/samples/ort_reference_int8.mjs" "$WORK/jobs.json"
(cd "$WORK" && sha256sum fashion_q.onnx mbv2_q.onnx) > "$OUT/SHA256SUMS"
cat "$OUT/SHA256SUMS"
