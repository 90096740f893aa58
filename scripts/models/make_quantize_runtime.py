#!/usr/bin/python3
"""QuantizeLinear whose scale and zero point are computed at run time (quantize_f32_rt), against ONNX
Runtime: small models and their references for tests/quantize_runtime/test_quantize_runtime.py.

Every "ok" model takes x (float32 [64]), s (float32 [1]) and z (float32 [1]); the scale is Abs(s) and
the zero point Cast(z) to the output type, so both are computed by nodes (`ferrite run` would bake
a graph input that only feeds QuantizeLinear's scale into the model as a constant). x holds values
whose quotient x / scale is exactly k + 0.5 (ties: half to even), values that saturate at both ends,
+-inf, and values for which x / scale and x * (1 / scale) round differently (the reference divides).
cast_u8_output: a float -> uint8 Cast straight to the graph output (kept uint8 by normalize-int8);
cast_u8_input: a uint8 graph input Cast to float32 (kept uint8 too).
"refuse" models are hostile: a per-axis scale computed at run time, an int32 scale, int32 data; the
message must name the node.

Writes into tests/data/quantize_runtime/: <case>.onnx, <case>_{x,s,z}.npy and manifest.json; then
scripts/models/quantize_runtime_refs.mjs (onnxruntime-node 1.30, CPU) writes <case>_ort.npy.
usage: /usr/bin/python3 scripts/models/make_quantize_runtime.py && node scripts/models/quantize_runtime_refs.mjs
       (after `ONNXRUNTIME_NODE_INSTALL=skip npm install` in scripts/samples)
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "data", "quantize_runtime")
rng = np.random.default_rng(1010)
N = 64


def save_model(name, nodes, inputs, y_type, y_shape, inits=()):
    g = h.make_graph(nodes, name, inputs, [h.make_tensor_value_info("y", y_type, y_shape)], initializer=list(inits))
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)], producer_name="make_quantize_runtime")
    m.ir_version = 7
    onnx.checker.check_model(m)
    path = os.path.join(OUT, name + ".onnx")
    onnx.save(m, path)
    return path


def data(scale, zp, qmin, qmax):
    """64 values: ties, saturation, infinities, division-sensitive values, random fill."""
    s32 = np.float32(scale)
    v = []
    for k in range(-6, 6):  # exact ties k + 0.5 (scale a power of two or 3: k + 0.5 times it is exact)
        v.append(np.float32((k + 0.5) * s32))
    lo, hi = (qmin - zp - 3) * s32, (qmax - zp + 3) * s32  # beyond both ends
    v += [np.float32(lo), np.float32(hi), np.float32(lo * 1000), np.float32(hi * 1000), np.float32(np.inf),
          np.float32(-np.inf), np.float32(0.0), np.float32(-0.0)]
    # Values where the true division and the multiply by the reciprocal round to different integers.
    r = np.float32(1) / s32
    # (they lie within a few ulps of the ties)
    ties = np.array([(k + 0.5) * s32 for k in range(qmin - zp, qmax - zp)], np.float32)
    cand = np.concatenate([ties.view(np.int32) + d for d in range(-4, 5)]).view(np.float32)
    div = np.rint(cand / s32)
    mul = np.rint(cand * r)
    diff = cand[div != mul]
    v += list(diff[:8])
    while len(v) < N:
        v.append(np.float32(rng.uniform(qmin - zp - 10, qmax - zp + 10) * s32))
    return np.array(v[:N], dtype=np.float32), len(diff)


def ok_case(name, y_type, scale, zp, zp_mode="runtime", scale_mode="runtime"):
    """zp_mode: runtime (Cast(z)), const (an initializer), none. scale_mode: runtime (Abs(s)), const."""
    qmin, qmax = (0, 255) if y_type == T.UINT8 else (-128, 127)
    x, ndiff = data(scale, zp if zp_mode != "none" else 0, qmin, qmax)
    np_zt = np.uint8 if y_type == T.UINT8 else np.int8
    nodes, inits = [], []
    inputs = [h.make_tensor_value_info("x", T.FLOAT, [N])]
    feeds = {"x": x}
    if scale_mode == "runtime":
        nodes.append(h.make_node("Abs", ["s"], ["scale"], name="abs_s"))
        inputs.append(h.make_tensor_value_info("s", T.FLOAT, [1]))
        feeds["s"] = np.array([-scale], np.float32)  # Abs makes it positive
    else:
        inits.append(numpy_helper.from_array(np.array(scale, np.float32), "scale"))
    q_in = ["x", "scale"]
    if zp_mode == "runtime":
        nodes.append(h.make_node("Cast", ["z"], ["zp"], name="cast_z", to=y_type))
        inputs.append(h.make_tensor_value_info("z", T.FLOAT, [1]))
        feeds["z"] = np.array([zp], np.float32)
        q_in.append("zp")
    elif zp_mode == "const":
        inits.append(numpy_helper.from_array(np.array(zp, np_zt), "zp"))
        q_in.append("zp")
    nodes.append(h.make_node("QuantizeLinear", q_in, ["y"], name="q_" + name))
    save_model(name, nodes, inputs, y_type, [N], inits)
    for k, a in feeds.items():
        np.save(os.path.join(OUT, f"{name}_{k}.npy"), a)
    return {"expect": "ok", "inputs": sorted(feeds), "output": "uint8" if y_type == T.UINT8 else "int8",
            "division_sensitive": min(ndiff, 8)}


def cast_u8_case(name):
    """Cast float32 -> uint8 as the graph output, plus a DynamicQuantizeLinear-style graph (Identity to the
    outputs): normalize-int8 keeps the Cast's uint8 result uint8 (it was once stored as int8 and flipped)."""
    x = np.concatenate([np.arange(0, 256, 4, dtype=np.float32)[:48] + np.float32(0.75),
                        np.array([0, 0.5, 1.5, 2.5, 127.5, 128.5, 254.5, 255, 200.25, 129, 128, 127, 3.99, 99.5,
                                  250.9, 17], np.float32)])
    save_model(name, [h.make_node("Cast", ["x"], ["y"], name="cast_x", to=T.UINT8)],
               [h.make_tensor_value_info("x", T.FLOAT, [N])], T.UINT8, [N])
    np.save(os.path.join(OUT, f"{name}_x.npy"), x)
    return {"expect": "ok", "inputs": ["x"], "output": "uint8", "division_sensitive": 0, "kernel": "cast_to_u8"}


def cast_u8_input_case(name):
    """A uint8 graph input Cast to float32 (an image): the input stays uint8 (once refused as int8 data)."""
    x = np.concatenate([np.arange(0, 256, 5, dtype=np.uint8), np.array([1, 127, 128, 129, 254, 255, 0, 2, 3, 4, 6, 7, 8],
                                                                      np.uint8)])[:N]
    g = h.make_graph([h.make_node("Cast", ["x"], ["y"], name="cast_in", to=T.FLOAT)], name,
                     [h.make_tensor_value_info("x", T.UINT8, [N])], [h.make_tensor_value_info("y", T.FLOAT, [N])])
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)], producer_name="make_quantize_runtime")
    m.ir_version = 7
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(OUT, name + ".onnx"))
    np.save(os.path.join(OUT, f"{name}_x.npy"), x)
    return {"expect": "ok", "inputs": ["x"], "output": "float32", "division_sensitive": 0, "kernel": "cast_to_f32"}


def refuse_case(name, nodes, inputs, y_type, y_shape, error):
    save_model(name, nodes, inputs, y_type, y_shape)
    return {"expect": "refuse", "error": error}


def main():
    os.makedirs(OUT, exist_ok=True)
    man = {}
    man["rt_u8_half"] = ok_case("rt_u8_half", T.UINT8, 0.5, 128)
    man["rt_s8_three"] = ok_case("rt_s8_three", T.INT8, 3.0, -5)
    man["rt_u8_tenth"] = ok_case("rt_u8_tenth", T.UINT8, 0.1, 7)
    man["rt_s8_odd"] = ok_case("rt_s8_odd", T.INT8, 0.0123, 11)
    man["rt_scale_const_zp_s8"] = ok_case("rt_scale_const_zp_s8", T.INT8, 0.25, -3, zp_mode="const")
    man["rt_scale_const_zp_u8"] = ok_case("rt_scale_const_zp_u8", T.UINT8, 0.07, 200, zp_mode="const")
    man["rt_scale_no_zp_u8"] = ok_case("rt_scale_no_zp_u8", T.UINT8, 0.125, 0, zp_mode="none")
    man["const_scale_rt_zp_u8"] = ok_case("const_scale_rt_zp_u8", T.UINT8, 0.3, 77, scale_mode="const")
    man["cast_u8_output"] = cast_u8_case("cast_u8_output")
    man["cast_u8_input"] = cast_u8_input_case("cast_u8_input")
    # Hostile: per-axis scale computed at run time.
    man["refuse_per_axis"] = refuse_case(
        "refuse_per_axis",
        [h.make_node("Abs", ["s"], ["scale"], name="abs_s"),
         h.make_node("QuantizeLinear", ["x", "scale"], ["y"], name="q_per_axis", axis=1)],
        [h.make_tensor_value_info("x", T.FLOAT, [2, 3]), h.make_tensor_value_info("s", T.FLOAT, [3])],
        T.UINT8, [2, 3], r"q_per_axis.*scale 'scale' \(shape 3\) is computed at run time.*per-axis")
    # Hostile: an int32 scale (not valid ONNX: the import's shape inference refuses it, naming the node).
    man["refuse_int_scale"] = refuse_case(
        "refuse_int_scale",
        [h.make_node("Cast", ["s"], ["scale"], name="cast_s", to=T.INT32),
         h.make_node("QuantizeLinear", ["x", "scale"], ["y"], name="q_int_scale")],
        [h.make_tensor_value_info("x", T.FLOAT, [4]), h.make_tensor_value_info("s", T.FLOAT, [])],
        T.UINT8, [4], r"q_int_scale.*y_scale.*unsupported type: tensor\(int32\)")
    # Hostile: int32 data quantized with a run-time scale.
    man["refuse_int_data"] = refuse_case(
        "refuse_int_data",
        [h.make_node("Abs", ["s"], ["scale"], name="abs_s"),
         h.make_node("QuantizeLinear", ["x", "scale"], ["y"], name="q_int_data")],
        [h.make_tensor_value_info("x", T.INT32, [4]), h.make_tensor_value_info("s", T.FLOAT, [])],
        T.UINT8, [4], r"q_int_data.*input 'x' is int32; run-time quantization takes float32")
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"cases": man}, f, indent=1, sort_keys=True)
        f.write("\n")
    for k, c in sorted(man.items()):
        print(k, c)


if __name__ == "__main__":
    main()
