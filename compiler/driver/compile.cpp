// Compile driver: runs the stages in order and produces the generated files.
#include "driver/compile.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "backends/portable/emit.h"
#include "kernels/select.h"
#include "passes/bottleneck.h"
#include "driver/progress.h"
#include "driver/report.h"
#include "driver/report_html.h"
#include "support/sanitize.h"
#include "frontend/tflite_import.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <signal.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ferrite {

const char* const kVersion = FERRITE_VERSION;

Expected<uint64_t> parse_bytes(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == 0 || i > 15) return make_error("bad byte size '{}': expected e.g. 65536, 64KiB, 1MiB", s);
  uint64_t v = std::stoull(s.substr(0, i));
  const std::string unit = s.substr(i);
  if (unit.empty() || unit == "B") return v;
  if (unit == "KiB" || unit == "K" || unit == "k") return v * 1024;
  if (unit == "MiB" || unit == "M") return v * 1024 * 1024;
  if (unit == "KB" || unit == "kB") return v * 1000;
  if (unit == "MB") return v * 1000 * 1000;
  return make_error("bad byte size '{}': unknown unit '{}' (use B, KiB, MiB, KB, MB)", s, unit);
}

// Scale and zero point of each quantized graph input/output, read off the quantized operator that
// consumes (inputs) or produces (outputs) it, before the passes rewrite anything.
static void record_io_quant(Graph& g) {
  struct Slot { OpKind op; int data; int scale; int zp; };  // data -1 = output 0
  static const Slot slots[] = {
      {OpKind::DequantizeLinear, 0, 1, 2}, {OpKind::QLinearConv, 0, 1, 2}, {OpKind::QLinearMatMul, 0, 1, 2},
      {OpKind::QLinearMatMul, 3, 4, 5},    {OpKind::QLinearAdd, 0, 1, 2},  {OpKind::QLinearAdd, 3, 4, 5},
      {OpKind::QLinearMul, 0, 1, 2},       {OpKind::QLinearMul, 3, 4, 5},  {OpKind::QGemm, 0, 1, 2},
      {OpKind::QLinearSigmoid, 0, 1, 2},   {OpKind::QLinearLeakyRelu, 0, 1, 2},
      {OpKind::QLinearGlobalAveragePool, 0, 1, 2}, {OpKind::QLinearAveragePool, 0, 1, 2},
      {OpKind::QuantizeLinear, -1, 1, 2},  {OpKind::QLinearConv, -1, 6, 7}, {OpKind::QLinearMatMul, -1, 6, 7},
      {OpKind::QLinearAdd, -1, 6, 7},      {OpKind::QLinearMul, -1, 6, 7},  {OpKind::QGemm, -1, 7, 8},
      {OpKind::QLinearSigmoid, -1, 3, 4},  {OpKind::QLinearLeakyRelu, -1, 3, 4},
      {OpKind::QLinearGlobalAveragePool, -1, 3, 4}, {OpKind::QLinearAveragePool, -1, 3, 4},
      {OpKind::QLinearConcat, -1, 0, 1}};
  auto quantized = [&](TensorId t) { return g.t(t).dtype == DType::I8 || g.t(t).dtype == DType::U8; };
  std::vector<TensorId> io = g.inputs;
  io.insert(io.end(), g.outputs.begin(), g.outputs.end());
  for (TensorId t : io) {
    if (!quantized(t) || g.io_quant.count(t)) continue;
    for (const Node& n : g.nodes)
      for (const Slot& s : slots) {
        if (n.op != s.op || g.io_quant.count(t)) continue;
        const TensorId d = s.data < 0 ? n.outputs[0] : (static_cast<size_t>(s.data) < n.inputs.size() ? n.inputs[static_cast<size_t>(s.data)] : kNoTensor);
        if (d != t || static_cast<size_t>(s.scale) >= n.inputs.size() || n.inputs[static_cast<size_t>(s.scale)] == kNoTensor) continue;
        const Tensor& sc = g.t(n.inputs[static_cast<size_t>(s.scale)]);
        if (!sc.is_constant() || sc.numel() != 1) continue;
        IoQuant q;
        q.scale = sc.as_f32()[0];
        const size_t zs = static_cast<size_t>(s.zp);
        if (zs < n.inputs.size() && n.inputs[zs] != kNoTensor && g.t(n.inputs[zs]).is_constant())
          q.zero_point = static_cast<int32_t>(g.t(n.inputs[zs]).as_i64().at(0));
        g.io_quant[t] = q;
      }
  }
}

// The graph the planner sees for a patched stage: T' (the per-patch output) added, stage tensors
// at their largest patch region, T live from the stage's first step and the input image until its
// last; depthwise in-place temporaries sized for the largest region; no in-place additions (their
// inputs may be larger windows than the output); no Concat input produced in its slice when either
// runs in the stage (a patch writes a window of the input, not the whole slice).
static Graph patched_planning_graph(const Graph& g0, const std::vector<Lowered>& lowered, const Target& target,
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
    const auto* cp = ref.size() == 1 ? std::get_if<ferrite_rt::ConvS8Params>(&ref[0].params) : nullptr;
    if (cp && (ref[0].kernel == KernelId::conv1x1_s8_nhwc || ref[0].kernel == KernelId::dwconv_s8_nhwc ||
               ref[0].kernel == KernelId::conv_s8_nhwc || ref[0].kernel == KernelId::conv1x1_s8_nhwc_tfl ||
               ref[0].kernel == KernelId::dwconv_s8_nhwc_tfl || ref[0].kernel == KernelId::conv_s8_nhwc_tfl)) {
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
        ferrite_rt::ConvS8Params q = *cp;
        q.h_in = static_cast<int32_t>(in->second.rows());
        q.w_in = static_cast<int32_t>(in->second.cols());
        q.h_out = static_cast<int32_t>(out->second.rows());
        q.w_out = static_cast<int32_t>(out->second.cols());
        q.pad_top = static_cast<int32_t>(in->second.r0 - (out->second.r0 * cp->stride_h - cp->pad_top));
        q.pad_left = static_cast<int32_t>(in->second.c0 - (out->second.c0 * cp->stride_w - cp->pad_left));
        out_of_place = std::max(out_of_place, conv_s8_scratch(q, ref[0].kernel, target, false));
        in_place = std::max(in_place, conv_s8_scratch(q, ref[0].kernel, target, true));
      }
      l.scratch_bytes = all ? out_of_place : std::max(l.scratch_bytes, out_of_place);
      if (!l.inplace_calls.empty()) l.inplace_scratch_bytes = all ? in_place : std::max(l.inplace_scratch_bytes, in_place);
    } else if (!l.inplace_calls.empty()) {
      // The in-place temporary (one channel plane) at the largest region.
      const auto& d = dims[n.inputs[0]];
      l.inplace_scratch_bytes = dtype_size(g.t(n.inputs[0]).dtype) * static_cast<size_t>(d.first * d.second);
    }
    if (n.op == OpKind::Add || n.op == OpKind::QLinearAdd) l.inplace_input = -1;
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

// Picks the patch plan per --patch / --max-patch-overhead / --sram-budget; stage 0 = no patches.
static Expected<PatchSpec> choose_patches(CompiledModel& m, const CompileOptions& o) {
  PatchSpec none;
  if (o.patch == "off") {
    m.plan_reason = "--patch off: layer by layer";
    return none;
  }
  int fixed_rows = 0, fixed_cols = 0;
  size_t fixed_stage = 0;
  if (o.patch != "auto") {
    int r = 0, c = 0, at = -1;
    char x = 0;
    const int n = std::sscanf(o.patch.c_str(), "%d%c%d@%d", &r, &x, &c, &at);
    if (n < 3 || (x != 'x' && x != 'X') || r < 1 || c < 1)
      return make_error("--patch '{}': expected off, auto, RxC or RxC@LAYER (e.g. 4x4@12)", o.patch);
    fixed_rows = r;
    fixed_cols = c;
    if (n == 4) fixed_stage = static_cast<size_t>(at) + 1;
  }
  auto cuts = patch_cut_points(m.graph);
  if (fixed_stage && std::find(cuts.begin(), cuts.end(), fixed_stage) == cuts.end())
    return make_error("--patch {}: the graph cannot be split after layer {} (possible: {})", o.patch, fixed_stage - 1,
                      [&] {
                        std::string s;
                        for (size_t c : cuts) s += (s.empty() ? "" : ", ") + std::to_string(c - 1);
                        return s.empty() ? std::string("none") : s;
                      }());
  // Baseline: no patches.
  auto base = plan_memory(m.graph, m.lowered, o.plan);
  if (!base) return base.error();
  struct Cand { PatchSpec spec; size_t arena; uint64_t extra; };
  std::vector<Cand> cands;
  for (size_t k : cuts) {
    if (fixed_stage && k != fixed_stage) continue;
    const Shape& ts = m.graph.t(m.graph.nodes[k - 1].outputs[0]).shape;
    std::vector<std::pair<int, int>> grids;
    if (fixed_rows) grids.emplace_back(fixed_rows, fixed_cols);
    else
      for (int n : {2, 3, 4, 5, 6, 7, 8}) grids.emplace_back(n, n);
    for (auto [r, c] : grids) {
      if (r > ts[2] || c > ts[3]) continue;
      PatchSpec spec{k, r, c};
      auto geo = patch_geometry(m.graph, spec);
      if (!geo) continue;
      const uint64_t extra = geo->patched_macs - geo->plain_macs;
      std::vector<Lowered> planning;
      PlanOptions po;
      Graph pg = patched_planning_graph(m.graph, m.lowered, m.target, spec, *geo, o.plan, &planning, &po);
      auto plan = plan_memory(pg, planning, po);
      if (!plan) continue;
      cands.push_back({spec, plan->arena_bytes, extra});
      m.patch_candidates.push_back(fmt::format(
          "split after layer {} ('{}', {}x{}), grid {}x{}: arena {} B, +{} MACs (+{:.1f} % of all {})", k - 1,
          comment_safe(m.graph.t(m.graph.nodes[k - 1].outputs[0]).name), ts[2], ts[3], r, c, plan->arena_bytes, extra,
          m.macs ? 100.0 * static_cast<double>(extra) / static_cast<double>(m.macs) : 0.0, m.macs));
    }
  }
  if (fixed_rows) {
    if (cands.empty()) return make_error("--patch {}: no valid split for that grid", o.patch);
    auto best = std::min_element(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) { return a.arena < b.arena; });
    m.plan_reason = fmt::format("--patch {}: the grid asked for, at the split with the smallest arena", o.patch);
    return best->spec;
  }
  const double limit = o.max_patch_overhead * static_cast<double>(m.macs);
  const Cand* best = nullptr;
  for (const Cand& c : cands) {
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
    for (const Cand& c : cands)
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
  return best ? best->spec : none;
}

// Patch-based inference: chooses the split and grid (or none), then plans memory and switches the
// nodes the plan runs in place to their in-place calls. `m` holds the lowered, unplanned model.
static Status plan_model(CompiledModel& m, const CompileOptions& o) {
  auto spec = choose_patches(m, o);
  if (!spec) return spec.error();
  if (spec->stage) {
    // --patch auto never makes a model fail to compile: a plan it cannot lower is dropped.
    if (o.patch == "auto") {
      auto geo = patch_geometry(m.graph, *spec);
      std::vector<Lowered> planning;
      PlanOptions po;
      bool ok = static_cast<bool>(geo);
      if (ok) {
        const TensorId split = m.graph.nodes[spec->stage - 1].outputs[0];
        Graph pg = patched_planning_graph(m.graph, m.lowered, m.target, *spec, *geo, o.plan, &planning, &po);
        auto pl = plan_memory(pg, planning, po);
        ok = pl && static_cast<bool>(lower_patches(pg, *spec, *geo,
                                                   std::vector<bool>(pl->inplace_variant.begin(), pl->inplace_variant.end()),
                                                   split, pg.nodes[spec->stage - 1].outputs[0], m.target, planning));
      }
      if (!ok) spec = PatchSpec{};
    }
  }
  if (spec->stage) {
    auto geo = patch_geometry(m.graph, *spec);
    if (!geo) return geo.error();
    std::vector<Lowered> planning;
    PlanOptions po;
    const TensorId split = m.graph.nodes[spec->stage - 1].outputs[0];
    Graph pg = patched_planning_graph(m.graph, m.lowered, m.target, *spec, *geo, o.plan, &planning, &po);
    m.graph = std::move(pg);
    const TensorId split_patch = m.graph.nodes[spec->stage - 1].outputs[0];
    auto plan = plan_memory(m.graph, planning, po);
    if (!plan) return plan.error();
    m.plan = std::move(*plan);
    std::vector<bool> ip(m.plan.inplace_variant.begin(), m.plan.inplace_variant.end());
    auto ex = lower_patches(m.graph, *spec, *geo, ip, split, split_patch, m.target, planning);
    if (!ex) return ex.error();
    m.macs = m.macs - geo->plain_macs + geo->patched_macs;
    // The patched calls' constants become graph constants (each shared constant once).
    std::map<const Tensor*, TensorId> made;
    for (auto& patch : ex->patches)
      for (auto& [node, c] : patch)
        for (Operand& op : c.args)
          if (op.kind == Operand::Kind::Data) {
            auto it = made.find(op.data.get());
            if (it == made.end()) {
              Tensor t = *op.data;
              if (t.name.empty()) t.name = fmt::format("patch_const_{}", made.size());
              it = made.emplace(op.data.get(), m.graph.add_tensor(std::move(t))).first;
            }
            op = Operand::tensor(it->second);
          }
    m.plan.tensor_buffer.resize(m.graph.tensors.size(), -1);
    m.plan.external_input.resize(m.graph.tensors.size(), -1);
    for (size_t s = 0; s < spec->stage; ++s) {
      m.lowered[s].calls.clear();  // the stage's code is in m.patch
      m.lowered[s].macs = s < ex->node_macs.size() ? ex->node_macs[s] : 0;
    }
    ex->candidates = m.patch_candidates;
    m.patch = std::move(*ex);
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

// The steps of the highest live bytes of a plan.
static size_t peak_bytes(const MemoryPlan& p) { return p.live.empty() ? 0 : *std::max_element(p.live.begin(), p.live.end()); }

// --fuse-bottlenecks: starting from the planned model `m` (lowered copy `unplanned`), fuses the
// inverted bottlenecks at the peak (auto: round by round while the arena shrinks) or all of them.
static Status fuse_bottlenecks(CompiledModel& m, CompiledModel unplanned, const CompileOptions& o) {
  if (o.fuse_bottlenecks == "off") return Status::ok();
  for (;;) {
    const size_t from = m.patch ? m.patch->spec.stage : 0;
    std::vector<size_t> chains;
    for (size_t c : find_bottlenecks(unplanned.graph, unplanned.lowered, from)) {
      const size_t peak = peak_bytes(m.plan);
      const bool at_peak = c + 2 < m.plan.live.size() &&
                           std::max({m.plan.live[c], m.plan.live[c + 1], m.plan.live[c + 2]}) == peak;
      if (o.fuse_bottlenecks == "all" || at_peak) chains.push_back(c);
    }
    if (chains.empty()) return Status::ok();
    CompiledModel next = unplanned;
    std::vector<std::string> notes;
    for (auto it = chains.rbegin(); it != chains.rend(); ++it) {  // back to front: indices stay valid
      auto note = fuse_bottleneck(next.graph, next.lowered, *it, next.target);
      if (!note) return note.error();
      notes.insert(notes.begin(), std::move(*note));
    }
    CompiledModel trial = next;
    FERRITE_TRY(plan_model(trial, o));
    if (o.fuse_bottlenecks == "auto" && trial.plan.arena_bytes >= m.plan.arena_bytes) return Status::ok();
    notes.insert(notes.begin(), m.fused_notes.begin(), m.fused_notes.end());
    unplanned = std::move(next);
    m = std::move(trial);
    m.fused_notes = std::move(notes);
    if (o.fuse_bottlenecks == "all") return Status::ok();
  }
}

// --patch auto: the patch candidates are compared with the plain plan before bottleneck fusion,
// but fusion may shrink the plain plan below every patched one (MobileNetV2-0.35-96 int8: 110,592 B
// at +0 MACs fused, against 117,952 B at +14.4 % MACs with 8x8 patches). The plain plan has the
// fewest MACs, so it is taken whenever the patched one does not beat it: no budget, a patched
// arena that is not smaller; with --sram-budget, whenever the plain plan fits (or, when neither
// fits, is not larger). The patched plan never wins on MACs, so this leaves no candidate that is
// better on both axes among the ones compared here.
static Status prefer_plain_plan(CompiledModel& m, CompiledModel unplanned, const CompileOptions& o) {
  if (o.patch != "auto" || !m.patch) return Status::ok();
  CompileOptions plain_opts = o;
  plain_opts.patch = "off";
  CompiledModel plain = unplanned;
  FERRITE_TRY(plan_model(plain, plain_opts));
  FERRITE_TRY(fuse_bottlenecks(plain, std::move(unplanned), plain_opts));
  const size_t a_plain = plain.plan.arena_bytes, a_patch = m.plan.arena_bytes;
  bool take_plain = a_plain <= a_patch;
  if (o.sram_budget && a_plain <= o.sram_budget) take_plain = true;
  std::vector<std::string> cands = std::move(m.patch_candidates);
  cands.push_back(fmt::format("no patches{}: arena {} B, +0 MACs{}",
                              plain.fused_notes.empty() ? "" : fmt::format(", {} bottleneck{} fused",
                                                                             plain.fused_notes.size(),
                                                                             plain.fused_notes.size() == 1 ? "" : "s"),
                              a_plain, take_plain ? " (chosen: no patched plan is smaller)" : ""));
  if (take_plain) m = std::move(plain);
  m.patch_candidates = std::move(cands);
  if (m.patch) m.patch->candidates = m.patch_candidates;
  return Status::ok();
}

// --weights-format/--weights-section/--weights-align: the section name goes into assembler and
// __attribute__((section)) text, so it is limited to the characters ELF section names use.
static Status check_weights_options(const WeightsOptions& w) {
  if (w.format != "incbin" && w.format != "text" && w.format != "array")
    return make_error("--weights-format '{}': expected incbin (default), text or array", w.format);
  bool ok = !w.section.empty() && w.section.size() <= 128;
  for (char ch : w.section) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '$');
  if (!ok || std::isdigit(static_cast<unsigned char>(w.section[0])))
    return make_error("--weights-section '{}': expected a section name of letters, digits, '.', '_' or '$' "
                      "(e.g. .rodata.weights)", w.section);
  if (w.align < 16 || w.align > 65536 || (w.align & (w.align - 1)))
    return make_error("--weights-align {}: expected a power of two from 16 to 65536", w.align);
  return {};
}

Expected<CompiledModel> compile_model(const CompileOptions& o) {
  auto target = find_target(o.target);
  if (!target) return target.error();
  FERRITE_TRY(check_weights_options(o.weights));
  auto stage = [&](const char* name) {
    if (o.progress) o.progress->begin(name);
  };
  stage("import (parse, check, shape inference)");
  // A TFLite flatbuffer (identifier "TFL3") goes through the TFLite frontend, whatever its extension;
  // its rank-4 inputs are NHWC, as the model states them (docs/tflite.md).
  const bool tflite = is_tflite_file(o.model_path);
  auto graph = tflite ? import_tflite(o.model_path) : import_onnx(o.model_path, o.import);
  if (!graph) return graph.error();
  PassContext passes = o.passes;
  if (tflite) passes.input_nhwc = true;
  CompiledModel m;
  m.model_file = fs::path(o.model_path).filename().string();
  m.name = sanitize_identifier(o.name.empty() ? fs::path(o.model_path).stem().string() : o.name, 40);
  m.target = *target;
  m.profile = o.profile;
  m.weights_options = o.weights;
  m.graph = std::move(*graph);
  record_io_quant(m.graph);
  stage("graph passes");
  FERRITE_TRY(run_pipeline(m.graph, passes));
  stage("lowering (kernel selection, weight packing)");

  // Lowering: every node must map to kernels; collect every failure so the user sees them all.
  std::string errors;
  int nerr = 0;
  for (size_t ni = 0; ni < m.graph.nodes.size(); ++ni) {
    const Node n = m.graph.nodes[ni];  // a copy: add_tensor below may not touch nodes, but stay safe
    auto l = lower_node(m.graph, n, m.target);
    if (!l) {
      errors += "\n  " + l.error().message;
      ++nerr;
      continue;
    }
    m.macs += l->macs;
    // Constants computed by lowering become graph constants named after their node (once each, even
    // when both the normal and the in-place variant refer to them).
    std::map<const Tensor*, TensorId> made;
    auto convert = [&](std::vector<KernelCall>& calls) {
      for (size_t ci = 0; ci < calls.size(); ++ci)
        for (size_t ai = 0; ai < calls[ci].args.size(); ++ai) {
          Operand& op = calls[ci].args[ai];
          if (op.kind != Operand::Kind::Data) continue;
          auto it = made.find(op.data.get());
          if (it == made.end()) {
            Tensor t = *op.data;
            if (t.name.empty()) t.name = fmt::format("{}_k{}_{}", n.name.empty() ? "node" : n.name, ci, ai);
            it = made.emplace(op.data.get(), m.graph.add_tensor(std::move(t))).first;
          }
          op = Operand::tensor(it->second);
        }
    };
    convert(l->calls);
    convert(l->inplace_calls);
    convert(l->reference_calls);
    m.lowered.push_back(std::move(*l));
  }
  if (nerr) return make_error("{} node{} cannot be compiled:{}", nerr, nerr == 1 ? "" : "s", errors);

  // Execution order: with branches, the order that gives the smallest arena (--schedule auto). It
  // runs on the lowered graph because in-place and scratch decisions depend on the order, and
  // before the patch choice, whose stages are prefixes of the order.
  auto sched = choose_schedule(m.graph, m.lowered, o.plan, o.schedule);
  if (!sched) return sched.error();
  if (sched->reordered()) {
    apply_schedule(m.graph, m.lowered, sched->order);
    if (Status st = verify(m.graph); !st)
      return make_error("internal error: the execution order search broke the graph: {}", st.error().message);
  }
  m.schedule = std::move(*sched);

  CompiledModel unplanned = m;
  stage("memory plan (order, patches, placement)");
  FERRITE_TRY(plan_model(m, o));
  FERRITE_TRY(fuse_bottlenecks(m, unplanned, o));
  FERRITE_TRY(prefer_plain_plan(m, std::move(unplanned), o));
  if (o.progress) o.progress->end();

  // The constants the generated code reads.
  std::set<TensorId> w;
  for (size_t s = 0; s < m.graph.nodes.size(); ++s) {
    const Lowered& l = m.lowered[s];
    if (l.alias && m.graph.t(m.graph.nodes[s].inputs[0]).is_constant()) w.insert(m.graph.nodes[s].inputs[0]);
    for (const auto& c : l.calls)
      for (const auto& op : c.args)
        if (op.kind == Operand::Kind::Tensor && m.graph.t(op.id).is_constant() &&
            m.plan.tensor_buffer[static_cast<size_t>(op.id)] < 0)
          w.insert(op.id);
  }
  if (m.patch)
    for (const auto& patch : m.patch->patches)
      for (const auto& [node, c] : patch)
        for (const auto& op : c.args)
          if (op.kind == Operand::Kind::Tensor && m.graph.t(op.id).is_constant()) w.insert(op.id);
  for (TensorId out : m.graph.outputs)
    if (m.graph.t(out).is_constant() && !m.graph.producer(out)) w.insert(out);
  m.weights.assign(w.begin(), w.end());
  for (TensorId id : m.weights) m.weights_bytes += m.graph.t(id).bytes();

  if (m.plan.arena_bytes > kMaxArenaBytes)
    return make_error("the arena needs {} bytes, more than the {} bytes Ferrite can address from 32-bit code",
                      m.plan.arena_bytes, kMaxArenaBytes);
  if (o.sram_budget && m.plan.arena_bytes > o.sram_budget) {
    size_t peak = 0;
    for (size_t s = 0; s < m.plan.live.size(); ++s)
      if (m.plan.live[s] > m.plan.live[peak]) peak = s;
    std::string at = m.graph.nodes.empty() ? std::string("(no layers)") : m.graph.nodes[peak].display_name();
    Error e = make_error("SRAM budget exceeded: the arena needs {} bytes, the budget is {} bytes ({} bytes over); "
                      "the peak is at layer {} {} with {} live bytes",
                      m.plan.arena_bytes, o.sram_budget, m.plan.arena_bytes - o.sram_budget, peak, at,
                      m.plan.live.empty() ? 0 : m.plan.live[peak]);
    e.kind = Error::Kind::CheckFailed;
    return e;
  }
  return m;
}

Expected<std::vector<GeneratedFile>> generate_files(const CompiledModel& m, std::vector<ProfileRow>* profile_rows) {
  auto src = emit_portable(m);
  if (!src) return src.error();
  if (profile_rows) *profile_rows = src->profile;
  std::vector<GeneratedFile> files;
  files.push_back({m.name + ".h", src->header});
  files.push_back({m.name + ".cpp", src->source});
  files.push_back({m.name + "_weights.cpp", src->weights});
  if (m.weights_options.format == "incbin") files.push_back({m.name + "_weights.bin", src->weights_blob});
  const nlohmann::json rj = report_json(m);  // (built once: it is most of the time on a 100,000-node model)
  files.push_back({m.name + "_report.json", rj.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"});
  files.push_back({m.name + "_report.txt", report_text(m)});
  files.push_back({m.name + "_memory.html", report_html(rj)});
  return files;
}

namespace {

// What a SIGINT/SIGTERM/SIGHUP during the write phase must remove: the temporary files and their
// folder. Fixed-size C strings, so that the handler only calls async-signal-safe functions.
struct WriteCleanup {
  static constexpr int kMaxFiles = 16;
  char files[kMaxFiles][4096];
  int count = 0;
  char dir[4096];
  volatile std::sig_atomic_t active = 0;
};
WriteCleanup g_cleanup;
constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void remove_temporaries_and_die(int sig) {
  if (g_cleanup.active) {
    for (int i = 0; i < g_cleanup.count; ++i) unlink(g_cleanup.files[i]);
    rmdir(g_cleanup.dir);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

bool copy_path(char* dst, const std::string& src) {
  if (src.size() >= 4096) return false;
  std::memcpy(dst, src.c_str(), src.size() + 1);
  return true;
}

}  // namespace

// Writes every file into a temporary folder beside the output folder, then swaps them in: each
// existing file is first moved aside into the temporary folder, so that a failure part way (a
// folder named like an output file, a full disk, a permission) puts every old file back and removes
// the new ones. A SIGINT/SIGTERM/SIGHUP while the files are written removes the temporary folder;
// during the swap those signals are held until it is complete (or rolled back).
Status write_files_atomically(const std::string& dir, const std::vector<GeneratedFile>& files) {
  std::error_code ec;
  fs::path out(dir);
  if (out.filename().empty()) out = out.parent_path();
  const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (files.size() > static_cast<size_t>(WriteCleanup::kMaxFiles))
    return make_error("internal error: {} files to write, at most {}", files.size(), WriteCleanup::kMaxFiles);
  if (fs::exists(out, ec) && !fs::is_directory(out, ec))
    return make_error("cannot write into '{}': it exists and is not a folder", out.string());
  fs::create_directories(parent, ec);
  if (ec) return make_error("cannot create '{}': {}", parent.string(), ec.message());
  // The signals are held from before the temporary folder exists until the handler knows it.
  sigset_t block, prev;
  sigemptyset(&block);
  for (int sig : kCleanupSignals) sigaddset(&block, sig);
  sigprocmask(SIG_BLOCK, &block, &prev);
  std::string tmpl = (parent / ".ferrite-tmp-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    const int err = errno;
    sigprocmask(SIG_SETMASK, &prev, nullptr);
    return make_error("cannot create a temporary directory in '{}': {}", parent.string(), std::strerror(err));
  }
  const fs::path tmp = tmpl;

  // Write phase: a signal removes the temporaries.
  g_cleanup.count = 0;
  bool paths_ok = copy_path(g_cleanup.dir, tmp.string());
  for (const auto& f : files) paths_ok = paths_ok && copy_path(g_cleanup.files[g_cleanup.count++], (tmp / f.name).string());
  struct sigaction sa {}, old[3];
  sa.sa_handler = remove_temporaries_and_die;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; ++i) sigaction(kCleanupSignals[i], &sa, &old[i]);
  g_cleanup.active = paths_ok ? 1 : 0;
  sigprocmask(SIG_SETMASK, &prev, nullptr);
  auto restore_handlers = [&] {
    g_cleanup.active = 0;
    for (int i = 0; i < 3; ++i) sigaction(kCleanupSignals[i], &old[i], nullptr);
  };
  auto fail = [&](const std::string& msg) -> Status {
    fs::remove_all(tmp, ec);
    restore_handlers();
    return Error{msg};
  };
  for (const auto& f : files) {
    std::ofstream os(tmp / f.name, std::ios::binary);
    os.write(f.content.data(), static_cast<std::streamsize>(f.content.size()));
    os.close();
    if (!os) return fail(fmt::format("cannot write '{}' (disk full?)", (out / f.name).string()));
  }

  // Swap phase, with the signals held.
  sigprocmask(SIG_BLOCK, &block, &prev);
  const bool created_out = !fs::exists(out, ec);
  fs::create_directories(out, ec);
  std::string error;
  if (ec) error = fmt::format("cannot create '{}': {}", out.string(), ec.message());
  std::vector<std::pair<fs::path, bool>> moved;  // target, whether an old file was set aside
  for (size_t i = 0; error.empty() && i < files.size(); ++i) {
    const fs::path target = out / files[i].name, aside = tmp / (files[i].name + ".old");
    const auto st = fs::symlink_status(target, ec);
    if (fs::is_directory(st)) {  // never moved aside: only files Ferrite may replace are
      error = fmt::format("cannot write '{}': a folder has that name", target.string());
      break;
    }
    const bool had_old = fs::exists(st);
    if (had_old) {
      fs::rename(target, aside, ec);
      if (ec) {
        error = fmt::format("cannot move the old '{}' aside: {}", target.string(), ec.message());
        break;
      }
    }
    fs::rename(tmp / files[i].name, target, ec);
    if (ec) {
      error = fmt::format("cannot move '{}' into place: {}", target.string(), ec.message());
      if (had_old) fs::rename(aside, target, ec);
      break;
    }
    moved.emplace_back(target, had_old);
  }
  if (!error.empty()) {  // roll back: the old files return, the new ones go
    for (auto it = moved.rbegin(); it != moved.rend(); ++it) {
      const fs::path aside = tmp / (it->first.filename().string() + ".old");
      if (it->second) fs::rename(aside, it->first, ec);
      else fs::remove(it->first, ec);
    }
    if (created_out) fs::remove(out, ec);  // only when empty
  }
  fs::remove_all(tmp, ec);
  restore_handlers();
  sigprocmask(SIG_SETMASK, &prev, nullptr);
  if (!error.empty()) return Error{error + "; the output folder is unchanged"};
  return Status::ok();
}

}  // namespace ferrite
