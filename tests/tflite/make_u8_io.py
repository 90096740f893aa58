#!/usr/bin/python3
"""Rewrites an int8 .tflite model into the form TFLite's converter gives with
inference_input_type = inference_output_type = tf.uint8: a uint8 graph input with the int8 input's
scale and zero point + 128, then QUANTIZE (uint8 -> int8) into the original input; the original
int8 output followed by QUANTIZE (int8 -> uint8) into a uint8 output (scale kept, zero point + 128).
Both QUANTIZEs are TFLite's exact offset (equal scales, zero points 128 apart), so the uint8 model's
output is the int8 model's output xor 0x80 for the input xor 0x80 (ctest tflite_models checks it).

  make_u8_io.py IN.tflite OUT.tflite

The model is re-serialized with tests/tflite/tflite_writer.py: only the operators of the MLPerf Tiny
models this is used on (CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, RESHAPE, FULLY_CONNECTED,
SOFTMAX, ADD) and the fields Ferrite and scripts/tflite_ref.py read; any other operator stops it.
"""
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
sys.path.insert(0, HERE)
import tflite_ref  # noqa: E402
from tflite_ref import N, Table, scalar, subtable, table_vector  # noqa: E402
from tflite_writer import *  # noqa: E402,F403

# Builtin options per options type: (field, writer kind, schema default).
OPTIONS = {
    CONV2D_OPTIONS: [(0, "b", 0), (1, "i", 0), (2, "i", 0), (3, "b", 0), (4, "i", 1), (5, "i", 1)],
    DEPTHWISE_OPTIONS: [(0, "b", 0), (1, "i", 0), (2, "i", 0), (3, "i", 0), (4, "b", 0), (5, "i", 1), (6, "i", 1)],
    POOL2D_OPTIONS: [(0, "b", 0), (1, "i", 0), (2, "i", 0), (3, "i", 0), (4, "i", 0), (5, "b", 0)],
    FC_OPTIONS: [(0, "b", 0), (1, "b", 0), (2, "b", 0), (3, "b", 0)],
    SOFTMAX_OPTIONS: [(0, "f", 0.0)],
    ADD_OPTIONS: [(0, "b", 0), (1, "b", 1)],
    RESHAPE_OPTIONS: [(0, "v", None)],
}
FLAGS = {"b": N.Int8Flags, "i": N.Int32Flags, "f": N.Float32Flags}
TYPE_CODE = {np.dtype(v): k for k, v in NP.items()}


def main():
    src, dst = sys.argv[1], sys.argv[2]
    m = tflite_ref.Model(src)
    raw = bytearray(open(src, "rb").read())
    root = Table(raw, struct.unpack_from("<I", raw, 0)[0])
    raw_ops = table_vector(table_vector(root, 2)[0], 3)
    w = Writer()
    for t in m.tensors:
        w.tensor(t["name"], t["shape"], TYPE_CODE[np.dtype(t["dtype"])],
                 None if t["scale"] is None else [float(s) for s in t["scale"]],
                 None if t["zp"] is None else [int(z) for z in t["zp"]], data=t["data"], qdim=t["qdim"])
    for op, rop in zip(m.ops, raw_ops):
        otype = scalar(rop, 3, N.Uint8Flags, 0)
        opts = []
        if otype:
            if otype not in OPTIONS:
                raise SystemExit(f"{src}: operator {op['name']} with options type {otype}: not supported by make_u8_io.py")
            o = subtable(rop, 4)
            for f, kind, default in OPTIONS[otype]:
                if kind == "v":
                    v = tflite_ref.num_vector(o, f, N.Int32Flags)
                    if v is not None:
                        opts.append((f, "v", [int(x) for x in v]))
                else:
                    opts.append((f, kind, scalar(o, f, FLAGS[kind], default)))
        w.op(op["code"], op["inputs"], op["outputs"], otype, opts)
    assert len(m.inputs) == 1 and len(m.outputs) == 1
    xi, yi = m.tensors[m.inputs[0]], m.tensors[m.outputs[0]]
    assert xi["dtype"] == np.int8 and yi["dtype"] == np.int8, "an int8 model"
    x = w.tensor(xi["name"] + "_uint8", xi["shape"], UINT8, float(xi["scale"][0]), int(xi["zp"][0]) + 128)
    w.op(QUANTIZE, [x], [m.inputs[0]])
    y = w.tensor(yi["name"] + "_uint8", yi["shape"], UINT8, float(yi["scale"][0]), int(yi["zp"][0]) + 128)
    w.op(QUANTIZE, [m.outputs[0]], [y])
    # The input QUANTIZE must run first: move it to the front (operators run in stored order).
    w.ops.insert(0, w.ops.pop(-2))
    open(dst, "wb").write(w.finish([x], [y]))


if __name__ == "__main__":
    main()
