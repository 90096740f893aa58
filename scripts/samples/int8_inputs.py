#!/usr/bin/python3
"""The 100 reference inputs of Ferrite's int8 samples (numpy only, no torch/onnx).

Usage: /usr/bin/python3 int8_inputs.py SAMPLE_DIR [OUT.npy]
       (prints the shape and sha256 and checks it against SAMPLE_DIR/meta.json)

  load_inputs(sample_dir) -> float32 array [100, *model input shape]

Samples with inputs/inputs.npy return it. mobilenetv2_035_96_int8 does not store
its inputs (11 MB as float32, 2.8 MB as uint8); they are regenerated here:

  u8 = 100*3*96*96 bytes of xorshift32 (state s = 2024; per byte:
       s ^= s << 13; s ^= s >> 17; s ^= s << 5, all mod 2^32; byte = s >> 24),
       in C order [100, 1, 3, 96, 96]
  x  = ((float32)u8 / 255.0f - mean[c]) / std[c]    every step one float32 IEEE
       operation rounded to nearest (divide, subtract, divide)
       mean = {0.485f, 0.456f, 0.406f} (bits 0x3ef851ec 0x3ee978d5 0x3ecfdf3b)
       std  = {0.229f, 0.224f, 0.225f} (bits 0x3e6a7efa 0x3e656042 0x3e666666)

meta.json "inputs"."sha256_float32" is the sha256 of the float32 array's bytes
(little-endian, C order), so any reimplementation can check it is bit-identical.
"""
import hashlib
import json
import os
import sys

import numpy as np

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
MOBILENET_SEED = 2024


def xorshift32_bytes(seed, n):
    """n bytes from Marsaglia's xorshift32 (13, 17, 5); each byte is the top 8 bits
    of the state after one step."""
    s = seed & 0xFFFFFFFF
    assert s != 0
    out = bytearray(n)
    for i in range(n):
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        out[i] = s >> 24
    return np.frombuffer(bytes(out), dtype=np.uint8)


def mobilenet_float_inputs(u8):
    """uint8 [..., 3, H, W] -> float32 ((u8 / 255) - mean[c]) / std[c], in float32."""
    x = u8.astype(np.float32) / np.float32(255.0)
    x = x - MEAN.reshape(3, 1, 1)
    x = x / STD.reshape(3, 1, 1)
    return x.astype(np.float32)


def mobilenet_u8_inputs(n=100):
    return xorshift32_bytes(MOBILENET_SEED, n * 3 * 96 * 96).reshape(n, 1, 3, 96, 96)


def sha256(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def load_inputs(sample_dir, check=True):
    f = os.path.join(sample_dir, "inputs", "inputs.npy")
    if os.path.exists(f):
        x = np.load(f)
    elif os.path.basename(os.path.normpath(sample_dir)).startswith("mobilenetv2_035_96_int8"):
        x = mobilenet_float_inputs(mobilenet_u8_inputs())
    else:
        raise FileNotFoundError(f)
    if check:
        with open(os.path.join(sample_dir, "meta.json")) as fh:
            want = json.load(fh)["inputs"]["sha256_float32"]
        if sha256(x) != want:
            raise ValueError("%s: inputs sha256 mismatch" % sample_dir)
    return x


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    x = load_inputs(argv[1])
    print("%s: inputs %s %s, sha256 %s (matches meta.json)" % (argv[1], x.shape, x.dtype, sha256(x)))
    if len(argv) == 3:
        np.save(argv[2], x)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
