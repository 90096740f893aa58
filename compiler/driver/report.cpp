// Builds the memory/compute report of a compiled model. Schema version 1; see docs/report-schema.md.
#include "driver/report.h"

#include <algorithm>

#include "backends/portable/weights.h"
#include "support/sanitize.h"

namespace ferrite {

// The execution order search: what was compared and what it gave (docs/report-schema.md).
static nlohmann::json schedule_json(const ScheduleResult& sc) {
  using nlohmann::json;
  json cands = json::array();
  for (const auto& c : sc.candidates)
    cands.push_back({{"name", c.name}, {"arena_bytes", c.arena_bytes}, {"live_peak_bytes", c.live_peak},
                     {"same_as", c.same_as.empty() ? json(nullptr) : json(c.same_as)}});
  return {{"search", sc.search},
          {"reordered", sc.reordered()},
          {"chosen", sc.chosen},
          {"arena_bytes", sc.arena_bytes},
          {"model_order_arena_bytes", sc.model_arena_bytes},
          {"states", sc.states},
          {"orders_evaluated", sc.orders_evaluated},
          {"order", sc.order},
          {"candidates", cands}};
}

// One line for the text report.
static std::string schedule_line(const ScheduleResult& sc) {
  if (sc.search == "off") return fmt::format("model order (--schedule model), arena {} B", sc.model_arena_bytes);
  if (sc.search == "single-order") return "model order (the only one: no parallel branches)";
  const std::string how = fmt::format("{} search, {} sets of layers, {} orders planned", sc.search, sc.states,
                                      sc.orders_evaluated);
  if (sc.reordered())
    return fmt::format("reordered ({}): arena {} B, {} B in the model's order ({})", sc.chosen, sc.arena_bytes,
                       sc.model_arena_bytes, how);
  return fmt::format("model order kept: no order beats its arena {} B ({})", sc.model_arena_bytes, how);
}

// Operators still computing in float in a model that has int8 tensors (never a silent fallback).
static std::vector<std::string> float_ops_of(const CompiledModel& m, bool* quantized_out = nullptr) {
  const Graph& g = m.graph;
  bool quantized = false;
  for (const auto& t : g.tensors) quantized = quantized || t.dtype == DType::I8;
  if (quantized_out) *quantized_out = quantized;
  std::vector<std::string> float_ops;
  if (quantized)
    for (const Node& n : g.nodes) {
      if (n.op == OpKind::QuantizeLinear || n.op == OpKind::DequantizeLinear || m.lowered[static_cast<size_t>(&n - &g.nodes[0])].alias) continue;
      bool f32 = false;
      for (TensorId o : n.outputs) f32 = f32 || g.t(o).dtype == DType::F32;
      if (f32) float_ops.push_back(n.name.empty() ? std::string(op_info(n.op).onnx_type) : n.name);
    }
  return float_ops;
}

nlohmann::json report_json(const CompiledModel& m) {
  using nlohmann::json;
  const Graph& g = m.graph;
  json r;
  r["schema_version"] = 1;
  r["ferrite_version"] = kVersion;
  r["model"] = m.model_file;
  r["name"] = m.name;
  r["target"] = m.target.name;
  r["arena_bytes"] = m.plan.arena_bytes;
  r["lower_bound_bytes"] = m.plan.lower_bound_bytes;
  r["arena_to_lower_bound"] =
      m.plan.lower_bound_bytes ? static_cast<double>(m.plan.arena_bytes) / static_cast<double>(m.plan.lower_bound_bytes) : 1.0;
  r["arena_alignment"] = m.plan.alignment;
  r["planner"] = m.plan.algorithm;
  json cands = json::array();
  for (const auto& [name, bytes] : m.plan.candidates) cands.push_back({{"algorithm", name}, {"arena_bytes", bytes}});
  r["planner_candidates"] = cands;
  r["weights_bytes"] = m.weights_bytes;
  // The section the constants go into and its size in a linked image (alignment padding included).
  r["weights_section"] = m.weights_options.section;
  r["weights_section_bytes"] = weights_section_bytes(m);
  r["weights_format"] = m.weights_options.format;
  r["macs"] = m.macs;
  auto io = [&](const std::vector<TensorId>& ids) {
    json a = json::array();
    for (TensorId id : ids) {
      const Tensor& t = g.t(id);
      const int b = m.plan.tensor_buffer[static_cast<size_t>(id)];
      a.push_back({{"name", t.name}, {"dtype", dtype_name(t.dtype)}, {"shape", t.storage_shape()},
                   {"layout", t.nhwc ? "NHWC" : "model"}, {"bytes", t.bytes()},
                   {"quantization", g.io_quant.count(id) ? json{{"scale", g.io_quant.at(id).scale},
                                                               {"zero_point", g.io_quant.at(id).zero_point}}
                                                         : json(nullptr)},
                   {"arena_offset", b >= 0 ? m.plan.buffers[static_cast<size_t>(b)].offset : 0},
                   {"in_arena", b >= 0}});
    }
    return a;
  };
  r["inputs"] = io(g.inputs);
  r["outputs"] = io(g.outputs);

  json layers = json::array();
  size_t peak_step = 0;
  for (size_t s = 0; s < m.plan.live.size(); ++s)
    if (m.plan.live[s] > m.plan.live[peak_step]) peak_step = s;
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    const Node& n = g.nodes[s];
    json L;
    L["index"] = s;
    L["name"] = n.name;
    L["op"] = op_info(n.op).onnx_type;
    if (n.act.kind != FusedAct::None) L["fused_activation"] = n.act.from;
    json kernels = json::array();
    for (const auto& c : m.lowered[s].calls) kernels.push_back(c.variant);
    L["kernels"] = kernels;
    L["alias"] = m.lowered[s].alias;
    L["macs"] = m.lowered[s].macs;
    L["live_bytes"] = s < m.plan.live.size() ? m.plan.live[s] : 0;
    L["scratch_bytes"] = m.lowered[s].scratch_bytes;
    json outs = json::array();
    for (TensorId o : n.outputs) outs.push_back(g.t(o).name);
    L["outputs"] = outs;
    layers.push_back(L);
  }
  r["layers"] = layers;
  r["peak_layer"] = g.nodes.empty() ? json(nullptr) : json(peak_step);
  json bufs = json::array();
  for (const auto& b : m.plan.buffers) {
    json B;
    B["name"] = b.req.name;
    B["offset"] = b.offset;
    B["bytes"] = b.req.size;
    B["first_step"] = b.req.first;
    B["last_step"] = b.req.last;
    B["kind"] = b.scratch_of >= 0 ? "scratch" : "tensor";
    // Index of the buffer it is placed relative to (shrinking in place, or a Concat input inside its
    // slice of the output), or -1; anchor_offset: bytes above that buffer's offset.
    B["anchor"] = b.req.anchor;
    B["anchor_offset"] = b.req.anchor_offset;
    json ts = json::array();
    for (TensorId t : b.tensors) ts.push_back(g.t(t).name);
    B["tensors"] = ts;
    bufs.push_back(B);
  }
  r["buffers"] = bufs;
  r["inplace"] = m.plan.inplace_notes;
  r["fused_bottlenecks"] = m.fused_notes;
  bool quantized = false;
  json float_ops = json::array();
  for (auto& f : float_ops_of(m, &quantized)) float_ops.push_back(std::move(f));
  r["quantized"] = quantized;
  if (m.patch) {
    const auto& p = *m.patch;
    r["patch"] = {{"split_layer", p.spec.stage - 1},
                  {"split_tensor", g.t(p.split).name},
                  {"grid", fmt::format("{}x{}", p.spec.grid_rows, p.spec.grid_cols)},
                  {"patches", p.patches.size()},
                  {"stage_macs_plain", p.plain_macs},
                  {"stage_macs_patched", p.patched_macs},
                  {"extra_macs", p.patched_macs - p.plain_macs}};
  } else {
    r["patch"] = nullptr;
  }
  r["patch_candidates"] = m.patch_candidates;
  r["plan_reason"] = m.plan_reason;
  r["schedule"] = schedule_json(m.schedule);
  r["float_ops"] = float_ops;
  return r;
}

std::string report_text(const CompiledModel& m, bool with_candidates) {
  const Graph& g = m.graph;
  std::string s;
  s += fmt::format("ferrite {} — {} ({}), target {}\n", kVersion, comment_safe(m.model_file), m.name, m.target.name);
  s += fmt::format("  arena        {:>10} bytes  (lower bound {} bytes, ratio {:.3f}, planner {})\n",
                   m.plan.arena_bytes, m.plan.lower_bound_bytes,
                   m.plan.lower_bound_bytes ? double(m.plan.arena_bytes) / double(m.plan.lower_bound_bytes) : 1.0,
                   m.plan.algorithm);
  s += fmt::format("  weights      {:>10} bytes\n", m.weights_bytes);
  s += fmt::format("  MACs         {:>10}\n", m.macs);
  s += fmt::format("  layers       {:>10}  ({} in place)\n", g.nodes.size(), m.plan.inplace_notes.size());
  if (m.patch)
    s += fmt::format("  patches      layers 0-{} run as a {}x{} grid of patches over '{}' (+{} MACs of halo recomputation)\n",
                     m.patch->spec.stage - 1, m.patch->spec.grid_rows, m.patch->spec.grid_cols,
                     comment_safe(g.t(m.patch->split).name), m.patch->patched_macs - m.patch->plain_macs);
  if (!m.plan_reason.empty()) s += "  plan         " + m.plan_reason + "\n";
  s += "  schedule     " + schedule_line(m.schedule) + "\n";
  if (!m.fused_notes.empty())
    s += fmt::format("  bottlenecks  {:>10}  fused (expand + depthwise [+ project] streamed channel by channel)\n",
                     m.fused_notes.size());
  if (with_candidates) {
    for (const auto& c : m.patch_candidates) s += "    candidate: " + c + "\n";
    for (const auto& f : m.fused_notes) s += "    fused: " + comment_safe(f) + "\n";
  }
  else if (!m.patch_candidates.empty())
    s += fmt::format("  ({} patch plans considered: `ferrite report` or <name>_report.txt lists them)\n",
                     m.patch_candidates.size());
  const auto fo = float_ops_of(m);
  if (!fo.empty()) s += fmt::format("  float ops    {:>10}  (no int8 kernel: they run in float between Dequantize/Quantize)\n", fo.size());
  // Names are never cut: the column is as wide as the longest (comment_safe caps a name at 80).
  size_t name_w = 28;
  for (const Node& n : g.nodes) name_w = std::max(name_w, comment_safe(n.name).size());
  s += fmt::format("  {:>4}  {:<20} {:<{}} {:>12} {:>12}  {}\n", "#", "op", "name", name_w, "MACs", "live bytes",
                   "kernel (P = runs patch by patch)");
  size_t peak = 0;
  for (size_t i = 0; i < m.plan.live.size(); ++i) peak = std::max(peak, m.plan.live[i]);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    std::string op = op_info(n.op).onnx_type;
    if (n.act.kind != FusedAct::None) op += "+act";
    const size_t live = i < m.plan.live.size() ? m.plan.live[i] : 0;
    std::string kernel;  // the kernel variants of the layer's calls, in order, without repeats
    for (const auto& c : m.lowered[i].calls)
      if (!c.variant.empty() && kernel.find(c.variant) == std::string::npos) kernel += (kernel.empty() ? "" : "+") + c.variant;
    if (m.lowered[i].alias) kernel = "(view)";
    const bool patched = m.patch && i < static_cast<size_t>(m.patch->spec.stage);
    s += fmt::format("  {:>4}  {:<20} {:<{}} {:>12} {:>12}  {}{}{}\n", i, op, comment_safe(n.name), name_w,
                     m.lowered[i].macs, live, patched ? "P " : "", kernel.empty() ? "-" : comment_safe(kernel),
                     live == peak && peak ? "  <- peak" : "");
  }
  return s;
}

}  // namespace ferrite
