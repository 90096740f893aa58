#!/usr/bin/python3
"""A small .tflite writer (flatbuffers schema v3) for Ferrite's tests, on python3-flatbuffers' Builder.

Only the fields Ferrite's frontend and scripts/tflite_ref.py read are written (field indices as in
TFLite's schema.fbs: a table field's vtable slot is its index). Usage:

    w = Writer()
    x = w.tensor("x", [1, 4, 4, 8], INT8, scale=0.05, zp=-3)                    # an activation
    c = w.tensor("c", [8], INT8, scale=0.1, zp=0, data=np.arange(8, dtype=np.int8))  # a constant
    y = w.tensor("y", [1, 4, 4, 8], INT8, scale=0.07, zp=5)
    w.op(ADD, [x, c], [y], ADD_OPTIONS, [(0, "b", 1)])   # options: (field, "b"|"i"|"f", value)
    open("m.tflite", "wb").write(w.finish([x], [y]))
"""
import numpy as np
import flatbuffers

FLOAT32, FLOAT16, INT32, UINT8, INT64, INT16, INT8 = 0, 1, 2, 3, 4, 7, 9
NP = {FLOAT32: np.float32, FLOAT16: np.float16, INT32: np.int32, UINT8: np.uint8, INT64: np.int64, INT16: np.int16,
      INT8: np.int8}

# BuiltinOperator codes
ADD, AVERAGE_POOL_2D, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE = 0, 1, 2, 3, 4, 6
FULLY_CONNECTED, LOGISTIC, MAX_POOL_2D, MUL, RELU, RELU_N1_TO_1, RELU6, RESHAPE = 9, 14, 17, 18, 19, 20, 21, 22
SOFTMAX, TANH, PAD, TRANSPOSE, MEAN, SUB, SQUEEZE, STRIDED_SLICE, SPLIT = 25, 28, 34, 39, 40, 41, 43, 45, 49
MAXIMUM, MINIMUM, PADV2, RESIZE_NEAREST_NEIGHBOR, LEAKY_RELU, QUANTIZE, HARD_SWISH = 55, 57, 60, 97, 98, 114, 117
RESIZE_BILINEAR = 23
LOG_SOFTMAX, LOG_SOFTMAX_OPTIONS = 50, 36
CAST, CAST_OPTIONS = 53, 37

# BuiltinOptions union types
CONV2D_OPTIONS, DEPTHWISE_OPTIONS, POOL2D_OPTIONS, FC_OPTIONS, SOFTMAX_OPTIONS = 1, 2, 5, 8, 9
CONCATENATION_OPTIONS, ADD_OPTIONS, RESHAPE_OPTIONS, MUL_OPTIONS, PAD_OPTIONS = 10, 11, 17, 21, 22
TRANSPOSE_OPTIONS, REDUCER_OPTIONS, SUB_OPTIONS, SQUEEZE_OPTIONS, STRIDED_SLICE_OPTIONS = 26, 27, 28, 30, 32
SPLIT_OPTIONS, DEQUANTIZE_OPTIONS, MAXMIN_OPTIONS, PADV2_OPTIONS = 35, 38, 39, 43
RESIZE_BILINEAR_OPTIONS = 15
RESIZE_NN_OPTIONS, LEAKY_RELU_OPTIONS, QUANTIZE_OPTIONS, HARD_SWISH_OPTIONS = 74, 75, 89, 91


class Writer:
    def __init__(self):
        self.tensors = []   # (name, shape, type, buffer index, scale list, zp list, qdim)
        self.buffers = [None]  # buffer 0: the empty sentinel
        self.codes = []
        self.ops = []

    def tensor(self, name, shape, ttype, scale=None, zp=None, data=None, qdim=0, buffer=None):
        """Adds a tensor; returns its index. scale/zp: a number or a list (per channel along qdim).
        buffer: the buffer index of another tensor (buffer_of) to share instead of data."""
        b = 0 if buffer is None else buffer
        if data is not None:
            arr = np.ascontiguousarray(np.asarray(data, dtype=NP[ttype]).reshape(shape))
            self.buffers.append(arr.tobytes())
            b = len(self.buffers) - 1
        sc = None if scale is None else [float(s) for s in np.atleast_1d(scale)]
        z = None if zp is None else [int(v) for v in np.atleast_1d(zp)]
        if sc is not None and z is None:
            z = [0] * len(sc)
        self.tensors.append((name, [int(d) for d in shape], ttype, b, sc, z, qdim))
        return len(self.tensors) - 1

    def buffer_of(self, t):
        return self.tensors[t][3]

    def op(self, code, inputs, outputs, options_type=0, options=()):
        if code not in self.codes:
            self.codes.append(code)
        self.ops.append((self.codes.index(code), list(inputs), list(outputs), options_type, list(options)))

    # -- serialization --
    @staticmethod
    def _ivec(b, vals, kind="i"):
        size = {"i": 4, "q": 8, "f": 4, "B": 1}[kind]
        b.StartVector(size, len(vals), size)
        for v in reversed(vals):
            {"i": b.PrependInt32, "q": b.PrependInt64, "f": b.PrependFloat32, "B": b.PrependUint8}[kind](v)
        return b.EndVector()

    @staticmethod
    def _tvec(b, offs):
        b.StartVector(4, len(offs), 4)
        for o in reversed(offs):
            b.PrependUOffsetTRelative(o)
        return b.EndVector()

    def finish(self, inputs, outputs, version=3):
        b = flatbuffers.Builder(1024)
        # buffers
        buf_offs = []
        for data in self.buffers:
            d = None
            if data is not None:
                b.StartVector(1, len(data), 16)
                for byte in reversed(data):
                    b.PrependUint8(byte)
                d = b.EndVector()
            b.StartObject(3)
            if d is not None:
                b.PrependUOffsetTRelativeSlot(0, d, 0)
            buf_offs.append(b.EndObject())
        # tensors
        t_offs = []
        for name, shape, ttype, buf, sc, z, qdim in self.tensors:
            n = b.CreateString(name)
            s = self._ivec(b, shape)
            q = None
            if sc is not None:
                sv = self._ivec(b, sc, "f")
                zv = self._ivec(b, z, "q")
                b.StartObject(7)
                b.PrependUOffsetTRelativeSlot(2, sv, 0)
                b.PrependUOffsetTRelativeSlot(3, zv, 0)
                b.PrependInt32Slot(6, qdim, 0)
                q = b.EndObject()
            b.StartObject(7)
            b.PrependUOffsetTRelativeSlot(0, s, 0)
            b.PrependInt8Slot(1, ttype, -1)  # always written (FLOAT32 is the default 0)
            b.PrependUint32Slot(2, buf, 0xFFFFFFFF)
            b.PrependUOffsetTRelativeSlot(3, n, 0)
            if q is not None:
                b.PrependUOffsetTRelativeSlot(4, q, 0)
            t_offs.append(b.EndObject())
        # operators
        op_offs = []
        for ci, ins, outs, otype, opts in self.ops:
            iv = self._ivec(b, ins)
            ov = self._ivec(b, outs)
            o = None
            if otype:
                vecs = {f: self._ivec(b, list(v)) for f, k, v in opts if k == "v"}
                nf = max([f for f, _, _ in opts], default=-1) + 1
                b.StartObject(max(nf, 1))
                for f, k, v in opts:
                    if k == "b":
                        b.PrependInt8Slot(f, v, -99)  # never equal to the default: always written
                    elif k == "i":
                        b.PrependInt32Slot(f, v, -(1 << 31) + 7)
                    elif k == "f":
                        b.PrependFloat32Slot(f, v, float("nan"))
                    elif k == "v":
                        b.PrependUOffsetTRelativeSlot(f, vecs[f], 0)
                o = b.EndObject()
            b.StartObject(5)
            b.PrependUint32Slot(0, ci, 0xFFFFFFFF)
            b.PrependUOffsetTRelativeSlot(1, iv, 0)
            b.PrependUOffsetTRelativeSlot(2, ov, 0)
            if o is not None:
                b.PrependUint8Slot(3, otype, 0)
                b.PrependUOffsetTRelativeSlot(4, o, 0)
            op_offs.append(b.EndObject())
        tv = self._tvec(b, t_offs)
        inv = self._ivec(b, inputs)
        outv = self._ivec(b, outputs)
        opv = self._tvec(b, op_offs)
        b.StartObject(5)
        b.PrependUOffsetTRelativeSlot(0, tv, 0)
        b.PrependUOffsetTRelativeSlot(1, inv, 0)
        b.PrependUOffsetTRelativeSlot(2, outv, 0)
        b.PrependUOffsetTRelativeSlot(3, opv, 0)
        sg = b.EndObject()
        # operator codes
        c_offs = []
        for code in self.codes:
            b.StartObject(4)
            b.PrependInt8Slot(0, min(code, 127), -99)
            b.PrependInt32Slot(2, 1, 0)
            b.PrependInt32Slot(3, code, -1)
            c_offs.append(b.EndObject())
        cv = self._tvec(b, c_offs)
        sgv = self._tvec(b, [sg])
        bv = self._tvec(b, buf_offs)
        desc = b.CreateString("ferrite test model")
        b.StartObject(5)
        b.PrependUint32Slot(0, version, 0xFFFFFFFF)
        b.PrependUOffsetTRelativeSlot(1, cv, 0)
        b.PrependUOffsetTRelativeSlot(2, sgv, 0)
        b.PrependUOffsetTRelativeSlot(3, desc, 0)
        b.PrependUOffsetTRelativeSlot(4, bv, 0)
        root = b.EndObject()
        b.Finish(root, file_identifier=b"TFL3")
        return bytes(b.Output())
