#!/usr/bin/python3
"""Small QDQ models, one per pattern that real int8 models put between DequantizeLinear and
QuantizeLinear (issue 10 item 4): squeeze-excitation chains, ReduceMean, HardSigmoid, Sigmoid,
HardSwish, a channel-broadcast Mul, Resize (nearest, bilinear), Pad, Transpose, Concat with
differing scales, ConvTranspose (2x2 s2, 3x3 s2 with output_padding, groups, dilations,
per-tensor weights with a float bias and a Relu, 136 input channels). Each model is float in, float out:
    x -> QuantizeLinear -> DequantizeLinear -> <pattern> -> QuantizeLinear -> DequantizeLinear -> y
so that ONNX Runtime and Ferrite are compared on the dequantized int8 output (equal floats iff
equal int8 values). Every pattern is written with uint8 and with int8 activations (weights int8,
per output channel, zero point 0, as ONNX Runtime's quantizer and PyTorch write them). Scales, zero
points, weights and inputs are random (seeded).

  /usr/bin/python3 scripts/models/make_int8_patterns.py [--out DIR] [--n N]

Writes into tests/data/int8_patterns/ (or DIR):
  <name>.onnx, <name>_input.npy (float32 [N, 1, C, H, W], for `ferrite run --dataset`),
  manifest.json (per model: input shape, the pattern, the dtype)
Then scripts/models/int8_patterns_refs.sh runs ONNX Runtime (onnxruntime-node 1.30, CPU,
graph optimizations 'all') on them: <name>_ort.npy, and ort_fused.json (the op types left in
ORT's optimized graph: which patterns ORT fuses into an integer kernel).
"""
import argparse
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPSET = 17


class B:
    """Builds one QDQ graph."""

    def __init__(self, name, rng, act_dtype):
        self.name = name
        self.rng = rng
        self.u8 = act_dtype == "uint8"
        self.nodes = []
        self.inits = []
        self.k = 0

    def uid(self, p):
        self.k += 1
        return f"{p}_{self.k}"

    def const(self, arr, p="c"):
        n = self.uid(p)
        self.inits.append(numpy_helper.from_array(arr, n))
        return n

    def node(self, op, inputs, n_out=1, **attrs):
        outs = [self.uid(op.lower()) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=self.uid(op), **attrs))
        return outs[0] if n_out == 1 else outs

    def qparams(self, lo, hi):
        """A scale/zero point covering about [lo, hi] (randomly widened), like a calibrator's."""
        lo = min(lo, 0.0) * self.rng.uniform(0.7, 1.3)
        hi = max(hi, 0.0) * self.rng.uniform(0.7, 1.3)
        if hi - lo < 1e-3:
            hi = lo + 1e-3
        s = np.float32((hi - lo) / 255.0)
        z = int(np.clip(round(-lo / float(s)), 0, 255))
        if self.u8:
            return s, np.uint8(z)
        return s, np.int8(z - 128)

    def q(self, x, s, z):
        zt = np.array(z, dtype=np.uint8 if self.u8 else np.int8)
        return self.node("QuantizeLinear", [x, self.const(np.array(s, np.float32), "s"), self.const(zt, "z")])

    def dq(self, xq, s, z):
        zt = np.array(z, dtype=np.uint8 if self.u8 else np.int8)
        return self.node("DequantizeLinear", [xq, self.const(np.array(s, np.float32), "s"), self.const(zt, "z")])

    def qdq(self, x, lo, hi):
        s, z = self.qparams(lo, hi)
        return self.dq(self.q(x, s, z), s, z)

    def conv(self, x, x_scale, cin, cout, k=1, group=1, transpose=False, stride=1, pads=None, output_padding=None,
             dilations=None, bias="int32", per_tensor=False):
        """DQ(int8 weights, per output channel or per tensor) -> Conv/ConvTranspose with an int32 bias (DQ), a
        float bias constant (bias="float") or none (bias=None). ConvTranspose weights are [cin, cout/group, k, k]
        with their scales on axis 1 (cout/group of them), as ONNX Runtime's quantizer writes them."""
        if transpose:
            w = self.rng.normal(0, 0.5, size=(cin, cout // group, k, k)).astype(np.float32)
            ch_axis = 1
        else:
            w = self.rng.normal(0, 0.5, size=(cout, cin // group, k, k)).astype(np.float32)
            ch_axis = 0
        red = tuple(a for a in range(4) if a != ch_axis)
        ws = (np.abs(w).max(axis=red) / 127.0).astype(np.float32)
        if per_tensor:
            ws = np.array(ws.max(), np.float32)
        shp = [1, 1, 1, 1]
        shp[ch_axis] = -1
        wq = np.clip(np.round(w / ws.reshape(shp if ws.ndim else [])), -127, 127).astype(np.int8)
        wd = self.node("DequantizeLinear", [self.const(wq, "w"), self.const(ws, "ws"),
                                            self.const(np.zeros(ws.shape, np.int8), "wz")],
                       **({} if per_tensor else {"axis": ch_axis}))
        inputs = [x, wd]
        # The bias scale of output channel c: x_scale * w_scale[c] (ConvTranspose: w_scale[c % (cout/group)]).
        wsc = np.broadcast_to(ws, (cout // group if transpose else cout,))
        bscale = (np.float32(x_scale) * (np.tile(wsc, group) if transpose else wsc)).astype(np.float32)
        bq = self.rng.integers(-200, 200, size=cout).astype(np.int32)
        if bias == "int32":
            inputs.append(self.node("DequantizeLinear", [self.const(bq, "b"), self.const(bscale, "bs"),
                                                         self.const(np.zeros(cout, np.int32), "bz")], axis=0))
        elif bias == "float":
            inputs.append(self.const((bq * bscale).astype(np.float32), "bf"))
        attrs = {"kernel_shape": [k, k], "strides": [stride, stride], "group": group}
        if pads is not None:
            attrs["pads"] = pads
        if output_padding is not None:
            attrs["output_padding"] = output_padding
        if dilations is not None:
            attrs["dilations"] = dilations
        return self.node("ConvTranspose" if transpose else "Conv", inputs, **attrs)

    def model(self, x_shape, y, opset=OPSET):
        assert self.nodes[-1].output[0] == y
        self.nodes[-1].output[0] = y = "y"
        g = helper.make_graph(self.nodes, self.name,
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info(y, TensorProto.FLOAT, None)], self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="make_int8_patterns")
        m.ir_version = 8
        m = onnx.shape_inference.infer_shapes(m)
        vi = {v.name: v for v in m.graph.value_info}
        if y in vi:
            m.graph.output[0].CopyFrom(vi[y])
        onnx.checker.check_model(m)
        return m


def scale_of(b):
    """The scale of the last DequantizeLinear built (for bias scales)."""
    for init in reversed(b.inits):
        if init.name.startswith("s_"):
            return float(numpy_helper.to_array(init))
    raise ValueError


def se_block(b, x, c, r, gate, pool):
    """x (dequantized) * gate(conv(relu(conv(mean_hw(x))))) with QDQ around every op."""
    if pool == "reducemean":
        m = b.node("ReduceMean", [x], axes=[2, 3], keepdims=1)
    else:
        m = b.node("GlobalAveragePool", [x])
    m = b.qdq(m, -1.0, 1.5)
    h = b.conv(m, scale_of(b), c, r)
    h = b.node("Relu", [h])
    h = b.qdq(h, 0.0, 3.0)
    h = b.conv(h, scale_of(b), r, c)
    h = b.qdq(h, -4.0, 4.0)
    if gate == "hardsigmoid":
        h = b.node("HardSigmoid", [h], alpha=1.0 / 6.0, beta=0.5)
    else:
        h = b.node("Sigmoid", [h])
    h = b.qdq(h, 0.0, 1.0)
    return b.node("Mul", [x, h])


def build(name, pattern, rng, dt):
    b = B(name, rng, dt)
    C, H, W = (6, 7, 7) if pattern.endswith("_7x7") else (136, 3, 3) if pattern.endswith("_wide") else (8, 6, 6)
    shape = [1, C, H, W]
    x = b.qdq("x", -2.0, 2.0)
    if pattern in ("se_hsig_reducemean", "se_hsig_reducemean_7x7"):
        y = se_block(b, x, C, 4, "hardsigmoid", "reducemean")
    elif pattern == "se_sig_gap":
        y = se_block(b, x, C, 4, "sigmoid", "gap")
    elif pattern in ("reducemean_hw", "reducemean_hw_7x7"):
        y = b.node("ReduceMean", [x], axes=[2, 3], keepdims=1)
    elif pattern == "reducemean_hw_nokeep":
        y = b.node("ReduceMean", [x], axes=[-2, -1], keepdims=0)
    elif pattern == "reducemean_c":
        y = b.node("ReduceMean", [x], axes=[1], keepdims=1)
    elif pattern == "hardsigmoid":
        y = b.node("HardSigmoid", [x], alpha=1.0 / 6.0, beta=0.5)
    elif pattern == "hardsigmoid_default":
        y = b.node("HardSigmoid", [x])
    elif pattern == "sigmoid":
        y = b.node("Sigmoid", [x])
    elif pattern == "hardswish":
        y = b.node("HardSwish", [x])
    elif pattern == "mul_channel":
        g = b.node("ReduceMean", [x], axes=[2, 3], keepdims=1)
        g = b.qdq(g, -0.5, 1.0)
        y = b.node("Mul", [x, g])
    elif pattern == "mul_same":
        g = b.node("HardSigmoid", [x], alpha=1.0 / 6.0, beta=0.5)
        g = b.qdq(g, 0.0, 1.0)
        y = b.node("Mul", [x, g])
    elif pattern.startswith("resize_"):
        mode, ctm, nm, sc = {
            "resize_nearest": ("nearest", "asymmetric", "floor", [1, 1, 2, 2]),
            "resize_nearest_hp": ("nearest", "half_pixel", "round_prefer_floor", [1, 1, 1.5, 1.5]),
            "resize_bilinear": ("linear", "half_pixel", None, [1, 1, 2, 2]),
            "resize_bilinear_ac": ("linear", "align_corners", None, [1, 1, 2, 2]),
            "resize_bilinear_pt": ("linear", "pytorch_half_pixel", None, [1, 1, 1.5, 1.5]),
        }[pattern]
        attrs = {"mode": mode, "coordinate_transformation_mode": ctm}
        if nm:
            attrs["nearest_mode"] = nm
        y = b.node("Resize", [x, "", b.const(np.array(sc, np.float32), "scales")], **attrs)
        # Resize passes the quantization through: the Q after it has the input's scale/zero point.
        sx = b.nodes[0].input[1]
        zx = b.nodes[0].input[2]
        yq = b.node("QuantizeLinear", [y, sx, zx])
        y = b.node("DequantizeLinear", [yq, sx, zx])
        return b.model(shape, y)
    elif pattern == "pad":
        y = b.node("Pad", [x, b.const(np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64), "pads"),
                           b.const(np.array(0.0, np.float32), "pv")], mode="constant")
    elif pattern == "transpose":
        y = b.node("Transpose", [x], perm=[0, 2, 3, 1])
    elif pattern == "concat_scales":
        a = b.node("HardSigmoid", [x], alpha=1.0 / 6.0, beta=0.5)
        a = b.qdq(a, 0.0, 1.0)
        c = b.node("Relu", [x])
        c = b.qdq(c, 0.0, 2.5)
        y = b.node("Concat", [x, a, c], axis=1)
    elif pattern in ("conv_se_reducemean", "conv_se_gap"):
        # A squeeze-excitation after a convolution (ORT's layout transformer makes the conv NHWC).
        h = b.conv(x, scale_of(b), C, C, k=3, pads=[1, 1, 1, 1])
        h = b.qdq(h, -3.0, 3.0)
        y = se_block(b, h, C, 4, "hardsigmoid", "reducemean" if pattern == "conv_se_reducemean" else "gap")
    elif pattern == "gap":
        y = b.node("GlobalAveragePool", [x])
    elif pattern == "add_same":
        g = b.node("HardSigmoid", [x], alpha=1.0 / 6.0, beta=0.5)
        g = b.qdq(g, 0.0, 1.0)
        y = b.node("Add", [x, g])
    elif pattern == "conv_transpose":  # U-Net up-sampling: 2x2, stride 2
        y = b.conv(x, scale_of(b), C, 4, k=2, transpose=True, stride=2)
    elif pattern == "conv_transpose_k3s2p1op1":  # 3x3, stride 2, pads 1, output_padding 1 (exact 2x)
        y = b.conv(x, scale_of(b), C, 6, k=3, transpose=True, stride=2, pads=[1, 1, 1, 1], output_padding=[1, 1])
    elif pattern == "conv_transpose_group":  # 2 groups, 3x3, stride 2, pads 1
        y = b.conv(x, scale_of(b), C, 8, k=3, group=2, transpose=True, stride=2, pads=[1, 1, 1, 1])
    elif pattern == "conv_transpose_dil":  # dilations 2, stride 1, asymmetric pads, no bias
        y = b.conv(x, scale_of(b), C, 4, k=3, transpose=True, stride=1, pads=[2, 1, 1, 2], dilations=[2, 2], bias=None)
    elif pattern == "conv_transpose_k4s2_relu":  # 4x4, stride 2, pads 1, per-tensor weights, float bias, Relu
        y = b.conv(x, scale_of(b), C, 4, k=4, transpose=True, stride=2, pads=[1, 1, 1, 1], bias="float", per_tensor=True)
        y = b.node("Relu", [y])
    elif pattern == "conv_transpose_wide":  # 136 input channels: MLAS sums the first 128, then the rest
        y = b.conv(x, scale_of(b), C, 4, k=2, transpose=True, stride=2)
    else:
        raise ValueError(pattern)
    y = b.qdq(y, -2.0, 2.0)
    return b.model(shape, y)


PATTERNS = ["se_hsig_reducemean", "se_sig_gap", "reducemean_hw", "reducemean_hw_nokeep", "reducemean_c",
            "hardsigmoid", "hardsigmoid_default", "sigmoid", "hardswish", "mul_channel", "mul_same",
            "resize_nearest", "resize_nearest_hp", "resize_bilinear", "resize_bilinear_ac", "resize_bilinear_pt",
            "pad", "transpose", "concat_scales", "conv_transpose", "gap", "add_same",
            "reducemean_hw_7x7", "se_hsig_reducemean_7x7", "conv_se_reducemean", "conv_se_gap",
            "conv_transpose_k3s2p1op1", "conv_transpose_group", "conv_transpose_dil", "conv_transpose_k4s2_relu",
            "conv_transpose_wide"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "int8_patterns"))
    ap.add_argument("--n", type=int, default=8)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    manifest = {}
    for pi, pattern in enumerate(PATTERNS):
        for di, dt in enumerate(["uint8", "int8"]):
            name = f"{pattern}_{'u8' if dt == 'uint8' else 's8'}"
            rng = np.random.default_rng(1000 + 10 * pi + di)
            m = build(name, pattern, rng, dt)
            onnx.save(m, os.path.join(a.out, name + ".onnx"))
            shape = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
            # Inputs: mostly in range, some beyond (saturation), a few exact ties of the input scale.
            x = rng.normal(0, 1.0, size=[a.n] + shape).astype(np.float32)
            x[: a.n // 4] *= 3.0  # the first quarter saturates more often
            np.save(os.path.join(a.out, name + "_input.npy"), x)
            manifest[name] = {"pattern": pattern, "dtype": dt, "input_shape": shape}
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(manifest)} models in {a.out}")


if __name__ == "__main__":
    main()
