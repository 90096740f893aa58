// Removes nodes none of whose outputs is read by another node or is a graph output (iterating
// backwards so whole dead chains go in one run).
#include "passes/pass.h"

#include <set>

namespace ferrite {

Expected<bool> pass_dead_node(Graph& g, const PassContext&) {
  std::set<TensorId> used(g.outputs.begin(), g.outputs.end());
  std::vector<bool> keep(g.nodes.size(), false);
  for (size_t i = g.nodes.size(); i-- > 0;) {
    const Node& n = g.nodes[i];
    for (TensorId o : n.outputs) keep[i] = keep[i] || used.count(o);
    if (keep[i])
      for (TensorId in : n.inputs) used.insert(in);
  }
  std::vector<Node> kept;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (keep[i]) kept.push_back(std::move(g.nodes[i]));
  const bool changed = kept.size() != g.nodes.size();
  g.nodes = std::move(kept);
  return changed;
}

}  // namespace ferrite
