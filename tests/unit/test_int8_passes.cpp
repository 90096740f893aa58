// Unit tests of the int8 passes, one graph before and after each (Glow's GraphOptzTest habit):
// fold-qdq (QDQ groups -> QOperator nodes), normalize-int8 (uint8 -> int8), layout-nhwc (physical
// layout of int8 activations, Relayout nodes) and quantized-io (the API takes the quantized tensors).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "passes/pass.h"
#include "unit/graph_builder.h"

using namespace ferrite;
using namespace ferrite::testing;

namespace {
const PassContext ctx;

// A tensor of dtype `dt` (activation when `data` is empty) with raw little-endian bytes.
TensorId typed(Graph& g, const char* name, DType dt, Shape s, std::vector<uint8_t> data = {}) {
  Tensor t;
  t.name = name;
  t.dtype = dt;
  t.shape = std::move(s);
  if (!data.empty()) t.data = std::move(data);
  return g.add_tensor(std::move(t));
}
TensorId i8c(Graph& g, const char* name, Shape s, const std::vector<int8_t>& v) {
  std::vector<uint8_t> b(v.size());
  std::memcpy(b.data(), v.data(), v.size());
  return typed(g, name, DType::I8, std::move(s), std::move(b));
}
TensorId u8c(Graph& g, const char* name, Shape s, const std::vector<uint8_t>& v) { return typed(g, name, DType::U8, std::move(s), v); }
TensorId scalar(Graph& g, const char* name, float v) { return cst(g, name, {}, {v}); }

const Node* find(const Graph& g, OpKind k) {
  for (const Node& n : g.nodes)
    if (n.op == k) return &n;
  return nullptr;
}
size_t count(const Graph& g, OpKind k) {
  size_t c = 0;
  for (const Node& n : g.nodes) c += n.op == k;
  return c;
}
std::vector<int32_t> i32_values(const Tensor& t) {
  REQUIRE(t.dtype == DType::I32);
  REQUIRE(t.is_constant());
  std::vector<int32_t> v(t.data->size() / 4);
  std::memcpy(v.data(), t.data->data(), t.data->size());
  return v;
}

// x (int8 activation) -> DQ -> Conv(DQ(w), bias) -> [Relu] -> Q -> y: the QDQ form of an int8 conv.
struct QdqConv {
  Graph g;
  TensorId xq, xs, xz, wq, ws, wz, bias, ys, yz, y;
  explicit QdqConv(bool relu, std::vector<float> w_scales = {0.5f}, int64_t cout = 2) {
    xq = typed(g, "xq", DType::I8, {1, 1, 2, 2});
    xs = scalar(g, "xs", 0.25f);
    xz = i8c(g, "xz", {}, {3});
    std::vector<int8_t> wv(static_cast<size_t>(cout), 2);
    wq = i8c(g, "wq", {cout, 1, 1, 1}, wv);
    ws = cst(g, "ws", {static_cast<int64_t>(w_scales.size())}, w_scales);
    wz = i8c(g, "wz", {static_cast<int64_t>(w_scales.size())}, std::vector<int8_t>(w_scales.size(), 0));
    std::vector<float> bv;
    for (int64_t c = 0; c < cout; ++c) bv.push_back(1.0f + static_cast<float>(c));
    bias = cst(g, "bias", {cout}, bv);
    ys = scalar(g, "ys", 0.1f);
    yz = i8c(g, "yz", {}, {-5});
    TensorId x = act(g, "x", {1, 1, 2, 2}), w = act(g, "w", {cout, 1, 1, 1});
    TensorId c = act(g, "c", {1, cout, 2, 2}), r = act(g, "r", {1, cout, 2, 2});
    y = typed(g, "y", DType::I8, {1, cout, 2, 2});
    g.inputs = {xq};
    g.nodes.push_back(node(OpKind::DequantizeLinear, {xq, xs, xz}, {x}, "dq_x"));
    g.nodes.push_back(node(OpKind::DequantizeLinear, {wq, ws, wz}, {w}, "dq_w"));
    g.nodes.back().attrs.values["axis"] = int64_t{0};
    g.nodes.push_back(node(OpKind::Conv, {x, w, bias}, {c}, "conv"));
    if (relu) g.nodes.push_back(node(OpKind::Relu, {c}, {r}, "relu"));
    g.nodes.push_back(node(OpKind::QuantizeLinear, {relu ? r : c, ys, yz}, {y}, "q_y"));
    g.outputs = {y};
  }
};
}  // namespace

// ---- fold-qdq ------------------------------------------------------------------------------------

TEST_CASE("fold-qdq: DQ -> Conv -> Relu -> Q becomes one QLinearConv with a fused Relu and an int32 bias",
          "[passes][fold_qdq]") {
  QdqConv m(/*relu=*/true);
  auto changed = pass_fold_qdq(m.g, ctx);
  REQUIRE(changed);
  CHECK(*changed);
  CHECK(count(m.g, OpKind::Conv) == 0);
  CHECK(count(m.g, OpKind::Relu) == 0);
  CHECK(count(m.g, OpKind::QuantizeLinear) == 0);
  const Node* q = find(m.g, OpKind::QLinearConv);
  REQUIRE(q);
  CHECK(q->name == "conv");  // the model's node name survives for messages and the report
  CHECK(q->act.kind == FusedAct::Relu);
  CHECK(q->act.from == "Relu 'relu'");
  REQUIRE(q->inputs.size() == 9);
  // ONNX QLinearConv order: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, bias.
  CHECK(q->inputs[0] == m.xq);
  CHECK(q->inputs[1] == m.xs);
  CHECK(q->inputs[2] == m.xz);
  CHECK(q->inputs[3] == m.wq);
  CHECK(q->inputs[4] == m.ws);
  CHECK(q->inputs[5] == m.wz);
  CHECK(q->inputs[6] == m.ys);
  CHECK(q->inputs[7] == m.yz);
  CHECK(q->outputs[0] == m.y);
  // bias / (x_scale * w_scale) = {1, 2} / 0.125, rounded half to even.
  CHECK(i32_values(m.g.t(q->inputs[8])) == std::vector<int32_t>{8, 16});
  CHECK(verify(m.g));
  // The weight DequantizeLinear nodes are now unread; dead-node removes them.
  REQUIRE(pass_dead_node(m.g, ctx));
  CHECK(count(m.g, OpKind::DequantizeLinear) == 0);
  CHECK(m.g.nodes.size() == 1);
}

TEST_CASE("fold-qdq: per-channel weight scales quantize the bias channel by channel", "[passes][fold_qdq]") {
  QdqConv m(/*relu=*/false, {0.5f, 2.0f}, 2);
  REQUIRE(pass_fold_qdq(m.g, ctx));
  const Node* q = find(m.g, OpKind::QLinearConv);
  REQUIRE(q);
  CHECK(q->act.kind == FusedAct::None);
  // {1 / (0.25 * 0.5), 2 / (0.25 * 2)} = {8, 4}
  CHECK(i32_values(m.g.t(q->inputs[8])) == std::vector<int32_t>{8, 4});
}

TEST_CASE("fold-qdq: a bias whose scale is computed, or a scale of the wrong length, stays unfolded",
          "[passes][fold_qdq]") {
  SECTION("weight scale produced by a node (hostile catalogue #1)") {
    QdqConv m(false);
    TensorId ws2 = act(m.g, "ws_computed", {1});
    m.g.nodes.insert(m.g.nodes.begin(), node(OpKind::Relu, {m.ws}, {ws2}, "make_scale"));
    for (Node& n : m.g.nodes)
      if (n.name == "dq_w") n.inputs[1] = ws2;
    auto changed = pass_fold_qdq(m.g, ctx);
    REQUIRE(changed);
    CHECK_FALSE(*changed);
    CHECK(count(m.g, OpKind::Conv) == 1);
  }
  SECTION("per-channel scale of length 3 for 4 output channels (hostile catalogue #4)") {
    QdqConv m(false, {0.5f, 0.5f, 0.5f}, 4);
    auto changed = pass_fold_qdq(m.g, ctx);
    REQUIRE(changed);
    CHECK_FALSE(*changed);
    CHECK(count(m.g, OpKind::QLinearConv) == 0);
  }
  SECTION("a bias that is no int32 at this scale (tiny scale) stays float") {
    QdqConv m(false, {1e-30f}, 2);
    auto changed = pass_fold_qdq(m.g, ctx);
    REQUIRE(changed);
    CHECK_FALSE(*changed);
  }
}

TEST_CASE("fold-qdq: a Q whose float input has a second reader is not folded", "[passes][fold_qdq]") {
  QdqConv m(false);
  TensorId c = m.g.nodes[2].outputs[0];
  TensorId other = act(m.g, "other", {1, 2, 2, 2});
  m.g.nodes.push_back(node(OpKind::Sigmoid, {c}, {other}, "reader"));
  m.g.outputs.push_back(other);
  auto changed = pass_fold_qdq(m.g, ctx);
  REQUIRE(changed);
  CHECK_FALSE(*changed);
  CHECK(count(m.g, OpKind::QuantizeLinear) == 1);
}

TEST_CASE("fold-qdq: Add, Sigmoid, MaxPool and DQ -> Q", "[passes][fold_qdq]") {
  Graph g;
  TensorId aq = typed(g, "aq", DType::I8, {1, 2, 2, 2}), bq = typed(g, "bq", DType::I8, {1, 2, 2, 2});
  TensorId s1 = scalar(g, "s1", 0.5f), z1 = i8c(g, "z1", {}, {1});
  TensorId s2 = scalar(g, "s2", 0.25f), z2 = i8c(g, "z2", {}, {-2});
  TensorId a = act(g, "a", {1, 2, 2, 2}), b = act(g, "b", {1, 2, 2, 2});
  g.inputs = {aq, bq};
  g.nodes.push_back(node(OpKind::DequantizeLinear, {aq, s1, z1}, {a}, "dq_a"));
  g.nodes.push_back(node(OpKind::DequantizeLinear, {bq, s2, z2}, {b}, "dq_b"));
  SECTION("Add -> QLinearAdd with the ONNX Runtime operand order") {
    TensorId sum = act(g, "sum", {1, 2, 2, 2}), y = typed(g, "y", DType::I8, {1, 2, 2, 2});
    g.nodes.push_back(node(OpKind::Add, {a, b}, {sum}, "add"));
    g.nodes.push_back(node(OpKind::QuantizeLinear, {sum, s1, z1}, {y}, "q"));
    g.outputs = {y};
    REQUIRE(pass_fold_qdq(g, ctx));
    const Node* q = find(g, OpKind::QLinearAdd);
    REQUIRE(q);
    CHECK(q->inputs == std::vector<TensorId>{aq, s1, z1, bq, s2, z2, s1, z1});
    CHECK(q->outputs[0] == y);
    CHECK(verify(g));
  }
  SECTION("Sigmoid -> QLinearActivation (a lookup table) named by its function") {
    TensorId sg = act(g, "sg", {1, 2, 2, 2}), y = typed(g, "y", DType::I8, {1, 2, 2, 2});
    g.nodes.push_back(node(OpKind::Sigmoid, {a}, {sg}, "sig"));
    g.nodes.push_back(node(OpKind::QuantizeLinear, {sg, s2, z2}, {y}, "q"));
    g.outputs = {y, b};
    REQUIRE(pass_fold_qdq(g, ctx));
    const Node* q = find(g, OpKind::QLinearActivation);
    REQUIRE(q);
    CHECK(q->attrs.s("function", "") == "Sigmoid");
    CHECK(q->inputs == std::vector<TensorId>{aq, s1, z1, s2, z2});
  }
  SECTION("MaxPool on int8 data: same scale stays one node, another scale adds a Requantize") {
    TensorId mp = act(g, "mp", {1, 2, 1, 1}), y = typed(g, "y", DType::I8, {1, 2, 1, 1});
    const bool same = GENERATE(true, false);
    g.nodes.push_back(node(OpKind::MaxPool, {a}, {mp}, "pool"));
    g.nodes.back().attrs.values["kernel_shape"] = std::vector<int64_t>{2, 2};
    g.nodes.push_back(node(OpKind::QuantizeLinear, {mp, same ? s1 : s2, same ? z1 : z2}, {y}, "q"));
    g.outputs = {y, b};
    REQUIRE(pass_fold_qdq(g, ctx));
    const Node* p = find(g, OpKind::MaxPool);
    REQUIRE(p);
    CHECK(p->inputs[0] == aq);
    CHECK(count(g, OpKind::Requantize) == (same ? 0u : 1u));
    if (!same) {
      const Node* rq = find(g, OpKind::Requantize);
      CHECK(rq->inputs == std::vector<TensorId>{p->outputs[0], s1, z1, s2, z2});
      CHECK(rq->outputs[0] == y);
      CHECK(g.t(p->outputs[0]).dtype == DType::I8);
    } else {
      CHECK(p->outputs[0] == y);
    }
    CHECK(verify(g));
  }
  SECTION("ReduceMean over trailing axes -> QLinearReduceMean; over the channels stays float") {
    const bool hw = GENERATE(true, false);
    TensorId m = act(g, "m", hw ? Shape{1, 2, 1, 1} : Shape{1, 1, 2, 2});
    TensorId y = typed(g, "y", DType::I8, hw ? Shape{1, 2, 1, 1} : Shape{1, 1, 2, 2});
    g.nodes.push_back(node(OpKind::ReduceMean, {a}, {m}, "mean"));
    g.nodes.back().attrs.values["axes"] = hw ? std::vector<int64_t>{-1, 2} : std::vector<int64_t>{1};
    g.nodes.push_back(node(OpKind::QuantizeLinear, {m, s2, z2}, {y}, "q"));
    g.outputs = {y, b};
    REQUIRE(pass_fold_qdq(g, ctx));
    const Node* q = find(g, OpKind::QLinearReduceMean);
    if (hw) {
      REQUIRE(q);
      CHECK(q->inputs == std::vector<TensorId>{aq, s1, z1, s2, z2});
      CHECK(q->attrs.ints("axes") == std::vector<int64_t>{3, 2});
      CHECK(q->outputs[0] == y);
    } else {
      CHECK_FALSE(q);
      CHECK(count(g, OpKind::ReduceMean) == 1);
    }
    CHECK(verify(g));
  }
  SECTION("ConvTranspose -> QLinearConvTranspose with the int32 bias dequantized; auto_pad SAME_UPPER stays float") {
    const bool same_upper = GENERATE(false, true);
    TensorId wq = i8c(g, "wq", {2, 1, 2, 2}, {1, -2, 3, -4, 5, -6, 7, -8});
    TensorId ws = scalar(g, "ws", 0.125f), wz = i8c(g, "wz", {}, {0});
    std::vector<uint8_t> bb(4);
    const int32_t bv = -7;
    std::memcpy(bb.data(), &bv, 4);
    TensorId bias_q = typed(g, "bias_q", DType::I32, {1}, bb);
    TensorId bs = scalar(g, "bs", 0.0625f);
    TensorId w = act(g, "w", {2, 1, 2, 2}), bf = act(g, "bf", {1});
    TensorId ct = act(g, "ct", {1, 1, 4, 4}), y = typed(g, "y", DType::I8, {1, 1, 4, 4});
    g.nodes.push_back(node(OpKind::DequantizeLinear, {wq, ws, wz}, {w}, "dq_w"));
    g.nodes.push_back(node(OpKind::DequantizeLinear, {bias_q, bs}, {bf}, "dq_bias"));
    g.nodes.push_back(node(OpKind::ConvTranspose, {a, w, bf}, {ct}, "up"));
    g.nodes.back().attrs.values["strides"] = std::vector<int64_t>{2, 2};
    if (same_upper) g.nodes.back().attrs.values["auto_pad"] = std::string("SAME_UPPER");
    g.nodes.push_back(node(OpKind::QuantizeLinear, {ct, s2, z2}, {y}, "q"));
    g.outputs = {y, b};
    auto changed = pass_fold_qdq(g, ctx);
    REQUIRE(changed);
    const Node* q = find(g, OpKind::QLinearConvTranspose);
    if (same_upper) {
      CHECK_FALSE(*changed);
      CHECK_FALSE(q);
    } else {
      REQUIRE(q);
      REQUIRE(q->inputs.size() == 9);
      CHECK(std::vector<TensorId>(q->inputs.begin(), q->inputs.begin() + 8) ==
            std::vector<TensorId>{aq, s1, z1, wq, ws, wz, s2, z2});
      const Tensor& bias = g.t(q->inputs[8]);
      CHECK(bias.dtype == DType::F32);
      CHECK(bias.as_f32() == std::vector<float>{-7 * 0.0625f});
      CHECK(q->outputs[0] == y);
      CHECK(verify(g));
    }
  }
  SECTION("a zero Pad becomes a Pad on int8 data padding with the input's zero point") {
    TensorId pads = typed(g, "pads", DType::I64, {8}, std::vector<uint8_t>(64, 0));
    int64_t one = 1;
    std::memcpy(g.t(pads).data->data() + 2 * 8, &one, 8);  // one row on top
    TensorId pv = scalar(g, "pv", 0.0f);
    TensorId pd = act(g, "pd", {1, 2, 3, 2}), y = typed(g, "y", DType::I8, {1, 2, 3, 2});
    g.nodes.push_back(node(OpKind::Pad, {a, pads, pv}, {pd}, "pad"));
    g.nodes.push_back(node(OpKind::QuantizeLinear, {pd, s2, z2}, {y}, "q"));
    g.outputs = {y, b};
    REQUIRE(pass_fold_qdq(g, ctx));
    const Node* p = find(g, OpKind::Pad);
    REQUIRE(p);
    CHECK(p->inputs[0] == aq);
    const Tensor& v = g.t(p->inputs[2]);
    CHECK(v.dtype == DType::I8);
    CHECK(v.as_i64() == std::vector<int64_t>{1});  // z1
    CHECK(count(g, OpKind::Requantize) == 1);       // s2 differs from s1
    CHECK(verify(g));
  }
  SECTION("a Pad with another value or mode stays float") {
    TensorId pads = typed(g, "pads", DType::I64, {8}, std::vector<uint8_t>(64, 0));
    TensorId pv = scalar(g, "pv", 0.5f);
    TensorId pd = act(g, "pd", {1, 2, 2, 2}), y = typed(g, "y", DType::I8, {1, 2, 2, 2});
    g.nodes.push_back(node(OpKind::Pad, {a, pads, pv}, {pd}, "pad"));
    g.nodes.push_back(node(OpKind::QuantizeLinear, {pd, s2, z2}, {y}, "q"));
    g.outputs = {y, b};
    auto changed = pass_fold_qdq(g, ctx);
    REQUIRE(changed);
    CHECK_FALSE(*changed);
  }
  SECTION("Resize: nearest becomes a Resize on int8 data, bilinear carries the quantization in slots 4-7") {
    const bool linear = GENERATE(false, true);
    TensorId sc = cst(g, "sc", {4}, {1.f, 1.f, 2.f, 2.f});
    TensorId rs = act(g, "rs", {1, 2, 4, 4}), y = typed(g, "y", DType::I8, {1, 2, 4, 4});
    g.nodes.push_back(node(OpKind::Resize, {a, kNoTensor, sc}, {rs}, "resize"));
    if (linear) g.nodes.back().attrs.values["mode"] = std::string("linear");
    g.nodes.push_back(node(OpKind::QuantizeLinear, {rs, s1, z1}, {y}, "q"));
    g.outputs = {y, b};
    REQUIRE(pass_fold_qdq(g, ctx));
    const Node* r = find(g, OpKind::Resize);
    REQUIRE(r);
    CHECK(r->inputs[0] == aq);
    CHECK(r->outputs[0] == y);
    CHECK(count(g, OpKind::Requantize) == 0);
    CHECK(r->inputs.size() == (linear ? 8u : 3u));
    if (linear) {
      CHECK(r->inputs[4] == s1);
      CHECK(r->inputs[6] == s1);
      CHECK(g.t(r->inputs[5]).as_i64() == std::vector<int64_t>{1});
    }
    CHECK(verify(g));
  }
  SECTION("DequantizeLinear -> QuantizeLinear becomes a Requantize") {
    TensorId y = typed(g, "y", DType::I8, {1, 2, 2, 2});
    g.nodes.push_back(node(OpKind::QuantizeLinear, {a, s2, z2}, {y}, "q"));
    g.outputs = {y, b};
    REQUIRE(pass_fold_qdq(g, ctx));
    const Node* rq = find(g, OpKind::Requantize);
    REQUIRE(rq);
    CHECK(rq->inputs == std::vector<TensorId>{aq, s1, z1, s2, z2});
    CHECK(count(g, OpKind::QuantizeLinear) == 0);
  }
}

TEST_CASE("fold-qdq: DQ -> Sigmoid -> Q with a run-time output scale stays unfolded", "[passes][fold_qdq]") {
  Graph g;
  TensorId a = typed(g, "a", DType::I8, {4}), xf = act(g, "xf", {4}), sf = act(g, "sf", {4});
  TensorId s = scalar(g, "s", 0.5f), z = i8c(g, "z", {}, {0}), rs = act(g, "rs", {});
  TensorId y = typed(g, "y", DType::I8, {4});
  g.inputs = {a, rs};
  g.nodes.push_back(node(OpKind::DequantizeLinear, {a, s, z}, {xf}, "dq"));
  g.nodes.push_back(node(OpKind::Sigmoid, {xf}, {sf}, "sig"));
  g.nodes.push_back(node(OpKind::QuantizeLinear, {sf, rs, z}, {y}, "q"));
  g.outputs = {y};
  auto r = pass_fold_qdq(g, ctx);
  REQUIRE(r);
  CHECK_FALSE(*r);
  CHECK(g.nodes.size() == 3);
  // The same graph with a constant scale folds (the guard is what keeps it apart).
  g.nodes[2].inputs[1] = s;
  auto r2 = pass_fold_qdq(g, ctx);
  REQUIRE(r2);
  CHECK(*r2);
}

TEST_CASE("fold-qdq: per-axis activations are not folded", "[passes][fold_qdq]") {
  Graph g;
  TensorId xq = typed(g, "xq", DType::I8, {1, 2, 1, 1});
  TensorId s = cst(g, "s", {2}, {0.5f, 0.25f}), z = i8c(g, "z", {2}, {0, 0});
  TensorId x = act(g, "x", {1, 2, 1, 1}), r = act(g, "r", {1, 2, 1, 1}), y = typed(g, "y", DType::I8, {1, 2, 1, 1});
  TensorId ys = scalar(g, "ys", 0.5f), yz = i8c(g, "yz", {}, {0});
  g.inputs = {xq};
  g.nodes.push_back(node(OpKind::DequantizeLinear, {xq, s, z}, {x}, "dq"));
  g.nodes.back().attrs.values["axis"] = int64_t{1};
  g.nodes.push_back(node(OpKind::Sigmoid, {x}, {r}, "sig"));
  g.nodes.push_back(node(OpKind::QuantizeLinear, {r, ys, yz}, {y}, "q"));
  g.outputs = {y};
  auto changed = pass_fold_qdq(g, ctx);
  REQUIRE(changed);
  CHECK_FALSE(*changed);
}

// ---- normalize-int8 ------------------------------------------------------------------------------

TEST_CASE("normalize-int8: uint8 weights flip in place, uint8 API tensors get FlipSign nodes", "[passes][normalize_int8]") {
  Graph g;
  TensorId xq = typed(g, "x", DType::U8, {1, 1, 2, 2});
  TensorId xs = scalar(g, "xs", 0.5f);  // zero point omitted: 0 in uint8
  TensorId wq = u8c(g, "w", {1, 1, 1, 1}, {200});
  TensorId ws = scalar(g, "ws", 0.25f), wz = u8c(g, "wz", {}, {128});
  TensorId ys = scalar(g, "ys", 0.5f), yz = u8c(g, "yz", {}, {10});
  TensorId y = typed(g, "y", DType::U8, {1, 1, 2, 2});
  g.inputs = {xq};
  g.nodes.push_back(node(OpKind::QLinearConv, {xq, xs, kNoTensor, wq, ws, wz, ys, yz}, {y}, "conv"));
  g.outputs = {y};
  auto changed = pass_normalize_int8(g, ctx);
  REQUIRE(changed);
  CHECK(*changed);
  CHECK(verify(g));
  // API unchanged: the graph input and output keep their uint8 tensors and names.
  CHECK(g.t(g.inputs[0]).dtype == DType::U8);
  CHECK(g.t(g.inputs[0]).name == "x");
  CHECK(g.t(g.outputs[0]).dtype == DType::U8);
  CHECK(g.t(g.outputs[0]).name == "y");
  REQUIRE(g.nodes.size() == 3);
  CHECK(g.nodes[0].op == OpKind::FlipSign);
  CHECK(g.nodes[0].inputs[0] == xq);
  CHECK(g.nodes[1].op == OpKind::QLinearConv);
  CHECK(g.nodes[2].op == OpKind::FlipSign);
  CHECK(g.nodes[2].outputs[0] == y);
  const Node& c = g.nodes[1];
  CHECK(c.inputs[0] == g.nodes[0].outputs[0]);
  CHECK(g.t(c.inputs[0]).dtype == DType::I8);
  CHECK(c.outputs[0] == g.nodes[2].inputs[0]);
  CHECK(g.t(c.outputs[0]).dtype == DType::I8);
  // Every constant the kernel reads is int8 now: 200 -> 72, zero points 128 -> 0, 10 -> -118, and
  // the omitted input zero point became an explicit -128.
  auto i8 = [&](TensorId t) {
    REQUIRE(g.t(t).dtype == DType::I8);
    return static_cast<int8_t>((*g.t(t).data)[0]);
  };
  CHECK(i8(c.inputs[3]) == 72);
  CHECK(i8(c.inputs[5]) == 0);
  CHECK(i8(c.inputs[7]) == -118);
  REQUIRE(c.inputs[2] != kNoTensor);
  CHECK(i8(c.inputs[2]) == -128);
}

TEST_CASE("normalize-int8: an int8 model is untouched; an internal uint8 activation is retyped", "[passes][normalize_int8]") {
  Graph g;
  TensorId x = act(g, "x", {4});
  TensorId s = scalar(g, "s", 0.5f), zs8 = i8c(g, "z8", {}, {0});
  TensorId q8 = typed(g, "q8", DType::I8, {4}), y = act(g, "y", {4});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::QuantizeLinear, {x, s, zs8}, {q8}, "q"));
  g.nodes.push_back(node(OpKind::DequantizeLinear, {q8, s, zs8}, {y}, "dq"));
  g.outputs = {y};
  SECTION("int8") {
    auto changed = pass_normalize_int8(g, ctx);
    REQUIRE(changed);
    CHECK_FALSE(*changed);
  }
  SECTION("uint8 in the middle") {
    TensorId zu8 = u8c(g, "zu8", {}, {128});
    g.t(q8).dtype = DType::U8;
    g.nodes[0].inputs[2] = zu8;
    g.nodes[1].inputs[2] = zu8;
    REQUIRE(pass_normalize_int8(g, ctx));
    CHECK(g.nodes.size() == 2);  // no FlipSign inside the graph
    CHECK(g.t(q8).dtype == DType::I8);
    CHECK(g.t(zu8).dtype == DType::I8);
    CHECK(static_cast<int8_t>((*g.t(zu8).data)[0]) == 0);
    CHECK(verify(g));
  }
}

TEST_CASE("normalize-int8: a run-time QuantizeLinear and a Cast keep their uint8 tensors uint8", "[passes][normalize_int8]") {
  // The expanded DynamicQuantizeLinear shape: zp = Cast(float) -> uint8, y = QuantizeLinear(x, scale, zp),
  // zp also to a graph output through an Identity; scale and zp are activations (computed at run time).
  Graph g;
  TensorId x = act(g, "x", {4}), scale = act(g, "scale", {}), zf = act(g, "zf", {});
  TensorId zp = typed(g, "zp", DType::U8, {}), zp_out = typed(g, "zp_out", DType::U8, {});
  TensorId y = typed(g, "y", DType::U8, {4});
  g.inputs = {x, scale, zf};
  g.nodes.push_back(node(OpKind::Cast, {zf}, {zp}, "cast"));
  g.nodes.push_back(node(OpKind::Identity, {zp}, {zp_out}, "id"));
  g.nodes.push_back(node(OpKind::QuantizeLinear, {x, scale, zp}, {y}, "q"));
  g.outputs = {y, zp_out};
  SECTION("kept uint8, no FlipSign") {
    auto changed = pass_normalize_int8(g, ctx);
    REQUIRE(changed);
    CHECK_FALSE(*changed);
    CHECK(g.t(zp).dtype == DType::U8);
    CHECK(g.t(zp_out).dtype == DType::U8);
    CHECK(g.t(y).dtype == DType::U8);
    CHECK(count(g, OpKind::FlipSign) == 0);
  }
  SECTION("without a zero point: an explicit constant one, which the QuantizeLinear does not pin to uint8") {
    g.nodes[2].inputs.resize(2);
    REQUIRE(pass_normalize_int8(g, ctx));
    REQUIRE(g.nodes[2].inputs.size() == 3);
    CHECK(g.t(y).dtype == DType::U8);
    CHECK(g.t(g.nodes[2].inputs[2]).is_constant());  // (lowering reads it back as the uint8 value 0)
  }
  SECTION("the Cast's uint8 result also read by a quantized operator: refused naming it") {
    TensorId s = scalar(g, "s", 0.5f), d = act(g, "d", {});
    g.nodes.push_back(node(OpKind::DequantizeLinear, {zp, s, zp}, {d}, "dq"));
    g.outputs.push_back(d);
    auto r = pass_normalize_int8(g, ctx);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("uint8 tensor 'zp' is used both by") && Catch::Contains("and by other operators"));
  }
}

// ---- layout-nhwc ---------------------------------------------------------------------------------

namespace {
// x (int8, graph input) -> QLinearConv -> a -> [QLinearAdd(a, a)] -> QLinearConv -> y (graph output)
struct ConvChain {
  Graph g;
  TensorId x, a, s, y;
  std::vector<TensorId> qp;
  explicit ConvChain(bool add) {
    x = typed(g, "x", DType::I8, {1, 2, 3, 3});
    a = typed(g, "a", DType::I8, {1, 2, 3, 3});
    s = typed(g, "s", DType::I8, {1, 2, 3, 3});
    y = typed(g, "y", DType::I8, {1, 2, 3, 3});
    TensorId sc = scalar(g, "sc", 0.5f), z = i8c(g, "z", {}, {0});
    TensorId w = i8c(g, "w", {2, 2, 1, 1}, {1, 0, 0, 1});
    g.inputs = {x};
    g.nodes.push_back(node(OpKind::QLinearConv, {x, sc, z, w, sc, z, sc, z}, {a}, "conv1"));
    if (add) g.nodes.push_back(node(OpKind::QLinearAdd, {a, sc, z, a, sc, z, sc, z}, {s}, "add"));
    g.nodes.push_back(node(OpKind::QLinearConv, {add ? s : a, sc, z, w, sc, z, sc, z}, {y}, "conv2"));
    g.outputs = {y};
  }
};
}  // namespace

TEST_CASE("layout-nhwc: int8 convs work in NHWC; the API stays NCHW through Relayout nodes", "[passes][layout]") {
  const bool add = GENERATE(false, true);
  ConvChain m(add);
  auto changed = pass_layout_nhwc(m.g, ctx);
  REQUIRE(changed);
  CHECK(*changed);
  CHECK(verify(m.g));
  CHECK_FALSE(m.g.t(m.x).nhwc);  // graph input and output keep the model's layout
  CHECK_FALSE(m.g.t(m.y).nhwc);
  CHECK(m.g.t(m.a).nhwc);  // written by a native op, read by a native op
  if (add) CHECK(m.g.t(m.s).nhwc);  // the agnostic Add joins its neighbours' layout
  // One Relayout in front of conv1 (x is NCHW), one after conv2 (writes a temporary NHWC tensor).
  REQUIRE(count(m.g, OpKind::Relayout) == 2);
  const Node& first = m.g.nodes.front();
  CHECK(first.op == OpKind::Relayout);
  CHECK(first.inputs[0] == m.x);
  CHECK(m.g.t(first.outputs[0]).nhwc);
  const Node& last = m.g.nodes.back();
  CHECK(last.op == OpKind::Relayout);
  CHECK(last.outputs[0] == m.y);
  CHECK(m.g.t(last.inputs[0]).nhwc);
}

TEST_CASE("layout-nhwc: --input-layout nhwc pins the input NHWC and needs no Relayout in", "[passes][layout]") {
  ConvChain m(false);
  PassContext c;
  c.input_nhwc = true;
  REQUIRE(pass_layout_nhwc(m.g, c));
  CHECK(m.g.t(m.x).nhwc);
  CHECK(m.g.nodes.front().op == OpKind::QLinearConv);
  CHECK(m.g.nodes.front().inputs[0] == m.x);
  CHECK(count(m.g, OpKind::Relayout) == 1);  // only the NCHW output
}

TEST_CASE("layout-nhwc: agnostic int8 ops with no native neighbour stay NCHW", "[passes][layout]") {
  Graph g;
  TensorId x = typed(g, "x", DType::I8, {1, 2, 2, 2}), a = typed(g, "a", DType::I8, {1, 2, 2, 2});
  TensorId y = typed(g, "y", DType::I8, {1, 2, 2, 2});
  TensorId sc = scalar(g, "sc", 0.5f), z = i8c(g, "z", {}, {0});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::QLinearAdd, {x, sc, z, x, sc, z, sc, z}, {a}, "add"));
  g.nodes.push_back(node(OpKind::Requantize, {a, sc, z, sc, z}, {y}, "rq"));
  g.outputs = {y};
  auto changed = pass_layout_nhwc(g, ctx);
  REQUIRE(changed);
  CHECK_FALSE(*changed);
  CHECK_FALSE(g.t(a).nhwc);
  CHECK(count(g, OpKind::Relayout) == 0);
}

// ---- quantized-io --------------------------------------------------------------------------------

namespace {
// x (float) -> Q -> xq -> Sigmoid-table -> yq -> DQ -> y (float): the API of an int8 model.
struct QioModel {
  Graph g;
  TensorId x, xq, yq, y, s, z;
  QioModel() {
    x = act(g, "x", {1, 4});
    xq = typed(g, "x_quantized", DType::I8, {1, 4});
    yq = typed(g, "y_quantized", DType::I8, {1, 4});
    y = act(g, "y", {1, 4});
    s = scalar(g, "s", 0.5f);
    z = i8c(g, "z", {}, {-3});
    g.inputs = {x};
    g.nodes.push_back(node(OpKind::QuantizeLinear, {x, s, z}, {xq}, "q"));
    g.nodes.push_back(node(OpKind::QLinearActivation, {xq, s, z, s, z}, {yq}, "act"));
    g.nodes.back().attrs.values["function"] = std::string("Sigmoid");
    g.nodes.push_back(node(OpKind::DequantizeLinear, {yq, s, z}, {y}, "dq"));
    g.outputs = {y};
  }
};
}  // namespace

TEST_CASE("quantized-io: off by default", "[passes][quantized_io]") {
  QioModel m;
  auto changed = pass_quantized_io(m.g, ctx);
  REQUIRE(changed);
  CHECK_FALSE(*changed);
  CHECK(m.g.nodes.size() == 3);
}

TEST_CASE("quantized-io: the API takes and returns the quantized tensors under the model's names",
          "[passes][quantized_io]") {
  QioModel m;
  PassContext c;
  c.quantized_io = true;
  auto changed = pass_quantized_io(m.g, c);
  REQUIRE(changed);
  CHECK(*changed);
  CHECK(verify(m.g));
  REQUIRE(m.g.nodes.size() == 1);
  CHECK(m.g.nodes[0].op == OpKind::QLinearActivation);
  CHECK(m.g.inputs == std::vector<TensorId>{m.xq});
  CHECK(m.g.outputs == std::vector<TensorId>{m.yq});
  CHECK(m.g.t(m.xq).name == "x");
  CHECK(m.g.t(m.yq).name == "y");
  CHECK(m.g.t(m.x).name == "x_float");
  REQUIRE(m.g.io_quant.count(m.xq));
  CHECK(m.g.io_quant[m.xq].scale == 0.5f);
  CHECK(m.g.io_quant[m.xq].zero_point == -3);
  REQUIRE(m.g.io_quant.count(m.yq));
  CHECK(m.g.io_quant[m.yq].zero_point == -3);
}

TEST_CASE("quantized-io: inputs read as floats, or quantized two ways, stay float", "[passes][quantized_io]") {
  QioModel m;
  PassContext c;
  c.quantized_io = true;
  SECTION("a second reader that is not a QuantizeLinear") {
    TensorId e = act(m.g, "e", {1, 4});
    m.g.nodes.push_back(node(OpKind::Relu, {m.x}, {e}, "float_reader"));
    m.g.outputs.push_back(e);
  }
  SECTION("a second QuantizeLinear with another scale") {
    TensorId s2 = scalar(m.g, "s2", 0.25f), q2 = typed(m.g, "q2", DType::I8, {1, 4}), d2 = act(m.g, "d2", {1, 4});
    m.g.nodes.insert(m.g.nodes.begin() + 1, node(OpKind::QuantizeLinear, {m.x, s2, m.z}, {q2}, "q2"));
    m.g.nodes.push_back(node(OpKind::DequantizeLinear, {q2, s2, m.z}, {d2}, "dq2"));
    m.g.outputs.push_back(d2);
  }
  REQUIRE(pass_quantized_io(m.g, c));
  CHECK(m.g.inputs == std::vector<TensorId>{m.x});
  CHECK(m.g.t(m.x).name == "x");
  CHECK(m.g.t(m.x).dtype == DType::F32);
  CHECK(verify(m.g));
}
