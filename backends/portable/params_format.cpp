// Initializer printing for every ferrite_rt parameter struct, field by field in declaration order.
#include "backends/portable/params_format.h"

#include "ops/kernel_params.h"

#include <cmath>
#include <cstring>

namespace ferrite {

std::string float_literal(float v) {
  if (std::isnan(v)) return std::signbit(v) ? "(-__builtin_nanf(\"\"))" : "__builtin_nanf(\"\")";
  if (std::isinf(v)) return v < 0 ? "(-__builtin_inff())" : "__builtin_inff()";
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".e") == std::string::npos) s += ".";
  return s + "f";
}

namespace {
std::string arr(const int32_t* a, int n) {
  std::string s = "{";
  for (int i = 0; i < n; ++i) s += (i ? ", " : "") + std::to_string(a[i]);
  return s + "}";
}
std::string act(const ferrite_rt::ActParams& a) {
  static const char* names[] = {"None", "Relu", "Clip", "LeakyRelu", "HardSigmoid", "HardSwish", "Sigmoid", "Tanh", "Silu"};
  return fmt::format("{{ferrite_rt::Act::{}, {}, {}, {}, {}}}", names[static_cast<int>(a.kind)], float_literal(a.alpha),
                     float_literal(a.beta), float_literal(a.lo), float_literal(a.hi));
}
std::string i32lit(int32_t v) { return v == INT32_MIN ? "(-2147483647 - 1)" : std::to_string(v); }
template <typename E>
std::string en(const char* type, E e) {
  return fmt::format("ferrite_rt::{}({})", type, static_cast<int>(e));
}
}  // namespace

std::string params_type(const KernelParams& kp) {
  static const char* names[] = {"ConvParams",    "GemmParams",       "MatMulParams",        "BinaryParams",
                                "UnaryParams",   "SoftmaxParams",    "PoolParams",          "GlobalPoolParams",
                                "StridedCopyParams", "ConcatPartParams", "PadParams",
                                "ReduceParams",  "BatchNormParams",
                                "QuantizeParams", "RequantizeParams", "FlipSignParams", "ConvS8Params", "FcS8Params",
                                "MatMulS8Params", "BinaryS8Params", "PoolS8Params", "GlobalPoolS8Params",
                                "ConcatS8PartParams", "LutParams", "SoftmaxS8Params", "WindowCopyParams",
                                "QuantizeWindowParams", "BottleneckS8Params", "LayerNormParams", "ResizeParams", "RnnParams",
                                "EluParams", "ReduceAccParams", "WhereParams", "TileParams", "ArgMaxParams",
                                "InstanceNormParams", "BatchNormTrainParams",

                                "PointwiseParams", "ExpandDwF32Params", "CastParams"};
  return std::string("ferrite_rt::") + names[kp.index()];
}

std::string params_init(const KernelParams& kp) {
  using namespace ferrite_rt;
  return std::visit(
      [](const auto& p) -> std::string {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, ConvParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}",
                             p.n, p.c_in, p.h_in, p.w_in, p.c_out, p.h_out, p.w_out, p.kh, p.kw, p.stride_h, p.stride_w,
                             p.dil_h, p.dil_w, p.pad_top, p.pad_left, p.group, p.d_in, p.d_out, p.kd, p.stride_d,
                             p.dil_d, p.pad_front, act(p.act));
        } else if constexpr (std::is_same_v<P, GemmParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}}}", p.m, p.n, p.k, p.trans_a, p.trans_b,
                             float_literal(p.alpha), float_literal(p.beta), en("GemmBias", p.c_kind), act(p.act));
        } else if constexpr (std::is_same_v<P, MatMulParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}}}", p.batch_rank, arr(p.batch_shape, 4),
                             arr(p.a_bstride, 4), arr(p.b_bstride, 4), p.m, p.n, p.k, act(p.act));
        } else if constexpr (std::is_same_v<P, BinaryParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}", en("BinOp", p.op), p.rank, arr(p.out_shape, 6),
                             arr(p.a_stride, 6), arr(p.b_stride, 6), p.total, p.same_shape, act(p.act),
                             en("ElemType", p.a_type), en("ElemType", p.b_type));
        } else if constexpr (std::is_same_v<P, UnaryParams>) {
          return fmt::format("{{{}, {}, {}}}", en("UnOp", p.op), p.total, act(p.act));
        } else if constexpr (std::is_same_v<P, SoftmaxParams>) {
          if (p.beta != 1.0f)  // TFLite's float SOFTMAX beta; the default member initializer otherwise
            return fmt::format("{{{}, {}, {}, {}, {}}}", p.outer, p.axis_len, p.inner, p.log, float_literal(p.beta));
          return fmt::format("{{{}, {}, {}, {}}}", p.outer, p.axis_len, p.inner, p.log);
        } else if constexpr (std::is_same_v<P, PoolParams>) {
          return fmt::format(
              "{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}",
              p.n, p.c, p.h_in, p.w_in, p.h_out, p.w_out, p.kh, p.kw, p.stride_h, p.stride_w, p.dil_h, p.dil_w,
              p.pad_top, p.pad_left, p.pad_bottom, p.pad_right, p.count_include_pad, p.d_in, p.d_out, p.kd, p.stride_d,
              p.dil_d, p.pad_front, p.pad_back, p.storage_order, act(p.act));
        } else if constexpr (std::is_same_v<P, GlobalPoolParams>) {
          return fmt::format("{{{}, {}, {}}}", p.planes, p.spatial, act(p.act));
        } else if constexpr (std::is_same_v<P, StridedCopyParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}}}", p.rank, arr(p.out_shape, 6), arr(p.in_stride, 6),
                             p.in_offset, p.total, p.elem_size);
        } else if constexpr (std::is_same_v<P, ConcatPartParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}}}", p.outer, p.in_inner, p.out_inner, p.offset, p.elem_size);
        } else if constexpr (std::is_same_v<P, PadParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {{{}, {}}}}}", p.rank, arr(p.in_shape, 6),
                             arr(p.out_shape, 6), arr(p.pad_begin, 6), en("PadMode", p.mode), float_literal(p.value),
                             p.total, p.elem_size, i32lit(p.value_bits[0]), i32lit(p.value_bits[1]));
        } else if constexpr (std::is_same_v<P, ReduceParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}}}", en("ReduceOp", p.op), p.rank, arr(p.in_shape, 6),
                             p.reduce_mask, p.out_total, p.reduce_count);
        } else if constexpr (std::is_same_v<P, LayerNormParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}}}", p.outer, p.inner, float_literal(p.epsilon), p.has_bias,
                             p.has_scale, float_literal(p.exponent), p.form);
        } else if constexpr (std::is_same_v<P, ResizeParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}}}", arr(p.in_shape, 4), arr(p.out_shape, 4), p.linear, p.extrapolate,
                             float_literal(p.extrapolation_value));
        } else if constexpr (std::is_same_v<P, EluParams>) {
          return fmt::format("{{{}, {}}}", p.total, float_literal(p.alpha));
        } else if constexpr (std::is_same_v<P, ReduceAccParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}}}", p.rank, arr(p.in_shape, 6), p.reduce_mask, p.out_total,
                             p.prod, en("ReduceMap", p.map), en("ReduceFinal", p.fin));
        } else if constexpr (std::is_same_v<P, CastParams>) {
          return fmt::format("{{{}, {}, {}}}", p.total, en("CastType", p.from), en("CastType", p.to));
        } else if constexpr (std::is_same_v<P, TileParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}}}", p.rank, arr(p.out_shape, 6), arr(p.in_shape, 6), p.total,
                             p.elem_size);
        } else if constexpr (std::is_same_v<P, PointwiseParams>) {
          std::string steps;
          for (int32_t s = 0; s < kPointwiseMaxSteps; ++s) {
            const PointwiseStep& st = p.step[s];
            steps += fmt::format("{}{{{}, {}, {}, {}, {}, {}}}", s ? ", " : "", st.binary, st.op, st.a, st.b,
                                 float_literal(st.k), act(st.act));
          }
          return fmt::format("{{{}, {}, {{{}}}}}", p.total, p.steps, steps);
        } else if constexpr (std::is_same_v<P, ArgMaxParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}}}", p.outer, p.axis_len, p.inner, p.is_min, p.select_last);
        } else if constexpr (std::is_same_v<P, WhereParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}}}", p.rank, arr(p.out_shape, 6), arr(p.c_stride, 6),
                             arr(p.a_stride, 6), arr(p.b_stride, 6), p.total, p.elem_size);
        } else if constexpr (std::is_same_v<P, RnnParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}", p.cell, p.seq_len, p.len, p.input, p.hidden,
                             p.reverse, p.x_stride, p.y_stride, p.linear_before_reset, float_literal(p.clip));
        } else if constexpr (std::is_same_v<P, BatchNormTrainParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}}}", p.n, p.c, p.spatial, float_literal(p.epsilon),
                             float_literal(p.momentum), act(p.act));
        } else if constexpr (std::is_same_v<P, InstanceNormParams>) {
          return fmt::format("{{{}, {}, {}, {}}}", p.n, p.c, p.spatial, float_literal(p.epsilon));
        } else if constexpr (std::is_same_v<P, BatchNormParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}}}", p.n, p.c, p.spatial, float_literal(p.epsilon), act(p.act));
        } else if constexpr (std::is_same_v<P, QuantizeParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}}}", p.outer, p.channels, p.inner, p.per_channel, p.qmin,
                             p.qmax, p.relayout);
        } else if constexpr (std::is_same_v<P, RequantizeParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}}}", p.total, p.in_zp, p.out_zp, float_literal(p.in_scale),
                             float_literal(p.out_scale), p.qmin, p.qmax);
        } else if constexpr (std::is_same_v<P, FlipSignParams>) {
          return fmt::format("{{{}}}", p.total);
        } else if constexpr (std::is_same_v<P, ConvS8Params>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}",
                             p.n, p.c_in, p.h_in, p.w_in, p.c_out, p.h_out, p.w_out, p.kh, p.kw, p.stride_h,
                             p.stride_w, p.dil_h, p.dil_w, p.pad_top, p.pad_left, p.group, p.in_zp, p.w_zp, p.out_zp,
                             i32lit(p.act_min), i32lit(p.act_max), p.out_int32);
        } else if constexpr (std::is_same_v<P, ExpandDwF32Params>) {
          return fmt::format("{{{}, {}}}", params_init(KernelParams(p.expand)), params_init(KernelParams(p.dw)));
        } else if constexpr (std::is_same_v<P, BottleneckS8Params>) {
          return fmt::format("{{{}, {}, {}}}", params_init(p.expand), params_init(p.dw), params_init(p.project));
        } else if constexpr (std::is_same_v<P, FcS8Params>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}", p.rows, p.in_features, p.out_features,
                             p.in_zp, p.w_zp, p.out_zp, i32lit(p.act_min), i32lit(p.act_max), p.per_channel,
                             p.out_int32);
        } else if constexpr (std::is_same_v<P, MatMulS8Params>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}", p.batch_rank,
                             arr(p.batch_shape, 4), arr(p.a_bstride, 4), arr(p.b_bstride, 4), p.m, p.n, p.k, p.a_zp,
                             p.b_zp, p.out_zp, i32lit(p.act_min), i32lit(p.act_max), p.per_channel, p.out_int32);
        } else if constexpr (std::is_same_v<P, BinaryS8Params>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}", en("BinOpS8", p.op),
                             p.rank, arr(p.out_shape, 6), arr(p.a_stride, 6), arr(p.b_stride, 6), p.total, p.same_shape,
                             p.a_zp, p.b_zp, p.y_zp, float_literal(p.a_scale), float_literal(p.b_scale),
                             float_literal(p.y_scale), p.act_min, p.act_max);
        } else if constexpr (std::is_same_v<P, PoolS8Params>) {
          return fmt::format(
              "{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}", p.n, p.c,
              p.h_in, p.w_in, p.h_out, p.w_out, p.kh, p.kw, p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.pad_top,
              p.pad_left, p.pad_bottom, p.pad_right, p.count_include_pad, p.in_zp, p.out_zp, float_literal(p.in_scale),
              float_literal(p.out_scale), p.act_min, p.act_max);
        } else if constexpr (std::is_same_v<P, GlobalPoolS8Params>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}}}", p.n, p.c, p.spatial, p.in_zp, p.out_zp,
                             float_literal(p.in_scale), float_literal(p.out_scale), p.act_min, p.act_max);
        } else if constexpr (std::is_same_v<P, ConcatS8PartParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}}}", p.outer, p.in_inner, p.out_inner, p.offset,
                             p.requant, p.in_zp, p.out_zp, float_literal(p.in_scale), float_literal(p.out_scale));
        } else if constexpr (std::is_same_v<P, LutParams>) {
          return fmt::format("{{{}}}", p.total);
        } else if constexpr (std::is_same_v<P, WindowCopyParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}", p.planes, p.pixel_elems, p.full_rows,
                             p.full_cols, p.row0, p.col0, p.rows, p.cols, p.elem_size, p.to_full);
        } else if constexpr (std::is_same_v<P, QuantizeWindowParams>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}", p.channels, p.full_rows, p.full_cols,
                             p.row0, p.col0, p.rows, p.cols, p.per_channel, p.qmin, p.qmax, p.relayout);
        } else if constexpr (std::is_same_v<P, SoftmaxS8Params>) {
          return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}}}", p.outer, p.axis_len, p.inner, p.in_zp, p.out_zp,
                             float_literal(p.in_scale), float_literal(p.out_scale), p.qmin, p.qmax);
        }
      },
      kp);
}

}  // namespace ferrite
