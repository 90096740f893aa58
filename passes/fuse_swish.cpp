// Fuses x * Sigmoid(x) (SiLU / Swish) into one Silu node and x * HardSigmoid(x) with HardSwish's
// constants (alpha = 1/6, beta = 0.5: the opset-13 export of HardSwish) into one HardSwish node, for
// float32 tensors. The pair keeps both x and the gate live until the Mul; the fused node reads x once
// and can run in place (or fuse further into x's producer, fuse-activation), so the gate tensor no
// longer exists. The fused kernels compute the same float expression in the same order as the pair
// (act.h), so results are bit-identical to the unfused graph.
#include "passes/pass.h"

namespace ferrite {

namespace {

// The op a gate node and the Mul reading it become, if the gate is a fusable function of `x`.
std::optional<OpKind> fused_kind(const Node& gate, TensorId x) {
  if (gate.inputs.empty() || gate.inputs[0] != x || gate.act.kind != FusedAct::None || gate.outputs.size() != 1)
    return std::nullopt;
  if (gate.op == OpKind::Sigmoid) return OpKind::Silu;
  // HardSwish(x) = x * max(0, min(1, x / 6 + 0.5)): only HardSwish's exact constants (its kernel
  // computes v * (1.0f / 6.0f) + 0.5f, which is alpha * v + beta for these values).
  if (gate.op == OpKind::HardSigmoid && gate.attrs.f("alpha", 0.2f) == 1.0f / 6.0f && gate.attrs.f("beta", 0.5f) == 0.5f)
    return OpKind::HardSwish;
  return std::nullopt;
}

}  // namespace

Expected<bool> pass_fuse_swish(Graph& g, const PassContext&) {
  bool changed = false;
  for (size_t mi = 0; mi < g.nodes.size(); ++mi) {
    const Node& m = g.nodes[mi];
    if (m.op != OpKind::Mul || m.inputs.size() != 2 || m.outputs.size() != 1 || m.act.kind != FusedAct::None) continue;
    for (int k = 0; k < 2; ++k) {
      const TensorId s = m.inputs[static_cast<size_t>(k)], x = m.inputs[static_cast<size_t>(1 - k)];
      if (s == x || g.t(x).dtype != DType::F32 || g.t(s).dtype != DType::F32) continue;
      if (g.t(x).shape != g.t(m.outputs[0]).shape || g.t(s).shape != g.t(x).shape) continue;
      auto si = g.producer(s);
      if (!si || g.consumers(s).size() != 1 || g.is_graph_output(s)) continue;
      auto kind = fused_kind(g.nodes[*si], x);
      if (!kind) continue;
      Node& gate = g.nodes[*si];
      gate.op = *kind;
      gate.attrs = Attrs{};
      gate.outputs[0] = m.outputs[0];
      g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(mi));  // the gate comes before the Mul
      --mi;
      changed = true;
      break;
    }
  }
  return changed;
}

}  // namespace ferrite
