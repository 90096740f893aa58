// Fuses a chain of float elementwise nodes over one input tensor x into one Pointwise node, when x
// (or an intermediate) is read more than once inside the chain: GELU in its erf form
// (x * 0.5 * (1 + Erf(x / sqrt(2))) in each arrangement exporters write) and its tanh form
// (0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))), Mish (x * Tanh(Softplus(x)) or
// x * Tanh(Log(1 + Exp(x)))), and any other such subgraph. Unfused, x stays live until the last
// node reads it, next to one or two intermediates of its size; the fused node reads x once per
// element and writes in place, so only x's buffer remains.
//
// The Pointwise node keeps the steps themselves (the op of each node, its operands as registers or
// the scalar constant, in the nodes' order), and its kernel evaluates each step with the element
// function of the kernel the node would have run (runtime_templates/unary/unary_pointwise_f32.h),
// so the result is bit-identical to the unfused graph whatever the constants or the arrangement.
//
// Matching, from each candidate last node backwards: a node joins when it is an elementwise float
// op with no fused activation (unary math / activation ops, or Add/Sub/Mul/Div/Pow whose operands
// are tensors of the chain or float32 scalar constants) whose output has x's shape, is read by
// exactly one node (the joining one; it may read it twice) and is no graph output. The chain must
// end at exactly one input tensor x (float32) and read some tensor at least twice; at most
// kMaxSteps nodes. Anything else stays unfused (still correct).
#include "passes/pass.h"

#include <algorithm>
#include <set>

namespace ferrite {

namespace {

constexpr size_t kMaxSteps = 16;  // kPointwiseMaxSteps in runtime_templates/unary/unary_pointwise_f32.h

bool unary_step(OpKind k) {
  switch (k) {
    case OpKind::Relu: case OpKind::Sigmoid: case OpKind::Tanh: case OpKind::LeakyRelu: case OpKind::HardSigmoid:
    case OpKind::HardSwish: case OpKind::Silu: case OpKind::Exp: case OpKind::Log: case OpKind::Sqrt:
    case OpKind::Abs: case OpKind::Neg: case OpKind::Reciprocal: case OpKind::Erf: case OpKind::Softplus:
    case OpKind::Floor: case OpKind::Ceil: case OpKind::Round:
      return true;
    default: return false;
  }
}
bool binary_step(OpKind k) {
  return k == OpKind::Add || k == OpKind::Sub || k == OpKind::Mul || k == OpKind::Div || k == OpKind::Pow;
}

bool scalar_const(const Graph& g, TensorId t) {
  return t != kNoTensor && g.t(t).is_constant() && g.t(t).dtype == DType::F32 && g.t(t).numel() == 1;
}

// Can node n be a step of a chain whose tensors have `shape`?
bool step_node(const Graph& g, const Node& n, const Shape& shape) {
  if (n.outputs.size() != 1 || n.act.kind != FusedAct::None) return false;
  const Tensor& y = g.t(n.outputs[0]);
  if (y.dtype != DType::F32 || y.shape != shape) return false;
  if (unary_step(n.op)) return n.inputs.size() == 1 && !g.t(n.inputs[0]).is_constant();
  if (!binary_step(n.op) || n.inputs.size() != 2) return false;
  int consts = 0;
  for (TensorId t : n.inputs) {
    if (g.t(t).is_constant()) {
      if (!scalar_const(g, t)) return false;
      ++consts;
    } else if (g.t(t).dtype != DType::F32 || g.t(t).shape != shape) {
      return false;
    }
  }
  return consts < 2;
}

}  // namespace

Expected<bool> pass_fuse_pointwise(Graph& g, const PassContext&) {
  std::vector<char> used(g.nodes.size(), 0);
  struct Group {
    std::vector<size_t> nodes;  // increasing (topological) order; the last is the sink
    TensorId x;
  };
  std::vector<Group> groups;
  // Producers and distinct reader counts, once (Graph::producer / consumers scan every node: calling
  // them per candidate made a 10,000-node chain quadratic).
  std::vector<int64_t> producer(g.tensors.size(), -1);
  std::vector<uint32_t> n_readers(g.tensors.size(), 0);
  for (size_t ni = 0; ni < g.nodes.size(); ++ni) {
    const Node& n = g.nodes[ni];
    for (TensorId o : n.outputs)
      if (o != kNoTensor) producer[static_cast<size_t>(o)] = static_cast<int64_t>(ni);
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      const TensorId t = n.inputs[k];
      if (t != kNoTensor && std::find(n.inputs.begin(), n.inputs.begin() + static_cast<ptrdiff_t>(k), t) ==
                                n.inputs.begin() + static_cast<ptrdiff_t>(k))
        ++n_readers[static_cast<size_t>(t)];  // distinct reading nodes
    }
  }
  for (size_t si = g.nodes.size(); si-- > 0;) {
    if (used[si]) continue;
    const Node& sink = g.nodes[si];
    if (sink.outputs.size() != 1) continue;
    const Shape& shape = g.t(sink.outputs[0]).shape;
    if (!step_node(g, sink, shape)) continue;
    std::set<size_t> members = {si};
    std::vector<size_t> todo = {si};
    std::set<TensorId> leaves;
    bool ok = true;
    while (!todo.empty() && ok) {
      const size_t ni = todo.back();
      todo.pop_back();
      for (TensorId t : g.nodes[ni].inputs) {
        if (g.t(t).is_constant()) continue;
        const int64_t pi = producer[static_cast<size_t>(t)];
        const auto p = static_cast<size_t>(pi);
        if (pi >= 0 && !used[p] && n_readers[static_cast<size_t>(t)] == 1 && !g.is_graph_output(t) &&
            step_node(g, g.nodes[p], shape)) {
          if (members.insert(p).second) todo.push_back(p);
        } else {
          leaves.insert(t);
        }
      }
      ok = members.size() <= kMaxSteps;
    }
    if (!ok || leaves.size() != 1 || members.size() < 2) continue;
    const TensorId x = *leaves.begin();
    if (g.t(x).dtype != DType::F32 || g.t(x).shape != shape) continue;
    // Worth it only when something is read twice (else x dies at its first reader anyway).
    std::map<TensorId, int> reads;
    for (size_t ni : members)
      for (TensorId t : g.nodes[ni].inputs)
        if (!g.t(t).is_constant()) ++reads[t];
    if (std::none_of(reads.begin(), reads.end(), [](const auto& r) { return r.second > 1; })) continue;
    Group gr;
    gr.nodes.assign(members.begin(), members.end());
    gr.x = x;
    for (size_t ni : gr.nodes) used[ni] = 1;
    groups.push_back(std::move(gr));
  }
  if (groups.empty()) return false;

  std::vector<char> drop(g.nodes.size(), 0);
  for (const Group& gr : groups) {
    std::map<TensorId, int64_t> reg = {{gr.x, 0}};
    std::vector<int64_t> ops, a, b;
    std::vector<float> k, alpha, beta;
    for (size_t s = 0; s < gr.nodes.size(); ++s) {
      const Node& n = g.nodes[gr.nodes[s]];
      int64_t opnd[2] = {-1, -1};
      float kv = 0.0f;
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        const TensorId t = n.inputs[i];
        if (g.t(t).is_constant()) kv = g.t(t).f32()[0];
        else opnd[i] = reg.at(t);
      }
      ops.push_back(static_cast<int64_t>(n.op));
      a.push_back(opnd[0]);
      b.push_back(opnd[1]);
      k.push_back(kv);
      alpha.push_back(n.attrs.f("alpha", n.op == OpKind::LeakyRelu ? 0.01f : 0.2f));
      beta.push_back(n.attrs.f("beta", 0.5f));
      reg[n.outputs[0]] = static_cast<int64_t>(s) + 1;
    }
    Node& sink = g.nodes[gr.nodes.back()];
    sink.op = OpKind::Pointwise;
    sink.inputs = {gr.x};
    sink.attrs = Attrs{};
    sink.attrs.values["step_op"] = ops;
    sink.attrs.values["step_a"] = a;
    sink.attrs.values["step_b"] = b;
    sink.attrs.values["step_k"] = k;
    sink.attrs.values["step_alpha"] = alpha;
    sink.attrs.values["step_beta"] = beta;
    for (size_t s = 0; s + 1 < gr.nodes.size(); ++s) drop[gr.nodes[s]] = 1;
  }
  std::vector<Node> kept;
  kept.reserve(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!drop[i]) kept.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(kept);
  return true;
}

}  // namespace ferrite
