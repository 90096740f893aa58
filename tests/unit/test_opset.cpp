// The opset 18-23 -> 17 rewrite (frontend/onnx_opset.h) on hand-built models, for the rewrites whose
// operators Ferrite has no kernel for yet (so tests/opset cannot run them end to end): Split's
// num_outputs, Resize's axes, the Reduce* identity case; and the shape of the GroupNormalization
// decomposition.
#include <catch2/catch.hpp>

#include <cstring>

#include <onnx/onnx_pb.h>

#include "frontend/onnx_import.h"
#include "frontend/onnx_opset.h"

using namespace ferrite;

namespace {

onnx::ModelProto model_with(int opset, std::vector<int64_t> x_dims) {
  onnx::ModelProto m;
  m.set_ir_version(10);
  m.add_opset_import()->set_version(opset);
  auto* g = m.mutable_graph();
  auto* in = g->add_input();
  in->set_name("x");
  auto* t = in->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (auto d : x_dims) t->mutable_shape()->add_dim()->set_dim_value(d);
  auto* relu = g->add_node();  // the rewritten node reads an inferred tensor, not the graph input
  relu->set_op_type("Relu");
  relu->set_name("relu");
  relu->add_input("x");
  relu->add_output("r");
  return m;
}

onnx::NodeProto* add_node(onnx::ModelProto& m, const char* op, std::vector<std::string> in, std::vector<std::string> out) {
  auto* n = m.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(std::string(op) + "_node");
  for (auto& s : in) n->add_input(s);
  for (auto& s : out) n->add_output(s);
  return n;
}

void attr_i(onnx::NodeProto* n, const char* name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

const onnx::TensorProto* init(const onnx::ModelProto& m, const std::string& name) {
  for (const auto& t : m.graph().initializer())
    if (t.name() == name) return &t;
  return nullptr;
}

std::vector<int64_t> ints_of(const onnx::TensorProto& t) {
  std::vector<int64_t> v(t.raw_data().size() / 8);
  std::memcpy(v.data(), t.raw_data().data(), v.size() * 8);
  return v;
}

}  // namespace

TEST_CASE("Split-18 num_outputs becomes explicit sizes when uneven", "[opset]") {
  onnx::ModelProto m = model_with(18, {1, 8, 2});
  auto* s = add_node(m, "Split", {"r"}, {"a", "b", "c"});
  attr_i(s, "axis", 1);
  attr_i(s, "num_outputs", 3);
  REQUIRE(rewrite_to_opset17(m, 18, {}));
  const auto& n = m.graph().node(1);
  CHECK(m.opset_import(0).version() == 17);
  CHECK(m.ir_version() == 8);
  CHECK(n.attribute_size() == 1);  // axis only
  REQUIRE(n.input_size() == 2);
  const auto* sizes = init(m, n.input(1));
  REQUIRE(sizes);
  CHECK(ints_of(*sizes) == std::vector<int64_t>{3, 3, 2});
}

TEST_CASE("Split-18 num_outputs: even splits need no sizes; impossible ones are refused", "[opset]") {
  onnx::ModelProto m = model_with(18, {1, 9});
  auto* s = add_node(m, "Split", {"r"}, {"a", "b", "c"});
  attr_i(s, "axis", -1);
  attr_i(s, "num_outputs", 3);
  REQUIRE(rewrite_to_opset17(m, 18, {}));
  CHECK(m.graph().node(1).input_size() == 1);
  CHECK(m.graph().node(1).attribute_size() == 1);

  onnx::ModelProto bad = model_with(18, {1, 4});
  auto* s2 = add_node(bad, "Split", {"r"}, {"a", "b", "c"});
  attr_i(s2, "axis", 1);
  attr_i(s2, "num_outputs", 3);  // 2, 2, 0
  auto st = rewrite_to_opset17(bad, 18, {});
  REQUIRE(!st);
  CHECK_THAT(st.error().message, Catch::Contains("Split node 'Split_node' (opset 18"));
  CHECK_THAT(st.error().message, Catch::Contains("cannot be split into 3 parts"));
}

TEST_CASE("Split-18 on a dynamic input uses --input-shape", "[opset]") {
  onnx::ModelProto m = model_with(18, {1, 8});
  m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1)->set_dim_param("n");
  auto* s = add_node(m, "Split", {"r"}, {"a", "b"});
  attr_i(s, "axis", 1);
  attr_i(s, "num_outputs", 2);
  onnx::ModelProto m2 = m;
  auto st = rewrite_to_opset17(m, 18, {});
  REQUIRE(!st);
  CHECK_THAT(st.error().message, Catch::Contains("needs the static shape of input 'r'"));
  REQUIRE(rewrite_to_opset17(m2, 18, {{"x", Shape{1, 6}}}));
  CHECK(m2.graph().node(1).input_size() == 1);
}

TEST_CASE("Resize-18 axes become full-rank scales", "[opset]") {
  onnx::ModelProto m = model_with(19, {1, 2, 4, 4});
  auto* sc = m.mutable_graph()->add_initializer();
  sc->set_name("sc");
  sc->set_data_type(onnx::TensorProto::FLOAT);
  sc->add_dims(2);
  const float v[2] = {2.0f, 3.0f};
  sc->set_raw_data(std::string(reinterpret_cast<const char*>(v), 8));
  auto* r = add_node(m, "Resize", {"r", "", "sc"}, {"y"});
  auto* a = r->add_attribute();
  a->set_name("axes");
  a->set_type(onnx::AttributeProto::INTS);
  a->add_ints(3);
  a->add_ints(-2);
  auto* c = r->add_attribute();
  c->set_name("coordinate_transformation_mode");
  c->set_type(onnx::AttributeProto::STRING);
  c->set_s("half_pixel_symmetric");  // integer scales: the same grid as half_pixel
  REQUIRE(rewrite_to_opset17(m, 19, {}));
  const auto& n = m.graph().node(1);
  const auto* full = init(m, n.input(2));
  REQUIRE(full);
  std::vector<float> f(4);
  REQUIRE(full->raw_data().size() == 16);
  std::memcpy(f.data(), full->raw_data().data(), 16);
  CHECK(f == std::vector<float>{1.0f, 1.0f, 3.0f, 2.0f});
  REQUIRE(n.attribute_size() == 1);
  CHECK(n.attribute(0).s() == "half_pixel");
}

TEST_CASE("ReduceMax-20 with no axes and noop_with_empty_axes is the identity", "[opset]") {
  onnx::ModelProto m = model_with(20, {1, 3});
  auto* r = add_node(m, "ReduceMax", {"r"}, {"y"});
  attr_i(r, "noop_with_empty_axes", 1);
  attr_i(r, "keepdims", 0);
  REQUIRE(rewrite_to_opset17(m, 20, {}));
  CHECK(m.graph().node(1).op_type() == "Identity");
  CHECK(m.graph().node(1).attribute_size() == 0);
  CHECK(m.graph().node(1).input_size() == 1);
}

TEST_CASE("GroupNormalization-18/21 becomes InstanceNormalization of the grouped view", "[opset]") {
  for (int opset : {18, 21}) {
    INFO("opset " << opset);
    onnx::ModelProto m = model_with(opset, {2, 4, 3, 3});
    auto* gn = add_node(m, "GroupNormalization", {"r", "sc", "bi"}, {"y"});
    attr_i(gn, "num_groups", 2);
    REQUIRE(rewrite_to_opset17(m, opset, {}));
    std::vector<std::string> ops;
    for (const auto& n : m.graph().node()) ops.push_back(n.op_type());
    if (opset == 18)
      CHECK(ops == std::vector<std::string>{"Relu", "Reshape", "InstanceNormalization", "Reshape"});
    else
      CHECK(ops == std::vector<std::string>{"Relu", "Reshape", "InstanceNormalization", "Reshape", "Reshape", "Reshape",
                                            "Mul", "Add"});
    const auto& view = m.graph().node(1);
    REQUIRE(init(m, view.input(1)));
    CHECK(ints_of(*init(m, view.input(1))) == std::vector<int64_t>{2, 2, 18});
    const auto& inorm = m.graph().node(2);
    CHECK((opset == 18) == (inorm.input(1) == "sc"));  // 21: ones of the group count instead
    CHECK(ints_of(*init(m, m.graph().node(3).input(1))) == std::vector<int64_t>{2, 4, 3, 3});
    CHECK(m.graph().node(static_cast<int>(ops.size()) - 1).output(0) == "y");
  }
  // Refused: num_groups that does not divide the channels, and float64 statistics.
  onnx::ModelProto bad = model_with(18, {1, 6, 2, 2});
  attr_i(add_node(bad, "GroupNormalization", {"r", "sc", "bi"}, {"y"}), "num_groups", 4);
  auto st = rewrite_to_opset17(bad, 18, {});
  REQUIRE_FALSE(st);
  CHECK_THAT(st.error().message, Catch::Contains("num_groups = 4 does not divide the 6 channels"));
  onnx::ModelProto stash = model_with(21, {1, 4, 2, 2});
  auto* n = add_node(stash, "GroupNormalization", {"r", "sc", "bi"}, {"y"});
  attr_i(n, "num_groups", 2);
  attr_i(n, "stash_type", 11);
  auto st2 = rewrite_to_opset17(stash, 21, {});
  REQUIRE_FALSE(st2);
  CHECK_THAT(st2.error().message, Catch::Contains("stash_type = 11"));
}
