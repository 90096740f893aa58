// Lowering of the quantized operators to the int8 kernels. Conventions, established by the passes
// that run before lowering (passes/fold_qdq.cpp, normalize_int8.cpp, layout_nhwc.cpp):
//  - every quantized activation is int8 (uint8 tensors were turned into int8 with zero point - 128);
//  - scales and zero points are constants; int8 conv/gemm weights are constants;
//  - rank-4 int8 activations of the conv family are stored NHWC (Tensor::nhwc).
// Lowering turns weights into the kernels' layouts (OHWI, [kh][kw][c], [n][k]) and computes the
// per-channel float requantization scales exactly as ONNX Runtime does (see requant_scale).
#include <cmath>
#include <cstring>

#include "ir/op_traits.h"
#include "ops/op_util.h"

namespace ferrite::ops {

namespace {

struct QParam {
  std::vector<float> scale;
  std::vector<int32_t> zp;
};

// Scale (float) and zero point (int8/int32 constant; absent = 0) from two input slots.
Expected<QParam> qparam(const Graph& g, const Node& n, size_t scale_slot, size_t zp_slot, const char* what) {
  QParam q;
  if (!has_input(n, scale_slot)) return make_error("{}: missing {} scale", n.display_name(), what);
  const Tensor& s = g.t(n.inputs[scale_slot]);
  if (!s.is_constant())
    return make_error("{}: {} scale '{}' must be a compile-time constant", n.display_name(), what, s.name);
  if (s.dtype != DType::F32) return make_error("{}: {} scale '{}' must be float32", n.display_name(), what, s.name);
  q.scale = s.as_f32();
  if (has_input(n, zp_slot)) {
    const Tensor& z = g.t(n.inputs[zp_slot]);
    if (!z.is_constant())
      return make_error("{}: {} zero point '{}' must be a compile-time constant", n.display_name(), what, z.name);
    for (int64_t v : z.as_i64()) q.zp.push_back(static_cast<int32_t>(v));
  } else {
    q.zp.assign(q.scale.size(), 0);
  }
  if (q.scale.empty() || q.zp.size() != q.scale.size())
    return make_error("{}: {} scale and zero point differ in length", n.display_name(), what);
  for (float v : q.scale)
    if (!(v > 0.f) || !std::isfinite(v))
      return make_error("{}: {} scale {} is not a positive finite number", n.display_name(), what, v);
  return q;
}

Status per_tensor(const Node& n, const QParam& q, const char* what) {
  if (q.scale.size() != 1) return make_error("{}: {} must be quantized per tensor", n.display_name(), what);
  return Status::ok();
}

// Per-tensor (scale, zero point) of input X (slots 1, 2) and output Y (slots 3, 4): the signature
// of QLinearSigmoid, QLinear*Pool, Requantize and the internal one-input quantized ops.
Expected<std::pair<QParam, QParam>> unary_qparams(const Graph& g, const Node& n) {
  auto qx = qparam(g, n, 1, 2, "input");
  if (!qx) return qx.error();
  auto qy = qparam(g, n, 3, 4, "output");
  if (!qy) return qy.error();
  FERRITE_TRY(per_tensor(n, *qx, "the input"));
  FERRITE_TRY(per_tensor(n, *qy, "the output"));
  return std::make_pair(std::move(*qx), std::move(*qy));
}

Status require_dtype(const Graph& g, const Node& n, TensorId id, std::initializer_list<DType> ok, const char* what) {
  const Tensor& t = g.t(id);
  for (DType d : ok)
    if (t.dtype == d) return Status::ok();
  return make_error("{}: {} '{}' is {}, expected int8 data here", n.display_name(), what, t.name, dtype_name(t.dtype));
}

Status require_nhwc(const Graph& g, const Node& n, TensorId id) {
  const Tensor& t = g.t(id);
  if (t.shape.size() != 4) return make_error("{}: '{}' must be 4-D (NCHW), got {}", n.display_name(), t.name, shape_str(t.shape));
  if (!t.nhwc) return make_error("{}: internal error: '{}' is not stored NHWC", n.display_name(), t.name);
  return Status::ok();
}

// ONNX Runtime forms a conv/gemm requantization scale as (x_scale * w_scale) / y_scale in float.
float requant_scale(float in_scale, float w_scale, float out_scale) { return in_scale * w_scale / out_scale; }

// Quantizes a real value to the output's int8 grid (QuantizeLinear's rounding), saturating.
int32_t quantize_value(float v, float scale, int32_t zp) {
  if (std::isnan(v)) return -128;  // as QuantizeLinear's clamp maps NaN to the low bound
  const float q = std::nearbyint(v / scale) + static_cast<float>(zp);
  return static_cast<int32_t>(q < -128.f ? -128.f : (q > 127.f ? 127.f : q));
}

// The output clamp range of a fused activation on an int8 output with (scale, zp).
std::pair<int32_t, int32_t> act_range(const FusedAct& a, float scale, int32_t zp, int32_t lo = -128, int32_t hi = 127) {
  if (a.kind == FusedAct::Relu) lo = std::max(lo, zp);
  if (a.kind == FusedAct::Clip) {
    if (std::isfinite(a.lo)) lo = std::max(lo, quantize_value(a.lo, scale, zp));
    if (std::isfinite(a.hi)) hi = std::min(hi, quantize_value(a.hi, scale, zp));
  }
  return {lo, hi};
}

Status require_clamp_act(const Node& n) {
  if (n.act.kind != FusedAct::None && n.act.kind != FusedAct::Relu && n.act.kind != FusedAct::Clip)
    return make_error("{}: only Relu/Clip can be fused into an int8 operator", n.display_name());
  return Status::ok();
}

template <typename T>
Tensor make_const(const std::string& name, DType dt, Shape shape, const std::vector<T>& v) {
  Tensor t;
  t.name = name;
  t.dtype = dt;
  t.shape = std::move(shape);
  t.data = std::vector<uint8_t>(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(t.data->data(), v.data(), t.data->size());
  return t;
}

std::vector<int8_t> as_s8(const Tensor& t) {
  std::vector<int8_t> r(static_cast<size_t>(t.numel()));
  if (t.dtype == DType::I8 || t.dtype == DType::U8) std::memcpy(r.data(), t.data->data(), r.size());
  return r;
}

KernelCall call(KernelId kernel, std::string variant, KernelParams p, std::vector<Operand> args) {
  KernelCall c;
  c.kernel = kernel;
  c.variant = std::move(variant);
  c.params = std::move(p);
  c.args = std::move(args);
  return c;
}

// Physical dims and per-dim element strides of a tensor viewed in the iteration order of an output
// of logical shape `out` stored with layout `out_nhwc`; strides are 0 along broadcast dims.
void physical_view(const Tensor& t, const Shape& out, bool out_nhwc, Shape* dims, Shape* strides) {
  const size_t r = out.size();
  Shape logical_strides(r, 0);
  // Dense strides of t in its own physical layout, per logical dim.
  Shape ts = t.shape;
  Shape own(ts.size(), 0);
  if (t.nhwc && ts.size() == 4) {
    own[1] = 1;
    own[3] = ts[1];
    own[2] = ts[3] * ts[1];
    own[0] = ts[2] * ts[3] * ts[1];
  } else {
    own = dense_strides(ts);
  }
  const size_t off = r - ts.size();
  for (size_t i = 0; i < ts.size(); ++i) logical_strides[off + i] = (ts[i] == 1 && out[off + i] != 1) ? 0 : own[i];
  std::vector<size_t> order(r);
  for (size_t i = 0; i < r; ++i) order[i] = i;
  if (out_nhwc && r == 4) order = {0, 2, 3, 1};
  dims->clear();
  strides->clear();
  for (size_t i : order) {
    dims->push_back(out[i]);
    strides->push_back(logical_strides[i]);
  }
}

}  // namespace

// ---- Quantize / Dequantize / Requantize / boundary ops ----

// QuantizeLinear whose scale and/or zero point are computed at run time (quantize_f32_rt): per
// tensor only, float32 -> int8/uint8. The passes that need constant quantization parameters
// (fold-qdq, quantized-io, patches) leave such a node alone; normalize-int8 keeps its output and a
// run-time zero point in their model type (uint8 stays uint8). A constant zero point of a uint8
// output that normalize-int8 stored as int8 (shared with int8 operators, or made explicit) is
// turned back into its uint8 value here (ONNX gives the zero point the output's type).
static Expected<Lowered> lower_quantize_runtime(const Graph& g, const Node& n) {
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  const Tensor& s = g.t(n.inputs[1]);
  if (s.dtype != DType::F32)
    return make_error("{}: scale '{}' is {}; QuantizeLinear's scale must be float32", n.display_name(), s.name,
                      dtype_name(s.dtype));
  if (s.numel() != 1)
    return make_error("{}: scale '{}' (shape {}) is computed at run time; a run-time scale must be one value "
                      "(per-tensor quantization): per-axis quantization needs constant scales",
                      n.display_name(), s.name, shape_str(s.shape));
  if (x.dtype != DType::F32)
    return make_error("{}: input '{}' is {}; run-time quantization takes float32", n.display_name(), x.name,
                      dtype_name(x.dtype));
  if (y.dtype != DType::I8 && y.dtype != DType::U8)
    return make_error("{}: output '{}' is {}; run-time quantization produces int8 or uint8 only", n.display_name(),
                      y.name, dtype_name(y.dtype));
  if (x.nhwc || y.nhwc)
    return make_error("{}: run-time quantization of channels-last (NHWC) data is not supported", n.display_name());
  Operand zp_arg = Operand::constant(make_const("", y.dtype, {1}, std::vector<uint8_t>{0}));
  if (has_input(n, 2)) {
    const Tensor& z = g.t(n.inputs[2]);
    if (z.numel() != 1)
      return make_error("{}: zero point '{}' has {} values; run-time quantization is per tensor", n.display_name(),
                        z.name, z.numel());
    if (z.is_constant()) {
      if (z.dtype != DType::I8 && z.dtype != DType::U8)
        return make_error("{}: zero point '{}' is {}; expected int8 or uint8", n.display_name(), z.name,
                          dtype_name(z.dtype));
      int64_t v = z.as_i64()[0];
      if (z.dtype == DType::I8 && y.dtype == DType::U8) v += 128;  // stored as int8 by normalize-int8
      if (z.dtype == DType::U8 && y.dtype == DType::I8)
        return make_error("{}: zero point '{}' is uint8 but output '{}' is int8", n.display_name(), z.name, y.name);
      zp_arg = Operand::constant(make_const("", y.dtype, {1}, std::vector<uint8_t>{static_cast<uint8_t>(v & 0xFF)}));
    } else {
      if (z.dtype != y.dtype)
        return make_error("{}: zero point '{}' is {} but output '{}' is {}; they must have the same type",
                          n.display_name(), z.name, dtype_name(z.dtype), y.name, dtype_name(y.dtype));
      zp_arg = Operand::tensor(n.inputs[2]);
    }
  }
  ferrite_rt::QuantizeParams p{};
  p.outer = 1;
  p.channels = 1;
  p.inner = i32(y.numel());
  p.per_channel = 0;
  p.relayout = 0;
  p.qmin = y.dtype == DType::I8 ? -128 : 0;
  p.qmax = y.dtype == DType::I8 ? 127 : 255;
  Operand scale_arg = s.is_constant() ? Operand::constant(make_const("", DType::F32, {1}, s.as_f32()))
                                      : Operand::tensor(n.inputs[1]);
  Lowered l;  // in place by the op traits (QuantizeInt8)
  l.calls.push_back(call(KernelId::quantize_f32_rt, y.dtype == DType::I8 ? "quantize_runtime_s8" : "quantize_runtime_u8",
                         p, {Operand::tensor(n.inputs[0]), std::move(scale_arg), std::move(zp_arg),
                             Operand::tensor(n.outputs[0])}));
  return l;
}

static Expected<Lowered> lower_qdq(const Graph& g, const Node& n, bool quantize) {
  if (quantize && has_input(n, 1) && quantize_params_at_run_time(g, n)) return lower_quantize_runtime(g, n);
  auto q = qparam(g, n, 1, 2, quantize ? "output" : "input");
  if (!q) return q.error();
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  const Tensor& qt = quantize ? y : x;
  const Tensor& ft = quantize ? x : y;
  if (ft.dtype != DType::F32) return make_error("{}: '{}' must be float32", n.display_name(), ft.name);
  FERRITE_TRY(require_dtype(g, n, quantize ? n.outputs[0] : n.inputs[0], {DType::I8, DType::I32}, quantize ? "output" : "input"));
  ferrite_rt::QuantizeParams p{};
  const Shape& s = qt.shape;
  const bool per_channel = q->scale.size() > 1;
  int64_t axis = n.attrs.i("axis", 1);
  if (per_channel) {
    auto a = norm_axis(axis, s.size(), n);
    if (!a) return a.error();
    axis = *a;
    if (s[static_cast<size_t>(axis)] != static_cast<int64_t>(q->scale.size()))
      return make_error("{}: {} scales for axis {} of size {}", n.display_name(), q->scale.size(), axis, s[static_cast<size_t>(axis)]);
  }
  if (ft.nhwc && !qt.nhwc) return make_error("{}: internal error: NHWC float with an NCHW int8 side", n.display_name());
  p.relayout = qt.nhwc && !ft.nhwc ? 1 : 0;
  if (p.relayout && per_channel && axis != 1)
    return make_error("{}: per-axis quantization along axis {} of an NHWC tensor", n.display_name(), axis);
  if (qt.nhwc && ft.nhwc && per_channel) return make_error("{}: per-axis quantization of NHWC data", n.display_name());
  const auto ax = static_cast<size_t>(p.relayout ? 1 : (per_channel ? axis : 0));
  if (p.relayout || per_channel) {
    p.outer = i32(prod(s, 0, ax));
    p.channels = i32(s[ax]);
    p.inner = i32(prod(s, ax + 1, s.size()));
  } else {
    p.outer = 1;
    p.channels = 1;
    p.inner = i32(shape_numel(s));
  }
  p.per_channel = per_channel ? 1 : 0;
  p.qmin = qt.dtype == DType::I32 ? INT32_MIN : -128;
  p.qmax = qt.dtype == DType::I32 ? INT32_MAX : 127;
  if (qt.dtype == DType::I32) return make_error("{}: int32 quantization is not supported", n.display_name());
  Lowered l;  // in place by the op traits (QuantizeInt8: quantize_f32's rule)
  const std::string base = quantize ? "quantize" : "dequantize";
  l.calls.push_back(call(quantize ? KernelId::quantize_f32 : KernelId::dequantize_f32,
                         fmt::format("{}_{}{}", base, per_channel ? "per_axis" : "per_tensor", p.relayout ? "_nchw_nhwc" : ""),
                         p,
                         {Operand::tensor(n.inputs[0]), Operand::constant(make_const("", DType::F32, {static_cast<int64_t>(q->scale.size())}, q->scale)),
                          Operand::constant(make_const("", DType::I32, {static_cast<int64_t>(q->zp.size())}, q->zp)),
                          Operand::tensor(n.outputs[0])}));
  return l;
}

Expected<Lowered> lower_QuantizeLinear(const Graph& g, const Node& n) { return lower_qdq(g, n, true); }
Expected<Lowered> lower_DequantizeLinear(const Graph& g, const Node& n) { return lower_qdq(g, n, false); }

Expected<Lowered> lower_Requantize(const Graph& g, const Node& n) {
  FERRITE_TRY(require_dtype(g, n, n.inputs[0], {DType::I8}, "input"));
  auto q = unary_qparams(g, n);
  if (!q) return q.error();
  const QParam* qx = &q->first;
  const QParam* qy = &q->second;
  ferrite_rt::RequantizeParams p{};
  p.total = i32(g.t(n.inputs[0]).numel());
  p.in_zp = qx->zp[0];
  p.out_zp = qy->zp[0];
  p.in_scale = qx->scale[0];
  p.out_scale = qy->scale[0];
  auto [lo, hi] = act_range(n.act, p.out_scale, p.out_zp);
  p.qmin = lo;
  p.qmax = hi;
  Lowered l;
  l.calls.push_back(call(KernelId::requantize_s8, "requantize_s8", p,
                         {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])}));
  return l;
}

Expected<Lowered> lower_FlipSign(const Graph& g, const Node& n) {
  Lowered l;
  ferrite_rt::FlipSignParams p{};
  p.total = i32(g.t(n.inputs[0]).numel());
  l.calls.push_back(call(KernelId::flip_sign_bytes, "flip_sign_bytes", p,
                         {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])}));
  return l;
}

// Built from three lowered convolutions by passes/bottleneck.cpp, never lowered from a node.
Expected<Lowered> lower_InvertedBottleneck(const Graph&, const Node& n) {
  return make_error("{}: internal error: InvertedBottleneck is made after lowering", n.display_name());
}

Expected<Lowered> lower_Relayout(const Graph& g, const Node& n) {
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  const Shape& s = x.shape;
  Lowered l;
  if (s.size() != 4 || x.nhwc == y.nhwc || (s[2] == 1 && s[3] == 1) || s[1] == 1) {
    l.alias = true;  // the same bytes in either layout
    return l;
  }
  ferrite_rt::StridedCopyParams p{};
  p.rank = 4;
  // Output dims in the output's physical order; strides into the input's physical layout.
  const int64_t N = s[0], C = s[1], H = s[2], W = s[3];
  if (y.nhwc) {  // NCHW -> NHWC: out [N][H][W][C]
    const int64_t d[4] = {N, H, W, C}, st[4] = {C * H * W, W, 1, H * W};
    for (int i = 0; i < 4; ++i) { p.out_shape[i] = i32(d[i]); p.in_stride[i] = i32(st[i]); }
  } else {  // NHWC -> NCHW: out [N][C][H][W]
    const int64_t d[4] = {N, C, H, W}, st[4] = {H * W * C, 1, W * C, C};
    for (int i = 0; i < 4; ++i) { p.out_shape[i] = i32(d[i]); p.in_stride[i] = i32(st[i]); }
  }
  p.in_offset = 0;
  p.total = i32(shape_numel(s));
  p.elem_size = static_cast<int32_t>(dtype_size(x.dtype));
  l.calls.push_back(call(KernelId::strided_copy, y.nhwc ? "relayout_nchw_to_nhwc" : "relayout_nhwc_to_nchw",
                         p, {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])}));
  return l;
}

// ---- Convolution ----

static Expected<Lowered> lower_conv_s8(const Graph& g, const Node& n, size_t x_slot, size_t w_slot, const QParam& qx,
                                       const QParam& qw, const QParam* qy, TensorId bias, bool out_int32) {
  const Tensor& x = g.t(n.inputs[x_slot]);
  const Tensor& w = g.t(n.inputs[w_slot]);
  const Tensor& y = g.t(n.outputs[0]);
  FERRITE_TRY(require_dtype(g, n, n.inputs[x_slot], {DType::I8}, "input"));
  FERRITE_TRY(require_nhwc(g, n, n.inputs[x_slot]));
  FERRITE_TRY(require_nhwc(g, n, n.outputs[0]));
  if (!w.is_constant() || (w.dtype != DType::I8 && w.dtype != DType::U8))
    return make_error("{}: weights '{}' must be a constant int8 tensor", n.display_name(), w.name);
  if (w.shape.size() != 4) return make_error("{}: only 2-D int8 convolution is supported", n.display_name());
  FERRITE_TRY(per_tensor(n, qx, "the input"));
  if (qw.zp.size() > 1)
    for (int32_t z : qw.zp)
      if (z != qw.zp[0]) return make_error("{}: per-channel weight zero points must all be equal", n.display_name());
  const Shape& xs = x.shape;
  const Shape& ws = w.shape;
  const Shape& ys = y.shape;
  std::vector<int64_t> strides = n.attrs.ints("strides", {1, 1}), dil = n.attrs.ints("dilations", {1, 1});
  std::vector<int64_t> pads = n.attrs.ints("pads", {0, 0, 0, 0});
  const std::string auto_pad = n.attrs.s("auto_pad", "NOTSET");
  ferrite_rt::ConvS8Params p{};
  p.n = i32(xs[0]); p.c_in = i32(xs[1]); p.h_in = i32(xs[2]); p.w_in = i32(xs[3]);
  p.c_out = i32(ys[1]); p.h_out = i32(ys[2]); p.w_out = i32(ys[3]);
  p.kh = i32(ws[2]); p.kw = i32(ws[3]);
  p.stride_h = i32(strides[0]); p.stride_w = i32(strides[1]);
  p.dil_h = i32(dil[0]); p.dil_w = i32(dil[1]);
  p.pad_top = i32(resolve_pad_begin(auto_pad, xs[2], ys[2], ws[2], strides[0], dil[0], pads[0]));
  p.pad_left = i32(resolve_pad_begin(auto_pad, xs[3], ys[3], ws[3], strides[1], dil[1], pads[1]));
  p.group = i32(n.attrs.i("group", 1));
  p.in_zp = qx.zp[0];
  p.w_zp = qw.zp[0];
  p.out_int32 = out_int32 ? 1 : 0;
  if (p.group <= 0 || p.c_in % p.group || p.c_out % p.group || ws[1] * p.group != xs[1])
    return make_error("{}: group {} does not divide the channels", n.display_name(), p.group);
  std::vector<float> scale(static_cast<size_t>(p.c_out), 1.f);
  if (qy) {
    FERRITE_TRY(per_tensor(n, *qy, "the output"));
    if (qw.scale.size() != 1 && qw.scale.size() != static_cast<size_t>(p.c_out))
      return make_error("{}: {} weight scales for {} output channels", n.display_name(), qw.scale.size(), p.c_out);
    for (size_t c = 0; c < scale.size(); ++c)
      scale[c] = requant_scale(qx.scale[0], qw.scale.size() == 1 ? qw.scale[0] : qw.scale[c], qy->scale[0]);
    p.out_zp = qy->zp[0];
    auto [lo, hi] = act_range(n.act, qy->scale[0], qy->zp[0]);
    p.act_min = lo;
    p.act_max = hi;
  } else {
    p.out_zp = 0;
    p.act_min = INT32_MIN;
    p.act_max = INT32_MAX;
  }
  FERRITE_TRY(require_clamp_act(n));
  // Weights: OIHW -> OHWI (general) or [kh][kw][c] (depthwise).
  const std::vector<int8_t> wo = as_s8(w);
  const int64_t O = ws[0], I = ws[1], KH = ws[2], KW = ws[3];
  const bool depthwise = p.group == p.c_in && p.c_in == p.c_out && I == 1;
  std::vector<int8_t> wr(wo.size());
  for (int64_t o = 0; o < O; ++o)
    for (int64_t i = 0; i < I; ++i)
      for (int64_t kh = 0; kh < KH; ++kh)
        for (int64_t kw = 0; kw < KW; ++kw) {
          const int8_t v = wo[static_cast<size_t>(((o * I + i) * KH + kh) * KW + kw)];
          const int64_t dst = depthwise ? (kh * KW + kw) * O + o : ((o * KH + kh) * KW + kw) * I + i;
          wr[static_cast<size_t>(dst)] = v;
        }
  Lowered l;
  l.macs = static_cast<uint64_t>(p.n) * p.c_out * p.h_out * p.w_out * (p.c_in / p.group) * p.kh * p.kw;
  const bool pointwise = !depthwise && p.kh == 1 && p.kw == 1 && p.stride_h == 1 && p.stride_w == 1 && p.pad_top == 0 &&
                         p.pad_left == 0 && p.group == 1 && p.h_out == p.h_in && p.w_out == p.w_in;
  std::vector<Operand> args = {Operand::tensor(n.inputs[x_slot]),
                               Operand::constant(make_const(w.name + "_s8", DType::I8, ws, wr)),
                               bias == kNoTensor ? Operand::null() : Operand::tensor(bias),
                               Operand::constant(make_const(y.name + "_requant_scale", DType::F32, {p.c_out}, scale)),
                               Operand::tensor(n.outputs[0])};
  const std::string spec = fmt::format("k{}x{}_s{}", p.kh, p.kw, p.stride_h);
  if (depthwise) {
    l.calls.push_back(call(KernelId::dwconv_s8_nhwc, "dwconv_s8_" + spec, p, args));
    if (in_place_input(g, n) >= 0) {  // the op traits' Depthwise rule (QLinearConv; ConvInteger: never)
      // In place through a one-channel temporary: buffer (= output storage), weights, bias, scale, temp.
      l.inplace_calls.push_back(call(KernelId::dwconv_s8_nhwc_inplace, "dwconv_s8_" + spec + "_inplace", p,
                                     {Operand::tensor(n.outputs[0]), args[1], args[2], args[3], Operand::scratch()}));
      l.inplace_scratch_bytes = static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in);
    }
  } else if (pointwise) {
    l.calls.push_back(call(KernelId::conv1x1_s8_nhwc, "conv_s8_k1x1", p, args));
  } else {
    args.push_back(Operand::scratch());
    l.scratch_bytes = ferrite_rt::conv_s8_scratch_bytes(p);
    l.calls.push_back(call(KernelId::conv_s8_nhwc, "conv_s8_" + spec, p, args));
  }
  return l;
}

Expected<Lowered> lower_QLinearConv(const Graph& g, const Node& n) {
  auto qx = qparam(g, n, 1, 2, "input");
  if (!qx) return qx.error();
  auto qw = qparam(g, n, 4, 5, "weight");
  if (!qw) return qw.error();
  auto qy = qparam(g, n, 6, 7, "output");
  if (!qy) return qy.error();
  TensorId bias = has_input(n, 8) ? n.inputs[8] : kNoTensor;
  if (bias != kNoTensor && (g.t(bias).dtype != DType::I32 || !g.t(bias).is_constant()))
    return make_error("{}: bias '{}' must be a constant int32 tensor", n.display_name(), g.t(bias).name);
  FERRITE_TRY(require_dtype(g, n, n.outputs[0], {DType::I8}, "output"));
  return lower_conv_s8(g, n, 0, 3, *qx, *qw, &*qy, bias, false);
}

Expected<Lowered> lower_ConvInteger(const Graph& g, const Node& n) {
  QParam qx{{1.f}, {0}}, qw{{1.f}, {0}};
  for (size_t k : {size_t{2}, size_t{3}})
    if (has_input(n, k) && (!g.t(n.inputs[k]).is_constant() || g.t(n.inputs[k]).numel() < 1))
      return make_error("{}: zero point '{}' must be a compile-time constant with at least one value", n.display_name(),
                        g.t(n.inputs[k]).name);
  if (has_input(n, 2)) qx.zp = {static_cast<int32_t>(g.t(n.inputs[2]).as_i64().at(0))};
  if (has_input(n, 3)) {
    qw.zp.clear();
    for (int64_t v : g.t(n.inputs[3]).as_i64()) qw.zp.push_back(static_cast<int32_t>(v));
    qw.scale.assign(qw.zp.size(), 1.f);
  }
  FERRITE_TRY(require_dtype(g, n, n.outputs[0], {DType::I32}, "output"));
  return lower_conv_s8(g, n, 0, 1, qx, qw, nullptr, kNoTensor, true);
}

// ---- Matrix products ----

// a [.., m, k] x b: constant b -> fc_s8 with weights [n][k]; run-time b -> matmul_s8.
static Expected<Lowered> lower_matmul_s8(const Graph& g, const Node& n, size_t a_slot, size_t b_slot, const QParam& qa,
                                         const QParam& qb, const QParam* qy, TensorId bias, bool trans_b, float alpha) {
  const Tensor& a = g.t(n.inputs[a_slot]);
  const Tensor& b = g.t(n.inputs[b_slot]);
  const Tensor& y = g.t(n.outputs[0]);
  FERRITE_TRY(require_dtype(g, n, n.inputs[a_slot], {DType::I8}, "A"));
  if (a.nhwc || y.nhwc) return make_error("{}: internal error: matrix operands must not be NHWC", n.display_name());
  FERRITE_TRY(per_tensor(n, qa, "A"));
  if (qb.zp.size() > 1)
    for (int32_t z : qb.zp)
      if (z != qb.zp[0]) return make_error("{}: per-column zero points of B must all be equal", n.display_name());
  Shape as = a.shape, bs = b.shape;
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t k = as.back(), m = as[as.size() - 2];
  const int64_t nn = trans_b ? bs[bs.size() - 2] : bs.back();
  const int64_t bk = trans_b ? bs.back() : bs[bs.size() - 2];
  if (bk != k) return make_error("{}: inner dims differ ({} vs {})", n.display_name(), k, bk);
  std::vector<float> scale(static_cast<size_t>(nn), 1.f);
  int32_t out_zp = 0, lo = INT32_MIN, hi = INT32_MAX;
  const bool per_col = qb.scale.size() > 1;
  if (per_col && qb.scale.size() != static_cast<size_t>(nn))
    return make_error("{}: {} scales for B with {} columns", n.display_name(), qb.scale.size(), nn);
  if (qy) {
    FERRITE_TRY(per_tensor(n, *qy, "the output"));
    for (size_t j = 0; j < scale.size(); ++j)
      scale[j] = requant_scale(alpha * qa.scale[0], per_col ? qb.scale[j] : qb.scale[0], qy->scale[0]);
    out_zp = qy->zp[0];
    FERRITE_TRY(require_clamp_act(n));
    std::tie(lo, hi) = act_range(n.act, qy->scale[0], qy->zp[0]);
  }
  Lowered l;
  Operand scale_op = Operand::constant(make_const(y.name + "_requant_scale", DType::F32, {nn}, scale));
  if (b.is_constant() && bs.size() == 2) {
    FERRITE_TRY(require_dtype(g, n, n.inputs[b_slot], {DType::I8, DType::U8}, "B"));
    const std::vector<int8_t> bv = as_s8(b);
    std::vector<int8_t> wt(bv.size());
    for (int64_t r = 0; r < k; ++r)
      for (int64_t c = 0; c < nn; ++c)
        wt[static_cast<size_t>(c * k + r)] = trans_b ? bv[static_cast<size_t>(c * k + r)] : bv[static_cast<size_t>(r * nn + c)];
    ferrite_rt::FcS8Params p{};
    p.rows = i32(shape_numel(as) / k);
    p.in_features = i32(k);
    p.out_features = i32(nn);
    p.in_zp = qa.zp[0];
    p.w_zp = qb.zp[0];
    p.out_zp = out_zp;
    p.act_min = lo;
    p.act_max = hi;
    p.per_channel = 1;
    p.out_int32 = qy ? 0 : 1;
    l.macs = static_cast<uint64_t>(p.rows) * p.in_features * p.out_features;
    l.calls.push_back(call(KernelId::fc_s8, "fc_s8", p,
                           {Operand::tensor(n.inputs[a_slot]), Operand::constant(make_const(b.name + "_s8t", DType::I8, {nn, k}, wt)),
                            bias == kNoTensor ? Operand::null() : Operand::tensor(bias), scale_op,
                            Operand::tensor(n.outputs[0])}));
    return l;
  }
  if (trans_b || bias != kNoTensor) return make_error("{}: a run-time B with transB or a bias is not supported", n.display_name());
  FERRITE_TRY(require_dtype(g, n, n.inputs[b_slot], {DType::I8}, "B"));
  Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  const size_t br = std::max(ab.size(), bb.size());
  if (br > 4) return make_error("{}: more than 4 batch dims", n.display_name());
  Shape batch(br, 1);
  for (size_t i = 0; i < br; ++i) {
    const int64_t da = i + ab.size() >= br ? ab[i + ab.size() - br] : 1;
    const int64_t db = i + bb.size() >= br ? bb[i + bb.size() - br] : 1;
    batch[i] = std::max(da, db);
  }
  ferrite_rt::MatMulS8Params p{};
  p.batch_rank = static_cast<int32_t>(br);
  Shape sa = broadcast_strides(ab, batch), sb = broadcast_strides(bb, batch);
  for (size_t i = 0; i < br; ++i) {
    p.batch_shape[i] = i32(batch[i]);
    p.a_bstride[i] = i32(sa[i] * m * k);
    p.b_bstride[i] = i32(sb[i] * k * nn);
  }
  p.m = i32(m); p.n = i32(nn); p.k = i32(k);
  p.a_zp = qa.zp[0];
  p.b_zp = qb.zp[0];
  p.out_zp = out_zp;
  p.act_min = lo;
  p.act_max = hi;
  p.per_channel = 1;
  p.out_int32 = qy ? 0 : 1;
  l.macs = static_cast<uint64_t>(shape_numel(batch)) * m * nn * k;
  l.calls.push_back(call(KernelId::matmul_s8, "matmul_s8", p,
                         {Operand::tensor(n.inputs[a_slot]), Operand::tensor(n.inputs[b_slot]), scale_op,
                          Operand::tensor(n.outputs[0])}));
  return l;
}

Expected<Lowered> lower_QLinearMatMul(const Graph& g, const Node& n) {
  auto qa = qparam(g, n, 1, 2, "A");
  if (!qa) return qa.error();
  auto qb = qparam(g, n, 4, 5, "B");
  if (!qb) return qb.error();
  auto qy = qparam(g, n, 6, 7, "output");
  if (!qy) return qy.error();
  FERRITE_TRY(require_dtype(g, n, n.outputs[0], {DType::I8}, "output"));
  return lower_matmul_s8(g, n, 0, 3, *qa, *qb, &*qy, kNoTensor, false, 1.f);
}

Expected<Lowered> lower_MatMulInteger(const Graph& g, const Node& n) {
  QParam qa{{1.f}, {0}}, qb{{1.f}, {0}};
  for (size_t k : {size_t{2}, size_t{3}})
    if (has_input(n, k) && (!g.t(n.inputs[k]).is_constant() || g.t(n.inputs[k]).numel() < 1))
      return make_error("{}: zero point '{}' must be a compile-time constant with at least one value", n.display_name(),
                        g.t(n.inputs[k]).name);
  if (has_input(n, 2)) qa.zp = {static_cast<int32_t>(g.t(n.inputs[2]).as_i64().at(0))};
  if (has_input(n, 3)) {
    qb.zp.clear();
    for (int64_t v : g.t(n.inputs[3]).as_i64()) qb.zp.push_back(static_cast<int32_t>(v));
    qb.scale.assign(qb.zp.size(), 1.f);
  }
  FERRITE_TRY(require_dtype(g, n, n.outputs[0], {DType::I32}, "output"));
  return lower_matmul_s8(g, n, 0, 1, qa, qb, nullptr, kNoTensor, false, 1.f);
}

Expected<Lowered> lower_QGemm(const Graph& g, const Node& n) {
  if (n.attrs.i("transA", 0) != 0) return make_error("{}: transA is not supported", n.display_name());
  auto qa = qparam(g, n, 1, 2, "A");
  if (!qa) return qa.error();
  auto qb = qparam(g, n, 4, 5, "B");
  if (!qb) return qb.error();
  if (!has_input(n, 7)) return make_error("{}: a float output (no y_scale) is not supported", n.display_name());
  auto qy = qparam(g, n, 7, 8, "output");
  if (!qy) return qy.error();
  TensorId bias = has_input(n, 6) ? n.inputs[6] : kNoTensor;
  if (bias != kNoTensor && (g.t(bias).dtype != DType::I32 || !g.t(bias).is_constant()))
    return make_error("{}: C '{}' must be a constant int32 tensor", n.display_name(), g.t(bias).name);
  if (!g.t(n.inputs[3]).is_constant()) return make_error("{}: B must be a constant", n.display_name());
  return lower_matmul_s8(g, n, 0, 3, *qa, *qb, &*qy, bias, n.attrs.i("transB", 0) != 0, n.attrs.f("alpha", 1.f));
}

// ---- Elementwise ----

static Expected<Lowered> lower_qbinary(const Graph& g, const Node& n, ferrite_rt::BinOpS8 op) {
  auto qa = qparam(g, n, 1, 2, "A");
  if (!qa) return qa.error();
  auto qb = qparam(g, n, 4, 5, "B");
  if (!qb) return qb.error();
  auto qy = qparam(g, n, 6, 7, "output");
  if (!qy) return qy.error();
  FERRITE_TRY(per_tensor(n, *qa, "A"));
  FERRITE_TRY(per_tensor(n, *qb, "B"));
  FERRITE_TRY(per_tensor(n, *qy, "the output"));
  // int16 operands only in TFLite's 16x8 models, whose lowering (ops/tflite_numerics.cpp) replaces
  // the binary_s8 call by its int16 kernel and keeps the operand views computed here.
  const DType dt = g.numerics == Numerics::TFLite && g.t(n.inputs[0]).dtype == DType::I16 ? DType::I16 : DType::I8;
  FERRITE_TRY(require_dtype(g, n, n.inputs[0], {dt}, "A"));
  FERRITE_TRY(require_dtype(g, n, n.inputs[3], {dt}, "B"));
  FERRITE_TRY(require_clamp_act(n));
  const Tensor& a = g.t(n.inputs[0]);
  const Tensor& b = g.t(n.inputs[3]);
  const Tensor& y = g.t(n.outputs[0]);
  if (y.shape.size() > 6) return make_error("{}: rank above 6", n.display_name());
  FERRITE_TRY(require_broadcast(g, n, n.inputs[0], y.shape));
  FERRITE_TRY(require_broadcast(g, n, n.inputs[3], y.shape));
  Shape ys = y.shape.empty() ? Shape{1} : y.shape;
  Shape dims, sa, sb;
  physical_view(a, ys, y.nhwc, &dims, &sa);
  physical_view(b, ys, y.nhwc, &dims, &sb);
  ferrite_rt::BinaryS8Params p{};
  p.op = op;
  p.rank = static_cast<int32_t>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    p.out_shape[i] = i32(dims[i]);
    p.a_stride[i] = i32(sa[i]);
    p.b_stride[i] = i32(sb[i]);
  }
  p.total = i32(shape_numel(y.shape));
  p.same_shape = (a.shape == y.shape && b.shape == y.shape && a.nhwc == y.nhwc && b.nhwc == y.nhwc) ? 1 : 0;
  p.a_zp = qa->zp[0];
  p.b_zp = qb->zp[0];
  p.y_zp = qy->zp[0];
  p.a_scale = qa->scale[0];
  p.b_scale = qb->scale[0];
  p.y_scale = qy->scale[0];
  std::tie(p.act_min, p.act_max) = act_range(n.act, qy->scale[0], qy->zp[0]);
  Lowered l;  // in place over an operand of the output's shape and layout (op traits: SameShape)
  l.calls.push_back(call(KernelId::binary_s8, op == ferrite_rt::BinOpS8::Add ? "qadd_s8" : "qmul_s8", p,
                         {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[3]), Operand::tensor(n.outputs[0])}));
  return l;
}

Expected<Lowered> lower_QLinearAdd(const Graph& g, const Node& n) { return lower_qbinary(g, n, ferrite_rt::BinOpS8::Add); }
Expected<Lowered> lower_QLinearMul(const Graph& g, const Node& n) { return lower_qbinary(g, n, ferrite_rt::BinOpS8::Mul); }

// The int8 -> int8 table of a function f: dequantize, f in float, quantize (round half to even).
static std::vector<int8_t> build_table(float (*f)(float, const FusedAct&), const FusedAct& a, const QParam& qx,
                                       const QParam& qy) {
  std::vector<int8_t> t(256);
  for (int q = -128; q < 128; ++q) {
    const float x = static_cast<float>(q - qx.zp[0]) * qx.scale[0];
    t[static_cast<size_t>(q + 128)] = static_cast<int8_t>(quantize_value(f(x, a), qy.scale[0], qy.zp[0]));
  }
  return t;
}

static float apply_fused(float x, const FusedAct& a) {
  ferrite_rt::ActParams p{};
  p.kind = static_cast<ferrite_rt::Act>(a.kind);
  p.alpha = a.alpha;
  p.beta = a.beta;
  p.lo = a.lo;
  p.hi = a.hi;
  return ferrite_rt::apply_act(p, x);
}

static Expected<Lowered> lower_lut(const Graph& g, const Node& n, const FusedAct& fn) {
  auto q = unary_qparams(g, n);
  if (!q) return q.error();
  const QParam* qx = &q->first;
  const QParam* qy = &q->second;
  FERRITE_TRY(require_dtype(g, n, n.inputs[0], {DType::I8}, "input"));
  std::vector<int8_t> table = build_table(apply_fused, fn, *qx, *qy);
  if (n.act.kind != FusedAct::None) {  // a clamp fused on top
    auto [lo, hi] = act_range(n.act, qy->scale[0], qy->zp[0]);
    for (auto& v : table) v = static_cast<int8_t>(std::min<int32_t>(hi, std::max<int32_t>(lo, v)));
  }
  ferrite_rt::LutParams p{};
  p.total = i32(g.t(n.inputs[0]).numel());
  Lowered l;
  l.calls.push_back(call(KernelId::lut_s8, fmt::format("lut_s8_{}", op_info(n.op).onnx_type), p,
                         {Operand::tensor(n.inputs[0]), Operand::constant(make_const(g.t(n.outputs[0]).name + "_lut", DType::I8, {256}, table)),
                          Operand::tensor(n.outputs[0])}));
  return l;
}

Expected<Lowered> lower_QLinearSigmoid(const Graph& g, const Node& n) {
  FusedAct a;
  a.kind = FusedAct::Sigmoid;
  return lower_lut(g, n, a);
}
Expected<Lowered> lower_QLinearLeakyRelu(const Graph& g, const Node& n) {
  FusedAct a;
  a.kind = FusedAct::LeakyRelu;
  a.alpha = n.attrs.f("alpha", 0.01f);
  return lower_lut(g, n, a);
}
Expected<Lowered> lower_QLinearActivation(const Graph& g, const Node& n) {
  FusedAct a;
  const std::string f = n.attrs.s("function", "");
  static const std::pair<const char*, FusedAct::Kind> kinds[] = {
      {"Relu", FusedAct::Relu}, {"Clip", FusedAct::Clip}, {"LeakyRelu", FusedAct::LeakyRelu},
      {"HardSigmoid", FusedAct::HardSigmoid}, {"HardSwish", FusedAct::HardSwish}, {"Sigmoid", FusedAct::Sigmoid},
      {"Tanh", FusedAct::Tanh}};
  bool found = false;
  for (const auto& [name, k] : kinds)
    if (f == name) { a.kind = k; found = true; }
  if (!found) return make_error("{}: unknown function '{}'", n.display_name(), f);
  a.alpha = n.attrs.f("alpha", 0.f);
  a.beta = n.attrs.f("beta", 0.f);
  a.lo = n.attrs.f("min", -INFINITY);
  a.hi = n.attrs.f("max", INFINITY);
  return lower_lut(g, n, a);
}

Expected<Lowered> lower_QLinearSoftmax(const Graph& g, const Node& n) {
  auto q = unary_qparams(g, n);
  if (!q) return q.error();
  const QParam* qx = &q->first;
  const QParam* qy = &q->second;
  const Tensor& x = g.t(n.inputs[0]);
  if (x.nhwc) return make_error("{}: internal error: softmax input is NHWC", n.display_name());
  Shape xs = x.shape.empty() ? Shape{1} : x.shape;
  auto axis = norm_axis(n.attrs.i("axis", -1), xs.size(), n);
  if (!axis) return axis.error();
  const auto a = static_cast<size_t>(*axis);
  ferrite_rt::SoftmaxS8Params p{};
  p.outer = i32(prod(xs, 0, a));
  p.axis_len = i32(xs[a]);
  p.inner = i32(prod(xs, a + 1, xs.size()));
  p.in_zp = qx->zp[0];
  p.out_zp = qy->zp[0];
  p.in_scale = qx->scale[0];
  p.out_scale = qy->scale[0];
  p.qmin = -128;
  p.qmax = 127;
  Lowered l;
  l.calls.push_back(call(KernelId::softmax_s8, "softmax_s8", p,
                         {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])}));
  return l;
}

// ---- Pooling and concatenation ----

Expected<Lowered> lower_QLinearGlobalAveragePool(const Graph& g, const Node& n) {
  if (n.attrs.i("channels_last", 0) != 0) return make_error("{}: channels_last=1 is not supported", n.display_name());
  auto q = unary_qparams(g, n);
  if (!q) return q.error();
  const QParam* qx = &q->first;
  const QParam* qy = &q->second;
  FERRITE_TRY(require_dtype(g, n, n.inputs[0], {DType::I8}, "input"));
  FERRITE_TRY(require_nhwc(g, n, n.inputs[0]));
  FERRITE_TRY(require_clamp_act(n));
  const Shape& xs = g.t(n.inputs[0]).shape;
  ferrite_rt::GlobalPoolS8Params p{};
  p.n = i32(xs[0]);
  p.c = i32(xs[1]);
  p.spatial = i32(xs[2] * xs[3]);
  p.in_zp = qx->zp[0];
  p.out_zp = qy->zp[0];
  p.in_scale = qx->scale[0];
  p.out_scale = qy->scale[0];
  std::tie(p.act_min, p.act_max) = act_range(n.act, qy->scale[0], qy->zp[0]);
  Lowered l;
  l.calls.push_back(call(KernelId::global_avgpool_s8_nhwc, "global_avgpool_s8", p,
                         {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])}));
  return l;
}

static Expected<Lowered> lower_pool_s8(const Graph& g, const Node& n, bool is_max, const QParam& qx, const QParam& qy) {
  FERRITE_TRY(require_dtype(g, n, n.inputs[0], {DType::I8}, "input"));
  FERRITE_TRY(require_nhwc(g, n, n.inputs[0]));
  FERRITE_TRY(require_nhwc(g, n, n.outputs[0]));
  FERRITE_TRY(require_clamp_act(n));
  if (n.outputs.size() > 1) return make_error("{}: the Indices output is not supported", n.display_name());
  const Shape& x = g.t(n.inputs[0]).shape;
  const Shape& y = g.t(n.outputs[0]).shape;
  std::vector<int64_t> k = n.attrs.ints("kernel_shape"), s = n.attrs.ints("strides", {1, 1}),
                       d = n.attrs.ints("dilations", {1, 1}), pads = n.attrs.ints("pads", {0, 0, 0, 0});
  if (k.size() != 2) return make_error("{}: only 2-D int8 pooling is supported", n.display_name());
  const std::string auto_pad = n.attrs.s("auto_pad", "NOTSET");
  ferrite_rt::PoolS8Params p{};
  p.n = i32(x[0]); p.c = i32(x[1]); p.h_in = i32(x[2]); p.w_in = i32(x[3]);
  p.h_out = i32(y[2]); p.w_out = i32(y[3]);
  p.kh = i32(k[0]); p.kw = i32(k[1]);
  p.stride_h = i32(s[0]); p.stride_w = i32(s[1]);
  p.dil_h = i32(d[0]); p.dil_w = i32(d[1]);
  int64_t pb[2] = {pads[0], pads[1]}, pe[2] = {pads[2], pads[3]};
  for (size_t i = 0; i < 2; ++i)
    std::tie(pb[i], pe[i]) = resolve_pool_pads(auto_pad, x[2 + i], y[2 + i], k[i], s[i], d[i], pb[i], pe[i]);
  p.pad_top = i32(pb[0]); p.pad_left = i32(pb[1]); p.pad_bottom = i32(pe[0]); p.pad_right = i32(pe[1]);
  p.count_include_pad = is_max ? 0 : static_cast<int32_t>(n.attrs.i("count_include_pad", 0));
  p.in_zp = qx.zp[0];
  p.out_zp = qy.zp[0];
  p.in_scale = qx.scale[0];
  p.out_scale = qy.scale[0];
  std::tie(p.act_min, p.act_max) = act_range(n.act, qy.scale[0], qy.zp[0]);
  Lowered l;
  const KernelId fn = is_max ? KernelId::maxpool_s8_nhwc : KernelId::avgpool_s8_nhwc;
  l.calls.push_back(call(fn, fmt::format("{}_k{}x{}_s{}", is_max ? "maxpool_s8" : "avgpool_s8", p.kh, p.kw, p.stride_h),
                         p, {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])}));
  return l;
}

Expected<Lowered> lower_QLinearAveragePool(const Graph& g, const Node& n) {
  if (n.attrs.i("channels_last", 0) != 0) return make_error("{}: channels_last=1 is not supported", n.display_name());
  auto q = unary_qparams(g, n);
  if (!q) return q.error();
  const QParam* qx = &q->first;
  const QParam* qy = &q->second;
  return lower_pool_s8(g, n, false, *qx, *qy);
}

// MaxPool on int8 data (from QDQ folding or a QOperator model): scale and zero point pass through.
Expected<Lowered> lower_maxpool_s8(const Graph& g, const Node& n) {
  QParam q{{1.f}, {0}};
  return lower_pool_s8(g, n, true, q, q);
}

Expected<Lowered> lower_QLinearConcat(const Graph& g, const Node& n) {
  auto qy = qparam(g, n, 0, 1, "output");
  if (!qy) return qy.error();
  FERRITE_TRY(per_tensor(n, *qy, "the output"));
  const Tensor& y = g.t(n.outputs[0]);
  if (n.inputs.size() < 5 || (n.inputs.size() - 2) % 3 != 0)
    return make_error("{}: expects (input, scale, zero point) triples", n.display_name());
  auto axis = norm_axis(n.attrs.i("axis", 0), y.shape.size(), n);
  if (!axis) return axis.error();
  // Physical axis and dims of the output.
  Shape dims = y.shape;
  size_t pa = static_cast<size_t>(*axis);
  if (y.nhwc && dims.size() == 4) {
    static const size_t pos[4] = {0, 3, 1, 2};  // logical dim -> physical position in NHWC
    pa = pos[pa];
    dims = {y.shape[0], y.shape[2], y.shape[3], y.shape[1]};
  }
  Lowered l;
  int64_t offset = 0;
  for (size_t i = 2; i < n.inputs.size(); i += 3) {
    const Tensor& x = g.t(n.inputs[i]);
    // int16 inputs only in TFLite's 16x8 models, whose lowering (ops/tflite_numerics.cpp) turns the
    // plain copies below into 2-byte concat_part calls (and refuses any requantization).
    const DType dt = g.numerics == Numerics::TFLite && y.dtype == DType::I16 ? DType::I16 : DType::I8;
    FERRITE_TRY(require_dtype(g, n, n.inputs[i], {dt}, "input"));
    if (x.nhwc != y.nhwc) return make_error("{}: internal error: mixed layouts", n.display_name());
    auto qx = qparam(g, n, i + 1, i + 2, "input");
    if (!qx) return qx.error();
    FERRITE_TRY(per_tensor(n, *qx, "an input"));
    Shape xd = x.shape;
    if (x.nhwc && xd.size() == 4) xd = {x.shape[0], x.shape[2], x.shape[3], x.shape[1]};
    ferrite_rt::ConcatS8PartParams p{};
    p.outer = i32(prod(dims, 0, pa));
    p.in_inner = i32(prod(xd, pa, xd.size()));
    p.out_inner = i32(prod(dims, pa, dims.size()));
    p.offset = i32(offset);
    offset += p.in_inner;
    p.in_zp = qx->zp[0];
    p.out_zp = qy->zp[0];
    p.in_scale = qx->scale[0];
    p.out_scale = qy->scale[0];
    p.requant = (p.in_zp != p.out_zp || p.in_scale != p.out_scale) ? 1 : 0;
    // Contiguous in storage order (nothing before the physical axis; an NHWC channel concat is not)
    // and an identity copy (same scale and zero point): the input may live in its slice.
    if (p.outer == 1 && !p.requant && shape_numel(x.shape) > 0)
      l.slices.push_back({static_cast<int>(i), static_cast<int>((i - 2) / 3), static_cast<size_t>(p.offset),
                          static_cast<size_t>(p.in_inner), static_cast<int>(l.calls.size())});
    if (shape_numel(x.shape) == 0) continue;
    if (x.is_constant()) return make_error("{}: constant inputs are not supported", n.display_name());
    l.calls.push_back(call(KernelId::concat_s8_part, p.requant ? "concat_s8_requant" : "concat_s8_copy", p,
                           {Operand::tensor(n.inputs[i]), Operand::tensor(n.outputs[0])}));
  }
  return l;
}

// QDQ ReduceMean over the trailing axes (fold-qdq checked that the axes are the last ones):
// ONNX Runtime's DequantizeLinear -> float ReduceMean -> QuantizeLinear (reduce_mean_s8).
Expected<Lowered> lower_QLinearReduceMean(const Graph& g, const Node& n) {
  auto q = unary_qparams(g, n);
  if (!q) return q.error();
  const QParam* qx = &q->first;
  const QParam* qy = &q->second;
  FERRITE_TRY(require_dtype(g, n, n.inputs[0], {DType::I8}, "input"));
  FERRITE_TRY(require_clamp_act(n));
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  const Shape& xs = x.shape;
  const std::vector<int64_t> axes = n.attrs.ints("axes");
  if (axes.empty() || xs.empty()) return make_error("{}: needs explicit axes", n.display_name());
  std::vector<bool> red(xs.size(), false);
  for (int64_t a : axes) {
    auto na = norm_axis(a, xs.size(), n);
    if (!na) return na.error();
    red[static_cast<size_t>(*na)] = true;
  }
  size_t first = xs.size();
  for (size_t i = 0; i < xs.size(); ++i)
    if (red[i] && first == xs.size()) first = i;
  for (size_t i = first; i < xs.size(); ++i)
    if (!red[i]) return make_error("{}: only a mean over trailing axes is supported on int8", n.display_name());
  const int64_t rows = prod(xs, 0, first), spatial = prod(xs, first, xs.size());
  if (spatial <= 0 || rows <= 0) return make_error("{}: empty reduction", n.display_name());
  if (shape_numel(y.shape) != rows) return make_error("{}: internal error: output size", n.display_name());
  ferrite_rt::GlobalPoolS8Params p{};
  p.n = 1;
  p.c = i32(rows);
  p.spatial = i32(spatial);
  bool nhwc = false;
  if (x.nhwc) {
    if (xs.size() != 4 || first != 2 || xs[0] != 1) return make_error("{}: internal error: NHWC input", n.display_name());
    p.n = i32(xs[0]);
    p.c = i32(xs[1]);
    nhwc = true;
  }
  p.in_zp = qx->zp[0];
  p.out_zp = qy->zp[0];
  p.in_scale = qx->scale[0];
  p.out_scale = qy->scale[0];
  std::tie(p.act_min, p.act_max) = act_range(n.act, qy->scale[0], qy->zp[0]);
  Lowered l;
  l.calls.push_back(call(nhwc ? KernelId::reduce_mean_s8_nhwc : KernelId::reduce_mean_s8,
                         nhwc ? "reduce_mean_s8_nhwc" : "reduce_mean_s8", p,
                         {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])}));
  return l;
}

// QDQ ConvTranspose (fold-qdq): ONNX Runtime's DequantizeLinear -> float ConvTranspose ->
// QuantizeLinear, bit for bit (conv_transpose_s8). NCHW int8 in and out; the weights keep ONNX's
// layout [c_in][c_out/group][kh][kw]; fs = [x_scale, y_scale, w_scale per c_out/group channel].
Expected<Lowered> lower_QLinearConvTranspose(const Graph& g, const Node& n) {
  auto qx = qparam(g, n, 1, 2, "input");
  if (!qx) return qx.error();
  auto qw = qparam(g, n, 4, 5, "weight");
  if (!qw) return qw.error();
  auto qy = qparam(g, n, 6, 7, "output");
  if (!qy) return qy.error();
  FERRITE_TRY(per_tensor(n, *qx, "the input"));
  FERRITE_TRY(per_tensor(n, *qy, "the output"));
  FERRITE_TRY(require_clamp_act(n));
  FERRITE_TRY(require_dtype(g, n, n.inputs[0], {DType::I8}, "input"));
  FERRITE_TRY(require_dtype(g, n, n.outputs[0], {DType::I8}, "output"));
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& w = g.t(n.inputs[3]);
  const Tensor& y = g.t(n.outputs[0]);
  if (x.nhwc || y.nhwc) return make_error("{}: internal error: int8 ConvTranspose data must be NCHW", n.display_name());
  if (!w.is_constant() || (w.dtype != DType::I8 && w.dtype != DType::U8))
    return make_error("{}: weights '{}' must be a constant int8 tensor", n.display_name(), w.name);
  if (x.shape.size() != 4) return make_error("{}: only 2-D int8 ConvTranspose is supported", n.display_name());
  for (int32_t z : qw->zp)
    if (z != qw->zp[0]) return make_error("{}: per-channel weight zero points must all be equal", n.display_name());
  auto cp = conv_transpose_params(g, n, 0, 3);
  if (!cp) return cp.error();
  const ferrite_rt::ConvParams& c = *cp;
  const int32_t cout_g = c.c_out / c.group;
  if (qw->scale.size() != 1 && qw->scale.size() != static_cast<size_t>(cout_g))
    return make_error("{}: {} weight scales for {} output channels per group", n.display_name(), qw->scale.size(), cout_g);
  TensorId bias = has_input(n, 8) ? n.inputs[8] : kNoTensor;
  if (bias != kNoTensor && (g.t(bias).dtype != DType::F32 || !g.t(bias).is_constant() || g.t(bias).numel() != c.c_out))
    return make_error("{}: bias '{}' must be a constant float32 tensor of {} values", n.display_name(), g.t(bias).name, c.c_out);
  ferrite_rt::ConvS8Params p{};
  p.n = c.n; p.c_in = c.c_in; p.h_in = c.h_in; p.w_in = c.w_in;
  p.c_out = c.c_out; p.h_out = c.h_out; p.w_out = c.w_out;
  p.kh = c.kh; p.kw = c.kw;
  p.stride_h = c.stride_h; p.stride_w = c.stride_w;
  p.dil_h = c.dil_h; p.dil_w = c.dil_w;
  p.pad_top = c.pad_top; p.pad_left = c.pad_left;
  p.group = c.group;
  p.in_zp = qx->zp[0];
  p.w_zp = qw->zp[0];
  p.out_zp = qy->zp[0];
  std::tie(p.act_min, p.act_max) = act_range(n.act, qy->scale[0], qy->zp[0]);
  std::vector<float> fs = {qx->scale[0], qy->scale[0]};
  for (int32_t j = 0; j < cout_g; ++j) fs.push_back(qw->scale[qw->scale.size() == 1 ? 0 : static_cast<size_t>(j)]);
  Lowered l;
  l.macs = static_cast<uint64_t>(p.n) * p.c_in * p.h_in * p.w_in * cout_g * p.kh * p.kw;
  l.calls.push_back(call(KernelId::conv_transpose_s8, fmt::format("conv_transpose_s8_k{}x{}_s{}x{}", p.kh, p.kw, p.stride_h, p.stride_w), p,
                         {Operand::tensor(n.inputs[0]), Operand::constant(make_const(w.name + "_s8", DType::I8, w.shape, as_s8(w))),
                          Operand::constant(make_const(y.name + "_convt_scales", DType::F32, {static_cast<int64_t>(fs.size())}, fs)),
                          bias == kNoTensor ? Operand::null() : Operand::tensor(bias), Operand::tensor(n.outputs[0])}));
  return l;
}

}  // namespace ferrite::ops
