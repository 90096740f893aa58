#!/usr/bin/python3
"""Writes an MCUNet-style int8 QDQ ONNX model (seeded random weights) for speed benchmarks.

Shaped like TinyEngine's mcunet-vww1 (MCUNet's visual-wake-words model: 80x80 input, 2 classes;
this one has 10.9 M MACs and 0.41 M parameters), without claiming to be that network: a
MobileNetV2-like stack of inverted bottlenecks with TinyNAS-style choices, i.e. per block its own
depthwise kernel (3, 5 or 7) and expansion ratio (3, 4 or 6), and no wide final 1x1 conv:

  input 1x3x80x80 (float, NCHW) -> QuantizeLinear (uint8)
  first conv 3x3/2 to 16 channels + ReLU6                                     (40x40)
  block 0: depthwise 3x3 + ReLU6 -> project 1x1 to 8 (no expansion)           (40x40)
  blocks (expansion t, depthwise kernel k, out channels c, stride s), see BLOCKS below:
    [1x1 expand to round(in*t) + ReLU6] -> kxk depthwise (stride s) + ReLU6 -> 1x1 project,
    + residual Add when s == 1 and in == out channels
  global average pool -> flatten -> Linear(last channels, 2) -> DequantizeLinear -> output 1x2

14 inverted bottlenecks after block 0. Quantization as in make_mobilenetv2_int8.py (which this
reuses): ONNX Runtime quantize_static's QDQ format, activations uint8 per tensor (ReLU6 outputs
6/255 zero point 0, linear outputs 0.1 zero point 128, input 0.0187 zero point 114), weights int8
per output channel, symmetric, biases int32. Opset 13. Weights random (He-normal, seeded): it is
meant for instruction counts per layer, not for accuracy.

Needs only python3-onnx and python3-numpy.
usage: make_mcunet_int8.py --out model.onnx [--resolution 80] [--classes 2] [--seed 0]
           [--input-npy input.npy]   (also write a seeded N(0,1) input of the model's shape)
Prints the MACs (convolutions + Linear, as Ferrite counts them) on stderr.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_mobilenetv2_int8 import LINEAR_SCALE, LINEAR_ZP, RELU6_SCALE, RELU6_ZP, Builder  # noqa: E402

FIRST_CHANNELS = 16
BLOCK0_CHANNELS = 8
BLOCKS = [
    # t, k, c, s      input -> output spatial size at 80x80
    (3, 7, 16, 2),   # 40 -> 20
    (4, 3, 16, 1),   # 20
    (6, 7, 24, 2),   # 20 -> 10
    (4, 5, 24, 1),   # 10
    (3, 3, 24, 1),   # 10
    (6, 7, 40, 2),   # 10 -> 5
    (4, 5, 40, 1),   # 5
    (3, 3, 40, 1),   # 5
    (6, 5, 48, 1),   # 5
    (4, 3, 48, 1),   # 5
    (6, 7, 96, 2),   # 5 -> 3
    (4, 5, 96, 1),   # 3
    (3, 3, 96, 1),   # 3
    (4, 3, 128, 1),  # 3
]


def conv_out(size, k, s):
    pad = (k - 1) // 2
    return (size + 2 * pad - k) // s + 1


def build(resolution, classes, seed):
    B = Builder(seed)
    macs = 0
    size = resolution

    def conv(x, cin, cout, k, s, groups, path, relu6):
        nonlocal macs, size
        out = conv_out(size, k, s)
        macs += out * out * cout * (cin // groups) * k * k
        size = out
        return B.conv(x, cin, cout, k, s, groups, f"{path}/Conv", path.strip("/").replace("/", "."), relu6,
                      f"{path}/Clip" if relu6 else None)

    x = B.q_dq("input", 0.0187, 114)
    x = conv(x, 3, FIRST_CHANNELS, 3, 2, 1, "/first_conv", True)
    x = conv(x, FIRST_CHANNELS, FIRST_CHANNELS, 3, 1, FIRST_CHANNELS, "/blocks.0/depthwise", True)
    x = conv(x, FIRST_CHANNELS, BLOCK0_CHANNELS, 1, 1, 1, "/blocks.0/project", False)
    cin = BLOCK0_CHANNELS
    for i, (t, k, c, s) in enumerate(BLOCKS, start=1):
        hidden = int(round(cin * t))
        block_in = x
        h = conv(x, cin, hidden, 1, 1, 1, f"/blocks.{i}/expand", True)
        h = conv(h, hidden, hidden, k, s, hidden, f"/blocks.{i}/depthwise{k}x{k}", True)
        h = conv(h, hidden, c, 1, 1, 1, f"/blocks.{i}/project", False)
        if s == 1 and cin == c:
            name = f"/blocks.{i}/Add"
            B.nodes.append(helper.make_node("Add", [block_in, h], [f"{name}_output_0"], name=name))
            h = B.q_dq(f"{name}_output_0", LINEAR_SCALE, LINEAR_ZP)
        x = h
        cin = c

    B.nodes.append(helper.make_node("GlobalAveragePool", [x], ["/GlobalAveragePool_output_0"],
                                    name="/GlobalAveragePool"))
    x = B.q_dq("/GlobalAveragePool_output_0", RELU6_SCALE, RELU6_ZP)
    B.nodes.append(helper.make_node("Flatten", [x], ["/Flatten_output_0"], name="/Flatten", axis=1))
    x = B.q_dq("/Flatten_output_0", RELU6_SCALE, RELU6_ZP)
    w = B.rng.normal(0.0, 0.05, size=(classes, cin)).astype(np.float32)
    b = np.zeros(classes, dtype=np.float32)
    wd, bd = B.weight_dq("classifier", w, b, B.qparams[x][0])
    B.nodes.append(helper.make_node("Gemm", [x, wd, bd], ["output_float"], name="/classifier/Gemm",
                                    alpha=1.0, beta=1.0, transB=1))
    macs += cin * classes
    s_ = B.const("output_scale", np.array(LINEAR_SCALE, dtype=np.float32))
    z_ = B.const("output_zero_point", np.array(LINEAR_ZP, dtype=np.uint8))
    B.nodes.append(helper.make_node("QuantizeLinear", ["output_float", s_, z_], ["output_quantized"],
                                    name="output_QuantizeLinear"))
    B.nodes.append(helper.make_node("DequantizeLinear", ["output_quantized", s_, z_], ["output"],
                                    name="output_DequantizeLinear"))
    graph = helper.make_graph(
        B.nodes, f"mcunet_style_{resolution}_int8",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, resolution, resolution])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, classes])],
        B.inits)
    model = helper.make_model(graph, producer_name="ferrite make_mcunet_int8.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    return model, macs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output .onnx file")
    ap.add_argument("--resolution", type=int, default=80, help="input height = width (default 80)")
    ap.add_argument("--classes", type=int, default=2, help="classifier outputs (default 2)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--input-npy", help="also write a seeded N(0, 1) input of shape 1x3xRxR here")
    args = ap.parse_args()
    model, macs = build(args.resolution, args.classes, args.seed)
    onnx.checker.check_model(model)
    onnx.save(model, args.out)
    if args.input_npy:
        rng = np.random.default_rng(args.seed + 1)
        np.save(args.input_npy, rng.standard_normal((1, 3, args.resolution, args.resolution)).astype(np.float32))
    counts = {}
    for n in model.graph.node:
        counts[n.op_type] = counts.get(n.op_type, 0) + 1
    print(f"{args.out}: MCUNet-style int8 {args.resolution}x{args.resolution}, {len(BLOCKS)} + 1 blocks, "
          f"{macs} MACs, {os.path.getsize(args.out)} bytes, ops {dict(sorted(counts.items()))}", file=sys.stderr)


if __name__ == "__main__":
    main()
