// --quantized-io: the model's API takes and returns the quantized integers of an int8 model instead
// of floats, as a firmware that gets uint8 pixels from a camera wants (TFLite's
// inference_input_type / inference_output_type). A float graph input whose every reader is a
// QuantizeLinear with one and the same constant per-tensor scale and zero point is replaced by that
// QuantizeLinear's output (which keeps the input's name), and a float graph output made by a
// DequantizeLinear of a per-tensor quantized tensor is replaced by that tensor (keeping the output's
// name). The generated header then states each quantized input's and output's scale and zero point.
// Only inputs/outputs that are not read elsewhere as floats are converted; others stay float.
#include "passes/pass.h"

#include <algorithm>

namespace ferrite {

namespace {
bool same_constant(const Graph& g, TensorId a, TensorId b) {
  if (a == b) return true;
  if (a == kNoTensor || b == kNoTensor) return false;
  const Tensor &x = g.t(a), &y = g.t(b);
  return x.is_constant() && y.is_constant() && x.dtype == y.dtype && x.shape == y.shape && *x.data == *y.data;
}

bool per_tensor_qparams(const Graph& g, const Node& n) {
  if (n.inputs.size() < 2 || n.inputs[1] == kNoTensor || !g.t(n.inputs[1]).is_constant() || g.t(n.inputs[1]).numel() != 1)
    return false;
  return n.inputs.size() < 3 || n.inputs[2] == kNoTensor ||
         (g.t(n.inputs[2]).is_constant() && g.t(n.inputs[2]).numel() == 1);
}

// The quantization of the new API tensor, in the model's own dtype (before normalize-int8).
IoQuant io_quant_of(const Graph& g, const Node& n) {
  IoQuant q;
  q.scale = g.t(n.inputs[1]).as_f32()[0];
  if (n.inputs.size() > 2 && n.inputs[2] != kNoTensor) q.zero_point = static_cast<int32_t>(g.t(n.inputs[2]).as_i64().at(0));
  return q;
}

// Gives tensor `to` the name of `from` (the API names stay the model's), renaming `from`.
void take_name(Graph& g, TensorId from, TensorId to) {
  std::string name = g.t(from).name;
  g.t(from).name = name + "_float";
  g.t(to).name = std::move(name);
}
}  // namespace

Expected<bool> pass_quantized_io(Graph& g, const PassContext& ctx) {
  if (!ctx.quantized_io) return false;
  bool changed = false;
  for (TensorId& in : g.inputs) {
    if (g.t(in).dtype != DType::F32) continue;
    const auto readers = g.consumers(in);
    if (readers.empty()) continue;
    const Node& q0 = g.nodes[readers[0]];
    bool ok = true;
    for (size_t r : readers) {
      const Node& q = g.nodes[r];
      ok = ok && q.op == OpKind::QuantizeLinear && q.inputs[0] == in && per_tensor_qparams(g, q) &&
           same_constant(g, q.inputs[1], q0.inputs[1]) &&
           same_constant(g, q.inputs.size() > 2 ? q.inputs[2] : kNoTensor, q0.inputs.size() > 2 ? q0.inputs[2] : kNoTensor);
    }
    if (!ok) continue;
    const TensorId qt = q0.outputs[0];
    for (size_t k = 1; k < readers.size(); ++k) g.replace_uses(g.nodes[readers[k]].outputs[0], qt);
    take_name(g, in, qt);
    g.io_quant[qt] = io_quant_of(g, q0);
    in = qt;
    std::vector<size_t> drop = readers;
    std::sort(drop.rbegin(), drop.rend());
    for (size_t r : drop) g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(r));
    changed = true;
  }
  for (TensorId& out : g.outputs) {
    auto prod = g.producer(out);
    if (!prod) continue;
    const Node& dq = g.nodes[*prod];
    if (dq.op != OpKind::DequantizeLinear || !per_tensor_qparams(g, dq) || g.t(out).dtype != DType::F32) continue;
    if (!g.consumers(out).empty() || std::count(g.outputs.begin(), g.outputs.end(), out) != 1) continue;
    const TensorId qt = dq.inputs[0];
    if (g.is_graph_output(qt) || g.t(qt).is_constant()) continue;
    take_name(g, out, qt);
    g.io_quant[qt] = io_quant_of(g, dq);
    out = qt;
    g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(*prod));
    changed = true;
  }
  return changed;
}

}  // namespace ferrite
