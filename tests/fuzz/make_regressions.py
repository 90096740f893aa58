#!/usr/bin/env python3
"""Writes tests/fuzz/regressions/*.onnx: minimal models of the crashes the fuzzer found (each crashed
or hung the compiler before its fix; `ctest -R fuzz_smoke` replays them and requires a clean refusal).
Rerun with /usr/bin/python3 (Debian's python3-onnx)."""
import os
import numpy as np
import onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "regressions")


def save(name, nodes, inputs, outputs, inits=(), opset=13):
    g = h.make_graph(nodes, name, inputs, outputs, list(inits))
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)], producer_name="ferrite-fuzz-regression")
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(m.SerializeToString())


def vi(name, t, dims):
    return h.make_tensor_value_info(name, t, dims)


os.makedirs(OUT, exist_ok=True)
# ConvInteger / MatMulInteger whose zero point is a graph input (a null read in lowering).
save("convinteger_runtime_zero_point", [h.make_node("ConvInteger", ["x", "w", "x_zp"], ["y"])],
     [vi("x", T.UINT8, [1, 1, 3, 3]), vi("x_zp", T.UINT8, [])], [vi("y", T.INT32, [1, 1, 2, 2])],
     [nh.from_array(np.ones((1, 1, 2, 2), np.uint8), "w")], opset=10)
save("matmulinteger_runtime_zero_point", [h.make_node("MatMulInteger", ["a", "b", "a_zp"], ["y"])],
     [vi("a", T.UINT8, [2, 3]), vi("a_zp", T.UINT8, [])], [vi("y", T.INT32, [2, 4])],
     [nh.from_array(np.ones((3, 4), np.uint8), "b")], opset=10)
# Concat with an omitted input (vector::at(-1) escaped as an exception).
save("concat_omitted_input", [h.make_node("Concat", ["x", ""], ["y"], axis=0)],
     [vi("x", T.FLOAT, [2])], [vi("y", T.FLOAT, [2])])
# Expand whose shape operand has 2^31-1 values (ONNX's inference built that many dims: a hang).
save("expand_huge_shape_operand", [h.make_node("Expand", ["data", "new_shape"], ["y"])],
     [vi("data", T.FLOAT, [3, 1]), vi("new_shape", T.INT64, [2**31 - 1])], [vi("y", T.FLOAT, [3, 1])])
# ConvInteger with a rank-5 weight for a rank-4 input (ONNX's conv inference read out of bounds).
save("convinteger_rank_mismatch", [h.make_node("ConvInteger", ["x", "w"], ["y"])],
     [vi("x", T.UINT8, [1, 1, 3, 3])], [vi("y", T.INT32, [1, 1, 2, 2])],
     [nh.from_array(np.ones((1, 1, 2, 2, 3), np.uint8), "w")], opset=10)
# The same with the rank only known after inference (Relu in front): kernel_shape made explicit.
save("conv_rank_mismatch_inferred", [h.make_node("Relu", ["x"], ["r"]), h.make_node("Conv", ["r", "w"], ["y"])],
     [vi("x", T.FLOAT, [1, 1, 3, 3])], [vi("y", T.FLOAT, [1, 1, 2, 2])],
     [nh.from_array(np.ones((1, 1, 2, 2, 3), np.float32), "w")])
# Gemm of scalars at opset 2 (ONNX's version converter, Gemm_6_7, read past an empty dims list).
save("gemm_scalars_opset2", [h.make_node("Gemm", ["a", "b", "c"], ["y"])],
     [vi("a", T.FLOAT, []), vi("b", T.FLOAT, []), vi("c", T.FLOAT, [])], [vi("y", T.FLOAT, [2])], opset=2)
# PRelu whose slope has a higher rank than the input (heap overflow computing broadcast strides).
save("prelu_slope_higher_rank", [h.make_node("PRelu", ["x", "slope"], ["y"])],
     [vi("x", T.FLOAT, [3, 4, 5]), vi("slope", T.FLOAT, [3, 4, 5, 2])], [vi("y", T.FLOAT, [3, 4, 5])])
# A QDQ Conv whose float bias does not fit int32 at the weight scale (1e30 / (0.05 * 0.02)): the
# conversion to int32 in fold-qdq was undefined behaviour (libFuzzer + UBSan).
save("qdq_conv_bias_overflow",
     [h.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]), h.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
      h.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wd"]), h.make_node("Conv", ["xd", "wd", "b"], ["yf"]),
      h.make_node("QuantizeLinear", ["yf", "ys", "yz"], ["y"])],
     [vi("x", T.FLOAT, [1, 2, 4, 4])], [vi("y", T.INT8, [1, 4, 4, 4])],
     [nh.from_array(np.array(0.05, np.float32), "xs"), nh.from_array(np.array(0, np.int8), "xz"),
      nh.from_array(np.array(0.02, np.float32), "ws"), nh.from_array(np.array(0, np.int8), "wz"),
      nh.from_array(np.array(0.1, np.float32), "ys"), nh.from_array(np.array(0, np.int8), "yz"),
      nh.from_array(np.ones((4, 2, 1, 1), np.int8), "w"), nh.from_array(np.full(4, 1e30, np.float32), "b")])
print(sorted(os.listdir(OUT)))
# A Constant whose value declares 2^31-1 elements while holding one: ONNX's inference trusted the
# dims (Neg kept them, ConstantOfShape built a result of that rank) and the sandboxed inference ran
# out of memory after minutes (found by fuzz_smoke, round 4). Now refused by its declared size.
huge = h.make_tensor("v", T.INT64, [1], [-3])
huge.dims[0] = 2**31 - 1  # (make_tensor checks the count; the fuzzer does not)
save("constant_declared_huge", [h.make_node("Constant", [], ["axes"], value=huge), h.make_node("Neg", ["axes"], ["n"]),
                                h.make_node("ConstantOfShape", ["n"], ["y"])],
     [], [vi("y", T.FLOAT, None)], opset=17)
# A 1-D MaxPool (rank-3 map), as in the node test test_maxpool_1d_default: the patch planner's node
# facts read a 2-D window (rows and columns) from every conv / pool, past the end of its 3-element
# shape (heap overflow under ASan, sanitized model fuzzing, round 5); 1-D and 3-D layers now have no
# patch window. A 1-D Conv the same. Both are valid models and must compile.
save("maxpool_1d_patch_window", [h.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2])],
     [vi("x", T.FLOAT, [1, 3, 32])], [vi("y", T.FLOAT, [1, 3, 31])], opset=12)
save("conv_1d_patch_window", [h.make_node("Conv", ["x", "w"], ["y"])],
     [vi("x", T.FLOAT, [1, 2, 16])], [vi("y", T.FLOAT, [1, 4, 14])],
     [nh.from_array(np.full((4, 2, 3), 0.5, np.float32), "w")], opset=13)
# A Resize whose scales initializer declares 4 floats but holds 17 raw bytes: ONNX's shape inference
# (ParseData) copied the raw bytes into a buffer sized by the dims, a heap overflow inside the
# sandboxed inference (sanitized model fuzzing, round 5). Now refused before inference: raw data must
# be exactly the declared element count times the element size.
bad_scales = nh.from_array(np.ones(4, np.float32), "scales")
bad_scales.raw_data = bad_scales.raw_data + b"\x00"
save("resize_scales_raw_bytes", [h.make_node("Resize", ["x", "", "scales"], ["y"], mode="nearest")],
     [vi("x", T.FLOAT, [1, 1, 2, 2])], [vi("y", T.FLOAT, [1, 1, 2, 2])], [bad_scales], opset=13)
# Round 6 (sanitized model fuzzing of the session-23 main, seed 231): a ConvTranspose with output_shape
# and an output_padding of INT64_MAX: the padding total overflowed int64 (UBSan; in the normal build the
# wrapped value became the kernel's padding and the model compiled). Now refused before inference
# (output_padding values 0 to INT32_MAX) and in lowering (below the stride or the dilation).
save("convtranspose_output_padding_huge",
     [h.make_node("ConvTranspose", ["x", "w"], ["y"], kernel_shape=[3, 3], strides=[3, 2],
                  output_padding=[2**63 - 1, 1], output_shape=[10, 8])],
     [vi("x", T.FLOAT, [1, 1, 3, 3]), vi("w", T.FLOAT, [1, 2, 3, 3])], [vi("y", T.FLOAT, [1, 2, 10, 8])], opset=13)
# A GroupNormalization-18 over an input with a dim of 2^62: its opset-17 decomposition multiplied the
# per-group element count before the import's element-count checks (int64 overflow, UBSan). Now refused
# naming the node and the shape.
save("groupnorm_huge_dim",
     [h.make_node("GroupNormalization", ["x", "scale", "bias"], ["y"], num_groups=3)],
     [vi("x", T.FLOAT, [2, 6, 2**62, 2, 2]), vi("scale", T.FLOAT, [3]), vi("bias", T.FLOAT, [3])],
     [vi("y", T.FLOAT, [2, 6, 2**62, 2, 2])], opset=19)
# (round 7) A GRU whose hidden_size is INT64_MIN: lowering multiplied it by the gate count before
# comparing the weights' shapes with it (UBSan: signed overflow in compiler/ops/rnn.cpp).
save("gru_hidden_size_int64_min",
     [h.make_node("GRU", ["X", "W", "R", "B"], ["", "Y_h"], hidden_size=-2**63)],
     [vi("X", T.FLOAT, [2, 3, 3]), vi("W", T.FLOAT, [1, 15, 3]), vi("R", T.FLOAT, [1, 15, 5]),
      vi("B", T.FLOAT, [1, 30])],
     [vi("Y_h", T.FLOAT, [1, 3, 5])], opset=14)
# Round 9: models that crashed ONNX's own code in the sandbox worker. The sandbox contained each as
# a refusal, so the fuzzer's driver did not count them until it watched the worker (every mutant
# whose worker dies is now a finding). Each is now refused before ONNX reads what it trusts.
# A Gemm of a rank-1 A and a scalar B at opset 2 (ONNX's version converter, Gemm_6_7, indexed B's dims).
save("gemm_rank1_opset2", [h.make_node("Gemm", ["a", "b", "c"], ["y"])],
     [vi("a", T.FLOAT, [4]), vi("b", T.FLOAT, []), vi("c", T.FLOAT, [2])], [vi("y", T.FLOAT, [2])], opset=2)
# A ConvTranspose whose weights are a scalar behind a Relu (ONNX's inference read W's dims 0 and 1).
save("convtranspose_weights_rank0_inferred",
     [h.make_node("Relu", ["x"], ["r"]), h.make_node("ConvTranspose", ["r", "w"], ["y"], kernel_shape=[2, 2])],
     [vi("x", T.FLOAT, [1, 2, 3, 3])], [vi("y", T.FLOAT, [1, 2, 4, 4])], [nh.from_array(np.array(0.5, np.float32), "w")])
# A LayerNormalization with axis = -128 on a rank-4 input, with its Mean output (whose inference
# indexed dim -124).
save("layernorm_axis_out_of_rank",
     [h.make_node("LayerNormalization", ["x", "s", "x"], ["y", "mean", "inv_std_dev"], axis=-128)],
     [vi("x", T.FLOAT, [2, 3, 4, 5])], [vi("y", T.FLOAT, [2, 3, 4, 5])],
     [nh.from_array(np.ones(5, np.float32), "s")], opset=17)
# A MatMul whose inner dims differ, then Shape: the MatMul fails to infer and leaves its output
# untyped; ONNX carried on and Shape's data propagation read the missing type (a null pointer).
save("matmul_mismatch_then_shape",
     [h.make_node("MatMul", ["x", "w"], ["m"]), h.make_node("Shape", ["m"], ["y"])],
     [vi("x", T.FLOAT, [1, 16, 8, 2])], [vi("y", T.INT64, [4])],
     [nh.from_array(np.zeros((8, 64), np.float32), "w")], opset=17)
# A QuantizeLinear-21 with output_dtype and no zero point whose scale declares a dim of -128: the
# opset-17 rewrite sized the zero point it adds by those dims before they were checked (an exception).
neg_scale = nh.from_array(np.array([0.5], np.float32), "xs")
neg_scale.dims[0] = -128
save("quantize21_scale_negative_dim",
     [h.make_node("QuantizeLinear", ["x", "xs"], ["y"], output_dtype=T.INT8)],
     [vi("x", T.FLOAT, [1, 3, 8, 8])], [vi("y", T.INT8, [1, 3, 8, 8])], [neg_scale], opset=21)
# (round 9, the 10.5-million run) A GroupNormalization-21 over 0 channels with num_groups = 2^31: every count
# divides 0, and the opset-17 decomposition built per-group constants of 2^31 floats (bad_alloc under the
# fuzzer's 4 GiB limit; without a limit the kernel killed the compiler). A count above the channels is refused.
save("groupnorm_zero_channels_huge_groups",
     [h.make_node("GroupNormalization", ["x", "scale", "bias"], ["y"], num_groups=2**31)],
     [vi("x", T.FLOAT, [4, 0, 10]), vi("scale", T.FLOAT, [0]), vi("bias", T.FLOAT, [0])],
     [vi("y", T.FLOAT, [4, 0, 10])], opset=21)
