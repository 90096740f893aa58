// The per-op traits table (compiler/ir/op_traits.h): consistency with ops.def, and the slot lists
// the passes derive from it (what normalize-int8, layout-nhwc, record_io_quant and the patch stage
// used to list by hand).
#include <catch2/catch.hpp>

#include <array>
#include <string>

#include "ir/op_traits.h"

using namespace ferrite;

namespace {

constexpr OpKind kAllOps[] = {
#define FERRITE_OP(kind, domain, onnx, lo, hi, cmask) OpKind::kind,
#include "ir/ops.def"
#undef FERRITE_OP
};

Node node(OpKind k, size_t inputs) {
  Node n;
  n.op = k;
  for (size_t i = 0; i < inputs; ++i) n.inputs.push_back(static_cast<TensorId>(i));
  n.outputs = {static_cast<TensorId>(inputs)};
  return n;
}

bool same(const std::vector<QSlot>& a, const std::vector<QSlot>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].data != b[i].data || a[i].scale != b[i].scale || a[i].zp != b[i].zp) return false;
  return true;
}

}  // namespace

TEST_CASE("op traits: every scale and zero-point slot is a constant input in ops.def", "[traits]") {
  for (OpKind k : kAllOps) {
    const Node n = node(k, 17);  // QLinearConcat with five inputs
    for (const QSlot& q : int8_slots(n)) {
      INFO(op_info(k).onnx_type << " slot " << q.data);
      if (q.scale >= 0) CHECK((op_info(k).const_inputs >> q.scale & 1u) == 1u);
      CHECK((op_info(k).const_inputs >> q.zp & 1u) == 1u);
    }
  }
}

TEST_CASE("op traits: the int8 slot lists the passes used to spell out", "[traits]") {
  CHECK(same(int8_slots(node(OpKind::QLinearConv, 9)), {{0, 1, 2}, {3, 4, 5}, {-1, 6, 7}}));
  CHECK(same(int8_slots(node(OpKind::QGemm, 9)), {{0, 1, 2}, {3, 4, 5}, {-1, 7, 8}}));
  CHECK(same(int8_slots(node(OpKind::ConvInteger, 4)), {{0, -1, 2}, {1, -1, 3}}));
  CHECK(same(int8_slots(node(OpKind::Requantize, 5)), {{0, 1, 2}, {-1, 3, 4}}));
  CHECK(same(int8_slots(node(OpKind::QuantizeLinear, 3)), {{-1, 1, 2}}));
  CHECK(same(int8_slots(node(OpKind::QLinearConcat, 8)), {{-1, 0, 1}, {2, 3, 4}, {5, 6, 7}}));
  CHECK(int8_slots(node(OpKind::Conv, 3)).empty());
}

TEST_CASE("op traits: data inputs, layout roles, fusion, patches", "[traits]") {
  CHECK(data_input_slots(node(OpKind::QLinearAdd, 8)) == std::vector<size_t>{0, 3});
  CHECK(data_input_slots(node(OpKind::Add, 2)) == std::vector<size_t>{0, 1});
  CHECK(data_input_slots(node(OpKind::Concat, 3)) == std::vector<size_t>{0, 1, 2});
  CHECK(data_input_slots(node(OpKind::QLinearConcat, 8)) == std::vector<size_t>{2, 5});
  CHECK(data_input_slots(node(OpKind::Relu, 1)) == std::vector<size_t>{0});
  CHECK(is_data_input(node(OpKind::QLinearConcat, 8), 5));
  CHECK_FALSE(is_data_input(node(OpKind::QLinearConcat, 8), 6));
  CHECK_FALSE(is_data_input(node(OpKind::QLinearConcat, 8), 8));  // past the inputs

  CHECK(op_traits(OpKind::QLinearConv).layout_in == LayoutRole::Native);
  CHECK(op_traits(OpKind::QLinearAdd).layout_out == LayoutRole::Agnostic);
  CHECK(op_traits(OpKind::QuantizeLinear).layout_in == LayoutRole::None);   // reads float
  CHECK(op_traits(OpKind::DequantizeLinear).layout_out == LayoutRole::None);  // writes float
  CHECK(op_traits(OpKind::MaxPool).layout_when == LayoutWhen::Int8Input);
  CHECK(op_traits(OpKind::Softmax).layout_in == LayoutRole::None);

  CHECK(op_traits(OpKind::Silu).act == ActFusion::Activation);
  CHECK(op_traits(OpKind::BatchNormalization).act == ActFusion::Accepts);
  CHECK(op_traits(OpKind::Elu).act == ActFusion::None);  // no Act for it in common/act.h
  CHECK(op_traits(OpKind::Conv).qdq_fused_clamp);
  CHECK_FALSE(op_traits(OpKind::Sub).qdq_fused_clamp);

  CHECK(op_traits(OpKind::QLinearConv).patch == PatchRole::Conv);
  CHECK(op_traits(OpKind::Relayout).patch == PatchRole::Unary);
  CHECK(op_traits(OpKind::Softmax).patch == PatchRole::None);
  CHECK_FALSE(op_traits(OpKind::QLinearAdd).inplace_in_patch);
  CHECK(op_traits(OpKind::Relu).inplace_in_patch);
}

TEST_CASE("op traits: in-place legality outside patches", "[traits]") {
  // The rules lowering used to state per op.
  CHECK(op_traits(OpKind::Relu).inplace.when == InPlaceWhen::Always);
  CHECK(op_traits(OpKind::Elu).inplace.when == InPlaceWhen::Always);
  CHECK(op_traits(OpKind::InstanceNormalization).inplace.when == InPlaceWhen::Always);  // instancenorm_f32
  CHECK(op_traits(OpKind::BatchNormalization).inplace.when == InPlaceWhen::Always);     // also batchnorm_train_f32
  CHECK(op_traits(OpKind::QLinearGlobalAveragePool).inplace.when == InPlaceWhen::Always);
  CHECK(op_traits(OpKind::Add).inplace.when == InPlaceWhen::SameShape);
  CHECK(op_traits(OpKind::QLinearAdd).inplace.inputs == std::array<int8_t, 2>{0, 3});
  CHECK(op_traits(OpKind::QLinearConv).inplace.when == InPlaceWhen::Depthwise);
  CHECK(op_traits(OpKind::QuantizeLinear).inplace.when == InPlaceWhen::QuantizeInt8);
  for (OpKind k : {OpKind::Softmax, OpKind::Concat, OpKind::Reshape, OpKind::DequantizeLinear, OpKind::ConvInteger,
                   OpKind::QLinearSoftmax, OpKind::Transpose, OpKind::MaxPool})
    CHECK(op_traits(k).inplace.when == InPlaceWhen::Never);
  // A rule names an input first; the ops with a fused-activation kernel or patch role of their own
  // kept the rules lowering had.
  for (OpKind k : kAllOps) {
    INFO(op_info(k).onnx_type);
    const InPlaceRule& r = op_traits(k).inplace;
    CHECK((r.when == InPlaceWhen::Never) == (r.inputs[0] < 0));
  }

  Graph g;
  auto t = [&](Shape s, DType d = DType::F32, bool nhwc = false) {
    Tensor x;
    x.name = "t" + std::to_string(g.tensors.size());
    x.shape = std::move(s);
    x.dtype = d;
    x.nhwc = nhwc;
    return g.add_tensor(std::move(x));
  };
  auto n = [](OpKind k, std::vector<TensorId> in, TensorId out) {
    Node x;
    x.op = k;
    x.inputs = std::move(in);
    x.outputs = {out};
    return x;
  };
  // SameShape: the first operand with the output's shape and layout.
  const TensorId a = t({1, 8}), b = t({8}), y = t({1, 8});
  CHECK(in_place_input(g, n(OpKind::Add, {a, b}, y)) == 0);
  CHECK(in_place_input(g, n(OpKind::Add, {b, a}, y)) == 1);
  CHECK(in_place_input(g, n(OpKind::Add, {b, b}, y)) == -1);  // both broadcast
  const TensorId qa = t({1, 4, 2, 2}, DType::I8, true), qb = t({1, 4, 2, 2}, DType::I8, false);
  const TensorId qy = t({1, 4, 2, 2}, DType::I8, true);
  Node qadd = n(OpKind::QLinearAdd, {qb, kNoTensor, kNoTensor, qa}, qy);
  CHECK(in_place_input(g, qadd) == 3);  // A has another layout
  // Always.
  CHECK(in_place_input(g, n(OpKind::Relu, {a}, y)) == 0);
  CHECK(in_place_input(g, n(OpKind::Softmax, {a}, y)) == -1);
  // Depthwise: one image, group = channels, output plane no larger; needs the in-place form.
  const TensorId x4 = t({1, 4, 8, 8}), y4 = t({1, 4, 4, 4}), y4big = t({1, 4, 10, 10}), x2 = t({2, 4, 8, 8});
  Node dw = n(OpKind::Conv, {x4, kNoTensor}, y4);
  dw.attrs.values["group"] = int64_t{4};
  CHECK(in_place_input(g, dw) == 0);
  CHECK(in_place_input(g, dw, false) == -1);  // lowering made no in-place form
  Node dw_big = dw;
  dw_big.outputs = {y4big};
  CHECK(in_place_input(g, dw_big) == -1);
  Node dw_batch = dw;
  dw_batch.inputs[0] = x2;
  CHECK(in_place_input(g, dw_batch) == -1);
  Node conv = dw;
  conv.attrs.values["group"] = int64_t{1};
  CHECK(in_place_input(g, conv) == -1);
  // QuantizeInt8: not when it also transposes to NHWC with more than 4 channels, not to int16.
  const TensorId f3 = t({1, 3, 8, 8}), f8 = t({1, 8, 8, 8});
  const TensorId q3 = t({1, 3, 8, 8}, DType::I8, true), q8 = t({1, 8, 8, 8}, DType::I8, true);
  const TensorId q8nchw = t({1, 8, 8, 8}, DType::I8, false), q16 = t({1, 3, 8, 8}, DType::I16, false);
  CHECK(in_place_input(g, n(OpKind::QuantizeLinear, {f3, kNoTensor, kNoTensor}, q3)) == 0);
  CHECK(in_place_input(g, n(OpKind::QuantizeLinear, {f8, kNoTensor, kNoTensor}, q8)) == -1);
  CHECK(in_place_input(g, n(OpKind::QuantizeLinear, {f8, kNoTensor, kNoTensor}, q8nchw)) == 0);
  CHECK(in_place_input(g, n(OpKind::QuantizeLinear, {f3, kNoTensor, kNoTensor}, q16)) == -1);
}
