// Memory step "patches": patch-based inference of the first stage (MCUNetV2's idea: the first
// layers run patch by patch so their large activations never exist whole). Searches the splits and
// grids (--patch auto), or takes the one asked for, then plans memory for the choice and switches
// the nodes the plan runs in place to their in-place calls.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "ir/op_traits.h"
#include "ops/plan_lowering.h"
#include "passes/memory/steps.h"
#include "support/sanitize.h"

namespace ferrite::memory {

namespace {

// The graph the planner sees for a patched stage: T' (the per-patch output) added, stage tensors
// at their largest patch region, T live from the stage's first step and the input image until its
// last; depthwise in-place temporaries sized for the largest region; no in-place additions (their
// inputs may be larger windows than the output); no Concat input produced in its slice when either
// runs in the stage (a patch writes a window of the input, not the whole slice).
Graph patched_planning_graph(const Graph& g0, const std::vector<Lowered>& lowered, const Target& target,
                                    const PatchSpec& spec,
                                    const PatchGeometry& geo, const PlanOptions& base, std::vector<Lowered>* planning,
                                    PlanOptions* po) {
  Graph g = g0;
  const TensorId t = g.nodes[spec.stage - 1].outputs[0];
  Tensor tp = g.t(t);
  tp.name += "_patch";
  const TensorId tpid = g.add_tensor(std::move(tp));
  g.nodes[spec.stage - 1].outputs[0] = tpid;
  auto dims = geo.max_dims;
  dims[tpid] = dims[t];
  // A float first layer reads a window copy I' of the input image (made at the start of each patch).
  for (size_t k = 0; k < spec.stage; ++k)
    for (TensorId& in : g.nodes[k].inputs) {
      if (in == kNoTensor || !g.is_graph_input(in) || g.nodes[k].op == OpKind::QuantizeLinear) continue;
      TensorId win = kNoTensor;
      for (const auto& [iw, src] : g.patch_windows) if (src == in) win = iw;
      if (win == kNoTensor) {
        Tensor w = g.t(in);
        w.name += "_window";
        win = g.add_tensor(std::move(w));
        g.patch_windows.emplace_back(win, in);
        dims[win] = dims[in];
      }
      in = win;
    }
  for (const auto& [id, d] : dims) {
    Tensor& x = g.t(id);
    if (x.is_constant() || g.is_graph_input(id) || id == t) continue;
    x.shape = {1, x.shape[1], d.first, d.second};
  }
  *planning = lowered;
  for (size_t k = 0; k < spec.stage; ++k) {
    Lowered& l = (*planning)[k];
    const Node& n = g.nodes[k];
    const std::vector<KernelCall>& ref = l.reference_calls.empty() ? l.calls : l.reference_calls;
    if (ref.size() == 1 && is_patch_conv_s8(ref[0])) {
      // int8 conv: the scratch of the kernel each patch gets (the selection may pick another variant
      // for a patch's shape than for the whole image), the largest over the patches.
      size_t out_of_place = 0, in_place = 0;
      bool all = true;
      for (const auto& reg : geo.regions) {
        auto in = reg.find(n.inputs[0]);
        auto out = reg.find(n.outputs[0] == tpid ? t : n.outputs[0]);
        if (in == reg.end() || out == reg.end()) {
          all = false;
          continue;
        }
        const auto [oop, ip] = patch_conv_s8_scratch(ref[0], in->second, out->second, target);
        out_of_place = std::max(out_of_place, oop);
        in_place = std::max(in_place, ip);
      }
      l.scratch_bytes = all ? out_of_place : std::max(l.scratch_bytes, out_of_place);
      if (!l.inplace_calls.empty()) l.inplace_scratch_bytes = all ? in_place : std::max(l.inplace_scratch_bytes, in_place);
    } else if (!l.inplace_calls.empty()) {
      // The in-place temporary (one channel plane) at the largest region.
      const auto& d = dims[n.inputs[0]];
      l.inplace_scratch_bytes = dtype_size(g.t(n.inputs[0]).dtype) * static_cast<size_t>(d.first * d.second);
    }
    if (!op_traits(n.op).inplace_in_patch) l.inplace_input = -1;
    for (TensorId in : n.inputs)  // every patch reads the input image: never write over it
      if (in != kNoTensor && g.is_graph_input(in)) l.inplace_input = -1;
    l.slices.clear();
  }
  for (size_t k = spec.stage; k < g.nodes.size(); ++k) {
    auto& sl = (*planning)[k].slices;
    sl.erase(std::remove_if(sl.begin(), sl.end(),
                            [&](const ConcatSlice& c) {
                              auto p = g.producer(g.nodes[k].inputs[static_cast<size_t>(c.input)]);
                              return p && *p < spec.stage;
                            }),
             sl.end());
  }
  *po = base;
  po->extend[t] = {0, static_cast<int>(spec.stage) - 1};
  for (const auto& [win, src] : g.patch_windows) po->extend[win] = {0, 0};
  for (TensorId i : g.inputs) po->extend[i] = {0, static_cast<int>(spec.stage) - 1};
  return g;
}

// Sets the bytes of every constant aside while it lives (the tensors stay constants, with empty
// data) and puts them back. Every patch candidate is planned on a copy of the graph, and the plans
// read only shapes, dtypes and which tensors are constant: copying MobileNetV2-1.0's 3.5 MB of
// weights for each of ~100 candidates was most of the search's time (perf: memmove and page faults).
class ConstantBytesAside {
 public:
  explicit ConstantBytesAside(Graph& g) : g_(g) {
    for (size_t i = 0; i < g.tensors.size(); ++i)
      if (g.tensors[i].data && !g.tensors[i].data->empty()) saved_.emplace_back(i, std::exchange(*g.tensors[i].data, {}));
  }
  ~ConstantBytesAside() {
    for (auto& [i, bytes] : saved_) *g_.tensors[i].data = std::move(bytes);
  }
  ConstantBytesAside(const ConstantBytesAside&) = delete;
  ConstantBytesAside& operator=(const ConstantBytesAside&) = delete;

 private:
  Graph& g_;
  std::vector<std::pair<size_t, std::vector<uint8_t>>> saved_;
};

// The chosen candidate as the search planned it, for plan_with_patches to use instead of planning
// it again: its geometry, planning graph (constants without their bytes: see ConstantBytesAside),
// planning lowering, options and plan.
struct Planned {
  PatchGeometry geo;
  Graph pg;
  std::vector<Lowered> planning;
  PlanOptions po;
  MemoryPlan plan;
  std::optional<MemoryPlan> base;  // the plan without patches, when the search made it
};

// Picks the patch plan per --patch / --max-patch-overhead / --sram-budget; stage 0 = no patches.
// Candidates are evaluated incrementally: the nodes' patch facts (roles, kernel windows) are read
// once for all of them, and the candidates at one cut point (one suffix, several grids) share the
// storage decisions of the layers after the cut (PlanReuse): only the first is planned in full.
Expected<PatchSpec> choose_patches(CompiledModel& m, const MemoryOptions& o, Planned* chosen) {
  PatchSpec none;
  const PatchChoice& pc = o.patch;
  if (pc.mode == PatchChoice::Mode::Off) {
    m.plan_reason = "--patch off: layer by layer";
    return none;
  }
  const int fixed_rows = pc.mode == PatchChoice::Mode::Grid ? pc.rows : 0;
  const int fixed_cols = pc.mode == PatchChoice::Mode::Grid ? pc.cols : 0;
  const size_t fixed_stage = fixed_rows && pc.split_after >= 0 ? static_cast<size_t>(pc.split_after) + 1 : 0;
  auto cuts = patch_cut_points(m.graph);
  if (fixed_stage && std::find(cuts.begin(), cuts.end(), fixed_stage) == cuts.end())
    return make_error("--patch {}: the graph cannot be split after layer {} (possible: {})", pc.text, fixed_stage - 1,
                      [&] {
                        std::string s;
                        for (size_t c : cuts) s += (s.empty() ? "" : ", ") + std::to_string(c - 1);
                        return s.empty() ? std::string("none") : s;
                      }());
  const ConstantBytesAside aside(m.graph);  // (until the choice is made; nothing below reads them)
  // Baseline: no patches.
  auto base = plan_memory(m.graph, m.lowered, o.plan);
  if (!base) return base.error();
  struct Cand { PatchSpec spec; size_t arena; uint64_t extra; MemoryPlan plan; };
  std::vector<Cand> cands;
  const PatchNodeFacts facts = patch_node_facts(m.graph);
  for (size_t k : cuts) {
    if (fixed_stage && k != fixed_stage) continue;
    PlanReuse reuse(k);
    const Shape& ts = m.graph.t(m.graph.nodes[k - 1].outputs[0]).shape;
    std::vector<std::pair<int, int>> grids;
    if (fixed_rows) grids.emplace_back(fixed_rows, fixed_cols);
    else
      for (int n : {2, 3, 4, 5, 6, 7, 8}) grids.emplace_back(n, n);
    for (auto [r, c] : grids) {
      if (r > ts[2] || c > ts[3]) continue;
      PatchSpec spec{k, r, c};
      auto geo = patch_geometry(m.graph, spec, &facts);
      if (!geo) continue;
      const uint64_t extra = geo->patched_macs - geo->plain_macs;
      std::vector<Lowered> planning;
      PlanOptions po;
      Graph pg = patched_planning_graph(m.graph, m.lowered, m.target, spec, *geo, o.plan, &planning, &po);
      auto plan = plan_memory(pg, planning, po, &reuse);
      if (!plan) continue;
      cands.push_back({spec, plan->arena_bytes, extra, std::move(*plan)});
      m.patch_candidates.push_back(fmt::format(
          "split after layer {} ('{}', {}x{}), grid {}x{}: arena {} B, +{} MACs (+{:.1f} % of all {})", k - 1,
          comment_safe(m.graph.t(m.graph.nodes[k - 1].outputs[0]).name), ts[2], ts[3], r, c, plan->arena_bytes, extra,
          m.macs ? 100.0 * static_cast<double>(extra) / static_cast<double>(m.macs) : 0.0, m.macs));
    }
  }
  // The chosen candidate's geometry and planning graph again (while the constants' bytes are still
  // set aside), with the plan the search made.
  auto keep = [&](Cand& c) -> Status {
    auto geo = patch_geometry(m.graph, c.spec, &facts);
    if (!geo) return geo.error();
    chosen->geo = std::move(*geo);
    chosen->pg = patched_planning_graph(m.graph, m.lowered, m.target, c.spec, chosen->geo, o.plan, &chosen->planning,
                                        &chosen->po);
    chosen->plan = std::move(c.plan);
    return Status::ok();
  };
  if (fixed_rows) {
    if (cands.empty()) return make_error("--patch {}: no valid split for that grid", pc.text);
    auto best = std::min_element(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) { return a.arena < b.arena; });
    m.plan_reason = fmt::format("--patch {}: the grid asked for, at the split with the smallest arena", pc.text);
    FERRITE_TRY(keep(*best));
    return best->spec;
  }
  const double limit = o.max_patch_overhead * static_cast<double>(m.macs);
  Cand* best = nullptr;
  for (Cand& c : cands) {
    if (o.sram_budget) {  // the cheapest plan that fits the budget
      if (c.arena > o.sram_budget || base->arena_bytes <= o.sram_budget) continue;
      if (!best || c.extra < best->extra || (c.extra == best->extra && c.arena < best->arena)) best = &c;
    } else {
      if (static_cast<double>(c.extra) > limit || c.arena >= base->arena_bytes) continue;
      if (!best || c.arena < best->arena || (c.arena == best->arena && c.extra < best->extra)) best = &c;
    }
  }
  if (!best && o.sram_budget && base->arena_bytes > o.sram_budget) {
    // Nothing fits: take the smallest plan, so the budget error quotes the best reachable arena.
    for (Cand& c : cands)
      if (c.arena < base->arena_bytes && (!best || c.arena < best->arena)) best = &c;
  }
  const size_t plain = base->arena_bytes;
  if (o.sram_budget && plain <= o.sram_budget)
    m.plan_reason = fmt::format("--sram-budget {} B: the layer-by-layer arena ({} B) fits, so no patches (they would "
                                "only add MACs; without a budget the default may choose a smaller arena with patches)",
                                o.sram_budget, plain);
  else if (o.sram_budget && best && best->arena <= o.sram_budget)
    m.plan_reason = fmt::format("--sram-budget {} B: the layer-by-layer arena ({} B) does not fit; the patch plan with "
                                "the fewest extra MACs that fits", o.sram_budget, plain);
  else if (o.sram_budget)
    m.plan_reason = fmt::format("--sram-budget {} B: no plan fits; the smallest arena reachable", o.sram_budget);
  else if (best)
    m.plan_reason = fmt::format("default (no --sram-budget): the smallest arena among the patch plans within "
                                "--max-patch-overhead {:g}% extra MACs", o.max_patch_overhead * 100);
  else
    m.plan_reason = fmt::format("default (no --sram-budget): no patch plan within --max-patch-overhead {:g}% extra MACs "
                                "gives an arena below the layer-by-layer {} B", o.max_patch_overhead * 100, plain);
  chosen->base = std::move(*base);
  if (!best) return none;
  FERRITE_TRY(keep(*best));
  return best->spec;
}

// Patch-based inference: chooses the split and grid (or none), then plans memory and switches the
// nodes the plan runs in place to their in-place calls. `m` holds the lowered, unplanned model.
}  // namespace

Status plan_with_patches(CompiledModel& m, const MemoryOptions& o) {
  Planned chosen;
  auto spec = choose_patches(m, o, &chosen);
  if (!spec) return spec.error();
  std::optional<Expected<PatchExec>> lowered_patches;
  if (spec->stage) {
    // The planning graph gets the constants' bytes (the patches' lowering reads them); they go back
    // to m.graph if the plan is dropped.
    auto swap_bytes = [&] {
      for (size_t i = 0; i < m.graph.tensors.size(); ++i)
        if (m.graph.tensors[i].data) std::swap(m.graph.tensors[i].data, chosen.pg.tensors[i].data);
    };
    swap_bytes();
    const TensorId split = m.graph.nodes[spec->stage - 1].outputs[0];
    const TensorId split_patch = chosen.pg.nodes[spec->stage - 1].outputs[0];
    lowered_patches = lower_patches(chosen.pg, *spec, chosen.geo,
                                    std::vector<bool>(chosen.plan.inplace_variant.begin(), chosen.plan.inplace_variant.end()),
                                    split, split_patch, m.target, chosen.planning);
    // --patch auto never makes a model fail to compile: a plan it cannot lower is dropped.
    if (o.patch.mode == PatchChoice::Mode::Auto && !*lowered_patches) {
      swap_bytes();
      spec = PatchSpec{};
    }
  }
  if (spec->stage) {
    const PatchGeometry& geo = chosen.geo;
    m.graph = std::move(chosen.pg);
    m.plan = std::move(chosen.plan);
    Expected<PatchExec>& ex = *lowered_patches;
    if (!ex) return ex.error();
    m.macs = m.macs - geo.plain_macs + geo.patched_macs;
    // The patched calls' constants become graph constants (each shared constant once).
    std::map<const Tensor*, TensorId> made;
    for (auto& patch : ex->patches)
      for (auto& [node, c] : patch) {
        std::vector<KernelCall> one{std::move(c)};
        adopt_data_operands(m.graph, one, made, [&](size_t, size_t) { return fmt::format("patch_const_{}", made.size()); });
        c = std::move(one[0]);
      }
    m.plan.tensor_buffer.resize(m.graph.tensors.size(), -1);
    m.plan.external_input.resize(m.graph.tensors.size(), -1);
    for (size_t s = 0; s < spec->stage; ++s) {
      m.lowered[s].calls.clear();  // the stage's code is in m.patch
      m.lowered[s].macs = s < ex->node_macs.size() ? ex->node_macs[s] : 0;
    }
    ex->candidates = m.patch_candidates;
    m.patch = std::move(*ex);
  } else if (chosen.base) {
    m.plan = std::move(*chosen.base);  // the search's plan without patches
  } else {
    auto plan = plan_memory(m.graph, m.lowered, o.plan);
    if (!plan) return plan.error();
    m.plan = std::move(*plan);
  }
  for (size_t s = 0; s < m.lowered.size(); ++s) {
    if (m.plan.inplace_variant[s] && !m.lowered[s].inplace_calls.empty() && !(m.patch && s < m.patch->spec.stage)) {
      m.lowered[s].calls = m.lowered[s].inplace_calls;
      m.lowered[s].scratch_bytes = m.lowered[s].inplace_scratch_bytes;
    }
    // Copies of Concat inputs already produced in their slice (highest index first).
    std::vector<int> drop = m.plan.dropped_calls[s];
    std::sort(drop.rbegin(), drop.rend());
    for (int ci : drop) m.lowered[s].calls.erase(m.lowered[s].calls.begin() + ci);
  }

  return Status::ok();
}

Status step_patches(State& s, const MemoryOptions& o) {
  s.unplanned = s.m;  // the lowered, scheduled model every later re-plan starts from
  return plan_with_patches(s.m, o);
}

}  // namespace ferrite::memory
