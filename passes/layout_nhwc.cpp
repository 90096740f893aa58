// Chooses the physical layout of int8 rank-4 activations: NHWC for everything the int8 conv family
// touches, NCHW at the model's API and for operators that only understand the logical layout.
//  - native ops (int8 Conv/ConvInteger, int8 pools) read and write NHWC;
//  - agnostic ops (QLinearAdd/Mul, lookup tables, Requantize, FlipSign, QLinearConcat, the int8 side
//    of Quantize/DequantizeLinear, which fuse the relayout) work in whichever layout their operands
//    share: they are grouped, and a group is NHWC when any member meets a native op;
//  - everything else, graph inputs/outputs and constants are NCHW.
// Where a tensor's layout differs from what a reader needs, a Relayout node converts it (free when
// H = W = 1 or C = 1, where both layouts are the same bytes).
#include <map>
#include <numeric>

#include "ir/op_traits.h"
#include "passes/pass.h"

namespace ferrite {

namespace {

// uint8 only occurs at the API (graph inputs/outputs before or after their FlipSign). int16
// activations (TFLite's 16x8 models) take the int8 path under TFLite numerics only.
bool is_q8(const Graph& g, const Tensor& t) {
  return (t.dtype == DType::I8 || t.dtype == DType::U8 || t.dtype == DType::I32 ||
          (t.dtype == DType::I16 && g.numerics == Numerics::TFLite)) &&
         t.shape.size() == 4;
}

// The layout role of input `slot` of `n` and of its output (the op traits' layout roles).
LayoutRole input_role(const Graph& g, const Node& n, size_t slot) {
  const OpTraits& t = op_traits(n.op);
  if (t.layout_in == LayoutRole::None || !is_data_input(n, slot) || !layout_roles_apply(g, n)) return LayoutRole::None;
  return t.layout_in;
}

LayoutRole output_role(const Graph& g, const Node& n) {
  const OpTraits& t = op_traits(n.op);
  if (t.layout_out == LayoutRole::None || !layout_roles_apply(g, n)) return LayoutRole::None;
  return t.layout_out;
}

}  // namespace

Expected<bool> pass_layout_nhwc(Graph& g, const PassContext& ctx) {
  const size_t nt = g.tensors.size();
  bool inputs_changed = false;
  if (ctx.input_nhwc)
    for (TensorId i : g.inputs)
      if (g.t(i).shape.size() == 4) {
        g.t(i).nhwc = true;  // the caller's layout: fixed
        inputs_changed = true;
      }
  std::vector<int> parent(nt);
  std::iota(parent.begin(), parent.end(), 0);
  std::function<int(int)> find = [&](int x) { return parent[static_cast<size_t>(x)] == x ? x : parent[static_cast<size_t>(x)] = find(parent[static_cast<size_t>(x)]); };
  auto pinned = [&](TensorId t) { return g.is_graph_input(t) || g.is_graph_output(t) || g.t(t).is_constant(); };
  std::vector<bool> want(nt, false);
  // Tensors written by native/agnostic ops are flexible; group agnostic ops' flexible operands.
  std::vector<bool> flexible(nt, false);
  for (const Node& n : g.nodes)
    if (output_role(g, n) != LayoutRole::None && is_q8(g, g.t(n.outputs[0])) && !pinned(n.outputs[0]))
      flexible[static_cast<size_t>(n.outputs[0])] = true;
  for (const Node& n : g.nodes) {
    const bool agn = output_role(g, n) == LayoutRole::Agnostic;
    for (size_t s = 0; s < n.inputs.size(); ++s) {
      const TensorId x = n.inputs[s];
      if (x == kNoTensor || !flexible[static_cast<size_t>(x)]) continue;
      const LayoutRole r = input_role(g, n, s);
      if (r == LayoutRole::Native) want[static_cast<size_t>(find(x))] = true;
      if (r == LayoutRole::Agnostic && agn && flexible[static_cast<size_t>(n.outputs[0])]) {
        const int a = find(x), b = find(n.outputs[0]);
        if (a != b) {
          parent[static_cast<size_t>(a)] = b;
          want[static_cast<size_t>(b)] = want[static_cast<size_t>(b)] || want[static_cast<size_t>(a)];
        }
      }
    }
    if (output_role(g, n) == LayoutRole::Native && flexible[static_cast<size_t>(n.outputs[0])])
      want[static_cast<size_t>(find(n.outputs[0]))] = true;
  }
  bool changed = false;
  for (size_t i = 0; i < nt; ++i)
    if (flexible[i] && want[static_cast<size_t>(find(static_cast<int>(i)))]) {
      g.tensors[i].nhwc = true;
      changed = true;
    }
  if (!changed && !inputs_changed) return false;

  // Insert Relayout nodes where a reader needs the other layout, and after native ops that write a
  // graph output (which stays NCHW).
  std::vector<Node> out;
  std::map<std::pair<TensorId, bool>, TensorId> converted;
  auto relayout = [&](TensorId src, bool to_nhwc, const std::string& why) {
    auto key = std::make_pair(src, to_nhwc);
    auto it = converted.find(key);
    if (it != converted.end()) return it->second;
    Tensor t = g.t(src);
    t.name = t.name + (to_nhwc ? "_nhwc" : "_nchw");
    t.nhwc = to_nhwc;
    t.data.reset();
    const TensorId id = g.add_tensor(std::move(t));
    Node r;
    r.op = OpKind::Relayout;
    r.name = why;
    r.inputs = {src};
    r.outputs = {id};
    out.push_back(r);
    converted[key] = id;
    return id;
  };
  for (Node n : g.nodes) {
    // The layout each input slot needs.
    bool group_nhwc = false;
    if (output_role(g, n) == LayoutRole::Agnostic) group_nhwc = g.t(n.outputs[0]).nhwc;
    if (n.op == OpKind::DequantizeLinear) group_nhwc = g.t(n.inputs[0]).nhwc;  // DQ adapts to its input
    for (size_t s = 0; s < n.inputs.size(); ++s) {
      const TensorId x = n.inputs[s];
      if (x == kNoTensor || g.t(x).is_constant() || g.t(x).shape.size() != 4) continue;
      if (!is_q8(g, g.t(x)) && !g.t(x).nhwc) continue;  // float data is NCHW unless the caller gave NHWC
      const LayoutRole r = input_role(g, n, s);
      bool need = r == LayoutRole::Native ? true : (r == LayoutRole::Agnostic ? group_nhwc : false);
      // QuantizeLinear reads float in either layout: NCHW->NHWC is fused, NHWC->NHWC is plain;
      // only NHWC float into an NCHW int8 output needs a relayout first.
      if (n.op == OpKind::QuantizeLinear && s == 0) need = g.t(x).nhwc && g.t(n.outputs[0]).nhwc;
      if (g.t(x).nhwc != need) n.inputs[s] = relayout(x, need, n.name + "_relayout_in");
    }
    // A native op must write NHWC: if its output is pinned NCHW (a graph output), write a temporary.
    std::optional<Node> after;
    if (output_role(g, n) == LayoutRole::Native && !g.t(n.outputs[0]).nhwc && is_q8(g, g.t(n.outputs[0]))) {
      Tensor t = g.t(n.outputs[0]);
      t.name += "_nhwc";
      t.nhwc = true;
      const TensorId tmp = g.add_tensor(std::move(t));
      Node r;
      r.op = OpKind::Relayout;
      r.name = n.name + "_relayout_out";
      r.inputs = {tmp};
      r.outputs = {n.outputs[0]};
      n.outputs[0] = tmp;
      after = r;
    }
    out.push_back(n);
    if (after) out.push_back(*after);
  }
  g.nodes = std::move(out);
  return true;
}

}  // namespace ferrite
