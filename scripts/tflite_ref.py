#!/usr/bin/python3
"""Own-written reference of TFLite's integer arithmetic, for Ferrite's tests.

Reads a .tflite file (flatbuffers, schema v3) with python3-flatbuffers' Table access and runs it
with numpy, op by op, following TFLite's reference integer kernels' rules (docs/tflite.md):
per-channel quantized multiplier + shift from the double scale ratio, SaturatingRoundingDoubling-
HighMul, RoundingDivideByPOT, ADD with left_shift 20, average pool rounding division, int8 SOFTMAX
with gemmlowp-style fixed-point exp; 16x8 (int16) models with TFLite's int16 rules (LUT-based
LOGISTIC / TANH / SOFTMAX; the int8 rules with int16 limits for ADD / SUB / MUL / MAXIMUM / MINIMUM /
RELU / RELU6 / LEAKY_RELU / pools / MEAN / PAD / resizes; no int16 RELU_N1_TO_1 / HARD_SWISH, which
TFLite lacks); float models (LOG_SOFTMAX float only) in float64 (int8 dynamic-range weights dequantized per channel, float16
weights by their DEQUANTIZE or CAST: numpy's float16 -> float32, exact); fully-uint8 (legacy) models with
TFLite's uint8 kernels' own rules, written on the uint8 values (asymmetric per-tensor uint8 weights,
the conv multiplier from the float product of the scales, uint8 average-pool rounding, the uint8
LOGISTIC / TANH / SOFTMAX output conventions, TFLite's sub.cc / mul.cc multipliers; no uint8 MEAN /
RESIZE_BILINEAR). The operators of Ferrite's TFLite frontend.

  tflite_ref.py model.tflite --input in.npy --output out.npy   (int8 input, int8 output)
  tflite_ref.py model.tflite --ops                             (list the operators)
"""
import argparse
import math
import struct
import sys

import numpy as np
from flatbuffers import number_types as N
from flatbuffers.table import Table

OPS = {0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D",
       6: "DEQUANTIZE", 9: "FULLY_CONNECTED", 14: "LOGISTIC", 17: "MAX_POOL_2D", 18: "MUL", 19: "RELU",
       21: "RELU6", 22: "RESHAPE", 25: "SOFTMAX", 28: "TANH", 32: "CUSTOM", 34: "PAD", 39: "TRANSPOSE",
       40: "MEAN", 41: "SUB", 43: "SQUEEZE", 45: "STRIDED_SLICE", 114: "QUANTIZE", 117: "HARD_SWISH",
       20: "RELU_N1_TO_1", 49: "SPLIT", 55: "MAXIMUM", 57: "MINIMUM", 60: "PADV2", 97: "RESIZE_NEAREST_NEIGHBOR",
       98: "LEAKY_RELU", 23: "RESIZE_BILINEAR", 50: "LOG_SOFTMAX", 53: "CAST"}
DTYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 7: np.int16, 9: np.int8}


# --- flatbuffers access ---------------------------------------------------------------------------
def field(tab, i):
    return tab.Offset(4 + 2 * i)


def scalar(tab, i, flags, default):
    o = field(tab, i)
    return tab.Get(flags, o + tab.Pos) if o else default


def subtable(tab, i):
    o = field(tab, i)
    if not o:
        return None
    return Table(tab.Bytes, tab.Indirect(o + tab.Pos))


def table_vector(tab, i):
    o = field(tab, i)
    if not o:
        return []
    start, n = tab.Vector(o), tab.VectorLen(o)
    return [Table(tab.Bytes, tab.Indirect(start + 4 * k)) for k in range(n)]


def num_vector(tab, i, flags):
    o = field(tab, i)
    if not o:
        return None
    return tab.GetVectorAsNumpy(flags, o)


def string(tab, i):
    o = field(tab, i)
    return tab.String(o + tab.Pos).decode() if o else ""


class Model:
    def __init__(self, path):
        buf = bytearray(open(path, "rb").read())
        if buf[4:8] != b"TFL3":
            raise SystemExit(f"{path}: not a TFLite file (identifier {bytes(buf[4:8])!r})")
        root = Table(buf, struct.unpack_from("<I", buf, 0)[0])
        self.opcodes = []
        for oc in table_vector(root, 1):
            code = max(scalar(oc, 0, N.Int8Flags, 0), scalar(oc, 3, N.Int32Flags, 0))
            self.opcodes.append(code)
        buffers = []
        for b in table_vector(root, 4):
            d = num_vector(b, 0, N.Uint8Flags)
            buffers.append(None if d is None or len(d) == 0 else bytes(d))
        sg = table_vector(root, 2)[0]
        self.tensors = []
        for t in table_vector(sg, 0):
            q = subtable(t, 4)
            scale = zp = None
            qdim = 0
            if q is not None:
                scale = num_vector(q, 2, N.Float32Flags)
                zp = num_vector(q, 3, N.Int64Flags)
                qdim = scalar(q, 6, N.Int32Flags, 0)
            shape = num_vector(t, 0, N.Int32Flags)
            dt = DTYPES[scalar(t, 1, N.Int8Flags, 0)]
            b = buffers[scalar(t, 2, N.Uint32Flags, 0)]
            data = None
            if b is not None:
                data = np.frombuffer(b, dtype=dt).reshape([int(s) for s in shape])
            self.tensors.append(dict(name=string(t, 3), shape=[int(s) for s in shape], dtype=dt, data=data,
                                     scale=None if scale is None or len(scale) == 0 else scale.astype(np.float32),
                                     zp=None if zp is None or len(zp) == 0 else zp.astype(np.int64), qdim=qdim))
        self.inputs = [int(v) for v in num_vector(sg, 1, N.Int32Flags)]
        self.outputs = [int(v) for v in num_vector(sg, 2, N.Int32Flags)]
        self.ops = []
        for op in table_vector(sg, 3):
            code = self.opcodes[scalar(op, 0, N.Uint32Flags, 0)]
            ins = [int(v) for v in num_vector(op, 1, N.Int32Flags)]
            outs = [int(v) for v in num_vector(op, 2, N.Int32Flags)]
            self.ops.append(dict(code=code, name=OPS.get(code, f"op{code}"), inputs=ins, outputs=outs,
                                 opt=subtable(op, 4)))


# --- TFLite's fixed-point rules -------------------------------------------------------------------
def quantize_multiplier(d):
    """TFLite QuantizeMultiplier: double -> (int32 q31 multiplier, shift) with frexp and round."""
    if d == 0.0:
        return 0, 0
    m, shift = math.frexp(d)
    q = int(round_away(m * (1 << 31)))
    if q == (1 << 31):
        q //= 2
        shift += 1
    if shift < -31:
        shift, q = 0, 0
    if shift > 30:
        shift, q = 30, (1 << 31) - 1
    return q, shift


def round_away(x):
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def srdhm(a, b):
    """SaturatingRoundingDoublingHighMul on int64 numpy arrays (int32 values)."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    ab = a * b
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    s = ab + nudge
    # C++ integer division truncates toward zero
    r = np.where(s >= 0, s // (1 << 31), -((-s) // (1 << 31)))
    overflow = (a == b) & (a == -(1 << 31))
    return np.where(overflow, (1 << 31) - 1, r).astype(np.int64)


def rdbpot(x, exponent):
    x = np.asarray(x, dtype=np.int64)
    exponent = np.asarray(exponent, dtype=np.int64)
    mask = (np.int64(1) << exponent) - 1
    rem = x & mask
    thr = (mask >> 1) + (x < 0).astype(np.int64)
    return (x >> exponent) + (rem > thr).astype(np.int64)


def mbqm(x, mult, shift):
    """MultiplyByQuantizedMultiplier (TFLite reference, 32-bit multiplier)."""
    shift = np.asarray(shift, dtype=np.int64)
    left = np.where(shift > 0, shift, 0)
    right = np.where(shift > 0, 0, -shift)
    x = np.asarray(x, dtype=np.int64) * (np.int64(1) << left)
    x = np.clip(x, -(1 << 31), (1 << 31) - 1)  # int32 wrap never happens for the models' ranges
    return rdbpot(srdhm(x, mult), right)


def mbqm64(x, mult, shift):
    """MultiplyByQuantizedMultiplier(int64 x, ...) of TFLite's 16x8 kernels: the multiplier reduced to
    16 bits (rounded), x * reduced + 2^(14 - shift) shifted right by 15 - shift, truncated to int32."""
    mult = np.asarray(mult, dtype=np.int64)
    shift = np.asarray(shift, dtype=np.int64)
    reduced = np.where(mult < 0x7FFF0000, (mult + (1 << 15)) >> 16, 0x7FFF)
    total = 15 - shift
    r = (np.asarray(x, dtype=np.int64) * reduced + (np.int64(1) << (total - 1))) >> total
    return ((r + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def act_range(act, scale, zp, bits=8, u8=False):
    """CalculateActivationRangeQuantized: the type's limits (uint8: 0..255, CalculateActivationRangeUint8)
    narrowed to zp + round(bound / scale) (float division)."""
    lo, hi = (0, 255) if u8 else (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    q = lambda v: int(zp + round_away(float(np.float32(v) / np.float32(scale))))  # float division
    if act == 1:
        lo = max(lo, q(0.0))
    elif act == 3:
        lo, hi = max(lo, q(0.0)), min(hi, q(6.0))
    elif act == 2:
        lo, hi = max(lo, q(-1.0)), min(hi, q(1.0))
    elif act != 0:
        raise SystemExit(f"fused activation {act} not supported")
    return lo, hi


def same_pad(in_size, k, stride, dil, padding):
    eff = (k - 1) * dil + 1
    if padding == 1:  # VALID
        out = (in_size - eff + stride) // stride
        return out, 0
    out = (in_size + stride - 1) // stride
    total = max((out - 1) * stride + eff - in_size, 0)
    return out, total // 2


def conv(x, m, op, depthwise):
    o = op["opt"]
    w_t, b_t = m.tensors[op["inputs"][1]], m.tensors[op["inputs"][2]] if len(op["inputs"]) > 2 and op["inputs"][2] >= 0 else None
    xt, yt = m.tensors[op["inputs"][0]], m.tensors[op["outputs"][0]]
    padding = scalar(o, 0, N.Int8Flags, 0)
    sw, sh = scalar(o, 1, N.Int32Flags, 1), scalar(o, 2, N.Int32Flags, 1)
    act = scalar(o, 4 if depthwise else 3, N.Int8Flags, 0)
    dw_, dh_ = scalar(o, 5 if depthwise else 4, N.Int32Flags, 1), scalar(o, 6 if depthwise else 5, N.Int32Flags, 1)
    w = w_t["data"].astype(np.int64)  # conv: [O][H][W][I]; depthwise: [1][H][W][O]
    if w_t["dtype"] == np.uint8:  # uint8 models: per-tensor asymmetric filter, (w - w_zp) (filter_offset)
        w = w - int(w_t["zp"][0])
    if depthwise:
        w = np.transpose(w, (3, 1, 2, 0))  # [O][H][W][1]
    O, KH, KW, I = w.shape
    n, H, W, C = x.shape
    OH, pt = same_pad(H, KH, sh, dh_, padding)
    OW, pl = same_pad(W, KW, sw, dw_, padding)
    in_zp = int(xt["zp"][0])
    xs = x.astype(np.int64) - in_zp
    pad = np.zeros((n, H + KH * dh_ + OH * sh, W + KW * dw_ + OW * sw, C), dtype=np.int64)
    pad[:, pt:pt + H, pl:pl + W, :] = xs
    acc = np.zeros((n, OH, OW, O), dtype=np.int64)
    for ky in range(KH):
        for kx in range(KW):
            win = pad[:, ky * dh_:ky * dh_ + OH * sh:sh, kx * dw_:kx * dw_ + OW * sw:sw, :]
            if depthwise:
                mult = O // C
                acc += np.repeat(win, mult, axis=3) * w[:, ky, kx, 0]
            else:
                acc += np.einsum("nhwc,oc->nhwo", win, w[:, ky, kx, :])
    if b_t is not None:
        acc += b_t["data"].astype(np.int64)
    return requant_out(acc, xt, w_t, yt, act, O)


def requant_out(acc, xt, w_t, yt, act, O, fc=False):
    """int8: 32-bit MultiplyByQuantizedMultiplier; int16 (16x8): the 64-bit one, zero points 0. uint8
    (legacy uint8 models, TFLite's uint8 Conv / DepthwiseConv / FullyConnected): the per-tensor
    multiplier from GetQuantizedConvolutionMultipler (x_scale * w_scale in float, then / y_scale in
    double), the output clamped to CalculateActivationRangeUint8's bounds."""
    ws = w_t["scale"]
    if xt["dtype"] == np.uint8:
        if len(ws) != 1:
            raise SystemExit("uint8 weights must be quantized per tensor (TFLite's rule)")
        ratio = float(np.float32(xt["scale"][0]) * np.float32(ws[0])) / float(np.float32(yt["scale"][0]))
        mult, shift = quantize_multiplier(ratio)
        y = mbqm(acc, mult, shift) + int(yt["zp"][0])
        lo, hi = act_range(act, float(yt["scale"][0]), int(yt["zp"][0]), u8=True)
        return np.clip(y, lo, hi).astype(np.uint8)
    if fc and len(ws) == 1:  # GetQuantizedConvolutionMultipler: the product in float, then double
        ratio = [float(np.float32(xt["scale"][0]) * np.float32(ws[0])) / float(yt["scale"][0])] * O
    else:  # per channel: double(input_scale) * double(filter_scale) / double(output_scale)
        ws = np.repeat(ws, O) if len(ws) == 1 else ws
        ratio = [float(xt["scale"][0]) * float(s) / float(yt["scale"][0]) for s in ws]
    mult, shift = zip(*[quantize_multiplier(r) for r in ratio])
    if yt["dtype"] == np.int16:
        y = mbqm64(acc, np.array(mult, dtype=np.int64), np.array(shift, dtype=np.int64))
        lo, hi = act_range(act, float(yt["scale"][0]), 0, bits=16)
        return np.clip(y, lo, hi).astype(np.int16)
    y = mbqm(acc, np.array(mult, dtype=np.int64), np.array(shift, dtype=np.int64)) + int(yt["zp"][0])
    lo, hi = act_range(act, float(yt["scale"][0]), int(yt["zp"][0]))
    return np.clip(y, lo, hi).astype(np.int8)


def fully_connected(x, m, op):
    o = op["opt"]
    act = scalar(o, 0, N.Int8Flags, 0) if o is not None else 0
    xt, w_t, yt = m.tensors[op["inputs"][0]], m.tensors[op["inputs"][1]], m.tensors[op["outputs"][0]]
    w = w_t["data"].astype(np.int64)  # [O][K]
    if w_t["dtype"] == np.uint8:  # uint8 models: asymmetric per-tensor weights (weights_offset = -w_zp)
        w = w - int(w_t["zp"][0])
    O, K = w.shape
    xs = x.reshape(-1, K).astype(np.int64) - int(xt["zp"][0])
    acc = xs @ w.T
    if len(op["inputs"]) > 2 and op["inputs"][2] >= 0:
        acc += m.tensors[op["inputs"][2]]["data"].astype(np.int64)
    return requant_out(acc, xt, w_t, yt, act, O, fc=True).reshape(yt["shape"])


def add(a, b, m, op):
    o = op["opt"]
    act = scalar(o, 0, N.Int8Flags, 0) if o is not None else 0
    at, bt, yt = m.tensors[op["inputs"][0]], m.tensors[op["inputs"][1]], m.tensors[op["outputs"][0]]
    sa, sb, sy = float(at["scale"][0]), float(bt["scale"][0]), float(yt["scale"][0])
    x16 = yt["dtype"] == np.int16
    left = 15 if x16 else 20  # add_common.cc: 15 for int16 outputs
    twice = 2 * max(sa, sb)
    ma, sha = quantize_multiplier(sa / twice)  # QuantizeMultiplierSmallerThanOneExp
    mb, shb = quantize_multiplier(sb / twice)
    my, shy = quantize_multiplier(twice / ((1 << left) * sy))
    xa = (a.astype(np.int64) - int(at["zp"][0])) * (1 << left)
    xb = (b.astype(np.int64) - int(bt["zp"][0])) * (1 << left)
    sa_ = mbqm(xa, ma, sha)
    sb_ = mbqm(xb, mb, shb)
    y = mbqm(sa_ + sb_, my, shy) + int(yt["zp"][0])
    u8 = yt["dtype"] == np.uint8  # uint8 (reference_ops::Add on uint8): the same rule, limits 0..255
    lo, hi = act_range(act, sy, int(yt["zp"][0]), bits=16 if x16 else 8, u8=u8)
    return np.clip(y, lo, hi).astype(np.uint8 if u8 else np.int16 if x16 else np.int8)


def pool(x, m, op, is_max):
    o = op["opt"]
    padding = scalar(o, 0, N.Int8Flags, 0)
    sw, sh = scalar(o, 1, N.Int32Flags, 1), scalar(o, 2, N.Int32Flags, 1)
    fw, fh = scalar(o, 3, N.Int32Flags, 1), scalar(o, 4, N.Int32Flags, 1)
    act = scalar(o, 5, N.Int8Flags, 0)
    yt = m.tensors[op["outputs"][0]]
    n, H, W, C = x.shape
    OH, pt = same_pad(H, fh, sh, 1, padding)
    OW, pl = same_pad(W, fw, sw, 1, padding)
    y = np.zeros((n, OH, OW, C), dtype=np.int64)
    for oh in range(OH):
        for ow in range(OW):
            h0, w0 = oh * sh - pt, ow * sw - pl
            hs, he = max(h0, 0), min(h0 + fh, H)
            ws, we = max(w0, 0), min(w0 + fw, W)
            win = x[:, hs:he, ws:we, :].astype(np.int64)
            if is_max:
                y[:, oh, ow, :] = win.max(axis=(1, 2))
            elif x.dtype == np.uint8:  # reference_ops::AveragePool on uint8: (acc + count / 2) / count, acc >= 0
                cnt = (he - hs) * (we - ws)
                y[:, oh, ow, :] = (win.sum(axis=(1, 2)) + cnt // 2) // cnt
            else:
                cnt = (he - hs) * (we - ws)
                s = win.sum(axis=(1, 2))
                y[:, oh, ow, :] = np.where(s > 0, (s + cnt // 2) // cnt, -((-s + cnt // 2) // cnt))
    x16 = x.dtype == np.int16  # 16x8: the same rules on int16 (int32 sum)
    lo, hi = act_range(act, float(yt["scale"][0]), int(yt["zp"][0]), bits=16 if x16 else 8, u8=x.dtype == np.uint8)
    return np.clip(y, lo, hi).astype(x.dtype)


# int8 softmax: TFLite's reference integer path (PreprocessSoftmaxScaling, gemmlowp exp).
def fx_mul(a, b):
    return srdhm(a, b)


def exp_on_interval(a):  # a in [-1/4, 0), Q0.31
    c = 1895147668  # exp(-1/8) in Q0.31
    third = 715827883
    x = a + (1 << 28)  # a + 1/8
    x2 = fx_mul(x, x)
    x3 = fx_mul(x2, x)
    x4 = fx_mul(x2, x2)
    x4_over_4 = rdbpot(x4, 2)
    poly = rdbpot(fx_mul(x4_over_4 + x3, third) + x2, 1)
    return c + fx_mul(c, x + poly)


def exp_on_negative_values(a, int_bits):  # a: Q(int_bits).(31-int_bits), <= 0; result Q0.31
    frac_bits = 31 - int_bits
    one_quarter = 1 << (frac_bits - 2)
    mask = one_quarter - 1
    a_mod = (a & mask) - one_quarter
    result = exp_on_interval(a_mod << int_bits)  # rescale to Q0.31
    remainder = a_mod - a
    consts = [(-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308), (2, 39332535),
              (3, 720401), (4, 242)]
    for e, mult in consts:
        if int_bits > e:
            bit = 1 << (frac_bits + e)
            result = np.where((remainder & bit) != 0, fx_mul(result, mult), result)
    if int_bits > 5:
        clamp = -(1 << (frac_bits + 5))
        result = np.where(a < clamp, 0, result)
    return np.where(a == 0, (1 << 31) - 1, result)


def one_over_one_plus_x(a):  # a in Q0.31 [0,1): 1/(1+a) in Q0.31 (gemmlowp's Newton-Raphson)
    a = np.asarray(a, dtype=np.int64)
    half_denominator = (a + (1 << 31)) // 2  # RoundingHalfSum(a, One) for a >= 0
    x = 1515870810 + fx_mul(half_denominator, -1010580540)  # Q2.29: 48/17 - 32/17 * d
    for _ in range(3):
        one_minus = (1 << 29) - fx_mul(half_denominator, x)
        x = x + sat_shl(fx_mul(x, one_minus), 2)
    return sat_shl(x, 1)  # ExactMulByPot<-1> (same raw, Q1.30), then Rescale to Q0.31 (saturating x2)


def sat_shl(x, s):
    v = np.asarray(x, dtype=np.int64) * (1 << s)
    return np.clip(v, -(1 << 31), (1 << 31) - 1)


def softmax(x, m, op):
    o = op["opt"]
    beta = N.Float32Flags.py_type(scalar(o, 0, N.Float32Flags, 1.0))
    xt, yt = m.tensors[op["inputs"][0]], m.tensors[op["outputs"][0]]
    int_bits = 5
    real = min(float(beta) * float(xt["scale"][0]) * (1 << (31 - int_bits)), float((1 << 31) - 1))
    mult, shift = quantize_multiplier(real)  # QuantizeMultiplierGreaterThanOne
    diff_min = -calc_input_radius(int_bits, shift, 31)
    flat = x.reshape(-1, x.shape[-1]).astype(np.int64)
    out = np.zeros_like(flat)
    acc_bits = 12
    for r in range(flat.shape[0]):
        row = flat[r]
        diff = row - row.max()
        use = diff >= diff_min
        scaled = np.where(use, mbqm(diff, mult, shift), 0)  # MultiplyByQuantizedMultiplierGreaterThanOne
        e = exp_on_negative_values(scaled, int_bits)
        s = int(np.sum(np.where(use, rdbpot(e, acc_bits), 0)))  # Q12.19 sum
        headroom = count_leading_zeros32(s)
        shifted_sum_minus_one = np.int64(((s << headroom) & 0xFFFFFFFF) - (1 << 31))
        if shifted_sum_minus_one >= (1 << 31):
            shifted_sum_minus_one -= 1 << 32
        shifted_scale = one_over_one_plus_x(np.array([shifted_sum_minus_one]))[0]
        bits_over_unit = acc_bits - headroom + 31 - 8  # 8 = output bits
        # + numeric_limits<OutputT>::min(): -128 for int8, 0 for uint8 (output zero point 0)
        lo = 0 if yt["dtype"] == np.uint8 else -128
        v = rdbpot(fx_mul(shifted_scale, e), bits_over_unit) + lo
        out[r] = np.where(use, np.clip(v, lo, lo + 255), lo)
    return out.reshape(x.shape).astype(yt["dtype"])


def count_leading_zeros32(v):
    v &= 0xFFFFFFFF
    return 32 - v.bit_length()


def calc_input_radius(int_bits, shift, total_bits):
    m = ((1 << int_bits) - 1) * (1 << (total_bits - int_bits)) / (1 << shift)
    return int(math.floor(m))


def requantize(x, m, op):
    xt, yt = m.tensors[op["inputs"][0]], m.tensors[op["outputs"][0]]
    if x.dtype == np.float32:
        q = np.round(x / yt["scale"][0])  # TFLite float quantize: round half away from zero
        q = np.sign(x / yt["scale"][0]) * np.floor(np.abs(x / yt["scale"][0]) + 0.5)
        if yt["dtype"] == np.int16:  # 16x8 models: the same rule with the int16 limits
            return np.clip(q + int(yt["zp"][0]), -32768, 32767).astype(np.int16)
        if yt["dtype"] == np.uint8:  # AffineQuantize<uint8>: the uint8 limits
            return np.clip(q + int(yt["zp"][0]), 0, 255).astype(np.uint8)
        return np.clip(q + int(yt["zp"][0]), -128, 127).astype(np.int8)
    mult, shift = quantize_multiplier(float(xt["scale"][0]) / float(yt["scale"][0]))
    # int8 / uint8 in and out (reference_ops::Requantize): with equal scales (multiplier 2^30, shift 1)
    # and zero points 128 apart between uint8 and int8, TFLite flips the top bit; otherwise the
    # multiplier path, clamped to the output type's limits.
    out_t = np.dtype(yt["dtype"])
    u8_i8 = x.dtype == np.uint8 and out_t == np.int8
    i8_u8 = x.dtype == np.int8 and out_t == np.uint8
    if mult == 1 << 30 and shift == 1 and (u8_i8 or i8_u8):
        if int(xt["zp"][0]) - int(yt["zp"][0]) == (128 if u8_i8 else -128):
            return (x.view(np.uint8) ^ 0x80).view(out_t)
    y = mbqm(x.astype(np.int64) - int(xt["zp"][0]), mult, shift) + int(yt["zp"][0])
    lo, hi = (0, 255) if out_t == np.uint8 else (-128, 127)
    return np.clip(y, lo, hi).astype(out_t)


# --- stage 2 operators (TFLite Micro's int8 rules) -----------------------------------------------
def q8(m, i):
    t = m.tensors[i]
    return float(t["scale"][0]), int(t["zp"][0])


def f32(v):
    return np.float32(v)


def fused(op, field=0):
    o = op["opt"]
    return scalar(o, field, N.Int8Flags, 0) if o is not None else 0


def sub(a, b, m, op):
    """SUB: ADD's multipliers (TFLite's PrepareGeneralSubOp: double ratios of the float scales; TFLite
    Micro's sub_common.cc divides in float instead), the scaled operands subtracted. int16 (16x8):
    left shift 15 and the int16 limits."""
    (sa, za), (sb, zb), (sy, zy) = q8(m, op["inputs"][0]), q8(m, op["inputs"][1]), q8(m, op["outputs"][0])
    x16 = m.tensors[op["outputs"][0]]["dtype"] == np.int16
    if m.tensors[op["outputs"][0]]["dtype"] == np.uint8:
        return sub_u8(a, b, m, op)
    left = 15 if x16 else 20
    twice = 2 * max(float(sa), float(sb))
    ma, sha = quantize_multiplier(float(sa) / twice)
    mb, shb = quantize_multiplier(float(sb) / twice)
    my, shy = quantize_multiplier(twice / ((1 << left) * float(sy)))
    xa = mbqm((a.astype(np.int64) - za) * (1 << left), ma, sha)
    xb = mbqm((b.astype(np.int64) - zb) * (1 << left), mb, shb)
    y = mbqm(xa - xb, my, shy) + zy
    lo, hi = act_range(fused(op), sy, zy, bits=16 if x16 else 8)
    return np.clip(y, lo, hi).astype(np.int16 if x16 else np.int8)


def sub_u8(a, b, m, op):
    """uint8 SUB (TFLite's sub.cc PrepareGeneralSubOp; TFLite Micro has no uint8 SUB): the ratios in
    double (2 * max scale; scale / that; that / (2^20 * y_scale)), left shift 20, limits 0..255."""
    (sa, za), (sb, zb), (sy, zy) = q8(m, op["inputs"][0]), q8(m, op["inputs"][1]), q8(m, op["outputs"][0])
    twice = 2.0 * max(sa, sb)
    ma, sha = quantize_multiplier(sa / twice)
    mb, shb = quantize_multiplier(sb / twice)
    my, shy = quantize_multiplier(twice / ((1 << 20) * sy))
    xa = mbqm((a.astype(np.int64) - za) * (1 << 20), ma, sha)
    xb = mbqm((b.astype(np.int64) - zb) * (1 << 20), mb, shb)
    y = mbqm(xa - xb, my, shy) + zy
    lo, hi = act_range(fused(op), sy, zy, u8=True)
    return np.clip(y, lo, hi).astype(np.uint8)


def mul(a, b, m, op):
    """MUL: (a - za)(b - zb) scaled by QuantizeMultiplier(sa * sb / sy), the ratio computed in float
    (TFLite's mul.cc, for int8, int16 and uint8; TFLite Micro's mul_common.cc computes it in double)."""
    (sa, za), (sb, zb), (sy, zy) = q8(m, op["inputs"][0]), q8(m, op["inputs"][1]), q8(m, op["outputs"][0])
    mult, shift = quantize_multiplier(float(f32(sa) * f32(sb) / f32(sy)))
    if m.tensors[op["outputs"][0]]["dtype"] == np.uint8:
        y = mbqm((a.astype(np.int64) - za) * (b.astype(np.int64) - zb), mult, shift) + zy
        lo, hi = act_range(fused(op), sy, zy, u8=True)
        return np.clip(y, lo, hi).astype(np.uint8)
    y = mbqm((a.astype(np.int64) - za) * (b.astype(np.int64) - zb), mult, shift) + zy
    x16 = m.tensors[op["outputs"][0]]["dtype"] == np.int16  # 16x8: the same rule, int16 limits
    lo, hi = act_range(fused(op), sy, zy, bits=16 if x16 else 8)
    return np.clip(y, lo, hi).astype(np.int16 if x16 else np.int8)


def mean(x, m, op):
    """MEAN int8 (reduce_common.cc, QuantizedMeanOrSum): the sum minus zp * n, scaled by the
    in/out multiplier folded with 1/n as (mult << s) / n, shift - s, s = min(floor(log2 n), 32,
    31 + shift)."""
    if x.dtype == np.uint8:
        raise SystemExit("uint8 MEAN: TFLite's legacy uint8 paths are not modelled")
    (sx, zx), (sy, zy) = q8(m, op["inputs"][0]), q8(m, op["outputs"][0])
    axes = sorted({int(v) % x.ndim for v in np.atleast_1d(m.tensors[op["inputs"][1]]["data"])})
    keep = scalar(op["opt"], 0, N.BoolFlags, False) if op["opt"] is not None else False
    n = int(np.prod([x.shape[a] for a in axes]))
    mult, shift = quantize_multiplier(sx / sy)
    s = min(n.bit_length() - 1, 32, 31 + shift)
    mult = (mult << s) // n
    shift -= s
    total = x.astype(np.int64).sum(axis=tuple(axes), keepdims=bool(keep))
    y = mbqm(total - zx * n, mult, shift) + zy
    if x.dtype == np.int16:  # 16x8: QuantizedMeanOrSum<int16_t>, the int32 sum clamped to int16
        if n > 65536:
            raise SystemExit("int16 MEAN over more than 65536 values overflows TFLite's int32 sum")
        return np.clip(y, -32768, 32767).astype(np.int16).reshape(m.tensors[op["outputs"][0]]["shape"])
    return np.clip(y, -128, 127).astype(np.int8).reshape(m.tensors[op["outputs"][0]]["shape"])


def pad(x, m, op, v2):
    """PAD / PADV2: the padding value is the output zero point (PAD) or the raw int8 constant (PADV2)."""
    pads = m.tensors[op["inputs"][1]]["data"].astype(np.int64).reshape(-1, 2)
    value = int(q8(m, op["outputs"][0])[1])
    if v2 and len(op["inputs"]) > 2 and op["inputs"][2] >= 0:
        value = int(m.tensors[op["inputs"][2]]["data"].reshape(-1)[0])
    return np.pad(x, [tuple(p) for p in pads], constant_values=value).astype(x.dtype)  # int8, or int16 (16x8)


def requant_clamp(x, m, op, lo_f, hi_f):
    """RELU / RELU6 / RELU_N1_TO_1 (ReluPrepare): x - zx scaled by float(sx / sy) (widened), + zy, clamped
    to zy + round(bound / sy) (float division, roundf)."""
    (sx, zx), (sy, zy) = q8(m, op["inputs"][0]), q8(m, op["outputs"][0])
    x16 = x.dtype == np.int16  # 16x8: QuantizedReluX<int16_t>, the same rule with int16 limits
    if x16 and lo_f == -1.0:
        raise SystemExit("TFLite has no int16 RELU_N1_TO_1 kernel")
    mult, shift = quantize_multiplier(float(f32(sx) / f32(sy)))  # ReluPrepare: a float division
    tmin, tmax = (-32768, 32767) if x16 else (0, 255) if x.dtype == np.uint8 else (-128, 127)  # QuantizedReluX<T>
    q = lambda v: int(zy + round_away(float(f32(v) / f32(sy))))
    lo = tmin if lo_f is None else max(tmin, q(lo_f))
    hi = tmax if hi_f is None else min(tmax, q(hi_f))
    y = mbqm(x.astype(np.int64) - zx, mult, shift) + zy
    return np.clip(y, lo, hi).astype(x.dtype)


def leaky_relu(x, m, op):
    """LEAKY_RELU (leaky_relu_common.cc): identity multiplier float(sx / sy), alpha multiplier
    float(sx * alpha / sy), each widened to double for QuantizeMultiplier."""
    (sx, zx), (sy, zy) = q8(m, op["inputs"][0]), q8(m, op["outputs"][0])
    alpha = f32(scalar(op["opt"], 0, N.Float32Flags, 0.0)) if op["opt"] is not None else f32(0)
    mi, si = quantize_multiplier(float(f32(sx) / f32(sy)))
    ma, sa = quantize_multiplier(float(f32(sx) * alpha / f32(sy)))
    v = x.astype(np.int64) - zx
    pos = mbqm(v, mi, si)
    neg = mbqm(v, abs(ma), sa)
    neg = -neg if ma < 0 else neg
    y = zy + np.where(v >= 0, pos, neg)
    if x.dtype == np.int16:  # 16x8: QuantizeLeakyRelu<int16_t>, the same rule, int16 limits
        return np.clip(y, -32768, 32767).astype(np.int16)
    if x.dtype == np.uint8:  # QuantizeLeakyRelu<uint8_t>
        return np.clip(y, 0, 255).astype(np.uint8)
    return np.clip(y, -128, 127).astype(np.int8)


def resize_nearest(x, m, op):
    """RESIZE_NEAREST_NEIGHBOR (GetNearestNeighbor): the scale and the index in float32."""
    o = op["opt"]
    align = bool(scalar(o, 0, N.BoolFlags, False)) if o is not None else False
    half = bool(scalar(o, 1, N.BoolFlags, False)) if o is not None else False
    oh, ow = [int(v) for v in m.tensors[op["inputs"][1]]["data"]]

    def index(out_size, in_size):
        if align and out_size > 1:
            scale = np.float32(in_size - 1) / np.float32(out_size - 1)
        else:
            scale = np.float32(in_size) / np.float32(out_size)
        idx = []
        for v in range(out_size):
            f = (np.float32(v) + np.float32(0.5 if half else 0.0)) * scale
            i = min(int(round_away(float(f))) if align else int(np.floor(f)), in_size - 1)
            idx.append(max(0, i) if half else i)
        return idx
    return x[:, index(oh, x.shape[1])][:, :, index(ow, x.shape[2])]


def resize_bilinear(x, m, op):
    """RESIZE_BILINEAR. int8: ResizeBilinearInteger (10-bit fixed-point scale and coordinates in
    int32, the 20-bit weighted sum divided by 2^20 rounding half away from zero); float:
    ResizeBilinear (float32 scale and coordinate, floor/ceil neighbours, computed in float64)."""
    o = op["opt"]
    align = bool(scalar(o, 2, N.BoolFlags, False)) if o is not None else False
    half = bool(scalar(o, 3, N.BoolFlags, False)) if o is not None else False
    if x.dtype == np.uint8:
        raise SystemExit("uint8 RESIZE_BILINEAR: TFLite's float-interpolating uint8 kernel is not modelled")
    oh, ow = [int(v) for v in m.tensors[op["inputs"][1]]["data"]]
    n, H, W, C = x.shape

    def trunc_div(a, b):  # C++ integer division
        q = abs(a) // b
        return q if a >= 0 else -q

    def coords_int(out_size, in_size):
        s10 = ((1 << 10) * in_size + out_size // 2) // out_size
        if align and out_size > 1:
            s10 = ((1 << 10) * (in_size - 1) + (out_size - 1) // 2) // (out_size - 1)
        r = []
        for v in range(out_size):
            sv = v * s10 + trunc_div(s10, 2) - (1 << 9) if half else v * s10
            lo = max(trunc_div(sv, 1024), 0)
            hi = min(trunc_div(sv + 1023, 1024), in_size - 1)
            r.append((lo, hi, sv - 1024 * lo))
        return r

    def coords_float(out_size, in_size):
        if align and out_size > 1:
            scale = np.float32(in_size - 1) / np.float32(out_size - 1)
        else:
            scale = np.float32(in_size) / np.float32(out_size)
        r = []
        for v in range(out_size):
            f = (np.float32(v) + np.float32(0.5)) * scale - np.float32(0.5) if half else np.float32(v) * scale
            lo, hi = max(int(np.floor(f)), 0), min(int(np.ceil(f)), in_size - 1)
            r.append((lo, hi, float(f) - lo))
        return r

    if x.dtype in (np.int8, np.int16):  # int16 (16x8, version 4): the same ResizeBilinearInteger
        ys, xs = coords_int(oh, H), coords_int(ow, W)
        v = x.astype(np.int64)
        out = np.zeros((n, oh, ow, C), dtype=np.int64)
        for i, (y0, y1, wy) in enumerate(ys):
            for j, (x0, x1, wx) in enumerate(xs):
                acc = (v[:, y0, x0] * (1024 - wy) * (1024 - wx) + v[:, y1, x0] * wy * (1024 - wx) +
                       v[:, y0, x1] * (1024 - wy) * wx + v[:, y1, x1] * wy * wx)
                rnd = np.where(acc > 0, 1 << 19, -(1 << 19))
                t = acc + rnd
                out[:, i, j] = np.sign(t) * (np.abs(t) // (1 << 20))
        return out.astype(x.dtype)
    ys, xs = coords_float(oh, H), coords_float(ow, W)
    v = x.astype(np.float64)
    out = np.zeros((n, oh, ow, C))
    for i, (y0, y1, wy) in enumerate(ys):
        for j, (x0, x1, wx) in enumerate(xs):
            out[:, i, j] = (v[:, y0, x0] * (1 - wy) * (1 - wx) + v[:, y1, x0] * wy * (1 - wx) +
                            v[:, y0, x1] * (1 - wy) * wx + v[:, y1, x1] * wy * wx)
    return out


def concatenation(xs, m, op):
    axis = scalar(op["opt"], 0, N.Int32Flags, 0)
    return np.concatenate(xs, axis=axis % xs[0].ndim).astype(xs[0].dtype)


def strided_slice(x, m, op):
    o = op["opt"]
    begin = m.tensors[op["inputs"][1]]["data"].astype(np.int64)
    end = m.tensors[op["inputs"][2]]["data"].astype(np.int64)
    strides = m.tensors[op["inputs"][3]]["data"].astype(np.int64)
    bm, em, sm = (scalar(o, f, N.Int32Flags, 0) if o is not None else 0 for f in (0, 1, 4))
    sl = []
    for d in range(x.ndim):
        b = None if bm >> d & 1 else int(begin[d])
        e = None if em >> d & 1 else int(end[d])
        if sm >> d & 1:  # TFLite: start = begin (+ dim if negative) clamped to [0, dim], 0 under
            # begin_mask; end = start + 1 (end and end_mask ignored); nothing copied for a negative stride
            s = int(begin[d]) + (x.shape[d] if begin[d] < 0 else 0)
            s = 0 if bm >> d & 1 else min(max(s, 0), x.shape[d])
            if strides[d] < 0 or s >= x.shape[d]:
                raise SystemExit("STRIDED_SLICE: shrink_axis_mask with a negative stride or begin out of range")
            sl.append(s)
        else:
            sl.append(slice(b, e, int(strides[d])))
    return np.ascontiguousarray(x[tuple(sl)]).reshape(m.tensors[op["outputs"][0]]["shape"])


# LOGISTIC / TANH / HARD_SWISH int8: TFLite Micro's fixed-point kernels, evaluated per input value.
def _i(v):
    return int(np.asarray(v).reshape(-1)[0])


def newton_reciprocal(a):  # gemmlowp's Newton-Raphson iterate for 1 / (1 + a), Q2.29
    s = a + (1 << 31) - 1
    half = (s + (1 if s >= 0 else -1)) // 2 if s >= 0 else -((-s + 1) // 2)
    x = 1515870810 + _i(fx_mul(half, -1010580540))
    for _ in range(3):
        x = x + _i(sat_shl(fx_mul(x, (1 << 29) - _i(fx_mul(half, x))), 2))
    return x


def fx_logistic(a, ib):
    if a == 0:
        return 1 << 30
    pos = _i(sat_shl(newton_reciprocal(_i(exp_on_negative_values(np.array([-abs(a)]), ib))), 1))
    return pos if a > 0 else (1 << 31) - 1 - pos


def fx_tanh(a, ib):
    if a == 0:
        return 0
    t = _i(sat_shl(newton_reciprocal(_i(exp_on_negative_values(np.array([-abs(a)]), ib + 1))) - (1 << 29), 2))
    return -t if a < 0 else t


def logistic_tanh(x, m, op, is_tanh):
    (sx, zx), (sy, zy) = q8(m, op["inputs"][0]), q8(m, op["outputs"][0])
    mant, left = math.frexp(float(np.float32(sx)) * (1 << 27))
    mult = int(round_away(mant * (1 << 31)))
    radius = math.floor(1.0 * 15 * (1 << 27) / (1 << left))
    if x.dtype == np.uint8:
        return logistic_tanh_u8(x, zx, mult, left, radius, is_tanh)
    table = np.zeros(256, np.int64)
    for v in range(-128, 128):
        i = v - zx
        if i <= -radius:
            r = -128
        elif i >= radius:
            r = 127
        else:
            q4 = _i(mbqm(i, mult, left))
            if is_tanh:
                r = _i(rdbpot(fx_tanh(q4, 4), 24))
            else:
                r = _i(rdbpot(fx_logistic(q4, 4), 23)) - 128
            r = min(max(r, -128), 127)
        table[v + 128] = r
    return table[x.astype(np.int64) + 128].astype(np.int8)


def logistic_tanh_u8(x, zx, mult, left, radius, is_tanh):
    """uint8 LOGISTIC / TANH (TFLite's reference uint8 kernels, reference_ops::Logistic / Tanh on uint8):
    centred input x - zx saturating to 0 / 255 at the radius; else MultiplyByQuantizedMultiplier-
    GreaterThanOne to Q4.27, gemmlowp logistic / tanh to Q0.31, RoundingDivideByPOT by 23 (LOGISTIC)
    or 24 + 128 (TANH, output zero point 128), 256 -> 255."""
    table = np.zeros(256, np.int64)
    for v in range(256):
        i = v - zx
        if i <= -radius:
            r = 0
        elif i >= radius:
            r = 255
        else:
            q4 = _i(mbqm(i, mult, left))
            r = _i(rdbpot(fx_tanh(q4, 4), 24)) + 128 if is_tanh else _i(rdbpot(fx_logistic(q4, 4), 23))
            if r == 256:
                r = 255
            assert 0 <= r <= 255
        table[v] = r
    return table[x.astype(np.int64)].astype(np.uint8)


def _s16(v):
    return (int(v) + (1 << 15)) % (1 << 16) - (1 << 15)


def hard_swish(x, m, op):
    (sx, zx), (sy, zy) = q8(m, op["inputs"][0]), q8(m, op["outputs"][0])
    hires = f32(1.0 / 128.0) * f32(sx)
    om32, oexp = quantize_multiplier(float(hires / f32(sy)))
    rm32, rexp = quantize_multiplier(float(hires / f32(3.0 / 32768.0)))
    down = lambda q: 32767 if q >= (1 << 31) - 1 - (1 << 15) else (q + (1 << 15)) >> 16
    om, rm = down(om32), down(rm32)

    def srdhm16(a, b):
        if a == b == -32768:
            return 32767
        ab = a * b
        s = ab + ((1 << 14) if ab >= 0 else (1 - (1 << 14)))
        return int(s / (1 << 15)) if s >= 0 else -int(-s // (1 << 15))

    def sdhm16(a, b):
        if a == b == -32768:
            return 32767
        ab = a * b
        return ab // (1 << 15) if ab >= 0 else -((-ab) // (1 << 15))

    sat16 = lambda v: min(max(v, -32768), 32767)
    u8 = x.dtype == np.uint8  # reference_ops::HardSwish<uint8_t>: the same int16 steps, uint8 limits
    tmin, tmax = (0, 255) if u8 else (-128, 127)
    table = np.zeros(256, np.int64)
    for v in range(tmin, tmax + 1):
        hi = (v - zx) * 128
        pre_out = srdhm16(hi, om)
        rel = hi
        if rexp > 0:
            rel = sat16(rel * (1 << (rexp - 1)))
        rel = srdhm16(rel, rm)
        if rexp > 0:
            rel = sat16(rel * 2)
        if rexp < 0:
            rel = _i(rdbpot(rel, -rexp))
        rel = (rel + (1 << 15)) >> 1
        out = _s16(_i(rdbpot(sdhm16(rel, pre_out), -oexp)) + zy)
        table[v - tmin] = min(max(out, tmin), tmax)
    return table[x.astype(np.int64) - tmin].astype(np.uint8 if u8 else np.int8)


# --- 16x8 (int16) LOGISTIC, TANH, SOFTMAX: TFLite's LUT-based int16 kernels --------------------
# The float steps use the C library's expf / logf (what TFLite calls) through ctypes and numpy
# float32 arithmetic, one IEEE single rounding per operation (no fused multiply-add).
_LIBM = None


def _libm():
    global _LIBM
    if _LIBM is None:
        import ctypes
        import ctypes.util
        _LIBM = ctypes.CDLL(ctypes.util.find_library("m"))
        for fn in ("expf", "logf"):
            getattr(_LIBM, fn).restype = ctypes.c_float
            getattr(_LIBM, fn).argtypes = [ctypes.c_float]
    return _LIBM


def expf(v):
    return np.float32(_libm().expf(float(np.float32(v))))


def checked_log2(x):
    """CheckedLog2 (quantization_util.cc): (rounded log2 computed in float, fraction < 1e-3)."""
    lg = np.float32(_libm().logf(float(np.float32(x)))) * (np.float32(1.0) / np.float32(_libm().logf(2.0)))
    r = np.float32(round_away(float(lg)))
    return int(r), abs(np.float32(lg - r)) < np.float32(1e-3)


def sigmoid_table():
    """TFLite's sigmoid_table_uint16 ("sigmoid(i/24) at 0.16"): entry i < 255 is 65536 sigmoid(i/24)
    raised by half the linear-interpolation error at the midpoint of [i, i+1], rounded; entry 255 is
    65535."""
    f = lambda i: 65536.0 / (1.0 + math.exp(-i / 24.0))
    t = [int(round_away(f(i) + (f(i + 0.5) - (f(i) + f(i + 1)) / 2) / 2)) for i in range(255)]
    return np.array(t + [65535], np.int64)


def logistic_tanh16(x, m, op, is_tanh):
    """reference_integer_ops::Logistic / Tanh for int16 (logistic_common.cc, tanh.cc Prepare)."""
    sx, sy = float(m.tensors[op["inputs"][0]]["scale"][0]), float(m.tensors[op["outputs"][0]]["scale"][0])
    lo2, pot_out = checked_log2(sy)
    if not pot_out or lo2 != -15:
        raise SystemExit("int16 LOGISTIC/TANH: output scale must be 2^-15")
    l2, pot = checked_log2(sx)
    shift = 12 + l2
    pot = pot and (shift == 0 or (is_tanh and shift == 1))
    if pot:
        mult = 0
    else:
        mm, shift = float(np.float32(sx)) * 4096.0 * 3.0, 0
        while mm <= 32767.0 / 2.0 and shift <= 30:
            shift += 1
            mm *= 2.0
        mult = int(mm)
    if mult == 0:  # the kernel's power-of-two case
        mult, shift = 3 << shift, 0
    rnd = (1 << (shift - 1)) if shift > 0 else 0
    v = (x.astype(np.int64) * mult + rnd) >> shift
    a = np.abs(v)
    t = sigmoid_table()
    frac_bits = 8 if is_tanh else 9
    h = a >> frac_bits
    hc = np.minimum(h, 254)
    ut = a & ((1 << frac_bits) - 1)
    interp = (t[hc] << frac_bits) + ut * (t[hc + 1] - t[hc])
    if is_tanh:
        r = np.where(h >= 255, 0xFFFF << 8, interp)
        r = np.where(v >= 0, r - (1 << 23) + (1 << 7), -r + (1 << 23) + (1 << 7) - 1)
        return (r >> 8).astype(np.int16)
    r = np.where(h >= 255, 0x7FFF << 10, interp)
    r = np.where(v >= 0, r + (1 << 9), (1 << 25) - r + (1 << 9) - 1)
    return (r >> 10).astype(np.int16)


def lut_populate16(in_scale, in_zp, out_scale, out_zp, func):
    """TFLite's LUTPopulate<int16_t> (common.h, float version): 513 int16 entries."""
    F = np.float32
    in_scale, out_scale = F(in_scale), F(out_scale)
    in_min, in_max = in_scale * F(-32768 - in_zp), in_scale * F(32767 - in_zp)
    out_min, out_max = out_scale * F(-32768 - out_zp), out_scale * F(32767 - out_zp)
    step = (in_max - in_min) / F(512)
    half = step / F(2)
    inv = F(65536) / (out_max - out_min)
    rnd = lambda v: F(round_away(float(v)))
    lut = []
    for i in range(512):
        v = func(in_min + F(i) * step)
        v_mid = func(in_min + F(i) * step + half)
        v_next = func(in_min + F(i + 1) * step)
        sample = rnd(v * inv)
        interp = rnd((v_next * inv + rnd(v * inv)) / F(2))
        bias = rnd((interp - rnd(v_mid * inv)) / F(2))
        lut.append(int(min(max(float(sample - bias), -32768.0), 32767.0)))
    lut.append(int(min(max(float(rnd(func(in_max) * inv)), -32768.0), 32767.0)))
    return np.array(lut, np.int64)


def lut_lookup16(v, lut):
    """LUTLookup(int16, lut): index 256 + (v >> 7), 7-bit interpolation (the slope wraps to int16)."""
    v = np.asarray(v, np.int64)
    idx = 256 + (v >> 7)
    off = v & 0x7F
    slope = ((lut[idx + 1] - lut[idx] + 32768) & 0xFFFF) - 32768
    return ((lut[idx] + ((slope * off + 64) >> 7) + 32768) & 0xFFFF) - 32768


def softmax16(x, m, op):
    """reference_ops::SoftmaxInt16 with softmax_common.cc's Prepare (TFLite Micro)."""
    beta = N.Float32Flags.py_type(scalar(op["opt"], 0, N.Float32Flags, 1.0))
    sx = float(m.tensors[op["inputs"][0]]["scale"][0])
    mult, shift = quantize_multiplier(sx * float(beta) / (10.0 / 65535.0))
    rng = 65535
    exp_lut = lut_populate16(np.float32(10.0) / np.float32(rng), 32767, np.float32(2.0) / np.float32(rng), 0, expf)
    recip_lut = lut_populate16(np.float32(1.0) / np.float32(rng), -32768, np.float32(2.0) / np.float32(rng), 0,
                               lambda v: np.float32(1.0) / (np.float32(1.0) + v))
    flat = x.reshape(-1, x.shape[-1]).astype(np.int64)
    out = np.zeros_like(flat)
    for r in range(flat.shape[0]):
        row = flat[r]
        s = np.clip(mbqm(row - row.max(), mult, shift) + 32767, -32768, 32767)
        e = lut_lookup16(s, exp_lut)
        total = int(e.sum())
        h = count_leading_zeros32(total)
        t = (((total << (h - 1)) + (1 << 13)) >> 14) - ((1 << 15) + (1 << 16))
        recip = int(lut_lookup16(np.array([min(max(t, -32768), 32767)]), recip_lut)[0])
        rs = 31 - h
        out[r] = np.clip((e * recip + (1 << (rs - 1))) >> rs, 0, 32767)
    return out.reshape(x.shape).astype(np.int16)


# --- float32 models (computed in float64, compared with a tolerance) ------------------------------
def act_f(y, act):
    if act == 1:
        return np.maximum(y, 0)
    if act == 3:
        return np.clip(y, 0, 6)
    if act == 2:
        return np.clip(y, -1, 1)
    return y


def weights_f(t):
    """A float layer's weights; int8 ones (dynamic-range models) dequantized in float32 per channel."""
    w = t["data"]
    if w.dtype == np.int8:
        s = t["scale"].astype(np.float32)
        shape = [1] * w.ndim
        if len(s) > 1:
            shape[t["qdim"]] = len(s)
        w = w.astype(np.float32) * s.reshape(shape)
    return w.astype(np.float64)


def conv_f(x, m, op, depthwise):
    o = op["opt"]
    padding = scalar(o, 0, N.Int8Flags, 0)
    sw, sh = scalar(o, 1, N.Int32Flags, 1), scalar(o, 2, N.Int32Flags, 1)
    act = scalar(o, 4 if depthwise else 3, N.Int8Flags, 0)
    dw_, dh_ = scalar(o, 5 if depthwise else 4, N.Int32Flags, 1), scalar(o, 6 if depthwise else 5, N.Int32Flags, 1)
    w = weights_f(m.tensors[op["inputs"][1]])
    if depthwise:
        w = np.transpose(w, (3, 1, 2, 0))
    O, KH, KW, _ = w.shape
    n, H, W, C = x.shape
    OH, pt = same_pad(H, KH, sh, dh_, padding)
    OW, pl = same_pad(W, KW, sw, dw_, padding)
    pad = np.zeros((n, H + KH * dh_ + OH * sh, W + KW * dw_ + OW * sw, C))
    pad[:, pt:pt + H, pl:pl + W, :] = x
    acc = np.zeros((n, OH, OW, O))
    for ky in range(KH):
        for kx in range(KW):
            win = pad[:, ky * dh_:ky * dh_ + OH * sh:sh, kx * dw_:kx * dw_ + OW * sw:sw, :]
            if depthwise:
                acc += np.repeat(win, O // C, axis=3) * w[:, ky, kx, 0]
            else:
                acc += np.einsum("nhwc,oc->nhwo", win, w[:, ky, kx, :])
    if len(op["inputs"]) > 2 and op["inputs"][2] >= 0:
        acc += m.tensors[op["inputs"][2]]["data"]
    return act_f(acc, act)


def run_float_op(vals, m, op):
    name, o = op["name"], op["opt"]
    a = vals[op["inputs"][0]].astype(np.float64)
    yt = m.tensors[op["outputs"][0]]
    if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        return conv_f(a, m, op, name == "DEPTHWISE_CONV_2D")
    if name == "FULLY_CONNECTED":
        w = weights_f(m.tensors[op["inputs"][1]])
        y = a.reshape(-1, w.shape[1]) @ w.T
        if len(op["inputs"]) > 2 and op["inputs"][2] >= 0:
            y += m.tensors[op["inputs"][2]]["data"]
        return act_f(y, scalar(o, 0, N.Int8Flags, 0) if o is not None else 0).reshape(yt["shape"])
    if name in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        padding = scalar(o, 0, N.Int8Flags, 0)
        sw, sh = scalar(o, 1, N.Int32Flags, 1), scalar(o, 2, N.Int32Flags, 1)
        fw, fh = scalar(o, 3, N.Int32Flags, 1), scalar(o, 4, N.Int32Flags, 1)
        n, H, W, C = a.shape
        OH, pt = same_pad(H, fh, sh, 1, padding)
        OW, pl = same_pad(W, fw, sw, 1, padding)
        y = np.zeros((n, OH, OW, C))
        for oh in range(OH):
            for ow in range(OW):
                h0, w0 = oh * sh - pt, ow * sw - pl
                win = a[:, max(h0, 0):min(h0 + fh, H), max(w0, 0):min(w0 + fw, W), :]
                y[:, oh, ow, :] = win.max(axis=(1, 2)) if name == "MAX_POOL_2D" else win.mean(axis=(1, 2))
        return act_f(y, scalar(o, 5, N.Int8Flags, 0))
    if name in ("RESHAPE", "SQUEEZE"):
        return a.reshape(yt["shape"])
    if name == "SOFTMAX":  # exp(beta * (x - max)) / sum
        beta = float(N.Float32Flags.py_type(scalar(o, 0, N.Float32Flags, 1.0))) if o is not None else 1.0
        e = np.exp(beta * (a - a.max(axis=-1, keepdims=True)))
        return e / e.sum(axis=-1, keepdims=True)
    if name == "LOG_SOFTMAX":  # (x - max) - log(sum exp(x - max))
        d = a - a.max(axis=-1, keepdims=True)
        return d - np.log(np.exp(d).sum(axis=-1, keepdims=True))
    if name in ("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM"):  # numpy broadcasting, as TFLite's
        b = vals[op["inputs"][1]].astype(np.float64)
        y = {"ADD": np.add, "SUB": np.subtract, "MUL": np.multiply, "MAXIMUM": np.maximum,
             "MINIMUM": np.minimum}[name](a, b)
        return act_f(y, scalar(o, 0, N.Int8Flags, 0) if o is not None and name in ("ADD", "SUB", "MUL") else 0)
    if name == "MEAN":
        axes = tuple(sorted({int(v) % a.ndim for v in np.atleast_1d(m.tensors[op["inputs"][1]]["data"])}))
        return a.mean(axis=axes).reshape(yt["shape"])
    if name in ("PAD", "PADV2"):
        pads = m.tensors[op["inputs"][1]]["data"].astype(np.int64).reshape(-1, 2)
        v = 0.0
        if name == "PADV2" and len(op["inputs"]) > 2 and op["inputs"][2] >= 0:
            v = float(m.tensors[op["inputs"][2]]["data"].reshape(-1)[0])
        return np.pad(a, [tuple(p) for p in pads], constant_values=v)
    if name == "CONCATENATION":
        xs = [vals[i].astype(np.float64) for i in op["inputs"]]
        return np.concatenate(xs, axis=scalar(o, 0, N.Int32Flags, 0) % a.ndim)
    if name == "TRANSPOSE":
        return np.ascontiguousarray(np.transpose(a, [int(v) for v in m.tensors[op["inputs"][1]]["data"]]))
    if name == "STRIDED_SLICE":
        return strided_slice(a, m, op)
    if name == "LOGISTIC":
        return 1.0 / (1.0 + np.exp(-a))
    if name == "TANH":
        return np.tanh(a)
    if name == "HARD_SWISH":  # x * relu6(x + 3) / 6
        return a * np.clip(a + 3.0, 0.0, 6.0) / 6.0
    if name == "LEAKY_RELU":  # x > 0 ? x : alpha * x
        alpha = float(N.Float32Flags.py_type(scalar(o, 0, N.Float32Flags, 0.0))) if o is not None else 0.0
        return np.where(a > 0, a, alpha * a)
    if name == "RELU_N1_TO_1":
        return np.clip(a, -1.0, 1.0)
    if name == "RESIZE_BILINEAR":
        return resize_bilinear(a, m, op)
    if name == "RESIZE_NEAREST_NEIGHBOR":
        return resize_nearest(a, m, op)
    if name == "RELU":
        return np.maximum(a, 0)
    if name == "RELU6":
        return np.clip(a, 0, 6)
    raise SystemExit(f"float {name}: not supported by the reference")


def run(m, x):
    vals = {m.inputs[0]: x}
    for i, t in enumerate(m.tensors):
        if t["data"] is not None:
            vals[i] = t["data"]
    for k, op in enumerate(m.ops):
        a = vals[op["inputs"][0]]
        name = op["name"]
        if name != "SPLIT" and a.dtype in (np.float32, np.float64) and name not in ("QUANTIZE",):
            vals[op["outputs"][0]] = run_float_op(vals, m, op)
            continue
        if name == "CONV_2D":
            y = conv(a, m, op, False)
        elif name == "DEPTHWISE_CONV_2D":
            y = conv(a, m, op, True)
        elif name == "FULLY_CONNECTED":
            y = fully_connected(a, m, op)
        elif name == "ADD":
            y = add(a, vals[op["inputs"][1]], m, op)
        elif name in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            y = pool(a, m, op, name == "MAX_POOL_2D")
        elif name in ("RESHAPE", "SQUEEZE"):
            y = a.reshape(m.tensors[op["outputs"][0]]["shape"])
        elif name == "SOFTMAX":
            y = softmax16(a, m, op) if a.dtype == np.int16 else softmax(a, m, op)
        elif name == "QUANTIZE":
            y = requantize(a, m, op)
        elif name in ("DEQUANTIZE", "CAST") and a.dtype == np.float16:  # float16 weights: numpy's half -> float is exact
            y = a.astype(np.float32)
            if m.tensors[op["inputs"][0]]["data"] is not None:  # a constant: its consumers read it as one
                m.tensors[op["outputs"][0]]["data"] = y
        elif name == "DEQUANTIZE":
            t = m.tensors[op["inputs"][0]]
            y = ((a.astype(np.int32) - int(t["zp"][0])).astype(np.float32) * np.float32(t["scale"][0])).astype(np.float32)
        elif name == "SUB":
            y = sub(a, vals[op["inputs"][1]], m, op)
        elif name == "MUL":
            y = mul(a, vals[op["inputs"][1]], m, op)
        elif name in ("MAXIMUM", "MINIMUM"):
            y = (np.maximum if name == "MAXIMUM" else np.minimum)(a, vals[op["inputs"][1]]).astype(a.dtype)
        elif name == "MEAN":
            y = mean(a, m, op)
        elif name in ("PAD", "PADV2"):
            y = pad(a, m, op, name == "PADV2")
        elif name == "RELU":
            y = requant_clamp(a, m, op, 0.0, None)
        elif name == "RELU6":
            y = requant_clamp(a, m, op, 0.0, 6.0)
        elif name == "RELU_N1_TO_1":
            y = requant_clamp(a, m, op, -1.0, 1.0)
        elif name == "LEAKY_RELU":
            y = leaky_relu(a, m, op)
        elif name in ("LOGISTIC", "TANH"):
            y = (logistic_tanh16 if a.dtype == np.int16 else logistic_tanh)(a, m, op, name == "TANH")
        elif name == "HARD_SWISH":
            if a.dtype == np.int16:
                raise SystemExit("TFLite has no int16 HARD_SWISH kernel")
            y = hard_swish(a, m, op)
        elif name == "RESIZE_NEAREST_NEIGHBOR":
            y = resize_nearest(a, m, op)
        elif name == "RESIZE_BILINEAR":
            y = resize_bilinear(a, m, op)
        elif name == "CONCATENATION":
            y = concatenation([vals[i] for i in op["inputs"]], m, op)
        elif name == "TRANSPOSE":
            y = np.ascontiguousarray(np.transpose(a, [int(v) for v in m.tensors[op["inputs"][1]]["data"]]))
        elif name == "STRIDED_SLICE":
            y = strided_slice(a, m, op)
        elif name == "SPLIT":  # inputs: axis, data
            a = vals[op["inputs"][1]]
            axis = int(np.atleast_1d(m.tensors[op["inputs"][0]]["data"])[0]) % a.ndim
            for o_, part in zip(op["outputs"], np.split(a, len(op["outputs"]), axis=axis)):
                vals[o_] = np.ascontiguousarray(part)
            continue
        else:
            raise SystemExit(f"operator {k} ({name}): not supported by the reference")
        vals[op["outputs"][0]] = y
    return vals[m.outputs[0]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--input")
    ap.add_argument("--output")
    ap.add_argument("--ops", action="store_true")
    a = ap.parse_args()
    m = Model(a.model)
    if a.ops:
        for k, op in enumerate(m.ops):
            t = m.tensors[op["outputs"][0]]
            print(k, op["name"], [m.tensors[i]["shape"] for i in op["inputs"] if i >= 0], "->", t["shape"])
        return
    x = np.load(a.input)
    y = run(m, x.reshape(m.tensors[m.inputs[0]]["shape"]).astype(m.tensors[m.inputs[0]]["dtype"]))
    np.save(a.output, y)


if __name__ == "__main__":
    main()
