// Fuses LayerNorm as PyTorch exports it below opset 17,
//   m = ReduceMean(x, trailing axes); d = Sub(x, m); v = ReduceMean(Pow(d, 2), same axes);
//   y = Div(d, Sqrt(Add(v, epsilon))) [; y = Mul(y, scale)] [; y = Add(y, bias)]
// into one LayerNormalization node marked `decomposed`, float32 only. Unfused, x and d (read by the
// Pow and the Div), then d and the Div's output, are live together (two buffers of x's size); the
// fused kernel (layernorm_decomposed_f32) runs in place over x and rounds exactly like the chain
// (the means as reduce_f32 takes them, std::pow for the square, then the elementwise steps in the
// graph's order), so results are bit-identical to the unfused graph.
//
// Checked: both ReduceMeans keep their dims over the same trailing axes of x; the Pow exponent and
// epsilon are float32 scalar constants, the exponent exactly 2; scale and bias are float32
// constants holding exactly the normalized dims (after leading 1s); every intermediate has one
// reader (d: the Pow and the Div) and is no graph output. Anything else stays unfused.
#include "passes/pass.h"

#include <algorithm>

namespace ferrite {

namespace {

// The single node reading t (a node may read it twice), if exactly one does and t is internal.
std::optional<size_t> only_reader(const Graph& g, TensorId t) {
  if (g.is_graph_output(t)) return std::nullopt;
  const auto r = g.consumers(t);
  if (r.empty() || std::any_of(r.begin(), r.end(), [&](size_t i) { return i != r[0]; })) return std::nullopt;
  return r[0];
}

std::optional<float> scalar_f32(const Graph& g, TensorId t) {
  if (t == kNoTensor || !g.t(t).is_constant() || g.t(t).dtype != DType::F32 || g.t(t).numel() != 1)
    return std::nullopt;
  return g.t(t).f32()[0];
}

// The other input of binary node n (the one that is not t), when n reads t once.
std::optional<TensorId> other_input(const Node& n, TensorId t) {
  if (n.inputs.size() != 2 || n.outputs.size() != 1 || n.act.kind != FusedAct::None) return std::nullopt;
  if (n.inputs[0] == t && n.inputs[1] != t) return n.inputs[1];
  if (n.inputs[1] == t && n.inputs[0] != t) return n.inputs[0];
  return std::nullopt;
}

// The first reduced axis when node n is a ReduceMean over trailing axes [first, rank) keeping dims.
std::optional<int64_t> trailing_mean(const Graph& g, const Node& n) {
  if (n.op != OpKind::ReduceMean || n.inputs.size() != 1 || n.outputs.size() != 1 || n.act.kind != FusedAct::None)
    return std::nullopt;
  if (n.attrs.i("keepdims", 1) != 1 || !n.attrs.has("axes")) return std::nullopt;
  const int64_t r = static_cast<int64_t>(g.t(n.inputs[0]).shape.size());
  std::vector<int64_t> axes = n.attrs.ints("axes");
  if (axes.empty()) return std::nullopt;
  for (int64_t& a : axes) {
    if (a < -r || a >= r) return std::nullopt;
    if (a < 0) a += r;
  }
  std::sort(axes.begin(), axes.end());
  for (size_t i = 0; i < axes.size(); ++i)
    if (axes[i] != r - static_cast<int64_t>(axes.size()) + static_cast<int64_t>(i)) return std::nullopt;
  return axes[0];
}

// A scale/bias constant holding exactly x's dims from `axis` on (leading 1s allowed).
bool affine_const(const Graph& g, TensorId t, const Shape& x, int64_t axis) {
  if (!g.t(t).is_constant() || g.t(t).dtype != DType::F32) return false;
  Shape s = g.t(t).shape;
  while (!s.empty() && s.front() == 1 && s.size() > x.size() - static_cast<size_t>(axis)) s.erase(s.begin());
  return s == Shape(x.begin() + axis, x.end());
}

}  // namespace

Expected<bool> pass_fuse_layernorm(Graph& g, const PassContext&) {
  bool changed = false;
  for (size_t mi = 0; mi < g.nodes.size(); ++mi) {
    const Node& mean1 = g.nodes[mi];
    auto axis = trailing_mean(g, mean1);
    if (!axis) continue;
    const TensorId x = mean1.inputs[0];
    const Shape xs = g.t(x).shape;
    if (g.t(x).dtype != DType::F32) continue;
    auto sub_i = only_reader(g, mean1.outputs[0]);
    if (!sub_i) continue;
    const Node& sub = g.nodes[*sub_i];
    if (sub.op != OpKind::Sub || sub.inputs.size() != 2 || sub.inputs[0] != x || sub.inputs[1] != mean1.outputs[0] ||
        sub.act.kind != FusedAct::None || g.t(sub.outputs[0]).shape != xs)
      continue;
    const TensorId d = sub.outputs[0];
    // d is read by the Pow and by the Div, once each.
    const auto dr = g.consumers(d);
    if (dr.size() != 2 || dr[0] == dr[1] || g.is_graph_output(d)) continue;
    size_t pow_i = dr[0], div_i = dr[1];
    if (g.nodes[pow_i].op != OpKind::Pow) std::swap(pow_i, div_i);
    const Node& pw = g.nodes[pow_i];
    const Node& dv = g.nodes[div_i];
    if (pw.op != OpKind::Pow || pw.inputs.size() != 2 || pw.inputs[0] != d || pw.act.kind != FusedAct::None) continue;
    auto expo = scalar_f32(g, pw.inputs[1]);
    if (!expo || *expo != 2.0f) continue;
    auto mean2_i = only_reader(g, pw.outputs[0]);
    if (!mean2_i || trailing_mean(g, g.nodes[*mean2_i]) != axis) continue;
    auto add_i = only_reader(g, g.nodes[*mean2_i].outputs[0]);
    if (!add_i || g.nodes[*add_i].op != OpKind::Add) continue;
    auto eps_t = other_input(g.nodes[*add_i], g.nodes[*mean2_i].outputs[0]);
    auto eps = eps_t ? scalar_f32(g, *eps_t) : std::nullopt;
    if (!eps) continue;
    auto sqrt_i = only_reader(g, g.nodes[*add_i].outputs[0]);
    if (!sqrt_i || g.nodes[*sqrt_i].op != OpKind::Sqrt || g.nodes[*sqrt_i].act.kind != FusedAct::None) continue;
    if (dv.op != OpKind::Div || dv.inputs.size() != 2 || dv.inputs[0] != d ||
        dv.inputs[1] != g.nodes[*sqrt_i].outputs[0] || dv.act.kind != FusedAct::None ||
        only_reader(g, g.nodes[*sqrt_i].outputs[0]) != div_i || g.t(dv.outputs[0]).shape != xs)
      continue;
    // The optional affine tail.
    size_t last = div_i;
    TensorId scale = kNoTensor, bias = kNoTensor;
    std::vector<size_t> chain = {mi, *sub_i, pow_i, *mean2_i, *add_i, *sqrt_i, div_i};
    auto take = [&](OpKind op, TensorId& slot) {
      auto r = only_reader(g, g.nodes[last].outputs[0]);
      if (!r || g.nodes[*r].op != op) return;
      auto c = other_input(g.nodes[*r], g.nodes[last].outputs[0]);
      if (!c || !affine_const(g, *c, xs, *axis) || g.t(g.nodes[*r].outputs[0]).shape != xs) return;
      slot = *c;
      last = *r;
      chain.push_back(*r);
    };
    take(OpKind::Mul, scale);
    take(OpKind::Add, bias);
    Node& ln = g.nodes[last];
    ln.op = OpKind::LayerNormalization;
    ln.inputs = {x, scale, bias};
    ln.attrs = Attrs{};
    ln.attrs.values["axis"] = *axis;
    ln.attrs.values["epsilon"] = *eps;
    ln.attrs.values["decomposed"] = int64_t{1};
    ln.attrs.values["exponent"] = *expo;
    std::sort(chain.begin(), chain.end());
    for (size_t k = chain.size(); k-- > 0;)
      if (chain[k] != last) g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(chain[k]));
    --mi;  // the node after the fused ReduceMean moved to mi (unsigned wrap-around at 0 is undone by ++mi)
    changed = true;
  }
  return changed;
}

}  // namespace ferrite
