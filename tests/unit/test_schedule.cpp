// Execution-order search: a branchy graph written in a bad order gets a smaller arena, the order
// found respects the data dependencies, and a chain keeps its order.
#include <catch2/catch.hpp>

#include "passes/schedule.h"
#include "unit/graph_builder.h"

using namespace ferrite;
using namespace ferrite::testing;

namespace {

std::vector<Lowered> lower_all(const Graph& g) {
  std::vector<Lowered> l;
  for (const Node& n : g.nodes) {
    auto x = lower_node(g, n);
    REQUIRE(x);
    l.push_back(*x);
  }
  return l;
}

// A 1x1 convolution from `in` (cin channels, 8x8) to a new tensor of cout channels.
TensorId conv1x1(Graph& g, TensorId in, int64_t cin, int64_t cout, const char* name, const char* wname) {
  TensorId w = cst(g, wname, {cout, cin, 1, 1}, std::vector<float>(static_cast<size_t>(cout * cin), 0.25f));
  TensorId y = act(g, name, {1, cout, 8, 8});
  g.nodes.push_back(node(OpKind::Conv, {in, w}, {y}, name));
  return y;
}

// x [1,2,8,8] (512 B) feeds three branches, each expanding to 16 channels (4096 B) and projecting
// back to 2; two Adds join them. Written interleaved: all three expansions first, so all three big
// intermediates are live together. Branch by branch only one is.
Graph three_branches() {
  Graph g;
  TensorId x = act(g, "x", {1, 2, 8, 8});
  g.inputs = {x};
  TensorId ea = conv1x1(g, x, 2, 16, "expand_a", "wea");
  TensorId eb = conv1x1(g, x, 2, 16, "expand_b", "web");
  TensorId ec = conv1x1(g, x, 2, 16, "expand_c", "wec");
  TensorId pa = conv1x1(g, ea, 16, 2, "project_a", "wpa");
  TensorId pb = conv1x1(g, eb, 16, 2, "project_b", "wpb");
  TensorId pc = conv1x1(g, ec, 16, 2, "project_c", "wpc");
  TensorId s = act(g, "sum_ab", {1, 2, 8, 8}), y = act(g, "y", {1, 2, 8, 8});
  g.nodes.push_back(node(OpKind::Add, {pa, pb}, {s}, "add_ab"));
  g.nodes.push_back(node(OpKind::Add, {s, pc}, {y}, "add_abc"));
  g.outputs = {y};
  return g;
}

std::vector<std::string> names(const Graph& g, const std::vector<size_t>& order) {
  std::vector<std::string> r;
  for (size_t v : order) r.push_back(g.nodes[v].name);
  return r;
}

}  // namespace

TEST_CASE("a branchy graph in a bad order is rescheduled branch by branch", "[schedule]") {
  Graph g = three_branches();
  REQUIRE(verify(g));
  auto l = lower_all(g);
  auto model = plan_memory(g, l);
  REQUIRE(model);
  // Model order: at project_a the three 4096 B expansions, its output and its 64 B im2col scratch
  // (16 input channels x 4 B) are live together.
  CHECK(model->lower_bound_bytes == 3 * 4096 + 512 + 64);

  auto s = choose_schedule(g, l, PlanOptions{});
  REQUIRE(s);
  CHECK(s->searched);
  CHECK(s->search == "exact");
  CHECK(s->model_arena_bytes == model->arena_bytes);
  // The search's own estimate of an order's peak agrees with the planner's lower bound.
  REQUIRE(s->candidates.size() >= 2);
  CHECK(s->candidates[0].name == "model");
  CHECK(s->candidates[0].live_peak == model->lower_bound_bytes);
  CHECK(s->model_arena_bytes == 12864);
  CHECK(s->arena_bytes == 5696);
  CHECK(s->reordered());
  CHECK(is_topological(g, s->order));
  // Each expansion is projected before the next branch starts.
  const auto order = names(g, s->order);
  for (const char* b : {"a", "b", "c"}) {
    const auto e = std::find(order.begin(), order.end(), std::string("expand_") + b);
    const auto p = std::find(order.begin(), order.end(), std::string("project_") + b);
    REQUIRE(e != order.end());
    CHECK(p == e + 1);
  }

  // The chosen order, applied, plans to the figure the search reported.
  apply_schedule(g, l, s->order);
  REQUIRE(verify(g));
  auto after = plan_memory(g, l);
  REQUIRE(after);
  CHECK(after->arena_bytes == s->arena_bytes);
  // At the second branch's projection: x (read by the third branch later), that branch's expansion,
  // both projections and the scratch.
  CHECK(after->lower_bound_bytes == 512 + 4096 + 2 * 512 + 64);
}

TEST_CASE("the schedule is deterministic and --schedule model keeps the order", "[schedule]") {
  Graph g = three_branches();
  auto l = lower_all(g);
  auto a = choose_schedule(g, l, PlanOptions{});
  auto b = choose_schedule(g, l, PlanOptions{});
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->order == b->order);
  ScheduleOptions keep;
  keep.search = false;
  auto m = choose_schedule(g, l, PlanOptions{}, keep);
  REQUIRE(m);
  CHECK_FALSE(m->reordered());
  CHECK_FALSE(m->searched);
  CHECK(m->arena_bytes == m->model_arena_bytes);
  CHECK(m->arena_bytes == 12864);
}

TEST_CASE("a tiny state budget still yields a valid order (beam)", "[schedule]") {
  Graph g = three_branches();
  auto l = lower_all(g);
  ScheduleOptions o;
  o.state_budget = 9;  // one set per step
  auto s = choose_schedule(g, l, PlanOptions{}, o);
  REQUIRE(s);
  CHECK(s->search == "beam");
  CHECK(is_topological(g, s->order));
  CHECK(s->arena_bytes <= s->model_arena_bytes);
}

TEST_CASE("a chain keeps its order and arena", "[schedule]") {
  Graph g;
  TensorId x = act(g, "x", {1, 2, 8, 8});
  g.inputs = {x};
  TensorId e = conv1x1(g, x, 2, 16, "expand", "we");
  TensorId r = act(g, "r", {1, 16, 8, 8});
  g.nodes.push_back(node(OpKind::Relu, {e}, {r}, "relu"));
  TensorId p = conv1x1(g, r, 16, 2, "project", "wp");
  g.outputs = {p};
  auto l = lower_all(g);
  auto model = plan_memory(g, l);
  REQUIRE(model);
  auto s = choose_schedule(g, l, PlanOptions{});
  REQUIRE(s);
  CHECK(s->single_order);
  CHECK_FALSE(s->searched);
  CHECK_FALSE(s->reordered());
  CHECK(s->order == std::vector<size_t>{0, 1, 2});
  CHECK(s->arena_bytes == model->arena_bytes);
}

TEST_CASE("an order that reads a tensor before its producer is not topological", "[schedule]") {
  Graph g = three_branches();
  CHECK(is_topological(g, {0, 1, 2, 3, 4, 5, 6, 7}));
  CHECK(is_topological(g, {0, 3, 1, 4, 2, 5, 6, 7}));
  CHECK_FALSE(is_topological(g, {3, 0, 1, 4, 2, 5, 6, 7}));  // project_a before expand_a
  CHECK_FALSE(is_topological(g, {0, 1, 2, 3, 4, 5, 7, 6}));  // the second Add before the first
  CHECK_FALSE(is_topological(g, {0, 1, 2, 3, 4, 5, 6}));     // a node missing
}
