// Memory planner unit tests: exact offsets on hand-built request lists (like TFLM's greedy planner
// tests), the lower bound, the overlap checker, and in-place / alias legality on small graphs.
#include <catch2/catch.hpp>

#include "passes/memory_plan.h"
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
