// Fuses LayerNorm written out as ReduceMeans and elementwise ops into one LayerNormalization node
// marked `decomposed` (float32 only), whose kernel (layernorm_decomposed_f32) runs in place over x and
// rounds exactly like the chain, so results are bit-identical to the unfused graph. With
// m = ReduceMean(x, trailing axes) and d = Sub(x, m), the forms recognized are
//   variance  v = ReduceMean(Pow(d, 2))                  torch below opset 17
//             v = ReduceMean(Mul(d, d))                  hand-written, other exporters
//             v = ReduceMean(x * x) - m * m              ONNX's LayerNormalization function body
//                 (each square Mul(t, t) or Pow(t, 2))   (Sub(ReduceMean(Mul(x, x)), Mul(m, m)))
//             v = ReduceMean(Mul(d', d'))                torch's x.var(unbiased=False): its own mean m'
//                 with d' = Sub(x, m')                   over the same axes (the same values as m and d)
//   then      s = Sqrt(Add(v, epsilon))
//   and       y = Div(d, s)                              torch, ONNX's function body
//             y = Mul(d, Reciprocal(s) or Div(1, s))     x * rsqrt(...) (torch exports rsqrt as Div(1, Sqrt))
//   [; y = Mul(y, scale)] [; y = Add(y, bias)]
// (Add and Mul operands in either order). Unfused, x and d (or x and x * x), then d and the
// normalized values, are live together: two buffers of x's size where the fused node needs one.
// ONNX's function body also flattens x to 2-D first and reshapes y back: those are views, and the
// fused node works on the flattened tensor. Dead nodes are swept first (see below).
//
// Checked: both ReduceMeans keep their dims over the same trailing axes of x; Pow exponents and
// epsilon are float32 scalar constants, the exponents exactly 2, Div(1, s)'s 1 exactly 1; scale and bias
// are float32 constants holding exactly the normalized dims (after leading 1s); the squares keep
// their operand's shape and the normalized values have x's shape; no node has a fused activation;
// every intermediate is read only inside the pattern (m by the Sub, and by m * m in the mean-of-squares
// form; d by the square and the normalization, or only the latter; m' and d' by the next step) and is
// no graph output. Anything else stays unfused.
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

// Node n has op `op`, `nin` inputs, one output and no fused activation.
bool plain(const Node& n, OpKind op, size_t nin) {
  return n.op == op && n.inputs.size() == nin && n.outputs.size() == 1 && n.act.kind == FusedAct::None;
}

// When n squares t keeping its shape: true for Mul(t, t), false for Pow(t, 2) (a float32 scalar
// constant exponent of exactly 2); nullopt otherwise.
std::optional<bool> square_of(const Graph& g, const Node& n, TensorId t) {
  if (plain(n, OpKind::Mul, 2) && n.inputs[0] == t && n.inputs[1] == t && g.t(n.outputs[0]).shape == g.t(t).shape)
    return true;
  if (plain(n, OpKind::Pow, 2) && n.inputs[0] == t && n.inputs[1] != t && scalar_f32(g, n.inputs[1]) == 2.0f &&
      g.t(n.outputs[0]).shape == g.t(t).shape)
    return false;
  return std::nullopt;
}

}  // namespace

Expected<bool> pass_fuse_layernorm(Graph& g, const PassContext& ctx) {
  // Nodes nobody reads go first: ONNX's function body computes InvStdDev = Reciprocal(StdDev) even
  // when the LayerNormalization has no such output, and that reader would keep StdDev from being
  // internal to the pattern.
  auto swept = pass_dead_node(g, ctx);
  if (!swept) return swept.error();
  bool changed = *swept;
  for (size_t mi = 0; mi < g.nodes.size(); ++mi) {
    const Node& mean1 = g.nodes[mi];
    auto axis = trailing_mean(g, mean1);
    if (!axis) continue;
    const TensorId x = mean1.inputs[0];
    const Shape xs = g.t(x).shape;
    if (g.t(x).dtype != DType::F32) continue;
    const TensorId m = mean1.outputs[0];
    if (g.is_graph_output(m)) continue;
    // m's readers: the Sub, and Mul(m, m) or Pow(m, 2) in the mean-of-squares form.
    const auto mr = g.consumers(m);
    if (mr.empty() || mr.size() > 2) continue;
    std::optional<size_t> sub_i, sqm_i;
    for (size_t r : mr) {
      const Node& n = g.nodes[r];
      if (plain(n, OpKind::Sub, 2) && n.inputs[0] == x && n.inputs[1] == m && g.t(n.outputs[0]).shape == xs)
        sub_i = r;
      else
        sqm_i = r;
    }
    if (!sub_i || (mr.size() == 2) != sqm_i.has_value()) continue;
    const TensorId d = g.nodes[*sub_i].outputs[0];
    if (g.is_graph_output(d)) continue;
    const auto dr = g.consumers(d);
    // How the chain computes (attributes of the fused node, the kernel's LayerNormForm bits).
    bool square_mul = false, mean_of_squares = false, mean_square_mul = false, reciprocal = false;
    std::vector<size_t> chain = {mi, *sub_i};
    std::optional<size_t> norm_i;  // the node normalizing d
    TensorId v = kNoTensor;         // the variance
    if (!sqm_i && dr.size() == 1) {
      // torch's x.var(dim, keepdim=True, unbiased=False) takes its own mean and deviation: a twin
      // ReduceMean over x (same axes, so the same values) whose Sub(x, m') is read only by the
      // square; d is read by the normalization only.
      norm_i = dr[0];
      for (size_t t : g.consumers(x)) {
        const Node& twin = g.nodes[t];
        if (t == mi || trailing_mean(g, twin) != axis || g.is_graph_output(twin.outputs[0])) continue;
        auto sub2_i = only_reader(g, twin.outputs[0]);
        if (!sub2_i || !plain(g.nodes[*sub2_i], OpKind::Sub, 2) || g.nodes[*sub2_i].inputs[0] != x ||
            g.nodes[*sub2_i].inputs[1] != twin.outputs[0] || g.t(g.nodes[*sub2_i].outputs[0]).shape != xs)
          continue;
        const TensorId d2 = g.nodes[*sub2_i].outputs[0];
        auto sq_i = only_reader(g, d2);
        const auto sq = sq_i ? square_of(g, g.nodes[*sq_i], d2) : std::nullopt;
        auto mean2_i = sq ? only_reader(g, g.nodes[*sq_i].outputs[0]) : std::nullopt;
        if (!mean2_i || trailing_mean(g, g.nodes[*mean2_i]) != axis) continue;
        square_mul = *sq;
        v = g.nodes[*mean2_i].outputs[0];
        chain.insert(chain.end(), {t, *sub2_i, *sq_i, *mean2_i});
        break;
      }
      if (v == kNoTensor) continue;
    } else if (!sqm_i) {
      // v = ReduceMean(Pow(d, 2) or Mul(d, d)); d is read by the square and the normalization.
      if (dr.size() != 2) continue;
      for (size_t k = 0; k < 2 && v == kNoTensor; ++k) {
        const auto sq = square_of(g, g.nodes[dr[k]], d);
        if (!sq) continue;
        auto mean2_i = only_reader(g, g.nodes[dr[k]].outputs[0]);
        if (!mean2_i || trailing_mean(g, g.nodes[*mean2_i]) != axis) continue;
        square_mul = *sq;
        v = g.nodes[*mean2_i].outputs[0];
        norm_i = dr[1 - k];
        chain.insert(chain.end(), {dr[k], *mean2_i});
      }
      if (v == kNoTensor) continue;
    } else {
      // v = Sub(ReduceMean(square of x), square of m); d is read by the normalization only.
      const auto sqm = square_of(g, g.nodes[*sqm_i], m);
      if (!sqm || dr.size() != 1) continue;
      norm_i = dr[0];
      const TensorId m2 = g.nodes[*sqm_i].outputs[0];
      auto vsub_i = only_reader(g, m2);
      if (!vsub_i || !plain(g.nodes[*vsub_i], OpKind::Sub, 2) || g.nodes[*vsub_i].inputs[1] != m2) continue;
      const TensorId ms = g.nodes[*vsub_i].inputs[0];  // the mean of the squares
      auto mean2_i = g.producer(ms);
      if (!mean2_i || only_reader(g, ms) != vsub_i || trailing_mean(g, g.nodes[*mean2_i]) != axis) continue;
      const TensorId xsq = g.nodes[*mean2_i].inputs[0];
      auto sqx_i = g.producer(xsq);
      if (!sqx_i || only_reader(g, xsq) != mean2_i) continue;
      const auto sqx = square_of(g, g.nodes[*sqx_i], x);
      if (!sqx) continue;
      mean_of_squares = true;
      square_mul = *sqx;
      mean_square_mul = *sqm;
      v = g.nodes[*vsub_i].outputs[0];
      chain.insert(chain.end(), {*sqm_i, *vsub_i, *mean2_i, *sqx_i});
    }
    auto add_i = only_reader(g, v);
    if (!add_i || g.nodes[*add_i].op != OpKind::Add) continue;
    auto eps_t = other_input(g.nodes[*add_i], v);
    auto eps = eps_t ? scalar_f32(g, *eps_t) : std::nullopt;
    if (!eps) continue;
    auto sqrt_i = only_reader(g, g.nodes[*add_i].outputs[0]);
    if (!sqrt_i || !plain(g.nodes[*sqrt_i], OpKind::Sqrt, 1)) continue;
    const TensorId s = g.nodes[*sqrt_i].outputs[0];
    chain.insert(chain.end(), {*add_i, *sqrt_i, *norm_i});
    const Node& nm = g.nodes[*norm_i];
    auto s_reader = only_reader(g, s);
    if (plain(nm, OpKind::Div, 2) && nm.inputs[0] == d && nm.inputs[1] == s) {
      if (s_reader != norm_i) continue;  // y = d / s
    } else {
      // y = d * r with r = Reciprocal(s) or Div(1, s), read only here.
      auto r = plain(nm, OpKind::Mul, 2) ? other_input(nm, d) : std::nullopt;
      auto rp_i = r ? g.producer(*r) : std::nullopt;
      if (!rp_i || s_reader != rp_i || only_reader(g, *r) != norm_i) continue;
      const Node& rp = g.nodes[*rp_i];
      const bool recip = plain(rp, OpKind::Reciprocal, 1) && rp.inputs[0] == s;
      const bool one_div = plain(rp, OpKind::Div, 2) && rp.inputs[1] == s && rp.inputs[0] != s &&
                           scalar_f32(g, rp.inputs[0]) == 1.0f;
      if (!recip && !one_div) continue;
      reciprocal = true;
      chain.push_back(*rp_i);
    }
    if (g.t(nm.outputs[0]).shape != xs) continue;
    // The optional affine tail.
    size_t last = *norm_i;
    TensorId scale = kNoTensor, bias = kNoTensor;
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
    ln.attrs.values["exponent"] = 2.0f;
    ln.attrs.values["square_mul"] = int64_t{square_mul};
    ln.attrs.values["mean_of_squares"] = int64_t{mean_of_squares};
    ln.attrs.values["mean_square_mul"] = int64_t{mean_square_mul};
    ln.attrs.values["reciprocal"] = int64_t{reciprocal};
    std::sort(chain.begin(), chain.end());
    for (size_t k = chain.size(); k-- > 0;)
      if (chain[k] != last) g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(chain[k]));
    // x * x may come before the first ReduceMean: go on from the first removed node's index (the
    // unsigned wrap-around at 0 is undone by ++mi).
    mi = std::min(mi, chain.front()) - 1;
    changed = true;
  }
  return changed;
}

}  // namespace ferrite
