// Legality of the channel-streamed inverted bottleneck fusion (passes/bottleneck.h) on hand-built
// lowered chains: only expand 1x1 -> depthwise -> project 1x1 whose intermediates have no other
// reader and are not graph outputs; chains do not overlap; the fused layer's scratch and MACs.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "ops/kernel_params.h"
#include "passes/bottleneck.h"
#include "target/target.h"
#include "unit/graph_builder.h"

using namespace ferrite;

namespace {

TensorId s8(Graph& g, const char* name, Shape s) {
  Tensor t;
  t.name = name;
  t.dtype = DType::I8;
  t.shape = std::move(s);
  return g.add_tensor(std::move(t));
}

// A lowered int8 conv call of the given kernel from x to y (weights etc. omitted: not inspected).
Lowered conv(KernelId fn, TensorId x, TensorId y, int32_t cin, int32_t cout, int32_t h, int32_t k, uint64_t macs) {
  ferrite_rt::ConvS8Params p{};
  p.n = 1; p.c_in = cin; p.c_out = cout; p.h_in = p.w_in = p.h_out = p.w_out = h;
  p.kh = p.kw = k; p.stride_h = p.stride_w = p.dil_h = p.dil_w = 1; p.pad_top = p.pad_left = k / 2;
  p.group = k == 1 ? 1 : cin;
  KernelCall c;
  c.kernel = fn;
  c.params = p;
  c.args = {Operand::tensor(x), Operand::null(), Operand::null(), Operand::null(), Operand::tensor(y)};
  Lowered l;
  l.calls.push_back(c);
  l.macs = macs;
  return l;
}

struct Chain {
  Graph g;
  std::vector<Lowered> lowered;
  TensorId x, e, d, p;
};

// x [1,8,10,10] -> expand 1x1 to 48 -> depthwise 3x3 -> project 1x1 to 8 = p (graph output).
Chain make_chain() {
  Chain c;
  c.x = s8(c.g, "x", {1, 8, 10, 10});
  c.e = s8(c.g, "e", {1, 48, 10, 10});
  c.d = s8(c.g, "d", {1, 48, 10, 10});
  c.p = s8(c.g, "p", {1, 8, 10, 10});
  c.g.inputs = {c.x};
  c.g.outputs = {c.p};
  for (auto [name, in, out] : {std::tuple{"expand", c.x, c.e}, {"dw", c.e, c.d}, {"project", c.d, c.p}}) {
    Node n;
    n.op = OpKind::QLinearConv;
    n.name = name;
    n.inputs = {in};
    n.outputs = {out};
    c.g.nodes.push_back(n);
  }
  c.lowered = {conv(KernelId::conv1x1_s8_nhwc, c.x, c.e, 8, 48, 10, 1, 100),
               conv(KernelId::dwconv_s8_nhwc, c.e, c.d, 48, 48, 10, 3, 20),
               conv(KernelId::conv1x1_s8_nhwc, c.d, c.p, 48, 8, 10, 1, 300)};
  return c;
}

TEST_CASE("an expand -> depthwise -> project chain fuses into one layer", "[bottleneck]") {
  Chain c = make_chain();
  REQUIRE(find_bottlenecks(c.g, c.lowered) == std::vector<size_t>{0});
  CHECK(find_bottlenecks(c.g, c.lowered, 1).empty());
  const auto fused = fuse_bottleneck(c.g, c.lowered, 0);
  REQUIRE(fused);
  const std::string note = *fused;
  CHECK(note.find("QLinearConv 'expand' + QLinearConv 'dw' + QLinearConv 'project'") == 0);
  REQUIRE(c.g.nodes.size() == 1);
  REQUIRE(c.lowered.size() == 1);
  CHECK(c.g.nodes[0].op == OpKind::InvertedBottleneck);
  CHECK(c.g.nodes[0].inputs == std::vector<TensorId>{c.x});
  CHECK(c.g.nodes[0].outputs == std::vector<TensorId>{c.p});
  CHECK(c.lowered[0].macs == 420);
  // int32 accumulators for 10x10x8 outputs + one 10x10 plane of the expanded and of the depthwise output.
  CHECK(c.lowered[0].scratch_bytes == 4 * 800 + 100 + 100);
  REQUIRE(c.lowered[0].calls.size() == 1);
  CHECK(c.lowered[0].calls[0].kernel == KernelId::bottleneck_s8_nhwc);
  CHECK(c.lowered[0].calls[0].args.size() == 12);
}

// The same chain with constant weights, biases and scales (args x, w, bias, scale, y).
TensorId constant(Graph& g, const char* name, DType dt, int64_t n, int seed) {
  Tensor t;
  t.name = name;
  t.dtype = dt;
  t.shape = {n};
  const size_t es = dt == DType::I8 ? 1 : 4;
  std::vector<uint8_t> d(static_cast<size_t>(n) * es);
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>((i * 37 + static_cast<size_t>(seed) * 11) & 0x7F);
  if (dt == DType::F32)
    for (size_t i = 0; i < d.size(); i += 4) {
      const float f = 0.001f * static_cast<float>(1 + i / 4);
      std::memcpy(d.data() + i, &f, 4);
    }
  t.data = std::move(d);
  return g.add_tensor(std::move(t));
}

Chain make_constant_chain() {
  Chain c = make_chain();
  const int64_t sizes[3][3] = {{8 * 48, 48, 48}, {9 * 48, 48, 48}, {48 * 8, 8, 8}};
  for (size_t i = 0; i < 3; ++i) {
    KernelCall& k = c.lowered[i].calls[0];
    k.args[1] = Operand::tensor(constant(c.g, "w", DType::I8, sizes[i][0], static_cast<int>(i)));
    k.args[2] = Operand::tensor(constant(c.g, "b", DType::I32, sizes[i][1], static_cast<int>(i)));
    k.args[3] = Operand::tensor(constant(c.g, "s", DType::F32, sizes[i][2], static_cast<int>(i)));
    auto& p = std::get<ferrite_rt::ConvS8Params>(*k.params);
    p.act_min = -128;
    p.act_max = 127;
  }
  return c;
}

}  // namespace

TEST_CASE("the fused bottleneck gets the target's variant and its scratch", "[bottleneck]") {
  SECTION("cortex-m4: the DSP kernel, packed weights, its scratch") {
    Chain c = make_constant_chain();
    const size_t tensors = c.g.tensors.size();
    auto m4 = find_target("cortex-m4");
    REQUIRE(m4);
    const auto fused = fuse_bottleneck(c.g, c.lowered, 0, *m4);
    REQUIRE(fused);
    CHECK(fused->find("bottleneck3x3_s1_s8_dsp") != std::string::npos);
    REQUIRE(c.lowered[0].calls.size() == 1);
    CHECK(c.lowered[0].calls[0].kernel == KernelId::bottleneck3x3_s1_s8_dsp);
    REQUIRE(c.lowered[0].reference_calls.size() == 1);
    CHECK(c.lowered[0].reference_calls[0].kernel == KernelId::bottleneck_s8_nhwc);
    CHECK(c.g.tensors.size() == tensors + 6);  // packed expand/dw/project weights and biases
    // records 4 * (8 + 1) * 10 * 10, two int16 planes of 12 rows x 16 + 8 bytes, three 512-byte tables
    CHECK(c.lowered[0].scratch_bytes == 4 * 9 * 100 + 4 * 12 * 16 + 8 + 3 * 512);
  }
  SECTION("host and cortex-m3: the portable kernel") {
    for (const char* t : {"host", "cortex-m3"}) {
      Chain c = make_constant_chain();
      auto tg = find_target(t);
      REQUIRE(tg);
      REQUIRE(fuse_bottleneck(c.g, c.lowered, 0, *tg));
      CHECK(c.lowered[0].calls[0].kernel == KernelId::bottleneck_s8_nhwc);
      CHECK(c.lowered[0].scratch_bytes == 4 * 800 + 100 + 100);
    }
  }
  SECTION("non-constant weights keep the portable kernel") {
    Chain c = make_chain();
    auto m4 = find_target("cortex-m4");
    REQUIRE(m4);
    REQUIRE(fuse_bottleneck(c.g, c.lowered, 0, *m4));
    CHECK(c.lowered[0].calls[0].kernel == KernelId::bottleneck_s8_nhwc);
  }
}

TEST_CASE("bottleneck fusion legality", "[bottleneck]") {
  SECTION("the expanded tensor has a second reader") {
    Chain c = make_chain();
    Node extra;
    extra.op = OpKind::Relu;
    extra.inputs = {c.e};
    extra.outputs = {s8(c.g, "r", {1, 48, 10, 10})};
    c.g.nodes.push_back(extra);
    c.lowered.push_back(Lowered{});
    CHECK(find_bottlenecks(c.g, c.lowered).empty());
  }
  SECTION("the depthwise output is a graph output") {
    Chain c = make_chain();
    c.g.outputs.push_back(c.d);
    CHECK(find_bottlenecks(c.g, c.lowered).empty());
  }
  SECTION("the middle layer is not depthwise") {
    Chain c = make_chain();
    c.lowered[1].calls[0].kernel = KernelId::conv_s8_nhwc;
    CHECK(find_bottlenecks(c.g, c.lowered).empty());
  }
  SECTION("ConvInteger-style int32 outputs") {
    Chain c = make_chain();
    std::get<ferrite_rt::ConvS8Params>(*c.lowered[2].calls[0].params).out_int32 = 1;
    CHECK(find_bottlenecks(c.g, c.lowered).empty());
  }
  SECTION("overlapping chains: pw -> dw -> pw -> dw -> pw fuses once") {
    Chain c = make_chain();
    const TensorId d2 = s8(c.g, "d2", {1, 8, 10, 10}), p2 = s8(c.g, "p2", {1, 8, 10, 10});
    c.g.outputs = {p2};
    Node dw2 = c.g.nodes[1], pj2 = c.g.nodes[2];
    dw2.inputs = {c.p};
    dw2.outputs = {d2};
    pj2.inputs = {d2};
    pj2.outputs = {p2};
    c.g.nodes.push_back(dw2);
    c.g.nodes.push_back(pj2);
    c.lowered.push_back(conv(KernelId::dwconv_s8_nhwc, c.p, d2, 8, 8, 10, 3, 1));
    c.lowered.push_back(conv(KernelId::conv1x1_s8_nhwc, d2, p2, 8, 8, 10, 1, 1));
    CHECK(find_bottlenecks(c.g, c.lowered) == std::vector<size_t>{0});
  }
}

TEST_CASE("a float expand -> depthwise chain streams channel by channel with the same bits", "[bottleneck]") {
  using namespace ferrite::testing;
  Graph g;
  const int32_t cin = 3, cmid = 6;
  std::vector<float> we(cmid * cin), be(cmid), wd(cmid * 9), bd(cmid), xin(cin * 9 * 9);
  for (size_t i = 0; i < we.size(); ++i) we[i] = 0.37f * static_cast<float>(i % 7) - 1.1f;
  for (size_t i = 0; i < be.size(); ++i) be[i] = 0.05f * static_cast<float>(i) - 0.1f;
  for (size_t i = 0; i < wd.size(); ++i) wd[i] = 0.21f * static_cast<float>(i % 5) - 0.4f;
  for (size_t i = 0; i < bd.size(); ++i) bd[i] = 0.3f - 0.07f * static_cast<float>(i);
  for (size_t i = 0; i < xin.size(); ++i) xin[i] = std::sin(0.7f * static_cast<float>(i));
  TensorId x = act(g, "x", {1, cin, 9, 9}), e = act(g, "e", {1, cmid, 9, 9}), y = act(g, "y", {1, cmid, 5, 5});
  TensorId w1 = cst(g, "w1", {cmid, cin, 1, 1}, we), b1 = cst(g, "b1", {cmid}, be);
  TensorId w2 = cst(g, "w2", {cmid, 1, 3, 3}, wd), b2 = cst(g, "b2", {cmid}, bd);
  g.inputs = {x};
  g.outputs = {y};
  g.nodes.push_back(node(OpKind::Conv, {x, w1, b1}, {e}, "expand"));
  g.nodes.back().act.kind = FusedAct::Silu;
  g.nodes.push_back(node(OpKind::Conv, {e, w2, b2}, {y}, "dw"));
  g.nodes.back().attrs.values["group"] = int64_t{cmid};
  g.nodes.back().attrs.values["strides"] = std::vector<int64_t>{2, 2};
  g.nodes.back().attrs.values["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  g.nodes.back().act.kind = FusedAct::Silu;
  std::vector<Lowered> lowered;
  for (const Node& n : g.nodes) {
    auto l = lower_node(g, n);
    REQUIRE(l);
    lowered.push_back(std::move(*l));
  }
  // Runs the calls of `ls` over the tensor values (constants from the graph).
  auto run = [&](const Graph& gr, const std::vector<Lowered>& ls) {
    std::vector<std::vector<float>> vals(gr.tensors.size());
    for (size_t i = 0; i < gr.tensors.size(); ++i) {
      if (gr.tensors[i].is_constant()) vals[i] = gr.tensors[i].as_f32();
      else vals[i].assign(static_cast<size_t>(gr.tensors[i].numel()), 0.f);
    }
    vals[static_cast<size_t>(x)] = xin;
    for (const Lowered& l : ls) {
      std::vector<float> scratch(l.scratch_bytes / 4 + 1);
      for (const KernelCall& c : l.calls) {
        std::vector<void*> args;
        for (const Operand& o : c.args)
          args.push_back(o.kind == Operand::Kind::Null      ? nullptr
                         : o.kind == Operand::Kind::Scratch ? static_cast<void*>(scratch.data())
                                                            : static_cast<void*>(vals[static_cast<size_t>(o.id)].data()));
        REQUIRE(execute_host(c, args));
      }
    }
    return vals[static_cast<size_t>(y)];
  };
  const auto before = run(g, lowered);
  REQUIRE(find_expand_dw_f32(g, lowered) == std::vector<size_t>{0});
  CHECK(find_bottlenecks(g, lowered).empty());
  const std::string note = fuse_expand_dw_f32(g, lowered, 0);
  CHECK(note.find("expand_dw_f32") != std::string::npos);
  REQUIRE(g.nodes.size() == 1);
  CHECK(g.nodes[0].op == OpKind::InvertedBottleneck);
  CHECK(lowered[0].scratch_bytes == (9 * 9 + cin) * sizeof(float));
  const auto after = run(g, lowered);
  REQUIRE(before.size() == after.size());
  CHECK(std::memcmp(before.data(), after.data(), before.size() * 4) == 0);
}
