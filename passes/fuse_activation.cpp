// Fuses an activation (Relu, Clip with constant bounds, LeakyRelu, HardSigmoid, HardSwish, Sigmoid,
// Tanh, SiLU) into the node that produces its input, when that producer's kernel applies a fused activation
// (Conv, Gemm, MatMul, broadcasting arithmetic, pooling, BatchNormalization), has none yet, and its
// output feeds only the activation. The producer then writes the activation's output tensor.
#include "passes/pass.h"

#include "ir/op_traits.h"

#include <algorithm>
#include <vector>

namespace ferrite {

namespace ops { Expected<FusedAct> activation_of(const Graph& g, const Node& n); }

// Which ops are activations and which producers take a fused one: the op traits (ir/op_traits.cpp).
static bool is_activation(OpKind k) { return op_traits(k).act == ActFusion::Activation; }
static bool accepts_activation(OpKind k) { return op_traits(k).act == ActFusion::Accepts; }

// One walk over the nodes with a producer / reader-count index (not Graph::producer and
// Graph::consumers per node, which scan the graph: quadratic on a 100,000-node chain); the fused
// activations are dropped at the end in one sweep.
Expected<bool> pass_fuse_activation(Graph& g, const PassContext&) {
  const size_t nt = g.tensors.size();
  std::vector<int> producer(nt, -1), readers(nt, 0);
  std::vector<bool> is_output(nt, false);
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    for (TensorId o : g.nodes[k].outputs)
      if (o != kNoTensor) producer[static_cast<size_t>(o)] = static_cast<int>(k);
    const auto& in = g.nodes[k].inputs;
    for (size_t j = 0; j < in.size(); ++j)
      if (in[j] != kNoTensor && std::find(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(j), in[j]) == in.begin() + static_cast<std::ptrdiff_t>(j))
        ++readers[static_cast<size_t>(in[j])];  // nodes that read it, as Graph::consumers counts
  }
  for (TensorId o : g.outputs) is_output[static_cast<size_t>(o)] = true;
  std::vector<bool> absorbed(g.nodes.size(), false);
  bool changed = false;
  for (size_t ai = 0; ai < g.nodes.size(); ++ai) {
    const Node& a = g.nodes[ai];
    if (!is_activation(a.op) || g.t(a.inputs[0]).dtype != DType::F32) continue;
    const TensorId x = a.inputs[0];
    const int pi = producer[static_cast<size_t>(x)];
    if (pi < 0 || readers[static_cast<size_t>(x)] != 1 || is_output[static_cast<size_t>(x)]) continue;
    Node& p = g.nodes[static_cast<size_t>(pi)];
    if (!accepts_activation(p.op) || p.act.kind != FusedAct::None || p.outputs.size() != 1) continue;
    auto act = ops::activation_of(g, a);
    if (!act) continue;  // e.g. Clip with runtime bounds: stays a separate node
    if (act->from.empty()) act->from = a.display_name();
    p.act = *act;
    p.outputs[0] = a.outputs[0];  // as absorb_consumer, without moving the nodes behind it
    producer[static_cast<size_t>(a.outputs[0])] = pi;
    absorbed[ai] = true;
    changed = true;
  }
  if (changed) {
    size_t w = 0;
    for (size_t k = 0; k < g.nodes.size(); ++k)
      if (!absorbed[k]) {
        if (w != k) g.nodes[w] = std::move(g.nodes[k]);
        ++w;
      }
    g.nodes.resize(w);
  }
  return changed;
}

}  // namespace ferrite
