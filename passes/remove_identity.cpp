// Removes Identity and inference-mode Dropout (single output, training_mode absent or false):
// consumers read the input directly. When the output is a graph output, the producer is made to
// write it instead, so the model's output names survive; otherwise the node stays as an alias.
#include "passes/pass.h"

namespace ferrite {

Expected<bool> pass_remove_identity(Graph& g, const PassContext&) {
  bool changed = false;
  for (size_t i = 0; i < g.nodes.size();) {
    Node& n = g.nodes[i];
    bool is_id = n.op == OpKind::Identity;
    if (n.op == OpKind::Dropout && n.outputs.size() == 1) {
      is_id = true;
      if (n.inputs.size() > 2 && n.inputs[2] != kNoTensor) {
        const Tensor& tm = g.t(n.inputs[2]);
        is_id = tm.is_constant() && !tm.as_i64().empty() && tm.as_i64()[0] == 0;
      }
    }
    if (!is_id) { ++i; continue; }
    const TensorId in = n.inputs[0], out = n.outputs[0];
    if (!g.is_graph_output(out)) {
      g.replace_uses(out, in);
      g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(i));
      changed = true;
      continue;
    }
    auto prod = g.producer(in);
    if (prod && !g.is_graph_output(in) && g.consumers(in).size() == 1 && g.nodes[*prod].outputs[0] == in) {
      absorb_consumer(g, *prod, i);
      changed = true;
      continue;
    }
    ++i;
  }
  return changed;
}

}  // namespace ferrite
