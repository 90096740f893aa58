#!/usr/bin/python3
"""Generates the single-operator int8 .tflite catalogue of ctest tflite_ops (docs/tflite.md): one small
model per operator variant (broadcast shapes, constant operands, fused activations, per-tensor /
per-channel, edge zero points), plus a few chains that run every new kernel in one program (for the
Cortex-M run). Deterministic (seeded); nothing is committed but this script.

  make_op_models.py OUTDIR        -> OUTDIR/<case>.tflite and OUTDIR/cases.txt (one case per line:
                                     <case> <"chain" for the chained models, else "op">)
  make_op_models.py OUTDIR --list    names only
"""
import os
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import tflite_ref  # noqa: E402
from tflite_writer import *  # noqa: E402,F403

X_SHAPE = [1, 6, 5, 8]


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def i8(rng, shape, lo=-128, hi=128):
    return rng.integers(lo, hi, size=shape).astype(np.int8)


def single(name, build):
    """A model with one int8 input X_SHAPE (or build's own) and one output."""
    w = Writer()
    rng = rng_for(name)
    x, y = build(w, rng)
    return w.finish([x], [y])


def binary(code, otype, b_shape, const, act=0, qa=(0.05, -3), qb=(0.08, 7), qy=(0.1, 2), a_shape=None,
           opts_extra=()):
    def build(w, rng):
        ash = a_shape or X_SHAPE
        out = list(np.broadcast_shapes(tuple(ash), tuple(b_shape)))
        x = w.tensor("x", ash, INT8, *qa)
        if const:
            b = w.tensor("b", b_shape, INT8, *qb, data=i8(rng, b_shape))
        else:  # the second operand derived from the input: a requantized copy (QUANTIZE), reshaped
            assert b_shape == ash
            b = w.tensor("b", b_shape, INT8, *qb)
            w.op(QUANTIZE, [x], [b])
        y = w.tensor("y", out, INT8, *qy)
        opts = [(0, "b", act)] + list(opts_extra) if otype else []
        w.op(code, [x, b], [y], otype, opts)
        return x, y
    return build


def sub_ratio_case(dtype, qa, qb, qy):
    """SUB over many operand pairs, with scales whose multipliers differ in the last bits between
    TFLite's rule (double ratios) and TFLite Micro's (float ratios): a [256, 256] input (int16: a
    permutation of every value, ops_check.py) minus a constant row of 256 values (int8: every value)."""
    def build(w, rng):
        x = w.tensor("x", [256, 256], dtype, *qa)
        row = np.arange(-128, 128) if dtype == INT8 else rng.integers(-32768, 32768, [256])
        b = w.tensor("b", [256], dtype, *qb, data=row)
        y = w.tensor("y", [256, 256], dtype, *qy)
        w.op(SUB, [x, b], [y], SUB_OPTIONS, [(0, "b", 0)])
        return x, y
    return build


def case_unary(code, out_shape, otype=0, opts=(), qx=(0.05, -3), qy=(0.05, -3), shape=None, consts=(), dtype=INT8):
    """consts: (name, shape, type, data) constant inputs after x."""
    def build(w, rng):
        x = w.tensor("x", shape or X_SHAPE, dtype, *qx)
        ins = [x]
        for cn, cs, ct, cd in consts:
            ins.append(w.tensor(cn, cs, ct, data=cd) if ct not in (INT8, INT16, UINT8) else w.tensor(cn, cs, ct, *qy, data=cd))
        y = w.tensor("y", out_shape, dtype, *qy)
        w.op(code, ins, [y], otype, list(opts))
        return x, y
    return build


def cases():
    c = {}
    S = X_SHAPE
    # A single int8 depthwise 3x3 layer (SAME, RELU6): also built for Cortex-M55 (test_tflite_ops.sh), where
    # the Helium kernel's constant-propagated clone once failed to build (-Werror=aggressive-loop-optimizations).
    def dw_single(w, rng):
        x = w.tensor("x", [1, 20, 20, 16], INT8, 0.05, -3)
        y = w.tensor("y", [1, 20, 20, 16], INT8, 0.07, -128)
        wt = w.tensor("w", [1, 3, 3, 16], INT8, [0.01 + 0.001 * i for i in range(16)], qdim=3,
                      data=rng.integers(-127, 128, [1, 3, 3, 16]))
        bt = w.tensor("b", [16], INT32, data=rng.integers(-500, 500, [16]))
        w.op(DEPTHWISE_CONV_2D, [x, wt, bt], [y], DEPTHWISE_OPTIONS, [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "i", 1), (4, "b", 3)])
        return x, y
    c["dwconv_same_relu6"] = dw_single
    # ADD / SUB / MUL with broadcasting, constant operands, fused activations, edge zero points.
    for code, otype, nm in ((ADD, ADD_OPTIONS, "add"), (SUB, SUB_OPTIONS, "sub"), (MUL, MUL_OPTIONS, "mul")):
        c[f"{nm}_same"] = binary(code, otype, S, False)
        c[f"{nm}_bcast_c"] = binary(code, otype, [8], True)                      # per-channel vector
        c[f"{nm}_bcast_hw"] = binary(code, otype, [1, 6, 5, 1], True)            # spatial map
        c[f"{nm}_bcast_w"] = binary(code, otype, [1, 1, 5, 8], True, act=1)      # RELU fused
        c[f"{nm}_scalar"] = binary(code, otype, [1], True, act=3, qb=(0.02, -128))  # RELU6, edge zp
        c[f"{nm}_edge_zp"] = binary(code, otype, S, False, act=2, qa=(0.004, 127), qb=(0.3, -128), qy=(0.02, -128))
    c["add_rank2"] = binary(ADD, ADD_OPTIONS, [1, 8], True, a_shape=[3, 8])
    # TFLite's SUB multipliers (double ratios), not TFLite Micro's (float): differs on a few pairs.
    c["sub_ratio_rule"] = sub_ratio_case(INT8, (0.026225877925753593, 3), (0.07721743732690811, -5),
                                         (0.1108817309141159, 2))
    # TFLite's MUL ratio a_scale * b_scale / y_scale in float (TFLite Micro: double): the int8 image of
    # u8_mul_multiplier_rule, products (a - 0) * (b_c + 28) = +-536 where the two multipliers differ.
    def mul_ratio(w, rng):
        x = w.tensor("x", S, INT8, 0.02621062844991684, 0)
        b = w.tensor("b", [8], INT8, 0.08744554221630096, -28, data=np.array([-20, 39, -36, -95] * 2))
        y = w.tensor("y", S, INT8, 0.014913667924702168, 0)
        w.op(MUL, [x, b], [y], MUL_OPTIONS, [(0, "b", 0)])
        return x, y
    c["mul_ratio_rule"] = mul_ratio
    c["mul_big_scale"] = binary(MUL, MUL_OPTIONS, [8], True, qa=(0.5, 0), qb=(0.9, 3), qy=(0.01, 0))
    for code, nm in ((MAXIMUM, "maximum"), (MINIMUM, "minimum")):  # (same-shape: chain_data, patch_chain)
        c[f"{nm}_bcast"] = binary(code, 0, [1, 1, 5, 8], True, qa=(0.05, -3), qb=(0.05, -3), qy=(0.05, -3))
    # MEAN over H, W (global average pooling), keep_dims both ways; other scales.
    ax = ("axis", [2], INT32, np.array([1, 2], np.int32))
    c["mean_hw_keep"] = case_unary(MEAN, [1, 1, 1, 8], REDUCER_OPTIONS, [(0, "b", 1)], qy=(0.02, 5), consts=[ax])
    c["mean_hw"] = case_unary(MEAN, [1, 8], REDUCER_OPTIONS, [(0, "b", 0)], qx=(0.1, 10), qy=(0.1, 10), consts=[ax])
    c["mean_hw_big"] = case_unary(MEAN, [1, 8], REDUCER_OPTIONS, [(0, "b", 0)], qx=(0.02, -128), qy=(0.5, 100),
                                  shape=[1, 12, 11, 8], consts=[ax])
    # MEAN over other axes (mean_axes_s8_tfl): C, H, W, all three, rank 2.
    axv = lambda *v: ("axis", [len(v)], INT32, np.array(v, np.int32))
    c["mean_c"] = case_unary(MEAN, [1, 6, 5], REDUCER_OPTIONS, [(0, "b", 0)], qy=(0.03, -7), consts=[axv(3)])
    c["mean_c_keep"] = case_unary(MEAN, [1, 6, 5, 1], REDUCER_OPTIONS, [(0, "b", 1)], qy=(0.03, -7), consts=[axv(-1)])
    c["mean_h_keep"] = case_unary(MEAN, [1, 1, 5, 8], REDUCER_OPTIONS, [(0, "b", 1)], qx=(0.02, 100), qy=(0.01, -20),
                                  consts=[axv(1)])
    c["mean_wc_keep"] = case_unary(MEAN, [1, 6, 1, 1], REDUCER_OPTIONS, [(0, "b", 1)], consts=[axv(2, 3)])
    c["mean_hwc"] = case_unary(MEAN, [1], REDUCER_OPTIONS, [(0, "b", 0)], qy=(0.004, 3), consts=[axv(1, 2, 3)])
    c["mean_h"] = case_unary(MEAN, [1, 5, 8], REDUCER_OPTIONS, [(0, "b", 0)], qy=(0.03, 2), consts=[axv(1)])
    c["mean_rank2"] = case_unary(MEAN, [3], REDUCER_OPTIONS, [(0, "b", 0)], shape=[3, 8], consts=[axv(1)])
    c["mean_rank3_axis0"] = case_unary(MEAN, [1, 5, 8], REDUCER_OPTIONS, [(0, "b", 1)], qy=(0.02, 1), shape=[6, 5, 8],
                                       consts=[axv(0)])
    # PAD / PADV2 (spatial and channel padding).
    pads = ("pads", [4, 2], INT32, np.array([[0, 0], [1, 2], [2, 0], [0, 0]], np.int32))
    c["pad_hw"] = case_unary(PAD, [1, 9, 7, 8], consts=[pads])
    c["pad_c"] = case_unary(PAD, [1, 6, 5, 11], qx=(0.05, 40), qy=(0.05, 40),
                            consts=[("pads", [4, 2], INT32, np.array([[0, 0], [0, 0], [0, 0], [1, 2]], np.int32))])
    c["padv2"] = case_unary(PADV2, [1, 9, 7, 8], consts=[pads, ("value", [1], INT8, np.array([-100], np.int8))])
    # Activations.
    c["relu"] = case_unary(RELU, S, qy=(0.03, -128))
    c["relu6"] = case_unary(RELU6, S, qx=(0.1, 0), qy=(6 / 255, -128))
    c["relu_n1_to_1"] = case_unary(RELU_N1_TO_1, S, qx=(0.02, 5), qy=(1 / 127, 0))
    c["leaky_relu"] = case_unary(LEAKY_RELU, S, LEAKY_RELU_OPTIONS, [(0, "f", 0.2)], qy=(0.04, 20))
    c["logistic"] = case_unary(LOGISTIC, S, qx=(0.05, -3), qy=(1 / 256, -128))
    c["logistic_wide"] = case_unary(LOGISTIC, S, qx=(0.2, 30), qy=(1 / 256, -128))
    c["logistic_narrow"] = case_unary(LOGISTIC, S, qx=(0.004, -128), qy=(1 / 256, -128))
    c["tanh"] = case_unary(TANH, S, qx=(0.03, 4), qy=(1 / 128, 0))
    c["tanh_wide"] = case_unary(TANH, S, qx=(0.15, -20), qy=(1 / 128, 0))
    c["hard_swish"] = case_unary(HARD_SWISH, S, qx=(0.05, -3), qy=(0.03, -90))
    c["hard_swish_wide"] = case_unary(HARD_SWISH, S, qx=(0.1, 20), qy=(0.06, -100))
    c["hard_swish_narrow"] = case_unary(HARD_SWISH, S, qx=(0.01, 0), qy=(0.008, -30))
    # CONCATENATION (channels; height), equal quantization (TFLite's rule for int8).
    def concat(axis, q=(0.05, -3)):
        def build(w, rng):
            x = w.tensor("x", S, INT8, 0.05, -3)
            r = w.tensor("r", S, INT8, 0.05, -3)
            w.op(RELU, [x], [r])
            shape = list(S)
            shape[axis] *= 2
            y = w.tensor("y", shape, INT8, *q)
            w.op(CONCATENATION, [x, r], [y], CONCATENATION_OPTIONS, [(0, "i", axis), (1, "b", 0)])
            return x, y
        return build
    c["concat_c"] = concat(3)
    c["concat_h"] = concat(1)
    c["concat_neg_axis"] = concat(-1)
    sz = lambda h, w: ("size", [2], INT32, np.array([h, w], np.int32))
    c["resize_nn_x2"] = case_unary(RESIZE_NEAREST_NEIGHBOR, [1, 12, 10, 8], RESIZE_NN_OPTIONS, [(0, "b", 0), (1, "b", 0)],
                                   consts=[sz(12, 10)])
    c["resize_nn_x3x2_half"] = case_unary(RESIZE_NEAREST_NEIGHBOR, [1, 18, 10, 8], RESIZE_NN_OPTIONS,
                                          [(0, "b", 0), (1, "b", 1)], consts=[sz(18, 10)])
    # RESIZE_NEAREST_NEIGHBOR that is not a replication (resize_s8_tfl with TFLite's indices).
    nn = lambda align, half: [(0, "b", align), (1, "b", half)]
    c["resize_nn_frac"] = case_unary(RESIZE_NEAREST_NEIGHBOR, [1, 9, 7, 8], RESIZE_NN_OPTIONS, nn(0, 0), consts=[sz(9, 7)])
    c["resize_nn_frac_align"] = case_unary(RESIZE_NEAREST_NEIGHBOR, [1, 9, 7, 8], RESIZE_NN_OPTIONS, nn(1, 0),
                                           consts=[sz(9, 7)])
    c["resize_nn_down_half"] = case_unary(RESIZE_NEAREST_NEIGHBOR, [1, 4, 3, 8], RESIZE_NN_OPTIONS, nn(0, 1),
                                          consts=[sz(4, 3)])
    # RESIZE_BILINEAR (TFLite's ResizeBilinearInteger): x2, fractional up and down, the three
    # coordinate rules.
    bl = lambda align, half: [(2, "b", align), (3, "b", half)]
    for nm, (h, w_), opts in (("x2", (12, 10), bl(0, 0)), ("x2_half", (12, 10), bl(0, 1)),
                              ("frac_half", (9, 7), bl(0, 1)), ("frac_align", (11, 8), bl(1, 0)),
                              ("down", (4, 3), bl(0, 0)), ("down_half", (4, 3), bl(0, 1)),
                              ("down_align", (4, 2), bl(1, 0))):
        c[f"resize_bilinear_{nm}"] = case_unary(RESIZE_BILINEAR, [1, h, w_, 8], RESIZE_BILINEAR_OPTIONS, opts,
                                               qx=(0.05, -3), qy=(0.05, -3), consts=[sz(h, w_)])
    # Data movement: TRANSPOSE, STRIDED_SLICE, SPLIT (NHWC axes).
    c["transpose"] = case_unary(TRANSPOSE, [1, 8, 6, 5], consts=[("perm", [4], INT32, np.array([0, 3, 1, 2], np.int32))])
    ss = [("begin", [4], INT32, np.array([0, 1, 0, 2], np.int32)), ("end", [4], INT32, np.array([1, 6, 5, 8], np.int32)),
          ("strides", [4], INT32, np.array([1, 2, 2, 3], np.int32))]
    c["strided_slice"] = case_unary(STRIDED_SLICE, [1, 3, 3, 2], STRIDED_SLICE_OPTIONS,
                                    [(0, "i", 0), (1, "i", 0), (4, "i", 0)], consts=ss)
    # STRIDED_SLICE with shrink_axis_mask (a Slice, then a Reshape alias).
    ssk = lambda b_, e_, st_, n: [("begin", [n], INT32, np.array(b_, np.int32)), ("end", [n], INT32, np.array(e_, np.int32)),
                                  ("strides", [n], INT32, np.array(st_, np.int32))]
    c["strided_slice_shrink_hw"] = case_unary(STRIDED_SLICE, [1, 8], STRIDED_SLICE_OPTIONS, [(4, "i", 6)],
                                              consts=ssk([0, 2, -1, 0], [1, 3, 5, 8], [1, 1, 1, 1], 4))
    c["strided_slice_shrink_h"] = case_unary(STRIDED_SLICE, [1, 5, 8], STRIDED_SLICE_OPTIONS, [(4, "i", 2)],
                                             consts=ssk([0, 1, 0, 0], [1, 2, 5, 8], [1, 1, 1, 1], 4))
    c["strided_slice_shrink_rank2"] = case_unary(STRIDED_SLICE, [4], STRIDED_SLICE_OPTIONS,
                                                 [(0, "i", 0), (1, "i", 2), (4, "i", 1)], shape=[3, 8],
                                                 consts=ssk([-2, 1], [0, 0], [1, 2], 2))
    c["strided_slice_shrink_c"] = case_unary(STRIDED_SLICE, [1, 3, 5], STRIDED_SLICE_OPTIONS,
                                             [(0, "i", 4), (1, "i", 4), (4, "i", 8)],
                                             consts=ssk([0, 0, 0, 5], [1, 6, 5, 6], [1, 2, 1, 1], 4))
    # shrink_axis_mask with begin / end mask bits on the same dim (TFLite: begin_mask -> element 0, the
    # end and end_mask ignored; a begin below -dim clamped to 0)
    c["strided_slice_shrink_masks"] = case_unary(STRIDED_SLICE, [1, 5, 8], STRIDED_SLICE_OPTIONS,
                                                 [(0, "i", 2), (1, "i", 10), (4, "i", 2)],
                                                 consts=ssk([0, 3, 0, 0], [1, 1, 5, 2], [1, 1, 1, 1], 4))
    c["strided_slice_shrink_endmask_rank2"] = case_unary(STRIDED_SLICE, [4], STRIDED_SLICE_OPTIONS,
                                                         [(0, "i", 0), (1, "i", 3), (4, "i", 1)], shape=[3, 8],
                                                         consts=ssk([-5, 1], [0, 0], [1, 2], 2))
    # RESHAPE / FULLY_CONNECTED flatten in TFLite's NHWC element order (Transposes around a Reshape).
    shp = lambda *v: ("shape", [len(v)], INT32, np.array(v, np.int32))
    c["reshape_flatten_nhwc"] = case_unary(RESHAPE, [1, 240], consts=[shp(1, 240)])
    c["reshape_4d_nhwc"] = case_unary(RESHAPE, [1, 3, 10, 8], consts=[shp(1, 3, 10, 8)])
    c["reshape_to_4d_nhwc"] = case_unary(RESHAPE, [1, 4, 3, 5], shape=[1, 60], consts=[shp(1, 4, 3, 5)])
    def fc_flatten(w, rng):
        x = w.tensor("x", X_SHAPE, INT8, 0.05, -3)
        wt = w.tensor("w", [10, 240], INT8, [0.004 + 0.0003 * i for i in range(10)], qdim=0,
                      data=rng.integers(-127, 128, [10, 240]))
        bt = w.tensor("b", [10], INT32, data=rng.integers(-2000, 2000, [10]))
        y = w.tensor("y", [1, 10], INT8, 0.08, 4)
        w.op(FULLY_CONNECTED, [x, wt, bt], [y], FC_OPTIONS, [(0, "b", 0)])
        return x, y
    c["fc_flatten_nhwc"] = fc_flatten
    def fc_keep_dims(w, rng):  # keep_num_dims: [1, 6, 5, 8] x [5, 8]^T -> [1, 6, 5, 5]
        x = w.tensor("x", X_SHAPE, INT8, 0.05, -3)
        wt = w.tensor("w", [5, 8], INT8, 0.01, data=rng.integers(-127, 128, [5, 8]))
        y = w.tensor("y", [1, 6, 5, 5], INT8, 0.03, -2)
        w.op(FULLY_CONNECTED, [x, wt], [y], FC_OPTIONS, [(0, "b", 1), (1, "b", 0), (2, "b", 1)])
        return x, y
    c["fc_keep_num_dims"] = fc_keep_dims
    def split(axis, n):
        def build(w, rng):
            x = w.tensor("x", S, INT8, 0.05, -3)
            a = w.tensor("axis", [], INT32, data=np.array(axis, np.int32))
            shape = list(S)
            shape[axis] //= n
            parts = [w.tensor(f"p{i}", shape, INT8, 0.05, -3) for i in range(n)]
            w.op(SPLIT, [a, x], parts, SPLIT_OPTIONS, [(0, "i", n)])
            y = w.tensor("y", S, INT8, 0.05, -3)
            w.op(CONCATENATION, parts[::-1], [y], CONCATENATION_OPTIONS, [(0, "i", axis), (1, "b", 0)])
            return x, y
        return build
    # MAX_POOL_2D with a fused activation: the clamp at TFLite's quantized bounds (zero point -3).
    mpool = lambda act: [(0, "b", 0), (1, "i", 2), (2, "i", 2), (3, "i", 3), (4, "i", 3), (5, "b", act)]
    c["maxpool_relu6"] = case_unary(MAX_POOL_2D, [1, 3, 3, 8], POOL2D_OPTIONS, mpool(3), qx=(0.03, -3), qy=(0.03, -3))
    c["maxpool_relu"] = case_unary(MAX_POOL_2D, [1, 3, 3, 8], POOL2D_OPTIONS, mpool(1), qx=(0.05, 20), qy=(0.05, 20))
    c["split_c"] = split(3, 2)
    c["split_h"] = split(1, 3)
    return c


def chain():
    """Every new kernel in one model (for the Cortex-M4 run): pad -> sub(bcast) -> mul(bcast) ->
    leaky relu -> relu6 -> max -> concat -> add(bcast) -> mean."""
    w = Writer()
    rng = rng_for("chain")
    S = X_SHAPE
    x = w.tensor("x", S, INT8, 0.05, -3)
    p = w.tensor("p", [1, 8, 7, 8], INT8, 0.05, -3)
    w.op(PAD, [x, w.tensor("pads", [4, 2], INT32, data=np.array([[0, 0], [1, 1], [1, 1], [0, 0]], np.int32))], [p])
    s = w.tensor("s", [1, 8, 7, 8], INT8, 0.07, 4)
    w.op(SUB, [p, w.tensor("sc", [8], INT8, 0.03, 1, data=i8(rng, [8]))], [s], SUB_OPTIONS, [(0, "b", 0)])
    mu = w.tensor("mu", [1, 8, 7, 8], INT8, 0.06, -10)
    w.op(MUL, [s, w.tensor("mc", [1, 8, 7, 1], INT8, 0.02, 0, data=i8(rng, [1, 8, 7, 1]))], [mu], MUL_OPTIONS,
         [(0, "b", 0)])
    lr = w.tensor("lr", [1, 8, 7, 8], INT8, 0.04, 0)
    w.op(LEAKY_RELU, [mu], [lr], LEAKY_RELU_OPTIONS, [(0, "f", 0.1)])
    r6 = w.tensor("r6", [1, 8, 7, 8], INT8, 0.04, 0)
    w.op(RELU6, [lr], [r6])
    mx = w.tensor("mx", [1, 8, 7, 8], INT8, 0.04, 0)
    w.op(MAXIMUM, [r6, lr], [mx])
    cc = w.tensor("cc", [1, 8, 7, 16], INT8, 0.04, 0)
    w.op(CONCATENATION, [mx, lr], [cc], CONCATENATION_OPTIONS, [(0, "i", 3), (1, "b", 0)])
    ad = w.tensor("ad", [1, 8, 7, 16], INT8, 0.05, 3)
    w.op(ADD, [cc, w.tensor("ac", [16], INT8, 0.01, -5, data=i8(rng, [16]))], [ad], ADD_OPTIONS, [(0, "b", 1)])
    y = w.tensor("y", [1, 16], INT8, 0.02, -7)
    w.op(MEAN, [ad, w.tensor("axis", [2], INT32, data=np.array([1, 2], np.int32))], [y], REDUCER_OPTIONS, [(0, "b", 0)])
    return w.finish([x], [y])


def chain_data():
    """Data movement and MINIMUM between NHWC kernels: padv2 -> strided slice -> split -> minimum ->
    transpose -> concat -> mul."""
    w = Writer()
    rng = rng_for("chain_data")
    q = (0.05, -3)
    x = w.tensor("x", X_SHAPE, INT8, *q)
    p = w.tensor("p", [1, 8, 8, 8], INT8, *q)
    w.op(PADV2, [x, w.tensor("pads", [4, 2], INT32, data=np.array([[0, 0], [2, 0], [1, 2], [0, 0]], np.int32)),
                 w.tensor("v", [], INT8, *q, data=np.array(9, np.int8))], [p])
    s = w.tensor("s", [1, 4, 8, 4], INT8, *q)
    w.op(STRIDED_SLICE, [p, w.tensor("b", [4], INT32, data=np.array([0, 0, 0, 1], np.int32)),
                         w.tensor("e", [4], INT32, data=np.array([1, 8, 8, 8], np.int32)),
                         w.tensor("st", [4], INT32, data=np.array([1, 2, 1, 2], np.int32))], [s],
         STRIDED_SLICE_OPTIONS, [(0, "i", 0), (1, "i", 0)])
    p0, p1 = w.tensor("p0", [1, 4, 4, 4], INT8, *q), w.tensor("p1", [1, 4, 4, 4], INT8, *q)
    w.op(SPLIT, [w.tensor("ax", [1], INT32, data=np.array([2], np.int32)), s], [p0, p1], SPLIT_OPTIONS, [(0, "i", 2)])
    mn = w.tensor("mn", [1, 4, 4, 4], INT8, *q)
    w.op(MINIMUM, [p0, p1], [mn])
    t = w.tensor("t", [1, 4, 4, 4], INT8, *q)
    w.op(TRANSPOSE, [mn, w.tensor("perm", [4], INT32, data=np.array([0, 2, 1, 3], np.int32))], [t])
    c = w.tensor("c", [1, 4, 4, 8], INT8, *q)
    w.op(CONCATENATION, [t, p0], [c], CONCATENATION_OPTIONS, [(0, "i", 3)])
    y = w.tensor("y", [1, 4, 4, 8], INT8, 0.04, 6)
    w.op(MUL, [c, w.tensor("k", [8], INT8, 0.03, 2, data=i8(rng, [8]))], [y], MUL_OPTIONS, [(0, "b", 0)])
    return w.finish([x], [y])


def chain_act():
    """The table-driven activations after NHWC kernels: mul -> hard swish -> tanh -> pad -> logistic."""
    w = Writer()
    rng = rng_for("chain_act")
    x = w.tensor("x", X_SHAPE, INT8, 0.05, -3)
    mu = w.tensor("mu", X_SHAPE, INT8, 0.04, 1)
    w.op(MUL, [x, w.tensor("k", [8], INT8, 0.03, 0, data=i8(rng, [8]))], [mu], MUL_OPTIONS, [(0, "b", 0)])
    hs = w.tensor("hs", X_SHAPE, INT8, 0.03, -60)
    w.op(HARD_SWISH, [mu], [hs])
    th = w.tensor("th", X_SHAPE, INT8, 1 / 128, 0)
    w.op(TANH, [hs], [th])
    pd = w.tensor("pd", [1, 7, 6, 8], INT8, 1 / 128, 0)
    w.op(PAD, [th, w.tensor("pads", [4, 2], INT32, data=np.array([[0, 0], [1, 0], [0, 1], [0, 0]], np.int32))], [pd])
    y = w.tensor("y", [1, 7, 6, 8], INT8, 1 / 256, -128)
    w.op(LOGISTIC, [pd], [y])
    return w.finish([x], [y])


def chain_resize():
    """Resizes between NHWC kernels (relayouts around them): conv -> RESIZE_BILINEAR (half pixel) ->
    RESIZE_NEAREST_NEIGHBOR (fractional, align_corners) -> ADD (bcast) -> RESIZE_BILINEAR (down)."""
    w = Writer()
    rng = rng_for("chain_resize")
    x = w.tensor("x", X_SHAPE, INT8, 0.05, -3)
    c = w.tensor("c", [1, 6, 5, 4], INT8, 0.06, 2)
    w.op(CONV_2D, [x, w.tensor("cw", [4, 3, 3, 8], INT8, [0.01, 0.012, 0.014, 0.016], qdim=0,
                               data=rng.integers(-127, 128, [4, 3, 3, 8])),
                   w.tensor("cb", [4], INT32, data=rng.integers(-500, 500, [4]))], [c], CONV2D_OPTIONS,
         [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "b", 0)])
    sz = lambda h, w_: w.tensor(f"size_{h}x{w_}", [2], INT32, data=np.array([h, w_], np.int32))
    r1 = w.tensor("r1", [1, 11, 9, 4], INT8, 0.06, 2)
    w.op(RESIZE_BILINEAR, [c, sz(11, 9)], [r1], RESIZE_BILINEAR_OPTIONS, [(2, "b", 0), (3, "b", 1)])
    r2 = w.tensor("r2", [1, 14, 13, 4], INT8, 0.06, 2)
    w.op(RESIZE_NEAREST_NEIGHBOR, [r1, sz(14, 13)], [r2], RESIZE_NN_OPTIONS, [(0, "b", 1), (1, "b", 0)])
    a = w.tensor("a", [1, 14, 13, 4], INT8, 0.05, -1)
    w.op(ADD, [r2, w.tensor("ac", [4], INT8, 0.02, 3, data=i8(rng, [4]))], [a], ADD_OPTIONS, [(0, "b", 0)])
    y = w.tensor("y", [1, 5, 6, 4], INT8, 0.05, -1)
    w.op(RESIZE_BILINEAR, [a, sz(5, 6)], [y], RESIZE_BILINEAR_OPTIONS, [(2, "b", 0), (3, "b", 0)])
    return w.finish([x], [y])


def float_resize():
    """A float32 model: RESIZE_BILINEAR (half pixel, fractional) -> RELU -> RESIZE_BILINEAR
    (align_corners) -> RESIZE_NEAREST_NEIGHBOR (fractional) -> RESIZE_NEAREST_NEIGHBOR (x2)."""
    w = Writer()
    sz = lambda h, w_: w.tensor(f"size_{h}x{w_}", [2], INT32, data=np.array([h, w_], np.int32))
    x = w.tensor("x", X_SHAPE, FLOAT32)
    a = w.tensor("a", [1, 9, 7, 8], FLOAT32)
    w.op(RESIZE_BILINEAR, [x, sz(9, 7)], [a], RESIZE_BILINEAR_OPTIONS, [(2, "b", 0), (3, "b", 1)])
    r = w.tensor("r", [1, 9, 7, 8], FLOAT32)
    w.op(RELU, [a], [r])
    b = w.tensor("b", [1, 5, 11, 8], FLOAT32)
    w.op(RESIZE_BILINEAR, [r, sz(5, 11)], [b], RESIZE_BILINEAR_OPTIONS, [(2, "b", 1), (3, "b", 0)])
    n = w.tensor("n", [1, 7, 6, 8], FLOAT32)
    w.op(RESIZE_NEAREST_NEIGHBOR, [b, sz(7, 6)], [n], RESIZE_NN_OPTIONS, [(0, "b", 0), (1, "b", 1)])
    y = w.tensor("y", [1, 14, 12, 8], FLOAT32)
    w.op(RESIZE_NEAREST_NEIGHBOR, [n, sz(14, 12)], [y], RESIZE_NN_OPTIONS, [(0, "b", 0), (1, "b", 0)])
    return w.finish([x], [y])


# ---- TFLite's 16x8 quantization: int16 activations (zero point 0), int8 weights, int64 bias ----
def conv16(w, rng, src, shape_in, cout, k, stride, name, scale_out, act=0, depthwise=False, padding=0, mult=1):
    n, h, w_, cin = shape_in
    if padding == 0:  # SAME
        oh, ow = -(-h // stride), -(-w_ // stride)
    else:
        oh, ow = (h - k) // stride + 1, (w_ - k) // stride + 1
    cout = cin * mult if depthwise else cout
    y = w.tensor(name, [n, oh, ow, cout], INT16, scale_out, 0)
    wshape = [1, k, k, cout] if depthwise else [cout, k, k, cin]
    wt = w.tensor(name + "_w", wshape, INT8, [0.004 + 0.0005 * i for i in range(cout)], qdim=3 if depthwise else 0,
                  data=rng.integers(-127, 128, wshape))
    bt = w.tensor(name + "_b", [cout], INT64, data=rng.integers(-40000, 40000, [cout]))
    if depthwise:
        w.op(DEPTHWISE_CONV_2D, [src, wt, bt], [y], DEPTHWISE_OPTIONS,
             [(0, "b", padding), (1, "i", stride), (2, "i", stride), (3, "i", mult), (4, "b", act)])
    else:
        w.op(CONV_2D, [src, wt, bt], [y], CONV2D_OPTIONS, [(0, "b", padding), (1, "i", stride), (2, "i", stride), (3, "b", act)])
    return y, [n, oh, ow, cout]


def x16_cases():
    c = {}
    def conv_case(stride, act, depthwise, padding, mult=1, cout=12):
        def build(w, rng):
            x = w.tensor("x", X_SHAPE, INT16, 0.0005, 0)
            y, _ = conv16(w, rng, x, X_SHAPE, cout, 3, stride, "y", 0.003, act, depthwise, padding, mult)
            return x, y
        return build
    c["conv16"] = conv_case(1, 0, False, 0)
    c["conv16_s2_valid_relu"] = conv_case(2, 1, False, 1)
    c["dwconv16"] = conv_case(1, 3, True, 0)
    c["dwconv16_mult2_s2"] = conv_case(2, 0, True, 1, mult=2)
    def fc_case(per_channel, act):
        def build(w, rng):
            x = w.tensor("x", [2, 40], INT16, 0.0007, 0)
            sc = [0.003 + 0.0002 * i for i in range(10)] if per_channel else 0.004
            wt = w.tensor("w", [10, 40], INT8, sc, qdim=0, data=rng.integers(-127, 128, [10, 40]))
            bt = w.tensor("b", [10], INT64, data=rng.integers(-30000, 30000, [10]))
            y = w.tensor("y", [2, 10], INT16, 0.002, 0)
            w.op(FULLY_CONNECTED, [x, wt, bt], [y], FC_OPTIONS, [(0, "b", act)])
            return x, y
        return build
    c["fc16"] = fc_case(False, 0)
    c["fc16_per_channel_relu6"] = fc_case(True, 3)
    def add_case(act):
        def build(w, rng):
            x = w.tensor("x", X_SHAPE, INT16, 0.0005, 0)
            cv, _ = conv16(w, rng, x, X_SHAPE, 8, 1, 1, "cv", 0.0011)
            y = w.tensor("y", X_SHAPE, INT16, 0.0009, 0)
            w.op(ADD, [cv, x], [y], ADD_OPTIONS, [(0, "b", act)])
            return x, y
        return build
    c["add16"] = add_case(0)
    c["add16_relu"] = add_case(1)
    # ADD / SUB / MUL on int16 with broadcasting: constant operands of several shapes and scales, a
    # computed [1, 1, 1, C] operand (a 5x5 stride-5 VALID conv of the input), fused activations.
    def bin16(code, otype, b_shape, act=0, qa=0.0005, qb=0.0007, qy=0.0009, a_shape=None, computed=False):
        def build(w, rng):
            ash = a_shape or X_SHAPE
            x = w.tensor("x", ash, INT16, qa, 0)
            if computed:
                b, _ = conv16(w, rng, x, ash, ash[3], 5, 5, "b", qb, padding=1)
            else:
                b = w.tensor("b", b_shape, INT16, qb, 0, data=rng.integers(-32768, 32768, b_shape))
            out = list(np.broadcast_shapes(tuple(ash), tuple(b_shape)))
            y = w.tensor("y", out, INT16, qy, 0)
            w.op(code, [x, b], [y], otype, [(0, "b", act)])
            return x, y
        return build
    for code, otype, nm in ((ADD, ADD_OPTIONS, "add"), (SUB, SUB_OPTIONS, "sub"), (MUL, MUL_OPTIONS, "mul")):
        qy = 0.002 if code == MUL else 0.0009  # MUL: product scale 0.0005 * 0.0007 / qy
        c[f"{nm}16_bcast_c"] = bin16(code, otype, [8], qy=qy)
        c[f"{nm}16_bcast_hw_relu"] = bin16(code, otype, [1, 6, 5, 1], act=1, qb=0.0011, qy=qy)
        c[f"{nm}16_bcast_w_relu6"] = bin16(code, otype, [1, 1, 5, 8], act=3, qa=0.0003, qb=0.00002, qy=qy)
        c[f"{nm}16_scalar"] = bin16(code, otype, [1], qb=0.002, qy=qy)
        c[f"{nm}16_rank2"] = bin16(code, otype, [8], a_shape=[4, 8], qy=qy)
        c[f"{nm}16_bcast_computed"] = bin16(code, otype, [1, 1, 1, 8], qb=0.003, qy=qy, computed=True)
    c["mul16_product_scale_gt1"] = bin16(MUL, MUL_OPTIONS, [8], qa=0.05, qb=0.03, qy=0.0004)
    # The scales of TFLite Micro's seanet sub0 integration test (scripts/tflm_goldens.py).
    c["sub16_ratio_rule"] = sub_ratio_case(INT16, (0.0009693715837784111, 0), (8.709842404641677e-06, 0),
                                           (0.0005941494018770754, 0))
    # MUL's ratio in float: every int16 value (a 65536-element input) times 8 (products 8x, 536 among them).
    def mul16_ratio(w, rng):
        x = w.tensor("x", [256, 256], INT16, 0.02621062844991684, 0)
        b = w.tensor("b", [256], INT16, 0.08744554221630096, 0, data=np.full([256], 8))
        y = w.tensor("y", [256, 256], INT16, 0.014913667924702168, 0)
        w.op(MUL, [x, b], [y], MUL_OPTIONS, [(0, "b", 0)])
        return x, y
    c["mul16_ratio_rule"] = mul16_ratio
    # LOGISTIC / TANH over the full int16 range (the 65536-element input is a permutation of every
    # int16 value, tests/tflite/ops_check.py): TFLite's power-of-two paths (2^-12; TANH also 2^-11;
    # 2^-12 * 1.0004 is "a power of two" to CheckedLog2) and general scales.
    for code, nm in ((LOGISTIC, "logistic16"), (TANH, "tanh16")):
        for tag, sx in (("pot12", 2.0 ** -12), ("pot11", 2.0 ** -11), ("near_pot12", 2.0 ** -12 * 1.0004),
                        ("s3000", 1 / 3000), ("s0005", 0.0005), ("pot15", 2.0 ** -15), ("s004", 0.004),
                        ("s2", 2.0)):
            c[f"{nm}_{tag}"] = case_unary(code, [1, 256, 256], qx=(sx, 0), qy=(1 / 32768, 0), shape=[1, 256, 256],
                                          dtype=INT16)
    # SOFTMAX on int16: several row lengths (1 .. 1000, beyond int8's 256), betas and input scales,
    # rank 2, 3 and 4 (the last NHWC dim).
    for tag, shape, beta, sx in (("l1", [3, 1], 1.0, 0.001), ("l5", [4, 5], 1.0, 0.001), ("l8_nhwc", X_SHAPE, 1.0, 1 / 4096),
                                 ("l37_beta05", [2, 3, 37], 0.5, 0.0003), ("l300", [2, 300], 1.0, 0.0005),
                                 ("l1000_beta25", [1, 1000], 2.5, 0.0002), ("l16_s01", [6, 16], 1.0, 0.01),
                                 ("l10_tiny", [5, 10], 1.0, 1e-6)):
        c[f"softmax16_{tag}"] = case_unary(SOFTMAX, shape, SOFTMAX_OPTIONS, [(0, "f", beta)], qx=(sx, 0),
                                           qy=(1 / 32768, 0), shape=shape, dtype=INT16)
    return c


def chain16():
    """16x8 chain: conv -> depthwise -> add (residual) -> reshape -> fully connected."""
    w = Writer()
    rng = rng_for("chain16")
    x = w.tensor("x", [1, 6, 6, 4], INT16, 0.0005, 0)
    c1, s1 = conv16(w, rng, x, [1, 6, 6, 4], 8, 3, 1, "c1", 0.002, 1)
    d1, s2 = conv16(w, rng, c1, s1, 8, 3, 1, "d1", 0.003, 0, depthwise=True)
    a = w.tensor("a", s2, INT16, 0.004, 0)
    w.op(ADD, [d1, c1], [a], ADD_OPTIONS, [(0, "b", 0)])
    p, s3 = conv16(w, rng, a, s2, 1, 3, 2, "p", 0.004, 0)  # -> [1, 3, 3, 1]
    r = w.tensor("r", [1, 9], INT16, 0.004, 0)
    w.op(RESHAPE, [p, w.tensor("shape", [2], INT32, data=np.array([1, 9], np.int32))], [r])
    y = w.tensor("y", [1, 5], INT16, 0.01, 0)
    w.op(FULLY_CONNECTED, [r, w.tensor("fw", [5, 9], INT8, [0.01 + 0.001 * i for i in range(5)], qdim=0,
                                       data=rng.integers(-127, 128, [5, 9])),
                           w.tensor("fb", [5], INT64, data=rng.integers(-5000, 5000, [5]))], [y], FC_OPTIONS, [(0, "b", 0)])
    return w.finish([x], [y])


def chain16_act():
    """16x8 chain of the LUT operators and broadcasts: conv -> LOGISTIC -> MUL (by the input) -> TANH
    -> ADD [C] constant -> SUB of a computed [1, 1, 1, C] -> RESHAPE -> FULLY_CONNECTED -> SOFTMAX."""
    w = Writer()
    rng = rng_for("chain16_act")
    x = w.tensor("x", X_SHAPE, INT16, 0.0005, 0)
    c1, s1 = conv16(w, rng, x, X_SHAPE, 8, 3, 1, "c1", 0.0008)
    lg = w.tensor("lg", s1, INT16, 1 / 32768, 0)
    w.op(LOGISTIC, [c1], [lg])
    mu = w.tensor("mu", s1, INT16, 0.0003, 0)
    w.op(MUL, [lg, x], [mu], MUL_OPTIONS, [(0, "b", 0)])
    th = w.tensor("th", s1, INT16, 1 / 32768, 0)
    w.op(TANH, [mu], [th])
    ad = w.tensor("ad", s1, INT16, 0.0001, 0)
    w.op(ADD, [th, w.tensor("ac", [8], INT16, 0.00005, 0, data=rng.integers(-32768, 32768, [8]))], [ad], ADD_OPTIONS,
         [(0, "b", 1)])
    pl, _ = conv16(w, rng, ad, s1, 8, 5, 5, "pl", 0.0002, padding=1)  # [1, 1, 1, 8]
    sb = w.tensor("sb", s1, INT16, 0.0002, 0)
    w.op(SUB, [ad, pl], [sb], SUB_OPTIONS, [(0, "b", 0)])
    r = w.tensor("r", [1, 240], INT16, 0.0002, 0)
    w.op(RESHAPE, [sb, w.tensor("shape", [2], INT32, data=np.array([1, 240], np.int32))], [r])
    fc = w.tensor("fc", [1, 10], INT16, 0.001, 0)
    w.op(FULLY_CONNECTED, [r, w.tensor("fw", [10, 240], INT8, 0.01, qdim=0, data=rng.integers(-127, 128, [10, 240])),
                           w.tensor("fb", [10], INT64, data=rng.integers(-5000, 5000, [10]))], [fc], FC_OPTIONS,
         [(0, "b", 0)])
    y = w.tensor("y", [1, 10], INT16, 1 / 32768, 0)
    w.op(SOFTMAX, [fc], [y], SOFTMAX_OPTIONS, [(0, "f", 1.0)])
    return w.finish([x], [y])


# ---- 16x8: the remaining int16 operators (TFLite's int16 kernels; docs/tflite.md "16x8 models") ----
def x16_more_cases():
    c = {}
    S = X_SHAPE
    u16 = lambda code, out, otype=0, opts=(), qx=0.0005, qy=0.0005, shape=None, consts=(): case_unary(
        code, out, otype, list(opts), qx=(qx, 0), qy=(qy, 0), shape=shape, consts=list(consts), dtype=INT16)
    def pad16_conv(dw):  # PAD (value 0) -> 3x3 stride-2 VALID conv / depthwise: folded into the conv's padding
        def build(w, rng):
            x = w.tensor("x", S, INT16, 0.001, 0)
            p = w.tensor("p", [1, 8, 7, 8], INT16, 0.001, 0)
            w.op(PAD, [x, w.tensor("pads", [4, 2], INT32, data=np.array([[0, 0], [1, 1], [1, 1], [0, 0]], np.int32))], [p])
            y, _ = conv16(w, rng, p, [1, 8, 7, 8], 12, 3, 2, "y", 0.002, depthwise=dw, padding=1)
            return x, y
        return build
    c["pad16_conv_fold"] = pad16_conv(False)
    c["pad16_dw_fold"] = pad16_conv(True)
    # MAXIMUM / MINIMUM (raw int16 compare, one scale): a constant broadcast operand, a computed one.
    def minmax16(code, b_shape, computed=False):
        def build(w, rng):
            x = w.tensor("x", S, INT16, 0.001, 0)
            if computed:  # the second operand: RELU of the input, same scale
                b = w.tensor("b", S, INT16, 0.001, 0)
                w.op(RELU, [x], [b])
            else:
                b = w.tensor("b", b_shape, INT16, 0.001, 0, data=rng.integers(-32768, 32768, b_shape))
            y = w.tensor("y", S, INT16, 0.001, 0)
            w.op(code, [x, b], [y])
            return x, y
        return build
    c["maximum16_bcast"] = minmax16(MAXIMUM, [1, 1, 5, 8])
    c["minimum16_same"] = minmax16(MINIMUM, S, computed=True)
    # RELU / RELU6 (requantized: float(x_scale / y_scale), the clamp from the output scale), LEAKY_RELU.
    c["relu16"] = u16(RELU, S, qx=0.0005, qy=0.0003)
    c["relu16_same_scale"] = u16(RELU, S, qx=0.0007, qy=0.0007)
    c["relu6_16"] = u16(RELU6, S, qx=0.001, qy=0.0002)
    c["leaky_relu16"] = u16(LEAKY_RELU, S, LEAKY_RELU_OPTIONS, [(0, "f", 0.2)], qx=0.0005, qy=0.0004)
    c["leaky_relu16_neg_alpha"] = u16(LEAKY_RELU, S, LEAKY_RELU_OPTIONS, [(0, "f", -0.3)], qx=0.0005, qy=0.0007)
    # AVERAGE_POOL_2D / MAX_POOL_2D (SAME / VALID, fused RELU6 / RELU).
    pool = lambda pad, s, f, act: [(0, "b", pad), (1, "i", s), (2, "i", s), (3, "i", f), (4, "i", f), (5, "b", act)]
    c["avgpool16_same_relu6"] = u16(AVERAGE_POOL_2D, [1, 3, 3, 8], POOL2D_OPTIONS, pool(0, 2, 3, 3), qx=0.0003, qy=0.0003)
    c["avgpool16_valid"] = u16(AVERAGE_POOL_2D, [1, 3, 2, 8], POOL2D_OPTIONS, pool(1, 2, 2, 0))
    c["maxpool16_same_relu"] = u16(MAX_POOL_2D, [1, 3, 3, 8], POOL2D_OPTIONS, pool(0, 2, 3, 1))
    c["maxpool16_valid"] = u16(MAX_POOL_2D, [1, 5, 4, 8], POOL2D_OPTIONS, pool(1, 1, 2, 0))
    # MEAN: over H, W (keep_dims both ways), over C, over H; the multiplier folding with n.
    axv = lambda *v: ("axis", [len(v)], INT32, np.array(v, np.int32))
    c["mean16_hw"] = u16(MEAN, [1, 8], REDUCER_OPTIONS, [(0, "b", 0)], qy=0.0002, consts=[axv(1, 2)])
    c["mean16_hw_keep"] = u16(MEAN, [1, 1, 1, 8], REDUCER_OPTIONS, [(0, "b", 1)], qy=0.0011, consts=[axv(1, 2)])
    c["mean16_c"] = u16(MEAN, [1, 6, 5], REDUCER_OPTIONS, [(0, "b", 0)], qy=0.0003, consts=[axv(3)])
    c["mean16_h_keep"] = u16(MEAN, [1, 1, 5, 8], REDUCER_OPTIONS, [(0, "b", 1)], qy=0.0005, consts=[axv(1)])
    # PAD (zero) / PADV2 (a raw int16 value).
    pads = ("pads", [4, 2], INT32, np.array([[0, 0], [1, 2], [2, 0], [0, 1]], np.int32))
    c["pad16"] = u16(PAD, [1, 9, 7, 9], consts=[pads])
    c["padv2_16"] = u16(PADV2, [1, 9, 7, 9], consts=[pads, ("value", [1], INT16, np.array([-1234], np.int16))])
    # CONCATENATION (channels, height; equal scales), TRANSPOSE, STRIDED_SLICE, SPLIT.
    def concat16(axis):
        def build(w, rng):
            x = w.tensor("x", S, INT16, 0.0005, 0)
            r = w.tensor("r", S, INT16, 0.0005, 0)
            w.op(RELU, [x], [r])
            shape = list(S)
            shape[axis] *= 2
            y = w.tensor("y", shape, INT16, 0.0005, 0)
            w.op(CONCATENATION, [r, x], [y], CONCATENATION_OPTIONS, [(0, "i", axis), (1, "b", 0)])
            return x, y
        return build
    c["concat16_c"] = concat16(3)
    c["concat16_h"] = concat16(1)
    c["transpose16"] = u16(TRANSPOSE, [1, 8, 6, 5], consts=[("perm", [4], INT32, np.array([0, 3, 1, 2], np.int32))])
    ss = [("begin", [4], INT32, np.array([0, 1, 0, 2], np.int32)), ("end", [4], INT32, np.array([1, 6, 5, 8], np.int32)),
          ("strides", [4], INT32, np.array([1, 2, 2, 3], np.int32))]
    c["strided_slice16"] = u16(STRIDED_SLICE, [1, 3, 3, 2], STRIDED_SLICE_OPTIONS, [(0, "i", 0), (1, "i", 0), (4, "i", 0)],
                               consts=ss)
    c["strided_slice16_shrink_masks"] = u16(STRIDED_SLICE, [1, 5, 8], STRIDED_SLICE_OPTIONS,
                                            [(0, "i", 2), (1, "i", 10), (4, "i", 2)],
                                            consts=[("begin", [4], INT32, np.array([0, 3, 0, 0], np.int32)),
                                                             ("end", [4], INT32, np.array([1, 1, 5, 2], np.int32)),
                                                             ("strides", [4], INT32, np.array([1, 1, 1, 1], np.int32))])
    def split16(w, rng):
        x = w.tensor("x", S, INT16, 0.0005, 0)
        a = w.tensor("axis", [], INT32, data=np.array(3, np.int32))
        parts = [w.tensor(f"p{i}", [1, 6, 5, 4], INT16, 0.0005, 0) for i in range(2)]
        w.op(SPLIT, [a, x], parts, SPLIT_OPTIONS, [(0, "i", 2)])
        y = w.tensor("y", [1, 6, 5, 4], INT16, 0.0005, 0)
        w.op(SUB, parts, [y], SUB_OPTIONS, [(0, "b", 0)])
        return x, y
    c["split16"] = split16
    # RESIZE_NEAREST_NEIGHBOR / RESIZE_BILINEAR (TFLite's integer rule on int16, version 4).
    sz = lambda h, w_: ("size", [2], INT32, np.array([h, w_], np.int32))
    c["resize_nn16_x2"] = u16(RESIZE_NEAREST_NEIGHBOR, [1, 12, 10, 8], RESIZE_NN_OPTIONS, [(0, "b", 0), (1, "b", 0)],
                              consts=[sz(12, 10)])
    c["resize_nn16_frac_align"] = u16(RESIZE_NEAREST_NEIGHBOR, [1, 9, 7, 8], RESIZE_NN_OPTIONS, [(0, "b", 1), (1, "b", 0)],
                                      consts=[sz(9, 7)])
    c["resize_bilinear16_half"] = u16(RESIZE_BILINEAR, [1, 9, 7, 8], RESIZE_BILINEAR_OPTIONS, [(2, "b", 0), (3, "b", 1)],
                                      consts=[sz(9, 7)])
    c["resize_bilinear16_align_down"] = u16(RESIZE_BILINEAR, [1, 4, 3, 8], RESIZE_BILINEAR_OPTIONS,
                                            [(2, "b", 1), (3, "b", 0)], consts=[sz(4, 3)])
    return c


def chain16_ops():
    """16x8 chain of the data-movement, pooling and clamp operators between NHWC kernels: conv ->
    PAD -> MAX_POOL -> LEAKY_RELU -> RELU6 -> MAXIMUM -> CONCATENATION -> AVERAGE_POOL -> RESIZE_BILINEAR
    -> TRANSPOSE -> STRIDED_SLICE -> SPLIT -> MINIMUM -> RESIZE_NEAREST_NEIGHBOR -> PADV2 -> MEAN (H, W)
    -> ADD (broadcast) -> MEAN (W)."""
    w = Writer()
    rng = rng_for("chain16_ops")
    x = w.tensor("x", X_SHAPE, INT16, 0.0005, 0)
    c1, s1 = conv16(w, rng, x, X_SHAPE, 6, 3, 1, "c1", 0.001)  # [1, 6, 5, 6]
    p = w.tensor("p", [1, 8, 7, 6], INT16, 0.001, 0)
    w.op(PAD, [c1, w.tensor("pads", [4, 2], INT32, data=np.array([[0, 0], [1, 1], [1, 1], [0, 0]], np.int32))], [p])
    mp = w.tensor("mp", [1, 7, 6, 6], INT16, 0.001, 0)
    w.op(MAX_POOL_2D, [p], [mp], POOL2D_OPTIONS, [(0, "b", 1), (1, "i", 1), (2, "i", 1), (3, "i", 2), (4, "i", 2), (5, "b", 0)])
    lk = w.tensor("lk", [1, 7, 6, 6], INT16, 0.0008, 0)
    w.op(LEAKY_RELU, [mp], [lk], LEAKY_RELU_OPTIONS, [(0, "f", 0.1)])
    r6 = w.tensor("r6", [1, 7, 6, 6], INT16, 0.0008, 0)
    w.op(RELU6, [lk], [r6])
    mx = w.tensor("mx", [1, 7, 6, 6], INT16, 0.0008, 0)
    w.op(MAXIMUM, [lk, r6], [mx])
    cc = w.tensor("cc", [1, 7, 6, 12], INT16, 0.0008, 0)
    w.op(CONCATENATION, [mx, lk], [cc], CONCATENATION_OPTIONS, [(0, "i", 3), (1, "b", 0)])
    ap = w.tensor("ap", [1, 4, 3, 12], INT16, 0.0008, 0)
    w.op(AVERAGE_POOL_2D, [cc], [ap], POOL2D_OPTIONS, [(0, "b", 0), (1, "i", 2), (2, "i", 2), (3, "i", 3), (4, "i", 3), (5, "b", 1)])
    sz = lambda h, w_: w.tensor(f"size_{h}x{w_}", [2], INT32, data=np.array([h, w_], np.int32))
    rb = w.tensor("rb", [1, 7, 5, 12], INT16, 0.0008, 0)
    w.op(RESIZE_BILINEAR, [ap, sz(7, 5)], [rb], RESIZE_BILINEAR_OPTIONS, [(2, "b", 0), (3, "b", 1)])
    t = w.tensor("t", [1, 5, 7, 12], INT16, 0.0008, 0)
    w.op(TRANSPOSE, [rb, w.tensor("perm", [4], INT32, data=np.array([0, 2, 1, 3], np.int32))], [t])
    ss = w.tensor("ss", [1, 4, 7, 8], INT16, 0.0008, 0)
    w.op(STRIDED_SLICE, [t, w.tensor("b", [4], INT32, data=np.array([0, 1, 0, 0], np.int32)),
                         w.tensor("e", [4], INT32, data=np.array([1, 5, 7, 8], np.int32)),
                         w.tensor("st", [4], INT32, data=np.array([1, 1, 1, 1], np.int32))], [ss],
         STRIDED_SLICE_OPTIONS, [(0, "i", 0), (1, "i", 0)])
    p0, p1 = w.tensor("p0", [1, 4, 7, 4], INT16, 0.0008, 0), w.tensor("p1", [1, 4, 7, 4], INT16, 0.0008, 0)
    w.op(SPLIT, [w.tensor("ax", [1], INT32, data=np.array([3], np.int32)), ss], [p0, p1], SPLIT_OPTIONS, [(0, "i", 2)])
    mn = w.tensor("mn", [1, 4, 7, 4], INT16, 0.0008, 0)
    w.op(MINIMUM, [p0, p1], [mn])
    rn = w.tensor("rn", [1, 6, 9, 4], INT16, 0.0008, 0)
    w.op(RESIZE_NEAREST_NEIGHBOR, [mn, sz(6, 9)], [rn], RESIZE_NN_OPTIONS, [(0, "b", 0), (1, "b", 1)])
    pv = w.tensor("pv", [1, 7, 9, 4], INT16, 0.0008, 0)
    w.op(PADV2, [rn, w.tensor("pads2", [4, 2], INT32, data=np.array([[0, 0], [0, 1], [0, 0], [0, 0]], np.int32)),
                 w.tensor("v", [], INT16, 0.0008, 0, data=np.array(-777, np.int16))], [pv])
    mh = w.tensor("mh", [1, 1, 1, 4], INT16, 0.0003, 0)
    w.op(MEAN, [pv, w.tensor("axis", [2], INT32, data=np.array([1, 2], np.int32))], [mh], REDUCER_OPTIONS, [(0, "b", 1)])
    ad = w.tensor("ad", [1, 7, 9, 4], INT16, 0.001, 0)
    w.op(ADD, [pv, mh], [ad], ADD_OPTIONS, [(0, "b", 0)])
    y = w.tensor("y", [1, 7, 1, 4], INT16, 0.0006, 0)
    w.op(MEAN, [ad, w.tensor("axis_w", [1], INT32, data=np.array([2], np.int32))], [y], REDUCER_OPTIONS, [(0, "b", 1)])
    return w.finish([x], [y])

def x16_float_io():
    """A 16x8 model with a float interface: float input -> QUANTIZE (int16) -> conv (RELU) ->
    depthwise -> DEQUANTIZE -> float output."""
    w = Writer()
    rng = rng_for("x16_float_io")
    x = w.tensor("x", X_SHAPE, FLOAT32)
    q = w.tensor("q", X_SHAPE, INT16, 0.0002, 0)
    w.op(QUANTIZE, [x], [q])
    c1, s1 = conv16(w, rng, q, X_SHAPE, 6, 3, 1, "c1", 0.0015, 1)
    d1, s2 = conv16(w, rng, c1, s1, 6, 3, 2, "d1", 0.002, 0, depthwise=True)
    y = w.tensor("y", s2, FLOAT32)
    w.op(DEQUANTIZE, [d1], [y])
    return w.finish([x], [y])


def u8_io(name, q_in, q_out):
    """An int8 model converted with a uint8 interface (inference_input_type / inference_output_type =
    tf.uint8): uint8 input -> QUANTIZE (int8) -> conv (RELU) -> depthwise -> QUANTIZE (uint8) ->
    uint8 output. q_in / q_out: (scale, zero point) of the uint8 input / output; the int8 side is
    (0.05, -3) / (0.1, 5): 128 apart with equal scales is TFLite's exact offset, otherwise the
    multiplier path of its Requantize."""
    w = Writer()
    rng = rng_for(name)
    x = w.tensor("x", X_SHAPE, UINT8, *q_in)
    q = w.tensor("q", X_SHAPE, INT8, 0.05, -3)
    w.op(QUANTIZE, [x], [q])

    def conv(src, cout, depthwise, name, qy, act):
        cin = 8 if not depthwise else cout
        wshape = [1, 3, 3, cout] if depthwise else [cout, 3, 3, cin]
        wt = w.tensor(name + "_w", wshape, INT8, [0.01 + 0.001 * i for i in range(cout)], qdim=3 if depthwise else 0,
                      data=rng.integers(-127, 128, wshape))
        bt = w.tensor(name + "_b", [cout], INT32, data=rng.integers(-500, 500, [cout]))
        y = w.tensor(name, [1, 6, 5, cout], INT8, *qy)
        if depthwise:
            w.op(DEPTHWISE_CONV_2D, [src, wt, bt], [y], DEPTHWISE_OPTIONS,
                 [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "i", 1), (4, "b", act)])
        else:
            w.op(CONV_2D, [src, wt, bt], [y], CONV2D_OPTIONS, [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "b", act)])
        return y
    c1 = conv(q, 8, False, "c1", (0.08, -128), 1)
    d1 = conv(c1, 8, True, "d1", (0.1, 5), 0)
    y = w.tensor("y", [1, 6, 5, 8], UINT8, *q_out)
    w.op(QUANTIZE, [d1], [y])
    return w.finish([x], [y])


U8_IO = {"u8_io_offset": ((0.05, 125), (0.1, 133)),   # equal scales, zero points 128 apart: the exact offset
         "u8_io_rescale": ((0.03, 100), (0.07, 140)),  # other scales (ratios < 1 and > 1), other zero points
         "u8_io_same_scale": ((0.05, 0), (0.1, 255))}  # equal scales, zero points not 128 apart (clamps)


def float_chain():
    """A float32 model: conv (RELU6) -> depthwise (stride 2) -> add -> max pool -> average pool ->
    reshape -> fully connected with int8 weights (dynamic range) -> softmax."""
    w = Writer()
    rng = rng_for("float_chain")
    f = lambda shape, sc=0.3: (rng.standard_normal(shape) * sc).astype(np.float32)
    x = w.tensor("x", X_SHAPE, FLOAT32)
    c = w.tensor("c", [1, 6, 5, 12], FLOAT32)
    w.op(CONV_2D, [x, w.tensor("cw", [12, 3, 3, 8], FLOAT32, data=f([12, 3, 3, 8])),
                   w.tensor("cb", [12], FLOAT32, data=f([12]))], [c], CONV2D_OPTIONS,
         [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "b", 3)])
    d = w.tensor("d", [1, 3, 3, 12], FLOAT32)
    w.op(DEPTHWISE_CONV_2D, [c, w.tensor("dw", [1, 3, 3, 12], FLOAT32, data=f([1, 3, 3, 12])),
                             w.tensor("db", [12], FLOAT32, data=f([12]))], [d], DEPTHWISE_OPTIONS,
         [(0, "b", 0), (1, "i", 2), (2, "i", 2), (3, "i", 1), (4, "b", 0)])
    r = w.tensor("r", [1, 3, 3, 12], FLOAT32)
    w.op(RELU, [d], [r])
    a = w.tensor("a", [1, 3, 3, 12], FLOAT32)
    w.op(ADD, [d, r], [a], ADD_OPTIONS, [(0, "b", 0)])
    mp = w.tensor("mp", [1, 2, 2, 12], FLOAT32)
    w.op(MAX_POOL_2D, [a], [mp], POOL2D_OPTIONS, [(0, "b", 0), (1, "i", 2), (2, "i", 2), (3, "i", 2), (4, "i", 2)])
    ap = w.tensor("ap", [1, 1, 1, 12], FLOAT32)
    w.op(AVERAGE_POOL_2D, [mp], [ap], POOL2D_OPTIONS, [(0, "b", 1), (1, "i", 2), (2, "i", 2), (3, "i", 2), (4, "i", 2)])
    rs = w.tensor("rs", [1, 12], FLOAT32)
    w.op(RESHAPE, [ap, w.tensor("shape", [2], INT32, data=np.array([1, 12], np.int32))], [rs])
    fc = w.tensor("fc", [1, 10], FLOAT32)
    w.op(FULLY_CONNECTED, [rs, w.tensor("fw", [10, 12], INT8, [0.02 + 0.001 * i for i in range(10)], qdim=0,
                                        data=i8(rng, [10, 12])),
                           w.tensor("fb", [10], FLOAT32, data=f([10]))], [fc], FC_OPTIONS, [(0, "b", 0)])
    y = w.tensor("y", [1, 10], FLOAT32)
    w.op(SOFTMAX, [fc], [y], SOFTMAX_OPTIONS, [(0, "f", 1.0)])
    return w.finish([x], [y])


def mixed_io():
    """float input -> QUANTIZE -> int8 MUL -> LOGISTIC -> DEQUANTIZE -> float output (an int8 model
    with a float interface)."""
    w = Writer()
    rng = rng_for("mixed_io")
    x = w.tensor("x", X_SHAPE, FLOAT32)
    q = w.tensor("q", X_SHAPE, INT8, 0.05, -3)
    w.op(QUANTIZE, [x], [q])
    mu = w.tensor("mu", X_SHAPE, INT8, 0.04, 1)
    w.op(MUL, [q, w.tensor("k", [8], INT8, 0.03, 0, data=i8(rng, [8]))], [mu], MUL_OPTIONS, [(0, "b", 0)])
    lg = w.tensor("lg", X_SHAPE, INT8, 1 / 256, -128)
    w.op(LOGISTIC, [mu], [lg])
    y = w.tensor("y", X_SHAPE, FLOAT32)
    w.op(DEQUANTIZE, [lg], [y])
    return w.finish([x], [y])


def patch_chain():
    """Stage-2 operators inside the patch-based first stage (the planner picks patches for this
    48x48 input by default): conv -> QUANTIZE -> SUB -> RELU -> MAXIMUM -> LEAKY_RELU -> conv s2 ->
    conv s2 -> MEAN. A broadcasting SUB is not patchable (checked without a model: it ends the stage)."""
    w = Writer()
    rng = rng_for("patch_chain")
    H = 48
    x = w.tensor("x", [1, H, H, 3], INT8, 0.05, -3)

    def conv(src, hin, cin, cout, stride, name, q):
        y = w.tensor(name, [1, hin // stride, hin // stride, cout], INT8, *q)
        wt = w.tensor(name + "_w", [cout, 3, 3, cin], INT8, [0.01 + 0.001 * i for i in range(cout)], qdim=0,
                      data=rng.integers(-127, 128, [cout, 3, 3, cin]))
        bt = w.tensor(name + "_b", [cout], INT32, data=rng.integers(-500, 500, [cout]))
        w.op(CONV_2D, [src, wt, bt], [y], CONV2D_OPTIONS, [(0, "b", 0), (1, "i", stride), (2, "i", stride), (3, "b", 1)])
        return y
    c1 = conv(x, H, 3, 16, 1, "c1", (0.04, -128))
    q1 = w.tensor("q1", [1, H, H, 16], INT8, 0.02, 1)
    w.op(QUANTIZE, [c1], [q1])
    s = w.tensor("s", [1, H, H, 16], INT8, 0.05, 3)
    w.op(SUB, [c1, q1], [s], SUB_OPTIONS, [(0, "b", 0)])
    r = w.tensor("r", [1, H, H, 16], INT8, 0.05, 3)
    w.op(RELU, [s], [r])
    mx = w.tensor("mx", [1, H, H, 16], INT8, 0.05, 3)
    w.op(MAXIMUM, [s, r], [mx])
    lk = w.tensor("lk", [1, H, H, 16], INT8, 0.05, 3)
    w.op(LEAKY_RELU, [mx], [lk], LEAKY_RELU_OPTIONS, [(0, "f", 0.1)])
    c2 = conv(lk, H, 16, 16, 2, "c2", (0.1, 0))
    c3 = conv(c2, H // 2, 16, 32, 2, "c3", (0.1, 0))
    y = w.tensor("y", [1, 32], INT8, 0.05, 0)
    w.op(MEAN, [c3, w.tensor("ax", [2], INT32, data=np.array([1, 2], np.int32))], [y], REDUCER_OPTIONS, [(0, "b", 0)])
    return w.finish([x], [y])


def pad_fold_chain():
    """MCUNet's explicit padding (converted from PyTorch): PAD 1 -> CONV 3x3 stride 2 VALID (RELU6) ->
    PAD bottom/right 1 -> DEPTHWISE 3x3 stride 2 VALID -> PAD 2 on H only -> DEPTHWISE 5x5 VALID -> PAD 3 ->
    DEPTHWISE 3x3 VALID. The frontend folds the first three PADs into the convs' padding (they pad with
    the input zero point, at most the kernel extent - 1); the last stays a PAD (3 > 2)."""
    w = Writer()
    rng = rng_for("pad_fold_chain")
    x = w.tensor("x", [1, 13, 11, 8], INT8, 0.05, -3)

    def pad(src, shape, pads, q, name):
        out = [shape[0], shape[1] + sum(pads[1]), shape[2] + sum(pads[2]), shape[3]]
        y = w.tensor(name, out, INT8, *q)
        w.op(PAD, [src, w.tensor(name + "_pads", [4, 2], INT32, data=np.array(pads, np.int32))], [y])
        return y, out

    def conv(src, shape, cout, k, stride, dw, q, name, act=0):
        n, h, w_, cin = shape
        cout = cin if dw else cout
        out = [n, (h - k) // stride + 1, (w_ - k) // stride + 1, cout]
        y = w.tensor(name, out, INT8, *q)
        wshape = [1, k, k, cout] if dw else [cout, k, k, cin]
        wt = w.tensor(name + "_w", wshape, INT8, [0.01 + 0.001 * i for i in range(cout)], qdim=3 if dw else 0,
                      data=rng.integers(-127, 128, wshape))
        bt = w.tensor(name + "_b", [cout], INT32, data=rng.integers(-500, 500, [cout]))
        if dw:
            w.op(DEPTHWISE_CONV_2D, [src, wt, bt], [y], DEPTHWISE_OPTIONS,
                 [(0, "b", 1), (1, "i", stride), (2, "i", stride), (3, "i", 1), (4, "b", act)])
        else:
            w.op(CONV_2D, [src, wt, bt], [y], CONV2D_OPTIONS, [(0, "b", 1), (1, "i", stride), (2, "i", stride), (3, "b", act)])
        return y, out
    p1, s1 = pad(x, [1, 13, 11, 8], [[0, 0], [1, 1], [1, 1], [0, 0]], (0.05, -3), "p1")
    c1, s2 = conv(p1, s1, 12, 3, 2, False, (0.04, -128), "c1", act=3)
    p2, s3 = pad(c1, s2, [[0, 0], [0, 1], [0, 1], [0, 0]], (0.04, -128), "p2")
    d1, s4 = conv(p2, s3, 0, 3, 2, True, (0.05, 5), "d1")
    p3, s5 = pad(d1, s4, [[0, 0], [2, 2], [1, 1], [0, 0]], (0.05, 5), "p3")
    d2, s6 = conv(p3, s5, 0, 5, 1, True, (0.06, -7), "d2")
    p4, s7 = pad(d2, s6, [[0, 0], [3, 3], [3, 3], [0, 0]], (0.06, -7), "p4")
    y, _ = conv(p4, s7, 0, 3, 1, True, (0.05, 2), "y")
    return w.finish([x], [y])


# --- float32 operators (float models; checked within 1e-4 x output range of the float64 reference) ---
def float_cases():
    """Float32 single-operator cases: broadcasting binary operators with float constants, MEAN, PAD,
    CONCATENATION, the activations, data movement and SOFTMAX with beta != 1."""
    c = {}
    S = X_SHAPE
    F = FLOAT32
    fdata = lambda rng, shape, sc=1.0: (rng.standard_normal(shape) * sc).astype(np.float32)

    def fbin(code, otype, b_shape, act=0, a_shape=None, const_first=False):
        def build(w, rng):
            ash = a_shape or S
            out = list(np.broadcast_shapes(tuple(ash), tuple(b_shape)))
            x = w.tensor("x", ash, F)
            b = w.tensor("b", b_shape, F, data=fdata(rng, b_shape))
            y = w.tensor("y", out, F)
            w.op(code, [b, x] if const_first else [x, b], [y], otype, [(0, "b", act)] if otype else [])
            return x, y
        return build
    c["f_add_bcast_c"] = fbin(ADD, ADD_OPTIONS, [8], act=1)                   # RELU fused
    c["f_sub_bcast_hw"] = fbin(SUB, SUB_OPTIONS, [1, 6, 5, 1], act=3)         # RELU6 fused
    c["f_mul_bcast_w"] = fbin(MUL, MUL_OPTIONS, [1, 1, 5, 8], act=2)          # RELU_N1_TO_1 fused
    c["f_sub_const_first"] = fbin(SUB, SUB_OPTIONS, [1, 1, 1, 8])             # constant - x
    c["f_maximum_bcast"] = fbin(MAXIMUM, 0, [1, 1, 5, 8])
    c["f_minimum_scalar"] = fbin(MINIMUM, 0, [1], const_first=True)

    def fact_bcast(w, rng):  # x - mean_hw(x): a computed [1,1,1,C] operand broadcast over H, W
        x = w.tensor("x", S, F)
        m = w.tensor("m", [1, 1, 1, 8], F)
        w.op(MEAN, [x, w.tensor("ax", [2], INT32, data=np.array([1, 2], np.int32))], [m], REDUCER_OPTIONS, [(0, "b", 1)])
        y = w.tensor("y", S, F)
        w.op(SUB, [x, m], [y], SUB_OPTIONS, [(0, "b", 0)])
        return x, y
    c["f_sub_computed_bcast"] = fact_bcast

    def frank3(w, rng):  # x + a rank-3 activation [H,W,C]: the rank-4 form's orders differ (NHWC-order copy)
        x = w.tensor("x", S, F)
        t = w.tensor("t", S, F)
        w.op(TANH, [x], [t])
        r = w.tensor("r", S[1:], F)
        w.op(RESHAPE, [t, w.tensor("shape", [3], INT32, data=np.array(S[1:], np.int32))], [r])
        y = w.tensor("y", S, F)
        w.op(ADD, [x, r], [y], ADD_OPTIONS, [(0, "b", 0)])
        return x, y
    c["f_add_rank3_operand"] = frank3

    def fun(code, out_shape, otype=0, opts=(), shape=None, consts=()):
        def build(w, rng):
            x = w.tensor("x", shape or S, F)
            ins = [x] + [w.tensor(cn, cs, ct, data=cd) for cn, cs, ct, cd in consts]
            y = w.tensor("y", out_shape, F)
            w.op(code, ins, [y], otype, list(opts))
            return x, y
        return build
    axv = lambda *v: ("axis", [len(v)], INT32, np.array(v, np.int32))
    keep = lambda k: [(0, "b", k)]
    c["f_mean_c"] = fun(MEAN, [1, 6, 5], REDUCER_OPTIONS, keep(0), consts=[axv(-1)])
    c["f_mean_w"] = fun(MEAN, [1, 6, 8], REDUCER_OPTIONS, keep(0), consts=[axv(2)])   # NHWC-order reshape
    c["f_mean_rank3_axis0"] = fun(MEAN, [5, 8], REDUCER_OPTIONS, keep(0), shape=[6, 5, 8], consts=[axv(0)])
    pads = lambda p: ("pads", [len(p), 2], INT32, np.array(p, np.int32))
    c["f_pad_c"] = fun(PAD, [1, 6, 5, 11], consts=[pads([[0, 0], [0, 0], [0, 0], [1, 2]])])
    c["f_padv2_rank2"] = fun(PADV2, [5, 9], shape=[3, 8],
                             consts=[pads([[1, 1], [0, 1]]), ("value", [1], F, np.array([-1.5], np.float32))])
    c["f_hard_swish"] = fun(HARD_SWISH, S)
    c["f_leaky_relu"] = fun(LEAKY_RELU, S, LEAKY_RELU_OPTIONS, [(0, "f", 0.2)])
    c["f_relu_n1_to_1"] = fun(RELU_N1_TO_1, S)
    ssl = lambda b_, e_, st_: [("begin", [len(b_)], INT32, np.array(b_, np.int32)),
                               ("end", [len(b_)], INT32, np.array(e_, np.int32)),
                               ("strides", [len(b_)], INT32, np.array(st_, np.int32))]
    c["f_strided_slice"] = fun(STRIDED_SLICE, [1, 3, 3, 2], STRIDED_SLICE_OPTIONS, [(0, "i", 0), (1, "i", 4), (4, "i", 0)],
                               consts=ssl([0, 1, -1, 2], [1, 6, 0, 8], [1, 2, -2, 3]))  # negative stride, end mask
    c["f_strided_slice_shrink_h"] = fun(STRIDED_SLICE, [1, 5, 8], STRIDED_SLICE_OPTIONS, [(4, "i", 2)],
                                        consts=ssl([0, 1, 0, 0], [1, 2, 5, 8], [1, 1, 1, 1]))
    c["f_strided_slice_shrink_masks"] = fun(STRIDED_SLICE, [1, 5, 8], STRIDED_SLICE_OPTIONS,
                                            [(0, "i", 2), (1, "i", 10), (4, "i", 2)],
                                            consts=ssl([0, 3, 0, 0], [1, 1, 5, 2], [1, 1, 1, 1]))

    def fconcat(axis, n, const=False):
        def build(w, rng):
            x = w.tensor("x", S, F)
            parts = [x]
            for i in range(1, n):
                r = w.tensor(f"r{i}", S, F)
                w.op(TANH if i == 1 else LOGISTIC, [x], [r])
                parts.append(r)
            if const:  # a float constant input (NHWC data)
                parts.insert(1, w.tensor("k", S, F, data=fdata(rng, S)))
                n_ = n + 1
            else:
                n_ = n
            shape = list(S)
            shape[axis] *= n_
            y = w.tensor("y", shape, F)
            w.op(CONCATENATION, parts, [y], CONCATENATION_OPTIONS, [(0, "i", axis), (1, "b", 0)])
            return x, y
        return build
    c["f_concat_c3"] = fconcat(3, 3)
    c["f_concat_h_const"] = fconcat(1, 2, const=True)

    def fsplit(axis, n):
        def build(w, rng):
            x = w.tensor("x", S, F)
            a = w.tensor("axis", [], INT32, data=np.array(axis, np.int32))
            shape = list(S)
            shape[axis] //= n
            parts = [w.tensor(f"p{i}", shape, F) for i in range(n)]
            w.op(SPLIT, [a, x], parts, SPLIT_OPTIONS, [(0, "i", n)])
            y = w.tensor("y", shape, F)
            w.op(SUB, [parts[0], parts[-1]], [y], SUB_OPTIONS, [(0, "b", 0)])
            return x, y
        return build
    c["f_split_w"] = fsplit(2, 5)
    c["f_softmax_beta_quarter"] = fun(SOFTMAX, S, SOFTMAX_OPTIONS, [(0, "f", 0.25)])  # (beta 2: float_ops_chain)
    # any beta: exp((x - max) * beta) in the kernel, TFLite's order (not a power of two, negative)
    c["f_softmax_beta_0_3"] = fun(SOFTMAX, S, SOFTMAX_OPTIONS, [(0, "f", 0.3)])
    c["f_softmax_beta_neg_rank2"] = fun(SOFTMAX, [6, 40], SOFTMAX_OPTIONS, [(0, "f", -1.7)], shape=[6, 40])
    c["f_log_softmax"] = fun(LOG_SOFTMAX, S, LOG_SOFTMAX_OPTIONS)
    c["f_log_softmax_rank2"] = fun(LOG_SOFTMAX, [3, 10], LOG_SOFTMAX_OPTIONS, shape=[3, 10])

    def f16_cast(w, rng):  # float16 weights marked by CAST (float16 -> float32) instead of DEQUANTIZE
        x = w.tensor("x", S, F)
        cw = (rng.standard_normal([6, 3, 3, 8]) * 0.3).astype(np.float16)
        cw.flat[:3] = np.array([2.0 ** -24, -1023 * 2.0 ** -24, 65504.0], np.float16)  # subnormals, the largest
        ts = []
        for name, data in (("cw", cw), ("cb", (rng.standard_normal([6]) * 0.3).astype(np.float16))):
            t = w.tensor(name + "_f32", list(data.shape), F)
            w.op(CAST, [w.tensor(name, list(data.shape), FLOAT16, data=data)], [t], CAST_OPTIONS, [(0, "b", 1), (1, "b", 0)])
            ts.append(t)
        y = w.tensor("y", [1, 6, 5, 6], F)
        w.op(CONV_2D, [x, ts[0], ts[1]], [y], CONV2D_OPTIONS, [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "b", 0)])
        return x, y
    c["f16_cast_conv"] = f16_cast
    return c


def float_ops_chain():
    """A float32 model of a TF/Keras export's shape: conv -> PAD -> depthwise (VALID) -> HARD_SWISH ->
    branch (SPLIT on C -> TRANSPOSE of one half and back -> CONCATENATION with LOGISTIC of the other,
    MAXIMUM with a constant) -> MEAN over H, W -> FC -> broadcast MUL by a constant -> SOFTMAX (beta 2)."""
    w = Writer()
    rng = rng_for("float_ops_chain")
    f = lambda shape, sc=0.3: (rng.standard_normal(shape) * sc).astype(np.float32)
    F = FLOAT32
    x = w.tensor("x", X_SHAPE, F)
    c = w.tensor("c", [1, 6, 5, 12], F)
    w.op(CONV_2D, [x, w.tensor("cw", [12, 3, 3, 8], F, data=f([12, 3, 3, 8])), w.tensor("cb", [12], F, data=f([12]))],
         [c], CONV2D_OPTIONS, [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "b", 0)])
    p = w.tensor("p", [1, 8, 7, 12], F)
    w.op(PAD, [c, w.tensor("pads", [4, 2], INT32, data=np.array([[0, 0], [1, 1], [1, 1], [0, 0]], np.int32))], [p])
    d = w.tensor("d", [1, 6, 5, 12], F)
    w.op(DEPTHWISE_CONV_2D, [p, w.tensor("dw", [1, 3, 3, 12], F, data=f([1, 3, 3, 12])), w.tensor("db", [12], F, data=f([12]))],
         [d], DEPTHWISE_OPTIONS, [(0, "b", 1), (1, "i", 1), (2, "i", 1), (3, "i", 1), (4, "b", 0)])
    hs = w.tensor("hs", [1, 6, 5, 12], F)
    w.op(HARD_SWISH, [d], [hs])
    s0, s1 = w.tensor("s0", [1, 6, 5, 6], F), w.tensor("s1", [1, 6, 5, 6], F)
    w.op(SPLIT, [w.tensor("sax", [], INT32, data=np.array(3, np.int32)), hs], [s0, s1], SPLIT_OPTIONS, [(0, "i", 2)])
    t = w.tensor("t", [1, 5, 6, 6], F)
    w.op(TRANSPOSE, [s0, w.tensor("perm", [4], INT32, data=np.array([0, 2, 1, 3], np.int32))], [t])
    lg = w.tensor("lg", [1, 5, 6, 6], F)
    w.op(LOGISTIC, [t], [lg])
    tb = w.tensor("tb", [1, 6, 5, 6], F)
    w.op(TRANSPOSE, [lg, w.tensor("perm2", [4], INT32, data=np.array([0, 2, 1, 3], np.int32))], [tb])
    cc = w.tensor("cc", [1, 6, 5, 12], F)
    w.op(CONCATENATION, [s1, tb], [cc], CONCATENATION_OPTIONS, [(0, "i", 3), (1, "b", 0)])
    mx = w.tensor("mx", [1, 6, 5, 12], F)
    w.op(MAXIMUM, [cc, w.tensor("floor", [12], F, data=f([12]))], [mx])
    mn = w.tensor("mn", [1, 12], F)
    w.op(MEAN, [mx, w.tensor("ax", [2], INT32, data=np.array([1, 2], np.int32))], [mn], REDUCER_OPTIONS, [(0, "b", 0)])
    fc = w.tensor("fc", [1, 10], F)
    w.op(FULLY_CONNECTED, [mn, w.tensor("fw", [10, 12], F, data=f([10, 12], 1.0)), w.tensor("fb", [10], F, data=f([10]))],
         [fc], FC_OPTIONS, [(0, "b", 0)])
    ml = w.tensor("ml", [1, 10], F)
    w.op(MUL, [fc, w.tensor("k", [10], F, data=f([10], 2.0))], [ml], MUL_OPTIONS, [(0, "b", 0)])
    y = w.tensor("y", [1, 10], F)
    w.op(SOFTMAX, [ml], [y], SOFTMAX_OPTIONS, [(0, "f", 2.0)])
    return w.finish([x], [y])


def f16_chain():
    """float16 weights (TFLite's float16 quantization: each float constant stored as float16 and read by a
    DEQUANTIZE placed before its first consumer): conv (RELU) -> depthwise (stride 2) -> ADD of a float16
    constant (first operand) -> MUL by the same dequantized constant (one DEQUANTIZE, two consumers) ->
    MEAN over H, W -> FC -> MUL by float16 subnormals. The conv filter holds subnormals, the FC weights
    65504 (float16's largest) and -60000; the conv and depthwise biases are two tensors of one buffer."""
    w = Writer()
    rng = rng_for("f16_chain")
    F = FLOAT32
    h = lambda shape, sc=0.3: (rng.standard_normal(shape) * sc).astype(np.float16)

    def deq(name, shape, data=None, buffer=None):
        t16 = w.tensor(name, shape, FLOAT16, data=data, buffer=buffer)
        t = w.tensor(name + "_dequantize", shape, F)
        w.op(DEQUANTIZE, [t16], [t])
        return t
    x = w.tensor("x", X_SHAPE, F)
    cw = h([12, 3, 3, 8])
    cw.flat[:4] = np.array([2.0 ** -24, -1023 * 2.0 ** -24, 3 * 2.0 ** -20, -(2.0 ** -14)], np.float16)  # subnormals
    cwt, cbt = deq("cw", [12, 3, 3, 8], cw), deq("cb", [12], h([12]))
    c = w.tensor("c", [1, 6, 5, 12], F)
    w.op(CONV_2D, [x, cwt, cbt], [c], CONV2D_OPTIONS, [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "b", 1)])
    dwt = deq("dw", [1, 3, 3, 12], h([1, 3, 3, 12]))
    dbt = deq("db", [12], buffer=w.buffer_of(cbt - 1))  # the conv bias's float16 buffer, shared
    d = w.tensor("d", [1, 3, 3, 12], F)
    w.op(DEPTHWISE_CONV_2D, [c, dwt, dbt], [d], DEPTHWISE_OPTIONS,
         [(0, "b", 0), (1, "i", 2), (2, "i", 2), (3, "i", 1), (4, "b", 0)])
    kt = deq("k", [12], h([12], 1.0))
    a = w.tensor("a", [1, 3, 3, 12], F)
    w.op(ADD, [kt, d], [a], ADD_OPTIONS, [(0, "b", 0)])
    ml = w.tensor("ml", [1, 3, 3, 12], F)
    w.op(MUL, [a, kt], [ml], MUL_OPTIONS, [(0, "b", 0)])
    mn = w.tensor("mn", [1, 12], F)
    w.op(MEAN, [ml, w.tensor("ax", [2], INT32, data=np.array([1, 2], np.int32))], [mn], REDUCER_OPTIONS, [(0, "b", 0)])
    fw = h([10, 12], 1.0)
    fw.flat[3], fw.flat[17] = 65504.0, -60000.0
    fwt, fbt = deq("fw", [10, 12], fw), deq("fb", [10], h([10]))
    fc = w.tensor("fc", [1, 10], F)
    w.op(FULLY_CONNECTED, [mn, fwt, fbt], [fc], FC_OPTIONS, [(0, "b", 0)])
    st = deq("s", [10], np.array([k * 2.0 ** -24 for k in (1, 3, 100, 1023, -7, -512, 640, 2, -1, 999)], np.float16))
    y = w.tensor("y", [1, 10], F)
    w.op(MUL, [fc, st], [y], MUL_OPTIONS, [(0, "b", 0)])
    return w.finish([x], [y])


# ---- fully-uint8 (legacy) models: uint8 activations, asymmetric per-tensor uint8 weights, int32 bias ----
def u8(rng, shape):
    return rng.integers(0, 256, size=shape).astype(np.uint8)


def u8_conv(w, rng, src, shape_in, cout, k, stride, name, qy, wzp, act=0, depthwise=False, padding=0, mult=1,
            wscale=0.01, qx_scale=0.05):
    """A uint8 CONV_2D / DEPTHWISE_CONV_2D: uint8 filter with zero point wzp, int32 bias of scale x * w."""
    n, h, w_, cin = shape_in
    if padding == 0:  # SAME
        oh, ow = -(-h // stride), -(-w_ // stride)
    else:
        oh, ow = (h - k) // stride + 1, (w_ - k) // stride + 1
    cout = cin * mult if depthwise else cout
    y = w.tensor(name, [n, oh, ow, cout], UINT8, *qy)
    wshape = [1, k, k, cout] if depthwise else [cout, k, k, cin]
    wt = w.tensor(name + "_w", wshape, UINT8, wscale, wzp, data=u8(rng, wshape))
    bt = w.tensor(name + "_b", [cout], INT32, float(np.float32(qx_scale) * np.float32(wscale)), 0,
                  data=rng.integers(-3000, 3000, [cout]))
    if depthwise:
        w.op(DEPTHWISE_CONV_2D, [src, wt, bt], [y], DEPTHWISE_OPTIONS,
             [(0, "b", padding), (1, "i", stride), (2, "i", stride), (3, "i", mult), (4, "b", act)])
    else:
        w.op(CONV_2D, [src, wt, bt], [y], CONV2D_OPTIONS, [(0, "b", padding), (1, "i", stride), (2, "i", stride), (3, "b", act)])
    return y, [n, oh, ow, cout]


def u8_cases():
    c = {}
    S = X_SHAPE
    QX = (0.05, 128)

    def conv_case(stride, act, depthwise, padding, wzp, mult=1, cout=12, k=3, qx=QX, qy=(0.2, 120)):
        def build(w, rng):
            x = w.tensor("x", S, UINT8, *qx)
            y, _ = u8_conv(w, rng, x, S, cout, k, stride, "y", qy, wzp, act, depthwise, padding, mult, qx_scale=qx[0])
            return x, y
        return build
    c["u8_conv_same_relu6"] = conv_case(1, 3, False, 0, 120)
    c["u8_conv_valid_s2_relu"] = conv_case(2, 1, False, 1, 37, qx=(0.03, 7), qy=(0.15, 20))
    c["u8_conv_1x1"] = conv_case(1, 0, False, 0, 200, k=1, cout=16, qy=(0.05, 131))
    c["u8_conv_relu_n1_to_1"] = conv_case(1, 2, False, 0, 0, qy=(1 / 100, 128))
    c["u8_dwconv_same_relu"] = conv_case(1, 1, True, 0, 90, qy=(0.1, 64))
    c["u8_dwconv_mult2_s2_valid"] = conv_case(2, 0, True, 1, 255, mult=2, qx=(0.02, 250), qy=(0.12, 100))

    def fc_case(in_shape, act, wzp, qy=(0.3, 110)):
        def build(w, rng):
            x = w.tensor("x", in_shape, UINT8, *QX)
            K = int(np.prod(in_shape[1:]))
            wt = w.tensor("w", [10, K], UINT8, 0.006, wzp, data=u8(rng, [10, K]))
            bt = w.tensor("b", [10], INT32, float(np.float32(0.05) * np.float32(0.006)), 0,
                          data=rng.integers(-4000, 4000, [10]))
            y = w.tensor("y", [in_shape[0], 10], UINT8, *qy)
            w.op(FULLY_CONNECTED, [x, wt, bt], [y], FC_OPTIONS, [(0, "b", act)])
            return x, y
        return build
    # The uint8 multiplier is QuantizeMultiplier(float(x_scale * w_scale) / y_scale) (the product in float),
    # which differs from the int8 rule's double product for these scales: a 1x1 depthwise layer whose
    # bias puts the accumulator of one input value per channel where the two multipliers round apart.
    def dw_multiplier(w, rng):
        sx, sw, sy = 0.0173, 0.0023, 1.3
        r1 = float(np.float32(sx) * np.float32(sw)) / float(np.float32(sy))
        r2 = float(np.float32(sx)) * float(np.float32(sw)) / float(np.float32(sy))
        (m1, s1), (m2, s2) = tflite_ref.quantize_multiplier(r1), tflite_ref.quantize_multiplier(r2)
        acc = np.arange(0, int(250 / r2))
        d = acc[tflite_ref.mbqm(acc, m1, s1) != tflite_ref.mbqm(acc, m2, s2)]
        assert (m1, s1) != (m2, s2) and len(d) >= 8, "no accumulator where the multipliers differ"
        x = w.tensor("x", S, UINT8, sx, 128)
        wt = w.tensor("w", [1, 1, 1, 8], UINT8, sw, 100, data=np.full([1, 1, 1, 8], 101))  # w - w_zp = 1
        x0 = np.arange(8) * 10 + 90  # acc = x - 128 + bias: the differing accumulator at x = x0
        bt = w.tensor("b", [8], INT32, float(np.float32(sx) * np.float32(sw)), 0, data=d[:8] - (x0 - 128))
        y = w.tensor("y", S, UINT8, sy, 128)
        w.op(DEPTHWISE_CONV_2D, [x, wt, bt], [y], DEPTHWISE_OPTIONS, [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "i", 1), (4, "b", 0)])
        return x, y
    c["u8_dwconv_multiplier_rule"] = dw_multiplier
    c["u8_fc_relu"] = fc_case([2, 40], 1, 131)
    c["u8_fc_flatten_nhwc"] = fc_case(S, 0, 77)

    def ubin(code, otype, b_shape, const, act=0, qa=(0.05, 125), qb=(0.08, 140), qy=(0.1, 130)):
        def build(w, rng):
            out = list(np.broadcast_shapes(tuple(S), tuple(b_shape)))
            x = w.tensor("x", S, UINT8, *qa)
            if const:
                b = w.tensor("b", b_shape, UINT8, *qb, data=u8(rng, b_shape))
            else:  # a requantized copy of the input (uint8 -> uint8 QUANTIZE)
                b = w.tensor("b", b_shape, UINT8, *qb)
                w.op(QUANTIZE, [x], [b])
            y = w.tensor("y", out, UINT8, *qy)
            w.op(code, [x, b], [y], otype, [(0, "b", act)] if otype else [])
            return x, y
        return build
    for code, otype, nm in ((ADD, ADD_OPTIONS, "add"), (SUB, SUB_OPTIONS, "sub"), (MUL, MUL_OPTIONS, "mul")):
        qy = (0.1, 130) if code != MUL else (0.2, 100)
        if code != SUB:  # (a same-shape uint8 SUB: u8_chain_ops)
            c[f"u8_{nm}_same"] = ubin(code, otype, S, False, qy=qy)
        c[f"u8_{nm}_bcast_c_relu"] = ubin(code, otype, [8], True, act=1, qy=qy)
        c[f"u8_{nm}_bcast_hw_relu6"] = ubin(code, otype, [1, 6, 5, 1], True, act=3, qb=(0.03, 0), qy=qy)
        c[f"u8_{nm}_scalar_edge_zp"] = ubin(code, otype, [1], True, qa=(0.004, 255), qb=(0.3, 0), qy=(0.02, 0))
    # MUL's ratio a_scale * b_scale / y_scale is formed in float (TFLite Micro's: double): for these
    # scales the two multipliers give different outputs for the products +-536 = (a - 128) * (b_c - 100),
    # which the constant [C] operand makes reachable at one input value per channel.
    def mul_multiplier(w, rng):
        sa, sb, sy = 0.02621062844991684, 0.08744554221630096, 0.014913667924702168
        r1 = float(np.float32(sa) * np.float32(sb) / np.float32(sy))
        (m1, s1), (m2, s2) = tflite_ref.quantize_multiplier(r1), tflite_ref.quantize_multiplier(sa * sb / sy)
        assert tflite_ref.mbqm(536, m1, s1) != tflite_ref.mbqm(536, m2, s2), "the multipliers agree on 536"
        x = w.tensor("x", S, UINT8, sa, 128)
        b = w.tensor("b", [8], UINT8, sb, 100, data=np.array([108, 167, 92, 33, 108, 167, 92, 33]))  # b - zp = +-8, +-67
        y = w.tensor("y", S, UINT8, sy, 128)
        w.op(MUL, [x, b], [y], MUL_OPTIONS, [(0, "b", 0)])
        return x, y
    c["u8_mul_multiplier_rule"] = mul_multiplier
    c["u8_maximum_bcast"] = ubin(MAXIMUM, 0, [1, 1, 5, 8], True, qa=QX, qb=QX, qy=QX)
    c["u8_minimum_same"] = ubin(MINIMUM, 0, S, False, qa=QX, qb=QX, qy=QX)
    uu = lambda *a, **k: case_unary(*a, dtype=UINT8, **k)
    pool = lambda pad_, st, f, act: [(0, "b", pad_), (1, "i", st), (2, "i", st), (3, "i", f), (4, "i", f), (5, "b", act)]
    # AVERAGE_POOL_2D: even tap counts (2, 4, 6) give ties, where uint8's rounding differs from int8's.
    c["u8_avgpool_same_2x2"] = uu(AVERAGE_POOL_2D, [1, 3, 3, 8], POOL2D_OPTIONS, pool(0, 2, 2, 0), qx=QX, qy=QX)
    c["u8_avgpool_same_3x3_relu6"] = uu(AVERAGE_POOL_2D, [1, 3, 3, 8], POOL2D_OPTIONS, pool(0, 2, 3, 3), qx=(0.05, 100),
                                        qy=(0.05, 100))
    c["u8_maxpool_same_relu"] = uu(MAX_POOL_2D, [1, 3, 3, 8], POOL2D_OPTIONS, pool(0, 2, 3, 1), qx=(0.05, 140),
                                   qy=(0.05, 140))
    pads = ("pads", [4, 2], INT32, np.array([[0, 0], [1, 2], [2, 0], [0, 0]], np.int32))
    c["u8_pad"] = uu(PAD, [1, 9, 7, 8], consts=[pads], qx=(0.05, 77), qy=(0.05, 77))
    c["u8_padv2"] = uu(PADV2, [1, 9, 7, 8], consts=[pads, ("value", [1], UINT8, np.array([250], np.uint8))], qx=(0.05, 77),
                       qy=(0.05, 77))
    c["u8_relu"] = uu(RELU, S, qx=QX, qy=(0.03, 0))
    c["u8_relu6"] = uu(RELU6, S, qx=(0.1, 60), qy=(6 / 255, 0))
    c["u8_relu_n1_to_1"] = uu(RELU_N1_TO_1, S, qx=(0.02, 133), qy=(1 / 127, 127))
    c["u8_leaky_relu"] = uu(LEAKY_RELU, S, LEAKY_RELU_OPTIONS, [(0, "f", 0.2)], qx=QX, qy=(0.04, 150))
    c["u8_logistic"] = uu(LOGISTIC, S, qx=(0.05, 125), qy=(1 / 256, 0))
    c["u8_tanh"] = uu(TANH, S, qx=(0.03, 132), qy=(1 / 128, 128))
    c["u8_hard_swish"] = uu(HARD_SWISH, S, qx=(0.05, 125), qy=(0.03, 38))
    c["u8_hard_swish_wide"] = uu(HARD_SWISH, S, qx=(0.1, 148), qy=(0.06, 28))
    # TFLite adds the output zero point in int16: with an output scale just above the input's / 128,
    # large inputs wrap past 32767 with the uint8 zero point 200 (but not with the int8 one, 72).
    c["u8_hard_swish_int16_wrap"] = uu(HARD_SWISH, S, qx=(0.1, 0), qy=(0.1 / 128 / 0.999, 200))
    c["u8_softmax"] = uu(SOFTMAX, S, SOFTMAX_OPTIONS, [(0, "f", 1.0)], qx=(0.1, 128), qy=(1 / 256, 0))
    c["u8_softmax_rank2_beta"] = uu(SOFTMAX, [3, 10], SOFTMAX_OPTIONS, [(0, "f", 0.5)], qx=(0.3, 100), qy=(1 / 256, 0),
                                    shape=[3, 10])
    c["u8_transpose"] = uu(TRANSPOSE, [1, 8, 6, 5], qx=QX, qy=QX,
                           consts=[("perm", [4], INT32, np.array([0, 3, 1, 2], np.int32))])
    ss = [("begin", [4], INT32, np.array([0, 1, 0, 2], np.int32)), ("end", [4], INT32, np.array([1, 6, 5, 8], np.int32)),
          ("strides", [4], INT32, np.array([1, 2, 2, 3], np.int32))]
    c["u8_strided_slice"] = uu(STRIDED_SLICE, [1, 3, 3, 2], STRIDED_SLICE_OPTIONS, [(0, "i", 0), (1, "i", 0), (4, "i", 0)],
                               qx=QX, qy=QX, consts=ss)
    c["u8_resize_nn_frac_align"] = uu(RESIZE_NEAREST_NEIGHBOR, [1, 9, 7, 8], RESIZE_NN_OPTIONS, [(0, "b", 1), (1, "b", 0)],
                                      qx=QX, qy=QX, consts=[("size", [2], INT32, np.array([9, 7], np.int32))])

    def split_concat(w, rng):
        x = w.tensor("x", S, UINT8, *QX)
        a = w.tensor("axis", [], INT32, data=np.array(3, np.int32))
        parts = [w.tensor(f"p{i}", [1, 6, 5, 4], UINT8, *QX) for i in range(2)]
        w.op(SPLIT, [a, x], parts, SPLIT_OPTIONS, [(0, "i", 2)])
        y = w.tensor("y", [1, 6, 10, 4], UINT8, *QX)
        w.op(CONCATENATION, parts[::-1], [y], CONCATENATION_OPTIONS, [(0, "i", 2), (1, "b", 0)])
        return x, y
    c["u8_split_concat"] = split_concat

    def quant(qin, qout, tin=UINT8, tout=UINT8):
        def build(w, rng):
            x = w.tensor("x", S, tin, *qin) if tin != FLOAT32 else w.tensor("x", S, FLOAT32)
            y = w.tensor("y", S, tout, *qout) if tout != FLOAT32 else w.tensor("y", S, FLOAT32)
            w.op(DEQUANTIZE if tout == FLOAT32 else QUANTIZE, [x], [y])
            return x, y
        return build
    c["u8_quantize_u8_to_u8"] = quant((0.05, 128), (0.07, 100))
    c["u8_quantize_u8_to_u8_up"] = quant((0.05, 30), (0.02, 200))
    c["u8_quantize_f32_to_u8"] = quant(None, (0.02, 140), tin=FLOAT32)
    c["u8_quantize_i8_to_u8"] = quant((0.05, -3), (0.03, 90), tin=INT8)
    c["u8_dequantize"] = quant((0.05, 140), None, tout=FLOAT32)
    return c


def u8_chain():
    """A fully-uint8 model (legacy quantization, uint8 I/O): conv (RELU6) -> depthwise (stride 2) ->
    average pool -> reshape -> fully connected -> softmax."""
    w = Writer()
    rng = rng_for("u8_chain")
    x = w.tensor("x", [1, 12, 10, 3], UINT8, 1 / 128, 128)
    c, sh = u8_conv(w, rng, x, [1, 12, 10, 3], 16, 3, 1, "c", (6 / 255, 0), 117, act=3, qx_scale=1 / 128, wscale=0.02)
    d, sh = u8_conv(w, rng, c, sh, 16, 3, 2, "d", (0.03, 110), 131, depthwise=True, qx_scale=6 / 255, wscale=0.02)
    p = w.tensor("p", [1, 3, 3, 16], UINT8, 0.03, 110)
    w.op(AVERAGE_POOL_2D, [d], [p], POOL2D_OPTIONS, [(0, "b", 0), (1, "i", 2), (2, "i", 2), (3, "i", 2), (4, "i", 2), (5, "b", 0)])
    r = w.tensor("r", [1, 144], UINT8, 0.03, 110)
    w.op(RESHAPE, [p, w.tensor("shape", [2], INT32, data=np.array([1, 144], np.int32))], [r])
    f = w.tensor("f", [1, 10], UINT8, 0.15, 140)
    w.op(FULLY_CONNECTED, [r, w.tensor("fw", [10, 144], UINT8, 0.01, 121, data=u8(rng, [10, 144])),
                           w.tensor("fb", [10], INT32, data=rng.integers(-2000, 2000, [10]))], [f], FC_OPTIONS,
         [(0, "b", 0)])
    y = w.tensor("y", [1, 10], UINT8, 1 / 256, 0)
    w.op(SOFTMAX, [f], [y], SOFTMAX_OPTIONS, [(0, "f", 1.0)])
    return w.finish([x], [y])


def u8_chain_ops():
    """uint8 elementwise / data movement between NHWC kernels: conv -> ADD (bcast) -> MUL -> HARD_SWISH ->
    MAX_POOL -> PAD -> SUB (residual) -> CONCATENATION -> LOGISTIC."""
    w = Writer()
    rng = rng_for("u8_chain_ops")
    S = X_SHAPE
    x = w.tensor("x", S, UINT8, 0.05, 128)
    c, _ = u8_conv(w, rng, x, S, 8, 3, 1, "c", (0.1, 120), 140, act=1)
    a = w.tensor("a", S, UINT8, 0.1, 100)
    w.op(ADD, [c, w.tensor("ac", [8], UINT8, 0.02, 128, data=u8(rng, [8]))], [a], ADD_OPTIONS, [(0, "b", 0)])
    m = w.tensor("m", S, UINT8, 0.08, 128)
    w.op(MUL, [a, w.tensor("mc", [1, 6, 5, 1], UINT8, 0.01, 50, data=u8(rng, [1, 6, 5, 1]))], [m], MUL_OPTIONS,
         [(0, "b", 0)])
    h = w.tensor("h", S, UINT8, 0.05, 60)
    w.op(HARD_SWISH, [m], [h])
    mp = w.tensor("mp", [1, 3, 3, 8], UINT8, 0.05, 60)
    w.op(MAX_POOL_2D, [h], [mp], POOL2D_OPTIONS, [(0, "b", 0), (1, "i", 2), (2, "i", 2), (3, "i", 2), (4, "i", 2), (5, "b", 1)])
    pd = w.tensor("pd", [1, 6, 5, 8], UINT8, 0.05, 60)
    w.op(PAD, [mp, w.tensor("pads", [4, 2], INT32, data=np.array([[0, 0], [1, 2], [1, 1], [0, 0]], np.int32))], [pd])
    sb = w.tensor("sb", S, UINT8, 0.1, 128)
    w.op(SUB, [pd, h], [sb], SUB_OPTIONS, [(0, "b", 0)])
    sb2 = w.tensor("sb2", S, UINT8, 0.1, 128)
    w.op(QUANTIZE, [h], [sb2])  # uint8 -> uint8 requantization
    cc = w.tensor("cc", [1, 6, 5, 16], UINT8, 0.1, 128)
    w.op(CONCATENATION, [sb, sb2], [cc], CONCATENATION_OPTIONS, [(0, "i", 3), (1, "b", 0)])
    y = w.tensor("y", [1, 6, 5, 16], UINT8, 1 / 256, 0)
    w.op(LOGISTIC, [cc], [y])
    return w.finish([x], [y])


def refusals():
    """Models Ferrite must refuse (exit 2), with the text the message must contain."""
    r = {}
    def concat_unequal(w, rng):
        x = w.tensor("x", X_SHAPE, INT8, 0.05, -3)
        q = w.tensor("q", X_SHAPE, INT8, 0.07, -3)
        w.op(QUANTIZE, [x], [q])
        y = w.tensor("y", [1, 6, 5, 16], INT8, 0.05, -3)
        w.op(CONCATENATION, [x, q], [y], CONCATENATION_OPTIONS, [(0, "i", 3)])
        return x, y
    r["refuse_concat_unequal_q"] = (concat_unequal, "operator 1 (CONCATENATION)")
    r["refuse_strided_slice_ellipsis"] = (case_unary(STRIDED_SLICE, [1, 6, 5, 4], STRIDED_SLICE_OPTIONS, [(2, "i", 1)], consts=[
        ("begin", [4], INT32, np.array([0, 0, 0, 0], np.int32)), ("end", [4], INT32, np.array([1, 6, 5, 4], np.int32)),
        ("strides", [4], INT32, np.array([1, 1, 1, 1], np.int32))]), "operator 0 (STRIDED_SLICE): ellipsis")
    r["refuse_strided_slice_shrink_neg_stride"] = (case_unary(STRIDED_SLICE, [1, 5, 8], STRIDED_SLICE_OPTIONS, [(0, "i", 2), (4, "i", 2)], consts=[
        ("begin", [4], INT32, np.array([0, 3, 0, 0], np.int32)), ("end", [4], INT32, np.array([1, 1, 5, 8], np.int32)),
        ("strides", [4], INT32, np.array([1, -1, 1, 1], np.int32))]), "operator 0 (STRIDED_SLICE): shrink_axis_mask with a negative stride")
    r["refuse_maximum_unequal_q"] = (binary(MAXIMUM, 0, [8], True), "operator 0 (MAXIMUM)")
    r["refuse_pad_requant"] = (case_unary(PAD, [1, 7, 5, 8], qy=(0.1, 0), consts=[
        ("pads", [4, 2], INT32, np.array([[0, 0], [1, 0], [0, 0], [0, 0]], np.int32))]), "operator 0 (PAD)")
    r["refuse_resize_align_and_half"] = (case_unary(RESIZE_BILINEAR, [1, 9, 7, 8], RESIZE_BILINEAR_OPTIONS,
                                                    [(2, "b", 1), (3, "b", 1)], consts=[("size", [2], INT32,
                                                                                         np.array([9, 7], np.int32))]),
                                         "operator 0 (RESIZE_BILINEAR)")
    r["refuse_resize_requant"] = (case_unary(RESIZE_BILINEAR, [1, 9, 7, 8], RESIZE_BILINEAR_OPTIONS, [(2, "b", 0)],
                                             qy=(0.1, 0), consts=[("size", [2], INT32, np.array([9, 7], np.int32))]),
                                  "operator 0 (RESIZE_BILINEAR): input and output quantization differ")
    r["refuse_relu_bigger_output"] = (case_unary(RELU, [1, 6, 5, 80]), "operator 0 (RELU): output shape")
    def concat_lie(w, rng):
        x = w.tensor("x", X_SHAPE, INT8, 0.05, -3)
        y = w.tensor("y", [1, 6, 5, 64], INT8, 0.05, -3)
        w.op(CONCATENATION, [x, x], [y], CONCATENATION_OPTIONS, [(0, "i", 3)])
        return x, y
    r["refuse_concat_bad_shape"] = (concat_lie, "operator 0 (CONCATENATION): the inputs sum to")
    r["refuse_logistic_out_q"] = (case_unary(LOGISTIC, X_SHAPE, qy=(1 / 128, 0)), "operator 0 (LOGISTIC)")
    def x16_op(code, zp=0, otype=0, opts=()):
        def build(w, rng):
            x = w.tensor("x", X_SHAPE, INT16, 0.0005, zp)
            y = w.tensor("y", X_SHAPE, INT16, 1 / 32768, 0)
            w.op(code, [x], [y], otype, list(opts))
            return x, y
        return build
    r["refuse_int16_hard_swish"] = (x16_op(HARD_SWISH), "operator 0 (HARD_SWISH): int16 HARD_SWISH is not supported: TFLite has no int16 HARD_SWISH kernel")
    r["refuse_int16_relu_n1_to_1"] = (x16_op(RELU_N1_TO_1), "operator 0 (RELU_N1_TO_1): int16 RELU_N1_TO_1 is not supported: TFLite has no int16")
    def x16_q(code, qx, qy, otype=0, opts=()):
        def build(w, rng):
            x = w.tensor("x", X_SHAPE, INT16, qx, 0)
            y = w.tensor("y", X_SHAPE, INT16, qy, 0)
            w.op(code, [x], [y], otype, list(opts))
            return x, y
        return build
    r["refuse_int16_logistic_out_scale"] = (x16_q(LOGISTIC, 0.001, 1 / 16384), "int16 LOGISTIC output scale must be 1/32768")
    r["refuse_int16_tanh_big_scale"] = (x16_q(TANH, 4.0, 1 / 32768), "is too large for TFLite's int16 TANH")
    r["refuse_int16_softmax_out_q"] = (x16_q(SOFTMAX, 0.001, 1 / 256, SOFTMAX_OPTIONS, [(0, "f", 1.0)]),
                                       "operator 0 (SOFTMAX): int16 output must have scale 1/32768")
    r["refuse_int16_softmax_big_scale"] = (x16_q(SOFTMAX, 10.0, 1 / 32768, SOFTMAX_OPTIONS, [(0, "f", 1.0)]),
                                           "would overflow")
    def max16(w, rng):
        x = w.tensor("x", X_SHAPE, INT16, 0.001, 0)
        y = w.tensor("y", X_SHAPE, INT16, 0.001, 0)
        w.op(MAXIMUM, [x, w.tensor("b", [8], INT16, 0.002, 0, data=rng.integers(-99, 99, [8]))], [y])
        return x, y
    r["refuse_int16_maximum_unequal_q"] = (max16, "operator 0 (MAXIMUM): inputs and output must share one scale")
    def concat16_unequal(w, rng):
        x = w.tensor("x", X_SHAPE, INT16, 0.0005, 0)
        r = w.tensor("r", X_SHAPE, INT16, 0.0007, 0)
        w.op(RELU, [x], [r])
        y = w.tensor("y", [1, 6, 5, 16], INT16, 0.0005, 0)
        w.op(CONCATENATION, [x, r], [y], CONCATENATION_OPTIONS, [(0, "i", 3)])
        return x, y
    r["refuse_int16_concat_unequal_q"] = (concat16_unequal, "operator 1 (CONCATENATION): input 'r' has another scale")
    r["refuse_int16_avgpool_requant"] = (x16_q(AVERAGE_POOL_2D, 0.001, 0.002, POOL2D_OPTIONS,
                                               [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "i", 2), (4, "i", 2)]),
                                         "operator 0 (AVERAGE_POOL_2D): input and output quantization differ")
    r["refuse_int16_mean_overflow"] = (case_unary(MEAN, [1, 1, 1, 1], REDUCER_OPTIONS, [(0, "b", 1)], qx=(0.001, 0),
                                                  qy=(0.001, 0), shape=[1, 300, 300, 1], dtype=INT16,
                                                  consts=[("axis", [2], INT32, np.array([1, 2], np.int32))]),
                                       "overflows TFLite's int32 sum")
    r["refuse_int16_zero_point"] = (x16_op(RELU, zp=3), "has zero point 3")
    def q8_to_16(w, rng):
        x = w.tensor("x", X_SHAPE, INT8, 0.05, -3)
        y = w.tensor("y", X_SHAPE, INT16, 0.001, 0)
        w.op(QUANTIZE, [x], [y])
        return x, y
    r["refuse_quantize_int8_to_int16"] = (q8_to_16, "operator 0 (QUANTIZE): int16 QUANTIZE is supported between float32 and int16 only")
    def fl(code, otype=0, opts=(), consts=(), out=None):
        def build(w, rng):
            x = w.tensor("x", X_SHAPE, FLOAT32)
            ins = [x] + [w.tensor(cn, cs, ct, data=cd) for cn, cs, ct, cd in consts]
            y = w.tensor("y", out or X_SHAPE, FLOAT32)
            w.op(code, ins, [y], otype, list(opts))
            return x, y
        return build
    r["refuse_int8_log_softmax"] = (case_unary(LOG_SOFTMAX, X_SHAPE, LOG_SOFTMAX_OPTIONS, qy=(16 / 256, 127)),
                                    "operator 0 (LOG_SOFTMAX): operator not supported")
    r["refuse_float_strided_slice_new_axis"] = (fl(STRIDED_SLICE, STRIDED_SLICE_OPTIONS, [(3, "i", 1)], consts=[
        ("begin", [4], INT32, np.array([0, 0, 0, 0], np.int32)), ("end", [4], INT32, np.array([1, 6, 5, 8], np.int32)),
        ("strides", [4], INT32, np.array([1, 1, 1, 1], np.int32))]), "operator 0 (STRIDED_SLICE): ellipsis / new-axis")
    # float16 is supported only as a constant buffer read by DEQUANTIZE (float16 weights).
    def f16_act(w, rng):  # an operator writing a float16 activation
        x = w.tensor("x", X_SHAPE, FLOAT32)
        t = w.tensor("t16", X_SHAPE, FLOAT16)
        w.op(RELU, [x], [t])
        y = w.tensor("y", X_SHAPE, FLOAT32)
        w.op(DEQUANTIZE, [t], [y])
        return x, y
    r["refuse_f16_activation"] = (f16_act, "operator 0 (RELU): tensor 't16' is float16; float16 is supported only as")
    def f16_dq_act(w, rng):  # a DEQUANTIZE of a float16 tensor without data
        x = w.tensor("x", X_SHAPE, FLOAT32)
        k = w.tensor("k", [8], FLOAT32)
        w.op(DEQUANTIZE, [w.tensor("k16", [8], FLOAT16)], [k])
        y = w.tensor("y", X_SHAPE, FLOAT32)
        w.op(ADD, [x, k], [y], ADD_OPTIONS, [(0, "b", 0)])
        return x, y
    r["refuse_f16_dequantize_activation"] = (f16_dq_act, "operator 0 (DEQUANTIZE): float16 input 'k16' is not a constant")
    def f16_inf(w, rng):
        x = w.tensor("x", X_SHAPE, FLOAT32)
        k = w.tensor("k", [8], FLOAT32)
        w.op(DEQUANTIZE, [w.tensor("k16", [8], FLOAT16, data=np.array([1, 2, 3, np.inf, 5, 6, 7, 8], np.float16))], [k])
        y = w.tensor("y", X_SHAPE, FLOAT32)
        w.op(MUL, [x, k], [y], MUL_OPTIONS, [(0, "b", 0)])
        return x, y
    def f32_nonfinite_filter(dw, bad):  # float32 filter with inf / NaN and SAME padding
        def build(w, rng):
            x = w.tensor("x", X_SHAPE, FLOAT32)
            k = (rng.standard_normal([1 if dw else 4, 3, 3, 8]) * 0.3).astype(np.float32)
            k[0, 1, 2, 5] = bad
            wt = w.tensor("wf", list(k.shape), FLOAT32, data=k)
            y = w.tensor("y", X_SHAPE[:3] + [8 if dw else 4], FLOAT32)
            if dw:
                w.op(DEPTHWISE_CONV_2D, [x, wt, -1], [y], DEPTHWISE_OPTIONS, [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "i", 1), (4, "b", 0)])
            else:
                w.op(CONV_2D, [x, wt, -1], [y], CONV2D_OPTIONS, [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "b", 0)])
            return x, y
        return build
    r["refuse_f32_inf_filter_same"] = (f32_nonfinite_filter(False, np.inf),
                                       "operator 0 (CONV_2D): float filter 'wf' holds inf: with padding")
    r["refuse_f32_nan_dw_filter_same"] = (f32_nonfinite_filter(True, np.nan),
                                          "operator 0 (DEPTHWISE_CONV_2D): float filter 'wf' holds nan: with padding")
    r["refuse_f16_inf_weight"] = (f16_inf, "operator 0 (DEQUANTIZE): float16 constant 'k16' holds inf at element 3")
    def f16_filter(w, rng):  # a float16 filter read without DEQUANTIZE
        x = w.tensor("x", X_SHAPE, FLOAT32)
        y = w.tensor("y", [1, 6, 5, 4], FLOAT32)
        w.op(CONV_2D, [x, w.tensor("w16", [4, 1, 1, 8], FLOAT16, data=np.ones([4, 1, 1, 8], np.float16))], [y],
             CONV2D_OPTIONS, [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "b", 0)])
        return x, y
    r["refuse_f16_filter_without_dequantize"] = (f16_filter, "operator 0 (CONV_2D): tensor 'w16' is float16")
    def f16_const_out(w, rng):  # a dequantized float16 constant as the graph output
        x = w.tensor("x", X_SHAPE, FLOAT32)
        k = w.tensor("k", [8], FLOAT32)
        w.op(DEQUANTIZE, [w.tensor("k16", [8], FLOAT16, data=np.ones(8, np.float16))], [k])
        return x, k
    r["refuse_f16_constant_output"] = (f16_const_out, "operator 0 (DEQUANTIZE): output 'k' (float16 weights dequantized) is a graph output")
    # fully-uint8 models: what TFLite computes otherwise for uint8, or has no uint8 kernel for.
    def u8_un(code, out_shape, otype=0, opts=(), qx=(0.05, 128), qy=(0.05, 128), consts=()):
        return case_unary(code, out_shape, otype, opts, qx=qx, qy=qy, consts=consts, dtype=UINT8)
    r["refuse_uint8_mean"] = (u8_un(MEAN, [1, 8], REDUCER_OPTIONS, [(0, "b", 0)],
                                    consts=[("axis", [2], INT32, np.array([1, 2], np.int32))]),
                              "operator 0 (MEAN): uint8 MEAN is not supported: TFLite's uint8 MEAN takes legacy paths")
    r["refuse_uint8_resize_bilinear"] = (u8_un(RESIZE_BILINEAR, [1, 9, 7, 8], RESIZE_BILINEAR_OPTIONS, [(2, "b", 0)],
                                               consts=[("size", [2], INT32, np.array([9, 7], np.int32))]),
                                         "operator 0 (RESIZE_BILINEAR): uint8 RESIZE_BILINEAR is not supported: TFLite interpolates uint8 in float")
    def u8_conv_per_channel(w, rng):
        x = w.tensor("x", X_SHAPE, UINT8, 0.05, 128)
        wt = w.tensor("w", [4, 3, 3, 8], UINT8, [0.01, 0.02, 0.03, 0.04], [120] * 4, data=rng.integers(0, 256, [4, 3, 3, 8]))
        y = w.tensor("y", [1, 6, 5, 4], UINT8, 0.1, 128)
        w.op(CONV_2D, [x, wt], [y], CONV2D_OPTIONS, [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "b", 0)])
        return x, y
    r["refuse_uint8_conv_per_channel"] = (u8_conv_per_channel, "operator 0 (CONV_2D): uint8 filter with 4 scales (TFLite quantizes uint8 filters per tensor only)")
    def u8_conv_int8_filter(w, rng):  # uint8 activations with an int8 filter: TFLite has no such kernel
        x = w.tensor("x", X_SHAPE, UINT8, 0.05, 128)
        wt = w.tensor("w", [4, 3, 3, 8], INT8, 0.01, 0, data=rng.integers(-127, 128, [4, 3, 3, 8]))
        y = w.tensor("y", [1, 6, 5, 4], UINT8, 0.1, 128)
        w.op(CONV_2D, [x, wt], [y], CONV2D_OPTIONS, [(0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "b", 0)])
        return x, y
    r["refuse_uint8_conv_int8_filter"] = (u8_conv_int8_filter, "operator 0 (CONV_2D): mixes uint8 and other types (TFLite's uint8 CONV_2D needs uint8 inputs, outputs and weights)")
    def u8_relu_int8_out(w, rng):
        x = w.tensor("x", X_SHAPE, UINT8, 0.05, 128)
        y = w.tensor("y", X_SHAPE, INT8, 0.05, 0)
        w.op(RELU, [x], [y])
        return x, y
    r["refuse_uint8_relu_int8_out"] = (u8_relu_int8_out, "operator 0 (RELU): mixes uint8 and other types")
    r["refuse_uint8_logistic_out_q"] = (u8_un(LOGISTIC, X_SHAPE, qy=(1 / 256, 128)),
                                        "operator 0 (LOGISTIC): uint8 output must have scale 1/256 and zero point 0")
    r["refuse_uint8_tanh_out_q"] = (u8_un(TANH, X_SHAPE, qy=(1 / 128, 0)),
                                    "operator 0 (TANH): uint8 output must have scale 1/128 and zero point 128")
    r["refuse_uint8_softmax_out_q"] = (u8_un(SOFTMAX, X_SHAPE, qy=(1 / 256, 128), otype=SOFTMAX_OPTIONS, opts=[(0, "f", 1.0)]),
                                       "operator 0 (SOFTMAX): uint8 output must have scale 1/256 and zero point 0")
    def u8_concat_unequal(w, rng):
        x = w.tensor("x", X_SHAPE, UINT8, 0.05, 128)
        r_ = w.tensor("r", X_SHAPE, UINT8, 0.04, 100)
        w.op(QUANTIZE, [x], [r_])
        y = w.tensor("y", [1, 6, 5, 16], UINT8, 0.05, 128)
        w.op(CONCATENATION, [x, r_], [y], CONCATENATION_OPTIONS, [(0, "i", 3), (1, "b", 0)])
        return x, y
    r["refuse_uint8_concat_unequal_q"] = (u8_concat_unequal, "operator 1 (CONCATENATION): input 'r' has another scale")
    def u8_to_i16(w, rng):
        x = w.tensor("x", X_SHAPE, UINT8, 0.05, 128)
        y = w.tensor("y", X_SHAPE, INT16, 0.001, 0)
        w.op(QUANTIZE, [x], [y])
        return x, y
    r["refuse_uint8_to_int16"] = (u8_to_i16, "operator 0 (QUANTIZE): uint8 QUANTIZE is supported from float32, int8 or uint8 to uint8")
    def u8_dequantize_int8(w, rng):  # DEQUANTIZE uint8 -> int8 is not a TFLite kernel
        x = w.tensor("x", X_SHAPE, UINT8, 0.05, 128)
        y = w.tensor("y", X_SHAPE, INT8, 0.05, 0)
        w.op(DEQUANTIZE, [x], [y])
        return x, y
    r["refuse_uint8_dequantize_int8"] = (u8_dequantize_int8, "operator 0 (DEQUANTIZE): uint8 DEQUANTIZE is supported to float32 only")
    return r


def main():
    out = sys.argv[1]
    c = cases()
    c.update(x16_cases())
    c.update(x16_more_cases())
    c.update(float_cases())
    c.update(u8_cases())
    if "--list" in sys.argv:
        print("\n".join(list(c) + ["chain", "chain_data", "chain_act", "float_chain", "mixed_io", "patch_chain",
                         "chain_resize", "float_resize", "chain16", "chain16_act",
                         "x16_float_io", "chain16_ops", "float_ops_chain", "f16_chain", "u8_chain", "u8_chain_ops", "pad_fold_chain"] + list(U8_IO) + list(refusals())))
        return
    os.makedirs(out, exist_ok=True)
    lines = []
    for name, build in c.items():
        open(os.path.join(out, name + ".tflite"), "wb").write(single(name, build))
        lines.append(f"{name} op")
    open(os.path.join(out, "chain.tflite"), "wb").write(chain())
    open(os.path.join(out, "chain_data.tflite"), "wb").write(chain_data())
    open(os.path.join(out, "chain_act.tflite"), "wb").write(chain_act())
    open(os.path.join(out, "float_chain.tflite"), "wb").write(float_chain())
    open(os.path.join(out, "mixed_io.tflite"), "wb").write(mixed_io())
    open(os.path.join(out, "patch_chain.tflite"), "wb").write(patch_chain())
    open(os.path.join(out, "chain_resize.tflite"), "wb").write(chain_resize())
    open(os.path.join(out, "float_resize.tflite"), "wb").write(float_resize())
    open(os.path.join(out, "chain16.tflite"), "wb").write(chain16())
    open(os.path.join(out, "chain16_act.tflite"), "wb").write(chain16_act())
    open(os.path.join(out, "x16_float_io.tflite"), "wb").write(x16_float_io())
    open(os.path.join(out, "chain16_ops.tflite"), "wb").write(chain16_ops())
    open(os.path.join(out, "float_ops_chain.tflite"), "wb").write(float_ops_chain())
    open(os.path.join(out, "f16_chain.tflite"), "wb").write(f16_chain())
    open(os.path.join(out, "u8_chain.tflite"), "wb").write(u8_chain())
    open(os.path.join(out, "u8_chain_ops.tflite"), "wb").write(u8_chain_ops())
    open(os.path.join(out, "pad_fold_chain.tflite"), "wb").write(pad_fold_chain())
    lines += ["chain chain", "chain_data chain", "chain_act chain", "float_chain chain", "mixed_io chain",
              "patch_chain chain", "chain_resize chain", "float_resize chain", "chain16 chain",
              "chain16_act chain", "x16_float_io chain", "chain16_ops chain", "float_ops_chain chain", "f16_chain chain",
              "u8_chain chain", "u8_chain_ops chain", "pad_fold_chain chain"]
    for name, (q_in, q_out) in U8_IO.items():
        open(os.path.join(out, name + ".tflite"), "wb").write(u8_io(name, q_in, q_out))
        lines.append(f"{name} chain")
    for name, (build, expect) in refusals().items():
        open(os.path.join(out, name + ".tflite"), "wb").write(single(name, build))
        lines.append(f"{name} refuse {expect}")
    open(os.path.join(out, "cases.txt"), "w").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
