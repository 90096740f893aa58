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

struct Entry {
  OpKind kind;
  OpTraits t;
};

// (data, scale, zero point) triple lists.
constexpr std::array<QSlot, 3> q_unary = {{{0, 1, 2}, {-1, 3, 4}, {}}};          // X, Xs, Xz, Ys, Yz
constexpr std::array<QSlot, 3> q_binary = {{{0, 1, 2}, {3, 4, 5}, {-1, 6, 7}}};  // A, B, Y at 6, 7

OpTraits make(auto&& f) {
  OpTraits t;
  f(t);
  return t;
}

const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {
      // Float operators.
      {OpKind::Conv, make([](OpTraits& t) { t.act = A::Accepts; t.qdq_fused_clamp = true; t.patch = P::Conv; })},
      {OpKind::Gemm, make([](OpTraits& t) { t.act = A::Accepts; t.qdq_fused_clamp = true; })},
      {OpKind::MatMul, make([](OpTraits& t) { t.act = A::Accepts; t.qdq_fused_clamp = true; })},
      {OpKind::Add, make([](OpTraits& t) {
         t.data_inputs = {0, 1}; t.act = A::Accepts; t.qdq_fused_clamp = true; t.patch = P::Add; t.inplace_in_patch = false;
       })},
      {OpKind::Sub, make([](OpTraits& t) { t.data_inputs = {0, 1}; t.act = A::Accepts; })},
      {OpKind::Mul, make([](OpTraits& t) { t.data_inputs = {0, 1}; t.act = A::Accepts; t.qdq_fused_clamp = true; })},
      {OpKind::Div, make([](OpTraits& t) { t.data_inputs = {0, 1}; t.act = A::Accepts; })},
      {OpKind::PRelu, make([](OpTraits& t) { t.act = A::Accepts; })},
      {OpKind::Relu, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; })},
      {OpKind::Clip, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; })},
      {OpKind::LeakyRelu, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; })},
      {OpKind::Sigmoid, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; })},
      {OpKind::Tanh, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; })},
      {OpKind::HardSigmoid, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; })},
      {OpKind::HardSwish, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; })},
      // MaxPool on int8 data (after QDQ folding) is the int8 pool: NHWC.
      {OpKind::MaxPool, make([](OpTraits& t) {
         t.act = A::Accepts; t.patch = P::Pool; t.layout_in = t.layout_out = L::Native; t.layout_when = W::Int8Input;
       })},
      {OpKind::AveragePool, make([](OpTraits& t) { t.act = A::Accepts; t.qdq_fused_clamp = true; })},
      {OpKind::GlobalAveragePool, make([](OpTraits& t) { t.act = A::Accepts; t.qdq_fused_clamp = true; })},
      {OpKind::GlobalMaxPool, make([](OpTraits& t) { t.act = A::Accepts; })},
      {OpKind::BatchNormalization, make([](OpTraits& t) { t.act = A::Accepts; })},
      {OpKind::Concat, make([](OpTraits& t) { t.data_inputs = {-1, -1}; t.variadic_from = 0; t.variadic_stride = 1; })},
      // TFLite's int8 PAD (ops/tflite_numerics.cpp) pads either layout.
      {OpKind::Pad, make([](OpTraits& t) {
         t.layout_in = t.layout_out = L::Agnostic; t.layout_when = W::TFLiteInt8Input;
       })},
      // Quantized operators.
      {OpKind::QuantizeLinear, make([](OpTraits& t) {
         t.qslots = {{{-1, 1, 2}, {}, {}}}; t.n_qslots = 1; t.layout_out = L::Agnostic; t.patch = P::Quantize;
       })},
      {OpKind::DequantizeLinear, make([](OpTraits& t) {
         t.qslots = {{{0, 1, 2}, {}, {}}}; t.n_qslots = 1; t.layout_in = L::Agnostic;
       })},
      {OpKind::QLinearConv, make([](OpTraits& t) {
         t.qslots = q_binary; t.n_qslots = 3; t.layout_in = t.layout_out = L::Native; t.patch = P::Conv;
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
         t.patch = P::Add; t.inplace_in_patch = false;
       })},
      {OpKind::QLinearMul, make([](OpTraits& t) {
         t.data_inputs = {0, 3}; t.qslots = q_binary; t.n_qslots = 3; t.layout_in = t.layout_out = L::Agnostic;
       })},
      {OpKind::QLinearGlobalAveragePool, make([](OpTraits& t) {
         t.qslots = q_unary; t.n_qslots = 2; t.layout_in = t.layout_out = L::Native;
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
       })},
      {OpKind::QLinearLeakyRelu, make([](OpTraits& t) {
         t.qslots = q_unary; t.n_qslots = 2; t.layout_in = t.layout_out = L::Agnostic; t.patch = P::Unary;
       })},
      // QGemm: A, A_scale, A_zp, B, B_scale, B_zp, C, Y_scale, Y_zp.
      {OpKind::QGemm, make([](OpTraits& t) {
         t.qslots = {{{0, 1, 2}, {3, 4, 5}, {-1, 7, 8}}}; t.n_qslots = 3;
       })},
      // Internal operators.
      {OpKind::QLinearActivation, make([](OpTraits& t) {
         t.qslots = q_unary; t.n_qslots = 2; t.layout_in = t.layout_out = L::Agnostic; t.patch = P::Unary;
       })},
      {OpKind::QLinearSoftmax, make([](OpTraits& t) { t.qslots = q_unary; t.n_qslots = 2; })},
      {OpKind::Requantize, make([](OpTraits& t) {
         t.qslots = q_unary; t.n_qslots = 2; t.layout_in = t.layout_out = L::Agnostic; t.patch = P::Unary;
       })},
      {OpKind::Relayout, make([](OpTraits& t) { t.patch = P::Unary; })},
      {OpKind::FlipSign, make([](OpTraits& t) { t.layout_in = t.layout_out = L::Agnostic; t.patch = P::Unary; })},
      {OpKind::Silu, make([](OpTraits& t) { t.act = A::Activation; t.patch = P::Unary; })},
      // Issue 10 item 2 (ops10): every input of the variadic ops and of Where is data.
      {OpKind::Min, make([](OpTraits& t) { t.data_inputs = {-1, -1}; t.variadic_from = 0; t.variadic_stride = 1; })},
      {OpKind::Max, make([](OpTraits& t) { t.data_inputs = {-1, -1}; t.variadic_from = 0; t.variadic_stride = 1; })},
      {OpKind::Sum, make([](OpTraits& t) { t.data_inputs = {-1, -1}; t.variadic_from = 0; t.variadic_stride = 1; })},
      {OpKind::Mean, make([](OpTraits& t) { t.data_inputs = {-1, -1}; t.variadic_from = 0; t.variadic_stride = 1; })},
      {OpKind::Where, make([](OpTraits& t) { t.data_inputs = {-1, -1}; t.variadic_from = 0; t.variadic_stride = 1; })},
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

bool layout_roles_apply(const Graph& g, const Node& n) {
  switch (op_traits(n.op).layout_when) {
    case LayoutWhen::Always: return true;
    case LayoutWhen::Int8Input: return g.t(n.inputs[0]).dtype == DType::I8;
    case LayoutWhen::TFLiteInt8Input: return g.numerics == Numerics::TFLite && g.t(n.inputs[0]).dtype == DType::I8;
  }
  return false;
}

}  // namespace ferrite
