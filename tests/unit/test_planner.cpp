// Memory planner unit tests: exact offsets on hand-built request lists (like TFLM's greedy planner
// tests), the lower bound, the overlap checker, and in-place / alias legality on small graphs.
#include <algorithm>

#include <catch2/catch.hpp>

#include "passes/memory_patches.h"
#include "passes/memory_plan.h"
#include "passes/memory_plan_steps.h"
#include "unit/graph_builder.h"

using namespace ferrite;
using namespace ferrite::testing;

static BufferRequest R(const char* n, size_t size, int first, int last) {
  BufferRequest r;
  r.name = n;
  r.size = size;
  r.first = first;
  r.last = last;
  return r;
}

TEST_CASE("lower bound is the max of live bytes over steps", "[planner]") {
  std::vector<BufferRequest> reqs = {R("a", 100, 0, 1), R("b", 200, 1, 2), R("c", 50, 2, 3)};
  CHECK(lower_bound(reqs) == 300);
  CHECK(live_bytes(reqs, 4) == std::vector<size_t>{100, 300, 250, 50});
}

TEST_CASE("greedy by size places the largest first at offset 0", "[planner]") {
  std::vector<BufferRequest> reqs = {R("a", 96, 0, 1), R("b", 160, 1, 2), R("c", 48, 2, 3)};
  Placement p = place_greedy_by_size(reqs);
  REQUIRE(p.offsets.size() == 3);
  CHECK(p.offsets[1] == 0);    // b, largest
  CHECK(p.offsets[0] == 160);  // a overlaps b in time: above it
  CHECK(p.offsets[2] == 160);  // c overlaps b only: reuses a's place (a is dead at step 2)
  CHECK(p.arena == 256);
  CHECK(find_overlap(reqs, p.offsets).empty());
}

TEST_CASE("offsets are aligned", "[planner]") {
  std::vector<BufferRequest> reqs = {R("a", 10, 0, 1), R("b", 10, 0, 1), R("c", 10, 0, 1)};
  Placement p = place_greedy_by_size(reqs);
  CHECK(p.offsets[0] == 0);
  CHECK(p.offsets[1] == 16);
  CHECK(p.offsets[2] == 32);
  CHECK(p.arena == 42);
}

TEST_CASE("a chain reaches the lower bound", "[planner]") {
  // x0 -> x1 -> x2 -> x3 with sizes making ping-pong necessary.
  std::vector<BufferRequest> reqs = {R("x0", 1024, 0, 0), R("x1", 2048, 0, 1), R("x2", 512, 1, 2),
                                     R("x3", 1024, 2, 3)};
  Placement p = place_best(reqs);
  CHECK(p.arena == lower_bound(reqs));
  CHECK(find_overlap(reqs, p.offsets).empty());
}

TEST_CASE("the best placement is never worse than any heuristic, and exhaustive finds the optimum", "[planner]") {
  // A case where size order is suboptimal: two long small buffers and short big ones.
  std::vector<BufferRequest> reqs = {R("a", 64, 0, 3), R("b", 128, 0, 0), R("c", 128, 1, 1), R("d", 64, 2, 3),
                                     R("e", 192, 2, 2)};
  std::vector<Placement> all;
  Placement best = place_best(reqs, &all);
  for (const auto& p : all) {
    CHECK(best.arena <= p.arena);
    CHECK(find_overlap(reqs, p.offsets).empty());
  }
  CHECK(best.arena == lower_bound(reqs));
}

TEST_CASE("overlap checker finds a conflict", "[planner]") {
  std::vector<BufferRequest> reqs = {R("a", 100, 0, 2), R("b", 100, 1, 3)};
  CHECK(find_overlap(reqs, {0, 50}).find("'a'") != std::string::npos);
  CHECK(find_overlap(reqs, {0, 112}).empty());
  // Not live at the same time: sharing memory is fine.
  std::vector<BufferRequest> seq = {R("a", 100, 0, 1), R("b", 100, 2, 3)};
  CHECK(find_overlap(seq, {0, 0}).empty());
}

// --- plan_memory on small graphs: aliasing and in-place legality ---

static Expected<MemoryPlan> plan_of(const Graph& g) {
  std::vector<Lowered> l;
  for (const Node& n : g.nodes) {
    auto x = lower_node(g, n);
    REQUIRE(x);
    l.push_back(*x);
  }
  return plan_memory(g, l);
}

TEST_CASE("an activation whose input dies there runs in place", "[planner][inplace]") {
  Graph g;
  TensorId x = act(g, "x", {1, 8}), y = act(g, "y", {1, 8}), z = act(g, "z", {1, 8});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::Sigmoid, {x}, {y}, "s"));
  g.nodes.push_back(node(OpKind::Relu, {y}, {z}, "r"));
  g.outputs = {z};
  auto p = plan_of(g);
  REQUIRE(p);
  CHECK(p->tensor_buffer[static_cast<size_t>(y)] == p->tensor_buffer[static_cast<size_t>(z)]);
  CHECK(p->tensor_buffer[static_cast<size_t>(x)] == p->tensor_buffer[static_cast<size_t>(y)]);
  CHECK(p->arena_bytes == 32);
}

TEST_CASE("an input with a later consumer is not overwritten in place", "[planner][inplace]") {
  Graph g;
  TensorId x = act(g, "x", {1, 8}), y = act(g, "y", {1, 8}), z = act(g, "z", {1, 8});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::Relu, {x}, {y}, "r"));  // x is still read by the Add
  g.nodes.push_back(node(OpKind::Add, {x, y}, {z}, "add"));
  g.outputs = {z};
  auto p = plan_of(g);
  REQUIRE(p);
  CHECK(p->tensor_buffer[static_cast<size_t>(x)] != p->tensor_buffer[static_cast<size_t>(y)]);
  // The Add may write over one of its inputs (both die there).
  CHECK((p->tensor_buffer[static_cast<size_t>(z)] == p->tensor_buffer[static_cast<size_t>(x)] ||
         p->tensor_buffer[static_cast<size_t>(z)] == p->tensor_buffer[static_cast<size_t>(y)]));
  CHECK(find_overlap([&] {
          std::vector<BufferRequest> r;
          for (auto& b : p->buffers) r.push_back(b.req);
          return r;
        }(),
                     [&] {
                       std::vector<size_t> o;
                       for (auto& b : p->buffers) o.push_back(b.offset);
                       return o;
                     }())
            .empty());
}

TEST_CASE("a graph output is never overwritten in place", "[planner][inplace]") {
  Graph g;
  TensorId x = act(g, "x", {1, 8}), y = act(g, "y", {1, 8}), z = act(g, "z", {1, 8});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::Relu, {x}, {y}, "r"));
  g.nodes.push_back(node(OpKind::Sigmoid, {y}, {z}, "s"));
  g.outputs = {y, z};
  auto p = plan_of(g);
  REQUIRE(p);
  CHECK(p->tensor_buffer[static_cast<size_t>(y)] != p->tensor_buffer[static_cast<size_t>(z)]);
}

TEST_CASE("Reshape-family nodes alias their input's storage", "[planner][alias]") {
  Graph g;
  TensorId x = act(g, "x", {1, 2, 4}), y = act(g, "y", {1, 8}), z = act(g, "z", {1, 8});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::Flatten, {x}, {y}, "f"));
  g.nodes.push_back(node(OpKind::Softmax, {y}, {z}, "sm"));
  g.outputs = {z};
  auto p = plan_of(g);
  REQUIRE(p);
  CHECK(p->tensor_buffer[static_cast<size_t>(x)] == p->tensor_buffer[static_cast<size_t>(y)]);
  CHECK(p->tensor_buffer[static_cast<size_t>(y)] != p->tensor_buffer[static_cast<size_t>(z)]);  // softmax not in place
  CHECK(p->lower_bound_bytes == 64);
}

TEST_CASE("kernel scratch is planned inside the arena for its step only", "[planner][scratch]") {
  Graph g;
  TensorId x = act(g, "x", {1, 2, 5, 5}), y = act(g, "y", {1, 4, 5, 5});
  TensorId wi = cst(g, "w", {4, 2, 3, 3}, std::vector<float>(4 * 2 * 3 * 3, 0.f));
  g.inputs = {x};
  Node c = node(OpKind::Conv, {x, wi}, {y}, "conv");
  c.attrs.values["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  g.nodes.push_back(c);
  g.outputs = {y};
  auto p = plan_of(g);
  REQUIRE(p);
  REQUIRE(p->scratch_buffer[0] >= 0);
  const auto& s = p->buffers[static_cast<size_t>(p->scratch_buffer[0])];
  CHECK(s.req.size == 2 * 3 * 3 * 4);
  CHECK(s.req.first == 0);
  CHECK(s.req.last == 0);
  CHECK(p->lower_bound_bytes == 200 + 400 + 72);
  CHECK(p->arena_bytes >= p->lower_bound_bytes);
}

TEST_CASE("an anchored request shares its anchor's offset and frees the tail", "[planner][anchor]") {
  // a (100 B) shrinks in place into b (40 B) at step 1; c (60 B) at step 2 fits above b.
  std::vector<BufferRequest> reqs = {R("a", 100, 0, 1), R("b", 40, 1, 2), R("c", 60, 2, 3)};
  for (auto& r : reqs) r.align = 1;
  reqs[1].anchor = 0;
  CHECK(live_bytes(reqs, 4) == std::vector<size_t>{100, 100, 100, 60});
  CHECK(lower_bound(reqs) == 100);
  for (const Placement& p : {place_greedy_by_size(reqs), place_greedy_by_start(reqs), place_greedy_by_conflicts(reqs)}) {
    CHECK(p.offsets[0] == p.offsets[1]);
    CHECK(find_overlap(reqs, p.offsets).empty());
  }
  Placement best = place_best(reqs);
  CHECK(best.arena == 100);
  CHECK(find_overlap(reqs, {0, 8, 40}).find("share an offset") != std::string::npos);
}

// live_bytes counts each compound (anchored requests) by the bytes its live members cover, with a
// union-length tree; checked here against the definition, byte by byte, on random compounds (Concat
// slices side by side, nested anchors, overlapping and empty members, lives before step 0).
TEST_CASE("live bytes of random compounds equal the covered bytes counted step by step", "[planner][anchor]") {
  uint32_t seed = 12345;
  auto rnd = [&](uint32_t m) {
    seed = seed * 1664525u + 1013904223u;
    return (seed >> 8) % m;
  };
  for (int round = 0; round < 300; ++round) {
    const int steps = 1 + static_cast<int>(rnd(12));
    std::vector<BufferRequest> reqs;
    const size_t n = 1 + rnd(14);
    for (size_t i = 0; i < n; ++i) {
      BufferRequest r;
      r.name = "r" + std::to_string(i);
      r.size = rnd(5) == 0 ? 0 : 1 + rnd(64);
      r.first = static_cast<int>(rnd(static_cast<uint32_t>(steps + 2))) - 1;
      r.last = r.first + static_cast<int>(rnd(static_cast<uint32_t>(steps)));
      if (i > 0 && rnd(3) != 0) {
        r.anchor = static_cast<int>(rnd(static_cast<uint32_t>(i)));
        r.anchor_offset = rnd(80);
      }
      reqs.push_back(r);
    }
    // by definition: per step, per compound, the bytes covered by its members live at that step
    std::vector<size_t> root(n), rel(n, 0);
    for (size_t i = 0; i < n; ++i) {
      size_t j = i, off = 0;
      while (reqs[j].anchor >= 0) off += reqs[j].anchor_offset, j = static_cast<size_t>(reqs[j].anchor);
      root[i] = j, rel[i] = off;
    }
    std::vector<size_t> expect(static_cast<size_t>(steps), 0);
    for (int s = 0; s < steps; ++s)
      for (size_t c = 0; c < n; ++c) {
        std::vector<bool> byte;
        for (size_t i = 0; i < n; ++i) {
          if (root[i] != c || reqs[i].first > s || reqs[i].last < s) continue;
          if (byte.size() < rel[i] + reqs[i].size) byte.resize(rel[i] + reqs[i].size, false);
          for (size_t b = rel[i]; b < rel[i] + reqs[i].size; ++b) byte[b] = true;
        }
        expect[static_cast<size_t>(s)] += static_cast<size_t>(std::count(byte.begin(), byte.end(), true));
      }
    INFO("round " << round);
    REQUIRE(live_bytes(reqs, steps) == expect);
    // every placement keeps the compounds' distances and overlaps nothing live at the same time
    for (const Placement& p : {place_greedy_by_size(reqs), place_greedy_by_start(reqs), place_greedy_by_conflicts(reqs)})
      CHECK(find_overlap(reqs, p.offsets).empty());
  }
}

namespace {
// x [1,4,6,6] -> depthwise 3x3 (pad 1) -> y; optionally x also feeds a Relu.
Graph depthwise_graph(bool second_reader, int stride) {
  Graph g;
  const int64_t o = stride == 1 ? 6 : 3;
  TensorId x = act(g, "x", {1, 4, 6, 6}), y = act(g, "y", {1, 4, o, o});
  TensorId w = cst(g, "w", {4, 1, 3, 3}, std::vector<float>(36, 0.5f));
  g.inputs = {x};
  Node c = node(OpKind::Conv, {x, w}, {y}, "dw");
  c.attrs.values["group"] = int64_t{4};
  c.attrs.values["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  c.attrs.values["strides"] = std::vector<int64_t>{stride, stride};
  g.nodes.push_back(c);
  g.outputs = {y};
  if (second_reader) {
    TensorId z = act(g, "z", {1, 4, 6, 6});
    g.nodes.push_back(node(OpKind::Relu, {x}, {z}, "relu"));
    g.outputs.push_back(z);
  }
  return g;
}
}  // namespace

TEST_CASE("depthwise convolution runs in place only when its input dies there", "[planner][inplace]") {
  auto p = plan_of(depthwise_graph(false, 1));
  REQUIRE(p);
  CHECK(p->inplace_variant[0]);
  CHECK(p->tensor_buffer[0] == p->tensor_buffer[1]);                    // x and y share storage
  CHECK(p->buffers[static_cast<size_t>(p->scratch_buffer[0])].req.size == 36 * 4);  // one channel
  CHECK(p->lower_bound_bytes == 4 * 36 * 4 + 36 * 4);                    // N + one channel, not 2N

  auto q = plan_of(depthwise_graph(true, 1));  // x is also read by the Relu: not in place
  REQUIRE(q);
  CHECK_FALSE(q->inplace_variant[0]);
  CHECK(q->tensor_buffer[0] != q->tensor_buffer[1]);

  PlanOptions off;
  off.inplace_depthwise = false;
  Graph g = depthwise_graph(false, 1);
  std::vector<Lowered> l;
  for (const Node& n : g.nodes) l.push_back(*lower_node(g, n));
  auto r = plan_memory(g, l, off);
  REQUIRE(r);
  CHECK_FALSE(r->inplace_variant[0]);
  CHECK(r->lower_bound_bytes == 2 * 4 * 36 * 4);
}

TEST_CASE("a stride-2 depthwise shrinks in place: its output is anchored to its input", "[planner][inplace]") {
  auto p = plan_of(depthwise_graph(false, 2));
  REQUIRE(p);
  CHECK(p->inplace_variant[0]);
  const auto& in = p->buffers[static_cast<size_t>(p->tensor_buffer[0])];
  const auto& out = p->buffers[static_cast<size_t>(p->tensor_buffer[1])];
  CHECK(p->tensor_buffer[0] != p->tensor_buffer[1]);
  CHECK(in.offset == out.offset);
  CHECK(out.req.anchor == p->tensor_buffer[0]);
  CHECK(p->lower_bound_bytes == 4 * 36 * 4 + 36 * 4);  // input + one-channel temporary at the conv
}

TEST_CASE("patch geometry: receptive-field regions and halo MACs", "[planner][patches]") {
  // x [8x8] -> Conv 3x3 pad 1 -> a -> Relu -> b -> Conv 3x3 stride 2 pad 1 -> c [4x4] -> Relu -> y
  Graph g;
  TensorId x = act(g, "x", {1, 1, 8, 8}), a = act(g, "a", {1, 1, 8, 8}), b = act(g, "b", {1, 1, 8, 8});
  TensorId c = act(g, "c", {1, 1, 4, 4}), y = act(g, "y", {1, 1, 4, 4});
  TensorId w = cst(g, "w", {1, 1, 3, 3}, std::vector<float>(9, 1.f));
  g.inputs = {x};
  Node c1 = node(OpKind::Conv, {x, w}, {a}, "c1");
  c1.attrs.values["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  Node c2 = node(OpKind::Conv, {b, w}, {c}, "c2");
  c2.attrs.values["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  c2.attrs.values["strides"] = std::vector<int64_t>{2, 2};
  g.nodes = {c1, node(OpKind::Relu, {a}, {b}, "r"), c2, node(OpKind::Relu, {c}, {y}, "out")};
  g.outputs = {y};
  auto cuts = patch_cut_points(g);
  CHECK(std::find(cuts.begin(), cuts.end(), size_t{3}) != cuts.end());
  auto geo = patch_geometry(g, PatchSpec{3, 2, 2});
  REQUIRE(geo);
  REQUIRE(geo->regions.size() == 4);
  const auto& p0 = geo->regions[0];
  CHECK(p0.at(c).r0 == 0); CHECK(p0.at(c).r1 == 2);   // the patch of T
  CHECK(p0.at(b).r0 == 0); CHECK(p0.at(b).r1 == 4);   // stride 2, 3x3, pad 1: rows [-1, 4) clipped
  CHECK(p0.at(a).r1 == 4);                            // Relu: same region
  CHECK(p0.at(x).r0 == 0); CHECK(p0.at(x).r1 == 5);   // halo of the first 3x3
  const auto& p3 = geo->regions[3];
  CHECK(p3.at(c).r0 == 2); CHECK(p3.at(c).c1 == 4);
  CHECK(p3.at(b).r0 == 3); CHECK(p3.at(b).r1 == 8);
  CHECK(p3.at(x).r0 == 2); CHECK(p3.at(x).r1 == 8);
  CHECK(geo->plain_macs == 64 * 9 + 16 * 9);
  CHECK(geo->patched_macs > geo->plain_macs);  // halos are recomputed
  CHECK(geo->max_dims.at(a).first == 5);
}

// --- Concat inputs produced straight into their slice of the output ---

namespace {
// Appends a 1x1 convolution in -> out (weights [Cout, Cin, 1, 1]).
void conv1x1(Graph& g, TensorId in, TensorId out, const char* name) {
  const int64_t ci = g.t(in).shape[1], co = g.t(out).shape[1];
  TensorId w = cst(g, name, {co, ci, 1, 1}, std::vector<float>(static_cast<size_t>(co * ci), 0.25f));
  g.nodes.push_back(node(OpKind::Conv, {in, w}, {out}, name));
}

Node concat(std::vector<TensorId> in, TensorId out, int64_t axis, const char* name) {
  Node c = node(OpKind::Concat, std::move(in), {out}, name);
  c.attrs.values["axis"] = axis;
  return c;
}

Expected<MemoryPlan> plan_with(const Graph& g, const PlanOptions& o) {
  std::vector<Lowered> l;
  for (const Node& n : g.nodes) {
    auto x = lower_node(g, n);
    REQUIRE(x);
    l.push_back(*x);
  }
  return plan_memory(g, l, o);
}

const PlannedBuffer& buffer_of(const MemoryPlan& p, TensorId t) {
  return p.buffers[static_cast<size_t>(p.tensor_buffer[static_cast<size_t>(t)])];
}

bool no_overlap(const MemoryPlan& p) {
  std::vector<BufferRequest> r;
  std::vector<size_t> o;
  for (const auto& b : p.buffers) {
    r.push_back(b.req);
    o.push_back(b.offset);
  }
  return find_overlap(r, o).empty();
}

// x [1,2,4,4] -> two 1x1 convolutions a, b [1,2,4,4] (128 B each) -> Concat(axis 1) y [1,4,4,4] -> Relu z.
struct FireGraph {
  Graph g;
  TensorId x, a, b, y, z;
};
FireGraph fire_graph() {
  FireGraph f;
  Graph& g = f.g;
  f.x = act(g, "x", {1, 2, 4, 4});
  f.a = act(g, "a", {1, 2, 4, 4});
  f.b = act(g, "b", {1, 2, 4, 4});
  f.y = act(g, "y", {1, 4, 4, 4});
  f.z = act(g, "z", {1, 4, 4, 4});
  g.inputs = {f.x};
  conv1x1(g, f.x, f.a, "ca");
  conv1x1(g, f.x, f.b, "cb");
  g.nodes.push_back(concat({f.a, f.b}, f.y, 1, "cat"));
  g.nodes.push_back(node(OpKind::Relu, {f.y}, {f.z}, "relu"));
  g.outputs = {f.z};
  return f;
}
}  // namespace

TEST_CASE("Concat producers write straight into their slice of the output", "[planner][concat]") {
  FireGraph f = fire_graph();
  auto p = plan_with(f.g, {});
  REQUIRE(p);
  const auto& y = buffer_of(*p, f.y);
  CHECK(buffer_of(*p, f.a).offset == y.offset);
  CHECK(buffer_of(*p, f.b).offset == y.offset + 128);
  CHECK(buffer_of(*p, f.a).req.anchor == p->tensor_buffer[static_cast<size_t>(f.y)]);
  CHECK(buffer_of(*p, f.b).req.anchor_offset == 128);
  CHECK(p->dropped_calls[2] == std::vector<int>{0, 1});  // the Concat copies nothing
  CHECK(std::find(p->inplace_notes.begin(), p->inplace_notes.end(),
                  "'b' is written into slice 1 of Concat 'cat'") != p->inplace_notes.end());
  CHECK(no_overlap(*p));
  // Peak at the second convolution: x (128 B) + y (256 B, holding a and b) + the conv's scratch,
  // instead of a + b + y (512 B) at the Concat.
  REQUIRE(p->scratch_buffer[1] >= 0);
  const size_t scratch = p->buffers[static_cast<size_t>(p->scratch_buffer[1])].req.size;
  CHECK(p->lower_bound_bytes == 384 + scratch);
  CHECK(p->arena_bytes == (384 + scratch + 15) / 16 * 16);

  PlanOptions off;
  off.concat_in_place = false;
  auto q = plan_with(f.g, off);
  REQUIRE(q);
  CHECK(q->dropped_calls[2].empty());
  CHECK(buffer_of(*q, f.a).req.anchor == -1);
  CHECK(q->lower_bound_bytes == 512);
}

TEST_CASE("Concat inputs that must not be produced in their slice", "[planner][concat]") {
  SECTION("a graph input: copied; the other input still written in place") {
    Graph g;
    TensorId x = act(g, "x", {1, 2, 4, 4}), a = act(g, "a", {1, 2, 4, 4}), y = act(g, "y", {1, 4, 4, 4});
    g.inputs = {x};
    conv1x1(g, x, a, "ca");
    g.nodes.push_back(concat({x, a}, y, 1, "cat"));
    g.outputs = {y};
    auto p = plan_with(g, {});
    REQUIRE(p);
    CHECK(buffer_of(*p, x).req.anchor == -1);
    CHECK(buffer_of(*p, a).offset == buffer_of(*p, y).offset + 128);
    CHECK(p->dropped_calls[1] == std::vector<int>{1});
    CHECK(no_overlap(*p));
  }
  SECTION("the same tensor in two slots") {
    Graph g;
    TensorId x = act(g, "x", {1, 2, 4, 4}), a = act(g, "a", {1, 2, 4, 4}), y = act(g, "y", {1, 4, 4, 4});
    g.inputs = {x};
    conv1x1(g, x, a, "ca");
    g.nodes.push_back(concat({a, a}, y, 1, "cat"));
    g.outputs = {y};
    auto p = plan_with(g, {});
    REQUIRE(p);
    CHECK(buffer_of(*p, a).req.anchor == -1);
    CHECK(p->dropped_calls[1].empty());
  }
  SECTION("a non-contiguous slice (axis 2 of NCHW: the rows of each channel interleave)") {
    Graph g;
    TensorId x = act(g, "x", {1, 2, 4, 4}), a = act(g, "a", {1, 2, 4, 4}), b = act(g, "b", {1, 2, 4, 4});
    TensorId y = act(g, "y", {1, 2, 8, 4});
    g.inputs = {x};
    conv1x1(g, x, a, "ca");
    conv1x1(g, x, b, "cb");
    g.nodes.push_back(concat({a, b}, y, 2, "cat"));
    g.outputs = {y};
    auto l = lower_node(g, g.nodes[2]);
    REQUIRE(l);
    CHECK(l->slices.empty());
    auto p = plan_with(g, {});
    REQUIRE(p);
    CHECK(buffer_of(*p, a).req.anchor == -1);
    CHECK(buffer_of(*p, b).req.anchor == -1);
    CHECK(p->dropped_calls[2].empty());
  }
  SECTION("an input that is also a graph output") {
    FireGraph f = fire_graph();
    f.g.outputs.push_back(f.a);
    auto p = plan_with(f.g, {});
    REQUIRE(p);
    CHECK(buffer_of(*p, f.a).req.anchor == -1);
    CHECK(buffer_of(*p, f.b).offset == buffer_of(*p, f.y).offset + 128);
    CHECK(p->dropped_calls[2] == std::vector<int>{1});
    CHECK(no_overlap(*p));
  }
  SECTION("an input already in the slice of another Concat") {
    FireGraph f = fire_graph();
    Graph& g = f.g;
    TensorId y2 = act(g, "y2", {1, 4, 4, 4});
    g.nodes.insert(g.nodes.begin() + 3, concat({f.b, f.a}, y2, 1, "cat2"));
    g.outputs.push_back(y2);
    auto p = plan_with(g, {});
    REQUIRE(p);
    CHECK(p->dropped_calls[2] == std::vector<int>{0, 1});
    CHECK(p->dropped_calls[3].empty());
    CHECK(no_overlap(*p));
  }
}

TEST_CASE("int8 Concat inputs live in their slice only when the copy needs no requantization", "[planner][concat]") {
  // x float [1,16] -> QuantizeLinear at scale 0.1 (qa) and 0.2 (qb) -> QLinearConcat at scale 0.1;
  // a later Relu keeps x alive, so neither quantization shrinks in place over x.
  Graph g;
  TensorId x = act(g, "x", {1, 16}), r = act(g, "r", {1, 16});
  TensorId qa = act(g, "qa", {1, 16}), qb = act(g, "qb", {1, 16}), y = act(g, "y", {1, 32});
  for (TensorId t : {qa, qb, y}) g.t(t).dtype = DType::I8;
  TensorId s1 = cst(g, "s1", {}, {0.1f}), s2 = cst(g, "s2", {}, {0.2f}), sy = cst(g, "sy", {}, {0.1f});
  g.inputs = {x};
  g.nodes.push_back(node(OpKind::QuantizeLinear, {x, s1}, {qa}, "qa"));
  g.nodes.push_back(node(OpKind::QuantizeLinear, {x, s2}, {qb}, "qb"));
  Node c = node(OpKind::QLinearConcat, {sy, kNoTensor, qa, s1, kNoTensor, qb, s2, kNoTensor}, {y}, "cat");
  c.attrs.values["axis"] = int64_t{1};
  g.nodes.push_back(c);
  g.nodes.push_back(node(OpKind::Relu, {x}, {r}, "relu"));
  g.outputs = {y, r};
  auto p = plan_with(g, {});
  REQUIRE(p);
  CHECK(buffer_of(*p, qa).offset == buffer_of(*p, y).offset);
  CHECK(buffer_of(*p, qb).req.anchor == -1);  // scale 0.2 -> 0.1: a requantizing copy
  CHECK(p->dropped_calls[2] == std::vector<int>{0});
  CHECK(no_overlap(*p));
}

TEST_CASE("a Concat output is itself produced in the slice of an outer Concat", "[planner][concat]") {
  // a, b -> Concat y1 [1,4,4,4]; y1, c -> Concat y2 [1,6,4,4]: all three inputs land in y2.
  Graph g;
  TensorId x = act(g, "x", {1, 2, 4, 4}), a = act(g, "a", {1, 2, 4, 4}), b = act(g, "b", {1, 2, 4, 4});
  TensorId c = act(g, "c", {1, 2, 4, 4}), y1 = act(g, "y1", {1, 4, 4, 4}), y2 = act(g, "y2", {1, 6, 4, 4});
  g.inputs = {x};
  conv1x1(g, x, a, "ca");
  conv1x1(g, x, b, "cb");
  g.nodes.push_back(concat({a, b}, y1, 1, "inner"));
  conv1x1(g, x, c, "cc");
  g.nodes.push_back(concat({y1, c}, y2, 1, "outer"));
  g.outputs = {y2};
  auto p = plan_with(g, {});
  REQUIRE(p);
  const size_t base = buffer_of(*p, y2).offset;
  CHECK(buffer_of(*p, y1).offset == base);
  CHECK(buffer_of(*p, a).offset == base);
  CHECK(buffer_of(*p, b).offset == base + 128);
  CHECK(buffer_of(*p, c).offset == base + 256);
  CHECK(p->dropped_calls[2] == std::vector<int>{0, 1});
  CHECK(p->dropped_calls[4] == std::vector<int>{0, 1});
  CHECK(no_overlap(*p));
}

TEST_CASE("storage shared with a Concat slice follows the whole Concat's lifetime", "[planner][concat]") {
  SECTION("an in-place chain ending in a Concat input lands in the slice as a whole") {
    // a = conv(x) -> Relu in place -> ra; Concat(b, ra): a and ra share the second slice.
    Graph g;
    TensorId x = act(g, "x", {1, 2, 4, 4}), a = act(g, "a", {1, 2, 4, 4}), ra = act(g, "ra", {1, 2, 4, 4});
    TensorId b = act(g, "b", {1, 2, 4, 4}), y = act(g, "y", {1, 4, 4, 4});
    g.inputs = {x};
    conv1x1(g, x, a, "ca");
    g.nodes.push_back(node(OpKind::Relu, {a}, {ra}, "relu"));
    conv1x1(g, x, b, "cb");
    g.nodes.push_back(concat({b, ra}, y, 1, "cat"));
    g.outputs = {y};
    auto p = plan_with(g, {});
    REQUIRE(p);
    CHECK(p->tensor_buffer[static_cast<size_t>(a)] == p->tensor_buffer[static_cast<size_t>(ra)]);
    CHECK(buffer_of(*p, a).offset == buffer_of(*p, y).offset + 128);
    CHECK(buffer_of(*p, b).offset == buffer_of(*p, y).offset);
    CHECK(no_overlap(*p));
  }
  SECTION("an input read after the Concat is not overwritten in place while the output lives") {
    // Relu(a) after the Concat is a's last reader, but y (holding a's slice) is read later.
    FireGraph f = fire_graph();
    Graph& g = f.g;
    TensorId r = act(g, "r", {1, 2, 4, 4}), s = act(g, "s", {1, 4, 4, 4});
    g.nodes.pop_back();  // the Relu over y
    g.nodes.push_back(node(OpKind::Relu, {f.a}, {r}, "relu_a"));
    g.nodes.push_back(node(OpKind::Sigmoid, {f.y}, {s}, "sig_y"));
    g.outputs = {r, s};
    auto p = plan_with(g, {});
    REQUIRE(p);
    CHECK(buffer_of(*p, f.a).offset == buffer_of(*p, f.y).offset);
    CHECK(p->tensor_buffer[static_cast<size_t>(r)] != p->tensor_buffer[static_cast<size_t>(f.a)]);
    CHECK(no_overlap(*p));
  }
}

// --- the plan's steps one by one (passes/memory_plan_steps.h) ---

namespace {
// x -> Relu -> y -> Flatten -> f -> Sigmoid -> z (output); c is a constant input of nothing.
struct StepGraph {
  Graph g;
  TensorId x, y, f, z;
  std::vector<Lowered> lowered;
  StepGraph() {
    x = act(g, "x", {1, 2, 4});
    y = act(g, "y", {1, 2, 4});
    f = act(g, "f", {1, 8});
    z = act(g, "z", {1, 8});
    g.inputs = {x};
    g.nodes.push_back(node(OpKind::Relu, {x}, {y}, "r"));
    g.nodes.push_back(node(OpKind::Flatten, {y}, {f}, "fl"));
    g.nodes.push_back(node(OpKind::Sigmoid, {f}, {z}, "s"));
    g.outputs = {z};
    for (const Node& n : g.nodes) {
      auto l = lower_node(g, n);
      REQUIRE(l);
      lowered.push_back(*l);
    }
  }
};
}  // namespace

TEST_CASE("plan step 1: lifetimes", "[planner][steps]") {
  StepGraph s;
  PlanOptions o;
  auto life = plan_steps::lifetimes(s.g, o);
  CHECK(life.steps == 3);
  CHECK(life.def == std::vector<int>{0, 0, 1, 2});       // x is a graph input: step 0
  CHECK(life.last_use == std::vector<int>{0, 1, 2, 2});  // z is an output: to the last step
  o.extend[s.x] = {0, 2};  // a patched stage keeps x alive to the end
  CHECK(plan_steps::lifetimes(s.g, o).last_use[static_cast<size_t>(s.x)] == 2);
}

TEST_CASE("plan step 2: storage groups join aliases and in-place outputs", "[planner][steps]") {
  StepGraph s;
  PlanOptions o;
  MemoryPlan plan;
  auto life = plan_steps::lifetimes(s.g, o);
  auto sg = plan_steps::storage_groups(s.g, s.lowered, o, life, plan);
  auto grp = [&](TensorId t) { return sg.group.find(t); };
  CHECK(grp(s.y) == grp(s.f));  // Flatten: a view
  CHECK(grp(s.x) == grp(s.y));  // Relu over its dying input
  CHECK(grp(s.f) == grp(s.z));  // Sigmoid too
  CHECK(plan.inplace_notes.size() == 2);
  // Caller-owned input: its storage is never written, so Relu gets its own buffer.
  o.caller_owned_inputs = true;
  MemoryPlan plan2;
  auto sg2 = plan_steps::storage_groups(s.g, s.lowered, o, life, plan2);
  CHECK(sg2.group.find(s.x) != sg2.group.find(s.y));
  CHECK(sg2.external[static_cast<size_t>(sg2.compound.find(s.x))]);
}

TEST_CASE("plan steps 3 and 4: requests per storage group, then placement", "[planner][steps]") {
  StepGraph s;
  PlanOptions o;
  o.caller_owned_inputs = true;
  MemoryPlan plan;
  auto life = plan_steps::lifetimes(s.g, o);
  auto sg = plan_steps::storage_groups(s.g, s.lowered, o, life, plan);
  auto reqs = plan_steps::requests(s.g, s.lowered, life, sg, plan);
  REQUIRE(reqs);
  REQUIRE(reqs->size() == 1);  // y, f, z share one buffer; x is the caller's
  CHECK((*reqs)[0].size == 32);
  CHECK((*reqs)[0].first == 0);
  CHECK((*reqs)[0].last == 2);
  CHECK(plan.external_input[static_cast<size_t>(s.x)] == 0);
  CHECK(plan.tensor_buffer[static_cast<size_t>(s.z)] == 0);
  REQUIRE(plan_steps::place(*reqs, life.steps, plan));
  CHECK(plan.arena_bytes == 32);
  CHECK(plan.lower_bound_bytes == 32);
  CHECK(plan.live == std::vector<size_t>{32, 32, 32});
  CHECK(plan.buffers[0].offset == 0);
}

// --- Incremental planning of patch candidates (PlanReuse) ---

namespace {

// A patched planning graph as the patch search builds it: the stage x -> Conv 3x3 -> a -> Relu -> b ->
// Conv 3x3 stride 2 -> T' at a candidate's region sizes (rows x cols), and T (the cut, written by the
// patches: no producer, extended from step 0) read by the suffix: Relu -> u -> depthwise 3x3 -> v
// (in place through a temporary), v -> 1x1 -> p, Concat(v, p) -> y (slices) -> Relu -> z.
struct Candidate {
  Graph g;
  std::vector<Lowered> lowered;
  PlanOptions opts;
};

Candidate patched_candidate(int64_t rows, int64_t cols, const char* suffix_name = "u") {
  Candidate c;
  Graph& g = c.g;
  TensorId t = act(g, "T", {1, 1, 4, 4});
  TensorId x = act(g, "x", {1, 1, rows, cols}), a = act(g, "a", {1, 1, rows, cols}), b = act(g, "b", {1, 1, rows, cols});
  TensorId tp = act(g, "T_patch", {1, 1, (rows + 1) / 2, (cols + 1) / 2});
  TensorId u = act(g, suffix_name, {1, 1, 4, 4}), v = act(g, "v", {1, 1, 4, 4}), p = act(g, "p", {1, 1, 4, 4});
  TensorId y = act(g, "y", {1, 2, 4, 4}), z = act(g, "z", {1, 2, 4, 4});
  TensorId w = cst(g, "w", {1, 1, 3, 3}, std::vector<float>(9, 1.f)), w1 = cst(g, "w1", {1, 1, 1, 1}, {0.5f});
  g.inputs = {x};
  Node c1 = node(OpKind::Conv, {x, w}, {a}, "c1");
  c1.attrs.values["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  Node c2 = node(OpKind::Conv, {b, w}, {tp}, "c2");
  c2.attrs.values["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  c2.attrs.values["strides"] = std::vector<int64_t>{2, 2};
  Node dw = node(OpKind::Conv, {u, w}, {v}, "dw");
  dw.attrs.values["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  g.nodes = {c1, node(OpKind::Relu, {a}, {b}, "r"), c2, node(OpKind::Relu, {t}, {u}, "s0"), dw,
             node(OpKind::Conv, {v, w1}, {p}, "pw"), concat({v, p}, y, 1, "cat"), node(OpKind::Relu, {y}, {z}, "out")};
  g.outputs = {z};
  for (const Node& n : g.nodes) {
    auto l = lower_node(g, n);
    REQUIRE(l);
    c.lowered.push_back(*l);
  }
  c.opts.extend[t] = {0, 2};
  c.opts.extend[x] = {0, 2};
  return c;
}

void check_same_plan(const MemoryPlan& p, const MemoryPlan& q) {
  CHECK(p.arena_bytes == q.arena_bytes);
  CHECK(p.lower_bound_bytes == q.lower_bound_bytes);
  CHECK(p.algorithm == q.algorithm);
  CHECK(p.candidates == q.candidates);
  REQUIRE(p.buffers.size() == q.buffers.size());
  for (size_t i = 0; i < p.buffers.size(); ++i) {
    const PlannedBuffer &a = p.buffers[i], &b = q.buffers[i];
    CHECK(a.req.name == b.req.name);
    CHECK(a.req.size == b.req.size);
    CHECK(a.req.first == b.req.first);
    CHECK(a.req.last == b.req.last);
    CHECK(a.req.anchor == b.req.anchor);
    CHECK(a.req.anchor_offset == b.req.anchor_offset);
    CHECK(a.offset == b.offset);
    CHECK(a.tensors == b.tensors);
    CHECK(a.scratch_of == b.scratch_of);
  }
  CHECK(p.tensor_buffer == q.tensor_buffer);
  CHECK(p.external_input == q.external_input);
  CHECK(p.scratch_buffer == q.scratch_buffer);
  CHECK(p.live == q.live);
  CHECK(p.inplace_notes == q.inplace_notes);
  CHECK(p.inplace_variant == q.inplace_variant);
  CHECK(p.dropped_calls == q.dropped_calls);
}

}  // namespace

TEST_CASE("patch candidates at one cut share the suffix's storage decisions, and plan as from scratch", "[planner]") {
  PlanReuse reuse(3);  // the cut: the stage is nodes 0..2
  const PlanStats before = plan_stats();
  uint32_t seed = 12345;
  auto next = [&](int lo, int hi) {
    seed = seed * 1664525u + 1013904223u;
    return lo + static_cast<int>((seed >> 8) % static_cast<uint32_t>(hi - lo + 1));
  };
  const int n = 12;
  for (int i = 0; i < n; ++i) {
    Candidate c = patched_candidate(next(3, 12), next(3, 12));
    auto from_scratch = plan_memory(c.g, c.lowered, c.opts);
    auto incremental = plan_memory(c.g, c.lowered, c.opts, &reuse);
    REQUIRE(from_scratch);
    REQUIRE(incremental);
    check_same_plan(*incremental, *from_scratch);
    CHECK(incremental->inplace_variant[4]);  // the suffix's depthwise convolution, through its temporary
    CHECK(!incremental->dropped_calls[6].empty());  // the Concat's slices
  }
  // k plans per plan_memory (2: the Concat's plan with separate buffers is tried too). Every
  // from-scratch plan is full; with the record, only the first candidate's are.
  const PlanStats after = plan_stats();
  const size_t incremental = after.incremental - before.incremental, full = after.full - before.full;
  const size_t k = incremental / static_cast<size_t>(n - 1);
  CHECK((k == 1 || k == 2));
  CHECK(incremental == k * static_cast<size_t>(n - 1));
  CHECK(full == k * static_cast<size_t>(n + 1));

  // A candidate whose suffix differs (another tensor name) is planned in full, not replayed.
  Candidate other = patched_candidate(5, 6, "u_renamed");
  const PlanStats s0 = plan_stats();
  auto p = plan_memory(other.g, other.lowered, other.opts, &reuse);
  REQUIRE(p);
  CHECK(plan_stats().incremental == s0.incremental);
  auto q = plan_memory(other.g, other.lowered, other.opts);
  REQUIRE(q);
  check_same_plan(*p, *q);

  // A cut that a tensor crosses (b, written by node 1, read by node 2) gives no reuse.
  PlanReuse across(2);
  Candidate c = patched_candidate(6, 6);
  const PlanStats s1 = plan_stats();
  REQUIRE(plan_memory(c.g, c.lowered, c.opts, &across));
  REQUIRE(plan_memory(c.g, c.lowered, c.opts, &across));
  CHECK(plan_stats().incremental == s1.incremental);
}
