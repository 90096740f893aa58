#!/usr/bin/python3
"""Small ONNX models of opsets 18 to 23 for the opset rewrite (compiler/frontend/onnx_opset.cpp).

Built node by node with onnx.helper (Debian's python3-onnx 1.12 does not know these opsets: its
checker is not called). Writes into tests/data/opset/:
  <case>.onnx, <case>_input.npy      every case
  manifest.json                      case -> {opset, expect: "ok"|"refuse", ...}
Cases expected to compile get ONNX Runtime references from scripts/models/opset_reference.mjs
(<case>_ref.npy); refused cases list a regular expression the error message must match.

usage: /usr/bin/python3 scripts/models/make_opset_models.py  (then: node scripts/models/opset_reference.mjs)
"""
import json
import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "data", "opset")
rng = np.random.default_rng(18)

F = TensorProto.FLOAT
cases = {}


def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def raw_init(name, data_type, dims, raw):
    """An initializer of a type onnx 1.12 cannot make from numpy (float8, int4, ...)."""
    t = TensorProto()
    t.name, t.data_type = name, data_type
    t.dims.extend(dims)
    t.raw_data = raw
    return t


def save(name, opset, nodes, inits, x_shape, y_shape, y_type=F, expect="ok", error=None, int8=False, x=None,
         ir_version=None):
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", F, x_shape)],
                          [helper.make_tensor_value_info("y", y_type, y_shape)], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="make_opset_models")
    # The IR version that goes with the opset (ONNX Runtime checks it against the opset).
    m.ir_version = ir_version or {18: 8, 19: 9, 20: 9, 21: 10, 22: 10, 23: 11, 24: 11}[opset]
    with open(os.path.join(OUT, f"{name}.onnx"), "wb") as f:
        f.write(m.SerializeToString())
    if x is None:
        x = rng.standard_normal(x_shape).astype(np.float32)
    np.save(os.path.join(OUT, f"{name}_input.npy"), x)
    c = {"opset": opset, "expect": expect}
    if error:
        c["error"] = error
    if int8:
        c["int8"] = True
    cases[name] = c


def reduce_cases():
    for opset in (18, 23):
        save(f"reducemean_axes_op{opset}", opset,
             [helper.make_node("ReduceMean", ["x", "axes"], ["y"], name="rm", keepdims=1)],
             [init("axes", np.array([2, 3], np.int64))], [1, 3, 4, 5], [1, 3, 1, 1])
    # Axes from a Constant node, negative, keepdims 0.
    save("reducemean_constnode_op18", 18,
         [helper.make_node("Constant", [], ["axes"], name="axes_c", value=init("v", np.array([-1], np.int64))),
          helper.make_node("ReduceMean", ["x", "axes"], ["y"], name="rm", keepdims=0)], [], [1, 3, 4, 5], [1, 3, 4])
    # No axes: everything is reduced.
    save("reducemean_all_op18", 18, [helper.make_node("ReduceMean", ["x"], ["y"], name="rm", keepdims=1)], [],
         [1, 3, 4, 5], [1, 1, 1, 1])
    # No axes and noop_with_empty_axes = 1: the identity (then a Relu).
    save("reducemean_noop_op18", 18,
         [helper.make_node("ReduceMean", ["x"], ["t"], name="rm", noop_with_empty_axes=1),
          helper.make_node("Relu", ["t"], ["y"], name="relu")], [], [1, 3, 4, 5], [1, 3, 4, 5])
    # Empty axes tensor with noop_with_empty_axes = 0: reduce everything.
    save("reducemean_empty_axes_op18", 18,
         [helper.make_node("ReduceMean", ["x", "axes"], ["y"], name="rm", keepdims=1)],
         [init("axes", np.zeros([0], np.int64))], [1, 3, 4, 5], [1, 1, 1, 1])
    # Refused: axes computed at run time.
    g_nodes = [helper.make_node("Shape", ["x"], ["s"], name="shape"),
               helper.make_node("Size", ["s"], ["r"], name="size"),
               helper.make_node("Sub", ["r", "one"], ["last"], name="sub"),
               helper.make_node("Unsqueeze", ["last", "zero"], ["axes"], name="unsq"),
               helper.make_node("ReduceMax", ["x", "axes"], ["y"], name="rmax", keepdims=1)]
    save("reducemax_runtime_axes_op18", 18, g_nodes,
         [init("one", np.array(1, np.int64)), init("zero", np.array([0], np.int64))], [1, 3, 4, 5], [1, 3, 4, 1],
         expect="refuse", error=r"ReduceMax node 'rmax' \(opset 18.*axes 'axes' is computed at run time")


def pad_cases():
    for opset in (18, 21, 23):
        save(f"pad_axes_op{opset}", opset,
             [helper.make_node("Pad", ["x", "pads", "cv", "axes"], ["y"], name="pad", mode="constant")],
             [init("pads", np.array([1, 2, 0, 3], np.int64)), init("cv", np.array(0.5, np.float32)),
              init("axes", np.array([-2, 3], np.int64))], [1, 3, 6, 6], [1, 3, 7, 11])
    save("pad_noaxes_op19", 19, [helper.make_node("Pad", ["x", "pads"], ["y"], name="pad", mode="edge")],
         [init("pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64))], [1, 2, 5, 5], [1, 2, 7, 7])
    save("pad_wrap_op19", 19, [helper.make_node("Pad", ["x", "pads"], ["y"], name="padw", mode="wrap")],
         [init("pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64))], [1, 2, 5, 5], [1, 2, 7, 7],
         expect="refuse", error=r"Pad node 'padw' \(opset 19.*mode 'wrap'")
    # Axes on an intermediate tensor: its rank comes from shape inference above the node.
    save("pad_axes_inner_op18", 18,
         [helper.make_node("Relu", ["x"], ["r"], name="relu"),
          helper.make_node("Pad", ["r", "pads", "", "axes"], ["y"], name="pad", mode="reflect")],
         [init("pads", np.array([1, 1], np.int64)), init("axes", np.array([3], np.int64))], [1, 2, 4, 6],
         [1, 2, 4, 8])


def pool_cases():
    for opset in (19, 22):
        save(f"avgpool_dilations1_op{opset}", opset,
             [helper.make_node("AveragePool", ["x"], ["y"], name="ap", kernel_shape=[3, 3], strides=[2, 2],
                               pads=[1, 1, 1, 1], dilations=[1, 1], count_include_pad=0)], [], [1, 4, 9, 9],
             [1, 4, 5, 5])
    save("avgpool_dilations2_op19", 19,
         [helper.make_node("AveragePool", ["x"], ["y"], name="apd", kernel_shape=[3, 3], dilations=[2, 2])], [],
         [1, 4, 9, 9], [1, 4, 5, 5], expect="refuse", error=r"AveragePool node 'apd' \(opset 19.*dilations")


def typed_cases():
    # Operators that changed only by new element types, at opset 22 and 23.
    w = rng.standard_normal([8, 3, 3, 3]).astype(np.float32) * 0.3
    b = rng.standard_normal([8]).astype(np.float32) * 0.1
    fc = rng.standard_normal([5, 8]).astype(np.float32) * 0.3
    for opset in (22, 23):
        nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
                 helper.make_node("HardSwish", ["c"], ["h"], name="hswish"),
                 helper.make_node("MaxPool", ["h"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
                 helper.make_node("HardSigmoid", ["p"], ["s"], name="hsig", alpha=0.2, beta=0.5),
                 helper.make_node("Mul", ["p", "s"], ["m"], name="mul"),
                 helper.make_node("GlobalAveragePool", ["m"], ["g"], name="gap"),
                 helper.make_node("Flatten", ["g"], ["f"], name="flat"),
                 helper.make_node("Unsqueeze", ["f", "ax0"], ["u"], name="unsq"),
                 helper.make_node("Squeeze", ["u", "ax0"], ["q"], name="sq"),
                 helper.make_node("Transpose", ["q"], ["t"], name="tr", perm=[1, 0]),
                 helper.make_node("Reshape", ["t", "shp"], ["r"], name="resh"),
                 helper.make_node("Dropout", ["r"], ["d"], name="drop"),
                 helper.make_node("Gemm", ["d", "fc"], ["y"], name="gemm", transB=1)]
        save(f"typed_cnn_op{opset}", opset, nodes,
             [init("w", w), init("b", b), init("fc", fc), init("ax0", np.array([0], np.int64)),
              init("shp", np.array([1, 8], np.int64))], [1, 3, 8, 8], [1, 5])
    # Cast with saturate (opset 19+), folded away: int32 shape -> int64.
    for opset in (19, 21):
        save(f"cast_saturate_op{opset}", opset,
             [helper.make_node("Cast", ["shp32"], ["shp"], name="cast", to=TensorProto.INT64, saturate=1),
              helper.make_node("Reshape", ["x", "shp"], ["r"], name="resh"),
              helper.make_node("Relu", ["r"], ["y"], name="relu")],
             [init("shp32", np.array([1, -1], np.int32))], [1, 2, 3, 4], [1, 24])
    # Refused: a float8 Cast and an int4 weight.
    save("cast_float8_op19", 19,
         [helper.make_node("Cast", ["x"], ["c"], name="to_f8", to=17),
          helper.make_node("Cast", ["c"], ["y"], name="back", to=F)], [], [1, 4], [1, 4],
         expect="refuse", error=r"Cast node 'to_f8'.*FLOAT8E4M3FN \(added in opset 19\)")
    save("dq_int4_op21", 21,
         [helper.make_node("DequantizeLinear", ["w4", "s"], ["w"], name="dq4"),
          helper.make_node("Add", ["x", "w"], ["y"], name="add")],
         [raw_init("w4", 22, [4], bytes([0x21, 0x43])), init("s", np.array(0.5, np.float32))], [4], [4],
         expect="refuse", error=r"initializer 'w4' has element type INT4 \(added in opset 21\)")


def qdq_conv(opset, name, q_attrs, dq_attrs, w_dq_attrs, drop_x_zp=False):
    """x -> Q -> DQ -> Conv(DQ(int8 w, per channel), bias) -> Q -> DQ -> y: fold-qdq makes it an int8 conv."""
    w = rng.integers(-90, 90, [6, 3, 3, 3]).astype(np.int8)
    ws = (rng.random(6).astype(np.float32) * 0.01 + 0.005).astype(np.float32)
    bias = rng.integers(-300, 300, [6]).astype(np.int32)
    xs, ys = np.float32(0.02), np.float32(0.05)
    inits = [init("xs", xs), init("ys", ys), init("yzp", np.int8(-3)),
             init("w", w), init("ws", ws), init("wzp", np.zeros(6, np.int8)),
             init("bias", bias), init("bs", (xs * ws).astype(np.float32)), init("bzp", np.zeros(6, np.int32))]
    x_inputs = ["x", "xs"] if drop_x_zp else ["x", "xs", "xzp"]
    if not drop_x_zp:
        inits.append(init("xzp", np.int8(2)))
    xdq_inputs = ["xq", "xs"] + ([] if drop_x_zp else ["xzp"])
    if drop_x_zp:
        # INT8 without a zero point (output_dtype): the DequantizeLinear needs one of that type too.
        inits.append(init("xzp0", np.int8(0)))
        xdq_inputs = ["xq", "xs", "xzp0"]
    # ONNX Runtime 1.30 refuses output_dtype next to a zero point ("output_dtype INT8 does not match
    # y_zero_point type UINT8", whatever the zero point's type): output_dtype only where there is none.
    qx_attrs = dict(q_attrs, output_dtype=TensorProto.INT8) if drop_x_zp else q_attrs
    nodes = [helper.make_node("QuantizeLinear", x_inputs, ["xq"], name="q_x", **qx_attrs),
             helper.make_node("DequantizeLinear", xdq_inputs, ["xd"], name="dq_x", **dq_attrs),
             helper.make_node("DequantizeLinear", ["w", "ws", "wzp"], ["wd"], name="dq_w", axis=0, **w_dq_attrs),
             helper.make_node("DequantizeLinear", ["bias", "bs", "bzp"], ["bd"], name="dq_b", axis=0, **w_dq_attrs),
             helper.make_node("Conv", ["xd", "wd", "bd"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("QuantizeLinear", ["r", "ys", "yzp"], ["yq"], name="q_y", **q_attrs),
             helper.make_node("DequantizeLinear", ["yq", "ys", "yzp"], ["y"], name="dq_y", **dq_attrs)]
    x = (rng.standard_normal([1, 3, 8, 8]) * 0.8).astype(np.float32)
    save(name, opset, nodes, inits, [1, 3, 8, 8], [1, 6, 8, 8], int8=True, x=x)


def qdq_cases():
    qdq_conv(19, "qdq_conv_op19", {"saturate": 1}, {}, {})
    qdq_conv(21, "qdq_conv_op21", {"block_size": 0, "saturate": 1}, {"block_size": 0}, {"block_size": 0})
    qdq_conv(23, "qdq_conv_op23", {}, {}, {})
    qdq_conv(21, "qdq_conv_nozp_op21", {}, {}, {}, drop_x_zp=True)
    # Refused: blocked quantization.
    save("dq_blocked_op21", 21,
         [helper.make_node("DequantizeLinear", ["w", "s"], ["wd"], name="dq_blk", axis=0, block_size=2),
          helper.make_node("Add", ["x", "wd"], ["y"], name="add")],
         [init("w", np.arange(8, dtype=np.int8).reshape(4, 2)), init("s", np.full([2, 2], 0.1, np.float32))],
         [4, 2], [4, 2], expect="refuse", error=r"DequantizeLinear node 'dq_blk' \(opset 21.*blocked quantization")


def refused_cases():
    # Gelu (20) is decomposed into its Erf form now (compiles; reference below, gelu_cases).
    save("gelu_op20", 20, [helper.make_node("Gelu", ["x"], ["y"], name="gelu")], [], [1, 8], [1, 8])
    # GroupNormalization-21 is decomposed now (per-channel scale and bias; more cases in groupnorm_cases).
    save("groupnorm_op21", 21,
         [helper.make_node("GroupNormalization", ["x", "sc", "bi"], ["y"], name="gn", num_groups=2)],
         [init("sc", np.array([0.5, -1.0, 2.0, 1.5], np.float32)), init("bi", np.array([0.1, 0.0, -0.3, 1.0], np.float32))],
         [1, 4, 3, 3], [1, 4, 3, 3])
    save("rmsnorm_op23", 23,
         [helper.make_node("RMSNormalization", ["x", "sc"], ["y"], name="rms")], [init("sc", np.ones(8, np.float32))],
         [1, 8], [1, 8], expect="refuse", error=r"RMSNormalization node 'rms': RMSNormalization is new in opset 23")
    save("resize_antialias_op18", 18,
         [helper.make_node("Resize", ["x", "", "sc"], ["y"], name="rs", mode="linear", antialias=1)],
         [init("sc", np.array([1, 1, 0.5, 0.5], np.float32))], [1, 2, 8, 8], [1, 2, 4, 4],
         expect="refuse", error=r"Resize node 'rs' \(opset 18.*antialias")
    save("relu_op24", 24, [helper.make_node("Relu", ["x"], ["y"], name="relu")], [], [1, 8], [1, 8],
         expect="refuse", error=r"uses opset 24; Ferrite supports opsets 1 to 23")


def gelu_cases():
    """Gelu-20, approximate='tanh' (after every other case, so their random inputs stay the same)."""
    save("gelu_tanh_op20", 20, [helper.make_node("Gelu", ["x"], ["y"], name="gelu", approximate="tanh")], [],
         [2, 16], [2, 16], x=(rng.standard_normal([2, 16]) * 3).astype(np.float32))


def groupnorm_cases():
    """GroupNormalization (18: one scale/bias per group; 21: per channel), decomposed into Reshape,
    InstanceNormalization (and Mul, Add at 21). After every other case, so their random inputs stay the same."""
    x5 = (rng.standard_normal([2, 6, 3, 2, 2]) * 2 + 1).astype(np.float32)
    save("groupnorm_op18", 18,
         [helper.make_node("GroupNormalization", ["x", "sc", "bi"], ["y"], name="gn", num_groups=3, epsilon=1e-3)],
         [init("sc", np.array([1.5, -0.5, 2.0], np.float32)), init("bi", np.array([0.25, -1.0, 0.5], np.float32))],
         [2, 6, 3, 2, 2], [2, 6, 3, 2, 2], x=x5)
    save("groupnorm_1group_op21", 21,
         [helper.make_node("GroupNormalization", ["x", "sc", "bi"], ["t"], name="gn", num_groups=1),
          helper.make_node("Relu", ["t"], ["y"], name="relu")],
         [init("sc", rng.standard_normal(8).astype(np.float32)), init("bi", rng.standard_normal(8).astype(np.float32))],
         [1, 8, 10], [1, 8, 10])
    save("groupnorm_instance_op21", 21,
         [helper.make_node("GroupNormalization", ["x", "sc", "bi"], ["y"], name="gn", num_groups=4, epsilon=1e-2)],
         [init("sc", rng.standard_normal(4).astype(np.float32)), init("bi", rng.standard_normal(4).astype(np.float32))],
         [1, 4, 5, 5], [1, 4, 5, 5])
    save("groupnorm_stash_op21", 21,
         [helper.make_node("GroupNormalization", ["x", "sc", "bi"], ["y"], name="gn", num_groups=2, stash_type=11)],
         [init("sc", np.ones(4, np.float32)), init("bi", np.zeros(4, np.float32))], [1, 4, 3, 3], [1, 4, 3, 3],
         expect="refuse", error=r"GroupNormalization node 'gn' \(opset 21.*stash_type = 11")
    save("groupnorm_indivisible_op18", 18,
         [helper.make_node("GroupNormalization", ["x", "sc", "bi"], ["y"], name="gn", num_groups=4)],
         [init("sc", np.ones(4, np.float32)), init("bi", np.zeros(4, np.float32))], [1, 6, 3, 3], [1, 6, 3, 3],
         expect="refuse", error=r"GroupNormalization node 'gn' \(opset 18.*num_groups = 4 does not divide the 6 channels")


def main():
    os.makedirs(OUT, exist_ok=True)
    reduce_cases()
    pad_cases()
    pool_cases()
    typed_cases()
    qdq_cases()
    refused_cases()
    gelu_cases()
    groupnorm_cases()
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"cases": cases}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(cases)} models in {OUT}")


if __name__ == "__main__":
    main()
