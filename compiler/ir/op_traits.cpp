// The per-op traits table (op_traits.h): one entry per operator whose traits differ from the
// defaults, in ops.def order. Adding an op: give it an entry here when a pass must treat it
// specially (docs/adding-an-op.md, "Traits").
#include "ir/op_traits.h"

namespace ferrite {

namespace {

using L = LayoutRole;
using W = LayoutWhen;
using A = ActFusion;
using P = PatchRole;
using I = InPlaceWhen;

struct Entry {
  OpKind kind;
  OpTraits t;
};

// (data, scale, zero point) triple lists.
constexpr std::array<QSlot, 3> q_unary = {{{0, 1, 2}, {-1, 3, 4}, {}}};          // X, Xs, Xz, Ys, Yz
constexpr std::array<QSlot, 3> q_binary = {{{0, 1, 2}, {3, 4, 5}, {-1, 6, 7}}};  // A, B, Y at 6, 7

// In-place rules.
constexpr InPlaceRule ip_first = {{0, -1}, I::Always};
constexpr InPlaceRule ip_same_shape = {{0, 1}, I::SameShape};        // float binary: A, B
constexpr InPlaceRule ip_same_shape_first = {{0, -1}, I::SameShape};  // Min/Max/Sum/Mean: input 0
constexpr InPlaceRule ip_same_shape_xy = {{1, 2}, I::SameShape};      // Where: X, Y (not the condition)
constexpr InPlaceRule ip_same_shape_q = {{0, 3}, I::SameShape};      // int8 binary: A, B
constexpr InPlaceRule ip_depthwise = {{0, -1}, I::Depthwise};

OpTraits make(auto&& f) {
  OpTraits t;
  f(t);
  return t;
}

const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {
      // Float operators.
      {OpKind::Conv, make([](OpTraits& t) {
         t.act = A::Accepts; t.qdq_fused_clamp = true; t.patch = P::Conv; t.inplace = ip_depthwise;
       })},
      {OpKind::Gemm, make([](OpTraits& t) { t.act = A::Accepts; t.qdq_fused_clamp = true; })},
      // A Relu/Clip between a QDQ ConvTranspose and its Q: QuantizeLinear is monotone, so clamping the
      // int8 result equals quantizing the clamped float (QLinearConvTranspose's output clamp).
      {OpKind::ConvTranspose, make([](OpTraits& t) { t.qdq_fused_clamp = true; })},
      {OpKind::MatMul, make([](OpTraits& t) { t.act = A::Accepts; t.qdq_fused_clamp = true; })},
      {OpKind::Add, make([](OpTraits& t) {
         t.data_inputs = {0, 1}; t.act = A::Accepts; t.qdq_fused_clamp = true; t.patch = P::Add; t.inplace_in_patch = false;
         t.inplace = ip_same_shape;
       })},
      {OpKind::Sub, make([](OpTraits& t) { t.data_inputs = {0, 1}; t.act = A::Accepts; t.inplace = ip_same_shape; })},
      {OpKind::Mul, make([](OpTraits& t) {
         t.data_inputs = {0, 1}; t.act = A::Accepts; t.qdq_fused_clamp = true; t.inplace = ip_same_shape;
       })},
      {OpKind::Div, make([](OpTraits& t) { t.data_inputs = {0, 1}; t.act = A::Accepts; t.inplace = ip_same_shape; })},
      // PRelu: the slope (slot 1) is not a data input for the passes, but the output may share it.
      {OpKind::PRelu, make([](OpTraits& t) { t.act = A::Accepts; t.inplace = ip_same_shape; })},
      {OpKind::Relu, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; t.inplace = ip_first; })},
      {OpKind::Clip, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; t.inplace = ip_first; })},
      {OpKind::LeakyRelu, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; t.inplace = ip_first; })},
      {OpKind::Sigmoid, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; t.inplace = ip_first; })},
      {OpKind::Tanh, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; t.inplace = ip_first; })},
      {OpKind::HardSigmoid, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; t.inplace = ip_first; })},
      {OpKind::HardSwish, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; t.inplace = ip_first; })},
      // MaxPool on int8 data (after QDQ folding) is the int8 pool: NHWC.
      {OpKind::MaxPool, make([](OpTraits& t) {
         t.act = A::Accepts; t.patch = P::Pool; t.layout_in = t.layout_out = L::Native; t.layout_when = W::Int8Input;
       })},
      {OpKind::AveragePool, make([](OpTraits& t) { t.act = A::Accepts; t.qdq_fused_clamp = true; })},
      {OpKind::GlobalAveragePool, make([](OpTraits& t) { t.act = A::Accepts; t.qdq_fused_clamp = true; t.inplace = ip_first; })},
      {OpKind::GlobalMaxPool, make([](OpTraits& t) { t.act = A::Accepts; t.inplace = ip_first; })},
      {OpKind::BatchNormalization, make([](OpTraits& t) { t.act = A::Accepts; t.inplace = ip_first; })},
      {OpKind::Concat, make([](OpTraits& t) { t.data_inputs = {-1, -1}; t.variadic_from = 0; t.variadic_stride = 1; })},
      // TFLite's int8 PAD (ops/tflite_numerics.cpp) pads either layout.
      {OpKind::Pad, make([](OpTraits& t) {
         t.layout_in = t.layout_out = L::Agnostic; t.layout_when = W::TFLiteInt8Input;
       })},
      // Float math functions (unary_f32), Elu (elu_f32), LayerNormalization and
      // InstanceNormalization: in place over input 0.
      {OpKind::Sqrt, make([](OpTraits& t) { t.inplace = ip_first; })},
      {OpKind::Exp, make([](OpTraits& t) { t.inplace = ip_first; })},
      {OpKind::Log, make([](OpTraits& t) { t.inplace = ip_first; })},
      {OpKind::Abs, make([](OpTraits& t) { t.inplace = ip_first; })},
      {OpKind::Neg, make([](OpTraits& t) { t.inplace = ip_first; })},
      {OpKind::Reciprocal, make([](OpTraits& t) { t.inplace = ip_first; })},
      {OpKind::Floor, make([](OpTraits& t) { t.inplace = ip_first; })},
      {OpKind::Ceil, make([](OpTraits& t) { t.inplace = ip_first; })},
      {OpKind::Round, make([](OpTraits& t) { t.inplace = ip_first; })},
      {OpKind::Erf, make([](OpTraits& t) { t.inplace = ip_first; })},
      {OpKind::Softplus, make([](OpTraits& t) { t.inplace = ip_first; })},
      // Pointwise programs are elementwise: patch by patch like an activation.
      {OpKind::Pointwise, make([](OpTraits& t) { t.patch = P::Unary; t.inplace = ip_first; })},
      {OpKind::Pow, make([](OpTraits& t) { t.inplace = ip_same_shape; })},
      {OpKind::LayerNormalization, make([](OpTraits& t) { t.inplace = ip_first; })},
      {OpKind::InstanceNormalization, make([](OpTraits& t) { t.inplace = ip_first; })},
      {OpKind::Elu, make([](OpTraits& t) { t.inplace = ip_first; })},
      // Quantized operators.
      {OpKind::QuantizeLinear, make([](OpTraits& t) {
         t.qslots = {{{-1, 1, 2}, {}, {}}}; t.n_qslots = 1; t.layout_out = L::Agnostic; t.patch = P::Quantize;
         t.inplace = {{0, -1}, I::QuantizeInt8};
       })},
      {OpKind::DequantizeLinear, make([](OpTraits& t) {
         t.qslots = {{{0, 1, 2}, {}, {}}}; t.n_qslots = 1; t.layout_in = L::Agnostic;
       })},
      {OpKind::QLinearConv, make([](OpTraits& t) {
         t.qslots = q_binary; t.n_qslots = 3; t.layout_in = t.layout_out = L::Native; t.patch = P::Conv;
         t.inplace = ip_depthwise;
       })},
      {OpKind::QLinearMatMul, make([](OpTraits& t) { t.data_inputs = {0, 3}; t.qslots = q_binary; t.n_qslots = 3; })},
      {OpKind::ConvInteger, make([](OpTraits& t) {
         t.qslots = {{{0, -1, 2}, {1, -1, 3}, {}}}; t.n_qslots = 2; t.layout_in = t.layout_out = L::Native;
       })},
      {OpKind::MatMulInteger, make([](OpTraits& t) {
         t.data_inputs = {0, 1}; t.qslots = {{{0, -1, 2}, {1, -1, 3}, {}}}; t.n_qslots = 2;
       })},
      {OpKind::QLinearAdd, make([](OpTraits& t) {
         t.data_inputs = {0, 3}; t.qslots = q_binary; t.n_qslots = 3; t.layout_in = t.layout_out = L::Agnostic;
         t.patch = P::Add; t.inplace_in_patch = false; t.inplace = ip_same_shape_q;
       })},
      {OpKind::QLinearMul, make([](OpTraits& t) {
         t.data_inputs = {0, 3}; t.qslots = q_binary; t.n_qslots = 3; t.layout_in = t.layout_out = L::Agnostic;
         t.inplace = ip_same_shape_q;
       })},
      {OpKind::QLinearGlobalAveragePool, make([](OpTraits& t) {
         t.qslots = q_unary; t.n_qslots = 2; t.layout_in = t.layout_out = L::Native; t.inplace = ip_first;
       })},
      {OpKind::QLinearAveragePool, make([](OpTraits& t) {
         t.qslots = q_unary; t.n_qslots = 2; t.layout_in = t.layout_out = L::Native;
       })},
      // QLinearConcat: Y_scale, Y_zp, then (X, X_scale, X_zp) per input.
      {OpKind::QLinearConcat, make([](OpTraits& t) {
         t.data_inputs = {-1, -1}; t.variadic_from = 2; t.variadic_stride = 3;
         t.qslots = {{{-1, 0, 1}, {}, {}}}; t.n_qslots = 1; t.variadic_qslots = true;
         t.layout_in = t.layout_out = L::Agnostic;
       })},
      {OpKind::QLinearSigmoid, make([](OpTraits& t) {
         t.qslots = q_unary; t.n_qslots = 2; t.layout_in = t.layout_out = L::Agnostic; t.patch = P::Unary;
         t.inplace = ip_first;
       })},
      {OpKind::QLinearLeakyRelu, make([](OpTraits& t) {
         t.qslots = q_unary; t.n_qslots = 2; t.layout_in = t.layout_out = L::Agnostic; t.patch = P::Unary;
         t.inplace = ip_first;
       })},
      // QGemm: A, A_scale, A_zp, B, B_scale, B_zp, C, Y_scale, Y_zp.
      {OpKind::QGemm, make([](OpTraits& t) {
         t.qslots = {{{0, 1, 2}, {3, 4, 5}, {-1, 7, 8}}}; t.n_qslots = 3;
       })},
      // Internal operators.
      {OpKind::QLinearActivation, make([](OpTraits& t) {
         t.qslots = q_unary; t.n_qslots = 2; t.layout_in = t.layout_out = L::Agnostic; t.patch = P::Unary;
         t.inplace = ip_first;
       })},
      {OpKind::QLinearSoftmax, make([](OpTraits& t) { t.qslots = q_unary; t.n_qslots = 2; })},
      {OpKind::Requantize, make([](OpTraits& t) {
         t.qslots = q_unary; t.n_qslots = 2; t.layout_in = t.layout_out = L::Agnostic; t.patch = P::Unary;
         t.inplace = ip_first;
       })},
      {OpKind::Relayout, make([](OpTraits& t) { t.patch = P::Unary; })},
      {OpKind::FlipSign, make([](OpTraits& t) {
         t.layout_in = t.layout_out = L::Agnostic; t.patch = P::Unary; t.inplace = ip_first;
       })},
      {OpKind::Silu, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; t.inplace = ip_first; })},
      // QDQ ConvTranspose (conv_transpose_s8): NCHW int8 in and out, never in place.
      {OpKind::QLinearConvTranspose, make([](OpTraits& t) { t.qslots = q_binary; t.n_qslots = 3; })},
      // QDQ ReduceMean over trailing axes: reads NCHW or NHWC (reduce_mean_s8 / _nhwc).
      {OpKind::QLinearReduceMean, make([](OpTraits& t) {
         t.qslots = q_unary; t.n_qslots = 2; t.layout_in = t.layout_out = L::Agnostic;
       })},
      // Issue 10 item 2 (ops10): every input of the variadic ops and of Where is data.
      {OpKind::Min, make([](OpTraits& t) {
         t.data_inputs = {-1, -1}; t.variadic_from = 0; t.variadic_stride = 1; t.inplace = ip_same_shape_first;
       })},
      {OpKind::Max, make([](OpTraits& t) {
         t.data_inputs = {-1, -1}; t.variadic_from = 0; t.variadic_stride = 1; t.inplace = ip_same_shape_first;
       })},
      {OpKind::Sum, make([](OpTraits& t) {
         t.data_inputs = {-1, -1}; t.variadic_from = 0; t.variadic_stride = 1; t.inplace = ip_same_shape_first;
       })},
      {OpKind::Mean, make([](OpTraits& t) {
         t.data_inputs = {-1, -1}; t.variadic_from = 0; t.variadic_stride = 1; t.inplace = ip_same_shape_first;
       })},
      {OpKind::Where, make([](OpTraits& t) {
         t.data_inputs = {-1, -1}; t.variadic_from = 0; t.variadic_stride = 1; t.inplace = ip_same_shape_xy;
       })},
  };
  return e;
}

constexpr size_t kOpCount = 0
#define FERRITE_OP(kind, domain, onnx, lo, hi, cmask) +1
#include "ir/ops.def"
#undef FERRITE_OP
    ;

std::vector<OpTraits> build_table() {
  std::vector<OpTraits> table(kOpCount);
  for (const Entry& e : entries()) table.at(static_cast<size_t>(e.kind)) = e.t;
  return table;
}

}  // namespace

const OpTraits& op_traits(OpKind k) {
  static const std::vector<OpTraits> table = build_table();
  return table.at(static_cast<size_t>(k));
}

std::vector<size_t> data_input_slots(const Node& n) {
  const OpTraits& t = op_traits(n.op);
  std::vector<size_t> v;
  for (int8_t s : t.data_inputs)
    if (s >= 0) v.push_back(static_cast<size_t>(s));
  if (t.variadic_from >= 0)
    for (size_t s = static_cast<size_t>(t.variadic_from); s < n.inputs.size(); s += static_cast<size_t>(t.variadic_stride))
      v.push_back(s);
  return v;
}

bool is_data_input(const Node& n, size_t slot) {
  const OpTraits& t = op_traits(n.op);
  if (slot >= n.inputs.size()) return false;
  for (int8_t s : t.data_inputs)
    if (s >= 0 && static_cast<size_t>(s) == slot) return true;
  return t.variadic_from >= 0 && slot >= static_cast<size_t>(t.variadic_from) &&
         (slot - static_cast<size_t>(t.variadic_from)) % static_cast<size_t>(t.variadic_stride) == 0;
}

std::vector<QSlot> int8_slots(const Node& n) {
  const OpTraits& t = op_traits(n.op);
  std::vector<QSlot> v(t.qslots.begin(), t.qslots.begin() + t.n_qslots);
  if (t.variadic_qslots)  // a data input with its scale slot present
    for (size_t i = static_cast<size_t>(t.variadic_from); i + 1 < n.inputs.size(); i += static_cast<size_t>(t.variadic_stride))
      v.push_back({static_cast<int>(i), static_cast<int>(i + 1), static_cast<int>(i + 2)});
  return v;
}

int in_place_input(const Graph& g, const Node& n, bool has_inplace_form) {
  const InPlaceRule& r = op_traits(n.op).inplace;
  if (r.when == InPlaceWhen::Never || n.outputs.empty()) return -1;
  auto input = [&](int8_t slot) -> const Tensor* {
    if (slot < 0 || static_cast<size_t>(slot) >= n.inputs.size() || n.inputs[static_cast<size_t>(slot)] == kNoTensor)
      return nullptr;
    return &g.t(n.inputs[static_cast<size_t>(slot)]);
  };
  const Tensor& y = g.t(n.outputs[0]);
  const Tensor* x = input(r.inputs[0]);
  auto plane = [](const Shape& s) {
    int64_t p = 1;
    for (size_t i = 2; i < s.size(); ++i) p *= s[i];
    return p;
  };
  switch (r.when) {
    case InPlaceWhen::Never: return -1;
    case InPlaceWhen::Always: return x ? r.inputs[0] : -1;
    case InPlaceWhen::SameShape:
      for (int8_t slot : r.inputs)
        // (and the type: Pow's exponent may have another element size than the output)
        if (const Tensor* c = input(slot); c && c->shape == y.shape && c->nhwc == y.nhwc && c->dtype == y.dtype)
          return slot;
      return -1;
    case InPlaceWhen::Depthwise: {
      if (!x || !has_inplace_form || x->shape.size() < 3 || y.shape.size() != x->shape.size()) return -1;
      const int64_t group = n.attrs.i("group", 1);
      const bool depthwise = group == x->shape[1] && x->shape[1] == y.shape[1];
      return depthwise && x->shape[0] == 1 && plane(y.shape) <= plane(x->shape) ? r.inputs[0] : -1;
    }
    case InPlaceWhen::QuantizeInt8: {
      if (!x || (y.dtype != DType::I8 && y.dtype != DType::U8)) return -1;  // (uint8: run-time quantize only)
      const bool relayout = y.nhwc && !x->nhwc;
      return !relayout || (y.shape.size() > 1 && y.shape[1] <= 4) ? r.inputs[0] : -1;
    }
  }
  return -1;
}

bool quantize_params_at_run_time(const Graph& g, const Node& n) {
  if (n.op != OpKind::QuantizeLinear) return false;
  for (size_t slot : {size_t{1}, size_t{2}})
    if (slot < n.inputs.size() && n.inputs[slot] != kNoTensor && !g.t(n.inputs[slot]).is_constant()) return true;
  return false;
}

bool layout_roles_apply(const Graph& g, const Node& n) {
  switch (op_traits(n.op).layout_when) {
    case LayoutWhen::Always: return true;
    // int16 inputs (TFLite's 16x8 models) take the int8 roles under TFLite numerics only.
    case LayoutWhen::Int8Input:
      return g.t(n.inputs[0]).dtype == DType::I8 ||
             (g.numerics == Numerics::TFLite && g.t(n.inputs[0]).dtype == DType::I16);
    case LayoutWhen::TFLiteInt8Input:
      return g.numerics == Numerics::TFLite &&
             (g.t(n.inputs[0]).dtype == DType::I8 || g.t(n.inputs[0]).dtype == DType::I16);
  }
  return false;
}

}  // namespace ferrite
