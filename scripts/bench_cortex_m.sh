#!/usr/bin/env bash
# Prints retired instructions per inference and per MAC for every sample on an emulated Cortex-M4
# (QEMU mps2-an386, -icount shift=0: deterministic counts, see docs/benchmarks.md).
# usage: scripts/bench_cortex_m.sh [FERRITE] [TARGET]   (default: build/ferrite, qemu-cortex-m4)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FERRITE=${1:-$ROOT/build/ferrite}
TARGET=${2:-qemu-cortex-m4}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
printf '%-26s %14s %12s %10s\n' sample instructions MACs instr/MAC
for dir in "$ROOT"/samples/*/; do
  s=$(basename "$dir")
  [ -f "$dir/model.onnx" ] && [ -f "$dir/input.npy" ] || continue
  shape=()
  case "$s" in fashion_cnn*) shape=(--input-shape input=1x1x28x28) ;; esac
  line=$("$FERRITE" run "$dir/model.onnx" --name m "${shape[@]}" --input "input=$dir/input.npy" --target "$TARGET" \
           --count-instructions --quiet --output-dir "$WORK/$s" | grep 'instructions per inference')
  instr=$(echo "$line" | sed -E 's/.*: ([0-9]+) instructions per inference.*/\1/')
  macs=$(echo "$line" | sed -E 's/.*\(([0-9]+) MACs.*/\1/')
  per=$(echo "$line" | sed -E 's/.*, ([0-9.]+) per MAC.*/\1/')
  printf '%-26s %14s %12s %10s\n' "$s" "$instr" "$macs" "$per"
done
