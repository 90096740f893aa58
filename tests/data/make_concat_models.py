#!/usr/bin/python3
"""Writes the small models of the Concat-in-place test (tests/samples/test_concat_in_place.sh).

fire_concat.onnx (float): a SqueezeNet-style network, seeded random weights:
  input [1,3,16,16] -> Conv 3x3 (16) + Relu
  -> fire 1: squeeze Conv 1x1 (8) + Relu -> expand Conv 1x1 (16) + Relu and Conv 3x3 (16) + Relu
     -> Concat (axis 1) [1,32,16,16] -> MaxPool 2x2/2
  -> fire 2: the same at 8x8, and its 1x1 expand output is read again after the Concat by a
     residual Add (Conv 1x1 of the Concat (16) + expand 1x1)
  -> GlobalAveragePool -> Flatten -> Gemm (10).
  The NCHW channel Concats are contiguous slices: their expand convolutions can write into them.

fire_concat_int8.onnx: the QDQ form (ONNX Runtime's static quantizer style: uint8 activations per
tensor, int8 symmetric weights, float biases) of
  input [1,3,16,16] -> Conv 3x3 (8) + Relu -> fire (squeeze 4, expands 8 + 8) -> Concat
  -> GlobalAveragePool -> Flatten -> two Gemm 16->32 + Relu branches -> Concat (axis 1) [1,64]
  -> Gemm (10).
  The fire Concat is an int8 NHWC channel concat (not contiguous: stays a copy); the Gemm branches'
  Concat is contiguous and quantized like its inputs (an identity copy), so its inputs can be
  produced in place.

Also writes fire_concat_input.npy (seeded N(0, 1)). Needs only python3-onnx and python3-numpy.
usage: make_concat_models.py [OUT_DIR]  (default: this script's folder)
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


def conv(b, x, cin, cout, k, relu=True, wrap_w=None):
    w = b.weight((cout, cin, k, k))
    wn = wrap_w(w) if wrap_w else b.const("w", w)
    y = b.node("Conv", [x, wn, b.const("b", b.bias(cout))], "conv", kernel_shape=[k, k], pads=[k // 2] * 4)
    return b.node("Relu", [y], "relu") if relu else y


def float_model():
    b = Builder(1)
    t = conv(b, "input", 3, 16, 3)

    def fire(x, cin, tag):
        s = conv(b, x, cin, 8, 1)
        e1 = conv(b, s, 8, 16, 1)
        e3 = conv(b, s, 8, 16, 3)
        return b.node("Concat", [e1, e3], tag, axis=1), e1

    c1, _ = fire(t, 16, "fire1_concat")
    p = b.node("MaxPool", [c1], "pool", kernel_shape=[2, 2], strides=[2, 2])
    c2, e1 = fire(p, 32, "fire2_concat")
    r = conv(b, c2, 32, 16, 1, relu=False)
    a = b.node("Add", [r, e1], "residual")
    gp = b.node("GlobalAveragePool", [a], "gap")
    f = b.node("Flatten", [gp], "flatten", axis=1)
    y = b.node("Gemm", [f, b.const("fc_w", b.weight((10, 16), 1.0)), b.const("fc_b", b.bias(10))], "fc", transB=1)
    b.nodes[-1].output[0] = "output"
    g = helper.make_graph(b.nodes, "fire_concat",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 16, 16])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 10])], b.inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="ferrite-tests")


RELU_SCALE, RELU_ZP = 0.05, 0        # uint8 ReLU outputs: [0, 12.75]
LINEAR_SCALE, LINEAR_ZP = 0.1, 128   # uint8 linear outputs: [-12.8, 12.7]


def int8_model():
    b = Builder(2)

    def qdq(x, scale, zp):
        s = b.const("scale", np.array(scale, dtype=np.float32))
        z = b.const("zp", np.array(zp, dtype=np.uint8))
        q = b.node("QuantizeLinear", [x, s, z], "q")
        return b.node("DequantizeLinear", [q, s, z], "dq")

    def qweight(w):  # int8 symmetric per tensor, dequantized
        scale = float(np.abs(w).max()) / 127.0
        q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        return b.node("DequantizeLinear", [b.const("wq", q), b.const("ws", np.array(scale, dtype=np.float32)),
                                           b.const("wz", np.array(0, dtype=np.int8))], "wdq")

    def qconv(x, cin, cout, k):
        return qdq(conv(b, x, cin, cout, k, wrap_w=qweight), RELU_SCALE, RELU_ZP)

    def qgemm(x, k, n, relu):
        y = b.node("Gemm", [x, qweight(b.weight((n, k), 2.0 if relu else 1.0)), b.const("b", b.bias(n))], "gemm",
                   transB=1)
        if relu:
            return qdq(b.node("Relu", [y], "relu"), RELU_SCALE, RELU_ZP)
        return qdq(y, LINEAR_SCALE, LINEAR_ZP)

    x = qdq("input", 0.03, 128)
    t = qconv(x, 3, 8, 3)
    s = qconv(t, 8, 4, 1)
    c = qdq(b.node("Concat", [qconv(s, 4, 8, 1), qconv(s, 4, 8, 3)], "fire_concat", axis=1), RELU_SCALE, RELU_ZP)
    gp = qdq(b.node("GlobalAveragePool", [c], "gap"), RELU_SCALE, RELU_ZP)
    f = qdq(b.node("Flatten", [gp], "flatten", axis=1), RELU_SCALE, RELU_ZP)
    fc = qdq(b.node("Concat", [qgemm(f, 16, 32, True), qgemm(f, 16, 32, True)], "fc_concat", axis=1),
             RELU_SCALE, RELU_ZP)
    y = qgemm(fc, 64, 10, False)
    b.nodes[-1].output[0] = "output"
    g = helper.make_graph(b.nodes, "fire_concat_int8",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 16, 16])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 10])], b.inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="ferrite-tests")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, m in (("fire_concat.onnx", float_model()), ("fire_concat_int8.onnx", int8_model())):
        onnx.checker.check_model(m, full_check=True)
        onnx.save(m, os.path.join(out, name))
    x = np.random.default_rng(0).standard_normal((1, 3, 16, 16)).astype(np.float32)
    np.save(os.path.join(out, "fire_concat_input.npy"), x)


if __name__ == "__main__":
    main()
