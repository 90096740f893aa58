// Memory planning: every activation, graph input/output and kernel scratch buffer gets an offset in
// one arena. Three stages, kept separate (TFLM's planner, TVM USMP): lifetimes (analysis of the
// lowered graph into buffer requests, with aliasing and in-place sharing resolved), placement
// (pure functions from requests to offsets), and the plan written back for the backend and report.
#pragma once
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "ops/lower.h"

namespace ferrite {

// One block of arena memory needed from step `first` to step `last` inclusive (steps = node order).
struct BufferRequest {
  std::string name;
  size_t size = 0;
  size_t align = 16;
  int first = 0, last = 0;
  // Index of an earlier request this one is placed relative to (-1: free), at `anchor_offset` bytes
  // above it. An operator that writes a smaller output over an input dying at that step (stride-2
  // depthwise, quantize, global pool) gets its output anchored to the input at offset 0: both start
  // at one offset, the input's tail frees up as soon as the input dies. A Concat input produced
  // straight into its slice is anchored to the Concat output at the slice's offset. Requests
  // anchored together form one compound; its members may overlap each other.
  int anchor = -1;
  size_t anchor_offset = 0;
};

struct Placement {
  std::string algorithm;
  std::vector<size_t> offsets;  // one per request
  size_t arena = 0;             // end of the highest buffer
};

// Max over steps of the bytes of requests live at that step (a compound counts the bytes its live
// members cover): no placement can beat it.
size_t lower_bound(const std::vector<BufferRequest>& reqs);
// Live bytes at each step 0..steps-1.
std::vector<size_t> live_bytes(const std::vector<BufferRequest>& reqs, int steps);
// First pair of requests that are live at the same time and overlap in memory, or "" when none.
std::string find_overlap(const std::vector<BufferRequest>& reqs, const std::vector<size_t>& offsets);

// Placement algorithms (memory_placement.cpp). Each places requests one at a time, in its own
// order, at the lowest aligned offset that conflicts with no already placed, time-overlapping one.
Placement place_greedy_by_size(const std::vector<BufferRequest>& reqs);
Placement place_greedy_by_start(const std::vector<BufferRequest>& reqs);
Placement place_greedy_by_conflicts(const std::vector<BufferRequest>& reqs);
// Tries every order (small request counts only) — exact for the greedy-offset placement family.
Placement place_exhaustive(const std::vector<BufferRequest>& reqs, size_t max_requests = 8);
// Runs all of the above and keeps the smallest arena (ties: the earlier algorithm).
Placement place_best(const std::vector<BufferRequest>& reqs, std::vector<Placement>* all = nullptr);

// The memory plan of a lowered graph.
struct PlannedBuffer {
  BufferRequest req;
  size_t offset = 0;
  std::vector<TensorId> tensors;  // tensors stored here (aliases and in-place outputs share a buffer)
  int scratch_of = -1;            // node index when this is that node's kernel scratch
};

struct MemoryPlan {
  size_t arena_bytes = 0;
  size_t lower_bound_bytes = 0;
  size_t alignment = 16;
  std::string algorithm;
  std::vector<std::pair<std::string, size_t>> candidates;  // algorithm -> arena
  std::vector<PlannedBuffer> buffers;
  std::vector<int> tensor_buffer;   // per TensorId: index into buffers, -1 for constants/unused/external
  std::vector<int> external_input;  // per TensorId: graph input index when it lives in the caller's buffer
  std::vector<int> scratch_buffer;  // per node: index into buffers or -1
  std::vector<size_t> live;         // live bytes per step
  std::vector<std::string> inplace_notes;  // "Relu 'r1' writes over its input"
  std::vector<bool> inplace_variant;        // per node: run Lowered::inplace_calls instead of calls
  // Per node: indices into Lowered::calls the plan makes unnecessary (the copy of a Concat input
  // that was produced straight into its slice of the output). The driver drops them.
  std::vector<std::vector<int>> dropped_calls;
};

struct PlanOptions {
  bool inplace = true;            // elementwise ops write over an input that dies there
  bool inplace_depthwise = true;  // depthwise convolution in place through a one-channel temporary
  bool concat_in_place = true;    // Concat inputs are produced straight into their slice of the output
  bool caller_owned_inputs = false;  // graph inputs stay in the caller's buffers, outside the arena
  // Extra lifetime (first step, last step) for tensors whose use the node list does not show: a
  // patched stage writes T from its first step and reads the input image until its last.
  std::map<TensorId, std::pair<int, int>> extend;
};

// Incremental planning of variants of one graph that differ only in nodes [0, from) and the tensors
// those nodes read and write: the patch search's candidates at one cut point (one suffix, many grids).
// The first plan records the storage decisions of nodes [from, end) (storage groups, in-place and
// slice choices, notes); the next plans recompute those of nodes [0, from) only and replay the rest.
// A record is replayed only when it provably gives what recomputing would (memory_plan.cpp, checked
// each time): the two node ranges touch disjoint non-constant tensors, and the suffix's nodes, their
// lowering's storage facts, its tensors (size, name, lifetime, input/output/constant/extended) and
// the options equal the recorded ones. Placement always runs on all requests (it is global).
class PlanReuse {
 public:
  explicit PlanReuse(size_t from);
  ~PlanReuse();
  PlanReuse(const PlanReuse&) = delete;
  PlanReuse& operator=(const PlanReuse&) = delete;
  size_t from() const { return from_; }

  struct Record;                        // memory_plan.cpp
  std::unique_ptr<Record> records[2];  // by PlanOptions::concat_in_place

 private:
  size_t from_;
};

// What the planner did (process-wide counters, for tests and benchmarks): `full` plans decided the
// storage of every node from scratch; `incremental` ones replayed a PlanReuse record for the suffix.
struct PlanStats {
  size_t full = 0, incremental = 0;
};
PlanStats& plan_stats();

// Analysis + placement + write-back. `lowered[i]` belongs to g.nodes[i]. `reuse` (optional): a
// record to replay or to fill (see PlanReuse); the plan is the same with or without it.
Expected<MemoryPlan> plan_memory(const Graph& g, const std::vector<Lowered>& lowered, const PlanOptions& opts = {},
                                 PlanReuse* reuse = nullptr);

}  // namespace ferrite
