#!/bin/sh
# Regenerate all of Ferrite's bundled sample models and their ONNX Runtime
# reference outputs (float and int8):  sh scripts/samples/make_all.sh
# Needs Debian packages python3-torch python3-torchvision python3-onnx
# python3-numpy dataset-fashion-mnist, plus node/npm (onnxruntime-node is
# installed into scripts/samples/node_modules on first use).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
start=$(date +%s)

# 1. build / train / export the models (samples/<name>/{model.onnx,input.npy,meta.json})
"$PY" "$HERE/make_samples.py"

# 2. ONNX Runtime (npm) -- install only if missing
if [ ! -d "$HERE/node_modules/onnxruntime-node" ]; then
    (cd "$HERE" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund)
fi

# 3. Fashion-MNIST test set as .npy, into a temporary directory
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
"$PY" "$HERE/fashion_testset_to_npy.py" "$TMP"

# 4. reference outputs, fashion_cnn test-set predictions/accuracy, meta.json
node "$HERE/ort_reference.mjs" --fashion-testset "$TMP"

# 5. int8 samples (samples/*_int8): quantize the float models above, QOperator
#    conversion, ONNX Runtime references ('all' + x64quantprecision and 'disabled')
"$PY" "$HERE/make_int8_samples.py"

echo "make_all.sh: done in $(( $(date +%s) - start ))s"
