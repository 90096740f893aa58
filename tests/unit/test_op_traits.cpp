// The per-op traits table (compiler/ir/op_traits.h): consistency with ops.def, and the slot lists
// the passes derive from it (what normalize-int8, layout-nhwc, record_io_quant and the patch stage
// used to list by hand).
#include <catch2/catch.hpp>

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
