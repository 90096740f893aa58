#!/usr/bin/python3
"""Writes the hostile .tflite catalogue for ctest tflite_hostile: each file is a valid model with one
field overwritten in place (located with python3-flatbuffers' Table access), or cut short.

  make_hostile.py MODEL.tflite OUTDIR     -> OUTDIR/<case>.tflite, and OUTDIR/cases.txt:
                                             <case> <text the error message must contain>
"""
import os
import struct
import sys

import numpy as np
from flatbuffers import number_types as N
from flatbuffers.table import Table

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tflite_writer as tw  # noqa: E402


def field_pos(tab, i):
    o = tab.Offset(4 + 2 * i)
    if not o:
        raise SystemExit(f"field {i} absent")
    return tab.Pos + o


def tables(tab, i):
    o = tab.Offset(4 + 2 * i)
    start, n = tab.Vector(o), tab.VectorLen(o)
    return [Table(tab.Bytes, tab.Indirect(start + 4 * k)) for k in range(n)]


def ints(tab, i):
    o = tab.Offset(4 + 2 * i)
    start, n = tab.Vector(o), tab.VectorLen(o)
    return start, [struct.unpack_from("<i", tab.Bytes, start + 4 * k)[0] for k in range(n)]


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    orig = bytearray(open(src, "rb").read())
    cases = []

    def model(buf):
        return Table(buf, struct.unpack_from("<I", buf, 0)[0])

    def emit(name, buf, expect):
        open(os.path.join(out, name + ".tflite"), "wb").write(buf)
        cases.append(f"{name} {expect}")

    emit("truncated", orig[: len(orig) * 6 // 10], "truncated or corrupt")
    emit("truncated_header", orig[:6], "not a TFLite flatbuffer")

    # An operator's input list points far outside the file.
    b = bytearray(orig)
    op1 = tables(tables(model(b), 2)[0], 3)[1]
    struct.pack_into("<I", b, field_pos(op1, 1), 0x7FFFFF00)
    emit("offset_out_of_range", b, "operator 1: truncated or corrupt")

    # The filter of operator 0 names a buffer that does not exist.
    b = bytearray(orig)
    sg = tables(model(b), 2)[0]
    _, ins = ints(tables(sg, 3)[0], 1)
    struct.pack_into("<I", b, field_pos(tables(sg, 0)[ins[1]], 2), 0x00FFFFFF)
    emit("buffer_out_of_range", b, "operator 0 (CONV_2D): tensor")

    # Operator 1 reads a tensor index out of range.
    b = bytearray(orig)
    start, _ = ints(tables(tables(model(b), 2)[0], 3)[1], 1)
    struct.pack_into("<i", b, start, 99999)
    emit("tensor_out_of_range", b, "operator 1 (DEPTHWISE_CONV_2D): tensor index 99999 out of range")

    # Operator code 0 (used by operator 0) becomes an unknown builtin, then a custom operator.
    for name, code, expect in (("unknown_opcode", 126, "operator 0 (builtin code 126)"),
                               ("custom_op", 32, "operator 0 (CUSTOM")):
        b = bytearray(orig)
        oc = tables(model(b), 1)[0]
        struct.pack_into("<b", b, field_pos(oc, 0), code)
        if oc.Offset(4 + 2 * 3):
            struct.pack_into("<i", b, field_pos(oc, 3), code)
        emit(name, b, expect)

    # The output of operator 0 claims a huge shape.
    b = bytearray(orig)
    sg = tables(model(b), 2)[0]
    _, outs = ints(tables(sg, 3)[0], 2)
    start, _ = ints(tables(sg, 0)[outs[0]], 0)
    struct.pack_into("<i", b, start + 4, 1 << 30)
    emit("huge_shape", b, "operator 0 (CONV_2D)")

    # float16 weights (a DEQUANTIZE of a float16 buffer) whose buffer is 2 bytes short of its shape
    # (a small float model written here: the KWS model has no float16 tensor).
    w = tw.Writer()
    x = w.tensor("x", [1, 4], tw.FLOAT32)
    w16 = w.tensor("w16", [3, 4], tw.FLOAT16, data=np.ones([3, 4], np.float16))
    w.buffers[w.buffer_of(w16)] = w.buffers[w.buffer_of(w16)][:-2]
    wf = w.tensor("wf", [3, 4], tw.FLOAT32)
    w.op(tw.DEQUANTIZE, [w16], [wf])
    y = w.tensor("y", [1, 3], tw.FLOAT32)
    w.op(tw.FULLY_CONNECTED, [x, wf], [y], tw.FC_OPTIONS, [(0, "b", 0)])
    emit("float16_buffer_short", bytearray(w.finish([x], [y])),
         "operator 0 (DEQUANTIZE): tensor 'w16': buffer 1 holds 22 bytes, its shape 3x4 needs 24")

    open(os.path.join(out, "cases.txt"), "w").write("\n".join(cases) + "\n")


if __name__ == "__main__":
    main()
