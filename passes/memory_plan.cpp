// Lifetime analysis and plan write-back. Tensors are grouped into storage groups with a union-find:
// a Reshape-family alias joins its input's group; an in-place-capable node's output joins the group
// of the input it may overwrite when that group is read for the last time at this node and holds no
// graph output. Each group and each kernel scratch buffer becomes one BufferRequest.
//
// Concat inputs produced straight into their slice: a second union-find of "compounds" joins an
// input's group to the Concat output's group at the slice's byte offset. Every tensor knows its
// byte position inside its compound; the groups of a compound stay separate requests (each with its
// own lifetime, so a slice is reserved only while its tensors live) anchored to the output's group
// at their position. Legality questions ("is this storage read later?", "does it hold a graph
// output?") are asked of the whole compound, since its groups overlap in memory.
#include <algorithm>
#include <numeric>

#include "passes/memory_plan.h"

namespace ferrite {

namespace {
struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int x) { return parent[static_cast<size_t>(x)] == x ? x : parent[static_cast<size_t>(x)] = find(parent[static_cast<size_t>(x)]); }
  void join(int child, int root) { parent[static_cast<size_t>(find(child))] = find(root); }
};
}  // namespace

static Expected<MemoryPlan> plan_memory_once(const Graph& g, const std::vector<Lowered>& lowered, const PlanOptions& opts) {
  const size_t nt = g.tensors.size();
  const int steps = std::max<int>(1, static_cast<int>(g.nodes.size()));
  const int last_step = steps - 1;
  std::vector<int> def(nt, -1), last_use(nt, -2);
  for (TensorId i : g.inputs) def[static_cast<size_t>(i)] = 0;
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    for (TensorId in : g.nodes[s].inputs)
      if (in != kNoTensor) last_use[static_cast<size_t>(in)] = std::max(last_use[static_cast<size_t>(in)], static_cast<int>(s));
    for (TensorId o : g.nodes[s].outputs) def[static_cast<size_t>(o)] = static_cast<int>(s);
  }
  for (TensorId o : g.outputs) last_use[static_cast<size_t>(o)] = last_step;
  for (const auto& [id, span] : opts.extend) {
    auto& d = def[static_cast<size_t>(id)];
    d = d < 0 ? span.first : std::min(d, span.first);
    last_use[static_cast<size_t>(id)] = std::max(last_use[static_cast<size_t>(id)], span.second);
  }

  UnionFind uf(nt);     // compounds (storage groups joined by Concat slices); g_* are per compound root
  UnionFind group(nt);  // storage groups: tensors at one offset (aliases, in-place outputs)
  std::vector<size_t> pos(nt, 0);  // byte position of each tensor inside its compound
  std::vector<int> g_first(nt), g_last(nt);
  std::vector<bool> g_out(nt, false);
  for (size_t i = 0; i < nt; ++i) {
    g_first[i] = def[i];
    g_last[i] = std::max(last_use[i], def[i]);
  }
  for (TensorId o : g.outputs) g_out[static_cast<size_t>(o)] = true;
  MemoryPlan plan;
  plan.inplace_variant.assign(g.nodes.size(), false);
  plan.dropped_calls.assign(g.nodes.size(), {});
  std::vector<int> anchor_to(nt, -1);  // group root -> tensor whose offset it shares (shrinking in place)
  std::vector<size_t> anchored;        // the group roots with an anchor_to
  // The tensors of each compound, by root (a join visits the child's members, not every tensor: a
  // chain of 100,000 in-place nodes is 100,000 joins).
  std::vector<std::vector<int>> members(nt);
  for (size_t i = 0; i < nt; ++i) members[i].push_back(static_cast<int>(i));
  // Joins child's compound into parent's so that child sits `at` bytes above parent.
  auto join_compounds = [&](TensorId child, TensorId parent, size_t at) {
    const int r = uf.find(parent), c = uf.find(child);
    if (r == c) return;
    const size_t base = pos[static_cast<size_t>(parent)] + at - pos[static_cast<size_t>(child)];
    const auto ur = static_cast<size_t>(r), uc = static_cast<size_t>(c);
    for (int i : members[uc]) pos[static_cast<size_t>(i)] += base;
    members[ur].insert(members[ur].end(), members[uc].begin(), members[uc].end());
    std::vector<int>().swap(members[uc]);
    g_first[ur] = std::min(g_first[ur], g_first[uc]);
    g_last[ur] = std::max(g_last[ur], g_last[uc]);
    g_out[ur] = g_out[ur] || g_out[uc];
    uf.join(c, r);
  };
  // Child shares parent's storage (same offset).
  auto merge = [&](TensorId child, TensorId parent) {
    join_compounds(child, parent, 0);
    group.join(child, parent);
  };
  // Caller-owned inputs: their storage group (with any aliases) is outside the arena and read-only.
  std::vector<bool> external(nt, false);
  if (opts.caller_owned_inputs)
    for (TensorId i : g.inputs) external[static_cast<size_t>(i)] = true;
  // A Concat input may be produced straight into its slice of the output when the copy would be
  // the identity (lowering lists those slices) and sharing the memory is safe: the input is
  // computed by a node in the arena (no graph input, constant or caller-owned buffer, nothing whose
  // life a patched stage stretches), is no graph output, fills exactly the slice and feeds this
  // Concat once, and everything stored with it (in-place predecessors, aliases, a nested Concat)
  // lies inside the slice and is anchored to nothing. Slices start at multiples of the arena
  // alignment, which kernels may assume of every tensor.
  auto slice_ok = [&](const Node& n, const ConcatSlice& sl) {
    const TensorId x = n.inputs[static_cast<size_t>(sl.input)], out = n.outputs[0];
    if (x == kNoTensor || g.t(x).is_constant() || def[static_cast<size_t>(x)] < 0 || opts.extend.count(x)) return false;
    if (g.t(x).bytes() != sl.bytes || (pos[static_cast<size_t>(out)] + sl.offset) % plan.alignment != 0) return false;
    const int cx = uf.find(x), co = uf.find(out);
    if (cx == co || g_out[static_cast<size_t>(cx)] || external[static_cast<size_t>(cx)] || external[static_cast<size_t>(co)])
      return false;
    int reads = 0;
    for (TensorId i : n.inputs) reads += (i != kNoTensor && uf.find(i) == cx);
    if (reads > 1) return false;
    const size_t px = pos[static_cast<size_t>(x)];
    for (const size_t i : anchored)
      if (uf.find(anchor_to[i]) == cx) return false;  // something shrank in place over it
    for (const int member : members[static_cast<size_t>(cx)]) {
      const auto i = static_cast<size_t>(member);
      if (g.is_graph_input(static_cast<TensorId>(i)) || anchor_to[static_cast<size_t>(group.find(static_cast<int>(i)))] >= 0)
        return false;
      if (pos[i] < px || pos[i] - px + g.tensors[i].bytes() > sl.bytes) return false;
    }
    return true;
  };
  auto place_in_slices = [&](size_t s, const Lowered& l) {
    const Node& n = g.nodes[s];
    for (const ConcatSlice& sl : l.slices) {
      if (!slice_ok(n, sl)) continue;
      const TensorId x = n.inputs[static_cast<size_t>(sl.input)];
      join_compounds(x, n.outputs[0], sl.offset);
      plan.dropped_calls[s].push_back(sl.call);
      plan.inplace_notes.push_back(
          fmt::format("'{}' is written into slice {} of {}", g.t(x).name, sl.part, n.display_name()));
    }
  };
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    const Node& n = g.nodes[s];
    const Lowered& l = lowered[s];
    if (n.outputs.empty()) continue;
    const TensorId out = n.outputs[0];
    if (l.alias) {
      const TensorId in = n.inputs[0];
      if (g.t(in).is_constant()) continue;  // a view of a constant is materialized by the backend
      merge(out, in);
      if (external[static_cast<size_t>(uf.find(in))]) external[static_cast<size_t>(uf.find(out))] = true;
      continue;
    }
    if (!l.slices.empty() && opts.concat_in_place) {
      place_in_slices(s, l);
      continue;
    }
    const bool variant = !l.inplace_calls.empty();
    if (l.inplace_input >= 0 && (variant ? opts.inplace_depthwise : opts.inplace)) {
      const TensorId in = n.inputs[static_cast<size_t>(l.inplace_input)];
      if (in == kNoTensor || g.t(in).is_constant()) continue;
      const auto root = static_cast<size_t>(uf.find(in));
      bool other_use = false;  // the same tensor read twice by this node (x + x) must not be clobbered early
      int reads = 0;
      for (TensorId i2 : n.inputs) reads += (i2 != kNoTensor && uf.find(i2) == static_cast<int>(root));
      other_use = reads > 1;
      if (g_last[root] == static_cast<int>(s) && !g_out[root] && !other_use && !external[root] &&
          g.t(in).bytes() >= g.t(out).bytes()) {
        if (g.t(out).bytes() < g.t(in).bytes())
{
          anchor_to[static_cast<size_t>(group.find(out))] = static_cast<int>(in);  // shrinks in place
          anchored.push_back(static_cast<size_t>(group.find(out)));
        }
        else
          merge(out, in);
        plan.inplace_variant[s] = variant;
        plan.inplace_notes.push_back(fmt::format("{} writes its output over input '{}'{}", n.display_name(),
                                                 g.t(in).name, variant ? " (one-channel temporary)" : ""));
      }
    }
  }

  // One request per storage group that holds a non-constant tensor.
  std::vector<BufferRequest> reqs;
  std::vector<int> group_req(nt, -1);
  plan.tensor_buffer.assign(nt, -1);
  plan.external_input.assign(nt, -1);
  for (size_t i = 0; i < nt; ++i)
    if (external[static_cast<size_t>(uf.find(static_cast<int>(i)))] && def[i] >= 0 && !g.tensors[i].is_constant()) {
      const int root = uf.find(static_cast<int>(i));
      for (size_t k = 0; k < g.inputs.size(); ++k)
        if (uf.find(g.inputs[k]) == root) plan.external_input[i] = static_cast<int>(k);
    }
  auto is_storage = [&](size_t i) {
    const Tensor& t = g.tensors[i];
    return !t.is_constant() && def[i] >= 0 && plan.external_input[i] < 0;
  };
  for (size_t i = 0; i < nt; ++i) {
    if (!is_storage(i)) continue;
    const auto root = static_cast<size_t>(group.find(static_cast<int>(i)));
    if (group_req[root] < 0) {
      group_req[root] = static_cast<int>(reqs.size());
      BufferRequest r;
      r.name = g.tensors[root].name;
      r.first = def[i];
      r.last = def[i];
      reqs.push_back(r);
      plan.buffers.push_back({});
    }
    const auto ri = static_cast<size_t>(group_req[root]);
    reqs[ri].size = std::max(reqs[ri].size, g.tensors[i].bytes());
    reqs[ri].first = std::min(reqs[ri].first, def[i]);
    reqs[ri].last = std::max({reqs[ri].last, last_use[i], def[i]});
    plan.buffers[ri].tensors.push_back(static_cast<TensorId>(i));
    plan.tensor_buffer[i] = group_req[root];
  }
  // The groups of a compound (a Concat output and the inputs produced in its slices) are anchored
  // to the group of the compound's root (the outermost Concat output) at their byte position.
  for (size_t i = 0; i < nt; ++i) {
    if (group_req[i] < 0) continue;
    const auto primary = static_cast<size_t>(group.find(uf.find(static_cast<int>(i))));
    if (primary == i || group_req[primary] < 0) continue;
    auto& r = reqs[static_cast<size_t>(group_req[i])];
    r.anchor = group_req[primary];
    r.anchor_offset = pos[i] - pos[primary];
  }
  for (size_t i = 0; i < nt; ++i) {
    if (anchor_to[i] < 0 || group_req[i] < 0) continue;
    const int target = group_req[static_cast<size_t>(group.find(anchor_to[i]))];
    if (target < 0) continue;
    auto& r = reqs[static_cast<size_t>(group_req[i])];
    if (r.anchor >= 0) return make_error("internal error: '{}' is anchored twice", r.name);
    r.anchor = target;
  }
  // Graph outputs that are constants still need a place the caller can read them from.
  for (TensorId o : g.outputs) {
    const auto uo = static_cast<size_t>(o);
    if (plan.tensor_buffer[uo] >= 0) continue;
    BufferRequest r;
    r.name = g.t(o).name;
    r.size = g.t(o).bytes();
    r.first = 0;
    r.last = last_step;
    plan.tensor_buffer[uo] = static_cast<int>(reqs.size());
    reqs.push_back(r);
    plan.buffers.push_back({});
    plan.buffers.back().tensors.push_back(o);
  }
  plan.scratch_buffer.assign(g.nodes.size(), -1);
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    const size_t scratch = plan.inplace_variant[s] ? lowered[s].inplace_scratch_bytes : lowered[s].scratch_bytes;
    if (scratch == 0) continue;
    BufferRequest r;
    r.name = fmt::format("scratch of {}", g.nodes[s].display_name());
    r.size = scratch;
    r.first = r.last = static_cast<int>(s);
    plan.scratch_buffer[s] = static_cast<int>(reqs.size());
    reqs.push_back(r);
    plan.buffers.push_back({});
    plan.buffers.back().scratch_of = static_cast<int>(s);
  }

  std::vector<Placement> all;
  Placement best = place_best(reqs, &all);
  for (const auto& p : all)
    if (p.arena != SIZE_MAX) plan.candidates.emplace_back(p.algorithm, p.arena);
  std::string overlap = find_overlap(reqs, best.offsets);
  if (!overlap.empty()) return make_error("internal error: memory plan overlap: {}", overlap);
  plan.algorithm = best.algorithm;
  plan.arena_bytes = (best.arena + plan.alignment - 1) / plan.alignment * plan.alignment;
  plan.lower_bound_bytes = lower_bound(reqs);
  plan.live = live_bytes(reqs, steps);
  for (size_t i = 0; i < reqs.size(); ++i) {
    plan.buffers[i].req = reqs[i];
    plan.buffers[i].offset = best.offsets[i];
  }
  return plan;
}

// Slice aliasing pins a Concat input at a fixed offset inside the output, which can fragment the
// arena when the inputs are produced far apart (e.g. branches run interleaved): then the plan
// with separate buffers and copies is smaller, and wins (ties keep the aliasing: fewer copies).
Expected<MemoryPlan> plan_memory(const Graph& g, const std::vector<Lowered>& lowered, const PlanOptions& opts) {
  auto p = plan_memory_once(g, lowered, opts);
  if (!p || !opts.concat_in_place) return p;
  const bool aliased = std::any_of(p->dropped_calls.begin(), p->dropped_calls.end(), [](const auto& d) { return !d.empty(); });
  if (!aliased) return p;
  PlanOptions separate = opts;
  separate.concat_in_place = false;
  auto q = plan_memory_once(g, lowered, separate);
  if (!q || q->arena_bytes >= p->arena_bytes) return p;
  q->inplace_notes.push_back(fmt::format("Concat inputs keep their own buffers: written into the output's slices the "
                                         "arena would be {} B instead of {} B",
                                         p->arena_bytes, q->arena_bytes));
  return q;
}

}  // namespace ferrite
