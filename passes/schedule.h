// Execution-order search: in a graph with branches (residual additions, Concat, multi-branch blocks)
// the node order decides which intermediates are live together, so it sets the arena. Any
// topological order computes the same values; this picks the one whose memory plan is smallest.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "ops/lower.h"
#include "passes/memory_plan.h"

namespace ferrite {

struct ScheduleOptions {
  bool search = true;  // false: keep the model's node order (--schedule model)
  // Exact search: about how many sets of scheduled nodes it may examine. Past it each step keeps
  // only its best sets (a beam), and the search is reported as not complete. A count, not a time
  // limit, so the same model always gets the same order.
  size_t state_budget = 100000;
  size_t max_exact_nodes = 512;  // larger graphs get the greedy orders only
};

struct ScheduleCandidate {
  std::string name;        // "model", "exact", "greedy-min-growth", "depth-first"
  size_t arena_bytes = 0;  // plan_memory's arena for that order
  size_t live_peak = 0;    // the pre-score: peak of live tensor bytes (see schedule.cpp)
  std::string same_as;     // an earlier candidate with the very same order, or ""
};

struct ScheduleResult {
  std::vector<size_t> order;  // order[step] = index into the scheduled graph's nodes
  std::string chosen = "model";
  size_t model_arena_bytes = 0;  // arena of the model's own order
  size_t arena_bytes = 0;        // arena of the chosen order (layer by layer, before any patch plan)
  bool searched = false;         // false with --schedule model or when only one order exists
  bool single_order = false;     // the graph is a chain: its order is the only one
  // "off" (--schedule model), "single-order" (no parallel branches: nothing to search), "exact"
  // (every down-set examined), "beam" (state budget reached), "greedy" (too many nodes to search).
  std::string search;
  size_t states = 0;             // sets of scheduled nodes the exact search examined
  size_t orders_evaluated = 0;   // distinct orders scored with plan_memory
  std::vector<ScheduleCandidate> candidates;  // distinct orders, in the order they were generated

  bool reordered() const {
    for (size_t i = 0; i < order.size(); ++i)
      if (order[i] != i) return true;
    return false;
  }
};

// Scores the model's order, greedy list schedules and (up to a state budget) an exact search over
// topological orders with plan_memory; the smallest arena wins, ties keep the earlier candidate
// (the model's order first), so a graph whose order cannot improve never changes.
Expected<ScheduleResult> choose_schedule(const Graph& g, const std::vector<Lowered>& lowered, const PlanOptions& plan,
                                         const ScheduleOptions& opts = {});

// True when `order` is a permutation of g's nodes in which every node runs after the producers of
// its inputs.
bool is_topological(const Graph& g, const std::vector<size_t>& order);

// Reorders g.nodes and the index-parallel `lowered` to `order`.
void apply_schedule(Graph& g, std::vector<Lowered>& lowered, const std::vector<size_t>& order);

}  // namespace ferrite
