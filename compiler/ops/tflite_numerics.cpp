// Lowering under TFLite numerics (Graph::numerics == TFLite, models from the TFLite frontend). The
// shapes, layouts, weight packing, in-place and alias decisions are those of the ONNX lowering (the
// same QLinear* nodes); what changes is the arithmetic: every call that requantizes is replaced by its
// TFLite kernel (runtime_templates/tflite_s8/tflite_s8.h) with int32 multipliers and shifts computed
// here exactly as TFLite computes them (QuantizeMultiplier on the double scale ratio), and the fused
// activation ranges are quantized with TFLite's rounding. Calls that move bytes without arithmetic
// (max pool, copies, relayouts) are kept; anything else is refused, so a TFLite model never runs a
// kernel with ONNX Runtime's float requantization. docs/numerics.md, "TFLite numerics".
#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

#include "frontend/tflite_import.h"
#include "ops/op_util.h"

namespace ferrite {
namespace ops {
#define FERRITE_OP(kind, domain, onnx, lo, hi, cmask) Expected<Lowered> lower_##kind(const Graph& g, const Node& n);
#include "ir/ops.def"
#undef FERRITE_OP
}  // namespace ops

namespace {
using ops::has_input;

// A ratio TFLite's fixed-point arithmetic cannot represent, met while lowering the current node:
// not finite, or 2^30 or more (a left shift of 31 or more: `x * (1 << shift)` in TFLite's
// MultiplyByQuantizedMultiplier overflows int, undefined behaviour, so there is no TFLite result to
// match). quantize_multiplier() records it and returns (0, 0) so that the lowering's own compile-time
// evaluation stays defined; lower_node_tflite() then refuses the node. (The compiler is
// single-threaded, as its sandbox.)
struct BadMultiplier {
  bool seen = false;
  double ratio = 0.0;
};
BadMultiplier g_bad_multiplier;

// TFLite's QuantizeMultiplier: m = frexp(d) in [0.5, 1), q = round(m * 2^31) (half away from zero),
// q == 2^31 -> 2^30 with shift + 1; a shift below -31 gives (0, 0).
std::pair<int32_t, int32_t> quantize_multiplier(double d) {
  if (d == 0.0) return {0, 0};
  if (!std::isfinite(d) || std::fabs(d) >= 1073741824.0) {
    if (!g_bad_multiplier.seen) g_bad_multiplier = {true, d};
    return {0, 0};
  }
  int shift = 0;
  const double m = std::frexp(d, &shift);
  int64_t q = static_cast<int64_t>(std::round(m * static_cast<double>(int64_t{1} << 31)));
  if (q == (int64_t{1} << 31)) {
    q /= 2;
    ++shift;
  }
  if (shift < -31) return {0, 0};
  return {static_cast<int32_t>(q), shift};
}

Expected<float> scale_of(const Graph& g, const Node& n, size_t slot) {
  if (!has_input(n, slot) || !g.t(n.inputs[slot]).is_constant() || g.t(n.inputs[slot]).dtype != DType::F32)
    return make_error("{}: scale input {} must be a float constant", n.display_name(), slot);
  return g.t(n.inputs[slot]).as_f32().at(0);
}
std::vector<float> scales_of(const Graph& g, const Node& n, size_t slot) { return g.t(n.inputs[slot]).as_f32(); }
int32_t zp_of(const Graph& g, const Node& n, size_t slot) {
  return has_input(n, slot) ? static_cast<int32_t>(g.t(n.inputs[slot]).as_i64().at(0)) : 0;
}

// CalculateActivationRangeQuantized: bounds quantized as zp + round(v / scale), v / scale in float.
std::pair<int32_t, int32_t> tfl_act_range(const FusedAct& a, float scale, int32_t zp) {
  // (the rounded quotient is clamped before the conversion: a tiny scale makes it overflow int32,
  // and a bound that far out clamps to the type's limit either way)
  auto q = [&](float v) {
    return zp + static_cast<int32_t>(std::clamp(std::round(v / scale), -65536.f, 65536.f));
  };
  int32_t lo = -128, hi = 127;
  if (a.kind == FusedAct::Relu) lo = std::max(lo, q(0.f));
  if (a.kind == FusedAct::Clip) {
    lo = std::max(lo, q(a.lo));
    hi = std::min(hi, q(a.hi));
  }
  return {lo, hi};
}

Status require_act(const Node& n) {
  if (n.act.kind != FusedAct::None && n.act.kind != FusedAct::Relu && n.act.kind != FusedAct::Clip)
    return make_error("{}: only RELU/RELU6/RELU_N1_TO_1 can be fused under TFLite numerics", n.display_name());
  return Status::ok();
}

Operand int_const(const std::string& name, const std::vector<int32_t>& v) {
  Tensor t;
  t.name = name;
  t.dtype = DType::I32;
  t.shape = {static_cast<int64_t>(v.size())};
  t.data = std::vector<uint8_t>(v.size() * sizeof(int32_t));
  std::memcpy(t.data->data(), v.data(), t.data->size());
  return Operand::constant(std::move(t));
}

bool data_movement(KernelId k) {
  return k == KernelId::maxpool_s8_nhwc || k == KernelId::strided_copy || k == KernelId::concat_part ||
         k == KernelId::flip_sign_bytes || k == KernelId::window_copy;
}

// Conv / depthwise / fully connected: (multiplier, shift) per output channel. Conv uses
// double(x_scale) * double(w_scale[c]) / double(y_scale) (PopulateConvolutionQuantizationParams);
// a per-tensor fully connected layer forms x_scale * w_scale in float first
// (GetQuantizedConvolutionMultipler), a per-channel one as conv; so does a uint8 conv / depthwise
// (attribute "tfl_uint8" from the frontend: PopulateConvolutionQuantizationParams takes the uint8
// multiplier from GetQuantizedConvolutionMultipler).
Expected<Lowered> rewrite_conv_fc(const Graph& g, const Node& n, Lowered l, size_t xs_slot, size_t ws_slot, size_t ys_slot,
                                  bool fc) {
  auto xs = scale_of(g, n, xs_slot);
  if (!xs) return xs.error();
  auto ys = scale_of(g, n, ys_slot);
  if (!ys) return ys.error();
  FERRITE_TRY(require_act(n));
  const std::vector<float> ws = scales_of(g, n, ws_slot);
  const int32_t yzp = zp_of(g, n, ys_slot + 1);
  // (plain variables, not a structured binding: the lambdas below capture them, which clang 14,
  // the libFuzzer build's compiler, refuses for bindings)
  const std::pair<int32_t, int32_t> act_range = tfl_act_range(n.act, *ys, yzp);
  const int32_t lo = act_range.first, hi = act_range.second;
  auto make_qm = [&](int32_t channels) {
    std::vector<int32_t> qm;
    for (int32_t c = 0; c < channels; ++c) {
      const float w = ws.size() == 1 ? ws[0] : ws.at(static_cast<size_t>(c));
      const double ratio = (fc || n.attrs.i("tfl_uint8", 0) != 0) && ws.size() == 1 ? static_cast<double>(*xs * w) / static_cast<double>(*ys)
                                                : static_cast<double>(*xs) * static_cast<double>(w) / static_cast<double>(*ys);
      auto [m, s] = quantize_multiplier(ratio);
      qm.push_back(m);
      qm.push_back(s);
    }
    return qm;
  };
  auto rewrite = [&](std::vector<KernelCall>& calls, size_t* scratch) -> Status {
    for (KernelCall& c : calls) {
      if (auto* p = std::get_if<ferrite_rt::ConvS8Params>(c.params.get())) {
        p->act_min = lo;
        p->act_max = hi;
        const Operand qm = int_const(g.t(n.outputs[0]).name + "_tfl_multiplier", make_qm(p->c_out));
        if (c.kernel == KernelId::conv_s8_nhwc || c.kernel == KernelId::conv1x1_s8_nhwc) {
          c.kernel = c.kernel == KernelId::conv1x1_s8_nhwc ? KernelId::conv1x1_s8_nhwc_tfl : KernelId::conv_s8_nhwc_tfl;
          c.args = {c.args[0], c.args[1], c.args[2], qm, c.args[4]};
          if (scratch) *scratch = 0;
        } else if (c.kernel == KernelId::dwconv_s8_nhwc) {
          c.kernel = KernelId::dwconv_s8_nhwc_tfl;
          c.args[3] = qm;
        } else if (c.kernel == KernelId::dwconv_s8_nhwc_inplace) {
          c.kernel = KernelId::dwconv_s8_nhwc_inplace_tfl;
          c.args[3] = qm;
        } else {
          return make_error("{}: internal error: kernel {} under TFLite numerics", n.display_name(), kernel_name(c.kernel));
        }
        c.variant += "_tfl";
      } else if (auto* f = std::get_if<ferrite_rt::FcS8Params>(c.params.get())) {
        if (c.kernel != KernelId::fc_s8 || f->out_int32)
          return make_error("{}: internal error: kernel {} under TFLite numerics", n.display_name(), kernel_name(c.kernel));
        f->act_min = lo;
        f->act_max = hi;
        c.kernel = KernelId::fc_s8_tfl;
        c.args[3] = int_const(g.t(n.outputs[0]).name + "_tfl_multiplier", make_qm(f->out_features));
        c.variant += "_tfl";
      } else if (!data_movement(c.kernel)) {
        return make_error("{}: kernel {} has no TFLite-numerics version", n.display_name(), kernel_name(c.kernel));
      }
    }
    return Status::ok();
  };
  FERRITE_TRY(rewrite(l.calls, &l.scratch_bytes));
  FERRITE_TRY(rewrite(l.inplace_calls, nullptr));
  return l;
}

Expected<Lowered> lower_add(const Graph& g, const Node& n) {
  auto l = ops::lower_QLinearAdd(g, n);
  if (!l) return l.error();
  FERRITE_TRY(require_act(n));
  auto sa = scale_of(g, n, 1), sb = scale_of(g, n, 4), sy = scale_of(g, n, 6);
  if (!sa) return sa.error();
  if (!sb) return sb.error();
  if (!sy) return sy.error();
  // TFLite's Add Prepare for int8: left_shift 20, inputs scaled by scale / (2 * max scale) and the
  // sum by (2 * max scale) / (2^20 * y_scale), each with QuantizeMultiplier (shifts <= 0).
  const int32_t left_shift = 20;
  const double twice_max = 2.0 * static_cast<double>(std::max(*sa, *sb));
  auto [ma, sha] = quantize_multiplier(static_cast<double>(*sa) / twice_max);
  auto [mb, shb] = quantize_multiplier(static_cast<double>(*sb) / twice_max);
  auto [my, shy] = quantize_multiplier(twice_max / static_cast<double>(static_cast<float>(1 << left_shift) * *sy));
  for (KernelCall& c : l->calls) {
    auto* p = std::get_if<ferrite_rt::BinaryS8Params>(c.params.get());
    if (!p || c.kernel != KernelId::binary_s8)
      return make_error("{}: internal error: unexpected add call under TFLite numerics", n.display_name());
    std::tie(p->act_min, p->act_max) = tfl_act_range(n.act, *sy, p->y_zp);
    c.kernel = KernelId::add_s8_tfl;
    c.variant = "add_s8_tfl";
    c.args = {c.args[0], c.args[1],
              int_const(g.t(n.outputs[0]).name + "_tfl_add", {left_shift, ma, sha, mb, shb, my, shy}), c.args[2]};
  }
  return l;
}

Expected<Lowered> lower_avgpool(const Graph& g, const Node& n) {
  auto l = ops::lower_QLinearAveragePool(g, n);
  if (!l) return l.error();
  FERRITE_TRY(require_act(n));
  auto sx = scale_of(g, n, 1), sy = scale_of(g, n, 3);
  if (!sx) return sx.error();
  if (!sy) return sy.error();
  if (*sx != *sy || zp_of(g, n, 2) != zp_of(g, n, 4))
    return make_error("{}: input and output quantization differ (TFLite's int8 AVERAGE_POOL_2D needs them equal)",
                      n.display_name());
  for (KernelCall& c : l->calls) {
    auto* p = std::get_if<ferrite_rt::PoolS8Params>(c.params.get());
    if (!p || c.kernel != KernelId::avgpool_s8_nhwc || p->dil_h != 1 || p->dil_w != 1)
      return make_error("{}: internal error: unexpected pooling call under TFLite numerics", n.display_name());
    std::tie(p->act_min, p->act_max) = tfl_act_range(n.act, *sy, p->out_zp);
    if (n.attrs.i("tfl_uint8", 0) != 0) {  // uint8 model: the uint8 kernel's rounding (no target variants)
      c.kernel = KernelId::avgpool_u8_nhwc_tfl;
      c.variant = "avgpool_u8_nhwc_tfl";
      continue;
    }
    c.kernel = KernelId::avgpool_s8_nhwc_tfl;
    c.variant += "_tfl";
  }
  return l;
}

Expected<Lowered> lower_softmax(const Graph& g, const Node& n) {
  auto l = ops::lower_QLinearSoftmax(g, n);
  if (!l) return l.error();
  auto sx = scale_of(g, n, 1), sy = scale_of(g, n, 3);
  if (!sx) return sx.error();
  if (!sy) return sy.error();
  if (*sy != 1.f / 256.f || zp_of(g, n, 4) != -128)
    return make_error("{}: int8 softmax output must have scale 1/256 and zero point -128", n.display_name());
  // PreprocessSoftmaxScaling(beta, x_scale, 5 integer bits): multiplier >= 1 as (mult, left shift);
  // diff_min = -floor((2^5 - 1) * 2^26 / 2^left_shift) (CalculateInputRadius).
  const double beta = static_cast<double>(n.attrs.f("beta", 1.f));
  const double real = std::min(beta * static_cast<double>(*sx) * static_cast<double>(int64_t{1} << 26),
                               static_cast<double>((int64_t{1} << 31) - 1));
  auto [mult, shift] = quantize_multiplier(real);
  if (shift < 0 || shift > 30) return make_error("{}: input scale {} out of TFLite's softmax range", n.display_name(), *sx);
  const double radius = 31.0 * static_cast<double>(int64_t{1} << 26) / static_cast<double>(int64_t{1} << shift);
  const int32_t diff_min = -static_cast<int32_t>(std::floor(radius));
  for (KernelCall& c : l->calls) {
    auto* p = std::get_if<ferrite_rt::SoftmaxS8Params>(c.params.get());
    if (!p || c.kernel != KernelId::softmax_s8)
      return make_error("{}: internal error: unexpected softmax call under TFLite numerics", n.display_name());
    if (p->axis_len > 256)
      return make_error("{}: softmax over {} > 256 values is not supported (fixed-point sum range)", n.display_name(),
                        p->axis_len);
    c.kernel = KernelId::softmax_s8_tfl;
    c.variant = "softmax_s8_tfl";
    c.args = {c.args[0], int_const(g.t(n.outputs[0]).name + "_tfl_softmax", {mult, shift, diff_min}), c.args[1]};
  }
  return l;
}

Expected<Lowered> lower_requantize(const Graph& g, const Node& n) {
  auto l = ops::lower_Requantize(g, n);
  if (!l) return l.error();
  auto sx = scale_of(g, n, 1), sy = scale_of(g, n, 3);
  if (!sx) return sx.error();
  if (!sy) return sy.error();
  // TFLite's int8 -> int8 QUANTIZE: QuantizeMultiplier(double(x_scale) / double(y_scale)); RELU /
  // RELU6 / RELU_N1_TO_1 (tflite_op "RELU" from the frontend): ReluPrepare divides the float scales
  // in float, then widens.
  auto [m, s] = quantize_multiplier(n.attrs.s("tflite_op", "") == "RELU" ? static_cast<double>(*sx / *sy)
                                                           : static_cast<double>(*sx) / static_cast<double>(*sy));
  for (KernelCall& c : l->calls) {
    auto* p = std::get_if<ferrite_rt::RequantizeParams>(c.params.get());
    if (!p || c.kernel != KernelId::requantize_s8)
      return make_error("{}: internal error: unexpected requantize call under TFLite numerics", n.display_name());
    std::tie(p->qmin, p->qmax) = tfl_act_range(n.act, *sy, p->out_zp);
    c.kernel = KernelId::requantize_s8_tfl;
    c.variant = "requantize_s8_tfl";
    c.args = {c.args[0], int_const(g.t(n.outputs[0]).name + "_tfl_requant", {m, s}), c.args[1]};
  }
  return l;
}


// ---- stage 2 operators (TFLite Micro's int8 rules; docs/numerics.md, "TFLite numerics") ----

// The frontend maps SUB, MAXIMUM and MINIMUM to QLinearAdd with attribute "tflite_op" (only ever set
// under TFLite numerics): the same operands, broadcasting views and layout as ADD, another kernel.
std::string tflite_op(const Node& n) { return n.attrs.s("tflite_op", ""); }

// Rewrites the single binary_s8 call of a lowered QLinearAdd/QLinearMul into `kernel` with `q` as
// its constant argument (none when q is empty).
Status rewrite_binary(const Graph& g, const Node& n, Lowered& l, KernelId kernel, const char* variant,
                      const std::vector<int32_t>& q, std::pair<int32_t, int32_t> act) {
  for (KernelCall& c : l.calls) {
    auto* p = std::get_if<ferrite_rt::BinaryS8Params>(c.params.get());
    if (!p || c.kernel != KernelId::binary_s8)
      return make_error("{}: internal error: unexpected binary call under TFLite numerics", n.display_name());
    std::tie(p->act_min, p->act_max) = act;
    c.kernel = kernel;
    c.variant = variant;
    if (q.empty())
      c.args = {c.args[0], c.args[1], c.args[2]};
    else
      c.args = {c.args[0], c.args[1], int_const(g.t(n.outputs[0]).name + "_tfl_" + variant, q), c.args[2]};
  }
  return Status::ok();
}

// SUB: TFLite's PrepareGeneralSubOp, ADD's rule: 2 * max scale (exact in float), each ratio a double
// division; left shift 20; for int8, int16 and uint8 alike. (TFLite Micro's sub_common.cc divides in
// float: its multipliers can differ in the last bit, and its results by 1 on a few elements; see
// docs/numerics.md.)
Expected<Lowered> lower_sub(const Graph& g, const Node& n) {
  auto l = ops::lower_QLinearAdd(g, n);
  if (!l) return l.error();
  FERRITE_TRY(require_act(n));
  auto sa = scale_of(g, n, 1), sb = scale_of(g, n, 4), sy = scale_of(g, n, 6);
  if (!sa) return sa.error();
  if (!sb) return sb.error();
  if (!sy) return sy.error();
  const int32_t left_shift = 20;
  const double twice_max = 2.0 * static_cast<double>(std::max(*sa, *sb));
  auto [ma, sha] = quantize_multiplier(static_cast<double>(*sa) / twice_max);
  auto [mb, shb] = quantize_multiplier(static_cast<double>(*sb) / twice_max);
  auto [my, shy] = quantize_multiplier(twice_max / static_cast<double>(static_cast<float>(1 << left_shift) * *sy));
  FERRITE_TRY(rewrite_binary(g, n, *l, KernelId::sub_s8_tfl, "sub_s8_tfl", {left_shift, ma, sha, mb, shb, my, shy},
                             tfl_act_range(n.act, *sy, zp_of(g, n, 7))));
  return l;
}

// MUL: TFLite's mul.cc computes a_scale * b_scale / y_scale in float, then QuantizeMultiplier; for
// int8, int16 and uint8 alike. (TFLite Micro's mul_common.cc computes the ratio in double; see
// docs/numerics.md.)
Expected<Lowered> lower_mul(const Graph& g, const Node& n) {
  auto l = ops::lower_QLinearMul(g, n);
  if (!l) return l.error();
  FERRITE_TRY(require_act(n));
  auto sa = scale_of(g, n, 1), sb = scale_of(g, n, 4), sy = scale_of(g, n, 6);
  if (!sa) return sa.error();
  if (!sb) return sb.error();
  if (!sy) return sy.error();
  auto [m, s] = quantize_multiplier(static_cast<double>(*sa * *sb / *sy));
  FERRITE_TRY(rewrite_binary(g, n, *l, KernelId::mul_s8_tfl, "mul_s8_tfl", {m, s}, tfl_act_range(n.act, *sy, zp_of(g, n, 7))));
  return l;
}

// MAXIMUM / MINIMUM compare raw int8 values: inputs and output must share one quantization.
Expected<Lowered> lower_minmax(const Graph& g, const Node& n, bool is_max) {
  auto l = ops::lower_QLinearAdd(g, n);
  if (!l) return l.error();
  if (n.act.kind != FusedAct::None) return make_error("{}: a fused activation is not supported", n.display_name());
  auto sa = scale_of(g, n, 1), sb = scale_of(g, n, 4), sy = scale_of(g, n, 6);
  if (!sa) return sa.error();
  if (!sb) return sb.error();
  if (!sy) return sy.error();
  if (*sa != *sy || *sb != *sy || zp_of(g, n, 2) != zp_of(g, n, 7) || zp_of(g, n, 5) != zp_of(g, n, 7))
    return make_error("{}: inputs and output must share one scale and zero point (int8 {} compares raw values)",
                      n.display_name(), is_max ? "MAXIMUM" : "MINIMUM");
  FERRITE_TRY(rewrite_binary(g, n, *l, is_max ? KernelId::max_s8_tfl : KernelId::min_s8_tfl,
                             is_max ? "max_s8_tfl" : "min_s8_tfl", {}, {-128, 127}));
  return l;
}

// MEAN over H, W (QLinearGlobalAveragePool from the frontend): TFLite Micro's QuantizedMeanOrSum.
// (mult, shift) = QuantizeMultiplier(double(x_scale) / double(y_scale)); with n = H * W and
// s = min(floor(log2 n), 32, 31 + shift): mult = (mult << s) / n, shift -= s.
Expected<Lowered> lower_mean(const Graph& g, const Node& n) {
  auto l = ops::lower_QLinearGlobalAveragePool(g, n);
  if (!l) return l.error();
  if (n.act.kind != FusedAct::None) return make_error("{}: a fused activation is not supported", n.display_name());
  auto sx = scale_of(g, n, 1), sy = scale_of(g, n, 3);
  if (!sx) return sx.error();
  if (!sy) return sy.error();
  auto [m, s] = quantize_multiplier(static_cast<double>(*sx) / static_cast<double>(*sy));
  for (KernelCall& c : l->calls) {
    auto* p = std::get_if<ferrite_rt::GlobalPoolS8Params>(c.params.get());
    if (!p || c.kernel != KernelId::global_avgpool_s8_nhwc || p->spatial < 1)
      return make_error("{}: internal error: unexpected mean call under TFLite numerics", n.display_name());
    int32_t log2n = 0;
    while ((int64_t{2} << log2n) <= p->spatial) ++log2n;
    const int32_t sh = std::min({log2n, 32, 31 + s});
    const int32_t mult = sh >= 0 ? static_cast<int32_t>((static_cast<int64_t>(m) << sh) / p->spatial) : 0;
    p->act_min = -128;
    p->act_max = 127;
    c.kernel = KernelId::mean_s8_tfl;
    c.variant = "mean_s8_tfl";
    c.args = {c.args[0], int_const(g.t(n.outputs[0]).name + "_tfl_mean", {mult, s - sh}), c.args[1]};
  }
  return l;
}

// MEAN over other axes than (H, W) of a 4-D tensor (int8 ReduceMean with tflite_op "MEAN" from the
// frontend): the same multiplier folding as lower_mean with n = the number of reduced elements, on
// the logical (NCHW) order (the layout pass leaves ReduceMean's tensors NCHW).
Expected<Lowered> lower_mean_axes(const Graph& g, const Node& n) {
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  const bool x16 = x.dtype == DType::I16;  // 16x8: the same rule on int16 (mean_axes_s16_tfl)
  if ((x.dtype != DType::I8 && !x16) || y.dtype != x.dtype || x.nhwc || y.nhwc || x.shape.empty() || x.shape.size() > 6)
    return make_error("{}: internal error: unexpected TFLite MEAN operands", n.display_name());
  if (n.act.kind != FusedAct::None) return make_error("{}: a fused activation is not supported", n.display_name());
  auto sx = scale_of(g, n, 1), sy = scale_of(g, n, 3);
  if (!sx) return sx.error();
  if (!sy) return sy.error();
  ferrite_rt::ReduceParams p{};
  p.op = ferrite_rt::ReduceOp::Mean;
  p.rank = static_cast<int32_t>(x.shape.size());
  int64_t count = 1, out_total = 1;
  const std::vector<int64_t> axes = n.attrs.ints("axes");
  for (size_t d = 0; d < x.shape.size(); ++d) {
    p.in_shape[d] = static_cast<int32_t>(x.shape[d]);
    if (std::find(axes.begin(), axes.end(), static_cast<int64_t>(d)) != axes.end()) {
      p.reduce_mask |= 1 << d;
      count *= x.shape[d];
    } else {
      out_total *= x.shape[d];
    }
  }
  if (out_total != y.numel() || count < 1 || count > (int64_t{1} << 23))
    return make_error("{}: MEAN of {} over axes gives {} values, the output has {}", n.display_name(), shape_str(x.shape),
                      out_total, y.numel());
  if (x16 && count > 65536)
    return make_error("{}: a MEAN over {} int16 values overflows TFLite's int32 sum", n.display_name(), count);
  p.out_total = static_cast<int32_t>(out_total);
  p.reduce_count = static_cast<int32_t>(count);
  auto [m, s] = quantize_multiplier(static_cast<double>(*sx) / static_cast<double>(*sy));
  int32_t log2n = 0;
  while ((int64_t{2} << log2n) <= count) ++log2n;
  const int32_t sh = std::min({log2n, 32, 31 + s});
  const int32_t mult = sh >= 0 ? static_cast<int32_t>((static_cast<int64_t>(m) << sh) / count) : 0;
  KernelCall c;
  c.kernel = x16 ? KernelId::mean_axes_s16_tfl : KernelId::mean_axes_s8_tfl;
  c.variant = x16 ? "mean_axes_s16_tfl" : "mean_axes_s8_tfl";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]),
            int_const(y.name + "_tfl_mean", {mult, s - sh, zp_of(g, n, 2), zp_of(g, n, 4)}),
            Operand::tensor(n.outputs[0])};
  Lowered l;
  l.calls.push_back(std::move(c));
  return l;
}

// PAD / PADV2 on int8: pads (ONNX order, logical axes) and the int8 value (attribute "value") from
// the frontend; the tensors may be stored NHWC (the layout pass treats an int8 Pad as agnostic).
Expected<Lowered> lower_pad(const Graph& g, const Node& n) {
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  const bool x16 = x.dtype == DType::I16;  // 16x8: pad_s16_tfl, the value 0 or PADV2's raw int16
  if ((x.dtype != DType::I8 && !x16) || y.dtype != x.dtype || x.shape.size() > 6 || x.shape.empty() || x.nhwc != y.nhwc)
    return make_error("{}: only int8 / int16 PAD of rank 1..6 is supported under TFLite numerics", n.display_name());
  auto pads = ops::const_ints(g, n, 1, "pads");
  if (!pads) return pads.error();
  const size_t r = x.shape.size();
  if (pads->size() != 2 * r) return make_error("{}: pads has {} values for rank {}", n.display_name(), pads->size(), r);
  std::vector<size_t> order(r);
  for (size_t i = 0; i < r; ++i) order[i] = i;
  if (x.nhwc && r == 4) order = {0, 2, 3, 1};
  ferrite_rt::PadParams p{};
  p.rank = static_cast<int32_t>(r);
  for (size_t i = 0; i < r; ++i) {
    const size_t d = order[i];
    if ((*pads)[d] < 0 || (*pads)[d + r] < 0 || x.shape[d] + (*pads)[d] + (*pads)[d + r] != y.shape[d])
      return make_error("{}: pads do not give the output shape {}", n.display_name(), shape_str(y.shape));
    p.in_shape[i] = static_cast<int32_t>(x.shape[d]);
    p.out_shape[i] = static_cast<int32_t>(y.shape[d]);
    p.pad_begin[i] = static_cast<int32_t>((*pads)[d]);
  }
  const int64_t v = n.attrs.i("value", 0);
  if (x16 ? (v < -32768 || v > 32767) : (v < -128 || v > 127))
    return make_error("{}: pad value {} outside {}", n.display_name(), v, x16 ? "int16" : "int8");
  p.mode = ferrite_rt::PadMode::Constant;
  p.value = static_cast<float>(v);
  p.total = static_cast<int32_t>(y.numel());
  KernelCall c;
  c.kernel = x16 ? KernelId::pad_s16_tfl : KernelId::pad_s8_tfl;
  c.variant = x16 ? "pad_s16_tfl" : "pad_s8_tfl";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  Lowered l;
  l.calls.push_back(std::move(c));
  return l;
}

// CONCATENATION on int8 copies bytes: TFLite requires every input to share the output's scale and
// zero point (checked here again), so the concat_s8 calls never requantize.
Expected<Lowered> lower_concat(const Graph& g, const Node& n) {
  auto sy = scale_of(g, n, 0);
  if (!sy) return sy.error();
  for (size_t i = 2; i + 2 < n.inputs.size(); i += 3) {
    auto sx = scale_of(g, n, i + 1);
    if (!sx) return sx.error();
    if (*sx != *sy || zp_of(g, n, i + 2) != zp_of(g, n, 1))
      return make_error("{}: input '{}' has another scale or zero point than the output (TFLite's int8 "
                        "CONCATENATION needs them equal)", n.display_name(), g.t(n.inputs[i]).name);
  }
  auto l = ops::lower_QLinearConcat(g, n);
  if (!l) return l.error();
  const bool x16 = g.t(n.outputs[0]).dtype == DType::I16;
  for (KernelCall& c : l->calls) {
    auto* p = std::get_if<ferrite_rt::ConcatS8PartParams>(c.params.get());
    if (c.kernel != KernelId::concat_s8_part || !p || p->requant)
      return make_error("{}: internal error: unexpected concat call under TFLite numerics", n.display_name());
    if (x16) {  // 16x8 (concatenation.cc copies int16 raw, zero points 0): the byte copy of 2-byte elements
      ferrite_rt::ConcatPartParams q{};
      q.outer = p->outer;
      q.in_inner = p->in_inner;
      q.out_inner = p->out_inner;
      q.offset = p->offset;
      q.elem_size = 2;
      c.kernel = KernelId::concat_part;
      c.variant = "concat_s16_copy";
      c.params = q;
    }
  }
  if (x16)
    for (ConcatSlice& sl : l->slices) {  // the in-place slices are in bytes
      sl.offset *= 2;
      sl.bytes *= 2;
    }
  return l;
}

// LEAKY_RELU (leaky_relu_common.cc): identity multiplier from float(x_scale / y_scale), alpha
// multiplier from float(x_scale * alpha / y_scale), each widened to double. The int8 -> int8 map is
// evaluated here for all 256 inputs with the runtime's own fixed-point routine and emitted as a
// lookup table (lut_s8): the same bytes as computing it per element.
Expected<Lowered> lower_leaky_relu(const Graph& g, const Node& n) {
  auto l = ops::lower_QLinearLeakyRelu(g, n);
  if (!l) return l.error();
  if (n.act.kind != FusedAct::None) return make_error("{}: a fused activation is not supported", n.display_name());
  auto sx = scale_of(g, n, 1), sy = scale_of(g, n, 3);
  if (!sx) return sx.error();
  if (!sy) return sy.error();
  const float alpha = n.attrs.f("alpha", 0.01f);
  auto [mi, si] = quantize_multiplier(static_cast<double>(*sx / *sy));
  auto [ma, sa] = quantize_multiplier(static_cast<double>(*sx * alpha / *sy));
  const int32_t zx = zp_of(g, n, 2), zy = zp_of(g, n, 4);
  std::vector<int8_t> table(256);
  for (int32_t q = -128; q < 128; ++q) {
    const int32_t v = q - zx;
    int32_t r = zy;
    if (v >= 0) {
      r += ferrite_rt::tfl_mbqm(v, mi, si);
    } else {
      const int32_t t = ferrite_rt::tfl_mbqm(v, ma < 0 ? -ma : ma, sa);
      r += ma < 0 ? -t : t;
    }
    table[static_cast<size_t>(q + 128)] = static_cast<int8_t>(std::clamp(r, -128, 127));
  }
  Tensor t;
  t.name = g.t(n.outputs[0]).name + "_tfl_lut";
  t.dtype = DType::I8;
  t.shape = {256};
  t.data = std::vector<uint8_t>(256);
  std::memcpy(t.data->data(), table.data(), 256);
  for (KernelCall& c : l->calls) {
    if (c.kernel != KernelId::lut_s8 || c.args.size() != 3)
      return make_error("{}: internal error: unexpected lookup call under TFLite numerics", n.display_name());
    c.args[1] = Operand::constant(t);
    c.variant = "lut_s8_leaky_relu_tfl";
  }
  return l;
}

// ---- LOGISTIC, TANH, HARD_SWISH: TFLite Micro's int8 fixed-point kernels, evaluated here for all
// 256 inputs and emitted as a lookup table (lut_s8). gemmlowp's fixed-point functions on raw int32
// values with a stated number of integer bits (Qib.(31-ib)).
namespace fx {
using ferrite_rt::tfl_rdbpot;
using ferrite_rt::tfl_srdhm;
int32_t sat_shl(int32_t x, int s) {
  const int64_t v = static_cast<int64_t>(x) * (int64_t{1} << s);
  return static_cast<int32_t>(std::clamp<int64_t>(v, INT32_MIN, INT32_MAX));
}
// exp(a) for a <= 0 given with `ib` integer bits; result Q0.31 (exp_on_negative_values).
int32_t exp_on_negative(int32_t a, int ib) {
  const int frac = 31 - ib;
  const int32_t quarter = int32_t{1} << (frac - 2);
  const int32_t a_mod = (a & (quarter - 1)) - quarter;
  int32_t r = ferrite_rt::tfl_exp_on_interval(sat_shl(a_mod, ib));
  const int32_t rem = a_mod - a;
  static const int32_t mult[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int e = -2; e <= 4; ++e)
    if (ib > e && (rem & (int32_t{1} << (frac + e)))) r = tfl_srdhm(r, mult[e + 2]);
  if (ib > 5 && a < -(int32_t{1} << (36 - ib))) r = 0;
  return a == 0 ? INT32_MAX : r;
}
// Newton-Raphson for 1 / (1 + a) (Q2.29 iterate) shared by the two functions below.
int32_t newton_reciprocal(int32_t a) {
  const int64_t sum = static_cast<int64_t>(a) + INT32_MAX;  // RoundingHalfSum(a, One)
  const auto half = static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
  int32_t x = 1515870810 + tfl_srdhm(half, -1010580540);
  for (int i = 0; i < 3; ++i) x += sat_shl(tfl_srdhm(x, (int32_t{1} << 29) - tfl_srdhm(half, x)), 2);
  return x;
}
int32_t one_over_one_plus_x(int32_t a) { return sat_shl(newton_reciprocal(a), 1); }  // ExactMulByPot<-1>, Rescale<0>
int32_t one_minus_x_over_one_plus_x(int32_t a) { return sat_shl(newton_reciprocal(a) - (int32_t{1} << 29), 2); }
int32_t logistic(int32_t a, int ib) {
  if (a == 0) return int32_t{1} << 30;
  const int32_t pos = one_over_one_plus_x(exp_on_negative(a > 0 ? -a : a, ib));
  return a > 0 ? pos : INT32_MAX - pos;
}
int32_t tanh(int32_t a, int ib) {
  if (a == 0) return 0;
  const int32_t t = one_minus_x_over_one_plus_x(exp_on_negative(a < 0 ? a : -a, ib + 1));  // ExactMulByPot<1>
  return a < 0 ? -t : t;
}
int16_t srdhm16(int16_t a, int16_t b) {
  if (a == b && a == INT16_MIN) return INT16_MAX;
  const int32_t ab = static_cast<int32_t>(a) * b;
  return static_cast<int16_t>((ab + (ab >= 0 ? (1 << 14) : (1 - (1 << 14)))) / (1 << 15));
}
int16_t sdhm16_trunc(int16_t a, int16_t b) {  // hard_swish.h's SaturatingDoublingHighMul (no rounding)
  if (a == b && a == INT16_MIN) return INT16_MAX;
  return static_cast<int16_t>((static_cast<int32_t>(a) * b) / (1 << 15));
}
int16_t rdbpot16(int16_t x, int e) {
  const int32_t mask = (1 << e) - 1;
  const int32_t rem = x & mask;
  const int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int16_t>((x >> e) + (rem > thr ? 1 : 0));
}
int16_t sat_shl16(int16_t x, int s) {
  return static_cast<int16_t>(std::clamp<int64_t>(static_cast<int64_t>(x) * (int64_t{1} << s), INT16_MIN, INT16_MAX));
}
int16_t down_to_int16(int32_t m) {  // DownScaleInt32ToInt16Multiplier
  if (m >= INT32_MAX - (1 << 15)) return INT16_MAX;
  return static_cast<int16_t>((m + (1 << 15)) >> 16);
}
}  // namespace fx

Operand lut_const(const Graph& g, const Node& n, const std::vector<int8_t>& table) {
  Tensor t;
  t.name = g.t(n.outputs[0]).name + "_tfl_lut";
  t.dtype = DType::I8;
  t.shape = {256};
  t.data = std::vector<uint8_t>(256);
  std::memcpy(t.data->data(), table.data(), 256);
  return Operand::constant(std::move(t));
}

// Replaces the table of a lowered lut_s8 node (QLinearSigmoid / QLinearActivation) by `table`.
Expected<Lowered> with_table(const Graph& g, const Node& n, Expected<Lowered> l, const std::vector<int8_t>& table,
                             const char* variant) {
  if (!l) return l.error();
  for (KernelCall& c : l->calls) {
    if (c.kernel != KernelId::lut_s8 || c.args.size() != 3)
      return make_error("{}: internal error: unexpected lookup call under TFLite numerics", n.display_name());
    c.args[1] = lut_const(g, n, table);
    c.variant = variant;
  }
  return l;
}

// LOGISTIC / TANH int8 (logistic_common.cc, tanh.cc): input multiplier from frexp(x_scale * 2^27),
// radius CalculateInputRadius(4, shift, 31); inside the radius MBQM to Q4.27, gemmlowp's logistic /
// tanh to Q0.31, RoundingDivideByPOT to the output (LOGISTIC: 1/256, zero point -128; TANH: 1/128, 0).
Expected<Lowered> lower_logistic_tanh(const Graph& g, const Node& n, bool is_tanh, Expected<Lowered> l) {
  if (n.act.kind != FusedAct::None) return make_error("{}: a fused activation is not supported", n.display_name());
  auto sx = scale_of(g, n, 1), sy = scale_of(g, n, 3);
  if (!sx) return sx.error();
  if (!sy) return sy.error();
  const int32_t zx = zp_of(g, n, 2), zy = zp_of(g, n, 4);
  if (is_tanh ? (*sy != 1.f / 128.f || zy != 0) : (*sy != 1.f / 256.f || zy != -128))
    return make_error("{}: int8 {} output must have scale {} and zero point {} (TFLite's rule)", n.display_name(),
                      is_tanh ? "TANH" : "LOGISTIC", is_tanh ? "1/128" : "1/256", is_tanh ? 0 : -128);
  int left_shift = 0;
  const double q = std::frexp(static_cast<double>(*sx) * static_cast<double>(1 << 27), &left_shift);
  const auto mult64 = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (mult64 >= (int64_t{1} << 31) || left_shift < 0 || left_shift > 40)
    return make_error("{}: input scale {} is outside the range TFLite's int8 kernel handles", n.display_name(), *sx);
  const auto mult = static_cast<int32_t>(mult64);
  const auto radius = static_cast<int32_t>(
      std::floor(1.0 * 15 * static_cast<double>(int64_t{1} << 27) / static_cast<double>(int64_t{1} << left_shift)));
  std::vector<int8_t> table(256);
  for (int32_t v = -128; v < 128; ++v) {
    const int32_t in = v - zx;
    int32_t r;
    if (in <= -radius) {
      r = -128;
    } else if (in >= radius) {
      r = 127;
    } else {
      const int32_t q4 = ferrite_rt::tfl_mbqm(in, mult, left_shift);
      r = is_tanh ? fx::tfl_rdbpot(fx::tanh(q4, 4), 24) : fx::tfl_rdbpot(fx::logistic(q4, 4), 23) - 128;
      r = std::clamp(r, -128, 127);
    }
    table[static_cast<size_t>(v + 128)] = static_cast<int8_t>(r);
  }
  return with_table(g, n, std::move(l), table, is_tanh ? "lut_s8_tanh_tfl" : "lut_s8_logistic_tfl");
}

// HARD_SWISH int8 (hard_swish_common.cc, reference hard_swish.h): 16-bit fixed point with the
// input on a 2^-7 finer scale, the "reluish" factor min(max(x + 3, 0), 6) / 6 and the output
// multiplier both as int16 multipliers (DownScaleInt32ToInt16Multiplier).
Expected<Lowered> lower_hard_swish(const Graph& g, const Node& n, Expected<Lowered> l) {
  if (n.act.kind != FusedAct::None) return make_error("{}: a fused activation is not supported", n.display_name());
  auto sx = scale_of(g, n, 1), sy = scale_of(g, n, 3);
  if (!sx) return sx.error();
  if (!sy) return sy.error();
  const int32_t zx = zp_of(g, n, 2), zy = zp_of(g, n, 4);
  const float hires = (1.0f / 128.0f) * *sx;
  const float reluish_scale = 3.0f / 32768.0f;
  auto [om32, oexp] = quantize_multiplier(static_cast<double>(hires / *sy));
  auto [rm32, rexp] = quantize_multiplier(static_cast<double>(hires / reluish_scale));
  if (oexp > 0) return make_error("{}: output scale {} is too small for TFLite's int8 HARD_SWISH", n.display_name(), *sy);
  if (rexp > 15 || rexp < -15 || oexp < -15)
    return make_error("{}: scales outside the range TFLite's int8 HARD_SWISH handles", n.display_name());
  const int16_t om = fx::down_to_int16(om32), rm = fx::down_to_int16(rm32);
  const bool u8 = n.attrs.i("tfl_uint8", 0) != 0;
  std::vector<int8_t> table(256);
  for (int32_t v = -128; v < 128; ++v) {
    const auto in = static_cast<int16_t>(v - zx);
    const auto hi = static_cast<int16_t>(in * (1 << 7));
    const int16_t pre_out = fx::srdhm16(hi, om);
    int16_t reluish = hi;
    if (rexp > 0) reluish = fx::sat_shl16(reluish, rexp - 1);
    reluish = fx::srdhm16(reluish, rm);
    if (rexp > 0) reluish = fx::sat_shl16(reluish, 1);
    if (rexp < 0) reluish = fx::rdbpot16(reluish, -rexp);
    reluish = static_cast<int16_t>((reluish + (1 << 15)) >> 1);
    const int16_t pre_shift = fx::sdhm16_trunc(reluish, pre_out);
    // int16 arithmetic, as TFLite's, with the model's zero point: a uint8 model's (attribute
    // "tfl_uint8"; the data is stored as int8, zero points - 128) is zy + 128, and its clamp [0, 255]
    // (the int16 sum can wrap otherwise than the int8 one's).
    const int32_t off = u8 ? 128 : 0;
    auto out = static_cast<int16_t>(fx::rdbpot16(pre_shift, -oexp) + zy + off);
    table[static_cast<size_t>(v + 128)] = static_cast<int8_t>(std::clamp<int32_t>(out, -128 + off, 127 + off) - off);
  }
  return with_table(g, n, std::move(l), table, "lut_s8_hard_swish_tfl");
}

// QUANTIZE float -> int8 (TFLite's rounding, quantize_f32_tfl) and DEQUANTIZE int8 -> float
// (dequantize_f32 computes float(q - zp) * scale, one rounding of the exact product, the same value
// as TFLite's float(double(scale) * (q - zp))). Per-tensor, int8 only.
// float <-> int16 (16x8 models): the same rules with int16 limits (quantize_f32_s16_tfl,
// dequantize_s16_f32 in tflite_s8/tflite_s8_x16.h), per tensor; relayout as lower_qdq does it.
Expected<Lowered> lower_qdq16(const Graph& g, const Node& n, bool quantize) {
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  const Tensor& qt = quantize ? y : x;
  const Tensor& ft = quantize ? x : y;
  if (ft.dtype != DType::F32 || qt.dtype != DType::I16 || g.t(n.inputs[1]).numel() != 1 || zp_of(g, n, 2) != 0)
    return make_error("{}: internal error: unexpected int16 {} operands", n.display_name(), quantize ? "QUANTIZE" : "DEQUANTIZE");
  auto sc = scale_of(g, n, 1);
  if (!sc) return sc.error();
  if (ft.nhwc && !qt.nhwc) return make_error("{}: internal error: NHWC float with an NCHW int16 side", n.display_name());
  ferrite_rt::QuantizeParams p{};
  p.relayout = qt.nhwc && !ft.nhwc ? 1 : 0;
  const Shape& s = qt.shape;
  if (p.relayout) {
    p.outer = static_cast<int32_t>(s[0]);
    p.channels = static_cast<int32_t>(s[1]);
    p.inner = static_cast<int32_t>(shape_numel(s) / (s[0] * s[1]));
  } else {
    p.outer = 1;
    p.channels = 1;
    p.inner = static_cast<int32_t>(shape_numel(s));
  }
  p.qmin = -32768;
  p.qmax = 32767;
  Tensor st;
  st.name = y.name + (quantize ? "_tfl_q16_scale" : "_tfl_dq16_scale");
  st.dtype = DType::F32;
  st.shape = {1};
  st.data = std::vector<uint8_t>(4);
  std::memcpy(st.data->data(), &*sc, 4);
  KernelCall c;
  c.kernel = quantize ? KernelId::quantize_f32_s16_tfl : KernelId::dequantize_s16_f32;
  c.variant = quantize ? "quantize_f32_s16_tfl" : "dequantize_s16_f32";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::constant(std::move(st)), int_const(y.name + "_tfl_q16_zp", {0}),
            Operand::tensor(n.outputs[0])};
  Lowered l;
  l.calls.push_back(std::move(c));
  return l;
}

Expected<Lowered> lower_quantize_tfl(const Graph& g, const Node& n) {
  if (g.t(n.outputs[0]).dtype == DType::I16) return lower_qdq16(g, n, true);
  if (g.t(n.outputs[0]).dtype != DType::I8) return make_error("{}: TFLite QUANTIZE to int8 only", n.display_name());
  if (g.t(n.inputs[1]).numel() != 1) return make_error("{}: per-channel QUANTIZE is not supported", n.display_name());
  auto l = ops::lower_QuantizeLinear(g, n);
  if (!l) return l.error();
  for (KernelCall& c : l->calls) {
    if (c.kernel != KernelId::quantize_f32)
      return make_error("{}: internal error: unexpected quantize call under TFLite numerics", n.display_name());
    c.kernel = KernelId::quantize_f32_tfl;
    c.variant = "quantize_f32_tfl";
  }
  return l;
}
Expected<Lowered> lower_dequantize_tfl(const Graph& g, const Node& n) {
  if (g.t(n.inputs[0]).dtype == DType::I16) return lower_qdq16(g, n, false);
  if (g.t(n.inputs[0]).dtype != DType::I8 || g.t(n.inputs[1]).numel() != 1)
    return make_error("{}: TFLite DEQUANTIZE of per-tensor int8 only", n.display_name());
  auto l = ops::lower_DequantizeLinear(g, n);
  if (!l) return l.error();
  for (const KernelCall& c : l->calls)
    if (c.kernel != KernelId::dequantize_f32 && !data_movement(c.kernel))
      return make_error("{}: internal error: unexpected dequantize call under TFLite numerics", n.display_name());
  return l;
}

// RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR (IR Resize with attribute "tfl_mode" from the frontend),
// on NCHW storage (the layout pass relayouts around a Resize). int8: resize_s8_tfl with TFLite's
// ResizeBilinearInteger coordinates (10-bit fixed-point scale, computed here in int32 as TFLite does)
// or GetNearestNeighbor's indices (y1 = y0, weight 0: an exact copy). float32: resize_f32 with
// TFLite's float coordinates (ResizeBilinear's floor/ceil of the scaled coordinate, weights
// iy - y0) and the same nearest indices.
Expected<Lowered> lower_resize(const Graph& g, const Node& n) {
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  const bool s8 = x.dtype == DType::I8 || x.dtype == DType::I16;  // int16 (16x8): the same integer rule
  if ((x.dtype != DType::I8 && x.dtype != DType::I16 && x.dtype != DType::F32) || y.dtype != x.dtype || x.shape.size() != 4 || y.shape.size() != 4 ||
      x.shape[0] != y.shape[0] || x.shape[1] != y.shape[1] || x.nhwc || y.nhwc)
    return make_error("{}: internal error: unexpected TFLite resize operands", n.display_name());
  const bool bilinear = n.attrs.s("tfl_mode", "") == "bilinear";
  const bool align = n.attrs.i("align_corners", 0) != 0, half = n.attrs.i("half_pixel_centers", 0) != 0;
  ferrite_rt::ResizeParams p{};
  for (size_t a = 0; a < 4; ++a) {
    if (x.shape[a] > 65536 || y.shape[a] > 65536 || x.shape[a] < 1 || y.shape[a] < 1)
      return make_error("{}: dimension out of range", n.display_name());
    p.in_shape[a] = static_cast<int32_t>(x.shape[a]);
    p.out_shape[a] = static_cast<int32_t>(y.shape[a]);
  }
  p.linear = bilinear ? 1 : 0;
  std::vector<int32_t> tab;  // int8: (i0, i1, w10) per output row, then per output column
  std::vector<int32_t> idx;  // float: resize_f32's per-axis (i0, i1) pairs and weights
  std::vector<float> wt;
  for (size_t a = 0; a < 4; ++a) {
    const int32_t in = p.in_shape[a], out = p.out_shape[a];
    if (a < 2) {  // N, C: not resized
      for (int32_t o = 0; o < out; ++o) {
        idx.insert(idx.end(), {o, o});
        wt.push_back(0.f);
      }
      continue;
    }
    if (!bilinear) {
      for (int32_t i : tflite_nearest_indices(in, out, align, half)) {
        if (i < 0 || i >= in) return make_error("{}: internal error: nearest index {} of {}", n.display_name(), i, in);
        tab.insert(tab.end(), {i, i, 0});
        idx.insert(idx.end(), {i, i});
        wt.push_back(0.f);
      }
      continue;
    }
    if (s8) {
      int64_t s10 = ((int64_t{1} << 10) * in + out / 2) / out;
      if (align && out > 1) s10 = ((int64_t{1} << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
      for (int32_t o = 0; o < out; ++o) {
        const int64_t v = half ? o * s10 + s10 / 2 - (1 << 9) : o * s10;
        if (v > INT32_MAX - 1024) return make_error("{}: resize coordinates overflow TFLite's int32 arithmetic", n.display_name());
        const int64_t i0 = std::max<int64_t>(v / 1024, 0);  // C++ division truncates toward zero, as TFLite's
        const int64_t i1 = std::min<int64_t>((v + 1023) / 1024, in - 1);
        if (i0 > in - 1) return make_error("{}: TFLite's coordinate {} reads outside the input", n.display_name(), i0);
        tab.insert(tab.end(), {static_cast<int32_t>(i0), static_cast<int32_t>(i1), static_cast<int32_t>(v - 1024 * i0)});
      }
    } else {
      const float scale = (align && out > 1) ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                                             : static_cast<float>(in) / static_cast<float>(out);
      for (int32_t o = 0; o < out; ++o) {
        const float v = half ? (static_cast<float>(o) + 0.5f) * scale - 0.5f : static_cast<float>(o) * scale;
        const int32_t i0 = std::max(static_cast<int32_t>(std::floor(v)), 0);
        const int32_t i1 = std::min(static_cast<int32_t>(std::ceil(v)), in - 1);
        if (i0 > in - 1) return make_error("{}: TFLite's coordinate {} reads outside the input", n.display_name(), i0);
        idx.insert(idx.end(), {i0, i1});
        wt.push_back(v - static_cast<float>(i0));
      }
    }
  }
  const std::string base = y.name + "_tfl_resize";
  KernelCall c;
  c.params = p;
  if (s8) {
    const bool x16 = x.dtype == DType::I16;
    c.kernel = x16 ? KernelId::resize_s16_tfl : KernelId::resize_s8_tfl;
    c.variant = std::string(x16 ? "resize_s16_tfl" : "resize_s8_tfl") + (bilinear ? "_bilinear" : "_nearest");
    c.args = {Operand::tensor(n.inputs[0]), int_const(base, tab), Operand::tensor(n.outputs[0])};
  } else {
    Tensor w;
    w.name = base + "_w";
    w.dtype = DType::F32;
    w.shape = {static_cast<int64_t>(wt.size())};
    w.data = std::vector<uint8_t>(wt.size() * sizeof(float));
    std::memcpy(w.data->data(), wt.data(), w.data->size());
    c.kernel = KernelId::resize_f32;
    c.variant = bilinear ? "resize_f32_tfl_bilinear" : "resize_f32_tfl_nearest";
    c.args = {Operand::tensor(n.inputs[0]), int_const(base + "_idx", idx), Operand::constant(std::move(w)),
              Operand::tensor(n.outputs[0])};
  }
  Lowered l;
  l.calls.push_back(std::move(c));
  return l;
}

// The operators of stage 2, or nullopt for the ones lower_node_tflite handles itself.
std::optional<Expected<Lowered>> lower_stage2(const Graph& g, const Node& n) {
  if (n.op == OpKind::Resize && n.attrs.has("tfl_mode")) return lower_resize(g, n);
  // float32 operators of float models: the portable float kernels (TFLite computes them in float too;
  // agreement is to rounding, docs/tflite.md).
  if (!n.inputs.empty() && n.inputs[0] != kNoTensor && !n.outputs.empty() && g.t(n.inputs[0]).dtype == DType::F32 &&
      g.t(n.outputs[0]).dtype == DType::F32)
    return lower_node_portable(g, n);
  switch (n.op) {
    case OpKind::QuantizeLinear: return lower_quantize_tfl(g, n);
    case OpKind::DequantizeLinear: return lower_dequantize_tfl(g, n);
    case OpKind::QLinearAdd:
      if (tflite_op(n) == "SUB") return lower_sub(g, n);
      if (tflite_op(n) == "MAXIMUM" || tflite_op(n) == "MINIMUM") return lower_minmax(g, n, tflite_op(n) == "MAXIMUM");
      if (!tflite_op(n).empty()) return make_error("{}: internal error: tflite_op '{}'", n.display_name(), tflite_op(n));
      break;
    case OpKind::QLinearMul: return lower_mul(g, n);
    case OpKind::QLinearGlobalAveragePool: return lower_mean(g, n);
    case OpKind::ReduceMean:
      if (tflite_op(n) == "MEAN") return lower_mean_axes(g, n);
      break;
    case OpKind::Pad: return lower_pad(g, n);
    case OpKind::QLinearConcat: return lower_concat(g, n);
    case OpKind::QLinearLeakyRelu: return lower_leaky_relu(g, n);
    case OpKind::QLinearSigmoid: return lower_logistic_tanh(g, n, false, ops::lower_QLinearSigmoid(g, n));
    case OpKind::QLinearActivation: {
      const std::string f = n.attrs.s("function", "");
      if (f == "Tanh") return lower_logistic_tanh(g, n, true, ops::lower_QLinearActivation(g, n));
      if (f == "HardSwish") return lower_hard_swish(g, n, ops::lower_QLinearActivation(g, n));
      return make_error("{}: int8 {} is not supported under TFLite numerics", n.display_name(), f);
    }
    default: break;
  }
  return std::nullopt;
}

// ---- TFLite's 16x8 quantization: int16 activations (zero point 0), int8 weights, int64 bias ----
// CONV_2D / DEPTHWISE_CONV_2D (QLinearConv), FULLY_CONNECTED (QGemm), ADD / SUB (QLinearAdd), MUL,
// LOGISTIC, TANH and SOFTMAX with int16 tensors get their own lowering: the multipliers as TFLite
// computes them for int16, the kernels of tflite_s8/tflite_s8_x16.h. The layout pass treats int16 like int8 under TFLite numerics (NHWC
// around convolutions).
std::pair<int32_t, int32_t> tfl_act_range16(const FusedAct& a, float scale) {
  auto q = [&](float v) { return static_cast<int32_t>(std::round(v / scale)); };  // zero point 0
  int32_t lo = -32768, hi = 32767;
  if (a.kind == FusedAct::Relu) lo = std::max(lo, q(0.f));
  if (a.kind == FusedAct::Clip) {
    lo = std::max(lo, q(a.lo));
    hi = std::min(hi, q(a.hi));
  }
  return {lo, hi};
}

Operand i8_const(const std::string& name, const Shape& shape, const std::vector<int8_t>& v) {
  Tensor t;
  t.name = name;
  t.dtype = DType::I8;
  t.shape = shape;
  t.data = std::vector<uint8_t>(v.size());
  std::memcpy(t.data->data(), v.data(), v.size());
  return Operand::constant(std::move(t));
}

Expected<Lowered> lower_x16(const Graph& g, const Node& n) {
  FERRITE_TRY(require_act(n));
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  if (y.dtype != DType::I16) return make_error("{}: int16 input but {} output", n.display_name(), dtype_name(y.dtype));
  for (size_t zs : {size_t{2}, size_t{n.op == OpKind::QGemm ? 8u : 7u}})
    if (zp_of(g, n, zs) != 0) return make_error("{}: int16 zero points must be 0", n.display_name());
  Lowered l;
  const bool fc = n.op == OpKind::QGemm;
  const size_t ys_slot = fc ? 7 : 6, bias_slot = fc ? 6 : 8;
  auto xs = scale_of(g, n, 1);
  if (!xs) return xs.error();
  auto ys = scale_of(g, n, ys_slot);
  if (!ys) return ys.error();
  const std::vector<float> ws = scales_of(g, n, 4);
  const Tensor& w = g.t(n.inputs[3]);
  if (!w.is_constant() || w.dtype != DType::I8) return make_error("{}: weights must be an int8 constant", n.display_name());
  for (int64_t z : g.t(n.inputs[5]).as_i64())
    if (z != 0) return make_error("{}: weight zero point {} (symmetric int8 weights only)", n.display_name(), z);
  const TensorId bias = has_input(n, bias_slot) ? n.inputs[bias_slot] : kNoTensor;
  if (bias != kNoTensor && (g.t(bias).dtype != DType::I64 || !g.t(bias).is_constant()))
    return make_error("{}: the bias of an int16 layer must be an int64 constant", n.display_name());
  const int64_t channels = fc ? w.shape[0] : w.shape[0];
  if (ws.size() != 1 && ws.size() != static_cast<size_t>(channels))
    return make_error("{}: {} weight scales for {} channels", n.display_name(), ws.size(), channels);
  std::vector<int32_t> qm;
  for (int64_t c = 0; c < channels; ++c) {
    const float s = ws.size() == 1 ? ws[0] : ws[static_cast<size_t>(c)];
    const double ratio = fc && ws.size() == 1 ? static_cast<double>(*xs * s) / static_cast<double>(*ys)
                                              : static_cast<double>(*xs) * static_cast<double>(s) / static_cast<double>(*ys);
    auto [m, sh] = quantize_multiplier(ratio);
    if (sh > 7) return make_error("{}: scale ratio {} too large for TFLite's 16x8 requantization", n.display_name(), ratio);
    qm.push_back(m);
    qm.push_back(sh);
  }
  const auto [lo, hi] = tfl_act_range16(n.act, *ys);
  const Operand bias_op = bias == kNoTensor ? Operand::null() : Operand::tensor(bias);
  const Operand qm_op = int_const(y.name + "_tfl_multiplier", qm);
  KernelCall c;
  if (fc) {
    if (n.attrs.i("transB", 0) != 1 || w.shape.size() != 2 || x.nhwc || y.nhwc)
      return make_error("{}: internal error: unexpected int16 fully connected operands", n.display_name());
    const int64_t N = w.shape[0], K = w.shape[1];
    if (x.numel() % K != 0 || y.numel() != x.numel() / K * N)
      return make_error("{}: internal error: int16 fully connected shapes", n.display_name());
    ferrite_rt::FcS8Params p{};
    p.rows = static_cast<int32_t>(x.numel() / K);
    p.in_features = static_cast<int32_t>(K);
    p.out_features = static_cast<int32_t>(N);
    p.act_min = lo;
    p.act_max = hi;
    p.per_channel = 1;
    c.kernel = KernelId::fc_s16_tfl;
    c.variant = "fc_s16_tfl";
    c.params = p;
    c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[3]), bias_op, qm_op, Operand::tensor(n.outputs[0])};
    l.macs = static_cast<uint64_t>(p.rows) * static_cast<uint64_t>(K) * static_cast<uint64_t>(N);
  } else {
    if (x.shape.size() != 4 || y.shape.size() != 4 || w.shape.size() != 4 || !x.nhwc || !y.nhwc)
      return make_error("{}: internal error: int16 convolution operands must be 4-D NHWC", n.display_name());
    const std::vector<int64_t> strides = n.attrs.ints("strides", {1, 1}), dil = n.attrs.ints("dilations", {1, 1});
    const std::vector<int64_t> pads = n.attrs.ints("pads", {0, 0, 0, 0});
    const int64_t group = n.attrs.i("group", 1);
    const int64_t O = w.shape[0], I = w.shape[1], KH = w.shape[2], KW = w.shape[3];
    if (strides.size() != 2 || dil.size() != 2 || pads.size() != 4 || group < 1 || x.shape[1] != I * group || O % group != 0)
      return make_error("{}: internal error: int16 convolution attributes", n.display_name());
    ferrite_rt::ConvS8Params p{};
    p.n = static_cast<int32_t>(x.shape[0]);
    p.c_in = static_cast<int32_t>(x.shape[1]);
    p.h_in = static_cast<int32_t>(x.shape[2]);
    p.w_in = static_cast<int32_t>(x.shape[3]);
    p.c_out = static_cast<int32_t>(y.shape[1]);
    p.h_out = static_cast<int32_t>(y.shape[2]);
    p.w_out = static_cast<int32_t>(y.shape[3]);
    p.kh = static_cast<int32_t>(KH);
    p.kw = static_cast<int32_t>(KW);
    p.stride_h = static_cast<int32_t>(strides[0]);
    p.stride_w = static_cast<int32_t>(strides[1]);
    p.dil_h = static_cast<int32_t>(dil[0]);
    p.dil_w = static_cast<int32_t>(dil[1]);
    p.pad_top = static_cast<int32_t>(pads[0]);
    p.pad_left = static_cast<int32_t>(pads[1]);
    p.group = static_cast<int32_t>(group);
    p.act_min = lo;
    p.act_max = hi;
    if (p.c_out != O) return make_error("{}: internal error: int16 convolution channels", n.display_name());
    // OIHW -> OHWI
    const std::vector<uint8_t>& wb = *w.data;
    std::vector<int8_t> wt(wb.size());
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < I; ++i)
        for (int64_t ky = 0; ky < KH; ++ky)
          for (int64_t kx = 0; kx < KW; ++kx)
            wt[static_cast<size_t>(((o * KH + ky) * KW + kx) * I + i)] =
                static_cast<int8_t>(wb[static_cast<size_t>(((o * I + i) * KH + ky) * KW + kx)]);
    c.kernel = KernelId::conv_s16_nhwc_tfl;
    c.variant = group == 1 ? "conv_s16_tfl" : "dwconv_s16_tfl";
    c.params = p;
    c.args = {Operand::tensor(n.inputs[0]), i8_const(w.name + "_ohwi", {O, KH, KW, I}, wt), bias_op, qm_op,
              Operand::tensor(n.outputs[0])};
    l.macs = static_cast<uint64_t>(y.numel()) * static_cast<uint64_t>(I * KH * KW);
  }
  l.calls.push_back(std::move(c));
  return l;
}

// ---- 16x8: the remaining operators (TFLite's int16 kernels, reference ops / TFLite Micro) ----
// MAXIMUM / MINIMUM on int16 (maximum_minimum.cc, TFLiteOperation<int16_t>): raw values compared, so
// the inputs and the output must share one scale (zero points are 0); no fused activation.
Expected<Lowered> lower_minmax16(const Graph& g, const Node& n, bool is_max) {
  if (n.act.kind != FusedAct::None) return make_error("{}: a fused activation is not supported", n.display_name());
  const Tensor& y = g.t(n.outputs[0]);
  if (y.dtype != DType::I16 || g.t(n.inputs[3]).dtype != DType::I16 || zp_of(g, n, 2) != 0 || zp_of(g, n, 5) != 0 ||
      zp_of(g, n, 7) != 0)
    return make_error("{}: int16 {} needs int16 operands and output with zero point 0", n.display_name(),
                      is_max ? "MAXIMUM" : "MINIMUM");
  auto sa = scale_of(g, n, 1), sb = scale_of(g, n, 4), sy = scale_of(g, n, 6);
  if (!sa) return sa.error();
  if (!sb) return sb.error();
  if (!sy) return sy.error();
  if (*sa != *sy || *sb != *sy)
    return make_error("{}: inputs and output must share one scale (int16 {} compares raw values)", n.display_name(),
                      is_max ? "MAXIMUM" : "MINIMUM");
  auto l = ops::lower_QLinearAdd(g, n);
  if (!l) return l.error();
  FERRITE_TRY(rewrite_binary(g, n, *l, is_max ? KernelId::max_s16_tfl : KernelId::min_s16_tfl,
                             is_max ? "max_s16_tfl" : "min_s16_tfl", {}, {-32768, 32767}));
  return l;
}

// The (x, y) scales and the element count of an int16 unary node (inputs x, x_scale, x_zp, y_scale,
// y_zp) with zero points 0 and y of x's shape and layout.
struct Unary16 {
  float sx, sy;
  int32_t total;
};
Expected<Unary16> unary16(const Graph& g, const Node& n, const char* what) {
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  if (y.dtype != DType::I16 || x.shape != y.shape || x.nhwc != y.nhwc || zp_of(g, n, 2) != 0 || zp_of(g, n, 4) != 0)
    return make_error("{}: int16 {} needs an int16 output of the input's shape and layout, zero points 0",
                      n.display_name(), what);
  auto sx = scale_of(g, n, 1), sy = scale_of(g, n, 3);
  if (!sx) return sx.error();
  if (!sy) return sy.error();
  if (y.numel() > INT32_MAX) return make_error("{}: too many elements", n.display_name());
  return Unary16{*sx, *sy, static_cast<int32_t>(y.numel())};
}

// RELU / RELU6 on int16 (Requantize with the fused activation from the frontend; TFLite's ReluPrepare
// and QuantizedReluX<int16_t>): QuantizeMultiplier(float(x_scale / y_scale)) (a float division, as
// TFLite's), the clamp bounds round(bound / y_scale) (CalculateActivationRangeQuantized). RELU_N1_TO_1
// has no int16 kernel in TFLite (the frontend refuses it).
Expected<Lowered> lower_requantize16(const Graph& g, const Node& n) {
  if (n.act.kind != FusedAct::None && n.act.kind != FusedAct::Relu && n.act.kind != FusedAct::Clip)
    return make_error("{}: unexpected activation under TFLite numerics", n.display_name());
  auto u = unary16(g, n, "RELU");
  if (!u) return u.error();
  auto [m, s] = quantize_multiplier(static_cast<double>(u->sx / u->sy));
  ferrite_rt::RequantizeParams p{};
  p.total = u->total;
  p.in_scale = u->sx;
  p.out_scale = u->sy;
  std::tie(p.qmin, p.qmax) = tfl_act_range16(n.act, u->sy);
  KernelCall c;
  c.kernel = KernelId::requantize_s16_tfl;
  c.variant = "requantize_s16_tfl";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), int_const(g.t(n.outputs[0]).name + "_tfl_requant16", {m, s}),
            Operand::tensor(n.outputs[0])};
  Lowered l;
  l.calls.push_back(std::move(c));
  return l;
}

// LEAKY_RELU on int16 (leaky_relu_common.cc, QuantizeLeakyRelu<int16_t>): the int8 rule (identity
// multiplier from float(x_scale / y_scale), alpha multiplier from float(x_scale * alpha / y_scale),
// each QuantizeMultiplier'd from the widened float; a negative alpha negates |alpha multiplier|'s
// product), computed per element (65536 inputs: no table).
Expected<Lowered> lower_leaky_relu16(const Graph& g, const Node& n) {
  if (n.act.kind != FusedAct::None) return make_error("{}: a fused activation is not supported", n.display_name());
  auto u = unary16(g, n, "LEAKY_RELU");
  if (!u) return u.error();
  const float alpha = n.attrs.f("alpha", 0.01f);
  auto [mi, si] = quantize_multiplier(static_cast<double>(u->sx / u->sy));
  auto [ma, sa] = quantize_multiplier(static_cast<double>(u->sx * alpha / u->sy));
  ferrite_rt::LutParams p{};
  p.total = u->total;
  KernelCall c;
  c.kernel = KernelId::leaky_relu_s16_tfl;
  c.variant = "leaky_relu_s16_tfl";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]),
            int_const(g.t(n.outputs[0]).name + "_tfl_leaky16", {mi, si, ma < 0 ? -ma : ma, sa, ma < 0 ? 1 : 0}),
            Operand::tensor(n.outputs[0])};
  Lowered l;
  l.calls.push_back(std::move(c));
  return l;
}

// AVERAGE_POOL_2D (QLinearAveragePool) / MAX_POOL_2D (MaxPool) on NHWC int16 (pooling.cc: the int8
// rules on int16, int32 sum; input and output share scale and zero point). The fused activation's
// bounds: the average pool's from its output scale, the max pool's from the frontend
// (attribute "tfl_act_range", TFLite's CalculateActivationRangeQuantized).
Expected<Lowered> lower_pool16(const Graph& g, const Node& n, bool is_max) {
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  FERRITE_TRY(require_act(n));
  if (y.dtype != DType::I16 || x.shape.size() != 4 || y.shape.size() != 4 || !x.nhwc || !y.nhwc)
    return make_error("{}: internal error: int16 pooling operands", n.display_name());
  std::pair<int32_t, int32_t> act{-32768, 32767};
  if (is_max) {
    const std::vector<int64_t> r = n.attrs.ints("tfl_act_range", {-32768, 32767});
    if (r.size() != 2) return make_error("{}: internal error: tfl_act_range", n.display_name());
    act = {static_cast<int32_t>(r[0]), static_cast<int32_t>(r[1])};
  } else {
    auto sx = scale_of(g, n, 1), sy = scale_of(g, n, 3);
    if (!sx) return sx.error();
    if (!sy) return sy.error();
    if (*sx != *sy || zp_of(g, n, 2) != 0 || zp_of(g, n, 4) != 0)
      return make_error("{}: input and output quantization differ (TFLite's int16 AVERAGE_POOL_2D needs them equal)",
                        n.display_name());
    act = tfl_act_range16(n.act, *sy);
  }
  const std::vector<int64_t> k = n.attrs.ints("kernel_shape"), st = n.attrs.ints("strides", {1, 1}),
                             pads = n.attrs.ints("pads", {0, 0, 0, 0});
  if (k.size() != 2 || st.size() != 2 || pads.size() != 4)
    return make_error("{}: internal error: int16 pooling attributes", n.display_name());
  // TFLite sums in int32: 32768 * taps must fit.
  if (!is_max && k[0] * k[1] > 65536)
    return make_error("{}: a {}x{} window overflows TFLite's int32 sum of int16 values", n.display_name(), k[0], k[1]);
  ferrite_rt::PoolS8Params p{};
  p.n = static_cast<int32_t>(x.shape[0]);
  p.c = static_cast<int32_t>(x.shape[1]);
  p.h_in = static_cast<int32_t>(x.shape[2]);
  p.w_in = static_cast<int32_t>(x.shape[3]);
  p.h_out = static_cast<int32_t>(y.shape[2]);
  p.w_out = static_cast<int32_t>(y.shape[3]);
  p.kh = static_cast<int32_t>(k[0]);
  p.kw = static_cast<int32_t>(k[1]);
  p.stride_h = static_cast<int32_t>(st[0]);
  p.stride_w = static_cast<int32_t>(st[1]);
  p.dil_h = p.dil_w = 1;
  p.pad_top = static_cast<int32_t>(pads[0]);
  p.pad_left = static_cast<int32_t>(pads[1]);
  p.pad_bottom = static_cast<int32_t>(pads[2]);
  p.pad_right = static_cast<int32_t>(pads[3]);
  std::tie(p.act_min, p.act_max) = act;
  KernelCall c;
  c.kernel = is_max ? KernelId::maxpool_s16_nhwc_tfl : KernelId::avgpool_s16_nhwc_tfl;
  c.variant = is_max ? "maxpool_s16_nhwc_tfl" : "avgpool_s16_nhwc_tfl";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  Lowered l;
  l.macs = static_cast<uint64_t>(y.numel()) * static_cast<uint64_t>(k[0] * k[1]);
  l.calls.push_back(std::move(c));
  return l;
}

// The int8 MAX_POOL_2D with a fused activation: maxpool_s8_nhwc clamped to TFLite's quantized bounds
// (attribute "tfl_act_range" from the frontend; the portable lowering's own bounds assume scale 1).
Expected<Lowered> lower_maxpool8_act(const Graph& g, const Node& n) {
  auto l = lower_node_portable(g, n);
  if (!l) return l.error();
  const std::vector<int64_t> r = n.attrs.ints("tfl_act_range", {});
  if (r.size() != 2) return make_error("{}: internal error: tfl_act_range", n.display_name());
  for (KernelCall& c : l->calls) {
    auto* p = std::get_if<ferrite_rt::PoolS8Params>(c.params.get());
    if (!p || c.kernel != KernelId::maxpool_s8_nhwc)
      return make_error("{}: internal error: unexpected max pool call under TFLite numerics", n.display_name());
    p->act_min = static_cast<int32_t>(r[0]);
    p->act_max = static_cast<int32_t>(r[1]);
  }
  return l;
}

// MEAN over H, W of NHWC int16 (QLinearGlobalAveragePool from the frontend; reduce_common.cc's
// QuantizedMeanOrSum<int16_t>): lower_mean's multiplier folding, the int32 sum, clamped to int16.
Expected<Lowered> lower_mean16(const Graph& g, const Node& n) {
  if (n.act.kind != FusedAct::None) return make_error("{}: a fused activation is not supported", n.display_name());
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  if (y.dtype != DType::I16 || x.shape.size() != 4 || !x.nhwc || zp_of(g, n, 2) != 0 || zp_of(g, n, 4) != 0)
    return make_error("{}: internal error: int16 MEAN operands", n.display_name());
  auto sx = scale_of(g, n, 1), sy = scale_of(g, n, 3);
  if (!sx) return sx.error();
  if (!sy) return sy.error();
  const int64_t spatial = x.shape[2] * x.shape[3];
  if (spatial < 1 || spatial > 65536)
    return make_error("{}: a MEAN over {} int16 values overflows TFLite's int32 sum", n.display_name(), spatial);
  auto [m, s] = quantize_multiplier(static_cast<double>(*sx) / static_cast<double>(*sy));
  int32_t log2n = 0;
  while ((int64_t{2} << log2n) <= spatial) ++log2n;
  const int32_t sh = std::min({log2n, 32, 31 + s});
  const int32_t mult = sh >= 0 ? static_cast<int32_t>((static_cast<int64_t>(m) << sh) / spatial) : 0;
  ferrite_rt::GlobalPoolS8Params p{};
  p.n = static_cast<int32_t>(x.shape[0]);
  p.c = static_cast<int32_t>(x.shape[1]);
  p.spatial = static_cast<int32_t>(spatial);
  p.in_scale = *sx;
  p.out_scale = *sy;
  p.act_min = -32768;
  p.act_max = 32767;
  KernelCall c;
  c.kernel = KernelId::mean_s16_tfl;
  c.variant = "mean_s16_tfl";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), int_const(y.name + "_tfl_mean16", {mult, s - sh}), Operand::tensor(n.outputs[0])};
  Lowered l;
  l.calls.push_back(std::move(c));
  return l;
}

// ADD / SUB / MUL on int16 (add_common.cc, sub_common.cc, mul_common.cc with int16 outputs): the
// int8 rules with left shift 15 for ADD and SUB (multipliers from double ratios, as for int8), MUL's
// QuantizeMultiplier(float(sa * sb / sy)) as for int8; zero points 0. Broadcasting and
// constant operands as for int8 (the same operand views from lower_qbinary).
Expected<Lowered> lower_binary16(const Graph& g, const Node& n) {
  const bool is_mul = n.op == OpKind::QLinearMul;
  const std::string op = is_mul ? "MUL" : (tflite_op(n).empty() ? "ADD" : tflite_op(n));
  if (op == "MAXIMUM" || op == "MINIMUM") return lower_minmax16(g, n, op == "MAXIMUM");
  if (op != "ADD" && op != "SUB" && op != "MUL")
    return make_error("{}: int16 {} is not supported (16x8: ADD, SUB, MUL, MAXIMUM and MINIMUM)", n.display_name(), op);
  FERRITE_TRY(require_act(n));
  const Tensor& y = g.t(n.outputs[0]);
  if (y.dtype != DType::I16 || g.t(n.inputs[3]).dtype != DType::I16 || zp_of(g, n, 2) != 0 || zp_of(g, n, 5) != 0 ||
      zp_of(g, n, 7) != 0)
    return make_error("{}: int16 {} needs int16 operands and output with zero point 0", n.display_name(), op);
  auto l = is_mul ? ops::lower_QLinearMul(g, n) : ops::lower_QLinearAdd(g, n);
  if (!l) return l.error();
  auto sa = scale_of(g, n, 1), sb = scale_of(g, n, 4), sy = scale_of(g, n, 6);
  if (!sa) return sa.error();
  if (!sb) return sb.error();
  if (!sy) return sy.error();
  const std::pair<int32_t, int32_t> act = tfl_act_range16(n.act, *sy);
  std::vector<int32_t> q;
  if (is_mul) {  // the int8 rule: the ratio in float (TFLite's mul.cc)
    auto [m, s] = quantize_multiplier(static_cast<double>(*sa * *sb / *sy));
    q = {m, s};
  } else {  // ADD and SUB: the same multipliers (double ratios)
    const int32_t left_shift = 15;
    const double twice_max = 2.0 * static_cast<double>(std::max(*sa, *sb));
    auto [ma, sha] = quantize_multiplier(static_cast<double>(*sa) / twice_max);
    auto [mb, shb] = quantize_multiplier(static_cast<double>(*sb) / twice_max);
    auto [my, shy] = quantize_multiplier(twice_max / static_cast<double>(static_cast<float>(1 << left_shift) * *sy));
    q = {left_shift, ma, sha, mb, shb, my, shy};
  }
  const KernelId k = is_mul ? KernelId::mul_s16_tfl : (op == "ADD" ? KernelId::add_s16_tfl : KernelId::sub_s16_tfl);
  FERRITE_TRY(rewrite_binary(g, n, *l, k, is_mul ? "mul_s16_tfl" : (op == "ADD" ? "add_s16_tfl" : "sub_s16_tfl"), q, act));
  return l;
}

// CheckedLog2 (quantization_util.cc): log2 of a float scale in float (logf), rounded; "a power of
// two" when the fraction is below 1e-3.
bool checked_log2(float x, int* log2_rounded) {
  const float l = std::log(x) * (1.0f / std::log(2.0f));
  const float r = std::round(l);
  *log2_rounded = static_cast<int>(r);
  return std::fabs(l - r) < 1e-3f;
}

Operand typed_const(const std::string& name, DType dt, const Shape& shape, const void* data, size_t bytes) {
  Tensor t;
  t.name = name;
  t.dtype = dt;
  t.shape = shape;
  t.data = std::vector<uint8_t>(bytes);
  std::memcpy(t.data->data(), data, bytes);
  return Operand::constant(std::move(t));
}

// TFLite's sigmoid_table_uint16 (common.h: "sigmoid(i/24) at 0.16 format"): for i < 255 the sample
// 65536 sigmoid(i / 24) raised by half the interpolation error at the midpoint of [i, i + 1],
// rounded; entry 255 is the full scale 65535. (This rule reproduces all 256 entries of TFLite's table.)
std::vector<uint16_t> tfl_sigmoid_table() {
  auto f = [](double i) { return 65536.0 / (1.0 + std::exp(-i / 24.0)); };
  std::vector<uint16_t> t(256);
  for (int i = 0; i < 255; ++i) {
    const double sag = f(i + 0.5) - (f(i) + f(i + 1)) / 2;
    t[static_cast<size_t>(i)] = static_cast<uint16_t>(std::lround(f(i) + sag / 2));
  }
  t[255] = 65535;
  return t;
}

// LOGISTIC / TANH on int16 (logistic_common.cc, tanh.cc; reference integer_ops logistic.h / tanh.h):
// output scale 2^-15 (CheckedLog2), zero points 0. The input multiplier: a power-of-two input scale
// with 12 + log2(scale) == 0 (TANH: 0 or 1) gives TFLite's multiplier 0, which the kernel turns into
// 3 << shift; else scale * 3 * 4096 doubled until above 32767 / 2 (at most 31 times), truncated.
Expected<Lowered> lower_logistic_tanh16(const Graph& g, const Node& n, bool is_tanh) {
  const char* name = is_tanh ? "TANH" : "LOGISTIC";
  if (n.act.kind != FusedAct::None) return make_error("{}: a fused activation is not supported", n.display_name());
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  if (y.dtype != DType::I16 || x.shape != y.shape || x.nhwc != y.nhwc || zp_of(g, n, 2) != 0 || zp_of(g, n, 4) != 0)
    return make_error("{}: int16 {} needs an int16 output of the input's shape, zero points 0", n.display_name(), name);
  auto sx = scale_of(g, n, 1), sy = scale_of(g, n, 3);
  if (!sx) return sx.error();
  if (!sy) return sy.error();
  int out_log2 = 0;
  if (!checked_log2(*sy, &out_log2) || out_log2 != -15)
    return make_error("{}: int16 {} output scale must be 1/32768 (TFLite's rule), not {}", n.display_name(), name, *sy);
  int in_log2 = 0;
  const bool pot = checked_log2(*sx, &in_log2) && (12 + in_log2 == 0 || (is_tanh && 12 + in_log2 == 1));
  int32_t mult = 0, shift = 0;
  if (pot) {
    mult = 3 << (12 + in_log2);
  } else {
    double m = static_cast<double>(*sx) * 4096.0 * 3.0;
    while (m <= 32767.0 / 2.0 && shift <= 30) {
      ++shift;
      m *= 2.0;
    }
    if (m > 32767.0)
      return make_error("{}: input scale {} is too large for TFLite's int16 {} (multiplier {:.0f} > 32767)",
                        n.display_name(), *sx, name, m);
    mult = static_cast<int32_t>(m);
  }
  const std::vector<uint16_t> table = tfl_sigmoid_table();
  ferrite_rt::LutParams p{};
  p.total = static_cast<int32_t>(y.numel());
  KernelCall c;
  c.kernel = is_tanh ? KernelId::tanh_s16_tfl : KernelId::logistic_s16_tfl;
  c.variant = is_tanh ? "tanh_s16_tfl" : "logistic_s16_tfl";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]),
            typed_const(y.name + "_tfl_sigmoid_table", DType::U16, {256}, table.data(), table.size() * 2),
            int_const(y.name + "_tfl_input_scaling", {mult, shift}), Operand::tensor(n.outputs[0])};
  Lowered l;
  l.calls.push_back(std::move(c));
  return l;
}

// TFLite's LUTPopulate<int16_t> (common.h, the float version TFLite Micro's softmax uses): 512
// samples of f over the int16 input range, each lowered by half the rounded interpolation error at
// its interval's midpoint, plus f at the end point; every step in float (this file is built with
// -ffp-contract=off, so no step is fused).
std::vector<int16_t> tfl_lut_populate16(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp, float (*f)(float)) {
  const float in_min = in_scale * static_cast<float>(-32768 - in_zp);
  const float in_max = in_scale * static_cast<float>(32767 - in_zp);
  const float out_min = out_scale * static_cast<float>(-32768 - out_zp);
  const float out_max = out_scale * static_cast<float>(32767 - out_zp);
  const float step = (in_max - in_min) / static_cast<float>(512);
  const float half_step = step / 2;
  const float inv = 65536.0f / (out_max - out_min);
  auto clamp16 = [](float v) { return static_cast<int16_t>(std::min(std::max(v, -32768.0f), 32767.0f)); };
  std::vector<int16_t> lut(513);
  for (int i = 0; i < 512; ++i) {
    const float v = f(in_min + static_cast<float>(i) * step);
    const float v_mid = f(in_min + static_cast<float>(i) * step + half_step);
    const float v_next = f(in_min + static_cast<float>(i + 1) * step);
    const float sample = std::round(v * inv);
    const float interp = std::round((v_next * inv + std::round(v * inv)) / 2);
    const float mid = std::round(v_mid * inv);
    const float bias = std::round((interp - mid) / 2);
    lut[static_cast<size_t>(i)] = clamp16(sample - bias);
  }
  lut[512] = clamp16(std::round(f(in_max) * inv));
  return lut;
}
float tfl_expf(float v) { return std::exp(v); }
float tfl_one_over_one_plus(float v) { return 1.0f / (1.0f + v); }

// SOFTMAX on int16 (softmax_common.cc, reference SoftmaxInt16): output scale 1/32768 (within
// 0.1 %), zero points 0; the differences scaled by QuantizeMultiplier(x_scale * beta / (10 / 65535));
// exp on [-10, 0] and 1 / (1 + x) on [0, 1] as 513-entry int16 tables (TFLite's LUTPopulate).
Expected<Lowered> lower_softmax16(const Graph& g, const Node& n) {
  const Tensor& y = g.t(n.outputs[0]);
  auto sx = scale_of(g, n, 1), sy = scale_of(g, n, 3);
  if (!sx) return sx.error();
  if (!sy) return sy.error();
  if (y.dtype != DType::I16 || zp_of(g, n, 2) != 0 || zp_of(g, n, 4) != 0 ||
      std::fabs(*sy - 1.f / 32768) > 0.001f * 1.f / 32768)
    return make_error("{}: int16 softmax output must be int16 with scale 1/32768 and zero point 0 (TFLite's rule)",
                      n.display_name());
  auto l = ops::lower_QLinearSoftmax(g, n);
  if (!l) return l.error();
  const double beta = static_cast<double>(n.attrs.f("beta", 1.f));
  auto [mult, shift] = quantize_multiplier(static_cast<double>(*sx) * beta / (10.0 / 65535.0));
  if (shift > 15)
    return make_error("{}: input scale x beta = {} is too large: TFLite's int32 scaling of the differences (<< {}) "
                      "would overflow", n.display_name(), static_cast<double>(*sx) * beta, shift);
  const int32_t range = 65535;
  const std::vector<int16_t> exp_lut = tfl_lut_populate16(10.0f / range, 32767, 2.0f / range, 0, tfl_expf);
  const std::vector<int16_t> recip_lut = tfl_lut_populate16(1.0f / range, -32768, 2.0f / range, 0, tfl_one_over_one_plus);
  for (KernelCall& c : l->calls) {
    auto* p = std::get_if<ferrite_rt::SoftmaxS8Params>(c.params.get());
    if (!p || c.kernel != KernelId::softmax_s8 || c.args.size() != 2)
      return make_error("{}: internal error: unexpected softmax call under TFLite numerics", n.display_name());
    if (p->axis_len > 65536)
      return make_error("{}: softmax over {} > 65536 values is not supported (TFLite's int32 sum of exps)",
                        n.display_name(), p->axis_len);
    c.kernel = KernelId::softmax_s16_tfl;
    c.variant = "softmax_s16_tfl";
    c.args = {c.args[0], typed_const(y.name + "_tfl_exp_lut", DType::I16, {513}, exp_lut.data(), 513 * 2),
              typed_const(y.name + "_tfl_recip_lut", DType::I16, {513}, recip_lut.data(), 513 * 2),
              int_const(y.name + "_tfl_softmax16", {mult, shift}), c.args[1]};
  }
  return l;
}

}  // namespace

namespace {
Expected<Lowered> lower_node_tflite_impl(const Graph& g, const Node& n);
}  // namespace

Expected<Lowered> lower_node_tflite(const Graph& g, const Node& n) {
  g_bad_multiplier = {};
  auto l = lower_node_tflite_impl(g, n);
  if (l && g_bad_multiplier.seen)
    return make_error("{}: a rescaling ratio of {:g} (from the scales{}) is outside TFLite's fixed-point multipliers "
                      "(finite and below 2^30)",
                      n.display_name(), g_bad_multiplier.ratio, n.op == OpKind::QLinearLeakyRelu ? " and alpha" : "");
  return l;
}

namespace {
Expected<Lowered> lower_node_tflite_impl(const Graph& g, const Node& n) {
  if (!n.inputs.empty() && n.inputs[0] != kNoTensor && g.t(n.inputs[0]).dtype == DType::I16) {  // 16x8 models
    switch (n.op) {
      case OpKind::QLinearConv:
      case OpKind::QGemm: return lower_x16(g, n);
      case OpKind::QLinearAdd:
      case OpKind::QLinearMul: return lower_binary16(g, n);
      case OpKind::QLinearSigmoid: return lower_logistic_tanh16(g, n, false);
      case OpKind::QLinearActivation:
        if (n.attrs.s("function", "") == "Tanh") return lower_logistic_tanh16(g, n, true);
        return make_error("{}: int16 {} is not supported", n.display_name(), n.attrs.s("function", ""));
      case OpKind::QLinearSoftmax: return lower_softmax16(g, n);
      case OpKind::Requantize: return lower_requantize16(g, n);
      case OpKind::QLinearLeakyRelu: return lower_leaky_relu16(g, n);
      case OpKind::QLinearAveragePool: return lower_pool16(g, n, false);
      case OpKind::MaxPool: return lower_pool16(g, n, true);
      case OpKind::QLinearGlobalAveragePool: return lower_mean16(g, n);
      default: break;
    }
  }
  if (auto r = lower_stage2(g, n)) return std::move(*r);
  if (n.op == OpKind::MaxPool && n.act.kind != FusedAct::None && !n.inputs.empty() &&
      g.t(n.inputs[0]).dtype == DType::I8)
    return lower_maxpool8_act(g, n);
  switch (n.op) {
    case OpKind::QLinearConv: {
      auto l = ops::lower_QLinearConv(g, n);
      if (!l) return l.error();
      return rewrite_conv_fc(g, n, std::move(*l), 1, 4, 6, false);
    }
    case OpKind::QGemm: {
      auto l = ops::lower_QGemm(g, n);
      if (!l) return l.error();
      if (n.attrs.f("alpha", 1.f) != 1.f) return make_error("{}: alpha must be 1 under TFLite numerics", n.display_name());
      return rewrite_conv_fc(g, n, std::move(*l), 1, 4, 7, true);
    }
    case OpKind::QLinearAdd: return lower_add(g, n);
    case OpKind::QLinearAveragePool: return lower_avgpool(g, n);
    case OpKind::QLinearSoftmax: return lower_softmax(g, n);
    case OpKind::Requantize: return lower_requantize(g, n);
    default: break;
  }
  // Everything else must lower to calls that only move bytes (MaxPool, Reshape, Relayout, ...).
  auto l = lower_node_portable(g, n);
  if (!l) return l.error();
  for (const std::vector<KernelCall>* calls : {&l->calls, &l->inplace_calls})
    for (const KernelCall& c : *calls)
      if (!data_movement(c.kernel))
        return make_error("{}: not supported under TFLite numerics (kernel {} follows ONNX Runtime's arithmetic)",
                          n.display_name(), kernel_name(c.kernel));
  return l;
}
}  // namespace

}  // namespace ferrite
