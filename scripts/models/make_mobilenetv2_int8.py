#!/usr/bin/python3
"""Writes a MobileNetV2 as a QDQ int8 ONNX model (seeded random weights), for memory benchmarks.

The architecture is torchvision's (torchvision/models/mobilenetv2.py, v0.14):
  first conv 3x3/2 to _make_divisible(32*w, 8) channels + ReLU6,
  inverted residual blocks (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1)
  (6,160,3,2) (6,320,1,1), out channels _make_divisible(c*w, 8), hidden = round(in*t),
  [1x1 expand + ReLU6 when t != 1] -> 3x3 depthwise (stride s on the first block of a stage) + ReLU6
  -> 1x1 project (no activation), residual Add when stride 1 and in == out channels,
  last 1x1 conv to _make_divisible(1280*max(1, w), 8) + ReLU6, global average pool, flatten,
  Linear(last, classes). BatchNorm is folded into the convs (as an ONNX export does).

The quantized form mimics ONNX Runtime's static QDQ quantizer (quantize_static, QuantFormat.QDQ),
which is what samples/mobilenetv2_035_96_int8/model.onnx is:
  float input -> QuantizeLinear (uint8) -> DequantizeLinear -> Conv -> [Clip(0, 6)] -> QuantizeLinear
  -> DequantizeLinear -> ...; weights int8 per output channel, symmetric (zero point 0, [-127, 127]),
  DequantizeLinear axis 0; biases int32 with scale input_scale * weight_scale; activations uint8 per
  tensor; Add, GlobalAveragePool, Flatten and Gemm each get a Q/DQ pair on their output; the graph
  output is the DequantizeLinear of the last QuantizeLinear. Opset 13.

Weights are random (He-normal, seeded), so the model computes nothing useful: it is meant for the
memory planner (arena, lower bound, patches), not for accuracy. Activation scales are fixed:
ReLU6 outputs 6/255 with zero point 0, linear outputs (project convs, Add, Gemm) 0.1 with zero
point 128, the input 0.0187 with zero point 114 (a normalized image). Project convs use gain 1
instead of He's 2, so the residual sums stay well inside [-12.8, 12.7] (no BatchNorm to rein
them in): with N(0, 1) inputs no QuantizeLinear after a conv or Add saturates.

Needs only python3-onnx and python3-numpy (no torch).
usage: make_mobilenetv2_int8.py --width 0.35 --resolution 96 --out model.onnx [--classes 1000] [--seed 0]
"""
import argparse
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INVERTED_RESIDUAL_SETTING = [
    # t, c, n, s
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]

RELU6_SCALE, RELU6_ZP = 6.0 / 255.0, 0
LINEAR_SCALE, LINEAR_ZP = 0.1, 128
INPUT_SCALE, INPUT_ZP = 0.0187, 114


def make_divisible(v, divisor=8, min_value=None):
    """torchvision's _make_divisible."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:  # do not round down by more than 10%
        new_v += divisor
    return new_v


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.inits = []
        self.qparams = {}  # tensor name (float) -> (scale, zero point)

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(array, name))
        return name

    def q_dq(self, x, scale, zp):
        """Q then DQ of float tensor x (uint8, per tensor). Returns the dequantized name."""
        s = self.const(f"{x}_scale", np.array(scale, dtype=np.float32))
        z = self.const(f"{x}_zero_point", np.array(zp, dtype=np.uint8))
        self.nodes.append(helper.make_node("QuantizeLinear", [x, s, z], [f"{x}_quantized"],
                                           name=f"{x}_QuantizeLinear"))
        self.nodes.append(helper.make_node("DequantizeLinear", [f"{x}_quantized", s, z], [f"{x}_dequantized"],
                                           name=f"{x}_DequantizeLinear"))
        self.qparams[f"{x}_dequantized"] = (scale, zp)
        return f"{x}_dequantized"

    def weight_dq(self, prefix, w, b, x_scale):
        """int8 per-channel symmetric weight and int32 bias, each behind a DequantizeLinear (axis 0)."""
        absmax = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
        w_scale = (np.maximum(absmax, 1e-8) / 127.0).astype(np.float32)
        wq = np.clip(np.rint(w / w_scale.reshape((-1,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int8)
        b_scale = (np.float32(x_scale) * w_scale).astype(np.float32)
        bq = np.clip(np.rint(b / b_scale), -2**31, 2**31 - 1).astype(np.int32)
        names = []
        for kind, q, s, zdt in (("weight", wq, w_scale, np.int8), ("bias", bq, b_scale, np.int32)):
            base = f"{prefix}.{kind}"
            self.const(f"{base}_quantized", q)
            self.const(f"{base}_scale", s)
            self.const(f"{base}_zero_point", np.zeros(q.shape[0], dtype=zdt))
            self.nodes.append(helper.make_node(
                "DequantizeLinear", [f"{base}_quantized", f"{base}_scale", f"{base}_zero_point"],
                [f"{base}_dequantized"], name=f"{base}_DequantizeLinear", axis=0))
            names.append(f"{base}_dequantized")
        return names

    def conv(self, x, cin, cout, k, stride, groups, node_path, param_prefix, relu6, act_path=None):
        """Conv (+ Clip(0, 6)) + Q/DQ. node_path: ONNX node name of the Conv, e.g.
        /features/features.0/features.0.0/Conv; act_path: name of the Clip node."""
        fan_in = cin // groups * k * k
        w = self.rng.normal(0.0, np.sqrt((2.0 if relu6 else 1.0) / fan_in), size=(cout, cin // groups, k, k)).astype(np.float32)
        b = self.rng.normal(0.0, 0.05, size=(cout,)).astype(np.float32)
        wd, bd = self.weight_dq(param_prefix, w, b, self.qparams[x][0])
        pad = (k - 1) // 2
        y = f"{node_path}_output_0"
        self.nodes.append(helper.make_node(
            "Conv", [x, wd, bd], [y], name=node_path, dilations=[1, 1], group=groups,
            kernel_shape=[k, k], pads=[pad] * 4, strides=[stride, stride]))
        if relu6:
            lo = self.const(f"{act_path}_output_0_min", np.array(0.0, dtype=np.float32))
            hi = self.const(f"{act_path}_output_0_max", np.array(6.0, dtype=np.float32))
            self.nodes.append(helper.make_node("Clip", [y, lo, hi], [f"{act_path}_output_0"], name=act_path))
            return self.q_dq(f"{act_path}_output_0", RELU6_SCALE, RELU6_ZP)
        return self.q_dq(y, LINEAR_SCALE, LINEAR_ZP)


def build(width, resolution, classes, seed):
    B = Builder(seed)
    input_channel = make_divisible(32 * width)
    last_channel = make_divisible(1280 * max(1.0, width))

    x = B.q_dq("input", INPUT_SCALE, INPUT_ZP)
    # Keep the names of the sample (input_quantized / input_dequantized come from q_dq).
    f = "/features/features.0"
    x = B.conv(x, 3, input_channel, 3, 2, 1, f"{f}/features.0.0/Conv", "features.0.0", True,
               f"{f}/features.0.2/Clip")
    idx = 1
    for t, c, n, s in INVERTED_RESIDUAL_SETTING:
        out_channel = make_divisible(c * width)
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = int(round(input_channel * t))
            f = f"/features/features.{idx}/conv"
            p = f"features.{idx}.conv"
            block_in = x
            h = x
            j = 0
            if t != 1:
                h = B.conv(h, input_channel, hidden, 1, 1, 1, f"{f}/conv.{j}/conv.{j}.0/Conv", f"{p}.{j}.0", True,
                           f"{f}/conv.{j}/conv.{j}.2/Clip")
                j += 1
            h = B.conv(h, hidden, hidden, 3, stride, hidden, f"{f}/conv.{j}/conv.{j}.0/Conv", f"{p}.{j}.0", True,
                       f"{f}/conv.{j}/conv.{j}.2/Clip")
            j += 1
            h = B.conv(h, hidden, out_channel, 1, 1, 1, f"{f}/conv.{j}/Conv", f"{p}.{j}", False)
            if stride == 1 and input_channel == out_channel:
                name = f"/features/features.{idx}/Add"
                B.nodes.append(helper.make_node("Add", [block_in, h], [f"{name}_output_0"], name=name))
                h = B.q_dq(f"{name}_output_0", LINEAR_SCALE, LINEAR_ZP)
            x = h
            input_channel = out_channel
            idx += 1
    f = f"/features/features.{idx}"
    x = B.conv(x, input_channel, last_channel, 1, 1, 1, f"{f}/features.{idx}.0/Conv", f"features.{idx}.0", True,
               f"{f}/features.{idx}.2/Clip")

    B.nodes.append(helper.make_node("GlobalAveragePool", [x], ["/GlobalAveragePool_output_0"],
                                    name="/GlobalAveragePool"))
    x = B.q_dq("/GlobalAveragePool_output_0", RELU6_SCALE, RELU6_ZP)
    B.nodes.append(helper.make_node("Flatten", [x], ["/Flatten_output_0"], name="/Flatten", axis=1))
    x = B.q_dq("/Flatten_output_0", RELU6_SCALE, RELU6_ZP)
    w = B.rng.normal(0.0, 0.01, size=(classes, last_channel)).astype(np.float32)  # torchvision's init
    b = np.zeros(classes, dtype=np.float32)
    wd, bd = B.weight_dq("classifier.1", w, b, B.qparams[x][0])
    B.nodes.append(helper.make_node("Gemm", [x, wd, bd], ["output_float"], name="/classifier/classifier.1/Gemm",
                                    alpha=1.0, beta=1.0, transB=1))
    s = B.const("output_scale", np.array(LINEAR_SCALE, dtype=np.float32))
    z = B.const("output_zero_point", np.array(LINEAR_ZP, dtype=np.uint8))
    B.nodes.append(helper.make_node("QuantizeLinear", ["output_float", s, z], ["output_quantized"],
                                    name="output_QuantizeLinear"))
    B.nodes.append(helper.make_node("DequantizeLinear", ["output_quantized", s, z], ["output"],
                                    name="output_DequantizeLinear"))

    graph = helper.make_graph(
        B.nodes, f"mobilenetv2_{width}_{resolution}_int8",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, resolution, resolution])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, classes])],
        B.inits)
    model = helper.make_model(graph, producer_name="ferrite make_mobilenetv2_int8.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--width", type=float, required=True, help="width multiplier, e.g. 1.0 or 0.35")
    ap.add_argument("--resolution", type=int, required=True, help="input height = width, e.g. 224")
    ap.add_argument("--out", required=True, help="output .onnx file")
    ap.add_argument("--classes", type=int, default=1000, help="classifier outputs (default 1000)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    model = build(args.width, args.resolution, args.classes, args.seed)
    onnx.checker.check_model(model)
    onnx.save(model, args.out)
    counts = {}
    for n in model.graph.node:
        counts[n.op_type] = counts.get(n.op_type, 0) + 1
    print(f"{args.out}: MobileNetV2 width {args.width} {args.resolution}x{args.resolution}, "
          f"{args.classes} classes, ops {dict(sorted(counts.items()))}", file=sys.stderr)


if __name__ == "__main__":
    main()
