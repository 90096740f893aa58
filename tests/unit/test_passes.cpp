// Pass tests: build a tiny graph, run one pass, assert the rewritten graph (Glow GraphOptzTest style).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/lower.h"
#include "passes/pass.h"
#include "unit/graph_builder.h"

using namespace ferrite;
using namespace ferrite::testing;

namespace {
const PassContext ctx;

// Runs the graph's nodes on the host with the runtime kernels (a tiny interpreter for tests).
std::vector<float> evaluate(const Graph& g, const std::vector<float>& input) {
  std::vector<std::vector<float>> vals(g.tensors.size());
  for (size_t i = 0; i < g.tensors.size(); ++i)
    if (g.tensors[i].is_constant()) vals[i] = g.tensors[i].as_f32();
  vals[static_cast<size_t>(g.inputs[0])] = input;
  for (const Node& n : g.nodes) {
    auto l = lower_node(g, n);
    REQUIRE(l);
    for (TensorId o : n.outputs) vals[static_cast<size_t>(o)].assign(static_cast<size_t>(g.t(o).numel()), 0.f);
    if (l->alias) {
      vals[static_cast<size_t>(n.outputs[0])] = vals[static_cast<size_t>(n.inputs[0])];
      continue;
    }
    std::vector<float> scratch(l->scratch_bytes / 4 + 1);
    for (const auto& c : l->calls) {
      std::vector<void*> args;
      for (const auto& op : c.args)
        args.push_back(op.kind == Operand::Kind::Null      ? nullptr
                       : op.kind == Operand::Kind::Scratch ? static_cast<void*>(scratch.data())
                                                           : static_cast<void*>(vals[static_cast<size_t>(op.id)].data()));
      REQUIRE(execute_host(c, args));
    }
  }
  return vals[static_cast<size_t>(g.outputs[0])];
}
}  // namespace

TEST_CASE("BatchNorm folds into the preceding Conv and keeps the numbers", "[passes][batchnorm]") {
  Graph g;
  TensorId x = act(g, "x", {1, 1, 3, 3});
  TensorId w = cst(g, "w", {2, 1, 1, 1}, {2.f, -1.f});
  TensorId b = cst(g, "b", {2}, {0.5f, 1.f});
  TensorId c = act(g, "c", {1, 2, 3, 3});
  TensorId y = act(g, "y", {1, 2, 3, 3});
  TensorId scale = cst(g, "scale", {2}, {1.5f, 0.5f}), bias = cst(g, "bias", {2}, {0.f, 2.f});
  TensorId mean = cst(g, "mean", {2}, {1.f, -1.f}), var = cst(g, "var", {2}, {4.f, 1.f});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::Conv, {x, w, b}, {c}, "conv"));
  g.nodes.push_back(node(OpKind::BatchNormalization, {c, scale, bias, mean, var}, {y}, "bn"));
  g.nodes.back().attrs.values["epsilon"] = 0.0f;
  g.outputs = {y};
  std::vector<float> in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  auto before = evaluate(g, in);
  auto changed = pass_fold_batchnorm(g, ctx);
  REQUIRE(changed);
  CHECK(*changed);
  REQUIRE(g.nodes.size() == 1);
  CHECK(g.nodes[0].op == OpKind::Conv);
  CHECK(g.nodes[0].outputs[0] == y);  // the graph output keeps its tensor
  CHECK(verify(g));
  auto after = evaluate(g, in);
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < after.size(); ++i) CHECK(after[i] == Approx(before[i]).epsilon(1e-6));
}

TEST_CASE("BatchNorm whose input has two consumers is not folded", "[passes][batchnorm]") {
  Graph g;
  TensorId x = act(g, "x", {1, 1, 2, 2});
  TensorId w = cst(g, "w", {1, 1, 1, 1}, {2.f});
  TensorId c = act(g, "c", {1, 1, 2, 2}), y = act(g, "y", {1, 1, 2, 2}), z = act(g, "z", {1, 1, 2, 2});
  TensorId one = cst(g, "one", {1}, {1.f}), zero = cst(g, "zero", {1}, {0.f});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::Conv, {x, w}, {c}, "conv"));
  g.nodes.push_back(node(OpKind::BatchNormalization, {c, one, zero, zero, one}, {y}, "bn"));
  g.nodes.push_back(node(OpKind::Add, {c, y}, {z}, "add"));
  g.outputs = {z};
  auto changed = pass_fold_batchnorm(g, ctx);
  REQUIRE(changed);
  CHECK_FALSE(*changed);
  CHECK(g.nodes.size() == 3);
}

TEST_CASE("Relu and Clip fuse into Conv; a shared producer does not", "[passes][fusion]") {
  Graph g;
  TensorId x = act(g, "x", {1, 1, 2, 2});
  TensorId w = cst(g, "w", {1, 1, 1, 1}, {-2.f});
  TensorId c = act(g, "c", {1, 1, 2, 2}), r = act(g, "r", {1, 1, 2, 2});
  TensorId lo = cst(g, "lo", {}, {0.f}), hi = cst(g, "hi", {}, {6.f});
  TensorId c2 = act(g, "c2", {1, 1, 2, 2}), r2 = act(g, "r2", {1, 1, 2, 2}), s = act(g, "s", {1, 1, 2, 2});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::Conv, {x, w}, {c}, "conv"));
  g.nodes.push_back(node(OpKind::Clip, {c, lo, hi}, {r}, "relu6"));
  g.nodes.push_back(node(OpKind::Conv, {r, w}, {c2}, "conv2"));
  g.nodes.push_back(node(OpKind::Relu, {c2}, {r2}, "relu"));
  g.nodes.push_back(node(OpKind::Add, {c2, r2}, {s}, "add"));  // c2 has two consumers
  g.outputs = {s};
  auto changed = pass_fuse_activation(g, ctx);
  REQUIRE(changed);
  CHECK(*changed);
  REQUIRE(g.nodes.size() == 4);
  CHECK(g.nodes[0].act.kind == FusedAct::Clip);
  CHECK(g.nodes[0].act.hi == 6.f);
  CHECK(g.nodes[0].outputs[0] == r);
  CHECK(g.nodes[1].act.kind == FusedAct::None);
  CHECK(g.nodes[2].op == OpKind::Relu);
  CHECK(verify(g));
}

TEST_CASE("Identity is removed and graph output names survive", "[passes][identity]") {
  Graph g;
  TensorId x = act(g, "x", {4}), a = act(g, "a", {4}), b = act(g, "b", {4}), y = act(g, "y", {4});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::Relu, {x}, {a}, "relu"));
  g.nodes.push_back(node(OpKind::Identity, {a}, {b}, "id1"));
  g.nodes.push_back(node(OpKind::Sigmoid, {b}, {y}, "sig"));
  TensorId y2 = act(g, "y2", {4});
  g.nodes.push_back(node(OpKind::Identity, {y}, {y2}, "id2"));
  g.outputs = {y2};
  auto changed = pass_remove_identity(g, ctx);
  REQUIRE(changed);
  CHECK(*changed);
  REQUIRE(g.nodes.size() == 2);
  CHECK(g.nodes[1].inputs[0] == a);
  CHECK(g.nodes[1].outputs[0] == y2);
  CHECK(g.outputs[0] == y2);
  CHECK(verify(g));
}

TEST_CASE("constant folding evaluates constant subgraphs with the runtime kernels", "[passes][fold]") {
  Graph g;
  TensorId x = act(g, "x", {2});
  TensorId k1 = cst(g, "k1", {2}, {1.f, 2.f}), k2 = cst(g, "k2", {2}, {10.f, 20.f});
  TensorId k = act(g, "k", {2}), y = act(g, "y", {2});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::Mul, {k1, k2}, {k}, "mul"));
  g.nodes.push_back(node(OpKind::Add, {x, k}, {y}, "add"));
  g.outputs = {y};
  auto changed = pass_constant_fold(g, ctx);
  REQUIRE(changed);
  CHECK(*changed);
  REQUIRE(g.nodes.size() == 1);
  REQUIRE(g.t(k).is_constant());
  CHECK(g.t(k).as_f32() == std::vector<float>{10.f, 40.f});
}

TEST_CASE("dead nodes are removed", "[passes][dead]") {
  Graph g;
  TensorId x = act(g, "x", {2}), a = act(g, "a", {2}), b = act(g, "b", {2}), y = act(g, "y", {2});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::Relu, {x}, {a}, "unused1"));
  g.nodes.push_back(node(OpKind::Sigmoid, {a}, {b}, "unused2"));
  g.nodes.push_back(node(OpKind::Tanh, {x}, {y}, "used"));
  g.outputs = {y};
  auto changed = pass_dead_node(g, ctx);
  REQUIRE(changed);
  CHECK(*changed);
  REQUIRE(g.nodes.size() == 1);
  CHECK(g.nodes[0].name == "used");
}

TEST_CASE("the verifier rejects use before definition", "[ir]") {
  Graph g;
  TensorId x = act(g, "x", {2}), a = act(g, "a", {2}), y = act(g, "y", {2});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::Relu, {a}, {y}, "r"));
  g.nodes.push_back(node(OpKind::Relu, {x}, {a}, "r0"));
  g.outputs = {y};
  Status st = verify(g);
  REQUIRE_FALSE(st);
  CHECK(st.error().message.find("before it is produced") != std::string::npos);
}

TEST_CASE("x * Sigmoid(x) becomes one Silu node with the same bits", "[passes][swish]") {
  Graph g;
  TensorId x = act(g, "x", {1, 8}), s = act(g, "s", {1, 8}), y = act(g, "y", {1, 8});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::Sigmoid, {x}, {s}, "sig"));
  g.nodes.push_back(node(OpKind::Mul, {s, x}, {y}, "mul"));  // gate first: either operand order
  g.outputs = {y};
  std::vector<float> in = {-9.5f, -3.25f, -1.f, -0.1f, 0.f, 0.3f, 2.75f, 17.f};
  auto before = evaluate(g, in);
  auto changed = pass_fuse_swish(g, ctx);
  REQUIRE(changed);
  CHECK(*changed);
  REQUIRE(g.nodes.size() == 1);
  CHECK(g.nodes[0].op == OpKind::Silu);
  CHECK(g.nodes[0].inputs[0] == x);
  CHECK(g.nodes[0].outputs[0] == y);
  CHECK(verify(g));
  auto after = evaluate(g, in);
  CHECK(std::memcmp(before.data(), after.data(), before.size() * 4) == 0);
}

TEST_CASE("x * HardSigmoid(x) fuses only with HardSwish's constants", "[passes][swish]") {
  for (float alpha : {1.0f / 6.0f, 0.2f}) {
    Graph g;
    TensorId x = act(g, "x", {1, 8}), s = act(g, "s", {1, 8}), y = act(g, "y", {1, 8});
    g.inputs = {x};
    g.nodes.push_back(node(OpKind::HardSigmoid, {x}, {s}, "hsig"));
    g.nodes.back().attrs.values["alpha"] = alpha;
    g.nodes.back().attrs.values["beta"] = 0.5f;
    g.nodes.push_back(node(OpKind::Mul, {x, s}, {y}, "mul"));
    g.outputs = {y};
    std::vector<float> in = {-9.5f, -3.f, -1.f, -0.1f, 0.f, 0.3f, 2.75f, 3.5f};
    auto before = evaluate(g, in);
    auto changed = pass_fuse_swish(g, ctx);
    REQUIRE(changed);
    CHECK(*changed == (alpha != 0.2f));
    if (alpha == 0.2f) continue;
    REQUIRE(g.nodes.size() == 1);
    CHECK(g.nodes[0].op == OpKind::HardSwish);
    auto after = evaluate(g, in);
    CHECK(std::memcmp(before.data(), after.data(), before.size() * 4) == 0);
  }
}

TEST_CASE("a gate read elsewhere, or of another tensor, is not fused", "[passes][swish]") {
  Graph g;
  TensorId x = act(g, "x", {1, 4}), z = act(g, "z", {1, 4}), s = act(g, "s", {1, 4}), y = act(g, "y", {1, 4});
  TensorId s2 = act(g, "s2", {1, 4}), y2 = act(g, "y2", {1, 4});
  g.inputs = {x, z};
  g.nodes.push_back(node(OpKind::Sigmoid, {x}, {s}, "sig"));
  g.nodes.push_back(node(OpKind::Mul, {x, s}, {y}, "mul"));
  g.nodes.push_back(node(OpKind::Sigmoid, {z}, {s2}, "sig2"));
  g.nodes.push_back(node(OpKind::Mul, {x, s2}, {y2}, "mul2"));  // x * Sigmoid(z): not a swish
  g.outputs = {y, s, y2};                                           // s is also a graph output
  auto changed = pass_fuse_swish(g, ctx);
  REQUIRE(changed);
  CHECK(!*changed);
  CHECK(g.nodes.size() == 4);
}

namespace {
// n inputs over [-6, 6), unevenly spaced.
std::vector<float> ramp(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = -6.f + 12.f * static_cast<float>(i) / static_cast<float>(n) + 0.0137f * (i % 3);
  return v;
}
}  // namespace

TEST_CASE("GELU (erf form, torch's arrangement) becomes one Pointwise node with the same bits", "[passes][pointwise]") {
  Graph g;
  const Shape s = {1, 40};
  TensorId x = act(g, "x", s), t = act(g, "t", s), e = act(g, "e", s), a = act(g, "a", s), m = act(g, "m", s);
  TensorId y = act(g, "y", s);
  TensorId sqrt2 = cst(g, "sqrt2", {}, {1.4142135f}), one = cst(g, "one", {}, {1.f}), half = cst(g, "half", {}, {0.5f});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::Div, {x, sqrt2}, {t}, "div"));
  g.nodes.push_back(node(OpKind::Erf, {t}, {e}, "erf"));
  g.nodes.push_back(node(OpKind::Add, {e, one}, {a}, "add"));
  g.nodes.push_back(node(OpKind::Mul, {x, a}, {m}, "mul"));
  g.nodes.push_back(node(OpKind::Mul, {m, half}, {y}, "mul2"));
  g.outputs = {y};
  const auto in = ramp(40);
  auto before = evaluate(g, in);
  auto changed = pass_fuse_pointwise(g, ctx);
  REQUIRE(changed);
  CHECK(*changed);
  REQUIRE(g.nodes.size() == 1);
  CHECK(g.nodes[0].op == OpKind::Pointwise);
  CHECK(g.nodes[0].inputs == std::vector<TensorId>{x});
  CHECK(g.nodes[0].outputs[0] == y);
  CHECK(verify(g));
  auto after = evaluate(g, in);
  CHECK(std::memcmp(before.data(), after.data(), before.size() * 4) == 0);
}

TEST_CASE("Mish as x * Tanh(Log(1 + Exp(x))) and with Softplus fuse; a chain read elsewhere does not",
          "[passes][pointwise]") {
  for (int form = 0; form < 3; ++form) {
    Graph g;
    const Shape s = {2, 20};
    TensorId x = act(g, "x", s), sp = act(g, "sp", s), th = act(g, "th", s), y = act(g, "y", s);
    g.inputs = {x};
    if (form == 0) {
      g.nodes.push_back(node(OpKind::Softplus, {x}, {sp}, "softplus"));
    } else {
      TensorId ex = act(g, "ex", s), ad = act(g, "ad", s), one = cst(g, "one", {1}, {1.f});
      g.nodes.push_back(node(OpKind::Exp, {x}, {ex}, "exp"));
      g.nodes.push_back(node(OpKind::Add, {one, ex}, {ad}, "add"));
      g.nodes.push_back(node(OpKind::Log, {ad}, {sp}, "log"));
    }
    g.nodes.push_back(node(OpKind::Tanh, {sp}, {th}, "tanh"));
    g.nodes.push_back(node(OpKind::Mul, {x, th}, {y}, "mul"));
    g.outputs = {y};
    if (form == 2) g.outputs.push_back(sp);  // an intermediate is a graph output: the head stays
    const auto in = ramp(40);
    auto before = evaluate(g, in);
    const size_t nodes = g.nodes.size();
    auto changed = pass_fuse_pointwise(g, ctx);
    REQUIRE(changed);
    if (form == 2) {
      // Exp -> Add -> Log reads x once and Tanh -> Mul reads two tensors: nothing is worth fusing.
      CHECK(!*changed);
      CHECK(g.nodes.size() == nodes);
      continue;
    }
    REQUIRE(g.nodes.size() == 1);
    CHECK(g.nodes[0].op == OpKind::Pointwise);
    auto after = evaluate(g, in);
    CHECK(std::memcmp(before.data(), after.data(), before.size() * 4) == 0);
  }
}

TEST_CASE("decomposed LayerNorm becomes one LayerNormalization with the same bits", "[passes][layernorm]") {
  for (int variant = 0; variant < 3; ++variant) {  // 0: affine, 1: no affine, 2: a middle axis (not fused)
    Graph g;
    const Shape s = {4, 10};
    const Shape r = variant == 2 ? Shape{1, 10} : Shape{4, 1};
    TensorId x = act(g, "x", s), m = act(g, "m", r), d = act(g, "d", s), p = act(g, "p", s), v = act(g, "v", r);
    TensorId ve = act(g, "ve", r), sd = act(g, "sd", r), q = act(g, "q", s);
    TensorId two = cst(g, "two", {}, {2.f}), eps = cst(g, "eps", {}, {1e-5f});
    std::vector<float> gv(10), bv(10);
    for (int i = 0; i < 10; ++i) gv[static_cast<size_t>(i)] = 0.5f + 0.1f * i, bv[static_cast<size_t>(i)] = -0.3f * i;
    TensorId gamma = cst(g, "gamma", {10}, gv), beta = cst(g, "beta", {10}, bv);
    g.inputs = {x};
    auto mean = [&](TensorId in, TensorId out, const char* name) {
      g.nodes.push_back(node(OpKind::ReduceMean, {in}, {out}, name));
      g.nodes.back().attrs.values["axes"] = std::vector<int64_t>{variant == 2 ? 0 : -1};
    };
    mean(x, m, "mean1");
    g.nodes.push_back(node(OpKind::Sub, {x, m}, {d}, "sub"));
    g.nodes.push_back(node(OpKind::Pow, {d, two}, {p}, "pow"));
    mean(p, v, "mean2");
    g.nodes.push_back(node(OpKind::Add, {v, eps}, {ve}, "add"));
    g.nodes.push_back(node(OpKind::Sqrt, {ve}, {sd}, "sqrt"));
    g.nodes.push_back(node(OpKind::Div, {d, sd}, {q}, "div"));
    TensorId y = q;
    if (variant != 1) {
      TensorId ys = act(g, "ys", s);
      y = act(g, "y", s);
      g.nodes.push_back(node(OpKind::Mul, {q, gamma}, {ys}, "mul"));
      g.nodes.push_back(node(OpKind::Add, {beta, ys}, {y}, "addb"));
    }
    g.outputs = {y};
    std::vector<float> in = ramp(40);
    in[7] = 1e4f;  // a large value in one row
    auto before = evaluate(g, in);
    auto changed = pass_fuse_layernorm(g, ctx);
    REQUIRE(changed);
    if (variant == 2) {
      CHECK(!*changed);
      continue;
    }
    CHECK(*changed);
    REQUIRE(g.nodes.size() == 1);
    CHECK(g.nodes[0].op == OpKind::LayerNormalization);
    CHECK(g.nodes[0].outputs[0] == y);
    CHECK(verify(g));
    auto after = evaluate(g, in);
    CHECK(std::memcmp(before.data(), after.data(), before.size() * 4) == 0);
  }
}

// The other LayerNorm expansions (passes/fuse_layernorm.cpp): the variance as ReduceMean(d * d), as
// ReduceMean(x * x) - m * m (ONNX's function body; each square Mul or Pow) or over a twin mean and
// deviation (torch's x.var(unbiased=False)), the normalization as
// d * Reciprocal(s) or d * Div(1, s), operands of Add/Mul in either order. Each fuses into one
// LayerNormalization with the unfused graph's bits; the near misses stay unfused.
TEST_CASE("LayerNorm in ONNX's function body and other exporters' forms fuses with the same bits",
          "[passes][layernorm]") {
  enum Var { DevPow, DevMul, SqMulMul, SqPowPow, SqMulPow, SqPowMul, DevTwin };
  enum Norm { Div, Recip, DivOne };
  struct Case {
    Var var;
    Norm norm;
    bool swap;  // Add(eps, v), Mul(r, d), Mul(scale, y), no bias
    const char* spoil;  // what breaks the pattern (nullptr: fuses)
  };
  const std::vector<Case> cases = {
      {DevPow, Recip, false, nullptr},  {DevMul, Div, false, nullptr},     {DevMul, Recip, true, nullptr},
      {DevMul, DivOne, false, nullptr}, {SqMulMul, Div, false, nullptr},   {SqMulMul, Recip, true, nullptr},
      {SqPowPow, DivOne, true, nullptr}, {SqMulPow, Div, false, nullptr},  {SqPowMul, Recip, false, nullptr},
      {SqMulMul, Div, false, "dead"},   // a dead Reciprocal(s) (ONNX's InvStdDev) is swept, then it fuses
      {SqMulMul, Div, false, "var_order"}, {SqMulMul, Div, false, "mean_output"},
      {DevMul, DivOne, false, "two"},   {DevMul, Recip, false, "recip_output"},
      {SqPowPow, Div, false, "cube"},   {DevMul, Div, false, "x_times_d"},
      {DevTwin, Div, false, nullptr},   {DevTwin, DivOne, true, nullptr},  {DevTwin, Div, false, "twin_axes"}};
  int fused = 0;
  for (const Case& k : cases) {
    INFO("case " << &k - cases.data());
    Graph g;
    const Shape s = {3, 2, 8}, r = {3, 1, 1};
    const bool sq = k.var >= SqMulMul && k.var != DevTwin;
    TensorId x = act(g, "x", s), m = act(g, "m", r), d = act(g, "d", s), v = act(g, "v", r);
    TensorId ve = act(g, "ve", r), sd = act(g, "sd", r), q = act(g, "q", s);
    TensorId two = cst(g, "two", {}, {2.f}), three = cst(g, "three", {1}, {3.f}), eps = cst(g, "eps", {1}, {1e-3f});
    std::vector<float> gv(16), bv(16);
    for (size_t i = 0; i < 16; ++i) gv[i] = 0.5f + 0.1f * static_cast<float>(i), bv[i] = -0.3f * static_cast<float>(i);
    TensorId gamma = cst(g, "gamma", {1, 2, 8}, gv), beta = cst(g, "beta", {2, 8}, bv);
    g.inputs = {x};
    const bool spoil = k.spoil != nullptr && std::strcmp(k.spoil, "dead") != 0;
    auto is = [&](const char* w) { return k.spoil != nullptr && std::strcmp(k.spoil, w) == 0; };
    auto mean = [&](TensorId in, TensorId out, const char* name) {
      g.nodes.push_back(node(OpKind::ReduceMean, {in}, {out}, name));
      g.nodes.back().attrs.values["axes"] = std::vector<int64_t>{-2, -1};
    };
    auto square = [&](TensorId t, TensorId out, bool mul, const char* name) {
      if (mul)
        g.nodes.push_back(node(OpKind::Mul, {t, t}, {out}, name));
      else
        g.nodes.push_back(node(OpKind::Pow, {t, is("cube") && t == m ? three : two}, {out}, name));
    };
    if (k.var == DevTwin) {  // x.var(unbiased=False) after the user's mean: its own mean and deviation
      TensorId m2 = act(g, "m2", is("twin_axes") ? Shape{3, 2, 1} : r), d2 = act(g, "d2", s), dd = act(g, "dd", s);
      mean(x, m, "mean");
      mean(x, m2, "var_mean");
      if (is("twin_axes")) g.nodes.back().attrs.values["axes"] = std::vector<int64_t>{-1};
      g.nodes.push_back(node(OpKind::Sub, {x, m}, {d}, "dev"));
      g.nodes.push_back(node(OpKind::Sub, {x, m2}, {d2}, "var_dev"));
      g.nodes.push_back(node(OpKind::Mul, {d2, d2}, {dd}, "var_sq"));
      mean(dd, v, "var");
    } else if (sq) {  // ONNX's order: x * x before the Sub
      TensorId xx = act(g, "xx", s), ms = act(g, "ms", r), mm = act(g, "mm", r);
      mean(x, m, "mean");
      square(x, xx, k.var == SqMulMul || k.var == SqMulPow, "sqx");
      mean(xx, ms, "mean_sq");
      square(m, mm, k.var == SqMulMul || k.var == SqPowMul, "sqm");
      g.nodes.push_back(node(OpKind::Sub, is("var_order") ? std::vector<TensorId>{mm, ms} : std::vector<TensorId>{ms, mm},
                             {v}, "var"));
      g.nodes.push_back(node(OpKind::Sub, {x, m}, {d}, "dev"));
    } else {
      TensorId dd = act(g, "dd", s);
      mean(x, m, "mean");
      g.nodes.push_back(node(OpKind::Sub, {x, m}, {d}, "dev"));
      if (is("x_times_d"))
        g.nodes.push_back(node(OpKind::Mul, {x, d}, {dd}, "sqd"));
      else
        square(d, dd, k.var == DevMul, "sqd");
      mean(dd, v, "mean_sq");
    }
    g.nodes.push_back(node(OpKind::Add, k.swap ? std::vector<TensorId>{eps, v} : std::vector<TensorId>{v, eps}, {ve}, "add"));
    g.nodes.push_back(node(OpKind::Sqrt, {ve}, {sd}, "sqrt"));
    TensorId rc = kNoTensor;
    if (k.norm == Div) {
      g.nodes.push_back(node(OpKind::Div, {d, sd}, {q}, "div"));
    } else {
      rc = act(g, "rc", r);
      if (k.norm == Recip)
        g.nodes.push_back(node(OpKind::Reciprocal, {sd}, {rc}, "recip"));
      else
        g.nodes.push_back(node(OpKind::Div, {is("two") ? two : cst(g, "one", {}, {1.f}), sd}, {rc}, "div1"));
      g.nodes.push_back(node(OpKind::Mul, k.swap ? std::vector<TensorId>{rc, d} : std::vector<TensorId>{d, rc}, {q}, "mul"));
    }
    if (is("dead")) g.nodes.push_back(node(OpKind::Reciprocal, {sd}, {act(g, "inv_std", r)}, "inv_std"));
    TensorId y = act(g, "ys", s);
    g.nodes.push_back(node(OpKind::Mul, k.swap ? std::vector<TensorId>{gamma, q} : std::vector<TensorId>{q, gamma}, {y},
                           "scale"));
    if (!k.swap) {
      TensorId yb = act(g, "y", s);
      g.nodes.push_back(node(OpKind::Add, {y, beta}, {yb}, "bias"));
      y = yb;
    }
    g.outputs = {y};
    if (is("mean_output")) g.outputs.push_back(m);
    if (is("recip_output")) g.outputs.push_back(rc);
    // Rows of different offsets and spreads, values that round differently in each form.
    std::vector<float> in(48);
    uint32_t seed = 12345;
    for (size_t i = 0; i < in.size(); ++i) {
      seed = seed * 1664525u + 1013904223u;
      in[i] = static_cast<float>(seed >> 8) / 16777216.0f * (i < 16 ? 1.f : i < 32 ? 30.f : 0.01f) + (i < 32 ? 0.f : 5.f);
    }
    auto before = evaluate(g, in);
    auto changed = pass_fuse_layernorm(g, ctx);
    REQUIRE(changed);
    CHECK(verify(g));
    const bool has_ln = std::any_of(g.nodes.begin(), g.nodes.end(),
                                    [](const Node& n) { return n.op == OpKind::LayerNormalization; });
    if (spoil) {
      CHECK(!has_ln);
      continue;
    }
    REQUIRE(g.nodes.size() == 1);
    CHECK(g.nodes[0].op == OpKind::LayerNormalization);
    CHECK(g.nodes[0].inputs[0] == x);
    CHECK(g.nodes[0].outputs[0] == y);
    CHECK(g.nodes[0].attrs.i("mean_of_squares", -1) == (sq ? 1 : 0));
    CHECK(g.nodes[0].attrs.i("reciprocal", -1) == (k.norm == Div ? 0 : 1));
    auto after = evaluate(g, in);
    CHECK(std::memcmp(before.data(), after.data(), before.size() * 4) == 0);
    ++fused;
  }
  CHECK(fused == 12);
}
