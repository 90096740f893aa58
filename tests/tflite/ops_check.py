#!/usr/bin/python3
"""Helper of ctest tflite_ops (test_tflite_ops.sh).

  ops_check.py prepare DIR N          for every "op"/"chain" case of DIR/cases.txt: DIR/<case>.in.npy
                                      (N seeded int8 / uint8 / int16 / float inputs; an int16 input of 65536 elements is a permutation
                                      of every int16 value), .in0.npy (the first), .ref.npy / .ref0.npy
                                      (scripts/tflite_ref.py, NHWC)
  ops_check.py compare OUTDIR REF LABEL dataset|single   Ferrite's output (the one .npy in OUTDIR; rank-4 outputs
                                      come NCHW and are compared in NHWC order) against REF: prints
                                      % identical and max LSB, exit 1 unless identical
"""
import glob
import os
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import tflite_ref  # noqa: E402


def prepare(d, n):
    for line in open(os.path.join(d, "cases.txt")):
        parts = line.split()
        if not parts or parts[1] == "refuse":
            continue
        name = parts[0]
        m = tflite_ref.Model(os.path.join(d, name + ".tflite"))
        shape = m.tensors[m.inputs[0]]["shape"]
        rng = np.random.default_rng(zlib.crc32(name.encode()) + 1)
        if m.tensors[m.inputs[0]]["dtype"] == np.float32:
            x = (rng.standard_normal([n] + shape) * 2).astype(np.float32)
        elif m.tensors[m.inputs[0]]["dtype"] == np.int16 and int(np.prod(shape)) == 65536:  # every int16 value
            x = np.stack([rng.permutation(np.arange(-32768, 32768)).reshape(shape) for _ in range(n)]).astype(np.int16)
        elif m.tensors[m.inputs[0]]["dtype"] == np.int16:
            x = rng.integers(-32768, 32768, size=[n] + shape).astype(np.int16)
        elif m.tensors[m.inputs[0]]["dtype"] == np.uint8:
            x = rng.integers(0, 256, size=[n] + shape).astype(np.uint8)
        else:
            x = rng.integers(-128, 128, size=[n] + shape).astype(np.int8)
        y = np.stack([tflite_ref.run(m, x[i]) for i in range(n)])
        np.save(os.path.join(d, name + ".in.npy"), x)
        np.save(os.path.join(d, name + ".in0.npy"), x[0])
        np.save(os.path.join(d, name + ".ref.npy"), y)
        np.save(os.path.join(d, name + ".ref0.npy"), y[0])


def compare(outdir, ref, label, dataset, exact=False):
    files = sorted(glob.glob(os.path.join(outdir, "*.npy")))
    a = np.load(files[0])
    r = np.load(ref)
    if r.ndim - (1 if dataset else 0) == 4:
        a = np.moveaxis(a, -3, -1)  # Ferrite gives rank-4 outputs NCHW
    if r.dtype.kind == "f":  # float models: within 1e-4 x the output range of the float reference
        a, r = a.astype(np.float64).ravel(), r.astype(np.float64).ravel()
        if a.size != r.size:
            print(f"FAIL {label}: {a.size} elements, reference has {r.size}")
            return 1
        rel = np.abs(a - r).max() / max(r.max() - r.min(), 1e-30)
        ok = rel <= 1e-4 and (not exact or rel == 0)
        print(f"{'ok  ' if ok else 'FAIL'} {label}: max |diff| {np.abs(a - r).max():.3g} = {rel:.3g} x output range (float)")
        return 0 if ok else 1
    a = a.astype(np.int64).ravel()
    r = r.astype(np.int64).ravel()
    if a.size != r.size:
        print(f"FAIL {label}: {a.size} elements, reference has {r.size}")
        return 1
    d = np.abs(a - r)
    ok = d.max() == 0
    print(f"{'ok  ' if ok else 'FAIL'} {label}: {100.0 * (d == 0).mean():.2f} % of {a.size} identical, max {d.max()} LSB")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(compare(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "dataset"))
