// Folds inference BatchNormalization into the Conv or Gemm that produces its input, when the BN
// statistics and the producer's weights are constants and the producer's output feeds only the BN:
//   k[c] = scale[c] / sqrt(var[c] + eps);  W'[c] = W[c] * k[c];  b'[c] = (b[c] - mean[c]) * k[c] + bias[c].
// New constant tensors are created (the originals may be shared).
#include <cmath>
#include <cstring>

#include "passes/pass.h"

namespace ferrite {

static TensorId add_f32_const(Graph& g, const std::string& name, const Shape& shape, const std::vector<float>& v) {
  Tensor t;
  t.name = name;
  t.dtype = DType::F32;
  t.shape = shape;
  t.data = std::vector<uint8_t>(v.size() * sizeof(float));
  std::memcpy(t.data->data(), v.data(), t.data->size());
  return g.add_tensor(std::move(t));
}

static bool all_const_f32(const Graph& g, const Node& n, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i)
    if (i >= n.inputs.size() || n.inputs[i] == kNoTensor || !g.t(n.inputs[i]).is_constant() ||
        g.t(n.inputs[i]).dtype != DType::F32)
      return false;
  return true;
}

Expected<bool> pass_fold_batchnorm(Graph& g, const PassContext&) {
  bool changed = false;
  for (size_t bi = 0; bi < g.nodes.size(); ++bi) {
    const Node& bn = g.nodes[bi];
    if (bn.op != OpKind::BatchNormalization || bn.outputs.size() != 1 || bn.attrs.i("training_mode", 0)) continue;
    if (!all_const_f32(g, bn, 1, 5)) continue;
    const TensorId x = bn.inputs[0];
    auto pi = g.producer(x);
    if (!pi || g.consumers(x).size() != 1 || g.is_graph_output(x)) continue;
    Node& p = g.nodes[*pi];
    if (p.act.kind != FusedAct::None || p.outputs.size() != 1) continue;
    const bool conv = p.op == OpKind::Conv;
    const bool gemm = p.op == OpKind::Gemm && g.t(x).shape.size() == 2;
    if (!conv && !gemm) continue;
    if (!g.t(p.inputs[1]).is_constant() || g.t(p.inputs[1]).dtype != DType::F32) continue;
    const bool has_b = p.inputs.size() > 2 && p.inputs[2] != kNoTensor;
    if (has_b && (!g.t(p.inputs[2]).is_constant() || g.t(p.inputs[2]).dtype != DType::F32)) continue;

    const int64_t c = g.t(x).shape[1];
    auto scale = g.t(bn.inputs[1]).as_f32(), bias = g.t(bn.inputs[2]).as_f32();
    auto mean = g.t(bn.inputs[3]).as_f32(), var = g.t(bn.inputs[4]).as_f32();
    const float eps = bn.attrs.f("epsilon", 1e-5f);
    const auto cs = static_cast<size_t>(c);
    if (scale.size() != cs || bias.size() != cs || mean.size() != cs || var.size() != cs) continue;
    std::vector<float> k(static_cast<size_t>(c));
    for (size_t i = 0; i < k.size(); ++i) k[i] = scale[i] / std::sqrt(var[i] + eps);

    const Tensor& wt = g.t(p.inputs[1]);
    std::vector<float> w = wt.as_f32();
    std::vector<float> b(static_cast<size_t>(c), 0.f);
    float beta = 1.f;
    if (gemm) {
      beta = p.attrs.f("beta", 1.f);
      if (has_b) {
        const Shape& cs = g.t(p.inputs[2]).shape;
        const bool row = (cs.size() == 1 && cs[0] == c) || (cs.size() == 2 && cs[0] == 1 && cs[1] == c);
        if (!row) continue;  // a full or scalar C would need a different fold
      }
    }
    if (has_b) {
      auto bv = g.t(p.inputs[2]).as_f32();
      if (static_cast<int64_t>(bv.size()) != c) continue;
      for (size_t i = 0; i < b.size(); ++i) b[i] = beta * bv[i];
    }
    if (conv) {
      const size_t per = w.size() / static_cast<size_t>(c);
      for (size_t oc = 0; oc < k.size(); ++oc)
        for (size_t j = 0; j < per; ++j) w[oc * per + j] *= k[oc];
    } else {
      const bool tb = p.attrs.i("transB", 0) != 0;
      const auto nn = static_cast<size_t>(c), kk = w.size() / nn;
      for (size_t r = 0; r < (tb ? nn : kk); ++r)
        for (size_t col = 0; col < (tb ? kk : nn); ++col) w[r * (tb ? kk : nn) + col] *= k[tb ? r : col];
    }
    for (size_t i = 0; i < b.size(); ++i) b[i] = (b[i] - mean[i]) * k[i] + bias[i];

    const std::string base = g.t(bn.outputs[0]).name;
    TensorId nw = add_f32_const(g, base + "_folded_weight", g.t(p.inputs[1]).shape, w);
    TensorId nb = add_f32_const(g, base + "_folded_bias", Shape{c}, b);
    Node& prod = g.nodes[*pi];  // re-fetch: add_tensor does not move nodes, but keep it obvious
    prod.inputs[1] = nw;
    if (prod.inputs.size() < 3) prod.inputs.resize(3, kNoTensor);
    prod.inputs[2] = nb;
    if (gemm) prod.attrs.values["beta"] = 1.0f;
    absorb_consumer(g, *pi, bi);
    changed = true;
    --bi;
  }
  return changed;
}

}  // namespace ferrite
