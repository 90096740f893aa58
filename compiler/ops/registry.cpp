// Dispatch from OpKind to the per-op lowering functions (generated from ir/ops.def), the
// activation conversion, and host execution of kernel calls for constant folding.
#include <limits>

#include "ops/op_util.h"

namespace ferrite {
namespace ops {
#define FERRITE_OP(kind, domain, onnx, lo, hi, cmask) Expected<Lowered> lower_##kind(const Graph& g, const Node& n);
#include "ir/ops.def"
#undef FERRITE_OP
}  // namespace ops

Expected<Lowered> lower_node(const Graph& g, const Node& n) {
  for (TensorId t : n.inputs)
    if (t != kNoTensor && g.t(t).numel() > std::numeric_limits<int32_t>::max())
      return make_error("{}: tensor '{}' has {} elements, more than 2^31-1", n.display_name(), g.t(t).name, g.t(t).numel());
  for (TensorId t : n.outputs)
    if (g.t(t).numel() > std::numeric_limits<int32_t>::max())
      return make_error("{}: tensor '{}' has {} elements, more than 2^31-1", n.display_name(), g.t(t).name, g.t(t).numel());
  using Fn = Expected<Lowered> (*)(const Graph&, const Node&);
  static const Fn table[] = {
#define FERRITE_OP(kind, domain, onnx, lo, hi, cmask) &ops::lower_##kind,
#include "ir/ops.def"
#undef FERRITE_OP
  };
  return table[static_cast<size_t>(n.op)](g, n);
}

ferrite_rt::ActParams to_act_params(const FusedAct& a) {
  ferrite_rt::ActParams p = ops::no_act();
  p.kind = static_cast<ferrite_rt::Act>(a.kind);
  p.alpha = a.alpha;
  p.beta = a.beta;
  if (a.kind == FusedAct::Clip) {
    p.lo = a.lo;
    p.hi = a.hi;
  }
  return p;
}

void execute_host(const KernelCall& c, const std::vector<void*>& a) {
  using namespace ferrite_rt;
  auto F = [&](size_t i) { return static_cast<float*>(a[i]); };
  auto S8 = [&](size_t i) { return static_cast<int8_t*>(a[i]); };
  auto U8 = [&](size_t i) { return static_cast<uint8_t*>(a[i]); };
  auto I32 = [&](size_t i) { return static_cast<int32_t*>(a[i]); };
  std::visit(
      [&](const auto& p) {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, ConvParams>) {
          if (c.fn == "dwconv2d_f32") dwconv2d_f32(p, F(0), F(1), F(2), F(3));
          else if (c.fn == "dwconv2d_f32_inplace") dwconv2d_f32_inplace(p, F(0), F(1), F(2), F(3));
          else conv2d_f32(p, F(0), F(1), F(2), F(3), F(4));
        } else if constexpr (std::is_same_v<P, GemmParams>) {
          gemm_f32(p, F(0), F(1), F(2), F(3));
        } else if constexpr (std::is_same_v<P, MatMulParams>) {
          matmul_f32(p, F(0), F(1), F(2));
        } else if constexpr (std::is_same_v<P, BinaryParams>) {
          binary_f32(p, F(0), F(1), F(2));
        } else if constexpr (std::is_same_v<P, UnaryParams>) {
          unary_f32(p, F(0), F(1));
        } else if constexpr (std::is_same_v<P, SoftmaxParams>) {
          softmax_f32(p, F(0), F(1));
        } else if constexpr (std::is_same_v<P, PoolParams>) {
          if (c.fn == "maxpool2d_f32") maxpool2d_f32(p, F(0), F(1));
          else avgpool2d_f32(p, F(0), F(1));
        } else if constexpr (std::is_same_v<P, GlobalPoolParams>) {
          if (c.fn == "global_maxpool_f32") global_maxpool_f32(p, F(0), F(1));
          else global_avgpool_f32(p, F(0), F(1));
        } else if constexpr (std::is_same_v<P, StridedCopyParams>) {
          strided_copy(p, a[0], a[1]);
        } else if constexpr (std::is_same_v<P, ConcatPartParams>) {
          concat_part(p, a[0], a[1]);
        } else if constexpr (std::is_same_v<P, PadParams>) {
          pad_f32(p, F(0), F(1));
        } else if constexpr (std::is_same_v<P, ReduceParams>) {
          reduce_f32(p, F(0), F(1));
        } else if constexpr (std::is_same_v<P, BatchNormParams>) {
          batchnorm_f32(p, F(0), F(1), F(2), F(3), F(4), F(5));
        } else if constexpr (std::is_same_v<P, QuantizeParams>) {
          if (c.fn == "quantize_f32") quantize_f32(p, F(0), F(1), I32(2), U8(3));
          else dequantize_f32(p, U8(0), F(1), I32(2), F(3));
        } else if constexpr (std::is_same_v<P, RequantizeParams>) {
          requantize_s8(p, S8(0), S8(1));
        } else if constexpr (std::is_same_v<P, FlipSignParams>) {
          flip_sign_bytes(p, U8(0), U8(1));
        } else if constexpr (std::is_same_v<P, ConvS8Params>) {
          if (c.fn == "dwconv_s8_nhwc") dwconv_s8_nhwc(p, S8(0), S8(1), I32(2), F(3), a[4]);
          else if (c.fn == "dwconv_s8_nhwc_inplace") dwconv_s8_nhwc_inplace(p, S8(0), S8(1), I32(2), F(3), a[4]);
          else if (c.fn == "conv1x1_s8_nhwc") conv1x1_s8_nhwc(p, S8(0), S8(1), I32(2), F(3), a[4]);
          else conv_s8_nhwc(p, S8(0), S8(1), I32(2), F(3), a[4], a[5]);
        } else if constexpr (std::is_same_v<P, FcS8Params>) {
          fc_s8(p, S8(0), S8(1), I32(2), F(3), a[4]);
        } else if constexpr (std::is_same_v<P, MatMulS8Params>) {
          matmul_s8(p, S8(0), S8(1), F(2), a[3]);
        } else if constexpr (std::is_same_v<P, BinaryS8Params>) {
          binary_s8(p, S8(0), S8(1), S8(2));
        } else if constexpr (std::is_same_v<P, PoolS8Params>) {
          if (c.fn == "maxpool_s8_nhwc") maxpool_s8_nhwc(p, S8(0), S8(1));
          else avgpool_s8_nhwc(p, S8(0), S8(1));
        } else if constexpr (std::is_same_v<P, GlobalPoolS8Params>) {
          global_avgpool_s8_nhwc(p, S8(0), S8(1));
        } else if constexpr (std::is_same_v<P, ConcatS8PartParams>) {
          concat_s8_part(p, S8(0), S8(1));
        } else if constexpr (std::is_same_v<P, LutParams>) {
          lut_s8(p, S8(0), S8(1), S8(2));
        } else if constexpr (std::is_same_v<P, SoftmaxS8Params>) {
          softmax_s8(p, S8(0), S8(1));
        } else if constexpr (std::is_same_v<P, WindowCopyParams>) {
          window_copy(p, a[0], a[1]);
        } else if constexpr (std::is_same_v<P, BottleneckS8Params>) {
          bottleneck_s8_nhwc(p, S8(0), S8(1), I32(2), F(3), S8(4), I32(5), F(6), S8(7), I32(8), F(9),
                             static_cast<int8_t*>(a[10]), a[11]);
        } else if constexpr (std::is_same_v<P, QuantizeWindowParams>) {
          quantize_window_f32(p, F(0), F(1), I32(2), a[3]);
        }
      },
      c.params);
}

}  // namespace ferrite
