#!/usr/bin/env bash
# Issue 13's end-to-end figure: ResNet-18 (torchvision, 1000 classes, 44.7 MiB of float32 weights) at
# 64x64, `ferrite run --target host` from the .onnx file to the written output, measured with
# /usr/bin/time -v (wall, CPU, peak memory of ferrite and the compilers it runs), plus --timing's
# per-step lines. The model is made by scripts/models/make_resnet18.py (seeded; not committed).
#   scripts/bench_resnet18.sh [FERRITE] [WORK_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FERRITE=${1:-$ROOT/build/ferrite}
WORK=${2:-/tmp/ferrite_bench_resnet18}
mkdir -p "$WORK"
[ -f "$WORK/resnet18.onnx" ] ||
  /usr/bin/python3 "$ROOT/scripts/models/make_resnet18.py" --out "$WORK/resnet18.onnx" --input "$WORK/x.npy"
rm -rf "$WORK/out"
/usr/bin/time -v -o "$WORK/time.txt" "$FERRITE" run "$WORK/resnet18.onnx" --input "input=$WORK/x.npy" --target host \
  --output-dir "$WORK/out" --timing 2> "$WORK/timing.txt"
grep '^ferrite:' "$WORK/timing.txt"
grep -E 'Elapsed \(wall|User time|System time|Maximum resident' "$WORK/time.txt"
