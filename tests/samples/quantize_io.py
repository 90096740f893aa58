#!/usr/bin/env python3
"""Helpers for the --quantized-io plan test.
  quantize_io.py quantize REPORT.json IN.npy OUT.npy   -- the model input quantized as Ferrite's
      QuantizeLinear kernel does it (float32 x / scale, clamp, round half to even, + zero point)
  quantize_io.py compare REPORT.json QUANT_OUT.npy FLOAT_OUT.npy  -- exit 0 when the dequantized
      quantized output ((q - zero_point) * scale in float32) equals the float output bit for bit"""
import json
import sys

import numpy as np


def main():
    cmd, report = sys.argv[1], json.load(open(sys.argv[2]))
    if cmd == "quantize":
        q = report["inputs"][0]
        dt = np.dtype(q["dtype"])
        lo, hi = np.iinfo(dt).min, np.iinfo(dt).max
        s, z = np.float32(q["quantization"]["scale"]), q["quantization"]["zero_point"]
        x = np.load(sys.argv[3]).astype(np.float32)
        v = np.clip(x / s, np.float32(lo - z), np.float32(hi - z))
        np.save(sys.argv[4], (np.rint(v).astype(np.int32) + z).astype(dt))
        return 0
    q = report["outputs"][0]
    s, z = np.float32(q["quantization"]["scale"]), q["quantization"]["zero_point"]
    yq = np.load(sys.argv[3])
    yf = np.load(sys.argv[4])
    deq = ((yq.astype(np.int32) - z).astype(np.float32) * s).astype(np.float32)
    same = deq.shape == yf.shape and np.array_equal(deq.view(np.uint32), yf.astype(np.float32).view(np.uint32))
    print(f"quantized output {yq.dtype} {list(yq.shape)}: dequantized == float output: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
