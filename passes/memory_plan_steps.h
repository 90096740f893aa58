// The steps of one memory plan (plan_memory in memory_plan.h runs them in this order), exposed so
// each can be tested on its own:
//   1. lifetimes       def / last-use step of every tensor (graph inputs at step 0, outputs to the end,
//                      PlanOptions::extend stretching tensors a patched stage keeps alive)
//   2. storage groups  tensors that share storage: Reshape-family aliases, in-place outputs, Concat
//                      inputs produced in their slice ("compounds"), caller-owned inputs
//   3. requests        one BufferRequest per storage group, per kernel scratch and per constant output,
//                      with anchors (compound positions, outputs shrinking in place)
//   4. placement       the best placement of the requests (memory_placement.cpp) and the write-back
//                      of offsets, arena size, lower bound and live bytes into the plan
#pragma once
#include <vector>

#include "passes/memory_plan.h"

namespace ferrite::plan_steps {

struct Lifetimes {
  int steps = 1;              // max(1, nodes)
  std::vector<int> def;       // step that writes the tensor (graph inputs 0), -1 = never (constants)
  std::vector<int> last_use;  // last step that reads it (graph outputs: the last step), -2 = none
};
Lifetimes lifetimes(const Graph& g, const PlanOptions& opts);

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(size_t n = 0);
  int find(int x);
  void join(int child, int root);
};

// Storage sharing decided for the graph. `compound` joins storage groups that overlap in memory (a
// Concat output and the inputs written into its slices); `group` joins tensors at one offset.
// Per compound root: its lifetime span, whether it holds a graph output; per tensor: its byte
// position inside its compound. `anchor_to[group root]`: the tensor whose offset a group shares
// while being smaller (an output shrinking in place over its input).
struct StorageGroups {
  UnionFind compound, group;
  std::vector<size_t> pos;
  std::vector<int> first, last;
  std::vector<bool> holds_output;
  std::vector<int> anchor_to;
  std::vector<size_t> anchored;
  std::vector<std::vector<int>> members;  // the tensors of each compound, by root
  std::vector<bool> external;             // per compound root: caller-owned input storage
};
// Also records the plan's in-place choices (inplace_variant, inplace_notes) and the Concat copies
// dropped because their input is produced in its slice (dropped_calls). With `reuse`, nodes
// [reuse->from(), end) replay its record when it applies, else fill it (memory_plan.h, PlanReuse).
StorageGroups storage_groups(const Graph& g, const std::vector<Lowered>& lowered, const PlanOptions& opts,
                             const Lifetimes& life, MemoryPlan& plan, PlanReuse* reuse = nullptr);

// The buffer requests; fills plan.buffers (tensors, scratch_of), tensor_buffer, external_input and
// scratch_buffer.
Expected<std::vector<BufferRequest>> requests(const Graph& g, const std::vector<Lowered>& lowered, const Lifetimes& life,
                                              StorageGroups& sg, MemoryPlan& plan);

// Places the requests and writes offsets, arena size (rounded up to plan.alignment), lower bound,
// live bytes and the placement candidates into the plan.
Status place(const std::vector<BufferRequest>& reqs, int steps, MemoryPlan& plan);

}  // namespace ferrite::plan_steps
