// Conv (1-D, 2-D and 3-D, groups, depthwise, strides, dilations, pads, auto_pad) lowered to
// conv2d_f32 (im2col patch in scratch) or dwconv2d_f32 (depthwise, no scratch); ConvTranspose to
// conv_transpose2d_f32.
#include "ir/op_traits.h"
#include "ops/op_util.h"
#include <cstdint>
#include <limits>

namespace ferrite::ops {

Expected<Lowered> lower_Conv(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0, 1, 2}));
  const Shape& x = in_shape(g, n, 0);
  const Shape& w = in_shape(g, n, 1);
  const Shape& y = out_shape(g, n);
  if (x.size() < 3 || x.size() > 5)
    return make_error("{}: {}-D convolution is not supported (1-D, 2-D and 3-D are)", n.display_name(),
                      static_cast<int64_t>(x.size()) - 2);
  if (w.size() != x.size() || y.size() != x.size() || y[0] != x[0] || y[1] != w[0])
    return make_error("{}: weights '{}' ({}) do not fit input '{}' ({}) and output '{}' ({})", n.display_name(),
                      g.t(n.inputs[1]).name, shape_str(w), g.t(n.inputs[0]).name, shape_str(x),
                      g.t(n.outputs[0]).name, shape_str(y));
  const size_t nsp = x.size() - 2;
  const std::vector<int64_t> ss = n.attrs.ints("strides", std::vector<int64_t>(nsp, 1));
  const std::vector<int64_t> ds = n.attrs.ints("dilations", std::vector<int64_t>(nsp, 1));
  const std::vector<int64_t> pads = n.attrs.ints("pads", std::vector<int64_t>(2 * nsp, 0));
  if (pads.size() != 2 * nsp) return make_error("{}: pads has {} values, expected {}", n.display_name(), pads.size(), 2 * nsp);
  if (ss.size() != nsp || ds.size() != nsp)
    return make_error("{}: strides/dilations have {}/{} values, expected {}", n.display_name(), ss.size(), ds.size(), nsp);
  const int64_t group = n.attrs.i("group", 1);
  if (group <= 0 || group > x[1] || x[1] % group || y[1] % group || w[1] * group != x[1])
    return make_error("{}: group {} does not divide {} input / {} output channels (weights '{}' {})", n.display_name(),
                      group, x[1], y[1], g.t(n.inputs[1]).name, shape_str(w));
  for (size_t i = 0; i < nsp; ++i)
    if (ss[i] < 1 || ds[i] < 1 || pads[i] < 0 || pads[i + nsp] < 0)
      return make_error("{}: strides and dilations must be >= 1 and pads >= 0", n.display_name());
  const std::string auto_pad = n.attrs.s("auto_pad", "NOTSET");
  const std::array<int64_t, 3> xi = dhw(std::vector<int64_t>(x.begin() + 2, x.end()), 1);
  const std::array<int64_t, 3> yo = dhw(std::vector<int64_t>(y.begin() + 2, y.end()), 1);
  const std::array<int64_t, 3> k = dhw(std::vector<int64_t>(w.begin() + 2, w.end()), 1);
  const std::array<int64_t, 3> s = dhw(ss, 1), d = dhw(ds, 1);
  std::array<int64_t, 3> pb = dhw(std::vector<int64_t>(pads.begin(), pads.begin() + static_cast<ptrdiff_t>(nsp)), 0);
  for (size_t i = 0; i < 3; ++i) pb[i] = resolve_pad_begin(auto_pad, xi[i], yo[i], k[i], s[i], d[i], pb[i]);

  ferrite_rt::ConvParams p{};
  p.n = i32(x[0]); p.c_in = i32(x[1]); p.c_out = i32(y[1]);
  p.d_in = i32(xi[0]); p.h_in = i32(xi[1]); p.w_in = i32(xi[2]);
  p.d_out = i32(yo[0]); p.h_out = i32(yo[1]); p.w_out = i32(yo[2]);
  p.kd = i32(k[0]); p.kh = i32(k[1]); p.kw = i32(k[2]);
  p.stride_d = i32(s[0]); p.stride_h = i32(s[1]); p.stride_w = i32(s[2]);
  p.dil_d = i32(d[0]); p.dil_h = i32(d[1]); p.dil_w = i32(d[2]);
  p.pad_front = i32(pb[0]); p.pad_top = i32(pb[1]); p.pad_left = i32(pb[2]);
  p.group = i32(group);
  p.act = to_act_params(n.act);

  Lowered l;
  l.macs = static_cast<uint64_t>(p.n) * p.c_out * p.d_out * p.h_out * p.w_out * (p.c_in / p.group) * p.kd * p.kh *
           p.kw;
  KernelCall c;
  c.params = p;
  Operand bias = has_input(n, 2) ? Operand::tensor(n.inputs[2]) : Operand::null();
  const std::string spec = nsp == 3 ? fmt::format("k{}x{}x{}_s{}x{}x{}", p.kd, p.kh, p.kw, p.stride_d, p.stride_h, p.stride_w)
                                    : fmt::format("k{}x{}_s{}x{}", p.kh, p.kw, p.stride_h, p.stride_w);
  if (nsp < 3 && p.group == p.c_in && p.c_in == p.c_out) {  // depthwise (1-D, 2-D)
    c.kernel = KernelId::dwconv2d_f32;
    c.variant = "dwconv2d_f32_" + spec;
    c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]), bias, Operand::tensor(n.outputs[0])};
    if (in_place_input(g, n) >= 0) {  // the op traits' Depthwise rule: one image, output plane no larger
      KernelCall ip = c;
      ip.kernel = KernelId::dwconv2d_f32_inplace;
      ip.variant = "dwconv2d_f32_" + spec + "_inplace";
      ip.args = {Operand::tensor(n.outputs[0]), Operand::tensor(n.inputs[1]), bias, Operand::scratch()};
      l.inplace_calls.push_back(std::move(ip));
      l.inplace_scratch_bytes = sizeof(float) * static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in);
    }
  } else {
    c.kernel = KernelId::conv2d_f32;
    c.variant = (nsp == 3 ? "conv3d_f32_" : p.kh == 1 && p.kw == 1 ? "conv2d_f32_pointwise_" : "conv2d_f32_") + spec;
    c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]), bias, Operand::tensor(n.outputs[0]),
              Operand::scratch()};
    l.scratch_bytes = ferrite_rt::conv2d_f32_scratch_bytes(p);
  }
  l.calls.push_back(std::move(c));
  return l;
}

// The geometry of a ConvTranspose (or of fold-qdq's QLinearConvTranspose: input `x_slot`, weights
// `w_slot`) for the gather-form kernels: 1-D, 2-D and 3-D, groups, strides, dilations, pads,
// output_padding, output_shape, auto_pad. The output size comes from ONNX's shape inference; the
// begin pads are the explicit ones, or computed from output_shape / auto_pad the way the ONNX
// specification states. p.act is left empty.
Expected<ferrite_rt::ConvParams> conv_transpose_params(const Graph& g, const Node& n, size_t x_slot, size_t w_slot) {
  const Shape& x = in_shape(g, n, x_slot);
  const Shape& w = in_shape(g, n, w_slot);
  const Shape& y = out_shape(g, n);
  if (x.size() < 3 || x.size() > 5)
    return make_error("{}: {}-D transposed convolution is not supported (1-D, 2-D and 3-D are)", n.display_name(),
                      static_cast<int64_t>(x.size()) - 2);
  const size_t nsp = x.size() - 2;
  const int64_t group = n.attrs.i("group", 1);
  if (w.size() != x.size() || y.size() != x.size() || y[0] != x[0] || w[0] != x[1] || group <= 0 || x[1] % group ||
      w[1] * group != y[1])
    return make_error("{}: weights '{}' ({}) and group {} do not fit input '{}' ({}) and output '{}' ({})",
                      n.display_name(), g.t(n.inputs[w_slot]).name, shape_str(w), group, g.t(n.inputs[x_slot]).name,
                      shape_str(x), g.t(n.outputs[0]).name, shape_str(y));
  auto ints = [&](const char* name, int64_t def, size_t count) {
    return n.attrs.ints(name, std::vector<int64_t>(count, def));
  };
  const std::vector<int64_t> strides = ints("strides", 1, nsp), dil = ints("dilations", 1, nsp);
  const std::vector<int64_t> opad = ints("output_padding", 0, nsp), pads = ints("pads", 0, 2 * nsp);
  if (strides.size() != nsp || dil.size() != nsp || opad.size() != nsp || pads.size() != 2 * nsp)
    return make_error("{}: strides/dilations/output_padding/pads do not have {} spatial values", n.display_name(), nsp);
  const std::string auto_pad = n.attrs.s("auto_pad", "NOTSET");
  const bool from_total = n.attrs.has("output_shape") || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  // The spatial axes in the kernel's (depth, height, width) slots, right-aligned (dhw in ops/pads.h).
  int64_t begin[3] = {0, 0, 0}, k[3] = {1, 1, 1}, in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, st[3] = {1, 1, 1},
          dl[3] = {1, 1, 1};
  for (size_t i = 0; i < nsp; ++i) {
    const size_t d = 3 - nsp + i;
    k[d] = w[2 + i];
    in[d] = x[2 + i];
    out[d] = y[2 + i];
    st[d] = strides[i];
    dl[d] = dil[i];
    if (st[d] < 1 || dl[d] < 1 || pads[i] < 0 || pads[i + nsp] < 0)
      return make_error("{}: strides and dilations must be >= 1 and pads >= 0", n.display_name());
    // ONNX: each output_padding value is below the stride or the dilation of its axis.
    if (opad[i] < 0 || (opad[i] >= st[d] && opad[i] >= dl[d]))
      return make_error("{}: output_padding {} must be >= 0 and smaller than the stride ({}) or the dilation ({})",
                        n.display_name(), opad[i], st[d], dl[d]);
    if (from_total) {
      // total < 0 (output_shape larger than the full result): the extra rows are zeros at the end;
      // halves round toward -infinity as in ONNX's reference implementation. (128-bit: each term
      // is an int32-bounded attribute or dim, their products are not.)
      const __int128 wide = static_cast<__int128>(st[d]) * (in[d] - 1) + opad[i] +
                            static_cast<__int128>(k[d] - 1) * dl[d] + 1 - out[d];
      if (wide < std::numeric_limits<int32_t>::min() || wide > std::numeric_limits<int32_t>::max())
        return make_error("{}: the padding that output_shape implies on spatial axis {} is out of range",
                          n.display_name(), i);
      const int64_t total = static_cast<int64_t>(wide);
      const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      begin[d] = auto_pad == "SAME_UPPER" ? half : total - half;
    } else if (auto_pad == "VALID") {
      begin[d] = 0;
    } else {
      begin[d] = pads[i];
    }
  }
  ferrite_rt::ConvParams p{};
  p.n = i32(x[0]); p.c_in = i32(x[1]); p.c_out = i32(y[1]);
  p.d_in = i32(in[0]); p.h_in = i32(in[1]); p.w_in = i32(in[2]);
  p.d_out = i32(out[0]); p.h_out = i32(out[1]); p.w_out = i32(out[2]);
  p.kd = i32(k[0]); p.kh = i32(k[1]); p.kw = i32(k[2]);
  p.stride_d = i32(st[0]); p.stride_h = i32(st[1]); p.stride_w = i32(st[2]);
  p.dil_d = i32(dl[0]); p.dil_h = i32(dl[1]); p.dil_w = i32(dl[2]);
  p.pad_front = i32(begin[0]); p.pad_top = i32(begin[1]); p.pad_left = i32(begin[2]);
  p.group = i32(group);
  return p;
}

// ConvTranspose lowered to conv_transpose2d_f32 (gather form; geometry by conv_transpose_params).
Expected<Lowered> lower_ConvTranspose(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0, 1, 2}));
  auto pp = conv_transpose_params(g, n, 0, 1);
  if (!pp) return pp.error();
  ferrite_rt::ConvParams p = *pp;
  p.act = to_act_params(n.act);
  const size_t nsp = in_shape(g, n, 0).size() - 2;
  Lowered l;
  l.macs = static_cast<uint64_t>(p.n) * p.c_in * p.d_in * p.h_in * p.w_in * (p.c_out / p.group) * p.kd * p.kh * p.kw;
  KernelCall c;
  c.kernel = KernelId::conv_transpose2d_f32;
  c.variant = nsp == 3 ? fmt::format("conv_transpose3d_f32_k{}x{}x{}_s{}x{}x{}", p.kd, p.kh, p.kw, p.stride_d,
                                     p.stride_h, p.stride_w)
                       : fmt::format("conv_transpose2d_f32_k{}x{}_s{}x{}", p.kh, p.kw, p.stride_h, p.stride_w);
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]),
            has_input(n, 2) ? Operand::tensor(n.inputs[2]) : Operand::null(), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

}  // namespace ferrite::ops
