// MaxPool / AveragePool (1-D, 2-D and 3-D; strides, dilations, pads, auto_pad, ceil_mode,
// count_include_pad; MaxPool's Indices output with storage_order 0 and 1) and GlobalAveragePool / GlobalMaxPool.
#include "ops/op_util.h"

namespace ferrite::ops {

static Expected<Lowered> lower_pool(const Graph& g, const Node& n, bool is_max) {
  FERRITE_TRY(require_f32(g, n, {0}, 1));
  const bool with_indices = is_max && output_slot(n, 1) != kNoTensor;
  if (!is_max && n.outputs.size() > 1) return make_error("{}: AveragePool has one output", n.display_name());
  if (with_indices && g.t(n.outputs[1]).dtype != DType::I64)
    return make_error("{}: Indices output '{}' is {}, expected int64", n.display_name(), g.t(n.outputs[1]).name,
                      dtype_name(g.t(n.outputs[1]).dtype));
  const Shape& x = in_shape(g, n, 0);
  const Shape& y = out_shape(g, n);
  if (x.size() < 3 || x.size() > 5 || y.size() != x.size())
    return make_error("{}: {}-D pooling is not supported (1-D, 2-D and 3-D are)", n.display_name(),
                      static_cast<int64_t>(x.size()) - 2);
  const size_t nsp = x.size() - 2;
  const std::vector<int64_t> ks = n.attrs.ints("kernel_shape", std::vector<int64_t>(nsp, 1));
  const std::vector<int64_t> ss = n.attrs.ints("strides", std::vector<int64_t>(nsp, 1));
  const std::vector<int64_t> ds = n.attrs.ints("dilations", std::vector<int64_t>(nsp, 1));
  const std::vector<int64_t> pads = n.attrs.ints("pads", std::vector<int64_t>(2 * nsp, 0));
  if (pads.size() != 2 * nsp) return make_error("{}: pads has {} values, expected {}", n.display_name(), pads.size(), 2 * nsp);
  if (ks.size() != nsp || ss.size() != nsp || ds.size() != nsp)
    return make_error("{}: kernel_shape/strides/dilations must have {} values each", n.display_name(), nsp);
  const std::array<int64_t, 3> xi = dhw(std::vector<int64_t>(x.begin() + 2, x.end()), 1);
  const std::array<int64_t, 3> yo = dhw(std::vector<int64_t>(y.begin() + 2, y.end()), 1);
  const std::array<int64_t, 3> k = dhw(ks, 1), s = dhw(ss, 1), d = dhw(ds, 1);
  std::array<int64_t, 3> pb = dhw(std::vector<int64_t>(pads.begin(), pads.begin() + static_cast<ptrdiff_t>(nsp)), 0);
  std::array<int64_t, 3> pe = dhw(std::vector<int64_t>(pads.begin() + static_cast<ptrdiff_t>(nsp), pads.end()), 0);
  for (size_t i = 0; i < 3; ++i)
    if (k[i] < 1 || s[i] < 1 || d[i] < 1)
      return make_error("{}: kernel_shape, strides and dilations must be >= 1", n.display_name());
  for (int64_t v : pads)
    if (v < 0) return make_error("{}: pads must be >= 0", n.display_name());
  const std::string auto_pad = n.attrs.s("auto_pad", "NOTSET");
  for (size_t i = 0; i < 3; ++i) std::tie(pb[i], pe[i]) = resolve_pool_pads(auto_pad, xi[i], yo[i], k[i], s[i], d[i], pb[i], pe[i]);
  ferrite_rt::PoolParams p{};
  p.n = i32(x[0]); p.c = i32(x[1]);
  p.d_in = i32(xi[0]); p.h_in = i32(xi[1]); p.w_in = i32(xi[2]);
  p.d_out = i32(yo[0]); p.h_out = i32(yo[1]); p.w_out = i32(yo[2]);
  p.kd = i32(k[0]); p.kh = i32(k[1]); p.kw = i32(k[2]);
  p.stride_d = i32(s[0]); p.stride_h = i32(s[1]); p.stride_w = i32(s[2]);
  p.dil_d = i32(d[0]); p.dil_h = i32(d[1]); p.dil_w = i32(d[2]);
  p.pad_front = i32(pb[0]); p.pad_top = i32(pb[1]); p.pad_left = i32(pb[2]);
  p.pad_back = i32(pe[0]); p.pad_bottom = i32(pe[1]); p.pad_right = i32(pe[2]);
  p.count_include_pad = is_max ? 0 : static_cast<int32_t>(n.attrs.i("count_include_pad", 0));
  p.storage_order = is_max ? static_cast<int32_t>(n.attrs.i("storage_order", 0)) : 0;
  if (p.storage_order != 0 && p.storage_order != 1)
    return make_error("{}: storage_order {} is not 0 or 1", n.display_name(), p.storage_order);
  p.act = to_act_params(n.act);
  Lowered l;
  KernelCall c;
  c.kernel = is_max ? KernelId::maxpool2d_f32 : KernelId::avgpool2d_f32;
  c.variant = nsp == 3 ? fmt::format("{}_k{}x{}x{}_s{}x{}x{}", kernel_name(c.kernel), p.kd, p.kh, p.kw, p.stride_d,
                                     p.stride_h, p.stride_w)
                       : fmt::format("{}_k{}x{}_s{}x{}", kernel_name(c.kernel), p.kh, p.kw, p.stride_h, p.stride_w);
  if (with_indices) c.variant += "_indices";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  if (is_max) c.args.push_back(with_indices ? Operand::tensor(n.outputs[1]) : Operand::null());
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
