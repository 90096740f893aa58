// Constant folding: a node whose inputs are all constants is evaluated now, on the host, with the
// very kernels the generated code uses (ops/kernels_host.h), and its outputs become constants.
// Aliases (Reshape family) just relabel the data. Nodes whose output is a graph output are left in
// place so the generated code still produces that output.
#include <cstring>

#include "ops/lower.h"
#include "passes/pass.h"

namespace ferrite {

static bool fold_one(Graph& g, const Node& n) {
  for (TensorId o : n.outputs)
    if (g.is_graph_output(o)) return false;
  // Dequantized weights stay int8: DequantizeLinear is folded into integer ops, not into floats.
  if (n.op == OpKind::DequantizeLinear) return false;
  auto l = lower_node(g, n);
  if (!l) return false;  // not foldable here; lowering reports real errors later
  if (l->alias) {
    Tensor& out = g.t(n.outputs[0]);
    out.data = g.t(n.inputs[0]).data;
    return true;
  }
  std::vector<std::vector<uint8_t>> outs(n.outputs.size());
  for (size_t i = 0; i < n.outputs.size(); ++i) outs[i].assign(g.t(n.outputs[i]).bytes() + 16, 0);
  std::vector<uint8_t> scratch(l->scratch_bytes + 16, 0);
  for (const KernelCall& c : l->calls) {
    std::vector<void*> args;
    for (const Operand& op : c.args) {
      if (op.kind == Operand::Kind::Null) args.push_back(nullptr);
      else if (op.kind == Operand::Kind::Scratch) args.push_back(scratch.data());
      else if (op.kind == Operand::Kind::Data) args.push_back(const_cast<uint8_t*>(op.data->data->data()));
      else {
        void* p = nullptr;
        for (size_t i = 0; i < n.outputs.size(); ++i)
          if (n.outputs[i] == op.id) p = outs[i].data();
        if (!p) p = g.t(op.id).data->data();
        args.push_back(static_cast<uint8_t*>(p) + op.offset_elems * static_cast<int64_t>(dtype_size(g.t(op.id).dtype)));
      }
    }
    if (!execute_host(c, args)) return false;
  }
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    Tensor& out = g.t(n.outputs[i]);
    outs[i].resize(out.bytes());
    out.data = std::move(outs[i]);
  }
  return true;
}

Expected<bool> pass_constant_fold(Graph& g, const PassContext&) {
  bool changed = false;
  for (size_t i = 0; i < g.nodes.size();) {
    const Node& n = g.nodes[i];
    bool all_const = true;
    for (TensorId in : n.inputs) all_const = all_const && (in == kNoTensor || g.t(in).is_constant());
    if (all_const && fold_one(g, n)) {
      g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(i));
      changed = true;
    } else {
      ++i;
    }
  }
  return changed;
}

}  // namespace ferrite
