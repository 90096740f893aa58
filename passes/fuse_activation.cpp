// Fuses an activation (Relu, Clip with constant bounds, LeakyRelu, HardSigmoid, HardSwish, Sigmoid,
// Tanh, SiLU) into the node that produces its input, when that producer's kernel applies a fused activation
// (Conv, Gemm, MatMul, broadcasting arithmetic, pooling, BatchNormalization), has none yet, and its
// output feeds only the activation. The producer then writes the activation's output tensor.
#include "passes/pass.h"

namespace ferrite {

namespace ops { Expected<FusedAct> activation_of(const Graph& g, const Node& n); }

static bool is_activation(OpKind k) {
  switch (k) {
    case OpKind::Relu: case OpKind::Clip: case OpKind::LeakyRelu: case OpKind::HardSigmoid:
    case OpKind::HardSwish: case OpKind::Sigmoid: case OpKind::Tanh: case OpKind::Silu: return true;
    default: return false;
  }
}

static bool accepts_activation(OpKind k) {
  switch (k) {
    case OpKind::Conv: case OpKind::Gemm: case OpKind::MatMul: case OpKind::Add: case OpKind::Sub:
    case OpKind::Mul: case OpKind::Div: case OpKind::PRelu: case OpKind::MaxPool: case OpKind::AveragePool:
    case OpKind::GlobalAveragePool: case OpKind::GlobalMaxPool: case OpKind::BatchNormalization: return true;
    default: return false;
  }
}

Expected<bool> pass_fuse_activation(Graph& g, const PassContext&) {
  bool changed = false;
  for (size_t ai = 0; ai < g.nodes.size(); ++ai) {
    const Node& a = g.nodes[ai];
    if (!is_activation(a.op) || g.t(a.inputs[0]).dtype != DType::F32) continue;
    const TensorId x = a.inputs[0];
    auto pi = g.producer(x);
    if (!pi || g.consumers(x).size() != 1 || g.is_graph_output(x)) continue;
    Node& p = g.nodes[*pi];
    if (!accepts_activation(p.op) || p.act.kind != FusedAct::None || p.outputs.size() != 1) continue;
    auto act = ops::activation_of(g, a);
    if (!act) continue;  // e.g. Clip with runtime bounds: stays a separate node
    if (act->from.empty()) act->from = a.display_name();
    p.act = *act;
    absorb_consumer(g, *pi, ai);
    changed = true;
    --ai;
  }
  return changed;
}

}  // namespace ferrite
