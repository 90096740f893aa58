#!/usr/bin/python3
"""Build Ferrite's int8 sample models and their ONNX Runtime references.

Run with Debian's interpreter:  /usr/bin/python3 scripts/samples/make_int8_samples.py [name ...]
(needs python3-onnx, python3-numpy, python3-torch, dataset-fashion-mnist, node and
scripts/samples/node_modules/onnxruntime-node; make_all.sh installs the latter).

Post-training static quantization of the float samples' ONNX graphs
(samples/<float>/model.onnx, BatchNorm already folded into Conv), written as
QDQ ONNX (opset 13) in the format of ONNX Runtime's quantize_static:

  * activations: uint8, per tensor, asymmetric, MinMax calibration over the
    calibration set (range widened to include 0; scale = (max-min)/255,
    zero point = round(-min/scale)); a Conv/Gemm followed by Relu/Clip is
    quantized once, after the activation (the Relu/Clip stays in the graph and is
    redundant with the QuantizeLinear that follows it);
  * weights: int8, symmetric (zero point 0, values in [-127, 127]), per output
    channel (DequantizeLinear axis 0) or per tensor;
  * biases: int32, scale = input scale * weight scale (float32 product), zero point 0;
  * MaxPool / Flatten keep their input's quantization (DQ -> op -> Q with equal
    parameters), so they run on the integers unchanged;
  * graph input: QuantizeLinear; graph output: DequantizeLinear (float).

Calibration runs the float graph with a small torch.nn.functional interpreter.
Reference outputs come from onnxruntime-node (ort_reference_int8.mjs), with
graphOptimizationLevel 'all' (+ x64quantprecision) and 'disabled'.
The QOperator sample is made from the DS-CNN QDQ model by qdq_to_qoperator.py.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
SAMPLES = os.path.join(REPO, "samples")
sys.path.insert(0, HERE)
import fashion_testset_to_npy as fmnist  # noqa: E402
import qdq_to_qoperator  # noqa: E402
from int8_inputs import MEAN, STD, mobilenet_float_inputs, mobilenet_u8_inputs, xorshift32_bytes  # noqa: E402,F401

torch.set_num_threads(2)
N_REF = 100          # reference inputs per sample


# --------------------------------------------------------------------------
# deterministic inputs


def sha256(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


# --------------------------------------------------------------------------
# float ONNX interpreter (calibration)


def attrs_of(n):
    return {a.name: helper.get_attribute_value(a) for a in n.attribute}


def run_float(model, x):
    """Run a float ONNX graph on x (numpy float32, batched); return {tensor: np.ndarray}."""
    g = model.graph
    env = {g.input[0].name: torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))}
    for t in g.initializer:
        env[t.name] = torch.from_numpy(numpy_helper.to_array(t).copy())
    with torch.no_grad():
        for n in g.node:
            a = attrs_of(n)
            i = [env[k] if k else None for k in n.input]
            op = n.op_type
            if op == "Constant":
                y = torch.from_numpy(numpy_helper.to_array(a["value"]).copy())
            elif op == "Conv":
                p = a.get("pads", [0, 0, 0, 0])
                assert p[0] == p[2] and p[1] == p[3], "asymmetric pads"
                y = F.conv2d(i[0], i[1], i[2] if len(i) > 2 else None, stride=a.get("strides", [1, 1]),
                             padding=(p[0], p[1]), dilation=a.get("dilations", [1, 1]),
                             groups=a.get("group", 1))
            elif op == "Relu":
                y = torch.relu(i[0])
            elif op == "Clip":
                y = torch.clamp(i[0], float(i[1]), float(i[2]))
            elif op == "Add":
                y = i[0] + i[1]
            elif op == "MaxPool":
                p = a.get("pads", [0, 0, 0, 0])
                y = F.max_pool2d(i[0], a["kernel_shape"], a.get("strides"), padding=(p[0], p[1]))
            elif op == "AveragePool":
                p = a.get("pads", [0, 0, 0, 0])
                y = F.avg_pool2d(i[0], a["kernel_shape"], a.get("strides"), padding=(p[0], p[1]),
                                 count_include_pad=bool(a.get("count_include_pad", 0)))
            elif op == "GlobalAveragePool":
                y = i[0].mean(dim=(2, 3), keepdim=True)
            elif op == "Flatten":
                ax = a.get("axis", 1)
                y = i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
            elif op == "Gemm":
                A = i[0].T if a.get("transA", 0) else i[0]
                B = i[1].T if a.get("transB", 0) else i[1]
                y = a.get("alpha", 1.0) * (A @ B)
                if len(i) > 2 and i[2] is not None:
                    y = y + a.get("beta", 1.0) * i[2]
            else:
                raise NotImplementedError(op)
            env[n.output[0]] = y
    return {k: v.numpy() for k, v in env.items()}


def calibrate(model, xs, batch=64):
    """MinMax calibration: {tensor: (min, max)} over all float activations."""
    ranges = {}
    init = {t.name for t in model.graph.initializer}
    for s in range(0, len(xs), batch):
        env = run_float(model, xs[s:s + batch])
        for k, v in env.items():
            if k in init or v.dtype != np.float32 or v.ndim < 2:
                continue
            lo, hi = float(v.min()), float(v.max())
            if k in ranges:
                lo, hi = min(lo, ranges[k][0]), max(hi, ranges[k][1])
            ranges[k] = (lo, hi)
    return ranges


# --------------------------------------------------------------------------
# QDQ quantizer


def act_qparams(lo, hi, clip_max=None):
    """uint8 asymmetric (scale float32, zero point uint8) for the range [lo, hi]."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo < 1e-8:
        hi = lo + 1e-8
    scale = np.float32((hi - lo) / 255.0)
    if clip_max is not None:  # keep [0, 255*scale] inside the Clip range so the Clip is redundant
        while np.float32(scale) * np.float32(255) > np.float32(clip_max):
            scale = np.nextafter(scale, np.float32(0))
    zp = int(np.clip(np.rint(-lo / float(scale)), 0, 255))
    return np.float32(scale), np.uint8(zp)


def quantize_weight(w, per_channel):
    """int8 symmetric, [-127, 127]; per output channel (axis 0) or per tensor."""
    if per_channel:
        m = np.abs(w.reshape(w.shape[0], -1)).max(axis=1).astype(np.float64)
    else:
        m = np.array(float(np.abs(w).max()))
    m = np.where(m == 0, 1.0, m)
    scale = (m / 127.0).astype(np.float32)
    s = scale.reshape((-1,) + (1,) * (w.ndim - 1)) if per_channel else scale
    q = np.clip(np.rint(w.astype(np.float64) / s.astype(np.float64)), -127, 127).astype(np.int8)
    return q, scale


def quantize_model(fmodel, ranges, per_channel, name):
    g = fmodel.graph
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    consts = {}
    for n in g.node:
        if n.op_type == "Constant":
            consts[n.output[0]] = numpy_helper.to_array(attrs_of(n)["value"])
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    out_name = g.output[0].name

    new_inits = []
    nodes = []
    qp = {}        # float tensor -> (scale, zp) of its Q/DQ pair
    dq_name = {}   # float tensor -> name of the DequantizeLinear output feeding consumers

    def add_init(nm, arr):
        new_inits.append(numpy_helper.from_array(np.asarray(arr), nm))
        return nm

    def qdq(t, scale, zp, src=None):
        """Insert QuantizeLinear/DequantizeLinear on float tensor t (produced under name src)."""
        src = src or t
        s = add_init(t + "_scale", np.float32(scale))
        z = add_init(t + "_zero_point", np.uint8(zp))
        nodes.append(helper.make_node("QuantizeLinear", [src, s, z], [t + "_quantized"],
                                      name=t + "_QuantizeLinear"))
        dq_out = t if t == out_name else t + "_dequantized"
        nodes.append(helper.make_node("DequantizeLinear", [t + "_quantized", s, z], [dq_out],
                                      name=t + "_DequantizeLinear"))
        qp[t] = (np.float32(scale), np.uint8(zp))
        dq_name[t] = dq_out

    def weight_dq(wname, w, axis_ok):
        q, scale = quantize_weight(w, per_channel and axis_ok)
        qn = add_init(wname + "_quantized", q)
        sn = add_init(wname + "_scale", scale)
        zn = add_init(wname + "_zero_point", np.zeros(scale.shape, np.int8))
        kw = {"axis": 0} if scale.ndim == 1 else {}
        nodes.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [wname + "_dequantized"],
                                      name=wname + "_DequantizeLinear", **kw))
        return wname + "_dequantized", scale

    def bias_dq(bname, b, x_scale, w_scale):
        bscale = (np.float32(x_scale) * w_scale.astype(np.float32)).astype(np.float32)
        q = np.rint(b.astype(np.float64) / bscale.astype(np.float64))
        q = np.clip(q, -2 ** 31, 2 ** 31 - 1).astype(np.int32)
        qn = add_init(bname + "_quantized", q)
        sn = add_init(bname + "_scale", bscale)
        zn = add_init(bname + "_zero_point", np.zeros(bscale.shape, np.int32))
        kw = {"axis": 0} if bscale.ndim == 1 else {}
        nodes.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [bname + "_dequantized"],
                                      name=bname + "_DequantizeLinear", **kw))
        return bname + "_dequantized"

    def out_point(n):
        """Quantize after n's output, or after the Relu/Clip that is its only consumer."""
        o = n.output[0]
        c = consumers.get(o, [])
        if n.op_type in ("Conv", "Gemm") and len(c) == 1 and c[0].op_type in ("Relu", "Clip") \
                and o != out_name:
            return None  # done when the activation is visited
        return o

    def quantize_output(t, producer_node, clip_max=None):
        lo, hi = ranges[t]
        scale, zp = act_qparams(lo, hi, clip_max)
        if t == out_name:
            producer_node.output[0] = t + "_float"
            qdq(t, scale, zp, src=t + "_float")
        else:
            qdq(t, scale, zp)

    # graph input
    inp = g.input[0].name
    qdq(inp, *act_qparams(*ranges[inp]))

    for n in g.node:
        op = n.op_type
        if op == "Constant":
            continue
        new = helper.make_node(op, list(n.input), list(n.output), name=n.name or (op + "_" + n.output[0]))
        new.attribute.extend(n.attribute)
        if op in ("Conv", "Gemm"):
            x = n.input[0]
            new.input[0] = dq_name[x]
            w = inits[n.input[1]]
            new.input[1], ws = weight_dq(n.input[1], w, axis_ok=(op == "Conv" or attrs_of(n).get("transB", 0) == 1))
            if len(n.input) > 2 and n.input[2]:
                new.input[2] = bias_dq(n.input[2], inits[n.input[2]], qp[x][0], ws)
            nodes.append(new)
            t = out_point(n)
            if t is not None:
                quantize_output(t, new)
        elif op in ("Relu", "Clip"):
            prev = n.input[0]
            if prev in dq_name:     # activation on a quantized tensor (not after Conv/Gemm)
                new.input[0] = dq_name[prev]
            clip_max = None
            if op == "Clip":
                lo_c = float(consts.get(n.input[1], inits.get(n.input[1])))
                clip_max = float(consts.get(n.input[2], inits.get(n.input[2])))
                assert lo_c == 0.0
                new.input[1] = add_init(n.output[0] + "_min", np.float32(lo_c))
                new.input[2] = add_init(n.output[0] + "_max", np.float32(clip_max))
            nodes.append(new)
            quantize_output(n.output[0], new, clip_max)
        elif op in ("Add", "AveragePool", "GlobalAveragePool"):
            for k, x in enumerate(n.input):
                new.input[k] = dq_name[x]
            nodes.append(new)
            quantize_output(n.output[0], new)
        elif op in ("MaxPool", "Flatten", "Reshape"):
            x = n.input[0]
            new.input[0] = dq_name[x]
            nodes.append(new)
            t = n.output[0]
            if t == out_name:
                new.output[0] = t + "_float"
                qdq(t, *qp[x], src=t + "_float")
            else:
                qdq(t, *qp[x])
        else:
            raise NotImplementedError("quantize_model: %s" % op)

    graph = helper.make_graph(nodes, name + "_int8_qdq", list(g.input), list(g.output),
                              initializer=new_inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="ferrite make_int8_samples.py")
    m.ir_version = 7
    return m


# --------------------------------------------------------------------------
# model description helpers


def op_counts(m):
    c = {}
    for n in m.graph.node:
        k = (n.domain + "." if n.domain else "") + n.op_type
        c[k] = c.get(k, 0) + 1
    return dict(sorted(c.items()))


def shape_of(vi):
    return [d.dim_param if d.dim_param else d.dim_value for d in vi.type.tensor_type.shape.dim]


def describe(m):
    """Parameter bytes and quantization parameters of a QDQ or QOperator model."""
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    by = {"int8_weights": 0, "int32_bias": 0, "float32_scales": 0, "zero_points": 0, "other": 0}
    for k, a in inits.items():
        if a.dtype == np.int8 and not k.endswith("_zero_point"):
            by["int8_weights"] += a.nbytes
        elif a.dtype == np.int32 and not k.endswith("_zero_point"):
            by["int32_bias"] += a.nbytes
        elif k.endswith("_scale") and a.dtype == np.float32:
            by["float32_scales"] += a.nbytes
        elif k.endswith("_zero_point"):
            by["zero_points"] += a.nbytes
        else:
            by["other"] += a.nbytes
    by["total"] = sum(by.values())
    act_zps = sorted({int(a) for k, a in inits.items()
                      if k.endswith("_zero_point") and a.dtype == np.uint8 and a.ndim == 0})
    wq = [a for k, a in inits.items() if k.endswith("_quantized") and a.dtype == np.int8]
    return by, act_zps, wq


def stats_int(a, b):
    a = a.astype(np.int32)
    b = b.astype(np.int32)
    d = np.abs(a - b)
    return {"identical_fraction": float((d == 0).mean()), "max_lsb_diff": int(d.max()),
            "elements": int(d.size), "elements_differing": int((d != 0).sum())}


def stats_float(a, b):
    d = np.abs(a.astype(np.float64) - b.astype(np.float64))
    return {"identical_fraction": float((a == b).mean()), "max_abs_diff": float(d.max())}


# --------------------------------------------------------------------------
# samples


def load(name):
    return onnx.load(os.path.join(SAMPLES, name, "model.onnx"))


def spec_mobilenet():
    u8_cal = xorshift32_bytes(0xCA11B, 64 * 3 * 96 * 96).reshape(64, 3, 96, 96)
    u8 = mobilenet_u8_inputs(N_REF)
    return dict(
        name="mobilenetv2_035_96_int8", src="mobilenetv2_035_96", per_channel=True,
        cal=mobilenet_float_inputs(u8_cal), x=mobilenet_float_inputs(u8), commit_inputs=False,
        description="MobileNetV2-0.35-96 (samples/mobilenetv2_035_96, untrained seeded weights) "
                    "post-training quantized to QDQ int8: per-channel symmetric int8 weights, "
                    "per-tensor uint8 activations, int32 biases.",
        calibration="64 xorshift32 noise images (seed 0xCA11B), normalized like the inputs",
        inputs_doc={
            "stored": "not committed (11 MB); regenerate: u8 = xorshift32_bytes(2024, 100*3*96*96) "
                      "reshaped [100,1,3,96,96]; x = ((float32(u8) / 255f) - mean[c]) / std[c]",
            "generator": "xorshift32, state s = 2024 (uint32); per byte: s ^= s<<13; s ^= s>>17; "
                         "s ^= s<<5 (all mod 2^32); byte = s>>24; bytes fill [100,1,3,96,96] in C order",
            "mean_f32": [float(v) for v in MEAN], "std_f32": [float(v) for v in STD],
            "mean_f32_bits": ["0x3ef851ec", "0x3ee978d5", "0x3ecfdf3b"],
            "std_f32_bits": ["0x3e6a7efa", "0x3e656042", "0x3e666666"],
            "python": "scripts/samples/int8_inputs.py: load_inputs('samples/mobilenetv2_035_96_int8')",
            "formula": "x = ((float)u8 / 255.0f - mean[c]) / std[c], each operation one float32 "
                       "IEEE round-to-nearest step (divide, subtract, divide); mean = "
                       "{0.485f, 0.456f, 0.406f}, std = {0.229f, 0.224f, 0.225f}",
            "sha256_u8": sha256(u8), "sha256_float32": sha256(mobilenet_float_inputs(u8)),
        })


def spec_dscnn():
    cal = np.random.default_rng(2001).standard_normal((64, 1, 49, 10)).astype(np.float32)
    x = np.random.default_rng(2002).standard_normal((N_REF, 1, 1, 49, 10)).astype(np.float32)
    return dict(
        name="dscnn_kws_int8", src="dscnn_kws", per_channel=True, cal=cal, x=x, commit_inputs=True,
        description="DS-CNN-S keyword spotter (samples/dscnn_kws, untrained seeded weights) "
                    "post-training quantized to QDQ int8: per-channel symmetric int8 weights, "
                    "per-tensor uint8 activations, int32 biases.",
        calibration="64 standard-normal inputs (numpy default_rng(2001))",
        inputs_doc={"stored": "inputs/inputs.npy, numpy default_rng(2002).standard_normal(...) float32"})


def spec_fashion():
    xtr = fmnist.load_images("train")
    idx = np.sort(np.random.default_rng(3001).choice(len(xtr), 512, replace=False))
    xte = fmnist.load_images("t10k")
    return dict(
        name="fashion_cnn_int8", src="fashion_cnn", per_channel=False, cal=xtr[idx],
        x=np.ascontiguousarray(xte[:N_REF].reshape(N_REF, 1, 1, 28, 28)), commit_inputs=True,
        description="The trained Fashion-MNIST CNN (samples/fashion_cnn) post-training quantized to "
                    "QDQ int8: per-tensor symmetric int8 weights, per-tensor uint8 activations, "
                    "int32 biases; dynamic batch.",
        calibration="512 training images (numpy default_rng(3001).choice(60000, 512), sorted), pixel/255",
        inputs_doc={"stored": "inputs/inputs.npy = the first 100 t10k test images, pixel/255 float32"})


def build_qdq(spec, tmp):
    t0 = time.time()
    fm = load(spec["src"])
    ranges = calibrate(fm, spec["cal"])
    qm = quantize_model(fm, ranges, spec["per_channel"], spec["src"])
    onnx.checker.check_model(qm, full_check=True)
    return qm, time.time() - t0


def q_output_model(m):
    """Copy of m whose output is the uint8 tensor before the final DequantizeLinear."""
    m2 = onnx.ModelProto()
    m2.CopyFrom(m)
    g = m2.graph
    out = g.output[0].name
    dq = [n for n in g.node if n.op_type == "DequantizeLinear" and n.output[0] == out][0]
    qname = dq.input[0]
    g.node.remove(dq)
    shape = shape_of(g.output[0])
    del g.output[:]
    g.output.append(helper.make_tensor_value_info(qname, TensorProto.UINT8, shape))
    onnx.checker.check_model(m2)
    return m2


def write_meta(d, meta):
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


def main(argv):
    t_start = time.time()
    names = argv[1:] or ["mobilenetv2_035_96_int8", "dscnn_kws_int8", "fashion_cnn_int8", "qop_kws_int8"]
    specs = {"mobilenetv2_035_96_int8": spec_mobilenet, "dscnn_kws_int8": spec_dscnn,
             "fashion_cnn_int8": spec_fashion}
    if "qop_kws_int8" in names and "dscnn_kws_int8" not in names:
        names.insert(0, "dscnn_kws_int8")
    tmp = tempfile.mkdtemp(prefix="ferrite_int8_")
    try:
        jobs = []
        built = {}
        for name in names:
            if name == "qop_kws_int8":
                continue
            if name not in specs:
                sys.exit("unknown sample %r" % name)
            spec = specs[name]()
            qm, dt = build_qdq(spec, tmp)
            built[name] = (spec, qm, dt)
        if "qop_kws_int8" in names:
            t0 = time.time()
            qdq = built["dscnn_kws_int8"][1]
            qop = qdq_to_qoperator.convert(qdq)
            onnx.checker.check_model(qop, full_check=True)
            spec = dict(spec_dscnn())
            spec.update(name="qop_kws_int8", per_channel=True,
                        description="The DS-CNN-S int8 model of samples/dscnn_kws_int8 converted from QDQ "
                                    "to QOperator form by scripts/samples/qdq_to_qoperator.py: "
                                    "QLinearConv, QLinearAveragePool (com.microsoft), QGemm "
                                    "(com.microsoft), Flatten on uint8; QuantizeLinear at the "
                                    "input, DequantizeLinear at the output.")
            built["qop_kws_int8"] = (spec, qop, time.time() - t0)
            # verification only (not committed): the MobileNet QDQ model as QOperator too
            if "mobilenetv2_035_96_int8" in built:
                mq = qdq_to_qoperator.convert(built["mobilenetv2_035_96_int8"][1])
                onnx.checker.check_model(mq, full_check=True)
                built["_qop_mobilenet_check"] = (built["mobilenetv2_035_96_int8"][0], mq, 0.0)

        for name, (spec, m, dt) in built.items():
            td = os.path.join(tmp, name)
            os.makedirs(td)
            onnx.save(m, os.path.join(td, "model.onnx"))
            onnx.save(q_output_model(m), os.path.join(td, "model_q.onnx"))
            x = np.ascontiguousarray(spec["x"], dtype=np.float32)
            np.save(os.path.join(td, "inputs.npy"), x)
            for mdl, suffix in (("model.onnx", ""), ("model_q.onnx", "_q")):
                jobs.append({"model": os.path.join(td, mdl), "inputs": os.path.join(td, "inputs.npy"),
                             "batch": 1,
                             "optimized_model": os.path.join(td, "optimized" + suffix + ".onnx"),
                             "outputs": {"all": os.path.join(td, "ort_all%s.npy" % suffix),
                                         "disabled": os.path.join(td, "ort_disabled%s.npy" % suffix)}})
        if "fashion_cnn_int8" in built:
            xte = fmnist.load_images("t10k")
            np.save(os.path.join(tmp, "fashion_test_x.npy"), xte)
            td = os.path.join(tmp, "fashion_cnn_int8")
            jobs.append({"model": os.path.join(td, "model.onnx"),
                         "inputs": os.path.join(tmp, "fashion_test_x.npy"), "batch": 1000,
                         "outputs": {"all": os.path.join(td, "test_all.npy"),
                                     "disabled": os.path.join(td, "test_disabled.npy")}})
        jf = os.path.join(tmp, "jobs.json")
        with open(jf, "w") as f:
            json.dump({"jobs": jobs}, f, indent=1)
        t0 = time.time()
        subprocess.run(["node", os.path.join(HERE, "ort_reference_int8.mjs"), jf], check=True)
        t_ort = time.time() - t0
        with open(jf + ".version") as f:
            ort_version = f.read().strip()

        res = {}
        for name, (spec, m, dt) in built.items():
            td = os.path.join(tmp, name)
            r = {k: np.load(os.path.join(td, k + ".npy"))
                 for k in ("ort_all", "ort_disabled", "ort_all_q", "ort_disabled_q")}
            res[name] = r
        if "qop_kws_int8" in res:
            a, b = res["qop_kws_int8"], res["dscnn_kws_int8"]
            for k in ("ort_all", "ort_all_q", "ort_disabled_q"):
                ref = b["ort_all_q" if k.endswith("_q") else "ort_all"]
                same = np.array_equal(a[k], ref)
                print("qop_kws_int8 %s == dscnn_kws_int8 QDQ ort_all%s: %s"
                      % (k, "_q" if k.endswith("_q") else "", same))
                if not same:
                    raise SystemExit("QOperator model does not match the QDQ model under 'all'")
        if "_qop_mobilenet_check" in res:
            a, b = res["_qop_mobilenet_check"], res["mobilenetv2_035_96_int8"]
            mcheck = {k: bool(np.array_equal(a[k], b["ort_all_q"])) for k in ("ort_all_q", "ort_disabled_q")}
            print("MobileNet QOperator (not committed) vs QDQ 'all', uint8 output identical:", mcheck)
            if not all(mcheck.values()):
                raise SystemExit("MobileNet QOperator conversion does not match")

        for name, (spec, m, dt) in built.items():
            if name.startswith("_"):
                continue
            d = os.path.join(SAMPLES, name)
            if os.path.isdir(d):
                shutil.rmtree(d)
            os.makedirs(os.path.join(d, "reference"))
            onnx.save(m, os.path.join(d, "model.onnx"))
            td = os.path.join(tmp, name)
            r = res[name]
            for k, v in r.items():
                np.save(os.path.join(d, "reference", k + ".npy"), v)
            x = spec["x"]
            np.save(os.path.join(d, "input.npy"), np.ascontiguousarray(x[0], dtype=np.float32))
            if spec["commit_inputs"]:
                os.makedirs(os.path.join(d, "inputs"))
                np.save(os.path.join(d, "inputs", "inputs.npy"), np.ascontiguousarray(x, dtype=np.float32))
            by, act_zps, _ = describe(m)
            out_q_scale, out_q_zp = None, None
            for n in m.graph.node:
                if n.op_type == "DequantizeLinear" and n.output[0] == m.graph.output[0].name:
                    ini = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
                    out_q_scale, out_q_zp = float(ini[n.input[1]]), int(ini[n.input[2]])
            in_q = None
            for n in m.graph.node:
                if n.op_type == "QuantizeLinear" and n.input[0] == m.graph.input[0].name:
                    ini = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
                    in_q = (float(ini[n.input[1]]), int(ini[n.input[2]]))
            agree_q = stats_int(r["ort_all_q"], r["ort_disabled_q"])
            agree_f = stats_float(r["ort_all"], r["ort_disabled"])
            opt_ops = op_counts(onnx.load(os.path.join(td, "optimized.onnx")))
            meta = {
                "name": name,
                "description": spec["description"],
                "source_float_model": "samples/%s/model.onnx" % spec["src"],
                "input": {"name": m.graph.input[0].name, "shape": shape_of(m.graph.input[0]),
                          "dtype": "float32"},
                "output": {"name": m.graph.output[0].name, "shape": shape_of(m.graph.output[0]),
                           "dtype": "float32 (DequantizeLinear of uint8)"},
                "output_quantized": {"scale": out_q_scale, "zero_point": out_q_zp, "dtype": "uint8"},
                "opset": 13,
                "format": "QOperator" if name.startswith("qop") else "QDQ",
                "ops": op_counts(m),
                "ops_after_ort_all_optimization": opt_ops,
                "quantization": {
                    "method": "post-training static, MinMax calibration",
                    "calibration_set": spec["calibration"],
                    "weights": "int8 symmetric (zero point 0, range [-127, 127]), "
                               + ("per output channel (axis 0)" if spec["per_channel"] else "per tensor"),
                    "weight_granularity": "per-channel" if spec["per_channel"] else "per-tensor",
                    "activations": "uint8 asymmetric, per tensor",
                    "activation_dtype": "uint8",
                    "bias": "int32, scale = input_scale * weight_scale (float32), zero point 0",
                    "input_quantization": {"scale": in_q[0], "zero_point": in_q[1]} if in_q else None,
                    "activation_zero_points": act_zps,
                    "rounding": "QuantizeLinear rounds half to even (ONNX)",
                },
                "param_bytes": by,
                "inputs": dict(spec["inputs_doc"], count=N_REF, shape=[N_REF] + list(x.shape[1:]),
                               sha256_float32=sha256(x)),
                "references": {
                    "ort_all.npy": "float32 output, graphOptimizationLevel 'all', 1 thread, "
                                   "session config x64quantprecision=1 (fused integer kernels)",
                    "ort_disabled.npy": "float32 output, graphOptimizationLevel 'disabled' "
                                        "(QDQ as float ops, ONNX-spec semantics)",
                    "ort_all_q.npy / ort_disabled_q.npy": "uint8 output before the final "
                                                          "DequantizeLinear, same two settings",
                    "deployed_semantics_reference": "ort_all_q.npy",
                },
                "agreement_all_vs_disabled": {"uint8_output": agree_q, "float_output": agree_f},
                "ort_version": ort_version,
                "torch_version": torch.__version__,
                "onnx_version": onnx.__version__,
            }
            line = ("== %s (%s): built in %.1fs\n   ops: %s\n   after ORT 'all': %s\n"
                    "   param bytes: %s\n   activation zero points: %s, input q %s, output q (%s, %s)\n"
                    "   all vs disabled (uint8 out): %.4f identical, max %d LSB; float out max |d| %.3g"
                    % (name, meta["format"], dt, meta["ops"], opt_ops, by, act_zps, in_q,
                       out_q_scale, out_q_zp, agree_q["identical_fraction"],
                       agree_q["max_lsb_diff"], agree_f["max_abs_diff"]))
            if name == "qop_kws_int8":
                meta["matches_qdq_model_all"] = {"source": "samples/dscnn_kws_int8/model.onnx",
                                                 "identical_outputs": True}
                meta["inputs"]["stored"] = "inputs/inputs.npy (the same inputs as dscnn_kws_int8)"
            if name == "fashion_cnn_int8":
                yte = fmnist.load_labels("t10k")
                accs = {}
                for lvl in ("all", "disabled"):
                    y = np.load(os.path.join(td, "test_%s.npy" % lvl))
                    pred = y.argmax(axis=1).astype(np.uint8)
                    pred.tofile(os.path.join(d, "ort_test_predictions_%s.bin" % lvl))
                    accs[lvl] = float((pred == yte).mean())
                    # batch-1 references vs the batched run
                    p1 = r["ort_" + lvl].reshape(N_REF, -1).argmax(axis=1)
                    if not np.array_equal(p1, pred[:N_REF]):
                        raise SystemExit("fashion: batch-1 and batched argmax disagree (%s)" % lvl)
                pa = np.fromfile(os.path.join(d, "ort_test_predictions_all.bin"), np.uint8)
                pd = np.fromfile(os.path.join(d, "ort_test_predictions_disabled.bin"), np.uint8)
                fmeta = json.load(open(os.path.join(SAMPLES, "fashion_cnn", "meta.json")))
                meta["test_set"] = "Debian dataset-fashion-mnist t10k (10000 images, pixel/255)"
                meta["test_accuracy_ort_all"] = accs["all"]
                meta["test_accuracy_ort_disabled"] = accs["disabled"]
                meta["test_accuracy_float_ort"] = fmeta.get("test_accuracy_ort")
                meta["test_predictions_all_vs_disabled_differ"] = int((pa != pd).sum())
                meta["first_test_label"] = int(yte[0])
                line += ("\n   test accuracy int8: all %.4f, disabled %.4f (float %s); predictions "
                         "differing all vs disabled: %d"
                         % (accs["all"], accs["disabled"], meta["test_accuracy_float_ort"],
                            meta["test_predictions_all_vs_disabled_differ"]))
            write_meta(d, meta)
            print(line)
            tot = 0
            for root, _, files in os.walk(d):
                for fn in sorted(files):
                    p = os.path.join(root, fn)
                    tot += os.path.getsize(p)
                    print("   %-40s %9d bytes" % (os.path.relpath(p, d), os.path.getsize(p)))
            print("   total %d bytes" % tot)
        print("ORT runs: %.1fs; make_int8_samples.py total %.1fs" % (t_ort, time.time() - t_start))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv)
