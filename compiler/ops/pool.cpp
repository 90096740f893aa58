// MaxPool / AveragePool (1-D and 2-D; strides, dilations, pads, auto_pad, ceil_mode,
// count_include_pad) and GlobalAveragePool / GlobalMaxPool.
#include "ops/op_util.h"

namespace ferrite::ops {

static Expected<Lowered> lower_pool(const Graph& g, const Node& n, bool is_max) {
  FERRITE_TRY(require_f32(g, n, {0}));
  if (n.outputs.size() > 1) return make_error("{}: the Indices output is not supported", n.display_name());
  const Shape& x = in_shape(g, n, 0);
  const Shape& y = out_shape(g, n);
  if (x.size() != 3 && x.size() != 4)
    return make_error("{}: {}-D pooling is not supported (1-D and 2-D are)", n.display_name(), x.size() - 2);
  const bool one_d = x.size() == 3;
  const size_t nsp = x.size() - 2;
  auto sp = [&](const Shape& s, int i) -> int64_t { return one_d ? (i == 0 ? 1 : s[2]) : s[2 + static_cast<size_t>(i)]; };
  auto attr2 = [&](const char* name, int64_t def) {
    std::vector<int64_t> v = n.attrs.ints(name, std::vector<int64_t>(nsp, def));
    if (one_d) v.insert(v.begin(), def);
    return v;
  };
  std::vector<int64_t> k = attr2("kernel_shape", 1), s = attr2("strides", 1), d = attr2("dilations", 1);
  std::vector<int64_t> pads = n.attrs.ints("pads", std::vector<int64_t>(2 * nsp, 0));
  if (pads.size() != 2 * nsp) return make_error("{}: pads has {} values, expected {}", n.display_name(), pads.size(), 2 * nsp);
  if (k.size() != 2 || s.size() != 2 || d.size() != 2)
    return make_error("{}: kernel_shape/strides/dilations must have {} values each", n.display_name(), nsp);
  for (size_t i = 0; i < 2; ++i)
    if (k[i] < 1 || s[i] < 1 || d[i] < 1)
      return make_error("{}: kernel_shape, strides and dilations must be >= 1", n.display_name());
  for (int64_t v : pads)
    if (v < 0) return make_error("{}: pads must be >= 0", n.display_name());
  std::vector<int64_t> pb = one_d ? std::vector<int64_t>{0, pads[0]} : std::vector<int64_t>{pads[0], pads[1]};
  std::vector<int64_t> pe = one_d ? std::vector<int64_t>{0, pads[1]} : std::vector<int64_t>{pads[2], pads[3]};
  const std::string auto_pad = n.attrs.s("auto_pad", "NOTSET");
  for (int i = 0; i < 2; ++i) {
    const auto u = static_cast<size_t>(i);
    std::tie(pb[u], pe[u]) = resolve_pool_pads(auto_pad, sp(x, i), sp(y, i), k[u], s[u], d[u], pb[u], pe[u]);
  }
  ferrite_rt::PoolParams p{};
  p.n = i32(x[0]); p.c = i32(x[1]); p.h_in = i32(sp(x, 0)); p.w_in = i32(sp(x, 1));
  p.h_out = i32(sp(y, 0)); p.w_out = i32(sp(y, 1));
  p.kh = i32(k[0]); p.kw = i32(k[1]);
  p.stride_h = i32(s[0]); p.stride_w = i32(s[1]);
  p.dil_h = i32(d[0]); p.dil_w = i32(d[1]);
  p.pad_top = i32(pb[0]); p.pad_left = i32(pb[1]); p.pad_bottom = i32(pe[0]); p.pad_right = i32(pe[1]);
  p.count_include_pad = is_max ? 0 : static_cast<int32_t>(n.attrs.i("count_include_pad", 0));
  p.act = to_act_params(n.act);
  Lowered l;
  KernelCall c;
  c.kernel = is_max ? KernelId::maxpool2d_f32 : KernelId::avgpool2d_f32;
  c.variant = fmt::format("{}_k{}x{}_s{}x{}", kernel_name(c.kernel), p.kh, p.kw, p.stride_h, p.stride_w);
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

Expected<Lowered> lower_maxpool_s8(const Graph& g, const Node& n);  // quantized.cpp
Expected<Lowered> lower_MaxPool(const Graph& g, const Node& n) {
  if (g.t(n.inputs[0]).dtype == DType::I8) return lower_maxpool_s8(g, n);
  return lower_pool(g, n, true);
}
Expected<Lowered> lower_AveragePool(const Graph& g, const Node& n) { return lower_pool(g, n, false); }

static Expected<Lowered> lower_global(const Graph& g, const Node& n, bool is_max) {
  FERRITE_TRY(require_f32(g, n, {0}));
  const Shape& x = in_shape(g, n, 0);
  if (x.size() < 3) return make_error("{}: input must have rank >= 3", n.display_name());
  ferrite_rt::GlobalPoolParams p{};
  p.planes = i32(x[0] * x[1]);
  p.spatial = i32(prod(x, 2, x.size()));
  p.act = to_act_params(n.act);
  Lowered l;
  KernelCall c;
  c.kernel = is_max ? KernelId::global_maxpool_f32 : KernelId::global_avgpool_f32;
  c.variant = kernel_name(c.kernel);
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

Expected<Lowered> lower_GlobalAveragePool(const Graph& g, const Node& n) { return lower_global(g, n, false); }
Expected<Lowered> lower_GlobalMaxPool(const Graph& g, const Node& n) { return lower_global(g, n, true); }

}  // namespace ferrite::ops
