#!/usr/bin/env bash
# The main job, end to end, on the bundled trained Fashion-MNIST CNN: install dependencies, build
# ferrite, compile the model to C++, build the generated code with a small host program, run one
# inference on a test image, print the prediction and the memory report; then run the same
# generated code on an emulated Cortex-M4 (QEMU mps2-an386) and check it gives the same bits.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FERRITE_BUILD_DIR:-$ROOT/build}
OUT=$ROOT/out/demo
bash "$ROOT/scripts/install_deps.sh"
bash "$ROOT/scripts/build.sh"
FERRITE=$BUILD/ferrite
S=$ROOT/samples/fashion_cnn
rm -rf "$OUT"; mkdir -p "$OUT"

echo "== 1. ferrite compile (the model has a dynamic batch; we fix it to 1)"
"$FERRITE" compile "$S/model.onnx" --name fashion --input-shape input=1x1x28x28 --target cortex-m4 -o "$OUT/gen"
ls -l "$OUT/gen"

echo "== 2. build the generated code with a host program (g++ -Wall -Wextra -Werror)"
g++ -std=c++17 -O2 -ffp-contract=off -Wall -Wextra -Werror -I"$OUT/gen" \
  "$OUT/gen/fashion.cpp" "$OUT/gen/fashion_weights.cpp" "$ROOT/samples/host_demo/main.cpp" -o "$OUT/fashion_demo"

echo "== 3. run one inference on the first Fashion-MNIST test image (its label is 9, Ankle boot)"
"$OUT/fashion_demo" "$S/input.npy"

echo "== 4. memory report (also in $OUT/gen/fashion_report.json)"
"$FERRITE" report "$S/model.onnx" --name fashion --input-shape input=1x1x28x28

echo "== 5. the same model on an emulated Cortex-M4, checked against ONNX Runtime's output"
"$FERRITE" run "$S/model.onnx" --name fashion --input-shape input=1x1x28x28 --target qemu-cortex-m4 \
  --input "input=$S/input.npy" --reference "output=$S/reference/output.npy" --range-tol 1e-4 \
  --output-dir "$OUT/qemu"
