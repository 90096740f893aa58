// Fusion of lowered expand -> depthwise -> project int8 convolutions into one channel-streamed call.
// Works on the lowered calls rather than on the ONNX-level nodes: the three calls already carry
// their relaid-out weights, requantization scales and resolved padding, which the fused kernel
// takes unchanged, so the fused block computes bit for bit what the three calls compute.
#include "passes/bottleneck.h"

#include <algorithm>

#include "ops/plan_lowering.h"

namespace ferrite {

namespace {
// The node's one portable call, if it is `kernel` (a target variant keeps it in reference_calls).
const KernelCall* single_call(const Lowered& l, KernelId kernel) {
  const std::vector<KernelCall>& calls = l.reference_calls.empty() ? l.calls : l.reference_calls;
  if (calls.size() != 1 || calls[0].kernel != kernel || l.alias) return nullptr;
  if (!bottleneck_conv_ok(calls[0])) return nullptr;
  return &calls[0];
}

bool is_tensor(const Operand& o) { return o.kind == Operand::Kind::Tensor && o.offset_elems == 0; }

// The tensor is read by exactly one node (`reader`) and is not a graph output.
bool private_link(const Graph& g, TensorId t, size_t reader) {
  if (std::find(g.outputs.begin(), g.outputs.end(), t) != g.outputs.end()) return false;
  const auto readers = g.consumers(t);
  return readers.size() == 1 && readers[0] == reader;
}
}  // namespace

std::vector<size_t> find_bottlenecks(const Graph& g, const std::vector<Lowered>& lowered, size_t from) {
  std::vector<size_t> out;
  for (size_t i = from; i + 2 < g.nodes.size() && i + 2 < lowered.size(); ++i) {
    const KernelCall* e = single_call(lowered[i], KernelId::conv1x1_s8_nhwc);
    const KernelCall* d = single_call(lowered[i + 1], KernelId::dwconv_s8_nhwc);
    const KernelCall* p = single_call(lowered[i + 2], KernelId::conv1x1_s8_nhwc);
    if (!e || !d || !p) continue;
    // conv args: x, w, bias, scale, y
    if (!is_tensor(e->args[4]) || !is_tensor(d->args[0]) || !is_tensor(d->args[4]) || !is_tensor(p->args[0]) ||
        !is_tensor(e->args[0]) || !is_tensor(p->args[4]))
      continue;
    const TensorId mid = e->args[4].id, dw = d->args[4].id;
    if (d->args[0].id != mid || p->args[0].id != dw) continue;
    if (g.nodes[i].outputs.size() != 1 || g.nodes[i].outputs[0] != mid || g.nodes[i + 1].outputs[0] != dw) continue;
    if (!private_link(g, mid, i + 1) || !private_link(g, dw, i + 2)) continue;
    out.push_back(i);
    i += 2;  // chains do not overlap (a project conv may also look like the next chain's expand)
  }
  return out;
}

namespace {
// The node's one call, if it is `kernel` (float convolutions have no target variants).
const KernelCall* single_f32_call(const Lowered& l, KernelId kernel) {
  if (l.calls.size() != 1 || l.calls[0].kernel != kernel || l.alias || !l.reference_calls.empty()) return nullptr;
  return &l.calls[0];
}
}  // namespace

std::vector<size_t> find_expand_dw_f32(const Graph& g, const std::vector<Lowered>& lowered, size_t from) {
  std::vector<size_t> out;
  for (size_t i = from; i + 1 < g.nodes.size() && i + 1 < lowered.size(); ++i) {
    const KernelCall* e = single_f32_call(lowered[i], KernelId::conv2d_f32);
    const KernelCall* d = single_f32_call(lowered[i + 1], KernelId::dwconv2d_f32);
    if (!e || !d || !expand_dw_f32_ok(*e, *d)) continue;
    // conv args: x, w, bias, y[, scratch]
    if (!is_tensor(e->args[0]) || !is_tensor(e->args[3]) || !is_tensor(d->args[0]) || !is_tensor(d->args[3])) continue;
    const TensorId mid = e->args[3].id;
    if (d->args[0].id != mid || g.nodes[i].outputs.size() != 1 || g.nodes[i].outputs[0] != mid ||
        g.nodes[i + 1].outputs.size() != 1 || g.nodes[i + 1].outputs[0] != d->args[3].id)
      continue;
    if (!private_link(g, mid, i + 1)) continue;
    out.push_back(i);
    ++i;
  }
  return out;
}

std::string fuse_expand_dw_f32(Graph& g, std::vector<Lowered>& lowered, size_t first) {
  const KernelCall& e = *single_f32_call(lowered[first], KernelId::conv2d_f32);
  const KernelCall& d = *single_f32_call(lowered[first + 1], KernelId::dwconv2d_f32);
  Lowered fused = lower_expand_dw_f32(e, d, lowered[first].macs + lowered[first + 1].macs);
  Node n;
  n.op = OpKind::InvertedBottleneck;
  n.name = g.nodes[first + 1].name;
  n.inputs = {e.args[0].id};
  n.outputs = {g.nodes[first + 1].outputs[0]};
  n.index = g.nodes[first].index;
  std::string note = fmt::format("{} + {} run as one channel-streamed expand + depthwise ({}, {} B scratch)",
                                 g.nodes[first].display_name(), g.nodes[first + 1].display_name(),
                                 kernel_name(fused.calls[0].kernel), fused.scratch_bytes);
  const auto at = static_cast<std::ptrdiff_t>(first);
  g.nodes.erase(g.nodes.begin() + at + 1);
  g.nodes[first] = std::move(n);
  lowered.erase(lowered.begin() + at + 1);
  lowered[first] = std::move(fused);
  return note;
}

Expected<std::string> fuse_bottleneck(Graph& g, std::vector<Lowered>& lowered, size_t first, const Target& target) {
  const KernelCall& e = *single_call(lowered[first], KernelId::conv1x1_s8_nhwc);
  const KernelCall& d = *single_call(lowered[first + 1], KernelId::dwconv_s8_nhwc);
  const KernelCall& p = *single_call(lowered[first + 2], KernelId::conv1x1_s8_nhwc);
  auto fused_or = lower_bottleneck(g, e, d, p, lowered[first].macs + lowered[first + 1].macs + lowered[first + 2].macs,
                                   target);
  if (!fused_or) return fused_or.error();
  Lowered fused = std::move(*fused_or);

  Node n;
  n.op = OpKind::InvertedBottleneck;
  n.name = g.nodes[first + 2].name;
  n.inputs = {e.args[0].id};
  n.outputs = {g.nodes[first + 2].outputs[0]};
  n.index = g.nodes[first].index;
  std::string note = fmt::format("{} + {} + {} run as one channel-streamed inverted bottleneck ({}, {} B scratch)",
                                 g.nodes[first].display_name(), g.nodes[first + 1].display_name(),
                                 g.nodes[first + 2].display_name(), kernel_name(fused.calls[0].kernel),
                                 fused.scratch_bytes);
  const auto at = static_cast<std::ptrdiff_t>(first);
  g.nodes.erase(g.nodes.begin() + at + 1, g.nodes.begin() + at + 3);
  g.nodes[first] = std::move(n);
  lowered.erase(lowered.begin() + at + 1, lowered.begin() + at + 3);
  lowered[first] = std::move(fused);
  return note;
}

}  // namespace ferrite
