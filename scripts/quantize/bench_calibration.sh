#!/usr/bin/env bash
# Calibration time benchmark (issue 15: MobileNetV2-0.35-96 on 500 inputs <= 60 s): makes 500
# shifted / rescaled copies of samples/mobilenetv2_035_96/input.npy and times `ferrite quantize`
# with the default options (--calibrate auto: two passes over the 500 inputs, four scorings of 64).
# usage: scripts/quantize/bench_calibration.sh [FERRITE]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FERRITE=${1:-$ROOT/build/ferrite}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 - "$ROOT/samples/mobilenetv2_035_96/input.npy" "$WORK/cal500.npy" <<'PYEOF'
import sys
import numpy as np
rng = np.random.default_rng(1)
x = np.load(sys.argv[1])
xs = [np.roll(x, (int(rng.integers(-20, 21)), int(rng.integers(-20, 21))), axis=(2, 3)) * np.float32(rng.uniform(0.7, 1.2))
      for _ in range(500)]
np.save(sys.argv[2], np.concatenate(xs).astype(np.float32))
PYEOF
/usr/bin/time -f "ferrite quantize, MobileNetV2-0.35-96, 500 calibration inputs: %e s wall, %U s user + %S s system, %M KB peak" \
  "$FERRITE" quantize "$ROOT/samples/mobilenetv2_035_96/model.onnx" --calibration "$WORK/cal500.npy" -o "$WORK/q.onnx" -q |
  grep -E "ranges"
