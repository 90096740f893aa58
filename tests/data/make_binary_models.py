#!/usr/bin/python3
"""Writes the small int8 model of the Add / Mul variant test (tests/samples/test_binary_s8.sh).

binary_s8_int8.onnx: QDQ form (int8 activations per tensor with non-zero zero points, int8
symmetric weights, float biases), seeded random weights, exercising every shape the int8 Add / Mul
kernel variants take:
  input [1,3,12,12] -> Conv 3x3 (16) + Relu = t
  -> Conv 1x1 (16) = r -> residual Add(t, r)                      same shape
  -> squeeze-excitation: GlobalAveragePool -> Conv 1x1 (4) + Relu -> Conv 1x1 (16) -> Sigmoid = s
     -> Mul(x, s), s [1,16,1,1]                                    per-channel broadcast (x * s[c])
  -> Add(x, c), c a constant [1,16,1,1]                            per-channel broadcast Add
  -> Mul(x, k), k a constant scalar                                one value for the whole tensor
  -> Add(x, x2) with x2 = Conv 1x1 (16) + Relu of x                same shape, Relu-clamped output
  = output [1,16,12,12] (every element of every Add / Mul reaches it through elementwise ops).
Activation scales include powers of two (exact .5 ties in the rescaled sums).

Also writes binary_s8_input.npy (seeded N(0, 1), one image). Needs only python3-onnx and numpy.
usage: make_binary_models.py [OUT_DIR]  (default: this script's folder)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits = [], []
        self.n = 0

    def name(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    def const(self, base, array):
        nm = self.name(base)
        self.inits.append(numpy_helper.from_array(array, nm))
        return nm

    def node(self, op, inputs, base, **attrs):
        out = self.name(base)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out + "_node", **attrs))
        return out

    def weight(self, shape, gain=2.0):
        fan_in = int(np.prod(shape[1:]))
        return (self.rng.standard_normal(shape) * np.sqrt(gain / fan_in)).astype(np.float32)

    def bias(self, n):
        return (self.rng.standard_normal(n) * 0.1).astype(np.float32)

    def qdq(self, x, scale, zp):
        s = self.const("scale", np.array(scale, dtype=np.float32))
        z = self.const("zp", np.array(zp, dtype=np.int8))
        q = self.node("QuantizeLinear", [x, s, z], "q")
        return self.node("DequantizeLinear", [q, s, z], "dq")

    def qconst(self, array, scale, zp):  # an int8 constant, dequantized
        q = np.clip(np.round(array / scale) + zp, -128, 127).astype(np.int8)
        return self.node("DequantizeLinear", [self.const("cq", q), self.const("cs", np.array(scale, dtype=np.float32)),
                                              self.const("cz", np.array(zp, dtype=np.int8))], "cdq")

    def qweight(self, w):  # int8 symmetric per tensor, dequantized
        scale = float(np.abs(w).max()) / 127.0
        return self.qconst(w, scale, 0)

    def conv(self, x, cin, cout, k, relu):
        y = self.node("Conv", [x, self.qweight(self.weight((cout, cin, k, k))), self.const("b", self.bias(cout))], "conv",
                      kernel_shape=[k, k], pads=[k // 2] * 4)
        return self.node("Relu", [y], "relu") if relu else y


def int8_model():
    b = Builder(7)
    x = b.qdq("input", 0.03125, -3)                       # 2^-5
    t = b.qdq(b.conv(x, 3, 16, 3, True), 0.05, -128)
    r = b.qdq(b.conv(t, 16, 16, 1, False), 0.0625, 5)     # 2^-4
    a = b.qdq(b.node("Add", [t, r], "residual_add"), 0.0625, -10)
    # squeeze-excitation
    g = b.qdq(b.node("GlobalAveragePool", [a], "gap"), 0.03, -20)
    z = b.qdq(b.conv(g, 16, 4, 1, True), 0.04, -128)
    s = b.qdq(b.node("Sigmoid", [b.conv(z, 4, 16, 1, False)], "sigmoid"), 1.0 / 256.0, -128)
    m = b.qdq(b.node("Mul", [a, s], "se_mul"), 0.04, -7)
    c = b.qconst(b.rng.standard_normal((1, 16, 1, 1)).astype(np.float32) * 0.5, 0.02, 3)
    pa = b.qdq(b.node("Add", [m, c], "channel_add"), 0.05, 0)
    k = b.qconst(np.array(0.75, dtype=np.float32), 0.01, -2)
    sm = b.qdq(b.node("Mul", [pa, k], "scalar_mul"), 0.03125, 1)
    x2 = b.qdq(b.conv(sm, 16, 16, 1, True), 0.05, -128)
    b.qdq(b.node("Relu", [b.node("Add", [sm, x2], "relu_add")], "relu"), 0.0625, -100)
    b.nodes[-1].output[0] = "output"
    gr = helper.make_graph(b.nodes, "binary_s8_int8",
                           [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 12, 12])],
                           [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 16, 12, 12])], b.inits)
    return helper.make_model(gr, opset_imports=[helper.make_opsetid("", 13)], producer_name="ferrite-tests")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    m = int8_model()
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, os.path.join(out, "binary_s8_int8.onnx"))
    x = np.random.default_rng(0).standard_normal((1, 3, 12, 12)).astype(np.float32)
    np.save(os.path.join(out, "binary_s8_input.npy"), x)


if __name__ == "__main__":
    main()
