#!/usr/bin/python3
"""Deterministic int8 test inputs for the MLPerf Tiny .tflite models, and their golden outputs.

  tflite_inputs.py inputs MODEL.tflite N OUT.npy     N seeded int8 inputs, shape [N, *input shape]
  tflite_inputs.py goldens MODELDIR DATADIR          (re)makes DATADIR/<model>_ref.npy with
                                                     scripts/tflite_ref.py (the committed goldens)
"""
import os
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import tflite_ref  # noqa: E402

MODELS = ["kws_ref_model", "vww_96_int8", "pretrainedResnet_quant", "ad01_int8"]
N = 4


def inputs(model_path, n):
    m = tflite_ref.Model(model_path)
    shape = m.tensors[m.inputs[0]]["shape"]
    seed = zlib.crc32(os.path.basename(model_path).encode())
    rng = np.random.default_rng(seed)
    return m, rng.integers(-128, 128, size=[n] + shape, dtype=np.int64).astype(np.int8)


def main():
    if sys.argv[1] == "inputs":
        _, x = inputs(sys.argv[2], int(sys.argv[3]))
        np.save(sys.argv[4], x)
    elif sys.argv[1] == "goldens":
        for name in MODELS:
            m, x = inputs(os.path.join(sys.argv[2], name + ".tflite"), N)
            y = np.stack([tflite_ref.run(m, x[i]) for i in range(N)])
            np.save(os.path.join(sys.argv[3], name + "_ref.npy"), y)
            print(name, y.shape)


if __name__ == "__main__":
    main()
