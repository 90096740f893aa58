#!/usr/bin/python3
"""The models and data of `ctest -R quantize` (tests/quantize/test_quantize.sh) and of its ONNX
Runtime references (scripts/quantize/make_refs.sh). numpy only.

  quantize_cases.py data OUT_DIR   writes the calibration / evaluation arrays:
    fashion_eval_1000.npy   the first 1,000 Fashion-MNIST test images, (1000, 1, 28, 28) float32 x/255
    mbv2_calib.npy          64 shifted and rescaled copies of samples/mobilenetv2_035_96/input.npy
    mbv2_eval.npy           16 more, (16, 1, 3, 96, 96)
The Fashion-MNIST calibration set is the IDX file itself (the first 500 training images, --limit).
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "samples"))
from fashion_testset_to_npy import load_images  # noqa: E402


def main(argv):
    if len(argv) != 3 or argv[1] != "data":
        sys.stderr.write(__doc__)
        return 2
    out = argv[2]
    os.makedirs(out, exist_ok=True)
    x = load_images("t10k")[:1000]
    np.save(os.path.join(out, "fashion_eval_1000.npy"), np.ascontiguousarray(x, dtype=np.float32))
    rng = np.random.default_rng(2026)
    img = np.load(os.path.join(ROOT, "samples", "mobilenetv2_035_96", "input.npy"))
    xs = []
    for _ in range(80):
        dy, dx = (int(v) for v in rng.integers(-20, 21, size=2))
        xs.append(np.roll(img, (dy, dx), axis=(2, 3)) * np.float32(rng.uniform(0.7, 1.2)))
    xs = np.concatenate(xs).astype(np.float32)
    np.save(os.path.join(out, "mbv2_calib.npy"), xs[:64])
    np.save(os.path.join(out, "mbv2_eval.npy"), xs[64:].reshape(16, 1, 3, 96, 96))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
